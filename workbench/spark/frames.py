"""Moving interaction data between pandas, Arrow and Spark without going through pandas-on-Spark.

Frames cross the Python/JVM border as Arrow tables (``createDataFrame(pyarrow.Table)``
and ``DataFrame.toArrow()``), which is fast and does not depend on which pandas
version PySpark supports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from ..constants import DEFAULT_EVENT_WEIGHTS, EVENT_TYPE, ITEM_ID, USER_ID
from ..errors import DatasetError

WEIGHT = "WEIGHT"
"""Column of summed event weights per (user, item) pair."""


def is_spark_frame(frame: object) -> bool:
    """True for a ``pyspark.sql.DataFrame`` (checked without importing pyspark)."""
    kind = type(frame)
    return kind.__name__ == "DataFrame" and kind.__module__.startswith("pyspark.sql")


def require_columns(frame, columns: Sequence[str], what: str = "interactions") -> None:
    """Raise a DatasetError naming the first of ``columns`` the Spark frame lacks."""
    present = list(frame.columns)
    for column in columns:
        if column not in present:
            raise DatasetError(f"the Spark {what} frame has no such column (it has {', '.join(present)}).",
                               file="<Spark DataFrame>", column=column,
                               fix=f"rename your columns to the Personalize names ({', '.join(columns)}), "
                               "e.g. with withColumnRenamed.")


def to_spark(spark, frame: pd.DataFrame):
    """A Spark frame of a pandas frame, through Arrow."""
    return spark.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))


def to_pandas(frame) -> pd.DataFrame:
    """A Spark frame collected to the driver as pandas, through Arrow."""
    return frame.toArrow().to_pandas()


def with_string_ids(frame):
    """The Spark frame with USER_ID / ITEM_ID cast to strings (Personalize ids are text)."""
    from pyspark.sql import functions as F

    for column in (USER_ID, ITEM_ID):
        if column in frame.columns:
            frame = frame.withColumn(column, F.col(column).cast("string"))
    return frame


def weight_column(frame, event_weights: Mapping[str, float] | None):
    """Spark expression for the confidence of each event (the Recommender's ``event_weight`` rule).

    Weights are looked up by lower-cased EVENT_TYPE; unknown, missing or absent
    event types weigh 1.
    """
    from pyspark.sql import functions as F

    if EVENT_TYPE not in frame.columns:
        return F.lit(1.0)
    weights = event_weights or DEFAULT_EVENT_WEIGHTS
    pairs = []
    for name, value in weights.items():
        pairs += [F.lit(str(name).lower()), F.lit(float(value))]
    lookup = F.create_map(*pairs)
    return F.coalesce(lookup[F.lower(F.col(EVENT_TYPE).cast("string"))], F.lit(1.0))


def weighted_pairs(frame, event_weights: Mapping[str, float] | None):
    """``USER_ID, ITEM_ID, WEIGHT`` with the summed event weight of each distinct pair (stays in Spark)."""
    from pyspark.sql import functions as F

    return (frame.select(USER_ID, ITEM_ID, weight_column(frame, event_weights).alias(WEIGHT))
            .groupBy(USER_ID, ITEM_ID).agg(F.sum(WEIGHT).alias(WEIGHT)))


def factors_of(model_factors, n_rows: int, rank: int) -> np.ndarray:
    """ALS ``userFactors`` / ``itemFactors`` (``id, features``) as a dense ``(n_rows, rank)`` array.

    Rows whose id Spark did not return stay NaN.
    """
    table = model_factors.toArrow()
    out = np.full((n_rows, rank), np.nan)
    if table.num_rows:
        ids = table.column("id").to_numpy()
        values = table.column("features").combine_chunks().flatten().to_numpy(zero_copy_only=False)
        out[ids] = values.reshape(len(ids), rank)
    return out


def events_of_users(frame, user_ids: Sequence[str]) -> pd.DataFrame:
    """Every event of some users, collected from a Spark frame (one filtered scan)."""
    from pyspark.sql import functions as F

    if not len(user_ids):
        return to_pandas(frame.limit(0))
    return to_pandas(frame.where(F.col(USER_ID).isin(list(user_ids))))
