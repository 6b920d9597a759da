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

    def __init__(self, ids: Iterable[object]) -> None:
        index = pd.Index(pd.unique(pd.Series(list(ids), dtype=object).astype(str)))
        self._index = index

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, column: str) -> Vocabulary:
        """Vocabulary of the distinct values of ``frame[column]``, in first-seen order."""
        return cls(frame[column].astype(str).unique())

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, raw_id: object) -> bool:
        return str(raw_id) in self._index

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} ids)"

    @property
    def ids(self) -> np.ndarray:
        """Raw ids in inner-index order."""
        return self._index.to_numpy(dtype=object)

    def to_inner(self, raw_ids: Iterable[object]) -> np.ndarray:
        """Inner indices for ``raw_ids``; ``-1`` where an id is unknown."""
        values = pd.Index(pd.Series(list(raw_ids) if not isinstance(raw_ids, pd.Series) else raw_ids,
                                    dtype=object).astype(str))
        return self._index.get_indexer(values)

    def to_raw(self, inner_ids: Iterable[int]) -> np.ndarray:
        """Raw ids for inner indices (which must all be valid)."""
        return self._index.to_numpy(dtype=object)[np.asarray(list(inner_ids) if not isinstance(inner_ids, np.ndarray) else inner_ids, dtype=np.int64)]

    def extend(self, raw_ids: Iterable[object]) -> Vocabulary:
        """A new vocabulary with ``raw_ids`` appended (existing inner ids unchanged)."""
        new = pd.Index(pd.Series(list(raw_ids), dtype=object).astype(str))
        new = new[self._index.get_indexer(new) < 0].unique()  # get_indexer: no per-call copy of the known ids
        out = Vocabulary([])
        out._index = self._index.append(new)
        return out
