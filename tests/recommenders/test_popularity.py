from __future__ import annotations

import pandas as pd

from workbench.recommenders import Popularity

from .contract import RecommenderContract


class TestPopularityContract(RecommenderContract):
    def make_model(self):
        return Popularity()


def test_popularity_counts_distinct_users(tiny_interactions):
    # i1: u1,u2,u4,u6 -> 4 users; i2: u1,u2,u3,u5 -> 4; i3, i5, i6, i7: 2; i4, i8: 1
    model = Popularity(n=3).fit(tiny_interactions)
    recs = model.recommend(["new-user"])
    assert recs["ITEM_ID"].tolist()[:2] == ["i1", "i2"]
    assert recs["SCORE"].tolist()[:2] == [4.0, 4.0]
    assert recs["FALLBACK"].all()


def test_popularity_excludes_seen(tiny_interactions):
    model = Popularity(n=2).fit(tiny_interactions)
    recs = model.recommend(["u1"])
    assert not set(recs["ITEM_ID"]) & {"i1", "i2", "i3"}
    assert isinstance(recs, pd.DataFrame)
