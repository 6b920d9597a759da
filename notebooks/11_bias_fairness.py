import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="11 · Cold start, popularity bias, diversity and fairness",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import CREATION_TIMESTAMP, ITEM_ID, RANK, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.metrics import (
        average_popularity,
        catalog_coverage,
        catalog_items,
        evaluate,
        exposure_fairness,
        gini_exposure,
        intra_list_diversity,
        novelty,
    )
    from workbench.recommenders import (
        EASE,
        ContentBased,
        DemographicPopularity,
        ItemKNN,
        Popularity,
        RandomItems,
        include_category,
        mmr_rerank,
        novelty_rerank,
    )
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.preprocess import remove_items
    from workbench.sim import (
        IMPRESSIONS_SHOP,
        Policy,
        ScenarioConfig,
        ShopConfig,
        compare_impressions,
        impressions_sentences,
        long_tail_table,
        run_scenario,
    )
    from workbench.split import temporal_split

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["GN-13", "GN-14", "GN-15", "GN-16", "PZ-01"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 11 · Cold start, popularity bias, diversity and fairness

    A model that scores well offline can still serve the shop badly:

    * it has nothing to say about a **new customer** or a **new product** (cold start);
    * it keeps showing the **best-sellers** everyone already knows (popularity bias),
      so the long tail of the catalog is seldom shown, and gets fewer of the
      interactions it would need to be recommended later;
    * its lists are **near-duplicates** of one another (low diversity);
    * some brands or price bands get far less exposure than their share of the
      catalog (unfair exposure), and some groups of customers get worse lists.

    This chapter measures each problem on the bundled shop and tries the usual
    remedies: metadata and onboarding for cold start, **exploration** (Personalize's
    `explorationWeight`), and **re-ranking** for diversity and novelty, checking what it
    does to the exposure of item groups.
    Every model is trained on the oldest 80 % of the events and judged on the newest 20 %.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(
            ["cold start", "sparsity", "exploration", "exploitation", "impression", "popularity bias", "diversity", "novelty", "fairness"]
        )
    )
    return


