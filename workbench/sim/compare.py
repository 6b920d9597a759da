"""Paired comparisons of policies over seeds: mean, paired difference with a 95% CI, wins.

Every policy of a shop meets the same visits (common random numbers,
:mod:`workbench.sim.crn`), so the difference between two policies on one seed is
not blurred by different luck; over several seeds the paired differences give a
confidence interval (Student's t on the per-seed differences).

    >>> table = paired_comparison(shop, {"stale": {"kind": "stale"},
    ...                                  "tracked": {"kind": "event_tracker"}},
    ...                           seeds=[1, 2, 3], metric="uplift_per_visit")  # doctest: +SKIP

One row per policy: ``policy, metric, mean, reference, diff, ci_low, ci_high, wins, seeds`` -- ``diff`` is
the mean paired difference to the reference policy (the first one unless named),
``wins`` the number of seeds on which the policy's value beats the reference's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .config import Policy, ShopConfig
from .runner import compare_policies


def window_mean(daily: pd.DataFrame, metric: str, window: tuple[int, int | None] | None = None) -> float:
    """Mean of ``metric`` over run days ``window = (first, stop)`` (``stop`` exclusive or ``None`` = the end;
    negative = counted from the end).

    ``None`` = every day. Per-visit metrics (``uplift_per_visit``, ``revenue_per_visit``,
    ``purchases_per_visit``) are taken as totals over the window divided by its visits,
    so busy days weigh more, like a real report.
    """
    if metric not in daily.columns:
        raise KeyError(f"metric {metric!r} is not a daily column; see workbench.sim.DAILY_COLUMNS.")
    rows = _window(daily, window)
    totals = {"uplift_per_visit": "incremental_revenue", "revenue_per_visit": "total_revenue",
              "purchases_per_visit": "purchases"}
    if metric in totals and rows["visits"].sum() > 0:
        return float(rows[totals[metric]].sum() / rows["visits"].sum())
    return float(rows[metric].mean())


def _window(daily: pd.DataFrame, window: tuple[int, int] | None) -> pd.DataFrame:
    if window is None:
        return daily
    n = int(daily["day"].max()) + 1 if len(daily) else 0
    first, stop = window
    first = first if first >= 0 else n + first
    stop = n if stop is None else (stop if stop >= 0 else n + stop)
    return daily[(daily["day"] >= first) & (daily["day"] < stop)]


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the two ends of its Student-t confidence interval (NaN ends for fewer than 2 values)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return mean, mean - half, mean + half


def paired_comparison(
    shop: ShopConfig,
    policies: Mapping[str, Policy | Mapping[str, Any]],
    seeds: Sequence[int],
    metric: str = "uplift_per_visit",
    window: tuple[int, int] | None = None,
    reference: str | None = None,
    daily: pd.DataFrame | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Per policy: mean of ``metric`` over seeds, paired difference to ``reference`` with a 95% CI, wins.

    Args:
        shop: the shop (its ``seed`` is replaced by each of ``seeds``).
        policies: name -> :class:`Policy` (or dict); the ``none`` baseline is played per seed anyway.
        seeds: seeds to pair over (at least 2 for a CI).
        metric: a daily column (see :data:`workbench.sim.DAILY_COLUMNS`).
        window: run days ``(first, stop)`` to average over (``stop`` exclusive, ``None`` = the end,
            negative = counted from the end): ``(0, 14)`` the first two weeks, ``(-28, None)``
            the last four; ``None`` = the whole run.
        reference: the policy differences are taken against (default: the first).
        daily: reuse a frame from :func:`compare_policies` with ``seeds`` (skips the runs).
        progress: show progress bars.

    The per-seed values are in ``result.attrs["per_seed"]`` as records ``{"policy", "seed", "value"}``
    (plain data, so the table still concatenates; ``pd.DataFrame(table.attrs["per_seed"])``).
    """
    names = list(policies)
    reference = names[0] if reference is None else reference
    if reference not in names:
        raise ValueError(f"reference {reference!r} is not one of the policies {names}.")
    if daily is None:
        daily = compare_policies(shop, policies, progress=progress, seeds=list(seeds))
    per_seed = per_seed_values(daily, metric, window)
    rows = []
    for name in names:
        diff = per_seed.loc[name] - per_seed.loc[reference]
        mean, low, high = mean_ci(diff.to_numpy())
        rows.append({"policy": name, "metric": metric, "mean": float(per_seed.loc[name].mean()),
                     "reference": reference, "diff": mean, "ci_low": low, "ci_high": high,
                     "wins": int((diff > 0).sum()), "seeds": int(diff.notna().sum())})
    table = pd.DataFrame(rows)
    long = per_seed.stack().rename("value").reset_index()
    table.attrs["per_seed"] = long.to_dict("records")
    return table


def per_seed_values(daily: pd.DataFrame, metric: str, window: tuple[int, int] | None = None) -> pd.DataFrame:
    """``policy x seed`` table of :func:`window_mean` from a :func:`compare_policies` frame with seeds."""
    if "seed" not in daily.columns:
        daily = daily.assign(seed=0)
    values = {(p, s): window_mean(g, metric, window) for (p, s), g in daily.groupby(["policy", "seed"], sort=False)}
    out = pd.Series(values).unstack()
    out.index.name, out.columns.name = "policy", "seed"
    return out
