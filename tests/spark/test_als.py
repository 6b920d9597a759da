"""SparkALS: the Recommender contract, same model from a pandas or a Spark frame, and it learns tastes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.recommenders.contract import CATEGORIES, RecommenderContract, contract_dataset
from tests.spark.conftest import FitOnce
from workbench.constants import EVENT_TYPE, FALLBACK, ITEM_ID, RANK, USER_ID
from workbench.errors import DatasetError
from workbench.recommenders import Popularity
from workbench.spark import SparkALS, to_spark


def small_als() -> SparkALS:
    return SparkALS(factors=8, epochs=5, reg=0.05, alpha=10.0)


class TestSparkALSContract(FitOnce, RecommenderContract):
    def make_model(self):
        return small_als()


@pytest.fixture(scope="module")
def both_fits(spark):
    interactions, items, users = contract_dataset()
    from_pandas = small_als().fit(interactions, items=items, users=users)
    from_spark = small_als().fit(to_spark(spark, interactions), items=items, users=users)
    return interactions, items, from_pandas, from_spark


def test_spark_frame_and_pandas_frame_train_the_same_model(both_fits):
    interactions, _, from_pandas, from_spark = both_fits
    users = sorted(interactions[USER_ID].unique())
    rows_p = from_pandas.user_vocab.to_inner(users)
    rows_s = from_spark.user_vocab.to_inner(users)
    np.testing.assert_allclose(from_spark.user_factors_[rows_s], from_pandas.user_factors_[rows_p], atol=1e-5)
    asked = users[:12] + ["nobody-yet"]
    a = from_pandas.recommend(asked, n=5).sort_values([USER_ID, RANK]).reset_index(drop=True)
    b = from_spark.recommend(asked, n=5).sort_values([USER_ID, RANK]).reset_index(drop=True)
    known = a[USER_ID] != "nobody-yet"
    pd.testing.assert_frame_equal(a[known].reset_index(drop=True), b[known.to_numpy()].reset_index(drop=True),
                                  atol=1e-5)
    assert b.loc[b[USER_ID] == "nobody-yet", FALLBACK].all() and (b[USER_ID] == "nobody-yet").sum() == 5


def test_spark_fitted_model_excludes_seen_items_and_honours_filters(both_fits):
    interactions, _, _, from_spark = both_fits
    users = list(interactions[USER_ID].unique()[:8])
    recs = from_spark.recommend(users, n=5)
    seen = set(zip(interactions[USER_ID], interactions[ITEM_ID]))
    assert len(recs) == 40 and not any(pair in seen for pair in zip(recs[USER_ID], recs[ITEM_ID]))
    kept = from_spark.recommend(users, n=5, exclude_seen=False,
                                filter='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    bought = interactions[interactions[EVENT_TYPE] == "purchase"]
    assert not set(zip(kept[USER_ID], kept[ITEM_ID])) & set(zip(bought[USER_ID], bought[ITEM_ID]))
    boots = from_spark.recommend(users, n=5, filter='INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")')
    assert len(boots) and set(boots[ITEM_ID]) <= {f"item{i:03d}" for i in range(40) if i % 5 == 1}


def test_learns_the_taste_clusters(both_fits):
    interactions, items, from_pandas, _ = both_fits
    category = dict(zip(items[ITEM_ID], items["CATEGORY_L1"]))
    users = sorted(interactions[USER_ID].unique())
    favourite = {u: CATEGORIES[int(u[4:]) % len(CATEGORIES)] for u in users}

    def share(recs):
        return float(np.mean([category[i] == favourite[u] for u, i in zip(recs[USER_ID], recs[ITEM_ID])]))

    # seen items stay in: a user has already met most of the 8 items of their favourite category
    als_share = share(from_pandas.recommend(users, n=5, exclude_seen=False))
    popular_share = share(Popularity().fit(interactions).recommend(users, n=5, exclude_seen=False))
    assert als_share >= 0.6 and als_share > popular_share + 0.2, (als_share, popular_share)


def test_spark_frame_without_item_column_is_refused(spark):
    frame = spark.createDataFrame([("u1", "i1")], ["USER_ID", "PRODUCT"])
    with pytest.raises(DatasetError) as err:
        SparkALS().fit(frame)
    assert err.value.column == ITEM_ID and "withColumnRenamed" in err.value.fix


def test_bad_settings_are_refused(spark):
    interactions = contract_dataset()[0]
    with pytest.raises(ValueError, match="factors"):
        SparkALS(factors=0).fit(interactions)


def test_missing_java_is_reported_with_the_fix(monkeypatch):
    from workbench.spark import JDK_PACKAGE, SparkUnavailable, get_spark, session, spark_status

    monkeypatch.setattr(session, "java_executable", lambda: None)
    ok, message = spark_status()
    assert not ok and "make spark-env" in message and JDK_PACKAGE in message
    with pytest.raises(SparkUnavailable, match="no Java runtime"):
        get_spark()
