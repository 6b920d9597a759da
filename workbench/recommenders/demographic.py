"""Popular items within a group of similar customers (DH-08, DH-10).

The DATAHERE document recommends, to visitors about to leave the landing page,
"statistical" lists per customer group: popular items among people of the same
gender and age (:class:`DemographicPopularity`) or the same customer segment
such as heavy / VIP / normal users (:class:`SegmentPopularity`). Segments come
from a SEGMENT column of the Users frame, or from :func:`cluster_customers`,
which clusters customers on RFM features with k-means.

Scoring (both models): for group ``g`` with ``n_g`` customers and item ``i``
bought or viewed by ``c_gi`` of them,

    score(g, i) = (c_gi + k * share_i) / (n_g + k)

where ``share_i`` is the fraction of *all* customers who interacted with ``i``
and ``k = prior_strength``. A big group's list is its own popularity; a group
of two customers is pulled toward the shop-wide list instead of trusting two
people. Customers without a group (missing attribute, or not in the Users
frame) get ``share_i``, the shop-wide popularity.

Cold-start customers: a customer listed in the Users frame but without any
interaction still has a group, so they get their group's list (not flagged as
fallback) -- the point of demographic recommendation. Customers unknown to both
frames get the shop-wide list, flagged ``FALLBACK=True``. Neither model reacts
to tracked events (counts are recomputed by ``fit``).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..constants import EVENT_PURCHASE, EVENT_TYPE, ITEM_ID, SECONDS_PER_DAY, USER_ID
from ..errors import DatasetError
from .base import Recommender, RecommenderConfig, prepare_interactions
from .event_utils import event_types_of, timestamps_of

__all__ = [
    "DEMOGRAPHIC_COLUMNS",
    "DemographicPopularity",
    "DemographicPopularityConfig",
    "SEGMENT_LABELS",
    "SegmentPopularity",
    "SegmentPopularityConfig",
    "cluster_customers",
    "label_segments",
]

DEMOGRAPHIC_COLUMNS = ("AGE_BAND", "AGE_GROUP", "GENDER")
"""Users columns :class:`DemographicPopularity` uses when ``attributes`` is not set."""

SEGMENT_LABELS = ("VIP", "one-off", "heavy", "normal")
"""Names :func:`label_segments` gives clusters, in the order it assigns them."""

RECENCY_DAYS, FREQUENCY, MONETARY = "RECENCY_DAYS", "FREQUENCY", "MONETARY"
CLUSTER, SEGMENT = "CLUSTER", "SEGMENT"


# ----------------------------------------------------------- RFM clusters
def rfm_features(
    interactions: pd.DataFrame, items: pd.DataFrame | None = None, now: float | None = None
) -> pd.DataFrame:
    """Recency / frequency / monetary value per customer.

    * ``RECENCY_DAYS``: days from the customer's last event to ``now`` (default:
      the newest event in the data).
    * ``FREQUENCY``: number of events of any type.
    * ``MONETARY``: sum of PRICE over purchase events when the Items frame has a
      PRICE column; otherwise the number of purchase events; 0 for everyone when
      the log has no EVENT_TYPE (then only recency and frequency separate people).

    Returns:
        Frame ``USER_ID, RECENCY_DAYS, FREQUENCY, MONETARY``, one row per customer.
    """
    frame = prepare_interactions(interactions)
    times = timestamps_of(frame)
    frame = frame.assign(_t=times)
    now = float(times.max()) if now is None else float(now)
    grouped = frame.groupby(USER_ID, sort=True)
    out = pd.DataFrame({
        RECENCY_DAYS: (now - grouped["_t"].max()) / SECONDS_PER_DAY,
        FREQUENCY: grouped.size().astype(float),
    })
    out[MONETARY] = 0.0
    if EVENT_TYPE in frame.columns:
        bought = frame[event_types_of(frame).eq(EVENT_PURCHASE).to_numpy()]
        if items is not None and "PRICE" in items.columns and ITEM_ID in items.columns:
            catalog = items.assign(**{ITEM_ID: items[ITEM_ID].astype(str)}).drop_duplicates(ITEM_ID)
            price = pd.to_numeric(catalog.set_index(ITEM_ID)["PRICE"], errors="coerce")
            value = bought[ITEM_ID].map(price).fillna(0.0).to_numpy(dtype=float)
        else:
            value = np.ones(len(bought))
        out[MONETARY] = pd.Series(value, index=bought[USER_ID].to_numpy()).groupby(level=0).sum()
        out[MONETARY] = out[MONETARY].fillna(0.0)
    out.index.name = USER_ID
    return out.reset_index()


def label_segments(summary: pd.DataFrame) -> dict[int, str]:
    """Name clusters from their mean RFM values (``summary``: one row per cluster).

    Rule, applied in this order to the clusters not named yet:

    1. ``"VIP"``: the highest mean MONETARY, if it is above 0;
    2. ``"one-off"``: the lowest mean FREQUENCY (customers who came once or twice);
    3. ``"heavy"``: the highest mean FREQUENCY (many visits, less spending than VIP);
    4. ``"normal"``: every remaining cluster.

    With fewer than 4 clusters the rule stops early (2 clusters -> VIP and one-off).
    """
    names: dict[int, str] = {}
    remaining = list(summary.index)
    if remaining and summary.loc[remaining, MONETARY].max() > 0:
        vip = summary.loc[remaining, MONETARY].idxmax()
        names[vip] = "VIP"
        remaining.remove(vip)
    if remaining:
        one_off = summary.loc[remaining, FREQUENCY].idxmin()
        names[one_off] = "one-off"
        remaining.remove(one_off)
    if remaining:
        heavy = summary.loc[remaining, FREQUENCY].idxmax()
        names[heavy] = "heavy"
        remaining.remove(heavy)
    for rest in remaining:
        names[rest] = "normal"
    return {int(k): v for k, v in names.items()}


def cluster_customers(
    interactions: pd.DataFrame,
    n_clusters: int = 4,
    seed: int = 42,
    items: pd.DataFrame | None = None,
    now: float | None = None,
) -> pd.DataFrame:
    """Cluster customers on RFM features with k-means and name the clusters.

    Features are :func:`rfm_features`, each ``log1p``-transformed (spending and
    activity are heavy-tailed) and standardised; scikit-learn ``KMeans`` with
    ``random_state=seed`` groups them and :func:`label_segments` names the groups.
    ``n_clusters`` is lowered to the number of distinct customers' feature rows
    when there are fewer.

    Returns:
        Frame ``USER_ID, RECENCY_DAYS, FREQUENCY, MONETARY, CLUSTER, SEGMENT``.
    """
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    if n_clusters < 1:
        raise ValueError("n_clusters must be at least 1")
    rfm = rfm_features(interactions, items=items, now=now)
    features = np.log1p(rfm[[RECENCY_DAYS, FREQUENCY, MONETARY]].to_numpy(dtype=float))
    distinct = len(np.unique(features, axis=0))
    k = max(1, min(n_clusters, distinct))
    scaled = StandardScaler().fit_transform(features)
    with threadpool_limits(1):  # k-means on a few thousand rows: threads only add overhead on shared machines
        labels = KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(scaled)
    rfm[CLUSTER] = labels.astype(np.int64)
    names = label_segments(rfm.groupby(CLUSTER)[[RECENCY_DAYS, FREQUENCY, MONETARY]].mean())
    rfm[SEGMENT] = rfm[CLUSTER].map(names)
    return rfm


# ----------------------------------------------------------- group models
@dataclasses.dataclass
class _GroupConfig(RecommenderConfig):
    prior_strength: float = 5.0
    """``k`` in ``(c_gi + k * share_i) / (n_g + k)``: pseudo-customers who behave like the whole shop."""


class _GroupPopularity(Recommender):
    """Shared machinery: a group label per customer, smoothed popularity per group."""

    group_noun: ClassVar[str] = "group"

    def _groups(self, interactions: pd.DataFrame, users: pd.DataFrame | None) -> pd.Series:  # pragma: no cover
        """Group label (str) per raw user id; users without a group are absent or NaN."""
        raise NotImplementedError

    def _fit(self, interactions: pd.DataFrame, items, users: pd.DataFrame | None) -> None:
        groups = self._groups(interactions, users).dropna().astype(str)
        self.user_groups_ = groups
        self.group_names_ = np.asarray(sorted(groups.unique()), dtype=object)
        group_index = pd.Index(self.group_names_)
        user_group = group_index.get_indexer(groups.reindex(self.user_vocab.ids).to_numpy(dtype=object))
        self._user_group = user_group  # -1 = no group
        n_users = len(self.user_vocab)
        share = self._popularity / max(n_users, 1)
        self.shop_share_ = share
        ok = np.flatnonzero(user_group >= 0)
        onehot = sparse.csr_matrix((np.ones(len(ok)), (user_group[ok], ok)), shape=(len(group_index), n_users))
        counts = np.asarray((onehot @ self._seen.astype(float)).todense())
        sizes = np.asarray(onehot.sum(axis=1)).ravel()
        k = self.config.prior_strength
        self.group_counts_, self.group_sizes_ = counts, sizes
        self.group_scores_ = (counts + k * share) / (sizes[:, None] + k) if len(group_index) else np.zeros((0, len(share)))

    def _rows_for_groups(self, group_idx: np.ndarray) -> np.ndarray:
        out = np.tile(self.shop_share_, (len(group_idx), 1))
        has = group_idx >= 0
        out[has] = self.group_scores_[group_idx[has]]
        return out

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        return self._rows_for_groups(self._user_group[users])

    def _group_of_raw(self, raw_ids: np.ndarray) -> np.ndarray:
        labels = self.user_groups_.reindex([str(u) for u in raw_ids]).to_numpy(dtype=object)
        return pd.Index(self.group_names_).get_indexer(labels)

    def _fallback_scores(self, raw_user_ids: np.ndarray, session) -> np.ndarray:
        return self._rows_for_groups(self._group_of_raw(raw_user_ids))

    def _score_raw(self, raw_user_ids: np.ndarray, session) -> tuple[np.ndarray, np.ndarray]:
        scores, fallback = super()._score_raw(raw_user_ids, session)
        fallback &= self._group_of_raw(raw_user_ids) < 0  # a new customer with a known group is served, not a fallback
        return scores, fallback

    def group_of(self, user_id: object) -> str | None:
        """The group label of a customer, or ``None``."""
        label = self.user_groups_.get(str(user_id))
        return None if label is None else str(label)

    def explain(self, user_id: object, item_id: object) -> str:
        """Why the item is on this customer's list: its popularity in their group."""
        self._check_fitted()
        group = self.group_of(user_id)
        idx = self.item_vocab.to_inner([str(item_id)])[0]
        if group is None or idx < 0:
            return (f"We know no {self.group_noun} for you, so {self.name} shows the items most customers "
                    "of the shop interacted with.")
        g = int(np.flatnonzero(self.group_names_ == group)[0])
        return (f"Popular in your {self.group_noun} ({group}): {int(self.group_counts_[g, idx])} of "
                f"{int(self.group_sizes_[g])} customers in it interacted with this item.")


