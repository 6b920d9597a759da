"""The committed Jupyter copies are in step with their marimo sources.

A fresh export of every ``notebooks/NN_*.py`` is rendered in memory (marimo's own
ipynb exporter, top-down order) and its code cells are compared with the
committed ``notebooks/jupyter/NN_*.ipynb``. Fix a failure with ``make jupyter``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.notebook_export import (
    JUPYTER_DIR,
    MARIMO_IMPORT_FOR_JUPYTER,
    NOTEBOOK_DIR,
    code_cells,
    export_all,
    jupyter_path,
    marimo_notebooks,
    render_ipynb,
    stale_notebooks,
)

SOURCES = marimo_notebooks(NOTEBOOK_DIR)


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_jupyter_copy_matches_source(source: Path):
    target = jupyter_path(source, JUPYTER_DIR)
    assert target.exists(), f"{target.relative_to(NOTEBOOK_DIR.parent)} is missing: run `make jupyter`"
    fresh = code_cells(render_ipynb(source))
    committed = code_cells(target.read_text(encoding="utf-8"))
    assert committed == fresh, f"{target.name} is stale (its code differs from {source.name}): run `make jupyter`"


def test_no_orphan_jupyter_copies():
    stems = {p.stem for p in SOURCES}
    orphans = [p.name for p in JUPYTER_DIR.glob("*.ipynb") if p.stem not in stems]
    assert not orphans, f"Jupyter copies without a marimo source: {orphans}"


def test_committed_copies_carry_no_outputs_and_a_kernel():
    for target in JUPYTER_DIR.glob("*.ipynb"):
        notebook = json.loads(target.read_text(encoding="utf-8"))
        assert notebook["metadata"]["kernelspec"]["name"] == "python3", target.name
        with_outputs = [c.get("id") for c in notebook["cells"] if c["cell_type"] == "code" and c.get("outputs")]
        assert not with_outputs, f"{target.name} has stored outputs in cells {with_outputs}"


MINI = '''import marimo

app = marimo.App()

with app.setup:
    import marimo as mo

    CONCEPTS = ["GN-10"]


@app.cell
def _():
    x = 2
    return (x,)


@app.cell
def _(x):
    y = x + 1
    y
    return


if __name__ == "__main__":
    app.run()
'''


def test_export_roundtrip_and_staleness_detection(tmp_path):
    src = tmp_path / "src"
    out = tmp_path / "out"
    src.mkdir()
    (src / "01_mini.py").write_text(MINI, encoding="utf-8")
    assert stale_notebooks(src, out) == ["01_mini.ipynb: missing (source 01_mini.py)"]

    written = export_all(src, out)
    assert [p.name for p in written] == ["01_mini.ipynb"]
    cells = code_cells((out / "01_mini.ipynb").read_text(encoding="utf-8"))
    # the setup cell imports the Jupyter face of marimo instead of marimo itself
    assert cells[0].startswith(MARIMO_IMPORT_FOR_JUPYTER) and "import marimo as mo" not in cells[0]
    assert cells[1:] == ["x = 2", "y = x + 1\ny"]
    assert stale_notebooks(src, out) == []
    assert export_all(src, out) == []  # unchanged content is not rewritten

    (src / "01_mini.py").write_text(MINI.replace("x + 1", "x + 2"), encoding="utf-8")
    assert stale_notebooks(src, out) == ["01_mini.ipynb: code cells differ from 01_mini.py"]

    (out / "02_gone.ipynb").write_text((out / "01_mini.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    assert "02_gone.ipynb: no marimo source 02_gone.py" in stale_notebooks(src, out)
