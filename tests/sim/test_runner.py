from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, EVENT_VALUE, IMPRESSION, ITEM_ID, RECOMMENDATION_ID, TIMESTAMP, USER_ID
from workbench.sim import (
    DAILY_COLUMNS,
    DWELL_SECONDS,
    SCROLL_DEPTH,
    VERSION_COLUMNS,
    Policy,
    ScenarioConfig,
    ShopConfig,
    run_scenario,
)
from workbench.sim.runner import compare_policies

TINY = ShopConfig(n_users=250, n_items=60, days=6, warmup_days=4, seed=5, slices_per_day=6, visits_per_day=0.2)


def _run(policy: Policy | dict, shop: ShopConfig = TINY):
    policy = policy if isinstance(policy, Policy) else Policy(**policy)
    return run_scenario(ScenarioConfig(shop=shop, policy=policy, name="t"), progress=False)


@pytest.fixture(scope="module")
def tracked():
    return _run({"kind": "event_tracker"})


def test_same_seed_same_events(tracked):
    again = _run({"kind": "event_tracker"})
    pd.testing.assert_frame_equal(tracked.events, again.events)
    pd.testing.assert_frame_equal(tracked.daily, again.daily)
    other = _run({"kind": "event_tracker"}, ShopConfig(**{**TINY.__dict__, "seed": 6}))
    assert not other.events.equals(tracked.events)


def test_events_are_personalize_rows(tracked):
    events = tracked.events
    assert list(events.columns[:5]) == [USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE]
    assert {DWELL_SECONDS, SCROLL_DEPTH, RECOMMENDATION_ID, IMPRESSION} <= set(events.columns)
    assert events[TIMESTAMP].is_monotonic_increasing
    assert events[TIMESTAMP].between(1e9, 1e10).all()  # epoch seconds, not milliseconds
    assert set(events[EVENT_TYPE]) == {"view", "click", "add_to_cart", "purchase"}
    purchases = events[events[EVENT_TYPE] == "purchase"]
    prices = tracked.world.items.set_index(ITEM_ID)["PRICE"]
    np.testing.assert_allclose(purchases[EVENT_VALUE].to_numpy(), prices.loc[purchases[ITEM_ID]].to_numpy())
    assert events.loc[events[EVENT_TYPE] != "purchase", EVENT_VALUE].isna().all()
    # clicks come from lists and carry the served list as IMPRESSION (which contains the item)
    clicks = events[events[EVENT_TYPE] == "click"]
    assert clicks[RECOMMENDATION_ID].notna().all()
    assert all(item in imp.split("|") for item, imp in zip(clicks[ITEM_ID], clicks[IMPRESSION]))
    views = events[events[EVENT_TYPE] == "view"]
    assert views[RECOMMENDATION_ID].isna().all() and views[DWELL_SECONDS].gt(0).all()
    assert events[SCROLL_DEPTH].dropna().between(0, 1).all()


def test_funnel_order_inside_each_session(tracked):
    events = tracked.events
    for _, visit in list(events.groupby("SESSION_ID"))[:200]:
        for _item, rows in visit.groupby(ITEM_ID):
            kinds = rows[EVENT_TYPE].tolist()
            if "purchase" in kinds:
                assert "add_to_cart" in kinds[: kinds.index("purchase")]


def test_daily_frame_has_every_documented_column(tracked):
    daily = tracked.daily
    assert list(daily.columns) == list(DAILY_COLUMNS)
    assert daily["day"].tolist() == list(range(TINY.days))
    assert (daily["clicks"] <= daily["impressions"]).all()
    assert np.allclose(daily["ctr"], daily["clicks"] / daily["impressions"])
    assert (daily["revenue"] <= daily["total_revenue"] + 1e-9).all()
    assert daily[["ndcg_at_10", "recall_at_10", "precision_at_10", "coverage"]].stack().between(0, 1).all()
    assert (daily["last_hour_share"] == 1.0).all()  # every first-page event reached the second page
    assert len(tracked.hourly) > 0 and tracked.hourly["visits"].sum() == daily["visits"].sum()


