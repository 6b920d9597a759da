from __future__ import annotations

import numpy as np
import pytest

from workbench.recommenders import RandomItems

from .contract import RecommenderContract, contract_dataset


class TestRandomItemsContract(RecommenderContract):
    def make_model(self):
        return RandomItems()


def test_lists_are_uniform_over_the_candidates_and_stable_per_user():
    interactions, items, users = contract_dataset()
    model = RandomItems(n=5).fit(interactions, items=items)
    everyone = model.recommend(users["USER_ID"], n=5, exclude_seen=False)
    # every item shown about equally often: 60 users x 5 slots over 40 items = 7.5 each
    counts = everyone["ITEM_ID"].value_counts().reindex(items["ITEM_ID"], fill_value=0)
    assert counts.min() >= 1 and counts.max() <= 20
    one = model.recommend(["user007"], n=5, exclude_seen=False)
    assert one["ITEM_ID"].tolist() == everyone[everyone["USER_ID"] == "user007"]["ITEM_ID"].tolist()
    other_seed = RandomItems(n=5, seed=1).fit(interactions, items=items).recommend(["user007"], exclude_seen=False)
    assert other_seed["ITEM_ID"].tolist() != one["ITEM_ID"].tolist()


def test_candidates_restrict_the_draw_even_to_items_without_interactions():
    interactions, items, _ = contract_dataset()
    unseen = sorted(set(items["ITEM_ID"]) - set(interactions["ITEM_ID"]))
    launched = ("item000", "item001", "item002") if not unseen else tuple(unseen[:3])
    model = RandomItems(candidates=launched).fit(interactions[~interactions["ITEM_ID"].isin(launched)], items=items)
    recs = model.recommend(["user001", "someone new"], n=10)
    assert set(recs["ITEM_ID"]) <= set(launched)
    assert recs.groupby("USER_ID").size().to_dict() == {"someone new": 3, "user001": 3}
    assert recs.set_index("USER_ID").loc["someone new", "FALLBACK"].all()
    with pytest.raises(ValueError, match="names no item"):
        RandomItems(candidates=("nope",)).fit(interactions)
    assert np.isfinite(recs["SCORE"]).all()
