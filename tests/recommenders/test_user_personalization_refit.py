"""Retraining UserPersonalization: a large training log folded in through one sparse product, and the
warm-started ALS base of a scheduled retrain (fewer rounds from the previous version's factors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders import als as als_module
from workbench.recommenders import user_personalization as up
from workbench.recommenders.user_personalization import UserPersonalization
from workbench.vocabulary import Vocabulary

from .contract import contract_dataset


def _hit_rate(model, test: pd.DataFrame) -> float:
    recs = model.recommend(test[USER_ID].unique(), n=5, exclude_seen=False)
    truth = set(zip(test[USER_ID], test[ITEM_ID]))
    return float(np.mean([(u, i) in truth for u, i in zip(recs[USER_ID], recs[ITEM_ID])]))


def test_sparse_absorb_of_a_training_log_equals_the_per_event_sums(monkeypatch):
    interactions, items, _ = contract_dataset(n_users=80, n_items=40, seed=5)
    small = UserPersonalization(exploration_weight=0.0).fit(interactions, items=items)
    monkeypatch.setattr(up, "_SPARSE_ABSORB_EVENTS", 10)  # every batch over 10 events takes the sparse path
    large = UserPersonalization(exploration_weight=0.0).fit(interactions, items=items)
    assert len(interactions) > 10
    n = len(small.user_vocab)
    np.testing.assert_allclose(large._profile[:n], small._profile[:n], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(large._session[:n], small._session[:n], rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(large._profile_t[:n], small._profile_t[:n])
    np.testing.assert_array_equal(large._last_item[:n], small._last_item[:n])
    np.testing.assert_allclose(large._pop, small._pop, rtol=1e-12)


def test_without_warm_start_a_second_fit_is_a_fresh_fit():
    interactions, items, _ = contract_dataset(n_users=60, n_items=30, seed=2)
    first, later = interactions.iloc[: len(interactions) // 2], interactions
    twice = UserPersonalization().fit(first, items=items).fit(later, items=items)
    fresh = UserPersonalization().fit(later, items=items)
    assert not twice.warm_started_
    np.testing.assert_array_equal(twice.item_factors_, fresh.item_factors_)


def test_warm_refit_starts_from_the_previous_factors_and_ranks_as_well_as_a_cold_fit():
    interactions, items, _ = contract_dataset(n_users=150, n_items=60, seed=11)
    interactions = interactions.sort_values(TIMESTAMP, kind="stable").reset_index(drop=True)
    cut1, cut2 = int(len(interactions) * 0.5), int(len(interactions) * 0.8)
    week1, week2, test = interactions.iloc[:cut1], interactions.iloc[:cut2], interactions.iloc[cut2:]
    warm = UserPersonalization(factors=8, exploration_weight=0.0, warm_start_epochs=3)
    warm.fit(week1, items=items)
    assert not warm.warm_started_  # nothing to start from yet
    warm.fit(week2, items=items)
    cold = UserPersonalization(factors=8, exploration_weight=0.0).fit(week2, items=items)
    assert warm.warm_started_ and not cold.warm_started_
    assert not np.allclose(warm.item_factors_, cold.item_factors_)  # a different start, a different optimum
    assert _hit_rate(warm, test) >= 0.9 * _hit_rate(cold, test)


def test_warm_start_aligns_factors_by_id_when_users_and_items_are_new():
    frame = pd.DataFrame({USER_ID: ["a", "b", "a", "c"], ITEM_ID: ["x", "y", "y", "z"], TIMESTAMP: [1, 2, 3, 4]})
    model = UserPersonalization(factors=2, warm_start_epochs=1).fit(frame)
    previous = model._als_previous
    # the next fit's vocabularies: 'd' and 'w' are new and come first
    model.user_vocab, model.item_vocab = Vocabulary(["d", "a", "b", "c"]), Vocabulary(["w", "x", "y", "z"])
    users, items = model._warm_start_factors((4, 4))
    np.testing.assert_array_equal(users[1:], previous[2])
    np.testing.assert_array_equal(items[1:], previous[3])
    fresh = items[0]
    assert np.all((fresh >= 0) & (fresh <= 0.01))  # a new item starts like a cold fit's factors


def test_bad_warm_start_settings_are_rejected():
    frame = pd.DataFrame({USER_ID: ["a", "b"], ITEM_ID: ["x", "y"], TIMESTAMP: [1, 2]})
    model = UserPersonalization(factors=2, warm_start_epochs=1).fit(frame)
    model.config.warm_start_epochs = 0
    with pytest.raises(ValueError, match="warm_start_epochs"):
        model.fit(frame)
    config = als_module.ImplicitALSConfig(factors=2, epochs=1, reg=1.0, solver="cholesky")
    from scipy import sparse

    weights = sparse.csr_matrix(np.eye(2))
    with pytest.raises(ValueError, match="shapes"):
        als_module.als_factors(weights, config, init=(np.zeros((3, 2)), np.zeros((2, 2))))


@pytest.mark.parametrize("solver", ["cholesky", "implicit"])
def test_als_from_its_own_optimum_stays_there(solver):
    rng = np.random.default_rng(0)
    from scipy import sparse

    weights = sparse.random(40, 25, density=0.2, random_state=1, format="csr")
    weights.data = rng.integers(1, 4, len(weights.data)).astype(float)
    config = als_module.ImplicitALSConfig(factors=4, epochs=30, reg=1.0, solver=solver, n_threads=1)
    users, items = als_module.als_factors(weights, config)
    again_users, again_items = als_module.als_factors(
        weights, als_module.ImplicitALSConfig(factors=4, epochs=1, reg=1.0, solver=solver, n_threads=1),
        init=(users, items))
    # one more round from a converged start moves the scores far less than a cold round gives
    cold_users, cold_items = als_module.als_factors(
        weights, als_module.ImplicitALSConfig(factors=4, epochs=1, reg=1.0, solver=solver, n_threads=1))
    converged = users @ items.T
    assert np.abs(again_users @ again_items.T - converged).max() < 0.1 * np.abs(cold_users @ cold_items.T - converged).max()


def test_event_weights_of_a_long_column_with_missing_types():
    model = UserPersonalization(event_weights={"click": 2.0, "purchase": 5.0})
    types = np.array(["click", None, "Purchase", "view"] * 30, dtype=object)
    expected = np.array([2.0, 1.0, 5.0, 1.0] * 30)
    np.testing.assert_array_equal(model.event_weight(types), expected)
    np.testing.assert_array_equal(model.event_weight(pd.Series(types)), expected)
    assert EVENT_TYPE  # the column the weights are read from
