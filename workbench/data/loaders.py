"""Load Personalize-format datasets: ``load_interactions``, ``load_items``, ``load_users``.

Each loader reads a CSV (or Parquet) file in the format Amazon Personalize
imports, checks it against an Avro schema (given, or derived from the header and
the reserved column names), applies the row rules of :mod:`.validate`, and
returns ``(frame, LoadReport)``.

The returned frame has one dtype per Avro type: ``string`` fields are pandas
``str`` columns (ids are always text, so ``"007"`` stays ``"007"``), ``long``
fields ``int64`` (``Int64`` when nullable values are missing), ``float``/``double``
fields ``float64`` and ``boolean`` fields ``bool`` (``boolean`` with missing values).
Multi-value fields stay ``|``-joined strings, as in the file; see
:func:`split_multi_values`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..constants import EVENT_TYPE
from ..errors import DatasetError
from .readers import read_table
from .report import LoadReport
from .schemas import (
    KINDS,
    REQUIRED,
    RESERVED,
    DatasetSchema,
    check_columns,
    load_schema,
    require_valid_schema,
    schema_from_frame,
)
from .validate import DOMAIN_EVENT_TYPES, dataset_checks, raise_first, reject_rows, rejected_frame, row_problems

ERRORS = ("raise", "reject")


@dataclasses.dataclass
class PersonalizeData:
    """The datasets of one dataset group, as frames."""

    interactions: pd.DataFrame
    """Item interactions (USER_ID, ITEM_ID, TIMESTAMP, ...)."""

    items: pd.DataFrame | None = None
    """Items dataset (ITEM_ID + metadata) or None."""

    users: pd.DataFrame | None = None
    """Users dataset (USER_ID + metadata) or None."""

    reports: dict[str, LoadReport] = dataclasses.field(default_factory=dict)
    """Load report per dataset kind (``"interactions"``, ``"items"``, ``"users"``)."""

    def frames(self) -> dict[str, pd.DataFrame]:
        """The datasets that are present, keyed by kind."""
        out = {"interactions": self.interactions, "items": self.items, "users": self.users}
        return {k: v for k, v in out.items() if v is not None}


def split_multi_values(series: pd.Series, separator: str = "|") -> pd.Series:
    """Turn ``"Action|Crime"`` strings into lists ``["Action", "Crime"]`` (missing -> empty list)."""
    return series.map(lambda v: [] if v is None or (isinstance(v, float) and np.isnan(v)) or v == ""
                      else str(v).split(separator))


def _string_columns(kind: str, schema: DatasetSchema | None) -> list[str]:
    if schema is not None:
        return [f.name for f in schema.fields if f.type == "string"]
    known = {**REQUIRED[kind], **RESERVED[kind]}
    return [name for name, types in known.items() if types[0] == "string"]


def _to_number(series: pd.Series, integer: bool = False) -> pd.Series:
    """Numeric values of a column whose values are known to be numbers (text or numeric).

    Integers are parsed as int64 when possible (no precision lost above 2**53), with
    missing values as ``Int64``; otherwise float64.
    """
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        for target in ([pa.int64()] if integer else []) + [pa.float64()]:
            try:  # Arrow's cast is C speed; text that passed the row rules parses
                cast = pc.cast(pa.array(series), target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            if pa.types.is_integer(target):
                dtype = "Int64" if cast.null_count else "int64"
                return pd.Series(pd.array(cast.to_pylist() if cast.null_count else cast.to_numpy(), dtype=dtype),
                                 index=series.index, name=series.name)
            return pd.Series(cast.to_numpy(zero_copy_only=False), index=series.index, name=series.name)
    if integer:
        numbers = pd.to_numeric(series, errors="coerce", dtype_backend="numpy_nullable")
        if pd.api.types.is_integer_dtype(numbers):
            return numbers
    return pd.to_numeric(series, errors="coerce").astype("float64")


def coerce_types(frame: pd.DataFrame, schema: DatasetSchema) -> pd.DataFrame:
    """Give every schema field its documented dtype (after the row rules have passed).

    Args:
        frame: Data whose values already satisfy the row rules.
        schema: Field types.

    Returns:
        A new frame (same columns) with ``str`` / ``int64`` / ``Int64`` / ``float64`` / ``bool`` columns.
    """
    out = {}
    for name in frame.columns:
        series = frame[name]
        field = schema.field(name)
        ftype = field.type if field is not None else None
        if ftype == "string":
            if not pd.api.types.is_string_dtype(series) or series.dtype == object:
                series = series.astype("str").where(series.notna())
                series = series.astype("str")
        elif ftype in ("long", "int"):
            if not pd.api.types.is_integer_dtype(series) or series.dtype.name == "Int64":
                numbers = _to_number(series, integer=True)
                series = numbers.astype("Int64") if numbers.isna().any() else numbers.astype("int64")
        elif ftype in ("float", "double"):
            if series.dtype != np.float64:
                series = _to_number(series)
        elif ftype == "boolean" and not pd.api.types.is_bool_dtype(series):
            lowered = series.astype("str").str.lower()
            mapped = lowered.map({"true": True, "false": False})
            series = mapped.astype("boolean") if mapped.isna().any() else mapped.astype(bool)
        out[name] = series
    return pd.DataFrame(out, index=frame.index)


def finish_frame(frame: pd.DataFrame, kind: str, *, file: str | None, schema=None, domain: str | None = None,
                 errors: str = "raise", rownums: np.ndarray | None = None, rows_read: int | None = None,
                 parse_rejected: pd.DataFrame | None = None, checks: bool = True) -> tuple[pd.DataFrame, LoadReport]:
    """Apply schema, row rules, the errors policy and dataset checks to a raw frame.

    Every loader (CSV, Parquet, MovieLens) ends here, so all of them treat bad
    input the same way.

    Args:
        frame: Raw data, columns in file order.
        kind: ``"interactions"``, ``"items"`` or ``"users"``.
        file: File name used in messages and the report.
        schema: Schema to follow (path/JSON/dict/DatasetSchema) or None to derive one.
        domain: None, ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``.
        errors: ``"raise"`` or ``"reject"``.
        rownums: 1-based file row of each frame row (default 1..n).
        rows_read: Data rows in the file (default ``len(frame)``).
        parse_rejected: Rows already rejected while parsing.
        checks: Run the whole-frame dataset checks (warnings such as ``duplicate_ids``). A caller
            that sees the file in chunks passes False and checks the whole file once itself.

    Returns:
        ``(frame, report)``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be 'raise' or 'reject', not {errors!r}")
    rownums = np.arange(1, len(frame) + 1, dtype=np.int64) if rownums is None else rownums
    rows_read = len(frame) if rows_read is None else rows_read
    columns = [str(c) for c in frame.columns]
    if schema is not None:
        schema = load_schema(schema)
        report = require_valid_schema(schema, kind, domain)
        check_columns(columns, schema, file)
    else:
        for name in REQUIRED[kind]:
            if name not in columns:
                raise DatasetError(f"missing required column {name}.", file=file, column=name,
                                   fix=f"The {kind} file needs the columns {', '.join(REQUIRED[kind])} "
                                   f"(header names are case-sensitive); found {', '.join(columns)}.")
        if kind == "interactions" and domain is not None and EVENT_TYPE not in columns:
            raise DatasetError(f"missing column EVENT_TYPE, which {domain} dataset groups require.", file=file,
                               column=EVENT_TYPE, fix="Add an EVENT_TYPE column (e.g. "
                               f"{', '.join(e.title() for e in DOMAIN_EVENT_TYPES.get(domain, ('view', 'purchase')))}).")
        schema = schema_from_frame(frame, kind)
        report = require_valid_schema(schema, kind, domain, data_file=file)
    problems = row_problems(frame, kind, schema, domain)
    rejected = parse_rejected if parse_rejected is not None else rejected_frame([])
    if errors == "raise":
        raise_first(problems, frame, rownums, file)
    elif problems:
        frame, rownums, more = reject_rows(problems, frame, rownums)
        rejected = rejected_frame([rejected, more])
    frame = coerce_types(frame, schema)
    if checks:
        dataset_checks(frame, kind, schema, domain, report, full=False, rownums=rownums)
    load_report = LoadReport(
        file=str(file),
        rows_read=int(rows_read),
        rows_kept=len(frame),
        rows_rejected=int(rejected["row"].nunique()),
        rejected=rejected,
        schema=schema,
        validation=report,
    )
    return frame.reset_index(drop=True), load_report


