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

Bouncing: a visit leaves after the first page with probability :data:`NO_LIST_BOUNCE`,
list or no list (the same keyed draw in every run): whether a visitor has time to
browse is their own business, so a list cannot buy extra organic browsing by being
clicked. A bounced visitor who clicked a recommended item still views (and may buy) it.

Every random number comes from :mod:`workbench.sim.crn`, keyed by customer, day and
item (and page or list position), so two policies see the same visits, the same mood
and the same willingness to buy a given shoe today; they differ only in what is shown.
The mood noise of an item, and the cart / purchase draws for it, are the same whether
the customer meets the item in a list or while browsing.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import ndtri

from ..constants import SECONDS_PER_DAY
from ..kernels import taste_utilities
from ..recommenders.user_personalization import top_k_indices
from . import crn
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
"""Probability that a visit leaves after the first page (with or without a list)."""
MAX_BROWSE = 8
"""Most organic product views in one visit."""
NOVELTY_DAYS = 30.0
"""Time constant of the novelty bonus of new items."""

VIEW, CLICK, ADD_TO_CART, PURCHASE = 0, 1, 2, 3
"""Event codes (index into :data:`workbench.constants.EVENT_TYPES`)."""


PURCHASE_MEMORY = 24
"""Purchases per customer that boredom remembers (a ring buffer; older ones have faded anyway)."""


@dataclasses.dataclass
class ShopState:
    """The mutable, hidden state of the customers during a run (arrays, one row per customer)."""

    taste: np.ndarray
    """Current taste vectors (drifted lazily when a customer visits)."""
    taste_day: np.ndarray
    """Day (since warm-up start) each taste vector was last advanced to."""
    bought_item: np.ndarray
    """``(n_customers, PURCHASE_MEMORY)`` item of each remembered purchase (-1 = empty slot)."""
    bought_time: np.ndarray
    """Epoch seconds of each remembered purchase."""
    n_bought: np.ndarray
    """Purchases per customer so far (the ring position is ``n_bought % PURCHASE_MEMORY``)."""
    need: np.ndarray
    """Each customer's remaining demand right after their last purchase, 0-1 (the shoe budget,
    see :attr:`ShopConfig.substitution`)."""
    need_time: np.ndarray
    """Epoch seconds of that purchase (``-inf`` = never bought)."""

    @classmethod
    def start(cls, world: World) -> ShopState:
        """Fresh state at the first warm-up day.

        Demand starts where a shop that has been open for a while would find it: each
        customer's last purchase lies a keyed uniform share of ``budget_days`` back
        (customers who arrive later start the same way on their first day), so the
        launch does not harvest a stock of pent-up demand that a real shop would not have.
        """
        n = len(world.customers)
        shop = world.shop
        since = crn.uniform(shop.seed, "need", np.arange(n), 0) * shop.budget_days * SECONDS_PER_DAY
        arrival = shop.start + np.maximum(world.customers.arrival_day, 0) * SECONDS_PER_DAY
        last = (arrival - since).astype(float)
        if shop.effective_substitution <= 0:  # no budget: demand is always full
            last[:] = -np.inf
        return cls(world.customers.taste.copy(), np.zeros(n, dtype=np.int64),
                   np.full((n, PURCHASE_MEMORY), -1, dtype=np.int64), np.zeros((n, PURCHASE_MEMORY)),
                   np.zeros(n, dtype=np.int64), np.zeros(n), last)

    def need_at(self, users: np.ndarray, t: np.ndarray | float, budget_days: float) -> np.ndarray:
        """Demand of ``users`` at time ``t``: it refills linearly to 1 over ``budget_days`` after a purchase."""
        refill = (np.asarray(t, dtype=float) - self.need_time[users]) / (budget_days * SECONDS_PER_DAY)
        return np.minimum(1.0, self.need[users] + np.nan_to_num(refill, nan=1.0, posinf=1.0))

    def consume(self, users: np.ndarray, times: np.ndarray, substitution: float, budget_days: float) -> None:
        """Purchases use up demand: each leaves ``(1 - substitution)`` of what was left (in time order)."""
        if substitution <= 0 or len(users) == 0:
            return
        order = np.argsort(times, kind="stable")
        for users_now, t_now in _in_rounds(users[order], times[order]):
            self.need[users_now] = self.need_at(users_now, t_now, budget_days) * (1.0 - substitution)
            self.need_time[users_now] = t_now

    @property
    def bought(self) -> dict[int, list[tuple[int, float]]]:
        """Remembered purchases as ``{customer: [(item, epoch seconds), ...]}`` (for inspection)."""
        rows, cols = np.nonzero(self.bought_item >= 0)
        out: dict[int, list[tuple[int, float]]] = {}
        for r, c in zip(rows.tolist(), cols.tolist()):
            out.setdefault(r, []).append((int(self.bought_item[r, c]), float(self.bought_time[r, c])))
        return out

    def record_purchases(self, users: np.ndarray, items: np.ndarray, times: np.ndarray) -> None:
        """Remember purchases (customer index, item index, epoch seconds) for boredom; vectorised."""
        if len(users) == 0:
            return
        slot = (self.n_bought[users] + _rank_within(users)) % PURCHASE_MEMORY
        self.bought_item[users, slot] = items
        self.bought_time[users, slot] = times
        np.add.at(self.n_bought, users, 1)

    def boredom(self, users: np.ndarray, t: float, strength: float, days: float) -> tuple[np.ndarray, np.ndarray,
                                                                                           np.ndarray]:
        """``(rows, items, utility lost)`` of the remembered purchases of ``users`` at time ``t``."""
        items = self.bought_item[users]
        rows, cols = np.nonzero(items >= 0)
        if strength == 0 or len(rows) == 0:
            z = np.zeros(0, dtype=np.int64)
            return z, z, np.zeros(0)
        fade = np.exp(-(t - self.bought_time[users[rows], cols]) / (days * SECONDS_PER_DAY))
        return rows, items[rows, cols], strength * fade


