"""Customers: demographics, segments, latent tastes, arrival and lapse.

Each customer has a hidden taste over categories, audiences, brands and colours,
a price sensitivity, a SEGMENT that sets how often they visit and how long they
stay, and an arrival day. New customers keep arriving during the run and old ones
lapse, so a model trained once meets more and more people it has never seen.

Demographics shape the taste *prior* (e.g. younger customers lean to sneakers and
running shoes, customers over 50 to loafers, formal shoes and slippers), which is
what gives demographic recommenders something to learn.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..constants import USER_ID
from .catalog import AUDIENCES, BRANDS, CATEGORIES, COLORS

AGE_BANDS = ("18-24", "25-34", "35-49", "50+")
"""AGE_BAND values."""

GENDERS = ("F", "M")
"""GENDER values."""

SEGMENTS = ("heavy", "vip", "normal", "one-off")
"""SEGMENT values."""

SEGMENT_SHARE = (0.10, 0.05, 0.60, 0.25)
"""Share of each segment among customers."""

SEGMENT_VISIT_FACTOR = (3.0, 2.0, 1.0, 1.5)
"""Daily visit probability relative to ``ShopConfig.visits_per_day``."""

SEGMENT_LIFETIME_FACTOR = (2.0, 2.0, 1.0, None)
"""Expected active lifetime relative to ``ShopConfig.mean_lifetime_days`` (one-off: about a week)."""

SEGMENT_PRICE_SENSITIVITY = (0.9, 0.5, 1.0, 1.1)
"""Multiplier of the price sensitivity (vip customers care least about price)."""

ONE_OFF_LIFETIME_DAYS = 7.0
"""Expected lifetime of a one-off customer."""

_AGE_TASTE = {  # category utility offsets per age band (CATEGORIES order)
    "18-24": (0.6, 0.4, 0.0, 0.1, -0.5, -0.3, 0.0, -0.5),
    "25-34": (0.3, 0.4, 0.0, 0.1, 0.0, -0.2, 0.2, -0.1),
    "35-49": (0.0, 0.1, 0.1, 0.0, 0.3, 0.0, 0.2, 0.2),
    "50+": (-0.3, -0.1, 0.1, 0.0, 0.4, 0.4, 0.0, 0.5),
}
_AUDIENCE_TASTE = {"F": (1.0, -1.5, 0.3, -0.8), "M": (-1.5, 1.0, 0.3, -0.8)}


@dataclasses.dataclass
class Customers:
    """All customers of a run with their hidden state at day 0 of the warm-up."""

    frame: pd.DataFrame
    """Users frame (USER_ID, AGE_BAND, GENDER, SEGMENT) in arrival order."""
    segment: np.ndarray
    """Segment index per customer (into :data:`SEGMENTS`)."""
    arrival_day: np.ndarray
    """First active day (warm-up day 0 = 0; customers existing before the start have -1)."""
    departure_day: np.ndarray
    """First day the customer no longer visits (float; ``inf`` never happens but is allowed)."""
    visit_prob: np.ndarray
    """Probability of a visit on an active day."""
    price_sensitivity: np.ndarray
    """Utility lost per unit of log(price / 80)."""
    taste_prior: np.ndarray
    """Long-run mean of the taste vector (from demographics), shape ``(n, n_taste)``."""
    taste: np.ndarray
    """Taste vector at the start: category | audience | brand | colour utilities."""
    taste_std: np.ndarray
    """Per-dimension spread of tastes around the prior (the drift keeps it stationary)."""

    @property
    def ids(self) -> np.ndarray:
        """USER_ID strings in customer order."""
        return self.frame[USER_ID].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.segment)


TASTE_SLICES = {
    "category": slice(0, len(CATEGORIES)),
    "audience": slice(len(CATEGORIES), len(CATEGORIES) + len(AUDIENCES)),
    "brand": slice(len(CATEGORIES) + len(AUDIENCES), len(CATEGORIES) + len(AUDIENCES) + len(BRANDS)),
    "color": slice(len(CATEGORIES) + len(AUDIENCES) + len(BRANDS),
                   len(CATEGORIES) + len(AUDIENCES) + len(BRANDS) + len(COLORS)),
}
"""Where each attribute's utilities sit in a taste vector."""


def build_customers(
    n_users: int,
    new_user_rate: float,
    total_days: int,
    visits_per_day: float,
    mean_lifetime_days: float,
    rng: np.random.Generator,
) -> Customers:
    """Initial customers plus daily arrivals (Poisson with mean ``new_user_rate * n_users``)."""
    arrivals = rng.poisson(new_user_rate * n_users, size=total_days)
    arrival_day = np.concatenate([np.full(n_users, -1), np.repeat(np.arange(total_days), arrivals)])
    n = len(arrival_day)
    segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    age = rng.choice(len(AGE_BANDS), size=n, p=[0.22, 0.33, 0.28, 0.17])
    gender = rng.integers(0, 2, n)

    lifetime_mean = np.array([
        ONE_OFF_LIFETIME_DAYS if f is None else f * mean_lifetime_days for f in SEGMENT_LIFETIME_FACTOR
    ])[segment]
    departure_day = np.maximum(arrival_day, 0) + rng.exponential(lifetime_mean)
    visit_prob = np.clip(visits_per_day * np.array(SEGMENT_VISIT_FACTOR)[segment], 0.0, 1.0)
    price_sensitivity = 0.5 * np.exp(rng.normal(0.0, 0.3, n)) * np.array(SEGMENT_PRICE_SENSITIVITY)[segment]

    n_taste = TASTE_SLICES["color"].stop
    prior = np.zeros((n, n_taste))
    prior[:, TASTE_SLICES["category"]] = np.array([_AGE_TASTE[a] for a in AGE_BANDS])[age]
    audience_prior = np.array([_AUDIENCE_TASTE[g] for g in GENDERS])[gender]
    parents = rng.random(n) < 0.2
    audience_prior[parents, AUDIENCES.index("kids")] = 0.8
    prior[:, TASTE_SLICES["audience"]] = audience_prior
    std = np.zeros(n_taste)
    std[TASTE_SLICES["category"]] = 1.1
    std[TASTE_SLICES["audience"]] = 0.3
    std[TASTE_SLICES["brand"]] = 0.8
    std[TASTE_SLICES["color"]] = 0.5
    taste = prior + rng.normal(0.0, 1.0, (n, n_taste)) * std

    frame = pd.DataFrame(
        {
            USER_ID: [f"U{k:06d}" for k in range(1, n + 1)],
            "AGE_BAND": np.asarray(AGE_BANDS, dtype=object)[age],
            "GENDER": np.asarray(GENDERS, dtype=object)[gender],
            "SEGMENT": np.asarray(SEGMENTS, dtype=object)[segment],
        }
    )
    return Customers(frame, segment, arrival_day, departure_day, visit_prob, price_sensitivity, prior, taste, std)
