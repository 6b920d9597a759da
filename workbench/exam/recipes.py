"""Evidence recipes: small, seeded experiments that play the options of a question.

Every recipe takes the per-option ``config`` mappings of a scenario's evidence
plan and returns one value of the plan's metric per option (plus, when there is
one, a series over simulated time for the chart). The runner then ranks the
options and checks that the keyed answer wins by the stated margin.

Recipes in the registry :data:`RECIPES`:

``simulate``
    Runs the simulated shop (:func:`workbench.sim.run_scenario`) once per
    option with that option's :class:`workbench.sim.Policy`; the metric is a column
    of ``ScenarioResult.daily`` reduced over the last ``last_days`` days.
``metric_choice``
    Scores hand-built pairs of recommendation lists with a named offline metric
    (via :mod:`workbench.metrics`) and counts how many pairs the metric orders
    the way a visitor of a 10-item carousel experiences them.
``minimum_data``
    Generates a seeded interaction log of a given size and asks
    :func:`workbench.data.validate_interactions` whether Personalize's training
    minimums are met.
``timestamp_units``
    Writes a small interactions CSV whose TIMESTAMP uses a given unit and loads
    it with :func:`workbench.data.load_interactions`, counting accepted rows.
``purchased_filter``
    Replays purchases against a fitted recommender and measures how often an item
    the visitor has just bought is recommended back to them.
``training_subset``
    Applies a solution's ``eventType`` / ``eventValueThreshold`` (through the
    simulator's :func:`workbench.sim.training_mask`) or a dataset edit to a seeded
    streaming-service log and describes the records left to train on.

Recipes import their workbench dependencies lazily; if one is missing the recipe
raises :class:`EvidenceUnavailable` naming it, so a scenario can be reported as
pending instead of showing made-up numbers.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..constants import (
    EVENT_PURCHASE,
    EVENT_TYPE,
    EVENT_VALUE,
    EVENT_VIEW,
    ITEM_ID,
    RANK,
    SECONDS_PER_HOUR,
    TIMESTAMP,
    USER_ID,
)
from ..errors import WorkbenchError

REPO_ROOT = Path(__file__).resolve().parents[2]
"""Repository root: relative ``evidence.base`` paths are resolved from here."""


class EvidenceUnavailable(WorkbenchError, RuntimeError):
    """A recipe needs a workbench API that is not available (yet)."""


@dataclasses.dataclass
class RecipeResult:
    """What a recipe hands back to the runner."""

    values: pd.Series
    """Option letter -> value of the plan's metric (index: letters)."""

    series: pd.DataFrame | None = None
    """Long frame ``option, step, value`` for the chart (e.g. one row per simulated day)."""

    details: pd.DataFrame | None = None
    """Any extra tidy table a learner may want to inspect (one or more rows per option)."""

    step_label: str = "day"
    """What the ``step`` column of ``series`` counts."""

    markers: pd.DataFrame | None = None
    """Drift events of a simulated shop (``day, date, kind, label``) to draw on the chart."""


@dataclasses.dataclass(frozen=True)
class EvidenceRecipe:
    """A named way of producing evidence for the options of a question."""

    name: str
    """Registry key used in ``evidence.recipe``."""

    run: Callable[[Any], RecipeResult]
    """Function ``(plan: EvidencePlan) -> RecipeResult``."""

    description: str
    """One line for the README and the CLI."""

    metrics: tuple[str, ...] | None = None
    """Metric names the recipe produces (``None`` = checked when the recipe runs)."""

    check_config: Callable[[dict[str, Any]], str | None] = lambda config: None
    """Returns a problem (text) with one option's config, or ``None``."""

    check_plan: Callable[[str | None, dict[str, Any]], tuple[str, str] | None] | None = None
    """Returns ``(field, problem)`` for plan-level settings (base, shop), or ``None``."""


