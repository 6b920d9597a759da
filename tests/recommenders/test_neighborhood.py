"""Top-N neighbourhood models: contract, hand-worked similarities, blocks vs brute force, memory refusal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_VALUE, ITEM_ID, SCORE, TIMESTAMP, USER_ID
from workbench.recommenders import SAR, ItemNeighborhood, UserNeighborhood
from workbench.recommenders.memory import ModelTooLargeError
from workbench.recommenders.neighborhood import item_similarity

from .contract import RecommenderContract


class TestItemNeighborhoodContract(RecommenderContract):
    def make_model(self):
        return ItemNeighborhood(neighbors=10)


class TestAsymmetricItemNeighborhoodContract(RecommenderContract):
    def make_model(self):
        return ItemNeighborhood(similarity="asymmetric_cosine", alpha=0.8, neighbors=0, block_bytes=4096)


class TestSARContract(RecommenderContract):
    def make_model(self):
        return SAR()


class TestUserNeighborhoodContract(RecommenderContract):
    def make_model(self):
        return UserNeighborhood(neighbors=8)


def frame_from_matrix(matrix: np.ndarray) -> pd.DataFrame:
    users, items = np.nonzero(matrix)
    return pd.DataFrame({USER_ID: [f"u{u}" for u in users], ITEM_ID: [f"i{i}" for i in items]})


# X (users x items):      i0 i1 i2
#                    u0 [  1  1  0 ]
#                    u1 [  1  1  1 ]
#                    u2 [  1  0  1 ]
#                    u3 [  0  0  1 ]
# counts c = (3, 2, 3); co-occurrence C01 = 2, C02 = 2, C12 = 1
HAND = np.array([[1, 1, 0], [1, 1, 1], [1, 0, 1], [0, 0, 1]])


def test_item_similarities_by_hand():
    cooc = np.array([[3, 2, 2], [2, 2, 1], [2, 1, 3]])
    counts = np.array([3, 2, 3])
    cos = item_similarity(cooc, counts, counts, "cosine")
    assert cos[0, 1] == pytest.approx(2 / np.sqrt(6))
    assert item_similarity(cooc, counts, counts, "cosine", shrinkage=1.0)[0, 1] == pytest.approx(2 / (np.sqrt(6) + 1))
    asym = item_similarity(cooc, counts, counts, "asymmetric_cosine", alpha=1.0)
    assert asym[0, 1] == pytest.approx(2 / 3)  # P(i1 | i0): 2 of i0's 3 users also have i1
    assert asym[1, 0] == pytest.approx(2 / 2)  # P(i0 | i1)
    assert item_similarity(cooc, counts, counts, "jaccard")[1, 2] == pytest.approx(1 / (2 + 3 - 1))
    assert item_similarity(cooc, counts, counts, "lift")[0, 2] == pytest.approx(2 / 9)
    assert item_similarity(cooc, counts, counts, "cooccurrence")[0, 2] == 2
    zero = item_similarity(np.zeros((2, 2)), np.zeros(2), np.zeros(2), "cosine")
    np.testing.assert_array_equal(zero, 0.0)  # items nobody used: 0, not NaN
    with pytest.raises(ValueError, match="unknown item similarity"):
        item_similarity(cooc, counts, counts, "pearson")


def test_item_item_scores_by_hand():
    model = ItemNeighborhood(shrinkage=0.0, neighbors=0).fit(frame_from_matrix(HAND))
    i0, i1, i2 = model.item_vocab.to_inner(["i0", "i1", "i2"])
    assert model.similarity_[i0, i1] == pytest.approx(2 / np.sqrt(6))
    assert model.similarity_[i1, i2] == pytest.approx(1 / np.sqrt(6))
    assert model.similarity_[i0, i0] == 0.0
    # u3 has only i2: score(i0) = sim(i2, i0) = 2/3, score(i1) = sim(i2, i1) = 1/sqrt(6)
    recs = model.recommend(["u3"], n=2)
    assert recs[ITEM_ID].tolist() == ["i0", "i1"]
    assert recs[SCORE].tolist() == pytest.approx([2 / 3, 1 / np.sqrt(6)], rel=1e-6)
    assert "Because you interacted with i2" in model.explain("u3", "i0")


def test_one_neighbour_keeps_only_the_most_similar_history_item():
    model = ItemNeighborhood(shrinkage=0.0, neighbors=1).fit(frame_from_matrix(HAND))
    i0, i1, i2 = model.item_vocab.to_inner(["i0", "i1", "i2"])
    column = model.similarity_[:, [i1]].toarray().ravel()
    # i1's neighbours: i0 (2/sqrt(6)) beats i2 (1/sqrt(6)); only i0 survives
    assert column[i0] == pytest.approx(2 / np.sqrt(6))
    assert column[i2] == 0.0
    assert (model.similarity_.getnnz(axis=0) <= 1).all()


def test_user_user_scores_by_hand():
    model = UserNeighborhood(shrinkage=0.0, neighbors=1).fit(frame_from_matrix(HAND))
    # u3 = {i2}: cosine with u1 = 1/sqrt(3), with u2 = 1/sqrt(2) -> nearest is u2, who adds i0
    recs = model.recommend(["u3"], n=1)
    assert recs[ITEM_ID].tolist() == ["i0"]
    assert recs[SCORE].item() == pytest.approx(1 / np.sqrt(2), rel=1e-6)
    near = model.neighbours(model.user_vocab.to_inner(["u3"]))
    assert near.nnz == 1 and model.user_vocab.ids[near.indices[0]] == "u2"
    assert "1 of your 1 most similar users" in model.explain("u3", "i0")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(0, 6), similarity=st.sampled_from(
    ["cosine", "asymmetric_cosine", "jaccard", "lift", "cooccurrence"]))
def test_blocks_match_a_dense_brute_force(seed, k, similarity):
    rng = np.random.default_rng(seed)
    x = (rng.random((15, 9)) < 0.35).astype(float)
    x[0, :] = 1  # every item used at least once
    frame = frame_from_matrix(x)
    tiny = ItemNeighborhood(similarity=similarity, alpha=0.7, neighbors=k, block_bytes=1).fit(frame)
    order = tiny.item_vocab.to_inner([f"i{i}" for i in range(9)])
    got = tiny.similarity_.toarray()[np.ix_(order, order)]
    counts = x.sum(axis=0)
    dense = item_similarity(x.T @ x, counts, counts, similarity, 10.0, 0.7)
    np.fill_diagonal(dense, 0.0)
    kk = 8 if k == 0 else min(k, 8)
    for j in range(9):  # each column keeps kk of its largest values (ties may pick either)
        kept = got[:, j]
        assert np.count_nonzero(kept) <= kk
        if kk:
            threshold = np.sort(dense[:, j])[::-1][kk - 1]
            assert (kept[kept > 0] >= threshold - 1e-12).all()
            assert np.allclose(kept[kept > 0], dense[kept > 0, j])
            assert np.count_nonzero(kept) == min(kk, np.count_nonzero(dense[:, j] > 0))
    one_block = ItemNeighborhood(similarity=similarity, alpha=0.7, neighbors=k).fit(frame)
    np.testing.assert_array_equal(one_block.similarity_.toarray(), tiny.similarity_.toarray())


def test_item_item_refuses_cleanly_when_the_neighbour_matrix_does_not_fit():
    frame = frame_from_matrix(HAND)
    with pytest.raises(ModelTooLargeError) as info:
        ItemNeighborhood(neighbors=0, max_bytes=100).fit(frame)
    message = str(info.value)
    assert "3 items x 2 neighbours" in message
    assert f"{ItemNeighborhood().estimated_bytes(3):,} bytes" in message
    assert "limit of 100 bytes" in message and "lower neighbors" in message
    assert isinstance(info.value, MemoryError)
    assert info.value.needed_bytes > info.value.limit_bytes == 100
    # the estimate grows with items x neighbours, never with items squared when neighbors is set
    model = ItemNeighborhood(neighbors=200)
    assert model.estimated_bytes(92_000) == 92_000 * 200 * 28
    assert ItemNeighborhood(neighbors=0).estimated_bytes(92_000) == 92_000 * 91_999 * 28


def test_sar_weights_recent_and_high_ratings_more():
    day = 86_400
    frame = pd.DataFrame({
        USER_ID: ["a", "a", "b", "b", "c", "c", "d"],
        ITEM_ID: ["old", "new", "old", "x", "new", "y", "z"],
        TIMESTAMP: [0, 60 * day, 0, 0, 60 * day, 60 * day, 60 * day],
        EVENT_VALUE: [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 1.0],
    })
    model = SAR().fit(frame)
    a = model.user_vocab.to_inner(["a"])[0]
    old, new = model.item_vocab.to_inner(["old", "new"])
    assert model.affinity_[a, new] == pytest.approx(5.0)
    assert model.affinity_[a, old] == pytest.approx(5.0 * 2 ** -2)  # 60 days = two 30-day half-lives
    recs = model.recommend(["a"], n=2)
    assert recs[ITEM_ID].tolist() == ["y", "x"]  # y co-occurs with the recent item, x with the old one


def test_bad_settings_are_rejected():
    frame = frame_from_matrix(HAND)
    with pytest.raises(ValueError, match="unknown similarity"):
        ItemNeighborhood(similarity="pearson").fit(frame)
    with pytest.raises(ValueError, match="unknown similarity"):
        UserNeighborhood(similarity="lift").fit(frame)
    with pytest.raises(ValueError, match="affinity"):
        ItemNeighborhood(affinity="ratings").fit(frame)
    with pytest.raises(ValueError, match="neighbors"):
        UserNeighborhood(neighbors=-1).fit(frame)
    with pytest.raises(ValueError, match="time_decay_days"):
        SAR(time_decay_days=0).fit(frame)


def test_neighbourhood_models_rank_the_taste_cluster():
    from .contract import contract_dataset

    interactions, items, _ = contract_dataset(n_users=100, n_items=40, seed=3)
    category = items.set_index(ITEM_ID)["CATEGORY_L1"]
    for model in (ItemNeighborhood(neighbors=10), UserNeighborhood(neighbors=10)):
        model.fit(interactions, items=items)
        recs = model.recommend(model.user_vocab.ids, n=3)
        favourite = {u: interactions.loc[interactions[USER_ID] == u, ITEM_ID].map(category).mode()[0]
                     for u in model.user_vocab.ids}
        share = np.mean([category[i] == favourite[u] for u, i in zip(recs[USER_ID], recs[ITEM_ID])])
        assert share > 0.6, model.name  # 1 in 5 would be chance
