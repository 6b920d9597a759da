"""Quiz learners on the exam scenarios: in a terminal, in JupyterLab or in marimo.

* :class:`Quiz` holds a list of scenarios. ``quiz.questions`` lists them,
  ``quiz.grade(answers)`` marks a set of answers and ``quiz.widget()`` builds an
  ipywidgets form (radio buttons or check boxes, a *Check* button that reveals
  the explanations, and an optional *Play the options* button that runs the
  simulation behind the key). ipywidgets display natively in JupyterLab; marimo
  renders ipywidgets as well (it wires them to its own comm), so the same object
  is the last expression of a marimo cell.
* :func:`play` is the terminal loop behind ``workbench quiz``: it reads answers
  line by line from any text stream, so it can be driven non-interactively
  (``printf 'B\\nA\\n' | workbench quiz``). Input it cannot grade (an empty
  line, a letter that is not an option, two letters for a one-answer question)
  gets a hint and the question is asked again; Ctrl-D ends the quiz and scores
  the answered questions; Ctrl-C stops it cleanly with the score so far.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import re
import shutil
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any

import pandas as pd

from .loader import load_scenarios
from .schema import Scenario, parse_answer


@dataclasses.dataclass(frozen=True)
class Question:
    """What a learner sees of a scenario before answering."""

    id: str
    """Scenario id."""

    number: int
    """1-based position in the quiz."""

    title: str
    """Scenario title."""

    topic: str
    """Scenario topic."""

    text: str
    """The question stem."""

    options: Mapping[str, str]
    """Letter -> option text."""

    select: int
    """How many letters the answer must contain (1 unless "select two" style)."""

    def prompt(self) -> str:
        """The question as plain text, options one per line."""
        lines = [f"Q{self.number}. {self.title}  [{self.topic}]", "", self.text, ""]
        lines += [f"  {letter}) {text}" for letter, text in self.options.items()]
        if self.select > 1:
            lines.append(f"(select {self.select})")
        return "\n".join(lines)


@dataclasses.dataclass
class Grade:
    """The marking of one set of answers."""

    table: pd.DataFrame
    """One row per question: ``id, answer, correct, is_right`` (answer ``""`` = skipped)."""

    @property
    def score(self) -> int:
        """Number of questions answered exactly right."""
        return int(self.table["is_right"].sum())

    interrupted: bool = False
    """True when the learner stopped the terminal quiz with Ctrl-C."""

    @property
    def total(self) -> int:
        """Number of questions in the quiz."""
        return len(self.table)

    @property
    def answered(self) -> int:
        """Number of questions that got an answer (the denominator of the terminal score)."""
        return int((self.table["answer"] != "").sum())

    def __str__(self) -> str:
        return score_line(self)


_WIDGET_CLASS = "workbench-quiz"
# ipywidgets gives every radio option and checkbox one fixed-height line (long checkbox labels are
# cut with an ellipsis, long radio labels wrap over the next option); in the quiz, options wrap. A
# radio label holds its text before its input (which ipywidgets floats left), hence row-reverse.
_WIDGET_STYLE = f"""<style>
.{_WIDGET_CLASS} .widget-radio-box label, .{_WIDGET_CLASS} .jupyter-widget-radio-box label {{
  height: auto; line-height: 1.4; margin: 3px 0; white-space: normal;
  display: flex; flex-direction: row-reverse; justify-content: flex-end; align-items: flex-start; }}
.{_WIDGET_CLASS} .widget-radio-box input, .{_WIDGET_CLASS} .jupyter-widget-radio-box input {{
  height: auto; line-height: normal; float: none; flex-shrink: 0; margin-top: 3px; }}
.{_WIDGET_CLASS} .widget-checkbox, .{_WIDGET_CLASS} .jupyter-widget-checkbox {{ height: auto; }}
.{_WIDGET_CLASS} .widget-checkbox label, .{_WIDGET_CLASS} .jupyter-widget-checkbox label {{
  white-space: normal; overflow: visible; line-height: 1.4; margin: 3px 0; display: flex; align-items: flex-start; }}
