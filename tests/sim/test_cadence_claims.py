"""The retraining-cadence claims of the README and chapter 13, replayed on the footwear shop (3 seeds).

``benchmarks/bench_sim_truth.py`` plays them on ten seeds (each of these held on 10 of 10
there); these slow tests keep the direction of each claim honest on a few, paired per seed
(the same customers and visits), over the whole run:

* a new solution version every day earns more uplift per visit than a weekly one;
* one every 28 days earns less than a weekly one;
* the event tracker with a weekly retrain earns more than the daily retrain, with a seventh
  of its trainings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.sim import cadence_label, cadence_table, compare_retrain_cadences, load_scenario, per_seed_values
from workbench.sim.cadence import tracker_label

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def played():
    shop = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop
    return compare_retrain_cadences(shop, cadences=(1, 7, 28), seeds=SEEDS, tracker_every_days=7, trained_once=False)


@pytest.mark.slow
def test_daily_retraining_beats_weekly_and_monthly_loses_on_every_seed(played):
    table = cadence_table(played).set_index("policy")
    assert table.loc[cadence_label(1), "wins"] == len(SEEDS), table.round(3).to_dict()
    assert table.loc[cadence_label(28), "wins"] == 0, table.round(3).to_dict()


@pytest.mark.slow
def test_the_tracker_with_weekly_retraining_beats_daily_retraining_on_every_seed(played):
    per_seed = per_seed_values(played.daily, "uplift_per_visit")
    assert (per_seed.loc[tracker_label(7)] > per_seed.loc[cadence_label(1)]).all(), per_seed.round(3).to_dict()
    trainings = cadence_table(played).set_index("policy")["trainings"]
    assert trainings[tracker_label(7)] * 7 <= trainings[cadence_label(1)]
