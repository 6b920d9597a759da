"""Neighbourhood collaborative filtering through scikit-surprise: ItemKNN and UserKNN.

*Item-based* CF ("customers who liked this also liked ...", DH-11 / GN-04)
predicts how a user would rate item ``i`` from their ratings of the ``k`` items
most similar to ``i`` among those they rated:

.. math::
    \\hat r_{ui} = \\frac{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)\\, r_{uj}}{\\sum_{j \\in N^k_u(i)} \\text{sim}(i, j)}

*User-based* CF swaps the roles: the ``k`` users most similar to ``u`` among
those who rated ``i`` vote with their ratings. With ``centered=True`` (surprise's
``KNNWithMeans``) each neighbour votes with its deviation from its own mean
rating, added to the target's mean.

Only neighbours with a positive similarity vote; fewer than ``min_k`` voters
make a prediction impossible for the basic variant (NaN score, never
recommended), while the centered variant falls back to the mean -- exactly
surprise's ``KNNBasic`` / ``KNNWithMeans`` rules. Scores for whole batches are
computed from the learned similarity matrix ``algo.sim`` with numpy (one
vectorised step per user for ItemKNN, per item for UserKNN); the neighbour
choice uses a stable sort so ties resolve like surprise's ``heapq.nlargest``.

For top-n lists on implicit feedback the models rank by the *sum* of the
neighbours' weighted votes instead of their average (``aggregate``): the average
rewards an item with a single, lucky neighbour as much as one backed by many,
and ranks poorly (compare both in ``benchmarks/bench_models.py``).

Weaknesses worth showing learners: cold start (a new item has no similarities,
a new user no neighbours) and sparsity (few co-rated pairs -> noisy similarities).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .surprise_adapter import SurpriseConfig, SurpriseRecommender

__all__ = ["KNNConfig", "ItemKNN", "UserKNN", "SIMILARITIES"]

SIMILARITIES = ("cosine", "msd", "pearson", "pearson_baseline")
"""Similarity measures surprise offers."""


@dataclasses.dataclass
class KNNConfig(SurpriseConfig):
    """Settings of :class:`ItemKNN` and :class:`UserKNN`."""

    k: int = 40
    """Maximum number of neighbours that vote on one prediction (surprise's default)."""

    min_k: int = 1
    """Minimum number of positive-similarity neighbours; below it the basic
    variant cannot predict and the centered variant returns the mean."""

    similarity: str = "cosine"
    """``"cosine"``, ``"msd"`` (surprise's default, better for ratings), ``"pearson"``
    or ``"pearson_baseline"``. Cosine suits implicit pseudo-ratings, whose values are
    all positive."""

    min_support: int = 3
    """Pairs with fewer common users (for item similarities) or common items (for user
    similarities) get similarity 0. Surprise's default is 1, but then a single common
    user makes two items look identical (cosine 1.0) -- on sparse implicit data
    nearly every similarity becomes 1 and neighbours are arbitrary. 3 is the
    workbench default; set 1 to reproduce surprise exactly."""

    centered: bool = False
    """Vote with deviations from each neighbour's mean (surprise ``KNNWithMeans``)."""

    shrinkage: float = 100.0
    """Shrinkage of ``pearson_baseline`` similarities (ignored otherwise)."""

    aggregate: str = "auto"
    """How neighbour votes become a ranking score. ``"average"``: surprise's
    similarity-weighted mean rating (a rating prediction); ``"sum"``: the
    unnormalised sum of ``sim(i, j) * r_uj`` over the same ``k``
    neighbours, the classic top-n item-kNN score (many strong neighbours beat one
    lucky neighbour); ``"auto"``: ``"sum"`` for implicit feedback, ``"average"`` for
    explicit ratings and for ``centered`` models. ``predict`` always returns surprise's rating prediction."""


class _KNN(SurpriseRecommender):
    """Vectorised surprise KNN scoring; ``user_based`` picks the direction."""

    Config = KNNConfig
    config: KNNConfig
    user_based: bool = True

    def _make_algo(self):
        from surprise import KNNBasic, KNNWithMeans

        c = self.config
        if c.similarity not in SIMILARITIES:
            raise ValueError(f"similarity must be one of {SIMILARITIES}, not {c.similarity!r}")
        if c.k < 1 or c.min_k < 0:
            raise ValueError(f"k must be >= 1 and min_k >= 0, got k={c.k}, min_k={c.min_k}")
        options = {"name": c.similarity, "user_based": self.user_based, "min_support": c.min_support}
        if c.similarity == "pearson_baseline":
            options["shrinkage"] = c.shrinkage
        algo = KNNWithMeans if c.centered else KNNBasic
        return algo(k=c.k, min_k=c.min_k, sim_options=options, verbose=False)

    def _after_fit(self) -> None:
        aggregate = self.config.aggregate
        if aggregate not in ("auto", "average", "sum"):
            raise ValueError(f"aggregate must be 'auto', 'average' or 'sum', not {aggregate!r}")
        if aggregate == "auto":
            aggregate = "sum" if self.feedback_ == "implicit" and not self.config.centered else "average"
        if aggregate == "sum" and self.config.centered:
            raise ValueError("aggregate='sum' scores raw ratings; it does not combine with centered=True")
        self.aggregate_ = aggregate
        self.similarity_ = np.asarray(self.algo_.sim, dtype=float)
        self.means_ = np.asarray(self.algo_.means, dtype=float) if self.config.centered else None

    def _votes(self, sims: np.ndarray, ratings: np.ndarray, neighbour_means: np.ndarray | None,
               own_means: np.ndarray | None) -> np.ndarray:
        """Estimates for a block of targets from their candidate neighbours.

        Args:
            sims: (targets, candidates) similarities of each target to each candidate.
            ratings: (candidates,) the candidates' ratings of the common user/item.
            neighbour_means: (candidates,) the candidates' mean ratings (centered variant only).
            own_means: (targets,) the targets' mean ratings (centered variant only).
        """
        k, min_k = self.config.k, self.config.min_k
        ratings = np.broadcast_to(ratings, sims.shape)
        offsets = None if neighbour_means is None else np.broadcast_to(neighbour_means, sims.shape)
        if sims.shape[1] > k:  # keep the k most similar candidates
            order = _top_k_stable(sims, k)
            sims = np.take_along_axis(sims, order, axis=1)
            ratings = np.take_along_axis(ratings, order, axis=1)
            if offsets is not None:
                offsets = np.take_along_axis(offsets, order, axis=1)
        positive = sims > 0  # only positively similar neighbours vote
        weights = np.where(positive, sims, 0.0)
        total = weights.sum(axis=1)
        usable = (positive.sum(axis=1) >= min_k) & (total > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.aggregate_ == "sum":
                return np.where(usable, (weights * ratings).sum(axis=1), np.nan)
            if own_means is None:
                return np.where(usable, (weights * ratings).sum(axis=1) / total, np.nan)
            deviation = (weights * (ratings - offsets)).sum(axis=1) / total
        return own_means + np.where(usable, deviation, 0.0)


def _top_k_stable(sims: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest values per row, ties resolved like ``heapq.nlargest``.

    ``argpartition`` finds the top ``k`` in linear time; only rows where a positive
    similarity is tied across the k-th place (so the choice changes the vote) are
    redone with a stable sort, which keeps the earlier candidate as surprise does.
    """
    part = np.argpartition(-sims, k - 1, axis=1)
    top = part[:, :k]
    kth = np.take_along_axis(sims, top, axis=1).min(axis=1)
    tied = (kth > 0) & ((sims >= kth[:, None]).sum(axis=1) > k)  # a candidate outside ties the k-th
    if tied.any():
        top[tied] = np.argsort(-sims[tied], axis=1, kind="stable")[:, :k]
    return top


class ItemKNN(_KNN):
    """Item-based collaborative filtering: items similar to the ones you rated."""

    user_based = False

    def _estimate(self, ts_users: np.ndarray) -> np.ndarray:
        sim = self.similarity_
        n_items = sim.shape[0]
        out = np.full((len(ts_users), n_items), np.nan)
        for row, u in enumerate(ts_users):
            rated = self.trainset_.ur[int(u)]
            if not rated:
                continue
            js = np.fromiter((j for j, _ in rated), dtype=np.int64, count=len(rated))
            rs = np.fromiter((r for _, r in rated), dtype=float, count=len(rated))
            means = self.means_[js] if self.means_ is not None else None
            out[row] = self._votes(sim[:, js], rs, means, self.means_)
        return out

    def _similar(self, items: np.ndarray) -> np.ndarray:
        out = np.full((len(items), len(self.item_vocab)), np.nan)
        ts_items = self._item_ts[items]
        ok = ts_items >= 0
        if ok.any():
            block = np.full((int(ok.sum()), len(self.item_vocab)), np.nan)
            block[:, self._ts_item] = self.similarity_[ts_items[ok]]
            out[ok] = block
        return out

    def _explain(self, user_id: str, item_id: str) -> str:
        target = self._item_ts[self.item_vocab.to_inner([item_id])[0]] if item_id in self.item_vocab else -1
        rated = self._user_ratings(user_id)
        if target < 0 or not rated:
            return f"{self.name} knows no similar item you rated, so this comes from the popular items."
        best_j, best_sim = max(((j, self.similarity_[target, j]) for j, _ in rated), key=lambda t: t[1])
        if best_sim <= 0:
            return f"None of your items resembles it; {self.name} falls back on the popular items."
        return f"Because you liked {self.trainset_.to_raw_iid(best_j)} (similarity {best_sim:.2f})."


class UserKNN(_KNN):
    """User-based collaborative filtering: what customers with similar taste rated highly."""

    user_based = True

    def _estimate(self, ts_users: np.ndarray) -> np.ndarray:
        sim_rows = self.similarity_[ts_users]  # (requested users, all users)
        n_items = self.trainset_.n_items
        out = np.full((len(ts_users), n_items), np.nan)
        own = self.means_[ts_users] if self.means_ is not None else None
        for i in range(n_items):
            raters = self.trainset_.ir[i]
            if not raters:
                continue
            vs = np.fromiter((v for v, _ in raters), dtype=np.int64, count=len(raters))
            rs = np.fromiter((r for _, r in raters), dtype=float, count=len(raters))
            means = self.means_[vs] if self.means_ is not None else None
            out[:, i] = self._votes(sim_rows[:, vs], rs, means, own)
        return out

    def _explain(self, user_id: str, item_id: str) -> str:
        u = self.user_vocab.to_inner([user_id])[0]
        ts_u = self._user_ts[u] if u >= 0 else -1
        i = self._item_ts[self.item_vocab.to_inner([item_id])[0]] if item_id in self.item_vocab else -1
        if ts_u < 0 or i < 0:
            return f"{self.name} has no neighbours for you here, so this comes from the popular items."
        raters = [(v, r, self.similarity_[ts_u, v]) for v, r in self.trainset_.ir[i] if v != ts_u]
        voters = sorted((t for t in raters if t[2] > 0), key=lambda t: -t[2])[: self.config.k]
        if not voters:
            return f"No customer with similar taste rated it; {self.name} falls back on the popular items."
        mean_rating = float(np.mean([r for _, r, _ in voters]))
        who = "customer" if len(voters) == 1 else "customers"
        return (f"{len(voters)} {who} with taste like yours (similarity up to {voters[0][2]:.2f}) "
                f"rated it {mean_rating:.1f} on average.")
