"""Check Personalize-format frames: row rules, dataset rules, and the errors policy.

Two kinds of checks live here.

*Row rules* look at every value, vectorised (one boolean mask per rule and
column, no Python loop over rows): ids present and at most 256 characters,
timestamps in Unix epoch seconds, numbers numeric (``true``/``false`` are not
numbers), non-nullable fields filled, categorical values at most 1,000
characters, textual values at most 20,000.

Ids must also be usable text. Refused, because each is nearly always a
corruption rather than a real id: whitespace only; a control character (NUL,
tab, line break); a missing value written as text (``nan``, ``None``, ``NULL``,
``<NA>``, ``NaT`` in any case -- what ``str()`` of a pandas gap gives); a whole
number spelled as a float (``1.0``, the trace of an id column that passed through
floats, which would not match ``1`` elsewhere); a float column; lists, mappings or
bytes. Ids like ``007``, ``1.5`` or ``1e5`` stay text.
Loaders turn them into a :class:`~workbench.errors.DatasetError` for the first
bad row (``errors="raise"``) or remove the bad rows and list them
(``errors="reject"``); validators count them.

*Dataset rules* look at the whole frame: the minimum data Amazon Personalize
needs to train (1,000 interactions; 25 users with at least 2 interactions each),
the quota on optional fields plus event types, the event types a domain dataset
group expects, duplicated ids in Items/Users.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..constants import (
    CREATION_TIMESTAMP,
    EVENT_TYPE,
    EVENT_VALUE,
    IMPRESSION,
    ITEM_ID,
    MAX_ID_LENGTH,
    TIMESTAMP,
    USER_ID,
)
from ..errors import DatasetError
from .report import ValidationReport, empty_rejected
from .schemas import (
    ID_COLUMNS,
    MAX_INTERACTION_OPTIONAL_PLUS_EVENT_TYPES,
    REQUIRED,
    RESERVED,
    TIMESTAMP_COLUMNS,
    DatasetSchema,
    check_schema,
    load_schema,
    schema_from_frame,
)

MAX_CATEGORICAL_LENGTH = 1_000
"""Characters in one categorical value (and in one IMPRESSION value, separators included)."""

MAX_TEXTUAL_LENGTH = 20_000
"""Characters in one textual value (7,000 for Chinese/Japanese text; not detected here)."""

MAX_EPOCH_SECONDS = 10**11
"""Timestamps at or above this (year 5138) are taken for milliseconds or finer units."""

ELEVEN_DIGIT_SECONDS = 10**10
"""Epoch seconds from here up to :data:`MAX_EPOCH_SECONDS` (11 digits) fall after the year 2286: kept,
with an ``implausible_timestamps`` warning (not an error: the value is a valid long)."""

MIN_INTERACTIONS = 1_000
"""Interactions Personalize needs before training (counted after event-type filtering)."""

MIN_USERS_WITH_TWO = 25
"""Distinct users with at least 2 interactions each that Personalize needs."""

RECOMMENDED_INTERACTIONS = 50_000
"""Interactions AWS recommends for good quality."""

RECOMMENDED_USERS_WITH_TWO = 1_000
"""Users with at least 2 interactions AWS recommends for good quality."""

MIN_SHARE_USERS_WITH_TWO = 0.01
"""Share of all users that must have 2+ interactions (quota table read in translation; a warning)."""

PREFIX_ROWS = 100_000
"""Rows counted first by the fast minimum-data check (see :func:`dataset_checks`)."""

DOMAIN_EVENT_TYPES = {"ECOMMERCE": ("view", "purchase"), "VIDEO_ON_DEMAND": ("watch", "click")}
"""Event types the domain use cases are built around (which one is needed depends on the use case)."""

MISSING_SPELLINGS = ("nan", "none", "null", "<na>", "nat")
"""Id values (any case) that are how pandas, Python or SQL print a *missing* value; an id spelled so is
almost always a gap that was written out as text (``str(np.nan)`` is ``"nan"``), so it is refused."""

_MISSING_VARIANTS = sorted({"".join(c.upper() if (mask >> i) & 1 else c for i, c in enumerate(word))
                            for word in MISSING_SPELLINGS for mask in range(2 ** len(word))})
"""Every upper/lower-case spelling of :data:`MISSING_SPELLINGS` (matched by hash, no per-value lowering)."""

EPOCH_FIX = ("Use Unix epoch seconds (10 digits today), e.g. "
             "(pd.to_datetime(df['TIMESTAMP'], utc=True) - pd.Timestamp(0, tz='UTC')) // pd.Timedelta('1s').")


@dataclasses.dataclass
class RowProblem:
    """One row rule that some rows break."""

    mask: np.ndarray
    """True for each offending row (positions in the frame)."""

    column: str
    """Column the rule is about."""

    reason: str
    """What is wrong, without the row (shared by all offending rows)."""

    fix: str
    """How to repair the input."""

    def first(self) -> int:
        """Position of the first offending row."""
        return int(np.flatnonzero(self.mask)[0])


def _as_text(series: pd.Series) -> pd.Series:
    return series if pd.api.types.is_string_dtype(series) and series.dtype != object else series.astype("str")


def _byte_range(series: pd.Series) -> tuple[int, int] | None:
    """(min, max) UTF-8 byte length of the non-missing values of an Arrow-backed text column, else None.

    Byte length is an upper bound of character length, so ``max <= limit`` proves no
    value is too long without building a per-row mask (the fast path).
    """
    if not (pd.api.types.is_string_dtype(series) and series.dtype != object) or not len(series):
        return None
    try:
        lengths = pc.binary_length(pa.array(series))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    low, high = pc.min(lengths).as_py(), pc.max(lengths).as_py()
    return (0, 0) if low is None else (int(low), int(high))


def _missing(series: pd.Series) -> np.ndarray:
    missing = series.isna().to_numpy()
    if pd.api.types.is_string_dtype(series) or series.dtype == object:
        byte_range = _byte_range(series)
        if byte_range is None or byte_range[0] == 0:
            missing = missing | (series == "").to_numpy(dtype=bool, na_value=False)
    return missing


def _too_long(series: pd.Series, limit: int) -> np.ndarray | None:
    """Mask of values longer than ``limit`` characters, or None when there is none."""
    byte_range = _byte_range(series)
    if byte_range is not None and byte_range[1] <= limit:
        return None
    mask = (_as_text(series).str.len() > limit).to_numpy(dtype=bool, na_value=False)
    return mask if mask.any() else None


def _numeric(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numeric version of ``series`` and a mask of non-empty values that are not numbers.

    true/false are not numbers: a column of them (read as booleans) is all bad, instead of 1/0.
    """
    if pd.api.types.is_bool_dtype(series):
        return (pd.Series(np.nan, index=series.index, dtype="float64"),
                series.notna().to_numpy(dtype=bool, na_value=False))
    if pd.api.types.is_numeric_dtype(series):
        return series, np.zeros(len(series), dtype=bool)
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna().to_numpy() & ~_missing(series)
    return values, bad


