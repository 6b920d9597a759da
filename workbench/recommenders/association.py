"""Association rules ("bought together", "viewed together") through mlxtend.

A *basket* is a set of items that appear together: one order (the purchases of
a user in one session, or one day when there is no SESSION_ID) for "bought
together", or one visit (every event of a session/day) for "viewed together".
Over ``N`` baskets, for item sets ``A`` and ``B``:

* **support** :math:`s(A) = |\\{\\text{baskets} \\supseteq A\\}| / N` -- how common the set is;
* **confidence** :math:`c(A \\to B) = s(A \\cup B) / s(A)` -- how often ``B`` follows when ``A`` is there;
* **lift** :math:`l(A \\to B) = s(A \\cup B) / (s(A)\\, s(B))` -- 1 means independent,
  above 1 means ``A`` makes ``B`` more likely than its baseline popularity.

:class:`AssociationRules` mines the frequent item sets with mlxtend's
``fpgrowth`` (or ``apriori``) and the rules with ``association_rules``, keeps
both frames for inspection (``frequent_itemsets_``, ``rules_``), and recommends
the consequents of rules whose antecedent lies inside the user's basket history
(or the current session's items, e.g. the cart).

Low minimum supports make the number of frequent item sets explode
(every subset of a long basket can become frequent). Before mining,
:func:`estimate_frequent_itemsets` counts the frequent item sets level by level
without keeping them (bit-vector supports, see :func:`count_frequent_itemsets`)
and stops once the count passes ``max_itemsets`` (default 200,000); mining then
refuses with a ``MemoryError`` naming the count and the limit.

:func:`pair_relationships` contrasts the two kinds of baskets to separate
*complements* (bought together across categories: the add-on in the cart) from
*substitutes* (viewed together as alternatives but rarely bought together, or in
the same category: the related items on the product page) -- DH-13.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..constants import BASKET_ID, EVENT_PURCHASE, EVENT_TYPE, ITEM_ID, SECONDS_PER_DAY, SESSION_ID, TIMESTAMP, USER_ID
from ..errors import DatasetError
from .base import Recommender, RecommenderConfig, SessionLike
from .event_utils import event_types_of

__all__ = [
    "AssociationRules",
    "AssociationRulesConfig",
    "ItemsetEstimate",
    "make_baskets",
    "basket_matrix",
    "count_frequent_itemsets",
    "estimate_frequent_itemsets",
    "mine_rules",
    "next_in_basket",
    "pair_relationships",
]

RULE_METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift", "leverage", "conviction"]
"""Rule columns kept from mlxtend (its other metrics are left out to keep the frame readable)."""


# -------------------------------------------------------------------- baskets
def make_baskets(interactions: pd.DataFrame, kind: str = "orders",
                 event_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Group interactions into baskets: ``BASKET_ID, USER_ID, ITEM_ID`` (one row per distinct item of a basket).

    Args:
        interactions: Personalize-format events.
        kind: ``"orders"`` (bought together: purchase events) or ``"sessions"``
            (viewed together: every event type).
        event_types: override which EVENT_TYPEs enter the baskets (case-insensitive).

    A basket is ``USER_ID + SESSION_ID`` when the frame has SESSION_ID, otherwise
    ``USER_ID + calendar day (UTC)`` of TIMESTAMP.
    """
    if kind not in ("orders", "sessions"):
        raise ValueError(f"kind must be 'orders' or 'sessions', not {kind!r}")
    if event_types is None and kind == "orders":
        event_types = (EVENT_PURCHASE,)
    frame = interactions
    if event_types is not None:
        if EVENT_TYPE not in frame.columns:
            raise DatasetError(f"{kind} baskets need EVENT_TYPE to pick {list(event_types)} events.",
                               column=EVENT_TYPE, fix='add EVENT_TYPE or use kind="sessions".')
        wanted = {t.lower() for t in event_types}
        frame = frame[event_types_of(frame).isin(wanted)]
    if SESSION_ID in frame.columns:
        visit = frame[SESSION_ID].astype(str)
    elif TIMESTAMP in frame.columns:
        visit = (pd.to_numeric(frame[TIMESTAMP]) // SECONDS_PER_DAY).astype("int64").astype(str)
    else:
        raise DatasetError("baskets need SESSION_ID or TIMESTAMP to know which events belong together.",
                           column=TIMESTAMP, fix="add a TIMESTAMP (epoch seconds) or a SESSION_ID column.")
    baskets = pd.DataFrame({BASKET_ID: frame[USER_ID].astype(str) + "|" + visit,
                            USER_ID: frame[USER_ID].astype(str), ITEM_ID: frame[ITEM_ID].astype(str)})
    return baskets.drop_duplicates().reset_index(drop=True)


def basket_matrix(baskets: pd.DataFrame):
    """Sparse 0/1 basket x item matrix plus the basket ids and item ids of its rows / columns."""
    from scipy import sparse

    basket_codes, basket_ids = pd.factorize(baskets[BASKET_ID].astype(str))
    item_codes, item_ids = pd.factorize(baskets[ITEM_ID].astype(str))
    matrix = sparse.csr_matrix((np.ones(len(baskets)), (basket_codes, item_codes)),
                               shape=(len(basket_ids), len(item_ids)))
    matrix.data[:] = 1.0  # an item counts once per basket
    return matrix, np.asarray(basket_ids, dtype=object), np.asarray(item_ids, dtype=object)


# ---------------------------------------------------------------- memory guard
DEFAULT_COUNT_LIMIT = 1_000_000
"""Where :func:`estimate_frequent_itemsets` stops counting when no ``limit`` is given."""


@dataclasses.dataclass(frozen=True)
class ItemsetEstimate:
    """How many item sets a minimum support makes frequent."""

    n_baskets: int
    """Number of baskets."""

    min_count: int
    """Baskets an item set must appear in: ``ceil(min_support * n_baskets)``."""

    singles: int
    """Exact number of frequent single items."""

    pairs: int
    """Exact number of frequent pairs (0 when ``max_len`` is 1)."""

    upper_bound: float
    """A cheap upper bound on all frequent item sets up to ``max_len`` (loose: it assumes
    every frequent-item subset of a basket could be frequent; ``inf`` when astronomically large)."""

    counted: int = 0
    """Frequent item sets (all sizes up to ``max_len``) found by the level-wise count; when
    :attr:`complete` is False the count stopped as soon as it passed :attr:`limit`."""

    complete: bool = True
    """True when :attr:`counted` is the exact number of frequent item sets."""

    limit: int | None = None
    """Where the count would stop (``max_itemsets`` for :func:`mine_rules`)."""

    @property
    def exact(self) -> int:
        """Frequent singles plus pairs (a lower bound on the total)."""
        return self.singles + self.pairs


def _bitsets(matrix, columns: np.ndarray) -> np.ndarray:
    """One row of packed basket bits (``uint64`` words) per chosen item column."""
    n_baskets = matrix.shape[0]
    words = max(1, (n_baskets + 63) // 64)
    csc = matrix[:, columns].tocsc()
    bits = np.zeros((len(columns), words), dtype=np.uint64)
    owner = np.repeat(np.arange(len(columns)), np.diff(csc.indptr))
    rows = csc.indices.astype(np.int64)
    np.bitwise_or.at(bits, (owner, rows >> 6), np.left_shift(np.uint64(1), (rows & 63).astype(np.uint64)))
    return bits


class _LimitPassed(Exception):
    pass


def count_frequent_itemsets(matrix, min_count: int, max_len: int | None = None, limit: int | None = None
                            ) -> tuple[int, bool]:
    """Count the frequent item sets of a 0/1 basket x item matrix, depth first, without storing them.

    Each frequent item set is extended only by later items (in column order), and
    the baskets holding a set are a bit vector (one bit per basket), so the support
    of every extension of a set is one AND plus a popcount -- Eclat's vertical
    counting. Only the bit vectors along the current path are kept, so memory
    stays at ``O(frequent items x baskets / 8)`` bytes however many sets there are,
    and the count stops as soon as it passes ``limit``.

    Args:
        matrix: sparse basket x item matrix (rows baskets, columns items, values 0/1).
        min_count: baskets an item set must appear in.
        max_len: largest item set counted (``None`` = unlimited).
        limit: stop once more than this many sets have been found (``None`` = never).

    Returns:
        ``(count, complete)``: the number of frequent item sets, and False when counting
        stopped at ``limit`` (the count is then ``limit + 1`` or a little more).
    """
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    frequent = np.flatnonzero(counts >= min_count)
    total = len(frequent)
    if limit is not None and total > limit:
        return total, False
    if len(frequent) < 2 or (max_len is not None and max_len < 2):
        return total, True
    found = [total]

    def grow(siblings: np.ndarray, size: int) -> None:
        # siblings: bit vectors of the frequent `size`-sets sharing one prefix, in column order
        for i in range(len(siblings) - 1):
            joined = siblings[i + 1:] & siblings[i]
            keep = np.bitwise_count(joined).sum(axis=1, dtype=np.int64) >= min_count
            n_keep = int(keep.sum())
            if not n_keep:
                continue
            found[0] += n_keep
            if limit is not None and found[0] > limit:
                raise _LimitPassed
            if n_keep > 1 and (max_len is None or size + 1 < max_len):
                grow(joined[keep], size + 1)

    try:
        grow(_bitsets(matrix, frequent), 1)
    except _LimitPassed:
        return found[0], False
    return found[0], True


def estimate_frequent_itemsets(baskets: pd.DataFrame, min_support: float, max_len: int | None = None,
                               limit: int | None = DEFAULT_COUNT_LIMIT) -> ItemsetEstimate:
    """Count the frequent item sets (up to ``limit``) before anything is mined.

    Singles and pairs are counted exactly from the item co-occurrence matrix. All
    larger sets are counted by :func:`count_frequent_itemsets`, which stops as soon
    as the running count passes ``limit``: a job mlxtend finishes quickly is
    counted exactly (in a fraction of its time), while a blow-up is detected after
    ``limit`` sets, long before memory runs out. ``upper_bound`` keeps the cheap
    closed-form bound :math:`\\sum_b \\binom{m_b}{k} / \\text{min\\_count}` (``m_b``
    frequent items in basket ``b``) for comparison; it is far too loose to decide on.
    """
    from scipy.special import comb

    if not 0 < min_support <= 1:
        raise ValueError(f"min_support is a fraction of baskets in (0, 1], got {min_support}")
    matrix, _, _ = basket_matrix(baskets)
    n_baskets = matrix.shape[0]
    min_count = max(1, math.ceil(min_support * n_baskets - 1e-9))
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    frequent = np.flatnonzero(counts >= min_count)
    sub = matrix[:, frequent]
    pairs = 0
    if max_len is None or max_len >= 2:
        co = (sub.T @ sub).tocoo()
        pairs = int(((co.row < co.col) & (co.data >= min_count)).sum())
    sizes = np.asarray(sub.sum(axis=1)).ravel()
    longest = int(sizes.max()) if len(sizes) else 0
    top = longest if max_len is None else min(max_len, longest)
    larger = 0.0
    with np.errstate(over="ignore"):
        for k in range(3, top + 1):
            larger += float(comb(sizes, k).sum()) / min_count
    upper = float(len(frequent) + pairs + larger)
    if limit is not None and len(frequent) + pairs > limit:
        counted, complete = len(frequent) + pairs, False
    else:
        counted, complete = count_frequent_itemsets(matrix, min_count, max_len, limit)
    return ItemsetEstimate(n_baskets, min_count, len(frequent), pairs, upper, counted, complete, limit)


# ---------------------------------------------------------------------- mining
def mine_rules(
    baskets: pd.DataFrame,
    min_support: float = 0.01,
    min_confidence: float = 0.1,
    algorithm: str = "fpgrowth",
    max_len: int | None = 3,
    low_memory: bool = True,
    max_itemsets: int = 200_000,
) -> tuple[pd.DataFrame, pd.DataFrame, ItemsetEstimate]:
    """Frequent item sets and association rules of a basket frame.

    Args:
        baskets: ``BASKET_ID, ITEM_ID`` rows (see :func:`make_baskets`).
        min_support: minimum fraction of baskets containing an item set.
        min_confidence: minimum confidence of a rule.
        algorithm: ``"fpgrowth"`` (default; no candidate generation) or ``"apriori"``.
        max_len: largest item set to mine (``None`` = unlimited).
        low_memory: let apriori trade speed for memory (ignored by fpgrowth).
        max_itemsets: refuse when more item sets than this are frequent (counted before
            mining, see :func:`estimate_frequent_itemsets`).

    Returns:
        ``(frequent_itemsets, rules, estimate)`` -- the first two are mlxtend's
        frames (``support, itemsets`` and ``antecedents, consequents, support,
        confidence, lift, ...``).

    Raises:
        MemoryError: more than ``max_itemsets`` item sets are frequent (nothing is mined;
            the message names the count, the limit and which knob to turn).
    """
    from mlxtend.frequent_patterns import apriori, association_rules, fpgrowth

    if algorithm not in ("fpgrowth", "apriori"):
        raise ValueError(f"algorithm must be 'fpgrowth' or 'apriori', not {algorithm!r}")
    if len(baskets) == 0:
        raise DatasetError("there are no baskets to mine (no events of the basket event types?).",
                           column=EVENT_TYPE, fix='check the event types, or use baskets="sessions".')
    estimate = estimate_frequent_itemsets(baskets, min_support, max_len, limit=max_itemsets)
    advice = (f"Raise min_support (an item set must now appear in >= {estimate.min_count} of {estimate.n_baskets} "
              "baskets), lower max_len (2 = pairs only, counted exactly), or raise max_itemsets if you have the memory.")
    if estimate.exact > max_itemsets:
        raise MemoryError(
            f"min_support={min_support} makes {estimate.singles} items and {estimate.pairs} pairs frequent "
            f"({estimate.exact} item sets before larger ones), above max_itemsets={max_itemsets}. {advice}")
    if not estimate.complete:
        raise MemoryError(
            f"min_support={min_support} makes more than {max_itemsets} item sets frequent: counting stopped at "
            f"{estimate.counted} ({estimate.exact} singles and pairs, the rest larger sets), above "
            f"max_itemsets={max_itemsets}. {advice}")
    matrix, _, item_ids = basket_matrix(baskets)
    # an item below min_support is in no frequent set: leave its column out of the dense one-hot frame
    keep = np.flatnonzero(np.asarray(matrix.sum(axis=0)).ravel() >= estimate.min_count)
    onehot = pd.DataFrame(matrix[:, keep].toarray().astype(bool), columns=[str(i) for i in item_ids[keep]])
    if algorithm == "fpgrowth":
        itemsets = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    else:
        itemsets = apriori(onehot, min_support=min_support, use_colnames=True, max_len=max_len, low_memory=low_memory)
    if (itemsets["itemsets"].map(len) >= 2).any():
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rules = association_rules(itemsets, num_itemsets=len(onehot), metric="confidence",
                                      min_threshold=min_confidence, return_metrics=RULE_METRICS)
    else:
        rules = pd.DataFrame(columns=["antecedents", "consequents", *RULE_METRICS])
    rules = rules.sort_values(["confidence", "lift"], ascending=False, kind="stable").reset_index(drop=True)
    return itemsets, rules, estimate


# ----------------------------------------------------------------- recommender
@dataclasses.dataclass
class AssociationRulesConfig(RecommenderConfig):
    """Settings of :class:`AssociationRules`."""

    min_support: float = 0.01
    """Minimum fraction of baskets an item set must appear in."""

    min_confidence: float = 0.1
    """Minimum confidence of a kept rule."""

    baskets: str = "orders"
    """``"orders"``: bought together (purchases per session/day); ``"sessions"``: viewed
    together (every event per session/day)."""

    basket_event_types: tuple[str, ...] | None = None
    """Override the EVENT_TYPEs that form baskets (``None`` = purchases for orders, all for sessions)."""

    algorithm: str = "fpgrowth"
    """``"fpgrowth"`` or ``"apriori"``."""

    max_len: int | None = 3
    """Largest item set mined (``None`` = unlimited)."""

    low_memory: bool = True
    """apriori's memory-saving mode (ignored by fpgrowth)."""

    max_itemsets: int = 200_000
    """Memory guard: refuse to mine when the estimated number of frequent item sets exceeds this."""

    rank_by: str = "confidence"
    """Rule metric that scores a recommended item: ``"confidence"`` or ``"lift"``."""


class AssociationRules(Recommender):
    """Recommend what is frequently bought (or viewed) together with the user's items.

    For a user, the *antecedent pool* is the current session's items when
    ``session`` is passed to ``recommend`` (e.g. the cart), otherwise every item
    of their baskets in the training data. A rule ``A -> {c}`` fires when ``A`` is
    inside the pool; item ``c`` scores the best ``rank_by`` value of its fired
    rules. Items no rule reaches are appended in popularity order with scores
    below every rule score (negative), so lists stay full. Only rules with a
    single consequent are used for recommendations (``rules_`` keeps them all).
    """

    Config = AssociationRulesConfig
    config: AssociationRulesConfig
    realtime = False
    fallback_description = "most popular items (no rule can fire without a history)"

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        c = self.config
        if c.rank_by not in ("confidence", "lift"):
            raise ValueError(f"rank_by must be 'confidence' or 'lift', not {c.rank_by!r}")
        self.baskets_ = make_baskets(interactions, c.baskets, c.basket_event_types)
        if len(self.baskets_) == 0:
            raise DatasetError(f"no {c.baskets} baskets could be formed from the interactions.",
                               column=EVENT_TYPE, fix='use baskets="sessions" or set basket_event_types.')
        self.frequent_itemsets_, self.rules_, self.estimate_ = mine_rules(
            self.baskets_, c.min_support, c.min_confidence, c.algorithm, c.max_len, c.low_memory, c.max_itemsets)
        self._index_rules()
        self._pool = self._pool_matrix(self.baskets_[USER_ID].to_numpy(), self.baskets_[ITEM_ID].to_numpy(),
                                       len(self.user_vocab), self.user_vocab)

    def _index_rules(self) -> None:
        from scipy import sparse

        single = self.rules_[self.rules_["consequents"].map(len) == 1]
        n_items = len(self.item_vocab)
        members = [sorted(a) for a in single["antecedents"]]
        rows = np.repeat(np.arange(len(members)), [len(m) for m in members])
        cols = self.item_vocab.to_inner([item for m in members for item in m])  # one lookup for all rules
        self._antecedents = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(single), n_items))
        self._antecedent_size = np.asarray([len(a) for a in single["antecedents"]], dtype=float)
        self._consequent = self.item_vocab.to_inner([next(iter(s)) for s in single["consequents"]])
        self._rule_value = single[self.config.rank_by].to_numpy(dtype=float)
        self._single_rules = single.reset_index(drop=True)

    def _pool_matrix(self, owners, item_ids, n_rows: int, vocab):
        from scipy import sparse

        rows = vocab.to_inner(owners) if vocab is not None else np.asarray(owners)
        cols = self.item_vocab.to_inner(item_ids)
        ok = (rows >= 0) & (cols >= 0)
        matrix = sparse.csr_matrix((np.ones(int(ok.sum())), (rows[ok], cols[ok])), shape=(n_rows, len(self.item_vocab)))
        matrix.data[:] = 1.0
        return matrix

    def _rule_scores(self, pool, usable: np.ndarray | None = None) -> np.ndarray:
        """Best rule value per (row of pool, consequent item); NaN where no rule fires.

        ``usable`` optionally restricts which rules may fire (bool per rule).
        """
        n_rows, n_items = pool.shape[0], len(self.item_vocab)
        scores = np.full((n_rows, n_items), np.nan)
        if len(self._rule_value) == 0:
            return scores
        hits = np.asarray((pool @ self._antecedents.T).todense())  # antecedent items present per rule
        fired = hits >= self._antecedent_size[None, :] - 1e-9
        if usable is not None:
            fired &= usable[None, :]
        values = np.where(fired, self._rule_value[None, :], -np.inf)
        for item in np.unique(self._consequent):
            best = values[:, self._consequent == item].max(axis=1)
            scores[:, item] = np.where(np.isfinite(best), best, np.nan)
        return scores

    def _with_popularity(self, scores: np.ndarray) -> np.ndarray:
        """Fill unreached items with popularity, scaled into (-1, 0) so every rule outranks them."""
        filler = self._popularity / (self._popularity.max() + 1.0) - 1.0
        return np.where(np.isnan(scores), filler[None, :], scores)

    def _session_pool(self, raw_user_ids: np.ndarray, session: SessionLike, history=None):
        """Antecedent pool per user: their session items when given, else ``history`` rows (or nothing)."""
        from scipy import sparse

        n = len(raw_user_ids)
        if isinstance(session, Mapping):
            lists = [list(session.get(u, [])) for u in raw_user_ids]
        elif isinstance(session, (list, tuple, np.ndarray)) and len(session):
            lists = [list(session)] * n
        else:
            lists = [[] for _ in range(n)]
        owners = np.repeat(np.arange(n), [len(x) for x in lists])
        pool = self._pool_matrix(owners, np.asarray([i for x in lists for i in x], dtype=object), n, None)
        if history is None:
            return pool
        has_session = np.asarray([len(x) > 0 for x in lists])
        keep = sparse.diags((~has_session).astype(float))
        return (pool + keep @ history).tocsr()  # session replaces history where present

    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        pool = self._session_pool(self.user_vocab.ids[users], session, history=self._pool[users])
        return self._with_popularity(self._rule_scores(pool))

    def _fallback_scores(self, raw_user_ids: np.ndarray, session: SessionLike) -> np.ndarray:
        pool = self._session_pool(raw_user_ids, session)
        if pool.nnz == 0:
            return super()._fallback_scores(raw_user_ids, session)
        return self._with_popularity(self._rule_scores(pool))

    def _similar(self, items: np.ndarray) -> np.ndarray:
        """'Frequently bought together' for an item: rules whose antecedent is exactly that item."""
        pool = self._pool_matrix(np.arange(len(items)), self.item_vocab.ids[items], len(items), None)
        return self._rule_scores(pool, usable=self._antecedent_size == 1)

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        i = self.item_vocab.to_inner([item_id])[0]
        if i < 0 or len(self._rule_value) == 0:
            return f"No rule leads to {item_id}; it is one of the popular items."
        pool = set(self.item_vocab.ids[self._pool[u].indices])
        best: Any = None
        for rule in self._single_rules.itertuples(index=False):
            if next(iter(rule.consequents)) == item_id and set(rule.antecedents) <= pool:
                if best is None or getattr(rule, self.config.rank_by) > getattr(best, self.config.rank_by):
                    best = rule
        if best is None:
            return f"No rule from your baskets leads to {item_id}; it fills the list as a popular item."
        together = "bought" if self.config.baskets == "orders" else "viewed"
        return (f"Customers who {together} {', '.join(sorted(best.antecedents))} also {together} it "
                f"(confidence {best.confidence:.2f}, lift {best.lift:.2f}, support {best.support:.3f}).")