@dataclasses.dataclass
class DemographicPopularityConfig(_GroupConfig):
    """Settings of :class:`DemographicPopularity`."""

    attributes: tuple[str, ...] | None = None
    """Users columns that define a group; ``None`` = those of :data:`DEMOGRAPHIC_COLUMNS` present."""


class DemographicPopularity(_GroupPopularity):
    """Most popular items among customers with the same demographic attributes (e.g. age band and gender)."""

    Config = DemographicPopularityConfig
    config: DemographicPopularityConfig
    realtime = False
    group_noun = "demographic group"
    fallback_description = "most popular items of the whole shop"

    def _groups(self, interactions: pd.DataFrame, users: pd.DataFrame | None) -> pd.Series:
        frame = _checked_users(users, self.name)
        attributes = self.config.attributes or tuple(c for c in DEMOGRAPHIC_COLUMNS if c in frame.columns)
        missing = [a for a in attributes if a not in frame.columns]
        if not attributes or missing:
            raise DatasetError(
                "the Users frame has no demographic column to group customers by.",
                column=missing[0] if missing else DEMOGRAPHIC_COLUMNS[0],
                fix=f"add e.g. {', '.join(DEMOGRAPHIC_COLUMNS)} to the Users frame or set attributes=(...).",
            )
        self.attributes_ = tuple(attributes)
        values = frame[list(attributes)]
        incomplete = values.isna().any(axis=1).to_numpy()
        labels = [", ".join(f"{a}={v}" for a, v in zip(attributes, row)) for row in values.itertuples(index=False)]
        label = pd.Series(labels, index=frame[USER_ID].to_numpy(), dtype=object)
        label[incomplete] = None  # a customer with a missing attribute has no group (shop-wide list)
        return label


