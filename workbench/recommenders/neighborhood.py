"""Top-N neighbourhood models on implicit feedback: item-item, user-user and SAR.

These are the classic collaborative-filtering algorithms written for the task
"choose the top-N unseen items", not for predicting a rating. They work on the
binary user x item matrix ``X`` (1 where the user interacted) kept as a scipy
sparse matrix, and they rank by *how many* similar users or items point to an
item -- which is why they rank well, while the surprise KNN rating predictors in
:mod:`workbench.recommenders.knn` (weighted means of ratings) put obscure items
rated once with a 5 at the top of their lists (chapter 03 shows both).

Item-item (:class:`ItemNeighborhood`)
    With the co-occurrence counts :math:`C = X^T X` (:math:`C_{ij}` users who have
    both items, :math:`c_i = C_{ii}` users of item ``i``), the similarity of a
    history item ``i`` to a target item ``j`` is one of

    ======================  ============================================================
    ``"cosine"``            :math:`C_{ij} / (\\sqrt{c_i c_j} + s)`
    ``"asymmetric_cosine"`` :math:`C_{ij} / (c_i^{\\alpha} c_j^{1-\\alpha} + s)` (``alpha=0.5`` is cosine;
                            ``alpha -> 1`` approaches :math:`P(j \\mid i)`, which favours popular targets)
    ``"jaccard"``           :math:`C_{ij} / (c_i + c_j - C_{ij} + s)` (Microsoft's SAR default)
    ``"lift"``              :math:`C_{ij} / (c_i c_j + s)` (favours rare items)
    ``"cooccurrence"``      :math:`C_{ij}` (raw counts)
    ======================  ============================================================

    where ``s`` is the ``shrinkage`` (it pulls similarities supported by few users
    towards 0). For every target item only its ``neighbors`` most similar items are
    kept (0 = all), giving a sparse matrix ``S``. A user's score for item ``j`` is
    :math:`\\sum_i a_{ui} S_{ij}` over the items in their history, with ``a`` the user's
    affinity (1 per item by default; summed event weights, ratings and a time decay
    on request).

User-user (:class:`UserNeighborhood`)
    The cosine of two users' binary rows, :math:`|I_u \\cap I_v| / (\\sqrt{|I_u||I_v|} + s)`;
    the ``neighbors`` most similar users vote for their items, each vote weighted by
    the similarity. Neighbours are found when recommending, for the users asked about.

SAR (:class:`SAR`)
    Item-item with SAR's choices (after Microsoft Recommenders' *Simple Algorithm for
    Recommendation*): Jaccard similarity over all co-occurring items, and an affinity
    that sums the event values (ratings) with a 30-day half-life time decay.

Memory: ``S`` is built block by block -- each block is the dense co-occurrence of
a slice of target items with every item, sized by ``block_bytes`` -- so the dense
``n_items x n_items`` matrix never exists. Before building, the size of the sparse
result (``n_items x neighbors`` entries) is estimated, and the model refuses with
:class:`~workbench.recommenders.memory.ModelTooLargeError` (naming the item count,
the estimated bytes and the limit) when it would not fit.

Items no neighbour points to score 0; ties (including those zeros) are broken by
popularity, so every list is full. Unknown users get the most popular items.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy import sparse

from ..constants import EVENT_VALUE, ITEM_ID, SECONDS_PER_DAY, TIMESTAMP, USER_ID
from .base import Recommender, RecommenderConfig, SessionLike
from .memory import check_memory

__all__ = [
    "ITEM_SIMILARITIES", "SAR", "SARConfig", "ItemNeighborhood", "ItemNeighborhoodConfig",
    "USER_SIMILARITIES", "UserNeighborhood", "UserNeighborhoodConfig", "item_similarity",
]

ITEM_SIMILARITIES = ("cosine", "asymmetric_cosine", "jaccard", "lift", "cooccurrence")
"""Similarity names :class:`ItemNeighborhood` accepts."""

USER_SIMILARITIES = ("cosine", "jaccard")
"""Similarity names :class:`UserNeighborhood` accepts."""

AFFINITIES = ("binary", "events", "event_value")
"""How a user's history is weighted when scoring (see ``affinity`` in the configs)."""

_TIE_BREAK = 1e-9
"""Popularity share added to every score (relative to the largest score): breaks ties only."""


