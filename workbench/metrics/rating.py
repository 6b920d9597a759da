"""Rating-prediction errors: RMSE and MAE (for explicit ratings, e.g. MovieLens with SVD)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def _pair(pred: Iterable[float], actual: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(list(pred) if not isinstance(pred, np.ndarray) else pred, dtype=float).ravel()
    a = np.asarray(list(actual) if not isinstance(actual, np.ndarray) else actual, dtype=float).ravel()
    if len(p) != len(a):
        raise ValueError(f"pred has {len(p)} values but actual has {len(a)}: pair each prediction with its rating")
    if len(p) == 0:
        raise ValueError("no predictions to score (empty input)")
    bad = np.flatnonzero(~np.isfinite(p) | ~np.isfinite(a))
    if len(bad):
        i = int(bad[0])
        raise ValueError(
            f"value {i} is not a finite number (pred={p[i]}, actual={a[i]}); "
            "drop unpredictable pairs explicitly or fill them with a default prediction first"
        )
    return p, a


def rmse(pred: Iterable[float], actual: Iterable[float]) -> float:
    """Root mean squared error ``sqrt(mean((pred - actual)^2))``.

    Same units as the ratings; large errors weigh more than in MAE.
    Edge cases: empty input, different lengths or NaN/inf values raise ``ValueError``.
    Example: pred (3, 4), actual (1, 4) -> sqrt((4 + 0) / 2) = 1.4142.
    """
    p, a = _pair(pred, actual)
    return float(np.sqrt(np.mean((p - a) ** 2)))


def mae(pred: Iterable[float], actual: Iterable[float]) -> float:
    """Mean absolute error ``mean(|pred - actual|)``.

    Edge cases: as :func:`rmse`. Always ``mae <= rmse``.
    Example: pred (3, 4), actual (1, 4) -> (2 + 0) / 2 = 1.0.
    """
    p, a = _pair(pred, actual)
    return float(np.mean(np.abs(p - a)))
