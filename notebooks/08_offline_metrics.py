import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="08 · Offline metrics and their conventions",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import ITEM_ID, RANK, USER_ID
    from workbench.data import load_sample
    from workbench.metrics import (
        CONVENTIONS,
        PERSONALIZE_METRIC_NAMES,
        catalog_items,
        compare,
        compare_per_user,
        evaluate,
        metric_label,
        mrr_at_k,
        personalize_report,
        repeat_share,
    )
    from workbench.recommenders import EASE, ItemKNN, Popularity, RandomItems
    from workbench.split import personalize_holdout

    CONCEPTS = ["GN-10"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 08 · Offline metrics and their conventions

    An **offline metric** grades a model on history it did not see. Hide the newest
    interactions, ask the model for a top-$k$ list, and count how many hidden items the
    list recovers and how high they sit. A hidden item the user really interacted with
    is a **relevant** item; position 1 is the top of the list.

    Amazon Personalize does this for you after each training: it keeps 10 % of the users
    out of training, gives the model the oldest 90 % of each of those users'
    interactions, and compares its recommendations with the newest 10 %. It reports
    `precision_at_K`, `normalized_discounted_cumulative_gain_at_K` (K = 5, 10, 25),
    `mean_reciprocal_rank_at_25` and `coverage`. This chapter computes those numbers
    and the other classics (recall, F1, MAP, hit rate) with `workbench.metrics`, and
    shows why the same name can give different numbers in different tools.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(
            ["offline metric", "holdout", "precision", "recall", "NDCG", "MRR"]
        )
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The definitions, with their edge cases

    For one user with relevant set $R$ (|R| items) and a ranked list $L$, let
    $\mathrm{hit}_p = 1$ when the item at position $p$ is in $R$.

    | metric | formula at cut-off $k$ | edge cases |
    |:---|:---|:---|
    | Precision@k | $\frac{1}{k}\sum_{p\le k}\mathrm{hit}_p$ | a list shorter than $k$ cannot reach 1 (Personalize divides by $k$) |
    | Recall@k | $\frac{1}{\lvert R\rvert}\sum_{p\le k}\mathrm{hit}_p$ | with $\lvert R\rvert > k$ it cannot reach 1, unless the tool divides by $\min(k, \lvert R\rvert)$ |
    | F1@k | $\frac{2PR}{P+R}$ | 0 when there is no hit |
    | HitRate@k | 1 if any hit in the top $k$, else 0 | ignores how many and where |
    | MRR@k | $1/p^\ast$, $p^\ast$ = position of the first hit | 0 without a hit; later hits are ignored |
    | MAP@k | $\frac{1}{D}\sum_{p\le k}\mathrm{hit}_p \cdot \mathrm{Precision@}p$ | $D$ varies by tool: $\lvert R\rvert$, $\min(k,\lvert R\rvert)$, ...; the workbench's personalize convention uses $\min(k,\lvert R\rvert)$ (Personalize itself reports no MAP) |
    | NDCG@k | $\frac{\sum_{p\le k}\mathrm{hit}_p / \log(1+p)}{\text{same sum for the ideal order}}$ | in $[0, 1]$; the log base cancels; some tools use $1/\log_2\max(p,2)$ |

    Every metric is computed per user and then averaged over users. A user with no
    relevant items has nothing to find: the workbench's personalize convention leaves
    them out of the mean (Personalize's own holdout gives every test user held-out
    interactions, so the case does not arise there), LensKit gives them NaN (also left
    out), a "zero" policy would drag the mean down.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The guide's worked examples, computed live

    The Personalize developer guide gives two small examples. Below, the same lists are
    written as Personalize-format frames and scored by `workbench.metrics.evaluate`;
    the last column compares with the documented value.

    *Example A*: one user, relevant items at positions 2 and 5, $k = 5$
    (guide: reciprocal rank 0.5, NDCG@5 0.6241, precision@5 0.4).
    """)
    return


@app.cell
def _():
    _recs = pd.DataFrame({USER_ID: "u1", ITEM_ID: [f"item{p}" for p in range(1, 6)], RANK: range(1, 6)})
    _truth = pd.DataFrame({USER_ID: "u1", ITEM_ID: ["item2", "item5"]})
    example_a = evaluate(_recs, _truth, k=5, metrics=["mrr", "ndcg", "precision"])
    _documented = {"MRR@5": 0.5, "NDCG@5": 0.6241, "Precision@5": 0.4}
    example_a_table = pd.DataFrame(
        {
            "workbench": example_a.summary.round(4),
            "developer guide": pd.Series(_documented),
        }
    )
    example_a_table["matches"] = np.isclose(example_a_table["workbench"], example_a_table["developer guide"], atol=5e-5)
    example_a_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    *Example B*: three users whose relevant items sit at positions {4, 10}, {2, 4, 12}
    and {6}. Only the first hit counts, so MRR@25 = (1/4 + 1/2 + 1/6) / 3
    (guide: 0.3056).
    """)
    return


