import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="00 · Tour of the recsys workbench")

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import pandas as pd

    import workbench
    from workbench import glossary, ui
    from workbench.constants import ITEM_ID, RANK, SCORE, TIMESTAMP, USER_ID
    from workbench.curriculum import chapter_frame
    from workbench.data import load_sample
    from workbench.metrics import evaluate
    from workbench.notebook_export import NOTEBOOK_DIR
    from workbench.personalize import PersonalizeRuntime
    from workbench.recommenders import EASE, ItemKNN, Popularity
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.split import personalize_holdout

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["RT-07", "GN-01", "PZ-06"]


@app.cell(hide_code=True)
def _():
    mo.md(rf"""
    # recsys-workbench {workbench.__version__} · a tour

    This workbench teaches recommender systems by running them, on data in the
    **Amazon Personalize** format. Every chapter is a marimo notebook
    (`make run` opens the folder; `marimo edit notebooks/NN_*.py` opens one) with a
    Jupyter copy in `notebooks/jupyter/`. In marimo, moving a control re-runs what
    depends on it; in Jupyter, re-run the cells below a control after changing it.

    The tour runs the whole pipeline once, in six calls, then shows the real-time
    loop of an event tracker, the chapter list and the glossary.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The pipeline in six calls

    | step | Personalize | workbench |
    |:---|:---|:---|
    | collect | interactions CSV in S3 | `data/sample/*.csv` |
    | import | dataset import job | `load_sample()` / `load_interactions(path)` |
    | hold out | automatic (10 % of users) | `personalize_holdout(...)` |
    | train | solution version of a recipe | `Model().fit(...)` |
    | serve | campaign + `GetRecommendations` | `model.recommend(users)` |
    | measure | `GetSolutionMetrics` | `evaluate(recs, test)` |

    Pick a model and a list length; a popularity baseline is always trained next to it.
    """)
    return


@app.cell
def _():
    def _row(ax, y, labels, color, loop=False):
        boxes = [
            ax.text(i * 1.6, y, label, ha="center", va="center", fontsize=8.5,
                    bbox={"boxstyle": "round,pad=0.45", "facecolor": color, "edgecolor": "gray"})
            for i, label in enumerate(labels)
        ]
        for a, b in zip(boxes[:-1], boxes[1:]):
            ax.annotate("", xy=(0, 0.5), xycoords=b, xytext=(1, 0.5), textcoords=a,
                        arrowprops={"arrowstyle": "->", "color": "gray", "shrinkA": 6, "shrinkB": 6})
        if loop:
            ax.annotate("", xy=(0.5, 0), xycoords=boxes[0], xytext=(0.5, 0), textcoords=boxes[-1],
                        arrowprops={"arrowstyle": "->", "color": "tab:red", "shrinkA": 6, "shrinkB": 6,
                                    "connectionstyle": "arc3,rad=-0.2"})

    _fig, _ax = plt.subplots(figsize=(10, 3.2))
    _row(_ax, 1.0, ["load_sample()", "personalize_\nholdout()", "Model().fit()", "recommend()", "evaluate()", "plot"], "#dbe9f6")
    _row(_ax, 0.0, ["user clicks", "event tracker\nput_events", "real-time\nrecommender", "updated\nrecommendations", "shop UI"], "#fde2cf", loop=True)
    _ax.text(-0.9, 1.0, "batch\n(this tour, §1)", ha="right", va="center", fontsize=9)
    _ax.text(-0.9, 0.0, "real time\n(§2)", ha="right", va="center", fontsize=9)
    _ax.set_xlim(-2.2, 8.8)
    _ax.set_ylim(-0.9, 1.5)
    _ax.axis("off")
    _ax.set_title("Two flows: offline pipeline and the real-time feedback loop")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _():
    models = {
        "UserPersonalization": UserPersonalization,
        "EASE": EASE,
        "ItemKNN": ItemKNN,
        "Popularity": Popularity,
    }
    model_choice = ui.dropdown(list(models), value="UserPersonalization", label="model")
    k_choice = ui.slider(5, 25, value=10, label="list length k")
    ui.controls(model_choice, k_choice, title="Pipeline")
    return k_choice, model_choice, models


@app.cell
def _(k_choice, model_choice, models):
    data = load_sample()  # 1 load
    split = personalize_holdout(data.interactions, user_fraction=0.1, test_fraction=0.1, seed=42)  # 2 hold out
    _k = int(k_choice.value)
    _results = {}
    for _name in dict.fromkeys([model_choice.value, "Popularity"]):
        _model = models[_name]().fit(split.fit_frame, items=data.items)  # 3 train
        _recs = _model.recommend(split.test_users, n=_k)  # 4 serve
        _results[_name] = (_model, _recs, evaluate(_recs, split.test, k=_k))  # 5 measure
    chosen_model, chosen_recs, _ = _results[model_choice.value]
    pipeline_scores = pd.DataFrame({name: result[2].summary for name, result in _results.items()}).round(4)
    pipeline_scores
    return chosen_model, chosen_recs, data, pipeline_scores, split


