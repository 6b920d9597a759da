"""What an exam scenario file must contain, and the checks that enforce it.

A scenario is one exam-style multiple-choice question about Amazon Personalize
(or recommender systems in general) stored as one YAML file in
``exam_scenarios/``. Besides the question, every option carries an explanation,
and -- for ``kind: simulated`` scenarios -- an *evidence plan*: how each option
is played (a simulator policy, or the parameters of another evidence recipe),
which metric decides, and by how much the correct option must win.

:func:`parse_scenario` turns the raw mapping read from YAML into a frozen
:class:`Scenario`. Every problem raises :class:`ScenarioError` whose message
names the file and the field, e.g.
``exam_scenarios/foo.yaml: field 'correct': 'F' is not one of the options A-E``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from ..errors import WorkbenchError

KINDS = ("simulated", "concept")
"""Allowed values of the ``kind`` field."""

REPO_ROOT = Path(__file__).resolve().parents[2]
"""Repository root: ``evidence.base`` paths are relative to it."""

BASE_FOLDERS = ("data", "exam_scenarios")
"""The project's folders an ``evidence.base`` shop config may come from (relative to the repository root)."""

AGGREGATES = ("mean", "median", "sum", "last")
"""How a daily metric is reduced to one number per option (``evidence.aggregate``)."""

MARGIN_KINDS = ("absolute", "relative")
"""``absolute``: correct - other >= margin. ``relative``: (correct - other) / |other| >= margin."""

TOP_LEVEL_FIELDS = (
    "id",
    "title",
    "topic",
    "concepts",
    "source",
    "kind",
    "question",
    "options",
    "correct",
    "explanations",
    "concept_note",
    "evidence",
)
"""Every field a scenario file may have (anything else is reported as a typo)."""

REQUIRED_FIELDS = ("id", "title", "topic", "source", "kind", "question", "options", "correct", "explanations")
"""Fields every scenario file must have."""

EVIDENCE_FIELDS = (
    "recipe",
    "base",
    "shop",
    "options",
    "metric",
    "aggregate",
    "last_days",
    "higher_is_better",
    "margin",
    "margin_kind",
    "reading",
    "seeds",
    "versus",
    "checks",
    "not_played",
)
"""Fields allowed inside ``evidence``."""

CHECK_FIELDS = ("metric", "versus", "margin", "margin_kind", "higher_is_better", "aggregate", "last_days", "reading")
"""Fields allowed inside one entry of ``evidence.checks``."""

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LETTER_PATTERN = re.compile(r"^[A-Z]$")
_CONCEPT_PATTERN = re.compile(r"^(RT|PZ|GN|DH)-\d{2}$")
_SOURCE_PATTERN = re.compile(r"^(seed:[0-9A-Za-z_.-]+\.txt|DG:[a-z0-9A-Z_.-]+|facts:§[0-9.]+[A-Z-]*)$")


class ScenarioError(WorkbenchError, ValueError):
    """A scenario file is malformed.

    The message always starts with ``<file>: field '<field>': `` so a learner or
    an author can jump straight to the line to fix.
    """

    def __init__(self, file: str | os.PathLike[str] | None, field: str, problem: str) -> None:
        self.file = display_path(file)
        self.field = field
        self.problem = problem.rstrip(".")
        super().__init__(f"{self.file}: field '{field}': {self.problem}")


def display_path(file: str | os.PathLike[str] | None) -> str:
    """A short, readable path: relative to the working directory when it lies below it."""
    if file is None:
        return "<scenario>"
    path = Path(file)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclasses.dataclass(frozen=True)
class OptionPlay:
    """How one answer option is played to produce evidence."""

    played_as: str
    """One sentence for learners: what was run to stand in for this option."""

    config: Mapping[str, Any]
    """Recipe parameters; for the ``simulate`` recipe, a ``workbench.sim.Policy`` dict."""


