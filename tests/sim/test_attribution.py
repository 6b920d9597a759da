"""attribute_decline: one row per cause setting, paired over seeds, and its building blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.sim import ShopConfig, attribute_decline, uplift_decline, uplift_slope

TINY = ShopConfig(n_users=150, n_items=40, days=14, warmup_days=3, seed=5, slices_per_day=6, visits_per_day=0.2)


def test_uplift_decline_and_slope_hand_worked():
    daily = pd.DataFrame({"day": range(6), "visits": [10] * 6,
                          "incremental_revenue": [30.0, 30.0, 20.0, 20.0, 10.0, 10.0]})
    daily["uplift_per_visit"] = daily["incremental_revenue"] / daily["visits"]
    out = uplift_decline(daily, (0, 2), (-2, None))
    assert out == {"early_uplift": 3.0, "late_uplift": 1.0, "decline": 2.0}
    # least squares through (0,3), (1,3), (2,2), (3,2), (4,1), (5,1): Sxy = -8, Sxx = 17.5 -> -8/17.5 per day
    assert uplift_slope(daily) == pytest.approx(-8 / 17.5 * 30)


def test_attribute_decline_table_is_tidy_and_paired():
    table = attribute_decline(TINY, "stale", seeds=[1, 2], causes=["season"], early=(0, 7), late=(-7, None))
    assert table["setting"].tolist() == ["all on", "all off", "season alone on", "season alone off"]
    assert (table["seeds"] == 2).all()
    per_seed = pd.DataFrame(table.attrs["per_seed"])
    assert len(per_seed) == 8 and set(per_seed["seed"]) == {1, 2}
    np.testing.assert_allclose(per_seed["decline"], per_seed["early_uplift"] - per_seed["late_uplift"])
    on = table.set_index("setting").loc["season alone on"]
    assert on["causes_on"] == "season" and on["cause"] == "season"
    means = per_seed.groupby("setting", sort=False)["decline"].mean()
    np.testing.assert_allclose(table.set_index("setting")["decline"], means.loc[table["setting"]])
    pd.concat([table, table])  # plain-data attrs: tables still concatenate
    with pytest.raises(ValueError, match="unknown causes"):
        attribute_decline(TINY, "stale", seeds=[1], causes=["weather"])
