"""Regenerate the bundled sample shop in ``data/sample/`` from the simulator.

Run ``python -m workbench.sim.bundle data`` (or ``make data``). It plays
:data:`SAMPLE_SCENARIO` -- a small footwear shop with a User-Personalization model
fed by an event tracker -- and writes three Personalize-format CSV files:

* ``interactions.csv`` -- USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE,
  SESSION_ID, RECOMMENDATION_ID, IMPRESSION, DWELL_SECONDS, SCROLL_DEPTH;
* ``items.csv`` -- ITEM_ID, CATEGORY_L1, CATEGORY_L2, PRICE, COLOR, BRAND, SEASON,
  PRODUCT_DESCRIPTION, CREATION_TIMESTAMP, VISUAL_0..VISUAL_7;
* ``users.csv`` -- USER_ID, AGE_BAND, GENDER, SEGMENT.

The output is deterministic (same files on every machine) and a few MB.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..constants import SECONDS_PER_DAY
from .config import Policy, ScenarioConfig, ShopConfig
from .runner import run_scenario

SAMPLE_SCENARIO = ScenarioConfig(
    shop=ShopConfig(n_users=1_000, n_items=200, days=45, warmup_days=15, seed=11, new_user_rate=0.01),
    policy=Policy(kind="event_tracker", model="user_personalization"),
    name="sample-shop",
)
"""The scenario behind ``data/sample/`` (about 1,500 customers, 220 items, 60 days)."""


def write_sample(data_dir: str | Path, scenario: ScenarioConfig = SAMPLE_SCENARIO) -> dict[str, Path]:
    """Play ``scenario`` and write ``<data_dir>/sample/{interactions,items,users}.csv``; returns the paths."""
    out = Path(data_dir) / "sample"
    out.mkdir(parents=True, exist_ok=True)
    result = run_scenario(scenario, progress=False)
    end = scenario.shop.start + (scenario.shop.warmup_days + scenario.shop.days) * SECONDS_PER_DAY
    frames = {
        "interactions": result.events,
        "items": result.world.items_at(end),
        "users": result.world.users_at(end),
    }
    paths = {}
    for name, frame in frames.items():
        path = out / f"{name}.csv"
        _to_csv(frame, path)
        paths[name] = path
    return paths


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate data/sample/ from the simulated footwear shop.")
    parser.add_argument("data_dir", nargs="?", default="data", help="folder that holds sample/ (default: data)")
    args = parser.parse_args(argv)
    paths = write_sample(args.data_dir)
    for name, path in paths.items():
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        print(f"{name:>12}: {rows:>7} rows -> {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
