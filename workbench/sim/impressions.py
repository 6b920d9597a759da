"""Impressions on or off: the same shop played with and without implicit impressions.

With ``Policy.send_impressions`` every tracked event on a recommended product also tells the
model which list it came from (PutEvents with the list's ``recommendationId``), so the items of
that list the customer did not choose count against their exploration (fact sheet 1.4: "the
more often an item appears in impressions without being chosen, the less likely it is included
in exploration"). :func:`compare_impressions` plays a User-Personalization campaign with the
event tracker and its automatic updates both ways on the same seeds (paired, with the ``none``
baseline of each seed), and :func:`impressions_sentences` writes the differences out; a
difference is called more or less only when its 95% interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import paired_comparison
from .config import Policy, ShopConfig
from .retraining import interval_verdict
from .runner import compare_policies

IMPRESSIONS_SHOP = ShopConfig(n_users=800, n_items=80, days=30, warmup_days=14, slices_per_day=3, seed=7,
                              trend_shift_day=5, new_item_rate=0.03)
"""The small footwear shop of the exam scenarios with many new products (exam scenario 22)."""

WITHOUT, WITH = "events only", "events + impressions"
"""Policy names of the two runs."""

IMPRESSION_METRICS = {
    "ctr": "click-through rate of the served lists",
    "ndcg_at_10": "NDCG@10 of the served lists against the visits' organic choices",
    "revenue": "revenue of recommended products per day",
    "uplift_per_visit": "revenue per visit beyond the paired no-recommendation run",
}
"""Daily columns :func:`compare_impressions` reports, and what they measure."""


def compare_impressions(shop: ShopConfig = IMPRESSIONS_SHOP, seeds: Sequence[int] = (7, 8, 9),
                        exploration_weight: float | None = None, impression_weight: float | None = None,
                        progress: bool = False) -> pd.DataFrame:
    """One row per metric of :data:`IMPRESSION_METRICS`: both means, the paired difference, its CI and wins.

    ``exploration_weight`` is the campaign's explorationWeight (``None`` = the model default, 0.3);
    ``impression_weight`` how much one showing without a choice counts against an item's
    exploration, in interactions (``None`` = the model default, 0.1; the guide gives no number).

    Columns: ``metric, without_impressions, with_impressions, diff, relative, ci_low, ci_high, wins,
    seeds`` -- ``diff`` is
    the mean over seeds of (with - without), ``relative`` that difference over the mean without,
    ``wins`` the seeds on which impressions gave the larger value.
    """
    kind = "auto_update+event_tracker"
    params = {} if impression_weight is None else {"impression_weight": float(impression_weight)}
    policies = {WITHOUT: Policy(kind=kind, exploration_weight=exploration_weight, model_params=params),
                WITH: Policy(kind=kind, exploration_weight=exploration_weight, model_params=params,
                             send_impressions=True)}
    daily = compare_policies(shop, policies, progress=progress, seeds=list(seeds))
    rows = []
    for metric in IMPRESSION_METRICS:
        paired = paired_comparison(shop, policies, seeds, metric, reference=WITHOUT, daily=daily).set_index("policy")
        without, with_ = paired.loc[WITHOUT], paired.loc[WITH]
        rows.append({"metric": metric, "without_impressions": without["mean"], "with_impressions": with_["mean"],
                     "diff": with_["diff"], "relative": with_["diff"] / abs(without["mean"]) if without["mean"]
                     else np.nan, "ci_low": with_["ci_low"], "ci_high": with_["ci_high"],
                     "wins": int(with_["wins"]), "seeds": int(with_["seeds"])})
    table = pd.DataFrame(rows)
    table.attrs["exploration_weight"] = exploration_weight
    table.attrs["impression_weight"] = impression_weight
    return table


def impressions_sentences(table: pd.DataFrame) -> str:
    """Markdown, one bullet per metric, every number taken from ``table`` (:func:`compare_impressions`)."""
    lines = []
    for r in table.itertuples(index=False):
        base = r.without_impressions
        interval = f" (95% CI {r.ci_low / abs(base):+.1%} to {r.ci_high / abs(base):+.1%})" \
            if np.isfinite(r.ci_low) and base else ""
        lines.append(f"* **{r.metric}** ({IMPRESSION_METRICS[r.metric]}): {base:.4g} without impressions, "
                     f"{r.with_impressions:.4g} with them, {r.relative:+.1%}{interval}, higher on {r.wins} of "
                     f"{r.seeds} seeds; "
                     f"{interval_verdict(r.ci_low, r.ci_high)}.")
    return "\n".join(lines)
