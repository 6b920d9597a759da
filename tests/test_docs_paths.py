"""Every repository path the documentation names exists (README, exam README, docs/).

A path is a backticked token or a Markdown link target whose first part is one of the
repository's top-level folders (``workbench/sim/cache.py``, ``docs/benchmark_history.md``);
``file.py:123`` counts as ``file.py``. Patterns (``*``, ``<...>``, ``{...}``, ``$VAR``) and URLs
are not paths. A path may be written from the repository root or from the document's folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ["README.md", "exam_scenarios/README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
TOP_LEVEL = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")} | {".ci"}


def named_paths(text: str) -> set[str]:
    """The repository paths a Markdown text names (see the module docstring)."""
    tokens = set(re.findall(r"`([^`\s]+)`", text)) | set(re.findall(r"\]\(([^)#\s]+)\)", text))
    return {t.split(":")[0] for t in tokens
            if "/" in t and not t.startswith(("http://", "https://")) and t.split("/")[0] in TOP_LEVEL
            and not any(c in t for c in "*<>{}$")}


def test_named_paths_reads_tokens_and_links():
    text = "see `workbench/sim/cache.py:12`, [history](docs/benchmark_history.md), `a/b`, `data/*.csv`, `x`"
    assert named_paths(text) == {"workbench/sim/cache.py", "docs/benchmark_history.md"}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_named_path_exists(document):
    path = ROOT / document
    missing = sorted(p for p in named_paths(path.read_text(encoding="utf-8"))
                     if not (ROOT / p).exists() and not (path.parent / p).exists())
    assert not missing, f"{document} names paths that do not exist: {missing}; fix the text or restore the files"
