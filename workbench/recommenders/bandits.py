"""Multi-armed bandits: learning what works while serving (GN-12, GN-16).

A bandit faces arms with unknown reward rates (items to show, or whole
recommenders to try) and must trade **exploitation** (pick the arm that looks
best) against **exploration** (try arms it knows little about). Three classic
policies, all for 0/1 rewards (click or not):

* **epsilon-greedy** -- with probability ``epsilon`` a random choice, otherwise
  the best estimated mean ``(successes + a) / (pulls + a + b)`` (``a``, ``b`` =
  the prior, 1 and 1 by default, so an untried arm is estimated at 0.5).
* **UCB1** -- the mean ``successes / pulls`` plus a bonus
  ``c * sqrt(2 ln(total pulls) / pulls)`` that shrinks as an arm is tried;
  untried arms come first. Optimism in the face of uncertainty.
* **Thompson sampling** -- draw a rate from each arm's Beta(``a + successes``,
  ``b + failures``) posterior and pick the largest draw: arms are tried in
  proportion to the chance that they are the best.

The policy classes score arms; :class:`Bandit` keeps the counts and chooses
(arms can be anything with a name -- items, layouts, recommenders);
:func:`run_bandit` simulates a policy against known rates and records the
regret, so notebooks can draw regret curves. :class:`EpsilonGreedy`,
:class:`UCB` and :class:`ThompsonSampling` are recommenders whose arms are the
catalogue's items; :class:`ModelBandit` lets a bandit choose among recommenders.

Reward accounting of the item recommenders (from ``fit`` data when
``warm_start`` and from every :meth:`update`):

* **impressions mode** (``trials="auto"`` and the training data has IMPRESSION
  lists): **shown** = each appearance of the item in a shown list (a list logged
  on several events of one RECOMMENDATION_ID counts once); **reward 1** = each
  ``reward_events`` event (``click``, ``purchase``) on the item that came from a
  recommendation (it carries a RECOMMENDATION_ID or lists the item in its own
  IMPRESSION). Organic clicks are ignored: they say nothing about the lists.
* **views mode** (no impressions): **shown** = each ``trial_events`` event
  (``view``); **reward 1** = each ``reward_events`` event on the item.
* pulls = max(shown, rewards), so an item clicked without a logged showing still
  has a rate of at most 1.
* the arms are the model's items (interactions plus the Items frame); impressions
  of items outside that catalogue are not counted -- list them in ``items=``.

Prior of the item bandits: unless ``prior_alpha`` / ``prior_beta`` are set,
epsilon-greedy and Thompson sampling start every item at ``prior_strength``
pseudo-showings with the shop-wide reward rate seen at ``fit`` (an empirical
Bayes prior), so never-shown items are neither ignored nor favoured. UCB1 keeps
its textbook rule: never-shown items first.

A bandit is not personal: every user gets a list drawn from the same counts
(unknown users too; their rows are flagged FALLBACK as the interface requires).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..constants import EVENT_CLICK, EVENT_PURCHASE, EVENT_TYPE, EVENT_VIEW, ITEM_ID, USER_ID
from .base import Recommender, RecommenderConfig
from .event_utils import DeferredSeen, attributed_to_recommendation, event_type_array, extend_items, showings

__all__ = [
    "ARM",
    "Bandit",
    "BanditConfig",
    "EpsilonGreedy",
    "EpsilonGreedyConfig",
    "EpsilonGreedyPolicy",
    "ModelBandit",
    "RandomPolicy",
    "ThompsonPolicy",
    "ThompsonSampling",
    "ThompsonSamplingConfig",
    "UCB",
    "UCB1Policy",
    "UCBConfig",
    "make_policy",
    "run_bandit",
]

ARM = "ARM"
"""Column naming the recommender that served a row of :meth:`ModelBandit.recommend`."""

UNTRIED = 1e6
"""Score of an arm UCB1 has never tried (finite, so list code can rank it)."""


# ------------------------------------------------------------------ policies
@dataclasses.dataclass
class EpsilonGreedyPolicy:
    """Explore uniformly with probability ``epsilon``, otherwise exploit the best estimated mean."""

    epsilon: float = 0.1
    """Share of choices (or whole lists) that are random."""

    prior_alpha: float = 1.0
    """Pseudo-successes added to every arm's estimate."""

    prior_beta: float = 1.0
    """Pseudo-failures added to every arm's estimate."""

    name: ClassVar[str] = "epsilon-greedy"

    def scores(self, successes: np.ndarray, pulls: np.ndarray, rng: np.random.Generator, rows: int = 1) -> np.ndarray:
        """A ``(rows, n_arms)`` score matrix; each row is one independent choice / list."""
        means = (successes + self.prior_alpha) / (pulls + self.prior_alpha + self.prior_beta)
        out = means[None, :] + 1e-9 * rng.random((rows, len(means)))  # random tie-breaks
        explore = rng.random(rows) < self.epsilon
        out[explore] = rng.random((int(explore.sum()), len(means)))
        return out


