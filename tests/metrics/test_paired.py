"""Paired differences: hand-worked cases and a property test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.metrics import compare_per_user, evaluate, paired_difference


def test_hand_worked_cases():
    a = pd.Series({"u1": 0.5, "u2": 0.2, "u3": 0.9, "u4": 0.0})
    b = pd.Series({"u1": 0.5, "u2": 0.1, "u3": 0.8, "u5": 1.0})  # u4 and u5 are not shared
    d = paired_difference(a, b)
    assert d.n == 3 and d.mean == pytest.approx((0.0 + 0.1 + 0.1) / 3)
    assert 0.0 <= d.low <= d.mean <= d.high <= 0.1 + 1e-12
    same = paired_difference(a, a + 0.25)
    assert (same.mean, same.low, same.high) == pytest.approx((-0.25, -0.25, -0.25)) and same.below_zero
    assert np.isnan(paired_difference(a, pd.Series({"x": 1.0})).mean)
    assert str(same) == "-0.2500 [-0.2500, -0.2500]"


def test_noise_is_not_called_a_difference_and_a_real_shift_is():
    rng = np.random.default_rng(1)
    users = [f"u{i}" for i in range(400)]
    base = pd.Series(rng.random(400), index=users)
    noise = base + rng.normal(0, 0.2, 400)
    shifted = base + 0.1 + rng.normal(0, 0.05, 400)
    assert not paired_difference(noise, base).below_zero and not paired_difference(noise, base).above_zero
    assert paired_difference(shifted, base).above_zero


def test_compare_per_user_reads_evaluations():
    truth = pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": ["a", "b"]})
    good = pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": ["a", "b"], "RANK": [1, 1]})
    bad = pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": ["b", "a"], "RANK": [1, 1]})
    d = compare_per_user(evaluate(good, truth, k=1, metrics=["ndcg"]), evaluate(bad, truth, k=1, metrics=["ndcg"]), "NDCG@1")
    assert d.mean == pytest.approx(1.0) and d.n == 2
    with pytest.raises(KeyError, match="Recall@1"):
        compare_per_user(evaluate(good, truth, k=1, metrics=["ndcg"]), evaluate(bad, truth, k=1, metrics=["ndcg"]), "Recall@1")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=2, max_size=40), st.floats(-0.5, 0.5))
def test_interval_holds_the_mean_and_moves_with_a_shift(values, shift):
    a = pd.Series(values, index=[f"u{i}" for i in range(len(values))])
    b = pd.Series(0.0, index=a.index)
    d = paired_difference(a, b)
    assert d.low - 1e-9 <= d.mean <= d.high + 1e-9
    moved = paired_difference(a + shift, b)
    assert moved.mean == pytest.approx(d.mean + shift, abs=1e-9)


def test_verdict_names_the_side_of_zero():
    up = paired_difference(pd.Series({"a": 1.0, "b": 2.0}), pd.Series({"a": 0.0, "b": 0.0}))
    down = paired_difference(pd.Series({"a": -1.0, "b": -2.0}), pd.Series({"a": 0.0, "b": 0.0}))
    tie = paired_difference(pd.Series({"a": -1.0, "b": 1.0}), pd.Series({"a": 0.0, "b": 0.0}))
    assert (up.verdict(), down.verdict(), tie.verdict()) == ("better", "worse", "not told apart")
    assert up.verdict("ahead", "behind") == "ahead" and tie.verdict(tie="a tie") == "a tie"
