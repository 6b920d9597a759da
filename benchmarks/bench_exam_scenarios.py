"""How long the exam scenario suite takes to play, against one simulated run.

The target of the exam scenarios is that every simulated key can be checked in
under three minutes on the project machine (``pytest tests/exam``). This script
times, in the same process:

* the baseline: one run of the exam shop (``exam_scenarios/shops/exam_shop.yaml``)
  under a stale User-Personalization policy -- the unit cost of a simulation;
* every simulated scenario's evidence (:func:`workbench.exam.run`, no chart),
  with the run cache cleared before each scenario, so options that share a
  configuration are played once per scenario exactly as in the tests.

Prints the median of ``--repeats`` timings per scenario, the number of options
played versus distinct simulations, the ratio to the baseline and the total
against the 180-second target.

With ``--seeds N`` every simulated scenario is also played on N paired seeds
(0 .. N-1, or ``--first-seed S``: S .. S+N-1, whatever seeds its file names; the simulate and segments recipes) and the table shows on how many of them
the key met its margin, the smallest margin over the seeds, and (for scenarios
with checks) whether every check held on every seed: the robustness evidence
behind the answer key.

    python benchmarks/bench_exam_scenarios.py [--repeats 1] [--only ID ...] [--seeds 10] [--first-seed 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

import pandas as pd

from workbench.exam import load_scenarios, recipes, run

TARGET_SECONDS = 180.0
"""The whole simulated-scenario suite must play in under three minutes."""


def _baseline() -> float:
    from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario

    shop = recipes.shop_settings_from("exam_scenarios/shops/exam_shop.yaml", {})
    started = time.perf_counter()
    run_scenario(ScenarioConfig(shop=ShopConfig(**shop), policy=Policy(kind="stale")), progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="timings per scenario (median is reported)")
    parser.add_argument("--only", nargs="*", help="scenario ids to time (default: every simulated scenario)")
    parser.add_argument("--seeds", type=int, default=0,
                        help="also play every scenario whose recipe plays seeded shops on seeds 0..N-1 and report the key's wins")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="with --seeds: play seeds FIRST .. FIRST+N-1 instead (e.g. 100 for seeds no answer key was checked on)")
    args = parser.parse_args()
    # time cold runs: the simulator's on-disk cache goes to a fresh folder for this process
    os.environ["RECSYS_WORKBENCH_CACHE"] = tempfile.mkdtemp(prefix="bench-exam-cache-")

    baseline = statistics.median(_baseline() for _ in range(args.repeats))
    rows = []
    for scenario in load_scenarios(kind="simulated"):
        if args.only and scenario.id not in args.only:
            continue
        plan = scenario.evidence
        distinct = len({json.dumps(dict(p.config), sort_keys=True) for p in plan.options.values()})
        timings = []
        for _ in range(args.repeats):
            recipes.clear_cache()
            started = time.perf_counter()
            evidence = run(scenario, chart=False)
            timings.append(time.perf_counter() - started)
        seconds = statistics.median(timings)
        rows.append(
            {
                "scenario": scenario.id,
                "recipe": plan.recipe,
                "options_played": len(plan.options),
                "distinct_runs": distinct,
                "seconds": round(seconds, 2),
                "x_baseline": round(seconds / baseline, 2),
                "key_confirmed": evidence.passed,
            }
        )
        if args.seeds and recipes.RECIPES[plan.recipe].plays_seeds:
            started = time.perf_counter()
            many = run(scenario, chart=False, seeds=range(args.first_seed, args.first_seed + args.seeds))
            keyed = many.table[many.table["is_correct"]]
            checks_ok = None if many.checks is None else bool(many.checks[many.checks["is_correct"]]["meets_margin"].all())
            rows[-1].update({
                "seeds": args.seeds,
                "key_met_on": int(keyed["seeds_met"].min()),
                "worst_margin": round(float(keyed["margin_achieved"].min()), 4),
                "checks_hold": checks_ok,
                "seeds_seconds": round(time.perf_counter() - started, 1),
            })
    table = pd.DataFrame(rows)
    total = float(table["seconds"].sum()) if len(table) else 0.0
    print(f"baseline: one stale run of the exam shop = {baseline:.2f} s (median of {args.repeats})")
    print(table.to_string(index=False))
    print(f"total {total:.1f} s = {total / baseline:.1f} x baseline; target < {TARGET_SECONDS:.0f} s -> "
          f"{'OK' if total < TARGET_SECONDS else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
