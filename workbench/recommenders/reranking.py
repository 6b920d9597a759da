"""Re-ranking a recommendation frame for diversity and novelty (GN-14).

Accurate models tend to fill a list with near-duplicates of one another and
with best-sellers everyone already knows (popularity bias). These helpers take
any recommendation frame (``USER_ID, ITEM_ID, RANK``, SCORE optional -- the
output of every model's ``recommend``) and reorder each user's list; they never
drop a row unless ``n`` asks for a shorter list.

Every function works on *relevance* ``rel`` in [0, 1] per user: SCORE rescaled
min-max within the user's list (all-equal scores -> 1), or, without SCORE,
``1 - (RANK - 1) / len(list)``.

* :func:`mmr_rerank` -- Maximal Marginal Relevance: greedily pick the item
  maximising ``lambda_ * rel_i - (1 - lambda_) * max_{j picked} sim(i, j)``.
* :func:`novelty_rerank` -- blend relevance with how *unpopular* an item is:
  ``(1 - weight) * rel_i + weight * novelty_i``.
* :func:`category_cap_rerank` -- a diversity constraint: at most
  ``max_per_category`` items of one category in the top of the list.

Output: the same columns with RANK renumbered and SCORE replaced by the
re-ranking objective, plus ``ORIGINAL_RANK`` and ``ORIGINAL_SCORE``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import ITEM_ID, RANK, SCORE, USER_ID
from ..errors import DatasetError

__all__ = [
    "ORIGINAL_RANK",
    "ORIGINAL_SCORE",
    "category_cap_rerank",
    "item_vectors",
    "mmr_rerank",
    "novelty_rerank",
    "relevance",
]

ORIGINAL_RANK = "ORIGINAL_RANK"
ORIGINAL_SCORE = "ORIGINAL_SCORE"


def _check_recs(recs: pd.DataFrame) -> pd.DataFrame:
    for column in (USER_ID, ITEM_ID, RANK):
        if column not in recs.columns:
            raise DatasetError("the recommendation frame has no such column.", column=column,
                               fix="pass the output of a model's recommend() (USER_ID, ITEM_ID, SCORE, RANK).")
    out = recs.copy()
    out[ITEM_ID] = out[ITEM_ID].astype(str)
    return out.sort_values([USER_ID, RANK], kind="stable").reset_index(drop=True)


def relevance(recs: pd.DataFrame) -> np.ndarray:
    """Per-row relevance in [0, 1] (see the module docstring); ``recs`` sorted by user, then rank."""
    if SCORE in recs.columns and recs[SCORE].notna().all():
        score = recs[SCORE].astype(float)
        grouped = score.groupby(recs[USER_ID], sort=False)
        low, high = grouped.transform("min"), grouped.transform("max")
        span = (high - low).to_numpy()
        rel = np.where(span > 0, (score - low).to_numpy() / np.where(span > 0, span, 1.0), 1.0)
        return rel
    size = recs.groupby(USER_ID, sort=False)[RANK].transform("size").to_numpy(dtype=float)
    position = recs.groupby(USER_ID, sort=False).cumcount().to_numpy(dtype=float)
    return 1.0 - position / size


def item_vectors(item_features: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Unit-length feature vectors per item, indexed by ITEM_ID.

    Numeric columns are used as they are; string columns become one-hot
    ``COLUMN=value`` indicators (``|`` separates several values). ITEM_ID may be a
    column or the index. Each row is L2-normalised, so the dot product of two
    rows is their cosine similarity.
    """
    frame = item_features.copy()
    if ITEM_ID in frame.columns:
        frame = frame.set_index(ITEM_ID)
    frame.index = frame.index.astype(str)
    if frame.index.duplicated().any():
        dup = frame.index[frame.index.duplicated()][0]
        raise DatasetError(f"item {dup!r} appears more than once in the item features.", column=ITEM_ID,
                           fix="keep one row per item.")
    columns = list(frame.columns) if columns is None else list(columns)
    parts = []
    for column in columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            parts.append(values.astype(float).fillna(0.0).rename(column).to_frame())
        else:
            dummies = values.fillna("").astype(str).str.get_dummies(sep="|")
            dummies.columns = [f"{column}={c}" for c in dummies.columns]
            parts.append(dummies.astype(float))
    if not parts:
        raise DatasetError("the item features have no columns to compare items by.", column=ITEM_ID,
                           fix="pass a frame with ITEM_ID and e.g. CATEGORY_L1 or numeric features.")
    matrix = pd.concat(parts, axis=1)
    return pd.DataFrame(_normalize(matrix.to_numpy(dtype=float)), index=matrix.index, columns=matrix.columns)


def _finish(recs: pd.DataFrame, order: np.ndarray, objective: np.ndarray, n: int | None) -> pd.DataFrame:
    out = recs.iloc[order].copy()
    out[ORIGINAL_RANK] = out[RANK].to_numpy()
    if SCORE in out.columns:
        out[ORIGINAL_SCORE] = out[SCORE].to_numpy()
    out[SCORE] = objective[order]
    out[RANK] = out.groupby(USER_ID, sort=False).cumcount().to_numpy(dtype=np.int64) + 1
    if n is not None:
        out = out[out[RANK] <= n]
    return out.reset_index(drop=True)


