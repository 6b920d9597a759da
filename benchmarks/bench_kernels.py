"""Speed of the compiled list kernels on the simulator's sizes, against their numpy formulations.

The shapes are those of one slice of the 10,000-customer / 1,000-item shop: about 130
visits, a catalogue of about 1,045 items, lists of 20, 40 random draws per reference list.

1. ``top_k_rows`` (one pass per row with a sorted buffer of k) against ``np.argpartition``
   plus a sort of the k chosen, and against k passes of ``argmax`` (the reference the tests use).
2. ``random_list_rows`` (the random reference lists) against the same steps in numpy
   (sort, drop repeats, shuffle by random keys).

Each row of the table: median and minimum over ``--repeats`` timings of ``--calls`` calls,
in microseconds per call, and the ratio of the baseline's median to the kernel's.
Run: ``python benchmarks/bench_kernels.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np
import pandas as pd

from workbench.kernels import random_list_rows, top_k_rows


def _argpartition_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def _argmax_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    work = scores.copy()
    rows = np.arange(len(work))
    top = np.empty((len(work), k), dtype=np.int64)
    for j in range(k):
        best = work.argmax(axis=1)
        top[:, j] = best
        work[rows, best] = -np.inf
    return top


def _random_lists_numpy(draws, keys, exclude, k):
    items = np.sort(draws, axis=1)
    items[:, 1:][items[:, 1:] == items[:, :-1]] = -1
    items[(items[:, :, None] == exclude[:, None, :]).any(axis=2)] = -1
    shuffled = np.take_along_axis(items, np.argsort(keys, axis=1), axis=1)
    order = np.argsort(shuffled < 0, axis=1, kind="stable")[:, :k]
    out = np.take_along_axis(shuffled, order, axis=1)
    return np.where(out >= 0, out, -1)


def _time(fn, calls: int, repeats: int) -> tuple[float, float]:
    fn()  # compile / warm up
    runs = np.array(timeit.repeat(fn, number=calls, repeat=repeats)) / calls * 1e6
    return float(np.median(runs)), float(runs.min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    calls, repeats = (30, 3) if args.quick else (args.calls, args.repeats)
    rng = np.random.default_rng(0)
    n, n_items, k = 130, 1_045, 20
    scores = rng.standard_normal((n, n_items))
    draws, keys = rng.integers(0, 1_000, (n, 40)), rng.random((n, 40))
    no_skip = np.zeros((n, 0), dtype=np.int64)
    assert (top_k_rows(scores, k) == _argpartition_top_k(scores, k)).all()
    assert (random_list_rows(draws, keys, no_skip, k) == _random_lists_numpy(draws, keys, no_skip, k)).all()
    cases = [
        ("top 20 of 130 x 1,045", "top_k_rows", lambda: top_k_rows(scores, k),
         "argpartition + sort", lambda: _argpartition_top_k(scores, k)),
        ("top 20 of 130 x 1,045", "top_k_rows", lambda: top_k_rows(scores, k),
         "20 argmax passes", lambda: _argmax_top_k(scores, k)),
        ("130 random lists of 20", "random_list_rows", lambda: random_list_rows(draws, keys, no_skip, k),
         "numpy sort/argsort steps", lambda: _random_lists_numpy(draws, keys, no_skip, k)),
    ]
    rows = []
    for task, name, fn, base_name, base in cases:
        med, low = _time(fn, calls, repeats)
        base_med, base_low = _time(base, calls, repeats)
        rows.append({"task": task, "kernel": name, "median_us": round(med, 1), "min_us": round(low, 1),
                     "baseline": base_name, "baseline_median_us": round(base_med, 1),
                     "baseline_min_us": round(base_low, 1), "speedup": round(base_med / med, 2)})
    pd.set_option("display.width", 200)
    print(f"== list kernels ({calls} calls x {repeats} repeats, microseconds per call)")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
