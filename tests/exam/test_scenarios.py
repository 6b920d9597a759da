"""The shipped scenario files: they validate, and every simulated key wins when played.

The evidence test runs every simulation for real (nothing is stored in the files).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.exam import EvidenceUnavailable, load_scenario, load_scenarios, run
from workbench.exam.runner import compared_with_key

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "exam_scenarios"
FILES = sorted(p for p in FOLDER.glob("*.yaml"))
FACT_SHEET = ROOT.parent / "shared" / "reference" / "personalize_facts.md"
SEEDS = ROOT.parent / "shared" / "seeds"


def test_at_least_fifteen_scenarios_first_is_footwear():
    scenarios = load_scenarios()
    assert len(scenarios) >= 15
    assert scenarios[0].id == "footwear-sales-decline"
    assert scenarios[0].letters == ("A", "B", "C", "D", "E") and scenarios[0].correct == ("B",)
    assert len({s.id for s in scenarios}) == len(scenarios)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_file_validates(path):
    scenario = load_scenario(path)
    assert set(scenario.explanations) == set(scenario.options)
    if scenario.kind == "simulated":
        played = {label[0] for label in scenario.evidence.options}
        assert set(scenario.correct) <= played and played - set(scenario.correct)
        # every option is played or says why not (chapter 14: "the summary says why for each")
        unexplained = set(scenario.options) - played - set(scenario.evidence.not_played)
        assert not unexplained, f"{path.name}: options {sorted(unexplained)} are neither played nor under not_played"
    else:
        assert scenario.concept_note


def test_curriculum_ids_exist():
    from workbench.curriculum import CONCEPTS

    for scenario in load_scenarios():
        unknown = [c for c in scenario.concepts if c not in CONCEPTS]
        assert not unknown, f"{scenario.file}: unknown concept ids {unknown}"


@pytest.mark.skipif(not FACT_SHEET.is_file(), reason="fact sheet not available outside the project checkout")
def test_every_source_tag_is_cited_in_the_fact_sheet():
    text = FACT_SHEET.read_text(encoding="utf-8")
    for scenario in load_scenarios():
        for tag in scenario.source:
            if tag.startswith("DG:"):
                page = tag[3:]
                assert re.search(rf"DG:{re.escape(page)}\b", text), f"{scenario.file}: {tag} is not in the fact sheet"
            elif tag.startswith("seed:"):
                assert (SEEDS / tag[5:]).is_file(), f"{scenario.file}: seed {tag} not found"


def test_topics_cover_the_issue_list():
    topics = {s.topic for s in load_scenarios()}
    assert {"real-time events", "cold start", "data", "evaluation", "serving", "filters"} <= topics


SIMULATED = [s for s in load_scenarios() if s.kind == "simulated"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SIMULATED, ids=[s.id for s in SIMULATED])
def test_correct_option_wins_by_the_stated_margin(scenario):
    try:
        evidence = run(scenario, chart=False)
    except EvidenceUnavailable as exc:  # an API another helper has not delivered: visible, never faked
        pytest.fail(f"evidence pending: {exc}")
    table = evidence.table.set_index("option")
    plan = scenario.evidence
    assert set(table.index) == set(plan.options)
    # the options the key is judged against on the metric (plan.versus); the others are judged by the checks
    compared = table[[compared_with_key(o, table.loc[o, "is_correct"], plan.versus) for o in table.index]]
    assert len(compared) > len(scenario.correct)
    for letter in scenario.correct:
        row = table.loc[letter]
        assert row["rank"] == compared["rank"].min(), evidence.summary()
        assert row["margin_achieved"] >= plan.margin, evidence.summary()
        assert row["margin_achieved"] > 0, evidence.summary()
    assert evidence.passed, evidence.summary()
