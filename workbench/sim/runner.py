"""Play a scenario day by day: customers visit, the policy serves lists, events are logged.

:func:`run_scenario` first plays ``warmup_days`` without recommendations (organic
browsing only); that log is the first training set. Then, for every run day and
every time slice of the day (``ShopConfig.slices_per_day``):

1. the policy acts: ``retrain`` refits on the whole log (or its last
   ``training_window_days``) at the start of every ``retrain_every_days``-th day (and the
   campaign serves the new version at once; ``result.versions`` lists every version),
   ``auto_update`` -- and ``event_tracker`` on a model with automatic updates -- calls
   ``model.auto_update`` every 2 simulated hours (models without it are left alone,
   noted in ``result.notes``);
2. each visit of the slice gets a first list (home page), reacts to it, maybe
   bounces, browses organically, and gets a second list (product page);
3. with ``event_tracker`` the events of the first page reach the model before the
   second list is computed, and every page's events before the next slice: through
   the model's array fast path ``track`` when it has one (User-Personalization),
   else through an attached :class:`workbench.personalize.EventTracker`
   (``record_frame``). Only events that pass the policy's
   ``training_event_types`` / ``event_value_threshold`` are sent.

Common random numbers (:mod:`workbench.sim.crn`): who visits, when, their taste
drift, mood and willingness to buy are keyed by (seed, customer, day, item), so two
policies on the same shop meet the same visits; they differ only through what is
shown (and what that changes: purchases, boredom, the substitution budget).

Budget (:attr:`ShopConfig.substitution`, :attr:`ShopConfig.budget_days`): every
purchase uses up part of the customer's demand, so a pair bought from a list makes
the purchases they would have made while browsing (this visit or later) less likely;
``incremental_revenue`` against the paired ``none`` run measures what is really extra.

Relevance (``ndcg_at_10`` etc.) scores every served list against the customer's
*organic* choice in that visit: the products they would have viewed had they been
shown no list at all (the same keyed Gumbel draws the browsing uses), never the
clicks on the list itself. ``ndcg_at_10_random`` scores a uniformly random list
(keyed, the same in every run) against the same truth, so a policy's value can be
read next to the value of chance; the ``none`` policy has no list (NaN) but still
reports the random value.

Simplifications: a customer visits at most once a day; every list of a slice is
computed with the model as it was at the start of the slice (plus the first-page
events of the visits in that slice); the purchase filter acts on purchases the
dataset knows (training data plus tracked events; the ``random`` widget knows every
order of the shop).

The model only ever sees the Personalize-format log; the customers' tastes stay
hidden in the simulator. Outputs: one row per run day in ``daily`` (see
:data:`DAILY_COLUMNS`), one row per slice in ``hourly``, the event log (the
Personalize frame is built when ``events`` is first read) and the drift markers.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ..constants import FALLBACK, ITEM_ID, QUERY_ITEM_ID, RANK, SECONDS_PER_DAY, SECONDS_PER_HOUR, USER_ID
from ..kernels import one_thread, random_list_rows
from ..recommenders.base import Recommender
from . import crn
from .behaviour import (
    ADD_TO_CART,
    CLICK,
    PURCHASE,
    Events,
    ShopState,
    Visits,
    _rank_within,
    bounces,
    browse,
    item_terms,
    organic_choice,
    organic_draws,
    react_to_lists,
    utilities,
)
from .config import Policy, ScenarioConfig, ShopConfig
from .eventlog import EVENT_NAMES, EventLog, interactions_frame
from .policies import ModelSpec, coded_training_mask, make_model
from .progress import Progress
from .scoring import list_metrics
from .world import World, build_world

DAILY_COLUMNS = {
    "day": "run day (0 = first day with recommendations)",
    "date": "calendar date (UTC)",
    "visits": "visits that day (the same in every policy's run of a shop: common random numbers)",
    "impressions": "items shown in recommendation lists",
    "clicks": "clicks on recommended items",
    "ctr": "clicks / impressions",
    "add_to_carts": "add-to-cart events on recommended items",
    "purchases": "purchases of recommended items",
    "conversion_rate": "purchases of recommended items / clicks on recommended items (a rate per click)",
    "purchases_per_visit": "purchases of recommended items / visits",
    "revenue": "revenue from recommended items",
    "total_revenue": "revenue from all purchases (recommended + organic, after substitution)",
    "revenue_per_visit": "total_revenue / visits",
    "incremental_revenue": "total_revenue minus the total_revenue of the paired 'none' run (same shop and seed; "
                           "NaN when no baseline was run)",
    "uplift_per_visit": "incremental_revenue / visits",
    "bounce_rate": "visits that left after the first page / visits",
    "ndcg_at_10": "mean NDCG@10 of served lists against the visit's organic choice (what the customer would have "
                  "viewed without any list); NaN when nothing is served",
    "recall_at_10": "mean Recall@10 (same truth)",
    "precision_at_10": "mean Precision@10 (same truth)",
    "ndcg_at_10_random": "mean NDCG@10 of a uniformly random list on the same visits and truth (the chance level)",
    "recall_at_10_random": "mean Recall@10 of that random list",
    "coverage": "distinct items served / catalog size",
    "cold_start_share": "share of served lists that were the model's fallback (user unknown to the model)",
    "freshness_median_hours": "median age of the newest event reflected in a served list (NaN for "
                              "'random', whose lists reflect no event)",
    "freshness_p90_hours": "90th percentile of that age",
    "last_hour_share": "share of the customer's last-hour events the served list could use",
    "catalog_size": "items in the shop",
    "new_customer_share": "share of visits by customers who arrived after the first training",
}
"""Columns of :attr:`ScenarioResult.daily` and what they mean."""

VERSION_COLUMNS = {
    "day": "run day the version starts serving (0 = the launch model)",
    "logged_events": "events in the log when it was trained (warm-up included)",
    "trained_events": "events it learned from (after training_event_types, event_value_threshold and "
                      "training_window_days)",
    "first_trained": "time of the oldest event it learned from",
    "train_seconds": "wall time of the training on this machine (not part of the simulated world)",
}
"""Columns of :attr:`ScenarioResult.versions` and what they mean."""

_DIURNAL = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.8, 0.9, 1.0, 1.0,
                     1.1, 1.1, 1.0, 1.0, 1.1, 1.2, 1.4, 1.6, 1.7, 1.6, 1.2, 0.7])
"""Relative visit intensity per hour of the day (evening peak)."""
_NO_ITEM = "__no_current_item__"
KNOWN_PURCHASES = 100
"""Purchases per customer a purchase filter considers (fact sheet 1.9: filters consider the
100 most recent interactions per user per event type)."""


@dataclasses.dataclass
class ScenarioResult:
    """Everything a run produced."""

    config: ScenarioConfig
    """The scenario that was played."""
    daily: pd.DataFrame
    """One row per run day (columns in :data:`DAILY_COLUMNS`)."""
    hourly: pd.DataFrame
    """One row per time slice: day, slice, hour, visits, clicks, purchases, revenue."""
    log: EventLog
    """The integer-coded event log (warm-up included); :attr:`events` is its Personalize form."""
    markers: pd.DataFrame
    """Drift events (``day, date, kind, label``) for plots."""
    world: World
    """The catalog and customers of the run."""
    model: Recommender | None
    """The model as it was at the end of the run (``None`` for the ``none`` and ``random`` policies)."""
    notes: list[str] = dataclasses.field(default_factory=list)
    """Things the run could not do as asked, or did in addition (e.g. automatic updates)."""
    versions: pd.DataFrame = dataclasses.field(default_factory=lambda: pd.DataFrame(columns=list(VERSION_COLUMNS)))
    """One row per solution version the run trained (the launch model, then each retrain;
    columns in :data:`VERSION_COLUMNS`); empty for the ``none`` and ``random`` policies."""
    visitors: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Customer index of everyone who visited on a run day (warm-up left out), ascending; events or not.
    Visits are keyed draws, so these are the same customers under every policy of a seed; an event log
    only shows those who did something (pass ``len(visitors)`` to :func:`~workbench.experiments.online_kpis`)."""
    _events: pd.DataFrame | None = dataclasses.field(default=None, repr=False)

    @property
    def events(self) -> pd.DataFrame:
        """The whole interaction log in Personalize format (built on first use, then kept)."""
        if self._events is None:
            self._events = self.log.personalize_frame(self.world.customers.ids, self.world.catalog.ids,
                                                      impressions=self.config.shop.log_impressions)
        return self._events

    def summary(self, last_days: int = 30) -> pd.Series:
        """Means over the whole run and over its last ``last_days`` days of the key metrics."""
        keys = ["revenue", "revenue_per_visit", "uplift_per_visit", "ctr", "conversion_rate", "ndcg_at_10",
                "ndcg_at_10_random", "cold_start_share", "freshness_median_hours"]
        whole = self.daily[keys].mean().add_suffix(" (all days)")
        tail = self.daily[keys].tail(last_days).mean().add_suffix(f" (last {last_days} days)")
        return pd.concat([whole, tail]).rename(self.config.name)