</style>"""


class Quiz:
    """A set of exam scenarios a learner can answer, be graded on and study."""

    def __init__(
        self,
        scenarios: Sequence[Scenario] | None = None,
        topic: str | None = None,
        scenario_ids: Sequence[str] | None = None,
    ) -> None:
        """Build a quiz.

        Args:
            scenarios: the scenarios to ask (default: every file in ``exam_scenarios/``).
            topic: keep only scenarios whose topic contains this text (case-insensitive).
            scenario_ids: keep only these ids, in this order.

        Raises:
            KeyError: an id in ``scenario_ids`` does not exist.
        """
        pool = list(load_scenarios() if scenarios is None else scenarios)
        if topic is not None:
            pool = [s for s in pool if topic.lower() in s.topic.lower()]
        if scenario_ids is not None:
            by_id = {s.id: s for s in pool}
            missing = [i for i in scenario_ids if i not in by_id]
            if missing:
                raise KeyError(f"no scenario with id {', '.join(missing)}; known ids: {', '.join(by_id)}")
            pool = [by_id[i] for i in scenario_ids]
        self.scenarios: list[Scenario] = pool

    def __len__(self) -> int:
        return len(self.scenarios)

    def __repr__(self) -> str:
        return f"Quiz({len(self)} questions)"

    @property
    def questions(self) -> list[Question]:
        """The questions, in order."""
        return [
            Question(
                id=s.id,
                number=n,
                title=s.title,
                topic=s.topic,
                text=s.question,
                options=dict(s.options),
                select=len(s.correct),
            )
            for n, s in enumerate(self.scenarios, start=1)
        ]

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id."""
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise KeyError(f"no scenario {scenario_id!r} in this quiz")

    def grade(self, answers: Mapping[str, Any] | Sequence[Any]) -> Grade:
        """Mark answers given by scenario id (mapping) or in question order (sequence).

        An answer is a letter string (``"B"``, ``"a, c"``) or a list of letters;
        missing or empty answers count as wrong. Answers for unknown ids raise ``KeyError``.
        """
        if isinstance(answers, Mapping):
            known = {s.id for s in self.scenarios}
            unknown = [k for k in answers if k not in known]
            if unknown:
                raise KeyError(f"answers for unknown scenario(s): {', '.join(map(str, unknown))}")
            given = [answers.get(s.id) for s in self.scenarios]
        else:
            given = list(answers) + [None] * max(0, len(self.scenarios) - len(answers))
            if len(given) > len(self.scenarios):
                raise ValueError(f"{len(answers)} answers for {len(self.scenarios)} questions")
        rows = []
        for scenario, answer in zip(self.scenarios, given):
            letters = parse_answer(answer)
            rows.append(
                {
                    "id": scenario.id,
                    "answer": ",".join(letters),
                    "correct": ",".join(scenario.correct),
                    "is_right": scenario.is_right(letters),
                }
            )
        return Grade(pd.DataFrame(rows, columns=["id", "answer", "correct", "is_right"]))

    def feedback(self, scenario_id: str, answer: Any = None) -> str:
        """Verdict (when an answer is given) followed by the explanation of every option."""
        return feedback_text(self.scenario(scenario_id), answer)

    # ----------------------------------------------------------------- widget
    def widget(self, evidence: bool = True, runner: Callable[[Scenario], Any] | None = None):
        """An ipywidgets form for the whole quiz (JupyterLab and marimo).

        Args:
            evidence: add a *Play the options* button to simulated questions.
            runner: function ``scenario -> Evidence`` (default :func:`workbench.exam.run`).

        Returns:
            an ``ipywidgets.VBox``; its ``answers`` attribute maps scenario id to
            the letters currently selected, and ``grade()`` marks them.
        """
        import ipywidgets as w

        if runner is None:
            from .runner import run as runner
        score = w.HTML(value=_score_html(0, 0, len(self)))
        answered: dict[str, bool] = {}
        selections: dict[str, Callable[[], tuple[str, ...]]] = {}
        cards = []
        for question, scenario in zip(self.questions, self.scenarios):
            card, read_selection = self._card(w, question, scenario, evidence, runner, answered, score)
            selections[question.id] = read_selection
            cards.append(card)
        box = w.VBox([w.HTML(f"{_WIDGET_STYLE}<h3>Exam practice: {len(self)} questions</h3>"), *cards, score])
        box.add_class(_WIDGET_CLASS)
        box.answers = lambda: {qid: ",".join(read()) for qid, read in selections.items()}
        box.grade = lambda: self.grade(box.answers())
        return box

    def _card(self, w, question: Question, scenario: Scenario, evidence: bool, runner, answered, score):
        header = w.HTML(
            f"<b>Q{question.number}. {html.escape(question.title)}</b> <i>({html.escape(question.topic)})</i>"
            f"<p>{html.escape(question.text)}</p>"
        )
        labels = [f"{letter}) {text}" for letter, text in question.options.items()]
        layout = w.Layout(width="100%")
        if question.select == 1:
            choice = w.RadioButtons(options=labels, value=None, layout=layout)

            def read() -> tuple[str, ...]:
                return parse_answer(choice.value[0]) if choice.value else ()

            chooser = choice
        else:
            boxes = [w.Checkbox(description=label, value=False, indent=False, layout=layout) for label in labels]

            def read() -> tuple[str, ...]:
                return tuple(letter for letter, box in zip(question.options, boxes) if box.value)

            chooser = w.VBox(boxes)
        check = w.Button(description="Check", button_style="primary")
        result = w.HTML()

        def on_check(_button) -> None:
            letters = read()
            answered[scenario.id] = scenario.is_right(letters)
            result.value = feedback_html(scenario, letters)
            right = sum(answered.values())
            score.value = _score_html(right, len(answered), len(self))

        check.on_click(on_check)
        children = [header, chooser, check, result]
        if evidence and scenario.kind == "simulated":
            play_button = w.Button(description="Play the options", tooltip="run the simulation behind the key")
            shown = w.HTML()

            def on_play(_button) -> None:
                shown.value = "<i>running...</i>"
                try:
                    found = runner(scenario)
                except Exception as exc:  # shown to the learner instead of a traceback
                    shown.value = f"<pre>evidence unavailable: {html.escape(str(exc))}</pre>"
                    return
                shown.value = evidence_html(found)

            play_button.on_click(on_play)
            children += [play_button, shown]
        return w.VBox(children, layout=w.Layout(border="1px solid #ccc", padding="6px", margin="6px 0")), read


