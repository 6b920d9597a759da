import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="07 · Drift: why the lift from recommendations fades",
)

with app.setup:
    import dataclasses

    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, plots, ui, wording
    from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.exam import load_scenarios
    from workbench.exam import run as play_exam
    from workbench.metrics import evaluate
    from workbench.notebook_export import NOTEBOOK_DIR
    from workbench.ops import quality_by_period
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.sim import CAUSES, Policy, attribute_decline, build_world, load_scenario
    from workbench.sim.cache import cached_comparison, prefetch_around
    from workbench.sim.story import (
        CHAPTER_CONTROLS,
        CHAPTER_DEFAULTS,
        attribution_sentences,
        chapter_grid,
        chapter_policy,
        chapter_shop,
        mean_over_seeds,
        story_sentences,
        story_table,
    )
    from workbench.split import personalize_holdout

    pd.set_option("display.max_colwidth", 400)

    CONCEPTS = ["RT-01", "RT-04", "RT-05", "RT-06", "RT-08", "RT-09", "RT-10", "GN-01", "GN-21"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 07 · Drift: why the lift from recommendations fades

    A footwear shop trains a recommender on its customers' purchase and browsing
    history. At launch, the recommended shoes add sales the shop would not have made
    without them. Week by week that lift shrinks, although nothing broke. The usual
    explanation is **drift**: the world the model learned from moves on.

    * **seasons**: late summer turns into autumn and winter; sandals give way to boots;
    * **trends**: one brand suddenly becomes fashionable;
    * **people**: tastes change a little every day, new customers arrive with no
      history, old ones lapse, new shoes enter the catalogue;
    * **satiation**: a customer who just bought a pair of boots wants no second pair.

    This chapter plays that shop in the workbench's simulator
    (`data/scenarios/footwear.yaml`, shrunk so it runs in seconds) under several
    **policies**, i.e. ways of keeping the model in touch with the world, and it
    measures them the way a sceptical analyst would:

    * **against doing nothing**: every policy is paired with a run *without any
      recommendations* on the same customers, visits and moods (common random
      numbers). *Uplift per visit* is the revenue a visit brings beyond what the very
      same visit brings with no list. A recommended purchase can replace one the
      customer would have made anyway (each customer has a shoe budget), so uplift is
      incremental revenue, not a sum of clicks;
    * **against chance**: a policy that shows *random* lists is played too, and NDCG@10
      of every served list is scored against what the customer would have looked at
      *without* the list (their organic choice), with a random list's score beside it;
    * **over several seeds**, with paired differences and 95% intervals.

    The simulator never scripts a curve: customers follow hidden, drifting tastes, and
    the model sees only the Personalize-format event log it is allowed to see. Every
    table, chart and generated sentence below is computed from the runs on the page;
    the few figures written into the text say which run they come from.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["drift", "retraining", "event tracker", "exploration", "feedback loop", "data quality"])
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The policies

    | policy | what the model learns after launch | Personalize equivalent |
    |:---|:---|:---|
    | `none` | nothing is shown | the shop without recommendations: the baseline |
    | `random` | nothing: random shoes (never one the customer bought) | a placebo carousel |
    | `stale` | nothing: trained once at launch | one solution version in a campaign, never updated |
    | `retrain` | everything, but only every *N* days | a new FULL solution version, and the campaign updated to serve it (a new version is not served until then) |
    | `event_tracker` | every event within the next page view, plus new items every 2 hours | `PutEvents` to a User-Personalization campaign, which also gets the recipe's 2-hourly automatic updates |
    | `retrain+event_tracker` | both | tracker plus regular FULL training (weekly by default) |

    The controls change the shop and the policies. *Drift strength* scales how fast
    tastes move and how strong the season and the trend are; *causes of change*
    switches whole mechanisms on or off; *exploration* is User-Personalization's
    `explorationWeight` (0 to 1); *seeds* is how many paired worlds are played (more
    seeds: narrower intervals, slower). Runs are cached on disk, so a setting you have
    seen before comes back at once, and `make run` plays the chapter ahead in the
    background: first what it opens on, then every stop of every control with the
    others left where they are (about two and a half minutes of both cores). After each
    change the chapter also plays, in the background, every setting one move away from
    the one on screen (about a minute of one core), so a learner who reads before moving
    on keeps getting answers from the cache. A setting nobody has played yet takes up to
    about ten seconds, with a progress bar.
    """)
    return


@app.cell
def _():
    # the stops and defaults live in workbench.sim.story, so `make run` can play every stop ahead
    drift_strength = ui.slider_over(CHAPTER_CONTROLS["drift"], value=CHAPTER_DEFAULTS["drift"],
                                    label="drift strength (x)")
    retrain_days = ui.slider_over(CHAPTER_CONTROLS["retrain_days"], value=CHAPTER_DEFAULTS["retrain_days"],
                                  label="retrain every (days)")
    exploration = ui.slider_over(CHAPTER_CONTROLS["exploration"], value=CHAPTER_DEFAULTS["exploration"],
                                 label="exploration weight")
    n_seeds = ui.slider_over(CHAPTER_CONTROLS["n_seeds"], value=CHAPTER_DEFAULTS["n_seeds"], label="seeds")
    causes = ui.multiselect(list(CAUSES), value=list(CAUSES), label="causes of change")
    ui.controls(drift_strength, retrain_days, exploration, n_seeds, causes, title="Shop and policies")
    return causes, drift_strength, exploration, n_seeds, retrain_days


@app.cell
def _(causes, drift_strength, exploration, n_seeds, retrain_days):
    footwear = load_scenario(NOTEBOOK_DIR.parent / "data" / "scenarios" / "footwear.yaml")
    _setting = {"drift": float(drift_strength.value), "retrain_days": int(retrain_days.value),
                "exploration": float(exploration.value), "n_seeds": int(n_seeds.value), "causes": list(causes.value)}
    small_shop, policies, seeds = chapter_grid(footwear.shop, **_setting)

    def policy(kind: str, **extra) -> Policy:
        """A policy with this chapter's shared settings (exploration, retrain cadence)."""
        return chapter_policy(kind, float(exploration.value), int(retrain_days.value), **extra)

    daily = cached_comparison(small_shop, policies, seeds=seeds, progress=mo.running_in_notebook())
    if mo.running_in_notebook():  # while you read, the settings one move away are played in the background
        prefetch_around(_setting)
    markers = build_world(small_shop).markers()
    _off = [c for c in CAUSES if not small_shop.cause_on(c)]
    mo.md(
        f"Shop: {small_shop.n_users} customers and {small_shop.n_items} shoes at the start, "
        f"{small_shop.warmup_days} days of history before launch, {small_shop.days} days with recommendations "
        f"from {daily['date'].min()} to {daily['date'].max()}, {len(seeds)} paired seed(s). "
        + (f"Causes switched off: {', '.join(c.replace('_', ' ') for c in _off)}. " if _off else "Every cause of change is on. ")
        + ("Drift strength 0: taste drift, season and trend have no effect. " if float(drift_strength.value) == 0 else "")
        + "Drift events: " + ("; ".join(f"day {r.day}: {r.label}" for r in markers.itertuples()) or "none") + "."
    )
    return daily, footwear, markers, policy, seeds, small_shop


