"""Speed of the validated interactions loader against plain ``pandas.read_csv``.

Generates a Personalize-format interactions CSV (1,000,000 rows by default:
USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE) in a temporary folder,
then times, in the same run and alternating:

* ``pandas.read_csv(path)`` with default arguments (the baseline);
* ``workbench.data.load_interactions(path)``: parse + schema + every row rule +
  minimum-data checks + dtype conversion;
* for information (not part of the target), ``errors="reject"`` on a copy with
  1% broken rows, the path that builds masks and the rejected-rows table.

Prints the median of ``--repeats`` runs (3 by default), rows per second and the
ratio to the baseline. The target is a ratio of at most 3.0.

    python benchmarks/bench_loaders.py [--rows 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data import load_interactions

TARGET_RATIO = 3.0
"""Allowed slowdown of the validated loader relative to plain pandas."""


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """Write a clean interactions CSV of ``rows`` rows (50,000 users, 20,000 items, 90 days)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "USER_ID": np.char.add("user_", rng.integers(0, 50_000, rows).astype(str)),
        "ITEM_ID": np.char.add("item_", rng.integers(0, 20_000, rows).astype(str)),
        "TIMESTAMP": 1_700_000_000 + np.sort(rng.integers(0, 90 * 86_400, rows)),
        "EVENT_TYPE": rng.choice(["view", "click", "add_to_cart", "purchase"], rows, p=[0.6, 0.25, 0.1, 0.05]),
        "EVENT_VALUE": rng.random(rows).round(3),
    })
    frame.to_csv(path, index=False)


def make_dirty(clean: Path, dirty: Path, share: float = 0.01, seed: int = 1) -> None:
    """Copy ``clean`` with ``share`` of the rows broken: millisecond timestamps, text EVENT_VALUEs."""
    frame = pd.read_csv(clean)
    rng = np.random.default_rng(seed)
    broken = rng.choice(len(frame), size=int(len(frame) * share), replace=False)
    half = len(broken) // 2
    frame["EVENT_VALUE"] = frame["EVENT_VALUE"].astype(object)
    frame.loc[broken[:half], "TIMESTAMP"] *= 1000
    frame.loc[broken[half:], "EVENT_VALUE"] = "n/a"
    frame.to_csv(dirty, index=False)


def timed(fn):
    """``(wall seconds, result)`` of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "interactions.csv"
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        pd.read_csv(path)  # warm the page cache and imports before timing
        load_interactions(path)
        dirty = Path(tmp) / "dirty.csv"
        make_dirty(path, dirty)
        readers = {
            "pandas.read_csv": lambda: pd.read_csv(path),
            "load_interactions": lambda: load_interactions(path),
            "reject, 1% bad rows": lambda: load_interactions(dirty, errors="reject"),
        }
        runs: dict[str, list[float]] = {name: [] for name in readers}
        last = {}
        for _ in range(args.repeats):  # alternate so all see the same machine load
            for name, read in readers.items():
                seconds, last[name] = timed(read)
                runs[name].append(seconds)
        frame, report = last["load_interactions"]
        _, dirty_report = last["reject, 1% bad rows"]
    base = statistics.median(runs["pandas.read_csv"])
    print(f"interactions CSV: {args.rows:,} rows, {size_mb:.1f} MB, median of {args.repeats} runs")
    print(f"{'reader':<20} {'median s':>9} {'rows/s':>14} {'ratio':>6}")
    for name, times in runs.items():
        med = statistics.median(times)
        print(f"{name:<20} {med:>9.3f} {args.rows / med:>14,.0f} {med / base:>6.2f}")
    ratio = statistics.median(runs["load_interactions"]) / base
    verdict = "OK" if ratio <= TARGET_RATIO else "TOO SLOW"
    print(f"target: load_interactions <= {TARGET_RATIO:.1f}x pandas.read_csv -> {ratio:.2f}x {verdict}")
    print(f"clean file: rows kept {report.rows_kept:,}, rejected {report.rows_rejected}, "
          f"validation ok: {report.validation.ok}")
    print(f"dirty file (errors='reject', not part of the target): kept {dirty_report.rows_kept:,}, "
          f"rejected {dirty_report.rows_rejected:,}")
    assert len(frame) == args.rows


if __name__ == "__main__":
    main()
