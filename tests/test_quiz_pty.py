"""The terminal quiz in a real pseudo-terminal: what a learner typing at ``workbench quiz`` sees.

The tests start ``python -m workbench.cli quiz`` under a pty 60 columns wide and type
into it like a person does: a letter that is not an option, an empty line, two letters
for a one-answer question, Ctrl-D and Ctrl-C. The terminal's own line discipline turns
Ctrl-D into end of input and Ctrl-C into SIGINT, which a pipe cannot reproduce.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect (installed with jupyter) drives the pseudo-terminal")

from workbench.cli import INTERRUPTED  # noqa: E402
from workbench.exam import Quiz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 60
IDS = ["required-dataset", "min-provisioned-tps"]
PROMPT = "Your answer (one letter from A-D): "


def _spawn():
    child = pexpect.spawn(
        sys.executable,
        ["-m", "workbench.cli", "quiz", *(a for i in IDS for a in ("--scenario", i)), "--no-evidence"],
        cwd=str(ROOT),
        dimensions=(40, COLUMNS),
        encoding="utf-8",
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TERM": "dumb", "PYTHONUNBUFFERED": "1"},
    )
    child.logfile_read = io.StringIO()  # everything the terminal showed
    child.expect_exact(PROMPT)
    return child


def _finish(child) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def _flat(text: str) -> str:
    """The words shown, with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def keys() -> dict[str, str]:
    return {s.id: s.correct[0] for s in Quiz(scenario_ids=IDS).scenarios}


def test_invalid_input_is_asked_again_and_ctrl_d_scores_answered_only(keys):
    assert keys == {"required-dataset": "C", "min-provisioned-tps": "A"}  # the typing below relies on these keys
    child = _spawn()
    child.sendline("F")
    child.expect_exact("F is not an option here; the options are A-D.")
    child.expect_exact(PROMPT)
    child.sendline("")
    child.expect_exact("No answer typed.")
    child.expect_exact(PROMPT)
    child.sendline("AB")
    child.expect_exact("This question has one right answer")
    child.expect_exact(PROMPT)
    hints = child.logfile_read.getvalue()
    assert "the key is" not in hints and "(right)" not in hints  # nothing graded yet
    child.sendline("c")
    child.expect_exact("Correct! You answered C; the key is C.")
    child.expect_exact(PROMPT)  # question 2
    child.sendcontrol("d")
    _finish(child)
    shown = child.logfile_read.getvalue()
    assert "(end of input: stopping here)" in shown
    assert "Score: 1/1 answered correctly (1 of 2 questions not answered, not counted)." in _flat(shown)
    assert child.exitstatus == 0 and "Traceback" not in shown
    assert all(len(line) <= COLUMNS for line in _lines(shown)), "a line is wider than the terminal"
    # wrapped at word boundaries: the question stem and an explanation read back word for word
    scenario = Quiz(scenario_ids=IDS).scenarios[0]
    assert _flat(scenario.question) in _flat(shown)
    assert _flat(scenario.explanations["C"]) in _flat(shown)


def test_ctrl_c_stops_without_a_traceback_and_prints_the_score_so_far(keys):
    child = _spawn()
    child.sendline("B")  # wrong answer to question 1
    child.expect_exact("Not quite. You answered B; the key is C.")
    child.expect_exact(PROMPT)
    child.sendintr()
    tail = _finish(child)
    assert "(interrupted: stopping here)" in tail
    assert "Score: 0/1 answered correctly (1 of 2 questions not answered, not counted)." in _flat(tail)
    assert "Traceback" not in tail and "KeyboardInterrupt" not in tail
    assert child.exitstatus == INTERRUPTED


def test_ctrl_c_at_the_first_prompt(keys):
    child = _spawn()
    child.sendintr()
    tail = _finish(child)
    assert "Score: no question answered (2 in the quiz)." in tail and "Traceback" not in tail
    assert child.exitstatus == INTERRUPTED
