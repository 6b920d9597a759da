"""The evidence-recipe registry and the types every recipe shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import WorkbenchError

REPO_ROOT = Path(__file__).resolve().parents[3]
"""Repository root: relative ``evidence.base`` paths are resolved from here."""


class EvidenceUnavailable(WorkbenchError, RuntimeError):
    """A recipe cannot produce the evidence a plan asks for (e.g. the simulator has no such metric)."""


@dataclasses.dataclass
class RecipeResult:
    """What a recipe hands back to the runner."""

    values: pd.Series
    """Option letter -> value of the plan's metric (index: letters)."""

    series: pd.DataFrame | None = None
    """Long frame ``option, step, value`` for the chart (e.g. one row per simulated day)."""

    details: pd.DataFrame | None = None
    """Any extra tidy table a learner may want to inspect (one or more rows per option)."""

    step_label: str = "day"
    """What the ``step`` column of ``series`` counts."""

    markers: pd.DataFrame | None = None
    """Drift events of a simulated shop (``day, date, kind, label``) to draw on the chart."""


@dataclasses.dataclass(frozen=True)
class EvidenceRecipe:
    """A named way of producing evidence for the options of a question."""

    name: str
    """Registry key used in ``evidence.recipe``."""

    run: Callable[[Any], RecipeResult]
    """Function ``(plan: EvidencePlan) -> RecipeResult``."""

    description: str
    """One line for the README and the CLI."""

    metrics: tuple[str, ...] | None = None
    """Metric names the recipe produces (``None`` = checked when the recipe runs)."""

    check_config: Callable[[dict[str, Any]], str | None] = lambda config: None
    """Returns a problem (text) with one option's config, or ``None``."""

    check_plan: Callable[[str | None, dict[str, Any]], tuple[str, str] | None] | None = None
    """Returns ``(field, problem)`` for plan-level settings (base, shop), or ``None``."""

    plays_seeds: bool = False
    """True when the recipe plays a shop whose ``seed`` the plan's ``seeds`` may vary (paired runs per seed)."""


RECIPES: dict[str, EvidenceRecipe] = {}
"""Registry of evidence recipes by name."""


def register(recipe: EvidenceRecipe) -> EvidenceRecipe:
    """Add ``recipe`` to :data:`RECIPES` (a later registration with the same name replaces it)."""
    RECIPES[recipe.name] = recipe
    return recipe


def allowed_keys(allowed: Mapping[str, type | tuple[type, ...]], required: tuple[str, ...] = (),
                 choices: Mapping[str, Sequence[str]] | None = None):
    """Config checker: only ``allowed`` keys with the given types, ``required`` ones present, and
    each key of ``choices`` (when given in the config) one of its listed values."""

    def check(config: dict[str, Any]) -> str | None:
        for key in config:
            if key not in allowed:
                return f"unknown parameter {key!r}; allowed: {', '.join(allowed)}."
        for key in required:
            if key not in config:
                return f"parameter {key!r} is required."
        for key, value in config.items():
            if value is not None and not isinstance(value, allowed[key]):
                return f"parameter {key!r} has the wrong type ({type(value).__name__})."
        for key, values in (choices or {}).items():
            if key in config and config[key] not in values:
                return f"{key} {config[key]!r} is not one of {', '.join(values)}."
        return None

    return check
