"""SIMS: contract, a hand-worked co-occurrence example, and properties of the similarity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import FALLBACK, ITEM_ID, QUERY_ITEM_ID, SCORE, TIMESTAMP, USER_ID
from workbench.recommenders.sims import SIMS

from .contract import RecommenderContract


class TestSIMSContract(RecommenderContract):
    def make_model(self):
        return SIMS()


def hand_log() -> pd.DataFrame:
    """u1: A B C | u2: A B | u3: A B D | u4: A C | u5: B C | u6: D  (u1 views A twice)."""
    histories = {"u1": "ABCA", "u2": "AB", "u3": "ABD", "u4": "AC", "u5": "BC", "u6": "D"}
    rows = [(u, i, 1_700_000_000 + 60 * k) for u, items in histories.items() for k, i in enumerate(items)]
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP])


# n: A 4, B 4, C 3, D 2.  co-interactions: AB 3, AC 2, BC 2, AD 1, BD 1, CD 0.


def similarity(model: SIMS, a: str, b: str) -> float:
    i, j = model.item_vocab.to_inner([a, b])
    return float(model.similarity_[i, j])


def test_hand_worked_counts_and_cosine():
    model = SIMS(min_cointeraction_count=2).fit(hand_log())
    counts = dict(zip(model.item_vocab.ids, model.item_counts_))
    assert counts == {"A": 4, "B": 4, "C": 3, "D": 2}  # repeats by one user count once
    assert similarity(model, "A", "B") == pytest.approx(3 / math.sqrt(4 * 4))  # 0.75
    assert similarity(model, "A", "C") == pytest.approx(2 / math.sqrt(4 * 3))  # 0.5774
    assert similarity(model, "B", "C") == pytest.approx(2 / math.sqrt(4 * 3))
    assert similarity(model, "A", "D") == 0.0  # 1 shared user < min_cointeraction_count 2


def test_hand_worked_similar_items_with_popular_padding():
    model = SIMS(min_cointeraction_count=2).fit(hand_log())
    recs = model.similar_items("A", n=3)
    assert recs[QUERY_ITEM_ID].tolist() == ["A", "A", "A"]
    assert recs[ITEM_ID].tolist() == ["B", "C", "D"]
    assert recs[SCORE].tolist()[:2] == pytest.approx([0.75, 2 / math.sqrt(12)])
    # D is not a neighbour (1 shared user): popular-item padding, score n_D/(max n + 1) - 1 = 2/5 - 1
    assert recs[SCORE].iloc[2] == pytest.approx(-0.6)
    assert recs[FALLBACK].tolist() == [False, False, True]


def test_default_min_cointeraction_count_is_three():
    model = SIMS().fit(hand_log())
    assert model.config.min_cointeraction_count == 3 and model.config.popularity_discount_factor == 0.5
    assert similarity(model, "A", "B") == pytest.approx(0.75)  # 3 shared users: kept
    assert similarity(model, "A", "C") == 0.0  # 2 shared users: dropped
    recs = model.similar_items("C", n=3)  # C has no neighbour left -> popular items only
    assert recs[FALLBACK].all()
    assert recs[ITEM_ID].tolist() == ["A", "B", "D"]  # A and B tie on 4 users, D has 2


@pytest.mark.parametrize("alpha, expected_ab, expected_ac", [
    (0.0, 3.0, 2.0),  # raw co-occurrence
    (1.0, 3 / 16, 2 / 12),  # lift-like
])
def test_popularity_discount_factor(alpha, expected_ab, expected_ac):
    model = SIMS(min_cointeraction_count=2, popularity_discount_factor=alpha).fit(hand_log())
    assert similarity(model, "A", "B") == pytest.approx(expected_ab)
    assert similarity(model, "A", "C") == pytest.approx(expected_ac)


def test_user_recommendations_sum_similarity_to_recent_items():
    # u4 (A, C) with min count 2: candidates B = s(A,B) + s(C,B) = 0.75 + 0.5774; D is padding
    model = SIMS(min_cointeraction_count=2).fit(hand_log())
    recs = model.recommend("u4", n=2)
    assert recs[ITEM_ID].tolist() == ["B", "D"]
    assert recs[SCORE].iloc[0] == pytest.approx(0.75 + 2 / math.sqrt(12))
    assert recs[FALLBACK].tolist() == [False, True]
    assert "customers who interacted with" in model.explain("u4", "B")


def test_recent_items_limits_the_seed():
    # u1's most recent distinct items are C then A (A re-viewed last); with recent_items=1 only A seeds
    model = SIMS(min_cointeraction_count=2, recent_items=1).fit(hand_log())
    recs = model.recommend("u1", n=1, exclude_seen=False)
    assert recs[ITEM_ID].tolist() == ["B"] and recs[SCORE].iloc[0] == pytest.approx(0.75)


def test_unknown_user_with_session_gets_similar_items():
    model = SIMS(min_cointeraction_count=2).fit(hand_log())
    recs = model.recommend("visitor", n=1, session=["C"])
    assert recs[ITEM_ID].tolist() in (["A"], ["B"])  # both at 2/sqrt(12)
    assert recs[SCORE].iloc[0] == pytest.approx(2 / math.sqrt(12))


def test_history_length_percentile_drops_heavy_users():
    log = hand_log()
    bot = pd.DataFrame({USER_ID: "bot", ITEM_ID: list("ABCD"), TIMESTAMP: 1_700_100_000 + np.arange(4)})
    model = SIMS(min_cointeraction_count=1, max_user_history_length_percentile=0.8).fit(pd.concat([log, bot]))
    assert model.users_kept_ == 6  # the bot (4 distinct items, the longest history) is left out
    assert dict(zip(model.item_vocab.ids, model.item_counts_))["D"] == 2


@pytest.mark.parametrize("setting", [{"popularity_discount_factor": 1.5}, {"min_cointeraction_count": 0},
                                     {"min_user_history_length_percentile": 0.9,
                                      "max_user_history_length_percentile": 0.1}])
def test_bad_settings_are_refused(setting):
    with pytest.raises(ValueError):
        SIMS(**setting).fit(hand_log())


def test_sims_declares_related_items_and_batch_behaviour():
    assert SIMS.recipe_type == "RELATED_ITEMS"
    assert SIMS.realtime is False


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 9)), min_size=1, max_size=60),
       st.integers(1, 3))
def test_cosine_similarity_is_symmetric_bounded_and_thresholded(pairs, min_count):
    log = pd.DataFrame({USER_ID: [f"u{u}" for u, _ in pairs], ITEM_ID: [f"i{i}" for _, i in pairs],
                        TIMESTAMP: np.arange(len(pairs))})
    model = SIMS(min_cointeraction_count=min_count).fit(log)
    sim = model.similarity_.toarray()
    co = model.cointeractions_.toarray()
    assert np.allclose(sim, sim.T)
    assert (sim >= 0).all() and (sim <= 1 + 1e-12).all()  # cosine of two user sets
    assert np.all(np.diag(sim) == 0)
    assert np.all((co == 0) | (co >= min_count))
    # brute-force check of one pair's count
    users_of = log.groupby(ITEM_ID)[USER_ID].apply(set)
    a, b = model.item_vocab.ids[0], model.item_vocab.ids[-1]
    if a != b:
        shared = len(users_of[a] & users_of[b])
        i, j = 0, len(model.item_vocab) - 1
        assert co[i, j] == (shared if shared >= min_count else 0)
