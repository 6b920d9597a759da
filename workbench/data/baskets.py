"""Market-basket files for association rules: ``load_baskets``.

Two layouts are common and both are read into one long frame with a row per
(basket, item) and the basket in a BASKET_ID column:

* **one basket per line**, no header, items separated by commas
  (``citrus fruit,margarine,ready soups``); BASKET_ID is the line number;
* **invoice lines**, with a header, one row per (invoice, item), optionally with
  a timestamp and a customer column (the layout of the UCI Online Retail data).

The layout is told apart by the first line: it is a header when it names both an
invoice column and an item column (see :data:`INVOICE_NAMES`, :data:`ITEM_NAMES`;
case, spaces and underscores are ignored). Anything else is read as baskets.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import BASKET_ID, ITEM_ID, MAX_ID_LENGTH, TIMESTAMP, USER_ID
from ..errors import DatasetError
from .readers import ENCODING_FIX, _no_field_limit, require_file
from .report import LoadReport
from .validate import MAX_EPOCH_SECONDS, MISSING_SPELLINGS, _id_text_problems, rejected_frame

INVOICE_NAMES = ("invoice", "invoiceno", "invoiceid", "invoicenumber", "basket", "basketid", "order", "orderid",
                 "orderno", "transaction", "transactionid")
"""Header names (normalised: lower case, no spaces/underscores) taken as the basket column."""

ITEM_NAMES = ("item", "itemid", "stockcode", "product", "productid", "sku", "article")
"""Header names taken as the item column."""

TIME_NAMES = ("timestamp", "invoicedate", "orderdate", "date", "datetime", "time")
"""Header names taken as the time column (epoch seconds or date strings)."""

CUSTOMER_NAMES = ("customer", "customerid", "userid", "user", "client", "clientid")
"""Header names taken as the customer column (becomes USER_ID)."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name).lower()


def _find(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in header if _normalise(h) in names), None)


def _decode(path: Path, encoding: str) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise DatasetError(f"line {row} contains bytes that are not {encoding}.", file=str(path), row=row,
                           fix=ENCODING_FIX + " Or pass encoding='latin-1' to load_baskets.") from exc
    return text[1:] if text.startswith("\ufeff") else text


