from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from workbench.constants import EVENT_TYPE, FALLBACK, ITEM_ID, QUERY_ITEM_ID, SCORE, TIMESTAMP, USER_ID
from workbench.errors import DatasetError
from workbench.recommenders.content import ContentBased, detect_text_field

from .contract import RecommenderContract

T0 = 1_700_000_000


class TestContentBasedContract(RecommenderContract):
    def make_model(self):
        return ContentBased()


def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            ITEM_ID: ["a", "b", "c", "d", "e", "g"],
            "PRODUCT_DESCRIPTION": [
                "red leather running shoe",
                "blue leather running shoe",
                "black winter boot with fur",
                "brown winter boot waterproof",
                "silk evening dress",
                "red canvas sneaker",
            ],
            "CATEGORY_L1": ["sneakers", "sneakers", "boots", "boots", "dress", "sneakers"],
            "COLOR": ["red", "blue", "black", "brown", "red", "red"],
            "PRICE": [80.0, 85.0, 120.0, 110.0, 200.0, 40.0],
        }
    )


def log(rows) -> pd.DataFrame:
    return pd.DataFrame([(u, i, T0 + k, e) for k, (u, i, e) in enumerate(rows)],
                        columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])


BASE_LOG = [("u1", "a", "purchase"), ("u2", "c", "view"), ("u2", "d", "click"), ("u3", "f", "view")]


def test_categories_only_scores_are_token_cosines():
    # a = {CATEGORY_L1=sneakers, COLOR=red}; every vector has two tokens, so cos = shared / 2
    model = ContentBased(text_weight=0.0).fit(log(BASE_LOG), items=catalog())
    scores = dict(zip(*model.recommend("u1", n=10)[[ITEM_ID, SCORE]].to_numpy().T))
    assert scores == pytest.approx({"g": 1.0, "b": 0.5, "e": 0.5, "c": 0.0, "d": 0.0})
    assert "f" not in scores  # f has no metadata: it cannot be scored


def test_blocks_are_averaged_by_weight():
    model = ContentBased(stop_words=None, text_weight=1.0, categorical_weight=1.0).fit(log(BASE_LOG), items=catalog())
    text = TfidfVectorizer().fit_transform(catalog()["PRODUCT_DESCRIPTION"])
    cos_text_ab = float((text[0] @ text[1].T).toarray()[0, 0])
    score_b = model.recommend("u1", n=10).set_index(ITEM_ID).loc["b", SCORE]
    assert score_b == pytest.approx((cos_text_ab + 0.5) / 2)


def test_cold_item_is_recommendable_and_profile_follows_event_weights():
    model = ContentBased().fit(log([*BASE_LOG, ("u4", "a", "purchase"), ("u4", "c", "view")]), items=catalog())
    recs = model.recommend("u4", n=10)[ITEM_ID].tolist()
    assert "e" in recs and "g" in recs  # never interacted with, still scored from metadata
    assert recs.index("b") < recs.index("d")  # the purchase (weight 8) outweighs the view (weight 1)


def test_update_moves_the_profile_in_real_time():
    model = ContentBased().fit(log(BASE_LOG), items=catalog())
    assert model.recommend("u1", n=1)[ITEM_ID].tolist() == ["b"]
    model.update(log([("u1", "c", "purchase"), ("u1", "c", "purchase"), ("u1", "c", "purchase")]))
    assert model.recommend("u1", n=1)[ITEM_ID].tolist() == ["d"]


def test_anonymous_session_gets_content_list():
    model = ContentBased().fit(log(BASE_LOG), items=catalog())
    recs = model.recommend("visitor", session=["c"], n=2)
    assert recs[ITEM_ID].iloc[0] == "d"
    assert not recs[FALLBACK].any()
    assert model.recommend("visitor", n=2)[FALLBACK].all()


def test_search_exact_nearest_and_popular():
    model = ContentBased().fit(log(BASE_LOG), items=catalog())
    exact = model.search("Winter Boot")
    assert set(exact[ITEM_ID]) == {"c", "d"} and (exact["MATCH"] == "exact").all()
    near = model.search("sneekers", n=3)
    assert (near["MATCH"] == "nearest").all()
    assert near[ITEM_ID].iloc[0] in {"a", "b", "g"}  # the category text "sneakers" is closest
    assert "No item matches" in near.attrs["message"]
    nothing = model.search("zzqx")
    assert (nothing["MATCH"] == "popular").all() and "popular" in nothing.attrs["message"]


def test_explanation_lists_shared_words():
    model = ContentBased().fit(log(BASE_LOG), items=catalog())
    text = model.explain("u1", "b")
    assert "Similar description to a" in text
    assert "leather" in text and "running" in text
    assert "CATEGORY_L1=sneakers" in text


def test_similar_items_and_similar_looking():
    items = catalog().assign(VISUAL_0=[1.0, 0.0, 0.9, 0.0, 0.0, 0.1], VISUAL_1=[0.0, 1.0, 0.1, 1.0, 1.0, 0.9])
    sims = ContentBased().fit(log(BASE_LOG), items=catalog()).similar_items("c", n=1)
    assert sims[QUERY_ITEM_ID].tolist() == ["c"] and sims[ITEM_ID].tolist() == ["d"]  # winter boot, boots
    model = ContentBased().fit(log(BASE_LOG), items=items)
    assert model.similar_items("c", n=1)[ITEM_ID].tolist() == ["a"]  # now the picture dominates
    looks = model.similar_looking("a", n=1)
    assert looks[ITEM_ID].tolist() == ["c"]  # (1, 0) vs (0.9, 0.1): the most similar image
    with pytest.raises(DatasetError, match="VISUAL_"):
        ContentBased().fit(log(BASE_LOG), items=catalog()).similar_looking("a")


def test_missing_or_bad_items_frame_errors():
    with pytest.raises(DatasetError, match="Items frame"):
        ContentBased().fit(log(BASE_LOG))
    dup = pd.concat([catalog(), catalog().iloc[[2]]], ignore_index=True)
    with pytest.raises(DatasetError, match="row 7"):
        ContentBased().fit(log(BASE_LOG), items=dup)
    with pytest.raises(DatasetError, match="no usable metadata"):
        ContentBased().fit(log(BASE_LOG), items=catalog()[[ITEM_ID, "PRICE"]])


def test_detect_text_field():
    assert detect_text_field(catalog()) == "PRODUCT_DESCRIPTION"
    blurb = pd.DataFrame({ITEM_ID: ["x", "y"], "BLURB": ["a fairly long sentence about x", "another long one on y"],
                          "SIZE": ["S", "M"]})
    assert detect_text_field(blurb) == "BLURB"
    assert detect_text_field(blurb[[ITEM_ID, "SIZE"]]) is None


def test_korean_descriptions_without_stop_words():
    items = pd.DataFrame({ITEM_ID: ["k1", "k2", "k3"],
                          "DESCRIPTION": ["고양이 영상 귀여운", "고양이 영상 재미있는", "자동차 리뷰 영상"]})
    model = ContentBased(stop_words=None).fit(log([("u", "k1", "view")]), items=items)
    assert model.recommend("u", n=1)[ITEM_ID].tolist() == ["k2"]
    assert np.isfinite(model.recommend("u", n=2)[SCORE]).all()
