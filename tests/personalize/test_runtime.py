"""Campaigns, the runtime's routing, filters, and who reacts to tracked events when."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.recommenders.contract import contract_dataset
from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.errors import ModelNotFittedError
from workbench.personalize import Campaign, EventTracker, PersonalizeRuntime
from workbench.recommenders import Popularity
from workbench.recommenders.base import Recommender
from workbench.recommenders.sims import SIMS

T0 = 1_700_000_000


class ClickBoost(Recommender):
    """Tiny real-time test model: popularity, plus 100 per tracked event of this user on an item."""

    realtime = True

    def _fit(self, interactions, items, users) -> None:
        self.boost: dict[str, dict[str, float]] = {}

    def _update(self, events, new_items) -> None:
        for user, item in zip(events[USER_ID], events[ITEM_ID]):
            per_user = self.boost.setdefault(str(user), {})
            per_user[str(item)] = per_user.get(str(item), 0.0) + 100.0

    def _scores_for(self, raw_ids) -> np.ndarray:
        scores = np.tile(self._popularity, (len(raw_ids), 1))
        for row, uid in enumerate(raw_ids):
            for item, bonus in self.boost.get(str(uid), {}).items():
                idx = self.item_vocab.to_inner([item])[0]
                if idx >= 0:
                    scores[row, idx] += bonus
        return scores

    def _score(self, users, session) -> np.ndarray:
        return self._scores_for(self.user_vocab.to_raw(users))

    def _fallback_scores(self, raw_user_ids, session) -> np.ndarray:
        return self._scores_for(raw_user_ids)


@pytest.fixture(scope="module")
def data():
    return contract_dataset(seed=11, n_users=40, n_items=30)


@pytest.fixture
def shop(data):
    """A runtime with one dataset group, its tracker and three campaigns."""
    interactions, items, users = data
    rt = PersonalizeRuntime()
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    tracking_id = rt.create_event_tracker(name="web", datasetGroupArn=group)["trackingId"]
    live = rt.deploy(ClickBoost().fit(interactions, items=items, users=users), name="live", datasetGroupArn=group)
    sims = rt.deploy(SIMS(min_cointeraction_count=1).fit(interactions, items=items, users=users), name="sims",
                     datasetGroupArn=group)
    pop = rt.deploy(Popularity().fit(interactions, items=items, users=users), name="pop", datasetGroupArn=group)
    return rt, group, tracking_id, {"live": live, "sims": sims, "pop": pop}


def item_ids(response) -> list[str]:
    return [entry["itemId"] for entry in response["itemList"]]


def click(rt, tracking_id, user, item, t=T0 + 1_000_000, event_type="click", session="s1"):
    params = {"trackingId": tracking_id, "sessionId": session,
              "eventList": [{"eventType": event_type, "itemId": item, "sentAt": t}]}
    if user is not None:
        params["userId"] = user
    rt.put_events(**params)


# ------------------------------------------------------------- control plane
def test_only_one_event_tracker_per_dataset_group(shop):
    rt, group, _, _ = shop
    with pytest.raises(ClientError) as excinfo:
        rt.create_event_tracker(name="mobile", datasetGroupArn=group)
    assert excinfo.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    assert "only one event tracker per dataset group" in str(excinfo.value)
    other = rt.create_dataset_group(name="other-shop")["datasetGroupArn"]
    assert rt.create_event_tracker(name="mobile", datasetGroupArn=other)["trackingId"]


def test_event_tracker_needs_an_existing_dataset_group():
    rt = PersonalizeRuntime()
    with pytest.raises(ClientError) as excinfo:
        rt.create_event_tracker(name="web", datasetGroupArn="arn:aws:personalize:us-east-1:000000000000:dataset-group/nope")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_control_plane_calls_are_validated_by_botocore():
    rt = PersonalizeRuntime()
    with pytest.raises(ParamValidationError, match="datasetGroupArn"):
        rt.create_event_tracker(name="web")


def test_invalid_filter_expression_is_refused(shop):
    rt, group, _, _ = shop
    with pytest.raises(ClientError) as excinfo:
        rt.create_filter(name="bad", datasetGroupArn=group,
                         filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_VALUE > 3')
    assert excinfo.value.response["Error"]["Code"] == "InvalidInputException"
    assert "filterExpression is invalid" in str(excinfo.value)


def test_filter_quota_of_ten_per_group(shop):
    rt, group, _, _ = shop
    for k in range(10):
        rt.create_filter(name=f"f{k}", datasetGroupArn=group,
                         filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    with pytest.raises(ClientError) as excinfo:
        rt.create_filter(name="f10", datasetGroupArn=group,
                         filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    assert excinfo.value.response["Error"]["Code"] == "LimitExceededException"


# ---------------------------------------------------------- GetRecommendations
def test_response_shape_and_default_of_25(shop):
    rt, _, _, campaigns = shop
    response = rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, userId="user001")
    assert set(response) == {"itemList", "recommendationId", "ResponseMetadata"}
    assert len(response["itemList"]) == 25
    assert all(set(entry) == {"itemId", "score"} for entry in response["itemList"])
    scores = [entry["score"] for entry in response["itemList"]]
    assert scores == sorted(scores, reverse=True)
    assert len(response["recommendationId"]) <= 40
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_campaign_arn_format(shop):
    _, _, _, campaigns = shop
    assert campaigns["pop"].campaign_arn == "arn:aws:personalize:us-east-1:000000000000:campaign/pop"


def test_num_results_above_500_is_refused(shop):
    rt, _, _, campaigns = shop
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, userId="user001", numResults=501)
    assert excinfo.value.response["Error"]["Code"] == "InvalidInputException"
    assert "at most 500" in str(excinfo.value)


def test_num_results_must_be_an_integer(shop):
    rt, _, _, campaigns = shop
    with pytest.raises(ParamValidationError, match="numResults"):
        rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, userId="user001", numResults="5")


def test_user_personalization_needs_user_id(shop):
    rt, _, _, campaigns = shop
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, itemId="item001")
    assert "userId is required" in str(excinfo.value) and "USER_PERSONALIZATION" in str(excinfo.value)


def test_related_items_needs_item_id(shop):
    rt, _, _, campaigns = shop
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=campaigns["sims"].campaign_arn, userId="user001")
    assert "itemId is required" in str(excinfo.value) and "RELATED_ITEMS" in str(excinfo.value)


def test_related_items_answers_with_similar_items(shop):
    rt, _, _, campaigns = shop
    response = rt.get_recommendations(campaignArn=campaigns["sims"].campaign_arn, itemId="item003", numResults=5)
    expected = campaigns["sims"].model.similar_items(["item003"], n=5)[ITEM_ID].tolist()
    assert item_ids(response) == expected
    assert "item003" not in item_ids(response)


def test_unknown_campaign_and_filter(shop):
    rt, _, _, campaigns = shop
    missing = "arn:aws:personalize:us-east-1:000000000000:campaign/nope"
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=missing, userId="u")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, userId="u",
                               filterArn="arn:aws:personalize:us-east-1:000000000000:filter/nope")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_filter_with_parameter(shop, data):
    rt, group, _, campaigns = shop
    items = data[1].set_index(ITEM_ID)
    arn = rt.create_filter(name="by-category", datasetGroupArn=group,
                           filterExpression="INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)")["filterArn"]
    for name in ("pop", "sims"):
        response = rt.get_recommendations(campaignArn=campaigns[name].campaign_arn, userId="user002", itemId="item004",
                                          numResults=4, filterArn=arn, filterValues={"CATEGORY": '"boots"'})
        assert len(response["itemList"]) == 4
        assert (items.loc[item_ids(response), "CATEGORY_L1"] == "boots").all()


def test_campaign_can_be_called_directly(data):
    interactions, items, users = data
    campaign = Campaign(Popularity().fit(interactions), name="direct")
    response = campaign.get_recommendations(userId="user001", numResults=3)
    assert len(response["itemList"]) == 3
    with pytest.raises(ClientError) as excinfo:
        campaign.get_recommendations(campaignArn="arn:aws:personalize:us-east-1:000000000000:campaign/x", userId="u")
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_campaign_needs_a_fitted_model():
    with pytest.raises(ModelNotFittedError, match="fit"):
        Campaign(Popularity())


def test_related_items_campaign_needs_item_similarity(data):
    with pytest.raises(ValueError, match="no item similarity"):
        Campaign(Popularity().fit(data[0]), recipe_type="RELATED_ITEMS")


def test_personalized_ranking_reorders_input_list(tiny_interactions):
    # distinct users per item: i1 4, i2 4, i3 2, i5 2 -> i1 first; an item never seen goes last, unscored
    campaign = Campaign(Popularity().fit(tiny_interactions), name="rank", recipe_type="PERSONALIZED_RANKING")
    response = campaign.get_personalized_ranking(userId="u9", inputList=["i3", "brand-new", "i1"])
    ranking = response["personalizedRanking"]
    assert [entry["itemId"] for entry in ranking] == ["i1", "i3", "brand-new"]
    assert ranking[0]["score"] == 4.0 and ranking[1]["score"] == 2.0
    assert "score" not in ranking[2]
    with pytest.raises(ClientError, match="GetPersonalizedRanking"):
        campaign.get_recommendations(userId="u9")


# ------------------------------------------------------------ real time or not
def test_one_click_changes_a_realtime_campaign_but_not_sims(shop):
    rt, _, tracking_id, campaigns = shop
    user = "user005"
    before = {name: rt.get_recommendations(campaignArn=c.campaign_arn, userId=user, itemId="item003", numResults=10)
              for name, c in campaigns.items()}
    target = item_ids(before["live"])[-1]  # rank 10 for this user
    click(rt, tracking_id, user, target)
    after = {name: rt.get_recommendations(campaignArn=c.campaign_arn, userId=user, itemId="item003", numResults=10)
             for name, c in campaigns.items()}
    assert item_ids(after["live"])[0] == target, "a real-time campaign reacts within the same call"
    assert item_ids(after["sims"]) == item_ids(before["sims"]), "SIMS learns new events only after retraining"
    assert item_ids(after["pop"]) == item_ids(before["pop"])


def test_session_recency_reacts_to_a_single_click(data):
    session_module = pytest.importorskip("workbench.recommenders.session")
    interactions, items, users = data
    tracker = EventTracker()
    campaign = Campaign(session_module.SessionRecency().fit(interactions, items=items, users=users), name="session")
    tracker.attach(campaign)
    before = item_ids(campaign.get_recommendations(userId="user007", numResults=10))
    history = set(interactions.loc[interactions[USER_ID] == "user007", ITEM_ID])
    fresh = next(i for i in items[ITEM_ID] if i not in history and i not in before)
    tracker.put_events(trackingId=tracker.tracking_id, userId="user007", sessionId="s7",
                       eventList=[{"eventType": "click", "itemId": fresh, "sentAt": T0 + 1_000_000}])
    after = item_ids(campaign.get_recommendations(userId="user007", numResults=10))
    assert after != before


def test_retraining_makes_sims_learn_the_events(shop):
    rt, group, tracking_id, campaigns = shop
    sims = campaigns["sims"]
    user = "user005"
    before = item_ids(rt.get_recommendations(campaignArn=sims.campaign_arn, itemId="item003", userId=user))
    # three new customers buy item003 together with item029 -> a new strong co-occurrence
    for k in range(3):
        for item in ("item003", "item029"):
            click(rt, tracking_id, f"new{k}", item, event_type="purchase", session=f"n{k}")
    unchanged = item_ids(rt.get_recommendations(campaignArn=sims.campaign_arn, itemId="item003", userId=user))
    assert unchanged == before
    sims.retrain()
    assert sims.solution_version == 2
    retrained = rt.get_recommendations(campaignArn=sims.campaign_arn, itemId="item003", userId=user)
    assert item_ids(retrained) != before
    assert "new0" in set(sims.model.interactions_[USER_ID])


def test_filters_see_tracked_events_immediately_even_without_retraining(shop):
    rt, group, tracking_id, campaigns = shop
    arn = rt.create_filter(name="not-bought", datasetGroupArn=group,
                           filterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')["filterArn"]
    pop = campaigns["pop"]
    top = item_ids(rt.get_recommendations(campaignArn=pop.campaign_arn, userId="user009", filterArn=arn))[0]
    click(rt, tracking_id, "user009", top, event_type="purchase")
    again = item_ids(rt.get_recommendations(campaignArn=pop.campaign_arn, userId="user009", filterArn=arn))
    assert top not in again
    assert not pop.realtime


def test_anonymous_visitor_gets_realtime_recommendations_by_session_id(shop):
    rt, _, tracking_id, campaigns = shop
    live = campaigns["live"]
    cold = item_ids(rt.get_recommendations(campaignArn=live.campaign_arn, userId="visit-42", numResults=5))
    target = "item017" if cold[0] != "item017" else "item018"
    click(rt, tracking_id, None, target, session="visit-42")
    warm = item_ids(rt.get_recommendations(campaignArn=live.campaign_arn, userId="visit-42", numResults=5))
    assert warm[0] == target
    tracker = rt.tracker(group_of(rt))
    assert tracker.interactions_for_training().query(f"{ITEM_ID} == @target").empty  # not trained on (yet)


def group_of(rt: PersonalizeRuntime) -> str:
    return next(iter(rt._groups))


def test_implicit_impressions_from_recommendation_id(shop):
    rt, group, tracking_id, campaigns = shop
    response = rt.get_recommendations(campaignArn=campaigns["pop"].campaign_arn, userId="user003", numResults=4)
    shown = item_ids(response)
    rt.put_events(trackingId=tracking_id, userId="user003", sessionId="s3", eventList=[
        {"eventType": "click", "itemId": shown[1], "sentAt": T0 + 1, "recommendationId": response["recommendationId"]},
        {"eventType": "click", "itemId": shown[2], "sentAt": T0 + 2, "recommendationId": response["recommendationId"],
         "impression": [shown[2], "elsewhere"]},  # explicit impressions win
    ])
    log = rt.tracker(group).events
    assert log["IMPRESSION"].tolist() == ["|".join(shown), f"{shown[2]}|elsewhere"]


def test_put_routes_by_tracking_id_and_dataset_arn(shop):
    rt, group, tracking_id, _ = shop
    with pytest.raises(ClientError) as excinfo:
        rt.put_events(trackingId="not-a-tracker", sessionId="s", eventList=[{"eventType": "x", "sentAt": T0}])
    assert excinfo.value.response["Error"]["Code"] == "InvalidInputException"
    with pytest.raises(ParamValidationError):
        rt.put_events(sessionId="s", eventList=[{"eventType": "x", "sentAt": T0}])
    tracker = rt.tracker(group)
    rt.put_items(datasetArn=tracker.items_dataset_arn, items=[{"itemId": "new-boot", "properties": '{"price": 9.5}'}])
    assert tracker.items[ITEM_ID].tolist() == ["new-boot"]
    with pytest.raises(ClientError) as excinfo:
        rt.put_users(datasetArn="arn:aws:personalize:us-east-1:000000000000:dataset/nope/USERS", users=[{"userId": "a"}])
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_retrain_uses_put_items_records(shop):
    rt, group, tracking_id, campaigns = shop
    tracker = rt.tracker(group)
    rt.put_items(datasetArn=tracker.items_dataset_arn,
                 items=[{"itemId": "item000", "properties": '{"categoryL1": "clearance"}'}])
    pop = campaigns["pop"]
    assert pop.model.items_.set_index(ITEM_ID).loc["item000", "CATEGORY_L1"] != "clearance"
    pop.retrain()
    assert pop.model.items_.set_index(ITEM_ID).loc["item000", "CATEGORY_L1"] == "clearance"


def test_retrain_with_explicit_frame(shop):
    _, _, _, campaigns = shop
    frame = pd.DataFrame({USER_ID: ["a", "b"], ITEM_ID: ["x", "x"], TIMESTAMP: [T0, T0 + 1], EVENT_TYPE: ["view"] * 2})
    pop = campaigns["pop"].retrain(frame)
    listing = pop.get_recommendations(userId="zed", numResults=5)["itemList"]
    assert listing[0] == {"itemId": "x", "score": 2.0}  # two distinct users
    assert all(entry["score"] == 0.0 for entry in listing[1:])  # catalogue items nobody touched