@app.cell
def _(daily):
    means = mean_over_seeds(daily)
    return (means,)


@app.cell
def _(markers, means):
    # every panel gets every policy, so a policy keeps its colour (none: uplift 0, no list to score)
    _fig, _axes = plots.timeline_row([means, means], ["uplift_per_visit", "ndcg_at_10"],
                                     ["Uplift per visit over no recommendations", "NDCG@10 against the organic choice"],
                                     markers=markers)
    _random = means[means["policy"] == "random"].sort_values("day")
    _axes[1].plot(_random["day"], _random["ndcg_at_10_random"].rolling(7, min_periods=1).mean(), color="0.5",
                  linestyle=":", label="a random list (chance)")
    _axes[1].legend(fontsize=7, frameon=False, loc="upper right", handles=_axes[1].get_lines()[-1:])
    _axes[0].axhline(0.0, color="0.4", linewidth=0.8)
    _fig
    return


@app.cell
def _(markers, means):
    _fig, _axes = plots.timeline_row([means, means],
                                     ["revenue_per_visit", "freshness_median_hours"],
                                     ["Revenue per visit (all purchases)", "Age of the newest event a list could use"],
                                     markers=markers)
    _axes[1].set_yscale("log")  # ages span minutes to weeks
    _fig
    return


@app.cell
def _(daily):
    _table = story_table(daily, reference="stale").drop(index="none", errors="ignore")
    mo.vstack([
        mo.md("**The numbers behind the charts** (means over the seeds; `random` lists reflect no event, so "
              "they have no freshness. With two or more seeds, the last three columns compare each policy with "
              "`stale` over the last two weeks: the paired difference in uplift per visit, its 95% interval and "
              "the seeds it won):"),
        _table.round(3),
    ])
    return


