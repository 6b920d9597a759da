"""SVD / SVD++ / NMF through surprise: contract, vectorised scores, ratings, cross-validated RMSE."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, PREDICTION, SCORE, TIMESTAMP, USER_ID
from workbench.recommenders import NMF, SVD, SVDpp
from workbench.recommenders.evaluation_reference import PUBLISHED_RMSE, cross_validate_rmse, global_mean_rmse
from workbench.recommenders.surprise_adapter import IMPOSSIBLE, implicit_to_ratings

from .contract import RecommenderContract, contract_dataset


class TestSVDContract(RecommenderContract):
    def make_model(self):
        return SVD(factors=10)


class TestSVDppContract(RecommenderContract):
    def make_model(self):
        return SVDpp(factors=5, epochs=10)


class TestNMFContract(RecommenderContract):
    def make_model(self):
        return NMF(factors=5, epochs=20)


def write_movielens_file(path, n_users=300, n_items=200, rank=3, density=0.3, seed=3) -> None:
    """A ml-100k style ``u.data`` (tab separated: user item rating timestamp) drawn from a low-rank model."""
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(n_users, rank))
    q = rng.normal(size=(n_items, rank))
    truth = 3.4 + 0.3 * rng.normal(size=(n_users, 1)) + 0.3 * rng.normal(size=(1, n_items)) + p @ q.T / np.sqrt(rank)
    observed = rng.random((n_users, n_items)) < density
    users, items = np.nonzero(observed)
    stars = np.clip(np.rint(truth[users, items] + rng.normal(scale=0.3, size=len(users))), 1, 5).astype(int)
    stamps = 880_000_000 + rng.integers(0, 10_000_000, size=len(users))
    lines = [f"{u + 1}\t{i + 1}\t{r}\t{t}" for u, i, r, t in zip(users, items, stars, stamps)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def movielens_like(tmp_path_factory):
    """The generated ``u.data`` read through the workbench's own MovieLens loader."""
    from workbench.data import load_movielens

    folder = tmp_path_factory.mktemp("ml-100k")
    write_movielens_file(folder / "u.data")
    interactions = load_movielens(folder).interactions
    assert (interactions[EVENT_TYPE] == "rating").all()
    return interactions


# ---------------------------------------------------------- vectorised scores
@pytest.mark.parametrize("model", [SVD(factors=8), SVDpp(factors=4, epochs=5), NMF(factors=4), NMF(biased=True)])
def test_vectorised_scores_equal_surprise_estimates(model):
    interactions, items, _ = contract_dataset(n_users=20, n_items=15)
    model.fit(interactions, items=items)
    users = model.user_vocab.ids
    scores, _ = model._score_raw(users, None)
    for row, user in enumerate(users):
        for col, item in enumerate(model.item_vocab.ids):
            expected = model.algo_.predict(user, item, clip=False).est
            assert scores[row, col] == pytest.approx(expected, abs=1e-9)


def test_svd_score_is_mean_plus_biases_plus_dot_product():
    interactions, _, _ = contract_dataset(n_users=10, n_items=8)
    model = SVD(factors=3, epochs=5).fit(interactions)
    algo, ts = model.algo_, model.trainset_
    u, i = ts.to_inner_uid("user003"), ts.to_inner_iid("item005")
    by_hand = ts.global_mean + algo.bu[u] + algo.bi[i] + float(np.dot(algo.pu[u], algo.qi[i]))
    recs = model.recommend(["user003"], n=8, exclude_seen=False)
    assert recs.set_index(ITEM_ID).loc["item005", SCORE] == pytest.approx(by_hand)


