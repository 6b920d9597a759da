from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from workbench import plots  # noqa: E402


@pytest.fixture
def daily():
    rows = []
    for policy, level in (("stale", 100.0), ("event_tracker", 150.0)):
        for day in range(10):
            rows.append({"policy": policy, "day": day, "revenue": level - 5 * day, "visits": 50, "impressions": 500,
                         "clicks": 40, "add_to_carts": 10, "purchases": 5})
    return pd.DataFrame(rows)


def test_timeline_draws_one_line_per_policy_and_the_markers(daily):
    markers = pd.DataFrame({"day": [3, 7], "label": ["trend", "winter starts"], "kind": ["trend", "season"]})
    fig = plots.timeline(daily, "revenue", markers=markers, rolling=None)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"stale", "event_tracker"}
    assert list(lines["stale"].get_ydata()) == [100.0 - 5 * d for d in range(10)]
    assert len(ax.get_lines()) == 4  # two policies + two vertical markers
    assert {t.get_text().strip() for t in ax.texts} == {"trend", "winter starts"}


def test_timeline_rolling_mean_and_bad_column(daily):
    fig = plots.timeline(daily, "revenue", rolling=3)
    y = fig.axes[0].get_lines()[0].get_ydata()
    assert y[2] == pytest.approx((100 + 95 + 90) / 3)
    with pytest.raises(KeyError, match="ndcg"):
        plots.timeline(daily, "ndcg")


def test_rows_of_several_seeds_become_one_line_of_daily_means(daily):
    two_seeds = pd.concat([daily.assign(seed=0), daily.assign(seed=1, revenue=daily["revenue"] + 10)])
    fig = plots.timeline(two_seeds[two_seeds["policy"] == "stale"], "revenue", by=None, rolling=None)
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == list(range(10))  # one point per day, in order (no jump back to day 0)
    assert list(line.get_ydata()) == [105.0 - 5 * d for d in range(10)]


def test_funnel_totals_per_policy(daily):
    fig = plots.funnel(daily)
    bars = fig.axes[0].patches
    assert len(bars) == 2 * len(plots.FUNNEL_STEPS)
    assert bars[0].get_height() == 500  # visits of the first policy summed over 10 days


def test_timeline_row_draws_one_panel_per_metric_and_one_shared_legend():
    import pandas as pd
    import pytest

    from workbench.plots import timeline_row

    daily = pd.DataFrame({"day": [0, 1, 0, 1], "policy": ["a", "a", "b", "b"], "m1": [1.0, 2.0, 3.0, 4.0],
                          "m2": [0.1, 0.2, 0.3, 0.4]})
    fig, axes = timeline_row([daily, daily[daily["policy"] == "a"]], ["m1", "m2"], ["one", "two"], rolling=None)
    assert [ax.get_title() for ax in axes] == ["one", "two"]
    assert all(ax.get_legend() is None for ax in axes)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]  # union of the panels' lines
    assert list(axes[0].get_lines()[1].get_ydata()) == [3.0, 4.0]
    with pytest.raises(ValueError, match="one frame per metric"):
        timeline_row([daily], ["m1", "m2"])
