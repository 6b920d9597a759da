"""``segments``: which way of picking customers for a marketing e-mail reaches the next buyers.

The shop is simulated with **no recommendations** (policy ``none``), so everything the
customers do is organic. The run is cut ``TRUTH_DAYS`` before its end: models learn
from the events before the cut, and a segment for a query (``ITEMS.CATEGORY_L1 =
"<category>"``, one per category) is judged by the customers who *buy* a matching item
after the cut. Nobody is e-mailed, so the truth is not caused by the segment.

Each option's ``config`` says how its segment is made, through the in-process
Personalize account (:class:`workbench.personalize.PersonalizeRuntime` with a local S3):

``attribute_affinity``
    An Item-Attribute-Affinity solution version and one batch segment job with one
    ``itemAttributes`` line per category; the first K ``recommendedUsers``.
``item_affinity``
    An Item-Affinity solution version and a batch segment job with every matching
    ``itemId``; a customer's place is their best rank over the items' segments.
``batch_inference``
    A User-Personalization solution version and a batch inference job over every known
    customer (25 items each); the customers whose list holds a matching item, the
    highest score of such an item first.

Beside the options the details table (one row per segment, recall per category) shows three
reference segments of the same size:
``random`` customers, the ``most_active`` customers (most events before the cut) and
``past_shoppers`` (most events on matching items before the cut). K is
:func:`workbench.metrics.segment_size` of the known customers at ``SEGMENT_SHARE``.

Metrics: ``segment_recall`` and ``segment_precision`` (the mean over categories of
SegmentRecall@K / SegmentPrecision@K, :mod:`workbench.metrics.segments`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...constants import CREATION_TIMESTAMP, EVENT_TYPE, ITEM_ID, QUERY, RANK, SECONDS_PER_DAY, TIMESTAMP, USER_ID
from .registry import EvidenceRecipe, RecipeResult, allowed_keys, register
from .simulate import _check_shop, shop_settings

TRUTH_DAYS = 14
"""The last days of the run whose purchases are the truth (models never see them)."""

SEGMENT_SHARE = 0.01
"""Segment size as a share of the known customers: the top 1 %, the K of Personalize's own segment metrics."""

SEGMENT_METHODS = ("attribute_affinity", "item_affinity", "batch_inference")
"""Values of an option's ``segment`` setting."""

REFERENCES = ("random", "most_active", "past_shoppers")
"""Reference segments shown beside the options (not options of the question)."""

_ROLE = "arn:aws:iam::000000000000:role/PersonalizeBatchJobs"


def category_query(category: str) -> str:
    """The attribute query of one category: ``ITEMS.CATEGORY_L1 = "<category>"``."""
    return f'ITEMS.CATEGORY_L1 = "{category}"'


_LOGS: dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]] = {}
"""segment_log's answers by shop settings: one shop is simulated once per process (see ``clear_cache``)."""


