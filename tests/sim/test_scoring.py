from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import ITEM_ID, RANK, USER_ID
from workbench.sim import list_metrics


def test_hand_worked_list():
    # list [5, 7, 9, 2], truth {7, 2, 8}: hits at ranks 2 and 4
    out = list_metrics(np.array([[5, 7, 9, 2]]), np.array([0, 0, 0]), np.array([7, 2, 8]), k=4)
    dcg = 1 / np.log2(3) + 1 / np.log2(5)
    idcg = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert out["ndcg"][0] == pytest.approx(dcg / idcg)
    assert out["recall"][0] == pytest.approx(2 / 3)
    assert out["precision"][0] == pytest.approx(2 / 4)


def test_empty_truth_is_nan_and_empty_slots_never_hit():
    lists = np.array([[1, -1, 3], [4, 5, 6]])
    out = list_metrics(lists, np.array([0, 0]), np.array([3, 3]), k=3)  # duplicate truth counts once
    assert out["n_truth"].tolist() == [1.0, 0.0]
    assert out["recall"][0] == 1.0 and out["precision"][0] == pytest.approx(1 / 3)
    assert np.isnan(out["ndcg"][1]) and np.isnan(out["recall"][1])


def test_perfect_list_scores_one():
    out = list_metrics(np.array([[3, 1, 2]]), np.zeros(3, dtype=int), np.array([1, 2, 3]), k=3)
    assert out["ndcg"][0] == pytest.approx(1.0) and out["recall"][0] == 1.0


@settings(max_examples=12, deadline=None)
@given(st.data())
def test_agrees_with_workbench_metrics_evaluate(data):
    n_lists = data.draw(st.integers(1, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    lists = np.stack([rng.permutation(15)[:5] for _ in range(n_lists)])
    rows = rng.integers(0, n_lists, 12)
    items = rng.integers(0, 15, 12)
    ours = list_metrics(lists, rows, items, k=5)
    evaluate = pytest.importorskip("workbench.metrics").evaluate
    recs = pd.DataFrame({USER_ID: np.repeat(np.arange(n_lists), 5).astype(str), ITEM_ID: lists.ravel().astype(str),
                         RANK: np.tile(np.arange(1, 6), n_lists)})
    truth = pd.DataFrame({USER_ID: rows.astype(str), ITEM_ID: items.astype(str)}).drop_duplicates()
    result = evaluate(recs, truth, k=5, metrics=["ndcg", "recall", "precision"]).per_user.set_index(USER_ID)
    for row in range(n_lists):
        key = str(row)
        if key not in result.index:
            assert np.isnan(ours["ndcg"][row])
            continue
        assert ours["ndcg"][row] == pytest.approx(result.loc[key, "NDCG@5"])
        assert ours["recall"][row] == pytest.approx(result.loc[key, "Recall@5"])
        assert ours["precision"][row] == pytest.approx(result.loc[key, "Precision@5"])
