import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="02 · Popularity and statistical lists",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import ITEM_ID, TIMESTAMP, USER_ID
    from workbench.data import load_sample
    from workbench.metrics import catalog_coverage, compare_per_user, evaluate
    from workbench.recommenders.demographic import DemographicPopularity, SegmentPopularity, cluster_customers
    from workbench.recommenders.popularity import Popularity
    from workbench.recommenders.random_items import RandomItems
    from workbench.recommenders.statistical import (
        BestConversion,
        BestRecommendationCTR,
        BestRecommendationInflow,
        BestSellers,
        MostViewed,
        TrendingNow,
    )
    from workbench.split import temporal_split

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["PZ-01", "PZ-02", "DH-14", "DH-08", "DH-10"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 02 · Popularity and statistical lists

    Before any machine learning, a shop can recommend with **counting**. Three simple
    ideas start most shops' recommendations: show what is **popular**, show what
    **people with similar tastes** liked, and show the customer something they have
    **never tried**. This chapter builds the first one in all its flavours and a first
    step toward the second: popularity *within a group* of similar customers.

    * **Popularity-Count** (a Personalize recipe): the items with the most interactions
      from distinct users, the same list for everyone. Personalize recommends it as
      the baseline for offline metrics.
    * **Statistical top lists** (the commercial solution's "통계형" lists): most viewed
      right now, best sellers, best conversion rate, best recommendation CTR, and
      what is **trending**. Personalize's Trending-Now recipe finds the items whose
      popularity rises fastest; the workbench's `TrendingNow` is by default a simpler
      time-decayed count (`mode="growth"` ranks by the rise over the window before).
    * **Demographic and segment lists**: popular among customers of the same age band
      and gender, or of the same segment (VIP, heavy, normal, one-off), with the
      segments found by clustering.

    No list here is personal. That is their weakness and their strength: they need
    no history of the visitor, so they serve a brand-new or anonymous visitor at once.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["popularity", "recency", "customer segment", "click-through rate", "conversion rate", "cold start"])
    )
    return


