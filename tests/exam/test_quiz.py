"""The quiz: grading, the terminal loop driven through stdin, the CLI and the widget."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.cli import INTERRUPTED, main
from workbench.exam import Quiz, load_scenario, play
from workbench.exam.quiz import answer_problem, terminal_width, wrap

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
    grade = play(toy_quiz, io.StringIO("B\nA,D\n"), out, evidence=False)
    text = out.getvalue()
    assert grade.score == 1
    assert "Correct! You answered B" in text
    assert "Not quite. You answered A,D; the key is A,C." in text
    assert "B (right): why B" in text and "E (wrong): why E" in text
    assert "Score: 1/2 answered correctly." in text


def test_play_with_evidence_prints_the_summary(toy_quiz):
    out = io.StringIO()
    play(toy_quiz, io.StringIO("C\nA,C\n"), out, evidence=True)
    text = out.getvalue()
    assert "Evidence (metric_choice)" in text and "confirms the key (B)" in text
    assert "Score: 1/2 answered correctly." in text


def test_play_stops_when_stdin_runs_out_and_scores_answered_questions_only(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO("B\n"), out, evidence=False)
    text = out.getvalue()
    assert "end of input" in text
    assert (grade.score, grade.answered, grade.total, grade.interrupted) == (1, 1, 2, False)
    assert "Score: 1/1 answered correctly (1 of 2 questions not answered, not counted)." in text
    assert "pick-two" not in text and "the key is A,C" not in text  # the unanswered question's key stays hidden


def test_end_of_input_before_any_answer(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO(""), out, evidence=False)
    assert grade.answered == 0
    assert "Score: no question answered (2 in the quiz)." in out.getvalue()


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("F", "F is not an option here; the options are A-E."),
        ("", "No answer typed. Type one letter from A-E"),
        ("   ", "No answer typed."),
        ("2", "'2' is not an option letter."),
        ("A,B", "This question has one right answer, and you typed 2 letters (A,B). Type a single letter."),
        ("ab", "you typed 2 letters (A,B)"),
        ("none", "N, O are not options here"),
    ],
)
def test_ungradable_input_is_asked_again_without_revealing_the_key(toy_quiz, typed, hint):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO(f"{typed}\nB\n"), out, evidence=False, width=200)
    text = out.getvalue()
    assert hint in text
    before_answer = text[: text.index("Correct! You answered B")]
    assert "the key is" not in before_answer and "(right)" not in before_answer and "why B" not in before_answer
    assert before_answer.count("Your answer (one letter from A-E): ") == 2  # asked, hinted, asked again
    assert (grade.score, grade.answered) == (1, 1)  # the invalid line was not graded


def test_a_two_answer_question_wants_two_letters(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO("B\nA\nA, C, D\nc;a\n"), out, evidence=False, width=200)
    text = out.getvalue()
    assert text.count("This question asks for 2 letters, and you typed 1.") == 1
    assert text.count("This question asks for 2 letters, and you typed 3.") == 1
    assert "Correct! You answered A,C" in text
    assert list(grade.table["answer"]) == ["B", "A,C"] and grade.score == 2


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("b", None), (" B) ", None), ("b.", None), ("B\n", None), ("B2", "'2'"), ("Z", "Z is not an option")],
)
def test_answer_problem_on_hand_examples(toy_quiz, typed, problem):
    found = answer_problem(toy_quiz.questions[0], typed)
    assert found is None if problem is None else problem in found


class _CtrlC(io.StringIO):
    """A stream that delivers its lines, then raises KeyboardInterrupt as a terminal does on Ctrl-C."""

    def readline(self, *args):
        line = super().readline(*args)
        if line == "":
            raise KeyboardInterrupt
        return line


def test_ctrl_c_stops_cleanly_with_the_score_so_far(toy_quiz):
    out = io.StringIO()
    grade = play(toy_quiz, _CtrlC("B\n"), out, evidence=False)
    text = out.getvalue()
    assert grade.interrupted and (grade.score, grade.answered) == (1, 1)
    assert "(interrupted: stopping here)" in text
    assert text.rstrip().endswith("Score: 1/1 answered correctly (1 of 2 questions not answered, not counted).")


def test_ctrl_c_while_the_options_play_keeps_the_answer(toy_quiz):
    def interrupted_runner(scenario):
        raise KeyboardInterrupt

    out = io.StringIO()
    grade = play(toy_quiz, io.StringIO("C\nA,C\n"), out, evidence=True, runner=interrupted_runner)
    assert grade.interrupted and (grade.score, grade.answered) == (0, 1)
    assert "Not quite. You answered C" in out.getvalue()


def test_cli_exit_status_after_ctrl_c(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _CtrlC(""))
    assert main(["quiz", "--scenario", "required-dataset", "--no-evidence"]) == INTERRUPTED
    out = capsys.readouterr().out
    assert "Score: no question answered (1 in the quiz)." in out


def test_wrap_keeps_options_and_explanations_under_their_label():
    text = "  A) one two three four five six\n  B (wrong): alpha beta gamma delta\nplain words here and there"
    assert wrap(text, 20).splitlines() == [
        "  A) one two three",
        "     four five six",
        "  B (wrong): alpha",
        "             beta",
        "             gamma",
        "             delta",
        "plain words here and",
        "there",
    ]
    assert wrap("see arn:aws:personalize:us-east-1:123:campaign/x now", 30).splitlines()[1].startswith("arn:")


words = st.text(alphabet="abcdefghij-", min_size=1, max_size=12)


@given(st.lists(words, min_size=1, max_size=40), st.integers(min_value=30, max_value=100), st.sampled_from(["", "  ", "  C) "]))
def test_wrap_breaks_only_between_words(chosen, width, lead):
    line = lead + " ".join(chosen)
    wrapped = wrap(line, width).splitlines()
    assert all(len(row) <= width for row in wrapped)  # every word is shorter than any width here
    assert " ".join(" ".join(wrapped).split()) == " ".join(line.split())  # same words, same order, none split


def test_terminal_width_follows_the_terminal_within_bounds(monkeypatch):
    monkeypatch.setenv("COLUMNS", "61")
    assert terminal_width() == 60
    monkeypatch.setenv("COLUMNS", "400")
    assert terminal_width() == 100
    assert terminal_width(10) == 30 and terminal_width(70) == 70


def test_grade_counts_answered_questions(toy_quiz):
    grade = toy_quiz.grade({"toy-question": "B"})
    assert (grade.score, grade.answered, grade.total) == (1, 1, 2)
    assert str(grade) == "Score: 1/1 answered correctly (1 of 2 questions not answered, not counted)."


def test_cli_quiz_on_the_shipped_scenarios(monkeypatch, capsys):
    scenario = load_scenario(ROOT / "exam_scenarios" / "18_min_provisioned_tps.yaml")
    wrong = next(letter for letter in scenario.options if letter not in scenario.correct)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{scenario.correct[0]}\n{wrong}\n"))
    code = main(["quiz", "--scenario", scenario.id, "--scenario", "required-dataset", "--no-evidence"])
    text = capsys.readouterr().out
    assert code == 0
    assert f"Correct! You answered {scenario.correct[0]}" in text
    assert f"Not quite. You answered {wrong}; the key is C." in text
    assert "Score: 1/2 answered correctly." in text
    assert "Exam practice: 2 questions." in text


def test_cli_quiz_of_one_question_says_question(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("B\n"))
    assert main(["quiz", "--scenario", "automatic-training-pinned-campaign", "--no-evidence"]) == 0
    text = capsys.readouterr().out
    assert "Exam practice: 1 question." in text
    assert "Correct! You answered B" in text


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
    # long options wrap instead of running into the next one (ipywidgets' fixed line height)
    assert "workbench-quiz" in box._dom_classes and ".workbench-quiz .jupyter-widget-radio-box label" in \
        box.children[0].value
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
    assert len(keys) >= 2 and all(len(k) == 1 for k in keys[:2])  # two one-letter answers were typed
    expected = sum(k == ("A",) for k in keys[:2])
    assert f"Score: {expected}/2 answered correctly" in result.stdout
