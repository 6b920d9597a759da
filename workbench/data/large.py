"""Files larger than memory: stream a Personalize-format CSV/Parquet through DuckDB.

:func:`load_interactions` reads the whole file into one pandas frame. That stops
working once the file is larger than the machine's memory (a 20M-row event log
is about 2 GB as CSV and more as a frame). :func:`load_large` gives the same
answer without holding the file:

1. DuckDB reads the file (multi-threaded CSV reader, or Parquet) with every value
   kept as text, and records the lines it cannot parse (wrong number of fields,
   bytes that are not UTF-8) instead of stopping.
2. One aggregate pass over the file finds which columns have empty values and
   which custom columns hold numbers, so the schema is derived from the whole
   file, as the in-memory loader does (or an Avro schema you pass is used).
3. The rows then stream in chunks of ``chunk_rows`` through the in-memory
   loader's own code (:func:`~workbench.data.loaders.finish_frame`: the Avro
   schema rules, the row rules of :mod:`~workbench.data.validate`, the
   ``errors="raise"`` / ``"reject"`` policy, the dtypes), so a bad row gets the same
   :class:`~workbench.errors.DatasetError` -- file, row, column, how to fix -- and the
   kept rows the same types.
4. Kept rows are appended to a Parquet file; the dataset rules that need the
   whole file (1,000 interactions, 25 users with 2+ interactions, event types,
   duplicated ids) are counted there by DuckDB, spilling to disk if needed.

Memory stays at about one chunk plus DuckDB's ``memory_limit``. The result is a
:class:`LargeLoad`: the Parquet path of the clean rows, the
:class:`~workbench.data.report.LoadReport` (rows read/kept/rejected, the rejected
rows, the validation report) and the schema. ``to_pandas()`` returns the frame
when it does fit, identical to what :func:`load_interactions` returns.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..constants import CREATION_TIMESTAMP, EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError
from .loaders import ERRORS, _string_columns, coerce_types, finish_frame
from .readers import ENCODING_FIX, PARQUET_SUFFIXES, _header
from .report import LoadReport, ValidationReport
from .schemas import ID_COLUMNS, KINDS, MAX_INTERACTION_OPTIONAL_PLUS_EVENT_TYPES, REQUIRED, RESERVED, DatasetSchema
from .schemas import load_schema as _load_schema
from .validate import (
    DOMAIN_EVENT_TYPES,
    ELEVEN_DIGIT_SECONDS,
    MAX_EPOCH_SECONDS,
    rejected_frame,
    timestamp_range_warning,
    volume_checks,
)

__all__ = ["LargeLoad", "load_large", "validate_large"]

DEFAULT_CHUNK_ROWS = 500_000
"""Rows handed to the row rules at a time (about 100 MB of text for interactions)."""

_ARROW_TYPES = {"string": pa.string(), "long": pa.int64(), "int": pa.int64(), "float": pa.float64(),
                "double": pa.float64(), "boolean": pa.bool_()}


@dataclasses.dataclass(repr=False)
class LargeLoad:
    """What :func:`load_large` produced."""

    path: Path
    """Parquet file holding the kept rows, typed by the schema, in file order (without ``out=``, a file in the
    system temp directory: use the result as a context manager, or call :meth:`close`, to remove it)."""

    report: LoadReport
    """Rows read/kept/rejected, the rejected rows and the dataset-level validation."""

    schema: DatasetSchema
    """The schema the rows were checked against (given, or derived from the whole file)."""

    temporary: bool = False
    """True when :func:`load_large` chose :attr:`path` (no ``out=``): :meth:`close` then deletes it."""

    def close(self) -> None:
        """Delete the Parquet file if :func:`load_large` made it in the temp folder; a file named by ``out=``
        is the caller's and stays. Safe to call twice."""
        if self.temporary:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> LargeLoad:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def to_pandas(self) -> pd.DataFrame:
        """The kept rows as one frame, with the dtypes :func:`~workbench.data.load_interactions` gives.

        Only call this when the clean data fits in memory; otherwise query
        :meth:`relation` or hand :attr:`path` to Spark (``spark.read.parquet``).
        """
        frame = pq.read_table(self.path).to_pandas()
        return coerce_types(frame, self.schema).reset_index(drop=True)

    def relation(self, connection=None):
        """A DuckDB relation over the kept rows (lazy: nothing is read until you query it)."""
        import duckdb

        connection = connection if connection is not None else duckdb.connect()
        return connection.read_parquet(str(self.path))

    def __str__(self) -> str:
        return f"{self.report} -> {self.path}"

    __repr__ = __str__


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(memory_limit: str | None, threads: int | None, spill: str):
    import duckdb

    config = {"temp_directory": spill, "preserve_insertion_order": True}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = int(threads)
    return duckdb.connect(config=config)


