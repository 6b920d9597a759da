from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, FALLBACK, ITEM_ID, SCORE, TIMESTAMP, USER_ID
from workbench.errors import DatasetError
from workbench.recommenders.demographic import (
    DemographicPopularity,
    SegmentPopularity,
    cluster_customers,
    label_segments,
    rfm_features,
)

from .contract import RecommenderContract

T0 = 1_700_000_000
DAY = 86_400


class TestDemographicPopularityContract(RecommenderContract):
    def make_model(self):
        return DemographicPopularity()


class TestSegmentPopularityContract(RecommenderContract):
    def make_model(self):
        return SegmentPopularity()


class TestSegmentPopularityClustersContract(RecommenderContract):
    def make_model(self):
        return SegmentPopularity(segment_column="NO_SUCH_COLUMN", n_clusters=3)


def small_shop():
    interactions = pd.DataFrame(
        [("u1", "a"), ("u1", "b"), ("u2", "a"), ("u3", "c"), ("u4", "c"), ("u4", "b")], columns=[USER_ID, ITEM_ID]
    )
    interactions[TIMESTAMP] = T0 + np.arange(len(interactions))
    users = pd.DataFrame({
        USER_ID: ["u1", "u2", "u3", "u4", "u9"],
        "AGE_BAND": ["18-24", "18-24", "50+", "50+", "18-24"],
        "GENDER": ["F", "F", "M", "M", "F"],
        "SEGMENT": ["VIP", "VIP", "normal", "normal", "VIP"],
    })
    return interactions, users


def test_group_scores_by_hand():
    # 4 customers; a, b, c each reached by 2 of them -> share 0.5 ; k = 2
    # group (18-24, F) = u1, u2: a 2 of 2 -> (2 + 2*0.5) / (2 + 2) = 0.75 ; b 1 -> 0.5 ; c 0 -> 0.25
    interactions, users = small_shop()
    model = DemographicPopularity(prior_strength=2.0).fit(interactions, users=users)
    newcomer = model.recommend("u9")  # in the Users frame, no interactions yet
    assert newcomer[ITEM_ID].tolist() == ["a", "b", "c"]
    assert newcomer[SCORE].tolist() == pytest.approx([0.75, 0.5, 0.25])
    assert not newcomer[FALLBACK].any()
    other = model.recommend("u3", exclude_seen=False)
    assert other[ITEM_ID].tolist() == ["c", "b", "a"]
    stranger = model.recommend("stranger")
    assert stranger[SCORE].tolist() == pytest.approx([0.5, 0.5, 0.5]) and stranger[FALLBACK].all()
    assert model.explain("u9", "a") == (
        "Popular in your demographic group (AGE_BAND=18-24, GENDER=F): 2 of 2 customers in it interacted with this item."
    )


def test_large_prior_strength_tends_to_shop_popularity():
    interactions, users = small_shop()
    model = DemographicPopularity(prior_strength=1e9).fit(interactions, users=users)
    assert model.recommend("u9")[SCORE].to_numpy() == pytest.approx([0.5, 0.5, 0.5])


def test_missing_attribute_value_means_shop_wide_list():
    interactions, users = small_shop()
    users.loc[0, "GENDER"] = None
    model = DemographicPopularity(prior_strength=2.0).fit(interactions, users=users)
    assert model.group_of("u1") is None
    assert model.recommend("u1", exclude_seen=False)[SCORE].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_demographic_errors_are_clear():
    interactions, users = small_shop()
    with pytest.raises(DatasetError, match="Users frame"):
        DemographicPopularity().fit(interactions)
    with pytest.raises(DatasetError, match="column INCOME"):
        DemographicPopularity(attributes=("INCOME",)).fit(interactions, users=users)
    with pytest.raises(DatasetError, match="row 6"):
        DemographicPopularity().fit(interactions, users=pd.concat([users, users.iloc[[0]]], ignore_index=True))


def test_segment_popularity_explains_segment():
    interactions, users = small_shop()
    model = SegmentPopularity(prior_strength=2.0).fit(interactions, users=users)
    assert model.segments_source_ == "users"
    assert model.explain("u9", "a").startswith("Popular in your segment (VIP)")
    assert model.recommend("u9")[ITEM_ID].iloc[0] == "a"


