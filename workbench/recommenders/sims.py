"""SIMS: item-to-item collaborative filtering on co-occurrence, like Personalize's aws-sims.

Amazon Personalize's SIMS recipe (fact sheet §2.1) recommends items that
co-occur with a given item in users' histories. It uses interactions only (no
item or user metadata), has the hyperparameters ``popularity_discount_factor``
(default 0.5) and ``min_cointeraction_count`` (default 3), answers an unknown
item -- or one with too little data -- with popular items, and learns new
events only when it is retrained (no real-time updates, no exploration).

How the workbench computes it (AWS does not publish its exact formula, so this
is *a* faithful-in-spirit version, written out so learners can check it by hand):

1. Each user's history is the set of distinct items they interacted with
   (event types and repeats don't matter). Optionally users whose history length
   falls outside the ``[min, max]_user_history_length_percentile`` range are left
   out (e.g. bots with huge histories).
2. ``n_i`` = number of users who interacted with item *i*; ``c_ij`` = number of
   users who interacted with both *i* and *j* (the co-interaction count).
3. Pairs with ``c_ij < min_cointeraction_count`` are dropped (too little evidence).
4. The similarity discounts popular items with the exponent
   α = ``popularity_discount_factor``:

   .. math:: s_{ij} = \\frac{c_{ij}}{(n_i \\, n_j)^{\\alpha}}

   α = 0 ranks neighbours by raw co-occurrence (popular items win), α = 0.5 is
   the cosine similarity of the two items' user sets (at most 1), α = 1 is a
   lift-like score that favours rare items. s is symmetric and 0 for dropped pairs.

Lists for one item (:meth:`SIMS.similar_items`) rank its neighbours by s; when an
item has fewer than ``n`` neighbours the list is padded with the most popular
items, which get a negative score ``n_j / (max n + 1) - 1`` (in [-1, 0), so
padding always ranks below real neighbours) and ``FALLBACK=True``. Items nobody
interacted with are never padded in.

Lists for one user (:meth:`SIMS.recommend`) add up, for every candidate item, its
similarity to the user's ``recent_items`` most recent training items (plus the
items of ``session`` if one is passed), and pad the same way. Unknown users get
popular items, or items similar to their ``session`` when one is given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import sparse

from ..constants import FALLBACK, ITEM_ID, SCORE, TIMESTAMP, USER_ID
from .base import Recommender, RecommenderConfig, SessionLike

__all__ = ["SIMS", "SIMSConfig"]


@dataclasses.dataclass
class SIMSConfig(RecommenderConfig):
    """Settings of :class:`SIMS` (hyperparameter names as in Personalize's aws-sims)."""

    popularity_discount_factor: float = 0.5
    """Exponent α in ``c_ij / (n_i n_j)^α``: 0 = raw co-occurrence, 0.5 = cosine, 1 = strongest discount
    of popular items. Must be in [0, 1]."""

    min_cointeraction_count: int = 3
    """Fewest users two items must share before they count as similar (≥ 1)."""

    min_user_history_length_percentile: float = 0.0
    """Leave out users whose number of distinct items is below this percentile of all users (0 = keep all).
    Workbench default; the service's default is not in the fact sheet."""

    max_user_history_length_percentile: float = 1.0
    """Leave out users whose number of distinct items is above this percentile (1 = keep all)."""

    recent_items: int = 5
    """How many of a user's most recent distinct training items seed their recommendations."""


class SIMS(Recommender):
    """Item-to-item co-occurrence recommender (see the module docstring for the formula).

    Attributes (after ``fit``):
        item_counts_: ``n_i``, users (after the history filter) who interacted with each item.
        cointeractions_: sparse ``c_ij`` after the ``min_cointeraction_count`` cut (empty diagonal).
        similarity_: sparse ``s_ij``, symmetric, 0 where the pair was dropped.
        users_kept_: how many users passed the history-length filter.
    """

    Config = SIMSConfig
    config: SIMSConfig
    realtime = False
    recipe_type: ClassVar[str] = "RELATED_ITEMS"
    """Personalize recipe type: GetRecommendations needs an ``itemId``."""
    fallback_description = "most popular items (SIMS needs a known item or history to find co-occurring items)"

    # ------------------------------------------------------------------- fit
    def _fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None, users: pd.DataFrame | None) -> None:
        cfg = self.config
        if not 0.0 <= cfg.popularity_discount_factor <= 1.0:
            raise ValueError(f"popularity_discount_factor must be in [0, 1], not {cfg.popularity_discount_factor}")
        if cfg.min_cointeraction_count < 1:
            raise ValueError(f"min_cointeraction_count must be at least 1, not {cfg.min_cointeraction_count}")
        lo, hi = cfg.min_user_history_length_percentile, cfg.max_user_history_length_percentile
        if not 0.0 <= lo <= hi <= 1.0:
            raise ValueError("user history percentiles need 0 <= min <= max <= 1, "
                             f"got min={lo}, max={hi}")
        shape = (len(self.user_vocab), len(self.item_vocab))
        binary = self._seen_matrix(interactions).astype(float)
        lengths = np.asarray(binary.sum(axis=1)).ravel()
        keep = np.ones(len(lengths), dtype=bool)
        if lo > 0.0 or hi < 1.0:
            low_cut, high_cut = np.quantile(lengths, [lo, hi])
            keep = (lengths >= low_cut) & (lengths <= high_cut)
            binary = sparse.diags(keep.astype(float)) @ binary
        self.users_kept_ = int(keep.sum())
        counts = np.asarray(binary.sum(axis=0)).ravel()
        co = (binary.T @ binary).tocsr()
        co.setdiag(0)
        co.data[co.data < cfg.min_cointeraction_count] = 0
        co.eliminate_zeros()
        self.item_counts_ = counts
        self.cointeractions_ = co
        sim = co.tocoo()
        alpha = cfg.popularity_discount_factor
        values = sim.data / np.power(counts[sim.row] * counts[sim.col], alpha)
        self.similarity_ = sparse.csr_matrix((values, (sim.row, sim.col)), shape=co.shape)
        top = counts.max() if len(counts) else 0.0
        self._padding = np.where(counts > 0, counts / (top + 1.0) - 1.0, -np.inf)
        ordered = interactions.sort_values(TIMESTAMP, kind="stable")
        recent = ordered.drop_duplicates([USER_ID, ITEM_ID], keep="last").groupby(USER_ID, sort=False).tail(
            cfg.recent_items)
        self._recent = sparse.csr_matrix(
            (np.ones(len(recent)), (self.user_vocab.to_inner(recent[USER_ID]), self.item_vocab.to_inner(recent[ITEM_ID]))),
            shape=shape,
        )
        self._recent_frame = recent[[USER_ID, ITEM_ID]]

    # --------------------------------------------------------------- scoring
    def _seed_matrix(self, base: sparse.csr_matrix, raw_user_ids: np.ndarray, session: SessionLike) -> sparse.csr_matrix:
        """Rows of seed items per user: ``base`` plus the session's items."""
        if session is None:
            return base
        extra_rows, extra_cols = [], []
        for row, uid in enumerate(raw_user_ids):
            items = session.get(uid, []) if isinstance(session, dict) else session
            idx = self.item_vocab.to_inner(list(items)) if len(items) else np.empty(0, dtype=np.int64)
            idx = idx[idx >= 0]
            extra_rows.extend([row] * len(idx))
            extra_cols.extend(idx.tolist())
        extra = sparse.csr_matrix((np.ones(len(extra_rows)), (extra_rows, extra_cols)), shape=base.shape)
        seeds = (base + extra).tocsr()
        seeds.data[:] = 1.0
        return seeds

    def _pad(self, scores: np.ndarray) -> np.ndarray:
        return np.where(scores > 0, scores, self._padding[None, :])

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        raw = self.user_vocab.to_raw(users)
        seeds = self._seed_matrix(self._recent[users], raw, _as_mapping(session, raw))
        return self._pad(np.asarray((seeds @ self.similarity_).todense()))

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        if session is None:
            return super()._fallback_scores(raw_user_ids, session)
        empty = sparse.csr_matrix((len(raw_user_ids), len(self.item_vocab)))
        seeds = self._seed_matrix(empty, raw_user_ids, _as_mapping(session, raw_user_ids))
        return self._pad(np.asarray((seeds @ self.similarity_).todense()))

    def _similar(self, items: np.ndarray) -> np.ndarray:
        return self._pad(self.similarity_[items].toarray())

    # ------------------------------------------------------------ list APIs
    def recommend(self, user_ids: Iterable[object] | object, n: int | None = None, **kwargs: Any) -> pd.DataFrame:
        """Items similar to each user's recent items (see :meth:`Recommender.recommend`).

        Rows that come from popularity padding have a negative SCORE and ``FALLBACK=True``.
        """
        return _flag_padding(super().recommend(user_ids, n=n, **kwargs))

    def similar_items(self, item_ids: Iterable[object] | object, n: int | None = None) -> pd.DataFrame:
        """Neighbours of each item by ``s_ij``, padded with popular items (``FALLBACK=True``)."""
        return _flag_padding(super().similar_items(item_ids, n=n))

    # ----------------------------------------------------------- explanation
    def _explain(self, user_id: str, item_id: str) -> str:
        target = self.item_vocab.to_inner([item_id])[0]
        if target < 0:
            return f"{item_id} was not in the training data, so SIMS knows nothing about it."
        recent = self._recent_frame.loc[self._recent_frame[USER_ID] == user_id, ITEM_ID].tolist()
        idx = self.item_vocab.to_inner(recent)
        if len(idx):
            shared = np.asarray(self.cointeractions_[idx, target].todense()).ravel()
            best = int(np.argmax(shared))
            if shared[best] > 0:
                return (f"{int(shared[best])} customers who interacted with {recent[best]} (one of your recent items) "
                        f"also interacted with {item_id}.")
        return (f"{item_id} is a popular item: your recent items share fewer than "
                f"{self.config.min_cointeraction_count} customers with anything else.")


def _as_mapping(session: SessionLike, raw_user_ids: np.ndarray) -> dict[str, list[str]] | None:
    """Normalise the ``session`` argument to ``{raw user id: [item ids]}``."""
    if session is None:
        return None
    if isinstance(session, dict):
        return {str(k): list(v) for k, v in session.items()}
    return {str(u): list(session) for u in raw_user_ids}


def _flag_padding(frame: pd.DataFrame) -> pd.DataFrame:
    if len(frame):
        frame[FALLBACK] = frame[FALLBACK] | (frame[SCORE] < 0)
    return frame
