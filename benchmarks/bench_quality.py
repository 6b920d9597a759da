"""Ranking quality of every top-N model on a MovieLens-format folder, with Microsoft Recommenders' protocol.

Protocol (the one Microsoft Recommenders' MovieLens notebooks use, so the numbers can be
compared with their published tables):

* **split** -- :func:`recommenders_stratified_split`: per user, a seeded random 75% of
  the ratings train and the rest test. Like ``python_stratified_split(ratio=0.75,
  seed=42)``: one legacy ``numpy.random.seed(42)`` draw per rating in file order, the
  ratings of each user ordered by that draw, and a rating trains when its position
  ``p`` (1-based) among the user's ``c`` ratings has ``p / c <= 0.75``;
* **lists** -- top 10 per test user, items seen in training removed
  (``recommend(..., exclude_seen=True)``); every rating counts as an interaction,
  whatever its value;
* **metrics** -- NDCG, Precision, Recall and MAP at 10 with the workbench's
  ``"recommenders"`` convention (``workbench.metrics.evaluate``): binary relevance,
  discount ``1 / log(1 + rank)``, precision over 10, recall over the user's test items,
  MAP over ``min(10, |test items|)``, averaged over the test users (every test user
  receives a list here, so this is also Microsoft's ``ndcg_at_k`` population).

The folder holds ml-100k's ``u.data`` or ml-1m's ``ratings.dat`` (read by
``workbench.data.load_movielens``). Without ``--movielens`` the script writes a
*synthetic* MovieLens-like folder (seeded taste clusters, clearly labelled as such in the
output) so ``make bench`` runs offline; its numbers say nothing about MovieLens.

Every model is built with its defaults; ``UserPersonalization[svd]`` is the flagship with
its former SVD base, ``TwoStage[cooccurrence]`` the two-stage model with the co-occurrence
candidate generator instead of its default ALS one. ``fit s`` is the wall-clock training time,
``recommend s`` the time to produce the lists of all test users. When the ``implicit``
package is installed, the ALS speed line compares ``ImplicitALS.fit`` with implicit's
own ALS on the same confidence matrix, timed in the same run (median of ``--repeats``).

Run: ``.venv/bin/python benchmarks/bench_quality.py [--movielens DIR] [--only EASE,SAR] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.constants import ITEM_ID, USER_ID  # noqa: E402
from workbench.data import load_movielens  # noqa: E402
from workbench.data.long_tail_ratings import long_tail_ratings, write_movielens_folder  # noqa: E402
from workbench.metrics import evaluate  # noqa: E402
from workbench.recommenders import (  # noqa: E402
    EASE,
    SAR,
    ImplicitALS,
    ItemNeighborhood,
    Popularity,
    TwoStage,
    UserNeighborhood,
    UserPersonalization,
)

K = 10
METRICS = ("NDCG", "Precision", "Recall", "MAP")
MODELS = {
    "Popularity": Popularity,
    "SAR": SAR,
    "ItemNeighborhood": ItemNeighborhood,
    "UserNeighborhood": UserNeighborhood,
    "EASE": EASE,
    "ImplicitALS": ImplicitALS,
    "UserPersonalization": UserPersonalization,
    "UserPersonalization[svd]": lambda: UserPersonalization(base="svd"),
    "TwoStage": TwoStage,
    "TwoStage[cooccurrence]": lambda: TwoStage(base="cooccurrence"),
}
"""The top-N models, each built with its defaults (``[svd]``, ``[cooccurrence]``: with that base instead of the default one)."""


def recommenders_stratified_split(interactions: pd.DataFrame, ratio: float = 0.75,
                                  seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user random split with Microsoft Recommenders' rule (see the module docstring).

    Returns ``(train, test)``; rows keep their columns, the original index is dropped.
    """
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"ratio must be between 0 and 1, got {ratio}")
    draw = np.random.RandomState(seed).rand(len(interactions))  # legacy generator, one draw per row in file order
    users = pd.to_numeric(interactions[USER_ID], errors="coerce")
    key = users.to_numpy() if users.notna().all() else interactions[USER_ID].astype(str).to_numpy()
    order = np.lexsort((draw, key))
    ordered = interactions.iloc[order].reset_index(drop=True)
    codes = pd.factorize(key[order])[0]
    position = pd.Series(codes).groupby(codes).cumcount().to_numpy() + 1
    count = np.bincount(codes)[codes]
    train = position / count <= ratio
    return ordered[train].reset_index(drop=True), ordered[~train].reset_index(drop=True)