@app.cell
def _(daily):
    mo.md("\n\n".join(story_sentences(daily, _p) for _p in ("stale", "event_tracker", "random")))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    How to read it. *Uplift per visit* is the only curve that answers "do the
    recommendations earn anything?": revenue per visit also moves with the season and
    with who happens to visit, and the `none` line in that panel shows how much. A
    random carousel earns something too (it puts shoes in front of people), which is
    why a model must be judged against it and not against zero.

    The **stale** model is trained once. As days pass, the customers it knows change
    their minds, new customers arrive whom it has never seen (they get a popularity
    fallback), new shoes arrive that it cannot recommend, and it keeps recommending
    shoes a customer has just bought elsewhere on the site. On top of that, a
    launch **pulls demand forward**: a customer who bought a recommended pair in the
    first weeks has less budget for shoes in the next ones, so part of the early lift
    is borrowed from later weeks. On the full 110-day footwear shop (README, ten
    seeds) the budget alone makes the stale uplift fall by 35% of its early level; the
    small shop of section 2, on three seeds, is too noisy to show it. **Retraining**
    pulls the model back on each retrain day (set a long cadence such as 21 days to
    see the saw-tooth; chapter 13 plays several cadences side by side, with what each costs
    in trainings). The **event tracker** folds every click into the next page view and
    gets the campaign's automatic updates, so its lists stay hours, not weeks, behind
    the customer (the freshness panel).

    Move *drift strength* and *causes of change*. The sentences under the table are
    recomputed on every change; section 2 measures each cause's share of the decline
    directly.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · What makes a stale model decline? Switch each cause off

    A stale model's uplift can fall for several reasons. Here every cause is a switch
    of the simulated world (switching one off keeps every other random draw the same),
    and the decline (uplift per visit in the first three weeks minus the last three)
    is measured with each cause **alone on** and **alone off**, and with **all off**:
    the acid test. With nothing changing, a model trained once has nothing to fall
    behind, so its uplift should stay flat within noise.

    In the marimo editor press the button (it plays two runs, the policy and its
    no-recommendation twin, for each of the 2 + 2 x 7 settings on three seeds: a few
    minutes the first time); as a script and in Jupyter the cell plays only the acid
    test and the world with every cause on, on one seed.
    """)
    return


@app.cell
def _():
    attribution_run = ui.run_button("Attribute the decline")
    attribution_run
    return (attribution_run,)


@app.cell
def _(attribution_run, footwear):
    mo.stop(mo.running_in_notebook() and not ui.button_value(attribution_run),
            mo.md("*Press the button to attribute the decline.*"))
    _full = mo.running_in_notebook()
    _shop = chapter_shop(footwear.shop)
    attribution = attribute_decline(
        _shop, policy="stale", seeds=(0, 1, 2) if _full else (0,), early=(0, 21), late=(-21, None),
        modes=("alone on", "alone off") if _full else (), cached=True, progress=_full,
    )
    _shown = attribution.set_index("setting")[["decline", "ci_low", "ci_high", "early_uplift", "late_uplift", "seeds"]]
    _fig, _ax = plt.subplots(figsize=(8, 0.22 * len(_shown) + 1.0))
    _err = np.vstack([_shown["decline"] - _shown["ci_low"], _shown["ci_high"] - _shown["decline"]])
    _ax.barh(_shown.index, _shown["decline"], xerr=np.nan_to_num(_err), color="tab:blue", capsize=3)
    _ax.axvline(0.0, color="0.3", linewidth=0.8)
    _ax.invert_yaxis()
    _ax.set_xlabel("decline of uplift per visit, first 3 weeks minus last 3 (95% CI)")
    _ax.set_title("The stale model's decline, cause by cause")
    _fig.tight_layout()
    plt.close(_fig)
    # the numbers behind the bars in the same output, so nothing waits on the button in its own cell
    _numbers = attribution.set_index("setting")[["causes_on", "decline", "ci_low", "ci_high", "early_uplift",
                                                 "late_uplift", "slope_per_30d", "seeds"]].round(3)
    mo.vstack([mo.md(attribution_sentences(attribution)), _fig, _numbers])
    return (attribution,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The feedback loop, and where each policy cuts it

    The end-to-end flow is **collect → preprocess → train → serve → feedback**, and
    the feedback is the next round's collected data. The policies differ only in
    *when* the feedback reaches the model:

    | policy | collect | train | serve | feedback reaches the model |
    |:---|:---|:---|:---|:---|
    | stale | yes | once | yes | never |
    | retrain | yes | every *N* days | yes | after up to *N* days |
    | event_tracker | yes, streamed | once (+ real-time folding in) | yes | at the next page view |

    ## 3b · Applications: onboarding, seasons, campaigns

    The same mechanism serves three business needs from the story:

    * **onboarding new customers**: a newcomer's first clicks personalise their next
      list only if those clicks reach the model (share of visits by new customers below;
      the exam's fallback check in section 4 measures it);
    * **seasonal trends**: purchases shift category with the season (weekly purchases
      by category in the bundled sample shop, below);
    * **reacting to a campaign**: a promotion shifts demand to one product line for a
      while; `ShopConfig.campaign` adds one to the simulated shop, and exam scenario 20
      plays it.
    """)
    return


