from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import CREATION_TIMESTAMP, EVENT_TYPE, FALLBACK, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders.user_personalization import UserPersonalization

from .contract import RecommenderContract, contract_dataset


class TestUserPersonalizationContract(RecommenderContract):
    def make_model(self):
        return UserPersonalization()


def _events(rows, t0=1_700_100_000):
    frame = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, EVENT_TYPE])
    frame[TIMESTAMP] = t0 + np.arange(len(frame)) * 10
    return frame


@pytest.fixture
def fitted():
    interactions, items, users = contract_dataset()
    return UserPersonalization(exploration_weight=0.0).fit(interactions, items=items, users=users), interactions, items


def test_single_tracked_click_changes_next_list(fitted):
    model, interactions, items = fitted
    user = "user000"
    before = model.recommend([user], n=5)
    touched = set(interactions.loc[interactions[USER_ID] == user, ITEM_ID])
    # a click on an untouched item of a category this user never favoured
    target = next(i for i in items.loc[items["CATEGORY_L1"] == "formal", ITEM_ID] if i not in touched)
    model.update(_events([(user, target, "click")], t0=int(interactions[TIMESTAMP].max()) + 60))
    after = model.recommend([user], n=5)
    assert before[ITEM_ID].tolist() != after[ITEM_ID].tolist()
    assert target not in after[ITEM_ID].tolist()  # the clicked item is now seen
    # the click pulled the list towards the clicked category
    cats = items.set_index(ITEM_ID)["CATEGORY_L1"]
    assert (cats[after[ITEM_ID]] == "formal").sum() > (cats[before[ITEM_ID]] == "formal").sum()


def test_other_users_are_not_moved_by_someone_elses_click(fitted):
    model, interactions, items = fitted
    before = model.recommend(["user001"], n=5)
    model.update(_events([("user000", "item004", "click")], t0=int(interactions[TIMESTAMP].max()) + 60))
    after = model.recommend(["user001"], n=5)
    assert before[ITEM_ID].tolist() == after[ITEM_ID].tolist()


def test_new_user_becomes_personalised_after_a_few_events(fitted):
    model, interactions, items = fitted
    assert model.recommend(["newbie"], n=5)[FALLBACK].all()
    boots = items.loc[items["CATEGORY_L1"] == "boots", ITEM_ID].tolist()
    model.update(_events([("newbie", b, "view") for b in boots[:3]], t0=int(interactions[TIMESTAMP].max()) + 60))
    recs = model.recommend(["newbie"], n=4)
    assert not recs[FALLBACK].any()
    cats = items.set_index(ITEM_ID)["CATEGORY_L1"]
    assert (cats[recs[ITEM_ID]] == "boots").mean() >= 0.75


def test_session_fades_with_time(fitted):
    model, interactions, items = fitted
    user = "user000"
    t = int(interactions[TIMESTAMP].max()) + 60
    before = model.recommend([user], n=5)[ITEM_ID].tolist()
    model.update(_events([(user, "item004", "click"), (user, "item009", "click")], t0=t))
    during = model.recommend([user], n=5)[ITEM_ID].tolist()
    # two months later the session vector has faded: the query is the long-term profile alone
    model.auto_update(now=t + 60 * 86_400)
    inner = model.user_vocab.to_inner([user])
    profile = model._profile[inner]
    taste, live = model._query_vectors(inner, None)
    np.testing.assert_allclose(taste, profile / np.linalg.norm(profile), atol=1e-12)
    assert np.abs(live).max() < 1e-9
    assert during != before


def test_events_on_unknown_items_wait_for_auto_update(fitted):
    model, interactions, items = fitted
    t = int(interactions[TIMESTAMP].max()) + 60
    model.update(_events([("user000", "brand-new", "purchase"), ("user001", "brand-new", "click")], t0=t))
    assert "brand-new" not in model.item_vocab
    catalog = pd.concat([items, pd.DataFrame({ITEM_ID: ["brand-new"], "CATEGORY_L1": ["boots"],
                                              CREATION_TIMESTAMP: [t]})], ignore_index=True)
    model.auto_update(items=catalog, now=t + 100)
    assert "brand-new" in model.item_vocab
    idx = model.item_vocab.to_inner(["brand-new"])[0]
    assert np.linalg.norm(model.item_factors_[idx]) > 0  # folded in from the two events
    assert model._seen[model.user_vocab.to_inner(["user000"])[0], idx]
    assert "brand-new" in set(model.exploration_candidates())


