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


def test_the_settings_around_are_one_move_away():
    from workbench.sim.story import chapter_settings_around

    here = {"drift": 2.0, "retrain_days": 7, "exploration": 0.0, "n_seeds": 2, "causes": ("season", "trend")}
    around = chapter_settings_around(here)
    for setting in around:
        changed = [name for name in here if setting[name] != here[name]]
        assert len(changed) == 1, setting
        name = changed[0]
        if name == "causes":
            assert len(set(setting["causes"]) ^ set(here["causes"])) == 1  # one cause switched
        else:
            stops = CHAPTER_CONTROLS[name]
            assert abs(stops.index(setting[name]) - stops.index(here[name])) == 1  # the next stop
    moved = [next(n for n in here if s[n] != here[n]) for s in around]
    # the top and bottom stops have one neighbour; every cause is switched once
    assert moved.count("drift") == 1 and moved.count("exploration") == 1
    assert moved.count("retrain_days") == 2 and moved.count("n_seeds") == 2
    assert moved.count("causes") == len(CAUSES)


def test_the_filler_plays_a_setting_and_its_neighbours_when_asked(monkeypatch):
    import json

    from workbench.sim import cache
    from workbench.sim.story import chapter_settings_around

    played = []
    monkeypatch.setattr(cache, "play_ahead", lambda grids, jobs, on_grid=None: played.extend(grids) or 0)
    here = {"drift": 0.5, "retrain_days": 14, "exploration": 0.3, "n_seeds": 1, "causes": list(CAUSES)}
    assert cache.main(["--around", json.dumps(here), "--jobs", "1"]) == 0
    base = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop
    expected = [chapter_grid(base, **s) for s in [here, *chapter_settings_around(here)]]
    assert [(g[0], g[1], g[2]) for g in played] == expected


def test_prefetch_starts_one_background_filler_and_stops_the_previous_one(monkeypatch):
    import json

    from workbench.sim import cache

    started = []

    class FakeProcess:
        def __init__(self, command, **kwargs):
            self.command, self.stopped = command, False
            started.append(self)

        def poll(self):
            return None  # still running

        def terminate(self):
            self.stopped = True

    monkeypatch.setattr(cache.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(cache, "_prefetch", None)
    monkeypatch.delenv("RECSYS_WORKBENCH_PREFETCH", raising=False)
    first = cache.prefetch_around({"drift": 1.0, "causes": ("season",)})
    second = cache.prefetch_around({"drift": 1.25, "causes": ("season",)})
    assert first.stopped and not second.stopped
    at = second.command.index("--around")
    assert json.loads(second.command[at + 1]) == {"drift": 1.25, "causes": ["season"]}
    assert second.command[second.command.index("--jobs") + 1] == "1"
    monkeypatch.setenv("RECSYS_WORKBENCH_PREFETCH", "0")
    assert cache.prefetch_around({"drift": 1.5}) is None and len(started) == 2
