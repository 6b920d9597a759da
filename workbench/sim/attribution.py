"""Which cause makes a once-trained model's uplift decline? Switch causes on and off and measure.

For a policy (``stale`` by default) the *uplift per visit* is its revenue per visit
minus that of the ``none`` run on the same shop and seed (common random numbers:
the same visits). Its **decline** is the uplift in the first weeks minus the uplift
in the last weeks. :func:`attribute_decline` measures that decline

* in the world with every cause on (``all on``) and with every cause off (``all off``:
  the acid test -- nothing changes, so the uplift should stay flat);
* for each cause alone on (every other cause off): what that cause can do by itself;
* for each cause alone off (every other cause on): what is lost without it.

Every number is paired over seeds and given with a 95% Student-t interval. The causes
are :data:`workbench.sim.config.CAUSES`; switching one off keeps every other draw of
the world (:attr:`ShopConfig.causes_off`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import mean_ci, window_mean
from .config import CAUSES, Policy, ScenarioConfig, ShopConfig
from .runner import run_scenario


def uplift_decline(daily: pd.DataFrame, early: tuple[int, int | None], late: tuple[int, int | None]) -> dict:
    """Uplift per visit in the ``early`` and ``late`` windows of a paired daily frame, and their difference."""
    first = window_mean(daily, "uplift_per_visit", early)
    last = window_mean(daily, "uplift_per_visit", late)
    return {"early_uplift": first, "late_uplift": last, "decline": first - last}


def uplift_slope(daily: pd.DataFrame) -> float:
    """Least-squares slope of the daily uplift per visit, per 30 days (the acid test's statistic)."""
    y = daily["uplift_per_visit"].to_numpy(dtype=float)
    x = daily["day"].to_numpy(dtype=float)
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return np.nan
    return float(np.polyfit(x[ok], y[ok], 1)[0] * 30.0)


def attribute_decline(
    shop: ShopConfig,
    policy: Policy | dict | str = "stale",
    seeds: Sequence[int] = (1, 2, 3),
    causes: Sequence[str] = CAUSES,
    early: tuple[int, int | None] = (0, 21),
    late: tuple[int, int | None] = (-21, None),
    progress: bool = False,
    modes: Sequence[str] = ("alone on", "alone off"),
    cached: bool = False,
) -> pd.DataFrame:
    """Tidy table of the policy's uplift decline per cause setting, paired over seeds.

    Args:
        shop: the shop (``seed`` replaced by each seed; ``causes_off`` is overridden).
        policy: the policy whose uplift is measured (a kind name, dict or :class:`Policy`).
        seeds: seeds to pair over.
        causes: causes to attribute (default all of :data:`CAUSES`).
        early, late: run-day windows ``(first, stop)`` compared (default: first three
            weeks vs last three weeks).
        progress: show progress bars.
        modes: which per-cause settings to play: ``"alone on"`` and/or ``"alone off"``
            (``all on`` and ``all off`` are always played).
        cached: play through :func:`workbench.sim.cache.cached_run` (on-disk cache), so a
            chapter re-uses runs it played before.

    Returns:
        One row per setting: ``setting`` (``all on``, ``all off``, ``<cause> alone on``,
        ``<cause> alone off``), ``cause``, ``causes_on``, ``decline`` (mean over seeds),
        ``ci_low``, ``ci_high``, ``decline_share`` (decline / early uplift, per seed, with
        ``share_ci_low`` / ``share_ci_high``: comparable across settings whose uplift levels
        differ, e.g. with and without the budget), ``early_uplift``, ``late_uplift``,
        ``slope_per_30d`` (mean), ``seeds``. Per-seed rows are in ``result.attrs["per_seed"]`` as
        records (plain data, so tables still concatenate): ``pd.DataFrame(table.attrs["per_seed"])``.
    """
    if isinstance(policy, str):
        policy = Policy(kind=policy)
    elif not isinstance(policy, Policy):
        policy = Policy.from_dict(policy)
    bad = [c for c in causes if c not in CAUSES]
    if bad:
        raise ValueError(f"attribute_decline: unknown causes {bad}; valid: {', '.join(CAUSES)}.")
    unknown_modes = sorted(set(modes) - {"alone on", "alone off"})
    if unknown_modes:
        raise ValueError(f"attribute_decline: unknown modes {unknown_modes}; use 'alone on' and/or 'alone off'.")
    settings: list[tuple[str, str, list[str]]] = [("all on", "", list(CAUSES)), ("all off", "", [])]
    for cause in causes:
        if "alone on" in modes:
            settings.append((f"{cause} alone on", cause, [cause]))
        if "alone off" in modes:
            settings.append((f"{cause} alone off", cause, [c for c in CAUSES if c != cause]))
    rows = []
    for label, cause, on in settings:
        for seed in seeds:
            world = dataclasses.replace(shop, seed=int(seed)).with_causes(on=on)
            config = ScenarioConfig(shop=world, policy=policy, name=label)
            if cached:
                from .cache import cached_run

                daily = cached_run(config, baseline=True, progress=progress)["daily"]
            else:
                daily = run_scenario(config, progress=progress, baseline=True).daily
            rows.append({"setting": label, "cause": cause, "causes_on": "+".join(on) or "-", "seed": int(seed),
                         **uplift_decline(daily, early, late), "slope_per_30d": uplift_slope(daily)})
    per_seed = pd.DataFrame(rows)
    table = []
    for (label, cause, on), group in per_seed.groupby(["setting", "cause", "causes_on"], sort=False):
        mean, low, high = mean_ci(group["decline"])
        share = mean_ci(group["decline"] / group["early_uplift"])
        table.append({"setting": label, "cause": cause, "causes_on": on, "decline": mean, "ci_low": low,
                      "ci_high": high, "decline_share": share[0], "share_ci_low": share[1], "share_ci_high": share[2],
                      "early_uplift": group["early_uplift"].mean(),
                      "late_uplift": group["late_uplift"].mean(), "slope_per_30d": group["slope_per_30d"].mean(),
                      "seeds": len(group)})
    out = pd.DataFrame(table)
    out.attrs["per_seed"] = per_seed.to_dict("records")
    return out


def weekly_uplift(daily: pd.DataFrame) -> pd.Series:
    """Uplift per visit of each run week (week total incremental revenue / week visits), indexed by week."""
    week = daily["day"] // 7
    grouped = daily.groupby(week)
    out = grouped["incremental_revenue"].sum(min_count=1) / grouped["visits"].sum()
    out.index.name = "week"
    return out.rename("uplift_per_visit")


def story_shape(daily: pd.DataFrame | pd.Series, early_weeks: int = 4, hold: float = 0.9,
                fall: float = 0.8) -> dict:
    """Does the uplift first grow or hold, then decay? The test of "recommendations lift sales, then lose them".

    On weekly uplift per visit (:func:`weekly_uplift`, complete weeks only):

    * ``peak_week``: the best of the first ``early_weeks`` weeks;
    * ``holds``: the weeks after week 0 up to the peak are not below ``hold`` x week 0's
      uplift -- a plain fall (week 0 best, then lower every week) breaks this as soon as
      week 1 loses more than ``1 - hold`` of week 0;
    * ``rises``: the peak is after week 0;
    * ``decays``: the mean of the last two weeks is at most ``fall`` x the peak.

    ``story`` is ``(rises or holds) and decays``. Pass the daily frame of a run paired with
    its ``none`` baseline (``run_scenario(..., baseline=True)``) or a weekly series.
    """
    weeks = daily if isinstance(daily, pd.Series) else weekly_uplift(
        daily[daily["day"] < (int(daily["day"].max()) + 1) // 7 * 7])
    weeks = weeks.dropna()
    if len(weeks) < early_weeks + 2:
        raise ValueError(f"story_shape needs at least {early_weeks + 2} complete weeks, got {len(weeks)}.")
    values = weeks.to_numpy(dtype=float)
    first = values[:early_weeks]
    peak_week = int(np.argmax(first))
    start = values[0]
    holds = bool(start > 0 and values[1:max(peak_week, 1) + 1].min() >= hold * start)
    tail = float(values[-2:].mean())
    decays = bool(first.max() > 0 and tail <= fall * first.max())
    return {"peak_week": peak_week, "week0": float(start), "peak": float(first.max()),
            "week1": float(values[1]), "tail": tail, "rises": peak_week > 0, "holds": holds, "decays": decays,
            "story": bool((peak_week > 0 or holds) and decays)}