@dataclasses.dataclass
class UCB1Policy:
    """Mean plus an exploration bonus ``c * sqrt(2 ln N / n_arm)``; untried arms first."""

    c: float = 1.0
    """Scale of the exploration bonus (1 = the textbook UCB1)."""

    name: ClassVar[str] = "UCB1"

    def scores(self, successes: np.ndarray, pulls: np.ndarray, rng: np.random.Generator, rows: int = 1) -> np.ndarray:
        """Deterministic except for tie-breaks among untried arms."""
        total = max(float(pulls.sum()), 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = successes / pulls + self.c * np.sqrt(2.0 * np.log(total) / pulls)
        values = np.where(pulls > 0, values, UNTRIED)
        return values[None, :] + 1e-9 * rng.random((rows, len(values)))


@dataclasses.dataclass
class ThompsonPolicy:
    """Sample each arm's rate from its Beta posterior; the largest sample wins."""

    prior_alpha: float = 1.0
    """Beta prior successes (1 and 1 = uniform prior)."""

    prior_beta: float = 1.0
    """Beta prior failures."""

    name: ClassVar[str] = "Thompson sampling"

    def scores(self, successes: np.ndarray, pulls: np.ndarray, rng: np.random.Generator, rows: int = 1) -> np.ndarray:
        """One posterior draw per row and arm."""
        failures = np.maximum(pulls - successes, 0.0)
        return rng.beta(self.prior_alpha + successes, self.prior_beta + failures, size=(rows, len(successes)))


@dataclasses.dataclass
class RandomPolicy:
    """Uniformly random choices: the baseline every bandit must beat."""

    name: ClassVar[str] = "random"

    def scores(self, successes: np.ndarray, pulls: np.ndarray, rng: np.random.Generator, rows: int = 1) -> np.ndarray:
        """Random scores."""
        return rng.random((rows, len(successes)))


Policy = EpsilonGreedyPolicy | UCB1Policy | ThompsonPolicy | RandomPolicy

_POLICY_NAMES = {
    "epsilon_greedy": EpsilonGreedyPolicy, "epsilon-greedy": EpsilonGreedyPolicy, "greedy": EpsilonGreedyPolicy,
    "ucb": UCB1Policy, "ucb1": UCB1Policy,
    "thompson": ThompsonPolicy, "thompson_sampling": ThompsonPolicy,
    "random": RandomPolicy,
}


def make_policy(policy: str | Any, **settings: Any) -> Any:
    """A policy object from a name (``"epsilon_greedy"``, ``"ucb"``, ``"thompson"``, ``"random"``) or as is."""
    if not isinstance(policy, str):
        return policy
    key = policy.lower().replace(" ", "_")
    if key not in _POLICY_NAMES:
        raise ValueError(f"unknown bandit policy {policy!r}; choose one of {sorted(set(_POLICY_NAMES))}")
    return _POLICY_NAMES[key](**settings)


# ---------------------------------------------------------------- the core
class Bandit:
    """Counts and choices for a set of named arms.

    Example::

        bandit = Bandit(["popularity", "item_knn", "trending"], policy="thompson", seed=1)
        arm = bandit.select()            # which recommender serves this visit
        bandit.update(arm, reward=1.0)   # the visitor clicked
    """

    def __init__(self, arms: int | Sequence[object], policy: str | Any = "thompson", seed: int = 42,
                 **policy_settings: Any) -> None:
        names = [f"arm{i}" for i in range(arms)] if isinstance(arms, int) else [str(a) for a in arms]
        if not names:
            raise ValueError("a bandit needs at least one arm")
        if len(set(names)) != len(names):
            raise ValueError("arm names must be unique")
        self.arms = np.asarray(names, dtype=object)
        self.policy = make_policy(policy, **policy_settings)
        self.rng = np.random.default_rng(seed)
        self.successes = np.zeros(len(names))
        self.pulls = np.zeros(len(names))
        self._index = {name: i for i, name in enumerate(names)}

    def __repr__(self) -> str:
        return f"Bandit({len(self.arms)} arms, policy={self.policy!r})"

    def scores(self, rows: int = 1) -> np.ndarray:
        """Policy scores, shape ``(rows, n_arms)``."""
        return self.policy.scores(self.successes, self.pulls, self.rng, rows)

    def select(self) -> str:
        """The arm to play now."""
        return str(self.arms[int(np.argmax(self.scores(1)[0]))])

    def ranking(self, k: int | None = None) -> list[str]:
        """Arms ordered by one draw of the policy's scores (a list of ``k`` slots)."""
        order = np.argsort(-self.scores(1)[0], kind="stable")
        return [str(a) for a in self.arms[order[:k]]]

    def update(self, arm: object, reward: float) -> None:
        """Record one play of ``arm`` with a reward in [0, 1]."""
        if not 0.0 <= float(reward) <= 1.0:
            raise ValueError(f"rewards must lie in [0, 1], got {reward!r}")
        i = self._index[str(arm)]
        self.pulls[i] += 1.0
        self.successes[i] += float(reward)

    def estimates(self) -> pd.DataFrame:
        """Per arm: pulls, successes and the observed mean (NaN if never played)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(self.pulls > 0, self.successes / self.pulls, np.nan)
        return pd.DataFrame({ARM: self.arms, "PULLS": self.pulls, "SUCCESSES": self.successes, "MEAN": mean})


def run_bandit(policy: str | Any, true_rates: Sequence[float], steps: int = 1000, seed: int = 42,
               **policy_settings: Any) -> pd.DataFrame:
    """Play a policy against Bernoulli arms with known rates and record the regret.

    Per step the policy picks an arm, a reward is drawn with that arm's true rate,
    and the bandit learns it. Regret per step is the **expected** loss
    ``max(true_rates) - true_rates[arm]`` (not the noisy realised one), so a
    policy that always plays the best arm has zero regret; cumulative regret of a
    good policy grows like ``log(steps)``, of a random one linearly.

    Args:
        policy: a policy object or name (see :func:`make_policy`).
        true_rates: click probability of each arm, each in [0, 1].
        steps: number of plays.
        seed: seeds both the policy's randomness and the simulated rewards.

    Returns:
        Frame with one row per step: ``step`` (1-based), ``arm`` (index),
        ``reward`` (0/1), ``regret``, ``cumulative_regret``, ``best_arm`` (bool).
    """
    rates = np.asarray(true_rates, dtype=float)
    if rates.ndim != 1 or len(rates) == 0 or np.any((rates < 0) | (rates > 1)):
        raise ValueError("true_rates must be a non-empty list of probabilities in [0, 1]")
    policy_seed, world_seed = np.random.SeedSequence(seed).spawn(2)
    bandit = Bandit(len(rates), policy=policy, seed=0, **policy_settings)
    bandit.rng = np.random.default_rng(policy_seed)
    world = np.random.default_rng(world_seed)
    arms = np.empty(steps, dtype=np.int64)
    rewards = np.empty(steps)
    for t in range(steps):
        arm = int(np.argmax(bandit.scores(1)[0]))
        reward = float(world.random() < rates[arm])
        bandit.pulls[arm] += 1.0
        bandit.successes[arm] += reward
        arms[t], rewards[t] = arm, reward
    best = rates.max()
    regret = best - rates[arms]
    frame = pd.DataFrame({
        "step": np.arange(1, steps + 1), "arm": arms, "reward": rewards, "regret": regret,
        "cumulative_regret": np.cumsum(regret), "best_arm": rates[arms] == best,
    })
    frame.attrs["policy"] = getattr(bandit.policy, "name", type(bandit.policy).__name__)
    return frame


# -------------------------------------------------------------- recommenders
@dataclasses.dataclass
class BanditConfig(RecommenderConfig):
    """Settings shared by the item bandits."""

    reward_events: tuple[str, ...] = (EVENT_CLICK, EVENT_PURCHASE)
    """Event types that count as reward 1 for their item."""

    trial_events: tuple[str, ...] = (EVENT_VIEW,)
    """Event types that count as a showing when the events carry no IMPRESSION lists."""

    trials: str = "auto"
    """What counts as showing an item: ``"impressions"`` (IMPRESSION lists; only clicks attributed to a
    recommendation are rewards), ``"views"`` (trial events), or ``"auto"`` (impressions if the training
    data has any)."""

    warm_start: bool = True
    """Start from the counts in the training data (False: every item starts untried)."""


class _ItemBandit(DeferredSeen, Recommender):
    Config = BanditConfig
    config: BanditConfig
    realtime = True
    fallback_description = "the bandit's current list (the same counts for everyone)"

    def _policy(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        self._rng = np.random.default_rng(self.config.seed)
        self.shown_ = np.zeros(len(self.item_vocab))
        self.rewards_ = np.zeros(len(self.item_vocab))
        if self.config.trials not in ("auto", "impressions", "views"):
            raise ValueError(f"BanditConfig.trials must be 'auto', 'impressions' or 'views', not {self.config.trials!r}")
        has_impressions = len(showings(interactions)) > 0
        self.uses_impressions_ = self.config.trials == "impressions" or (self.config.trials == "auto" and has_impressions)
        if self.config.warm_start:
            self._count(interactions)
        pulls = self.pulls_.sum()
        self.shop_rate_ = float(self.rewards_.sum() / pulls) if pulls > 0 else 0.5
        self.policy_ = self._policy()

    def _prior(self) -> tuple[float, float]:
        """Beta prior (alpha, beta): the configured one, or ``prior_strength`` pseudo-showings at the shop-wide rate."""
        alpha, beta = getattr(self.config, "prior_alpha", None), getattr(self.config, "prior_beta", None)
        if alpha is not None and beta is not None:
            return float(alpha), float(beta)
        rate = min(max(self.shop_rate_, 1e-3), 1 - 1e-3)
        strength = getattr(self.config, "prior_strength", 2.0)
        return strength * rate, strength * (1.0 - rate)

    def _count(self, events: pd.DataFrame) -> None:
        if EVENT_TYPE not in events.columns:
            return
        kinds = event_type_array(events)
        n = len(self.item_vocab)
        inner = self.item_vocab.to_inner(events[ITEM_ID].to_numpy(dtype=object))
        is_reward = np.isin(kinds, [t.lower() for t in self.config.reward_events]) & (inner >= 0)
        if self.uses_impressions_:
            shown = self.item_vocab.to_inner(showings(events)[ITEM_ID])
            shown = shown[shown >= 0]
            is_reward &= attributed_to_recommendation(events)  # organic clicks say nothing about the lists
        else:
            shown = inner[np.isin(kinds, [t.lower() for t in self.config.trial_events]) & (inner >= 0)]
        self.rewards_ += np.bincount(inner[is_reward], minlength=n)
        self.shown_ += np.bincount(shown, minlength=n)

    @property
    def pulls_(self) -> np.ndarray:
        """Trials per item: max(showings, rewards)."""
        return np.maximum(self.shown_, self.rewards_)

    def _scores(self, rows: int) -> np.ndarray:
        return self.policy_.scores(self.rewards_, self.pulls_, self._rng, rows)

    def _score(self, users: np.ndarray, session) -> np.ndarray:
        return self._scores(len(users))

    def _fallback_scores(self, raw_user_ids: np.ndarray, session) -> np.ndarray:
        return self._scores(len(raw_user_ids))

    def _update(self, events: pd.DataFrame, new_items: np.ndarray) -> None:
        added = extend_items(self, new_items)
        if added:
            self.shown_ = np.concatenate([self.shown_, np.zeros(added)])
            self.rewards_ = np.concatenate([self.rewards_, np.zeros(added)])
        self._track_seen(events)
        self._count(events)

    def explain(self, user_id: object, item_id: object) -> str:
        """The item's counts and what the policy makes of them."""
        self._check_fitted()
        idx = self.item_vocab.to_inner([str(item_id)])[0]
        if idx < 0:
            return f"{item_id} is not an arm of this {self.policy_.name} bandit."
        pulls, wins = self.pulls_[idx], self.rewards_[idx]
        if pulls == 0:
            return f"{self.policy_.name}: {item_id} was never shown, so the bandit tries it to learn its click rate."
        return (f"{self.policy_.name}: {item_id} won {wins:.0f} clicks/purchases in {pulls:.0f} showings "
                f"({wins / pulls:.0%}); the policy balances that record against trying less-known items.")


@dataclasses.dataclass
class EpsilonGreedyConfig(BanditConfig):
    """Settings of :class:`EpsilonGreedy`."""

    epsilon: float = 0.1
    """Probability that a whole list is random (exploration) instead of ranked by estimated mean."""

    prior_strength: float = 2.0
    """Pseudo-showings at the shop-wide click rate added to every item (used when prior_alpha/beta are None),
    so a never-shown item is estimated at the shop average, not at an optimistic 50 %."""

    prior_alpha: float | None = None
    """Explicit pseudo-clicks (with ``prior_beta``), replacing the shop-wide prior."""

    prior_beta: float | None = None
    """Explicit pseudo-non-clicks."""


class EpsilonGreedy(_ItemBandit):
    """Items ranked by smoothed click rate; with probability ``epsilon`` a list is random instead."""

    Config = EpsilonGreedyConfig
    config: EpsilonGreedyConfig

    def _policy(self) -> EpsilonGreedyPolicy:
        return EpsilonGreedyPolicy(self.config.epsilon, *self._prior())


@dataclasses.dataclass
class UCBConfig(BanditConfig):
    """Settings of :class:`UCB`."""

    c: float = 1.0
    """Scale of the UCB1 exploration bonus."""


class UCB(_ItemBandit):
    """Items ranked by UCB1 upper confidence bound (never-shown items first)."""

    Config = UCBConfig
    config: UCBConfig

    def _policy(self) -> UCB1Policy:
        return UCB1Policy(self.config.c)


@dataclasses.dataclass
class ThompsonSamplingConfig(BanditConfig):
    """Settings of :class:`ThompsonSampling`."""

    prior_strength: float = 2.0
    """Weight, in showings, of the Beta prior centred on the shop-wide click rate (when prior_alpha/beta are None)."""

    prior_alpha: float | None = None
    """Explicit Beta prior successes (with ``prior_beta``; 1 and 1 = uniform prior)."""

    prior_beta: float | None = None
    """Explicit Beta prior failures."""


class ThompsonSampling(_ItemBandit):
    """Items ranked by a draw from each item's Beta posterior click rate (a fresh draw per list)."""

    Config = ThompsonSamplingConfig
    config: ThompsonSamplingConfig

    def _policy(self) -> ThompsonPolicy:
        return ThompsonPolicy(*self._prior())


# ------------------------------------------------------- bandit over models
class ModelBandit:
    """Let a bandit pick which fitted recommender serves each request (arms = model names).

    Example::

        chooser = ModelBandit({"popular": pop, "content": content}, policy="ucb")
        recs = chooser.recommend("user7", n=5)     # has an ARM column
        chooser.feedback(recs[ARM].iloc[0], reward=1.0)
    """

    def __init__(self, models: Mapping[str, Recommender], policy: str | Any = "thompson", seed: int = 42,
                 **policy_settings: Any) -> None:
        self.models = dict(models)
        self.bandit = Bandit(list(self.models), policy=policy, seed=seed, **policy_settings)

    def recommend(self, user_ids: Any, n: int | None = None, **kwargs: Any) -> pd.DataFrame:
        """One arm per user (chosen independently), that model's list, and an ``ARM`` column."""
        if isinstance(user_ids, (str, bytes)) or not isinstance(user_ids, (Sequence, np.ndarray, pd.Series)):
            user_ids = [user_ids]
        frames = []
        for uid in user_ids:
            arm = self.bandit.select()
            recs = self.models[arm].recommend([uid], n=n, **kwargs)
            frames.append(recs.assign(**{ARM: arm}))
        if not frames:
            return pd.DataFrame(columns=[USER_ID, ITEM_ID, ARM])
        return pd.concat(frames, ignore_index=True)

    def feedback(self, arm: str, reward: float) -> None:
        """Credit the model ``arm`` with one request's reward (e.g. 1 if any item was clicked)."""
        self.bandit.update(arm, reward)
