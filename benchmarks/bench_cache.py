"""Serving latency with and without :class:`workbench.ops.RecommendationCache`.

Chapter 13 claims that a per-user cache cuts the typical (median) latency of a
``recommend`` call by an order of magnitude on skewed traffic. This script
measures it in one process, on the bundled sample shop:

* baseline: ``model.recommend([user], n=10)`` for every request;
* cached: the same requests through a cache (TTL one hour, so only the first
  request of each user is computed).

Requests come from a Zipf-distributed user population (seeded). The script
prints, per model and Zipf exponent, the median and p90 milliseconds of both
variants (median over ``--repeats`` passes), the cache hit rate and the ratio
baseline median / cached median.

    python benchmarks/bench_cache.py [--requests 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import pandas as pd

from workbench.constants import USER_ID
from workbench.data import load_sample
from workbench.ops import RecommendationCache, latency_summary, time_calls
from workbench.recommenders import EASE, Popularity


def _stream(users: np.ndarray, n: int, exponent: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    ranks = np.minimum(rng.zipf(exponent, size=n), len(users)) - 1
    return list(users[ranks])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sample = load_sample()
    users = pd.unique(sample.interactions[USER_ID].astype(str))
    rows = []
    for model in (Popularity(), EASE()):
        model.fit(sample.interactions, items=sample.items)
        for exponent in (1.2, 1.5, 2.0):
            stream = _stream(users, args.requests, exponent, seed=42)
            plain_p50, plain_p90, cached_p50, cached_p90, hit_rates = [], [], [], [], []
            for _ in range(args.repeats):
                plain = latency_summary(time_calls(lambda u, m=model: m.recommend([u], n=10), stream)["ms"])
                cache = RecommendationCache(model, ttl_seconds=3600)
                cached = latency_summary(time_calls(lambda u, c=cache: c.recommend(u, n=10), stream, warmup=0)["ms"])
                plain_p50.append(plain["p50"])
                plain_p90.append(plain["p90"])
                cached_p50.append(cached["p50"])
                cached_p90.append(cached["p90"])
                hit_rates.append(cache.stats.hit_rate)
            rows.append(
                {
                    "model": model.name,
                    "zipf": exponent,
                    "distinct users": len(set(stream)),
                    "no cache p50 ms": statistics.median(plain_p50),
                    "no cache p90 ms": statistics.median(plain_p90),
                    "cache p50 ms": statistics.median(cached_p50),
                    "cache p90 ms": statistics.median(cached_p90),
                    "hit rate": statistics.median(hit_rates),
                    "p50 speed-up": statistics.median(plain_p50) / statistics.median(cached_p50),
                }
            )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(f"{args.requests} requests, median of {args.repeats} passes")
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