@app.cell
def _():
    sample = load_sample()
    catalog = sample.items.set_index(sample.items[ITEM_ID].astype(str))
    newest = int(sample.interactions[TIMESTAMP].max())
    mo.md(
        f"The bundled shop: **{len(sample.interactions):,}** events from "
        f"**{sample.interactions[USER_ID].nunique():,}** customers on **{len(catalog)}** shoes, "
        f"ending {pd.to_datetime(newest, unit='s'):%Y-%m-%d %H:%M} UTC."
    )
    return catalog, newest, sample


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Seven lists, one question each

    Every list answers a different question about the catalogue:

    | list | question | rule (workbench) | reacts to live events? |
    |:---|:---|:---|:---|
    | Popularity | what do most customers touch? | distinct users per item | no, only after `fit` |
    | TrendingNow | what is busiest right now, recent events counting most? | events in the window, each weighted $0.5^{\text{age}/\text{half-life}}$ | yes |
    | MostViewed | what is looked at most lately? | views in the window | yes |
    | BestSellers | what is bought most? | purchases in the window | no |
    | BestConversion | what turns product-page visits into purchases? | purchases / (views + clicks), smoothed | no |
    | BestRecommendationCTR | what gets clicked when we recommend it? | clicks on shown items / times shown, smoothed | no |
    | BestRecommendationInflow | which items get their traffic from recommendations? | events that came from a recommendation / all events, smoothed | no |

    The three rate lists **smooth** their ratio: each item gets a few pseudo-observations
    at the shop-wide rate, so an item viewed twice and bought once (50 %) does not
    outrank one viewed 400 times and bought 80 times (20 %). Without smoothing, rate
    lists are dominated by luck on rarely seen items. Choose the denominator with care:
    in this shop many purchases come after a *click on a recommendation*, so the
    conversion list divides purchases by views plus clicks, every way a customer can
    reach a product page.

    The **window** keeps only the most recent days of events (for every list); the
    **half-life** sets how fast an event's weight fades in the trending list.
    """)
    return


@app.cell
def _():
    window_days = ui.slider(1, 60, value=14, label="window (days of history)")
    half_life = ui.slider(1, 168, value=24, label="trending half-life (hours)")
    list_length = ui.slider(5, 15, value=8, label="list length")
    ui.controls(window_days, half_life, list_length, title="Statistical lists")
    return half_life, list_length, window_days


@app.cell
def _(catalog, half_life, list_length, newest, sample, window_days):
    _hours = float(window_days.value) * 24
    recent_events = sample.interactions[sample.interactions[TIMESTAMP] >= newest - _hours * 3600]
    _n = int(list_length.value)
    top_lists = {
        "Popularity": Popularity(),
        "TrendingNow": TrendingNow(window_hours=_hours, half_life_hours=float(half_life.value)),
        "MostViewed": MostViewed(window_hours=_hours),
        "BestSellers": BestSellers(window_hours=_hours),
        "BestConversion": BestConversion(denominator_events=("view", "click")),
        "BestRecommendationCTR": BestRecommendationCTR(),
        "BestRecommendationInflow": BestRecommendationInflow(),
    }
    top_recs = {
        name: model.fit(recent_events, items=sample.items).recommend(["a new visitor"], n=_n)
        for name, model in top_lists.items()
    }

    def describe(item: str) -> str:
        """'I00074 · sneakers (Stridewell, 101.99)' -- an item id people can read."""
        if item not in catalog.index:
            return item
        row = catalog.loc[item]
        return f"{item} · {row['CATEGORY_L1']} ({row['BRAND']}, {row['PRICE']:.2f})"

    lists_table = pd.DataFrame({name: [describe(i) for i in recs[ITEM_ID]] for name, recs in top_recs.items()})
    lists_table.index = pd.RangeIndex(1, len(lists_table) + 1, name="rank")
    mo.md(
        f"{len(recent_events):,} events in the last {int(window_days.value)} days. Every list below is what "
        "a visitor nobody knows would see (every list serves unknown visitors without complaint)."
    )
    return describe, lists_table, recent_events, top_lists, top_recs


@app.cell
def _(lists_table):
    lists_table
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    How different are the lists? Each cell counts the items two lists share; the
    sentence under the chart names the closest and the most different pairs at the
    window you chose. Move the window: a short one makes the windowed lists (best
    sellers, most viewed, trending) follow the last days, while popularity and the rate
    lists read the same days too but rank by other things -- a high rate is not a high
    count.
    """)
    return


