"""An in-process Amazon Personalize event tracker (PutEvents, PutItems, PutUsers).

On AWS an event tracker streams events from an application into the Item
interactions dataset of one dataset group: the app calls
``personalize_events.put_events(trackingId=..., userId=..., sessionId=..., eventList=[...])``
and real-time-capable recipes use the events within seconds (fact sheet §2.2, §3).
:class:`EventTracker` accepts the very same keyword arguments, validates them with
botocore's validator against the ``personalize-events`` model that botocore ships
(so a bad call raises the same :class:`botocore.exceptions.ParamValidationError`
boto3 would) and then enforces the documented service-side rules, raising
:class:`botocore.exceptions.ClientError` with code ``InvalidInputException``:

* 1 to 10 events per call; ``trackingId`` and ``sessionId`` required; ``userId``
  optional (anonymous visitors);
* ``eventType`` and ``sentAt`` required on every event;
* ``properties`` is a JSON object of at most 1,024 characters whose keys are
  camelCase (``numRatings`` fills the schema field ``NUM_RATINGS``) and are not
  ``userId``, ``sessionId``, ``eventType``, ``timestamp``, ``recommendationId`` or
  ``impression`` (case-insensitive; the keys the fact sheet lists as reserved);
* **workbench rule** (the fact sheet is silent on these): a property key may not
  name any other field of the event either -- ``itemId``, ``eventId``,
  ``eventValue``, ``sentAt``, ``properties``, ``metricAttribution``,
  ``eventAttributionSource`` -- nor map to a column the log already fills
  (``duplicate`` -> DUPLICATE ...), and two keys may not map to the same column
  (``numRatings`` and ``numRATINGS``). Such a key would silently replace a
  validated field, so it is refused with ``InvalidInputException`` naming the key;
* **workbench rule on time** (the fact sheet only says sentAt is client-side Unix
  time in seconds, §1.2 / §3.2): a numeric ``sentAt`` above 10^11 is refused as
  milliseconds, and an event more than ``max_future_seconds`` (default 30 days)
  ahead of the dataset group's clock -- the newest timestamp it already holds, in
  tracked events or in the training data of attached campaigns -- is refused, so
  one mistyped date can't move the models' clock (popularity decay, item age,
  session fading) a year ahead;
* ``impression`` lists 1 to 25 item ids; ``recommendationId`` has at most 40
  characters; ids at most 256 characters; an event is at most 10 KB;
* ``trackingId`` must be this tracker's own.

Every accepted event becomes one Personalize interaction row (see :attr:`EventTracker.events`):
``userId``/``itemId``/``sentAt`` -> USER_ID / ITEM_ID / TIMESTAMP (epoch seconds;
``sentAt`` may be a ``datetime``, epoch seconds or an ISO-8601 string, as boto3
accepts), ``eventType`` -> EVENT_TYPE, ``eventValue`` -> EVENT_VALUE, ``sessionId``
-> SESSION_ID, ``recommendationId`` -> RECOMMENDATION_ID, ``impression`` ->
IMPRESSION (``|``-joined), ``metricAttribution.eventAttributionSource`` ->
EVENT_ATTRIBUTION_SOURCE and each property -> its UPPER_SNAKE column.

What the workbench does with them, following the fact sheet:

* **Duplicates** (§3.2) -- an event whose ``eventId`` was already recorded, and
  an event with exactly the same timestamp and identical fields as an earlier one
  (user, session, item, type, value, properties, impression, recommendationId,
  attribution), stay in the log with ``DUPLICATE=True`` and are left out of
  training. Two events that both carry an ``eventId`` and whose ids differ are
  *distinct* events, whatever their other fields (the eventId is how the service
  tells events apart); the timestamp-and-fields rule applies when at least one of
  the two has no ``eventId``. Duplicates are **not** forwarded to the campaigns,
  so a real-time model counts each event once.
* **Anonymous visitors** -- events with a ``sessionId`` but no ``userId`` are
  usable in real time when the app passes the sessionId as the userId of
  GetRecommendations; they are left out of training until at least one event of
  the session carries both ids, and at the next full retraining they are
  attributed to that userId (§2.4). :meth:`EventTracker.interactions_for_training`
  applies this rule; :meth:`EventTracker.excluded_from_training` lists what it left out and why.
* **Implicit impressions** -- when an event carries the ``recommendationId`` of a
  list an attached campaign served and no explicit ``impression``, the served
  item ids are recorded as its IMPRESSION; an explicit list wins (§1.4).
* **Forwarding** -- every event is forwarded to every attached campaign's model
  through ``model.update(events)`` (USER_ID = userId, or the sessionId for an
  anonymous visitor). Real-time models (``realtime=True``) change their next
  recommendations at once; the others only record the events for their filters
  and learn them at the next retraining (§2.2). Duplicates are not forwarded.
* **Concurrency** -- one lock per tracker (one tracker per dataset group) makes
  recording and forwarding atomic: the log, the duplicate index and the attached
  models see the events of concurrent ``put_events`` calls one call after the
  other, in the log's order. :class:`~workbench.personalize.Campaign` holds its
  own lock around its model, so requests never read a half-applied update. A
  recommender attached directly (without a Campaign) is updated under the
  tracker's lock only; if other threads call its ``recommend`` meanwhile, deploy
  it in a Campaign instead.
* **Storage** -- the log is kept in compact columns (lists of shared id strings,
  ``array`` columns for timestamps and values, properties as sparse columns),
  a few hundred bytes per event; :attr:`EventTracker.events` builds the frame on
  demand.

Simplifications, stated so nobody learns them as service behaviour: the tracker
is ``ACTIVE`` as soon as it exists (the service goes CREATE PENDING ->
CREATE IN_PROGRESS -> ACTIVE); request rates are not throttled; PutItems and
PutUsers (which on AWS address a dataset ARN, not a tracker) are served here too
because this object holds the dataset group's data.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import uuid
from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from botocore.utils import parse_to_aware_datetime

from ..constants import (
    EVENT_ATTRIBUTION_SOURCE,
    EVENT_TYPE,
    EVENT_VALUE,
    IMPRESSION,
    ITEM_ID,
    RECOMMENDATION_ID,
    SESSION_ID,
    TIMESTAMP,
    USER_ID,
)
from ..errors import DatasetError
from ..locking import Locked
from .arn import dataset_arn, make_arn
from .contract import EVENTS_SERVICE, check_service_limits, client_error, response_metadata, validate_request

__all__ = [
    "EventTracker",
    "EVENT_ID",
    "DUPLICATE",
    "EXCLUSION_REASON",
    "RESERVED_PROPERTY_KEYS",
    "EVENT_FIELD_PROPERTY_KEYS",
    "MAX_EVENT_BYTES",
    "MAX_FUTURE_SECONDS",
    "camel_to_column",
    "epoch_seconds",
    "realtime_view",
]

EVENT_ID = "EVENT_ID"
"""Log column holding the caller's ``eventId`` (empty when none was sent)."""

