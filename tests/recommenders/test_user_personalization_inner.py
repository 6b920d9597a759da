"""The inner-index fast path of UserPersonalization (what the simulator drives) against the raw-id path."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import CREATION_TIMESTAMP, EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders.filters import EventHistory
from workbench.recommenders.user_personalization import SESSION_OVER_HALF_LIVES, UserPersonalization

from .contract import contract_dataset


@pytest.fixture(scope="module")
def fitted():
    interactions, items, users = contract_dataset()
    model = UserPersonalization(exploration_weight=0.0).fit(interactions, items=items, users=users)
    return model, interactions, items


def _batch(model, interactions, n, seed, new_users=0):
    rng = np.random.default_rng(seed)
    users = rng.choice(np.asarray(model.user_vocab.ids), n).astype(object)
    users[: new_users] = [f"fresh{k}" for k in range(new_users)]
    items = rng.choice(np.asarray(model.item_vocab.ids), n).astype(object)
    t0 = int(interactions[TIMESTAMP].max()) + 60
    times = t0 + np.sort(rng.integers(0, 3_600, n))
    types = rng.choice(np.asarray(["click", "view", "purchase"], dtype=object), n)
    return users, items, times, types


def test_track_inner_gives_the_same_state_and_lists_as_track(fitted):
    model, interactions, _ = fitted
    raw, inner = copy.deepcopy(model), copy.deepcopy(model)
    users, items, times, types = _batch(model, interactions, 200, seed=1, new_users=3)
    raw.track(users, items, times, types)
    inner.track_inner(inner.user_rows(users), inner.item_vocab.to_inner(items), times, types)
    np.testing.assert_allclose(inner._profile[: len(raw.user_vocab)], raw._profile[: len(raw.user_vocab)])
    np.testing.assert_allclose(inner._session[: len(raw.user_vocab)], raw._session[: len(raw.user_vocab)])
    np.testing.assert_allclose(inner._pop, raw._pop)
    ask = np.asarray(list(users[:20]) + ["never-seen"], dtype=object)
    a, fa = raw.recommend_indices(ask, n=10)
    b, fb = inner.recommend_inner(inner.user_vocab.to_inner(ask), n=10)
    assert (a == b).all() and (fa == fb).all()
    assert fb[-1] and not fb[:-1].any()  # the unknown user gets the flagged fallback
    # the filters' history holds the same events, in the same order
    pd.testing.assert_frame_equal(inner._history.reset_index(drop=True), raw._history.reset_index(drop=True))


def test_weights_given_to_track_inner_count_as_the_event_types_would(fitted):
    model, interactions, _ = fitted
    by_type, by_weight, doubled = copy.deepcopy(model), copy.deepcopy(model), copy.deepcopy(model)
    users, items, times, types = _batch(model, interactions, 150, seed=2)
    rows, cols = model.user_rows(users), model.item_vocab.to_inner(items)
    by_type.track_inner(rows, cols, times, types)
    by_weight.track_inner(rows, cols, times, types, weights=model.event_weight(types))
    doubled.track_inner(rows, cols, times, types, weights=2.0 * model.event_weight(types))
    assert np.array_equal(by_weight._profile, by_type._profile) and np.array_equal(by_weight._pop, by_type._pop)
    touched = np.unique(rows)
    assert not np.allclose(doubled._profile[touched], by_type._profile[touched])  # the weights are what is used
    with pytest.raises(ValueError, match="one weight per event"):
        copy.deepcopy(model).track_inner(rows, cols, times, types, weights=[1.0])


def test_recommend_inner_excludes_a_padded_matrix_like_per_user_lists(fitted):
    model, _, _ = fitted
    rows = np.arange(6)
    drop = np.full((6, 3), -1, dtype=np.int64)
    base, _ = model.recommend_inner(rows, n=5)
    drop[:, 0] = base[:, 0]
    drop[2, 1] = base[2, 1]
    as_matrix, _ = model.recommend_inner(rows, n=5, exclude_items=drop)
    as_lists, _ = model.recommend_inner(rows, n=5, exclude_items=[r[r >= 0] for r in drop])
    assert (as_matrix == as_lists).all()
    assert not (as_matrix == base[:, :1]).any(axis=1).any()
    assert base[2, 1] not in as_matrix[2]


def test_track_inner_refuses_indices_out_of_range(fitted):
    model = copy.deepcopy(fitted[0])
    with pytest.raises(ValueError, match="out of range"):
        model.track_inner([0], [len(model.item_vocab)], [1_800_000_000])
    with pytest.raises(ValueError, match="user_rows"):
        model.track_inner([-1], [0], [1_800_000_000])


def test_auto_updates_grow_the_seen_matrix_without_losing_marks(fitted):
    model, interactions, items = fitted
    model = copy.deepcopy(model)
    t = int(interactions[TIMESTAMP].max()) + 60
    marked = []
    for step in range(30):  # many small catalog additions, as the 2-hourly updates make them
        new = pd.DataFrame({ITEM_ID: [f"new{step}a", f"new{step}b"], CREATION_TIMESTAMP: [t, t]})
        model.auto_update(items=new, now=t)
        col = model.item_vocab.to_inner([f"new{step}a"])[0]
        row = model.user_rows(["user003"])[0]
        model.track_inner([row], [col], [t + 1])
        marked.append(col)
        t += 7_200
    seen = model._seen
    assert seen.shape == (model.__dict__["_seen_store"].shape[0], len(model.item_vocab))
    row = model.user_vocab.to_inner(["user003"])[0]
    assert seen[row, marked].all()
    assert seen[row, len(items):].sum() == len(marked)  # the other new columns stay unseen
    assert len(model.items_) == len(items) + 60  # the catalog the model knows grew with every update
    recs, _ = model.recommend_inner(np.asarray([row]), n=len(model.item_vocab))
    assert not set(marked) & set(recs[0][recs[0] >= 0].tolist())  # seen items stay excluded


def test_a_session_older_than_the_cutoff_adds_nothing(fitted):
    model, interactions, _ = fitted
    model = copy.deepcopy(model)
    half_life = model.config.session_half_life_minutes * 60
    row = model.user_rows(["user005"])
    t = int(interactions[TIMESTAMP].max()) + 60
    model.track_inner(row, model.item_vocab.to_inner(["item001"]), [t])
    model.now_ = t + (SESSION_OVER_HALF_LIVES - 1) * half_life
    assert model._query_vectors(row, None)[1].any()
    model.now_ = t + (SESSION_OVER_HALF_LIVES + 1) * half_life
    assert not model._query_vectors(row, None)[1].any()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4), st.booleans()), min_size=1, max_size=30))
def test_event_history_keeps_arrival_order_across_coded_and_string_appends(batches):
    ids_u = np.asarray([f"u{k}" for k in range(6)], dtype=object)
    ids_i = np.asarray([f"i{k}" for k in range(5)], dtype=object)
    base = pd.DataFrame({USER_ID: ["u0"], ITEM_ID: ["i0"], TIMESTAMP: [1], EVENT_TYPE: ["view"]})
    history = EventHistory(base)
    expected = [("u0", "i0", 1, "view")]
    for k, (u, i, coded) in enumerate(batches):
        t = 100 + k
        if coded:
            history.append_codes(ids_u, [u], ids_i, [i], [t], np.asarray(["click"], dtype=object))
        else:
            history.append([ids_u[u]], [ids_i[i]], [t], ["click"])
        expected.append((ids_u[u], ids_i[i], t, "click"))
        assert history.n_tracked == k + 1
    frame = history.frame()
    got = list(zip(frame[USER_ID], frame[ITEM_ID], frame[TIMESTAMP].astype(int), frame[EVENT_TYPE]))
    assert got == expected


def test_recommend_inner_short_and_long_lists_agree_with_exclusions():
    """Lists of up to 64 go through the compiled top-k pass, longer ones through numpy: with seen items
    and a purchase-filter matrix excluded, unknown users included and the same (reseeded) draws, the
    short list is the head of the long one."""
    rng = np.random.default_rng(11)
    n_events = 2_000
    interactions = pd.DataFrame({
        USER_ID: [f"u{k}" for k in rng.integers(0, 60, n_events)],
        ITEM_ID: [f"i{k}" for k in rng.integers(0, 120, n_events)],
        TIMESTAMP: 1_700_000_000 + np.sort(rng.integers(0, 30 * 86_400, n_events)),
    })
    model = UserPersonalization().fit(interactions)
    assert len(model.item_vocab) > 70
    rows = np.array([0, 3, -1, 5, 1, -1, 7])
    drop = np.full((len(rows), 2), -1, dtype=np.int64)
    drop[:, 0] = model.reseed(4).recommend_inner(rows, n=1)[0][:, 0]  # each row's best item is excluded
    for exclude_seen in (True, False):
        short, fb_short = model.reseed(4).recommend_inner(rows, n=5, exclude_seen=exclude_seen, exclude_items=drop)
        long, fb_long = model.reseed(4).recommend_inner(rows, n=70, exclude_seen=exclude_seen, exclude_items=drop)
        assert (short == long[:, :5]).all() and (fb_short == fb_long).all()
        assert not (short == drop[:, :1]).any()
    seen_short, _ = model.reseed(4).recommend_inner(rows, n=5)
    unseen_short, _ = model.reseed(4).recommend_inner(rows, n=5, exclude_seen=False)
    assert (seen_short != unseen_short).any()  # the seen mask changes some list
