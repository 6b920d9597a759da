"""ItemKNN / UserKNN: contract, a hand-computed prediction, agreement with surprise, explanations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, EVENT_VALUE, FALLBACK, ITEM_ID, PREDICTION, SCORE, USER_ID
from workbench.recommenders import ItemKNN, UserKNN
from workbench.recommenders.surprise_adapter import IMPOSSIBLE

from .contract import RecommenderContract, contract_dataset


class TestItemKNNContract(RecommenderContract):
    def make_model(self):
        return ItemKNN()


class TestUserKNNContract(RecommenderContract):
    def make_model(self):
        return UserKNN(k=10)


class TestCenteredItemKNNContract(RecommenderContract):
    def make_model(self):
        return ItemKNN(centered=True, similarity="msd")


# A: x=5 y=3 | B: x=4 y=2 z=5 | C: y=4 z=1
RATINGS = pd.DataFrame(
    {
        USER_ID: ["A", "A", "B", "B", "B", "C", "C"],
        ITEM_ID: ["x", "y", "x", "y", "z", "y", "z"],
        EVENT_TYPE: "rating",
        EVENT_VALUE: [5.0, 3.0, 4.0, 2.0, 5.0, 4.0, 1.0],
    }
)


def test_item_knn_prediction_by_hand():
    # cosine over common raters only: sim(z, x) uses B: 5*4 / (5*4) = 1
    # sim(z, y) uses B and C: (5*2 + 1*4) / sqrt((25 + 1) * (4 + 16)) = 14 / sqrt(520)
    sim_zx, sim_zy = 1.0, 14 / math.sqrt(520)
    expected = (sim_zx * 5 + sim_zy * 3) / (sim_zx + sim_zy)  # A rated x=5, y=3
    model = ItemKNN(min_support=1).fit(RATINGS)
    assert model.feedback_ == "explicit"
    recs = model.recommend(["A"], n=5)
    assert recs[ITEM_ID].tolist() == ["z"]
    assert recs[SCORE].item() == pytest.approx(expected)
    assert model.predict(pd.DataFrame({USER_ID: ["A"], ITEM_ID: ["z"]}))[PREDICTION].item() == pytest.approx(expected)
    assert model.explain("A", "z") == "Because you liked x (similarity 1.00)."


def test_user_knn_prediction_by_hand_and_k_limits_the_voters():
    # sim(C, A) over common item y: 4*3 / (4*3) = 1; sim(C, B) over y, z: (4*2 + 1*5) / sqrt(17 * 29)
    sim_ca, sim_cb = 1.0, 13 / math.sqrt(17 * 29)
    model = UserKNN(min_support=1).fit(RATINGS)
    score = model.recommend(["C"], n=1)[SCORE].item()  # only x is unseen: A rated it 5, B rated it 4
    assert score == pytest.approx((sim_ca * 5 + sim_cb * 4) / (sim_ca + sim_cb))
    nearest_only = UserKNN(k=1, min_support=1).fit(RATINGS).recommend(["C"], n=1)[SCORE].item()
    assert nearest_only == pytest.approx(5.0)  # A is the closest neighbour
    assert "1 customer with taste like yours" in UserKNN(k=1, min_support=1).fit(RATINGS).explain("C", "x")


def test_min_k_makes_predictions_impossible():
    model = ItemKNN(min_k=3, min_support=1).fit(RATINGS)
    # only two neighbours of z among A's items: the model cannot score z, so A gets the fallback, flagged
    fallback = model.recommend(["A"], n=5)
    assert fallback[ITEM_ID].tolist() == ["z"] and fallback[FALLBACK].all()
    out = model.predict(pd.DataFrame({USER_ID: ["A"], ITEM_ID: ["z"]}))
    assert out[IMPOSSIBLE].item()
    centered = ItemKNN(min_k=3, centered=True, min_support=1).fit(RATINGS)
    assert centered.recommend(["A"], n=5)[SCORE].item() == pytest.approx(3.0)  # falls back to z's mean (5+1)/2


@pytest.mark.parametrize(
    "model",
    [ItemKNN(k=3, aggregate="average"), ItemKNN(k=5, centered=True, similarity="msd"),
     UserKNN(k=4, aggregate="average"), UserKNN(centered=True, k=6),
     ItemKNN(similarity="pearson", min_k=2, aggregate="average")],
    ids=["item-k3", "item-centered", "user-k4", "user-centered", "item-pearson"],
)
def test_vectorised_scores_equal_surprise_estimates(model):
    interactions, _, _ = contract_dataset(n_users=25, n_items=20)
    model.fit(interactions)
    users = model.user_vocab.ids
    scores, _ = model._score_raw(users, None)
    for row, user in enumerate(users):
        for col, item in enumerate(model.item_vocab.ids):
            p = model.algo_.predict(user, item, clip=False)
            if p.details.get("was_impossible"):
                assert np.isnan(scores[row, col])
            else:
                assert scores[row, col] == pytest.approx(p.est, abs=1e-9)


def test_item_similarities_follow_taste_clusters():
    interactions, items, _ = contract_dataset()
    model = ItemKNN().fit(interactions, items=items)  # min_support=3
    similar = model.similar_items(["item000", "item001"], n=4)
    category = items.set_index(ITEM_ID)["CATEGORY_L1"]
    same = (category[similar[ITEM_ID]].to_numpy() == category[similar["QUERY_ITEM_ID"]].to_numpy()).mean()
    assert same >= 0.75  # users mostly stay in their favourite category
    # with surprise's default min_support=1, one shared user makes items look identical
    loose = ItemKNN(min_support=1).fit(interactions, items=items).similar_items(["item000", "item001"], n=4)
    assert np.allclose(loose[SCORE], 1.0)
    with pytest.raises(NotImplementedError):
        UserKNN().fit(interactions).similar_items(["item000"])


def test_sum_aggregation_for_implicit_feedback_by_hand():
    events = pd.DataFrame({USER_ID: ["A", "A", "B", "B", "B", "C", "C"], ITEM_ID: ["x", "y", "x", "y", "z", "y", "z"],
                           EVENT_TYPE: "view"})  # implicit: every pseudo-rating is 5 (one view each = c_max)
    model = ItemKNN(min_support=1).fit(events)
    assert model.feedback_ == "implicit" and model.aggregate_ == "sum"
    # cosine of constant vectors is 1 for every co-viewed pair: z's neighbours among A's items are x and y
    assert model.recommend(["A"], n=1)[SCORE].item() == pytest.approx(1.0 * 5 + 1.0 * 5)
    average = ItemKNN(min_support=1, aggregate="average").fit(events).recommend(["A"], n=1)
    assert average[SCORE].item() == pytest.approx(5.0)
    with pytest.raises(ValueError, match="centered"):
        ItemKNN(aggregate="sum", centered=True).fit(events)


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="similarity"):
        ItemKNN(similarity="jaccard").fit(RATINGS)
    with pytest.raises(ValueError, match="feedback"):
        ItemKNN(feedback="stars").fit(RATINGS)
