"""long_tail_table on paired runs: popular lists concentrate activity, random lists do not."""

from __future__ import annotations

import pytest

from workbench.constants import ITEM_ID, TIMESTAMP
from workbench.sim import Policy, ScenarioConfig, ShopConfig, launch_tail, long_tail_table, run_scenario


@pytest.fixture(scope="module")
def runs():
    shop = ShopConfig(n_users=200, n_items=60, days=14, warmup_days=14, seed=3)
    policies = {"none": Policy(kind="none"), "random": Policy(kind="random"),
                "popularity": Policy(kind="stale", model="popularity")}
    return {name: run_scenario(ScenarioConfig(shop=shop, policy=p, name=name), progress=False)
            for name, p in policies.items()}


def test_tail_is_the_quiet_half_of_the_warm_up(runs):
    result = runs["none"]
    on_sale, tail = launch_tail(result, 0.5)
    assert len(tail) == len(on_sale) // 2
    warm = result.events[result.events[TIMESTAMP] < result.world.day0][ITEM_ID].astype(str)
    counts = warm.value_counts().reindex(on_sale, fill_value=0)
    assert counts[list(tail)].max() <= counts.drop(list(tail)).min()
    with pytest.raises(ValueError, match="strictly between"):
        launch_tail(result, 1.0)


def test_popular_lists_concentrate_activity_against_both_baselines(runs):
    table = long_tail_table(runs, late_days=7)
    assert list(table.columns)[3] == "tail share, last 7 days"
    pop, none, rnd = table.loc["popularity"], table.loc["none"], table.loc["random"]
    assert pop["tail share of events"] < none["tail share of events"] - 0.05
    assert pop["Gini of events per item"] > none["Gini of events per item"] + 0.05
    assert abs(rnd["tail share of events"] - none["tail share of events"]) < 0.05
    assert (table["events"] > 0).all()


def test_unpaired_runs_are_refused(runs):
    other = run_scenario(ScenarioConfig(shop=ShopConfig(n_users=200, n_items=60, days=14, warmup_days=14, seed=4),
                                        policy=Policy(kind="none"), name="none"), progress=False)
    with pytest.raises(ValueError, match="not paired"):
        long_tail_table({"a": runs["none"], "b": other})
