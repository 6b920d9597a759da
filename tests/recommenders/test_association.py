"""Association rules: a five-basket example worked by hand, the memory guard, complements vs substitutes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import BASKET_ID, EVENT_TYPE, FALLBACK, ITEM_ID, SCORE, SESSION_ID, TIMESTAMP, USER_ID
from workbench.recommenders import AssociationRules
from workbench.recommenders.association import (
    estimate_frequent_itemsets,
    make_baskets,
    mine_rules,
    pair_relationships,
)

from .contract import RecommenderContract


class TestAssociationRulesContract(RecommenderContract):
    def make_model(self):
        return AssociationRules(baskets="sessions", min_support=0.05)


class TestAprioriOrdersContract(RecommenderContract):
    def make_model(self):
        return AssociationRules(algorithm="apriori", min_support=0.02, max_len=2)


BASKETS = [
    ["bread", "milk"],
    ["bread", "diapers", "beer", "eggs"],
    ["milk", "diapers", "beer", "cola"],
    ["bread", "milk", "diapers", "beer"],
    ["bread", "milk", "diapers", "cola"],
]


def orders_frame(baskets=BASKETS) -> pd.DataFrame:
    """One purchase basket per customer, all on one day."""
    rows = [(f"c{b + 1}", item, 1_700_000_000 + 60 * k, "purchase")
            for b, basket in enumerate(baskets) for k, item in enumerate(basket)]
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])


def test_five_baskets_by_hand():
    model = AssociationRules(min_support=0.4, min_confidence=0.5).fit(orders_frame())
    # counts: bread 4, milk 4, diapers 4, beer 3, cola 2, eggs 1 -> five items reach 2 of 5 baskets
    assert model.estimate_.singles == 5
    # pairs in >= 2 baskets: bread-milk 3, bread-diapers 3, bread-beer 2, milk-diapers 3, milk-beer 2,
    # milk-cola 2, diapers-beer 3, diapers-cola 2  (bread-cola and beer-cola only once)
    assert model.estimate_.pairs == 8
    support = dict(zip(model.frequent_itemsets_["itemsets"].map(frozenset), model.frequent_itemsets_["support"]))
    assert support[frozenset({"diapers", "beer"})] == pytest.approx(3 / 5)
    assert frozenset({"eggs"}) not in support
    rules = {(frozenset(a), frozenset(c)): row for a, c, row in
             zip(model.rules_["antecedents"], model.rules_["consequents"], model.rules_.to_dict("records"))}
    beer_diapers = rules[(frozenset({"beer"}), frozenset({"diapers"}))]
    assert beer_diapers["confidence"] == pytest.approx(3 / 3)
    assert beer_diapers["lift"] == pytest.approx((3 / 5) / ((4 / 5) * (3 / 5)))  # 1.25
    diapers_beer = rules[(frozenset({"diapers"}), frozenset({"beer"}))]
    assert diapers_beer["confidence"] == pytest.approx(3 / 4)
    bread_milk = rules[(frozenset({"bread"}), frozenset({"milk"}))]
    assert bread_milk["lift"] == pytest.approx((3 / 5) / ((4 / 5) * (4 / 5)))  # 0.9375: below independence
    # a cart holding beer: diapers (confidence 1) first, then milk and bread (2 of 3 beer baskets each)
    recs = model.recommend(["new-shopper"], n=3, session=["beer"])
    assert recs[ITEM_ID].iloc[0] == "diapers"
    assert recs[SCORE].tolist() == pytest.approx([1.0, 2 / 3, 2 / 3])
    assert set(recs[ITEM_ID].iloc[1:]) == {"milk", "bread"}
    assert recs[FALLBACK].all()  # an unknown user, even with a cart, is flagged


def test_per_user_sessions_replace_the_history_pool():
    model = AssociationRules(min_support=0.4, min_confidence=0.5).fit(orders_frame())
    recs = model.recommend(["c1", "c2", "stranger"], n=1, session={"c1": ["beer"], "stranger": ["cola"]},
                           exclude_seen=False)
    top = dict(zip(recs[USER_ID], recs[ITEM_ID]))
    assert top["c1"] == "diapers"  # beer in the cart -> diapers (confidence 1), whatever c1 bought before
    assert top["stranger"] in {"milk", "diapers"}  # cola -> milk and cola -> diapers both have confidence 1
    # c2 has no session entry: its purchase history (bread, diapers, beer, eggs) is the pool
    assert recs.loc[recs[USER_ID] == "c2", SCORE].item() == pytest.approx(1.0)


def test_known_user_pool_and_explanation():
    model = AssociationRules(min_support=0.4, min_confidence=0.5, rank_by="lift").fit(orders_frame())
    recs = model.recommend(["c1"], n=2)  # c1 bought bread and milk
    assert not set(recs[ITEM_ID]) & {"bread", "milk"}
    explanation = model.explain("c1", recs[ITEM_ID].iloc[0])
    assert explanation.startswith("Customers who bought") and "lift" in explanation
    bought_with_beer = model.similar_items(["beer"], n=1)
    assert bought_with_beer[ITEM_ID].item() == "diapers"
    assert bought_with_beer[SCORE].item() == pytest.approx(1.25)


def test_fpgrowth_and_apriori_agree():
    a, _, _ = mine_rules(make_baskets(orders_frame()), min_support=0.2, algorithm="fpgrowth", max_len=None)
    b, _, _ = mine_rules(make_baskets(orders_frame()), min_support=0.2, algorithm="apriori", max_len=None)
    as_dict = lambda f: dict(zip(f["itemsets"].map(frozenset), f["support"].round(12)))  # noqa: E731
    assert as_dict(a) == as_dict(b)


def test_baskets_use_sessions_when_present():
    events = pd.DataFrame({USER_ID: ["u", "u", "u"], ITEM_ID: ["a", "b", "c"], TIMESTAMP: [0, 10, 20],
                           EVENT_TYPE: ["view", "view", "purchase"], SESSION_ID: ["s1", "s2", "s2"]})
    sessions = make_baskets(events, "sessions")
    assert sessions.groupby(BASKET_ID)[ITEM_ID].apply(sorted).tolist() == [["a"], ["b", "c"]]
    assert make_baskets(events, "orders")[ITEM_ID].tolist() == ["c"]


# ------------------------------------------------------------- memory guard
def test_guard_refuses_before_mining_an_explosion():
    wide = [[f"i{k}" for k in range(30)]] * 2  # two identical baskets of 30 items: all 2^30 - 1 subsets frequent
    baskets = make_baskets(orders_frame(wide))
    with pytest.raises(MemoryError, match="30 items and 435 pairs"):
        mine_rules(baskets, min_support=1.0, max_itemsets=100)
    with pytest.raises(MemoryError, match=r"more than 500 item sets.*stopped at 50\d.*max_itemsets=500"):
        mine_rules(baskets, min_support=1.0, max_len=None, max_itemsets=500)
    itemsets, _, estimate = mine_rules(baskets, min_support=1.0, max_len=2, max_itemsets=500)
    assert len(itemsets) == estimate.exact == estimate.counted == 30 + 435  # pairs only: counted exactly
    # 3-sets of 30 items: C(30, 3) = 4060 more, so 4525 in all up to max_len=3
    assert estimate_frequent_itemsets(baskets, 1.0, max_len=3).counted == 30 + 435 + 4060


@settings(max_examples=25, deadline=None)
@given(
    baskets=st.lists(st.sets(st.sampled_from(list("abcdefg")), min_size=1, max_size=6), min_size=3, max_size=12),
    min_support=st.sampled_from([0.2, 0.3, 0.5]),
    max_len=st.sampled_from([None, 1, 2, 3]),
)
def test_count_is_exact_and_bounded(baskets, min_support, max_len):
    frame = make_baskets(orders_frame([sorted(b) for b in baskets]))
    estimate = estimate_frequent_itemsets(frame, min_support, max_len=max_len)
    itemsets, _, _ = mine_rules(frame, min_support=min_support, max_len=max_len, max_itemsets=10**9)
    sizes = itemsets["itemsets"].map(len)
    assert estimate.singles == int((sizes == 1).sum())
    assert estimate.pairs == int((sizes == 2).sum())
    assert estimate.complete and estimate.counted == len(itemsets)
    assert len(itemsets) <= estimate.upper_bound + 1e-9
    if len(itemsets) > 1:  # a limit below the true count stops the count just past it
        stopped = estimate_frequent_itemsets(frame, min_support, max_len=max_len, limit=len(itemsets) - 1)
        assert not stopped.complete and stopped.counted >= len(itemsets)


def groceries_like(seed: int = 3, n_baskets: int = 9_835, n_items: int = 169) -> pd.DataFrame:
    """A stand-in for the Groceries data (which the tests cannot download): 9,835 baskets over 169
    items, Zipf-like item popularity (weight 1/rank), basket sizes geometric with mean ~4.4, capped at 32
    (Groceries' longest basket) -- long baskets are what made the old closed-form bound explode."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1)
    weights /= weights.sum()
    sizes = np.minimum(rng.geometric(1 / 4.45, n_baskets), 32)
    basket_ids, item_ids = [], []
    for b, size in enumerate(sizes):
        basket_ids += [f"b{b}"] * int(size)
        item_ids += [f"item{i}" for i in rng.choice(n_items, size=int(size), replace=False, p=weights)]
    return pd.DataFrame({BASKET_ID: basket_ids, USER_ID: basket_ids, ITEM_ID: item_ids})


@pytest.mark.parametrize("min_support", [0.01, 0.001])
def test_groceries_sized_job_runs_and_matches_mlxtend(min_support):
    from mlxtend.frequent_patterns import fpgrowth

    from workbench.recommenders.association import basket_matrix

    baskets = groceries_like()
    assert baskets[BASKET_ID].nunique() == 9_835 and baskets[ITEM_ID].nunique() == 169
    assert 4.2 <= len(baskets) / 9_835 <= 4.6
    matrix, _, item_ids = basket_matrix(baskets)
    reference = fpgrowth(pd.DataFrame(matrix.toarray().astype(bool), columns=item_ids), min_support=min_support,
                         max_len=None, use_colnames=True)
    itemsets, _, estimate = mine_rules(baskets, min_support=min_support, max_len=None)  # default guard 200,000
    assert estimate.complete and estimate.counted == len(reference) == len(itemsets)
    assert estimate.upper_bound > 10 * len(reference)  # the old closed-form bound, which refused these jobs
    as_dict = lambda f: dict(zip(f["itemsets"].map(frozenset), f["support"].round(12)))  # noqa: E731
    assert as_dict(itemsets) == as_dict(reference)


def test_dense_baskets_at_tiny_support_are_refused_quickly():
    rng = np.random.default_rng(0)
    core = [f"c{k}" for k in range(40)]  # 40 items in almost every basket: ~2^40 frequent sets at 1 %
    baskets = [core + [f"x{k}" for k in rng.choice(500, 5, replace=False)] for _ in range(300)]
    frame = make_baskets(orders_frame(baskets))
    with pytest.raises(MemoryError, match=r"more than 200000 item sets frequent: counting stopped at 2000\d\d"):
        mine_rules(frame, min_support=0.01, max_len=None)
    with pytest.raises(MemoryError, match="max_itemsets=1000"):
        AssociationRules(min_support=0.01, max_len=None, max_itemsets=1000).fit(orders_frame(baskets))


# -------------------------------------------------- complements vs substitutes
def test_complements_and_substitutes():
    journeys = {  # views, then purchases, one visit per customer
        "u1": (["A", "B"], ["A", "S"]), "u2": (["A", "B"], ["B", "S"]), "u3": (["A", "B"], ["A", "S"]),
        "u4": (["C"], ["C"]), "u5": (["C", "D"], ["D"]), "u6": (["D"], ["D"]), "u7": (["B"], ["B", "S"]),
    }
    rows = []
    for user, (views, buys) in journeys.items():
        rows += [(user, item, 1_700_000_000 + k, "view") for k, item in enumerate(views)]
        rows += [(user, item, 1_700_000_100 + k, "purchase") for k, item in enumerate(buys)]
    events = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])
    items = pd.DataFrame({ITEM_ID: ["A", "B", "C", "D", "S"],
                          "CATEGORY_L1": ["shoes", "shoes", "bags", "bags", "socks"]})
    pairs = pair_relationships(events, items)
    label = {frozenset((a, b)): r for a, b, r in zip(pairs["ITEM_A"], pairs["ITEM_B"], pairs["relation"])}
    # orders: {A,S} x2, {B,S} x2 over 7 orders -> lift = 2*7 / (2*4) = 1.75 > 1, different categories
    assert label[frozenset("AS")] == "complement"
    assert label[frozenset("BS")] == "complement"
    # A and B were viewed together 3 times (lift 3*7 / (3*4) = 1.75) but never bought together; same category
    assert label[frozenset("AB")] == "substitute"
    row = pairs[(pairs["ITEM_A"].isin(["A", "S"])) & (pairs["ITEM_B"].isin(["A", "S"]))].iloc[0]
    assert row["bought_lift"] == pytest.approx(1.75)
    assert frozenset("CD") not in label  # seen together only once: below min_count


