"""Every marimo notebook runs headless as a script (``python notebook.py``).

``make notebooks`` runs these; the Jupyter copies run through nbmake (``make nbmake``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.py"))


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_marimo_notebook_runs_as_script(notebook: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(notebook)], cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=120
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, f"{notebook.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    assert elapsed < 60, f"{notebook.name} took {elapsed:.1f}s (limit 60s)"


def test_index_lists_every_chapter_in_order_with_one_line(tmp_path):
    from workbench.chapters import SUMMARIES, chapters, index_markdown

    found = chapters()
    assert [c.stem for c in found] == [p.stem for p in NOTEBOOKS]
    assert all(c.title.startswith(c.stem[:2] + " · ") for c in found), [c.title for c in found]
    marimo_lines = index_markdown().splitlines()
    assert len(marimo_lines) == len(NOTEBOOKS)
    assert marimo_lines[1] == f"1. **[{found[1].title}](?file=01_data.py)** — {SUMMARIES['01_data']}"
    jupyter_lines = index_markdown(jupyter=True).splitlines()
    assert all(f"]({p.stem}.ipynb)**" in line for p, line in zip(NOTEBOOKS, jupyter_lines))
    assert all("\n" not in s and len(s) <= 120 for s in SUMMARIES.values())

    import json

    from workbench.notebook_export import render_ipynb

    first_cell = "".join(json.loads(render_ipynb(ROOT / "notebooks" / "index.py"))["cells"][0]["source"])
    assert index_markdown(jupyter=True) in first_cell  # JupyterLab shows the list before anything runs

    (tmp_path / "99_new.py").write_text('import marimo\napp = marimo.App(app_title="99 · New")\n')
    with pytest.raises(KeyError, match="99_new.py has no one-line summary"):
        chapters(tmp_path)


def _own_data_app():
    from tests.scripts import load_script

    return load_script("notebooks/15_own_data.py", "own_data_chapter").app


def _value(value):
    from types import SimpleNamespace

    return SimpleNamespace(value=value)


def _file_inputs(path) -> dict:
    """Chapter 15's input controls set to read ``path`` as the interactions file (no items or users file)."""
    return {"source_choice": _value("file"), "path_text": _value(str(path)), "items_text": _value(""),
            "users_text": _value("")}


def _own_data_on(tmp_path, monkeypatch, csv_text: str):
    """Chapter 15 run on an interactions file holding ``csv_text``: ``(path, inputs, outputs, defs)``."""
    events = tmp_path / "events.csv"
    events.write_text(csv_text)
    monkeypatch.chdir(ROOT / "notebooks")
    inputs = _file_inputs(events)
    outputs, defs = _own_data_app().run(defs=inputs)
    return events, inputs, outputs, defs


def _text(outputs) -> str:
    return "\n".join(str(getattr(o, "text", o)) for o in outputs if o is not None)


@pytest.mark.notebooks
def test_own_data_keeps_leading_zero_ids_and_stops_when_validation_fails(tmp_path, monkeypatch):
    _, inputs, outputs, defs = _own_data_on(
        tmp_path, monkeypatch, "customer,product,time\n0042,A1,1723683351\n42,A2,1723683352\n0042,A3,1723683353\n")
    assert sorted(defs["mapped"]["USER_ID"].unique()) == ["0042", "42"]  # plain read_csv would merge them into 42
    assert not defs["validation"].ok  # three events are far too few
    assert "clean" not in defs and "comparison" not in defs  # nothing runs on NOT OK data ...
    assert "Stopped: validation says NOT OK" in _text(outputs)
    _, defs = _own_data_app().run(defs={**inputs, "continue_anyway": _value(True), "domain_choice": _value(None),
                                        "drop_outliers": _value(False)})
    assert "clean" in defs  # ... unless the learner asks to continue


@pytest.mark.notebooks
def test_own_data_names_the_file_in_mapping_errors_and_lists_columns_left_out(tmp_path, monkeypatch):
    import re

    events, inputs, outputs, defs = _own_data_on(
        tmp_path, monkeypatch, "customer,product,time,IMPRESSION\nc1,A1,1723683351,A1|A2\nc2,A2,not-a-time,A2|A3\n")
    error = re.search(r"The mapping does not work yet.\S*\s*file (\S+), row (\d+)", _text(outputs))
    assert "mapped" not in defs and error is not None  # the error says which file and row
    assert error.group(1).rstrip(",") == str(events) and error.group(2) == "2"
    events.write_text("customer,product,time,IMPRESSION\nc1,A1,1723683351,A1|A2\nc2,A2,1723683352,A2|A3\n")
    outputs, defs = _own_data_app().run(defs=inputs)
    text = re.sub(r"<[^>]+>", "", _text(outputs))
    assert "Left out (not mapped): IMPRESSION." in text and "IMPRESSION is a reserved Personalize field" in text


