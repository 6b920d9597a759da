"""online_kpis on a hand-made log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DatasetError
from workbench.experiments import online_kpis


def _log() -> pd.DataFrame:
    # S1 (u1, variant A): view, click (from a list), purchase 30 (from that list)
    # S2 (u1, variant A): a single view -> bounce
    # S3 (u2, variant B): view, click, add_to_cart, purchase 50 (not from a list)
    # S4 (u3, variant B): a single view -> bounce
    rows = [
        ("S1", "u1", "i1", "view", np.nan, None, "A"),
        ("S1", "u1", "i2", "click", np.nan, "R1", "A"),
        ("S1", "u1", "i2", "purchase", 30.0, "R1", "A"),
        ("S2", "u1", "i3", "view", np.nan, None, "A"),
        ("S3", "u2", "i1", "view", np.nan, None, "B"),
        ("S3", "u2", "i1", "click", np.nan, None, "B"),
        ("S3", "u2", "i1", "add_to_cart", np.nan, None, "B"),
        ("S3", "u2", "i1", "purchase", 50.0, None, "B"),
        ("S4", "u3", "i4", "VIEW", np.nan, None, "B"),
    ]
    return pd.DataFrame(rows, columns=["SESSION_ID", "USER_ID", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE",
                                       "RECOMMENDATION_ID", "variant"])


def test_overall_kpis_by_hand():
    row = online_kpis(_log()).iloc[0]
    assert (row["visitors"], row["sessions"], row["views"], row["clicks"], row["purchases"]) == (3, 4, 4, 2, 2)
    assert row["ctr"] == pytest.approx(2 / 4)  # sessions with a click / sessions
    assert row["cvr"] == pytest.approx(2 / 2)  # purchases / clicks (seed definition)
    assert row["session_conversion_rate"] == pytest.approx(2 / 4)
    assert row["bounce_rate"] == pytest.approx(2 / 4)
    assert row["revenue"] == pytest.approx(80.0)
    assert row["revenue_per_visitor"] == pytest.approx(80.0 / 3)
    assert row["recommendation_clicks"] == 1
    assert row["recommendation_revenue_share"] == pytest.approx(30 / 80)


def test_grouped_kpis_and_impressions():
    table = online_kpis(_log(), by="variant").set_index("variant")
    assert table.loc["A", "revenue_per_visitor"] == pytest.approx(30.0)
    assert table.loc["B", "revenue_per_visitor"] == pytest.approx(50.0 / 2)
    assert table.loc["A", "bounce_rate"] == pytest.approx(1 / 2)
    shown = online_kpis(_log(), by="variant", impressions=pd.Series({"A": 10, "B": 4})).set_index("variant")
    assert shown.loc["A", "ctr"] == pytest.approx(1 / 10) and shown.loc["B", "ctr"] == pytest.approx(1 / 4)
    assert online_kpis(_log(), impressions=20).iloc[0]["ctr"] == pytest.approx(2 / 20)


def test_price_column_wins_and_no_user_id_means_sessions():
    log = _log().drop(columns="USER_ID").assign(PRICE=lambda f: f["EVENT_VALUE"] * 2)
    row = online_kpis(log).iloc[0]
    assert row["visitors"] == 4 and row["revenue"] == pytest.approx(160.0)


def test_bad_logs_raise_with_row_and_column():
    bad = _log()
    bad.loc[3, "EVENT_TYPE"] = "watch"
    with pytest.raises(DatasetError, match="row 4, column EVENT_TYPE"):
        online_kpis(bad)
    no_price = _log()
    no_price.loc[2, "EVENT_VALUE"] = np.nan
    with pytest.raises(DatasetError, match="row 3, column EVENT_VALUE: a purchase has no price"):
        online_kpis(no_price)
    with pytest.raises(DatasetError, match="column SESSION_ID"):
        online_kpis(_log().drop(columns="SESSION_ID"))
    with pytest.raises(DatasetError, match="column arm"):
        online_kpis(_log(), by="arm")


def test_visitors_who_logged_nothing_count_in_revenue_per_visitor():
    # A's log shows u1 only (revenue 30), B's u2 and u3 (revenue 50); A had 4 visitors in all, B 2.
    plain = online_kpis(_log(), by="variant").set_index("variant")
    assert plain.loc["A", "revenue_per_visitor"] == pytest.approx(30 / 1)
    table = online_kpis(_log(), by="variant", visitors=pd.Series({"A": 4, "B": 2})).set_index("variant")
    assert table.loc["A", "visitors"] == 4 and table.loc["B", "visitors"] == 2
    assert table.loc["A", "revenue_per_visitor"] == pytest.approx(30 / 4)
    assert table.loc["B", "revenue_per_visitor"] == pytest.approx(50 / 2)
    assert online_kpis(_log(), visitors=10).iloc[0]["revenue_per_visitor"] == pytest.approx(80 / 10)
    with pytest.raises(DatasetError, match="visitors=2 is below the 3 visitors logged"):
        online_kpis(_log(), visitors=2)
    with pytest.raises(DatasetError, match="variant=B"):
        online_kpis(_log(), by="variant", visitors=pd.Series({"A": 4, "B": 1}))


def test_visits_that_logged_nothing_count_as_bounced_sessions():
    # A had 5 visits, B had 2: three of A's visits left no event (landing page, no click, gone).
    table = online_kpis(_log(), by="variant", visits=pd.Series({"A": 5, "B": 2})).set_index("variant")
    assert table.loc["A", "sessions"] == 5 and table.loc["B", "sessions"] == 2
    assert table.loc["A", "session_conversion_rate"] == pytest.approx(1 / 5)  # was 1/2 from the log alone
    assert table.loc["A", "bounce_rate"] == pytest.approx((1 + 3) / 5)
    assert table.loc["A", "ctr"] == pytest.approx(1 / 5)
    assert table.loc["A", "visitors"] == 1  # without visitors=, the visitors are those of the log
    assert table.loc["B", "bounce_rate"] == pytest.approx(1 / 2)  # nothing missing in B
    assert online_kpis(_log(), visits=8).iloc[0]["session_conversion_rate"] == pytest.approx(2 / 8)
    with pytest.raises(DatasetError, match="visits=3 is below the 4 sessions logged"):
        online_kpis(_log(), visits=3)
    with pytest.raises(DatasetError, match="variant=B"):
        online_kpis(_log(), by="variant", visits=pd.Series({"A": 5, "B": 1}))
