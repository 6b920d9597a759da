import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="01 · Personalize-format data and schemas",
)

with app.setup:
    import json
    import shutil
    import tempfile
    from pathlib import Path

    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui, wording
    from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
    from workbench.data import (
        check_schema,
        default_schema,
        load_interactions,
        load_sample,
        load_schema,
        to_personalize,
        validate_interactions,
    )
    from workbench.errors import DatasetError
    from workbench.preprocess import preprocess, user_activity
    from workbench.split import personalize_holdout

    pd.set_option("display.max_colwidth", 300)  # show whole error messages in Jupyter too

    CONCEPTS = ["PZ-05", "PZ-06", "RT-05", "RT-06", "GN-02", "GN-03"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 01 · Personalize-format data and schemas

    For the recipes in this course, Amazon Personalize learns from up to three tables
    (two more, Actions and Action interactions, exist only for Next-Best-Action), each
    a CSV file with a header row and each described by an **Avro schema**:

    | dataset | key | required columns | needed? |
    |:---|:---|:---|:---|
    | Item interactions | one row per event | `USER_ID` (string), `ITEM_ID` (string), `TIMESTAMP` (long, Unix epoch **seconds**) | always |
    | Items | `ITEM_ID` | `ITEM_ID` + at least one metadata field | optional |
    | Users | `USER_ID` | `USER_ID` + at least one metadata field | optional |

    The interactions table may also carry the reserved columns `EVENT_TYPE`,
    `EVENT_VALUE`, `IMPRESSION`, `RECOMMENDATION_ID` and up to five custom metadata
    fields (context such as `DEVICE`); the optional fields (`EVENT_TYPE`, `EVENT_VALUE`,
    custom) plus the number of distinct event types must total 10 or fewer. The service pipeline is *upload to S3 → import job → choose a
    recipe → train*; in the workbench the same steps are `to_personalize` (write the
    files and schemas), `load_*` (import with validation) and `Model().fit(...)`.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(
            ["interactions dataset", "items dataset", "users dataset", "schema", "event type", "timestamp"]
        )
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Load the bundled shop

    `load_sample()` reads `data/sample/` through the same loaders you would use for
    your own files. Each load returns a report: rows read, kept and rejected (nothing
    is dropped without being listed) plus the dataset-level checks.
    """)
    return


@app.cell
def _():
    sample = load_sample()
    load_table = pd.DataFrame(
        [
            {
                "dataset": kind,
                "rows read": report.rows_read,
                "rows kept": report.rows_kept,
                "rows rejected": report.rows_rejected,
                "columns": ", ".join(sample.frames()[kind].columns),
            }
            for kind, report in sample.reports.items()
        ]
    )
    load_table
    return (sample,)


@app.cell
def _(sample):
    wording.with_dates(sample.interactions.head(8))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · What kind of data is this?

    Recommenders learn from **explicit** feedback (ratings, reviews: the user tells you)
    and **implicit** feedback (views, clicks, cart adds, purchases: you infer it from
    behaviour), plus **context** (time, device, session) and **item attributes**. The
    shop's log is implicit. `EVENT_TYPE` says which kind each row is; a purchase says
    more than a view, which is why the workbench weighs event types differently when it
    turns events into scores (view 1, click 2, cart 4, purchase 8). Personalize itself
    (in a custom dataset group) uses every event type with equal weight unless you
    train on one event type or, with the v2 recipes, give weights in an events
    configuration.
    """)
    return


@app.cell
def _(sample):
    _types = sample.interactions[EVENT_TYPE] if EVENT_TYPE in sample.interactions.columns else pd.Series("(no EVENT_TYPE)", index=sample.interactions.index)
    event_mix = _types.value_counts().rename("events").to_frame()
    event_mix["share"] = (event_mix["events"] / event_mix["events"].sum()).round(3)
    event_mix
    return