@app.cell
def _(top_recs):
    _names = list(top_recs)
    _sets = [set(top_recs[n][ITEM_ID]) for n in _names]
    overlap = pd.DataFrame([[len(a & b) for b in _sets] for a in _sets], index=_names, columns=_names)
    _fig, _ax = plt.subplots(figsize=(7, 5))
    _image = _ax.imshow(overlap.to_numpy(), cmap="Blues", vmin=0)
    _ax.set_xticks(range(len(_names)), _names, rotation=35, ha="right")
    _ax.set_yticks(range(len(_names)), _names)
    for (_r, _c), _v in np.ndenumerate(overlap.to_numpy()):
        _ax.text(_c, _r, str(_v), ha="center", va="center", color="white" if _v > overlap.to_numpy().max() / 2 else "black")
    _fig.colorbar(_image, ax=_ax, label="shared items")
    _ax.set_title("Items two top lists have in common")
    _fig.tight_layout()
    plt.close(_fig)
    _pairs = pd.Series({(a, b): overlap.loc[a, b] for i, a in enumerate(_names) for b in _names[i + 1:]})
    _closest, _apart = _pairs.idxmax(), _pairs.idxmin()
    _with_pop = overlap.loc["Popularity"].drop("Popularity")
    mo.vstack([_fig, mo.md(
        f"Closest pair: {_closest[0]} and {_closest[1]}, {_pairs.max()} shared items; most different: {_apart[0]} and "
        f"{_apart[1]}, {_pairs.min()}. Shared with popularity: "
        + ", ".join(f"{n} {v}" for n, v in _with_pop.items()) + f" (of {len(top_recs['Popularity'])})."
    )])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### What "trending" means

    Daily events over the whole log of the best seller, of the highest trending item
    that is *not* among the best sellers, and of the best-converting item. The trending
    list looks only at the last few days and discounts older events by the half-life,
    so a few strong recent days are enough to trend, whatever came before; the best
    seller ranks by purchases over the whole window; the converter may have few events
    at all. Shorten the half-life and the trending list follows yesterday more closely.
    The shaded band is the window the lists were computed on.
    """)
    return


@app.cell
def _(newest, sample, top_recs, window_days):
    _events = sample.interactions
    _day = pd.to_datetime(_events[TIMESTAMP], unit="s").dt.floor("D")
    _fig, _ax = plt.subplots(figsize=(9, 3.6))
    _sellers = list(top_recs["BestSellers"][ITEM_ID])
    _trending = next((i for i in top_recs["TrendingNow"][ITEM_ID] if i not in _sellers), top_recs["TrendingNow"][ITEM_ID].iloc[0])
    _shown = {
        f"BestSellers #1: {_sellers[0]}": _sellers[0],
        f"TrendingNow, not a best seller: {_trending}": _trending,
        f"BestConversion #1: {top_recs['BestConversion'][ITEM_ID].iloc[0]}": top_recs["BestConversion"][ITEM_ID].iloc[0],
    }
    for _label, _item in _shown.items():
        _daily = _events[_events[ITEM_ID] == _item].groupby(_day[_events[ITEM_ID] == _item]).size()
        _ax.plot(_daily.index, _daily.to_numpy(), marker=".", label=_label)
    _ax.axvspan(pd.to_datetime(newest - int(window_days.value) * 86400, unit="s"), pd.to_datetime(newest, unit="s"), color="orange", alpha=0.15, label="window")
    _ax.set_ylabel("events per day")
    _ax.legend(fontsize=8)
    _ax.set_title("Daily activity: a steady seller, a trending item, a converter")
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Every statistical list can explain itself in one sentence; the explanation is the
    same for every visitor because the list is not personal:
    """)
    return


@app.cell
def _(describe, top_lists, top_recs):
    explanations = pd.DataFrame(
        [
            {"list": name, "first item": describe(top_recs[name][ITEM_ID].iloc[0]),
             "why": top_lists[name].explain("a new visitor", top_recs[name][ITEM_ID].iloc[0])}
            for name in top_lists
        ]
    ).set_index("list")
    explanations
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · "Something you have never tried"

    The third starting model of the overview is about **novelty**. The simplest form
    is to remove what the customer already knows: `recommend(..., exclude_seen=True)`
    (the default) drops items the user interacted with, so a loyal customer's popular
    list is filled with items new *to them*. Personalize's ECOMMERCE "Recommended for
    you" does this for purchased items automatically. Deliberate exploration of new,
    little-known items is taught with User-Personalization in chapters 06 and 07.
    """)
    return


@app.cell
def _(describe, recent_events, sample):
    _popularity = Popularity().fit(sample.interactions, items=sample.items)
    _heavy_user = sample.interactions[USER_ID].value_counts().index[0]
    _seen = set(sample.interactions.loc[sample.interactions[USER_ID] == _heavy_user, ITEM_ID])
    _with_seen = _popularity.recommend([_heavy_user], n=8, exclude_seen=False)
    _without_seen = _popularity.recommend([_heavy_user], n=8)
    novelty_table = pd.DataFrame(
        {
            "all popular items": [f"{describe(i)}{' (seen)' if i in _seen else ''}" for i in _with_seen[ITEM_ID]],
            "popular items not seen yet": [describe(i) for i in _without_seen[ITEM_ID]],
        },
        index=pd.RangeIndex(1, 9, name="rank"),
    )
    mo.vstack([mo.md(f"The most active customer, `{_heavy_user}`, has touched {len(_seen)} items:"), novelty_table])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Popular among people like you: demographics and segments

    A shop-wide list ignores that a 20-year-old and a 60-year-old buy different shoes.
    Two group lists fix part of that without learning individual tastes:

    * **DemographicPopularity** groups customers by the Users columns `AGE_BAND` and
      `GENDER` (demographic / statistical recommendation).
    * **SegmentPopularity** groups customers by **behaviour**. When the Users file has no
      segment label, `cluster_customers` computes one: recency (days since the last
      event), frequency (events) and monetary value (spend on purchases) per
      customer, log-scaled and standardised, grouped by k-means, and named by a fixed
      rule (highest spend = VIP, fewest events = one-off, most events = heavy, the
      rest normal). Clustering is **unsupervised learning**: nobody told the algorithm
      what a VIP is.

    A small group's counts are noisy, so both models blend the group's popularity with
    the shop's: score $=(c_{gi} + k\cdot s_i)/(n_g + k)$ with $c_{gi}$ customers of group
    $g$ who touched item $i$, $n_g$ customers in the group, $s_i$ the shop-wide share
    and $k$ the prior strength.
    """)
    return


