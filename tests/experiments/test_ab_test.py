"""A/B statistics: hand-worked values, scipy cross-checks and simulated error rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.experiments import (
    adjust_p_values,
    multivariate_test,
    peeking_simulation,
    power,
    sample_size,
    two_proportion_test,
)


def test_two_proportion_by_hand():
    r = two_proportion_test(200, 4000, 250, 4000)
    pooled = 450 / 8000
    z = (0.0625 - 0.05) / math.sqrt(pooled * (1 - pooled) * (2 / 4000))
    assert r.z == pytest.approx(z)
    assert r.p_value == pytest.approx(2 * (1 - stats.norm.cdf(z)))
    half = 1.959964 * math.sqrt(0.05 * 0.95 / 4000 + 0.0625 * 0.9375 / 4000)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.0125 - half, 0.0125 + half), abs=1e-6)
    assert r.significant and r.relative_lift == pytest.approx(0.25)
    assert "significant at 5%" in r.summary()


def test_z_squared_equals_uncorrected_chi_square():
    r = two_proportion_test(30, 500, 45, 520)
    chi2, p, _, _ = stats.chi2_contingency([[30, 470], [45, 475]], correction=False)
    assert r.z**2 == pytest.approx(chi2) and r.p_value == pytest.approx(p)


def test_one_sided_and_degenerate_cases():
    up = two_proportion_test(50, 1000, 70, 1000, alternative="larger")
    down = two_proportion_test(50, 1000, 70, 1000, alternative="smaller")
    assert up.p_value + down.p_value == pytest.approx(1.0)
    assert up.p_value < 0.05 < down.p_value
    same = two_proportion_test(0, 100, 0, 200)
    assert same.z == 0 and same.p_value == 1.0 and not same.significant
    with pytest.raises(ValueError):
        two_proportion_test(5, 4, 1, 10)
    with pytest.raises(ValueError):
        two_proportion_test(1, 10, 1, 10, alternative="bigger")


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 500), st.integers(0, 500), st.integers(1, 500), st.integers(0, 500))
def test_interval_contains_observed_difference_and_p_in_unit_interval(n_a, s_a, n_b, s_b):
    s_a, s_b = min(s_a, n_a), min(s_b, n_b)
    r = two_proportion_test(s_a, n_a, s_b, n_b)
    assert 0 <= r.p_value <= 1
    assert r.ci_low <= r.difference <= r.ci_high
    swapped = two_proportion_test(s_b, n_b, s_a, n_a)
    assert swapped.p_value == pytest.approx(r.p_value) and swapped.z == pytest.approx(-r.z)


def test_sample_size_textbook_value_and_power_inverse():
    assert sample_size(0.10, 0.02) == 3841  # 10 % -> 12 %, alpha 0.05, power 0.8
    assert sample_size(0.10, 0.20, relative=True) == 3841
    n = sample_size(0.03, 0.005)
    assert power(n, 0.03, 0.005) == pytest.approx(0.8, abs=0.002)
    assert power(n - 200, 0.03, 0.005) < 0.8
    assert sample_size(0.03, 0.0025) > 3.5 * n  # half the effect -> about four times the sample
    with pytest.raises(ValueError):
        sample_size(0.0, 0.01)
    with pytest.raises(ValueError):
        sample_size(0.5, 0.6)


def test_sample_size_gives_the_promised_power_in_simulation():
    rng = np.random.default_rng(0)
    n = sample_size(0.10, 0.03)
    a = rng.binomial(n, 0.10, size=3000)
    b = rng.binomial(n, 0.13, size=3000)
    pooled = (a + b) / (2 * n)
    z = (b - a) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    detected = (2 * stats.norm.sf(np.abs(z)) < 0.05).mean()
    assert detected == pytest.approx(0.8, abs=0.03)


def test_peeking_inflates_false_positives():
    result = peeking_simulation(n_experiments=2000, days=14, visitors_per_day=500, rate=0.05, seed=1)
    assert result.false_positive_rate_fixed == pytest.approx(0.05, abs=0.015)
    assert result.false_positive_rate_peeking > 0.12  # well above the nominal 5 %
    shares = result.by_day["share_stopped_so_far"].to_numpy()
    assert (np.diff(shares) >= 0).all() and shares[-1] == result.false_positive_rate_peeking
    assert result.by_day["visitors_per_arm"].iloc[-1] == 14 * 500
    again = peeking_simulation(n_experiments=200, days=5, seed=3)
    assert again.false_positive_rate_peeking == peeking_simulation(n_experiments=200, days=5, seed=3).false_positive_rate_peeking


def test_p_value_adjustments_by_hand():
    np.testing.assert_allclose(adjust_p_values([0.01, 0.04, 0.03], "bonferroni"), [0.03, 0.12, 0.09])
    np.testing.assert_allclose(adjust_p_values([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(adjust_p_values([0.5, 0.9]), [1.0, 1.0])
    with pytest.raises(ValueError):
        adjust_p_values([1.5])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=8))
def test_holm_never_above_bonferroni_never_below_raw(p):
    holm, bonf = adjust_p_values(p, "holm"), adjust_p_values(p, "bonferroni")
    assert (holm <= bonf + 1e-12).all() and (holm >= np.asarray(p) - 1e-12).all()


def test_multivariate_chi_square_and_pairwise():
    successes = {"control": 100, "b": 130, "c": 101}
    trials = {"control": 2000, "b": 2000, "c": 2000}
    result = multivariate_test(successes, trials)
    chi2, p, dof, _ = stats.chi2_contingency([[100, 1900], [130, 1870], [101, 1899]], correction=False)
    assert result.chi2 == pytest.approx(chi2) and result.p_value == pytest.approx(p) and result.dof == dof == 2
    table = result.pairwise.set_index("variant")
    raw_b = two_proportion_test(100, 2000, 130, 2000).p_value
    raw_c = two_proportion_test(100, 2000, 101, 2000).p_value
    assert table.loc["b", "p_adjusted"] == pytest.approx(min(1, 2 * raw_b))  # smallest p: times m = 2
    assert table.loc["c", "p_adjusted"] == pytest.approx(max(min(1, 2 * raw_b), raw_c))
    bonf = multivariate_test(successes, trials, correction="bonferroni").pairwise.set_index("variant")
    assert bonf.loc["c", "p_adjusted"] == pytest.approx(min(1, 2 * raw_c))
    with pytest.raises(ValueError):
        multivariate_test({"a": 1}, {"a": 10})
    with pytest.raises(ValueError):
        multivariate_test(successes, trials, control="zz")
