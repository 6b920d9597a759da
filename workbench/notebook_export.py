"""Regenerate the Jupyter copies of the marimo chapters.

The marimo files ``notebooks/NN_*.py`` are the sources. ``notebooks/jupyter/NN_*.ipynb``
are generated from them, committed, and executed by nbmake in CI. Run::

    python -m workbench.notebook_export            # rewrite every stale copy
    python -m workbench.notebook_export --check    # exit 1 and list stale copies

(``make jupyter`` runs the first form.) The conversion is marimo's own ipynb
exporter in top-down cell order -- the same as ``marimo export ipynb NB.py -o
NB.ipynb --sort top-down`` -- called in-process, because starting the marimo CLI
once per notebook costs seconds. Three small changes make the copies work in
Jupyter: a ``python3`` kernelspec (so JupyterLab and nbmake pick a kernel
without asking), a first markdown cell saying the file is generated, and the
setup cell's ``import marimo as mo`` becomes ``from workbench.ui import
jupyter_marimo as mo`` (:data:`MARIMO_IMPORT_FOR_JUPYTER`): marimo's API whose
``mo.md``/``mo.vstack``/``mo.stop`` give output JupyterLab renders, where marimo's
own would leave blank web components (see :class:`workbench.ui.JupyterMarimo`).

Only code cells decide whether a copy is in step with its source
(:func:`code_cells`); outputs are never stored.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "JUPYTER_DIR",
    "NOTEBOOK_DIR",
    "code_cells",
    "export_all",
    "jupyter_path",
    "expects_output",
    "main",
    "output_problems",
    "MARIMO_IMPORT_FOR_JUPYTER",
    "marimo_notebooks",
    "render_ipynb",
    "stale_notebooks",
]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
"""Where the marimo chapters live."""
JUPYTER_DIR = NOTEBOOK_DIR / "jupyter"
"""Where the generated ``.ipynb`` copies are written."""

MARIMO_IMPORT = "import marimo as mo"
MARIMO_IMPORT_FOR_JUPYTER = (
    "from workbench.ui import jupyter_marimo as mo  # marimo's API; its markdown and layouts render in JupyterLab"
)
"""What replaces :data:`MARIMO_IMPORT` in the Jupyter copies."""

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

GENERATED_NOTE = (
    "*Generated from `notebooks/{name}` by `python -m workbench.notebook_export` (`make jupyter`). "
    "Edit the marimo source, not this file. Controls are ipywidgets here: after changing one, "
    "run the cells below it again.*"
)


LANDING = "index.py"
"""The landing page (the chapter index), exported along with the chapters."""


def marimo_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The sources: the landing page ``index.py`` (if present), then ``NN_*.py`` sorted by chapter number."""
    landing = [Path(folder) / LANDING] if (Path(folder) / LANDING).is_file() else []
    return landing + sorted(p for p in Path(folder).glob("[0-9]*.py") if p.is_file())


def jupyter_path(source: Path, out_dir: Path = JUPYTER_DIR) -> Path:
    """Where the Jupyter copy of ``source`` goes (same stem, ``.ipynb``)."""
    return Path(out_dir) / f"{Path(source).stem}.ipynb"


def _export_in_process(source: Path) -> str:
    """marimo's exporter without a subprocess (private API; see :func:`_export_with_cli`)."""
    from marimo._export.file import export_ipynb
    from marimo._export.requests import IPYNBFileExportRequest
    from marimo._schemas.export_options import IPYNBExportOptions
    from marimo._utils.marimo_path import MarimoPath

    request = IPYNBFileExportRequest(path=MarimoPath(str(source)), options=IPYNBExportOptions(sort_mode="top-down"))
    result = asyncio.run(export_ipynb(request))
    if result.did_error:
        raise RuntimeError(f"marimo could not load {source}; run `marimo check {source}` to see why.")
    contents = result.contents
    return contents.decode("utf-8") if isinstance(contents, bytes) else contents


def _export_with_cli(source: Path) -> str:
    """The public route: ``marimo export ipynb SOURCE --sort top-down`` (prints to stdout)."""
    result = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "ipynb", str(source), "--sort", "top-down"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"`marimo export ipynb {source}` failed:\n{result.stderr[-2000:]}")
    return result.stdout


def _for_jupyter(cell_source: str | list[str]) -> str | list[str]:
    """``cell_source`` with each ``import marimo as mo`` line swapped for :data:`MARIMO_IMPORT_FOR_JUPYTER`."""
    text = "".join(cell_source) if isinstance(cell_source, list) else cell_source
    lines = text.split("\n")
    swapped = [
        line[: len(line) - len(line.lstrip())] + MARIMO_IMPORT_FOR_JUPYTER if line.strip() == MARIMO_IMPORT else line
        for line in lines
    ]
    return "\n".join(swapped)


def render_ipynb(source: Path | str) -> str:
    """The Jupyter copy of one marimo notebook, as ipynb JSON text (nothing is written).

    Uses marimo's exporter in-process and falls back to the marimo CLI if the
    installed marimo moved its internal modules.
    """
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"{source} does not exist; pass a marimo notebook such as notebooks/00_tour.py")
    try:
        raw = _export_in_process(source)
    except ImportError:
        raw = _export_with_cli(source)
    notebook = json.loads(raw)
    notebook.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["source"] = _for_jupyter(cell.get("source", ""))
    text = GENERATED_NOTE.format(name=source.name)
    if source.name == LANDING:  # the chapter list as markdown, readable before anything runs
        from .chapters import index_markdown

        text = f"# recsys workbench: the chapters\n\n{index_markdown(jupyter=True, folder=source.parent)}\n\n{text}"
    note = {"cell_type": "markdown", "id": "generated-note", "metadata": {}, "source": [text]}
    notebook["cells"] = [note, *notebook.get("cells", [])]
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def code_cells(ipynb_text: str) -> list[str]:
    """Source of every code cell, in order, with trailing whitespace trimmed."""
    notebook = json.loads(ipynb_text)
    out = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            out.append(("".join(source) if isinstance(source, list) else source).rstrip())
    return out


