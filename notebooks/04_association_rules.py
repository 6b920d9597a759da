import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="04 · Bought together and viewed together",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import BASKET_ID, ITEM_ID
    from workbench.data import load_sample
    from workbench.recommenders.association import (
        AssociationRules,
        estimate_frequent_itemsets,
        make_baskets,
        mine_rules,
        next_in_basket,
        pair_relationships,
    )
    from workbench.metrics import paired_difference
    from workbench.recommenders import Popularity, RandomItems
    from workbench.split import temporal_split

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["DH-07", "DH-13"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 04 · Bought together and viewed together

    "Customers who bought this also bought ..." and "customers who viewed this also
    viewed ..." are two of the most common lists in a shop. Both come from **baskets**:
    sets of items that occur together.

    * an **order basket** holds the items one customer *bought* in one visit
      (bought together, shown in the cart as add-ons);
    * a **visit basket** holds every item one customer *looked at* in one visit
      (viewed together, shown on the product page as alternatives).

    Over $N$ baskets and item sets $A$, $B$:

    | measure | formula | reads as | edge cases |
    |:---|:---|:---|:---|
    | support | $s(A) = \frac{\#\text{baskets containing } A}{N}$ | how common the set is | 0 for a set never seen; rules need a minimum |
    | confidence | $c(A\to B) = \frac{s(A\cup B)}{s(A)}$ | of the baskets with $A$, the share that also has $B$ | undefined when $s(A)=0$; high for any $B$ that is in almost every basket |
    | lift | $l(A\to B) = \frac{s(A\cup B)}{s(A)\,s(B)}$ | how much $A$ raises the chance of $B$ | 1 = independent; below 1 = $A$ makes $B$ *less* likely |

    Confidence alone misleads: if a best-seller is in 30 % of all baskets, a rule
    "anything → best-seller" has confidence near 0.3 without any real link. Lift
    corrects for that. The workbench mines rules with **mlxtend** (`fpgrowth`), wrapped
    by `workbench.recommenders.association`.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["association rule", "bought together", "viewed together", "substitute", "complement"])
    )
    return


