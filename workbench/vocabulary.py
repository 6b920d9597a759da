"""Raw ids outside, inner indices inside.

Every recommender keeps one :class:`Vocabulary` for users and one for items, the
way Surprise's ``Trainset`` maps raw ids to inner ids. Raw ids are strings (the
Personalize format); inner ids are ``0..len-1`` and index rows/columns of the
model's arrays. Unknown raw ids map to ``-1`` instead of raising, so callers can
mask them and fall back gracefully.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


class Vocabulary:
    """A fixed, ordered set of raw ids with O(1) lookups in both directions."""

    _SMALL = 32
    """Queries shorter than this use a dict lookup (cheaper than building an Index)."""

    def __init__(self, ids: Iterable[object]) -> None:
        self._set_index(pd.Index(pd.unique(_as_strings(ids))))

    def _set_index(self, index: pd.Index) -> None:
        self._index = index
        self._ids = index.to_numpy(dtype=object)
        self._lookup: dict[str, int] | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, column: str) -> Vocabulary:
        """Vocabulary of the distinct values of ``frame[column]``, in first-seen order."""
        return cls(frame[column])

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, raw_id: object) -> bool:
        return str(raw_id) in self._index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} ids)"

    @property
    def ids(self) -> np.ndarray:
        """Raw ids in inner-index order (do not modify the returned array)."""
        return self._ids

    def to_inner(self, raw_ids: Iterable[object]) -> np.ndarray:
        """Inner indices for ``raw_ids``; ``-1`` where an id is unknown."""
        if isinstance(raw_ids, (list, tuple)) and len(raw_ids) < self._SMALL:
            if self._lookup is None:
                self._lookup = {raw: i for i, raw in enumerate(self._ids)}
            lookup = self._lookup
            return np.fromiter((lookup.get(str(r), -1) for r in raw_ids), dtype=np.intp, count=len(raw_ids))
        return inner_of_many(raw_ids, lambda distinct: self._index.get_indexer(pd.Index(_as_strings(distinct))))

    def to_raw(self, inner_ids: Iterable[int]) -> np.ndarray:
        """Raw ids for inner indices (which must all be valid)."""
        positions = inner_ids if isinstance(inner_ids, np.ndarray) else list(inner_ids)
        return self._ids[np.asarray(positions, dtype=np.int64)]

    def extend(self, raw_ids: Iterable[object]) -> Vocabulary:
        """A new vocabulary with ``raw_ids`` appended (existing inner ids unchanged)."""
        new = pd.Index(pd.unique(_as_strings(raw_ids)))
        new = new[self._index.get_indexer(new) < 0]
        out = Vocabulary([])
        out._set_index(self._index.append(new) if len(new) else self._index)
        return out


_FACTORIZE_ABOVE = 10_000
"""Longer queries (a training log) are factorised first, so each distinct id is looked up once."""


def inner_of_many(raw_ids: Iterable[object], lookup) -> np.ndarray:
    """``lookup(distinct_ids)[codes]``: inner indices of many raw ids with few distinct values.

    ``pd.factorize`` hashes the ids in C (Arrow-backed string columns are dictionary
    encoded without building a Python string per row); ``lookup`` maps the distinct
    ids to inner indices (``-1`` = unknown). Missing values map to ``-1``.
    """
    values = raw_ids if isinstance(raw_ids, (pd.Series, pd.Index, np.ndarray)) else list(raw_ids)
    if len(values) <= _FACTORIZE_ABOVE:
        return np.asarray(lookup(values), dtype=np.int64)
    codes, distinct = pd.factorize(values if not isinstance(values, list) else np.asarray(values, dtype=object))
    found = np.asarray(lookup(np.asarray(distinct, dtype=object)), dtype=np.int64)
    return np.where(codes >= 0, found[np.maximum(codes, 0)], -1)


def _as_strings(values: Iterable[object]) -> pd.Series:
    """``values`` as a Series of strings (no copy when they already are strings)."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    else:
        series = pd.Series(list(values), dtype=object)
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series
    return series.astype(str)