@dataclasses.dataclass(frozen=True)
class EvidencePlan:
    """The recipe that plays the options and the rule that judges them."""

    recipe: str
    """Name of an evidence recipe in :data:`workbench.exam.recipes.RECIPES` (``simulate``, ...)."""

    options: Mapping[str, OptionPlay]
    """Played label -> how it is played: an option letter, or a variant of one (``C2``, ``C3`` ... are
    further ways to play option C, judged as C). Options that cannot be played are absent
    (see :attr:`not_played`)."""

    metric: str
    """The number that decides, e.g. a column of ``ScenarioResult.daily`` such as ``revenue``."""

    margin: float
    """How far the correct option must be ahead of every other played option."""

    margin_kind: Literal["absolute", "relative"] = "absolute"
    """Whether ``margin`` is a difference in metric units or a fraction of the other option's value."""

    higher_is_better: bool = True
    """False for metrics where smaller wins (e.g. a share of bad recommendations)."""

    aggregate: Literal["mean", "median", "sum", "last"] = "mean"
    """How the recipe reduces a daily series to one value (``simulate`` only)."""

    last_days: int | None = None
    """Only the last N simulated days count (``None`` = all days; ``simulate`` only)."""

    base: str | None = None
    """Path (relative to the repository root) of a base shop config YAML (``simulate`` only)."""

    shop: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Overrides applied to the base shop config (``simulate`` only)."""

    reading: str = ""
    """How to read the evidence table: what the metric shows about the options."""

    seeds: tuple[int, ...] = ()
    """Shop seeds to play every option on (``simulate`` only; empty = the shop's own seed).
    Runs are paired: on one seed every option meets the same customers, visits and moods,
    and the key must meet the margin on *every* seed."""

    versus: tuple[str, ...] | None = None
    """The played options the key must beat on :attr:`metric` (``None`` = every other played option).
    Options left out are compared in :attr:`checks` instead, where the scenario says on what."""

    checks: tuple[EvidenceCheck, ...] = ()
    """Further judged comparisons on other metrics of the same runs (what the key fixes that an
    option close to it on the main metric does not)."""

    not_played: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Option letter -> why it is not played (e.g. it changes nothing the simulator's lists depend on)."""


@dataclasses.dataclass(frozen=True)
class EvidenceCheck:
    """One more comparison judged on the runs of an evidence plan: the key against ``versus``."""

    metric: str
    """Metric of the same recipe (e.g. ``last_hour_share``)."""

    versus: tuple[str, ...]
    """Played options the key must beat on this metric."""

    margin: float
    """How far the key must be ahead of each of them (on every seed)."""

    margin_kind: Literal["absolute", "relative"] = "absolute"
    """As :attr:`EvidencePlan.margin_kind`."""

    higher_is_better: bool = True
    """As :attr:`EvidencePlan.higher_is_better`."""

    aggregate: Literal["mean", "median", "sum", "last"] = "mean"
    """As :attr:`EvidencePlan.aggregate`."""

    last_days: int | None = None
    """As :attr:`EvidencePlan.last_days`."""

    reading: str = ""
    """What this comparison shows."""


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One exam question with explanations and (optionally) a way to prove the answer."""

    id: str
    """Stable slug, unique across the folder (``footwear-sales-decline``)."""

    title: str
    """Short title shown in lists."""

    topic: str
    """Topic used by ``workbench quiz --topic`` (e.g. ``real-time events``)."""

    source: tuple[str, ...]
    """Where the facts come from: ``seed:<file>.txt`` or ``DG:<page>`` tags of the fact sheet."""

    kind: Literal["simulated", "concept"]
    """``simulated``: the options are played and the evidence must agree with the key."""

    question: str
    """The stem, in the workbench's own words."""

    options: Mapping[str, str]
    """Letter -> option text, letters consecutive from ``A``."""

    correct: tuple[str, ...]
    """The letter(s) of the right answer(s)."""

    explanations: Mapping[str, str]
    """Letter -> why this option is right or wrong (one per option)."""

    concepts: tuple[str, ...] = ()
    """Curriculum concept ids the question exercises (``RT-10``, ``PZ-07``...)."""

    concept_note: str = ""
    """For ``concept`` scenarios: why a simulation would not show anything."""

    evidence: EvidencePlan | None = None
    """For ``simulated`` scenarios: how the options are played and judged."""

    file: str = "<scenario>"
    """The file the scenario was read from (for messages)."""

    @property
    def is_multiple_choice(self) -> bool:
        """True when more than one letter is correct ("select two")."""
        return len(self.correct) > 1

    @property
    def letters(self) -> tuple[str, ...]:
        """Option letters in order."""
        return tuple(self.options)

    def is_right(self, answer: str | list[str] | tuple[str, ...] | set[str]) -> bool:
        """True when ``answer`` names exactly the correct letters (order and case do not matter)."""
        return set(parse_answer(answer)) == set(self.correct)


def parse_answer(answer: str | list[str] | tuple[str, ...] | set[str] | None) -> tuple[str, ...]:
    """Letters in a learner's answer: ``"b"``, ``"A,C"``, ``"A C"``, ``"ac"`` or a list.

    Returns the distinct upper-case letters in alphabetical order; anything that is
    not a letter (commas, spaces, brackets) is ignored.
    """
    if answer is None:
        return ()
    if not isinstance(answer, str):
        answer = " ".join(str(a) for a in answer)
    letters = {ch for ch in answer.upper() if "A" <= ch <= "Z"}
    return tuple(sorted(letters))


# ---------------------------------------------------------------- validation
def parse_scenario(raw: Any, file: str | os.PathLike[str] | None = None) -> Scenario:
    """Validate the mapping read from a scenario file and build a :class:`Scenario`.

    Args:
        raw: what ``yaml.safe_load`` returned for the file.
        file: the file's path, used in error messages.

    Raises:
        ScenarioError: naming the file and the first field that is wrong.
    """
    where = display_path(file)

    def fail(field: str, problem: str) -> ScenarioError:
        return ScenarioError(file, field, problem)

    if not isinstance(raw, Mapping):
        raise fail("<top>", f"the file must hold a mapping of fields, found {type(raw).__name__}.")
    for key in raw:
        if key not in TOP_LEVEL_FIELDS:
            raise fail(str(key), f"unknown field; allowed fields are {', '.join(TOP_LEVEL_FIELDS)}.")
    for key in REQUIRED_FIELDS:
        if key not in raw or raw[key] is None:
            raise fail(key, "is missing; every scenario needs it.")

    scenario_id = _text(raw, "id", fail)
    if not _ID_PATTERN.match(scenario_id):
        raise fail("id", f"{scenario_id!r} must be a lower-case slug (letters, digits, '-', '_').")
    title = _text(raw, "title", fail)
    topic = _text(raw, "topic", fail)
    question = _text(raw, "question", fail)

    sources = raw["source"]
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not sources:
        raise fail("source", "must be a tag or a non-empty list of tags (seed:<file>.txt, DG:<page>).")
    for tag in sources:
        if not isinstance(tag, str) or not _SOURCE_PATTERN.match(tag.strip()):
            raise fail("source", f"{tag!r} is not a source tag; use seed:<file>.txt or DG:<page> (as in the fact sheet).")

    kind = raw["kind"]
    if kind not in KINDS:
        raise fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}.")

    options = raw["options"]
    if not isinstance(options, Mapping) or len(options) < 2:
        raise fail("options", "must map at least two letters (A, B, ...) to option texts.")
    letters: list[str] = []
    option_texts: dict[str, str] = {}
    for key, text in options.items():
        letter = str(key)
        if not _LETTER_PATTERN.match(letter):
            raise fail("options", f"{key!r} is not an option letter; use single capital letters A, B, C ...")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"options.{letter}", "needs a non-empty text.")
        letters.append(letter)
        option_texts[letter] = text.strip()
    expected = [chr(ord("A") + i) for i in range(len(letters))]
    if letters != expected:
        raise fail("options", f"letters must run A-{expected[-1]} in order, found {', '.join(letters)}.")
    span = f"{letters[0]}-{letters[-1]}"

    correct_raw = raw["correct"]
    if isinstance(correct_raw, str):
        correct_items = [c for c in re.split(r"[\s,]+", correct_raw.strip()) if c]
    elif isinstance(correct_raw, list):
        correct_items = [str(c).strip() for c in correct_raw]
    else:
        raise fail("correct", "must be a letter or a list of letters.")
    if not correct_items:
        raise fail("correct", "names no option; give at least one letter.")
    for letter in correct_items:
        if letter not in option_texts:
            raise fail("correct", f"{letter!r} is not one of the options {span}.")
    if len(set(correct_items)) != len(correct_items):
        raise fail("correct", "lists the same letter twice.")
    if len(correct_items) == len(letters):
        raise fail("correct", "marks every option correct; a question needs at least one wrong option.")
    correct = tuple(sorted(correct_items))

    explanations = raw["explanations"]
    if not isinstance(explanations, Mapping):
        raise fail("explanations", "must map every option letter to why it is right or wrong.")
    explained: dict[str, str] = {}
    for key, text in explanations.items():
        letter = str(key)
        if letter not in option_texts:
            raise fail(f"explanations.{letter}", f"{letter!r} is not one of the options {span}.")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"explanations.{letter}", "needs a non-empty text.")
        explained[letter] = text.strip()
    missing = [letter for letter in letters if letter not in explained]
    if missing:
        raise fail("explanations", f"no explanation for option(s) {', '.join(missing)}; every option needs one.")

    concepts_raw = raw.get("concepts")
    concepts_raw = [] if concepts_raw is None else concepts_raw
    if not isinstance(concepts_raw, list):
        written = f"{concepts_raw!r} ({type(concepts_raw).__name__})"
        raise fail("concepts", f"must be a list of curriculum ids such as [RT-10], not {written}; write "
                   "concepts: [RT-06] or one '- RT-06' line per id.")
    for concept in concepts_raw:
        if not isinstance(concept, str) or not _CONCEPT_PATTERN.match(concept):
            raise fail("concepts", f"{concept!r} is not a curriculum id (RT-xx, PZ-xx, GN-xx, DH-xx).")

    concept_note = raw.get("concept_note")
    concept_note = "" if concept_note is None else concept_note
    if not isinstance(concept_note, str):
        raise fail("concept_note", f"must be text, not {type(concept_note).__name__}.")
    evidence_raw = raw.get("evidence")
    evidence: EvidencePlan | None = None
    if kind == "simulated":
        if evidence_raw is None:
            raise fail("evidence", "is missing; a simulated scenario needs an evidence plan (or use kind: concept).")
        evidence = _parse_evidence(evidence_raw, option_texts, correct, span, fail)
    else:
        if evidence_raw is not None:
            raise fail("evidence", "is only allowed with kind: simulated.")
        if not concept_note.strip():
            raise fail("concept_note", "is missing; say why a simulation would not show anything for this question.")

    return Scenario(
        id=scenario_id,
        title=title,
        topic=topic,
        source=tuple(s.strip() for s in sources),
        kind=kind,
        question=question,
        options=option_texts,
        correct=correct,
        explanations=explained,
        concepts=tuple(concepts_raw),
        concept_note=concept_note.strip(),
        evidence=evidence,
        file=where,
    )