def write_synthetic_movielens(folder: Path, n_users: int = 300, n_items: int = 400, mean_ratings: int = 40,
                              seed: int = 42) -> Path:
    """A seeded ml-100k-format folder with taste clusters and a long tail
    (:func:`workbench.data.long_tail_ratings.long_tail_ratings`), for offline runs and the test suite."""
    ratings = long_tail_ratings(n_users=n_users, n_items=n_items, mean_ratings=mean_ratings, seed=seed)
    return write_movielens_folder(ratings, folder)


def score_lists(recs: pd.DataFrame, test: pd.DataFrame) -> dict[str, float]:
    """NDCG, Precision, Recall and MAP at ``K`` of top-``K`` lists (USER_ID, ITEM_ID, RANK), convention 'recommenders'."""
    summary = evaluate(recs, test, k=K, metrics=["ndcg", "precision", "recall", "map"],
                       convention="recommenders").summary
    return {f"{metric}@{K}": float(summary[f"{metric}@{K}"]) for metric in METRICS}


def evaluate_model(name: str, train: pd.DataFrame, test: pd.DataFrame, model=None) -> dict[str, object]:
    """Fit one model (``MODELS[name]`` with its defaults unless ``model`` is given), time fit and
    recommend, and score the lists."""
    model = MODELS[name]() if model is None else model
    start = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - start
    users = test[USER_ID].unique()
    start = time.perf_counter()
    recs = model.recommend(users, n=K, exclude_seen=True)
    recommend_s = time.perf_counter() - start
    row: dict[str, object] = {"model": name, **score_lists(recs, test)}
    row["fit s"] = fit_s
    row["recommend s"] = recommend_s
    return row


def als_speed(train: pd.DataFrame, repeats: int) -> str:
    """ImplicitALS.fit against the implicit package's ALS on the same confidences (same run, medians)."""
    try:
        from implicit.cpu.als import AlternatingLeastSquares
    except ImportError:
        return "ALS speed: the implicit package is not installed, no baseline to compare with."
    from threadpoolctl import threadpool_limits

    config = ImplicitALS.Config()
    ours, theirs = [], []
    for _ in range(repeats):
        model = ImplicitALS()
        start = time.perf_counter()
        model.fit(train)
        ours.append(time.perf_counter() - start)
        confidence = model.user_items_.astype(np.float32)
        confidence.data = 1.0 + config.alpha * confidence.data
        with threadpool_limits(1):
            baseline = AlternatingLeastSquares(factors=config.factors, regularization=model.reg_,
                                               iterations=config.epochs, random_state=config.seed)
            start = time.perf_counter()
            baseline.fit(confidence, show_progress=False)
            theirs.append(time.perf_counter() - start)
    a, b = statistics.median(ours), statistics.median(theirs)
    return (f"ALS speed: ImplicitALS.fit {a:.2f} s (solver {model.solver_}, with building its matrix) vs implicit's "
            f"ALS {b:.2f} s on the same matrix: {a / b:.2f}x (target <= 1.5x)")


def format_table(rows: list[dict[str, object]]) -> str:
    """The result rows as an aligned text table (failed models show their error)."""
    table = pd.DataFrame(rows).set_index("model")
    return table.to_string(float_format=lambda v: f"{v:.4f}", na_rep="-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movielens", type=Path, default=None,
                        help="folder of an extracted ml-100k (u.data) or ml-1m (ratings.dat) archive; "
                             "without it a synthetic MovieLens-like folder is generated")
    parser.add_argument("--only", default="", help="comma-separated model names (default: all)")
    parser.add_argument("--repeats", type=int, default=1, help="timed repeats of the ALS speed comparison")
    parser.add_argument("--no-speed", action="store_true", help="skip the ALS speed comparison")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(MODELS)
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {sorted(MODELS)}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.movielens is None:
            folder = write_synthetic_movielens(Path(tmp) / "synthetic-ml")
            label = "SYNTHETIC MovieLens-like data (generated, seeded; not MovieLens)"
        else:
            folder = args.movielens
            label = f"MovieLens folder {folder}"
        interactions = load_movielens(folder).interactions
    train, test = recommenders_stratified_split(interactions)
    print(f"{label}: {len(interactions):,} ratings, {interactions[USER_ID].nunique():,} users, "
          f"{interactions[ITEM_ID].nunique():,} items; train {len(train):,} / test {len(test):,} "
          f"(stratified 75/25 per user, seed 42, seen items removed, k={K}, convention 'recommenders')")
    print(f"load average at start: {os.getloadavg()[0]:.1f} (timings are wall-clock, shared machine)\n")
    rows = []
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows.append(evaluate_model(name, train, test))
        except Exception as exc:  # report and go on with the other models
            traceback.print_exc(limit=1)
            rows.append({"model": name, "error": f"{type(exc).__name__}: {exc}"})
    print(format_table(rows))
    if not args.no_speed and "ImplicitALS" in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            print("\n" + als_speed(train, max(1, args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
