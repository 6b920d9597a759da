"""Loading interactions, items and users from CSV and Parquet."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import load_folder, load_interactions, load_items, load_users, split_multi_values
from workbench.errors import DatasetError, SchemaError

from .conftest import make_log

CSV = (
    "USER_ID,ITEM_ID,EVENT_TYPE,EVENT_VALUE,LOCATION,DEVICE,TIMESTAMP,IMPRESSION\n"
    "35,73,click,,Ohio,Tablet,1586731606,73|70|17\n"
    "54,35,watch,0.75,Indiana,Cellphone,1586735164,35|82\n"
    "007,35,watch,1,Ohio,,1586735200,\n"
)


def test_fact_sheet_example_loads_with_personalize_types(write):
    frame, report = load_interactions(write("i.csv", CSV))
    assert list(frame.columns) == ["USER_ID", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE", "LOCATION", "DEVICE",
                                   "TIMESTAMP", "IMPRESSION"]
    assert frame["USER_ID"].tolist() == ["35", "54", "007"]  # ids stay text, leading zeros kept
    assert frame["TIMESTAMP"].dtype == np.int64
    assert frame["EVENT_VALUE"].dtype == np.float64
    assert np.isnan(frame["EVENT_VALUE"].iloc[0]) and frame["EVENT_VALUE"].iloc[1] == 0.75
    assert pd.isna(frame["DEVICE"].iloc[2])
    assert frame["IMPRESSION"].iloc[0] == "73|70|17"
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (3, 3, 0)
    assert report.rejected.empty and list(report.rejected.columns) == ["row", "column", "reason"]
    schema = report.schema
    assert schema.field("LOCATION").categorical and schema.field("DEVICE").nullable
    assert schema.field("EVENT_VALUE").type == "float"


def test_three_rows_fail_minimum_data_but_still_load(write):
    _, report = load_interactions(write("i.csv", CSV))
    assert not report.validation.ok
    assert {i.check for i in report.validation.errors} == {"min_interactions", "min_users"}
    assert report.validation.stats["n_interactions"] == 3


def test_with_schema_types_follow_the_schema(write):
    schema = {"type": "record", "name": "Interactions", "namespace": "com.amazonaws.personalize.schema",
              "fields": [{"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
                         {"name": "TIMESTAMP", "type": "long"}, {"name": "SHOP", "type": "string",
                                                                 "categorical": True}], "version": "1.0"}
    path = write("i.csv", "USER_ID,ITEM_ID,TIMESTAMP,SHOP\n1,2,1700000000,0042\n")
    frame, report = load_interactions(path, schema=write("s.json", json.dumps(schema)))
    assert frame["SHOP"].tolist() == ["0042"]  # string field: not parsed as a number
    assert report.schema.source.endswith("s.json")


def test_schema_order_and_extra_columns_are_errors(write):
    schema = json.dumps({"type": "record", "name": "Interactions", "fields": [
        {"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"}]})
    swapped = write("a.csv", "ITEM_ID,USER_ID,TIMESTAMP\ni,u,1700000000\n")
    with pytest.raises(SchemaError, match="order differs") as info:
        load_interactions(swapped, schema=schema)
    assert "a.csv" in str(info.value) and "column ITEM_ID" in str(info.value)
    extra = write("b.csv", "USER_ID,ITEM_ID,TIMESTAMP,X\nu,i,1700000000,1\n")
    with pytest.raises(SchemaError, match="column X is not a field"):
        load_interactions(extra, schema=schema)


def test_invalid_schema_file_stops_the_load(write):
    path = write("i.csv", "USER_ID,ITEM_ID,TIMESTAMP\nu,i,1700000000\n")
    bad = write("bad.json", '{"type": "record", "name": "Interactions", "fields": [{"name": "USER_ID"}]}')
    with pytest.raises(SchemaError, match="not valid Avro"):
        load_interactions(path, schema=bad)


def test_parquet_round_trip_gives_the_same_frame(tmp_path):
    log = make_log(30, 3)
    path = tmp_path / "log.parquet"
    log.to_parquet(path)
    frame, report = load_interactions(path)
    pd.testing.assert_frame_equal(frame, log)
    assert report.rows_read == 90


def test_parquet_with_integer_ids_gets_text_ids(tmp_path):
    path = tmp_path / "ints.parquet"
    pd.DataFrame({"USER_ID": [1, 2], "ITEM_ID": [10, 20], "TIMESTAMP": [1_700_000_000, 1_700_000_001]}).to_parquet(path)
    frame, _ = load_interactions(path)
    assert frame["USER_ID"].tolist() == ["1", "2"] and pd.api.types.is_string_dtype(frame["ITEM_ID"])


def test_items_file_with_multi_values_and_textual_field(write):
    path = write("items.csv", 'ITEM_ID,GENRES,CREATION_TIMESTAMP,DESCRIPTION,PRICE\n'
                              'i1,Action|Crime,1600000000,"A long, quoted\ndescription",9.5\n'
                              'i2,,1600000100,,12\n')
    frame, report = load_items(path)
    assert frame["DESCRIPTION"].iloc[0] == "A long, quoted\ndescription"
    assert report.schema.field("DESCRIPTION").textual and report.schema.field("GENRES").categorical
    assert frame["PRICE"].tolist() == [9.5, 12.0]
    assert split_multi_values(frame["GENRES"]).tolist() == [["Action", "Crime"], []]


def test_users_file_and_duplicate_id_warning(write):
    frame, report = load_users(write("users.csv", "USER_ID,GENDER,AGE\nu1,F,31\nu2,,40\nu1,M,22\n"))
    assert frame["AGE"].dtype == np.int64
    assert report.validation.ok
    warning = next(w for w in report.validation.warnings if w.check == "duplicate_ids")
    assert (warning.row, warning.count) == (3, 1)


def test_finish_frame_without_checks_still_rejects_rows_but_leaves_the_file_checks_to_the_caller():
    from workbench.data.loaders import finish_frame

    raw = pd.DataFrame({"USER_ID": ["u1", "u2", "u1", ""], "AGE": ["31", "40", "22", "5"]})
    kept_all, checked = finish_frame(raw, "users", file="users.csv", errors="reject")
    kept, unchecked = finish_frame(raw, "users", file="users.csv", errors="reject", checks=False)
    assert [w.check for w in checked.validation.warnings if w.check == "duplicate_ids"] == ["duplicate_ids"]
    assert not [w for w in unchecked.validation.warnings if w.check == "duplicate_ids"]
    assert kept.equals(kept_all) and unchecked.rows_rejected == checked.rows_rejected == 1


def test_nullable_long_column_becomes_Int64(write):
    frame, _ = load_items(write("items.csv", "ITEM_ID,CREATION_TIMESTAMP,COLOR\ni1,1600000000,red\ni2,,blue\n"))
    assert str(frame["CREATION_TIMESTAMP"].dtype) == "Int64"
    assert frame["CREATION_TIMESTAMP"].iloc[0] == 1_600_000_000 and pd.isna(frame["CREATION_TIMESTAMP"].iloc[1])


def test_domain_requires_event_type_column_and_values(write):
    no_column = write("a.csv", "USER_ID,ITEM_ID,TIMESTAMP\nu,i,1700000000\n")
    with pytest.raises(DatasetError, match="EVENT_TYPE") as info:
        load_interactions(no_column, domain="ECOMMERCE")
    assert "a.csv" in str(info.value) and "View, Purchase" in info.value.fix
    with pytest.raises(DatasetError, match="EVENT_TYPE") as info:
        load_interactions(no_column, domain="VIDEO_ON_DEMAND")
    assert "Watch, Click" in info.value.fix  # the event types video use cases are built on
    empty_value = write("b.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu,i,1700000000,View\nu,j,1700000001,\n")
    with pytest.raises(DatasetError, match="row 2, column EVENT_TYPE"):
        load_interactions(empty_value, domain="ECOMMERCE")
    frame, _ = load_interactions(empty_value)  # custom dataset group: EVENT_TYPE is optional
    assert len(frame) == 2


def test_reject_mode_keeps_good_rows_and_lists_every_problem(write):
    path = write("mixed.csv", "USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE\n"
                              "u1,i1,1700000000,1\n"
                              ",i2,1700000000000,2\n"
                              "u3,i3,1700000002,x\n"
                              "u4,i4,1700000003,4\n")
    frame, report = load_interactions(path, errors="reject")
    assert frame["USER_ID"].tolist() == ["u1", "u4"]
    assert frame["EVENT_VALUE"].tolist() == [1.0, 4.0]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (4, 2, 2)
    assert report.rejected[["row", "column"]].values.tolist() == [[2, "USER_ID"], [2, "TIMESTAMP"],
                                                                  [3, "EVENT_VALUE"]]


def test_load_folder_uses_schema_files(tmp_path):
    make_log(5, 2).to_csv(tmp_path / "interactions.csv", index=False)
    pd.DataFrame({"ITEM_ID": ["i1"], "COLOR": ["red"]}).to_csv(tmp_path / "items.csv", index=False)
    data = load_folder(tmp_path)
    assert len(data.interactions) == 10 and data.items["COLOR"].tolist() == ["red"] and data.users is None
    assert set(data.reports) == {"interactions", "items"}


def test_bom_and_crlf_are_accepted(write):
    frame, _ = load_interactions(write("bom.csv", b"\xef\xbb\xbfUSER_ID,ITEM_ID,TIMESTAMP\r\nu1,i1,1700000000\r\n"))
    assert list(frame.columns) == ["USER_ID", "ITEM_ID", "TIMESTAMP"] and frame["ITEM_ID"].tolist() == ["i1"]


def test_date_metadata_keeps_the_file_text(write):
    frame, report = load_items(write("items.csv", "ITEM_ID,RELEASED\ni1,2024-01-01T10:00:00\ni2,1999-05-02\n"))
    assert frame["RELEASED"].tolist() == ["2024-01-01T10:00:00", "1999-05-02"]
    assert report.schema.field("RELEASED").type == "string"


BAD_VALUES = {
    "ok": ("u{k}", "1700000000", "1"),
    "ms": ("u{k}", "1700000000000", "1"),
    "no_user": ("", "1700000000", "1"),
    "text_value": ("u{k}", "1700000000", "high"),
    "iso": ("u{k}", "2023-11-14", "1"),
}


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(sorted(BAD_VALUES)), min_size=1, max_size=40))
def test_reject_mode_never_drops_silently(tmp_path_factory, kinds):
    lines = ["USER_ID,ITEM_ID,TIMESTAMP,EVENT_VALUE"]
    for k, kind in enumerate(kinds):
        user, ts, value = BAD_VALUES[kind]
        lines.append(f"{user.format(k=k)},i{k},{ts},{value}")
    path = tmp_path_factory.mktemp("rej") / "mixed.csv"
    path.write_text("\n".join(lines) + "\n")
    good_rows = [k + 1 for k, kind in enumerate(kinds) if kind == "ok"]
    bad_rows = [k + 1 for k, kind in enumerate(kinds) if kind != "ok"]
    frame, report = load_interactions(path, errors="reject")
    assert frame["ITEM_ID"].tolist() == [f"i{r - 1}" for r in good_rows]
    assert report.rows_read == len(kinds)
    assert report.rows_kept + report.rows_rejected == report.rows_read
    assert sorted(report.rejected["row"].unique()) == bad_rows
    if bad_rows:
        with pytest.raises(DatasetError, match=rf"row {bad_rows[0]}, column"):
            load_interactions(path)
