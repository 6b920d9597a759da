"""Matrix factorization through scikit-surprise: SVD, SVD++ and NMF.

Each user ``u`` and item ``i`` gets a vector of ``factors`` latent numbers
(``p_u``, ``q_i``) learned by stochastic gradient descent so that their dot
product (plus biases) reproduces the known ratings:

* **SVD** (Funk's biased MF): :math:`\\hat r_{ui} = \\mu + b_u + b_i + q_i^T p_u`.
* **SVD++** adds what the user *chose to rate*: :math:`\\hat r_{ui} = \\mu + b_u + b_i
  + q_i^T (p_u + |I_u|^{-1/2} \\sum_{j \\in I_u} y_j)`.
* **NMF** keeps every factor non-negative (unbiased by default):
  :math:`\\hat r_{ui} = q_i^T p_u`.

Top-n lists score every item for a user straight from the learned arrays
(``algo.pu``, ``algo.qi``, ``algo.bu``, ``algo.bi``, ``trainset.global_mean``),
one matrix product per batch of users, instead of one ``algo.predict`` call per
pair. Settings default to surprise's own defaults, so the published RMSE numbers
(see :mod:`workbench.recommenders.evaluation_reference`) are the yardstick.

These models predict *ratings*; ranking all unseen items by predicted rating is
known to give weak top-n lists (items nobody rated much can get extreme
predictions). The benchmark shows the contrast with :class:`~workbench.recommenders.ease.EASE`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .surprise_adapter import SurpriseConfig, SurpriseRecommender

__all__ = ["SVD", "SVDConfig", "SVDpp", "SVDppConfig", "NMF", "NMFConfig"]


@dataclasses.dataclass
class SVDConfig(SurpriseConfig):
    """Settings of :class:`SVD` (defaults = surprise's ``SVD`` defaults)."""

    factors: int = 100
    """Number of latent factors per user and item."""

    epochs: int = 20
    """Passes of stochastic gradient descent over the ratings."""

    learning_rate: float = 0.005
    """SGD step size for every parameter."""

    reg: float = 0.02
    """L2 regularisation of every parameter (biases and factors)."""

    biased: bool = True
    """Learn the user/item biases and the global mean (False: plain dot product)."""

    init_std: float = 0.1
    """Standard deviation of the normal initialisation of the factors."""


class _LatentFactorModel(SurpriseRecommender):
    """Scoring, similarity and explanations shared by the factor models."""

    def _after_fit(self) -> None:
        algo, ts = self.algo_, self.trainset_
        self.user_factors_ = np.asarray(algo.pu, dtype=float)
        self.item_factors_ = np.asarray(algo.qi, dtype=float)
        biased = getattr(algo, "biased", True)
        self.user_bias_ = np.asarray(algo.bu, dtype=float) if biased else np.zeros(ts.n_users)
        self.item_bias_ = np.asarray(algo.bi, dtype=float) if biased else np.zeros(ts.n_items)
        self.global_mean_ = float(ts.global_mean) if biased else 0.0

    def _user_vectors(self, ts_users: np.ndarray) -> np.ndarray:
        return self.user_factors_[ts_users]

    def _estimate(self, ts_users: np.ndarray) -> np.ndarray:
        # r_ui = mu + b_u + b_i + q_i . p_u, for a block of users at once
        return (self.global_mean_ + self.user_bias_[ts_users][:, None] + self.item_bias_[None, :]
                + self._user_vectors(ts_users) @ self.item_factors_.T)

    def _similar(self, items: np.ndarray) -> np.ndarray:
        """Cosine similarity of item factor vectors (NaN for items surprise never saw)."""
        q = self.item_factors_
        norms = np.linalg.norm(q, axis=1)
        norms[norms == 0] = 1.0
        unit = q / norms[:, None]
        out = np.full((len(items), len(self.item_vocab)), np.nan)
        ts_items = self._item_ts[items]
        ok = ts_items >= 0
        if ok.any():
            block = np.full((int(ok.sum()), len(self.item_vocab)), np.nan)
            block[:, self._ts_item] = unit[ts_items[ok]] @ unit.T
            out[ok] = block
        return out

    def _explain(self, user_id: str, item_id: str) -> str:
        predicted = self._predicted(user_id, item_id)
        if predicted is None:
            return f"{self.name} has no taste profile for this pair, so it ranks by popularity."
        low, high = self.trainset_.rating_scale
        return (f"Matches your taste profile (latent factors): {self.name} predicts {predicted:.2f} "
                f"on a {low:g}-{high:g} scale.")


class SVD(_LatentFactorModel):
    """Biased matrix factorization (surprise ``SVD``), the Netflix-prize workhorse."""

    Config = SVDConfig
    config: SVDConfig

    def _make_algo(self):
        from surprise import SVD as SurpriseSVD

        c = self.config
        return SurpriseSVD(n_factors=c.factors, n_epochs=c.epochs, biased=c.biased, init_std_dev=c.init_std,
                           lr_all=c.learning_rate, reg_all=c.reg, random_state=c.seed)


@dataclasses.dataclass
class SVDppConfig(SurpriseConfig):
    """Settings of :class:`SVDpp` (defaults = surprise's ``SVDpp`` defaults)."""

    factors: int = 20
    """Number of latent factors per user and item."""

    epochs: int = 20
    """Passes of stochastic gradient descent over the ratings."""

    learning_rate: float = 0.007
    """SGD step size for every parameter."""

    reg: float = 0.02
    """L2 regularisation of every parameter."""

    init_std: float = 0.1
    """Standard deviation of the normal initialisation of the factors."""


class SVDpp(_LatentFactorModel):
    """SVD++: SVD plus implicit feedback (which items a user rated at all)."""

    Config = SVDppConfig
    config: SVDppConfig

    def _make_algo(self):
        from surprise import SVDpp as SurpriseSVDpp

        c = self.config
        return SurpriseSVDpp(n_factors=c.factors, n_epochs=c.epochs, init_std_dev=c.init_std,
                             lr_all=c.learning_rate, reg_all=c.reg, random_state=c.seed)

    def _after_fit(self) -> None:
        super()._after_fit()
        from scipy import sparse

        ts = self.trainset_
        rows, cols = [], []
        for u, ratings in ts.ur.items():
            rows.extend([u] * len(ratings))
            cols.extend(j for j, _ in ratings)
        rated = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(ts.n_users, ts.n_items))
        counts = np.asarray(rated.sum(axis=1)).ravel()
        scale = 1.0 / np.sqrt(np.maximum(counts, 1.0))
        # |I_u|^-1/2 * sum_{j in I_u} y_j for every user at once
        self.implicit_factors_ = np.asarray(sparse.diags(scale) @ rated @ np.asarray(self.algo_.yj, dtype=float))

    def _user_vectors(self, ts_users: np.ndarray) -> np.ndarray:
        return self.user_factors_[ts_users] + self.implicit_factors_[ts_users]


