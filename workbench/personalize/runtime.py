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
model never saw are appended at the end, as the Personalized-Ranking page says).
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

Workbench choices (not service facts): resources are ``ACTIVE`` immediately;
``numResults=0`` returns an empty list; ``context`` is passed to a model's
``recommend`` only if that method accepts a ``context`` argument; ``promotions``
and ``metadataColumns`` are validated and then refused with ``NotImplementedError``;
by default a campaign does not hide items the user already interacted with --
use a filter such as ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")``.
"""

from __future__ import annotations

import collections
import dataclasses
import inspect
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..constants import ITEM_ID, SCORE
from ..errors import FilterExpressionError, ModelNotFittedError
from ..recommenders.base import Recommender
from .arn import make_arn
from .contract import (
    ADMIN_SERVICE,
    EVENTS_SERVICE,
    RUNTIME_SERVICE,
    check_service_limits,
    client_error,
    response_metadata,
    validate_request,
)
from .event_tracker import EventTracker

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


class Campaign:
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
        """Hand tracked events to the deployed model (``model.update``)."""
        self.model.update(events)
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

    def refresh_filter_data(self) -> Campaign:
        """Let filters see PutItems / PutUsers records now (on AWS: within 20 minutes, §3.3)."""
        for tracker in self.trackers:
            self.model.items_ = tracker.merged_items(self.model.items_)
            self.model.users_ = tracker.merged_users(self.model.users_)
        return self

    # ------------------------------------------------------ recommendations
    def served_items(self, recommendation_id: str) -> list[str] | None:
        """Item ids of a list this campaign served (None if unknown or forgotten)."""
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

    def _checked_request(self, operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with this campaign's ARN filled in, validated like boto3 and the service would."""
        params = {"campaignArn": self.campaign_arn, **params}
        validate_request(RUNTIME_SERVICE, operation, params)
        check_service_limits(RUNTIME_SERVICE, operation, params)
        if params["campaignArn"] != self.campaign_arn:
            raise _not_found(operation, "campaign", params["campaignArn"])
        return params

    def _serve(self, params: Mapping[str, Any]) -> dict[str, Any]:
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

        Items the model cannot score (not in its training data) keep their input
        order at the end of the list, without a score.
        """
        return self._rank(self._checked_request("GetPersonalizedRanking", params))

    def _rank(self, params: Mapping[str, Any]) -> dict[str, Any]:
        operation = "GetPersonalizedRanking"
        if self.recipe_type != PERSONALIZED_RANKING:
            raise client_error("InvalidInputException",
                               f"campaign {self.name!r} serves {self.recipe_type}, not PERSONALIZED_RANKING.",
                               operation)
        inputs = [str(i) for i in params["inputList"]]
        if len(inputs) > MAX_INPUT_LIST:
            raise client_error("InvalidInputException",
                               f"inputList has {len(inputs)} items; at most {MAX_INPUT_LIST} are allowed.", operation)
        flt = self._resolve_filter(params.get("filterArn"), operation)
        ranked = self._personalized(params["userId"], len(self.model.item_vocab), flt,
                                    params.get("filterValues"), params.get("context"))
        scores = dict(zip(ranked[ITEM_ID], ranked[SCORE]))
        known = sorted((i for i in dict.fromkeys(inputs) if i in scores), key=lambda i: -scores[i])
        unknown = [i for i in dict.fromkeys(inputs) if i not in self.model.item_vocab]
        frame = pd.DataFrame({ITEM_ID: known + unknown, SCORE: [scores[i] for i in known] + [np.nan] * len(unknown)})
        return self._respond(frame, "personalizedRanking")

    def _personalized(self, user_id: str, n: int, flt: Any, values: Any, context: Any) -> pd.DataFrame:
        kwargs: dict[str, Any] = {"n": n, "exclude_seen": self.exclude_seen, "filter": flt, "filter_values": values}
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
        return self.filters[filter_arn]

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


class PersonalizeRuntime:
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
    """

    def __init__(self) -> None:
        self._groups: dict[str, _DatasetGroup] = {}
        self._campaigns: dict[str, Campaign] = {}

    def __repr__(self) -> str:
        return f"PersonalizeRuntime(dataset_groups={len(self._groups)}, campaigns={len(self._campaigns)})"

    # --------------------------------------------------------- control plane
    def create_dataset_group(self, **params: Any) -> dict[str, Any]:
        """CreateDatasetGroup(name=, domain=None) -> ``{"datasetGroupArn", "domain"}``."""
        validate_request(ADMIN_SERVICE, "CreateDatasetGroup", params)
        check_service_limits(ADMIN_SERVICE, "CreateDatasetGroup", params)
        arn = make_arn("dataset-group", params["name"])
        if arn in self._groups:
            raise client_error("ResourceAlreadyExistsException", f"dataset group {arn} already exists.",
                               "CreateDatasetGroup")
        self._groups[arn] = _DatasetGroup(params["name"], arn, params.get("domain"), EventTracker("pending", arn))
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
        if group.tracker_created:
            raise client_error(
                "ResourceAlreadyExistsException",
                f"dataset group {group.arn} already has the event tracker {group.tracker.event_tracker_arn}; "
                "only one event tracker per dataset group is allowed. Reuse its trackingId.",
                operation,
            )
        old = group.tracker
        tracker = EventTracker(params["name"], group.arn)
        tracker._item_rows, tracker._user_rows = old._item_rows, old._user_rows
        for campaign in group.campaigns:
            _connect(tracker, campaign)
        group.tracker, group.tracker_created = tracker, True
        return {"eventTrackerArn": tracker.event_tracker_arn, "trackingId": tracker.tracking_id,
                "ResponseMetadata": response_metadata()}

    def create_filter(self, **params: Any) -> dict[str, Any]:
        """CreateFilter(name=, datasetGroupArn=, filterExpression=) -> ``{"filterArn"}``.

        The expression is parsed at once; a malformed one raises
        ``InvalidInputException`` with the parser's explanation. At most 10 filters
        per dataset group (the default quota) -> ``LimitExceededException``.
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
        from ..recommenders.filters import parse_filter

        try:
            parsed = parse_filter(params["filterExpression"])
        except FilterExpressionError as exc:
            raise client_error("InvalidInputException", f"filterExpression is invalid: {exc}", operation) from None
        group.filters[arn] = parsed
        return {"filterArn": arn, "ResponseMetadata": response_metadata()}

    def deploy(self, model: Recommender, name: str = "campaign", datasetGroupArn: str | None = None,
               **campaign_options: Any) -> Campaign:
        """Deploy a fitted model as a campaign of a dataset group (created if needed).

        ``campaign_options`` go to :class:`Campaign` (``recipe_type``, ``exclude_seen``...).
        The group's event tracker, if any, forwards its events to the new campaign.
        """
        if datasetGroupArn is None:
            datasetGroupArn = make_arn("dataset-group", "workbench")
            if datasetGroupArn not in self._groups:
                self.create_dataset_group(name="workbench")
        group = self._group(datasetGroupArn, "CreateCampaign")
        campaign = Campaign(model, name, dataset_group_arn=group.arn, **campaign_options)
        if campaign.campaign_arn in self._campaigns:
            raise client_error("ResourceAlreadyExistsException", f"campaign {campaign.campaign_arn} already exists.",
                               "CreateCampaign")
        campaign.filters = group.filters
        group.campaigns.append(campaign)
        self._campaigns[campaign.campaign_arn] = campaign
        if group.tracker_created:
            _connect(group.tracker, campaign)
        return campaign

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
        for group in self._groups.values():
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
        for group in self._groups.values():
            if arn in (group.tracker.items_dataset_arn, group.tracker.users_dataset_arn):
                return group.tracker
        validate_request(EVENTS_SERVICE, operation, params)
        raise _not_found(operation, "dataset", str(arn))


def _connect(tracker: EventTracker, campaign: Campaign) -> None:
    tracker.attach(campaign)  # also registers the tracker with the campaign


def _not_found(operation: str, kind: str, arn: str) -> Exception:
    return client_error("ResourceNotFoundException", f"{kind} {arn} does not exist.", operation, status=404)


def _accepts(method: Any, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
        return False