def test_rfm_features_by_hand():
    log = pd.DataFrame(
        [("u1", "a", T0, "view"), ("u1", "a", T0 + DAY, "purchase"), ("u1", "b", T0 + 2 * DAY, "purchase"),
         ("u2", "b", T0 + 4 * DAY, "view")],
        columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE],
    )
    items = pd.DataFrame({ITEM_ID: ["a", "b"], "PRICE": [10.0, 25.0]})
    rfm = rfm_features(log, items=items).set_index(USER_ID)
    assert rfm.loc["u1"].tolist() == [2.0, 3.0, 35.0]  # last event 2 days before the newest; 3 events; 10 + 25
    assert rfm.loc["u2"].tolist() == [0.0, 1.0, 0.0]
    assert rfm_features(log).set_index(USER_ID).loc["u1", "MONETARY"] == 2.0  # no prices: count purchases


def test_label_segments_rule():
    summary = pd.DataFrame({"RECENCY_DAYS": [1, 30, 2, 5], "FREQUENCY": [20, 1, 60, 8], "MONETARY": [900, 0, 50, 40]})
    assert label_segments(summary) == {0: "VIP", 1: "one-off", 2: "heavy", 3: "normal"}
    assert label_segments(summary.iloc[[1, 2]]) == {2: "VIP", 1: "one-off"}
    no_money = summary.assign(MONETARY=0.0)
    assert label_segments(no_money) == {1: "one-off", 2: "heavy", 0: "normal", 3: "normal"}


def synthetic_customers(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three obvious groups: VIPs buy expensive items, heavy users browse a lot, one-offs came once long ago."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame({ITEM_ID: [f"i{k}" for k in range(10)], "PRICE": [500.0] * 3 + [20.0] * 7})
    now = T0 + 100 * DAY
    rows = []
    for u in range(8):  # VIP
        for j in range(6):
            rows.append((f"vip{u}", f"i{rng.integers(0, 3)}", now - rng.integers(0, 3) * DAY - j, "purchase"))
    for u in range(12):  # heavy browsers
        for j in range(40):
            rows.append((f"heavy{u}", f"i{rng.integers(3, 10)}", now - rng.integers(0, 5) * DAY - j, "view"))
    for u in range(12):  # one visit, long ago
        rows.append((f"once{u}", f"i{rng.integers(3, 10)}", now - rng.integers(60, 90) * DAY, "view"))
    log = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])
    return log, items


def test_cluster_customers_finds_and_names_the_groups():
    log, items = synthetic_customers()
    clusters = cluster_customers(log, n_clusters=3, seed=42, items=items).set_index(USER_ID)
    prefix = clusters.index.str.extract(r"^([a-z]+)", expand=False).to_numpy()
    segment_of = dict(zip(prefix, clusters["SEGMENT"]))
    assert segment_of == {"vip": "VIP", "heavy": "heavy", "once": "one-off"}
    # every customer with the same prefix shares the segment
    assert pd.Series(clusters["SEGMENT"].to_numpy()).groupby(prefix).nunique().eq(1).all()
    again = cluster_customers(log, n_clusters=3, seed=42, items=items).set_index(USER_ID)
    assert (again["SEGMENT"] == clusters["SEGMENT"]).all()


def test_cluster_customers_with_fewer_customers_than_clusters():
    log = pd.DataFrame([("u1", "a", T0), ("u2", "a", T0 + DAY)], columns=[USER_ID, ITEM_ID, TIMESTAMP])
    out = cluster_customers(log, n_clusters=4)
    assert len(out) == 2 and out["CLUSTER"].nunique() == 2


def test_segment_popularity_from_clusters():
    log, items = synthetic_customers()
    model = SegmentPopularity(n_clusters=3).fit(log, items=items)
    assert model.segments_source_ == "clusters"
    assert model.group_of("vip0") == "VIP"
    top = model.recommend("vip0", n=3, exclude_seen=False)[ITEM_ID].tolist()
    assert set(top) == {"i0", "i1", "i2"}  # VIPs buy the expensive items
    assert "segment (VIP)" in model.explain("vip0", "i0")
