"""The curriculum as data: concept IDs and the chapter plan.

Every concept raised by the four Korean source documents has a stable ID
(``RT-xx`` real-time story, ``PZ-xx`` Personalize overview, ``GN-xx``
personalization in general, ``DH-xx`` a commercial solution). Each chapter
notebook declares the IDs it teaches in a ``CONCEPTS = [...]`` constant of its
setup cell; ``tests/test_curriculum.py`` reads those constants (without running
the notebooks) and checks them against :data:`CONCEPTS` here.

:data:`CHAPTERS` is the learning path shown in the tour notebook. Its
``planned`` IDs say which chapter is *expected* to teach what; the notebooks'
own ``CONCEPTS`` lists are what counts.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pandas as pd

__all__ = ["CHAPTERS", "CONCEPTS", "Chapter", "chapter_frame", "declared_concepts"]

CONCEPTS: dict[str, str] = {
    # 000 -- real-time recommendations with an event tracker (footwear shop)
    "RT-01": "Footwear shop story: recommendations lift sales at first, then the lift fades as customers and behaviour change",
    "RT-02": "Event tracker: live clicks, views and purchases folded into recommendations within seconds",
    "RT-03": "Historical (bulk) data and real-time events combined as one model's input",
    "RT-04": "USER_PERSONALIZATION recipe: what it does and how it differs from a one-off retrain",
    "RT-05": "EVENT_TYPE field: why domain recommenders require it, what it does and does not fix",
    "RT-06": "Schema precision and event data quality",
    "RT-07": "Architecture flow: interaction -> event tracker -> recommender -> updated recommendations -> UI",
    "RT-08": "Managed service (Personalize) versus a custom model (SageMaker)",
    "RT-09": "Applications: onboarding new customers, seasonal trends, reacting to a campaign",
    "RT-10": "The exam question (options A-E) and why each wrong option is wrong",
    # 001 -- Amazon Personalize overview
    "PZ-01": "Starting models: popular items, shared tastes, items never tried (novelty / exploration)",
    "PZ-02": "Rule-based recommendation by popularity counts",
    "PZ-03": "Collaborative filtering and matrix factorization",
    "PZ-04": "Session-based recommendation and deep learning",
    "PZ-05": "Data preparation: users, items and interactions datasets, schemas, file format",
    "PZ-06": "Pipeline: upload -> import -> choose a recipe -> train with automatic tuning",
    "PZ-07": "Batch versus real-time recommendation",
    "PZ-08": "Recency: weighing how recently a user showed interest",
    # 002 -- personalization today and tomorrow
    "GN-01": "End-to-end flow: collect -> preprocess -> train -> serve -> feedback loop",
    "GN-02": "Data types: explicit, implicit, context, item attributes",
    "GN-03": "Preprocessing: outliers, time order, merging events, features, anonymization, sampling",
    "GN-04": "User- and item-based collaborative filtering; cold start and sparsity",
    "GN-05": "Content-based recommendation: item cold start, interpretability, limited serendipity",
    "GN-06": "Matrix factorization and embeddings (latent factors)",
    "GN-07": "Hybrid recommenders",
    "GN-08": "Knowledge- and context-aware recommendation",
    "GN-09": "Batch, real-time and hybrid serving",
    "GN-10": "Offline metrics: precision, recall, F1, MAP, NDCG",
    "GN-11": "Online metrics: CTR, CVR, retention, LTV",
    "GN-12": "Experiments: A/B tests, multivariate tests, multi-armed bandits",
    "GN-13": "Cold start and sparsity remedies",
    "GN-14": "Popularity bias and lack of diversity",
    "GN-15": "Bias and fairness of exposure",
    "GN-16": "Exploration versus exploitation",
    "GN-17": "Operations: pipelines, feature store, latency and caching, monitoring drift and data quality",
    "GN-18": "Data sources: behaviour, social, context, review sentiment",
    "GN-19": "Feature engineering: purchase cycle, activity level",
    "GN-20": "Machine-learning families in recommendation",
    "GN-21": "Feedback loop and online learning",
    "GN-22": "Industry cases: retail, content, finance",
    "GN-23": "Explainable recommendations",
    "GN-24": "Privacy: minimization, pseudonymization, opt-in, user control, regulation",
    # 003 -- a commercial real-time recommendation solution
    "DH-01": "Sales funnel and revenue = visitors x CTR x conversion x price",
    "DH-02": "Visitor stages 60/25/12/3 and the recommender that fits each",
    "DH-03": "Placement by page: main, category, search, product, cart, checkout",
    "DH-04": "KPI definitions: CTR, bounce rate, conversion rate, SKU",
    "DH-05": "Time-based signals: view time, scroll time, visit time",
    "DH-06": "Real-time personal recommendation from the latest clicks",
    "DH-07": "Viewed together and bought together",
    "DH-08": "Demographic / statistical recommendation",
    "DH-09": "Search-keyword-based recommendation",
    "DH-10": "Customer-group (segment) recommendation and clustering",
    "DH-11": "Item- and user-based collaborative filtering as the document defines them",
    "DH-12": "Content-based recommendation from product descriptions",
    "DH-13": "Substitutes versus complements",
    "DH-14": "Statistical top lists: most viewed, best conversion, best sellers, best recommendation CTR",
    "DH-15": "Review-based recommendation",
    "DH-16": "Deep recommendation with a candidate stage and a ranking stage",
    "DH-17": "Similar-image recommendation",
    "DH-18": "Operations dashboard: A/B results, top conversion items, attributed revenue",
}
"""Concept ID -> short title (condensed from ``curriculum.md``; the IDs are identical)."""


@dataclasses.dataclass(frozen=True)
class Chapter:
    """One chapter of the learning path."""

    number: int
    """Position in the learning order (the ``NN`` of ``notebooks/NN_slug.py``)."""

    slug: str
    """File stem without the number, e.g. ``"data"`` for ``01_data.py``."""

    title: str
    """Human title shown in the tour."""

    planned: tuple[str, ...]
    """Concept IDs this chapter is expected to teach (the notebook's CONCEPTS is authoritative)."""

    @property
    def stem(self) -> str:
        """``"01_data"``."""
        return f"{self.number:02d}_{self.slug}"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(0, "tour", "Tour: from a data file to a plotted metric", ("RT-07", "GN-01", "PZ-06")),
    Chapter(1, "data", "Personalize-format data and schemas",
            ("PZ-05", "PZ-06", "RT-05", "RT-06", "GN-02", "GN-03")),
    Chapter(2, "popularity", "Popularity and statistical lists", ("PZ-01", "PZ-02", "DH-08", "DH-10", "DH-14")),
    Chapter(3, "collaborative_filtering", "Collaborative filtering and matrix factorization",
            ("PZ-03", "GN-04", "GN-06", "DH-11", "GN-20")),
    Chapter(4, "association_rules", "Bought together and viewed together", ("DH-07", "DH-13")),
    Chapter(5, "content_based", "Content-based, search fallback and similar images",
            ("GN-05", "GN-07", "GN-08", "GN-22", "DH-09", "DH-12", "DH-15", "DH-16", "DH-17")),
    Chapter(6, "session_event_tracker", "Sessions, recency and the event tracker",
            ("RT-02", "RT-03", "RT-04", "PZ-04", "PZ-07", "PZ-08", "GN-09", "DH-05", "DH-06")),
    Chapter(7, "drift", "Drift: why the lift from recommendations fades", ("RT-01", "RT-09", "GN-21")),
    Chapter(8, "offline_metrics", "Offline metrics and their conventions", ("GN-10",)),
    Chapter(9, "online_experiments", "Online metrics, A/B tests and bandits", ("GN-11", "GN-12", "GN-16", "DH-04")),
    Chapter(10, "funnel", "Funnel economics and page placement", ("DH-01", "DH-02", "DH-03", "DH-04", "DH-18")),
    Chapter(11, "bias_fairness", "Cold start, popularity bias, diversity and fairness", ("GN-13", "GN-14", "GN-15")),
    Chapter(12, "explanations_privacy", "Explanations and privacy", ("GN-23", "GN-24")),
    Chapter(13, "operations", "Operations: monitoring, data quality, latency and caching", ("GN-17",)),
    Chapter(14, "exam", "Exam practice", ("RT-08", "RT-10")),
    Chapter(15, "own_data", "Prototype with your own data", ("GN-18", "GN-19")),
)
"""The learning path, in order."""