def _long_problems(series: pd.Series, name: str, nullable: bool, is_timestamp: bool) -> list[RowProblem]:
    problems: list[RowProblem] = []
    if pd.api.types.is_datetime64_any_dtype(series):
        dates = series.notna().to_numpy()
        if is_timestamp and dates.any():
            problems.append(RowProblem(dates, name, f"{name} holds a date string, not Unix epoch seconds.", EPOCH_FIX))
        elif dates.any():
            problems.append(RowProblem(dates, name, f"{name} holds dates but the field type is long.",
                                       f"Convert {name} to whole numbers (e.g. Unix epoch seconds)."))
        series = series.astype("str").where(~dates, "")
    values, bad = _numeric(series)
    if bad.any():
        text = series.astype("str")
        looks_like_date = text.str.contains(r"^\s*\d{4}-\d{2}-\d{2}", regex=True, na=False).to_numpy() & bad
        if is_timestamp and looks_like_date.any():
            problems.append(RowProblem(looks_like_date, name, f"{name} holds a date string, not Unix epoch seconds.",
                                       EPOCH_FIX))
            bad = bad & ~looks_like_date
        if bad.any():
            fix = EPOCH_FIX if is_timestamp else f"Make {name} a whole number or fix its schema type."
            problems.append(RowProblem(bad, name, f"{name} is not a number.", fix))
    missing = values.isna().to_numpy() & ~bad & _missing(series)
    if not nullable and missing.any():
        problems.append(RowProblem(missing, name, f"{name} is empty but the field is not nullable.",
                                   f"Fill {name} in every row, or declare it nullable in the schema."))
    if pd.api.types.is_integer_dtype(values) and values.dtype.name != "Int64":
        numbers = values.to_numpy()
    else:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            fractional = np.isfinite(numbers) & (np.floor(numbers) != numbers)
        if fractional.any():
            problems.append(RowProblem(fractional, name, f"{name} has a fractional value but the type is long.",
                                       EPOCH_FIX if is_timestamp else f"Round {name} or make the field float."))
    if is_timestamp:
        with np.errstate(invalid="ignore"):
            too_big = numbers >= MAX_EPOCH_SECONDS
        if too_big.any():
            problems.append(RowProblem(
                too_big, name,
                f"{name} has 12 or more digits (epoch seconds have 10 today, milliseconds 13): it is not Unix epoch "
                "seconds.",
                f"Convert to Unix epoch seconds, e.g. df['{name}'] // 1000 for milliseconds."))
    return problems


