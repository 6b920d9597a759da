"""How customers choose: the utility model and the visit funnel, vectorised over visits.

Utility of item ``j`` for customer ``u`` at time ``t`` (all terms in the same unit)::

    U = taste[u, category_j] + taste[u, audience_j] + taste[u, brand_j] + taste[u, colour_j]
        + quality_j - price_sensitivity_u * log(price_j / 80)
        + season(t) + trend(t, brand_j) + campaign(t, j)
        + novelty * exp(-age_j / 30 days) - boredom * exp(-(t - t_bought) / boredom_days)
        + mood noise (per visit and evaluated item, N(0, noise))

A visit walks the funnel. It lands on a page with a recommendation list; the
customer examines position ``r`` (1-based) with probability ``r ** -POSITION_BIAS``
and clicks an examined item with probability ``sigmoid(U - CLICK_BAR)``. A click
or an organic product view leads to add-to-cart with ``sigmoid(U - CART_BAR)`` and
a cart to a purchase with ``sigmoid(U - BUY_BAR)``. If nothing on the first page
is worth a click the visit may bounce (``sigmoid(BOUNCE_BAR - best examined U)``);
otherwise the customer browses organically (items drawn without replacement with
probability proportional to ``exp(U)``, i.e. a softmax choice) and sees a second
page with a second list. Every step is an event in Personalize format.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..constants import SECONDS_PER_DAY
from ..recommenders.user_personalization import top_k_indices
from .customers import TASTE_SLICES
from .drift import campaign_active, drift_tastes, season_affinity, season_index, trend_ramp
from .world import World

POSITION_BIAS = 0.8
"""Examination probability of list position ``r`` is ``r ** -POSITION_BIAS``."""
CLICK_BAR = 3.2
"""Utility at which an examined recommended item is clicked half of the time."""
CART_BAR = 5.0
"""Utility at which a viewed item goes to the cart half of the time."""
BUY_BAR = 3.5
"""Utility at which a carted item is bought half of the time."""
BOUNCE_BAR = 1.0
"""A visit whose best examined item has this utility bounces half of the time (if no click)."""
NO_LIST_BOUNCE = 0.3
"""Bounce probability of a visit that is shown no recommendations (warm-up)."""
MAX_BROWSE = 8
"""Most organic product views in one visit."""
NOVELTY_DAYS = 30.0
"""Time constant of the novelty bonus of new items."""

VIEW, CLICK, ADD_TO_CART, PURCHASE = 0, 1, 2, 3
"""Event codes (index into :data:`workbench.constants.EVENT_TYPES`)."""


@dataclasses.dataclass
class ShopState:
    """The mutable, hidden state of the customers during a run."""

    taste: np.ndarray
    """Current taste vectors (drifted lazily when a customer visits)."""
    taste_day: np.ndarray
    """Day (since warm-up start) each taste vector was last advanced to."""
    bought: dict[int, list[tuple[int, float]]] = dataclasses.field(default_factory=dict)
    """(item, epoch seconds) of each purchase per customer (drives boredom)."""

    @classmethod
    def start(cls, world: World) -> ShopState:
        """Fresh state at the first warm-up day."""
        return cls(world.customers.taste.copy(), np.zeros(len(world.customers), dtype=np.int64))

    def record_purchases(self, users: np.ndarray, items: np.ndarray, times: np.ndarray) -> None:
        """Remember purchases (customer index, item index, epoch seconds) for boredom."""
        for u, i, t in zip(users.tolist(), items.tolist(), times.tolist()):
            self.bought.setdefault(u, []).append((i, t))


def item_terms(world: World, t: float, n_items: int) -> np.ndarray:
    """Utility shared by every customer (quality, season, trend, campaign, novelty) per item."""
    shop, cat = world.shop, world.catalog
    run_day = (t - world.day0) / SECONDS_PER_DAY
    terms = cat.quality[:n_items].copy()
    terms += shop.season_strength * season_index(t) * season_affinity()[cat.category[:n_items]]
    terms += shop.trend_strength * trend_ramp(run_day, shop.trend_shift_day) * (cat.brand[:n_items] == world.trend_brand)
    campaign = shop.campaign
    if campaign_active(int(np.floor(run_day)), campaign):
        if "category" in campaign:
            from .catalog import CATEGORIES

            hit = cat.category[:n_items] == CATEGORIES.index(campaign["category"])
        else:
            from .catalog import BRANDS

            hit = cat.brand[:n_items] == BRANDS.index(campaign["brand"])
        terms += float(campaign.get("boost", 0.6)) * hit
    age_days = np.maximum(0.0, (t - cat.created[:n_items]) / SECONDS_PER_DAY)
    terms += shop.novelty * np.exp(-age_days / NOVELTY_DAYS)
    return terms


def utilities(
    world: World, state: ShopState, users: np.ndarray, t: float, n_items: int, rng: np.random.Generator
) -> np.ndarray:
    """Utility matrix ``(len(users), n_items)`` for visits starting at ``t`` (mood noise is added
    later, only to the items a customer actually evaluates: see :func:`react_to_lists` and :func:`browse`)."""
    shop, cat, cust = world.shop, world.catalog, world.customers
    day = int((t - shop.start) // SECONDS_PER_DAY)
    lag = day - state.taste_day[users]
    moved = lag > 0
    if moved.any():
        who = users[moved]
        state.taste[who] = drift_tastes(state.taste[who], cust.taste_prior[who], cust.taste_std, lag[moved],
                                        shop.taste_drift, rng)
        state.taste_day[who] = day
    taste = state.taste[users].astype(np.float32)  # float32: half the memory traffic of a slice
    u = taste[:, TASTE_SLICES["category"]][:, cat.category[:n_items]]
    u += taste[:, TASTE_SLICES["audience"]][:, cat.audience[:n_items]]
    u += taste[:, TASTE_SLICES["brand"]][:, cat.brand[:n_items]]
    u += taste[:, TASTE_SLICES["color"]][:, cat.color[:n_items]]
    u -= np.outer(cust.price_sensitivity[users], np.log(cat.price[:n_items] / 80.0)).astype(np.float32)
    u += item_terms(world, t, n_items).astype(np.float32)
    for row, user in enumerate(users.tolist()):
        bought = state.bought.get(user)
        if bought:
            items, when = np.asarray(bought).T
            fade = np.exp(-(t - when) / (shop.boredom_days * SECONDS_PER_DAY))
            np.subtract.at(u[row], items.astype(np.int64), shop.boredom * fade)
    return u


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclasses.dataclass
class Events:
    """Events of one step of the funnel for a batch of visits (parallel arrays)."""

    visit: np.ndarray
    """Row of the visit in the current batch."""
    item: np.ndarray
    """Catalog index of the item."""
    kind: np.ndarray
    """Event code: :data:`VIEW`, :data:`CLICK`, :data:`ADD_TO_CART`, :data:`PURCHASE`."""
    offset: np.ndarray
    """Seconds after the start of the funnel step."""
    position: np.ndarray
    """0-based position in the recommendation list (-1 = not from a list)."""
    dwell: np.ndarray
    """Seconds on the product page (DWELL_SECONDS)."""
    scroll: np.ndarray
    """How far down the page the customer scrolled, 0-1 (SCROLL_DEPTH)."""

    @classmethod
    def empty(cls) -> Events:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return cls(zi, zi, zi, z, zi, z, z)

    def __len__(self) -> int:
        return len(self.visit)


def funnel(
    visit: np.ndarray, item: np.ndarray, value: np.ndarray, offset: np.ndarray, position: np.ndarray,
    kind: int, list_length: int, rng: np.random.Generator,
) -> Events:
    """Engagements (clicks or views) plus the add-to-cart and purchase events they lead to."""
    n = len(visit)
    interest = _sigmoid(value - CART_BAR)
    dwell = np.round(np.exp(rng.normal(np.log(20.0) + 1.5 * interest, 0.5)), 1)
    from_list = position >= 0
    scroll = np.where(
        from_list,
        np.clip((position + 1) / list_length * rng.uniform(0.8, 1.0, n), 0.05, 1.0),
        np.clip(rng.beta(2.0, 2.0, n) * (0.5 + interest), 0.0, 1.0),
    )
    cart = rng.random(n) < interest
    buy = cart & (rng.random(n) < _sigmoid(value - BUY_BAR))
    cart_offset = offset + dwell + rng.uniform(5, 30, n)
    buy_offset = cart_offset + rng.uniform(30, 120, n)
    parts = [
        (np.ones(n, bool), np.full(n, kind), offset, dwell, scroll),
        (cart, np.full(n, ADD_TO_CART), cart_offset, np.full(n, np.nan), np.full(n, np.nan)),
        (buy, np.full(n, PURCHASE), buy_offset, np.full(n, np.nan), np.full(n, np.nan)),
    ]
    return Events(
        visit=np.concatenate([visit[m] for m, *_ in parts]),
        item=np.concatenate([item[m] for m, *_ in parts]),
        kind=np.concatenate([k[m] for m, k, *_ in parts]),
        offset=np.concatenate([o[m] for m, _, o, *_ in parts]),
        position=np.concatenate([position[m] for m, *_ in parts]),
        dwell=np.concatenate([d[m] for m, _, _, d, _ in parts]),
        scroll=np.concatenate([s[m] for m, *_, s in parts]),
    )


def react_to_lists(
    u: np.ndarray, lists: np.ndarray, rng: np.random.Generator, noise: float = 0.0
) -> tuple[Events, np.ndarray]:
    """Clicks (and their carts/purchases) on recommendation lists; also the best examined utility.

    ``lists`` holds catalog indices per visit row, ``-1`` for empty slots; every shown
    item gets the visit's mood noise ``N(0, noise)`` on top of its utility.
    """
    n, k = lists.shape
    valid = lists >= 0
    safe = np.where(valid, lists, 0)
    mood = rng.standard_normal((n, k)) * noise
    value = np.where(valid, np.take_along_axis(u, safe, axis=1) + mood, -np.inf)
    examine = valid & (rng.random((n, k)) < np.arange(1, k + 1) ** -POSITION_BIAS)
    click = examine & (rng.random((n, k)) < _sigmoid(value - CLICK_BAR))
    best = np.where(examine, value, -np.inf).max(axis=1) if k else np.full(n, -np.inf)
    rows, pos = np.nonzero(click)
    offset = 15.0 + 25.0 * pos + rng.uniform(0, 20, len(rows))
    events = funnel(rows, lists[rows, pos], value[rows, pos], offset, pos, CLICK, k, rng)
    return events, best


def bounces(best: np.ndarray, clicked: np.ndarray, rng: np.random.Generator, shown: bool) -> np.ndarray:
    """Which visits leave after the first page (never a visit that clicked)."""
    if shown:
        p = _sigmoid(BOUNCE_BAR - np.where(np.isfinite(best), best, -10.0))
    else:
        p = np.full(len(best), NO_LIST_BOUNCE)
    return (rng.random(len(best)) < p) & ~clicked


def browse(u: np.ndarray, rows: np.ndarray, mean_views: float, start: np.ndarray, rng: np.random.Generator,
           list_length: int, noise: float = 0.0) -> tuple[Events, np.ndarray]:
    """Organic product views (softmax choice without replacement) for visit ``rows``.

    The choice noise is the Gumbel noise of the softmax; what happens after a view
    (cart, purchase) uses the utility plus the visit's mood noise ``N(0, noise)``.

    Returns the events and, per row of ``u``, the offset at which browsing ended.
    """
    n_items = u.shape[1]
    end = start.copy()
    if len(rows) == 0 or n_items == 0:
        return Events.empty(), end
    n_views = np.minimum(1 + rng.poisson(max(mean_views - 1.0, 0.0), len(rows)), min(MAX_BROWSE, n_items))
    # Gumbel-max trick: -log(Exp(1)) is a standard Gumbel draw (float32 keeps it cheap)
    draws = rng.standard_exponential((len(rows), n_items), dtype=np.float32)
    keys = u[rows] - np.log(np.maximum(draws, np.float32(1e-30)))
    top = top_k_indices(keys, int(n_views.max()))
    take = np.arange(top.shape[1])[None, :] < n_views[:, None]
    r, c = np.nonzero(take)
    visit = rows[r]
    item = top[r, c]
    offset = start[visit] + 60.0 + 90.0 * c + rng.uniform(0, 60, len(r))
    value = u[visit, item] + rng.standard_normal(len(r)) * noise
    events = funnel(visit, item, value, offset, np.full(len(r), -1), VIEW, list_length, rng)
    np.maximum.at(end, events.visit, events.offset + np.nan_to_num(events.dwell, nan=0.0))
    return events, end
