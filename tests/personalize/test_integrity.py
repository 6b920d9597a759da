"""Integrity of the Personalize emulation under concurrency, hostile input and load (issue 12, items 1-6).

Each test was written against the defect first (it failed before the fix):
8 threads lost ~40 % of the model's filter history; properties such as
``{"itemId": ...}`` replaced validated fields; one event a year ahead froze the
popularity prior; events were kept as one DataFrame per call (~16 KB each);
distinct eventIds were flagged duplicates while real duplicates were counted
again by the real-time model; bad filters failed only at request time with a raw
FilterExpressionError; GetPersonalizedRanking dropped unscorable items and took
``userId=''``.
"""

from __future__ import annotations

import json
import sys
import threading
import tracemalloc
from array import array

import numpy as np
import pandas as pd
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.recommenders.contract import contract_dataset
from workbench.constants import (
    EVENT_ATTRIBUTION_SOURCE,
    EVENT_TYPE,
    EVENT_VALUE,
    ITEM_ID,
    RECOMMENDATION_ID,
    SESSION_ID,
    TIMESTAMP,
    USER_ID,
)
from workbench.personalize import DUPLICATE, EVENT_ID, Campaign, EventTracker, PersonalizeRuntime
from workbench.recommenders.base import Recommender
from workbench.recommenders.user_personalization import UserPersonalization

DAY = 86_400


@pytest.fixture(scope="module")
def data():
    return contract_dataset(seed=11, n_users=40, n_items=30)


@pytest.fixture
def newest(data) -> int:
    return int(data[0][TIMESTAMP].max())


def shop(data, exploration: float = 0.3, **runtime_options):
    """Runtime + dataset group + tracker + one UserPersonalization campaign."""
    interactions, items, users = data
    rt = PersonalizeRuntime(**runtime_options)
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    tracking_id = rt.create_event_tracker(name="web", datasetGroupArn=group)["trackingId"]
    model = UserPersonalization(exploration_weight=exploration).fit(interactions, items=items, users=users)
    campaign = rt.deploy(model, name="live", datasetGroupArn=group)
    return rt, group, tracking_id, campaign


def put(rt, tracking_id, events, user="u1", session="s1"):
    params = {"trackingId": tracking_id, "sessionId": session, "eventList": events}
    if user is not None:
        params["userId"] = user
    return rt.put_events(**params)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


# ------------------------------------------------------------ 1. thread safety
def test_eight_threads_lose_no_event_and_never_mix_users(data, newest):
    rt, group, tracking_id, campaign = shop(data)
    flt = rt.create_filter(name="no-clicked", datasetGroupArn=group,
                           filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")')["filterArn"]
    catalog = list(data[1][ITEM_ID])
    n_threads, n_events = 8, 40
    sent = {f"T{k}": [catalog[(3 * k + j) % len(catalog)] for j in range(n_events)] for k in range(n_threads)}
    leaks: list[tuple[str, str]] = []
    failures: list[BaseException] = []

    def visitor(user: str) -> None:
        try:
            clicked: set[str] = set()
            for j, item in enumerate(sent[user]):
                put(rt, tracking_id, [{"eventType": "click", "itemId": item, "sentAt": newest + 10 + j}],
                    user=user, session=f"s-{user}")
                clicked.add(item)
                answer = rt.get_recommendations(campaignArn=campaign.campaign_arn, userId=user, numResults=10,
                                                filterArn=flt)
                leaks.extend((user, e["itemId"]) for e in answer["itemList"] if e["itemId"] in clicked)
        except BaseException as exc:  # surfaced below; a thread can't fail the test itself
            failures.append(exc)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=visitor, args=(user,)) for user in sent]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old)
    assert not failures, failures[0]
    assert leaks == [], "a filter let through an item the same user had clicked before the request"

    log = rt.tracker(group).events
    history = campaign.model._history
    assert len(log) == n_threads * n_events
    assert len(history) == len(data[0]) + n_threads * n_events, "no event lost from the filter history"
    model = campaign.model
    for user, items in sent.items():
        assert log.loc[log[USER_ID] == user, ITEM_ID].tolist() == items  # the tracker keeps each caller's order
        assert sorted(history.loc[history[USER_ID] == user, ITEM_ID]) == sorted(items)
        row = model.user_vocab.to_inner([user])[0]
        assert model.user_vocab.ids[row] == user, "a user id points at another user's row"
        seen = set(model.item_vocab.ids[np.flatnonzero(model._seen[row : row + 1].toarray().ravel())])
        assert seen == set(items), f"{user}'s seen row holds another user's items"
    assert len(set(model.user_vocab.ids)) == len(model.user_vocab)


