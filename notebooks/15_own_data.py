import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="15 · Prototype with your own data")

with app.setup:
    import shutil
    import tempfile
    from pathlib import Path

    import marimo as mo
    import matplotlib.pyplot as plt
    import pandas as pd

    from workbench import glossary, ui, wording
    from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, RANK, SCORE, TIMESTAMP, USER_ID
    from workbench.data import (
        SAMPLE_DIR,
        guess_mapping,
        load_items,
        load_users,
        map_columns,
        to_personalize,
        validate_interactions,
    )
    from workbench.data.mapping import TIMESTAMP_UNITS
    from workbench.data.readers import PARQUET_SUFFIXES, read_table
    from workbench.errors import DatasetError
    from workbench.features import user_features
    from workbench.metrics import compare, compare_per_user
    from workbench.preprocess import preprocess
    from workbench.recommenders import (
        EASE,
        ContentBased,
        DemographicPopularity,
        ItemKNN,
        Popularity,
        RandomItems,
        TrendingNow,
    )
    from workbench.recommenders.user_personalization import UserPersonalization
    from workbench.split import temporal_split

    pd.set_option("display.max_colwidth", 300)

    CONCEPTS = ["PZ-05", "PZ-06", "GN-02", "GN-03", "GN-18", "GN-19"]

    NOT_MAPPED = "(not in my data)"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 15 · Prototype with your own data

    You have an export from your shop, app or site and want to know, in an afternoon,
    whether recommendations are worth it and which kind. This chapter is a small
    pipeline you point at **your** file:

    1. **read** any CSV or Parquet file of events, and say which column is the user,
       the item, the time, the event type and the value;
    2. **validate** it against the rules Amazon Personalize applies at import;
    3. **clean** it (time order, duplicates, outlier users) and look at what data
       sources it holds;
    4. **derive features** such as activity level and purchase cycle;
    5. **compare** a few recommenders on a temporal split and read one customer's list;
    6. **export** import-ready Personalize files (CSV + Avro schema) for the real service:
       upload to S3, import, choose a recipe, train.

    By default it runs on the bundled sample shop, so it works out of the box (and in CI).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["interactions dataset", "schema", "explicit feedback", "implicit feedback", "preprocessing", "feature engineering"])
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Your file

    * **bundled sample** -- the sample shop's `interactions.csv`, already in the
      Personalize format;
    * **bundled sample as a raw export** -- the same events written the way exports
      usually look (columns `customer_id`, `product`, `event_time` as date text,
      `action`), to see the column mapping do its job;
    * **my own file** -- type the path of a CSV (with a header row) or Parquet file.
      Optional items and users files (Personalize format) add metadata.
    """)
    return


@app.cell
def _():
    source_choice = ui.dropdown(
        {
            "bundled sample (Personalize format)": "sample",
            "bundled sample as a raw export": "raw",
            "my own file (path below)": "file",
        },
        value="bundled sample as a raw export",
        label="data",
    )
    path_text = ui.text(value="", label="interactions file", placeholder="/path/to/events.csv")
    items_text = ui.text(value="", label="items file (optional)", placeholder="/path/to/items.csv")
    users_text = ui.text(value="", label="users file (optional)", placeholder="/path/to/users.csv")
    ui.controls(source_choice, path_text, items_text, users_text, title="Input", direction="vertical")
    return items_text, path_text, source_choice, users_text


@app.cell
def _(items_text, path_text, source_choice, users_text):
    def _read(path: Path) -> pd.DataFrame:
        """The file's table through the workbench reader, every column as its text (ids 0042 and 42 stay apart)."""
        if not path.is_file():
            raise DatasetError("there is no such file.", file=str(path), fix="type the full path of a CSV or Parquet file.")
        try:  # only the header, to read every column as text
            _columns = list(pd.read_csv(path, nrows=0).columns) if path.suffix.lower() not in PARQUET_SUFFIXES else []
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as _bad:
            raise DatasetError(f"the header row cannot be read ({type(_bad).__name__}: {_bad}).", file=str(path),
                               fix="save the file as UTF-8 CSV with a header row (or as Parquet).") from _bad
        return read_table(path, string_columns=_columns).frame

    _kind = source_choice.value
    _metadata_paths = {"items": SAMPLE_DIR / "items.csv", "users": SAMPLE_DIR / "users.csv"}
    try:
        if _kind == "file":
            raw_name = path_text.value.strip()
            mo.stop(not raw_name, mo.md("**Type the path of your interactions file above.**"))
            raw = _read(Path(raw_name).expanduser())
            _metadata_paths = {
                kind: Path(text.value.strip()).expanduser() if text.value.strip() else None
                for kind, text in (("items", items_text), ("users", users_text))
            }
        else:
            raw_name = str(SAMPLE_DIR / "interactions.csv")
            raw = _read(Path(raw_name))
            if _kind == "raw":
                raw = pd.DataFrame(
                    {
                        "customer_id": raw["USER_ID"],
                        "product": raw["ITEM_ID"],
                        "event_time": pd.to_datetime(raw["TIMESTAMP"].astype("int64"), unit="s", utc=True).dt.strftime("%Y-%m-%d %H:%M:%S"),
                        "action": raw["EVENT_TYPE"].str.title(),
                        "device_session": raw["SESSION_ID"],
                    }
                )
                raw_name = "sample shop as a raw export"
        metadata = {
            "items": load_items(_metadata_paths["items"])[0] if _metadata_paths["items"] is not None else None,
            "users": load_users(_metadata_paths["users"])[0] if _metadata_paths["users"] is not None else None,
        }
    except DatasetError as _error:
        mo.stop(True, mo.md(f"**Could not read the input.** {_error}"))
    mo.md(f"**{raw_name}**: {len(raw):,} rows, columns {', '.join(f'`{c}`' for c in raw.columns)}.")
    return metadata, raw, raw_name