def _in_rounds(users: np.ndarray, times: np.ndarray):
    """Split time-ordered (user, time) pairs into rounds with each user at most once (1st purchases, 2nd, ...)."""
    rank = _rank_within(users)
    for r in range(int(rank.max(initial=-1)) + 1):
        pick = rank == r
        yield users[pick], times[pick]


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... for the repeated occurrences of each key, in array order."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    start = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(len(keys)), 0))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.arange(len(keys)) - group_start
    return out


def item_terms(world: World, t: float, n_items: int) -> np.ndarray:
    """Utility shared by every customer (quality, season, trend, campaign, novelty) per item."""
    shop, cat = world.shop, world.catalog
    run_day = (t - world.day0) / SECONDS_PER_DAY
    terms = cat.quality[:n_items].copy()
    terms += shop.effective_season_strength * season_index(t) * season_affinity()[cat.category[:n_items]]
    terms += shop.trend_strength * trend_ramp(run_day, shop.effective_trend_shift_day) * (cat.brand[:n_items] == world.trend_brand)
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
    terms += shop.effective_novelty * np.exp(-age_days / NOVELTY_DAYS)
    return terms


def utilities(world: World, state: ShopState, users: np.ndarray, t: float, n_items: int,
              terms: np.ndarray | None = None) -> np.ndarray:
    """Utility matrix ``(len(users), n_items)`` (float32) for visits starting at ``t``.

    Taste drift noise is keyed by (customer, day, taste dimension), so a customer's
    taste on a day is the same in every run. Mood noise is added later, only to the
    items a customer actually evaluates (:func:`react_to_lists`, :func:`browse`).
    ``terms`` may pass :func:`item_terms` precomputed for the slice.
    """
    shop, cust = world.shop, world.customers
    day = int((t - shop.start) // SECONDS_PER_DAY)
    lag = day - state.taste_day[users]
    moved = lag > 0
    if moved.any() and shop.effective_taste_drift > 0:
        who = users[moved]
        dims = np.arange(state.taste.shape[1])
        noise = crn.normal(shop.seed, "drift", who[:, None], day, dims[None, :])
        state.taste[who] = drift_tastes(state.taste[who], cust.taste_prior[who], cust.taste_std, lag[moved],
                                        shop.effective_taste_drift, noise=noise)
    state.taste_day[users] = day
    taste = state.taste[users].astype(np.float32)  # float32: half the memory traffic of a slice
    columns = world.taste_columns
    u = taste_utilities(taste, columns[0][:n_items], columns[1][:n_items], columns[2][:n_items],
                        columns[3][:n_items], cust.price_sensitivity[users].astype(np.float32),
                        world.log_price32[:n_items],
                        (item_terms(world, t, n_items) if terms is None else terms).astype(np.float32))
    rows, items, lost = state.boredom(users, t, shop.effective_boredom, shop.boredom_days)
    ok = items < n_items
    np.subtract.at(u, (rows[ok], items[ok]), lost[ok].astype(np.float32))
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

    def take(self, mask: np.ndarray) -> Events:
        """The events where ``mask`` is True (or at the given indices)."""
        return Events(*(getattr(self, f.name)[mask] for f in dataclasses.fields(Events)))


@dataclasses.dataclass
class Visits:
    """Who the visits of a batch are: customer index per row, the day, the seed (the keys of every draw)."""

    customer: np.ndarray
    """Customer index of each visit row."""
    day: int
    """Day since the warm-up start."""
    seed: int
    """The shop's seed."""
    need: np.ndarray | None = None
    """Remaining demand per visit row (0-1) at the current step of the visit; ``None`` = 1."""


def funnel(
    who: Visits, visit: np.ndarray, item: np.ndarray, value: np.ndarray, offset: np.ndarray, position: np.ndarray,
    kind: int, list_length: int, page: int,
) -> Events:
    """Engagements (clicks or views) plus the add-to-cart and purchase events they lead to.

    The cart and purchase draws are keyed by (customer, day, item): whether a customer
    buys a shoe today does not depend on where they found it. A carted item is bought
    with probability ``sigmoid(U - BUY_BAR) * need`` where ``need`` is the visit's
    remaining demand (:attr:`Visits.need`; 1 = no recent purchase).
    """
    n = len(visit)
    cust = who.customer[visit]
    interest = _sigmoid(value - CART_BAR)
    u_dwell, depth, u_cart_at, u_buy_at = crn.uniforms(who.seed, ("dwell", "scroll", "cart_offset", "buy_offset"),
                                                       cust, who.day, item, page)
    u_cart, u_buy = crn.uniforms(who.seed, ("cart", "buy"), cust, who.day, item)
    dwell = np.round(np.exp(np.log(20.0) + 1.5 * interest + 0.5 * ndtri(u_dwell)), 1)
    from_list = position >= 0
    scroll = np.where(
        from_list,
        np.clip((position + 1) / list_length * (0.8 + 0.2 * depth), 0.05, 1.0),
        np.clip(_beta22(depth) * (0.5 + interest), 0.0, 1.0),
    )
    cart = u_cart < interest
    need = 1.0 if who.need is None else who.need[visit]
    buy = cart & (u_buy < _sigmoid(value - BUY_BAR) * need)
    cart_offset = offset + dwell + 5 + 25 * u_cart_at
    buy_offset = cart_offset + 30 + 90 * u_buy_at
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


def _beta22(p: np.ndarray) -> np.ndarray:
    """Inverse CDF of Beta(2, 2) (``3x^2 - 2x^3 = p``), via the trigonometric root of the cubic."""
    return 0.5 - np.cos((np.arccos(1.0 - 2.0 * p) + 2.0 * np.pi) / 3.0)


def mood(who: Visits, rows: np.ndarray, items: np.ndarray, noise: float) -> np.ndarray:
    """The visit's mood noise ``N(0, noise)`` on ``items`` for visit ``rows`` (keyed by customer, day, item)."""
    if noise == 0:
        return np.zeros(np.broadcast(rows, items).shape)
    return noise * crn.normal(who.seed, "mood", who.customer[rows], who.day, items)


def react_to_lists(
    u: np.ndarray, lists: np.ndarray, who: Visits, page: int, noise: float = 0.0
) -> tuple[Events, np.ndarray]:
    """Clicks (and their carts/purchases) on recommendation lists; also which rows clicked.

    ``lists`` holds catalog indices per visit row, ``-1`` for empty slots; every shown
    item gets the visit's mood noise on top of its utility. Examination is keyed by
    (customer, day, page, position), the click by (customer, day, item).
    """
    n, k = lists.shape
    pos = np.arange(k)[None, :]
    examine = (lists >= 0) & (crn.uniform(who.seed, "examine", who.customer[:, None], who.day, pos, page)
                              < (pos + 1.0) ** -POSITION_BIAS)
    # mood and click draws only where the customer looks (keyed draws: the same numbers as for the whole grid)
    er, ep = np.nonzero(examine)
    items = lists[er, ep]
    u_mood, u_click = crn.uniforms(who.seed, ("mood", "click"), who.customer[er], who.day, items)
    value = u[er, items] + noise * ndtri(u_mood)
    click = u_click < _sigmoid(value - CLICK_BAR)
    r, p = er[click], ep[click]
    offset = 15.0 + 25.0 * p + 20.0 * crn.uniform(who.seed, "offset", who.customer[r], who.day, p, page)
    events = funnel(who, r, lists[r, p], value[click], offset, p, CLICK, k, page)
    clicked = np.zeros(n, dtype=bool)
    clicked[r] = True
    return events, clicked


def bounces(who: Visits) -> np.ndarray:
    """Which visits leave after the first page (a keyed draw: the same visits in every run)."""
    return crn.uniform(who.seed, "bounce", who.customer, who.day) < NO_LIST_BOUNCE


@dataclasses.dataclass
class OrganicChoice:
    """What each visit would browse organically: the counterfactual choice without any list."""

    candidates: np.ndarray
    """``(n, MAX_BROWSE + 3)`` items in order of the Gumbel-max keys (best first)."""
    keys: np.ndarray
    """Their keys ``U + Gumbel``."""
    n_views: np.ndarray
    """How many products each visit views organically."""

    def truth(self) -> tuple[np.ndarray, np.ndarray]:
        """``(row, item)`` of the organic views of every visit had it been shown no list."""
        take = np.arange(self.candidates.shape[1])[None, :] < self.n_views[:, None]
        r, c = np.nonzero(take & (self.candidates >= 0))
        return r, self.candidates[r, c]


_EXTRA_CANDIDATES = 3


def organic_draws(seed: int, day: int, slot: int, n: int, n_items: int, mean_views: float
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """The random half of :func:`organic_choice`: views per visit and ``log(Exp(1))`` per (visit, item).

    They come from a Philox stream keyed by (seed, day, slice) and depend only on the
    slice's size, so the runner can draw them ahead on its second thread (numpy's
    generator and ufuncs release the GIL). Returns ``(n_views, log_draws)``;
    ``log_draws`` is ``None`` when there is nothing to choose from.
    """
    rng = crn.slice_generator(seed, "browse", day, slot)
    n_views = np.minimum(1 + rng.poisson(max(mean_views - 1.0, 0.0), n), min(MAX_BROWSE, n_items))
    if n == 0 or n_items == 0:
        return n_views, None
    # Gumbel-max trick: -log(Exp(1)) is a standard Gumbel draw (float32 keeps it cheap)
    draws = rng.standard_exponential((n, n_items), dtype=np.float32)
    np.maximum(draws, np.float32(1e-30), out=draws)
    np.log(draws, out=draws)
    return n_views, draws


def organic_choice(u: np.ndarray, who: Visits, mean_views: float, slot: int,
                   draws: tuple[np.ndarray, np.ndarray | None] | None = None) -> OrganicChoice:
    """The softmax (Gumbel-max) choice of organic product views for every visit row of ``u``.

    The Gumbel keys come from a Philox stream keyed by (seed, day, slice) (:func:`organic_draws`;
    ``draws`` passes them when they were drawn ahead, and is used up); rows are the visits of
    the slice in their policy-independent order, so every run draws the same keys for the same visit.
    """
    n, n_items = u.shape
    n_views, log_draws = organic_draws(who.seed, who.day, slot, n, n_items, mean_views) if draws is None else draws
    if log_draws is None:
        return OrganicChoice(np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0)), np.zeros(n, dtype=np.int64))
    if log_draws.shape != u.shape:
        raise ValueError(f"organic_choice: draws of shape {log_draws.shape} for utilities of shape {u.shape}")
    keys = np.subtract(u, log_draws, out=log_draws)
    top = top_k_indices(keys, min(MAX_BROWSE + _EXTRA_CANDIDATES, n_items))
    return OrganicChoice(top, np.take_along_axis(keys, np.maximum(top, 0), axis=1).astype(float), n_views)