@app.cell
def _(sample):
    _events = sample.interactions
    _pairs = _events[[USER_ID, ITEM_ID]].drop_duplicates().shape[0]
    data_summary = pd.Series(
        {
            "interactions": len(_events),
            "users": _events[USER_ID].nunique(),
            "items": _events[ITEM_ID].nunique(),
            "first event (UTC)": str(pd.to_datetime(_events[TIMESTAMP].min(), unit="s")),
            "last event (UTC)": str(pd.to_datetime(_events[TIMESTAMP].max(), unit="s")),
            "density (share of user-item pairs seen)": round(
                _pairs / (_events[USER_ID].nunique() * _events[ITEM_ID].nunique()), 4
            ),
        }
    ).to_frame("value")
    data_summary
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Schemas

    A schema is an Avro `record` whose name says the dataset type and whose fields
    are flat, in the CSV's column order. String metadata is used for training only
    when marked `"categorical": true` (or, in Items, `"textual": true`). A schema
    object can't be edited once created in Personalize, so it pays to get it right.
    Pick a dataset to see the schema the loader derived for it, next to the
    workbench's default schema for the ECOMMERCE domain.
    """)
    return


@app.cell
def _(sample):
    schema_choice = ui.dropdown(list(sample.reports), value="interactions", label="dataset")
    schema_choice
    return (schema_choice,)


@app.cell
def _(sample, schema_choice):
    _kind = schema_choice.value
    _derived = sample.reports[_kind].schema.to_json()
    _domain = default_schema(_kind, "ECOMMERCE").to_json()
    mo.md(
        f"**Derived from `data/sample/{_kind}.csv`**\n\n```json\n{_derived}\n```\n\n"
        f"**Default ECOMMERCE {_kind} schema**\n\n```json\n{_domain}\n```"
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Validate before you import

    `validate_interactions` runs the checks Personalize applies at import and training
    time and reports **errors** (the service would refuse the data, or, like millisecond
    timestamps, accept it and silently learn the wrong thing) and **warnings** (accepted,
    but probably not what you meant), such as the minimum of 1,000 interactions and
    25 users with at least two interactions each. Choose the domain: a domain dataset
    group (ECOMMERCE, VIDEO_ON_DEMAND) requires `EVENT_TYPE`; a custom group does not.
    """)
    return


@app.cell
def _():
    domain_choice = ui.dropdown({"custom": None, "ECOMMERCE": "ECOMMERCE", "VIDEO_ON_DEMAND": "VIDEO_ON_DEMAND"}, value="ECOMMERCE", label="dataset group")
    domain_choice
    return (domain_choice,)


@app.cell
def _(domain_choice, sample):
    validation = validate_interactions(sample.interactions, domain=domain_choice.value)
    mo.md(f"**{validation.dataset}: {'OK' if validation.ok else 'NOT OK'}** "
          f"({len(validation.errors)} errors, {len(validation.warnings)} warnings)")
    return (validation,)


@app.cell
def _(validation):
    _issues = validation.to_frame()
    mo.md(wording.bullet_list(_issues.set_index("level")) if len(_issues) else "*No issue found.*")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · The classic mistakes, provoked on purpose

    Each row below writes a small, deliberately broken copy of the shop's data to a
    temporary folder and loads it. The loader stops at the first bad row and says
    where (file, data row with the header not counted, column) and how to fix it. The
    slider sets how many rows the "too little data" case keeps (from 1,000 rows on the
    case is no longer a mistake).
    """)
    return


@app.cell
def _():
    few_rows = ui.slider(10, 1200, value=200, step=10, label="rows kept in the 'too little data' case")
    few_rows
    return (few_rows,)


@app.cell
def _(few_rows, sample):
    _base = sample.interactions[[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE]].head(500).copy()
    _folder = Path(tempfile.mkdtemp(prefix="wb-mistakes-"))

    def _attempt(name: str, frame: pd.DataFrame, **kwargs) -> dict:
        """Write ``frame`` as CSV, load it, and describe what happened."""
        path = _folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        try:
            _, report = load_interactions(path, **kwargs)
        except DatasetError as exc:
            return {"outcome": "refused at load", "message": str(exc).replace(str(_folder) + "/", "")}
        issues = report.validation.errors if report.validation is not None else []
        if issues:
            return {"outcome": "loaded, but not trainable", "message": " | ".join(i.message for i in issues)}
        return {"outcome": "loaded", "message": str(report).replace(str(_folder) + "/", "")}

    _millis = _base.assign(**{TIMESTAMP: _base[TIMESTAMP] * 1000})
    _iso = _base.assign(**{TIMESTAMP: pd.to_datetime(_base[TIMESTAMP], unit="s", utc=True).astype(str)})
    _blank_user = _base.copy()
    _blank_user.loc[3, USER_ID] = None
    _mistakes = {
        "13-digit (millisecond) TIMESTAMP": _attempt("millis", _millis),
        "ISO date strings in TIMESTAMP": _attempt("iso", _iso),
        "no EVENT_TYPE in an ECOMMERCE group": _attempt("no_event_type", _base.drop(columns=EVENT_TYPE), domain="ECOMMERCE"),
        "a row without USER_ID": _attempt("blank_user", _blank_user),
        f"only {int(few_rows.value)} interactions": _attempt("few", sample.interactions.head(int(few_rows.value))),
    }
    shutil.rmtree(_folder, ignore_errors=True)  # the files were only there to be loaded
    mistakes = pd.DataFrame.from_dict(_mistakes, orient="index")
    mistakes.index.name = "mistake"
    mo.md(wording.bullet_list(mistakes))  # the whole message: it is the lesson
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Schemas have their own classics. The first one is in the developer guide itself: its
    Items example has a trailing comma after the last field, which is not valid JSON.
    """)
    return


