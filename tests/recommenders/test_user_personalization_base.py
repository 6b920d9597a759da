"""UserPersonalization's long-term base: ALS item factors folded in through one shared k x k map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders.user_personalization import UserPersonalization

from .contract import RecommenderContract, contract_dataset


class TestSVDBaseContract(RecommenderContract):
    """The former base stays available and keeps the whole contract (real-time reaction included)."""

    def make_model(self):
        return UserPersonalization(base="svd")


def test_default_base_and_factors():
    interactions, _, _ = contract_dataset(n_users=40, n_items=30)
    svd = UserPersonalization(base="svd").fit(interactions)
    assert svd.item_factors_.shape[1] == 24 and svd._fold_in is None
    als = UserPersonalization().fit(interactions)
    assert als.config.base == "als"
    assert als.item_factors_.shape[1] == 64 and als._fold_in.shape == (64, 64)


def test_long_term_scores_are_the_folded_in_als_vector():
    interactions, items, users = contract_dataset()
    model = UserPersonalization(base="als", exploration_weight=0.0, popularity_weight=0.0, session_weight=0.0)
    model.fit(interactions, items=items, users=users)
    V = model.item_factors_
    alpha, reg = model.config.als_alpha, model.als_reg_
    M = np.linalg.inv((1 + alpha) * V.T @ V + reg * np.eye(V.shape[1]))
    np.testing.assert_allclose(model._score_factors(), V @ M, rtol=1e-10, atol=1e-14)
    u = model.user_vocab.to_inner(["user003"])
    profile = model._profile[u[0]]
    expected = (profile / np.linalg.norm(profile)) @ (V @ M).T
    np.testing.assert_allclose(model._score(u, None)[0], expected, rtol=1e-9, atol=1e-14)


def test_automatic_penalty_is_a_tenth_of_a_users_confidence_mass():
    frame = pd.DataFrame({USER_ID: ["a", "a", "a", "b", "c"], ITEM_ID: ["x", "y", "z", "x", "y"],
                          TIMESTAMP: [1, 2, 3, 4, 5]})
    model = UserPersonalization(base="als", factors=2, als_alpha=5.0).fit(frame)
    # 5 observed cells, each with confidence 1 + 5 * 1 = 6, spread over 3 users: 0.1 * 30 / 3 = 1
    assert model.als_reg_ == pytest.approx(1.0)
    assert UserPersonalization(base="als", factors=2, als_reg=7.0).fit(frame).als_reg_ == 7.0


def test_als_base_ranks_held_out_items_better_than_the_svd_base():
    interactions, items, users = contract_dataset(n_users=150, n_items=60, seed=11)
    rng = np.random.default_rng(0)
    test_mask = rng.random(len(interactions)) < 0.25
    train, test = interactions[~test_mask], interactions[test_mask]
    hits = {}
    for base in ("als", "svd"):
        model = UserPersonalization(base=base, factors=8, exploration_weight=0.0).fit(train, items=items)
        recs = model.recommend(test[USER_ID].unique(), n=5)
        truth = set(zip(test[USER_ID], test[ITEM_ID]))
        hits[base] = np.mean([(u, i) in truth for u, i in zip(recs[USER_ID], recs[ITEM_ID])])
    assert hits["als"] > hits["svd"]


def test_bad_base_settings_are_rejected():
    interactions, _, _ = contract_dataset(n_users=10, n_items=8)
    with pytest.raises(ValueError, match="base must be"):
        UserPersonalization(base="ease").fit(interactions)
    with pytest.raises(ValueError, match="als_reg"):
        UserPersonalization(base="als", als_reg=0.0).fit(interactions)
    with pytest.raises(ValueError, match="base_half_life_days"):
        UserPersonalization(base="als", base_half_life_days=-1.0).fit(interactions)
