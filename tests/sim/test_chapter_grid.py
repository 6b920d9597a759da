"""Chapter 07's grid is defined once: the notebook, the cache filler and the benchmark play the same runs."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.sim import CAUSES, Policy, load_scenario
from workbench.sim.story import (
    CHAPTER_CONTROLS,
    CHAPTER_DEFAULTS,
    CHAPTER_POLICIES,
    CHAPTER_SIZE,
    chapter_grid,
    chapter_settings_ahead,
)

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


def test_the_notebook_opens_on_the_defaults_and_stops_the_cache_is_filled_with():
    source = (ROOT / "notebooks" / "07_drift.py").read_text(encoding="utf-8")
    for name in CHAPTER_CONTROLS:
        pattern = (r"ui\.slider_over\(\s*CHAPTER_CONTROLS\[\"" + name + r"\"\],\s*value=CHAPTER_DEFAULTS\[\""
                   + name + r"\"\]")
        assert re.search(pattern, source), f"07_drift.py has no slider over CHAPTER_CONTROLS[{name!r}]"
        assert CHAPTER_DEFAULTS[name] in CHAPTER_CONTROLS[name]
    assert "chapter_grid(" in source


def test_the_settings_ahead_start_with_the_defaults_and_move_one_control_at_a_time():
    settings = chapter_settings_ahead()
    defaults = {**CHAPTER_DEFAULTS, "causes": tuple(CAUSES)}
    assert settings[0] == defaults
    moved = {}
    for setting in settings[1:]:
        changed = [name for name in defaults if setting[name] != defaults[name]]
        assert len(changed) == 1, setting
        moved.setdefault(changed[0], []).append(setting[changed[0]])
    for name, stops in CHAPTER_CONTROLS.items():  # every other stop once, nearest first
        assert sorted(moved[name]) == sorted(v for v in stops if v != CHAPTER_DEFAULTS[name])
        distances = [abs(v - CHAPTER_DEFAULTS[name]) for v in moved[name]]
        assert distances == sorted(distances)
    assert sorted(moved["causes"], key=len) == [()] + sorted(
        (tuple(c for c in CAUSES if c != off) for off in CAUSES), key=len)
    # the controls take turns: each control's nearest stop comes within the first few settings
    assert {next(n for n in defaults if s[n] != defaults[n]) for s in settings[1:6]} == set(defaults)


def test_play_ahead_plays_each_run_once_on_two_workers(tmp_path, monkeypatch):
    from workbench.sim import cache
    from workbench.sim.story import chapter_shop

    monkeypatch.setenv("RECSYS_WORKBENCH_CACHE", str(tmp_path))
    cache.clear_memory()
    base = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop
    tiny = chapter_shop(base, n_users=60, n_items=20, days=6, warmup_days=3, slices_per_day=2)
    policies = {kind: Policy(kind=kind) for kind in ("none", "random", "stale")}
    other = chapter_shop(base, drift=0.5, n_users=60, n_items=20, days=6, warmup_days=3, slices_per_day=2)
    grids = [(tiny, policies, [0, 1]), (tiny, {"stale": policies["stale"]}, [1]), (other, policies, [0])]
    done = []
    assert cache.play_ahead(grids, jobs=2, on_grid=lambda i, n: done.append((i, n))) == 9  # 6 + 0 shared + 3
    assert done == [(0, 6), (1, 6), (2, 9)]
    assert len(list(tmp_path.glob("*.pkl"))) == 9
    assert cache.play_ahead(grids, jobs=2) == 0  # all on disk now
    cache.clear_memory()


def test_the_cache_filler_plays_exactly_what_the_chapter_opens_on(tmp_path, monkeypatch):
    from workbench.sim import cache

    monkeypatch.setenv("RECSYS_WORKBENCH_CACHE", str(tmp_path))
    cache.clear_memory()
    assert cache.main(["--settings", "1", "--jobs", "1"]) == 0
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
