"""Scenario files are validated; every error names the file and the field."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from workbench.exam import ScenarioError, load_scenario, load_scenarios, parse_answer


def _error(path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def test_valid_toy_scenario_loads(valid_scenario, write_scenario):
    scenario = load_scenario(write_scenario(valid_scenario))
    assert scenario.id == "toy-question"
    assert scenario.correct == ("B",)
    assert scenario.letters == ("A", "B", "C", "D", "E")
    assert set(scenario.evidence.options) == {"A", "B"}
    assert scenario.evidence.margin == 1.0


def test_correct_letter_outside_options_names_file_and_field(valid_scenario, write_scenario):
    valid_scenario["correct"] = "F"
    path = write_scenario(valid_scenario)
    error = _error(path)
    assert error.field == "correct"
    assert str(error).endswith("foo.yaml: field 'correct': 'F' is not one of the options A-E")
    assert str(path.name) in str(error)


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (lambda d: d.pop("question"), "question", "missing"),
        (lambda d: d.update(kind="quiz"), "kind", "not one of simulated, concept"),
        (lambda d: d.update(colour="red"), "colour", "unknown field"),
        (lambda d: d["explanations"].pop("D"), "explanations", "option(s) D"),
        (lambda d: d["explanations"].update(F="extra"), "explanations.F", "not one of the options A-E"),
        (lambda d: d.update(options={"A": "x", "C": "y"}), "options", "must run A-B"),
        (lambda d: d.update(options={"a": "x", "b": "y"}), "options", "not an option letter"),
        (lambda d: d.update(correct=["A", "B", "C", "D", "E"]), "correct", "every option correct"),
        (lambda d: d.update(correct=["B", "B"]), "correct", "same letter twice"),
        (lambda d: d.update(source="wikipedia"), "source", "not a source tag"),
        (lambda d: d.update(concepts=["XX-01"]), "concepts", "not a curriculum id"),
        (lambda d: d.update(id="Has Spaces"), "id", "lower-case slug"),
        (lambda d: d.pop("evidence"), "evidence", "needs an evidence plan"),
        (lambda d: d.update(kind="concept"), "evidence", "only allowed with kind: simulated"),
        (lambda d: d["evidence"].update(recipe="crystal_ball"), "evidence.recipe", "not a known evidence recipe"),
        (lambda d: d["evidence"].update(metric="revenue"), "evidence.metric", "not produced by recipe"),
        (lambda d: d["evidence"].update(margin=-0.1), "evidence.margin", "must be a number >= 0"),
        (lambda d: d["evidence"].pop("margin"), "evidence.margin", "missing"),
        (lambda d: d["evidence"].update(margin_kind="percent"), "evidence.margin_kind", "not one of absolute, relative"),
        (lambda d: d["evidence"].update(last_days=0), "evidence.last_days", ">= 1"),
        (lambda d: d["evidence"]["options"].pop("B"), "evidence.options", "correct option B is not played"),
        (lambda d: d["evidence"]["options"].pop("A"), "evidence.options", "plays no wrong option"),
        (lambda d: d["evidence"]["options"].update(G={"played_as": "x"}), "evidence.options.G", "not one of the options"),
        (lambda d: d["evidence"]["options"]["A"].pop("played_as"), "evidence.options.A.played_as", "one sentence"),
        (lambda d: d["evidence"]["options"]["A"].update(config={"metric": "AUC"}), "evidence.options.A.config", "not one of"),
        (lambda d: d["evidence"]["options"]["A"].update(note="x"), "evidence.options.A.note", "unknown field"),
        (lambda d: d["evidence"]["options"]["A"].update(config={"metric": "NDCG@10"}), "evidence.options.B",
         "plays the same config as A"),
        (lambda d: d["evidence"]["options"]["B"].update(variants=[{"played_as": "again", "config": {"metric": "coverage"}}]),
         "evidence.options.B2", "plays the same config as A"),
    ],
)
def test_broken_files_name_the_field(valid_scenario, write_scenario, change, field, fragment):
    change(valid_scenario)
    error = _error(write_scenario(valid_scenario))
    assert error.field == field
    assert str(error).startswith(f"{error.file}: field '{field}': ")
    assert error.file.endswith("foo.yaml")
    assert fragment in str(error)


def test_concept_scenario_needs_a_note(valid_scenario, write_scenario):
    valid_scenario["kind"] = "concept"
    valid_scenario.pop("evidence")
    assert _error(write_scenario(valid_scenario)).field == "concept_note"
    valid_scenario["concept_note"] = "nothing to simulate"
    assert load_scenario(write_scenario(valid_scenario)).kind == "concept"


def test_invalid_yaml_reports_the_line(write_scenario):
    error = _error(write_scenario("id: x\noptions: [A, B\n"))
    assert error.field == "<yaml>"
    assert re.search(r"line \d+", str(error))


def test_file_that_is_not_a_mapping(write_scenario):
    assert _error(write_scenario("- just\n- a list\n")).field == "<top>"


def test_simulate_recipe_checks_policy_settings(valid_scenario, write_scenario):
    pytest.importorskip("workbench.sim.config")
    valid_scenario["evidence"] = {
        "recipe": "simulate",
        "metric": "revenue",
        "margin": 0,
        "options": {
            "A": {"played_as": "stale", "config": {"kind": "stale"}},
            "B": {"played_as": "typo", "config": {"kind": "event_tracker", "retrain_evry_days": 3}},
        },
    }
    error = _error(write_scenario(valid_scenario))
    assert error.field == "evidence.options.B.config"
    assert "retrain_evry_days" in str(error)
    valid_scenario["evidence"]["options"]["B"]["config"] = {"kind": "weekly"}
    assert "not a valid Policy" in str(_error(write_scenario(valid_scenario)))


def test_simulate_recipe_checks_shop_and_base(valid_scenario, write_scenario):
    pytest.importorskip("workbench.sim.config")
    valid_scenario["evidence"] = {
        "recipe": "simulate",
        "metric": "ctr",
        "margin": 0,
        "shop": {"n_user": 10},
        "options": {
            "A": {"played_as": "stale", "config": {"kind": "stale"}},
            "B": {"played_as": "tracker", "config": {"kind": "event_tracker"}},
        },
    }
    assert _error(write_scenario(valid_scenario)).field == "evidence.shop.n_user"
    valid_scenario["evidence"]["shop"] = {}
    valid_scenario["evidence"]["base"] = "data/scenarios/does_not_exist.yaml"
    assert _error(write_scenario(valid_scenario)).field == "evidence.base"


def test_duplicate_ids_in_a_folder(valid_scenario, write_scenario, tmp_path):
    write_scenario(valid_scenario, "01_a.yaml")
    write_scenario(valid_scenario, "02_b.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    assert info.value.field == "id"
    assert "02_b.yaml" in str(info.value) and "01_a.yaml" in str(info.value)


def test_folder_filters_and_ignores_other_files(valid_scenario, write_scenario, tmp_path):
    write_scenario(valid_scenario, "01_a.yaml")
    concept = dict(valid_scenario, id="other", topic="serving", kind="concept", concept_note="n/a")
    concept.pop("evidence")
    write_scenario(concept, "02_b.yml")
    (tmp_path / "README.md").write_text("# not a scenario\n")
    assert [s.id for s in load_scenarios(tmp_path)] == ["toy-question", "other"]
    assert [s.id for s in load_scenarios(tmp_path, topic="SERV")] == ["other"]
    assert [s.id for s in load_scenarios(tmp_path, kind="simulated")] == ["toy-question"]


@pytest.mark.parametrize(
    ("answer", "letters"),
    [("b", ("B",)), ("A,C", ("A", "C")), (" c a ", ("A", "C")), ("[A; D]", ("A", "D")), (["d", "B"], ("B", "D")), ("", ()), (None, ())],
)
def test_parse_answer_examples(answer, letters):
    assert parse_answer(answer) == letters


@given(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=5), st.sampled_from([",", " ", ", ", ";", ""]), st.booleans())
def test_parse_answer_ignores_order_case_and_separators(letters, separator, lower):
    text = separator.join(letters)
    if lower:
        text = text.lower()
    assert parse_answer(text) == tuple(sorted(set(letters)))


# --------------------------------------------------------------- seeds, versus, checks, not_played
@pytest.mark.parametrize(
    ("evidence", "field"),
    [
        ({"seeds": [1, 1]}, "evidence.seeds"),
        ({"seeds": ["x"]}, "evidence.seeds"),
        ({"seeds": [1]}, "evidence.seeds"),  # the toy plan's recipe (metric_choice) is deterministic
        ({"versus": ["B"]}, "evidence.versus"),  # the key itself
        ({"versus": ["E"]}, "evidence.versus"),  # not played
        ({"checks": [{"metric": "pairs_ordered_correctly", "margin": 1}]}, "evidence.checks[0].versus"),
        ({"checks": [{"metric": "nope", "versus": ["A"], "margin": 1}]}, "evidence.checks[0].metric"),
        ({"checks": [{"metric": "pairs_ordered_correctly", "versus": ["A"], "margin": 1, "typo": 1}]},
         "evidence.checks[0].typo"),
        ({"not_played": {"A": "played already"}}, "evidence.not_played.A"),
        ({"not_played": {"C": ""}}, "evidence.not_played.C"),
        ({"not_played": {"Z": "no such option"}}, "evidence.not_played.Z"),
    ],
)
def test_new_evidence_fields_are_checked(valid_scenario, write_scenario, evidence, field):
    valid_scenario["evidence"].update(evidence)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(valid_scenario))
    assert err.value.field == field


def test_versus_checks_and_not_played_parse(valid_scenario, write_scenario):
    valid_scenario["evidence"].update(versus="A", not_played={"C": "a new column alone changes nothing served"},
                                      checks=[{"metric": "pairs_ordered_correctly", "versus": ["A"], "margin": 0.5}])
    plan = load_scenario(write_scenario(valid_scenario)).evidence
    assert plan.versus == ("A",) and plan.not_played == {"C": "a new column alone changes nothing served"}
    assert plan.checks[0].versus == ("A",) and plan.checks[0].margin == 0.5


# ------------------------------------------------------------- issue 12, item 10
def _simulated_with_base(valid_scenario, base):
    valid_scenario["evidence"] = {
        "recipe": "simulate",
        "metric": "ctr",
        "margin": 0,
        "base": base,
        "options": {
            "A": {"played_as": "stale", "config": {"kind": "stale"}},
            "B": {"played_as": "tracker", "config": {"kind": "event_tracker"}},
        },
    }
    return valid_scenario


@pytest.mark.parametrize(("base", "fragment"), [
    ("/etc/passwd", "absolute path"),
    ("~/shop.yaml", "absolute path"),
    ("data/../../etc/passwd", "climbs out with '..'"),
    ("exam_scenarios/../workbench/constants.py", "climbs out with '..'"),
    ("README.md", "outside the project's data folders"),
    ("data/schemas/interactions.json", "not a .yaml shop config"),
])
def test_evidence_base_stays_inside_the_data_folders(valid_scenario, write_scenario, base, fragment):
    pytest.importorskip("workbench.sim.config")
    error = _error(write_scenario(_simulated_with_base(valid_scenario, base)))
    assert error.field == "evidence.base"
    assert error.file.endswith("foo.yaml") and fragment in str(error)


def test_evidence_base_through_a_symlink_out_of_the_project(tmp_path, monkeypatch):
    from workbench.exam import schema

    assert schema.base_path_problem("data/scenarios/footwear.yaml") is None  # the shipped configs still load
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "data" / "shop.yaml").write_text("shop: {}\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text("shop: {}\n")
    (root / "data" / "link.yaml").symlink_to(outside)
    monkeypatch.setattr(schema, "REPO_ROOT", root)
    assert schema.base_path_problem("data/shop.yaml") is None
    assert "outside the project's data folders" in schema.base_path_problem("data/link.yaml")


def test_duplicate_keys_name_file_field_and_lines(valid_scenario, write_scenario):
    text = yaml.safe_dump(valid_scenario, sort_keys=False) + "correct: C\n"
    error = _error(write_scenario(text))
    assert error.field == "correct" and error.file.endswith("foo.yaml")
    assert re.search(r"appears twice .*lines \d+ and \d+", str(error))
    nested = yaml.safe_dump(valid_scenario, sort_keys=False).replace("  margin: 1\n", "  margin: 1\n  margin: 2\n")
    assert _error(write_scenario(nested)).field == "evidence.margin"


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("concepts", "RT-06", "must be a list of curriculum ids"),
    ("concepts", {"RT-06": 1}, "must be a list of curriculum ids"),
    ("concepts", 0, "must be a list of curriculum ids"),
    ("concept_note", 0, "must be text"),
])
def test_wrong_types_are_errors(valid_scenario, write_scenario, field, value, fragment):
    valid_scenario[field] = value
    error = _error(write_scenario(valid_scenario))
    assert error.field == field and fragment in str(error)


def test_latin1_file_is_a_scenario_error(valid_scenario, tmp_path):
    valid_scenario["title"] = "Caf\u00e9 question"
    path = tmp_path / "latin.yaml"
    path.write_bytes(yaml.safe_dump(valid_scenario, sort_keys=False, allow_unicode=True).encode("latin-1"))
    error = _error(path)
    assert error.field == "<yaml>" and error.file.endswith("latin.yaml")
    assert re.search(r"not UTF-8 text: byte 0xe9 at line \d+", str(error)) and "iconv" in str(error)