def _csv_source(path: Path) -> str:
    return (f"read_csv({_literal(str(path))}, header=true, all_varchar=true, delim=',', quote='\"', escape='\"', "
            "store_rejects=true, rejects_scan='wb_reject_scans', rejects_table='wb_reject_errors', "
            "null_padding=false, auto_detect=false, columns={columns})")


def _source(path: Path, header: list[str], parquet: bool) -> tuple[str, list]:
    """SQL table expression (and its parameters) that yields the file's rows in file order."""
    if parquet:
        return f"read_parquet({_literal(str(path))})", []
    columns = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header) + "}"
    return _csv_source(path).replace("{columns}", columns), []


def _blank_lines_before(path: Path, lines: np.ndarray) -> np.ndarray:
    """For each 1-based file line, how many blank lines come before it (the in-memory loader skips them)."""
    if not len(lines):
        return np.zeros(0, dtype=np.int64)
    last = int(lines.max())
    blanks = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if number >= last:
                break
            if not line.strip(b"\r\n"):
                blanks.append(number)
    return np.searchsorted(np.asarray(blanks, dtype=np.int64), lines, side="left").astype(np.int64)


def _parse_rejects(connection, path: Path, header: list[str]) -> pd.DataFrame:
    """Lines DuckDB could not parse, as the in-memory loader words them: ``row, column, reason``."""
    rows = connection.execute(
        "SELECT line, column_name, error_type, csv_line FROM wb_reject_errors ORDER BY line").fetchall()
    if not rows:
        return rejected_frame([])
    lines = np.asarray([r[0] for r in rows], dtype=np.int64)
    data_rows = lines - 1 - _blank_lines_before(path, lines)
    out = []
    for data_row, (_, column, error_type, csv_line) in zip(data_rows, rows):
        if "ENCODING" in str(error_type).upper() or "UNICODE" in str(error_type).upper():
            name = column if column in header else ""
            reason = f"{name} contains bytes that are not UTF-8." if name else "the row contains bytes that are not UTF-8."
        else:
            name = ""
            try:
                fields = len(next(csv.reader([str(csv_line).strip("\r\n")])))
            except (StopIteration, csv.Error):
                fields = "a different number of"
            reason = f"the row has {fields} fields but the header has {len(header)}."
        out.append({"row": int(data_row), "column": name, "reason": reason})
    return rejected_frame([pd.DataFrame(out)]).drop_duplicates("row", keep="first").reset_index(drop=True)


def _first_parse_error(rejects: pd.DataFrame, file: str) -> DatasetError:
    first = rejects.iloc[0]
    column = first["column"] or None
    fix = ENCODING_FIX if column else "Quote values that contain commas, and give every row one value per column."
    return DatasetError(str(first["reason"]), file=file, row=int(first["row"]), column=column, fix=fix)


def _profile(connection, source: str, params: list, header: list[str], typed: dict[str, str],
             candidates: list[str]) -> tuple[int, dict[str, bool], dict[str, str]]:
    """One pass over the file: row count, which columns have empty values, number-like custom columns."""
    parts = ["count(*)"]
    for name in header:
        col = _ident(name)
        empty = f"({col} IS NULL)" if typed.get(name, "VARCHAR") != "VARCHAR" else f"(NULLIF({col}, '') IS NULL)"
        parts.append(f"bool_or({empty})")
    for name in candidates:
        col = _ident(name)
        parts.append(f"bool_and({col} IS NULL OR {col} = '' OR (regexp_full_match({col}, '[+-]?[0-9]{{1,18}}')))")
        parts.append(f"bool_and({col} IS NULL OR {col} = '' OR TRY_CAST({col} AS DOUBLE) IS NOT NULL)")
        parts.append(f"bool_and({col} IS NULL OR {col} = '' OR lower({col}) IN ('true', 'false'))")
        parts.append(f"count(NULLIF({col}, ''))")
    row = connection.execute(f"SELECT {', '.join(parts)} FROM {source}", params or None).fetchall()[0]
    n = int(row[0])
    nullable = {name: bool(row[1 + i]) for i, name in enumerate(header)}
    kinds: dict[str, str] = {}
    offset = 1 + len(header)
    for i, name in enumerate(candidates):
        is_long, is_double, is_bool, filled = row[offset + 4 * i : offset + 4 * i + 4]
        if not filled:  # no value at all: text, as pyarrow reads an all-empty column
            kinds[name] = "string"
        else:
            kinds[name] = "long" if is_long else "float" if is_double else "boolean" if is_bool else "string"
    return n, nullable, kinds


