"""Out-of-core loading (workbench.data.large) gives the in-memory loader's answers.

Every file is written by the test itself. Small ``chunk_rows`` make the files
span many chunks, so row numbers, rejects and dtypes are checked across chunk
boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import load_interactions, load_items
from workbench.data.large import load_large, validate_large
from workbench.errors import DatasetError, SchemaError


@pytest.fixture(autouse=True)
def _temp_files_in_tmp_path(tmp_path_factory, monkeypatch):
    """load_large without out= writes a temporary Parquet file the caller owns; keep the tests' copies in
    pytest's own temp folders (cleaned by pytest) instead of leaving them in the system temp directory."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("large-out")))


T0 = 1_700_000_000


def interactions_frame(n_rows: int = 1_200, n_users: int = 60, n_items: int = 40, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "USER_ID": [f"u{u:03d}" for u in rng.integers(0, n_users, n_rows)],
        "ITEM_ID": [f"0{i:03d}" for i in rng.integers(0, n_items, n_rows)],  # leading zero: ids stay text
        "TIMESTAMP": T0 + np.arange(n_rows) * 60,
        "EVENT_TYPE": rng.choice(["view", "click", "purchase"], n_rows),
        "EVENT_VALUE": np.round(rng.uniform(0, 5, n_rows), 2),
        "DEVICE": rng.choice(["web", "ios", "android"], n_rows),
        "DWELL": rng.integers(1, 500, n_rows),
    })


def write_lines(path, header: str, rows: list[str]) -> None:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def assert_same_report(large_report, memory_report):
    assert large_report.rows_read == memory_report.rows_read
    assert large_report.rows_kept == memory_report.rows_kept
    assert large_report.rows_rejected == memory_report.rows_rejected
    pd.testing.assert_frame_equal(large_report.rejected, memory_report.rejected)
    assert large_report.schema.fields == memory_report.schema.fields
    assert large_report.validation.errors == memory_report.validation.errors
    assert large_report.validation.warnings == memory_report.validation.warnings
    for key, value in memory_report.validation.stats.items():
        assert large_report.validation.stats[key] == value, key


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_clean_file_equals_in_memory_loader(tmp_path, suffix):
    path = tmp_path / f"interactions{suffix}"
    frame = interactions_frame()
    frame.loc[5, "EVENT_TYPE"] = None  # a nullable column
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    memory, memory_report = load_interactions(path)
    result = load_large(path, chunk_rows=97, out=tmp_path / "clean.parquet")
    pd.testing.assert_frame_equal(result.to_pandas(), memory)
    assert_same_report(result.report, memory_report)
    assert result.report.validation.ok
    assert result.report.validation.stats["n_items"] == frame["ITEM_ID"].nunique()
    assert result.report.validation.stats["n_users"] == frame["USER_ID"].nunique()
    assert result.to_pandas()["ITEM_ID"].str.startswith("0").all()


def test_a_temp_file_goes_with_the_block_and_a_named_file_stays(tmp_path):
    path = tmp_path / "interactions.csv"
    interactions_frame(n_rows=50).to_csv(path, index=False)
    with load_large(path, chunk_rows=20) as big:
        assert big.temporary and big.path.exists() and len(big.to_pandas()) == 50
    assert not big.path.exists()
    big.close()  # twice is fine
    named = tmp_path / "clean.parquet"
    with load_large(path, out=named) as kept:
        assert not kept.temporary
    assert named.exists() and len(kept.to_pandas()) == 50


def test_row_rule_rejects_match_in_memory_loader(tmp_path):
    frame = interactions_frame(300).astype({"TIMESTAMP": object, "EVENT_VALUE": object})
    frame.loc[7, "TIMESTAMP"] = T0 * 1000  # milliseconds
    frame.loc[120, "USER_ID"] = None  # empty id
    frame.loc[121, "TIMESTAMP"] = "2024-01-05"  # a date, not epoch seconds
    frame.loc[250, "EVENT_VALUE"] = "high"  # not a number
    frame.loc[299, "ITEM_ID"] = "x" * 300  # id too long
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    _, memory_report = load_interactions(path, errors="reject")
    result = load_large(path, errors="reject", chunk_rows=50)
    assert_same_report(result.report, memory_report)
    assert list(result.report.rejected["row"]) == [8, 121, 122, 251, 300]
    assert result.report.rows_kept == 295
    kept = result.to_pandas()
    assert len(kept) == 295 and kept["TIMESTAMP"].dtype == np.int64


