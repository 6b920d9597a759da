"""Speed of the simulated shop and of the event-tracker loop.

1. A 365-day run with 10,000 customers and 1,000 items under the ``event_tracker``
   policy (User-Personalization): whole run time and events generated per second
   (target: under 60 s). The same shop under ``stale`` is the baseline measured in
   the same run, so the table shows what real-time learning costs.
2. PutEvents-to-changed-recommendation latency over 10,000 calls: one tracked event
   (``EventTracker.put_events``, validated by botocore) followed by
   ``get_recommendations`` for that user through the in-process Personalize runtime
   when :mod:`workbench.personalize` is present, else ``model.update`` +
   ``model.recommend``. Median and p99 (target p99 < 5 ms), next to the median of
   ``model.recommend`` alone as the baseline.

Run: ``python benchmarks/bench_sim.py`` (``--quick`` for a 60-day, 2,000-customer smoke run).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: BLAS threads only add contention

import argparse  # noqa: E402
import time  # noqa: E402

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
    """put_events -> get_recommendations round trips for random users of a fitted model."""
    from workbench.recommenders.user_personalization import UserPersonalization

    shop = ShopConfig(n_users=2_000, n_items=1_000, days=1, warmup_days=14, seed=seed)
    warm = run_scenario(ScenarioConfig(shop=shop, policy=Policy(kind="stale")), progress=False)
    model = UserPersonalization().fit(warm.events, items=warm.world.items_at(warm.world.day0))
    rng = np.random.default_rng(seed)
    users = rng.choice(np.asarray(warm.events["USER_ID"].unique()), calls)
    items = rng.choice(np.asarray(model.item_vocab.ids), calls)
    t0 = int(warm.events["TIMESTAMP"].max()) + 60

    recommend_only = []
    for k in range(min(calls, 2_000)):
        started = time.perf_counter()
        model.recommend([users[k]], n=10)
        recommend_only.append(time.perf_counter() - started)

    try:
        from workbench.personalize import PersonalizeRuntime
    except ImportError:
        PersonalizeRuntime = None
    round_trip, changed = [], 0
    if PersonalizeRuntime is not None:
        put, get, how = _runtime_calls(PersonalizeRuntime, model)
    else:  # pragma: no cover - the personalize package ships with the workbench
        how = "model.update + model.recommend"

        def put(user, item, ts):
            model.update(pd.DataFrame({"USER_ID": [user], "ITEM_ID": [item], "TIMESTAMP": [ts], "EVENT_TYPE": ["click"]}))

        def get(user):
            return model.recommend([user], n=10)["ITEM_ID"].tolist()

    for k in range(calls):
        before = get(users[k]) if k % 100 == 0 else None
        started = time.perf_counter()
        put(users[k], items[k], t0 + k)
        after = get(users[k])
        round_trip.append(time.perf_counter() - started)
        if before is not None:
            changed += before != after
    ms = lambda values, q: round(float(np.quantile(values, q)) * 1e3, 3)  # noqa: E731
    return pd.DataFrame([
        {"path": "model.recommend alone (baseline)", "calls": len(recommend_only),
         "median_ms": ms(recommend_only, 0.5), "p99_ms": ms(recommend_only, 0.99)},
        {"path": how, "calls": calls, "median_ms": ms(round_trip, 0.5), "p99_ms": ms(round_trip, 0.99),
         "lists_changed": f"{changed}/{calls // 100} sampled"},
    ])


def _runtime_calls(runtime_cls, model):
    """put/get closures through the in-process Personalize runtime (boto3-shaped calls)."""
    from workbench.personalize import Campaign, EventTracker

    tracker = EventTracker(name="bench")
    campaign = Campaign(model, name="bench-campaign") if _accepts_model(Campaign) else None
    target = campaign if campaign is not None else model
    tracker.attach(target)

    def put(user, item, ts):
        tracker.put_events(trackingId=tracker.tracking_id, userId=user, sessionId=f"s-{user}",
                           eventList=[{"eventType": "click", "itemId": item, "sentAt": ts}])

    if campaign is not None and hasattr(campaign, "get_recommendations"):
        def get(user):
            response = campaign.get_recommendations(userId=user, numResults=10)
            return [entry["itemId"] for entry in response["itemList"]]
        return put, get, "EventTracker.put_events + Campaign.get_recommendations"

    def get(user):
        return model.recommend([user], n=10)["ITEM_ID"].tolist()

    return put, get, "EventTracker.put_events + model.recommend"


def _accepts_model(campaign_cls) -> bool:
    import inspect

    try:
        params = list(inspect.signature(campaign_cls).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] in {"model", "recommender"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (smoke test of the script)")
    args = parser.parse_args()
    if args.quick:
        shop = ShopConfig(n_users=2_000, n_items=300, days=46, warmup_days=14, seed=1)
        calls = 1_000
    else:
        shop = ShopConfig(n_users=10_000, n_items=1_000, days=351, warmup_days=14, seed=1)
        calls = 10_000
    pd.set_option("display.width", 160)
    print(f"== simulated shop: {shop.warmup_days + shop.days} days, {shop.n_users} customers, {shop.n_items} items")
    print(bench_run(shop, ("stale", "event_tracker")).to_string(index=False))
    print("target: event_tracker wall_s < 60")
    print(f"\n== put_events -> changed recommendation latency ({calls} calls)")
    print(bench_latency(calls).to_string(index=False))
    print("target: p99 < 5 ms")


if __name__ == "__main__":
    main()
