"""Turn a CSV or Parquet file into a raw DataFrame, or say precisely why not.

The happy path is one call to pyarrow's multi-threaded CSV reader, which also
checks that every string is valid UTF-8. Only when that reader fails (bad bytes,
a row with the wrong number of fields) does :func:`read_table` walk the file
record by record with the ``csv`` module to find the offending row, so a clean
file never pays for a Python loop.

Row numbers are 1-based data rows: the header is not counted and neither are
blank lines (which both readers skip).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import DatasetError
from .report import empty_rejected
from .validate import rejected_frame

PARQUET_SUFFIXES = (".parquet", ".pq")

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


def _header(path: Path) -> list[str]:
    with path.open("rb") as fh:
        first = fh.readline()
        rest = fh.read(1)
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


def _arrow_read(source, string_columns: list[str], header: list[str], newlines: bool = True) -> pd.DataFrame:
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in string_columns if c in header},
        null_values=[""],
        strings_can_be_null=True,
    )
    parse = pacsv.ParseOptions(newlines_in_values=newlines)
    if isinstance(source, io.BytesIO):
        source.seek(0)
    table = pacsv.read_csv(source, parse_options=parse, convert_options=convert)
    temporal = [f.name for f in table.schema if pa.types.is_temporal(f.type)]
    if temporal:  # keep dates as the text of the file; the row rules judge them
        if isinstance(source, io.BytesIO):
            source.seek(0)
        return _arrow_read(source, [*string_columns, *temporal], header, newlines)
    for field in table.schema:
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            raise pa.ArrowInvalid(f"column {field.name} holds bytes that are not valid UTF-8")
    nullable_ints = any(pa.types.is_integer(f.type) and table.column(f.name).null_count for f in table.schema)
    # integers with gaps become nullable Int64 instead of float64, so no precision is lost above 2**53
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get if nullable_ints else None)


def _scan(path: Path, header: list[str], string_columns: list[str], errors: str, arrow_message: str) -> RawTable:
    """Slow path: find rows that are not UTF-8 or have the wrong number of fields."""
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    good: list[list[str]] = []
    good_rows: list[int] = []
    rejected = []
    row = 0
    for record in reader:
        if not record or record == [""]:
            continue
        row += 1
        column, problem = None, None
        for name, value in zip(header, record):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                column, problem = name, f"{name} contains bytes that are not UTF-8."
                break
        if problem is None and len(record) != len(header):
            problem = f"the row has {len(record)} fields but the header has {len(header)}."
        if problem is None:
            good.append(record)
            good_rows.append(row)
            continue
        if errors == "raise":
            fix = ENCODING_FIX if column else "Quote values that contain commas, and give every row one value per column."
            raise DatasetError(problem, file=str(path), row=row, column=column, fix=fix)
        rejected.append({"row": row, "column": column or "", "reason": problem})
    if not rejected:
        raise DatasetError(f"the CSV reader failed: {arrow_message}", file=str(path),
                           fix="Check the file is a comma-separated file with one header row.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(good)
    if good:
        frame = _arrow_read(io.BytesIO(buffer.getvalue().encode("utf-8")), string_columns, header)
    else:
        frame = pd.DataFrame({name: pd.Series(dtype="str") for name in header})
    return RawTable(frame, np.asarray(good_rows, dtype=np.int64), row, rejected_frame([pd.DataFrame(rejected)]))


def read_table(path: str | Path, string_columns: list[str], errors: str = "raise", multiline: bool = True
               ) -> RawTable:
    """Read a CSV (comma-separated, header row, UTF-8) or Parquet file.

    Args:
        path: File to read; ``.parquet``/``.pq`` files are read as Parquet.
        string_columns: Columns to keep as text even when they look numeric (ids, categories).
        errors: ``"raise"`` for a DatasetError on the first unreadable row, ``"reject"`` to
            skip such rows and list them.
        multiline: Expect quoted values with line breaks (free text). False parses faster
            in parallel; a file that fails that way is re-read with line breaks allowed.

    Returns:
        The raw table.

    Raises:
        DatasetError: File missing or empty, header broken (empty or duplicate names),
            bytes that are not UTF-8, rows with the wrong number of fields.
    """
    path = Path(path)
    if not path.exists():
        raise DatasetError("file not found.", file=str(path), fix="Check the path (relative paths start at the "
                           "notebook's working directory).")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise DatasetError(f"not a readable Parquet file ({exc}).", file=str(path),
                               fix="Write it with DataFrame.to_parquet or use a CSV file.") from exc
        duplicated = frame.columns[frame.columns.duplicated()]
        if len(duplicated):
            raise DatasetError(f"column {duplicated[0]} appears twice.", file=str(path), column=str(duplicated[0]),
                               fix="Rename or remove one of the two columns.")
        if frame.empty:
            raise DatasetError("the file has no data rows.", file=str(path), fix="Write at least one row.")
        for name in string_columns:
            if name in frame.columns and not pd.api.types.is_string_dtype(frame[name]):
                frame[name] = frame[name].astype("str").where(frame[name].notna())
        frame = frame.reset_index(drop=True)
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
        return _scan(path, header, string_columns, errors, str(exc))
    if frame.empty:
        raise DatasetError("the file has a header row but no data rows.", file=str(path),
                           fix="Add data rows below the header.")
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64), len(frame), empty_rejected())
