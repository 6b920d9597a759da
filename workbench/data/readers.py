"""Turn a CSV or Parquet file into a raw DataFrame, or say precisely why not.

The happy path is one call to pyarrow's multi-threaded CSV reader, which also
checks that every string is valid UTF-8. Only when that reader fails (bad bytes,
a row with the wrong number of fields, a row longer than its block) does
:func:`read_table` walk the file record by record with the ``csv`` module to find
the offending rows, so a clean file never pays for a Python loop. That walk
streams: it holds ``chunk_rows`` records at a time and writes the good ones to a
temporary file, which the fast reader then loads, so a file with one bad row
needs about the memory of the same file without it.

Line endings may be ``\n``, ``\r\n`` or a lone ``\r`` (old Mac exports). Values of
any length are read; the row rules then judge them (ids at most 256 characters,
categorical values 1,000, textual 20,000).

Row numbers are 1-based data rows: the header is not counted and neither are
blank lines (which both readers skip).
"""

from __future__ import annotations

import array
import contextlib
import csv
import dataclasses
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import DatasetError
from .report import empty_rejected
from .validate import rejected_frame

PARQUET_SUFFIXES = (".parquet", ".pq")

SCAN_CHUNK_ROWS = 50_000
"""Records the slow path holds in memory at a time (see :func:`read_table`)."""

ARROW_BLOCK_BYTES = 1 << 20
"""pyarrow's default CSV block; a longer row makes it fail, and the slow path re-reads with a larger block."""

MISSING_FIX = "Fill in the value or remove the row."

ENCODING_FIX = ("Personalize needs UTF-8 files: re-encode it, e.g. "
                "pd.read_csv(path, encoding='latin-1').to_csv(new_path, index=False), or iconv -f latin1 -t utf-8.")


@dataclasses.dataclass
class RawTable:
    """A file read into memory before any Personalize rule was applied."""

    frame: pd.DataFrame
    """The data, columns in file order."""

    rownums: np.ndarray
    """1-based data row number (in the file) of each frame row."""

    rows_read: int
    """Data rows in the file."""

    rejected: pd.DataFrame
    """Rows removed while parsing (only with ``errors="reject"``)."""


def _first_line(path: Path) -> tuple[bytes, bool]:
    """The header line's bytes (up to the first ``\n`` or ``\r``) and whether anything follows it."""
    head = b""
    with path.open("rb") as fh:
        while True:
            block = fh.read(1 << 16)
            head += block
            ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
            if ends or not block:
                break
        if not ends:
            return head, False
        end = min(ends)
        tail = head[end:].lstrip(b"\r\n")
        return head[:end], bool(tail.strip()) or bool(fh.read(1))


def _header(path: Path) -> list[str]:
    first, rest = _first_line(path)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    if not first.strip():
        raise DatasetError("the file is empty (no header row).", file=str(path),
                           fix="Write a header row such as USER_ID,ITEM_ID,TIMESTAMP followed by data rows.")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError("the header row contains bytes that are not UTF-8.", file=str(path),
                           fix=ENCODING_FIX) from exc
    names = next(csv.reader([text.rstrip("\r\n")]))
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name.strip():
            raise DatasetError(f"the header row has an empty column name at position {position}.", file=str(path),
                               fix="Give every column a name (or remove the trailing comma).")
        if name in seen:
            raise DatasetError(f"the header row names column {name} twice (duplicate header).", file=str(path),
                               column=name, fix="Rename or remove one of the two columns.")
        seen.add(name)
    if not rest:
        raise DatasetError("the file has a header row but no data rows.", file=str(path),
                           fix="Add data rows below the header.")
    return names


def _arrow_read(source, string_columns: list[str], header: list[str], newlines: bool = True,
                block_size: int = ARROW_BLOCK_BYTES) -> pd.DataFrame:
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in string_columns if c in header},
        null_values=[""],
        strings_can_be_null=True,
    )
    parse = pacsv.ParseOptions(newlines_in_values=newlines)
    if isinstance(source, io.BytesIO):
        source.seek(0)
    table = pacsv.read_csv(source, read_options=pacsv.ReadOptions(block_size=block_size), parse_options=parse,
                           convert_options=convert)
    temporal = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
    if temporal:  # keep dates as the text of the file; the row rules judge them
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return _arrow_read(source, [*string_columns, *temporal], header, newlines, block_size)
    for field in table.schema:
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            raise pa.ArrowInvalid(f"column {field.name} holds bytes that are not valid UTF-8")
    nullable_ints = any(pa.types.is_integer(f.type) and table.column(f.name).null_count for f in table.schema)
    # integers with gaps become nullable Int64 instead of float64, so no precision is lost above 2**53
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get if nullable_ints else None)


