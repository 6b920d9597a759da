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
    assert list(evidence.table.columns) == ["option", "played_as", "value", "rank", "is_correct", "margin_achieved",
                                            "meets_margin", "seeds_met"]
    assert evidence.passed and evidence.winner == "B"
    assert evidence.figure is not None and evidence.figure.axes[0].get_ylabel() == "pairs ordered correctly"  # the metric in words
    assert "confirms the key (B)" in evidence.summary()


def test_run_refuses_concept_scenarios(valid_scenario, write_scenario):
    valid_scenario.update(kind="concept", concept_note="nothing to play")
    valid_scenario.pop("evidence")
    with pytest.raises(ValueError, match="concept-only"):
        run(load_scenario(write_scenario(valid_scenario)))


# ------------------------------------------------------------------ properties
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_values = st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(_values, st.data(), st.floats(min_value=0, max_value=50))
def test_passed_means_the_key_leads_every_other_option_by_the_margin(values, data, margin):
    letters = "ABCDE"[: len(values)]
    key = data.draw(st.sampled_from(letters))
    series = pd.Series(values, index=list(letters))
    table = judge(series, _plan(letters, margin=margin), (key,)).set_index("option")
    lead_over_best = series[key] - series.drop(key).max()
    assert bool(table.loc[key, "meets_margin"]) == (lead_over_best >= margin and lead_over_best > 0)
    if table.loc[key, "meets_margin"]:
        assert table.loc[key, "rank"] == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=2, max_size=5), st.integers(-100, 100), st.integers(0, 20))
def test_absolute_verdict_ignores_shifts_and_direction_flips(values, shift, margin):
    # integers keep the arithmetic exact, so a shift cannot swallow a tiny difference
    letters = "ABCDE"[: len(values)]
    series = pd.Series(values, index=list(letters), dtype=float)
    base = judge(series, _plan(letters, margin=margin), ("A",))
    shifted = judge(series + shift, _plan(letters, margin=margin), ("A",))
    flipped = judge(-series, _plan(letters, margin=margin, higher=False), ("A",))
    assert list(base["rank"]) == list(flipped["rank"])
    assert list(base["meets_margin"]) == list(flipped["meets_margin"])
    assert list(base["rank"]) == list(shifted["rank"])
    assert pd.Series(base["margin_achieved"]).round(6).tolist() == pd.Series(shifted["margin_achieved"]).round(6).tolist()


# --------------------------------------------------------------- the time chart
def test_time_series_chart_has_one_line_per_option_and_shades_the_window(monkeypatch, valid_scenario, write_scenario):
    from workbench.exam import RECIPES, EvidenceRecipe, RecipeResult

    def fake_run(plan):
        days = range(10)
        series = pd.DataFrame(
            [{"option": letter, "step": d, "value": float(d if letter == "B" else 1)} for letter in plan.options for d in days]
        )
        return RecipeResult(values=pd.Series({"A": 1.0, "B": 7.0}), series=series)

    monkeypatch.setitem(
        RECIPES, "toy_series", EvidenceRecipe(name="toy_series", run=fake_run, description="test", metrics=("m",))
    )
    valid_scenario["evidence"].update(recipe="toy_series", metric="m", last_days=3, margin=2)
    for letter, play in valid_scenario["evidence"]["options"].items():
        play["config"] = {"play": letter}  # distinct configs: a repeated one would replay a run
    evidence = run(load_scenario(write_scenario(valid_scenario)))
    axis = evidence.figure.axes[0]
    labels = sorted(line.get_label() for line in axis.get_lines())
    assert labels == ["A", "B (key)"]
    assert len(axis.patches) == 1  # the shaded judged window
    assert evidence.passed and evidence.table.set_index("option").loc["B", "margin_achieved"] == 6.0


def test_run_all_stacks_simulated_scenarios_only(valid_scenario, write_scenario):
    from workbench.exam import run_all

    concept = dict(valid_scenario, id="concept-one", kind="concept", concept_note="nothing to play")
    concept.pop("evidence")
    scenarios = [load_scenario(write_scenario(valid_scenario, "a.yaml")), load_scenario(write_scenario(concept, "b.yaml"))]
    table = run_all(scenarios)
    assert list(table["scenario"].unique()) == ["toy-question"]
    assert list(table["option"]) == ["A", "B"]
    assert run_all(scenarios[1:]).empty


# --------------------------------------------------------------- paired seeds, versus, checks
def _seeded_recipe(monkeypatch, values_by_seed, other_by_seed=None):
    """Register a fake ``simulate`` recipe whose values depend on the shop seed the runner passes."""
    from workbench.exam import RECIPES, EvidenceRecipe, RecipeResult

    calls = []

    def fake_run(plan):
        seed = plan.shop.get("seed")
        calls.append((seed, plan.metric))
        table = values_by_seed if plan.metric == "m" else other_by_seed
        return RecipeResult(values=pd.Series(table[seed]))

    monkeypatch.setitem(RECIPES, "simulate", EvidenceRecipe(name="simulate", run=fake_run, description="test",
                                                            metrics=("m", "other"), plays_seeds=True))
    return calls


def _seeded_scenario(valid_scenario, **evidence):
    valid_scenario["evidence"] = {
        "recipe": "simulate", "metric": "m", "margin": 1.0,
        "options": {letter: {"played_as": f"play {letter}", "config": {"play": letter}} for letter in "ABC"},
        **evidence,
    }
    return valid_scenario


