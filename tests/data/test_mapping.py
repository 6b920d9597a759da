"""map_columns / guess_mapping: hand-made raw tables in, Personalize-format frames (or clear errors) out."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.data import validate_interactions
from workbench.data.mapping import guess_mapping, map_columns, timestamp_unit
from workbench.errors import DatasetError

MAPPING = {USER_ID: "customer", ITEM_ID: "sku", TIMESTAMP: "when", EVENT_TYPE: "action", EVENT_VALUE: "qty"}


def _raw(when) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer": [7, 8, 7],
            "sku": ["A-1", "B-2", "A-1"],
            "when": when,
            "action": ["view", "purchase", "purchase"],
            "qty": ["1", "2", "1.5"],
            "store": ["north", "south", "north"],
        }
    )


def test_renames_and_types_with_second_timestamps():
    out = map_columns(_raw([1_700_000_000, 1_700_000_060, 1_700_003_600]), MAPPING)
    assert list(out.columns) == [USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE]
    assert out[USER_ID].tolist() == ["7", "8", "7"]
    assert out[TIMESTAMP].tolist() == [1_700_000_000, 1_700_000_060, 1_700_003_600]
    assert out[TIMESTAMP].dtype == "int64"
    assert out[EVENT_VALUE].tolist() == [1.0, 2.0, 1.5]
    assert out.attrs["timestamp_unit"] == "s"


def test_milliseconds_are_divided_by_1000():
    out = map_columns(_raw([1_700_000_000_123, 1_700_000_060_999, 1_700_003_600_000]), MAPPING)
    assert out[TIMESTAMP].tolist() == [1_700_000_000, 1_700_000_060, 1_700_003_600]
    assert out.attrs["timestamp_unit"] == "ms"


def test_iso_dates_become_epoch_seconds():
    # 2024-08-15T00:00:00Z is 1723680000 (the simulator's default start)
    out = map_columns(_raw(["2024-08-15T00:00:00Z", "2024-08-15 00:01:00+00:00", "2024-08-16T00:00:00Z"]), MAPPING)
    assert out[TIMESTAMP].tolist() == [1_723_680_000, 1_723_680_060, 1_723_766_400]
    assert out.attrs["timestamp_unit"] == "datetime"


def test_float_ids_keep_their_integer_spelling():
    raw = _raw([1, 2, 3]).assign(customer=[7.0, 8.0, 7.0])
    assert map_columns(raw, MAPPING)[USER_ID].tolist() == ["7", "8", "7"]


def test_optional_columns_may_be_left_out_and_others_kept_on_request():
    mapping = {USER_ID: "customer", ITEM_ID: "sku", TIMESTAMP: "when", EVENT_TYPE: None, EVENT_VALUE: ""}
    out = map_columns(_raw([1, 2, 3]), mapping, keep_other=True)
    assert list(out.columns) == [USER_ID, ITEM_ID, TIMESTAMP, "action", "qty", "store"]


def test_missing_required_target_names_it():
    with pytest.raises(DatasetError, match="TIMESTAMP"):
        map_columns(_raw([1, 2, 3]), {USER_ID: "customer", ITEM_ID: "sku"})


def test_unknown_source_column_lists_the_real_ones():
    with pytest.raises(DatasetError, match="column whoops.*pick one of customer, sku"):
        map_columns(_raw([1, 2, 3]), {**MAPPING, USER_ID: "whoops"})


def test_same_source_twice_is_refused():
    with pytest.raises(DatasetError, match="both USER_ID and ITEM_ID"):
        map_columns(_raw([1, 2, 3]), {**MAPPING, ITEM_ID: "customer"})


def test_unknown_target_is_refused():
    with pytest.raises(DatasetError, match="'RATING' is not"):
        map_columns(_raw([1, 2, 3]), {**MAPPING, "RATING": "qty"})


def test_missing_id_names_row_and_column():
    raw = _raw([1, 2, 3])
    raw.loc[1, "sku"] = None
    with pytest.raises(DatasetError, match=r"row 2, column sku"):
        map_columns(raw, MAPPING, file="orders.csv")


def test_bad_date_names_row_and_value():
    with pytest.raises(DatasetError, match=r"row 3, column when: 'yesterday' is not a date-time"):
        map_columns(_raw(["2024-08-15", "2024-08-16", "yesterday"]), MAPPING)


def test_non_numeric_event_value_names_row():
    raw = _raw([1, 2, 3]).assign(qty=["1", "two", "3"])
    with pytest.raises(DatasetError, match=r"row 2, column qty"):
        map_columns(raw, MAPPING)


def test_forced_unit_is_used_even_when_auto_would_differ():
    out = map_columns(_raw([1_700_000_000, 1_700_000_060, 1_700_003_600]), MAPPING, timestamp_unit="ms")
    assert out[TIMESTAMP].tolist() == [1_700_000, 1_700_000, 1_700_003]


def test_timestamp_unit_boundaries():
    assert timestamp_unit(pd.Series([99_999_999_999])) == "s"
    assert timestamp_unit(pd.Series([100_000_000_000])) == "ms"
    assert timestamp_unit(pd.Series([100_000_000_000_000])) == "us"
    assert timestamp_unit(pd.Series(["1700000000", "1700000001"])) == "s"
    assert timestamp_unit(pd.Series(["2024-01-01"])) == "datetime"


def test_guess_mapping_from_common_names():
    guess = guess_mapping(["Customer ID", "StockCode", "InvoiceDate", "Quantity", "Country"])
    assert guess == {USER_ID: "Customer ID", ITEM_ID: "StockCode", TIMESTAMP: "InvoiceDate",
                     EVENT_TYPE: None, EVENT_VALUE: "Quantity"}
    assert guess_mapping([USER_ID, ITEM_ID, TIMESTAMP])[EVENT_TYPE] is None


def test_mapped_frame_passes_personalize_row_rules(tiny_interactions):
    raw = tiny_interactions.rename(columns={USER_ID: "who", ITEM_ID: "what", TIMESTAMP: "t", EVENT_TYPE: "kind"})
    raw["t"] = raw["t"] * 1000
    out = map_columns(raw, {USER_ID: "who", ITEM_ID: "what", TIMESTAMP: "t", EVENT_TYPE: "kind"})
    pd.testing.assert_frame_equal(out, tiny_interactions.astype({USER_ID: "str", ITEM_ID: "str", EVENT_TYPE: "str"}),
                                  check_dtype=False)
    report = validate_interactions(out)
    assert not [e for e in report.errors if "TIMESTAMP" in e.message]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4_000_000_000), min_size=1, max_size=20))
def test_milliseconds_round_trip_to_the_same_seconds(seconds):
    raw = pd.DataFrame({"u": ["a"] * len(seconds), "i": ["x"] * len(seconds), "t": [s * 1000 + 999 for s in seconds]})
    out = map_columns(raw, {USER_ID: "u", ITEM_ID: "i", TIMESTAMP: "t"}, timestamp_unit="ms")
    assert out[TIMESTAMP].tolist() == seconds


def test_a_column_mixing_seconds_and_milliseconds_is_refused_at_the_odd_row():
    from workbench.errors import DatasetError

    with pytest.raises(DatasetError, match=r"row 1, column when: 1700000000 reads as seconds, but the column's largest value reads as milliseconds"):
        map_columns(_raw([1_700_000_000, 1_700_000_060_000, 1_700_003_600]), MAPPING, file="shop.csv")
    out = map_columns(_raw([1_700_000_000, 1_700_000_060_000, 1_700_003_600]), MAPPING, timestamp_unit="s")
    assert out[TIMESTAMP].iloc[1] == 1_700_000_060_000  # an explicit unit is taken at its word


@pytest.mark.parametrize("times, row, odd", [
    (["1723683351", "not-a-time", "1723683353"], 2, "is not a number, while 2 of 3 values are epoch numbers"),
    (["2024-08-15T10:30:00Z", "2024-08-15T10:31:00Z", "1723683351"], 3, "is a number, while 2 of 3 values are date"),
])
def test_a_time_column_mixing_numbers_and_date_text_names_the_odd_row(times, row, odd):
    raw = pd.DataFrame({"who": ["c1", "c2", "c3"], "what": ["A", "B", "C"], "when": times})
    with pytest.raises(DatasetError, match=odd) as info:
        map_columns(raw, {USER_ID: "who", ITEM_ID: "what", TIMESTAMP: "when"}, file="events.csv")
    assert (info.value.file, info.value.row, info.value.column) == ("events.csv", row, "when")
