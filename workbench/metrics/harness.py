"""Fit several recommenders on one split and compare them in one table."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..constants import ITEM_ID, USER_ID
from .beyond import catalog_coverage, catalog_items
from .conventions import Convention
from .evaluate import Evaluation, evaluate


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
    exclude_seen: bool = True,
    with_evaluations: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, dict[str, Evaluation]]:
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
        exclude_seen: passed to ``recommend``. With ``True`` (the default) a list never
            repeats an item of the user's input history, so held-out interactions with
            such items (repeat views, repurchases) can never be hit: measure their share
            with :func:`repeat_share` before reading the scores.
        with_evaluations: also return ``{name: Evaluation}`` (per-user scores, e.g. for
            :func:`workbench.metrics.compare_per_user`).

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
    rows, evaluations = [], {}
    for name, model in named.items():
        start = time.perf_counter()
        model.fit(fit_frame, items=items, users=users)
        fitted = time.perf_counter()
        recs = model.recommend(test_users, n=k, exclude_seen=exclude_seen)
        served = time.perf_counter()
        result = evaluate(recs, truth, k=k, metrics=metrics, convention=convention)
        evaluations[name] = result
        row = {"model": name, "fit_seconds": fitted - start, "recommend_seconds": served - fitted,
               "users": result.n_users}
        row.update(result.summary.to_dict())
        row["Coverage"] = catalog_coverage(recs, catalog) if len(recs) else 0.0
        rows.append(row)
    table = pd.DataFrame(rows)
    return (table, evaluations) if with_evaluations else table


def repeat_share(split: Any) -> tuple[float, int, int]:
    """How much of a holdout's truth repeats the users' own input history.

    Returns ``(share of truth rows whose item is in that user's input, users whose every truth
    item is such a repeat, users in the truth)``. Those users cannot score at all against lists
    that exclude seen items (``recommend(exclude_seen=True)``). Uses ``split.input`` (a
    :func:`workbench.split.personalize_holdout`); a split without it has no input history, so 0.
    """
    _, truth = _split_frames(split)
    users = truth[USER_ID].astype(str)
    history = getattr(split, "input", None)
    if history is None or len(history) == 0 or len(truth) == 0:
        return 0.0, 0, int(users.nunique())
    seen = pd.MultiIndex.from_arrays([history[USER_ID].astype(str), history[ITEM_ID].astype(str)])
    repeat = pd.MultiIndex.from_arrays([users, truth[ITEM_ID].astype(str)]).isin(seen)
    all_repeats = pd.Series(repeat, index=users.to_numpy()).groupby(level=0).all()
    return float(repeat.mean()), int(all_repeats.sum()), int(users.nunique())
