"""Train/test splits of an interactions log, each with the guarantee it promises.

=========================  ==========================================  =====================================
split                      what goes to test                            guarantee (checked in the tests)
=========================  ==========================================  =====================================
``temporal_split``         every interaction at or after one cut time   all train < cutoff <= all test
``leave_last_n``           each user's ``n`` newest interactions       per user, train timestamps <= test
``random_split``           a seeded random share of all interactions   exact test size, reproducible
``stratified_user_split``  a seeded random share of *each* user        every test user keeps training rows
``personalize_holdout``    newest share of a random share of users     test users absent from train; per
                                                                        test user, input <= test in time
=========================  ==========================================  =====================================

``personalize_holdout`` mirrors how Amazon Personalize computes offline metrics
(fact sheet 5.1): 90% of users train with all their interactions; for the other
10%, the oldest 90% of each user's interactions are given to the model as
*input* at inference time and the newest 10% are the *test*. Its :class:`Split`
therefore has a non-empty ``input``; fit on :attr:`Split.fit_frame` (train +
input) or on ``train`` and pass ``input`` as the users' history, as you prefer.

Rows are never changed or dropped: ``train``, ``input`` and ``test`` together
hold exactly the rows of the input frame (index reset, original order kept
inside each part). Ties in TIMESTAMP are broken by row order (earlier row =
older).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .constants import TIMESTAMP, USER_ID
from .errors import DatasetError

__all__ = [
    "Split",
    "leave_last_n",
    "personalize_holdout",
    "random_split",
    "stratified_user_split",
    "temporal_split",
]


@dataclasses.dataclass
class Split:
    """Result of every split function."""

    train: pd.DataFrame
    """Interactions the model is trained on."""

    test: pd.DataFrame
    """Held-out interactions recommendations are scored against."""

    input: pd.DataFrame
    """Interactions the model may see at inference time but not in training (empty unless holdout)."""

    cutoff: int | None = None
    """``temporal_split`` only: the first timestamp of the test period."""

    @property
    def fit_frame(self) -> pd.DataFrame:
        """``train`` plus ``input``: everything a model may learn from before it is scored."""
        if self.input.empty:
            return self.train
        return pd.concat([self.train, self.input], ignore_index=True)

    @property
    def test_users(self) -> np.ndarray:
        """Distinct users in ``test``."""
        return self.test[USER_ID].unique()

    def __repr__(self) -> str:
        return f"Split(train={len(self.train)}, input={len(self.input)}, test={len(self.test)} rows)"


def _require(df: pd.DataFrame, *columns: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame of interactions, got {type(df).__name__}")
    for column in columns:
        if column not in df.columns:
            raise DatasetError(f"missing required column {column}.", column=column,
                               fix=f"Splits need {', '.join(columns)}; load the data with workbench.data.")
        if column == TIMESTAMP and len(df) and not pd.api.types.is_numeric_dtype(df[column]):
            raise DatasetError("TIMESTAMP must be numeric Unix epoch seconds.", column=column,
                               fix="Load the file with workbench.data.load_interactions, which converts and checks it.")
    if TIMESTAMP in columns and df[TIMESTAMP].isna().any():
        row = int(np.flatnonzero(df[TIMESTAMP].isna().to_numpy())[0]) + 1
        raise DatasetError("TIMESTAMP is empty.", row=row, column=TIMESTAMP, fix="Fill or remove the row.")


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")


def _parts(df: pd.DataFrame, test_mask: np.ndarray, input_mask: np.ndarray | None = None, **extra) -> Split:
    input_mask = np.zeros(len(df), dtype=bool) if input_mask is None else input_mask
    train_mask = ~(test_mask | input_mask)
    return Split(
        train=df.loc[train_mask].reset_index(drop=True),
        test=df.loc[test_mask].reset_index(drop=True),
        input=df.loc[input_mask].reset_index(drop=True),
        **extra,
    )


def _position_in_user(codes: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: 0-based position within its user when rows are visited in ``order``, and the user's row count.

    ``order`` must group the rows by user code (it sorts by ``codes`` last).
    """
    sizes = np.bincount(codes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.empty(len(codes), dtype=np.int64)
    position[order] = np.arange(len(codes)) - starts[codes[order]]
    return position, sizes[codes]


def _newest_rank(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: 0-based position from the newest within its user, and the user's row count.

    Rank 0 is the user's newest interaction; equal timestamps count the later row as newer.
    """
    codes = pd.factorize(df[USER_ID])[0]
    order = np.lexsort((np.arange(len(df)), df[TIMESTAMP].to_numpy(), codes))
    position, count = _position_in_user(codes, order)
    return count - 1 - position, count


def _round_half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(values + 0.5).astype(np.int64)


def temporal_split(df: pd.DataFrame, test_fraction: float = 0.2, cutoff: int | None = None) -> Split:
    """One global cut in time: older interactions train, newer ones test.

    Args:
        df: Interactions with TIMESTAMP (epoch seconds).
        test_fraction: Share of interactions wanted in test when ``cutoff`` is None. The cut is
            the timestamp of the interaction at position ``n - round(n * test_fraction)`` in time
            order; all interactions sharing that timestamp go to test, so the test share can be
            a little larger than asked when timestamps tie.
        cutoff: Explicit cut (epoch seconds): test = TIMESTAMP >= cutoff.

    Returns:
        A Split with ``cutoff`` set; every train timestamp is < cutoff <= every test timestamp.
        Users may appear only in test (new users), as in a real deployment.
    """
    _require(df, TIMESTAMP)
    times = df[TIMESTAMP].to_numpy()
    if cutoff is None:
        _check_fraction("test_fraction", test_fraction)
        if len(df) == 0:
            return _parts(df, np.zeros(0, dtype=bool), cutoff=None)
        n_test = max(1, int(_round_half_up(np.array([len(df) * test_fraction]))[0]))
        cutoff = int(np.sort(times, kind="stable")[len(df) - n_test])
    return _parts(df, times >= cutoff, cutoff=int(cutoff))


def leave_last_n(df: pd.DataFrame, n: int = 1) -> Split:
    """Each user's ``n`` newest interactions go to test.

    Users with ``n`` or fewer interactions stay entirely in train (otherwise they would
    have no history to learn from), so every test user has training rows.

    Args:
        df: Interactions with USER_ID and TIMESTAMP.
        n: Interactions per user to hold out (>= 1).

    Returns:
        A Split where, for each user, every test timestamp is >= every train timestamp.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    _require(df, USER_ID, TIMESTAMP)
    if len(df) == 0:
        return _parts(df, np.zeros(0, dtype=bool))
    rank, count = _newest_rank(df)
    return _parts(df, (rank < n) & (count > n))


def random_split(df: pd.DataFrame, test_fraction: float = 0.2, seed: int = 42) -> Split:
    """A seeded random share of all interactions goes to test (no time ordering).

    Args:
        df: Any interactions frame.
        test_fraction: Share of rows in test; exactly ``round(n * test_fraction)`` rows.
        seed: Seed of ``np.random.default_rng``; the same seed gives the same split.

    Returns:
        A Split. Random splits leak the future into training: use them to contrast
        with the temporal ones, not to estimate live performance.
    """
    _check_fraction("test_fraction", test_fraction)
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame of interactions, got {type(df).__name__}")
    rng = np.random.default_rng(seed)
    n_test = int(_round_half_up(np.array([len(df) * test_fraction]))[0])
    mask = np.zeros(len(df), dtype=bool)
    mask[rng.choice(len(df), size=n_test, replace=False)] = True
    return _parts(df, mask)


def stratified_user_split(df: pd.DataFrame, test_fraction: float = 0.2, seed: int = 42) -> Split:
    """A seeded random share of *each user's* interactions goes to test.

    A user with ``c`` interactions gives ``round(c * test_fraction)`` of them to test, at
    most ``c - 1``: every user keeps at least one training interaction, and users with a
    single interaction stay in train.

    Args:
        df: Interactions with USER_ID.
        test_fraction: Share of each user's rows in test.
        seed: Seed of ``np.random.default_rng``.

    Returns:
        A Split (no time ordering within users; see ``leave_last_n`` for that).
    """
    _check_fraction("test_fraction", test_fraction)
    _require(df, USER_ID)
    if len(df) == 0:
        return _parts(df, np.zeros(0, dtype=bool))
    rng = np.random.default_rng(seed)
    codes = pd.factorize(df[USER_ID])[0]
    position, count = _position_in_user(codes, np.lexsort((rng.random(len(df)), codes)))
    wanted = np.minimum(_round_half_up(count * test_fraction), count - 1)
    return _parts(df, position < wanted)


def personalize_holdout(df: pd.DataFrame, user_fraction: float = 0.1, test_fraction: float = 0.1,
                        seed: int = 42) -> Split:
    """Amazon Personalize's offline-metrics holdout (fact sheet 5.1).

    A seeded random ``user_fraction`` of users (``round(n_users * user_fraction)``, at least
    one) is held out. Everyone else trains with all interactions. For each held-out user
    with ``c`` interactions, the newest ``max(1, round(c * test_fraction))`` go to ``test``
    and the older ones to ``input``. (The guide says "newest 10%"; the rounding and the
    minimum of one are the workbench's choice.)

    Args:
        df: Interactions with USER_ID and TIMESTAMP.
        user_fraction: Share of users held out (Personalize: 0.1).
        test_fraction: Share of each held-out user's interactions that is tested (Personalize: 0.1).
        seed: Seed of ``np.random.default_rng``.

    Returns:
        A Split with ``train`` (only non-held-out users), ``input`` and ``test`` (only
        held-out users); per held-out user, every input timestamp <= every test timestamp.
    """
    _check_fraction("user_fraction", user_fraction)
    _check_fraction("test_fraction", test_fraction)
    _require(df, USER_ID, TIMESTAMP)
    if len(df) == 0:
        return _parts(df, np.zeros(0, dtype=bool))
    codes, users = pd.factorize(df[USER_ID])
    rng = np.random.default_rng(seed)
    n_held = max(1, int(_round_half_up(np.array([len(users) * user_fraction]))[0]))
    held_users = np.zeros(len(users), dtype=bool)
    held_users[rng.choice(len(users), size=n_held, replace=False)] = True
    held = held_users[codes]
    rank, count = _newest_rank(df)
    n_test = np.maximum(1, _round_half_up(count * test_fraction))
    test = held & (rank < n_test)
    return _parts(df, test, held & ~test)
