from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import FALLBACK, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders import ImplicitALS, Popularity
from workbench.recommenders.two_stage import FEATURES, SOURCE, TwoStage, TwoStageConfig, split_by_time

from .contract import RecommenderContract, contract_dataset

T0 = 1_700_000_000
DAY = 86_400


class TestTwoStageContract(RecommenderContract):
    def make_model(self):
        return TwoStage()  # the default: ALS base


class TestTwoStageCooccurrenceContract(RecommenderContract):
    def make_model(self):
        return TwoStage(base="cooccurrence")


class TestTwoStageGBDTContract(RecommenderContract):
    def make_model(self):
        return TwoStage(ranker="gbdt", gbdt_iterations=15)


def tiny_log() -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = [("x1", "a"), ("x1", "b"), ("x2", "a"), ("x2", "b"), ("x3", "c"), ("x3", "d"), ("x4", "c"), ("x4", "d"),
             ("x5", "c"), ("u", "a")]
    log = pd.DataFrame(pairs, columns=[USER_ID, ITEM_ID])
    log[TIMESTAMP] = T0 + np.arange(len(log)) * DAY
    items = pd.DataFrame({ITEM_ID: list("abcd"), "CATEGORY_L1": ["shoe", "shoe", "bag", "bag"],
                          "PRICE": [np.e - 1, 9.0, 1.0, 3.0]})
    return log, items


def test_candidates_by_hand():
    # popularity (distinct users): a 3, c 3, b 2, d 2 -> popular order a, c, b, d (ties by first appearance)
    # u has seen a; b co-occurs with a in 2 baskets; c and d never co-occur with a
    log, items = tiny_log()
    model = TwoStage(base="cooccurrence", n_candidates=3, n_popular=1).fit(log, items=items)
    cands = model.candidates("u").set_index(ITEM_ID)
    assert cands[SOURCE].to_dict() == {"c": "popular", "b": "co-occurrence", "d": "popular"}
    both = TwoStage(base="cooccurrence", n_candidates=3, n_popular=2).fit(log, items=items)
    both = both.candidates("u").set_index(ITEM_ID)
    assert both.loc["b", SOURCE] == "both"


def test_candidate_features_by_hand():
    log, items = tiny_log()
    model = TwoStage(base="cooccurrence", n_candidates=3, n_popular=1).fit(log, items=items)
    b = model.candidates("u").set_index(ITEM_ID).loc["b"]
    assert b["log_popularity"] == pytest.approx(np.log1p(2))
    # cosine co-occurrence of a and b: 2 shared users / sqrt(3 users * 2 users)
    assert b["cooccurrence"] == pytest.approx(2 / np.sqrt(6))
    assert b["category_affinity"] == pytest.approx(1.0)  # all of u's activity is in "shoe"
    assert b["log_price"] == pytest.approx(np.log1p(9.0))
    # b was last touched by x2 on day 3; the newest event (u) is on day 9
    assert b["recency_days"] == pytest.approx(6.0)
    assert b["als_score"] == 0.0  # no ALS base, no ALS feature
    c = model.candidates("u").set_index(ITEM_ID).loc["c"]
    assert c["category_affinity"] == 0.0 and c["cooccurrence"] == 0.0


def test_unknown_users_get_popular_candidates():
    log, items = tiny_log()
    cands = TwoStage(base="cooccurrence", n_candidates=3, n_popular=1).fit(log, items=items).candidates(["stranger"])
    assert cands[ITEM_ID].tolist() == ["a", "c", "b"]
    assert (cands[SOURCE] == "popular").all()
    assert (cands["category_affinity"] == 0).all()


def test_split_by_time_per_user_and_global():
    log = pd.DataFrame({USER_ID: ["p"] * 5 + ["q"] * 2 + ["r"], ITEM_ID: list("abcdeabc"),
                        TIMESTAMP: [5, 1, 4, 2, 3, 10, 11, 0]})
    history, labels = split_by_time(log, 0.2)
    # p: ceil(0.2 * 5) = 1 label, its latest event (a at t=5)... which is item "a"; q: 1 label (b at 11); r: none
    assert sorted(zip(labels[USER_ID], labels[ITEM_ID])) == [("p", "a"), ("q", "b")]
    assert len(history) == 6
    history, labels = split_by_time(log, 0.25, per_user=False)
    assert labels[TIMESTAMP].min() > history[TIMESTAMP].max()


def test_ranker_learns_taste_and_beats_popularity():
    interactions, items, users = contract_dataset(seed=1, n_users=120, n_items=50)
    ordered = interactions.sort_values([USER_ID, TIMESTAMP])
    held_out = ordered.groupby(USER_ID).tail(2)
    train = ordered.drop(held_out.index)
    truth = set(zip(held_out[USER_ID], held_out[ITEM_ID]))
    model = TwoStage(base="cooccurrence").fit(train, items=items)
    coef = dict(zip(FEATURES, model.ranker_[-1].coef_[0]))
    assert coef["category_affinity"] > 0 and coef["cooccurrence"] > 0  # the data has category tastes

    def hits(m) -> int:
        recs = m.recommend(train[USER_ID].unique(), n=10)
        return sum((u, i) in truth for u, i in zip(recs[USER_ID], recs[ITEM_ID]))

    popular = hits(Popularity().fit(train, items=items))
    assert hits(model) > 1.5 * popular
    assert hits(TwoStage().fit(train, items=items)) > 1.5 * popular  # the default ALS base too


