"""Filter expressions: parsing, hand-checked masks, chaining algebra and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import FilterExpressionError
from workbench.recommenders import Popularity
from workbench.recommenders.filters import (
    INTERACTIONS_PER_EVENT_TYPE,
    Filter,
    as_filter,
    exclude_purchased,
    include_category,
    parse_filter,
)

ITEMS = pd.DataFrame(
    {
        "ITEM_ID": ["a", "b", "c", "d", "e"],
        "CATEGORY": ["boots", "sneakers|running", "running|trail", "sandals", None],
        "PRICE": [120.0, 80.0, 95.0, 30.0, 60.0],
        "DESCRIPTION": ["warm boot", "light shoe", "trail shoe", "beach", "mystery"],
        "ON_SALE": [True, False, True, False, False],
    }
)
USERS = pd.DataFrame({"USER_ID": ["u1", "u2", "u3"], "AGE": [17, 30, 45], "TIER": ["vip", "normal", "vip"]})
HISTORY = pd.DataFrame(
    {
        "USER_ID": ["u1", "u1", "u2", "u2", "u3"],
        "ITEM_ID": ["a", "b", "b", "c", "e"],
        "TIMESTAMP": [1, 2, 3, 4, 5],
        "EVENT_TYPE": ["Purchase", "click", "view", "purchase", "click"],
    }
)
USER_IDS = ["u1", "u2", "u3"]
ITEM_IDS = ["a", "b", "c", "d", "e"]


def mask(expression, values=None, users=USER_IDS, history=HISTORY):
    return as_filter(expression).mask(users, ITEM_IDS, history, ITEMS, USERS, values)


def allowed(expression, values=None, user="u1"):
    """Allowed item ids for one user, as a sorted list (easy to compare with hand answers)."""
    row = mask(expression, values, users=[user])[0]
    return [i for i, ok in zip(ITEM_IDS, row) if ok]


# ------------------------------------------------------------------ items
def test_include_in_matches_any_value_of_multi_value_fields():
    # b = sneakers|running, c = running|trail -> both contain "running"
    assert allowed('INCLUDE ItemID WHERE Items.CATEGORY IN ("running")') == ["b", "c"]
    assert allowed('INCLUDE ItemID WHERE Items.CATEGORY IN ("boots", "trail")') == ["a", "c"]


def test_exclude_not_in_and_missing_values_never_match():
    # NOT IN ("boots","sandals") matches b, c (e has no category, so it matches neither IN nor NOT IN)
    assert allowed('INCLUDE ItemID WHERE Items.CATEGORY NOT IN ("boots", "sandals")') == ["b", "c"]
    assert allowed('EXCLUDE ItemID WHERE Items.CATEGORY NOT IN ("boots", "sandals")') == ["a", "d", "e"]


def test_values_are_case_sensitive_for_item_fields():
    assert allowed('INCLUDE ItemID WHERE Items.CATEGORY IN ("Boots")') == []


@pytest.mark.parametrize(
    ("op", "expected"),
    [("<", ["d", "e"]), ("<=", ["b", "d", "e"]), (">", ["a", "c"]), (">=", ["a", "b", "c"]), ("=", ["b"])],
)
def test_numeric_comparisons(op, expected):
    # prices a120 b80 c95 d30 e60, threshold 80
    assert allowed(f"INCLUDE ItemID WHERE Items.PRICE {op} 80") == expected


def test_parameter_values_in_several_spellings():
    expr = "INCLUDE ItemID WHERE Items.CATEGORY IN ($CAT)"
    assert allowed(expr, {"CAT": ["boots", "sandals"]}) == ["a", "d"]
    assert allowed(expr, {"$CAT": '"boots","sandals"'}) == ["a", "d"]  # Personalize's filterValues form
    assert allowed(expr, {"CAT": "sandals"}) == ["d"]
    assert allowed("INCLUDE ItemID WHERE Items.PRICE <= $PRICE", {"PRICE": "60"}) == ["d", "e"]


def test_and_binds_tighter_than_or():
    # (running AND price < 90) OR sandals  ->  b (running, 80) and d (sandals)
    expr = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("running") AND Items.PRICE < 90 OR Items.CATEGORY IN ("sandals")'
    assert allowed(expr) == ["b", "d"]


# ------------------------------------------------------------ interactions
def test_event_types_are_case_insensitive_and_per_user():
    expr = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
    m = mask(expr)
    # u1 purchased a ("Purchase"), u2 purchased c, u3 purchased nothing
    assert m.tolist() == [
        [False, True, True, True, True],
        [True, True, False, True, True],
        [True, True, True, True, True],
    ]


def test_star_matches_every_event_type():
    assert allowed('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', user="u2") == ["a", "d", "e"]
    assert allowed('INCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("*")', user="u1") == ["a", "b"]


def test_only_the_100_most_recent_interactions_per_event_type_count():
    n = INTERACTIONS_PER_EVENT_TYPE + 5
    items = [f"p{k}" for k in range(n)]
    history = pd.DataFrame(
        {"USER_ID": "u", "ITEM_ID": items, "TIMESTAMP": np.arange(n), "EVENT_TYPE": "purchase"}
    )
    # a view of an old item is counted under its own event type
    history = pd.concat([history, pd.DataFrame(
        {"USER_ID": ["u"], "ITEM_ID": ["p0"], "TIMESTAMP": [0], "EVENT_TYPE": ["view"]})], ignore_index=True)
    f = parse_filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    m = f.mask(["u"], items, history, None, None, None)[0]
    assert m.sum() == 5  # the five oldest purchases fall outside the window
    assert m[:5].all() and not m[5:].any()
    both = parse_filter('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "view")')
    m2 = both.mask(["u"], items, history, None, None, None)[0]
    assert m2[1:5].all() and not m2[0]  # p0 is still within the newest 100 views


def test_duplicate_user_ids_get_identical_rows():
    m = mask('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")', users=["u2", "u1", "u2"])
    assert (m[0] == m[2]).all() and not (m[0] == m[1]).all()


# ---------------------------------------------------------------- chaining
def test_two_includes_unite_and_include_exclude_subtract_in_any_order():
    boots = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("boots")'
    sandals = 'INCLUDE ItemID WHERE Items.CATEGORY IN ("sandals")'
    bought = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
    cheap = "EXCLUDE ItemID WHERE Items.PRICE < 50"
    assert allowed(f"{boots} | {sandals}") == ["a", "d"]
    assert allowed(f"{boots} | {sandals} | {bought}") == ["d"]  # u1 bought a
    assert allowed(f"{bought} | {boots} | {sandals}") == ["d"]
    assert allowed(f"{bought} | {cheap}") == ["b", "c", "e"]  # union of two exclusions
    assert allowed(f"{sandals} | {cheap}") == []


def test_filter_objects_chain_with_pipe():
    combined = include_category("CATEGORY", ["boots", "sandals"]) | exclude_purchased()
    assert isinstance(combined, Filter)
    assert [i for i, ok in zip(ITEM_IDS, combined.mask(["u1"], ITEM_IDS, HISTORY, ITEMS, USERS)[0]) if ok] == ["d"]


# ---------------------------------------------------------------- IF / params
def test_if_current_user_limits_the_expression_to_matching_users():
    expr = 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("boots") IF CurrentUser.TIER = $TIER'
    m = mask(expr, {"TIER": "vip"})
    # u1 and u3 are vip -> boots (a) hidden for them only
    assert m[:, 0].tolist() == [False, True, False]
    assert m[:, 1:].all()
    young = mask('INCLUDE ItemID WHERE Items.PRICE < 90 IF CurrentUser.AGE < 18')
    assert young[0].tolist() == [False, True, False, True, True]
    assert young[1:].all()  # the INCLUDE does not apply to adults


def test_missing_parameter_in_exclude_is_ignored_but_include_needs_all():
    expr = 'EXCLUDE ItemID WHERE Items.CATEGORY IN ($CAT) AND Items.PRICE > 100'
    assert allowed(expr) == ["b", "c", "d", "e"]  # only the PRICE part remains (a costs 120)
    assert allowed("EXCLUDE ItemID WHERE Items.CATEGORY IN ($CAT)") == ITEM_IDS
    with pytest.raises(FilterExpressionError, match=r"\$CAT"):
        mask("INCLUDE ItemID WHERE Items.CATEGORY IN ($CAT)")
    assert parse_filter(expr).parameters == ("CAT",)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("EXCLUDE ItemID WHERE Interactions.EVENT_VALUE > 3", "event value"),
        ('EXCLUDE ItemID WHERE Interactions.DEVICE IN ("mobile")', "only EVENT_TYPE"),
        ("INCLUDE ItemID WHERE Items.PRICE < CurrentItem.PRICE", "related-items"),
        ('INCLUDE ItemID WHERE Catalog.COLOR IN ("red")', "unknown dataset 'Catalog'"),
        ('INCLUDE UserID WHERE Users.TIER IN ("vip")', "UserID"),
        ('INCLUDE ItemID WHERE Items.CATEGORY IN ("a") AND Interactions.EVENT_TYPE IN ("click")', "chained with '|'"),
        ('INCLUDE ItemID WHERE Items.CATEGORY IN ("a"', "expected ')'"),
        ('INCLUDE ItemID Items.CATEGORY IN ("a")', "expected WHERE"),
        ('INCLUDE ItemID WHERE Items.PRICE < "cheap"', "compares numbers"),
        ('INCLUDE ItemID WHERE Items.CATEGORY IN ("a") ; DROP', "unexpected character ';'"),
        ('INCLUDE ItemID WHERE Items.CATEGORY IN ("*")', "only in Interactions"),
        ('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("view")', "only EVENT_TYPE IN"),
        ("", "non-empty"),
    ],
)
def test_unsupported_or_malformed_expressions_raise_clear_errors(expression, fragment):
    with pytest.raises(FilterExpressionError) as info:
        parse_filter(expression)
    assert fragment.lower() in str(info.value).lower()


@pytest.mark.parametrize(
    ("expression", "culprit"),
    [
        ("EXCLUDE ItemID WHERE Interactions.EVENT_VALUE > 3", "Interactions.EVENT_VALUE"),
        ('INCLUDE ItemID WHERE Items.A IN ("x") OR Interactions.EVENT_TYPE IN ("view")', "Interactions.EVENT_TYPE"),
        ('INCLUDE ItemID WHERE Items.A IN ("x") IF CurrentUser.B = 1 OR CurrentUser.C = 2', "OR CurrentUser.C"),
    ],
)
def test_error_points_at_the_offending_position(expression, culprit):
    with pytest.raises(FilterExpressionError) as info:
        parse_filter(expression)
    lines = str(info.value).splitlines()
    caret = lines[-1].index("^") - 4  # the message indents the expression by four spaces
    assert expression[caret:].startswith(culprit)


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ('INCLUDE ItemID WHERE Items.DESCRIPTION IN ("boot")', "textual"),
        ('INCLUDE ItemID WHERE Items.ON_SALE IN ("True")', "boolean"),
        ('INCLUDE ItemID WHERE Items.COLOUR IN ("red")', "no column 'COLOUR'"),
        ('INCLUDE ItemID WHERE Items.CATEGORY > 3', "numerical"),
    ],
)
def test_data_dependent_problems_raise_when_the_mask_is_built(expression, fragment):
    with pytest.raises(FilterExpressionError, match=fragment):
        mask(expression)


def test_item_filter_without_items_frame_says_how_to_fix():
    with pytest.raises(FilterExpressionError, match="items="):
        parse_filter('INCLUDE ItemID WHERE Items.CATEGORY IN ("a")').mask(["u1"], ITEM_IDS, HISTORY, None, None)


# --------------------------------------------------------------- properties
categories = st.sets(st.sampled_from(["boots", "sneakers", "running", "trail", "sandals"]), min_size=1)


@settings(max_examples=40, deadline=None)
@given(include=categories, exclude=categories)
def test_chain_equals_include_minus_exclude(include, exclude):
    inc = include_category("CATEGORY", sorted(include))
    quoted = ", ".join(f'"{c}"' for c in sorted(exclude))
    exc = parse_filter(f"EXCLUDE ItemID WHERE Items.CATEGORY IN ({quoted})")
    m_inc = inc.mask(USER_IDS, ITEM_IDS, HISTORY, ITEMS, USERS)
    m_exc = exc.mask(USER_IDS, ITEM_IDS, HISTORY, ITEMS, USERS)
    chained = (inc | exc).mask(USER_IDS, ITEM_IDS, HISTORY, ITEMS, USERS)
    reverse = (exc | inc).mask(USER_IDS, ITEM_IDS, HISTORY, ITEMS, USERS)
    np.testing.assert_array_equal(chained, m_inc & m_exc)
    np.testing.assert_array_equal(chained, reverse)
    # an item passes the INCLUDE iff one of its categories is in the set
    for col, item in enumerate(ITEM_IDS):
        value = ITEMS.set_index("ITEM_ID").loc[item, "CATEGORY"]
        cats = set(value.split("|")) if isinstance(value, str) else set()
        assert m_inc[0, col] == bool(cats & include)


# ------------------------------------------------------------- integration
def test_recommend_honours_filters_and_tracked_purchases(tiny_interactions):
    items = pd.DataFrame({"ITEM_ID": [f"i{k}" for k in range(1, 9)],
                          "CATEGORY": ["x", "y", "x", "y", "x", "y", "x", "y"]})
    model = Popularity(n=8).fit(tiny_interactions, items=items)
    recs = model.recommend(["u5"], filter=include_category("CATEGORY", "x"), exclude_seen=False)
    assert set(recs["ITEM_ID"]) == {"i1", "i3", "i5", "i7"}
    # a purchase tracked after training disappears at once through the interaction filter
    model.update(pd.DataFrame({"USER_ID": ["u5"], "ITEM_ID": ["i1"], "TIMESTAMP": [1_800_000_000],
                               "EVENT_TYPE": ["purchase"]}))
    recs = model.recommend(["u5"], filter="INCLUDE ItemID WHERE Items.CATEGORY IN ($C) | " + str(exclude_purchased()),
                           filter_values={"C": ["x"]}, exclude_seen=False)
    assert set(recs["ITEM_ID"]) == {"i3", "i5", "i7"}


def test_as_filter_rejects_other_types():
    with pytest.raises(TypeError):
        as_filter(42)


# ------------------------------------------------------- schema checks (CreateFilter)
@pytest.mark.parametrize("expression, fragment", [
    ('INCLUDE ItemID WHERE Items.NOPE IN ("x")', "has no field 'NOPE'"),
    ('EXCLUDE ItemID WHERE Items.DESCRIPTION IN ("boot")', "textual"),
    ('INCLUDE ItemID WHERE Items.ON_SALE IN ("True")', "boolean"),
    ("INCLUDE ItemID WHERE Items.CATEGORY > 3", "categorical (text) field"),
    ("INCLUDE ItemID WHERE Items.CATEGORY <= $LEVEL", "categorical (text) field"),
    ("INCLUDE ItemID WHERE Items.CATEGORY IN (3)", "bare number"),
    ('EXCLUDE ItemID WHERE Items.CATEGORY IN ("boots") IF CurrentUser.NOPE = "x"', "Users dataset has no field"),
])
def test_check_schema_names_the_problem(expression, fragment):
    with pytest.raises(FilterExpressionError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_filter(expression).check_schema(ITEMS, USERS)


@pytest.mark.parametrize("expression", [
    'INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)',
    "INCLUDE ItemID WHERE Items.PRICE <= $PRICE",
    "INCLUDE ItemID WHERE Items.PRICE > 50 AND Items.CATEGORY IN (\"boots\")",
    'EXCLUDE ItemID WHERE Items.CATEGORY IN ("boots") IF CurrentUser.AGE = $AGE',
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
])
def test_check_schema_accepts_valid_expressions(expression):
    parse_filter(expression).check_schema(ITEMS, USERS)
    parse_filter(expression).check_schema(None, None)  # nothing known yet: nothing to check


_FIELD = st.sampled_from(["CATEGORY", "PRICE", "DESCRIPTION", "ON_SALE", "NOPE"])
_OP = st.sampled_from(["IN", "NOT IN", "=", "<", "<=", ">", ">="])
_VALUE = st.sampled_from(['"boots"', "3", "90"])


@settings(max_examples=80)
@given(action=st.sampled_from(["INCLUDE", "EXCLUDE"]), field=_FIELD, op=_OP, value=_VALUE)
def test_schema_checked_filters_build_their_mask(action, field, op, value):
    """Every generated expression that passes check_schema evaluates on the same data without an error."""
    text = f"({value})" if op in ("IN", "NOT IN") else value
    try:
        flt = parse_filter(f"{action} ItemID WHERE Items.{field} {op} {text}")
        flt.check_schema(ITEMS, USERS)
    except FilterExpressionError:  # refused up front: what CreateFilter reports
        return
    mask = flt.mask(USER_IDS, ITEMS["ITEM_ID"], HISTORY, ITEMS, USERS)
    assert mask.shape == (3, 5) and mask.dtype == bool


def test_missing_parameters_lists_only_required_ones():
    flt = parse_filter('INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY) | '
                       'EXCLUDE ItemID WHERE Items.PRICE > $MAX IF CurrentUser.AGE = $AGE')
    assert flt.missing_parameters(None) == ("CATEGORY", "AGE")
    assert flt.missing_parameters({"$CATEGORY": '"boots"'}) == ("AGE",)
    assert flt.missing_parameters({"CATEGORY": ["boots"], "AGE": 17}) == ()


# ------------------------------------------------------------------ event history
def test_event_history_appends_columns_and_builds_one_frame():
    from workbench.recommenders.filters import EventHistory

    history = EventHistory(HISTORY)
    history.append(["u9", "u9"], ["a", "c"], [10, 11], ["click", None])
    history.append(["u1"], ["d"], [12])
    frame = history.frame()
    assert len(history) == len(frame) == len(HISTORY) + 3 and history.n_tracked == 3
    assert frame["USER_ID"].tolist()[-3:] == ["u9", "u9", "u1"]
    assert frame["TIMESTAMP"].tolist()[-3:] == [10, 11, 12]
    assert frame["EVENT_TYPE"].tolist()[-3] == "click" and frame["EVENT_TYPE"].isna().sum() == 2
    assert history.frame() is frame, "cached until the next append"
    mask = exclude_purchased("click").mask(["u9"], ["a", "c"], frame)
    assert mask.tolist() == [[False, True]]
    with pytest.raises(ValueError, match="as many"):
        history.append(["u1"], ["a", "b"], [1])
    import copy

    twin = copy.deepcopy(history)  # models are deep-copied (notebooks, simulations): the lock is recreated
    twin.append(["u2"], ["e"], [13])
    assert len(twin) == len(history) + 1 and twin.frame()["ITEM_ID"].iloc[-1] == "e"
