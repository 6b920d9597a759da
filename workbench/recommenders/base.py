"""The one interface every recommender in the workbench implements.

Data flows ``interactions -> fit -> recommend -> DataFrame``. A model:

* is built from a config dataclass (``Model()`` works; ``Model(n=20)`` overrides a
  setting; ``Model(SomeConfig(...))`` passes a whole config);
* learns in :meth:`Recommender.fit` from a Personalize-format interactions frame
  (USER_ID, ITEM_ID, TIMESTAMP, optional EVENT_TYPE / EVENT_VALUE) plus optional
  items and users frames;
* answers :meth:`Recommender.recommend` with a tidy frame ``USER_ID, ITEM_ID,
  SCORE, RANK, FALLBACK`` -- one row per recommended item, RANK 1 at the top;
* never raises for an unknown user: it serves its documented fallback (by default
  the most popular training items) and marks those rows ``FALLBACK=True``;
* may learn from tracked events through :meth:`Recommender.update`. Only models
  whose class attribute ``realtime`` is True change their scores there (like
  Personalize's User-Personalization recipes); the others keep the events for the
  filters and for the next ``fit`` (like SIMS or Popularity-Count, which learn new
  events only after retraining).

Subclasses implement ``_fit`` and ``_score`` (and optionally ``_update``,
``_similar``, ``_explain``); the base class does the id bookkeeping, seen-item
exclusion, filters, top-n selection and the output frame.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..constants import (
    DEFAULT_EVENT_WEIGHTS,
    EVENT_TYPE,
    EVENT_VALUE,
    EXPLANATION,
    FALLBACK,
    ITEM_ID,
    QUERY_ITEM_ID,
    RANK,
    SCORE,
    TIMESTAMP,
    USER_ID,
)
from ..errors import DatasetError, ModelNotFittedError
from ..vocabulary import Vocabulary
from .coded import CodedInteractions

SessionLike = Sequence[str] | Mapping[str, Sequence[str]] | None


@dataclasses.dataclass
class RecommenderConfig:
    """Settings every recommender understands."""

    n: int = 10
    """Default length of a recommendation list."""

    seed: int = 42
    """Seed for every random choice the model makes (same seed, same lists)."""

    event_weights: dict[str, float] | None = None
    """Confidence per EVENT_TYPE when implicit events become scores
    (``None`` = :data:`workbench.constants.DEFAULT_EVENT_WEIGHTS`; unknown types weigh 1)."""


def _empty_recommendations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            USER_ID: pd.Series(dtype=object),
            ITEM_ID: pd.Series(dtype=object),
            SCORE: pd.Series(dtype=float),
            RANK: pd.Series(dtype=np.int64),
            FALLBACK: pd.Series(dtype=bool),
        }
    )


class Recommender(ABC):
    """Base class: config handling, id vocabularies, filtering and top-n lists."""

    Config: ClassVar[type[RecommenderConfig]] = RecommenderConfig
    """The config dataclass of this model."""

    realtime: ClassVar[bool] = False
    """True when :meth:`update` changes the next recommendations without a refit."""

    fallback_description: ClassVar[str] = "most popular items in the training data"
    """What unknown users receive (shown in notebooks and explanations)."""

    fits_codes: ClassVar[bool] = False
    """True when :meth:`fit` learns from :class:`~workbench.recommenders.coded.CodedInteractions` directly
    (:meth:`_fit_codes`); the others are given the codes' frame."""

    def __init__(self, config: RecommenderConfig | None = None, **overrides: Any) -> None:
        if config is None:
            config = self.Config(**overrides)
        elif overrides:
            config = dataclasses.replace(config, **overrides)
        if not isinstance(config, self.Config):
            raise TypeError(f"{type(self).__name__} needs a {self.Config.__name__}, got {type(config).__name__}")
        self.config = config
        self.is_fitted = False

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f.name}={getattr(self.config, f.name)!r}" for f in dataclasses.fields(self.config)
        )
        return f"{type(self).__name__}({fields})"

    @property
    def name(self) -> str:
        """Short display name used in tables and plots."""
        return type(self).__name__

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        interactions: pd.DataFrame,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
    ) -> Recommender:
        """Learn from a Personalize-format interactions frame; returns ``self``.

        ``interactions`` may also be a :class:`~workbench.recommenders.coded.CodedInteractions`
        (a simulation's log as integer codes): a model with ``fits_codes`` learns from the codes
        without building the strings, any other model from its :meth:`~CodedInteractions.frame`.
        Either way it learns the same thing.
        """
        if isinstance(interactions, CodedInteractions) and not self.fits_codes:
            interactions = interactions.frame()
        if isinstance(interactions, CodedInteractions):
            rows, cols = self._vocabularies_of_codes(interactions, items)
        else:
            interactions = prepare_interactions(interactions)
            item_ids = interactions[ITEM_ID]
            if items is not None and ITEM_ID in items.columns:
                item_ids = pd.concat([item_ids, items[ITEM_ID].astype(str)], ignore_index=True)
            self.item_vocab = Vocabulary(item_ids.unique())
            self.user_vocab = Vocabulary(interactions[USER_ID].unique())
            rows = cols = None
        self.interactions_ = interactions  # (codes: their frame is built only if something reads it)
        self.items_ = items
        self.users_ = users
        self._history = interactions  # events known to filters (grows with update)
        self._n_fit_events = len(interactions)
        self._seen = self._seen_matrix(interactions) if rows is None else self._seen_from(rows, cols)
        # distinct users with an event on each item (seen marks each (user, item) pair once)
        self._popularity = np.asarray(self._seen.sum(axis=0), dtype=float).ravel()
        if rows is None:
            self._fit(interactions, items, users)
        else:
            self._fit_codes(rows, cols, interactions, items, users)
        self.is_fitted = True
        return self

    def _vocabularies_of_codes(self, coded: CodedInteractions, items: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
        """The vocabularies :meth:`fit` builds from a frame, built from codes; returns each event's inner user and item."""
        if not len(coded):
            raise DatasetError("the interactions frame is empty.", fix="fit on at least one interaction.")
        user_ids, rows = coded.inner_users()
        item_ids, cols = coded.inner_items()
        if items is not None and ITEM_ID in items.columns:  # catalog items after the ones with events, as in fit
            item_ids = np.concatenate([item_ids, items[ITEM_ID].astype(str).to_numpy(dtype=object)])
        self.item_vocab = Vocabulary(item_ids)
        self.user_vocab = Vocabulary(user_ids)
        return rows, cols

    @property
    def interactions_(self) -> pd.DataFrame:
        """The training interactions (for a fit on codes, their frame, built when first read)."""
        value = self.__dict__.get("_interactions")
        if isinstance(value, CodedInteractions):
            value = self.__dict__["_interactions"] = prepare_interactions(value.frame())
        return value

    @interactions_.setter
    def interactions_(self, value: pd.DataFrame | CodedInteractions) -> None:
        self.__dict__["_interactions"] = value

    @abstractmethod
    def _fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None, users: pd.DataFrame | None) -> None:
        """Model-specific training. Vocabularies and ``self._popularity`` already exist."""

    def _fit_codes(self, rows: np.ndarray, cols: np.ndarray, coded: CodedInteractions,
                   items: pd.DataFrame | None, users: pd.DataFrame | None) -> None:
        """:meth:`_fit` for a fit on codes (``rows``/``cols``: each event's inner user/item index).

        Only models with ``fits_codes = True`` are called here; they implement it.
        """
        raise NotImplementedError(f"{type(self).__name__} sets fits_codes but has no _fit_codes")

    # ----------------------------------------------------------------- score
    @abstractmethod
    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        """Scores for known users.

        ``users`` are inner user indices (all valid). Return a float matrix of shape
        ``(len(users), len(self.item_vocab))``; ``-inf`` or NaN marks an item the
        model cannot score for that user.
        """

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        """Scores for users the model has never seen (default: popularity)."""
        return np.tile(self._popularity, (len(raw_user_ids), 1))

    def _score_raw(self, raw_user_ids: np.ndarray, session: SessionLike) -> tuple[np.ndarray, np.ndarray]:
        """Score matrix and fallback flags for raw user ids, mixing known and unknown users."""
        inner = self.user_vocab.to_inner(raw_user_ids)
        known = inner >= 0
        scores = np.empty((len(raw_user_ids), len(self.item_vocab)), dtype=float)
        if known.any():
            scores[known] = self._score(inner[known], _session_for(session, raw_user_ids[known]))
        if (~known).any():
            scores[~known] = self._fallback_scores(raw_user_ids[~known], _session_for(session, raw_user_ids[~known]))
        return scores, ~known

    # ------------------------------------------------------------- recommend
    def recommend(
        self,
        user_ids: Iterable[object] | object,
        n: int | None = None,
        exclude_seen: bool = True,
        session: SessionLike = None,
        filter: Any = None,
        filter_values: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Top-``n`` items per user as a frame ``USER_ID, ITEM_ID, SCORE, RANK, FALLBACK``.

        Args:
            user_ids: one raw user id or an iterable of them (order is kept).
            n: list length (default ``config.n``).
            exclude_seen: drop items the user already interacted with in the data
                the model knows (training data, plus tracked events for real-time models).
            session: recent item ids of the current visit, most recent last -- one
                list for every user, or a mapping ``{user_id: [item ids]}``.
            filter: a :class:`workbench.recommenders.filters.Filter` or a Personalize
                filter expression string (``EXCLUDE ItemID WHERE ...``).
            filter_values: values for ``$PARAMETERS`` in the filter expression.
        """
        self._check_fitted()
        n = self.config.n if n is None else int(n)
        if isinstance(user_ids, (str, bytes)) or not isinstance(user_ids, Iterable):
            user_ids = [user_ids]
        raw = np.asarray([str(u) for u in user_ids], dtype=object)
        if len(raw) == 0 or n <= 0:
            return _empty_recommendations()
        frames = []
        chunk = max(1, 2_000_000 // max(1, len(self.item_vocab)))
        for start in range(0, len(raw), chunk):
            frames.append(self._recommend_chunk(raw[start : start + chunk], n, exclude_seen, session, filter, filter_values))
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def _recommend_chunk(self, raw, n, exclude_seen, session, filter, filter_values) -> pd.DataFrame:
        scores, fallback = self._score_raw(raw, session)
        scores = np.where(np.isnan(scores), -np.inf, scores)
        allowed = np.ones(scores.shape, dtype=bool)
        if exclude_seen:
            inner = self.user_vocab.to_inner(raw)
            known = inner >= 0
            if known.any():
                allowed[known] = ~self._seen[inner[known]].toarray()
            if session is not None:
                for row, uid in enumerate(raw):
                    recent = _session_for(session, np.asarray([uid], dtype=object))
                    items = recent if isinstance(recent, (list, tuple, np.ndarray)) else []
                    idx = self.item_vocab.to_inner(items)
                    allowed[row, idx[idx >= 0]] = False
        if filter is not None:
            from .filters import as_filter

            allowed &= as_filter(filter).mask(raw, self.item_vocab.ids, self._history, self.items_, self.users_,
                                              filter_values)
        scores = np.where(allowed, scores, -np.inf)
        self._serve_fallback_where_empty(raw, scores, fallback, allowed, session)
        return _top_n_frame(raw, scores, fallback, n, self.item_vocab)

    def _serve_fallback_where_empty(self, raw, scores, fallback, allowed, session) -> None:
        """A known user whose model scores leave no allowed item (e.g. a model fitted on one user or one
        item cannot score the rest of the catalogue) gets the fallback instead, flagged, not an empty list.

        The fallback is :meth:`_fallback_scores`, or the training popularity when that has nothing
        finite either; seen-item exclusion and filters apply to it as well. Edits ``scores`` and
        ``fallback`` in place.
        """
        empty = ~np.isfinite(scores).any(axis=1) & allowed.any(axis=1)
        if not empty.any():
            return
        rows = np.flatnonzero(empty)
        backup = np.asarray(self._fallback_scores(raw[rows], _session_for(session, raw[rows])), dtype=float)
        backup = np.where(np.isfinite(backup), backup, -np.inf)
        plain = ~np.isfinite(np.where(allowed[rows], backup, -np.inf)).any(axis=1)
        backup[plain] = self._popularity
        scores[rows] = np.where(allowed[rows], backup, -np.inf)
        fallback[rows] = True

    # --------------------------------------------------------------- history
    # Every tracked event is kept for the filters. Real-time traffic calls update()
    # thousands of times, so events are stored in chunks and only concatenated when
    # something reads the history (a filter, a refit): update() stays O(events).
    # A chunk is a frame or a ``{column: array}`` dict (cheaper for array fast paths).
    @property
    def _history(self) -> pd.DataFrame:
        if isinstance(self._base_history, CodedInteractions):
            self._base_history = prepare_interactions(self._base_history.frame())
        if self._tracked_chunks:
            frames = [c if isinstance(c, pd.DataFrame) else pd.DataFrame(c) for c in self._tracked_chunks]
            self._base_history = pd.concat([self._base_history, *frames], ignore_index=True)
            self._tracked_chunks = []
        return self._base_history

    @_history.setter
    def _history(self, frame: pd.DataFrame) -> None:
        self._base_history = frame
        self._tracked_chunks: list[pd.DataFrame | dict[str, np.ndarray]] = []

    @property
    def pending_events_(self) -> pd.DataFrame:
        """Events tracked since the last :meth:`fit` (they join the training data at the next fit)."""
        return self._history.iloc[self._n_fit_events :].reset_index(drop=True)

    # ---------------------------------------------------------------- update
    def update(self, events: pd.DataFrame) -> Recommender:
        """Learn from tracked events (Personalize interaction format) without a refit.

        Every model records the events for its filters (Personalize updates
        interaction filters within seconds of PutEvents). Only ``realtime`` models
        also change their scores; the others use the events at the next ``fit``.
        """
        self._check_fitted()
        events = prepare_interactions(events, allow_empty=True)
        if events.empty:
            return self
        self._tracked_chunks.append(events)
        if self.realtime:
            new_items = events.loc[self.item_vocab.to_inner(events[ITEM_ID]) < 0, ITEM_ID].unique()
            self._update(events, new_items)
        return self

    def _update(self, events: pd.DataFrame, new_items: np.ndarray) -> None:
        """Real-time learning hook for ``realtime`` models (``new_items``: ids unknown at fit).

        The default does nothing: batch models learn tracked events at the next ``fit``.
        """
        return None

    def _grow_seen(self, events: pd.DataFrame) -> None:
        """Helper for real-time models: mark the events' (user, item) pairs as seen.

        Users unknown at fit time are added to the user vocabulary.
        """
        from scipy import sparse

        self.user_vocab = self.user_vocab.extend(events[USER_ID].unique())
        rows = self.user_vocab.to_inner(events[USER_ID])
        cols = self.item_vocab.to_inner(events[ITEM_ID])
        ok = cols >= 0
        shape = (len(self.user_vocab), len(self.item_vocab))
        seen = self._seen.tocsr().copy()
        seen.resize(shape)
        add = sparse.csr_matrix((np.ones(ok.sum(), dtype=bool), (rows[ok], cols[ok])), shape=shape)
        self._seen = (seen + add).astype(bool).tocsr()

    # ---------------------------------------------------------- similar items
    def similar_items(self, item_ids: Iterable[object] | object, n: int | None = None) -> pd.DataFrame:
        """Items most similar to each query item: ``QUERY_ITEM_ID, ITEM_ID, SCORE, RANK, FALLBACK``.

        Models without a notion of item similarity raise ``NotImplementedError``.
        Unknown query items get the popular items, flagged ``FALLBACK=True``.
        """
        self._check_fitted()
        n = self.config.n if n is None else int(n)
        if isinstance(item_ids, (str, bytes)) or not isinstance(item_ids, Iterable):
            item_ids = [item_ids]
        raw = np.asarray([str(i) for i in item_ids], dtype=object)
        inner = self.item_vocab.to_inner(raw)
        known = inner >= 0
        scores = np.tile(self._popularity, (len(raw), 1)).astype(float)
        if known.any():
            scores[known] = self._similar(inner[known])
        scores = np.where(np.isnan(scores), -np.inf, scores)
        scores[np.flatnonzero(known), inner[known]] = -np.inf  # an item is not similar to itself
        frame = _top_n_frame(raw, scores, ~known, n, self.item_vocab)
        return frame.rename(columns={USER_ID: QUERY_ITEM_ID})

    def _similar(self, items: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{self.name} has no item-to-item similarity")

    # ------------------------------------------------------------ explanation
    def explain(self, user_id: object, item_id: object) -> str:
        """One sentence saying why ``item_id`` would be recommended to ``user_id``."""
        self._check_fitted()
        if str(user_id) not in self.user_vocab:
            return f"You are new here, so {self.name} shows the {self.fallback_description}."
        return self._explain(str(user_id), str(item_id))

    def _explain(self, user_id: str, item_id: str) -> str:
        return f"{self.name} scored this item highly for you."

    def recommend_explained(self, user_ids: Iterable[object] | object, n: int | None = None, **kwargs: Any) -> pd.DataFrame:
        """:meth:`recommend` plus an ``EXPLANATION`` column."""
        recs = self.recommend(user_ids, n=n, **kwargs)
        recs[EXPLANATION] = [self.explain(u, i) for u, i in zip(recs[USER_ID], recs[ITEM_ID])]
        return recs

    # ----------------------------------------------------------------- utils
    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise ModelNotFittedError(f"{self.name} is not fitted yet: call .fit(interactions) first.")

    def event_weight(self, event_types: pd.Series | np.ndarray | Sequence[object] | None) -> np.ndarray:
        """Confidence of each event from its EVENT_TYPE (see ``config.event_weights``)."""
        weights = self.config.event_weights or DEFAULT_EVENT_WEIGHTS
        if event_types is None:
            return np.ones(0)
        values = event_types.to_numpy(dtype=object) if isinstance(event_types, pd.Series) else event_types
        get = weights.get
        if len(values) > 64:  # a handful of distinct types: look each up once (hashed, no sort)
            column = event_types if isinstance(event_types, pd.Series) else np.asarray(values, dtype=object)
            codes, distinct = pd.factorize(column, use_na_sentinel=False)  # a Series stays Arrow-backed
            lookup = np.fromiter((get(str(t).lower(), 1.0) for t in distinct), dtype=float, count=len(distinct))
            return lookup[codes]
        return np.fromiter((get(str(t).lower(), 1.0) for t in values), dtype=float, count=len(values))

    def _event_weights_of(self, frame: pd.DataFrame) -> np.ndarray:
        """:meth:`event_weight` of every event in ``frame``; 1 each when it has no EVENT_TYPE column."""
        if EVENT_TYPE in frame.columns:
            return self.event_weight(frame[EVENT_TYPE])
        return np.ones(len(frame))

    def _seen_matrix(self, interactions: pd.DataFrame):
        """Which user has an event on which item (over the vocabularies), from a frame."""
        return self._seen_from(self.user_vocab.to_inner(interactions[USER_ID]),
                               self.item_vocab.to_inner(interactions[ITEM_ID]))

    def _seen_from(self, rows: np.ndarray, cols: np.ndarray):
        """:meth:`_seen_matrix` from inner indices (a sparse boolean matrix)."""
        from scipy import sparse

        shape = (len(self.user_vocab), len(self.item_vocab))
        return sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape).astype(bool).tocsr()

    def weighted_matrix(self, interactions: pd.DataFrame | None = None):
        """Sparse user x item matrix of summed event weights (implicit confidence)."""
        from scipy import sparse

        frame = self.interactions_ if interactions is None else interactions
        rows = self.user_vocab.to_inner(frame[USER_ID])
        cols = self.item_vocab.to_inner(frame[ITEM_ID])
        ok = (rows >= 0) & (cols >= 0)
        w = self._event_weights_of(frame)
        shape = (len(self.user_vocab), len(self.item_vocab))
        return sparse.csr_matrix((w[ok], (rows[ok], cols[ok])), shape=shape)


# --------------------------------------------------------------------- helpers
def prepare_interactions(interactions: pd.DataFrame, allow_empty: bool = False) -> pd.DataFrame:
    """Check the columns a recommender needs and normalise id types to ``str``."""
    if not isinstance(interactions, pd.DataFrame):
        raise TypeError("interactions must be a pandas DataFrame in Personalize format")
    for column in (USER_ID, ITEM_ID):
        if column not in interactions.columns:
            raise DatasetError(
                "the interactions frame has no such column.",
                column=column,
                fix=f"rename your user/item columns to {USER_ID} and {ITEM_ID} (Personalize names).",
            )
    if interactions.empty and not allow_empty:
        raise DatasetError("the interactions frame is empty.", fix="fit on at least one interaction.")
    out = interactions.copy()
    out[USER_ID] = out[USER_ID].astype(str)
    out[ITEM_ID] = out[ITEM_ID].astype(str)
    if TIMESTAMP not in out.columns:
        out[TIMESTAMP] = np.arange(len(out), dtype=np.int64)
    if EVENT_VALUE in out.columns:
        out[EVENT_VALUE] = pd.to_numeric(out[EVENT_VALUE], errors="coerce")
    return out


def _session_for(session: SessionLike, raw_user_ids: np.ndarray) -> SessionLike:
    """Restrict a per-user session mapping to some users (plain lists pass through)."""
    if isinstance(session, Mapping):
        if len(raw_user_ids) == 1:
            return list(session.get(raw_user_ids[0], []))
        return {u: session[u] for u in raw_user_ids if u in session}
    return session


def _top_n_frame(raw: np.ndarray, scores: np.ndarray, fallback: np.ndarray, n: int, vocab: Vocabulary) -> pd.DataFrame:
    """Top-n of each row of ``scores`` (ties broken by inner index) as a tidy frame."""
    k = min(n, scores.shape[1])
    if k == 0:
        return _empty_recommendations()
    top = top_k_indices(scores, k)
    valid = top >= 0
    rows = np.repeat(np.arange(len(raw)), k).reshape(len(raw), k)
    ranks = np.cumsum(valid, axis=1)
    frame = pd.DataFrame(
        {
            USER_ID: raw[rows[valid]],
            ITEM_ID: vocab.ids[top[valid]],
            SCORE: scores[rows[valid], top[valid]].astype(float),
            RANK: ranks[valid].astype(np.int64),
            FALLBACK: fallback[rows[valid]],
        }
    )
    return frame


def top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest scores per row, best first; ``-1`` where the score is not finite.

    Ties go to the lower column index. Float matrices and ``k <= 64`` go through the
    compiled :func:`workbench.kernels.top_k_rows` (one pass per row); otherwise, for
    short lists, ``k`` passes of ``argmax`` beat ``argpartition`` by an order of
    magnitude on a few thousand columns.
    """
    n_rows, n_cols = scores.shape
    k = min(k, n_cols)
    if k <= 0:
        return np.zeros((n_rows, 0), dtype=np.int64)
    if k <= 64 and scores.dtype in (np.float64, np.float32):
        from ..kernels import top_k_rows  # one compiled pass per row, same result as the passes below

        return top_k_rows(scores, k)
    if k <= 16:
        work = scores.copy()
        rows = np.arange(n_rows)
        top = np.empty((n_rows, k), dtype=np.int64)
        for j in range(k):
            best = work.argmax(axis=1)
            # once a row's finite scores are used up, argmax lands on an item picked before
            top[:, j] = np.where(np.isfinite(work[rows, best]), best, -1)
            work[rows, best] = -np.inf
    else:
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < n_cols else np.tile(np.arange(n_cols), (n_rows, 1))
        order = np.lexsort((part, -np.take_along_axis(scores, part, axis=1)), axis=1)
        top = np.take_along_axis(part, order, axis=1)
        top[~np.isfinite(np.take_along_axis(scores, top, axis=1))] = -1
    return top
