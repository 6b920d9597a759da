"""Statistical top lists: the same ranked list for every visitor.

These are the "통계형" lists of the DATAHERE document (DH-14) and the
non-personalised recipes of Amazon Personalize. Each list answers one question
about the catalogue and ignores who is asking:

===========================  ===============================================  =========
class                        question                                         realtime
===========================  ===============================================  =========
:class:`TrendingNow`         which items gather events fastest right now?      yes
:class:`MostViewed`          which items were viewed most in the last hours?  yes
:class:`BestSellers`         which items were bought most?                    no
:class:`BestConversion`      which items turn views into purchases best?      no
:class:`BestRecommendationCTR`  which items get clicked when recommended?     no
:class:`BestRecommendationInflow`  which items get their traffic from recs?   no
===========================  ===============================================  =========

Count lists share one rule (:class:`CountListConfig`): an event of a counted type
that is at most ``window_hours`` old adds ``weight * 0.5 ** (age / half_life_hours)``
to its item, where ``age`` is measured from the newest event the model knows.
Rate lists share another (:class:`RateListConfig`): a numerator count is divided
by a denominator count after adding ``smoothing`` pseudo-observations at the
catalogue-wide rate. Items with a count of 0 stay in the list, ranked last with
score 0 (so lists are full); items without a rate (too few observations) are left out.

Real time: Personalize's Trending-Now recipe recomputes trends from incoming
events without training, so :class:`TrendingNow` is real-time; the DATAHERE
"most viewed in real time" list is too. The other lists are recomputed by
``fit`` (like Popularity-Count, which learns new events only after retraining).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
import pandas as pd

from ..constants import (
    EVENT_ATTRIBUTION_SOURCE,
    EVENT_CLICK,
    EVENT_PURCHASE,
    EVENT_TYPE,
    EVENT_VIEW,
    IMPRESSION,
    ITEM_ID,
    RECOMMENDATION_ID,
    SECONDS_PER_HOUR,
)
from ..errors import DatasetError
from .base import Recommender, RecommenderConfig
from .event_utils import (
    DeferredSeen,
    attributed_to_recommendation,
    event_type_array,
    event_types_of,
    extend_items,
    require_event_type,
    showings,
    timestamps_of,
)

__all__ = [
    "BestConversion",
    "BestConversionConfig",
    "BestRecommendationCTR",
    "BestRecommendationCTRConfig",
    "BestRecommendationInflow",
    "BestRecommendationInflowConfig",
    "BestSellers",
    "BestSellersConfig",
    "CountListConfig",
    "MostViewed",
    "MostViewedConfig",
    "RateListConfig",
    "TrendingNow",
    "TrendingNowConfig",
    "decayed_counts",
    "smoothed_rate",
]


def decayed_counts(
    items: np.ndarray,
    times: np.ndarray,
    weights: np.ndarray,
    n_items: int,
    now: float,
    window_hours: float | None,
    half_life_hours: float | None,
) -> np.ndarray:
    """Per-item sum of ``weights``, discounted by age and cut at a window.

    An event of age ``a = now - t`` (seconds) contributes
    ``weight * 0.5 ** (a / (3600 * half_life_hours))`` if ``a <= 3600 * window_hours``.

    Edge cases: ``window_hours=None`` keeps every event; ``half_life_hours=None``
    means no decay (plain counts); events newer than ``now`` (negative age) are
    counted with age 0 rather than weighted above 1.

    Args:
        items: inner item index of every event.
        times: event times in epoch seconds.
        weights: event weights (1 for plain counts).
        n_items: length of the returned array.
        now: the reference time in epoch seconds.
        window_hours: oldest age that still counts, in hours.
        half_life_hours: age at which an event counts half, in hours.

    Returns:
        A float array of length ``n_items``.
    """
    age = np.maximum(now - np.asarray(times, dtype=float), 0.0)
    keep = np.ones(len(age), dtype=bool) if window_hours is None else age <= window_hours * SECONDS_PER_HOUR
    w = np.asarray(weights, dtype=float)[keep]
    if half_life_hours is not None:
        w = w * np.power(0.5, age[keep] / (half_life_hours * SECONDS_PER_HOUR))
    return np.bincount(np.asarray(items)[keep], weights=w, minlength=n_items).astype(float)


def smoothed_rate(numerator: np.ndarray, denominator: np.ndarray, smoothing: float) -> tuple[np.ndarray, float]:
    """Rates shrunk toward the overall rate by ``smoothing`` pseudo-observations.

    ``rate_i = (num_i + m * prior) / (den_i + m)`` with ``prior = sum(num) / sum(den)``
    and ``m = smoothing``. An item with few observations sits near the prior; with
    many it approaches its raw rate ``num_i / den_i``.

    Edge cases: ``m = 0`` gives raw rates and NaN where ``den_i = 0``; a zero total
    denominator gives prior 0. Rates can exceed 1 when the numerator counts events
    that were not also logged in the denominator (e.g. purchases without a view).

    Returns:
        ``(rates, prior)``.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    total = den.sum()
    prior = float(num.sum() / total) if total > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = (num + smoothing * prior) / (den + smoothing)
    return rates, prior