def _load(path, kind: str, schema, domain: str | None, errors: str) -> tuple[pd.DataFrame, LoadReport]:
    if errors not in ERRORS:
        raise ValueError(f"errors must be 'raise' or 'reject', not {errors!r}")
    parsed = load_schema(schema) if schema is not None else None
    raw = read_table(path, _string_columns(kind, parsed), errors, multiline=kind != "interactions")
    return finish_frame(raw.frame, kind, file=str(path), schema=parsed, domain=domain, errors=errors,
                        rownums=raw.rownums, rows_read=raw.rows_read, parse_rejected=raw.rejected)


def load_interactions(path: str | Path, *, schema=None, domain: str | None = None, errors: str = "raise"
                      ) -> tuple[pd.DataFrame, LoadReport]:
    """Load an Item interactions file (CSV with header, or Parquet).

    Args:
        path: The file.
        schema: Avro schema (path, JSON text, dict or DatasetSchema). The file's
            columns must then be exactly the schema's fields, in order. When None, a
            schema is derived from the header: USER_ID, ITEM_ID, TIMESTAMP required,
            reserved columns typed as Personalize defines them, other columns inferred.
        domain: None (custom group), ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``
            (EVENT_TYPE then required in every row).
        errors: ``"raise"`` (default) stops at the first bad row with a DatasetError
            naming file, row and column; ``"reject"`` removes bad rows and lists them in
            ``report.rejected``. File-level problems (missing column, empty file,
            duplicate header, invalid schema) always raise.

    Returns:
        ``(frame, report)``; ``report.validation`` holds the dataset-level checks
        (minimum data for training etc.), which never stop the load.

    Raises:
        DatasetError: See above; :class:`~workbench.errors.SchemaError` for schema problems.
    """
    return _load(path, "interactions", schema, domain, errors)


