from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import DatasetError
from workbench.privacy import (
    age_bands,
    apply_opt_out,
    coarsen_timestamps,
    minimize,
    pseudonym_table,
    pseudonymize,
    reidentification_risk,
)

KEY = "0123456789abcdef-teaching-key"


def test_pseudonym_is_the_keyed_hmac(tiny_interactions):
    out = pseudonymize(tiny_interactions, KEY)
    expected = "p_" + hmac.new(KEY.encode(), b"u1", hashlib.sha256).hexdigest()[:16]
    assert out.loc[tiny_interactions["USER_ID"] == "u1", "USER_ID"].unique().tolist() == [expected]
    # everything else untouched, input not modified
    pd.testing.assert_frame_equal(out.drop(columns="USER_ID"), tiny_interactions.drop(columns="USER_ID"))
    assert tiny_interactions["USER_ID"].iloc[0] == "u1"


def test_same_key_same_tokens_other_key_other_tokens(tiny_interactions):
    a = pseudonymize(tiny_interactions, KEY)["USER_ID"]
    b = pseudonymize(tiny_interactions, KEY)["USER_ID"]
    c = pseudonymize(tiny_interactions, KEY + "x")["USER_ID"]
    assert a.equals(b)
    assert set(a).isdisjoint(set(c))
    assert a.nunique() == tiny_interactions["USER_ID"].nunique()  # one token per person


def test_missing_values_stay_missing_and_short_keys_are_refused():
    frame = pd.DataFrame({"USER_ID": ["u1", None, "u2"]})
    out = pseudonymize(frame, KEY)
    assert out["USER_ID"].isna().tolist() == [False, True, False]
    with pytest.raises(ValueError, match="at least 16"):
        pseudonymize(frame, "short")
    with pytest.raises(DatasetError, match="ITEM_NAME"):
        pseudonymize(frame, KEY, columns=["ITEM_NAME"])


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40, unique=True))
def test_pseudonymisation_is_one_to_one(ids):
    table = pseudonym_table(ids, KEY)
    assert len(table) == len(ids)
    assert table["token"].is_unique
    assert table["token"].str.len().eq(2 + 16).all()


def test_minimize_keeps_only_requested_columns_and_reports_the_rest(tiny_interactions):
    frame, report = minimize(tiny_interactions, ["ITEM_ID", "USER_ID"], purpose="train a recommender")
    assert list(frame.columns) == ["USER_ID", "ITEM_ID"]  # original order kept
    assert report.dropped == ["TIMESTAMP", "EVENT_TYPE"]
    assert report.to_frame()["decision"].tolist() == ["kept", "kept", "dropped", "dropped"]
    with pytest.raises(DatasetError, match="EMAIL"):
        minimize(tiny_interactions, ["USER_ID", "EMAIL"])


def test_coarsen_timestamps_rounds_down():
    frame = pd.DataFrame({"TIMESTAMP": [1_700_000_000, 1_700_002_799, 1_700_002_800]})  # hour starts at 1_699_999_200
    assert coarsen_timestamps(frame, "hour")["TIMESTAMP"].tolist() == [1_699_999_200, 1_699_999_200, 1_700_002_800]
    assert coarsen_timestamps(frame, "day")["TIMESTAMP"].tolist() == [1_699_920_000] * 3
    with pytest.raises(ValueError, match="resolution"):
        coarsen_timestamps(frame, "minute")


def test_age_bands():
    bands = age_bands(pd.Series([17, 18, 34, 35, 70, np.nan]))
    assert bands.tolist()[:5] == ["0-17", "18-24", "25-34", "35-44", "65+"]
    assert pd.isna(bands.iloc[5])
    with pytest.raises(ValueError, match="outside"):
        age_bands(pd.Series([250]))


def test_opt_out_removes_every_trace(tiny_interactions):
    users = pd.DataFrame({"USER_ID": ["u1", "u2", "u3"], "AGE": [30, 40, 50]})
    recs = pd.DataFrame({"USER_ID": ["u1", "u3", "u3"], "ITEM_ID": ["i9", "i8", "i7"]})
    frames, report = apply_opt_out(tiny_interactions, ["u3", "ghost"], users=users, recommendations=recs)
    assert "u3" not in set(frames["interactions"]["USER_ID"])
    assert report.removed == {"interactions": 3, "users": 1, "recommendations": 2}
    assert len(frames["interactions"]) == len(tiny_interactions) - 3
    assert report.unknown_users == ["ghost"]
    assert frames["users"]["USER_ID"].tolist() == ["u1", "u2"]


def test_reidentification_risk_by_hand():
    users = pd.DataFrame(
        {"AGE": ["30s", "30s", "30s", "40s"], "GENDER": ["F", "F", "M", "M"], "CITY": ["Seoul", "Busan", "Seoul", "Seoul"]}
    )
    risk = reidentification_risk(users, ["AGE", "GENDER", "CITY"])
    # AGE: groups 30s(3), 40s(1) -> 1 unique row of 4
    # AGE+GENDER: (30s,F)=2, (30s,M)=1, (40s,M)=1 -> 2 unique
    # all three: every row unique
    assert risk["unique rows share"].tolist() == [0.25, 0.5, 1.0]
    assert risk["smallest group (k)"].tolist() == [1, 1, 1]
    assert risk["combinations"].tolist() == [2, 3, 4]