def _matches(values: pa.Array, pattern: str) -> np.ndarray:
    """Boolean mask of the values matching a (RE2) regex; missing values do not match."""
    return pc.fill_null(pc.match_substring_regex(values, pattern), False).to_numpy(zero_copy_only=False)


def _id_text_problems(series: pd.Series, name: str) -> list[RowProblem]:
    """Ids that are present but are not usable text: whitespace only, control characters (NUL),
    a missing value written as text (``nan``), a float spelling of an integer (``1.0``), or not a
    single text value at all (a float column, lists, dicts, bytes)."""
    problems: list[RowProblem] = []
    if pd.api.types.is_float_dtype(series):
        present = series.notna().to_numpy()
        if present.any():
            problems.append(RowProblem(present, name, f"{name} holds floating-point numbers, so ids would be "
                                       "spelled like 1.0 and not match the same id written 1 elsewhere.",
                                       f"Write {name} as text or whole numbers, e.g. "
                                       f"df['{name}'] = df['{name}'].astype('Int64').astype('string')."))
        return problems
    if series.dtype == object:
        odd = series.map(lambda v: isinstance(v, (list, tuple, dict, set, bytes, bytearray, np.ndarray))).to_numpy(
            dtype=bool)
        if odd.any():
            problems.append(RowProblem(odd, name, f"{name} holds lists, mappings or bytes, not one text value.",
                                       f"Give {name} one text value per row."))
            return problems
    if not (pd.api.types.is_string_dtype(series) and series.dtype != object):
        return problems
    values = pa.array(series)
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    # byte-level pre-checks over the data buffers (memchr-fast): clean ids skip every per-value regex
    blobs = [bytes(c.buffers()[2]) for c in chunks if c.buffers()[2] is not None]
    has_control = any(b"\x7f" in b or (len(b) and int(np.frombuffer(b, dtype=np.uint8).min()) < 0x20) for b in blobs)
    has_space = has_control or any(b" " in b for b in blobs)
    has_dot = any(b"." in b for b in blobs)
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False)
    short = (lengths >= 3) & (lengths <= 4)  # MISSING_SPELLINGS are 3 or 4 characters long
    blank = _matches(values, r"^\s+$") if has_space else np.zeros(len(series), dtype=bool)
    if blank.any():
        problems.append(RowProblem(blank, name, f"{name} is only whitespace.",
                                   f"Every row needs a real {name}; fill it in or remove the row."))
    if has_control:
        control = _matches(values, r"[\x00-\x1f\x7f]") & ~blank
        if control.any():
            problems.append(RowProblem(control, name, f"{name} contains a control character (NUL, tab, line "
                                       "break ...).", f"Remove control characters from {name}; ids are printable text."))
    spelled = np.zeros(len(series), dtype=bool)
    if short.any():
        where = np.flatnonzero(short)
        spelled[where] = pc.fill_null(pc.is_in(values.take(pa.array(where)), value_set=pa.array(_MISSING_VARIANTS)),
                                      False).to_numpy(zero_copy_only=False)
    if spelled.any():
        problems.append(RowProblem(spelled, name, f"{name} is a missing value written as text (nan, None, NULL ...).",
                                   f"Fill in the real {name} or remove the row (pandas writes a missing id as 'nan' "
                                   "when it is turned into text)."))
    if not has_dot:
        return problems
    floaty = _matches(values, r"^[+-]?\d+\.0+$")  # judged per value, so chunked loaders agree
    if floaty.any():
        problems.append(RowProblem(floaty, name, f"{name} is a whole number spelled as a float (like 1.0): the "
                                   "column was probably written from floats, and 1.0 does not match the id 1.",
                                   f"Write {name} as whole numbers, e.g. "
                                   f"df['{name}'] = df['{name}'].astype('Int64') before saving."))
    return problems


