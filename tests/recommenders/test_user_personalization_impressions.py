"""Impressions guide User-Personalization's exploration (fact sheet 1.4).

"The more often an item appears in impressions (without being chosen), the less likely it
is included in exploration": each shown-but-not-chosen item uses up ``impression_weight``
of an interaction's share of its exploration room.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import CREATION_TIMESTAMP, IMPRESSION, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders.user_personalization import UserPersonalization

from .contract import contract_dataset


def _ignored(model) -> dict[str, float]:
    return {item: float(n) for item, n in zip(model.item_vocab.ids, model._ignored) if n}


def test_impression_column_counts_each_list_once_per_user_hand_worked():
    # u1 acted twice on list a|b|c (chose a and b): c ignored once, not twice;
    # u2 chose c from a|c|d: a ignored, d is unknown to the model (not counted);
    # u3 chose the only item shown; the row without an impression adds nothing.
    frame = pd.DataFrame({USER_ID: ["u1", "u1", "u2", "u2", "u3"], ITEM_ID: ["a", "b", "a", "c", "b"],
                          TIMESTAMP: [1, 2, 3, 4, 5], IMPRESSION: ["a|b|c", "a|b|c", None, "a|c|d", "b"]})
    model = UserPersonalization().fit(frame)
    assert _ignored(model) == {"a": 1.0, "c": 1.0}


def test_record_impressions_in_raw_ids_skips_unknown_items():
    frame = pd.DataFrame({USER_ID: ["u1", "u2"], ITEM_ID: ["a", "b"], TIMESTAMP: [1, 2]})
    model = UserPersonalization().fit(frame)
    assert _ignored(model) == {}
    model.record_impressions([["a", "b", "zz"], ["b"]], [["a"], []])
    assert _ignored(model) == {"b": 2.0}
    with pytest.raises(ValueError, match="one chosen list per impression"):
        model.record_impressions([["a"]], [])
    with pytest.raises(ValueError, match="one shape"):
        model.record_impressions_inner(np.zeros((2, 3), dtype=int), np.zeros((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="out of range"):
        model.record_impressions_inner(np.array([[7]]), np.array([[False]]))


@pytest.fixture
def young_catalog():
    interactions, items, _ = contract_dataset()
    t = int(interactions[TIMESTAMP].max())
    return interactions, items.assign(**{CREATION_TIMESTAMP: t - 86_400})


def test_ignored_items_leave_exploration_and_the_others_keep_their_bonus(young_catalog):
    interactions, items = young_catalog
    model = UserPersonalization(exploration_weight=0.5, exploration_max_interactions=10_000).fit(interactions,
                                                                                                 items=items)
    cap = 10_000
    counts = dict(zip(model.item_vocab.ids, model._counts))
    passed_over, untouched = model.item_vocab.ids[0], model.item_vocab.ids[1]
    room_before = model._exploration_used().copy()
    # shown (cap - interactions) / 0.1 times without being chosen: its room is used up
    times = int(np.ceil((cap - counts[passed_over]) / model.config.impression_weight))
    inner = model.item_vocab.to_inner([passed_over])
    model.record_impressions_inner(np.full((times, 1), inner[0]), np.zeros((times, 1), dtype=bool))
    candidates = set(model.exploration_candidates())
    assert passed_over not in candidates and untouched in candidates
    after = model._exploration_used()
    assert after[inner[0]] >= cap
    np.testing.assert_array_equal(np.delete(after, inner[0]), np.delete(room_before, inner[0]))


def test_fewer_passed_over_items_in_lists_after_their_impressions(young_catalog):
    interactions, items = young_catalog
    users = interactions[USER_ID].unique()[:40]
    model = UserPersonalization(exploration_weight=1.0, exploration_max_interactions=60).fit(interactions, items=items)
    first = model.reseed().recommend(users, n=10)
    # the five items shown most often are passed over ten times each
    passed = first[ITEM_ID].value_counts().index[:5].tolist()
    for _ in range(10):
        model.record_impressions([passed], [[]])
    again = model.reseed().recommend(users, n=10)  # the same exploration draws
    share = lambda recs: recs[ITEM_ID].isin(passed).mean()  # noqa: E731
    assert share(again) < share(first)


def test_without_impressions_or_with_weight_zero_lists_are_unchanged(young_catalog):
    interactions, items = young_catalog
    users = interactions[USER_ID].unique()[:30]
    plain = UserPersonalization(exploration_weight=0.5).fit(interactions, items=items)
    weightless = UserPersonalization(exploration_weight=0.5, impression_weight=0.0).fit(interactions, items=items)
    weightless.record_impressions([list(weightless.item_vocab.ids)] * 3, [[]] * 3)
    pd.testing.assert_frame_equal(plain.reseed().recommend(users, n=10), weightless.reseed().recommend(users, n=10))


def _tiny_model():
    frame = pd.DataFrame({USER_ID: ["u1", "u2", "u3"], ITEM_ID: ["a", "b", "c"], TIMESTAMP: [1, 2, 3]})
    return UserPersonalization().fit(frame)


def test_a_later_event_on_the_same_list_takes_its_item_back_out():
    model = _tiny_model()
    model.update(pd.DataFrame({USER_ID: ["u1"], ITEM_ID: ["a"], TIMESTAMP: [10], IMPRESSION: ["a|b|c"]}))
    assert _ignored(model) == {"b": 1.0, "c": 1.0}
    # the purchase of b from the same list arrives in a later call: b was chosen after all
    model.track(["u1"], ["b"], [20], ["purchase"], impressions=["a|b|c"])
    assert _ignored(model) == {"c": 1.0}
    model.track(["u1"], ["b"], [30], ["purchase"], impressions=["a|b|c"])  # nothing new chosen: no change
    assert _ignored(model) == {"c": 1.0}
    model.track(["u2"], ["a"], [40], impressions=["a|b|c"])  # another customer's list counts on its own
    assert _ignored(model) == {"b": 1.0, "c": 2.0}
    model.track(["u2"], ["c"], [50])  # an event with no list changes no impression count
    assert _ignored(model) == {"b": 1.0, "c": 2.0}


def test_only_the_latest_lists_are_remembered(monkeypatch):
    from workbench.recommenders import user_personalization

    monkeypatch.setattr(user_personalization, "IMPRESSION_LISTS_REMEMBERED", 2)
    model = _tiny_model()
    for user in ("u1", "u2", "u3"):
        model.track([user], ["a"], [10], impressions=["a|b"])
    assert len(model._impression_lists) == 2 and hash(("u1", "a|b")) not in model._impression_lists
    model.track(["u1"], ["b"], [20], impressions=["a|b"])  # forgotten: counted as a new list
    assert _ignored(model) == {"a": 1.0, "b": 3.0}


def test_put_events_with_a_recommendation_id_reach_the_campaigns_model():
    from workbench.personalize import PersonalizeRuntime

    interactions, items, users = contract_dataset(seed=11, n_users=40, n_items=30)
    rt = PersonalizeRuntime()
    group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
    tracking_id = rt.create_event_tracker(name="web", datasetGroupArn=group)["trackingId"]
    model = UserPersonalization().fit(interactions.drop(columns=[c for c in (IMPRESSION,) if c in interactions]),
                                      items=items, users=users)
    campaign = rt.deploy(model, name="up", datasetGroupArn=group)
    response = rt.get_recommendations(campaignArn=campaign.campaign_arn, userId="user003", numResults=5)
    shown = [entry["itemId"] for entry in response["itemList"]]
    t = int(interactions[TIMESTAMP].max()) + 60
    rt.put_events(trackingId=tracking_id, userId="user003", sessionId="s3", eventList=[
        {"eventType": "click", "itemId": shown[1], "sentAt": t, "recommendationId": response["recommendationId"]}])
    deployed = campaign.model
    assert {item for item in _ignored(deployed)} == set(shown) - {shown[1]}


def test_add_ignored_inner_adds_counts_and_checks_its_input():
    model = _tiny_model()
    model.add_ignored_inner(np.array([0, 2, 0]), np.array([2.0, 1.0, 1.0]))
    assert _ignored(model) == {model.item_vocab.ids[0]: 3.0, model.item_vocab.ids[2]: 1.0}
    with pytest.raises(ValueError, match="one count per inner item"):
        model.add_ignored_inner(np.array([5]), np.array([1.0]))
    with pytest.raises(ValueError, match="one count per inner item"):
        model.add_ignored_inner(np.array([0, 1]), np.array([1.0]))


def test_an_item_unknown_when_shown_is_never_given_back():
    """Shown before the model knew it, chosen after: it was never counted, so nothing goes below zero."""
    model = _tiny_model()
    model.track(["u1"], ["a"], [10], impressions=["a|b|new"])
    assert _ignored(model) == {"b": 1.0}
    model.auto_update(items=pd.DataFrame({ITEM_ID: ["a", "b", "c", "new"]}), now=20)
    assert "new" in model.item_vocab
    model.track(["u1"], ["new"], [30], impressions=["a|b|new"])
    assert _ignored(model) == {"b": 1.0} and (model._ignored >= 0).all()


def test_a_model_loaded_in_another_process_still_knows_the_lists_it_counted(tmp_path):
    # Python salts its text hash per process; the remembered lists must not depend on it. The
    # model is pickled here and the later event on the same list is sent in a fresh interpreter
    # with a different PYTHONHASHSEED: b must be taken back out, not the list counted again.
    import os
    import pickle
    import subprocess
    import sys

    model = _tiny_model()
    model.update(pd.DataFrame({USER_ID: ["u1"], ITEM_ID: ["a"], TIMESTAMP: [10], IMPRESSION: ["a|b|c"]}))
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    code = (
        "import pickle, sys\n"
        "model = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "model.track(['u1'], ['b'], [20], ['purchase'], impressions=['a|b|c'])\n"
        "print(sorted((i, float(n)) for i, n in zip(model.item_vocab.ids, model._ignored) if n))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")]
    assert runs == ["[('c', 1.0)]", "[('c', 1.0)]"]