def base_path_problem(base: str) -> str | None:
    """Why ``evidence.base`` may not be used (None when it is fine).

    The path must be relative to the repository root and stay inside one of
    :data:`BASE_FOLDERS` after resolving ``..`` and symbolic links, so a scenario
    file cannot make the workbench read ``/etc/passwd`` or a file next to the project.
    """
    folders = " or ".join(f"{f}/" for f in BASE_FOLDERS)
    text = base.strip()
    candidate = Path(text)
    if not text:
        return "is empty; give a shop config path such as data/scenarios/footwear.yaml."
    if candidate.is_absolute() or text.startswith(("~", "\\")) or re.match(r"^[A-Za-z]:", text):
        return (f"{base!r} is an absolute path; give a path relative to the repository root inside {folders}, "
                "e.g. data/scenarios/footwear.yaml.")
    if ".." in candidate.parts:
        return f"{base!r} climbs out with '..'; give a path inside {folders} without '..'."
    resolved = (REPO_ROOT / candidate).resolve()
    if not any(resolved.is_relative_to((REPO_ROOT / folder).resolve()) for folder in BASE_FOLDERS):
        return f"{base!r} is outside the project's data folders; shop configs live in {folders}."
    if resolved.suffix.lower() not in (".yaml", ".yml"):
        return f"{base!r} is not a .yaml shop config."
    return None


