"""Exam scenario 23 over many seeds: every segment's reach, and the figures its text quotes.

For seeds 0 .. ``--seeds``-1 (default 10) the ``segments`` recipe plays the scenario's shop
without recommendations and judges each segment on the organic purchases of the last 14 days
(:mod:`workbench.exam.recipes.segments`). Printed:

1. per seed, SegmentRecall at the top 1 % of known customers (mean over the eight categories)
   of the two played options (A: batch inference lists; B, the key: Item-Attribute-Affinity and a
   batch segment job) and of the reference segments (random, most active, past shoppers), K, the
   key's lead over A (relative; the scenario's margin is 0.2);
2. the means over seeds, on how many seeds B led past_shoppers, and of B's top-K customers the
   share with any event on the queried category before the cut and the share who had bought from it
   (explanation B quotes these).

Run: ``python benchmarks/bench_segments.py [--seeds 10]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import time  # noqa: E402

import pandas as pd  # noqa: E402

from workbench.constants import EVENT_TYPE, ITEM_ID, QUERY, USER_ID  # noqa: E402
from workbench.exam import load_scenarios  # noqa: E402
from workbench.exam.recipes import segments as recipe  # noqa: E402


def history_shares(plan) -> tuple[float, float]:
    """Of the key's top-K customers per category: share with any earlier event on it, share who bought from it."""
    segments, train, queries = recipe.plan_segment(plan, "attribute_affinity")
    any_event, bought = [], []
    for query, ids in queries.items():
        on = train[train[ITEM_ID].isin(ids)]
        users = segments.loc[segments[QUERY] == query, USER_ID]
        any_event.append(users.isin(set(on[USER_ID])).mean())
        bought.append(users.isin(set(on.loc[on[EVENT_TYPE] == "purchase", USER_ID])).mean())
    return float(pd.Series(any_event).mean()), float(pd.Series(bought).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="shop seeds 0..N-1")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="play seeds FIRST .. FIRST+N-1 instead (e.g. 100: seeds the README's figures were not measured on)")
    args = parser.parse_args()
    scenario = next(s for s in load_scenarios() if s.id == "marketing-segment")
    rows = []
    started = time.perf_counter()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    for seed in seeds:
        plan = dataclasses.replace(scenario.evidence, shop={**scenario.evidence.shop, "seed": seed})
        details = recipe.score_segments(plan)
        means = details.groupby("segment", sort=False)["segment_recall"].mean()
        with_events, with_purchases = history_shares(plan)
        rows.append({"seed": seed, "k": int(details["k"].iloc[0]), **means.round(4).to_dict(),
                     "lead_B_over_A": round(means["B"] / means["A"] - 1, 3),
                     "B_ahead_of_past_shoppers": bool(means["B"] > means["past_shoppers"]),
                     "B_top_k_with_events": round(with_events, 3), "B_top_k_who_bought": round(with_purchases, 3)})
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"== scenario 23 (marketing-segment), SegmentRecall at the top 1 %, seeds {seeds[0]}-{seeds[-1]}")
    print(table.to_string(index=False))
    numeric = table.drop(columns=["seed", "B_ahead_of_past_shoppers"]).mean().round(4)
    print("\nmeans over seeds:")
    print(numeric.to_string())
    print(f"smallest lead of B over A: {table['lead_B_over_A'].min():.3f} (margin 0.2); "
          f"B ahead of past_shoppers on {int(table['B_ahead_of_past_shoppers'].sum())} of {len(table)} seeds; "
          f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