@app.cell
def _(raw):
    raw.head(6)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Map your columns to the Personalize format

    Personalize needs `USER_ID`, `ITEM_ID` and `TIMESTAMP` (Unix epoch **seconds**) in
    every interaction, and reserves `EVENT_TYPE` and `EVENT_VALUE`. The dropdowns start
    from a guess based on the column names; correct them if needed. The time unit is
    detected from the values (13 digits = milliseconds, text = dates) unless you force it.
    """)
    return


@app.cell
def _(raw):
    _guess = guess_mapping(raw.columns)
    _options = [NOT_MAPPED, *map(str, raw.columns)]

    def _column_choice(target: str):
        return ui.dropdown(_options, value=_guess[target] or NOT_MAPPED, label=target)

    user_column = _column_choice(USER_ID)
    item_column = _column_choice(ITEM_ID)
    time_column = _column_choice(TIMESTAMP)
    type_column = _column_choice(EVENT_TYPE)
    value_column = _column_choice(EVENT_VALUE)
    unit_choice = ui.dropdown(list(TIMESTAMP_UNITS), value="auto", label="time unit")
    ui.controls(user_column, item_column, time_column, type_column, value_column, unit_choice, title="Which column is which?")
    return item_column, time_column, type_column, unit_choice, user_column, value_column


@app.cell
def _(item_column, raw, raw_name, time_column, type_column, unit_choice, user_column, value_column):
    column_mapping = {
        target: (None if control.value == NOT_MAPPED else control.value)
        for target, control in (
            (USER_ID, user_column),
            (ITEM_ID, item_column),
            (TIMESTAMP, time_column),
            (EVENT_TYPE, type_column),
            (EVENT_VALUE, value_column),
        )
    }
    try:
        mapped = map_columns(raw, column_mapping, timestamp_unit=unit_choice.value, file=raw_name)
    except DatasetError as _error:
        mo.stop(True, mo.md(f"**The mapping does not work yet.** {_error}"))
    _left = [str(c) for c in raw.columns if c not in column_mapping.values()]
    _reserved = [c for c in _left if c.upper() in ("IMPRESSION", "RECOMMENDATION_ID")]
    mo.md(
        f"Mapped {len(mapped):,} rows to {', '.join(f'`{c}`' for c in mapped.columns)}; "
        f"time read as **{mapped.attrs['timestamp_unit']}** and stored as epoch seconds."
        + (f" Left out (not mapped): {', '.join(f'`{c}`' for c in _left)}." if _left else "")
        + (f" {', '.join(f'`{c}`' for c in _reserved)} "
           f"{'is a reserved Personalize field' if len(_reserved) == 1 else 'are reserved Personalize fields'} "
           "that this chapter does not map; add them to the exported CSV yourself if you use them."
           if _reserved else "")
    )
    return column_mapping, mapped


@app.cell
def _(mapped):
    wording.with_dates(mapped.head(6))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Validate, then clean

    `validate_interactions` reports what Personalize would refuse (**errors**) or accept
    against your intent (**warnings**), such as too few interactions or users. It sees the
    event types with their spellings merged, as cleaning will import them (12 spellings
    of 4 types would otherwise break the limit on distinct event types). Choose the
    dataset group type: a domain group (ECOMMERCE, VIDEO_ON_DEMAND) requires `EVENT_TYPE`.
    On the bundled sample no user is an outlier and validation passes, so the two
    boxes change nothing there; they matter on your own data.

    Cleaning then puts events in time order, merges spellings of event types
    (`Purchase` and `purchase` are one type), removes exact repeats and, if you
    tick the box, users whose activity is far above everyone else's (bots, test
    accounts). The log says what each step changed: nothing disappears silently.
    """)
    return


