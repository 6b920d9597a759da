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
  ``impression`` (case-insensitive);
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

* **Duplicates** -- an event whose ``eventId`` was already recorded, and an event
  identical to an earlier one (same timestamp and same fields; the ``eventId`` is
  not compared), stay in the log with ``DUPLICATE=True`` and are left out of
  training (§3.2).
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
  and learn them at the next retraining (§2.2). The workbench forwards
  duplicates too (the fact sheet says nothing about duplicates in real time).

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
from .arn import dataset_arn, make_arn
from .contract import EVENTS_SERVICE, check_service_limits, client_error, response_metadata, validate_request

__all__ = [
    "EventTracker",
    "EVENT_ID",
    "DUPLICATE",
    "EXCLUSION_REASON",
    "RESERVED_PROPERTY_KEYS",
    "MAX_EVENT_BYTES",
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
"""Keys ``properties`` may not use (compared case-insensitively)."""

MAX_EVENT_BYTES = 10 * 1024
"""Size limit of one event (10 KB), measured on its JSON serialisation."""

_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_BASE_COLUMNS = (
    USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE, SESSION_ID, RECOMMENDATION_ID, IMPRESSION,
    EVENT_ATTRIBUTION_SOURCE, EVENT_ID,
)
_FORWARDED_COLUMNS = (ITEM_ID, TIMESTAMP, EVENT_TYPE, EVENT_VALUE, SESSION_ID, RECOMMENDATION_ID, IMPRESSION)
_REASON_DUPLICATE = "duplicate event (repeated eventId, or identical timestamp and fields)"
_REASON_NO_ITEM = "no itemId (an Item interactions record needs ITEM_ID)"
_REASON_ANONYMOUS = "anonymous session not yet linked to a userId (send one event with both sessionId and userId)"


def camel_to_column(key: str) -> str:
    """Schema column of a camelCase property key: ``numRatings`` -> ``NUM_RATINGS``."""
    return _UPPER.sub("_", key).upper()


class EventTracker:
    """Records events like ``boto3.client("personalize-events")`` and feeds attached campaigns.

    Args:
        name: tracker name (goes into its ARN).
        dataset_group_arn: the dataset group the events belong to (default: a
            group called ``workbench``). :class:`~workbench.personalize.PersonalizeRuntime`
            passes its own groups here and enforces one tracker per group.

    Attributes:
        tracking_id: the id to pass as ``trackingId`` (deterministic per tracker ARN).
        event_tracker_arn: ``arn:aws:personalize:...:event-tracker/<name>``.
        status: always ``"ACTIVE"`` (see the module docstring).
    """

    def __init__(self, name: str = "event-tracker", dataset_group_arn: str | None = None) -> None:
        self.name = name
        self.dataset_group_arn = dataset_group_arn or make_arn("dataset-group", "workbench")
        self.event_tracker_arn = make_arn("event-tracker", name)
        self.tracking_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.dataset_group_arn}#{self.event_tracker_arn}"))
        self.status = "ACTIVE"
        self.interactions_dataset_arn = dataset_arn(self.dataset_group_arn, "INTERACTIONS")
        self.items_dataset_arn = dataset_arn(self.dataset_group_arn, "ITEMS")
        self.users_dataset_arn = dataset_arn(self.dataset_group_arn, "USERS")
        self._chunks: list[list[dict[str, Any]] | pd.DataFrame] = []
        self._cache: pd.DataFrame | None = None
        self._n_events = 0
        self._targets: list[Any] = []
        self._item_rows: list[dict[str, Any]] = []
        self._user_rows: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"EventTracker(name={self.name!r}, events={self._n_events}, attached={len(self._targets)})"

    def __len__(self) -> int:
        return self._n_events

    def describe(self) -> dict[str, Any]:
        """Like ``DescribeEventTracker``'s ``eventTracker`` block (status simplified to ACTIVE)."""
        return {
            "name": self.name,
            "eventTrackerArn": self.event_tracker_arn,
            "trackingId": self.tracking_id,
            "datasetGroupArn": self.dataset_group_arn,
            "status": self.status,
        }

    # ------------------------------------------------------------ attachment
    def attach(self, target: Any) -> EventTracker:
        """Forward future events to ``target`` (a :class:`~workbench.personalize.Campaign` or a fitted recommender).

        Returns ``self`` so calls can be chained.
        """
        if not hasattr(target, "update"):
            raise TypeError(f"can only attach campaigns or recommenders (objects with .update), not {type(target).__name__}")
        if all(t is not target for t in self._targets):
            self._targets.append(target)
        register = getattr(target, "_register_tracker", None)
        if register is not None:  # a campaign retrains on this tracker's events
            register(self)
        return self

    def detach(self, target: Any) -> None:
        """Stop forwarding events to ``target``."""
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
            botocore.exceptions.ClientError: ``InvalidInputException`` for a service-side rule.
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
        rows = [self._event_row(event, user_id, session_id, _check_event(event, position))
                for position, event in enumerate(params["eventList"])]
        self._append(rows)
        if self._targets:
            self._forward_rows(rows)
        return {"ResponseMetadata": response_metadata()}

    def _event_row(self, event: Mapping[str, Any], user_id: str | None, session_id: str,
                   properties: Mapping[str, Any] | None) -> dict[str, Any]:
        impression = event.get("impression")
        recommendation_id = event.get("recommendationId")
        if impression is None and recommendation_id is not None:
            impression = self._served_list(recommendation_id)
        attribution = event.get("metricAttribution") or {}
        value = event.get("eventValue")
        row: dict[str, Any] = {
            USER_ID: user_id,
            ITEM_ID: event.get("itemId"),
            TIMESTAMP: epoch_seconds(event["sentAt"]),
            EVENT_TYPE: event["eventType"],
            EVENT_VALUE: float(value) if value is not None else math.nan,
            SESSION_ID: session_id,
            RECOMMENDATION_ID: recommendation_id,
            IMPRESSION: "|".join(impression) if impression else None,
            EVENT_ATTRIBUTION_SOURCE: attribution.get("eventAttributionSource"),
            EVENT_ID: event.get("eventId"),
        }
        if properties:
            for key, prop in properties.items():
                row[camel_to_column(key)] = prop
        return row

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
        flagged in :attr:`events` and left out of training.

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
        self._append(events.copy())
        if forward and self._targets:
            self._forward(events)
        return self

    def _append(self, chunk: list[dict[str, Any]] | pd.DataFrame) -> None:
        if isinstance(chunk, list) and self._chunks and isinstance(self._chunks[-1], list):
            self._chunks[-1].extend(chunk)
        else:
            self._chunks.append(chunk)
        self._n_events += len(chunk)
        self._cache = None

    def _forward_rows(self, rows: list[dict[str, Any]]) -> None:
        """Forward freshly recorded events, building the small frame straight from the rows."""
        kept = [r for r in rows if r[ITEM_ID] is not None]
        if not kept:
            return
        frame = pd.DataFrame({
            USER_ID: [r[USER_ID] if r[USER_ID] is not None else r[SESSION_ID] for r in kept],
            **{c: [r[c] for r in kept] for c in _FORWARDED_COLUMNS},
        })
        for target in self._targets:
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
        DUPLICATE (True = left out of training).
        """
        if self._cache is None:
            self._cache = self._build_log()
        return self._cache

    def _build_log(self) -> pd.DataFrame:
        frames = [pd.DataFrame.from_records(c) if isinstance(c, list) else c for c in self._chunks]
        if not frames:
            log = pd.DataFrame({c: pd.Series(dtype=object) for c in _BASE_COLUMNS})
            log[TIMESTAMP] = log[TIMESTAMP].astype(np.int64)
            log[EVENT_VALUE] = log[EVENT_VALUE].astype(float)
        else:
            log = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        for column in _BASE_COLUMNS:
            if column not in log.columns:
                log[column] = math.nan if column == EVENT_VALUE else None
        extra = [c for c in log.columns if c not in _BASE_COLUMNS and c != DUPLICATE]
        log = log[list(_BASE_COLUMNS) + extra].copy()
        log[TIMESTAMP] = log[TIMESTAMP].astype(np.int64)
        log[EVENT_VALUE] = pd.to_numeric(log[EVENT_VALUE], errors="coerce")
        same_id = log[EVENT_ID].notna() & log[EVENT_ID].duplicated()
        identity = [c for c in log.columns if c != EVENT_ID]
        same_event = log.duplicated(subset=identity) if len(log) else pd.Series(dtype=bool)
        log[DUPLICATE] = (same_id | same_event).astype(bool)
        return log

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
                                          reserved=frozenset({id_key.lower()}))
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


def _check_event(event: Mapping[str, Any], position: int) -> dict[str, Any] | None:
    """Service-side rules on one event that the API model cannot express; returns the parsed properties."""
    where = f"eventList[{position}]"
    properties = None
    if event.get("properties") is not None:
        properties = _parse_properties(event["properties"], f"{where}.properties", "PutEvents", RESERVED_PROPERTY_KEYS)
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


def _parse_properties(text: str, where: str, operation: str, reserved: Iterable[str]) -> dict[str, Any]:
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
    reserved = frozenset(reserved)
    for key in props:
        if key.lower() in reserved:
            raise client_error(
                "InvalidInputException",
                f"{where} uses the reserved key {key!r}; {sorted(reserved)} can't be property keys "
                "(case-insensitive). Pass them as the request's own parameters instead.",
                operation,
            )
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
