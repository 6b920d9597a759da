import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="07 · Drift: why recommended sales rise, then fall",
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
    from workbench.exam import judge, load_scenarios
    from workbench.exam.recipes import reduce_daily
    from workbench.metrics import evaluate
    from workbench.notebook_export import NOTEBOOK_DIR
    from workbench.ops import quality_by_period
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.sim import Policy, build_world, compare_policies, load_scenario
    from workbench.split import personalize_holdout

    pd.set_option("display.max_colwidth", 400)

    CONCEPTS = ["RT-01", "RT-04", "RT-05", "RT-06", "RT-08", "RT-09", "RT-10", "GN-01", "GN-21"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 07 · Drift: why recommended sales rise, then fall

    A footwear shop trains a recommender on its customers' purchase and browsing
    history. Right after launch, sales of recommended shoes go up. Some weeks later
    they fall, although nothing broke. What happened is **drift**: the world the model
    learned from moves on.

    * **seasons**: late summer turns into autumn and winter; sandals give way to boots;
    * **trends**: one brand suddenly becomes fashionable;
    * **campaigns**: a promotion shifts demand to one product line for two weeks;
    * **people**: tastes change a little every day, new customers arrive with no
      history, old ones lapse, new shoes enter the catalogue.

    This chapter plays that shop in the workbench's simulator
    (`data/scenarios/footwear.yaml`, shrunk so it runs in seconds) under several
    **policies**, i.e. ways of keeping the model in touch with the world. The
    simulator never scripts the sales curve: customers follow hidden, drifting tastes;
    the model sees only the Personalize-format event log it is allowed to see.
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
    |---|---|---|
    | `stale` | nothing: trained once at launch | one solution version, never retrained |
    | `retrain` | everything, but only every *N* days | a new FULL solution version on a schedule (automatic training defaults to every 7 days) |
    | `auto_update` | new items every 2 hours, via exploration | User-Personalization's automatic updates |
    | `event_tracker` | every event, within the next page view | `PutEvents` + a real-time recipe (User-Personalization) |
    | `retrain+event_tracker` | both | the recommended setup: tracker plus regular FULL training |

    The controls change the shop and the policies. *Drift strength* scales how fast
    tastes move and how strong the season and trend are; *exploration* is
    User-Personalization's `explorationWeight` (0 to 1); the *event-type weights*
    decide how much a purchase counts compared with a view when the model learns.
    """)
    return


@app.cell
def _():
    drift_strength = ui.slider(0.0, 2.0, value=1.0, step=0.25, label="drift strength (x)")
    retrain_days = ui.slider(1, 30, value=7, label="retrain every (days)")
    exploration = ui.slider(0.0, 1.0, value=0.3, step=0.05, label="exploration weight")
    weights = ui.dropdown(
        {
            "view 1, click 2, cart 4, purchase 8 (default)": None,
            "purchases dominate (view 0.2 ... purchase 20)": {"view": 0.2, "click": 1.0, "add_to_cart": 4.0, "purchase": 20.0},
            "every event counts the same": {"view": 1.0, "click": 1.0, "add_to_cart": 1.0, "purchase": 1.0},
        },
        value="view 1, click 2, cart 4, purchase 8 (default)",
        label="event-type weights",
    )
    ui.controls(drift_strength, retrain_days, exploration, weights, title="Shop and policies")
    return drift_strength, exploration, retrain_days, weights


@app.cell
def _(drift_strength, exploration, retrain_days, weights):
    footwear = load_scenario(NOTEBOOK_DIR.parent / "data" / "scenarios" / "footwear.yaml")
    _x = float(drift_strength.value)
    small_shop = dataclasses.replace(
        footwear.shop,
        n_users=400, n_items=80, days=60, warmup_days=14, slices_per_day=3, trend_shift_day=20,
        campaign={"start_day": 40, "days": 10, "category": "running", "boost": 0.4},
        taste_drift=footwear.shop.taste_drift * _x,
        season_strength=footwear.shop.season_strength * _x,
        trend_strength=footwear.shop.trend_strength * _x,
    )
    _params = {"event_weights": weights.value} if weights.value else {}

    def policy(kind: str, **extra) -> Policy:
        """A policy with this chapter's shared settings (exploration, weights, cadence)."""
        settings = {"kind": kind, "retrain_every_days": int(retrain_days.value), "model_params": dict(_params)}
        if extra.get("model", "user_personalization") == "user_personalization":  # only this model explores
            settings["exploration_weight"] = float(exploration.value)
        return Policy.from_dict({**settings, **extra})

    policies = {kind: policy(kind) for kind in ("stale", "retrain", "auto_update", "event_tracker", "retrain+event_tracker")}
    daily = compare_policies(small_shop, policies, progress=False)
    markers = build_world(small_shop).markers()
    mo.md(
        f"Shop: {small_shop.n_users} customers and {small_shop.n_items} shoes at the start, "
        f"{small_shop.warmup_days} days of history before launch, {small_shop.days} days with recommendations "
        f"from {daily['date'].min()} to {daily['date'].max()}. Drift events: "
        + "; ".join(f"day {r.day}: {r.label}" for r in markers.itertuples())
        + "."
    )
    return daily, footwear, markers, policy, small_shop


@app.cell
def _(daily, markers):
    _fig, _axes = plt.subplots(2, 2, figsize=(10, 6.8))  # fits the medium-width page
    for _ax, _metric, _title in zip(
        _axes.ravel(),
        ["revenue", "ndcg_at_10", "recall_at_10", "freshness_median_hours"],
        ["Revenue from recommended shoes", "NDCG@10 of served lists", "Recall@10 of served lists", "Age of the newest event a list could use (h)"],
    ):
        plots.timeline(daily, _metric, by="policy", markers=markers, rolling=7, title=_title, ax=_ax)
    _axes[1, 1].set_yscale("log")  # ages span minutes to weeks
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(daily):
    _early = daily[daily["day"] < 14].groupby("policy", sort=False)[["revenue", "ndcg_at_10", "recall_at_10"]].mean()
    _late = daily[daily["day"] >= daily["day"].max() - 13].groupby("policy", sort=False)[["revenue", "ndcg_at_10", "recall_at_10"]].mean()
    rise_and_fall = pd.concat({"first 2 weeks": _early, "last 2 weeks": _late}, axis=1).round(3)
    rise_and_fall[("change", "revenue")] = (rise_and_fall[("last 2 weeks", "revenue")] / rise_and_fall[("first 2 weeks", "revenue")] - 1).map("{:+.0%}".format)
    rise_and_fall[("", "median freshness (h)")] = daily.groupby("policy", sort=False)["freshness_median_hours"].median().round(1)
    rise_and_fall
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    How to read it. At launch every policy serves the same freshly trained model, so
    the lines start close together (daily numbers are noisy: the small shop has
    about 70 visits a day). The **stale** model then ages: each day it knows less
    about what customers want now, its lists match their next actions less (NDCG,
    recall), and revenue from recommendations sags after the season turns and the
    trend starts. **Retraining** pulls the model back up on each retrain day and lets
    it age again in between (set a long cadence such as 21 days to see the saw-tooth
    through the 7-day smoothing). **Auto-update** only helps with new items.
    The **event tracker** keeps every list within hours of the customer's latest
    behaviour (the freshness panel), so it follows the trend and the campaign as they
    happen; adding regular retraining on top also refreshes the long-term tastes.

    Move *drift strength* between 0 and 2. The stale model's decline gets steeper as
    tastes, seasons and the trend move faster, but it does not vanish at 0: customers
    still arrive and lapse, new shoes still arrive, and a shoe someone just bought
    loses its appeal to them. None of that is the model getting worse; the world it
    learned from simply is not the world any more.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The feedback loop, and where each policy cuts it

    The end-to-end flow is **collect → preprocess → train → serve → feedback**, and
    the feedback is the next round's collected data. The policies differ only in
    *when* the feedback reaches the model:

    | policy | collect | train | serve | feedback reaches the model |
    |---|---|---|---|---|
    | stale | yes | once | yes | never |
    | retrain | yes | every *N* days | yes | after up to *N* days |
    | event_tracker | yes, streamed | once (+ real-time folding in) | yes | at the next page view |

    ## 3 · Applications: onboarding, seasons, campaigns

    The same mechanism serves three business needs from the story:

    * **onboarding new customers**: a newcomer's first clicks personalise their next
      list only if those clicks reach the model (share of visits by new customers below);
    * **seasonal trends**: purchases shift category with the season (weekly purchases
      by category, from the event-tracker run's log);
    * **reacting to a campaign**: during the campaign window (marked in the charts)
      demand for one line jumps; a model that sees events follows it.
    """)
    return


@app.cell
def _(daily, markers):
    sample = load_sample()
    _purchases = sample.interactions[sample.interactions[EVENT_TYPE] == "purchase"]
    _category = _purchases[ITEM_ID].map(sample.items.set_index(sample.items[ITEM_ID].astype(str))["CATEGORY_L1"])
    _week = pd.to_datetime(_purchases[TIMESTAMP], unit="s").dt.to_period("W").dt.start_time
    _by_category = pd.crosstab(_week, _category, normalize="index")
    _top = _by_category.mean().sort_values(ascending=False).index[:5]
    _fig, (_left, _right) = plt.subplots(1, 2, figsize=(10, 3.6))
    _by_category[_top].plot(ax=_left, marker="o")
    _left.set_ylabel("share of the week's purchases")
    _left.set_xlabel("week (bundled sample shop, late summer into autumn)")
    _left.set_title("Seasonal shift in what customers buy")
    _left.legend(title="category", fontsize=8)
    plots.timeline(daily[daily["policy"] == "event_tracker"], "new_customer_share", by=None, markers=markers, rolling=7,
                   title="Visits by customers who arrived after launch", ax=_right)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return (sample,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The exam question, answered with evidence

    This is the question behind the story (in the style of the AWS certification
    exams). Each option is played in the same simulated shop as above, as
    `exam_scenarios/01_footwear_sales_decline.yaml` describes it; the table judges
    revenue from recommended shoes over the last days, when the launch models are
    oldest.
    """)
    return


@app.cell
def _(daily, policy, small_shop):
    exam = next(s for s in load_scenarios() if s.id == "footwear-sales-decline")
    _plan = exam.evidence
    _same_as_above = {  # options that are exactly a policy played in section 1: reuse those runs
        letter: play.config["kind"]
        for letter, play in _plan.options.items()
        if play.config in ({"kind": "stale", "model": "user_personalization"}, {"kind": "event_tracker", "model": "user_personalization"})
    }
    _frames, unplayable = [], {}
    for _letter, _play in _plan.options.items():
        if _letter in _same_as_above:
            _frames.append(daily[daily["policy"] == _same_as_above[_letter]].assign(policy=_letter))
            continue
        try:
            _frames.append(compare_policies(small_shop, {_letter: policy(**_play.config)}, progress=False))
        except ValueError as _problem:  # e.g. a model the installed simulator does not register
            unplayable[_letter] = str(_problem)
    exam_daily = pd.concat(_frames, ignore_index=True)
    _values = pd.Series(
        {_letter: reduce_daily(_days, _plan.metric, _plan.aggregate, _plan.last_days) for _letter, _days in exam_daily.groupby("policy")}
    ).reindex(list(_plan.options))
    exam_table = judge(_values, _plan, exam.correct)
    _notes = "".join(f"\n\n*Option {k} could not be played: {v}*" for k, v in unplayable.items())
    mo.vstack([mo.md(f"**{exam.question}**{_notes}"), exam_table.round(3)])
    return exam, exam_daily


@app.cell
def _(exam, exam_daily, markers):
    _fig = plots.timeline(exam_daily, "revenue", by="policy", markers=markers, rolling=7, title="Revenue from recommended shoes, one line per exam option")
    plt.close(_fig)
    exam_explained = pd.DataFrame(
        {
            "option": list(exam.options.values()),
            "played as": [exam.evidence.options[k].played_as for k in exam.options],
            "why": [exam.explanations[k] for k in exam.options],
        },
        index=pd.Index(list(exam.options), name="letter"),
    )
    mo.vstack([_fig, mo.md(f"**Key: {wording.letters(exam.correct)}**"), exam_explained])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Three of the wrong options deserve a second look:

    * **EVENT_TYPE (D)**: domain dataset groups require `EVENT_TYPE`, and in a custom
      group it chooses which records train a model (and the v2 recipes can weight event
      types). Switch the *event-type weights* control above: the weights move the curves
      a little, but a stale model stays stale. A better schema does not bring new
      behaviour into the model.
    * **one new solution version with USER_PERSONALIZATION (C)**: the recipe supports
      real-time updates, exploration and automatic updates, but only if events reach
      it. Retrained once and left alone, it ages like any other model.
    * **a custom SageMaker model (A)**: more expertise, more cost, and real-time serving
      to build yourself (an endpoint, a feature pipeline, an event stream). Trained
      once on the same history, it drifts the same way. The managed service's value is
      that the tracker, the real-time updates and the scheduled training come built in.

    The choice between a managed service and a custom model is still a real one:

    | | managed (Amazon Personalize) | custom (e.g. a model trained and hosted on SageMaker) |
    |---|---|---|
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
    less here, often by no more than the evaluation's own noise (about 0.01 with the
    ~185 held-out customers), which is exactly why it goes unnoticed: a model can keep
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
    quality_scores = pd.Series(
        {
            name: evaluate(UserPersonalization().fit(frame, items=sample.items).recommend(_users, n=10), _holdout.test, k=10, metrics=["ndcg"]).summary["NDCG@10"]
            for name, frame in corrupted.items()
        },
        name="NDCG@10",
    ).round(4)
    _fig, _ax = plt.subplots(figsize=(8, 3.2))
    _ax.barh(quality_scores.index, quality_scores.to_numpy(), color=["tab:green"] + ["tab:red"] * (len(quality_scores) - 1))
    _ax.invert_yaxis()
    _ax.set_xlabel("NDCG@10 on the clean holdout")
    _ax.set_title(f"{float(corrupt_share.value):.0%} of training events corrupted")
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([quality_scores.to_frame(), _fig])
    return (corrupted,)


@app.cell
def _(corrupted, sample):
    _alerts = {  # volume_drop also fires on the clean log: the sample shop has quiet days
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

    The small shop above covers two months. The full `footwear.yaml` shop runs 110
    days, from late summer into December, with more customers and shoes. In the marimo
    editor, press the button (it takes a while); as a script and in Jupyter the cell
    simply runs the small shop over the full 110 days. Both compare the two extremes.
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
    _daily = compare_policies(_shop, {"stale": policy("stale"), "retrain+event_tracker": policy("retrain+event_tracker")}, progress=mo.running_in_notebook())
    _fig = plots.timeline(_daily, "revenue", by="policy", markers=build_world(_shop).markers(), rolling=7,
                          title=f"{_shop.n_users} customers, {_shop.n_items} shoes, {_shop.days} days: revenue from recommended shoes")
    plt.close(_fig)
    _fig
    return


if __name__ == "__main__":
    app.run()
