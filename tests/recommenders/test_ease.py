"""EASE and ImplicitALS: contract, closed forms checked by hand, optimality properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, ITEM_ID, SCORE, USER_ID
from workbench.recommenders import EASE, ImplicitALS

from .contract import RecommenderContract, contract_dataset


class TestEASEContract(RecommenderContract):
    def make_model(self):
        return EASE(reg=50)


class TestImplicitALSContract(RecommenderContract):
    def make_model(self):
        return ImplicitALS(factors=8, epochs=5, reg=1.0, solver="implicit")


class TestCholeskyALSContract(RecommenderContract):
    def make_model(self):
        return ImplicitALS(factors=8, epochs=5, reg=1.0, solver="cholesky")


def frame_from_matrix(matrix: np.ndarray) -> pd.DataFrame:
    users, items = np.nonzero(matrix)
    return pd.DataFrame({USER_ID: [f"u{u}" for u in users], ITEM_ID: [f"i{i}" for i in items]})


def test_ease_two_item_example_by_hand():
    # X = [[1,1],[1,0],[0,1]] -> G = [[2,1],[1,2]]; with lambda = 1, B_12 = G_12 / (G_11 + 1) = 1/3
    model = EASE(reg=1.0).fit(frame_from_matrix(np.array([[1, 1], [1, 0], [0, 1]])))
    i0, i1 = model.item_vocab.to_inner(["i0", "i1"])
    assert model.weights_[i0, i1] == pytest.approx(1 / 3)
    assert model.weights_[i1, i0] == pytest.approx(1 / 3)
    assert model.weights_[i0, i0] == 0.0
    recs = model.recommend(["u1"], n=2)  # u1 has only i0
    assert recs[ITEM_ID].tolist() == ["i1"]
    assert recs[SCORE].item() == pytest.approx(1 / 3)
    assert "Because you interacted with i0" in model.explain("u1", "i1")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    reg=st.floats(0.5, 50.0),
    shape=st.tuples(st.integers(4, 12), st.integers(3, 8)),
)
def test_ease_weights_satisfy_the_constrained_optimum(seed, reg, shape):
    rng = np.random.default_rng(seed)
    x = (rng.random(shape) < 0.4).astype(float)
    x[0, :] = 1  # every item is seen at least once
    model = EASE(reg=reg).fit(frame_from_matrix(x))
    order = model.item_vocab.to_inner([f"i{i}" for i in range(shape[1])])
    b = model.weights_[np.ix_(order, order)]
    gram = x.T @ x
    # stationarity of ||X - XB||^2 + reg ||B||^2 in every off-diagonal entry (the diagonal is fixed at 0)
    residual = (gram + reg * np.eye(shape[1])) @ b - gram
    off_diagonal = ~np.eye(shape[1], dtype=bool)
    np.testing.assert_allclose(residual[off_diagonal], 0.0, atol=1e-8)
    np.testing.assert_array_equal(np.diag(b), 0.0)


def test_ease_event_weighting_and_guards():
    events = pd.DataFrame({USER_ID: ["a", "a", "b", "b", "c"], ITEM_ID: ["x", "y", "x", "z", "y"],
                           EVENT_TYPE: ["purchase", "view", "view", "view", "view"]})
    binary = EASE(reg=1.0).fit(events)
    weighted = EASE(reg=1.0, weighting="events").fit(events)
    assert binary.user_items_.max() == 1.0
    assert weighted.user_items_.max() == 8.0  # the purchase weight
    with pytest.raises(ValueError, match="max_items"):
        EASE(max_items=2).fit(events)
    with pytest.raises(ValueError, match="reg > 0"):
        EASE(reg=0).fit(events)


def test_ease_refuses_cleanly_above_the_memory_limit():
    from workbench.recommenders.memory import ModelTooLargeError

    events = pd.DataFrame({USER_ID: ["a", "a", "b", "c"], ITEM_ID: ["x", "y", "x", "z"]})
    with pytest.raises(ModelTooLargeError) as info:
        EASE(max_bytes=100).fit(events)  # 3 items need 16 * 9 = 144 bytes
    message = str(info.value)
    assert "dense 3 x 3 float64 matrix" in message
    assert "about 144 bytes" in message and "limit of 100 bytes" in message
    assert "at most about 2 items fit" in message  # sqrt(100 / 16) = 2.5
    assert isinstance(info.value, MemoryError) and info.value.needed_bytes == 144
    assert EASE(max_bytes=144).fit(events).weights_.shape == (3, 3)  # exactly at the limit: fits
    # the catalogue: 92,000 items need about 135 GB; a 64 GiB limit allows sqrt(64 GiB / 16) = 65,536 items
    big = EASE(max_bytes=64 * 1024**3)
    assert big.estimated_bytes(92_000) == 16 * 92_000**2
    assert big.max_items_for_memory() == 65_536
    with pytest.raises(ModelTooLargeError, match="92,000 x 92,000"):
        big.check_size(92_000)


# ------------------------------------------------------------------ ALS
def als_loss(model: ImplicitALS) -> float:
    """The weighted objective written out densely (small data only)."""
    w = model.user_items_.toarray()
    pref = (w > 0).astype(float)
    conf = 1.0 + model.config.alpha * w
    pred = model.user_factors_ @ model.item_factors_.T
    reg = model.reg_ * ((model.user_factors_ ** 2).sum() + (model.item_factors_ ** 2).sum())
    return float((conf * (pref - pred) ** 2).sum() + reg)


def test_als_loss_never_increases_with_more_epochs():
    interactions, _, _ = contract_dataset(n_users=30, n_items=20)
    losses = [als_loss(ImplicitALS(factors=4, epochs=e, reg=1.0, solver="cholesky").fit(interactions)) for e in (1, 2, 3, 5, 8)]
    assert all(later <= earlier + 1e-9 for earlier, later in zip(losses, losses[1:]))
    assert losses[-1] < losses[0]


def test_als_user_vectors_are_exact_least_squares_solutions():
    interactions, _, _ = contract_dataset(n_users=20, n_items=15)
    model = ImplicitALS(factors=3, epochs=2, reg=1.0, solver="cholesky").fit(interactions)
    # after the last item step, redo one user step by hand: the gradient in x_u must vanish
    model.user_factors_ = model._solve(model.user_items_, model.item_factors_)
    w = model.user_items_.toarray()[4]
    conf = 1 + model.config.alpha * w
    y = model.item_factors_
    x = model.user_factors_[4]
    gradient = -2 * y.T @ (conf * ((w > 0) - y @ x)) + 2 * model.reg_ * x
    np.testing.assert_allclose(gradient, 0.0, atol=1e-8)


def test_als_recommends_from_the_users_taste_cluster():
    interactions, items, _ = contract_dataset(n_users=100, n_items=40, seed=3)
    category = items.set_index(ITEM_ID)["CATEGORY_L1"]
    for solver in ("cholesky", "implicit"):
        model = ImplicitALS(factors=5, epochs=10, reg=1.0, solver=solver).fit(interactions, items=items)
        recs = model.recommend(model.user_vocab.ids, n=3, exclude_seen=False)
        favourite = {u: interactions.loc[interactions[USER_ID] == u, ITEM_ID].map(category).mode()[0]
                     for u in model.user_vocab.ids}
        share = np.mean([category[i] == favourite[u] for u, i in zip(recs[USER_ID], recs[ITEM_ID])])
        assert share > 0.6, solver  # 1 in 5 would be chance


def test_als_implicit_solver_reaches_the_exact_solvers_objective():
    # both solvers minimise the same weighted loss: implicit's conjugate gradient (float32, from its
    # own random start) must end within a few percent of the exact alternating solution
    interactions, _, _ = contract_dataset(n_users=40, n_items=25)
    exact = ImplicitALS(factors=4, epochs=15, reg=1.0, solver="cholesky").fit(interactions)
    fast = ImplicitALS(factors=4, epochs=15, reg=1.0, solver="implicit", cg_steps=6).fit(interactions)
    assert fast.solver_ == "implicit" and exact.solver_ == "cholesky"
    start = als_loss(ImplicitALS(factors=4, epochs=1, reg=1.0, solver="cholesky").fit(interactions))
    assert als_loss(fast) < start
    assert als_loss(fast) == pytest.approx(als_loss(exact), rel=0.05)


def test_als_solver_choice_and_missing_package(monkeypatch):
    import sys

    interactions, _, _ = contract_dataset(n_users=10, n_items=8)
    with pytest.raises(ValueError, match="solver"):
        ImplicitALS(solver="sgd").fit(interactions)
    monkeypatch.setitem(sys.modules, "implicit.cpu.als", None)  # as if the package were not installed
    with pytest.raises(ImportError, match="pip install implicit"):
        ImplicitALS(solver="implicit").fit(interactions)
    assert ImplicitALS(factors=2, epochs=1, solver="auto").fit(interactions).solver_ == "cholesky"


def test_als_default_penalty_scales_with_the_data():
    # 3 users, 5 observed cells of weight 1 -> confidence 1 + 5 * 1 = 6 each: 0.1 * 30 / 3 = 1.0
    frame = pd.DataFrame({USER_ID: ["a", "a", "a", "b", "c"], ITEM_ID: ["x", "y", "z", "x", "y"]})
    assert ImplicitALS(factors=2, epochs=1, solver="cholesky").fit(frame).reg_ == pytest.approx(1.0)
    assert ImplicitALS(factors=2, epochs=1, reg=3.0, solver="cholesky").fit(frame).reg_ == 3.0