@app.cell
def _():
    shop = load_sample()
    split = temporal_split(shop.interactions, test_fraction=0.2)
    train_end = int(split.train[TIMESTAMP].max())
    _known_users = set(split.train[USER_ID])
    _test_users = pd.unique(split.test[USER_ID])
    new_users = [u for u in _test_users if u not in _known_users]
    cold_summary = pd.Series(
        {
            "users in the test period": len(_test_users),
            "of whom new (no training event)": len(new_users),
            "items in the catalog": len(shop.items),
            "items never seen in training": int((~shop.items[ITEM_ID].isin(split.train[ITEM_ID])).sum()),
            "training ends (UTC)": str(pd.to_datetime(train_end, unit="s")),
        }
    ).to_frame("value")
    cold_summary
    return new_users, shop, split, train_end


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Item cold start: launch day

    The sample shop adds products slowly, so we stage a launch: the slider picks how
    many products are **launched today**. Their training interactions are removed and
    their `CREATION_TIMESTAMP` is set to the end of training, so for every model they
    are brand new; in the test weeks customers do interact with them.

    * **Popularity**, **ItemKNN** and **EASE** learn only from interactions: a product
      without any cannot be ranked.
    * **ContentBased** compares descriptions, categories and image features, so it can
      recommend a new product on its first day (GN-05 explains how).
    * **UserPersonalization** (the workbench's stand-in for the recipe) adds an
      **exploration** bonus to young items with little data, so some new products reach
      lists on purpose, to learn whether customers like them.

    Two **random** rows are the yardsticks: ten products drawn from the whole catalogue,
    and ten drawn from today's launches only. `NDCG@10 (other events)` scores the lists
    on the test events with products that were not launched, which is what spending
    slots on new products costs.
    """)
    return


@app.cell
def _():
    launch_count = ui.slider(5, 60, value=20, step=5, label="products launched today")
    launch_count
    return (launch_count,)


@app.cell
def _(launch_count, shop, split, train_end):
    _rng = np.random.default_rng(11)
    launched = set(_rng.choice(shop.items[ITEM_ID].to_numpy(), size=int(launch_count.value), replace=False))
    # their events go, and so do their mentions in other events' IMPRESSION lists: new products were never shown
    launch_train = remove_items(split.train, launched)
    launch_items = shop.items.copy()
    launch_items.loc[launch_items[ITEM_ID].isin(launched), CREATION_TIMESTAMP] = train_end
    test_users = pd.unique(split.test[USER_ID])
    launch_models = {
        "Popularity": Popularity(),
        "ItemKNN": ItemKNN(),
        "EASE": EASE(),
        "ContentBased": ContentBased(),
        "UserPersonalization": UserPersonalization(),
        "Random (whole catalogue)": RandomItems(),
        "Random launched products": RandomItems(candidates=tuple(sorted(launched))),
    }
    launch_recs = {}
    for _name, _model in launch_models.items():
        _model.fit(launch_train, items=launch_items, users=shop.users)
        launch_recs[_name] = _model.recommend(test_users, n=10)
    _truth_new = split.test[split.test[ITEM_ID].isin(launched)]
    _truth_old = split.test[~split.test[ITEM_ID].isin(launched)]
    launch_table = pd.DataFrame(
        {
            _name: {
                "launched share of slots": _recs[ITEM_ID].isin(launched).mean(),
                "lists with a launched item": _recs.assign(_n=_recs[ITEM_ID].isin(launched))
                .groupby(USER_ID)["_n"]
                .any()
                .mean(),
                "Recall@10 (launched)": evaluate(_recs, _truth_new, k=10, metrics=["recall"]).summary.iloc[0]
                if len(_truth_new)
                else np.nan,
                "NDCG@10 (all events)": evaluate(_recs, split.test, k=10, metrics=["ndcg"]).summary.iloc[0],
                "NDCG@10 (other events)": evaluate(_recs, _truth_old, k=10, metrics=["ndcg"]).summary.iloc[0],
            }
            for _name, _recs in launch_recs.items()
        }
    ).T.round(3)
    launch_table
    return launch_items, launch_models, launch_recs, launch_train, launched, test_users


@app.cell
def _(launch_table):
    _models = launch_table.drop(index=["Random (whole catalogue)", "Random launched products"])
    _share = _models["launched share of slots"]
    _blind = [name for name, value in _share.items() if value == 0]
    _random = launch_table.loc["Random launched products"]
    _aim = (_models["Recall@10 (launched)"] / _share).where(_share > 0).dropna()  # recall per unit of slots spent
    _blunt = [_n for _n, _v in _aim.items() if _v <= 1.2 * _random["Recall@10 (launched)"]]
    _aimed = (f"Per slot spent on them, the best aimed is **{_aim.idxmax()}**: {_aim.max() / _random['Recall@10 (launched)']:.1f} "
              "times what random launched products catch per slot"
              + (f"; {' and '.join(_blunt)} {'aims' if len(_blunt) == 1 else 'aim'} no better than random (within 20 %)"
                 if _blunt else "")
              + ". ") if len(_aim) else ""
    mo.md(
        f"Models that never show a launched product: **{', '.join(_blind) or 'none'}** -- they learn only "
        "from interactions, and a launched product has none yet. "
        + "; ".join(f"{name} fills {value:.0%} of its slots with launched products" for name, value in _share.items() if value > 0)
        + f". Showing them is not the goal in itself. Ten random launched products catch "
        f"{_random['Recall@10 (launched)']:.3f} of the customers' interactions with launched products (Recall@10), "
        "so a high recall here mostly says how many slots a list gives to new products. "
        + _aimed
        + "The `NDCG@10 (other events)` column says what those slots cost on everything else (random lists over "
        f"the whole catalogue: {launch_table.loc['Random (whole catalogue)', 'NDCG@10 (other events)']:.3f})."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · User cold start: the first visit

    A customer with no history gets a model's **fallback** (the `FALLBACK` column of
    every recommendation frame says when). Three remedies from the source documents,
    compared on the new customers of the test weeks:

    * **metadata** -- the users dataset knows the customer's age band and gender, so
      *DemographicPopularity* shows what similar customers buy;
    * **an onboarding question** -- "which kind of shoes are you looking for?"; here the
      answer is simulated by the category of most of the customer's first three events
      (what they came for), and the popular list is filtered to it
      (`INCLUDE ItemID WHERE Items.CATEGORY_L1 IN (...)`);
    * **the first clicks** -- a real-time model folds the first events of the visit
      into the profile (`update`), as an event tracker would.

    Each new customer's first three test events feed the onboarding answer and the
    real-time model; every method is judged on the events after them, leaving out the
    products the customer already touched in those three (the real-time model may not
    show them again, the popular lists may, and a list should not earn credit for
    echoing what the customer just did).
    """)
    return


