"""Funnel economics: which recommender placement lifts which term of revenue (DH-01..03, DH-18).

The seed document (``shared/seeds/003``) writes a shop's revenue as a product of
four terms, each pulled by a different lever:

    revenue = visitors x CTR x conversion rate x price

Marketing buys *visitors* (at a cost), promotions cut the *price*; a recommender
works on the middle two: it raises *CTR* on the pages where visitors would
otherwise leave, and *conversion* where they are close to buying. Because the
terms multiply, a 10 % lift of any one term is a 10 % lift of revenue, and two
lifts compound.

The document also splits visitors into four stages (60 % leave right after
landing, 25 % browse and compare, 12 % try to buy, 3 % buy) and names, for each
stage and each page, the kind of recommendation that fits. :data:`VISITOR_STAGES`
and :data:`PLACEMENTS` hold those tables with the workbench recommender that
implements each kind; :func:`funnel_what_if` and :func:`placement_what_if`
compute what a lift is worth; :func:`dashboard_summary` is the operations view
(A/B result, top-100 conversion items, revenue attributed to recommendations).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..constants import EVENT_PURCHASE, EVENT_TYPE, EVENT_VIEW, ITEM_ID, RECOMMENDATION_ID
from ..errors import DatasetError
from .ab_test import TwoProportionResult, two_proportion_test
from .kpis import LOG_NAME, _online_kpis, check_event_log

TERMS = ("visitors", "ctr", "conversion", "price")
"""The four factors of the revenue identity, in order."""

VISITOR_STAGES = pd.DataFrame(
    [
        ("leave right after landing", 0.60, "statistical and customer-group recommendations",
         "MostViewed, BestSellers, TrendingNow, SegmentPopularity, DemographicPopularity", "ctr"),
        ("browse and compare", 0.25, "viewed-together recommendations",
         "ItemKNN / SIMS similar_items, AssociationRules on sessions", "ctr"),
        ("try to buy", 0.12, "bought-together recommendations",
         "AssociationRules on baskets", "conversion"),
        ("buy", 0.03, "(none named: these visitors already convert)",
         "(workbench suggestion: UserPersonalization for the next visit)", None),
    ],
    columns=["stage", "share", "recommendation", "workbench_models", "term_lifted"],
)
"""Visitor stages of the seed document (DH-02): share of visitors, the recommendation
kind it names for the stage and the workbench models that implement it. The shares
sum to 1; 97 % never buy, which is the traffic recommendations try to convert.
``term_lifted`` is the workbench's reading (the document only says "offer recommendations
to the 97 % who do not buy"); it names no recommender for the buyers, hence ``None``."""

PLACEMENTS = pd.DataFrame(
    [
        ("main", "items this customer is most likely to like", "ctr", "CTR up, bounce rate down",
         "UserPersonalization (Popularity / TrendingNow for new visitors)", "documented"),
        ("category", "recommended items within the category", "ctr", "(cell empty in the seed table)",
         "SegmentPopularity, statistical top lists filtered to the category", "inferred"),
        ("search", "the most similar alternatives when a search finds nothing", "ctr",
         "(cell empty in the seed table)", "ContentBased keyword search fallback", "inferred"),
        ("product detail", "items related to or accessories of the viewed item", "conversion",
         "conversion up, more SKUs sold", "ItemKNN / SIMS similar_items (substitutes), AssociationRules",
         "documented"),
        ("cart", "items related to or accessories of the items about to be bought", "ctr",
         "CTR up, customer satisfaction up", "AssociationRules on baskets (complements, cross-sell)", "documented"),
        ("checkout", "items other customers often bought together", "conversion",
         "conversion up, customer satisfaction up", "AssociationRules on baskets", "documented"),
    ],
    columns=["page", "what_to_show", "term_lifted", "effect_in_seed", "workbench_models", "source"],
)
"""Placement by page (DH-03). ``effect_in_seed`` is the seed table's effect row;
its category and search cells are empty, so their ``term_lifted`` ("ctr", read from
the neighbouring main-page cell) is marked ``source="inferred"``."""


