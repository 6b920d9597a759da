"""Spark's ALS and FPGrowth behind the workbench's Recommender interface.

Both models train in Spark (``pyspark.ml.recommendation.ALS`` with
``implicitPrefs=True``, ``pyspark.ml.fpm.FPGrowth``) and then serve like every other
workbench model: ``recommend`` returns ``USER_ID, ITEM_ID, SCORE, RANK, FALLBACK``,
unknown users get the popular items flagged ``FALLBACK=True``, filters and
seen-item exclusion work as usual.

``fit`` takes either frame:

* a **pandas** frame: it goes to Spark as Arrow, and the model keeps pandas
  bookkeeping exactly like the in-memory models (useful to compare them);
* a **Spark** frame, e.g. ``spark.read.parquet(load_large(...).path)``: the events
  never come to the driver. Spark aggregates the (user, item) pairs, indexes the
  ids and trains; the driver keeps only what serving needs -- the id lists, the
  item popularity, ALS's factor vectors or FPGrowth's rules (``O(users + items)``,
  not ``O(events)``). At ``recommend`` time one filtered Spark scan fetches the
  requested users' own events (for seen items, filters and FPGrowth's baskets).

For the same data, both inputs give the same model: the ids are indexed in sorted
order in both cases, so Spark sees identical ratings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..constants import BASKET_ID, ITEM_ID, SECONDS_PER_DAY, SESSION_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError
from ..recommenders.association import AssociationRules, AssociationRulesConfig, make_baskets
from ..recommenders.base import Recommender, RecommenderConfig, SessionLike, prepare_interactions
from ..vocabulary import Vocabulary
from .frames import (
    WEIGHT,
    events_of_users,
    factors_of,
    is_spark_frame,
    require_columns,
    to_spark,
    weighted_pairs,
    with_string_ids,
)
from .session import get_spark

__all__ = ["SparkALS", "SparkALSConfig", "SparkFPGrowth", "SparkFPGrowthConfig"]

_U, _I = "_u", "_i"


def _index(spark, frame, column: str, index: str):
    """Distinct ids of ``column`` in sorted order, and a Spark frame mapping each to its position."""
    ids = frame.select(column).distinct().toArrow().column(column).to_numpy(zero_copy_only=False)
    ids = np.sort(ids.astype(str)).astype(object)
    mapping = spark.createDataFrame(pa.table({column: pa.array(ids, pa.string()),
                                              index: pa.array(np.arange(len(ids)), pa.int32())}))
    return ids, mapping


class _SparkServing(Recommender):
    """Bookkeeping shared by the Spark models: fit on a Spark frame, serve from the driver."""

    _events = None
    """The Spark frame of training events when fitted on a Spark frame, else None."""

    def fit(self, interactions, items: pd.DataFrame | None = None, users: pd.DataFrame | None = None):
        """Learn from a pandas or a Spark interactions frame (USER_ID, ITEM_ID, optional EVENT_TYPE...)."""
        if not is_spark_frame(interactions):
            self._events = None
            return super().fit(interactions, items=items, users=users)
        require_columns(interactions, (USER_ID, ITEM_ID))
        events = with_string_ids(interactions)
        self._fit_spark(events, items, users)
        return self

    def _adopt(self, events, user_ids: np.ndarray, item_ids: np.ndarray, popularity: np.ndarray, items, users):
        """Set the base class's state from ids Spark computed (the events stay in Spark)."""
        from scipy import sparse

        self._events = events
        vocab_items = item_ids
        if items is not None and ITEM_ID in items.columns:
            vocab_items = np.concatenate([item_ids, items[ITEM_ID].astype(str).to_numpy(dtype=object)])
        self.item_vocab = Vocabulary(vocab_items)
        self.user_vocab = Vocabulary(user_ids)
        counts = np.zeros(len(self.item_vocab))
        counts[: len(popularity)] = popularity
        self._popularity = counts
        self.interactions_ = None
        self.items_, self.users_ = items, users
        self._history = pd.DataFrame({USER_ID: pd.Series(dtype="str"), ITEM_ID: pd.Series(dtype="str"),
                                      TIMESTAMP: pd.Series(dtype="int64")})
        self._n_fit_events = 0
        self._seen = sparse.csr_matrix((len(self.user_vocab), len(self.item_vocab)), dtype=bool)
        self.is_fitted = True

    def _fit_spark(self, events, items, users) -> None:  # pragma: no cover - each model implements it
        raise NotImplementedError

    def _serve_view(self, training_events: pd.DataFrame) -> None:
        """Hook: model state derived from the requested users' training events (Spark-fitted only)."""

    def recommend(self, user_ids: Iterable[object] | object, n: int | None = None, exclude_seen: bool = True,
                  session: SessionLike = None, filter: Any = None, filter_values=None) -> pd.DataFrame:
        if self._events is None:
            return super().recommend(user_ids, n=n, exclude_seen=exclude_seen, session=session, filter=filter,
                                     filter_values=filter_values)
        self._check_fitted()
        if isinstance(user_ids, (str, bytes)) or not isinstance(user_ids, Iterable):
            user_ids = [user_ids]
        raw = [str(u) for u in user_ids]
        known = sorted({u for u in raw if u in self.user_vocab})
        local = prepare_interactions(events_of_users(self._events, known), allow_empty=True)
        tracked = self._history
        saved = (self._seen, tracked)
        try:
            self._base_history = pd.concat([local, tracked], ignore_index=True) if len(tracked) else local
            self._seen = self._seen_matrix(local)
            self._serve_view(local)
            return super().recommend(raw, n=n, exclude_seen=exclude_seen, session=session, filter=filter,
                                     filter_values=filter_values)
        finally:
            self._seen, self._base_history = saved

    def _seen_matrix(self, interactions: pd.DataFrame):
        from scipy import sparse

        rows = self.user_vocab.to_inner(interactions[USER_ID])
        cols = self.item_vocab.to_inner(interactions[ITEM_ID])
        ok = (rows >= 0) & (cols >= 0)
        shape = (len(self.user_vocab), len(self.item_vocab))
        return sparse.csr_matrix((np.ones(int(ok.sum()), dtype=bool), (rows[ok], cols[ok])), shape=shape).tocsr()