@app.cell
def _():
    sample = load_sample()
    catalog = sample.items.set_index(sample.items[ITEM_ID].astype(str))

    def with_category(item: str) -> str:
        """'I00074 (sneakers)': an item id with its category."""
        return f"{item} ({catalog['CATEGORY_L1'].get(item, '?')})"

    baskets = {kind: make_baskets(sample.interactions, kind) for kind in ("orders", "sessions")}
    basket_summary = pd.DataFrame(
        {
            kind: {
                "baskets": frame[BASKET_ID].nunique(),
                "items per basket (mean)": round(frame.groupby(BASKET_ID).size().mean(), 2),
                "largest basket": int(frame.groupby(BASKET_ID).size().max()),
                "distinct items": frame[ITEM_ID].nunique(),
            }
            for kind, frame in baskets.items()
        }
    ).rename(columns={"orders": "orders (bought together)", "sessions": "visits (viewed together)"})
    basket_summary
    return baskets, catalog, sample, with_category


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The minimum support, and why it needs a guard

    Mining finds every item set whose support reaches the minimum, then turns the sets
    into rules. The lower the minimum, the more sets qualify, and the growth is
    explosive: every subset of a long basket can become "frequent". A shop with long
    baskets and a careless minimum support can exhaust a machine's memory.

    Before mining, the workbench counts the frequent item sets exactly, depth first on
    bit vectors (`estimate_frequent_itemsets`), and stops counting as soon as the count
    passes a limit (`max_itemsets`): a job that fits is counted in a fraction of its
    mining time, and a blow-up is refused, with advice, long before memory runs out.
    The chart shows the count for both basket kinds as the minimum support falls (a
    count that reached the guard stops there). On this small shop nothing comes near
    a memory limit; to see a refusal, choose visit baskets, the lowest minimum support
    (0.0005) and the 1,000 guard.
    """)
    return


@app.cell
def _():
    basket_kind = ui.dropdown({"bought together (orders)": "orders", "viewed together (visits)": "sessions"}, value="viewed together (visits)", label="baskets")
    min_support = ui.slider(0.0005, 0.02, value=0.002, step=0.0005, label="min support")
    min_confidence = ui.slider(0.01, 0.5, value=0.05, step=0.01, label="min confidence")
    max_len = ui.dropdown({"2 (pairs)": 2, "3": 3, "no limit": None}, value="3", label="largest item set")
    guard = ui.dropdown({"1,000": 1_000, "200,000 (default)": 200_000}, value="200,000 (default)", label="memory guard (max item sets)")
    ui.controls(basket_kind, min_support, min_confidence, max_len, guard, title="Mining")
    return basket_kind, guard, max_len, min_confidence, min_support


@app.cell
def _(baskets, guard, max_len, min_support):
    _supports = np.geomspace(0.0002, 0.05, 14)
    _fig, _ax = plt.subplots(figsize=(8, 3.8))
    for _kind, _label in (("orders", "order baskets"), ("sessions", "visit baskets")):
        _estimates = [estimate_frequent_itemsets(baskets[_kind], s, max_len.value, limit=int(guard.value)) for s in _supports]
        _ax.plot(_supports, [e.counted for e in _estimates], marker="o", label=f"{_label}: all sizes (counted, capped at the guard)")
        _ax.plot(_supports, [e.exact for e in _estimates], linestyle=":", label=f"{_label}: singles + pairs (exact)")
    _ax.axhline(guard.value, color="tab:red", linestyle="--", label=f"guard = {guard.value:,}")
    _ax.axvline(float(min_support.value), color="gray", linewidth=1)
    _ax.set_xscale("log")
    _ax.set_yscale("log")
    _ax.set_xlabel("minimum support")
    _ax.set_ylabel("frequent item sets")
    _ax.set_title("Lower support, many more item sets (grey line: current setting)")
    _ax.legend(fontsize=8)
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(basket_kind, baskets, guard, max_len, min_confidence, min_support):
    try:
        itemsets, rules, estimate = mine_rules(
            baskets[basket_kind.value],
            min_support=float(min_support.value),
            min_confidence=float(min_confidence.value),
            max_len=max_len.value,
            max_itemsets=int(guard.value),
        )
        mining_note = (
            f"Count before mining: {estimate.singles} frequent items, {estimate.pairs} pairs, "
            f"{estimate.counted:,} sets in all (an item set must be in {estimate.min_count} of "
            f"{estimate.n_baskets:,} baskets). Mined **{len(itemsets)} item sets** and **{len(rules)} rules**."
        )
    except MemoryError as _refusal:
        itemsets, rules, estimate = None, None, None
        mining_note = f"**The guard refused to mine.** {_refusal}"
    mo.md(mining_note)
    return (rules,)


@app.cell
def _(rules, with_category):
    def _name(items: frozenset) -> str:
        return " + ".join(with_category(i) for i in sorted(items))

    if rules is None or rules.empty:
        rule_table = pd.DataFrame({"message": ["no rules: lower the minimum support or confidence, or raise the guard"]})
    else:
        rule_table = pd.DataFrame(
            {
                "if the basket has": rules["antecedents"].map(_name),
                "then also": rules["consequents"].map(_name),
                "support": rules["support"].round(4),
                "confidence": rules["confidence"].round(3),
                "lift": rules["lift"].round(2),
            }
        ).sort_values("lift", ascending=False).head(15).reset_index(drop=True)
    rule_table
    return


@app.cell
def _(rules):
    if rules is None or rules.empty:
        _out = mo.md("*(no rules to plot)*")
    else:
        _fig, _ax = plt.subplots(figsize=(8, 4))
        _points = _ax.scatter(rules["support"], rules["confidence"], c=np.log2(rules["lift"].clip(lower=1e-3)), cmap="coolwarm", s=14, vmin=-3, vmax=3)
        _fig.colorbar(_points, ax=_ax, label="log2(lift): red = A raises B, blue = A lowers B")
        _ax.set_xscale("log")
        _ax.set_xlabel("support of the rule")
        _ax.set_ylabel("confidence")
        _below = int((rules["lift"] < 1).sum())
        _ax.set_title(f"{len(rules)} rules; {_below} have lift below 1 despite passing the confidence minimum")
        _fig.tight_layout()
        plt.close(_fig)
        _out = _fig
    _out
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The rules as a recommender: what goes with the cart?

    `AssociationRules` turns the rules into lists: a rule *fires* when its whole "if"
    part is in the customer's basket history (or in the current cart, passed as
    `session=[...]`), and each item scores the highest lift among the fired rules that
    point to it. Popular items fill the rest of the list, ranked below every rule
    (their filler score is negative). Pick an item to put in the cart.
    """)
    return