def funnel_revenue(visitors, ctr, conversion, price):
    """Revenue identity ``visitors x CTR x conversion x price`` (scalars or numpy-broadcastable arrays).

    ``ctr`` and ``conversion`` are rates in [0, 1] (conversion per click, as the seed
    defines CVR = purchases / clicks); ``price`` is the average order value.
    Example: 10,000 visitors x 5 % x 3 % x 50 = 750.
    Raises ``ValueError`` for negative inputs or rates above 1.
    """
    values = [np.asarray(v, dtype=float) for v in (visitors, ctr, conversion, price)]
    if any((v < 0).any() for v in values):
        raise ValueError("visitors, ctr, conversion and price must be >= 0")
    if (values[1] > 1).any() or (values[2] > 1).any():
        raise ValueError("ctr and conversion are rates: give them as fractions in [0, 1] (5 % = 0.05)")
    result = values[0] * values[1] * values[2] * values[3]
    return float(result) if result.ndim == 0 else result


def funnel_what_if(
    visitors: float, ctr: float, conversion: float, price: float, lifts: Mapping[str, float]
) -> pd.DataFrame:
    """Revenue before and after relative lifts of some terms.

    Args:
        visitors, ctr, conversion, price: the baseline funnel.
        lifts: ``{term: relative change}``, e.g. ``{"ctr": 0.10, "price": -0.05}``
            (CTR +10 %, a 5 % discount).

    Returns:
        Two rows (``baseline``, ``what-if``) with the four terms, ``revenue`` and
        ``revenue_change`` (relative to the baseline). Lifts multiply:
        ``(1 + 0.1) x (1 - 0.05) - 1 = +4.5 %``.
    """
    unknown = set(lifts) - set(TERMS)
    if unknown:
        raise ValueError(f"unknown funnel terms {sorted(unknown)}; use {list(TERMS)}")
    base = dict(zip(TERMS, (visitors, ctr, conversion, price)))
    scenario = {term: value * (1 + lifts.get(term, 0.0)) for term, value in base.items()}
    rows = []
    for name, terms in (("baseline", base), ("what-if", scenario)):
        rows.append({"scenario": name, **terms, "revenue": funnel_revenue(**terms)})
    table = pd.DataFrame(rows)
    table["revenue_change"] = table["revenue"] / table["revenue"].iloc[0] - 1 if table["revenue"].iloc[0] else np.nan
    return table


def placement_what_if(
    visitors: float, ctr: float, conversion: float, price: float, placement: str, lift: float
) -> pd.DataFrame:
    """What a recommender on one page is worth: lift the term that page moves (see :data:`PLACEMENTS`).

    Example: ``placement_what_if(10_000, 0.05, 0.03, 50, "checkout", 0.10)`` lifts
    conversion by 10 % and returns the two-row table of :func:`funnel_what_if`
    with the page and term added.
    """
    pages = PLACEMENTS.set_index("page")
    if placement not in pages.index:
        raise ValueError(f"unknown page {placement!r}; use one of {list(pages.index)}")
    term = pages.loc[placement, "term_lifted"]
    table = funnel_what_if(visitors, ctr, conversion, price, {term: lift})
    table.insert(0, "term_lifted", term)
    table.insert(0, "page", placement)
    return table


def item_conversion(events: pd.DataFrame, min_views: int = 20) -> pd.DataFrame:
    """Per-item views, purchases, conversion (purchases / views) and revenue, best converting first.

    Items with fewer than ``min_views`` views are left out of the ranking (one view
    and one purchase would otherwise top the list at 100 %); ``min_views=0`` keeps all.
    Ties are broken by more views, then by ITEM_ID.
    """
    return _item_conversion(check_event_log(events), min_views)