@app.cell
def _(new_users, shop, split):
    _events = split.test[split.test[USER_ID].isin(new_users)].sort_values([USER_ID, TIMESTAMP], kind="stable")
    _position = _events.groupby(USER_ID).cumcount()
    _first = _events[_position < 3]
    _later = _events[_position >= 3]
    _users = pd.unique(_later[USER_ID])
    _category = shop.items.set_index(ITEM_ID)["CATEGORY_L1"]
    _touched = pd.MultiIndex.from_frame(_first[[USER_ID, ITEM_ID]])
    _later = _later[~pd.MultiIndex.from_frame(_later[[USER_ID, ITEM_ID]]).isin(_touched)]  # new products only
    _users = pd.unique(_later[USER_ID])
    _answer = (_first[_first[USER_ID].isin(_users)].assign(_c=lambda f: f[ITEM_ID].map(_category))
               .groupby(USER_ID)["_c"].agg(lambda c: c.mode().iloc[0]))  # the answer is known before the judged events

    _popular = Popularity().fit(split.train, items=shop.items)
    _demographic = DemographicPopularity().fit(split.train, users=shop.users)
    _realtime = UserPersonalization(exploration_weight=0.0).fit(split.train, items=shop.items)
    _realtime.update(_first[_first[USER_ID].isin(_users)])
    _onboarded = pd.concat(
        [
            _popular.recommend(list(_group.index), n=10, filter=include_category("CATEGORY_L1", _answer_value))
            for _answer_value, _group in _answer.groupby(_answer)
        ],
        ignore_index=True,
    )
    _lists = {
        "Popularity (plain fallback)": _popular.recommend(_users, n=10),
        "DemographicPopularity (users metadata)": _demographic.recommend(_users, n=10),
        "Popularity + onboarding answer": _onboarded,
        "UserPersonalization after 3 events": _realtime.recommend(_users, n=10),
    }
    new_user_table = pd.DataFrame(
        {name: evaluate(recs, _later, k=10, metrics=["ndcg", "recall", "hit_rate"]).summary for name, recs in _lists.items()}
    ).T.round(3)
    new_user_table.insert(0, "new customers judged", len(_users))
    new_user_table
    return (new_user_table,)


