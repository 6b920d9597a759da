"""The footwear exam story (RT-01, RT-02, RT-10) must emerge from the simulator's mechanisms.

The same world (data/scenarios/footwear.yaml) is played twice; only the policy
changes. Nothing in the world knows the policy names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.sim import load_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.DataFrame]:
    config = load_scenario(ROOT / "data" / "scenarios" / "footwear.yaml")
    return {kind: run_scenario(config.replace(policy={"kind": kind}), progress=False).daily
            for kind in ("stale", "event_tracker")}


def _smoothed_revenue(daily: pd.DataFrame) -> pd.Series:
    return daily["revenue"].rolling(7).mean()


def test_stale_model_lifts_sales_first_then_loses_them(runs):
    daily = runs["stale"]
    smooth = _smoothed_revenue(daily)
    assert smooth.idxmax() < len(daily) / 3, "the peak of a once-trained model comes early"
    assert smooth.iloc[-1] <= 0.8 * smooth.max(), "and it ends at least 20% below that peak"
    # the mechanisms behind it: more and more customers the model has never seen, stale knowledge
    assert daily["cold_start_share"].tail(30).mean() > daily["cold_start_share"].head(7).mean() + 0.2
    fresh = daily["freshness_median_hours"]
    assert fresh.tail(7).mean() > fresh.head(7).mean() + 24 * (len(daily) - 30)  # ages about a day per day


def test_event_tracker_keeps_recommendations_relevant(runs):
    tracked, stale = runs["event_tracker"], runs["stale"]
    smooth = _smoothed_revenue(tracked)
    assert tracked["revenue"].tail(30).mean() >= 0.9 * smooth.max()
    assert tracked["ndcg_at_10"].mean() > stale["ndcg_at_10"].mean()
    assert tracked["ndcg_at_10"].tail(30).mean() > stale["ndcg_at_10"].tail(30).mean()
    assert tracked["freshness_median_hours"].median() < stale["freshness_median_hours"].median() / 10
    assert tracked["last_hour_share"].mean() > 0.9 and stale["last_hour_share"].max() == 0.0


def test_both_policies_met_the_same_customers(runs):
    # the first run day is identical: the world does not depend on the policy until it reacts to lists
    assert runs["stale"]["visits"].iloc[0] == runs["event_tracker"]["visits"].iloc[0]