# ------------------------------------------------------------------ rendering
def feedback_text(scenario: Scenario, answer: Any = None) -> str:
    """Plain-text verdict and explanation of every option."""
    lines = []
    if answer is not None:
        letters = parse_answer(answer)
        verdict = "Correct!" if scenario.is_right(letters) else "Not quite."
        lines.append(f"{verdict} You answered {','.join(letters) or '(nothing)'}; the key is {','.join(scenario.correct)}.")
    for letter, text in scenario.explanations.items():
        mark = "right" if letter in scenario.correct else "wrong"
        lines.append(f"  {letter} ({mark}): {text}")
    lines.append(f"  Sources: {', '.join(scenario.source)}")
    if scenario.kind == "concept":
        lines.append(f"  (concept-only: {scenario.concept_note})")
    return "\n".join(lines)


def feedback_html(scenario: Scenario, letters: Sequence[str]) -> str:
    """HTML version of :func:`feedback_text` for the widget."""
    ok = scenario.is_right(letters)
    colour = "#1a7f37" if ok else "#b42318"
    verdict = "Correct!" if ok else f"Not quite - the key is {', '.join(scenario.correct)}."
    items = "".join(
        f"<li><b>{letter}</b> ({'right' if letter in scenario.correct else 'wrong'}): {html.escape(text)}</li>"
        for letter, text in scenario.explanations.items()
    )
    note = f"<p><i>Concept-only: {html.escape(scenario.concept_note)}</i></p>" if scenario.kind == "concept" else ""
    return (
        f"<p style='color:{colour}'><b>{verdict}</b></p><ul>{items}</ul>"
        f"<p><small>Sources: {html.escape(', '.join(scenario.source))}</small></p>{note}"
    )