def row_problems(frame: pd.DataFrame, kind: str, schema: DatasetSchema, domain: str | None = None) -> list[RowProblem]:
    """Every row rule the frame breaks, as masks (empty list on clean data).

    Args:
        frame: Data with the schema's columns (missing columns are skipped here).
        kind: ``"interactions"``, ``"items"`` or ``"users"``.
        schema: Types, nullability and categorical/textual flags to check against.
        domain: None, ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"`` (EVENT_TYPE may then not be empty).

    Returns:
        One :class:`RowProblem` per broken (rule, column) pair.
    """
    problems: list[RowProblem] = []
    ids = ID_COLUMNS[kind]
    for field in schema.fields:
        name = field.name
        if name not in frame.columns:
            continue
        series = frame[name]
        if name in ids:
            problems += _id_text_problems(series, name)
            missing = _missing(series)
            if missing.any():
                problems.append(RowProblem(missing, name, f"{name} is empty (NaN).",
                                           f"Every row needs a value in {name}; fill it in or remove the row."))
            too_long = _too_long(series, MAX_ID_LENGTH)
            if too_long is not None:
                problems.append(RowProblem(too_long, name, f"{name} is longer than {MAX_ID_LENGTH} characters.",
                                           f"Shorten the ids, e.g. map them to a hash or a counter ({MAX_ID_LENGTH} "
                                           "characters at most)."))
            continue
        if field.type in ("long", "int"):
            problems += _long_problems(series, name, field.nullable, name in TIMESTAMP_COLUMNS)
        elif field.type in ("float", "double"):
            values, bad = _numeric(series)
            if bad.any():
                problems.append(RowProblem(bad, name, f"{name} is not a number.",
                                           f"Write {name} as a plain number such as 0.75 (or leave it empty if "
                                           "the field is nullable)."))
            missing = values.isna().to_numpy() & ~bad
            if not field.nullable and missing.any():
                problems.append(RowProblem(missing, name, f"{name} is empty but the field is not nullable.",
                                           f"Fill {name} or declare it nullable in the schema."))
        elif field.type == "boolean":
            if not pd.api.types.is_bool_dtype(series):
                text = series.astype("str").str.lower()
                bad = (~text.isin(["true", "false"])).to_numpy(dtype=bool, na_value=True) & ~_missing(series)
                if bad.any():
                    problems.append(RowProblem(bad, name, f"{name} is not true or false.",
                                               "Write booleans as lower-case true/false."))
            missing = _missing(series)
            if not field.nullable and missing.any():
                problems.append(RowProblem(missing, name, f"{name} is empty but the field is not nullable.",
                                           f"Fill {name} or declare it nullable."))
        else:
            missing = _missing(series)
            required_here = not field.nullable or (name == EVENT_TYPE and domain is not None)
            if required_here and missing.any():
                why = f"{domain} dataset groups require it" if name == EVENT_TYPE and domain else "not nullable"
                problems.append(RowProblem(missing, name, f"{name} is empty ({why}).",
                                           f"Fill {name} in every row, or declare it nullable in the schema."))
            limit = None
            if field.textual:
                limit = MAX_TEXTUAL_LENGTH
            elif field.categorical or name == IMPRESSION:
                limit = MAX_CATEGORICAL_LENGTH
            if limit is not None:
                too_long = _too_long(series, limit)
                if too_long is not None:
                    what = "textual" if field.textual else "categorical" if field.categorical else name
                    problems.append(RowProblem(too_long, name,
                                               f"{name} is a {what} value longer than {limit:,} characters.",
                                               f"Shorten the value to at most {limit:,} characters."))
    return problems


def raise_first(problems: list[RowProblem], frame: pd.DataFrame, rownums: np.ndarray, file: str | None) -> None:
    """Raise a DatasetError for the earliest row any problem concerns (no-op without problems)."""
    if not problems:
        return
    best = min(problems, key=lambda p: p.first())
    position = best.first()
    value = frame[best.column].iloc[position]
    value = value.item() if isinstance(value, np.generic) else value
    shown = repr(value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "...")
    raise DatasetError(f"{best.reason} (value {shown})", file=file, row=int(rownums[position]), column=best.column,
                       fix=best.fix)


