"""One SparkSession (local[2], UI off, 2 shuffle partitions) for every Spark test; skip clearly without Java.

``make test`` runs these tests when a Java runtime is present (``make spark-env``
installs one); otherwise each is skipped with the reason ``spark_status`` gives.
"""

from __future__ import annotations

import copy

import pytest

from workbench.spark import get_spark, spark_status


@pytest.fixture(scope="session")
def spark():
    ok, message = spark_status()
    if not ok:
        pytest.skip(f"Spark tests skipped: {message}")
    return get_spark("local[2]", driver_memory="1g", shuffle_partitions=2)


@pytest.fixture(autouse=True)
def _needs_spark(spark):
    """Every test here needs the session (and is skipped with its reason when there is none)."""
    return spark


class FitOnce:
    """Contract mixin: train once per test class and hand each test its own deep copy.

    Training starts Spark jobs (seconds each); the contract's checks only need a
    fresh, independent fitted model, which a copy of a pandas-fitted model is.
    """

    _fitted_cache: dict = {}

    @pytest.fixture
    def fitted(self, data):
        key = type(self)
        if key not in FitOnce._fitted_cache:
            interactions, items, users = data
            FitOnce._fitted_cache[key] = self.make_model().fit(interactions, items=items, users=users)
        return copy.deepcopy(FitOnce._fitted_cache[key])