def evidence_html(evidence: Any) -> str:
    """Evidence summary and chart (PNG inlined) as HTML."""
    parts = [f"<pre>{html.escape(evidence.summary())}</pre>"]
    if getattr(evidence, "figure", None) is not None:
        buffer = io.BytesIO()
        evidence.figure.savefig(buffer, format="png", dpi=80)
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        parts.append(f"<img src='data:image/png;base64,{encoded}'/>")
    return "".join(parts)


def _score_html(right: int, answered: int, total: int) -> str:
    return f"<b>Score: {right}/{answered} answered correctly ({total} questions)</b>"


# ------------------------------------------------------------- terminal quiz
ANSWER_SEPARATORS = " \t,;/.()"
"""Characters allowed between the letters of a typed answer (``"A, C"``, ``"a/c"``, ``"B)"``)."""

MAX_WIDTH = 100
"""Lines never get longer than this, even in a very wide terminal (long lines are hard to read)."""


def answer_problem(question: Question, text: str) -> str | None:
    """Why a typed answer cannot be graded yet, or ``None`` when it can.

    An answer is rejected (and the learner asked again, without seeing the key)
    when it is empty, contains something other than letters and separators, names
    a letter that is not an option, or has the wrong number of letters for the
    question (one letter for a one-answer question, ``question.select`` otherwise).
    """
    letters = _letter_range(question.options)
    stripped = text.strip()
    if not stripped:
        return f"No answer typed. Type {_how_many(question)} from {letters} and press Enter."
    stray = sorted({ch for ch in stripped if ch not in ANSWER_SEPARATORS and not ("A" <= ch.upper() <= "Z")})
    if stray:
        return f"{' '.join(repr(ch) for ch in stray)} is not an option letter. Type {_how_many(question)} from {letters}."
    given = parse_answer(stripped)
    unknown = [letter for letter in given if letter not in question.options]
    if unknown:
        named = ", ".join(unknown)
        verb = "is not an option" if len(unknown) == 1 else "are not options"
        return f"{named} {verb} here; the options are {letters}."
    if question.select == 1 and len(given) > 1:
        return (
            f"This question has one right answer, and you typed {len(given)} letters ({','.join(given)}). "
            "Type a single letter."
        )
    if len(given) != question.select:
        return (
            f"This question asks for {question.select} letters, and you typed {len(given)}. "
            f"Type {question.select} letters together, for example {','.join(list(question.options)[: question.select])}."
        )
    return None


def score_line(grade: Grade) -> str:
    """``Score: 3/4 answered correctly`` plus how many questions were left unanswered."""
    if grade.answered == 0:
        return f"Score: no question answered ({grade.total} in the quiz)."
    line = f"Score: {grade.score}/{grade.answered} answered correctly"
    skipped = grade.total - grade.answered
    if skipped:
        line += f" ({skipped} of {grade.total} questions not answered, not counted)"
    return line + "."


def terminal_width(width: int | None = None) -> int:
    """The width text is wrapped to: ``width`` if given, else the terminal's (80 when there is none), at most 100."""
    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
    return max(30, min(width, MAX_WIDTH))


