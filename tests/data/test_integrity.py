"""Issue 12, items 7-9: bad input that used to crash raw or corrupt data silently.

Every case gets a DatasetError naming file, row (when one row is to blame), column and a fix -- or loads
exactly, as documented. The slow CSV path (after a bad row) streams in chunks: its result does not depend
on the chunk size.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import load_baskets, load_interactions, load_items, load_movielens
from workbench.data.readers import read_table
from workbench.errors import DatasetError

HEAD = "USER_ID,ITEM_ID,TIMESTAMP\n"


def expect(call, *, file, row=None, column=None, words=""):
    with pytest.raises(DatasetError) as info:
        call()
    error, message = info.value, str(info.value)
    assert f"file {file}" in message and "How to fix:" in message
    assert words in message, message
    assert error.row == row, message
    assert error.column == column, message
    return error


# ------------------------------------------------------------------ item 7
def test_a_folder_is_not_a_data_file(tmp_path):
    expect(lambda: load_interactions(tmp_path), file=tmp_path, words="a folder, not a data file")
    expect(lambda: load_items(tmp_path), file=tmp_path, words="load_folder")
    expect(lambda: load_baskets(tmp_path), file=tmp_path, words="a folder, not a basket file")


def test_cr_only_line_endings_load(write):
    path = write("mac.csv", b"USER_ID,ITEM_ID,TIMESTAMP\ru1,i1,1700000000\ru2,i2,1700000001\r")
    frame, report = load_interactions(path)
    assert frame["ITEM_ID"].tolist() == ["i1", "i2"] and frame["TIMESTAMP"].tolist() == [1700000000, 1700000001]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (2, 2, 0)
    bad = write("mac_bad.csv", b"USER_ID,ITEM_ID,TIMESTAMP\ru1,i1,1700000000\ru2,i2,1700000001,9\r")
    expect(lambda: load_interactions(bad), file=bad, row=2, words="4 fields")
    baskets, basket_report = load_baskets(write("mac_baskets.csv", b"InvoiceNo,StockCode\r1,a\r1,b\r2,c\r"))
    assert baskets["ITEM_ID"].tolist() == ["a", "b", "c"] and basket_report.rows_read == 3


def test_parquet_binary_ids_are_decoded_or_refused(tmp_path):
    good = tmp_path / "bin.parquet"
    pq.write_table(pa.table({"USER_ID": pa.array([b"u1", b"u2"], pa.binary()), "ITEM_ID": ["i1", "i2"],
                             "TIMESTAMP": [1700000000, 1700000001]}), good)
    frame, _ = load_interactions(good)
    assert frame["USER_ID"].tolist() == ["u1", "u2"]  # UTF-8 bytes are text, not "b'u1'"
    bad = tmp_path / "latin.parquet"
    pq.write_table(pa.table({"USER_ID": pa.array([b"u1", "caf\u00e9".encode("latin-1")], pa.binary()),
                             "ITEM_ID": ["i1", "i2"], "TIMESTAMP": [1700000000, 1700000001]}), bad)
    expect(lambda: load_interactions(bad), file=bad, row=2, column="USER_ID", words="not UTF-8")


@pytest.mark.parametrize("slow", [False, True], ids=["fast_path", "after_a_bad_row"])
def test_values_longer_than_the_csv_field_limit(write, slow):
    # 200,000 characters: above the csv module's 131,072 default and pyarrow's 1 MB block once repeated
    huge = "x" * 200_000
    extra = "u9,i9,1700000009,oops\n" if slow else ""
    path = write("big.csv", HEAD + "u1,i1,1700000000\n" + f'u2,"{huge}",1700000001\n' + extra)
    if slow:  # rows the parser cannot split come first, then the row rules judge the rest
        expect(lambda: load_interactions(path), file=path, row=3, words="4 fields")
    else:
        expect(lambda: load_interactions(path), file=path, row=2, column="ITEM_ID", words="longer than 256")
    frame, report = load_interactions(path, errors="reject")
    assert frame["USER_ID"].tolist() == ["u1"]
    assert report.rejected[["row", "column"]].values.tolist() == [[2, "ITEM_ID"]] + ([[3, ""]] if slow else [])
    text = write("items.csv", "ITEM_ID,PRODUCT_DESCRIPTION\n" + "".join(f'i{k},"{"word " * 300_000}"\n'
                                                                          for k in range(2)) + "i3,short,extra\ni4,fine\n")
    expect(lambda: load_items(text), file=text, row=3, words="3 fields")
    items, items_report = load_items(text, errors="reject")  # rows of 1.5 MB each: larger than arrow's block
    assert items["ITEM_ID"].tolist() == ["i4"]
    assert items_report.rejected["row"].tolist() == [1, 2, 3] and items_report.rows_read == 4
    baskets = write("b.txt", "milk," + huge + "\n")
    expect(lambda: load_baskets(baskets), file=baskets, row=1, column="ITEM_ID", words="longer than 256")


# ------------------------------------------------------------------ item 8
@pytest.mark.parametrize("column,values,row,words", [
    ("TIMESTAMP", ["true", "false"], 1, "not a number"),         # read as booleans, used to become 1 and 0
    ("USER_ID", ["1.0", "2.0"], 1, "spelled as a float"),         # would not match the ids 1 and 2
    ("USER_ID", ["u1", "   "], 2, "only whitespace"),
    ("ITEM_ID", ["i1", "a\x00b"], 2, "control character"),
    ("ITEM_ID", ["i1", "nan"], 2, "missing value written as text"),
    ("USER_ID", ["NULL", "u2"], 1, "missing value written as text"),
])
def test_silent_corruption_is_now_an_error(write, column, values, row, words):
    frame = pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": ["i1", "i2"], "TIMESTAMP": ["1700000000"] * 2})
    frame[column] = values
    path = write("i.csv", frame.to_csv(index=False))
    expect(lambda: load_interactions(path), file=path, row=row, column=column, words=words)
    kept, report = load_interactions(path, errors="reject")
    bad = len(set(report.rejected["row"]))
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (2, 2 - bad, bad) and len(kept) == 2 - bad
    assert row in set(report.rejected["row"]) and report.rejected["column"].eq(column).all()


def test_ids_that_only_look_numeric_stay_text(write):
    frame, _ = load_interactions(write("i.csv", HEAD + "007,1.5,1700000000\n1e5,x,1700000001\n"))
    assert frame["USER_ID"].tolist() == ["007", "1e5"] and frame["ITEM_ID"].tolist() == ["1.5", "x"]
    # 1.0 is refused wherever it appears (judged per value, so chunked and whole-file loads agree)
    mixed = write("mixed.csv", HEAD + "u7,x,1700000000\n1.0,x,1700000001\n")
    expect(lambda: load_interactions(mixed), file=mixed, row=2, column="USER_ID", words="spelled as a float")


@pytest.mark.parametrize("values,words", [
    (pa.array([[1, 2], [3]]), "holds lists"),
    (pa.array([{"a": 1}, {"a": 2}]), "holds structs"),
    (pa.array([1.0, 2.0]), "floating-point numbers"),
])
def test_parquet_ids_that_are_not_text(tmp_path, values, words):
    path = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"USER_ID": values, "ITEM_ID": ["i1", "i2"], "TIMESTAMP": [1700000000, 1700000001]}), path)
    expect(lambda: load_interactions(path), file=path, row=1, column="USER_ID", words=words)


def test_parquet_nan_ids_are_missing_not_an_item_called_nan(tmp_path):
    path = tmp_path / "nan.parquet"
    pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": ["i1", np.nan], "TIMESTAMP": [1700000000, 1700000001]}
                 ).to_parquet(path)
    expect(lambda: load_interactions(path), file=path, row=2, column="ITEM_ID", words="empty")
    pd.DataFrame({"USER_ID": ["u1", "u2"], "ITEM_ID": [1, None], "TIMESTAMP": [1700000000, 1700000001]}
                 ).to_parquet(path)  # integer ids with a gap: float64 in pandas, nullable in Parquet
    expect(lambda: load_interactions(path), file=path, row=1, column="ITEM_ID", words="floating-point")


def test_invoice_row_with_an_extra_field_does_not_shift_columns(write):
    # pandas used the first column as the index here, so BASKET_ID took the item and ITEM_ID the quantity
    path = write("inv.csv", "InvoiceNo,StockCode,Quantity\n536365,85123A,6,extra\n536366,71053,6\n")
    expect(lambda: load_baskets(path), file=path, row=1, words="4 fields but the header has 3")
    frame, report = load_baskets(path, errors="reject")
    assert frame[["BASKET_ID", "ITEM_ID"]].values.tolist() == [["536366", "71053"]]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (2, 1, 1)
    assert report.rejected["row"].tolist() == [1]


def test_invoice_ids_get_the_id_rules(write):
    path = write("inv.csv", "InvoiceNo,StockCode\n1,a\n2,nan\n3, \n4,b\n")
    expect(lambda: load_baskets(path), file=path, row=2, column="ITEM_ID", words="missing value written as text")
    frame, report = load_baskets(path, errors="reject")
    assert frame["ITEM_ID"].tolist() == ["a", "b"] and report.rejected["row"].tolist() == [2, 3]


def test_basket_lines_refuse_nul_and_nan_items(write):
    path = write("b.txt", "milk,bread\nnan,eggs\nbeer,a\x00b\n")
    expect(lambda: load_baskets(path), file=path, row=2, column="ITEM_ID", words="missing value written as text")
    frame, report = load_baskets(path, errors="reject")
    assert frame["ITEM_ID"].tolist() == ["milk", "bread"]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (3, 1, 2)


def test_movielens_rating_that_is_not_a_number(tmp_path):
    (tmp_path / "u.data").write_text("1\t2\t5\t881250949\n1\t3\tfive\t881250950\n", encoding="latin-1")
    expect(lambda: load_movielens(tmp_path), file=tmp_path / "u.data", row=2, column="RATING", words="'five'")


# ------------------------------------------------------------------ item 9
def _raw(table):
    return table.frame, table.rownums.tolist(), table.rows_read, table.rejected


line = st.one_of(
    st.tuples(st.sampled_from(["u1", "u2", "007", "x y"]), st.sampled_from(["i1", "i,2", 'say "hi"', "line\nbreak"]),
              st.integers(0, 2_000_000_000)).map(lambda r: pd.DataFrame([r]).to_csv(index=False, header=False)
                                                 .encode()),
    st.just(b"u9,i9,1,surplus\n"),                      # wrong number of fields
    st.just("u8,caf\u00e9,2\n".encode("latin-1")),       # not UTF-8
    st.just(b"\n"),                                       # blank line
)


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(line, min_size=1, max_size=25), chunk=st.integers(1, 6))
def test_slow_path_result_does_not_depend_on_the_chunk_size(tmp_path_factory, lines, chunk):
    path = tmp_path_factory.mktemp("chunks") / "i.csv"
    path.write_bytes(HEAD.encode() + b"".join(lines))
    for errors in ("raise", "reject"):
        outcomes = []
        for chunk_rows in (chunk, 10**9):  # 10**9: the whole file in one piece (the unchunked path)
            try:
                outcomes.append(_raw(read_table(path, ["USER_ID", "ITEM_ID"], errors, chunk_rows=chunk_rows)))
            except DatasetError as exc:
                outcomes.append(str(exc))
        if isinstance(outcomes[0], str) or isinstance(outcomes[1], str):
            assert outcomes[0] == outcomes[1]
            continue
        (a, rows_a, read_a, rej_a), (b, rows_b, read_b, rej_b) = outcomes
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(rej_a, rej_b)
        assert rows_a == rows_b and read_a == read_b
        assert read_a == len(a) + rej_a["row"].nunique()  # nothing dropped without a line in the report
        assert sorted(rows_a + rej_a["row"].unique().tolist()) == list(range(1, read_a + 1))


def test_slow_path_names_the_earliest_bad_row(write):
    body = b"".join(f"u{k},i{k},{1700000000 + k}\n".encode() for k in range(20))
    path = write("i.csv", HEAD.encode() + body + "u,caf\u00e9,1\n".encode("latin-1") + b"u,i,1,extra\n")
    for chunk_rows in (1, 7, 1000):
        error = expect(lambda k=chunk_rows: read_table(path, ["USER_ID", "ITEM_ID"], chunk_rows=k), file=path, row=21,
                       column="ITEM_ID", words="not UTF-8")
        assert re.search(r"row 21, column ITEM_ID", str(error))