def load_items(path: str | Path, *, schema=None, domain: str | None = None, errors: str = "raise"
               ) -> tuple[pd.DataFrame, LoadReport]:
    """Load an Items file (ITEM_ID + metadata); arguments as in :func:`load_interactions`.

    Without a schema, string columns become categorical fields and the first
    string column whose name contains ``DESCRIPTION`` becomes the textual field.
    """
    return _load(path, "items", schema, domain, errors)


def load_users(path: str | Path, *, schema=None, domain: str | None = None, errors: str = "raise"
               ) -> tuple[pd.DataFrame, LoadReport]:
    """Load a Users file (USER_ID + metadata); arguments as in :func:`load_interactions`."""
    return _load(path, "users", schema, domain, errors)


LOADERS = {"interactions": load_interactions, "items": load_items, "users": load_users}


def schema_file_name(kind: str) -> str:
    """File name :func:`~workbench.data.to_personalize` gives the schema of a dataset kind."""
    return f"{kind}_schema.json"


def load_folder(folder: str | Path, *, domain: str | None = None, errors: str = "raise") -> PersonalizeData:
    """Load ``interactions.csv`` (required), ``items.csv`` and ``users.csv`` from a folder.

    A ``<kind>_schema.json`` next to a data file (as written by ``to_personalize``)
    is used as its schema.

    Args:
        folder: Folder holding the files.
        domain: Passed to every loader.
        errors: Passed to every loader.

    Returns:
        The datasets with their load reports.
    """
    folder = Path(folder)
    frames: dict[str, pd.DataFrame | None] = {}
    reports: dict[str, LoadReport] = {}
    for kind in KINDS:
        path = next((folder / f"{kind}{s}" for s in (".csv", ".parquet") if (folder / f"{kind}{s}").exists()), None)
        if path is None:
            if kind == "interactions":
                raise DatasetError("no interactions.csv in this folder.", file=str(folder / "interactions.csv"),
                                   fix="Point to a folder written by to_personalize (or run `make data`).")
            frames[kind] = None
            continue
        schema_path = folder / schema_file_name(kind)
        frame, report = LOADERS[kind](path, schema=schema_path if schema_path.exists() else None, domain=domain,
                                      errors=errors)
        frames[kind], reports[kind] = frame, report
    return PersonalizeData(frames["interactions"], frames["items"], frames["users"], reports)
