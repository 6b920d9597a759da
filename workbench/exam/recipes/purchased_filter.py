"""``purchased_filter``: does an item the shopper just bought come back in their next list?"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...constants import EVENT_PURCHASE, EVENT_TYPE, ITEM_ID, RANK, SECONDS_PER_HOUR, TIMESTAMP, USER_ID
from .data_rules import synthetic_log
from .registry import EvidenceRecipe, RecipeResult, allowed_keys, register

PURCHASE_FILTER = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'
"""The Personalize filter expression that drops items a user has bought."""


def run_purchased_filter(plan: Any) -> RecipeResult:
    """Replay same-day purchases and count recommendations of items just bought.

    A Popularity model is trained on day 0. On day 1 every shopper buys one of the
    items currently recommended to them and then asks for recommendations again.
    Options differ in whether the purchase is recorded with the event tracker
    (``record_events`` -> ``model.update``), whether the purchased-items filter is
    applied, and when the model is retrained (``retrain: nightly`` = after the
    visit, so the request right after paying is still served by yesterday's model). The metric
    is the share of post-purchase lists that still contain the item just bought.
    """
    from ...recommenders import Popularity

    train = synthetic_log(n_users=40, interactions_per_user=6, purchase_share=0.0, seed=11, n_items=30)
    users = sorted(train[USER_ID].unique())
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        config = dict(play.config)
        model = Popularity().fit(train)
        before = model.recommend(users, n=5)
        bought = before[before[RANK] == 1].set_index(USER_ID)[ITEM_ID]
        t1 = int(train[TIMESTAMP].max()) + SECONDS_PER_HOUR
        purchases = pd.DataFrame(
            {USER_ID: bought.index, ITEM_ID: bought.to_numpy(), TIMESTAMP: t1, EVENT_TYPE: EVENT_PURCHASE}
        )
        if config.get("record_events", False):
            model.update(purchases)
        # retrain: "nightly" retrains after the visit, so the request below still uses
        # the model trained yesterday -- exactly what a shopper sees right after paying.
        expression = PURCHASE_FILTER if config.get("filter", False) else None
        after = model.recommend(users, n=5, filter=expression)
        hits = after.merge(purchases[[USER_ID, ITEM_ID]], on=[USER_ID, ITEM_ID])
        share = hits[USER_ID].nunique() / len(users)
        values[letter] = share
        rows.append({"option": letter, **config, "lists": len(users), "lists_with_item_just_bought": hits[USER_ID].nunique()})
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


register(
    EvidenceRecipe(
        name="purchased_filter",
        run=run_purchased_filter,
        description="replays purchases; share of next lists that still recommend the item just bought",
        metrics=("share_lists_with_bought_item",),
        check_config=allowed_keys({"record_events": bool, "filter": bool, "retrain": str},
                                  choices={"retrain": ("none", "nightly")}),
    )
)