@app.cell
def _():
    domain_choice = ui.dropdown({"custom": None, "ECOMMERCE": "ECOMMERCE", "VIDEO_ON_DEMAND": "VIDEO_ON_DEMAND"}, value="custom", label="dataset group")
    drop_outliers = ui.checkbox(value=False, label="drop outlier users")
    continue_anyway = ui.checkbox(value=False, label="continue even if validation says NOT OK")
    ui.controls(domain_choice, drop_outliers, continue_anyway, title="Checks")
    return continue_anyway, domain_choice, drop_outliers


@app.cell
def _(domain_choice, mapped):
    # validated with event-type spellings merged (Purchase = purchase), as cleaning will import them
    _folded = mapped.assign(**{EVENT_TYPE: mapped[EVENT_TYPE].str.lower()}) if EVENT_TYPE in mapped.columns else mapped
    validation = validate_interactions(_folded, domain=domain_choice.value)
    mo.md(
        f"**{'OK' if validation.ok else 'NOT OK'}** for a {domain_choice.value or 'custom'} dataset group: "
        f"{len(validation.errors)} errors, {len(validation.warnings)} warnings."
    )
    return (validation,)


@app.cell
def _(validation):
    _issues = validation.to_frame()
    mo.md(wording.bullet_list(_issues.set_index("level")) if len(_issues) else "*No issue found.*")
    return