_SILENT_CALLS = {"print", "display", "setattr", "exec"}
"""Calls whose value is ``None``: a cell ending in one shows nothing under marimo either."""

_UNRENDERABLE_PLAIN = re.compile(r"^<Figure size|^<marimo|object at 0x[0-9a-f]+>$|^_?\w*Html\(\)$|^_md\(\)$")
"""``text/plain`` reprs that are not content: a figure nobody drew, a marimo object, a bare object repr."""

_RENDERED = ("image/png", "image/svg+xml", "image/jpeg", "application/vnd.jupyter.widget-view+json", "text/markdown")


def expects_output(cell_source: str) -> bool:
    """True when a cell ends in an expression, i.e. marimo shows its value under the cell.

    A cell whose last statement is an assignment, an import, a loop, a ``print(...)``
    or the constant ``None`` shows nothing in marimo, so it needs no output here either.
    """
    try:
        body = ast.parse(cell_source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    if isinstance(value, ast.Constant) and value.value is None:
        return False
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _SILENT_CALLS:
        return False
    return True


def _output_issue(output: dict) -> str | None:
    """Why one output cannot be seen in JupyterLab (``None``: it renders)."""
    kind = output.get("output_type")
    if kind == "stream":
        return None if output.get("text") else "an empty stream"
    if kind == "error":
        return f"an error: {output.get('ename')}: {output.get('evalue', '')[:300]}"
    data = output.get("data", {})
    html = data.get("text/html", "")
    html = "".join(html) if isinstance(html, list) else html
    if "<marimo-" in html:
        tag = re.search(r"<marimo-[\w-]+", html).group(0)
        return f"marimo HTML ({tag}...>) that JupyterLab leaves blank"
    if html.strip() or any(data.get(mime) for mime in _RENDERED):
        return None
    plain = data.get("text/plain", "")
    plain = ("".join(plain) if isinstance(plain, list) else plain).strip()
    if not plain:
        return "an empty output"
    if _UNRENDERABLE_PLAIN.search(plain):
        return f"only the text {plain[:60]!r}"
    return None


def output_problems(notebook: dict) -> list[str]:
    """What a learner would miss in an *executed* Jupyter copy (empty list = everything shows).

    A problem is an error output; an output JupyterLab cannot render (marimo web
    components, ``<Figure size ...>`` without an image, a bare object repr); or a cell
    that ends in an expression (so the marimo chapter shows something there, see
    :func:`expects_output`) but has no visible output.
    """
    problems = []
    number = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = source.strip().splitlines()
        where = f"code cell {number} (ending {lines[-1].strip()[:70]!r})" if lines else f"code cell {number}"
        outputs = cell.get("outputs", [])
        issues = [issue for issue in map(_output_issue, outputs) if issue]
        problems.extend(f"{where}: {issue}" for issue in issues)
        if expects_output(source) and not issues:
            visible = [o for o in outputs if o.get("output_type") in ("display_data", "execute_result", "stream")]
            if not visible:
                problems.append(f"{where}: no output, but the marimo chapter shows this cell's value")
    return problems


def stale_notebooks(src_dir: Path = NOTEBOOK_DIR, out_dir: Path = JUPYTER_DIR) -> list[str]:
    """Problems that make the Jupyter copies disagree with their sources (empty = in step).

    Reports sources without a copy, copies whose code cells differ from a fresh
    export, and copies whose source is gone.
    """
    problems = []
    sources = marimo_notebooks(src_dir)
    for source in sources:
        target = jupyter_path(source, out_dir)
        if not target.exists():
            problems.append(f"{target.name}: missing (source {source.name})")
            continue
        if code_cells(target.read_text(encoding="utf-8")) != code_cells(render_ipynb(source)):
            problems.append(f"{target.name}: code cells differ from {source.name}")
    stems = {p.stem for p in sources}
    for orphan in sorted(Path(out_dir).glob("*.ipynb")):
        if orphan.stem not in stems:
            problems.append(f"{orphan.name}: no marimo source {orphan.stem}.py")
    return problems


def export_all(src_dir: Path = NOTEBOOK_DIR, out_dir: Path = JUPYTER_DIR, *, only: Sequence[str] = ()) -> list[Path]:
    """Write the Jupyter copy of every chapter (or of those whose stem starts with one of ``only``).

    Files whose content would not change are left untouched. Returns the paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in marimo_notebooks(src_dir):
        if only and not any(source.stem.startswith(prefix) for prefix in only):
            continue
        target = jupyter_path(source, out_dir)
        text = render_ipynb(source)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m workbench.notebook_export", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale copies; exit 1 if any")
    parser.add_argument("only", nargs="*", help="chapter prefixes to export, e.g. 01 08 (default: all)")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_notebooks()
        for problem in problems:
            print(problem)
        print("Jupyter copies are in step." if not problems else "Run `make jupyter` to regenerate.")
        return 1 if problems else 0
    written = export_all(only=args.only)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    if not written:
        print("Jupyter copies already up to date.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
