"""The shop's interaction log, kept as numpy chunks and turned into Personalize rows on demand.

A run produces millions of events; appending to a DataFrame per event (or per
time slice) would dominate the run time. :class:`EventLog` stores integer codes
in column chunks and builds the Personalize interactions frame (string ids,
event type names) only when a model is trained or the run ends.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..constants import (
    EVENT_TYPES,
    IMPRESSION,
    RECOMMENDATION_ID,
    SESSION_ID,
)
from ..recommenders.coded import CodedInteractions

DWELL_SECONDS = "DWELL_SECONDS"
"""Seconds spent on the product page (time-based signal, curriculum DH-05)."""
SCROLL_DEPTH = "SCROLL_DEPTH"
"""How far down the page or list the customer scrolled, 0-1 (DH-05)."""

_FIELDS = {
    "user": np.int64, "item": np.int64, "ts": np.int64, "kind": np.int64, "value": float,
    "session": np.int64, "list_id": np.int64, "dwell": float, "scroll": float,
}
EVENT_NAMES = np.asarray(EVENT_TYPES, dtype=object)
"""EVENT_TYPE name of each event code (``EVENT_NAMES[kind]``)."""


class EventLog:
    """Append-only event store with integer codes (user/item = catalog and customer indices)."""

    def __init__(self) -> None:
        self._chunks: dict[str, list[np.ndarray]] = {name: [] for name in _FIELDS}
        self._cache: dict[str, np.ndarray] | None = None
        self._impression_ids: list[np.ndarray] = []
        self._impression_rows: list[np.ndarray] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def add(self, **columns: np.ndarray) -> None:
        """Append one batch; every field of the log must be given, all of equal length."""
        n = len(columns["user"])
        if n == 0:
            return
        for name, dtype in _FIELDS.items():
            self._chunks[name].append(np.asarray(columns[name], dtype=dtype))
        self._n += n
        self._cache = None

    def add_impressions(self, list_ids: np.ndarray, rows: np.ndarray) -> None:
        """Remember served lists (catalog indices, -1 padded) by recommendation id."""
        if len(list_ids):
            self._impression_ids.append(np.asarray(list_ids, dtype=np.int64))
            self._impression_rows.append(np.asarray(rows, dtype=np.int64))

    def arrays(self) -> dict[str, np.ndarray]:
        """All events as one array per field (concatenated once, cached)."""
        if self._cache is None:
            self._cache = {
                name: (np.concatenate(chunks) if chunks else np.zeros(0, dtype=_FIELDS[name]))
                for name, chunks in self._chunks.items()
            }
            for name, array in self._cache.items():  # keep one chunk: the next concat is cheap
                self._chunks[name] = [array]
        return self._cache

    def coded(self, user_ids: np.ndarray, item_ids: np.ndarray, mask: np.ndarray | None = None) -> CodedInteractions:
        """The (masked) events in log order as integer codes into ``user_ids`` / ``item_ids`` (what a retrain fits)."""
        a = self.arrays()
        sel = slice(None) if mask is None else np.flatnonzero(mask)
        return CodedInteractions(user_ids, item_ids, a["user"][sel], a["item"][sel], a["ts"][sel], a["kind"][sel],
                                 EVENT_NAMES, a["value"][sel])

    def training_frame(self, user_ids: np.ndarray, item_ids: np.ndarray, mask: np.ndarray | None = None) -> pd.DataFrame:
        """USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE of the (masked) events, in log order."""
        return self.coded(user_ids, item_ids, mask).frame()

    def personalize_frame(self, user_ids: np.ndarray, item_ids: np.ndarray, impressions: bool = True) -> pd.DataFrame:
        """The full interaction log in Personalize format, sorted by TIMESTAMP (stable).

        Columns: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE (price for purchases),
        SESSION_ID, RECOMMENDATION_ID (events that came from a list), IMPRESSION (that list,
        ``|``-joined, when ``impressions``), DWELL_SECONDS, SCROLL_DEPTH.
        """
        a = self.arrays()
        order = np.argsort(a["ts"], kind="stable")
        frame = self.training_frame(user_ids, item_ids).iloc[order].reset_index(drop=True)
        list_id = a["list_id"][order]
        from_list = list_id >= 0
        frame[SESSION_ID] = np.char.add("S", a["session"][order].astype(str)).astype(object)
        rec = np.full(len(frame), None, dtype=object)
        rec[from_list] = np.char.add("R", list_id[from_list].astype(str)).astype(object)
        frame[RECOMMENDATION_ID] = rec
        if impressions:
            frame[IMPRESSION] = self._impression_strings(list_id, item_ids)
        frame[DWELL_SECONDS] = a["dwell"][order]
        frame[SCROLL_DEPTH] = np.round(a["scroll"][order], 3)
        return frame

    def _impression_strings(self, list_id: np.ndarray, item_ids: np.ndarray) -> np.ndarray:
        out = np.full(len(list_id), None, dtype=object)
        if not self._impression_ids:
            return out
        ids = np.concatenate(self._impression_ids)
        rows = np.concatenate(self._impression_rows)
        order = np.argsort(ids, kind="stable")
        ids, rows = ids[order], rows[order]
        wanted = np.flatnonzero(list_id >= 0)
        pos = np.searchsorted(ids, list_id[wanted])
        found = (pos < len(ids)) & (ids[np.minimum(pos, len(ids) - 1)] == list_id[wanted])
        cache: dict[int, str] = {}
        for k, p in zip(wanted[found].tolist(), pos[found].tolist()):
            text = cache.get(p)
            if text is None:
                row = rows[p]
                text = "|".join(item_ids[row[row >= 0]])
                cache[p] = text
            out[k] = text
        return out


def interactions_frame(user_ids: np.ndarray, item_ids: np.ndarray, user: np.ndarray, item: np.ndarray,
                       ts: np.ndarray, kind: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE rows of integer-coded events (codes index the id arrays)."""
    return CodedInteractions(user_ids, item_ids, user, item, ts, kind, EVENT_NAMES, value).frame()