DUPLICATE = "DUPLICATE"
"""Log column: True for a repeated ``eventId`` or a repeat of an identical event."""

EXCLUSION_REASON = "REASON"
"""Column of :meth:`EventTracker.excluded_from_training` saying why a row is left out."""

RESERVED_PROPERTY_KEYS = frozenset({"userid", "sessionid", "eventtype", "timestamp", "recommendationid", "impression"})
"""Keys ``properties`` may not use (compared case-insensitively), as the fact sheet lists them (§3.2)."""

EVENT_FIELD_PROPERTY_KEYS = frozenset({
    "itemid", "eventid", "eventvalue", "sentat", "properties", "metricattribution", "eventattributionsource",
    "trackingid",
})
"""Further keys the workbench refuses in ``properties``: the other fields of a PutEvents event (botocore's
``Event`` shape) and of its request. The fact sheet is silent on them; accepting them would let a property
overwrite the validated field, so they are rejected (``InvalidInputException``), compared case-insensitively."""

MAX_FUTURE_SECONDS = 30 * 86_400
"""Default of ``EventTracker(max_future_seconds=...)``: how far ahead of the dataset group's clock a ``sentAt``
may lie (a workbench rule, see the module docstring)."""

_MILLISECONDS_FROM = 1e11
"""A numeric sentAt above this (the year 5138 in seconds) is a millisecond timestamp."""

MAX_EVENT_BYTES = 10 * 1024
"""Size limit of one event (10 KB), measured on its JSON serialisation."""

_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BASE_COLUMNS = (
    USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE, SESSION_ID, RECOMMENDATION_ID, IMPRESSION,
    EVENT_ATTRIBUTION_SOURCE, EVENT_ID,
)
_FORWARDED_COLUMNS = (ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE, SESSION_ID, RECOMMENDATION_ID, IMPRESSION)
_PROPERTIES = "_properties"
"""Key of an event row holding its property columns (``{COLUMN: value}``), stored sparsely by the log."""
_PROTECTED_COLUMNS = frozenset(_BASE_COLUMNS) | {DUPLICATE, EXCLUSION_REASON}
_SHARED_COLUMNS = (USER_ID, ITEM_ID, EVENT_TYPE, SESSION_ID, EVENT_ATTRIBUTION_SOURCE)
"""Text columns with few distinct values: the log keeps one string object per distinct value."""
_TEXT_COLUMNS = tuple(c for c in _BASE_COLUMNS if c not in (TIMESTAMP, EVENT_VALUE))
_REASON_DUPLICATE = ("duplicate event (repeated eventId, or the same timestamp and fields as an earlier event "
                     "without a distinct eventId)")
_REASON_NO_ITEM = "no itemId (an Item interactions record needs ITEM_ID)"
_REASON_ANONYMOUS = "anonymous session not yet linked to a userId (send one event with both sessionId and userId)"


def camel_to_column(key: str) -> str:
    """Schema column of a camelCase property key: ``numRatings`` -> ``NUM_RATINGS``."""
    return _UPPER.sub("_", key).upper()


