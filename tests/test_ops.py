from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DatasetError
from workbench.ops import (
    RecommendationCache,
    latency_summary,
    population_stability_index,
    quality_by_period,
    share_drift,
    time_calls,
)


class CountingModel:
    """Returns a one-row list naming the call number, so cached answers are recognisable."""

    def __init__(self):
        self.calls = 0

    def recommend(self, user_ids, n=10, **kwargs):
        self.calls += 1
        return pd.DataFrame({"USER_ID": list(user_ids), "ITEM_ID": [f"call{self.calls}"] * len(user_ids)})


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_cache_serves_repeats_and_expires_after_ttl():
    model, clock = CountingModel(), FakeClock()
    cache = RecommendationCache(model, ttl_seconds=60, clock=clock)
    assert cache.recommend("u1")["ITEM_ID"].item() == "call1"
    clock.now = 59
    assert cache.recommend("u1")["ITEM_ID"].item() == "call1"
    clock.now = 60  # age == ttl -> stale
    assert cache.recommend("u1")["ITEM_ID"].item() == "call2"
    assert (cache.stats.hits, cache.stats.misses, cache.stats.expired) == (1, 2, 1)
    assert cache.stats.hit_rate == pytest.approx(1 / 3)


def test_cache_key_includes_n_and_extra_arguments():
    model = CountingModel()
    cache = RecommendationCache(model)
    cache.recommend("u1", n=5)
    cache.recommend("u1", n=10)
    cache.recommend("u1", n=10, filter="EXCLUDE ItemID WHERE Items.X IN (\"a\")")
    assert model.calls == 3


def test_lru_eviction_and_invalidation():
    model = CountingModel()
    cache = RecommendationCache(model, max_entries=2)
    cache.recommend("a")
    cache.recommend("b")
    cache.recommend("a")  # a is now most recent
    cache.recommend("c")  # evicts b
    assert cache.stats.evictions == 1 and len(cache) == 2
    calls = model.calls
    cache.recommend("a")
    assert model.calls == calls  # still cached
    assert cache.invalidate(["a"]) == 1
    cache.recommend("a")
    assert model.calls == calls + 1
    assert cache.invalidate() == 2 and len(cache) == 0


def test_returned_frames_cannot_corrupt_the_cache():
    cache = RecommendationCache(CountingModel())
    first = cache.recommend("u")
    first.loc[0, "ITEM_ID"] = "tampered"
    assert cache.recommend("u")["ITEM_ID"].item() == "call1"


def test_cache_rejects_bad_settings():
    with pytest.raises(ValueError):
        RecommendationCache(CountingModel(), max_entries=0)
    with pytest.raises(ValueError):
        RecommendationCache(CountingModel(), ttl_seconds=0)


def test_latency_summary_by_hand():
    s = latency_summary([1, 2, 3, 4, 100])
    assert s["count"] == 5 and s["p50"] == 3 and s["max"] == 100 and s["mean"] == 22
    assert s["p90"] == pytest.approx(4 + 0.6 * 96)  # linear interpolation between 4 and 100
    assert math.isnan(latency_summary([])["p50"])


def test_time_calls_records_one_row_per_argument():
    seen = []
    frame = time_calls(seen.append, ["a", "b", "c"], warmup=2)
    assert seen == ["a", "a", "a", "b", "c"]
    assert frame["argument"].tolist() == ["a", "b", "c"] and (frame["ms"] >= 0).all()
    with pytest.raises(ValueError):
        time_calls(seen.append, [])


def test_psi_by_hand():
    assert population_stability_index(pd.Series({"a": 5, "b": 5}), pd.Series({"a": 50, "b": 50})) == 0.0
    # shares 0.5/0.5 -> 0.8/0.2: (0.3 ln 1.6) + (-0.3 ln 0.4)
    expected = 0.3 * np.log(1.6) - 0.3 * np.log(0.4)
    got = population_stability_index(pd.Series({"a": 1, "b": 1}), pd.Series({"a": 8, "b": 2}))
    assert got == pytest.approx(expected)
    # a category absent from the reference still counts (floored share)
    assert population_stability_index(pd.Series({"a": 1}), pd.Series({"a": 1, "b": 1})) > 1
    with pytest.raises(ValueError):
        population_stability_index(pd.Series({"a": 0}), pd.Series({"a": 1}))


