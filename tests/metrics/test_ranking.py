"""Hand-worked ranking-metric examples, conventions and input errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DatasetError
from workbench.metrics import (
    Convention,
    evaluate,
    f1_at_k,
    hit_rate_at_k,
    map_at_k,
    mrr_at_k,
    ndcg_at_k,
    personalize_report,
    precision_at_k,
    recall_at_k,
)

from .helpers import lists, truth_of

# Fact sheet 5.2: relevant items at positions 2 and 5 of a 5-item list.
FACT_RECS = lists({"u": ["a", "b", "c", "d", "e"]})
FACT_TRUTH = truth_of({"u": ["b", "e"]})


def test_fact_sheet_worked_example_ndcg_rr_precision():
    assert ndcg_at_k(FACT_RECS, FACT_TRUTH, k=5)["u"] == pytest.approx(0.6241, abs=5e-5)
    expected = (1 / math.log(3) + 1 / math.log(6)) / (1 / math.log(2) + 1 / math.log(3))
    assert ndcg_at_k(FACT_RECS, FACT_TRUTH, k=5)["u"] == pytest.approx(expected, abs=1e-12)
    assert mrr_at_k(FACT_RECS, FACT_TRUTH, k=5)["u"] == pytest.approx(0.5)
    assert precision_at_k(FACT_RECS, FACT_TRUTH, k=5)["u"] == pytest.approx(0.4)


def test_fact_sheet_example_under_lenskit_discount():
    # docs/metric_crosswalk.md: positions 1 and 2 weigh the same -> (1 + 1/log2 5) / 2
    value = ndcg_at_k(FACT_RECS, FACT_TRUTH, k=5, convention="lenskit")["u"]
    assert value == pytest.approx((1 + 1 / math.log2(5)) / 2)
    assert round(value, 4) == 0.7153


def test_fact_sheet_mrr_example_three_users():
    # first clicked ranks 4, 2 and 6 (later clicks at 10 and 12 do not count)
    recs = lists({
        "u1": [f"x{i}" for i in range(1, 26)],
        "u2": [f"y{i}" for i in range(1, 26)],
        "u3": [f"z{i}" for i in range(1, 26)],
    })
    truth = truth_of({"u1": ["x4", "x10"], "u2": ["y2", "y4", "y12"], "u3": ["z6"]})
    result = evaluate(recs, truth, k=25, metrics=["mrr"])
    assert result.summary["MRR@25"] == pytest.approx((1 / 4 + 1 / 2 + 1 / 6) / 3)
    assert round(result.summary["MRR@25"], 4) == 0.3056


def test_all_metrics_by_hand_for_one_user():
    # hits at 2 and 5, |rel| = 3 (one relevant item never recommended), k = 5
    recs = lists({"u": ["a", "b", "c", "d", "e"]})
    truth = truth_of({"u": ["b", "e", "zz"]})
    s = evaluate(recs, truth, k=5).summary
    p, r = 2 / 5, 2 / 3
    assert s["Precision@5"] == pytest.approx(p)
    assert s["Recall@5"] == pytest.approx(r)
    assert s["F1@5"] == pytest.approx(2 * p * r / (p + r))
    assert s["HitRate@5"] == 1.0
    assert s["MRR@5"] == pytest.approx(0.5)
    assert s["MAP@5"] == pytest.approx((1 / 2 + 2 / 5) / 3)
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert s["NDCG@5"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(6)) / ideal)


def test_cutoff_ignores_items_ranked_below_k():
    recs = lists({"u": ["a", "b", "c", "d"]})
    truth = truth_of({"u": ["d"]})
    s = evaluate(recs, truth, k=3).summary
    assert s["HitRate@3"] == 0.0 and s["NDCG@3"] == 0.0 and s["Recall@3"] == 0.0


def test_several_cutoffs_in_one_call_match_single_calls():
    recs = lists({"u": list("abcdefghij"), "v": list("klmnopqrst")})
    truth = truth_of({"u": ["c", "h", "zz"], "v": ["k", "t"]})
    both = evaluate(recs, truth, k=[5, 10])
    for k in (5, 10):
        single = evaluate(recs, truth, k=k)
        for label, value in single.summary.items():
            assert both.summary[label] == pytest.approx(value)


def test_no_hit_scores_zero_and_truth_duplicates_count_once():
    recs = lists({"u": ["a", "b"]})
    truth = truth_of({"u": ["c", "c", "d"]})  # c viewed twice: still one relevant item
    s = evaluate(recs, truth, k=2).summary
    assert (s == 0).all()
    hit = evaluate(lists({"u": ["c", "x"]}), truth, k=2).summary
    assert hit["Recall@2"] == pytest.approx(1 / 2)  # |rel| = 2, not 3


def test_per_user_table_shape_and_labels():
    recs = lists({"u": ["a"], "v": ["b"]})
    truth = truth_of({"u": ["a"], "v": ["c"]})
    result = evaluate(recs, truth, k=10, metrics=["ndcg", "Precision@10"])
    assert list(result.per_user.columns) == ["USER_ID", "NDCG@10", "Precision@10"]
    assert result.per_user.set_index("USER_ID")["NDCG@10"].to_dict() == {"u": 1.0, "v": 0.0}
    assert result.n_users == 2


def test_convention_differences_by_hand():
    # list of 3 items, k = 5, hit at position 2, |rel| = 2
    recs = lists({"u": ["x", "y", "z"]})
    truth = truth_of({"u": ["y", "q"]})
    pz = evaluate(recs, truth, k=5, convention="personalize").summary
    lk = evaluate(recs, truth, k=5, convention="lenskit").summary
    assert pz["Precision@5"] == pytest.approx(1 / 5)
    assert lk["Precision@5"] == pytest.approx(1 / 3)  # divides by list length
    assert pz["NDCG@5"] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert lk["NDCG@5"] == pytest.approx(1 / 2)  # positions 1 and 2 both weigh 1
    assert pz["MAP@5"] == pytest.approx(0.5 / 2) and lk["MAP@5"] == pytest.approx(0.5 / 2)
    hits_norm = Convention(map_denominator="hits")
    assert evaluate(recs, truth, k=5, convention=hits_norm).summary["MAP@5"] == pytest.approx(0.5)
    many = truth_of({"u": ["y"] + [f"q{i}" for i in range(6)]})  # |rel| = 7 > k
    assert evaluate(recs, many, k=5).summary["Recall@5"] == pytest.approx(1 / 7)
    assert evaluate(recs, many, k=5, convention="lenskit").summary["Recall@5"] == pytest.approx(1 / 5)
    as_map_all = Convention(map_denominator="n_relevant")
    assert evaluate(recs, many, k=5, convention=as_map_all).summary["MAP@5"] == pytest.approx(0.5 / 7)
    assert evaluate(recs, many, k=5).summary["MAP@5"] == pytest.approx(0.5 / 5)


def test_user_population_per_convention():
    recs = lists({"a": ["x", "y"], "b": ["x"]})  # b has no truth
    truth = truth_of({"a": ["y"], "c": ["x"]})  # c has no list
    pz = evaluate(recs, truth, k=2, convention="personalize").per_user.set_index("USER_ID")
    rc = evaluate(recs, truth, k=2, convention="recommenders").per_user.set_index("USER_ID")
    lk = evaluate(recs, truth, k=2, convention="lenskit").per_user.set_index("USER_ID")
    assert sorted(pz.index) == ["a", "c"] and (pz.loc["c"] == 0).all()
    assert list(rc.index) == ["a"]
    assert sorted(lk.index) == ["a", "b", "c"]
    assert lk.loc["b"].isna().all()
    assert np.isnan(lk.loc["c", "Precision@2"]) and np.isnan(lk.loc["c", "MAP@2"])
    assert lk.loc["c", "Recall@2"] == 0 and lk.loc["c", "NDCG@2"] == 0
    zero = Convention(missing_truth="zero")
    z = evaluate(recs, truth, k=2, convention=zero).per_user.set_index("USER_ID")
    assert (z.loc["b"] == 0).all()
    # the summary skips NaN users
    assert lk["NDCG@2"].mean() == pytest.approx(evaluate(recs, truth, k=2, convention="lenskit").summary["NDCG@2"])


def test_graded_ndcg_uses_largest_gain_and_ideal_order():
    recs = lists({"u": ["x", "y", "z"]})
    truth = pd.DataFrame({"USER_ID": ["u", "u", "u"], "ITEM_ID": ["y", "q", "y"], "EVENT_VALUE": [2.0, 1.0, 3.0]})
    value = ndcg_at_k(recs, truth, k=3, gain="EVENT_VALUE")["u"]
    assert value == pytest.approx((3 / math.log2(3)) / (3 / math.log2(2) + 1 / math.log2(3)))
    binary = ndcg_at_k(recs, truth, k=3)["u"]
    assert binary == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))


def test_integer_ids_match_string_ids():
    recs = pd.DataFrame({"USER_ID": ["1", "1"], "ITEM_ID": ["10", "20"], "RANK": [1, 2]})
    truth = pd.DataFrame({"USER_ID": [1], "ITEM_ID": [20]})
    assert mrr_at_k(recs, truth, k=2)["1"] == pytest.approx(0.5)


def test_rank_derived_from_score_when_missing():
    recs = pd.DataFrame({"USER_ID": ["u", "u", "u"], "ITEM_ID": ["a", "b", "c"], "SCORE": [0.1, 0.9, 0.5]})
    truth = truth_of({"u": ["b"]})
    assert mrr_at_k(recs, truth, k=3)["u"] == 1.0


def test_per_metric_functions_agree_with_evaluate():
    rng = np.random.default_rng(3)
    recs = lists({f"u{i}": list(rng.permutation([f"i{j}" for j in range(12)])[:6]) for i in range(8)})
    truth = truth_of({f"u{i}": list(rng.choice([f"i{j}" for j in range(12)], size=3, replace=False)) for i in range(8)})
    table = evaluate(recs, truth, k=5).per_user.set_index("USER_ID")
    for function, label in [(precision_at_k, "Precision@5"), (recall_at_k, "Recall@5"), (f1_at_k, "F1@5"),
                            (hit_rate_at_k, "HitRate@5"), (mrr_at_k, "MRR@5"), (map_at_k, "MAP@5"),
                            (ndcg_at_k, "NDCG@5")]:
        series = function(recs, truth, k=5)
        assert series.name == label
        pd.testing.assert_series_equal(series, table[label], check_names=False)


def test_personalize_report_names_and_values():
    items = [f"i{j}" for j in range(30)]
    recs = lists({"u": items[:25], "v": items[5:30]})
    truth = truth_of({"u": ["i3", "i20"], "v": ["i0"]})
    report = personalize_report(recs, truth, catalog_item_ids=items + ["never"])
    assert report["coverage"] == pytest.approx(30 / 31)
    assert report["precision_at_5"] == pytest.approx((1 / 5 + 0) / 2)
    assert report["precision_at_25"] == pytest.approx((2 / 25 + 0) / 2)
    assert report["mean_reciprocal_rank_at_25"] == pytest.approx((1 / 4 + 0) / 2)
    assert set(report) == {"coverage", "mean_reciprocal_rank_at_25", "normalized_discounted_cumulative_gain_at_5",
                           "normalized_discounted_cumulative_gain_at_10", "normalized_discounted_cumulative_gain_at_25",
                           "precision_at_5", "precision_at_10", "precision_at_25"}


@pytest.mark.parametrize(
    "recs, message",
    [
        (pd.DataFrame({"USER_ID": ["u", "u"], "ITEM_ID": ["a", "b"], "RANK": [1, 1]}), "two items at RANK 1"),
        (pd.DataFrame({"USER_ID": ["u", "u"], "ITEM_ID": ["a", "a"], "RANK": [1, 2]}), "recommended twice"),
        (pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["a"], "RANK": [0]}), "whole number >= 1"),
        (pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["a"], "RANK": [1.5]}), "whole number >= 1"),
        (pd.DataFrame({"USER_ID": ["u"], "ITEM_ID": ["a"]}), "needs a RANK column"),
        (pd.DataFrame({"USER": ["u"], "ITEM_ID": ["a"], "RANK": [1]}), "no column USER_ID"),
    ],
)
def test_bad_recommendations_raise_clear_errors(recs, message):
    with pytest.raises(DatasetError, match=message) as info:
        evaluate(recs, truth_of({"u": ["a"]}))
    assert "recommendations" in str(info.value) and "How to fix" in str(info.value)


def test_error_names_the_row():
    recs = pd.DataFrame({"USER_ID": ["u", "u", "u"], "ITEM_ID": ["a", "b", "a"], "RANK": [1, 2, 3]})
    with pytest.raises(DatasetError, match="row 3, column ITEM_ID"):
        evaluate(recs, truth_of({"u": ["a"]}))


def test_bad_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        evaluate(FACT_RECS, FACT_TRUTH, k=0)
    with pytest.raises(ValueError, match="unknown ranking metric"):
        evaluate(FACT_RECS, FACT_TRUTH, metrics=["auc"])
    with pytest.raises(ValueError, match="unknown metric convention"):
        evaluate(FACT_RECS, FACT_TRUTH, convention="spark")
    bad_gain = FACT_TRUTH.assign(EVENT_VALUE=[1.0, np.nan])
    with pytest.raises(DatasetError, match="row 2, column EVENT_VALUE"):
        evaluate(FACT_RECS, bad_gain, gain="EVENT_VALUE")


def test_empty_inputs_give_empty_table():
    empty = lists({})
    result = evaluate(empty, truth_of({}), k=5)
    assert result.n_users == 0 and result.summary.isna().all()


def test_missing_ids_are_reported_not_dropped():
    truth = pd.DataFrame({"USER_ID": ["u", None], "ITEM_ID": ["a", "b"]})
    with pytest.raises(DatasetError, match="file truth, row 2, column USER_ID: missing id"):
        evaluate(FACT_RECS.assign(USER_ID="u"), truth)
    recs = FACT_RECS.astype({"ITEM_ID": object})
    recs.loc[1, "ITEM_ID"] = None
    with pytest.raises(DatasetError, match="file recommendations, row 2, column ITEM_ID"):
        evaluate(recs, FACT_TRUTH)
