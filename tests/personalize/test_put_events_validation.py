"""Every invalid PutEvents request the fact sheet describes, and the error a learner gets.

Client-side problems (what boto3 itself refuses) must raise botocore's
ParamValidationError; service-side rules must raise a ClientError with code
InvalidInputException. Each test also checks that the message names the problem.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from workbench.personalize import MAX_EVENT_BYTES, EventTracker


@pytest.fixture
def tracker() -> EventTracker:
    return EventTracker()


def event(**overrides):
    base = {"eventType": "click", "itemId": "i1", "sentAt": 1_700_000_000}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def put(tracker: EventTracker, events=None, **overrides):
    params = {"trackingId": tracker.tracking_id, "userId": "u1", "sessionId": "s1",
              "eventList": [event()] if events is None else events}
    params.update(overrides)
    return tracker.put_events(**{k: v for k, v in params.items() if v is not None})


def service_error(excinfo) -> str:
    error = excinfo.value
    assert isinstance(error, ClientError)
    assert error.response["Error"]["Code"] == "InvalidInputException"
    assert error.operation_name == "PutEvents"
    return error.response["Error"]["Message"]


# ------------------------------------------------------------------ accepted requests
def test_valid_call_returns_boto3_shaped_response(tracker):
    response = put(tracker)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(tracker) == 1


def test_user_id_is_optional_for_anonymous_visitors(tracker):
    put(tracker, userId=None)
    assert tracker.events["USER_ID"].isna().all()
    assert tracker.events["SESSION_ID"].tolist() == ["s1"]


def test_ten_events_is_the_maximum_accepted(tracker):
    put(tracker, [event(itemId=f"i{k}", sentAt=1_700_000_000 + k) for k in range(10)])
    assert len(tracker) == 10


# -------------------------------------------------- client side: ParamValidationError
@pytest.mark.parametrize("missing", ["trackingId", "sessionId", "eventList"])
def test_missing_required_request_parameter(tracker, missing):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, **{missing: None}) if missing != "eventList" else tracker.put_events(
            trackingId=tracker.tracking_id, sessionId="s1")
    assert "Missing required parameter" in str(excinfo.value)
    assert missing in str(excinfo.value)


@pytest.mark.parametrize("missing", ["eventType", "sentAt"])
def test_event_without_event_type_or_sent_at(tracker, missing):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [event(**{missing: None})])
    assert f'Missing required parameter in eventList[0]: "{missing}"' in str(excinfo.value)


def test_empty_event_list(tracker):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [])
    assert "eventList" in str(excinfo.value) and "valid min length: 1" in str(excinfo.value)


def test_empty_impression_list(tracker):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [event(impression=[])])
    assert "eventList[0].impression" in str(excinfo.value) and "valid min length: 1" in str(excinfo.value)


def test_unknown_parameter_is_refused_like_boto3(tracker):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, userID="u1")  # wrong capitalisation
    assert 'Unknown parameter in input: "userID"' in str(excinfo.value)


def test_timestamp_is_not_an_event_field(tracker):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [event(timestamp=1_700_000_000)])
    assert 'Unknown parameter in eventList[0]: "timestamp"' in str(excinfo.value)


@pytest.mark.parametrize("sent_at", ["yesterday", 1_700_000_000_000.0])
def test_unparseable_or_millisecond_sent_at(tracker, sent_at):
    # botocore can't turn a 13-digit millisecond value into a date: it's refused client-side.
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [event(sentAt=sent_at)])
    assert "Invalid type for parameter eventList[0].sentAt" in str(excinfo.value)


def test_event_value_must_be_a_number(tracker):
    with pytest.raises(ParamValidationError) as excinfo:
        put(tracker, [event(eventValue="high")])
    assert "eventList[0].eventValue" in str(excinfo.value)


# ------------------------------------------------------ service side: InvalidInputException
def test_more_than_ten_events(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(sentAt=1_700_000_000 + k) for k in range(11)])
    message = service_error(excinfo)
    assert "eventList has 11 entries" in message and "at most 10" in message
    assert len(tracker) == 0, "a refused call must record nothing"


def test_more_than_25_impressions(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(impression=[f"i{k}" for k in range(26)])])
    message = service_error(excinfo)
    assert "eventList[0].impression has 26 entries" in message and "at most 25" in message


def test_properties_longer_than_1024_characters(tracker):
    properties = json.dumps({"note": "x" * 1100})
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(properties=properties)])
    message = service_error(excinfo)
    assert "eventList[0].properties" in message and "at most 1024" in message


def test_properties_must_be_json(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(properties="{numRatings: 12}")])
    assert "not valid JSON" in service_error(excinfo)


def test_properties_must_be_a_json_object(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(properties='["numRatings", 12]')])
    assert "must be a JSON object" in service_error(excinfo)


@pytest.mark.parametrize("key", ["userId", "sessionId", "eventType", "timestamp", "recommendationId", "impression",
                                 "USERID", "Timestamp"])
def test_reserved_property_keys_case_insensitive(tracker, key):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(properties=json.dumps({key: "x"}))])
    message = service_error(excinfo)
    assert f"reserved key {key!r}" in message


@pytest.mark.parametrize("key", ["num_ratings", "NumRatings", "num-ratings", "2ndDevice"])
def test_property_keys_must_be_camel_case(tracker, key):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(properties=json.dumps({key: "12"}))])
    message = service_error(excinfo)
    assert f"key {key!r} is not camelCase" in message and "NUM_RATINGS" in message


def test_recommendation_id_longer_than_40(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(recommendationId="r" * 41)])
    message = service_error(excinfo)
    assert "eventList[0].recommendationId has 41 characters" in message and "at most 40" in message


@pytest.mark.parametrize("field", ["userId", "itemId"])
def test_ids_longer_than_256(tracker, field):
    with pytest.raises(ClientError) as excinfo:
        if field == "userId":
            put(tracker, userId="u" * 257)
        else:
            put(tracker, [event(itemId="i" * 257)])
    message = service_error(excinfo)
    assert "has 257 characters" in message and "at most 256" in message


def test_foreign_tracking_id(tracker):
    other = EventTracker(name="other-tracker")
    with pytest.raises(ClientError) as excinfo:
        put(tracker, trackingId=other.tracking_id)
    message = service_error(excinfo)
    assert "does not belong to event tracker" in message and tracker.tracking_id in message


def test_event_larger_than_10_kb(tracker):
    # every field within its own limit, yet the whole event is over 10 KB once serialised
    big = event(
        itemId="i" * 256, eventId="e" * 256, eventType="t" * 256,
        impression=[f"{k:02d}" + "x" * 254 for k in range(25)],
        properties=json.dumps({"note": '"' * 500}),
        metricAttribution={"eventAttributionSource": "a" * 1024},
    )
    assert len(big["properties"]) <= 1024
    assert len(json.dumps(big).encode()) > MAX_EVENT_BYTES  # the premise of the test
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [big])
    message = service_error(excinfo)
    assert "eventList[0] is" in message and "at most 10240 bytes" in message


def test_second_event_is_named_when_it_is_the_bad_one(tracker):
    with pytest.raises(ClientError) as excinfo:
        put(tracker, [event(), event(properties='{"user_id": 1}')])
    assert "eventList[1].properties" in service_error(excinfo)
    assert len(tracker) == 0
