"""Recommenders behind one interface (see :mod:`workbench.recommenders.base`)."""

from .base import Recommender, RecommenderConfig
from .popularity import Popularity, PopularityConfig

__all__ = ["Recommender", "RecommenderConfig", "Popularity", "PopularityConfig"]

# --- collaborative filtering, matrix factorization (surprise-backed) and filters
from . import filters
from .als import ImplicitALS, ImplicitALSConfig
from .association import AssociationRules, AssociationRulesConfig
from .ease import EASE, EASEConfig
from .filters import Filter, as_filter, exclude_purchased, include_category, parse_filter
from .knn import ItemKNN, KNNConfig, UserKNN
from .matrix_factorization import NMF, SVD, NMFConfig, SVDConfig, SVDpp, SVDppConfig

__all__ = [
    *__all__,
    "filters", "Filter", "parse_filter", "as_filter", "exclude_purchased", "include_category",
    "ItemKNN", "UserKNN", "KNNConfig", "SVD", "SVDConfig", "SVDpp", "SVDppConfig", "NMF", "NMFConfig",
    "EASE", "EASEConfig", "ImplicitALS", "ImplicitALSConfig", "AssociationRules", "AssociationRulesConfig",
]

# --- content, session/recency, statistical and group lists, two-stage, bandits, re-ranking
from . import reranking
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
from .content import ContentBased, ContentBasedConfig
from .demographic import (
    DemographicPopularity,
    DemographicPopularityConfig,
    SegmentPopularity,
    SegmentPopularityConfig,
    cluster_customers,
)
from .reranking import category_cap_rerank, mmr_rerank, novelty_rerank
from .session import SessionRecency, SessionRecencyConfig
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

__all__ = [
    *__all__,
    "ContentBased", "ContentBasedConfig", "SessionRecency", "SessionRecencyConfig",
    "TrendingNow", "TrendingNowConfig", "MostViewed", "MostViewedConfig", "BestSellers", "BestSellersConfig",
    "BestConversion", "BestConversionConfig", "BestRecommendationCTR", "BestRecommendationCTRConfig",
    "BestRecommendationInflow", "BestRecommendationInflowConfig",
    "DemographicPopularity", "DemographicPopularityConfig", "SegmentPopularity", "SegmentPopularityConfig",
    "cluster_customers", "TwoStage", "TwoStageConfig",
    "EpsilonGreedy", "EpsilonGreedyConfig", "UCB", "UCBConfig", "ThompsonSampling", "ThompsonSamplingConfig",
    "Bandit", "ModelBandit", "run_bandit",
    "reranking", "mmr_rerank", "novelty_rerank", "category_cap_rerank",
]

# --- item-to-item co-occurrence (Personalize aws-sims)
from .sims import SIMS, SIMSConfig

__all__ += ["SIMS", "SIMSConfig"]

# --- User-Personalization-style hybrid (real-time session re-ranking, exploration, automatic updates)
from .user_personalization import UserPersonalization, UserPersonalizationConfig

__all__ += ["UserPersonalization", "UserPersonalizationConfig"]
