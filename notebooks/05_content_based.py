import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="05 · Content-based, search fallback and similar images",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from sklearn.decomposition import PCA

    from workbench import glossary, ui
    from workbench.constants import ITEM_ID, RANK, SCORE, USER_ID
    from workbench.data import load_sample
    from workbench.metrics import catalog_coverage, compare_per_user, evaluate, intra_list_diversity
    from workbench.recommenders.content import ContentBased
    from workbench.recommenders.ease import EASE
    from workbench.recommenders.popularity import Popularity
    from workbench.recommenders.random_items import RandomItems
    from workbench.recommenders.two_stage import TwoStage
    from workbench.split import temporal_split

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["GN-05", "GN-07", "GN-08", "GN-13", "GN-22", "DH-09", "DH-12", "DH-15", "DH-16", "DH-17"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 05 · Content-based, search fallback and similar images

    Collaborative filtering (chapter 03) needs other customers' behaviour.
    **Content-based** recommendation needs only a description of each item: its text,
    its categories, its picture. It builds a vector per item and recommends items
    whose vectors resemble those of the items the customer liked.

    `ContentBased` builds the vector from three blocks, each normalised and weighted:
    the **description** (TF-IDF of the words), the **categories** (one token per
    `COLUMN=value`, e.g. `SEASON=winter`) and **visual features** (numbers describing
    the product photo; in practice extracted by a convolutional network trained on
    many images, here the simulator's stand-in for such an embedding). A
    customer's profile is the event-weighted mean of the items they touched; an item's
    score is the cosine between profile and item.

    | strength | weakness |
    |:---|:---|
    | a brand-new item can be recommended on day one (item cold start) | only "more of the same": little serendipity |
    | easy to explain: "shares the words *waterproof*, *leather*" | only as good as the metadata |
    | needs no other customers | a new *customer* still has no profile |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["content-based recommendation", "metadata", "cold start", "hybrid recommender", "candidate generation", "filter"])
    )
    return


@app.cell
def _():
    sample = load_sample()
    catalog = sample.items.set_index(sample.items[ITEM_ID].astype(str))
    sample.items[[ITEM_ID, "CATEGORY_L1", "SEASON", "BRAND", "PRICE", "PRODUCT_DESCRIPTION", "VISUAL_0", "VISUAL_1"]].head(4)
    return catalog, sample


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Similar items from descriptions and categories

    Pick a shoe and the weight of each block. With only the description, items that
    share rare words rank high; with only categories (five tokens: category, sub-category,
    colour, brand and season), every shoe sharing the same number of those tokens ties;
    the visual block groups shoes that *look* alike.
    """)
    return


@app.cell
def _(sample):
    anchor_choice = ui.dropdown(list(sample.items[ITEM_ID].astype(str)[:60]), value=str(sample.items[ITEM_ID].iloc[0]), label="shoe")
    text_weight = ui.slider(0.0, 2.0, value=1.0, step=0.1, label="description weight")
    category_weight = ui.slider(0.0, 2.0, value=0.5, step=0.1, label="category weight")
    visual_weight = ui.slider(0.0, 2.0, value=1.0, step=0.1, label="visual weight")
    ui.controls(anchor_choice, text_weight, category_weight, visual_weight, title="Item similarity")
    return anchor_choice, category_weight, text_weight, visual_weight


@app.cell
def _(anchor_choice, catalog, category_weight, sample, text_weight, visual_weight):
    mo.stop(float(text_weight.value) + float(category_weight.value) + float(visual_weight.value) == 0,
            mo.md("Every block has weight 0, so there is nothing to compare: set at least one weight above 0."))
    content_model = ContentBased(
        text_weight=float(text_weight.value),
        categorical_weight=float(category_weight.value),
        visual_weight=float(visual_weight.value),
    ).fit(sample.interactions, items=sample.items)
    _anchor = anchor_choice.value
    _similar = content_model.similar_items([_anchor], n=6)
    _inner = content_model.item_vocab.to_inner([_anchor])[0]
    similar_table = pd.DataFrame(
        {
            "item": _similar[ITEM_ID],
            "similarity": _similar[SCORE].round(3),
            "category": _similar[ITEM_ID].map(catalog["CATEGORY_L1"]),
            "season": _similar[ITEM_ID].map(catalog["SEASON"]),
            "shared words": [
                ", ".join(content_model.shared_words(_inner, content_model.item_vocab.to_inner([i])[0])) for i in _similar[ITEM_ID]
            ],
            "description": _similar[ITEM_ID].map(catalog["PRODUCT_DESCRIPTION"]),
        }
    )
    mo.vstack([mo.md(f"**{_anchor}**: {catalog.loc[_anchor, 'PRODUCT_DESCRIPTION']}"), similar_table])
    return (content_model,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Similar-image recommendations

    `similar_looking` uses the visual block alone: the items whose photo features are
    nearest. The map squeezes the 8 visual numbers to two dimensions; the chosen shoe
    is the black star, its visual neighbours are circled. Shoes that look alike need
    not share a category, which is what makes "similar style" lists feel different
    from category browsing.
    """)
    return


