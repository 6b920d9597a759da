"""compare(): fit several recommenders on one split, one table."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from workbench.metrics import compare, evaluate
from workbench.recommenders import Popularity


@pytest.fixture
def split(tiny_interactions):
    train = tiny_interactions[~tiny_interactions["USER_ID"].isin(["u5", "u6"])]
    test = pd.DataFrame({"USER_ID": ["u5", "u5", "u6"], "ITEM_ID": ["i1", "i3", "i2"], "TIMESTAMP": [0, 1, 2]})
    return types.SimpleNamespace(train=train, test=test, input=train.iloc[:0], fit_frame=train)


def test_compare_fits_and_scores_each_model(split):
    table = compare({"by users": Popularity(), "by events": Popularity(count="events")}, split, k=3)
    assert list(table["model"]) == ["by users", "by events"]
    for column in ["fit_seconds", "recommend_seconds", "users", "Precision@3", "NDCG@3", "MAP@3", "Coverage"]:
        assert column in table.columns
    assert (table["fit_seconds"] >= 0).all() and (table["users"] == 2).all()
    # the table's numbers are exactly evaluate() on the model's own lists
    model = Popularity().fit(split.fit_frame)
    recs = model.recommend(["u5", "u6"], n=3)
    expected = evaluate(recs, split.test, k=3).summary
    row = table.set_index("model").loc["by users"]
    for label, value in expected.items():
        assert row[label] == pytest.approx(value)
    # popularity (users): i1 (3 users), i2 (3), i3 (2) -> u5 and u6 are unknown users, same list
    assert set(recs["ITEM_ID"]) == {"i1", "i2", "i3"}
    assert row["Recall@3"] == pytest.approx((2 / 2 + 1 / 1) / 2)


def test_compare_accepts_a_list_and_a_tuple(split):
    table = compare([Popularity()], (split.train, split.test), k=2, metrics=["ndcg"])
    assert list(table["model"]) == ["Popularity"]
    assert "NDCG@2" in table.columns and "Precision@2" not in table.columns
    with pytest.raises(TypeError):
        compare([Popularity()], split.train)
    with pytest.raises(ValueError):
        compare({}, split)


def test_repeats_of_the_input_cannot_be_hit_with_seen_items_excluded(tiny_interactions):
    from workbench.metrics import repeat_share

    # u1 keeps i1 and i2 as input; its truth repeats i1 (a second look) and adds i8; u2's only truth repeats its input
    fit = tiny_interactions[~tiny_interactions["USER_ID"].isin(["u1", "u2"])]
    history = pd.DataFrame({"USER_ID": ["u1", "u1", "u2"], "ITEM_ID": ["i1", "i2", "i1"], "TIMESTAMP": [0, 1, 2]})
    truth = pd.DataFrame({"USER_ID": ["u1", "u1", "u2"], "ITEM_ID": ["i1", "i8", "i1"], "TIMESTAMP": [5, 6, 7]})
    split = types.SimpleNamespace(train=fit, test=truth, input=history, fit_frame=pd.concat([fit, history]))
    share, hopeless, users = repeat_share(split)
    assert share == pytest.approx(2 / 3) and (hopeless, users) == (1, 2)
    table, evals = compare({"pop": Popularity()}, split, k=5, metrics=["hit_rate"], with_evaluations=True)
    again = compare({"pop": Popularity()}, split, k=5, metrics=["hit_rate"], exclude_seen=False)
    per_user = evals["pop"].per_user.set_index("USER_ID")["HitRate@5"]
    assert per_user["u2"] == 0.0  # its only truth item is excluded from its list
    assert again["HitRate@5"].iloc[0] >= table["HitRate@5"].iloc[0]
    assert repeat_share((fit, truth)) == (0.0, 0, 2)
