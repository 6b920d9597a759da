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

Two solvers minimise the same objective:

* ``solver="implicit"`` hands the confidences to the ``implicit`` package's native
  ALS (Takacs et al.'s conjugate-gradient update, ``cg_steps`` steps per vector and
  half-step, float32, multi-threaded). ``implicit`` reads the stored values as the
  confidence :math:`c_{ui}` itself, so the workbench passes ``1 + alpha * w`` with
  implicit's own ``alpha`` left at 1: the objective above, unchanged.
* ``solver="cholesky"`` is the exact closed form above in numpy, one small linear
  system per user and item: slow, but every step is the textbook formula
  (the tests check it against the gradient).

``"auto"`` (the default) uses ``implicit`` when it is installed, else numpy.

Defaults (64 factors, ``alpha=5``, 15 epochs, a penalty scaled with the data) were
chosen on MovieLens 100k with Microsoft Recommenders' protocol (stratified 75/25 split
per user, seed 42; ``benchmarks/bench_quality.py``), where they reach NDCG@10 0.48. The
penalty is large on purpose: with ``alpha`` confidences, a small ``reg`` lets the
factors of items seen by a handful of users grow until those items top every list
(``reg=0.1`` gave 0.38, a fixed 50 gave 0.48). But a fixed penalty means different
things on different data, so ``reg=None`` (the default) uses :func:`data_scaled_reg`,
a tenth of a user's mean confidence mass: about 47 on MovieLens 100k.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .base import Recommender, RecommenderConfig, SessionLike

__all__ = ["ImplicitALS", "ImplicitALSConfig", "als_factors", "data_scaled_reg"]


@dataclasses.dataclass
class ImplicitALSConfig(RecommenderConfig):
    """Settings of :class:`ImplicitALS`."""

    factors: int = 64
    """Length of each user / item vector."""

    epochs: int = 15
    """Rounds of alternating (users, then items) updates."""

    reg: float | None = None
    """L2 penalty ``lambda`` on every vector; ``None`` scales it with the data
    (:func:`data_scaled_reg`: about 47 on MovieLens 100k). The value used is ``reg_`` after fit."""

    alpha: float = 5.0
    """Confidence slope: ``c = 1 + alpha * summed event weight``."""

    solver: str = "auto"
    """``"implicit"`` (the implicit package's conjugate gradient), ``"cholesky"`` (exact numpy solve)
    or ``"auto"`` (implicit when installed)."""

    cg_steps: int = 3
    """Conjugate-gradient steps per vector and half-step (``solver="implicit"``)."""

    n_threads: int = 0
    """Threads for ``solver="implicit"`` (0 = all cores)."""


class ImplicitALS(Recommender):
    """Weighted matrix factorization for implicit feedback, solved by alternating least squares."""

    Config = ImplicitALSConfig
    config: ImplicitALSConfig
    realtime = False

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        c = self.config
        if c.factors < 1 or c.epochs < 1 or (c.reg is not None and c.reg < 0) or c.alpha < 0 or c.cg_steps < 1:
            raise ValueError(f"ImplicitALS needs factors >= 1, epochs >= 1, reg >= 0, alpha >= 0 and cg_steps >= 1, "
                             f"got {c}")
        if c.solver not in ("auto", "implicit", "cholesky"):
            raise ValueError(f"ImplicitALS solver must be 'auto', 'implicit' or 'cholesky', not {c.solver!r}")
        weights = self.weighted_matrix(interactions).tocsr()
        weights.sum_duplicates()
        self.user_items_ = weights
        self.solver_ = _resolve_solver(c.solver)
        self.reg_ = data_scaled_reg(weights, c.alpha) if c.reg is None else float(c.reg)
        self.user_factors_, self.item_factors_ = als_factors(weights, dataclasses.replace(c, reg=self.reg_),
                                                             self.solver_)

    def _solve(self, rows, fixed: np.ndarray) -> np.ndarray:
        """One exact half-step: the closed-form vector of every row of ``rows`` given the other side."""
        return _cholesky_half_step(rows, fixed, self.reg_, self.config.alpha)

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


def _resolve_solver(solver: str) -> str:
    """``"auto"`` -> ``"implicit"`` when the package imports, else ``"cholesky"``."""
    if solver == "cholesky":
        return solver
    try:
        import implicit.cpu.als  # noqa: F401
    except ImportError:
        if solver == "implicit":
            raise ImportError("ImplicitALS(solver='implicit') needs the implicit package: pip install implicit "
                              "(or use solver='cholesky', the slower numpy solver).") from None
        return "cholesky"
    return "implicit"


