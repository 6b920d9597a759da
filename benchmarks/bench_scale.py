"""Where the in-memory path stops and the DuckDB / Spark path takes over.

Generates synthetic interactions (the issue's size by default: 20,000,000 rows,
1,000,000 users, 100,000 items; popularity follows a Zipf-like curve) as a CSV in
a temporary folder, then measures side by side, each step in a fresh process so
its peak memory is its own:

* **load + validate**: ``workbench.data.load_interactions`` (the whole file as one
  pandas frame) against ``workbench.data.load_large`` (DuckDB streams the file in
  chunks through the same rules and writes the clean rows to Parquet);
* **ALS fit**: ``workbench.recommenders.ImplicitALS`` on a pandas frame against
  ``workbench.spark.SparkALS`` on ``spark.read.parquet`` (local[2] here; the same code
  runs on a cluster's session);
* **recommend for 1,000 users** with each fitted model.

It prints one table (seconds, memory the step added to the Python process at its peak; the JVM's
memory is shown separately), then where each path breaks on this machine: peak
bytes per row extrapolated to the memory available, and EASE's refusal above the
item count whose dense item x item matrix fits (the number is in its error).

    python benchmarks/bench_scale.py                 # the issue's size (takes long; needs ~10 GB free)
    python benchmarks/bench_scale.py --rows 2000000  # users and items scale with rows unless given
    python benchmarks/bench_scale.py --rows 200000 --no-spark
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

DEFAULT_ROWS, DEFAULT_USERS, DEFAULT_ITEMS = 20_000_000, 1_000_000, 100_000
GIB = 1024**3


def generate(path: Path, rows: int, users: int, items: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    """Write a clean Personalize interactions CSV chunk by chunk (memory stays at one chunk)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, items + 1) ** 0.8  # a long tail of rarely seen items
    weights /= weights.sum()
    events = np.array(["view", "click", "add_to_cart", "purchase"])
    with pacsv.CSVWriter(str(path), pa.schema([("USER_ID", pa.string()), ("ITEM_ID", pa.string()),
                                               ("TIMESTAMP", pa.int64()), ("EVENT_TYPE", pa.string())])) as out:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            table = pa.table({
                "USER_ID": np.char.add("u", rng.integers(0, users, n).astype(str)),
                "ITEM_ID": np.char.add("i", rng.choice(items, n, p=weights).astype(str)),
                "TIMESTAMP": 1_700_000_000 + np.sort(rng.integers(0, 90 * 86_400, n)) + start,
                "EVENT_TYPE": events[rng.choice(4, n, p=[0.6, 0.25, 0.1, 0.05])],
            })
            out.write_table(table)


class PeakMemory:
    """Highest resident memory of this process while the block runs, above what it held before.

    A thread samples the RSS every 5 ms (``ru_maxrss`` would also count the imports'
    own peak, which can exceed a small step's).
    """

    def __enter__(self) -> PeakMemory:
        import psutil

        self._process = psutil.Process()
        self.before = self._process.memory_info().rss
        self.peak = self.before
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def grown(self) -> int:
        return self.peak - self.before


def _asked_users(users: int, count: int) -> list[str]:
    return [f"u{k}" for k in np.random.default_rng(7).choice(users, size=min(count, users), replace=False)]


def step_load_memory(csv: str) -> dict:
    from workbench.data import load_interactions

    with PeakMemory() as memory:
        t0 = time.perf_counter()
        frame, report = load_interactions(csv)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak": memory.grown, "rows": report.rows_kept, "ok": report.validation.ok}


def step_load_duckdb(csv: str, parquet: str, memory_limit: str) -> dict:
    from workbench.data import load_large

    with PeakMemory() as memory:
        t0 = time.perf_counter()
        result = load_large(csv, out=parquet, memory_limit=memory_limit)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak": memory.grown, "rows": result.report.rows_kept,
            "ok": result.report.validation.ok}


def step_implicit_als(parquet: str, factors: int, epochs: int, asked: list[str]) -> dict:
    import pandas as pd

    from workbench.recommenders import ImplicitALS

    with PeakMemory() as memory:  # the frame counts: the in-memory path holds it while training
        frame = pd.read_parquet(parquet)
        model = ImplicitALS(factors=factors, epochs=epochs)
        t0 = time.perf_counter()
        model.fit(frame)
        fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    recs = model.recommend(asked, n=10)
    recommend = time.perf_counter() - t0
    return {"fit": fit, "recommend": recommend, "peak": memory.grown, "lists": int(recs["USER_ID"].nunique()),
            "solver": getattr(model, "solver_", model.config.solver)}


def step_spark_als(parquet: str, factors: int, epochs: int, asked: list[str], driver_memory: str) -> dict:
    import psutil

    from workbench.spark import SparkALS, get_spark

    t0 = time.perf_counter()
    spark = get_spark("local[2]", driver_memory=driver_memory)
    start = time.perf_counter() - t0
    events = spark.read.parquet(parquet)
    model = SparkALS(factors=factors, epochs=epochs, blocks=2)
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        model.fit(events)
        fit = time.perf_counter() - t0
        t0 = time.perf_counter()
        recs = model.recommend(asked, n=10)
        recommend = time.perf_counter() - t0
    jvm = sum(p.memory_info().rss for p in psutil.Process().children(recursive=True))
    spark.stop()
    return {"start": start, "fit": fit, "recommend": recommend, "peak": memory.grown, "jvm": jvm,
            "lists": int(recs["USER_ID"].nunique())}