@app.cell
def _(new_user_table):
    _fig, _ax = plt.subplots(figsize=(8, 3.2))
    new_user_table["NDCG@10"].plot.barh(ax=_ax, color="tab:purple")
    _ax.set_xlabel("NDCG@10 on the new customers' later events")
    _ax.set_title("Cold-start remedies for new customers")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(new_user_table):
    _ndcg = new_user_table["NDCG@10"]
    _plain = _ndcg.iloc[0]
    _n = int(new_user_table["new customers judged"].iloc[0])
    _worse = [name for name, value in _ndcg.items() if value < _plain]
    mo.md(
        f"Best remedy on this data: **{_ndcg.idxmax()}** (NDCG@10 {_ndcg.max():.3f} against {_plain:.3f} for the "
        "plain fallback)"
        + (f"; below the plain fallback: {', '.join(_worse)}" if _worse else "")
        + f". Only {_n} new customers are judged, so read small gaps as rough. Which remedy wins depends on the "
        "shop: an onboarding answer helps as far as the category a customer starts with is the one they go on "
        "to buy from; demographics help as far as taste follows age and gender; the first clicks help a "
        "real-time model as far as they resemble what comes next. They also combine -- metadata on day one, "
        "events from the first clicks on."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Exploration versus exploitation

    **Exploiting** means showing what the model already believes the customer wants.
    **Exploring** means spending some slots on items it knows little about, to learn.
    In Amazon Personalize's User-Personalization recipe the campaign setting
    `explorationWeight` (0 to 1, default 0.3) sets how much, and
    `explorationItemAgeCutOff` (days, default 30, counted back from the latest
    interaction) says which items count as young enough to be explored.

    (User-Personalization-v2 manages exploration itself; there a *promotion* on
    `CREATION_TIMESTAMP` is the way to guarantee new items a place.) Both are serving
    settings here as in a campaign: the trained model stays, only the lists change. The curve recomputes the launch-day lists for a range of weights;
    the dot is the weight on the slider.
    """)
    return


@app.cell
def _():
    exploration_weight = ui.slider(0.0, 1.0, value=0.3, step=0.05, label="explorationWeight")
    age_cutoff = ui.slider(1, 90, value=30, label="explorationItemAgeCutOff (days)")
    ui.controls(exploration_weight, age_cutoff, title="Campaign exploration settings")
    return age_cutoff, exploration_weight


@app.cell
def _(age_cutoff, exploration_weight, launch_items, launch_models, launch_train, launched, split, test_users):
    _model = launch_models["UserPersonalization"]
    _catalog = catalog_items(launch_train, launch_items)
    _saved = (_model.config.exploration_weight, _model.config.exploration_item_age_cutoff)
    _rows = []
    _weights = sorted({0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, float(exploration_weight.value)})
    try:  # campaign settings change the lists, not the trained model; put the defaults back afterwards
        for _w in _weights:
            _model.config.exploration_weight = _w
            _model.config.exploration_item_age_cutoff = float(age_cutoff.value)
            _recs = _model.reseed().recommend(test_users, n=10)  # every weight meets the same random draws
            _rows.append(
                {
                    "explorationWeight": _w,
                    "NDCG@10": evaluate(_recs, split.test, k=10, metrics=["ndcg"]).summary.iloc[0],
                    "coverage": catalog_coverage(_recs, _catalog),
                    "launched-product share": _recs[ITEM_ID].isin(launched).mean(),
                    "items eligible for exploration": len(_model.exploration_candidates()),
                }
            )
    finally:
        _model.config.exploration_weight, _model.config.exploration_item_age_cutoff = _saved
    exploration_curve = pd.DataFrame(_rows).set_index("explorationWeight").round(4)
    exploration_curve
    return (exploration_curve,)


@app.cell
def _(exploration_curve, exploration_weight):
    _chosen = float(exploration_weight.value)
    _fig, _axes = plt.subplots(1, 3, figsize=(11, 3.2), sharex=True)
    for _ax, _column, _color in zip(_axes, ["NDCG@10", "coverage", "launched-product share"], ("tab:blue", "tab:green", "tab:orange")):
        _ax.plot(exploration_curve.index, exploration_curve[_column], marker="o", color=_color)
        _ax.plot([_chosen], [exploration_curve.loc[_chosen, _column]], "o", markersize=12, color="black", alpha=0.4)
        _ax.set_title(_column)
        _ax.set_xlabel("explorationWeight")
    _fig.suptitle("What exploration buys and what it costs (launch-day shop)")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    More exploration puts more young products in front of customers (right panel) and
    costs accuracy on what they did next (left). Coverage can even fall: the same few
    young products now fill many lists. The cut-off slider decides which products count
    as young; the table's last column says how many are eligible. On this shop it
    barely moves: besides today's launches, the products younger than 90 days mostly
    have 20 or more interactions already, and the workbench's stand-in only explores
    items below `exploration_max_interactions` (20; a workbench setting, not a
    Personalize one). The right setting is a business choice, best settled online
    (chapter 09), not by this offline table alone.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Shown and passed over: impressions

    A tracked event can also say which list it came from: pass the `recommendationId`
    that GetRecommendations returned (implicit impressions), or send the shown items
    yourself (`impression`, 1 to 25 item ids; the `IMPRESSION` column in bulk data).
    User-Personalization uses impressions to guide exploration: the more often an item
    appears in impressions without being chosen, the less likely it is explored again.
    The guide gives the direction, not the amount; the workbench's stand-in counts each
    showing without a choice as a tenth of an interaction against the item's exploration
    room (`impression_weight=0.1`; the second control tries other amounts, so you can see
    how much the answer rests on this choice). Only lists a customer acted on send
    impressions: a list nobody touched produces no event to carry them.

    The launch-day table above removes the launched products from the training
    impressions too (`workbench.preprocess.remove_items`): a product that did not exist
    cannot have been passed over. Below, the small shop of exam scenario 22 (many new
    products) plays a User-Personalization campaign with the event tracker and automatic
    updates twice on each seed, with and without impressions: the same customers, visits
    and moods, so every difference is the impressions'.
    """)
    return


@app.cell
def _():
    impressions_weight = ui.dropdown(["default (0.3)", "0.9"], value="default (0.3)", label="explorationWeight")
    ignored_weight = ui.dropdown(["0.02", "default (0.1)", "0.5"], value="default (0.1)",
                                 label="one ignored showing counts as ... interactions")
    impressions_seeds = ui.slider(2, 10, value=5, label="seeds (shops) to play")
    impressions_run = ui.run_button("Play with and without impressions")
    ui.controls(impressions_weight, ignored_weight, impressions_seeds, impressions_run,
                title="Impressions in the simulated shop")
    return ignored_weight, impressions_run, impressions_seeds, impressions_weight