def als_factors(weights, config: ImplicitALSConfig, solver: str | None = None,
                init: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors minimising the weighted ALS objective for a users x items weight matrix.

    Args:
        weights: sparse CSR matrix of summed event weights ``w`` (0 = unobserved).
        config: factors, epochs, reg, alpha, cg_steps, n_threads and seed are read from it.
        solver: ``"implicit"`` or ``"cholesky"``; ``None`` resolves ``config.solver``.
        init: optional starting ``(user_factors, item_factors)`` (a warm start, e.g. the previous
            fit's factors aligned to this matrix's rows and columns) instead of small random ones.

    Returns:
        ``(user_factors, item_factors)`` as float64 arrays.
    """
    c = config
    solver = _resolve_solver(c.solver) if solver is None else solver
    if solver == "implicit":
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        confidence = weights.astype(np.float32)
        confidence.data = (1.0 + c.alpha * confidence.data).astype(np.float32)
        # implicit runs its own threads; BLAS threads on top only oversubscribe the cores
        with threadpool_limits(1):
            model = AlternatingLeastSquares(factors=c.factors, regularization=c.reg, alpha=1.0, iterations=c.epochs,
                                            use_cg=True, calculate_training_loss=False, random_state=c.seed,
                                            num_threads=c.n_threads)
            model.cg_steps = c.cg_steps  # an attribute, not a constructor argument, in implicit 0.7
            if init is not None:  # implicit only draws random factors when none are set
                _check_init(init, weights.shape, c.factors)
                model.user_factors = np.ascontiguousarray(init[0], dtype=np.float32)
                model.item_factors = np.ascontiguousarray(init[1], dtype=np.float32)
            model.fit(confidence, show_progress=False)
        return np.asarray(model.user_factors, dtype=float), np.asarray(model.item_factors, dtype=float)
    rng = np.random.default_rng(c.seed)
    n_users, n_items = weights.shape
    user_factors = rng.normal(scale=0.01, size=(n_users, c.factors))
    item_factors = rng.normal(scale=0.01, size=(n_items, c.factors))
    if init is not None:
        _check_init(init, weights.shape, c.factors)
        user_factors, item_factors = np.asarray(init[0], dtype=float), np.asarray(init[1], dtype=float)
    by_item = weights.T.tocsr()
    for _ in range(c.epochs):
        user_factors = _cholesky_half_step(weights, item_factors, c.reg, c.alpha)
        item_factors = _cholesky_half_step(by_item, user_factors, c.reg, c.alpha)
    return user_factors, item_factors


def _check_init(init, shape: tuple[int, int], factors: int) -> None:
    want = ((shape[0], factors), (shape[1], factors))
    got = tuple(np.shape(x) for x in init)
    if got != want:
        raise ValueError(f"als_factors(init=...) needs user and item factors of shapes {want}, got {got}")


def _cholesky_half_step(rows, fixed: np.ndarray, reg: float, alpha: float) -> np.ndarray:
    """The exact closed-form vector of every row of ``rows`` (CSR weights) given the other side's factors."""
    k = fixed.shape[1]
    base = fixed.T @ fixed + reg * np.eye(k)
    out = np.zeros((rows.shape[0], k))
    for r in range(rows.shape[0]):
        start, end = rows.indptr[r], rows.indptr[r + 1]
        if start == end:
            continue  # nothing observed: the zero vector is the exact minimiser
        idx = rows.indices[start:end]
        conf = 1.0 + alpha * rows.data[start:end]
        f = fixed[idx]
        a = base + (f.T * (conf - 1.0)) @ f
        b = f.T @ conf  # preferences are 1 on observed cells
        out[r] = np.linalg.solve(a, b)
    return out


def data_scaled_reg(weights, alpha: float, share: float = 0.1) -> float:
    """A penalty that scales with the data: ``share`` x a user's mean confidence mass ``sum_i (1 + alpha * w_ui)``.

    A fixed penalty means different things on different data: ``reg=50`` ranks best on MovieLens 100k
    (a user there has about 80 ratings, confidence mass about 470, so this rule gives about 47), while on a
    60-user toy shop (mass about 80) it shrinks every item vector onto the popularity direction. Used by
    the models that build on ALS (UserPersonalization, TwoStage) when their penalty is left at ``None``.
    """
    mass = weights.getnnz() + alpha * float(weights.data.sum())
    active = max(1, int((weights.getnnz(axis=1) > 0).sum()))
    return max(share * mass / active, 1e-3)
