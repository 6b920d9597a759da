from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import DatasetError
from workbench.preprocess import (
    drop_duplicate_events,
    map_event_types,
    preprocess,
    sample_users,
    sort_events,
    user_activity,
)


def test_sort_is_stable_for_ties():
    frame = pd.DataFrame({"USER_ID": ["a", "b", "c"], "ITEM_ID": ["x", "y", "z"], "TIMESTAMP": [5, 1, 1]})
    assert sort_events(frame)["USER_ID"].tolist() == ["b", "c", "a"]
    with pytest.raises(DatasetError, match="TIMESTAMP"):
        sort_events(frame.drop(columns="TIMESTAMP"))


def test_duplicates_need_every_key_column_to_match(tiny_interactions):
    doubled = pd.concat([tiny_interactions, tiny_interactions.iloc[[0, 1]]], ignore_index=True)
    clean, removed = drop_duplicate_events(doubled)
    assert removed == 2 and len(clean) == len(tiny_interactions)
    other_type = tiny_interactions.iloc[[0]].assign(EVENT_TYPE="purchase")
    kept, removed = drop_duplicate_events(pd.concat([tiny_interactions, other_type], ignore_index=True))
    assert removed == 0 and len(kept) == len(tiny_interactions) + 1


def test_map_event_types_merges_spellings():
    frame = pd.DataFrame({"EVENT_TYPE": ["Purchase", "order", "VIEW", "click"]})
    out = map_event_types(frame, {"order": "purchase"})
    assert out["EVENT_TYPE"].tolist() == ["purchase", "purchase", "view", "click"]


def test_user_activity_flags_the_bot_by_hand():
    # 9 users with 10 events, one with 11, one bot with 1000
    rows = [(f"u{i}", "i", t) for i in range(9) for t in range(10)] + [("u9", "i", t) for t in range(11)]
    rows += [("bot", "i", t) for t in range(1000)]
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    table = user_activity(frame, threshold=5)
    assert table.iloc[0]["USER_ID"] == "bot" and table.iloc[0]["events"] == 1000
    # more than half the users share the count 10 -> MAD is 0 -> mean absolute deviation is used
    logs = np.log([10] * 9 + [11, 1000])
    spread = np.mean(np.abs(logs - np.log(10))) * 1.2533
    z = table.set_index("USER_ID")["robust_z"]
    assert z["bot"] == pytest.approx((np.log(1000) - np.log(10)) / spread)
    assert z["u9"] == pytest.approx((np.log(11) - np.log(10)) / spread)
    assert table.set_index("USER_ID")["outlier"].to_dict() == {"bot": True, "u9": False, **{f"u{i}": False for i in range(9)}}
    same = user_activity(pd.DataFrame({"USER_ID": ["a", "b"], "ITEM_ID": "i", "TIMESTAMP": 0}))
    assert same["robust_z"].tolist() == [0.0, 0.0]


def test_user_activity_robust_z_matches_formula():
    counts = {"a": 1, "b": 2, "c": 4, "d": 8, "e": 1000}
    frame = pd.DataFrame([(u, "i", t) for u, n in counts.items() for t in range(n)], columns=["USER_ID", "ITEM_ID", "TIMESTAMP"])
    table = user_activity(frame).set_index("USER_ID")
    logs = np.log(np.array(list(counts.values()), dtype=float))
    med = np.median(logs)
    mad = np.median(np.abs(logs - med)) * 1.4826
    assert table.loc["e", "robust_z"] == pytest.approx((np.log(1000) - med) / mad)
    assert table.loc["e", "outlier"] and not table.loc["d", "outlier"]


@given(st.floats(min_value=0.05, max_value=1.0), st.integers(min_value=0, max_value=1000))
def test_sample_users_keeps_whole_histories(fraction, seed):
    frame = pd.DataFrame({"USER_ID": [f"u{i % 20}" for i in range(200)], "TIMESTAMP": range(200)})
    out = sample_users(frame, fraction, seed)
    kept = out["USER_ID"].unique()
    assert len(kept) == max(1, round(20 * fraction))
    assert (out["USER_ID"].value_counts() == 10).all()  # every kept user has all 10 events


def test_preprocess_logs_every_step():
    frame = pd.DataFrame(
        {
            "USER_ID": ["a", "a", "a", "b"],
            "ITEM_ID": ["x", "x", "y", "z"],
            "TIMESTAMP": [3, 3, 1, 2],
            "EVENT_TYPE": ["Purchase", "purchase", "view", "view"],
        }
    )
    clean, log = preprocess(frame, event_type_map={"Purchase": "purchase"})
    assert clean["TIMESTAMP"].tolist() == [1, 2, 3]
    assert log["step"].tolist() == ["sort by TIMESTAMP", "map event types", "drop duplicate events"]
    assert log["rows_after"].tolist() == [4, 4, 3]


def test_remove_items_drops_their_events_and_their_impressions_hand_worked():
    from workbench.constants import IMPRESSION, ITEM_ID, USER_ID
    from workbench.preprocess import remove_items

    frame = pd.DataFrame({USER_ID: ["u", "u", "v", "w"], ITEM_ID: ["a", "b", "c", "a"],
                          IMPRESSION: ["a|b|c", "b", None, "b"]})
    out = remove_items(frame, ["b"])
    assert out[ITEM_ID].tolist() == ["a", "c", "a"]
    assert out[IMPRESSION].iloc[0] == "a|c"
    assert out[IMPRESSION].iloc[1:].isna().all()  # no list, and a list of only the removed item
    assert frame[IMPRESSION].iloc[0] == "a|b|c"  # the input is left as it was
    pd.testing.assert_frame_equal(remove_items(frame.drop(columns=IMPRESSION), []), frame.drop(columns=IMPRESSION))