@pytest.mark.notebooks
def test_event_tracker_chapter_says_when_campaigns_show_the_tracked_shoes_again(monkeypatch):
    import re

    from tests.scripts import load_script

    monkeypatch.chdir(ROOT / "notebooks")
    for kind in ("click", "purchase"):
        app = load_script("notebooks/06_session_event_tracker.py", "event_tracker_chapter").app
        outputs, defs = app.run(defs={"event_kind": _value(kind), "click_category": _value("running"),
                                      "n_clicks": _value(4)})
        clicked, last = defs["clicked"], defs["lists_by_step"][len(defs["clicked"])]
        echoes = {n: sum(i in clicked for i in last[n]) for n in last if n != "SIMS"}
        text = re.sub(r"<[^>]+>", "", _text(outputs))
        note = re.search(r"show those items again \(([^)]*)\)", text)
        assert (note is not None) == any(echoes.values())
        if note:  # each count in the sentence is the one in the campaign's list
            assert note.group(1) == ", ".join(f"{n} {c} of {len(clicked)}" for n, c in echoes.items() if c)
            assert f'Interactions.EVENT_TYPE IN ("{kind}")' in text
            assert all(not set(clicked) & set(ids) for ids in defs["filtered_lists"].values())  # the filter hides them
            assert f"Asked again with it: {', '.join(f'{n} 0 of {len(clicked)}' for n in echoes)}." in text


@pytest.mark.notebooks
def test_operations_chapter_plays_the_cadences_picked(monkeypatch):
    import re

    from tests.scripts import load_script
    from workbench.sim import cadence_label, cadence_sentences

    monkeypatch.chdir(ROOT / "notebooks")
    app = load_script("notebooks/13_operations.py", "operations_chapter").app
    outputs, defs = app.run(defs={"cadence_days": _value(["14", "3"]), "cadence_tracker": _value(False),
                                  "cadence_seeds": _value(1), "cadence_run": _value(True)})
    played, table = defs["cadence_played"], defs["cadences"]
    assert list(played.policies) == ["trained once", cadence_label(3), cadence_label(14)]
    assert played.seeds == [0] and played.reference == cadence_label(3)  # no weekly schedule picked
    assert table["policy"].tolist() == list(played.policies)
    shown = re.sub(r"<[^>]+>", "", _text(outputs))
    for paragraph in cadence_sentences(played).split("\n\n"):  # the sentences of these runs, as rendered
        assert paragraph.replace("*", "") in shown


@pytest.mark.notebooks
def test_bias_chapter_plays_impressions_at_the_weight_picked(monkeypatch):
    import re

    from tests.scripts import load_script
    from workbench.sim import impressions_sentences

    monkeypatch.chdir(ROOT / "notebooks")
    app = load_script("notebooks/11_bias_fairness.py", "bias_chapter").app
    outputs, defs = app.run(defs={"impressions_weight": _value("0.9"), "ignored_weight": _value("0.5"),
                                  "impressions_seeds": _value(2), "impressions_run": _value(True)})
    table = defs["impressions_table"]
    assert table.attrs["exploration_weight"] == 0.9 and table.attrs["impression_weight"] == 0.5
    assert set(table["seeds"]) == {2}
    shown = re.sub(r"<[^>]+>", "", _text(outputs))
    for line in impressions_sentences(table).splitlines():  # the sentences of these runs, as rendered
        assert line.lstrip("* ").replace("*", "") in shown


@pytest.mark.notebooks
def test_own_data_export_never_overwrites_a_folder_without_asking(tmp_path, monkeypatch):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "interactions.csv").write_text("keep me\n")
    monkeypatch.chdir(ROOT / "notebooks")
    controls = {"export_folder": _value(str(folder)), "export_button": _value(True)}
    outputs, _ = _own_data_app().run(defs={**controls, "overwrite": _value(False)})
    assert (folder / "interactions.csv").read_text() == "keep me\n"
    assert "already holds 1 file(s)" in _text(outputs)
    _own_data_app().run(defs={**controls, "overwrite": _value(True)})
    assert (folder / "interactions.csv").read_text().startswith("USER_ID,")


@pytest.mark.notebooks
def test_make_run_prints_a_url_that_opens_the_chapter_index_and_runs_it():
    import http.cookiejar
    import json
    import re
    import signal
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, MARIMO_SKIP_UPDATE_CHECK="1")
    process = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "run", f"PORT={port}", "PREFILL=0"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        first_line = process.stdout.readline()
        url = re.search(r"http://\S+", first_line).group(0)
        assert "access_token=" in url and "?file=index.py" in url, first_line
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        deadline = time.monotonic() + 60
        while True:
            try:
                with browser.open(url, timeout=5) as response:  # the token sets a session cookie, then redirects
                    page = response.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "marimo did not answer within 60 s"
                time.sleep(0.5)
        assert "<title>recsys workbench · chapters</title>" in page
        overrides = json.loads(re.search(r'"configOverrides": (\{.*?\}\}),', page).group(1))
        assert overrides["runtime"]["auto_instantiate"] is True  # from pyproject.toml: chapters open run
        with urllib.request.urlopen(url.split("&access_token")[0], timeout=5) as response:
            assert "auth/login" in response.url  # without the printed token: the login page
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the group this test started (make + marimo)
        process.wait(timeout=15)
