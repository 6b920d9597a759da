import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="13 · Operations: monitoring, data quality, latency and caching",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import (
        DEFAULT_EVENT_WEIGHTS,
        EVENT_TYPE,
        ITEM_ID,
        SECONDS_PER_DAY,
        TIMESTAMP,
        USER_ID,
    )
    import atexit
    import dataclasses
    import shutil
    import tempfile
    import time
    from pathlib import Path

    from workbench.data import load_interactions, load_large, load_sample
    from workbench.metrics import evaluate
    from workbench.ops import (
        RecommendationCache,
        latency_summary,
        quality_by_period,
        share_drift,
        time_calls,
    )
    from workbench.recommenders import EASE, ImplicitALS
    from workbench.recommenders.memory import ModelTooLargeError
    from workbench.spark import SparkALS, get_spark, spark_status
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.sim import (
        Policy,
        ScenarioConfig,
        ShopConfig,
        cadence_sentences,
        cadence_table,
        compare_retrain_cadences,
        compare_training_windows,
        load_scenario,
        run_scenario,
        weekly_uplift,
        window_sentences,
    )
    from workbench.sim.story import chapter_shop
    from workbench.notebook_export import NOTEBOOK_DIR
    from workbench.split import leave_last_n

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["GN-17"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 13 · Operations: monitoring, data quality, latency and caching

    A recommender that scored well at launch can quietly get worse: customers'
    tastes move with the seasons, a tracking bug doubles every click, a slow model makes
    the page wait. Operations is the work that notices and prevents this:

    * a **pipeline** that validates new data, retrains on a schedule and redeploys, and
      decides how much history each retrain learns from;
    * a **feature store** so training and serving compute features the same way;
    * **monitoring** of the input mix (drift), of data quality and of the KPIs;
    * **latency** budgets met with caching, traded against freshness;
    * **business weights** that product owners can tune without a new model design.

    Each section below measures one of these on the simulated shop or the sample data,
    except the feature store: that is a design rule (one definition of each feature,
    used by training and serving alike), explained in the glossary, not measured here.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["monitoring", "drift", "data quality", "retraining", "automatic training", "latency",
                                "caching", "feature store"])
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Watching the mix drift

    The simulated footwear shop runs for some weeks after its warm-up week, with its
    seasons, a fashion trend for one brand, wandering tastes and new shoes. The model is
    trained once and never again. Each week, the share of events per value of the
    watched column (product category or brand) is compared with the first week after
    launch by the **population stability index**
    $\mathrm{PSI} = \sum_c (a_c - e_c)\ln(a_c / e_c)$; a common rule of thumb reads
    below 0.1 as stable, 0.1 to 0.25 as a moderate shift and above 0.25 as a large one.

    After the first week a PSI is never exactly 0: about a thousand events a week give
    noisy shares, and the other causes move the mix too. So the shop is played twice,
    paired (the same customers and visits): once as set, once with the cause that should
    move the watched column switched off (the season for categories, the trend for
    brands). The gap between the two bars is what that cause does; the rest is noise and
    the other causes.
    """)
    return


@app.cell
def _():
    season = ui.slider(0.0, 2.0, value=0.9, step=0.1, label="season strength (the footwear shop: 0.9)")
    trend_day = ui.slider(10, 30, value=20, label="day the fashion trend starts")
    drift_weeks = ui.slider(5, 9, value=9, label="weeks after launch")
    watched = ui.dropdown({"brand (moved by the trend)": "BRAND", "category (moved by the season)": "CATEGORY_L1"},
                          value="brand (moved by the trend)", label="watch the share of each")
    drift_run = ui.run_button("Simulate the weeks")
    ui.controls(season, trend_day, drift_weeks, watched, drift_run, title="Shop drift")
    return drift_run, drift_weeks, season, trend_day, watched


@app.cell
def _(drift_run, drift_weeks, season, trend_day, watched):
    mo.stop(mo.running_in_notebook() and not drift_run.value, mo.md("Press **Simulate the weeks**."))
    _shop = ShopConfig(
        n_users=300, n_items=80, days=7 * int(drift_weeks.value), warmup_days=7, seed=7,
        season_strength=float(season.value), trend_shift_day=int(trend_day.value),
    )
    drift_cause = "trend" if watched.value == "BRAND" else "season"
    _stale = Policy(kind="stale", model="popularity")
    drift_result = run_scenario(ScenarioConfig(shop=_shop, policy=_stale, name="stale"), progress=False)
    _without = run_scenario(ScenarioConfig(shop=_shop.with_causes(off=[drift_cause]), policy=_stale, name="stale"), progress=False)

    def _run_day_events(result):
        _values = result.world.items.set_index(ITEM_ID)[watched.value]
        _events = result.events[result.events[TIMESTAMP] >= result.world.day0]  # the warm-up week has no lists
        return _events.assign(**{watched.value: _events[ITEM_ID].map(_values)})

    drift_events = _run_day_events(drift_result)
    weekly = share_drift(drift_events, watched.value, period_seconds=7 * SECONDS_PER_DAY)
    weekly_without = share_drift(_run_day_events(_without), watched.value, period_seconds=7 * SECONDS_PER_DAY)
    weekly.round(3)
    return drift_cause, drift_events, drift_result, weekly, weekly_without


@app.cell
def _(drift_cause, drift_result, watched, weekly, weekly_without):
    _shares = weekly.drop(columns=["period", "start", "events", "psi"])
    _fig, (_top, _middle, _bottom) = plt.subplots(3, 1, figsize=(9, 8.5), gridspec_kw={"height_ratios": [2, 1, 2]})
    _top.stackplot(weekly["period"], _shares.T.to_numpy(), labels=_shares.columns, alpha=0.85)
    _top.set_ylabel("share of events")
    _top.set_xlabel("week after launch")
    _top.set_title(f"Mix of {watched.value} per week (as set)")
    _top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    _middle.bar(weekly["period"] - 0.2, weekly["psi"], width=0.4, color="black", label="as set")
    _middle.bar(weekly_without["period"] + 0.2, weekly_without["psi"], width=0.4, color="silver", label=f"{drift_cause} off")
    _middle.axhline(0.1, color="gray", linestyle=":", label="0.1 moderate")
    _middle.axhline(0.25, color="red", linestyle=":", label="0.25 large")
    _middle.set_ylabel("PSI vs week 0\n(first week of lists)")
    _middle.set_xlabel("week after launch")
    _middle.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    _daily = drift_result.daily
    _bottom.plot(_daily["day"], _daily["ndcg_at_10"].rolling(3, min_periods=1).mean(), label="NDCG@10 (3-day mean)")
    _bottom.plot(_daily["day"], _daily["ctr"].rolling(3, min_periods=1).mean(), label="CTR (3-day mean)")
    for _, _marker in drift_result.markers.iterrows():
        _bottom.axvline(_marker["day"], color="gray", linestyle="--")
        _bottom.text(_marker["day"], _bottom.get_ylim()[1] * 0.95, f" {_marker['label']}", fontsize=8, va="top")
    _bottom.set_xlabel("day after launch")
    _bottom.set_title("Quality of a model trained once (stale popularity)")
    _bottom.legend(loc="lower left")
    _fig.tight_layout()
    plt.close(_fig)
    _tail = min(3, len(weekly) - 1)
    _late, _late_without = weekly["psi"].iloc[-_tail:].mean(), weekly_without["psi"].iloc[-_tail:].mean()
    _floor = weekly_without["psi"].max()
    mo.vstack([_fig, mo.md(
        f"Over the last {_tail} weeks the PSI averages {_late:.3f} as set and {_late_without:.3f} with the "
        f"{drift_cause} off (about {int(weekly['events'].mean()):,} events a week). Without the {drift_cause} the "
        f"PSI still reaches {_floor:.3f} in some week: that, not 0, is the floor an alert threshold has to clear. "
        + (f"As set, the late weeks stay above that floor: the {drift_cause} moves the mix beyond what noise and the "
           "other causes do." if _late > _floor else
           f"As set, the late weeks do not clear that floor: at these settings this monitor cannot tell the "
           f"{drift_cause} from noise and the other causes. Raise its strength or the weeks and look again.")
    )])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · How much history should each retrain learn from?

    A scheduled retrain creates a new solution version; with `trainingMode` FULL it is a completely
    new model on all the data in the dataset group. Over a long run that means every refit reads a
    longer log. A shop can instead keep a rolling window: before each retrain it re-imports its bulk
    interactions with only the last N days (a bulk import in FULL mode replaces the existing bulk
    data; events sent with PutEvents are not bulk data, so this only works for a shop without an
    event tracker). Old data is more data, but under drift it also describes tastes that have gone.

    Below, the same shop (the same customers and visits: common random numbers) is played with
    weekly retraining on every event and on the last N days, each paired with a run that shows no
    recommendations. The sentences under the chart are computed from these runs. On the full-size
    footwear shop (`benchmarks/bench_sim_truth.py`, 1,500 customers, 110 days, ten seeds) the
    14-day window earned +0.69 uplift per visit over retraining on every event (95% CI 0.48 to 0.89,
    ahead on 10 of 10 seeds; last three weeks +1.72); with taste drift, season and trend switched
    off (everything else as before) the same window lost 0.49 (95% CI 0.41 to 0.57, ahead on 0 of
    10 seeds): in that shop the window pays for tastes that move. A window also forgets purchases: its
    purchase filter knows only those inside the window, so shoes bought earlier come back into its
    lists. In the footwear shop that is not the gain (with no purchase filter for either schedule the
    window still earned +0.72, ahead on 10 of 10 seeds), but in a world with every cause switched off,
    where nobody tires of a shoe or runs out of budget, it is all of it: +1.17 with the filter, -8.16
    without (ahead on 10 and on 0 of 10 seeds); there its lists sold 3,704 repeat purchases per run
    against 1,931 for every event. The sentences under the charts count the repeats of the runs
    below. This small shop is faster to play and noisier, and on it the two schedules usually
    cannot be told apart: read the interval before the mean.
    """)
    return