def require_file(path: Path, what: str = "data file") -> None:
    """DatasetError unless ``path`` is an existing file (a folder gets its own message)."""
    if not path.exists():
        raise DatasetError("file not found.", file=str(path), fix="Check the path (relative paths start at the "
                           "notebook's working directory).")
    if path.is_dir():
        hint = ("; to load a folder written by to_personalize use load_folder(folder)" if what == "data file"
                else "")
        raise DatasetError(f"this is a folder, not a {what}.", file=str(path),
                           fix=f"Pass the path of one file inside it (e.g. .../interactions.csv){hint}.")


@contextlib.contextmanager
def _no_field_limit():
    """Let the ``csv`` module read values of any length (its default stops at 131,072 characters)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _temp_csv(near: Path):
    """A temporary file for the good rows, next to the input when that folder is writable."""
    try:
        return tempfile.NamedTemporaryFile("wb", prefix=".workbench-scan-", suffix=".csv", dir=near.parent,
                                           delete=False)
    except OSError:
        return tempfile.NamedTemporaryFile("wb", prefix=".workbench-scan-", suffix=".csv", delete=False)


def _scan(path: Path, header: list[str], string_columns: list[str], errors: str, arrow_message: str,
          chunk_rows: int = SCAN_CHUNK_ROWS) -> RawTable:
    """Slow path: find rows that are not UTF-8 or have the wrong number of fields, streaming.

    At most ``chunk_rows`` records are held at a time; the good ones are written to a
    temporary CSV that the fast reader loads at the end, so memory stays near that of
    the clean file.
    """
    chunk_rows = max(1, int(chunk_rows))
    n_columns = len(header)
    bad_rows = array.array("q")
    bad_where: list[tuple[str, str]] = []  # (column, reason) per rejected row
    row = 0
    longest = 0
    out = _temp_csv(path)
    try:
        with out, path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh, _no_field_limit():
            if fh.read(1) != "\ufeff":
                fh.seek(0)
            reader = csv.reader(fh)
            next(reader)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(header)
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
            batch: list[list[str]] = []
            batch_rows: list[int] = []

            def flush() -> None:
                writer.writerows(batch)
                text = buffer.getvalue()
                try:
                    data = text.encode("utf-8")
                except UnicodeEncodeError:  # some record holds bytes that are not UTF-8: find which
                    buffer.seek(0)
                    buffer.truncate()
                    for record, number in zip(batch, batch_rows):
                        column = _non_utf8_column(header, record)
                        if column is None:
                            writer.writerow(record)
                        else:
                            reject(number, column, f"{column} contains bytes that are not UTF-8.", ENCODING_FIX)
                    data = buffer.getvalue().encode("utf-8")
                out.write(data)
                buffer.seek(0)
                buffer.truncate()
                batch.clear()
                batch_rows.clear()

            def reject(number: int, column: str | None, problem: str, fix: str) -> None:
                if errors == "raise":
                    raise DatasetError(problem, file=str(path), row=number, column=column, fix=fix)
                bad_rows.append(number)
                bad_where.append((column or "", problem))

            for record in reader:
                if not record or record == [""]:
                    continue
                row += 1
                if len(record) != n_columns:
                    if errors == "raise":
                        flush()  # a non-UTF-8 row before this one is reported first
                    reject(row, None, f"the row has {len(record)} fields but the header has {n_columns}.",
                           "Quote values that contain commas, and give every row one value per column.")
                    continue
                size = sum(map(len, record))
                if size > longest:
                    longest = size
                batch.append(record)
                batch_rows.append(row)
                if len(batch) >= chunk_rows:
                    flush()
            flush()
        if errors == "raise" and not bad_rows and not _arrow_block_problem(arrow_message):
            raise DatasetError(f"the CSV reader failed: {arrow_message}", file=str(path),
                               fix="Check the file is a comma-separated file with one header row.")
        kept_rows = row - len(bad_rows)
        if kept_rows:
            block = max(ARROW_BLOCK_BYTES, 4 * (longest + n_columns) + 1024)
            try:
                frame = _arrow_read(out.name, string_columns, header, block_size=block)
            except pa.ArrowInvalid as exc:
                raise DatasetError(f"the CSV reader failed: {exc}", file=str(path),
                                   fix="Check the file is a comma-separated file with one header row.") from exc
        else:
            frame = pd.DataFrame({name: pd.Series(dtype="str") for name in header})
    finally:
        with contextlib.suppress(OSError):
            os.unlink(out.name)
    rejected_numbers = np.frombuffer(bad_rows, dtype=np.int64) if len(bad_rows) else np.zeros(0, dtype=np.int64)
    order = np.argsort(rejected_numbers, kind="stable")
    all_rows = np.arange(1, row + 1, dtype=np.int64)
    rownums = all_rows[~np.isin(all_rows, rejected_numbers)] if len(rejected_numbers) else all_rows
    rejected = empty_rejected()
    if len(rejected_numbers):
        rejected = rejected_frame([pd.DataFrame({
            "row": rejected_numbers[order],
            "column": [bad_where[i][0] for i in order],
            "reason": [bad_where[i][1] for i in order],
        })])
    return RawTable(frame, rownums, row, rejected)


def _non_utf8_column(header: list[str], record: list[str]) -> str | None:
    for name, value in zip(header, record):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
    return None


def _arrow_block_problem(message: str) -> bool:
    """True when pyarrow failed only because a row is longer than its block (not a broken file)."""
    return "straddling" in message or "block size" in message


def _parquet_frame(path: Path, string_columns: list[str]) -> pd.DataFrame:
    """Read a Parquet file; nested columns are refused and binary columns decoded as UTF-8 text."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise DatasetError(f"not a readable Parquet file ({exc}).", file=str(path),
                           fix="Write it with DataFrame.to_parquet or use a CSV file.") from exc
    names = table.column_names
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DatasetError(f"column {duplicated[0]} appears twice.", file=str(path), column=duplicated[0],
                           fix="Rename or remove one of the two columns.")
    if table.num_rows == 0:
        raise DatasetError("the file has no data rows.", file=str(path), fix="Write at least one row.")
    columns = {}
    for name, column in zip(names, table.columns):
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = column.type
        if pa.types.is_nested(kind):
            what = "lists" if "list" in str(kind) else "structs" if pa.types.is_struct(kind) else "nested values"
            row = _first_valid(column)
            raise DatasetError(f"{name} holds {what} ({kind}), not single values; written as text they would "
                               f"become ids such as {str(column[row].as_py())[:40]!r}.", file=str(path), row=row + 1,
                               column=name, fix=f"Give {name} one value per row (explode the lists, or pick the "
                               "field you mean) before writing the file.")
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
            try:
                column = column.cast(pa.large_string() if pa.types.is_large_binary(kind) else pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                row = next(i for i, v in enumerate(column.to_pylist()) if v is not None and not _is_utf8(v))
                raise DatasetError(f"{name} holds bytes that are not UTF-8 text.", file=str(path), row=row + 1,
                                   column=name, fix="Store text columns as strings (UTF-8); "
                                   + ENCODING_FIX.split(": ", 1)[0] + ".") from exc
        columns[name] = column
    frame = pa.table(columns).to_pandas()
    for name in string_columns:
        series = frame.get(name)
        if series is None or pd.api.types.is_string_dtype(series) or pd.api.types.is_float_dtype(series):
            continue  # float ids are judged by the row rules (1.0 is not the id 1)
        frame[name] = series.astype("str").where(series.notna())
    return frame.reset_index(drop=True)


def _first_valid(column) -> int:
    valid = pc.is_valid(column)
    found = pc.index(valid, True).as_py()
    return 0 if found is None or found < 0 else int(found)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_table(path: str | Path, string_columns: list[str], errors: str = "raise", multiline: bool = True,
               chunk_rows: int = SCAN_CHUNK_ROWS) -> RawTable:
    """Read a CSV (comma-separated, header row, UTF-8) or Parquet file.

    Args:
        path: File to read; ``.parquet``/``.pq`` files are read as Parquet.
        string_columns: Columns to keep as text even when they look numeric (ids, categories).
        errors: ``"raise"`` for a DatasetError on the first unreadable row, ``"reject"`` to
            skip such rows and list them.
        multiline: Expect quoted values with line breaks (free text). False parses faster
            in parallel; a file that fails that way is re-read with line breaks allowed.
        chunk_rows: Records the slow path (after a bad row) holds in memory at a time;
            the result does not depend on it.

    Returns:
        The raw table.

    Raises:
        DatasetError: File missing, a folder, or empty; header broken (empty or duplicate
            names); bytes that are not UTF-8; rows with the wrong number of fields; Parquet
            columns holding lists, structs or non-UTF-8 bytes.
    """
    path = Path(path)
    require_file(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        frame = _parquet_frame(path, string_columns)
        return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), len(frame), empty_rejected())
    if path.stat().st_size == 0:
        raise DatasetError("the file is empty (0 bytes).", file=str(path),
                           fix="Write a header row such as USER_ID,ITEM_ID,TIMESTAMP followed by data rows.")
    header = _header(path)
    try:
        try:
            frame = _arrow_read(path, string_columns, header, newlines=multiline)
        except pa.ArrowInvalid:
            if multiline:
                raise
            frame = _arrow_read(path, string_columns, header, newlines=True)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        return _scan(path, header, string_columns, errors, str(exc), chunk_rows)
    if frame.empty:
        raise DatasetError("the file has a header row but no data rows.", file=str(path),
                           fix="Add data rows below the header.")
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), len(frame), empty_rejected())