RECIPES: dict[str, EvidenceRecipe] = {}
"""Registry of evidence recipes by name."""


def register(recipe: EvidenceRecipe) -> EvidenceRecipe:
    """Add ``recipe`` to :data:`RECIPES` (a later registration with the same name replaces it)."""
    RECIPES[recipe.name] = recipe
    return recipe


def _allowed_keys(allowed: Mapping[str, type | tuple[type, ...]], required: tuple[str, ...] = ()):
    """Config checker: only ``allowed`` keys with the given types, ``required`` ones present."""

    def check(config: dict[str, Any]) -> str | None:
        for key in config:
            if key not in allowed:
                return f"unknown parameter {key!r}; allowed: {', '.join(allowed)}."
        for key in required:
            if key not in config:
                return f"parameter {key!r} is required."
        for key, value in config.items():
            if value is not None and not isinstance(value, allowed[key]):
                return f"parameter {key!r} has the wrong type ({type(value).__name__})."
        return None

    return check


# =================================================================== simulate
SIM_METRICS = (
    "visits",
    "impressions",
    "clicks",
    "ctr",
    "add_to_carts",
    "purchases",
    "conversion_rate",
    "revenue",
    "ndcg_at_10",
    "recall_at_10",
    "precision_at_10",
    "coverage",
    "cold_start_share",
    "freshness_median_hours",
    "freshness_p90_hours",
    "last_hour_share",
)
"""Columns of ``ScenarioResult.daily`` (the simulator contract) a scenario may name."""

DERIVED_SIM_METRICS = ("new_item_share",)
"""Metrics the recipe derives from the run's event log (not columns of ``daily``):

``new_item_share``
    Per day, the share of recommended slots that hold items added to the catalog
    after launch (CREATION_TIMESTAMP after run day 0), over the distinct served
    lists the event log records (lists that drew at least one event carry their
    RECOMMENDATION_ID and IMPRESSION). Days with no such list are NaN.
"""

EXTRA_MODELS = {
    "content_based": ("workbench.recommenders.content", "ContentBased", "user",
                      "Content-based: items whose metadata and visual features resemble what the user liked"),
}
"""Models the exam plays that the simulator's registry may not list yet (added with ``setdefault``)."""

_SIM_CACHE: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]] = {}


def _register_extra_models() -> None:
    try:
        from ..sim.policies import MODELS, ModelSpec
    except ImportError:
        return
    for name, (module, class_name, mode, description) in EXTRA_MODELS.items():
        MODELS.setdefault(name, ModelSpec(module, class_name, mode, description))


def _sim_api():
    try:
        from .. import sim
    except ImportError as exc:  # pragma: no cover - depends on the simulator landing
        raise EvidenceUnavailable(f"the simulator (workbench.sim) cannot be imported: {exc}") from exc
    for name in ("ShopConfig", "Policy", "ScenarioConfig", "run_scenario"):
        if not hasattr(sim, name):
            raise EvidenceUnavailable(f"workbench.sim has no {name} yet (simulator contract).")
    _register_extra_models()
    return sim


def _sim_config():
    """The simulator's config classes (they may land before the engine), or ``None``."""
    try:
        from ..sim import config
    except ImportError:
        return None
    _register_extra_models()
    return config


def _check_policy(config: dict[str, Any]) -> str | None:
    sim = _sim_config()
    if sim is None:
        return None  # checked again when the recipe runs
    fields = {f.name for f in dataclasses.fields(sim.Policy)}
    for key in config:
        if key not in fields:
            return f"{key!r} is not a Policy setting; Policy has {', '.join(sorted(fields))}."
    try:
        policy = sim.Policy(**config)
    except (TypeError, ValueError) as err:
        return f"not a valid Policy: {err}"
    try:
        from ..sim.policies import model_spec
    except ImportError:
        return None
    try:
        model_spec(policy.model)
    except ValueError as err:
        return str(err)
    return None


