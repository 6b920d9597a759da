"""Play a scenario's options and judge them: the evidence behind an answer key.

:func:`run` executes the scenario's evidence recipe (usually the simulated shop),
puts one row per played option in a table -- the metric value, its rank, whether
the option is keyed correct and the margin it achieved -- and draws the metric
over simulated time (one line per option) or, for recipes without a time axis,
one bar per option.

Margin achieved, in the direction of the metric (so "bigger is better" always):

* correct option: its lead over the *best* wrong option;
* wrong option: how far it trails the *worst* correct option.

With ``margin_kind: relative`` the lead is divided by ``|other|`` (the value it is
compared with); a zero ``other`` gives ``+inf`` for any strictly positive lead.
The key is confirmed (:attr:`Evidence.passed`) when every correct option's margin
achieved is at least the scenario's ``margin`` (and strictly positive, so a tie
never confirms a key). A NaN metric never confirms anything.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from .recipes import RECIPES, RecipeResult
from .schema import EvidencePlan, Scenario

TABLE_COLUMNS = ("option", "played_as", "value", "rank", "is_correct", "margin_achieved", "meets_margin")
"""Columns of :attr:`Evidence.table`."""


@dataclasses.dataclass
class Evidence:
    """What playing a scenario's options showed."""

    scenario: Scenario
    """The scenario that was played."""

    table: pd.DataFrame
    """One row per played option: see :data:`TABLE_COLUMNS`."""

    series: pd.DataFrame | None
    """Long frame ``option, step, value`` behind the chart (``None`` for recipes without time)."""

    details: pd.DataFrame | None
    """Recipe-specific tidy table (e.g. per-pair metric values, loader rejections)."""

    figure: object | None = None
    """matplotlib Figure: the metric per option (over time when the recipe has a time axis)."""

    @property
    def plan(self) -> EvidencePlan:
        """The scenario's evidence plan."""
        assert self.scenario.evidence is not None
        return self.scenario.evidence

    @property
    def passed(self) -> bool:
        """True when every correct option beats every other played option by the stated margin."""
        correct = self.table[self.table["is_correct"]]
        return bool(len(correct)) and bool(correct["meets_margin"].all())

    @property
    def winner(self) -> str:
        """Letter of the best played option (ties: first letter)."""
        return str(self.table.sort_values(["rank", "option"]).iloc[0]["option"])

    def summary(self) -> str:
        """A few lines of plain text for the quiz and the CLI."""
        plan = self.plan
        direction = "higher" if plan.higher_is_better else "lower"
        window = f" over the last {plan.last_days} days" if plan.last_days else ""
        unit = "" if plan.margin_kind == "absolute" else " (relative)"
        lines = [
            f"Evidence ({plan.recipe}): {plan.metric}{window}, {direction} is better; "
            f"the key needs a margin of {plan.margin:g}{unit}.",
        ]
        for row in self.table.sort_values(["rank", "option"]).itertuples():
            mark = "*" if row.is_correct else " "
            lines.append(
                f" {mark} {row.option}  {_fmt(row.value):>10}  rank {row.rank}  margin {_fmt(row.margin_achieved)}  - {row.played_as}"
            )
        verdict = "confirms" if self.passed else "does NOT confirm"
        lines.append(f"The evidence {verdict} the key ({', '.join(self.scenario.correct)}).")
        if plan.reading:
            lines.append(plan.reading)
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return "```\n" + self.summary() + "\n```"


