"""What the drift chapter says about a comparison of policies, computed from the runs themselves.

Chapter 07 never states a number or a trend in fixed prose: the tables and the
sentences come from here, from the paired daily frame of
:func:`workbench.sim.cache.cached_comparison` (or :func:`~workbench.sim.compare_policies`
with ``seeds``). So if a run does not support a sentence, the sentence changes.

* :func:`chapter_shop` -- the chapter's small shop with its controls applied;
  :func:`chapter_grid` -- that shop with the chapter's policies and seeds;
  :func:`chapter_settings_ahead` -- the control settings the cache filler plays ahead;
  :func:`chapter_settings_around` -- those one move away from the current setting;
* :func:`story_table` -- per policy: uplift per visit early and late, NDCG@10 against
  the customers' organic choices beside a random list's, freshness, and the paired
  difference to a reference policy with its 95% interval;
* :func:`story_sentences` -- the rise-and-fall verdict for one policy, seed by seed;
* :func:`attribution_sentences` -- what :func:`~workbench.sim.attribute_decline` found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .attribution import story_shape
from .compare import paired_comparison, window_mean
from .config import CAUSES, Policy, ShopConfig

EARLY = (0, 14)
"""The first two run weeks (run days, stop exclusive)."""
LATE = (-14, None)
"""The last two run weeks."""

CHAPTER_SIZE = {"n_users": 400, "n_items": 80, "days": 56, "warmup_days": 14, "slices_per_day": 3,
                "trend_shift_day": 20}
"""The chapter's small shop (overrides of ``footwear.yaml``): eight weeks in a few seconds per run."""

CHAPTER_POLICIES = ("none", "random", "stale", "retrain", "event_tracker", "retrain+event_tracker")
"""The policies chapter 07 compares."""

CHAPTER_DEFAULTS = {"drift": 1.0, "retrain_days": 7, "exploration": 0.3, "n_seeds": 2}
"""Chapter 07's control values when it opens (what ``python -m workbench.sim.cache`` plays first)."""

CHAPTER_CONTROLS = {
    "drift": (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0),
    "retrain_days": (1, 2, 3, 5, 7, 10, 14, 21, 30),
    "exploration": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    "n_seeds": (1, 2, 3, 4, 5),
}
"""The stops of chapter 07's sliders. Few enough that the cache filler can play every stop of
every slider (the others at their defaults) ahead of the learner: :func:`chapter_settings_ahead`."""


def chapter_policy(kind: str, exploration: float = CHAPTER_DEFAULTS["exploration"],
                   retrain_days: int = CHAPTER_DEFAULTS["retrain_days"], **extra) -> Policy:
    """A policy with the chapter's shared settings: the retrain cadence, and User-Personalization's exploration."""
    settings: dict = {"kind": kind}
    if "retrain" in kind:
        settings["retrain_every_days"] = int(retrain_days)
    if kind not in ("none", "random") and extra.get("model", "user_personalization") == "user_personalization":
        settings["exploration_weight"] = float(exploration)
    return Policy.from_dict({**settings, **extra})


def chapter_grid(base: ShopConfig, drift: float = CHAPTER_DEFAULTS["drift"], causes: Sequence[str] = CAUSES,
                 exploration: float = CHAPTER_DEFAULTS["exploration"],
                 retrain_days: int = CHAPTER_DEFAULTS["retrain_days"],
                 n_seeds: int = CHAPTER_DEFAULTS["n_seeds"]) -> tuple[ShopConfig, dict[str, Policy], list[int]]:
    """``(shop, policies, seeds)`` chapter 07 plays for these control values (defaults: as it opens)."""
    shop = chapter_shop(base, drift=drift, causes=causes)
    policies = {kind: chapter_policy(kind, exploration, retrain_days) for kind in CHAPTER_POLICIES}
    return shop, policies, list(range(int(n_seeds)))


def chapter_settings_ahead() -> list[dict]:
    """Chapter 07's control settings in the order ``python -m workbench.sim.cache`` plays them.

    First the defaults; then every stop of every slider and every cause switched off on its
    own (plus all of them off: the acid test), one control moved at a time from the defaults.
    The controls take turns and each goes outwards from its default, so whatever the learner
    moves first is among the first played. Each setting is a dict of :func:`chapter_grid`'s
    arguments.
    """
    defaults = {**CHAPTER_DEFAULTS, "causes": tuple(CAUSES)}
    moves = []
    for name, stops in CHAPTER_CONTROLS.items():
        start = CHAPTER_DEFAULTS[name]
        ahead = sorted((v for v in stops if v != start), key=lambda v: (abs(v - start), v))
        moves.append([{**defaults, name: v} for v in ahead])
    moves.append([{**defaults, "causes": tuple(c for c in CAUSES if c != off)} for off in CAUSES]
                 + [{**defaults, "causes": ()}])
    order = [defaults]
    for turn in range(max(len(m) for m in moves)):
        order.extend(m[turn] for m in moves if turn < len(m))
    return order


