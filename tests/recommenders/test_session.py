from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.constants import FALLBACK, ITEM_ID, SCORE, SESSION_ID, TIMESTAMP, USER_ID
from workbench.recommenders.session import SessionRecency, recency_weights, sessionize

from .contract import RecommenderContract

T0 = 1_700_000_000
H = 3600


class TestSessionRecencyContract(RecommenderContract):
    def make_model(self):
        return SessionRecency()


class TestSessionRecencyTimeDecayContract(RecommenderContract):
    def make_model(self):
        return SessionRecency(decay="time", half_life=1.0)


def shop_log() -> pd.DataFrame:
    """Five two-item sessions by other shoppers, and user u who saw c, then b, two hours apart."""
    rows = [
        ("x1", "a", T0), ("x1", "b", T0 + 60),
        ("x2", "a", T0), ("x2", "b", T0 + 60),
        ("x3", "a", T0), ("x3", "c", T0 + 60),
        ("x4", "b", T0), ("x4", "d", T0 + 60),
        ("x5", "c", T0), ("x5", "d", T0 + 60),
        ("u", "c", T0), ("u", "b", T0 + 2 * H),
    ]
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP])


def raw_model(**settings) -> SessionRecency:
    return SessionRecency(normalize=False, popularity_weight=0.0, half_life=1.0, **settings).fit(shop_log())


def test_recency_weights_halve_every_half_life():
    assert recency_weights(5, 2.0) == pytest.approx([1, 2**-0.5, 0.5, 2**-1.5, 0.25])
    assert recency_weights(3, 1.0).tolist() == [1.0, 0.5, 0.25]


@given(st.integers(1, 30), st.floats(0.1, 10))
def test_recency_weights_are_decreasing_and_start_at_one(n, half_life):
    w = recency_weights(n, half_life)
    assert w[0] == 1.0
    assert np.all(np.diff(w) < 0)
    assert np.all(w > 0)


def test_sessionize_cuts_on_gap_and_respects_session_id():
    log = pd.DataFrame(
        [("u1", "a", T0, None), ("u1", "b", T0 + 600, None), ("u1", "c", T0 + 3000, None),
         ("u2", "a", T0 + 300, None), ("u3", "a", T0, "s9"), ("u3", "b", T0 + 10 * H, "s9")],
        columns=[USER_ID, ITEM_ID, TIMESTAMP, SESSION_ID],
    )
    keys = sessionize(log, gap_minutes=30)
    assert keys[0] == keys[1]  # 10 minutes apart
    assert keys[1] != keys[2]  # 40 minutes later: new session
    assert keys[3] not in set(keys[:3])  # other user
    assert keys[4] == keys[5]  # same SESSION_ID, even 10 h apart


def test_scores_are_decayed_co_occurrence_by_hand():
    # co-occurrence: a-b 2, a-c 1, b-d 1, c-d 1 ; u's recent items: b (weight 1), c (weight 0.5)
    recs = raw_model().recommend("u")
    assert recs[ITEM_ID].tolist() == ["a", "d"]
    assert recs[SCORE].tolist() == pytest.approx([2 * 1 + 1 * 0.5, 1 * 1 + 1 * 0.5])
    assert not recs[FALLBACK].any()


def test_time_decay_uses_hours():
    # c is 2 h older than b: weight 0.5 ** 2 with a 1 h half-life
    recs = raw_model(decay="time").recommend("u")
    assert recs[SCORE].tolist() == pytest.approx([2 + 0.25, 1 + 0.25])


def test_update_makes_the_new_click_the_most_recent():
    model = raw_model()
    model.update(pd.DataFrame([("u", "d", T0 + 3 * H)], columns=[USER_ID, ITEM_ID, TIMESTAMP]))
    # recent: d (1), b (0.5), c (0.25) ; a = 0.5 * 2 + 0.25 * 1 ; every other item is seen now
    recs = model.recommend("u")
    assert recs[ITEM_ID].tolist() == ["a"]
    assert recs[SCORE].iloc[0] == pytest.approx(1.25)


def test_anonymous_session_list_and_session_id_as_user_id():
    model = raw_model()
    anon = model.recommend("visitor-1", session=["a"], n=2)
    assert anon[ITEM_ID].tolist() == ["b", "c"]  # a co-occurs with b twice, c once; a itself is excluded
    assert not anon[FALLBACK].any()
    assert model.recommend("visitor-1")[FALLBACK].all()  # no session: popularity fallback
    # the Personalize way: track events with the session id as USER_ID
    model.update(pd.DataFrame([("sess-7", "d", T0 + 5 * H)], columns=[USER_ID, ITEM_ID, TIMESTAMP]))
    recs = model.recommend("sess-7", n=2)
    assert set(recs[ITEM_ID]) == {"b", "c"} and not recs[FALLBACK].any()


def test_normalised_similarity_is_session_cosine():
    model = SessionRecency(popularity_weight=0.0).fit(shop_log())
    inner = model.item_vocab.to_inner(["a", "b"])
    # a is in 3 sessions (x1, x2, x3); b in 4 (x1, x2, x4, and u's second session)
    assert model.similarity_[inner[0], inner[1]] == pytest.approx(2 / np.sqrt(3 * 4))


def test_explanation_names_the_recent_item():
    text = raw_model().explain("u", "a")
    assert "b" in text and "2 sessions" in text and "latest" in text


def test_similar_items_follow_co_occurrence():
    sims = raw_model().similar_items("a", n=2)
    assert sims[ITEM_ID].tolist() == ["b", "c"]


def test_bad_decay_setting():
    with pytest.raises(ValueError, match="decay"):
        SessionRecency(decay="exponential").fit(shop_log())


def test_deferred_seen_matches_growing_on_every_update():
    from workbench.recommenders.base import Recommender

    batches = [pd.DataFrame([(u, i, T0 + 9 * H + k)], columns=[USER_ID, ITEM_ID, TIMESTAMP])
               for k, (u, i) in enumerate([("u", "d"), ("new1", "a"), ("new1", "zz-new-item"), ("x1", "c")])]
    lazy = raw_model()
    eager = raw_model()
    for batch in batches:
        lazy.update(batch)
        eager.update(batch)
        Recommender._grow_seen(eager, batch)  # what a model without deferral does on every update
        eager.__dict__["_deferred_events"] = []
    assert list(lazy.user_vocab.ids) == list(eager.user_vocab.ids)
    assert (lazy._seen != eager._seen).nnz == 0
    assert lazy._seen.shape == (len(lazy.user_vocab), len(lazy.item_vocab))
    # a refit forgets the queue instead of folding old events into the new matrices
    lazy.update(batches[1])
    lazy.fit(shop_log())
    assert "new1" not in lazy.user_vocab