@app.cell
def _(anchor_choice, catalog, content_model, sample):
    _visual_columns = [c for c in sample.items.columns if c.startswith("VISUAL_")]
    _points = PCA(n_components=2, random_state=42).fit_transform(sample.items[_visual_columns].to_numpy(float))
    _ids = sample.items[ITEM_ID].astype(str).to_numpy()
    _looking = content_model.similar_looking([anchor_choice.value], n=6)
    _fig, _ax = plt.subplots(figsize=(8, 5))
    _category = sample.items["CATEGORY_L1"].to_numpy()
    for _name in sorted(set(_category)):
        _ax.scatter(*_points[_category == _name].T, s=14, alpha=0.7, label=_name)
    _near = np.isin(_ids, _looking[ITEM_ID])
    _ax.scatter(*_points[_near].T, s=120, facecolors="none", edgecolors="black", label="visually similar")
    _ax.scatter(*_points[_ids == anchor_choice.value].T, s=200, marker="*", color="black", label=anchor_choice.value)
    _ax.set_title("Visual features of every shoe (PCA), coloured by category")
    _ax.legend(fontsize=7, ncol=2)
    _fig.tight_layout()
    plt.close(_fig)
    looking_table = _looking.assign(category=_looking[ITEM_ID].map(catalog["CATEGORY_L1"]), color=_looking[ITEM_ID].map(catalog["COLOR"]))
    mo.vstack([_fig, looking_table[[ITEM_ID, SCORE, RANK, "category", "color"]].round({SCORE: 3})])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Search with a fallback

    A search box that answers "no results" loses the visitor. `ContentBased.search`
    answers in three steps: items whose text contains the keyword; if none, the items
    whose text is nearest by character n-grams (so a typo like *sneekers* still finds
    sneakers); if even that finds nothing, popular items. The message says which step
    answered. Try `waterproof`, `sneekers`, `hiking boot`, `xyzzy`.
    """)
    return


@app.cell
def _():
    query = ui.text(value="sneekers", label="search", placeholder="e.g. waterproof, sneekers, xyzzy")
    query
    return (query,)


@app.cell
def _(catalog, content_model, query):
    _hits = content_model.search(query.value, n=6)
    search_table = _hits.assign(description=_hits[ITEM_ID].map(catalog["PRODUCT_DESCRIPTION"])).round({SCORE: 3})
    mo.vstack([mo.md(f"*{_hits.attrs.get('message', '')}*"), search_table])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The item cold start, and where content wins

    Temporal split again (the oldest 80 % of the events for training). The Items file
    lists every shoe in the catalogue, including those that got their first event only
    in the test period, as a shop's catalogue would. Which models can recommend those
    new shoes at all? And what does each model cost in accuracy and variety?

    *ILD* (intra-list diversity) is 1 minus the mean similarity of the items within a
    list, using category, season, colour and brand: low = the list is "more of the same".
    """)
    return


