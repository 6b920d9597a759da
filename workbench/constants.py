"""Column names and vocabulary shared by every part of the workbench.

Amazon Personalize fixes the names of the reserved columns of its datasets
(USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, ...). The workbench uses exactly those
names for its DataFrames so that what a learner sees in a notebook is what they
would upload to S3. Columns that only exist inside the workbench (SCORE, RANK,
FALLBACK, BASKET_ID, SESSION_ID) are named here too, once.
"""

from __future__ import annotations

# --- Personalize reserved columns (Item interactions / Items / Users datasets) ---
USER_ID = "USER_ID"
ITEM_ID = "ITEM_ID"
TIMESTAMP = "TIMESTAMP"
"""Unix epoch time in *seconds* (Personalize rejects nothing, but milliseconds break recency)."""
EVENT_TYPE = "EVENT_TYPE"
EVENT_VALUE = "EVENT_VALUE"
IMPRESSION = "IMPRESSION"
RECOMMENDATION_ID = "RECOMMENDATION_ID"
EVENT_ATTRIBUTION_SOURCE = "EVENT_ATTRIBUTION_SOURCE"
CREATION_TIMESTAMP = "CREATION_TIMESTAMP"

# --- workbench columns ---
SESSION_ID = "SESSION_ID"
"""Visit identifier; the event tracker's ``sessionId``."""
BASKET_ID = "BASKET_ID"
"""One order (bought together) or one session (viewed together) for association rules."""
SCORE = "SCORE"
RANK = "RANK"
"""1-based position in a recommendation list (1 = top)."""
FALLBACK = "FALLBACK"
"""True when the row comes from a model's documented fallback (e.g. unknown user -> popular items)."""
RATING = EVENT_VALUE
"""Explicit ratings are carried in EVENT_VALUE with EVENT_TYPE ``"rating"``."""
PREDICTION = "PREDICTION"

RECOMMENDATION_COLUMNS = (USER_ID, ITEM_ID, SCORE, RANK)

# --- event types used by the simulated shop (lower case, as in the fact sheet's examples) ---
EVENT_VIEW = "view"
EVENT_CLICK = "click"
EVENT_ADD_TO_CART = "add_to_cart"
EVENT_PURCHASE = "purchase"
EVENT_RATING = "rating"
EVENT_TYPES = (EVENT_VIEW, EVENT_CLICK, EVENT_ADD_TO_CART, EVENT_PURCHASE)

DEFAULT_EVENT_WEIGHTS: dict[str, float] = {
    EVENT_VIEW: 1.0,
    EVENT_CLICK: 2.0,
    EVENT_ADD_TO_CART: 4.0,
    EVENT_PURCHASE: 8.0,
    EVENT_RATING: 1.0,
}
"""Confidence given to each event type when implicit events are turned into scores."""

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
MAX_ID_LENGTH = 256
"""Personalize limit for USER_ID / ITEM_ID values."""
QUERY_ITEM_ID = "QUERY_ITEM_ID"
"""The item a ``similar_items`` row was asked about."""
QUERY = "QUERY"
"""The item id or item-attribute query a user-segment row answers."""
EXPLANATION = "EXPLANATION"
