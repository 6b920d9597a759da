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

import contextlib
import threading
from collections.abc import Iterator

import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True)
def _ranks_above(v: float, w: float) -> bool:
    """``v`` ranks strictly above ``w``: NaN above everything (as ``argmax`` has it), then larger first."""
    if np.isnan(v):
        return not np.isnan(w)
    if np.isnan(w):
        return False
    return v > w


_PARALLEL_CELLS = 20_000
"""Matrices with at least this many cells (and 16 rows) are split over the cores, row by row.

Rows are independent, so the result is the same as one thread's; below this size starting
the threads costs more than it saves."""

_one_thread_holders = 0
_holders_lock = threading.Lock()


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """While this is open (anywhere in the process), the kernels run on one thread.

    The simulator opens it for a run: it already keeps the second core busy with the next
    page's recommendations, and kernels splitting rows over both cores then only wait on
    each other (a 150-day run of the 10,000-customer shop: 13.8 s with one-thread kernels,
    14.8 s with both).
    """
    global _one_thread_holders
    with _holders_lock:  # runs in several threads each hold it
        _one_thread_holders += 1
    try:
        yield
    finally:
        with _holders_lock:
            _one_thread_holders -= 1


def _parallel(rows: int, cells: int) -> bool:
    return _one_thread_holders == 0 and rows >= 16 and cells >= _PARALLEL_CELLS


def top_k_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` best scores of every row, best first, ties to the lower column.

    A non-finite score at a chosen position (``-inf``, ``inf``, NaN) gives ``-1``, as do
    positions beyond the row's length; this is what ``k`` passes of ``argmax`` give.
    One pass per row with a sorted buffer of ``k`` entries (rows on every core for large matrices).
    """
    out = np.full((scores.shape[0], k), -1, dtype=np.int64)
    if _parallel(scores.shape[0], scores.size):
        _top_k_parallel(scores, k, out)
    else:
        _top_k_serial(scores, k, out)
    return out


@njit(cache=True, nogil=True)
def _top_k_row(scores: np.ndarray, r: int, k: int, out: np.ndarray) -> None:
    vals = np.empty(k, dtype=scores.dtype)
    idx = np.empty(k, dtype=np.int64)
    filled = 0
    for j in range(scores.shape[1]):
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


@njit(cache=True, nogil=True)
def _top_k_serial(scores: np.ndarray, k: int, out: np.ndarray) -> None:
    for r in range(scores.shape[0]):
        _top_k_row(scores, r, k, out)


@njit(cache=True, nogil=True, parallel=True)
def _top_k_parallel(scores: np.ndarray, k: int, out: np.ndarray) -> None:
    for r in prange(scores.shape[0]):
        _top_k_row(scores, r, k, out)


def taste_utilities(taste: np.ndarray, category: np.ndarray, audience: np.ndarray, brand: np.ndarray,
                    color: np.ndarray, price_sensitivity: np.ndarray, log_price: np.ndarray,
                    terms: np.ndarray) -> np.ndarray:
    """``U[r, j] = t[cat_j] + t[aud_j] + t[brand_j] + t[color_j] - s_r log p_j + terms_j`` in float32.

    ``taste`` is ``(rows, dims)`` float32; ``category`` .. ``color`` are the taste
    columns of each item's attributes; the sums run left to right, as the numpy
    version adds the attribute matrices one after another.
    """
    out = np.empty((taste.shape[0], category.shape[0]), dtype=np.float32)
    args = (taste, category, audience, brand, color, price_sensitivity, log_price, terms, out)
    if _parallel(out.shape[0], out.size):
        _utilities_parallel(*args)
    else:
        _utilities_serial(*args)
    return out


@njit(cache=True, nogil=True)
def _utility_row(taste, category, audience, brand, color, price_sensitivity, log_price, terms, out, r) -> None:
    s = price_sensitivity[r]
    for j in range(category.shape[0]):
        v = taste[r, category[j]] + taste[r, audience[j]]
        v = v + taste[r, brand[j]]
        v = v + taste[r, color[j]]
        v = v - s * log_price[j]
        out[r, j] = v + terms[j]


@njit(cache=True, nogil=True)
def _utilities_serial(taste, category, audience, brand, color, price_sensitivity, log_price, terms, out) -> None:
    for r in range(taste.shape[0]):
        _utility_row(taste, category, audience, brand, color, price_sensitivity, log_price, terms, out, r)


@njit(cache=True, nogil=True, parallel=True)
def _utilities_parallel(taste, category, audience, brand, color, price_sensitivity, log_price, terms, out) -> None:
    for r in prange(taste.shape[0]):
        _utility_row(taste, category, audience, brand, color, price_sensitivity, log_price, terms, out, r)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True)
def _mix64(x: np.uint64) -> np.uint64:
    """SplitMix64's finaliser on one word (wrapping uint64 arithmetic), as ``workbench.sim.crn._mix``."""
    x = x + _GOLDEN
    x ^= x >> np.uint64(30)
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


@njit(cache=True, nogil=True)
def keyed_uniforms(customer: np.ndarray, day: np.ndarray, a: np.ndarray, b: np.ndarray, key_salt: np.uint64,
                   salts: np.ndarray) -> np.ndarray:
    """``(len(salts), n)`` keyed uniforms for the flat int64 keys: the whole chain of ``crn.uniforms`` per key.

    Each key array has ``n`` entries or exactly one (then it is the same for every element:
    a scalar key needs no broadcast copy). Per element: pack ``customer | day | a | b`` into
    one word, mix it with ``key_salt``, then for every purpose salt mix again and map the
    top 53 bits to ``(0, 1)``. Integer steps are exact and the float step is one exact
    conversion, so the numbers are bit-identical to the numpy chain (``tests/test_kernels.py``).
    """
    n = max(customer.shape[0], day.shape[0], a.shape[0], b.shape[0])
    sc, sd, sa, sb = customer.shape[0] > 1, day.shape[0] > 1, a.shape[0] > 1, b.shape[0] > 1
    out = np.empty((salts.shape[0], n))
    scale = 1.0 / 9007199254740992.0  # 2 ** -53
    for e in range(n):
        packed = (np.uint64(customer[e if sc else 0]) << np.uint64(42)) \
            | (np.uint64(day[e if sd else 0]) << np.uint64(30)) \
            | (np.uint64(a[e if sa else 0]) << np.uint64(10)) | np.uint64(b[e if sb else 0])
        base = _mix64(packed ^ key_salt)
        for p in range(salts.shape[0]):
            h = _mix64(base + salts[p])
            out[p, e] = (np.float64(h >> np.uint64(11)) + 0.5) * scale
    return out
