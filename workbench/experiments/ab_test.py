"""A/B and multivariate tests on conversion-type rates (GN-12, fact sheet 4.5).

The fact sheet's guidance for Personalize A/B tests: fix the traffic split before
starting, pick the KPI and a large enough sample up front, keep everything but
the recommender identical, and judge significance at the industry-standard 5 %
level. This module supplies the statistics:

* :func:`two_proportion_test` -- is variant B's rate different from A's?
* :func:`sample_size` / :func:`power` -- how many visitors per arm are needed;
* :func:`peeking_simulation` -- why checking an A/A test every day and stopping at
  the first p < 0.05 produces far more than 5 % false winners;
* :func:`multivariate_test` -- k variants at once: a chi-square test of "all rates
  equal", then each variant against the control with Bonferroni or Holm
  correction (:func:`adjust_p_values`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats


@dataclasses.dataclass(frozen=True)
class TwoProportionResult:
    """Outcome of :func:`two_proportion_test` (B compared with A)."""

    rate_a: float
    """Successes / trials of A (the control)."""
    rate_b: float
    """Successes / trials of B (the variant)."""
    difference: float
    """``rate_b - rate_a`` (absolute lift)."""
    relative_lift: float
    """``difference / rate_a`` (NaN when A's rate is 0)."""
    z: float
    """Test statistic with the pooled standard error."""
    p_value: float
    """Probability of a difference at least this extreme if the rates were equal."""
    ci_low: float
    """Lower end of the ``1 - alpha`` confidence interval of the difference (unpooled Wald)."""
    ci_high: float
    """Upper end of that interval."""
    alpha: float
    """Significance level used."""
    significant: bool
    """``p_value < alpha``."""

    def summary(self) -> str:
        """One sentence for a dashboard."""
        verdict = "significant" if self.significant else "not significant"
        return (f"B {self.rate_b:.2%} vs A {self.rate_a:.2%}: difference {self.difference:+.2%} "
                f"[{self.ci_low:+.2%}, {self.ci_high:+.2%}], p = {self.p_value:.4f} ({verdict} at {self.alpha:.0%})")


def _check_counts(successes: float, trials: float, name: str) -> None:
    if trials <= 0 or successes < 0 or successes > trials:
        raise ValueError(f"{name}: need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")


def two_proportion_test(
    successes_a: int,
    trials_a: int,
    successes_b: int,
    trials_b: int,
    alpha: float = 0.05,
    alternative: str = "two-sided",
) -> TwoProportionResult:
    """Two-proportion z-test of B's rate against A's, with a confidence interval.

    Formulas: ``p_pool = (s_a + s_b) / (n_a + n_b)``,
    ``z = (p_b - p_a) / sqrt(p_pool (1 - p_pool) (1/n_a + 1/n_b))``; the interval is
    ``(p_b - p_a) +- z_{1 - alpha/2} sqrt(p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b)``.

    Args:
        successes_a, trials_a: e.g. purchases and visitors of the control.
        successes_b, trials_b: the same for the variant.
        alpha: significance level (5 % is the standard the fact sheet cites).
        alternative: ``"two-sided"``, ``"larger"`` (B > A) or ``"smaller"`` (B < A).

    Edge cases: when both arms have rate 0 (or both 1) the pooled error is 0 and
    there is no evidence of a difference: ``z = 0``, ``p = 1``. Counts outside
    ``0 <= successes <= trials`` raise ``ValueError``. The normal approximation
    needs roughly 10+ successes and failures per arm.
    """
    _check_counts(successes_a, trials_a, "A")
    _check_counts(successes_b, trials_b, "B")
    if alternative not in ("two-sided", "larger", "smaller"):
        raise ValueError("alternative must be 'two-sided', 'larger' or 'smaller'")
    pa, pb = successes_a / trials_a, successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    se_pooled = np.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    z = 0.0 if se_pooled == 0 else (pb - pa) / se_pooled
    if alternative == "two-sided":
        p_value = 2 * stats.norm.sf(abs(z))
    elif alternative == "larger":
        p_value = stats.norm.sf(z)
    else:
        p_value = stats.norm.cdf(z)
    se = np.sqrt(pa * (1 - pa) / trials_a + pb * (1 - pb) / trials_b)
    half = stats.norm.ppf(1 - alpha / 2) * se
    return TwoProportionResult(
        rate_a=pa, rate_b=pb, difference=pb - pa, relative_lift=(pb - pa) / pa if pa > 0 else float("nan"),
        z=float(z), p_value=float(min(1.0, p_value)), ci_low=float(pb - pa - half), ci_high=float(pb - pa + half),
        alpha=alpha, significant=bool(p_value < alpha),
    )


def _target_rate(baseline_rate: float, minimum_detectable_effect: float, relative: bool) -> float:
    if not 0 < baseline_rate < 1:
        raise ValueError(f"baseline_rate must be strictly between 0 and 1, got {baseline_rate}")
    target = baseline_rate * (1 + minimum_detectable_effect) if relative else baseline_rate + minimum_detectable_effect
    if minimum_detectable_effect == 0 or not 0 < target < 1:
        raise ValueError(f"the effect must be non-zero and keep the rate inside (0, 1); got target rate {target}")
    return target


def sample_size(
    baseline_rate: float,
    minimum_detectable_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    relative: bool = False,
) -> int:
    """Visitors needed **per arm** to detect a change of the rate with a two-sided z-test.

    Formula with ``p1`` = baseline, ``p2`` = baseline + effect, ``pbar = (p1 + p2) / 2``:
    ``n = (z_{1-alpha/2} sqrt(2 pbar (1 - pbar)) + z_{power} sqrt(p1 (1 - p1) + p2 (1 - p2)))^2 / (p2 - p1)^2``,
    rounded up.

    Args:
        baseline_rate: the control's expected rate (e.g. 0.03 conversion).
        minimum_detectable_effect: smallest change worth detecting -- absolute
            (0.005 = half a point) or, with ``relative=True``, a fraction of the
            baseline (0.1 = +10 %).
        alpha: significance level.
        power: probability of detecting the effect when it is real.

    Example: 10 % -> 12 % at alpha 0.05, power 0.8 needs 3,841 visitors per arm.
    Halving the effect roughly quadruples the sample.
    """
    p1 = baseline_rate
    p2 = _target_rate(baseline_rate, minimum_detectable_effect, relative)
    pbar = (p1 + p2) / 2
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    n = (za * np.sqrt(2 * pbar * (1 - pbar)) + zb * np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2
    return int(np.ceil(n))


def power(
    n_per_arm: int, baseline_rate: float, minimum_detectable_effect: float, alpha: float = 0.05, relative: bool = False
) -> float:
    """Probability that a two-sided z-test with ``n_per_arm`` visitors per arm detects the effect.

    The inverse of :func:`sample_size` (same normal approximation):
    ``Phi((|p2 - p1| sqrt(n) - z_{1-alpha/2} sqrt(2 pbar (1 - pbar))) / sqrt(p1 (1 - p1) + p2 (1 - p2)))``.
    """
    if n_per_arm <= 0:
        raise ValueError("n_per_arm must be positive")
    p1 = baseline_rate
    p2 = _target_rate(baseline_rate, minimum_detectable_effect, relative)
    pbar = (p1 + p2) / 2
    za = stats.norm.ppf(1 - alpha / 2)
    numerator = abs(p2 - p1) * np.sqrt(n_per_arm) - za * np.sqrt(2 * pbar * (1 - pbar))
    return float(stats.norm.cdf(numerator / np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))))