def _text(raw: Mapping[str, Any], field: str, fail) -> str:
    value = raw[field]
    if not isinstance(value, str) or not value.strip():
        raise fail(field, "must be a non-empty text.")
    return value.strip()


def _parse_evidence(raw: Any, option_texts: Mapping[str, str], correct: tuple[str, ...], span: str, fail) -> EvidencePlan:
    from .recipes import RECIPES

    if not isinstance(raw, Mapping):
        raise fail("evidence", "must be a mapping (recipe, options, metric, margin ...).")
    for key in raw:
        if key not in EVIDENCE_FIELDS:
            raise fail(f"evidence.{key}", f"unknown field; allowed fields are {', '.join(EVIDENCE_FIELDS)}.")
    recipe_name = raw.get("recipe", "simulate")
    if recipe_name not in RECIPES:
        raise fail("evidence.recipe", f"{recipe_name!r} is not a known evidence recipe ({', '.join(sorted(RECIPES))}).")
    recipe = RECIPES[recipe_name]

    for key in ("options", "metric", "margin"):
        if raw.get(key) is None:
            raise fail(f"evidence.{key}", "is missing; a simulated scenario must state it.")
    metric = raw["metric"]
    if not isinstance(metric, str) or not metric:
        raise fail("evidence.metric", "must name the metric that decides.")
    if recipe.metrics is not None and metric not in recipe.metrics:
        raise fail("evidence.metric", f"{metric!r} is not produced by recipe {recipe_name!r}; choose one of {', '.join(recipe.metrics)}.")

    rule = _judging_rule(raw, "evidence", fail)
    base = raw.get("base")
    if base is not None and not isinstance(base, str):
        raise fail("evidence.base", "must be a path to a shop config YAML.")
    if base is not None:
        problem = base_path_problem(base)
        if problem:
            raise fail("evidence.base", problem)
    shop = raw.get("shop") or {}
    if not isinstance(shop, Mapping):
        raise fail("evidence.shop", "must be a mapping of ShopConfig overrides.")
    options_raw = raw["options"]
    if not isinstance(options_raw, Mapping) or not options_raw:
        raise fail("evidence.options", "must map option letters to how they are played.")
    plays: dict[str, OptionPlay] = {}
    for key, entry in options_raw.items():
        letter = str(key)
        field = f"evidence.options.{letter}"
        if letter not in option_texts:
            raise fail(field, f"{letter!r} is not one of the options {span}.")
        if not isinstance(entry, Mapping):
            raise fail(field, "must be a mapping with 'played_as' and 'config'.")
        extra = set(entry) - {"played_as", "config", "variants"}
        if extra:
            raise fail(f"{field}.{sorted(extra)[0]}", "unknown field; use 'played_as', 'config' and 'variants'.")
        plays[letter] = _parse_play(entry, field, recipe, fail)
        variants = entry.get("variants") or []
        if not isinstance(variants, list):
            raise fail(f"{field}.variants", "must be a list of {played_as, config} (other ways to play this option).")
        for i, variant in enumerate(variants, start=2):
            vfield = f"{field}.variants[{i - 2}]"
            if not isinstance(variant, Mapping) or set(variant) - {"played_as", "config"}:
                raise fail(vfield, "must be a mapping with 'played_as' and 'config' only.")
            plays[f"{letter}{i}"] = _parse_play(variant, vfield, recipe, fail)
    for letter in correct:
        if letter not in plays:
            raise fail("evidence.options", f"the correct option {letter} is not played; the evidence must include it.")
    if not {option_letter(label) for label in plays} - set(correct):
        raise fail("evidence.options", "plays no wrong option; the evidence needs at least one to compare against.")
    problem = recipe.check_plan(base, dict(shop)) if recipe.check_plan else None
    if problem:
        raise fail(problem[0], problem[1])
    seeds = _parse_seeds(raw.get("seeds"), recipe_name, fail)
    versus = _parse_versus(raw.get("versus"), "evidence.versus", plays, correct, fail)
    checks_raw = raw.get("checks") or []
    if not isinstance(checks_raw, list):
        raise fail("evidence.checks", "must be a list of comparisons ({metric, versus, margin, ...}).")
    checks = tuple(_parse_check(entry, f"evidence.checks[{i}]", recipe, recipe_name, plays, correct, fail)
                   for i, entry in enumerate(checks_raw))
    not_played_raw = raw.get("not_played") or {}
    if not isinstance(not_played_raw, Mapping):
        raise fail("evidence.not_played", "must map option letters to why they are not played.")
    not_played: dict[str, str] = {}
    for key, why in not_played_raw.items():
        letter = str(key)
        field = f"evidence.not_played.{letter}"
        if letter not in option_texts:
            raise fail(field, f"{letter!r} is not one of the options {span}.")
        if letter in plays:
            raise fail(field, "this option is played; an option is either played or explained as not played.")
        if not isinstance(why, str) or not why.strip():
            raise fail(field, "needs a sentence saying why the option is not played.")
        not_played[letter] = why.strip()
    seen: dict[str, str] = {}
    for label, play in plays.items():
        key = json.dumps(play.config, sort_keys=True, default=str)
        if key in seen:
            raise fail(f"evidence.options.{label}", f"plays the same config as {seen[key]}, so it would replay "
                       f"{seen[key]}'s run unchanged; move it to not_played and say why it is not played.")
        seen[key] = label
    return EvidencePlan(
        recipe=recipe_name,
        options=plays,
        metric=metric,
        **rule,
        base=base,
        shop=dict(shop),
        seeds=seeds,
        versus=versus,
        checks=checks,
        not_played=not_played,
    )


