"""Every kind of bad input named in the brief gives a DatasetError that says file, row, column and a fix."""

from __future__ import annotations

import re

import pytest

from workbench.data import load_interactions
from workbench.errors import DatasetError, SchemaError

HEAD = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\n"
GOOD = "u1,i1,1700000000,1\n"

# name, file content, expected row (None = file-level), expected column, words the message must contain
CASES = [
    ("missing_column", "USER_ID,TIMESTAMP\nu1,1700000000\n", None, "ITEM_ID", "missing required column"),
    ("milliseconds", HEAD + GOOD + "u2,i2,1700000000123,1\n", 2, "TIMESTAMP", "// 1000"),
    ("iso_string", HEAD + GOOD + "u2,i2,2024-03-01T10:00:00Z,1\n", 2, "TIMESTAMP", "epoch seconds"),
    ("all_iso", "USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,2024-03-01 10:00:00\n", 1, "TIMESTAMP", "date string"),
    ("empty_file", "", None, None, "empty"),
    ("header_only", HEAD, None, None, "no data rows"),
    ("non_numeric_value", HEAD + GOOD + GOOD + "u3,i3,1700000002,lots\n", 3, "EVENT_VALUE", "not a number"),
    ("long_id", HEAD + GOOD + "u" + "x" * 256 + ",i2,1700000001,1\n", 2, "USER_ID", "256"),
    ("duplicate_header", "USER_ID,ITEM_ID,TIMESTAMP,ITEM_ID\nu,i,1,j\n", None, "ITEM_ID", "twice"),
    ("nan_id", HEAD + GOOD + "u2,,1700000001,1\n", 2, "ITEM_ID", "empty"),
    ("fractional_timestamp", HEAD + GOOD + "u2,i2,1700000001.5,1\n", 2, "TIMESTAMP", "fractional"),
    ("wrong_field_count", HEAD + GOOD + "u2,i2,1700000001,1,extra\n", 2, None, "5 fields"),
]


@pytest.mark.parametrize("name,content,row,column,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_message_names_where_and_how(write, name, content, row, column, words):
    path = write(f"{name}.csv", content)
    with pytest.raises(DatasetError) as info:
        load_interactions(path)
    message = str(info.value)
    assert f"file {path}" in message
    assert words in message
    assert "How to fix:" in message
    if row is not None:
        assert re.search(rf"\brow {row}[,:]", message)
        assert info.value.row == row
    if column is not None:
        assert f"column {column}" in message
        assert info.value.column == column


def test_non_utf8_bytes_name_the_row_and_suggest_reencoding(write):
    path = write("latin.csv", (HEAD + GOOD + GOOD).encode() + "u3,caf\u00e9,1700000003,1\n".encode("latin-1"))
    with pytest.raises(DatasetError) as info:
        load_interactions(path)
    assert info.value.row == 3 and info.value.column == "ITEM_ID"
    assert "UTF-8" in str(info.value) and "re-encode" in str(info.value)


def test_non_utf8_rows_can_be_rejected_instead(write):
    path = write("latin.csv", (HEAD + GOOD).encode() + "u3,caf\u00e9,1700000003,1\n".encode("latin-1") + GOOD.encode())
    frame, report = load_interactions(path, errors="reject")
    assert len(frame) == 2 and report.rows_read == 3
    assert report.rejected[["row", "column"]].values.tolist() == [[2, "ITEM_ID"]]


def test_file_that_does_not_match_its_schema(write):
    schema = '{"type": "record", "name": "Interactions", "fields": [{"name": "USER_ID", "type": "string"},' \
             '{"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"},' \
             '{"name": "EVENT_TYPE", "type": "string"}]}'
    path = write("i.csv", HEAD + GOOD)
    with pytest.raises(SchemaError) as info:
        load_interactions(path, schema=schema)
    assert "EVENT_TYPE" in str(info.value) and str(path) in str(info.value)


def test_non_nullable_schema_field_with_empty_value(write):
    schema = '{"type": "record", "name": "Interactions", "fields": [{"name": "USER_ID", "type": "string"},' \
             '{"name": "ITEM_ID", "type": "string"}, {"name": "TIMESTAMP", "type": "long"},' \
             '{"name": "EVENT_VALUE", "type": "float"}]}'
    path = write("i.csv", HEAD + GOOD + "u2,i2,1700000001,\n")
    with pytest.raises(DatasetError, match="row 2, column EVENT_VALUE: EVENT_VALUE is empty"):
        load_interactions(path, schema=schema)


def test_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="not found"):
        load_interactions(tmp_path / "nope.csv")


def test_unknown_errors_mode(write):
    with pytest.raises(ValueError, match="errors"):
        load_interactions(write("i.csv", HEAD + GOOD), errors="ignore")
