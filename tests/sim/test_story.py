"""The footwear exam story (RT-01, RT-02, RT-10), measured as uplift over the no-recommendation baseline.

Every policy of a seed meets the same visits as the ``none`` run (common random
numbers), so the uplift per visit of a policy is its revenue per visit minus the
organic revenue per visit of the very same customers. The old story was "a once-trained
model lifts sales, the lift holds for a while, then it decays as the world moves on".
:func:`story_shape` tells that from a plain fall; honest runs show a plain fall (the
strict xfail below records it), so the chapters must not claim a rise.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.sim import (
    Policy,
    ScenarioConfig,
    compare_policies,
    load_scenario,
    mean_ci,
    paired_comparison,
    run_scenario,
    story_shape,
    uplift_decline,
    uplift_slope,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [1, 2, 3]


def _weeks(values):
    return pd.Series(values, index=pd.RangeIndex(len(values), name="week"), dtype=float)


def test_story_shape_tells_rise_or_hold_then_fall_from_a_plain_fall():
    assert not story_shape(_weeks([5.0, 4.0, 3.2, 2.5, 2.0, 1.5, 1.0]))["story"]  # plain fall from week 0
    assert story_shape(_weeks([4.0, 4.5, 4.6, 4.2, 3.0, 2.0, 1.5]))["story"]  # rises, then falls
    held = story_shape(_weeks([4.0, 3.9, 3.8, 3.7, 2.5, 1.5, 1.0]))
    assert held["story"] and held["holds"] and not held["rises"]
    assert not story_shape(_weeks([4.0, 4.0, 4.1, 4.0, 4.0, 3.9, 4.0]))["story"]  # no decay
    with pytest.raises(ValueError, match="complete weeks"):
        story_shape(_weeks([1.0, 2.0]))


@pytest.fixture(scope="module")
def footwear():
    return load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml").shop


@pytest.fixture(scope="module")
def runs(footwear):
    policies = {"stale": {"kind": "stale"}, "event_tracker": {"kind": "event_tracker"}}
    return compare_policies(footwear, policies, progress=False, seeds=SEEDS)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_stale_uplift_is_positive_at_launch_then_decays(runs, seed):
    daily = runs[(runs["policy"] == "stale") & (runs["seed"] == seed)]
    shape = story_shape(daily)
    assert shape["week0"] > 0, "a launched model sells more than no recommendations"
    assert shape["decays"], f"seed {seed}: the stale uplift should decay: {shape}"
    # the mechanisms behind it: more and more customers the model has never seen, stale knowledge
    assert daily["cold_start_share"].tail(30).mean() > daily["cold_start_share"].head(7).mean() + 0.1


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="honest runs of footwear.yaml show no rise and no hold: the stale uplift "
                   "is highest in week 0 and falls from there (demand pull-forward of the budget, then drift, "
                   "turnover and satiation); strict, so a world that does show a rise makes this test fail")
@pytest.mark.parametrize("seed", SEEDS)
def test_stale_uplift_grows_or_holds_before_it_decays(runs, seed):
    daily = runs[(runs["policy"] == "stale") & (runs["seed"] == seed)]
    assert story_shape(daily)["story"]


@pytest.mark.slow
def test_event_tracker_beats_stale_on_uplift_per_visit_on_every_seed(runs, footwear):
    policies = {"stale": {"kind": "stale"}, "event_tracker": {"kind": "event_tracker"}}
    table = paired_comparison(footwear, policies, SEEDS, "uplift_per_visit", daily=runs).set_index("policy")
    assert table.loc["event_tracker", "wins"] == len(SEEDS)
    assert table.loc["event_tracker", "ci_low"] > 0
    late = paired_comparison(footwear, policies, SEEDS, "uplift_per_visit", window=(-28, None), daily=runs)
    assert late.set_index("policy").loc["event_tracker", "wins"] == len(SEEDS)
    tracked = runs[runs["policy"] == "event_tracker"]
    assert tracked["ndcg_at_10"].mean() > 3 * tracked["ndcg_at_10_random"].mean()
    assert tracked["last_hour_share"].mean() > 0.9


@pytest.mark.slow
def test_acid_every_cause_off_keeps_the_stale_uplift_flat(footwear):
    calm = footwear.with_causes(on=[])
    slopes, declines, early = [], [], []
    for seed in SEEDS:
        shop = dataclasses.replace(calm, seed=seed)
        daily = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind="stale")), progress=False,
                             baseline=True).daily
        slopes.append(uplift_slope(daily))
        result = uplift_decline(daily, (0, 21), (-21, None))
        declines.append(result["decline"])
        early.append(result["early_uplift"])
    mean, low, high = mean_ci(declines)
    assert low <= 0 <= high or abs(mean) < 0.05 * np.mean(early), (declines, early)
    assert abs(np.mean(slopes)) < 0.03 * np.mean(early), slopes  # per 30 days, against the level