@app.cell
def _():
    # the bundled sample shop: its own cell, so moving a control above never reloads it (nor re-runs
    # the cells below that use it)
    sample = load_sample()
    return (sample,)


@app.cell
def _(sample):
    _purchases = sample.interactions[sample.interactions[EVENT_TYPE] == "purchase"]
    _category = _purchases[ITEM_ID].map(sample.items.set_index(sample.items[ITEM_ID].astype(str))["CATEGORY_L1"])
    _week = pd.to_datetime(_purchases[TIMESTAMP], unit="s").dt.to_period("W").dt.start_time
    _by_category = pd.crosstab(_week, _category, normalize="index")
    _top = _by_category.mean().sort_values(ascending=False).index[:5]
    _fig, _left = plt.subplots(figsize=(7, 3.6))
    _by_category[_top].plot(ax=_left, marker="o")
    _left.set_ylabel("share of the week's purchases")
    _left.set_xlabel("week (bundled sample shop, late summer into autumn)")
    _left.set_title("Seasonal shift in what customers buy")
    _left.legend(title="category", fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(markers, means):
    _fig, _right = plt.subplots(figsize=(6, 3.6))
    plots.timeline(means[means["policy"] == "event_tracker"], "new_customer_share", by=None, markers=markers, rolling=7,
                   title="Visits by customers new since launch", ax=_right)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The exam question, answered with evidence

    This is the question behind the story (in the style of the AWS certification
    exams). Each option is played as `exam_scenarios/01_footwear_sales_decline.yaml`
    describes it, in one simulated shop, on paired seeds, against the no-recommendation
    run. The table judges uplift per visit over the last days, when the launch models
    are oldest; the checks judge what the key fixes that weekly retraining does not.
    In the marimo editor every seed of the file is played; as a script, the first one.
    """)
    return


@app.cell
def _():
    exam = next(s for s in load_scenarios() if s.id == "footwear-sales-decline")
    _seeds = exam.evidence.seeds if mo.running_in_notebook() else exam.evidence.seeds[:1]
    with mo.status.spinner(title=f"Playing the options on {len(_seeds)} seed(s) (cached runs come back at once) ..."):
        evidence = play_exam(exam, chart=True, seeds=_seeds)
    plt.close(evidence.figure)
    _checks = evidence.checks.round(3) if evidence.checks is not None else mo.md("")
    mo.vstack([mo.md(f"**{exam.question}**"), mo.md(wording.summary_markdown(evidence.summary())),
               evidence.table.round(3), _checks, evidence.figure])
    return evidence, exam


@app.cell
def _(evidence, exam):
    _values = evidence.table.set_index("option")["value"]
    _close = (f"Weekly retraining (C2) earned {_values['C2']:.2f} uplift per visit against the tracker's "
              f"{_values['B']:.2f} over the judged days, and one retrain (C) {_values['C']:.2f}."
              if {"B", "C", "C2"} <= set(_values.index) else "")
    exam_explained = pd.DataFrame(
        {
            "option": list(exam.options.values()),
            "played as": [exam.evidence.options[k].played_as if k in exam.evidence.options else
                          "not played: " + exam.evidence.not_played.get(k, "") for k in exam.options],
            "why": [exam.explanations[k] for k in exam.options],
        },
        index=pd.Index(list(exam.options), name="letter"),
    )
    mo.vstack([mo.md(f"**Key: {wording.letters(exam.correct)}.** {_close}"), exam_explained])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Three of the wrong options deserve a second look:

    * **one new solution version with USER_PERSONALIZATION (C)**: it brings the model
      up to the day it is trained, and then it ages again. Retraining on a schedule
      (C2, weekly) is good practice and the table shows how close it can come on
      revenue; what it cannot do is use the clicks of the visit in progress (the
      *last-hour share* check) or know a new customer before the next version (the
      *fallback* check). The event tracker does both, and the recorded events also
      feed the next training.
    * **EVENT_TYPE (D)**: domain dataset groups require `EVENT_TYPE`, and in a custom
      group it chooses which records train a model (the v2 recipes can weight event
      types). A stale model with a better schema is still stale.
    * **a custom SageMaker model (A)**: more expertise, more cost, and real-time serving
      to build yourself (an endpoint, a feature pipeline, an event stream). Trained
      once on the same history, it ages the same way. The managed service's value is
      that the tracker, the real-time updates and the scheduled training come built in.

    The choice between a managed service and a custom model is still a real one:

    | | managed (Amazon Personalize) | custom (e.g. a model trained and hosted on SageMaker) |
    |:---|:---|:---|
    | skills needed | data preparation and schemas; little ML | ML engineering end to end |
    | real time | event tracker and real-time recipes included, but only some recipes use events at once | you build it: event stream, feature updates, an endpoint and an API in front of it |
    | flexibility | the recipes and settings on offer | any algorithm, any data, any objective |
    | cost | pay per use; grows with data and traffic | setup, training and hosting, plus the team's time |
    | fits when | a standard recommendation problem, quickly | unusual requirements the recipes cannot express |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Dirty events do damage too

    Drift is the world moving; bad data is the pipeline lying about it. Below, a share
    of the bundled shop's training events is corrupted in one of three classic ways,
    a User-Personalization model is trained on the result, and it is scored on a clean
    Personalize-style holdout (NDCG@10):

    * **scrambled item ids**: a join bug attaches events to random shoes;
    * **millisecond timestamps**: a client sends 13-digit times; recency weighting
      then treats those events as coming from the far future and lets them dominate;
    * **event types lost**: every corrupted event arrives as `view`, so purchases stop
      counting more than glances.

    The loaders of chapter 01 refuse millisecond timestamps, and
    `workbench.ops.quality_by_period` flags them; the point here is what happens when
    nobody checks. Not all dirt hurts equally. Broken **time** is the worst for a
    recency-aware model: the corrupted events look like the newest ones by far and
    drown the rest. Label noise (scrambled ids, lost event types) moves the score much
    less here, often by no more than the evaluation's own noise (its standard error is
    printed under the chart), which is exactly why it goes unnoticed: a model can keep
    "working" while learning from a partly wrong log. Checks must catch it, because
    the metric will not.
    """)
    return


