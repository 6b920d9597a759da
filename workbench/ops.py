"""Operations helpers: a recommendation cache, latency measurement, drift monitoring.

* :class:`RecommendationCache` keeps recent answers of any recommender in an LRU
  store with a time-to-live. A cache trades freshness for latency: a cached list
  does not see events that arrived after it was computed, so the cache can be
  told to forget a user when that user's new events arrive (:meth:`invalidate`).
* :func:`time_calls` and :func:`latency_summary` measure how long calls take and
  report the percentiles that service-level objectives are written in.
* :func:`population_stability_index` and :func:`share_drift` watch how the mix
  of a categorical column (item category, event type, device) moves over time --
  the "monitor drift" part of operations.
* :func:`quality_by_period` checks each day's (or hour's) new events for the
  classic data incidents -- repeated events, missing event types, millisecond
  timestamps, unknown items, a sudden drop in volume -- and raises alerts.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .constants import EVENT_TYPE, ITEM_ID, SECONDS_PER_DAY, TIMESTAMP, USER_ID
from .data.validate import MAX_EPOCH_SECONDS
from .errors import DatasetError
from .preprocess import DEFAULT_DUPLICATE_KEY

__all__ = [
    "QUALITY_THRESHOLDS",
    "CacheConfig",
    "CacheStats",
    "RecommendationCache",
    "latency_summary",
    "population_stability_index",
    "quality_by_period",
    "share_drift",
    "time_calls",
]


@dataclasses.dataclass
class CacheConfig:
    """Settings of a :class:`RecommendationCache`."""

    max_entries: int = 10_000
    """Most (user, n) answers kept; the least recently used one is evicted first."""

    ttl_seconds: float = 3_600.0
    """Age after which an entry is recomputed even if present (``inf`` = never expires)."""


@dataclasses.dataclass
class CacheStats:
    """Counters of a :class:`RecommendationCache`."""

    hits: int = 0
    """Answers served from the cache."""

    misses: int = 0
    """Answers computed by the model (not present, or expired)."""

    expired: int = 0
    """Misses caused by an entry older than ``ttl_seconds`` (included in ``misses``)."""

    evictions: int = 0
    """Entries dropped because the cache was full."""

    invalidations: int = 0
    """Entries dropped by :meth:`RecommendationCache.invalidate`."""

    @property
    def hit_rate(self) -> float:
        """hits / (hits + misses); NaN before the first request."""
        total = self.hits + self.misses
        return self.hits / total if total else float("nan")


class RecommendationCache:
    """LRU + TTL cache in front of a recommender's ``recommend``.

    Args:
        model: anything with ``recommend(user_ids, n=...) -> DataFrame`` (a fitted
            :class:`workbench.recommenders.Recommender`).
        config: cache settings (``None`` = defaults); keyword overrides allowed.
        clock: function returning the current time in seconds (default
            ``time.monotonic``); notebooks pass a simulated clock to show expiry.

    Example::

        cache = RecommendationCache(model, ttl_seconds=600)
        recs = cache.recommend("u1", n=10)      # computed
        recs = cache.recommend("u1", n=10)      # served from memory
        cache.invalidate(["u1"])                # u1 clicked something: recompute next time
    """

    def __init__(
        self,
        model: Any,
        config: CacheConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        **overrides: Any,
    ) -> None:
        config = dataclasses.replace(config or CacheConfig(), **overrides)
        if config.max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {config.max_entries}")
        if not config.ttl_seconds > 0:
            raise ValueError(f"ttl_seconds must be positive, got {config.ttl_seconds}")
        self.model = model
        self.config = config
        self.clock = clock
        self.stats = CacheStats()
        self._store: OrderedDict[Hashable, tuple[float, pd.DataFrame]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._store)

    def recommend(self, user_id: object, n: int = 10, **kwargs: Any) -> pd.DataFrame:
        """The model's top-``n`` list for one user, from the cache when fresh.

        Extra keyword arguments (filters, ...) become part of the cache key, so two
        different filters never share an entry. A copy is returned, so callers
        cannot change what is stored.
        """
        key = (str(user_id), int(n), tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        now = self.clock()
        entry = self._store.get(key)
        if entry is not None:
            stored_at, frame = entry
            if now - stored_at < self.config.ttl_seconds:
                self._store.move_to_end(key)
                self.stats.hits += 1
                return frame.copy()
            self.stats.expired += 1
            del self._store[key]
        self.stats.misses += 1
        frame = self.model.recommend([str(user_id)], n=n, **kwargs)
        self._store[key] = (now, frame.copy())
        if len(self._store) > self.config.max_entries:
            self._store.popitem(last=False)
            self.stats.evictions += 1
        return frame

    def invalidate(self, user_ids: Iterable[object] | None = None) -> int:
        """Forget the entries of some users (all entries when ``None``); returns how many were dropped."""
        if user_ids is None:
            dropped = len(self._store)
            self._store.clear()
        else:
            users = {str(u) for u in user_ids}
            keys = [k for k in self._store if k[0] in users]
            for k in keys:
                del self._store[k]
            dropped = len(keys)
        self.stats.invalidations += dropped
        return dropped


def time_calls(function: Callable[[Any], Any], arguments: Sequence[Any], *, warmup: int = 1) -> pd.DataFrame:
    """Call ``function(argument)`` for each argument and record the wall time of each call.

    Args:
        function: the call to time (e.g. ``lambda u: model.recommend([u])``).
        arguments: one argument per call, in order.
        warmup: calls made on the first argument before timing starts (imports,
            caches warming up), not recorded.

    Returns:
        A frame with columns ``call`` (0-based), ``argument`` and ``ms`` (milliseconds).
    """
    if not len(arguments):
        raise ValueError("time_calls needs at least one argument to call the function with")
    for _ in range(max(0, warmup)):
        function(arguments[0])
    times = []
    for argument in arguments:
        start = time.perf_counter()
        function(argument)
        times.append((time.perf_counter() - start) * 1000.0)
    return pd.DataFrame({"call": np.arange(len(arguments)), "argument": list(arguments), "ms": times})


def latency_summary(ms: Iterable[float]) -> pd.Series:
    """Count, mean and the p50 / p90 / p99 / max of latencies in milliseconds.

    Percentiles use linear interpolation between sorted values (numpy's default).
    Edge case: no values -> count 0 and NaN elsewhere.
    """
    values = np.asarray(list(ms), dtype=float)
    if values.size == 0:
        return pd.Series({"count": 0, "mean": np.nan, "p50": np.nan, "p90": np.nan, "p99": np.nan, "max": np.nan})
    return pd.Series(
        {
            "count": int(values.size),
            "mean": float(values.mean()),
            "p50": float(np.percentile(values, 50)),
            "p90": float(np.percentile(values, 90)),
            "p99": float(np.percentile(values, 99)),
            "max": float(values.max()),
        }
    )


def population_stability_index(expected: pd.Series, actual: pd.Series, *, epsilon: float = 1e-4) -> float:
    r"""Population stability index between two distributions over the same categories.

    .. math::

        \mathrm{PSI} = \sum_c (a_c - e_c) \ln \frac{a_c}{e_c}

    where :math:`e_c` and :math:`a_c` are the shares of category :math:`c` in the
    reference and in the current period. Both inputs may be counts or shares; they
    are normalised. Categories missing from one side get share 0, floored at
    ``epsilon`` so the logarithm stays finite. PSI is 0 for identical mixes and
    grows with the shift; a common rule of thumb reads < 0.1 as stable, 0.1-0.25
    as a moderate shift and > 0.25 as a large one.

    Raises:
        ValueError: a side sums to zero or holds negative values.
    """
    categories = expected.index.union(actual.index)
    e = expected.reindex(categories, fill_value=0).astype(float)
    a = actual.reindex(categories, fill_value=0).astype(float)
    for name, side in (("expected", e), ("actual", a)):
        if (side < 0).any() or side.sum() <= 0:
            raise ValueError(f"{name} must hold non-negative counts with a positive total")
    e = np.maximum(e / e.sum(), epsilon)
    a = np.maximum(a / a.sum(), epsilon)
    return float(((a - e) * np.log(a / e)).sum())


def share_drift(
    events: pd.DataFrame,
    column: str,
    *,
    period_seconds: int = 7 * SECONDS_PER_DAY,
    reference_periods: int = 1,
    timestamp: str = TIMESTAMP,
    origin: int | None = None,
) -> pd.DataFrame:
    """Share of each value of ``column`` per time period, and each period's PSI against the start.

    Args:
        events: frame with an epoch-seconds ``timestamp`` column and ``column``.
        column: categorical column to watch (e.g. an item category joined onto the events).
        period_seconds: length of one period (default one week).
        reference_periods: how many first periods form the reference mix.
        timestamp: name of the time column.
        origin: epoch second at which period 0 starts; default the UTC midnight of the
            first event's day, so weekly periods start on a calendar day.

    Returns:
        One row per period: ``period`` (0-based), ``start`` (epoch seconds), ``events``,
        one share column per value, and ``psi`` against the pooled mix of the first
        ``reference_periods`` periods (so a reference period scores near 0, not exactly 0,
        when there are several).

    Raises:
        DatasetError: a column is missing or the frame is empty.
    """
    for needed in (column, timestamp):
        if needed not in events.columns:
            raise DatasetError("column needed for drift monitoring is missing.", column=needed,
                               fix="join the attribute onto the events first (e.g. item category).")
    if events.empty:
        raise DatasetError("no events to monitor.", fix="pass a non-empty event log.")
    if period_seconds <= 0 or reference_periods < 1:
        raise ValueError("period_seconds must be positive and reference_periods at least 1")
    ts = pd.to_numeric(events[timestamp]).astype(np.int64)
    start = _origin(int(ts.min()), origin)
    period = (ts - start) // period_seconds
    counts = pd.crosstab(period.rename("period"), events[column].astype(str))
    reference = counts.loc[counts.index < reference_periods].sum()
    shares = counts.div(counts.sum(axis=1), axis=0)
    table = shares.copy()
    table.insert(0, "events", counts.sum(axis=1))
    table.insert(0, "start", start + table.index.to_numpy() * period_seconds)
    table["psi"] = [population_stability_index(reference, counts.loc[p]) for p in counts.index]
    table = table.reset_index()
    table.columns.name = None
    return table


def _origin(first: int, origin: int | None) -> int:
    """Start of period 0: ``origin``, or the UTC midnight of the day of ``first`` (which must not precede it)."""
    if origin is None:
        return first - first % SECONDS_PER_DAY
    if origin > first:
        raise ValueError(f"origin {origin} lies after the first event ({first}); periods would start after the data")
    return int(origin)


QUALITY_THRESHOLDS: dict[str, float] = {
    "duplicate_share": 0.02,
    "missing_event_type_share": 0.0,
    "millisecond_timestamp_share": 0.0,
    "unknown_item_share": 0.05,
    "volume_ratio": 0.5,
}
"""Alert when a share is *above* its threshold, or when ``volume_ratio`` (events of the
period / median events of the clean periods before it) is *below* its threshold."""

VOLUME_BASELINE_PERIODS = 7
"""How many earlier clean periods :func:`quality_by_period` takes the volume median over."""


def quality_by_period(
    events: pd.DataFrame,
    *,
    period_seconds: int = SECONDS_PER_DAY,
    known_items: Iterable[object] | None = None,
    thresholds: dict[str, float] | None = None,
    origin: int | None = None,
    baseline_periods: int = VOLUME_BASELINE_PERIODS,
) -> pd.DataFrame:
    """Data-quality checks of an event log, one row per period, with alerts.

    Per period (period 0 starts at ``origin``, by default the UTC midnight of the
    first event's day, so daily periods are calendar days; millisecond timestamps
    are divided by 1,000 only to place them in a period):

    * ``events`` and ``volume_ratio`` -- rows, and rows / the median rows of the last
      ``baseline_periods`` earlier periods that raised no alert. A monitor only knows
      the past, and a baseline of clean periods keeps a long outage alerting every
      day instead of becoming the new normal. NaN (no alert) for the first period;
      the first period of a log that starts mid-day is partial, so it does not enter
      the baseline either. A period with no event at all is listed with 0 events
      (and NaN shares). A log that stops mid-period ends with a partial period, which
      looks like an outage and is flagged as one (it may be one): check complete
      periods, or read the last alert with that in mind;
    * ``duplicate_share`` -- rows repeating an earlier row of the same period on
      USER_ID, ITEM_ID, TIMESTAMP and EVENT_TYPE;
    * ``missing_event_type_share`` -- rows with an empty EVENT_TYPE (0 when the log
      has no EVENT_TYPE column at all);
    * ``millisecond_timestamp_share`` -- rows with a 13-digit TIMESTAMP;
    * ``unknown_item_share`` -- rows whose ITEM_ID is not in ``known_items`` (NaN
      when ``known_items`` is not given);
    * ``alerts`` -- the names of the checks beyond :data:`QUALITY_THRESHOLDS`
      (or ``thresholds``), comma-separated, empty when the period is clean.

    Raises:
        DatasetError: TIMESTAMP or USER_ID missing, or an empty log.
    """
    for needed in (TIMESTAMP, USER_ID):
        if needed not in events.columns:
            raise DatasetError("column needed for quality checks is missing.", column=needed,
                               fix="pass the interactions log in Personalize format.")
    if events.empty:
        raise DatasetError("no events to check.", fix="pass a non-empty event log.")
    if period_seconds <= 0 or baseline_periods < 1:
        raise ValueError("period_seconds and baseline_periods must be positive")
    limits = {**QUALITY_THRESHOLDS, **(thresholds or {})}
    ts = pd.to_numeric(events[TIMESTAMP], errors="coerce").fillna(0).astype(np.int64).to_numpy()
    millis = ts >= MAX_EPOCH_SECONDS
    seconds = np.where(millis, ts // 1000, ts)
    start = _origin(int(seconds.min()), origin)
    partial_first = int(seconds.min()) > start
    frame = pd.DataFrame({"period": (seconds - start) // period_seconds, "millis": millis})
    key = [c for c in DEFAULT_DUPLICATE_KEY if c in events.columns]
    keyed = events[key].astype(str).assign(period=frame["period"].to_numpy())
    frame["duplicate"] = keyed.duplicated(keep="first").to_numpy()
    if EVENT_TYPE in events.columns:
        kinds = events[EVENT_TYPE]
        frame["missing_type"] = (kinds.isna() | (kinds.astype(str).str.strip() == "")).to_numpy()
    else:
        frame["missing_type"] = False
    if known_items is not None and ITEM_ID in events.columns:
        known = set(pd.Series(list(known_items), dtype=object).astype(str))
        frame["unknown_item"] = (~events[ITEM_ID].astype(str).isin(known)).to_numpy()
    else:
        frame["unknown_item"] = np.nan
    grouped = frame.groupby("period")
    table = pd.DataFrame(
        {
            "start": start + grouped.size().index.to_numpy() * period_seconds,
            "events": grouped.size(),
            "duplicate_share": grouped["duplicate"].mean(),
            "missing_event_type_share": grouped["missing_type"].mean(),
            "millisecond_timestamp_share": grouped["millis"].mean(),
            "unknown_item_share": grouped["unknown_item"].mean(),
        }
    )
    # a period with no event at all is a row too (0 events: the clearest outage there is)
    every = np.arange(int(table.index.min()), int(table.index.max()) + 1)
    table = table.reindex(every)
    table.index.name = "period"
    table["start"] = start + every * period_seconds
    table["events"] = table["events"].fillna(0).astype(int)
    alerts, ratios, clean_volumes = [], [], []
    for position, (_, row) in enumerate(table.iterrows()):
        names = [
            name
            for name in ("duplicate_share", "missing_event_type_share", "millisecond_timestamp_share", "unknown_item_share")
            if pd.notna(row[name]) and row[name] > limits[name]
        ]
        baseline = float(np.median(clean_volumes[-baseline_periods:])) if clean_volumes else float("nan")
        ratio = row["events"] / baseline if clean_volumes else float("nan")
        if ratio < limits["volume_ratio"]:
            names.append("volume_drop")
        if not names and not (position == 0 and partial_first):
            clean_volumes.append(float(row["events"]))
        ratios.append(ratio)
        alerts.append(", ".join(names))
    table.insert(2, "volume_ratio", ratios)
    table["alerts"] = alerts
    return table.reset_index()
