"""Online ranking metrics of served lists against what the customer did next.

The simulator scores every served list right away, vectorised over all lists of
a time slice. For list ``l`` with items ``i_1..i_k`` and truth set ``T_l`` (the
items the customer interacted with after the list was served, in the same visit):

* ``precision@k = hits / k`` (Personalize divides by k even when fewer items fit);
* ``recall@k = hits / |T_l|``;
* ``NDCG@k = DCG / IDCG`` with binary relevance, ``DCG = sum_r rel_r / log2(r + 1)``
  and ``IDCG = sum_{r=1}^{min(|T_l|, k)} 1 / log2(r + 1)``.

Edge cases: lists with an empty truth set get NaN for all three (there is
nothing to find; daily means skip them); empty slots (-1) are never relevant.
These are the definitions of :func:`workbench.metrics.evaluate` with
``convention="personalize"`` per list; ``tests/sim`` checks the two agree.
"""

from __future__ import annotations

import numpy as np

from ..kernels import list_hits


def list_metrics(
    lists: np.ndarray, truth_rows: np.ndarray, truth_items: np.ndarray, k: int = 10
) -> dict[str, np.ndarray]:
    """NDCG, recall and precision at ``k`` per row of ``lists`` (item codes, -1 = empty slot).

    Args:
        lists: ``(n_lists, length)`` item codes, best first.
        truth_rows: row (list) of each truth interaction.
        truth_items: item code of each truth interaction (duplicates are fine).
        k: cut-off.

    Returns:
        ``{"ndcg", "recall", "precision", "n_truth"}`` arrays of length ``n_lists``.
    """
    top = np.ascontiguousarray(lists[:, :k], dtype=np.int64)
    width = int(max(top.max(initial=-1), np.max(truth_items, initial=-1))) + 1
    discount = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    dcg, hits, n_truth = list_hits(top, np.asarray(truth_rows, dtype=np.int64),
                                   np.asarray(truth_items, dtype=np.int64), discount, width)
    n_truth = n_truth.astype(float)
    hits = hits.astype(float)
    ideal_cum = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])
    idcg = ideal_cum[np.minimum(n_truth, k).astype(int)]
    has = n_truth > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "ndcg": np.where(has, dcg / idcg, np.nan),
            "recall": np.where(has, hits / n_truth, np.nan),
            "precision": np.where(has, hits / k, np.nan),
            "n_truth": n_truth,
        }
