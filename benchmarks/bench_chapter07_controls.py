"""How long chapter 07 takes to re-render when a learner moves a control, in a real browser.

What ``make run`` gives a learner: a ``marimo edit`` server and Debian's chromium
(headless, driven by Playwright as in ``tests/test_browser.py``), chapter 07 opened,
and then each slider moved with the keyboard, one step at a time. A re-render is timed
from the key press to marimo's ``completed-run`` message for the cells the move started
(the simulation's numbers, every chart and every sentence below the controls).

Two caches, same run:

1. **played ahead**: a fresh cache filled the way ``make run`` fills it in the
   background (``python -m workbench.sim.cache``: the grid the chapter opens on, then
   every stop of every slider and every cause switch with the other controls at their
   defaults). Each slider goes one stop right, back, one stop left, back: four
   re-renders per slider, each a setting that was played ahead.
2. **two controls moved**: then ``drift strength`` and ``exploration weight`` are both
   moved off their defaults -- a setting the cache filler did not play. Right after the
   first move the chapter simulates the runs while the learner waits (with a progress
   bar); after a minute of reading they come from the background prefetch that every
   re-render starts (``cache.prefetch_around``: the settings one move away).

The first table is one row per slider: median and largest re-render (target: median
under 2 s). Run: ``python benchmarks/bench_chapter07_controls.py`` (needs chromium:
``make browser``; about 4 minutes, most of it filling the cache).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, WIDTH, Browser, Visit, _open  # noqa: E402

SLIDERS = ("drift strength", "retrain every", "exploration weight", "seeds", "share of training events corrupted")
"""Labels (starts) of chapter 07's sliders (the causes multiselect is not driven: its settings are played ahead the same way)."""

MARK_JS = """
(label) => {
  const sliders = [...document.querySelectorAll('marimo-slider')];
  const labelOf = s => {
    let html = s.dataset.label || '';
    try { html = JSON.parse(html); } catch (e) { /* plain text */ }
    const box = document.createElement('div');
    box.innerHTML = html;
    return box.textContent.trim();
  };
  sliders.forEach(s => s.removeAttribute('data-bench-control'));
  const slider = sliders.find(s => labelOf(s).startsWith(label));
  if (!slider) return null;
  slider.setAttribute('data-bench-control', 'yes');
  return labelOf(slider);
}
"""


class TimedVisit(Visit):
    """A :class:`Visit` that also keeps when each cell started running and went idle."""

    def __init__(self, notebook: Path) -> None:
        super().__init__(notebook)
        self.timeline: list[tuple[float, str, str]] = []

    def on_frame(self, payload) -> None:
        super().on_frame(payload)
        try:
            message = json.loads(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))
        except ValueError:
            return
        data = message.get("data") or {}
        if message.get("op") == "cell-op" and data.get("status") in ("running", "idle"):
            self.timeline.append((time.monotonic(), data.get("cell_id"), data["status"]))

    def cell_seconds(self, since: float) -> dict[str, float]:
        """Seconds each cell spent running after ``since`` (kernel side, as the websocket reports it)."""
        started, spent = {}, {}
        for at, cell, status in self.timeline:
            if at < since:
                continue
            if status == "running":
                started[cell] = at
            elif cell in started:
                spent[cell] = spent.get(cell, 0.0) + at - started.pop(cell)
        return spent


def _wait(visit: Visit, pressed: float, timeout: float) -> float:
    """Seconds from ``pressed`` until the run that the key press started completed."""
    page = visit.page
    started = None
    while time.monotonic() - pressed < timeout:
        page.wait_for_timeout(50)
        if started is None:
            started = next((run for at, run, _cell in visit.runs if at >= pressed), None)
        if started is not None and started in visit.completed and not visit.busy():
            return time.monotonic() - pressed
    raise TimeoutError(f"no completed run {timeout:.0f} s after the key press")


def _press(visit: Visit, label: str, key: str, timeout: float) -> tuple[float, str | None, str | None]:
    page = visit.page
    if page.evaluate(MARK_JS, label) is None:
        raise AssertionError(f"chapter 07 has no slider labelled {label!r}")
    thumb = page.locator("marimo-slider[data-bench-control=yes] [role=slider]").first
    thumb.scroll_into_view_if_needed(timeout=10_000)
    thumb.focus()
    before = thumb.get_attribute("aria-valuenow")
    page.wait_for_timeout(300)  # let the page settle after scrolling
    pressed = time.monotonic()
    thumb.press(key)
    seconds = _wait(visit, pressed, timeout)
    page.wait_for_timeout(500)
    visit.last_cells = visit.cell_seconds(pressed)
    return seconds, before, thumb.get_attribute("aria-valuenow")


