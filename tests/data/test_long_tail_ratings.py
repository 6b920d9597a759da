"""The generated MovieLens-like ratings: seeded, valid stars, a long tail, readable as u.data."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.constants import EVENT_TYPE, EVENT_VALUE, ITEM_ID, USER_ID
from workbench.data import load_movielens
from workbench.data.long_tail_ratings import long_tail_ratings, write_movielens_folder


def test_seeded_valid_and_long_tailed():
    a = long_tail_ratings(n_users=120, n_items=200, mean_ratings=30, seed=3)
    pd.testing.assert_frame_equal(a, long_tail_ratings(n_users=120, n_items=200, mean_ratings=30, seed=3))
    assert not a.equals(long_tail_ratings(n_users=120, n_items=200, mean_ratings=30, seed=4))
    assert set(a[EVENT_VALUE].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert (a[EVENT_TYPE] == "rating").all()
    assert not a.duplicated([USER_ID, ITEM_ID]).any()
    assert a.groupby(USER_ID).size().min() >= 20 and a[USER_ID].nunique() == 120
    raters = a.groupby(ITEM_ID)[USER_ID].nunique()
    assert raters.max() > 4 * raters.median()  # a few items rated by many, most by few


def test_written_folder_reads_back_with_the_movielens_loader(tmp_path):
    ratings = long_tail_ratings(n_users=30, n_items=60, mean_ratings=25, seed=1)
    folder = write_movielens_folder(ratings, tmp_path / "ml")
    loaded = load_movielens(folder).interactions
    assert len(loaded) == len(ratings)
    pd.testing.assert_series_equal(loaded[EVENT_VALUE].reset_index(drop=True), ratings[EVENT_VALUE], check_names=False)
    assert loaded[USER_ID].astype(str).tolist() == ratings[USER_ID].tolist()


def test_bad_arguments():
    with pytest.raises(ValueError, match="taste"):
        long_tail_ratings(taste=1.5)
