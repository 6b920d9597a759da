"""User-Personalization: batch latent factors, re-ranked by the live session, with exploration.

This is the workbench's stand-in for Amazon Personalize's User-Personalization
recipe (see the fact sheet, sections 2.2-2.5). It is *not* the service's neural
model; it reproduces the behaviour a learner needs to reason about:

* **Batch part** -- :meth:`fit` learns item factors ``V`` (``n_items x factors``).
  With ``base="als"`` (the default) they are implicit-feedback ALS item factors
  (:func:`workbench.recommenders.als.als_factors`; confidence ``1 + als_alpha * w``,
  penalty ``als_reg``), where ``w`` sums the EVENT_TYPE weights of a (user, item)
  pair, each times a recency decay with half-life ``base_half_life_days`` (``None``:
  no decay). ``base="svd"`` keeps the former, weaker base: a truncated SVD of
  ``log(1 + decayed confidence)``.
* **User state** -- a user is two vectors in factor space, both built by folding
  in events one after another: a long-term *profile*
  ``p <- p * 2^(-dt / H_long) + w * V[item]`` and a short-term *session* vector
  with the much shorter half-life ``session_half_life_minutes``. Training builds
  them from the history; :meth:`update` keeps folding in tracked events, so a
  brand-new user is personalised after their first few events (real time).
* **Long-term score** (``base="als"``; the SVD base uses ``W = V``) -- ALS would give a
  user the vector that solves
  ``(V^T V + als_alpha * sum_{i in history} V_i V_i^T + als_reg I) x = (1 + als_alpha) p``.
  The workbench replaces the user's own sum by ``als_alpha * V^T V``, the same for
  every user, so that ``x`` is a fixed linear map of the profile: ``x ~ M p`` with
  ``M = ((1 + als_alpha) V^T V + als_reg I)^-1``, precomputed once. An event then still
  costs one vector addition (the real-time path is unchanged), and scores are
  ``p/|p| . W[item]`` with ``W = V M``. On MovieLens 100k (Microsoft Recommenders'
  protocol, ``benchmarks/bench_quality.py``) this fold-in ranks as well as the exact
  ALS user vectors (NDCG@10 0.485 with undecayed profiles); with the default 30-day
  profile half-life the model reaches 0.451 (the SVD base: 0.288).
* **Scoring** -- ``score = p/|p| . W[item] + session_weight * scale * g * s/|s| . D[item]
  + popularity_weight * scale * recent_popularity[item] + exploration bonus``.
  The first term is the batch candidate score (latent-factor relevance, which
  favours items with a lot of data); the second re-ranks by the live session,
  comparing directions ``D = V / (|V| + median |V|)`` so items with little data
  but the session's style can surface; ``g = 2^(-(now - last session event) / H_session)``
  fades the session out. ``scale`` makes the weights unit-free: for the session
  term it is the largest norm of a row of ``W``; for the popularity and exploration
  terms, with the ALS base, the median over training users of a user's best
  long-term score (with the SVD base, again the largest row norm).
* **Exploration** -- items younger than ``exploration_item_age_cutoff`` days
  (relative to the latest interaction the model knows) with fewer than
  ``exploration_max_interactions`` interactions receive a random bonus of up to
  ``exploration_weight * scale``, shrinking as they collect interactions.
  ``exploration_weight=0`` switches exploration off.
* **Impressions** -- the fact sheet (section 1.4): "the more often an item appears in
  impressions (without being chosen), the less likely it is included in exploration".
  Each time an item was on a list the customer acted on but was not itself chosen
  (:meth:`record_impressions`, or the ``IMPRESSION`` column at :meth:`fit`) it uses up
  ``impression_weight`` of an interaction's share of its exploration room; with no
  impressions the model is exactly as without them.
* **Automatic updates** -- :meth:`auto_update` mimics the 2-hourly update of a
  deployed campaign: new catalog items (and events on them tracked since) enter
  the candidate set with folded-in factors; the SVD is not recomputed (that is a
  FULL retrain, i.e. :meth:`fit`).

Unknown users (never seen in training nor tracked) receive the recency-weighted
popular items. The fact sheet (section 2.4) says the service bases new users' lists
on the early histories of existing users and, with ``recency_mask``, on the latest
popularity trends; this stand-in models only the second part.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..constants import (
    CREATION_TIMESTAMP,
    EVENT_TYPE,
    IMPRESSION,
    ITEM_ID,
    SECONDS_PER_DAY,
    TIMESTAMP,
    USER_ID,
)
from ..kernels import decay_and_add
from ..vocabulary import Vocabulary, inner_of_many
from .base import Recommender, RecommenderConfig, SessionLike, prepare_interactions, top_k_indices
from .filters import EventHistory

_SECONDS_PER_MINUTE = 60.0
_SPARSE_ABSORB_EVENTS = 20_000
"""Batches of more events than this (a training log) are folded in through one sparse product."""


@dataclasses.dataclass
class UserPersonalizationConfig(RecommenderConfig):
    """Settings of :class:`UserPersonalization`."""

    factors: int | None = None
    """Number of latent factors of the batch base (``None``: 24 for ``"svd"``, capped by the data's size;
    64 for ``"als"``)."""

    base: str = "als"
    """Batch item factors: ``"als"`` (implicit-feedback ALS: the strong base, NDCG@10 0.451 instead of
    0.288 on MovieLens 100k with Microsoft Recommenders' protocol) or ``"svd"`` (truncated SVD of log
    confidences, the former base)."""

    als_reg: float | None = None
    """L2 penalty of the ALS base (see :class:`workbench.recommenders.als.ImplicitALSConfig`).
    ``None`` scales it with the data: 0.1 x a user's mean confidence mass ``sum_i (1 + als_alpha * w_ui)``
    (about 47 on MovieLens 100k, where a fixed 50 ranks best; about 8 on a 60-user toy shop, where 50
    would shrink every item vector onto the popularity direction and leave the session nothing to steer)."""

    als_alpha: float = 5.0
    """Confidence slope of the ALS base: ``c = 1 + als_alpha * w``."""

    als_epochs: int = 15
    """Alternating rounds of the ALS base."""

    warm_start_epochs: int | None = None
    """When set, fitting a model that was fitted before (a retrain) starts the ALS base from the previous
    fit's user and item factors (matched by id; users and items new to this fit start small and random,
    as in a cold fit) and runs this many rounds instead of ``als_epochs``. The profiles, sessions and
    popularity are still rebuilt from all the interactions given. ``None``: every fit starts from scratch."""

    base_half_life_days: float | None = None
    """Half-life of an event's weight in the batch base's input (``None`` = every training event counts
    fully; the long-term profile still decays with ``long_half_life_days``)."""

    long_half_life_days: float = 30.0
    """Half-life of an event's weight in the long-term taste profile."""

    session_half_life_minutes: float = 60.0
    """Half-life of an event's weight in the short-term session vector."""

    session_weight: float = 1.0
    """How strongly the session vector re-ranks the profile's candidates (0 = no session effect)."""

    popularity_weight: float = 0.15
    """Weight of the recency-weighted popularity prior, in units of the largest item-factor norm."""

    popularity_half_life_days: float = 7.0
    """Half-life of an event in the popularity prior (and in the fallback for unknown users)."""

    exploration_weight: float = 0.3
    """Personalize's ``explorationWeight``: 0 = no exploration, 1 = the most exploration.
    It scales the random bonus given to young items with little interaction data."""

    exploration_item_age_cutoff: float = 30.0
    """Personalize's ``explorationItemAgeCutOff`` in days: only items younger than this,
    measured from the latest interaction the model knows, are explored."""

    exploration_max_interactions: int = 20
    """An item with this many interactions (or more) no longer counts as 'little data'."""

    impression_weight: float = 0.1
    """How much one impression without a choice counts against an item's exploration, in
    interactions: with 0.1, ten showings on lists the customer acted on elsewhere use up as
    much of the item's exploration room as one interaction (0 = impressions are ignored).
    The fact sheet gives the direction (shown but not chosen = less exploration), not the
    amount; this setting is the workbench's."""