@app.cell
def _():
    window_days = ui.slider_over([7, 14, 28, 56], value=28, label="training window (days)")
    window_length = ui.slider_over([56, 84, 112], value=84, label="run days")
    window_seeds = ui.slider(1, 4, value=2, label="seeds")
    window_run = ui.run_button("Play both retraining schedules")
    ui.controls(window_days, window_length, window_seeds, window_run, title="Training window")
    return window_days, window_length, window_run, window_seeds


@app.cell
def _():
    # the footwear shop both retraining sections shrink to the chapter's size
    footwear_shop = load_scenario(NOTEBOOK_DIR.parent / "data" / "scenarios" / "footwear.yaml").shop
    return (footwear_shop,)


@app.cell
def _(footwear_shop, window_days, window_length, window_run, window_seeds):
    mo.stop(mo.running_in_notebook() and not window_run.value, mo.md("Press **Play both retraining schedules**."))
    _shop = dataclasses.replace(chapter_shop(footwear_shop), days=int(window_length.value))
    window_played = compare_training_windows(_shop, windows=(None, int(window_days.value)),
                                             seeds=range(int(window_seeds.value)))
    return (window_played,)


@app.cell
def _(window_played):
    _fig, (_left, _right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for _name, _group in window_played.daily.groupby("policy", sort=False):
        _weekly = weekly_uplift(_group)  # every seed's week together: week totals / week visits
        _left.plot(_weekly.index + 1, _weekly.to_numpy(), marker="o", label=_name)
    _left.axhline(0, color="gray", linewidth=0.8)
    _left.set_xlabel("week")
    _left.set_ylabel("uplift per visit over no recommendations")
    _left.set_title("Revenue the lists add (all seeds)")
    _left.legend(fontsize=8)
    _refits = window_played.versions[window_played.versions["day"] > 0]
    for _name, _group in _refits.groupby("policy", sort=False):
        _right.scatter(_group["logged_events"], _group["train_seconds"] * 1e3, s=14, label=_name)
    _right.set_xlabel("events in the log at the refit")
    _right.set_ylabel("refit time (ms)")
    _right.set_title("What each refit costs")
    _right.legend(fontsize=8)
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([_fig, mo.md(window_sentences(window_played))])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2b · How often to retrain?

    Automatic training gives a custom solution a new solution version every 7 days unless its
    `autoTrainingConfig.schedulingExpression` says `rate(N days)` with another N from 1 to 30;
    each training is billed, and the campaign serves the new version only once it is updated or
    follows `$LATEST` (the simulator's `retrain` policy does both). The guide recommends a new FULL
    version weekly for most workloads, *beside* the real-time updates (the event tracker and the
    2-hourly automatic updates), not instead of them. Below, the same shop (the
    same customers and visits on each seed) is played under a model trained once, a retrain every
    N days for each N you pick and, if ticked, the event tracker with a weekly retrain, each run
    paired with a run that shows no recommendations. The table sets what each schedule earns
    (paired against the weekly retrain) beside what it costs (trainings per run, and their time
    on this machine: a proxy, not a price) and how old the newest event its lists could use was.
    Every sentence under it is computed from these runs.

    On the full-size footwear shop (`benchmarks/bench_sim_truth.py`, 1,500 customers, 110 days,
    ten seeds), against the weekly retrain over the whole run: a new version every day earned
    +0.37 uplift per visit (95% CI 0.26 to 0.47, ahead on 10 of 10 seeds) with 109 trainings per
    run instead of 15; every 3 days +0.25, every 14 days -0.30, every 28 days -0.70 (ahead on 0 of
    10), a model trained once -1.84. Each shortening buys less than the one before: +0.40 from 28
    to 14 days, +0.30 from 14 to 7, +0.25 from 7 to 3 and +0.12 from 3 to 1, for ever more
    trainings. The event tracker with a weekly retrain earned +0.67 over the weekly retrain alone
    and +0.30 over the daily one (95% CI 0.21 to 0.39, ahead on 10 of 10) with 15 trainings
    instead of 109: lists that use the visit in progress (the newest usable event a median 20 h
    old, against 89 h with a daily retrain) are worth more than a model rebuilt every night. The
    chapter's small shop is faster to play and noisier: read the interval before the mean.

    A schedule only matters once its versions are served. Exam scenario 21 (chapter 14) plays
    the trap: automatic training left on, but the campaign created from the first version's ARN,
    so every newer version is trained, billed and ignored.
    """)
    return


@app.cell
def _():
    cadence_days = ui.multiselect(["1", "3", "7", "14", "28"], value=["1", "7", "28"],
                                  label="retrain every N days")
    cadence_tracker = ui.checkbox(value=True, label="also the event tracker + weekly retrain")
    cadence_seeds = ui.slider(1, 4, value=2, label="seeds")
    cadence_run = ui.run_button("Play the schedules")
    ui.controls(cadence_days, cadence_tracker, cadence_seeds, cadence_run, title="Retraining cadence")
    return cadence_days, cadence_run, cadence_seeds, cadence_tracker


@app.cell
def _(cadence_days, cadence_run, cadence_seeds, cadence_tracker, footwear_shop):
    mo.stop(mo.running_in_notebook() and not cadence_run.value, mo.md("Press **Play the schedules**."))
    mo.stop(not cadence_days.value, mo.md("*Pick at least one cadence.*"))
    with mo.status.spinner(title="Playing every schedule on every seed ..."):
        cadence_played = compare_retrain_cadences(
            chapter_shop(footwear_shop), cadences=sorted(int(d) for d in cadence_days.value),
            seeds=range(int(cadence_seeds.value)), tracker_every_days=7 if cadence_tracker.value else None,
        )
    cadences = cadence_table(cadence_played)
    return cadence_played, cadences


@app.cell
def _(cadence_played, cadences):
    _fig, (_left, _right) = plt.subplots(1, 2, figsize=(10, 3.4))
    _names = cadences["policy"].tolist()
    _colors = ["tab:green" if "tracker" in n else ("0.6" if n == cadence_played.reference else "tab:blue")
               for n in _names]
    _left.barh(_names, cadences["uplift_per_visit"], color=_colors)
    for _y, (_u, _t) in enumerate(zip(cadences["uplift_per_visit"], cadences["trainings"])):
        _left.text(max(_u, 0), _y, f" {_t:.0f} training{'' if round(_t) == 1 else 's'}", va="center", fontsize=8)
    _left.set_xlim(min(0.0, cadences["uplift_per_visit"].min() * 1.1), cadences["uplift_per_visit"].max() * 1.45)
    _left.invert_yaxis()
    _left.set_xlabel("uplift per visit over no recommendations")
    _left.set_title("What each schedule earns (and trains)")
    _right.barh(_names, cadences["freshness_hours"], color=_colors)
    for _y, _h in enumerate(cadences["freshness_hours"]):
        _right.text(_h, _y, f" {_h:,.0f} h", va="center", fontsize=8)
    _right.set_xlim(0, cadences["freshness_hours"].max() * 1.3)
    _right.invert_yaxis()
    _right.set_yticks([])
    _right.set_xlabel("hours (median)")
    _right.set_title("Age of the newest event a list could use")
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([_fig, mo.md(cadence_sentences(cadence_played))])
    return


@app.cell
def _(cadences):
    cadences.round(3)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Data-quality checks on every day's events

    Bugs in tracking code look like drift to a model but are much easier to catch:
    check each day's new events before they reach training. Pick an incident and the
    day it starts; `quality_by_period` flags the calendar days whose shares cross the
    thresholds (`workbench.ops.QUALITY_THRESHOLDS`). The volume check compares each day
    with the median of the last seven days that raised no alert: a monitor knows only
    the past, and leaving alerted days out of the baseline keeps a long outage alerting
    every day instead of becoming the new normal. The price: the baseline freezes at the
    last clean days. Start an outage on day 2 and it is judged against the two launch
    days alone, while the shop grows week by week, so later outage days can look normal
    again: the sentence under the controls counts the misses.
    """)
    return


@app.cell
def _():
    incident = ui.dropdown(
        ["double-sent events", "millisecond timestamps", "empty EVENT_TYPE", "unknown item ids", "tracking outage"],
        value="double-sent events",
        label="incident",
    )
    incident_day = ui.slider(2, 30, value=20, label="first day of the incident (after launch)")
    ui.controls(incident, incident_day, title="Inject a data incident")
    return incident, incident_day


@app.cell
def _(drift_result, incident, incident_day):
    _rng = np.random.default_rng(5)
    _day0 = int(drift_result.world.day0)  # a UTC midnight: period n is day n after launch
    _log = drift_result.events[drift_result.events[TIMESTAMP] >= _day0].copy()  # run days only (the warm-up is quieter)
    _start = int(drift_result.world.day0) + int(incident_day.value) * SECONDS_PER_DAY
    _hit = (_log[TIMESTAMP] >= _start).to_numpy() & (_rng.random(len(_log)) < 0.3)
    if incident.value == "double-sent events":
        _log = pd.concat([_log, _log[_hit]], ignore_index=True).sort_values(TIMESTAMP, kind="stable")
    elif incident.value == "millisecond timestamps":
        _log.loc[_hit, TIMESTAMP] = _log.loc[_hit, TIMESTAMP] * 1000
    elif incident.value == "empty EVENT_TYPE":
        _log[EVENT_TYPE] = _log[EVENT_TYPE].astype(object)
        _log.loc[_hit, EVENT_TYPE] = ""
    elif incident.value == "unknown item ids":
        _log.loc[_hit, ITEM_ID] = "UNKNOWN-" + _log.loc[_hit, ITEM_ID].astype(str)
    else:
        _log = _log[~((_log[TIMESTAMP] >= _start).to_numpy() & (_rng.random(len(_log)) < 0.8))]
    quality = quality_by_period(_log, known_items=drift_result.world.items[ITEM_ID], origin=_day0)
    quality_alerts = quality[quality["alerts"] != ""]
    _days = quality_alerts["period"].astype(int).tolist()
    _first_day, _last_day = int(incident_day.value), int(quality["period"].max())
    _missed = sorted(set(range(_first_day, _last_day + 1)) - set(_days))
    _early = [_d for _d in _days if _d < _first_day]
    _said = (
        f"The incident runs from day {_first_day} to the end (day {_last_day}). Alerts on "
        + (f"{len(_days)} days, from day {_days[0]} to day {_days[-1]}" if _days else "no day")
        + (f"; missed: {len(_missed)} incident days ({', '.join(map(str, _missed[:8]))}{' …' if len(_missed) > 8 else ''})" if _missed else "; no incident day missed")
        + (f"; false alarms before it: days {', '.join(map(str, _early))}." if _early else "; no false alarm before it.")
    )
    mo.vstack([mo.md(_said), quality_alerts.round(3) if len(quality_alerts) else mo.md("No alert.")])
    return (quality,)


@app.cell
def _(incident, quality):
    _cols = ["duplicate_share", "missing_event_type_share", "millisecond_timestamp_share", "unknown_item_share"]
    _fig, _ax = plt.subplots(figsize=(9, 3.4))
    for _col in _cols:
        _ax.plot(quality["period"], quality[_col].fillna(0), label=_col)
    _ax.plot(quality["period"], quality["volume_ratio"], color="black", linestyle="--", label="volume_ratio")
    _alerted = quality[quality["alerts"] != ""]
    _ax.scatter(_alerted["period"], np.full(len(_alerted), -0.05), marker="^", color="red", label="alert")
    _ax.set_xlabel("day")
    _ax.set_title(f"Daily data-quality checks: {incident.value}")
    _ax.legend(fontsize=8, ncol=3)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Latency and caching

    Each page view asks for a list; the page waits for it. A cache keeps recent answers
    per user: the second request of a user is served from memory. Requests come from a
    skewed population (a few customers visit often), which is what makes caching pay.
    They arrive spread over one simulated hour, and the cache's clock is that simulated
    time, so the TTL is in simulated seconds: a short TTL expires entries between a
    customer's requests and lowers the hit rate.
    The price is **freshness**: a cached list does not see the clicks made after it was
    computed, unless the cache forgets that user when new events arrive.
    """)
    return


@app.cell
def _():
    requests = ui.slider(100, 1000, value=300, step=100, label="requests")
    skew = ui.slider(1.1, 3.0, value=1.5, step=0.1, label="request skew (Zipf exponent)")
    ttl = ui.slider(1, 600, value=300, step=1, label="cache TTL (seconds)")
    ui.controls(requests, skew, ttl, title="Traffic")
    return requests, skew, ttl


@app.cell
def _():
    sample = load_sample()
    serving_model = UserPersonalization().fit(sample.interactions, items=sample.items)
    return sample, serving_model


@app.cell
def _(requests, sample, serving_model, skew, ttl):
    _users = pd.unique(sample.interactions[USER_ID].astype(str))
    _rng = np.random.default_rng(42)
    _ranks = np.minimum(_rng.zipf(float(skew.value), size=int(requests.value)), len(_users)) - 1
    stream = list(_users[_ranks])
    _arrivals = np.sort(_rng.uniform(0, 3600, size=len(stream)))  # the requests of one simulated hour
    _now = [0.0]
    _cache = RecommendationCache(serving_model, ttl_seconds=float(ttl.value), clock=lambda: _now[0])

    def _serve(request):
        _now[0] = request[1]  # the cache's clock is the request's simulated arrival time
        return _cache.recommend(request[0], n=10)

    _plain = time_calls(lambda u: serving_model.recommend([u], n=10), stream)
    _cached = time_calls(_serve, list(zip(stream, _arrivals)), warmup=0)
    latency = pd.DataFrame({"no cache": latency_summary(_plain["ms"]), "with cache": latency_summary(_cached["ms"])}).round(3)
    latency.loc["cache hit rate"] = [np.nan, round(_cache.stats.hit_rate, 3)]
    latency.loc["entries expired (TTL)"] = [np.nan, _cache.stats.expired]
    latency.loc["distinct users"] = [len(set(stream))] * 2
    latency_samples = {"no cache": _plain["ms"].to_numpy(), "with cache": _cached["ms"].to_numpy()}
    latency
    return (latency_samples,)


@app.cell
def _(latency_samples):
    _fig, _ax = plt.subplots(figsize=(8, 3.4))
    for _name, _ms in latency_samples.items():
        _sorted = np.sort(_ms)
        _ax.plot(_sorted, np.arange(1, len(_sorted) + 1) / len(_sorted), label=_name)
    _ax.set_xscale("log")
    _ax.set_xlabel("milliseconds per request (log scale)")
    _ax.set_ylabel("share of requests")
    _ax.set_title("Latency distribution (cumulative)")
    _ax.legend()
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Freshness versus speed.** Below, one customer's list is cached, then the customer
    clicks three items and the real-time model learns from the clicks. The cached list
    is stale until the cache is told to forget the customer (`cache.invalidate([user])`,
    typically wired to the same event stream that feeds the event tracker).
    """)
    return


