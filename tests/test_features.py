"""user_features: activity level and purchase cycle on hand-worked logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.errors import DatasetError
from workbench.features import FEATURE_COLUMNS, activity_levels, user_features

DAY = 86_400
T0 = 1_700_006_400 - (1_700_006_400 % DAY)  # a UTC midnight


def _log(rows):
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])


def test_purchase_cycle_is_median_gap_between_purchase_days():
    # u1 buys on days 0, 10, 30 (two items on day 10, one hour apart): gaps 10 and 20 -> median 15
    rows = [
        ("u1", "a", T0, "purchase"),
        ("u1", "b", T0 + 10 * DAY, "purchase"),
        ("u1", "c", T0 + 10 * DAY + 3600, "purchase"),
        ("u1", "d", T0 + 30 * DAY, "purchase"),
        ("u1", "e", T0 + 31 * DAY, "view"),
        ("u2", "a", T0 + 40 * DAY, "view"),
    ]
    table = user_features(_log(rows)).set_index(USER_ID)
    u1 = table.loc["u1"]
    assert u1["purchases"] == 4 and u1["purchase_days"] == 3
    assert u1["purchase_cycle_days"] == 15.0
    assert u1["days_since_last_purchase"] == pytest.approx(10.0)  # now = day 40
    assert u1["days_until_due"] == pytest.approx(5.0)
    assert u1["events"] == 5 and u1["active_days"] == 4
    assert u1["events_per_active_day"] == pytest.approx(5 / 4)
    u2 = table.loc["u2"]
    assert u2["purchases"] == 0 and np.isnan(u2["purchase_cycle_days"]) and np.isnan(u2["days_since_last_purchase"])
    assert u2["days_since_last_event"] == 0.0


def test_overdue_buyer_has_negative_days_until_due():
    rows = [("u", "a", T0, "purchase"), ("u", "a", T0 + 7 * DAY, "purchase"), ("v", "b", T0 + 30 * DAY, "view")]
    assert user_features(_log(rows)).set_index(USER_ID).loc["u", "days_until_due"] == pytest.approx(7 - 23)


def test_event_type_match_ignores_case_and_none_counts_everything():
    rows = [("u", "a", T0, "Purchase"), ("u", "b", T0 + DAY, "view")]
    assert user_features(_log(rows))["purchases"].tolist() == [1]
    assert user_features(_log(rows).drop(columns=EVENT_TYPE), purchase_event=None)["purchases"].tolist() == [2]


def test_activity_levels_hand_worked():
    counts = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100])
    levels = activity_levels(counts, (0.5, 0.9))
    # median 6, 90th percentile 10: <= 6 light, 7..10 regular, 100 heavy
    assert levels.tolist() == ["light"] * 6 + ["regular"] * 4 + ["heavy"]


def test_missing_event_type_says_how_to_fix():
    with pytest.raises(DatasetError, match="purchase_event=None"):
        user_features(pd.DataFrame({USER_ID: ["u"], TIMESTAMP: [T0]}))


def test_bad_timestamp_names_row():
    frame = _log([("u", "a", T0, "view"), ("u", "b", None, "view")])
    with pytest.raises(DatasetError, match="row 2, column TIMESTAMP"):
        user_features(frame)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 60), st.booleans()), min_size=1, max_size=40))
def test_properties_one_row_per_user_and_counts_add_up(events):
    frame = _log([(u, "i", T0 + d * DAY, "purchase" if p else "view") for u, d, p in events])
    table = user_features(frame)
    assert list(table.columns) == list(FEATURE_COLUMNS)
    assert sorted(table[USER_ID]) == sorted(set(frame[USER_ID]))
    assert table["events"].sum() == len(frame)
    assert table["purchases"].sum() == sum(p for _, _, p in events)
    assert (table["purchase_days"] <= table["purchases"]).all()
    assert (table["active_days"] <= table["events"]).all()
    cycle = table["purchase_cycle_days"]
    assert (cycle.isna() == (table["purchase_days"] < 2)).all()
    assert (cycle.dropna() >= 1).all()
