"""The quiz: grading, the terminal loop driven through stdin, the CLI and the widget."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.exam import Quiz, load_scenario, play

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def toy_quiz(valid_scenario, write_scenario, tmp_path) -> Quiz:
    second = dict(valid_scenario, id="pick-two", title="Pick two", correct=["A", "C"], kind="concept", concept_note="n/a")
    second.pop("evidence")
    write_scenario(valid_scenario, "01_toy.yaml")
    write_scenario(second, "02_two.yaml")
    from workbench.exam import load_scenarios

    return Quiz(load_scenarios(tmp_path))


def test_questions_expose_what_a_learner_sees(toy_quiz):
    first, second = toy_quiz.questions
    assert (first.number, first.id, first.select) == (1, "toy-question", 1)
    assert second.select == 2
    assert "A) first" in first.prompt() and "(select 2)" in second.prompt()


def test_grade_by_id_and_in_order(toy_quiz):
    right = toy_quiz.grade({"toy-question": "b", "pick-two": "C, A"})
    assert (right.score, right.total) == (2, 2)
    wrong = toy_quiz.grade(["A", "A"])  # second answer only half right -> wrong
    assert wrong.score == 0
    assert list(wrong.table["correct"]) == ["B", "A,C"]
    partial = toy_quiz.grade(["B"])  # unanswered question counts as wrong
    assert list(partial.table["is_right"]) == [True, False]
    with pytest.raises(KeyError):
        toy_quiz.grade({"nope": "A"})


def test_play_reads_stdin_grades_and_explains(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO("B\nA\n"), out, evidence=False)
    text = out.getvalue()
    assert grade.score == 1
    assert "Correct! You answered B" in text
    assert "Not quite. You answered A; the key is A,C." in text
    assert "B (right): why B" in text and "E (wrong): why E" in text
    assert "Score: 1/2" in text


def test_play_with_evidence_prints_the_summary(toy_quiz):
    out = io.StringIO()
    play(toy_quiz, io.StringIO("C\nA,C\n"), out, evidence=True)
    text = out.getvalue()
    assert "Evidence (metric_choice)" in text and "confirms the key (B)" in text
    assert "Score: 1/2" in text


def test_play_stops_when_stdin_runs_out(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO("B\n"), out, evidence=False)
    assert "no more answers" in out.getvalue()
    assert list(grade.table["is_right"]) == [True, False]


def test_cli_quiz_on_the_shipped_scenarios(monkeypatch, capsys):
    scenario = load_scenario(ROOT / "exam_scenarios" / "18_min_provisioned_tps.yaml")
    wrong = next(letter for letter in scenario.options if letter not in scenario.correct)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{scenario.correct[0]}\n{wrong}\n"))
    code = main(["quiz", "--scenario", scenario.id, "--scenario", "required-dataset", "--no-evidence"])
    text = capsys.readouterr().out
    assert code == 0
    assert f"Correct! You answered {scenario.correct[0]}" in text
    assert f"Not quite. You answered {wrong}; the key is C." in text
    assert "Score: 1/2" in text


def test_cli_topic_filter_and_errors(monkeypatch, capsys):
    assert main(["quiz", "--list", "--topic", "serving"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed and all("serving" in line for line in listed)
    assert main(["quiz", "--topic", "no-such-topic"]) == 2
    assert main(["quiz", "--scenario", "no-such-id"]) == 2
    assert "no-such-id" in capsys.readouterr().err


def test_console_script_driven_by_stdin():
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "quiz", "--scenario", "required-dataset", "--no-evidence"],
        input="c\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Correct! You answered C" in result.stdout and "Score: 1/1" in result.stdout


def test_widget_grades_clicks(toy_quiz):
    pytest.importorskip("ipywidgets")
    box = toy_quiz.widget(evidence=True)
    first_card, second_card = box.children[1], box.children[2]
    radio, check, result = first_card.children[1], first_card.children[2], first_card.children[3]
    radio.value = radio.options[1]  # "B) second"
    check.click()
    assert "Correct!" in result.value
    boxes = second_card.children[1].children
    boxes[0].value = True  # A only: wrong
    second_card.children[2].click()
    assert "key is A, C" in second_card.children[3].value
    assert box.answers() == {"toy-question": "B", "pick-two": "A"}
    assert box.grade().score == 1
    assert "Score: 1/2" in box.children[-1].value
    play_button, shown = first_card.children[4], first_card.children[5]
    play_button.click()
    assert "confirms the key (B)" in shown.value and "data:image/png;base64," in shown.value


def test_installed_workbench_command_runs_the_quiz():
    command = Path(sys.executable).parent / "workbench"
    if not command.exists():
        pytest.skip("the console script is not installed in this environment (pip install -e .)")
    result = subprocess.run(
        [str(command), "quiz", "--topic", "serving", "--no-evidence"],
        input="A\nA\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    keys = [s.correct for s in Quiz(topic="serving").scenarios]
    expected = sum(k == ("A",) for k in keys)
    assert f"Score: {expected}/{len(keys)}" in result.stdout
