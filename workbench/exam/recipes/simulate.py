"""``simulate``: play every option as a policy of the simulated shop (:mod:`workbench.sim`).

All options of a scenario run in the same shop (the plan's base file plus its
``shop`` overrides); the metric is a column of ``ScenarioResult.daily`` -- or the
derived ``new_item_share`` -- reduced over the last ``last_days`` days. Runs with an
identical shop and policy are computed once per process (:func:`clear_cache` empties
that memory)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ...constants import ITEM_ID, TIMESTAMP
from .registry import REPO_ROOT, EvidenceRecipe, EvidenceUnavailable, RecipeResult, register

SIM_METRICS = (
    "visits",
    "impressions",
    "clicks",
    "ctr",
    "add_to_carts",
    "purchases",
    "conversion_rate",
    "purchases_per_visit",
    "revenue",
    "total_revenue",
    "revenue_per_visit",
    "incremental_revenue",
    "uplift_per_visit",
    "ndcg_at_10",
    "recall_at_10",
    "precision_at_10",
    "ndcg_at_10_random",
    "recall_at_10_random",
    "coverage",
    "cold_start_share",
    "freshness_median_hours",
    "freshness_p90_hours",
    "last_hour_share",
)
"""Columns of ``ScenarioResult.daily`` (the simulator contract) a scenario may name.

``incremental_revenue`` and ``uplift_per_visit`` are paired with a ``none`` run (no
recommendations) of the same shop and seed, which the recipe plays once per shop."""

DERIVED_SIM_METRICS = ("new_item_share",)
"""Metrics the recipe derives from the run's event log (not columns of ``daily``):

``new_item_share``
    Per day, the share of recommended slots that hold items added to the catalog
    after launch (CREATION_TIMESTAMP after run day 0), over the distinct served
    lists the event log records (lists that drew at least one event carry their
    RECOMMENDATION_ID and IMPRESSION). Days with no such list are NaN.
"""

_SIM_CACHE: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]] = {}
_RESULTS: dict[str, Any] = {}


def clear_cache() -> None:
    """Forget every simulation run kept for reuse (benchmarks time cold runs this way)."""
    from ...sim.cache import clear_memory
    from .segments import _LOGS

    _SIM_CACHE.clear()
    _RESULTS.clear()
    _LOGS.clear()  # the segments recipe's simulated logs
    clear_memory()


def _check_policy(config: dict[str, Any]) -> str | None:
    from ...sim import config as sim
    from ...sim.policies import model_spec

    fields = {f.name for f in dataclasses.fields(sim.Policy)}
    for key in config:
        if key not in fields:
            return f"{key!r} is not a Policy setting; Policy has {', '.join(sorted(fields))}."
    try:
        policy = sim.Policy(**config)
    except (TypeError, ValueError) as err:
        return f"not a valid Policy: {err}"
    try:
        model_spec(policy.model)
    except ValueError as err:
        return str(err)
    return None


def _check_shop(base: str | None, shop: dict[str, Any]) -> tuple[str, str] | None:
    if base is not None and not (REPO_ROOT / base).is_file():
        return "evidence.base", f"{base!r} does not exist (paths are relative to the repository root)."
    from ...sim import config as sim

    fields = {f.name for f in dataclasses.fields(sim.ShopConfig)}
    for key in shop:
        if key not in fields:
            return f"evidence.shop.{key}", f"not a ShopConfig setting; ShopConfig has {', '.join(sorted(fields))}."
    try:
        sim.ShopConfig(**shop_settings_from(base, shop))
    except (TypeError, ValueError) as err:
        return "evidence.shop", f"not a valid ShopConfig: {err}"
    return None


def shop_settings(plan: Any) -> dict[str, Any]:
    """The shop config dict of a plan: the base file (if any) overlaid with ``plan.shop``."""
    return shop_settings_from(plan.base, plan.shop)


def shop_settings_from(base: str | None, shop: Mapping[str, Any]) -> dict[str, Any]:
    """A base shop config YAML (``{name, shop, policy}`` or a bare shop mapping) overlaid with ``shop``."""
    import yaml

    settings: dict[str, Any] = {}
    if base:
        loaded = yaml.safe_load((REPO_ROOT / base).read_text(encoding="utf-8")) or {}
        if isinstance(loaded, Mapping) and isinstance(loaded.get("shop"), Mapping):
            loaded = loaded["shop"]
        settings.update(loaded)
    settings.update(shop)
    return settings


def _simulate_one(sim: Any, shop: dict[str, Any], policy: dict[str, Any], name: str,
                  need_events: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Daily frame and drift markers of one (shop, policy) run; identical runs are computed once.

    The daily frame carries the paired ``incremental_revenue`` / ``uplift_per_visit`` columns
    against the ``none`` run of the same shop. Runs go through the simulator's on-disk cache
    (:func:`workbench.sim.cache.cached_run`), so a chapter that shows a scenario's evidence
    re-uses what the tests or an earlier session played; a metric derived from the event log
    (``need_events``) plays the run in full once per process.
    """
    from ...sim.cache import cached_run

    key = json.dumps({"shop": shop, "policy": policy}, sort_keys=True, default=str)
    if need_events and key not in _RESULTS:
        config = sim.ScenarioConfig(shop=sim.ShopConfig(**shop), policy=sim.Policy(**policy), name=name)
        result = sim.run_scenario(config, progress=False)
        daily = result.daily.copy()
        if policy.get("kind") != "none":
            none_daily, _ = _simulate_one(sim, shop, {"kind": "none"}, name="no recommendations")
            daily = sim.with_baseline(daily, none_daily)
        _RESULTS[key] = result
        _SIM_CACHE[key] = (daily, result.markers)
    if key not in _SIM_CACHE:
        config = sim.ScenarioConfig(shop=sim.ShopConfig(**shop), policy=sim.Policy(**policy), name=name)
        entry = cached_run(config, baseline=True, progress=False)
        _SIM_CACHE[key] = (entry["daily"].copy(), entry["markers"])
    return _SIM_CACHE[key]


