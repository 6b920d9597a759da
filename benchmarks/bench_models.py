"""Benchmark: every recommender on one generated 100k-interaction shop.

The data (seeded) has taste clusters so the models have something to learn:
2,000 users, 1,000 items in 8 categories, about 100,000 events over 60 days.
Each user prefers one or two categories (80% of their events), items within a
category have Zipf-like popularity, and event types follow a view > click >
add_to_cart > purchase funnel. One temporal split (newest 20% of events = test)
is scored with NDCG@10 and Recall@10 over the test users.

Every class exported from ``workbench.recommenders`` that subclasses
``Recommender`` is built with its defaults (``Model()``), so models added by other
helpers appear automatically. Per model the table shows the fit time, the
median time to recommend 10 items for all test users (``--repeats`` runs), the
ranking metrics, and each number relative to ``Popularity`` measured in the same
run. A model that fails prints its error instead of numbers; the run goes on.

Expect rating-prediction MF (SVD, SVDpp, NMF) and the surprise KNN rating
predictors to rank poorly and the top-N models (EASE, ImplicitALS,
ItemNeighborhood, UserNeighborhood, SAR, TwoStage) to rank well: predicting a
rating and choosing the top-10 unseen items are different tasks. For ranking
quality on MovieLens with Microsoft Recommenders' protocol, see
``benchmarks/bench_quality.py``.

Run: ``.venv/bin/python benchmarks/bench_models.py [--repeats 3] [--small] [--only EASE,SVD]``
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import workbench.recommenders as recommenders  # noqa: E402
from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, SESSION_ID, TIMESTAMP, USER_ID  # noqa: E402
from workbench.metrics import evaluate  # noqa: E402
from workbench.recommenders.base import Recommender  # noqa: E402
from workbench.split import temporal_split  # noqa: E402

SEED = 42
CATEGORIES = ("sneakers", "boots", "sandals", "running", "formal", "kids", "outdoor", "socks")
EVENTS = ("view", "click", "add_to_cart", "purchase")
EVENT_P = (0.55, 0.25, 0.12, 0.08)
DAY = 86_400
T0 = 1_700_000_000


def make_shop(n_users: int = 2_000, n_items: int = 1_000, events_per_user: int = 50, days: int = 60,
              seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Interactions, items and users of a seeded shop with taste clusters (not timed)."""
    rng = np.random.default_rng(seed)
    n_cat = len(CATEGORIES)
    item_cat = np.arange(n_items) % n_cat
    # Zipf-like popularity inside each category
    rank_in_cat = np.arange(n_items) // n_cat
    weight = 1.0 / (1.0 + rank_in_cat) ** 0.8
    by_cat = [np.flatnonzero(item_cat == c) for c in range(n_cat)]
    probs = [weight[idx] / weight[idx].sum() for idx in by_cat]
    global_p = weight / weight.sum()
    rows_u, rows_i, rows_t, rows_e = [], [], [], []
    for u in range(n_users):
        n = max(5, int(rng.poisson(events_per_user)))
        likes = rng.choice(n_cat, size=int(rng.integers(1, 3)), replace=False)
        from_taste = rng.random(n) < 0.8
        cats = rng.choice(likes, size=n)
        items = np.where(
            from_taste,
            [by_cat[c][rng.choice(len(by_cat[c]), p=probs[c])] for c in cats],
            rng.choice(n_items, size=n, p=global_p),
        )
        # a user visits on a few days; several events per visit
        visit_days = np.sort(rng.choice(days, size=max(1, n // 6), replace=True))
        times = T0 + rng.choice(visit_days, size=n) * DAY + rng.integers(0, 3_600, size=n)
        rows_u.append(np.full(n, u))
        rows_i.append(items)
        rows_t.append(times)
        rows_e.append(rng.choice(len(EVENTS), size=n, p=EVENT_P))
    users_idx = np.concatenate(rows_u)
    stamps = np.concatenate(rows_t)
    interactions = pd.DataFrame({
        USER_ID: np.char.add("u", users_idx.astype(str)),
        ITEM_ID: np.char.add("i", np.concatenate(rows_i).astype(str)),
        TIMESTAMP: stamps.astype(np.int64),
        EVENT_TYPE: np.asarray(EVENTS)[np.concatenate(rows_e)],
        EVENT_VALUE: np.nan,
        SESSION_ID: np.char.add(np.char.add("s", users_idx.astype(str)),
                                np.char.add("-", ((stamps - T0) // DAY).astype(str))),
    }).sort_values(TIMESTAMP, kind="stable").reset_index(drop=True)
    for column in (USER_ID, ITEM_ID, SESSION_ID):
        interactions[column] = interactions[column].astype(object)
    items = pd.DataFrame({
        ITEM_ID: [f"i{i}" for i in range(n_items)],
        "CATEGORY_L1": [CATEGORIES[c] for c in item_cat],
        "PRICE": np.round(rng.uniform(10, 250, n_items), 2),
        "PRODUCT_DESCRIPTION": [f"{CATEGORIES[c]} shoe number {i}" for i, c in enumerate(item_cat)],
        "CREATION_TIMESTAMP": T0 - rng.integers(0, 365, n_items) * DAY,
    })
    users = pd.DataFrame({
        USER_ID: [f"u{u}" for u in range(n_users)],
        "AGE_BAND": rng.choice(["18-24", "25-34", "35-49", "50+"], n_users),
        "GENDER": rng.choice(["F", "M"], n_users),
        "SEGMENT": rng.choice(["heavy", "vip", "normal", "one-off"], n_users),
    })
    return interactions, items, users


def split_data(interactions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Temporal split: the newest 20% of events are the test period."""
    split = temporal_split(interactions, test_fraction=0.2)
    return split.train, split.test


def score(recs: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """NDCG@10 and Recall@10 (Personalize convention) of the lists against the test events."""
    summary = evaluate(recs, truth, k=10, metrics=["ndcg", "recall"]).summary
    return float(summary["NDCG@10"]), float(summary["Recall@10"])


def model_classes(only: set[str] | None) -> list[type[Recommender]]:
    """Concrete Recommender subclasses exported by ``workbench.recommenders``."""
    found = []
    for name in recommenders.__all__:
        obj = getattr(recommenders, name, None)
        if inspect.isclass(obj) and issubclass(obj, Recommender) and not inspect.isabstract(obj):
            if only is None or name in only:
                found.append(obj)
    found.sort(key=lambda cls: (cls is not recommenders.Popularity, cls.__name__))
    return found


def run(args: argparse.Namespace) -> pd.DataFrame:
    if args.small:
        interactions, items, users = make_shop(n_users=400, n_items=300, events_per_user=25)
    else:
        interactions, items, users = make_shop()
    train, test = split_data(interactions)
    test_users = test[USER_ID].unique()
    print(f"shop: {len(interactions):,} events, {interactions[USER_ID].nunique():,} users, "
          f"{interactions[ITEM_ID].nunique():,} items; train {len(train):,} / test {len(test):,} events, "
          f"{len(test_users):,} test users ({np.isin(test_users, train[USER_ID].unique()).mean():.0%} known)")
    print(f"load average at start: {os.getloadavg()[0]:.1f} (timings are wall-clock, shared machine)\n")
    rows = []
    only = set(args.only.split(",")) if args.only else None
    for cls in model_classes(only):
        row = {"model": cls.__name__}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = cls()
                start = time.perf_counter()
                model.fit(train, items=items, users=users)
                row["fit_s"] = time.perf_counter() - start
                runs = []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    recs = model.recommend(test_users, n=10)
                    runs.append(time.perf_counter() - start)
            row["recommend_s"] = statistics.median(runs)
            row["NDCG@10"], row["Recall@10"] = score(recs, test)
        except Exception as error:  # keep benchmarking the others
            row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:70]}"
            if args.verbose:
                traceback.print_exc()
        rows.append(row)
        shown = {k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in row.items()}
        print("  done:", shown, flush=True)
    table = pd.DataFrame(rows).set_index("model")
    for column in ("fit_s", "recommend_s", "NDCG@10", "Recall@10"):
        if column not in table:
            table[column] = np.nan
    if "Popularity" in table.index:
        base = table.loc["Popularity"]
        table["fit_x_pop"] = table["fit_s"] / base["fit_s"]
        table["rec_x_pop"] = table["recommend_s"] / base["recommend_s"]
        table["NDCG_x_pop"] = table["NDCG@10"] / base["NDCG@10"]
    return table


def filter_overhead(repeats: int) -> pd.DataFrame:
    """Median recommend() time for all test users with and without a chained Personalize filter."""
    interactions, items, users = make_shop()
    train, test = split_data(interactions)
    test_users = test[USER_ID].unique()
    model = recommenders.Popularity().fit(train, items=items, users=users)
    expression = ('INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CAT) | '
                  'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "add_to_cart")')
    cases = {
        "no filter": {},
        "chained items + interactions filter": {"filter": expression,
                                                "filter_values": {"CAT": ["boots", "running", "socks"]}},
    }
    rows = []
    for label, kwargs in cases.items():
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.recommend(test_users, n=10, **kwargs)
            runs.append(time.perf_counter() - start)
        rows.append({"case": label, "recommend_s": statistics.median(runs)})
    table = pd.DataFrame(rows).set_index("case")
    table["x_no_filter"] = table["recommend_s"] / table.loc["no filter", "recommend_s"]
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="recommend() runs per model (median is shown)")
    parser.add_argument("--small", action="store_true", help="a 10k-event shop for a quick smoke run")
    parser.add_argument("--only", default="", help="comma-separated class names to run (default: all)")
    parser.add_argument("--verbose", action="store_true", help="print tracebacks of failing models")
    args = parser.parse_args()
    start = time.perf_counter()
    table = run(args)
    order = ["fit_s", "recommend_s", "NDCG@10", "Recall@10", "fit_x_pop", "rec_x_pop", "NDCG_x_pop"]
    order += [c for c in table.columns if c not in order]
    print()
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4f}".format):
        print(table[order].sort_values("NDCG@10", ascending=False, na_position="last").to_string())
    print("\nx_pop = ratio to Popularity in this run")
    if not args.only:
        print(f"\nfilter cost (Popularity, {args.repeats} runs, median):")
        print(filter_overhead(args.repeats).to_string(float_format="{:.4f}".format))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