def test_default_base_is_als():
    assert TwoStageConfig().base == "als" and TwoStage().config.base == "als"
    interactions, items, _ = contract_dataset()
    model = TwoStage().fit(interactions, items=items)
    assert model.stage_.user_factors is not None and model.stage_.item_factors is not None
    assert model.stage_.item_factors.shape == (len(model.item_vocab), model.config.als_factors)
    assert set(model.candidates(["user001", "user002"])[SOURCE]) <= {"popular", "als", "both"}
    with pytest.raises(ValueError, match="base"):
        TwoStage(base="svd").fit(interactions)


def test_als_base_factors_are_implicit_als_on_the_same_data():
    # the serving factors are ImplicitALS's, fitted with the same settings on the whole training log
    interactions, items, _ = contract_dataset(seed=1, n_users=120, n_items=50)
    model = TwoStage(als_factors=8).fit(interactions, items=items)
    als = ImplicitALS(factors=8, epochs=model.config.als_epochs, alpha=model.config.als_alpha,
                      seed=model.config.seed).fit(interactions, items=items)
    assert list(model.user_vocab.ids) == list(als.user_vocab.ids)
    assert list(model.item_vocab.ids) == list(als.item_vocab.ids)
    np.testing.assert_allclose(model.stage_.user_factors @ model.stage_.item_factors.T,
                               als.user_factors_ @ als.item_factors_.T, rtol=1e-5, atol=1e-6)


def test_unknown_user_gets_flagged_fallback_with_als_default():
    interactions, items, _ = contract_dataset()
    model = TwoStage().fit(interactions, items=items)
    recs = model.recommend("stranger", n=5)
    assert len(recs) == 5 and recs[FALLBACK].all()
    assert recs[ITEM_ID].tolist() == Popularity().fit(interactions).recommend("nobody", n=5)[ITEM_ID].tolist()
    cands = model.candidates(["stranger"])  # no history, no ALS vector: popular candidates, als_score 0
    assert (cands[SOURCE] == "popular").all() and (cands["als_score"] == 0).all()
    known = model.recommend("user001", n=5)
    assert not known[FALLBACK].any()


def test_als_base_proposes_and_scores_candidates():
    interactions, items, _ = contract_dataset(seed=1, n_users=120, n_items=50)
    model = TwoStage(als_factors=8).fit(interactions, items=items)  # the default base
    cands = model.candidates("user001")
    assert set(cands[SOURCE]) <= {"popular", "als", "both"} and (cands[SOURCE] != "popular").any()
    # the als_score feature is the user's ALS vector times the item's
    stage = model.stage_
    u = model.user_vocab.to_inner(["user001"])[0]
    items_inner = model.item_vocab.to_inner(cands[ITEM_ID])
    np.testing.assert_allclose(cands["als_score"], stage.item_factors[items_inner] @ stage.user_factors[u])
    # the non-popular candidates are the user's best unseen ALS scores
    scores = stage.item_factors @ stage.user_factors[u]
    scores[stage.seen[u].toarray().ravel() > 0] = -np.inf
    chosen = set(cands.loc[cands[SOURCE] != "popular", ITEM_ID])
    best = set(model.item_vocab.ids[np.argsort(-scores)[: len(chosen)]])
    assert chosen <= best | set(cands.loc[cands[SOURCE] == "both", ITEM_ID])


def test_ranker_is_skipped_without_labels():
    log = pd.DataFrame({USER_ID: ["a", "b", "c"], ITEM_ID: ["x", "y", "x"], TIMESTAMP: [T0] * 3})
    model = TwoStage().fit(log)
    assert model.ranker_ is None and "cannot be split" in model.ranker_note_
    recs = model.recommend("b")
    assert recs[ITEM_ID].tolist() == ["x"]
    assert "candidate score" in model.explain("b", "x")


def test_explanation_names_source_and_feature():
    interactions, items, _ = contract_dataset()
    model = TwoStage().fit(interactions, items=items)
    top = model.recommend("user001", n=1)[ITEM_ID].iloc[0]
    text = model.explain("user001", top)
    assert text.startswith("Candidate from") and "ranker gives it" in text
    assert any(name.replace("_", " ") in text for name in FEATURES)


def test_bad_settings():
    log, items = tiny_log()
    with pytest.raises(ValueError, match="ranker"):
        TwoStage(ranker="deep").fit(log)
    with pytest.raises(ValueError, match="label_fraction"):
        TwoStage(label_fraction=1.0).fit(log)
