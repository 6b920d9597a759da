import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="10 · Funnel economics and page placement",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import ITEM_ID, TIMESTAMP
    from workbench.experiments import (
        PLACEMENTS,
        TERMS,
        VISITOR_STAGES,
        dashboard_summary,
        funnel_revenue,
        funnel_what_if,
        placement_what_if,
    )
    from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["DH-01", "DH-02", "DH-03", "DH-04", "DH-18"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 10 · Funnel economics and page placement

    A shop's revenue is a product of four terms, each pulled by a different lever:

    $$\text{revenue} = \text{visitors} \times \text{CTR} \times \text{conversion rate} \times \text{price}$$

    Marketing buys **visitors** (at a cost), discounts cut the **price**. Recommendations
    work on the two middle terms: they raise the **click-through rate** where visitors
    would otherwise leave, and the **conversion rate** where they are close to buying.
    Because the terms multiply, +10 % on any one of them is +10 % revenue, and lifts
    compound. As competition for traffic grows, converting the visitors you already
    have becomes the cheaper way to grow.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["sales funnel", "CTR", "CVR", "bounce rate", "cross-sell", "A/B test"])
        + "\n\n*SKU* (stock keeping unit) is one distinct product a shop sells; "
        "\"more SKUs sold\" means a wider range of products bought."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The revenue identity with sliders

    Set a baseline funnel, then the lift a recommender might bring to each term. The
    chart shows the revenue of the baseline and of the what-if.
    """)
    return


@app.cell
def _():
    visitors = ui.slider(1_000, 100_000, value=10_000, step=1_000, label="visitors per month")
    ctr = ui.slider(0.01, 0.2, value=0.05, step=0.005, label="CTR")
    conversion = ui.slider(0.005, 0.2, value=0.03, step=0.005, label="conversion (per click)")
    price = ui.slider(5, 200, value=50, step=5, label="average price")
    ui.controls(visitors, ctr, conversion, price, title="Baseline funnel")
    return conversion, ctr, price, visitors


@app.cell
def _():
    lift_visitors = ui.slider(-0.3, 0.5, value=0.0, step=0.05, label="visitors")
    lift_ctr = ui.slider(-0.3, 0.5, value=0.1, step=0.05, label="CTR")
    lift_conversion = ui.slider(-0.3, 0.5, value=0.1, step=0.05, label="conversion")
    lift_price = ui.slider(-0.3, 0.5, value=-0.05, step=0.05, label="price")
    ui.controls(lift_visitors, lift_ctr, lift_conversion, lift_price, title="Relative lift of each term (0.1 = +10 %)")
    return lift_conversion, lift_ctr, lift_price, lift_visitors


@app.cell
def _(
    conversion,
    ctr,
    lift_conversion,
    lift_ctr,
    lift_price,
    lift_visitors,
    price,
    visitors,
):
    what_if = funnel_what_if(
        float(visitors.value),
        float(ctr.value),
        float(conversion.value),
        float(price.value),
        {
            "visitors": float(lift_visitors.value),
            "ctr": float(lift_ctr.value),
            "conversion": float(lift_conversion.value),
            "price": float(lift_price.value),
        },
    )
    what_if.round(4)
    return (what_if,)


@app.cell
def _(conversion, ctr, price, visitors, what_if):
    _base = dict(zip(TERMS, (float(visitors.value), float(ctr.value), float(conversion.value), float(price.value))))
    _sensitivity = pd.Series(
        {term: funnel_revenue(**{**_base, term: _base[term] * 1.1}) / funnel_revenue(**_base) - 1 for term in TERMS}
    )
    _fig, (_left, _right) = plt.subplots(1, 2, figsize=(10, 3.6))
    _left.bar(what_if["scenario"], what_if["revenue"], color=["tab:gray", "tab:green"])
    _left.set_ylabel("revenue")
    _left.set_title(f"What-if: {what_if['revenue_change'].iloc[1]:+.1%} revenue")
    _left.bar_label(_left.containers[0], fmt="%.0f")
    _right.barh(list(_sensitivity.index), _sensitivity.to_numpy() * 100, color="tab:blue")
    _right.set_xlabel("revenue change (%) for +10 % of one term")
    _right.set_title("Every term weighs the same")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Who is on the site? Four visitor stages

    The source document splits visitors into four groups and names the recommendation
    that fits each: six in ten leave right after landing (show statistical and
    customer-group lists, which need no history), a quarter browse and compare (show
    items *viewed together*), about one in eight tries to buy (show items *bought
    together*), and three in a hundred buy. Recommendations aim at the 97 % who do not.

    These shares are of all visitors. Section 1 takes CTR as clicks per visitor and
    conversion as purchases per click, and its defaults (5 % and 3 %) make 0.15 % of
    visitors buyers: a small slice of the shop, such as one carousel. A CTR of 0.2 and a
    conversion of 0.15 give the whole shop's three in a hundred.
    """)
    return


