"""The Spark backend: Spark's ALS and FPGrowth behind the workbench's Recommender interface.

Importing this package does not start Spark (nor need Java); the first ``fit``
does, through :func:`get_spark`. :func:`spark_status` tells whether Spark can
start here and, if not, what to install.

    from workbench.spark import SparkALS, get_spark
    spark = get_spark()                                   # local[2], or the active cluster session
    events = spark.read.parquet("interactions.parquet")   # e.g. load_large(...).path
    model = SparkALS(factors=64).fit(events)              # or .fit(pandas_frame)
    model.recommend(["u1", "u2"], n=10)                   # USER_ID, ITEM_ID, SCORE, RANK, FALLBACK
"""

from .frames import is_spark_frame, to_pandas, to_spark
from .recommenders import SparkALS, SparkALSConfig, SparkFPGrowth, SparkFPGrowthConfig
from .session import JDK_PACKAGE, SparkUnavailable, get_spark, java_version, spark_status

__all__ = [
    "JDK_PACKAGE",
    "SparkALS",
    "SparkALSConfig",
    "SparkFPGrowth",
    "SparkFPGrowthConfig",
    "SparkUnavailable",
    "get_spark",
    "is_spark_frame",
    "java_version",
    "spark_status",
    "to_pandas",
    "to_spark",
]
