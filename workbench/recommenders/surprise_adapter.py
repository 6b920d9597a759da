"""Bridge between Personalize-format frames and scikit-surprise.

Surprise works on explicit ratings ``(user, item, rating)``. This module

* turns an interactions frame into such a ratings frame -- either the explicit
  ratings it carries (EVENT_TYPE ``"rating"`` with the stars in EVENT_VALUE) or
  a documented conversion of implicit events (:func:`implicit_to_ratings`);
* builds surprise ``Dataset`` / ``Trainset`` objects from it;
* turns surprise ``Prediction`` lists back into a tidy frame;
* provides :class:`SurpriseRecommender`, the shared base of the KNN and
  matrix-factorization models, which maps surprise's inner ids onto the
  workbench vocabularies and serves ``predict(pairs)``.

Surprise is imported lazily inside functions, so ``import workbench`` works even
where the compiled package is missing.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..constants import (
    DEFAULT_EVENT_WEIGHTS,
    EVENT_RATING,
    EVENT_TYPE,
    EVENT_VALUE,
    ITEM_ID,
    PREDICTION,
    TIMESTAMP,
    USER_ID,
)
from ..errors import DatasetError
from .base import Recommender, RecommenderConfig, SessionLike, prepare_interactions
from .event_utils import event_types_of

__all__ = [
    "IMPOSSIBLE",
    "IMPLICIT_RATING_SCALE",
    "SurpriseConfig",
    "SurpriseRecommender",
    "explicit_ratings",
    "implicit_to_ratings",
    "ratings_for",
    "to_surprise_dataset",
    "to_trainset",
    "predictions_to_frame",
]

IMPOSSIBLE = "IMPOSSIBLE"
"""Column of :meth:`SurpriseRecommender.predict`: True where surprise could not
estimate the pair (unknown user/item, too few neighbours) and fell back to the
global mean -- surprise's ``details["was_impossible"]``."""

IMPLICIT_RATING_SCALE = (1.0, 5.0)
"""Rating scale that implicit confidences are mapped onto."""