def chapter_settings_around(setting: dict) -> list[dict]:
    """The settings one move away from ``setting`` (a dict of :func:`chapter_grid`'s arguments).

    Each slider one stop down and one stop up (the others unchanged), then each cause
    switched the other way: what the learner can reach with the next move. Chapter 07
    plays them in the background while the learner reads (``cache.prefetch_around``).
    """
    current = {**CHAPTER_DEFAULTS, "causes": tuple(CAUSES), **setting}
    current["causes"] = tuple(c for c in CAUSES if c in current["causes"])
    around = []
    for name, stops in CHAPTER_CONTROLS.items():
        at = min(range(len(stops)), key=lambda k: abs(stops[k] - current[name]))
        around.extend({**current, name: stops[k]} for k in (at - 1, at + 1) if 0 <= k < len(stops))
    for cause in CAUSES:
        toggled = [c for c in CAUSES if (c != cause) == (c in current["causes"])]
        around.append({**current, "causes": tuple(toggled)})
    return around


def chapter_shop(base: ShopConfig, drift: float = 1.0, causes: Sequence[str] = CAUSES, **overrides) -> ShopConfig:
    """The chapter's shop: ``base`` with :data:`CHAPTER_SIZE` and ``overrides``, drift scaled by ``drift``
    and only ``causes`` on.

    ``drift`` multiplies the taste drift, the season's strength and the trend's strength
    (0 switches all three off in effect; the cause switches do it explicitly).
    """
    shop = dataclasses.replace(
        base,
        **{**CHAPTER_SIZE, **overrides},
        taste_drift=base.taste_drift * drift,
        season_strength=base.season_strength * drift,
        trend_strength=base.trend_strength * drift,
    )
    return shop.with_causes(on=list(causes))


def mean_over_seeds(daily: pd.DataFrame) -> pd.DataFrame:
    """Daily metrics averaged over seeds (one row per policy and day), for charts."""
    numeric = daily.select_dtypes("number").columns.drop(["day", "seed"], errors="ignore")
    out = daily.groupby(["policy", "day"], sort=False)[list(numeric)].mean().reset_index()
    dates = daily.drop_duplicates("day").set_index("day")["date"] if "date" in daily else None
    if dates is not None:
        out["date"] = out["day"].map(dates)
    return out


def _per_seed(daily: pd.DataFrame) -> pd.DataFrame:
    return daily if "seed" in daily.columns else daily.assign(seed=0)


def story_table(daily: pd.DataFrame, reference: str = "stale", early=EARLY, late=LATE) -> pd.DataFrame:
    """One row per policy: what a sceptical reader needs beside the chart.

    Columns: uplift per visit over the first and last two weeks (revenue per visit minus
    the same visits' revenue with no recommendations), its change, NDCG@10 of the served
    lists against the customers' organic choices and of a random list on the same visits,
    the median freshness (hours), and -- over the last two weeks -- the paired difference
    in uplift to ``reference`` with its 95% interval and the seeds on which the policy won.
    """
    daily = _per_seed(daily)
    rows = []
    for name, runs in daily.groupby("policy", sort=False):
        first = np.mean([window_mean(g, "uplift_per_visit", early) for _, g in runs.groupby("seed")])
        last = np.mean([window_mean(g, "uplift_per_visit", late) for _, g in runs.groupby("seed")])
        rows.append({
            "policy": name,
            "uplift / visit, first 2 weeks": first,
            "uplift / visit, last 2 weeks": last,
            "change": (last / first - 1.0) if first > 0 else np.nan,
            "NDCG@10 (organic truth)": runs["ndcg_at_10"].mean(),
            "NDCG@10 of a random list": runs["ndcg_at_10_random"].mean(),
            "median freshness (h)": runs["freshness_median_hours"].median(),
        })
    table = pd.DataFrame(rows).set_index("policy")
    names = list(table.index)
    if reference in names and daily["seed"].nunique() >= 2:
        paired = paired_comparison(None, dict.fromkeys(names, {}), seeds=sorted(daily["seed"].unique()),
                                   metric="uplift_per_visit", window=late, reference=reference,
                                   daily=daily).set_index("policy")
        table[f"last 2 weeks vs {reference}"] = paired["diff"]
        table["95% CI"] = [f"[{lo:+.2f}, {hi:+.2f}]" if np.isfinite(lo) else "" for lo, hi in
                           zip(paired["ci_low"], paired["ci_high"])]
        table["seeds won"] = [f"{w}/{n}" for w, n in zip(paired["wins"], paired["seeds"])]
    return table


