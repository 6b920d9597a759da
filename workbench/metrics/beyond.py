"""Beyond accuracy: coverage, novelty, diversity, popularity bias, serendipity, fair exposure.

Accuracy metrics reward recommending what users will click anyway; the metrics
here describe *what kind* of lists a model produces (GN-14, GN-15): how much of
the catalog it uses, how obscure and how varied its items are, how concentrated
its exposure is and whether item groups get exposure in line with their size.

Popularity of an item is always the number of **distinct users** who interacted
with it in the given interactions frame -- the count Personalize's
Popularity-Count recipe ranks by.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from ..constants import ITEM_ID, RANK, USER_ID
from ..errors import DatasetError
from .grid import RECS_NAME, _require_columns, ranks_of


def _require(frame: pd.DataFrame, name: str, *columns: str) -> None:
    _require_columns(frame, name, columns)


def _item_ids(catalog: Iterable[object] | pd.DataFrame | pd.Series) -> pd.Index:
    """Distinct item ids (as str) from a list, Series, or a frame with an ITEM_ID column."""
    if isinstance(catalog, pd.DataFrame):
        _require(catalog, "catalog", ITEM_ID)
        catalog = catalog[ITEM_ID]
    return pd.Index(pd.Series(list(catalog) if not isinstance(catalog, pd.Series) else catalog).astype(str)).unique()


def catalog_items(interactions: pd.DataFrame, items: pd.DataFrame | None = None) -> pd.Index:
    """Unique ITEM_IDs of the interactions and (optional) items datasets -- Personalize's coverage denominator."""
    _require(interactions, "interactions", ITEM_ID)
    ids = interactions[ITEM_ID].astype(str)
    if items is not None:
        _require(items, "items", ITEM_ID)
        ids = pd.concat([ids, items[ITEM_ID].astype(str)], ignore_index=True)
    return pd.Index(ids).unique()


def item_popularity(interactions: pd.DataFrame) -> pd.Series:
    """Number of distinct users per item (index ITEM_ID as str), most popular first."""
    _require(interactions, "interactions", USER_ID, ITEM_ID)
    pairs = interactions[[USER_ID, ITEM_ID]].astype(str).drop_duplicates()
    return pairs[ITEM_ID].value_counts().rename("users")


def catalog_coverage(recommendations: pd.DataFrame, catalog_item_ids: Iterable[object] | pd.DataFrame) -> float:
    """Share of the catalog that appears in at least one recommendation list.

    Formula (Personalize's ``coverage``): ``|unique recommended items| / |unique items
    in the interactions and items datasets|`` -- build the denominator with
    :func:`catalog_items`.

    Edge cases: an empty catalog raises ``ValueError``; recommended ids that are not
    in the catalog are not counted and trigger a ``UserWarning`` naming how many
    (they usually mean the catalog was built from the wrong frame).
    """
    _require(recommendations, RECS_NAME, ITEM_ID)
    catalog = _item_ids(catalog_item_ids)
    if len(catalog) == 0:
        raise ValueError("the catalog is empty: pass the unique ITEM_IDs of your interactions and items datasets")
    recommended = pd.Index(recommendations[ITEM_ID].astype(str)).unique()
    outside = ~recommended.isin(catalog)
    if outside.any():
        warnings.warn(
            f"{int(outside.sum())} recommended item ids are not in the catalog and were not counted "
            f"(first: {recommended[outside][0]!r}); build the catalog with catalog_items(interactions, items).",
            UserWarning,
            stacklevel=2,
        )
    return float((~outside).sum() / len(catalog))


def _per_row_or_user(recommendations: pd.DataFrame, values: np.ndarray, per_user: bool) -> float | pd.Series:
    if per_user:
        return pd.Series(values, index=recommendations[USER_ID].astype(str).to_numpy()).groupby(level=0, sort=False).mean()
    return float(np.mean(values)) if len(values) else float("nan")


