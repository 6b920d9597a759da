"""Reproduce scikit-surprise's published cross-validated RMSE on MovieLens data.

Surprise's README ("Benchmarks" section, https://github.com/NicolasHug/Surprise,
read from a stored copy of ``README.md``) publishes the mean RMSE / MAE of its
algorithms **with default parameters** under **5-fold cross-validation**
(the same folds for every algorithm) on MovieLens 100k and 1M. Those numbers
are :data:`PUBLISHED_RMSE`. :func:`cross_validate_rmse` runs surprise's own
``cross_validate`` on an interactions frame in Personalize format (ratings in
EVENT_VALUE) so a learner can check that the workbench's data path reproduces
them when given the real files -- e.g. ``SVD`` on ml-100k should land near
0.934, on ml-1m near 0.873. Fold assignment is random, so expect agreement to
about +-0.005, not to the last digit.

RMSE and MAE, over the test ratings :math:`T` of a fold:

.. math::
    \\text{RMSE} = \\sqrt{\\frac{1}{|T|} \\sum_{(u,i) \\in T} (\\hat r_{ui} - r_{ui})^2}, \\qquad
    \\text{MAE} = \\frac{1}{|T|} \\sum_{(u,i) \\in T} |\\hat r_{ui} - r_{ui}|

Surprise clips predictions to the rating scale and predicts the global mean of
the training fold where an estimate is impossible (unknown user/item). Lower is
better; a constant prediction of the training mean is the floor to beat
(:func:`global_mean_rmse`).

Example (needs the real archive, extracted or downloaded on purpose)::

    from workbench.data import load_movielens
    ratings = load_movielens("ml-100k").interactions
    cross_validate_rmse("SVD", ratings, dataset="ml-100k")   # mean RMSE ~0.934
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .surprise_adapter import SurpriseRecommender, explicit_ratings, to_surprise_dataset

__all__ = ["PUBLISHED_RMSE", "PUBLISHED_MAE", "SURPRISE_ALGORITHMS", "cross_validate_rmse", "global_mean_rmse"]

PUBLISHED_RMSE: dict[str, dict[str, float]] = {
    "ml-100k": {"SVD": 0.934, "SVDpp": 0.920, "NMF": 0.963, "SlopeOne": 0.946, "KNNBasic": 0.980,
                "KNNWithMeans": 0.951, "KNNBaseline": 0.931, "CoClustering": 0.963, "BaselineOnly": 0.944,
                "NormalPredictor": 1.514},
    "ml-1m": {"SVD": 0.873, "SVDpp": 0.862, "NMF": 0.916, "SlopeOne": 0.907, "KNNBasic": 0.923,
              "KNNWithMeans": 0.929, "KNNBaseline": 0.895, "CoClustering": 0.915, "BaselineOnly": 0.909,
              "NormalPredictor": 1.504},
}
"""Mean 5-fold RMSE with default parameters, from the surprise README benchmark tables."""

PUBLISHED_MAE: dict[str, dict[str, float]] = {
    "ml-100k": {"SVD": 0.737, "SVDpp": 0.722, "NMF": 0.758, "SlopeOne": 0.743, "KNNBasic": 0.774,
                "KNNWithMeans": 0.749, "KNNBaseline": 0.733, "CoClustering": 0.753, "BaselineOnly": 0.748,
                "NormalPredictor": 1.215},
    "ml-1m": {"SVD": 0.686, "SVDpp": 0.673, "NMF": 0.724, "SlopeOne": 0.715, "KNNBasic": 0.727,
              "KNNWithMeans": 0.738, "KNNBaseline": 0.706, "CoClustering": 0.717, "BaselineOnly": 0.719,
              "NormalPredictor": 1.206},
}
"""Mean 5-fold MAE with default parameters, from the same tables."""

SURPRISE_ALGORITHMS = tuple(PUBLISHED_RMSE["ml-100k"])
"""Surprise algorithm names :func:`cross_validate_rmse` accepts."""


def _algorithm(model: str | SurpriseRecommender) -> tuple[str, Any]:
    if isinstance(model, SurpriseRecommender):
        return model.name, model._make_algo()
    import surprise

    if model not in SURPRISE_ALGORITHMS:
        raise ValueError(f"unknown surprise algorithm {model!r}; choose one of {SURPRISE_ALGORITHMS} "
                         "or pass a workbench SVD/SVDpp/NMF/ItemKNN/UserKNN instance.")
    cls = getattr(surprise, model)
    try:
        return model, cls(verbose=False)  # keep KNN / baseline training quiet
    except TypeError:  # algorithms without a verbose switch
        return model, cls()


def cross_validate_rmse(
    model: str | SurpriseRecommender,
    interactions: pd.DataFrame,
    folds: int = 5,
    seed: int = 42,
    dataset: str | None = None,
    rating_scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """K-fold cross-validated RMSE and MAE with surprise's ``cross_validate``.

    Args:
        model: a surprise algorithm name with its default parameters (``"SVD"``,
            ``"KNNBasic"``, ... see :data:`SURPRISE_ALGORITHMS`), or a workbench
            surprise-backed model whose config is used.
        interactions: explicit ratings in Personalize format (EVENT_VALUE, with
            EVENT_TYPE ``"rating"`` if the frame has an EVENT_TYPE column).
        folds: number of folds (surprise's table uses 5).
        seed: seed of the random fold assignment (``KFold(shuffle=True)``).
        dataset: ``"ml-100k"`` or ``"ml-1m"`` to add the published numbers for
            comparison; ``None`` leaves those columns empty.
        rating_scale: rating range (default: observed min and max).

    Returns:
        One row per fold plus a ``"mean"`` row, columns ``fold, RMSE, MAE,
        published_RMSE, published_MAE`` (published values only on the mean row).
    """
    from surprise.model_selection import KFold, cross_validate

    if folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {folds}")
    name, algo = _algorithm(model)
    ratings = explicit_ratings(interactions)
    data = to_surprise_dataset(ratings, rating_scale)
    result = cross_validate(algo, data, measures=["rmse", "mae"], cv=KFold(n_splits=folds, random_state=seed,
                                                                            shuffle=True), verbose=False)
    rmse, mae = np.asarray(result["test_rmse"]), np.asarray(result["test_mae"])
    frame = pd.DataFrame({"fold": [str(k + 1) for k in range(folds)], "RMSE": rmse, "MAE": mae})
    published_rmse = PUBLISHED_RMSE.get(dataset or "", {}).get(name, np.nan)
    published_mae = PUBLISHED_MAE.get(dataset or "", {}).get(name, np.nan)
    mean = pd.DataFrame({"fold": ["mean"], "RMSE": [rmse.mean()], "MAE": [mae.mean()]})
    frame = pd.concat([frame, mean], ignore_index=True)
    frame["published_RMSE"] = [np.nan] * folds + [published_rmse]
    frame["published_MAE"] = [np.nan] * folds + [published_mae]
    frame.attrs["model"] = name
    return frame


def global_mean_rmse(interactions: pd.DataFrame, folds: int = 5, seed: int = 42) -> float:
    """Mean RMSE of always predicting the training fold's mean rating (same folds as above).

    The floor any rating model must beat; equals the (fold-averaged) standard
    deviation of the ratings around the training mean.
    """
    from surprise.model_selection import KFold

    ratings = explicit_ratings(interactions)
    data = to_surprise_dataset(ratings)
    scores = []
    for train, test in KFold(n_splits=folds, random_state=seed, shuffle=True).split(data):
        truth = np.asarray([r for _, _, r in test], dtype=float)
        scores.append(float(np.sqrt(np.mean((truth - train.global_mean) ** 2))))
    return float(np.mean(scores))