# ------------------------------------------------------ complements/substitutes
def _pair_stats(baskets: pd.DataFrame, item_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Co-occurrence counts and item counts over the given item order."""
    matrix, _, ids = basket_matrix(baskets)
    order = pd.Index(ids).get_indexer(item_ids)
    n = len(item_ids)
    co = np.zeros((n, n))
    counts = np.zeros(n)
    known = order >= 0
    if known.any():
        sub = matrix[:, order[known]]
        co_known = (sub.T @ sub).toarray()
        co[np.ix_(known, known)] = co_known
        counts[known] = np.diag(co_known)
    return co, counts, matrix.shape[0]


def pair_relationships(
    interactions: pd.DataFrame,
    items: pd.DataFrame | None = None,
    category_field: str = "CATEGORY_L1",
    min_count: int = 2,
) -> pd.DataFrame:
    """Label item pairs as complements or substitutes from viewed- and bought-together baskets.

    For every pair seen together in at least ``min_count`` visit baskets or order
    baskets, with lift computed separately over each kind of basket:

    * **complement**: bought together (``bought_count >= min_count``) with
      ``bought_lift > 1`` and in *different* categories -- e.g. shoes and socks;
    * **substitute**: viewed together with ``viewed_lift > 1`` but not a complement,
      and either in the *same* category or rarely bought together (``bought_lift <= 1``
      or fewer than ``min_count`` joint orders) -- alternatives the shopper compared;
    * **unrelated** otherwise (no lift above 1 in either kind of basket).

    Without an items frame (or the category column) categories are unknown and
    only the basket evidence decides. Lift is NaN-free: a pair never seen
    together has lift 0.

    Returns:
        ``ITEM_A, ITEM_B, viewed_count, viewed_lift, bought_count, bought_lift,
        same_category, relation, reason`` sorted by relation then lift.
    """
    views = make_baskets(interactions, "sessions")
    orders = make_baskets(interactions, "orders") if EVENT_TYPE in interactions.columns else views.iloc[:0]
    item_ids = np.asarray(pd.unique(views[ITEM_ID]), dtype=object)
    v_co, v_counts, v_n = _pair_stats(views, item_ids)
    b_co, b_counts, b_n = _pair_stats(orders, item_ids) if len(orders) else (
        np.zeros_like(v_co), np.zeros(len(item_ids)), 0)
    a, b = np.triu_indices(len(item_ids), k=1)
    keep = (v_co[a, b] >= min_count) | (b_co[a, b] >= min_count)
    a, b = a[keep], b[keep]

    def lift(co, counts, n):
        with np.errstate(divide="ignore", invalid="ignore"):
            value = co[a, b] * n / (counts[a] * counts[b])
        return np.nan_to_num(value, nan=0.0, posinf=0.0)

    v_lift, b_lift = lift(v_co, v_counts, v_n), lift(b_co, b_counts, b_n)
    same = np.full(len(a), np.nan)
    if items is not None and category_field in items.columns:
        table = items.assign(_id=items[ITEM_ID].astype(str)).drop_duplicates("_id", keep="last").set_index("_id")
        cats = table[category_field].reindex(item_ids).to_numpy(dtype=object)
        known = pd.notna(cats[a]) & pd.notna(cats[b])
        same = np.where(known, (cats[a] == cats[b]).astype(float), np.nan)
    bought = (b_co[a, b] >= min_count) & (b_lift > 1)
    different = same == 0
    complement = bought & ~(same == 1)
    complement_reason = np.where(different, "bought together across categories (lift > 1)",
                                 "bought together (lift > 1); categories unknown")
    substitute = ~complement & (v_lift > 1) & ((same == 1) | ~bought)
    relation = np.where(complement, "complement", np.where(substitute, "substitute", "unrelated"))
    reason = np.where(complement, complement_reason, np.where(
        substitute, np.where(same == 1, "viewed together, same category", "viewed together, rarely bought together"),
        "no lift above 1"))
    frame = pd.DataFrame({
        "ITEM_A": item_ids[a], "ITEM_B": item_ids[b],
        "viewed_count": v_co[a, b].astype(int), "viewed_lift": v_lift,
        "bought_count": b_co[a, b].astype(int), "bought_lift": b_lift,
        "same_category": pd.array(np.where(np.isnan(same), None, same == 1), dtype="boolean"),
        "relation": relation, "reason": reason,
    })
    rank = frame["relation"].map({"complement": 0, "substitute": 1, "unrelated": 2})
    return (frame.assign(_rank=rank).sort_values(["_rank", "bought_lift", "viewed_lift"], ascending=[True, False, False])
            .drop(columns="_rank").reset_index(drop=True))


def next_in_basket(models: Mapping[str, Recommender], events: pd.DataFrame, kind: str = "sessions",
                   k: int = 6) -> pd.DataFrame:
    """A held-out check of "what goes with the cart?", the same baskets for every model.

    Every basket of ``events`` (typically a later test period than the models were trained on) with at
    least two distinct items becomes one question: its first item in time is the cart, passed to each
    model as ``session=[item]`` for an unknown shopper (the cart item itself is excluded), and the model
    *hits* when its top ``k`` holds any other item of the basket.

    Returns one row per basket (index ``BASKET_ID``) and one 0/1 column per model, so two models can be
    compared pair by pair on the same baskets (e.g. with :func:`workbench.metrics.paired_difference`).
    An empty frame (with the model columns) when no basket has two items.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    ordered = events.sort_values(TIMESTAMP, kind="stable") if TIMESTAMP in events.columns else events
    baskets = make_baskets(ordered, kind)
    items = baskets.groupby(BASKET_ID, sort=False)[ITEM_ID].agg(list)  # first appearance = first in time
    items = items[items.map(len) >= 2]
    if items.empty:
        return pd.DataFrame(columns=list(models), index=pd.Index([], name=BASKET_ID), dtype=float)
    shoppers = np.asarray([f"basket {b}" for b in items.index], dtype=object)
    carts = {shopper: [str(basket[0])] for shopper, basket in zip(shoppers, items)}
    rest = {shopper: {str(i) for i in basket[1:]} for shopper, basket in zip(shoppers, items)}
    out = {}
    for name, model in models.items():
        recs = model.recommend(shoppers, n=k, session=carts)
        listed = recs.groupby(USER_ID)[ITEM_ID].agg(lambda s: set(s.astype(str)))
        out[name] = [float(bool(listed.get(shopper, set()) & rest[shopper])) for shopper in shoppers]
    return pd.DataFrame(out, index=pd.Index(items.index, name=BASKET_ID))