def in_child(function, *args):
    """Run ``function(*args)`` in a fresh interpreter; its result, or the exception's text."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        try:
            return pool.submit(function, *args).result()
        except Exception as exc:  # MemoryError, SparkUnavailable, a killed worker: the table says where it broke
            return {"error": f"{type(exc).__name__}: {exc}"}


def gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="interactions (default 20,000,000)")
    parser.add_argument("--users", type=int, default=None, help="distinct users (default rows / 20)")
    parser.add_argument("--items", type=int, default=None, help="distinct items (default rows / 200)")
    parser.add_argument("--recommend-users", type=int, default=1_000)
    parser.add_argument("--factors", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--duckdb-memory", default="1GB", help="DuckDB memory_limit (it spills beyond)")
    parser.add_argument("--spark-memory", default="4g", help="Spark driver heap")
    parser.add_argument("--no-spark", action="store_true", help="skip the Spark column")
    parser.add_argument("--no-memory", action="store_true", help="skip the in-memory column (for files it can't hold)")
    args = parser.parse_args()
    users = args.users or max(1, args.rows // 20)
    items = args.items or max(1, args.rows // 200)

    import psutil

    from workbench.recommenders import EASE
    from workbench.recommenders.memory import ModelTooLargeError
    from workbench.spark import spark_status

    folder = Path(tempfile.mkdtemp(prefix="wb-bench-scale-"))
    try:
        csv, parquet = folder / "interactions.csv", folder / "clean.parquet"
        t0 = time.perf_counter()
        generate(csv, args.rows, users, items)
        size = csv.stat().st_size
        print(f"synthetic interactions: {args.rows:,} rows, {users:,} users, {items:,} items; "
              f"CSV {size / 1e6:,.0f} MB written in {time.perf_counter() - t0:.0f} s")
        asked = _asked_users(users, args.recommend_users)
        rows = []
        memory = {"error": "skipped (--no-memory)"} if args.no_memory else in_child(step_load_memory, str(csv))
        duck = in_child(step_load_duckdb, str(csv), str(parquet), args.duckdb_memory)
        if "error" in duck:
            raise SystemExit(f"DuckDB load failed: {duck['error']}")
        rows.append(("load + validate", memory, duck, "seconds", "peak"))
        als = {"error": "skipped (--no-memory)"} if args.no_memory else in_child(
            step_implicit_als, str(parquet), args.factors, args.epochs, asked)
        ok, why = spark_status()
        if args.no_spark or not ok:
            spark = {"error": "skipped (--no-spark)" if args.no_spark else why}
        else:
            spark = in_child(step_spark_als, str(parquet), args.factors, args.epochs, asked, args.spark_memory)

        print()
        print(f"{'step':<34} {'in-memory path':>22} {'DuckDB / Spark path':>22}")

        def cell(result, key, fmt):
            return result["error"][:22] if "error" in result else fmt(result[key])

        seconds = lambda v: f"{v:,.1f} s"  # noqa: E731
        print(f"{'load + validate (load_large)':<34} {cell(memory, 'seconds', seconds):>22} "
              f"{cell(duck, 'seconds', seconds):>22}")
        print(f"{'  memory added (Python process)':<34} {cell(memory, 'peak', gib):>22} {cell(duck, 'peak', gib):>22}")
        print(f"{'Spark session start':<34} {'-':>22} {cell(spark, 'start', seconds):>22}")
        print(f"{'ALS fit (ImplicitALS / SparkALS)':<34} {cell(als, 'fit', seconds):>22} "
              f"{cell(spark, 'fit', seconds):>22}")
        print(f"{f'recommend {len(asked):,} users':<34} {cell(als, 'recommend', seconds):>22} "
              f"{cell(spark, 'recommend', seconds):>22}")
        print(f"{'  memory added (Python process)':<34} {cell(als, 'peak', gib):>22} {cell(spark, 'peak', gib):>22}")
        print(f"{'  JVM memory at the end':<34} {'-':>22} {cell(spark, 'jvm', gib):>22}")
        for name, result in (("in-memory load", memory), ("ImplicitALS", als), ("Spark", spark)):
            if "error" in result:
                print(f"  {name}: {result['error']}")

        available = psutil.virtual_memory().available
        print()
        print(f"where each path breaks on this machine ({gib(psutil.virtual_memory().total)} RAM, "
              f"{gib(available)} available now):")
        if "error" not in memory:
            per_row = max(memory["peak"], 1) / args.rows
            print(f"  load_interactions: {per_row:,.0f} bytes per row at peak -> about "
                  f"{available / per_row / 1e6:,.0f}M rows fit in the memory available now")
        if "error" not in als:
            per_row = max(als["peak"], 1) / args.rows
            print(f"  ImplicitALS (frame + matrices + factors): {per_row:,.0f} bytes per row at peak -> about "
                  f"{available / per_row / 1e6:,.0f}M rows")
        print(f"  load_large: peak {cell(duck, 'peak', gib)} at chunk_rows=500,000 and DuckDB memory_limit="
              f"{args.duckdb_memory}; it does not grow with the file (DuckDB spills to disk)")
        factor_bytes = (users + items) * args.factors * 8
        print(f"  SparkALS: events stay in Spark; the driver holds {users:,} + {items:,} factor vectors "
              f"({gib(factor_bytes)} at {args.factors} factors); a cluster adds executors for the events")
        ease = EASE()
        limit_items = ease.max_items_for_memory()
        for n_items in sorted({items, DEFAULT_ITEMS}):
            try:
                ease.check_size(n_items)
                print(f"  EASE at {n_items:,} items: fits ({gib(ease.estimated_bytes(n_items))} of dense matrices)")
            except ModelTooLargeError as exc:
                print(f"  EASE at {n_items:,} items refuses before allocating: {exc}")
        print(f"  EASE's dense item x item model fits up to about {limit_items:,} items here")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
