"""The chapter-07 tables and sentences are computed from the runs: hand-worked frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.sim.story import attribution_sentences, chapter_shop, mean_over_seeds, story_sentences, story_table


def _daily(policy: str, seed: int, weekly_uplift: list[float], visits: int = 10) -> pd.DataFrame:
    """A paired daily frame whose uplift per visit is constant within each week."""
    uplift = np.repeat(weekly_uplift, 7)
    days = np.arange(len(uplift))
    return pd.DataFrame({
        "policy": policy, "seed": seed, "day": days, "date": pd.Timestamp("2024-08-29") + pd.to_timedelta(days, "D"),
        "visits": visits, "incremental_revenue": uplift * visits, "uplift_per_visit": uplift,
        "ndcg_at_10": 0.3, "ndcg_at_10_random": 0.05, "freshness_median_hours": 2.0,
    })


RISE_THEN_FALL = [1.0, 1.3, 1.2, 1.1, 0.8, 0.6, 0.5, 0.5]
PLAIN_FALL = [1.0, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3]
FLAT = [1.0] * 8


def test_story_table_hand_worked():
    daily = pd.concat([_daily("stale", s, PLAIN_FALL) for s in (1, 2)]
                      + [_daily("tracked", 1, FLAT), _daily("tracked", 2, [1.2] * 8)])
    table = story_table(daily, reference="stale")
    assert table.loc["stale", "uplift / visit, first 2 weeks"] == pytest.approx(0.85)
    assert table.loc["stale", "uplift / visit, last 2 weeks"] == pytest.approx(0.325)
    assert table.loc["stale", "change"] == pytest.approx(0.325 / 0.85 - 1)
    # last two weeks: tracked 1.0 and 1.2 vs stale 0.325 on both seeds -> paired diff 0.775, won 2/2
    assert table.loc["tracked", "last 2 weeks vs stale"] == pytest.approx(0.775)
    assert table.loc["tracked", "seeds won"] == "2/2"
    assert table.loc["stale", "NDCG@10 of a random list"] == pytest.approx(0.05)


def test_story_sentences_tell_rise_then_fall_from_a_plain_fall():
    rising = pd.concat([_daily("stale", s, RISE_THEN_FALL) for s in (1, 2)])
    falling = pd.concat([_daily("stale", s, PLAIN_FALL) for s in (1, 2)])
    flat = pd.concat([_daily("stale", s, FLAT) for s in (1, 2)])
    assert "So on every seed" in story_sentences(rising)
    assert "on no seed" in story_sentences(falling)
    assert "on no seed" in story_sentences(flat)  # holds, but never decays
    mixed = pd.concat([_daily("stale", 1, RISE_THEN_FALL), _daily("stale", 2, PLAIN_FALL)])
    assert "holds on 1 of 2 seeds only" in story_sentences(mixed)
    assert "week 1 was 1.00" in story_sentences(rising)


def test_attribution_sentences_report_the_acid_test_honestly():
    table = pd.DataFrame([
        {"setting": "all on", "cause": "", "decline": 0.6, "ci_low": 0.4, "ci_high": 0.8},
        {"setting": "all off", "cause": "", "decline": 0.02, "ci_low": -0.05, "ci_high": 0.09},
        {"setting": "season alone on", "cause": "season", "decline": 0.3, "ci_low": 0.1, "ci_high": 0.5},
        {"setting": "satiation alone on", "cause": "satiation", "decline": 0.2, "ci_low": 0.0, "ci_high": 0.4},
        {"setting": "season alone off", "cause": "season", "decline": 0.3, "ci_low": 0.1, "ci_high": 0.5},
        {"setting": "satiation alone off", "cause": "satiation", "decline": 0.45, "ci_low": 0.3, "ci_high": 0.6},
    ])
    text = attribution_sentences(table)
    assert "falls by 0.60" in text and "flat within noise" in text
    assert text.index("season +0.30") < text.index("satiation +0.20")  # largest first
    assert "uplift per visit falls by 0.02" in text  # the acid test's sign in words, not "+0.02"
    assert "the largest share of the decline for **season** (50% of it)" in text  # 50% is not "most"
    most = table.assign(decline=np.where(table["setting"] == "season alone off", 0.2, table["decline"]))
    assert "most of the decline for **season** (67% of it)" in attribution_sentences(most)
    rising = table.assign(decline=np.where(table["setting"] == "all off", -0.3, table["decline"]))
    assert "uplift per visit rises by 0.30" in attribution_sentences(rising)
    not_flat = table.assign(ci_low=np.where(table["setting"] == "all off", 0.01, table["ci_low"]))
    assert "not flat" in attribution_sentences(not_flat)


def test_chapter_shop_scales_drift_and_switches_causes():
    from workbench.sim import ShopConfig

    base = ShopConfig()
    shop = chapter_shop(base, drift=0.5, causes=["season"], n_users=100)
    assert shop.n_users == 100 and shop.taste_drift == pytest.approx(base.taste_drift / 2)
    assert shop.cause_on("season") and not shop.cause_on("taste_drift")


def test_mean_over_seeds_averages_each_day():
    daily = pd.concat([_daily("stale", 1, FLAT), _daily("stale", 2, [3.0] * 8)])
    means = mean_over_seeds(daily)
    assert len(means) == 56 and means["uplift_per_visit"].eq(2.0).all() and "date" in means
