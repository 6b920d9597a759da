"""How often to retrain: a new FULL solution version every N days, with or without the event tracker.

Amazon Personalize's automatic training creates a new solution version every 7 days unless
``autoTrainingConfig.schedulingExpression`` says otherwise (``rate(N days)``, N from 1 to 30),
and a campaign serves a new version only once it is updated or follows ``$LATEST``; the
guide recommends a weekly FULL version for most workloads, beside the real-time updates. In the simulator
the ``retrain`` policy is that schedule (every ``retrain_every_days``, the campaign updated
each time), so a cadence is one policy setting.

:func:`compare_retrain_cadences` plays a model trained once, one ``retrain`` policy per
cadence and (optionally) the event tracker with weekly retraining on the same shops and
seeds, each run paired with the ``none`` run of its seed. :func:`cadence_table` sets what
each schedule earns (uplift per visit, paired against the weekly schedule) beside what it
costs (trainings per run and their time on this machine) and how fresh its lists are;
:func:`cadence_sentences` writes the same numbers out for a chapter. Every figure comes
from the runs; a difference is called a win or a loss only when its 95% interval over the
seeds excludes zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import paired_comparison
from .config import Policy, ShopConfig
from .retraining import interval_text, interval_verdict, play_paired_runs

TRAINED_ONCE = "trained once"
"""Policy name of the launch model that is never retrained (the ``stale`` policy)."""

CADENCE_COLUMNS = {
    "policy": "the schedule",
    "every_days": "days between new solution versions (NaN: trained once)",
    "trainings": "new solution versions trained after launch, per run",
    "training_seconds": "wall time of those trainings per run on this machine (not a price)",
    "freshness_hours": "median age of the newest event a served list could use (hours, all runs' days)",
    "ndcg_at_10": "mean NDCG@10 of the served lists against the visits' organic choices",
    "uplift_per_visit": "revenue per visit beyond the paired no-recommendation run (mean over seeds)",
    "diff": "paired difference in uplift per visit against the reference schedule (mean over seeds)",
    "ci_low": "lower end of the 95% interval of that difference (NaN with one seed)",
    "ci_high": "upper end of that interval",
    "wins": "seeds on which the schedule earned more than the reference",
}
"""Columns of :func:`cadence_table` and what they mean."""


def cadence_label(days: int) -> str:
    """The policy name of a retraining cadence in tables and legends."""
    return "retrain every day" if int(days) == 1 else f"retrain every {int(days)} days"


def tracker_label(days: int) -> str:
    """The policy name of the event tracker with a retrain every ``days``."""
    return f"event tracker + {cadence_label(days)}"


@dataclasses.dataclass
class CadenceComparison:
    """What :func:`compare_retrain_cadences` played."""

    shop: ShopConfig
    """The shop (before each seed replaced its ``seed``)."""
    seeds: list[int]
    """The seeds played, in order."""
    policies: dict[str, Policy]
    """Policy name -> the policy played under it, in play order."""
    reference: str
    """The schedule every other one is compared with (the weekly retrain when it was played)."""
    daily: pd.DataFrame
    """Every run's daily frame with ``policy`` and ``seed`` columns (uplift filled against the paired ``none`` run)."""
    versions: pd.DataFrame
    """Every run's :attr:`~workbench.sim.ScenarioResult.versions` with ``policy`` and ``seed`` columns."""


def compare_retrain_cadences(shop: ShopConfig, cadences: Sequence[int] = (1, 7, 28), seeds: Sequence[int] = (0, 1),
                             tracker_every_days: int | None = 7, trained_once: bool = True,
                             exclude: str = "purchased") -> CadenceComparison:
    """Retraining every ``N`` days for each ``N`` in ``cadences``, paired over ``seeds``.

    Args:
        shop: the shop (its ``seed`` is replaced by each of ``seeds``).
        cadences: days between new FULL solution versions, one ``retrain`` policy each (Personalize's
            automatic training takes 1 to 30; the simulator takes any whole number of days from 1).
        seeds: the shops to play; every policy of a seed meets the same visits.
        tracker_every_days: also play the event tracker with a retrain every this many days
            (``retrain+event_tracker``, which includes the campaign's 2-hourly automatic updates);
            ``None`` leaves it out.
        trained_once: also play the launch model that is never retrained (``stale``).
        exclude: what every schedule's lists leave out (:attr:`~workbench.sim.Policy.exclude`).

    The reference of the paired differences is the weekly retrain when 7 is among ``cadences``,
    otherwise the first cadence.
    """
    cadences = [int(n) for n in cadences]
    if not cadences:
        raise ValueError("compare_retrain_cadences needs at least one cadence (days between retrains, e.g. 7).")
    if len(set(cadences)) != len(cadences):
        raise ValueError(f"compare_retrain_cadences got the same cadence twice: {cadences}.")
    if min(cadences) < 1 or (tracker_every_days is not None and int(tracker_every_days) < 1):
        raise ValueError(f"Retrain cadences are whole days from 1 up, got {cadences} and tracker_every_days="
                         f"{tracker_every_days}.")
    policies: dict[str, Policy] = {}
    if trained_once:
        policies[TRAINED_ONCE] = Policy(kind="stale", exclude=exclude)
    for n in cadences:
        policies[cadence_label(n)] = Policy(kind="retrain", retrain_every_days=n, exclude=exclude)
    if tracker_every_days is not None:
        policies[tracker_label(tracker_every_days)] = Policy(kind="retrain+event_tracker",
                                                             retrain_every_days=int(tracker_every_days),
                                                             exclude=exclude)
    reference = cadence_label(7 if 7 in cadences else cadences[0])
    daily, versions, _ = play_paired_runs(shop, policies, seeds)
    return CadenceComparison(shop, [int(s) for s in seeds], policies, reference, daily, versions)


