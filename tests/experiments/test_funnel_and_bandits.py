"""Funnel economics, the dashboard and bandit regret experiments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.experiments import (
    PLACEMENTS,
    VISITOR_STAGES,
    dashboard_summary,
    funnel_revenue,
    funnel_what_if,
    item_conversion,
    placement_what_if,
    race_sentences,
    regret_curves,
    regret_runs,
    regret_summary,
)


def test_revenue_identity_and_what_if():
    assert funnel_revenue(10_000, 0.05, 0.03, 50) == pytest.approx(750.0)
    np.testing.assert_allclose(funnel_revenue(np.array([100, 200]), 0.5, 0.1, 10), [50.0, 100.0])
    table = funnel_what_if(10_000, 0.05, 0.03, 50, {"ctr": 0.10, "price": -0.05}).set_index("scenario")
    assert table.loc["what-if", "revenue"] == pytest.approx(10_000 * 0.055 * 0.03 * 47.5)
    assert table.loc["what-if", "revenue_change"] == pytest.approx(1.10 * 0.95 - 1)
    with pytest.raises(ValueError, match="fractions"):
        funnel_revenue(100, 5, 0.1, 10)
    with pytest.raises(ValueError, match="unknown funnel terms"):
        funnel_what_if(1, 0.1, 0.1, 1, {"aov": 0.1})


def test_stage_and_placement_tables_follow_the_seed():
    assert VISITOR_STAGES["share"].tolist() == [0.60, 0.25, 0.12, 0.03]
    assert VISITOR_STAGES["share"].sum() == pytest.approx(1.0)
    pages = PLACEMENTS.set_index("page")
    assert list(pages.index) == ["main", "category", "search", "product detail", "cart", "checkout"]
    assert pages.loc["product detail", "term_lifted"] == "conversion"
    assert pages.loc["main", "term_lifted"] == "ctr"
    assert set(pages.loc[pages["source"] == "inferred"].index) == {"category", "search"}
    lifted = placement_what_if(10_000, 0.05, 0.03, 50, "checkout", 0.10).set_index("scenario")
    assert lifted.loc["what-if", "conversion"] == pytest.approx(0.033)
    assert lifted.loc["what-if", "revenue_change"] == pytest.approx(0.10)
    with pytest.raises(ValueError, match="unknown page"):
        placement_what_if(1, 0.1, 0.1, 1, "footer", 0.1)


def _shop_log() -> pd.DataFrame:
    rows = []
    # item a: 4 views, 2 purchases (from recommendations); item b: 2 views, 1 purchase; item c: 3 views, 0
    for i in range(4):
        rows.append((f"A{i}", "A", "a", "view", np.nan, None))
    rows += [("A0", "A", "a", "purchase", 10.0, "R1"), ("A1", "A", "a", "purchase", 10.0, "R2")]
    for i in range(2):
        rows.append((f"B{i}", "B", "b", "view", np.nan, None))
    rows.append(("B0", "B", "b", "purchase", 40.0, None))
    for i in range(3):
        rows.append((f"B{i + 5}", "B", "c", "view", np.nan, None))
    frame = pd.DataFrame(rows, columns=["SESSION_ID", "variant", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE",
                                        "RECOMMENDATION_ID"])
    frame["USER_ID"] = frame["SESSION_ID"]
    return frame


def test_item_conversion_ranking_and_min_views():
    table = item_conversion(_shop_log(), min_views=0)
    assert table["ITEM_ID"].tolist() == ["a", "b", "c"]  # 2/4 = 1/2 tie broken by more views
    assert table.set_index("ITEM_ID").loc["b", "conversion"] == pytest.approx(0.5)
    assert item_conversion(_shop_log(), min_views=3)["ITEM_ID"].tolist() == ["a", "c"]


def test_dashboard_summary():
    board = dashboard_summary(_shop_log(), variant_column="variant", min_views=0, top_n=2)
    assert board.attributed_revenue == pytest.approx(20.0)
    assert board.attributed_share == pytest.approx(20.0 / 60.0)
    assert board.top_conversion_items["ITEM_ID"].tolist() == ["a", "b"]
    # session conversion: A 2/4, B 1/5
    assert board.ab_test.rate_a == pytest.approx(0.5) and board.ab_test.rate_b == pytest.approx(0.2)
    assert "revenue attributed" in board.headline()
    assert dashboard_summary(_shop_log(), min_views=0).ab_test is None
    # A had 8 visits, 4 of them logged nothing: the A/B test is per visit, 2/8 against 1/5
    per_visit = dashboard_summary(_shop_log(), variant_column="variant", min_views=0, visits=pd.Series({"A": 8, "B": 5}))
    assert per_visit.ab_test.rate_a == pytest.approx(2 / 8) and per_visit.ab_test.rate_b == pytest.approx(0.2)
    assert per_visit.kpis.set_index("variant").loc["A", "sessions"] == 8


RATES = [0.30, 0.15, 0.05]


def test_regret_runs_are_seeded_and_consistent():
    runs = regret_runs(RATES, policies=("thompson", "random"), steps=300, runs=2, seed=5)
    assert set(runs["policy"]) == {"thompson", "random"} and len(runs) == 2 * 2 * 300
    again = regret_runs(RATES, policies=("thompson", "random"), steps=300, runs=2, seed=5)
    pd.testing.assert_frame_equal(runs, again)
    expected = max(RATES) - np.asarray(RATES)[runs["arm"].to_numpy()]
    np.testing.assert_allclose(runs["regret"], expected)
    per_run = runs.groupby(["policy", "run"])["cumulative_regret"]
    assert per_run.apply(lambda s: (np.diff(s.to_numpy()) >= -1e-12).all()).all()


def test_learning_policies_beat_random_and_find_the_best_arm():
    runs = regret_runs(RATES, policies=("epsilon_greedy", "ucb", "thompson", "random"), steps=600, runs=3, seed=1)
    summary = regret_summary(runs).set_index("policy")
    random_regret = summary.loc["random", "final_regret_mean"]
    assert random_regret == pytest.approx(600 * (0.30 - np.mean(RATES)), rel=0.25)
    for policy in ("epsilon_greedy", "ucb", "thompson"):
        assert summary.loc[policy, "final_regret_mean"] < 0.5 * random_regret
    assert summary.loc["thompson", "best_arm_share_late"] > 0.8
    curves = regret_curves(RATES, runs_frame=runs)
    assert list(curves.columns) == ["policy", "step", "mean_cumulative_regret", "p10", "p90", "best_arm_share"]
    last = curves[curves["step"] == 600].set_index("policy")
    assert last.loc["thompson", "mean_cumulative_regret"] == pytest.approx(summary.loc["thompson", "final_regret_mean"])
    assert (curves["p10"] <= curves["mean_cumulative_regret"] + 1e-12).all()


def test_race_sentences_read_the_table_they_are_given():
    summary = pd.DataFrame({"policy": ["random", "epsilon_greedy", "ucb", "thompson"],
                            "final_regret_mean": [22.7, 7.6, 22.0, 15.5], "final_regret_std": [3.0, 2.0, 2.5, 4.0],
                            "best_arm_share_late": [0.24, 0.86, 0.28, 0.58]})
    rates = [0.05, 0.05, 0.05, 0.07]
    text = race_sentences(summary, rates, steps=1500, epsilon=0.1)
    assert text.startswith("Over 1,500 visitors the fewest expected clicks were lost by epsilon-greedy (7.6), "
                           "then Thompson sampling (15.5), then UCB1 (22.0), then random (an even split) (22.7).")
    assert "Within one standard deviation of the even split, or worse: UCB1;" in text
    # 0.1 * (0.07 - 0.055) = 0.0015 per visitor, 2.25 over 1,500
    assert "0.0015 expected clicks per visitor in all, 2.2 over the 1,500" in text
    assert "the smallest bill in the race" in text
    summary.loc[summary["policy"] == "thompson", "final_regret_mean"] = 5.0
    summary.loc[summary["policy"] == "ucb", "final_regret_mean"] = 12.0
    text = race_sentences(summary, rates, steps=1500, epsilon=0.1)
    assert "Every bandit lost fewer clicks than the even split." in text and "smallest bill" not in text
    assert "Epsilon-greedy" not in race_sentences(summary, rates, steps=1500)
    assert "never explores on purpose" in race_sentences(summary, rates, steps=1500, epsilon=0.0)
    # a bandit whose own spread covers the gap to random is not called better
    summary.loc[summary["policy"] == "ucb", ["final_regret_mean", "final_regret_std"]] = [21.0, 2.0]
    summary.loc[summary["policy"] == "random", "final_regret_std"] = 0.3
    assert "or worse: UCB1;" in race_sentences(summary, rates, steps=1500)


def test_epsilon_greedy_keeps_paying_its_fixed_price():
    """Once settled, epsilon-greedy's regret per visitor is epsilon * (best rate - mean rate), as the chapter says."""
    rates = [0.2, 0.2, 0.2, 0.4]
    runs = regret_runs(rates, policies=("epsilon_greedy",), steps=4000, runs=4, seed=3,
                       policy_settings={"epsilon_greedy": {"epsilon": 0.2}})
    late = runs[runs["step"] > 2000]
    assert late["regret"].mean() == pytest.approx(0.2 * (0.4 - np.mean(rates)), rel=0.2)