def option_letter(label: str) -> str:
    """The answer letter a played label stands for (``"C2"``, a variant of C, -> ``"C"``)."""
    return label[0]


def _parse_play(entry: Mapping[str, Any], field: str, recipe: Any, fail) -> OptionPlay:
    played_as = entry.get("played_as")
    if not isinstance(played_as, str) or not played_as.strip():
        raise fail(f"{field}.played_as", "must say in one sentence what stands in for this option.")
    config = entry.get("config")
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise fail(f"{field}.config", "must be a mapping of recipe parameters.")
    problem = recipe.check_config(dict(config))
    if problem:
        raise fail(f"{field}.config", problem)
    return OptionPlay(played_as=played_as.strip(), config=dict(config))


def _parse_seeds(raw: Any, recipe_name: str, fail) -> tuple[int, ...]:
    if raw is None:
        return ()
    from .recipes import RECIPES

    if not RECIPES[recipe_name].plays_seeds:
        seeded = ", ".join(sorted(name for name, r in RECIPES.items() if r.plays_seeds))
        raise fail("evidence.seeds", f"only recipes that play a seeded shop ({seeded}) play several seeds; "
                   f"{recipe_name!r} is deterministic.")
    if not isinstance(raw, list) or not raw:
        raise fail("evidence.seeds", "must be a non-empty list of whole numbers (shop seeds).")
    for seed in raw:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise fail("evidence.seeds", f"{seed!r} is not a whole number >= 0.")
    if len(set(raw)) != len(raw):
        raise fail("evidence.seeds", "lists the same seed twice.")
    return tuple(raw)