def novelty(
    recommendations: pd.DataFrame, interactions: pd.DataFrame, per_user: bool = False
) -> float | pd.Series:
    """Mean self-information of the recommended items, in bits.

    Formula: ``novelty(i) = -log2 p(i)`` with ``p(i) = users who interacted with i /
    users in the interactions``; averaged over all recommendation rows (or per user).
    An item everyone knows scores 0; an item one user in 1,024 knows scores 10.

    Edge cases: items absent from ``interactions`` are treated as known by one user
    (``p = 1 / n_users``, the largest finite value) instead of infinity; empty
    recommendations give NaN.
    """
    _require(recommendations, RECS_NAME, USER_ID, ITEM_ID)
    popularity = item_popularity(interactions)
    n_users = interactions[USER_ID].astype(str).nunique()
    counts = popularity.reindex(recommendations[ITEM_ID].astype(str)).to_numpy(dtype=float)
    counts = np.where(np.isnan(counts), 1.0, counts)
    values = -np.log2(counts / max(n_users, 1))
    return _per_row_or_user(recommendations, values, per_user)


def average_popularity(
    recommendations: pd.DataFrame, interactions: pd.DataFrame, normalize: bool = False, per_user: bool = False
) -> float | pd.Series:
    """Average popularity of recommended items (popularity bias, GN-14).

    Formula: mean over recommendation rows of the number of distinct users who
    interacted with the item; with ``normalize=True`` divided by the number of users
    (the share of users who know the item, in [0, 1]).

    Edge cases: items absent from ``interactions`` count 0; empty recommendations
    give NaN. Compare against :class:`workbench.recommenders.Popularity`, which
    maximises this number.
    """
    _require(recommendations, RECS_NAME, USER_ID, ITEM_ID)
    popularity = item_popularity(interactions)
    values = popularity.reindex(recommendations[ITEM_ID].astype(str)).fillna(0).to_numpy(dtype=float)
    if normalize:
        values = values / max(interactions[USER_ID].astype(str).nunique(), 1)
    return _per_row_or_user(recommendations, values, per_user)


def gini_coefficient(values: Iterable[float]) -> float:
    """Gini coefficient of non-negative values: 0 = all equal, ``(n - 1) / n`` = one takes all.

    Formula with ``x`` sorted ascending: ``G = sum_i (2 i - n - 1) x_i / (n sum x)``.
    Edge cases: all zeros or an empty input give NaN; negative values raise.
    """
    x = np.sort(np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float))
    if (x < 0).any():
        raise ValueError("the Gini coefficient needs non-negative values")
    n, total = len(x), x.sum()
    if n == 0 or total == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def exposure_counts(recommendations: pd.DataFrame, catalog: Iterable[object] | pd.DataFrame) -> pd.Series:
    """How often each catalog item is recommended (0 for items never shown), indexed by ITEM_ID."""
    _require(recommendations, RECS_NAME, ITEM_ID)
    ids = _item_ids(catalog)
    counts = recommendations[ITEM_ID].astype(str).value_counts()
    outside = ~counts.index.isin(ids)
    if outside.any():
        warnings.warn(f"{int(outside.sum())} recommended item ids are not in the catalog and were not counted.",
                      UserWarning, stacklevel=3)
    return counts.reindex(ids, fill_value=0).rename("exposure")


def gini_exposure(recommendations: pd.DataFrame, catalog: Iterable[object] | pd.DataFrame) -> float:
    """Gini coefficient of how often each catalog item is recommended (popularity bias, GN-14).

    0 means every catalog item is shown equally often; values near 1 mean a few
    items take almost all the slots. Items never recommended count as 0 exposures,
    so the catalog (e.g. :func:`catalog_items`) matters.
    Edge cases: no recommendations -> NaN.
    """
    return gini_coefficient(exposure_counts(recommendations, catalog).to_numpy(dtype=float))


def item_feature_matrix(item_features: pd.DataFrame, separator: str = "|") -> pd.DataFrame:
    """Numeric feature matrix indexed by ITEM_ID from an items frame.

    Numeric columns are used as they are (NaN -> 0); text columns are one-hot
    encoded, splitting multi-value Personalize fields such as ``"Action|Crime"``
    on ``separator``. ITEM_ID can be a column or the index.
    """
    frame = item_features.set_index(ITEM_ID) if ITEM_ID in item_features.columns else item_features
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    parts = []
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            parts.append(pd.to_numeric(values, errors="coerce").fillna(0.0).astype(float).rename(column).to_frame())
        else:
            dummies = values.fillna("").astype(str).str.get_dummies(sep=separator)
            dummies.columns = [f"{column}={c}" for c in dummies.columns]
            parts.append(dummies.astype(float))
    if not parts:
        raise DatasetError("the item features frame has no feature columns.", file="item_features",
                           fix="pass an items frame with ITEM_ID and at least one metadata column.")
    return pd.concat(parts, axis=1)


