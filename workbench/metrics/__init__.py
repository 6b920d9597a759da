"""Offline evaluation: ranking metrics@k, beyond-accuracy metrics, rating errors.

Start with :func:`evaluate` (all ranking metrics at once, vectorised over users)
and :func:`compare` (fit several models on a split, one table); tell two models apart
with :func:`compare_per_user` (paired bootstrap interval). Definitions follow
Amazon Personalize by default; ``convention="recommenders"`` or ``"lenskit"``
reproduces those libraries' choices (``docs/metric_crosswalk.md``).
"""

from .beyond import (
    average_popularity,
    catalog_coverage,
    catalog_items,
    exposure_counts,
    exposure_fairness,
    gini_coefficient,
    gini_exposure,
    intra_list_diversity,
    item_feature_matrix,
    item_popularity,
    novelty,
    serendipity,
)
from .conventions import CONVENTIONS, LENSKIT, PERSONALIZE, RECOMMENDERS, Convention, get_convention
from .evaluate import DEFAULT_METRICS, PERSONALIZE_METRIC_NAMES, Evaluation, evaluate, personalize_report
from .freshness import freshness, freshness_median, freshness_p90, freshness_summary
from .grid import RankingGrid, build_grid
from .harness import compare, repeat_share
from .paired import PairedDifference, compare_per_user, paired_difference
from .ranking import (
    RANKING_METRICS,
    discount_weights,
    f1_at_k,
    hit_rate_at_k,
    map_at_k,
    metric_label,
    mrr_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from .rating import mae, rmse
from .segments import segment_precision_at_k, segment_recall_at_k, segment_size

__all__ = [
    "CONVENTIONS",
    "DEFAULT_METRICS",
    "LENSKIT",
    "PERSONALIZE",
    "PERSONALIZE_METRIC_NAMES",
    "PairedDifference",
    "RANKING_METRICS",
    "RECOMMENDERS",
    "Convention",
    "Evaluation",
    "RankingGrid",
    "average_popularity",
    "build_grid",
    "catalog_coverage",
    "catalog_items",
    "compare",
    "compare_per_user",
    "discount_weights",
    "evaluate",
    "exposure_counts",
    "exposure_fairness",
    "f1_at_k",
    "freshness",
    "freshness_median",
    "freshness_p90",
    "freshness_summary",
    "get_convention",
    "gini_coefficient",
    "gini_exposure",
    "hit_rate_at_k",
    "intra_list_diversity",
    "item_feature_matrix",
    "item_popularity",
    "mae",
    "map_at_k",
    "metric_label",
    "mrr_at_k",
    "ndcg_at_k",
    "novelty",
    "personalize_report",
    "precision_at_k",
    "recall_at_k",
    "rmse",
    "segment_precision_at_k",
    "segment_recall_at_k",
    "segment_size",
    "serendipity",
    "paired_difference",
    "repeat_share",
]
