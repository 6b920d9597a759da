"""Personalize-format data: schemas, loaders, validation, export.

Everything a notebook needs to get data in and out of the Amazon Personalize
format: ``load_interactions`` / ``load_items`` / ``load_users`` for CSV or Parquet
files, ``load_movielens`` and ``load_baskets`` for classic public data,
``load_sample`` for the bundled shop, ``validate_*`` for a report of what
Personalize would refuse, and ``to_personalize`` to write import-ready files with
their Avro schemas.
"""

from .baskets import load_baskets
from .export import to_personalize
from .large import LargeLoad as LargeLoad
from .large import load_large as load_large
from .large import validate_large as validate_large
from .loaders import (
    PersonalizeData,
    coerce_types,
    finish_frame,
    load_folder,
    load_interactions,
    load_items,
    load_users,
    split_multi_values,
)
from .mapping import guess_mapping, map_columns
from .movielens import cache_dir, download_movielens, load_movielens
from .report import Issue, LoadReport, ValidationReport
from .sample import SAMPLE_DIR, load_sample
from .schemas import (
    DatasetSchema,
    SchemaField,
    check_schema,
    default_schema,
    load_schema,
    schema_from_frame,
)
from .validate import validate_interactions, validate_items, validate_users

__all__ = [
    "DatasetSchema",
    "Issue",
    "LoadReport",
    "PersonalizeData",
    "SAMPLE_DIR",
    "SchemaField",
    "ValidationReport",
    "cache_dir",
    "check_schema",
    "coerce_types",
    "default_schema",
    "download_movielens",
    "finish_frame",
    "guess_mapping",
    "load_baskets",
    "load_folder",
    "load_interactions",
    "load_items",
    "load_movielens",
    "load_sample",
    "load_schema",
    "load_users",
    "map_columns",
    "schema_from_frame",
    "split_multi_values",
    "to_personalize",
    "validate_interactions",
    "validate_items",
    "validate_users",
]
