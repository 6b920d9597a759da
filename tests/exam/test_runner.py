"""How the runner ranks options and checks the margin (hand-worked examples)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.exam import EvidencePlan, OptionPlay, judge, lead, load_scenario, run


def _plan(letters="ABC", margin=0.0, kind="absolute", higher=True) -> EvidencePlan:
    return EvidencePlan(
        recipe="metric_choice",
        options={letter: OptionPlay(played_as=f"play {letter}", config={}) for letter in letters},
        metric="m",
        margin=margin,
        margin_kind=kind,
        higher_is_better=higher,
    )


def test_absolute_margin_hand_worked():
    # B = 12 beats the best wrong option (C = 10) by 2; A trails B by 7, C by 2.
    table = judge(pd.Series({"A": 5.0, "B": 12.0, "C": 10.0}), _plan(margin=2.0), ("B",)).set_index("option")
    assert table.loc["B", "margin_achieved"] == pytest.approx(2.0)
    assert table.loc["A", "margin_achieved"] == pytest.approx(7.0)
    assert table.loc["C", "margin_achieved"] == pytest.approx(2.0)
    assert list(table["rank"]) == [3, 1, 2]
    assert table.loc["B", "meets_margin"]
    assert not judge(pd.Series({"A": 5.0, "B": 12.0, "C": 10.0}), _plan(margin=2.5), ("B",)).set_index("option").loc["B", "meets_margin"]


def test_relative_margin_hand_worked():
    # (12 - 10) / 10 = 0.2
    table = judge(pd.Series({"A": 5.0, "B": 12.0, "C": 10.0}), _plan(margin=0.2, kind="relative"), ("B",)).set_index("option")
    assert table.loc["B", "margin_achieved"] == pytest.approx(0.2)
    assert table.loc["B", "meets_margin"]


def test_lower_is_better_flips_the_order():
    # A share of bad lists: 0.0 for B is best, 0.25 for C second.
    table = judge(pd.Series({"A": 1.0, "B": 0.0, "C": 0.25}), _plan(margin=0.25, higher=False), ("B",)).set_index("option")
    assert table.loc["B", "rank"] == 1 and table.loc["C", "rank"] == 2
    assert table.loc["B", "margin_achieved"] == pytest.approx(0.25)
    assert table.loc["B", "meets_margin"]


def test_a_tie_never_confirms_the_key_even_with_zero_margin():
    table = judge(pd.Series({"A": 3.0, "B": 3.0}), _plan("AB", margin=0.0), ("B",)).set_index("option")
    assert table.loc["B", "margin_achieved"] == 0.0
    assert not table.loc["B", "meets_margin"]


def test_nan_never_confirms():
    table = judge(pd.Series({"A": math.nan, "B": 3.0}), _plan("AB"), ("B",)).set_index("option")
    assert not table.loc["B", "meets_margin"]


def test_two_correct_options_must_each_beat_every_wrong_one():
    values = pd.Series({"A": 9.0, "B": 4.0, "C": 8.0, "D": 1.0})
    table = judge(values, _plan("ABCD", margin=3.0), ("A", "C")).set_index("option")
    assert table.loc["A", "margin_achieved"] == pytest.approx(5.0)
    assert table.loc["C", "margin_achieved"] == pytest.approx(4.0)
    assert table.loc["B", "margin_achieved"] == pytest.approx(4.0)  # trails the worst correct option (C = 8)


@pytest.mark.parametrize(
    ("winner", "other", "kind", "expected"),
    [(3.0, 1.0, "absolute", 2.0), (3.0, 2.0, "relative", 0.5), (1.0, 0.0, "relative", math.inf), (0.0, 0.0, "relative", 0.0), (1.0, -2.0, "relative", 1.5)],
)
def test_lead(winner, other, kind, expected):
    assert lead(winner, other, kind) == expected


def test_run_returns_table_and_bar_chart_for_recipes_without_time(valid_scenario, write_scenario):
    evidence = run(load_scenario(write_scenario(valid_scenario)))
    assert list(evidence.table.columns) == ["option", "played_as", "value", "rank", "is_correct", "margin_achieved", "meets_margin"]
    assert evidence.passed and evidence.winner == "B"
    assert evidence.figure is not None and evidence.figure.axes[0].get_ylabel() == "pairs_ordered_correctly"
    assert "confirms the key (B)" in evidence.summary()


def test_run_refuses_concept_scenarios(valid_scenario, write_scenario):
    valid_scenario.update(kind="concept", concept_note="nothing to play")
    valid_scenario.pop("evidence")
    with pytest.raises(ValueError, match="concept-only"):
        run(load_scenario(write_scenario(valid_scenario)))
