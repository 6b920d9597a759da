"""Common random numbers: keyed draws, and two policies meeting the same visits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench.constants import IMPRESSION, RECOMMENDATION_ID, TIMESTAMP
from workbench.sim import Policy, ScenarioConfig, ShopConfig, crn, run_scenario

TINY = ShopConfig(n_users=250, n_items=60, days=6, warmup_days=4, seed=5, slices_per_day=6, visits_per_day=0.2)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**31), st.integers(0, 4_000_000), st.integers(0, 4000), st.integers(0, 10**6))
def test_keyed_uniform_depends_only_on_its_key(seed, customer, day, item):
    one = crn.uniform(seed, "click", customer, day, item)
    assert 0.0 < one < 1.0
    # the same key in a batch of other keys gives the same number
    batch = crn.uniform(seed, "click", np.array([customer, (customer + 1) % 4_000_000]), day, item)
    assert batch[0] == one
    # another purpose or another seed is another number
    assert crn.uniform(seed, "buy", customer, day, item) != one
    assert crn.uniform(seed + 1, "click", customer, day, item) != one


def test_keyed_numbers_look_uniform_and_independent():
    u = crn.uniform(3, "visit", np.arange(200_000), 17)
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01
    v = crn.uniform(3, "visit", np.arange(200_000), 18)  # next day, same customers
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01
    z = crn.normal(3, "mood", np.arange(200_000), 1, 7)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    first, second = crn.uniforms(3, ("cart", "buy"), np.arange(5), 2, 9)
    np.testing.assert_array_equal(first, crn.uniform(3, "cart", np.arange(5), 2, 9))
    np.testing.assert_array_equal(second, crn.uniform(3, "buy", np.arange(5), 2, 9))


def test_unknown_purpose_is_an_error():
    with pytest.raises(KeyError):
        crn.uniform(1, "luck", 1, 1)


@pytest.fixture(scope="module")
def pair():
    return {kind: run_scenario(ScenarioConfig(shop=TINY, policy=Policy(kind=kind), name=kind), progress=False)
            for kind in ("none", "stale", "event_tracker")}


def test_policies_meet_the_same_visits_at_the_same_times(pair):
    none, stale, tracked = pair["none"], pair["stale"], pair["event_tracker"]
    for other in (stale, tracked):
        np.testing.assert_array_equal(other.daily["visits"], none.daily["visits"])
        np.testing.assert_array_equal(other.hourly["visits"], none.hourly["visits"])
        # sessions start at the same seconds: the first event of every session is at the visit's start
        a = other.events.groupby("SESSION_ID")[TIMESTAMP].min()
        b = none.events.groupby("SESSION_ID")[TIMESTAMP].min()
        common = a.index.intersection(b.index)
        assert len(common) > 0.9 * len(b)
    # the warm-up is identical, event for event
    warm = none.events[none.events[TIMESTAMP] < none.world.day0]
    stale_warm = stale.events[stale.events[TIMESTAMP] < stale.world.day0]
    listless = [IMPRESSION, RECOMMENDATION_ID]
    assert warm[listless].isna().all().all() and stale_warm[listless].isna().all().all()
    pd.testing.assert_frame_equal(warm.drop(columns=listless), stale_warm.drop(columns=listless))


def test_policies_differ_only_through_what_is_shown(pair):
    none, stale = pair["none"].daily, pair["stale"].daily
    assert none["impressions"].sum() == 0 and stale["impressions"].sum() > 0
    # the chance level of relevance is (almost) the same in every run: same visits, same keyed random lists;
    # only the truth moves a little where purchases changed a customer's boredom
    np.testing.assert_allclose(none["ndcg_at_10_random"].mean(), stale["ndcg_at_10_random"].mean(), rtol=0.1)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.lists(st.integers(-2, 3_000_000), min_size=1, max_size=20),
       st.integers(0, 4095), st.lists(st.integers(-1, 999_999), min_size=1, max_size=7), st.integers(-1, 1023))
def test_the_compiled_chain_gives_the_numpy_numbers_bit_for_bit(seed, customers, day, items, slot):
    customer = np.asarray(customers)[:, None]  # broadcast: customers x items
    purposes = ("mood", "click", "buy")
    compiled = crn.uniforms(seed, purposes, customer, day, np.asarray(items)[None, :], slot)
    reference = crn.uniforms_numpy(seed, purposes, customer, day, np.asarray(items)[None, :], slot)
    for got, want in zip(compiled, reference):
        assert got.shape == (len(customers), len(items))
        assert np.array_equal(got, want)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(0, 12), st.integers(1, 5), st.integers(0, 4095),
       st.sampled_from(["flat", "column", "scalar"]))
def test_scalar_and_full_keys_skip_the_broadcast_copy_and_give_the_same_numbers(seed, n, k, day, layout):
    # the fast path passes a key of the result's shape or a single key as it is; the numbers are those
    # of the numpy chain in every layout, including an empty one
    rng = np.random.default_rng(seed % 1000)
    customer = rng.integers(0, 3_000_000, n)
    item = {"flat": rng.integers(0, 999_999, n), "column": rng.integers(0, 999_999, (1, k)),
            "scalar": 7}[layout]
    key = customer[:, None] if layout == "column" else customer
    compiled = crn.uniforms(seed, ("offset", "bounce"), key, day, item, 9)
    reference = crn.uniforms_numpy(seed, ("offset", "bounce"), key, day, item, 9)
    for got, want in zip(compiled, reference):
        assert got.shape == want.shape
        assert np.array_equal(got, want)


def test_organic_draws_made_ahead_give_the_same_choice():
    from workbench.sim.behaviour import Visits, organic_choice, organic_draws

    u = np.random.default_rng(1).standard_normal((7, 40)).astype(np.float32)
    who = Visits(np.arange(7), 3, 11)
    inline = organic_choice(u, who, 3.0, slot=2)
    ahead = organic_choice(u, who, 3.0, slot=2, draws=organic_draws(11, 3, 2, 7, 40, 3.0))
    for field in ("candidates", "keys", "n_views"):
        np.testing.assert_array_equal(getattr(inline, field), getattr(ahead, field))
    other = organic_choice(u, who, 3.0, slot=3)  # another slice's stream: other keys
    assert not np.array_equal(inline.keys, other.keys)
    with pytest.raises(ValueError, match="shape"):  # draws made for another slice size
        organic_choice(u, who, 3.0, slot=2, draws=organic_draws(11, 3, 2, 6, 40, 3.0))
    assert organic_draws(11, 3, 2, 7, 0, 3.0)[1] is None  # nothing on sale: nothing to choose


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**31), hnp.mutually_broadcastable_shapes(num_shapes=4, min_dims=0, max_dims=3, max_side=4))
def test_keys_of_any_broadcastable_shapes_give_the_broadcast_shape_and_the_numpy_numbers(seed, shapes):
    # scalars, size-1 axes and mixed ranks: the shape shortcut for "scalars beside one shape" must agree
    # with np.broadcast_shapes wherever it applies and step aside elsewhere
    rng = np.random.default_rng(seed % 1000)
    highs = (3_000_000, 4095, 999_999, 1023)
    keys = [rng.integers(0, high, shape) if shape else int(rng.integers(0, high))
            for shape, high in zip(shapes.input_shapes, highs)]
    compiled = crn.uniforms(seed, ("mood", "click"), *keys)
    reference = crn.uniforms_numpy(seed, ("mood", "click"), *keys)
    for got, want in zip(compiled, reference):
        assert got.shape == shapes.result_shape == want.shape
        assert np.array_equal(got, want)


def test_every_policy_has_the_same_visitors_and_the_log_shows_only_some():
    from workbench.constants import USER_ID

    runs = {kind: run_scenario(ScenarioConfig(shop=TINY, policy=Policy(kind=kind), name=kind), progress=False)
            for kind in ("none", "stale", "event_tracker")}
    visitors = {kind: r.visitors for kind, r in runs.items()}
    assert len(visitors["none"]) > 0
    for kind in ("stale", "event_tracker"):
        np.testing.assert_array_equal(visitors[kind], visitors["none"])
    for r in runs.values():
        in_run = r.events[r.events[TIMESTAMP] >= r.world.day0]
        logged = set(in_run[USER_ID])
        ids = set(r.world.customers.ids[r.visitors])
        assert logged <= ids  # whoever logged an event in the run visited
        assert len(ids) <= r.daily["visits"].sum()  # at most one visit per customer and day
    # with no lists some visitors leave no event at all (what counting visitors from a log misses)
    none = runs["none"]
    assert len(set(none.events[none.events[TIMESTAMP] >= none.world.day0][USER_ID])) < len(none.visitors)
