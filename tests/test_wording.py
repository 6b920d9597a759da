"""workbench.wording: the sentences and labels chapters show, and error messages that survive HTML."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import wording
from workbench.errors import DatasetError
from workbench.exam import load_scenarios


@pytest.mark.parametrize(
    ("event", "past"),
    [("purchase", "bought"), ("add_to_cart", "added to the cart"), ("view", "viewed"), ("click", "clicked"),
     ("Purchase", "bought"), ("share", "shared"), ("wishlist_add", "wishlist added"), ("apply", "applied")],
)
def test_past_tense_never_glues_ed_onto_the_type(event, past):
    assert wording.past_tense(event) == past


def test_echo_sentence_counts_each_list_and_names_the_event_type():
    lists = {"A": ["I1", "I9", "I2"], "B": ["I8", "I9"], "C": ["I1"]}
    assert wording.echo_sentence(lists, ["I1", "I2"], "purchase") == (
        "The lists after these events show those items again (A 2 of 2, C 1 of 2): a campaign does not leave out "
        'what the customer already interacted with; a filter such as `EXCLUDE ItemID WHERE Interactions.EVENT_TYPE '
        'IN ("purchase")` does.'
    )
    assert wording.echo_sentence(lists, ["I1", "I2"], "click", {"A": ["I9", "I3"], "C": ["I1"]}).endswith(
        ' does. Asked again with it: A 0 of 2, C 1 of 2.')
    assert wording.echo_sentence({"B": ["I8", "I9"]}, ["I1"], "click") == ""
    assert wording.echo_sentence({"A": ["I1"]}, [], "click") == ""


def test_event_sentence_with_and_without_items():
    assert wording.event_sentence("U1", "purchase", ["I1", "I2"], "sandals") == (
        "Customer `U1` bought 2 sandals: `I1`, `I2`.")
    assert wording.event_sentence("U1", "view", [], "sandals") == "Customer `U1` viewed no sandals yet."


def test_axis_labels_read_as_words():
    assert wording.axis_label("ITEM_ID") == "item"
    assert wording.axis_label("ndcg_at_10") == "NDCG@10"
    assert wording.axis_label("recall_at_25") == "Recall@25"
    assert wording.axis_label("add_to_carts") == "add to carts"
    assert wording.axis_label("revenue") == "revenue"
    assert wording.axis_label("NDCG@10") == "NDCG@10"


def test_with_dates_keeps_the_seconds_and_adds_a_date():
    frame = pd.DataFrame({"USER_ID": ["a", "b"], "TIMESTAMP": [1723683351, 0]})
    shown = wording.with_dates(frame)
    assert list(shown.columns) == ["USER_ID", "TIMESTAMP", "date (UTC)"]
    assert shown["TIMESTAMP"].tolist() == ["1723683351", "0"]  # digits, no thousands separators
    assert shown["date (UTC)"].tolist() == ["2024-08-15 00:55", "1970-01-01 00:00"]
    assert frame["TIMESTAMP"].tolist() == [1723683351, 0]  # the input is untouched
    assert wording.with_dates(frame[["USER_ID"]]) is not None


def test_letters_and_feedback_markdown():
    assert wording.letters(("B",)) == "B" and wording.letters(["A", "C"]) == "A and C"
    scenario = next(s for s in load_scenarios() if s.id == "footwear-sales-decline")
    wrong = next(letter for letter in scenario.options if letter not in scenario.correct)
    text = wording.feedback_markdown(scenario, wrong)
    assert text.startswith(f"**Not quite.** You answered {wrong}; the key is {wording.letters(scenario.correct)}.")
    assert "```" not in text
    for letter in scenario.explanations:
        mark = "right" if letter in scenario.correct else "wrong"
        assert f"* **{letter}** ({mark}): " in text
    assert wording.feedback_markdown(scenario, ",".join(scenario.correct)).startswith("**Correct!**")


def test_error_messages_name_in_memory_data_without_angle_brackets():
    assert str(DatasetError("bad.", column="TIMESTAMP")) == "in-memory DataFrame (no file), column TIMESTAMP: bad."
    assert str(DatasetError("bad.", file="<json>")).startswith("in-memory json (no file): ")
    assert str(DatasetError("bad.", file="x.csv", row=3, column="USER_ID")) == "file x.csv, row 3, column USER_ID: bad."


def test_timeline_labels_its_axes_in_words():
    import matplotlib

    matplotlib.use("Agg")
    from workbench import plots

    daily = pd.DataFrame({"day": [0, 1, 2, 0, 1, 2], "policy": ["a"] * 3 + ["b"] * 3, "ndcg_at_10": [0.1] * 6})
    ax = plots.timeline(daily, "ndcg_at_10").axes[0]
    assert (ax.get_ylabel(), ax.get_xlabel(), ax.get_title()) == ("NDCG@10 (7-day mean)", "day", "NDCG@10")


def test_summary_markdown_keeps_table_rows_monospaced_and_sentences_as_text():
    summary = ("Evidence (x): share, higher is better.\n * C  1  rank 1\n   A  0  rank 2\n"
               "The evidence confirms the key (C).\nA long closing sentence.")
    assert wording.summary_markdown(summary) == (
        "Evidence (x): share, higher is better.\n\n```text\n * C  1  rank 1\n   A  0  rank 2\n```\n\n"
        "The evidence confirms the key (C).\n\nA long closing sentence.")
