"""Peak memory of the interactions loader when a large file has a bad row (issue 12, item 9).

A clean file is loaded by pyarrow in one call. One bad row (here: a row with an
extra field, or bytes that are not UTF-8) sends the loader to its slow path,
which walks the file with the ``csv`` module. That path used to hold the whole
file as text, every record as Python lists, and a re-encoded copy at once:
about 4x the memory of the clean load (a 2 GB file reached 12.7 GB). It now
streams in chunks of ``SCAN_CHUNK_ROWS`` records through a temporary file.

Each measurement runs in a fresh subprocess, which reports its own peak resident
set size after the load (``VmHWM`` in ``/proc/self/status``, Linux), so nothing is
shared between them:

* ``pandas.read_csv`` on the clean file -- the baseline;
* ``load_interactions`` on the clean file (fast path);
* ``load_interactions(errors="reject")`` on a copy with one row with an extra
  field (the slow path loads everything else);
* ``load_interactions(errors="reject")`` on a copy with one latin-1 row;
* ``load_interactions()`` (``errors="raise"``) on the copy with the extra field
  near the end (the slow path walks almost all of it, then fails cleanly).

The table shows peak RSS in MB and the ratio to the baseline; the target is a
ratio below 3.0 for every row. The file size defaults to ~210 MB (5 million
rows) so the run takes a few minutes on two cores.

    python benchmarks/bench_loader_memory.py [--rows 5000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_RATIO = 3.0
"""Allowed peak memory of any load relative to ``pandas.read_csv`` on the clean file."""

CHILD = r"""
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
outcome = "loaded"
if kind == "pandas":
    import pandas as pd
    frame = pd.read_csv(path)
    rows = len(frame)
else:
    from workbench.data import load_interactions
    from workbench.errors import DatasetError
    try:
        frame, report = load_interactions(path, errors=kind)
        rows = len(frame)
        outcome = f"loaded, {report.rows_rejected} rejected"
    except DatasetError as exc:
        rows = 0
        outcome = "DatasetError at row " + str(exc.row)
seconds = time.perf_counter() - start
# VmHWM: this process's peak resident set since exec (ru_maxrss would carry over the parent's peak)
status = open("/proc/self/status").read().split("VmHWM:")[1]
peak_mb = int(status.split()[0]) / 1024
print(json.dumps({"peak_mb": peak_mb, "seconds": seconds, "rows": rows, "outcome": outcome}))
"""


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """Write a clean interactions CSV in pieces (so the generator itself stays small)."""
    rng = np.random.default_rng(seed)
    piece = 500_000
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n")
        for start in range(0, rows, piece):
            n = min(piece, rows - start)
            pd.DataFrame({
                "USER_ID": np.char.add("user_", rng.integers(0, 50_000, n).astype(str)),
                "ITEM_ID": np.char.add("item_", rng.integers(0, 20_000, n).astype(str)),
                "TIMESTAMP": 1_700_000_000 + start + np.arange(n),
                "EVENT_TYPE": rng.choice(["view", "click", "add_to_cart", "purchase"], n, p=[0.6, 0.25, 0.1, 0.05]),
                "EVENT_VALUE": rng.random(n).round(3),
            }).to_csv(fh, index=False, header=False)


def with_bad_row(clean: Path, dirty: Path, line: bytes, at: float) -> None:
    """Copy ``clean`` with ``line`` inserted after the fraction ``at`` of its bytes (at a line break)."""
    size = clean.stat().st_size
    with clean.open("rb") as src, dirty.open("wb") as out:
        head = src.read(int(size * at))
        rest = src.readline()
        out.write(head + rest + line)
        while block := src.read(1 << 24):
            out.write(block)


def measure(kind: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, kind, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clean = folder / "clean.csv"
        generate(clean, args.rows)
        extra = folder / "extra_field.csv"
        with_bad_row(clean, extra, b"user_1,item_1,1700000000,view,0.5,surplus\n", at=0.05)
        latin = folder / "latin1.csv"
        with_bad_row(clean, latin, "user_2,caf\u00e9,1700000000,view,0.5\n".encode("latin-1"), at=0.05)
        late = folder / "extra_field_late.csv"
        with_bad_row(clean, late, b"user_1,item_1,1700000000,view,0.5,surplus\n", at=0.95)
        size_mb = clean.stat().st_size / 2**20
        runs = [
            ("pandas.read_csv, clean file (baseline)", "pandas", clean),
            ("load_interactions, clean file", "raise", clean),
            ("load_interactions(errors='reject'), 1 row with an extra field", "reject", extra),
            ("load_interactions(errors='reject'), 1 latin-1 row", "reject", latin),
            ("load_interactions(), extra field at 95 % (fails)", "raise", late),
        ]
        results = [(label, measure(kind, path)) for label, kind, path in runs]
    baseline = results[0][1]["peak_mb"]
    print(f"file: {args.rows:,} rows, {size_mb:,.0f} MB")
    print(f"{'load':<66} {'peak RSS MB':>12} {'x pandas':>9} {'seconds':>8}  outcome")
    worst = 0.0
    for label, result in results:
        ratio = result["peak_mb"] / baseline
        worst = max(worst, ratio)
        print(f"{label:<66} {result['peak_mb']:>12,.0f} {ratio:>9.2f} {result['seconds']:>8.1f}  {result['outcome']}")
    print(f"worst ratio {worst:.2f} (target < {TARGET_RATIO})")
    if worst >= TARGET_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    main()
