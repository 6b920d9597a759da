"""Every chapter in a real browser: Debian's chromium, headless, against a ``marimo edit`` server.

This is what a learner gets from ``make run``: the test starts one marimo server on
127.0.0.1 (a free port, a throw-away HOME so no personal marimo settings leak in; the
project's own configuration applies), opens every chapter ``notebooks/[0-9]*.py`` in
headless chromium (a few tabs at a time) and checks that

* the chapter runs by itself when opened (no "run" button to press first),
* every cell finishes, and no cell is errored or left stale,
* at least one chart image is on the page where the chapter draws charts,
* in 06 and 07, moving a control re-runs the cells that depend on it and changes them.

"Finished" comes from marimo's websocket: the kernel reports each cell's status
(``queued``, ``running``, ``idle``) in ``cell-op`` messages and closes every run with a
``completed-run`` message. Errors are read from both sides: error outputs
(``application/vnd.marimo+error``) on the websocket, and the cell classes marimo's
editor sets in the page (``has-error``, ``needs-run``; ``marimo-output-stale``,
``marimo-output-loading`` on outputs).

Browser: Playwright for Python drives the system chromium (``executable_path``); it
never downloads a browser. ``make browser`` installs chromium (Debian package) when it
is missing; without it the test is skipped with that instruction. Requests that leave
127.0.0.1 are blocked (tests use no network) and listed in the report. Screenshots of
every chapter (first screen; whole chapter when it failed or with
``WORKBENCH_FULL_SCREENSHOTS=1``) go to ``$WORKBENCH_SCREENSHOTS`` (default: a folder
under the system temp directory), 1400 px wide. ``WORKBENCH_BROWSER_CHAPTERS=06,07``
limits the run to some chapters.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.py"))
if os.environ.get("WORKBENCH_BROWSER_CHAPTERS"):  # e.g. "06,07": only these chapters (by number prefix)
    _wanted = tuple(os.environ["WORKBENCH_BROWSER_CHAPTERS"].replace(" ", "").split(","))
    NOTEBOOKS = [nb for nb in NOTEBOOKS if nb.name.startswith(_wanted)]
CHROMIUM = Path(os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 1400
TABS = 3
"""Chapters open at the same time (each has its own kernel process; 2 cores are shared)."""

CHAPTER_TIMEOUT = float(os.environ.get("WORKBENCH_BROWSER_TIMEOUT", "300"))
"""Seconds one chapter may take from opening to its last cell (generous: CPU is shared)."""

START_TIMEOUT = 60.0
"""Seconds after the kernel is ready by which the first cells must be queued."""

CONTROLS = {
    "06_session_event_tracker": "number of clicks",
    "07_drift": "share of training events corrupted",
}
"""Chapter -> label of the control the test moves (the first slider if the label is gone)."""

CHART_CODE = re.compile(r"plt\.subplots|plt\.figure|\bplots\.\w+\(|\.plot\(|\.bar[h]?\(|\.hist\(|\.imshow\(")
"""Source code that draws a matplotlib chart; a chapter containing it must show one."""

NOT_ERRORS = {"ancestor-stopped"}
"""Error outputs that are not failures: cells below a deliberate ``mo.stop`` (marimo greys them)."""

SCREENSHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS", Path(tempfile.gettempdir()) / "workbench-browser"))

DEEP_JS = """
  // marimo renders tables, stacks and widgets inside custom elements with shadow roots: look inside them too
  const deepAll = (root, selector) => {
    const found = [...root.querySelectorAll(selector)];
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) found.push(...deepAll(e.shadowRoot, selector));
    return found;
  };
  const deepText = root => {
    let text = root.textContent || '';
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) text += '|' + deepText(e.shadowRoot);
    return text;
  };