@app.cell
def _(ignored_weight, impressions_run, impressions_seeds, impressions_weight):
    mo.stop(mo.running_in_notebook() and not impressions_run.value,
            mo.md("Press **Play with and without impressions** (about 2 s per seed)."))
    _weight = None if impressions_weight.value.startswith("default") else float(impressions_weight.value)
    _ignored = None if ignored_weight.value.startswith("default") else float(ignored_weight.value)
    impressions_table = compare_impressions(IMPRESSIONS_SHOP, seeds=range(7, 7 + int(impressions_seeds.value)),
                                            exploration_weight=_weight, impression_weight=_ignored)
    impressions_table.round(4)
    return (impressions_table,)


@app.cell
def _(impressions_table):
    mo.md(
        "Paired over the seeds, with impressions against without:\n\n" + impressions_sentences(impressions_table)
        + "\n\nOn seeds 0-9 of this shop (2026-12-07): at the default weight impressions raised the click-through "
        "rate by 3.3% (95% CI 2.3% to 4.2%, higher on 10 of 10 seeds) and recommended revenue by 4.9% (9 of 10); at "
        "0.9, where exploration spends many more slots, by 12.3% (CI 9.8% to 14.7%, 10 of 10) and 8.4% (10 of 10). "
        "Revenue per visit over the no-list run moved less (+3.9% and +6.4%, on 9 and 7 of 10 seeds): part of what "
        "the lists sell would have been bought anyway. How much one ignored showing counts is the workbench's "
        "choice; at the default weight, a fifth of it (0.02) leaves a CTR gain of 1.0% (higher on 8 of 10 seeds), "
        "five times it (0.5) 5.3% (10 of 10) but no gain in revenue per visit (-0.4%, 4 of 10): the direction "
        "holds, the size does not. With few seeds, read the interval before the mean. "
        "Exam scenario 22 (chapter 14) asks the question behind this section."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Popularity bias, measured

    Four numbers describe *what kind* of lists a model serves, whatever its accuracy:

    | metric | meaning | popularity-biased model |
    |:---|:---|:---|
    | coverage | share of the catalog recommended to anyone | low |
    | average popularity | share of all users who know the average recommended item | high |
    | novelty | mean over the slots of $-\log_2$(share of users who know the item), in bits (0 = everyone knows it; an item unseen in training counts as known by one user, the maximum) | low |
    | Gini of exposure | 0 = every item shown equally often, near 1 = a few items take every slot | high |

    The table uses the launch-day models of section 1 (judged on all test events). The
    launched products are unseen in training, so every slot given to them scores the
    maximum novelty: read novelty beside the launched share of section 1, and beside the
    random rows.
    """)
    return


@app.cell
def _(launch_items, launch_recs, launch_train, split):
    _catalog = catalog_items(launch_train, launch_items)
    bias_table = pd.DataFrame(
        {
            _name: {
                "NDCG@10": evaluate(_recs, split.test, k=10, metrics=["ndcg"]).summary.iloc[0],
                "coverage": catalog_coverage(_recs, _catalog),
                "average popularity": average_popularity(_recs, launch_train, normalize=True),
                "novelty (bits)": novelty(_recs, launch_train),
                "Gini of exposure": gini_exposure(_recs, _catalog),
            }
            for _name, _recs in launch_recs.items()
        }
    ).T.round(3)
    bias_table
    return (bias_table,)


@app.cell
def _(bias_table):
    _fig, _ax = plt.subplots(figsize=(8, 4.4))
    _ax.scatter(bias_table["Gini of exposure"], bias_table["NDCG@10"], s=80)
    for _k, (_name, _row) in enumerate(bias_table.sort_values("Gini of exposure").iterrows()):
        # neighbours alternate above and below their dot, so close points keep readable labels
        _ax.annotate(_name, (_row["Gini of exposure"], _row["NDCG@10"]), textcoords="offset points",
                     xytext=(6, 8 if _k % 2 == 0 else -14), fontsize=9)
    _ax.set_xlabel("Gini of exposure (higher = more concentrated on few items)")
    _ax.set_ylabel("NDCG@10")
    _ax.set_title("Accuracy versus concentration of exposure")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Does the loop close? Popularity lists in the simulated shop

    The offline table shows *what* a model serves; whether serving it changes what the
    shop learns next needs customers who react. The simulated shop plays the same
    customers (paired runs: the same visits and draws) four times: with no lists, with
    random lists, with a popularity list trained once at launch, and with one retrained
    every week on everything customers did, including what the list made them do. The
    long tail is the half of the launch catalogue with the fewest warm-up events, fixed
    before any list is shown (`workbench.sim.long_tail_table`). If popularity fed on
    itself, the retrained list would narrow week by week: its tail share would fall
    below the once-trained list's, most of all in the last two weeks.
    """)
    return


