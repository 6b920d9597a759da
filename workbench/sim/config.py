"""Scenario settings as plain data: the shop (world + drift), the policy, the scenario.

Everything a simulation run depends on lives in three dataclasses, so that a
scenario can be written as YAML/JSON (``data/scenarios/footwear.yaml``), compared
option by option (one :class:`Policy` per exam answer) and reproduced exactly
(same :class:`ShopConfig` + seed -> same events).

Dictionary form (stable; used by ``ScenarioConfig.from_dict`` / ``to_dict``)::

    name: footwear
    shop:   {n_users: 2000, n_items: 300, days: 120, seed: 7, ...}   # ShopConfig fields
    policy: {kind: event_tracker, model: user_personalization, ...}  # Policy fields

Unknown keys raise an error that lists the valid ones (typos never pass silently).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

POLICY_KINDS = ("none", "random", "stale", "retrain", "auto_update", "event_tracker")
"""What a policy shows / lets the model learn; combine the last four with ``+`` (e.g. ``"retrain+event_tracker"``).
``none`` (no recommendations: the organic baseline) and ``random`` (a uniformly random list) stand alone."""

BASELINE_KINDS = ("none", "random")
"""Policy kinds without a model; they cannot be combined with others."""

CAUSES = ("taste_drift", "season", "trend", "new_customers", "new_items", "satiation", "budget")
"""Causes of a once-trained model's decline that :attr:`ShopConfig.causes_off` can switch off:

* ``taste_drift`` -- customers' tastes wander (``taste_drift`` acts as 0);
* ``season`` -- seasonal categories swing (``season_strength`` acts as 0);
* ``trend`` -- a brand becomes fashionable (``trend_shift_day`` acts as ``None``);
* ``new_customers`` -- customer turnover: customers arrive and lapse during the run (off:
  nobody arrives and nobody lapses, so the same customers visit all run long; without
  this, lapses alone would shift the mix of visits towards long-lived segments);
* ``new_items`` -- shoes are added during the run, and recent shoes enjoy a fading novelty
  bonus (off: no shoe arrives and ``novelty`` acts as 0, so no item's appeal fades with age);
* ``satiation`` -- a bought shoe loses appeal for a while (``boredom`` acts as 0 when off).
  Together with a purchase filter that knows only what the model's data holds (no event
  tracker), this makes a stale model keep proposing shoes the customer has just bought;
  without boredom those shoes stay as attractive as before, so the filter no longer matters;
* ``budget`` -- purchases use up the customer's demand (``substitution`` acts as 0 when
  off). A launch then pulls purchases forward: part of the first weeks' uplift is borrowed
  from later weeks, so the uplift falls after launch even in a world where nothing else
  changes.

