"""The compiled service-limit checker agrees with the slow, message-producing walk."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.personalize.contract import (
    EVENTS_SERVICE,
    RUNTIME_SERVICE,
    _check_shape,
    _fast_checker,
    check_service_limits,
    client_error,
    operation_model,
    response_metadata,
    validate_request,
)

events = st.fixed_dictionaries(
    {"eventType": st.text("abc", min_size=1, max_size=3), "sentAt": st.just(1_700_000_000)},
    optional={
        "impression": st.lists(st.text("xy", min_size=1, max_size=3), min_size=1, max_size=30),
        "recommendationId": st.text("r", min_size=1, max_size=45),
        "itemId": st.text("i", min_size=1, max_size=260),
    },
)
put_events = st.fixed_dictionaries(
    {"trackingId": st.just("t"), "sessionId": st.just("s"), "eventList": st.lists(events, min_size=1, max_size=12)})


@settings(max_examples=60, deadline=None)
@given(put_events)
def test_fast_checker_agrees_with_the_slow_walk(params):
    shape = operation_model(EVENTS_SERVICE, "PutEvents").input_shape
    try:
        _check_shape(params, shape, "", "PutEvents")
        slow_ok = True
    except ClientError:
        slow_ok = False
    assert _fast_checker(EVENTS_SERVICE, "PutEvents")(params) is slow_ok


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.text("ab", min_size=1, max_size=4), st.text("v", min_size=1, max_size=3), max_size=30))
def test_map_size_limit_on_filter_values(values):
    params = {"campaignArn": "arn:aws:personalize:us-east-1:000000000000:campaign/c", "filterValues": values}
    if len(values) > 25:
        with pytest.raises(ClientError, match="filterValues has"):
            check_service_limits(RUNTIME_SERVICE, "GetRecommendations", params)
    else:
        check_service_limits(RUNTIME_SERVICE, "GetRecommendations", params)


def test_pattern_constraint_is_enforced():
    with pytest.raises(ClientError, match="does not match the pattern"):
        check_service_limits(RUNTIME_SERVICE, "GetRecommendations", {"campaignArn": "not-an-arn"})


def test_validate_request_raises_botocores_own_error():
    with pytest.raises(ParamValidationError, match="Missing required parameter"):
        validate_request(EVENTS_SERVICE, "PutEvents", {"trackingId": "t"})


def test_client_error_reads_like_boto3():
    error = client_error("InvalidInputException", "bad thing.", "PutEvents")
    assert str(error) == "An error occurred (InvalidInputException) when calling the PutEvents operation: bad thing."
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    first, second = response_metadata()["RequestId"], response_metadata()["RequestId"]
    assert first != second and len(first) == 36
