"""The (user, rank) grid every ranking metric is computed from.

Evaluating top-k lists is a join of two frames -- recommendations
(USER_ID, ITEM_ID, RANK) and truth (USER_ID, ITEM_ID) -- followed by per-user
arithmetic. Doing that with a pandas merge and a groupby per metric is easy to
read but slow. Here the join is done once, with integer codes:

1. user and item ids (usually strings) are turned into integer codes with one
   ``pd.factorize`` each, over both frames together;
2. every (user, item) pair becomes one int64 key ``user_code * n_items + item_code``;
   the truth keys go into a hash index and every recommended key is looked up once;
3. the answers fill a boolean matrix ``hits[user, rank - 1]`` of shape
   ``(n_users, k)``, next to the number of relevant items per user and the ideal
   gains (what a perfect list would collect).

Every metric is then a few numpy operations on that grid
(:mod:`workbench.metrics.ranking`), vectorised over all users.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..constants import ITEM_ID, RANK, SCORE, USER_ID
from ..errors import DatasetError
from ..vocabulary import _as_strings
from .conventions import Convention

RECS_NAME = "recommendations"
_BITMAP_CELLS = 64_000_000
"""Largest users x items product for the dense membership bitmap (64 MB); larger inputs use a hash index."""
TRUTH_NAME = "truth"


@dataclasses.dataclass
class RankingGrid:
    """Hits of every evaluated user at every rank ``1..k``, plus what the truth holds."""

    users: np.ndarray
    """Raw user ids of the evaluated users (row order of every array below)."""

    k: int
    """Largest cutoff the grid holds (number of columns)."""

    hits: np.ndarray
    """``bool (n_users, k)``: the item at rank ``j + 1`` is relevant."""

    gains: np.ndarray
    """``float (n_users, k)``: relevance of the item at rank ``j + 1`` (0 for a miss;
    1 for a hit unless graded relevance was asked for)."""

    present: np.ndarray
    """``bool (n_users, k)``: the list has an item at rank ``j + 1``."""

    ideal_gains: np.ndarray
    """``float (n_users, k)``: the user's relevant gains sorted high to low, zero-padded
    (the list a perfect recommender would return)."""

    n_relevant: np.ndarray
    """``int (n_users,)``: number of distinct relevant items of the user."""

    has_truth: np.ndarray
    """``bool (n_users,)``: the user appears in the truth frame."""

    has_recommendations: np.ndarray
    """``bool (n_users,)``: the user appears in the recommendations frame."""

    graded: bool = False
    """True when ``gains`` came from a relevance column instead of 0/1."""


def _require_columns(frame: pd.DataFrame, name: str, columns: tuple[str, ...], fix: str | None = None) -> None:
    """TypeError unless ``frame`` is a DataFrame; DatasetError naming the first missing column.

    Without ``fix`` the message suggests renaming the column that holds those values.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    for column in columns:
        if column not in frame.columns:
            raise DatasetError(f"the {name} frame has no column {column}.", file=name, column=column,
                               fix=fix or f"rename the column holding {column.lower()} values to {column}.")


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer (list cutoff), got {k!r}")
    return int(k)