# ----------------------------------------------------------------- helpers
def item_similarity(cooc: np.ndarray, count_rows: np.ndarray, count_cols: np.ndarray, similarity: str,
                    shrinkage: float = 0.0, alpha: float = 0.5) -> np.ndarray:
    """Similarity of history items (rows) to target items (columns) from co-occurrence counts.

    Args:
        cooc: ``C[i, j]``, users who interacted with both row item ``i`` and column item ``j``.
        count_rows: users of each row item (``C[i, i]``).
        count_cols: users of each column item.
        similarity: one of :data:`ITEM_SIMILARITIES`.
        shrinkage: added to the denominator (ignored by ``"cooccurrence"``).
        alpha: exponent of the row item's count in ``"asymmetric_cosine"``.

    Returns:
        A float array of ``cooc``'s shape; 0 where the denominator is 0.
    """
    cooc = np.asarray(cooc, dtype=float)
    ci = np.asarray(count_rows, dtype=float)[:, None]
    cj = np.asarray(count_cols, dtype=float)[None, :]
    if similarity == "cooccurrence":
        return cooc.copy()
    if similarity == "cosine":
        den = np.sqrt(ci * cj)
    elif similarity == "asymmetric_cosine":
        den = np.power(ci, alpha) * np.power(cj, 1.0 - alpha)
    elif similarity == "jaccard":
        den = ci + cj - cooc
    elif similarity == "lift":
        den = ci * cj
    else:
        raise ValueError(f"unknown item similarity {similarity!r}; use one of {ITEM_SIMILARITIES}")
    den = den + shrinkage
    return np.divide(cooc, den, out=np.zeros(np.broadcast_shapes(cooc.shape, den.shape)), where=den > 0)


