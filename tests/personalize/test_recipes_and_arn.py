"""The recipe catalogue follows the fact sheet; ARNs look like the service's."""

from __future__ import annotations

import pytest

from workbench.personalize import (
    RECIPES,
    find_recipe,
    make_arn,
    parse_arn,
    realtime_mismatches,
    recipe_table,
    workbench_model_class,
)
from workbench.personalize.arn import dataset_arn


def test_table_has_one_row_per_recipe_with_sources():
    table = recipe_table()
    assert len(table) == len(RECIPES)
    assert table["name"].is_unique
    assert table["source"].str.startswith("§").all()
    arns = table["arn"].dropna()
    assert arns.str.startswith("arn:aws:personalize:::recipe/aws-").all()
    assert set(table["kind"]) == {"custom", "ECOMMERCE", "VIDEO_ON_DEMAND"}


@pytest.mark.parametrize("name, realtime, new_items", [
    ("User-Personalization-v2", True, True),
    ("User-Personalization", True, True),
    ("SIMS", False, False),
    ("Similar-Items", False, False),
    ("Popularity-Count", False, False),
    ("Trending-Now", None, True),
    ("Recommended for you", True, True),
    ("Top picks for you", True, True),
    ("Best sellers", False, False),
])
def test_realtime_and_new_item_flags_match_the_fact_sheet(name, realtime, new_items):
    recipe = find_recipe(name)
    assert recipe.realtime is realtime
    assert recipe.new_items_without_retraining is new_items


def test_unconfirmed_facts_stay_unknown():
    semantic = find_recipe("Semantic-Similarity")
    assert semantic.arn is None and semantic.realtime is None and semantic.recipe_type is None
    assert "UNCONFIRMED" in semantic.notes


def test_batch_flags_from_the_fact_sheet():
    assert find_recipe("Trending-Now").batch is False
    assert find_recipe("Next-Best-Action").batch is False
    assert find_recipe("SIMS").batch is True


@pytest.mark.parametrize("key", ["SIMS", "sims", "aws-sims", "arn:aws:personalize:::recipe/aws-sims"])
def test_find_recipe_by_name_suffix_or_arn(key):
    assert find_recipe(key).name == "SIMS"


def test_unknown_recipe_lists_known_names():
    with pytest.raises(KeyError, match="SIMS"):
        find_recipe("HRNN-Coldstart")  # legacy, no longer available


def test_workbench_classes_resolve():
    from workbench.recommenders import Popularity
    from workbench.recommenders.sims import SIMS

    assert workbench_model_class("SIMS") is SIMS
    assert workbench_model_class("Popularity-Count") is Popularity
    assert workbench_model_class("Next-Best-Action") is None
    assert SIMS.realtime is find_recipe("SIMS").realtime
    assert Popularity.realtime is find_recipe("Popularity-Count").realtime


def test_realtime_mismatch_report_has_documented_columns():
    report = realtime_mismatches()
    assert list(report.columns) == ["name", "workbench_model", "recipe_realtime", "model_realtime"]
    assert "SIMS" not in set(report["name"]) and "Popularity-Count" not in set(report["name"])
    assert (report["recipe_realtime"] != report["model_realtime"]).all()


def test_arn_round_trip_and_dataset_arns():
    arn = make_arn("campaign", "home-page")
    assert arn == "arn:aws:personalize:us-east-1:000000000000:campaign/home-page"
    parts = parse_arn(arn)
    assert (parts.resource_type, parts.name, parts.region) == ("campaign", "home-page", "us-east-1")
    group = make_arn("dataset-group", "shop")
    assert dataset_arn(group, "items") == "arn:aws:personalize:us-east-1:000000000000:dataset/shop/ITEMS"


@pytest.mark.parametrize("bad", ["my shop", "-shop", "shop!"])
def test_resource_names_follow_the_naming_rule(bad):
    with pytest.raises(ValueError, match="letters, digits"):
        make_arn("campaign", bad)


def test_parse_arn_rejects_other_services():
    with pytest.raises(ValueError, match="not a Personalize ARN"):
        parse_arn("arn:aws:s3:::my-bucket")
