import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="12 · Explanations and privacy")

with app.setup:
    import secrets

    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import EXPLANATION, FALLBACK, ITEM_ID, RANK, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.metrics import evaluate
    from workbench.privacy import (
        age_bands,
        apply_opt_out,
        coarsen_timestamps,
        minimize,
        pseudonym_table,
        pseudonymize,
        reidentification_risk,
    )
    from workbench.recommenders import EASE, ContentBased, ItemKNN, Popularity
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.split import leave_last_n

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["GN-23", "GN-24"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 12 · Explanations and privacy

    Two questions every customer may ask of a recommender: **why am I seeing this?**
    and **what do you keep about me?** The first half of this chapter asks each
    workbench model for its reasons; the second half applies data minimisation,
    pseudonymisation and opt-out to the sample shop and measures what the last two
    cost (minimisation is shown, not measured).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(
            ["explainable recommendation", "data minimisation", "pseudonymisation", "anonymisation", "opt-in", "opt-out"]
        )
    )
    return


@app.cell
def _():
    sample = load_sample()
    return (sample,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · "Recommended because ..."

    Every workbench model implements `explain(user, item)` and
    `recommend_explained(users)`. The reason follows from how the model scores: a
    neighbourhood model points at the item you interacted with that made the
    recommendation similar; a content model names the shared attribute; a popularity
    list can only say "popular"; a latent-factor model can only point at history that
    resembles the item in its hidden space. A user the model has never seen gets the
    fallback and is told so.
    """)
    return


@app.cell
def _(sample):
    _counts = sample.interactions[USER_ID].astype(str).value_counts()
    _users = list(pd.unique(sample.interactions[USER_ID].astype(str))[:30]) + ["brand-new-visitor"]
    _default = next((u for u in _users if _counts.get(u, 0) >= 5), _users[0])  # a history long enough to differ
    explain_user = ui.dropdown(_users, value=_default, label="user")
    explain_n = ui.slider(3, 10, value=5, label="items")
    ui.controls(explain_user, explain_n, title="Whose list?")
    return explain_n, explain_user


@app.cell
def _(explain_n, explain_user, sample):
    _models = {
        "Popularity": Popularity(),
        "ItemKNN": ItemKNN(),
        "EASE": EASE(),
        "ContentBased": ContentBased(),
        "UserPersonalization": UserPersonalization(),
    }
    _frames = []
    for _name, _model in _models.items():
        _model.fit(sample.interactions, items=sample.items, users=sample.users)
        _recs = _model.recommend_explained([explain_user.value], n=int(explain_n.value))
        _frames.append(_recs.assign(model=_name)[["model", RANK, ITEM_ID, FALLBACK, EXPLANATION]])
    explanations = pd.concat(_frames, ignore_index=True)
    explanations
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    A good explanation is **true to the model** (it names the evidence the score really
    used, not a story invented afterwards), **short**, and **actionable**: "because you
    viewed the red boots" lets the customer correct the system by removing that view.
    Item-to-item and content-based models explain themselves most naturally, which is
    one reason they are popular on product pages.

    ## 2 · Data minimisation: keep what the purpose needs

    Write the purpose down first, then keep only the columns it needs. To recommend
    from behaviour, the interactions need `USER_ID`, `ITEM_ID` and `TIMESTAMP`
    (required), plus `EVENT_TYPE` when events are weighted by type; demographic fields in the users table are needed only by the
    demographic recommenders. Values can also be made coarser: hours instead of
    seconds, age bands instead of ages.
    """)
    return


@app.cell
def _(sample):
    _keep = [c for c in (USER_ID, ITEM_ID, TIMESTAMP, "EVENT_TYPE") if c in sample.interactions.columns]
    minimal_interactions, minimisation = minimize(sample.interactions, _keep, purpose="recommend from behaviour")
    minimisation.to_frame()
    return (minimal_interactions,)


@app.cell
def _(minimal_interactions):
    _coarse = coarsen_timestamps(minimal_interactions, "hour")
    pd.DataFrame(
        {
            # epoch seconds as plain digits (a number column would show 1,723,683,351)
            "exact TIMESTAMP": minimal_interactions[TIMESTAMP].head(5).astype(str).to_numpy(),
            "coarsened to the hour": _coarse[TIMESTAMP].head(5).astype(str).to_numpy(),
            "as a date (UTC)": pd.to_datetime(_coarse[TIMESTAMP].head(5), unit="s").astype(str).to_numpy(),
        }
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Why removing names is not enough

    A table without names can still point at one person: the only customer who is
    female, in her forties and lives in a given city. The table counts, for growing
    sets of ordinary attributes in the users dataset, how many customers are **unique**
    on them and the size of the smallest group (*k*; k-anonymity asks for every group
    to have at least *k* members). The sample's users table is already coarse (age
    bands, gender, segment); the last column adds something every shop knows, the day
    of the customer's first visit, and the share of customers singled out jumps.
    """)
    return


@app.cell
def _(sample):
    _users = sample.users.copy() if sample.users is not None else pd.DataFrame({USER_ID: sample.interactions[USER_ID].unique()})
    _age = next((c for c in _users.columns if c.upper() in ("AGE", "AGE_YEARS")), None)
    if _age is not None:
        _users["AGE_BAND"] = age_bands(_users[_age])
    # behaviour is a quasi-identifier too: the day of a customer's first visit
    _first = sample.interactions.groupby(USER_ID)[TIMESTAMP].min()
    _users["FIRST_VISIT_DAY"] = _users[USER_ID].map(pd.to_datetime(_first, unit="s").dt.strftime("%Y-%m-%d"))
    # only customers who visited have a first visit day: the others would form one big "no visit" group
    _n_all = len(_users)
    _users = _users[_users["FIRST_VISIT_DAY"].notna()]
    quasi_identifiers = [c for c in _users.columns if c != USER_ID and _users[c].nunique() < len(_users)]
    risk = reidentification_risk(_users, quasi_identifiers) if quasi_identifiers else pd.DataFrame({"note": ["the users dataset has no attribute columns"]})
    _last = risk["unique rows share"].to_numpy() if "unique rows share" in risk else []
    mo.vstack([
        risk,
        mo.md(f"Counted over the {len(_users):,} customers with at least one interaction ({_n_all - len(_users):,} "
              "of the users dataset never visited, so they have no first visit day)."
              + (f" Unique on the attributes before the visit day: {_last[-2]:.1%}; with it: {_last[-1]:.1%}."
                 if len(_last) >= 2 else "")),
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Pseudonymisation keeps the model, hides the name

    `pseudonymize` replaces every `USER_ID` with a keyed token (HMAC-SHA256). The same
    id and key always give the same token, so a model trained on tokens behaves exactly
    like one trained on raw ids: below, the same model is fitted on both and scored on
    the same hold-out. The key must be stored apart from the data, because whoever
    holds it can link tokens back to people (that is what distinguishes
    pseudonymisation from anonymisation). A new key yields unlinkable tokens; this
    notebook draws a fresh random key (`secrets.token_hex(16)`) on every run.
    """)
    return


