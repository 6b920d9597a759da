"""``minimum_data`` and ``timestamp_units``: Personalize's data rules checked by the workbench's own loader and validator."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...constants import (
    EVENT_PURCHASE,
    EVENT_TYPE,
    EVENT_VALUE,
    EVENT_VIEW,
    ITEM_ID,
    SECONDS_PER_HOUR,
    TIMESTAMP,
    USER_ID,
)
from ...errors import WorkbenchError
from .registry import EvidenceRecipe, RecipeResult, allowed_keys, register


def synthetic_log(
    n_users: int,
    interactions_per_user: int,
    purchase_share: float = 0.0,
    seed: int = 7,
    n_items: int = 50,
    start: int = 1_700_000_000,
) -> pd.DataFrame:
    """A seeded Personalize-format log: ``n_users`` users with the same number of events each.

    A fraction ``purchase_share`` of each user's events (rounded down) are
    purchases, the rest views. Timestamps are Unix epoch seconds, one hour apart.
    """
    rng = np.random.default_rng(seed)
    n_purchases = int(interactions_per_user * purchase_share)
    rows = []
    clock = start
    for u in range(n_users):
        items = rng.choice(n_items, size=interactions_per_user, replace=interactions_per_user > n_items)
        for j, item in enumerate(items):
            event = EVENT_PURCHASE if j < n_purchases else EVENT_VIEW
            rows.append((f"u{u:04d}", f"i{int(item):03d}", clock, event))
            clock += SECONDS_PER_HOUR
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE])


def run_minimum_data(plan: Any) -> RecipeResult:
    """Validate a synthetic log per option; value 1.0 when training minimums are met."""
    from ...data import validate_interactions

    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        log = synthetic_log(
            n_users=config["n_users"],
            interactions_per_user=config["interactions_per_user"],
            purchase_share=config.get("purchase_share", 0.0),
        )
        if config.get("train_event_type"):
            log = log[log[EVENT_TYPE] == config["train_event_type"]].reset_index(drop=True)
        report = validate_interactions(log)
        values[letter] = 1.0 if report.ok else 0.0
        messages = [str(getattr(e, "message", e)) for e in getattr(report, "errors", [])]
        rows.append(
            {
                "option": letter,
                "records_for_training": len(log),
                "users": log[USER_ID].nunique(),
                "users_with_2plus": int((log.groupby(USER_ID).size() >= 2).sum()),
                "ok": bool(report.ok),
                "first_error": messages[0] if messages else "",
            }
        )
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


register(
    EvidenceRecipe(
        name="minimum_data",
        run=run_minimum_data,
        description="validates a seeded interaction log of the given size against the training minimums",
        metrics=("meets_minimums",),
        check_config=allowed_keys(
            {"n_users": int, "interactions_per_user": int, "purchase_share": (int, float), "train_event_type": str},
            required=("n_users", "interactions_per_user"),
        ),
    )
)


TIMESTAMP_UNITS = ("seconds", "milliseconds", "iso8601", "event_value")
"""How the ``timestamp_units`` recipe writes the event time."""


def timestamp_csv(unit: str, n_rows: int = 12, start: int = 1_700_000_000) -> str:
    """CSV text of a small interactions file whose event time is written in ``unit``.

    ``seconds``: Unix epoch seconds (10 digits); ``milliseconds``: 13 digits;
    ``iso8601``: ``2023-11-14T22:13:20Z`` strings; ``event_value``: the seconds
    moved into EVENT_VALUE and no TIMESTAMP column at all.
    """
    seconds = start + np.arange(n_rows) * SECONDS_PER_HOUR
    frame = pd.DataFrame(
        {USER_ID: [f"u{r % 4}" for r in range(n_rows)], ITEM_ID: [f"i{r % 5}" for r in range(n_rows)]}
    )
    if unit == "seconds":
        frame[TIMESTAMP] = seconds
    elif unit == "milliseconds":
        frame[TIMESTAMP] = seconds * 1000
    elif unit == "iso8601":
        frame[TIMESTAMP] = pd.to_datetime(seconds, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ")
    elif unit == "event_value":
        frame[EVENT_VALUE] = seconds
    else:
        raise ValueError(f"unknown unit {unit!r}")
    frame[EVENT_TYPE] = EVENT_VIEW
    return frame.to_csv(index=False)


def run_timestamp_units(plan: Any) -> RecipeResult:
    """Load each option's file with the workbench loader; value = share of rows accepted."""
    from ...data import load_interactions

    values: dict[str, float] = {}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for letter, play in plan.options.items():
            unit = play.config["unit"]
            path = Path(folder) / f"interactions_{unit}.csv"
            path.write_text(timestamp_csv(unit), encoding="utf-8")
            n_rows = len(pd.read_csv(path))
            try:
                frame, report = load_interactions(path, errors="reject")
                kept = int(report.rows_kept)
                reason = ""
                if getattr(report, "rejected", None) is not None and len(report.rejected):
                    reason = str(report.rejected.iloc[0].get("reason", ""))
            except (WorkbenchError, ValueError) as exc:  # the whole file refused
                kept, reason = 0, str(exc)
            values[letter] = kept / n_rows
            rows.append({"option": letter, "unit": unit, "rows": n_rows, "rows_accepted": kept, "first_reason": reason})
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


register(
    EvidenceRecipe(
        name="timestamp_units",
        run=run_timestamp_units,
        description="loads a small interactions CSV whose TIMESTAMP uses the given unit; share of rows accepted",
        metrics=("share_rows_accepted",),
        check_config=allowed_keys({"unit": str}, required=("unit",), choices={"unit": TIMESTAMP_UNITS}),
    )
)
