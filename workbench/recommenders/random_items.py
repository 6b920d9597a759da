"""Random lists: the floor any recommender has to clear.

A metric means little until it is set beside what lists drawn at random score on
the same data: a "recall of launched products" of 0.28 is a lot or nothing
depending on whether random launched products would catch 0.05 or 0.50. This
model draws every user's list uniformly from the catalogue it knows (or from a
given candidate set, e.g. today's launches), seeded per user, so the same user
gets the same list from the same seed, however the users are batched.
"""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pandas as pd

from .base import Recommender, RecommenderConfig


@dataclasses.dataclass
class RandomItemsConfig(RecommenderConfig):
    """Settings of :class:`RandomItems`."""

    candidates: tuple[str, ...] | None = None
    """Draw only from these item ids (e.g. the products launched today); ``None`` = every item
    the model knows (the training interactions plus the Items frame)."""


class RandomItems(Recommender):
    """Uniformly random items for every user (minus what they have seen): a baseline, not a model."""

    Config = RandomItemsConfig
    config: RandomItemsConfig
    realtime = False
    fallback_description = "random items, drawn as for a known user"

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        ids = self.item_vocab.ids.astype(str)
        if self.config.candidates is None:
            self.candidate_mask_ = np.ones(len(ids), dtype=bool)
            return
        wanted = {str(i) for i in self.config.candidates}
        self.candidate_mask_ = np.isin(ids, list(wanted))
        if not self.candidate_mask_.any():
            raise ValueError("RandomItemsConfig.candidates names no item the model knows; pass the Items frame to fit "
                             "(items=...) when the candidates have no training interactions")

    def _draw(self, raw_user_ids: np.ndarray) -> np.ndarray:
        """One uniform score per item for each user, keyed by (seed, user id), -inf outside the candidates."""
        scores = np.empty((len(raw_user_ids), len(self.item_vocab)))
        for row, user in enumerate(raw_user_ids):
            rng = np.random.default_rng([int(self.config.seed), zlib.crc32(str(user).encode())])
            scores[row] = rng.random(len(self.item_vocab))
        scores[:, ~self.candidate_mask_] = -np.inf
        return scores

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        return self._draw(self.user_vocab.ids[users])

    def _fallback_scores(self, raw_user_ids, session) -> np.ndarray:
        return self._draw(np.asarray(raw_user_ids, dtype=object))

    def _explain(self, user_id: str, item_id: str) -> str:
        return f"Drawn at random (seed {self.config.seed}): a baseline to compare models with, not a judgement."
