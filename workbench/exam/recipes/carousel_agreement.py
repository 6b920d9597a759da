"""``carousel_agreement``: how often an offline metric orders random lists the way a carousel visitor does.

No list is built by hand. For each of ``N_VISITORS`` seeded visitors the recipe
draws how many catalog items the visitor would like (1 to 7 of a 60-item catalog)
and two random 25-item lists from that catalog. The visitor sees only the first
:data:`CAROUSEL` slots. What the pair of lists is worth to the visitor comes from a
model of attention, *not* from any of the candidate metrics:

``agreement_sim_attention``
    the simulator's own position bias (:data:`workbench.sim.behaviour.POSITION_BIAS`):
    slot ``r`` of the carousel is looked at with probability ``r ** -0.8``; the value
    of a list is the expected number of liked items looked at. NDCG's discount
    ``1 / log2(1 + r)`` is a different curve, so the test is not circular.
``agreement_uniform_attention``
    the question's wording taken literally: every one of the ten visible slots is looked
    at, nothing below; the value is the number of liked items in view.

The recipe scores both lists of every visitor with the option's metric (through
:mod:`workbench.metrics`, the same functions a learner calls) and reports the share
of the visitors whose two lists differ in value for whom the metric prefers the
same list (ties count as a miss: a metric that cannot tell the lists apart does not
help choose between them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...constants import ITEM_ID, RANK, USER_ID
from .metric_choice import _score_lists, check_metric_config
from .registry import EvidenceRecipe, RecipeResult, register

CAROUSEL = 10
"""Visible slots of the carousel."""
LIST_LENGTH = 25
"""Length of every scored list (so @25 metrics see all of it)."""
CATALOG = 60
"""Items the lists are drawn from."""
N_VISITORS = 2000
"""Visitors (one pair of lists each)."""
SEED = 14
"""Seed of the draws (fixed: the evidence is reproducible)."""

_SCORED: dict[str, pd.Series] = {}
"""Metric name -> sign of (first list - second list) per visitor; the draws are fixed, so computed once."""

ATTENTION_METRICS = {"agreement_sim_attention": "simulator", "agreement_uniform_attention": "uniform"}
"""Metric names this recipe produces -> the attention model behind them."""


def random_list_pairs(n_visitors: int = N_VISITORS, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(first_lists, second_lists, truth)``: two random 25-item lists and the liked items per visitor."""
    rng = np.random.default_rng(seed)
    liked_counts = rng.integers(1, 8, n_visitors)
    users = np.array([f"v{i:05d}" for i in range(n_visitors)])
    frames = []
    for _ in range(2):
        order = np.argsort(rng.random((n_visitors, CATALOG)), axis=1)[:, :LIST_LENGTH]
        frames.append(pd.DataFrame({
            USER_ID: np.repeat(users, LIST_LENGTH),
            ITEM_ID: [f"i{j:02d}" for j in order.ravel()],
            RANK: np.tile(np.arange(1, LIST_LENGTH + 1), n_visitors),
        }))
    # the liked items of a visitor are catalog items 0 .. liked_count-1
    truth = pd.DataFrame({
        USER_ID: np.repeat(users, liked_counts),
        ITEM_ID: [f"i{j:02d}" for n in liked_counts for j in range(n)],
    })
    return frames[0], frames[1], truth


def carousel_value(recs: pd.DataFrame, truth: pd.DataFrame, attention: str) -> pd.Series:
    """Per visitor, what the visible part of the list is worth under an attention model."""
    from ...sim.behaviour import POSITION_BIAS

    liked = set(zip(truth[USER_ID], truth[ITEM_ID], strict=True))
    hit = np.fromiter((pair in liked for pair in zip(recs[USER_ID], recs[ITEM_ID], strict=True)), bool, len(recs))
    rank = recs[RANK].to_numpy()
    visible = rank <= CAROUSEL
    weight = rank.astype(float) ** -POSITION_BIAS if attention == "simulator" else np.ones(len(rank))
    value = np.where(hit & visible, weight, 0.0)
    return pd.Series(value, index=recs[USER_ID].to_numpy()).groupby(level=0).sum().sort_index()


def run_carousel_agreement(plan: Any) -> RecipeResult:
    """Share of random list pairs each option's metric orders like the attention model of ``plan.metric``."""
    if plan.metric not in ATTENTION_METRICS:
        raise ValueError(f"carousel_agreement produces {', '.join(ATTENTION_METRICS)}, not {plan.metric!r}.")
    attention = ATTENTION_METRICS[plan.metric]
    first, second, truth = random_list_pairs()
    catalog = [f"i{j:02d}" for j in range(CATALOG)]
    truth_diff = np.sign(carousel_value(first, truth, attention) - carousel_value(second, truth, attention))
    differ = truth_diff != 0
    values: dict[str, float] = {}
    rows = []
    for letter, play in plan.options.items():
        metric = play.config["metric"]
        if metric not in _SCORED:
            scored = np.sign(_score_lists(metric, first, truth, catalog) - _score_lists(metric, second, truth, catalog))
            _SCORED[metric] = scored.reindex(truth_diff.index).fillna(0.0)
        diff = _SCORED[metric]
        agree = float((diff[differ] == truth_diff[differ]).mean())
        ties = float((diff[differ] == 0).mean())
        values[letter] = agree
        rows.append({"option": letter, "metric": metric, "attention": attention, "pairs_compared": int(differ.sum()),
                     "agreement": agree, "ties": ties, "disagreement": 1.0 - agree - ties})
    return RecipeResult(values=pd.Series(values, name=plan.metric), details=pd.DataFrame(rows))


register(
    EvidenceRecipe(
        name="carousel_agreement",
        run=run_carousel_agreement,
        description="share of random list pairs an offline metric orders the way a 10-slot carousel visitor does",
        metrics=tuple(ATTENTION_METRICS),
        check_config=check_metric_config,
    )
)