def reject_rows(problems: list[RowProblem], frame: pd.DataFrame, rownums: np.ndarray
                ) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Remove every row a problem concerns and list them.

    Returns:
        ``(kept_frame, kept_rownums, rejected)`` where ``rejected`` has one line per
        (row, column, reason), sorted by row.
    """
    bad = np.zeros(len(frame), dtype=bool)
    parts = []
    for p in problems:
        bad |= p.mask
        where = np.flatnonzero(p.mask)
        parts.append(pd.DataFrame({"row": rownums[where].astype("int64"), "column": p.column, "reason": p.reason}))
    rejected = rejected_frame(parts)
    kept = frame.loc[~bad].reset_index(drop=True)
    return kept, rownums[~bad], rejected


def rejected_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate rejected-row parts into the documented (row, column, reason) frame."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_rejected()
    out = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    return out.astype({"row": "int64", "column": "str", "reason": "str"})


def _users_with_two(users: pd.Series, enough: int) -> tuple[int, int | None]:
    """Users with 2+ interactions, and the number of users (None when not counted).

    The fast path counts a prefix of the rows first: counts only grow with more
    rows, so ``enough`` users with 2+ interactions in the prefix settle the question
    without hashing the whole column. Otherwise every row is counted.
    """
    prefix = users.iloc[:PREFIX_ROWS]
    if len(users) > PREFIX_ROWS:
        in_prefix = int((prefix.value_counts(sort=False) >= 2).sum())
        if in_prefix >= enough:
            return in_prefix, None
    counts = users.value_counts(sort=False)
    return int((counts >= 2).sum()), int(len(counts))


def volume_checks(report: ValidationReport, n: int, with_two: int, n_users: int | None) -> None:
    """Personalize's minimum and recommended training volumes, added to ``report`` as errors / warnings.

    Args:
        report: the report to add to.
        n: interactions (after any event-type filtering).
        with_two: users with 2 or more interactions.
        n_users: distinct users, or ``None`` when they were not all counted (the share check is then skipped).

    Shared by the in-memory validation and the DuckDB path for files larger than memory (``large.py``).
    """
    if n < MIN_INTERACTIONS:
        report.add("error", "min_interactions",
                   f"{n:,} interactions; Personalize needs at least {MIN_INTERACTIONS:,} (after any event-type "
                   "filtering) to train.", count=n)
    if with_two < MIN_USERS_WITH_TWO:
        report.add("error", "min_users",
                   f"{with_two} users have 2 or more interactions; Personalize needs at least "
                   f"{MIN_USERS_WITH_TWO}.", column=USER_ID, count=with_two)
    if n < RECOMMENDED_INTERACTIONS or with_two < RECOMMENDED_USERS_WITH_TWO:
        report.add("warning", "recommended_volume",
                   f"{n:,} interactions and {with_two:,} users with 2+ interactions; for good quality AWS "
                   f"recommends {RECOMMENDED_INTERACTIONS:,} interactions from {RECOMMENDED_USERS_WITH_TWO:,} "
                   "users with 2+ interactions each.")
    if n_users and with_two / n_users < MIN_SHARE_USERS_WITH_TWO:
        report.add("warning", "min_user_share",
                   f"only {with_two / n_users:.2%} of users have 2+ interactions; the current quota table "
                   "(read in translation) asks for at least 1%.", column=USER_ID)


def dataset_checks(frame: pd.DataFrame, kind: str, schema: DatasetSchema, domain: str | None,
                   report: ValidationReport, *, full: bool = True, rownums: np.ndarray | None = None
                   ) -> ValidationReport:
    """Whole-dataset rules; adds issues and ``stats`` to ``report``.

    Interactions: fewer than 1,000 rows or fewer than 25 users with 2+ interactions
    is an error (Personalize can't train); optional fields plus distinct event
    types above 10 is an error; below AWS's recommended 50,000 interactions / 1,000
    users with 2+ interactions, or under 1% of users with 2+ interactions, is a
    warning; a domain group without its typical event types is a warning.
    Items/Users: duplicated ids are a warning (which row wins is not documented).
    TIMESTAMP (and an items dataset's CREATION_TIMESTAMP) at 0 or below, or with 11 digits,
    is a warning (:func:`timestamp_range_warning`); 12 or more digits is a row error.
    Empty frames get the minimum-data errors with counts of 0.

    With ``full=False`` (what loaders use, to stay fast on large files) the user
    counts may stop early once the thresholds are proven met: ``users_with_2_plus``
    is then a lower bound, ``n_users``/``n_items`` are not computed, and the
    1%-share warning is skipped. Errors are the same either way.

    ``rownums`` gives each frame row's data row in the file (what loaders keep after rejecting
    rows), so warnings name the file's row; without it rows are counted from 1.
    """
    n = len(frame)
    rownums = np.arange(1, n + 1, dtype=np.int64) if rownums is None else np.asarray(rownums)
    report.stats[f"n_{kind}"] = n
    if kind == "interactions":
        users = frame[USER_ID] if USER_ID in frame.columns else pd.Series(dtype="str")
        if full:
            counts = users.value_counts(sort=False)
            with_two, n_users = int((counts >= 2).sum()), int(len(counts))
        else:
            with_two, n_users = _users_with_two(users, RECOMMENDED_USERS_WITH_TWO)
        report.stats["users_with_2_plus"] = with_two
        if n_users is not None:
            report.stats["n_users"] = n_users
        if full and ITEM_ID in frame.columns:
            report.stats["n_items"] = int(frame[ITEM_ID].nunique())
        volume_checks(report, n, with_two, n_users)
        if TIMESTAMP in frame.columns and n and pd.api.types.is_numeric_dtype(frame[TIMESTAMP]):
            report.stats.update(first_timestamp=int(frame[TIMESTAMP].min()), last_timestamp=int(frame[TIMESTAMP].max()))
        _timestamp_range(frame, TIMESTAMP, report, rownums)
        custom = [f for f in schema.fields if f.name not in REQUIRED[kind] and f.name not in RESERVED[kind]]
        optional = len(custom) + sum(schema.field(c) is not None for c in (EVENT_TYPE, EVENT_VALUE))
        if EVENT_TYPE in frame.columns:
            kinds_seen = frame[EVENT_TYPE].dropna().unique()
            report.stats["event_types"] = sorted(str(k) for k in kinds_seen)
            if optional + len(kinds_seen) > MAX_INTERACTION_OPTIONAL_PLUS_EVENT_TYPES:
                report.add("error", "optional_fields_plus_event_types",
                           f"{optional} optional fields plus {len(kinds_seen)} distinct event types = "
                           f"{optional + len(kinds_seen)}; the limit is {MAX_INTERACTION_OPTIONAL_PLUS_EVENT_TYPES}.",
                           column=EVENT_TYPE)
            expected = DOMAIN_EVENT_TYPES.get(domain or "")
            lowered = {str(k).lower() for k in kinds_seen}
            if expected and not lowered & set(expected):
                report.add("warning", "domain_event_types",
                           f"no {' or '.join(e.title() for e in expected)} events; {domain} use cases are built on "
                           "them (which one is required depends on the use case).", column=EVENT_TYPE)
    else:
        id_column = ID_COLUMNS[kind][0]
        if id_column in frame.columns:
            duplicated = frame[id_column].duplicated()
            if duplicated.any():
                first = int(np.flatnonzero(duplicated.to_numpy())[0])
                report.add("warning", "duplicate_ids",
                           f"{int(duplicated.sum())} rows repeat an {id_column} already seen; keep one row per id.",
                           column=id_column, row=int(rownums[first]), count=int(duplicated.sum()))
        if kind == "items":
            _timestamp_range(frame, CREATION_TIMESTAMP, report, rownums)
    return report


def timestamp_range_warning(report: ValidationReport, column: str, low: int, first_low: int | None, high: int,
                            first_high: int | None) -> None:
    """Warn about epoch-second values that are whole numbers but unlikely dates.

    ``low`` values are 0 or negative (1 January 1970 or before: often a missing value written
    as 0), ``high`` ones have 11 digits (after the year 2286: tenths of seconds, or a typo);
    ``first_*`` are their first 1-based data rows. Both are valid longs, so the rows are
    kept; the warning says where they are and how to fix them.
    """
    if not low and not high:
        return
    parts = []
    if low:
        parts.append(f"{low:,} are 0 or negative (1 January 1970 or earlier; first at row {first_low})")
    if high:
        parts.append(f"{high:,} have 11 digits (after the year 2286; first at row {first_high})")
    report.add("warning", "implausible_timestamps",
               f"{column} values that are unlikely Unix epoch seconds: {' and '.join(parts)}. Epoch seconds "
               "have 10 digits today (July 31, 2020 is 1596238243). Check how the column was made: give a missing "
               "time a real value or drop the row instead of writing 0, and convert other units to seconds.",
               column=column, row=min(r for r in (first_low, first_high) if r is not None), count=low + high)


def _timestamp_range(frame: pd.DataFrame, column: str, report: ValidationReport, rownums: np.ndarray) -> None:
    if column not in frame.columns or not len(frame) or not pd.api.types.is_numeric_dtype(frame[column]):
        return
    values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        low = values <= 0
        high = (values >= ELEVEN_DIGIT_SECONDS) & (values < MAX_EPOCH_SECONDS)
    first_low = int(rownums[np.flatnonzero(low)[0]]) if low.any() else None
    first_high = int(rownums[np.flatnonzero(high)[0]]) if high.any() else None
    timestamp_range_warning(report, column, int(low.sum()), first_low, int(high.sum()), first_high)


def _validate(frame: pd.DataFrame, kind: str, domain: str | None, schema) -> ValidationReport:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"validate_{kind} expects a pandas DataFrame, got {type(frame).__name__}")
    report = ValidationReport(kind)
    missing = [c for c in REQUIRED[kind] if c not in frame.columns]
    for name in missing:
        report.add("error", "missing_column", f"required column {name} is missing.", column=name)
    if schema is None:
        schema = schema_from_frame(frame, kind)
    else:
        schema = load_schema(schema)
        extra = [c for c in frame.columns if c not in schema.names]
        absent = [c for c in schema.names if c not in frame.columns]
        for name in absent:
            if name not in missing:
                report.add("error", "missing_column", f"column {name} is in the schema but not in the data.",
                           column=name)
        for name in extra:
            report.add("error", "extra_column", f"column {name} is not a field of the schema.", column=name)
        if not extra and not absent and list(frame.columns) != schema.names:
            report.add("error", "column_order", f"columns must follow the schema order {schema.names}.")
    check_schema(schema, kind, domain, report)
    if kind == "interactions" and domain is not None and EVENT_TYPE not in frame.columns:
        if not any(i.check == "domain_event_type" for i in report.errors):
            report.add("error", "domain_event_type", f"{domain} dataset groups require an EVENT_TYPE column.",
                       column=EVENT_TYPE)
    for p in row_problems(frame, kind, schema, domain):
        report.add("error", "row_values", p.reason + " " + p.fix, column=p.column, row=p.first() + 1,
                   count=int(p.mask.sum()))
    return dataset_checks(frame, kind, schema, domain, report)


def validate_interactions(df: pd.DataFrame, domain: str | None = None, *, schema=None) -> ValidationReport:
    """Check an interactions frame against every Personalize rule the workbench knows.

    Never raises for bad data: each problem becomes an issue in the report, with
    the column, the first offending row (1-based) and the number of rows.

    Args:
        df: Interactions (USER_ID, ITEM_ID, TIMESTAMP, optional EVENT_TYPE, EVENT_VALUE, ...).
        domain: None (custom dataset group), ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``;
            the domains require EVENT_TYPE.
        schema: Optional schema (path, JSON, dict or DatasetSchema) the frame must follow;
            derived from the frame when None.

    Returns:
        A :class:`ValidationReport`; ``stats`` holds n_interactions, n_users,
        users_with_2_plus, n_items, event_types and the timestamp range.
    """
    return _validate(df, "interactions", domain, schema)


def validate_items(df: pd.DataFrame, domain: str | None = None, *, schema=None) -> ValidationReport:
    """Check an Items frame (ITEM_ID plus at least one metadata field); see :func:`validate_interactions`."""
    return _validate(df, "items", domain, schema)


def validate_users(df: pd.DataFrame, domain: str | None = None, *, schema=None) -> ValidationReport:
    """Check a Users frame (USER_ID plus at least one metadata field); see :func:`validate_interactions`."""
    return _validate(df, "users", domain, schema)