def run_scenario(config: ScenarioConfig | Mapping[str, Any], progress: bool = True,
                 baseline: bool | ScenarioResult | pd.DataFrame | None = None) -> ScenarioResult:
    """Play ``config`` and return its daily metrics, events and markers.

    Args:
        config: a :class:`ScenarioConfig` or its dict form (``ScenarioConfig.from_dict``).
        progress: show a progress bar (terminal, Jupyter or marimo).
        baseline: fill ``incremental_revenue`` / ``uplift_per_visit`` against the ``none``
            policy on the same shop: ``True`` plays that run too, or pass its result (or
            daily frame). ``None`` leaves them NaN (except for the ``none`` policy itself).
    """
    if not isinstance(config, ScenarioConfig):
        config = ScenarioConfig.from_dict(config)
    with _single_thread_blas():
        result = _Run(config).play(progress)
    if baseline is True:
        if config.policy.has("none"):
            baseline = result
        else:
            none = config.replace(policy=Policy(kind="none"), name=f"{config.name} (none)")
            with _single_thread_blas():
                baseline = _Run(none).play(progress)
    if baseline is not None and baseline is not False:
        result.daily = with_baseline(result.daily, baseline)
    return result


def with_baseline(daily: pd.DataFrame, baseline: ScenarioResult | pd.DataFrame) -> pd.DataFrame:
    """``daily`` with ``incremental_revenue`` and ``uplift_per_visit`` against the paired ``none`` run.

    The two runs must be of the same shop and seed: common random numbers give them
    the same visits every day, which is checked.
    """
    base = baseline.daily if isinstance(baseline, ScenarioResult) else baseline
    base = base.set_index("day")
    out = daily.copy()
    other = base.reindex(out["day"])
    if not np.array_equal(other["visits"].to_numpy(), out["visits"].to_numpy()):
        raise ValueError("with_baseline: the baseline run has different visits; pair runs of the same shop and seed.")
    out["incremental_revenue"] = out["total_revenue"].to_numpy() - other["total_revenue"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["uplift_per_visit"] = out["incremental_revenue"] / out["visits"].where(out["visits"] > 0)
    return out


def _single_thread_blas():
    """Run the simulation with one BLAS thread.

    The matrices of a time slice are small, so BLAS threads only add overhead (and
    on a busy machine, spinning threads make it many times slower); one thread also
    keeps floating-point summation order, hence the events, the same everywhere.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def compare_policies(
    shop: ShopConfig, policies: Mapping[str, Policy | Mapping[str, Any]], progress: bool = True,
    seeds: list[int] | tuple[int, ...] | None = None, baseline: bool = True,
) -> pd.DataFrame:
    """Run the same shop under several policies; daily rows of all runs with ``policy`` (and ``seed``) columns.

    Every policy meets the same visits (common random numbers). With ``baseline``
    (default) the ``none`` policy is played once per seed as well, so that
    ``incremental_revenue`` and ``uplift_per_visit`` are filled; include ``"none"`` in
    ``policies`` to get its own rows. ``seeds`` plays the shop once per seed (a ``seed``
    column tells them apart); ``None`` = the shop's own seed only (no ``seed`` column).
    """
    frames = []
    for seed in (seeds if seeds is not None else [None]):
        run_shop = shop if seed is None else dataclasses.replace(shop, seed=int(seed))
        none_daily = None
        if baseline:
            none_cfg = ScenarioConfig(shop=run_shop, policy=Policy(kind="none"), name="none")
            none_daily = run_scenario(none_cfg, progress=progress, baseline=True).daily
        for name, policy in policies.items():
            policy = policy if isinstance(policy, Policy) else Policy.from_dict(policy)
            if policy.has("none") and none_daily is not None:
                daily = none_daily
            else:
                result = run_scenario(ScenarioConfig(shop=run_shop, policy=policy, name=name), progress=progress,
                                      baseline=none_daily)
                daily = result.daily
            daily = daily.assign(policy=name)
            frames.append(daily if seed is None else daily.assign(seed=int(seed)))
    return pd.concat(frames, ignore_index=True)


class _Run:
    """State of one simulation run (see the module docstring for the order of events)."""

    def __init__(self, config: ScenarioConfig) -> None:
        self.config = config
        self.shop = shop = config.shop
        self.policy = config.policy
        self.seed = shop.seed
        self.world = build_world(shop)
        self.state = ShopState.start(self.world)
        self.log = EventLog()
        self.user_ids = self.world.customers.ids
        self.item_ids = self.world.catalog.ids
        self.catalog_index = pd.Index(self.item_ids)
        self._ignored_catalog = np.zeros(len(self.item_ids)) if self.policy.send_impressions else None
        n_users = len(self.user_ids)
        self.last_fed = np.full(n_users, -1, dtype=np.int64)
        self.fed_clock = -1
        self.site_last_item = np.full(n_users, -1, dtype=np.int64)
        self.known = np.full((n_users, KNOWN_PURCHASES), -1, dtype=np.int64)
        self.n_known = np.zeros(n_users, dtype=np.int64)
        self.sessions = 0
        self.lists = 0
        self.model: Recommender | None = None
        self.spec: ModelSpec | None = None
        self.tracker: Any = None
        self.filter: Any = None
        self.notes: list[str] = []
        self.auto_updates = self.policy.has("auto_update")
        self.slice_seconds = SECONDS_PER_DAY // shop.slices_per_day
        self.list_records: list[dict[str, np.ndarray]] = []
        self.day_rows: list[dict[str, Any]] = []
        self.slice_rows: list[tuple] = []
        self.version_rows: list[dict[str, Any]] = []
        self.shows = not self.policy.has("none")
        self.visited = np.zeros(n_users, dtype=bool)

    # ------------------------------------------------------------ main loop
    def play(self, progress: bool) -> ScenarioResult:
        shop = self.shop
        total = shop.warmup_days + shop.days
        with Progress(total, f"{self.config.name}: simulating {total} days", enabled=progress) as bar, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-serve") as self._pool, one_thread():
            for day in range(total):
                self._play_day(day)
                bar.update()
        daily = self._daily_frame()
        if self.policy.has("none"):
            daily["incremental_revenue"] = 0.0
            daily["uplift_per_visit"] = 0.0
        hourly = pd.DataFrame(self.slice_rows, columns=["day", "slice", "hour", "visits", "clicks", "purchases", "revenue"])
        return ScenarioResult(self.config, daily, hourly, self.log, self.world.markers(), self.world, self.model,
                              self.notes, pd.DataFrame(self.version_rows, columns=list(VERSION_COLUMNS)),
                              np.flatnonzero(self.visited))

    def _play_day(self, day: int) -> None:
        shop, policy = self.shop, self.policy
        run_day = day - shop.warmup_days
        day_start = shop.start + day * SECONDS_PER_DAY
        if policy.uses_model:
            if run_day == 0:
                self._train(day_start)
            elif run_day > 0 and policy.has("retrain") and run_day % policy.retrain_every_days == 0:
                self._train(day_start)
        users, times = self._sample_visits(day, day_start)
        if run_day >= 0:
            self.visited[users] = True
        self.counters = dict.fromkeys(("visits", "impressions", "clicks", "add_to_carts", "purchases", "revenue",
                                       "total_revenue", "bounces"), 0.0)
        self.served_today = np.zeros(len(self.item_ids), dtype=bool)
        slice_of = (times - day_start) // self.slice_seconds
        bounds = np.searchsorted(slice_of, np.arange(shop.slices_per_day + 1))
        played = [s for s in range(shop.slices_per_day) if bounds[s + 1] > bounds[s]]
        # a slice's random draws that nothing in it changes (the organic choice's keys, who
        # bounces) are made on the second thread while the slice before is played (same numbers;
        # the reference lists stay here: moved too, their small steps only contend for the GIL)
        self._next_draws = [functools.partial(_slice_draws, self.seed, day, s, users[bounds[s]:bounds[s + 1]],
                                              self.world.catalog.available(day_start + s * self.slice_seconds),
                                              shop.browse_views)
                            for s in played]
        self._draws = None
        for s in range(shop.slices_per_day):
            t_slice = day_start + s * self.slice_seconds
            if run_day >= 0 and self.auto_updates and (s * self.slice_seconds) % (2 * SECONDS_PER_HOUR) == 0:
                self._auto_update(t_slice)
            lo, hi = bounds[s], bounds[s + 1]
            if hi > lo:
                if self._draws is None:  # the day's first slice
                    self._draw_ahead()
                self._play_slice(run_day, day, s, users[lo:hi], times[lo:hi], t_slice)
        if run_day >= 0:
            arrived_after = self.world.customers.arrival_day[users] >= shop.warmup_days
            catalog_size = self.world.catalog.available(day_start + SECONDS_PER_DAY)
            self.day_rows.append({
                **self.counters,
                "day": run_day,
                "date": pd.Timestamp(day_start, unit="s").date(),
                "coverage": self.served_today.sum() / max(catalog_size, 1) if self.shows else np.nan,
                "catalog_size": catalog_size,
                "new_customer_share": arrived_after.mean() if len(users) else np.nan,
            })

    def _sample_visits(self, day: int, day_start: int) -> tuple[np.ndarray, np.ndarray]:
        """Visitors of a day and their arrival times, keyed by (seed, customer, day): the same in every run."""
        cust = self.world.customers
        everyone = np.arange(len(cust))
        active = (cust.arrival_day <= day) & (cust.departure_day > day)
        visiting = np.flatnonzero(active & (crn.uniform(self.seed, "visit", everyone, day) < cust.visit_prob))
        cdf = np.cumsum(_DIURNAL) / _DIURNAL.sum()
        hours = np.minimum(np.searchsorted(cdf, crn.uniform(self.seed, "hour", visiting, day), side="right"), 23)
        seconds = (crn.uniform(self.seed, "second", visiting, day) * SECONDS_PER_HOUR).astype(np.int64)
        times = day_start + hours * SECONDS_PER_HOUR + seconds
        order = np.lexsort((visiting, times))
        return visiting[order], times[order].astype(np.int64)

    def _draw_ahead(self) -> None:
        """Queue the next slice's organic draws on the second thread."""
        self._draws = self._pool.submit(self._next_draws.pop(0)) if self._next_draws else None

    # ---------------------------------------------------------- one slice
    def _play_slice(self, run_day: int, day: int, s: int, users: np.ndarray, times: np.ndarray, t_slice: int) -> None:
        shop = self.shop
        n = len(users)
        n_items = self.world.catalog.available(t_slice)
        serving = self.shows and run_day >= 0
        # the home page lists depend only on what the model learnt before this slice, so they are
        # computed on a second thread while this one works out the visits' utilities (same result)
        home = self._pool.submit(self._serve, users, self.site_last_item[users], n_items, day, 2 * s) \
            if serving else None
        who = Visits(users, day, self.seed, self.state.need_at(users, times, shop.budget_days))
        u = utilities(self.world, self.state, users, t_slice, n_items, item_terms(self.world, t_slice, n_items))
        organic, bounced = self._draws.result()
        choice = organic_choice(u, who, shop.browse_views, slot=s, draws=organic)
        sessions = self.sessions + np.arange(n)
        self.sessions += n
        k = shop.list_length

        # page 1: the home page list
        if serving:
            lists1, fallback1 = home.result()
            fresh1 = self._freshness(users, times)
            ids1 = self.lists + np.arange(n)
            self.lists += n
            ev1, _ = react_to_lists(u, lists1, who, page=1, noise=shop.noise)
        else:
            ev1 = Events.empty()
        page1_end = np.zeros(n)
        np.maximum.at(page1_end, ev1.visit, ev1.offset + np.nan_to_num(ev1.dwell))
        stay = np.flatnonzero(~bounced)
        lowered = None
        boredom = shop.effective_boredom
        if boredom > 0:
            bought1 = ev1.kind == PURCHASE
            lowered = (ev1.visit[bought1], ev1.item[bought1], boredom)
        self._consume(ev1, users, times)
        who.need = self.state.need_at(users, times + page1_end, shop.budget_days)
        evb, browse_end = browse(u, choice, stay, page1_end, who, k, shop.noise, lowered)
        self._consume(evb, users, times)
        first = _concat(ev1, evb)
        first_lists = np.where(first.position >= 0, (ids1[first.visit] if serving else -1), -1)
        fed_first = self._record(first, users, times.astype(float), sessions, first_lists, u,
                                 lists1 if serving else None, ids1 if serving else None)

        m = min(10, k)
        page2 = None
        if serving and len(stay):  # the product page lists (after the first page's tracked events)
            t2 = times[stay] + browse_end[stay] + 20.0
            page2 = self._pool.submit(self._serve, users[stay], self.site_last_item[users[stay]], n_items, day,
                                      2 * s + 1)
        self._draw_ahead()
        if run_day >= 0:  # the truth of every list: the visit's organic choice, and the chance level
            truth_rows, truth_items = choice.truth()
            ref1 = _random_lists(self.seed, "random_list", day, 2 * s, n, n_items, k)
            rand1 = list_metrics(ref1, truth_rows, truth_items, k=m)
            metrics1 = list_metrics(lists1, truth_rows, truth_items, k=m) if serving else None
        # page 2: the product page list, after the first page's events (if tracked)
        ev2 = Events.empty()
        if run_day >= 0 and len(stay):
            position = np.full(n, -1, dtype=np.int64)
            position[stay] = np.arange(len(stay))
            truth2 = (position[truth_rows], truth_items)
            keep = truth2[0] >= 0
            truth2 = (truth2[0][keep], truth2[1][keep])
            ref2 = _random_lists(self.seed, "random_list", day, 2 * s + 1, len(stay), n_items, k)
            rand2 = list_metrics(ref2, *truth2, k=m)
        if page2 is not None:
            lists2, fallback2 = page2.result()
            fresh2 = self._freshness(users[stay], t2)
            ids2 = self.lists + np.arange(len(stay))
            self.lists += len(stay)
            need2 = self.state.need_at(users[stay], t2, shop.budget_days)
            ev2, _ = react_to_lists(u[stay], lists2, Visits(users[stay], day, self.seed, need2), page=2,
                                    noise=shop.noise)
            ev2.visit = stay[ev2.visit]
            base2 = np.zeros(n)
            base2[stay] = t2
            self._consume(ev2, users, base2)
            lists2_full = np.full((n, k), -1, dtype=np.int64)
            lists2_full[stay] = lists2
            ids2_full = np.full(n, -1, dtype=np.int64)
            ids2_full[stay] = ids2
            self._record(ev2, users, base2, sessions, np.where(ev2.position >= 0, ids2_full[ev2.visit], -1), u,
                         lists2_full, ids2_full)

            # what the customer could have seen of their last hour: this visit's first-page events
            n_before = np.bincount(first.visit, minlength=n)[stay].astype(float)
            n_fed = np.bincount(first.visit[fed_first], minlength=n)[stay].astype(float) if len(first) else n_before * 0
            with np.errstate(invalid="ignore", divide="ignore"):
                last_hour = np.where(n_before > 0, n_fed / n_before, np.nan)
            self._keep_lists(run_day, lists2, fallback2, fresh2, last_hour, list_metrics(lists2, *truth2, k=m), rand2)
        elif run_day >= 0 and len(stay):
            self._keep_lists(run_day, None, None, None, None, None, rand2)
        if serving:
            self._keep_lists(run_day, lists1, fallback1, fresh1, np.full(n, np.nan), metrics1, rand1)
        elif run_day >= 0:
            self._keep_lists(run_day, None, None, None, None, None, rand1)
        if run_day >= 0:
            self._count(run_day, s, t_slice, n, bounced, _concat(first, ev2))

    def _consume(self, ev: Events, users: np.ndarray, base: np.ndarray) -> None:
        """Purchases of a step of the visits use up the customers' demand (before the next step)."""
        bought = ev.kind == PURCHASE
        if bought.any():
            self.state.consume(users[ev.visit[bought]], base[ev.visit[bought]] + ev.offset[bought],
                               self.shop.effective_substitution, self.shop.budget_days)

    def _record(self, ev: Events, users, base, sessions, list_ids, u, lists, ids) -> np.ndarray:
        """Log events, update the hidden state, feed the tracker; returns which events the next lists reflect."""
        if len(ev) == 0:
            return np.zeros(0, dtype=bool)
        order = np.lexsort((ev.offset, ev.visit))  # time order inside each visit
        visit, item, kind = ev.visit[order], ev.item[order], ev.kind[order]
        list_ids = list_ids[order]
        who = users[visit]
        ts = (base[visit] + ev.offset[order]).astype(np.int64)
        value = np.where(kind == PURCHASE, self.world.catalog.price[item], np.nan)
        self.log.add(user=who, item=item, ts=ts, kind=kind, value=value, session=sessions[visit],
                     list_id=list_ids, dwell=ev.dwell[order], scroll=ev.scroll[order])
        if lists is not None and self.shop.log_impressions:
            used = np.unique(visit[list_ids >= 0])
            self.log.add_impressions(ids[used], lists[used])
        # the site remembers the product page each visit ended on (query of item-based widgets)
        engaged = kind <= CLICK
        eng_who, eng_item = who[engaged], item[engaged]
        last = len(eng_who) - 1 - np.unique(eng_who[::-1], return_index=True)[1]
        self.site_last_item[eng_who[last]] = eng_item[last]
        bought = kind == PURCHASE
        if bought.any():
            self.state.record_purchases(who[bought], item[bought], ts[bought])
            boredom = self.shop.effective_boredom
            if boredom:
                np.subtract.at(u, (visit[bought], item[bought]), np.float32(boredom))
            if self.policy.has("random"):  # the random widget reads the shop's own orders
                self._remember_purchases(who[bought], item[bought])
        fed = np.zeros(len(ev), dtype=bool)
        if self.model is not None and self.policy.has("event_tracker"):
            fed = coded_training_mask(kind, value, self.policy)
        if fed.any() and hasattr(self.model, "track_inner"):  # inner-index fast path: no id strings
            cols = self._catalog_to_inner()[item[fed]]
            rows = self._model_rows(who[fed], register=True)
            ok = cols >= 0
            codes = kind[fed][ok]
            self.model.track_inner(rows[ok], cols[ok], ts[fed][ok], EVENT_NAMES[codes],
                                   weights=self._weights_by_code[codes])
            if not ok.all():  # items added since the last automatic update wait for the next one
                late = np.flatnonzero(fed)[~ok]
                self.model.track(self.user_ids[who[late]], self.item_ids[item[late]], ts[late], EVENT_NAMES[kind[late]])
        elif fed.any():
            self.tracker.record_frame(interactions_frame(self.user_ids, self.item_ids, who[fed], item[fed], ts[fed],
                                                         kind[fed], value[fed]))
        if fed.any() and lists is not None and self.policy.send_impressions:
            self._send_impressions(visit, ev.position[order], fed & (list_ids >= 0), lists)
        if fed.any():
            # filters see tracked purchases within seconds, whatever the recipe (fact sheet 3.2)
            bought_fed = fed & bought
            self._remember_purchases(who[bought_fed], item[bought_fed])
        # only a real-time model's lists reflect tracked events (freshness, last-hour share);
        # the others learn them at the next retrain
        reflected = fed if getattr(self.model, "realtime", False) else np.zeros_like(fed)
        if reflected.any():
            np.maximum.at(self.last_fed, who[reflected], ts[reflected])
            self.fed_clock = max(self.fed_clock, int(ts[reflected].max()))
        in_original_order = np.empty_like(reflected)
        in_original_order[order] = reflected
        return in_original_order

    def _send_impressions(self, visit: np.ndarray, position: np.ndarray, sent: np.ndarray, lists: np.ndarray) -> None:
        """Implicit impressions: the lists that tracked events came from, and which of their slots were chosen."""
        if not sent.any():
            return
        chosen = np.zeros(lists.shape, dtype=bool)
        chosen[visit[sent], position[sent]] = True
        used = np.unique(visit[sent])
        shown = lists[used]
        inner = np.where(shown >= 0, self._catalog_to_inner()[np.maximum(shown, 0)], -1)
        self.model.record_impressions_inner(inner, chosen[used])
        # the impressions are in the dataset from now on: the next FULL version learns them all, also
        # those of items the campaign did not know yet when they were shown
        np.add.at(self._ignored_catalog, shown[(shown >= 0) & ~chosen[used]], 1.0)

    # ------------------------------------------------------------ serving
    def _serve(self, users: np.ndarray, current_items: np.ndarray, n_items: int, day: int,
               slot: int) -> tuple[np.ndarray, np.ndarray]:
        """Lists (catalog codes, -1 padded) and fallback flags for one page of visits.

        With ``Policy.exclude == "purchased"`` the model is asked for a few more items
        and those the dataset knows the customer bought are dropped (a purchase filter).
        """
        k = self.shop.list_length
        bought = self._known_purchases(users) if self.policy.exclude == "purchased" else None
        if self.policy.has("random"):
            lists = _random_lists(self.seed, "random_policy", day, slot, len(users), n_items, k, bought)
            return lists, np.full(len(users), np.nan)
        fast = self.spec.mode == "user" and self.filter is None and hasattr(self.model, "recommend_inner")
        if fast:  # the purchase filter goes straight into the model's top-k
            inner_map = self._catalog_to_inner()
            exclude = None if bought is None or bought.shape[1] == 0 else inner_map[bought]
            inner, fallback = self.model.recommend_inner(self._model_rows(users, register=False), n=k,
                                                         exclude_seen=self.policy.exclude == "seen",
                                                         exclude_items=exclude)
            lists = np.full((len(users), k), -1, dtype=np.int64)
            lists[:, : inner.shape[1]] = np.where(inner >= 0, self._vocab_to_catalog()[np.maximum(inner, 0)], -1)
            lists[lists >= n_items] = -1
            return lists, fallback.astype(float)
        extra = 0 if bought is None else min(bought.shape[1], 50)
        lists, fallback = self._ask(users, current_items, k + extra)
        lists[lists >= n_items] = -1  # never show an item before it exists
        if bought is not None and extra:
            hit = (lists[:, :, None] == bought[:, None, :]).any(axis=2) & (lists >= 0)
            lists[hit] = -1
            lists = _compact(lists, k)
        return lists[:, :k], fallback.astype(float)

    def _ask(self, users: np.ndarray, current_items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        lists = np.full((len(users), n), -1, dtype=np.int64)
        fallback = np.zeros(len(users), dtype=bool)
        exclude_seen = self.policy.exclude == "seen"
        if self.spec.mode == "item":
            query = np.where(current_items >= 0, self.item_ids[np.maximum(current_items, 0)], _NO_ITEM)
            unique, inverse = np.unique(query.astype(str), return_inverse=True)
            recs = self.model.similar_items(unique, n=n)
            row = pd.Index(unique).get_indexer(recs[QUERY_ITEM_ID])
            per_query = np.full((len(unique), n), -1, dtype=np.int64)
            per_query[row, recs[RANK].to_numpy() - 1] = self.catalog_index.get_indexer(recs[ITEM_ID])
            flags = np.zeros(len(unique), dtype=bool)
            flags[row] = recs[FALLBACK].to_numpy(dtype=bool)
            return per_query[inverse], flags[inverse]
        raw = self.user_ids[users]
        recs = self.model.recommend(raw, n=n, exclude_seen=exclude_seen, filter=self.filter,
                                    filter_values=self.policy.filter_values)
        row = pd.Index(raw).get_indexer(recs[USER_ID])
        lists[row, recs[RANK].to_numpy() - 1] = self.catalog_index.get_indexer(recs[ITEM_ID])
        fallback[row] = recs[FALLBACK].to_numpy(dtype=bool)
        return lists, fallback

    def _known_purchases(self, users: np.ndarray) -> np.ndarray:
        """``(len(users), w)`` catalog codes the purchase filter knows per user (-1 padded)."""
        width = int(min(self.n_known[users].max(initial=0), KNOWN_PURCHASES))
        return self.known[users, :width]

    def _remember_purchases(self, users: np.ndarray, items: np.ndarray) -> None:
        """Purchases the dataset knows (what a purchase filter can act on): the newest 100 per user."""
        if len(users) == 0:
            return
        rank = _rank_within(users)
        total = np.bincount(users, minlength=len(self.n_known))[users]
        keep = rank >= total - KNOWN_PURCHASES  # within one batch, only the newest can stay
        users, items, rank = users[keep], items[keep], rank[keep]
        self.known[users, (self.n_known[users] + rank) % KNOWN_PURCHASES] = items
        np.add.at(self.n_known, users, 1)

    def _model_rows(self, customers: np.ndarray, register: bool) -> np.ndarray:
        """The model's inner user index of each customer (``-1``: unknown to the model), cached per vocabulary.

        ``register=True`` adds customers the model has not met yet (what tracking their
        event does); otherwise they stay unknown and get the model's fallback list.
        """
        vocab = self.model.user_vocab
        if getattr(self, "_rows_vocab", None) is not vocab:  # a new fit: new inner indices
            self._rows_of = np.full(len(self.user_ids), -1, dtype=np.int64)
            self._rows_vocab = vocab
        rows = self._rows_of[customers]
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            raw = self.user_ids[customers[missing]]
            found = self.model.user_rows(raw) if register else vocab.to_inner(raw)
            rows[missing] = found
            self._rows_of[customers[missing]] = found
        return rows

    def _catalog_to_inner(self) -> np.ndarray:
        """The model's inner item index of each catalog code (-1 = unknown to the model; index -1 -> -1)."""
        to_catalog = self._vocab_to_catalog()
        if getattr(self, "_inner_map_for", None) is not to_catalog:
            self._inner_map = np.full(len(self.item_ids) + 1, -1, dtype=np.int64)
            ok = to_catalog >= 0
            self._inner_map[to_catalog[ok]] = np.flatnonzero(ok)
            self._inner_map_for = to_catalog
        return self._inner_map

    def _vocab_to_catalog(self) -> np.ndarray:
        """Catalog code of each of the model's inner item indices (cached until the vocabulary grows)."""
        vocab = self.model.item_vocab
        if getattr(self, "_mapped_vocab", None) is not vocab or len(self._vocab_map) != len(vocab):
            self._vocab_map = self.catalog_index.get_indexer(pd.Index(vocab.ids, dtype=object))
            self._mapped_vocab = vocab
        return self._vocab_map

    def _freshness(self, users: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Hours between ``t`` and the newest event the serving model had learned (NaN with no model:
        a ``random`` list reflects no event, so it has no age)."""
        if self.fed_clock < 0:
            return np.full(len(users), np.nan)
        newest = np.where(self.last_fed[users] >= 0, self.last_fed[users], self.fed_clock)
        return (t - newest) / SECONDS_PER_HOUR

    # ------------------------------------------------------------ learning
    def _train(self, t: int) -> None:
        """Full (re)training on every logged event the policy allows, catalog and users as of ``t``.

        A retrain stands for a new FULL solution version *and* the campaign update that
        serves it (fact sheet 2.5: a new version is not served until the campaign is updated).
        The version learns from every logged event (or, with ``Policy.training_window_days``, from
        those of the last N days; the purchase memory is rebuilt from the same events); a model
        with ``warm_start_epochs`` (set by :func:`~workbench.sim.policies.make_model` for
        ``retrain`` policies) starts its ALS base from the previous version's factors, which is
        how the simulator keeps weekly retraining affordable over a long run, not a claim about
        how the service trains.
        """
        started = time.perf_counter()
        a = self.log.arrays()
        mask = coded_training_mask(a["kind"], a["value"], self.policy)
        window = self.policy.training_window_days
        if window is not None:
            mask &= a["ts"] >= t - int(window) * SECONDS_PER_DAY
        if not mask.any():
            raise ValueError(
                f"scenario {self.config.name!r}: no logged event passes the policy's training_event_types="
                f"{self.policy.training_event_types} / event_value_threshold={self.policy.event_value_threshold}"
                f" / training_window_days={window}; the model cannot be trained. Loosen the subset, widen the "
                "window or lengthen warmup_days."
            )
        training = self.log.coded(self.user_ids, self.item_ids, mask)  # integer codes: no id strings
        if self.model is None:
            self.model, self.spec = make_model(self.policy)
            self._weights_by_code = self.model.event_weight(EVENT_NAMES)  # per event-type code, once
            if self.policy.filter:
                from ..recommenders.filters import as_filter

                self.filter = as_filter(self.policy.filter)
            if self.policy.has("event_tracker") and not self.auto_updates and hasattr(self.model, "auto_update"):
                self.auto_updates = True
                self.notes.append(
                    f"{type(self.model).__name__} campaigns get the 2-hourly automatic updates with or without an "
                    "event tracker (Personalize Developer Guide, page how-new-data-influences-recommendations), so "
                    "'event_tracker' also runs 'auto_update'.")
        self.model.fit(training, items=self.world.items_at(t), users=self.world.users_at(t))
        self._catalog_known = self.world.catalog.available(t)
        ignored = self._ignored_catalog
        if ignored is not None and ignored.any():  # a FULL version learns the dataset's impressions too
            codes = np.flatnonzero(ignored)
            cols = self._catalog_to_inner()[codes]
            ok = cols >= 0
            self.model.add_ignored_inner(cols[ok], ignored[codes[ok]])
        self.known[:] = -1
        self.n_known[:] = 0
        bought = mask & (a["kind"] == PURCHASE)
        order = np.argsort(a["ts"][bought], kind="stable")
        self._remember_purchases(a["user"][bought][order], a["item"][bought][order])
        trained_ts = a["ts"][mask]
        self.last_fed[:] = -1
        np.maximum.at(self.last_fed, a["user"][mask], trained_ts)
        self.fed_clock = int(trained_ts.max())
        if self.policy.has("event_tracker") and self.tracker is None and not hasattr(self.model, "track_inner"):
            self.tracker = _make_tracker(self.model)
        self.version_rows.append({
            "day": (t - self.shop.start) // SECONDS_PER_DAY - self.shop.warmup_days,
            "logged_events": len(a["ts"]),
            "trained_events": len(trained_ts),
            "first_trained": pd.Timestamp(int(trained_ts.min()), unit="s"),
            "train_seconds": time.perf_counter() - started,
        })

    def _auto_update(self, t: int) -> None:
        """The 2-hourly automatic update; only the items added since the last update (or training) are passed."""
        if hasattr(self.model, "auto_update"):
            n = self.world.catalog.available(t)
            pending = getattr(self.model, "_unknown_item_events", None)
            if n <= self._catalog_known and pending is not None and not pending and hasattr(self.model, "now_"):
                # nothing new since the last update: the update would only advance the model's clock
                self.model.now_ = max(self.model.now_, float(t))
                return
            fresh = self.world.catalog.frame.iloc[self._catalog_known:n] if n > self._catalog_known else None
            self.model.auto_update(items=fresh, now=t)
            self._catalog_known = max(self._catalog_known, n)
        elif not any("no automatic update" in note for note in self.notes):
            self.notes.append(f"{type(self.model).__name__} has no automatic update; 'auto_update' did nothing.")

    # ------------------------------------------------------------ metrics
    def _keep_lists(self, run_day, lists, fallback, fresh, last_hour, truth, random_truth) -> None:
        n = len(random_truth["ndcg"])
        nan = np.full(n, np.nan)
        if lists is not None:
            self.served_today[lists[lists >= 0]] = True
        self.list_records.append({
            "day": np.full(n, run_day), "fallback": nan if fallback is None else fallback,
            "fresh": nan if fresh is None else fresh, "last_hour": nan if last_hour is None else last_hour,
            "ndcg": nan if truth is None else truth["ndcg"], "recall": nan if truth is None else truth["recall"],
            "precision": nan if truth is None else truth["precision"],
            "shown": np.zeros(n) if lists is None else (lists >= 0).sum(axis=1),
            "ndcg_random": random_truth["ndcg"], "recall_random": random_truth["recall"],
        })

    def _count(self, run_day, s, t_slice, n, bounced, events: Events) -> None:
        """Add one slice of a run day (all events of its visits) to the day's counters and the hourly rows."""
        from_list = events.position >= 0
        price = self.world.catalog.price
        bought = events.kind == PURCHASE
        rec_clicks = int((from_list & (events.kind == CLICK)).sum())
        rec_buys = from_list & bought
        revenue = float(price[events.item[rec_buys]].sum())
        c = self.counters
        c["visits"] += n
        c["bounces"] += int(bounced.sum())
        c["clicks"] += rec_clicks
        c["add_to_carts"] += int((from_list & (events.kind == ADD_TO_CART)).sum())
        c["purchases"] += int(rec_buys.sum())
        c["revenue"] += revenue
        c["total_revenue"] += float(price[events.item[bought]].sum())
        self.slice_rows.append((run_day, s, (t_slice % SECONDS_PER_DAY) // SECONDS_PER_HOUR, n, rec_clicks,
                                int(rec_buys.sum()), revenue))

    def _daily_frame(self) -> pd.DataFrame:
        days = pd.DataFrame(self.day_rows)
        if days.empty:
            return pd.DataFrame(columns=list(DAILY_COLUMNS))
        lists = pd.DataFrame({k: np.concatenate([r[k] for r in self.list_records]) for k in self.list_records[0]})
        grouped = lists.groupby("day")
        per_day = pd.DataFrame({
            "impressions": grouped["shown"].sum(),
            "ndcg_at_10": grouped["ndcg"].mean(),
            "recall_at_10": grouped["recall"].mean(),
            "precision_at_10": grouped["precision"].mean(),
            "ndcg_at_10_random": grouped["ndcg_random"].mean(),
            "recall_at_10_random": grouped["recall_random"].mean(),
            "cold_start_share": grouped["fallback"].mean(),
            "freshness_median_hours": grouped["fresh"].median(),
            "freshness_p90_hours": grouped["fresh"].quantile(0.9),
            "last_hour_share": grouped["last_hour"].mean(),
        })
        days = days.drop(columns=["impressions"]).merge(per_day, left_on="day", right_index=True, how="left")
        days["impressions"] = days["impressions"].fillna(0).astype(np.int64)
        visits = days["visits"].where(days["visits"] > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            days["ctr"] = days["clicks"] / days["impressions"].where(days["impressions"] > 0)
            days["conversion_rate"] = days["purchases"] / days["clicks"].where(days["clicks"] > 0)
            days["purchases_per_visit"] = days["purchases"] / visits
            days["revenue_per_visit"] = days["total_revenue"] / visits
            days["bounce_rate"] = days["bounces"] / visits
        days["incremental_revenue"] = np.nan
        days["uplift_per_visit"] = np.nan
        for column in ("visits", "clicks", "add_to_carts", "purchases"):
            days[column] = days[column].astype(np.int64)
        return days[list(DAILY_COLUMNS)].reset_index(drop=True)


def _slice_draws(seed: int, day: int, s: int, users: np.ndarray, n_items: int,
                 mean_views: float) -> tuple[tuple[np.ndarray, np.ndarray | None], np.ndarray]:
    """The draws of one slice that nothing in the slice changes: its organic keys and who bounces."""
    return organic_draws(seed, day, s, len(users), n_items, mean_views), bounces(Visits(users, day, seed))


def _random_lists(seed: int, purpose: str, day: int, slot: int, n: int, n_items: int, k: int,
                  exclude: np.ndarray | None = None) -> np.ndarray:
    """``(n, k)`` uniformly random lists of distinct items below ``n_items`` (keyed; -1 padded).

    Items in ``exclude`` (per row, -1 padded) are left out.
    """
    rng = crn.slice_generator(seed, purpose, day, slot)
    width = 0 if exclude is None else exclude.shape[1]
    m = min(2 * k + width, max(n_items, 1) * 2)
    draws = rng.integers(0, max(n_items, 1), (n, m)) if n_items else np.full((n, m), -1)
    keys = rng.random((n, m))  # a shuffle of each row
    skip = np.zeros((n, 0), dtype=np.int64) if exclude is None else np.ascontiguousarray(exclude, dtype=np.int64)
    return random_list_rows(draws, keys, skip, k)


def _compact(lists: np.ndarray, k: int) -> np.ndarray:
    """Shift the remaining items of each row to the front (keeping their order), first ``k`` columns."""
    order = np.argsort(lists < 0, axis=1, kind="stable")
    out = np.take_along_axis(lists, order, axis=1)[:, :k]
    if out.shape[1] < k:
        out = np.concatenate([out, np.full((len(out), k - out.shape[1]), -1, dtype=out.dtype)], axis=1)
    return out


def _concat(a: Events, b: Events) -> Events:
    return Events(*(np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in dataclasses.fields(Events)))


def _make_tracker(model: Recommender) -> Any:
    """An EventTracker attached to ``model`` (imported on first use: it loads botocore)."""
    from ..personalize import EventTracker

    return EventTracker(name="sim-event-tracker").attach(model)