@app.cell
def _(k_choice, pipeline_scores):
    _fig, _ax = plt.subplots(figsize=(8, 3.5))  # 6 plot
    pipeline_scores.plot.bar(ax=_ax, rot=0)
    _ax.set_ylabel("mean over held-out users")
    _ax.set_title(f"Offline metrics at k = {int(k_choice.value)} on the Personalize-style holdout")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    What one held-out user received, with the model's own explanation and whether each
    item was among the interactions the holdout kept secret:
    """)
    return


@app.cell
def _(chosen_model, chosen_recs, split):
    _user = chosen_recs[USER_ID].iloc[0]
    _secret = set(split.test.loc[split.test[USER_ID] == _user, ITEM_ID])
    one_user = chosen_recs[chosen_recs[USER_ID] == _user][[USER_ID, ITEM_ID, SCORE, RANK]].copy()
    one_user["in the held-out future"] = one_user[ITEM_ID].isin(_secret)
    one_user["why"] = [chosen_model.explain(_user, item) for item in one_user[ITEM_ID]]
    one_user
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The real-time loop

    A batch pipeline stops at "measure". In production the loop closes:

    **user interaction → event tracker → recommender → updated recommendations → UI**

    `workbench.personalize` imitates the service's API. Below, a dataset group gets an
    event tracker and a campaign serving a real-time model (like the
    User-Personalization recipe). The user clicks three items of one category; the
    tracker's `put_events` forwards the clicks to the campaign, and the next
    `get_recommendations` answer changes without any retraining. A model without
    real-time updates (Popularity here) would keep its list until the next training.
    """)
    return


@app.cell
def _(data):
    _category_column = next((c for c in ("CATEGORY_L1", "CATEGORY", "GENRES") if data.items is not None and c in data.items.columns), None)
    categories = sorted(data.items[_category_column].astype(str).unique()) if _category_column else ["(no category column)"]
    category_choice = ui.dropdown(categories, value=categories[0], label="the user clicks items of category")
    category_choice
    return (category_choice,)


@app.cell
def _(category_choice, data):
    runtime = PersonalizeRuntime()
    _group = runtime.create_dataset_group(name="shop")["datasetGroupArn"]
    _tracking_id = runtime.create_event_tracker(name="web-and-app", datasetGroupArn=_group)["trackingId"]
    _campaigns = {
        name: runtime.deploy(cls().fit(data.interactions, items=data.items), name=name.lower(), datasetGroupArn=_group)
        for name, cls in (("UserPersonalization", UserPersonalization), ("Popularity", Popularity))
    }
    _user = data.interactions[USER_ID].iloc[0]

    def _top(campaign) -> list[str]:
        answer = runtime.get_recommendations(campaignArn=campaign.campaign_arn, userId=str(_user), numResults=8)
        return [entry["itemId"] for entry in answer["itemList"]]

    _before = {name: _top(c) for name, c in _campaigns.items()}
    _category_column = next((c for c in ("CATEGORY_L1", "CATEGORY", "GENRES") if c in data.items.columns), None)
    _pool = data.items[data.items[_category_column].astype(str) == category_choice.value][ITEM_ID].astype(str)
    _clicked = list(_pool.head(3))
    _now = int(data.interactions[TIMESTAMP].max()) + 60
    runtime.put_events(
        trackingId=_tracking_id,
        userId=str(_user),
        sessionId="tour-session",
        eventList=[{"eventType": "click", "itemId": item, "sentAt": _now + i} for i, item in enumerate(_clicked)],
    )
    _after = {name: _top(c) for name, c in _campaigns.items()}
    _category = data.items.set_index(data.items[ITEM_ID].astype(str))[_category_column].astype(str)
    loop_table = pd.DataFrame(
        {
            f"{name} {moment}": [f"{item} ({_category.get(item, '?')})" for item in lists[name]]
            for moment, lists in (("before", _before), ("after", _after))
            for name in _campaigns
        }
    )
    loop_changed = {name: _before[name] != _after[name] for name in _campaigns}
    mo.md(
        f"User `{_user}` clicked {', '.join(f'`{i}`' for i in _clicked)}. "
        + "; ".join(f"**{n}** list {'changed' if changed else 'did not change'}" for n, changed in loop_changed.items())
        + "."
    )
    return (loop_table,)


@app.cell
def _(loop_table):
    loop_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · The chapters

    The learning path, in order. Each chapter declares the curriculum concepts it
    teaches (`CONCEPTS` in its first cell); `tests/test_curriculum.py` checks that
    every concept is taught somewhere.
    """)
    return


@app.cell
def _():
    chapters = chapter_frame(NOTEBOOK_DIR)
    chapters
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Glossary · 용어집

    The source documents are Korean, the service and the code are English. Search in
    either language (an empty box shows every term).
    """)
    return


@app.cell
def _():
    glossary_query = ui.text(value="", label="search", placeholder="e.g. 추적기, CTR, cold")
    glossary_query
    return (glossary_query,)


@app.cell
def _(glossary_query):
    _query = glossary_query.value.strip()
    _frame = glossary.glossary_frame()
    if _query:
        _hits = {t.english for t in glossary.search(_query)}
        _frame = _frame[_frame["English"].isin(_hits)]
    _frame.reset_index(drop=True)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Where to go next: chapter 01 opens the data format; chapter 08 explains the metrics
    used above; chapter 06 and 07 follow the real-time loop into drift.
    """)
    return


if __name__ == "__main__":
    app.run()
