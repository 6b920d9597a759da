from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from workbench.sim import (
    Policy,
    ScenarioConfig,
    ShopConfig,
    compare_training_windows,
    paired_comparison,
    repeat_purchases,
    run_scenario,
    window_label,
    window_sentences,
)
from workbench.sim.behaviour import PURCHASE

SHOP = ShopConfig(n_users=250, n_items=60, days=9, warmup_days=5, seed=5, slices_per_day=6, visits_per_day=0.2)


@pytest.fixture(scope="module")
def played():
    return compare_training_windows(SHOP, windows=(None, 3), seeds=(1, 2), retrain_every_days=3)


def test_every_window_and_seed_is_played_and_paired_with_its_none_run(played):
    names = [window_label(None), window_label(3)]
    assert list(played.policies) == names
    assert played.policies[names[1]].training_window_days == 3 and played.policies[names[0]].training_window_days is None
    assert {(p, s) for p, s in zip(played.daily["policy"], played.daily["seed"])} == {(n, s) for n in names for s in (1, 2)}
    assert played.daily["uplift_per_visit"].notna().all()  # filled against the paired none run
    assert len(played.daily) == 2 * 2 * SHOP.days


def test_the_window_learns_from_fewer_events_of_the_same_log(played):
    v = played.versions.set_index(["policy", "seed", "day"]).sort_index()
    full, window = v.loc[window_label(None)], v.loc[window_label(3)]
    assert (full["trained_events"] == full["logged_events"]).all()
    assert (window["trained_events"] < window["logged_events"]).all()
    # same seed, same visits up to the first retrain: the launch models saw the same log
    launch = v.xs(0, level="day")
    for seed in (1, 2):
        assert launch.loc[(window_label(None), seed), "logged_events"] == launch.loc[(window_label(3), seed),
                                                                                       "logged_events"]


def test_paired_table_takes_per_seed_differences_of_totals_per_visit(played):
    table = paired_comparison(SHOP, played.policies, [1, 2], "uplift_per_visit", reference=window_label(None),
                              daily=played.daily)
    assert table.loc[table["policy"] == window_label(None), "diff"].item() == 0.0
    sums = played.daily.groupby(["policy", "seed"])[["incremental_revenue", "visits"]].sum()
    per_visit = (sums["incremental_revenue"] / sums["visits"]).unstack("policy")
    expected = (per_visit[window_label(3)] - per_visit[window_label(None)]).mean()
    assert np.isclose(table.loc[table["policy"] == window_label(3), "diff"].item(), expected)
    # the same visits under both policies: the none baseline is shared per seed
    visits = sums["visits"].unstack("policy")
    assert (visits[window_label(3)] == visits[window_label(None)]).all()


@pytest.mark.parametrize("windows, message", [((), "at least one window"), ((7, 7), "same window twice")])
def test_bad_windows_are_clear_errors(windows, message):
    with pytest.raises(ValueError, match=message):
        compare_training_windows(SHOP, windows=windows, seeds=(1,))


def test_model_params_reach_every_policy():
    played = compare_training_windows(SHOP, windows=(None, 3), seeds=(1,), retrain_every_days=3,
                                      model_params={"als_reg": 6.0})
    assert all(p.model_params == {"als_reg": 6.0} for p in played.policies.values())


def test_exclude_reaches_every_policy_and_changes_the_lists(played):
    unfiltered = compare_training_windows(SHOP, windows=(None, 3), seeds=(1, 2), retrain_every_days=3,
                                          exclude="none")
    assert all(p.exclude == "none" for p in unfiltered.policies.values())
    assert all(p.exclude == "purchased" for p in played.policies.values())
    # same visits, other lists: the purchase filter's absence shows in what the runs sold
    assert not np.array_equal(unfiltered.daily["revenue"].to_numpy(), played.daily["revenue"].to_numpy())
    with pytest.raises(ValueError, match="Policy.exclude"):
        compare_training_windows(SHOP, windows=(None,), seeds=(1,), exclude="bought")


