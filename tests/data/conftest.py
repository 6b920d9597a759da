"""Helpers for the data-layer tests: write small files into tmp_path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, text_or_bytes)`` -> path of a new file in tmp_path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


def make_log(n_users: int, per_user: int, seed: int = 0, start: int = 1_700_000_000) -> pd.DataFrame:
    """A clean interactions frame: ``n_users`` users with ``per_user`` events each."""
    rng = np.random.default_rng(seed)
    n = n_users * per_user
    return pd.DataFrame({
        "USER_ID": np.repeat([f"u{i}" for i in range(n_users)], per_user),
        "ITEM_ID": [f"i{k}" for k in rng.integers(0, 50, n)],
        "TIMESTAMP": start + np.arange(n, dtype=np.int64) * 60,
        "EVENT_TYPE": rng.choice(["view", "click", "purchase"], n),
        "EVENT_VALUE": rng.integers(1, 5, n).astype(float),
    })
