"""Session / recency recommendations: "because you just looked at ...".

The DATAHERE document's real-time personal list (DH-06) analyses the items a
visitor clicked most recently; Personalize's recency idea (PZ-08) weighs how
recently a user showed interest. :class:`SessionRecency` combines both:

1. **At fit** it cuts the log into sessions (the SESSION_ID column when filled,
   otherwise a new session after ``session_gap_minutes`` of inactivity) and
   counts, for every pair of items, the sessions that contain both. With
   ``normalize=True`` the count is divided by ``sqrt(n_i * n_j)`` (``n_i`` =
   sessions containing ``i``), the cosine of the two items' session vectors,
   so that best-sellers do not co-occur with everything.
2. **At recommend** it takes the user's most recent distinct items (newest
   first, at most ``max_recent``), weighs the ``p``-th most recent one by
   ``0.5 ** (p / half_life)`` (``decay="position"``; ``p = 0`` is the newest)
   or by ``0.5 ** (age_hours / half_life)`` (``decay="time"``, age measured from
   the user's newest event), and scores every item by the weighted sum of its
   co-occurrence with those recent items. A small popularity term
   (``popularity_weight`` x popularity / max popularity) breaks ties and fills
   the list when the recent items co-occur with few others.

It is real-time: :meth:`update` appends tracked events to the user's recent
history (the co-occurrence table itself is learned again only by ``fit``).
Anonymous visitors work two ways: pass ``session=[item ids]`` to
``recommend``, or send their events with the session id as USER_ID (the
Personalize advice for anonymous users) and ask for that id.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import sparse

from ..constants import ITEM_ID, SECONDS_PER_HOUR, SESSION_ID, USER_ID
from .base import Recommender, RecommenderConfig, SessionLike
from .event_utils import DeferredSeen, extend_items, session_items_for, timestamps_of

__all__ = ["SessionRecency", "SessionRecencyConfig", "recency_weights", "sessionize"]


@dataclasses.dataclass
class SessionRecencyConfig(RecommenderConfig):
    """Settings of :class:`SessionRecency`."""

    session_gap_minutes: float = 30.0
    """Inactivity gap that starts a new session when the data has no SESSION_ID."""

    decay: str = "position"
    """``"position"``: weight halves every ``half_life`` steps back; ``"time"``: every ``half_life`` hours back."""

    half_life: float = 2.0
    """Steps (``decay="position"``) or hours (``decay="time"``) after which a recent item counts half."""

    max_recent: int = 10
    """How many of the most recent distinct items are used."""

    normalize: bool = True
    """Divide co-occurrence counts by ``sqrt(n_i * n_j)`` (cosine) instead of using raw session counts."""

    popularity_weight: float = 0.01
    """Weight of the popularity tie-breaker (popularity scaled to [0, 1])."""


def sessionize(interactions: pd.DataFrame, gap_minutes: float = 30.0) -> np.ndarray:
    """A session key per row: SESSION_ID where filled, else cut per user by an inactivity gap.

    Rows of one user are ordered by TIMESTAMP; a gap longer than ``gap_minutes``
    between consecutive events starts a new session. Keys are strings, unique
    across users (``"<user>#<n>"`` for gap sessions, ``"sid:<SESSION_ID>"`` otherwise).

    Returns:
        An object array aligned with ``interactions``' rows.
    """
    frame = interactions.reset_index(drop=True)
    times = timestamps_of(frame)
    keys = np.empty(len(frame), dtype=object)
    has_sid = np.zeros(len(frame), dtype=bool)
    if SESSION_ID in frame.columns:
        sid = frame[SESSION_ID]
        has_sid = (sid.notna() & (sid.astype(str).str.len() > 0)).to_numpy()
        keys[has_sid] = ("sid:" + sid[has_sid].astype(str)).to_numpy()
    rest = np.flatnonzero(~has_sid)
    if len(rest):
        users = frame[USER_ID].to_numpy(dtype=object)[rest]
        order = np.lexsort((times[rest], users))
        u_sorted, t_sorted = users[order], times[rest][order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (u_sorted[1:] != u_sorted[:-1]) | (np.diff(t_sorted) > gap_minutes * 60)
        counter = np.cumsum(new)
        keys[rest[order]] = [f"{u}#{c}" for u, c in zip(u_sorted, counter)]
    return keys


def recency_weights(n: int, half_life: float) -> np.ndarray:
    """Position weights ``0.5 ** (p / half_life)`` for ``p = 0 .. n-1`` (``p = 0`` is the newest item).

    Example: ``half_life=2`` gives 1, 0.7071, 0.5, 0.3536, 0.25 ...
    """
    return np.power(0.5, np.arange(n) / float(half_life))


class SessionRecency(DeferredSeen, Recommender):
    """Items that co-occur in sessions with what the user clicked most recently."""

    Config = SessionRecencyConfig
    config: SessionRecencyConfig
    realtime = True
    fallback_description = "most popular items (or, with a session, items seen with the session's items)"

    # ------------------------------------------------------------------ fit
    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        if self.config.decay not in ("position", "time"):
            raise ValueError(f"SessionRecencyConfig.decay must be 'position' or 'time', not {self.config.decay!r}")
        if self.config.half_life <= 0:
            raise ValueError("SessionRecencyConfig.half_life must be > 0")
        keys = sessionize(interactions, self.config.session_gap_minutes)
        session_index = pd.Index(pd.unique(keys))
        rows = session_index.get_indexer(keys)
        cols = self.item_vocab.to_inner(interactions[ITEM_ID])
        shape = (len(session_index), len(self.item_vocab))
        incidence = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
        incidence.data[:] = 1.0  # a session contains an item or not (duplicates summed -> reset to 1)
        counts = (incidence.T @ incidence).tocsr().astype(float)
        per_item = counts.diagonal().copy()
        counts.setdiag(0.0)
        counts.eliminate_zeros()
        self.n_sessions_ = len(session_index)
        self.session_counts_ = per_item
        self.cooccurrence_ = counts
        self.similarity_ = self._normalise(counts, per_item)
        self._histories: dict[str, list[tuple[float, int]]] = {}
        self._append_history(interactions)

    def _normalise(self, counts: sparse.csr_matrix, per_item: np.ndarray) -> sparse.csr_matrix:
        if not self.config.normalize:
            return counts.copy()
        coo = counts.tocoo()
        denom = np.sqrt(per_item[coo.row] * per_item[coo.col])
        return sparse.csr_matrix((coo.data / denom, (coo.row, coo.col)), shape=counts.shape)

    def _append_history(self, events: pd.DataFrame) -> None:
        times = timestamps_of(events)
        items = self.item_vocab.to_inner(events[ITEM_ID])
        order = np.argsort(times, kind="stable")
        touched = set()
        for user, t, item in zip(events[USER_ID].to_numpy(dtype=object)[order], times[order], items[order]):
            if item >= 0:
                self._histories.setdefault(str(user), []).append((float(t), int(item)))
                touched.add(str(user))
        for user in touched:  # late events (older than the stored history) go to their place in time
            self._histories[user].sort(key=lambda pair: pair[0])

    # -------------------------------------------------------------- scoring
    def recent_items(self, user_id: str, session: SessionLike = None) -> tuple[np.ndarray, np.ndarray]:
        """The user's weighted recent items, newest first: ``(inner item ids, weights)``.

        Items in ``session`` count as the newest (after the stored history); with
        ``decay="time"`` they have no timestamp and are treated as just seen (age 0).
        """
        history = self._histories.get(str(user_id), [])
        extra = session_items_for(session, user_id)
        extra_idx = self.item_vocab.to_inner(extra) if extra else np.zeros(0, dtype=np.int64)
        latest = history[-1][0] if history else 0.0
        sequence = [(latest, int(i)) for i in extra_idx if i >= 0]
        chosen: list[int] = []
        ages: list[float] = []
        for t, item in [*reversed(sequence), *reversed(history)]:
            if item in chosen:
                continue
            chosen.append(item)
            ages.append(latest - t)
            if len(chosen) >= self.config.max_recent:
                break
        if self.config.decay == "position":
            weights = recency_weights(len(chosen), self.config.half_life)
        else:
            weights = np.power(0.5, np.asarray(ages, dtype=float) / (self.config.half_life * SECONDS_PER_HOUR))
        return np.asarray(chosen, dtype=np.int64), weights

    def _scores_for(self, raw_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        rows, cols, vals = [], [], []
        for r, uid in enumerate(raw_ids):
            items, weights = self.recent_items(uid, session)
            rows.extend([r] * len(items))
            cols.extend(items.tolist())
            vals.extend(weights.tolist())
        recent = sparse.csr_matrix((vals, (rows, cols)), shape=(len(raw_ids), len(self.item_vocab)))
        scores = np.asarray((recent @ self.similarity_).todense(), dtype=float)
        top = self._popularity.max()
        if top > 0:
            scores += self.config.popularity_weight * self._popularity / top
        return scores

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        return self._scores_for(self.user_vocab.to_raw(users), session)

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        return self._scores_for(raw_user_ids, session)

    def _score_raw(self, raw_user_ids: np.ndarray, session: SessionLike) -> tuple[np.ndarray, np.ndarray]:
        scores, fallback = super()._score_raw(raw_user_ids, session)
        # An anonymous visitor with known session items gets session-based lists, not the fallback.
        for row in np.flatnonzero(fallback):
            extra = session_items_for(session, raw_user_ids[row])
            if extra and (self.item_vocab.to_inner(extra) >= 0).any():
                fallback[row] = False
        return scores, fallback

    # --------------------------------------------------------------- update
    def _update(self, events: pd.DataFrame, new_items: np.ndarray) -> None:
        added = extend_items(self, new_items)
        if added:
            shape = (len(self.item_vocab), len(self.item_vocab))
            for name in ("cooccurrence_", "similarity_"):
                matrix = getattr(self, name).tolil()
                matrix.resize(shape)
                setattr(self, name, matrix.tocsr())
            self.session_counts_ = np.concatenate([self.session_counts_, np.zeros(added)])
        self._track_seen(events)
        self._append_history(events)

    # ------------------------------------------------------ similar / explain
    def _similar(self, items: np.ndarray) -> np.ndarray:
        return np.asarray(self.similarity_[items].todense(), dtype=float)

    def explain(self, user_id: object, item_id: object, session: SessionLike = None) -> str:
        """Which recent item led to ``item_id``, and in how many sessions the two appeared together."""
        self._check_fitted()
        uid = str(user_id)
        recent, weights = self.recent_items(uid, session)
        target = self.item_vocab.to_inner([str(item_id)])[0]
        if len(recent) == 0 or target < 0:
            return f"You have no recent clicks here yet, so {self.name} shows the {self.fallback_description}."
        contributions = weights * np.asarray(self.similarity_[recent, target].todense()).ravel()
        best = int(np.argmax(contributions))
        if contributions[best] <= 0:
            return (f"None of your recent items was viewed in a session with {item_id}; "
                    "it fills the list as a popular item.")
        steps = "your latest click" if best == 0 else f"{best} clicks before your latest"
        together = int(self.cooccurrence_[recent[best], target])
        return (f"Because you recently looked at {self.item_vocab.ids[recent[best]]} ({steps}): "
                f"the two were viewed together in {together} sessions.")
