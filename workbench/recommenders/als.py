"""Implicit-feedback ALS (Hu, Koren & Volinsky, 2008) in plain numpy.

Clicks and purchases say *how confident* we are that a user likes an item, not
how much. The model therefore splits every (user, item) cell into

* a preference :math:`p_{ui} = 1` if the user interacted at all, else 0, and
* a confidence :math:`c_{ui} = 1 + \\alpha\\, w_{ui}`, where :math:`w_{ui}` is the
  summed EVENT_TYPE weight of the pair (0 for unobserved cells),

and fits user vectors :math:`x_u` and item vectors :math:`y_i` minimising

.. math::
    \\sum_{u,i} c_{ui} (p_{ui} - x_u^T y_i)^2 + \\lambda \\Big(\\sum_u \\lVert x_u \\rVert^2 + \\sum_i \\lVert y_i \\rVert^2\\Big)

over *all* cells, the unobserved ones included (with confidence 1). Holding the
item vectors fixed, each user vector has a closed form,

.. math::
    x_u = (Y^T Y + Y^T (C^u - I) Y + \\lambda I)^{-1} \\, Y^T C^u p_u,

where only the user's observed items enter the middle term, so one step costs
``O(n_u k^2 + k^3)`` per user. Items are solved the same way, and the two steps
alternate for ``epochs`` rounds. Scores are :math:`x_u^T y_i`.

Unlike rating-prediction SVD, this objective treats missing cells as weak
negatives -- the reason it ranks well.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .base import Recommender, RecommenderConfig, SessionLike

__all__ = ["ImplicitALS", "ImplicitALSConfig"]


@dataclasses.dataclass
class ImplicitALSConfig(RecommenderConfig):
    """Settings of :class:`ImplicitALS`."""

    factors: int = 32
    """Length of each user / item vector."""

    epochs: int = 10
    """Rounds of alternating (users, then items) closed-form updates."""

    reg: float = 0.1
    """L2 penalty ``lambda`` on every vector."""

    alpha: float = 10.0
    """Confidence slope: ``c = 1 + alpha * summed event weight``."""


class ImplicitALS(Recommender):
    """Weighted matrix factorization for implicit feedback, solved by alternating least squares."""

    Config = ImplicitALSConfig
    config: ImplicitALSConfig
    realtime = False

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        c = self.config
        if c.factors < 1 or c.epochs < 1 or c.reg < 0 or c.alpha < 0:
            raise ValueError(f"ImplicitALS needs factors >= 1, epochs >= 1, reg >= 0 and alpha >= 0, got {c}")
        weights = self.weighted_matrix(interactions).tocsr()
        weights.sum_duplicates()
        self.user_items_ = weights
        rng = np.random.default_rng(c.seed)
        n_users, n_items = weights.shape
        self.user_factors_ = rng.normal(scale=0.01, size=(n_users, c.factors))
        self.item_factors_ = rng.normal(scale=0.01, size=(n_items, c.factors))
        by_item = weights.T.tocsr()
        for _ in range(c.epochs):
            self.user_factors_ = self._solve(weights, self.item_factors_)
            self.item_factors_ = self._solve(by_item, self.user_factors_)

    def _solve(self, rows, fixed: np.ndarray) -> np.ndarray:
        """One half-step: the closed-form vector of every row of ``rows`` given the other side."""
        c = self.config
        k = fixed.shape[1]
        base = fixed.T @ fixed + c.reg * np.eye(k)
        out = np.zeros((rows.shape[0], k))
        for r in range(rows.shape[0]):
            start, end = rows.indptr[r], rows.indptr[r + 1]
            if start == end:
                continue  # nothing observed: the zero vector is the exact minimiser
            idx = rows.indices[start:end]
            conf = 1.0 + c.alpha * rows.data[start:end]
            f = fixed[idx]
            a = base + (f.T * (conf - 1.0)) @ f
            b = f.T @ conf  # preferences are 1 on observed cells
            out[r] = np.linalg.solve(a, b)
        return out

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        return self.user_factors_[users] @ self.item_factors_.T

    def _similar(self, items: np.ndarray) -> np.ndarray:
        unit = self.item_factors_ / np.maximum(np.linalg.norm(self.item_factors_, axis=1, keepdims=True), 1e-12)
        return unit[items] @ unit.T

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        i = self.item_vocab.to_inner([item_id])[0]
        row = self.user_items_[u]
        if i < 0 or row.nnz == 0:
            return f"{self.name} has no history for you, so this comes from the popular items."
        closest = row.indices[int(np.argmax(self._similar(np.asarray([i]))[0, row.indices]))]
        return (f"Matches your taste profile (latent factors learned from clicks and purchases); "
                f"closest to {self.item_vocab.ids[closest]} in your history.")