def intra_list_diversity(
    recommendations: pd.DataFrame, item_features: pd.DataFrame, per_user: bool = False
) -> float | pd.Series:
    """1 - mean pairwise cosine similarity of the items in each list (GN-14).

    Formula per user with unit feature vectors ``v_i`` of the ``n`` listed items:
    ``mean_{i<j} cos(v_i, v_j) = (|sum_i v_i|^2 - n) / (n (n - 1))`` and
    ``ILD = 1 - that mean``. With non-negative features ILD lies in [0, 1]: 0 when
    all items look alike, 1 when no two share a feature.

    Edge cases: lists with fewer than two items give NaN (no pair); an item whose
    feature vector is all zero has similarity 0 with everything; an item missing
    from ``item_features`` raises a ``DatasetError`` naming it. Features come from
    :func:`item_feature_matrix` (text columns one-hot encoded).
    """
    _require(recommendations, RECS_NAME, USER_ID, ITEM_ID)
    features = item_feature_matrix(item_features)
    items = recommendations[ITEM_ID].astype(str)
    rows = features.index.get_indexer(items)
    if (rows < 0).any():
        first = int(np.flatnonzero(rows < 0)[0])
        raise DatasetError(
            f"item {items.iloc[first]!r} has no row in item_features.", file=RECS_NAME, row=first + 1, column=ITEM_ID,
            fix="pass features for every recommended item (e.g. the full items dataset).",
        )
    matrix = features.to_numpy(dtype=float)
    norms = np.linalg.norm(matrix, axis=1)
    unit = np.divide(matrix, norms[:, None], out=np.zeros_like(matrix), where=norms[:, None] > 0)
    user_codes, users = pd.factorize(recommendations[USER_ID].astype(str))
    vectors = unit[rows]
    n_users = len(users)
    summed = np.zeros((n_users, matrix.shape[1]))
    np.add.at(summed, user_codes, vectors)
    self_sim = np.bincount(user_codes, weights=(vectors * vectors).sum(axis=1), minlength=n_users)
    n = np.bincount(user_codes, minlength=n_users).astype(float)
    pair_sum = ((summed * summed).sum(axis=1) - self_sim) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_sim = np.where(n >= 2, pair_sum / (n * (n - 1) / 2), np.nan)
    ild = pd.Series(1.0 - mean_sim, index=np.asarray(users, dtype=object), name="ILD")
    return ild if per_user else float(ild.mean())


def serendipity(
    recommendations: pd.DataFrame,
    truth: pd.DataFrame,
    interactions: pd.DataFrame | None = None,
    baseline: pd.DataFrame | None = None,
    k: int = 10,
    per_user: bool = False,
) -> float | pd.Series:
    """Share of each top-k list that is both relevant and unexpected.

    Formula per user: ``|{i in L : i in rel and i not in B_u}| / |L|`` where ``L`` is
    the list cut at k and ``B_u`` the *expected* items: the baseline's list for that
    user (``baseline`` frame, USER_ID + ITEM_ID, cut at k when it has RANK) or, by
    default, the k most popular items of ``interactions`` (the same for everyone).
    A popularity model therefore scores 0 against the default baseline.

    Edge cases: users with an empty list get NaN; users absent from ``truth`` score
    0 (nothing is relevant); a user missing from an explicit ``baseline`` has no
    expected items.
    """
    _require(recommendations, RECS_NAME, USER_ID, ITEM_ID)
    _require(truth, "truth", USER_ID, ITEM_ID)
    recs = recommendations.assign(**{USER_ID: recommendations[USER_ID].astype(str),
                                     ITEM_ID: recommendations[ITEM_ID].astype(str)})
    recs = recs[ranks_of(recommendations) <= k]
    if baseline is None:
        if interactions is None:
            raise ValueError("serendipity needs `interactions` (for the popularity baseline) or an explicit `baseline`")
        popular = item_popularity(interactions)
        top = popular.sort_values(ascending=False, kind="stable").index[:k]
        expected = recs[ITEM_ID].isin(top).to_numpy()
    else:
        _require(baseline, "baseline", USER_ID, ITEM_ID)
        base = baseline if RANK not in baseline.columns else baseline[ranks_of(baseline) <= k]
        base_keys = pd.MultiIndex.from_arrays([base[USER_ID].astype(str), base[ITEM_ID].astype(str)])
        expected = pd.MultiIndex.from_arrays([recs[USER_ID], recs[ITEM_ID]]).isin(base_keys)
    truth_keys = pd.MultiIndex.from_arrays([truth[USER_ID].astype(str), truth[ITEM_ID].astype(str)])
    relevant = pd.MultiIndex.from_arrays([recs[USER_ID], recs[ITEM_ID]]).isin(truth_keys)
    values = pd.Series((relevant & ~expected).astype(float), index=recs[USER_ID].to_numpy())
    scores = values.groupby(level=0, sort=False).mean().rename("serendipity")
    return scores if per_user else float(scores.mean())


