"""Cost of one tracked event in the real-time models, against the batch baseline.

The simulator and the event-tracker notebooks call ``model.update(events)`` once
per visit, thousands of times. This script fits each real-time model of
``workbench.recommenders`` (TrendingNow, MostViewed, SessionRecency,
ContentBased, ThompsonSampling, UserPersonalization) and the batch ``Popularity`` baseline on the
same synthetic shop (2,000 users, 500 items, about 30,000 events), then times,
in the same run:

* ``update`` with a one-visit batch (view + click by one user), ``--updates``
  times -- median and 99th-percentile milliseconds per call and the ratio of the
  medians to Popularity's update (which only records the events for filters);
* ``recommend`` for 100 users after those updates -- median of 5 calls.

Target: every real-time model's median update stays under 10 ms (so a simulated
day of 5,000 visits spends under a minute in updates). Exit code 1 when missed.
The load average is printed because the machine may be shared.

    python benchmarks/bench_realtime_updates.py [--updates 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.recommenders import (  # noqa: E402
    ContentBased,
    MostViewed,
    Popularity,
    SessionRecency,
    ThompsonSampling,
    TrendingNow,
    UserPersonalization,
)

TARGET_MS = 10.0
"""Largest acceptable median time of one ``update`` call of a real-time model."""

CATEGORIES = ("sneakers", "boots", "sandals", "running", "formal", "kids")
COLOURS = ("black", "white", "red", "blue", "brown")


def shop(n_users: int = 2000, n_items: int = 500, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic interactions log (about 15 events per user over 30 days) and its Items frame."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame({
        "ITEM_ID": [f"item{i}" for i in range(n_items)],
        "CATEGORY_L1": [CATEGORIES[i % len(CATEGORIES)] for i in range(n_items)],
        "PRODUCT_DESCRIPTION": [
            f"{COLOURS[i % 5]} {CATEGORIES[i % len(CATEGORIES)]} shoe number {i} made of "
            f"{('leather', 'canvas', 'mesh')[i % 3]}" for i in range(n_items)
        ],
    })
    per_user = rng.integers(5, 25, n_users)
    users = np.repeat([f"user{u}" for u in range(n_users)], per_user)
    taste = np.repeat(rng.integers(0, len(CATEGORIES), n_users), per_user)
    offset = rng.integers(0, n_items // len(CATEGORIES), len(users))
    item = np.minimum(offset * len(CATEGORIES) + taste, n_items - 1)
    log = pd.DataFrame({
        "USER_ID": users,
        "ITEM_ID": [f"item{i}" for i in item],
        "TIMESTAMP": 1_700_000_000 + np.sort(rng.integers(0, 30 * 86_400, len(users))),
        "EVENT_TYPE": rng.choice(["view", "click", "purchase"], len(users), p=[0.7, 0.25, 0.05]),
    })
    return log, items


def visits(log: pd.DataFrame, count: int, seed: int = 1) -> list[pd.DataFrame]:
    """``count`` one-visit batches (a view then a click) after the end of the log."""
    rng = np.random.default_rng(seed)
    users = log["USER_ID"].unique()
    items = log["ITEM_ID"].unique()
    start = int(log["TIMESTAMP"].max()) + 60
    out = []
    for k in range(count):
        user, item = rng.choice(users), rng.choice(items)
        out.append(pd.DataFrame({"USER_ID": [user, user], "ITEM_ID": [item, item],
                                 "TIMESTAMP": [start + 30 * k, start + 30 * k + 5], "EVENT_TYPE": ["view", "click"]}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300, help="update calls per model")
    args = parser.parse_args()
    log, items = shop()
    batches = visits(log, args.updates)
    probe = log["USER_ID"].unique()[:100]
    models = [Popularity(), TrendingNow(), MostViewed(), SessionRecency(), ContentBased(), ThompsonSampling(),
              UserPersonalization()]
    rows = []
    for model in models:
        fit_start = time.perf_counter()
        model.fit(log, items=items)
        fit_s = time.perf_counter() - fit_start
        update_ms = []
        for batch in batches:
            t = time.perf_counter()
            model.update(batch)
            update_ms.append(1000 * (time.perf_counter() - t))
        rec_ms = []
        for _ in range(5):
            t = time.perf_counter()
            model.recommend(probe, n=10)
            rec_ms.append(1000 * (time.perf_counter() - t))
        rows.append({"model": model.name, "realtime": type(model).realtime, "fit_s": fit_s,
                     "update_ms": statistics.median(update_ms), "update_p99_ms": float(np.percentile(update_ms, 99)),
                     "recommend_100_ms": statistics.median(rec_ms)})
    table = pd.DataFrame(rows)
    baseline = table.loc[table["model"] == "Popularity", "update_ms"].iloc[0]
    table["update_ratio"] = table["update_ms"] / baseline
    print(f"{len(log):,} events, {log['USER_ID'].nunique():,} users, {len(items):,} items; "
          f"{args.updates} updates per model; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    slow = table[table["realtime"] & (table["update_ms"] > TARGET_MS)]
    if len(slow):
        print(f"MISSED: median update above {TARGET_MS} ms for {', '.join(slow['model'])}")
        return 1
    print(f"OK: every real-time model's median update is under {TARGET_MS} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
