"""Metrics of user segments: how many of the users who did interact a segment of K users reached.

A segment answers one query (an item id or an item-attribute query) with users sorted
best first (:mod:`workbench.recommenders.user_segmentation`). For one query let ``S_K``
be its first ``K`` users and ``T`` the query's *truth*: the users who interacted with a
matching item afterwards (held-out behaviour, never the segment's own e-mail).

* ``SegmentRecall@K = |S_K ∩ T| / |T|``: the share of the interested users the
  segment reaches. A query whose ``T`` is empty is not scored (nothing to reach).
* ``SegmentPrecision@K = |S_K ∩ T| / K``: the share of the segment who interact (how
  well an e-mail to K users would be spent). ``K`` is the denominator even when the
  segment has fewer than ``K`` users, so a short segment is not rewarded.

Both lie in ``[0, 1]``, higher is better, and are reported per query (a Series indexed by
QUERY). Personalize reports "hit at K" and "recall at K" for USER_SEGMENTATION solution
versions with K = the top 1 % of most relevant users (fact sheet §5.2, DG:working-with-training-metrics);
the guide gives no formulas, so the workbench uses the textbook recall above and does not
claim its precision is the service's "hit". :func:`segment_size` gives the 1 % K (rounded up,
at least one user: the workbench's rounding).
"""

from __future__ import annotations

import math

import pandas as pd

from ..constants import ITEM_ID, QUERY, RANK, USER_ID

__all__ = ["segment_precision_at_k", "segment_recall_at_k", "segment_size"]


def segment_size(n_users: int, share: float = 0.01) -> int:
    """K for "the top ``share`` of users": ``max(1, ceil(share * n_users))`` (1 % by default, Personalize's share;
    the rounding is the workbench's)."""
    if n_users < 0 or not 0 < share <= 1:
        raise ValueError(f"segment_size needs n_users >= 0 and 0 < share <= 1, got {n_users}, {share}")
    return max(1, math.ceil(share * n_users))


def _as_lists(segments: pd.DataFrame, truth: pd.DataFrame, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The segments as ranked lists per query (QUERY plays the user, USER_ID the item) for the ranking metrics."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    for name, frame in (("segments", segments), ("truth", truth)):
        missing = [c for c in (QUERY, USER_ID) if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} needs columns {QUERY} and {USER_ID}; missing {missing}")
    seg = segments.astype({QUERY: str, USER_ID: str})
    if RANK in seg.columns:
        seg = seg.sort_values([QUERY, RANK], kind="stable")
    seg = seg.drop_duplicates([QUERY, USER_ID])
    lists = pd.DataFrame({USER_ID: seg[QUERY].to_numpy(), ITEM_ID: seg[USER_ID].to_numpy(),
                          RANK: seg.groupby(QUERY, sort=False).cumcount().to_numpy() + 1})
    true = truth[[QUERY, USER_ID]].astype(str).drop_duplicates()
    return lists, pd.DataFrame({USER_ID: true[QUERY].to_numpy(), ITEM_ID: true[USER_ID].to_numpy()})


def _per_query(values: pd.Series, truth: pd.DataFrame, name: str) -> pd.Series:
    queries = pd.Index(pd.unique(truth[QUERY].astype(str)))
    out = values.reindex(queries).fillna(0.0).astype(float)  # a query with no segment reaches nobody
    out.index.name = QUERY
    out.name = name
    return out


def segment_recall_at_k(segments: pd.DataFrame, truth: pd.DataFrame, k: int) -> pd.Series:
    """SegmentRecall@k per query of ``truth``: found / |truth| (see the module docstring).

    ``segments``: ``QUERY, USER_ID`` (and ``RANK``; otherwise row order is the rank);
    ``truth``: ``QUERY, USER_ID`` of the users who interacted. A query with no segment
    scores 0; a query absent from ``truth`` is not scored. Computed by
    :func:`workbench.metrics.recall_at_k` with each query as the "user" and its segment as the list.
    """
    from .ranking import recall_at_k

    lists, true = _as_lists(segments, truth, k)
    return _per_query(recall_at_k(lists, true, k=k), truth, f"SegmentRecall@{k}")


def segment_precision_at_k(segments: pd.DataFrame, truth: pd.DataFrame, k: int) -> pd.Series:
    """SegmentPrecision@k per query of ``truth``: found / k (see the module docstring), by
    :func:`workbench.metrics.precision_at_k` with the ``k`` denominator."""
    from .ranking import precision_at_k

    lists, true = _as_lists(segments, truth, k)
    return _per_query(precision_at_k(lists, true, k=k), truth, f"SegmentPrecision@{k}")
