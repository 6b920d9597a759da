"""Recommenders behind one interface (see :mod:`workbench.recommenders.base`)."""

from .base import Recommender, RecommenderConfig
from .popularity import Popularity, PopularityConfig

__all__ = ["Recommender", "RecommenderConfig", "Popularity", "PopularityConfig"]

# --- collaborative filtering, matrix factorization (surprise-backed) and filters
from . import filters
from .als import ImplicitALS, ImplicitALSConfig
from .ease import EASE, EASEConfig
from .filters import Filter, as_filter, exclude_purchased, include_category, parse_filter
from .knn import ItemKNN, KNNConfig, UserKNN
from .matrix_factorization import NMF, SVD, NMFConfig, SVDConfig, SVDpp, SVDppConfig

__all__ = [
    *__all__,
    "filters", "Filter", "parse_filter", "as_filter", "exclude_purchased", "include_category",
    "ItemKNN", "UserKNN", "KNNConfig", "SVD", "SVDConfig", "SVDpp", "SVDppConfig", "NMF", "NMFConfig",
    "EASE", "EASEConfig", "ImplicitALS", "ImplicitALSConfig",
]

# --- item-to-item co-occurrence (Personalize aws-sims)
from .sims import SIMS, SIMSConfig

__all__ += ["SIMS", "SIMSConfig"]
