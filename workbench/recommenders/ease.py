"""EASE: a closed-form item-item model for implicit feedback (Steck, 2019).

EASE ("Embarrassingly Shallow AutoEncoder") learns one item-by-item weight matrix
``B`` that rebuilds each user's interaction row from the *other* items in it:

.. math::
    \\min_B \\; \\lVert X - X B \\rVert_F^2 + \\lambda \\lVert B \\rVert_F^2
    \\quad \\text{subject to} \\quad \\operatorname{diag}(B) = 0

``X`` is the user x item matrix (1 where the user interacted; or summed EVENT_TYPE
weights with ``weighting="events"``). The constraint stops an item from
explaining itself. The problem has a closed-form solution: with
:math:`P = (X^T X + \\lambda I)^{-1}`,

.. math::
    B_{ij} = -\\frac{P_{ij}}{P_{jj}} \\; (i \\ne j), \\qquad B_{jj} = 0,

and a user's scores are their row of :math:`X B`. One matrix inverse of size
``n_items x n_items`` -- fast up to a few tens of thousands of items, no
iterations, no random seed. Despite its simplicity EASE is a strong top-n
baseline on ranking metrics, in contrast to rating-prediction MF (compare them
in ``benchmarks/bench_models.py``).

Memory: the model is a dense ``n_items x n_items`` float64 matrix, held twice while
the Gram matrix is inverted (in place), so it needs about ``16 * n_items^2`` bytes:
1.6 GB for 10,000 items, 135 GB for 92,000. Before allocating anything, ``fit``
compares that estimate with ``max_bytes`` (default: half the memory available now)
and refuses with :class:`~workbench.recommenders.memory.ModelTooLargeError`, naming the
item count, the bytes and the largest catalogue the limit allows. Above that, use a
sparse top-k model (:class:`~workbench.recommenders.neighborhood.ItemNeighborhood`).

The default ``reg`` (400) was chosen on MovieLens 100k with Microsoft Recommenders'
protocol (``benchmarks/bench_quality.py``): NDCG@10 rises from 0.482 at 250 to
0.484 around 350-500 and falls beyond (0.477 at 1000).

Edge cases: a user with no known interactions scores 0 everywhere (and never
reaches ``_score``: unknown users get the popularity fallback); an item nobody
interacted with (only in the items frame) has an all-zero column, so it scores 0.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import scipy.linalg

from .base import Recommender, RecommenderConfig, SessionLike
from .memory import ModelTooLargeError, check_memory, format_bytes, memory_limit

__all__ = ["EASE", "EASEConfig"]


@dataclasses.dataclass
class EASEConfig(RecommenderConfig):
    """Settings of :class:`EASE`."""

    reg: float = 400.0
    """L2 penalty ``lambda`` added to the diagonal of the item Gram matrix; larger values
    shrink the weights and favour popular items less aggressively. Steck reports good
    values in the hundreds for binary data."""

    weighting: str = "binary"
    """``"binary"``: 1 per interacted (user, item); ``"events"``: summed EVENT_TYPE weights
    (``config.event_weights``), so purchases count more than views."""

    max_items: int | None = None
    """Refuse to fit above this many items (``None``: only the memory check decides)."""

    max_bytes: int | None = None
    """Refuse when the dense matrices (about ``16 * n_items^2`` bytes) exceed this
    (``None`` = half the memory available now)."""


class EASE(Recommender):
    """Closed-form item-item autoencoder; strong top-n model for implicit feedback."""

    Config = EASEConfig
    config: EASEConfig
    realtime = False

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        n_items = len(self.item_vocab)
        self.check_size(n_items)
        if self.config.reg <= 0:
            raise ValueError(f"EASE needs reg > 0 (the Gram matrix may be singular), got {self.config.reg}")
        if self.config.weighting not in ("binary", "events"):
            raise ValueError(f"weighting must be 'binary' or 'events', not {self.config.weighting!r}")
        matrix = self.weighted_matrix(interactions).tocsr()
        matrix.sum_duplicates()
        if self.config.weighting == "binary":
            matrix.data[:] = 1.0
        self.user_items_ = matrix.tocsr()
        gram = (self.user_items_.T @ self.user_items_).toarray()
        gram[np.diag_indices(n_items)] += self.config.reg
        # in place: the Gram matrix becomes P, then B; never more than two n x n arrays at once
        weights = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        del gram
        weights /= -np.diag(weights)[None, :]
        weights[np.diag_indices(n_items)] = 0.0
        self.weights_ = weights

    def estimated_bytes(self, n_items: int) -> int:
        """Peak bytes of the dense matrices for ``n_items`` items (two float64 ``n x n`` arrays)."""
        return 16 * int(n_items) ** 2

    def max_items_for_memory(self) -> int:
        """The largest item count whose dense matrices fit under the memory limit."""
        limit, _ = memory_limit(self.config.max_bytes)
        return int(np.sqrt(limit / 16))

    def check_size(self, n_items: int) -> None:
        """Raise :class:`ModelTooLargeError` when ``n_items`` items do not fit (``max_items`` or memory)."""
        c = self.config
        needed = self.estimated_bytes(n_items)
        if c.max_items is not None and n_items > c.max_items:
            raise ModelTooLargeError(
                f"EASE has {n_items:,} items, above max_items={c.max_items:,} (it would need a dense {n_items:,} x "
                f"{n_items:,} matrix, about {needed:,} bytes = {format_bytes(needed)}). How to fix: raise max_items if "
                "the machine has the memory, or use ItemNeighborhood (sparse top-k neighbours).",
                needed_bytes=needed, limit_bytes=16 * c.max_items**2)
        check_memory(
            "EASE", f"a dense {n_items:,} x {n_items:,} float64 matrix, twice while inverting", needed, c.max_bytes,
            f"at most about {self.max_items_for_memory():,} items fit this limit: drop rare items, raise max_bytes "
            "if the machine has the memory, or use ItemNeighborhood (sparse top-k neighbours, built in blocks).")

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        return np.asarray(self.user_items_[users] @ self.weights_)

    def _similar(self, items: np.ndarray) -> np.ndarray:
        """Row ``i`` of B: how strongly having item ``i`` raises every other item's score."""
        return self.weights_[items]

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        i = self.item_vocab.to_inner([item_id])[0]
        row = self.user_items_[u]
        if i < 0 or row.nnz == 0:
            return f"{self.name} has no history for you, so this comes from the popular items."
        contributions = row.data * self.weights_[row.indices, i]
        best = int(np.argmax(contributions))
        if contributions[best] <= 0:
            return f"{self.name} found no item in your history pointing to it; it ranks low for you."
        source = self.item_vocab.ids[row.indices[best]]
        return (f"Because you interacted with {source}: in the item-item model it adds "
                f"{contributions[best]:.3f} to this item's score.")