def _parse_versus(raw: Any, field: str, plays: Mapping[str, Any], correct: tuple[str, ...], fail,
                  required: bool = False) -> tuple[str, ...] | None:
    if raw is None:
        if required:
            raise fail(field, "is missing; name the played options the key is compared with.")
        return None
    if isinstance(raw, str):
        raw = [c for c in re.split(r"[\s,]+", raw.strip()) if c]
    if not isinstance(raw, list) or not raw:
        raise fail(field, "must be a non-empty list of played option letters.")
    letters = [str(c) for c in raw]
    for letter in letters:
        if letter not in plays:
            raise fail(field, f"{letter!r} is not a played option ({', '.join(plays)}).")
        if option_letter(letter) in correct:
            raise fail(field, f"{letter!r} is a correct option; list the options the key must beat.")
    # labels are exact: C is the option as played first, C2 its first variant (list both to compare with both)
    return tuple(dict.fromkeys(letters))


def _parse_check(raw: Any, field: str, recipe: Any, recipe_name: str, plays: Mapping[str, Any],
                 correct: tuple[str, ...], fail) -> EvidenceCheck:
    if not isinstance(raw, Mapping):
        raise fail(field, "must be a mapping {metric, versus, margin, ...}.")
    for key in raw:
        if key not in CHECK_FIELDS:
            raise fail(f"{field}.{key}", f"unknown field; allowed fields are {', '.join(CHECK_FIELDS)}.")
    metric = raw.get("metric")
    if not isinstance(metric, str) or not metric:
        raise fail(f"{field}.metric", "must name the metric of this comparison.")
    if recipe.metrics is not None and metric not in recipe.metrics:
        raise fail(f"{field}.metric", f"{metric!r} is not produced by recipe {recipe_name!r}; choose one of {', '.join(recipe.metrics)}.")
    versus = _parse_versus(raw.get("versus"), f"{field}.versus", plays, correct, fail, required=True)
    return EvidenceCheck(metric=metric, versus=versus, **_judging_rule(raw, field, fail))