def test_sentences_report_the_paired_numbers_and_only_claim_what_the_interval_shows(played):
    text = window_sentences(played)
    table = paired_comparison(SHOP, played.policies, [1, 2], "uplift_per_visit", reference=window_label(None),
                              daily=played.daily)
    row = table[table["policy"] == window_label(3)].iloc[0]
    assert f"paired difference {row['diff']:+.2f}" in text and f"ahead on {row['wins']} of 2 seeds" in text
    if row["ci_low"] > 0:
        assert "more: the 95% interval excludes zero" in text
    elif row["ci_high"] < 0:
        assert "less: the 95% interval excludes zero" in text
    else:
        assert "cannot tell from zero" in text
    refits = played.versions[(played.versions["day"] > 0) & (played.versions["policy"] == window_label(3))]
    assert f"from {refits[refits['day'] == refits['day'].max()]['trained_events'].mean():,.0f} in" in text
    sold = played.purchases[played.purchases["policy"] == window_label(3)]
    assert (f"its lists sold {sold['list_purchases'].mean():,.0f} shoes per run, "
            f"{sold['repeat_list_purchases'].mean():,.0f} of them") in text


def test_sentences_with_one_seed_say_there_is_no_interval():
    one = compare_training_windows(SHOP, windows=(None, 3), seeds=(1,), retrain_every_days=3)
    assert "one seed, so no interval" in window_sentences(one)
    assert "excludes zero" not in window_sentences(one)
    with pytest.raises(ValueError, match="every-event run"):
        window_sentences(compare_training_windows(SHOP, windows=(3,), seeds=(1,), retrain_every_days=3))


def test_verdicts_follow_the_interval(played):
    """Each verdict branch, on a frame whose window run is shifted by a known amount per seed."""
    shifted = played.daily.copy()
    is_window = shifted["policy"] == window_label(3)
    for shift, phrase in ((+1000.0, "more: the 95% interval"), (-1000.0, "less: the 95% interval")):
        frame = shifted.assign(incremental_revenue=np.where(is_window, shifted["incremental_revenue"] + shift,
                                                            shifted["incremental_revenue"]))
        text = window_sentences(dataclasses.replace(played, daily=frame))
        assert phrase in text


def test_repeat_purchases_against_a_recount_of_the_log():
    shop = ShopConfig(n_users=120, n_items=15, days=12, warmup_days=5, seed=3, slices_per_day=6, visits_per_day=0.5,
                      causes_off=["satiation", "budget"])  # a small catalog and no satiation: many repeats
    result = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind="stale", exclude="none")), progress=False)
    counted = repeat_purchases(result)
    a = result.log.arrays()
    frame = pd.DataFrame({k: a[k] for k in ("user", "item", "ts", "kind", "list_id")})
    buys = frame[frame["kind"] == PURCHASE].sort_values("ts", kind="stable")
    earlier = buys.groupby(["user", "item"]).cumcount() > 0  # bought this shoe before
    assert counted["list_purchases"] == int(result.daily["purchases"].sum()) == int((buys["list_id"] >= 0).sum())
    assert counted["repeat_list_purchases"] == int((earlier & (buys["list_id"] >= 0)).sum()) > 0


def test_every_run_gets_its_purchase_counts(played):
    assert list(played.purchases.columns) == ["policy", "seed", "list_purchases", "repeat_list_purchases"]
    assert len(played.purchases) == len(played.policies) * len(played.seeds)
    assert (played.purchases["repeat_list_purchases"] <= played.purchases["list_purchases"]).all()


@pytest.mark.parametrize("low, high, phrase", [
    (0.1, 0.9, "more: the 95% interval excludes zero"),
    (-0.9, -0.1, "less: the 95% interval excludes zero"),
    (-0.2, 0.5, "cannot tell from zero"),
    (0.0, 0.5, "cannot tell from zero"),  # touching zero is not excluding it
    (float("nan"), float("nan"), "one seed, so no interval"),
])
def test_interval_verdict_reads_the_interval(low, high, phrase):
    from workbench.sim import interval_verdict

    assert phrase in interval_verdict(low, high)
