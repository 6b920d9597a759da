"""The compiled loops give exactly what their numpy formulations give (ties, NaN and infinities included)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench import kernels
from workbench.kernels import taste_utilities, top_k_rows


def _top_k_by_argmax(scores: np.ndarray, k: int) -> np.ndarray:
    """The reference: k passes of argmax, ties to the lower column, -1 for a non-finite pick."""
    work = scores.copy()
    rows = np.arange(scores.shape[0])
    top = np.empty((scores.shape[0], k), dtype=np.int64)
    for j in range(k):
        best = work.argmax(axis=1)
        top[:, j] = np.where(np.isfinite(work[rows, best]), best, -1)
        work[rows, best] = -np.inf
    return top


_values = st.sampled_from([0.0, 1.0, -1.0, 2.5, 0.5, np.inf, -np.inf, np.nan])


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12), elements=_values),
       st.integers(1, 12), st.booleans())
def test_top_k_rows_equals_k_argmax_passes(scores, k, as_float32):
    scores = scores.astype(np.float32) if as_float32 else scores
    k = min(k, scores.shape[1])
    assert (top_k_rows(scores, k) == _top_k_by_argmax(scores, k)).all()


def test_top_k_rows_hand_worked():
    scores = np.array([[0.2, 0.9, 0.9, -np.inf, 0.5],
                       [-np.inf, -np.inf, 1.0, -np.inf, -np.inf]])
    assert top_k_rows(scores, 3).tolist() == [[1, 2, 4], [2, -1, -1]]


def test_top_k_rows_on_random_score_matrices():
    rng = np.random.default_rng(7)
    for n_cols, k in ((1_300, 13), (300, 10), (50, 50)):
        scores = rng.standard_normal((40, n_cols))
        scores[scores < -1.5] = -np.inf
        scores[:4] = np.round(scores[:4])  # many ties
        assert (top_k_rows(scores, k) == _top_k_by_argmax(scores, k)).all()
        serial, parallel = (np.full((40, k), -1, dtype=np.int64) for _ in range(2))
        kernels._top_k_serial(scores, k, serial)
        kernels._top_k_parallel(scores, k, parallel)
        assert (serial == parallel).all()


@pytest.mark.parametrize("n_rows, n_items", [(25, 200), (60, 500)])  # one thread; rows over every core
def test_taste_utilities_is_bit_identical_to_the_numpy_sums(n_rows, n_items):
    assert (n_rows * n_items >= kernels._PARALLEL_CELLS) == (n_rows == 60)
    rng = np.random.default_rng(3)
    taste = rng.standard_normal((n_rows, 30)).astype(np.float32)
    cols = [rng.integers(lo, hi, n_items) for lo, hi in ((0, 8), (8, 12), (12, 22), (22, 30))]
    sensitivity = rng.random(n_rows).astype(np.float32)
    log_price = rng.standard_normal(n_items).astype(np.float32)
    terms = rng.standard_normal(n_items).astype(np.float32)
    expected = taste[:, cols[0]]
    for c in cols[1:]:
        expected += taste[:, c]
    expected -= sensitivity[:, None] * log_price[None, :]
    expected += terms
    got = taste_utilities(taste, *cols, sensitivity, log_price, terms)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected)


def test_inside_one_thread_the_kernels_do_not_split_rows(monkeypatch):
    scores = np.random.default_rng(1).random((40, 1_000))
    assert scores.size >= kernels._PARALLEL_CELLS
    expected = top_k_rows(scores, 5)

    def refuse(*args):
        raise AssertionError("split over the cores inside one_thread()")

    monkeypatch.setattr(kernels, "_top_k_parallel", refuse)
    monkeypatch.setattr(kernels, "_utilities_parallel", refuse)
    with kernels.one_thread():
        assert (top_k_rows(scores, 5) == expected).all()
        taste = np.ones((40, 4), dtype=np.float32)
        cols = np.zeros(1_000, dtype=np.int64)
        ones = np.ones(1_000, dtype=np.float32)
        taste_utilities(taste, cols, cols, cols, cols, np.ones(40, dtype=np.float32), ones, ones)
    with pytest.raises(AssertionError, match="split"):  # outside it, large matrices are split again
        top_k_rows(scores, 5)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 300), st.integers(0, 2**31))
def test_row_sum_adds_in_numpys_order(n, seed):
    values = np.random.default_rng(seed).standard_normal(n) * 10.0 ** np.random.default_rng(seed).integers(-8, 8, n)
    assert kernels._numpy_row_sum(values, 0.0) == values.sum()  # bit for bit, not approximately
    matrix = np.tile(values, (3, 1))
    assert kernels._numpy_row_sum(values, 0.0) == matrix.sum(axis=1)[1]  # what a per-row sum of a matrix gives


def _list_hits_numpy(top, truth_rows, truth_items, discount, width):
    """The reference: a (lists x items) truth matrix and whole-matrix sums."""
    n = top.shape[0]
    truth = np.zeros((n, max(width, 1)), dtype=bool)
    truth[truth_rows, truth_items] = True
    rel = (top >= 0) & truth[np.arange(n)[:, None], np.maximum(top, 0)]
    return (rel * discount).sum(axis=1), rel.sum(axis=1), truth.sum(axis=1)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 12), st.integers(1, 25), st.integers(1, 30), st.integers(0, 60), st.integers(0, 2**31))
def test_list_hits_equals_the_truth_matrix_sums(n, length, n_items, n_truth, seed):
    rng = np.random.default_rng(seed)
    top = rng.integers(-1, n_items, (n, length))  # -1 slots and repeated items included
    rows, items = rng.integers(0, n, n_truth), rng.integers(0, n_items, n_truth)  # duplicates included
    discount = 1.0 / np.log2(np.arange(2, length + 2))
    got = kernels.list_hits(top, rows, items, discount, n_items)
    for ours, reference in zip(got, _list_hits_numpy(top, rows, items, discount, n_items)):
        assert (ours == reference).all()


def test_list_hits_hand_worked():
    top = np.array([[4, 2, -1], [1, 1, 0]])
    dcg, hits, n_truth = kernels.list_hits(top, np.array([0, 0, 1, 0]), np.array([2, 9, 1, 2]),
                                           np.array([1.0, 0.5, 0.25]), 10)
    assert dcg.tolist() == [0.5, 1.5] and hits.tolist() == [1, 2] and n_truth.tolist() == [2, 1]


def _random_list_rows_numpy(draws, keys, exclude, k):
    """The reference: sort, blank repeats and excluded items, shuffle by the keys, compact the rest."""
    draws = np.sort(draws, axis=1)
    dup = np.zeros_like(draws, dtype=bool)
    dup[:, 1:] = draws[:, 1:] == draws[:, :-1]
    draws[dup] = -1
    if exclude.shape[1]:
        draws[(draws[:, :, None] == exclude[:, None, :]).any(axis=2)] = -1
    shuffled = np.take_along_axis(draws, np.argsort(keys, axis=1), axis=1)
    order = np.argsort(shuffled < 0, axis=1, kind="stable")
    out = np.take_along_axis(shuffled, order, axis=1)[:, :k]
    return np.concatenate([out, np.full((len(out), k - out.shape[1]), -1)], axis=1) if out.shape[1] < k else out


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10), st.integers(1, 30), st.integers(1, 12), st.integers(0, 5), st.integers(0, 2**31))
def test_random_list_rows_equals_the_numpy_steps(n, m, k, width, seed):
    rng = np.random.default_rng(seed)
    draws = rng.integers(-1, 15, (n, m))
    keys = rng.random((n, m))
    exclude = rng.integers(-1, 15, (n, width))
    got = kernels.random_list_rows(draws, keys, exclude, k)
    assert (got == _random_list_rows_numpy(draws, keys, exclude, k)).all()
    for row, skip in zip(got, exclude):
        kept = row[row >= 0]
        assert len(set(kept.tolist())) == len(kept) and not np.isin(kept, skip).any()  # distinct, none excluded


def _decay_and_add_numpy(state, users, old, inv, items, coef, factors):
    """The numpy steps :func:`kernels.decay_and_add` replaces (UserPersonalization's small-batch fold)."""
    by_user = np.argsort(inv, kind="stable")
    starts = np.flatnonzero(np.r_[True, inv[by_user][1:] != inv[by_user][:-1]])
    summed = np.add.reduceat(coef[by_user][:, None] * factors[items[by_user]], starts, axis=0)
    state[users] = state[users] * old[:, None] + summed


@settings(max_examples=200, deadline=None)
# few users: long groups (numpy's 8 lanes and its halving past 128 terms); many users: short groups
@given(st.integers(1, 400), st.integers(1, 40), st.sampled_from([1, 3, 32, 64]), st.booleans(), st.integers(0, 2**31))
def test_decay_and_add_is_bit_identical_to_reduceat(n_events, n_users, width, float32_factors, seed):
    rng = np.random.default_rng(seed)
    users_all = rng.choice(50, n_users, replace=False)
    inv = rng.integers(0, n_users, n_events)
    inv[:n_users] = np.arange(n_users)[: min(n_users, n_events)]  # as in the model: every user has an event
    users = np.sort(users_all[np.unique(inv)])
    inv = np.searchsorted(users, users_all[inv])
    factors = rng.normal(size=(30, width)).astype(np.float32 if float32_factors else np.float64)
    items = rng.integers(0, 30, n_events)
    coef = rng.choice([0.0, -0.0, 1.0, 0.5, 1e-300], n_events) * rng.exponential(size=n_events)
    old = rng.choice([0.0, 1.0, 0.7], len(users))
    state = rng.normal(size=(50, width))
    state[rng.random(state.shape) < 0.2] = -0.0
    expected = state.copy()
    _decay_and_add_numpy(expected, users, old, inv, items, coef, factors)
    kernels.decay_and_add(state, users, old, inv, items, coef, factors)
    assert np.array_equal(state.view(np.int64), expected.view(np.int64))  # every bit, signed zeros too


def test_decay_and_add_hand_worked():
    state = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    factors = np.array([[1.0, 0.0], [0.0, 1.0]])
    # user 0 decays by half and gains 2 x item 0 + 1 x item 1; user 1 (no event) decays to a tenth;
    # user 2 keeps its state and gains 3 x item 1
    kernels.decay_and_add(state, np.array([0, 1, 2]), np.array([0.5, 0.1, 1.0]), np.array([0, 2, 0]),
                          np.array([0, 1, 1]), np.array([2.0, 3.0, 1.0]), factors)
    assert np.allclose(state, [[2.5, 2.0], [0.3, 0.4], [5.0, 9.0]])