def test_stale_model_sees_no_events_and_serves_more_fallbacks(tracked):
    stale = _run({"kind": "stale"})
    assert (stale.daily["last_hour_share"] == 0.0).all()
    assert stale.daily["freshness_median_hours"].iloc[-1] > tracked.daily["freshness_median_hours"].iloc[-1]
    assert stale.daily["cold_start_share"].mean() > tracked.daily["cold_start_share"].mean()
    # the world does not depend on the policy before the first recommendation
    warm = stale.events[stale.events[TIMESTAMP] < stale.world.day0]
    pd.testing.assert_frame_equal(warm, tracked.events[tracked.events[TIMESTAMP] < tracked.world.day0])


def test_purchased_items_are_never_recommended_again_when_the_dataset_knows(tracked):
    events = tracked.events
    bought = events[events[EVENT_TYPE] == "purchase"]
    first_buy = bought.groupby([USER_ID, ITEM_ID])[TIMESTAMP].min()
    served = events.dropna(subset=[IMPRESSION])
    for (user, imp, t) in zip(served[USER_ID], served[IMPRESSION], served[TIMESTAMP]):
        for item in imp.split("|"):
            key = (user, item)
            if key in first_buy.index:
                assert first_buy[key] >= t - 3600, "a known purchase must be filtered out of later lists"


def test_training_subset_and_filter_are_applied():
    result = _run({"kind": "event_tracker", "training_event_types": ["click", "purchase"]})
    model = result.model
    assert set(model._history[EVENT_TYPE]) <= {"click", "purchase"}
    filtered = _run({"kind": "stale", "filter": 'INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots", "sandals")'})
    served = filtered.events.dropna(subset=[IMPRESSION])
    cats = filtered.world.items.set_index(ITEM_ID)["CATEGORY_L1"]
    shown = {item for imp in served[IMPRESSION] for item in imp.split("|")}
    assert shown and set(cats.loc[list(shown)]) <= {"boots", "sandals"}


def test_threshold_that_removes_everything_is_a_clear_error():
    with pytest.raises(ValueError, match="no logged event passes"):
        _run({"kind": "stale", "training_event_types": ["purchase"], "event_value_threshold": 1e9})


def test_unknown_model_lists_valid_names():
    with pytest.raises(ValueError, match="user_personalization"):
        _run({"kind": "stale", "model": "magic"})
    with pytest.raises(ValueError, match="only applies to models that explore"):
        _run({"kind": "stale", "model": "popularity", "exploration_weight": 0.5})


def test_retrain_refits_and_auto_update_adds_new_items():
    shop = ShopConfig(**{**TINY.__dict__, "new_item_rate": 0.05, "days": 8})
    retrain = _run({"kind": "retrain", "retrain_every_days": 2}, shop)
    assert len(retrain.model.interactions_) > len(retrain.events[retrain.events[TIMESTAMP] < retrain.world.day0])
    stale = _run({"kind": "stale"}, shop)
    auto = _run({"kind": "auto_update"}, shop)
    assert len(auto.model.item_vocab) > len(stale.model.item_vocab)
    new_items = set(auto.model.item_vocab.ids) - set(stale.model.item_vocab.ids)
    shown = {i for imp in auto.events[IMPRESSION].dropna() for i in imp.split("|")}
    assert shown & new_items, "exploration should put new items into some lists"


def test_similar_items_policy_queries_the_current_item():
    pytest.importorskip("workbench.recommenders.sims")
    result = _run({"kind": "stale", "model": "similar_items"})
    assert result.daily["impressions"].sum() > 0
    assert result.daily["clicks"].sum() > 0


def test_compare_policies_stacks_runs():
    frame = compare_policies(TINY, {"stale": Policy(kind="stale"), "pop": {"kind": "stale", "model": "popularity"}},
                             progress=False)
    assert frame.groupby("policy").size().to_dict() == {"stale": TINY.days, "pop": TINY.days}