def _check_shop(base: str | None, shop: dict[str, Any]) -> tuple[str, str] | None:
    if base is not None and not (REPO_ROOT / base).is_file():
        return "evidence.base", f"{base!r} does not exist (paths are relative to the repository root)."
    sim = _sim_config()
    if sim is None:
        return None
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


def _simulate_one(sim: Any, shop: dict[str, Any], policy: dict[str, Any], name: str) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Daily frame and drift markers of one (shop, policy) run; identical runs are computed once per process."""
    key = json.dumps({"shop": shop, "policy": policy}, sort_keys=True, default=str)
    if key not in _SIM_CACHE:
        config = sim.ScenarioConfig(shop=sim.ShopConfig(**shop), policy=sim.Policy(**policy), name=name)
        result = sim.run_scenario(config, progress=False)
        daily = result.daily.copy()
        daily["new_item_share"] = new_item_share(result).reindex(daily["day"]).to_numpy()
        _SIM_CACHE[key] = (daily, getattr(result, "markers", None))
    return _SIM_CACHE[key]


def new_item_share(result: Any) -> pd.Series:
    """Per run day, the share of served slots holding items created after day 0 (see :data:`DERIVED_SIM_METRICS`)."""
    from ..constants import CREATION_TIMESTAMP, IMPRESSION, RECOMMENDATION_ID, SECONDS_PER_DAY

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


def _reduce(daily: pd.DataFrame, metric: str, aggregate: str, last_days: int | None) -> float:
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
    sim = _sim_api()
    shop = shop_settings(plan)
    values: dict[str, float] = {}
    series = []
    markers = None
    for letter, play in plan.options.items():
        daily, markers = _simulate_one(sim, shop, dict(play.config), name=f"option {letter}")
        if plan.metric not in daily.columns:
            raise EvidenceUnavailable(f"the simulator's daily frame has no column {plan.metric!r}.")
        values[letter] = _reduce(daily, plan.metric, plan.aggregate, plan.last_days)
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
    )
)


# ============================================================== metric_choice
METRIC_CHOICES = ("NDCG@10", "Precision@10", "Precision@25", "MRR@25", "coverage")
"""Offline metrics the ``metric_choice`` recipe can score."""

CAROUSEL = 10
"""Length of the carousel whose visitors judge the list pairs."""

_PAIRS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("hit on top vs hit at the carousel's last slot", (1,), (10,)),
    ("three hits on top vs one hit on top", (1, 2, 3), (1,)),
    ("hit inside the carousel vs hit just below it", (10,), (15,)),
    ("one visible hit vs three hits below the carousel", (5,), (11, 12, 13)),
)
"""Pairs of lists (name, ranks of relevant items in the better list, in the worse list).

The "better" list is better *for a visitor who sees the first 10 slots*: more
relevant items in view, and relevant items nearer the top, are better; items
below slot 10 are never seen."""


def carousel_pairs(list_length: int = 25, n_catalog: int = 60) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Recommendations and truth for the list pairs in :data:`_PAIRS`.

    Every list holds ``list_length`` distinct items drawn from the same catalog of
    ``n_catalog`` items, so catalog-level metrics see lists of equal breadth.
    Returns ``(better_recs, worse_recs, truth)``: each pair is one user
    (``pair0``, ``pair1`` ...) whose relevant items sit at the listed ranks.
    """
    better_rows, worse_rows, truth_rows = [], [], []
    for p, (_, good_ranks, bad_ranks) in enumerate(_PAIRS):
        user = f"pair{p}"
        relevant = [f"rel{p}_{j}" for j in range(max(len(good_ranks), len(bad_ranks)))]
        fillers = [f"item{i:03d}" for i in range(n_catalog)]
        for ranks, rows in ((good_ranks, better_rows), (bad_ranks, worse_rows)):
            slots: list[str | None] = [None] * list_length
            for j, rank in enumerate(ranks):
                slots[rank - 1] = relevant[j]
            fill = iter(fillers)
            for rank in range(1, list_length + 1):
                item = slots[rank - 1] or next(fill)
                rows.append((user, item, rank))
        truth_rows.extend((user, item) for item in relevant)
    cols = [USER_ID, ITEM_ID, RANK]
    return (
        pd.DataFrame(better_rows, columns=cols),
        pd.DataFrame(worse_rows, columns=cols),
        pd.DataFrame(truth_rows, columns=[USER_ID, ITEM_ID]),
    )


