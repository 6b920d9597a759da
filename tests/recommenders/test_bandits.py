from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.constants import EVENT_TYPE, IMPRESSION, ITEM_ID, TIMESTAMP, USER_ID
from workbench.recommenders import Popularity
from workbench.recommenders.bandits import (
    ARM,
    UCB,
    Bandit,
    EpsilonGreedy,
    EpsilonGreedyPolicy,
    ModelBandit,
    ThompsonPolicy,
    ThompsonSampling,
    UCB1Policy,
    make_policy,
    run_bandit,
)

from .contract import RecommenderContract

T0 = 1_700_000_000
RATES = [0.05, 0.1, 0.15, 0.3]


class TestEpsilonGreedyContract(RecommenderContract):
    def make_model(self):
        return EpsilonGreedy()


class TestUCBContract(RecommenderContract):
    def make_model(self):
        return UCB()


class TestThompsonSamplingContract(RecommenderContract):
    def make_model(self):
        return ThompsonSampling()


# ------------------------------------------------------------------ policies
def test_ucb1_scores_by_hand():
    successes, pulls = np.array([1.0, 3.0, 0.0]), np.array([2.0, 4.0, 0.0])
    scores = UCB1Policy(c=1.0).scores(successes, pulls, np.random.default_rng(0))[0]
    total = 6.0
    assert scores[0] == pytest.approx(0.5 + np.sqrt(2 * np.log(total) / 2), abs=1e-6)
    assert scores[1] == pytest.approx(0.75 + np.sqrt(2 * np.log(total) / 4), abs=1e-6)
    assert np.argmax(scores) == 2  # never tried: first


def test_epsilon_zero_is_greedy_and_one_is_uniform():
    successes, pulls = np.array([1.0, 8.0, 3.0]), np.array([10.0, 10.0, 10.0])
    rng = np.random.default_rng(1)
    greedy = EpsilonGreedyPolicy(epsilon=0.0).scores(successes, pulls, rng, rows=500)
    assert (greedy.argmax(axis=1) == 1).all()
    uniform = EpsilonGreedyPolicy(epsilon=1.0).scores(successes, pulls, rng, rows=6000)
    shares = np.bincount(uniform.argmax(axis=1), minlength=3) / 6000
    assert shares == pytest.approx([1 / 3] * 3, abs=0.03)


def test_thompson_draws_follow_the_beta_posterior():
    successes, pulls = np.array([0.0, 90.0]), np.array([100.0, 100.0])
    draws = ThompsonPolicy().scores(successes, pulls, np.random.default_rng(2), rows=20000)
    assert draws[:, 1].mean() == pytest.approx(91 / 102, abs=0.005)  # Beta(1 + 90, 1 + 10)
    assert draws[:, 0].mean() == pytest.approx(1 / 102, abs=0.005)
    assert (draws.argmax(axis=1) == 1).all()


def test_make_policy_names():
    assert isinstance(make_policy("ucb"), UCB1Policy)
    assert make_policy("epsilon_greedy", epsilon=0.3).epsilon == 0.3
    with pytest.raises(ValueError, match="unknown bandit policy"):
        make_policy("softmax")


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6), st.integers(0, 60), st.integers(0, 10))
@settings(max_examples=30, deadline=None)
def test_run_bandit_regret_is_non_negative_and_cumulative(rates, steps, seed):
    frame = run_bandit("thompson", rates, steps=steps, seed=seed)
    assert len(frame) == steps
    assert (frame["regret"] >= -1e-12).all()
    assert np.allclose(frame["cumulative_regret"], frame["regret"].cumsum())
    assert frame["reward"].isin([0.0, 1.0]).all()


# ---------------------------------------------------------------- regret runs
def test_ucb_finds_the_best_arm_and_regret_is_sublinear():
    frame = run_bandit("ucb", RATES, steps=4000, seed=7)
    late = frame.iloc[2000:]
    assert late["best_arm"].mean() > 0.7
    cum = frame["cumulative_regret"].to_numpy()
    # linear regret would double from 2000 to 4000 steps; UCB's grows far less
    assert cum[3999] / cum[1999] < 1.5


@pytest.mark.parametrize("policy", ["thompson", "epsilon_greedy", "ucb"])
def test_bandits_beat_random(policy):
    random_regret = run_bandit("random", RATES, steps=2000, seed=3)["cumulative_regret"].iloc[-1]
    regret = run_bandit(policy, RATES, steps=2000, seed=3)["cumulative_regret"].iloc[-1]
    # random play loses mean(0.25, 0.2, 0.15, 0) = 0.15 per step, about 300 in 2000 steps
    assert random_regret == pytest.approx(0.15 * 2000, rel=0.1)
    assert regret < 0.5 * random_regret


def test_run_bandit_is_seeded():
    a = run_bandit("epsilon_greedy", RATES, steps=300, seed=5)
    b = run_bandit("epsilon_greedy", RATES, steps=300, seed=5)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="probabilities"):
        run_bandit("ucb", [0.5, 1.5])


