"""Online KPIs from an interaction log: CTR, CVR, bounce rate, revenue per visitor (DH-04, GN-11).

Accepted log format
-------------------
One row per event, Personalize interaction columns plus session information --
what :func:`workbench.sim.run_scenario` writes to ``ScenarioResult.events``:

==================== ======== ===========================================================
column               needed   meaning
==================== ======== ===========================================================
SESSION_ID           required one visit; bounce rate and session rates are per visit
EVENT_TYPE           required ``view`` (a page or product view), ``click`` (a click on a
                              listed / recommended item), ``add_to_cart``, ``purchase``
USER_ID              optional the visitor; without it every session counts as a visitor
ITEM_ID              optional needed for the item tables of the dashboard
PRICE or EVENT_VALUE optional revenue of a ``purchase`` row (PRICE wins when both exist;
                              the simulator stores the price in EVENT_VALUE)
RECOMMENDATION_ID    optional set on events that came from a recommendation list
                              (Personalize's attribution key); empty otherwise
==================== ======== ===========================================================

Other EVENT_TYPE values are rejected with an error naming the row, because
silently ignoring them would change every rate. Map them first, e.g.
``events.replace({"EVENT_TYPE": {"watch": "view"}})``.

Definitions (per group when ``by`` is given)
--------------------------------------------
* ``ctr`` -- click-through rate. With ``impressions`` (lists or slots shown) it is
  ``clicks / impressions``; without it, the share of sessions with at least one
  click (the seed document's "users who clicked over users who saw the page").
* ``cvr`` -- conversion rate as the seed document defines it:
  ``purchases / clicks`` (0 clicks -> NaN).
* ``session_conversion_rate`` -- sessions with a purchase / sessions.
* ``bounce_rate`` -- single-event sessions / sessions (a visit that left after one page).

Visits that logged nothing: a log written from product events only has no row for a
visit that saw the landing page, clicked nothing and left (the simulator's logs are
such logs). Counting sessions from the log then drops exactly the worst visits, and
drops more of them under the weaker recommender, so every per-session rate of that
arm looks better than it is. Pass ``visits`` (the true number of visits per group,
e.g. the sum of ``ScenarioResult.daily["visits"]``): the missing visits then count as
sessions without a click or purchase that bounced, and ``sessions`` is that number.
* ``revenue_per_visitor`` -- revenue / distinct visitors.
* ``recommendation_revenue_share`` -- revenue of purchases carrying a
  RECOMMENDATION_ID / revenue (the operations dashboard's "revenue attributed to
  recommendations", DH-18).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..constants import (
    EVENT_ADD_TO_CART,
    EVENT_CLICK,
    EVENT_PURCHASE,
    EVENT_TYPE,
    EVENT_TYPES,
    EVENT_VALUE,
    EVENT_VIEW,
    RECOMMENDATION_ID,
    SESSION_ID,
    USER_ID,
)
from ..errors import DatasetError

PRICE = "PRICE"
"""Items/events column with the sale price (Personalize ECOMMERCE items use PRICE)."""

LOG_NAME = "events"

KPI_COLUMNS = (
    "visitors", "sessions", "views", "clicks", "add_to_carts", "purchases", "revenue",
    "ctr", "cvr", "session_conversion_rate", "bounce_rate", "revenue_per_visitor",
    "recommendation_clicks", "recommendation_revenue", "recommendation_revenue_share",
)
"""Columns of :func:`online_kpis`, after the grouping columns."""


def check_event_log(events: pd.DataFrame) -> pd.DataFrame:
    """Validate the log format above; returns a copy with EVENT_TYPE lower-cased and a ``_revenue`` column."""
    if not isinstance(events, pd.DataFrame):
        raise TypeError(f"events must be a pandas DataFrame, got {type(events).__name__}")
    for column in (SESSION_ID, EVENT_TYPE):
        if column not in events.columns:
            raise DatasetError(
                "the event log has no such column.", file=LOG_NAME, column=column,
                fix="log one row per event with SESSION_ID and EVENT_TYPE (see workbench.experiments.kpis).",
            )
    out = events.copy()
    kinds = out[EVENT_TYPE].astype(str).str.lower()
    unknown = ~kinds.isin(EVENT_TYPES)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DatasetError(
            f"unknown EVENT_TYPE {out[EVENT_TYPE].iloc[row]!r}; the KPIs know {list(EVENT_TYPES)}.",
            file=LOG_NAME, row=row + 1, column=EVENT_TYPE,
            fix="map your event names onto view/click/add_to_cart/purchase, or drop those rows on purpose.",
        )
    out[EVENT_TYPE] = kinds
    money = PRICE if PRICE in out.columns else EVENT_VALUE if EVENT_VALUE in out.columns else None
    purchase = (kinds == EVENT_PURCHASE).to_numpy()
    if money is None:
        revenue = np.zeros(len(out))
    else:
        values = pd.to_numeric(out[money], errors="coerce").to_numpy(dtype=float)
        missing = purchase & ~np.isfinite(values)
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise DatasetError(
                "a purchase has no price.", file=LOG_NAME, row=row + 1, column=money,
                fix=f"fill {money} on every purchase row (0 for a free item).",
            )
        revenue = np.where(purchase, values, 0.0)
    out["_revenue"] = revenue
    return out


def _counts(frame: pd.DataFrame) -> dict[str, float]:
    kinds = frame[EVENT_TYPE]
    sessions = frame[SESSION_ID].nunique()
    visitors = frame[USER_ID].nunique() if USER_ID in frame.columns else sessions
    events_per_session = frame[SESSION_ID].value_counts(sort=False)
    from_recs = frame[RECOMMENDATION_ID].notna() if RECOMMENDATION_ID in frame.columns else pd.Series(False, frame.index)
    return {
        "visitors": visitors,
        "sessions": sessions,
        "views": int((kinds == EVENT_VIEW).sum()),
        "clicks": int((kinds == EVENT_CLICK).sum()),
        "add_to_carts": int((kinds == EVENT_ADD_TO_CART).sum()),
        "purchases": int((kinds == EVENT_PURCHASE).sum()),
        "revenue": float(frame["_revenue"].sum()),
        "_sessions_clicked": int(frame.loc[(kinds == EVENT_CLICK).to_numpy(), SESSION_ID].nunique()),
        "_sessions_bought": int(frame.loc[(kinds == EVENT_PURCHASE).to_numpy(), SESSION_ID].nunique()),
        "_single_event_sessions": int((events_per_session == 1).sum()),
        "recommendation_clicks": int(((kinds == EVENT_CLICK) & from_recs).sum()),
        "recommendation_revenue": float(frame.loc[from_recs, "_revenue"].sum()),
    }


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def online_kpis(
    events: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    impressions: float | pd.Series | None = None,
    visits: float | pd.Series | None = None,
    visitors: float | pd.Series | None = None,
) -> pd.DataFrame:
    """Traffic counts and online KPIs of an event log, overall or per group.

    Args:
        events: the log described in this module's docstring.
        by: column(s) to group by, e.g. ``"variant"`` for an A/B test or a day column.
        impressions: number of recommendation lists (or slots) shown -- one number,
            or a Series indexed like the groups -- to compute CTR as
            ``clicks / impressions``. Without it, CTR is the share of sessions with
            a click.
        visits: the true number of visits -- one number, or a Series indexed like the
            groups -- when the log has no row for visits that left without an event
            (see "Visits that logged nothing" above). Must be at least the number of
            sessions in the log.
        visitors: the true number of distinct visitors, given the same way, for the same
            reason: without it ``visitors`` (and ``revenue_per_visitor``) count only the
            visitors with a logged event, so a variant whose lists draw more events seems
            to have more visitors. Must be at least the visitors in the log.

    Returns:
        One row per group (one row overall without ``by``) with the grouping
        columns followed by :data:`KPI_COLUMNS`.
    """
    return _online_kpis(check_event_log(events), by, impressions, visits, visitors)


def _per_group(value: float | pd.Series, label: tuple) -> float:
    """A scalar as is, or the Series entry of one group."""
    return float(value) if np.isscalar(value) else float(value.loc[label[0] if len(label) == 1 else label])


def _true_count(value: float | pd.Series, label: tuple, logged: int, name: str, what: str, column: str,
                where: str) -> int:
    """A group's true count of visits or visitors (``visits=`` / ``visitors=``); never below what the log shows."""
    true = _per_group(value, label)
    if true < logged:
        raise DatasetError(f"{name}={true:g} is below the {logged} {what} logged{where}.", file=LOG_NAME, column=column,
                           fix=f"pass the {'number of visits' if name == 'visits' else 'distinct visitors'} of the "
                           "same period and group as the log (filter both alike).")
    return int(true)