def _judging_rule(raw: Mapping[str, Any], prefix: str, fail) -> dict[str, Any]:
    """The judging settings shared by ``evidence`` and each of its ``checks`` (field names under ``prefix``)."""
    margin = raw.get("margin")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or margin < 0:
        raise fail(f"{prefix}.margin", f"{margin!r} must be a number >= 0.")
    margin_kind = raw.get("margin_kind", "absolute")
    if margin_kind not in MARGIN_KINDS:
        raise fail(f"{prefix}.margin_kind", f"{margin_kind!r} is not one of {', '.join(MARGIN_KINDS)}.")
    higher = raw.get("higher_is_better", True)
    if not isinstance(higher, bool):
        raise fail(f"{prefix}.higher_is_better", "must be true or false.")
    aggregate = raw.get("aggregate", "mean")
    if aggregate not in AGGREGATES:
        raise fail(f"{prefix}.aggregate", f"{aggregate!r} is not one of {', '.join(AGGREGATES)}.")
    last_days = raw.get("last_days")
    if last_days is not None and (isinstance(last_days, bool) or not isinstance(last_days, int) or last_days < 1):
        raise fail(f"{prefix}.last_days", f"{last_days!r} must be a whole number of days >= 1.")
    reading = raw.get("reading") or ""
    if not isinstance(reading, str):
        raise fail(f"{prefix}.reading", "must be text.")
    return {"margin": float(margin), "margin_kind": margin_kind, "higher_is_better": higher,
            "aggregate": aggregate, "last_days": last_days, "reading": reading.strip()}