def measure(cache: Path, timeout: float) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    from playwright.sync_api import sync_playwright

    os.environ["RECSYS_WORKBENCH_CACHE"] = str(cache)
    os.environ.setdefault("RECSYS_WORKBENCH_PREFETCH", "1")  # as under `make run` (the browser test turns it off)
    browser = Browser(Path(tempfile.mkdtemp(prefix="bench07-")))
    browser.start_server()
    rows, extra = [], []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(browser.tmp / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                viewport={"width": WIDTH, "height": 1000})
            try:
                context.route("**/*", browser.route)
                visit = TimedVisit(ROOT / "notebooks" / "07_drift.py")
                _open(context, browser, visit)
                opened = time.monotonic()
                while not visit.settled(visit.first_run):
                    visit.page.wait_for_timeout(250)
                    if time.monotonic() - opened > timeout:
                        raise TimeoutError("chapter 07 did not finish opening")
                open_s = time.monotonic() - opened - 1.0  # settled() waits 1 s of quiet
                for label in SLIDERS:
                    for key in ("ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowRight"):
                        seconds, before, after = _press(visit, label, key, timeout)
                        rows.append({"slider": label, "from": before, "to": after, "seconds": seconds,
                                     "kernel_s": sum(visit.last_cells.values()),
                                     "cells": len(visit.last_cells)})
                        if os.environ.get("BENCH07_CELLS"):
                            print(label, key, round(seconds, 2), {c: round(v, 3) for c, v in
                                                                 sorted(visit.last_cells.items(), key=lambda x: -x[1])})
                # two controls off their defaults: first right after the other, then (one stop further)
                # after a minute of reading, while the chapter plays the settings one move away
                for pause, steps in ((0.0, (("drift strength", "ArrowRight"), ("exploration weight", "ArrowRight"))),
                                     (60.0, (("drift strength", "ArrowRight"), ("exploration weight", "ArrowRight")))):
                    for label, key in steps:
                        visit.page.wait_for_timeout(pause * 1000)
                        seconds, before, after = _press(visit, label, key, timeout)
                        extra.append({"move": f"{label} {before} -> {after}", "after reading (s)": pause,
                                      "seconds": round(seconds, 2)})
            finally:
                context.close()
    finally:
        browser.stop_server()
    moves = pd.DataFrame(rows)
    table = moves.groupby("slider", sort=False).agg(moves=("seconds", "count"), median_s=("seconds", "median"),
                                                     max_s=("seconds", "max"), kernel_median_s=("kernel_s", "median"),
                                                     cells_rerun=("cells", "median"))
    return table.round(2).reset_index(), pd.DataFrame(extra), open_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one re-render may take")
    parser.add_argument("--cache", type=Path, default=None,
                        help="fill and use this cache folder (default: a fresh temporary one)")
    args = parser.parse_args()
    if not CHROMIUM.exists():  # `make bench` goes on with the other benchmarks
        print(f"skipped: {CHROMIUM} is missing (run `make browser` to install Debian's chromium)")
        return
    from workbench.sim import cache

    with tempfile.TemporaryDirectory(prefix="bench07-cache-") as temporary:
        folder = str(args.cache or temporary)
        os.environ["RECSYS_WORKBENCH_CACHE"] = folder
        started = time.perf_counter()
        cache.main([])
        fill_s = time.perf_counter() - started
        table, extra, open_s = measure(Path(folder), args.timeout)
    pd.set_option("display.width", 160)
    print(f"\n== filling the cache ahead (python -m workbench.sim.cache, 2 workers): {fill_s:.0f} s")
    print(f"== chapter 07 opened in the browser in {open_s:.1f} s (from the cache)")
    print("\n== one slider moved from the defaults (played ahead): re-render, key press to completed run")
    print(table.to_string(index=False))
    print(f"median over all {int(table['moves'].sum())} moves: see the rows; target: median < 2 s per slider")
    print(f"largest of the slider medians: {table['median_s'].max():.2f} s; overall largest: {table['max_s'].max():.2f} s")
    print("\n== then two controls off their defaults at once (not played ahead: simulated while waiting)")
    print(extra.to_string(index=False))
    print(f"(median of those: {np.median(extra['seconds']):.1f} s)")


if __name__ == "__main__":
    main()
