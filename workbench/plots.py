"""Small matplotlib helpers for simulation results; each returns a ``Figure``.

* :func:`timeline` -- one daily metric over time, one line per policy, with drift
  events (season starts, trend shift, campaign) drawn as vertical markers;
* :func:`funnel` -- visits -> impressions -> clicks -> add to cart -> purchases,
  side by side per policy.

They take the tidy frames of :mod:`workbench.sim` (``ScenarioResult.daily`` or
the output of ``compare_policies``) and never need the simulator itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .wording import axis_label

FUNNEL_STEPS = ("visits", "impressions", "clicks", "add_to_carts", "purchases")
"""Columns of a daily frame that make up the funnel, in order."""

_MARKER_STYLE = {"season": ("#6c757d", ":"), "trend": ("#d62728", "--"), "campaign": ("#2ca02c", "-.")}


def _figure(ax=None, figsize=(9, 4)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=figsize)
    return fig, ax


def timeline(
    daily: pd.DataFrame,
    metric: str,
    by: str | None = "policy",
    markers: pd.DataFrame | None = None,
    rolling: int | None = 7,
    x: str = "day",
    title: str | None = None,
    ax=None,
):
    """Plot ``metric`` per day, one line per value of ``by``, with drift markers.

    Args:
        daily: a daily frame (``ScenarioResult.daily`` or ``compare_policies`` output).
        metric: column to plot, e.g. ``"revenue"`` or ``"ndcg_at_10"``.
        by: column that separates the lines (``None`` = a single line). Rows of one line that
            share a day (several seeds) are averaged into one point per day.
        markers: frame with ``day``/``label``/``kind`` columns (``ScenarioResult.markers``).
        rolling: trailing rolling-mean window in days (``None`` or 1 = raw values);
            the first ``rolling - 1`` days average over the days that exist so far.
        x: column for the x axis (``"day"`` or ``"date"``).
        title: figure title (default: the metric's readable name, :func:`workbench.wording.axis_label`).
        ax: draw into an existing matplotlib Axes.

    Raises:
        KeyError: ``metric``, ``x`` or ``by`` is not a column of ``daily``.
    """
    for column in [metric, x] + ([by] if by else []):
        if column not in daily.columns:
            raise KeyError(f"timeline: {column!r} is not a column of the daily frame; columns: {list(daily.columns)}")
    own_figure = ax is None
    fig, ax = _figure(ax)
    groups = daily.groupby(by, sort=False) if by else [(metric, daily)]
    for name, frame in groups:
        if frame[x].duplicated().any():  # several rows per day (e.g. seeds): one line of their mean, in day order
            frame = frame.groupby(x, sort=True)[metric].mean().reset_index()
        values = frame[metric].astype(float)
        if rolling and rolling > 1:
            values = values.rolling(rolling, min_periods=1).mean()
        ax.plot(frame[x].to_numpy(), values.to_numpy(), label=str(name), linewidth=1.8)
    if markers is not None and len(markers):
        top = ax.get_ylim()[1]
        for _, row in markers.iterrows():
            color, style = _MARKER_STYLE.get(row.get("kind", ""), ("#333333", ":"))
            pos = row["day"] if x == "day" else row.get("date", row["day"])
            ax.axvline(pos, color=color, linestyle=style, linewidth=1)
            ax.text(pos, top, f" {row['label']}", rotation=90, va="top", ha="left", fontsize=7, color=color)
    name = axis_label(metric)
    label = name if not rolling or rolling <= 1 else f"{name} ({rolling}-day mean)"
    ax.set_ylabel(label)
    ax.set_xlabel(axis_label(x))
    ax.set_title(title or name)
    if by:
        ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    if own_figure:  # a figure the caller made is laid out by the caller (once, not once per panel)
        fig.tight_layout()
    return fig


def funnel(daily: pd.DataFrame, by: str | None = "policy", steps: Sequence[str] = FUNNEL_STEPS, log: bool = True,
           ax=None):
    """Bar chart of the funnel totals, grouped per value of ``by`` (log scale by default).

    Each bar is the sum of a step over all days; the share of the previous step is
    written above the bar (e.g. clicks / impressions = CTR).
    """
    missing = [s for s in steps if s not in daily.columns]
    if missing:
        raise KeyError(f"funnel: columns {missing} are missing from the daily frame")
    totals = daily.groupby(by, sort=False)[list(steps)].sum() if by else daily[list(steps)].sum().to_frame("all").T
    fig, ax = _figure(ax)
    width = 0.8 / len(totals)
    positions = np.arange(len(steps))
    for k, (name, row) in enumerate(totals.iterrows()):
        values = row.to_numpy(dtype=float)
        bars = ax.bar(positions + k * width, values, width, label=str(name))
        for j in range(1, len(values)):
            share = values[j] / values[j - 1] if values[j - 1] else np.nan
            ax.annotate(f"{share:.1%}", (bars[j].get_x() + width / 2, values[j]), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(positions + width * (len(totals) - 1) / 2, [axis_label(s) for s in steps])
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("total over the run")
    ax.set_title("Funnel")
    if by:
        ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def timeline_row(frames: Sequence[pd.DataFrame], metrics: Sequence[str], titles: Sequence[str] | None = None,
                 markers: pd.DataFrame | None = None, by: str = "policy", rolling: int | None = 7,
                 figsize=(9.5, 3.6)):
    """A row of :func:`timeline` panels (one per metric) sharing one legend under the row.

    Notebook pages cap the height of an output, so two short rows read better than one
    tall grid; one legend keeps the lines visible.

    Returns:
        ``(figure, axes)``.
    """
    from matplotlib.figure import Figure

    if len(frames) != len(metrics):
        raise ValueError(f"timeline_row: {len(frames)} frames for {len(metrics)} metrics; give one frame per metric.")
    titles = list(titles) if titles is not None else [None] * len(metrics)
    fig = Figure(figsize=figsize)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric, title, frame in zip(axes, metrics, titles, frames):
        timeline(frame, metric, by=by, markers=markers, rolling=rolling, title=title, ax=ax)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    handles: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    if handles:
        fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=min(len(handles), 6),
                   fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.12 if handles else 0, 1, 1))
    return fig, axes