def test_similar_items_are_cosines_of_item_factors():
    interactions, _, _ = contract_dataset()
    model = SVD(factors=6).fit(interactions)
    sims = model.similar_items(["item000"], n=3)
    qi = model.algo_.qi
    a = qi[model.trainset_.to_inner_iid("item000")]
    for item, score in zip(sims[ITEM_ID], sims[SCORE]):
        b = qi[model.trainset_.to_inner_iid(item)]
        assert score == pytest.approx(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    assert "item000" not in set(sims[ITEM_ID])


# ------------------------------------------------------------ ratings / predict
def test_predict_reports_impossible_pairs_and_clips(movielens_like):
    model = SVD(factors=5, epochs=5).fit(movielens_like)
    assert model.feedback_ == "explicit"
    pairs = pd.DataFrame({USER_ID: ["1", "1", "stranger"], ITEM_ID: ["2", "no-such-item", "2"]})
    out = model.predict(pairs)
    assert list(out.columns) == [USER_ID, ITEM_ID, EVENT_VALUE, PREDICTION, IMPOSSIBLE]
    assert out[PREDICTION].between(1, 5).all()
    # SVD is biased: unknown items/users still get mu + the known bias, so surprise does not mark them impossible
    assert not out[IMPOSSIBLE].any()
    unbiased = NMF(factors=3, epochs=10).fit(movielens_like).predict(pairs)
    assert unbiased[IMPOSSIBLE].tolist() == [False, True, True]
    assert unbiased.loc[1, PREDICTION] == pytest.approx(movielens_like[EVENT_VALUE].mean())


def test_implicit_conversion_by_hand():
    events = pd.DataFrame({
        USER_ID: ["u1", "u1", "u1", "u2"], ITEM_ID: ["a", "a", "b", "a"],
        EVENT_TYPE: ["view", "purchase", "click", "view"],
    })
    ratings = implicit_to_ratings(events).set_index([USER_ID, ITEM_ID])
    # confidences: (u1,a) = 1 + 8 = 9 = c_max, (u1,b) = 2, (u2,a) = 1
    assert ratings.loc[("u1", "a"), "CONFIDENCE"] == 9
    assert ratings.loc[("u1", "a"), EVENT_VALUE] == pytest.approx(5.0)
    assert ratings.loc[("u1", "b"), EVENT_VALUE] == pytest.approx(1 + 4 * np.log(3) / np.log(10))
    assert ratings.loc[("u2", "a"), EVENT_VALUE] == pytest.approx(1 + 4 * np.log(2) / np.log(10))
    custom = implicit_to_ratings(events, {"view": 0, "click": 1, "purchase": 3}).set_index([USER_ID, ITEM_ID])
    assert custom.loc[("u2", "a"), EVENT_VALUE] == pytest.approx(1.0)  # zero confidence -> lowest rating
    with pytest.raises(ValueError, match=">= 0"):
        implicit_to_ratings(events, {"view": -1})


def test_explicit_ratings_latest_wins_and_bad_rows_are_named():
    from workbench.errors import DatasetError
    from workbench.recommenders.surprise_adapter import explicit_ratings

    frame = pd.DataFrame({
        USER_ID: ["u1", "u1", "u2", "u2"], ITEM_ID: ["a", "a", "a", "b"], TIMESTAMP: [5, 9, 1, 2],
        EVENT_TYPE: ["rating", "Rating", "view", "rating"], EVENT_VALUE: [2.0, 4.0, None, 3.0],
    })
    ratings = explicit_ratings(frame)
    assert ratings.values.tolist() == [["u2", "b", 3.0], ["u1", "a", 4.0]]  # the view is not a rating
    frame.loc[3, EVENT_VALUE] = None
    with pytest.raises(DatasetError, match="row 4.*EVENT_VALUE"):
        explicit_ratings(frame)


def test_users_without_ratings_get_flagged_fallback(movielens_like):
    extra = pd.DataFrame({USER_ID: ["clicker"], ITEM_ID: ["1"], TIMESTAMP: [1], EVENT_TYPE: ["click"],
                          EVENT_VALUE: [None]})
    with pytest.warns(UserWarning, match="non-rating events"):
        model = SVD(factors=4, epochs=3).fit(pd.concat([movielens_like, extra], ignore_index=True))
    recs = model.recommend(["clicker", "1"], n=3)
    assert recs.loc[recs[USER_ID] == "clicker", "FALLBACK"].all()
    assert not recs.loc[recs[USER_ID] == "1", "FALLBACK"].any()


# ------------------------------------------------------- cross-validated RMSE
def test_svd_beats_the_global_mean_on_low_rank_movielens_data(movielens_like):
    cv = cross_validate_rmse("SVD", movielens_like, folds=3, seed=1, dataset="ml-100k")
    assert cv["fold"].tolist() == ["1", "2", "3", "mean"]
    baseline = global_mean_rmse(movielens_like, folds=3, seed=1)
    svd_rmse = cv.loc[cv["fold"] == "mean", "RMSE"].item()
    assert svd_rmse < 0.9 * baseline
    # the low-rank part is learned too, not only the biases
    assert svd_rmse < cross_validate_rmse("BaselineOnly", movielens_like, folds=3, seed=1)["RMSE"].iloc[-1] - 0.05
    assert cv["published_RMSE"].iloc[-1] == PUBLISHED_RMSE["ml-100k"]["SVD"]
    assert cv["published_RMSE"].iloc[:-1].isna().all()


def test_cross_validation_accepts_workbench_models_and_is_seeded(movielens_like):
    small = movielens_like.iloc[:3000]
    a = cross_validate_rmse(SVD(factors=5, epochs=5), small, folds=2, seed=7)
    b = cross_validate_rmse(SVD(factors=5, epochs=5), small, folds=2, seed=7)
    pd.testing.assert_frame_equal(a, b)
    knn = cross_validate_rmse("KNNWithMeans", small, folds=2, seed=7)
    assert knn["RMSE"].iloc[-1] < 1.5
    with pytest.raises(ValueError, match="unknown surprise algorithm"):
        cross_validate_rmse("DeepFM", movielens_like)
