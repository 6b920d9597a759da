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

With ``evidence.seeds`` every option is played once per seed. The runs are paired
(on one seed all options meet the same customers and draws), each seed is judged
on its own, and the key is confirmed only when it meets the margin on *every*
seed: the table shows the mean value, the smallest margin achieved and on how many
seeds the margin was met. ``evidence.versus`` restricts the options the key must
beat on the main metric; ``evidence.checks`` judge further metrics of the same runs
(e.g. what the key fixes that an option close to it on the main metric does not).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from .recipes import RECIPES, RecipeResult
from .schema import EvidencePlan, Scenario, option_letter

TABLE_COLUMNS = ("option", "played_as", "value", "rank", "is_correct", "margin_achieved", "meets_margin", "seeds_met")
"""Columns of :attr:`Evidence.table` (``seeds_met``: on how many of the played seeds the margin was met)."""

CHECK_COLUMNS = ("check", "metric", "option", "value", "is_correct", "margin_achieved", "meets_margin", "seeds_met")
"""Columns of :attr:`Evidence.checks`."""


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

    seeds: tuple[int, ...] = ()
    """The shop seeds played (empty: the recipe's own single run)."""

    per_seed: pd.DataFrame | None = None
    """The judged table of every seed, stacked with a ``seed`` column (``None`` for a single run)."""

    checks: pd.DataFrame | None = None
    """One row per option of every ``evidence.checks`` comparison (see :data:`CHECK_COLUMNS`)."""

    @property
    def plan(self) -> EvidencePlan:
        """The scenario's evidence plan."""
        assert self.scenario.evidence is not None
        return self.scenario.evidence

    @property
    def passed(self) -> bool:
        """True when every correct option beats the options it is compared with by the stated margin
        (on every seed), on the main metric and in every check."""
        correct = self.table[self.table["is_correct"]]
        main = bool(len(correct)) and bool(correct["meets_margin"].all())
        if self.checks is not None and len(self.checks):
            keyed = self.checks[self.checks["is_correct"]]
            return main and bool(keyed["meets_margin"].all())
        return main

    @property
    def n_seeds(self) -> int:
        """How many seeds each option was played on (1 for a single run)."""
        return max(len(self.seeds), 1)

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
        if self.seeds:
            lines.append(f"Played on {len(self.seeds)} seed{'s' if len(self.seeds) != 1 else ''} "
                         f"({', '.join(map(str, self.seeds))}), paired; "
                         "values are means, margins the smallest over seeds.")
        width = max((len(str(o)) for o in self.table["option"]), default=1)
        for row in self.table.sort_values(["rank", "option"]).itertuples():
            mark = "*" if row.is_correct else " "
            if compared_with_key(row.option, row.is_correct, plan.versus):
                seeds = f"  met on {row.seeds_met}/{self.n_seeds} seeds" if self.seeds else ""
                margin = f"margin {_fmt(row.margin_achieved)}{seeds}"
            else:  # left out of the key's comparison on this metric (judged by the checks, if any)
                margin = "not compared on this metric" + (" (see the checks)" if plan.checks else "")
            lines.append(f" {mark} {row.option:<{width}}  {_fmt(row.value):>10}  rank {row.rank}  {margin}  - {row.played_as}")
        for letter, why in plan.not_played.items():
            lines.append(f"   {letter}  not played - {why}")
        if self.checks is not None and len(self.checks):
            for name, rows in self.checks.groupby("check", sort=False):
                lines.append(f"Check: {name}")
                for row in rows.itertuples():
                    mark = "*" if row.is_correct else " "
                    lines.append(f" {mark} {row.option:<{width}}  {_fmt(row.value):>10}  margin {_fmt(row.margin_achieved)}"
                                 + (f"  met on {row.seeds_met}/{self.n_seeds} seeds" if self.seeds else ""))
        verdict = "confirms" if self.passed else "does NOT confirm"
        lines.append(f"The evidence {verdict} the key ({', '.join(self.scenario.correct)}).")
        if plan.reading:
            lines.append(plan.reading)
        for check in plan.checks:
            if check.reading:
                lines.append(check.reading)
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


