import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="03 · Collaborative filtering and matrix factorization",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from sklearn.decomposition import PCA

    from workbench import glossary, ui
    from workbench.constants import EVENT_VALUE, FALLBACK, ITEM_ID, PREDICTION, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.data.long_tail_ratings import long_tail_ratings
    from workbench.metrics import (
        average_popularity,
        catalog_coverage,
        compare_per_user,
        evaluate,
        item_popularity,
        paired_difference,
        rmse,
    )
    from workbench.recommenders.ease import EASE
    from workbench.recommenders.knn import ItemKNN, UserKNN
    from workbench.recommenders.matrix_factorization import NMF, SVD, SVDpp
    from workbench.recommenders.neighborhood import ItemNeighborhood, UserNeighborhood
    from workbench.recommenders.popularity import Popularity
    from workbench.recommenders.random_items import RandomItems
    from workbench.recommenders.surprise_adapter import implicit_to_ratings
    from workbench.split import stratified_user_split, temporal_split

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["PZ-03", "GN-04", "GN-06", "DH-11", "GN-20"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 03 · Collaborative filtering and matrix factorization

    **Collaborative filtering** (CF) recommends from the behaviour of *other*
    customers; it needs no description of the items. Two classic forms:

    * **user-based**: find customers whose history resembles yours and recommend what
      they liked ("customers like you bought ..."). `UserKNN`, `UserNeighborhood`.
    * **item-based**: for each item you liked, find items that the *same customers*
      liked, and recommend those ("customers who bought this also bought ...").
      `ItemKNN`, `ItemNeighborhood`. Item neighbourhoods change slowly, so shops often
      precompute them.

    Each form comes here in **two versions that answer different questions**.
    `UserKNN` / `ItemKNN` (scikit-surprise) are *rating predictors*: they estimate the
    stars a customer would give an item, as a similarity-weighted mean of the ratings
    of the neighbours. `UserNeighborhood` / `ItemNeighborhood` are *top-N* models on
    implicit feedback: they add up the similarities of the neighbours that point to an
    item, so an item collects score only when many similar customers or items back it.
    (On implicit data the workbench's KNN models rank their lists by that sum too, the
    top-N rule; on star ratings they rank by the mean.) Section 2 shows why that
    difference decides which one makes a good list.

    **Matrix factorization** (MF) compresses the customer x item matrix into a few
    **latent factors**: every customer and every item becomes a short vector
    (an *embedding*), and the predicted affinity is their dot product. Nobody names
    the factors; they come out as "winter-ness", "sportiness" or "price level" if
    the data holds such patterns. `SVD` and `SVDpp` (via scikit-surprise) add a user and
    an item bias to the dot product and learn by stochastic gradient descent on ratings;
    `NMF` keeps every factor non-negative and learns by multiplicative updates; `EASE`
    learns an item-to-item weight matrix in closed form from who-interacted-with-what.

    Amazon Personalize's User-Personalization-v2 recipe is a Transformer-based model;
    the models here are the textbook ideas, small enough to watch.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **A naming trap in the commercial solution's document.** Its section titled
    "collaborative filtering - item" defines the method as *recommending what the
    users most similar to you bought* (similarity between **users**), and its section
    titled "collaborative filtering - user" defines it as *recommending the items most
    similar to what you bought* (similarity between **items**). The definitions are
    the textbook ones; read against the usual naming, the headings look swapped.
    This chapter uses the usual names:
    `UserKNN` compares users, `ItemKNN` compares items. The document's uses still
    apply: user similarity for recommendations and for marketing to look-alike
    customers; item similarity for recommendations and for bundling similar products.
    Both need the same data: per customer, what they bought, put in the cart or
    saved to a wish list.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["collaborative filtering", "matrix factorization", "latent factor", "sparsity", "cold start", "explicit feedback"])
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The matrix CF learns from, and how empty it is

    One row per customer, one column per shoe, a dot where the customer did anything
    with the shoe. Rows and columns are sorted by activity. The right side and the
    bottom are almost empty: most customers touched a handful of items, and every item
    but the best-sellers was touched by a small share of the customers. That emptiness
    is **sparsity**, the main enemy of CF.
    """)
    return


@app.cell
def _():
    sample = load_sample()
    catalog = sample.items.set_index(sample.items[ITEM_ID].astype(str))
    _events = sample.interactions
    _pairs = _events[[USER_ID, ITEM_ID]].drop_duplicates()
    _user_order = _pairs[USER_ID].value_counts().index
    _item_order = _pairs[ITEM_ID].value_counts().index
    _rows = pd.Index(_user_order).get_indexer(_pairs[USER_ID])
    _cols = pd.Index(_item_order).get_indexer(_pairs[ITEM_ID])
    _fig, _ax = plt.subplots(figsize=(9, 4))
    _ax.scatter(_cols, _rows, s=0.3, color="black")
    _ax.set_xlabel(f"items ({len(_item_order)}), most interacted first")
    _ax.set_ylabel(f"customers ({len(_user_order)}), most active first")
    _ax.invert_yaxis()
    _density = len(_pairs) / (len(_user_order) * len(_item_order))
    _ax.set_title(f"Who touched what: {len(_pairs):,} of {len(_user_order) * len(_item_order):,} cells filled ({_density:.1%})")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return catalog, sample


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Two jobs: predict a rating, or rank a list

    Surprise's algorithms were built for **explicit** feedback: predict the stars a
    customer would give. This shop logs **implicit** events, so the workbench turns
    each customer-item pair into a pseudo-rating from 1 to 5: event weights (view 1,
    click 2, cart 4, purchase 8) are summed into a confidence and mapped on a log scale
    (`implicit_to_ratings`).

    We train on the oldest 80 % of the events and test on the newest 20 %, in two ways:

    * **rating prediction**: for customer-item pairs that first appear in the test
      period (a known customer and a known item, but a pair the model never saw), how
      close is the predicted pseudo-rating to the one the test events give? (RMSE,
      lower is better; the global mean rating is the constant to beat)
    * **ranking**: for each customer active in the test period, how good is the top-10
      list? (NDCG@10 and Recall@10, higher is better)

    The controls set the neighbourhood size of the KNN and top-N neighbourhood models
    and the number of factors and training epochs of the MF models.
    """)
    return


