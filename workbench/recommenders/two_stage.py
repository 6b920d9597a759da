"""Two-stage recommendation: cheap candidates, then a learned ranker (DH-16).

Scoring every item for every user with an expensive model is slow when the
catalogue is large. Production systems (the DATAHERE document cites YouTube's
deep-learning recommender) therefore work in two stages:

1. **Candidate generation** -- cheap, recall-oriented. Here: the
   ``n_popular`` most popular items plus the items the *base* model scores highest
   for the user, up to ``n_candidates`` items the user has not interacted with yet.
   The base is implicit-feedback ALS (``base="als"``, the default: the user's vector
   times every item vector, :func:`workbench.recommenders.als.als_factors`) or
   item-item co-occurrence (``base="cooccurrence"``: summed cosine of the user-item
   incidence matrix with the user's history; cheaper to fit, much weaker offline).
   Every candidate is tagged with its SOURCE (popular / als or co-occurrence / both).
2. **Ranking** -- precise, run only on the candidates. A scikit-learn classifier
   (``ranker="logistic"``: standardised ``LogisticRegression``;
   ``"gbdt"``: ``HistGradientBoostingClassifier``) predicts the probability that
   the user will interact with the candidate, from five features:

   =====================  ===========================================================
   ``log_popularity``     ``log1p`` of the number of distinct users of the item
   ``cooccurrence``       summed cosine co-occurrence with the user's history items
   ``category_affinity``  share of the user's (event-weighted) activity in the item's
                          category (0 without a category column)
   ``log_price``          ``log1p(PRICE)`` from the Items frame (0 without PRICE)
   ``recency_days``       days since the item's last interaction (newer = smaller)
   ``als_score``          the ALS base's score ``x_u . y_i`` (0 with ``base="cooccurrence"``)
   =====================  ===========================================================

How the ranker learns without peeking: the training interactions are cut in
time (:func:`split_by_time`): by default each user's latest ``label_fraction``
of events are labels (``label_split="global"``: one cut at the
``1 - label_fraction`` quantile of TIMESTAMP). Candidates and features come
from the earlier part only; a candidate is a positive example if the user
interacted with it in the later part. For serving, the features are
recomputed on all training data. When the split leaves no positive (or no
negative) example, the ranker is skipped and candidates are ordered by their
candidate score (``ranker_`` is ``None`` and ``ranker_note_`` says why).

Not real-time (``realtime = False``): :meth:`update` only records tracked events for
the filters; candidates, factors and features change only at ``fit``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from ..constants import ITEM_ID, SECONDS_PER_DAY, USER_ID
from .base import Recommender, RecommenderConfig, prepare_interactions
from .event_utils import timestamps_of

__all__ = ["CATEGORY_FIELD_CANDIDATES", "FEATURES", "SOURCE", "TwoStage", "TwoStageConfig", "split_by_time"]

FEATURES = ("log_popularity", "cooccurrence", "category_affinity", "log_price", "recency_days", "als_score")
"""Ranker feature names, in column order."""

SOURCE = "SOURCE"
"""Column of :meth:`TwoStage.candidates`: which generator proposed the item."""

CATEGORY_FIELD_CANDIDATES = ("CATEGORY_L1", "CATEGORY", "GENRES", "GENRE")
"""Items columns tried, in order, when ``category_field`` is not set."""


@dataclasses.dataclass
class TwoStageConfig(RecommenderConfig):
    """Settings of :class:`TwoStage`."""

    n_candidates: int = 50
    """Candidates per user passed to the ranker (stage 1 output size)."""

    n_popular: int = 20
    """How many of them come from overall popularity; the rest from the base model."""

    base: str = "als"
    """Candidate generator and base score: ``"als"`` (the default: implicit ALS scores ``x_u . y_i`` propose
    the candidates and fill the ``als_score`` feature) or ``"cooccurrence"`` (summed item-item cosine with
    the user's history; ``als_score`` stays 0). On MovieLens 100k with Microsoft Recommenders' protocol
    (``benchmarks/bench_quality.py``) ALS reaches NDCG@10 0.489, co-occurrence 0.261."""

    als_factors: int = 64
    """Factors of the ALS base (unused with ``base="cooccurrence"``)."""

    als_reg: float | None = None
    """Penalty of the ALS base (``None``: :func:`workbench.recommenders.als.data_scaled_reg`)."""

    als_alpha: float = 5.0
    """Confidence slope of the ALS base."""

    als_epochs: int = 15
    """Alternating rounds of the ALS base."""

    ranker: str = "logistic"
    """``"logistic"`` (LogisticRegression on standardised features) or ``"gbdt"`` (HistGradientBoostingClassifier)."""

    label_fraction: float = 0.2
    """Share of the latest training events used as labels for the ranker (see :func:`split_by_time`)."""

    label_split: str = "per_user"
    """``"per_user"``: every user's latest events are labels; ``"global"``: one time cut for everyone."""

    category_field: str | None = None
    """Items column for category affinity; ``None`` = the first of :data:`CATEGORY_FIELD_CANDIDATES` present."""

    max_train_users: int = 2000
    """At most this many users (seeded sample) provide ranker training examples."""

    gbdt_iterations: int = 100
    """Boosting iterations of the ``"gbdt"`` ranker."""

    n_threads: int | None = 1
    """CPU threads for the ranker (``None`` = library default). One thread avoids the large slow-down
    OpenMP oversubscription causes on small shared machines."""


@dataclasses.dataclass
class _Stage:
    """Everything the candidate generator and the features need, computed from one slice of the log."""

    seen: sparse.csr_matrix
    weighted: sparse.csr_matrix
    similarity: sparse.csr_matrix
    popularity: np.ndarray
    last_seen_days: np.ndarray
    user_category: np.ndarray
    user_factors: np.ndarray | None = None
    item_factors: np.ndarray | None = None


class TwoStage(Recommender):
    """Popularity + ALS (or co-occurrence) candidates re-ranked by a learned classifier."""

    Config = TwoStageConfig
    config: TwoStageConfig
    realtime = False

    # ------------------------------------------------------------------ fit
    def _fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None, users) -> None:
        if self.config.base not in ("als", "cooccurrence"):
            raise ValueError(f"TwoStageConfig.base must be 'als' or 'cooccurrence', not {self.config.base!r}")
        if self.config.ranker not in ("logistic", "gbdt"):
            raise ValueError(f"TwoStageConfig.ranker must be 'logistic' or 'gbdt', not {self.config.ranker!r}")
        if self.config.label_split not in ("per_user", "global"):
            raise ValueError("TwoStageConfig.label_split must be 'per_user' or 'global'")
        if not 0.0 < self.config.label_fraction < 1.0:
            raise ValueError("TwoStageConfig.label_fraction must be between 0 and 1")
        self._item_side(items)
        times = timestamps_of(interactions)
        history, future = split_by_time(interactions, self.config.label_fraction, self.config.label_split == "per_user")
        self.history_, self.labels_ = history, future
        self.ranker_, self.ranker_note_ = None, ""
        if history.empty or future.empty:
            self.ranker_note_ = "the training data cannot be split into history and later labels"
        else:
            self._train_ranker(history, future, float(timestamps_of(history).max()))
        self.stage_ = self._stage(interactions, float(times.max()))

    def _item_side(self, items: pd.DataFrame | None) -> None:
        n = len(self.item_vocab)
        self.log_price_ = np.zeros(n)
        self.item_category_ = np.full(n, -1, dtype=np.int64)
        self.categories_ = np.zeros(0, dtype=object)
        self.category_field_ = None
        if items is None or ITEM_ID not in items.columns:
            return
        catalog = items.assign(**{ITEM_ID: items[ITEM_ID].astype(str)}).drop_duplicates(ITEM_ID).set_index(ITEM_ID)
        catalog = catalog.reindex(self.item_vocab.ids)
        if "PRICE" in catalog.columns:
            price = pd.to_numeric(catalog["PRICE"], errors="coerce").fillna(0.0).clip(lower=0.0)
            self.log_price_ = np.log1p(price.to_numpy(dtype=float))
        field = self.config.category_field or next((c for c in CATEGORY_FIELD_CANDIDATES if c in catalog.columns), None)
        if field is not None and field in catalog.columns:
            first = catalog[field].astype(object).map(lambda v: None if pd.isna(v) else str(v).split("|")[0])
            index = pd.Index(pd.unique(first.dropna()))
            self.categories_ = index.to_numpy(dtype=object)
            self.item_category_ = index.get_indexer(first.to_numpy(dtype=object))
            self.category_field_ = field

    def _stage(self, frame: pd.DataFrame, now: float) -> _Stage:
        """Popularity, co-occurrence, category shares, item recency (and the ALS factors) from ``frame``."""
        shape = (len(self.user_vocab), len(self.item_vocab))
        cols = self.item_vocab.to_inner(frame[ITEM_ID])
        seen = self._seen_matrix(frame).astype(float)
        weighted = self.weighted_matrix(frame)
        popularity = np.asarray(seen.sum(axis=0)).ravel()
        cooc = (seen.T @ seen).tocsr()
        cooc.setdiag(0.0)
        cooc.eliminate_zeros()
        coo = cooc.tocoo()
        norm = np.sqrt(popularity[coo.row] * popularity[coo.col])
        similarity = sparse.csr_matrix((coo.data / norm, (coo.row, coo.col)), shape=cooc.shape)
        times = timestamps_of(frame)
        last = np.full(len(self.item_vocab), np.nan)
        order = np.argsort(times)
        last[cols[order]] = times[order]  # later assignments win: the newest time per item
        span_days = max((now - float(times.min())) / SECONDS_PER_DAY, 1.0)
        last_days = np.where(np.isnan(last), span_days, (now - np.nan_to_num(last)) / SECONDS_PER_DAY)
        n_cat = len(self.categories_)
        user_category = np.zeros((shape[0], max(n_cat, 1)))
        if n_cat:
            has = self.item_category_ >= 0
            item_to_cat = sparse.csr_matrix(
                (np.ones(int(has.sum())), (np.flatnonzero(has), self.item_category_[has])), shape=(shape[1], n_cat))
            user_category = np.asarray((weighted @ item_to_cat).todense())
            totals = np.asarray(weighted.sum(axis=1)).ravel()
            user_category = user_category / np.where(totals > 0, totals, 1.0)[:, None]
        user_factors = item_factors = None
        if self.config.base == "als":
            user_factors, item_factors = self._als(weighted.tocsr())
        return _Stage(seen.tocsr(), weighted.tocsr(), similarity, popularity, last_days, user_category,
                      user_factors, item_factors)

    def _als(self, weighted: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        from .als import ImplicitALSConfig, als_factors, data_scaled_reg

        c = self.config
        weighted.sum_duplicates()
        reg = data_scaled_reg(weighted, c.als_alpha) if c.als_reg is None else c.als_reg
        config = ImplicitALSConfig(factors=c.als_factors, epochs=c.als_epochs, reg=reg, alpha=c.als_alpha, seed=c.seed)
        return als_factors(weighted, config)

    def _base_scores(self, stage: _Stage, users: np.ndarray) -> np.ndarray:
        """Dense base scores of ``users`` (rows) for every item: ALS ``x_u . y_i`` or summed co-occurrence."""
        if stage.user_factors is not None:
            factors = np.zeros((len(users), stage.item_factors.shape[1]))
            inside = users < len(stage.user_factors)  # the empty row of an unknown user stays 0
            factors[inside] = stage.user_factors[users[inside]]
            return factors @ stage.item_factors.T
        return np.asarray((stage.seen[users] @ stage.similarity).todense())

    def _train_ranker(self, history: pd.DataFrame, future: pd.DataFrame, cutoff: float) -> None:
        stage = self._stage(history, cutoff)
        hist_users = set(history[USER_ID])
        users = np.asarray(sorted(set(future[USER_ID]) & hist_users), dtype=object)
        if len(users) > self.config.max_train_users:
            rng = np.random.default_rng(self.config.seed)
            users = np.sort(rng.choice(users, size=self.config.max_train_users, replace=False))
        if len(users) == 0:
            self.ranker_note_ = "no user is active both before and after the time cut"
            return
        inner = self.user_vocab.to_inner(users)
        cand_rows, cand_items, _ = self._candidate_pairs(stage, inner)
        truth = set(zip(self.user_vocab.to_inner(future[USER_ID]), self.item_vocab.to_inner(future[ITEM_ID])))
        labels = np.asarray([(inner[r], i) in truth for r, i in zip(cand_rows, cand_items)], dtype=int)
        if labels.min(initial=1) == labels.max(initial=0):
            self.ranker_note_ = "the label window gives only one class of examples"
            return
        X = self._features(stage, inner[cand_rows], cand_items)
        with threadpool_limits(self.config.n_threads):
            self.ranker_ = self._make_ranker().fit(X, labels)
        self.train_examples_ = len(labels)
        self.train_positive_rate_ = float(labels.mean())
        self._feature_mean = X.mean(axis=0)
        self._feature_std = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)

    def _make_ranker(self):
        if self.config.ranker == "gbdt":
            from sklearn.ensemble import HistGradientBoostingClassifier

            return HistGradientBoostingClassifier(max_iter=self.config.gbdt_iterations, random_state=self.config.seed)
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=self.config.seed))

    # -------------------------------------------------------- stage 1 / 2
    def _candidate_pairs(self, stage: _Stage, users: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows (position in ``users``), items and source labels of every candidate."""
        n_items = len(self.item_vocab)
        k = min(self.config.n_candidates, n_items)
        n_pop = min(self.config.n_popular, k)
        seen = stage.seen[users].toarray() > 0 if len(users) else np.zeros((0, n_items), dtype=bool)
        cooc = self._base_scores(stage, users) if len(users) else seen.astype(float)
        has_history = np.asarray(stage.seen[users].sum(axis=1)).ravel() > 0 if len(users) else np.zeros(0, bool)
        label = "als" if stage.user_factors is not None else "co-occurrence"
        pop_rank = np.lexsort((np.arange(n_items), -stage.popularity))
        pop_position = pop_rank.argsort()
        rows, items, sources = [], [], []
        for r in range(len(users)):
            fresh_pop = [i for i in pop_rank if not seen[r, i]][:n_pop]
            chosen = dict.fromkeys(fresh_pop, "popular")
            for i in np.lexsort((pop_position, -cooc[r])):  # by base score, then popularity
                if not has_history[r] or (label == "co-occurrence" and cooc[r, i] <= 0):
                    break
                if seen[r, i]:
                    continue
                if i in chosen:
                    chosen[i] = "both"
                elif len(chosen) >= k:
                    break
                else:
                    chosen[i] = label
            for i in pop_rank:  # top up with popular items when the base runs dry
                if len(chosen) >= k:
                    break
                if not seen[r, i] and i not in chosen:
                    chosen[i] = "popular"
            rows.extend([r] * len(chosen))
            items.extend(chosen.keys())
            sources.extend(chosen.values())
        return np.asarray(rows, dtype=np.int64), np.asarray(items, dtype=np.int64), np.asarray(sources, dtype=object)

    def _features(self, stage: _Stage, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Feature matrix (one row per (user, item) pair, columns :data:`FEATURES`)."""
        if len(users) == 0:
            return np.zeros((0, len(FEATURES)))
        cooc = np.asarray(stage.seen[users].multiply(stage.similarity[items].tocsr()).sum(axis=1)).ravel()
        cat = self.item_category_[items]
        affinity = np.where(cat >= 0, stage.user_category[users, np.maximum(cat, 0)], 0.0)
        als = np.zeros(len(users))
        if stage.user_factors is not None:
            inside = users < len(stage.user_factors)
            als[inside] = np.einsum("ij,ij->i", stage.user_factors[users[inside]], stage.item_factors[items[inside]])
        return np.column_stack([
            np.log1p(stage.popularity[items]), cooc, affinity, self.log_price_[items], stage.last_seen_days[items], als,
        ])

    def candidates(self, user_ids, with_features: bool = True) -> pd.DataFrame:
        """Stage 1 output for learners: ``USER_ID, ITEM_ID, SOURCE`` (+ features and the ranker's ``SCORE``).

        Unknown users get the popular candidates only (they have no history).
        """
        self._check_fitted()
        if isinstance(user_ids, (str, bytes)) or not hasattr(user_ids, "__iter__"):
            user_ids = [user_ids]
        raw = np.asarray([str(u) for u in user_ids], dtype=object)
        inner = self.user_vocab.to_inner(raw)
        stage = self.stage_
        if (inner < 0).any():  # unknown users read an extra, empty history row
            stage = dataclasses.replace(
                stage,
                seen=sparse.vstack([stage.seen, sparse.csr_matrix((1, stage.seen.shape[1]))]).tocsr(),
                user_category=np.vstack([stage.user_category, np.zeros((1, stage.user_category.shape[1]))]),
            )
        safe = np.where(inner >= 0, inner, self.stage_.seen.shape[0])
        rows, items, sources = self._candidate_pairs(stage, safe)
        frame = pd.DataFrame({USER_ID: raw[rows], ITEM_ID: self.item_vocab.ids[items], SOURCE: sources})
        if with_features:
            X = self._features(stage, safe[rows], items)
            for j, name in enumerate(FEATURES):
                frame[name] = X[:, j]
            frame["SCORE"] = self._rank(X)
        return frame

    def _rank(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0)
        if self.ranker_ is None:  # candidate score: the base's score, popularity breaks ties
            base = X[:, 5] if self.config.base == "als" else X[:, 1]
            return base + 1e-3 * X[:, 0]
        with threadpool_limits(self.config.n_threads):
            return self.ranker_.predict_proba(X)[:, 1]

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        rows, items, _ = self._candidate_pairs(self.stage_, users)
        scores = np.full((len(users), len(self.item_vocab)), np.nan)
        scores[rows, items] = self._rank(self._features(self.stage_, users[rows], items))
        return scores

    # ----------------------------------------------------------- explanation
    def _explain(self, user_id: str, item_id: str) -> str:
        frame = self.candidates([user_id])
        row = frame[frame[ITEM_ID] == item_id]
        if row.empty:
            return f"{item_id} is not among your {self.config.n_candidates} candidates, so the ranker never saw it."
        source = row[SOURCE].iloc[0]
        if self.ranker_ is None:
            return f"Candidate from {source} items; ordered by the candidate score because {self.ranker_note_}."
        x = row[list(FEATURES)].to_numpy(dtype=float)[0]
        z = (x - self._feature_mean) / self._feature_std
        if self.config.ranker == "logistic":
            z = z * np.sign(self.ranker_[-1].coef_[0])
        top = FEATURES[int(np.argmax(z))]
        return (f"Candidate from {source} items; the {self.config.ranker} ranker gives it "
                f"{row['SCORE'].iloc[0]:.0%} chance of interest, helped most by its {top.replace('_', ' ')}.")


def split_by_time(
    interactions: pd.DataFrame, label_fraction: float = 0.2, per_user: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (history, labels) cut :class:`TwoStage` trains its ranker on (exposed for notebooks).

    ``per_user=True``: each user's latest ``ceil(label_fraction * n_u)`` events
    (``n_u`` = their number of events) become labels; users with a single event
    keep it as history. ``per_user=False``: one global cut at the
    ``1 - label_fraction`` quantile of TIMESTAMP (strictest against leakage, but a
    user active only after the cut gives no training example).
    """
    frame = prepare_interactions(interactions).reset_index(drop=True)
    times = timestamps_of(frame)
    if not per_user:
        cutoff = float(np.quantile(times, 1.0 - label_fraction))
        return frame[times <= cutoff], frame[times > cutoff]
    order = np.lexsort((np.arange(len(frame)), times, frame[USER_ID].to_numpy(dtype=object)))
    ordered = frame.iloc[order]
    size = ordered.groupby(USER_ID, sort=False)[USER_ID].transform("size").to_numpy()
    from_end = ordered.groupby(USER_ID, sort=False).cumcount(ascending=False).to_numpy()
    n_labels = np.where(size > 1, np.ceil(label_fraction * size), 0)
    is_label = np.zeros(len(frame), dtype=bool)
    is_label[order] = from_end < n_labels
    return frame[~is_label], frame[is_label]