def test_auto_update_brings_new_items_into_lists_only_with_exploration():
    interactions, items, users = contract_dataset()
    t = int(interactions[TIMESTAMP].max())
    old_items = items.assign(**{CREATION_TIMESTAMP: t - 400 * 86_400})
    new = pd.DataFrame({ITEM_ID: [f"new{k}" for k in range(5)], "CATEGORY_L1": "boots", CREATION_TIMESTAMP: t})
    catalog = pd.concat([old_items, new], ignore_index=True)
    user_ids = interactions[USER_ID].unique()[:30]
    shown = {}
    for weight in (0.0, 0.3, 1.0):
        model = UserPersonalization(exploration_weight=weight).fit(interactions, items=old_items)
        model.auto_update(items=catalog, now=t + 3600)
        recs = model.recommend(user_ids, n=10)
        shown[weight] = recs[ITEM_ID].str.startswith("new").mean()
    assert shown[0.0] == 0.0  # zero-factor items can only come from exploration
    assert 0.0 < shown[0.3] < shown[1.0]


def test_exploration_cutoff_excludes_old_items():
    interactions, items, users = contract_dataset()
    t = int(interactions[TIMESTAMP].max())
    aged = items.assign(**{CREATION_TIMESTAMP: t - 40 * 86_400})
    model = UserPersonalization(exploration_item_age_cutoff=30).fit(interactions, items=aged)
    assert model.exploration_candidates().empty
    model = UserPersonalization(exploration_item_age_cutoff=60, exploration_max_interactions=10_000).fit(
        interactions, items=aged
    )
    assert len(model.exploration_candidates()) == len(items)


def test_incremental_absorb_equals_one_batch():
    interactions, items, users = contract_dataset()
    base = interactions.iloc[:400]
    rest = interactions.iloc[400:].sort_values(TIMESTAMP)
    a = UserPersonalization(exploration_weight=0.0).fit(base, items=items)
    b = UserPersonalization(exploration_weight=0.0).fit(base, items=items)
    a.update(rest)
    for _, chunk in rest.groupby(np.arange(len(rest)) // 7):
        b.update(chunk)
    np.testing.assert_allclose(a._profile[: len(a.user_vocab)], b._profile[: len(b.user_vocab)], atol=1e-9)
    np.testing.assert_allclose(a._session[: len(a.user_vocab)], b._session[: len(b.user_vocab)], atol=1e-9)
    np.testing.assert_allclose(a._pop, b._pop, rtol=1e-9)


def test_explanations_name_the_reason(fitted):
    model, interactions, items = fitted
    t = int(interactions[TIMESTAMP].max()) + 60
    model.update(_events([("user000", "item004", "click")], t0=t))
    recs = model.recommend(["user000"], n=1)
    assert "item004" in model.explain("user000", recs[ITEM_ID].iloc[0])
    assert "new" in model.explain("nobody", "item001").lower()


def test_history_grows_with_tracked_events(fitted):
    model, interactions, items = fitted
    events = _events([("user000", "item004", "click"), ("zed", "item001", "view")], t0=1_800_000_000)
    model.update(events)
    assert len(model._history) == len(interactions) + 2
    assert len(model.pending_events_) == 2


def test_reseed_replays_the_same_exploration_draws():
    interactions, items, users = contract_dataset()
    t = int(interactions[TIMESTAMP].max())
    young = items.assign(**{CREATION_TIMESTAMP: t - 86_400})
    model = UserPersonalization(exploration_weight=0.5, exploration_max_interactions=10_000).fit(interactions, items=young)
    user_ids = interactions[USER_ID].unique()[:20]
    first = model.recommend(user_ids, n=10)
    drifted = model.recommend(user_ids, n=10)  # the stream has moved on: other draws
    replay = model.reseed().recommend(user_ids, n=10)
    assert not first[ITEM_ID].equals(drifted[ITEM_ID])
    pd.testing.assert_frame_equal(first, replay)


def test_taste_explanation_names_the_closest_history_item():
    interactions, items, users = contract_dataset()
    model = UserPersonalization(exploration_weight=0.0).fit(interactions, items=items)
    user = interactions[USER_ID].value_counts().index[0]  # a long history: the closest item is not always the last
    named = set()
    for item in model.recommend([user], n=5)[ITEM_ID]:
        text = model.explain(user, item)
        if "closest in the model's factors" not in text:
            continue
        anchor = text.rsplit(": ", 1)[1].rstrip(").")
        inner_user = model.user_vocab.to_inner([user])[0]
        history = np.flatnonzero(model._seen[np.array([inner_user])].toarray()[0])
        vectors = model.item_factors_[history]
        target = model.item_factors_[model.item_vocab.to_inner([item])[0]]
        cosine = vectors @ target / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(target))
        assert anchor == model.item_vocab.ids[history[int(np.argmax(cosine))]]
        named.add(anchor)
    assert named  # at least one list item was explained by taste
