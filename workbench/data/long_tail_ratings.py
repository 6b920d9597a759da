"""A seeded MovieLens-like set of star ratings with a long tail of rarely rated items.

The bundled shop logs implicit events on a catalogue where every shoe is touched by
many customers. Star-rating data such as MovieLens looks different: a few items are
rated by hundreds, most by a handful, some by one. That long tail is where rating
predictors and top-N models part ways (chapter 03), so the workbench can generate it
offline:

* users and items belong to one of ``n_genres`` genres; a user rates mostly items of
  their genre (``taste`` share of the probability mass), and within that, popular items
  far more often than others (Zipf-like weights ``1 / (1 + rank) ** zipf``);
* a rating is 1-5 stars, around 4 for the user's genre and 2.8 for others;
* every user has at least ``min_ratings`` ratings (like MovieLens' 20), timestamps
  spread over 200 days.

:func:`write_movielens_folder` writes the frame as an ml-100k ``u.data`` file, which
:func:`workbench.data.load_movielens` reads back (used by ``benchmarks/bench_quality.py``
and its test). Nothing here is real MovieLens data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import EVENT_RATING, EVENT_TYPE, EVENT_VALUE, ITEM_ID, TIMESTAMP, USER_ID

__all__ = ["long_tail_ratings", "write_movielens_folder"]


def long_tail_ratings(n_users: int = 300, n_items: int = 400, mean_ratings: int = 40, *, n_genres: int = 8,
                      taste: float = 0.75, zipf: float = 0.9, min_ratings: int = 20, seed: int = 42) -> pd.DataFrame:
    """Personalize-format ratings: USER_ID, ITEM_ID (numbers as strings), TIMESTAMP, EVENT_TYPE ``"rating"``, EVENT_VALUE.

    Rows are in a seeded random order (as in ``u.data``); each (user, item) pair occurs once.
    """
    if n_users < 1 or n_items < 2 or mean_ratings < 1 or not 0.0 < taste < 1.0 or n_genres < 1:
        raise ValueError("long_tail_ratings needs n_users >= 1, n_items >= 2, mean_ratings >= 1, n_genres >= 1 "
                         f"and 0 < taste < 1 (got {n_users}, {n_items}, {mean_ratings}, {n_genres}, {taste})")
    rng = np.random.default_rng(seed)
    genre = np.arange(n_items) % n_genres
    weight = 1.0 / (1.0 + np.arange(n_items) // n_genres) ** zipf
    in_genre = np.bincount(genre, minlength=n_genres)
    users, items, stars, times = [], [], [], []
    for u in range(n_users):
        likes = int(rng.integers(n_genres))
        # the user's genre gets `taste` of the mass, the other genres share the rest
        share = np.where(genre == likes, taste / in_genre[likes], (1 - taste) / max(1, n_items - in_genre[likes]))
        p = share * weight
        n = int(np.clip(rng.poisson(mean_ratings), min(min_ratings, n_items // 2), n_items // 2))
        chosen = rng.choice(n_items, size=n, replace=False, p=p / p.sum())
        rating = np.clip(np.round(rng.normal(np.where(genre[chosen] == likes, 4.0, 2.8), 0.9)), 1, 5)
        users.append(np.full(n, u + 1))
        items.append(chosen + 1)
        stars.append(rating)
        times.append(880_000_000 + rng.integers(0, 200 * 86_400, size=n))
    frame = pd.DataFrame({
        USER_ID: np.concatenate(users).astype(str),
        ITEM_ID: np.concatenate(items).astype(str),
        TIMESTAMP: np.concatenate(times).astype(np.int64),
        EVENT_TYPE: EVENT_RATING,
        EVENT_VALUE: np.concatenate(stars).astype(float),
    })
    for column in (USER_ID, ITEM_ID, EVENT_TYPE):
        frame[column] = frame[column].astype(object)
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def write_movielens_folder(ratings: pd.DataFrame, folder: str | Path) -> Path:
    """Write ratings as an ml-100k ``u.data`` (user, item, stars, timestamp; tab-separated) in ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = pd.DataFrame({
        "user": ratings[USER_ID].astype(str), "item": ratings[ITEM_ID].astype(str),
        "rating": pd.to_numeric(ratings[EVENT_VALUE]).round().astype(int), "timestamp": ratings[TIMESTAMP].astype(np.int64),
    })
    out.to_csv(folder / "u.data", sep="\t", header=False, index=False)
    return folder
