"""Chapter 07's grid is defined once: the notebook, the cache filler and the benchmark play the same runs."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.sim import load_scenario
from workbench.sim.story import CHAPTER_DEFAULTS, CHAPTER_POLICIES, CHAPTER_SIZE, chapter_grid

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_grid_is_the_chapters_shop_policies_and_seeds():
    base = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop
    shop, policies, seeds = chapter_grid(base)
    assert shop.n_users == CHAPTER_SIZE["n_users"] and shop.days == CHAPTER_SIZE["days"]
    assert tuple(policies) == CHAPTER_POLICIES
    assert seeds == list(range(CHAPTER_DEFAULTS["n_seeds"]))
    assert policies["retrain"].retrain_every_days == CHAPTER_DEFAULTS["retrain_days"]
    assert policies["event_tracker"].exploration_weight == CHAPTER_DEFAULTS["exploration"]
    assert policies["random"].exploration_weight is None  # nothing to explore without a model
    moved, _, _ = chapter_grid(base, drift=0.5)
    assert moved.taste_drift == 0.5 * base.taste_drift


def test_the_notebook_opens_on_the_defaults_the_cache_is_filled_with():
    source = (ROOT / "notebooks" / "07_drift.py").read_text(encoding="utf-8")

    def default(label_start: str) -> float:
        match = re.search(r"ui\.slider\([^)]*value=([0-9.]+)[^)]*label=\"" + re.escape(label_start), source)
        assert match, f"no slider labelled {label_start!r} in 07_drift.py"
        return float(match.group(1))

    assert default("drift strength") == CHAPTER_DEFAULTS["drift"]
    assert default("retrain every") == CHAPTER_DEFAULTS["retrain_days"]
    assert default("exploration weight") == CHAPTER_DEFAULTS["exploration"]
    assert default("seeds") == CHAPTER_DEFAULTS["n_seeds"]
    assert "chapter_grid(" in source


def test_the_cache_filler_plays_exactly_what_the_chapter_opens_on(tmp_path, monkeypatch):
    from workbench.sim import cache

    monkeypatch.setenv("RECSYS_WORKBENCH_CACHE", str(tmp_path))
    cache.clear_memory()
    assert cache.main([]) == 0
    base = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop
    shop, policies, seeds = chapter_grid(base)
    assert len(list(tmp_path.glob("*.pkl"))) == len(policies) * len(seeds)

    def refuse(*args, **kwargs):
        raise AssertionError("the chapter's default grid should come from the cache")

    monkeypatch.setattr(cache, "run_scenario", refuse)
    cache.clear_memory()  # a new process: only the disk is left
    daily = cache.cached_comparison(shop, policies, seeds=seeds, progress=False)
    assert set(daily["policy"]) == set(policies) and set(daily["seed"]) == set(seeds)
    cache.clear_memory()