# ---------------------------------------------------------------------------------------------- ALS
@dataclasses.dataclass
class SparkALSConfig(RecommenderConfig):
    """Settings of :class:`SparkALS` (Spark's names in brackets)."""

    factors: int = 32
    """Length of each user / item vector (``rank``)."""

    epochs: int = 10
    """Alternating rounds (``maxIter``)."""

    reg: float = 0.1
    """L2 penalty (``regParam``). Spark scales it by each user's / item's number of
    ratings (ALS-WR), so it is not the same number as :class:`~workbench.recommenders.ImplicitALS`'s ``reg``."""

    alpha: float = 10.0
    """Confidence slope: ``c = 1 + alpha * summed event weight`` (``alpha``)."""

    blocks: int = 2
    """User and item blocks (``numUserBlocks``/``numItemBlocks``); about the number of cores in the cluster."""

    master: str = "local[2]"
    """Spark master used when no SparkSession is active."""


class SparkALS(_SparkServing):
    """Implicit-feedback ALS trained by ``pyspark.ml.recommendation.ALS`` (``implicitPrefs=True``).

    Event weights become ratings exactly as in ImplicitALS (summed EVENT_TYPE
    weights per pair). Scores are dot products of the factor vectors; the
    vectors are collected to the driver after training, so ``recommend`` runs
    without Spark jobs for pandas-fitted models and with one small lookup for
    Spark-fitted ones.
    """

    Config = SparkALSConfig
    config: SparkALSConfig
    realtime = False

    def _check_config(self) -> None:
        c = self.config
        if c.factors < 1 or c.epochs < 1 or c.reg < 0 or c.alpha < 0 or c.blocks < 1:
            raise ValueError(f"SparkALS needs factors >= 1, epochs >= 1, reg >= 0, alpha >= 0 and blocks >= 1, got {c}")

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        self._check_config()
        frame = pd.DataFrame({USER_ID: interactions[USER_ID].astype(str), ITEM_ID: interactions[ITEM_ID].astype(str),
                              WEIGHT: self._event_weights_of(interactions)})
        pairs = frame.groupby([USER_ID, ITEM_ID], sort=False, as_index=False)[WEIGHT].sum()
        spark = get_spark(self.config.master)
        user_ids, item_ids, user_f, item_f = self._train(spark, to_spark(spark, pairs))
        self.user_factors_ = np.full((len(self.user_vocab), self.config.factors), np.nan)
        self.item_factors_ = np.full((len(self.item_vocab), self.config.factors), np.nan)
        self.user_factors_[self.user_vocab.to_inner(user_ids)] = user_f
        self.item_factors_[self.item_vocab.to_inner(item_ids)] = item_f

    def _fit_spark(self, events, items, users) -> None:
        from pyspark.sql import functions as F

        self._check_config()
        spark = get_spark(self.config.master)
        pairs = weighted_pairs(events, self.config.event_weights).cache()
        try:
            user_ids, item_ids, user_f, item_f = self._train(spark, pairs)
            counts = pairs.groupBy(ITEM_ID).agg(F.count(F.lit(1)).alias("n")).toArrow()
        finally:
            pairs.unpersist()
        popularity = pd.Series(counts.column("n").to_numpy(), index=counts.column(ITEM_ID).to_pylist())
        self._adopt(events, user_ids, item_ids, popularity.reindex(item_ids).to_numpy(dtype=float), items, users)
        self.user_factors_ = user_f
        self.item_factors_ = np.full((len(self.item_vocab), self.config.factors), np.nan)
        self.item_factors_[: len(item_ids)] = item_f

    def _train(self, spark, pairs):
        """Index ids in sorted order, run Spark's ALS, return ids and factors in that order."""
        from pyspark.ml.recommendation import ALS
        from pyspark.sql import functions as F

        c = self.config
        user_ids, user_map = _index(spark, pairs, USER_ID, _U)
        item_ids, item_map = _index(spark, pairs, ITEM_ID, _I)
        ratings = (pairs.join(user_map, USER_ID).join(F.broadcast(item_map), ITEM_ID)
                   .select(_U, _I, F.col(WEIGHT).cast("float").alias(WEIGHT)))
        als = ALS(rank=c.factors, maxIter=c.epochs, regParam=c.reg, alpha=c.alpha, implicitPrefs=True,
                  userCol=_U, itemCol=_I, ratingCol=WEIGHT, seed=c.seed, numUserBlocks=c.blocks,
                  numItemBlocks=c.blocks, coldStartStrategy="nan")
        model = als.fit(ratings)
        self.spark_params_ = {p.name: v for p, v in als.extractParamMap().items()}
        return (user_ids, item_ids, factors_of(model.userFactors, len(user_ids), c.factors),
                factors_of(model.itemFactors, len(item_ids), c.factors))

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        return self.user_factors_[users] @ self.item_factors_.T  # NaN for items without a vector

    def _similar(self, items: np.ndarray) -> np.ndarray:
        factors = np.nan_to_num(self.item_factors_)
        unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-12)
        return unit[items] @ unit.T

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        i = self.item_vocab.to_inner([item_id])[0]
        if i < 0 or not np.isfinite(self.item_factors_[i]).all():
            return f"{item_id} had no events in training, so Spark ALS has no vector for it."
        score = float(self.user_factors_[u] @ self.item_factors_[i])
        return (f"Spark ALS places your taste vector close to this item's (score {score:.3f}): "
                "customers with events like yours interacted with it.")