class EventTracker(Locked):
    """Records events like ``boto3.client("personalize-events")`` and feeds attached campaigns.

    Args:
        name: tracker name (goes into its ARN).
        dataset_group_arn: the dataset group the events belong to (default: a
            group called ``workbench``). :class:`~workbench.personalize.PersonalizeRuntime`
            passes its own groups here and enforces one tracker per group.
        max_future_seconds: how far (seconds) a ``sentAt`` may lie ahead of :attr:`clock`,
            the newest timestamp the group holds; default 30 days; None = no check.
            A workbench rule (see the module docstring).

    Attributes:
        tracking_id: the id to pass as ``trackingId`` (deterministic per tracker ARN).
        event_tracker_arn: ``arn:aws:personalize:...:event-tracker/<name>``.
        status: always ``"ACTIVE"`` (see the module docstring).
    """

    def __init__(self, name: str = "event-tracker", dataset_group_arn: str | None = None,
                 max_future_seconds: float | None = MAX_FUTURE_SECONDS) -> None:
        self.name = name
        self.dataset_group_arn = dataset_group_arn or make_arn("dataset-group", "workbench")
        self.event_tracker_arn = make_arn("event-tracker", name)
        self.tracking_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.dataset_group_arn}#{self.event_tracker_arn}"))
        self.status = "ACTIVE"
        self.interactions_dataset_arn = dataset_arn(self.dataset_group_arn, "INTERACTIONS")
        self.items_dataset_arn = dataset_arn(self.dataset_group_arn, "ITEMS")
        self.users_dataset_arn = dataset_arn(self.dataset_group_arn, "USERS")
        self.max_future_seconds = max_future_seconds
        self._log = _EventLog()
        self._cache: pd.DataFrame | None = None
        self._clock = -math.inf  # newest timestamp the dataset group holds (events, attached models' data)
        self._new_lock()
        self._targets: list[Any] = []
        self._item_rows: list[dict[str, Any]] = []
        self._user_rows: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"EventTracker(name={self.name!r}, events={len(self._log)}, attached={len(self._targets)})"


    def __len__(self) -> int:
        return len(self._log)

    def describe(self) -> dict[str, Any]:
        """Like ``DescribeEventTracker``'s ``eventTracker`` block (status simplified to ACTIVE)."""
        return {
            "name": self.name,
            "eventTrackerArn": self.event_tracker_arn,
            "trackingId": self.tracking_id,
            "datasetGroupArn": self.dataset_group_arn,
            "status": self.status,
        }

    @property
    def clock(self) -> float:
        """Newest timestamp (epoch seconds) this dataset group holds; ``-inf`` before any data."""
        return self._clock

    # ------------------------------------------------------------ attachment
    def attach(self, target: Any) -> EventTracker:
        """Forward future events to ``target`` (a :class:`~workbench.personalize.Campaign` or a fitted recommender).

        The target's newest training timestamp joins the tracker's clock (see
        ``max_future_seconds``). Returns ``self`` so calls can be chained.
        """
        if not hasattr(target, "update"):
            raise TypeError(f"can only attach campaigns or recommenders (objects with .update), not {type(target).__name__}")
        with self._lock:
            if all(t is not target for t in self._targets):
                self._targets.append(target)
            self._clock = max(self._clock, _data_clock(target))
        register = getattr(target, "_register_tracker", None)
        if register is not None:  # a campaign retrains on this tracker's events
            register(self)
        return self

    def detach(self, target: Any) -> None:
        """Stop forwarding events to ``target``."""
        with self._lock:
            self._targets = [t for t in self._targets if t is not target]

    @property
    def attached(self) -> tuple[Any, ...]:
        """Campaigns / models that receive the tracked events."""
        return tuple(self._targets)

    # ------------------------------------------------------------- PutEvents
    def put_events(self, **params: Any) -> dict[str, Any]:
        """Record 1-10 events of one visit: the ``personalize-events`` PutEvents call.

        Keyword Args:
            trackingId: this tracker's :attr:`tracking_id` (required).
            userId: the signed-in user (omit for anonymous visitors).
            sessionId: the visit, generated by the app (required).
            eventList: 1-10 dicts with ``eventType`` and ``sentAt`` (required) and
                optional ``itemId``, ``eventId``, ``eventValue``, ``properties``,
                ``recommendationId``, ``impression``, ``metricAttribution``.

        Returns:
            ``{"ResponseMetadata": {...}}`` like boto3.

        Raises:
            botocore.exceptions.ParamValidationError: the request breaks the API model
                (missing/unknown parameter, wrong type, empty list...).
            botocore.exceptions.ClientError: ``InvalidInputException`` for a service-side
                rule or a workbench rule (property keys naming event fields, a ``sentAt``
                in milliseconds or too far in the future); nothing of the call is recorded.

        Thread-safe: concurrent calls are recorded and forwarded one after the other.
        """
        validate_request(EVENTS_SERVICE, "PutEvents", params)
        if params["trackingId"] != self.tracking_id:
            raise client_error(
                "InvalidInputException",
                f"trackingId {params['trackingId']!r} does not belong to event tracker {self.name!r} "
                f"(its trackingId is {self.tracking_id!r}). Use the trackingId returned by CreateEventTracker.",
                "PutEvents",
            )
        check_service_limits(EVENTS_SERVICE, "PutEvents", params)
        user_id = params.get("userId")
        session_id = params["sessionId"]
        events = params["eventList"]
        checked = [(_check_event(event, position), _sent_at_seconds(event["sentAt"], position))
                   for position, event in enumerate(events)]
        with self._lock:
            self._check_clock([t for _, t in checked])
            rows = [self._event_row(event, user_id, session_id, properties, t)
                    for event, (properties, t) in zip(events, checked)]
            fresh = [row for row in rows if not self._log.add(row)]
            self._clock = max(self._clock, max(t for _, t in checked))
            self._cache = None
            if self._targets:
                self._forward_rows(fresh)
        return {"ResponseMetadata": response_metadata()}

    def _check_clock(self, times: list[int]) -> None:
        """Refuse events too far ahead of the group's clock (see ``max_future_seconds``)."""
        if self.max_future_seconds is None or not math.isfinite(self._clock):
            return
        limit = self._clock + self.max_future_seconds
        for position, t in enumerate(times):
            if t > limit:
                raise client_error(
                    "InvalidInputException",
                    f"eventList[{position}].sentAt is {_iso(t)}, {(t - self._clock) / 86_400:,.1f} days after the "
                    f"newest event this dataset group holds ({_iso(self._clock)}); the workbench refuses events more "
                    f"than {self.max_future_seconds / 86_400:g} days ahead of its clock, because one future timestamp "
                    "would age every other event in the models. Send the event's real time (epoch seconds), or "
                    "create the tracker with a larger max_future_seconds (None switches the check off).",
                    "PutEvents",
                )

    def _event_row(self, event: Mapping[str, Any], user_id: str | None, session_id: str,
                   properties: Mapping[str, Any] | None, timestamp: int) -> dict[str, Any]:
        impression = event.get("impression")
        recommendation_id = event.get("recommendationId")
        if impression is None and recommendation_id is not None:
            impression = self._served_list(recommendation_id)
        attribution = event.get("metricAttribution") or {}
        value = event.get("eventValue")
        return {
            USER_ID: user_id,
            ITEM_ID: event.get("itemId"),
            TIMESTAMP: timestamp,
            EVENT_TYPE: event["eventType"],
            EVENT_VALUE: float(value) if value is not None else math.nan,
            SESSION_ID: session_id,
            RECOMMENDATION_ID: recommendation_id,
            IMPRESSION: "|".join(impression) if impression else None,
            EVENT_ATTRIBUTION_SOURCE: attribution.get("eventAttributionSource"),
            EVENT_ID: event.get("eventId"),
            _PROPERTIES: {camel_to_column(k): v for k, v in properties.items()} if properties else None,
        }

    def _served_list(self, recommendation_id: str) -> list[str] | None:
        for target in self._targets:
            served = getattr(target, "served_items", None)
            if served is not None:
                items = served(recommendation_id)
                if items is not None:
                    return items
        return None

    # ------------------------------------------------------------ fast path
    def record_frame(self, events: pd.DataFrame, forward: bool = True) -> EventTracker:
        """Append already-valid events in Personalize interaction format, without per-call validation.

        The fast path for simulations and benchmarks: one call for many events.
        ``events`` needs ITEM_ID, TIMESTAMP (epoch seconds) and USER_ID and/or
        SESSION_ID (a row with only SESSION_ID is an anonymous event); EVENT_TYPE,
        EVENT_VALUE and any other column are optional. Duplicates are still
        flagged in :attr:`events`, left out of training and not forwarded.

        Args:
            events: the events, in time order.
            forward: also pass them to every attached campaign / model in one ``update`` call.

        Raises:
            DatasetError: a required column is missing.
        """
        if not isinstance(events, pd.DataFrame):
            raise TypeError("record_frame needs a pandas DataFrame in Personalize interaction format")
        for column in (ITEM_ID, TIMESTAMP):
            if column not in events.columns:
                raise DatasetError("the events frame has no such column.", column=column,
                                   fix=f"name the columns {ITEM_ID} and {TIMESTAMP} (epoch seconds).")
        if USER_ID not in events.columns and SESSION_ID not in events.columns:
            raise DatasetError("the events frame names no user.", column=USER_ID,
                               fix=f"add {USER_ID} (signed-in users) and/or {SESSION_ID} (anonymous visitors).")
        if events.empty:
            return self
        with self._lock:
            duplicate = np.fromiter((self._log.add(row) for row in _frame_rows(events)), dtype=bool, count=len(events))
            self._clock = max(self._clock, float(pd.to_numeric(events[TIMESTAMP]).max()))
            self._cache = None
            if forward and self._targets:
                self._forward(events[~duplicate] if duplicate.any() else events)
        return self

    def _forward_rows(self, rows: list[dict[str, Any]]) -> None:
        """Forward freshly recorded events, building the small frame straight from the rows."""
        kept = [r for r in rows if r[ITEM_ID] is not None]
        if not kept:
            return
        columns = {
            USER_ID: [r[USER_ID] if r[USER_ID] is not None else r[SESSION_ID] for r in kept],
            **{c: [r[c] for r in kept] for c in _FORWARDED_COLUMNS},
        }
        frame = None
        for target in self._targets:
            if hasattr(target, "update_columns"):  # a campaign: no DataFrame needed for array-fed models
                target.update_columns(columns)
                continue
            if frame is None:
                frame = pd.DataFrame(columns)
            target.update(frame)

    def _forward(self, events: pd.DataFrame) -> None:
        frame = realtime_view(events)
        if frame.empty:
            return
        for target in self._targets:
            target.update(frame)

    # ------------------------------------------------------------------ log
    @property
    def events(self) -> pd.DataFrame:
        """Every recorded event, in arrival order, as Personalize interaction rows.

        Columns: USER_ID (empty for anonymous events), ITEM_ID, TIMESTAMP,
        EVENT_TYPE, EVENT_VALUE, SESSION_ID, RECOMMENDATION_ID, IMPRESSION,
        EVENT_ATTRIBUTION_SOURCE, EVENT_ID, one column per property key, and
        DUPLICATE (True = left out of training). Built from the compact log on
        first access after new events, then cached.
        """
        with self._lock:
            if self._cache is None:
                self._cache = self._log.frame()
            return self._cache

    def nbytes(self) -> int:
        """Approximate bytes the log's columns hold (not counting the shared id strings)."""
        return self._log.nbytes()

    def session_links(self) -> dict[str, str]:
        """``{sessionId: userId}`` for sessions with at least one event carrying both ids.

        If a session carries several userIds, the first one recorded wins.
        """
        log = self.events
        both = log[log[SESSION_ID].notna() & log[USER_ID].notna()]
        first = both.drop_duplicates(SESSION_ID)
        return dict(zip(first[SESSION_ID].astype(str), first[USER_ID].astype(str)))

    def _training_status(self) -> tuple[pd.DataFrame, pd.Series]:
        log = self.events
        links = self.session_links()
        reason = pd.Series([None] * len(log), index=log.index, dtype=object)
        anonymous = log[USER_ID].isna()
        linked = log[SESSION_ID].map(links)
        reason[anonymous & linked.isna()] = _REASON_ANONYMOUS
        reason[log[ITEM_ID].isna()] = _REASON_NO_ITEM
        reason[log[DUPLICATE]] = _REASON_DUPLICATE
        users = log[USER_ID].where(~anonymous, linked)
        return log.assign(**{USER_ID: users}), reason

    def interactions_for_training(self, base: pd.DataFrame | None = None) -> pd.DataFrame:
        """The interactions a full retraining would use, in Personalize format.

        Drops duplicates, events without an item and anonymous events of sessions
        never linked to a user; anonymous events of linked sessions get the
        session's userId (fact sheet §2.4). EVENT_ID and DUPLICATE are removed;
        SESSION_ID, IMPRESSION, RECOMMENDATION_ID and property columns are kept
        (columns that are empty throughout are dropped).

        Args:
            base: bulk-imported interactions to put in front of the tracked events
                (e.g. the frame the model was first trained on).
        """
        log, reason = self._training_status()
        usable = log[reason.isna()].drop(columns=[EVENT_ID, DUPLICATE])
        optional = [c for c in usable.columns if c not in (USER_ID, ITEM_ID, TIMESTAMP)]
        usable = usable.drop(columns=[c for c in optional if usable[c].isna().all()])
        usable = usable.astype({USER_ID: str, ITEM_ID: str})
        if base is None:
            return usable.reset_index(drop=True)
        return pd.concat([base, usable], ignore_index=True)

    def excluded_from_training(self) -> pd.DataFrame:
        """Log rows :meth:`interactions_for_training` leaves out, with a REASON column."""
        log, reason = self._training_status()
        out = self.events.loc[reason.notna()].copy()
        out[EXCLUSION_REASON] = reason[reason.notna()]
        return out

    # -------------------------------------------------- PutItems / PutUsers
    def put_items(self, **params: Any) -> dict[str, Any]:
        """Add or replace 1-10 items: the ``personalize-events`` PutItems call.

        Keyword Args:
            datasetArn: this group's Items dataset (:attr:`items_dataset_arn`).
            items: dicts with ``itemId`` and optional ``properties`` (a JSON object
                with camelCase keys, e.g. ``'{"categoryL1": "boots", "price": 89.0}'``).

        Returns ``{"ResponseMetadata": ...}``. Sending an existing itemId again
        replaces that item's record (see :attr:`items`).
        """
        rows = self._put_records("PutItems", "items", "itemId", ITEM_ID, self.items_dataset_arn, params)
        self._item_rows.extend(rows)
        return {"ResponseMetadata": response_metadata()}

    def put_users(self, **params: Any) -> dict[str, Any]:
        """Add or replace 1-10 users: the ``personalize-events`` PutUsers call (see :meth:`put_items`)."""
        rows = self._put_records("PutUsers", "users", "userId", USER_ID, self.users_dataset_arn, params)
        self._user_rows.extend(rows)
        return {"ResponseMetadata": response_metadata()}

    def _put_records(self, operation: str, list_key: str, id_key: str, id_column: str, expected_arn: str,
                     params: Mapping[str, Any]) -> list[dict[str, Any]]:
        validate_request(EVENTS_SERVICE, operation, params)
        if params["datasetArn"] != expected_arn:
            raise client_error(
                "ResourceNotFoundException",
                f"datasetArn {params['datasetArn']!r} is not a dataset of {self.dataset_group_arn}; "
                f"{operation} for this dataset group goes to {expected_arn!r}.",
                operation,
            )
        check_service_limits(EVENTS_SERVICE, operation, params)
        rows = []
        for position, record in enumerate(params[list_key]):
            row = {id_column: record[id_key]}
            if record.get("properties"):
                props = _parse_properties(record["properties"], f"{list_key}[{position}].properties", operation,
                                          reserved=frozenset({id_key.lower()}), protected=frozenset({id_column}))
                row.update({camel_to_column(k): v for k, v in props.items()})
            rows.append(row)
        return rows

    @property
    def items(self) -> pd.DataFrame:
        """Items recorded with PutItems, latest record per ITEM_ID."""
        return _latest(self._item_rows, ITEM_ID)

    @property
    def users(self) -> pd.DataFrame:
        """Users recorded with PutUsers, latest record per USER_ID."""
        return _latest(self._user_rows, USER_ID)

    def merged_items(self, base: pd.DataFrame | None) -> pd.DataFrame | None:
        """``base`` items with the PutItems records applied (a re-sent id replaces its row)."""
        return _merge_records(base, self.items, ITEM_ID)

    def merged_users(self, base: pd.DataFrame | None) -> pd.DataFrame | None:
        """``base`` users with the PutUsers records applied (a re-sent id replaces its row)."""
        return _merge_records(base, self.users, USER_ID)


