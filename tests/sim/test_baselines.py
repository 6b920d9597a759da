"""The none and random policies, the service semantics of the policies, and the shoe budget."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.constants import EVENT_TYPE, IMPRESSION, ITEM_ID, SECONDS_PER_DAY, TIMESTAMP, USER_ID
from workbench.sim import Policy, ScenarioConfig, ShopConfig, build_world, make_model, run_scenario
from workbench.sim.behaviour import ShopState

TINY = ShopConfig(n_users=250, n_items=60, days=6, warmup_days=4, seed=5, slices_per_day=6, visits_per_day=0.2,
                  new_item_rate=0.03)


def _run(kind: str, shop: ShopConfig = TINY, **policy):
    return run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind=kind, **policy), name=kind), progress=False,
                        baseline=True)


@pytest.fixture(scope="module")
def runs():
    return {kind: _run(kind) for kind in ("none", "random", "stale", "event_tracker")}


def test_none_shows_nothing_and_is_its_own_baseline(runs):
    none = runs["none"]
    daily = none.daily
    assert none.model is None and daily["impressions"].sum() == 0 and daily["revenue"].sum() == 0
    assert (daily["incremental_revenue"] == 0).all() and (daily["uplift_per_visit"] == 0).all()
    assert daily["ndcg_at_10"].isna().all() and daily["ndcg_at_10_random"].notna().all()
    assert none.events[IMPRESSION].isna().all()


def test_random_lists_are_available_items_never_bought_before(runs):
    result = runs["random"]
    assert result.model is None and result.daily["impressions"].sum() > 0
    events = result.events
    created = result.world.items.set_index(ITEM_ID)["CREATION_TIMESTAMP"]
    bought = events[events[EVENT_TYPE] == "purchase"].groupby([USER_ID, ITEM_ID])[TIMESTAMP].min()
    served = events.dropna(subset=[IMPRESSION])
    for user, imp, t in zip(served[USER_ID], served[IMPRESSION], served[TIMESTAMP]):
        items = imp.split("|")
        assert len(set(items)) == len(items)
        # the list was served before the event at t, in the same 2-hour slice at the latest
        assert (created.loc[items] <= t).all()
        for item in items:
            if (user, item) in bought.index:
                assert bought[(user, item)] >= t - 4 * 3600, "a random list must not repeat a purchase"


def test_random_lists_have_no_freshness_and_model_lists_do(runs):
    """A random list reflects no event, so it has no age (not the age since 1970)."""
    assert runs["random"].daily["freshness_median_hours"].isna().all()
    assert runs["random"].daily["freshness_p90_hours"].isna().all()
    for kind in ("stale", "event_tracker"):
        ages = runs[kind].daily["freshness_median_hours"]
        assert ages.notna().all() and ages.between(0, 24 * 365).all(), kind


def test_random_lists_score_at_chance_level_and_models_above_it(runs):
    rand, stale = runs["random"].daily, runs["stale"].daily
    # random lists against the organic truth: the same level as the keyed random reference
    assert rand["ndcg_at_10"].mean() == pytest.approx(rand["ndcg_at_10_random"].mean(), abs=0.03)
    assert stale["ndcg_at_10"].mean() > 2 * stale["ndcg_at_10_random"].mean()


def test_event_tracker_on_user_personalization_is_also_auto_updated(runs):
    tracked, stale = runs["event_tracker"], runs["stale"]
    assert any("automatic updates" in note for note in tracked.notes)
    assert len(tracked.model.item_vocab) > len(stale.model.item_vocab)  # new items arrived through the updates


def test_models_weigh_event_types_equally_unless_told():
    model, _ = make_model(Policy(kind="stale"))
    assert set(model.config.event_weights.values()) == {1.0}
    custom, _ = make_model(Policy(kind="stale", model_params={"event_weights": {"purchase": 5.0}}))
    assert custom.config.event_weights == {"purchase": 5.0}


def test_baselines_cannot_be_combined():
    with pytest.raises(ValueError, match="cannot be combined"):
        Policy(kind="random+event_tracker")
    with pytest.raises(ValueError, match="cannot be combined"):
        Policy(kind="none+retrain")


def test_shoe_budget_refills_and_is_used_up_hand_worked():
    world = build_world(ShopConfig(n_users=5, n_items=10, days=2, warmup_days=1, seed=1, budget_days=10))
    state = ShopState.start(world)
    t0 = float(world.shop.start)
    users = np.array([0, 1])
    state.need[users] = 0.0
    state.need_time[users] = t0
    np.testing.assert_allclose(state.need_at(users, t0 + 5 * SECONDS_PER_DAY, 10), [0.5, 0.5])
    np.testing.assert_allclose(state.need_at(users, t0 + 30 * SECONDS_PER_DAY, 10), [1.0, 1.0])
    # two purchases of customer 0 on day 5 and day 6: 0.5 * 0.1 = 0.05, then (0.05 + 0.1) * 0.1
    state.consume(np.array([0, 0]), np.array([t0 + 5 * SECONDS_PER_DAY, t0 + 6 * SECONDS_PER_DAY]), 0.9, 10)
    assert state.need[0] == pytest.approx(0.015) and state.need[1] == 0.0
    assert state.need_time[0] == t0 + 6 * SECONDS_PER_DAY


def test_budget_limits_what_random_lists_add():
    shop = ShopConfig(**{**TINY.__dict__, "days": 10})
    free = _run("random", ShopConfig(**{**shop.__dict__, "substitution": 0.0})).daily
    bounded = _run("random", shop).daily
    share_free = free["incremental_revenue"].sum() / (free["total_revenue"] - free["incremental_revenue"]).sum()
    share_bounded = bounded["incremental_revenue"].sum() / (bounded["total_revenue"]
                                                            - bounded["incremental_revenue"]).sum()
    assert share_bounded < share_free


def test_cause_switches_keep_the_world_and_remove_the_change():
    shop = ShopConfig(n_users=100, n_items=40, days=30, warmup_days=3, seed=2, new_item_rate=0.05,
                      new_user_rate=0.05)
    full, calm = build_world(shop), build_world(shop.with_causes(on=[]))
    np.testing.assert_array_equal(full.customers.taste, calm.customers.taste)
    later = shop.start + 20 * SECONDS_PER_DAY
    assert len(calm.items_at(later)) < len(full.items_at(later)) == full.catalog.available(later)
    assert len(calm.users_at(later)) == shop.n_users < len(full.users_at(later))
    assert np.isinf(calm.customers.departure_day).all()
    assert calm.markers().query("kind == 'trend'").empty
    assert shop.with_causes(off=["season"]).effective_season_strength == 0
    assert shop.with_causes(on=["season"]).effective_taste_drift == 0
    assert shop.with_causes(off=["budget"]).effective_substitution == 0
    assert shop.with_causes(off=["new_items"]).effective_novelty == 0
    assert ShopState.start(calm).need_at(np.arange(3), shop.start, shop.budget_days).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="valid"):
        ShopConfig(causes_off=["weather"])
