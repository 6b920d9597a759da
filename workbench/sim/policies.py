"""Model registry and the data a policy lets a model learn from.

A :class:`~workbench.sim.config.Policy` names its model by a short string; the
registry maps it to a recommender class and says how the shop asks it:

* ``"user"`` mode -- ``model.recommend(user_ids)`` (a "recommended for you" widget);
* ``"item"`` mode -- ``model.similar_items(item_ids)`` for the item the customer is
  looking at (a "customers also viewed" widget on the product page; the query item
  comes from the site's own clickstream, not from what the model has learned).

Classes are imported lazily, so a missing optional model only fails when asked for.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import numpy as np
import pandas as pd

from ..constants import EVENT_TYPE, EVENT_TYPES, EVENT_VALUE
from ..recommenders.base import Recommender
from .config import Policy


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """How the simulator builds and asks one registered model."""

    module: str
    """Module that defines the class."""
    class_name: str
    """Class name inside :attr:`module`."""
    mode: str
    """``"user"`` (recommend for a user) or ``"item"`` (similar items of the current item)."""
    description: str
    """One line for tables and error messages."""


MODELS: dict[str, ModelSpec] = {
    "user_personalization": ModelSpec(
        "workbench.recommenders.user_personalization", "UserPersonalization", "user",
        "User-Personalization-style hybrid: real-time session re-ranking + exploration"),
    "popularity": ModelSpec("workbench.recommenders.popularity", "Popularity", "user",
                            "Popularity-Count: most interacted items, same for everyone"),
    "trending": ModelSpec("workbench.recommenders.statistical", "TrendingNow", "user",
                          "Trending-Now: items whose interactions grow fastest"),
    "most_viewed": ModelSpec("workbench.recommenders.statistical", "MostViewed", "user",
                             "Most viewed items (ECOMMERCE use case)"),
    "best_sellers": ModelSpec("workbench.recommenders.statistical", "BestSellers", "user",
                              "Best sellers (ECOMMERCE use case)"),
    "similar_items": ModelSpec("workbench.recommenders.sims", "SIMS", "item",
                               "SIMS: item-to-item co-occurrence, asked with the current item"),
    "item_knn": ModelSpec("workbench.recommenders.knn", "ItemKNN", "user",
                          "Item-based k nearest neighbours (scikit-surprise)"),
    "content_based": ModelSpec("workbench.recommenders.content", "ContentBased", "user",
                               "Content-based: items whose metadata and visual features resemble what the user liked"),
}
"""Registered model names (the values a :attr:`Policy.model` may take)."""


def model_spec(name: str) -> ModelSpec:
    """The registry entry for ``name``; unknown names raise an error listing the valid ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r} in Policy.model; valid models: {', '.join(sorted(MODELS))}.") from None


EQUAL_EVENT_WEIGHTS = dict.fromkeys(EVENT_TYPES, 1.0)
"""The simulator's default event weights: every event type weighs the same.

Fact sheet, section 1.3: "If the dataset has several event types and no event type is
given, all interactions are used **with equal weight regardless of type**"; different
weights per event type exist only for User-Personalization-v2 / Personalized-Ranking-v2
with an events configuration. Pass ``model_params={"event_weights": {...}}`` to play that."""


RETRAIN_WARM_START_EPOCHS = 3
"""ALS rounds of a scheduled retrain that starts from the previous version's factors.

A simulated retrain is still a FULL version on every logged event (profiles, sessions and
popularity are rebuilt from all of them); only the ALS base starts warm instead of from
random factors, so its cost does not grow with 15 rounds over an ever longer log. On a
5,000-customer shop, seven chained weekly warm refits rank the next week's events as well
as a cold fit of the same data (hit rate@10 0.2013 vs 0.2016; 5 rounds: 0.2015).
"""


def make_model(policy: Policy) -> tuple[Recommender, ModelSpec]:
    """A fresh, unfitted model for ``policy`` (model_params and exploration settings applied).

    Models with an ``event_weights`` setting get :data:`EQUAL_EVENT_WEIGHTS` unless
    ``policy.model_params`` names their own. Models with a ``warm_start_epochs`` setting
    get :data:`RETRAIN_WARM_START_EPOCHS` under a ``retrain`` policy unless named.
    """
    spec = model_spec(policy.model)
    try:
        cls = getattr(importlib.import_module(spec.module), spec.class_name)
    except (ImportError, AttributeError) as err:
        raise ValueError(
            f"model {policy.model!r} needs {spec.module}.{spec.class_name}, which is not available "
            f"in this installation ({err}). Pick another of: {', '.join(sorted(MODELS))}."
        ) from err
    params: dict[str, Any] = dict(policy.model_params)
    fields = {f.name for f in dataclasses.fields(cls.Config)}
    if "event_weights" in fields and params.get("event_weights") is None:
        params["event_weights"] = dict(EQUAL_EVENT_WEIGHTS)
    if "warm_start_epochs" in fields and policy.has("retrain") and "warm_start_epochs" not in params:
        params["warm_start_epochs"] = RETRAIN_WARM_START_EPOCHS
    for name in ("exploration_weight", "exploration_item_age_cutoff"):
        value = getattr(policy, name)
        if value is None:
            continue
        if name not in fields:
            raise ValueError(
                f"Policy.{name} only applies to models that explore (user_personalization); "
                f"{policy.model!r} has no such setting. Remove it or change Policy.model."
            )
        params[name] = value
    unknown = sorted(set(params) - fields)
    if unknown:
        raise ValueError(f"Policy.model_params {unknown} are not settings of {spec.class_name}; "
                         f"valid settings: {', '.join(sorted(fields))}.")
    return cls(**params), spec


def training_mask(events: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Which events the policy lets the model learn from (``training_event_types``, ``event_value_threshold``).

    Mirrors a custom solution's ``eventType`` / ``eventValueThreshold``: with a
    threshold, only events whose EVENT_VALUE is at least the threshold are kept
    (events without a value are dropped). The simulator applies the same subset
    to tracked events; the fact sheet does not say how the service treats them.
    """
    keep = np.ones(len(events), dtype=bool)
    if policy.training_event_types is not None:
        keep &= events[EVENT_TYPE].astype(str).str.lower().isin(_wanted_types(policy)).to_numpy()
    if policy.event_value_threshold is not None:
        values = pd.to_numeric(events[EVENT_VALUE], errors="coerce").to_numpy(dtype=float)
        keep &= _meets_threshold(values, policy)
    return keep


def coded_training_mask(kind: np.ndarray, value: np.ndarray, policy: Policy) -> np.ndarray:
    """:func:`training_mask` on the simulator's event log: ``kind`` codes index ``EVENT_TYPES``, ``value`` floats."""
    keep = np.ones(len(kind), dtype=bool)
    if policy.training_event_types is not None:
        wanted = _wanted_types(policy)
        keep &= np.isin(kind, [code for code, name in enumerate(EVENT_TYPES) if name in wanted])
    if policy.event_value_threshold is not None:
        keep &= _meets_threshold(value, policy)
    return keep


def _wanted_types(policy: Policy) -> set[str]:
    return {str(t).lower() for t in policy.training_event_types}


def _meets_threshold(values: np.ndarray, policy: Policy) -> np.ndarray:
    """EVENT_VALUE at least the threshold; events without a value never pass."""
    return np.nan_to_num(values, nan=-np.inf) >= policy.event_value_threshold