@app.cell
def _(sample):
    split = temporal_split(sample.interactions, test_fraction=0.2)
    test_users = split.test[USER_ID].unique()
    new_items = sorted(set(sample.items[ITEM_ID].astype(str)) - set(split.train[ITEM_ID]))
    _models = {
        "ContentBased": ContentBased(),
        "EASE (CF)": EASE(),
        "TwoStage (hybrid)": TwoStage(),
        "Popularity": Popularity(),
        "Random lists": RandomItems(),
    }
    cold_recs = {name: m.fit(split.train, items=sample.items, users=sample.users).recommend(test_users, n=10) for name, m in _models.items()}
    _features = sample.items[[ITEM_ID, "CATEGORY_L1", "SEASON", "COLOR", "BRAND"]]
    _rows, cold_evals = {}, {}
    for _name, _recs in cold_recs.items():
        cold_evals[_name] = evaluate(_recs, split.test, k=10, metrics=["ndcg", "recall"])
        _scores = cold_evals[_name].summary.copy()
        _on_new = split.test[split.test[ITEM_ID].isin(new_items)]
        _scores["Recall@10 on new items"] = evaluate(_recs, _on_new, k=10, metrics=["recall"]).summary["Recall@10"] if len(_on_new) else np.nan
        _scores["new items shown"] = _recs[ITEM_ID].isin(new_items).sum()
        _scores["coverage"] = catalog_coverage(_recs, sample.items[ITEM_ID])
        _scores["ILD"] = intra_list_diversity(_recs, _features)
        _rows[_name] = _scores
    cold_table = pd.DataFrame(_rows).T.round(4)
    mo.vstack([
        mo.md(f"{len(new_items)} shoes had no event before the test period; {split.test[ITEM_ID].isin(new_items).sum():,} test events went to them."),
        cold_table,
    ])
    return cold_evals, cold_recs, cold_table, new_items, split


