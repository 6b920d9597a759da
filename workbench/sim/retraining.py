"""How much history each retrained version learns from: every logged event or a rolling window.

:func:`compare_training_windows` plays one scheduled ``retrain`` policy per training window
(``None`` = a FULL version on every logged event) on the same shops and seeds, each paired
with the ``none`` run of its seed, and returns the daily metrics, the versions table and the
:func:`repeat_purchases` of every run. Feed ``daily`` to
:func:`~workbench.sim.compare.paired_comparison` with the returned ``policies`` for paired
differences with confidence intervals; :func:`window_sentences` writes them out (and what the
refits read and cost, and how many sales were repeats) for a chapter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .behaviour import PURCHASE
from .compare import paired_comparison
from .config import Policy, ScenarioConfig, ShopConfig
from .runner import ScenarioResult, run_scenario


def window_label(window: int | None) -> str:
    """The policy name of a training window in tables and legends."""
    return "retrain on every event" if window is None else f"retrain on the last {int(window)} days"


@dataclasses.dataclass
class WindowComparison:
    """What :func:`compare_training_windows` played."""

    shop: ShopConfig
    """The shop (before each seed replaced its ``seed``)."""
    seeds: list[int]
    """The seeds played, in order."""
    policies: dict[str, Policy]
    """Policy name (:func:`window_label`) -> the retrain policy played under it."""
    daily: pd.DataFrame
    """Every run's daily frame with ``policy`` and ``seed`` columns; ``uplift_per_visit`` is filled
    against the paired ``none`` run of the same seed."""
    versions: pd.DataFrame
    """Every run's :attr:`~workbench.sim.ScenarioResult.versions` with ``policy`` and ``seed`` columns."""
    purchases: pd.DataFrame
    """One row per run (``policy``, ``seed``): :func:`repeat_purchases` of the run."""


def repeat_purchases(result: ScenarioResult) -> dict[str, int]:
    """Purchases made from served lists, and how many of them were repeats.

    A repeat is the purchase of a shoe the same customer had bought before (any earlier purchase
    in the log, organic or from a list, warm-up included; same-second purchases count in log
    order). With ``exclude="purchased"`` a purchase filter keeps repeats down to what it does
    not know yet; a training window's filter forgets purchases older than the window.

    Returns:
        ``{"list_purchases": n, "repeat_list_purchases": m}``; ``n`` equals the run's
        ``daily["purchases"].sum()``.
    """
    a = result.log.arrays()
    bought = np.flatnonzero(a["kind"] == PURCHASE)
    bought = bought[np.argsort(a["ts"][bought], kind="stable")]
    pairs = a["user"][bought].astype(np.int64) * (int(a["item"].max(initial=0)) + 1) + a["item"][bought]
    _, first = np.unique(pairs, return_index=True)
    repeat = np.ones(len(bought), dtype=bool)
    repeat[first] = False
    from_list = a["list_id"][bought] >= 0
    return {"list_purchases": int(from_list.sum()), "repeat_list_purchases": int((from_list & repeat).sum())}


def compare_training_windows(shop: ShopConfig, windows: Sequence[int | None] = (None, 28),
                             seeds: Sequence[int] = (0, 1), retrain_every_days: int = 7,
                             model_params: Mapping[str, Any] | None = None,
                             exclude: str = "purchased") -> WindowComparison:
    """Weekly (or ``retrain_every_days``) retraining under each training window, paired over ``seeds``.

    Args:
        shop: the shop (its ``seed`` is replaced by each of ``seeds``).
        windows: ``Policy.training_window_days`` values; ``None`` = every logged event.
        seeds: the shops to play; every policy of a seed meets the same visits.
        retrain_every_days: days between retrains, the same for every window.
        model_params: settings for the model (the same for every window), e.g. ``{"als_reg": 6.0}``
            to hold the ALS penalty fixed: left at ``None`` it scales with each user's history
            (:func:`workbench.recommenders.als.data_scaled_reg`), so a shorter window also means
            a smaller penalty.
        exclude: what every window's lists leave out (:attr:`~workbench.sim.Policy.exclude`). With
            ``"purchased"`` (the default) a window's purchase filter knows only the purchases inside
            the window: older ones are no longer in the re-imported dataset, so the lists may show
            them again. ``"none"`` (no purchase filter for any window) tells that effect from the
            window's model.
    """
    if not windows:
        raise ValueError("compare_training_windows needs at least one window (None = every logged event).")
    policies = {window_label(w): Policy(kind="retrain", retrain_every_days=int(retrain_every_days),
                                        training_window_days=w, model_params=dict(model_params or {}),
                                        exclude=exclude)
                for w in windows}
    if len(policies) != len(windows):
        raise ValueError(f"compare_training_windows got the same window twice: {list(windows)}.")
    return WindowComparison(shop, [int(s) for s in seeds], policies, *play_paired_runs(shop, policies, seeds))


