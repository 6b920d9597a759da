from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, IMPRESSION, ITEM_ID, RECOMMENDATION_ID, SCORE, TIMESTAMP, USER_ID
from workbench.errors import DatasetError
from workbench.recommenders.statistical import (
    BestConversion,
    BestRecommendationCTR,
    BestRecommendationInflow,
    BestSellers,
    MostViewed,
    TrendingNow,
    decayed_counts,
    smoothed_rate,
)

from .contract import RecommenderContract, contract_dataset

H = 3600
T0 = 1_700_000_000


def frame(rows, columns=(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE)) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


# ------------------------------------------------------------------ contracts
class TestTrendingNowContract(RecommenderContract):
    def make_model(self):
        return TrendingNow()


class TestMostViewedContract(RecommenderContract):
    def make_model(self):
        return MostViewed()


class TestBestSellersContract(RecommenderContract):
    def make_model(self):
        return BestSellers()


class TestBestConversionContract(RecommenderContract):
    def make_model(self):
        return BestConversion()


def with_impressions(seed: int = 3):
    """Contract data plus explicit impressions: every event row shows 5 items, including its own."""
    interactions, items, users = contract_dataset()
    rng = np.random.default_rng(seed)
    catalog = items[ITEM_ID].to_numpy()
    shown = []
    for item in interactions[ITEM_ID]:
        others = rng.choice(catalog[catalog != item], size=4, replace=False)
        shown.append("|".join([item, *others]))
    interactions = interactions.assign(**{IMPRESSION: shown, RECOMMENDATION_ID: [f"rec{i}" for i in range(len(shown))]})
    return interactions, items, users


class TestBestRecommendationCTRContract(RecommenderContract):
    def make_model(self):
        return BestRecommendationCTR()

    def training_data(self):
        return with_impressions()


class TestBestRecommendationInflowContract(RecommenderContract):
    def make_model(self):
        return BestRecommendationInflow()

    def training_data(self):
        interactions, items, users = with_impressions()
        half = np.arange(len(interactions)) % 2 == 0  # every other event came from a recommendation
        interactions[RECOMMENDATION_ID] = np.where(half, interactions[RECOMMENDATION_ID], None)
        return interactions, items, users


# ------------------------------------------------------------ worked numbers
def test_decayed_counts_by_hand():
    # item 0: ages 0 h, 24 h, 48 h, 100 h (outside the 72 h window) -> 1 + 1/2 + 1/4
    # item 1: age 12 h -> 2 ** -0.5
    now = T0 + 200 * H
    items = np.array([0, 0, 0, 0, 1])
    times = now - np.array([0, 24, 48, 100, 12]) * H
    got = decayed_counts(items, times, np.ones(5), 3, now, window_hours=72, half_life_hours=24)
    assert got == pytest.approx([1.75, 2**-0.5, 0.0])
    plain = decayed_counts(items, times, np.ones(5), 3, now, window_hours=None, half_life_hours=None)
    assert plain.tolist() == [4.0, 1.0, 0.0]


def test_trending_now_scores_are_decayed_counts():
    rows = [("u1", "a", T0, "view"), ("u2", "a", T0 + 24 * H, "view"), ("u3", "b", T0 + 36 * H, "view"),
            ("u4", "b", T0 + 48 * H, "click")]
    model = TrendingNow(window_hours=72, half_life_hours=24).fit(frame(rows))
    recs = model.recommend("nobody", exclude_seen=False)
    # now = T0 + 48 h: a = 0.5**2 + 0.5**1 = 0.75 ; b = 0.5**0.5 + 1 = 1.7071
    scores = dict(zip(recs[ITEM_ID], recs[SCORE]))
    assert scores == pytest.approx({"b": 1 + 0.5**0.5, "a": 0.75})


def test_trending_now_update_brings_new_item_to_the_top():
    rows = [("u1", "a", T0, "view"), ("u2", "b", T0 + H, "view"), ("u3", "b", T0 + 2 * H, "view")]
    model = TrendingNow(window_hours=24, half_life_hours=1).fit(frame(rows))
    assert model.recommend("u9")[ITEM_ID].tolist() == ["b", "a"]
    burst = frame([(f"v{k}", "brand-new", T0 + 5 * H + k, "click") for k in range(3)])
    model.update(burst)
    recs = model.recommend("u9")
    assert recs[ITEM_ID].iloc[0] == "brand-new"
    # the old events are now 3-5 h old with a 1 h half-life: b = 0.5**3 + 0.5**4
    assert recs.set_index(ITEM_ID).loc["b", SCORE] == pytest.approx(0.5**3 + 0.5**4, rel=1e-3)
    # the clicking users no longer get the item they just clicked
    assert "brand-new" not in model.recommend("v0")[ITEM_ID].tolist()


