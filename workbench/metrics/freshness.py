"""Freshness: how old is the newest behaviour a served list reflects?

The simulator (``workbench.sim``) records, for every list it serves, the time it
was served and the timestamp of the newest interaction the model had learned
from when it produced the list. Their difference is the list's *freshness age*.
A model retrained nightly serves lists up to a day old; a model fed by an event
tracker (RT-02) reflects events from seconds ago. The daily simulator table
reports the median and the 90th percentile of these ages.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..constants import SECONDS_PER_HOUR


def _as_float_array(values: Iterable[float] | float) -> np.ndarray:
    """A 1-d float array from one number, an array or any iterable."""
    if np.isscalar(values):
        values = [values]
    elif not isinstance(values, np.ndarray):
        values = list(values)
    return np.asarray(values, dtype=float).ravel()


def _valid_ages(ages_hours: Iterable[float]) -> np.ndarray:
    """The ages as floats, NaN dropped."""
    ages = _as_float_array(ages_hours)
    return ages[~np.isnan(ages)]


def freshness(served_at: Iterable[float] | float, newest_event_used: Iterable[float] | float) -> np.ndarray:
    """Age in hours of the newest event each served list reflects.

    Formula: ``(served_at - newest_event_used) / 3600`` with both in Unix epoch
    **seconds** (Personalize's TIMESTAMP unit).

    Args:
        served_at: when each list was served (one value or an array).
        newest_event_used: TIMESTAMP of the newest interaction the model had used
            for that list (one value broadcasts to every list).

    Returns:
        float array of ages in hours. NaN where ``newest_event_used`` is NaN (a list
        that reflects no event at all, e.g. a cold model).

    Raises:
        ValueError: when an event is newer than the moment its list was served (the
            model cannot have used the future: usually milliseconds mixed with seconds),
            or when the lengths differ.
    """
    served = _as_float_array(served_at)
    newest = _as_float_array(newest_event_used)
    if len(newest) == 1 and len(served) != 1:
        newest = np.repeat(newest, len(served))
    if len(served) == 1 and len(newest) != 1:
        served = np.repeat(served, len(newest))
    if len(served) != len(newest):
        raise ValueError(f"served_at has {len(served)} values but newest_event_used has {len(newest)}")
    age = (served - newest) / SECONDS_PER_HOUR
    negative = np.flatnonzero(age < 0)
    if len(negative):
        i = int(negative[0])
        raise ValueError(
            f"list {i}: newest_event_used ({newest[i]:.0f}) is after served_at ({served[i]:.0f}); "
            "both must be Unix epoch seconds and the event must precede the list."
        )
    return age


def freshness_median(ages_hours: Iterable[float]) -> float:
    """Median age in hours (NaN ages skipped; NaN when nothing is left)."""
    ages = _valid_ages(ages_hours)
    return float(np.median(ages)) if len(ages) else float("nan")


def freshness_p90(ages_hours: Iterable[float]) -> float:
    """90th percentile of the ages in hours (linear interpolation; NaN ages skipped)."""
    ages = _valid_ages(ages_hours)
    return float(np.percentile(ages, 90)) if len(ages) else float("nan")


def freshness_summary(ages_hours: Iterable[float]) -> dict[str, float]:
    """``{"median_hours", "p90_hours", "mean_hours", "max_hours", "n_lists"}`` of the ages (NaN skipped)."""
    ages = _as_float_array(ages_hours)
    valid = ages[~np.isnan(ages)]
    return {
        "median_hours": freshness_median(valid),
        "p90_hours": freshness_p90(valid),
        "mean_hours": float(valid.mean()) if len(valid) else float("nan"),
        "max_hours": float(valid.max()) if len(valid) else float("nan"),
        "n_lists": int(len(ages)),
    }
