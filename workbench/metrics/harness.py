"""Fit several recommenders on one split and compare them in one table."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..constants import USER_ID
from .beyond import catalog_coverage, catalog_items
from .conventions import Convention
from .evaluate import evaluate


def _split_frames(split: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame to fit on, truth) from a ``Split`` or a ``(train, test)`` pair."""
    if isinstance(split, tuple) and len(split) == 2:
        return split[0], split[1]
    if not hasattr(split, "fit_frame") or not hasattr(split, "test"):
        raise TypeError("split must be a workbench.split.Split (train, test, input) or a (train, test) tuple")
    return split.fit_frame, split.test


def compare(
    models: Mapping[str, Any] | Iterable[Any],
    split: Any,
    k: int = 10,
    metrics: Iterable[str] | None = None,
    convention: str | Convention = "personalize",
    items: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fit every model on the split, recommend ``k`` items to each test user, score them.

    Args:
        models: ``{"name": model}`` or a list of models (named by ``model.name``).
            Each must follow :class:`workbench.recommenders.Recommender`.
        split: a :class:`workbench.split.Split` -- models are fitted on
            ``split.fit_frame`` (train plus the test users' input history) -- or a
            ``(train, test)`` tuple.
        k: list length and metric cutoff.
        metrics: ranking metrics (default all), as in :func:`evaluate`.
        convention: metric convention, as in :func:`evaluate`.
        items, users: optional metadata frames passed to ``fit``.

    Returns:
        One row per model: ``model``, ``fit_seconds``, ``recommend_seconds``,
        ``users`` (evaluated), the ranking metrics (``"NDCG@10"`` ...) and
        ``Coverage`` (catalog coverage over the fit frame's and items' ids).
    """
    named = dict(models) if isinstance(models, Mapping) else {m.name: m for m in models}
    if not named:
        raise ValueError("compare needs at least one model")
    fit_frame, truth = _split_frames(split)
    test_users = pd.unique(truth[USER_ID].astype(str))
    catalog = catalog_items(fit_frame, items)
    rows = []
    for name, model in named.items():
        start = time.perf_counter()
        model.fit(fit_frame, items=items, users=users)
        fitted = time.perf_counter()
        recs = model.recommend(test_users, n=k)
        served = time.perf_counter()
        result = evaluate(recs, truth, k=k, metrics=metrics, convention=convention)
        row = {"model": name, "fit_seconds": fitted - start, "recommend_seconds": served - fitted,
               "users": result.n_users}
        row.update(result.summary.to_dict())
        row["Coverage"] = catalog_coverage(recs, catalog) if len(recs) else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
