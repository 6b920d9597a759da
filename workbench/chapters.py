"""The chapter list behind the landing page (``notebooks/index.py`` and its Jupyter copy).

Titles come from each chapter's own ``app_title`` (read with ``ast``, nothing is
executed), so a renamed chapter is renamed on the landing page too; the one-line
summaries live here in :data:`SUMMARIES`. A test checks that every chapter has one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SUMMARIES", "Chapter", "chapters", "index_markdown"]

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"

SUMMARIES = {
    "00_tour": "The whole workbench in one pass: data, models, metrics and the simulated shop, plus a glossary.",
    "01_data": "Personalize datasets and schemas, validation, classic data mistakes, the holdout split, export.",
    "02_popularity": "Popularity and trending lists, best sellers and best conversion, segment lists.",
    "03_collaborative_filtering": "User/item neighbours and matrix factorization; rating accuracy versus ranking.",
    "04_association_rules": "Bought together and viewed together: support, confidence and lift.",
    "05_content_based": "Similar items from descriptions and images, search fallback, cold items.",
    "06_session_event_tracker": "Sessions and recency; send events live and watch recommendations change.",
    "07_drift": "The footwear story: why the lift from recommendations fades, every policy side by side.",
    "08_offline_metrics": "Precision, recall, NDCG, MRR and friends, with worked examples and conventions.",
    "09_online_experiments": "CTR and conversion, A/B tests, sample size, peeking and bandits.",
    "10_funnel": "Revenue = visitors x CTR x conversion x price; placement by page; the dashboard.",
    "11_bias_fairness": "Cold start, exploration, popularity bias, diversity re-ranking, exposure fairness.",
    "12_explanations_privacy": "'Recommended because ...', pseudonymisation, data minimisation, opt-out.",
    "13_operations": "Monitoring drift and data quality; latency and caching.",
    "14_exam": "Exam-style Personalize questions, each option played in the simulator.",
    "15_own_data": "Bring your own interactions file: map columns, validate, compare models, export.",
}
"""One line per chapter, keyed by file stem."""


@dataclass(frozen=True)
class Chapter:
    stem: str
    """File name without ``.py``, e.g. ``"01_data"``."""
    title: str
    """The chapter's ``app_title``, e.g. ``"01 · Personalize-format data and schemas"``."""
    summary: str
    """One line from :data:`SUMMARIES`."""


def _app_title(path: Path) -> str:
    """The ``app_title=`` of ``marimo.App(...)`` in ``path`` (the file stem if there is none)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "App":
            for keyword in node.keywords:
                if keyword.arg == "app_title" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return path.stem


def chapters(folder: Path = NOTEBOOK_DIR) -> list[Chapter]:
    """Every ``NN_*.py`` chapter in ``folder``, in chapter order.

    Raises:
        KeyError: a chapter has no line in :data:`SUMMARIES` (add one there).
    """
    found = []
    for path in sorted(Path(folder).glob("[0-9]*.py")):
        if path.stem not in SUMMARIES:
            raise KeyError(f"{path.name} has no one-line summary: add {path.stem!r} to SUMMARIES in {__file__}")
        found.append(Chapter(path.stem, _app_title(path), SUMMARIES[path.stem]))
    return found


def index_markdown(*, jupyter: bool = False, folder: Path = NOTEBOOK_DIR) -> str:
    """The landing page: one linked line per chapter, in order.

    Links open ``?file=NN_x.py`` in the marimo editor (``make run`` serves the
    ``notebooks`` folder) or ``NN_x.ipynb`` next to the index in JupyterLab.
    """
    lines = []
    for chapter in chapters(folder):
        target = f"{chapter.stem}.ipynb" if jupyter else f"?file={chapter.stem}.py"
        lines.append(f"1. **[{chapter.title}]({target})** — {chapter.summary}")
    return "\n".join(lines)