def test_raise_names_the_same_row_column_and_fix(tmp_path):
    frame = interactions_frame(200)
    frame.loc[133, "TIMESTAMP"] = T0 * 1000
    path = tmp_path / "ms.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DatasetError) as memory:
        load_interactions(path)
    with pytest.raises(DatasetError) as large:
        load_large(path, chunk_rows=40, out=tmp_path / "clean.parquet")
    assert str(large.value) == str(memory.value)
    assert not (tmp_path / "clean.parquet").exists()  # no half-written output
    assert (large.value.row, large.value.column) == (134, "TIMESTAMP")
    assert "df['TIMESTAMP'] // 1000" in large.value.fix


def test_unparsable_lines_are_reported_with_file_rows(tmp_path):
    path = tmp_path / "broken.csv"
    rows = [f"u{k % 30},i{k % 7},{T0 + k}" for k in range(1, 1_101)]
    rows[4] = "u4,i4"  # row 5: a field short
    rows[9] = "u9,i2,1700000009,extra"  # row 10: a field too many
    rows[700] = "u1,i1,1700000701,more,fields"  # row 701
    write_lines(path, "USER_ID,ITEM_ID,TIMESTAMP", rows[:600] + [""] + rows[600:])  # a blank line before row 601
    rows_with_ms = list(rows)
    with pytest.raises(DatasetError) as memory:
        load_interactions(path)
    with pytest.raises(DatasetError) as large:
        load_large(path, chunk_rows=64)
    assert str(large.value) == str(memory.value)
    assert large.value.row == 5
    _, memory_report = load_interactions(path, errors="reject")
    result = load_large(path, errors="reject", chunk_rows=64)
    assert_same_report(result.report, memory_report)
    assert list(result.report.rejected["row"]) == [5, 10, 701]
    assert result.report.rejected["reason"].iloc[0] == "the row has 2 fields but the header has 3."
    # rows after a rejected line keep their own file row numbers in later errors
    rows_with_ms[899] = f"u1,i1,{T0 * 1000}"
    write_lines(path, "USER_ID,ITEM_ID,TIMESTAMP", rows_with_ms[:600] + [""] + rows_with_ms[600:])
    report = validate_large(path, chunk_rows=64)
    assert list(report.rejected["row"]) == [5, 10, 701, 900]
    assert report.rejected["column"].iloc[3] == "TIMESTAMP"


def test_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    lines = [f"u{k % 30},i{k % 7},{T0 + k}".encode() for k in range(1, 40)]
    lines[2] = b"u3,caf\xe9,1700000003"
    path.write_bytes(b"USER_ID,ITEM_ID,TIMESTAMP\n" + b"\n".join(lines) + b"\n")
    with pytest.raises(DatasetError) as err:
        load_large(path)
    assert (err.value.row, err.value.column) == (3, "ITEM_ID")
    assert "UTF-8" in str(err.value) and "iconv" in err.value.fix
    report = validate_large(path)
    assert report.rows_read == 39 and report.rows_kept == 38


def test_file_level_problems_raise_like_the_in_memory_loader(tmp_path):
    missing = tmp_path / "missing.csv"
    write_lines(missing, "USER_ID,TIMESTAMP", ["u1,1700000000"])
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("USER_ID,ITEM_ID,TIMESTAMP\n")
    twice = tmp_path / "twice.csv"
    write_lines(twice, "USER_ID,ITEM_ID,ITEM_ID,TIMESTAMP", ["u1,i1,i2,1700000000"])
    for path in (missing, empty, header_only, twice, tmp_path / "absent.csv"):
        with pytest.raises(DatasetError) as memory:
            load_interactions(path)
        with pytest.raises(DatasetError) as large:
            load_large(path)
        assert str(large.value) == str(memory.value)


