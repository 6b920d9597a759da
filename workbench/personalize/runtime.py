"""Campaigns and an in-process Personalize "account": GetRecommendations on workbench models.

A :class:`Campaign` deploys one fitted workbench recommender the way a Personalize
campaign deploys a solution version: it gets a ``campaignArn``
(``arn:aws:personalize:us-east-1:000000000000:campaign/<name>``) and answers
``get_recommendations`` with the request and response shapes of the
``personalize-runtime`` API -- requests are validated against botocore's model,
responses carry ``itemList`` (``itemId``, ``score``), ``recommendationId`` and
``ResponseMetadata`` (fact sheet §4.2).

The campaign's *recipe type* decides what a request must contain, as in the
service: ``USER_PERSONALIZATION`` needs ``userId``; ``RELATED_ITEMS`` (SIMS and
other similar-items models) needs ``itemId``; ``PERSONALIZED_RANKING`` answers
``get_personalized_ranking(userId=, inputList=)`` (at most 500 items; items the
model never saw or can't score are appended at the end in input order, without a
``score`` -- the fact sheet: Personalized-Ranking appends items not in training
to the end, v2 returns items without interaction data without a score -- so no
input item is dropped except by the request's filter).
A model declares its type with a class attribute ``recipe_type`` (default
``USER_PERSONALIZATION``), or the campaign is told explicitly.

:class:`PersonalizeRuntime` plays the account: dataset groups, one event tracker
per dataset group (a second CreateEventTracker fails, §3.1), filters
(``create_filter`` -> ``filterArn``, parsed with
:func:`workbench.recommenders.filters.parse_filter`), campaigns, and the
boto3-shaped data-plane calls ``put_events`` / ``put_items`` / ``put_users`` /
``get_recommendations`` routed by ``trackingId``, ``datasetArn`` and ``campaignArn``.
Events reach every campaign of the tracker's dataset group; which campaigns change
at once depends on ``model.realtime`` (§2.2), the others change at
:meth:`Campaign.retrain` (a new solution version).

Batch jobs need no campaign: :meth:`PersonalizeRuntime.create_solution_version` registers a
fitted model, and ``create_batch_inference_job`` / ``create_batch_segment_job`` read JSON
Lines from ``s3://`` paths under the runtime's ``s3_root`` folder and write the answers next
to them (:mod:`workbench.personalize.batch`).

Workbench choices (not service facts): resources are ``ACTIVE`` immediately;
``numResults=0`` returns an empty list; ``context`` is passed to a model's
``recommend`` only if that method accepts a ``context`` argument; ``promotions``
and ``metadataColumns`` are validated and then refused with ``NotImplementedError``;
CreateFilter checks the expression's fields against the Items / Users data the
dataset group already holds (models' items and users, PutItems / PutUsers records):
an unknown field, a textual or boolean field, or ``< <= > >=`` on a categorical
field is an ``InvalidInputException`` there, not at request time; a request that
leaves out a required ``$PARAMETER`` value is an ``InvalidInputException`` too.
Thread safety: each :class:`Campaign` serialises access to its model with a lock
and each event tracker (one per dataset group) records and forwards under its
own; locks are always taken tracker first, then campaign, so concurrent
``put_events`` / ``get_recommendations`` callers neither lose events nor see a
half-applied update.
by default a campaign does not hide items the user already interacted with --
use a filter such as ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")``.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import inspect
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from botocore.exceptions import ClientError

from ..constants import EVENT_TYPE, IMPRESSION, ITEM_ID, SCORE, TIMESTAMP, USER_ID
from ..errors import FilterExpressionError, ModelNotFittedError
from ..locking import Locked
from ..recommenders.base import Recommender
from .arn import make_arn
from .batch import (
    BATCH_DEFAULT_RESULTS,
    MAX_ATTRIBUTE_QUERIES_PER_FILE,
    MAX_ITEM_QUERIES_PER_FILE,
    BatchJob,
    LocalS3,
    run_job,
)
from .contract import (
    ADMIN_SERVICE,
    EVENTS_SERVICE,
    RUNTIME_SERVICE,
    check_service_limits,
    client_error,
    response_metadata,
    validate_request,
)
from .event_tracker import MAX_FUTURE_SECONDS, EventTracker

__all__ = [
    "Campaign",
    "PersonalizeRuntime",
    "RECIPE_TYPES",
    "DEFAULT_NUM_RESULTS",
    "MAX_NUM_RESULTS",
    "MAX_INPUT_LIST",
    "MAX_FILTERS_PER_DATASET_GROUP",
]

USER_PERSONALIZATION = "USER_PERSONALIZATION"
RELATED_ITEMS = "RELATED_ITEMS"
PERSONALIZED_RANKING = "PERSONALIZED_RANKING"
RECIPE_TYPES = (USER_PERSONALIZATION, RELATED_ITEMS, PERSONALIZED_RANKING)
"""Recipe types a workbench campaign can serve."""

DEFAULT_NUM_RESULTS = 25
"""GetRecommendations ``numResults`` when omitted (fact sheet §4.2)."""

MAX_NUM_RESULTS = 500
"""Largest ``numResults`` GetRecommendations accepts (fact sheet §4.2)."""

MAX_INPUT_LIST = 500
"""Largest ``inputList`` GetPersonalizedRanking accepts (fact sheet §2.1 / §6.2 K)."""

MAX_FILTERS_PER_DATASET_GROUP = 10
"""Default filter quota per dataset group (adjustable on AWS; fact sheet §1.9)."""

_COMPACT_EVERY = 256
"""A campaign merges its model's per-call event frames into one frame once this many have piled up."""