# ------------------------------------------------------------------ helpers
def epoch_seconds(sent_at: Any) -> int:
    """Whole Unix epoch seconds of a ``sentAt`` value (datetime, number or ISO-8601 string).

    Naive datetimes are read as UTC, like botocore does when it serialises them.
    """
    if isinstance(sent_at, (int, float, np.integer, np.floating)) and not isinstance(sent_at, bool):
        return int(math.floor(float(sent_at)))
    moment = parse_to_aware_datetime(sent_at)
    return int(math.floor((moment - _EPOCH).total_seconds()))


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def realtime_view(events: pd.DataFrame) -> pd.DataFrame:
    """Events as a model sees them in real time: USER_ID falls back to SESSION_ID; rows without item dropped."""
    frame = events
    if SESSION_ID in frame.columns:
        users = frame[USER_ID] if USER_ID in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        frame = frame.assign(**{USER_ID: users.where(users.notna(), frame[SESSION_ID])})
    return frame[frame[ITEM_ID].notna() & frame[USER_ID].notna()]



class _EventLog:
    """Tracked events in compact, growable columns, plus the index that finds duplicates.

    Text columns are lists (ids with few distinct values share one string object),
    TIMESTAMP / EVENT_VALUE are ``array`` columns (8 bytes per event), DUPLICATE a
    ``bytearray`` and each property column a sparse pair (row positions, values).
    The duplicate index holds the eventIds seen and one 64-bit hash per distinct
    (timestamp, fields) identity.
    """

    def __init__(self) -> None:
        self.text: dict[str, list[Any]] = {c: [] for c in _TEXT_COLUMNS}
        self.times = array("q")
        self.values = array("d")
        self.duplicate = bytearray()
        self.extra: dict[str, tuple[array, list[Any]]] = {}
        self._shared: dict[str, str] = {}
        self._ids: set[str] = set()
        self._identities: dict[int, bool] = {}  # identity hash -> some event with it had no eventId

    def __len__(self) -> int:
        return len(self.times)

    def add(self, row: Mapping[str, Any]) -> bool:
        """Append one event row; returns True when it duplicates an earlier one."""
        duplicate = self._is_duplicate(row)
        share = self._shared.setdefault
        for column in _TEXT_COLUMNS:
            value = row[column]
            if value is not None and column in _SHARED_COLUMNS:
                value = share(value, value)
            self.text[column].append(value)
        position = len(self.times)
        for column, value in (row[_PROPERTIES] or {}).items():
            rows, values = self.extra.setdefault(column, (array("q"), []))
            rows.append(position)
            values.append(value)
        self.times.append(int(row[TIMESTAMP]))
        self.values.append(float(row[EVENT_VALUE]))
        self.duplicate.append(duplicate)
        return duplicate

    def _is_duplicate(self, row: Mapping[str, Any]) -> bool:
        event_id = row[EVENT_ID]
        if event_id is not None:
            if event_id in self._ids:
                return True
            self._ids.add(event_id)
        value = row[EVENT_VALUE]
        identity = hash((row[TIMESTAMP], row[USER_ID], row[SESSION_ID], row[ITEM_ID], row[EVENT_TYPE],
                         None if value != value else value, row[RECOMMENDATION_ID], row[IMPRESSION],
                         row[EVENT_ATTRIBUTION_SOURCE], _canonical(row[_PROPERTIES])))
        earlier_without_id = self._identities.get(identity)
        if earlier_without_id is None:
            self._identities[identity] = event_id is None
            return False
        # same timestamp and fields: a duplicate unless both events carry (different) eventIds
        return event_id is None or earlier_without_id

    def frame(self) -> pd.DataFrame:
        n = len(self.times)
        if n == 0:
            log = pd.DataFrame({c: pd.Series(dtype=object) for c in _BASE_COLUMNS})
            log[TIMESTAMP] = log[TIMESTAMP].astype(np.int64)
            log[EVENT_VALUE] = log[EVENT_VALUE].astype(float)
            log[DUPLICATE] = pd.Series(dtype=bool)
            return log
        data: dict[str, Any] = {}
        for column in _BASE_COLUMNS:
            if column == TIMESTAMP:
                data[column] = np.frombuffer(self.times, dtype=np.int64).copy()
            elif column == EVENT_VALUE:
                data[column] = np.frombuffer(self.values, dtype=np.float64).copy()
            else:
                data[column] = np.asarray(self.text[column], dtype=object)
        for column, (rows, values) in self.extra.items():
            data[column] = pd.Series(values, index=np.frombuffer(rows, dtype=np.int64).copy()).reindex(range(n))
        data[DUPLICATE] = np.frombuffer(bytes(self.duplicate), dtype=np.uint8).astype(bool)
        log = pd.DataFrame({c: (v.to_numpy() if isinstance(v, pd.Series) else v) for c, v in data.items()})
        log[EVENT_VALUE] = pd.to_numeric(log[EVENT_VALUE], errors="coerce")
        return log

    def nbytes(self) -> int:
        text = sum(len(v) for v in self.text.values())
        extra = sum(len(rows) * (rows.itemsize + 8) for rows, _ in self.extra.values())
        return 8 * text + 8 * (len(self.times) + len(self.values)) + len(self.duplicate) + extra