def _proxy_frame(header: list[str], nullable: dict[str, bool], kinds: dict[str, str]) -> pd.DataFrame:
    """Two rows with each column's dtype and missing values where the file has them.

    :func:`finish_frame` derives the schema from dtypes and ``isna`` only, so
    running it on this stand-in applies every file-level rule of the in-memory
    loader (required columns, reserved types, Avro rules) to the whole file.
    """
    values = {"string": ("x", "str"), "long": (1, "Int64"), "float": (1.0, "float64"), "boolean": (True, "boolean")}
    columns = {}
    for name in header:
        value, dtype = values[kinds.get(name, "string")]
        columns[name] = pd.Series([value, None if nullable[name] else value], dtype=dtype)
    return pd.DataFrame(columns)


def _typed_chunk(batch: pa.RecordBatch, schema: DatasetSchema, parquet: bool) -> pd.DataFrame:
    """A chunk of text columns with numbers parsed where every value parses (as pyarrow's CSV reader does)."""
    arrays, names = [], []
    nullable_ints = False
    for name, array in zip(batch.schema.names, batch.columns):
        field = schema.field(name)
        if field is not None and field.type == "string" and not pa.types.is_string(array.type):
            array = pc.cast(array, pa.string())
        if not parquet and field is not None and field.type in ("long", "int", "float", "double"):
            targets = [pa.int64(), pa.float64()] if field.type in ("long", "int") else [pa.float64()]
            for target in targets:
                try:
                    array = pc.cast(array, target)
                    break
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    continue
        if pa.types.is_integer(array.type) and array.null_count:
            nullable_ints = True
        arrays.append(array)
        names.append(name)
    table = pa.Table.from_arrays(arrays, names=names)
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get if nullable_ints else None)


def _kept_rownums(start: int, count: int, shift: np.ndarray) -> np.ndarray:
    """1-based file rows of the ``count`` parsed rows after the first ``start``, skipping unparsable rows."""
    positions = np.arange(start + 1, start + count + 1, dtype=np.int64)
    return positions + np.searchsorted(shift, positions, side="left")


def _arrow_schema(schema: DatasetSchema) -> pa.Schema:
    return pa.schema([pa.field(f.name, _ARROW_TYPES[f.type]) for f in schema.fields])


def _timestamp_range(connection, table: str, schema: DatasetSchema, column: str, report: ValidationReport,
                     file_row) -> None:
    """:func:`~workbench.data.validate.timestamp_range_warning` counted by DuckDB (0 or below; 11 digits)."""
    field = schema.field(column)
    if field is None or field.type not in ("long", "int"):
        return
    col = _ident(column)
    low, first_low, high, first_high = connection.execute(
        f"SELECT count(*) FILTER (WHERE {col} <= 0), min(file_row_number) FILTER (WHERE {col} <= 0), "
        f"count(*) FILTER (WHERE {col} >= {ELEVEN_DIGIT_SECONDS} AND {col} < {MAX_EPOCH_SECONDS}), "
        f"min(file_row_number) FILTER (WHERE {col} >= {ELEVEN_DIGIT_SECONDS} AND {col} < {MAX_EPOCH_SECONDS}) "
        f"FROM {table}").fetchone()
    timestamp_range_warning(report, column, int(low), None if first_low is None else file_row(int(first_low)),
                            int(high), None if first_high is None else file_row(int(first_high)))


