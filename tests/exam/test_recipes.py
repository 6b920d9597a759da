"""Evidence recipes on hand-made inputs."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from workbench.constants import (
    CREATION_TIMESTAMP,
    EVENT_TYPE,
    EVENT_VALUE,
    IMPRESSION,
    ITEM_ID,
    RECOMMENDATION_ID,
    TIMESTAMP,
    USER_ID,
)
from workbench.exam.recipes import carousel_pairs, new_item_share, streaming_log, synthetic_log, timestamp_csv

DAY0 = 1_000_000
DAY = 86_400


def test_new_item_share_hand_worked():
    # Items i1, i2 exist at launch; i3 arrives on day 1. Day 0: one list [i1|i2] -> 0 new of 2.
    # Day 1: list r2 = [i3|i1] logged twice (two events, counted once) and r3 = [i2|i3|i1|i1]... -> 2 new of 6.
    events = pd.DataFrame(
        {
            USER_ID: ["u1", "u1", "u2", "u2", "u3", "u0"],
            ITEM_ID: ["i1", "i3", "i3", "i3", "i2", "i1"],
            TIMESTAMP: [DAY0 + 10, DAY0 + DAY + 5, DAY0 + DAY + 6, DAY0 + DAY + 7, DAY0 + DAY + 8, DAY0 - 50],
            IMPRESSION: ["i1|i2", "i3|i1", "i3|i1", "i3|i1", "i2|i3|i1|i1", "i1|i2"],
            RECOMMENDATION_ID: ["r1", "r2", "r2", "r2", "r3", "r0"],
        }
    )
    items = pd.DataFrame({ITEM_ID: ["i1", "i2", "i3"], CREATION_TIMESTAMP: [DAY0 - 5 * DAY, DAY0 - DAY, DAY0 + DAY]})
    result = types.SimpleNamespace(events=events, world=types.SimpleNamespace(day0=DAY0, items=items))
    share = new_item_share(result)
    assert share.loc[0] == 0.0
    assert share.loc[1] == pytest.approx(2 / 6)
    assert list(share.index) == [0, 1]  # the warm-up event (before day 0) is ignored


def test_carousel_pairs_put_relevant_items_at_the_stated_ranks():
    better, worse, truth = carousel_pairs()
    assert better.groupby(USER_ID).size().eq(25).all() and worse.groupby(USER_ID).size().eq(25).all()
    relevant = set(truth[ITEM_ID])
    ranks = lambda recs, user: sorted(recs[(recs[USER_ID] == user) & recs[ITEM_ID].isin(relevant)]["RANK"])  # noqa: E731
    assert ranks(better, "pair1") == [1, 2, 3] and ranks(worse, "pair1") == [1]
    assert ranks(better, "pair3") == [5] and ranks(worse, "pair3") == [11, 12, 13]


def test_synthetic_logs_are_seeded_and_sized():
    log = synthetic_log(n_users=3, interactions_per_user=4, purchase_share=0.5)
    assert len(log) == 12 and (log[EVENT_TYPE] == "purchase").sum() == 6
    pd.testing.assert_frame_equal(log, synthetic_log(n_users=3, interactions_per_user=4, purchase_share=0.5))
    stream = streaming_log(n_users=10, events_per_user=5)
    assert len(stream) == 50
    watches = stream[stream[EVENT_TYPE] == "watch"][EVENT_VALUE]
    assert watches.between(0, 1).all()
    assert stream[stream[EVENT_TYPE] == "click"][EVENT_VALUE].isna().all()


@pytest.mark.parametrize(("unit", "digits"), [("seconds", 10), ("milliseconds", 13)])
def test_timestamp_csv_units(unit, digits):
    frame = pd.read_csv(__import__("io").StringIO(timestamp_csv(unit)))
    assert frame[TIMESTAMP].astype(str).str.len().eq(digits).all()
    assert np.all(np.diff(frame[TIMESTAMP]) > 0)


def test_timestamp_csv_other_units():
    import io

    iso = pd.read_csv(io.StringIO(timestamp_csv("iso8601")))
    assert iso[TIMESTAMP].iloc[0] == "2023-11-14T22:13:20Z"
    moved = pd.read_csv(io.StringIO(timestamp_csv("event_value")))
    assert TIMESTAMP not in moved.columns and moved[EVENT_VALUE].iloc[0] == 1_700_000_000


def _details(scenario_id):
    from workbench.exam import load_scenarios, run

    scenario = next(s for s in load_scenarios() if s.id == scenario_id)
    return run(scenario, chart=False).details.set_index("option")


def test_minimum_data_counts_records_after_event_type_filtering():
    details = _details("minimum-data-error")
    # 20 users x 40 = 800 records; 60 x 20 = 1,200; a quarter of each user's 20 events are purchases -> 60 x 5 = 300
    assert details.loc["A", "records_for_training"] == 800 and details.loc["A", "users"] == 20
    assert details.loc["B", "records_for_training"] == 1200 and bool(details.loc["B", "ok"])
    assert details.loc["E", "records_for_training"] == 300 and not details.loc["E", "ok"]
    assert "1,000" in details.loc["E", "first_error"]


def test_training_subset_matches_a_plain_pandas_selection():
    log = streaming_log()
    real = log[(log[EVENT_TYPE] == "watch") & (log[EVENT_VALUE] >= 0.5)]
    details = _details("event-value-threshold")
    assert details.loc["C", "records_for_training"] == len(real)
    assert details.loc["A", "records_for_training"] == len(log)
    subset = _details("train-on-event-type")
    assert subset.loc["B", "records_for_training"] == int((log[EVENT_TYPE] == "watch").sum())
    assert subset.loc["D", "records_in_dataset"] == int((log[EVENT_TYPE] != "click").sum())


def test_purchased_filter_only_the_filter_with_tracked_purchases_removes_the_item():
    details = _details("exclude-purchased-items")
    assert details.loc["B", "lists_with_item_just_bought"] == 0
    for letter in "ACD":
        assert details.loc[letter, "lists_with_item_just_bought"] == details.loc[letter, "lists"]


# --------------------------------------------------------------- carousel_agreement
def test_carousel_value_hand_worked():
    from workbench.exam.recipes.carousel_agreement import carousel_value
    from workbench.sim.behaviour import POSITION_BIAS

    recs = pd.DataFrame({"USER_ID": ["u"] * 12, "ITEM_ID": [f"i{j}" for j in range(12)], "RANK": range(1, 13)})
    truth = pd.DataFrame({"USER_ID": ["u", "u", "u"], "ITEM_ID": ["i1", "i9", "i10"]})  # ranks 2, 10 and 11
    assert carousel_value(recs, truth, "uniform").loc["u"] == 2.0  # rank 11 is below the carousel
    expected = 2.0 ** -POSITION_BIAS + 10.0 ** -POSITION_BIAS
    assert carousel_value(recs, truth, "simulator").loc["u"] == pytest.approx(expected)


def test_random_list_pairs_are_seeded_and_well_formed():
    from workbench.exam.recipes.carousel_agreement import LIST_LENGTH, random_list_pairs

    first, second, truth = random_list_pairs(n_visitors=50, seed=3)
    again = random_list_pairs(n_visitors=50, seed=3)
    pd.testing.assert_frame_equal(first, again[0])
    assert (first.groupby("USER_ID")["ITEM_ID"].nunique() == LIST_LENGTH).all()
    assert not first.equals(second)
    assert truth.groupby("USER_ID").size().between(1, 7).all()


def test_carousel_agreement_coverage_ties_everything_and_ndcg_beats_precision_at_25():
    from workbench.exam import EvidencePlan, OptionPlay
    from workbench.exam.recipes.carousel_agreement import run_carousel_agreement

    plan = EvidencePlan(
        recipe="carousel_agreement",
        options={"A": OptionPlay("coverage", {"metric": "coverage"}), "C": OptionPlay("ndcg", {"metric": "NDCG@10"}),
                 "B": OptionPlay("p25", {"metric": "Precision@25"})},
        metric="agreement_uniform_attention", margin=0.0,
    )
    result = run_carousel_agreement(plan)
    details = result.details.set_index("option")
    assert result.values["A"] == 0.0 and details.loc["A", "ties"] == 1.0  # same breadth: never tells lists apart
    assert result.values["C"] > result.values["B"] + 0.2
    assert details[["agreement", "ties", "disagreement"]].sum(axis=1).tolist() == pytest.approx([1.0] * 3)
