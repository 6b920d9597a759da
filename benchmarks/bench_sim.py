"""Speed of the simulated shop and of the event-tracker loop.

1. A 365-day run with 10,000 customers and 1,000 items under the ``event_tracker``
   policy (User-Personalization): whole run time and events generated per second
   (target: under 60 s). The same shop under ``stale`` is the baseline measured in
   the same run, so the table shows what real-time learning costs.
2. Tracked-event-to-next-recommendation latency over 10,000 calls per path: one
   click for a user, then that user's next list -- through the boto3-shaped
   ``EventTracker.put_events`` + ``Campaign.get_recommendations`` (botocore-validated),
   through ``model.update`` +
   ``model.recommend`` (DataFrames), and through the simulator's array path
   ``model.track`` + ``model.recommend_indices``. Median and p99 of wall and CPU
   time (target p99 < 5 ms), next to ``model.recommend`` alone as the baseline.

3. Today's code against the code before issue 10 (``--baseline-rev``, default 29505e8, checked
   out with ``git worktree add`` into ``--baseline-tree``), same shop, same machine, same run:
   a 60-day version of the 10,000-customer / 1,000-item shop under ``event_tracker`` (the
   365-day run takes minutes per repeat on the shared machine; ``--full`` plays it), median
   over ``--repeats`` runs each, and the ratio old / new (target >= 2). The old code runs in
   a subprocess with the old tree first on ``sys.path``. Note that today's ``event_tracker``
   does more than the old one: it also runs the 2-hourly automatic updates of a
   User-Personalization campaign, the organic truth and a random reference list per page.
4. Retrain cost against the number of days: the time spent inside the weekly refits of a
   ``retrain`` run over D and 4D days (``ScenarioResult.versions``); a ratio near 4 is linear
   growth of the total, near 16 quadratic; for FULL versions on every logged event and for a
   28-day ``training_window_days``. The retrain shop's arrivals balance its lapses, so the
   shop itself does not grow: what grows is the log. With ``--full`` also the
   weekly retraining cost (``retrain`` minus ``stale``) of the old and today's code over the
   whole 365-day shop, and today's refits on every event against a 28-day window there.

Run: ``python benchmarks/bench_sim.py`` (``--quick`` for a small smoke run).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: BLAS threads only add contention

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario  # noqa: E402


def bench_run(shop: ShopConfig, kinds: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for kind in kinds:
        started, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind=kind), name=kind), progress=False)
        wall = time.perf_counter() - started
        rows.append({
            "policy": kind,
            "days": shop.warmup_days + shop.days,
            "customers": len(result.world.users),
            "items": len(result.world.items),
            "events": len(result.events),
            "wall_s": round(wall, 1),
            "cpu_s": round(time.process_time() - cpu, 1),
            "events_per_s": round(len(result.events) / wall),
        })
    frame = pd.DataFrame(rows)
    frame["wall_vs_stale"] = (frame["wall_s"] / frame.loc[frame["policy"] == "stale", "wall_s"].iloc[0]).round(2)
    return frame


def bench_latency(calls: int, seed: int = 0) -> pd.DataFrame:
    """Tracked event -> next recommendation round trips for random users of a fitted model.

    Each path is timed with the wall clock and with the process CPU clock (on a busy
    shared machine the wall-clock tail mostly measures waiting for a core).
    """
    from workbench.recommenders.user_personalization import UserPersonalization

    shop = ShopConfig(n_users=2_000, n_items=1_000, days=1, warmup_days=14, seed=seed)
    warm = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind="stale")), progress=False)
    rng = np.random.default_rng(seed)
    t0 = int(warm.events["TIMESTAMP"].max()) + 60

    def fresh_model():
        return UserPersonalization().fit(warm.events, items=warm.world.items_at(warm.world.day0))

    users = rng.choice(np.asarray(warm.events["USER_ID"].unique()), calls)
    items = rng.choice(np.asarray(fresh_model().item_vocab.ids), calls)
    paths = {}

    model = fresh_model()
    paths["model.recommend alone (baseline)"] = (lambda k: None, lambda k: model.recommend([users[k]], n=10))

    model_df = fresh_model()
    paths["model.update(DataFrame) + model.recommend"] = (
        lambda k: model_df.update(pd.DataFrame({"USER_ID": [users[k]], "ITEM_ID": [items[k]],
                                                "TIMESTAMP": [t0 + k], "EVENT_TYPE": ["click"]})),
        lambda k: model_df.recommend([users[k]], n=10),
    )
    model_fast = fresh_model()
    paths["model.track + model.recommend_indices (simulator path)"] = (
        lambda k: model_fast.track([users[k]], [items[k]], [t0 + k], ["click"]),
        lambda k: model_fast.recommend_indices([users[k]], n=10),
    )
    from workbench.personalize import Campaign, EventTracker

    model_rt = fresh_model()
    tracker = EventTracker(name="bench")
    campaign = Campaign(model_rt, name="bench-campaign")
    tracker.attach(campaign)
    paths["EventTracker.put_events + Campaign.get_recommendations"] = (
        lambda k: tracker.put_events(trackingId=tracker.tracking_id, userId=str(users[k]),
                                     sessionId=f"s-{users[k]}",
                                     eventList=[{"eventType": "click", "itemId": str(items[k]), "sentAt": t0 + k}]),
        lambda k: campaign.get_recommendations(userId=str(users[k]), numResults=10),
    )

    rows = []
    for name, (put, get) in paths.items():
        wall, cpu = [], []
        for k in range(calls):
            w0, c0 = time.perf_counter(), time.process_time()
            put(k)
            get(k)
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        rows.append({"path": name, "calls": calls,
                     "wall_median_ms": _ms(wall, 0.5), "wall_p99_ms": _ms(wall, 0.99),
                     "cpu_median_ms": _ms(cpu, 0.5), "cpu_p99_ms": _ms(cpu, 0.99)})
    frame = pd.DataFrame(rows)
    base = frame.loc[0, "cpu_median_ms"]
    frame["cpu_median_vs_recommend"] = (frame["cpu_median_ms"] / base).round(1)
    return frame


ROOT = Path(__file__).resolve().parents[1]

_TIMED_RUN = """
import json, sys, time
sys.path.insert(0, {tree!r})
from threadpoolctl import threadpool_limits
from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario
import workbench.sim as sim
shop = ShopConfig(**json.loads({shop!r}))
started = time.perf_counter()
result = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind={kind!r})), progress=False)
n = len(result.log) if hasattr(result, "log") else len(result.events)  # the old code built the frame eagerly (issue 10: no eager frame)
print(json.dumps({{"wall_s": time.perf_counter() - started, "events": n, "file": sim.__file__}}))
"""


def baseline_tree(tree: Path, rev: str) -> Path:
    """A checkout of ``rev`` at ``tree`` (``git worktree add --detach``), created when missing."""
    if not (tree / "workbench" / "sim" / "__init__.py").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
    return tree


def timed_subprocess(tree: Path, shop: ShopConfig, kind: str) -> dict:
    """Wall time of one run of the simulator found in ``tree`` (a fresh interpreter each time)."""
    import dataclasses

    fields = {k: v for k, v in dataclasses.asdict(shop).items() if k not in ("substitution", "budget_days",
                                                                             "causes_off")}
    code = _TIMED_RUN.format(tree=str(tree), shop=json.dumps(fields), kind=kind)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=str(tree))
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_old_vs_new(shop: ShopConfig, tree: Path, repeats: int, kind: str = "event_tracker") -> pd.DataFrame:
    """Median wall time of the old and the new simulator on the same shop, interleaved run by run.

    Two old baselines: the old ``event_tracker`` (no automatic updates) and the old
    ``auto_update+event_tracker``, which is what today's ``event_tracker`` plays for a
    User-Personalization campaign (fact sheet 2.3).
    """
    old, old_auto, new = [], [], []
    for _ in range(repeats):
        old.append(timed_subprocess(tree, shop, kind))
        old_auto.append(timed_subprocess(tree, shop, f"auto_update+{kind}"))
        new.append(timed_subprocess(ROOT, shop, kind))
    rows = []
    for name, runs, played in (("before issue 10", old, kind), ("before issue 10", old_auto, f"auto_update+{kind}"),
                               ("today", new, kind)):
        walls = [r["wall_s"] for r in runs]
        rows.append({"code": name, "policy": played, "days": shop.warmup_days + shop.days, "customers": shop.n_users,
                     "items": shop.n_items, "repeats": repeats, "median_wall_s": round(float(np.median(walls)), 2),
                     "min_wall_s": round(min(walls), 2), "events": runs[0]["events"]})
    frame = pd.DataFrame(rows)
    frame["today_speedup"] = (frame["median_wall_s"] / frame.loc[2, "median_wall_s"]).round(2)
    return frame


def bench_retrain_growth(shop: ShopConfig, factor: int = 4, windows: tuple[int | None, ...] = (None, 28)) -> pd.DataFrame:
    """Time spent in the weekly refits over D and ``factor`` x D run days, from ``ScenarioResult.versions``.

    A refit costing the same whatever the history gives a total ``factor`` x longer; a refit
    whose cost grows in proportion to the log gives about ``factor**2`` x. The refits are
    timed directly inside the run (not as ``retrain`` minus ``stale`` wall time, which on short
    runs is the difference of two noisy numbers), with the log length each one saw and the
    events it learned from. One block per training window: ``None`` is a FULL version on every
    logged event, a number of days is ``Policy.training_window_days``.
    """
    import dataclasses

    rows = [{"days": days, **_retrain_refits(dataclasses.replace(shop, days=days), window)}
            for window in windows for days in (shop.days, factor * shop.days)]
    frame = pd.DataFrame(rows)
    first = frame.groupby("window_days", sort=False)["refits_total_s"].transform("first")
    frame["total_growth"] = (frame["refits_total_s"] / first).round(2)
    return frame


def bench_retrain_old_vs_new(shop: ShopConfig, tree: Path) -> pd.DataFrame:
    """Weekly retraining cost (``retrain`` minus ``stale`` wall time) of the old and today's code on one shop."""
    rows = []
    for name, root in (("before issue 10", tree), ("today", ROOT)):
        stale = timed_subprocess(root, shop, "stale")["wall_s"]
        retrain = timed_subprocess(root, shop, "retrain")["wall_s"]
        rows.append({"code": name, "days": shop.warmup_days + shop.days, "customers": shop.n_users,
                     "items": shop.n_items, "stale_s": round(stale, 1), "retrain_s": round(retrain, 1),
                     "retrain_cost_s": round(retrain - stale, 1)})
    frame = pd.DataFrame(rows)
    frame["cost_vs_today"] = (frame["retrain_cost_s"] / frame.loc[1, "retrain_cost_s"]).round(2)
    return frame


