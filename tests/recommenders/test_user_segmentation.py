"""Item-Affinity and Item-Attribute-Affinity: segments, unknown items, attribute queries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, ITEM_ID, QUERY, RANK, SCORE, TIMESTAMP, USER_ID
from workbench.recommenders import ItemAffinity, ItemAttributeAffinity, SegmentQueryError
from workbench.recommenders.user_segmentation import attribute_columns, parse_attribute_query


def _shop(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two taste groups: users 0-29 click hiking items h0-h9, users 30-59 click sandals s0-s9."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(60):
        group = "h" if u < 30 else "s"
        for _ in range(8):
            rows.append((f"u{u}", f"{group}{rng.integers(0, 10)}"))
    frame = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID])
    frame[TIMESTAMP] = 1_700_000_000 + np.arange(len(frame))
    frame[EVENT_TYPE] = "click"
    items = pd.DataFrame({ITEM_ID: [f"h{i}" for i in range(10)] + [f"s{i}" for i in range(10)] + ["new1"],
                          "CATEGORY_L1": ["hiking"] * 10 + ["sandals"] * 10 + ["hiking"],
                          "BRAND": ["Norrland|Altura"] * 5 + ["Kestrel"] * 15 + ["Kestrel"],
                          "PRODUCT_DESCRIPTION": ["text"] * 21,
                          "CREATION_TIMESTAMP": 1_700_000_000})
    return frame, items


@pytest.mark.parametrize("solver", ["cholesky", "implicit"])
def test_item_affinity_puts_the_item_s_own_group_first(solver):
    log, items = _shop()
    model = ItemAffinity(solver=solver, factors=4, epochs=10).fit(log, items)
    seg = model.segment(["h3", "s3"], n=20)
    assert list(seg.columns) == [QUERY, USER_ID, SCORE, RANK]
    for item, group in (("h3", range(30)), ("s3", range(30, 60))):
        users = seg.loc[seg[QUERY] == item, USER_ID]
        assert len(users) == 20
        assert users.isin([f"u{u}" for u in group]).mean() >= 0.9
        scores = seg.loc[seg[QUERY] == item, SCORE].to_numpy()
        assert np.all(np.diff(scores) <= 0)
    assert seg.loc[seg[QUERY] == "h3", RANK].tolist() == list(range(1, 21))


def test_item_affinity_gives_no_segment_for_an_item_without_interactions_and_says_which():
    log, items = _shop()
    model = ItemAffinity(solver="cholesky", factors=4).fit(log, items)
    seg = model.segment(["new1", "never-heard-of", "h1"])
    assert set(seg[QUERY]) == {"h1"}
    assert len(seg) == 60  # n=None: every trained user
    assert model.unknown_items(["new1", "never-heard-of", "h1"]) == ["new1", "never-heard-of"]
    assert model.segment("h1", n=3)[QUERY].tolist() == ["h1"] * 3  # one id, not a list, is fine too
    assert model.unknown_items(np.str_("new1")) == ["new1"]


def test_unfitted_model_says_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        ItemAffinity().segment(["h1"])


def test_attribute_query_matches_every_condition_and_multi_value_fields():
    log, items = _shop()
    model = ItemAttributeAffinity(solver="cholesky", factors=4).fit(log, items)
    assert sorted(model.matching_items('ITEMS.CATEGORY_L1 = "hiking"')) == sorted([f"h{i}" for i in range(10)] + ["new1"])
    assert sorted(model.matching_items('ITEMS.BRAND = "Altura"')) == [f"h{i}" for i in range(5)]
    assert sorted(model.matching_items('ITEMS.BRAND = "Kestrel" AND ITEMS.CATEGORY_L1 = "hiking"')) == \
        [f"h{i}" for i in range(5, 10)] + ["new1"]
    seg = model.segment_attributes(['ITEMS.CATEGORY_L1 = "hiking"', 'ITEMS.CATEGORY_L1 = "sandals"'], n=25)
    hiking = seg.loc[seg[QUERY] == 'ITEMS.CATEGORY_L1 = "hiking"', USER_ID]
    assert hiking.isin([f"u{u}" for u in range(30)]).mean() >= 0.9
    # a query no trained item matches: no rows
    assert model.segment_attributes('ITEMS.CATEGORY_L1 = "boots"').empty


def test_attribute_affinity_needs_items_with_a_usable_column():
    log, items = _shop()
    with pytest.raises(SegmentQueryError, match="needs an Items dataset"):
        ItemAttributeAffinity().fit(log)
    with pytest.raises(SegmentQueryError, match="non-textual metadata column"):
        ItemAttributeAffinity().fit(log, items[[ITEM_ID, "PRODUCT_DESCRIPTION", "CREATION_TIMESTAMP"]])
    assert attribute_columns(items) == ["CATEGORY_L1", "BRAND"]
    model = ItemAttributeAffinity(solver="cholesky", factors=4).fit(log, items)
    with pytest.raises(SegmentQueryError, match="PRODUCT_DESCRIPTION is not a usable attribute"):
        model.segment_attributes('ITEMS.PRODUCT_DESCRIPTION = "text"')


@pytest.mark.parametrize("query, fragment", [
    ("", "non-empty string"),
    ('CATEGORY_L1 = "hiking"', "ITEMS.<COLUMN>"),
    ('ITEMS.CATEGORY_L1 = "hiking" OR ITEMS.BRAND = "Kestrel"', "only AND may join conditions"),
    ('ITEMS.CATEGORY_L1 = "hiking" AND', "is not of the form"),
    ("ITEMS.CATEGORY_L1 = hiking", "is not of the form"),
])
def test_unreadable_queries_name_the_condition(query, fragment):
    with pytest.raises(SegmentQueryError, match=fragment):
        parse_attribute_query(query)


def test_parse_reads_and_conditions_and_keeps_and_inside_quotes():
    assert parse_attribute_query('ITEMS.genres = "Comedy" AND ITEMS.genres = "Action"') == \
        [("genres", "Comedy"), ("genres", "Action")]
    assert parse_attribute_query('ITEMS.genres = "Rock AND Roll"') == [("genres", "Rock AND Roll")]


def test_matching_follows_the_filters_for_missing_numeric_and_repeated_cells():
    log, items = _shop()
    items = items.assign(PRICE=[19.0] * 10 + [45.5] * 10 + [19.0])
    items.loc[items[ITEM_ID] == "h0", "BRAND"] = None  # a missing value never matches
    items = pd.concat([items, items[items[ITEM_ID] == "s9"].assign(BRAND="Altura")], ignore_index=True)  # last row wins
    model = ItemAttributeAffinity(solver="cholesky", factors=4).fit(log, items)
    assert sorted(model.matching_items('ITEMS.BRAND = "Altura"')) == ["h1", "h2", "h3", "h4", "s9"]
    assert "s9" in model.matching_items('ITEMS.BRAND = "Altura"') and \
        "s9" not in model.matching_items('ITEMS.BRAND = "Kestrel"')
    assert sorted(model.matching_items('ITEMS.PRICE = "19"')) == sorted([f"h{i}" for i in range(10)] + ["new1"])


def test_textual_columns_named_in_the_frame_are_not_attributes():
    _, items = _shop()
    items.attrs["textual_fields"] = ["BRAND"]
    assert attribute_columns(items) == ["CATEGORY_L1"]


def test_user_filters_parse_select_users_and_refuse_other_datasets():
    from workbench.errors import FilterExpressionError
    from workbench.recommenders.filters import is_user_filter, parse_filter, parse_user_filter

    users = pd.DataFrame({USER_ID: ["u1", "u2", "u3"], "MEMBERSHIP": ["gold", "basic", None]})
    keep = parse_user_filter('INCLUDE UserID WHERE Users.MEMBERSHIP IN ("gold")')
    assert keep.selects_users and is_user_filter(keep.expression)
    assert keep.user_mask(["u1", "u2", "u3", "u9"], users).tolist() == [True, False, False, False]
    drop = parse_user_filter('EXCLUDE UserID WHERE Users.MEMBERSHIP IN ("basic")')
    assert drop.user_mask(["u1", "u2", "u3"], users).tolist() == [True, False, True]
    with pytest.raises(FilterExpressionError, match="tests the Users dataset"):
        parse_user_filter('INCLUDE UserID WHERE Items.CATEGORY_L1 IN ("boots")')
    with pytest.raises(FilterExpressionError, match="selects users: write INCLUDE UserID"):
        parse_user_filter('INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")')
    with pytest.raises(FilterExpressionError, match="UserID filters select user segments"):
        parse_filter('INCLUDE UserID WHERE Users.MEMBERSHIP IN ("gold")')
    with pytest.raises(FilterExpressionError, match="selects items, not users"):
        parse_filter('INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")').user_mask(["u1"], users)


def test_user_filters_do_not_filter_recommendation_lists_and_do_not_mix_with_item_filters():
    from workbench.errors import FilterExpressionError
    from workbench.recommenders import Popularity
    from workbench.recommenders.filters import as_filter, parse_filter, parse_user_filter

    log, items = _shop()
    users = pd.DataFrame({USER_ID: [f"u{u}" for u in range(60)], "MEMBERSHIP": ["gold"] * 60})
    gold = 'INCLUDE UserID WHERE Users.MEMBERSHIP IN ("gold")'
    model = Popularity().fit(log, items=items, users=users)
    with pytest.raises(FilterExpressionError, match="selects users"):
        model.recommend(["u1"], filter=parse_user_filter(gold))
    with pytest.raises(FilterExpressionError, match="selects users"):
        model.recommend(["u1"], filter=gold)
    chained = as_filter(gold) | 'EXCLUDE UserID WHERE Users.MEMBERSHIP IN ("basic")'
    assert chained.selects_users and chained.user_mask(["u1"], users).tolist() == [True]
    with pytest.raises(FilterExpressionError, match="one part selects users"):
        parse_filter('EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")') | gold
