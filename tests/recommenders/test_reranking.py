from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import ITEM_ID, RANK, SCORE, USER_ID
from workbench.errors import DatasetError
from workbench.recommenders.reranking import (
    ORIGINAL_RANK,
    category_cap_rerank,
    item_vectors,
    mmr_rerank,
    novelty_rerank,
    relevance,
)


def recs_abc() -> pd.DataFrame:
    return pd.DataFrame({USER_ID: ["u"] * 3, ITEM_ID: ["a", "b", "c"], SCORE: [1.0, 0.9, 0.5], RANK: [1, 2, 3]})


FEATURES = pd.DataFrame({ITEM_ID: ["a", "b", "c"], "CATEGORY_L1": ["x", "x", "y"]})


def test_relevance_min_max_and_rank_based():
    assert relevance(recs_abc()) == pytest.approx([1.0, 0.8, 0.0])
    no_score = recs_abc().drop(columns=[SCORE])
    assert relevance(no_score) == pytest.approx([1.0, 2 / 3, 1 / 3])


def test_mmr_by_hand():
    # rel a 1, b 0.8, c 0 ; cos(a, b) = 1, cos(a, c) = 0. lambda 0.5:
    # pick a; then b: 0.5*0.8 - 0.5*1 = -0.1, c: 0 - 0 = 0 -> c; then b: 0.4 - 0.5 = -0.1
    out = mmr_rerank(recs_abc(), FEATURES, lambda_=0.5)
    assert out[ITEM_ID].tolist() == ["a", "c", "b"]
    assert out[SCORE].tolist() == pytest.approx([0.5, 0.0, -0.1])
    assert out[ORIGINAL_RANK].tolist() == [1, 3, 2]
    assert out[RANK].tolist() == [1, 2, 3]


def test_mmr_lambda_one_keeps_order_and_n_truncates():
    out = mmr_rerank(recs_abc(), FEATURES, lambda_=1.0, n=2)
    assert out[ITEM_ID].tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="lambda_"):
        mmr_rerank(recs_abc(), FEATURES, lambda_=1.5)


def test_item_vectors_mix_numeric_and_multi_value_categories():
    feats = pd.DataFrame({ITEM_ID: ["p", "q"], "GENRES": ["Action|Crime", "Crime"], "LEN": [0.0, 0.0]})
    vec = item_vectors(feats)
    assert list(vec.columns) == ["GENRES=Action", "GENRES=Crime", "LEN"]
    assert float(vec.loc["p"] @ vec.loc["q"]) == pytest.approx(1 / np.sqrt(2))


def test_novelty_by_hand():
    # counts a 100, b 10, c 0 -> novelty 0, 1 - log2(11)/log2(101), 1 ; weight 0.5
    popularity = pd.Series({"a": 100, "b": 10, "c": 0})
    out = novelty_rerank(recs_abc(), popularity, weight=0.5)
    nov_b = 1 - np.log2(11) / np.log2(101)
    assert out[ITEM_ID].tolist() == ["b", "a", "c"]  # a and c tie at 0.5: a keeps its better original rank
    assert out[SCORE].tolist() == pytest.approx([0.5 * 0.8 + 0.5 * nov_b, 0.5, 0.5])


def test_novelty_from_interactions_and_zero_weight():
    interactions = pd.DataFrame({USER_ID: ["1", "2", "3", "1"], ITEM_ID: ["a", "a", "a", "b"]})
    out = novelty_rerank(recs_abc(), interactions, weight=1.0)
    assert out[ITEM_ID].tolist() == ["c", "b", "a"]  # c unseen (novelty 1), b 1 user, a 3 users
    assert novelty_rerank(recs_abc(), interactions, weight=0.0)[ITEM_ID].tolist() == ["a", "b", "c"]


def test_category_cap_moves_extra_items_back():
    recs = pd.DataFrame({USER_ID: ["u"] * 5, ITEM_ID: list("abcde"), SCORE: [5, 4, 3, 2, 1], RANK: [1, 2, 3, 4, 5]})
    items = pd.DataFrame({ITEM_ID: list("abcde"), "CATEGORY_L1": ["x", "x", "x", "y", None]})
    out = category_cap_rerank(recs, items, "CATEGORY_L1", max_per_category=2)
    assert out[ITEM_ID].tolist() == ["a", "b", "d", "e", "c"]
    with pytest.raises(DatasetError, match="column BRAND"):
        category_cap_rerank(recs, items, "BRAND")


def test_missing_columns_are_reported():
    with pytest.raises(DatasetError, match="column RANK"):
        mmr_rerank(recs_abc().drop(columns=[RANK]), FEATURES)


@st.composite
def rec_frames(draw):
    users = draw(st.integers(1, 3))
    rows = []
    for u in range(users):
        k = draw(st.integers(1, 6))
        items = draw(st.lists(st.sampled_from(list("abcdefgh")), min_size=k, max_size=k, unique=True))
        scores = sorted(draw(st.lists(st.floats(0, 10), min_size=k, max_size=k)), reverse=True)
        rows += [(f"u{u}", i, s, r + 1) for r, (i, s) in enumerate(zip(items, scores))]
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, SCORE, RANK])


@given(rec_frames(), st.floats(0, 1))
@settings(max_examples=12, deadline=None)
def test_rerankers_permute_each_list(recs, knob):
    features = pd.DataFrame({ITEM_ID: list("abcdefgh"), "CAT": list("xxyyzzxy")})
    pop = pd.Series(dict(zip("abcdefgh", range(8))))
    for out in (mmr_rerank(recs, features, lambda_=knob), novelty_rerank(recs, pop, weight=knob),
                category_cap_rerank(recs, features, "CAT", 1)):
        for user, group in recs.groupby(USER_ID):
            new = out[out[USER_ID] == user]
            assert sorted(new[ITEM_ID]) == sorted(group[ITEM_ID])
            assert new[RANK].tolist() == list(range(1, len(group) + 1))