@dataclasses.dataclass
class PeekingResult:
    """Outcome of :func:`peeking_simulation`."""

    false_positive_rate_peeking: float
    """Share of A/A experiments declared significant at *some* daily check."""
    false_positive_rate_fixed: float
    """Share declared significant when looked at once, on the last day only."""
    by_day: pd.DataFrame
    """``day``, ``visitors_per_arm`` (cumulative), ``share_significant_today`` and
    ``share_stopped_so_far`` (experiments a daily peeker would already have stopped)."""
    alpha: float
    """Nominal significance level."""


def peeking_simulation(
    n_experiments: int = 2_000,
    days: int = 14,
    visitors_per_day: int = 500,
    rate: float = 0.05,
    alpha: float = 0.05,
    seed: int = 42,
) -> PeekingResult:
    """Simulate A/A tests (no real difference) checked every day with a z-test.

    Each experiment gives both arms ``visitors_per_day`` new visitors a day who
    convert with the same ``rate``. A peeker stops at the first day with
    ``p < alpha`` and declares a winner -- a false positive, since the arms are
    identical. Looking only once at the end keeps the false-positive rate near
    ``alpha``; looking every day inflates it (about 20 % for 14 looks at 5 %).
    Everything is drawn with ``np.random.default_rng(seed)``.
    """
    if n_experiments < 1 or days < 1 or visitors_per_day < 1:
        raise ValueError("n_experiments, days and visitors_per_day must be positive")
    rng = np.random.default_rng(seed)
    daily = rng.binomial(visitors_per_day, rate, size=(n_experiments, days, 2))
    successes = daily.cumsum(axis=1).astype(float)
    n = visitors_per_day * np.arange(1, days + 1, dtype=float)[None, :]
    pa, pb = successes[..., 0] / n, successes[..., 1] / n
    pooled = (successes[..., 0] + successes[..., 1]) / (2 * n)
    se = np.sqrt(pooled * (1 - pooled) * 2 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (pb - pa) / np.where(se > 0, se, 1.0), 0.0)
    significant = 2 * stats.norm.sf(np.abs(z)) < alpha
    stopped = np.logical_or.accumulate(significant, axis=1)
    by_day = pd.DataFrame(
        {
            "day": np.arange(1, days + 1),
            "visitors_per_arm": n.ravel().astype(int),
            "share_significant_today": significant.mean(axis=0),
            "share_stopped_so_far": stopped.mean(axis=0),
        }
    )
    return PeekingResult(
        false_positive_rate_peeking=float(stopped[:, -1].mean()),
        false_positive_rate_fixed=float(significant[:, -1].mean()),
        by_day=by_day,
        alpha=alpha,
    )


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> np.ndarray:
    """Correct p-values for testing several hypotheses at once.

    ``"bonferroni"``: ``min(1, m p_i)``. ``"holm"`` (step-down, never less powerful):
    sort ascending, ``p_(j) * (m - j + 1)`` for ``j = 1..m``, made non-decreasing by a
    running maximum, capped at 1, returned in the input order. Compare the adjusted
    values with ``alpha`` as usual.
    Example: (0.01, 0.04, 0.03) -> Bonferroni (0.03, 0.12, 0.09); Holm (0.03, 0.06, 0.06).
    """
    p = np.asarray(p_values, dtype=float)
    if ((p < 0) | (p > 1) | np.isnan(p)).any():
        raise ValueError("p-values must lie in [0, 1]")
    m = len(p)
    if method == "bonferroni":
        return np.minimum(1.0, p * m)
    if method != "holm":
        raise ValueError("method must be 'holm' or 'bonferroni'")
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate(p[order] * (m - np.arange(m)))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, stepped)
    return adjusted