def test_share_drift_detects_a_shift():
    day = 86_400
    events = pd.DataFrame(
        {
            "TIMESTAMP": [0, 1, 2, 3, 7 * day, 7 * day + 1, 7 * day + 2, 7 * day + 3],
            "CATEGORY": ["boots", "sandals", "boots", "sandals", "boots", "boots", "boots", "sandals"],
        }
    )
    table = share_drift(events, "CATEGORY", period_seconds=7 * day)
    assert table["period"].tolist() == [0, 1]
    assert table["events"].tolist() == [4, 4]
    assert table["boots"].tolist() == [0.5, 0.75]
    assert table["psi"].iloc[0] == 0.0
    assert table["psi"].iloc[1] == pytest.approx(0.25 * np.log(1.5) - 0.25 * np.log(0.5))
    with pytest.raises(DatasetError, match="CATEGORY_L1"):
        share_drift(events, "CATEGORY_L1")


def test_quality_by_period_by_hand():
    t0, day = 1_700_000_000, 86_400
    clean = [("u1", "i1", t0 + 10, "view"), ("u2", "i2", t0 + 20, "click"), ("u3", "i1", t0 + 30, "view"),
             ("u4", "i2", t0 + 40, "view")]
    bad_day = [
        ("u1", "i1", t0 + day + 10, "view"),
        ("u1", "i1", t0 + day + 10, "view"),  # duplicate
        ("u2", "i9", t0 + day + 20, ""),  # unknown item + missing type
        ("u3", "i1", (t0 + day + 30) * 1000, "view"),  # milliseconds, still placed on day 1
    ]
    events = pd.DataFrame(clean + bad_day, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
    table = quality_by_period(events, known_items=["i1", "i2"])
    assert table["period"].tolist() == [0, 1]
    assert table["events"].tolist() == [4, 4]
    first, second = table.iloc[0], table.iloc[1]
    assert first["alerts"] == ""
    assert second["duplicate_share"] == 0.25
    assert second["missing_event_type_share"] == 0.25
    assert second["millisecond_timestamp_share"] == 0.25
    assert second["unknown_item_share"] == 0.25
    assert second["alerts"] == "duplicate_share, missing_event_type_share, millisecond_timestamp_share, unknown_item_share"


def test_quality_by_period_volume_drop_and_errors():
    events = pd.DataFrame({"USER_ID": [f"u{i}" for i in range(21)], "TIMESTAMP": [0] * 10 + [86_400] * 10 + [2 * 86_400]})
    table = quality_by_period(events)
    assert np.isnan(table["volume_ratio"].iloc[0])  # no past to compare with
    assert table["volume_ratio"].iloc[1:].tolist() == [1.0, 0.1]
    assert table["alerts"].tolist() == ["", "", "volume_drop"]
    assert table["unknown_item_share"].isna().all()
    with pytest.raises(DatasetError, match="USER_ID"):
        quality_by_period(events.drop(columns="USER_ID"))


def test_volume_baseline_is_the_clean_past_so_outages_keep_alerting():
    day = 86_400
    t0 = 1_724_284_800  # a UTC midnight
    # 10 healthy days of 100 events, a 6-day outage at 20, one silent day, then healthy again
    per_day = [100] * 10 + [20] * 6 + [0] + [100] * 3
    stamps = [t0 + d * day + 60 * i for d, n in enumerate(per_day) for i in range(n)]
    events = pd.DataFrame({"USER_ID": "u", "TIMESTAMP": stamps})
    table = quality_by_period(events)
    assert table["period"].tolist() == list(range(20))  # the silent day is a row
    assert table.loc[16, "events"] == 0
    alerted = table.index[table["alerts"] == "volume_drop"].tolist()
    assert alerted == list(range(10, 17))  # every outage day, not only the first half
    assert table.loc[10:15, "volume_ratio"].tolist() == [0.2] * 6
    # an outage on the second day is caught: the baseline is the first day, not a median over the future
    early = pd.DataFrame({"USER_ID": "u", "TIMESTAMP": [t0 + 60 * i for i in range(100)]
                          + [t0 + day + 60 * i for i in range(10)] + [t0 + 2 * day + 60 * i for i in range(100)]})
    assert quality_by_period(early)["alerts"].tolist() == ["", "volume_drop", ""]


def test_periods_are_calendar_days_unless_an_origin_is_given():
    t0 = 1_724_284_800  # UTC midnight
    events = pd.DataFrame({"USER_ID": "u", "TIMESTAMP": [t0 + 2_000, t0 + 86_000, t0 + 86_500]})
    table = quality_by_period(events)
    assert table["period"].tolist() == [0, 1] and table["start"].tolist() == [t0, t0 + 86_400]
    assert table["events"].tolist() == [2, 1]
    shifted = quality_by_period(events, origin=t0 + 2_000)
    assert shifted["events"].tolist() == [3]
    with pytest.raises(ValueError, match="after the first event"):
        quality_by_period(events, origin=t0 + 3_000)
    weekly = share_drift(events.assign(C="a"), "C", period_seconds=7 * 86_400)
    assert weekly["start"].tolist() == [t0]