@app.cell
def _():
    tail_seeds = ui.slider(1, 3, value=2, label="seeds (shops) to play")
    tail_run = ui.run_button("Play the four policies")
    ui.controls(tail_seeds, tail_run, title="Long tail in the simulated shop")
    return tail_run, tail_seeds


@app.cell
def _(tail_run, tail_seeds):
    mo.stop(mo.running_in_notebook() and not tail_run.value, mo.md("Press **Play the four policies** (about 5 s per seed)."))
    _policies = {
        "no lists": Policy(kind="none"),
        "random lists": Policy(kind="random"),
        "popularity, trained once": Policy(kind="stale", model="popularity"),
        "popularity, retrained weekly": Policy(kind="retrain", model="popularity", retrain_every_days=7),
    }
    _tables = []
    for _seed in range(7, 7 + int(tail_seeds.value)):
        _shop = ShopConfig(n_users=600, n_items=150, days=42, warmup_days=28, seed=_seed)
        _runs = {_name: run_scenario(ScenarioConfig(shop=_shop, policy=_p, name=_name), progress=False)
                 for _name, _p in _policies.items()}
        _tables.append(long_tail_table(_runs, late_days=14).assign(seed=_seed))
    tail_runs = pd.concat(_tables).rename_axis("policy").reset_index()
    tail_table = tail_runs.drop(columns="seed").groupby("policy", sort=False).mean()
    tail_table.round(3)
    return tail_runs, tail_table


