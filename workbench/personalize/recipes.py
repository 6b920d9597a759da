"""Catalogue of Amazon Personalize recipes and domain use cases, mapped to workbench models.

Every row comes from the fact sheet (``/work/shared/reference/personalize_facts.md``
§2.1 custom recipes, §2.2 real-time, §2.3 new items, §2.6 domain use cases) and
names the section it came from; nothing here goes beyond it. Where the fact
sheet marks something UNCONFIRMED, or does not say, the value is ``None``
(unknown) rather than a guess -- e.g. the recipe ARN and behaviour of the new
Semantic-Similarity recipe.

Columns of :func:`recipe_table`:

``name``, ``arn`` (``arn:aws:personalize:::recipe/<suffix>``), ``kind``
(``custom`` / ``ECOMMERCE`` / ``VIDEO_ON_DEMAND``), ``recipe_type``
(USER_PERSONALIZATION, RELATED_ITEMS, ...), ``request`` (what GetRecommendations
needs), ``realtime`` (uses PutEvents data within seconds: True / False / None =
not applicable or unknown), ``new_items_without_retraining`` (True / False /
None), ``batch`` (batch inference available, where the fact sheet says),
``workbench_model`` (the class in :mod:`workbench.recommenders` that plays it,
or None), ``notes`` and ``source``.

The ``workbench_model`` column is a teaching mapping ("which workbench model
behaves like this recipe"), not a claim that the algorithms are identical.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .arn import recipe_arn

__all__ = ["Recipe", "RECIPES", "recipe_table", "find_recipe", "workbench_model_class", "realtime_mismatches"]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """One Personalize recipe or domain use case."""

    name: str
    """Name as the Developer Guide writes it."""

    arn: str | None
    """Recipe ARN (None where the fact sheet has not confirmed it)."""

    kind: str
    """``custom`` recipe, or the domain (``ECOMMERCE`` / ``VIDEO_ON_DEMAND``) of a use case."""

    recipe_type: str | None
    """USER_PERSONALIZATION, PERSONALIZED_RANKING, RELATED_ITEMS, USER_SEGMENTATION,
    PERSONALIZED_ACTIONS, POPULAR_ITEMS; None where not stated."""

    request: str
    """What a request must carry (``userId``, ``itemId``, ``userId + inputList``, batch input...)."""

    realtime: bool | None
    """Uses recorded events within seconds (fact sheet §2.2); None = not applicable / unknown."""

    new_items_without_retraining: bool | None
    """Considers brand-new items without a new solution version (fact sheet §2.3)."""

    batch: bool | None
    """Batch inference / segment jobs available (None = not stated)."""

    workbench_model: str | None
    """Name of the workbench class that plays this recipe in notebooks (None = no counterpart)."""

    notes: str
    """Short facts worth remembering for the exam."""

    source: str
    """Fact-sheet section and Developer Guide page tags."""


_UP = "userId"
_ITEM = "itemId"

RECIPES: tuple[Recipe, ...] = (
    # ---------------------------------------------------------------- custom recipes (§2.1)
    Recipe("User-Personalization-v2", recipe_arn("aws-user-personalization-v2"), "custom", "USER_PERSONALIZATION",
           _UP, True, True, True, "UserPersonalization",
           "Transformer-based, up to 5 M items; automatic updates every 2 h; exploration handled by the service "
           "(not configurable) - use a promotion on CREATION_TIMESTAMP to surface new items.",
           "§2.1, §2.2, §2.3; DG:native-recipe-user-personalization-v2 [cur]"),
    Recipe("User-Personalization", recipe_arn("aws-user-personalization"), "custom", "USER_PERSONALIZATION",
           _UP, True, True, True, "UserPersonalization",
           "Automatic updates every 2 h; configurable exploration (explorationWeight default 0.3, "
           "explorationItemAgeCutOff default 30 days); uses impressions and contextual metadata.",
           "§2.1, §2.2, §2.3; DG:native-recipe-new-item-USER_PERSONALIZATION [cur]"),
    Recipe("Personalized-Ranking-v2", recipe_arn("aws-personalized-ranking-v2"), "custom", "PERSONALIZED_RANKING",
           "userId + inputList", True, None, True, None,
           "Re-ranks a given list; items without interaction data are returned without a score.",
           "§2.1, §2.2; DG:native-recipe-personalized-ranking-v2 [cur]"),
    Recipe("Personalized-Ranking", recipe_arn("aws-personalized-ranking"), "custom", "PERSONALIZED_RANKING",
           "userId + inputList (≤500 items)", True, None, True, None,
           "Re-ranks search results or curated lists; items not in training are appended to the end.",
           "§2.1, §2.2; DG:native-recipe-search [cur]; DG:API_RS_GetPersonalizedRanking [2023]"),
    Recipe("Similar-Items", recipe_arn("aws-similar-items"), "custom", "RELATED_ITEMS",
           _ITEM, False, False, True, "ContentBased",
           "Co-occurrence AND item metadata (categorical + textual); can find similar items for cold items; "
           "unknown itemId -> popular items. Workbench mapping covers the metadata half only.",
           "§2.1, §2.3; DG:native-recipe-similar-items [cur]"),
    Recipe("SIMS", recipe_arn("aws-sims"), "custom", "RELATED_ITEMS",
           _ITEM, False, False, True, "SIMS",
           "Item-to-item collaborative filtering on co-occurrence only (no metadata); popularity_discount_factor "
           "0.5, min_cointeraction_count 3; unknown itemId or too little data -> popular items.",
           "§2.1, §2.3; DG:native-recipe-sims [cur]/[2023]"),
    Recipe("Popularity-Count", recipe_arn("aws-popularity-count"), "custom", "USER_PERSONALIZATION",
           _UP, False, False, True, "Popularity",
           "Same most-popular items (most interactions from unique users) for everyone; the recommended "
           "baseline for offline metrics. Batch output type listed as POPULAR_ITEMS; whether it enforces "
           "userId is UNCONFIRMED.",
           "§2.1, §2.3, §5.1; DG:native-recipe-popularity [cur]"),
    Recipe("Trending-Now", recipe_arn("aws-trending-now"), "custom", None,
           "userId only if a filter needs it", None, True, False, "TrendingNow",
           "Recomputes trends from incoming data every 30 min / 1 h / 3 h (default) / 1 day without training; "
           "no batch recommendations.",
           "§2.1, §2.2, §2.3; DG:native-recipe-trending-now [cur]"),
    Recipe("Next-Best-Action", recipe_arn("aws-next-best-action"), "custom", "PERSONALIZED_ACTIONS",
           "userId (GetActionRecommendations)", True, True, False, None,
           "Recommends actions, not items; needs an Actions dataset; new actions via 2-hourly updates; no batch.",
           "§2.1, §2.2; DG:native-recipe-next-best-action [cur]"),
    Recipe("Item-Affinity", recipe_arn("aws-item-affinity"), "custom", "USER_SEGMENTATION",
           "batch segment job: itemIds", False, False, True, "ItemAffinity",
           "One user segment per item, users sorted by probability; batch only.",
           "§2.1; DG:item-affinity-recipe [2023]"),
    Recipe("Item-Attribute-Affinity", recipe_arn("aws-item-attribute-affinity"), "custom", "USER_SEGMENTATION",
           "batch segment job: item attributes", False, False, True, "ItemAttributeAffinity",
           "Needs an Items dataset with a non-textual, non-reserved metadata column; batch only.",
           "§2.1; DG:item-attribute-affinity-recipe [2023]"),
    Recipe("Semantic-Similarity", None, "custom", None,
           "UNCONFIRMED", None, None, None, None,
           "New (Nov 30 2025): item similarity from metadata such as titles/descriptions. ARN, inputs and limits "
           "are UNCONFIRMED (not in the documentation pages this workbench was checked against).",
           "§2.1; DG:document-history [cur]"),
    # ---------------------------------------------------------------- ECOMMERCE use cases (§2.6)
    Recipe("Most viewed", recipe_arn("aws-ecomm-popular-items-by-views"), "ECOMMERCE", None,
           "userId", False, False, None, "MostViewed",
           "Needs ≥1000 View events; interactions only.", "§2.6, §2.2, §2.3; DG:ECOMMERCE-use-cases [cur]"),
    Recipe("Best sellers", recipe_arn("aws-ecomm-popular-items-by-purchases"), "ECOMMERCE", None,
           "userId", False, False, None, "BestSellers",
           "Needs ≥1000 Purchase events; interactions only.", "§2.6, §2.2, §2.3; DG:ECOMMERCE-use-cases [cur]"),
    Recipe("Frequently bought together", recipe_arn("aws-ecomm-frequently-bought-together"), "ECOMMERCE", None,
           "itemId (userId only to filter by CurrentUser)", False, False, None, "AssociationRules",
           "Needs ≥1000 Purchase events; interactions only.", "§2.6, §2.2, §2.3; DG:ECOMMERCE-use-cases [cur]"),
    Recipe("Customers who viewed X also viewed", recipe_arn("aws-ecomm-customers-who-viewed-x-also-viewed"),
           "ECOMMERCE", None, "userId + itemId", False, False, None, "SIMS",
           "Needs ≥1000 View events (Purchase recommended); automatically filters items the user purchased.",
           "§2.6, §2.2, §2.3; DG:ECOMMERCE-use-cases [cur]"),
    Recipe("Recommended for you", recipe_arn("aws-ecomm-recommended-for-you"), "ECOMMERCE", None,
           "userId", True, True, None, "UserPersonalization",
           "Real-time personalization, exploration and 2-hourly automatic updates; auto-filters purchased "
           "items; uses Items/Users datasets if present.",
           "§2.6, §2.2, §2.3; DG:ECOMMERCE-use-cases [cur]"),
    # ---------------------------------------------------------------- VIDEO_ON_DEMAND use cases (§2.6)
    Recipe("Because you watched X", recipe_arn("aws-vod-because-you-watched-x"), "VIDEO_ON_DEMAND", None,
           "userId + itemId", False, False, None, "SIMS",
           "Needs ≥1000 Watch events; auto-filters watched videos.",
           "§2.6, §2.2, §2.3; DG:VIDEO_ON_DEMAND-use-cases [cur]"),
    Recipe("More like X", recipe_arn("aws-vod-more-like-x"), "VIDEO_ON_DEMAND", None,
           "userId + itemId", False, False, None, "ContentBased",
           "Needs ≥1000 events of any type and an Items dataset (required).",
           "§2.6, §2.2, §2.3; DG:VIDEO_ON_DEMAND-use-cases [cur]"),
    Recipe("Most popular", recipe_arn("aws-vod-most-popular"), "VIDEO_ON_DEMAND", None,
           "userId", False, False, None, "Popularity",
           "Needs ≥1000 Watch events.", "§2.6, §2.2, §2.3; DG:VIDEO_ON_DEMAND-use-cases [cur]"),
    Recipe("Trending now", recipe_arn("aws-vod-trending-now"), "VIDEO_ON_DEMAND", None,
           "userId only if filtering by CurrentUser / interactions", None, True, None, "TrendingNow",
           "Trending items re-evaluated every 2 h without retraining (not listed among the real-time "
           "personalization use cases, so realtime is left None).",
           "§2.6, §2.3; DG:VIDEO_ON_DEMAND-use-cases [cur]; DG:how-new-data-influences-recommendations [cur]"),
    Recipe("Top picks for you", recipe_arn("aws-vod-top-picks"), "VIDEO_ON_DEMAND", None,
           "userId", True, True, None, "UserPersonalization",
           "Real-time personalization, exploration and 2-hourly automatic updates; auto-filters watched videos.",
           "§2.6, §2.2, §2.3; DG:VIDEO_ON_DEMAND-use-cases [cur]"),
)
"""Every recipe and domain use case of the fact sheet, custom recipes first."""


def recipe_table() -> pd.DataFrame:
    """:data:`RECIPES` as a DataFrame, one row per recipe / use case."""
    return pd.DataFrame([dataclasses.asdict(r) for r in RECIPES])


def find_recipe(name_or_arn: str) -> Recipe:
    """Look a recipe up by name (case-insensitive), ARN, or ARN suffix such as ``aws-sims``.

    Raises:
        KeyError: no such recipe; the message lists the known names.
    """
    key = str(name_or_arn).strip().lower()
    for recipe in RECIPES:
        suffix = recipe.arn.rsplit("/", 1)[-1] if recipe.arn else None
        if key in {recipe.name.lower(), (recipe.arn or "").lower(), suffix}:
            return recipe
    raise KeyError(f"unknown recipe {name_or_arn!r}; known: {', '.join(r.name for r in RECIPES)}")


def workbench_model_class(recipe: Recipe | str) -> type | None:
    """The workbench recommender class that plays ``recipe`` (None if none exists yet)."""
    if isinstance(recipe, str):
        recipe = find_recipe(recipe)
    if recipe.workbench_model is None:
        return None
    from .. import recommenders

    return getattr(recommenders, recipe.workbench_model, None)


def realtime_mismatches() -> pd.DataFrame:
    """Rows whose workbench model reacts to events differently from the Personalize recipe.

    Useful in notebooks to point out where the teaching mapping is loose (e.g. a
    workbench list that updates in real time while the Personalize use case waits
    for retraining). Rows whose ``realtime`` is None or whose class does not exist
    yet are skipped. Columns: name, workbench_model, recipe_realtime, model_realtime.
    """
    rows = []
    for recipe in RECIPES:
        cls = workbench_model_class(recipe)
        if cls is None or recipe.realtime is None:
            continue
        model_realtime = bool(getattr(cls, "realtime", False))
        if model_realtime != recipe.realtime:
            rows.append({"name": recipe.name, "workbench_model": recipe.workbench_model,
                         "recipe_realtime": recipe.realtime, "model_realtime": model_realtime})
    return pd.DataFrame(rows, columns=["name", "workbench_model", "recipe_realtime", "model_realtime"])
