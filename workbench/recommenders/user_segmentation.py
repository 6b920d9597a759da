"""User segments: the customers most likely to interact with an item or a kind of item.

Amazon Personalize's USER_SEGMENTATION recipes answer the reverse of a recommendation
question. Instead of "which items for this user?", they ask "which users for this item?"
(fact sheet §2.1):

* **Item-Affinity** (``aws-item-affinity``): one segment per item id. The item must
  exist when the solution version is trained.
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

_CONDITION = re.compile(r'\s*ITEMS\.([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*')
_AND = re.compile(r"AND\b")


class SegmentQueryError(WorkbenchError, ValueError):
    """An item-attribute query the segment models cannot read or match."""


@dataclasses.dataclass
class ItemAffinityConfig(ImplicitALSConfig):
    """Settings of :class:`ItemAffinity` and :class:`ItemAttributeAffinity`: those of the ALS that
    learns the affinities (:class:`~workbench.recommenders.als.ImplicitALSConfig`: factors, epochs,
    alpha, reg, solver, event weights, seed ...)."""


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
        self.model_ = ImplicitALS(self.config).fit(interactions, items, users)
        self.items_ = items
        self.users_ = users
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

    def _stacked(self, frames: list[pd.DataFrame]) -> pd.DataFrame:
        """The per-query frames as one, or an empty frame with the same columns."""
        return pd.concat(frames, ignore_index=True) if frames else self._frame("", np.zeros(0, int), np.zeros(0))

    def segment(self, item_ids: Iterable[object] | object, n: int | None = None) -> pd.DataFrame:
        """Users most likely to interact with each item, best first.

        Returns a long frame ``QUERY, USER_ID, SCORE, RANK`` (at most ``n`` users per item;
        ``None`` = every trained user). An item without interactions in the training data gets
        no rows: the workbench's ALS learns no vector for it (the service needs the item to exist
        when the solution version is trained, fact sheet §2.1; whether it also ranks users for an
        item with metadata but no interactions is not in the fact sheet). Train a new version once
        the item has interactions. :meth:`unknown_items` lists such items. Only users in the
        training data are ranked (the guide: a new solution version is needed to consider new users).
        """
        self._check_fitted()
        frames = [self._frame(item, *self._ranked(np.asarray([inner]), n))
                  for item, inner in self._trained_inner(item_ids) if inner >= 0]
        return self._stacked(frames)

    def unknown_items(self, item_ids: Iterable[object]) -> list[str]:
        """Which of ``item_ids`` have no interaction in the training data (no segment possible)."""
        self._check_fitted()
        return [item for item, inner in self._trained_inner(item_ids) if inner < 0]

    def _trained_inner(self, item_ids: Iterable[object] | object) -> list[tuple[str, int]]:
        """``(raw id, inner index)`` per id, the index -1 for an id without interactions in the training data."""
        if isinstance(item_ids, (str, bytes)) or not isinstance(item_ids, Iterable):
            item_ids = [item_ids]
        ids = [str(i) for i in item_ids]
        inner = self.item_vocab.to_inner(ids) if ids else np.zeros(0, dtype=np.intp)
        known = inner >= 0
        known[known] = self._trained_items[inner[known]]
        return [(item, int(i) if ok else -1) for item, i, ok in zip(ids, inner, known)]


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
        """Raw ids of the Items rows that satisfy ``query`` (every ``AND`` condition).

        Matching is the filters' (:mod:`workbench.recommenders.filters`): multi-value fields are
        ``|``-separated, numbers compare as numbers (``"19"`` matches 19.0), a missing value never
        matches, and of a repeated ITEM_ID the last row counts.
        """
        from ..errors import FilterExpressionError
        from .filters import parse_filter

        self._check_fitted()
        conditions = parse_attribute_query(query)
        for column, _ in conditions:
            if column not in self.attribute_columns_:
                raise SegmentQueryError(
                    f"query {query!r}: ITEMS.{column} is not a usable attribute of the Items dataset; "
                    f"use one of {', '.join(self.attribute_columns_)}.")
        expression = "INCLUDE ItemID WHERE " + " AND ".join(
            f'Items.{column} IN ("{value}")' for column, value in conditions)
        ids = pd.unique(self.items_[ITEM_ID].astype(str))
        try:
            keep = parse_filter(expression).mask(["segment"], ids, items=self.items_)[0]
        except FilterExpressionError as exc:
            raise SegmentQueryError(f"query {query!r}: {exc}") from None
        return ids[keep]

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
            inner = np.asarray([i for _, i in self._trained_inner(self.matching_items(query)) if i >= 0],
                               dtype=np.intp)
            if len(inner):
                frames.append(self._frame(query, *self._ranked(inner, n)))
        return self._stacked(frames)


def attribute_columns(items: pd.DataFrame) -> list[str]:
    """Items columns an attribute query may name: metadata that is neither an id, reserved
    (CREATION_TIMESTAMP), textual (:data:`~workbench.recommenders.filters.TEXTUAL_FIELDS` and the
    frame's ``attrs["textual_fields"]``) nor boolean -- the fields a filter may test."""
    from ..data.schemas import RESERVED
    from .filters import TEXTUAL_FIELDS

    skip = {ITEM_ID, *RESERVED["items"], *TEXTUAL_FIELDS, *items.attrs.get("textual_fields", ())}
    return [c for c in items.columns if c not in skip and not pd.api.types.is_bool_dtype(items[c])]


def parse_attribute_query(query: str) -> list[tuple[str, str]]:
    """``'ITEMS.BRAND = "Kestrel" AND ITEMS.CATEGORY_L1 = "hiking"'`` -> ``[("BRAND", "Kestrel"), ...]``.

    The syntax follows the guide's batch-segment-job output examples (``ITEMS.genres = "Comedy"
    AND ITEMS.genres = "Action"``); the fact sheet says only that attribute queries may join
    conditions with AND. A quoted value may itself contain "AND". Raises
    :class:`SegmentQueryError` naming the part that does not read as ``ITEMS.<COLUMN> = "<value>"``.
    """
    if not isinstance(query, str) or not query.strip():
        raise SegmentQueryError(f"an item-attribute query must be a non-empty string, got {query!r}.")
    conditions, position, text = [], 0, query.strip()
    while True:
        match = _CONDITION.match(text, position)
        if match is None:
            rest = text[position:].strip()
            raise SegmentQueryError(
                f"query {query!r}: {rest!r} is not of the form ITEMS.<COLUMN> = \"<value>\" "
                "(join several with AND).")
        conditions.append((match.group(1), match.group(2)))
        position = match.end()
        if position == len(text):
            return conditions
        joiner = _AND.match(text, position)
        if joiner is None:
            raise SegmentQueryError(
                f"query {query!r}: only AND may join conditions; found {text[position:].strip()!r}.")
        position = joiner.end()