@app.cell
def _():
    _good = default_schema("interactions").to_avro()
    _cases = {
        "trailing comma after the last field": json.dumps(_good, indent=1).replace("}\n ],", "},\n ],"),
        "EVENT_TYPE marked categorical": {
            **_good,
            "fields": [
                {**f, "categorical": True} if f["name"] == EVENT_TYPE else f for f in _good["fields"]
            ],
        },
        "a nested (array) field": {**_good, "fields": [*_good["fields"], {"name": "TAGS", "type": {"type": "array", "items": "string"}}]},
        "schema name key 'Interaction'": {**_good, "name": "Interaction"},
    }
    _rows = []
    for _name, _schema in _cases.items():
        try:
            _parsed = load_schema(_schema)
            _report = check_schema(_parsed, "interactions")
            _rows.append({"mistake": _name, "message": " | ".join(i.message for i in _report.errors) or "accepted"})
        except DatasetError as _exc:
            _rows.append({"mistake": _name, "message": str(_exc)})
    schema_mistakes = pd.DataFrame(_rows).set_index("mistake")
    mo.md(wording.bullet_list(schema_mistakes))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Preprocessing before training

    Real logs need cleaning before a model sees them: **time order** (many splits and
    recency features assume it), **duplicates** (a click recorded twice counts twice
    in every local statistic), **merged event types** (`Purchase` and `purchase` are
    one event; a shop's own names such as `order` need a mapping of their own), **outliers** (a scraper or test account with thousands
    of events drags popularity toward what it touched), and **sampling** (whole users,
    never single events, so histories stay complete). Identifiers can be pseudonymised
    as well (chapter 12). Below, a copy of the log is dirtied on purpose (repeated
    events, a bot, upper-case spellings), then `workbench.preprocess.preprocess` cleans it and
    logs what every step did.
    """)
    return


@app.cell
def _():
    drop_bots = ui.checkbox(value=True, label="drop outlier users")
    keep_share = ui.slider(0.1, 1.0, value=1.0, step=0.1, label="share of users kept")
    ui.controls(drop_bots, keep_share, title="Cleaning")
    return drop_bots, keep_share


@app.cell
def _(drop_bots, keep_share, sample):
    _rng = np.random.default_rng(3)
    _log = sample.interactions[[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE]]
    _repeats = _log.sample(n=min(50, len(_log)), random_state=1)
    _bot = pd.DataFrame(
        {
            USER_ID: "bot-0001",
            ITEM_ID: _rng.choice(_log[ITEM_ID].unique(), size=3000),
            TIMESTAMP: int(_log[TIMESTAMP].min()) + np.arange(3000) * 7,
            EVENT_TYPE: "view",
        }
    )
    dirty = pd.concat([_log, _repeats, _bot], ignore_index=True)
    dirty[EVENT_TYPE] = dirty[EVENT_TYPE].astype(str).where(_rng.random(len(dirty)) > 0.05, dirty[EVENT_TYPE].astype(str).str.upper())
    clean, cleaning_log = preprocess(
        dirty,
        event_type_map={"order": "purchase"},
        drop_outlier_users=bool(drop_bots.value),
        outlier_threshold=3.5,
        user_fraction=None if float(keep_share.value) >= 1.0 else float(keep_share.value),
        seed=42,
    )
    cleaning_log
    return (dirty,)


@app.cell
def _(dirty):
    user_activity(dirty, threshold=3.5).head(5)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7 · How Personalize holds data out for its offline metrics

    After training, Personalize reports offline metrics on a holdout it builds itself:
    **10 % of the users** are kept out of training; for each of them the **oldest 90 %**
    of their interactions are given to the model as input and the **newest 10 %** are
    what the recommendations are scored against. So "the newest 10 % of every user" is
    wrong: only the held-out users are split in time. `personalize_holdout` does the
    same, keeping at least one test interaction per held-out user, so with short
    histories a little more than 10 % of their rows are tested; the chart draws one row
    per user (a sample), one dot per interaction.
    """)
    return


