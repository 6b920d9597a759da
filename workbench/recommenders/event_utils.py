"""Small helpers shared by the event-driven recommenders.

Reading events (lower-case event types, numeric timestamps with row-precise
errors, impression lists), growing a fitted model's item vocabulary when
tracked events bring new items, and :class:`DeferredSeen`, which lets real-time
models absorb many small :meth:`~workbench.recommenders.base.Recommender.update`
calls cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..constants import EVENT_TYPE, IMPRESSION, ITEM_ID, RECOMMENDATION_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError
from .base import Recommender, SessionLike

__all__ = [
    "DeferredSeen",
    "attributed_to_recommendation",
    "event_type_array",
    "event_types_of",
    "extend_items",
    "require_event_type",
    "session_items_for",
    "showings",
    "split_impressions",
    "timestamps_of",
]


def event_types_of(frame: pd.DataFrame) -> pd.Series:
    """EVENT_TYPE values in lower case (the workbench's event names are lower case)."""
    return frame[EVENT_TYPE].astype(str).str.lower()


def event_type_array(frame: pd.DataFrame) -> np.ndarray:
    """EVENT_TYPE values in lower case as a numpy array (cheaper than :func:`event_types_of` for small batches)."""
    return np.asarray([str(v).lower() for v in frame[EVENT_TYPE].to_numpy(dtype=object)], dtype=object)


def timestamps_of(frame: pd.DataFrame) -> np.ndarray:
    """TIMESTAMP as float seconds; a clear error names the first row that is not a number."""
    values = pd.to_numeric(frame[TIMESTAMP], errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        raise DatasetError(
            f"TIMESTAMP {frame[TIMESTAMP].iloc[bad[0]]!r} is not a number.",
            row=int(bad[0]) + 1,
            column=TIMESTAMP,
            fix="store Unix epoch seconds (e.g. 1700000000) in TIMESTAMP.",
        )
    return values.to_numpy(dtype=float)


def require_event_type(frame: pd.DataFrame, model: str, wanted: tuple[str, ...]) -> None:
    """Raise a :class:`DatasetError` when ``frame`` has no EVENT_TYPE or none of ``wanted`` events."""
    if EVENT_TYPE not in frame.columns:
        raise DatasetError(
            f"{model} counts {', '.join(wanted)} events, but the interactions have no event types.",
            column=EVENT_TYPE,
            fix="add an EVENT_TYPE column (view / click / add_to_cart / purchase), "
            "or change the model's event_types setting.",
        )
    present = set(event_types_of(frame).unique())
    if not present & set(wanted):
        raise DatasetError(
            f"{model} found no {' or '.join(repr(w) for w in wanted)} events "
            f"(event types present: {sorted(present)}).",
            column=EVENT_TYPE,
            fix="check the spelling of your event types or set the model's event type settings to ones in the data.",
        )


def extend_items(model: Recommender, new_items: np.ndarray) -> int:
    """Append item ids first seen in tracked events to ``model``'s vocabulary.

    Grows ``model._popularity`` with zeros; returns how many ids were added. The
    seen matrix is resized by the base class's ``_grow_seen``, to be called after.
    """
    new_items = np.asarray([i for i in pd.unique(pd.Series(new_items, dtype=object)) if i not in model.item_vocab],
                           dtype=object)
    if len(new_items) == 0:
        return 0
    model.item_vocab = model.item_vocab.extend(new_items)
    model._popularity = np.concatenate([model._popularity, np.zeros(len(new_items))])
    return len(new_items)


def split_impressions(values: pd.Series) -> list[list[str]]:
    """Parse IMPRESSION cells (item ids separated by ``|``); empty / missing cells give ``[]``."""
    out = []
    for cell in values:
        if cell is None or (isinstance(cell, float) and np.isnan(cell)) or pd.isna(cell):
            out.append([])
        else:
            out.append([part.strip() for part in str(cell).split("|") if part.strip()])
    return out


def showings(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (showing, shown item): columns ``SHOWING`` and ITEM_ID.

    A showing is one shown list: a distinct ``(USER_ID, RECOMMENDATION_ID)`` pair
    when RECOMMENDATION_ID is filled (the same list logged on several events
    counts once), otherwise one event row with a non-empty IMPRESSION. An item
    repeated inside one list counts once. Without an IMPRESSION column the frame
    is empty.
    """
    if IMPRESSION not in events.columns:
        return pd.DataFrame({"SHOWING": pd.Series(dtype=object), ITEM_ID: pd.Series(dtype=object)})
    frame = events.reset_index(drop=True)
    lists = pd.Series(split_impressions(frame[IMPRESSION]), dtype=object)
    has = lists.map(len).to_numpy() > 0
    key = np.asarray([f"row:{r}" for r in range(len(frame))], dtype=object)
    if RECOMMENDATION_ID in frame.columns:
        rid = frame[RECOMMENDATION_ID]
        filled = (rid.notna() & (rid.astype(str).str.len() > 0)).to_numpy()
        key[filled] = ("rec:" + frame[USER_ID].astype(str) + "|" + rid.astype(str)).to_numpy(dtype=object)[filled]
    table = pd.DataFrame({"SHOWING": key[has], ITEM_ID: lists[has].to_numpy()})
    first = ~pd.Series(table["SHOWING"]).duplicated().to_numpy()
    table = table[first].explode(ITEM_ID)
    return table.drop_duplicates().reset_index(drop=True)


def attributed_to_recommendation(events: pd.DataFrame) -> np.ndarray:
    """Per event: did it come from a recommendation?

    True when the event carries a non-empty RECOMMENDATION_ID, or when its item is
    in the event's own IMPRESSION list. Events without either column are False.
    """
    frame = events.reset_index(drop=True)
    out = np.zeros(len(frame), dtype=bool)
    if RECOMMENDATION_ID in frame.columns:
        rid = frame[RECOMMENDATION_ID]
        out |= (rid.notna() & (rid.astype(str).str.len() > 0)).to_numpy()
    if IMPRESSION in frame.columns:
        items = frame[ITEM_ID].astype(str).to_numpy(dtype=object)
        lists = split_impressions(frame[IMPRESSION])
        out |= np.fromiter((item in shown for item, shown in zip(items, lists)), dtype=bool, count=len(frame))
    return out


def session_items_for(session: SessionLike, user_id: str) -> list[str]:
    """The session items that belong to ``user_id`` (a plain list applies to everyone)."""
    if session is None:
        return []
    if isinstance(session, Mapping):
        return [str(i) for i in session.get(user_id, [])]
    if isinstance(session, (str, bytes)):
        return [str(session)]
    return [str(i) for i in session]


class DeferredSeen:
    """Mixin for real-time models: tracked events reach the seen matrix in batches.

    Growing the user vocabulary and the sparse seen matrix costs time
    proportional to all interactions, too much to pay on every one-visit
    ``update``. A model that mixes this in (``class M(DeferredSeen, Recommender)``)
    calls :meth:`_track_seen` in ``_update``; the queued events are folded in,
    all at once, the next time anything reads ``user_vocab`` or ``_seen`` (every
    ``recommend`` and ``explain`` does). Results are the same as growing them
    on every update.
    """

    @property
    def user_vocab(self):
        """User vocabulary including users first seen in tracked events."""
        self._flush_seen()
        return self.__dict__["_deferred_user_vocab"]

    @user_vocab.setter
    def user_vocab(self, vocab) -> None:
        self.__dict__["_deferred_user_vocab"] = vocab

    @property
    def _seen(self):
        self._flush_seen()
        return self.__dict__["_deferred_seen"]

    @_seen.setter
    def _seen(self, matrix) -> None:
        self.__dict__["_deferred_seen"] = matrix

    def fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None = None, users: pd.DataFrame | None = None):
        """Refit from scratch: events queued before the refit are dropped (they are in the new data or gone)."""
        self.__dict__["_deferred_events"] = []
        return super().fit(interactions, items=items, users=users)  # type: ignore[misc]

    def _track_seen(self, events: pd.DataFrame) -> None:
        """Queue the (user, item) pairs of tracked events."""
        pair = (events[USER_ID].to_numpy(dtype=object), events[ITEM_ID].to_numpy(dtype=object))
        self.__dict__.setdefault("_deferred_events", []).append(pair)

    def _flush_seen(self) -> None:
        pending = self.__dict__.get("_deferred_events")
        if pending:
            self.__dict__["_deferred_events"] = []  # emptied first: _grow_seen reads the properties
            users, items = (np.concatenate(parts) for parts in zip(*pending))
            Recommender._grow_seen(self, pd.DataFrame({USER_ID: users, ITEM_ID: items}))  # type: ignore[arg-type]
