"""An in-process Amazon Personalize: event tracker, campaigns, filters and the recipe catalogue.

* :class:`EventTracker` -- ``put_events`` / ``put_items`` / ``put_users`` with the
  parameters of boto3's ``personalize-events`` client, validated against botocore's
  own service model, turning events into Personalize interaction rows and forwarding
  them to attached campaigns.
* :class:`Campaign` -- a fitted workbench recommender behind ``get_recommendations``
  (``personalize-runtime`` request and response shapes).
* :class:`PersonalizeRuntime` -- dataset groups, one tracker per group, filters,
  campaigns, and boto3-shaped routing of every call.
* :mod:`~workbench.personalize.batch` -- batch inference and batch segment jobs
  (``create_batch_inference_job`` / ``create_batch_segment_job``) on a local folder playing S3.
* :mod:`~workbench.personalize.recipes` -- the recipes / use cases table used by
  notebooks and exam scenarios.
"""

from .arn import DEFAULT_ACCOUNT, DEFAULT_REGION, Arn, dataset_arn, make_arn, parse_arn, recipe_arn
from .batch import BATCH_DEFAULT_RESULTS, BatchJob, LocalS3, S3PathError
from .contract import check_service_limits, client_error, operation_model, service_model, validate_request
from .event_tracker import (
    DUPLICATE,
    EVENT_ID,
    EXCLUSION_REASON,
    MAX_EVENT_BYTES,
    RESERVED_PROPERTY_KEYS,
    EventTracker,
    camel_to_column,
    epoch_seconds,
    realtime_view,
)
from .recipes import RECIPES, Recipe, find_recipe, realtime_mismatches, recipe_table, workbench_model_class
from .runtime import (
    DEFAULT_NUM_RESULTS,
    MAX_FILTERS_PER_DATASET_GROUP,
    MAX_INPUT_LIST,
    MAX_NUM_RESULTS,
    RECIPE_TYPES,
    Campaign,
    PersonalizeRuntime,
)

__all__ = [
    "BATCH_DEFAULT_RESULTS",
    "BatchJob",
    "LocalS3",
    "S3PathError",
    "EventTracker",
    "Campaign",
    "PersonalizeRuntime",
    "RECIPES",
    "Recipe",
    "recipe_table",
    "find_recipe",
    "workbench_model_class",
    "realtime_mismatches",
    "Arn",
    "make_arn",
    "parse_arn",
    "recipe_arn",
    "dataset_arn",
    "DEFAULT_REGION",
    "DEFAULT_ACCOUNT",
    "validate_request",
    "check_service_limits",
    "client_error",
    "service_model",
    "operation_model",
    "EVENT_ID",
    "DUPLICATE",
    "EXCLUSION_REASON",
    "MAX_EVENT_BYTES",
    "RESERVED_PROPERTY_KEYS",
    "camel_to_column",
    "epoch_seconds",
    "realtime_view",
    "DEFAULT_NUM_RESULTS",
    "MAX_NUM_RESULTS",
    "MAX_INPUT_LIST",
    "MAX_FILTERS_PER_DATASET_GROUP",
    "RECIPE_TYPES",
]
