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
``carousel_agreement``
    Draws random pairs of 25-item lists for seeded visitors and counts how often a
    named offline metric prefers the same list as a model of carousel attention
    (the simulator's position bias, or uniform attention over ten slots).
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
``segments``
    Simulates the shop without recommendations, makes the customer segments of a
    marketing e-mail through batch segment or batch inference jobs, and judges them
    on the organic purchases after the training cut.
``training_subset``
    Applies a solution's ``eventType`` / ``eventValueThreshold`` (through the
    simulator's :func:`workbench.sim.training_mask`) or a dataset edit to a seeded
    streaming-service log and describes the records left to train on.

Recipes import their workbench dependencies (simulator, loaders, metrics) on
first use, so ``import workbench.exam`` stays light. A recipe raises
:class:`EvidenceUnavailable` when what it needs is not there (e.g. a metric the
simulator's daily table does not have), so a scenario is reported instead of
showing made-up numbers.
"""

from . import carousel_agreement, data_rules, metric_choice, purchased_filter, segments, simulate, training_subset
from .data_rules import synthetic_log, timestamp_csv
from .metric_choice import carousel_pairs
from .registry import RECIPES, REPO_ROOT, EvidenceRecipe, EvidenceUnavailable, RecipeResult, allowed_keys, register
from .simulate import clear_cache, new_item_share, reduce_daily, shop_settings, shop_settings_from
from .training_subset import streaming_log

__all__ = [
    "RECIPES",
    "REPO_ROOT",
    "EvidenceRecipe",
    "EvidenceUnavailable",
    "RecipeResult",
    "allowed_keys",
    "carousel_agreement",
    "carousel_pairs",
    "clear_cache",
    "data_rules",
    "metric_choice",
    "new_item_share",
    "purchased_filter",
    "reduce_daily",
    "register",
    "segments",
    "shop_settings",
    "shop_settings_from",
    "simulate",
    "streaming_log",
    "synthetic_log",
    "timestamp_csv",
    "training_subset",
]