def _score_lists(metric: str, recs: pd.DataFrame, truth: pd.DataFrame, catalog: list[str]) -> pd.Series:
    """Per-user value of ``metric`` (one user = one list)."""
    try:
        from .. import metrics as m
    except ImportError as exc:
        raise EvidenceUnavailable(f"workbench.metrics cannot be imported: {exc}") from exc
    name, _, k = metric.partition("@")
    functions = {"NDCG": "ndcg_at_k", "Precision": "precision_at_k", "MRR": "mrr_at_k"}
    if name in functions:
        function = getattr(m, functions[name], None)
        if function is None:
            raise EvidenceUnavailable(f"workbench.metrics has no {functions[name]} yet.")
        values = function(recs, truth, k=int(k))
        return pd.Series(values).reindex(sorted(recs[USER_ID].unique())).astype(float)
    if metric == "coverage":
        function = getattr(m, "catalog_coverage", None)
        if function is None:
            raise EvidenceUnavailable("workbench.metrics has no catalog_coverage yet.")
        return pd.Series(
            {user: float(function(group, catalog)) for user, group in recs.groupby(USER_ID)}
        ).sort_index()
    raise ValueError(f"unknown metric {metric!r}")


def run_metric_choice(plan: Any) -> RecipeResult:
    """Count, per candidate metric, the list pairs it orders like a carousel visitor would."""
    better, worse, truth = carousel_pairs()
    catalog = sorted(set(better[ITEM_ID]) | set(worse[ITEM_ID]))
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        metric = play.config["metric"]
        good = _score_lists(metric, better, truth, catalog)
        bad = _score_lists(metric, worse, truth, catalog)
        for p, (pair_name, _, _) in enumerate(_PAIRS):
            user = f"pair{p}"
            g, b = float(good.get(user, np.nan)), float(bad.get(user, np.nan))
            rows.append(
                {"option": letter, "metric": metric, "pair": pair_name, "better_list": g, "worse_list": b, "ordered_correctly": g > b + 1e-12}
            )
        values[letter] = float(sum(r["ordered_correctly"] for r in rows if r["option"] == letter))
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


def _check_metric_choice(config: dict[str, Any]) -> str | None:
    problem = _allowed_keys({"metric": str}, required=("metric",))(config)
    if problem:
        return problem
    if config["metric"] not in METRIC_CHOICES:
        return f"metric {config['metric']!r} is not one of {', '.join(METRIC_CHOICES)}."
    return None


register(
    EvidenceRecipe(
        name="metric_choice",
        run=run_metric_choice,
        description="counts the carousel list pairs an offline metric orders the way a visitor sees them",
        metrics=("pairs_ordered_correctly",),
        check_config=_check_metric_choice,
    )
)


# =============================================================== minimum_data
def synthetic_log(
    n_users: int,
    interactions_per_user: int,
    purchase_share: float = 0.0,
    seed: int = 7,
    n_items: int = 50,
    start: int = 1_700_000_000,
) -> pd.DataFrame:
    """A seeded Personalize-format log: ``n_users`` users with the same number of events each.

    A fraction ``purchase_share`` of each user's events (rounded down) are
    purchases, the rest views. Timestamps are Unix epoch seconds, one hour apart.
    """
    rng = np.random.default_rng(seed)
    n_purchases = int(interactions_per_user * purchase_share)
    rows = []
    clock = start
    for u in range(n_users):
        items = rng.choice(n_items, size=interactions_per_user, replace=interactions_per_user > n_items)
        for j, item in enumerate(items):
            event = EVENT_PURCHASE if j < n_purchases else EVENT_VIEW
            rows.append((f"u{u:04d}", f"i{int(item):03d}", clock, event))
            clock += SECONDS_PER_HOUR
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])


