"""The simulated footwear shop: customers with drifting tastes, a funnel, and policies.

Build a world with :func:`build_world`, play it with :func:`run_scenario` under a
:class:`Policy` (none / random / stale / retrain / auto_update / event_tracker, or
combinations), compare several with :func:`compare_policies` and, paired over seeds,
:func:`paired_comparison`; attribute a stale model's decline to its causes with
:func:`attribute_decline`; play retraining on every event against rolling training windows
with :func:`compare_training_windows` and retraining cadences with :func:`compare_retrain_cadences`;
play a campaign with and without impressions with :func:`compare_impressions`; measure what lists
do to the long tail with :func:`long_tail_table`. The story of the footwear exam
question (recommendations lift sales, then sales decline as customers, seasons
and tastes change; an event tracker keeps them relevant) emerges from the
mechanisms in :mod:`~workbench.sim.drift` and :mod:`~workbench.sim.behaviour`.
"""

from .attribution import attribute_decline, story_shape, uplift_decline, uplift_slope, weekly_uplift
from .cadence import (
    CADENCE_COLUMNS,
    CadenceComparison,
    cadence_label,
    cadence_sentences,
    cadence_table,
    compare_retrain_cadences,
)
from .compare import mean_ci, paired_comparison, per_seed_values, window_mean
from .config import CAUSES, POLICY_KINDS, Policy, ScenarioConfig, ShopConfig, load_scenario
from .eventlog import DWELL_SECONDS, SCROLL_DEPTH, EventLog
from .impressions import IMPRESSION_METRICS, IMPRESSIONS_SHOP, compare_impressions, impressions_sentences
from .long_tail import LONG_TAIL_COLUMNS, launch_tail, long_tail_table
from .policies import MODELS, ModelSpec, make_model, model_spec, training_mask
from .retraining import (
    WindowComparison,
    compare_training_windows,
    interval_verdict,
    play_paired_runs,
    repeat_purchases,
    window_label,
    window_sentences,
)
from .runner import DAILY_COLUMNS, VERSION_COLUMNS, ScenarioResult, compare_policies, run_scenario, with_baseline
from .scoring import list_metrics
from .world import World, build_world

__all__ = [
    "CADENCE_COLUMNS",
    "CAUSES",
    "DAILY_COLUMNS",
    "DWELL_SECONDS",
    "IMPRESSIONS_SHOP",
    "IMPRESSION_METRICS",
    "LONG_TAIL_COLUMNS",
    "MODELS",
    "POLICY_KINDS",
    "SCROLL_DEPTH",
    "VERSION_COLUMNS",
    "CadenceComparison",
    "EventLog",
    "ModelSpec",
    "Policy",
    "ScenarioConfig",
    "ScenarioResult",
    "ShopConfig",
    "WindowComparison",
    "World",
    "attribute_decline",
    "build_world",
    "cadence_label",
    "cadence_sentences",
    "cadence_table",
    "compare_impressions",
    "compare_policies",
    "compare_retrain_cadences",
    "compare_training_windows",
    "impressions_sentences",
    "interval_verdict",
    "launch_tail",
    "list_metrics",
    "load_scenario",
    "long_tail_table",
    "make_model",
    "mean_ci",
    "model_spec",
    "paired_comparison",
    "per_seed_values",
    "play_paired_runs",
    "repeat_purchases",
    "run_scenario",
    "story_shape",
    "training_mask",
    "uplift_decline",
    "uplift_slope",
    "weekly_uplift",
    "window_label",
    "window_mean",
    "window_sentences",
    "with_baseline",
]