def cadence_table(played: CadenceComparison, window: tuple[int, int | None] | None = None) -> pd.DataFrame:
    """One row per schedule: what it earns (paired against ``played.reference``), what it costs, how fresh it is.

    ``window`` restricts the uplift columns to some run days (as in
    :func:`~workbench.sim.paired_comparison`, e.g. ``(-21, None)`` for the last three weeks);
    trainings, their time, freshness and NDCG@10 are always over the whole run. Columns:
    :data:`CADENCE_COLUMNS`.
    """
    paired = paired_comparison(played.shop, played.policies, played.seeds, "uplift_per_visit", window,
                               reference=played.reference, daily=played.daily).set_index("policy")
    refits = played.versions[played.versions["day"] > 0]
    n_seeds = len(played.seeds)
    rows = []
    for name, policy in played.policies.items():
        mine = refits[refits["policy"] == name]
        days = played.daily[played.daily["policy"] == name]
        rows.append({
            "policy": name,
            "every_days": float(policy.retrain_every_days) if policy.has("retrain") else np.nan,
            "trainings": len(mine) / n_seeds,
            "training_seconds": float(mine["train_seconds"].sum()) / n_seeds,
            "freshness_hours": float(days["freshness_median_hours"].median()),
            "ndcg_at_10": float(days["ndcg_at_10"].mean()),
            "uplift_per_visit": float(paired.loc[name, "mean"]),
            "diff": float(paired.loc[name, "diff"]),
            "ci_low": float(paired.loc[name, "ci_low"]),
            "ci_high": float(paired.loc[name, "ci_high"]),
            "wins": int(paired.loc[name, "wins"]),
        })
    return pd.DataFrame(rows, columns=list(CADENCE_COLUMNS))


def cadence_sentences(played: CadenceComparison, window: tuple[int, int | None] | None = None) -> str:
    """Markdown, one paragraph per comparison: each schedule against the reference (paired), what each one
    trained and how fresh its lists were, and, when the event tracker was played, the tracker against the
    most frequent retrain."""
    table = cadence_table(played, window).set_index("policy")
    n = len(played.seeds)
    seeds = f"{n} seed{'s' if n != 1 else ''}"
    ref = played.reference
    lines = []
    for name, r in table.drop(index=ref).iterrows():
        lines.append(f"**{name}** against *{ref}*: uplift per visit {r.uplift_per_visit:.2f} vs "
                     f"{table.loc[ref, 'uplift_per_visit']:.2f}, paired difference {r['diff']:+.2f}"
                     f"{interval_text(r.ci_low, r.ci_high)}, ahead on {int(r.wins)} of {seeds}; "
                     f"{interval_verdict(r.ci_low, r.ci_high)}.")
    costs = "; ".join(f"*{name}* {r.trainings:,.0f} ({r.training_seconds:.1f} s; newest usable event a median "
                      f"{r.freshness_hours:,.0f} h old)" for name, r in table.iterrows())
    lines.append(f"New solution versions trained after launch, per run (their training time on this machine, and "
                 f"the age of the newest of the customer's events a served list could use): {costs}.")
    trackers = [name for name, p in played.policies.items() if p.has("event_tracker")]
    retrains = {name: p.retrain_every_days for name, p in played.policies.items()
                if p.has("retrain") and not p.has("event_tracker")}
    if trackers and retrains:
        tracker, busiest = trackers[0], min(retrains, key=retrains.get)
        pair = {name: played.policies[name] for name in (busiest, tracker)}
        t = paired_comparison(played.shop, pair, played.seeds, "uplift_per_visit", window, reference=busiest,
                              daily=played.daily).set_index("policy").loc[tracker]
        lines.append(f"**{tracker}** against *{busiest}*, the most frequent retrain played: paired difference "
                     f"{t['diff']:+.2f}{interval_text(t.ci_low, t.ci_high)}, ahead on {int(t.wins)} of {seeds}, with "
                     f"{_trainings(table.loc[tracker, 'trainings'])} per run instead of "
                     f"{_trainings(table.loc[busiest, 'trainings'])}; {interval_verdict(t.ci_low, t.ci_high)}.")
    return "\n\n".join(lines)


def _trainings(n: float) -> str:
    return f"{n:,.0f} training{'' if round(n) == 1 else 's'}"