@app.cell
def _():
    n_clusters = ui.slider(2, 6, value=4, label="number of clusters")
    n_clusters
    return (n_clusters,)


@app.cell
def _(n_clusters, sample):
    clusters = cluster_customers(sample.interactions, n_clusters=int(n_clusters.value), seed=42, items=sample.items)
    cluster_profile = clusters.groupby("SEGMENT")[["RECENCY_DAYS", "FREQUENCY", "MONETARY"]].mean().round(1)
    cluster_profile["customers"] = clusters["SEGMENT"].value_counts()
    cluster_profile
    return (clusters,)


@app.cell
def _(clusters):
    _fig, _ax = plt.subplots(figsize=(8, 4))
    for _segment, _rows in clusters.groupby("SEGMENT"):
        _ax.scatter(_rows["FREQUENCY"], _rows["MONETARY"] + 1, s=8, alpha=0.6, label=f"{_segment} ({len(_rows)})")
    _ax.set_xscale("log")
    _ax.set_yscale("log")
    _ax.set_xlabel("frequency (events)")
    _ax.set_ylabel("monetary value + 1 (spend)")
    _ax.set_title("Customers clustered on recency, frequency and spend")
    _ax.legend(markerscale=2)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(clusters):
    segment_choice = ui.dropdown(sorted(clusters["SEGMENT"].unique()), label="show the list of segment")
    segment_choice
    return (segment_choice,)


