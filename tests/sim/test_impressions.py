"""The shop sends implicit impressions with tracked events only when the policy says so."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario

SHOP = ShopConfig(n_users=200, n_items=40, days=6, warmup_days=7, seed=3, new_item_rate=0.0, slices_per_day=3)


def _play(send, kind="event_tracker"):
    policy = Policy(kind=kind, send_impressions=send, retrain_every_days=2)
    return run_scenario(ScenarioConfig(shop=SHOP, policy=policy), progress=False)


@pytest.fixture(scope="module")
def runs():
    return _play(False), _play(True)


@pytest.mark.parametrize("kind", ["event_tracker", "retrain+event_tracker"])
def test_ignored_counts_match_the_logged_lists_and_their_events(runs, kind):
    """Per item: the lists it was on that someone acted on, minus those where it was chosen.

    With retraining every 2 days the last version is trained mid-run: it must carry the
    impressions logged before it (they are in the dataset) and add those after it.
    """
    sent = runs[1] if kind == "event_tracker" else _play(True, kind)
    if kind != "event_tracker":
        assert len(sent.versions) >= 3
    events = sent.events
    from_lists = events[events["RECOMMENDATION_ID"].notna()]
    expected = collections.Counter()
    for _, rows in from_lists.groupby("RECOMMENDATION_ID"):
        chosen = set(rows["ITEM_ID"])
        shown = rows["IMPRESSION"].iloc[0].split("|")
        expected.update(item for item in dict.fromkeys(shown) if item not in chosen)
    model = sent.model
    got = {item: n for item, n in zip(model.item_vocab.ids, model._ignored) if n}
    known = set(model.item_vocab.ids)
    assert got == {item: float(n) for item, n in expected.items() if item in known}
    assert sum(got.values()) > 100  # the check is not vacuous


def test_without_the_setting_nothing_is_counted_and_the_visits_are_the_same(runs):
    plain, sent = runs
    assert not plain.model._ignored.any()
    # paired runs: the same visits reach the shop, only the lists may differ
    assert np.array_equal(plain.daily["visits"].to_numpy(), sent.daily["visits"].to_numpy())


def test_compare_impressions_equals_the_paired_comparison_of_the_same_runs():
    from workbench.sim import compare_impressions, impressions_sentences, paired_comparison
    from workbench.sim.impressions import WITH, WITHOUT

    shop = ShopConfig(n_users=150, n_items=30, days=5, warmup_days=7, seed=1, new_item_rate=0.05, slices_per_day=3)
    table = compare_impressions(shop, seeds=(1, 2)).set_index("metric")
    policies = {WITHOUT: Policy(kind="auto_update+event_tracker"),
                WITH: Policy(kind="auto_update+event_tracker", send_impressions=True)}
    ctr = paired_comparison(shop, policies, [1, 2], "ctr").set_index("policy")
    assert table.loc["ctr", "without_impressions"] == pytest.approx(ctr.loc[WITHOUT, "mean"])
    assert table.loc["ctr", "diff"] == pytest.approx(ctr.loc[WITH, "diff"])
    assert table.loc["ctr", "wins"] == ctr.loc[WITH, "wins"]
    text = impressions_sentences(table.reset_index())
    assert text.count("\n* ") == 3 and "of 2 seeds" in text


def test_impressions_sentences_claim_only_what_the_interval_allows():
    import pandas as pd

    from workbench.sim import impressions_sentences

    row = {"metric": "ctr", "without_impressions": 0.1, "with_impressions": 0.11, "diff": 0.01, "relative": 0.1,
           "wins": 3, "seeds": 3}
    up = impressions_sentences(pd.DataFrame([{**row, "ci_low": 0.005, "ci_high": 0.015}]))
    unclear = impressions_sentences(pd.DataFrame([{**row, "ci_low": -0.005, "ci_high": 0.025}]))
    one = impressions_sentences(pd.DataFrame([{**row, "ci_low": np.nan, "ci_high": np.nan, "seeds": 1}]))
    assert "+10.0% (95% CI +5.0% to +15.0%)" in up and "more: the 95% interval excludes zero" in up
    assert "cannot tell from zero" in unclear
    assert "95% CI" not in one and "one seed" in one


def test_impressions_that_count_for_nothing_change_nothing():
    from workbench.sim import compare_impressions

    shop = ShopConfig(n_users=150, n_items=30, days=5, warmup_days=7, seed=1, new_item_rate=0.05, slices_per_day=3)
    table = compare_impressions(shop, seeds=(1, 2), impression_weight=0.0)
    assert (table["diff"] == 0).all() and table.attrs["impression_weight"] == 0.0
    counted = compare_impressions(shop, seeds=(1, 2), impression_weight=0.5)
    assert (counted["diff"] != 0).any()  # the same shops do react when impressions count


def test_the_chapter_shop_is_exam_scenario_22s_shop():
    """IMPRESSIONS_SHOP repeats the exam shop's settings (no file read at import): keep the two equal."""
    import dataclasses
    from pathlib import Path

    from workbench.exam import load_scenario
    from workbench.exam.recipes.simulate import shop_settings_from
    from workbench.sim import IMPRESSIONS_SHOP

    root = Path(__file__).resolve().parents[2]
    plan = load_scenario(root / "exam_scenarios" / "22_impressions_ignored_items.yaml").evidence
    expected = ShopConfig(**shop_settings_from(plan.base, plan.shop))
    assert dataclasses.asdict(IMPRESSIONS_SHOP) == dataclasses.asdict(expected)
