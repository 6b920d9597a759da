"""Interactions as integer codes: the training data of a simulation without its id strings.

A simulated shop logs every event as small integers (customer code, item code, event-type
code) that index its id arrays. Turning a year of such a log into a Personalize-format frame
of strings at every weekly retrain, only for the model to hash the strings back into
integers, was most of the cost of a retrain that was not the ALS itself. A
:class:`CodedInteractions` carries the codes and the id arrays instead; a model that can
learn from codes (``Recommender.fits_codes``) takes them as they are, and every other model
(or anything that reads the frame, such as a filter) gets :meth:`CodedInteractions.frame`,
built once, on demand.

``model.fit(coded)`` learns exactly what ``model.fit(coded.frame())`` learns: the same
vocabularies in the same order, the same arrays, the same numbers
(``tests/recommenders/test_coded.py`` checks it bit for bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID


@dataclass(frozen=True, eq=False)
class CodedInteractions:
    """Events ``k = 0..n-1``: ``user_ids[user[k]]`` did ``event_names[event_type[k]]`` on ``item_ids[item[k]]``.

    The arrays are kept by reference (not copied): do not change them afterwards.
    """

    user_ids: np.ndarray
    """Raw user id (a ``str``) of each user code (object array)."""
    item_ids: np.ndarray
    """Raw item id (a ``str``) of each item code (object array)."""
    user: np.ndarray
    """User code of each event (int64, indexes ``user_ids``)."""
    item: np.ndarray
    """Item code of each event (int64, indexes ``item_ids``)."""
    timestamp: np.ndarray
    """Epoch seconds of each event (int64)."""
    event_type: np.ndarray
    """Event-type code of each event (small ints, index ``event_names``)."""
    event_names: np.ndarray
    """EVENT_TYPE name of each event-type code (object array)."""
    event_value: np.ndarray | None = None
    """EVENT_VALUE of each event (float; ``None``: the frame has no EVENT_VALUE column)."""

    def __post_init__(self) -> None:
        n = len(self.user)
        columns = {"item": self.item, "timestamp": self.timestamp, "event_type": self.event_type}
        if self.event_value is not None:
            columns["event_value"] = self.event_value
        wrong = {name: len(values) for name, values in columns.items() if len(values) != n}
        if wrong:
            raise ValueError(f"CodedInteractions needs one value per event in every column: {n} users, but {wrong}")
        for name, codes, ids in (("user", self.user, self.user_ids), ("item", self.item, self.item_ids),
                                 ("event_type", self.event_type, self.event_names)):
            if n and (codes.min() < 0 or codes.max() >= len(ids)):
                raise ValueError(f"CodedInteractions: {name} codes must index their {len(ids)} ids, "
                                 f"found {codes.min()}..{codes.max()}")

    def __len__(self) -> int:
        return len(self.user)

    @property
    def columns(self) -> pd.Index:
        """The columns :meth:`frame` has."""
        names = [USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE] + ([EVENT_VALUE] if self.event_value is not None else [])
        return pd.Index(names)

    def frame(self) -> pd.DataFrame:
        """The Personalize-format frame of these events (built on the first call, then cached)."""
        return self._frame

    @cached_property
    def _frame(self) -> pd.DataFrame:
        columns = {
            USER_ID: self.user_ids[self.user],
            ITEM_ID: self.item_ids[self.item],
            TIMESTAMP: np.asarray(self.timestamp, dtype=np.int64),
            EVENT_TYPE: self.event_names[self.event_type],
        }
        if self.event_value is not None:
            columns[EVENT_VALUE] = self.event_value
        return pd.DataFrame(columns)

    def inner_users(self) -> tuple[np.ndarray, np.ndarray]:
        """Raw ids of the users in order of first appearance, and each event's position in that list.

        That is the vocabulary ``Vocabulary(frame[USER_ID].unique())`` and its ``to_inner``
        of every event, computed on the integer codes.
        """
        return first_seen(self.user, self.user_ids)

    def inner_items(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`inner_users` for the items."""
        return first_seen(self.item, self.item_ids)


def first_seen(codes: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(ids of the distinct codes in order of first appearance, position of each code in it)``."""
    distinct = pd.unique(np.asarray(codes, dtype=np.int64))
    position = np.full(len(ids), -1, dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    return ids[distinct], position[codes]