# -------------------------------------------------------------- base class
class _TopList(Recommender):
    """A list that is identical for every user: ``item_scores_`` is the whole model."""

    item_scores_: np.ndarray

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        return np.tile(self.item_scores_, (len(users), 1))

    def _fallback_scores(self, raw_user_ids, session) -> np.ndarray:
        return np.tile(self.item_scores_, (len(raw_user_ids), 1))

    def _explain(self, user_id: str, item_id: str) -> str:
        idx = self.item_vocab.to_inner([item_id])[0]
        return self._describe(int(idx)) if idx >= 0 else f"{item_id} is not in {self.name}'s catalogue."

    def explain(self, user_id: object, item_id: object) -> str:
        """Same sentence for known and unknown users: the list is not personal."""
        self._check_fitted()
        return self._explain(str(user_id), str(item_id))

    def _describe(self, idx: int) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


# ----------------------------------------------------------- count lists
@dataclasses.dataclass
class CountListConfig(RecommenderConfig):
    """Settings shared by the count lists (:class:`TrendingNow`, :class:`MostViewed`, :class:`BestSellers`)."""

    event_types: tuple[str, ...] | None = None
    """EVENT_TYPE values that count (lower case); ``None`` counts every event."""

    window_hours: float | None = None
    """Only events at most this many hours older than the newest event count; ``None`` = all history."""

    half_life_hours: float | None = None
    """Age in hours at which an event counts half; ``None`` = no decay (plain counts)."""

    weighted: bool = False
    """Weigh events by ``event_weights`` (purchase > click > view) instead of counting each as 1."""


