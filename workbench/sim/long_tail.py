"""Does a popular list starve the long tail? Measured on paired runs, against no lists and random lists.

The tail is fixed before launch, from the warm-up, which is the same in every paired
run of a shop (no list is shown yet): the ``tail_fraction`` of the items on sale at
launch with the fewest warm-up events (ties broken by item id). Each run is then read
on its run days, on those items only, so the items launched later do not blur it:

* ``tail share of events`` / ``tail share of purchases`` -- the share going to tail items;
* ``tail share, last N days`` -- the same over the run's last ``late_days`` days: if a
  feedback loop deepens (lists make items popular, retraining on that makes the lists
  narrower), this falls below the whole-run share faster than under no lists;
* ``Gini of events per item`` -- 0 = every launch item equally busy;
* ``tail items without an event`` -- items the run never touched at all.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..constants import CREATION_TIMESTAMP, EVENT_PURCHASE, EVENT_TYPE, ITEM_ID, SECONDS_PER_DAY, TIMESTAMP
from ..metrics.beyond import gini_coefficient

LONG_TAIL_COLUMNS = ("events", "tail share of events", "tail share of purchases", "tail share, last days",
                     "Gini of events per item", "tail items without an event")
"""Columns of :func:`long_tail_table` (``tail share, last days`` is renamed with the number of days)."""


def launch_tail(result, tail_fraction: float = 0.5) -> tuple[pd.Index, set[str]]:
    """The items on sale at launch, and the ``tail_fraction`` of them with the fewest warm-up events."""
    if not 0.0 < tail_fraction < 1.0:
        raise ValueError("tail_fraction must lie strictly between 0 and 1")
    day0 = int(result.world.day0)
    items = result.world.items
    on_sale = items.loc[items[CREATION_TIMESTAMP] <= day0, ITEM_ID].astype(str)
    events = result.events
    warm = events.loc[events[TIMESTAMP] < day0, ITEM_ID].astype(str)
    counts = warm.value_counts().reindex(on_sale, fill_value=0)
    order = counts.sort_index(kind="stable").sort_values(kind="stable")
    tail = set(order.index[: int(len(order) * tail_fraction)])
    return pd.Index(on_sale), tail


def long_tail_table(results: Mapping[str, object], tail_fraction: float = 0.5, late_days: int = 14) -> pd.DataFrame:
    """One row per run (the mapping's keys): how much of its activity reaches the launch catalogue's tail.

    ``results`` are :class:`~workbench.sim.ScenarioResult` objects of one shop and seed under
    different policies (paired: the same warm-up). Raises ``ValueError`` when their warm-ups differ.
    """
    if not results:
        raise ValueError("long_tail_table needs at least one run")
    first = next(iter(results.values()))
    on_sale, tail = launch_tail(first, tail_fraction)
    day0 = int(first.world.day0)
    warm_size = int((first.events[TIMESTAMP] < day0).sum())
    rows = {}
    for name, result in results.items():
        events = result.events
        if int(result.world.day0) != day0 or int((events[TIMESTAMP] < day0).sum()) != warm_size:
            raise ValueError(f"run {name!r} is not paired with the others (another shop, seed or warm-up); "
                             "pass runs of one ShopConfig under different policies")
        run = events[(events[TIMESTAMP] >= day0) & events[ITEM_ID].astype(str).isin(on_sale)]
        ids = run[ITEM_ID].astype(str)
        in_tail = ids.isin(tail)
        bought = (run[EVENT_TYPE] == EVENT_PURCHASE).to_numpy()
        late_start = day0 + max(len(result.daily) - late_days, 0) * SECONDS_PER_DAY  # daily: one row per run day
        late = (run[TIMESTAMP] >= late_start).to_numpy()
        per_item = ids.value_counts().reindex(on_sale, fill_value=0)
        rows[name] = {
            "events": len(run),
            "tail share of events": float(in_tail.mean()) if len(run) else np.nan,
            "tail share of purchases": float(in_tail[bought].mean()) if bought.any() else np.nan,
            f"tail share, last {late_days} days": float(in_tail[late].mean()) if late.any() else np.nan,
            "Gini of events per item": gini_coefficient(per_item.to_numpy(dtype=float)),
            "tail items without an event": int((per_item.loc[sorted(tail)] == 0).sum()),
        }
    return pd.DataFrame(rows).T