@dataclasses.dataclass
class SegmentPopularityConfig(_GroupConfig):
    """Settings of :class:`SegmentPopularity`."""

    segment_column: str = SEGMENT
    """Users column with the segment label; when absent, segments come from :func:`cluster_customers`."""

    n_clusters: int = 4
    """Number of k-means clusters when segments are computed."""


class SegmentPopularity(_GroupPopularity):
    """Most popular items in the customer's segment (heavy / VIP / normal / one-off, DH-10)."""

    Config = SegmentPopularityConfig
    config: SegmentPopularityConfig
    realtime = False
    group_noun = "segment"
    fallback_description = "most popular items of the whole shop"

    def _groups(self, interactions: pd.DataFrame, users: pd.DataFrame | None) -> pd.Series:
        if users is not None and self.config.segment_column in users.columns:
            frame = _checked_users(users, self.name)
            self.segments_source_ = "users"
            self.clusters_ = None
            return pd.Series(frame[self.config.segment_column].to_numpy(dtype=object), index=frame[USER_ID].to_numpy())
        self.segments_source_ = "clusters"
        self.clusters_ = cluster_customers(interactions, self.config.n_clusters, self.config.seed, items=self.items_)
        return pd.Series(self.clusters_[SEGMENT].to_numpy(dtype=object), index=self.clusters_[USER_ID].to_numpy())


def _checked_users(users: pd.DataFrame | None, model: str) -> pd.DataFrame:
    if users is None or USER_ID not in users.columns:
        raise DatasetError(
            f"{model} needs a Users frame with USER_ID and customer attributes.",
            column=USER_ID,
            fix="pass users=<frame with USER_ID, AGE_BAND, GENDER, SEGMENT ...> to fit.",
        )
    frame = users.copy()
    frame[USER_ID] = frame[USER_ID].astype(str)
    dup = np.flatnonzero(frame[USER_ID].duplicated().to_numpy())
    if len(dup):
        raise DatasetError(
            f"customer {frame[USER_ID].iloc[dup[0]]!r} appears more than once in the Users frame.",
            row=int(dup[0]) + 1,
            column=USER_ID,
            fix="keep one row per customer.",
        )
    return frame