@app.cell
def _(sample):
    _key = secrets.token_hex(16)
    _tokens = pseudonymize(sample.interactions, _key, columns=[USER_ID])
    _scores = {}
    for _label, _frame in (("raw USER_ID", sample.interactions), ("pseudonymised USER_ID", _tokens)):
        _split = leave_last_n(_frame, n=1)
        _model = ItemKNN().fit(_split.train, items=sample.items)
        _recs = _model.recommend(_split.test_users, n=10)
        _scores[_label] = evaluate(_recs, _split.test, k=10).summary
    pseudonym_scores = pd.DataFrame(_scores).round(6)
    pseudonym_scores["identical"] = pseudonym_scores.iloc[:, 0] == pseudonym_scores.iloc[:, 1]
    pseudonym_preview = pseudonym_table(pd.Series(pd.unique(sample.interactions[USER_ID])[:3]), _key)  # 3 customers
    pseudonym_preview
    return (pseudonym_scores,)


@app.cell
def _(pseudonym_scores):
    pseudonym_scores
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Opt-in, opt-out and the right to be forgotten

    With **opt-in**, a customer's data is used only after they agree; with **opt-out**,
    they can withdraw and their data must stop being used. `apply_opt_out` removes a
    withdrawn customer's rows from the interactions, users and stored recommendation
    frames and reports what it removed; retraining then forgets them. (Amazon
    Personalize can delete users and their data from a dataset group since May 2024,
    per its document history.) The chart counts how many items of a new visitor's
    popular list leave it when the most active customers withdraw, beside a withdrawal
    of as many customers drawn at random (the median of 20 draws): only the difference
    between the two is the weight the most active customers had on everyone else's list. Privacy laws such as the EU's GDPR and California's CCPA are
    the reason these controls are not optional.
    """)
    return


@app.cell
def _():
    withdrawn_share = ui.slider(0.0, 0.3, value=0.1, step=0.05, label="share of the most active customers who opt out")
    withdrawn_share
    return (withdrawn_share,)


@app.cell
def _(sample, withdrawn_share):
    _activity = sample.interactions[USER_ID].astype(str).value_counts()
    _leaving = list(_activity.index[: int(round(len(_activity) * float(withdrawn_share.value)))])
    _stored = Popularity().fit(sample.interactions).recommend(_activity.index[:50], n=10)
    _frames, opt_out_report = apply_opt_out(sample.interactions, _leaving, users=sample.users, recommendations=_stored)
    _before = Popularity().fit(sample.interactions).recommend(["someone-new"], n=10)
    _after = Popularity().fit(_frames["interactions"]).recommend(["someone-new"], n=10)
    opt_out_lists = pd.DataFrame({"before opt-out": _before[ITEM_ID].to_numpy(), "after opt-out": _after[ITEM_ID].to_numpy()})
    opt_out_lists["changed"] = opt_out_lists["before opt-out"] != opt_out_lists["after opt-out"]
    _rng = np.random.default_rng(12)
    _everyone = _activity.index.to_numpy()
    _random_left = []
    for _draw in range(20):  # the same number of customers, drawn at random
        _gone = set(_rng.choice(_everyone, size=len(_leaving), replace=False)) if _leaving else set()
        _kept = sample.interactions[~sample.interactions[USER_ID].astype(str).isin(_gone)]
        _list = Popularity().fit(_kept).recommend(["someone-new"], n=10)[ITEM_ID]
        _random_left.append(len(set(_before[ITEM_ID]) - set(_list)))
    opt_out_effect = {"most active customers opt out": len(set(_before[ITEM_ID]) - set(_after[ITEM_ID])),
                      "as many random customers opt out (median of 20)": float(np.median(_random_left))}
    opt_out_report.to_frame().assign(customers=opt_out_report.users)
    return opt_out_effect, opt_out_lists


@app.cell
def _(opt_out_effect):
    _fig, _ax = plt.subplots(figsize=(7, 3.2))
    _ax.bar(list(opt_out_effect), list(opt_out_effect.values()), color=["tab:purple", "tab:gray"])
    _ax.set_ylabel("items that left the top-10")
    _ax.set_title("A new visitor's popular list after the opt-outs")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(opt_out_lists):
    opt_out_lists
    return


if __name__ == "__main__":
    app.run()