def play_paired_runs(shop: ShopConfig, policies: Mapping[str, Policy],
                     seeds: Sequence[int]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Every policy on every seed, each run paired with the ``none`` run of its seed.

    Returns:
        ``(daily, versions, purchases)``: the runs' daily frames and
        :attr:`~workbench.sim.ScenarioResult.versions` with ``policy`` and ``seed`` columns
        (``uplift_per_visit`` filled against the paired ``none`` run), and one row of
        :func:`repeat_purchases` per run.
    """
    days, versions, purchases = [], [], []
    for seed in seeds:
        seeded = dataclasses.replace(shop, seed=int(seed))
        none = run_scenario(ScenarioConfig(shop=seeded, policy=Policy(kind="none"), name="none"), progress=False)
        for name, policy in policies.items():
            result = run_scenario(ScenarioConfig(shop=seeded, policy=policy, name=name), progress=False, baseline=none)
            days.append(result.daily.assign(policy=name, seed=int(seed)))
            versions.append(result.versions.assign(policy=name, seed=int(seed)))
            purchases.append({"policy": name, "seed": int(seed), **repeat_purchases(result)})
    return pd.concat(days, ignore_index=True), pd.concat(versions, ignore_index=True), pd.DataFrame(purchases)


def interval_text(ci_low: float, ci_high: float) -> str:
    """`` (95% CI -0.16 to +0.58)`` for a sentence, or nothing when there is no interval (one seed)."""
    return f" (95% CI {ci_low:+.2f} to {ci_high:+.2f})" if np.isfinite(ci_low) else ""


def interval_verdict(ci_low: float, ci_high: float) -> str:
    """What a paired difference's 95% interval allows a sentence to claim (NaN ends: one seed)."""
    if not np.isfinite(ci_low):
        return "one seed, so no interval: add seeds before reading anything into it"
    if ci_low > 0:
        return "more: the 95% interval excludes zero"
    if ci_high < 0:
        return "less: the 95% interval excludes zero"
    return "a difference these runs cannot tell from zero (the 95% interval contains it)"


def window_sentences(played: WindowComparison, metric: str = "uplift_per_visit",
                     window: tuple[int, int | None] | None = None) -> str:
    """Markdown: each window against retraining on every event (paired, every number from the runs), what
    the refits read and cost, and how many of the lists' sales were repeat purchases.

    A difference is called a win or a loss only when its 95% interval over seeds excludes zero;
    otherwise the sentence says the runs cannot tell the two apart.
    """
    reference = window_label(None)
    if reference not in played.policies:
        raise ValueError("window_sentences needs the every-event run (window None) to compare against.")
    n = len(played.seeds)
    table = paired_comparison(played.shop, played.policies, played.seeds, metric, window, reference=reference,
                              daily=played.daily)
    label = metric.replace("_", " ")
    lines = []
    for r in table[table["policy"] != reference].itertuples():
        lines.append(f"**{r.policy}** against every event: {label} {r.mean:.2f} vs {r.mean - r.diff:.2f}, "
                     f"paired difference {r.diff:+.2f}{interval_text(r.ci_low, r.ci_high)}, ahead on {r.wins} of "
                     f"{n} seed{'s' if n != 1 else ''}; {interval_verdict(r.ci_low, r.ci_high)}.")
    refits = played.versions[played.versions["day"] > 0]
    for name in played.policies:
        mine = refits[refits["policy"] == name]
        if mine.empty:
            continue
        first, last = (mine[mine["day"] == d] for d in (mine["day"].min(), mine["day"].max()))
        sold = played.purchases[played.purchases["policy"] == name]
        lines.append(f"*{name}*: the first refit learned from {first['trained_events'].mean():,.0f} events in "
                     f"{first['train_seconds'].median() * 1e3:.0f} ms, the last from "
                     f"{last['trained_events'].mean():,.0f} in {last['train_seconds'].median() * 1e3:.0f} ms; "
                     f"its lists sold {sold['list_purchases'].mean():,.0f} shoes per run, "
                     f"{sold['repeat_list_purchases'].mean():,.0f} of them to a customer who had bought "
                     "that shoe before.")
    return " ".join(lines)
