"""One call for all ranking metrics: :func:`evaluate` -> :class:`Evaluation`.

``evaluate`` joins the recommendations with the truth once (see
:mod:`workbench.metrics.grid`) and computes every requested metric at every
requested cutoff from that join. :func:`personalize_report` returns the same
numbers under the names Amazon Personalize uses in ``GetSolutionMetrics``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..constants import USER_ID
from .conventions import Convention, get_convention
from .grid import _check_k, build_grid
from .ranking import RANKING_METRICS, metric_label

DEFAULT_METRICS = tuple(RANKING_METRICS)
"""All ranking metrics, in table order: precision, recall, f1, hit_rate, mrr, map, ndcg."""

_ALIASES = {
    "precision": "precision", "p": "precision",
    "recall": "recall", "r": "recall",
    "f1": "f1", "f": "f1",
    "hit_rate": "hit_rate", "hitrate": "hit_rate", "hit": "hit_rate", "hr": "hit_rate",
    "mrr": "mrr", "reciprocal_rank": "mrr", "rr": "mrr",
    "map": "map", "average_precision": "map", "ap": "map",
    "ndcg": "ndcg",
}


@dataclasses.dataclass
class Evaluation:
    """Result of :func:`evaluate`: one row per user, plus the means."""

    per_user: pd.DataFrame
    """USER_ID plus one column per metric and cutoff (``"Precision@10"``, ``"NDCG@10"``, ...)."""

    summary: pd.Series
    """Mean of every metric column over the evaluated users (NaN values skipped)."""

    k: tuple[int, ...]
    """Cutoffs evaluated."""

    convention: Convention
    """Definitions used (see :mod:`workbench.metrics.conventions`)."""

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value:.4f}" for name, value in self.summary.items())
        return f"Evaluation({len(self.per_user)} users, convention={self.convention.name!r}: {values})"

    @property
    def n_users(self) -> int:
        """Number of users averaged."""
        return len(self.per_user)

    def to_frame(self, name: str = "value") -> pd.DataFrame:
        """The summary as a one-column frame (metrics as rows), handy for printing."""
        return self.summary.to_frame(name)


def _metric_keys(metrics: Iterable[str] | str | None) -> list[str]:
    if metrics is None:
        return list(DEFAULT_METRICS)
    if isinstance(metrics, str):
        metrics = [metrics]
    keys = []
    for name in metrics:
        key = _ALIASES.get(str(name).split("@")[0].strip().lower().replace("-", "_").replace(" ", "_"))
        if key is None:
            raise ValueError(f"unknown ranking metric {name!r}; use some of {list(DEFAULT_METRICS)}")
        if key not in keys:
            keys.append(key)
    return keys


def _cutoffs(k: int | Sequence[int]) -> tuple[int, ...]:
    values = (k,) if isinstance(k, (int, np.integer)) else tuple(k)
    if not values:
        raise ValueError("k must be a positive integer or a non-empty list of them")
    return tuple(sorted({_check_k(v) for v in values}))


def evaluate(
    recommendations: pd.DataFrame,
    truth: pd.DataFrame,
    k: int | Sequence[int] = 10,
    metrics: Iterable[str] | str | None = None,
    convention: str | Convention = "personalize",
    *,
    gain: str | None = None,
) -> Evaluation:
    """Score top-k recommendation lists against held-out interactions.

    Args:
        recommendations: USER_ID, ITEM_ID, RANK (1 = top; SCORE optional) -- the frame
            ``Recommender.recommend`` returns. Rows ranked below ``k`` are ignored.
        truth: USER_ID, ITEM_ID of the interactions each user really had afterwards
            (e.g. ``Split.test``). Relevance is a set per user: repeated events on
            one item count once.
        k: cutoff, or several cutoffs (``k=[5, 10, 25]``) computed from one join.
        metrics: metric names among ``precision, recall, f1, hit_rate, mrr, map,
            ndcg`` (labels such as ``"NDCG@10"`` work too); ``None`` = all.
        convention: ``"personalize"`` (default), ``"recommenders"``, ``"lenskit"`` or
            a :class:`Convention`; decides denominators, the NDCG discount and which
            users are averaged (see ``docs/metric_crosswalk.md``).
        gain: truth column with graded relevance for NDCG (e.g. ``"EVENT_VALUE"``);
            ``None`` = binary relevance. Only NDCG uses it.

    Returns:
        An :class:`Evaluation` with ``.per_user`` (USER_ID + one column per metric,
        e.g. ``"Precision@10"``) and ``.summary`` (the means).

    Edge cases: users listed in the recommendations but absent from the truth are
    dropped under ``"personalize"`` and ``"recommenders"`` (they have nothing to
    find) and NaN under ``"lenskit"``; users in the truth without any list score
    as an empty list (0), except under ``"recommenders"`` which drops them. With no
    user left, ``per_user`` is empty and the summary is NaN.
    """
    chosen = get_convention(convention)
    keys = _metric_keys(metrics)
    cutoffs = _cutoffs(k)
    grid = build_grid(recommendations, truth, max(cutoffs), chosen, gain=gain)
    labels, values = [], []
    no_truth = ~grid.has_truth
    for cutoff in cutoffs:
        for key in keys:
            column = RANKING_METRICS[key][1](grid, cutoff, chosen).astype(float)
            if no_truth.any():
                column[no_truth] = 0.0 if chosen.missing_truth == "zero" else np.nan
            labels.append(metric_label(key, cutoff))
            values.append(column)
    matrix = np.column_stack(values) if len(grid.users) else np.empty((0, len(labels)))
    per_user = pd.DataFrame(matrix, columns=labels)
    per_user.insert(0, USER_ID, grid.users)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column -> NaN mean, as documented
        means = np.nanmean(matrix, axis=0) if len(matrix) else np.full(len(labels), np.nan)
    summary = pd.Series(means, index=labels, name="mean")
    return Evaluation(per_user=per_user, summary=summary, k=cutoffs, convention=chosen)


PERSONALIZE_METRIC_NAMES = {
    "mean_reciprocal_rank_at_25": ("mrr", 25),
    "normalized_discounted_cumulative_gain_at_5": ("ndcg", 5),
    "normalized_discounted_cumulative_gain_at_10": ("ndcg", 10),
    "normalized_discounted_cumulative_gain_at_25": ("ndcg", 25),
    "precision_at_5": ("precision", 5),
    "precision_at_10": ("precision", 10),
    "precision_at_25": ("precision", 25),
}
"""Personalize's metric names (``GetSolutionMetrics``) -> (workbench metric, k)."""


def personalize_report(
    recommendations: pd.DataFrame,
    truth: pd.DataFrame,
    catalog_item_ids: Iterable[object] | None = None,
) -> dict[str, float]:
    """The offline metrics Personalize reports, under its own names.

    Lists should hold at least 25 items per user (Personalize evaluates the top 25).
    ``coverage`` is included when ``catalog_item_ids`` (the unique items of the
    interactions and items datasets) is given; see :func:`catalog_coverage`.
    Personalize computes these on its own holdout (10 % of users, newest 10 % of
    their interactions -- :func:`workbench.split.personalize_holdout`).
    """
    from .beyond import catalog_coverage

    result = evaluate(recommendations, truth, k=[5, 10, 25], metrics=["precision", "mrr", "ndcg"])
    report: dict[str, float] = {}
    if catalog_item_ids is not None:
        report["coverage"] = catalog_coverage(recommendations, catalog_item_ids)
    for name, (key, cutoff) in PERSONALIZE_METRIC_NAMES.items():
        report[name] = float(result.summary[metric_label(key, cutoff)])
    return report