def segment_log(plan: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """Training events, the items that exist at the cut, the truth (QUERY, USER_ID) and the shop seed.

    The same shop is simulated once per process (the recipe, its checks, the slow test and the
    benchmark ask for it several times); :func:`workbench.exam.recipes.clear_cache` forgets it.
    """
    settings = shop_settings(plan)
    key = json.dumps(settings, sort_keys=True, default=str)
    if key not in _LOGS:
        _LOGS[key] = _segment_log(settings)
    return _LOGS[key]


def _segment_log(settings: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    from ... import sim

    shop = sim.ShopConfig(**settings)
    result = sim.run_scenario(sim.ScenarioConfig(shop=shop, policy=sim.Policy(kind="none"), name="no recommendations"),
                              progress=False)
    events = result.events
    cut = shop.start + (shop.warmup_days + shop.days - TRUTH_DAYS) * SECONDS_PER_DAY
    train = events[events[TIMESTAMP] < cut].reset_index(drop=True)
    items = result.world.items
    items = items[items[CREATION_TIMESTAMP] < cut].reset_index(drop=True)
    later = events[(events[TIMESTAMP] >= cut) & (events[EVENT_TYPE] == "purchase")]
    category = items.set_index(ITEM_ID)["CATEGORY_L1"]
    later = later[later[ITEM_ID].isin(category.index)]
    truth = pd.DataFrame({QUERY: later[ITEM_ID].map(category).map(category_query).to_numpy(),
                          USER_ID: later[USER_ID].to_numpy()}).drop_duplicates()
    return train, items, truth, shop.seed


def category_queries(items: pd.DataFrame) -> dict[str, np.ndarray]:
    """One attribute query per CATEGORY_L1 value (sorted), with the ids of the items it matches."""
    category = items.set_index(ITEM_ID)["CATEGORY_L1"]
    return {category_query(c): category.index[category == c].to_numpy() for c in sorted(category.unique())}


def plan_segment(plan: Any, method: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """``method``'s segment of every category query on ``plan``'s shop, with the training events and the queries."""
    from ...metrics import segment_size

    train, items, _, _ = segment_log(plan)
    queries = category_queries(items)
    k = segment_size(train[USER_ID].nunique(), SEGMENT_SHARE)
    with tempfile.TemporaryDirectory(prefix="workbench-segments-") as folder:
        return play_segment(method, train, items, queries, k, Path(folder)), train, queries


def _read_lines(paths: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths for line in Path(path).read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")


def _segments_frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[QUERY, USER_ID])
    frame[RANK] = frame.groupby(QUERY).cumcount() + 1
    return frame


def play_segment(method: str, train: pd.DataFrame, items: pd.DataFrame, queries: dict[str, np.ndarray], k: int,
                 folder: Path) -> pd.DataFrame:
    """The segment of every query made the way ``method`` says, through the in-process Personalize account."""
    from ...personalize import PersonalizeRuntime
    from ...recommenders import ItemAffinity, ItemAttributeAffinity, UserPersonalization

    rt = PersonalizeRuntime(s3_root=folder)

    def job(model: Any, lines: list[dict[str, Any]], **extra: Any) -> list[dict[str, Any]]:
        """Register ``model``, write ``lines`` as the job's input, run the job that fits the model, read its answers."""
        _write(folder / "exam" / method / "in.json", lines)
        request = {"jobName": method, "roleArn": _ROLE,
                   "solutionVersionArn": rt.create_solution_version(model, name=method)["solutionVersionArn"],
                   "jobInput": {"s3DataSource": {"path": f"s3://exam/{method}/in.json"}},
                   "jobOutput": {"s3DataDestination": {"path": f"s3://exam/{method}/out/"}}, **extra}
        if hasattr(model, "segment"):
            arn = rt.create_batch_segment_job(**request)["batchSegmentJobArn"]
            described = rt.describe_batch_segment_job(batchSegmentJobArn=arn)["batchSegmentJob"]
        else:
            arn = rt.create_batch_inference_job(**request)["batchInferenceJobArn"]
            described = rt.describe_batch_inference_job(batchInferenceJobArn=arn)["batchInferenceJob"]
        return _read_lines(described["outputFiles"])

    rows: list[tuple[str, str]] = []
    if method == "attribute_affinity":
        answers = job(ItemAttributeAffinity().fit(train, items), [{"itemAttributes": q} for q in queries], numResults=k)
        for line in answers:
            if line.get("output"):
                rows += [(line["itemAttributes"], user) for user in line["output"]["recommendedUsers"]]
    elif method == "item_affinity":
        wanted = sorted({str(i) for ids in queries.values() for i in ids})
        answers = job(ItemAffinity().fit(train, items), [{"itemId": i} for i in wanted], numResults=k)
        best: dict[str, dict[str, int]] = {}
        for line in answers:
            if line.get("output"):
                for rank, user in enumerate(line["output"]["recommendedUsers"]):
                    best.setdefault(line["input"]["itemId"], {})[user] = rank
        for query, ids in queries.items():
            places: dict[str, int] = {}
            for item in ids:
                for user, rank in best.get(str(item), {}).items():
                    places[user] = min(rank, places.get(user, rank))
            rows += [(query, user) for user in sorted(places, key=lambda u: (places[u], u))[:k]]
    elif method == "batch_inference":
        model = UserPersonalization().fit(train, items)
        lines = job(model, [{"userId": str(u)} for u in model.user_vocab.ids])
        for query, ids in queries.items():
            wanted = set(map(str, ids))
            scored = []
            for line in lines:
                output = line.get("output") or {}
                hits = [s for i, s in zip(output.get("recommendedItems", []), output.get("scores", [])) if i in wanted]
                if hits:
                    scored.append((-max(s if s is not None else -np.inf for s in hits), line["input"]["userId"]))
            rows += [(query, user) for _, user in sorted(scored)[:k]]
    else:  # pragma: no cover - configs are checked when the scenario loads
        raise ValueError(f"unknown segment method {method!r}")
    return _segments_frame(rows)


def reference_segment(kind: str, train: pd.DataFrame, queries: dict[str, np.ndarray], k: int, seed: int) -> pd.DataFrame:
    """A reference segment of ``k`` customers per query: random, most active, or past shoppers of the query."""
    customers = np.sort(train[USER_ID].astype(str).unique())
    rows: list[tuple[str, str]] = []
    activity = train[USER_ID].astype(str).value_counts()
    for n, (query, ids) in enumerate(queries.items()):
        if kind == "random":
            chosen = np.random.default_rng([seed, 2026, n]).choice(customers, size=min(k, len(customers)), replace=False)
        elif kind == "most_active":
            chosen = activity.sort_index().sort_values(ascending=False, kind="stable").index[:k]
        else:
            counts = train.loc[train[ITEM_ID].astype(str).isin(set(map(str, ids))), USER_ID].astype(str).value_counts()
            chosen = counts.sort_index().sort_values(ascending=False, kind="stable").index[:k]
        rows += [(query, str(u)) for u in chosen]
    return _segments_frame(rows)


REFERENCE_LABELS = {
    "random": "reference: random customers",
    "most_active": "reference: the most events before the cut",
    "past_shoppers": "reference: the most events on the category before the cut",
}
"""What each reference segment is, for the summary table."""


def score_segments(plan: Any) -> pd.DataFrame:
    """Every option's and every reference's segment, judged per category query (one row per segment and query).

    Columns: ``segment`` (option letter or reference name), ``query``, ``k``, ``users_in_segment``,
    ``buyers_after_cut``, ``segment_recall``, ``segment_precision``.
    """
    from ...metrics import segment_precision_at_k, segment_recall_at_k, segment_size

    train, items, truth, seed = segment_log(plan)
    queries = category_queries(items)
    k = segment_size(train[USER_ID].nunique(), SEGMENT_SHARE)
    made: dict[str, pd.DataFrame] = {}
    with tempfile.TemporaryDirectory(prefix="workbench-segments-") as folder:
        for letter, play in plan.options.items():
            made[letter] = play_segment(play.config["segment"], train, items, queries, k, Path(folder))
    for kind in REFERENCES:
        made[kind] = reference_segment(kind, train, queries, k, seed)
    rows = []
    for label, segments in made.items():
        recall = segment_recall_at_k(segments, truth, k)
        precision = segment_precision_at_k(segments, truth, k)
        sizes = segments.groupby(QUERY).size()
        for query in recall.index:
            rows.append({"segment": label, "query": query, "k": k, "users_in_segment": int(sizes.get(query, 0)),
                         "buyers_after_cut": int((truth[QUERY] == query).sum()),
                         "segment_recall": float(recall[query]), "segment_precision": float(precision[query])})
    return pd.DataFrame(rows)


def summary_table(scores: pd.DataFrame, plan: Any) -> pd.DataFrame:
    """One row per segment: what made it, K, mean SegmentRecall / SegmentPrecision, and the recall per category."""
    means = scores.groupby("segment", sort=False)[["segment_recall", "segment_precision"]].mean()
    per_category = scores.pivot(index="segment", columns="query", values="segment_recall")
    per_category.columns = [f"recall: {q.split('=')[1].strip().strip(chr(34))}" for q in per_category.columns]
    table = pd.DataFrame({
        "segment": means.index,
        "made by": [plan.options[s].played_as if s in plan.options else REFERENCE_LABELS[s] for s in means.index],
        "k": scores.groupby("segment", sort=False)["k"].first().to_numpy(),
        "fewest users": scores.groupby("segment", sort=False)["users_in_segment"].min().to_numpy(),
        "segment_recall": means["segment_recall"].to_numpy(),
        "segment_precision": means["segment_precision"].to_numpy(),
    })
    table = table.join(per_category, on="segment")
    return table.round(4).reset_index(drop=True)


def run_segments(plan: Any) -> RecipeResult:
    """Make every option's segments and the reference segments, and judge them on the organic purchases after the cut.

    ``details`` is :func:`summary_table` (one row per segment); :func:`score_segments` has the per-query rows.
    """
    scores = score_segments(plan)
    means = scores.groupby("segment", sort=False)[plan.metric].mean()
    values = means.loc[list(plan.options)]
    return RecipeResult(values=pd.Series(values.to_numpy(), index=list(plan.options), name=plan.metric),
                        details=summary_table(scores, plan))


register(
    EvidenceRecipe(
        name="segments",
        run=run_segments,
        description="segments for a marketing e-mail (batch segment / batch inference jobs) judged on later organic purchases",
        metrics=("segment_recall", "segment_precision"),
        check_config=allowed_keys({"segment": str}, required=("segment",), choices={"segment": SEGMENT_METHODS}),
        check_plan=_check_shop,
        plays_seeds=True,
    )
)