@app.cell
def _(sample):
    _user = str(sample.interactions[USER_ID].iloc[0])
    _model = UserPersonalization().fit(sample.interactions, items=sample.items)  # a copy we may change
    _cache = RecommendationCache(_model, ttl_seconds=3600)
    _cached_before = _cache.recommend(_user, n=10)[ITEM_ID].tolist()
    _seen = set(sample.interactions.loc[sample.interactions[USER_ID].astype(str) == _user, ITEM_ID].astype(str))
    _listed = set(_cached_before)
    _popular = sample.interactions[ITEM_ID].astype(str).value_counts().index
    _candidates = [i for i in _popular if i not in _seen and i not in _listed]  # known items not yet shown
    _fresh_items = _candidates[5:8] if len(_candidates) >= 8 else _candidates[:3]
    _now = int(sample.interactions[TIMESTAMP].max()) + 60
    _clicks = pd.DataFrame({USER_ID: _user, ITEM_ID: _fresh_items, TIMESTAMP: _now + np.arange(len(_fresh_items)), EVENT_TYPE: "click"})
    _model.update(_clicks)
    _still_cached = _cache.recommend(_user, n=10)[ITEM_ID].tolist()
    _cache.invalidate([_user])
    _after_invalidate = _cache.recommend(_user, n=10)[ITEM_ID].tolist()
    freshness_table = pd.DataFrame(
        {
            "cached before the clicks": pd.Series(_cached_before, dtype=object),
            "served from cache after the clicks": pd.Series(_still_cached, dtype=object),
            "after invalidate()": pd.Series(_after_invalidate, dtype=object),
        }
    )
    freshness_table["changed by invalidate"] = freshness_table["served from cache after the clicks"] != freshness_table["after invalidate()"]
    _new = [i for i in _after_invalidate if i not in set(_still_cached)]
    mo.md(
        f"User `{_user}` clicked {', '.join(f'`{i}`' for i in _fresh_items)}. The cache kept serving the old list "
        f"({'unchanged' if _still_cached == _cached_before else 'changed'}); after `invalidate` the list has "
        f"{len(_new)} new item{'s' if len(_new) != 1 else ''} ({', '.join(f'`{i}`' for i in _new) or 'none'}), and "
        f"{int(freshness_table['changed by invalidate'].sum()) - len(_new)} of the {len(_after_invalidate) - len(_new)} items kept moved to another position."
    )
    return (freshness_table,)


