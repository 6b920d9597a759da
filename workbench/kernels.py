"""Compiled inner loops (numba) for the two hottest matrix passes of a simulated shop.

A simulated year makes about 13,000 top-k selections over a visits x catalog score
matrix and 4,400 utility matrices. In numpy each is a dozen full passes over the
matrix (one ``argmax`` pass per list position, one gather per taste attribute); the
loops here make one pass and give **bit-identical** results: the same float32
operations in the same order, and the same tie rule (the lower column first).
``tests/test_kernels.py`` checks both against the numpy formulations, ties, NaN and
infinities included.

numba compiles each function on first use and caches the machine code next to this
file (``cache=True``), so later processes start at once.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _ranks_above(v: float, w: float) -> bool:
    """``v`` ranks strictly above ``w``: NaN above everything (as ``argmax`` has it), then larger first."""
    if np.isnan(v):
        return not np.isnan(w)
    if np.isnan(w):
        return False
    return v > w


@njit(cache=True, nogil=True)
def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` best scores of every row, best first, ties to the lower column.

    A non-finite score at a chosen position (``-inf``, ``inf``, NaN) gives ``-1``, as do
    positions beyond the row's length; this is what ``k`` passes of ``argmax`` give.
    One pass per row with a sorted buffer of ``k`` entries.
    """
    n_rows, n_cols = scores.shape
    out = np.full((n_rows, k), -1, dtype=np.int64)
    vals = np.empty(k, dtype=scores.dtype)
    idx = np.empty(k, dtype=np.int64)
    for r in range(n_rows):
        filled = 0
        for j in range(n_cols):
            v = scores[r, j]
            if filled < k:
                pos = filled
                filled += 1
            elif _ranks_above(v, vals[k - 1]):
                pos = k - 1
            else:
                continue
            while pos > 0 and _ranks_above(v, vals[pos - 1]):  # strict: an equal score stays behind
                vals[pos] = vals[pos - 1]
                idx[pos] = idx[pos - 1]
                pos -= 1
            vals[pos] = v
            idx[pos] = j
        for p in range(filled):
            if np.isfinite(vals[p]):
                out[r, p] = idx[p]
    return out


@njit(cache=True, nogil=True)
def taste_utilities(taste: np.ndarray, category: np.ndarray, audience: np.ndarray, brand: np.ndarray,
                    color: np.ndarray, price_sensitivity: np.ndarray, log_price: np.ndarray,
                    terms: np.ndarray) -> np.ndarray:
    """``U[r, j] = t[cat_j] + t[aud_j] + t[brand_j] + t[color_j] - s_r log p_j + terms_j`` in float32.

    ``taste`` is ``(rows, dims)`` float32; ``category`` .. ``color`` are the taste
    columns of each item's attributes; the sums run left to right, as the numpy
    version adds the attribute matrices one after another.
    """
    n_rows = taste.shape[0]
    n_items = category.shape[0]
    out = np.empty((n_rows, n_items), dtype=np.float32)
    for r in range(n_rows):
        s = price_sensitivity[r]
        for j in range(n_items):
            v = taste[r, category[j]] + taste[r, audience[j]]
            v = v + taste[r, brand[j]]
            v = v + taste[r, color[j]]
            v = v - s * log_price[j]
            out[r, j] = v + terms[j]
    return out
