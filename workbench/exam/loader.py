"""Read exam scenario files from ``exam_scenarios/`` (one YAML file per scenario).

Files are read in file-name order, so numbering the files (``01_footwear...``)
fixes the order of the quiz. Every file is validated by
:func:`workbench.exam.schema.parse_scenario`; problems raise
:class:`~workbench.exam.schema.ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .schema import Scenario, ScenarioError, parse_scenario

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "exam_scenarios"
"""The scenario folder shipped with the repository."""

SUFFIXES = (".yaml", ".yml")
"""File endings that hold scenarios (README.md and other files are ignored)."""


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate one scenario file.

    Args:
        path: a ``.yaml`` file.

    Raises:
        ScenarioError: the file is not UTF-8, not valid YAML, repeats a key, or a field
            is wrong (the message names the file and the field).
        FileNotFoundError: ``path`` does not exist.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(path, "<yaml>", f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line} (the file "
                            "looks like latin-1 or cp1252); re-save it as UTF-8, e.g. iconv -f latin1 -t utf-8.") from exc
    try:
        _refuse_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), path)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(path, "<yaml>", f"not valid YAML{where}: {problem}.") from exc
    return parse_scenario(raw, file=path)


def _refuse_duplicate_keys(node: yaml.Node | None, path: Path, field: str = "") -> None:
    """ScenarioError for a key that appears twice in one mapping (YAML would silently keep the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            name = f"{field}.{key}" if field else str(key)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ScenarioError(path, name, f"appears twice in the same mapping (lines {seen[key]} and {line}); "
                                    "YAML would silently keep only the last one. Remove or rename one of them.")
            seen[key] = line
            _refuse_duplicate_keys(value_node, path, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicate_keys(item, path, f"{field}[{i}]")


def load_scenarios(
    folder: str | os.PathLike[str] | None = None,
    topic: str | None = None,
    kind: str | None = None,
) -> list[Scenario]:
    """Every scenario in ``folder`` (default: the repository's ``exam_scenarios/``), in file-name order.

    Args:
        folder: where the YAML files are.
        topic: keep only scenarios whose topic contains this text (case-insensitive).
        kind: keep only ``"simulated"`` or ``"concept"`` scenarios.

    Raises:
        ScenarioError: for the first invalid file, or when two files share an id.
        FileNotFoundError: the folder does not exist.
    """
    folder = DEFAULT_FOLDER if folder is None else Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"scenario folder {folder} does not exist")
    scenarios: list[Scenario] = []
    seen: dict[str, Path] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES):
        scenario = load_scenario(path)
        if scenario.id in seen:
            raise ScenarioError(path, "id", f"{scenario.id!r} is already used by {seen[scenario.id].name}; ids must be unique.")
        seen[scenario.id] = path
        scenarios.append(scenario)
    if topic is not None:
        needle = topic.lower()
        scenarios = [s for s in scenarios if needle in s.topic.lower()]
    if kind is not None:
        scenarios = [s for s in scenarios if s.kind == kind]
    return scenarios


def topics(scenarios: list[Scenario]) -> list[str]:
    """Distinct topics in first-seen order (for menus)."""
    out: list[str] = []
    for scenario in scenarios:
        if scenario.topic not in out:
            out.append(scenario.topic)
    return out