def _to_seconds(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Epoch seconds from numbers or date strings; second value flags unusable entries."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() >= values.notna().sum() and values.notna().any():
        bad = (numbers >= MAX_EPOCH_SECONDS).to_numpy(dtype=bool, na_value=False)
        return numbers.astype("Int64"), bad | numbers.isna().to_numpy()
    dates = pd.to_datetime(values, errors="coerce")
    seconds = (dates - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s")
    return seconds.astype("Int64"), dates.isna().to_numpy()


def _invoice_lines(path: Path, text: str, header: list[str], errors: str) -> tuple[pd.DataFrame, LoadReport]:
    invoice, item = _find(header, INVOICE_NAMES), _find(header, ITEM_NAMES)
    time, customer = _find(header, TIME_NAMES), _find(header, CUSTOMER_NAMES)
    records: list[list[str]] = []
    shape_problems: list[tuple[int, str]] = []
    row = 0
    with _no_field_limit():
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        for record in reader:
            if not record or record == [""]:
                continue
            row += 1
            if len(record) != len(header):
                reason = f"the row has {len(record)} fields but the header has {len(header)}."
                if errors == "raise":
                    raise DatasetError(reason + " Its values would land in the wrong columns (e.g. the item in "
                                       f"{invoice}).", file=str(path), row=row,
                                       fix="Quote values that contain commas, and give every row one value per "
                                       "column; or load with errors='reject' to skip such rows.")
                shape_problems.append((row, reason))
                continue
            records.append(record)
    if not records and not shape_problems:
        raise DatasetError("the file has a header row but no invoice lines.", file=str(path),
                           fix="Add one row per (invoice, item) below the header.")
    columns = list(zip(*records)) if records else [()] * len(header)
    raw = pd.DataFrame({name: pd.Series(values, dtype="str").replace("", np.nan)
                        for name, values in zip(header, columns)})
    kept_numbers = np.asarray(sorted(set(range(1, row + 1)) - {r for r, _ in shape_problems}), dtype=np.int64)
    rename = {invoice: BASKET_ID, item: ITEM_ID}
    if time:
        rename[time] = TIMESTAMP
    if customer:
        rename[customer] = USER_ID
    frame = raw.rename(columns=rename)
    order = [c for c in (BASKET_ID, ITEM_ID, TIMESTAMP, USER_ID) if c in frame.columns]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    checks: list[tuple[np.ndarray, str, str]] = []
    for column in (BASKET_ID, ITEM_ID):
        checks.append((frame[column].isna().to_numpy(), column, f"{column} is empty."))
        checks += [(p.mask, column, p.reason) for p in _id_text_problems(frame[column], column)]
        checks.append(((frame[column].str.len() > MAX_ID_LENGTH).to_numpy(dtype=bool, na_value=False), column,
                       f"{column} is longer than {MAX_ID_LENGTH} characters."))
    if TIMESTAMP in frame.columns:
        seconds, bad = _to_seconds(frame[TIMESTAMP])
        checks.append((bad & frame[TIMESTAMP].notna().to_numpy(), TIMESTAMP,
                       "TIMESTAMP is neither Unix epoch seconds nor a readable date."))
        frame[TIMESTAMP] = seconds
    rownums = kept_numbers
    bad_any = np.zeros(len(frame), dtype=bool)
    parts = [pd.DataFrame({"row": [r for r, _ in shape_problems], "column": "", "reason": [m for _, m in shape_problems]})]
    checks = [c for c in checks if c[0].any()]
    if errors == "raise" and checks:
        mask, column, reason = min(checks, key=lambda c: int(np.flatnonzero(c[0])[0]))
        first = int(np.flatnonzero(mask)[0])
        raise DatasetError(f"{reason} (value {frame[column].iloc[first]!r})", file=str(path),
                           row=int(rownums[first]), column=column if column != TIMESTAMP else time,
                           fix="Fill or fix the value, or load with errors='reject' to skip such rows.")
    for mask, column, reason in checks:
        bad_any |= mask
        parts.append(pd.DataFrame({"row": rownums[mask], "column": column, "reason": reason}))
    rejected = rejected_frame(parts)
    kept = frame.loc[~bad_any].reset_index(drop=True)
    report = LoadReport(str(path), row, len(kept), int(rejected["row"].nunique()), rejected)
    return kept, report


def _basket_lines(path: Path, text: str, errors: str) -> tuple[pd.DataFrame, LoadReport]:
    baskets: list[str] = []
    items: list[str] = []
    rejected = []
    lines = 0
    with _no_field_limit():
        records = list(csv.reader(io.StringIO(text, newline="")))
    for line_number, record in enumerate(records, start=1):
        lines = line_number
        values = [v.strip() for v in record]
        kept = [v for v in values if v]
        if len(kept) < len(values) and kept:
            rejected.append({"row": line_number, "column": ITEM_ID,
                             "reason": f"{len(values) - len(kept)} empty item field(s) ignored (padding)."})
        if not kept:
            rejected.append({"row": line_number, "column": ITEM_ID, "reason": "empty line: no items, basket skipped."})
            continue
        unusable = [v for v in kept if v.lower() in MISSING_SPELLINGS or _CONTROL.search(v)]
        if unusable:
            reason = f"item {unusable[0]!r} is a missing value written as text or holds a control character (NUL ...)."
            if errors == "raise":
                raise DatasetError(reason, file=str(path), row=line_number, column=ITEM_ID,
                                   fix="Remove or fix the value, or load with errors='reject' to skip the basket.")
            rejected.append({"row": line_number, "column": ITEM_ID, "reason": reason})
            continue
        too_long = [v for v in kept if len(v) > MAX_ID_LENGTH]
        if too_long:
            if errors == "raise":
                raise DatasetError(f"an item id is longer than {MAX_ID_LENGTH} characters.", file=str(path),
                                   row=line_number, column=ITEM_ID, fix="Shorten the item names.")
            rejected.append({"row": line_number, "column": ITEM_ID, "reason": "item id longer than 256 characters."})
            continue
        baskets.extend([str(line_number)] * len(kept))
        items.extend(kept)
    if not items:
        raise DatasetError("no basket has any item.", file=str(path), fix="Write one basket per line, items "
                           "separated by commas.")
    frame = pd.DataFrame({BASKET_ID: pd.Series(baskets, dtype="str"), ITEM_ID: pd.Series(items, dtype="str")})
    rejected_df = rejected_frame([pd.DataFrame(rejected)]) if rejected else rejected_frame([])
    skipped = sum(1 for r in rejected if not r["reason"].endswith("(padding)."))
    return frame, LoadReport(str(path), lines, lines - skipped, skipped, rejected_df)


def load_baskets(path: str | Path, *, encoding: str = "utf-8", errors: str = "raise"
                 ) -> tuple[pd.DataFrame, LoadReport]:
    """Load transactions as a long frame ``BASKET_ID, ITEM_ID[, TIMESTAMP, USER_ID, ...]``.

    Args:
        path: A basket-per-line file (no header) or an invoice-line CSV (header with an
            invoice and an item column).
        encoding: Text encoding of the file (retail exports are often ``latin-1``).
        errors: ``"raise"`` stops at the first bad row; ``"reject"`` skips bad rows and lists
            them in the report. Empty lines and empty padding fields are never an error but
            are listed in ``report.rejected`` all the same.

    Returns:
        ``(frame, report)``. For basket-per-line files ``rows_read`` counts lines and
        ``rows_kept`` baskets; for invoice files both count invoice lines. Ids are text;
        invoice TIMESTAMPs are converted to Unix epoch seconds (``Int64``).

    Raises:
        DatasetError: Missing or empty file, bytes not in ``encoding``, an empty invoice
            or item id, an unreadable timestamp (with ``errors="raise"``).
    """
    if errors not in ("raise", "reject"):
        raise ValueError(f"errors must be 'raise' or 'reject', not {errors!r}")
    path = Path(path)
    require_file(path, "basket file")
    text = _decode(path, encoding)
    if not text.strip():
        raise DatasetError("the file is empty.", file=str(path), fix="Write one basket per line or invoice lines.")
    first_line = text.lstrip("\r\n").splitlines()[0]
    with _no_field_limit():
        header = next(csv.reader([first_line]))
    if _find(header, INVOICE_NAMES) and _find(header, ITEM_NAMES):
        duplicated = {h for h in header if header.count(h) > 1}
        if duplicated:
            name = sorted(duplicated)[0]
            raise DatasetError(f"the header row names column {name} twice (duplicate header).", file=str(path),
                               column=name, fix="Rename or remove one of the two columns.")
        return _invoice_lines(path, text, header, errors)
    return _basket_lines(path, text, errors)
