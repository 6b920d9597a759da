"""The footwear catalog: attributes, prices, descriptions and 'visual' features.

Items carry the attributes the customers' tastes are defined over (category,
audience, brand, colour), a price, a hidden quality, a season affinity and a
CREATION_TIMESTAMP. Items that arrive during the simulation are generated up
front with future creation times, so the catalog a model may see at time ``t``
is simply ``items[CREATION_TIMESTAMP <= t]``.

The items frame uses Amazon Personalize ECOMMERCE column names (ITEM_ID, PRICE,
CATEGORY_L1, CATEGORY_L2, PRODUCT_DESCRIPTION, CREATION_TIMESTAMP) plus COLOR,
BRAND, SEASON and VISUAL_0..VISUAL_7 (a small numeric "image embedding" that is
correlated with category and colour, for the similar-image chapter).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..constants import CREATION_TIMESTAMP, ITEM_ID, SECONDS_PER_DAY

CATEGORIES = ("sneakers", "running", "boots", "sandals", "formal", "slippers", "hiking", "loafers")
"""CATEGORY_L1 values."""

AUDIENCES = ("women", "men", "unisex", "kids")
"""CATEGORY_L2 values (who the shoe is made for)."""

BRANDS = ("Stridewell", "Kestrel", "Norrland", "Pavia", "Tidewalk", "Altura", "Fennec", "Marrowvale", "Quillon", "Brisa")
"""Invented brand names."""

COLORS = ("black", "white", "brown", "navy", "red", "grey", "beige", "green")
"""COLOR values."""

SEASON_AFFINITY = {"boots": 1.0, "slippers": 0.3, "hiking": 0.3, "sandals": -1.0, "running": -0.3}
"""+1 = winter demand, -1 = summer demand, missing = all-year."""

BASE_PRICE = {"sneakers": 85.0, "running": 110.0, "boots": 140.0, "sandals": 45.0, "formal": 120.0,
              "slippers": 35.0, "hiking": 130.0, "loafers": 95.0}
"""Median price per category (US dollars)."""

VISUAL_DIM = 8
"""Length of the VISUAL_* feature vector."""

_NOUNS = {
    "sneakers": ("sneaker", "low-top trainer", "court shoe"),
    "running": ("running shoe", "trail runner", "road racer"),
    "boots": ("ankle boot", "chelsea boot", "winter boot"),
    "sandals": ("sandal", "slide", "strappy sandal"),
    "formal": ("oxford", "derby", "dress shoe"),
    "slippers": ("slipper", "house shoe", "moccasin slipper"),
    "hiking": ("hiking boot", "trekking shoe", "approach shoe"),
    "loafers": ("loafer", "penny loafer", "driving moccasin"),
}
_FEATURES = {
    "sneakers": ("a padded collar", "a vulcanised sole", "retro stitching"),
    "running": ("a responsive foam midsole", "a breathable upper", "a carbon plate"),
    "boots": ("a warm lining", "a lug sole for icy pavements", "side zips"),
    "sandals": ("adjustable straps", "a contoured footbed", "quick-dry straps"),
    "formal": ("a Goodyear-welted sole", "a polished toe", "leather lining"),
    "slippers": ("a fleece lining", "a memory-foam insole", "a non-slip sole"),
    "hiking": ("a waterproof membrane", "ankle support", "a grippy outsole"),
    "loafers": ("a cushioned heel", "hand-sewn seams", "a flexible sole"),
}
_ADJECTIVES = ("lightweight", "cushioned", "classic", "handcrafted", "water-resistant", "breathable",
               "minimalist", "rugged", "soft", "sleek")
_MATERIALS = ("leather", "suede", "mesh", "canvas", "knit", "nubuck", "recycled fabric")
_TEMPLATES = (
    "{Adj} {color} {material} {noun} by {brand} with {feature}.",
    "{brand}'s {adj} {noun} in {color} {material}, finished with {feature}.",
    "A {adj} {noun} for {audience}: {color} {material} and {feature}. {season}",
)
_SEASON_LINE = {1: "Made for cold days.", -1: "Made for warm days.", 0: "Worn all year round."}


@dataclasses.dataclass
class Catalog:
    """All items of a run (present and future) as arrays plus the Personalize items frame."""

    frame: pd.DataFrame
    """Items frame (Personalize names), sorted by CREATION_TIMESTAMP, one row per item."""
    category: np.ndarray
    """CATEGORY_L1 index per item (into :data:`CATEGORIES`)."""
    audience: np.ndarray
    """CATEGORY_L2 index per item (into :data:`AUDIENCES`)."""
    brand: np.ndarray
    """Brand index per item (into :data:`BRANDS`)."""
    color: np.ndarray
    """Colour index per item (into :data:`COLORS`)."""
    price: np.ndarray
    """Price per item."""
    quality: np.ndarray
    """Hidden quality (utility every customer agrees on); never shown to models."""
    created: np.ndarray
    """CREATION_TIMESTAMP per item (epoch seconds)."""

    @property
    def ids(self) -> np.ndarray:
        """ITEM_ID strings in catalog order."""
        return self.frame[ITEM_ID].to_numpy(dtype=object)

    def __len__(self) -> int:
        return len(self.price)

    def available(self, t: float) -> int:
        """Number of items created at or before ``t`` (they are the first rows, sorted by time)."""
        return int(np.searchsorted(self.created, t, side="right"))


def build_catalog(n_items: int, new_item_rate: float, start: int, total_days: int, rng: np.random.Generator) -> Catalog:
    """Initial items (created during the year before ``start``) plus arrivals over ``total_days``."""
    arrivals = rng.poisson(new_item_rate * n_items, size=total_days)
    n_new = int(arrivals.sum())
    created_old = start - rng.uniform(0, 365, n_items) * SECONDS_PER_DAY
    arrival_day = np.repeat(np.arange(total_days), arrivals)
    created_new = start + (arrival_day + rng.uniform(0, 1, n_new)) * SECONDS_PER_DAY
    created = np.concatenate([created_old, created_new]).astype(np.int64)
    created.sort()
    n = len(created)

    category = rng.choice(len(CATEGORIES), size=n, p=_normalise([1.3, 1.0, 1.0, 0.9, 0.8, 0.6, 0.7, 0.7]))
    audience = rng.choice(len(AUDIENCES), size=n, p=[0.38, 0.34, 0.18, 0.10])
    brand = rng.integers(0, len(BRANDS), size=n)
    color = rng.choice(len(COLORS), size=n, p=_normalise([3, 2, 2, 1.5, 1, 1.5, 1, 0.8]))
    brand_premium = np.exp(rng.normal(0, 0.25, len(BRANDS)))
    base = np.array([BASE_PRICE[c] for c in CATEGORIES])
    price = np.round(base[category] * brand_premium[brand] * np.exp(rng.normal(0, 0.25, n)), 0) - 0.01
    quality = rng.normal(0, 0.35, n)

    cat_embed = rng.normal(0, 1.0, (len(CATEGORIES), VISUAL_DIM))
    color_embed = rng.normal(0, 0.6, (len(COLORS), VISUAL_DIM))
    visual = np.round(cat_embed[category] + color_embed[color] + rng.normal(0, 0.3, (n, VISUAL_DIM)), 3)

    season_sign = np.array([int(np.sign(SEASON_AFFINITY.get(c, 0.0))) for c in CATEGORIES])[category]
    frame = pd.DataFrame(
        {
            ITEM_ID: [f"I{k:05d}" for k in range(1, n + 1)],
            "CATEGORY_L1": np.asarray(CATEGORIES, dtype=object)[category],
            "CATEGORY_L2": np.asarray(AUDIENCES, dtype=object)[audience],
            "PRICE": price,
            "COLOR": np.asarray(COLORS, dtype=object)[color],
            "BRAND": np.asarray(BRANDS, dtype=object)[brand],
            "SEASON": np.where(season_sign > 0, "winter", np.where(season_sign < 0, "summer", "all-year")),
            "PRODUCT_DESCRIPTION": _descriptions(category, audience, brand, color, season_sign, rng),
            CREATION_TIMESTAMP: created,
        }
    )
    for k in range(VISUAL_DIM):
        frame[f"VISUAL_{k}"] = visual[:, k]
    return Catalog(frame, category, audience, brand, color, price, quality, created)


def _descriptions(category, audience, brand, color, season_sign, rng: np.random.Generator) -> list[str]:
    n = len(category)
    template = rng.integers(0, len(_TEMPLATES), n)
    noun = rng.integers(0, 3, n)
    feature = rng.integers(0, 3, n)
    adjective = rng.integers(0, len(_ADJECTIVES), n)
    material = rng.integers(0, len(_MATERIALS), n)
    out = []
    for k in range(n):
        cat = CATEGORIES[category[k]]
        adj = _ADJECTIVES[adjective[k]]
        out.append(
            _TEMPLATES[template[k]].format(
                Adj=adj.capitalize(), adj=adj, color=COLORS[color[k]], material=_MATERIALS[material[k]],
                noun=_NOUNS[cat][noun[k]], brand=BRANDS[brand[k]], feature=_FEATURES[cat][feature[k]],
                audience=AUDIENCES[audience[k]] if AUDIENCES[audience[k]] != "unisex" else "everyone",
                season=_SEASON_LINE[int(season_sign[k])],
            ).strip()
        )
    return out


def _normalise(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()
