"""Derived user features from an interaction log: activity level and purchase cycle (GN-19).

Raw events say *what happened*; features summarise *what kind of customer* this
is, in numbers a model, a segment rule or an analyst can use. :func:`user_features`
computes one row per user:

* **activity** -- ``events``, ``active_days`` (distinct UTC days with an event),
  ``events_per_active_day``, ``days_since_last_event`` and ``activity_level``:
  ``"light"``, ``"regular"`` or ``"heavy"`` by where the user's event count falls
  among all users (quantile cut points ``level_quantiles``, default the median and
  the 90th percentile).
* **purchase cycle** -- ``purchases``, ``purchase_days`` (distinct days with a
  purchase), ``purchase_cycle_days`` (the median gap in days between consecutive
  purchase days), ``days_since_last_purchase`` and ``days_until_due`` (cycle minus
  time since the last purchase: negative = the usual next purchase is overdue,
  a natural moment for a reminder or a replenishment recommendation).

Days are whole UTC days (``TIMESTAMP // 86400``), so several items bought in one
order count as one purchase day and do not create zero-length gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import EVENT_PURCHASE, EVENT_TYPE, SECONDS_PER_DAY, TIMESTAMP, USER_ID
from .errors import DatasetError

__all__ = ["ACTIVITY_LEVELS", "FEATURE_COLUMNS", "activity_levels", "user_features"]

ACTIVITY_LEVELS = ("light", "regular", "heavy")
"""Labels of :func:`activity_levels`, least active first."""

FEATURE_COLUMNS = (
    USER_ID, "events", "active_days", "events_per_active_day", "days_since_last_event", "activity_level",
    "purchases", "purchase_days", "purchase_cycle_days", "days_since_last_purchase", "days_until_due",
)
"""Columns of :func:`user_features`, in order."""


def activity_levels(events: pd.Series, quantiles: tuple[float, float] = (0.5, 0.9)) -> pd.Series:
    """Label event counts ``light`` / ``regular`` / ``heavy`` by quantile cut points.

    With cut points ``a = quantile(q1)`` and ``b = quantile(q2)`` of the counts:
    ``count <= a`` is light, ``a < count <= b`` regular, ``count > b`` heavy.

    Edge cases: when many users share a count the cut points can coincide, so a
    level may be empty (never an error); an empty input gives an empty result.
    """
    low_q, high_q = quantiles
    if not 0.0 < low_q < high_q < 1.0:
        raise ValueError(f"quantiles must satisfy 0 < q1 < q2 < 1, got {quantiles}")
    counts = events.astype(float)
    if counts.empty:
        return pd.Series([], index=events.index, dtype=object, name="activity_level")
    low, high = counts.quantile(low_q), counts.quantile(high_q)
    labels = np.where(counts > high, ACTIVITY_LEVELS[2], np.where(counts > low, ACTIVITY_LEVELS[1], ACTIVITY_LEVELS[0]))
    return pd.Series(labels, index=events.index, dtype=object, name="activity_level")


def _median_gap(days: np.ndarray) -> float:
    """Median difference between consecutive sorted distinct days (NaN with fewer than two)."""
    return float(np.median(np.diff(days))) if len(days) >= 2 else float("nan")


def user_features(
    interactions: pd.DataFrame,
    *,
    purchase_event: str | None = EVENT_PURCHASE,
    now: int | None = None,
    level_quantiles: tuple[float, float] = (0.5, 0.9),
) -> pd.DataFrame:
    """One row of activity and purchase-cycle features per user (see the module docstring).

    Args:
        interactions: USER_ID, TIMESTAMP (epoch seconds) and, unless
            ``purchase_event`` is None, EVENT_TYPE.
        purchase_event: the EVENT_TYPE that counts as a purchase (compared
            case-insensitively); ``None`` counts every event as a purchase, for
            logs that only hold orders.
        now: the reference time for "days since" (default: the latest TIMESTAMP).
        level_quantiles: cut points of :func:`activity_levels`.

    Returns:
        Columns :data:`FEATURE_COLUMNS`, most active users first (ties by USER_ID).
        ``purchase_cycle_days`` and ``days_until_due`` are NaN for users with fewer
        than two purchase days; ``days_since_last_purchase`` is NaN without any purchase.

    Raises:
        DatasetError: a required column is missing, or a TIMESTAMP is missing or not a number.
    """
    needed = [USER_ID, TIMESTAMP] + ([EVENT_TYPE] if purchase_event is not None else [])
    for column in needed:
        if column not in interactions.columns:
            fix = ("pass purchase_event=None to count every event as a purchase."
                   if column == EVENT_TYPE else f"rename the column that holds {column.lower()} values to {column}.")
            raise DatasetError("the interactions frame has no such column.", column=column, fix=fix)
    times = pd.to_numeric(interactions[TIMESTAMP], errors="coerce")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0]) + 1
        raise DatasetError("TIMESTAMP is missing or not a number.", row=row, column=TIMESTAMP,
                           fix="use Unix epoch seconds (see workbench.data.map_columns to convert).")
    frame = pd.DataFrame({
        USER_ID: interactions[USER_ID].astype(str).to_numpy(),
        "t": times.to_numpy(dtype=float),
    })
    frame["day"] = np.floor(frame["t"] / SECONDS_PER_DAY).astype("int64")
    if purchase_event is None:
        frame["purchase"] = True
    else:
        frame["purchase"] = interactions[EVENT_TYPE].astype(str).str.lower().to_numpy() == purchase_event.lower()
    reference = float(frame["t"].max()) if now is None else float(now)

    by_user = frame.groupby(USER_ID, sort=True)
    table = pd.DataFrame({
        "events": by_user.size(),
        "active_days": by_user["day"].nunique(),
        "last_event": by_user["t"].max(),
        "purchases": by_user["purchase"].sum().astype("int64"),
    })
    table["events_per_active_day"] = table["events"] / table["active_days"]
    table["days_since_last_event"] = (reference - table["last_event"]) / SECONDS_PER_DAY
    table["activity_level"] = activity_levels(table["events"], level_quantiles)

    bought = frame[frame["purchase"]]
    purchase_days = bought.groupby(USER_ID)["day"].unique()
    table["purchase_days"] = purchase_days.map(len).reindex(table.index).fillna(0).astype("int64")
    cycle = purchase_days.map(lambda days: _median_gap(np.sort(days)))
    table["purchase_cycle_days"] = cycle.reindex(table.index).astype(float)
    last_purchase = bought.groupby(USER_ID)["t"].max().reindex(table.index)
    table["days_since_last_purchase"] = (reference - last_purchase) / SECONDS_PER_DAY
    table["days_until_due"] = table["purchase_cycle_days"] - table["days_since_last_purchase"]

    table = table.reset_index().sort_values(["events", USER_ID], ascending=[False, True], kind="stable")
    return table[list(FEATURE_COLUMNS)].reset_index(drop=True)