Switching a cause off never changes the world's other random draws (same items,
customers and visits), so runs with and without a cause stay comparable."""

EXCLUDE_OPTIONS = ("purchased", "seen", "none")
"""Values of :attr:`Policy.exclude`."""


@dataclasses.dataclass
class ShopConfig:
    """The simulated footwear shop: catalog, customers, behaviour and drift."""

    n_users: int = 2_000
    """Customers who already exist when the warm-up starts (more arrive every day)."""

    n_items: int = 300
    """Catalog size when the warm-up starts (more items arrive every day)."""

    days: int = 120
    """Simulated days with recommendations, after the warm-up."""

    warmup_days: int = 28
    """Days of history before day 0, generated without recommendations (organic browsing only);
    this log is the initial training data."""

    seed: int = 7
    """Seed of every random draw of the world and its customers."""

    start: int = 1_723_680_000
    """Epoch seconds of the first warm-up day (default 2024-08-15 00:00 UTC: late summer)."""

    season_strength: float = 0.9
    """Utility swing of seasonal categories: boots peak mid-January, sandals mid-July
    (utility ``season_strength * affinity * cos(2 pi (day_of_year - 15) / 365.25)``)."""

    taste_drift: float = 0.012
    """Share of each customer's taste renewed per day (mean-reverting random walk;
    0 = fixed tastes; 0.012 keeps ~24% of the day-0 taste after 120 days)."""

    trend_shift_day: int | None = 40
    """Day (after warm-up) when a brand becomes fashionable; ``None`` = no trend shift."""

    trend_brand: str | None = None
    """The brand that becomes fashionable (``None`` = picked by the seed)."""

    trend_strength: float = 1.2
    """Utility added to the trend brand once the trend has fully ramped in (over 14 days)."""

    campaign: dict[str, Any] | None = None
    """A promotion window: ``{"start_day": 70, "days": 14, "category": "running", "boost": 0.6}``
    (``category`` or ``brand`` names the product line; ``boost`` is added utility)."""

    boredom: float = 2.5
    """Utility an item loses right after the customer bought it (repeat purchases become rare)."""

    boredom_days: float = 90.0
    """Time constant of the recovery from boredom (shoes wear out; after ~3 of these a purchase is forgotten)."""

    new_user_rate: float = 0.02
    """New customers per day, as a share of ``n_users``."""

    mean_lifetime_days: float = 180.0
    """Average number of days a (normal) customer stays active before lapsing;
    heavy/vip stay longer, one-off customers leave after about a week."""

    new_item_rate: float = 0.002
    """New catalog items per day, as a share of ``n_items``."""

    novelty: float = 0.3
    """Extra utility of brand-new items, fading with a 30-day time constant."""

    visits_per_day: float = 0.1
    """Average daily visit probability of a normal customer (heavy x3, vip x2, one-off x1.5)."""

    list_length: int = 10
    """Items per recommendation list (one list per page)."""

    slices_per_day: int = 12
    """Time slices per day (12 = every 2 hours). Real-time events reach the model between
    slices and between the two pages of a visit."""

    browse_views: float = 2.0
    """Average number of organic product views per visit (search, categories)."""

    noise: float = 0.6
    """Standard deviation of the per-visit mood noise on every utility."""

    log_impressions: bool = True
    """Write the served list into IMPRESSION for events that came from a recommendation."""

    substitution: float = 0.9
    """How much one purchase satisfies a customer's demand for shoes (their budget): right
    after any purchase -- recommended or organic -- the probability of buying again is
    multiplied by ``1 - substitution``, and it refills linearly over ``budget_days``. So a
    pair bought from a list largely *replaces* a pair the customer would have bought
    while browsing, now or on a later visit; lists earn incremental revenue by matching
    tastes and timing, not by showing more shoes. 0 = an unlimited budget (every purchase
    from a list is extra); 1 = no second purchase until the budget has refilled."""

    budget_days: float = 90.0
    """Days over which a customer's demand refills after a purchase (see :attr:`substitution`)."""

    causes_off: list[str] = dataclasses.field(default_factory=list)
    """Causes of decline switched off for this shop (names from :data:`CAUSES`); see
    :meth:`with_causes`."""

    def __post_init__(self) -> None:
        _check_positive(self, ("n_users", "n_items", "days", "list_length", "slices_per_day"))
        if self.warmup_days < 1:
            raise ValueError("ShopConfig.warmup_days must be at least 1: the model needs a first training log.")
        if 24 % self.slices_per_day:
            raise ValueError("ShopConfig.slices_per_day must divide 24 (e.g. 6, 12 or 24).")
        if not 0.0 <= self.taste_drift < 1.0:
            raise ValueError("ShopConfig.taste_drift is a daily share in [0, 1).")
        if not 0.0 <= self.substitution <= 1.0:
            raise ValueError("ShopConfig.substitution is a probability in [0, 1].")
        self.causes_off = list(self.causes_off or [])
        bad = [c for c in self.causes_off if c not in CAUSES]
        if bad:
            raise ValueError(f"ShopConfig.causes_off {bad} are not causes; valid: {', '.join(CAUSES)}.")

    def cause_on(self, cause: str) -> bool:
        """True unless ``cause`` (one of :data:`CAUSES`) is switched off."""
        if cause not in CAUSES:
            raise ValueError(f"unknown cause {cause!r}; valid: {', '.join(CAUSES)}.")
        return cause not in self.causes_off

    def with_causes(self, on: list[str] | tuple[str, ...] | None = None,
                    off: list[str] | tuple[str, ...] | None = None) -> ShopConfig:
        """A copy with exactly the causes ``on`` switched on (others off), or with ``off`` switched off.

        ``shop.with_causes(on=[])`` is the world with every change switched off (the acid
        test); ``shop.with_causes(on=["season"])`` keeps only the season;
        ``shop.with_causes(off=["season"])`` keeps all but the season.
        """
        if (on is None) == (off is None):
            raise ValueError("ShopConfig.with_causes needs exactly one of on=[...] or off=[...].")
        wanted_off = [c for c in CAUSES if c not in on] if on is not None else list(off)
        return dataclasses.replace(self, causes_off=wanted_off)

    @property
    def effective_taste_drift(self) -> float:
        """``taste_drift`` unless the cause is off."""
        return self.taste_drift if self.cause_on("taste_drift") else 0.0

    @property
    def effective_season_strength(self) -> float:
        """``season_strength`` unless the cause is off."""
        return self.season_strength if self.cause_on("season") else 0.0

    @property
    def effective_trend_shift_day(self) -> int | None:
        """``trend_shift_day`` unless the cause is off."""
        return self.trend_shift_day if self.cause_on("trend") else None

    @property
    def effective_novelty(self) -> float:
        """``novelty`` unless new items are off."""
        return self.novelty if self.cause_on("new_items") else 0.0

    @property
    def effective_substitution(self) -> float:
        """``substitution`` unless the budget is off."""
        return self.substitution if self.cause_on("budget") else 0.0

    @property
    def effective_boredom(self) -> float:
        """``boredom`` unless satiation is off."""
        return self.boredom if self.cause_on("satiation") else 0.0


