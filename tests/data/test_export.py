"""to_personalize writes import-ready files; loading them again gives the same frames."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.data import PersonalizeData, load_folder, load_interactions, load_sample, load_users, to_personalize
from workbench.data.sample import SAMPLE_DIR
from workbench.data.validate import MISSING_SPELLINGS
from workbench.errors import DatasetError

from .conftest import make_log


def shop() -> PersonalizeData:
    interactions = make_log(30, 4)
    interactions["DEVICE"] = pd.Series(["web", None] * 60, dtype="str")
    items = pd.DataFrame({
        "ITEM_ID": ["i1", "i2", "i3"],
        "GENRES": ["Action|Crime", None, "Drama"],
        "PRICE": [9.99, 0.1, 1e6],
        "IN_STOCK": [True, False, True],
        "CREATION_TIMESTAMP": pd.array([1_600_000_000, None, 1_600_000_500], dtype="Int64"),
        "DESCRIPTION": ['Quotes "inside", commas, and\na line break', "caf\u00e9 \u2603", None],
    })
    users = pd.DataFrame({"USER_ID": ["u0", "u1"], "AGE": [31, 45], "SEGMENT": ["vip", "normal"]})
    return PersonalizeData(interactions, items, users)


def test_round_trip_gives_equal_frames(tmp_path):
    data = shop()
    written = to_personalize(data, tmp_path)
    assert set(written) == {"interactions", "items", "users"}
    again = load_folder(tmp_path)
    pd.testing.assert_frame_equal(again.interactions, data.interactions)
    pd.testing.assert_frame_equal(again.items, data.items)
    pd.testing.assert_frame_equal(again.users, data.users)


def test_written_csv_is_personalize_shaped(tmp_path):
    written = to_personalize(shop(), tmp_path)
    text = written["items"]["data"].read_text(encoding="utf-8")
    assert text.splitlines()[0] == "ITEM_ID,GENRES,PRICE,IN_STOCK,CREATION_TIMESTAMP,DESCRIPTION"
    assert "i1,Action|Crime,9.99,true," in text
    schema = json.loads(written["items"]["schema"].read_text())
    assert schema["name"] == "Items"
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["GENRES"] == {"name": "GENRES", "type": ["null", "string"], "categorical": True}
    assert fields["DESCRIPTION"].get("textual") is True
    assert fields["IN_STOCK"]["type"] == "boolean"


def test_lists_are_joined_and_schema_order_is_applied(tmp_path):
    items = pd.DataFrame({"GENRES": [["a", "b"], ["c"]], "ITEM_ID": ["i1", "i2"]})
    schema = {"type": "record", "name": "Items", "fields": [{"name": "ITEM_ID", "type": "string"},
                                                            {"name": "GENRES", "type": "string",
                                                             "categorical": True}]}
    written = to_personalize({"items": items}, tmp_path, schemas={"items": schema})
    assert written["items"]["data"].read_text().splitlines() == ["ITEM_ID,GENRES", "i1,a|b", "i2,c"]


def test_bad_rows_are_refused_before_writing(tmp_path):
    log = make_log(3, 2)
    log.loc[4, "TIMESTAMP"] = 1_700_000_000_000
    with pytest.raises(DatasetError, match="row 5, column TIMESTAMP"):
        to_personalize({"interactions": log}, tmp_path)
    assert not (tmp_path / "interactions.csv").exists()


def usable_id(text: str) -> bool:
    """Ids the row rules accept: not a missing value spelled as text, not a float spelling like 1.0."""
    return text.lower() not in MISSING_SPELLINGS and re.fullmatch(r"[+-]?\d+\.0+", text) is None


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                                  max_size=12).filter(lambda s: s.strip() == s and usable_id(s)),
                          st.integers(0, 4_000_000_000),
                          st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))), min_size=1, max_size=20))
def test_round_trip_property(tmp_path_factory, rows):
    out = tmp_path_factory.mktemp("rt")
    frame = pd.DataFrame({
        "USER_ID": pd.Series([r[0] for r in rows], dtype="str"),
        "ITEM_ID": pd.Series([r[0][::-1] for r in rows], dtype="str"),
        "TIMESTAMP": np.array([r[1] for r in rows], dtype=np.int64),
        "EVENT_VALUE": np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=np.float64),
    })
    to_personalize({"interactions": frame}, out)
    again, _ = load_interactions(out / "interactions.csv", schema=out / "interactions_schema.json")
    pd.testing.assert_frame_equal(again, frame)


def test_load_sample_from_a_generated_folder(tmp_path):
    data = shop()
    to_personalize(data, tmp_path)
    sample = load_sample(tmp_path)
    pd.testing.assert_frame_equal(sample.items, data.items)
    assert sample.reports["interactions"].rows_read == 120


def test_load_sample_missing_folder_says_make_data(tmp_path):
    with pytest.raises(DatasetError, match="make data"):
        load_sample(tmp_path / "nothing")


@pytest.mark.skipif(not (SAMPLE_DIR / "interactions.csv").exists(), reason="bundled sample not generated yet")
def test_bundled_sample_loads():
    data = load_sample()
    assert len(data.interactions) > 0
    assert {"USER_ID", "ITEM_ID", "TIMESTAMP"} <= set(data.interactions.columns)


def test_large_longs_survive_the_round_trip(tmp_path):
    users = pd.DataFrame({"USER_ID": ["a", "b", "c"],
                          "ACCOUNT": pd.array([2**53 + 1, None, 2**62], dtype="Int64")})
    to_personalize({"users": users}, tmp_path)
    frame, _ = load_users(tmp_path / "users.csv", schema=tmp_path / "users_schema.json")
    pd.testing.assert_frame_equal(frame, users)