@app.cell
def _():
    _positions = {"a": [4, 10], "b": [2, 4, 12], "c": [6]}
    _recs = pd.DataFrame(
        [(u, f"{u}-{p}", p) for u in _positions for p in range(1, 26)], columns=[USER_ID, ITEM_ID, RANK]
    )
    _truth = pd.DataFrame([(u, f"{u}-{p}") for u, ps in _positions.items() for p in ps], columns=[USER_ID, ITEM_ID])
    example_b = mrr_at_k(_recs, _truth, k=25)
    example_b_table = example_b.rename("reciprocal rank").to_frame()
    example_b_table.loc["mean (MRR@25)"] = example_b.mean()
    assert abs(example_b.mean() - 0.3056) < 5e-5, "workbench disagrees with the developer guide"
    example_b_table.round(4)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Playground: one list, three conventions

    Describe one user's list: where the hits are, how many relevant items the user has
    in total (hits plus relevant items the list missed) and how long the list is. The
    table scores it under three conventions: **personalize** (the guide's
    definitions), **recommenders** (Microsoft Recommenders) and **lenskit** (LensKit
    for Python). Try: a list shorter than $k$; more relevant items than $k$; a hit at
    position 1 versus position 2.
    """)
    return


@app.cell
def _():
    k_slider = ui.slider(1, 25, value=10, label="k (cut-off)")
    hits_text = ui.text(value="2, 5", label="hit positions", placeholder="e.g. 1, 3, 8")
    relevant_slider = ui.slider(1, 30, value=3, label="relevant items in total")
    length_slider = ui.slider(1, 25, value=25, label="list length")
    ui.controls(k_slider, hits_text, relevant_slider, length_slider, title="One user's list")
    return hits_text, k_slider, length_slider, relevant_slider


@app.cell
def _(hits_text, length_slider, relevant_slider):
    def _parse(text: str, length: int) -> tuple[list[int], str]:
        """Hit positions from free text; bad or out-of-range entries are reported, not dropped silently."""
        positions, problems = [], []
        for token in text.replace(";", ",").split(","):
            token = token.strip()
            if not token:
                continue
            if not token.isdigit() or not 1 <= int(token) <= length:
                problems.append(token)
            elif int(token) not in positions:
                positions.append(int(token))
        note = f"Ignored {problems}: positions must be whole numbers from 1 to the list length ({length})." if problems else ""
        return sorted(positions), note

    list_length = int(length_slider.value)
    hit_positions, parse_note = _parse(hits_text.value, list_length)
    n_relevant = max(int(relevant_slider.value), len(hit_positions))
    playground_recs = pd.DataFrame(
        {USER_ID: "u1", ITEM_ID: [f"item{p}" for p in range(1, list_length + 1)], RANK: range(1, list_length + 1)}
    )
    _missed = [f"missed{i}" for i in range(n_relevant - len(hit_positions))]
    playground_truth = pd.DataFrame({USER_ID: "u1", ITEM_ID: [f"item{p}" for p in hit_positions] + _missed})
    mo.md(
        f"List of {list_length} items, hits at {hit_positions or 'no position'}, "
        f"{n_relevant} relevant items in total. {parse_note}"
    )
    return playground_recs, playground_truth


@app.cell
def _(k_slider, playground_recs, playground_truth):
    crosswalk = pd.DataFrame(
        {
            name: evaluate(playground_recs, playground_truth, k=int(k_slider.value), convention=name).summary
            for name in CONVENTIONS
        }
    ).round(4)
    crosswalk["differs"] = crosswalk.nunique(axis=1) > 1
    crosswalk
    return (crosswalk,)


@app.cell
def _(crosswalk, k_slider):
    _fig, _ax = plt.subplots(figsize=(8, 3.6))
    crosswalk.drop(columns="differs").plot.bar(ax=_ax, rot=30, width=0.8)
    plt.setp(_ax.get_xticklabels(), ha="right", rotation_mode="anchor")  # metric names do not overlap
    _ax.set_xlabel("")
    _ax.set_ylim(0, 1.05)
    _ax.set_ylabel("score")
    _ax.set_title(f"The same list scored under three conventions (k = {int(k_slider.value)})")
    _ax.legend(title="convention", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### What exactly differs

    Each convention is a small object of choices (`workbench.metrics.Convention`).
    The rows below are the knobs; the playground's "differs" column lights up when one
    of them matters for your list. The playground has one user with both a list and
    relevant items, so the two knobs about missing users never matter there:
    **recommenders** equals **personalize** unless some user has no list; they matter
    in section 5's real holdout only when a model leaves a user without a list.
    """)
    return