@app.cell
def _():
    VISITOR_STAGES
    return


@app.cell
def _(visitors):
    _stages = VISITOR_STAGES.copy()
    _stages["visitors"] = _stages["share"] * float(visitors.value)
    _fig, _ax = plt.subplots(figsize=(9, 3.2))
    _colors = plt.cm.Blues(np.linspace(0.35, 0.9, len(_stages)))
    _ax.barh(_stages["stage"], _stages["visitors"], color=_colors)
    for _y, (_n, _share, _rec) in enumerate(zip(_stages["visitors"], _stages["share"], _stages["recommendation"])):
        _ax.text(_n, _y, f"  {_share:.0%} · {_rec}", va="center", fontsize=8)
    _ax.invert_yaxis()
    _ax.set_xlim(0, _stages["visitors"].max() * 2.2)
    _ax.set_xlabel(f"visitors (of {int(visitors.value):,})")
    _ax.set_title("Visitor stages and the recommendation that fits each")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Placement by page

    Each page of the shop is a different moment of the visit, so each gets a different
    recommendation and lifts a different term. The table pairs the document's
    placement plan with the workbench models that implement it (`source` says whether
    the effect is written in the document or inferred). Pick a page and the lift its
    recommender brings to see what it is worth.
    """)
    return


@app.cell
def _():
    PLACEMENTS
    return


@app.cell
def _():
    page = ui.dropdown(list(PLACEMENTS["page"]), value="product detail", label="page")
    page_lift = ui.slider(0.01, 0.5, value=0.1, step=0.01, label="lift of the term that page moves")
    ui.controls(page, page_lift, title="One placement")
    return page, page_lift


@app.cell
def _(conversion, ctr, page, page_lift, price, visitors):
    placement_what_if(
        float(visitors.value), float(ctr.value), float(conversion.value), float(price.value), page.value, float(page_lift.value)
    ).round(4)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · The operations dashboard

    The document's dashboard shows three things: the A/B test result, the items that
    convert best (up to 100 items with at least 10 views), and the revenue attributed to
    recommendations. The
    workbench builds it from an event log; here the log comes from the simulated shop,
    with one arm serving a stale popularity list and the other a personal model fed by
    an event tracker. Both arms are runs of the same shop with the same visitors and
    the same random draws (common random numbers), so their difference is not down to
    who happened to visit. One 14-day run of 300 customers is still noisy: the A/B
    test's p-value says how noisy. The log starts at launch (the warm-up week before it
    is the same in both arms), and its sessions are all the simulator's visits, also
    those that left no event (chapter 09 shows how dropping them flatters the weaker
    arm), so the session rates are per visit. Revenue counts as *attributed* when the purchase carries a
    `RECOMMENDATION_ID`, one of the two keys Personalize's metric attribution can use to
    tell sources apart (the other is an `eventAttributionSource`, which wins when an
    event has both).

    Attributed revenue is not the revenue the recommendations *added*: a customer who
    bought a recommended pair might have bought a pair anyway. The table under the
    dashboard sets each arm's attributed revenue beside its **incremental** revenue,
    measured against a third run of the same shop without any recommendations.
    """)
    return