@app.cell
def _(basket_kind, guard, max_len, min_confidence, min_support, rules, sample):
    if rules is None or rules.empty:
        rule_model = None
        cart_choice = ui.dropdown(["(no rules)"], label="item in the cart")
    else:
        rule_model = AssociationRules(
            min_support=float(min_support.value),
            min_confidence=float(min_confidence.value),
            baskets=basket_kind.value,
            max_len=max_len.value,
            max_itemsets=int(guard.value),
            rank_by="lift",
        ).fit(sample.interactions, items=sample.items)
        _single = rules[rules["antecedents"].map(len) == 1]["antecedents"].map(lambda a: next(iter(a)))
        _starts = list(_single.value_counts().index)  # items that start the most rules first
        cart_choice = ui.dropdown(_starts, value=_starts[0], label="item in the cart")
    cart_choice
    return cart_choice, rule_model


@app.cell
def _(cart_choice, catalog, rule_model):
    if rule_model is None:
        cart_table = pd.DataFrame({"message": ["mine some rules first"]})
    else:
        _recs = rule_model.recommend(["a shopper"], n=6, session=[cart_choice.value])
        cart_table = pd.DataFrame(
            {
                "suggested": _recs[ITEM_ID],
                "category": _recs[ITEM_ID].map(catalog["CATEGORY_L1"]),
                "from a rule": _recs["SCORE"] > 0,
                "score (lift, or popularity filler < 0)": _recs["SCORE"].round(3),
            }
        )
    mo.vstack([mo.md(f"Cart: `{cart_choice.value}` ({catalog['CATEGORY_L1'].get(cart_choice.value, '?')})"), cart_table])
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Do the rules know what goes with the cart?** A list can look plausible and still
    be wrong. Below, rules with the settings above are mined on the oldest 80 % of the
    events only, and every later basket with two or more items becomes a question: its
    first item is the cart, and a list of 6 *hits* when it holds any other item of that
    basket. The popularity list and random lists answer the same questions
    (`next_in_basket`), so the comparison is paired.
    """)
    return


@app.cell
def _(basket_kind, guard, max_len, min_confidence, min_support, sample):
    _split = temporal_split(sample.interactions, test_fraction=0.2)
    try:
        _rules = AssociationRules(
            min_support=float(min_support.value), min_confidence=float(min_confidence.value), baskets=basket_kind.value,
            max_len=max_len.value, max_itemsets=int(guard.value), rank_by="lift",
        ).fit(_split.train, items=sample.items)
    except MemoryError as _refusal:
        _rules = None
        _said = f"The guard refused to mine the training part: {_refusal}"
    if _rules is not None:
        _models = {"rules": _rules, "popularity": Popularity().fit(_split.train, items=sample.items),
                   "random lists": RandomItems().fit(_split.train, items=sample.items)}
        _hits = next_in_basket(_models, _split.test, kind=basket_kind.value, k=6)
        if len(_hits) < 30:
            _said = (f"Only {len(_hits)} later {basket_kind.value.replace('sessions', 'visit')} baskets hold two or more "
                     "items: too few to test the rules on. This shop has few multi-item orders; try visit baskets.")
        else:
            _rates = _hits.mean()
            _gain = paired_difference(_hits["rules"], _hits["popularity"])
            _said = (
                f"{len(_hits):,} held-out baskets. Hit rate of a list of 6: rules {_rates['rules']:.3f}, popularity "
                f"{_rates['popularity']:.3f}, random lists {_rates['random lists']:.3f}; rules minus popularity "
                f"{_gain} (95 % bootstrap, paired on the baskets): "
                + ("the rules know something popularity does not." if _gain.above_zero else
                   "the rules are not reliably better than the popularity list." if not _gain.below_zero else
                   "the rules do worse than the popularity list.")
            )
    mo.md(_said)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Substitutes versus complements

    Two items can belong together for opposite reasons:

    * **substitutes** replace each other: two winter boots the shopper compares before
      buying one. They are *viewed* together but rarely *bought* together. They belong
      on the **product page** ("you might also consider").
    * **complements** complete each other: boots and slippers for the evening, a pair
      of running shoes and sandals for after the run. They are *bought* together, often
      across categories. They belong in the **cart** and at **checkout** ("add to your
      order").

    `pair_relationships` compares lift in visit baskets with lift in order baskets and
    uses the category to label each pair that occurs together at least twice: a pair
    counts as a complement only when its two items belong to different categories (two
    boots bought together may be a gift or a second colour, not a complement). Read the
    counts before the labels: a lift computed from two baskets is an anecdote.
    """)
    return


