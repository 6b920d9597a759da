"""Conventions: the small choices that make "NDCG@10" differ between tools.

Ranking metrics have one textbook idea each, but libraries disagree on the
details: what precision divides by when a list is short, what recall and MAP
divide by, how the first positions are discounted, and what a user without
relevant items (or without a list) contributes to the mean. Those choices are
collected in one :class:`Convention` object so that a notebook can say *which*
numbers it reports, and reproduce another tool's numbers on purpose.

Three named conventions ship with the workbench (see ``docs/metric_crosswalk.md``
for the sources):

``"personalize"`` (default)
    Amazon Personalize's documented definitions: precision divides by ``k``,
    NDCG weights a hit at position ``p`` by ``1 / log(1 + p)`` and divides by the
    ideal DCG, reciprocal rank is 0 when nothing was hit. Personalize does not
    report recall, F1, hit rate or MAP; for those the workbench uses the most
    common definitions (recall over ``|rel|``, MAP over ``min(k, |rel|)``).
``"recommenders"``
    Microsoft Recommenders' ``python_evaluation`` module: only users present in
    both the recommendations and the truth are averaged; recall divides by
    ``|rel|``; MAP@k divides by ``min(k, |rel|)``.
``"lenskit"``
    LensKit for Python: precision divides by the (truncated) list length, recall
    by ``min(k, |rel|)``, average precision by ``min(|rel|, list length)``;
    NDCG's default discount is ``1 / log2(max(p, 2))`` (positions 1 and 2 weigh
    the same); a user with no relevant items gets NaN.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

PrecisionDenominator = Literal["k", "list_length"]
RecallDenominator = Literal["n_relevant", "min_k_relevant"]
MapDenominator = Literal["n_relevant", "min_k_relevant", "min_list_relevant", "hits"]
Discount = Literal["log_rank_plus_one", "log2_clipped"]
Population = Literal["drop", "zero", "nan"]


@dataclasses.dataclass(frozen=True)
class Convention:
    """How ranking metrics treat denominators, discounts and missing users."""

    name: str = "custom"
    """Label shown in tables (``Evaluation.convention``)."""

    precision_denominator: PrecisionDenominator = "k"
    """``"k"``: hits / k, so a list shorter than k cannot reach 1 (Personalize,
    Recommenders); ``"list_length"``: hits / number of recommended items in the
    top k, NaN for an empty list (LensKit)."""

    recall_denominator: RecallDenominator = "n_relevant"
    """``"n_relevant"``: hits / |rel| (a user with 30 relevant items cannot reach
    1 at k=10); ``"min_k_relevant"``: hits / min(k, |rel|) (LensKit), so a perfect
    list always scores 1."""

    map_denominator: MapDenominator = "min_k_relevant"
    """What the sum of precisions at each hit is divided by:
    ``"n_relevant"`` (|rel|, Recommenders' ``map``), ``"min_k_relevant"``
    (min(k, |rel|), Recommenders' ``map_at_k``), ``"min_list_relevant"``
    (min(list length, |rel|), LensKit) or ``"hits"`` (number of hits; rewards a
    list with one early hit as much as a list of all hits -- shown for teaching,
    used by none of the three libraries)."""

    discount: Discount = "log_rank_plus_one"
    """NDCG position weight. ``"log_rank_plus_one"``: ``1 / log(1 + p)`` (Personalize,
    Recommenders, scikit-learn; the log base cancels in the ratio);
    ``"log2_clipped"``: ``1 / log2(max(p, 2))`` (LensKit's default)."""

    missing_truth: Population = "drop"
    """A user who received recommendations but has no relevant items:
    ``"drop"`` (not averaged), ``"zero"`` (every metric 0) or ``"nan"`` (NaN, skipped
    by the means)."""

    missing_recommendations: Literal["score", "drop"] = "score"
    """A user with relevant items but no recommendation list: ``"score"`` (scored
    as an empty list: 0 for most metrics, NaN where the convention divides by the
    list length) or ``"drop"`` (left out, as Recommenders does)."""

    def describe(self) -> str:
        """One line per setting, for notebooks."""
        return "\n".join(f"{f.name}: {getattr(self, f.name)}" for f in dataclasses.fields(self))


PERSONALIZE = Convention(
    name="personalize",
    precision_denominator="k",
    recall_denominator="n_relevant",
    map_denominator="min_k_relevant",
    discount="log_rank_plus_one",
    missing_truth="drop",
    missing_recommendations="score",
)
"""Amazon Personalize's documented definitions (fact sheet section 5.2)."""

RECOMMENDERS = Convention(
    name="recommenders",
    precision_denominator="k",
    recall_denominator="n_relevant",
    map_denominator="min_k_relevant",
    discount="log_rank_plus_one",
    missing_truth="drop",
    missing_recommendations="drop",
)
"""Microsoft Recommenders ``recommenders.evaluation.python_evaluation`` (``map_at_k``)."""

LENSKIT = Convention(
    name="lenskit",
    precision_denominator="list_length",
    recall_denominator="min_k_relevant",
    map_denominator="min_list_relevant",
    discount="log2_clipped",
    missing_truth="nan",
    missing_recommendations="score",
)
"""LensKit for Python ``lenskit.metrics.ranking`` (Precision, Recall, AveragePrecision, NDCG)."""

CONVENTIONS: dict[str, Convention] = {c.name: c for c in (PERSONALIZE, RECOMMENDERS, LENSKIT)}
"""Named conventions accepted by ``evaluate(..., convention=name)``."""


def get_convention(convention: str | Convention) -> Convention:
    """Resolve a convention name (case-insensitive) or pass a :class:`Convention` through.

    Raises:
        ValueError: for an unknown name, listing the valid ones.
    """
    if isinstance(convention, Convention):
        return convention
    key = str(convention).strip().lower()
    if key not in CONVENTIONS:
        raise ValueError(
            f"unknown metric convention {convention!r}; use one of {sorted(CONVENTIONS)} "
            "or build a workbench.metrics.Convention(...) yourself."
        )
    return CONVENTIONS[key]