def exposure_fairness(
    recommendations: pd.DataFrame,
    item_groups: pd.Series | pd.DataFrame | Mapping[str, object],
    group_column: str | None = None,
    position_weights: str = "log",
) -> pd.DataFrame:
    """Exposure each item group receives compared with its share of the catalog (GN-15).

    Every recommended slot gives its item an exposure weight: ``1 / log2(1 + rank)``
    (``position_weights="log"``, the NDCG discount -- top slots are seen more) or 1
    (``"uniform"``). Per group:

    * ``catalog_share`` = items in the group / items in ``item_groups``;
    * ``exposure_share`` = the group's summed weights / all weights;
    * ``ratio`` = exposure_share / catalog_share (1 = exposure in proportion to
      size; below 1 = under-exposed).

    Args:
        recommendations: USER_ID, ITEM_ID, RANK.
        item_groups: ITEM_ID -> group, as a Series (index ITEM_ID), a mapping, or a
            frame with ITEM_ID and ``group_column``.
        group_column: the group column when ``item_groups`` is a frame.
        position_weights: ``"log"`` or ``"uniform"``.

    Edge cases: recommended items without a group are reported in a group named
    ``"(no group)"`` (catalog share 0, ratio inf) rather than dropped; groups never
    recommended get exposure 0.
    """
    _require(recommendations, RECS_NAME, ITEM_ID)
    if isinstance(item_groups, pd.DataFrame):
        if group_column is None:
            raise ValueError("pass group_column= to say which column of item_groups holds the group")
        _require(item_groups, "item_groups", ITEM_ID, group_column)
        groups = pd.Series(item_groups[group_column].to_numpy(), index=item_groups[ITEM_ID].astype(str))
    elif isinstance(item_groups, pd.Series):
        groups = pd.Series(item_groups.to_numpy(), index=item_groups.index.astype(str))
    else:
        groups = pd.Series(dict(item_groups))
        groups.index = groups.index.astype(str)
    groups = groups[~groups.index.duplicated(keep="first")].astype(str)
    if position_weights == "log":
        weights = 1.0 / np.log2(1.0 + ranks_of(recommendations))
    elif position_weights == "uniform":
        weights = np.ones(len(recommendations))
    else:
        raise ValueError("position_weights must be 'log' or 'uniform'")
    rec_groups = groups.reindex(recommendations[ITEM_ID].astype(str)).fillna("(no group)").to_numpy()
    exposure = pd.Series(weights, index=rec_groups).groupby(level=0).sum()
    sizes = groups.value_counts()
    table = pd.DataFrame({"n_items": sizes}).join(exposure.rename("exposure"), how="outer").fillna(0.0)
    table["n_items"] = table["n_items"].astype(int)
    table["catalog_share"] = table["n_items"] / max(len(groups), 1)
    total = table["exposure"].sum()
    table["exposure_share"] = table["exposure"] / total if total > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = table["exposure_share"] / table["catalog_share"]
    table.index.name = "group"
    return table.reset_index().sort_values("group", kind="stable").reset_index(drop=True)