@app.cell
def _(clusters, describe, n_clusters, sample, segment_choice):
    segment_model = SegmentPopularity(n_clusters=int(n_clusters.value)).fit(sample.interactions, items=sample.items)
    _members = clusters.loc[clusters["SEGMENT"] == segment_choice.value, USER_ID]
    _member = _members.iloc[0]
    _segment_list = segment_model.recommend([_member], n=8, exclude_seen=False)
    _shop_list = Popularity().fit(sample.interactions).recommend(["a new visitor"], n=8)
    segment_table = pd.DataFrame(
        {
            f"segment '{segment_choice.value}'": [describe(i) for i in _segment_list[ITEM_ID]],
            "whole shop": [describe(i) for i in _shop_list[ITEM_ID]],
        },
        index=pd.RangeIndex(1, 9, name="rank"),
    )
    mo.vstack([
        mo.md(f"*{segment_model.explain(_member, _segment_list[ITEM_ID].iloc[0])}*"),
        segment_table,
    ])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Do group lists predict better than one list for all?

    A temporal split: train on the oldest 80 % of the events, ask each model for 10
    items per customer active afterwards, and score against what they really touched
    (items they already knew are excluded). Random lists are the floor. Shop-wide lists
    are hard to beat for a long tail of occasional customers; group lists help when
    groups really buy differently, and the sentence under the chart says which beat
    popularity by more than the noise (a paired bootstrap over the same customers).
    Coverage is the share of the catalogue that appears in any list: one list for all
    covers few items, a little more than 10 because each customer's seen items are
    removed from it. The segment list here clusters the customers itself, with the
    slider's number of clusters (the segment labels of the Users file are left out).
    """)
    return


@app.cell
def _(n_clusters, sample):
    _split = temporal_split(sample.interactions, test_fraction=0.2)
    _users = _split.test[USER_ID].unique()
    _models = {
        "Popularity": Popularity(),
        "BestSellers": BestSellers(),
        "TrendingNow": TrendingNow(),
        "DemographicPopularity": DemographicPopularity(),
        "SegmentPopularity": SegmentPopularity(n_clusters=int(n_clusters.value)),
        "Random lists": RandomItems(),
    }
    _unlabelled = sample.users.drop(columns="SEGMENT", errors="ignore")  # so the slider's clustering is what is judged
    _rows, group_evals = {}, {}
    for _name, _model in _models.items():
        _users_frame = _unlabelled if _name == "SegmentPopularity" else sample.users
        _recs = _model.fit(_split.train, items=sample.items, users=_users_frame).recommend(_users, n=10)
        group_evals[_name] = evaluate(_recs, _split.test, k=10, metrics=["ndcg", "precision", "recall", "hit_rate"])
        _scores = group_evals[_name].summary.copy()
        _scores["catalog coverage"] = catalog_coverage(_recs, sample.items[ITEM_ID])
        _rows[_name] = _scores
    group_scores = pd.DataFrame(_rows).T.round(4)
    group_scores
    return group_evals, group_scores


@app.cell
def _(group_evals, group_scores):
    _fig, _ax = plt.subplots(figsize=(8, 3.6))
    group_scores[["NDCG@10", "Recall@10", "HitRate@10"]].plot.bar(ax=_ax, rot=15)
    _ax.set_ylabel("mean over customers")
    _ax.set_title("Non-personal lists on a temporal split (k = 10)")
    _fig.tight_layout()
    plt.close(_fig)
    _vs = {n: compare_per_user(e, group_evals["Popularity"], "NDCG@10") for n, e in group_evals.items()
           if n not in ("Popularity", "Random lists")}
    _said = "; ".join(f"{n} {d} ({d.verdict(tie='a tie')})" for n, d in _vs.items())
    mo.vstack([_fig, mo.md(
        f"NDCG@10 minus popularity's, per customer, with a 95 % bootstrap interval: {_said}. Random lists: "
        f"{group_scores.loc['Random lists', 'NDCG@10']:.3f}, popularity {group_scores.loc['Popularity', 'NDCG@10']:.3f}; "
        f"popularity's list reaches {group_scores.loc['Popularity', 'catalog coverage']:.0%} of the catalogue."
    )])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Where these lists belong

    * **Home page for new or anonymous visitors**: trending or popularity (Personalize:
      Trending-Now or Popularity-Count in a custom solution; the ECOMMERCE domain has
      Most viewed and Best sellers, whose GetRecommendations calls need a `userId`).
      New users immediately get these lists.
    * **About to leave the landing page**: a demographic list fits what the shop
      already knows from sign-up (age band, gender) without any click history; a
      segment list needs a stored segment label or some past behaviour.
    * **Operations**: best conversion and best recommendation CTR are also dashboards:
      they show which items sell when shown and which recommendations work.
    * **Always**: keep a popularity list next to any personal model as the baseline
      (chapter 08). A personal model that does not beat it is not worth its cost.

    Next: chapter 03 learns individual tastes from the whole interaction matrix.
    """)
    return


if __name__ == "__main__":
    app.run()