def _online_kpis(log: pd.DataFrame, by: str | Sequence[str] | None, impressions: float | pd.Series | None,
                 visits: float | pd.Series | None = None, visitors: float | pd.Series | None = None) -> pd.DataFrame:
    """:func:`online_kpis` of a log that already went through :func:`check_event_log`."""
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    for key in keys:
        if key not in log.columns:
            raise DatasetError("cannot group by a missing column.", file=LOG_NAME, column=key,
                               fix="add the column (e.g. the A/B variant of each visitor) or drop `by`.")
    groups = [((), log)] if not keys else list(log.groupby(keys, sort=True, dropna=False))
    rows = []
    for name, frame in groups:
        counts = _counts(frame)
        label = name if isinstance(name, tuple) else (name,)
        shown = None if impressions is None else _per_group(impressions, label)
        where = f" for {by}={label[0] if len(label) == 1 else label}" if keys else ""
        if visits is not None:
            true_visits = _true_count(visits, label, counts["sessions"], "visits", "sessions", SESSION_ID, where)
            counts["_single_event_sessions"] += true_visits - counts["sessions"]
            counts["sessions"] = true_visits
        if visitors is not None:
            counts["visitors"] = _true_count(visitors, label, counts["visitors"], "visitors", "visitors", USER_ID, where)
        row = dict(zip(keys, label))
        row.update({key: counts[key] for key in ("visitors", "sessions", "views", "clicks", "add_to_carts", "purchases",
                                                 "revenue")})
        row["ctr"] = _ratio(counts["clicks"], shown) if shown is not None else _ratio(counts["_sessions_clicked"],
                                                                                      counts["sessions"])
        row["cvr"] = _ratio(counts["purchases"], counts["clicks"])
        row["session_conversion_rate"] = _ratio(counts["_sessions_bought"], counts["sessions"])
        row["bounce_rate"] = _ratio(counts["_single_event_sessions"], counts["sessions"])
        row["revenue_per_visitor"] = _ratio(counts["revenue"], counts["visitors"])
        row["recommendation_clicks"] = counts["recommendation_clicks"]
        row["recommendation_revenue"] = counts["recommendation_revenue"]
        row["recommendation_revenue_share"] = _ratio(counts["recommendation_revenue"], counts["revenue"])
        rows.append(row)
    return pd.DataFrame(rows, columns=keys + list(KPI_COLUMNS))
