"""Fitting on integer codes (CodedInteractions) learns exactly what fitting on their frame learns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders import SIMS, CodedInteractions, Popularity, UserPersonalization
from workbench.recommenders.coded import first_seen

EVENT_NAMES = np.asarray(["view", "click", "purchase"], dtype=object)


def _coded(n_users=40, n_items=25, n_events=600, seed=0, value=True) -> CodedInteractions:
    """A shuffled log over more ids than it uses (codes index id arrays with gaps, as in the shop)."""
    rng = np.random.default_rng(seed)
    user_ids = np.asarray([f"u{k:03d}" for k in range(n_users + 5)], dtype=object)
    item_ids = np.asarray([f"i{k:03d}" for k in range(n_items + 5)], dtype=object)
    return CodedInteractions(
        user_ids, item_ids,
        user=rng.integers(0, n_users, n_events), item=rng.integers(3, n_items, n_events),
        timestamp=1_700_000_000 + np.sort(rng.integers(0, 40 * 86_400, n_events)),
        event_type=rng.integers(0, len(EVENT_NAMES), n_events), event_names=EVENT_NAMES,
        event_value=rng.random(n_events) if value else None,
    )


def _catalog(coded: CodedInteractions) -> pd.DataFrame:
    """Every item id, in reverse order (so the catalog order differs from the events' first-seen order)."""
    ids = coded.item_ids[::-1]
    return pd.DataFrame({ITEM_ID: ids, "CREATION_TIMESTAMP": 1_700_000_000 + np.arange(len(ids)) * 3_600})


def test_the_frame_holds_each_event_with_its_ids():
    coded = _coded(n_events=50)
    frame = coded.frame()
    assert list(frame.columns) == [USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE] == list(coded.columns)
    assert len(frame) == len(coded) == 50
    k = 17
    assert frame[USER_ID][k] == coded.user_ids[coded.user[k]]
    assert frame[ITEM_ID][k] == coded.item_ids[coded.item[k]]
    assert frame[EVENT_TYPE][k] == EVENT_NAMES[coded.event_type[k]]
    assert frame[TIMESTAMP][k] == coded.timestamp[k] and frame[EVENT_VALUE][k] == coded.event_value[k]
    assert coded.frame() is frame  # built once
    assert EVENT_VALUE not in _coded(n_events=5, value=False).frame().columns


@given(st.lists(st.integers(0, 9), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_first_seen_is_unique_in_order_and_its_positions(codes):
    ids = np.asarray([f"x{k}" for k in range(10)], dtype=object)
    codes = np.asarray(codes)
    distinct, position = first_seen(codes, ids)
    expected = list(dict.fromkeys(ids[codes]))  # distinct ids in order of first appearance
    assert list(distinct) == expected
    assert [expected[p] for p in position] == list(ids[codes])


@pytest.mark.parametrize("weights", [None, {"view": 1.0, "click": 2.5, "purchase": 7.0}], ids=["v1-equal", "v2-weights"])
@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm-refit"])
def test_user_personalization_learns_the_same_from_codes_and_from_their_frame(weights, warm):
    coded, later = _coded(seed=3), _coded(seed=4, n_events=900)
    catalog = _catalog(coded)
    config = dict(factors=6, event_weights=weights, warm_start_epochs=2 if warm else None)
    on_codes, on_frame = UserPersonalization(**config), UserPersonalization(**config)
    if warm:  # a scheduled retrain: the second fit starts from the first's factors
        on_codes.fit(coded, items=catalog)
        on_frame.fit(coded.frame(), items=catalog)
        coded = later
    on_codes.fit(coded, items=catalog)
    on_frame.fit(coded.frame(), items=catalog)
    assert on_codes.warm_started_ == on_frame.warm_started_ == warm
    assert list(on_codes.user_vocab.ids) == list(on_frame.user_vocab.ids)
    assert list(on_codes.item_vocab.ids) == list(on_frame.item_vocab.ids)
    for name in ("item_factors_", "_profile", "_session", "_profile_t", "_last_item", "_pop", "_created", "_popularity"):
        np.testing.assert_array_equal(getattr(on_codes, name), getattr(on_frame, name), err_msg=name)
    np.testing.assert_array_equal(np.asarray(on_codes._seen), np.asarray(on_frame._seen))
    assert on_codes._scale == on_frame._scale and on_codes.now_ == on_frame.now_
    users = coded.user_ids[:12]
    pd.testing.assert_frame_equal(on_codes.recommend(users, n=5), on_frame.recommend(users, n=5))


def test_a_fit_on_codes_builds_the_frame_only_when_something_reads_it():
    coded = _coded(seed=6)
    model = UserPersonalization(factors=4).fit(coded)
    assert "_frame" not in coded.__dict__  # nothing has needed the strings yet
    purchased = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
    on_frame = UserPersonalization(factors=4).fit(coded.frame())
    users = coded.user_ids[:8]
    pd.testing.assert_frame_equal(model.recommend(users, n=5, filter=purchased),
                                  on_frame.recommend(users, n=5, filter=purchased))
    pd.testing.assert_frame_equal(model.interactions_, on_frame.interactions_)
    pd.testing.assert_frame_equal(model._history, on_frame._history)


@pytest.mark.parametrize("model", [Popularity, SIMS], ids=lambda m: m.__name__)
def test_a_model_without_a_codes_path_is_given_the_frame(model):
    coded = _coded(seed=8)
    assert not model.fits_codes
    on_codes, on_frame = model().fit(coded), model().fit(coded.frame())
    users = coded.user_ids[:10]
    pd.testing.assert_frame_equal(on_codes.recommend(users, n=5), on_frame.recommend(users, n=5))


def test_codes_that_do_not_index_their_ids_or_columns_of_other_lengths_are_refused():
    good = _coded(n_events=10)
    with pytest.raises(ValueError, match="item codes must index their"):
        CodedInteractions(good.user_ids, good.item_ids[:2], good.user, good.item, good.timestamp,
                          good.event_type, EVENT_NAMES)
    with pytest.raises(ValueError, match="one value per event"):
        CodedInteractions(good.user_ids, good.item_ids, good.user, good.item[:5], good.timestamp,
                          good.event_type, EVENT_NAMES)
    empty = CodedInteractions(good.user_ids, good.item_ids, good.user[:0], good.item[:0], good.timestamp[:0],
                              good.event_type[:0], EVENT_NAMES)
    with pytest.raises(Exception, match="empty"):
        UserPersonalization().fit(empty)


def test_an_item_without_a_creation_timestamp_was_created_at_its_first_event():
    coded = _coded(seed=9)
    catalog = pd.DataFrame({ITEM_ID: coded.item_ids})  # no CREATION_TIMESTAMP column
    for fit_on in (coded, coded.frame()):
        model = UserPersonalization(factors=4).fit(fit_on, items=catalog)
        frame = coded.frame()
        first = frame.groupby(ITEM_ID)[TIMESTAMP].min()
        inner = model.item_vocab.to_inner(first.index)
        np.testing.assert_array_equal(model._created[inner], first.to_numpy(dtype=float))
        never = model.item_vocab.to_inner(sorted(set(coded.item_ids) - set(first.index)))
        assert len(never) and (model._created[never] == model.now_).all()  # no event, no timestamp: 'now'