def ranks_of(recommendations: pd.DataFrame) -> np.ndarray:
    """RANK of every recommendation row as int64, checked (1-based, whole numbers).

    Without a RANK column the ranks are derived from SCORE (highest first, ties by
    row order); without either, the frame is rejected.
    """
    if RANK in recommendations.columns:
        column = recommendations[RANK]
        if pd.api.types.is_integer_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
            ints = column.to_numpy(dtype=np.int64)
            if len(ints) == 0 or ints.min() >= 1:
                return ints
        raw = pd.to_numeric(recommendations[RANK], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(raw) | (raw < 1) | (raw != np.round(raw))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DatasetError(
                f"RANK must be a whole number >= 1 (1 = top of the list), found {recommendations[RANK].iloc[row]!r}.",
                file=RECS_NAME,
                row=row + 1,
                column=RANK,
                fix="number each user's list 1, 2, 3, ... from the top.",
            )
        return raw.astype(np.int64)
    if SCORE in recommendations.columns:
        order = recommendations.groupby(USER_ID, sort=False)[SCORE].rank(method="first", ascending=False)
        return order.to_numpy(dtype=np.int64)
    raise DatasetError(
        "the recommendations frame needs a RANK column (or a SCORE column to rank by).",
        file=RECS_NAME,
        column=RANK,
        fix="use the frame returned by Recommender.recommend(), which has USER_ID, ITEM_ID, SCORE, RANK.",
    )


def build_grid(
    recommendations: pd.DataFrame,
    truth: pd.DataFrame,
    k: int,
    convention: Convention,
    gain: str | None = None,
) -> RankingGrid:
    """Join recommendations with truth once and lay the hits out on a (user, rank) grid.

    Args:
        recommendations: USER_ID, ITEM_ID, RANK (SCORE optional; used only when RANK
            is missing). Rows ranked below ``k`` are ignored.
        truth: USER_ID, ITEM_ID of the held-out interactions. Repeated (user, item)
            pairs count once -- relevance is a set per user; with ``gain`` the largest
            value of the pair is used.
        k: largest cutoff to evaluate.
        convention: decides which users are evaluated (see :class:`Convention`).
        gain: optional truth column with graded relevance (e.g. EVENT_VALUE) for NDCG;
            values must be finite and >= 0.

    Raises:
        DatasetError: missing columns, bad RANK values, a rank used twice in one
            user's list, or an item recommended twice to the same user.
    """
    k = _check_k(k)
    _require_columns(
        recommendations, RECS_NAME, (USER_ID, ITEM_ID),
        "pass the frame returned by Recommender.recommend() (USER_ID, ITEM_ID, SCORE, RANK).",
    )
    _require_columns(
        truth, TRUTH_NAME, (USER_ID, ITEM_ID) + ((gain,) if gain else ()),
        "pass held-out interactions with USER_ID and ITEM_ID (e.g. Split.test)"
        + (f" and the relevance column {gain}." if gain else "."),
    )
    ranks = ranks_of(recommendations)
    n_truth = len(truth)

    # ids as pandas strings (as the recommenders' Vocabulary keeps them), so that 42 in one frame matches "42"
    # in the other; both frames get the same string dtype, which factorizes fastest; missing ids stay missing
    user_codes, user_ids = pd.factorize(pd.concat([_as_strings(truth[USER_ID]), _as_strings(recommendations[USER_ID])],
                                                  ignore_index=True))
    item_codes, item_ids = pd.factorize(pd.concat([_as_strings(truth[ITEM_ID]), _as_strings(recommendations[ITEM_ID])],
                                                  ignore_index=True))
    if (user_codes < 0).any() or (item_codes < 0).any():
        bad = np.flatnonzero((user_codes < 0) | (item_codes < 0))[0]
        frame, row = (TRUTH_NAME, bad) if bad < n_truth else (RECS_NAME, bad - n_truth)
        column = USER_ID if user_codes[bad] < 0 else ITEM_ID
        raise DatasetError("missing id.", file=frame, row=int(row) + 1, column=column, fix="drop or fill rows without ids.")
    n_users, n_items = len(user_ids), max(len(item_ids), 1)
    keys = user_codes.astype(np.int64) * n_items + item_codes

    truth_users, rec_users = user_codes[:n_truth], user_codes[n_truth:]
    truth_keys, rec_keys = keys[:n_truth], keys[n_truth:]
    has_truth = np.bincount(truth_users, minlength=n_users) > 0
    has_recs = np.bincount(rec_users, minlength=n_users) > 0

    # --- recommendations inside the cutoff, checked for duplicate ranks
    inside = ranks <= k
    r_users, r_ranks, r_keys = rec_users[inside], ranks[inside] - 1, rec_keys[inside]
    cell = r_users.astype(np.int64) * k + r_ranks
    cell_count = np.bincount(cell, minlength=n_users * k)
    if (cell_count > 1).any():
        dup_cell = int(np.flatnonzero(cell_count > 1)[0])
        row = int(np.flatnonzero(inside)[np.flatnonzero(cell == dup_cell)[1]])
        raise DatasetError(
            f"user {user_ids[dup_cell // k]!r} has two items at RANK {dup_cell % k + 1}.",
            file=RECS_NAME, row=row + 1, column=RANK, fix="give every item of a list its own rank.",
        )
    _check_unique_items(item_codes[n_truth:][inside], cell, n_users, k, np.flatnonzero(inside))

    # --- truth as a set per user; look every recommended pair up once
    unique_gain = None
    if gain is None and n_users * n_items <= _BITMAP_CELLS:
        # dense bitmap over (user, item): O(rows), no hashing or sorting
        member = np.zeros(n_users * n_items, dtype=bool)
        member[truth_keys] = True
        hit = member[r_keys]
        if np.count_nonzero(member) == n_truth:  # no repeated (user, item) pair in the truth
            unique_users = truth_users
        else:
            unique_users = pd.unique(truth_keys) // n_items
        lookup = None
    else:
        if gain is None:
            unique_keys = pd.unique(truth_keys)
        else:
            unique_keys, unique_gain = _unique_with_gain(truth, gain, truth_keys)
        unique_users = unique_keys // n_items
        lookup = pd.Index(unique_keys).get_indexer(r_keys)
        hit = lookup >= 0
    n_relevant = np.bincount(unique_users, minlength=n_users)

    # --- which users are evaluated
    keep = has_truth & has_recs
    if convention.missing_recommendations == "score":
        keep |= has_truth & ~has_recs
    if convention.missing_truth != "drop":
        keep |= has_recs & ~has_truth
    row_of = np.full(n_users, -1, dtype=np.int64)
    row_of[keep] = np.arange(int(keep.sum()))
    n_rows = int(keep.sum())

    rows = row_of[r_users]
    ok = rows >= 0
    hits = np.zeros((n_rows, k), dtype=bool)
    present = np.zeros((n_rows, k), dtype=bool)
    present[rows[ok], r_ranks[ok]] = True
    hits[rows[ok & hit], r_ranks[ok & hit]] = True
    if unique_gain is None:
        gains = hits.astype(float)
        ideal = (np.arange(k)[None, :] < n_relevant[keep][:, None]).astype(float)
    else:
        gains = np.zeros((n_rows, k))
        sel = ok & hit
        gains[rows[sel], r_ranks[sel]] = unique_gain[lookup[sel]]
        ideal = _ideal_gains(unique_users, unique_gain, row_of, n_rows, k)
    return RankingGrid(
        users=np.asarray(user_ids, dtype=object)[keep],
        k=k,
        hits=hits,
        gains=gains,
        present=present,
        ideal_gains=ideal,
        n_relevant=n_relevant[keep],
        has_truth=has_truth[keep],
        has_recommendations=has_recs[keep],
        graded=gain is not None,
    )


def _ideal_gains(users: np.ndarray, gains: np.ndarray, row_of: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """Each user's ``k`` largest gains, sorted high to low, as an ``(n_rows, k)`` matrix."""
    order = np.lexsort((-gains, users))
    users, gains = users[order], gains[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    position = np.arange(len(users)) - np.repeat(starts, np.diff(np.r_[starts, len(users)]))
    rows = row_of[users]
    sel = (position < k) & (rows >= 0)
    ideal = np.zeros((n_rows, k))
    ideal[rows[sel], position[sel]] = gains[sel]
    return ideal


def _unique_with_gain(truth: pd.DataFrame, gain: str, truth_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (user, item) keys with the largest gain of each, after checking the gain values."""
    values = pd.to_numeric(truth[gain], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DatasetError(
            f"graded relevance must be a finite number >= 0, found {truth[gain].iloc[row]!r}.",
            file=TRUTH_NAME, row=row + 1, column=gain,
            fix=f"fill or drop rows without {gain}, or evaluate with binary relevance (gain=None).",
        )
    order = np.lexsort((-values, truth_keys))
    sorted_keys = truth_keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return sorted_keys[first], values[order][first]


def _check_unique_items(item_codes: np.ndarray, cell: np.ndarray, n_users: int, k: int, rows: np.ndarray) -> None:
    """Reject a list that holds the same item twice (it would be counted twice)."""
    if len(cell) == 0:
        return
    table = np.full(n_users * k, -1, dtype=np.int64)
    table[cell] = np.arange(len(cell))
    slots = table.reshape(n_users, k)
    codes = np.where(slots >= 0, item_codes[np.maximum(slots, 0)], -1 - np.arange(k))
    ordered = np.sort(codes, axis=1)
    same = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    if same.any():
        user = int(np.flatnonzero(same.any(axis=1))[0])
        item = ordered[user, 1:][same[user]][0]
        position = np.flatnonzero(codes[user] == item)[1]
        raise DatasetError(
            "the same item is recommended twice to one user.",
            file=RECS_NAME, row=int(rows[slots[user, position]]) + 1, column=ITEM_ID,
            fix="deduplicate each list (keep the best-ranked copy) before evaluating.",
        )
