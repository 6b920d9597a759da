"""Retraining cadences: what each schedule plays, trains, earns (paired) and says."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from workbench.sim import (
    CADENCE_COLUMNS,
    ShopConfig,
    cadence_label,
    cadence_sentences,
    cadence_table,
    compare_retrain_cadences,
    paired_comparison,
)
from workbench.sim.cadence import TRAINED_ONCE, tracker_label

SHOP = ShopConfig(n_users=250, n_items=60, days=9, warmup_days=5, seed=5, slices_per_day=6, visits_per_day=0.2)
"""Nine run days: a daily schedule retrains on days 1-8, every 3 days on 3 and 6, weekly on 7."""


@pytest.fixture(scope="module")
def played():
    return compare_retrain_cadences(SHOP, cadences=(1, 3, 7), seeds=(1, 2))


def test_each_schedule_is_its_own_policy_and_every_run_is_paired(played):
    names = [TRAINED_ONCE, cadence_label(1), cadence_label(3), cadence_label(7), tracker_label(7)]
    assert list(played.policies) == names
    assert played.policies[TRAINED_ONCE].kind == "stale"
    assert [played.policies[cadence_label(n)].retrain_every_days for n in (1, 3, 7)] == [1, 3, 7]
    assert played.policies[tracker_label(7)].parts == ("retrain", "event_tracker")
    assert played.reference == cadence_label(7)
    assert len(played.daily) == len(names) * 2 * SHOP.days
    assert played.daily["uplift_per_visit"].notna().all()
    # the same visits under every schedule of a seed
    visits = played.daily.groupby(["policy", "seed"])["visits"].sum().unstack("policy")
    assert (visits.nunique(axis=1) == 1).all()


def test_trainings_follow_the_schedule(played):
    table = cadence_table(played).set_index("policy")
    assert list(table.reset_index().columns) == list(CADENCE_COLUMNS)
    # run days 0..8, a retrain on every day d > 0 with d % N == 0
    expected = {TRAINED_ONCE: 0, cadence_label(1): 8, cadence_label(3): 2, cadence_label(7): 1, tracker_label(7): 1}
    assert table["trainings"].to_dict() == expected
    days = played.versions[played.versions["policy"] == cadence_label(3)].groupby("seed")["day"].apply(list)
    assert all(d == [0, 3, 6] for d in days)
    assert np.isnan(table.loc[TRAINED_ONCE, "every_days"]) and table.loc[cadence_label(3), "every_days"] == 3
    assert (table["training_seconds"] > 0).sum() == 4 and table.loc[TRAINED_ONCE, "training_seconds"] == 0


def test_fresher_schedules_serve_fresher_lists(played):
    fresh = cadence_table(played).set_index("policy")["freshness_hours"]
    # a daily retrain knows yesterday's events, the launch model only the warm-up; the tracker knows the visit
    assert fresh[tracker_label(7)] < fresh[cadence_label(1)] < fresh[cadence_label(7)] <= fresh[TRAINED_ONCE]


def test_uplift_columns_are_the_paired_comparison(played):
    table = cadence_table(played).set_index("policy")
    paired = paired_comparison(SHOP, played.policies, [1, 2], "uplift_per_visit", reference=cadence_label(7),
                               daily=played.daily).set_index("policy")
    for column in ("diff", "ci_low", "ci_high", "wins"):
        assert np.allclose(table[column].to_numpy(dtype=float), paired[column].to_numpy(dtype=float), equal_nan=True)
    assert table.loc[cadence_label(7), "diff"] == 0.0
    sums = played.daily.groupby(["policy", "seed"])[["incremental_revenue", "visits"]].sum()
    per_visit = (sums["incremental_revenue"] / sums["visits"]).unstack("policy")
    assert np.isclose(table.loc[cadence_label(1), "uplift_per_visit"], per_visit[cadence_label(1)].mean())
    late = cadence_table(played, window=(-3, None)).set_index("policy")
    assert not np.isclose(late.loc[cadence_label(1), "uplift_per_visit"], table.loc[cadence_label(1), "uplift_per_visit"])


def test_sentences_carry_the_table_and_the_tracker_comparison(played):
    text = cadence_sentences(played)
    table = cadence_table(played).set_index("policy")
    row = table.loc[cadence_label(1)]
    assert f"**{cadence_label(1)}** against *{cadence_label(7)}*" in text
    assert f"paired difference {row['diff']:+.2f}" in text and f"ahead on {int(row['wins'])} of 2 seeds" in text
    assert f"*{cadence_label(1)}* 8 ({row['training_seconds']:.1f} s" in text
    assert f"against *{cadence_label(1)}*, the most frequent retrain played" in text
    assert "with 1 training per run instead of 8 trainings" in text
    assert f"**{cadence_label(7)}** against" not in text  # the reference is not compared with itself


def test_verdicts_follow_the_interval(played):
    is_daily = played.daily["policy"] == cadence_label(1)
    for shift, phrase in ((+1000.0, "more: the 95% interval"), (-1000.0, "less: the 95% interval")):
        frame = played.daily.assign(incremental_revenue=np.where(
            is_daily, played.daily["incremental_revenue"] + shift, played.daily["incremental_revenue"]))
        text = cadence_sentences(dataclasses.replace(played, daily=frame))
        assert phrase in _sentence_of(text, cadence_label(1))


def _sentence_of(text: str, policy: str) -> str:
    """The sentence that compares ``policy`` with the reference (up to the next bold name)."""
    head = f"**{policy}** against"
    if head not in text:
        return ""
    rest = text[text.index(head) + len(head):]
    return rest[: rest.find("**")] if "**" in rest else rest


def test_one_seed_says_there_is_no_interval_and_options_can_be_left_out():
    one = compare_retrain_cadences(SHOP, cadences=(2, 4), seeds=(1,), tracker_every_days=None, trained_once=False)
    assert list(one.policies) == [cadence_label(2), cadence_label(4)]
    assert one.reference == cadence_label(2)  # no weekly schedule: the first cadence
    text = cadence_sentences(one)
    assert "one seed, so no interval" in text and "excludes zero" not in text
    assert "most frequent retrain" not in text  # no tracker played


@pytest.mark.parametrize("kwargs, message", [
    ({"cadences": ()}, "at least one cadence"),
    ({"cadences": (7, 7)}, "same cadence twice"),
    ({"cadences": (0, 7)}, "whole days from 1"),
    ({"cadences": (7,), "tracker_every_days": 0}, "whole days from 1"),
])
def test_bad_cadences_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_retrain_cadences(SHOP, seeds=(1,), **kwargs)


def test_labels():
    assert cadence_label(1) == "retrain every day" and cadence_label(14) == "retrain every 14 days"
    assert tracker_label(7) == "event tracker + retrain every 7 days"
