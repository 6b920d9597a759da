"""Recommenders behind one interface (see :mod:`workbench.recommenders.base`)."""

from .base import Recommender, RecommenderConfig
from .popularity import Popularity, PopularityConfig

__all__ = ["Recommender", "RecommenderConfig", "Popularity", "PopularityConfig"]