def _top_k_per_column(values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices and values of the ``k`` largest entries of each column (unordered)."""
    if k >= values.shape[0]:
        rows = np.broadcast_to(np.arange(values.shape[0])[:, None], values.shape)
        return np.array(rows), values
    rows = np.argpartition(-values, k - 1, axis=0)[:k]
    return rows, np.take_along_axis(values, rows, axis=0)


def _blocks(n: int, per_block: int) -> Iterator[tuple[int, int]]:
    per_block = max(1, int(per_block))
    for start in range(0, n, per_block):
        yield start, min(n, start + per_block)


@dataclasses.dataclass
class _NeighborhoodConfig(RecommenderConfig):
    """Settings shared by the neighbourhood models."""

    shrinkage: float = 10.0
    """Added to every similarity's denominator: pairs supported by few users count less."""

    affinity: str = "binary"
    """How a user's history is weighted when scoring: ``"binary"`` (1 per item), ``"events"``
    (summed EVENT_TYPE weights, ``config.event_weights``) or ``"event_value"`` (summed
    EVENT_VALUE, e.g. ratings; missing values count 1)."""

    time_decay_days: float | None = None
    """Half-life of an event's affinity in days, measured back from the newest training event
    (``None`` = no decay)."""

    block_bytes: int = 128 * 1024**2
    """Working memory for one block of the dense similarity computation."""

    max_bytes: int | None = None
    """Refuse to build a model estimated above this many bytes (``None`` = half the available memory)."""


class _Neighborhood(Recommender):
    """Affinity matrix and validation shared by item-item and user-user."""

    config: _NeighborhoodConfig
    similarities: tuple[str, ...] = ()

    def _check_config(self) -> None:
        c = self.config
        if c.similarity not in self.similarities:
            raise ValueError(f"{self.name}: unknown similarity {c.similarity!r}; use one of {self.similarities}")
        if c.affinity not in AFFINITIES:
            raise ValueError(f"{self.name}: affinity must be one of {AFFINITIES}, not {c.affinity!r}")
        if c.neighbors < 0:
            raise ValueError(f"{self.name}: neighbors must be >= 0 (0 = all), got {c.neighbors}")
        if c.shrinkage < 0:
            raise ValueError(f"{self.name}: shrinkage must be >= 0, got {c.shrinkage}")
        if c.time_decay_days is not None and c.time_decay_days <= 0:
            raise ValueError(f"{self.name}: time_decay_days must be positive or None, got {c.time_decay_days}")
        if c.block_bytes <= 0:
            raise ValueError(f"{self.name}: block_bytes must be positive, got {c.block_bytes}")

    def _matrices(self, interactions: pd.DataFrame) -> None:
        """``binary_`` (1 per user-item pair) and ``affinity_`` (what scoring sums), both users x items CSR."""
        c = self.config
        rows = self.user_vocab.to_inner(interactions[USER_ID])
        cols = self.item_vocab.to_inner(interactions[ITEM_ID])
        shape = (len(self.user_vocab), len(self.item_vocab))
        if c.affinity == "binary":
            weights = np.ones(len(interactions))
        elif c.affinity == "events":
            weights = self._event_weights_of(interactions)
        else:
            if EVENT_VALUE in interactions.columns:
                values = pd.to_numeric(interactions[EVENT_VALUE], errors="coerce").to_numpy(dtype=float)
                weights = np.where(np.isfinite(values), values, 1.0)
            else:
                weights = np.ones(len(interactions))
        if c.time_decay_days is not None:
            times = interactions[TIMESTAMP].to_numpy(dtype=float)
            weights = weights * np.exp2(-(times.max() - times) / (c.time_decay_days * SECONDS_PER_DAY))
        affinity = sparse.csr_matrix((weights, (rows, cols)), shape=shape)
        affinity.sum_duplicates()
        if c.affinity == "binary" and c.time_decay_days is None:
            affinity.data[:] = 1.0
        binary = affinity.copy()
        binary.data = np.ones_like(binary.data)
        self.affinity_ = affinity
        self.binary_ = binary
        self._tie = self._popularity / max(float(self._popularity.max()), 1.0)

    def _finish_scores(self, scores: np.ndarray) -> np.ndarray:
        top = float(np.abs(scores).max()) if scores.size else 0.0
        return scores + _TIE_BREAK * (top if top > 0 else 1.0) * self._tie[None, :]


# --------------------------------------------------------------- item-item
@dataclasses.dataclass
class ItemNeighborhoodConfig(_NeighborhoodConfig):
    """Settings of :class:`ItemNeighborhood`."""

    similarity: str = "cosine"
    """One of :data:`ITEM_SIMILARITIES`."""

    alpha: float = 0.5
    """Exponent of the history item's user count in ``"asymmetric_cosine"`` (0.5 = cosine)."""

    neighbors: int = 200
    """Most similar history-side items kept per target item (0 = every co-occurring item)."""

    min_cooccurrence: int = 1
    """Pairs seen together by fewer users than this get similarity 0."""


class ItemNeighborhood(_Neighborhood):
    """Top-N item-item collaborative filtering: items similar to the user's history."""

    Config = ItemNeighborhoodConfig
    config: ItemNeighborhoodConfig
    realtime = False
    similarities = ITEM_SIMILARITIES

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        self._check_config()
        if self.config.min_cooccurrence < 1:
            raise ValueError(f"{self.name}: min_cooccurrence must be >= 1, got {self.config.min_cooccurrence}")
        self._matrices(interactions)
        self.similarity_ = self._neighbour_matrix(self.binary_.tocsc())

    def estimated_bytes(self, n_items: int) -> int:
        """Bytes of the sparse neighbour matrix for ``n_items`` items (while it is assembled)."""
        k = self._k(n_items)
        # float64 value + int32 row + int32 column per kept entry, plus the CSC copy made at the end
        return int(n_items) * k * (16 + 12)

    def _k(self, n_items: int) -> int:
        wanted = self.config.neighbors or n_items
        return max(0, min(int(wanted), n_items - 1))

    def _neighbour_matrix(self, binary_csc: sparse.csc_matrix) -> sparse.csc_matrix:
        """``S[i, j]``: weight of history item ``i`` for target item ``j``, top ``neighbors`` per column."""
        c = self.config
        n_items = binary_csc.shape[1]
        k = self._k(n_items)
        check_memory(
            self.name, f"a sparse {n_items:,} items x {k:,} neighbours similarity matrix", self.estimated_bytes(n_items),
            c.max_bytes, "lower neighbors (0 keeps every co-occurring item, the largest choice), or raise max_bytes "
            "if the machine has the memory.")
        if k == 0:
            return sparse.csc_matrix((n_items, n_items))
        counts = np.asarray(binary_csc.sum(axis=0)).ravel()
        by_item = binary_csc.T.tocsr()
        # a dense block (n_items x width) of counts, similarities and partition indices
        width = c.block_bytes // max(1, 8 * n_items * 4)
        rows, cols, vals = [], [], []
        for start, stop in _blocks(n_items, width):
            cooc = (by_item @ binary_csc[:, start:stop]).toarray()
            sim = item_similarity(cooc, counts, counts[start:stop], c.similarity, c.shrinkage, c.alpha)
            sim[cooc < c.min_cooccurrence] = 0.0
            sim[np.arange(start, stop), np.arange(stop - start)] = 0.0  # an item is not its own neighbour
            top_rows, top_vals = _top_k_per_column(sim, k)
            keep = top_vals > 0
            rows.append(top_rows[keep].astype(np.int32))
            cols.append(np.broadcast_to(np.arange(start, stop, dtype=np.int32)[None, :], top_rows.shape)[keep])
            vals.append(top_vals[keep])
        matrix = sparse.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_items, n_items))
        matrix.sort_indices()
        return matrix

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        scores = (self.affinity_[users] @ self.similarity_).toarray()
        return self._finish_scores(scores)

    def _similar(self, items: np.ndarray) -> np.ndarray:
        """Row ``i`` of ``S``: how strongly having item ``i`` supports every other item."""
        return self.similarity_.tocsr()[items].toarray()

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        j = self.item_vocab.to_inner([item_id])[0]
        row = self.affinity_[u]
        if j < 0 or row.nnz == 0:
            return f"{self.name} has no history for you, so this comes from the popular items."
        support = np.asarray(self.similarity_[:, [j]].toarray()).ravel()[row.indices] * row.data
        if support.max() <= 0:
            return (f"None of your items has {item_id} among its {self.config.neighbors or 'co-occurring'} "
                    "neighbours; it fills the list by popularity.")
        best = int(np.argmax(support))
        source = self.item_vocab.ids[row.indices[best]]
        return (f"Because you interacted with {source}: users of it also chose this item "
                f"({self.config.similarity} similarity {support[best] / row.data[best]:.3f}).")