@app.cell
def _(tail_runs, tail_table):
    _by_seed = tail_runs.pivot(index="seed", columns="policy", values="tail share of events")
    _narrower = (_by_seed["popularity, retrained weekly"] < _by_seed["popularity, trained once"]).sum()
    _late = tail_table["tail share, last 14 days"]
    _loop = _late["popularity, retrained weekly"] - _late["popularity, trained once"]
    _untouched = tail_table["tail items without an event"].max()
    mo.md(
        f"Averaged over {len(_by_seed)} seed{'s' if len(_by_seed) != 1 else ''}: the tail gets "
        f"{tail_table.loc['no lists', 'tail share of events']:.0%} of the launch catalogue's events with no lists, "
        f"{tail_table.loc['random lists', 'tail share of events']:.0%} with random lists and "
        f"{tail_table.loc['popularity, trained once', 'tail share of events']:.0%} with a popularity list: the list "
        "concentrates activity on what was already popular (Gini of events per item "
        f"{tail_table.loc['no lists', 'Gini of events per item']:.2f} -> "
        f"{tail_table.loc['popularity, trained once', 'Gini of events per item']:.2f}). Retraining it every week "
        f"changes the last two weeks' tail share by {_loop:+.3f} against the once-trained list (narrower on "
        f"{_narrower} of {len(_by_seed)} seeds over the whole run)"
        + (": in six weeks of this shop the loop does not visibly close; the bias is the list's, not a spiral."
           if abs(_loop) < 0.02 else
           (": retraining on its own effects narrows the list further, a feedback loop." if _loop < 0 else
            ": retraining widens it rather than narrowing it."))
        + (" No tail item goes without any event." if _untouched == 0 else
           f" Up to {_untouched:.0f} tail items get no event at all in a run (seed mean).")
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Re-ranking for diversity and novelty

    Re-ranking leaves the model alone and reorders a longer candidate list (here 40
    items per customer) before cutting it to 10:

    * **MMR** (maximal marginal relevance) picks, one slot after another, the item with
      the best $\lambda \cdot \text{relevance} - (1-\lambda) \cdot \text{similarity to
      the items already picked}$. $\lambda = 1$ keeps the model's order; lower values
      trade relevance for variety. Similarity is the cosine of category, brand and
      colour indicators.
    * **novelty blend** scores $(1-w) \cdot \text{relevance} + w \cdot \text{novelty}$,
      pushing less-known items up.

    The diversity of a list is its **intra-list diversity**: 1 minus the mean pairwise
    similarity of its items. The curves sweep the setting over its range (for a seeded
    sample of 400 customers, to stay quick); the black dot is the slider's value.
    """)
    return


@app.cell
def _():
    base_model = ui.dropdown(["EASE", "ItemKNN", "UserPersonalization", "Popularity"], value="EASE", label="model to re-rank")
    mmr_lambda = ui.slider(0.0, 1.0, value=0.7, step=0.05, label="MMR lambda (1 = no re-ranking)")
    novelty_weight = ui.slider(0.0, 1.0, value=0.3, step=0.05, label="novelty weight w")
    ui.controls(base_model, mmr_lambda, novelty_weight, title="Re-ranking")
    return base_model, mmr_lambda, novelty_weight


@app.cell
def _(base_model, launch_models, launch_train, mmr_lambda, novelty_weight, shop, split, test_users):
    _rng = np.random.default_rng(5)
    _sample = _rng.choice(test_users, size=min(400, len(test_users)), replace=False)
    item_features = shop.items[[ITEM_ID, "CATEGORY_L1", "BRAND", "COLOR"]]
    candidates = launch_models[base_model.value].recommend(_sample, n=40)
    _truth = split.test[split.test[USER_ID].isin(_sample)]

    def _describe(recs: pd.DataFrame) -> dict:
        return {
            "NDCG@10": evaluate(recs, _truth, k=10, metrics=["ndcg"]).summary.iloc[0],
            "intra-list diversity": intra_list_diversity(recs, item_features),
            "novelty (bits)": novelty(recs, launch_train),
        }

    _rows = []
    for _lam in sorted({0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0, float(mmr_lambda.value)}):
        _rows.append({"method": "MMR", "setting": _lam, **_describe(mmr_rerank(candidates, item_features, lambda_=_lam, n=10))})
    for _w in sorted({0.0, 0.2, 0.4, 0.6, 0.8, 1.0, float(novelty_weight.value)}):
        _rows.append({"method": "novelty blend", "setting": _w, **_describe(novelty_rerank(candidates, launch_train, weight=_w, n=10))})
    rerank_curve = pd.DataFrame(_rows)
    before = candidates[candidates[RANK] <= 10]
    after = mmr_rerank(candidates, item_features, lambda_=float(mmr_lambda.value), n=10)
    rerank_curve.round(4)
    return after, before, rerank_curve


@app.cell
def _(mmr_lambda, novelty_weight, rerank_curve):
    _fig, _axes = plt.subplots(1, 2, figsize=(11, 4))
    for _ax, (_method, _x, _chosen) in zip(
        _axes,
        (("MMR", "intra-list diversity", float(mmr_lambda.value)), ("novelty blend", "novelty (bits)", float(novelty_weight.value))),
    ):
        _curve = rerank_curve[rerank_curve["method"] == _method].sort_values("setting")
        _ax.plot(_curve[_x], _curve["NDCG@10"], marker="o")
        for _setting, _xv, _yv in zip(_curve["setting"], _curve[_x], _curve["NDCG@10"]):
            _ax.annotate(f"{_setting:g}", (_xv, _yv), fontsize=7, xytext=(4, 2), textcoords="offset points")
        _pick = _curve[_curve["setting"] == _chosen].iloc[0]
        _ax.plot([_pick[_x]], [_pick["NDCG@10"]], "o", markersize=12, color="black", alpha=0.4)
        _ax.set_xlabel(_x)
        _ax.set_ylabel("NDCG@10")
        _ax.set_title(f"{_method}: accuracy versus {_x.split(' (')[0]}")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(mmr_lambda, rerank_curve):
    _mmr = rerank_curve[rerank_curve["method"] == "MMR"].set_index("setting")
    _base, _pick = _mmr.loc[1.0], _mmr.loc[float(mmr_lambda.value)]
    mo.md(
        f"At lambda = {float(mmr_lambda.value):g}: intra-list diversity {_base['intra-list diversity']:.3f} -> "
        f"{_pick['intra-list diversity']:.3f}, NDCG@10 {_base['NDCG@10']:.4f} -> {_pick['NDCG@10']:.4f} "
        "(compared with the model's own order, lambda = 1)."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The first steps away from the model's order usually cost little accuracy (they can
    even gain a little, when the model's top items were near-duplicates of which the
    customer wanted only one) and buy a lot of variety: a list of ten sneakers becomes
    sneakers, boots and sandals. Further steps cost more. Where to stop is again a
    business decision: a content site may value variety and discovery more than a
    shop's checkout page.

    ## 6 · Fair exposure of item groups, before and after

    Each recommended slot gives its item some attention, more at the top (weight
    $1/\log_2(1+\text{rank})$, the NDCG discount). A group's **exposure share** divided
    by its **catalog share** is 1 when it gets attention in proportion to its size,
    below 1 when it is under-exposed. Pick the grouping; the bars compare the model's
    lists with the MMR re-ranked lists at the slider's $\lambda$. MMR is a diversity
    method, not a fairness one: whatever it does to a group's exposure is a side effect,
    and it can make an under-exposed group worse off. A fairness re-ranker would target
    the exposure ratios directly.
    """)
    return


