"""A small on-disk cache of simulation runs, so a notebook control re-renders in well under a second.

A run is fully determined by its :class:`ScenarioConfig` and the simulator's code,
so its daily frame can be stored under a hash of both. :func:`cached_run` and
:func:`cached_comparison` look there first and only simulate what is missing (and
then store it). Each (shop, seed, policy) run is its own entry, so moving one
control of a chapter re-uses every run it does not change.

Where: ``$RECSYS_WORKBENCH_CACHE`` or ``~/.cache/recsys-workbench/sim``. Entries
are pickled pandas frames (a few hundred kB each); delete the folder to clear it.
The key includes a digest of the code a run depends on (the simulator, the
recommenders it serves, the metrics and data code: :data:`CODE_FOLDERS`), so a code
change never serves stale numbers. ``python -m workbench.sim.cache`` fills the cache with
chapter 07's runs ahead of the learner: the grid it opens on, then every stop of every
control with the others at their defaults (:func:`workbench.sim.story.chapter_settings_ahead`),
on two worker processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .config import Policy, ScenarioConfig, ShopConfig
from .runner import run_scenario, with_baseline

DEFAULT_POLICIES: dict[str, dict[str, Any]] = {
    "none": {"kind": "none"},
    "random": {"kind": "random"},
    "stale": {"kind": "stale"},
    "retrain": {"kind": "retrain", "retrain_every_days": 7},
    "event_tracker": {"kind": "event_tracker"},
}
"""The five policies compared when none are given (the full-size footwear comparison of
``benchmarks/bench_sim_truth.py``; chapter 07 plays :data:`workbench.sim.story.CHAPTER_POLICIES`)."""

_memory: dict[str, dict[str, pd.DataFrame]] = {}


def cache_dir() -> Path:
    """Folder of the cache (``$RECSYS_WORKBENCH_CACHE`` or ``~/.cache/recsys-workbench/sim``)."""
    root = os.environ.get("RECSYS_WORKBENCH_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "recsys-workbench" / "sim"


CODE_FOLDERS = ("sim", "recommenders", "personalize", "metrics", "data")
"""Subpackages of ``workbench`` whose code decides a run's numbers (the models the shop serves
and the metrics it logs, not only the simulator), so all of them are part of the key."""


def code_digest() -> str:
    """Digest of the source files a run depends on (part of every cache key; computed once per process)."""
    global _digest
    if _digest is None:
        package = Path(__file__).resolve().parents[1]
        digest = hashlib.sha256()
        for path in sorted([package / "constants.py", package / "vocabulary.py", package / "kernels.py",
                            *(p for folder in CODE_FOLDERS for p in (package / folder).rglob("*.py"))]):
            if path.is_file():
                digest.update(str(path.relative_to(package)).encode())
                digest.update(path.read_bytes())
        _digest = digest.hexdigest()[:16]
    return _digest


_digest: str | None = None


def config_key(config: ScenarioConfig, baseline: bool) -> str:
    """Cache key of a run: its config (without the display name), the baseline flag and the code digest."""
    payload = {"shop": dataclasses.asdict(config.shop), "policy": config.policy.to_dict(), "baseline": baseline,
               "code": code_digest()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


def entry_path(key: str) -> Path:
    """The file of the cache entry with this :func:`config_key`."""
    return cache_dir() / f"{key}.pkl"


def cached_run(config: ScenarioConfig | Mapping[str, Any], baseline: bool = True, progress: bool = True,
               use_disk: bool = True) -> dict[str, pd.DataFrame]:
    """``{"daily", "hourly", "markers"}`` of a run, from the cache when it was played before.

    With ``baseline`` the daily frame carries ``incremental_revenue`` and
    ``uplift_per_visit`` against the ``none`` run of the same shop (itself cached).
    """
    if not isinstance(config, ScenarioConfig):
        config = ScenarioConfig.from_dict(config)
    key = config_key(config, baseline)
    if key in _memory:
        return _memory[key]
    path = entry_path(key)
    if use_disk and path.exists():
        try:
            with path.open("rb") as handle:
                entry = pickle.load(handle)
            _memory[key] = entry
            return entry
        except (OSError, EOFError, pickle.UnpicklingError):
            path.unlink(missing_ok=True)  # a broken entry is simply played again
    result = run_scenario(config, progress=progress)
    daily = result.daily
    if baseline and not config.policy.has("none"):
        none = cached_run(config.replace(policy=Policy(kind="none")), baseline=True, progress=progress,
                          use_disk=use_disk)
        daily = with_baseline(daily, none["daily"])
    entry = {"daily": daily, "hourly": result.hourly, "markers": result.markers}
    _memory[key] = entry
    if use_disk:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return entry


def cached_comparison(shop: ShopConfig, policies: Mapping[str, Policy | Mapping[str, Any]] | None = None,
                      seeds: Sequence[int] | None = None, progress: bool = True,
                      use_disk: bool = True) -> pd.DataFrame:
    """:func:`workbench.sim.compare_policies` (with the paired baseline columns) through the cache."""
    policies = DEFAULT_POLICIES if policies is None else policies
    frames = []
    for seed, config in _grid_runs(shop, policies, seeds):
        daily = cached_run(config, progress=progress, use_disk=use_disk)["daily"].assign(policy=config.name)
        frames.append(daily if seed is None else daily.assign(seed=seed))
    return pd.concat(frames, ignore_index=True)


def _grid_runs(shop: ShopConfig, policies: Mapping[str, Policy | Mapping[str, Any]],
               seeds: Sequence[int] | None):
    """``(seed, ScenarioConfig)`` of every run of a grid, seed by seed (``seeds=None``: the shop's own seed)."""
    for seed in (seeds if seeds is not None else [None]):
        run_shop = shop if seed is None else dataclasses.replace(shop, seed=int(seed))
        for name, policy in policies.items():
            policy = policy if isinstance(policy, Policy) else Policy.from_dict(policy)
            yield (None if seed is None else int(seed)), ScenarioConfig(shop=run_shop, policy=policy, name=name)


def clear_memory() -> None:
    """Forget the runs kept in this process (the disk cache stays)."""
    _memory.clear()


def play_ahead(grids: Sequence[tuple[ShopConfig, Mapping[str, Policy], Sequence[int]]], jobs: int = 1,
               on_grid=None) -> int:
    """Play every run of ``grids`` (each ``(shop, policies, seeds)``) into the disk cache; returns how many ran.

    Runs already on disk are skipped, and a run shared by several grids is played once.
    With ``jobs > 1`` runs go to that many worker processes, a grid's no-recommendation
    runs first (every other run is paired with one of them), so no two workers play the
    same run. ``on_grid(index, played_so_far)`` is called as each grid is done.
    """
    from concurrent.futures import ProcessPoolExecutor

    seen: set[str] = set()
    played = 0
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        for index, (shop, policies, seeds) in enumerate(grids):
            baselines, others = [], []
            for _, config in _grid_runs(shop, policies, seeds):
                key = config_key(config, baseline=True)
                if key in seen or entry_path(key).exists():
                    continue
                seen.add(key)
                (baselines if config.policy.has("none") else others).append(config)
            for batch in (baselines, others):
                if pool is None:
                    for config in batch:
                        cached_run(config, progress=False)
                else:  # result() re-raises what went wrong in a worker
                    for future in [pool.submit(_play_into_disk, config) for config in batch]:
                        future.result()
            played += len(baselines) + len(others)
            if on_grid is not None:
                on_grid(index, played)
    finally:
        if pool is not None:
            pool.shutdown()
    return played


def _play_into_disk(config: ScenarioConfig) -> None:
    cached_run(config, progress=False)
    _memory.clear()  # a worker keeps nothing: the entry is on disk


_prefetch: subprocess.Popen | None = None


def prefetch_around(setting: Mapping[str, Any]) -> subprocess.Popen | None:
    """Play chapter 07's settings one move away from ``setting`` in a background process (niced, one job).

    What the learner can reach with the next move is then on disk by the time they make
    it (about a minute of one core for all of them; the nearest come first). A prefetch
    still running from an earlier setting is stopped first: the runs it finished stay on
    disk. ``RECSYS_WORKBENCH_PREFETCH=0`` switches it off (tests, shared machines).
    Returns the process, or ``None`` when switched off.
    """
    global _prefetch
    if os.environ.get("RECSYS_WORKBENCH_PREFETCH", "1") == "0":
        return None
    if _prefetch is not None and _prefetch.poll() is None:
        _prefetch.terminate()
    command = [sys.executable, "-m", "workbench.sim.cache", "--jobs", "1", "--around", json.dumps(dict(setting))]
    if hasattr(os, "nice"):
        command = ["nice", "-n", "10", *command]
    _prefetch = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 cwd=str(Path(__file__).resolve().parents[2]))
    return _prefetch


