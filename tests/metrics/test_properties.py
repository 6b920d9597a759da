"""Property tests (hypothesis) and cross-checks against scikit-learn and a pandas groupby version."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import ndcg_score

from workbench.metrics import evaluate

from .groupby_reference import groupby_metrics
from .helpers import lists, truth_of

ITEMS = [f"i{j}" for j in range(12)]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenario(draw, min_list: int = 1):
    """A few users, each with a list (distinct items) and a non-empty truth set."""
    n_users = draw(st.integers(1, 4))
    recs, truth = {}, {}
    for u in range(n_users):
        listed = draw(st.permutations(ITEMS))[: draw(st.integers(min_list, 8))]
        relevant = draw(st.lists(st.sampled_from(ITEMS), min_size=1, max_size=8, unique=True))
        recs[f"u{u}"], truth[f"u{u}"] = list(listed), relevant
    k = draw(st.integers(1, 10))
    return recs, truth, k


@SETTINGS
@given(scenario(min_list=0), st.sampled_from(["personalize", "recommenders", "lenskit"]))
def test_every_metric_lies_in_unit_interval(data, convention):
    recs, truth, k = data
    table = evaluate(lists(recs), truth_of(truth), k=k, convention=convention).per_user.drop(columns="USER_ID")
    values = table.to_numpy(dtype=float)
    finite = values[~np.isnan(values)]
    assert ((finite >= 0) & (finite <= 1 + 1e-12)).all()
    if convention != "lenskit":  # only LensKit's list-length denominators can produce NaN (empty list)
        assert not np.isnan(values).any()


@SETTINGS
@given(scenario())
def test_perfect_list_scores_one(data):
    _, truth, k = data
    perfect = {u: items[:] for u, items in truth.items()}  # every relevant item, nothing else
    s = evaluate(lists(perfect), truth_of(truth), k=k).per_user.set_index("USER_ID")
    n_rel = pd.Series({u: len(v) for u, v in truth.items()})[s.index]
    for label in (f"NDCG@{k}", f"MRR@{k}", f"MAP@{k}", f"HitRate@{k}"):
        assert np.allclose(s[label], 1.0)
    assert np.allclose(s[f"Recall@{k}"], np.minimum(k, n_rel) / n_rel)
    assert np.allclose(s[f"Precision@{k}"], np.minimum(k, n_rel) / k)
    lk = evaluate(lists(perfect), truth_of(truth), k=k, convention="lenskit").summary
    assert lk[f"Recall@{k}"] == pytest.approx(1.0) and lk[f"Precision@{k}"] == pytest.approx(1.0)


@SETTINGS
@given(scenario(min_list=0), st.randoms(use_true_random=False))
def test_reordering_the_truth_changes_nothing(data, random):
    recs, truth, k = data
    frame = truth_of(truth)
    shuffled = frame.iloc[random.sample(range(len(frame)), len(frame))]
    a = evaluate(lists(recs), frame, k=k).per_user.sort_values("USER_ID").reset_index(drop=True)
    b = evaluate(lists(recs), shuffled, k=k).per_user.sort_values("USER_ID").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@SETTINGS
@given(scenario(min_list=2), st.data())
def test_moving_a_hit_up_never_lowers_ndcg_mrr_map(data, draw):
    recs, truth, k = data
    user = "u0"
    listed = recs[user]
    rel = set(truth[user])
    hit_positions = [p for p, item in enumerate(listed) if item in rel]
    miss_positions = [p for p, item in enumerate(listed) if item not in rel]
    candidates = [(h, m) for h in hit_positions for m in miss_positions if m < h]
    if not candidates:
        return
    hit, miss = draw.draw(st.sampled_from(candidates))
    moved = listed[:]
    moved[hit], moved[miss] = moved[miss], moved[hit]
    before = evaluate(lists({user: listed}), truth_of({user: truth[user]}), k=k).summary
    after = evaluate(lists({user: moved}), truth_of({user: truth[user]}), k=k).summary
    for label in (f"NDCG@{k}", f"MRR@{k}", f"MAP@{k}", f"Recall@{k}", f"Precision@{k}"):
        assert after[label] >= before[label] - 1e-12


def _random_frames(rng: np.random.Generator, n_users: int, n_items: int, k: int):
    items = np.array([f"item_{j}" for j in range(n_items)], dtype=object)
    recs, truth = {}, {}
    for u in range(n_users):
        recs[f"user_{u}"] = list(rng.permutation(items)[: rng.integers(1, k + 1)])
        truth[f"user_{u}"] = list(rng.choice(items, size=rng.integers(1, 15), replace=True))  # repeats allowed
    return lists(recs), truth_of(truth)


def test_agrees_with_pandas_groupby_reference_to_1e9():
    rng = np.random.default_rng(7)
    recs, truth = _random_frames(rng, n_users=300, n_items=60, k=10)
    fast = evaluate(recs, truth, k=10).per_user.set_index("USER_ID")
    slow = groupby_metrics(recs, truth, k=10).loc[fast.index, fast.columns]
    assert np.abs(fast.to_numpy() - slow.to_numpy()).max() <= 1e-9


def test_ndcg_matches_sklearn_ndcg_score():
    rng = np.random.default_rng(11)
    n_users, n_items, k = 40, 30, 10
    recs, truth = _random_frames(rng, n_users, n_items, k)
    truth = truth.drop_duplicates()
    users = [f"user_{u}" for u in range(n_users)]
    items = {f"item_{j}": j for j in range(n_items)}
    y_true = np.zeros((n_users, n_items))
    y_score = np.zeros((n_users, n_items))
    for row in truth.itertuples():
        y_true[users.index(row.USER_ID), items[row.ITEM_ID]] = 1.0
    for row in recs.itertuples():
        y_score[users.index(row.USER_ID), items[row.ITEM_ID]] = 100.0 - row.RANK
    # unrecommended items tie at score 0; with full-length lists they never reach the top k
    full = recs.groupby("USER_ID").size().reindex(users) >= k
    ours = evaluate(recs, truth, k=k, metrics=["ndcg"]).per_user.set_index("USER_ID")["NDCG@10"]
    for u, name in enumerate(users):
        if full[name]:
            expected = ndcg_score(y_true[[u]], y_score[[u]], k=k)
            assert ours[name] == pytest.approx(expected, abs=1e-12)
    assert full.sum() >= 3  # the comparison really ran


def test_graded_ndcg_matches_sklearn():
    rng = np.random.default_rng(5)
    n_items, k = 15, 5
    gains = rng.integers(0, 4, n_items).astype(float)
    gains[0] = 2.0
    order = rng.permutation(n_items)
    recs = lists({"u": [f"i{j}" for j in order]})
    truth = pd.DataFrame({"USER_ID": "u", "ITEM_ID": [f"i{j}" for j in range(n_items)], "EVENT_VALUE": gains})
    scores = np.zeros(n_items)
    scores[order] = n_items - np.arange(n_items)
    expected = ndcg_score(gains[None, :], scores[None, :], k=k)
    ours = evaluate(recs, truth, k=k, metrics=["ndcg"], gain="EVENT_VALUE").summary["NDCG@5"]
    assert ours == pytest.approx(expected, abs=1e-12)
