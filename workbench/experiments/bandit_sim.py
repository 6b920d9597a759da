"""Regret experiments: bandit policies against simulated visitors with a known best arm (GN-12, GN-16).

Each step is one simulated visitor who is shown one arm (an item, a layout or a
whole recommender) and clicks with that arm's true, hidden rate. The policies
and the single-run simulator live in :mod:`workbench.recommenders.bandits`
(:func:`~workbench.recommenders.bandits.run_bandit`); this module repeats those
runs with different seeds and turns them into tidy tables for plotting:

* :func:`regret_runs` -- every step of every run (``policy, run, step, arm,
  reward, regret, cumulative_regret, best_arm``);
* :func:`regret_curves` -- mean cumulative regret per policy and step with a
  10-90 % band across runs, plus the share of runs playing the best arm;
* :func:`regret_summary` -- one row per policy at the last step.

Regret per step is the expected loss ``max(rates) - rates[arm]``; a policy that
learns the best arm has regret growing like ``log(steps)``, a random policy or a
fixed-epsilon greedy one keeps paying a constant share per step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_POLICIES = ("epsilon_greedy", "ucb", "thompson")
"""Policies compared by default (names understood by ``bandits.make_policy``)."""


def regret_runs(
    true_rates: Sequence[float],
    policies: Sequence[str] = DEFAULT_POLICIES,
    steps: int = 2_000,
    runs: int = 20,
    seed: int = 42,
    policy_settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Every step of ``runs`` independent runs of each policy, as one tidy frame.

    Args:
        true_rates: the hidden click rate of each arm; the largest is the best arm.
        policies: policy names, e.g. ``("epsilon_greedy", "ucb", "thompson", "random")``.
        steps: visitors per run.
        runs: independent repetitions per policy (different visitor draws).
        seed: master seed; run ``r`` uses seed ``seed + r`` for every policy, so the
            policies face the same visitors (common random numbers).
        policy_settings: per-policy keyword settings, e.g. ``{"epsilon_greedy":
            {"epsilon": 0.05}, "ucb": {"c": 0.5}}``.

    Returns:
        Columns ``policy, run, step, arm, reward, regret, cumulative_regret, best_arm``.
    """
    from ..recommenders.bandits import run_bandit

    if runs < 1 or steps < 1:
        raise ValueError("runs and steps must be positive")
    settings = dict(policy_settings or {})
    frames = []
    for policy in policies:
        for run in range(runs):
            frame = run_bandit(policy, true_rates, steps=steps, seed=seed + run, **settings.get(policy, {}))
            frame.insert(0, "run", run)
            frame.insert(0, "policy", policy)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def regret_curves(
    true_rates: Sequence[float],
    policies: Sequence[str] = DEFAULT_POLICIES,
    steps: int = 2_000,
    runs: int = 20,
    seed: int = 42,
    policy_settings: Mapping[str, Mapping[str, Any]] | None = None,
    runs_frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mean cumulative regret per policy and step, ready for a line plot.

    Returns columns ``policy, step, mean_cumulative_regret, p10, p90`` (10th and 90th
    percentile across runs) and ``best_arm_share`` (share of runs whose choice at
    that step was the best arm). Pass ``runs_frame`` (from :func:`regret_runs`) to
    reuse simulated runs instead of simulating again.
    """
    frame = runs_frame if runs_frame is not None else regret_runs(
        true_rates, policies, steps=steps, runs=runs, seed=seed, policy_settings=policy_settings)
    parts = []
    for policy, runs_of_policy in frame.groupby("policy", sort=False):
        regret = runs_of_policy.pivot(index="run", columns="step", values="cumulative_regret").to_numpy()
        best = runs_of_policy.pivot(index="run", columns="step", values="best_arm").to_numpy(dtype=float)
        parts.append(pd.DataFrame({
            "policy": policy,
            "step": np.arange(1, regret.shape[1] + 1),
            "mean_cumulative_regret": regret.mean(axis=0),
            "p10": np.percentile(regret, 10, axis=0),
            "p90": np.percentile(regret, 90, axis=0),
            "best_arm_share": best.mean(axis=0),
        }))
    return pd.concat(parts, ignore_index=True)


def regret_summary(runs_frame: pd.DataFrame, last_share: float = 0.25) -> pd.DataFrame:
    """One row per policy: final mean cumulative regret, its spread, and how often the
    best arm was played during the last ``last_share`` of the steps."""
    steps = int(runs_frame["step"].max())
    final = runs_frame[runs_frame["step"] == steps].groupby("policy", sort=False)["cumulative_regret"]
    late = runs_frame[runs_frame["step"] > steps * (1 - last_share)].groupby("policy", sort=False)["best_arm"].mean()
    return pd.DataFrame(
        {
            "final_regret_mean": final.mean(),
            "final_regret_std": final.std(ddof=0),
            "best_arm_share_late": late,
        }
    ).reset_index()


POLICY_LABELS = {"random": "random (an even split)", "epsilon_greedy": "epsilon-greedy", "ucb": "UCB1",
                 "thompson": "Thompson sampling"}
"""How :func:`race_sentences` names the policies of :func:`regret_runs`."""


def race_sentences(summary: pd.DataFrame, true_rates: Sequence[float], steps: int, epsilon: float | None = None) -> str:
    """Markdown reading of a :func:`regret_summary` table: the order, the baseline, and epsilon's fixed cost.

    Every number comes from ``summary``; nothing is said about a policy that is not
    in it. A bandit "behind" the even split is one whose mean final regret is not at
    least one standard deviation (across runs; the larger of the two policies') below
    that of ``random``. ``epsilon``
    (the epsilon-greedy setting of the runs) adds the steady cost of its exploration:
    a uniformly random choice loses ``max(rates) - mean(rates)`` in expectation, so
    the cost is ``epsilon * (max(rates) - mean(rates))`` per visitor, times ``steps``.
    The sentences about epsilon-greedy's start assume its default Beta(1, 1) prior.
    """
    rates = np.asarray(true_rates, dtype=float)
    ordered = summary.sort_values("final_regret_mean", kind="stable")
    label = {p: POLICY_LABELS.get(p, p) for p in ordered["policy"]}
    ranking = ", then ".join(f"{label[r.policy]} ({r.final_regret_mean:.1f})" for r in ordered.itertuples())
    parts = [f"Over {steps:,} visitors the fewest expected clicks were lost by {ranking}."]
    by_policy = ordered.set_index("policy")
    means, spread = by_policy["final_regret_mean"], by_policy["final_regret_std"]
    if "random" in means.index:
        bandits = [p for p in means.index if p != "random"]
        behind = [label[p] for p in bandits if means[p] >= means["random"] - max(spread[p], spread["random"])]
        if behind:
            parts.append(f"Within one standard deviation of the even split, or worse: {', '.join(behind)}; at this "
                         f"horizon {'it has' if len(behind) == 1 else 'they have'} not yet learned enough to pay for "
                         "the exploring.")
        elif bandits:
            parts.append("Every bandit lost fewer clicks than the even split.")
    if epsilon is not None and "epsilon_greedy" in means.index and len(rates) > 1:
        per_visitor = float(epsilon) * float(rates.max() - rates.mean())
        leads = ordered["policy"].iloc[0] == "epsilon_greedy"
        if float(epsilon) == 0.0:
            parts.append(
                "With epsilon 0, epsilon-greedy never explores on purpose: only its estimates' start at the Beta(1, 1) "
                "prior mean, 0.5, far above any true rate here, makes it try every arm once or more; after that it "
                "plays whichever arm looks best, right or wrong.")
            return " ".join(parts)
        parts.append(
            f"Epsilon-greedy pays a fixed price for exploring: each of its random choices (a share of {epsilon:g}) costs on "
            f"average the best rate minus the mean rate, {per_visitor:.4f} expected clicks per visitor in all, "
            f"{per_visitor * steps:.1f} over the {steps:,}. Its estimates start at the Beta(1, 1) prior mean, 0.5, far "
            "above any true rate here, so it tries every arm early and then settles on the one that looks best (an "
            "optimistic start)" + ("; with this lead and horizon that fixed price is the smallest bill in the race." if leads
                                  else ".") +
            " Thompson sampling has no fixed price: it explores less as its posteriors sharpen, so over a long enough "
            "horizon it overtakes any fixed epsilon.")
    return " ".join(parts)