@app.cell
def _(freshness_table):
    freshness_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Tunable business weights

    How much a purchase should count compared with a view is a business decision, not a
    law of nature. The workbench models read it from `event_weights` (default
    view 1, click 2, add to cart 4, purchase 8); EASE uses them with
    `weighting="events"`. Change the weights, refit, and see how
    much the lists and the offline metrics move; this is the kind of knob an operations
    team exposes to the business (Personalize's newer recipes offer per-event-type
    weights in their events configuration).
    """)
    return


@app.cell
def _():
    w_view = ui.slider(0.0, 5.0, value=0.5, step=0.5, label="view")
    w_cart = ui.slider(0.0, 10.0, value=4.0, step=0.5, label="add to cart")
    w_purchase = ui.slider(0.0, 30.0, value=20.0, step=1.0, label="purchase")
    ui.controls(w_view, w_cart, w_purchase, title="Event weights (click stays 2)")
    return w_cart, w_purchase, w_view


@app.cell
def _(sample, w_cart, w_purchase, w_view):
    _split = leave_last_n(sample.interactions, n=1)
    _custom = {**DEFAULT_EVENT_WEIGHTS, "view": float(w_view.value), "add_to_cart": float(w_cart.value), "purchase": float(w_purchase.value)}
    _rows, _lists = {}, {}
    for _name, _weights in (("default weights", DEFAULT_EVENT_WEIGHTS), ("your weights", _custom)):
        _model = EASE(event_weights=dict(_weights), weighting="events").fit(_split.train, items=sample.items)
        _recs = _model.recommend(_split.test_users, n=10)
        _rows[_name] = evaluate(_recs, _split.test, k=10, metrics=["precision", "recall", "ndcg"]).summary
        _lists[_name] = _recs.groupby(USER_ID)[ITEM_ID].apply(set)
    _overlap = pd.concat(_lists, axis=1).apply(lambda row: len(row.iloc[0] & row.iloc[1]) / 10, axis=1)
    weights_table = pd.DataFrame(_rows).round(4)
    weights_table.loc["mean share of the top-10 shared with the default lists"] = [1.0, round(float(_overlap.mean()), 3)]
    weights_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · When one machine is not enough: DuckDB, then Spark

    Everything above holds the whole event log in memory as one pandas frame. That is the
    fastest way while it fits; this section measures where it stops.
    `benchmarks/bench_scale.py` measured on this project's 2-core, 24 GiB machine
    (2,000,000 synthetic events, 100,000 users, 10,000 items; run it with `--rows` for your size):

    | step | in-memory path | out-of-core path |
    |:---|:---|:---|
    | load + validate | `load_interactions`: 4–6 s, +0.3 GiB | `load_large` (DuckDB): 4–18 s, +0.3 GiB (constant) |
    | ALS fit, 32 factors, 5 epochs | `ImplicitALS`: 40 s, +0.5 GiB | `SparkALS`, local[2]: 232 s (+41 s to start Java), 1.8 GiB JVM |
    | recommend for 1,000 users | 0.9 s | 9 s (one Spark scan for the users' own events) |

    At the issue's size, 20 million events, 1 million users and 100,000 items (the README's benchmark
    table, same machine), the in-memory loader took 6.7 s and +2.4 GiB, DuckDB 18.1 s and +0.36 GiB,
    and ImplicitALS 137 s and +4.55 GiB: it still fits, and the benchmark puts the break of the
    in-memory path near 95 million events of this four-column shape (fewer with more columns or other
    programs running). `load_large` stays near 0.3 GiB however long the file is. EASE at 100,000
    items would need two dense 100,000 x 100,000 matrices, 149 GiB: it refuses, and its error gives
    the largest catalogue that fits the memory free at that moment (the cell below asks this
    machine now). The 2-million-event runs shared both cores with other jobs, so their seconds are
    high and noisy; the ratios are the lesson.

    So, as a rule of thumb:

    * **The file no longer loads** (or leaves too little memory to train): validate and
      clean it with `load_large`. DuckDB streams the file in chunks through *the same rules*
      and writes the clean rows to Parquet; memory stays at one chunk whatever the file size.
      At every size measured here it is slower than the in-memory loader (18.1 s against
      6.7 s at 20 million rows: it reads the file twice and works chunk by chunk); what it
      buys is flat memory, not speed, so it is not the default.
    * **The clean data fits but the model does not** (training needs the frame plus the
      matrices plus the factors): train where the data lives, with Spark. `SparkALS` and
      `SparkFPGrowth` take a Spark frame (`spark.read.parquet(result.path)`), keep the events
      in Spark and bring only the factor vectors or the rules back for serving; on a
      cluster the same code gets more executors, not a rewrite.
    * **A dense item x item model** (EASE) grows with the *square* of the catalogue: it
      refuses before allocating, and its error names the largest catalogue the memory holds.
    * Spark costs a Java VM start (7–12 s on this machine when it is idle, much more when the
      cores are busy, as in the 2-million-event run) and scheduling overhead on every job:
      on data that fits one machine it is the slowest option, which is why it is the last step.

    The cells below run both loaders on the sample shop's events (with and without a broken
    row) and, if you tick the box and Java is installed (`make spark-env`), train Spark ALS
    on the cleaned Parquet file.
    """)
    return


