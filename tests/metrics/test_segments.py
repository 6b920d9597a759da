"""Segment metrics: hand-worked examples, edge cases and properties."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import QUERY, RANK, USER_ID
from workbench.metrics import segment_precision_at_k, segment_recall_at_k, segment_size


def _segments(rows: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{QUERY: q, USER_ID: u, RANK: r + 1} for q, users in rows.items() for r, u in enumerate(users)])


def _truth(rows: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{QUERY: q, USER_ID: u} for q, users in rows.items() for u in users])


def test_hand_worked_recall_and_precision():
    # query a: segment u1 u2 u3 u4; truth u2 u4 u9. Top 2 = {u1, u2}: 1 found.
    segments = _segments({"a": ["u1", "u2", "u3", "u4"], "b": ["u5", "u6"]})
    truth = _truth({"a": ["u2", "u4", "u9"], "b": ["u6"]})
    recall = segment_recall_at_k(segments, truth, k=2)
    precision = segment_precision_at_k(segments, truth, k=2)
    assert recall.name == "SegmentRecall@2" and precision.name == "SegmentPrecision@2"
    assert recall["a"] == pytest.approx(1 / 3) and recall["b"] == pytest.approx(1.0)
    assert precision["a"] == pytest.approx(1 / 2) and precision["b"] == pytest.approx(1 / 2)
    # at k = 4 query a finds u2 and u4 (2 of 3); query b's segment has only 2 users: precision still divides by 4
    assert segment_recall_at_k(segments, truth, k=4)["a"] == pytest.approx(2 / 3)
    assert segment_precision_at_k(segments, truth, k=4)["b"] == pytest.approx(1 / 4)


def test_rank_column_orders_the_segment_not_the_row_order():
    segments = _segments({"a": ["u1", "u2"]}).iloc[::-1]  # rows reversed, RANK still says u1 first
    assert segment_recall_at_k(segments, _truth({"a": ["u1"]}), k=1)["a"] == 1.0


def test_queries_without_a_segment_score_zero_and_queries_without_truth_are_not_scored():
    segments = _segments({"a": ["u1"], "c": ["u7"]})
    recall = segment_recall_at_k(segments, _truth({"a": ["u1"], "b": ["u2"]}), k=1)
    assert recall.to_dict() == {"a": 1.0, "b": 0.0}


def test_bad_k_and_missing_columns_are_refused():
    with pytest.raises(ValueError, match="k must be >= 1"):
        segment_recall_at_k(_segments({"a": ["u1"]}), _truth({"a": ["u1"]}), k=0)
    with pytest.raises(ValueError, match="truth needs columns"):
        segment_recall_at_k(_segments({"a": ["u1"]}), pd.DataFrame({USER_ID: ["u1"]}), k=1)


def test_segment_size_is_one_percent_rounded_up_and_at_least_one():
    assert segment_size(3000) == 30
    assert segment_size(3001) == 31
    assert segment_size(20) == 1
    assert segment_size(1000, share=0.05) == 50
    with pytest.raises(ValueError):
        segment_size(100, share=0)


@settings(max_examples=60, deadline=None)
@given(order=st.permutations([f"u{i}" for i in range(12)]), truth=st.sets(st.sampled_from([f"u{i}" for i in range(15)]),
       min_size=1), k=st.integers(1, 14))
def test_properties(order, truth, k):
    segments, true = _segments({"q": list(order)}), _truth({"q": sorted(truth)})
    recall = segment_recall_at_k(segments, true, k)["q"]
    precision = segment_precision_at_k(segments, true, k)["q"]
    # a plain-Python count of the first k users who are in the truth, independent of the frame code
    found = sum(1 for user in list(order)[:k] if user in truth)
    assert recall == pytest.approx(found / len(truth))
    assert precision == pytest.approx(found / k)
    assert recall <= segment_recall_at_k(segments, true, k + 1)["q"]  # a longer segment never reaches fewer
