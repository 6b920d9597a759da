"""The Jupyter copies show what the marimo chapters show.

Each ``notebooks/jupyter/*.ipynb`` is executed once in a real ipykernel (nbclient,
which is what nbmake drives; ``make nbmake`` runs this file instead of nbmake so the
copies run only once) and every output is checked with
:func:`workbench.notebook_export.output_problems`: no errors, no marimo web components
JupyterLab leaves blank (``<marimo-table>`` inside a ``mo.vstack``), no ``<Figure size ...>``
without its image, and no silent cell where the marimo chapter shows a value.

The small tests pin the checker itself on hand-made outputs and check, in a live
kernel, that a re-run control cell keeps its widget and that figures made without
pyplot still render.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from workbench.notebook_export import JUPYTER_DIR, MARIMO_IMPORT_FOR_JUPYTER, expects_output, output_problems

COPIES = sorted(JUPYTER_DIR.glob("*.ipynb"))


def _code(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "source": source, "outputs": outputs, "metadata": {}}


def _result(**data: str) -> dict:
    return {"output_type": "execute_result", "data": {k.replace("_", "/", 1): v for k, v in data.items()}}


def test_expects_output_follows_the_last_statement():
    assert expects_output("x = 1\nx")
    assert expects_output("mo.vstack([a, b])")
    assert expects_output("table if ok else mo.md('none')")
    assert not expects_output("x = 1")
    assert not expects_output("import pandas as pd")
    assert not expects_output("print('hello')")
    assert not expects_output("x = 2\nNone")
    assert not expects_output("for i in range(3):\n    i")
    assert not expects_output("")


def test_output_problems_names_each_invisible_output():
    marimo_html = "<div style='display: flex'><marimo-ui-element object-id='1'><marimo-table data-data='[]'>"
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "# title"},
            _code("x = 1", []),  # an assignment: nothing to show in marimo either
            _code("mo.vstack([mo.md('a'), table])", [_result(text_html=marimo_html, text_plain="_FlexContainerHtml()")]),
            _code("evidence.figure", [_result(text_plain="<Figure size 600x350 with 1 Axes>")]),
            _code("table", []),
            _code("fig", [_result(image_png="iVBOR", text_plain="<Figure size 600x350 with 1 Axes>")]),
            _code("print('hi')", [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]),
            _code("mo.md('**b**')", [_result(text_markdown="**b**", text_plain="Markdown('**b**')")]),
            _code("frame", [_result(text_html="<table><tr><td>1</td></tr></table>", text_plain="   a\n0  1")]),
            _code("k", [_result(**{"application_vnd.jupyter.widget-view+json": {"model_id": "m"}, "text_plain": "IntSlider()"})]),
            _code("1 / 0", [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero"}]),
        ]
    }
    problems = output_problems(notebook)
    assert len(problems) == 4, problems
    assert problems[0].startswith("code cell 2") and "<marimo-ui-element" in problems[0]
    assert problems[1].startswith("code cell 3") and "<Figure size 600x350" in problems[1]
    assert problems[2].startswith("code cell 4") and "no output" in problems[2]
    assert problems[3].startswith("code cell 10") and "ZeroDivisionError" in problems[3]


def _client(cells: list[str], tmp_path: Path):
    """A notebook of ``cells`` and an nbclient client for it (start the kernel with ``client.setup_kernel()``)."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = NotebookClient(
        notebook, timeout=60, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    )
    return client, notebook


def _widget_model(cell) -> str:
    views = [o["data"]["application/vnd.jupyter.widget-view+json"] for o in cell.outputs if "data" in o
             and "application/vnd.jupyter.widget-view+json" in o["data"]]
    assert views, f"no widget shown: {cell.outputs}"
    return views[-1]["model_id"]


def test_jupyter_kernel_keeps_controls_across_reruns_and_renders_stacks_and_figures(tmp_path, monkeypatch):
    # Agg, as when MPLBACKEND=Agg is inherited: without the workbench's formatter a figure shows only its repr
    monkeypatch.setenv("MPLBACKEND", "Agg")
    cells = [
        MARIMO_IMPORT_FOR_JUPYTER + "\nimport pandas as pd\nfrom matplotlib.figure import Figure\nfrom workbench import ui",
        'k = ui.slider(1, 9, value=3, label="k")\nk',
        "k.value = 7",
        'panel = ui.controls(k, ui.dropdown(["a", "b"], label="pick"), title="Settings")\npanel',
        "fig = Figure(figsize=(3, 2))\nfig.add_subplot().plot([1, 2])\nfig",
        'mo.vstack([mo.md("**two** things"), pd.DataFrame({"a": [1, 2]}), fig])',
        'mo.hstack([mo.md("left"), pd.DataFrame({"b": [3]})])',
        "mo.stop(False)\n'still running'",
        "(k.value, k.comm is not None)",
        'mo.stop(True, mo.md("*validation failed*"))\n"not reached"',
    ]
    client, notebook = _client(cells, tmp_path)
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells[:8]):
            client.execute_cell(cell, index)
        first_slider, first_panel = _widget_model(notebook.cells[1]), _widget_model(notebook.cells[3])
        client.execute_cell(notebook.cells[1], 1)  # the learner re-runs the control cells
        client.execute_cell(notebook.cells[3], 3)
        probe, stop = notebook.cells[8], notebook.cells[9]
        client.execute_cell(probe, 8)
        client.execute_cell(stop, 9)
    assert _widget_model(notebook.cells[1]) == first_slider, "re-running the cell made a new slider"
    assert _widget_model(notebook.cells[3]) == first_panel, "re-running the cell made a new panel"
    assert probe.outputs[0]["data"]["text/plain"] == "(7, True)"  # same widget, value kept, still open
    figure_outputs = notebook.cells[4].outputs
    assert "image/png" in figure_outputs[0]["data"], figure_outputs
    stack = notebook.cells[5].outputs
    assert [next(m for m in ("text/markdown", "text/html", "image/png") if m in o["data"]) for o in stack] == [
        "text/markdown", "text/html", "image/png"]
    assert "<marimo-" not in json.dumps(stack)
    row = notebook.cells[6].outputs
    assert len(row) == 1 and "display:flex" in row[0]["data"]["text/html"] and "<table" in row[0]["data"]["text/html"]
    assert notebook.cells[7].outputs[0]["data"]["text/plain"] == "'still running'"
    assert [o["output_type"] for o in stop.outputs] == ["display_data", "error"]
    assert stop.outputs[0]["data"]["text/markdown"] == "*validation failed*"
    assert stop.outputs[1]["ename"] == "StopCell" and stop.outputs[1]["traceback"][0].startswith("Stopped:")
    assert output_problems({"cells": notebook.cells[:7]}) == []


@pytest.mark.notebooks
@pytest.mark.parametrize("copy", COPIES, ids=[p.stem for p in COPIES])
def test_executed_jupyter_copy_shows_every_output(copy: Path):
    from nbclient import NotebookClient

    notebook = nbformat.read(copy, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # JupyterLab's own inline backend, as a learner has it
    try:
        NotebookClient(
            notebook, timeout=120, kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": str(copy.parent)}},
        ).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    problems = output_problems(notebook)
    assert not problems, f"{copy.name} hides output a learner should see:\n" + "\n".join(problems)