def main(argv: list[str] | None = None) -> int:
    """Fill the cache with chapter 07's runs ahead of the learner (``python -m workbench.sim.cache``).

    The chapter's default settings first, then every other stop of every control with the
    rest at their defaults (:func:`workbench.sim.story.chapter_settings_ahead`).
    """
    import argparse

    from .config import load_scenario
    from .story import chapter_grid, chapter_settings_ahead, chapter_settings_around

    parser = argparse.ArgumentParser(prog="python -m workbench.sim.cache", description=main.__doc__.splitlines()[0])
    parser.add_argument("--settings", type=int, default=None,
                        help="play only the first N settings (1 = what the chapter opens on; default: all)")
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)),
                        help="worker processes (default: 2, or 1 on a one-core machine)")
    parser.add_argument("--around", type=json.loads, default=None, metavar="JSON",
                        help="instead: this setting (a JSON object of chapter_grid's arguments) and the settings "
                             "one move away from it (story.chapter_settings_around)")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    base = load_scenario(root / "data" / "scenarios" / "footwear.yaml").shop
    if args.around is not None:
        settings = [args.around, *chapter_settings_around(args.around)][: args.settings]
    else:
        settings = chapter_settings_ahead()[: args.settings]
    grids = [chapter_grid(base, **setting) for setting in settings]

    def report(index: int, played: int) -> None:
        print(f"setting {index + 1}/{len(grids)} ready ({played} runs played so far)", flush=True)

    played = play_ahead(grids, jobs=args.jobs, on_grid=report)
    print(f"cached chapter 07's {len(grids)} setting(s) ({played} new runs) in {cache_dir()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