def test_trending_now_falls_back_to_all_time_counts_when_window_is_empty():
    rows = [("u1", "a", T0, "purchase"), ("u2", "a", T0 + 1, "purchase"), ("u3", "b", T0 + 2, "purchase"),
            ("u4", "c", T0 + 100 * H, "view")]
    model = TrendingNow(event_types=("purchase",), window_hours=24).fit(frame(rows))
    assert model.window_empty_
    recs = model.recommend("x", exclude_seen=False)
    assert recs[ITEM_ID].tolist() == ["a", "b", "c"]
    assert recs[SCORE].tolist() == [2.0, 1.0, 0.0]  # c was viewed, never bought: listed last with 0
    assert "all-time" in model.explain("x", "a")


def test_most_viewed_counts_only_recent_views_and_updates():
    rows = [("u1", "a", T0, "view"), ("u2", "a", T0 + 1, "view"), ("u3", "b", T0 + 2, "purchase"),
            ("u4", "b", T0 + 3, "view"), ("u5", "c", T0 + 30 * H, "view")]
    model = MostViewed(window_hours=24).fit(frame(rows))
    # now = T0 + 30 h: only c's view is within 24 h; items without recent views score 0
    recs = model.recommend("x")
    assert recs[ITEM_ID].iloc[0] == "c"
    assert recs[SCORE].tolist() == [1.0, 0.0, 0.0]
    model.update(frame([("u6", "b", T0 + 31 * H, "view"), ("u7", "b", T0 + 31 * H + 5, "view")]))
    recs = model.recommend("x")
    assert recs[ITEM_ID].tolist() == ["b", "c", "a"]
    assert recs[SCORE].tolist() == [2.0, 1.0, 0.0]


def test_best_sellers_counts_purchases_and_ignores_updates():
    rows = [("u1", "a", T0, "view"), ("u2", "a", T0 + 1, "view"), ("u3", "b", T0 + 2, "purchase"),
            ("u4", "c", T0 + 3, "purchase"), ("u5", "c", T0 + 4, "purchase")]
    model = BestSellers().fit(frame(rows))
    assert model.recommend("x")[SCORE].tolist() == [2.0, 1.0, 0.0]
    assert model.recommend("x")[ITEM_ID].tolist() == ["c", "b", "a"]
    model.update(frame([("u6", "b", T0 + 5, "purchase"), ("u7", "b", T0 + 6, "purchase")]))
    assert model.recommend("x")[ITEM_ID].tolist() == ["c", "b", "a"]


def test_best_sellers_needs_event_types():
    with pytest.raises(DatasetError, match="EVENT_TYPE"):
        BestSellers().fit(frame([("u1", "a", T0)], columns=(USER_ID, ITEM_ID, TIMESTAMP)))
    with pytest.raises(DatasetError, match="no 'purchase'"):
        BestSellers().fit(frame([("u1", "a", T0, "view")]))


def test_smoothed_rate_by_hand():
    # A: 1/1, B: 30/100, C: 0/10 ; prior = 31/111
    num, den = np.array([1, 30, 0]), np.array([1, 100, 10])
    prior = 31 / 111
    rates, got_prior = smoothed_rate(num, den, 10)
    assert got_prior == pytest.approx(prior)
    assert rates == pytest.approx([(1 + 10 * prior) / 11, (30 + 10 * prior) / 110, (10 * prior) / 20])
    raw, _ = smoothed_rate(num, den, 0)
    assert raw == pytest.approx([1.0, 0.3, 0.0])


def conversion_log() -> pd.DataFrame:
    rows = [("u0", "A", T0, "view"), ("u0", "A", T0 + 1, "purchase")]
    rows += [(f"b{k}", "B", T0 + 10 + k, "view") for k in range(100)]
    rows += [(f"b{k}", "B", T0 + 200 + k, "purchase") for k in range(30)]
    rows += [(f"c{k}", "C", T0 + 400 + k, "view") for k in range(200)]
    rows += [("z", "D", T0 + 500, "purchase")]  # bought without a logged view
    return frame(rows)


def test_best_conversion_smoothing_changes_the_winner():
    raw = BestConversion(smoothing=0).fit(conversion_log()).recommend("x")
    assert raw[ITEM_ID].tolist() == ["A", "B", "C"]  # A's lucky 1/1 wins without smoothing; D has no views
    smooth = BestConversion(smoothing=20).fit(conversion_log()).recommend("x")
    assert smooth[ITEM_ID].tolist() == ["B", "A", "C"]
    prior = 32 / 301  # D's purchase counts in the shop-wide numerator, its missing views nowhere
    expected = {"A": (1 + 20 * prior) / 21, "B": (30 + 20 * prior) / 120, "C": 20 * prior / 220}
    assert dict(zip(smooth[ITEM_ID], smooth[SCORE])) == pytest.approx(expected)