IMPRESSION_LISTS_REMEMBERED = 20_000
"""How many (user, impression list) pairs a model remembers, so that later events on a list
already counted correct its ignored items rather than count the list again. They are kept by
a 64-bit BLAKE2b digest of the pair (:func:`_list_key`), the same in every process, so a model
pickled and loaded elsewhere still knows the lists it has counted."""


def _list_key(user: str, shown: str) -> int:
    """Key of one (user, IMPRESSION text) pair in the remembered lists: 8 bytes of BLAKE2b, stable
    across processes (Python's own ``hash`` of text is salted per process)."""
    digest = hashlib.blake2b(user.encode("utf-8") + b"\x1f" + shown.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")

SESSION_OVER_HALF_LIVES = 40
"""After this many session half-lives without an event the session term is 0 (its weight was below 1e-12)."""


class _DenseSeen(np.ndarray):
    """A dense boolean (user x item) matrix that answers ``.toarray()`` like a sparse one.

    Real-time models mark seen items on every tracked event; with a sparse matrix
    each update would copy all entries. Rows are over-allocated (capacity doubling)
    so growing the user vocabulary is amortised O(1); the column count always equals
    the item vocabulary size.
    """

    def toarray(self) -> np.ndarray:
        return np.asarray(self)


def _grow_rows(array: np.ndarray, n_rows: int) -> np.ndarray:
    """Return ``array`` with at least ``n_rows`` rows (zero padded, capacity doubled)."""
    if array.shape[0] >= n_rows:
        return array
    capacity = max(n_rows, 2 * array.shape[0], 16)
    out = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    out[: array.shape[0]] = array
    return out.view(type(array)) if isinstance(array, _DenseSeen) else out


class _GrowingVocabulary(Vocabulary):
    """A :class:`Vocabulary` with dict lookups that grows in place.

    Real-time traffic looks up a handful of ids thousands of times; a dict answers
    in microseconds. :meth:`add` writes new ids into spare room at the end of a buffer
    (doubled when full), so growing one id at a time costs amortised O(1) instead of
    a copy of every id; ``ids`` is a view of the buffer's filled part. Views handed
    out earlier stay valid: the buffer is only ever written past them.
    """

    def __init__(self, ids) -> None:
        super().__init__(ids)
        self._lookup = {raw: k for k, raw in enumerate(self._ids)}

    def __contains__(self, raw_id: object) -> bool:
        return str(raw_id) in self._lookup

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def _index(self) -> pd.Index:
        """The ids as a pandas Index, built on first use after a growth (most growths never need it)."""
        index = self.__dict__.get("_index_cache")
        if index is None or len(index) != len(self._ids):
            index = pd.Index(self._ids, dtype=object)
            self.__dict__["_index_cache"] = index
        return index

    @_index.setter
    def _index(self, index: pd.Index) -> None:
        self.__dict__["_index_cache"] = index

    def to_inner(self, raw_ids) -> np.ndarray:
        return inner_of_many(raw_ids, self._lookup_each)  # a long query: each distinct id looked up once

    def _lookup_each(self, raw_ids) -> np.ndarray:
        values = raw_ids.to_numpy() if isinstance(raw_ids, (pd.Series, pd.Index)) else raw_ids
        get = self._lookup.get
        return np.fromiter((get(str(v), -1) for v in values), dtype=np.int64, count=len(values))

    def add(self, raw_ids) -> int:
        """Append the ids not known yet (in first-seen order); returns how many were added."""
        fresh = []
        for raw in raw_ids:
            raw = str(raw)
            if raw not in self._lookup:
                self._lookup[raw] = len(self._ids) + len(fresh)
                fresh.append(raw)
        if fresh:
            n, m = len(self._ids), len(fresh)
            buffer = getattr(self, "_buffer", None)
            if buffer is None or n + m > len(buffer):  # buffer[:n] always holds ids (copies included)
                buffer = np.empty(max(2 * (n + m), 64), dtype=object)
                buffer[:n] = self._ids
                self._buffer = buffer
            buffer[n:n + m] = fresh
            self._ids = buffer[:n + m]
        return len(fresh)

    def extend(self, raw_ids) -> _GrowingVocabulary:
        out = copy.copy(self)
        out._lookup = dict(self._lookup)
        out._buffer = None  # its own buffer: growing one must not write into the other's
        out.add(raw_ids)
        return out


class UserPersonalization(Recommender):
    """Latent-factor candidates re-ranked by the live session, with exploration of new items.

    Example:
        >>> model = UserPersonalization().fit(interactions, items=items)
        >>> model.recommend(["u1"])               # batch taste + recent popularity
        >>> model.update(clicks_of_u1)            # event tracker: next list changes
        >>> model.auto_update(items=catalog)      # 2-hourly update: new items explored
    """

    Config = UserPersonalizationConfig
    config: UserPersonalizationConfig
    realtime = True
    fits_codes = True
    fallback_description = "items that were popular recently (recency-weighted popularity)"

    # ----------------------------------------------- growable state storage
    # The seen matrix is over-allocated in both directions (users and items): the
    # 2-hourly automatic update adds a few items at a time, and copying a
    # users x items matrix for each would cost more than the rest of the update.
    @property
    def _seen(self) -> _DenseSeen:
        store, n_cols = self.__dict__["_seen_store"], self.__dict__["_seen_cols"]
        return store if store.shape[1] == n_cols else store[:, :n_cols]

    @_seen.setter
    def _seen(self, matrix) -> None:
        self.__dict__["_seen_store"] = matrix if isinstance(matrix, _DenseSeen) else np.asarray(matrix).view(_DenseSeen)
        self.__dict__["_seen_cols"] = matrix.shape[1]

    def _grow_seen_cols(self, n_cols: int) -> None:
        store = self.__dict__["_seen_store"]
        if store.shape[1] < n_cols:
            capacity = max(n_cols, store.shape[1] + store.shape[1] // 4 + 16)  # geometric: amortised O(1)
            grown = np.zeros((store.shape[0], capacity), dtype=bool).view(_DenseSeen)
            grown[:, : store.shape[1]] = store
            self.__dict__["_seen_store"] = grown
        self.__dict__["_seen_cols"] = n_cols

    @property
    def items_(self) -> pd.DataFrame | None:
        """The catalog the model knows: the fit's items plus those automatic updates added."""
        parts = self.__dict__.get("_items_parts")
        if parts:
            self.__dict__["_items_frame"] = pd.concat([self.__dict__["_items_frame"], *parts], ignore_index=True)
            parts.clear()
        return self.__dict__.get("_items_frame")

    @items_.setter
    def items_(self, frame: pd.DataFrame | None) -> None:
        self.__dict__["_items_frame"] = frame
        self.__dict__["_items_parts"] = []

    # ---------------------------------------------------------------- fit
    def _seen_from(self, rows: np.ndarray, cols: np.ndarray) -> _DenseSeen:
        seen = np.zeros((len(self.user_vocab), len(self.item_vocab)), dtype=bool).view(_DenseSeen)
        seen[rows, cols] = True
        return seen

    def _fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None, users: pd.DataFrame | None) -> None:
        self._fit_events(self.user_vocab.to_inner(interactions[USER_ID]), self.item_vocab.to_inner(interactions[ITEM_ID]),
                         self._event_weights_of(interactions), interactions[TIMESTAMP].to_numpy(dtype=float), items)
        if IMPRESSION in interactions.columns:
            self._learn_impressions(interactions[USER_ID].to_numpy(dtype=object),
                                    interactions[ITEM_ID].to_numpy(dtype=object),
                                    interactions[IMPRESSION].to_numpy(dtype=object))

    def _learn_impressions(self, users, items, impressions) -> None:
        """Count the shown-but-not-chosen items of each (user, IMPRESSION list), once per list.

        Events of one user with the same IMPRESSION value are events on one served list: every
        item of the list that none of them is about counts as ignored once. The lists are
        remembered (the last :data:`IMPRESSION_LISTS_REMEMBERED`), so an event on a list that
        arrives later (a purchase after the click) takes its item back out of the ignored count
        instead of counting the rest of the list again.
        """
        groups: dict[tuple[str, str], set[str]] = {}
        for user, item, shown in zip(users, items, impressions):
            if isinstance(shown, str) and shown:
                groups.setdefault((str(user), shown), set()).add(str(item))
        if not groups:
            return
        # remembered lists: _list_key(user, list) -> the inner items counted as ignored on it (a plain dict
        # keeps insertion order, so the oldest is evicted first; small keys and tuples keep a tracker lean)
        memory = self._impression_lists
        keys = list(groups)
        shown_lists = [list(dict.fromkeys(shown.split("|"))) for _, shown in keys]
        flat = np.asarray([x for shown in shown_lists for x in shown], dtype=object)
        inner = self.item_vocab.to_inner(flat) if len(flat) else np.zeros(0, dtype=np.int64)
        at = 0
        for key, shown in zip(keys, shown_lists):
            cols = inner[at: at + len(shown)]
            at += len(shown)
            chosen = groups[key]
            slot = _list_key(*key)
            counted = memory.pop(slot, None)
            if counted is not None:  # a later event on a list already counted: give back what is chosen now
                counted = set(np.frombuffer(counted, dtype=np.int32).tolist())
                back = {int(c) for x, c in zip(shown, cols) if x in chosen and c in counted}
                np.subtract.at(self._ignored, np.asarray(sorted(back), dtype=np.int64), 1.0)
                memory[slot] = np.asarray(sorted(counted - back), dtype=np.int32).tobytes()
            else:
                passed = [int(c) for x, c in zip(shown, cols) if x not in chosen and c >= 0]
                np.add.at(self._ignored, np.asarray(passed, dtype=np.int64), 1.0)
                memory[slot] = np.asarray(passed, dtype=np.int32).tobytes()  # 4 bytes an item
        while len(memory) > IMPRESSION_LISTS_REMEMBERED:
            del memory[next(iter(memory))]

    def _fit_codes(self, rows, cols, coded, items, users) -> None:
        weights = self.event_weight(coded.event_names)[coded.event_type]
        self._fit_events(rows, cols, weights, coded.timestamp.astype(float), items)

    def _fit_events(self, u: np.ndarray, i: np.ndarray, weights: np.ndarray, times: np.ndarray,
                    items: pd.DataFrame | None) -> None:
        """Training proper, on each event's inner user ``u``, inner item ``i``, weight and time."""
        cfg = self.config
        self._rng = np.random.default_rng(cfg.seed)
        self.user_vocab = _GrowingVocabulary(self.user_vocab.ids)
        self.item_vocab = _GrowingVocabulary(self.item_vocab.ids)
        n_users, n_items = len(self.user_vocab), len(self.item_vocab)
        self.now_ = float(times.max())

        self.item_factors_ = self._learn_item_factors(u, i, weights, times, n_users, n_items)
        self._directions_cache = None
        self._score_factors_cache = None
        norms = np.linalg.norm(self.item_factors_, axis=1)
        score_norms = np.linalg.norm(self._score_factors(), axis=1)
        self._scale = float(score_norms.max()) if score_norms.size and score_norms.max() > 0 else 1.0
        self._session_scale = self._scale
        self._typical_norm = float(np.median(norms[norms > 0])) if (norms > 0).any() else 1.0

        k = self.item_factors_.shape[1]
        self._profile = np.zeros((n_users, k))
        self._profile_t = np.full(n_users, -np.inf)
        self._session = np.zeros((n_users, k))
        self._session_t = np.full(n_users, -np.inf)
        self._last_item = np.full(n_users, -1, dtype=np.int64)
        self._n_users_alloc = n_users

        self._pop = np.zeros(n_items)
        self._pop_t = self.now_
        self._counts = np.zeros(n_items)
        self._ignored = np.zeros(n_items)
        self._impression_lists: dict[int, bytes] = {}
        self._created = self._creation_times(items, i, times, n_items)
        self._unknown_item_events: list[pd.DataFrame | dict[str, np.ndarray]] = []
        order = np.argsort(times, kind="stable")
        self._absorb(u[order], i[order], weights[order], times[order])
        if cfg.base == "als":
            self._scale = self._typical_top_score()

    def _typical_top_score(self) -> float:
        """Median over (at most 2,000, seeded) training users of their best long-term score.

        With the ALS base the popularity and exploration weights are in this unit:
        ``popularity_weight=0.15`` adds at most 15% of a typical user's best taste score.
        (The largest ``|W|`` row is about five times larger than what a unit profile
        typically reaches, so in that unit those terms would drown the taste.) The session
        term keeps the largest ``|W|`` as its unit, so a live click still re-ranks strongly.
        """
        n_users = len(self.user_vocab)
        users = np.arange(n_users)
        if n_users > 2_000:
            users = np.sort(np.random.default_rng(self.config.seed).choice(n_users, 2_000, replace=False))
        profile = self._profile[users]
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        active = norms[:, 0] > 0
        if not active.any():
            return self._scale
        best = ((profile[active] / norms[active]) @ self._score_factors().T).max(axis=1)
        value = float(np.median(best))
        return value if value > 0 else self._scale

    def _learn_item_factors(self, u, i, weights, times, n_users, n_items) -> np.ndarray:
        """Batch item factors ``V`` (``n_items x k``) and the fold-in map ``self._fold_in`` (``k x k``)."""
        from scipy import sparse

        cfg = self.config
        if cfg.base not in ("als", "svd"):
            raise ValueError(f"UserPersonalization base must be 'als' or 'svd', not {cfg.base!r}")
        half_life = cfg.base_half_life_days if cfg.base == "als" else cfg.long_half_life_days
        if half_life is not None and half_life <= 0:
            raise ValueError(f"UserPersonalization base_half_life_days must be positive or None, got {half_life}")
        decay = np.ones(len(times)) if half_life is None else np.exp2(-(self.now_ - times) / (half_life * SECONDS_PER_DAY))
        matrix = sparse.csr_matrix((weights * decay, (u, i)), shape=(n_users, n_items))
        matrix.sum_duplicates()
        if cfg.base == "als":
            return self._als_base(matrix)
        self._fold_in = None
        return self._svd_base(matrix, n_users, n_items)

    def _factors(self) -> int:
        """``config.factors``, or the base's default (24 for the SVD base, 64 for ALS)."""
        if self.config.factors is not None:
            return int(self.config.factors)
        return 64 if self.config.base == "als" else 24

    def _als_base(self, matrix) -> np.ndarray:
        """ALS item factors and ``M = ((1 + alpha) V^T V + reg I)^-1`` (see the module docstring)."""
        from .als import ImplicitALSConfig, als_factors, data_scaled_reg

        cfg = self.config
        if (cfg.als_reg is not None and cfg.als_reg <= 0) or cfg.als_alpha < 0 or cfg.als_epochs < 1 or self._factors() < 1:
            raise ValueError("UserPersonalization's ALS base needs als_reg > 0 (or None), als_alpha >= 0, "
                             f"als_epochs >= 1 and factors >= 1, got {cfg}")
        reg = data_scaled_reg(matrix, cfg.als_alpha) if cfg.als_reg is None else cfg.als_reg
        self.als_reg_ = float(reg)
        init = self._warm_start_factors(matrix.shape)
        epochs = cfg.als_epochs if init is None else cfg.warm_start_epochs
        als = ImplicitALSConfig(factors=self._factors(), epochs=epochs, reg=reg, alpha=cfg.als_alpha,
                                seed=cfg.seed)
        users, vectors = als_factors(matrix, als, init=init)
        self.warm_started_ = init is not None
        if cfg.warm_start_epochs is not None:  # what the next fit starts from
            self._als_previous = (self.user_vocab.ids.copy(), self.item_vocab.ids.copy(),
                                  users.astype(np.float32), vectors.astype(np.float32))
        gram = vectors.T @ vectors
        self._fold_in = np.linalg.inv((1.0 + cfg.als_alpha) * gram + reg * np.eye(gram.shape[0]))
        return np.ascontiguousarray(vectors)

    def _warm_start_factors(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray] | None:
        """The previous fit's ALS factors in this fit's inner order (``None``: start cold)."""
        cfg = self.config
        previous = getattr(self, "_als_previous", None)
        if cfg.warm_start_epochs is None or previous is None:
            return None
        if cfg.warm_start_epochs < 1:
            raise ValueError(f"UserPersonalization warm_start_epochs must be >= 1 or None, got {cfg.warm_start_epochs}")
        old_users, old_items, user_factors, item_factors = previous
        if user_factors.shape[1] != self._factors():
            return None
        rng = np.random.default_rng(cfg.seed)

        def aligned(ids, old_ids, factors, n):
            out = rng.random((n, factors.shape[1]), dtype=np.float32) * np.float32(0.01)  # a cold start's scale
            where = pd.Index(old_ids).get_indexer(pd.Index(ids))
            found = where >= 0
            out[found] = factors[where[found]]
            return out

        return (aligned(self.user_vocab.ids, old_users, user_factors, shape[0]),
                aligned(self.item_vocab.ids, old_items, item_factors, shape[1]))

    def _svd_base(self, matrix, n_users: int, n_items: int) -> np.ndarray:
        """Top right singular vectors of ``A = log(1 + decayed confidence)``.

        They are the top eigenvectors of the item Gram matrix ``A^T A``, which is only
        ``n_items x n_items`` -- much cheaper than an SVD of ``A`` when users outnumber items.
        """
        matrix.data = np.log1p(matrix.data)
        k = max(1, min(self._factors(), n_users - 1, n_items - 1))
        gram = (matrix.T @ matrix).toarray()
        # one BLAS thread: threads only add overhead on this small dense algebra, and on a
        # busy machine spinning BLAS threads can make it 100x slower
        with threadpool_limits(1):
            if n_items <= 3_000 or k >= n_items - 1:
                values, vectors = np.linalg.eigh(gram)
            else:
                from scipy.sparse.linalg import eigsh

                v0 = np.random.default_rng(self.config.seed).random(n_items)
                values, vectors = eigsh(gram, k=k, v0=v0)
        vectors = vectors[:, np.argsort(-values)[:k]]
        # the sign of an eigenvector is arbitrary; fix it so results never depend on the solver
        signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(vectors.shape[1])])
        signs[signs == 0] = 1.0
        return np.ascontiguousarray(vectors * signs)

    def _creation_times(self, items: pd.DataFrame | None, i: np.ndarray, times: np.ndarray, n_items: int) -> np.ndarray:
        """CREATION_TIMESTAMP per item; else the item's first interaction (events on inner items ``i``); else 'now'."""
        created = np.full(n_items, np.nan)
        np.fmin.at(created, i, times)  # NaN until an item's first event
        if items is not None and CREATION_TIMESTAMP in items.columns:
            idx = self.item_vocab.to_inner(items[ITEM_ID].astype(str))
            values = pd.to_numeric(items[CREATION_TIMESTAMP], errors="coerce").to_numpy(dtype=float)
            ok = (idx >= 0) & np.isfinite(values)
            created[idx[ok]] = values[ok]
        return np.where(np.isfinite(created), created, self.now_)

    # ------------------------------------------------------- user state
    def _ensure_users(self, n_users: int) -> None:
        if n_users <= self._n_users_alloc:
            return
        self._profile = _grow_rows(self._profile, n_users)
        self._session = _grow_rows(self._session, n_users)
        old = self._profile_t.shape[0]
        self._profile_t = np.concatenate([self._profile_t, np.full(self._profile.shape[0] - old, -np.inf)])
        self._session_t = np.concatenate([self._session_t, np.full(self._session.shape[0] - old, -np.inf)])
        self._last_item = np.concatenate([self._last_item, np.full(self._profile.shape[0] - old, -1, dtype=np.int64)])
        self.__dict__["_seen_store"] = _grow_rows(self.__dict__["_seen_store"], n_users)
        self._n_users_alloc = self._profile.shape[0]

    def _absorb(self, u: np.ndarray, i: np.ndarray, w: np.ndarray, t: np.ndarray) -> None:
        """Fold events (sorted by time, known users and items) into profiles, sessions and popularity.

        Per user the state is first decayed to ``T = max(previous time, newest event)``;
        each event then adds ``w * 2^(-(T - t) / H) * V[item]``. Applying this batch by
        batch gives the same state as applying it event by event.
        """
        if len(u) == 0:
            return
        cfg = self.config
        # events are time-sorted, so a user's last occurrence is their newest event
        if len(u) > _SPARSE_ABSORB_EVENTS:
            # a large batch (a training log): number the users present without a sort, sum the
            # coefficients per (user, item) pair first, then one sparse product with the factors --
            # no (events x factors) matrix
            from scipy import sparse

            present = np.zeros(int(u.max()) + 1, dtype=bool)
            present[u] = True
            users = np.flatnonzero(present)
            inv = (np.cumsum(present) - 1)[u]
            last_pos = np.zeros(len(users), dtype=np.int64)
            np.maximum.at(last_pos, inv, np.arange(len(u)))

            def summed(coef: np.ndarray) -> np.ndarray:
                live = coef != 0  # e.g. session weights of events days old underflow to exactly 0
                weights = sparse.csr_matrix((coef[live], (inv[live], i[live])),
                                            shape=(len(users), len(self.item_factors_)))
                return np.asarray(weights @ self.item_factors_)
        else:
            users, last_rev = np.unique(u[::-1], return_index=True)
            last_pos = len(u) - 1 - last_rev
            inv = np.searchsorted(users, u)
            summed = None  # a small batch (tracked events): one compiled pass per state, in place
        newest = t[last_pos]
        for state, stamp, half_life in (
            (self._profile, self._profile_t, cfg.long_half_life_days * SECONDS_PER_DAY),
            (self._session, self._session_t, cfg.session_half_life_minutes * _SECONDS_PER_MINUTE),
        ):
            target = np.maximum(stamp[users], newest)
            old = np.where(np.isfinite(stamp[users]), np.exp2(-(target - stamp[users]) / half_life), 0.0)
            coef = w * np.exp2(-(target[inv] - t) / half_life)
            if summed is None:
                decay_and_add(state, users, old, inv, i, coef, self.item_factors_)
            else:
                state[users] = state[users] * old[:, None] + summed(coef)
            stamp[users] = target
        self._last_item[users] = i[last_pos]
        # recency-weighted popularity, decayed as one global clock
        pop_half_life = cfg.popularity_half_life_days * SECONDS_PER_DAY
        clock = max(self._pop_t, float(t.max()))
        self._pop *= np.exp2(-(clock - self._pop_t) / pop_half_life)
        self._pop += np.bincount(i, weights=w * np.exp2(-(clock - t) / pop_half_life), minlength=len(self._pop))
        self._pop_t = clock
        self._counts += np.bincount(i, minlength=len(self._counts))
        self.now_ = max(self.now_, float(t.max()))

    # ------------------------------------------------------------ update
    def update(self, events: pd.DataFrame) -> UserPersonalization:
        """Fold tracked events into the users' state (the event tracker's PutEvents).

        Events on items the model does not know yet are kept and used after the next
        :meth:`auto_update` or :meth:`fit` (real-time events only count for existing items).
        """
        self._check_fitted()
        events = prepare_interactions(events, allow_empty=True)
        if events.empty:
            return self
        types = events[EVENT_TYPE].to_numpy() if EVENT_TYPE in events.columns else None
        users, items = events[USER_ID].to_numpy(dtype=object), events[ITEM_ID].to_numpy(dtype=object)
        times = events[TIMESTAMP].to_numpy(dtype=float)
        self._events.append(users, items, times, types)
        self._track(users, items, times, types)
        if IMPRESSION in events.columns:
            self._learn_impressions(users, items, events[IMPRESSION].to_numpy(dtype=object))
        return self

    def track(self, user_ids, item_ids, timestamps, event_types=None, impressions=None) -> UserPersonalization:
        """Array form of :meth:`update` (no DataFrame): the fast path for simulations.

        Args:
            user_ids: raw user id per event.
            item_ids: raw item id per event.
            timestamps: epoch seconds per event.
            event_types: EVENT_TYPE per event (``None`` = every event weighs 1).
            impressions: the ``|``-joined IMPRESSION list per event (``None`` per event or for all:
                no list); the items shown and not chosen count against their exploration.
        """
        self._check_fitted()
        users = np.asarray([str(x) for x in user_ids], dtype=object)
        items = np.asarray([str(x) for x in item_ids], dtype=object)
        if len(users) == 0:
            return self
        times = np.asarray(timestamps, dtype=float)
        types = np.asarray(event_types, dtype=object) if event_types is not None else None
        self._events.append(users, items, times, types)
        self._track(users, items, times, types)
        if impressions is not None:
            self._learn_impressions(users, items, impressions)
        return self

    # Tracked events for the filters live in compact columns (EventHistory), not one
    # frame per call: real-time traffic calls update() hundreds of thousands of times.
    @property
    def _history(self) -> pd.DataFrame:
        return self._events.frame()

    @_history.setter
    def _history(self, frame: pd.DataFrame) -> None:
        self._events = EventHistory(frame)

    def _user_rows(self, users: np.ndarray) -> np.ndarray:
        """Inner indices of raw user ids; users first seen here are added (with empty state)."""
        rows = self.user_vocab.to_inner(users)
        if (rows < 0).any():
            self.user_vocab.add(users[rows < 0])
            self._ensure_users(len(self.user_vocab))
            rows = self.user_vocab.to_inner(users)
        return rows

    def user_rows(self, user_ids) -> np.ndarray:
        """Inner user indices of raw ids for :meth:`track_inner` / :meth:`recommend_inner`.

        Users the model has not seen yet are added with an empty state (as tracking
        an event of theirs would do), so every returned index is valid.
        """
        self._check_fitted()
        return self._user_rows(np.asarray([str(x) for x in user_ids], dtype=object))

    def _track(self, users: np.ndarray, items: np.ndarray, times: np.ndarray, types: np.ndarray | None) -> None:
        rows = self._user_rows(users)
        cols = self.item_vocab.to_inner(items)
        known = cols >= 0
        if (~known).any():  # kept as arrays; auto_update turns them into a frame
            unknown = {USER_ID: users[~known], ITEM_ID: items[~known], TIMESTAMP: times[~known],
                       EVENT_TYPE: types[~known] if types is not None else np.full((~known).sum(), None, dtype=object)}
            self._unknown_item_events.append(unknown)
        self._fold(rows[known], cols[known], times[known], None if types is None else types[known])
        self.now_ = max(self.now_, float(times.max()))

    def _fold(self, rows: np.ndarray, cols: np.ndarray, times: np.ndarray, types: np.ndarray | None,
              weights: np.ndarray | None = None) -> None:
        """Fold events of known users and items into the state (seen marks, profiles, popularity)."""
        if len(rows) == 0:
            return
        self._seen[rows, cols] = True
        if weights is None:
            weights = np.ones(len(rows)) if types is None else self.event_weight(types)
        order = np.argsort(times, kind="stable")
        self._absorb(rows[order], cols[order], weights[order], times[order])

    def track_inner(self, rows, cols, timestamps, event_types=None, weights=None) -> UserPersonalization:
        """:meth:`track` in inner indices: no id strings on the way (the simulator's fast path).

        Args:
            rows: inner user index per event (:meth:`user_rows` maps raw ids and adds new users).
            cols: inner item index per event (``item_vocab.to_inner``); items unknown to the
                model cannot be given here -- pass those events to :meth:`track`, which keeps
                them for the next :meth:`auto_update`.
            timestamps: epoch seconds per event.
            event_types: EVENT_TYPE per event (``None`` = every event weighs 1).
            weights: ``event_weight(event_types)`` when the caller has it already (a caller that
                codes event types as small integers looks each weight up once, not per call).

        The events also reach the filters' history (as codes, turned into ids only when a
        filter reads them), exactly as :meth:`track` would record them.
        """
        self._check_fitted()
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if len(rows) == 0:
            return self
        if not len(rows) == len(cols) == len(timestamps):
            raise ValueError(f"track_inner needs as many rows, cols and timestamps, got {len(rows)}, {len(cols)} "
                             f"and {len(timestamps)}")
        n_users, n_items = len(self.user_vocab), len(self.item_vocab)
        if rows.min() < 0 or rows.max() >= n_users or cols.min() < 0 or cols.max() >= n_items:
            raise ValueError(f"track_inner: inner indices out of range (users 0..{n_users - 1}, items "
                             f"0..{n_items - 1}); map raw ids with user_rows() and item_vocab.to_inner(), and send "
                             "events on items the model does not know yet through track()")
        times = np.asarray(timestamps, dtype=float)
        types = None if event_types is None else np.asarray(event_types, dtype=object)
        if weights is not None and len(weights) != len(rows):
            raise ValueError(f"track_inner needs one weight per event, got {len(weights)} for {len(rows)} events")
        self._events.append_codes(self.user_vocab.ids, rows, self.item_vocab.ids, cols, times.astype(np.int64), types)
        self._fold(rows, cols, times, types, None if weights is None else np.asarray(weights, dtype=float))
        self.now_ = max(self.now_, float(times.max()))
        return self

    def _grow_seen(self, events: pd.DataFrame) -> None:
        rows = self._user_rows(events[USER_ID].to_numpy(dtype=object))
        cols = self.item_vocab.to_inner(events[ITEM_ID])
        ok = cols >= 0
        self._seen[rows[ok], cols[ok]] = True

    def recommend_indices(
        self, user_ids, n: int | None = None, exclude_seen: bool = True, exclude_items=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Array form of :meth:`recommend` without filters or sessions (the fast path for simulations).

        Args:
            user_ids: raw user ids.
            n: list length (default ``config.n``).
            exclude_seen: drop items the model knows each user interacted with.
            exclude_items: optional per-user sequences of *inner* item indices to drop as
                well (e.g. what a purchase filter removes).

        Returns:
            ``(items, fallback)``: an ``(len(user_ids), n)`` matrix of inner item indices
            (``self.item_vocab.ids[items]`` are the raw ids; ``-1`` = no item) in rank order
            (ties: lower inner index first, as in :meth:`recommend`), and a boolean per user
            that is True when the list is the unknown-user fallback.
        """
        self._check_fitted()
        raw = np.asarray([str(u) for u in user_ids], dtype=object)
        return self.recommend_inner(self.user_vocab.to_inner(raw), n=n, exclude_seen=exclude_seen,
                                    exclude_items=exclude_items)

    def recommend_inner(
        self, rows, n: int | None = None, exclude_seen: bool = True, exclude_items=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`recommend_indices` for inner user indices (``-1`` = a user the model does not know).

        Unknown users get the flagged fallback list, as in :meth:`recommend`. ``exclude_items``
        may also be an ``(len(rows), w)`` matrix of inner item indices, ``-1`` padded.
        """
        self._check_fitted()
        n = self.config.n if n is None else int(n)
        inner = np.asarray(rows, dtype=np.int64)
        known = inner >= 0
        n_items = len(self.item_vocab)
        if known.all():
            scores = np.asarray(self._score(inner, None), dtype=float)
        else:
            scores = np.empty((len(inner), n_items), dtype=float)
            if known.any():
                scores[known] = self._score(inner[known], None)
            scores[~known] = self._fallback_scores(np.empty((~known).sum(), dtype=object), None)
        if exclude_seen and known.any():
            store = self.__dict__["_seen_store"]
            if known.all():
                scores[store[inner, :n_items]] = -np.inf
            else:
                rows_known = np.flatnonzero(known)
                block = scores[rows_known]
                block[store[inner[rows_known], :n_items]] = -np.inf
                scores[rows_known] = block
        if exclude_items is not None:
            if isinstance(exclude_items, np.ndarray) and exclude_items.ndim == 2:
                r, c = np.nonzero((exclude_items >= 0) & (exclude_items < n_items))
                scores[r, exclude_items[r, c]] = -np.inf
            else:
                counts = [len(x) for x in exclude_items]
                if sum(counts):
                    cols = np.concatenate([np.asarray(x, dtype=np.int64) for x in exclude_items])
                    rows_ex = np.repeat(np.arange(len(inner)), counts)
                    ok = (cols >= 0) & (cols < n_items)
                    scores[rows_ex[ok], cols[ok]] = -np.inf
        return top_k_indices(scores, n), ~known

    def auto_update(self, items: pd.DataFrame | None = None, now: float | None = None) -> UserPersonalization:
        """Mimic the automatic 2-hourly update: new items join the candidate set, no retraining.

        Args:
            items: the current catalog (Personalize Items format; CREATION_TIMESTAMP is
                used for the exploration age when present). Items tracked in events
                but missing from the catalog are added too.
            now: the wall-clock of the update (epoch seconds); advances the model's clock
                so item ages and session fading follow real time.

        A new item's factors are the shrunken mean of the profiles of the users who
        interacted with it since it appeared (no events = zero vector: the item can only
        be reached through exploration). Those events are then folded into the users'
        state like any tracked event.
        """
        self._check_fitted()
        if now is not None:
            self.now_ = max(self.now_, float(now))
        chunks = [c if isinstance(c, pd.DataFrame) else pd.DataFrame(c) for c in self._unknown_item_events]
        pending = pd.concat(chunks, ignore_index=True) if chunks else None
        if items is not None and ITEM_ID not in items.columns:
            raise ValueError(f"auto_update(items=...) needs an {ITEM_ID} column")
        # plain arrays, not pandas steps: the simulator calls this every two hours with a few new items
        catalog_ids = np.zeros(0, dtype=object) if items is None else items[ITEM_ID].astype(str).to_numpy(dtype=object)
        pending_ids = np.zeros(0, dtype=object) if pending is None else pending[ITEM_ID].astype(str).to_numpy(dtype=object)
        new_ids = pd.unique(np.concatenate([catalog_ids, pending_ids]))
        new_ids = new_ids[self.item_vocab.to_inner(new_ids) < 0]
        if len(new_ids):
            self._add_items(np.asarray(new_ids, dtype=object), items, catalog_ids, pending)
        if pending is not None and len(pending):
            self._unknown_item_events = []
            still_unknown = pd.Series(self.item_vocab.to_inner(pending[ITEM_ID]) < 0, index=pending.index)
            if still_unknown.any():  # pragma: no cover - every pending id was just added
                self._unknown_item_events.append(pending.loc[still_unknown])
            known = pending.loc[~still_unknown]
            u = self.user_vocab.to_inner(known[USER_ID])
            i = self.item_vocab.to_inner(known[ITEM_ID])
            t = known[TIMESTAMP].to_numpy(dtype=float)
            order = np.argsort(t, kind="stable")
            self._grow_seen(known)
            self._absorb(u[order], i[order], self._event_weights_of(known)[order], t[order])
        return self

    def _add_items(self, new_ids: np.ndarray, items: pd.DataFrame | None, catalog_ids: np.ndarray,
                   pending: pd.DataFrame | None) -> None:
        """Give ``new_ids`` factors, creation times and popularity slots (``catalog_ids``: ``items``' ids as text)."""
        n_old = len(self.item_vocab)
        self.item_vocab.add(new_ids)
        n_new = len(self.item_vocab) - n_old
        k = self.item_factors_.shape[1]
        factors = np.zeros((n_new, k))
        if pending is not None and len(pending):
            users = self.user_vocab.to_inner(pending[USER_ID])
            cols = self.item_vocab.to_inner(pending[ITEM_ID]) - n_old
            ok = (users >= 0) & (cols >= 0)
            profiles = self._profile[users[ok]]
            norms = np.linalg.norm(profiles, axis=1, keepdims=True)
            unit = np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)
            w = self._event_weights_of(pending)[ok]
            np.add.at(factors, cols[ok], w[:, None] * unit)
            total = np.bincount(cols[ok], weights=w, minlength=n_new)
            n_events = np.bincount(cols[ok], minlength=n_new)
            mean = np.divide(factors, total[:, None], out=np.zeros_like(factors), where=total[:, None] > 0)
            factors = mean * self._typical_norm * (n_events / (n_events + 5.0))[:, None]
        self.item_factors_ = np.vstack([self.item_factors_, factors])
        self._directions_cache = None
        created = np.full(n_new, self.now_)
        if items is not None and CREATION_TIMESTAMP in items.columns:
            stamps = pd.to_numeric(items[CREATION_TIMESTAMP], errors="coerce").to_numpy(dtype=float)
            first = dict(zip(catalog_ids[::-1].tolist(), range(len(catalog_ids) - 1, -1, -1)))  # first row per id
            values = np.array([stamps[first[x]] if x in first else np.nan for x in self.item_vocab.ids[n_old:]],
                              dtype=float)
            created = np.where(np.isfinite(values), values, created)
        self._created = np.concatenate([self._created, created])
        self._pop = np.concatenate([self._pop, np.zeros(n_new)])
        self._counts = np.concatenate([self._counts, np.zeros(n_new)])
        self._ignored = np.concatenate([self._ignored, np.zeros(n_new)])
        self._popularity = np.concatenate([self._popularity, np.zeros(n_new)])
        self._grow_seen_cols(len(self.item_vocab))
        if self.__dict__.get("_items_frame") is not None and items is not None:
            fresh = set(new_ids.tolist())
            self.__dict__["_items_parts"].append(items[[x in fresh for x in catalog_ids.tolist()]])
        elif items is not None:
            self.items_ = items

    # ------------------------------------------------------------- score
    def _query_vectors(self, users: np.ndarray, session: SessionLike) -> tuple[np.ndarray, np.ndarray]:
        """Unit long-term profile per user, and the faded unit session vector (zero when idle)."""
        cfg = self.config
        profile = self._profile[users]
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        taste = np.divide(profile, norms, out=np.zeros_like(profile), where=norms > 0)
        sess = self._session[users]
        s_norms = np.linalg.norm(sess, axis=1, keepdims=True)
        fade = np.exp2(-(self.now_ - self._session_t[users]) / (cfg.session_half_life_minutes * _SECONDS_PER_MINUTE))
        # a session idle for SESSION_OVER_HALF_LIVES half-lives is over: its weight (< 1e-12) is dropped,
        # so the session term is only computed for users with a live session
        fade = np.where(np.isfinite(fade) & (fade >= 2.0**-SESSION_OVER_HALF_LIVES), fade, 0.0)[:, None]
        live = fade * np.divide(sess, s_norms, out=np.zeros_like(sess), where=s_norms > 0)
        if isinstance(session, (list, tuple, np.ndarray)) and len(session):
            idx = self.item_vocab.to_inner(session)
            idx = idx[idx >= 0]
            if len(idx):
                extra = self.item_factors_[idx].sum(axis=0)
                n = np.linalg.norm(extra)
                if n > 0:
                    live = live + extra / n
        return taste, live

    def _score_factors(self) -> np.ndarray:
        """``W = V M``: what a unit long-term profile is compared with (``V`` itself for the SVD base).

        Cached; rebuilt when :meth:`auto_update` adds items (their folded-in factors map the same way).
        """
        cache = getattr(self, "_score_factors_cache", None)
        if cache is None or len(cache) != len(self.item_factors_):
            fold_in = getattr(self, "_fold_in", None)
            cache = self.item_factors_ if fold_in is None else self.item_factors_ @ fold_in
            self._score_factors_cache = cache
        return cache

    def _directions(self) -> np.ndarray:
        """Item factors scaled to (almost) unit length: ``V / (|V| + median |V|)``.

        The session term compares *directions*, so an item with little data but the
        right 'style' (e.g. boots in the first cold week) can still follow a session
        that is all about it; the shrinkage keeps near-empty vectors from winning.
        """
        if getattr(self, "_directions_cache", None) is None or len(self._directions_cache) != len(self.item_factors_):
            norms = np.linalg.norm(self.item_factors_, axis=1, keepdims=True)
            self._directions_cache = self.item_factors_ / (norms + self._typical_norm)
        return self._directions_cache

    def _prior(self) -> np.ndarray:
        top = self._pop.max() if self._pop.size else 0.0
        return self._pop / top if top > 0 else np.zeros_like(self._pop)

    def _add_exploration(self, scores: np.ndarray) -> np.ndarray:
        """Add the exploration bonus to ``scores`` in place (only the eligible columns are touched)."""
        cfg = self.config
        if cfg.exploration_weight <= 0:
            return scores
        eligible = np.flatnonzero(self._eligible())
        if len(eligible):
            room = 1.0 - self._exploration_used()[eligible] / max(1, cfg.exploration_max_interactions)
            draws = self._rng.random((scores.shape[0], len(eligible)))
            scores[:, eligible] += cfg.exploration_weight * self._scale * draws * room
        return scores

    def reseed(self, seed: int | None = None) -> UserPersonalization:
        """Restart the exploration draws from ``seed`` (default ``config.seed``), so settings compared one
        after the other meet the same random numbers instead of wherever the stream has got to."""
        self._check_fitted()
        self._rng = np.random.default_rng(self.config.seed if seed is None else seed)
        return self

    def _exploration_used(self) -> np.ndarray:
        """Interactions per item, plus ``impression_weight`` per impression without a choice."""
        return self._counts + self.config.impression_weight * self._ignored

    def _eligible(self) -> np.ndarray:
        cfg = self.config
        young = (self.now_ - self._created) < cfg.exploration_item_age_cutoff * SECONDS_PER_DAY
        return young & (self._exploration_used() < cfg.exploration_max_interactions)

    def record_impressions_inner(self, shown: np.ndarray, chosen: np.ndarray) -> UserPersonalization:
        """Count the items of served lists that were shown but not chosen (inner item indices).

        Args:
            shown: ``(lists, k)`` inner item index per slot, ``-1`` for an empty slot or an
                item the model does not know yet (it is not counted).
            chosen: boolean array of the same shape: the customer acted on this slot's item.
        """
        self._check_fitted()
        shown = np.asarray(shown, dtype=np.int64)
        chosen = np.asarray(chosen, dtype=bool)
        if shown.shape != chosen.shape:
            raise ValueError(f"record_impressions_inner needs shown and chosen of one shape, got {shown.shape} "
                             f"and {chosen.shape}")
        ignored = shown[(shown >= 0) & ~chosen]
        if len(ignored) and ignored.max() >= len(self.item_vocab):
            raise ValueError(f"record_impressions_inner: item index {int(ignored.max())} is out of range "
                             f"(0..{len(self.item_vocab) - 1})")
        if len(ignored):
            self._ignored += np.bincount(ignored, minlength=len(self._ignored))
        return self

    def add_ignored_inner(self, cols: np.ndarray, counts: np.ndarray) -> UserPersonalization:
        """Add ``counts`` showings without a choice to inner items ``cols`` (e.g. the impressions a
        dataset holds, carried into a newly trained version)."""
        self._check_fitted()
        cols = np.asarray(cols, dtype=np.int64)
        counts = np.asarray(counts, dtype=float)
        if cols.shape != counts.shape or (len(cols) and (cols.min() < 0 or cols.max() >= len(self.item_vocab))):
            raise ValueError(f"add_ignored_inner needs one count per inner item index in 0..{len(self.item_vocab) - 1}")
        np.add.at(self._ignored, cols, counts)
        return self

    def record_impressions(self, impressions, chosen) -> UserPersonalization:
        """Impressions in raw ids: one list of shown item ids per served list, and per list the
        ids the customer chose from it (clicked, carted, bought). Unknown ids are skipped.

            >>> model.record_impressions([["i1", "i2", "i3"]], [["i2"]])   # i1 and i3 ignored once
        """
        impressions = [list(x) for x in impressions]
        chosen = [set(map(str, x)) for x in chosen]
        if len(impressions) != len(chosen):
            raise ValueError(f"record_impressions needs one chosen list per impression, got {len(chosen)} "
                             f"for {len(impressions)}")
        k = max((len(x) for x in impressions), default=0)
        shown = np.full((len(impressions), k), -1, dtype=np.int64)
        picked = np.zeros((len(impressions), k), dtype=bool)
        for r, (items, took) in enumerate(zip(impressions, chosen)):
            if items:
                shown[r, : len(items)] = self.item_vocab.to_inner(np.asarray(items, dtype=object))
                picked[r, : len(items)] = [str(x) in took for x in items]
        return self.record_impressions_inner(shown, picked)

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        taste, live = self._query_vectors(users, session)
        scores = taste @ self._score_factors().T
        active = np.flatnonzero(live.any(axis=1))  # a user without a live session adds exactly 0
        if len(active) == len(users):
            scores += (self.config.session_weight * self._session_scale) * (live @ self._directions().T)
        elif len(active):
            scores[active] += (self.config.session_weight * self._session_scale) * (live[active] @ self._directions().T)
        scores += self.config.popularity_weight * self._scale * self._prior()
        return self._add_exploration(scores)

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        scores = np.tile(self._scale * self._prior(), (len(raw_user_ids), 1))
        return self._add_exploration(scores)

    def _similar(self, items: np.ndarray) -> np.ndarray:
        V = self.item_factors_
        norms = np.linalg.norm(V, axis=1)
        unit = np.divide(V, norms[:, None], out=np.zeros_like(V), where=norms[:, None] > 0)
        scores = unit[items] @ unit.T
        scores[:, norms == 0] = np.nan
        return scores

    # -------------------------------------------------------- explanation
    def _explain(self, user_id: str, item_id: str) -> str:
        item = self.item_vocab.to_inner([item_id])[0]
        user = self.user_vocab.to_inner([user_id])[0]
        if item < 0:
            return "This item is not in the model's catalog yet (it joins at the next automatic update)."
        if self._eligible()[item]:
            age = (self.now_ - self._created[item]) / SECONDS_PER_DAY
            return (
                f"New arrival ({age:.0f} days old, {int(self._counts[item])} interactions) shown to explore "
                f"(exploration weight {self.config.exploration_weight})."
            )
        last = self._last_item[user]
        recent = self.now_ - self._session_t[user] < 3 * self.config.session_half_life_minutes * _SECONDS_PER_MINUTE
        if last >= 0 and recent:
            return f"Because you just viewed {self.item_vocab.ids[last]}, which customers engage with alongside it."
        anchor = self._closest_in_history(user, item)
        if anchor >= 0:
            return f"Matches the taste in your history (closest in the model's factors: {self.item_vocab.ids[anchor]})."
        return f"Popular right now: {self.fallback_description}."

    def _closest_in_history(self, user: int, item: int) -> int:
        """Inner index of the user's history item whose factor vector points most like ``item``'s (cosine),
        so the explanation names what the score rests on; the last item when no factor says more; -1 if none."""
        rows = self._seen.shape[0]
        seen = (np.flatnonzero(self._seen[np.array([user])].toarray()[0]) if 0 <= user < rows
                else np.zeros(0, dtype=np.int64))
        seen = seen[seen < len(self.item_factors_)]
        target = self.item_factors_[item] if item < len(self.item_factors_) else None
        if len(seen) and target is not None and np.any(target):
            vectors = self.item_factors_[seen]
            norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(target)
            with np.errstate(divide="ignore", invalid="ignore"):
                cosine = np.where(norms > 0, vectors @ target / norms, -np.inf)
            if np.isfinite(cosine).any():
                return int(seen[int(np.argmax(cosine))])
        return int(self._last_item[user]) if user >= 0 else -1

    # ---------------------------------------------------------- inspection
    def exploration_candidates(self) -> pd.Series:
        """Item ids currently eligible for exploration (young and with little data)."""
        self._check_fitted()
        return pd.Series(self.item_vocab.ids[self._eligible()], name=ITEM_ID, dtype=object)

    def known_items(self) -> Vocabulary:
        """The item vocabulary the model can recommend from right now."""
        self._check_fitted()
        return self.item_vocab

