"""Online experiments: KPIs from event logs, A/B and multivariate tests, bandit regret, funnel economics.

* :mod:`~workbench.experiments.kpis` -- :func:`online_kpis` (CTR, CVR, bounce rate,
  revenue per visitor) and the accepted log format;
* :mod:`~workbench.experiments.ab_test` -- :func:`two_proportion_test`,
  :func:`sample_size`, :func:`power`, :func:`peeking_simulation`,
  :func:`multivariate_test`, :func:`adjust_p_values`;
* :mod:`~workbench.experiments.bandit_sim` -- :func:`regret_runs`,
  :func:`regret_curves`, :func:`regret_summary`, :func:`race_sentences` (policies from
  :mod:`workbench.recommenders.bandits`);
* :mod:`~workbench.experiments.funnel` -- :func:`funnel_revenue`,
  :data:`VISITOR_STAGES`, :data:`PLACEMENTS`, :func:`funnel_what_if`,
  :func:`placement_what_if`, :func:`item_conversion`, :func:`dashboard_summary`.
"""

from .ab_test import (
    MultivariateResult,
    PeekingResult,
    TwoProportionResult,
    adjust_p_values,
    multivariate_test,
    peeking_simulation,
    power,
    sample_size,
    two_proportion_test,
)
from .bandit_sim import DEFAULT_POLICIES, POLICY_LABELS, race_sentences, regret_curves, regret_runs, regret_summary
from .funnel import (
    PLACEMENTS,
    TERMS,
    VISITOR_STAGES,
    Dashboard,
    dashboard_summary,
    funnel_revenue,
    funnel_what_if,
    item_conversion,
    placement_what_if,
)
from .kpis import KPI_COLUMNS, PRICE, check_event_log, online_kpis

__all__ = [
    "DEFAULT_POLICIES",
    "KPI_COLUMNS",
    "PLACEMENTS",
    "POLICY_LABELS",
    "PRICE",
    "TERMS",
    "VISITOR_STAGES",
    "Dashboard",
    "MultivariateResult",
    "PeekingResult",
    "TwoProportionResult",
    "adjust_p_values",
    "check_event_log",
    "dashboard_summary",
    "funnel_revenue",
    "funnel_what_if",
    "item_conversion",
    "multivariate_test",
    "online_kpis",
    "peeking_simulation",
    "placement_what_if",
    "power",
    "race_sentences",
    "regret_curves",
    "regret_runs",
    "regret_summary",
    "sample_size",
    "two_proportion_test",
]
