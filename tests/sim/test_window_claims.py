"""The training-window claims of the README and chapter 13, replayed on the footwear shop (3 seeds).

``benchmarks/bench_sim_truth.py`` plays them on ten seeds; these slow tests keep the
direction of each claim honest on a few: weekly retraining on the last 14 days against
retraining on every logged event, paired per seed (the same customers and visits). Three
seeds give a wide t-interval (the README quotes the ten-seed intervals), so these tests
check the claims' seed counts: ahead on every seed, or on none.

* In the footwear world the window earns more on every seed.
* With taste drift, season and trend off it earns less on every seed: what it gains is
  forgetting tastes that have moved.
* With every cause off and no purchase filter it earns less on every seed. (With the
  purchase filter it can still come out ahead there: a window's filter only knows the
  purchases inside the window, so shoes bought earlier come back into the lists, and a
  world without satiation or budgets rewards buying them again.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.sim import compare_training_windows, load_scenario, paired_comparison, window_label

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def footwear():
    return load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop


def window_against_every_event(shop, exclude: str = "purchased") -> pd.Series:
    """The 14-day window's paired row (uplift per visit, whole run) against retraining on every event."""
    played = compare_training_windows(shop, windows=(None, 14), seeds=SEEDS, exclude=exclude)
    table = paired_comparison(shop, played.policies, SEEDS, "uplift_per_visit", reference=window_label(None),
                              daily=played.daily)
    return table.set_index("policy").loc[window_label(14)]


@pytest.mark.slow
def test_on_the_footwear_shop_the_window_earns_more_on_every_seed(footwear):
    row = window_against_every_event(footwear)
    assert row["wins"] == len(SEEDS), row.to_dict()


@pytest.mark.slow
def test_without_drift_season_and_trend_the_window_earns_less_on_every_seed(footwear):
    row = window_against_every_event(footwear.with_causes(off=["taste_drift", "season", "trend"]))
    assert row["wins"] == 0, row.to_dict()


@pytest.mark.slow
def test_with_every_cause_off_and_no_purchase_filter_the_window_earns_less_on_every_seed(footwear):
    row = window_against_every_event(footwear.with_causes(on=[]), exclude="none")
    assert row["wins"] == 0, row.to_dict()