@app.cell
def _(cold_table):
    _fig, _axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for _ax, _column in zip(_axes, ["NDCG@10", "new items shown", "ILD"]):
        _ax.barh(cold_table.index, cold_table[_column].to_numpy(), color="tab:blue")
        _ax.set_title(_column)
        _ax.invert_yaxis()
    _axes[1].set_yticks([])
    _axes[2].set_yticks([])
    _fig.suptitle("Accuracy, reach into new items, and variety within a list")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(cold_evals, cold_table):
    _vs = {n: compare_per_user(cold_evals["ContentBased"], cold_evals[n], "NDCG@10") for n in ("EASE (CF)", "Popularity")}
    _hybrid = compare_per_user(cold_evals["TwoStage (hybrid)"], cold_evals["EASE (CF)"], "NDCG@10")

    _new = cold_table["new items shown"]
    mo.md(
        "Of the trained models only the content-based one puts the new shoes into lists ("
        + ", ".join(f"{n} {int(v)}" for n, v in _new.items()) + " new-item slots; random lists show them too, by "
        "chance): the others cannot score an item that never had an interaction. Whether those showings turn into "
        f"hits depends on the few test events the new shoes drew (Recall@10 on new items: ContentBased "
        f"{cold_table.loc['ContentBased', 'Recall@10 on new items']:.3f}, random lists "
        f"{cold_table.loc['Random lists', 'Recall@10 on new items']:.3f}). Over the whole test period ContentBased "
        f"minus EASE is {_vs['EASE (CF)']} ({_vs['EASE (CF)'].verdict()}) and minus popularity "
        f"{_vs['Popularity']} ({_vs['Popularity'].verdict()}) in NDCG@10 (paired, 95 % bootstrap); its ILD is "
        f"{cold_table.loc['ContentBased', 'ILD']:.3f} against {cold_table.loc['Popularity', 'ILD']:.3f} for popularity "
        "(it keeps proposing the kind of shoe the customer already knows). This `TwoStage` takes its candidates from "
        f"behaviour only, so it shows no new shoe either; against EASE it is {_hybrid} ({_hybrid.verdict()})."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    That is the classic trade-off, and the reason for **hybrids**: use content where
    behaviour is missing (new items, thin histories) and behaviour where it exists.
    Personalize's User-Personalization recipe does a version of this with
    **exploration**: it mixes new items, with little interaction data, into the lists
    (chapter 07).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · A hybrid in two stages: candidates, then a ranker

    Scoring every item with an expensive model is too slow for a large catalogue, so
    large systems work in two stages (the commercial solution cites a video site's
    deep recommender built this way):

    1. **candidate generation**, cheap and generous: the most popular items plus the
       items the customer's **ALS** vector scores highest (collaborative signal:
       implicit-feedback matrix factorization, the latent factors of chapter 03 learned
       from clicks and purchases instead of ratings; an item's score is the product of
       the customer's vector and the item's);
    2. **ranking**, precise but run only on those candidates: a classifier predicts the
       chance the customer interacts with each candidate from features that mix
       behaviour and content (popularity, co-occurrence with the customer's history,
       affinity to the item's category, price, days since the item was last touched,
       and the ALS score itself). The document puts a deep network in this stage; a
       logistic regression plays the part here, the structure is the same.

    `TwoStage` is therefore also a **hybrid**: collaborative candidates, content
    features in the ranker. Below, one customer's candidates with their source
    (`popular`, `als`, or `both` when both generators proposed the item), the
    features, and the ranker's score; the top of this table is the final list.
    `TwoStage(base="cooccurrence")` swaps the ALS generator for a cheaper one, the
    items that co-occur with the customer's history; it ranks far worse on MovieLens
    100k (NDCG@10 0.26 against 0.49 for the ALS default, barely above popularity's
    0.25; `benchmarks/bench_quality.py`, README table).
    """)
    return


@app.cell
def _(catalog, sample, split):
    two_stage = TwoStage(n_candidates=30).fit(split.train, items=sample.items)
    _user = split.train[USER_ID].value_counts().index[5]
    _candidates = two_stage.candidates([_user]).sort_values("SCORE", ascending=False)
    candidate_table = _candidates.assign(category=_candidates[ITEM_ID].map(catalog["CATEGORY_L1"])).round(3).head(12).reset_index(drop=True)
    mo.vstack([
        mo.md(f"Customer `{_user}`: {len(_candidates)} candidates, by source: "
              + ", ".join(f"{k} {v}" for k, v in _candidates["SOURCE"].value_counts().items())
              + f". Ranker: {two_stage.config.ranker}."),
        candidate_table,
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Knowledge and context: rules the model must respect

    Some knowledge is not in the interaction log: "in a snowstorm, show winter shoes",
    "this customer's budget is 60". **Knowledge- and context-aware** recommendation
    applies such rules to the model's output. In Personalize they are **filters**
    (expressions with parameters filled per request) and **contextual metadata**
    (e.g. DEVICE) passed with `GetRecommendations`. The workbench understands the same
    filter expressions. Set the context:
    """)
    return


@app.cell
def _():
    season_context = ui.dropdown(["winter", "summer", "all-year"], value="winter", label="season / weather")
    budget = ui.slider(20, 250, value=80, step=10, label="budget (max price)")
    ui.controls(season_context, budget, title="Request context")
    return budget, season_context