def _dataset_checks(connection, parquet: Path, kind: str, schema: DatasetSchema, domain: str | None,
                    report: ValidationReport, rejected_rows: np.ndarray) -> ValidationReport:
    """The whole-file rules of :func:`~workbench.data.validate.dataset_checks`, counted by DuckDB.

    Same checks, names and messages; counts are always exact here (the in-memory
    loader may stop counting users early on large frames). ``rejected_rows`` (file rows
    left out of ``parquet``) turn a row of the clean copy back into the file's row.
    """
    skipped = np.unique(rejected_rows)  # a row rejected for two reasons is listed twice
    shift = skipped - np.arange(1, len(skipped) + 1)

    def file_row(copy_row: int) -> int:  # 0-based row of the clean copy -> 1-based row of the file
        return int(_kept_rownums(copy_row, 1, shift)[0])

    table = f"read_parquet({_literal(str(parquet))}, file_row_number=true)"
    n = int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    report.stats[f"n_{kind}"] = n
    names = schema.names
    if kind != "interactions":
        id_column = ID_COLUMNS[kind][0]
        if id_column in names:
            col = _ident(id_column)
            count, first = connection.execute(
                f"SELECT count(*), min(file_row_number) FROM (SELECT file_row_number, row_number() OVER "
                f"(PARTITION BY {col} ORDER BY file_row_number) AS k FROM {table}) WHERE k > 1").fetchone()
            if count:
                report.add("warning", "duplicate_ids",
                           f"{int(count)} rows repeat an {id_column} already seen; keep one row per id.",
                           column=id_column, row=file_row(int(first)), count=int(count))
        if kind == "items":
            _timestamp_range(connection, table, schema, CREATION_TIMESTAMP, report, file_row)
        return report
    with_two, n_users = connection.execute(
        f"SELECT count(*) FILTER (WHERE c >= 2), count(*) FROM (SELECT count(*) AS c FROM {table} "
        f"GROUP BY {_ident(USER_ID)})").fetchone()
    with_two, n_users = int(with_two), int(n_users)
    report.stats["users_with_2_plus"] = with_two
    report.stats["n_users"] = n_users
    report.stats["n_items"] = int(connection.execute(
        f"SELECT count(DISTINCT {_ident(ITEM_ID)}) FROM {table}").fetchone()[0])
    volume_checks(report, n, with_two, n_users)
    field = schema.field(TIMESTAMP)
    if n and field is not None and field.type in ("long", "int"):
        first, last = connection.execute(
            f"SELECT min({_ident(TIMESTAMP)}), max({_ident(TIMESTAMP)}) FROM {table}").fetchone()
        if first is not None:
            report.stats.update(first_timestamp=int(first), last_timestamp=int(last))
    _timestamp_range(connection, table, schema, TIMESTAMP, report, file_row)
    custom = [f for f in schema.fields if f.name not in REQUIRED[kind] and f.name not in RESERVED[kind]]
    optional = len(custom) + sum(schema.field(c) is not None for c in (EVENT_TYPE, EVENT_VALUE))
    if EVENT_TYPE in names:
        kinds_seen = [r[0] for r in connection.execute(
            f"SELECT DISTINCT {_ident(EVENT_TYPE)} FROM {table} WHERE {_ident(EVENT_TYPE)} IS NOT NULL").fetchall()]
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
    return report