def _canonical(properties: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """Hashable, order-independent form of an event's property columns."""
    if not properties:
        return None
    return tuple(sorted((k, json.dumps(v, sort_keys=True) if isinstance(v, (list, dict)) else v)
                        for k, v in properties.items()))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _frame_rows(events: pd.DataFrame):
    """Event rows (as :meth:`EventTracker.put_events` builds them) of a Personalize-format frame."""
    n = len(events)
    times = pd.to_numeric(events[TIMESTAMP], errors="coerce")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise DatasetError("the TIMESTAMP is missing or not a number.", row=row, column=TIMESTAMP,
                           fix="give every event its time in Unix epoch seconds.")

    def text(column: str) -> list[Any]:
        if column not in events.columns:
            return [None] * n
        return [None if _missing(v) else str(v) for v in events[column].tolist()]

    columns = {c: text(c) for c in _TEXT_COLUMNS}
    values = (pd.to_numeric(events[EVENT_VALUE], errors="coerce").tolist() if EVENT_VALUE in events.columns
              else [math.nan] * n)
    extras = {c: events[c].tolist() for c in events.columns if c not in _PROTECTED_COLUMNS}
    for k, t in enumerate(times.astype(np.int64).tolist()):
        row = {c: columns[c][k] for c in _TEXT_COLUMNS}
        row[TIMESTAMP] = t
        row[EVENT_VALUE] = values[k]
        row[_PROPERTIES] = {c: v[k] for c, v in extras.items() if not _missing(v[k])} or None
        yield row


def _sent_at_seconds(sent_at: Any, position: int) -> int:
    """``sentAt`` in epoch seconds; millisecond numbers and unreadable values are refused."""
    where = f"eventList[{position}].sentAt"
    if isinstance(sent_at, (int, float, np.integer, np.floating)) and not isinstance(sent_at, bool):
        if not math.isfinite(float(sent_at)):
            raise client_error("InvalidInputException", f"{where} is {sent_at!r}; send the event's time in Unix "
                               "epoch seconds.", "PutEvents")
        if float(sent_at) > _MILLISECONDS_FROM:
            raise client_error(
                "InvalidInputException",
                f"{where} is {sent_at!r}, which looks like epoch milliseconds (13 digits); PutEvents takes Unix "
                f"epoch seconds (10 digits). Divide by 1000: {int(float(sent_at) // 1000)}.",
                "PutEvents",
            )
    try:
        return epoch_seconds(sent_at)
    except (ValueError, TypeError, OverflowError) as exc:
        raise client_error("InvalidInputException", f"{where} = {sent_at!r} is not a timestamp ({exc}); send Unix "
                           "epoch seconds, a datetime or an ISO-8601 string.", "PutEvents") from None


def _iso(seconds: float) -> str:
    return _dt.datetime.fromtimestamp(seconds, _dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _data_clock(target: Any) -> float:
    """Newest timestamp a campaign / model knows (its clock, else its training data), or -inf."""
    model = getattr(target, "model", target)
    now = getattr(model, "now_", None)
    if isinstance(now, (int, float, np.integer, np.floating)) and math.isfinite(float(now)):
        return float(now)
    frame = getattr(model, "interactions_", None)
    if isinstance(frame, pd.DataFrame) and TIMESTAMP in frame.columns and len(frame):
        newest = pd.to_numeric(frame[TIMESTAMP], errors="coerce").max()
        if pd.notna(newest) and math.isfinite(float(newest)):
            return float(newest)
    return -math.inf

def _check_event(event: Mapping[str, Any], position: int) -> dict[str, Any] | None:
    """Service-side rules on one event that the API model cannot express; returns the parsed properties."""
    where = f"eventList[{position}]"
    properties = None
    if event.get("properties") is not None:
        properties = _parse_properties(event["properties"], f"{where}.properties", "PutEvents", RESERVED_PROPERTY_KEYS,
                                       EVENT_FIELD_PROPERTY_KEYS, _PROTECTED_COLUMNS)
    size = _size_bound(event)
    if size > MAX_EVENT_BYTES:  # only then is the exact size worth computing
        size = len(json.dumps(event, default=str).encode("utf-8"))
    if size > MAX_EVENT_BYTES:
        raise client_error(
            "InvalidInputException",
            f"{where} is {size} bytes; an event may be at most {MAX_EVENT_BYTES} bytes (10 KB). "
            "Send fewer impression ids or shorter properties.",
            "PutEvents",
        )
    return properties


def _size_bound(event: Mapping[str, Any]) -> int:
    """Cheap upper bound of an event's JSON size: 6 bytes per character (the longest JSON escape) plus
    generous room for keys, quotes and punctuation; the exact size is only computed above the limit."""
    chars = 0
    for value in event.values():
        if isinstance(value, str):
            chars += len(value)
        elif isinstance(value, (list, tuple)):
            chars += sum(len(str(v)) + 4 for v in value)
        elif isinstance(value, dict):
            chars += sum(len(str(k)) + len(str(v)) + 4 for k, v in value.items())
        else:
            chars += 32
    return 6 * chars + 40 * (len(event) + 1)


def _parse_properties(text: str, where: str, operation: str, reserved: Iterable[str],
                      fields: Iterable[str] = (), protected: Iterable[str] = ()) -> dict[str, Any]:
    """Parse a ``properties`` JSON string and check its keys.

    ``reserved``: keys the service documents as not allowed; ``fields``: keys the
    workbench refuses because they name a field of the record itself (the fact
    sheet is silent on them); ``protected``: columns a key may not map to. Two keys
    mapping to the same column are refused too. All comparisons ignore case.
    """
    try:
        props = json.loads(text)
    except json.JSONDecodeError as exc:
        raise client_error(
            "InvalidInputException",
            f"{where} is not valid JSON ({exc.msg} at character {exc.pos}); send a JSON object string such as "
            "'{\"numRatings\": \"12\"}' (json.dumps(dict)).",
            operation,
        ) from None
    if not isinstance(props, dict):
        raise client_error("InvalidInputException",
                           f"{where} must be a JSON object ({{\"key\": value}}), not a JSON {type(props).__name__}.",
                           operation)
    reserved, fields, protected = frozenset(reserved), frozenset(fields), frozenset(protected)
    columns: dict[str, str] = {}
    for key in props:
        if key.lower() in reserved:
            raise client_error(
                "InvalidInputException",
                f"{where} uses the reserved key {key!r}; {sorted(reserved)} can't be property keys "
                "(case-insensitive). Pass them as the request's own parameters instead.",
                operation,
            )
        column = camel_to_column(key) if isinstance(key, str) else str(key)
        if key.lower() in fields or column in protected:
            raise client_error(
                "InvalidInputException",
                f"{where} uses the key {key!r}, which names a field the record already has ({column}); a property "
                "must not replace a validated field. Pass it as the record's own parameter, or rename the property "
                "(workbench rule: the service's handling of such keys is not documented).",
                operation,
            )
        if column in columns:
            raise client_error(
                "InvalidInputException",
                f"{where} keys {columns[column]!r} and {key!r} both map to the schema field {column}; "
                "send each field once.",
                operation,
            )
        columns[column] = key
        if not _CAMEL.match(key):
            raise client_error(
                "InvalidInputException",
                f"{where} key {key!r} is not camelCase; property keys are camelCase names of schema fields "
                f"(e.g. 'numRatings' for the field NUM_RATINGS).",
                operation,
            )
    return props


def _latest(rows: list[dict[str, Any]], id_column: str) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame({id_column: pd.Series(dtype=object)})
    frame = pd.DataFrame.from_records(rows)
    return frame.drop_duplicates(id_column, keep="last").reset_index(drop=True)


def _merge_records(base: pd.DataFrame | None, new: pd.DataFrame, id_column: str) -> pd.DataFrame | None:
    if new.empty:
        return base
    if base is None:
        return new
    kept = base[~base[id_column].astype(str).isin(new[id_column].astype(str))]
    return pd.concat([kept, new], ignore_index=True)
