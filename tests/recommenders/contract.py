"""Contract tests every recommender inherits.

Usage in a model's test module::

    class TestPopularity(RecommenderContract):
        def make_model(self):
            return Popularity()

Override ``make_model`` (required), and optionally ``training_data`` (if the model
needs e.g. ratings) or ``realtime_events`` (the events that should move a
real-time model). Every check here holds for every model in the workbench.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, EVENT_VALUE, FALLBACK, ITEM_ID, RANK, SCORE, TIMESTAMP, USER_ID
from workbench.recommenders.base import Recommender

CATEGORIES = ("sneakers", "boots", "sandals", "running", "formal")


def contract_dataset(seed: int = 7, n_users: int = 60, n_items: int = 40) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Seeded interactions / items / users frames with taste clusters by category."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(
        {
            ITEM_ID: [f"item{i:03d}" for i in range(n_items)],
            "CATEGORY_L1": [CATEGORIES[i % len(CATEGORIES)] for i in range(n_items)],
            "PRICE": np.round(rng.uniform(20, 200, n_items), 2),
            "PRODUCT_DESCRIPTION": [
                f"{CATEGORIES[i % len(CATEGORIES)]} shoe model {i} in {'black white red blue'.split()[i % 4]} leather"
                for i in range(n_items)
            ],
            "CREATION_TIMESTAMP": 1_690_000_000 + np.arange(n_items) * 86_400,
        }
    )
    users = pd.DataFrame(
        {
            USER_ID: [f"user{u:03d}" for u in range(n_users)],
            "AGE_BAND": [("18-24", "25-34", "35-49", "50+")[u % 4] for u in range(n_users)],
            "GENDER": [("F", "M")[u % 2] for u in range(n_users)],
            "SEGMENT": [("heavy", "vip", "normal", "one-off")[u % 4] for u in range(n_users)],
        }
    )
    rows = []
    t0 = 1_700_000_000
    for u in range(n_users):
        favourite = u % len(CATEGORIES)
        fav_items = [i for i in range(n_items) if i % len(CATEGORIES) == favourite]
        for j in range(int(rng.integers(8, 16))):
            pool = fav_items if rng.random() < 0.8 else list(range(n_items))
            item = int(rng.choice(pool))
            event = rng.choice(["view", "click", "add_to_cart", "purchase"], p=[0.5, 0.3, 0.1, 0.1])
            rows.append((f"user{u:03d}", f"item{item:03d}", t0 + u * 1000 + j * 60, event, float(rng.integers(1, 6))))
    interactions = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE])
    return interactions, items, users


class RecommenderContract:
    """Behaviour shared by every recommender (fit/recommend/update/filter/explain)."""

    n = 5

    def make_model(self) -> Recommender:  # pragma: no cover - overridden
        raise NotImplementedError

    def training_data(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return contract_dataset()

    @pytest.fixture
    def data(self):
        return self.training_data()

    @pytest.fixture
    def fitted(self, data):
        interactions, items, users = data
        return self.make_model().fit(interactions, items=items, users=users)

    def known_user(self, data) -> str:
        return str(data[0][USER_ID].iloc[0])

    def realtime_events(self, data, user: str) -> pd.DataFrame:
        """Events that should move a real-time model: the user suddenly clicks and buys
        several items of a category they never touched."""
        interactions, items, _ = data
        touched = set(interactions.loc[interactions[USER_ID] == user, ITEM_ID])
        touched_cats = set(items.loc[items[ITEM_ID].isin(touched), "CATEGORY_L1"])
        other = [c for c in CATEGORIES if c not in touched_cats] or list(CATEGORIES)
        fresh = items.loc[(items["CATEGORY_L1"] == other[-1]) & ~items[ITEM_ID].isin(touched), ITEM_ID].tolist()[:4]
        t = int(interactions[TIMESTAMP].max()) + 60
        rows = []
        for k, item in enumerate(fresh):
            for j, ev in enumerate(("view", "click", "purchase")):
                rows.append((user, item, t + k * 30 + j, ev, 5.0))
        return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE])

    # ------------------------------------------------------------------ tests
    def test_default_construction(self):
        model = self.make_model()
        assert isinstance(model, Recommender)
        assert type(model)().config is not None  # Model() works with defaults
        assert isinstance(type(model).realtime, bool)

    def test_not_fitted_raises_clear_error(self):
        from workbench.errors import ModelNotFittedError

        with pytest.raises(ModelNotFittedError):
            self.make_model().recommend(["user000"])

    def test_fit_returns_self_and_recommend_shape(self, data):
        interactions, items, users = data
        model = self.make_model()
        assert model.fit(interactions, items=items, users=users) is model
        user_ids = interactions[USER_ID].unique()[:10]
        recs = model.recommend(user_ids, n=self.n)
        assert list(recs.columns[:4]) == [USER_ID, ITEM_ID, SCORE, RANK]
        assert FALLBACK in recs.columns
        assert set(recs[USER_ID]) <= set(map(str, user_ids))
        for _, group in recs.groupby(USER_ID):
            assert len(group) <= self.n
            assert group[ITEM_ID].is_unique
            assert list(group[RANK]) == list(range(1, len(group) + 1))
            assert group[SCORE].is_monotonic_decreasing
        # most known users get a full list
        full = recs.groupby(USER_ID).size()
        assert (full == self.n).mean() >= 0.8

    def test_excludes_seen_items(self, data, fitted):
        interactions = data[0]
        user_ids = interactions[USER_ID].unique()[:15]
        recs = fitted.recommend(user_ids, n=self.n, exclude_seen=True)
        seen = set(zip(interactions[USER_ID], interactions[ITEM_ID]))
        assert not any((u, i) in seen for u, i in zip(recs[USER_ID], recs[ITEM_ID]))

    def test_deterministic_under_seed(self, data):
        interactions, items, users = data
        user_ids = interactions[USER_ID].unique()[:10]
        a = self.make_model().fit(interactions, items=items, users=users).recommend(user_ids, n=self.n)
        b = self.make_model().fit(interactions, items=items, users=users).recommend(user_ids, n=self.n)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))

    def test_unknown_user_gets_flagged_fallback(self, fitted):
        recs = fitted.recommend(["someone-new", "user000"], n=self.n)
        new = recs[recs[USER_ID] == "someone-new"]
        assert len(new) > 0, "unknown users must get the documented fallback, not nothing"
        assert new[FALLBACK].all()
        assert not recs.loc[recs[USER_ID] == "user000", FALLBACK].any()
        assert isinstance(fitted.explain("someone-new", new[ITEM_ID].iloc[0]), str)

    def test_filter_by_category_is_honoured(self, data, fitted):
        interactions = data[0]
        user_ids = interactions[USER_ID].unique()[:10]
        recs = fitted.recommend(
            user_ids, n=self.n, filter='INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ("boots")'
        )
        items = data[1].set_index(ITEM_ID)
        assert len(recs) > 0
        assert (items.loc[recs[ITEM_ID], "CATEGORY_L1"] == "boots").all()

    def test_exclude_purchased_filter(self, data, fitted):
        interactions = data[0]
        user_ids = interactions[USER_ID].unique()[:10]
        recs = fitted.recommend(
            user_ids, n=self.n, exclude_seen=False,
            filter='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")',
        )
        bought = interactions[interactions[EVENT_TYPE] == "purchase"]
        bought_pairs = set(zip(bought[USER_ID], bought[ITEM_ID]))
        assert not any((u, i) in bought_pairs for u, i in zip(recs[USER_ID], recs[ITEM_ID]))

    def test_update_matches_realtime_claim(self, data, fitted):
        user = self.known_user(data)
        before = fitted.recommend([user], n=self.n, exclude_seen=False)
        fitted.update(self.realtime_events(data, user))
        after = fitted.recommend([user], n=self.n, exclude_seen=False)
        changed = not (
            before[ITEM_ID].tolist() == after[ITEM_ID].tolist()
            and np.allclose(before[SCORE].to_numpy(), after[SCORE].to_numpy())
        )
        if type(fitted).realtime:
            assert changed, "a real-time model must react to tracked events"
        else:
            assert not changed, "a batch model must not change until it is retrained"

    def test_explanations_are_sentences(self, data, fitted):
        user = self.known_user(data)
        recs = fitted.recommend_explained([user], n=3)
        assert recs["EXPLANATION"].map(lambda s: isinstance(s, str) and len(s) > 10).all()

    def _one_of(self, data, column: str) -> pd.DataFrame:
        """Interactions of the single user (or item) with the most events that carry every event type
        the full data has, so models that need e.g. views and purchases can still be fitted."""
        interactions = data[0]
        kinds = set(interactions[EVENT_TYPE]) if EVENT_TYPE in interactions.columns else set()
        groups = interactions.groupby(column, sort=True)
        complete = [key for key, g in groups if EVENT_TYPE not in g.columns or set(g[EVENT_TYPE]) == kinds]
        sizes = groups.size()
        best = max(complete or list(sizes.index), key=lambda key: (sizes[key], str(key)))
        return interactions[interactions[column] == best].reset_index(drop=True)

    @pytest.mark.parametrize("only", [USER_ID, ITEM_ID], ids=["one_user", "one_item"])
    def test_known_user_gets_a_list_when_fitted_on_one_user_or_item(self, data, only):
        """Fitted on one user (or one item) with the full catalogue, a model cannot score most items; a
        known user must still get a list -- the model's own or, where it cannot score, the fallback,
        flagged FALLBACK=True -- never an empty frame while the catalogue has unseen items."""
        from workbench.errors import DatasetError

        tiny = self._one_of(data, only)
        _, items, users = data
        try:
            model = self.make_model().fit(tiny, items=items, users=users)
        except DatasetError:
            return  # refusing too little data with a clear error is fine; a silent empty list is not
        user = str(tiny[USER_ID].iloc[0])
        recs = model.recommend([user], n=self.n)
        seen = set(tiny.loc[tiny[USER_ID] == user, ITEM_ID])
        assert len(set(items[ITEM_ID]) - seen) >= self.n
        assert len(recs) == self.n, f"{type(model).__name__} served {len(recs)} rows to a known user"
        assert not set(recs[ITEM_ID]) & seen
        assert recs[FALLBACK].dtype == bool
        unflagged = recs.loc[~recs[FALLBACK]]
        assert np.isfinite(unflagged[SCORE]).all()
        for item in recs.loc[recs[FALLBACK], ITEM_ID]:
            assert isinstance(model.explain(user, item), str)