@app.cell
def _(sample, with_category):
    relations = pair_relationships(sample.interactions, sample.items)
    _counts = relations["relation"].value_counts().rename("pairs").to_frame()
    _examples = []
    for _relation in ("complement", "substitute"):
        _top = relations[relations["relation"] == _relation]
        if _relation == "substitute":  # the best-supported substitutes, not the rarest bought-together ones
            _top = _top[_top["viewed_count"] >= 5].sort_values("viewed_lift", ascending=False)
        _top = _top.head(4)
        for _row in _top.itertuples(index=False):
            _examples.append(
                {
                    "relation": _relation,
                    "item A": with_category(_row.ITEM_A),
                    "item B": with_category(_row.ITEM_B),
                    "viewed together": _row.viewed_count,
                    "lift (views)": round(_row.viewed_lift, 2),
                    "bought together": _row.bought_count,
                    "lift (orders)": round(_row.bought_lift, 2),
                    "why": _row.reason,
                }
            )
    _orders = make_baskets(sample.interactions, "orders").groupby(BASKET_ID)[ITEM_ID].nunique()
    _complements = relations[relations["relation"] == "complement"]
    _note = mo.md(
        f"{len(_orders):,} orders, {int((_orders >= 2).sum())} of them with two or more shoes: "
        f"{len(_complements)} pair{'s' if len(_complements) != 1 else ''} qualify as complements"
        + (f", bought together at most {int(_complements['bought_count'].max())} times" if len(_complements) else "")
        + ", too few to trust; the substitutes shown are those viewed together in 5 or more visits."
    )
    mo.vstack([_counts, _note, pd.DataFrame(_examples)])
    return (relations,)


@app.cell
def _(relations):
    _fig, _ax = plt.subplots(figsize=(8, 4))
    for _relation, _color in (("unrelated", "lightgray"), ("substitute", "tab:blue"), ("complement", "tab:orange")):
        _rows = relations[relations["relation"] == _relation]
        _ax.scatter(_rows["viewed_lift"] + 0.05, _rows["bought_lift"] + 0.05, s=10, alpha=0.7, color=_color, label=f"{_relation} ({len(_rows)})")
    _ax.set_xscale("log")
    _ax.set_yscale("log")
    _ax.axvline(1.05, color="black", linewidth=0.6)
    _ax.axhline(1.05, color="black", linewidth=0.6)
    _ax.set_xlabel("lift in visit baskets (viewed together) + 0.05")
    _ax.set_ylabel("lift in order baskets (bought together) + 0.05")
    _ax.set_title("Each dot a pair of items; the lines mark lift = 1")
    _ax.legend()
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _(sample):
    _purchases = int((sample.interactions["EVENT_TYPE"].astype(str).str.lower() == "purchase").sum())
    mo.md(rf"""
    ## 4 · In Amazon Personalize

    The ECOMMERCE domain offers *Frequently bought together* (cross-sell in the cart)
    and *Customers who viewed X also viewed* (product page); custom solutions use the
    SIMS or Similar-Items recipes for item-to-item lists. SIMS, like the rules here,
    learns co-occurrence from interactions and picks up new events only after the next
    training. *Frequently bought together* needs at least 1,000 Purchase events; this
    shop has {_purchases:,}. Rules are easy to explain ("viewed together in so many
    visits, lift so much") but need many baskets: items whose *pairs* are rare get no
    rule and receive popular filler instead (the cold-start problem again, chapter 05).
    """)
    return


if __name__ == "__main__":
    app.run()
