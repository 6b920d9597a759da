from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import CREATION_TIMESTAMP, ITEM_ID, SECONDS_PER_DAY, USER_ID
from workbench.sim import ShopConfig, build_world
from workbench.sim.catalog import CATEGORIES
from workbench.sim.drift import drift_tastes, season_index, trend_ramp

SMALL = ShopConfig(n_users=300, n_items=80, days=30, warmup_days=5, seed=3)


def _epoch(year, month, day):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC).timestamp()


def test_world_is_deterministic():
    a, b = build_world(SMALL), build_world(SMALL)
    pd.testing.assert_frame_equal(a.items, b.items)
    pd.testing.assert_frame_equal(a.users, b.users)
    np.testing.assert_array_equal(a.customers.taste, b.customers.taste)
    assert not build_world(ShopConfig(**{**SMALL.__dict__, "seed": 4})).items.equals(a.items)


def test_items_use_personalize_columns_and_arrive_over_time():
    world = build_world(SMALL)
    items = world.items
    for column in (ITEM_ID, "CATEGORY_L1", "CATEGORY_L2", "PRICE", "PRODUCT_DESCRIPTION", CREATION_TIMESTAMP,
                   "COLOR", "BRAND", "VISUAL_0", "VISUAL_7"):
        assert column in items.columns
    assert items[ITEM_ID].is_unique and items[CREATION_TIMESTAMP].is_monotonic_increasing
    assert (items["PRICE"] > 0).all()
    assert set(items["CATEGORY_L1"]) <= set(CATEGORIES)
    assert items["PRODUCT_DESCRIPTION"].nunique() > 0.8 * len(items)  # varied text
    start = len(world.items_at(SMALL.start))
    end = len(world.items_at(SMALL.start + (SMALL.warmup_days + SMALL.days) * SECONDS_PER_DAY))
    assert start == SMALL.n_items and end > start  # new items arrived during the run


def test_visual_features_cluster_by_category():
    items = build_world(ShopConfig(n_items=400, n_users=10, seed=1)).items
    visual = items[[f"VISUAL_{k}" for k in range(8)]].to_numpy()
    same, other = [], []
    cats = items["CATEGORY_L1"].to_numpy()
    for i in range(0, 200, 7):
        d = np.linalg.norm(visual - visual[i], axis=1)
        same.append(d[(cats == cats[i]) & (np.arange(len(d)) != i)].mean())
        other.append(d[cats != cats[i]].mean())
    assert np.mean(same) < 0.7 * np.mean(other)


def test_customers_keep_arriving():
    world = build_world(SMALL)
    users = world.users
    assert users[USER_ID].is_unique
    assert set(users["SEGMENT"]) == {"heavy", "vip", "normal", "one-off"}
    arrived_later = (world.customers.arrival_day >= 0).sum()
    expected = SMALL.new_user_rate * SMALL.n_users * (SMALL.warmup_days + SMALL.days)
    assert 0.6 * expected < arrived_later < 1.4 * expected
    assert len(world.users_at(SMALL.start - 1)) == SMALL.n_users


def test_season_index_peaks_in_january_and_bottoms_in_july():
    assert season_index(_epoch(2025, 1, 15)) > 0.99
    assert season_index(_epoch(2025, 7, 16)) < -0.99
    assert abs(season_index(_epoch(2025, 4, 16))) < 0.05


def test_trend_ramps_in_over_two_weeks():
    assert trend_ramp(9, 10) == 0.0
    assert trend_ramp(17, 10) == 0.5
    assert trend_ramp(40, 10) == 1.0
    assert trend_ramp(40, None) == 0.0


@settings(max_examples=20, deadline=None)
@given(days=st.integers(1, 400), rate=st.floats(0.001, 0.2))
def test_taste_drift_keeps_the_spread_and_forgets_at_the_stated_rate(days, rate):
    rng = np.random.default_rng(0)
    n = 4000
    prior = np.zeros((n, 1))
    std = np.array([1.5])
    taste = rng.normal(0, 1.5, (n, 1))
    moved = drift_tastes(taste, prior, std, np.full(n, days), rate, rng)
    assert abs(moved.std() - 1.5) < 0.1  # stationary spread
    keep = (1 - rate) ** days
    corr = np.corrcoef(taste[:, 0], moved[:, 0])[0, 1]
    assert abs(corr - keep) < 0.06  # the old taste keeps weight (1 - rate)^days


def test_markers_list_the_drift_events():
    shop = ShopConfig(n_users=10, n_items=10, days=120, warmup_days=14, trend_shift_day=40,
                      campaign={"start_day": 70, "days": 14, "category": "running"})
    markers = build_world(shop).markers()
    kinds = dict(zip(markers["label"], markers["day"]))
    assert kinds["running campaign starts"] == 70 and kinds["running campaign ends"] == 84
    assert any(label.endswith("trend begins") for label in kinds)
    # run day 0 is 2024-08-29: autumn starts on Sep 22 (day 24), winter on Dec 21 (day 114)
    assert kinds["autumn starts"] == 24 and kinds["winter starts"] == 114
    # only events that act: no season without a season, no trend shift without a trend
    quiet = build_world(dataclasses.replace(shop, season_strength=0.0, trend_strength=0.0)).markers()
    assert set(quiet["kind"]) == {"campaign"}
    assert set(build_world(shop.with_causes(off=["season"])).markers()["kind"]) == {"trend", "campaign"}