class Campaign(Locked):
    """A fitted workbench recommender deployed behind the GetRecommendations API.

    Args:
        model: a fitted :class:`~workbench.recommenders.base.Recommender` (the
            "solution version" being deployed).
        name: campaign name; the ARN is ``arn:aws:personalize:us-east-1:000000000000:campaign/<name>``.
        recipe_type: ``USER_PERSONALIZATION``, ``RELATED_ITEMS`` or ``PERSONALIZED_RANKING``;
            default: the model class's ``recipe_type`` attribute, else ``USER_PERSONALIZATION``.
        exclude_seen: hide items the user already interacted with (a workbench
            convenience; on AWS you would use a filter). Default False.
        dataset_group_arn: the dataset group the campaign belongs to.
        max_served: how many served lists to remember for implicit impressions.

    Raises:
        ModelNotFittedError: the model was never fitted.
        ValueError: unknown recipe type, or a RELATED_ITEMS campaign on a model
            without item similarity.
    """

    def __init__(
        self,
        model: Recommender,
        name: str = "campaign",
        *,
        recipe_type: str | None = None,
        exclude_seen: bool = False,
        dataset_group_arn: str | None = None,
        max_served: int = 10_000,
    ) -> None:
        if not getattr(model, "is_fitted", False):
            raise ModelNotFittedError(
                f"cannot deploy an unfitted {type(model).__name__}: a campaign serves a trained solution version. "
                "Call model.fit(interactions) first."
            )
        recipe_type = (recipe_type or getattr(type(model), "recipe_type", USER_PERSONALIZATION)).upper()
        if recipe_type not in RECIPE_TYPES:
            raise ValueError(f"recipe_type must be one of {RECIPE_TYPES}, not {recipe_type!r}")
        if recipe_type == RELATED_ITEMS and type(model)._similar is Recommender._similar:
            raise ValueError(f"{type(model).__name__} has no item similarity, so it can't back a RELATED_ITEMS campaign.")
        self.name = name
        self.campaign_arn = make_arn("campaign", name)
        self.recipe_type = recipe_type
        self.exclude_seen = exclude_seen
        self.dataset_group_arn = dataset_group_arn
        self.status = "ACTIVE"
        self.model = model
        self.solution_version = 1
        self.training_interactions: pd.DataFrame = model.interactions_
        self.filters: dict[str, Any] = {}
        self.trackers: list[EventTracker] = []
        self._served: collections.OrderedDict[str, list[str]] = collections.OrderedDict()
        self._max_served = max_served
        self._requests = 0
        self._new_lock()


    def __repr__(self) -> str:
        return (f"Campaign(name={self.name!r}, model={type(self.model).__name__}, recipe_type={self.recipe_type!r}, "
                f"solution_version={self.solution_version})")

    @property
    def realtime(self) -> bool:
        """Whether tracked events change this campaign's recommendations without retraining."""
        return bool(type(self.model).realtime)

    def describe(self) -> dict[str, Any]:
        """Like ``DescribeCampaign``'s ``campaign`` block (workbench fields: model, solutionVersion)."""
        return {
            "name": self.name,
            "campaignArn": self.campaign_arn,
            "status": self.status,
            "recipeType": self.recipe_type,
            "model": type(self.model).__name__,
            "realtime": self.realtime,
            "solutionVersion": self.solution_version,
        }

    # ----------------------------------------------------------- events in
    def update(self, events: pd.DataFrame) -> Campaign:
        """Hand tracked events to the deployed model (``model.update``), under the campaign's lock."""
        with self._lock:
            self.model.update(events)
            _compact_tracked(self.model)
        return self

    def update_columns(self, columns: Mapping[str, list[Any]]) -> Campaign:
        """Like :meth:`update` for events given as ``{column: values}`` (what PutEvents forwards).

        A model with an array fast path (``track(user_ids, item_ids, timestamps, event_types)``)
        gets the columns without a DataFrame being built; any other model gets ``update(frame)``.
        """
        with self._lock:
            track = getattr(self.model, "track", None)
            if callable(track):
                shown = columns.get(IMPRESSION)
                if shown is not None and _takes_impressions(getattr(track, "__func__", track)):
                    track(columns[USER_ID], columns[ITEM_ID], columns[TIMESTAMP], columns.get(EVENT_TYPE),
                          impressions=shown)
                else:
                    track(columns[USER_ID], columns[ITEM_ID], columns[TIMESTAMP], columns.get(EVENT_TYPE))
            else:
                self.model.update(pd.DataFrame(dict(columns)))
                _compact_tracked(self.model)
        return self

    def _register_tracker(self, tracker: EventTracker) -> None:
        if all(t is not tracker for t in self.trackers):
            self.trackers.append(tracker)

    def retrain(
        self,
        interactions: pd.DataFrame | None = None,
        items: pd.DataFrame | None = None,
        users: pd.DataFrame | None = None,
    ) -> Campaign:
        """Train a new solution version (a fresh model with the same config) and deploy it.

        Args:
            interactions: training data; default = the data the first version was
                trained on plus every event the attached trackers would use for
                training (duplicates dropped, anonymous sessions attributed).
            items: default = the model's items with PutItems records applied.
            users: default = the model's users with PutUsers records applied.
        """
        with self._trackers_then_self():  # no event slips between the training data and the swap
            if interactions is None:
                interactions = self.training_interactions
                for tracker in self.trackers:
                    interactions = tracker.interactions_for_training(base=interactions)
            if items is None:
                items = self.model.items_
                for tracker in self.trackers:
                    items = tracker.merged_items(items)
            if users is None:
                users = self.model.users_
                for tracker in self.trackers:
                    users = tracker.merged_users(users)
            fresh = type(self.model)(dataclasses.replace(self.model.config))
            self.model = fresh.fit(interactions, items=items, users=users)
            self.solution_version += 1
        return self

    @contextlib.contextmanager
    def _trackers_then_self(self):
        """Hold every attached tracker's lock, then this campaign's (the order put_events uses)."""
        with contextlib.ExitStack() as stack:
            for tracker in list(self.trackers):
                stack.enter_context(tracker._lock)
            stack.enter_context(self._lock)
            yield

    def refresh_filter_data(self) -> Campaign:
        """Let filters see PutItems / PutUsers records now (on AWS: within 20 minutes, §3.3)."""
        with self._trackers_then_self():
            for tracker in self.trackers:
                self.model.items_ = tracker.merged_items(self.model.items_)
                self.model.users_ = tracker.merged_users(self.model.users_)
        return self

    # ------------------------------------------------------ recommendations
    def served_items(self, recommendation_id: str) -> list[str] | None:
        """Item ids of a list this campaign served (None if unknown or forgotten)."""
        with self._lock:
            return self._served.get(recommendation_id)

    def get_recommendations(self, **params: Any) -> dict[str, Any]:
        """GetRecommendations against this campaign (``campaignArn`` may be omitted).

        Keyword Args:
            userId: required for USER_PERSONALIZATION (for RELATED_ITEMS it is only
                used to evaluate filters on the user's interactions).
            itemId: required for RELATED_ITEMS.
            numResults: list length, default 25, at most 500.
            filterArn / filterValues: a filter created with :meth:`PersonalizeRuntime.create_filter`
                and values for its ``$PARAMETERS`` (e.g. ``{"CATEGORY": '"boots"'}``).
            context: contextual metadata (string map).

        Returns:
            ``{"itemList": [{"itemId", "score"}, ...], "recommendationId", "ResponseMetadata"}``.
        """
        return self._serve(self._checked_request("GetRecommendations", params))

    def _serve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                return self._serve_locked(params)
            except FilterExpressionError as exc:
                raise client_error("InvalidInputException", f"the filter can't be applied: {exc}",
                                   "GetRecommendations") from None

    def _checked_request(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with this campaign's ARN filled in, validated like boto3 and the service would."""
        params = {"campaignArn": self.campaign_arn, **params}
        validate_request(RUNTIME_SERVICE, operation, params)
        check_service_limits(RUNTIME_SERVICE, operation, params)
        if params["campaignArn"] != self.campaign_arn:
            raise _not_found(operation, "campaign", params["campaignArn"])
        return params

    def _serve_locked(self, params: Mapping[str, Any]) -> dict[str, Any]:
        operation = "GetRecommendations"
        if params.get("recommenderArn"):
            raise client_error("InvalidInputException", "give either campaignArn or recommenderArn, not both.",
                               operation)
        for unsupported in ("promotions", "metadataColumns"):
            if params.get(unsupported):
                raise NotImplementedError(f"the workbench campaign does not implement {unsupported!r} yet.")
        n = int(params.get("numResults", DEFAULT_NUM_RESULTS))
        if n > MAX_NUM_RESULTS:
            raise client_error("InvalidInputException",
                               f"numResults is {n}; GetRecommendations returns at most {MAX_NUM_RESULTS} items.",
                               operation)
        user_id, item_id = params.get("userId"), params.get("itemId")
        flt = self._resolve_filter(params.get("filterArn"), operation)
        values = params.get("filterValues")
        _check_filter_values(flt, values, operation)
        if self.recipe_type == RELATED_ITEMS:
            if not item_id:
                raise client_error(
                    "InvalidInputException",
                    f"itemId is required: campaign {self.name!r} serves a RELATED_ITEMS recipe "
                    f"({type(self.model).__name__}), which recommends items similar to one item.",
                    operation,
                )
            frame = self._related(item_id, user_id, n, flt, values)
        elif self.recipe_type == USER_PERSONALIZATION:
            if not user_id:
                raise client_error(
                    "InvalidInputException",
                    f"userId is required: campaign {self.name!r} serves a USER_PERSONALIZATION recipe "
                    f"({type(self.model).__name__}). For an anonymous visitor pass the sessionId as userId.",
                    operation,
                )
            frame = self._personalized(user_id, n, flt, values, params.get("context"))
        else:
            raise client_error(
                "InvalidInputException",
                f"campaign {self.name!r} serves a PERSONALIZED_RANKING recipe: call GetPersonalizedRanking "
                "with userId and inputList instead.",
                operation,
            )
        return self._respond(frame, "itemList")

    def get_personalized_ranking(self, **params: Any) -> dict[str, Any]:
        """GetPersonalizedRanking: re-rank ``inputList`` (≤500 item ids) for ``userId``.

        Every input item comes back once (a repeated id once, at its first place)
        unless the request's filter (or the campaign's ``exclude_seen``) removes it:
        the items the model scores first, best first; then, in input order and
        without a ``score``, the items it can't score -- not in its training data
        (Personalized-Ranking appends them to the end, fact sheet §2.1) or without
        a finite score. ``userId`` must not be empty.
        """
        return self._rank(self._checked_request("GetPersonalizedRanking", params))

    def _rank(self, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                return self._rank_locked(params)
            except FilterExpressionError as exc:
                raise client_error("InvalidInputException", f"the filter can't be applied: {exc}",
                                   "GetPersonalizedRanking") from None

    def _rank_locked(self, params: Mapping[str, Any]) -> dict[str, Any]:
        operation = "GetPersonalizedRanking"
        if self.recipe_type != PERSONALIZED_RANKING:
            raise client_error("InvalidInputException",
                               f"campaign {self.name!r} serves {self.recipe_type}, not PERSONALIZED_RANKING.",
                               operation)
        user_id = str(params["userId"])
        if not user_id.strip():
            raise client_error("InvalidInputException",
                               f"userId is {params['userId']!r}; GetPersonalizedRanking ranks for one user, so pass a "
                               "non-empty userId (for an anonymous visitor, the sessionId).", operation)
        inputs = [str(i) for i in params["inputList"]]
        if len(inputs) > MAX_INPUT_LIST:
            raise client_error("InvalidInputException",
                               f"inputList has {len(inputs)} items; at most {MAX_INPUT_LIST} are allowed.", operation)
        empty = [k for k, i in enumerate(inputs) if not i.strip()]
        if empty:
            raise client_error("InvalidInputException",
                               f"inputList[{empty[0]}] is an empty item id; send the itemIds to rank.", operation)
        flt = self._resolve_filter(params.get("filterArn"), operation)
        values = params.get("filterValues")
        _check_filter_values(flt, values, operation)
        model = self.model
        unique = list(dict.fromkeys(inputs))
        allowed = np.ones(len(unique), dtype=bool)
        if flt is not None:
            from ..recommenders.filters import as_filter

            allowed &= as_filter(flt).mask([user_id], unique, model._history, model.items_, model.users_, values)[0]
        if self.exclude_seen:
            allowed &= ~self._seen_by(user_id, unique)
        ranked = self._personalized(user_id, len(model.item_vocab), None, None, params.get("context"),
                                    exclude_seen=False)
        scores = {i: s for i, s in zip(ranked[ITEM_ID], ranked[SCORE]) if np.isfinite(s)}
        kept = [i for i, ok in zip(unique, allowed) if ok]
        scored = sorted((i for i in kept if i in scores), key=lambda i: -scores[i])
        unscored = [i for i in kept if i not in scores]
        frame = pd.DataFrame({ITEM_ID: scored + unscored,
                              SCORE: [scores[i] for i in scored] + [np.nan] * len(unscored)})
        return self._respond(frame, "personalizedRanking")

    def _seen_by(self, user_id: str, item_ids: list[str]) -> np.ndarray:
        """Which of ``item_ids`` the model knows ``user_id`` interacted with."""
        model = self.model
        inner = model.user_vocab.to_inner([user_id])[0]
        if inner < 0:
            return np.zeros(len(item_ids), dtype=bool)
        row = np.asarray(model._seen[inner : inner + 1].toarray(), dtype=bool).ravel()
        cols = model.item_vocab.to_inner(item_ids)
        return np.where(cols >= 0, row[np.maximum(cols, 0)], False)

    def _personalized(self, user_id: str, n: int, flt: Any, values: Any, context: Any,
                      exclude_seen: bool | None = None) -> pd.DataFrame:
        exclude_seen = self.exclude_seen if exclude_seen is None else exclude_seen
        kwargs: dict[str, Any] = {"n": n, "exclude_seen": exclude_seen, "filter": flt, "filter_values": values}
        if context and _accepts(self.model.recommend, "context"):
            kwargs["context"] = context
        if n == 0:
            return pd.DataFrame({ITEM_ID: [], SCORE: []})
        return self.model.recommend([user_id], **kwargs)

    def _related(self, item_id: str, user_id: str | None, n: int, flt: Any, values: Any) -> pd.DataFrame:
        if n == 0:
            return pd.DataFrame({ITEM_ID: [], SCORE: []})
        model = self.model
        if flt is None:
            return model.similar_items([item_id], n=n)
        from ..recommenders.filters import as_filter

        candidates = model.similar_items([item_id], n=len(model.item_vocab))
        allowed = as_filter(flt).mask([str(user_id or "")], candidates[ITEM_ID].to_numpy(), model._history,
                                      model.items_, model.users_, values)[0]
        return candidates[allowed].head(n)

    def _resolve_filter(self, filter_arn: str | None, operation: str) -> Any:
        if not filter_arn:
            return None
        if filter_arn not in self.filters:
            raise _not_found(operation, "filter", filter_arn)
        found = self.filters[filter_arn]
        if found.selects_users:
            raise client_error("InvalidInputException", f"{filter_arn} selects users (UserID); user filters apply to "
                               "batch segment jobs. Pass an ItemID filter here.", operation)
        return found

    def _respond(self, frame: pd.DataFrame, key: str) -> dict[str, Any]:
        self._requests += 1
        recommendation_id = f"RID-{uuid.uuid4().hex}"
        items = [str(i) for i in frame[ITEM_ID].tolist()]
        scores = frame[SCORE].to_numpy(dtype=float).tolist()
        listing = [{"itemId": i} if s != s else {"itemId": i, "score": s} for i, s in zip(items, scores)]  # NaN: unscored
        self._served[recommendation_id] = items
        if len(self._served) > self._max_served:
            self._served.popitem(last=False)
        return {key: listing, "recommendationId": recommendation_id, "ResponseMetadata": response_metadata()}


@dataclasses.dataclass
class _DatasetGroup:
    name: str
    arn: str
    domain: str | None
    tracker: EventTracker
    tracker_created: bool = False
    campaigns: list[Campaign] = dataclasses.field(default_factory=list)
    filters: dict[str, Any] = dataclasses.field(default_factory=dict)


class PersonalizeRuntime(Locked):
    """An in-process stand-in for one AWS account's Amazon Personalize resources.

    Control-plane calls (``create_dataset_group``, ``create_event_tracker``,
    ``create_filter``) are validated against the ``personalize`` model; data-plane
    calls (``put_events``, ``put_items``, ``put_users``, ``get_recommendations``,
    ``get_personalized_ranking``) against ``personalize-events`` /
    ``personalize-runtime``, and return boto3-shaped dicts. :meth:`deploy` stands
    in for CreateSolution + CreateSolutionVersion + CreateCampaign.

    Example::

        rt = PersonalizeRuntime()
        group = rt.create_dataset_group(name="shop")["datasetGroupArn"]
        tracking_id = rt.create_event_tracker(name="web", datasetGroupArn=group)["trackingId"]
        campaign = rt.deploy(model, name="home-page", datasetGroupArn=group)
        rt.put_events(trackingId=tracking_id, userId="u1", sessionId="s1",
                      eventList=[{"eventType": "click", "itemId": "i9", "sentAt": 1_700_000_000}])
        rt.get_recommendations(campaignArn=campaign.campaign_arn, userId="u1", numResults=10)

    Batch jobs read and write ``s3://`` paths under ``s3_root`` (no campaign needed)::

        rt = PersonalizeRuntime(s3_root="s3-folder")   # s3://shop/in/q.json is s3-folder/shop/in/q.json
        arn = rt.create_solution_version(ItemAttributeAffinity().fit(interactions, items))["solutionVersionArn"]
        rt.create_batch_segment_job(jobName="hiking-mail", solutionVersionArn=arn, numResults=100, roleArn=role,
                                    jobInput={"s3DataSource": {"path": "s3://shop/in/q.json"}},
                                    jobOutput={"s3DataDestination": {"path": "s3://shop/out/"}})
    """

    def __init__(self, max_future_seconds: float | None = MAX_FUTURE_SECONDS,
                 s3_root: str | Path | None = None) -> None:
        self._groups: dict[str, _DatasetGroup] = {}
        self._campaigns: dict[str, Campaign] = {}
        self._solution_versions: dict[str, tuple[Any, str]] = {}
        self._batch_jobs: dict[str, BatchJob] = {}
        self.max_future_seconds = max_future_seconds
        """Passed to every event tracker: how far ahead of its clock a ``sentAt`` may lie (None = no check)."""
        self.s3 = LocalS3(Path(s3_root)) if s3_root is not None else None
        """The local folder batch jobs read ``s3://`` paths from and write them to (``s3_root``)."""
        self._new_lock()  # control plane: creating groups, trackers, filters, campaigns


    def __repr__(self) -> str:
        return f"PersonalizeRuntime(dataset_groups={len(self._groups)}, campaigns={len(self._campaigns)})"

    # --------------------------------------------------------- control plane
    def create_dataset_group(self, **params: Any) -> dict[str, Any]:
        """CreateDatasetGroup(name=, domain=None) -> ``{"datasetGroupArn", "domain"}``."""
        validate_request(ADMIN_SERVICE, "CreateDatasetGroup", params)
        check_service_limits(ADMIN_SERVICE, "CreateDatasetGroup", params)
        arn = make_arn("dataset-group", params["name"])
        with self._lock:
            if arn in self._groups:
                raise client_error("ResourceAlreadyExistsException", f"dataset group {arn} already exists.",
                                   "CreateDatasetGroup")
            self._groups[arn] = _DatasetGroup(params["name"], arn, params.get("domain"),
                                              EventTracker("pending", arn, max_future_seconds=self.max_future_seconds))
        return {"datasetGroupArn": arn, "domain": params.get("domain"), "ResponseMetadata": response_metadata()}

    def create_event_tracker(self, **params: Any) -> dict[str, Any]:
        """CreateEventTracker(name=, datasetGroupArn=) -> ``{"eventTrackerArn", "trackingId"}``.

        Only one event tracker per dataset group: a second call for the same group
        raises ``ResourceAlreadyExistsException`` (the docs say "you will get an
        error"; this is the matching code among the errors the API model lists).
        """
        operation = "CreateEventTracker"
        validate_request(ADMIN_SERVICE, operation, params)
        check_service_limits(ADMIN_SERVICE, operation, params)
        group = self._group(params["datasetGroupArn"], operation)
        with self._lock:
            if group.tracker_created:
                raise client_error(
                    "ResourceAlreadyExistsException",
                    f"dataset group {group.arn} already has the event tracker {group.tracker.event_tracker_arn}; "
                    "only one event tracker per dataset group is allowed. Reuse its trackingId.",
                    operation,
                )
            old = group.tracker
            tracker = EventTracker(params["name"], group.arn, max_future_seconds=self.max_future_seconds)
            tracker._item_rows, tracker._user_rows = old._item_rows, old._user_rows
            for campaign in group.campaigns:
                _connect(tracker, campaign)
            group.tracker, group.tracker_created = tracker, True
        return {"eventTrackerArn": tracker.event_tracker_arn, "trackingId": tracker.tracking_id,
                "ResponseMetadata": response_metadata()}

    def create_filter(self, **params: Any) -> dict[str, Any]:
        """CreateFilter(name=, datasetGroupArn=, filterExpression=) -> ``{"filterArn"}``.

        The expression is parsed at once and its fields are checked against the
        Items / Users data the dataset group holds so far (the deployed models'
        items and users frames plus PutItems / PutUsers records): a malformed
        expression, an unknown field (``Items.NOPE``), a textual or boolean field,
        or a numeric comparison on a categorical field (``Items.CATEGORY_L1 > 3``)
        raises ``InvalidInputException`` naming the problem. A dataset the group
        holds no data for yet can't be checked; its conditions are checked when a
        request applies the filter (again as ``InvalidInputException``). At most 10
        filters per dataset group (the default quota) -> ``LimitExceededException``.
        """
        operation = "CreateFilter"
        validate_request(ADMIN_SERVICE, operation, params)
        check_service_limits(ADMIN_SERVICE, operation, params)
        group = self._group(params["datasetGroupArn"], operation)
        arn = make_arn("filter", params["name"])
        if any(arn in g.filters for g in self._groups.values()):
            raise client_error("ResourceAlreadyExistsException", f"filter {arn} already exists.", operation)
        if len(group.filters) >= MAX_FILTERS_PER_DATASET_GROUP:
            raise client_error("LimitExceededException",
                               f"dataset group {group.arn} already has {MAX_FILTERS_PER_DATASET_GROUP} filters "
                               "(default quota). Delete one first.", operation)
        from ..recommenders.filters import is_user_filter, parse_filter, parse_user_filter

        try:
            expression = params["filterExpression"]
            # INCLUDE|EXCLUDE UserID ... selects the users of batch segment jobs (fact sheet §4.1)
            parsed = parse_user_filter(expression) if is_user_filter(expression) else parse_filter(expression)
            parsed.check_schema(*_group_metadata(group))
        except FilterExpressionError as exc:
            raise client_error("InvalidInputException", f"filterExpression is invalid: {exc}", operation) from None
        with self._lock:
            if len(group.filters) >= MAX_FILTERS_PER_DATASET_GROUP:
                raise client_error("LimitExceededException",
                                   f"dataset group {group.arn} already has {MAX_FILTERS_PER_DATASET_GROUP} filters "
                                   "(default quota). Delete one first.", operation)
            group.filters[arn] = parsed
        return {"filterArn": arn, "ResponseMetadata": response_metadata()}

    def deploy(self, model: Recommender, name: str = "campaign", datasetGroupArn: str | None = None,
               **campaign_options: Any) -> Campaign:
        """Deploy a fitted model as a campaign of a dataset group (created if needed).

        ``campaign_options`` go to :class:`Campaign` (``recipe_type``, ``exclude_seen``...).
        The group's event tracker, if any, forwards its events to the new campaign.
        """
        if datasetGroupArn is None:
            datasetGroupArn = self._default_group()
        group = self._group(datasetGroupArn, "CreateCampaign")
        campaign = Campaign(model, name, dataset_group_arn=group.arn, **campaign_options)
        with self._lock:
            if campaign.campaign_arn in self._campaigns:
                raise client_error("ResourceAlreadyExistsException",
                                   f"campaign {campaign.campaign_arn} already exists.", "CreateCampaign")
            campaign.filters = group.filters
            group.campaigns.append(campaign)
            self._campaigns[campaign.campaign_arn] = campaign
            if group.tracker_created:
                _connect(group.tracker, campaign)
        return campaign

    # ------------------------------------------------------------ batch jobs
    def create_solution_version(self, model: Any, name: str = "solution",
                                datasetGroupArn: str | None = None) -> dict[str, Any]:
        """A fitted model as a solution version for batch jobs -> ``{"solutionVersionArn"}``.

        Stands in for CreateSolution + CreateSolutionVersion (the model is already trained),
        as :meth:`deploy` does for campaigns; batch jobs need no campaign. ``model`` is a
        workbench recommender or a USER_SEGMENTATION model
        (:class:`~workbench.recommenders.ItemAffinity` / :class:`~workbench.recommenders.ItemAttributeAffinity`).
        """
        if not getattr(model, "is_fitted", False):
            raise ModelNotFittedError(f"cannot create a solution version from an unfitted {type(model).__name__}: "
                                      "call model.fit(interactions) first.")
        if datasetGroupArn is None:
            datasetGroupArn = self._default_group()
        self._group(datasetGroupArn, "CreateSolutionVersion")
        with self._lock:
            arn = make_arn("solution", f"{name}/{len(self._solution_versions) + 1:08x}")
            self._solution_versions[arn] = (model, datasetGroupArn)
        return {"solutionVersionArn": arn, "ResponseMetadata": response_metadata()}

    def create_batch_inference_job(self, **params: Any) -> dict[str, Any]:
        """CreateBatchInferenceJob(jobName=, solutionVersionArn=, jobInput=, jobOutput=, roleArn=, numResults=25, filterArn=).

        Reads ``{"userId": ...}`` (USER_PERSONALIZATION), ``{"itemId": ...}`` (RELATED_ITEMS) or
        ``{"userId": ..., "itemList": [...]}`` (PERSONALIZED_RANKING) lines, one optional
        ``filterValues`` object per line, and writes ``{"input", "output": {"recommendedItems",
        "scores"}, "error"}`` lines (see :mod:`workbench.personalize.batch`). A USER_SEGMENTATION
        or Trending-Now solution version is an ``InvalidInputException``.
        """
        operation = "CreateBatchInferenceJob"
        model, group, params = self._batch_request(operation, params)
        from ..recommenders.statistical import TrendingNow

        if hasattr(model, "segment"):
            raise client_error("InvalidInputException", f"{params['solutionVersionArn']} was trained with a "
                               "USER_SEGMENTATION recipe: it makes user segments (CreateBatchSegmentJob), not item "
                               "recommendations.", operation)
        if isinstance(model, TrendingNow):
            raise client_error("InvalidInputException", "Trending-Now has no batch recommendations; call a campaign "
                               "in real time instead.", operation)
        for unsupported in ("batchInferenceJobConfig", "themeGenerationConfig"):
            if unsupported in params:
                raise NotImplementedError(f"{operation}: {unsupported} is validated but not played by the workbench.")
        if params.get("batchInferenceJobMode", "BATCH_INFERENCE") != "BATCH_INFERENCE":
            raise NotImplementedError(f"{operation}: only batchInferenceJobMode BATCH_INFERENCE is played.")
        _job_filter(group, params, operation, selects_users=False)  # checked once for the job, not on every line
        campaign = Campaign(model, params["jobName"], dataset_group_arn=group.arn)
        campaign.filters = group.filters
        n = params.get("numResults", BATCH_DEFAULT_RESULTS)
        common = {k: params[k] for k in ("filterArn",) if k in params}

        def answer(line: dict[str, Any]) -> dict[str, Any]:
            request = {**common, **({"filterValues": line["filterValues"]} if "filterValues" in line else {})}
            if campaign.recipe_type == PERSONALIZED_RANKING:
                response = campaign.get_personalized_ranking(userId=line.get("userId"), inputList=line.get("itemList"),
                                                             **request)
                listing = response["personalizedRanking"]
            elif campaign.recipe_type == RELATED_ITEMS:
                listing = campaign.get_recommendations(itemId=line.get("itemId"), numResults=n, **request)["itemList"]
            else:
                listing = campaign.get_recommendations(userId=line.get("userId"), numResults=n, **request)["itemList"]
            return {"input": line, "output": {"recommendedItems": [e["itemId"] for e in listing],
                                              "scores": [e.get("score") for e in listing]}, "error": None}

        return self._run_batch("batchInferenceJob", "batch-inference-job", params, answer)

    def create_batch_segment_job(self, **params: Any) -> dict[str, Any]:
        """CreateBatchSegmentJob(jobName=, solutionVersionArn=, jobInput=, jobOutput=, roleArn=, numResults=).

        Only for USER_SEGMENTATION solution versions: ``{"itemId": ...}`` lines for
        Item-Affinity (at most 500 per file), ``{"itemAttributes": "ITEMS.<COL> = \"v\" AND ..."}``
        lines for Item-Attribute-Affinity (at most 10 per file). Each output line lists
        ``recommendedUsers``, most likely first; without ``numResults`` every trained user.
        ``filterArn`` may name a user filter of the dataset group (``INCLUDE|EXCLUDE UserID WHERE
        Users.<FIELD> ...``; fact sheet §4.1: a filter ARN on the job, ``filterValues`` in the input
        JSON). Workbench choices: it is applied before the segment is cut at ``numResults``, it reads
        the solution version's users frame and then the group's PutUsers records, and an ItemID filter
        is refused on a segment job (as a UserID filter is refused by GetRecommendations and batch
        inference jobs).
        """
        operation = "CreateBatchSegmentJob"
        model, group, params = self._batch_request(operation, params)
        if not hasattr(model, "segment"):
            raise client_error("InvalidInputException", f"{params['solutionVersionArn']} was not trained with a "
                               "USER_SEGMENTATION recipe (Item-Affinity or Item-Attribute-Affinity); batch segment "
                               "jobs need one. For item recommendations use CreateBatchInferenceJob.", operation)
        user_filter = _job_filter(group, params, operation, selects_users=True)
        users_data = _users_of(model, group)
        if user_filter is not None:
            if users_data is None:
                raise client_error("InvalidInputException", f"{params['filterArn']} tests the Users dataset, but the "
                                   "solution version has no users data: fit the model with users=... or send "
                                   "PutUsers records first.", operation)
            try:
                user_filter.check_schema(None, users_data)  # the fields, before any line is answered
            except FilterExpressionError as exc:
                raise client_error("InvalidInputException", f"{params['filterArn']} can't select users here: {exc}",
                                   operation) from None
        attributes = hasattr(model, "segment_attributes")
        key = "itemAttributes" if attributes else "itemId"
        limit = MAX_ATTRIBUTE_QUERIES_PER_FILE if attributes else MAX_ITEM_QUERIES_PER_FILE
        n = params.get("numResults")

        def check_file(lines: list[dict[str, Any]], path: Path) -> None:
            if len(lines) > limit:
                raise client_error("InvalidInputException", f"{path.name} has {len(lines)} queries; {model.name} "
                                   f"takes at most {limit} per input file. Split the file.", operation)

        def kept(users: list[str], line: dict[str, Any]) -> list[str]:
            """The segment after the job's user filter (with the line's filterValues), cut at numResults."""
            if user_filter is not None:
                values = line.get("filterValues")
                if values is not None and not isinstance(values, dict):
                    raise ValueError(f'filterValues must be an object such as {{"LEVEL": "\\"gold\\""}}, got {values!r}')
                _check_filter_values(user_filter, values, operation)
                allowed = user_filter.user_mask(users, users_data, values)
                users = [u for u, ok in zip(users, allowed) if ok]
            return users if n is None else users[:n]

        def answer(line: dict[str, Any]) -> dict[str, Any]:
            query = line.get(key)
            if not isinstance(query, str) or not query:
                raise ValueError(f"{model.name} input lines need a non-empty string {key!r}; got {line}")
            wanted = None if user_filter is not None else n  # a filter is applied before the cut
            if attributes:
                users = model.segment_attributes(query, n=wanted)["USER_ID"].tolist()
                if not users:
                    raise ValueError(f"no trained item matches {query!r}")
                return {"itemAttributes": query, "output": {"recommendedUsers": kept(users, line)}}
            if model.unknown_items([query]):
                raise ValueError(f"item {query!r} has no interactions in the training data, so the workbench's "
                                 "Item-Affinity learnt nothing about it; train a new solution version once it has "
                                 "interactions.")
            users = model.segment([query], n=wanted)["USER_ID"].tolist()
            return {"input": {"itemId": query}, "output": {"recommendedUsers": kept(users, line)}}

        return self._run_batch("batchSegmentJob", "batch-segment-job", params, answer, check_file)

    def describe_batch_inference_job(self, **params: Any) -> dict[str, Any]:
        """DescribeBatchInferenceJob(batchInferenceJobArn=) -> ``{"batchInferenceJob": {...}}``."""
        return self._describe_batch("DescribeBatchInferenceJob", "batchInferenceJob", params)

    def describe_batch_segment_job(self, **params: Any) -> dict[str, Any]:
        """DescribeBatchSegmentJob(batchSegmentJobArn=) -> ``{"batchSegmentJob": {...}}``."""
        return self._describe_batch("DescribeBatchSegmentJob", "batchSegmentJob", params)

    def _default_group(self) -> str:
        """The ``workbench`` dataset group (created on first use; a concurrent creator's group is kept)."""
        arn = make_arn("dataset-group", "workbench")
        if arn not in self._groups:
            try:
                self.create_dataset_group(name="workbench")
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise
        return arn

    def _batch_request(self, operation: str, params: dict[str, Any]) -> tuple[Any, _DatasetGroup, dict[str, Any]]:
        validate_request(ADMIN_SERVICE, operation, params)
        check_service_limits(ADMIN_SERVICE, operation, params)
        if self.s3 is None:
            raise client_error("InvalidInputException", "this PersonalizeRuntime has no local S3: create it with "
                               "PersonalizeRuntime(s3_root='some/folder') so s3:// paths map to files.", operation)
        arn = params["solutionVersionArn"]
        if arn not in self._solution_versions:
            raise _not_found(operation, "solution version", arn)
        model, group_arn = self._solution_versions[arn]
        return model, self._groups[group_arn], dict(params)

    def _run_batch(self, kind: str, resource: str, params: dict[str, Any], answer: Any,
                   check_file: Any = None) -> dict[str, Any]:
        arn = make_arn(resource, params["jobName"])
        job = BatchJob(kind, arn, params, status="CREATE PENDING")
        with self._lock:  # the name is taken before the job runs, so two callers can't both run it
            if arn in self._batch_jobs:
                raise client_error("ResourceAlreadyExistsException", f"{arn} already exists.",
                                   f"Create{kind[0].upper()}{kind[1:]}")
            self._batch_jobs[arn] = job
        try:
            run_job(job, self.s3, answer, check_file)
        except BaseException:
            with self._lock:
                del self._batch_jobs[arn]  # refused before anything was written: the name is free again
            raise
        job.status = "ACTIVE"
        return {f"{kind}Arn": arn, "ResponseMetadata": response_metadata()}

    def _describe_batch(self, operation: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
        validate_request(ADMIN_SERVICE, operation, params)
        arn = params[f"{kind}Arn"]
        job = self._batch_jobs.get(arn)
        if job is None or job.kind != kind:
            raise _not_found(operation, kind, arn)
        return {kind: job.describe(), "ResponseMetadata": response_metadata()}

    # ------------------------------------------------------------ accessors
    def tracker(self, datasetGroupArn: str) -> EventTracker:
        """The event tracker of a dataset group (ResourceNotFoundException if none was created)."""
        group = self._group(datasetGroupArn, "DescribeEventTracker")
        if not group.tracker_created:
            raise _not_found("DescribeEventTracker", "event tracker of", datasetGroupArn)
        return group.tracker

    def campaign(self, campaignArn: str) -> Campaign:
        """The campaign with this ARN."""
        if campaignArn not in self._campaigns:
            raise _not_found("DescribeCampaign", "campaign", campaignArn)
        return self._campaigns[campaignArn]

    @property
    def campaigns(self) -> tuple[Campaign, ...]:
        """Every deployed campaign."""
        return tuple(self._campaigns.values())

    # ----------------------------------------------------------- data plane
    def put_events(self, **params: Any) -> dict[str, Any]:
        """PutEvents, routed to the tracker that owns ``trackingId`` (see :meth:`EventTracker.put_events`)."""
        tracking_id = params.get("trackingId")
        for group in list(self._groups.values()):  # a copy: another thread may create a group meanwhile
            if group.tracker_created and group.tracker.tracking_id == tracking_id:
                return group.tracker.put_events(**params)
        validate_request(EVENTS_SERVICE, "PutEvents", params)
        raise client_error("InvalidInputException",
                           f"trackingId {tracking_id!r} does not belong to any event tracker; use the trackingId "
                           "returned by CreateEventTracker.", "PutEvents")

    def put_items(self, **params: Any) -> dict[str, Any]:
        """PutItems, routed to the dataset group that owns ``datasetArn``."""
        return self._store_for(params, "PutItems").put_items(**params)

    def put_users(self, **params: Any) -> dict[str, Any]:
        """PutUsers, routed to the dataset group that owns ``datasetArn``."""
        return self._store_for(params, "PutUsers").put_users(**params)

    def get_recommendations(self, **params: Any) -> dict[str, Any]:
        """GetRecommendations(campaignArn=, userId=|itemId=, numResults=25, filterArn=, filterValues=, context=)."""
        operation = "GetRecommendations"
        validate_request(RUNTIME_SERVICE, operation, params)
        check_service_limits(RUNTIME_SERVICE, operation, params)
        arn = params.get("campaignArn")
        if not arn:
            if params.get("recommenderArn"):
                raise _not_found(operation, "recommender", params["recommenderArn"])
            raise client_error("InvalidInputException", "campaignArn (or recommenderArn) is required.", operation)
        if arn not in self._campaigns:
            raise _not_found(operation, "campaign", arn)
        return self._campaigns[arn]._serve(params)

    def get_personalized_ranking(self, **params: Any) -> dict[str, Any]:
        """GetPersonalizedRanking(campaignArn=, userId=, inputList=[...])."""
        validate_request(RUNTIME_SERVICE, "GetPersonalizedRanking", params)
        campaign = self.campaign(params["campaignArn"])
        check_service_limits(RUNTIME_SERVICE, "GetPersonalizedRanking", params)
        return campaign._rank(params)

    # -------------------------------------------------------------- helpers
    def _group(self, arn: str, operation: str) -> _DatasetGroup:
        if arn not in self._groups:
            raise _not_found(operation, "dataset group", arn)
        return self._groups[arn]

    def _store_for(self, params: Mapping[str, Any], operation: str) -> EventTracker:
        arn = params.get("datasetArn")
        for group in list(self._groups.values()):
            if arn in (group.tracker.items_dataset_arn, group.tracker.users_dataset_arn):
                return group.tracker
        validate_request(EVENTS_SERVICE, operation, params)
        raise _not_found(operation, "dataset", str(arn))


def _connect(tracker: EventTracker, campaign: Campaign) -> None:
    tracker.attach(campaign)  # also registers the tracker with the campaign


def _group_metadata(group: _DatasetGroup) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Items and Users data a dataset group holds: its models' frames and its PutItems / PutUsers records."""
    out = []
    for attribute, records in (("items_", group.tracker.items), ("users_", group.tracker.users)):
        frames = [f for c in group.campaigns if isinstance(f := getattr(c.model, attribute, None), pd.DataFrame)]
        if len(records.columns) > 1:
            frames.append(records)
        out.append(pd.concat([f.head(1000) for f in frames], ignore_index=True, sort=False) if frames else None)
    return out[0], out[1]


def _job_filter(group: _DatasetGroup, params: Mapping[str, Any], operation: str, selects_users: bool) -> Any:
    """The batch job's ``filterArn`` filter of the group (None without one): it must exist and select
    users for a segment job (``selects_users``) or items for an inference job."""
    arn = params.get("filterArn")
    if arn is None:
        return None
    if arn not in group.filters:
        raise _not_found(operation, "filter", arn)
    found = group.filters[arn]
    if found.selects_users and not selects_users:
        raise client_error("InvalidInputException", f"{arn} selects users (UserID); a batch inference job takes an "
                           "ItemID filter. User filters apply to batch segment jobs.", operation)
    if selects_users and not found.selects_users:
        raise client_error("InvalidInputException", f"{arn} selects items; a batch segment job takes a user filter "
                           "(INCLUDE|EXCLUDE UserID WHERE Users.<FIELD> ...).", operation)
    return found


def _users_of(model: Any, group: _DatasetGroup) -> pd.DataFrame | None:
    """Users data a segment job's user filter reads: the solution version's users frame, then the group's
    PutUsers records (later, so an updated user's newest record counts; other campaigns' frames are not read)."""
    frames = [f for f in (getattr(model, "users_", None), group.tracker.users) if isinstance(f, pd.DataFrame) and len(f)]
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)  # of a repeated USER_ID, the last row counts (as in filters)


def _check_filter_values(flt: Any, values: Mapping[str, Any] | None, operation: str) -> None:
    """Every required ``$PARAMETER`` of the filter has a value in ``filterValues``."""
    if flt is None:
        return
    missing = flt.missing_parameters(values)
    if missing:
        given = ", ".join(sorted(values)) if values else "none"
        raise client_error(
            "InvalidInputException",
            f"filterValues has no value for ${missing[0]}, which the filter {str(flt)!r} requires "
            f"(values given: {given}). Pass filterValues={{\"{missing[0]}\": '\"value\"'}}; only parameters of "
            "EXCLUDE expressions may be left out.",
            operation,
        )


def _compact_tracked(model: Any) -> None:
    """Merge the per-call event frames a model keeps for its filters once many small ones piled up.

    Models that record events through the base class keep one frame per update
    call (kilobytes each); merging the small tail into one frame bounds that to a
    few bytes per event and keeps the next filtered request's concatenation short.
    """
    chunks = getattr(model, "_tracked_chunks", None)
    if not isinstance(chunks, list) or len(chunks) < _COMPACT_EVERY:
        return
    small = 0
    for chunk in reversed(chunks):
        if len(chunk[USER_ID]) >= _COMPACT_EVERY:
            break
        small += 1
    if small >= _COMPACT_EVERY:
        tail = [c if isinstance(c, pd.DataFrame) else pd.DataFrame(c) for c in chunks[-small:]]
        chunks[-small:] = [pd.concat(tail, ignore_index=True)]


def _not_found(operation: str, kind: str, arn: str) -> Exception:
    return client_error("ResourceNotFoundException", f"{kind} {arn} does not exist.", operation, status=404)


def _accepts(method: Any, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
        return False


@functools.cache
def _takes_impressions(track: Any) -> bool:
    """:func:`_accepts` for a model class's ``track`` and ``impressions``, looked up once per function
    (it runs on every PutEvents call; keyed by the plain function, so no model instance is kept)."""
    return _accepts(track, "impressions")