def test_given_schema_column_order_is_enforced(tmp_path):
    path = tmp_path / "swapped.csv"
    write_lines(path, "ITEM_ID,USER_ID,TIMESTAMP", ["i1,u1,1700000000"])
    schema = {"type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
              "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
                         {"name": "TIMESTAMP", "type": "long"}], "version": "1.0"}
    with pytest.raises(SchemaError) as memory:
        load_interactions(path, schema=schema)
    with pytest.raises(SchemaError) as large:
        load_large(path, schema=schema)
    assert str(large.value) == str(memory.value)
    assert "column order" in str(large.value)


def test_too_little_data_gets_the_same_dataset_errors(tmp_path):
    path = tmp_path / "small.csv"
    interactions_frame(120, n_users=80).to_csv(path, index=False)
    _, memory_report = load_interactions(path, domain="ECOMMERCE")
    report = validate_large(path, domain="ECOMMERCE")
    assert_same_report(report, memory_report)
    assert {i.check for i in report.validation.errors} == {"min_interactions"}
    assert report.validation.stats["n_interactions"] == 120


def _volume_frame(repeat_users: int, single_users: int, rows_per_repeat: int) -> pd.DataFrame:
    """``repeat_users`` users with ``rows_per_repeat`` interactions each, plus ``single_users`` with one."""
    users = [f"r{u:04d}" for u in range(repeat_users) for _ in range(rows_per_repeat)]
    users += [f"s{u:05d}" for u in range(single_users)]
    n = len(users)
    return pd.DataFrame({"USER_ID": users, "ITEM_ID": [f"0{i % 40:03d}" for i in range(n)],
                         "TIMESTAMP": T0 + np.arange(n) * 60})


@pytest.mark.parametrize(("repeat_users", "single_users", "rows_per_repeat", "errors", "warnings"), [
    (20, 0, 60, {"min_users"}, {"recommended_volume"}),  # 1,200 rows, only 20 users with 2+
    (30, 3_000, 2, set(), {"recommended_volume", "min_user_share"}),  # 30 of 3,030 users (0.99%) with 2+
    (30, 2_000, 2, set(), {"recommended_volume"}),  # 30 of 2,030 (1.48%): the share is fine
])
def test_volume_checks_agree_between_memory_and_large_paths(tmp_path, repeat_users, single_users, rows_per_repeat,
                                                            errors, warnings):
    path = tmp_path / "volume.csv"
    _volume_frame(repeat_users, single_users, rows_per_repeat).to_csv(path, index=False)
    _, memory_report = load_interactions(path)
    report = validate_large(path)
    assert_same_report(report, memory_report)
    volume = {"min_interactions", "min_users", "recommended_volume", "min_user_share"}
    assert {i.check for i in report.validation.errors} & volume == errors
    assert {i.check for i in report.validation.warnings} & volume == warnings


def test_items_duplicate_ids_warning_matches(tmp_path):
    path = tmp_path / "items.csv"
    items = pd.DataFrame({"ITEM_ID": ["a", "b", "c", "b", "d", "a"],
                          "CATEGORY_L1": ["x", "y", "x", "y", "z", "x"],
                          "PRICE": [1.0, 2.5, 3.0, 2.5, 9.0, 1.0]})
    items.to_csv(path, index=False)
    memory, memory_report = load_items(path)
    result = load_large(path, "items", chunk_rows=2)
    pd.testing.assert_frame_equal(result.to_pandas(), memory)
    assert_same_report(result.report, memory_report)
    warning = next(i for i in result.report.validation.warnings if i.check == "duplicate_ids")
    assert (warning.row, warning.count) == (4, 2)


