"""The shared option-config checker of the evidence recipes (``recipes.allowed_keys``)."""

from __future__ import annotations

from workbench.exam.recipes import RECIPES, allowed_keys


def test_allowed_keys_checks_names_types_required_and_choices():
    check = allowed_keys({"unit": str, "n": int}, required=("unit",), choices={"unit": ("seconds", "ms")})
    assert check({"unit": "seconds", "n": 3}) is None
    assert check({"unit": "ms"}) is None
    assert check({"n": 3}) == "parameter 'unit' is required."
    assert check({"unit": "seconds", "x": 1}) == "unknown parameter 'x'; allowed: unit, n."
    assert check({"unit": "seconds", "n": "3"}) == "parameter 'n' has the wrong type (str)."
    assert check({"unit": "hours"}) == "unit 'hours' is not one of seconds, ms."


def test_an_optional_choice_is_only_checked_when_given():
    check = allowed_keys({"retrain": str, "filter": bool}, choices={"retrain": ("none", "nightly")})
    assert check({"filter": True}) is None
    assert check({"retrain": "weekly"}) == "retrain 'weekly' is not one of none, nightly."


def test_the_recipes_refuse_a_value_outside_their_choices():
    assert RECIPES["segments"].check_config({"segment": "x"}).startswith("segment 'x' is not one of ")
    assert RECIPES["timestamp_units"].check_config({"unit": "ms"}).startswith("unit 'ms' is not one of ")
    assert RECIPES["metric_choice"].check_config({"metric": "F1"}).startswith("metric 'F1' is not one of ")
    assert RECIPES["purchased_filter"].check_config({"retrain": "weekly"}) == \
        "retrain 'weekly' is not one of none, nightly."
