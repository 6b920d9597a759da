"""Content-based recommendations from item metadata (descriptions, categories, images).

The recommender never looks at other users: it describes every item by a vector
built from the Items frame and recommends items that resemble what the user
interacted with. That makes it the natural answer to the **item cold start**
(GN-05): a new item with no interactions has a description, so it can be
recommended on its first day. Its weaknesses are the mirror image: it only
finds "more of the same" (little serendipity) and needs good metadata.

Item vector (one block per kind of metadata, each block L2-normalised and
scaled so that the cosine of two items is the weighted mean of their per-block
cosines; a block an item lacks contributes 0):

* **text** -- TF-IDF of the description (scikit-learn ``TfidfVectorizer``).
  The field is auto-detected (PRODUCT_DESCRIPTION, DESCRIPTION, ...) or set with
  ``text_field``; weight ``text_weight``.
* **categorical** -- one token per ``COLUMN=value`` for short string columns
  such as CATEGORY_L1 or COLOR (``|`` separates several values, as in
  Personalize); weight ``categorical_weight``.
* **visual** -- numeric columns starting with ``visual_prefix`` (e.g. image
  embeddings VISUAL_0..VISUAL_k; DATAHERE's similar-image recommendations,
  DH-17); weight ``visual_weight``. :meth:`ContentBased.similar_looking` uses
  this block alone.

User profile = the event-weighted mean of the vectors of the items the user
interacted with (``event_weights``: a purchase counts more than a view); an
item's score is the cosine between profile and item vector.

Real time: a profile is a sum, so :meth:`update` simply adds the new events'
item vectors -- the model is ``realtime`` (the item vectors themselves change
only at ``fit``). :meth:`ContentBased.search` implements DATAHERE's
search-keyword fallback (DH-09): when no item matches a keyword, return the
nearest items by character-n-gram TF-IDF and say so.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import sparse

from ..constants import DEFAULT_EVENT_WEIGHTS, EVENT_CLICK, ITEM_ID, RANK, SCORE, USER_ID
from ..errors import DatasetError
from .base import Recommender, RecommenderConfig, SessionLike
from .event_utils import DeferredSeen, extend_items, session_items_for

__all__ = ["ContentBased", "ContentBasedConfig", "TEXT_FIELD_CANDIDATES", "detect_text_field"]

TEXT_FIELD_CANDIDATES = ("PRODUCT_DESCRIPTION", "DESCRIPTION", "TEXT", "PRODUCT_NAME", "TITLE", "NAME")
"""Columns tried, in order, when ``text_field`` is not set."""

QUERY = "QUERY"
MATCH = "MATCH"


@dataclasses.dataclass
class ContentBasedConfig(RecommenderConfig):
    """Settings of :class:`ContentBased`."""

    text_field: str | None = None
    """Items column holding the description; ``None`` = auto-detect (see :func:`detect_text_field`)."""

    categorical_fields: tuple[str, ...] | None = None
    """Items columns used as categories; ``None`` = every string column (other than ITEM_ID and the
    text field) with fewer distinct values than items."""

    visual_prefix: str = "VISUAL_"
    """Numeric Items columns starting with this prefix form the visual block."""

    text_weight: float = 1.0
    """Weight of the description block in item similarity."""

    categorical_weight: float = 0.5
    """Weight of the category block."""

    visual_weight: float = 1.0
    """Weight of the visual block (used only when visual columns exist)."""

    max_features: int = 5000
    """Largest TF-IDF vocabulary (most frequent words kept)."""

    stop_words: str | None = "english"
    """Stop-word list for TF-IDF (``"english"`` or ``None``; other languages need ``None``)."""


def detect_text_field(items: pd.DataFrame) -> str | None:
    """The description column of an Items frame, or ``None``.

    First a column named like :data:`TEXT_FIELD_CANDIDATES`; otherwise the string
    column (not ITEM_ID) with the longest mean length, if that mean is at least 20
    characters (shorter strings are treated as categories).
    """
    for name in TEXT_FIELD_CANDIDATES:
        if name in items.columns:
            return name
    best, best_len = None, 20.0
    for column in items.columns:
        if column == ITEM_ID or pd.api.types.is_numeric_dtype(items[column]):
            continue
        mean_len = items[column].dropna().astype(str).str.len().mean()
        if pd.notna(mean_len) and mean_len >= best_len:
            best, best_len = column, float(mean_len)
    return best


class ContentBased(DeferredSeen, Recommender):
    """Recommends items whose metadata resembles what the user interacted with."""

    Config = ContentBasedConfig
    config: ContentBasedConfig
    realtime = True
    fallback_description = "most popular items (or, with a session, items like the session's items)"

    # ------------------------------------------------------------------ fit
    def _fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None, users) -> None:
        if items is None or ITEM_ID not in items.columns:
            raise DatasetError(
                "ContentBased needs an Items frame with ITEM_ID and metadata.",
                column=ITEM_ID,
                fix="pass items=<frame with ITEM_ID and e.g. PRODUCT_DESCRIPTION, CATEGORY_L1> to fit.",
            )
        catalog = items.copy()
        catalog[ITEM_ID] = catalog[ITEM_ID].astype(str)
        dup = np.flatnonzero(catalog[ITEM_ID].duplicated().to_numpy())
        if len(dup):
            raise DatasetError(
                f"item {catalog[ITEM_ID].iloc[dup[0]]!r} appears more than once in the Items frame.",
                row=int(dup[0]) + 1,
                column=ITEM_ID,
                fix="keep one row per item (Personalize's Items dataset has one record per ITEM_ID).",
            )
        # one row per vocabulary item, in inner order (items seen only in interactions stay empty)
        catalog = catalog.set_index(ITEM_ID).reindex(self.item_vocab.ids)
        self.text_field_ = self.config.text_field or detect_text_field(catalog.reset_index())
        if self.config.text_field and self.config.text_field not in catalog.columns:
            raise DatasetError("the configured text field is not in the Items frame.",
                               column=self.config.text_field, fix="set text_field to an existing column or None.")
        self.categorical_fields_ = self._categorical_fields(catalog)
        self.visual_fields_ = [c for c in catalog.columns if str(c).startswith(self.config.visual_prefix)
                               and pd.api.types.is_numeric_dtype(catalog[c])]
        blocks, weights = [], []
        self.text_vectorizer_ = None
        if self.text_field_ is not None and self.config.text_weight > 0:
            text = catalog[self.text_field_].fillna("").astype(str)
            if text.str.strip().str.len().sum() > 0:
                self.text_vectorizer_ = _tfidf(max_features=self.config.max_features,
                                            stop_words=self.config.stop_words)
                # IDF is learned from items that have a description; the others get empty rows
                self.text_vectorizer_.fit(text[text.str.strip().str.len() > 0].to_numpy())
                self.text_matrix_ = self.text_vectorizer_.transform(text.to_numpy()).tocsr()
                blocks.append(self.text_matrix_)
                weights.append(self.config.text_weight)
        self.category_matrix_ = None
        if self.categorical_fields_ and self.config.categorical_weight > 0:
            self.category_tokens_, self.category_matrix_ = self._category_matrix(catalog)
            blocks.append(_normalize(self.category_matrix_))
            weights.append(self.config.categorical_weight)
        self.visual_matrix_ = None
        if self.visual_fields_:
            visual = catalog[self.visual_fields_].to_numpy(dtype=float)
            visual = np.nan_to_num(visual, nan=0.0)
            self.visual_matrix_ = _normalize(visual)
            if self.config.visual_weight > 0:
                blocks.append(sparse.csr_matrix(self.visual_matrix_))
                weights.append(self.config.visual_weight)
        if not blocks:
            raise DatasetError(
                "the Items frame has no usable metadata (no description, categorical or visual columns).",
                column=self.text_field_ or self.config.visual_prefix + "*",
                fix="add a PRODUCT_DESCRIPTION / DESCRIPTION text column, a CATEGORY column or VISUAL_ columns.",
            )
        total = float(sum(weights))
        scaled = [block * np.sqrt(w / total) for block, w in zip(blocks, weights)]
        self.item_matrix_ = sparse.hstack(scaled).tocsr()
        self.has_features_ = np.asarray(self.item_matrix_.getnnz(axis=1) > 0)
        self._search_text = self._search_strings(catalog)
        self._user_weights = self.weighted_matrix(interactions).tocsr()
        self._char_index = None
        self._pending_weights: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def _categorical_fields(self, catalog: pd.DataFrame) -> list[str]:
        if self.config.categorical_fields is not None:
            missing = [c for c in self.config.categorical_fields if c not in catalog.columns]
            if missing:
                raise DatasetError("a configured categorical field is not in the Items frame.", column=missing[0],
                                   fix="set categorical_fields to existing columns or None.")
            return list(self.config.categorical_fields)
        fields = []
        n = catalog.notna().any(axis=1).sum()
        for column in catalog.columns:
            if column == self.text_field_ or str(column).startswith(self.config.visual_prefix):
                continue
            values = catalog[column].dropna()
            if len(values) == 0 or pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                continue
            if values.astype(str).nunique() < max(2, n):
                fields.append(column)
        return fields

    def _category_matrix(self, catalog: pd.DataFrame) -> tuple[np.ndarray, sparse.csr_matrix]:
        rows, tokens = [], []
        for column in self.categorical_fields_:
            for row, cell in enumerate(catalog[column].to_numpy(dtype=object)):
                if cell is None or (isinstance(cell, float) and np.isnan(cell)):
                    continue
                for value in str(cell).split("|"):
                    if value.strip():
                        rows.append(row)
                        tokens.append(f"{column}={value.strip()}")
        vocab = pd.Index(pd.unique(pd.Series(tokens, dtype=object)))
        cols = vocab.get_indexer(tokens)
        matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(catalog), len(vocab)))
        matrix.data[:] = 1.0
        return vocab.to_numpy(dtype=object), matrix

    def _search_strings(self, catalog: pd.DataFrame) -> np.ndarray:
        parts = []
        if self.text_field_ is not None:
            parts.append(catalog[self.text_field_].fillna("").astype(str))
        for column in self.categorical_fields_:
            parts.append(catalog[column].fillna("").astype(str).str.replace("|", " ", regex=False))
        if not parts:
            return np.asarray([""] * len(catalog), dtype=object)
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + " " + part
        return joined.str.lower().to_numpy(dtype=object)

    # -------------------------------------------------------------- scoring
    def _profiles(self, weights: sparse.csr_matrix) -> sparse.csr_matrix:
        """Row-normalised event-weighted mean of item vectors (the cosine ignores the 1/total factor)."""
        return _normalize(weights @ self.item_matrix_)

    def _scores_from(self, weights: sparse.csr_matrix) -> np.ndarray:
        scores = np.asarray((self._profiles(weights) @ self.item_matrix_.T).todense(), dtype=float)
        scores[:, ~self.has_features_] = np.nan  # items without metadata cannot be scored
        return scores

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        weights = self._user_items[users]
        extra = self._session_weights(self.user_vocab.to_raw(users), session)
        return self._scores_from(weights + extra)

    def _session_weights(self, raw_ids: np.ndarray, session: SessionLike) -> sparse.csr_matrix:
        """Items of the current visit count like clicks (weight of ``"click"``)."""
        click = (self.config.event_weights or DEFAULT_EVENT_WEIGHTS).get(EVENT_CLICK, 1.0)
        rows, cols = [], []
        for r, uid in enumerate(raw_ids):
            idx = self.item_vocab.to_inner(session_items_for(session, uid))
            rows.extend([r] * int((idx >= 0).sum()))
            cols.extend(idx[idx >= 0].tolist())
        return sparse.csr_matrix((np.full(len(rows), click), (rows, cols)), shape=(len(raw_ids), len(self.item_vocab)))

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        scores = np.tile(self._popularity, (len(raw_user_ids), 1)).astype(float)
        extra = self._session_weights(raw_user_ids, session)
        with_session = np.flatnonzero(extra.getnnz(axis=1) > 0)
        if len(with_session):
            scores[with_session] = self._scores_from(extra[with_session])
        return scores

    def _score_raw(self, raw_user_ids: np.ndarray, session: SessionLike) -> tuple[np.ndarray, np.ndarray]:
        scores, fallback = super()._score_raw(raw_user_ids, session)
        for row in np.flatnonzero(fallback):  # a visitor with session items gets content lists, not the fallback
            if (self.item_vocab.to_inner(session_items_for(session, raw_user_ids[row])) >= 0).any():
                fallback[row] = False
        return scores, fallback

    # --------------------------------------------------------------- update
    def _update(self, events: pd.DataFrame, new_items: np.ndarray) -> None:
        added = extend_items(self, new_items)
        if added:  # items unknown at fit have no metadata: zero vectors until the next fit
            self.item_matrix_ = sparse.vstack(
                [self.item_matrix_, sparse.csr_matrix((added, self.item_matrix_.shape[1]))]).tocsr()
            self.has_features_ = np.concatenate([self.has_features_, np.zeros(added, dtype=bool)])
            self._search_text = np.concatenate([self._search_text, np.asarray([""] * added, dtype=object)])
            if self.visual_matrix_ is not None:
                self.visual_matrix_ = np.vstack([self.visual_matrix_, np.zeros((added, self.visual_matrix_.shape[1]))])
        self._track_seen(events)
        w = self._event_weights_of(events)
        # profiles are sums: queue the new weights (raw ids), add them when a profile is next read
        self._pending_weights.append((events[USER_ID].to_numpy(dtype=object), events[ITEM_ID].to_numpy(dtype=object), w))

    @property
    def _user_items(self) -> sparse.csr_matrix:
        """User x item event weights (fit data plus every tracked event)."""
        if self._pending_weights:
            shape = (len(self.user_vocab), len(self.item_vocab))  # reading user_vocab adds the new users
            users, items, w = (np.concatenate(parts) for parts in zip(*self._pending_weights))
            rows, cols = self.user_vocab.to_inner(users), self.item_vocab.to_inner(items)
            ok = (rows >= 0) & (cols >= 0)
            rows, cols, w = rows[ok], cols[ok], w[ok]
            base = self._user_weights.tocoo()
            self._user_weights = sparse.csr_matrix(
                (np.concatenate([base.data, w]), (np.concatenate([base.row, rows]), np.concatenate([base.col, cols]))),
                shape=shape,
            )
            self._pending_weights = []
        return self._user_weights

    # -------------------------------------------------------- similar items
    def _similar(self, items: np.ndarray) -> np.ndarray:
        scores = np.asarray((self.item_matrix_[items] @ self.item_matrix_.T).todense(), dtype=float)
        scores[:, ~self.has_features_] = np.nan
        return scores

    def similar_looking(self, item_ids, n: int | None = None) -> pd.DataFrame:
        """Items most similar by the visual block alone (similar-image recommendations, DH-17).

        Same output as :meth:`similar_items`. Raises :class:`DatasetError` when the
        Items frame has no ``visual_prefix`` columns.
        """
        self._check_fitted()
        if self.visual_matrix_ is None:
            raise DatasetError(
                "there are no visual feature columns in the Items frame.",
                column=self.config.visual_prefix + "*",
                fix=f"add numeric image features named {self.config.visual_prefix}0, {self.config.visual_prefix}1, ...",
            )
        saved = self.item_matrix_, self.has_features_
        try:
            self.item_matrix_ = sparse.csr_matrix(self.visual_matrix_)
            self.has_features_ = np.linalg.norm(self.visual_matrix_, axis=1) > 0
            return self.similar_items(item_ids, n=n)
        finally:
            self.item_matrix_, self.has_features_ = saved

    # ---------------------------------------------------------------- search
    def search(self, query: str, n: int | None = None) -> pd.DataFrame:
        """Items for a search keyword, with a fallback when nothing matches (DH-09).

        1. **exact**: items whose description or categories contain ``query``
           (case-insensitive), ranked by word TF-IDF similarity to it;
        2. **nearest**: if none match, items ranked by character 3-4-gram TF-IDF
           cosine (robust to typos and word forms: "sneaker" finds "sneakers");
        3. **popular**: if even that finds nothing, the most popular items.

        Returns:
            Frame ``QUERY, ITEM_ID, SCORE, RANK, MATCH`` (MATCH = exact / nearest /
            popular); ``frame.attrs["message"]`` says which case happened.
        """
        self._check_fitted()
        n = self.config.n if n is None else int(n)
        needle = str(query).strip().lower()
        exact = np.asarray([bool(needle) and needle in text for text in self._search_text], dtype=bool)
        if exact.any():
            scores = np.where(exact, self._word_similarity(needle), -np.inf)
            scores = np.where(exact, scores + 1e-9 * self._popularity / max(self._popularity.max(), 1.0), -np.inf)
            kind, message = "exact", f"{int(exact.sum())} items match {query!r}."
        else:
            scores = self._char_similarity(needle)
            if np.nanmax(scores, initial=0.0) > 0:
                scores = np.where(scores > 0, scores, -np.inf)
                kind = "nearest"
                message = f"No item matches {query!r} exactly; showing the items with the most similar text instead."
            else:
                scores = self._popularity.astype(float)
                kind = "popular"
                message = f"Nothing resembles {query!r}; showing popular items instead."
        order = np.lexsort((np.arange(len(scores)), -scores))
        order = [i for i in order if np.isfinite(scores[i])][:n]
        frame = pd.DataFrame({
            QUERY: [str(query)] * len(order),
            ITEM_ID: self.item_vocab.ids[order],
            SCORE: scores[order].astype(float),
            RANK: np.arange(1, len(order) + 1, dtype=np.int64),
            MATCH: [kind] * len(order),
        })
        frame.attrs["message"] = message
        return frame

    def _word_similarity(self, needle: str) -> np.ndarray:
        if self.text_vectorizer_ is None:
            return np.zeros(len(self.item_vocab))
        q = self.text_vectorizer_.transform([needle])
        text = self.text_matrix_
        if text.shape[0] < len(self.item_vocab):
            text = sparse.vstack([text, sparse.csr_matrix((len(self.item_vocab) - text.shape[0], text.shape[1]))])
        return np.asarray((text @ q.T).todense()).ravel()

    def _char_similarity(self, needle: str) -> np.ndarray:
        if not needle or not any(self._search_text):
            return np.zeros(len(self.item_vocab))
        cached = getattr(self, "_char_index", None)
        if cached is None or cached[1].shape[0] != len(self._search_text):  # built once, rebuilt if items were added
            vectorizer = _tfidf(analyzer="char_wb", ngram_range=(3, 4))
            cached = (vectorizer, vectorizer.fit_transform(self._search_text))
            self._char_index = cached
        vectorizer, matrix = cached
        return np.asarray((matrix @ vectorizer.transform([needle]).T).todense()).ravel()

    # ----------------------------------------------------------- explanation
    def _explain(self, user_id: str, item_id: str) -> str:
        target = self.item_vocab.to_inner([item_id])[0]
        user = self.user_vocab.to_inner([user_id])[0]
        history = self._user_items[user].indices
        if target < 0 or not self.has_features_[target] or len(history) == 0:
            return f"{self.name} has no metadata for {item_id}, so it cannot say what it resembles."
        sims = np.asarray((self.item_matrix_[history] @ self.item_matrix_[target].T).todense()).ravel()
        anchor = int(history[int(np.argmax(sims))])
        reasons = []
        words = self.shared_words(anchor, target)
        if words:
            reasons.append("shared words: " + ", ".join(words))
        cats = self.shared_categories(anchor, target)
        if cats:
            reasons.append("same " + ", ".join(cats))
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        kind = "description" if words else "metadata"
        return f"Similar {kind} to {self.item_vocab.ids[anchor]}, which you interacted with{detail}."

    def shared_words(self, a: int, b: int, top: int = 3) -> list[str]:
        """Up to ``top`` description words of items ``a`` and ``b`` (inner ids) with the largest TF-IDF product."""
        if self.text_vectorizer_ is None or max(a, b) >= self.text_matrix_.shape[0]:
            return []
        product = self.text_matrix_[a].multiply(self.text_matrix_[b]).tocoo()
        if product.nnz == 0:
            return []
        names = self.text_vectorizer_.get_feature_names_out()
        best = product.col[np.argsort(-product.data, kind="stable")[:top]]
        return [str(names[c]) for c in best]

    def shared_categories(self, a: int, b: int) -> list[str]:
        """``COLUMN=value`` tokens items ``a`` and ``b`` (inner ids) have in common."""
        if self.category_matrix_ is None:
            return []
        matrix = self.category_matrix_
        if max(a, b) >= matrix.shape[0]:
            return []
        common = matrix[a].multiply(matrix[b]).tocoo().col
        return [str(self.category_tokens_[c]) for c in sorted(common)]


def _normalize(matrix):
    """L2-normalise rows with scikit-learn, imported on first use so ``import workbench`` stays fast."""
    from sklearn.preprocessing import normalize

    return normalize(matrix)


def _tfidf(**settings):
    """A scikit-learn ``TfidfVectorizer`` (imported on first use)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(**settings)
