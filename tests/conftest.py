"""Shared fixtures: seeded RNG and small Personalize-format frames."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

# Property tests: no per-example time limit (a loaded 2-core CI box would flake), and in CI a
# fixed example sequence so a red build is reproducible; locally examples stay random.
settings.register_profile(
    "workbench",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI", "").lower() == "true",
)
settings.load_profile("workbench")

RNG_SEED = 42


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(RNG_SEED)


@pytest.fixture
def tiny_interactions() -> pd.DataFrame:
    """A hand-made log: 6 users, 8 items, views/clicks/purchases, epoch seconds."""
    rows = [
        ("u1", "i1", "view"), ("u1", "i2", "click"), ("u1", "i3", "purchase"),
        ("u2", "i1", "view"), ("u2", "i2", "purchase"), ("u2", "i4", "click"),
        ("u3", "i2", "view"), ("u3", "i3", "click"), ("u3", "i5", "purchase"),
        ("u4", "i1", "click"), ("u4", "i5", "view"), ("u4", "i6", "purchase"),
        ("u5", "i2", "view"), ("u5", "i6", "click"), ("u5", "i7", "view"),
        ("u6", "i1", "purchase"), ("u6", "i7", "click"), ("u6", "i8", "view"),
    ]
    frame = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "EVENT_TYPE"])
    frame["TIMESTAMP"] = 1_700_000_000 + np.arange(len(frame)) * 3600
    return frame[["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]]