class _CountList(_TopList):
    Config = CountListConfig
    config: CountListConfig
    noun: ClassVar[str] = "events"

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        if self.config.event_types is not None:
            require_event_type(interactions, self.name, tuple(self.config.event_types))
        self._items = np.zeros(0, dtype=np.int64)
        self._times = np.zeros(0)
        self._weights = np.zeros(0)
        self._all_time = np.zeros(len(self.item_vocab))
        self.now_ = -np.inf
        self._add_events(interactions)

    def _counted(self, events: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the events whose type is counted."""
        if self.config.event_types is None:
            return np.ones(len(events), dtype=bool)
        if EVENT_TYPE not in events.columns:
            return np.zeros(len(events), dtype=bool)
        wanted = {str(t).lower() for t in self.config.event_types}
        return np.isin(event_type_array(events), list(wanted))

    def _add_events(self, events: pd.DataFrame) -> None:
        times = timestamps_of(events)
        if len(times):
            self.now_ = max(self.now_, float(times.max()))
        counted = self._counted(events)
        idx = self.item_vocab.to_inner(events[ITEM_ID])
        ok = counted & (idx >= 0)
        w = self._event_weights_of(events) if self.config.weighted else np.ones(len(events))
        grown = len(self.item_vocab) - len(self._all_time)
        if grown:
            self._all_time = np.concatenate([self._all_time, np.zeros(grown)])
        self._all_time += np.bincount(idx[ok], weights=w[ok], minlength=len(self.item_vocab))
        self._items = np.concatenate([self._items, idx[ok]])
        self._times = np.concatenate([self._times, times[ok]])
        self._weights = np.concatenate([self._weights, w[ok]])
        if self.config.window_hours is not None:  # events older than the kept span never count again
            span = self.config.window_hours * (2 if self._growth else 1)
            fresh = self._times >= self.now_ - span * SECONDS_PER_HOUR
            self._items, self._times, self._weights = self._items[fresh], self._times[fresh], self._weights[fresh]
        self._recompute()

    @property
    def _growth(self) -> bool:
        return getattr(self.config, "mode", "decayed") == "growth" and self.config.window_hours is not None

    def _recompute(self) -> None:
        n = len(self.item_vocab)
        if self._growth:
            window = self.config.window_hours
            recent = decayed_counts(self._items, self._times, self._weights, n, self.now_, window, None)
            both = decayed_counts(self._items, self._times, self._weights, n, self.now_, 2 * window, None)
            self.window_empty_ = not np.any(recent > 0)
            scores = recent - (both - recent)  # this window's count minus the previous window's
        else:
            scores = decayed_counts(self._items, self._times, self._weights, n, self.now_,
                                    self.config.window_hours, self.config.half_life_hours)
            self.window_empty_ = not np.any(scores > 0)
        # Like Trending-Now with no recent data: show the all-time counts instead of nothing.
        self.item_scores_ = self._all_time.copy() if self.window_empty_ else scores

    def _update(self, events: pd.DataFrame, new_items: np.ndarray) -> None:
        extend_items(self, new_items)
        self._track_seen(events)
        self._add_events(events)

    def _describe(self, idx: int) -> str:
        score = self.item_scores_[idx]
        if self.window_empty_:
            return f"No {self.noun} in the last {self.config.window_hours:g} h, so this list shows all-time counts: {score:.0f}."
        window = "" if self.config.window_hours is None else f" in the last {self.config.window_hours:g} h"
        if self._growth:
            return (f"{self.name}: {score:+.0f} {self.noun} in the last {self.config.window_hours:g} h "
                    "compared with the window before.")
        if self.config.half_life_hours is None:
            return f"{self.name}: {score:.0f} {self.noun}{window}."
        return (f"{self.name}: {score:.2f} recent {self.noun}{window} "
                f"(each counts half after {self.config.half_life_hours:g} h).")


@dataclasses.dataclass
class TrendingNowConfig(CountListConfig):
    """Settings of :class:`TrendingNow` (see :class:`CountListConfig` for the rule)."""

    window_hours: float | None = 72.0
    """Only events from the last ``window_hours`` count."""

    half_life_hours: float | None = 24.0
    """An event this many hours old counts half; twice as old, a quarter (``mode="decayed"`` only)."""

    mode: str = "decayed"
    """``"decayed"``: time-decayed count in the window. ``"growth"``: count in the last window minus the
    count in the window before it, so a steady seller scores about 0 and a rising item scores high."""


class TrendingNow(DeferredSeen, _CountList):
    """Items with the most recent, time-decayed activity -- updated from tracked events.

    Personalize's Trending-Now recipe finds items whose popularity rises fastest
    and re-evaluates them from incoming events at a configurable interval,
    without training. This model keeps the idea in its simplest teachable form:
    a decayed event count over a window, recomputed on every :meth:`update`
    (``mode="growth"`` ranks by the change from the previous window instead).
    When no event falls in the window it shows all-time counts (Trending-Now
    likewise falls back to popular items when recent intervals are empty).
    """

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        if self.config.mode not in ("decayed", "growth"):
            raise ValueError(f"TrendingNowConfig.mode must be 'decayed' or 'growth', not {self.config.mode!r}")
        super()._fit(interactions, items, users)

    Config = TrendingNowConfig
    config: TrendingNowConfig
    realtime = True
    fallback_description = "items trending right now (the same list for everyone)"
    noun = "events"


@dataclasses.dataclass
class MostViewedConfig(CountListConfig):
    """Settings of :class:`MostViewed`."""

    event_types: tuple[str, ...] | None = (EVENT_VIEW,)
    """Event types counted as views."""

    window_hours: float | None = 24.0
    """Views from the last ``window_hours`` count (``None`` = all time)."""


class MostViewed(DeferredSeen, _CountList):
    """Most viewed items in the last hours, updated as views are tracked (DATAHERE's real-time list)."""

    Config = MostViewedConfig
    config: MostViewedConfig
    realtime = True
    fallback_description = "most viewed items right now (the same list for everyone)"
    noun = "views"


@dataclasses.dataclass
class BestSellersConfig(CountListConfig):
    """Settings of :class:`BestSellers`."""

    event_types: tuple[str, ...] | None = (EVENT_PURCHASE,)
    """Event types counted as sales."""


class BestSellers(_CountList):
    """Items bought most often; recomputed by ``fit`` only (like the Best sellers use case's batch list)."""

    Config = BestSellersConfig
    config: BestSellersConfig
    realtime = False
    fallback_description = "best-selling items (the same list for everyone)"
    noun = "purchases"


# ------------------------------------------------------------ rate lists
@dataclasses.dataclass
class RateListConfig(RecommenderConfig):
    """Settings shared by the rate lists."""

    smoothing: float = 20.0
    """Pseudo-observations at the catalogue-wide rate added to every item (see :func:`smoothed_rate`).
    0 = raw rates; larger values trust small samples less."""

    min_observations: int = 1
    """Items whose denominator count is below this are not ranked (they have no rate to speak of)."""


class _RateList(_TopList):
    Config = RateListConfig
    config: RateListConfig
    numerator_label: ClassVar[str] = "successes"
    denominator_label: ClassVar[str] = "trials"

    def _counts(self, interactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        num, den = self._counts(interactions)
        self.numerator_, self.denominator_ = num, den
        rates, self.prior_ = smoothed_rate(num, den, self.config.smoothing)
        rates = np.where(den >= self.config.min_observations, rates, np.nan)
        self.item_scores_ = rates

    def _describe(self, idx: int) -> str:
        num, den = self.numerator_[idx], self.denominator_[idx]
        if np.isnan(self.item_scores_[idx]):
            return f"{self.name} cannot rank this item: it has {den:.0f} {self.denominator_label}."
        return (f"{self.name}: {num:.0f} {self.numerator_label} from {den:.0f} {self.denominator_label} "
                f"-> smoothed rate {self.item_scores_[idx]:.1%} (shop-wide {self.prior_:.1%}).")

    def _type_counts(self, frame: pd.DataFrame, types: tuple[str, ...]) -> np.ndarray:
        chosen = frame[event_types_of(frame).isin({t.lower() for t in types}).to_numpy()]
        idx = self.item_vocab.to_inner(chosen[ITEM_ID])
        return np.bincount(idx[idx >= 0], minlength=len(self.item_vocab)).astype(float)


@dataclasses.dataclass
class BestConversionConfig(RateListConfig):
    """Settings of :class:`BestConversion`."""

    numerator_events: tuple[str, ...] = (EVENT_PURCHASE,)
    """Event types counted as conversions."""

    denominator_events: tuple[str, ...] = (EVENT_VIEW,)
    """Event types counted as opportunities (DATAHERE: purchases per view; use ``("click",)`` for purchases per click)."""


class BestConversion(_RateList):
    """Items with the best smoothed conversion rate, purchases / views.

    Raw rates reward luck: one view and one purchase is a 100 % rate. Adding
    ``smoothing`` pseudo-views at the shop-wide rate (:func:`smoothed_rate`)
    keeps such items near the average until they collect evidence, and items
    with fewer than ``min_observations`` views are left out.
    """

    Config = BestConversionConfig
    config: BestConversionConfig
    realtime = False
    fallback_description = "items with the best conversion rate (the same list for everyone)"
    numerator_label = "purchases"
    denominator_label = "views"

    def _counts(self, interactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        require_event_type(interactions, self.name, tuple(self.config.denominator_events))
        require_event_type(interactions, self.name, tuple(self.config.numerator_events))
        return (self._type_counts(interactions, tuple(self.config.numerator_events)),
                self._type_counts(interactions, tuple(self.config.denominator_events)))


@dataclasses.dataclass
class BestRecommendationCTRConfig(RateListConfig):
    """Settings of :class:`BestRecommendationCTR`."""

    click_events: tuple[str, ...] = (EVENT_CLICK,)
    """Event types that count as a click on a shown item."""


class BestRecommendationCTR(_RateList):
    """Items most often clicked when they were shown in a recommendation list.

    Required data (a :class:`DatasetError` says so when it is missing):

    * ``IMPRESSION`` -- the item ids shown, separated by ``|`` (Personalize's
      explicit impressions). This is the denominator: what was shown.
      ``RECOMMENDATION_ID`` alone is not enough, because only Personalize knows
      which items a recommendation id stood for.
    * ``EVENT_TYPE`` with click events.

    Counting rules: one showing is one distinct ``(USER_ID, RECOMMENDATION_ID)``
    pair when RECOMMENDATION_ID is filled, otherwise one event row with a
    non-empty IMPRESSION (so log the impression once per shown list). A click
    counts for item ``i`` when it is on ``i`` and either carries a
    RECOMMENDATION_ID or lists ``i`` in its own IMPRESSION. CTR = clicks / showings,
    smoothed as in :func:`smoothed_rate`.
    """

    Config = BestRecommendationCTRConfig
    config: BestRecommendationCTRConfig
    realtime = False
    fallback_description = "items with the best recommendation click-through rate"
    numerator_label = "clicks on recommendations"
    denominator_label = "times shown"

    def _counts(self, interactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        if IMPRESSION not in interactions.columns:
            raise DatasetError(
                "BestRecommendationCTR needs to know which items were shown, but there is no impression data.",
                column=IMPRESSION,
                fix="log the recommended item ids of every shown list in an IMPRESSION column, separated by '|' "
                "(RECOMMENDATION_ID alone does not say which items were shown).",
            )
        require_event_type(interactions, self.name, tuple(self.config.click_events))
        shown = self.item_vocab.to_inner(showings(interactions)[ITEM_ID])
        den = np.bincount(shown[shown >= 0], minlength=len(self.item_vocab)).astype(float)
        is_click = np.isin(event_type_array(interactions), [t.lower() for t in self.config.click_events])
        clicked = self.item_vocab.to_inner(interactions.loc[is_click & attributed_to_recommendation(interactions), ITEM_ID])
        num = np.bincount(clicked[clicked >= 0], minlength=len(self.item_vocab)).astype(float)
        if den.sum() == 0:
            raise DatasetError(
                "the IMPRESSION column is empty in every row, so nothing was shown.",
                column=IMPRESSION,
                fix="fill IMPRESSION with the shown item ids separated by '|'.",
            )
        return num, den


@dataclasses.dataclass
class BestRecommendationInflowConfig(RateListConfig):
    """Settings of :class:`BestRecommendationInflow`."""

    event_types: tuple[str, ...] | None = None
    """Event types counted as traffic to an item (``None`` = every event)."""


class BestRecommendationInflow(_RateList):
    """Items whose traffic comes most often from recommendations (DATAHERE's 추천 유입률 list).

    Inflow share of item ``i`` = events on ``i`` attributed to a recommendation /
    all events on ``i``, smoothed as in :func:`smoothed_rate`. An event is
    attributed when it carries a non-empty ``RECOMMENDATION_ID`` (the id
    GetRecommendations returned) or ``EVENT_ATTRIBUTION_SOURCE``; at least one
    of those columns is required.
    """

    Config = BestRecommendationInflowConfig
    config: BestRecommendationInflowConfig
    realtime = False
    fallback_description = "items most often reached through recommendations"
    numerator_label = "events from recommendations"
    denominator_label = "events"

    def _counts(self, interactions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        columns = [c for c in (RECOMMENDATION_ID, EVENT_ATTRIBUTION_SOURCE) if c in interactions.columns]
        if not columns:
            raise DatasetError(
                "BestRecommendationInflow needs to know which events came from a recommendation.",
                column=RECOMMENDATION_ID,
                fix=f"add {RECOMMENDATION_ID} (the recommendationId of the list the click came from) "
                f"or {EVENT_ATTRIBUTION_SOURCE} to the interactions.",
            )
        frame = interactions
        if self.config.event_types is not None:
            require_event_type(frame, self.name, tuple(self.config.event_types))
            frame = frame[event_types_of(frame).isin({t.lower() for t in self.config.event_types}).to_numpy()]
        attributed = np.zeros(len(frame), dtype=bool)
        for column in columns:
            attributed |= frame[column].notna().to_numpy() & (frame[column].astype(str).str.len() > 0).to_numpy()
        idx = self.item_vocab.to_inner(frame[ITEM_ID])
        ok = idx >= 0
        den = np.bincount(idx[ok], minlength=len(self.item_vocab)).astype(float)
        num = np.bincount(idx[ok & attributed], minlength=len(self.item_vocab)).astype(float)
        return num, den
