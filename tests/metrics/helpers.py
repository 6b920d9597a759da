"""Tiny frame builders for metric tests."""

from __future__ import annotations

import pandas as pd


def lists(recs: dict[str, list[str]]) -> pd.DataFrame:
    """Recommendation frame from ``{user: [items, top first]}``."""
    rows = [(user, item, rank) for user, items in recs.items() for rank, item in enumerate(items, start=1)]
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "RANK"])


def truth_of(truth: dict[str, list[str]]) -> pd.DataFrame:
    """Truth frame from ``{user: [relevant items]}``."""
    rows = [(user, item) for user, items in truth.items() for item in items]
    return pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID"])
