"""SparkFPGrowth: the Recommender contract, and the same rules and lists as the mlxtend-based AssociationRules."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.recommenders.contract import RecommenderContract, contract_dataset
from tests.spark.conftest import FitOnce
from workbench.constants import RANK, USER_ID
from workbench.recommenders import AssociationRules
from workbench.spark import SparkFPGrowth, to_spark

SETTINGS = {"baskets": "sessions", "min_support": 0.05, "min_confidence": 0.1, "max_len": 3}


class TestSparkFPGrowthContract(FitOnce, RecommenderContract):
    def make_model(self):
        return SparkFPGrowth(**SETTINGS)


def rule_table(rules: pd.DataFrame) -> pd.DataFrame:
    single = rules[rules["consequents"].map(len) == 1]
    out = pd.DataFrame({"A": single["antecedents"].map(lambda s: "+".join(sorted(s))),
                        "B": single["consequents"].map(lambda s: next(iter(s))),
                        "support": single["support"], "confidence": single["confidence"], "lift": single["lift"]})
    return out.sort_values(["A", "B"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def fits(spark):
    interactions, items, users = contract_dataset()
    reference = AssociationRules(**SETTINGS).fit(interactions, items=items)
    from_pandas = SparkFPGrowth(**SETTINGS).fit(interactions, items=items)
    from_spark = SparkFPGrowth(**SETTINGS).fit(to_spark(spark, interactions), items=items)
    return interactions, reference, from_pandas, from_spark


def test_same_rules_as_mlxtend(fits):
    _, reference, from_pandas, from_spark = fits
    expected = rule_table(reference.rules_)
    assert len(expected) > 20  # the data has real co-occurrence to mine
    for model in (from_pandas, from_spark):
        pd.testing.assert_frame_equal(rule_table(model.rules_), expected, atol=1e-9)
        for column in ("antecedent support", "consequent support", "leverage"):
            merged = model.rules_[column].sum()
            assert merged == pytest.approx(reference.rules_[reference.rules_["consequents"].map(len) == 1][column].sum())


def test_same_recommendations_as_association_rules(fits):
    interactions, reference, from_pandas, from_spark = fits
    users = sorted(interactions[USER_ID].unique())[:15] + ["nobody-yet"]
    expected = reference.recommend(users, n=5).sort_values([USER_ID, RANK]).reset_index(drop=True)
    got = from_pandas.recommend(users, n=5).sort_values([USER_ID, RANK]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, atol=1e-9)
    # fitted on a Spark frame, item ids are indexed in sorted order, so equal scores may swap places:
    # the scores by rank are the same, and every item listed has that score in the reference model
    got = from_spark.recommend(users, n=5).sort_values([USER_ID, RANK]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.drop(columns="ITEM_ID"), expected.drop(columns="ITEM_ID"), atol=1e-9)
    everything = reference.recommend(users, n=len(reference.item_vocab))
    score = dict(zip(zip(everything[USER_ID], everything["ITEM_ID"]), everything["SCORE"]))
    assert all(abs(score[(u, i)] - s) < 1e-9 for u, i, s in zip(got[USER_ID], got["ITEM_ID"], got["SCORE"]))
    user = users[0]
    item = expected.loc[expected[USER_ID] == user, "ITEM_ID"].iloc[0]
    assert from_spark.explain(user, item) == reference.explain(user, item)


def test_too_many_itemsets_are_refused_before_collecting(spark):
    interactions = contract_dataset()[0]
    with pytest.raises(MemoryError, match="max_itemsets=10"):
        SparkFPGrowth(baskets="sessions", min_support=0.01, max_len=None, max_itemsets=10).fit(
            to_spark(spark, interactions))