@app.cell
def _():
    user_fraction = ui.slider(0.05, 0.5, value=0.1, step=0.05, label="share of users held out")
    test_fraction = ui.slider(0.05, 0.5, value=0.1, step=0.05, label="newest share tested per held-out user")
    ui.controls(user_fraction, test_fraction, title="Holdout")
    return test_fraction, user_fraction


@app.cell
def _(sample, test_fraction, user_fraction):
    holdout = personalize_holdout(
        sample.interactions, user_fraction=float(user_fraction.value), test_fraction=float(test_fraction.value), seed=42
    )
    holdout_sizes = pd.Series(
        {
            "train rows": len(holdout.train),
            "input rows (held-out users, older)": len(holdout.input),
            "test rows (held-out users, newest)": len(holdout.test),
            "held-out users": holdout.test[USER_ID].nunique(),
        }
    ).to_frame("count")
    holdout_sizes
    return (holdout,)


@app.cell
def _(holdout):
    _rng = np.random.default_rng(7)
    _held = holdout.test[USER_ID].unique()
    _train_users = holdout.train[USER_ID].unique()
    _shown = list(_rng.choice(_held, size=min(12, len(_held)), replace=False)) + list(
        _rng.choice(_train_users, size=min(12, len(_train_users)), replace=False)
    )
    _fig, _ax = plt.subplots(figsize=(9, 5))
    for _part, _frame, _color in (("train", holdout.train, "tab:blue"), ("input", holdout.input, "tab:gray"), ("test", holdout.test, "tab:red")):
        _rows = _frame[_frame[USER_ID].isin(_shown)]
        _y = _rows[USER_ID].map({u: i for i, u in enumerate(_shown)})
        _ax.scatter(pd.to_datetime(_rows[TIMESTAMP], unit="s"), _y, s=10, color=_color, label=_part)
    _ax.set_yticks(range(len(_shown)), _shown, fontsize=7)
    _ax.set_xlabel("time")
    _ax.set_ylabel("user (top: held out, bottom: training users)")
    _ax.invert_yaxis()
    _ax.legend(loc="lower right")
    _ax.set_title("personalize_holdout: whole users train; held-out users split oldest/newest")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 8 · Write import-ready files

    `to_personalize` writes each frame as a CSV with a header in schema field order,
    plus its Avro schema, ready to upload to S3 for an import job.
    """)
    return


@app.cell
def _(sample):
    _out = Path(tempfile.mkdtemp(prefix="wb-export-"))
    _written = to_personalize(sample, _out)
    export_table = pd.DataFrame(
        [
            {"dataset": kind, "file": paths["data"].name, "schema": paths["schema"].name, "bytes": paths["data"].stat().st_size}
            for kind, paths in _written.items()
        ]
    )
    shutil.rmtree(_out, ignore_errors=True)  # shown, not kept: call to_personalize with your own folder to keep them
    export_table
    return


if __name__ == "__main__":
    app.run()