@app.cell
def _():
    corrupt_share = ui.slider(0.0, 0.6, value=0.2, step=0.05, label="share of training events corrupted")
    corrupt_share
    return (corrupt_share,)


@app.cell
def _(corrupt_share, sample):
    _holdout = personalize_holdout(sample.interactions, user_fraction=0.1, test_fraction=0.2, seed=42)
    _train = _holdout.fit_frame.reset_index(drop=True)
    _rng = np.random.default_rng(42)
    _rows = _rng.random(len(_train)) < float(corrupt_share.value)
    _catalog = sample.items[ITEM_ID].astype(str).to_numpy()
    corrupted = {
        "clean": _train,
        "scrambled item ids": _train.assign(**{ITEM_ID: np.where(_rows, _rng.choice(_catalog, len(_train)), _train[ITEM_ID])}),
        "millisecond timestamps": _train.assign(**{TIMESTAMP: np.where(_rows, _train[TIMESTAMP] * 1000, _train[TIMESTAMP])}),
        "event types lost": _train.assign(**{EVENT_TYPE: np.where(_rows, "view", _train[EVENT_TYPE])}),
    }
    _users = _holdout.test[USER_ID].unique()
    _scored = {
        name: evaluate(UserPersonalization().fit(frame, items=sample.items).recommend(_users, n=10), _holdout.test, k=10, metrics=["ndcg"])
        for name, frame in corrupted.items()
    }
    quality_scores = pd.Series({name: e.summary["NDCG@10"] for name, e in _scored.items()}, name="NDCG@10").round(4)
    _clean = _scored["clean"].per_user["NDCG@10"]
    _noise = mo.md(f"The clean holdout has {len(_clean)} customers; the standard error of its NDCG@10 "
                   f"(their spread / √{len(_clean)}) is {_clean.std(ddof=1) / np.sqrt(len(_clean)):.3f}, so a "
                   "change smaller than about twice that is within the evaluation's own noise.")
    _fig, _ax = plt.subplots(figsize=(8, 3.2))
    _ax.barh(quality_scores.index, quality_scores.to_numpy(), color=["tab:green"] + ["tab:red"] * (len(quality_scores) - 1))
    _ax.invert_yaxis()
    _ax.set_xlabel("NDCG@10 on the clean holdout")
    _ax.set_title(f"{float(corrupt_share.value):.0%} of training events corrupted")
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([quality_scores.to_frame(), _fig, _noise])
    return (corrupted,)


