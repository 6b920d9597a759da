"""Recommenders behind one interface (see :mod:`workbench.recommenders.base`).

Every model is a :class:`Recommender` built from its config dataclass (``Model()`` works),
trained with ``fit(interactions, items=None, users=None)`` and queried with
``recommend(user_ids, n=10, exclude_seen=True, session=None, filter=None)``.
``Model.realtime`` says whether ``update(events)`` changes the next recommendations.

Families, one module each:

* popularity and statistical lists: ``popularity``, ``statistical``, ``demographic``; random lists
  (the baseline): ``random_items``
* collaborative filtering and matrix factorization (scikit-surprise): ``knn``, ``matrix_factorization``
* top-N neighbourhoods on implicit feedback (item-item, user-user, SAR): ``neighborhood``
* implicit top-N: ``ease``, ``als``; item-to-item co-occurrence: ``sims``
* association rules (mlxtend): ``association``
* content-based (TF-IDF, visual features, search fallback): ``content``
* session / recency: ``session``; real-time hybrid with exploration: ``user_personalization``
* two-stage candidate generation + ranker: ``two_stage``; bandits: ``bandits``
* user segments (the users most likely to interact with an item or attribute): ``user_segmentation``
* training logs as integer codes (a simulation's, without id strings): ``coded``
* Personalize-style filters: ``filters``; diversity / novelty re-ranking: ``reranking``
"""

from . import filters, reranking
from .als import ImplicitALS, ImplicitALSConfig
from .association import AssociationRules, AssociationRulesConfig
from .bandits import (
    UCB,
    Bandit,
    EpsilonGreedy,
    EpsilonGreedyConfig,
    ModelBandit,
    ThompsonSampling,
    ThompsonSamplingConfig,
    UCBConfig,
    run_bandit,
)
from .base import Recommender, RecommenderConfig
from .coded import CodedInteractions
from .content import ContentBased, ContentBasedConfig
from .demographic import (
    DemographicPopularity,
    DemographicPopularityConfig,
    SegmentPopularity,
    SegmentPopularityConfig,
    cluster_customers,
)
from .ease import EASE, EASEConfig
from .filters import Filter, as_filter, exclude_purchased, include_category, parse_filter
from .knn import ItemKNN, KNNConfig, UserKNN
from .matrix_factorization import NMF, SVD, NMFConfig, SVDConfig, SVDpp, SVDppConfig
from .neighborhood import (
    SAR,
    ItemNeighborhood,
    ItemNeighborhoodConfig,
    SARConfig,
    UserNeighborhood,
    UserNeighborhoodConfig,
)
from .popularity import Popularity, PopularityConfig
from .random_items import RandomItems, RandomItemsConfig
from .reranking import category_cap_rerank, mmr_rerank, novelty_rerank
from .session import SessionRecency, SessionRecencyConfig
from .sims import SIMS, SIMSConfig
from .statistical import (
    BestConversion,
    BestConversionConfig,
    BestRecommendationCTR,
    BestRecommendationCTRConfig,
    BestRecommendationInflow,
    BestRecommendationInflowConfig,
    BestSellers,
    BestSellersConfig,
    MostViewed,
    MostViewedConfig,
    TrendingNow,
    TrendingNowConfig,
)
from .two_stage import TwoStage, TwoStageConfig
from .user_personalization import UserPersonalization, UserPersonalizationConfig
from .user_segmentation import ItemAffinity, ItemAffinityConfig, ItemAttributeAffinity, SegmentQueryError

__all__ = [
    # interface
    "Recommender", "RecommenderConfig", "CodedInteractions",
    # popularity and statistical lists
    "Popularity", "PopularityConfig", "TrendingNow", "TrendingNowConfig", "MostViewed", "MostViewedConfig",
    "BestSellers", "BestSellersConfig", "BestConversion", "BestConversionConfig",
    "BestRecommendationCTR", "BestRecommendationCTRConfig",
    "BestRecommendationInflow", "BestRecommendationInflowConfig",
    "DemographicPopularity", "DemographicPopularityConfig", "SegmentPopularity", "SegmentPopularityConfig",
    "cluster_customers", "RandomItems", "RandomItemsConfig",
    # collaborative filtering, matrix factorization, implicit top-N, co-occurrence
    "ItemKNN", "UserKNN", "KNNConfig", "SVD", "SVDConfig", "SVDpp", "SVDppConfig", "NMF", "NMFConfig",
    "ItemNeighborhood", "ItemNeighborhoodConfig", "UserNeighborhood", "UserNeighborhoodConfig", "SAR", "SARConfig",
    "EASE", "EASEConfig", "ImplicitALS", "ImplicitALSConfig", "SIMS", "SIMSConfig",
    # association rules, content, session, real-time hybrid, two-stage
    "AssociationRules", "AssociationRulesConfig", "ContentBased", "ContentBasedConfig",
    "SessionRecency", "SessionRecencyConfig", "UserPersonalization", "UserPersonalizationConfig",
    "TwoStage", "TwoStageConfig",
    # user segments (USER_SEGMENTATION: users for an item, batch only)
    "ItemAffinity", "ItemAffinityConfig", "ItemAttributeAffinity", "SegmentQueryError",
    # bandits
    "EpsilonGreedy", "EpsilonGreedyConfig", "UCB", "UCBConfig", "ThompsonSampling", "ThompsonSamplingConfig",
    "Bandit", "ModelBandit", "run_bandit",
    # filters and re-ranking
    "filters", "Filter", "parse_filter", "as_filter", "exclude_purchased", "include_category",
    "reranking", "mmr_rerank", "novelty_rerank", "category_cap_rerank",
]
