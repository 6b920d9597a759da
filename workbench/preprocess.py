"""Preprocessing an interaction log before training: order, duplicates, event types, outliers, sampling.

Each step is a small function that returns a new frame; :func:`preprocess`
chains the common ones and returns a table saying how many rows each step
removed or changed, so nothing disappears without a trace.

* :func:`sort_events` -- time order (ties keep their original order).
* :func:`drop_duplicate_events` -- identical events recorded twice. Personalize
  itself keeps only one of two events with the same timestamp and identical
  properties, so duplicates inflate nothing there but do inflate local counts.
* :func:`map_event_types` -- merge or rename event types (e.g. ``"Purchase"`` and
  ``"order"`` -> ``"purchase"``).
* :func:`user_activity` -- events per user with a robust z-score; users far above
  the rest (scrapers, test accounts, bots) are flagged as outliers.
* :func:`sample_users` -- keep a seeded share of users with *all* their events
  (sampling events instead would cut every user's history short).
* :func:`remove_items` -- take products out of a log as if they had never existed:
  their events go, and so do their mentions in the ``IMPRESSION`` lists of other events
  (a model that reads impressions would otherwise learn they were shown and passed over).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .constants import EVENT_TYPE, IMPRESSION, ITEM_ID, TIMESTAMP, USER_ID
from .errors import DatasetError

__all__ = [
    "drop_duplicate_events",
    "map_event_types",
    "preprocess",
    "remove_items",
    "sample_users",
    "sort_events",
    "user_activity",
]

DEFAULT_DUPLICATE_KEY = (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE)
"""Columns that make two events identical (those present in the frame are used)."""


def _require(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise DatasetError("the interactions frame has no such column.", column=column,
                               fix="use the Personalize column names (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE).")


def sort_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Events in time order; events with the same TIMESTAMP keep their original order."""
    _require(frame, TIMESTAMP)
    return frame.sort_values(TIMESTAMP, kind="stable").reset_index(drop=True)


def drop_duplicate_events(frame: pd.DataFrame, key: Sequence[str] | None = None) -> tuple[pd.DataFrame, int]:
    """Remove exact repeats of an event, keeping the first.

    Args:
        frame: interactions.
        key: columns that must all match for two rows to be the same event
            (default: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, whichever exist).

    Returns:
        ``(frame without repeats, number of rows removed)``.
    """
    columns = [c for c in (key or DEFAULT_DUPLICATE_KEY) if c in frame.columns]
    if not columns:
        raise DatasetError("none of the duplicate-key columns exist.", fix=f"pass key= among {list(frame.columns)}.")
    repeated = frame.duplicated(subset=columns, keep="first")
    return frame.loc[~repeated].reset_index(drop=True), int(repeated.sum())


def map_event_types(frame: pd.DataFrame, mapping: Mapping[str, str], *, lowercase: bool = True) -> pd.DataFrame:
    """Rename or merge event types; types not in ``mapping`` are kept (lower-cased when ``lowercase``).

    Keys are matched after lower-casing when ``lowercase`` is True (Personalize ignores
    case when it matches event types in filters).
    """
    _require(frame, EVENT_TYPE)
    out = frame.copy()
    types = out[EVENT_TYPE].astype(str)
    if lowercase:
        types = types.str.lower()
        mapping = {str(k).lower(): v for k, v in mapping.items()}
    out[EVENT_TYPE] = types.map(lambda t: mapping.get(t, t))
    return out