@app.cell
def _(continue_anyway, drop_outliers, mapped, validation):
    mo.stop(
        not validation.ok and not continue_anyway.value,
        mo.md(
            f"**Stopped: validation says NOT OK** ({len(validation.errors)} errors, listed above). Personalize would "
            "refuse this import, so the cleaning, features, model comparison and export below would describe data "
            "that cannot be trained on. Fix the mapping or the file, or tick *continue even if validation says NOT "
            "OK* to explore it anyway."
        ),
    )
    _types = {t: t.lower() for t in mapped[EVENT_TYPE].astype(str).unique()} if EVENT_TYPE in mapped.columns else None
    clean, cleaning_log = preprocess(mapped, event_type_map=_types, drop_outlier_users=bool(drop_outliers.value))
    cleaning_log
    return (clean,)


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · What kind of data is this?

    Recommenders learn from several **sources**: behaviour (the events themselves,
    **implicit** feedback such as views and purchases, or **explicit** feedback such as
    ratings), the **context** of each event (session, device, time), **item
    attributes**, **user attributes**, and text such as product descriptions or
    reviews, from which sentiment can be read. Each feeds different models; the table
    says which sources your data has and which workbench model would use them.
    """)
    return


@app.cell
def _(clean, column_mapping, metadata, raw):
    _items, _users = metadata["items"], metadata["users"]
    _used = set(column_mapping.values())
    _context = [str(c) for c in raw.columns if c not in _used]
    _types = clean[EVENT_TYPE].value_counts().to_dict() if EVENT_TYPE in clean.columns else {}
    _text = [c for c in (_items.columns if _items is not None else []) if c in ("PRODUCT_DESCRIPTION", "DESCRIPTION", "REVIEW", "REVIEW_TEXT")]
    sources = pd.DataFrame(
        [
            {
                "source": "behaviour (implicit events)",
                "present": bool(len(clean)),
                "what": ", ".join(f"{t}: {n:,}" for t, n in _types.items()) or f"{len(clean):,} events without a type",
                "used by": "Popularity, ItemKNN, EASE, UserPersonalization, TrendingNow",
            },
            {
                "source": "a number per event (EVENT_VALUE: a rating, a price, a watched share)",
                "present": EVENT_VALUE in clean.columns,
                "what": "numeric value per event" if EVENT_VALUE in clean.columns else "not mapped",
                "used by": "rating models (SVD, chapter 03); event-value thresholds in training",
            },
            {
                "source": "context of the event",
                "present": bool(_context),
                "what": ", ".join(_context) or "no extra columns (context would be session, device, location)",
                "used by": "session and recency models (chapter 06); context at request time",
            },
            {
                "source": "item attributes",
                "present": _items is not None,
                "what": ", ".join(c for c in _items.columns if c != ITEM_ID) if _items is not None else "no items file",
                "used by": "ContentBased, filters, diversity re-ranking",
            },
            {
                "source": "user attributes",
                "present": _users is not None,
                "what": ", ".join(c for c in _users.columns if c != USER_ID) if _users is not None else "no users file",
                "used by": "DemographicPopularity, segment lists",
            },
            {
                "source": "text (descriptions, reviews)",
                "present": bool(_text),
                "what": ", ".join(_text) or "none found",
                "used by": "ContentBased (TF-IDF of descriptions); review sentiment needs review text",
            },
        ]
    ).set_index("source")
    sources
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · Derived features: activity level and purchase cycle

    `workbench.features.user_features` summarises every customer in a few numbers:
    how active they are (events, active days, a *light / regular / heavy* level from
    where their event count falls among all customers) and, for buyers, their
    **purchase cycle** -- the median number of days between two purchase days -- and
    how many days remain until the next purchase is due (negative = overdue). Such
    features drive segment rules ("heavy buyers"), reminders ("you usually reorder
    about now") and the inputs of supervised models. Pick the event type that counts
    as a purchase.
    """)
    return


@app.cell
def _(clean):
    _types = sorted(clean[EVENT_TYPE].astype(str).unique()) if EVENT_TYPE in clean.columns else []
    _default = "purchase" if "purchase" in _types else (_types[-1] if _types else None)
    purchase_choice = ui.dropdown({"every event": None, **{t: t for t in _types}}, value=_default or "every event", label="purchase event")
    purchase_choice
    return (purchase_choice,)


@app.cell
def _(clean, purchase_choice):
    features = user_features(clean, purchase_event=purchase_choice.value)
    features.head(10).round(2)
    return (features,)


