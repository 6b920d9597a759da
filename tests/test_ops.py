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
