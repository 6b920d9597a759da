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

    (tmp_path / "99_new.py").write_text('import marimo\napp = marimo.App(app_title="99 · New")\n')
    with pytest.raises(KeyError, match="99_new.py has no one-line summary"):
        chapters(tmp_path)
