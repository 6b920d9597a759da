"""``metric_choice``: which offline metric orders carousel lists the way a visitor sees them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...constants import ITEM_ID, RANK, USER_ID
from .registry import EvidenceRecipe, RecipeResult, allowed_keys, register

METRIC_CHOICES = ("NDCG@10", "Precision@10", "Precision@25", "MRR@25", "coverage")
"""Offline metrics the ``metric_choice`` recipe can score."""

CAROUSEL = 10
"""Length of the carousel whose visitors judge the list pairs."""

_PAIRS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("hit on top vs hit at the carousel's last slot", (1,), (10,)),
    ("three hits on top vs one hit on top", (1, 2, 3), (1,)),
    ("hit inside the carousel vs hit just below it", (10,), (15,)),
    ("one visible hit vs three hits below the carousel", (5,), (11, 12, 13)),
)
"""Pairs of lists (name, ranks of relevant items in the better list, in the worse list).

The "better" list is better *for a visitor who sees the first 10 slots*: more
relevant items in view, and relevant items nearer the top, are better; items
below slot 10 are never seen."""


def carousel_pairs(list_length: int = 25, n_catalog: int = 60) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Recommendations and truth for the list pairs in :data:`_PAIRS`.

    Every list holds ``list_length`` distinct items drawn from the same catalog of
    ``n_catalog`` items, so catalog-level metrics see lists of equal breadth.
    Returns ``(better_recs, worse_recs, truth)``: each pair is one user
    (``pair0``, ``pair1`` ...) whose relevant items sit at the listed ranks.
    """
    better_rows, worse_rows, truth_rows = [], [], []
    for p, (_, good_ranks, bad_ranks) in enumerate(_PAIRS):
        user = f"pair{p}"
        relevant = [f"rel{p}_{j}" for j in range(max(len(good_ranks), len(bad_ranks)))]
        fillers = [f"item{i:03d}" for i in range(n_catalog)]
        for ranks, rows in ((good_ranks, better_rows), (bad_ranks, worse_rows)):
            slots: list[str | None] = [None] * list_length
            for j, rank in enumerate(ranks):
                slots[rank - 1] = relevant[j]
            fill = iter(fillers)
            for rank in range(1, list_length + 1):
                item = slots[rank - 1] or next(fill)
                rows.append((user, item, rank))
        truth_rows.extend((user, item) for item in relevant)
    cols = [USER_ID, ITEM_ID, RANK]
    return (
        pd.DataFrame(better_rows, columns=cols),
        pd.DataFrame(worse_rows, columns=cols),
        pd.DataFrame(truth_rows, columns=[USER_ID, ITEM_ID]),
    )


def _score_lists(metric: str, recs: pd.DataFrame, truth: pd.DataFrame, catalog: list[str]) -> pd.Series:
    """Per-user value of ``metric`` (one user = one list)."""
    from ... import metrics as m

    name, _, k = metric.partition("@")
    functions = {"NDCG": m.ndcg_at_k, "Precision": m.precision_at_k, "MRR": m.mrr_at_k}
    if name in functions:
        values = functions[name](recs, truth, k=int(k))
        return pd.Series(values).reindex(sorted(recs[USER_ID].unique())).astype(float)
    if metric == "coverage":
        return pd.Series(
            {user: float(m.catalog_coverage(group, catalog)) for user, group in recs.groupby(USER_ID)}
        ).sort_index()
    raise ValueError(f"unknown metric {metric!r}")


def run_metric_choice(plan: Any) -> RecipeResult:
    """Count, per candidate metric, the list pairs it orders like a carousel visitor would."""
    better, worse, truth = carousel_pairs()
    catalog = sorted(set(better[ITEM_ID]) | set(worse[ITEM_ID]))
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        metric = play.config["metric"]
        good = _score_lists(metric, better, truth, catalog)
        bad = _score_lists(metric, worse, truth, catalog)
        for p, (pair_name, _, _) in enumerate(_PAIRS):
            user = f"pair{p}"
            g, b = float(good.get(user, np.nan)), float(bad.get(user, np.nan))
            rows.append(
                {"option": letter, "metric": metric, "pair": pair_name, "better_list": g, "worse_list": b, "ordered_correctly": g > b + 1e-12}
            )
        values[letter] = float(sum(r["ordered_correctly"] for r in rows if r["option"] == letter))
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


check_metric_config = allowed_keys({"metric": str}, required=("metric",), choices={"metric": METRIC_CHOICES})
"""A metric-choice option names one metric of :data:`METRIC_CHOICES` (shared with ``carousel_agreement``)."""


register(
    EvidenceRecipe(
        name="metric_choice",
        run=run_metric_choice,
        description="counts the carousel list pairs an offline metric orders the way a visitor sees them",
        metrics=("pairs_ordered_correctly",),
        check_config=check_metric_config,
    )
)
