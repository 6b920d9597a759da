"""Ranking metrics@k: precision, recall, F1, hit rate, MRR, MAP and NDCG.

Notation for one user: ``L`` is the recommended list cut at ``k`` (``|L| <= k``),
``rel`` the set of the user's relevant items (their held-out interactions),
``hit(p)`` is 1 when the item at position ``p`` (1 = top) is in ``rel``, and
``hits = sum_p hit(p)``. Every metric lies in ``[0, 1]``, higher is better, and
is averaged over users to give the reported number. The denominators marked
*convention* below follow :class:`workbench.metrics.Convention`
(default ``"personalize"``).

The ``*_at_k`` functions take frames and return one value per user (a Series
indexed by USER_ID, named like ``"NDCG@10"``). They all go through
:func:`workbench.metrics.evaluate`, which computes several metrics from one join
and is the faster call when more than one metric is needed. The ``grid_*``
functions do the arithmetic on a :class:`workbench.metrics.grid.RankingGrid`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .conventions import Convention
from .grid import RankingGrid

# ----------------------------------------------------------------- arithmetic


def _hits(grid: RankingGrid, k: int) -> np.ndarray:
    return grid.hits[:, :k].sum(axis=1).astype(float)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` with NaN where the denominator is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1e-300), np.nan)


def discount_weights(k: int, convention: Convention) -> np.ndarray:
    """NDCG weight of positions ``1..k`` under ``convention.discount``.

    ``log_rank_plus_one``: ``1 / log2(1 + p)`` -- Personalize writes ``1/log(1 + p)``;
    the base cancels because DCG and ideal DCG use the same weights.
    ``log2_clipped``: ``1 / log2(max(p, 2))`` (LensKit): positions 1 and 2 both weigh 1.
    """
    positions = np.arange(1, k + 1, dtype=float)
    if convention.discount == "log2_clipped":
        return 1.0 / np.log2(np.maximum(positions, 2.0))
    return 1.0 / np.log2(1.0 + positions)


def grid_precision(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """Precision@k = hits / k (``"k"``) or hits / |L| (``"list_length"``, NaN for an empty list)."""
    if convention.precision_denominator == "list_length":
        return _divide(_hits(grid, k), grid.present[:, :k].sum(axis=1).astype(float))
    return _hits(grid, k) / k


def grid_recall(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """Recall@k = hits / |rel| (``"n_relevant"``) or hits / min(k, |rel|) (``"min_k_relevant"``)."""
    denominator = grid.n_relevant.astype(float)
    if convention.recall_denominator == "min_k_relevant":
        denominator = np.minimum(denominator, k)
    return _divide(_hits(grid, k), denominator)


def grid_f1(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """F1@k = 2 P R / (P + R) of the user's own precision and recall; 0 when both are 0."""
    p, r = grid_precision(grid, k, convention), grid_recall(grid, k, convention)
    total = p + r
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 2 * p * r / np.where(total > 0, total, 1.0), np.where(np.isnan(total), np.nan, 0.0))