def test_bandit_core_counts_and_estimates():
    bandit = Bandit(["pop", "knn"], policy="ucb", seed=0)
    first = {bandit.select() for _ in range(1)}
    assert first <= {"pop", "knn"}
    bandit.update("pop", 1.0)
    bandit.update("pop", 0.0)
    bandit.update("knn", 1.0)
    est = bandit.estimates().set_index(ARM)
    assert est.loc["pop", "MEAN"] == 0.5 and est.loc["knn", "PULLS"] == 1
    with pytest.raises(ValueError, match="rewards"):
        bandit.update("pop", 2.0)


# ------------------------------------------------------------- recommenders
def click_log() -> pd.DataFrame:
    """a: 10 views 5 clicks ; b: 10 views 1 click ; c: 2 views, no click."""
    rows = [(f"v{k}", "a", "view") for k in range(10)] + [(f"v{k}", "a", "click") for k in range(5)]
    rows += [(f"w{k}", "b", "view") for k in range(10)] + [("w0", "b", "click")]
    rows += [("z0", "c", "view"), ("z1", "c", "view")]
    frame = pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, EVENT_TYPE])
    frame[TIMESTAMP] = T0 + np.arange(len(frame))
    return frame


def test_greedy_item_bandit_ranks_smoothed_click_rates():
    # explicit uniform prior: a (5 + 1) / (10 + 2) = 0.5 ; c (0 + 1) / (2 + 2) = 0.25 ; b (1 + 1) / (10 + 2)
    uniform = EpsilonGreedy(epsilon=0.0, prior_alpha=1.0, prior_beta=1.0).fit(click_log()).recommend("new")
    assert uniform[ITEM_ID].tolist() == ["a", "c", "b"]
    assert uniform["SCORE"].to_numpy() == pytest.approx([0.5, 0.25, 2 / 12], abs=1e-6)
    # default: 2 pseudo-showings at the shop-wide rate 6 / 22 -> alpha = 2 * 3/11, beta = 2 * 8/11
    model = EpsilonGreedy(epsilon=0.0).fit(click_log())
    alpha, beta = 6 / 11, 16 / 11
    recs = model.recommend("new")
    assert model.shop_rate_ == pytest.approx(6 / 22)
    assert recs[ITEM_ID].tolist() == ["a", "c", "b"]
    expected = [(5 + alpha) / (10 + alpha + beta), alpha / (2 + alpha + beta), (1 + alpha) / (10 + alpha + beta)]
    assert recs["SCORE"].to_numpy() == pytest.approx(expected, abs=1e-6)


def test_ucb_item_bandit_tries_unseen_items_first():
    model = UCB(warm_start=True).fit(click_log(), items=pd.DataFrame({ITEM_ID: ["a", "b", "c", "fresh"]}))
    assert model.recommend("new", n=1)[ITEM_ID].tolist() == ["fresh"]


def test_thompson_item_bandit_learns_from_update():
    model = ThompsonSampling(seed=11).fit(click_log())
    wins = [(f"q{k}", "c", T0 + 100 + k, "click") for k in range(40)]
    model.update(pd.DataFrame(wins, columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE]))
    # c: 40 clicks, pulls raised to 40 -> posterior mean 41/42: c leads nearly every draw
    tops = [model.recommend("someone", n=1)[ITEM_ID].iloc[0] for _ in range(20)]
    assert tops.count("c") >= 19


def test_impressions_are_the_trials_when_present():
    log = pd.DataFrame(
        [("u1", "a", T0, "click", "a|b|c"), ("u2", "b", T0 + 1, "view", "a|b"), ("u3", "a", T0 + 2, "view", "a|c"),
         ("u4", "b", T0 + 3, "click", None)],  # an organic click: not a reward for the lists
        columns=[USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, IMPRESSION],
    )
    # c was only shown, never interacted with: it is an arm only if the Items frame lists it
    assert set(EpsilonGreedy().fit(log).item_vocab.ids) == {"a", "b"}
    model = EpsilonGreedy(epsilon=0.0).fit(log, items=pd.DataFrame({ITEM_ID: ["a", "b", "c"]}))
    shown = dict(zip(model.item_vocab.ids, model.shown_))
    assert shown == {"a": 3.0, "b": 2.0, "c": 2.0}  # views are not counted on top of impressions
    assert dict(zip(model.item_vocab.ids, model.rewards_)) == {"a": 1.0, "b": 0.0, "c": 0.0}
    views = EpsilonGreedy(trials="views").fit(log, items=pd.DataFrame({ITEM_ID: ["a", "b", "c"]}))
    assert dict(zip(views.item_vocab.ids, views.shown_)) == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert dict(zip(views.item_vocab.ids, views.rewards_)) == {"a": 1.0, "b": 1.0, "c": 0.0}


def test_model_bandit_routes_requests_and_learns():
    log = click_log()
    models = {"pop": Popularity().fit(log), "pop2": Popularity(count="events").fit(log)}
    chooser = ModelBandit(models, policy="epsilon_greedy", epsilon=0.0, seed=1)
    for _ in range(30):
        chooser.feedback("pop2", 1.0)
        chooser.feedback("pop", 0.0)
    recs = chooser.recommend(["x", "y"], n=2)
    assert set(recs[ARM]) == {"pop2"}
    assert recs.groupby(USER_ID).size().tolist() == [2, 2]
