"""Compiled inner loops (numba) for the hottest passes of a simulated shop.

A simulated year makes about 13,000 top-k selections over a visits x catalog score
matrix and 4,400 utility matrices. In numpy each is a dozen full passes over the
matrix (one ``argmax`` pass per list position, one gather per taste attribute); the
loops here make one pass and give **bit-identical** results: the same float32
operations in the same order, and the same tie rule (the lower column first).
The smaller loops of every slice are here too: the keyed uniforms of ``sim.crn``, the
hits and DCG of each served list against its truth (:func:`list_hits`, summed in numpy's
pairwise order) and the random reference lists (:func:`random_list_rows`); for those
the cost was numpy's per-call overhead on small arrays, 17,500 calls a simulated year.
:func:`decay_and_add` folds a batch of tracked events into User-Personalization's profile
and session vectors (one pass instead of a sort, a gather, a product and a ``reduceat``).
``tests/test_kernels.py`` checks every loop against its numpy formulation, ties, NaN and
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


@njit(inline="always")
def _insert(v: float, j: int, pos: int, vals: np.ndarray, idx: np.ndarray) -> None:
    """Put score ``v`` of column ``j`` into the sorted buffer, moving up from slot ``pos``."""
    while pos > 0 and _ranks_above(v, vals[pos - 1]):  # strict: an equal score stays behind
        vals[pos] = vals[pos - 1]
        idx[pos] = idx[pos - 1]
        pos -= 1
    vals[pos] = v
    idx[pos] = j


@njit(cache=True, nogil=True)
def _top_k_row(scores: np.ndarray, r: int, k: int, out: np.ndarray, vals: np.ndarray, idx: np.ndarray) -> None:
    """Row ``r``'s top ``k`` into ``out[r]``; ``vals`` and ``idx`` are the caller's scratch buffers (length ``k``).

    Once the buffer is full, a score that does not rank above the ``k``-th (``v <= vals[k-1]``, a
    single comparison, False for NaN) is passed over; a NaN ``k``-th means nothing can enter any more.
    """
    n = scores.shape[1]
    filled = min(k, n)
    for j in range(filled):  # the first k scores, sorted
        _insert(scores[r, j], j, j, vals, idx)
    if filled == k and k > 0:
        last = vals[k - 1]
        for j in range(k, n):
            v = scores[r, j]
            if v <= last:  # the usual case (NaN compares False: it goes on to the checks below)
                continue
            if np.isnan(last):  # a NaN k-th: nothing ranks above it
                break
            _insert(v, j, k - 1, vals, idx)
            last = vals[k - 1]
    for p in range(filled):
        if np.isfinite(vals[p]):
            out[r, p] = idx[p]


@njit(cache=True, nogil=True)
def _top_k_serial(scores: np.ndarray, k: int, out: np.ndarray) -> None:
    vals = np.empty(k, dtype=scores.dtype)
    idx = np.empty(k, dtype=np.int64)
    for r in range(scores.shape[0]):
        _top_k_row(scores, r, k, out, vals, idx)


@njit(cache=True, nogil=True, parallel=True)
def _top_k_parallel(scores: np.ndarray, k: int, out: np.ndarray) -> None:
    for r in prange(scores.shape[0]):
        _top_k_row(scores, r, k, out, np.empty(k, dtype=scores.dtype), np.empty(k, dtype=np.int64))


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


@njit(cache=True, nogil=True)
def _numpy_row_sum(values: np.ndarray, start: float) -> float:
    """``values.sum()`` for one contiguous float64 row, summed in numpy's order (pairwise, 8 lanes).

    numpy adds rows of fewer than 8 numbers left to right from ``start`` (0.0 in a sum;
    -0.0 inside ``np.add.reduceat``, which keeps signed zeros); up to 128 numbers it keeps
    8 running sums, joins them as a tree and adds the remainder; longer rows are split
    in halves (a multiple of 8 first). Copying that order keeps the results bit-identical.
    """
    n = values.shape[0]
    if n < 8:
        res = start
        for i in range(n):
            res += values[i]
        return res
    if n <= 128:
        r = values[:8].copy()
        i = 8
        while i < n - (n % 8):
            for j in range(8):
                r[j] += values[i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += values[i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return _numpy_row_sum(values[:half], start) + _numpy_row_sum(values[half:], start)


@njit(cache=True, nogil=True)
def list_hits(top: np.ndarray, truth_rows: np.ndarray, truth_items: np.ndarray, discount: np.ndarray,
              width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per list row: ``(DCG, hits, distinct truth items)`` of ``top`` (item codes, -1 = empty slot).

    ``truth_rows`` / ``truth_items`` pair each truth interaction with its row (duplicates
    count once); ``discount[p]`` is the gain of a hit at position ``p``; codes are below
    ``width``. The DCG sums ``hit * discount`` in numpy's order, as
    ``workbench.sim.scoring.list_metrics`` did with whole-matrix steps.
    """
    n, length = top.shape
    start = np.zeros(n + 1, dtype=np.int64)  # truth entries grouped by row (a counting sort)
    for e in range(truth_rows.shape[0]):
        start[truth_rows[e] + 1] += 1
    for r in range(n):
        start[r + 1] += start[r]
    fill = start[:n].copy()
    grouped = np.empty(truth_rows.shape[0], dtype=np.int64)
    for e in range(truth_rows.shape[0]):
        grouped[fill[truth_rows[e]]] = truth_items[e]
        fill[truth_rows[e]] += 1
    stamp = np.full(max(width, 1), -1, dtype=np.int64)  # stamp[item] == r: item is in row r's truth
    gains = np.zeros(length)
    dcg = np.zeros(n)
    hits = np.zeros(n, dtype=np.int64)
    n_truth = np.zeros(n, dtype=np.int64)
    for r in range(n):
        for e in range(start[r], start[r + 1]):
            item = grouped[e]
            if stamp[item] != r:
                stamp[item] = r
                n_truth[r] += 1
        for p in range(length):
            item = top[r, p]
            hit = item >= 0 and stamp[item] == r
            gains[p] = discount[p] if hit else 0.0
            hits[r] += hit
        dcg[r] = _numpy_row_sum(gains, 0.0)
    return dcg, hits, n_truth


