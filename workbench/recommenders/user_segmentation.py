"""User segments: the customers most likely to interact with an item or a kind of item.

Amazon Personalize's USER_SEGMENTATION recipes answer the reverse of a recommendation
question. Instead of "which items for this user?", they ask "which users for this item?"
(fact sheet §2.1):

* **Item-Affinity** (``aws-item-affinity``): one segment per item id. The item must
  have been in the training data.
* **Item-Attribute-Affinity** (``aws-item-attribute-affinity``): one segment per
  item-attribute query such as ``ITEMS.CATEGORY_L1 = "hiking"`` (conditions joined by
  ``AND``). It needs an Items dataset with at least one non-textual, non-reserved
  metadata column.

Both are batch only: a batch segment job reads item ids or queries and writes, for each,
the users sorted by how likely they are to interact
(:meth:`~workbench.personalize.PersonalizeRuntime.create_batch_segment_job`). There is no
campaign and no GetRecommendations.

The service does not publish its model. The workbench scores users with implicit-feedback
ALS (:class:`~workbench.recommenders.als.ImplicitALS`, the same factors as the ALS
recommender): a user's affinity for item *i* is :math:`x_u^T y_i`, and for a query it is
the sum over the matching items, :math:`x_u^T \\sum_{i \\in Q} y_i` (the expected
interactions with the set, up to scale). These scores order users; they are not
calibrated probabilities. Users are raw ids outside and ALS's inner indices inside.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..constants import CREATION_TIMESTAMP, ITEM_ID, QUERY, RANK, SCORE, USER_ID
from ..data.schemas import TEXTUAL_HINTS
from ..errors import WorkbenchError
from .als import ImplicitALS, ImplicitALSConfig

__all__ = [
    "ItemAffinity",
    "ItemAffinityConfig",
    "ItemAttributeAffinity",
    "SegmentQueryError",
    "attribute_columns",
    "parse_attribute_query",
]

_CONDITION = re.compile(r'^\s*ITEMS\.([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*$')


class SegmentQueryError(WorkbenchError, ValueError):
    """An item-attribute query the segment models cannot read or match."""


@dataclasses.dataclass
class ItemAffinityConfig:
    """Settings of :class:`ItemAffinity` and :class:`ItemAttributeAffinity`."""

    factors: int = 64
    """Length of the ALS user and item vectors."""

    epochs: int = 15
    """ALS rounds (users, then items)."""

    alpha: float = 5.0
    """ALS confidence slope: ``c = 1 + alpha * summed event weight``."""

    reg: float | None = None
    """ALS penalty; ``None`` scales it with the data (see :func:`~workbench.recommenders.als.data_scaled_reg`)."""

    solver: str = "auto"
    """ALS solver: ``"implicit"``, ``"cholesky"`` or ``"auto"``."""


class ItemAffinity:
    """Item-Affinity: for each item id, the users most likely to interact with it."""

    Config = ItemAffinityConfig
    recipe = "aws-item-affinity"

    def __init__(self, config: ItemAffinityConfig | None = None, **overrides) -> None:
        config = config or ItemAffinityConfig()
        self.config = dataclasses.replace(config, **overrides) if overrides else config
        self.is_fitted = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config})"

    @property
    def name(self) -> str:
        """Short display name (the recipe's)."""
        return "Item-Affinity"

    def fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None = None,
            users: pd.DataFrame | None = None) -> ItemAffinity:
        """Learn user and item vectors from a Personalize-format interactions frame; returns ``self``."""
        c = self.config
        self.model_ = ImplicitALS(ImplicitALSConfig(factors=c.factors, epochs=c.epochs, alpha=c.alpha, reg=c.reg,
                                                     solver=c.solver)).fit(interactions, items, users)
        self.items_ = items
        self.user_vocab = self.model_.user_vocab
        self.item_vocab = self.model_.item_vocab
        # an item that is in the Items frame but never in an interaction has no learnt vector
        trained = np.zeros(len(self.item_vocab), dtype=bool)
        trained[self.model_.item_vocab.to_inner(self.model_.interactions_[ITEM_ID].unique())] = True
        self._trained_items = trained
        self.is_fitted = True
        return self

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise RuntimeError(f"{self.name} is not fitted: call fit(interactions) first.")

    def _ranked(self, item_inner: np.ndarray, n: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Inner user indices and scores, best first, for the summed vectors of ``item_inner``."""
        direction = self.model_.item_factors_[item_inner].sum(axis=0)
        scores = self.model_.user_factors_ @ direction
        order = np.argsort(-scores, kind="stable")
        if n is not None:
            order = order[:n]
        return order, scores[order]

    def _frame(self, query: str, users: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({QUERY: query, USER_ID: self.user_vocab.ids[users], SCORE: scores,
                             RANK: np.arange(1, len(users) + 1)})

    def segment(self, item_ids: Iterable[object] | object, n: int | None = None) -> pd.DataFrame:
        """Users most likely to interact with each item, best first.

        Returns a long frame ``QUERY, USER_ID, SCORE, RANK`` (at most ``n`` users per item;
        ``None`` = every trained user). An item the model never saw in an interaction gets
        no rows: Item-Affinity can only rank users for items in its training data, so
        retrain after new items have interactions. :meth:`unknown_items` lists them.
        """
        self._check_fitted()
        ids = [str(item_ids)] if isinstance(item_ids, (str, int)) else [str(i) for i in item_ids]
        frames = []
        for item in ids:
            inner = self.item_vocab.to_inner([item])[0]
            if inner < 0 or not self._trained_items[inner]:
                continue
            frames.append(self._frame(item, *self._ranked(np.asarray([inner]), n)))
        return pd.concat(frames, ignore_index=True) if frames else self._frame("", np.zeros(0, int), np.zeros(0))

    def unknown_items(self, item_ids: Iterable[object]) -> list[str]:
        """Which of ``item_ids`` have no interaction in the training data (no segment possible)."""
        self._check_fitted()
        out = []
        for item in (str(i) for i in item_ids):
            inner = self.item_vocab.to_inner([item])[0]
            if inner < 0 or not self._trained_items[inner]:
                out.append(item)
        return out


class ItemAttributeAffinity(ItemAffinity):
    """Item-Attribute-Affinity: for each item-attribute query, the users most likely to interact with such items."""

    recipe = "aws-item-attribute-affinity"

    @property
    def name(self) -> str:
        return "Item-Attribute-Affinity"

    def fit(self, interactions: pd.DataFrame, items: pd.DataFrame | None = None,
            users: pd.DataFrame | None = None) -> ItemAttributeAffinity:
        """As :meth:`ItemAffinity.fit`, but an Items frame with a usable metadata column is required."""
        if items is None or ITEM_ID not in items.columns:
            raise SegmentQueryError("Item-Attribute-Affinity needs an Items dataset (with ITEM_ID) as well as "
                                    "interactions: pass items=... to fit.")
        usable = attribute_columns(items)
        if not usable:
            raise SegmentQueryError(
                f"Item-Attribute-Affinity needs at least one non-textual metadata column in Items besides "
                f"{ITEM_ID} and {CREATION_TIMESTAMP}; the Items frame has {list(items.columns)}. Add a "
                "categorical column such as CATEGORY_L1 or BRAND.")
        super().fit(interactions, items, users)
        self.attribute_columns_ = usable
        return self

    def matching_items(self, query: str) -> np.ndarray:
        """Raw ids of the Items rows that satisfy ``query`` (every ``AND`` condition)."""
        self._check_fitted()
        conditions = parse_attribute_query(query)
        keep = np.ones(len(self.items_), dtype=bool)
        for column, value in conditions:
            if column not in self.attribute_columns_:
                raise SegmentQueryError(
                    f"query {query!r}: ITEMS.{column} is not a usable attribute of the Items dataset; "
                    f"use one of {', '.join(self.attribute_columns_)}.")
            cells = self.items_[column].astype(str)
            # multi-value categorical fields are pipe-separated, as in Personalize ("Action|Comedy")
            keep &= cells.str.split("|").map(lambda parts, v=value: v in parts).to_numpy()
        return self.items_.loc[keep, ITEM_ID].astype(str).to_numpy()

    def segment_attributes(self, queries: Iterable[str] | str, n: int | None = None) -> pd.DataFrame:
        """Users most likely to interact with items matching each query, best first.

        A query is one or more ``ITEMS.<COLUMN> = "<value>"`` conditions joined by ``AND``.
        The score of a user is the sum of their affinities for the matching trained items.
        A query that matches no trained item gets no rows (see :meth:`matching_items`).
        """
        self._check_fitted()
        queries = [queries] if isinstance(queries, str) else list(queries)
        frames = []
        for query in queries:
            inner = self.item_vocab.to_inner(list(self.matching_items(query)))
            inner = inner[inner >= 0]
            inner = inner[self._trained_items[inner]]
            if len(inner):
                frames.append(self._frame(query, *self._ranked(inner, n)))
        return pd.concat(frames, ignore_index=True) if frames else self._frame("", np.zeros(0, int), np.zeros(0))


def attribute_columns(items: pd.DataFrame) -> list[str]:
    """Items columns an attribute query may name: not reserved (ITEM_ID, CREATION_TIMESTAMP), not textual."""
    reserved = {ITEM_ID, CREATION_TIMESTAMP}
    return [c for c in items.columns
            if c not in reserved and not any(hint in c.upper() for hint in TEXTUAL_HINTS)]


def parse_attribute_query(query: str) -> list[tuple[str, str]]:
    """``'ITEMS.BRAND = "Kestrel" AND ITEMS.CATEGORY_L1 = "hiking"'`` -> ``[("BRAND", "Kestrel"), ...]``.

    Raises :class:`SegmentQueryError` naming the condition that does not read as
    ``ITEMS.<COLUMN> = "<value>"``.
    """
    if not isinstance(query, str) or not query.strip():
        raise SegmentQueryError(f"an item-attribute query must be a non-empty string, got {query!r}.")
    conditions = []
    for part in re.split(r"\s+AND\s+", query.strip()):
        match = _CONDITION.match(part)
        if match is None:
            raise SegmentQueryError(
                f"query {query!r}: condition {part.strip()!r} is not of the form ITEMS.<COLUMN> = \"<value>\" "
                "(join several with AND).")
        conditions.append((match.group(1), match.group(2)))
    return conditions