def bench_retrain_windows(shop: ShopConfig, windows: tuple[int | None, ...] = (None, 28)) -> pd.DataFrame:
    """Today's weekly retraining on one shop, on every logged event and on a rolling window: wall time and refits."""
    return pd.DataFrame([_retrain_refits(shop, window) for window in windows])


def _retrain_refits(shop: ShopConfig, window: int | None) -> dict:
    """One weekly ``retrain`` run: its wall time, and what its refits (the versions after the launch model) read and cost."""
    started = time.perf_counter()
    result = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind="retrain", training_window_days=window)),
                          progress=False)
    wall = time.perf_counter() - started
    refits = result.versions.iloc[1:]
    seconds = refits["train_seconds"].to_numpy()
    return {"window_days": "all" if window is None else window, "wall_s": round(wall, 1), "refits": len(refits),
            "events_at_last_refit": int(refits["logged_events"].iloc[-1]),
            "trained_at_last_refit": int(refits["trained_events"].iloc[-1]),
            "refits_total_s": round(float(seconds.sum()), 2), "first_refit_ms": round(seconds[0] * 1e3),
            "median_refit_ms": round(float(np.median(seconds)) * 1e3), "last_refit_ms": round(seconds[-1] * 1e3)}


def _ms(values, q: float) -> float:
    return round(float(np.quantile(values, q)) * 1e3, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (smoke test of the script)")
    parser.add_argument("--full", action="store_true", help="old vs new on the whole 365-day shop")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side for old vs new (median)")
    parser.add_argument("--baseline-rev", default="29505e8", help="commit of the code before issue 10")
    parser.add_argument("--baseline-tree", default="/tmp/recsys-workbench-before-issue-10", type=Path)
    parser.add_argument("--skip", nargs="*", default=[], choices=["run", "latency", "old_vs_new", "retrain"])
    args = parser.parse_args()
    if args.quick:
        shop = ShopConfig(n_users=2_000, n_items=300, days=46, warmup_days=14, seed=1, new_user_rate=1 / 180)
        calls = 1_000
    else:
        # arrivals balance lapses (1 / mean lifetime), so about 10,000 customers stay active all year
        shop = ShopConfig(n_users=10_000, n_items=1_000, days=351, warmup_days=14, seed=1,
                          new_user_rate=1 / 180, mean_lifetime_days=180)
        calls = 10_000
    pd.set_option("display.width", 160)
    if "old_vs_new" not in args.skip:
        compare_shop = shop if (args.full or args.quick) else ShopConfig(
            n_users=10_000, n_items=1_000, days=46, warmup_days=14, seed=1, new_user_rate=1 / 180,
            mean_lifetime_days=180)
        tree = baseline_tree(args.baseline_tree, args.baseline_rev)
        print(f"== old vs new: {compare_shop.warmup_days + compare_shop.days} days, {compare_shop.n_users} "
              f"customers, {compare_shop.n_items} items (old = {args.baseline_rev} in {tree})")
        print(bench_old_vs_new(compare_shop, tree, 1 if args.quick else args.repeats).to_string(index=False))
        print("target: today_speedup >= 2 against the old event_tracker")
    if "run" not in args.skip:
        print(f"\n== simulated shop: {shop.warmup_days + shop.days} days, {shop.n_users} customers, {shop.n_items} items")
        print(bench_run(shop, ("stale", "event_tracker")).to_string(index=False))
        print("target: event_tracker wall_s < 60")
    if "retrain" not in args.skip:
        retrain_shop = ShopConfig(n_users=2_000, n_items=300, days=28 if args.quick else 56, warmup_days=14, seed=1,
                                  new_user_rate=1 / 180, mean_lifetime_days=180)
        print(f"\n== weekly retraining cost, {retrain_shop.n_users} customers: D vs 4D days")
        print(bench_retrain_growth(retrain_shop).to_string(index=False))
        print("target: total_growth well below 16 (quadratic); 4 is linear")
        if args.full:
            tree = baseline_tree(args.baseline_tree, args.baseline_rev)
            print(f"\n== weekly retraining over the whole {shop.warmup_days + shop.days}-day shop, old vs today "
                  "(each run in its own interpreter)")
            print(bench_retrain_old_vs_new(shop, tree).to_string(index=False))
            print(f"\n== today's weekly retraining over the {shop.warmup_days + shop.days}-day shop: every logged "
                  "event vs the last 28 days (Policy.training_window_days)")
            print(bench_retrain_windows(shop).to_string(index=False))
    if "latency" not in args.skip:
        print(f"\n== put_events -> changed recommendation latency ({calls} calls)")
        print(bench_latency(calls).to_string(index=False))
        print("target: p99 < 5 ms")


if __name__ == "__main__":
    main()
