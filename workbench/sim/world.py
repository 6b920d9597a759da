"""The simulated world: catalog + customers + the drift settings that act on them.

:func:`build_world` is deterministic in ``ShopConfig.seed``: the same config gives
the same items, customers, tastes and arrival days on any machine.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd

from ..constants import CREATION_TIMESTAMP, SECONDS_PER_DAY
from .catalog import BRANDS, Catalog, build_catalog
from .config import ShopConfig
from .customers import Customers, build_customers
from .drift import check_campaign, drift_markers

_NEVER = np.iinfo(np.int64).max // 2
"""Creation time of items that never arrive (their cause is switched off)."""
_NEVER_DAY = 1_000_000
"""Arrival day of customers who never arrive."""


@dataclasses.dataclass
class World:
    """Everything that exists in the shop during a run (present and future)."""

    shop: ShopConfig
    """The settings the world was built from."""
    catalog: Catalog
    """All items, including those created during the run."""
    customers: Customers
    """All customers, including those who arrive during the run."""
    trend_brand: int
    """Index (into :data:`workbench.sim.catalog.BRANDS`) of the brand that becomes fashionable."""

    @property
    def items(self) -> pd.DataFrame:
        """Items frame (Personalize names) of every item of the run."""
        return self.catalog.frame

    @property
    def users(self) -> pd.DataFrame:
        """Users frame (Personalize names) of every customer of the run."""
        return self.customers.frame

    @functools.cached_property
    def log_price(self) -> np.ndarray:
        """``log(price / 80)`` per item (the price term of the utility)."""
        return np.log(self.catalog.price / 80.0)

    @functools.cached_property
    def log_price32(self) -> np.ndarray:
        """:attr:`log_price` as float32 (the utility matrix's type)."""
        return self.log_price.astype(np.float32)

    @functools.cached_property
    def taste_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per item, the taste-vector column of its category, audience, brand and colour."""
        from .customers import TASTE_SLICES

        cat = self.catalog
        return tuple(np.ascontiguousarray(values + TASTE_SLICES[name].start, dtype=np.int64) for name, values in (
            ("category", cat.category), ("audience", cat.audience), ("brand", cat.brand), ("color", cat.color)))

    @property
    def day0(self) -> int:
        """Epoch seconds of run day 0 (the first day with recommendations)."""
        return self.shop.start + self.shop.warmup_days * SECONDS_PER_DAY

    def items_at(self, t: float) -> pd.DataFrame:
        """The catalog as it exists at epoch second ``t``."""
        return self.catalog.frame.iloc[: self.catalog.available(t)]

    def users_at(self, t: float) -> pd.DataFrame:
        """Customers who have arrived by epoch second ``t``."""
        day = (t - self.shop.start) / SECONDS_PER_DAY
        return self.customers.frame.loc[self.customers.arrival_day <= day]

    def markers(self) -> pd.DataFrame:
        """Drift events of the run (season starts, trend shift, campaign window).

        Only events that act: no season starts when the season is switched off or has no
        strength, no trend shift when the trend is off or has no strength.
        """
        shop = self.shop
        trend_day = shop.effective_trend_shift_day if shop.trend_strength > 0 else None
        return drift_markers(shop.start, shop.warmup_days, shop.days, trend_day, BRANDS[self.trend_brand],
                             shop.campaign, season=shop.effective_season_strength > 0)


def build_world(shop: ShopConfig) -> World:
    """Create the catalog and customers of a run from ``shop`` (seeded, deterministic)."""
    check_campaign(shop.campaign)
    rng = np.random.default_rng(shop.seed)
    total_days = shop.warmup_days + shop.days
    catalog = build_catalog(shop.n_items, shop.new_item_rate, shop.start, total_days, rng)
    customers = build_customers(shop.n_users, shop.new_user_rate, total_days, shop.visits_per_day,
                                shop.mean_lifetime_days, rng)
    # a cause switched off keeps every draw of the world; it only never happens
    if not shop.cause_on("new_items"):
        catalog.created[catalog.created > shop.start] = _NEVER
        catalog.frame[CREATION_TIMESTAMP] = catalog.created
    if not shop.cause_on("new_customers"):  # no turnover: nobody arrives, nobody lapses
        customers.arrival_day[customers.arrival_day >= 0] = _NEVER_DAY
        customers.departure_day[:] = np.inf
    if shop.trend_brand is None:
        trend_brand = int(rng.integers(0, len(BRANDS)))
    elif shop.trend_brand in BRANDS:
        trend_brand = BRANDS.index(shop.trend_brand)
    else:
        raise ValueError(f"ShopConfig.trend_brand {shop.trend_brand!r} is not one of {BRANDS}.")
    return World(shop, catalog, customers, trend_brand)