@app.cell
def _():
    dash_run = ui.run_button("Simulate the shop")
    dash_run
    return (dash_run,)


@app.cell
def _(dash_run):
    mo.stop(mo.running_in_notebook() and not dash_run.value, mo.md("Press **Simulate the shop**."))
    _shop = ShopConfig(n_users=300, n_items=80, days=14, warmup_days=7, seed=11)
    _logs, _incremental, _visits = [], {}, {}
    _none = run_scenario(ScenarioConfig(shop=_shop, policy=Policy(kind="none"), name="none"), progress=False)
    for _name, _policy in (
        ("control", Policy(kind="stale", model="popularity")),
        ("treatment", Policy(kind="event_tracker", model="user_personalization")),
    ):
        _result = run_scenario(ScenarioConfig(shop=_shop, policy=_policy, name=_name), progress=False, baseline=_none)
        _events = _result.events
        _logs.append(_events[_events[TIMESTAMP] >= _result.world.day0].assign(variant=_name))  # from launch on
        _visits[_name] = int(_result.daily["visits"].sum())  # also the visits that logged no event
        _incremental[_name] = {
            "attributed revenue (recommended purchases)": _result.daily["revenue"].sum(),
            "incremental revenue (vs no recommendations)": _result.daily["incremental_revenue"].sum(),
            "total revenue": _result.daily["total_revenue"].sum(),
        }
    _incremental["no recommendations"] = {"attributed revenue (recommended purchases)": 0.0,
                                          "incremental revenue (vs no recommendations)": 0.0,
                                          "total revenue": _none.daily["total_revenue"].sum()}
    attribution_vs_incremental = pd.DataFrame(_incremental).round(0)
    dashboard = dashboard_summary(pd.concat(_logs, ignore_index=True), variant_column="variant", control="control", treatment="treatment", top_n=100, min_views=10, visits=pd.Series(_visits))
    mo.md(dashboard.headline().replace("\n", "  \n"))
    return attribution_vs_incremental, dashboard


@app.cell
def _(attribution_vs_incremental):
    _ratio = (attribution_vs_incremental.loc["incremental revenue (vs no recommendations)"]
              / attribution_vs_incremental.loc["attributed revenue (recommended purchases)"]).drop("no recommendations")
    _below = [_arm for _arm, _share in _ratio.items() if _share < 1]
    mo.vstack([
        attribution_vs_incremental,
        mo.md("Share of the attributed revenue that is incremental: "
              + ", ".join(f"{_arm} {_share:.0%}" for _arm, _share in _ratio.items()) + ". "
              + (f"For {' and '.join(_below)} the rest would have been spent in the shop anyway, on the same "
                 "or other shoes: attribution overstates what the list added." if _below else
                 "Here the lists added more than the purchases they are credited with.")),
    ])
    return


@app.cell
def _(dashboard):
    dashboard.kpis.set_index("variant")[["sessions", "clicks", "purchases", "revenue", "ctr", "session_conversion_rate", "bounce_rate", "recommendation_revenue_share"]].T.round(3)
    return


@app.cell
def _(dashboard):
    _top = dashboard.top_conversion_items.head(15)
    _fig, _ax = plt.subplots(figsize=(9, 4))
    _ax.barh(_top[ITEM_ID].astype(str), _top["conversion"], color="tab:orange")
    _ax.invert_yaxis()
    _ax.set_xlabel("purchases / views")
    _ax.set_title(f"Top conversion items (15 of the top-{len(dashboard.top_conversion_items)} list, items with 10+ views)")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


if __name__ == "__main__":
    app.run()