def chapter_frame(notebook_dir: Path | None = None) -> pd.DataFrame:
    """The chapter list as a table (Chapter, Title, File, Available, Concepts).

    Args:
        notebook_dir: folder holding the notebooks; when given, ``File`` is the
            actual file name found there (any slug), ``Available`` says whether it
            exists and ``Concepts`` lists the IDs the notebook itself declares.
            Without it (or for a missing notebook) ``Concepts`` shows the plan.
    """
    rows = []
    for ch in CHAPTERS:
        found = sorted(Path(notebook_dir).glob(f"{ch.number:02d}_*.py")) if notebook_dir is not None else []
        concepts = list(ch.planned)
        if found:
            try:
                concepts = declared_concepts(found[0])
            except (ValueError, SyntaxError):
                concepts = list(ch.planned)
        rows.append(
            {
                "Chapter": f"{ch.number:02d}",
                "Title": ch.title,
                "File": found[0].name if found else f"{ch.stem}.py",
                "Available": bool(found) if notebook_dir is not None else None,
                "Concepts": ", ".join(concepts),
            }
        )
    return pd.DataFrame(rows)


def declared_concepts(notebook: Path | str) -> list[str]:
    """The ``CONCEPTS`` list a marimo notebook declares in its setup cell, read with ``ast`` (no execution).

    Raises:
        ValueError: the notebook has no ``with app.setup:`` block, no ``CONCEPTS``
            assignment there, or the value is not a literal list of strings.
    """
    path = Path(notebook)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if not isinstance(node, ast.With):
            continue
        if not any(ast.unparse(item.context_expr).startswith("app.setup") for item in node.items):
            continue
        for stmt in node.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else getattr(stmt, "target", None)
            if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or not isinstance(target, ast.Name):
                continue
            if target.id != "CONCEPTS":
                continue
            try:
                value = ast.literal_eval(stmt.value)
            except ValueError as exc:
                raise ValueError(f"{path.name}: CONCEPTS must be a literal list of strings ({exc}).") from None
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{path.name}: CONCEPTS must be a list of concept ID strings, got {value!r}.")
            return value
        raise ValueError(f"{path.name}: the setup cell has no CONCEPTS = [...] assignment; add one listing its IDs.")
    raise ValueError(f"{path.name}: no `with app.setup:` block; declare CONCEPTS = [...] in the setup cell.")