"""

PAGE_STATE_JS = (
    "() => {"
    + DEEP_JS
    + """
  const cells = [...document.querySelectorAll('div.marimo-cell')];
  const name = c => c.id.replace(/^cell-/, '');
  const text = c => (c.querySelector('.output-area') || c).innerText.slice(0, 400);
  const big = e => {
    const r = e.getBoundingClientRect();
    const w = Math.max(r.width, e.naturalWidth || 0), h = Math.max(r.height, e.naturalHeight || 0);
    return w >= 150 && h >= 100;
  };
  const outputs = [...document.querySelectorAll('.output-area')];
  return {
    cells: cells.length,
    errored: cells.filter(c => c.classList.contains('has-error')).map(c => [name(c), text(c)]),
    needsRun: cells.filter(c => c.classList.contains('needs-run')).map(name),
    staleOutputs: document.querySelectorAll('.marimo-output-stale').length,
    loadingOutputs: document.querySelectorAll('.marimo-output-loading').length,
    busy: document.querySelectorAll('div.marimo-cell[data-status=running], div.marimo-cell[data-status=queued],'
      + ' [data-testid=cell-status][data-status=running], [data-testid=cell-status][data-status=queued]').length,
    charts: outputs.flatMap(o => deepAll(o, 'img, canvas, svg')).filter(big).length,
  };
}"""
)

OUTPUTS_JS = (
    "() => {"
    + DEEP_JS
    + """
  return Object.fromEntries([...document.querySelectorAll('div.marimo-cell')].map(c => {
    const out = c.querySelector('.output-area');
    if (!out) return [c.id.replace(/^cell-/, ''), ''];
    const images = deepAll(out, 'img').map(i => i.src.length + ':' + i.src.slice(-64)).join('|');
    return [c.id.replace(/^cell-/, ''), deepText(out) + '#' + images];
  }));
}"""
)

CONTROL_JS = """
(label) => {
  const sliders = [...document.querySelectorAll('marimo-slider')];
  const labelOf = s => {
    let html = s.dataset.label || '';
    try { html = JSON.parse(html); } catch (e) { /* not JSON: the label itself */ }
    const box = document.createElement('div');
    box.innerHTML = html;
    return box.textContent.trim();
  };
  let index = sliders.findIndex(s => labelOf(s).includes(label));
  const fallback = index < 0;
  if (fallback) index = 0;
  if (!sliders.length) return null;
  const slider = sliders[index];
  const cell = slider.closest('div.marimo-cell');
  slider.setAttribute('data-test-control', 'yes');
  return {index, fallback, label: labelOf(slider), cell: cell ? cell.id.replace(/^cell-/, '') : null,
          labels: sliders.map(labelOf)};
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Visit:
    """One chapter in one tab: what the websocket and the page said about it."""

    notebook: Path
    page: object = None
    opened: float = 0.0
    kernel_ready: float | None = None
    cell_ids: list[str] = field(default_factory=list)
    status: dict[str, str | None] = field(default_factory=dict)
    runs: list[tuple[float, str, str]] = field(default_factory=list)
    """(time, run id, cell id) of every cell the kernel queued or started."""
    first_run: str | None = None
    completed: set[str] = field(default_factory=set)
    last_status_change: float = 0.0
    ws_errors: dict[str, list[str]] = field(default_factory=dict)
    page_errors: list[str] = field(default_factory=list)
    state: dict | None = None
    control: dict | None = None
    control_changed: list[str] | None = None
    control_run: str | None = None
    failure: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float | None = None
    screenshot: Path | None = None

    @property
    def name(self) -> str:
        return self.notebook.stem

    def on_frame(self, payload) -> None:
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        try:
            message = json.loads(text)
        except ValueError:
            return
        op, data = message.get("op"), message.get("data") or {}
        if op == "kernel-ready":
            self.kernel_ready = time.monotonic()
            self.cell_ids = list(data.get("cell_ids") or [])
        elif op == "cell-op":
            cell, status = data.get("cell_id"), data.get("status")
            if status is not None:
                self.status[cell] = status
                self.last_status_change = time.monotonic()
                if status in ("queued", "running"):
                    self.runs.append((self.last_status_change, data.get("run_id"), cell))
                    if self.first_run is None:
                        self.first_run = data.get("run_id")
            output = data.get("output") or {}
            if output.get("mimetype") == "application/vnd.marimo+error":
                errors = [e for e in output.get("data") or [] if e.get("type") not in NOT_ERRORS]
                if errors:
                    self.ws_errors[cell] = [f"{e.get('type')}: {e.get('msg', '')}".strip()[:500] for e in errors]
                else:
                    self.ws_errors.pop(cell, None)
            elif output.get("channel") == "output":
                self.ws_errors.pop(cell, None)  # the cell ran again and produced an ordinary output
        elif op == "completed-run":
            self.completed.add(data.get("run_id"))

    def busy(self) -> bool:
        return any(s in ("queued", "running") for s in self.status.values())

    def settled(self, run_id: str | None, quiet: float = 1.0) -> bool:
        """The run ``run_id`` completed, no cell is queued or running, and nothing changed for ``quiet`` s."""
        return (
            run_id is not None
            and run_id in self.completed
            and not self.busy()
            and time.monotonic() - self.last_status_change >= quiet
        )


class Browser:
    """A marimo server plus one headless chromium, shared by every chapter."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.blocked: set[str] = set()
        self.server: subprocess.Popen | None = None
        self.log = tmp / "marimo.log"

    def start_server(self) -> None:
        home = self.tmp / "home"
        (home / ".config").mkdir(parents=True, exist_ok=True)
        env = dict(
            os.environ,
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            MARIMO_SKIP_UPDATE_CHECK="1",
            MPLBACKEND="Agg",
            # the simulation cache stays the user's (as for the notebook script tests): only marimo's settings
            # are kept out; its entries are keyed by the simulator's code, so they are never stale
            RECSYS_WORKBENCH_CACHE=os.environ.get("RECSYS_WORKBENCH_CACHE")
            or str(Path.home() / ".cache" / "recsys-workbench" / "sim"),
            # chapter 07 plays the settings one move away in the background; in the test that would only
            # take cores from the other tabs (and outlive the server), so it stays off unless asked for
            RECSYS_WORKBENCH_PREFETCH=os.environ.get("RECSYS_WORKBENCH_PREFETCH", "0"),
        )
        command = [sys.executable, "-m", "marimo", "edit", "notebooks", "--headless", "--no-token"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log, "wb") as log:
            self.server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"marimo exited with {self.server.returncode}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.base + "/", timeout=5) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.5)
        raise RuntimeError(f"marimo did not answer on {self.base} within 90 s:\n{self.log.read_text()[-3000:]}")

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(timeout=10)

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.base, "data:", "blob:")) or url.startswith(self.base.replace("http", "ws")):
            route.continue_()
        else:
            self.blocked.add(url[:120])
            route.abort()


def _open(context, browser: Browser, visit: Visit) -> None:
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", visit.on_frame))
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)[:300]))
    visit.page = page
    visit.opened = time.monotonic()
    page.goto(f"{browser.base}/?file={visit.notebook.name}", wait_until="commit", timeout=60_000)


def _screenshot(visit: Visit) -> None:
    """The first screen of the chapter; the whole chapter when it failed or ``WORKBENCH_FULL_SCREENSHOTS=1``.

    marimo scrolls inside the page, so for the whole chapter the viewport is made as tall
    as the chapter (10-20 s of rendering per chapter on a busy 2-core machine).
    """
    page = visit.page
    if visit.failure or os.environ.get("WORKBENCH_FULL_SCREENSHOTS") == "1":
        height = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight), document.body.scrollHeight)"
        )
        page.set_viewport_size({"width": WIDTH, "height": int(min(max(height, 800), 30_000))})
        page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visit.screenshot = SCREENSHOTS / f"{visit.name}.png"
    try:
        page.screenshot(path=str(visit.screenshot), timeout=90_000, animations="disabled")
    except Exception as exc:  # a screenshot is for people to look at; it is not what the test checks
        visit.screenshot = None
        visit.notes.append(f"no screenshot: {str(exc).splitlines()[0]}")
    page.set_viewport_size({"width": WIDTH, "height": 1000})


def _move_control(visit: Visit) -> str | None:
    """Move the chapter's control one step; returns the run id it started (None if nothing started)."""
    page = visit.page
    found = page.evaluate(CONTROL_JS, CONTROLS[visit.name])
    if found is None:
        raise AssertionError(f"{visit.name}: no slider on the page to move")
    visit.control = found
    before = page.evaluate(OUTPUTS_JS)
    thumb = page.locator("marimo-slider[data-test-control=yes] [role=slider]").first
    # a busy 2-core CI machine (the other test worker, the other tabs) can take tens of seconds to
    # lay out a long chapter, so these waits are generous; a failure here names the step
    step = "scrolling to the slider"
    try:
        thumb.scroll_into_view_if_needed(timeout=60_000)
        step = "focusing the slider"
        thumb.focus(timeout=60_000)
        step = "reading the slider's value"
        value = thumb.get_attribute("aria-valuenow", timeout=60_000)
        top = thumb.get_attribute("aria-valuemax", timeout=60_000)
    except Exception as exc:
        raise AssertionError(f"{visit.name}: {step} failed: {str(exc).splitlines()[0]}") from exc
    pressed = time.monotonic()
    thumb.press("ArrowLeft" if value is not None and value == top else "ArrowRight")
    visit.control["from"] = value
    deadline = pressed + CHAPTER_TIMEOUT
    started = None
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        if started is None:  # the first cell the kernel queued after the key press
            started = next((run for at, run, _cell in visit.runs if at >= pressed), None)
        if visit.settled(started):
            break
    else:
        visit.failure = f"moving the control: cells still running after {CHAPTER_TIMEOUT:.0f} s"
    visit.control["to"] = thumb.get_attribute("aria-valuenow")
    visit.control["cells_run"] = sorted({cell for at, _run, cell in visit.runs if at >= pressed})
    after = page.evaluate(OUTPUTS_JS)
    own = found["cell"]
    visit.control_changed = [cell for cell in after if cell != own and after.get(cell) != before.get(cell)]
    return started


SLOW_FIRST = ("07_drift", "11_bias_fairness", "15_own_data")
"""Chapters that take longest in the browser (07 plays the shop under every policy): opened first,
so the other tabs work alongside them instead of waiting for them at the end."""


def _visit_all(browser: Browser, context) -> list[Visit]:
    def rank(nb: Path) -> tuple[int, str]:
        return (SLOW_FIRST.index(nb.stem) if nb.stem in SLOW_FIRST else len(SLOW_FIRST), nb.name)

    pending = [Visit(nb) for nb in sorted(NOTEBOOKS, key=rank)]
    active: list[Visit] = []
    done: list[Visit] = []
    while pending or active:
        while pending and len(active) < TABS:
            visit = pending.pop(0)
            try:
                _open(context, browser, visit)
                active.append(visit)
            except Exception as exc:  # a tab that cannot open fails its chapter, not the others
                visit.failure = f"could not open: {exc}"
                done.append(visit)
        if not active:
            continue
        active[0].page.wait_for_timeout(250)  # lets Playwright deliver websocket frames of every tab
        for visit in list(active):
            elapsed = time.monotonic() - visit.opened
            finished = visit.settled(visit.first_run)
            never_started = (
                visit.first_run is None
                and visit.kernel_ready is not None
                and time.monotonic() - visit.kernel_ready > START_TIMEOUT
            )
            if not (finished or never_started or elapsed > CHAPTER_TIMEOUT):
                continue
            active.remove(visit)
            done.append(visit)
            visit.seconds = round(elapsed, 1)
            try:
                _finish(visit, finished, never_started)
            except Exception as exc:
                visit.failure = (visit.failure or "") + f" [checking the page failed: {exc}]"
            finally:
                with contextlib.suppress(Exception):
                    visit.page.close()
    return sorted(done, key=lambda v: v.name)


def _finish(visit: Visit, finished: bool, never_started: bool) -> None:
    page = visit.page
    if never_started:
        visit.failure = (
            f"opened but never ran: no cell was queued {START_TIMEOUT:.0f} s after the kernel was ready "
            "(marimo's runtime.auto_instantiate is off?)"
        )
    elif not finished:
        running = sorted(c for c, s in visit.status.items() if s in ("queued", "running"))
        visit.failure = (
            f"still running after {CHAPTER_TIMEOUT:.0f} s (kernel ready: {visit.kernel_ready is not None}; "
            f"cells queued/running: {running[:10]})"
        )
    # the page shows what the kernel said once it has rendered; give it a moment to agree
    for _ in range(40):
        visit.state = page.evaluate(PAGE_STATE_JS)
        if visit.state["busy"] == 0 and visit.state["loadingOutputs"] == 0:
            break
        page.wait_for_timeout(250)
    if visit.kernel_ready is not None:
        visit.notes.append(f"kernel ready after {visit.kernel_ready - visit.opened:.0f} s")
    if visit.failure is None and visit.name in CONTROLS:
        moved = time.monotonic()
        visit.control_run = _move_control(visit)
        visit.state = page.evaluate(PAGE_STATE_JS)
        visit.notes.append(f"control re-run {time.monotonic() - moved:.0f} s")
    shot = time.monotonic()
    _screenshot(visit)
    visit.notes.append(f"screenshot {time.monotonic() - shot:.0f} s")


@pytest.fixture(scope="module")
def visits(tmp_path_factory) -> dict[str, Visit]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is not installed, so the chapters cannot be opened in a browser: run `make browser` "
            "(as root it installs Debian's chromium with apt-get) and run the tests again"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.lock: run `make env`")
    browser = Browser(tmp_path_factory.mktemp("browser"))
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    started = time.monotonic()
    browser.start_server()
    try:
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(browser.tmp / "profile"),  # a fresh user-data-dir
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": WIDTH, "height": 1000},
            )
            try:
                context.route("**/*", browser.route)
                found = _visit_all(browser, context)
            finally:
                context.close()
    finally:
        browser.stop_server()
    total = time.monotonic() - started
    lines = [f"browser test: {len(found)} chapters in {total:.0f} s (server start included), screenshots in {SCREENSHOTS}"]
    for v in found:
        line = f"  {v.name}: {v.seconds} s, charts {v.state and v.state['charts']}"
        if v.control:
            line += f"; moved {v.control['label']!r} {v.control.get('from')} -> {v.control.get('to')}: {len(v.control_changed or [])} outputs changed, cells re-run {v.control.get('cells_run')}"
        line += "".join(f"; {note}" for note in v.notes)
        lines.append(line + (f"; FAILED: {v.failure}" if v.failure else ""))
    if browser.blocked:
        lines.append(f"  blocked {len(browser.blocked)} request(s) leaving 127.0.0.1, e.g. {sorted(browser.blocked)[:3]}")
    print("\n".join(lines), file=sys.stderr)
    return {v.name: v for v in found}