# ----------------------------------------------------------------------------------------- FPGrowth
@dataclasses.dataclass
class SparkFPGrowthConfig(AssociationRulesConfig):
    """Settings of :class:`SparkFPGrowth`: those of AssociationRules (``algorithm`` and
    ``low_memory`` are not used: Spark's FP-growth does the mining) plus the Spark ones."""

    partitions: int | None = None
    """FPGrowth's ``numPartitions`` (None = the input's partitions)."""

    master: str = "local[2]"
    """Spark master used when no SparkSession is active."""


class SparkFPGrowth(_SparkServing, AssociationRules):
    """Association rules mined by ``pyspark.ml.fpm.FPGrowth``, served like :class:`AssociationRules`.

    Baskets, support, confidence, lift and the way rules score items are those
    of AssociationRules (only the miner differs), so on the same data both
    recommend the same lists. Before rules come to the driver the frequent item
    sets are counted in Spark; more than ``max_itemsets`` raises MemoryError.
    """

    Config = SparkFPGrowthConfig
    config: SparkFPGrowthConfig

    def _check_config(self) -> None:
        if self.config.rank_by not in ("confidence", "lift"):
            raise ValueError(f"rank_by must be 'confidence' or 'lift', not {self.config.rank_by!r}")

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        c = self.config
        self._check_config()
        self.baskets_ = make_baskets(interactions, c.baskets, c.basket_event_types)
        if len(self.baskets_) == 0:
            raise DatasetError(f"no {c.baskets} baskets could be formed from the interactions.",
                               column="EVENT_TYPE", fix='use baskets="sessions" or set basket_event_types.')
        grouped = self.baskets_.groupby(BASKET_ID, sort=True)[ITEM_ID].agg(lambda s: sorted(set(s)))
        spark = get_spark(c.master)
        transactions = spark.createDataFrame(pa.table({
            BASKET_ID: pa.array(grouped.index.astype(str), pa.string()),
            "items": pa.array(grouped.tolist(), pa.list_(pa.string()))}))
        self._mine(transactions, len(grouped))
        self._pool = self._pool_matrix(self.baskets_[USER_ID].to_numpy(), self.baskets_[ITEM_ID].to_numpy(),
                                       len(self.user_vocab), self.user_vocab)

    def _spark_baskets(self, events):
        """``BASKET_ID, USER_ID, ITEM_ID`` in Spark, with :func:`make_baskets`'s rules."""
        from pyspark.sql import functions as F

        c = self.config
        event_types = c.basket_event_types
        if event_types is None and c.baskets == "orders":
            event_types = ("purchase",)
        frame = events
        if event_types is not None:
            require_columns(frame, ("EVENT_TYPE",))
            frame = frame.where(F.lower(F.col("EVENT_TYPE")).isin([t.lower() for t in event_types]))
        if SESSION_ID in frame.columns:
            visit = F.col(SESSION_ID).cast("string")
        elif TIMESTAMP in frame.columns:
            visit = F.floor(F.col(TIMESTAMP).cast("long") / SECONDS_PER_DAY).cast("long").cast("string")
        else:
            raise DatasetError("baskets need SESSION_ID or TIMESTAMP to know which events belong together.",
                               file="<Spark DataFrame>", column=TIMESTAMP,
                               fix="add a TIMESTAMP (epoch seconds) or a SESSION_ID column.")
        return frame.select(F.concat_ws("|", F.col(USER_ID), visit).alias(BASKET_ID), USER_ID, ITEM_ID).distinct()

    def _fit_spark(self, events, items, users) -> None:
        from pyspark.sql import functions as F

        c = self.config
        self._check_config()
        baskets = self._spark_baskets(events).cache()
        try:
            transactions = baskets.groupBy(BASKET_ID).agg(F.array_sort(F.collect_set(ITEM_ID)).alias("items"))
            n_baskets = transactions.count()
            if n_baskets == 0:
                raise DatasetError(f"no {c.baskets} baskets could be formed from the interactions.",
                                   file="<Spark DataFrame>", column="EVENT_TYPE",
                                   fix='use baskets="sessions" or set basket_event_types.')
            user_ids = np.sort(events.select(USER_ID).distinct().toArrow().column(USER_ID)
                               .to_numpy(zero_copy_only=False).astype(str)).astype(object)
            counts = (events.select(USER_ID, ITEM_ID).distinct().groupBy(ITEM_ID)
                      .agg(F.count(F.lit(1)).alias("n")).toArrow())
            item_ids = np.sort(counts.column(ITEM_ID).to_numpy(zero_copy_only=False).astype(str)).astype(object)
            popularity = pd.Series(counts.column("n").to_numpy(), index=counts.column(ITEM_ID).to_pylist())
            self._adopt(events, user_ids, item_ids, popularity.reindex(item_ids).to_numpy(dtype=float), items, users)
            self._mine(transactions, n_baskets)
        finally:
            baskets.unpersist()
        self._pool = self._pool_matrix(np.zeros(0, dtype=object), np.zeros(0, dtype=object), len(self.user_vocab),
                                       self.user_vocab)

    def _mine(self, transactions, n_baskets: int) -> None:
        """Run FPGrowth, bring item sets and rules to the driver in mlxtend's layout, index the rules."""
        from pyspark.ml.fpm import FPGrowth
        from pyspark.sql import functions as F

        c = self.config
        miner = FPGrowth(itemsCol="items", minSupport=c.min_support, minConfidence=c.min_confidence)
        if c.partitions:
            miner.setNumPartitions(int(c.partitions))
        model = miner.fit(transactions)
        itemsets = model.freqItemsets
        rules = model.associationRules
        if c.max_len is not None:
            itemsets = itemsets.where(F.size("items") <= c.max_len)
            rules = rules.where(F.size("antecedent") + F.size("consequent") <= c.max_len)
        n_sets = itemsets.count()
        if n_sets > c.max_itemsets:
            raise MemoryError(
                f"min_support={c.min_support} makes {n_sets} item sets frequent, above max_itemsets={c.max_itemsets}; "
                f"they stay in Spark. Raise min_support (an item set must appear in >= "
                f"{int(np.ceil(c.min_support * n_baskets))} of {n_baskets} baskets), lower max_len, or raise "
                "max_itemsets if the driver has the memory.")
        sets = itemsets.toArrow()
        support = {frozenset(items): freq / n_baskets
                   for items, freq in zip(sets.column("items").to_pylist(), sets.column("freq").to_pylist())}
        self.frequent_itemsets_ = pd.DataFrame({"support": list(support.values()),
                                                "itemsets": list(support.keys())})
        table = rules.select("antecedent", "consequent", "confidence", "lift", "support").toArrow()
        antecedents = [frozenset(a) for a in table.column("antecedent").to_pylist()]
        consequents = [frozenset(b) for b in table.column("consequent").to_pylist()]
        frame = pd.DataFrame({"antecedents": antecedents, "consequents": consequents})
        frame["antecedent support"] = [support[a] for a in antecedents]
        frame["consequent support"] = [support[b] for b in consequents]
        frame["support"] = table.column("support").to_numpy()
        frame["confidence"] = table.column("confidence").to_numpy()
        frame["lift"] = table.column("lift").to_numpy()
        frame["leverage"] = frame["support"] - frame["antecedent support"] * frame["consequent support"]
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["conviction"] = np.where(frame["confidence"] >= 1.0, np.inf,
                                           (1 - frame["consequent support"]) / (1 - frame["confidence"]))
        order = frame.assign(_a=["\x1f".join(sorted(a)) for a in antecedents], _b=["\x1f".join(sorted(b)) for b in consequents])
        order = order.sort_values(["confidence", "lift", "_a", "_b"], ascending=[False, False, True, True],
                                  kind="stable")
        self.rules_ = order.drop(columns=["_a", "_b"]).reset_index(drop=True)
        self.n_baskets_ = int(n_baskets)
        self._index_rules()

    def _serve_view(self, training_events: pd.DataFrame) -> None:
        c = self.config
        baskets = make_baskets(training_events, c.baskets, c.basket_event_types) if len(training_events) else \
            pd.DataFrame({USER_ID: pd.Series(dtype=object), ITEM_ID: pd.Series(dtype=object)})
        self._pool = self._pool_matrix(baskets[USER_ID].to_numpy(), baskets[ITEM_ID].to_numpy(),
                                       len(self.user_vocab), self.user_vocab)

    def _explain(self, user_id: str, item_id: str) -> str:
        if self._events is None:
            return super()._explain(user_id, item_id)
        saved = self._pool
        try:
            self._serve_view(prepare_interactions(events_of_users(self._events, [user_id]), allow_empty=True))
            return super()._explain(user_id, item_id)
        finally:
            self._pool = saved