def _with_derived(daily: pd.DataFrame, shop: dict[str, Any], policy: dict[str, Any], metric: str) -> pd.DataFrame:
    """Add a derived metric (built from the run's event log, so only on request) to a cached daily frame."""
    if metric == "new_item_share" and metric not in daily.columns:
        key = json.dumps({"shop": shop, "policy": policy}, sort_keys=True, default=str)
        daily["new_item_share"] = new_item_share(_RESULTS[key]).reindex(daily["day"]).to_numpy()
    return daily


def new_item_share(result: Any) -> pd.Series:
    """Per run day, the share of served slots holding items created after day 0 (see :data:`DERIVED_SIM_METRICS`)."""
    from ...constants import CREATION_TIMESTAMP, IMPRESSION, RECOMMENDATION_ID, SECONDS_PER_DAY

    day0 = result.world.day0
    events = result.events
    served = events[events[IMPRESSION].notna() & (events[TIMESTAMP] >= day0)]
    served = served.drop_duplicates(RECOMMENDATION_ID) if RECOMMENDATION_ID in served.columns else served
    if served.empty:
        return pd.Series(dtype=float)
    slots = served[[TIMESTAMP, IMPRESSION]].assign(**{ITEM_ID: served[IMPRESSION].astype(str).str.split("|")}).explode(ITEM_ID)
    created = result.world.items.set_index(ITEM_ID)[CREATION_TIMESTAMP]
    is_new = slots[ITEM_ID].map(created).to_numpy(dtype=float) > day0
    day = (slots[TIMESTAMP].to_numpy() - day0) // SECONDS_PER_DAY
    return pd.Series(is_new, index=day).groupby(level=0).mean()


def reduce_daily(daily: pd.DataFrame, metric: str, aggregate: str, last_days: int | None) -> float:
    """One option's daily ``metric`` reduced to the number an evidence plan judges.

    Keeps the last ``last_days`` days (all when ``None``) and applies ``aggregate``
    (``mean``, ``median``, ``sum`` or ``last``); NaN when no day has a value.
    """
    frame = daily.sort_values("day")
    if last_days is not None:
        frame = frame[frame["day"] > frame["day"].max() - last_days]
    values = pd.to_numeric(frame[metric], errors="coerce").dropna()
    if values.empty:
        return float("nan")
    if aggregate == "mean":
        return float(values.mean())
    if aggregate == "median":
        return float(values.median())
    if aggregate == "sum":
        return float(values.sum())
    return float(values.iloc[-1])


def run_simulate(plan: Any) -> RecipeResult:
    """Play every option as a simulator policy in the same shop and reduce the daily metric."""
    from ... import sim

    shop = shop_settings(plan)
    values: dict[str, float] = {}
    series = []
    markers = None
    for letter, play in plan.options.items():
        need_events = plan.metric in DERIVED_SIM_METRICS
        daily, markers = _simulate_one(sim, shop, dict(play.config), name=f"option {letter}", need_events=need_events)
        daily = _with_derived(daily, shop, dict(play.config), plan.metric)
        if plan.metric not in daily.columns:
            raise EvidenceUnavailable(f"the simulator's daily frame has no column {plan.metric!r}.")
        values[letter] = reduce_daily(daily, plan.metric, plan.aggregate, plan.last_days)
        series.append(pd.DataFrame({"option": letter, "step": daily["day"].to_numpy(), "value": daily[plan.metric].to_numpy()}))
    return RecipeResult(
        values=pd.Series(values, name=plan.metric),
        series=pd.concat(series, ignore_index=True),
        step_label="day",
        markers=markers,
    )


register(
    EvidenceRecipe(
        name="simulate",
        run=run_simulate,
        description="one simulated shop per option (a workbench.sim Policy), metric from the daily table",
        metrics=SIM_METRICS + DERIVED_SIM_METRICS,
        check_config=_check_policy,
        check_plan=_check_shop,
        plays_seeds=True,
    )
)