def _item_conversion(log: pd.DataFrame, min_views: int) -> pd.DataFrame:
    """:func:`item_conversion` of a log that already went through :func:`check_event_log`."""
    if ITEM_ID not in log.columns:
        raise DatasetError("the event log has no such column.", file=LOG_NAME, column=ITEM_ID,
                           fix="item tables need ITEM_ID on every event.")
    items = log[ITEM_ID].astype(str)
    views = items[log[EVENT_TYPE] == EVENT_VIEW].value_counts()
    purchases = items[log[EVENT_TYPE] == EVENT_PURCHASE].value_counts()
    revenue = log["_revenue"].groupby(items).sum()
    table = pd.DataFrame({"views": views, "purchases": purchases}).fillna(0).astype(int)
    table["revenue"] = revenue.reindex(table.index).fillna(0.0)
    table = table[table["views"] >= max(min_views, 1)] if min_views > 0 else table
    with np.errstate(divide="ignore", invalid="ignore"):
        table["conversion"] = np.where(table["views"] > 0, table["purchases"] / table["views"].clip(lower=1), np.nan)
    table.index.name = ITEM_ID
    table = table.reset_index()
    return table.sort_values(["conversion", "views", ITEM_ID], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


@dataclasses.dataclass
class Dashboard:
    """The operations view of the seed document (DH-18)."""

    kpis: pd.DataFrame
    """:func:`online_kpis` overall (or per variant when a variant column was given)."""
    ab_test: TwoProportionResult | None
    """Session conversion of the treatment vs the control, when a variant column was given."""
    top_conversion_items: pd.DataFrame
    """The ``top_n`` best-converting items (:func:`item_conversion`)."""
    attributed_revenue: float
    """Revenue of purchases carrying a RECOMMENDATION_ID."""
    attributed_share: float
    """``attributed_revenue`` / total revenue."""

    def headline(self) -> str:
        """Two lines for a notebook or a log."""
        text = f"revenue attributed to recommendations: {self.attributed_revenue:,.2f} ({self.attributed_share:.1%})"
        if self.ab_test is not None:
            text += "\nA/B session conversion: " + self.ab_test.summary()
        return text


def dashboard_summary(
    events: pd.DataFrame,
    variant_column: str | None = None,
    control: object = None,
    treatment: object = None,
    top_n: int = 100,
    min_views: int = 20,
    alpha: float = 0.05,
    visits: float | pd.Series | None = None,
    visitors: float | pd.Series | None = None,
) -> Dashboard:
    """A/B result, top-``top_n`` conversion items and revenue attributed to recommendations.

    Args:
        events: the log of :mod:`workbench.experiments.kpis` (ITEM_ID needed).
        variant_column: column with each event's A/B variant (e.g. ``"variant"``);
            ``None`` = no A/B section.
        control, treatment: the two variant values to compare (default: the two
            values in sorted order; more than two variants need them named -- use
            :func:`workbench.experiments.multivariate_test` for k-way tests).
        top_n: length of the conversion top list (the seed's "top 100").
        min_views: minimum views for an item to enter the top list.
        alpha: significance level of the A/B test.
        visits: the true number of visits (per variant, as a Series indexed by the
            variant values) when the log has no row for visits that left without an
            event; see :func:`workbench.experiments.online_kpis`.
        visitors: the true number of distinct visitors, given the same way (see
            :func:`~workbench.experiments.online_kpis`).

    The A/B test compares **session** conversion (sessions with a purchase /
    sessions) between the variants with :func:`two_proportion_test`.
    """
    log = check_event_log(events)
    kpis = _online_kpis(log, variant_column, None, visits, visitors)
    ab = None
    if variant_column is not None:
        values = sorted(log[variant_column].dropna().unique().tolist())
        if control is None or treatment is None:
            if len(values) != 2:
                raise ValueError(f"{variant_column} has {len(values)} variants {values}: name control= and treatment=")
            control, treatment = values
        rows = kpis.set_index(variant_column)
        a, b = rows.loc[control], rows.loc[treatment]
        ab = two_proportion_test(
            int(round(a["session_conversion_rate"] * a["sessions"])), int(a["sessions"]),
            int(round(b["session_conversion_rate"] * b["sessions"])), int(b["sessions"]), alpha=alpha,
        )
    total = float(log["_revenue"].sum())
    from_recs = log[RECOMMENDATION_ID].notna() if RECOMMENDATION_ID in log.columns else pd.Series(False, log.index)
    attributed = float(log.loc[from_recs, "_revenue"].sum())
    return Dashboard(
        kpis=kpis,
        ab_test=ab,
        top_conversion_items=_item_conversion(log, min_views).head(top_n),
        attributed_revenue=attributed,
        attributed_share=attributed / total if total else float("nan"),
    )


__all__ = [
    "Dashboard",
    "PLACEMENTS",
    "TERMS",
    "VISITOR_STAGES",
    "dashboard_summary",
    "funnel_revenue",
    "funnel_what_if",
    "item_conversion",
    "placement_what_if",
]
