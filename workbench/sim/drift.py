"""What changes in the shop over time, and the markers that plots draw for it.

Every change is a mechanism inside the customers' utility, never a scripted
sales curve:

* **season** -- ``season_strength * affinity[category] * cos(2 pi (day_of_year - 15) / 365.25)``:
  winter categories (boots, slippers) gain utility towards mid-January, summer ones
  (sandals) towards mid-July;
* **taste drift** -- each customer's taste is a mean-reverting random walk around
  their demographic prior: per day ``x <- prior + a (x - prior) + sqrt(1 - a^2) * std * eps``
  with ``a = 1 - taste_drift``; the spread of tastes stays the same, but who likes
  what changes (after ``k`` days the old taste keeps weight ``a^k``);
* **trend shift** -- from ``trend_shift_day`` one brand gains up to
  ``trend_strength`` utility, ramping in linearly over :data:`TREND_RAMP_DAYS`;
* **campaign** -- items of one category or brand gain ``boost`` utility during a window;
* **boredom** and **novelty** are per item and live in :mod:`workbench.sim.behaviour`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..constants import SECONDS_PER_DAY
from .catalog import BRANDS, CATEGORIES, SEASON_AFFINITY

TREND_RAMP_DAYS = 14
"""Days a trend needs to reach full strength."""

SEASON_PEAK_DAY_OF_YEAR = 15
"""Day of year when winter categories peak (summer ones bottom out), mid-January."""

_SEASON_STARTS = ((3, 20, "spring"), (6, 21, "summer"), (9, 22, "autumn"), (12, 21, "winter"))


def season_index(t: float) -> float:
    """+1 in mid-January, -1 in mid-July (cosine over the year) for epoch seconds ``t``."""
    day = dt.datetime.fromtimestamp(float(t), tz=dt.UTC).timetuple().tm_yday
    return float(np.cos(2.0 * np.pi * (day - SEASON_PEAK_DAY_OF_YEAR) / 365.25))


def season_affinity() -> np.ndarray:
    """Season affinity per category (+ winter, - summer), in :data:`CATEGORIES` order."""
    return np.array([SEASON_AFFINITY.get(c, 0.0) for c in CATEGORIES])


def trend_ramp(day: float, trend_shift_day: int | None) -> float:
    """Share of the trend that is active on ``day`` (0 before the shift, 1 after the ramp)."""
    if trend_shift_day is None:
        return 0.0
    return float(np.clip((day - trend_shift_day) / TREND_RAMP_DAYS, 0.0, 1.0))


def campaign_active(day: int, campaign: dict[str, Any] | None) -> bool:
    """True when ``day`` (after warm-up) is inside the campaign window."""
    if not campaign:
        return False
    start = int(campaign.get("start_day", 0))
    return start <= day < start + int(campaign.get("days", 14))


def check_campaign(campaign: dict[str, Any] | None) -> None:
    """Raise a clear error for a malformed campaign setting."""
    if not campaign:
        return
    allowed = {"start_day", "days", "category", "brand", "boost"}
    unknown = sorted(set(campaign) - allowed)
    if unknown:
        raise ValueError(f"ShopConfig.campaign has unknown keys {unknown}; allowed: {sorted(allowed)}.")
    if ("category" in campaign) == ("brand" in campaign):
        raise ValueError("ShopConfig.campaign needs exactly one of 'category' or 'brand' (the promoted product line).")
    if "category" in campaign and campaign["category"] not in CATEGORIES:
        raise ValueError(f"ShopConfig.campaign category {campaign['category']!r} is not one of {CATEGORIES}.")
    if "brand" in campaign and campaign["brand"] not in BRANDS:
        raise ValueError(f"ShopConfig.campaign brand {campaign['brand']!r} is not one of {BRANDS}.")


def drift_tastes(
    taste: np.ndarray, prior: np.ndarray, std: np.ndarray, days: np.ndarray, rate: float,
    rng: np.random.Generator | None = None, noise: np.ndarray | None = None,
) -> np.ndarray:
    """Advance tastes by ``days`` (per row) of the mean-reverting random walk in one exact step.

    ``k`` daily steps of ``x <- prior + a (x - prior) + sqrt(1 - a^2) std eps`` equal one step
    with ``a^k`` and noise scale ``sqrt(1 - a^(2k))``, so customers are only updated when they visit.
    ``noise`` gives the standard normal draws (the simulator keys them by customer and day,
    see :mod:`workbench.sim.crn`); otherwise they come from ``rng``.
    """
    if rate <= 0:
        return taste
    keep = (1.0 - rate) ** np.asarray(days, dtype=float)[:, None]
    if noise is None:
        noise = rng.normal(0.0, 1.0, taste.shape)
    return prior + keep * (taste - prior) + noise * std * np.sqrt(1.0 - keep**2)


def drift_markers(
    start: int, warmup_days: int, days: int, trend_shift_day: int | None, trend_brand: str, campaign: dict | None,
    season: bool = True,
) -> pd.DataFrame:
    """Drift events inside the run as a frame ``day, date, kind, label`` (days after warm-up).

    ``season=False`` (a season switched off or without strength) leaves out the season starts;
    ``trend_shift_day=None`` the trend shift.
    """
    rows = []
    day0 = start + warmup_days * SECONDS_PER_DAY
    first = dt.datetime.fromtimestamp(day0, tz=dt.UTC).date()
    for day in range(days if season else 0):
        date = first + dt.timedelta(days=day)
        for month, dom, name in _SEASON_STARTS:
            if (date.month, date.day) == (month, dom):
                rows.append((day, date, "season", f"{name} starts"))
    if trend_shift_day is not None and 0 <= trend_shift_day < days:
        rows.append((trend_shift_day, first + dt.timedelta(days=trend_shift_day), "trend", f"{trend_brand} trend begins"))
    if campaign:
        line = campaign.get("category") or campaign.get("brand")
        s = int(campaign.get("start_day", 0))
        e = s + int(campaign.get("days", 14))
        if 0 <= s < days:
            rows.append((s, first + dt.timedelta(days=s), "campaign", f"{line} campaign starts"))
        if 0 <= e < days:
            rows.append((e, first + dt.timedelta(days=e), "campaign", f"{line} campaign ends"))
    frame = pd.DataFrame(rows, columns=["day", "date", "kind", "label"])
    return frame.sort_values("day", kind="stable").reset_index(drop=True)
