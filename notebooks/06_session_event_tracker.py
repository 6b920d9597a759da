import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="06 · Sessions, recency and the event tracker",
)

with app.setup:
    import copy
    import json
    import tempfile
    import time
    from pathlib import Path

    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from matplotlib.patches import FancyBboxPatch

    from workbench import glossary, ui, wording
    from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.personalize import PersonalizeRuntime
    from workbench.recommenders.filters import exclude_purchased
    from workbench.recommenders.ease import EASE
    from workbench.recommenders.popularity import Popularity
    from workbench.recommenders.session import SessionRecency, recency_weights
    from workbench.recommenders.sims import SIMS
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.recommenders.user_segmentation import ItemAttributeAffinity

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["RT-02", "RT-03", "RT-04", "RT-07", "PZ-04", "PZ-07", "PZ-08", "GN-09", "GN-21", "DH-05", "DH-06"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 06 · Sessions, recency and the event tracker

    A model trained last night knows nothing about what the visitor clicked a minute
    ago. Yet the last few clicks are often the best clue to what the visitor wants
    *now*. Three ideas close that gap:

    * an **event tracker** records clicks, views and purchases as they happen
      (Personalize: `PutEvents`) and hands them to the deployed model;
    * a model that supports **real-time updates** folds those events into its next
      answer, within seconds, without retraining (Personalize: the
      User-Personalization recipes, Personalized-Ranking, Recommended for you);
    * **recency** and **session** modelling weigh what was clicked *recently*, in
      *this* visit, more than what was clicked months ago.

    Models without real-time updates (SIMS, Popularity-Count, similar items) store the
    events and learn from them only at the next training.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["event tracker", "campaign", "session", "recency", "real-time recommendation", "batch recommendation", "user segment", "feedback loop"])
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The loop, end to end

    **user interaction → event tracker → recommender → updated recommendations → UI**,
    and round again. The boxes below are the workbench objects that play each part;
    the numbers are measured in the cells further down (in-process here; on AWS a
    network call each).
    """)
    return


@app.cell
def _():
    sample = load_sample()
    catalog = sample.items.set_index(sample.items[ITEM_ID].astype(str))

    catalog_category = catalog["CATEGORY_L1"].astype(str)

    def labelled(items) -> list[str]:
        """'I00074 · sneakers' for each item id: the id with its category."""
        return [f"{i} · {catalog['CATEGORY_L1'].get(i, '?')}" for i in items]

    _started = time.perf_counter()
    trained = {
        "UserPersonalization": UserPersonalization().fit(sample.interactions, items=sample.items),
        "SessionRecency": SessionRecency().fit(sample.interactions, items=sample.items),
        "Popularity": Popularity().fit(sample.interactions, items=sample.items),
        "SIMS": SIMS().fit(sample.interactions, items=sample.items),
    }
    training_seconds = time.perf_counter() - _started
    realtime_table = pd.DataFrame(
        {name: {"real-time updates": type(model).realtime, "answers for": "an item" if name == "SIMS" else "a user"} for name, model in trained.items()}
    ).T
    realtime_table
    return catalog, catalog_category, labelled, sample, trained, training_seconds


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Click, and watch the lists

    One customer, four campaigns behind one event tracker. Choose what the customer
    clicks: a category and how many of its shoes (one event each, a minute apart).
    Every click goes through `put_events` exactly as an app would send it; after each
    click every campaign is asked again. SIMS answers "customers who viewed the first
    clicked shoe also viewed ...", so it is asked with that `itemId` (held fixed: asked
    about each new click instead, its answer would change at every click without any
    retraining). The event type matters only to `UserPersonalization`, which here uses the
    workbench's default weights (view 1, click 2, cart 4, purchase 8); the other models
    treat every event alike. (The service's User-Personalization v1 weighs all types the
    same; per-type weights need v2 with an events configuration.) These clicks carry no
    list; an event that also passes the `recommendationId` of the list it came from tells
    User-Personalization what was shown and passed over (impressions, chapter 11).
    """)
    return