def wrap(text: str, width: int) -> str:
    """Wrap every line of ``text`` at word boundaries to ``width`` columns.

    A line keeps its leading spaces; the lines it continues on are indented under
    its text (past an ``A)`` or ``A (right):`` label), so options and explanations
    stay readable. Words longer than ``width`` (an ARN, a URL) are kept whole.
    """
    out = []
    for line in text.splitlines() or [""]:
        if not line.strip():
            out.append("")
            continue
        lead, label = _LABEL.match(line).groups()
        if label:
            hang = " " * (len(lead) + len(label))
        else:
            hang = lead + "    " if lead else ""
        out.extend(
            textwrap.wrap(
                line,
                width=width,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


_LABEL = re.compile(r"^(\s*)([A-Z]\) |[A-Z] \((?:right|wrong)\): )?")


def play(
    quiz: Quiz,
    stdin: IO[str],
    stdout: IO[str],
    evidence: bool = True,
    runner: Callable[[Scenario], Any] | None = None,
    width: int | None = None,
) -> Grade:
    """Ask every question on ``stdout``, read the answers line by line from ``stdin``, grade and explain.

    * An empty line, a letter that is not an option or the wrong number of
      letters is not graded: the learner gets a hint and is asked again (the
      key stays hidden until an answer is accepted).
    * End of input (Ctrl-D in a terminal, or the end of a piped file) ends the
      quiz; the score counts the answered questions only.
    * Ctrl-C stops the quiz at once, without a traceback, and prints the score so
      far; the returned grade has ``interrupted=True``.

    Text is wrapped at word boundaries to the terminal width (``width`` overrides
    it). With ``evidence=True`` the options of simulated questions are played after
    the explanation and the evidence summary is printed (this runs the simulator).
    """
    if runner is None:
        from .runner import run as runner
    width = terminal_width(width)

    def say(text: str = "", end: str = "\n") -> None:
        # a prompt (end="") is printed as is: wrapping would drop its trailing space
        print(wrap(text, width) if end else text, end=end, file=stdout, flush=True)

    answers: dict[str, str] = {}
    interrupted = False
    say(
        f"Exam practice: {len(quiz)} question{'' if len(quiz) == 1 else 's'}. Type the letter of your answer and press Enter "
        "(two letters like A,C where a question asks for two). Ctrl-D ends the quiz and scores "
        "the questions answered so far; Ctrl-C stops at once."
    )
    say("=" * min(width, 72))
    try:
        for question, scenario in zip(quiz.questions, quiz.scenarios):
            say(question.prompt())
            letters = _ask(question, stdin, say)
            if letters is None:
                say()
                say("(end of input: stopping here)")
                break
            answers[scenario.id] = ",".join(letters)
            say()
            say(feedback_text(scenario, letters))
            if evidence and scenario.kind == "simulated":
                say("  Playing the options ...")
                try:
                    say(_indent(runner(scenario).summary()))
                except Exception as exc:  # report, keep quizzing
                    say(f"  evidence unavailable: {exc}")
            say("-" * min(width, 72))
    except KeyboardInterrupt:
        interrupted = True
        say()
        say("(interrupted: stopping here)")
    grade = quiz.grade(answers)
    grade.interrupted = interrupted
    say(score_line(grade))
    return grade


def _ask(question: Question, stdin: IO[str], say: Callable[..., None]) -> tuple[str, ...] | None:
    """Read lines until one is a gradable answer (its letters) or the input ends (``None``)."""
    prompt = f"Your answer ({_how_many(question)} from {_letter_range(question.options)}): "
    echo = not _is_terminal(stdin)  # a terminal echoes what is typed; piped input is shown here
    while True:
        say(prompt, end="")
        line = stdin.readline()
        if line == "":
            return None
        if echo:
            say(line.rstrip("\n"), end="\n")
        problem = answer_problem(question, line)
        if problem is None:
            return parse_answer(line)
        say(problem)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _how_many(question: Question) -> str:
    return "one letter" if question.select == 1 else f"{question.select} letters"


def _letter_range(options: Mapping[str, str]) -> str:
    letters = list(options)
    contiguous = [ord(b) - ord(a) for a, b in zip(letters, letters[1:])] == [1] * (len(letters) - 1)
    if len(letters) > 2 and contiguous:
        return f"{letters[0]}-{letters[-1]}"
    return ", ".join(letters)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
