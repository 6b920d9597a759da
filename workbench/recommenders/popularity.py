"""Popularity-Count: the same most-popular items for everyone.

This mirrors Amazon Personalize's Popularity-Count recipe (most interactions from
unique users), the baseline the fact sheet recommends for offline metrics.
It does not react to tracked events: new events count only after ``fit``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .base import Recommender, RecommenderConfig


@dataclasses.dataclass
class PopularityConfig(RecommenderConfig):
    """Settings of :class:`Popularity`."""

    count: str = "users"
    """``"users"``: number of distinct users per item (Personalize's definition);
    ``"events"``: number of events; ``"weighted"``: sum of EVENT_TYPE weights."""


class Popularity(Recommender):
    """Most popular items, identical for every user (minus what they have seen)."""

    Config = PopularityConfig
    config: PopularityConfig
    realtime = False

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        if self.config.count == "users":
            self.item_scores_ = self._popularity.copy()
        elif self.config.count == "events":
            self.item_scores_ = np.bincount(self.item_vocab.to_inner(interactions["ITEM_ID"]), minlength=len(self.item_vocab)).astype(float)
        elif self.config.count == "weighted":
            self.item_scores_ = np.asarray(self.weighted_matrix(interactions).sum(axis=0)).ravel()
        else:
            raise ValueError(f"PopularityConfig.count must be 'users', 'events' or 'weighted', not {self.config.count!r}")

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        return np.tile(self.item_scores_, (len(users), 1))

    def _fallback_scores(self, raw_user_ids, session) -> np.ndarray:
        return np.tile(self.item_scores_, (len(raw_user_ids), 1))

    def _explain(self, user_id: str, item_id: str) -> str:
        idx = self.item_vocab.to_inner([item_id])[0]
        count = int(self.item_scores_[idx]) if idx >= 0 else 0
        return f"Popular with everyone: {count} customers interacted with it."