def grid_hit_rate(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """HitRate@k = 1 if at least one of the top k items is relevant, else 0."""
    return grid.hits[:, :k].any(axis=1).astype(float)


def grid_mrr(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """Reciprocal rank@k = 1 / (position of the first hit within the top k), 0 without a hit."""
    window = grid.hits[:, :k]
    first = window.argmax(axis=1)
    return np.where(window.any(axis=1), 1.0 / (first + 1.0), 0.0)


def grid_map(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """Average precision@k = sum over hit positions p of precision@p, divided by the convention's denominator."""
    window = grid.hits[:, :k]
    precision_at_p = np.cumsum(window, axis=1) / np.arange(1, k + 1)
    numerator = (precision_at_p * window).sum(axis=1)
    relevant = grid.n_relevant.astype(float)
    mode = convention.map_denominator
    if mode == "n_relevant":
        denominator = relevant
    elif mode == "min_k_relevant":
        denominator = np.minimum(relevant, k)
    elif mode == "min_list_relevant":
        denominator = np.minimum(relevant, grid.present[:, :k].sum(axis=1))
    else:  # "hits"
        denominator = window.sum(axis=1).astype(float)
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1.0), 0.0)
    return _divide(numerator, denominator)


def grid_ndcg(grid: RankingGrid, k: int, convention: Convention) -> np.ndarray:
    """NDCG@k = DCG@k / ideal DCG@k with DCG = sum_p gain(p) * w(p); NaN when the ideal DCG is 0."""
    weights = discount_weights(k, convention)
    dcg = grid.gains[:, :k] @ weights
    ideal = grid.ideal_gains[:, :k] @ weights
    return _divide(dcg, ideal)


MetricFunction = Callable[[RankingGrid, int, Convention], np.ndarray]

RANKING_METRICS: dict[str, tuple[str, MetricFunction]] = {
    "precision": ("Precision", grid_precision),
    "recall": ("Recall", grid_recall),
    "f1": ("F1", grid_f1),
    "hit_rate": ("HitRate", grid_hit_rate),
    "mrr": ("MRR", grid_mrr),
    "map": ("MAP", grid_map),
    "ndcg": ("NDCG", grid_ndcg),
}
"""Metric key -> (label prefix, grid function). Labels read like ``"NDCG@10"``."""


def metric_label(key: str, k: int) -> str:
    """Column label of a metric, e.g. ``metric_label("ndcg", 10) == "NDCG@10"``."""
    return f"{RANKING_METRICS[key][0]}@{k}"


# ------------------------------------------------------------ frame functions


def _one(key: str, recommendations: pd.DataFrame, truth: pd.DataFrame, k: int, convention, **kwargs) -> pd.Series:
    from .evaluate import evaluate

    result = evaluate(recommendations, truth, k=k, metrics=[key], convention=convention, **kwargs)
    label = metric_label(key, k)
    return result.per_user.set_index(result.per_user.columns[0])[label].rename(label)


def precision_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """Precision@k per user: the share of the top-k slots that hold a relevant item.

    Formula: ``hits / k`` (Personalize, Recommenders) or ``hits / |L|`` (LensKit).

    Edge cases: a list shorter than ``k`` cannot reach 1 under ``"k"``; an empty
    list scores 0 (``"k"``) or NaN (``"list_length"``); users with fewer than ``k``
    relevant items cannot reach 1 either (that is what recall is for).
    Fact sheet example: hits at positions 2 and 5, k = 5 -> 2/5 = 0.4.
    """
    return _one("precision", recommendations, truth, k, convention)


def recall_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """Recall@k per user: the share of the user's relevant items found in the top k.

    Formula: ``hits / |rel|`` (Personalize default here, Recommenders) or
    ``hits / min(k, |rel|)`` (LensKit).

    Edge cases: with ``|rel| > k`` and the ``|rel|`` denominator even a perfect list
    scores ``k / |rel| < 1``; users without relevant items follow
    ``convention.missing_truth`` (dropped, 0 or NaN).
    """
    return _one("recall", recommendations, truth, k, convention)


def f1_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """F1@k per user: the harmonic mean ``2 P R / (P + R)`` of that user's precision@k and recall@k.

    Edge cases: 0 when the user has no hit (P = R = 0); NaN when P or R is NaN.
    The mean of per-user F1 is not the F1 of mean precision and mean recall.
    """
    return _one("f1", recommendations, truth, k, convention)


def hit_rate_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """HitRate@k per user: 1 if any of the top k items is relevant, else 0.

    Edge cases: an empty list scores 0. With one held-out item per user
    (leave-one-out) hit rate equals recall.
    """
    return _one("hit_rate", recommendations, truth, k, convention)


def mrr_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """Reciprocal rank@k per user: ``1 / p`` for the first relevant position ``p <= k``, else 0.

    Only the highest-ranked hit counts; later hits change nothing. Personalize
    reports the mean at k = 25 (``mean_reciprocal_rank_at_25``); this function
    defaults to k = 10 like the others, so pass ``k=25`` to compare.
    Fact sheet example: first hits at ranks 4, 2 and 6 -> (1/4 + 1/2 + 1/6) / 3 = 0.3056.
    """
    return _one("mrr", recommendations, truth, k, convention)


def map_at_k(
    recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10, convention: str | Convention = "personalize"
) -> pd.Series:
    """Average precision@k per user (MAP@k is its mean).

    Formula: ``sum over hit positions p <= k of (hits in the top p) / p``, divided by
    ``min(k, |rel|)`` (Personalize default here, Recommenders' ``map_at_k``),
    ``|rel|`` (Recommenders' ``map``), ``min(|L|, |rel|)`` (LensKit) or the
    number of hits (``"hits"``).

    Edge cases: 0 without a hit; NaN for an empty list under ``min_list_relevant``.
    Example: hits at 2 and 5 with |rel| = 2 -> (1/2 + 2/5) / 2 = 0.45.
    """
    return _one("map", recommendations, truth, k, convention)


def ndcg_at_k(
    recommendations: pd.DataFrame,
    truth: pd.DataFrame,
    k: int = 10,
    convention: str | Convention = "personalize",
    gain: str | None = None,
) -> pd.Series:
    """Normalised discounted cumulative gain@k per user.

    Formula: ``DCG@k = sum_{p <= k} gain(p) / log(1 + p)`` (Personalize; LensKit uses
    ``1 / log2(max(p, 2))``), divided by the DCG of the ideal list (the user's
    relevant items sorted by gain, best first, cut at k). ``gain(p)`` is 1 for a
    relevant item and 0 otherwise; pass ``gain="EVENT_VALUE"`` to use graded
    relevance from that truth column.

    Edge cases: 1 for a perfect list, 0 without a hit; NaN when the ideal DCG is 0
    (a user without relevant items, or all gains 0 with graded relevance).
    Fact sheet example: hits at 2 and 5, two relevant items, k = 5 ->
    ``(1/log 3 + 1/log 6) / (1/log 2 + 1/log 3) = 0.6241``.
    """
    return _one("ndcg", recommendations, truth, k, convention, gain=gain)