@dataclasses.dataclass
class Policy:
    """What the model learns while the shop runs, and how it is asked."""

    kind: str = "stale"
    """``none`` (no recommendations shown: the organic baseline on the same customers),
    ``random`` (a uniformly random list from the available catalog, without items the
    customer has bought), ``stale`` (trained once), ``retrain`` (full retrain every
    ``retrain_every_days``, and the campaign is updated to serve it), ``auto_update``
    (2-hourly automatic update: new items via exploration), ``event_tracker`` (tracked
    events reach the next request and the purchase filter), or a ``+`` combination.

    Following the fact sheet (``personalize_facts.md``):

    * section 2.3, "Automatic updates (UP v1): updates the latest FULL-trained solution
      version every two hours ... the solution version must be deployed in a campaign; the
      campaign uses it automatically" -- a User-Personalization campaign is updated every
      2 hours whether or not an event tracker is attached, so for models with automatic
      updates ``event_tracker`` implies ``auto_update`` (the simulator adds it and says so
      in ``ScenarioResult.notes``). ``stale`` stands for a campaign whose model never learns
      again (automatic updates off, e.g. a solution version trained with
      ``trainingMode=UPDATE``, section 2.3, or a recipe without them).
    * section 2.5, "New solution versions (manual or automatic) are **not** served until
      the campaign is updated" -- ``retrain`` models a schedule that creates a FULL solution
      version *and* updates the campaign to it (equivalently ``$LATEST`` with
      ``syncWithLatestSolutionVersion=true``); the new model serves from the start of the
      retrain day.
    * section 3.2, "filters that use interactions are updated within seconds of
      PutEvents" -- with ``event_tracker`` the purchase filter learns run-time purchases;
      without a tracker it knows only the purchases in the training data (until the next
      retrain imports the log)."""

    retrain_every_days: int = 7
    """Days between full retrains (each followed by a campaign update) when ``retrain`` is part of ``kind``."""

    training_window_days: int | None = None
    """Train every solution version (the launch model and each retrain) on the events of the last
    this-many days only; ``None`` (the default) = every logged event, as a FULL version on the whole
    dataset does (fact sheet 2.5).

    The fact sheet names no training-window setting of the service. What this stands for is a
    shop that re-imports its bulk interactions before each retrain with only a rolling window:
    "Bulk import jobs default to FULL (replace existing bulk data)" (fact sheet 3.3). Events
    recorded with PutEvents are not bulk data and the fact sheet gives no way to drop them, so a
    window cannot be combined with ``event_tracker``. A window bounds the events each refit
    reads, and it forgets old purchases (the purchase filter) along with old taste: whether
    that helps or hurts under drift is something to measure, not assume."""

    model: str = "user_personalization"
    """Registered model name (see :data:`workbench.sim.policies.MODELS`)."""

    model_params: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Settings passed to the model's config (e.g. ``{"factors": 32}``). For
    ``user_personalization`` the event types weigh the same unless ``event_weights`` is
    given here: the fact sheet, section 1.3, "If the dataset has several event types and no
    event type is given, all interactions are used with equal weight regardless of type";
    per-type weights exist only for User-Personalization-v2 with an events configuration."""

    exploration_weight: float | None = None
    """Campaign ``explorationWeight`` for models that explore (``None`` = model default, 0.3)."""

    exploration_item_age_cutoff: float | None = None
    """Campaign ``explorationItemAgeCutOff`` in days (``None`` = model default, 30)."""

    filter: str | None = None
    """A Personalize filter expression applied to every request, or ``None``."""

    filter_values: dict[str, Any] | None = None
    """Values for ``$PARAMETERS`` in ``filter``."""

    training_event_types: list[str] | None = None
    """Train only on these EVENT_TYPEs (a solution's ``eventType``); ``None`` = all events."""

    event_value_threshold: float | None = None
    """Keep only events with EVENT_VALUE >= this (``eventValueThreshold``); events without a
    value are dropped when it is set."""

    send_impressions: bool = False
    """Send each served list's impressions with the tracked events on it (PutEvents with the
    list's ``recommendationId``: implicit impressions, fact sheet 1.4), so the model learns
    which items were shown and not chosen. Only with ``event_tracker`` (impressions travel
    with tracked events; a list nobody acted on sends none) and a model that reads them
    (``user_personalization``; the fact sheet lists impressions for User-Personalization v1
    only). With ``retrain`` as well, each new FULL version learns every impression logged so far
    (they are part of the dataset), also those of items the campaign did not know yet when they
    were shown. Off by default: the shop's tracker sends the events alone."""

    exclude: str = "purchased"
    """Items removed from every list: ``"purchased"`` (items the customer bought, as far as the
    dataset knows -- training data plus tracked events -- like the automatic purchase filter of
    Recommended for you), ``"seen"`` (any item the model knows they interacted with) or ``"none"``."""

    def __post_init__(self) -> None:
        parts = self.parts
        bad = [p for p in parts if p not in POLICY_KINDS]
        if bad or not parts:
            raise ValueError(
                f"Policy.kind {self.kind!r} is not valid: use one of {', '.join(POLICY_KINDS)} "
                "or a combination joined by '+', e.g. 'retrain+event_tracker'."
            )
        if "stale" in parts and len(parts) > 1:
            raise ValueError("Policy.kind 'stale' means 'never learn again' and cannot be combined.")
        for alone in BASELINE_KINDS:
            if alone in parts and len(parts) > 1:
                raise ValueError(f"Policy.kind {alone!r} has no model and cannot be combined with other kinds.")
        if self.exclude not in EXCLUDE_OPTIONS:
            raise ValueError(f"Policy.exclude must be one of {EXCLUDE_OPTIONS}, not {self.exclude!r}.")
        if self.retrain_every_days < 1:
            raise ValueError("Policy.retrain_every_days must be at least 1.")
        if self.training_window_days is not None:
            if int(self.training_window_days) != self.training_window_days or self.training_window_days < 1:
                raise ValueError(f"Policy.training_window_days must be a whole number of days >= 1 (or None for "
                                 f"every logged event), not {self.training_window_days!r}.")
            if self.has("event_tracker"):
                raise ValueError(
                    "Policy.training_window_days cannot be combined with 'event_tracker': a window stands for "
                    "re-importing the bulk interactions in FULL mode, which replaces bulk data only; events "
                    "recorded with PutEvents stay in the dataset. Drop the window or the event tracker.")
            if not self.uses_model:
                raise ValueError(f"Policy.training_window_days has no model to train under kind {self.kind!r}.")
        if self.send_impressions:
            if not self.has("event_tracker"):
                raise ValueError(f"Policy.send_impressions needs 'event_tracker' in kind (impressions travel with "
                                 f"PutEvents), not kind {self.kind!r}.")
            if self.model != "user_personalization":
                raise ValueError(f"Policy.send_impressions: model {self.model!r} does not read impressions; the "
                                 "fact sheet lists impressions for User-Personalization (v1), so use "
                                 "model 'user_personalization'.")
        if self.exploration_weight is not None and not 0.0 <= self.exploration_weight <= 1.0:
            raise ValueError("Policy.exploration_weight must be in [0, 1] (Personalize's explorationWeight).")
        if self.exploration_item_age_cutoff is not None and self.exploration_item_age_cutoff < 1:
            raise ValueError("Policy.exploration_item_age_cutoff is in days and must be at least 1.")

    @property
    def parts(self) -> tuple[str, ...]:
        """The policy kinds combined in :attr:`kind`, e.g. ``("retrain", "event_tracker")``."""
        return tuple(p.strip() for p in str(self.kind).split("+") if p.strip())

    def has(self, kind: str) -> bool:
        """True when ``kind`` is part of this policy."""
        return kind in self.parts

    @property
    def uses_model(self) -> bool:
        """False for the ``none`` and ``random`` baselines."""
        return not any(p in BASELINE_KINDS for p in self.parts)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Policy:
        """Build a policy from a mapping of field names (unknown keys raise)."""
        return _from_mapping(cls, data)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (round-trips through :meth:`from_dict`)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ScenarioConfig:
    """One simulation: a shop, a policy and a name."""

    shop: ShopConfig = dataclasses.field(default_factory=ShopConfig)
    """The simulated world."""

    policy: Policy = dataclasses.field(default_factory=Policy)
    """What the model may learn and how it is asked."""

    name: str = "scenario"
    """Label used in tables and plots."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScenarioConfig:
        """Build from ``{"name": ..., "shop": {...}, "policy": {...}}`` (missing parts = defaults)."""
        unknown = sorted(set(data) - {"name", "shop", "policy"})
        if unknown:
            raise ValueError(f"unknown scenario keys {unknown}; valid keys: name, shop, policy.")
        shop = data.get("shop") or {}
        policy = data.get("policy") or {}
        return cls(
            shop=shop if isinstance(shop, ShopConfig) else _from_mapping(ShopConfig, shop),
            policy=policy if isinstance(policy, Policy) else Policy.from_dict(policy),
            name=str(data.get("name", "scenario")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (round-trips through :meth:`from_dict`, writable as YAML)."""
        return {"name": self.name, "shop": dataclasses.asdict(self.shop), "policy": self.policy.to_dict()}

    def replace(self, **changes: Any) -> ScenarioConfig:
        """A copy with some fields changed; ``shop``/``policy`` accept dicts of field changes."""
        shop, policy = self.shop, self.policy
        if isinstance(changes.get("shop"), Mapping):
            shop = dataclasses.replace(shop, **changes.pop("shop"))
        if isinstance(changes.get("policy"), Mapping):
            policy = dataclasses.replace(policy, **changes.pop("policy"))
        return dataclasses.replace(self, **{"shop": shop, "policy": policy, **changes})


def load_scenario(path: str | Path) -> ScenarioConfig:
    """Read a scenario YAML file (``name``, ``shop``, ``policy``) into a :class:`ScenarioConfig`."""
    import yaml

    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a scenario file must hold a mapping with keys name, shop, policy.")
    try:
        return ScenarioConfig.from_dict(data)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from err


def _from_mapping(cls: type, data: Mapping[str, Any]) -> Any:
    if not isinstance(data, Mapping):
        raise ValueError(f"{cls.__name__} needs a mapping of settings, got {type(data).__name__}.")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ValueError(f"unknown {cls.__name__} settings {unknown}; valid settings: {', '.join(names)}.")
    return cls(**dict(data))


def _check_positive(config: Any, names: tuple[str, ...]) -> None:
    for name in names:
        if getattr(config, name) < 1:
            raise ValueError(f"{type(config).__name__}.{name} must be at least 1, got {getattr(config, name)}.")
