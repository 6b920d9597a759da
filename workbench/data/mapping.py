"""Turn any interaction log into a Personalize-format frame: ``map_columns``.

Analysts rarely start from a file in the Personalize format: the user column is
called ``customer``, the time is an ISO date or a 13-digit millisecond number,
the event type hides in ``action``. :func:`map_columns` takes a mapping
``{Personalize column: your column}`` and returns a frame with the reserved names
(USER_ID, ITEM_ID, TIMESTAMP and optionally EVENT_TYPE, EVENT_VALUE) and the
types Personalize imports:

* USER_ID / ITEM_ID: text (numbers become ``"42"``, never ``"42.0"``);
* TIMESTAMP: Unix epoch **seconds** (int64), converted from seconds,
  milliseconds, microseconds or date-time text (see :data:`TIMESTAMP_UNITS`);
* EVENT_TYPE: text, exactly as written (case and spelling are your choice;
  :func:`workbench.preprocess.map_event_types` merges spellings);
* EVENT_VALUE: float.

Nothing is dropped: a missing id, an unparseable time or a non-numeric value
raises :class:`~workbench.errors.DatasetError` naming the row, your column and
the fix. :func:`guess_mapping` proposes a mapping from column names, for the
dropdowns of a notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError

__all__ = [
    "MAPPABLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "TIMESTAMP_UNITS",
    "guess_mapping",
    "map_columns",
    "timestamp_unit",
]

REQUIRED_COLUMNS = (USER_ID, ITEM_ID, TIMESTAMP)
"""Personalize columns every interactions file needs."""

MAPPABLE_COLUMNS = (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE)
"""Personalize columns :func:`map_columns` can fill, in output order."""

TIMESTAMP_UNITS = ("auto", "s", "ms", "us", "datetime")
"""Accepted ``timestamp_unit`` values: ``"auto"`` picks one of the others from the values."""

_UNIT_DIVISOR = {"s": 1, "ms": 1_000, "us": 1_000_000}

_NAME_HINTS: dict[str, tuple[str, ...]] = {
    USER_ID: ("user_id", "userid", "user", "customer_id", "customerid", "customer", "client_id", "visitor_id",
              "member_id", "account_id"),
    ITEM_ID: ("item_id", "itemid", "item", "product_id", "productid", "product", "sku", "article_id", "movie_id",
              "movieid", "content_id", "stockcode"),
    TIMESTAMP: ("timestamp", "time", "ts", "event_time", "datetime", "date", "created_at", "invoicedate",
                "order_date"),
    EVENT_TYPE: ("event_type", "eventtype", "event", "action", "interaction", "type", "behavior", "behaviour"),
    EVENT_VALUE: ("event_value", "eventvalue", "value", "rating", "score", "quantity", "amount"),
}


def _normalise(name: str) -> str:
    return "".join(ch for ch in str(name).lower().strip() if ch.isalnum() or ch == "_").replace("__", "_")


def guess_mapping(columns: Iterable[str]) -> dict[str, str | None]:
    """Propose ``{Personalize column: source column}`` from column names (``None`` = no match).

    A column named exactly like the Personalize column wins; otherwise the first
    hint in :data:`_NAME_HINTS` order that matches a column (case, spaces and
    punctuation ignored). A source column is used for at most one target.
    """
    columns = list(columns)
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_normalise(column).replace("_", ""), column)
    taken: set[str] = set()
    guess: dict[str, str | None] = {}
    for target in MAPPABLE_COLUMNS:
        found = None
        for hint in (target.lower(), *_NAME_HINTS[target]):
            column = by_norm.get(hint.replace("_", ""))
            if column is not None and column not in taken:
                found = column
                break
        guess[target] = found
        if found is not None:
            taken.add(found)
    return guess


def timestamp_unit(values: pd.Series) -> str:
    """Guess the unit of a time column: ``"s"``, ``"ms"``, ``"us"`` or ``"datetime"``.

    Numbers (or text that is entirely numbers) are classified by their largest
    absolute value: below 1e11 seconds (up to the year 5138), below 1e14
    milliseconds, else microseconds. Any other text is ``"datetime"``. The mapping
    then refuses a column whose values fall in different classes (a seconds log with
    one millisecond value would otherwise be read as milliseconds throughout).

    Edge case: an all-missing column is ``"s"`` (the caller's missing-value check
    reports it).
    """
    present = values.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if len(present) and numbers.isna().any():
        return "datetime"
    return str(_unit_by_magnitude(np.abs(numbers.to_numpy(dtype=float)).max(initial=0.0)))


def _unit_by_magnitude(magnitude):
    """The unit each absolute epoch value reads as: below 1e11 seconds, below 1e14 milliseconds, else microseconds."""
    return np.where(magnitude < 1e11, "s", np.where(magnitude < 1e14, "ms", "us"))


def _first_bad(mask: np.ndarray) -> int:
    """1-based data row of the first True in ``mask``."""
    return int(np.flatnonzero(mask)[0]) + 1


def _reject_first(bad: np.ndarray, series: pd.Series, problem: str, source: str, file: str | None, fix: str) -> None:
    """Raise a DatasetError naming the first True of ``bad``: its value, then ``problem``."""
    if bad.any():
        row = _first_bad(bad)
        value = series.iloc[row - 1]
        value = value.item() if isinstance(value, np.generic) else value  # 1700000000, not np.int64(1700000000)
        raise DatasetError(f"{value!r} {problem}", file=file, row=row, column=source, fix=fix)


def _ids(series: pd.Series, source: str, target: str, file: str | None) -> pd.Series:
    missing = series.isna().to_numpy() | (series.astype(str).str.strip() == "").to_numpy()
    if missing.any():
        raise DatasetError(
            f"{target} is empty here ({int(missing.sum())} rows in total have no value).",
            file=file, row=_first_bad(missing), column=source,
            fix=f"fill the missing {source} values or remove those rows before mapping (nothing is dropped silently).",
        )
    if pd.api.types.is_float_dtype(series) and (series % 1 == 0).all():
        series = series.astype("int64")  # 42.0 -> "42": ids read as floats keep their integer spelling
    return series.astype(str).str.strip()


def _seconds(series: pd.Series, source: str, unit: str, file: str | None) -> tuple[pd.Series, str]:
    missing = series.isna().to_numpy()
    if missing.any():
        raise DatasetError(
            f"the time is missing ({int(missing.sum())} rows in total).", file=file, row=_first_bad(missing),
            column=source, fix="every interaction needs a time; fill or remove those rows.",
        )
    numbers = pd.to_numeric(series, errors="coerce")  # no value is missing here
    numeric = numbers.notna().to_numpy()
    if unit == "auto":  # numbers beside date text: name the odd one out, not whichever row comes first
        n_numeric = int(numeric.sum())
        if 0 < n_numeric < len(series):
            numbers_win = n_numeric * 2 >= len(series)
            _reject_first(~numeric if numbers_win else numeric, series,
                          f"is {'not a number' if numbers_win else 'a number'}, while "
                          f"{n_numeric if numbers_win else len(series) - n_numeric:,} of {len(series):,} values are "
                          f"{'epoch numbers' if numbers_win else 'date text'}: the column mixes the two.", source, file,
                          fix="write every time the same way (epoch seconds, or ISO text such as 2024-08-15T10:30:00Z) "
                          "before mapping.")
    magnitude = np.abs(numbers.to_numpy(dtype=float))
    if unit != "auto":
        chosen = unit
    elif not numeric.all():  # what timestamp_unit says, from the numbers parsed above
        chosen = "datetime"
    else:
        chosen = str(_unit_by_magnitude(magnitude.max(initial=0.0)))
    if chosen == "datetime":
        parsed = pd.to_datetime(series.astype(str), errors="coerce", utc=True, format="mixed")
        _reject_first(parsed.isna().to_numpy(), series, "is not a date-time.", source, file,
                      fix="use ISO text such as 2024-08-15T10:30:00Z, or epoch numbers with timestamp_unit='s'/'ms'.")
        seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        return seconds.astype("int64"), chosen
    _reject_first(~numeric, series, f"is not a number of {chosen}.", source, file,
                  fix="pick timestamp_unit='datetime' for date text, or clean the column.")
    if unit == "auto":  # one unit for the column: a value of another magnitude would land decades away
        units = _unit_by_magnitude(magnitude)
        odd = units != chosen
        if odd.any():
            names = {"s": "seconds", "ms": "milliseconds", "us": "microseconds"}
            _reject_first(odd, series, f"reads as {names[units[odd][0]]}, but the column's largest value reads as "
                          f"{names[chosen]}: the column mixes magnitudes ({int(odd.sum())} rows differ).", source, file,
                          fix="convert every value to one unit (e.g. seconds) before mapping, or pass timestamp_unit=.")
    seconds = np.floor(numbers.to_numpy(dtype=float) / _UNIT_DIVISOR[chosen]).astype("int64")
    return pd.Series(seconds, index=series.index), chosen


def _values(series: pd.Series, source: str, file: str | None) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    _reject_first(numbers.isna().to_numpy() & series.notna().to_numpy(), series,
                  "is not a number; EVENT_VALUE must be numeric.", source, file,
                  fix="map a numeric column to EVENT_VALUE (or none).")
    return numbers.astype("float64")


def map_columns(
    df: pd.DataFrame,
    mapping: Mapping[str, str | None],
    *,
    timestamp_unit: str = "auto",
    keep_other: bool = False,
    file: str | None = None,
) -> pd.DataFrame:
    """A Personalize-format interactions frame from any table and a column mapping.

    Args:
        df: the raw table (e.g. ``pd.read_csv(path)``).
        mapping: ``{Personalize column: column of df}``; targets are
            :data:`MAPPABLE_COLUMNS`; a ``None`` or ``""`` source means "not in
            my data". USER_ID, ITEM_ID and TIMESTAMP are required.
        timestamp_unit: one of :data:`TIMESTAMP_UNITS`; ``"auto"`` decides with
            :func:`timestamp_unit`. The chosen unit is recorded in
            ``result.attrs["timestamp_unit"]``.
        keep_other: also keep the unmapped columns, unchanged, after the mapped ones.
        file: file name used in error messages (default ``<DataFrame>``).

    Returns:
        A new frame: the mapped columns under their Personalize names, in
        :data:`MAPPABLE_COLUMNS` order, with the types listed in the module docstring.

    Raises:
        DatasetError: an unknown target, a source column missing from ``df``, one
            source used twice, a required target not mapped, or a bad value (the
            message names the row, the source column and the fix).
        ValueError: an unknown ``timestamp_unit``.
    """
    if timestamp_unit not in TIMESTAMP_UNITS:
        raise ValueError(f"timestamp_unit must be one of {TIMESTAMP_UNITS}, got {timestamp_unit!r}")
    chosen = {target: source for target, source in mapping.items() if source not in (None, "")}
    unknown = [t for t in chosen if t not in MAPPABLE_COLUMNS]
    if unknown:
        raise DatasetError(f"{unknown[0]!r} is not a Personalize interactions column this mapping can fill.",
                           file=file, fix=f"use keys among {', '.join(MAPPABLE_COLUMNS)}.")
    for target, source in chosen.items():
        if source not in df.columns:
            raise DatasetError(f"the mapping sends {target} to a column that does not exist.", file=file,
                               column=str(source), fix=f"pick one of {', '.join(map(str, df.columns))}.")
    used: dict[str, str] = {}
    for target, source in chosen.items():
        if source in used:
            raise DatasetError(f"one column is mapped to both {used[source]} and {target}.", file=file,
                               column=str(source), fix="map every Personalize column to a different column.")
        used[source] = target
    missing = [t for t in REQUIRED_COLUMNS if t not in chosen]
    if missing:
        raise DatasetError(f"no column is mapped to the required {', '.join(missing)}.", file=file,
                           column=missing[0], fix="Personalize needs USER_ID, ITEM_ID and TIMESTAMP for every event.")
    frame = df.reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    unit_used = ""
    for target in MAPPABLE_COLUMNS:
        if target not in chosen:
            continue
        source = chosen[target]
        column = frame[source]
        if target in (USER_ID, ITEM_ID):
            out[target] = _ids(column, source, target, file)
        elif target == TIMESTAMP:
            out[target], unit_used = _seconds(column, source, timestamp_unit, file)
        elif target == EVENT_TYPE:
            out[target] = _ids(column, source, target, file)
        else:
            out[target] = _values(column, source, file)
    result = pd.DataFrame(out)
    if keep_other:
        for column in frame.columns:
            if column not in used and column not in result.columns:
                result[column] = frame[column]
    result.attrs["timestamp_unit"] = unit_used
    return result