@app.cell
def _(features):
    _fig, _axes = plt.subplots(1, 2, figsize=(11, 3.4))
    features["activity_level"].value_counts().reindex(["light", "regular", "heavy"]).plot.bar(ax=_axes[0], rot=0, color="tab:blue")
    _axes[0].set_title("Customers per activity level")
    _axes[0].set_ylabel("customers")
    _axes[0].set_xlabel("activity level")
    _cycle = features["purchase_cycle_days"].dropna()
    if len(_cycle):
        _axes[1].hist(_cycle, bins=30, color="tab:green")
        _axes[1].set_title(f"Purchase cycle of {len(_cycle):,} repeat buyers (median {_cycle.median():.1f} days)")
    else:
        _axes[1].text(0.5, 0.5, "no customer has two purchase days", ha="center", va="center")
        _axes[1].set_title("Purchase cycle")
    _axes[1].set_xlabel("median days between purchase days")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Compare recommenders on your data

    The events are split in time: models learn from the oldest part and are judged on
    whether they recommend what customers did next (the newest part). Personalize's
    own offline metrics also judge on the newest interactions, of a held-out 10 % of
    the users (chapter 01). A **Popularity** baseline belongs in
    every comparison: a model that cannot beat it is not worth its cost; random lists
    are the floor. The sentence under the chart says which differences are larger than
    the noise (paired bootstrap over the same test users); the others are ties.
    Models that need item or user attributes appear only when those files are present.
    """)
    return


@app.cell
def _(metadata):
    model_classes = {
        "Popularity": Popularity,
        "TrendingNow": TrendingNow,
        "ItemKNN": ItemKNN,
        "EASE": EASE,
        "UserPersonalization": UserPersonalization,
    }
    if metadata["items"] is not None:
        model_classes["ContentBased"] = ContentBased
    if metadata["users"] is not None:
        model_classes["DemographicPopularity"] = DemographicPopularity
    model_choice = ui.multiselect(list(model_classes), value=["Popularity", "EASE", "UserPersonalization"], label="models")
    test_share = ui.slider(0.1, 0.4, value=0.2, step=0.05, label="newest share used for testing")
    list_length = ui.slider(5, 25, value=10, label="list length k")
    ui.controls(model_choice, test_share, list_length, title="Comparison")
    return list_length, model_choice, model_classes, test_share


@app.cell
def _(clean, list_length, metadata, model_choice, model_classes, test_share):
    _chosen = list(model_choice.value) or ["Popularity"]
    split = temporal_split(clean, test_fraction=float(test_share.value))
    fitted_models = {name: model_classes[name]() for name in _chosen}
    _table, comparison_evals = compare(
        {**fitted_models, "Random lists": RandomItems()}, split, k=int(list_length.value), items=metadata["items"],
        users=metadata["users"], with_evaluations=True,
    )
    comparison = _table.set_index("model")
    comparison.round(4)
    return comparison, comparison_evals, fitted_models, split


@app.cell
def _(comparison, comparison_evals, list_length):
    _k = int(list_length.value)
    _columns = [c for c in (f"NDCG@{_k}", f"Precision@{_k}", f"Recall@{_k}", "Coverage") if c in comparison.columns]
    _fig, _ax = plt.subplots(figsize=(9, 3.6))
    comparison[_columns].plot.bar(ax=_ax, rot=0)
    _ax.set_ylabel("mean over test users")
    _ax.set_title(f"Recommenders on your data (temporal split, k = {_k})")
    _fig.tight_layout()
    plt.close(_fig)
    _metric = f"NDCG@{_k}"
    _models = [m for m in comparison.sort_values(_metric, ascending=False).index if m != "Random lists"]
    _parts = []
    if "Popularity" in comparison_evals:
        _vs_pop = {m: compare_per_user(comparison_evals[m], comparison_evals["Popularity"], _metric)
                   for m in _models if m != "Popularity"}  # one bootstrap per pair
        _parts += [f"{m} minus Popularity {d} ({d.verdict()})" for m, d in _vs_pop.items()]
    _top = [m for m in _models if m != "Popularity"][:2]
    if len(_top) == 2:
        _d = compare_per_user(comparison_evals[_top[0]], comparison_evals[_top[1]], _metric)
        _parts.append(f"{_top[0]} minus {_top[1]} {_d} ({_d.verdict()})")
    mo.vstack([_fig, mo.md(
        f"{_metric} differences, paired over the same test users (95 % bootstrap): " + ("; ".join(_parts) or "one model only")
        + f". Random lists score {comparison.loc['Random lists', _metric]:.4f}."
    )])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 7 · One customer's list

    Pick a model and a customer from the test period (the 30 most active are offered).
    The table shows the list, the model's own explanation, and whether the customer
    really interacted with each item in the test period.
    """)
    return


