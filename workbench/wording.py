"""The words the chapters show: event verbs, counts, axis labels, dates and exam feedback.

Small, tested helpers so that a notebook never glues ``"ed"`` onto an event type
("purchaseed"), prints "viewed 0 sandals: .", labels an axis ``ndcg_at_10`` or
shows a timestamp as ``1,723,683,351``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from .constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID

__all__ = [
    "axis_label",
    "bullet_list",
    "echo_sentence",
    "event_sentence",
    "feedback_markdown",
    "letters",
    "past_tense",
    "summary_markdown",
    "with_dates",
]

_PAST = {
    "view": "viewed",
    "click": "clicked",
    "purchase": "bought",
    "add_to_cart": "added to the cart",
    "addtocart": "added to the cart",
    "add-to-cart": "added to the cart",
    "rate": "rated",
    "rating": "rated",
    "like": "liked",
    "watch": "watched",
    "search": "searched for",
}

_LABELS = {
    ITEM_ID: "item",
    USER_ID: "customer",
    TIMESTAMP: "time",
    EVENT_TYPE: "event type",
    "EVENT_VALUE": "event value",
    "CATEGORY_L1": "category",
    "new_customer_share": "share of visits by new customers",
    "freshness_median_hours": "newest event age (h, median)",
}

_METRICS = {"ndcg": "NDCG", "precision": "Precision", "recall": "Recall", "mrr": "MRR", "map": "MAP",
            "hit_rate": "HitRate", "hitrate": "HitRate", "f1": "F1", "ctr": "CTR", "cvr": "CVR"}


def past_tense(event_type: str) -> str:
    """``"purchase"`` -> ``"bought"``, ``"add_to_cart"`` -> ``"added to the cart"``, ``"view"`` -> ``"viewed"``.

    Unknown types get a regular English past tense of their words (``"share"`` ->
    ``"shared"``, ``"wishlist_add"`` -> ``"wishlist added"``).
    """
    key = str(event_type).strip().lower()
    if key in _PAST:
        return _PAST[key]
    words = key.replace("-", " ").replace("_", " ").split() or ["interacted with"]
    last = words[-1]
    if last.endswith("e"):
        last += "d"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        last = last[:-1] + "ied"
    elif not last.endswith("ed"):
        last += "ed"
    return " ".join([*words[:-1], last])


def event_sentence(who: str, event_type: str, items: Sequence[str], noun: str) -> str:
    """``"Customer `U1` bought 2 sandals: `I1`, `I2`."``, or ``"... bought no sandals yet."`` for none (markdown)."""
    verb = past_tense(event_type)
    if not items:
        return f"Customer `{who}` {verb} no {noun} yet."
    listed = ", ".join(f"`{item}`" for item in items)
    return f"Customer `{who}` {verb} {len(items)} {noun}: {listed}."


def echo_sentence(lists: dict[str, Sequence[str]], items: Sequence[str], event_type: str,
                  filtered: dict[str, Sequence[str]] | None = None) -> str:
    """Which lists show ``items`` (the events just sent) again, and the filter that would hide them (markdown).

    ``lists`` maps a campaign name to its item ids; ``filtered`` (optional) holds the same
    campaigns' lists asked again with that filter, and their counts are added. ``""`` when no
    list holds any of ``items``. A campaign leaves nothing out on its own: items a user
    interacted with stay eligible until a filter on the event type excludes them.
    """
    sent = set(items)

    def counts(by_name: dict[str, Sequence[str]], all_names: bool) -> str:
        found = {name: sum(item in sent for item in ids) for name, ids in by_name.items()}
        return ", ".join(f"{name} {count} of {len(sent)}" for name, count in found.items() if count or all_names)

    shown = counts(lists, all_names=False)
    if not shown:
        return ""
    from .recommenders.filters import exclude_purchased  # the expression, written by the filters module

    text = (f"The lists after these events show those items again ({shown}): a campaign does not leave out what "
            f"the customer already interacted with; a filter such as `{exclude_purchased(event_type)}` does.")
    if filtered is not None:
        text += f" Asked again with it: {counts(filtered, all_names=True)}."
    return text


def axis_label(column: str) -> str:
    """A readable axis or legend label for a column name.

    ``ITEM_ID`` -> ``"item"``, ``"ndcg_at_10"`` -> ``"NDCG@10"``, ``"add_to_carts"`` ->
    ``"add to carts"``; names already written for people pass through.
    """
    name = str(column)
    if name in _LABELS:
        return _LABELS[name]
    if "_at_" in name:
        metric, _, cutoff = name.rpartition("_at_")
        if cutoff.isdigit() and metric.lower() in _METRICS:
            return f"{_METRICS[metric.lower()]}@{cutoff}"
    if name.lower() in _METRICS:
        return _METRICS[name.lower()]
    if "_" in name:
        return name.replace("_", " ").lower()
    return name


def with_dates(frame: pd.DataFrame, column: str = TIMESTAMP) -> pd.DataFrame:
    """A copy for display: ``column`` (epoch seconds) as plain digits and a ``date (UTC)`` column beside it.

    The Personalize format stores Unix epoch seconds; a table that formats them as
    numbers shows ``1,723,683,351``. Frames without ``column`` come back unchanged.
    """
    if column not in frame.columns:
        return frame
    out = frame.copy()
    seconds = pd.to_numeric(out[column], errors="coerce")
    dates = pd.to_datetime(seconds, unit="s", utc=True).dt.strftime("%Y-%m-%d %H:%M")
    position = out.columns.get_loc(column)
    out[column] = seconds.map(lambda v: "" if pd.isna(v) else str(int(v)))
    out.insert(position + 1, "date (UTC)", dates.fillna(""))
    return out


def bullet_list(frame: pd.DataFrame, text: str = "message") -> str:
    """One markdown bullet per row: the index in bold, the other columns in brackets, then the full ``text``.

    For long messages (error texts, explanations) that a table cell would cut off.
    """
    if text not in frame.columns:
        raise KeyError(f"bullet_list: {text!r} is not a column; columns: {list(frame.columns)}")
    others = [c for c in frame.columns if c != text]
    lines = []
    for label, row in frame.iterrows():
        details = ", ".join(str(row[c]) for c in others if pd.notna(row[c]) and str(row[c]) not in ("", "None"))
        lines.append(f"* **{label}**{f' ({details})' if details else ''}: {row[text]}")
    return "\n".join(lines)


def summary_markdown(summary: str) -> str:
    """A plain-text evidence summary as markdown: its aligned table rows stay monospaced, its sentences wrap.

    Lines that start with a space are table rows (kept together in one fenced block);
    every other line becomes a paragraph, so long sentences no longer run off the page.
    """
    blocks: list[str] = []
    table: list[str] = []
    for line in summary.splitlines():
        if line.startswith(" "):
            table.append(line)
            continue
        if table:
            blocks.append("```text\n" + "\n".join(table) + "\n```")
            table = []
        if line.strip():
            blocks.append(line.strip())
    if table:
        blocks.append("```text\n" + "\n".join(table) + "\n```")
    return "\n\n".join(blocks)


def letters(values: Iterable[str]) -> str:
    """``("B",)`` -> ``"B"``, ``("A", "C")`` -> ``"A and C"`` (exam keys for people, not tuples)."""
    items = [str(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def feedback_markdown(scenario: Any, answer: Sequence[str] | str | None = None) -> str:
    """Exam feedback as markdown: the verdict (when answered), then why each option is right or wrong.

    ``scenario`` is an exam scenario (``correct``, ``explanations``, ``source``,
    ``kind``, ``concept_note``); ``answer`` the chosen letters (``"B"``, ``"A,C"`` or a list).
    """
    lines = []
    if answer is not None:
        from .exam.schema import parse_answer

        chosen = parse_answer(answer)
        right = scenario.is_right(chosen)
        verdict = "**Correct!**" if right else "**Not quite.**"
        lines.append(f"{verdict} You answered {letters(chosen) or '(nothing)'}; the key is {letters(scenario.correct)}.")
        lines.append("")
    for letter, text in scenario.explanations.items():
        mark = "right" if letter in scenario.correct else "wrong"
        lines.append(f"* **{letter}** ({mark}): {text}")
    if getattr(scenario, "source", None):
        lines.append("")
        lines.append(f"*Sources: {', '.join(scenario.source)}*")
    if getattr(scenario, "kind", "") == "concept" and getattr(scenario, "concept_note", ""):
        lines.append("")
        lines.append(f"*Concept only: {scenario.concept_note}*")
    return "\n".join(lines)