def _draws_charts(notebook: Path) -> bool:
    return bool(CHART_CODE.search(notebook.read_text(encoding="utf-8")))


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_chapter_opens_runs_and_shows_no_error(visits, notebook: Path) -> None:
    visit = visits[notebook.stem]
    assert visit.failure is None, f"{visit.name}: {visit.failure}"
    state = visit.state
    assert state is not None and state["cells"] >= len(visit.cell_ids) > 0, f"{visit.name}: cells missing: {state}"
    assert not visit.ws_errors, f"{visit.name}: cells raised errors: {json.dumps(visit.ws_errors, indent=1)[:3000]}"
    assert not state["errored"], f"{visit.name}: errored cells on the page: {state['errored']}"
    assert not state["needsRun"], f"{visit.name}: cells never ran: {state['needsRun']}"
    assert state["busy"] == 0 and state["loadingOutputs"] == 0, f"{visit.name}: cells still running: {state}"
    assert state["staleOutputs"] == 0, f"{visit.name}: {state['staleOutputs']} outputs are stale"
    assert not visit.page_errors, f"{visit.name}: JavaScript errors in the page: {visit.page_errors[:5]}"
    if _draws_charts(notebook):
        assert state["charts"] >= 1, f"{visit.name} draws charts but the page shows no chart image"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", sorted(c for c in CONTROLS if any(nb.stem == c for nb in NOTEBOOKS)))
def test_moving_a_control_changes_what_depends_on_it(visits, chapter: str) -> None:
    visit = visits[chapter]
    assert visit.failure is None, f"{chapter}: {visit.failure}"
    control = visit.control
    assert control is not None, f"{chapter}: the control was not moved"
    assert not control["fallback"], (
        f"{chapter}: no slider labelled {CONTROLS[chapter]!r} (sliders: {control['labels']}); update CONTROLS"
    )
    assert control["from"] != control["to"], f"{chapter}: the slider did not move: {control}"
    assert visit.control_run is not None, f"{chapter}: moving {control['label']!r} started no run that completed"
    assert visit.control_changed, (
        f"{chapter}: moving {control['label']!r} changed no output below it (cells re-run: {control['cells_run']})"
    )
    assert not visit.ws_errors and not visit.state["errored"], f"{chapter}: errors after the move: {visit.ws_errors}"


def test_chart_detection_on_hand_examples() -> None:
    assert CHART_CODE.search("_fig, _ax = plt.subplots(figsize=(8, 3))")
    assert CHART_CODE.search("plots.timeline(result)")
    assert not CHART_CODE.search("mo.md('no chart here; plots are in chapter 7')")
