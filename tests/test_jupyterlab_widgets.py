"""The Jupyter controls and the exam quiz, rendered by a real JupyterLab in headless chromium.

nbmake runs the Jupyter copies, but it cannot see how ipywidgets lay them out. ipywidgets
gives buttons and checkboxes a fixed width and every radio option one fixed-height line, so
long labels were cut ("Play both retraini...") or ran over the next option (chapter 14's
quiz). This test builds the controls the chapters use, with the long labels they have, plus
the quiz on a question with a long option and a two-answer variant of it, in a throw-away
notebook; runs it in ``jupyter lab`` (a free port on 127.0.0.1, a throw-away HOME, requests
leaving 127.0.0.1 blocked) and checks in the page that

* no button, checkbox or label cuts its text (its content is not wider than its box),
* every quiz option is as tall as its text and sits below the one before it (no overlap),
* every radio button is on the left of its option's text.

Skipped, with the instruction, when chromium or playwright is missing (as ``test_browser.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port

NOTEBOOK_CODE = """
import dataclasses
from IPython.display import display
from workbench import ui
from workbench.exam import load_scenarios
from workbench.exam.quiz import Quiz

display(ui.controls(
    ui.slider(1, 4, value=2, label="seeds"),
    ui.checkbox(label="also train Spark ALS (starts a Java VM, 20-45 s)"),
    ui.run_button("Play both retraining schedules"),
    title="Controls with long labels",
))
question = next(s for s in load_scenarios() if s.id == "exclude-purchased-items")  # option B is 164 characters
two = dataclasses.replace(question, id="pick-two", correct=("A", "B"))  # select two: checkboxes
display(Quiz([question, two]).widget(evidence=False))
"""

LAYOUT_JS = """() => {
  const out = [...document.querySelectorAll('.jp-OutputArea-output')];
  const visible = e => e.offsetParent !== null;
  const cut = [];
  for (const o of out) for (const e of o.querySelectorAll('button, label, .widget-label, .widget-label-basic'))
    if (visible(e) && e.scrollWidth > e.clientWidth + 2) cut.push(e.innerText.slice(0, 60));
  const options = [];
  for (const box of document.querySelectorAll('.jp-OutputArea-output .widget-radio-box')) {
    const labels = [...box.querySelectorAll('label')].filter(visible);
    labels.forEach((l, i) => {
      const r = l.getBoundingClientRect(), input = l.querySelector('input').getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(l);
      const text = [...range.getClientRects()].filter(x => x.width > 8 && x.left > input.right - 1);
      options.push({text: l.innerText.slice(0, 40), tall: l.scrollHeight > l.clientHeight + 2,
                    overlaps: i > 0 && r.top < labels[i - 1].getBoundingClientRect().bottom - 1,
                    button_left: input.left <= r.left + 4 && text.length > 0,
                    lines: Math.round(r.height / 18)});
    });
  }
  const checkboxes = [...document.querySelectorAll('.jp-OutputArea-output .widget-checkbox')].filter(visible).length;
  return {cut, options, checkboxes,
          quiz: document.querySelectorAll('.jp-OutputArea-output .workbench-quiz').length};
}"""


def _write_notebook(folder: Path) -> Path:
    cell = {"cell_type": "code", "execution_count": None, "id": "controls", "metadata": {}, "outputs": [],
            "source": NOTEBOOK_CODE.strip()}
    notebook = {"cells": [cell], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                             "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    path = folder / "widgets.ipynb"
    path.write_text(json.dumps(notebook))
    return path


def _lab_settings(home: Path) -> Path:
    """User settings: render every cell (no windowing, so the page holds all outputs) and no news requests."""
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    return home / ".jupyter" / "lab" / "user-settings"


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> dict:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: run `make browser` (installs Debian's chromium) and test again")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements.lock: run `make env`")
    tmp = tmp_path_factory.mktemp("jupyterlab")
    _write_notebook(tmp)
    home = tmp / "home"
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTERLAB_SETTINGS_DIR=str(_lab_settings(home)), MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={tmp}"]
    log = tmp / "lab.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/lab", timeout=5) as answer:
                    if answer.status == 200:
                        break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not start on {base}:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1000, "height": 900})  # narrow enough to wrap option B
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                (base, base.replace("http", "ws"), "data:", "blob:")) else route.abort())
            page.goto(f"{base}/lab/tree/widgets.ipynb")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            # the kernel is up once the status bar says so; then run the one cell (Shift+Enter)
            page.wait_for_function("() => /\\| Idle/.test(document.body.innerText)", timeout=120_000)
            page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_selector(".jp-OutputArea-output .workbench-quiz", state="attached", timeout=120_000)
            except sync_api.TimeoutError:
                page.screenshot(path=str(tmp / "widgets.png"), full_page=True)
                shown = page.locator(".jp-OutputArea-output").all_inner_texts()
                raise AssertionError(f"the quiz never rendered; outputs: {shown[:3]} (screenshot {tmp / 'widgets.png'},"
                                     f" server log {log})") from None
            time.sleep(1)  # let the widgets lay out
            found = page.evaluate(LAYOUT_JS)
            page.screenshot(path=str(tmp / "widgets.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
        if server.poll() is None:
            server.kill()
    found["screenshot"] = str(tmp / "widgets.png")
    return found


def test_the_page_holds_the_quiz_and_its_two_kinds_of_options(layout):
    assert layout["quiz"] == 1
    assert len(layout["options"]) == 4 and layout["checkboxes"] >= 5, layout  # 4 radio options; 4 + 1 checkboxes


def test_no_control_cuts_its_label(layout):
    assert layout["cut"] == [], f"labels cut by their box: {layout['cut']} (screenshot {layout['screenshot']})"


def test_quiz_options_wrap_below_each_other_with_the_button_on_the_left(layout):
    options = layout["options"]
    assert not any(o["tall"] or o["overlaps"] for o in options), options
    assert all(o["button_left"] for o in options), options
    assert max(o["lines"] for o in options) >= 2, f"option B should wrap at this width: {options}"
