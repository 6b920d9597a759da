"""Is model A better than model B, or is it noise? Paired differences with a bootstrap interval.

Two models scored on the same users (or the same rating pairs) are compared per user:
the mean of ``a - b`` over the users both were scored on, with a percentile bootstrap
interval from :func:`scipy.stats.bootstrap`. Pairing removes the spread between
users (some are easy for every model), so the interval is much narrower than two
separate error bars would suggest. An interval that contains 0 means "not told apart
on this data".
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from scipy import stats

from ..constants import USER_ID
from .evaluate import Evaluation


@dataclasses.dataclass(frozen=True)
class PairedDifference:
    """Mean of ``a - b`` over the shared keys and its bootstrap interval."""

    mean: float
    """Mean paired difference (NaN when no key is shared)."""
    low: float
    """Lower end of the interval."""
    high: float
    """Upper end of the interval."""
    n: int
    """Number of keys (users, pairs) both sides were scored on."""
    confidence: float
    """Confidence level of the interval."""

    @property
    def below_zero(self) -> bool:
        """``a`` is reliably lower than ``b`` (the whole interval is below 0)."""
        return bool(self.high < 0)

    @property
    def above_zero(self) -> bool:
        """``a`` is reliably higher than ``b`` (the whole interval is above 0)."""
        return bool(self.low > 0)

    def verdict(self, above: str = "better", below: str = "worse", tie: str = "not told apart") -> str:
        """One word for the interval: ``above`` when it lies above 0, ``below`` when below, else ``tie``."""
        return above if self.above_zero else below if self.below_zero else tie

    def __str__(self) -> str:
        return f"{self.mean:+.4f} [{self.low:+.4f}, {self.high:+.4f}]"


def paired_difference(a: pd.Series, b: pd.Series, confidence: float = 0.95, n_resamples: int = 2_000,
                      seed: int = 0) -> PairedDifference:
    """Mean of ``a - b`` over the index labels present in both, with a percentile bootstrap interval.

    Edge cases: no shared label gives NaN everywhere; a single shared label, or differences that are all
    equal, give an interval of zero width at the mean; NaN values are dropped pairwise.
    """
    joined = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
    diffs = (joined["a"] - joined["b"]).to_numpy(dtype=float)
    if len(diffs) == 0:
        return PairedDifference(float("nan"), float("nan"), float("nan"), 0, confidence)
    mean = float(diffs.mean())
    if len(diffs) == 1 or np.all(diffs == diffs[0]):
        return PairedDifference(mean, mean, mean, len(diffs), confidence)
    result = stats.bootstrap((diffs,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                             method="percentile", random_state=np.random.default_rng(seed), vectorized=True)
    interval = result.confidence_interval
    return PairedDifference(mean, float(interval.low), float(interval.high), len(diffs), confidence)


def compare_per_user(a: Evaluation, b: Evaluation, metric: str, **settings) -> PairedDifference:
    """:func:`paired_difference` of one metric column (e.g. ``"NDCG@10"``) of two :func:`evaluate` results."""
    for side in (a, b):
        if metric not in side.per_user.columns:
            raise KeyError(f"{metric!r} is not a metric of this evaluation; it has {list(side.per_user.columns[1:])}")
    return paired_difference(a.per_user.set_index(USER_ID)[metric], b.per_user.set_index(USER_ID)[metric], **settings)