def run_minimum_data(plan: Any) -> RecipeResult:
    """Validate a synthetic log per option; value 1.0 when training minimums are met."""
    try:
        from ..data import validate_interactions
    except ImportError as exc:
        raise EvidenceUnavailable(f"workbench.data.validate_interactions is not available: {exc}") from exc
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        log = synthetic_log(
            n_users=config["n_users"],
            interactions_per_user=config["interactions_per_user"],
            purchase_share=config.get("purchase_share", 0.0),
        )
        if config.get("train_event_type"):
            log = log[log[EVENT_TYPE] == config["train_event_type"]].reset_index(drop=True)
        report = validate_interactions(log)
        values[letter] = 1.0 if report.ok else 0.0
        messages = [str(getattr(e, "message", e)) for e in getattr(report, "errors", [])]
        rows.append(
            {
                "option": letter,
                "records_for_training": len(log),
                "users": log[USER_ID].nunique(),
                "users_with_2plus": int((log.groupby(USER_ID).size() >= 2).sum()),
                "ok": bool(report.ok),
                "first_error": messages[0] if messages else "",
            }
        )
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


register(
    EvidenceRecipe(
        name="minimum_data",
        run=run_minimum_data,
        description="validates a seeded interaction log of the given size against the training minimums",
        metrics=("meets_minimums",),
        check_config=_allowed_keys(
            {"n_users": int, "interactions_per_user": int, "purchase_share": (int, float), "train_event_type": str},
            required=("n_users", "interactions_per_user"),
        ),
    )
)


# ============================================================ timestamp_units
TIMESTAMP_UNITS = ("seconds", "milliseconds", "iso8601", "event_value")
"""How the ``timestamp_units`` recipe writes the event time."""


