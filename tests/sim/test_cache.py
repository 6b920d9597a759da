"""The on-disk run cache returns exactly what a fresh run returns, and keys on config and code."""

from __future__ import annotations

import pandas as pd

from workbench.sim import Policy, ScenarioConfig, ShopConfig, compare_policies
from workbench.sim import cache as sim_cache

TINY = ShopConfig(n_users=150, n_items=40, days=4, warmup_days=3, seed=5, slices_per_day=6, visits_per_day=0.2)


def test_cached_runs_equal_fresh_runs_and_come_back_from_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("RECSYS_WORKBENCH_CACHE", str(tmp_path))
    sim_cache.clear_memory()
    policies = {"none": {"kind": "none"}, "stale": {"kind": "stale"}}
    first = sim_cache.cached_comparison(TINY, policies, progress=False)
    fresh = compare_policies(TINY, policies, progress=False)
    pd.testing.assert_frame_equal(first, fresh)
    assert len(list(tmp_path.glob("*.pkl"))) == 2  # none (shared as the baseline) + stale
    sim_cache.clear_memory()
    again = sim_cache.cached_comparison(TINY, policies, progress=False)
    pd.testing.assert_frame_equal(again, first)


def test_cache_key_changes_with_the_config_but_not_the_name():
    a = ScenarioConfig(shop=TINY, policy=Policy(kind="stale"), name="a")
    b = ScenarioConfig(shop=TINY, policy=Policy(kind="stale"), name="b")
    c = ScenarioConfig(shop=ShopConfig(**{**TINY.__dict__, "seed": 6}), policy=Policy(kind="stale"))
    assert sim_cache.config_key(a, True) == sim_cache.config_key(b, True) != sim_cache.config_key(c, True)
    assert sim_cache.config_key(a, True) != sim_cache.config_key(a, False)
    assert len(sim_cache.code_digest()) == 16
