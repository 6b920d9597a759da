"""Split guarantees: hand-worked examples plus hypothesis properties over random logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DatasetError
from workbench.split import (
    Split,
    leave_last_n,
    personalize_holdout,
    random_split,
    stratified_user_split,
    temporal_split,
)


def log(rows: list[tuple[str, int]]) -> pd.DataFrame:
    """Interactions from (user, timestamp) pairs; ITEM_ID numbers the rows so each row is traceable."""
    return pd.DataFrame({"USER_ID": [u for u, _ in rows], "ITEM_ID": [f"r{k}" for k in range(len(rows))],
                         "TIMESTAMP": np.array([t for _, t in rows], dtype=np.int64)})


logs = st.lists(st.tuples(st.sampled_from(list("abcdefgh")), st.integers(0, 30)), min_size=1, max_size=80).map(log)
fractions = st.floats(0.05, 0.95)


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["ITEM_ID"])


def assert_partition(split: Split, frame: pd.DataFrame) -> None:
    parts = ids(split.train) + ids(split.input) + ids(split.test)
    assert sorted(parts) == ids(frame)  # nothing lost, nothing duplicated


# --- hand-worked examples -------------------------------------------------

EXAMPLE = log([("a", 3), ("a", 1), ("a", 2), ("b", 5), ("b", 5), ("c", 9)])


def test_temporal_split_example():
    split = temporal_split(EXAMPLE, test_fraction=0.5)
    # times sorted: 1 2 3 5 5 9; n_test = 3 -> cut at the 4th time (5); both 5s go to test
    assert split.cutoff == 5
    assert ids(split.test) == ["r3", "r4", "r5"] and ids(split.train) == ["r0", "r1", "r2"]
    assert split.input.empty and split.fit_frame is split.train


def test_temporal_split_explicit_cutoff():
    split = temporal_split(EXAMPLE, cutoff=3)
    assert ids(split.test) == ["r0", "r3", "r4", "r5"]


def test_leave_last_n_example():
    split = leave_last_n(EXAMPLE, n=1)
    # a: newest is t=3 (r0); b: tie at t=5, the later row r4 is newer; c has one row and stays in train
    assert ids(split.test) == ["r0", "r4"]
    assert ids(leave_last_n(EXAMPLE, n=2).test) == ["r0", "r2"]  # b has only 2 rows -> stays in train


def test_personalize_holdout_example():
    frame = log([("u1", t) for t in range(20)] + [(f"v{k}", 100 + k) for k in range(9)])
    split = personalize_holdout(frame, user_fraction=0.1, test_fraction=0.1, seed=0)
    # 10 users -> 1 held out; whichever it is, the split follows the 90 / 10 rule
    held = set(split.test["USER_ID"])
    assert len(held) == 1 and held.isdisjoint(split.train["USER_ID"])
    if held == {"u1"}:
        assert ids(split.test) == ["r18", "r19"] and len(split.input) == 18
    else:
        assert len(split.test) == 1 and split.input.empty
    assert_partition(split, frame)


def test_personalize_holdout_u1_case_explicitly():
    frame = log([("u1", t) for t in range(20)])
    split = personalize_holdout(frame, user_fraction=0.5, test_fraction=0.1)
    # one user only -> that user is held out: 2 newest of 20 to test, 18 to input, train empty
    assert split.train.empty and ids(split.test) == ["r18", "r19"] and len(split.input) == 18
    assert len(split.fit_frame) == 18


def test_random_split_is_seeded_and_exact():
    frame = log([("a", t) for t in range(50)])
    first, second = random_split(frame, 0.2, seed=7), random_split(frame, 0.2, seed=7)
    assert len(first.test) == 10
    pd.testing.assert_frame_equal(first.test, second.test)
    assert ids(random_split(frame, 0.2, seed=8).test) != ids(first.test)


def test_stratified_counts_per_user():
    frame = log([("a", t) for t in range(10)] + [("b", t) for t in range(3)] + [("c", 0)])
    split = stratified_user_split(frame, test_fraction=0.3, seed=1)
    counts = split.test["USER_ID"].value_counts().to_dict()
    assert counts == {"a": 3, "b": 1}  # round(3.0)=3, round(0.9)=1, c keeps its single row


def test_missing_columns_and_bad_fractions():
    with pytest.raises(DatasetError, match="TIMESTAMP"):
        temporal_split(EXAMPLE.drop(columns=["TIMESTAMP"]))
    with pytest.raises(DatasetError, match="USER_ID"):
        leave_last_n(EXAMPLE.drop(columns=["USER_ID"]))
    with pytest.raises(ValueError, match="test_fraction"):
        random_split(EXAMPLE, 1.0)
    with pytest.raises(DatasetError, match="numeric"):
        temporal_split(EXAMPLE.assign(TIMESTAMP="2024-01-01"))


# --- properties -----------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(logs, fractions)
def test_temporal_no_leakage(frame, fraction):
    split = temporal_split(frame, fraction)
    assert_partition(split, frame)
    assert len(split.test) >= 1
    if len(split.train):
        assert split.train["TIMESTAMP"].max() < split.cutoff <= split.test["TIMESTAMP"].min()


@settings(max_examples=40, deadline=None)
@given(logs, st.integers(1, 4))
def test_leave_last_n_no_leakage(frame, n):
    split = leave_last_n(frame, n)
    assert_partition(split, frame)
    sizes = frame["USER_ID"].value_counts()
    for user, group in split.test.groupby("USER_ID"):
        assert len(group) == n and sizes[user] > n
        train = split.train[split.train["USER_ID"] == user]
        assert train["TIMESTAMP"].max() <= group["TIMESTAMP"].min()
    assert set(split.test["USER_ID"]) == set(sizes[sizes > n].index)


@settings(max_examples=40, deadline=None)
@given(logs, fractions, st.integers(0, 2**32 - 1))
def test_random_split_partition(frame, fraction, seed):
    split = random_split(frame, fraction, seed)
    assert_partition(split, frame)
    assert len(split.test) == int(np.floor(len(frame) * fraction + 0.5))


@settings(max_examples=40, deadline=None)
@given(logs, fractions, st.integers(0, 2**32 - 1))
def test_stratified_every_test_user_keeps_training_rows(frame, fraction, seed):
    split = stratified_user_split(frame, fraction, seed)
    assert_partition(split, frame)
    sizes = frame["USER_ID"].value_counts()
    test_sizes = split.test["USER_ID"].value_counts()
    for user, size in sizes.items():
        expected = min(int(np.floor(size * fraction + 0.5)), size - 1)
        assert test_sizes.get(user, 0) == expected


@settings(max_examples=40, deadline=None)
@given(logs, fractions, fractions, st.integers(0, 2**32 - 1))
def test_personalize_holdout_guarantees(frame, user_fraction, test_fraction, seed):
    split = personalize_holdout(frame, user_fraction, test_fraction, seed)
    assert_partition(split, frame)
    held = set(split.test["USER_ID"])
    n_users = frame["USER_ID"].nunique()
    assert len(held) == max(1, int(np.floor(n_users * user_fraction + 0.5)))
    assert held.isdisjoint(split.train["USER_ID"])
    assert set(split.input["USER_ID"]) <= held
    sizes = frame["USER_ID"].value_counts()
    for user in held:
        test = split.test[split.test["USER_ID"] == user]
        given_input = split.input[split.input["USER_ID"] == user]
        assert len(test) == max(1, int(np.floor(sizes[user] * test_fraction + 0.5)))
        if len(given_input):
            assert given_input["TIMESTAMP"].max() <= test["TIMESTAMP"].min()