def mmr_rerank(
    recs: pd.DataFrame,
    item_features: pd.DataFrame,
    lambda_: float = 0.7,
    n: int | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Maximal Marginal Relevance re-ranking of each user's list.

    The first pick is the most relevant item; every next pick maximises
    ``lambda_ * rel_i - (1 - lambda_) * max_{j already picked} cos(i, j)``.
    ``lambda_ = 1`` keeps the original order; ``lambda_ = 0`` only avoids
    similarity. Items missing from ``item_features`` have a zero vector: similar
    to nothing. Ties go to the better original rank.

    Args:
        recs: recommendation frame (USER_ID, ITEM_ID, RANK; SCORE optional).
        item_features: item metadata (see :func:`item_vectors`).
        lambda_: relevance / diversity trade-off in [0, 1].
        n: keep only the first ``n`` of each re-ranked list (``None`` = all).
        columns: feature columns to use (``None`` = all).

    Returns:
        Re-ranked frame; SCORE = the MMR value when the item was picked.
    """
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ must be in [0, 1], got {lambda_}")
    recs = _check_recs(recs)
    vectors = item_vectors(item_features, columns)
    rel = relevance(recs)
    feats = vectors.reindex(recs[ITEM_ID]).fillna(0.0).to_numpy(dtype=float)
    order, objective = [], np.zeros(len(recs))
    for _, rows in recs.groupby(USER_ID, sort=False).indices.items():
        rows = np.asarray(rows)
        sims = feats[rows] @ feats[rows].T
        chosen: list[int] = []
        max_sim = np.zeros(len(rows))
        left = np.ones(len(rows), dtype=bool)
        for step in range(len(rows)):
            value = lambda_ * rel[rows] - (1.0 - lambda_) * (max_sim if step else 0.0)
            value = np.where(left, value, -np.inf)
            pick = int(np.argmax(value))  # first maximum = best original rank
            chosen.append(pick)
            objective[rows[pick]] = value[pick]
            left[pick] = False
            max_sim = np.maximum(max_sim, sims[pick])
        order.extend(rows[chosen].tolist())
    return _finish(recs, np.asarray(order, dtype=np.int64), objective, n)


def novelty_rerank(
    recs: pd.DataFrame,
    popularity: pd.Series | pd.DataFrame,
    weight: float = 0.5,
    n: int | None = None,
) -> pd.DataFrame:
    """Blend relevance with novelty to push less-known items up.

    ``novelty_i = log2((max_count + 1) / (count_i + 1)) / log2(max_count + 1)``:
    0 for the most popular item, 1 for an item nobody interacted with (or one
    missing from ``popularity``). The new score is
    ``(1 - weight) * rel_i + weight * novelty_i``; ties keep the original order.
    ``weight = 0`` returns the original order.

    Args:
        recs: recommendation frame.
        popularity: counts per item (Series indexed by ITEM_ID), or an
            interactions frame (count = distinct users per item).
        weight: share of novelty in the new score, in [0, 1].
        n: keep only the first ``n`` per user.
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    recs = _check_recs(recs)
    if isinstance(popularity, pd.DataFrame):
        if USER_ID not in popularity.columns or ITEM_ID not in popularity.columns:
            raise DatasetError("an interactions frame needs USER_ID and ITEM_ID to count popularity.", column=ITEM_ID)
        counts = popularity.assign(**{ITEM_ID: popularity[ITEM_ID].astype(str)}).groupby(ITEM_ID)[USER_ID].nunique()
    else:
        counts = popularity.copy()
        counts.index = counts.index.astype(str)
    counts = counts.astype(float)
    top = float(counts.max()) if len(counts) else 0.0
    count = recs[ITEM_ID].map(counts).fillna(0.0).to_numpy(dtype=float)
    if top > 0:
        novelty = np.log2((top + 1.0) / (count + 1.0)) / np.log2(top + 1.0)
    else:
        novelty = np.ones(len(recs))
    objective = (1.0 - weight) * relevance(recs) + weight * novelty
    keys = pd.DataFrame({"u": recs[USER_ID].to_numpy(), "o": -objective, "r": np.arange(len(recs))})
    user_order = pd.Index(pd.unique(recs[USER_ID]))
    keys["u"] = user_order.get_indexer(keys["u"])
    order = keys.sort_values(["u", "o", "r"], kind="stable")["r"].to_numpy()
    return _finish(recs, order, objective, n)


def category_cap_rerank(
    recs: pd.DataFrame,
    items: pd.DataFrame,
    column: str,
    max_per_category: int = 2,
    n: int | None = None,
) -> pd.DataFrame:
    """Keep the original order but allow at most ``max_per_category`` items per category up front.

    Items beyond the cap are moved behind every item that fits (in their original
    order), so nothing is lost unless ``n`` truncates. Items without a category
    never count toward a cap. SCORE becomes 1 for items within the cap and 0 for
    moved ones (the frame keeps ORIGINAL_SCORE).
    """
    if max_per_category < 1:
        raise ValueError("max_per_category must be at least 1")
    if column not in items.columns:
        raise DatasetError("the items frame has no such column.", column=column,
                           fix="pass the category column of the Items frame, e.g. CATEGORY_L1.")
    recs = _check_recs(recs)
    lookup = items.assign(**{ITEM_ID: items[ITEM_ID].astype(str)}).drop_duplicates(ITEM_ID).set_index(ITEM_ID)[column]
    category = recs[ITEM_ID].map(lookup).to_numpy(dtype=object)
    order, objective = [], np.zeros(len(recs))
    for _, rows in recs.groupby(USER_ID, sort=False).indices.items():
        seen: dict[object, int] = {}
        front, back = [], []
        for row in rows:
            cat = category[row]
            if pd.isna(cat) or seen.get(cat, 0) < max_per_category:
                front.append(row)
                objective[row] = 1.0
                if not pd.isna(cat):
                    seen[cat] = seen.get(cat, 0) + 1
            else:
                back.append(row)
        order.extend(front + back)
    return _finish(recs, np.asarray(order, dtype=np.int64), objective, n)


def _normalize(matrix):
    """L2-normalise rows with scikit-learn, imported on first use so ``import workbench`` stays fast."""
    from sklearn.preprocessing import normalize

    return normalize(matrix)