def test_best_conversion_min_observations():
    recs = BestConversion(smoothing=0, min_observations=5).fit(conversion_log()).recommend("x")
    assert recs[ITEM_ID].tolist() == ["B", "C"]


def test_best_recommendation_ctr_by_hand():
    rows = [
        # showing r1 to u1: a, b, c ; u1 clicks b from it
        ("u1", "b", T0, "click", "a|b|c", "r1"),
        # showing r2 to u2: a, b ; u2 views a (no click)
        ("u2", "a", T0 + 1, "view", "a|b", "r2"),
        # same showing r2 logged again on a later event: not a second showing
        ("u2", "a", T0 + 2, "click", "a|b", "r2"),
        # a click on c outside any recommendation does not count
        ("u3", "c", T0 + 3, "click", None, None),
    ]
    log = frame(rows, columns=(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, IMPRESSION, RECOMMENDATION_ID))
    model = BestRecommendationCTR(smoothing=0).fit(log)
    # shown: a 2, b 2, c 1 ; clicks from recs: b 1, a 1, c 0
    assert dict(zip(model.item_vocab.ids, model.denominator_)) == {"a": 2.0, "b": 2.0, "c": 1.0}
    assert dict(zip(model.item_vocab.ids, model.numerator_)) == {"a": 1.0, "b": 1.0, "c": 0.0}
    scores = dict(zip(model.item_vocab.ids, model.item_scores_))
    assert scores == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})


def test_best_recommendation_ctr_requires_impressions():
    log = frame([("u1", "a", T0, "click", "r1")], columns=(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, RECOMMENDATION_ID))
    with pytest.raises(DatasetError, match="IMPRESSION"):
        BestRecommendationCTR().fit(log)


def test_best_recommendation_inflow_by_hand():
    rows = [("u1", "a", T0, "view", "r1"), ("u1", "a", T0 + 1, "view", None), ("u2", "b", T0 + 2, "view", None),
            ("u3", "b", T0 + 3, "click", "r2"), ("u4", "b", T0 + 4, "view", "r3"), ("u5", "b", T0 + 5, "view", None)]
    log = frame(rows, columns=(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, RECOMMENDATION_ID))
    model = BestRecommendationInflow(smoothing=0).fit(log)
    scores = dict(zip(model.item_vocab.ids, model.item_scores_))
    assert scores == pytest.approx({"a": 0.5, "b": 0.5})
    with pytest.raises(DatasetError, match="RECOMMENDATION_ID"):
        BestRecommendationInflow().fit(log.drop(columns=[RECOMMENDATION_ID]))


def test_bad_timestamp_names_the_row():
    log = frame([("u1", "a", T0, "view"), ("u2", "b", "yesterday", "view")])
    with pytest.raises(DatasetError, match="row 2"):
        TrendingNow().fit(log)


def test_trending_now_growth_mode_by_hand():
    # windows of 24 h ending at the newest event (T0 + 48 h): previous = (0 h, 24 h], latest = (24 h, 48 h]
    rows = [(f"p{k}", "steady", T0 + 1 * H + k, "view") for k in range(5)]
    rows += [(f"q{k}", "steady", T0 + 30 * H + k, "view") for k in range(5)]
    rows += [(f"r{k}", "rising", T0 + 40 * H + k, "view") for k in range(2)]
    rows += [(f"s{k}", "fading", T0 + 2 * H + k, "view") for k in range(6)]
    rows += [("t0", "fading", T0 + 48 * H, "view")]
    model = TrendingNow(mode="growth", window_hours=24).fit(frame(rows))
    recs = model.recommend("x")
    assert recs[ITEM_ID].tolist() == ["rising", "steady", "fading"]
    assert recs[SCORE].tolist() == [2.0, 0.0, -5.0]
    assert "compared with the window before" in model.explain("x", "rising")
    with pytest.raises(ValueError, match="mode"):
        TrendingNow(mode="fastest").fit(frame(rows))


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 200)), min_size=1, max_size=8),
    st.floats(0.0, 500.0),
)
@settings(max_examples=40, deadline=None)
def test_smoothed_rate_lies_between_raw_rate_and_prior(pairs, smoothing):
    num = np.array([min(n, d) for n, d in pairs], dtype=float)
    den = np.array([d for _, d in pairs], dtype=float)
    rates, prior = smoothed_rate(num, den, smoothing)
    raw = num / den
    assert np.all(rates >= np.minimum(raw, prior) - 1e-12)
    assert np.all(rates <= np.maximum(raw, prior) + 1e-12)
