"""validate_interactions / validate_items / validate_users: what Personalize would refuse, with numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import validate_interactions, validate_items, validate_users

from .conftest import make_log


def log_with(users_with_two: int, singles: int, extra_rows_for_first: int = 0) -> pd.DataFrame:
    """``users_with_two`` users with exactly 2 rows, ``singles`` users with 1 row, plus extra rows for user 0."""
    ids = [f"u{i}" for i in range(users_with_two) for _ in range(2)]
    ids += [f"s{i}" for i in range(singles)]
    ids += ["u0"] * extra_rows_for_first
    n = len(ids)
    return pd.DataFrame({"USER_ID": ids, "ITEM_ID": [f"i{k % 7}" for k in range(n)],
                         "TIMESTAMP": 1_700_000_000 + np.arange(n, dtype=np.int64)})


def checks(report, level="errors"):
    return {i.check for i in getattr(report, level)}


def test_minimum_data_boundaries():
    # 25 users with two rows (50 rows) + 950 single users = exactly 1,000 interactions: accepted
    ok = validate_interactions(log_with(25, 950))
    assert ok.ok, ok
    assert ok.stats["n_interactions"] == 1000 and ok.stats["users_with_2_plus"] == 25
    assert ok.stats["n_users"] == 975
    # one interaction fewer
    short = validate_interactions(log_with(25, 949))
    assert checks(short) == {"min_interactions"}
    # 24 users with two rows, padded to 1,000 rows with single users
    few = validate_interactions(log_with(24, 952))
    assert checks(few) == {"min_users"}
    issue = next(i for i in few.errors if i.check == "min_users")
    assert issue.count == 24 and "25" in issue.message


def test_a_user_with_many_rows_counts_once():
    report = validate_interactions(log_with(24, 0, extra_rows_for_first=1000))
    assert report.stats["users_with_2_plus"] == 24
    assert "min_users" in checks(report)


def test_recommended_volume_and_user_share_warnings():
    report = validate_interactions(log_with(25, 2500))  # 25 / 2525 users = 0.99 % with 2+ interactions
    assert report.ok
    assert {"recommended_volume", "min_user_share"} <= checks(report, "warnings")
    fine_share = validate_interactions(log_with(26, 2500))  # 26 / 2526 = 1.03 %
    assert "min_user_share" not in checks(fine_share, "warnings")


def test_optional_fields_plus_event_types_limit():
    frame = make_log(30, 40)
    frame["EVENT_TYPE"] = [f"type{k % 8}" for k in range(len(frame))]  # 2 optional fields + 8 types = 10
    assert "optional_fields_plus_event_types" not in checks(validate_interactions(frame))
    frame["EVENT_TYPE"] = [f"type{k % 9}" for k in range(len(frame))]  # 2 + 9 = 11
    report = validate_interactions(frame)
    assert "optional_fields_plus_event_types" in checks(report)
    assert report.stats["event_types"] == sorted(f"type{k}" for k in range(9))


def test_domain_checks():
    frame = make_log(30, 40).drop(columns=["EVENT_VALUE"])
    assert validate_interactions(frame, domain="ECOMMERCE").ok
    no_type = frame.drop(columns=["EVENT_TYPE"])
    assert "domain_event_type" in checks(validate_interactions(no_type, domain="ECOMMERCE"))
    frame["EVENT_TYPE"] = "play"
    report = validate_interactions(frame, domain="VIDEO_ON_DEMAND")
    assert report.ok and "domain_event_types" in checks(report, "warnings")


def test_row_problems_are_counted_not_raised():
    frame = make_log(30, 40)
    frame.loc[[5, 9], "TIMESTAMP"] = frame.loc[[5, 9], "TIMESTAMP"] * 1000
    frame.loc[7, "USER_ID"] = None
    report = validate_interactions(frame)
    rows = {(i.column, i.row, i.count) for i in report.errors if i.check == "row_values"}
    assert rows == {("TIMESTAMP", 6, 2), ("USER_ID", 8, 1)}
    table = report.to_frame()
    assert list(table.columns) == ["level", "check", "column", "row", "count", "message"]
    assert (table["level"] == "error").sum() == len(report.errors)


def test_schema_mismatch_in_validation():
    frame = make_log(30, 40)
    report = validate_interactions(frame[["ITEM_ID", "USER_ID", "TIMESTAMP"]],
                                   schema={"type": "record", "name": "Interactions", "fields": [
                                       {"name": "USER_ID", "type": "string"}, {"name": "ITEM_ID", "type": "string"},
                                       {"name": "TIMESTAMP", "type": "long"}]})
    assert "column_order" in checks(report)


def test_items_and_users_validation():
    items = pd.DataFrame({"ITEM_ID": ["a", "b", "a"], "GENRES": ["x" * 1001, "y", "z"]})
    report = validate_items(items)
    assert {i.column for i in report.errors} == {"GENRES"}
    assert "duplicate_ids" in checks(report, "warnings")
    assert "no_metadata" in checks(validate_users(pd.DataFrame({"USER_ID": ["u1"]})))
    assert validate_users(pd.DataFrame({"USER_ID": ["u1"], "AGE": [30]})).ok


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=200))
def test_users_with_two_matches_a_direct_count(user_numbers):
    frame = pd.DataFrame({"USER_ID": [f"u{k}" for k in user_numbers], "ITEM_ID": "i",
                          "TIMESTAMP": np.full(len(user_numbers), 1_700_000_000, dtype=np.int64)})
    report = validate_interactions(frame)
    expected = sum(1 for k in set(user_numbers) if user_numbers.count(k) >= 2)
    assert report.stats["users_with_2_plus"] == expected
    assert ("min_users" in checks(report)) == (expected < 25)


@pytest.mark.parametrize("rows", [150_001])
def test_loader_fast_count_agrees_on_the_error(tmp_path, rows):
    """The loader's prefix shortcut must reach the same verdict as the full count."""
    from workbench.data import load_interactions

    ids = np.where(np.arange(rows) < 100_000, "solo" + pd.Series(np.arange(rows)).astype(str), "late")
    frame = pd.DataFrame({"USER_ID": ids, "ITEM_ID": "i", "TIMESTAMP": np.full(rows, 1_700_000_000)})
    path = tmp_path / "big.parquet"
    frame.to_parquet(path)
    _, report = load_interactions(path)
    assert "min_users" in checks(report.validation)  # only one user ("late") has 2+ rows
    assert report.validation.stats["users_with_2_plus"] == 1