def _fmt(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def lead(winner: float, other: float, kind: str) -> float:
    """How far ``winner`` is ahead of ``other`` (absolute difference or relative to ``|other|``).

    Both inputs are already oriented so that larger is better. NaN in, NaN out.
    """
    if math.isnan(winner) or math.isnan(other):
        return float("nan")
    diff = winner - other
    if kind == "absolute":
        return diff
    if other == 0:
        return math.inf if diff > 0 else (0.0 if diff == 0 else -math.inf)
    return diff / abs(other)


def judge(values: pd.Series, plan: EvidencePlan, correct: tuple[str, ...]) -> pd.DataFrame:
    """The evidence table for metric ``values`` (option letter -> value) under ``plan``'s rule."""
    values = values.astype(float)
    oriented = values if plan.higher_is_better else -values
    is_correct = pd.Series([letter in correct for letter in values.index], index=values.index)
    wrong = oriented[~is_correct]
    right = oriented[is_correct]
    margins = {}
    for letter, value in oriented.items():
        if is_correct[letter]:
            margins[letter] = lead(value, wrong.max(), plan.margin_kind) if len(wrong) else float("nan")
        else:
            margins[letter] = lead(right.min(), value, plan.margin_kind) if len(right) else float("nan")
    margin = pd.Series(margins)
    meets = (margin >= plan.margin) & (margin > 0) & margin.notna()
    ranks = oriented.rank(ascending=False, method="min", na_option="bottom").astype(int)
    table = pd.DataFrame(
        {
            "option": values.index.astype(str),
            "played_as": [plan.options[letter].played_as for letter in values.index],
            "value": values.to_numpy(),
            "rank": ranks.to_numpy(),
            "is_correct": is_correct.to_numpy(),
            "margin_achieved": margin.reindex(values.index).to_numpy(),
            "meets_margin": meets.reindex(values.index).to_numpy(),
        }
    )
    return table.sort_values("option").reset_index(drop=True)


def run(scenario: Scenario, chart: bool = True) -> Evidence:
    """Play every option of a simulated scenario and return the evidence.

    Args:
        scenario: a scenario with ``kind: simulated``.
        chart: also draw the matplotlib figure (skip it in tests that only need numbers).

    Raises:
        ValueError: for a concept-only scenario (nothing to play).
        workbench.exam.recipes.EvidenceUnavailable: when the recipe cannot produce the plan's metric.
    """
    if scenario.evidence is None:
        raise ValueError(f"{scenario.file}: scenario {scenario.id!r} is concept-only; there is nothing to simulate.")
    plan = scenario.evidence
    result: RecipeResult = RECIPES[plan.recipe].run(plan)
    values = result.values.reindex(list(plan.options))
    table = judge(values, plan, scenario.correct)
    evidence = Evidence(scenario=scenario, table=table, series=result.series, details=result.details)
    if chart:
        evidence.figure = draw(evidence, result.step_label, result.markers)
    return evidence


def draw(evidence: Evidence, step_label: str = "day", markers: pd.DataFrame | None = None):
    """The metric per option: lines over simulated time, or bars when there is no time axis.

    Lines use :func:`workbench.plots.timeline` (3-day trailing mean, drift markers);
    the judged window (``last_days``) is shaded grey and the
    keyed option is labelled ``(key)``.
    """
    from matplotlib.figure import Figure

    from ..plots import timeline

    plan = evidence.plan
    correct = set(evidence.scenario.correct)
    if evidence.series is not None and len(evidence.series):
        figure = Figure(figsize=(9, 4))
        axis = figure.subplots()
        daily = evidence.series.assign(
            option=[f"{o} (key)" if o in correct else str(o) for o in evidence.series["option"]]
        ).rename(columns={"step": "day", "value": plan.metric, "option": "option "})
        timeline(daily, plan.metric, by="option ", markers=markers, rolling=3, ax=axis)
        if plan.last_days:
            end = evidence.series["step"].max()
            axis.axvspan(end - plan.last_days + 0.5, end + 0.5, color="0.92", zorder=0)
        axis.set_xlabel(step_label)
    else:
        figure = Figure(figsize=(6, 3.5))
        axis = figure.subplots()
        table = evidence.table
        colors = ["tab:green" if c else "tab:gray" for c in table["is_correct"]]
        axis.bar(table["option"], table["value"].fillna(0.0), color=colors)
        axis.set_xlabel("option (green = key)")
        axis.set_ylabel(plan.metric)
    axis.set_title(f"{evidence.scenario.id}: {plan.metric}")
    figure.tight_layout()
    return figure


def run_all(scenarios: list[Scenario], chart: bool = False) -> pd.DataFrame:
    """Evidence tables of every simulated scenario stacked with a ``scenario`` column."""
    frames = []
    for scenario in scenarios:
        if scenario.kind != "simulated":
            continue
        table = run(scenario, chart=chart).table
        table.insert(0, "scenario", scenario.id)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["scenario", *TABLE_COLUMNS])
    return pd.concat(frames, ignore_index=True)


__all__ = ["Evidence", "TABLE_COLUMNS", "draw", "judge", "lead", "run", "run_all"]