def story_sentences(daily: pd.DataFrame, policy: str = "stale") -> str:
    """Markdown: does ``policy``'s uplift over no recommendations rise or hold, then decay? Seed by seed."""
    daily = _per_seed(daily)
    runs = daily[daily["policy"] == policy]
    if runs.empty:
        return f"*No run of policy `{policy}` to describe.*"
    shapes = []
    for _, group in runs.groupby("seed"):
        try:
            shapes.append(story_shape(group))
        except ValueError as err:  # too few complete weeks
            return f"*{err}*"
    n = len(shapes)
    count = {key: sum(s[key] for s in shapes) for key in ("rises", "holds", "decays", "story")}
    week0 = np.mean([s["week0"] for s in shapes])
    peak = np.mean([s["peak"] for s in shapes])
    tail = np.mean([s["tail"] for s in shapes])
    seeds = f"{n} seed{'s' if n > 1 else ''}"
    lines = [
        f"**`{policy}`, measured on {seeds}:** uplift per visit in week 1 was {week0:.2f} on average, "
        f"the best of the first four weeks {peak:.2f}, the last two weeks {tail:.2f} "
        f"({tail / peak:.0%} of that best week)." if peak > 0 else
        f"**`{policy}`, measured on {seeds}:** the uplift over no recommendations was never positive "
        f"in the first four weeks (best {peak:.2f} per visit).",
        f"The uplift grew after week 1 on {count['rises']} of {n}, held within 10% of week 1 up to its best "
        f"week on {count['holds']} of {n}, and fell to at most 80% of its best week by the end on "
        f"{count['decays']} of {n}.",
    ]
    if count["story"] == n:
        lines.append("So on every seed: a lift that first grows or holds, then decays.")
    elif count["story"] == 0:
        lines.append("So on no seed does this run show the rise-then-fall story; read the chart for what it does show.")
    else:
        lines.append(f"The rise-then-fall story holds on {count['story']} of {n} seeds only.")
    return " ".join(lines)


def attribution_sentences(table: pd.DataFrame) -> str:
    """Markdown summary of an :func:`~workbench.sim.attribute_decline` table (every number from it)."""
    def row(setting: str) -> pd.Series | None:
        match = table[table["setting"] == setting]
        return None if match.empty else match.iloc[0]

    def interval(r: pd.Series) -> str:
        return f" (95% CI {r.ci_low:+.2f} to {r.ci_high:+.2f})" if np.isfinite(r.ci_low) else ""

    lines = []
    everything, nothing = row("all on"), row("all off")
    if everything is not None:
        lines.append(f"With every cause on, the uplift per visit falls by {everything.decline:.2f} from the "
                     f"first to the last weeks{interval(everything)}.")
    if nothing is not None:
        flat = np.isfinite(nothing.ci_low) and nothing.ci_low <= 0 <= nothing.ci_high
        verdict = ("flat within noise: the interval contains zero" if flat else
                   "not flat: the interval excludes zero, so something besides the listed causes moves the uplift"
                   if np.isfinite(nothing.ci_low) else "a single seed, so no interval")
        moved = (f"falls by {nothing.decline:.2f}" if nothing.decline > 0 else
                 f"rises by {-nothing.decline:.2f}" if nothing.decline < 0 else "does not change")
        lines.append(f"With every cause off (the acid test) the uplift per visit {moved}{interval(nothing)}: "
                     f"{verdict}.")
    alone = table[table["setting"].str.endswith("alone on")].sort_values("decline", ascending=False)
    if len(alone):
        parts = [f"{r.cause.replace('_', ' ')} {r.decline:+.2f}" for r in alone.itertuples()]
        lines.append("Each cause alone (decline in uplift per visit): " + ", ".join(parts) + ".")
    missing = table[table["setting"].str.endswith("alone off")]
    if everything is not None and len(missing):
        lost = missing.assign(share=lambda t: 1 - t["decline"] / everything.decline if everything.decline else np.nan)
        top = lost.sort_values("share", ascending=False).iloc[0]
        share = "most of the decline" if top.share > 0.5 else "the largest share of the decline"
        lines.append(f"Switching one cause off removes {share} for **{top.cause.replace('_', ' ')}** "
                     f"({top.share:.0%} of it).")
    return " ".join(lines)