@app.cell
def _():
    k_neighbours = ui.slider(5, 100, value=40, step=5, label="k neighbours (KNN)")
    factors = ui.slider(2, 100, value=20, label="latent factors (SVD, SVD++, NMF)")
    epochs = ui.slider(5, 60, value=20, step=5, label="epochs (SVD, NMF; SVD++ gets half, it is slower)")
    ui.controls(k_neighbours, factors, epochs, title="Model settings")
    return epochs, factors, k_neighbours


@app.cell
def _(sample):
    split = temporal_split(sample.interactions, test_fraction=0.2)
    test_users = split.test[USER_ID].unique()
    _test_ratings = implicit_to_ratings(split.test)  # the pseudo-rating the test events alone give
    _seen = pd.MultiIndex.from_frame(split.train[[USER_ID, ITEM_ID]].drop_duplicates())
    _new_pair = ~pd.MultiIndex.from_frame(_test_ratings[[USER_ID, ITEM_ID]]).isin(_seen)
    _known = _test_ratings[USER_ID].isin(split.train[USER_ID]) & _test_ratings[ITEM_ID].isin(split.train[ITEM_ID])
    rating_truth = _test_ratings.loc[_new_pair & _known, [USER_ID, ITEM_ID, EVENT_VALUE]].reset_index(drop=True)
    train_mean_rating = float(implicit_to_ratings(split.train)[EVENT_VALUE].mean())
    mo.md(
        f"Train: {len(split.train):,} events before {pd.to_datetime(split.test[TIMESTAMP].min(), unit='s'):%Y-%m-%d}; "
        f"test: {len(split.test):,} events of {len(test_users):,} customers; "
        f"{len(rating_truth):,} new pairs of a known customer and a known item for RMSE."
    )
    return rating_truth, split, test_users, train_mean_rating


@app.cell
def _(k_neighbours, split):
    _k = int(k_neighbours.value)
    knn_models = {"UserKNN": UserKNN(k=_k).fit(split.train), "ItemKNN": ItemKNN(k=_k).fit(split.train)}
    topn_models = {
        "UserNeighborhood": UserNeighborhood(neighbors=_k).fit(split.train),
        "ItemNeighborhood": ItemNeighborhood(neighbors=_k).fit(split.train),
    }
    return knn_models, topn_models


