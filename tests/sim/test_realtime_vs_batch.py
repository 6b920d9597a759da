"""A single tracked click moves User-Personalization at once, but not SIMS until it is retrained."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders.user_personalization import UserPersonalization
from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario


@pytest.fixture(scope="module")
def shop_log():
    shop = ShopConfig(n_users=400, n_items=80, days=1, warmup_days=10, seed=9, slices_per_day=6)
    result = run_scenario(ScenarioConfig(shop, Policy(kind="stale")), progress=False)
    return result.events, result.world


def _click(user, item, t):
    return pd.DataFrame({USER_ID: [user], ITEM_ID: [item], TIMESTAMP: [t], EVENT_TYPE: ["click"]})


def _far_item(model, user, items):
    """An item from a category the user's current list does not contain."""
    cats = items.set_index(ITEM_ID)["CATEGORY_L1"]
    shown = set(cats.loc[model.recommend([user], n=10)[ITEM_ID]])
    candidates = [i for i in model.item_vocab.ids if i in cats.index and cats[i] not in shown]
    return candidates[0]


def test_one_tracked_click_changes_the_next_user_personalization_list(shop_log):
    events, world = shop_log
    model = UserPersonalization(exploration_weight=0.0).fit(events, items=world.items_at(world.day0))
    user = events[USER_ID].value_counts().index[0]
    before = model.recommend([user], n=10)[ITEM_ID].tolist()
    model.update(_click(user, _far_item(model, user, world.items), int(events[TIMESTAMP].max()) + 5))
    after = model.recommend([user], n=10)[ITEM_ID].tolist()
    assert after != before


def test_one_tracked_click_does_not_change_sims_until_retrained(shop_log):
    sims = pytest.importorskip("workbench.recommenders.sims")
    events, world = shop_log
    model = sims.SIMS().fit(events, items=world.items_at(world.day0))
    query = events[ITEM_ID].value_counts().index[0]
    before = model.similar_items([query], n=10)[ITEM_ID].tolist()
    t = int(events[TIMESTAMP].max())
    # many users now click the query item together with one rarely co-viewed item
    rare = events[ITEM_ID].value_counts().index[-1]
    users = events[USER_ID].unique()[:40]
    burst = pd.concat([_click(u, i, t + k) for k, u in enumerate(users) for i in (query, rare)], ignore_index=True)
    model.update(burst)
    assert model.similar_items([query], n=10)[ITEM_ID].tolist() == before, "SIMS learns only at retraining"
    retrained = sims.SIMS().fit(pd.concat([events, burst], ignore_index=True), items=world.items_at(world.day0))
    assert retrained.similar_items([query], n=10)[ITEM_ID].tolist() != before
