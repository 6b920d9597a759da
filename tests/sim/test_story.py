"""The footwear exam story (RT-01, RT-02, RT-10), measured as uplift over the no-recommendation baseline.

Every policy of a seed meets the same visits as the ``none`` run (common random
numbers), so the uplift per visit of a policy is its revenue per visit minus the
organic revenue per visit of the very same customers. The story is "a once-trained
model lifts sales, the lift holds for a while, then it decays as the world moves on";
a plain fall from the first week must not pass for it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.sim import attribute_decline, compare_policies, load_scenario, paired_comparison, story_shape

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
def test_stale_uplift_grows_or_holds_then_decays(runs, seed):
    daily = runs[(runs["policy"] == "stale") & (runs["seed"] == seed)]
    shape = story_shape(daily)
    assert shape["week0"] > 0, "a launched model sells more than no recommendations"
    assert shape["story"], f"seed {seed}: weekly uplift does not grow/hold then decay: {shape}"
    # the mechanisms behind it: more and more customers the model has never seen, stale knowledge
    assert daily["cold_start_share"].tail(30).mean() > daily["cold_start_share"].head(7).mean() + 0.1


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
    table = attribute_decline(footwear, "stale", seeds=SEEDS, causes=[]).set_index("setting")
    calm, world = table.loc["all off"], table.loc["all on"]
    assert calm["ci_low"] <= 0 <= calm["ci_high"] or abs(calm["decline"]) < 0.15 * calm["early_uplift"], calm
    assert world["ci_low"] > 0, "with the world moving, the stale uplift declines"
    assert world["decline"] > 2 * abs(calm["decline"])