@app.cell
def _(sample):
    _categories = sorted(sample.items["CATEGORY_L1"].astype(str).unique())
    click_category = ui.dropdown(_categories, value="running" if "running" in _categories else _categories[0], label="customer clicks shoes of")
    n_clicks = ui.slider(0, 6, value=4, label="number of clicks")
    event_kind = ui.dropdown(["click", "view", "add_to_cart", "purchase"], value="click", label="event type")
    ui.controls(click_category, n_clicks, event_kind, title="The customer's next events")
    return click_category, event_kind, n_clicks


@app.cell
def _(catalog, click_category, event_kind, n_clicks, sample, trained):
    runtime = PersonalizeRuntime()
    group = runtime.create_dataset_group(name="shoe-shop")["datasetGroupArn"]
    tracking_id = runtime.create_event_tracker(name="web-and-app", datasetGroupArn=group)["trackingId"]
    campaigns = {
        name: runtime.deploy(
            copy.deepcopy(model), name=name.lower(), datasetGroupArn=group,
            recipe_type="RELATED_ITEMS" if name == "SIMS" else "USER_PERSONALIZATION",
        )
        for name, model in trained.items()
    }
    _counts = sample.interactions[USER_ID].value_counts()
    customer = str(_counts.index[len(_counts) // 2])  # a customer of median activity
    _seen = set(sample.interactions.loc[sample.interactions[USER_ID] == customer, ITEM_ID])
    _popular_first = sample.interactions[ITEM_ID].value_counts().index  # shoes people actually look at
    _pool = [i for i in _popular_first if catalog["CATEGORY_L1"].get(i) == click_category.value and i not in _seen]
    clicked = _pool[: int(n_clicks.value)]
    _anchor = clicked[0] if clicked else _pool[0]
    _now = int(sample.interactions[TIMESTAMP].max()) + 600

    def ask(name: str, **request) -> list[str]:
        """Top 10 of one campaign for the customer (SIMS: for the anchor item); ``request`` adds e.g. a filterArn."""
        target = {"itemId": _anchor} if name == "SIMS" else {"userId": customer}
        answer = runtime.get_recommendations(campaignArn=campaigns[name].campaign_arn, numResults=10, **target,
                                             **request)
        return [entry["itemId"] for entry in answer["itemList"]]

    lists_by_step = {0: {name: ask(name) for name in campaigns}}
    put_seconds, get_seconds = [], []
    for _step, _item in enumerate(clicked, start=1):
        _t = time.perf_counter()
        runtime.put_events(
            trackingId=tracking_id, userId=customer, sessionId="visit-1",
            eventList=[{"eventType": event_kind.value, "itemId": _item, "sentAt": _now + 60 * _step}],
        )
        put_seconds.append(time.perf_counter() - _t)
        _t = time.perf_counter()
        lists_by_step[_step] = {name: ask(name) for name in campaigns}
        get_seconds.append((time.perf_counter() - _t) / len(campaigns))
    _last = lists_by_step[len(clicked)]
    _first = lists_by_step[0]
    # a campaign does not hide what the customer already interacted with (only a filter does): say so when it
    # shows, and ask the user campaigns again with that filter
    _users_asked = [n for n in campaigns if n != "SIMS"]
    _hide = runtime.create_filter(name="hide-tracked", datasetGroupArn=group,
                                  filterExpression=str(exclude_purchased(event_kind.value)))["filterArn"]
    filtered_lists = {n: ask(n, filterArn=_hide) for n in _users_asked}
    _echo = wording.echo_sentence({n: _last[n] for n in _users_asked}, clicked, event_kind.value, filtered_lists)
    mo.md(
        wording.event_sentence(customer, event_kind.value, clicked, click_category.value)
        + "  \n"
        + "; ".join(f"**{n}** {'changed' if _first[n] != _last[n] else 'did not change'}" for n in campaigns)
        + "."
        + (f"  \n{_echo} The chart below leaves them out." if _echo else "")
    )
    return (campaigns, clicked, customer, filtered_lists, get_seconds, group, lists_by_step, put_seconds, runtime,
            tracking_id)


@app.cell
def _(clicked, labelled, lists_by_step):
    _final = lists_by_step[len(clicked)]
    before_after = pd.DataFrame(
        {
            f"{name} {moment}": labelled(lists[name])
            for name in lists_by_step[0]
            for moment, lists in (("before", lists_by_step[0]), ("after", _final))
        },
        index=pd.RangeIndex(1, 11, name="rank"),
    )
    before_after
    return


@app.cell
def _(catalog, click_category, clicked, lists_by_step):
    _fig, _ax = plt.subplots(figsize=(8, 3.6))
    _clicked = set(clicked)
    for _name in lists_by_step[0]:
        # the clicked shoes themselves are left out: a list that echoes the clicks back has not learned anything
        _share = [np.mean([catalog["CATEGORY_L1"].get(i) == click_category.value for i in lists_by_step[s][_name] if i not in _clicked] or [np.nan]) for s in lists_by_step]
        _ax.plot(list(lists_by_step), _share, marker="o", label=_name)
    _ax.axhline(float(np.mean(catalog["CATEGORY_L1"] == click_category.value)), color="gray", linestyle=":", label="share of the catalogue")
    _ax.set_xlabel("events sent so far")
    _ax.set_ylabel(f"share {click_category.value}\n(clicked shoes left out)")
    _ax.set_ylim(-0.05, 1.05)
    _ax.set_xticks(list(lists_by_step))
    _ax.set_title("User models change with each event; Popularity never;\nSIMS only when asked about another item", fontsize=10)
    _ax.legend(fontsize=8)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(get_seconds, put_seconds, training_seconds):
    _fig, _ax = plt.subplots(figsize=(10, 2.9))
    _ax.set_xlim(0, 10)
    _ax.set_ylim(-0.5, 2)
    _ax.axis("off")
    # the first call of a fresh process pays for warming up (caches, first allocations): left out when there are more
    _median = lambda values: (f"{1000 * float(np.median(values[1:] if len(values) > 1 else values)):.1f} ms"  # noqa: E731
                              + (" (1st call left out)" if len(values) > 1 else " (one call, with warm-up)")) if values else "n/a"
    _boxes = [
        ("customer clicks\nin the app (UI)", ""),
        ("event tracker\nput_events", _median(put_seconds)),
        ("model.update\n(real-time models)", "inside put_events"),
        ("campaign\nget_recommendations", _median(get_seconds)),
        ("new list\nshown in the UI", ""),
    ]
    for _k, (_label, _cost) in enumerate(_boxes):
        _x = 0.2 + 2.0 * _k
        _ax.add_patch(FancyBboxPatch((_x, 0.8), 1.6, 0.9, boxstyle="round,pad=0.05", facecolor="#e8f0fe", edgecolor="#1a73e8"))
        _ax.text(_x + 0.8, 1.25, _label, ha="center", va="center", fontsize=8)
        _ax.text(_x + 0.8, 0.6, _cost, ha="center", va="center", fontsize=7, color="gray")
        if _k < len(_boxes) - 1:
            _ax.annotate("", xy=(_x + 2.0, 1.25), xytext=(_x + 1.65, 1.25), arrowprops={"arrowstyle": "->"})
    # the loop back runs below the cost labels: from the last box's bottom to the first box's
    _ax.annotate("", xy=(1.0, 0.4), xytext=(9.0, 0.4), arrowprops={"arrowstyle": "->", "connectionstyle": "arc3,rad=-0.12", "color": "gray"})
    _ax.text(5, -0.38, f"next visit: feedback loop (full retraining of all four models here took {training_seconds:.1f} s)", ha="center", fontsize=8, color="gray")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Recency: the last click counts most

    `SessionRecency` is the commercial solution's "real-time personal recommendation
    from the latest clicks": it takes the visitor's most recent distinct items and
    weighs the $p$-th most recent by $0.5^{p/h}$ ($p = 0$ is the newest, $h$ the
    half-life), then scores every shoe by how often it shared a session with those
    items, relative to how common each shoe is (a cosine: shared sessions divided by
    the square root of the two shoes' session counts). Personalize's User-Personalization recipes weigh recency too (the
    `recency_mask` hyperparameter of v1 and `apply_recency_bias` of v2, both on by
    default): interest shown recently says more than interest shown long ago. Move the
    half-life and watch the weights and the list for the clicks above (sent as an
    anonymous session, no history). With one click or none there is nothing to weigh,
    so the list cannot move with the half-life.
    """)
    return


@app.cell
def _():
    half_life = ui.slider(0.5, 10.0, value=2.0, step=0.5, label="half-life (clicks back)")
    half_life
    return (half_life,)


@app.cell
def _(catalog, clicked, half_life, sample):
    _weights = recency_weights(10, float(half_life.value))
    _model = SessionRecency(half_life=float(half_life.value)).fit(sample.interactions, items=sample.items)
    mo.stop(not clicked, mo.md("No clicks above: set **number of clicks** to 1 or more to see a session list."))
    _session = list(clicked)
    _recs = _model.recommend(["anonymous visitor"], n=8, session=_session)
    session_table = pd.DataFrame(
        {"item": _recs[ITEM_ID], "category": _recs[ITEM_ID].map(catalog["CATEGORY_L1"]), "why": [_model.explain("anonymous visitor", i, session=_session) for i in _recs[ITEM_ID]]}
    )
    _fig, _ax = plt.subplots(figsize=(6, 2.6))
    _ax.bar(range(10), _weights, color="tab:purple")
    _ax.set_xlabel("position back in the session (0 = newest)")
    _ax.set_ylabel("weight")
    _ax.set_title(f"Recency weights with half-life {float(half_life.value):g}")
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([_fig, mo.md(f"Session (oldest → newest): {', '.join(_session)}"), session_table])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Session models and deep learning

    Session-based recommendation treats a visit as a *sequence* and predicts the next
    item. Deep sequence models (recurrent networks, Transformers) learn this from
    millions of sessions; Personalize's current User-Personalization-v2 recipe is
    Transformer-based (its older HRNN recipes are retired). The workbench's
    `SessionRecency` (co-occurrence plus recency) and `UserPersonalization` (latent
    factors plus a session vector) are small, inspectable stand-ins. They weigh recency
    on different clocks: `SessionRecency` counts clicks back, so the newest click moves
    its list most; `UserPersonalization`'s session vector halves every 60 minutes, so
    clicks a minute apart count almost equally and their order barely matters.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Time signals: dwell and scroll

    Besides *what* was clicked, the log can say *how long* the visitor stayed on a
    product page and *how far* they scrolled (the shop logs `DWELL_SECONDS` and
    `SCROLL_DEPTH` with each view and click). Long looks predict purchases: below, the share of
    viewed (customer, shoe) pairs that ended in a purchase, by the longest dwell time
    of those views. An app sends such signals as event `properties`
    (`{"dwellSeconds": 42}` becomes the `DWELL_SECONDS` column, which the
    interactions schema must declare).
    """)
    return


@app.cell
def _(sample):
    _events = sample.interactions
    _views = _events[_events[EVENT_TYPE] == "view"].groupby([USER_ID, ITEM_ID])[["DWELL_SECONDS", "SCROLL_DEPTH"]].max()
    _bought = _events[_events[EVENT_TYPE] == "purchase"].set_index([USER_ID, ITEM_ID]).index.unique()
    _views["purchased"] = _views.index.isin(_bought)
    _views["dwell band"] = pd.qcut(_views["DWELL_SECONDS"], 5, duplicates="drop", precision=1)  # (2.6, 16.3], not 2.699...
    dwell_table = _views.groupby("dwell band", observed=True).agg(
        pairs=("purchased", "size"), purchase_rate=("purchased", "mean"), mean_scroll_depth=("SCROLL_DEPTH", "mean")
    ).round(3)
    _fig, _ax = plt.subplots(figsize=(7, 3))
    _ax.bar([f"{b.left:g}-{b.right:g}" for b in dwell_table.index], dwell_table["purchase_rate"].to_numpy(),
            color="tab:green")
    _ax.set_xlabel("longest view of the shoe (seconds)")
    _ax.set_ylabel("share bought")
    _ax.set_title("Longer looks, more purchases")
    _ax.tick_params(axis="x", labelsize=7)
    _fig.tight_layout()
    plt.close(_fig)
    mo.vstack([dwell_table, _fig])
    return


@app.cell
def _(customer, group, runtime, sample, tracking_id):
    runtime.put_events(
        trackingId=tracking_id, userId=customer, sessionId="visit-1",
        eventList=[{"eventType": "view", "itemId": str(sample.items[ITEM_ID].iloc[3]), "sentAt": int(sample.interactions[TIMESTAMP].max()) + 7200,
                    "properties": '{"dwellSeconds": 42.5, "scrollDepth": 0.8}'}],
    )
    tracked_tail = runtime.tracker(group).events.tail(3)  # the last row carries the two properties
    wording.with_dates(tracked_tail)
    return (tracked_tail,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · An anonymous visitor who signs in

    A visitor who is not logged in has no userId. The app sends their events with only
    a `sessionId`, and asks for recommendations with the sessionId *as* the userId: a
    real-time model personalises at once. For training, those anonymous events are set
    aside until one event of the session carries both the sessionId and a userId;
    the next full retraining then attributes the whole session to that user.
    """)
    return


@app.cell
def _(campaigns, catalog, clicked, group, runtime, sample, tracked_tail, tracking_id):
    assert len(tracked_tail), "runs after the properties example, so the tracker log is in a known state"
    _tracker = runtime.tracker(group)
    _session = "anon-session-7"
    _items = list(clicked[:2]) or list(catalog.index[:2])
    _now = int(sample.interactions[TIMESTAMP].max()) + 3600
    _arn = campaigns["UserPersonalization"].campaign_arn
    _steps = []
    runtime.put_events(trackingId=tracking_id, sessionId=_session, eventList=[{"eventType": "click", "itemId": i, "sentAt": _now + k} for k, i in enumerate(_items)])
    _list = [e["itemId"] for e in runtime.get_recommendations(campaignArn=_arn, userId=_session, numResults=5)["itemList"]]
    _steps.append({"step": "2 clicks with sessionId only", "recommendations for userId=sessionId": ", ".join(_list),
                   "events set aside for training": len(_tracker.excluded_from_training())})
    runtime.put_events(trackingId=tracking_id, userId="U-new-signup", sessionId=_session,
                       eventList=[{"eventType": "purchase", "itemId": _items[0], "sentAt": _now + 60}])
    _training = _tracker.interactions_for_training()
    _steps.append({"step": "signs in and buys (sessionId + userId)", "recommendations for userId=sessionId": "",
                   "events set aside for training": len(_tracker.excluded_from_training())})
    anonymous_steps = pd.DataFrame(_steps).set_index("step")
    mo.vstack([
        anonymous_steps,
        mo.md(f"Session links: `{_tracker.session_links()}`. Rows the next retraining attributes to `U-new-signup`:"),
        _training[_training[USER_ID] == "U-new-signup"],
    ])
    return (anonymous_steps,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Bulk history plus live events in one model

    Personalize trains on the bulk-imported interactions **and** the events the tracker
    recorded since; bulk data imported later reaches a model only at its next
    training, while tracked events reach real-time models at once. `Campaign.retrain`
    trains a new solution version on both and deploys it to the same campaign; on AWS
    that takes an `UpdateCampaign` call (or a campaign on `$LATEST` with
    `syncWithLatestSolutionVersion`), since a new version is not served until then.
    """)
    return


@app.cell
def _(anonymous_steps, campaigns, group, runtime):
    assert len(anonymous_steps), "runs after the anonymous-session example (same tracker)"
    _campaign = campaigns["SIMS"]
    _tracker = runtime.tracker(group)
    _bulk = len(_campaign.training_interactions)
    _live = len(_tracker.interactions_for_training())
    _version_before = _campaign.solution_version
    _campaign.retrain()
    retrain_table = pd.Series(
        {
            "bulk interactions (first training)": _bulk,
            "tracked events usable for training": _live,
            "interactions in the retrained version": len(_campaign.model.interactions_),
            "solution version": f"{_version_before} → {_campaign.solution_version}",
        }
    ).to_frame("SIMS campaign")
    retrain_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7 · Batch, real-time, and both

    | serving | how | good for | limits |
    |:---|:---|:---|:---|
    | **batch** | score all users at once (Personalize: batch inference job, S3 in and out, no campaign) | e-mails, nightly pages, cheap at scale | stale until the next run |
    | **real-time** | one request per page view (`GetRecommendations` on a campaign) | reacting to this visit | a campaign costs provisioned capacity |
    | **hybrid** | a batch job prepares candidates; a real-time call re-ranks them with the latest events | big catalogues, fresh order | two systems to run |

    The hybrid below: last night's batch (EASE) produced 12 candidates for the
    customer; a Personalized-Ranking campaign re-ranks them live, before and after the
    customer's clicks (`get_personalized_ranking(userId=, inputList=)`). Re-ranking can
    only reorder what the batch chose: if none of the candidates belongs to the clicked
    category, the clicks can shuffle them but not bring that category in.
    """)
    return


@app.cell
def _(clicked, customer, event_kind, labelled, sample, trained):
    _batch = EASE().fit(sample.interactions).recommend([customer], n=12)[ITEM_ID].tolist()
    _runtime = PersonalizeRuntime()
    _group = _runtime.create_dataset_group(name="hybrid")["datasetGroupArn"]
    _tracking = _runtime.create_event_tracker(name="hybrid-tracker", datasetGroupArn=_group)["trackingId"]
    _ranker = _runtime.deploy(copy.deepcopy(trained["UserPersonalization"]), name="ranker", datasetGroupArn=_group, recipe_type="PERSONALIZED_RANKING")

    def _ranked() -> list[str]:
        answer = _runtime.get_personalized_ranking(campaignArn=_ranker.campaign_arn, userId=customer, inputList=_batch)
        return [e["itemId"] for e in answer["personalizedRanking"]]

    _before = _ranked()
    _now = int(sample.interactions[TIMESTAMP].max()) + 600
    if clicked:
        _runtime.put_events(trackingId=_tracking, userId=customer, sessionId="visit-1",
                            eventList=[{"eventType": event_kind.value, "itemId": i, "sentAt": _now + k} for k, i in enumerate(clicked[:10])])
    _after = _ranked()
    hybrid_table = pd.DataFrame(
        {
            "batch order (EASE, last night)": labelled(_batch),
            "re-ranked live, before clicks": labelled(_before),
            "re-ranked live, after clicks": labelled(_after),
        },
        index=pd.RangeIndex(1, len(_batch) + 1, name="rank"),
    )
    hybrid_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### The reverse question: which customers for a kind of shoe?

    Batch inference answers "which shoes for each customer?". A marketing e-mail about one
    category asks the reverse: "which customers for these shoes?". In Personalize that is a
    **USER_SEGMENTATION** solution version (Item-Affinity for item ids, Item-Attribute-Affinity
    for attribute queries such as a category or a brand) and a **batch segment job**: one JSON
    line per query in, the customers from most to least likely to interact out. There is no
    campaign and no real-time call. A **user filter** (`INCLUDE UserID WHERE Users.SEGMENT IN
    ($GROUP)`) keeps only the customers of one group, its value sent on the input line. Below, the workbench plays the job on a local folder
    standing in for S3. Exam question 23 plays this choice against a batch inference job and
    judges both on what customers buy afterwards.
    """)
    return


@app.cell
def _(sample):
    _categories = sorted(sample.items["CATEGORY_L1"].astype(str).unique())
    segment_category = ui.dropdown(_categories, value="hiking" if "hiking" in _categories else _categories[0],
                                   label="e-mail about")
    segment_size = ui.slider(5, 30, value=10, step=5, label="customers in the segment")
    segment_only = ui.dropdown(["everyone", *sorted(sample.users["SEGMENT"].astype(str).unique())], value="everyone",
                               label="only customers of the group (a user filter)")
    ui.controls(segment_category, segment_size, segment_only, title="A batch segment job")
    return segment_category, segment_only, segment_size


@app.cell
def _(sample):
    # trained once: moving the controls below only runs the job again
    segment_model = ItemAttributeAffinity().fit(sample.interactions, items=sample.items, users=sample.users)
    return (segment_model,)


@app.cell
def _(catalog_category, sample, segment_category, segment_model, segment_only, segment_size):
    _query = f'ITEMS.CATEGORY_L1 = "{segment_category.value}"'
    _line = {"itemAttributes": _query}
    with tempfile.TemporaryDirectory(prefix="workbench-s3-") as _root:
        _runtime = PersonalizeRuntime(s3_root=_root)
        _group = _runtime.create_dataset_group(name="segment-mail")["datasetGroupArn"]
        _version = _runtime.create_solution_version(segment_model, name="segments", datasetGroupArn=_group)["solutionVersionArn"]
        _filter = {}
        if segment_only.value != "everyone":  # a user filter; its value travels on the input line
            _filter = {"filterArn": _runtime.create_filter(
                name="one-group", datasetGroupArn=_group,
                filterExpression="INCLUDE UserID WHERE Users.SEGMENT IN ($GROUP)")["filterArn"]}
            _line["filterValues"] = {"GROUP": f'"{segment_only.value}"'}
        _input = Path(_root) / "shop-bucket" / "segments" / "queries.json"
        _input.parent.mkdir(parents=True)
        _input.write_text(json.dumps(_line) + "\n", encoding="utf-8")
        _job = _runtime.create_batch_segment_job(
            jobName="category-mail", solutionVersionArn=_version, numResults=segment_size.value,
            roleArn="arn:aws:iam::000000000000:role/PersonalizeBatch",
            jobInput={"s3DataSource": {"path": "s3://shop-bucket/segments/queries.json"}},
            jobOutput={"s3DataDestination": {"path": "s3://shop-bucket/segments/out/"}}, **_filter)
        _described = _runtime.describe_batch_segment_job(batchSegmentJobArn=_job["batchSegmentJobArn"])["batchSegmentJob"]
        _answer = json.loads(Path(_described["outputFiles"][0]).read_text(encoding="utf-8").splitlines()[0])
    _users = _answer["output"]["recommendedUsers"]
    _events = sample.interactions.assign(**{USER_ID: sample.interactions[USER_ID].astype(str)})
    _in_category = _events[ITEM_ID].astype(str).map(catalog_category) == segment_category.value
    _group_of = sample.users.set_index(sample.users[USER_ID].astype(str))["SEGMENT"]
    segment_table = pd.DataFrame({
        "customer": _users,
        "group": [_group_of.get(u, "?") for u in _users],
        "events on the category": [int(((_events[USER_ID] == u) & _in_category).sum()) for u in _users],
        "events in all": [int((_events[USER_ID] == u).sum()) for u in _users],
    }, index=pd.RangeIndex(1, len(_users) + 1, name="rank"))
    mo.vstack([
        mo.md(f"Input line: `{json.dumps(_line)}`  \n"
              f"Output line: `{json.dumps(_answer)[:160]}...`  \n"
              f"The job read {_described['linesRead']} line and answered {_described['linesAnswered']}."),
        segment_table,
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 8 · What User-Personalization adds over a one-off retrain

    The recipe behind the real-time campaign (the workbench's `UserPersonalization`
    imitates its behaviour, not its network):

    * **real-time updates**: tracked events change the next list within seconds (above);
    * **exploration**: new items with little data are mixed into lists (v1:
      `explorationWeight`, default 0.3; `explorationItemAgeCutOff`, default 30 days; v2
      configures exploration itself, and a promotion on the creation timestamp makes
      sure new items appear);
    * **automatic updates** every two hours bring new items into the candidate set
      without a new solution version; a weekly full retraining is still advised.

    A one-off retrain does none of this between trainings: every event since the last
    training is invisible. Chapter 07 shows what that does to a shop over months.
    """)
    return


if __name__ == "__main__":
    app.run()
