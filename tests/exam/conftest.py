"""Helpers for the exam tests: a valid scenario mapping to break on purpose."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

VALID: dict[str, Any] = {
    "id": "toy-question",
    "title": "A toy question",
    "topic": "testing",
    "concepts": ["RT-02"],
    "source": ["DG:recording-events"],
    "kind": "simulated",
    "question": "Which option wins?",
    "options": {"A": "first", "B": "second", "C": "third", "D": "fourth", "E": "fifth"},
    "correct": "B",
    "explanations": {letter: f"why {letter}" for letter in "ABCDE"},
    "evidence": {
        "recipe": "metric_choice",
        "metric": "pairs_ordered_correctly",
        "margin": 1,
        "options": {
            "A": {"played_as": "coverage", "config": {"metric": "coverage"}},
            "B": {"played_as": "ndcg", "config": {"metric": "NDCG@10"}},
        },
    },
}
"""A valid simulated scenario (its evidence uses the fast ``metric_choice`` recipe)."""


@pytest.fixture
def valid_scenario() -> dict[str, Any]:
    return copy.deepcopy(VALID)


@pytest.fixture
def write_scenario(tmp_path: Path):
    """``write_scenario(mapping_or_text, name="foo.yaml") -> Path`` inside tmp_path."""

    def write(content: dict[str, Any] | str, name: str = "foo.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