@dataclasses.dataclass
class NMFConfig(SurpriseConfig):
    """Settings of :class:`NMF` (defaults = surprise's ``NMF`` defaults)."""

    factors: int = 15
    """Number of (non-negative) latent factors per user and item."""

    epochs: int = 50
    """Passes of the multiplicative-update SGD."""

    reg: float = 0.06
    """Regularisation of the user and item factors."""

    reg_bias: float = 0.02
    """Regularisation of the biases (only when ``biased``)."""

    learning_rate: float = 0.005
    """Step size of the bias updates (only when ``biased``; factors use multiplicative updates)."""

    biased: bool = False
    """Add user/item biases and the global mean (surprise warns this may overfit)."""

    init_low: float = 0.0
    """Lower bound of the uniform factor initialisation."""

    init_high: float = 1.0
    """Upper bound of the uniform factor initialisation."""


class NMF(_LatentFactorModel):
    """Non-negative matrix factorization (surprise ``NMF``): parts-based, additive taste profiles."""

    Config = NMFConfig
    config: NMFConfig

    def _make_algo(self):
        from surprise import NMF as SurpriseNMF

        c = self.config
        return SurpriseNMF(n_factors=c.factors, n_epochs=c.epochs, biased=c.biased, reg_pu=c.reg, reg_qi=c.reg,
                           reg_bu=c.reg_bias, reg_bi=c.reg_bias, lr_bu=c.learning_rate, lr_bi=c.learning_rate,
                           init_low=c.init_low, init_high=c.init_high, random_state=c.seed)