def browse(u: np.ndarray, choice: OrganicChoice, rows: np.ndarray, start: np.ndarray, who: Visits,
           list_length: int, noise: float = 0.0, lowered: tuple[np.ndarray, np.ndarray, float] | None = None,
           ) -> tuple[Events, np.ndarray]:
    """Organic product views for visit ``rows`` (the organic choice, after this visit's purchases).

    ``lowered`` = ``(row, item, loss)``: items whose utility dropped during the visit
    (just bought from a list: boredom); their keys drop by the same amount, so the
    customer does not browse to a shoe they have just bought. What happens after a
    view (cart, purchase) uses the utility plus the visit's mood noise.

    Returns the events and, per row of ``u``, the offset at which browsing ended.
    """
    end = start.copy()
    if len(rows) == 0 or choice.candidates.shape[1] == 0:
        return Events.empty(), end
    cand = choice.candidates[rows]
    keys = choice.keys[rows].copy()
    keys[cand < 0] = -np.inf
    if lowered is not None and len(lowered[0]):
        position = np.full(len(choice.n_views), -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        lr, li, loss = lowered
        at = position[lr]
        ok = at >= 0
        hit = (cand[at[ok]] == li[ok][:, None])
        rr, cc = np.nonzero(hit)
        keys[at[ok][rr], cc] -= loss
        order = np.argsort(-keys, axis=1, kind="stable")
        cand = np.take_along_axis(cand, order, axis=1)
        keys = np.take_along_axis(keys, order, axis=1)
    n_views = choice.n_views[rows]
    take = (np.arange(cand.shape[1])[None, :] < n_views[:, None]) & np.isfinite(keys)
    r, c = np.nonzero(take)
    visit = rows[r]
    item = cand[r, c]
    offset = start[visit] + 60.0 + 90.0 * c + 60.0 * crn.uniform(who.seed, "offset", who.customer[visit], who.day,
                                                                   item, 9)
    value = u[visit, item] + mood(who, visit, item, noise)
    events = funnel(who, visit, item, value, offset, np.full(len(r), -1), VIEW, list_length, 0)
    np.maximum.at(end, events.visit, events.offset + np.nan_to_num(events.dwell, nan=0.0))
    return events, end