@dataclasses.dataclass
class SARConfig(ItemNeighborhoodConfig):
    """Settings of :class:`SAR` (item-item with SAR's defaults)."""

    similarity: str = "jaccard"
    neighbors: int = 0
    shrinkage: float = 0.0
    affinity: str = "event_value"
    time_decay_days: float | None = 30.0


class SAR(ItemNeighborhood):
    """Co-occurrence recommender after Microsoft's SAR: Jaccard item similarity, time-decayed affinity."""

    Config = SARConfig
    config: SARConfig


# --------------------------------------------------------------- user-user
@dataclasses.dataclass
class UserNeighborhoodConfig(_NeighborhoodConfig):
    """Settings of :class:`UserNeighborhood`."""

    similarity: str = "cosine"
    """One of :data:`USER_SIMILARITIES` (computed on the users' binary rows)."""

    neighbors: int = 100
    """Most similar users who vote for each user's items (0 = every user with a common item)."""


class UserNeighborhood(_Neighborhood):
    """Top-N user-user collaborative filtering: what users with a similar history chose."""

    Config = UserNeighborhoodConfig
    config: UserNeighborhoodConfig
    realtime = False
    similarities = USER_SIMILARITIES

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        self._check_config()
        n_users = len(self.user_vocab)
        # one row of similarities to every user (plus its partition indices) must fit in a block
        check_memory(self.name, f"one dense row of similarities to all {n_users:,} users", 4 * 8 * n_users,
                     self.config.max_bytes, "use ItemNeighborhood for this many users, or raise max_bytes.")
        self._matrices(interactions)
        self._by_item = self.binary_.T.tocsr()
        self._sizes = np.asarray(self.binary_.sum(axis=1)).ravel()

    def neighbours(self, users: np.ndarray) -> sparse.csr_matrix:
        """Sparse ``len(users) x n_users`` matrix: each row holds that user's top ``neighbors`` similarities."""
        c = self.config
        n_users = self.binary_.shape[0]
        k = max(0, min(c.neighbors or n_users, n_users - 1))
        parts = []
        for start, stop in _blocks(len(users), c.block_bytes // max(1, 8 * n_users * 4)):
            block = users[start:stop]
            cooc = (self.binary_[block] @ self._by_item).toarray()
            if c.similarity == "cosine":
                den = np.sqrt(self._sizes[block, None] * self._sizes[None, :]) + c.shrinkage
            else:
                den = self._sizes[block, None] + self._sizes[None, :] - cooc + c.shrinkage
            sim = np.divide(cooc, den, out=np.zeros_like(cooc, dtype=float), where=den > 0)
            sim[np.arange(len(block)), block] = 0.0  # a user is not their own neighbour
            if k == 0:
                parts.append(sparse.csr_matrix(sim.shape))
                continue
            top_cols, top_vals = _top_k_per_column(sim.T, k)
            keep = top_vals > 0
            row_index = np.broadcast_to(np.arange(len(block))[None, :], top_cols.shape)
            parts.append(sparse.csr_matrix((top_vals[keep], (row_index[keep], top_cols[keep])), shape=sim.shape))
        return sparse.vstack(parts).tocsr() if parts else sparse.csr_matrix((0, n_users))

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        scores = (self.neighbours(users) @ self.affinity_).toarray()
        return self._finish_scores(scores)

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        j = self.item_vocab.to_inner([item_id])[0]
        near = self.neighbours(np.asarray([u]))
        if j < 0 or near.nnz == 0:
            return f"{self.name} found no user sharing an item with you, so this comes from the popular items."
        voters = int(self.binary_[near.indices, j].sum())
        return (f"{voters} of your {near.nnz} most similar users (by shared items) interacted with this item.")