@settings(max_examples=15)
@given(chunk_rows=st.integers(1, 60), bad=st.sets(st.integers(0, 59), max_size=6))
def test_chunk_size_never_changes_the_result(tmp_path_factory, chunk_rows, bad):
    folder = tmp_path_factory.mktemp("chunks")
    frame = interactions_frame(60, n_users=10, n_items=5).astype({"TIMESTAMP": object})
    for position in bad:
        frame.loc[position, "TIMESTAMP"] = T0 * 1000
    path = folder / "f.csv"
    frame.to_csv(path, index=False)
    memory, memory_report = load_interactions(path, errors="reject")
    result = load_large(path, errors="reject", chunk_rows=chunk_rows)
    assert sorted(result.report.rejected["row"]) == sorted(p + 1 for p in bad)
    pd.testing.assert_frame_equal(result.to_pandas(), memory)
    assert_same_report(result.report, memory_report)


def test_arguments_are_checked(tmp_path):
    path = tmp_path / "f.csv"
    interactions_frame(10).to_csv(path, index=False)
    with pytest.raises(ValueError, match="errors"):
        load_large(path, errors="skip")
    with pytest.raises(ValueError, match="kind"):
        load_large(path, "actions")
    with pytest.raises(ValueError, match="chunk_rows"):
        load_large(path, chunk_rows=0)


def _with_odd_times(n_rows: int = 1_200) -> pd.DataFrame:
    frame = interactions_frame(n_rows).astype({"TIMESTAMP": object})
    frame.loc[1, "TIMESTAMP"] = T0 * 1000   # milliseconds: a row error (rejected with errors="reject")
    frame.loc[4, "TIMESTAMP"] = 0            # 1 January 1970: kept, warned
    frame.loc[9, "TIMESTAMP"] = -5
    frame.loc[30, "TIMESTAMP"] = T0 * 10     # 11 digits (after the year 2286): kept, warned
    return frame


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_implausible_timestamps_are_kept_and_warned_at_the_files_rows(tmp_path, suffix):
    path = tmp_path / f"odd{suffix}"
    frame = _with_odd_times()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.astype({"TIMESTAMP": "int64"}).to_parquet(path, index=False)
    memory, memory_report = load_interactions(path, errors="reject")
    result = load_large(path, errors="reject", chunk_rows=7)
    assert_same_report(result.report, memory_report)
    assert memory_report.rows_kept == len(frame) - 1  # only the millisecond row is rejected
    assert set(memory_report.rejected["row"]) == {2}
    warning = next(i for i in memory_report.validation.warnings if i.check == "implausible_timestamps")
    # data rows are 1-based: frame position 4 is the file's row 5, after the rejected row 2
    assert (warning.column, warning.row, warning.count) == ("TIMESTAMP", 5, 3)
    assert "first at row 5" in warning.message and "first at row 31" in warning.message
    assert 0 in set(memory["TIMESTAMP"]) and T0 * 10 in set(memory["TIMESTAMP"])


def test_plausible_times_give_no_timestamp_warning(tmp_path):
    path = tmp_path / "fine.csv"
    interactions_frame().to_csv(path, index=False)
    _, report = load_interactions(path)
    assert not [i for i in report.validation.warnings if i.check == "implausible_timestamps"]


def test_items_creation_timestamp_and_duplicate_rows_name_the_files_rows(tmp_path):
    path = tmp_path / "items.csv"
    items = pd.DataFrame({"ITEM_ID": ["a", "b", "c", "d", "b"],
                          "CATEGORY_L1": ["x", "y", "x", "y", "z"],
                          "CREATION_TIMESTAMP": [T0 * 1000, T0, 0, T0, T0]})
    items.to_csv(path, index=False)
    memory, memory_report = load_items(path, errors="reject")
    result = load_large(path, "items", errors="reject", chunk_rows=2)
    assert_same_report(result.report, memory_report)
    by_check = {i.check: i for i in memory_report.validation.warnings}
    assert (by_check["implausible_timestamps"].row, by_check["implausible_timestamps"].count) == (3, 1)
    assert by_check["duplicate_ids"].row == 5  # the file's row 5 (the kept frame's 4th)