@app.cell
def _():
    convention_table = pd.DataFrame(
        {name: {k: v for k, v in vars(c).items() if k != "name"} for name, c in CONVENTIONS.items()}
    )
    convention_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · How the scores move with $k$

    The same list scored at every cut-off from 1 to 25 (personalize convention).
    Precision usually falls as $k$ grows (more slots to fill), recall can only grow,
    MRR is fixed from the first hit on, and NDCG keeps falling after the last hit until
    $k$ reaches the number of relevant items (its ideal keeps growing until then).
    """)
    return


@app.cell
def _(playground_recs, playground_truth):
    by_k = evaluate(playground_recs, playground_truth, k=list(range(1, 26)), metrics=["precision", "recall", "ndcg", "mrr"]).summary
    _curves = by_k.rename(lambda label: label.split("@")[0]).groupby(level=0, sort=False)
    _fig, _ax = plt.subplots(figsize=(8, 3.6))
    for _name, _values in _curves:
        _ax.plot(range(1, 26), _values.to_numpy(), marker="o", markersize=3, label=_name)
    _ax.set_xlabel("k")
    _ax.set_ylabel("score")
    _ax.set_ylim(0, 1.05)
    _ax.set_title("Metric versus cut-off for the playground list")
    _ax.legend()
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Real models on a Personalize-style holdout

    Now the same metrics on the sample shop: `personalize_holdout` keeps 10 % of the
    users aside and the newest 10 % of their interactions (at least one per user) as
    the truth; `workbench.metrics.compare` fits each model on the other 90 % of the
    users **plus** the older 90 % of the held-out users' history (Personalize trains
    without them and only feeds that history when scoring) and scores its top-k lists
    (k is the playground's slider). Popularity is the baseline, random lists the floor.
    The second table reports EASE under the names `GetSolutionMetrics` uses.

    Lists leave out the items a customer already touched, yet customers come back to
    shoes they looked at before: the sentence under the table counts how much of the
    truth such repeats are, and the switch lets the lists repeat them. Coverage depends
    on the list length (k here, 25 in the Personalize table) and means nothing without
    an accuracy metric beside it: random lists cover almost everything.
    """)
    return


@app.cell
def _():
    real_convention = ui.dropdown(list(CONVENTIONS), value="personalize", label="convention")
    allow_repeats = ui.checkbox(value=False, label="let the lists repeat items the customer already touched")
    ui.controls(real_convention, allow_repeats, title="Holdout")
    return allow_repeats, real_convention


@app.cell
def _(allow_repeats, k_slider, real_convention):
    sample = load_sample()
    holdout = personalize_holdout(sample.interactions, user_fraction=0.1, test_fraction=0.1, seed=42)
    _table, model_evals = compare(
        {"Popularity (baseline)": Popularity(), "ItemKNN": ItemKNN(), "EASE": EASE(), "Random lists": RandomItems()},
        holdout,
        k=int(k_slider.value),
        convention=real_convention.value,
        items=sample.items,
        exclude_seen=not allow_repeats.value,
        with_evaluations=True,
    )
    model_table = _table.set_index("model")
    model_table.round(4)
    return holdout, model_evals, model_table, sample


@app.cell
def _(allow_repeats, holdout, k_slider, model_evals, model_table):
    _share, _hopeless, _users = repeat_share(holdout)
    _metric = f"NDCG@{int(k_slider.value)}"
    _pairs = {("EASE", "Popularity (baseline)"), ("ItemKNN", "Popularity (baseline)"), ("EASE", "ItemKNN")}
    _diffs = {(a, b): compare_per_user(model_evals[a], model_evals[b], _metric) for a, b in sorted(_pairs)}

    mo.md(
        f"{_share:.0%} of the held-out interactions are with items already in that customer's input history; "
        f"for {_hopeless} of the {_users} test users every held-out item is such a repeat"
        + (", so with repeats excluded they cannot score at all, whatever the model. " if not allow_repeats.value else
           ", and with repeats allowed the lists may hit them. ")
        + f"{_metric}, paired over the same {_users} users (95 % bootstrap): "
        + "; ".join(f"{a} minus {b} {d} ({d.verdict('ahead', 'behind')})" for (a, b), d in _diffs.items())
        + f". Random lists: {model_table.loc['Random lists', _metric]:.4f}. With so few test users, read the "
        "table's fourth decimal as noise."
    )
    return


@app.cell
def _(holdout, sample):
    _model = EASE().fit(holdout.fit_frame, items=sample.items)
    _recs = _model.recommend(holdout.test_users, n=25)
    _catalog = catalog_items(holdout.fit_frame, sample.items)
    _report = personalize_report(_recs, holdout.test, catalog_item_ids=_catalog)
    # short name with its cut-off first (the Personalize names are long enough to be cut off in a table)
    pd.DataFrame(
        {
            "Personalize name": list(_report),
            "EASE": [round(v, 4) for v in _report.values()],
        },
        index=pd.Index(
            [metric_label(*PERSONALIZE_METRIC_NAMES[n]) if n in PERSONALIZE_METRIC_NAMES else n for n in _report],
            name="metric",
        ),
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Reading metrics responsibly

    * Compare models only on the **same split of the same data**. A model trained on
      plentiful `view` events can look better than one trained on rare `purchase`
      events purely because there is more to hit.
    * Always put a **popularity baseline** next to a model (Personalize suggests
      Popularity-Count for this).
    * Say which convention you used. "NDCG@10 = 0.31" means little without it.
    * Offline metrics cannot measure business impact: that needs an online test
      (chapter 09).
    """)
    return


if __name__ == "__main__":
    app.run()