# -------------------------------------------------- 2. properties vs own fields
EVENT_FIELDS = ["itemId", "eventId", "eventValue", "eventType", "sentAt", "impression", "recommendationId",
                "eventAttributionSource", "metricAttribution", "properties", "userId", "sessionId", "timestamp",
                "trackingId", "duplicate", "reason", "eventAttribution"]


def _recased(name: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if flip else c for c, flip in zip(name, flips + [False] * len(name)))


@settings(max_examples=60)
@given(name=st.sampled_from([k for k in EVENT_FIELDS if k != "eventAttribution"]),
       flips=st.lists(st.booleans(), max_size=25),
       value=st.one_of(st.text(max_size=6), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_property_naming_an_event_field_is_refused(name, flips, value):
    tracker = EventTracker()
    # event field names are refused in any case; 'duplicate' / 'reason' only where they map onto the log's
    # DUPLICATE / REASON columns ('dUplicate' is the unrelated field D_UPLICATE)
    key = name if name in ("duplicate", "reason") else _recased(name, flips)
    event = {"eventType": "click", "itemId": "i1", "sentAt": 1_700_000_000, "eventValue": 2.0,
             "properties": json.dumps({key: value})}
    with pytest.raises(ClientError) as excinfo:
        tracker.put_events(trackingId=tracker.tracking_id, userId="u1", sessionId="s1", eventList=[event])
    assert error_code(excinfo) == "InvalidInputException"
    assert repr(key) in str(excinfo.value)
    assert len(tracker) == 0, "a refused call records nothing"


_SAFE_KEYS = st.from_regex(r"\A[a-z][a-zA-Z0-9]{0,8}\Z").filter(
    lambda k: k.lower() not in {f.lower() for f in EVENT_FIELDS})


@settings(max_examples=60)
@given(props=st.dictionaries(_SAFE_KEYS, st.one_of(st.text(max_size=6), st.integers(0, 99)), max_size=4))
def test_other_properties_become_columns_and_leave_the_event_fields_alone(props):
    from workbench.personalize import camel_to_column

    columns = [camel_to_column(k) for k in props]
    tracker = EventTracker()
    event = {"eventType": "click", "itemId": "i1", "sentAt": 1_700_000_000, "eventValue": 2.0, "eventId": "e1",
             "recommendationId": "RID-1", "metricAttribution": {"eventAttributionSource": "home"},
             "properties": json.dumps(props)}
    call = dict(trackingId=tracker.tracking_id, userId="u1", sessionId="s1", eventList=[event])
    if len(set(columns)) < len(columns):  # two keys for one schema field
        with pytest.raises(ClientError, match="both map to the schema field"):
            tracker.put_events(**call)
        return
    tracker.put_events(**call)
    row = tracker.events.iloc[0]
    assert (row[USER_ID], row[ITEM_ID], row[TIMESTAMP], row[EVENT_TYPE], row[EVENT_VALUE]) == (
        "u1", "i1", 1_700_000_000, "click", 2.0)
    assert (row[EVENT_ID], row[RECOMMENDATION_ID], row[EVENT_ATTRIBUTION_SOURCE], row[SESSION_ID]) == (
        "e1", "RID-1", "home", "s1")
    assert not row[DUPLICATE]
    for key, column in zip(props, columns):
        assert row[column] == props[key]


def test_put_items_property_may_not_replace_the_item_id():
    tracker = EventTracker()
    with pytest.raises(ClientError, match="'itemID'"):
        tracker.put_items(datasetArn=tracker.items_dataset_arn,
                          items=[{"itemId": "i1", "properties": '{"itemID": "i2"}'}])
    assert tracker.items.empty


# --------------------------------------------------------- 3. far-future sentAt
def new_visitor_top(campaign, n=5) -> list[str]:
    answer = campaign.get_recommendations(userId="brand-new-visitor", numResults=n)
    return [e["itemId"] for e in answer["itemList"]]


def test_an_event_a_year_ahead_is_refused_and_leaves_the_clock_alone(data, newest):
    rt, _, tracking_id, campaign = shop(data, exploration=0.0)
    model = campaign.model
    clock, prior, before = model.now_, model._pop.copy(), new_visitor_top(campaign)
    with pytest.raises(ClientError) as excinfo:
        put(rt, tracking_id, [{"eventType": "click", "itemId": "item029", "sentAt": newest + 365 * DAY}])
    assert error_code(excinfo) == "InvalidInputException"
    assert "eventList[0].sentAt" in str(excinfo.value) and "365.0 days after" in str(excinfo.value)
    assert model.now_ == clock and np.array_equal(model._pop, prior)
    assert new_visitor_top(campaign) == before
    # ordinary traffic still moves the prior: 30 clicks on one item put it first for new visitors
    target = before[-1]
    for k in range(30):
        put(rt, tracking_id, [{"eventType": "click", "itemId": target, "sentAt": newest + 60 + k}], user=f"v{k}")
    assert new_visitor_top(campaign)[0] == target


def test_without_the_check_one_future_event_freezes_the_prior(data, newest):
    """Why the rule exists: the same traffic as above, with the check off, can't move the prior any more."""
    rt, _, tracking_id, campaign = shop(data, exploration=0.0, max_future_seconds=None)
    before = new_visitor_top(campaign)
    outlier = next(i for i in data[1][ITEM_ID] if i not in before)
    put(rt, tracking_id, [{"eventType": "click", "itemId": outlier, "sentAt": newest + 365 * DAY}])
    target = before[-1]
    for k in range(30):
        put(rt, tracking_id, [{"eventType": "click", "itemId": target, "sentAt": newest + 60 + k}], user=f"v{k}")
    after = new_visitor_top(campaign)
    assert after[0] == outlier and after[0] != target


@given(lead_days=st.floats(0, 400, allow_nan=False))
@settings(max_examples=40)
def test_sent_at_is_accepted_up_to_the_lead_and_refused_beyond(lead_days):
    tracker = EventTracker(max_future_seconds=30 * DAY)
    t0 = 1_700_000_000
    tracker.put_events(trackingId=tracker.tracking_id, sessionId="s", eventList=[
        {"eventType": "view", "itemId": "i0", "sentAt": t0}])
    sent_at = t0 + int(lead_days * DAY)
    call = dict(trackingId=tracker.tracking_id, sessionId="s",
                eventList=[{"eventType": "view", "itemId": "i1", "sentAt": sent_at}])
    if sent_at - t0 <= 30 * DAY:
        tracker.put_events(**call)
        assert tracker.clock == sent_at
    else:
        with pytest.raises(ClientError, match="days ahead of its clock"):
            tracker.put_events(**call)
        assert tracker.clock == t0 and len(tracker) == 1


def test_millisecond_sent_at_is_refused_with_the_fix():
    tracker = EventTracker()
    with pytest.raises(ParamValidationError, match="sentAt"):  # 13 digits: botocore itself refuses it
        tracker.put_events(trackingId=tracker.tracking_id, sessionId="s",
                           eventList=[{"eventType": "view", "itemId": "i1", "sentAt": 1_700_000_000_123}])
    with pytest.raises(ClientError) as excinfo:  # 12 digits pass botocore; the tracker names the mistake
        tracker.put_events(trackingId=tracker.tracking_id, sessionId="s",
                           eventList=[{"eventType": "view", "itemId": "i1", "sentAt": 170_000_000_012}])
    assert error_code(excinfo) == "InvalidInputException"
    assert "milliseconds" in str(excinfo.value) and "170000000" in str(excinfo.value)
    assert len(tracker) == 0


def test_the_clock_starts_at_the_attached_campaigns_training_data(data, newest):
    tracker = EventTracker()
    assert tracker.clock == -np.inf
    tracker.attach(Campaign(UserPersonalization().fit(data[0], items=data[1]), name="c"))
    assert tracker.clock == newest


# ------------------------------------------------------------------ 4. memory
def test_tracked_events_are_stored_in_compact_columns(data, newest):
    rt, group, tracking_id, campaign = shop(data)
    tracker = rt.tracker(group)
    catalog = list(data[1][ITEM_ID])
    calls = [dict(trackingId=tracking_id, userId=f"m{k % 300}", sessionId=f"s{k // 5}",
                  eventList=[{"eventType": "click", "itemId": catalog[k % len(catalog)], "sentAt": newest + k,
                              "eventId": f"e{k}", "impression": catalog[:10],
                              "properties": '{"deviceType": "mobile"}'}]) for k in range(5_000)]
    for params in calls[:300]:  # every user exists before measuring: growth per event, not per new user
        rt.put_events(**params)
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for params in calls[300:2_650]:
            rt.put_events(**params)
        middle = tracemalloc.get_traced_memory()[0]
        for params in calls[2_650:]:
            rt.put_events(**params)
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_event = (end - start) / 4_700
    assert per_event < 1_024, f"{per_event:.0f} bytes per tracked event"
    first, second = (middle - start) / 2_350, (end - middle) / 2_350
    assert second < 1.5 * first + 64, f"growth per event is not linear: {first:.0f} then {second:.0f} bytes"
    assert isinstance(tracker._log.times, array) and isinstance(campaign.model._events._times, array)
    assert len(tracker.events) == 5_000 and campaign.model._events.n_tracked == 5_000


def test_base_models_keep_few_event_frames(data, newest):
    """Models that record events through the base class get their per-call frames merged by the campaign."""
    from workbench.recommenders import Popularity

    tracker = EventTracker()
    campaign = Campaign(Popularity().fit(data[0], items=data[1]), name="pop")
    tracker.attach(campaign)
    for k in range(600):
        tracker.put_events(trackingId=tracker.tracking_id, userId=f"u{k % 7}", sessionId="s",
                           eventList=[{"eventType": "view", "itemId": "item001", "sentAt": newest + k}])
    assert len(campaign.model._tracked_chunks) < 100
    assert len(campaign.model._history) == len(data[0]) + 600


# --------------------------------------------------------------- 5. duplicates
def test_distinct_event_ids_are_distinct_events_everywhere(data, newest):
    rt, group, tracking_id, campaign = shop(data)
    model = campaign.model
    item = "item004"
    col = model.item_vocab.to_inner([item])[0]
    counted = model._counts[col]
    base = {"eventType": "click", "itemId": item, "sentAt": newest + 5}
    put(rt, tracking_id, [dict(base, eventId="A")])
    put(rt, tracking_id, [dict(base, eventId="B")])  # same fields, another eventId: a second real click
    put(rt, tracking_id, [dict(base, eventId="A")])  # repeated eventId: a duplicate
    put(rt, tracking_id, [dict(base, sentAt=newest + 6), dict(base, sentAt=newest + 6)])  # identical, no ids
    log = rt.tracker(group).events
    assert log[DUPLICATE].tolist() == [False, False, True, False, True]
    assert model._counts[col] - counted == 3, "the real-time model counts each real event once"
    assert len(model._history) == len(data[0]) + 3
    assert len(rt.tracker(group).interactions_for_training()) == 3


def test_record_frame_does_not_forward_duplicates():
    class Spy:
        def __init__(self):
            self.rows = 0

        def update(self, events):
            self.rows += len(events)

    spy = Spy()
    tracker = EventTracker().attach(spy)
    frame = pd.DataFrame({USER_ID: ["u1", "u1", "u1"], ITEM_ID: ["a", "a", "b"], TIMESTAMP: [5, 5, 5],
                          EVENT_TYPE: ["view"] * 3})
    tracker.record_frame(frame)
    assert tracker.events[DUPLICATE].tolist() == [False, True, False]
    assert spy.rows == 2


_EVENT = st.fixed_dictionaries({
    "item": st.sampled_from(["a", "b"]), "t": st.integers(0, 2), "id": st.sampled_from([None, "A", "B", "C"]),
    "value": st.sampled_from([None, 1.0]),
})


def _oracle(events: list[dict]) -> list[bool]:
    """The fact sheet's rule, pairwise: a repeated eventId, or the same timestamp and fields as an earlier
    kept event when the two do not both carry (different) eventIds."""
    flags, kept = [], []
    for j, e in enumerate(events):
        repeated = e["id"] is not None and any(p["id"] == e["id"] for p in events[:j])
        same = any((p["item"], p["t"], p["value"]) == (e["item"], e["t"], e["value"])
                   and (p["id"] is None or e["id"] is None) for p in kept)
        flags.append(repeated or same)
        if not flags[-1]:
            kept.append(e)
    return flags


@settings(max_examples=80)
@given(events=st.lists(_EVENT, min_size=1, max_size=12))
def test_duplicate_flags_follow_the_rule(events):
    tracker = EventTracker()
    for e in events:
        event = {"eventType": "view", "itemId": e["item"], "sentAt": 1_700_000_000 + e["t"]}
        if e["id"] is not None:
            event["eventId"] = e["id"]
        if e["value"] is not None:
            event["eventValue"] = e["value"]
        tracker.put_events(trackingId=tracker.tracking_id, userId="u", sessionId="s", eventList=[event])
    assert tracker.events[DUPLICATE].tolist() == _oracle(events)


# ---------------------------------------------------- 6. filters and ranking
@pytest.mark.parametrize("expression, named", [
    ("INCLUDE ItemID WHERE Items.NOPE IN (\"x\")", "NOPE"),
    ("EXCLUDE ItemID WHERE Items.PRODUCT_DESCRIPTION IN (\"leather\")", "textual"),
    ("INCLUDE ItemID WHERE Items.CATEGORY_L1 > 3", "categorical"),
    ("INCLUDE ItemID WHERE Items.CATEGORY_L1 >= $LEVEL", "categorical"),
    ("INCLUDE ItemID WHERE Items.CATEGORY_L1 = 3", "bare number"),
    ("EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN (\"boots\") IF CurrentUser.NOPE = \"x\"", "NOPE"),
])
def test_create_filter_checks_fields_up_front(data, expression, named):
    rt, group, _, _ = shop(data)
    with pytest.raises(ClientError) as excinfo:
        rt.create_filter(name="f", datasetGroupArn=group, filterExpression=expression)
    assert error_code(excinfo) == "InvalidInputException"
    assert named in str(excinfo.value)


def test_missing_parameter_value_is_an_invalid_input_exception(data):
    rt, group, _, campaign = shop(data)
    arn = rt.create_filter(name="cat", datasetGroupArn=group,
                           filterExpression="INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)")["filterArn"]
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=campaign.campaign_arn, userId="user001", filterArn=arn)
    assert error_code(excinfo) == "InvalidInputException"
    assert "$CATEGORY" in str(excinfo.value)
    answer = rt.get_recommendations(campaignArn=campaign.campaign_arn, userId="user001", filterArn=arn,
                                    filterValues={"CATEGORY": '"boots"'}, numResults=5)
    category = data[1].set_index(ITEM_ID)["CATEGORY_L1"]
    assert {category[e["itemId"]] for e in answer["itemList"]} == {"boots"}


_FIELDS = st.sampled_from(["CATEGORY_L1", "PRICE", "PRODUCT_DESCRIPTION", "CREATION_TIMESTAMP", "NOPE"])
_OPS = st.sampled_from(["IN", "NOT IN", "=", "<", "<=", ">", ">="])
_VALUES = st.sampled_from(['"boots"', "3", "100", "$P"])


@settings(max_examples=60)
@given(action=st.sampled_from(["INCLUDE", "EXCLUDE"]), field=_FIELDS, op=_OPS, value=_VALUES,
       given_value=st.sampled_from([None, '"boots"', "120"]))
def test_an_accepted_filter_never_fails_with_a_raw_error(data, action, field, op, value, given_value):
    """Generated expressions: CreateFilter refuses them, or every request answers or is an InvalidInputException."""
    if "shop" not in _SHARED:
        _SHARED["shop"] = shop(data)
    rt, group, _, campaign = _SHARED["shop"]
    rt._groups[group].filters.clear()  # each example starts under the 10-filter quota
    value_text = f"({value})" if op in ("IN", "NOT IN") and not value.startswith("$") else value
    expression = f"{action} ItemID WHERE Items.{field} {op} {value_text}"
    try:
        arn = rt.create_filter(name="generated", datasetGroupArn=group, filterExpression=expression)["filterArn"]
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidInputException"
        return
    params = {"campaignArn": campaign.campaign_arn, "userId": "user001", "filterArn": arn, "numResults": 5}
    if given_value is not None:
        params["filterValues"] = {"P": given_value}
    try:
        answer = rt.get_recommendations(**params)
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidInputException"
        return
    assert len(answer["itemList"]) <= 5


_SHARED: dict = {}


class HalfScored(Recommender):
    """Ranking test model: popularity for even-numbered items, no score (NaN) for odd-numbered ones."""

    recipe_type = "PERSONALIZED_RANKING"

    def _fit(self, interactions, items, users) -> None:
        return None

    def _score(self, users, session) -> np.ndarray:
        return self._fallback_scores(np.asarray(users), session)

    def _fallback_scores(self, raw_user_ids, session) -> np.ndarray:
        scores = np.tile(self._popularity + np.arange(len(self._popularity)) * 1e-3, (len(raw_user_ids), 1))
        odd = np.asarray([int(i[-3:]) % 2 == 1 for i in self.item_vocab.ids])
        scores[:, odd] = np.nan
        return scores


def test_personalized_ranking_returns_every_input_item(data):
    campaign = Campaign(HalfScored().fit(data[0], items=data[1]), name="rank")
    inputs = ["item003", "not-in-catalog", "item002", "item001", "item004", "item002"]
    answer = campaign.get_personalized_ranking(userId="user001", inputList=inputs)
    ranking = answer["personalizedRanking"]
    model = campaign.model
    scores = model._fallback_scores(np.asarray(["user001"]), None)[0]
    expected = sorted(["item002", "item004"], key=lambda i: -scores[model.item_vocab.to_inner([i])[0]])
    assert [e["itemId"] for e in ranking][:2] == expected
    assert [e["itemId"] for e in ranking[2:]] == ["item003", "not-in-catalog", "item001"], "unscored: input order"
    assert all("score" in e for e in ranking[:2]) and not any("score" in e for e in ranking[2:])
    assert len(ranking) == len(dict.fromkeys(inputs))


@pytest.mark.parametrize("user", ["", "   "])
def test_personalized_ranking_needs_a_user(data, user):
    campaign = Campaign(HalfScored().fit(data[0], items=data[1]), name="rank")
    with pytest.raises(ClientError) as excinfo:
        campaign.get_personalized_ranking(userId=user, inputList=["item001"])
    assert error_code(excinfo) == "InvalidInputException"
    assert "userId" in str(excinfo.value)


def test_runtime_objects_can_still_be_deep_copied(data, newest):
    """Locks can't be copied; trackers, campaigns and runtimes recreate theirs."""
    import copy

    rt, group, tracking_id, campaign = shop(data)
    put(rt, tracking_id, [{"eventType": "click", "itemId": "item001", "sentAt": newest + 1}])
    twin = copy.deepcopy(rt)
    put(twin, tracking_id, [{"eventType": "click", "itemId": "item002", "sentAt": newest + 2}])
    assert len(twin.tracker(group)) == 2 and len(rt.tracker(group)) == 1
    assert len(copy.deepcopy(campaign).model._history) == len(campaign.model._history)
