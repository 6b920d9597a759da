"""``training_subset``: which records a solution's eventType / eventValueThreshold leave to train on."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID
from .registry import EvidenceRecipe, RecipeResult, allowed_keys, register

STREAMING_EVENTS = {"click": 0.45, "watch": 0.40, "rate": 0.15}
"""Event mix of the synthetic streaming-service log used by ``training_subset``."""

REAL_WATCH = 0.5
"""A watch counts as real when at least this fraction of the video was watched."""


def streaming_log(n_users: int = 200, events_per_user: int = 30, seed: int = 5, n_items: int = 120) -> pd.DataFrame:
    """A seeded log of click / watch / rate events in Personalize format.

    EVENT_VALUE holds the fraction watched (uniform in [0, 1]) for watches, the
    star rating (1-5) for ratings and nothing for clicks.
    """
    rng = np.random.default_rng(seed)
    n = n_users * events_per_user
    kinds = rng.choice(list(STREAMING_EVENTS), size=n, p=list(STREAMING_EVENTS.values()))
    values = np.where(kinds == "watch", np.round(rng.uniform(0, 1, n), 2), np.nan)
    values = np.where(kinds == "rate", rng.integers(1, 6, n).astype(float), values)
    return pd.DataFrame(
        {
            USER_ID: [f"u{u:04d}" for u in np.repeat(np.arange(n_users), events_per_user)],
            ITEM_ID: [f"v{i:03d}" for i in rng.integers(0, n_items, n)],
            TIMESTAMP: 1_700_000_000 + np.arange(n) * 60,
            EVENT_TYPE: kinds,
            EVENT_VALUE: values,
        }
    )


def run_training_subset(plan: Any) -> RecipeResult:
    """Describe the records each option leaves for training (value = the plan's share metric)."""
    from ...sim import Policy, training_mask

    log = streaming_log()
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        data = log[~log[EVENT_TYPE].isin(config.get("delete_event_types") or [])]
        policy = Policy(
            training_event_types=config.get("training_event_types"),
            event_value_threshold=config.get("event_value_threshold"),
        )
        kept = data[training_mask(data, policy)]
        watch = kept[EVENT_TYPE] == "watch"
        real = watch & (kept[EVENT_VALUE] >= REAL_WATCH)
        shares = {
            "share_watch_records": float(watch.mean()) if len(kept) else float("nan"),
            "share_real_watches": float(real.mean()) if len(kept) else float("nan"),
        }
        values[letter] = shares[plan.metric]
        rows.append(
            {
                "option": letter,
                "records_in_dataset": len(data),
                "records_for_training": len(kept),
                **{f"{kind}_records": int((kept[EVENT_TYPE] == kind).sum()) for kind in STREAMING_EVENTS},
                **shares,
                "at_least_1000": len(kept) >= 1000,
            }
        )
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


def _check_subset(config: dict[str, Any]) -> str | None:
    problem = allowed_keys(
        {"training_event_types": list, "event_value_threshold": (int, float), "delete_event_types": list, "filter": str}
    )(config)
    if problem:
        return problem
    for key in ("training_event_types", "delete_event_types"):
        unknown = [t for t in config.get(key) or [] if t not in STREAMING_EVENTS]
        if unknown:
            return f"{key} {unknown} are not event types of the log ({', '.join(STREAMING_EVENTS)})."
    return None


register(
    EvidenceRecipe(
        name="training_subset",
        run=run_training_subset,
        description="applies eventType / eventValueThreshold (or a dataset edit) to a streaming log; what is left to train on",
        metrics=("share_watch_records", "share_real_watches"),
        check_config=_check_subset,
    )
)
