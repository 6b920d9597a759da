"""Paired comparisons over seeds, window means and the paired baseline columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.sim import ShopConfig, mean_ci, paired_comparison, window_mean, with_baseline


def _daily(policy, seed, revenue, visits=(10, 10, 10, 10)):
    days = len(revenue)
    frame = pd.DataFrame({"day": range(days), "visits": list(visits)[:days], "total_revenue": revenue,
                          "incremental_revenue": np.asarray(revenue, dtype=float) - 100.0,
                          "ctr": np.linspace(0.1, 0.2, days), "policy": policy, "seed": seed})
    return frame.assign(uplift_per_visit=frame["incremental_revenue"] / frame["visits"])


def test_mean_ci_hand_worked():
    mean, low, high = mean_ci([1.0, 2.0, 3.0])
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert mean == 2.0 and low == pytest.approx(2 - half) and high == pytest.approx(2 + half)
    assert np.isnan(mean_ci([5.0])[1]) and mean_ci([5.0])[0] == 5.0


def test_window_mean_uses_totals_for_per_visit_metrics():
    daily = _daily("a", 1, [110, 120, 130, 140], visits=(10, 10, 10, 30))
    assert window_mean(daily, "ctr") == pytest.approx(0.15)
    # uplift per visit over the last two days: (30 + 40) / (10 + 30), not the mean of 3 and 4/3
    assert window_mean(daily, "uplift_per_visit", (-2, None)) == pytest.approx(70 / 40)
    assert window_mean(daily, "uplift_per_visit", (0, 2)) == pytest.approx(30 / 20)
    with pytest.raises(KeyError, match="DAILY_COLUMNS"):
        window_mean(daily, "profit")


def test_paired_comparison_hand_worked():
    frames = []
    for seed, (a, b) in enumerate([(110, 115), (120, 121), (130, 128)], start=1):
        frames += [_daily("a", seed, [a] * 4), _daily("b", seed, [b] * 4)]
    daily = pd.concat(frames, ignore_index=True)
    table = paired_comparison(ShopConfig(), {"a": {}, "b": {}}, seeds=[1, 2, 3], daily=daily).set_index("policy")
    # per seed uplift per visit: a = 1, 2, 3; b = 1.5, 2.1, 2.8 -> differences 0.5, 0.1, -0.2
    assert table.loc["b", "mean"] == pytest.approx((1.5 + 2.1 + 2.8) / 3)
    assert table.loc["b", "diff"] == pytest.approx(0.4 / 3)
    assert table.loc["b", "wins"] == 2 and table.loc["b", "seeds"] == 3
    assert table.loc["b", "ci_low"] < 0 < table.loc["b", "ci_high"]
    assert table.loc["a", "diff"] == 0 and table.loc["a", "wins"] == 0
    per_seed = pd.DataFrame(table.attrs["per_seed"])
    assert len(per_seed) == 6 and per_seed.query("policy == 'b' and seed == 3")["value"].item() == pytest.approx(2.8)
    pd.concat([table, table])  # plain-data attrs: tables still concatenate
    with pytest.raises(ValueError, match="reference"):
        paired_comparison(ShopConfig(), {"a": {}, "b": {}}, seeds=[1], daily=daily, reference="c")


def test_with_baseline_refuses_runs_with_different_visits():
    run = _daily("a", 1, [110, 120, 130, 140])
    base = _daily("none", 1, [100, 100, 100, 100])
    paired = with_baseline(run, base)
    assert paired["incremental_revenue"].tolist() == [10, 20, 30, 40]
    assert paired["uplift_per_visit"].tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="same shop and seed"):
        with_baseline(run, _daily("none", 2, [100] * 4, visits=(9, 10, 10, 10)))