# ------------------------------------------------------------------ ratings
def explicit_ratings(interactions: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """The explicit ratings of an interactions frame: ``USER_ID, ITEM_ID, EVENT_VALUE``.

    Rows whose EVENT_TYPE is ``"rating"`` (any case) are used; without an
    EVENT_TYPE column every row is a rating. When a user rated the same item more
    than once, the latest rating (largest TIMESTAMP, then last row) wins -- a
    re-rating replaces the old opinion.

    Raises:
        DatasetError: there is no EVENT_VALUE column, no rating rows, or a rating
            row has an empty / non-numeric EVENT_VALUE (the message names the row).
    """
    if EVENT_VALUE not in interactions.columns:
        raise DatasetError("explicit ratings need the stars in EVENT_VALUE, and there is no such column.",
                           file=file, column=EVENT_VALUE,
                           fix='add EVENT_VALUE (e.g. 1-5 stars) with EVENT_TYPE "rating", or use feedback="implicit".')
    frame = interactions.reset_index(drop=True)
    if EVENT_TYPE in frame.columns:
        is_rating = event_types_of(frame) == EVENT_RATING
    else:
        is_rating = pd.Series(True, index=frame.index)
    if not is_rating.any():
        raise DatasetError('no interaction has EVENT_TYPE "rating".', file=file, column=EVENT_TYPE,
                           fix='mark explicit ratings with EVENT_TYPE "rating", or use feedback="implicit".')
    values = pd.to_numeric(frame[EVENT_VALUE], errors="coerce")
    bad = is_rating & values.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise DatasetError(f"a rating has no numeric EVENT_VALUE ({frame.loc[row - 1, EVENT_VALUE]!r}); "
                           f"{int(bad.sum())} rating row(s) are affected.",
                           file=file, row=row, column=EVENT_VALUE,
                           fix="fill in the rating value or drop that row on purpose before fitting.")
    ratings = pd.DataFrame({
        USER_ID: frame[USER_ID].astype(str),
        ITEM_ID: frame[ITEM_ID].astype(str),
        EVENT_VALUE: values.astype(float),
        "_time": frame[TIMESTAMP] if TIMESTAMP in frame.columns else 0,
        "_order": np.arange(len(frame)),
    })[is_rating.to_numpy()]
    ratings = ratings.sort_values(["_time", "_order"], kind="stable")
    ratings = ratings.drop_duplicates([USER_ID, ITEM_ID], keep="last")
    return ratings[[USER_ID, ITEM_ID, EVENT_VALUE]].reset_index(drop=True)


def implicit_to_ratings(
    interactions: pd.DataFrame,
    event_weights: Mapping[str, float] | None = None,
    rating_scale: tuple[float, float] = IMPLICIT_RATING_SCALE,
) -> pd.DataFrame:
    """Turn implicit events into pseudo-ratings for rating-based algorithms.

    Each event gets a confidence weight from its EVENT_TYPE (``event_weights``,
    default :data:`~workbench.constants.DEFAULT_EVENT_WEIGHTS`: view 1, click 2,
    add_to_cart 4, purchase 8; unknown types and frames without EVENT_TYPE weigh 1).
    Weights are summed per (user, item) into a confidence ``c_ui`` and mapped on a
    log scale onto ``[r_min, r_max]``:

    .. math::
        r_{ui} = r_{min} + (r_{max} - r_{min}) \\cdot \\frac{\\log(1 + c_{ui})}{\\log(1 + c_{max})}

    where ``c_max`` is the largest confidence in the frame. The logarithm keeps a
    single very active pair from squashing everything else towards ``r_min``;
    the strongest pair gets ``r_max``; a pair whose events all weigh 0 gets
    ``r_min``. Edge cases: if every confidence is 0 the conversion is undefined
    and raises; negative weights raise (a confidence cannot be negative).

    Returns:
        ``USER_ID, ITEM_ID, EVENT_VALUE`` (the pseudo-rating) plus ``CONFIDENCE``.
    """
    weights = dict(DEFAULT_EVENT_WEIGHTS if event_weights is None else event_weights)
    if any(float(w) < 0 for w in weights.values()):
        raise ValueError(f"event weights must be >= 0, got {weights}")
    lowered = {str(k).lower(): float(v) for k, v in weights.items()}
    if EVENT_TYPE in interactions.columns:
        w = event_types_of(interactions).map(lambda t: lowered.get(t, 1.0)).to_numpy(float)
    else:
        w = np.ones(len(interactions))
    frame = pd.DataFrame({USER_ID: interactions[USER_ID].astype(str).to_numpy(),
                          ITEM_ID: interactions[ITEM_ID].astype(str).to_numpy(), "CONFIDENCE": w})
    summed = frame.groupby([USER_ID, ITEM_ID], sort=False, as_index=False)["CONFIDENCE"].sum()
    c_max = float(summed["CONFIDENCE"].max()) if len(summed) else 0.0
    if c_max <= 0:
        raise DatasetError("every event weighs 0, so implicit confidences cannot be turned into ratings.",
                           column=EVENT_TYPE, fix="give at least one event type a positive weight.")
    low, high = map(float, rating_scale)
    summed[EVENT_VALUE] = low + (high - low) * np.log1p(summed["CONFIDENCE"]) / np.log1p(c_max)
    return summed[[USER_ID, ITEM_ID, EVENT_VALUE, "CONFIDENCE"]]


def ratings_for(
    interactions: pd.DataFrame,
    feedback: str = "auto",
    event_weights: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Ratings frame for surprise plus the feedback kind actually used.

    ``feedback="auto"`` uses explicit ratings when the frame has EVENT_TYPE
    ``"rating"`` rows (or, without EVENT_TYPE, an EVENT_VALUE column) and the
    implicit conversion otherwise.
    """
    if feedback not in ("auto", "explicit", "implicit"):
        raise ValueError(f"feedback must be 'auto', 'explicit' or 'implicit', not {feedback!r}")
    if feedback == "auto":
        if EVENT_TYPE in interactions.columns:
            has_ratings = (event_types_of(interactions) == EVENT_RATING).any()
        else:
            has_ratings = EVENT_VALUE in interactions.columns
        feedback = "explicit" if has_ratings else "implicit"
    if feedback == "explicit":
        return explicit_ratings(interactions), feedback
    return implicit_to_ratings(interactions, event_weights), feedback


# -------------------------------------------------------------- surprise I/O
def to_surprise_dataset(ratings: pd.DataFrame, rating_scale: tuple[float, float] | None = None):
    """A ``surprise.Dataset`` from a ``USER_ID, ITEM_ID, EVENT_VALUE`` frame.

    ``rating_scale`` defaults to the observed (min, max) of EVENT_VALUE.
    """
    from surprise import Dataset, Reader

    if rating_scale is None:
        rating_scale = (float(ratings[EVENT_VALUE].min()), float(ratings[EVENT_VALUE].max()))
    reader = Reader(rating_scale=tuple(map(float, rating_scale)))
    frame = pd.DataFrame({"user": ratings[USER_ID].astype(str).to_numpy(dtype=object),
                          "item": ratings[ITEM_ID].astype(str).to_numpy(dtype=object),
                          "rating": ratings[EVENT_VALUE].astype(float).to_numpy()})
    return Dataset.load_from_df(frame, reader)


def to_trainset(ratings: pd.DataFrame, rating_scale: tuple[float, float] | None = None):
    """A surprise ``Trainset`` holding every rating of the frame."""
    return to_surprise_dataset(ratings, rating_scale).build_full_trainset()


def predictions_to_frame(predictions: list) -> pd.DataFrame:
    """Surprise ``Prediction`` tuples -> ``USER_ID, ITEM_ID, EVENT_VALUE, PREDICTION, IMPOSSIBLE``.

    EVENT_VALUE holds the true rating when the prediction was made on a test set
    (NaN for pure predictions).
    """
    return pd.DataFrame({
        USER_ID: [str(p.uid) for p in predictions],
        ITEM_ID: [str(p.iid) for p in predictions],
        EVENT_VALUE: [np.nan if p.r_ui is None else float(p.r_ui) for p in predictions],
        PREDICTION: [float(p.est) for p in predictions],
        IMPOSSIBLE: [bool(p.details.get("was_impossible", False)) for p in predictions],
    })


# -------------------------------------------------------------- base model
@dataclasses.dataclass
class SurpriseConfig(RecommenderConfig):
    """Settings shared by every surprise-backed model."""

    feedback: str = "auto"
    """``"explicit"``: learn the EVENT_TYPE ``"rating"`` stars in EVENT_VALUE;
    ``"implicit"``: convert events to 1..5 confidences (:func:`implicit_to_ratings`);
    ``"auto"``: explicit when rating rows exist, implicit otherwise."""

    rating_scale: tuple[float, float] | None = None
    """(lowest, highest) rating; ``None`` = observed range for explicit data, 1..5 for implicit."""


class SurpriseRecommender(Recommender):
    """Shared machinery of the surprise-backed models.

    Subclasses implement :meth:`_make_algo` (build the surprise algorithm from the
    config), :meth:`_after_fit` (copy what scoring needs out of it) and
    :meth:`_estimate` (vectorised estimates in surprise's inner-id space).
    Users the model knows but surprise never saw (e.g. users with only clicks
    when learning explicit ratings) receive the popularity fallback, flagged.
    """

    Config: ClassVar[type[RecommenderConfig]] = SurpriseConfig
    config: SurpriseConfig
    realtime = False

    # -- subclass hooks ---------------------------------------------------------
    def _make_algo(self) -> Any:  # pragma: no cover - abstract in spirit
        raise NotImplementedError

    def _after_fit(self) -> None:
        """Copy the learned arrays out of ``self.algo_``."""

    def _estimate(self, ts_users: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract in spirit
        """Estimates for surprise inner users ``ts_users`` x every surprise inner item (NaN = impossible)."""
        raise NotImplementedError

    # -- fitting ----------------------------------------------------------------
    def _fit(self, interactions: pd.DataFrame, items, users) -> None:
        ratings, feedback = ratings_for(interactions, self.config.feedback, self.config.event_weights)
        self.feedback_ = feedback
        if feedback == "explicit":
            skipped = len(interactions) - int(
                (event_types_of(interactions) == EVENT_RATING).sum()
            ) if EVENT_TYPE in interactions.columns else 0
            if skipped:
                warnings.warn(f"{self.name}: learning from explicit ratings; {skipped} non-rating events are not "
                              "used for scores (they still count for exclude_seen and filters).", stacklevel=3)
        scale = self.config.rating_scale or (IMPLICIT_RATING_SCALE if feedback == "implicit" else None)
        self.ratings_ = ratings
        self.trainset_ = to_trainset(ratings, scale)
        self.algo_ = self._make_algo()
        self.algo_.fit(self.trainset_)
        ts = self.trainset_
        ts_user_raw = [ts.to_raw_uid(u) for u in range(ts.n_users)]
        ts_item_raw = [ts.to_raw_iid(i) for i in range(ts.n_items)]
        self._ts_user = self.user_vocab.to_inner(ts_user_raw)  # surprise inner user -> vocab index
        self._ts_item = self.item_vocab.to_inner(ts_item_raw)
        self._user_ts = np.full(len(self.user_vocab), -1, dtype=np.int64)  # vocab index -> surprise inner
        self._user_ts[self._ts_user] = np.arange(ts.n_users)
        self._item_ts = np.full(len(self.item_vocab), -1, dtype=np.int64)
        self._item_ts[self._ts_item] = np.arange(ts.n_items)
        self._after_fit()

    # -- scoring ----------------------------------------------------------------
    def _score(self, users: np.ndarray, session: SessionLike) -> np.ndarray:
        ts_users = self._user_ts[users]
        scores = np.full((len(users), len(self.item_vocab)), np.nan)
        known = ts_users >= 0
        if known.any():
            est = self._estimate(ts_users[known])
            block = np.full((int(known.sum()), len(self.item_vocab)), np.nan)
            block[:, self._ts_item] = est
            scores[known] = block
        if (~known).any():
            scores[~known] = self._popularity
        return scores

    def _score_raw(self, raw_user_ids: np.ndarray, session: SessionLike) -> tuple[np.ndarray, np.ndarray]:
        scores, fallback = super()._score_raw(raw_user_ids, session)
        inner = self.user_vocab.to_inner(raw_user_ids)
        without_ratings = (inner >= 0) & (self._user_ts[np.where(inner >= 0, inner, 0)] < 0)
        return scores, fallback | without_ratings

    # -- rating prediction ----------------------------------------------------------
    def predict(self, pairs: pd.DataFrame, clip: bool = True) -> pd.DataFrame:
        """Predicted ratings for (user, item) pairs, through surprise's own ``predict``.

        Args:
            pairs: frame with USER_ID and ITEM_ID (an EVENT_VALUE column, if present,
                is carried along as the true rating).
            clip: clip predictions to the rating scale, as surprise does by default.

        Returns:
            ``USER_ID, ITEM_ID, EVENT_VALUE, PREDICTION, IMPOSSIBLE`` -- IMPOSSIBLE
            marks pairs surprise could not estimate (it then predicts the global mean).
        """
        self._check_fitted()
        pairs = prepare_interactions(pairs, allow_empty=True)
        truth = pairs[EVENT_VALUE] if EVENT_VALUE in pairs.columns else pd.Series(np.nan, index=pairs.index)
        predictions = [
            self.algo_.predict(u, i, r_ui=None if pd.isna(r) else float(r), clip=clip)
            for u, i, r in zip(pairs[USER_ID], pairs[ITEM_ID], truth)
        ]
        if not predictions:
            return pd.DataFrame({USER_ID: [], ITEM_ID: [], EVENT_VALUE: [], PREDICTION: [], IMPOSSIBLE: []})
        return predictions_to_frame(predictions)

    def _user_ratings(self, user_id: str) -> list[tuple[int, float]]:
        """(surprise inner item, rating) pairs of a raw user (empty if unknown to surprise)."""
        idx = self.user_vocab.to_inner([user_id])[0]
        ts_u = self._user_ts[idx] if idx >= 0 else -1
        return list(self.trainset_.ur[ts_u]) if ts_u >= 0 else []

    def _predicted(self, user_id: str, item_id: str) -> float | None:
        p = self.algo_.predict(user_id, item_id)
        return None if p.details.get("was_impossible", False) else float(p.est)