@app.cell
def _():
    scale_run = ui.run_button("Load the sample log both ways")
    spark_on = ui.checkbox(value=False, label="also train Spark ALS (starts a Java VM, about 10 s)")
    ui.controls(scale_run, spark_on, title="Scale path")
    return scale_run, spark_on


@app.cell
def _(sample, scale_run):
    mo.stop(mo.running_in_notebook() and not scale_run.value, mo.md("Press **Load the sample log both ways**."))
    scale_folder = Path(tempfile.mkdtemp(prefix="wb-ch13-"))
    atexit.register(shutil.rmtree, scale_folder, True)  # the Spark cell reads the Parquet file, so keep it until exit
    _csv = scale_folder / "interactions.csv"
    sample.interactions.to_csv(_csv, index=False)
    _t0 = time.perf_counter()
    _frame, _report = load_interactions(_csv)
    _t_memory = time.perf_counter() - _t0
    _t0 = time.perf_counter()
    large_result = load_large(_csv, out=scale_folder / "clean.parquet", chunk_rows=5_000)
    _t_large = time.perf_counter() - _t0
    _broken = sample.interactions.copy()
    _broken.loc[12_344, TIMESTAMP] = int(_broken.loc[12_344, TIMESTAMP]) * 1000  # one millisecond timestamp
    _bad_csv = scale_folder / "broken.csv"
    _broken.to_csv(_bad_csv, index=False)
    _errors = {}
    for _name, _load in (("load_interactions", load_interactions), ("load_large", load_large)):
        try:
            _load(_bad_csv)
        except Exception as _exc:  # the DatasetError text is what we compare
            _errors[_name] = str(_exc).replace(str(scale_folder), "…")
    scale_table = pd.DataFrame(
        {
            "load_interactions (pandas)": [_report.rows_read, _report.rows_kept, round(_t_memory, 2), "-"],
            "load_large (DuckDB, 5,000-row chunks)": [large_result.report.rows_read, large_result.report.rows_kept,
                                                      round(_t_large, 2), bool(large_result.to_pandas().equals(_frame))],
        },
        index=["rows read", "rows kept", "seconds", "same frame as load_interactions"],
    )
    mo.vstack([
        scale_table,
        mo.md("**One broken row, the same error from both loaders:**\n\n" + "\n\n".join(
            f"* `{_name}`: {_text}" for _name, _text in _errors.items())),
    ])
    return large_result, scale_folder


