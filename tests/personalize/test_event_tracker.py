"""Events -> Personalize interaction rows, duplicates, anonymous sessions, PutItems/PutUsers, fast path."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from workbench.constants import (
    EVENT_ATTRIBUTION_SOURCE,
    EVENT_TYPE,
    EVENT_VALUE,
    IMPRESSION,
    ITEM_ID,
    RECOMMENDATION_ID,
    SESSION_ID,
    TIMESTAMP,
    USER_ID,
)
from workbench.errors import DatasetError
from workbench.personalize import DUPLICATE, EXCLUSION_REASON, EventTracker, camel_to_column, epoch_seconds

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def click(item: str, t: int = T0, **extra):
    return {"eventType": "click", "itemId": item, "sentAt": t, **extra}


@pytest.fixture
def tracker() -> EventTracker:
    return EventTracker()


def put(tracker, events, user="u1", session="s1"):
    params = {"trackingId": tracker.tracking_id, "sessionId": session, "eventList": events}
    if user is not None:
        params["userId"] = user
    return tracker.put_events(**params)


# ---------------------------------------------------------------- row mapping
def test_event_fields_become_personalize_columns(tracker):
    put(tracker, [{
        "eventType": "watch", "itemId": "m42", "sentAt": T0, "eventValue": 0.75, "eventId": "e-1",
        "recommendationId": "RID-1", "impression": ["m42", "m7", "m9"],
        "properties": json.dumps({"numRatings": "12", "deviceType": "tablet"}),
        "metricAttribution": {"eventAttributionSource": "home-carousel"},
    }])
    row = tracker.events.iloc[0]
    assert (row[USER_ID], row[ITEM_ID], row[TIMESTAMP], row[EVENT_TYPE]) == ("u1", "m42", T0, "watch")
    assert row[EVENT_VALUE] == 0.75
    assert row[SESSION_ID] == "s1"
    assert row[RECOMMENDATION_ID] == "RID-1"
    assert row[IMPRESSION] == "m42|m7|m9"
    assert row[EVENT_ATTRIBUTION_SOURCE] == "home-carousel"
    assert row["NUM_RATINGS"] == "12" and row["DEVICE_TYPE"] == "tablet"
    assert not row[DUPLICATE]


@pytest.mark.parametrize("key, column", [
    ("numRatings", "NUM_RATINGS"), ("numberOfRatings", "NUMBER_OF_RATINGS"), ("rating", "RATING"),
    ("device2Type", "DEVICE2_TYPE"), ("location", "LOCATION"),
])
def test_camel_case_keys_map_to_schema_fields(key, column):
    assert camel_to_column(key) == column


@pytest.mark.parametrize("sent_at, expected", [
    (T0, T0),
    (T0 + 0.9, T0),  # floored to whole seconds
    (dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC), T0),
    (dt.datetime(2023, 11, 14, 22, 13, 20), T0),  # naive -> UTC, as botocore serialises it
    (dt.datetime(2023, 11, 15, 7, 13, 20, tzinfo=dt.timezone(dt.timedelta(hours=9))), T0),  # KST
    ("2023-11-14T22:13:20Z", T0),
])
def test_sent_at_becomes_epoch_seconds(tracker, sent_at, expected):
    assert epoch_seconds(sent_at) == expected
    put(tracker, [click("i1", sent_at)])
    assert tracker.events[TIMESTAMP].iloc[0] == expected
    assert tracker.events[TIMESTAMP].dtype == np.int64


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1),
                    timezones=st.just(dt.UTC)))
def test_epoch_seconds_round_trips_datetimes(moment):
    assert epoch_seconds(moment) == int(moment.timestamp() // 1)


# ----------------------------------------------------------------- duplicates
def test_repeated_event_id_is_kept_but_not_trained_on(tracker):
    put(tracker, [click("i1", T0, eventId="e1")])
    put(tracker, [click("i2", T0 + 5, eventId="e1")])  # different content, same eventId
    put(tracker, [click("i3", T0 + 9, eventId="e2")])
    log = tracker.events
    assert len(log) == 3
    assert log[DUPLICATE].tolist() == [False, True, False]
    assert tracker.interactions_for_training()[ITEM_ID].tolist() == ["i1", "i3"]
    excluded = tracker.excluded_from_training()
    assert excluded[ITEM_ID].tolist() == ["i2"]
    assert "duplicate" in excluded[EXCLUSION_REASON].iloc[0]


def test_identical_timestamp_and_fields_keep_one(tracker):
    put(tracker, [click("i1", T0), click("i1", T0)])  # same second, same everything
    put(tracker, [click("i1", T0 + 1)])  # a later click on the same item is a new event
    put(tracker, [click("i1", T0, properties='{"deviceType": "tv"}')])  # same second, other properties
    assert tracker.events[DUPLICATE].tolist() == [False, True, False, False]
    assert len(tracker.interactions_for_training()) == 3


def test_events_without_item_are_logged_but_not_trained_on(tracker):
    put(tracker, [{"eventType": "search", "sentAt": T0}, click("i1", T0 + 1)])
    assert len(tracker.events) == 2
    assert tracker.interactions_for_training()[ITEM_ID].tolist() == ["i1"]
    assert "no itemId" in tracker.excluded_from_training()[EXCLUSION_REASON].iloc[0]


# ---------------------------------------------------------- anonymous sessions
def test_anonymous_history_is_attributed_after_login(tracker):
    put(tracker, [click("i1", T0), click("i2", T0 + 10)], user=None, session="visit-9")
    put(tracker, [click("i5", T0 + 20)], user=None, session="visit-never-joined")
    # before any event carries both ids, nothing anonymous is used for training
    assert tracker.interactions_for_training().empty
    reasons = tracker.excluded_from_training()[EXCLUSION_REASON]
    assert reasons.str.contains("anonymous").all() and len(reasons) == 3

    put(tracker, [click("i3", T0 + 30)], user="alice", session="visit-9")  # signs in
    training = tracker.interactions_for_training()
    assert training[[USER_ID, ITEM_ID]].values.tolist() == [["alice", "i1"], ["alice", "i2"], ["alice", "i3"]]
    assert tracker.session_links() == {"visit-9": "alice"}
    # the raw log still shows what was sent
    assert tracker.events[USER_ID].isna().sum() == 3
    left_out = tracker.excluded_from_training()
    assert left_out[SESSION_ID].tolist() == ["visit-never-joined"]


def test_training_frame_can_be_put_behind_bulk_data(tracker):
    bulk = pd.DataFrame({USER_ID: ["bob"], ITEM_ID: ["i9"], TIMESTAMP: [T0 - 100], EVENT_TYPE: ["view"]})
    put(tracker, [click("i1")])
    training = tracker.interactions_for_training(base=bulk)
    assert training[USER_ID].tolist() == ["bob", "u1"]


# ------------------------------------------------------------------- fast path
class Spy:
    """Stands in for a campaign: records every update call."""

    def __init__(self) -> None:
        self.calls: list[pd.DataFrame] = []

    def update(self, events: pd.DataFrame) -> None:
        self.calls.append(events)


def test_record_frame_appends_and_forwards_once(tracker):
    spy = Spy()
    tracker.attach(spy)
    frame = pd.DataFrame({
        USER_ID: ["u1", None, "u2"], SESSION_ID: ["s1", "anon-1", "s2"], ITEM_ID: ["a", "b", "c"],
        TIMESTAMP: [T0, T0 + 1, T0 + 2], EVENT_TYPE: ["view", "view", "purchase"],
    })
    tracker.record_frame(frame)
    assert len(spy.calls) == 1
    forwarded = spy.calls[0]
    assert forwarded[USER_ID].tolist() == ["u1", "anon-1", "u2"]  # sessionId stands in for anonymous users
    assert len(tracker) == 3
    put(tracker, [click("d", T0 + 3)])
    assert tracker.events[ITEM_ID].tolist() == ["a", "b", "c", "d"]
    assert len(spy.calls) == 2 and spy.calls[1][ITEM_ID].tolist() == ["d"]


def test_record_frame_flags_duplicates_too(tracker):
    frame = pd.DataFrame({USER_ID: ["u1", "u1"], ITEM_ID: ["a", "a"], TIMESTAMP: [T0, T0], EVENT_TYPE: ["view"] * 2})
    tracker.record_frame(frame, forward=False)
    assert tracker.events[DUPLICATE].tolist() == [False, True]


@pytest.mark.parametrize("drop", [ITEM_ID, TIMESTAMP])
def test_record_frame_names_missing_columns(tracker, drop):
    frame = pd.DataFrame({USER_ID: ["u1"], ITEM_ID: ["a"], TIMESTAMP: [T0]}).drop(columns=[drop])
    with pytest.raises(DatasetError, match=f"column {drop}"):
        tracker.record_frame(frame)


def test_record_frame_needs_a_user_or_session_column(tracker):
    with pytest.raises(DatasetError, match="names no user"):
        tracker.record_frame(pd.DataFrame({ITEM_ID: ["a"], TIMESTAMP: [T0]}))


def test_attach_only_accepts_things_that_update(tracker):
    with pytest.raises(TypeError, match="update"):
        tracker.attach(object())


def test_empty_log_has_the_documented_columns(tracker):
    log = tracker.events
    assert log.empty
    for column in (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, SESSION_ID, IMPRESSION, DUPLICATE):
        assert column in log.columns


# ----------------------------------------------------------- PutItems / PutUsers
def test_put_items_adds_and_replaces_records(tracker):
    tracker.put_items(datasetArn=tracker.items_dataset_arn, items=[
        {"itemId": "b1", "properties": json.dumps({"categoryL1": "boots", "price": 89.0})},
        {"itemId": "b2", "properties": json.dumps({"categoryL1": "boots|hiking", "price": 120.0})},
    ])
    tracker.put_items(datasetArn=tracker.items_dataset_arn,
                      items=[{"itemId": "b1", "properties": json.dumps({"categoryL1": "sale", "price": 59.0})}])
    items = tracker.items.set_index(ITEM_ID)
    assert items.loc["b1", "CATEGORY_L1"] == "sale" and items.loc["b1", "PRICE"] == 59.0
    assert items.loc["b2", "CATEGORY_L1"] == "boots|hiking"
    base = pd.DataFrame({ITEM_ID: ["a", "b1"], "CATEGORY_L1": ["shoes", "boots"], "PRICE": [10.0, 89.0]})
    merged = tracker.merged_items(base).set_index(ITEM_ID)
    assert sorted(merged.index) == ["a", "b1", "b2"] and merged.loc["b1", "PRICE"] == 59.0


def test_put_users_records_metadata(tracker):
    tracker.put_users(datasetArn=tracker.users_dataset_arn,
                      users=[{"userId": "alice", "properties": '{"membership": "gold"}'}])
    assert tracker.users.set_index(USER_ID).loc["alice", "MEMBERSHIP"] == "gold"


def test_put_items_needs_this_groups_items_dataset(tracker):
    with pytest.raises(ClientError) as excinfo:
        tracker.put_items(datasetArn=tracker.users_dataset_arn, items=[{"itemId": "x"}])
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert tracker.items_dataset_arn in str(excinfo.value)


def test_put_items_at_most_ten_records(tracker):
    with pytest.raises(ClientError) as excinfo:
        tracker.put_items(datasetArn=tracker.items_dataset_arn, items=[{"itemId": f"x{k}"} for k in range(11)])
    assert excinfo.value.response["Error"]["Code"] == "InvalidInputException"
    assert "items has 11 entries" in str(excinfo.value)


def test_put_items_property_keys_must_be_camel_case(tracker):
    with pytest.raises(ClientError, match="not camelCase"):
        tracker.put_items(datasetArn=tracker.items_dataset_arn,
                          items=[{"itemId": "x", "properties": '{"CATEGORY_L1": "boots"}'}])


def test_describe_reports_active_status(tracker):
    info = tracker.describe()
    assert info["status"] == "ACTIVE"
    assert info["trackingId"] == tracker.tracking_id
    assert info["eventTrackerArn"].startswith("arn:aws:personalize:us-east-1:000000000000:event-tracker/")