def compared_with_key(option: str, is_correct: bool, versus: tuple[str, ...] | None) -> bool:
    """Whether ``option``'s margin counts in the verdict: a key, or a wrong option named in ``versus``
    (``None`` = every wrong option). The others get a NaN margin in :func:`judge`."""
    return bool(is_correct) or versus is None or option in versus


def judge(values: pd.Series, plan: EvidencePlan, correct: tuple[str, ...],
          versus: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The evidence table for metric ``values`` (option letter -> value) under ``plan``'s rule.

    ``versus`` (default ``plan.versus``; ``None`` = every wrong option) names the wrong
    options the key is compared with; the others get a NaN margin (they are judged elsewhere).
    """
    values = values.astype(float)
    versus = plan.versus if versus is None else versus
    oriented = values if plan.higher_is_better else -values
    is_correct = pd.Series([option_letter(label) in correct for label in values.index], index=values.index)
    compared = pd.Series([compared_with_key(label, c, versus) for label, c in is_correct.items()], index=values.index)
    wrong = oriented[~is_correct & compared]
    right = oriented[is_correct]
    margins = {}
    for letter, value in oriented.items():
        if is_correct[letter]:
            margins[letter] = lead(value, wrong.max(), plan.margin_kind) if len(wrong) else float("nan")
        elif compared[letter]:
            margins[letter] = lead(right.min(), value, plan.margin_kind) if len(right) else float("nan")
        else:
            margins[letter] = float("nan")
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
            "seeds_met": meets.reindex(values.index).to_numpy().astype(int),
        }
    )
    return table.sort_values("option").reset_index(drop=True)


def combine_seeds(tables: Mapping[int, pd.DataFrame], plan: EvidencePlan) -> pd.DataFrame:
    """One table from the judged tables of several paired seeds.

    ``value`` is the mean over seeds, ``margin_achieved`` the smallest margin any seed
    gave, ``seeds_met`` the number of seeds on which the margin was met, and
    ``meets_margin`` is true only when it was met on every seed; ranks come from the means.
    """
    stacked = pd.concat([t.assign(seed=s) for s, t in tables.items()], ignore_index=True)
    grouped = stacked.groupby("option", sort=True)
    first = grouped.first()
    table = pd.DataFrame({
        "option": first.index.astype(str),
        "played_as": first["played_as"].to_numpy(),
        "value": grouped["value"].mean().to_numpy(),
        "is_correct": first["is_correct"].to_numpy(),
        "margin_achieved": grouped["margin_achieved"].min(skipna=False).to_numpy(),
        "seeds_met": grouped["meets_margin"].sum().astype(int).to_numpy(),
    })
    table["meets_margin"] = table["seeds_met"] == len(tables)
    oriented = table["value"] if plan.higher_is_better else -table["value"]
    table["rank"] = oriented.rank(ascending=False, method="min", na_option="bottom").astype(int).to_numpy()
    return table[list(TABLE_COLUMNS)].reset_index(drop=True)


def run(scenario: Scenario, chart: bool = True, seeds: Sequence[int] | None = None) -> Evidence:
    """Play every option of a simulated scenario and return the evidence.

    Args:
        scenario: a scenario with ``kind: simulated``.
        chart: also draw the matplotlib figure (skip it in tests that only need numbers).
        seeds: shop seeds to play (default: the plan's ``seeds``; none = one run on the shop's own seed).

    Raises:
        ValueError: for a concept-only scenario (nothing to play).
        workbench.exam.recipes.EvidenceUnavailable: when the recipe cannot produce the plan's metric.
    """
    if scenario.evidence is None:
        raise ValueError(f"{scenario.file}: scenario {scenario.id!r} is concept-only; there is nothing to simulate.")
    plan = scenario.evidence
    seeds = tuple(plan.seeds if seeds is None else seeds)
    recipe = RECIPES[plan.recipe]
    if seeds and not recipe.plays_seeds:
        raise ValueError(f"{scenario.file}: recipe {plan.recipe!r} is deterministic; it does not play several seeds.")
    letters = list(plan.options)
    results: dict[int, RecipeResult] = {}
    tables: dict[int, pd.DataFrame] = {}
    for seed in seeds or (None,):
        seeded = plan if seed is None else dataclasses.replace(plan, shop={**plan.shop, "seed": int(seed)})
        result = recipe.run(seeded)
        results[seed] = result
        tables[seed] = judge(result.values.reindex(letters), plan, scenario.correct)
    first = next(iter(results.values()))
    if seeds:
        table = combine_seeds(tables, plan)
        per_seed = pd.concat([t.assign(seed=s) for s, t in tables.items()], ignore_index=True)
        series = _mean_series([r.series for r in results.values()])
    else:
        table, per_seed, series = tables[None], None, first.series
    checks = _run_checks(scenario, plan, recipe, seeds) if plan.checks else None
    evidence = Evidence(scenario=scenario, table=table, series=series, details=first.details, seeds=seeds,
                        per_seed=per_seed, checks=checks)
    if chart:
        evidence.figure = draw(evidence, first.step_label, first.markers)
    return evidence


def _mean_series(frames: list[pd.DataFrame | None]) -> pd.DataFrame | None:
    """Mean of the option-over-time series of several seeds (``None`` when the recipe has no time axis)."""
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return None
    stacked = pd.concat(frames, ignore_index=True)
    return stacked.groupby(["option", "step"], as_index=False, sort=False)["value"].mean()


def _run_checks(scenario: Scenario, plan: EvidencePlan, recipe, seeds: tuple[int, ...]) -> pd.DataFrame:
    """Judge every ``evidence.checks`` comparison on the same (cached) runs, seed by seed."""
    rows = []
    for check in plan.checks:
        letters = [label for label in plan.options if option_letter(label) in scenario.correct] + list(check.versus)
        sub = dataclasses.replace(
            plan, metric=check.metric, margin=check.margin, margin_kind=check.margin_kind,
            higher_is_better=check.higher_is_better, aggregate=check.aggregate, last_days=check.last_days,
            versus=check.versus,
        )
        tables = {}
        for seed in seeds or (None,):
            seeded = sub if seed is None else dataclasses.replace(sub, shop={**sub.shop, "seed": int(seed)})
            values = recipe.run(seeded).values.reindex(letters)
            tables[seed] = judge(values, sub, scenario.correct, versus=check.versus)
        table = combine_seeds(tables, sub) if seeds else tables[None]
        name = f"{check.metric}: {', '.join(scenario.correct)} vs {', '.join(check.versus)}"
        for row in table.itertuples():
            rows.append({"check": name, "metric": check.metric, "option": row.option, "value": row.value,
                         "is_correct": row.is_correct, "margin_achieved": row.margin_achieved,
                         "meets_margin": row.meets_margin, "seeds_met": row.seeds_met})
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def draw(evidence: Evidence, step_label: str = "day", markers: pd.DataFrame | None = None):
    """The metric per option: lines over simulated time, or bars when there is no time axis.

    Lines use :func:`workbench.plots.timeline` (3-day trailing mean, drift markers);
    the judged window (``last_days``) is shaded grey and the
    keyed option is labelled ``(key)``.
    """
    from matplotlib.figure import Figure

    from ..plots import timeline
    from ..wording import axis_label

    plan = evidence.plan
    correct = set(evidence.scenario.correct)
    if evidence.series is not None and len(evidence.series):
        figure = Figure(figsize=(9, 4))
        axis = figure.subplots()
        daily = evidence.series.assign(
            option=[f"{o} (key)" if option_letter(str(o)) in correct else str(o) for o in evidence.series["option"]]
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
        colors = ["tab:green" if c else "tab:gray" for c in table["is_correct"]]  # variants share their option's colour
        axis.bar(table["option"], table["value"].fillna(0.0), color=colors)
        axis.set_xlabel("option (green = key)")
        axis.set_ylabel(axis_label(plan.metric))
    axis.set_title(f"{evidence.scenario.id}: {axis_label(plan.metric)}")
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


__all__ = ["CHECK_COLUMNS", "Evidence", "TABLE_COLUMNS", "combine_seeds", "draw", "judge", "lead", "run", "run_all"]