def load_large(path: str | Path, kind: str = "interactions", *, schema=None, domain: str | None = None,
               errors: str = "raise", out: str | Path | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
               memory_limit: str | None = "2GB", threads: int | None = None) -> LargeLoad:
    """Load and validate a Personalize-format file of any size, out of core.

    Args:
        path: CSV (header row, UTF-8) or Parquet file.
        kind: ``"interactions"``, ``"items"`` or ``"users"``.
        schema: Avro schema (path, JSON, dict or DatasetSchema) the columns must follow, or
            None to derive one from the whole file (as :func:`~workbench.data.load_interactions` does).
        domain: None, ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``.
        errors: ``"raise"`` stops at the first bad row with a DatasetError naming file, row,
            column and the fix; ``"reject"`` drops bad rows and lists them in ``report.rejected``.
        out: Parquet file for the kept rows (default: a new file in the system's temp folder).
        chunk_rows: Rows checked at a time; memory grows with it.
        memory_limit: DuckDB's memory limit (it spills to disk beyond), e.g. ``"2GB"``; None = DuckDB's default.
        threads: DuckDB threads (None = all cores).

    Returns:
        A :class:`LargeLoad` (``.path``, ``.report``, ``.schema``, ``.to_pandas()``); without ``out=``,
        ``with load_large(...) as big:`` removes the temp file at the end of the block.

    Raises:
        DatasetError: As :func:`~workbench.data.load_interactions` (missing file, broken header,
            missing column, bad row with ``errors="raise"``); SchemaError for schema problems.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be 'raise' or 'reject', not {errors!r}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, not {chunk_rows}")
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DatasetError("file not found.", file=file, fix="Check the path (relative paths start at the "
                           "notebook's working directory).")
    parquet = path.suffix.lower() in PARQUET_SUFFIXES
    if not parquet:
        if path.stat().st_size == 0:
            raise DatasetError("the file is empty (0 bytes).", file=file,
                               fix="Write a header row such as USER_ID,ITEM_ID,TIMESTAMP followed by data rows.")
        header = _header(path)
    parsed = _load_schema(schema) if schema is not None else None
    spill = tempfile.mkdtemp(prefix="wb-duckdb-")
    connection = _connect(memory_limit, threads, spill)
    try:
        if parquet:
            try:
                described = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({_literal(file)})").fetchall()
            except Exception as exc:  # duckdb raises its own IOException/InvalidInputException types
                raise DatasetError(f"not a readable Parquet file ({exc}).", file=file,
                                   fix="Write it with DataFrame.to_parquet or use a CSV file.") from exc
            header = [str(r[0]) for r in described]
            typed = {str(r[0]): str(r[1]) for r in described}
        else:
            typed = {name: "VARCHAR" for name in header}
        source, params = _source(path, header, parquet)
        strings = set(_string_columns(kind, parsed))
        known = {**REQUIRED[kind], **RESERVED[kind]}
        candidates = [] if parquet or parsed is not None else [c for c in header if c not in known and c not in strings]
        n_parsed, nullable, kinds = _profile(connection, source, params, header, typed, candidates)
        rejects = rejected_frame([]) if parquet else _parse_rejects(connection, path, header)
        if n_parsed == 0 and not len(rejects):
            raise DatasetError("the file has a header row but no data rows." if not parquet else
                               "the file has no data rows.", file=file,
                               fix="Add data rows below the header." if not parquet else "Write at least one row.")
        if parquet:
            kinds = {name: _duckdb_kind(typed[name]) for name in header}
        for name in header:
            if name in strings or (name in known and known[name][0] == "string"):
                kinds[name] = "string"
            elif name in known:
                kinds[name] = known[name][0]
        if parsed is None:
            _, proxy_report = finish_frame(_proxy_frame(header, nullable, kinds), kind, file=file, schema=None,
                                           domain=domain, errors="reject")
            schema_used = proxy_report.schema
        else:
            finish_frame(_proxy_frame(header, nullable, {f.name: f.type for f in parsed.fields}), kind, file=file,
                         schema=parsed, domain=domain, errors="reject")
            schema_used = parsed
        if errors == "raise" and len(rejects):
            raise _first_parse_error(rejects, file)
        rejected_rows = rejects["row"].to_numpy(dtype=np.int64) if len(rejects) else np.zeros(0, dtype=np.int64)
        shift = np.sort(rejected_rows) - np.arange(1, len(rejected_rows) + 1)
        if out is not None:
            target = Path(out)
        else:
            handle, name = tempfile.mkstemp(prefix="wb-large-", suffix=".parquet")
            os.close(handle)
            target = Path(name)
        arrow_schema = _arrow_schema(schema_used)
        parts = [rejects]
        kept = 0
        seen = 0
        writer = pq.ParquetWriter(target, arrow_schema)
        finished = False
        try:
            reader = connection.sql(f"SELECT * FROM {source}").to_arrow_reader(chunk_rows)
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                chunk = _typed_chunk(batch, schema_used, parquet)
                rownums = _kept_rownums(seen, len(chunk), shift)
                seen += len(chunk)
                frame, chunk_report = finish_frame(chunk, kind, file=file, schema=schema_used, domain=domain,
                                                   errors=errors, rownums=rownums, checks=False)
                parts.append(chunk_report.rejected)
                kept += len(frame)
                writer.write_table(pa.Table.from_pandas(frame, schema=arrow_schema, preserve_index=False))
            finished = True
        finally:
            writer.close()
            if not finished:  # a bad row stopped the load: leave no half-written file behind
                target.unlink(missing_ok=True)
        rejected = rejected_frame(parts)
        report = _dataset_checks(connection, target, kind, schema_used, domain,
                                 _schema_report(schema_used, kind, domain, file),
                                 rejected["row"].to_numpy(dtype=np.int64))
        load_report = LoadReport(file=file, rows_read=int(seen + len(rejects)), rows_kept=int(kept),
                                 rows_rejected=int(rejected["row"].nunique()), rejected=rejected,
                                 schema=schema_used, validation=report)
        return LargeLoad(target, load_report, schema_used, temporary=out is None)
    finally:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)


def _schema_report(schema: DatasetSchema, kind: str, domain: str | None, file: str) -> ValidationReport:
    from .schemas import require_valid_schema

    return require_valid_schema(schema, kind, domain, data_file=file)


def _duckdb_kind(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper == "BOOLEAN":
        return "boolean"
    if any(t in upper for t in ("INT", "HUGEINT")):
        return "long"
    if any(t in upper for t in ("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
        return "float"
    return "string"


def validate_large(path: str | Path, kind: str = "interactions", *, schema=None, domain: str | None = None,
                   errors: str = "reject", **options) -> LoadReport:
    """Only the report of :func:`load_large` (the clean Parquet copy is written to a temp file and removed).

    ``errors`` defaults to ``"reject"`` here, so the report lists every bad row
    instead of stopping at the first one.
    """
    options.pop("out", None)
    with load_large(path, kind, schema=schema, domain=domain, errors=errors, **options) as result:
        return result.report
