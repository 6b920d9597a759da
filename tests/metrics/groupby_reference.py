"""A straightforward pandas implementation of the ranking metrics (Personalize convention).

Merge the truth onto the recommendations, then one groupby per user. Easy to
check by eye, slow on big inputs; the tests use it as an independent cross-check
of :func:`workbench.metrics.evaluate` and ``benchmarks/bench_metrics.py`` times
both. Users are the users of the truth frame; a user without a list scores 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

USER, ITEM, RANK = "USER_ID", "ITEM_ID", "RANK"


def groupby_metrics(recommendations: pd.DataFrame, truth: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Per-user Precision, Recall, F1, HitRate, MRR, MAP and NDCG at ``k``, indexed by USER_ID."""
    relevant = truth[[USER, ITEM]].drop_duplicates()
    n_relevant = relevant.groupby(USER).size()

    top = recommendations.loc[recommendations[RANK] <= k, [USER, ITEM, RANK]]
    merged = top.merge(relevant.assign(hit=1.0), on=[USER, ITEM], how="left")
    merged["hit"] = merged["hit"].fillna(0.0)
    merged = merged.sort_values([USER, RANK])
    merged["hits_so_far"] = merged.groupby(USER)["hit"].cumsum()
    merged["precision_here"] = merged["hits_so_far"] / merged[RANK] * merged["hit"]
    merged["dcg"] = merged["hit"] / np.log2(1.0 + merged[RANK])
    merged["rr"] = merged["hit"] / merged[RANK]

    grouped = merged.groupby(USER)
    per_user = pd.DataFrame(
        {
            "hits": grouped["hit"].sum(),
            "dcg": grouped["dcg"].sum(),
            "rr": grouped["rr"].max(),
            "ap_sum": grouped["precision_here"].sum(),
        }
    )
    per_user = per_user.reindex(n_relevant.index, fill_value=0.0)
    n = n_relevant.astype(float)

    ideal_table = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])
    ideal = ideal_table[np.minimum(n.to_numpy(dtype=int), k)]

    precision = per_user["hits"] / k
    recall = per_user["hits"] / n
    both = precision + recall
    f1 = (2 * precision * recall / both.where(both > 0, 1.0)).where(both > 0, 0.0)
    return pd.DataFrame(
        {
            f"Precision@{k}": precision,
            f"Recall@{k}": recall,
            f"F1@{k}": f1,
            f"HitRate@{k}": (per_user["hits"] > 0).astype(float),
            f"MRR@{k}": per_user["rr"],
            f"MAP@{k}": per_user["ap_sum"] / np.minimum(n, k),
            f"NDCG@{k}": per_user["dcg"] / ideal,
        }
    )