@app.cell
def _(corrupted, sample):
    _alerts = {  # volume_drop fires once on the clean log too: its last day ends six minutes after midnight
        name: quality_by_period(frame, known_items=sample.items[ITEM_ID].astype(str))["alerts"].replace("", np.nan).dropna().str.split(", ").explode().value_counts()
        for name, frame in corrupted.items()
    }
    quality_alerts = pd.DataFrame(_alerts).fillna(0).astype(int).T
    mo.vstack([mo.md("Days on which `quality_by_period` raised each alert, per corrupted log:"), quality_alerts if len(quality_alerts.columns) else mo.md("*no alerts*")])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · A bigger run

    The small shop above covers eight weeks. The full `footwear.yaml` shop runs 110
    days, from late summer into December, with more customers and shoes. In the marimo
    editor, press the button (it takes a while; a progress bar shows how long); as a
    script and in Jupyter the cell runs the small shop over the full 110 days. Both
    compare the stale model with retraining plus the tracker, as uplift per visit over
    the no-recommendation run of the same shop.
    """)
    return


@app.cell
def _():
    bigger = ui.run_button("Run the bigger shop")
    bigger
    return (bigger,)


@app.cell
def _(bigger, footwear, policy, small_shop):
    mo.stop(mo.running_in_notebook() and not ui.button_value(bigger), mo.md("*Press the button to run the bigger shop.*"))
    # editor: the full footwear shop; script / Jupyter / CI: the small shop over the full 110 days
    _full = dataclasses.replace(footwear.shop, slices_per_day=3)
    _shop = _full if mo.running_in_notebook() else dataclasses.replace(small_shop, days=footwear.shop.days)
    _daily = cached_comparison(_shop, {"stale": policy("stale"), "retrain+event_tracker": policy("retrain+event_tracker")},
                               progress=mo.running_in_notebook())
    _fig = plots.timeline(_daily, "uplift_per_visit", by="policy", markers=build_world(_shop).markers(), rolling=7,
                          title=f"{_shop.n_users} customers, {_shop.n_items} shoes, {_shop.days} days: uplift per visit")
    _fig.axes[0].axhline(0.0, color="0.4", linewidth=0.8)
    plt.close(_fig)
    mo.vstack([_fig, mo.md(story_sentences(_daily, "stale"))])
    return


if __name__ == "__main__":
    app.run()