@dataclasses.dataclass
class MultivariateResult:
    """Outcome of :func:`multivariate_test`."""

    chi2: float
    """Chi-square statistic of the variants x (success, failure) table."""
    p_value: float
    """p-value of "all variants have the same rate"."""
    dof: int
    """Degrees of freedom (number of variants - 1)."""
    pairwise: pd.DataFrame
    """Each variant against the control: ``variant, rate, difference, p_value,
    p_adjusted, significant``."""
    correction: str
    """``"holm"`` or ``"bonferroni"``."""


def multivariate_test(
    successes: Mapping[str, int],
    trials: Mapping[str, int],
    control: str | None = None,
    alpha: float = 0.05,
    correction: str = "holm",
) -> MultivariateResult:
    """Compare k variants: chi-square test of equal rates, then each variant vs the control.

    Args:
        successes: ``{variant: conversions}``.
        trials: ``{variant: visitors}`` with the same keys.
        control: the reference variant (default: the first key).
        alpha: family-wise significance level.
        correction: ``"holm"`` or ``"bonferroni"`` for the k - 1 pairwise z-tests.

    Edge cases: fewer than two variants, mismatched keys or impossible counts raise
    ``ValueError``; a chi-square test on a table with an all-zero column (no
    conversions anywhere) reports ``p = 1``.
    """
    names = list(successes)
    if len(names) < 2 or set(names) != set(trials):
        raise ValueError("give successes and trials for the same two or more variants")
    control = names[0] if control is None else control
    if control not in successes:
        raise ValueError(f"control {control!r} is not one of the variants {names}")
    for name in names:
        _check_counts(successes[name], trials[name], name)
    table = np.array([[successes[n], trials[n] - successes[n]] for n in names], dtype=float)
    if (table.sum(axis=0) == 0).any():
        chi2, p_value = 0.0, 1.0
    else:
        chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
    others = [n for n in names if n != control]
    tests = [two_proportion_test(successes[control], trials[control], successes[n], trials[n], alpha) for n in others]
    raw = [t.p_value for t in tests]
    adjusted = adjust_p_values(raw, correction)
    pairwise = pd.DataFrame(
        {
            "variant": others,
            "rate": [t.rate_b for t in tests],
            "control_rate": [t.rate_a for t in tests],
            "difference": [t.difference for t in tests],
            "p_value": raw,
            "p_adjusted": adjusted,
            "significant": adjusted < alpha,
        }
    )
    return MultivariateResult(chi2=float(chi2), p_value=float(p_value), dof=len(names) - 1, pairwise=pairwise,
                              correction=correction)
