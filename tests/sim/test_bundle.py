from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.constants import EVENT_TYPE, ITEM_ID, TIMESTAMP, USER_ID
from workbench.sim import Policy, ScenarioConfig, ShopConfig
from workbench.sim.bundle import write_sample

ROOT = Path(__file__).resolve().parents[2]


def test_write_sample_is_deterministic_personalize_csv(tmp_path):
    scenario = ScenarioConfig(ShopConfig(n_users=120, n_items=30, days=3, warmup_days=3, seed=2, slices_per_day=6),
                              Policy(kind="event_tracker"), "tiny")
    first = write_sample(tmp_path / "a", scenario)
    second = write_sample(tmp_path / "b", scenario)
    for name in ("interactions", "items", "users"):
        assert first[name].read_bytes() == second[name].read_bytes()
    interactions = pd.read_csv(first["interactions"])
    items = pd.read_csv(first["items"])
    users = pd.read_csv(first["users"])
    assert list(interactions.columns[:4]) == [USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE]
    assert set(interactions[ITEM_ID]) <= set(items[ITEM_ID])
    assert set(interactions[USER_ID]) <= set(users[USER_ID])
    assert {"CATEGORY_L1", "PRICE", "PRODUCT_DESCRIPTION", "CREATION_TIMESTAMP"} <= set(items.columns)


def test_committed_sample_matches_the_brief():
    sample = ROOT / "data" / "sample"
    interactions = pd.read_csv(sample / "interactions.csv")
    items = pd.read_csv(sample / "items.csv")
    users = pd.read_csv(sample / "users.csv")
    assert len(interactions) >= 20_000
    assert 150 <= len(items) <= 400 and 1_000 <= len(users) <= 2_000
    assert interactions[TIMESTAMP].between(1e9, 1e10).all()
    size = sum(p.stat().st_size for p in sample.glob("*.csv"))
    assert size < 8e6
