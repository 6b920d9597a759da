"""Beyond-accuracy metrics, freshness and rating errors, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DatasetError
from workbench.metrics import (
    average_popularity,
    catalog_coverage,
    catalog_items,
    exposure_fairness,
    freshness,
    freshness_median,
    freshness_p90,
    freshness_summary,
    gini_coefficient,
    gini_exposure,
    intra_list_diversity,
    item_feature_matrix,
    mae,
    novelty,
    rmse,
    serendipity,
)

from .helpers import lists, truth_of

# 4 users; item a is known by all 4, b by 2, c by 1, d by nobody (only in the items dataset)
INTERACTIONS = pd.DataFrame(
    {
        "USER_ID": ["u1", "u1", "u2", "u2", "u3", "u4", "u4"],
        "ITEM_ID": ["a", "b", "a", "b", "a", "a", "c"],
    }
)
ITEMS = pd.DataFrame({"ITEM_ID": ["a", "b", "c", "d"], "GENRES": ["Action|Crime", "Action", "Drama", "Drama"]})


def test_catalog_coverage_follows_personalize_definition():
    catalog = catalog_items(INTERACTIONS, ITEMS)
    assert sorted(catalog) == ["a", "b", "c", "d"]
    recs = lists({"u1": ["a", "c"], "u2": ["a"]})
    assert catalog_coverage(recs, catalog) == pytest.approx(2 / 4)
    assert catalog_coverage(recs, ITEMS) == pytest.approx(2 / 4)  # a frame with ITEM_ID works too
    with pytest.warns(UserWarning, match="1 recommended item ids are not in the catalog"):
        assert catalog_coverage(lists({"u1": ["a", "zz"]}), catalog) == pytest.approx(1 / 4)
    with pytest.raises(ValueError, match="catalog is empty"):
        catalog_coverage(recs, [])


def test_novelty_is_mean_self_information():
    recs = lists({"u1": ["a", "b"], "u2": ["c"]})
    # p(a) = 4/4, p(b) = 2/4, p(c) = 1/4
    assert novelty(recs, INTERACTIONS) == pytest.approx((0 + 1 + 2) / 3)
    per_user = novelty(recs, INTERACTIONS, per_user=True)
    assert per_user["u1"] == pytest.approx(0.5) and per_user["u2"] == pytest.approx(2.0)
    # an unseen item counts as known by one user: -log2(1/4) = 2 bits, not infinity
    assert novelty(lists({"u1": ["d"]}), INTERACTIONS) == pytest.approx(2.0)


def test_average_popularity_counts_distinct_users():
    twice = pd.concat([INTERACTIONS, INTERACTIONS.iloc[[0]]])  # u1 views a again: still 4 users know a
    recs = lists({"u1": ["a", "d"]})
    assert average_popularity(recs, twice) == pytest.approx((4 + 0) / 2)
    assert average_popularity(recs, twice, normalize=True) == pytest.approx((1 + 0) / 2)


def test_gini_by_hand_and_bounds():
    assert gini_coefficient([1, 1, 1, 1]) == pytest.approx(0.0)
    assert gini_coefficient([0, 0, 0, 4]) == pytest.approx(3 / 4)  # (n - 1) / n
    assert gini_coefficient([1, 3]) == pytest.approx((-1 * 1 + 1 * 3) / (2 * 4))
    assert math.isnan(gini_coefficient([0, 0]))
    with pytest.raises(ValueError):
        gini_coefficient([-1, 2])
    recs = lists({"u1": ["a"], "u2": ["a"], "u3": ["a"]})
    assert gini_exposure(recs, ["a", "b", "c"]) == pytest.approx(2 / 3)  # one item takes every slot


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_gini_lies_in_unit_interval_and_ignores_order(values):
    g = gini_coefficient(values)
    if sum(values) == 0:
        assert math.isnan(g)
    else:
        assert 0 <= g <= 1 - 1 / len(values) + 1e-12
        assert g == pytest.approx(gini_coefficient(list(reversed(values))))


def test_intra_list_diversity_from_genres():
    features = item_feature_matrix(ITEMS)
    assert sorted(features.columns) == ["GENRES=Action", "GENRES=Crime", "GENRES=Drama"]
    recs = lists({"same": ["c", "d"], "apart": ["b", "c"], "mixed": ["a", "b", "c"], "single": ["a"]})
    ild = intra_list_diversity(recs, ITEMS, per_user=True)
    assert ild["same"] == pytest.approx(0.0)  # both Drama
    assert ild["apart"] == pytest.approx(1.0)  # Action vs Drama
    # a=(1,1,0)/sqrt2, b=(1,0,0), c=(0,0,1): cos(a,b)=1/sqrt2, cos(a,c)=0, cos(b,c)=0
    assert ild["mixed"] == pytest.approx(1 - (1 / math.sqrt(2)) / 3)
    assert math.isnan(ild["single"])
    assert intra_list_diversity(recs, ITEMS) == pytest.approx(np.nanmean([0.0, 1.0, 1 - (1 / math.sqrt(2)) / 3]))
    with pytest.raises(DatasetError, match="'zz' has no row in item_features"):
        intra_list_diversity(lists({"u": ["a", "zz"]}), ITEMS)


def test_serendipity_relevant_and_unexpected():
    truth = truth_of({"u1": ["a", "c"], "u2": ["b"]})
    recs = lists({"u1": ["a", "c"], "u2": ["b", "d"]})
    # default baseline: the k=1 most popular item (a) is expected for everyone
    per_user = serendipity(recs, truth, INTERACTIONS, k=1, per_user=True)
    assert per_user["u1"] == 0.0  # a is relevant but expected
    assert per_user["u2"] == 1.0  # b is relevant and not the most popular
    two = serendipity(recs, truth, INTERACTIONS, k=2, per_user=True)  # expected = {a, b}
    assert two["u1"] == pytest.approx(1 / 2) and two["u2"] == 0.0
    baseline = lists({"u1": ["c"], "u2": ["d"]})
    explicit = serendipity(recs, truth, baseline=baseline, k=2, per_user=True)
    assert explicit["u1"] == pytest.approx(1 / 2) and explicit["u2"] == pytest.approx(1 / 2)
    with pytest.raises(ValueError, match="needs `interactions`"):
        serendipity(recs, truth)


def test_exposure_fairness_shares_with_position_weights():
    groups = pd.Series({"a": "head", "b": "head", "c": "tail", "d": "tail"})
    recs = lists({"u1": ["a", "c"], "u2": ["b", "a"]})
    table = exposure_fairness(recs, groups, position_weights="uniform").set_index("group")
    assert table.loc["head", "exposure_share"] == pytest.approx(3 / 4)
    assert table.loc["tail", "ratio"] == pytest.approx((1 / 4) / (2 / 4))
    logged = exposure_fairness(recs, groups).set_index("group")
    w2 = 1 / math.log2(3)
    assert logged.loc["tail", "exposure_share"] == pytest.approx(w2 / (2 + 2 * w2))
    frame = ITEMS.assign(TIER=["head", "head", "tail", "tail"])
    same = exposure_fairness(recs, frame, group_column="TIER").set_index("group")
    pd.testing.assert_frame_equal(same, logged)
    unknown = exposure_fairness(lists({"u": ["zz"]}), groups).set_index("group")
    assert unknown.loc["(no group)", "exposure_share"] == 1.0 and unknown.loc["head", "exposure"] == 0.0


def test_freshness_hours_and_summaries():
    served = np.array([7200.0, 3600.0, 36_000.0])
    newest = np.array([0.0, 3600.0, 0.0])
    ages = freshness(served, newest)
    assert ages.tolist() == [2.0, 0.0, 10.0]
    assert freshness_median(ages) == 2.0
    assert freshness_p90(ages) == pytest.approx(2.0 + 0.8 * (10.0 - 2.0))
    assert freshness(7200, [0, 3600]).tolist() == [2.0, 1.0]
    with_nan = freshness([100.0, 3700.0], [np.nan, 100.0])
    assert math.isnan(with_nan[0]) and freshness_summary(with_nan)["median_hours"] == pytest.approx(1.0)
    assert freshness_summary(with_nan)["n_lists"] == 2
    with pytest.raises(ValueError, match="after served_at"):
        freshness([1_700_000_000], [1_700_000_000_000])  # milliseconds mixed with seconds
    with pytest.raises(ValueError, match="2 values"):
        freshness([1, 2], [0, 0, 0])


def test_rmse_and_mae_by_hand():
    assert rmse([3, 4], [1, 4]) == pytest.approx(math.sqrt(2))
    assert mae([3, 4], [1, 4]) == pytest.approx(1.0)
    assert rmse(pd.Series([2.5]), np.array([2.5])) == 0.0
    with pytest.raises(ValueError, match="2 values"):
        rmse([1, 2], [1])
    with pytest.raises(ValueError, match="empty"):
        mae([], [])
    with pytest.raises(ValueError, match="not a finite number"):
        rmse([1, np.nan], [1, 2])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=1, max_size=20))
def test_mae_never_exceeds_rmse(pairs):
    pred, actual = zip(*pairs)
    assert mae(pred, actual) <= rmse(pred, actual) + 1e-12