def test_progress_bar_counts_days_and_can_be_silenced(capsys):
    from workbench.sim.progress import Progress

    with Progress(total=3, title="days", enabled=True) as bar:
        for _ in range(3):
            bar.update()
        assert bar._bar.n == 3  # a tqdm bar outside marimo
    with Progress(total=3, title="days", enabled=False) as quiet:
        quiet.update()
        assert quiet._bar is None


# ------------------------------------------------------------ training windows and the versions table
WINDOW_SHOP = ShopConfig(**{**TINY.__dict__, "days": 9, "warmup_days": 5})


def test_versions_table_lists_every_trained_version_and_what_it_learned():
    result = _run({"kind": "retrain", "retrain_every_days": 3}, WINDOW_SHOP)
    versions = result.versions
    assert list(versions.columns) == list(VERSION_COLUMNS)
    assert versions["day"].tolist() == [0, 3, 6]
    ts, logged_before = result.log.arrays()["ts"], _logged_before(result, versions)
    # with no subset and no window every version learns from the whole log up to its day
    assert versions["logged_events"].tolist() == [int(m.sum()) for m in logged_before]
    assert (versions["trained_events"] == versions["logged_events"]).all()
    assert (versions["first_trained"] == pd.Timestamp(int(ts.min()), unit="s")).all()
    assert (versions["train_seconds"] > 0).all()
    assert _run({"kind": "none"}, WINDOW_SHOP).versions.empty
    assert _run({"kind": "stale"}, WINDOW_SHOP).versions["day"].tolist() == [0]


def test_training_window_keeps_only_the_last_days_for_every_version():
    window = 3
    result = _run({"kind": "retrain", "retrain_every_days": 3, "training_window_days": window}, WINDOW_SHOP)
    versions, ts = result.versions, result.log.arrays()["ts"]
    day_start = WINDOW_SHOP.start + (WINDOW_SHOP.warmup_days + versions["day"].to_numpy()) * 86_400
    logged_before = _logged_before(result, versions)
    expected = [int((m & (ts >= start - window * 86_400)).sum()) for m, start in zip(logged_before, day_start)]
    assert versions["trained_events"].tolist() == expected
    assert versions["logged_events"].tolist() == [int(m.sum()) for m in logged_before]
    assert (versions["trained_events"] < versions["logged_events"]).all()  # the launch model too: 5 warm-up days
    first = versions["first_trained"].to_numpy().astype("datetime64[s]").astype(np.int64)
    assert (first >= day_start - window * 86_400).all()
    # what the last version holds is exactly its window
    last_start = day_start[-1]
    held = result.model.interactions_[TIMESTAMP].to_numpy()
    assert held.min() >= last_start - window * 86_400
    assert len(held) == expected[-1]


def _logged_before(result, versions) -> list[np.ndarray]:
    """Per version, which events were in the log when it was trained: those of sessions that began
    before its day (a late-evening session's last events may carry the next day's timestamps)."""
    a = result.log.arrays()
    start = pd.Series(a["ts"]).groupby(a["session"]).transform("min").to_numpy()
    days = WINDOW_SHOP.start + (WINDOW_SHOP.warmup_days + versions["day"].to_numpy()) * 86_400
    return [start < day for day in days]


def test_a_window_longer_than_the_run_changes_nothing():
    """Every event is inside the window, so the run must be the unwindowed run, event for event."""
    full = _run({"kind": "retrain", "retrain_every_days": 3}, WINDOW_SHOP)
    wide = _run({"kind": "retrain", "retrain_every_days": 3,
                 "training_window_days": WINDOW_SHOP.warmup_days + WINDOW_SHOP.days + 1}, WINDOW_SHOP)
    pd.testing.assert_frame_equal(full.events, wide.events)
    pd.testing.assert_frame_equal(full.daily, wide.daily)
    narrow = _run({"kind": "retrain", "retrain_every_days": 3, "training_window_days": 2}, WINDOW_SHOP)
    assert not narrow.events.equals(full.events)  # the window reaches the lists