def timestamp_csv(unit: str, n_rows: int = 12, start: int = 1_700_000_000) -> str:
    """CSV text of a small interactions file whose event time is written in ``unit``.

    ``seconds``: Unix epoch seconds (10 digits); ``milliseconds``: 13 digits;
    ``iso8601``: ``2023-11-14T22:13:20Z`` strings; ``event_value``: the seconds
    moved into EVENT_VALUE and no TIMESTAMP column at all.
    """
    seconds = start + np.arange(n_rows) * SECONDS_PER_HOUR
    frame = pd.DataFrame(
        {USER_ID: [f"u{r % 4}" for r in range(n_rows)], ITEM_ID: [f"i{r % 5}" for r in range(n_rows)]}
    )
    if unit == "seconds":
        frame[TIMESTAMP] = seconds
    elif unit == "milliseconds":
        frame[TIMESTAMP] = seconds * 1000
    elif unit == "iso8601":
        frame[TIMESTAMP] = pd.to_datetime(seconds, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif unit == "event_value":
        frame[EVENT_VALUE] = seconds
    else:
        raise ValueError(f"unknown unit {unit!r}")
    frame[EVENT_TYPE] = EVENT_VIEW
    return frame.to_csv(index=False)


def run_timestamp_units(plan: Any) -> RecipeResult:
    """Load each option's file with the workbench loader; value = share of rows accepted."""
    try:
        from ..data import load_interactions
    except ImportError as exc:
        raise EvidenceUnavailable(f"workbench.data.load_interactions is not available: {exc}") from exc
    values: dict[str, float] = {}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for letter, play in plan.options.items():
            unit = play.config["unit"]
            path = Path(folder) / f"interactions_{unit}.csv"
            path.write_text(timestamp_csv(unit), encoding="utf-8")
            n_rows = len(pd.read_csv(path))
            try:
                frame, report = load_interactions(path, errors="reject")
                kept = int(report.rows_kept)
                reason = ""
                if getattr(report, "rejected", None) is not None and len(report.rejected):
                    reason = str(report.rejected.iloc[0].get("reason", ""))
            except (WorkbenchError, ValueError) as exc:  # the whole file refused
                kept, reason = 0, str(exc)
            values[letter] = kept / n_rows
            rows.append({"option": letter, "unit": unit, "rows": n_rows, "rows_accepted": kept, "first_reason": reason})
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


def _check_timestamp(config: dict[str, Any]) -> str | None:
    problem = _allowed_keys({"unit": str}, required=("unit",))(config)
    if problem:
        return problem
    if config["unit"] not in TIMESTAMP_UNITS:
        return f"unit {config['unit']!r} is not one of {', '.join(TIMESTAMP_UNITS)}."
    return None


register(
    EvidenceRecipe(
        name="timestamp_units",
        run=run_timestamp_units,
        description="loads a small interactions CSV whose TIMESTAMP uses the given unit; share of rows accepted",
        metrics=("share_rows_accepted",),
        check_config=_check_timestamp,
    )
)


# =========================================================== purchased_filter
PURCHASE_FILTER = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
"""The Personalize filter expression that drops items a user has bought."""


def run_purchased_filter(plan: Any) -> RecipeResult:
    """Replay same-day purchases and count recommendations of items just bought.

    A Popularity model is trained on day 0. On day 1 every shopper buys one of the
    items currently recommended to them and then asks for recommendations again.
    Options differ in whether the purchase is recorded with the event tracker
    (``record_events`` -> ``model.update``), whether the purchased-items filter is
    applied, and when the model is retrained (``retrain: nightly`` = after the
    visit, so the request right after paying is still served by yesterday's model). The metric
    is the share of post-purchase lists that still contain the item just bought.
    """
    try:
        from ..recommenders import Popularity
        from ..recommenders.filters import parse_filter  # noqa: F401  (checks the filter module exists)
    except ImportError as exc:
        raise EvidenceUnavailable(f"workbench.recommenders filters are not available: {exc}") from exc
    train = synthetic_log(n_users=40, interactions_per_user=6, purchase_share=0.0, seed=11, n_items=30)
    users = sorted(train[USER_ID].unique())
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        model = Popularity().fit(train)
        before = model.recommend(users, n=5)
        bought = before[before[RANK] == 1].set_index(USER_ID)[ITEM_ID]
        t1 = int(train[TIMESTAMP].max()) + SECONDS_PER_HOUR
        purchases = pd.DataFrame(
            {USER_ID: bought.index, ITEM_ID: bought.to_numpy(), TIMESTAMP: t1, EVENT_TYPE: EVENT_PURCHASE}
        )
        if config.get("record_events", False):
            model.update(purchases)
        # retrain: "nightly" retrains after the visit, so the request below still uses
        # the model trained yesterday -- exactly what a shopper sees right after paying.
        expression = PURCHASE_FILTER if config.get("filter", False) else None
        after = model.recommend(users, n=5, filter=expression)
        hits = after.merge(purchases[[USER_ID, ITEM_ID]], on=[USER_ID, ITEM_ID])
        share = hits[USER_ID].nunique() / len(users)
        values[letter] = share
        rows.append({"option": letter, **config, "lists": len(users), "lists_with_item_just_bought": hits[USER_ID].nunique()})
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


def _check_purchased(config: dict[str, Any]) -> str | None:
    problem = _allowed_keys({"record_events": bool, "filter": bool, "retrain": str})(config)
    if problem:
        return problem
    if config.get("retrain", "none") not in ("none", "nightly"):
        return f"retrain {config['retrain']!r} is not one of none, nightly."
    return None


register(
    EvidenceRecipe(
        name="purchased_filter",
        run=run_purchased_filter,
        description="replays purchases; share of next lists that still recommend the item just bought",
        metrics=("share_lists_with_bought_item",),
        check_config=_check_purchased,
    )
)


# ============================================================ training_subset
STREAMING_EVENTS = {"click": 0.45, "watch": 0.40, "rate": 0.15}
"""Event mix of the synthetic streaming-service log used by ``training_subset``."""

REAL_WATCH = 0.5
"""A watch counts as real when at least this fraction of the video was watched."""


def streaming_log(n_users: int = 200, events_per_user: int = 30, seed: int = 5, n_items: int = 120) -> pd.DataFrame:
    """A seeded log of click / watch / rate events in Personalize format.

    EVENT_VALUE holds the fraction watched (uniform in [0, 1]) for watches, the
    star rating (1-5) for ratings and nothing for clicks.
    """
    rng = np.random.default_rng(seed)
    n = n_users * events_per_user
    kinds = rng.choice(list(STREAMING_EVENTS), size=n, p=list(STREAMING_EVENTS.values()))
    values = np.where(kinds == "watch", np.round(rng.uniform(0, 1, n), 2), np.nan)
    values = np.where(kinds == "rate", rng.integers(1, 6, n).astype(float), values)
    return pd.DataFrame(
        {
            USER_ID: [f"u{u:04d}" for u in np.repeat(np.arange(n_users), events_per_user)],
            ITEM_ID: [f"v{i:03d}" for i in rng.integers(0, n_items, n)],
            TIMESTAMP: 1_700_000_000 + np.arange(n) * 60,
            EVENT_TYPE: kinds,
            EVENT_VALUE: values,
        }
    )


def run_training_subset(plan: Any) -> RecipeResult:
    """Describe the records each option leaves for training (value = the plan's share metric)."""
    try:
        from ..sim import Policy, training_mask
    except ImportError as exc:
        raise EvidenceUnavailable(f"workbench.sim.training_mask is not available: {exc}") from exc
    log = streaming_log()
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        data = log[~log[EVENT_TYPE].isin(config.get("delete_event_types") or [])]
        policy = Policy(
            training_event_types=config.get("training_event_types"),
            event_value_threshold=config.get("event_value_threshold"),
        )
        kept = data[training_mask(data, policy)]
        watch = kept[EVENT_TYPE] == "watch"
        real = watch & (kept[EVENT_VALUE] >= REAL_WATCH)
        shares = {
            "share_watch_records": float(watch.mean()) if len(kept) else float("nan"),
            "share_real_watches": float(real.mean()) if len(kept) else float("nan"),
        }
        values[letter] = shares[plan.metric]
        rows.append(
            {
                "option": letter,
                "records_in_dataset": len(data),
                "records_for_training": len(kept),
                **{f"{kind}_records": int((kept[EVENT_TYPE] == kind).sum()) for kind in STREAMING_EVENTS},
                **shares,
                "at_least_1000": len(kept) >= 1000,
            }
        )
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


def _check_subset(config: dict[str, Any]) -> str | None:
    problem = _allowed_keys(
        {"training_event_types": list, "event_value_threshold": (int, float), "delete_event_types": list, "filter": str}
    )(config)
    if problem:
        return problem
    for key in ("training_event_types", "delete_event_types"):
        unknown = [t for t in config.get(key) or [] if t not in STREAMING_EVENTS]
        if unknown:
            return f"{key} {unknown} are not event types of the log ({', '.join(STREAMING_EVENTS)})."
    return None


register(
    EvidenceRecipe(
        name="training_subset",
        run=run_training_subset,
        description="applies eventType / eventValueThreshold (or a dataset edit) to a streaming log; what is left to train on",
        metrics=("share_watch_records", "share_real_watches"),
        check_config=_check_subset,
    )
)