@app.cell
def _(epochs, factors, split):
    _f, _e = int(factors.value), int(epochs.value)
    mf_models = {
        "SVD": SVD(factors=_f, epochs=_e).fit(split.train),
        "SVD++": SVDpp(factors=_f, epochs=max(1, _e // 2)).fit(split.train),
        "NMF": NMF(factors=_f, epochs=_e).fit(split.train),
    }
    return (mf_models,)


@app.cell
def _(sample, split):
    ranking_only = {"EASE": EASE().fit(split.train), "Popularity": Popularity().fit(split.train),
                    "Random lists": RandomItems().fit(split.train, items=sample.items)}
    return (ranking_only,)


@app.cell
def _(knn_models, mf_models, rating_truth, ranking_only, sample, split, test_users, topn_models, train_mean_rating):
    all_models = {**knn_models, **topn_models, **mf_models, **ranking_only}
    all_recs = {name: model.recommend(test_users, n=10) for name, model in all_models.items()}
    all_evals, squared_errors = {}, {}
    _pair = rating_truth[USER_ID].astype(str) + "|" + rating_truth[ITEM_ID].astype(str)
    squared_errors["global mean rating"] = pd.Series(((train_mean_rating - rating_truth[EVENT_VALUE]) ** 2).to_numpy(), index=_pair)
    _rows = {}
    for _name, _model in all_models.items():
        all_evals[_name] = evaluate(all_recs[_name], split.test, k=10, metrics=["ndcg", "recall"])
        _scores = all_evals[_name].summary.copy()
        if hasattr(_model, "predict"):
            _pred = _model.predict(rating_truth)
            _scores["RMSE"] = rmse(_pred[PREDICTION], _pred[EVENT_VALUE])
            squared_errors[_name] = pd.Series(((_pred[PREDICTION] - _pred[EVENT_VALUE]) ** 2).to_numpy(),
                                              index=_pred[USER_ID].astype(str) + "|" + _pred[ITEM_ID].astype(str))
        else:
            _scores["RMSE"] = np.nan
        _scores["coverage"] = catalog_coverage(all_recs[_name], sample.items[ITEM_ID])
        _scores["users per item"] = average_popularity(all_recs[_name], split.train)
        _rows[_name] = _scores
    _rows["global mean rating"] = pd.Series(
        {"RMSE": rmse(np.full(len(rating_truth), train_mean_rating), rating_truth[EVENT_VALUE])}
    )
    cf_scores = pd.DataFrame(_rows).T[["RMSE", "NDCG@10", "Recall@10", "coverage", "users per item"]].round(4)
    cf_scores
    return all_evals, all_models, all_recs, cf_scores, squared_errors


@app.cell
def _(all_evals, cf_scores, squared_errors):
    _fig, (_left, _right) = plt.subplots(1, 2, figsize=(10, 3.8))
    _rated = cf_scores["RMSE"].dropna()
    _left.barh(_rated.index, _rated.to_numpy(), color="tab:gray")
    _left.set_xlabel("RMSE on test pseudo-ratings (lower = better)")
    _left.invert_yaxis()
    _ranked = cf_scores["NDCG@10"].dropna()
    _right.barh(_ranked.index, _ranked.to_numpy(), color=["tab:red" if n == "Popularity" else "tab:blue" for n in _ranked.index])
    _right.axvline(cf_scores.loc["Popularity", "NDCG@10"], color="tab:red", linestyle=":")
    _right.set_xlabel("NDCG@10 on the test period (higher = better)")
    _right.invert_yaxis()
    _fig.suptitle("Predicting ratings well is not the same as ranking well")
    _fig.tight_layout()
    plt.close(_fig)
    _best_rmse = _rated.drop("global mean rating", errors="ignore").idxmin()
    _ndcg_rank = int(_ranked.rank(ascending=False)[_best_rmse])
    # paired on the same rating pairs / the same customers, with 95% bootstrap intervals
    _vs_mean = paired_difference(squared_errors[_best_rmse], squared_errors["global mean rating"])
    _raters = [n for n in _rated.index if n != "global mean rating"]
    _vs_pop = {n: compare_per_user(all_evals[n], all_evals["Popularity"], "NDCG@10") for n in _raters}
    _below = [n for n, d in _vs_pop.items() if d.below_zero]
    _tied = [n for n, d in _vs_pop.items() if not d.below_zero and not d.above_zero]
    mo.vstack([
        _fig,
        mo.md(
            f"Best rating predictor: **{_best_rmse}** (RMSE {_rated[_best_rmse]:.3f} against "
            f"{_rated['global mean rating']:.3f} for the global mean; squared error per pair {_vs_mean}, "
            + ("reliably lower" if _vs_mean.below_zero else "not reliably lower than the constant")
            + f"), ranked **{_ndcg_rank} of {len(_ranked)}** by NDCG@10. Rating models whose lists are reliably "
            f"worse than the popularity list (paired NDCG@10 difference below 0, 95 % bootstrap): "
            f"**{', '.join(_below) or 'none'}**"
            + (f"; not told apart from it: {', '.join(_tied)}" if _tied else "")
            + ". Random lists score "
            f"{cf_scores.loc['Random lists', 'NDCG@10']:.3f}, the floor."
        ),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Read the two panels together, and the sentence under them: on pairs a model has not
    seen, predicting a pseudo-rating is hard to do better than the global mean, and the
    order by RMSE is not the order by NDCG; rating models can rank **worse than the
    popularity list** (red line). The reason is what RMSE never sees:
    it is computed only on pairs the customer *did* interact with, while a top-10
    list must choose among all the items the customer *did not* touch yet. A rating
    model learns "how much would you like it, given that you look at it"; ranking
    needs "will you look at it at all". Models trained on *which* items were touched,
    like EASE, rank far better. Lesson: evaluate a
    recommender with ranking metrics on a time split (chapter 08), not with RMSE.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Same neighbours, two jobs: KNN rating predictors versus top-N neighbourhoods

    On the shop's implicit events the KNN models rank by the sum of their neighbours'
    votes, the top-N rule, so the two versions of each neighbourhood idea end up close
    in the table above. Star ratings are ranked by the weighted mean, and rating data
    has a long tail: a few films are rated by about a hundred users, most by a handful.
    Below, the same four models run on a generated MovieLens-like set with such a tail
    (300 users, 400 items, 1-5 stars, taste clusters; `long_tail_ratings`, not real
    MovieLens), split per user 75/25 at random, beside popularity and random lists. The
    rating predictors get an RMSE on the test stars; all get NDCG@10 for their top-10
    unseen items; the last columns say how many training users the recommended items
    have.

    Why a rating predictor fills its list with obscure items: its estimate for an item
    is a *weighted mean* of the neighbours' ratings of that item. An item that one or
    two neighbours rated 5 gets a prediction near 5, as high as a film that a hundred
    loved -- a mean of two ratings is as large as a mean of a hundred, and nothing in
    the prediction says how much evidence stands behind it. Sorted by prediction, the
    list leans to less-rated items (compare the rating predictors' "raters per
    recommended item" with the typical item's), which the user is less likely to ever
    watch. A top-N neighbourhood model *adds up* similarities instead: an item scores
    high only when many of the user's neighbours (or many items of their history) point
    to it, so support counts. The sentence under the chart reads the runs.
    """)
    return


@app.cell
def _(k_neighbours):
    _ratings = long_tail_ratings(n_users=300, n_items=400, mean_ratings=40, seed=42)
    tail_split = stratified_user_split(_ratings, test_fraction=0.25, seed=42)
    tail_raters = item_popularity(tail_split.train)
    _k = int(k_neighbours.value)
    tail_models = {
        "UserKNN": UserKNN(k=_k), "UserNeighborhood": UserNeighborhood(neighbors=_k),
        "ItemKNN": ItemKNN(k=_k), "ItemNeighborhood": ItemNeighborhood(neighbors=_k),
        "Popularity": Popularity(), "Random lists": RandomItems(),
    }
    _users = tail_split.test[USER_ID].unique()
    tail_recs = {}
    _rows = []
    for _name, _model in tail_models.items():
        _model.fit(tail_split.train)
        tail_recs[_name] = _model.recommend(_users, n=10)
        _row = {"kind": "rating predictor (surprise)" if hasattr(_model, "predict") else
                "baseline" if _name in ("Popularity", "Random lists") else "top-N on implicit feedback"}
        if hasattr(_model, "predict"):
            _pred = _model.predict(tail_split.test[[USER_ID, ITEM_ID, EVENT_VALUE]])
            _row["RMSE"] = rmse(_pred[PREDICTION], _pred[EVENT_VALUE])
        else:
            _row["RMSE"] = np.nan
        _row["NDCG@10"] = evaluate(tail_recs[_name], tail_split.test, k=10, metrics=["ndcg"]).summary["NDCG@10"]
        _row["raters per recommended item"] = average_popularity(tail_recs[_name], tail_split.train)
        _row["share with <= 5 raters"] = float((tail_recs[_name][ITEM_ID].map(tail_raters).fillna(0) <= 5).mean())
        _rows.append(pd.Series(_row, name=_name))
    neighbour_kinds = pd.DataFrame(_rows)
    neighbour_kinds.loc["global mean rating", "RMSE"] = rmse(
        np.full(len(tail_split.test), tail_split.train[EVENT_VALUE].mean()), tail_split.test[EVENT_VALUE])
    neighbour_kinds.loc["typical item", "raters per recommended item"] = float(tail_raters.median())
    neighbour_kinds.round(4)
    return neighbour_kinds, tail_models, tail_raters, tail_recs, tail_split


@app.cell
def _(neighbour_kinds, tail_models, tail_raters, tail_recs):
    _fig, (_left, _mid, _right) = plt.subplots(1, 3, figsize=(12, 3.4))
    _models = [n for n in tail_models if neighbour_kinds.loc[n, "kind"] != "baseline"]
    _colours = ["tab:gray" if neighbour_kinds.loc[n, "kind"].startswith("rating") else "tab:blue" for n in _models]
    _rated = neighbour_kinds["RMSE"].dropna()
    _left.barh(_rated.index, _rated.to_numpy(), color="tab:gray")
    _left.set_xlabel("RMSE on test stars (lower = better)")
    _left.invert_yaxis()
    _mid.barh(_models, neighbour_kinds.loc[_models, "NDCG@10"], color=_colours)
    for _base, _style in (("Popularity", ":"), ("Random lists", "--")):
        _mid.axvline(neighbour_kinds.loc[_base, "NDCG@10"], color="tab:red", linestyle=_style, label=_base)
    _mid.legend(fontsize=7)
    _mid.set_xlabel("NDCG@10 (higher = better)")
    _mid.invert_yaxis()
    for _name, _colour in zip(_models, _colours):
        _right.hist(tail_recs[_name][ITEM_ID].map(tail_raters).fillna(0), bins=30, histtype="step", color=_colour,
                    linestyle="-" if "Item" in _name else "--", label=_name)
    _right.set_xlabel("training raters of a recommended item")
    _right.set_ylabel("recommended slots")
    _right.legend(fontsize=7)
    _fig.suptitle("Grey: rating predictors (surprise KNN); blue: top-N neighbourhood models")
    _fig.tight_layout()
    plt.close(_fig)
    _user = tail_recs["ItemKNN"]["USER_ID"].iloc[0]
    _top = tail_recs["ItemKNN"][tail_recs["ItemKNN"]["USER_ID"] == _user].head(5)
    _example = pd.DataFrame({"item": _top[ITEM_ID], "predicted stars": _top["SCORE"].round(2),
                             "training raters": _top[ITEM_ID].map(tail_raters).fillna(0).astype(int)})
    _nd = neighbour_kinds["NDCG@10"]
    _rm = neighbour_kinds["RMSE"]
    _predictors = [n for n in _models if neighbour_kinds.loc[n, "kind"].startswith("rating")]
    _under_random = [n for n in _models if _nd[n] < _nd["Random lists"]]
    _said = (
        "RMSE: " + ", ".join(f"{n} {_rm[n]:.3f}" for n in _predictors)
        + f" against {_rm['global mean rating']:.3f} for the global mean ("
        + ", ".join(f"{n} {1 - _rm[n] / _rm['global mean rating']:.0%} lower" for n in _predictors) + "). NDCG@10: "
        + ", ".join(f"{n} {_nd[n]:.3f}" for n in _models)
        + f"; popularity {_nd['Popularity']:.3f}, random lists {_nd['Random lists']:.3f}."
        + (f" Below random lists: **{', '.join(_under_random)}**." if _under_random else "")
        + " Raters per recommended item: "
        + ", ".join(f"{n} {neighbour_kinds.loc[n, 'raters per recommended item']:.1f}" for n in _models)
        + f"; the typical item has {neighbour_kinds.loc['typical item', 'raters per recommended item']:.0f}."
    )
    mo.vstack([
        _fig,
        mo.md(_said),
        mo.md(f"ItemKNN's top 5 for user `{_user}`: predicted stars and how many users rated each item in training"),
        _example.reset_index(drop=True),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · One customer's lists, with the reason given by each model
    """)
    return


@app.cell
def _(all_models, all_recs, split, test_users):
    _counts = split.train[USER_ID].value_counts()
    _options = [str(u) for u in test_users if _counts.get(u, 0) >= 3][:200]
    user_choice = ui.dropdown(_options, value=next((u for u in _options if _counts[u] >= 8), _options[0]), label="customer")
    model_choice = ui.dropdown([n for n in all_models if n in all_recs], value="ItemKNN", label="model")
    ui.controls(user_choice, model_choice)
    return model_choice, user_choice


@app.cell
def _(all_models, catalog, model_choice, split, user_choice):
    _model = all_models[model_choice.value]
    _user = user_choice.value
    _history = split.train[split.train[USER_ID] == _user].drop_duplicates(ITEM_ID, keep="last").tail(6)
    _future = set(split.test.loc[split.test[USER_ID] == _user, ITEM_ID])
    _recs = _model.recommend([_user], n=8)
    one_user = pd.DataFrame(
        {
            "item": _recs[ITEM_ID],
            "category": _recs[ITEM_ID].map(catalog["CATEGORY_L1"]),
            "touched later": _recs[ITEM_ID].isin(_future),
            "fallback": _recs[FALLBACK],
            "why": [_model.explain(_user, i) for i in _recs[ITEM_ID]],
        }
    ).reset_index(drop=True)
    _seen = ", ".join(f"{i} ({catalog['CATEGORY_L1'].get(i, '?')})" for i in _history[ITEM_ID])
    mo.vstack([mo.md(f"`{_user}` recently touched: {_seen}"), one_user])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · What the latent factors learned

    Each shoe's SVD factor vector, squeezed to two dimensions with PCA and coloured by
    category. SVD was never told the categories; if shoes of a category cluster, the
    factors discovered them from behaviour alone. Next to it, the items the factors
    find most similar to one shoe (cosine of factor vectors).
    """)
    return


@app.cell
def _(catalog, mf_models):
    _svd = mf_models["SVD"]
    _item_ids = [_svd.trainset_.to_raw_iid(i) for i in range(_svd.trainset_.n_items)]  # row order of item_factors_
    _points = PCA(n_components=2, random_state=42).fit_transform(_svd.item_factors_)
    _category = pd.Series(_item_ids).map(catalog["CATEGORY_L1"]).fillna("?").to_numpy()
    _fig, _ax = plt.subplots(figsize=(8, 5))
    for _name in sorted(set(_category)):
        _mask = _category == _name
        _ax.scatter(_points[_mask, 0], _points[_mask, 1], s=18, label=_name)
    _ax.set_xlabel("factor direction 1 (PCA)")
    _ax.set_ylabel("factor direction 2 (PCA)")
    _ax.set_title("SVD item factors, coloured by category (never shown to the model)")
    _ax.legend(fontsize=8, ncol=2)
    _fig.tight_layout()
    plt.close(_fig)
    # does each shoe's nearest neighbour in factor space share its category more often than chance?
    _unit = _svd.item_factors_ / np.maximum(np.linalg.norm(_svd.item_factors_, axis=1, keepdims=True), 1e-12)
    _cosine = _unit @ _unit.T
    np.fill_diagonal(_cosine, -np.inf)
    _same = float(np.mean(_category[_cosine.argmax(axis=1)] == _category))
    _shares = pd.Series(_category).value_counts(normalize=True)
    _chance = float((_shares**2).sum())
    mo.vstack([_fig, mo.md(
        f"A shoe's nearest neighbour in factor space shares its category for {_same:.0%} of the shoes; two shoes "
        f"drawn at random share it {_chance:.0%} of the time. "
        + ("The factors have picked up the categories from behaviour alone."
           if _same > 2 * _chance else
           "So at these settings the factors hold little of the category structure; try more factors or epochs.")
    )])
    return


@app.cell
def _(catalog, mf_models, split):
    _anchor = split.train[ITEM_ID].value_counts().index[0]
    _similar = mf_models["SVD"].similar_items([_anchor], n=6)
    similar_table = _similar.assign(
        category=_similar[ITEM_ID].map(catalog["CATEGORY_L1"]), brand=_similar[ITEM_ID].map(catalog["BRAND"])
    )
    mo.vstack([
        mo.md(f"Most similar to `{_anchor}` ({catalog.loc[_anchor, 'CATEGORY_L1']}, {catalog.loc[_anchor, 'BRAND']}) by SVD factors:"),
        similar_table,
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The weak spots: cold start and sparsity

    CF knows nothing about a customer or an item it has not seen interact.

    * **New customers** (first event in the test period) get the popularity fallback
      from every CF model (flag `FALLBACK`), so all lines meet at "new (0)": CF adds
      nothing for them. (New customers here mostly buy what is popular, which is why
      that point is high.)
    * **Customers with a thin history** have few neighbours and a poorly estimated
      factor vector. The chart scores each model per history length; the thinnest
      buckets hold few customers (the `customers` column), so read their gaps with the
      paired test under the chart.
    * **New items** (first event in the test period) cannot be recommended by any of
      these models until they are retrained, however fitting they are. Content-based
      models (chapter 05) and exploration (chapter 07) address this.
    """)
    return


@app.cell
def _(all_evals, split, test_users):
    _history = split.train[USER_ID].value_counts().reindex(test_users).fillna(0)
    _bucket = pd.cut(_history, [-1, 0, 3, 10, 30, np.inf], labels=["new (0)", "1-3", "4-10", "11-30", "31+"])
    _per_model, _per_user_ndcg = {}, {}
    for _name, _evaluation in all_evals.items():  # section 2's evaluations, not a second pass over the lists
        _per_user = _evaluation.per_user.set_index(USER_ID)["NDCG@10"]
        _per_user_ndcg[_name] = _per_user
        _per_model[_name] = _per_user.groupby(_bucket.reindex(_per_user.index), observed=False).mean()
    by_history = pd.DataFrame(_per_model)
    by_history.index.name = "training events of the customer"
    by_history["customers"] = _bucket.value_counts()
    _fig, _ax = plt.subplots(figsize=(9, 3.8))
    by_history.drop(columns="customers").plot(ax=_ax, marker="o")
    _ax.set_ylabel("NDCG@10")
    _ax.set_title("Ranking quality by how much history the customer had")
    _fig.tight_layout()
    plt.close(_fig)
    _thin = _bucket[_bucket == "1-3"].index
    _pop_thin = _per_user_ndcg["Popularity"].reindex(_thin).dropna()
    _vs = {n: paired_difference(v.reindex(_thin).dropna(), _pop_thin) for n, v in _per_user_ndcg.items()
           if n not in ("Popularity", "Random lists")}
    _up = [n for n, d in _vs.items() if d.above_zero]
    _down = [n for n, d in _vs.items() if d.below_zero]
    _said = (f"Customers with 1-3 training events: {len(_pop_thin)}. Against the popularity list for them (paired, "
             f"95 % bootstrap): reliably better {', '.join(_up) or 'none'}; reliably worse {', '.join(_down) or 'none'}; "
             "the rest cannot be told apart from it on so few customers.")
    mo.vstack([by_history.round(4), _fig, mo.md(_said)])
    return


@app.cell
def _(all_recs, split):
    _new_items = sorted(set(split.test[ITEM_ID]) - set(split.train[ITEM_ID]))
    _new_events = split.test[ITEM_ID].isin(_new_items).sum()
    cold_items = pd.DataFrame(
        {name: {"new items recommended": int(recs[ITEM_ID].isin(_new_items).sum())} for name, recs in all_recs.items()}
    ).T
    mo.vstack([
        mo.md(
            f"**{len(_new_items)} items** appeared only in the test period and drew **{_new_events:,} events** there. "
            "How often each model recommended one of them:"
        ),
        cold_items,
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Where these models sit among machine-learning families

    | family | in recommendation | in this workbench |
    |:---|:---|:---|
    | supervised | predict a rating, a purchase, a click | rating models above (RMSE); the ranker of `TwoStage` (chapter 05) |
    | unsupervised | find structure without labels | latent factors above; customer clustering (chapter 02) |
    | deep / sequence | learn from the order of events in a session | session models and User-Personalization (chapter 06) |
    | reinforcement / bandits | learn by acting and observing the reward | bandits (chapter 09), exploration (chapter 07) |

    Next: chapter 04 looks at items bought and viewed *together*, chapter 05 at item
    descriptions instead of behaviour.
    """)
    return


if __name__ == "__main__":
    app.run()