@app.cell
def _():
    _ease = EASE()
    try:
        _ease.check_size(100_000)
        _ease_text = "EASE would fit 100,000 items on this machine."
    except ModelTooLargeError as _exc:
        _ease_text = f"EASE with 100,000 items refuses before allocating anything: {_exc}"
    mo.md(f"**Where the dense model stops.** {_ease_text}")
    return


@app.cell
def _(large_result, spark_on):
    # no mo.stop here: a missing Java or an unticked box is a normal outcome, not a stopped chapter
    _ok, _why = spark_status()
    if not _ok:
        _shown = mo.md(f"**Spark skipped:** {_why}")
    elif not spark_on.value:
        _shown = mo.md(f"Spark is available ({_why}). Tick **also train Spark ALS** to train it here; it stays off "
                       "by default, also in headless runs of this chapter, because starting Java takes about 10 s.")
    else:
        _spark = get_spark()
        _events = _spark.read.parquet(str(large_result.path))
        _t0 = time.perf_counter()
        _spark_model = SparkALS(factors=32, epochs=5).fit(_events)
        _t_spark = time.perf_counter() - _t0
        _clean = large_result.to_pandas()
        _t0 = time.perf_counter()
        _local_model = ImplicitALS(factors=32, epochs=5).fit(_clean)
        _t_local = time.perf_counter() - _t0
        _user = str(_clean[USER_ID].iloc[0])
        _lists = pd.DataFrame({
            f"SparkALS ({_t_spark:.1f} s to fit)": _spark_model.recommend([_user], n=10)[ITEM_ID].to_numpy(),
            f"ImplicitALS ({_t_local:.1f} s to fit)": _local_model.recommend([_user], n=10)[ITEM_ID].to_numpy(),
        })
        _shown = mo.vstack([mo.md(f"Top 10 for `{_user}` from the two ALS implementations (they solve slightly "
                                  "different objectives: Spark scales the penalty by each user's and item's number "
                                  "of events)."), _lists])
    _shown
    return

if __name__ == "__main__":
    app.run()