def test_seeds_are_judged_one_by_one_and_the_key_must_win_on_every_seed(monkeypatch, valid_scenario, write_scenario):
    # seed 1: B leads C by 3; seed 2: B leads C by only 0.5 -> the margin of 1 is met on 1 of 2 seeds.
    calls = _seeded_recipe(monkeypatch, {1: {"A": 0.0, "B": 5.0, "C": 2.0}, 2: {"A": 0.0, "B": 4.0, "C": 3.5}})
    scenario = load_scenario(write_scenario(_seeded_scenario(valid_scenario, seeds=[1, 2])))
    evidence = run(scenario, chart=False)
    table = evidence.table.set_index("option")
    assert [seed for seed, _ in calls] == [1, 2]
    assert table.loc["B", "value"] == pytest.approx(4.5)  # mean over seeds
    assert table.loc["B", "margin_achieved"] == pytest.approx(0.5)  # the worst seed
    assert table.loc["B", "seeds_met"] == 1 and not table.loc["B", "meets_margin"]
    assert not evidence.passed
    assert set(evidence.per_seed["seed"]) == {1, 2}
    assert "met on 1/2 seeds" in evidence.summary()
    # the same plan on seed 1 alone confirms the key
    assert run(scenario, chart=False, seeds=[1]).passed


def test_versus_leaves_an_option_out_of_the_main_comparison_and_a_check_judges_it(
        monkeypatch, valid_scenario, write_scenario):
    # On m, C is as good as B (no lead); on "other", B leads C by 2 on both seeds.
    _seeded_recipe(
        monkeypatch,
        {1: {"A": 0.0, "B": 5.0, "C": 5.0}, 2: {"A": 1.0, "B": 6.0, "C": 6.5}},
        {1: {"A": 0.0, "B": 3.0, "C": 1.0}, 2: {"A": 0.0, "B": 4.0, "C": 2.0}},
    )
    plain = load_scenario(write_scenario(_seeded_scenario(valid_scenario, seeds=[1, 2]), "plain.yaml"))
    assert not run(plain, chart=False).passed  # C ties or beats B on m
    scoped = _seeded_scenario(valid_scenario, seeds=[1, 2], versus=["A"],
                              checks=[{"metric": "other", "versus": ["C"], "margin": 2.0}])
    evidence = run(load_scenario(write_scenario(scoped, "scoped.yaml")), chart=False)
    table = evidence.table.set_index("option")
    assert math.isnan(table.loc["C", "margin_achieved"])  # not compared on m
    assert table.loc["B", "margin_achieved"] == pytest.approx(5.0)  # vs A only: min(5 - 0, 6 - 1)
    checks = evidence.checks.set_index("option")
    assert checks.loc["B", "margin_achieved"] == pytest.approx(2.0) and checks.loc["B", "seeds_met"] == 2
    assert evidence.passed
    # the summary says C was left out of the main comparison instead of "margin nan, met on 0/2 seeds"
    main_rows = {line.split()[0]: line for line in evidence.summary().splitlines()
                 if line.startswith("   ") and "rank" in line}
    assert "not compared on this metric (see the checks)" in main_rows["C"]
    assert "nan" not in main_rows["C"] and "met on" not in main_rows["C"]
    assert "met on 2/2 seeds" in main_rows["A"]
    # a check that fails on one seed fails the evidence
    strict = _seeded_scenario(valid_scenario, seeds=[1, 2], versus=["A"],
                              checks=[{"metric": "other", "versus": ["C"], "margin": 2.5}])
    assert not run(load_scenario(write_scenario(strict, "strict.yaml")), chart=False).passed


def test_not_played_options_are_listed_with_their_reason(monkeypatch, valid_scenario, write_scenario):
    _seeded_recipe(monkeypatch, {None: {"A": 0.0, "B": 5.0, "C": 2.0}})
    raw = _seeded_scenario(valid_scenario, not_played={"D": "changes nothing the lists depend on"})
    evidence = run(load_scenario(write_scenario(raw)), chart=False)
    assert evidence.passed
    assert "D  not played - changes nothing the lists depend on" in evidence.summary()


def test_variants_are_judged_as_their_option_and_versus_names_exact_labels(
        monkeypatch, valid_scenario, write_scenario):
    # C is played twice (C: one retrain, C2: weekly retrain); the key B must beat both.
    _seeded_recipe(monkeypatch, {None: {"A": 0.0, "B": 5.0, "C": 2.0, "C2": 4.5}})
    raw = _seeded_scenario(valid_scenario)
    raw["evidence"]["options"]["C"]["variants"] = [{"played_as": "C, weekly", "config": {"play": "C2"}}]
    scenario = load_scenario(write_scenario(raw))
    assert list(scenario.evidence.options) == ["A", "B", "C", "C2"]
    table = run(scenario, chart=False).table.set_index("option")
    assert not table.loc["C2", "is_correct"]
    assert table.loc["B", "margin_achieved"] == pytest.approx(0.5)  # against the best wrong play, C2
    raw["evidence"]["versus"] = ["A", "C"]
    only_c = load_scenario(write_scenario(raw, "v.yaml"))
    assert only_c.evidence.versus == ("A", "C")
    assert run(only_c, chart=False).table.set_index("option").loc["B", "margin_achieved"] == pytest.approx(3.0)