@app.cell
def _():
    group_choice = ui.dropdown({"brand": "BRAND", "price band (quartiles)": "PRICE_BAND", "category": "CATEGORY_L1"}, value="brand", label="item groups")
    group_choice
    return (group_choice,)


@app.cell
def _(after, before, group_choice, shop):
    _items = shop.items.assign(PRICE_BAND=pd.qcut(shop.items["PRICE"], 4, labels=["Q1 cheapest", "Q2", "Q3", "Q4 dearest"]).astype(str))
    _column = group_choice.value
    _before = exposure_fairness(before, _items, group_column=_column).set_index("group")
    _after = exposure_fairness(after, _items, group_column=_column).set_index("group")
    fairness_table = pd.DataFrame(
        {
            "catalog share": _before["catalog_share"],
            "exposure share before": _before["exposure_share"],
            "exposure share after": _after["exposure_share"],
            "ratio before": _before["ratio"],
            "ratio after": _after["ratio"],
        }
    ).round(3)
    _catalog = _items[ITEM_ID]
    fairness_gini = {"before": gini_exposure(before, _catalog), "after": gini_exposure(after, _catalog)}
    fairness_table
    return fairness_gini, fairness_table


@app.cell
def _(fairness_gini, fairness_table, mmr_lambda):
    _fig, _ax = plt.subplots(figsize=(9, 3.8))
    fairness_table[["ratio before", "ratio after"]].plot.bar(ax=_ax, rot=30)
    _ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
    _ax.set_ylabel("exposure share / catalog share")
    _ax.set_title(
        f"Exposure per group (1 = proportional); MMR lambda = {float(mmr_lambda.value):g}; "
        f"Gini of item exposure {fairness_gini['before']:.2f} -> {fairness_gini['after']:.2f}"
    )
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Fairness has a second side: **customers**. The same lists can serve one customer
    group much better than another. Below, the accuracy per customer segment of the
    users dataset (heavy, VIP, normal, one-off buyers), for the model's lists, the MMR
    lists and plain popularity lists as the baseline. Segments differ in how much data
    and how predictable a future they have, so a gap between them is not yet a bias of
    the model: judge a model by its gain over the baseline within each segment.
    """)
    return


@app.cell
def _(after, before, launch_models, shop, split):
    _segment = shop.users.set_index(USER_ID)["SEGMENT"]
    _truth = split.test[split.test[USER_ID].isin(before[USER_ID])]
    _baseline = launch_models["Popularity"].recommend(pd.unique(before[USER_ID]), n=10)
    _per_user = {
        name: evaluate(recs, _truth, k=10, metrics=["ndcg"]).per_user.set_index(USER_ID)["NDCG@10"]
        for name, recs in (("model's lists", before), ("after MMR", after), ("Popularity (baseline)", _baseline))
    }
    segment_table = pd.DataFrame(_per_user)
    segment_table["segment"] = segment_table.index.map(_segment).fillna("(unknown)")
    segment_table = segment_table.groupby("segment").agg(["mean", "size"]).round(3)
    segment_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## What to take away

    * Cold start has several remedies and they combine: metadata (content, demographics)
      for day one, onboarding questions, and real-time events from the first clicks.
    * Exploration is a dial, not a fix: it gives new items a chance and costs some
      relevance now; Personalize exposes it as `explorationWeight` and
      `explorationItemAgeCutOff` on User-Personalization campaigns.
    * Measure bias and diversity next to accuracy; re-ranking moves along the
      trade-off without retraining.
    * Fairness is measured per group, for items (exposure) and for customers (accuracy
      against a baseline in the same group); a diversity re-ranker is not a fairness fix.
    """)
    return


if __name__ == "__main__":
    app.run()
