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