def test_no_purchases_is_a_clear_error():
    events = orders_frame().assign(EVENT_TYPE="view")
    with pytest.raises(Exception, match="baskets"):
        AssociationRules().fit(events)
    model = AssociationRules(baskets="sessions", min_support=0.4).fit(events)
    assert len(model.rules_) > 0
    assert np.isfinite(model.rules_["lift"]).all()


def test_next_in_basket_asks_every_model_the_same_held_out_questions():
    from workbench.recommenders import Popularity
    from workbench.recommenders.association import next_in_basket

    rows, t = [], 1_700_000_000
    for s in range(30):  # training visits: boots then socks, and a few visits of other items
        rows += [(f"u{s}", "boots", t + s * 1000, "view", f"s{s}"), (f"u{s}", "socks", t + s * 1000 + 5, "view", f"s{s}")]
        rows += [(f"u{s}", f"other{s % 5}", t + s * 1000 + 9, "view", f"s{s}")] * (s % 2)
    train = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, SESSION_ID])
    test = pd.DataFrame([
        ("v1", "boots", t + 99_000, "view", "t1"), ("v1", "socks", t + 99_005, "view", "t1"),  # hit for the rules
        ("v2", "other1", t + 99_100, "view", "t2"), ("v2", "other3", t + 99_105, "view", "t2"),
        ("v3", "boots", t + 99_200, "view", "t3"),  # one item only: no question
    ], columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, SESSION_ID])
    rules = AssociationRules(min_support=0.1, min_confidence=0.5, baskets="sessions").fit(train)
    hits = next_in_basket({"rules": rules, "popularity": Popularity().fit(train)}, test, kind="sessions", k=1)
    assert len(hits) == 2 and list(hits.columns) == ["rules", "popularity"]
    assert hits["rules"].iloc[0] == 1.0  # boots in the cart -> socks
    assert hits["popularity"].iloc[0] == 1.0  # socks is also the most popular item left
    assert set(hits.to_numpy().ravel()) <= {0.0, 1.0}
    assert next_in_basket({"rules": rules}, test[test[SESSION_ID] == "t3"]).empty
    with pytest.raises(ValueError, match="k must"):
        next_in_basket({"rules": rules}, test, k=0)