@app.cell
def _(comparison, fitted_models, split):
    _active = split.test[USER_ID].value_counts().index[:30].tolist()
    _ndcg = [c for c in comparison.columns if c.startswith("NDCG@")]
    _ranked = comparison.drop(index="Random lists", errors="ignore")
    _best = _ranked[_ndcg[0]].idxmax() if _ndcg and len(_ranked) else next(iter(fitted_models))  # first offered, not crowned
    user_choice = ui.dropdown(_active, value=_active[0], label="customer")
    inspect_model = ui.dropdown(list(fitted_models), value=_best, label="model")
    ui.controls(inspect_model, user_choice, title="Inspect")
    return inspect_model, user_choice


@app.cell
def _(fitted_models, inspect_model, list_length, split, user_choice):
    _model = fitted_models[inspect_model.value]
    _user = user_choice.value
    _future = set(split.test.loc[split.test[USER_ID] == _user, ITEM_ID])
    one_list = _model.recommend([_user], n=int(list_length.value))[[ITEM_ID, SCORE, RANK]].copy()
    one_list["in the test period"] = one_list[ITEM_ID].isin(_future)
    one_list["why"] = [_model.explain(_user, item) for item in one_list[ITEM_ID]]
    one_list.set_index(RANK)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 8 · Export import-ready files

    `to_personalize` writes `interactions.csv` (and `items.csv`, `users.csv` when
    present), each with its Avro schema (`*_schema.json`), in the column order of the
    schema. Upload the folder to S3, create the schemas and datasets, run the import
    jobs, then choose a recipe and train: the pipeline of the service. Choose a folder
    and press the button (by default a new folder in the system temp directory, created
    when the files are written).
    """)
    return


@app.cell
def _():
    export_folder = ui.text(value="", label="export folder", placeholder="empty = a new temporary folder")
    export_button = ui.run_button("Write the files")
    overwrite = ui.checkbox(value=False, label="replace files already in that folder")
    ui.controls(export_folder, overwrite, export_button, title="Export")
    return export_button, export_folder, overwrite


@app.cell
def _(clean, export_button, export_folder, metadata, overwrite):
    mo.stop(mo.running_in_notebook() and not ui.button_value(export_button), mo.md("*Press the button to write the files.*"))
    _scratch = not export_folder.value.strip() and not mo.running_in_notebook()  # a headless run writes, shows, removes
    _folder = Path(export_folder.value.strip() or tempfile.mkdtemp(prefix="personalize-export-")).expanduser()
    _present = sorted(p.name for p in _folder.iterdir()) if _folder.is_dir() else []
    mo.stop(
        bool(_present) and not overwrite.value,
        mo.md(
            f"**`{_folder}` already holds {len(_present)} file(s)** ({', '.join(f'`{n}`' for n in _present[:8])}"
            f"{', ...' if len(_present) > 8 else ''}). Nothing was written. Choose another folder, or tick "
            "*replace files already in that folder* and press the button again."
        ),
    )
    try:
        _written = to_personalize({"interactions": clean, **metadata}, _folder)
    except DatasetError as _error:
        mo.stop(True, mo.md(f"**Export refused.** {_error}"))
    exported = pd.DataFrame(
        [
            {"dataset": kind, "data file": str(paths["data"]), "schema file": str(paths["schema"]), "bytes": paths["data"].stat().st_size}
            for kind, paths in _written.items()
        ]
    ).set_index("dataset")
    if _scratch:
        shutil.rmtree(_folder, ignore_errors=True)
    exported
    return


if __name__ == "__main__":
    app.run()