@app.cell
def _(budget, catalog, sample, season_context, split):
    context_filter = "INCLUDE ItemID WHERE Items.SEASON IN ($SEASON) AND Items.PRICE <= $BUDGET"
    _user = split.train[USER_ID].value_counts().index[5]
    _model = EASE().fit(split.train, items=sample.items)
    _plain = _model.recommend([_user], n=8)
    _ruled = _model.recommend(
        [_user], n=8, filter=context_filter, filter_values={"SEASON": f'"{season_context.value}"', "BUDGET": str(int(budget.value))}
    )

    def _show(recs: pd.DataFrame) -> list[str]:
        return [f"{i} · {catalog.loc[i, 'CATEGORY_L1']}, {catalog.loc[i, 'SEASON']}, {catalog.loc[i, 'PRICE']:.0f}" for i in recs[ITEM_ID]]

    context_table = pd.DataFrame(
        {"no context": pd.Series(_show(_plain), dtype=object), "with the context rule": pd.Series(_show(_ruled), dtype=object)}
    ).fillna("")
    context_table.index = pd.RangeIndex(1, len(context_table) + 1, name="rank")
    mo.vstack([mo.md(f"Filter: `{context_filter}` for customer `{_user}`"), context_table])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    The same mechanism covers the industry cases the overview mentions:

    | industry | typical need | mechanism shown in the workbench |
    |:---|:---|:---|
    | retail | related items, seasonal offers | similar items (section 1), the season rule above, bought together (chapter 04) |
    | content / media | variety, novelty, fresh items | ILD above, content fallback for new items, exploration (chapter 07) |
    | finance | products must fit the customer's risk profile | a hard constraint like the budget rule: `INCLUDE ... WHERE Items.RISK <= $MAX_RISK` |
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7 · Reviews as content

    Reviews carry two signals: **stars** (explicit feedback, usable as ratings; chapter
    03's rating models learn them with `feedback="explicit"`) and **words** that the
    catalogue lacks ("runs small", "warm enough for snow"). Review-based
    recommendation adds what reviewers say to the item's text, so search and
    similarity can use it. (The commercial solution's document also describes a
    behavioural variant: customers who write, read or click the same reviews are
    similar, which is user-based CF with "engaged with a review" as the event.) The
    shop has no reviews, so here are six, written for this lesson; type a word that
    appears only in them and compare the search before and after.
    """)
    return


@app.cell
def _(sample):
    _ids = sample.items[ITEM_ID].astype(str)
    reviews = pd.DataFrame(
        {
            ITEM_ID: [_ids.iloc[1], _ids.iloc[1], _ids.iloc[5], _ids.iloc[9], _ids.iloc[12], _ids.iloc[20]],
            "STARS": [5, 4, 2, 5, 3, 4],
            "REVIEW": [
                "Cosy and snug, perfect after a snowy walk.",
                "Snug fit, my feet stay toasty all evening.",
                "Runs small and pinches at the toes.",
                "Survived a muddy trail marathon, still comfy.",
                "Pretty, but squeaky on wet floors.",
                "Toasty and light, great gift.",
            ],
        }
    )
    review_word = ui.text(value="toasty", label="word from the reviews", placeholder="e.g. toasty, snug, squeaky")
    mo.vstack([reviews, review_word])
    return review_word, reviews


@app.cell
def _(review_word, reviews, sample):
    _review_text = reviews.groupby(ITEM_ID)["REVIEW"].agg(" ".join)
    _with_reviews = sample.items.assign(
        PRODUCT_DESCRIPTION=sample.items["PRODUCT_DESCRIPTION"]
        + " "
        + sample.items[ITEM_ID].astype(str).map(_review_text).fillna("")
    )
    _before = ContentBased().fit(sample.interactions, items=sample.items).search(review_word.value, n=4)
    _after = ContentBased().fit(sample.interactions, items=_with_reviews).search(review_word.value, n=4)
    _stars = reviews.groupby(ITEM_ID)["STARS"].mean()
    review_search = pd.DataFrame(  # Series of unequal length align on position, gaps stay empty
        {
            "catalogue text only": pd.Series(list(_before[ITEM_ID] + " (" + _before["MATCH"] + ")"), dtype=object),
            "with review text": pd.Series(list(_after[ITEM_ID] + " (" + _after["MATCH"] + ")"), dtype=object),
            "mean stars of the item's reviews": pd.Series([_stars.get(i, np.nan) for i in _after[ITEM_ID]], dtype=float),
        }
    ).fillna({"catalogue text only": "", "with review text": ""})
    mo.vstack([mo.md(f"*Before:* {_before.attrs['message']}  \n*After:* {_after.attrs['message']}"), review_search])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Next: chapter 06 follows the customer's clicks as they happen, with an event tracker.
    """)
    return


if __name__ == "__main__":
    app.run()