def user_activity(frame: pd.DataFrame, threshold: float = 3.5) -> pd.DataFrame:
    r"""Events per user with a robust z-score, most active first.

    The score uses the logarithm of each user's event count :math:`x_u`:

    .. math::

        z_u = \frac{\ln x_u - \operatorname{median}(\ln x)}{1.4826 \cdot \operatorname{MAD}(\ln x)}

    (MAD = median absolute deviation; 1.4826 makes it comparable to a standard
    deviation for normal data). Users with :math:`z_u > \text{threshold}` are flagged.
    Median and MAD are not dragged up by the outliers themselves, unlike mean and
    standard deviation. The default threshold 3.5 is the usual cut-off for this
    "modified z-score". Edge cases: when more than half the users have the same count
    the MAD is 0, and the mean absolute deviation around the median (scaled by
    1.2533) is used instead; when every user has the same count, every z is 0.

    Returns:
        Columns ``USER_ID, events, robust_z, outlier``.
    """
    _require(frame, USER_ID)
    counts = frame[USER_ID].astype(str).value_counts()
    logs = np.log(counts.to_numpy(dtype=float))
    median = np.median(logs) if len(logs) else 0.0
    spread = np.median(np.abs(logs - median)) * 1.4826 if len(logs) else 0.0
    if spread == 0 and len(logs):
        spread = np.mean(np.abs(logs - median)) * 1.2533
    z = (logs - median) / spread if spread > 0 else np.zeros(len(logs))
    table = pd.DataFrame({USER_ID: counts.index.astype(str), "events": counts.to_numpy(), "robust_z": z})
    table["outlier"] = table["robust_z"] > threshold
    return table.reset_index(drop=True)


def sample_users(frame: pd.DataFrame, fraction: float, seed: int = 42) -> pd.DataFrame:
    """Keep a seeded random ``fraction`` of users with all of their events (original row order)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    _require(frame, USER_ID)
    users = pd.unique(frame[USER_ID].astype(str))
    rng = np.random.default_rng(seed)
    keep = rng.choice(users, size=max(1, int(round(len(users) * fraction))), replace=False)
    return frame.loc[frame[USER_ID].astype(str).isin(set(keep))].reset_index(drop=True)


def remove_items(frame: pd.DataFrame, item_ids) -> pd.DataFrame:
    """The log without the events on ``item_ids`` and without them in any ``IMPRESSION`` list.

    An impression list left empty becomes missing (NaN), as for an event shown no list.
    Row order is kept; the index is reset.
    """
    _require(frame, ITEM_ID)
    gone = {str(x) for x in item_ids}
    out = frame.loc[~frame[ITEM_ID].astype(str).isin(gone)].reset_index(drop=True)
    if IMPRESSION in out.columns and gone:
        shown = out[IMPRESSION]
        has = shown.notna()
        kept = shown[has].astype(str).str.split("|").map(lambda items: "|".join(x for x in items if x not in gone))
        out[IMPRESSION] = shown.astype(object)
        out.loc[has, IMPRESSION] = kept.where(kept != "", None)
    return out


def preprocess(
    frame: pd.DataFrame,
    *,
    event_type_map: Mapping[str, str] | None = None,
    drop_duplicates: bool = True,
    drop_outlier_users: bool = False,
    outlier_threshold: float = 3.5,
    user_fraction: float | None = None,
    seed: int = 42,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the usual steps in a sensible order and log what each did.

    Order: sort by time, map event types, drop duplicates (after mapping, so two
    spellings of one event become one), drop outlier users, sample users.

    Returns:
        ``(clean frame, log)`` where the log has one row per step: ``step``,
        ``rows_before``, ``rows_after``, ``note``.
    """
    log = []

    def record(step: str, before: int, after: int, note: str) -> None:
        log.append({"step": step, "rows_before": before, "rows_after": after, "note": note})

    out = sort_events(frame)
    record("sort by TIMESTAMP", len(frame), len(out), "ties keep their original order")
    if event_type_map:
        before_types = out[EVENT_TYPE].astype(str).nunique()
        out = map_event_types(out, event_type_map)
        record("map event types", len(out), len(out),
               f"{before_types} distinct types -> {out[EVENT_TYPE].nunique()}")
    if drop_duplicates:
        before = len(out)
        out, removed = drop_duplicate_events(out)
        record("drop duplicate events", before, len(out), f"{removed} exact repeats removed")
    if drop_outlier_users:
        activity = user_activity(out, outlier_threshold)
        flagged = set(activity.loc[activity["outlier"], USER_ID])
        before = len(out)
        out = out.loc[~out[USER_ID].astype(str).isin(flagged)].reset_index(drop=True)
        record("drop outlier users", before, len(out), f"{len(flagged)} user(s) with robust z > {outlier_threshold}")
    if user_fraction is not None:
        before = len(out)
        out = sample_users(out, user_fraction, seed)
        record("sample users", before, len(out), f"kept {user_fraction:.0%} of users (seed {seed})")
    return out, pd.DataFrame(log, columns=["step", "rows_before", "rows_after", "note"])