@njit(cache=True, nogil=True)
def random_list_rows(draws: np.ndarray, keys: np.ndarray, exclude: np.ndarray, k: int) -> np.ndarray:
    """``(rows, k)`` lists from random item draws: distinct items, none of ``exclude``, in ``keys`` order.

    Per row: the drawn items are sorted, repeats and excluded items (``exclude``'s row,
    -1 padded) dropped, the rest ordered by the row's random ``keys`` (a shuffle) and the
    first ``k`` kept, -1 padded. ``draws`` may hold -1 (nothing to draw). Both sorts are
    insertion sorts into buffers allocated once (rows are a few dozen draws long); the keys
    are distinct random floats, so their order is the one ``np.argsort`` gives.
    """
    n, m = draws.shape
    out = np.full((n, k), -1, dtype=np.int64)
    items = np.empty(m, dtype=np.int64)
    order = np.empty(m, dtype=np.int64)
    for r in range(n):
        for j in range(m):  # items sorted ascending
            v = draws[r, j]
            p = j
            while p > 0 and items[p - 1] > v:
                items[p] = items[p - 1]
                p -= 1
            items[p] = v
        for j in range(m - 1, 0, -1):
            if items[j] == items[j - 1]:
                items[j] = -1
        for j in range(m):
            for x in range(exclude.shape[1]):
                if items[j] == exclude[r, x]:
                    items[j] = -1
        for j in range(m):  # positions in ascending key order (stable)
            v = keys[r, j]
            p = j
            while p > 0 and keys[r, order[p - 1]] > v:
                order[p] = order[p - 1]
                p -= 1
            order[p] = j
        filled = 0
        for j in range(m):
            if filled == k:
                break
            item = items[order[j]]
            if item >= 0:
                out[r, filled] = item
                filled += 1
    return out


@njit(inline="always")
def _add_scaled(acc: np.ndarray, c: float, row: np.ndarray) -> None:
    """``acc += c * row`` element by element, ``row`` read as float64."""
    for f in range(acc.shape[0]):
        acc[f] += c * np.float64(row[f])


@njit(cache=True, nogil=True)
def decay_and_add(state: np.ndarray, users: np.ndarray, old: np.ndarray, inv: np.ndarray, items: np.ndarray,
                  coef: np.ndarray, factors: np.ndarray) -> None:
    """``state[users] = state[users] * old[:, None] + sum_e coef[e] * factors[items[e]]`` in place.

    Event ``e`` belongs to ``users[inv[e]]`` (``users`` distinct). Bit-identical to the
    numpy steps it replaces -- the events grouped per user (a stable sort) and summed with
    ``np.add.reduceat(..., axis=0)``, which keeps the group's first term and adds numpy's
    pairwise sum of the rest -- without building the ``(events x factors)`` matrix.
    """
    n_users, width = len(users), state.shape[1]
    starts = np.zeros(n_users + 1, dtype=np.int64)
    for e in range(len(inv)):
        starts[inv[e] + 1] += 1
    for g in range(n_users):
        starts[g + 1] += starts[g]
    fill = starts[:-1].copy()
    order = np.empty(len(inv), dtype=np.int64)  # events grouped per user, in their order (a stable sort)
    for e in range(len(inv)):
        order[fill[inv[e]]] = e
        fill[inv[e]] += 1
    total = np.empty(width)
    lanes = np.empty((8, width))  # numpy's 8 running sums, one set per factor
    terms = np.empty(len(inv))
    for g in range(n_users):
        lo, hi = starts[g], starts[g + 1]
        u, keep = users[g], old[g]
        if hi == lo:  # no event of this user
            for f in range(width):
                state[u, f] = state[u, f] * keep
            continue
        rest = hi - lo - 1  # numpy keeps the group's first term and adds the pairwise sum of the rest
        if rest > 128:  # rare: the halving order, one factor at a time
            for f in range(width):
                for j in range(lo, hi):
                    e = order[j]
                    terms[j - lo] = coef[e] * np.float64(factors[items[e], f])
                total[f] = terms[0] + _numpy_row_sum(terms[1: hi - lo], -0.0)
        else:  # every factor at once (-0.0 + x == x, and x + y == y + x, exactly)
            total[:] = -0.0
            i = 0
            if rest >= 8:  # 8 lanes, blocks of 8 added lane by lane, joined as a tree
                lanes[:] = -0.0
                while i < rest - rest % 8:
                    for x in range(8):
                        e = order[lo + 1 + i + x]
                        _add_scaled(lanes[x], coef[e], factors[items[e]])
                    i += 8
                for f in range(width):
                    total[f] = ((lanes[0, f] + lanes[1, f]) + (lanes[2, f] + lanes[3, f])) + \
                        ((lanes[4, f] + lanes[5, f]) + (lanes[6, f] + lanes[7, f]))
            while i < rest:  # left to right (the remainder past the blocks)
                e = order[lo + 1 + i]
                _add_scaled(total, coef[e], factors[items[e]])
                i += 1
            e = order[lo]
            _add_scaled(total, coef[e], factors[items[e]])  # the first term, added to the sum of the rest
        for f in range(width):
            state[u, f] = state[u, f] * keep + total[f]
