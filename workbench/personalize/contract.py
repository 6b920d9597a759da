"""Request validation against the service models that botocore ships.

boto3 clients check every request against the service's API model before it
leaves the machine and raise :class:`botocore.exceptions.ParamValidationError`
for a missing required parameter, an unknown parameter, a wrong type or a value
below a ``min`` constraint. The workbench runs *the same validator on the same
model* (``botocore.session.get_session().get_service_model("personalize-events")``
and ``"personalize-runtime"``), so a learner meets exactly the error they would
meet in front of AWS.

Some constraints are in the model but botocore deliberately leaves them to the
service: the ``max`` lengths (e.g. at most 10 events per PutEvents call, 25
impression ids, 1,024 characters of ``properties``, 40 characters of
``recommendationId``), ``enum`` value lists and regular-expression ``pattern``
constraints (searched, not anchored, as the model's pattern convention is). The
service answers those with an ``InvalidInputException``; :func:`check_service_limits`
does the same, raising :class:`botocore.exceptions.ClientError` with that code
and a message that names the parameter path and the fix.

Building the botocore session, loading a model and building the validator take
about a quarter of a second, so each is done once per process and cached;
validating one PutEvents request afterwards costs tens of microseconds (see
``benchmarks/bench_personalize_put_events.py``).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator

__all__ = [
    "EVENTS_SERVICE",
    "RUNTIME_SERVICE",
    "ADMIN_SERVICE",
    "service_model",
    "operation_model",
    "validate_request",
    "check_service_limits",
    "client_error",
    "response_metadata",
]

EVENTS_SERVICE = "personalize-events"
"""botocore name of the Amazon Personalize Events API (PutEvents, PutItems, PutUsers)."""

RUNTIME_SERVICE = "personalize-runtime"
"""botocore name of the Amazon Personalize Runtime API (GetRecommendations, ...)."""

ADMIN_SERVICE = "personalize"
"""botocore name of the control-plane API (CreateEventTracker, CreateFilter, ...)."""


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The botocore service model of ``service`` (loaded once per process)."""
    return _session().get_service_model(service)


@functools.lru_cache(maxsize=1)
def _session():
    import botocore.session

    return botocore.session.get_session()


@functools.cache
def operation_model(service: str, operation: str) -> OperationModel:
    """The model of one operation, e.g. ``operation_model("personalize-events", "PutEvents")``."""
    return service_model(service).operation_model(operation)


@functools.lru_cache(maxsize=1)
def _validator() -> ParamValidator:
    return ParamValidator()


def validate_request(service: str, operation: str, params: Mapping[str, Any]) -> None:
    """Validate ``params`` the way a boto3 client does before sending the request.

    Args:
        service: botocore service name (:data:`EVENTS_SERVICE`, :data:`RUNTIME_SERVICE`, ...).
        operation: operation name in the model, e.g. ``"PutEvents"``.
        params: the keyword arguments the caller passed.

    Raises:
        botocore.exceptions.ParamValidationError: the same exception, with the same
            report, that ``boto3.client(service).<operation>(**params)`` raises.
    """
    shape = operation_model(service, operation).input_shape
    report = _validator().validate(params, shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


def check_service_limits(service: str, operation: str, params: Mapping[str, Any]) -> None:
    """Enforce the ``max``, ``enum`` and ``pattern`` constraints of the model (service-side checks).

    botocore checks only ``min``; the service rejects values that are too long or
    do not match a pattern. Call this after :func:`validate_request` (it assumes
    the types are already right).

    Raises:
        botocore.exceptions.ClientError: code ``InvalidInputException``, message naming
            the parameter path (``eventList[0].impression``), the limit and the fix.
    """
    if not _fast_checker(service, operation)(params):
        # something is off: walk again, slowly, to name the offending path in the message
        _check_shape(params, operation_model(service, operation).input_shape, "", operation)


_Check = Callable[[Any], bool]


@functools.cache
def _fast_checker(service: str, operation: str) -> _Check:
    """A compiled yes/no version of :func:`_check_shape` for one operation (built once)."""
    check = _compile(operation_model(service, operation).input_shape)
    return check if check is not None else (lambda value: True)


def _compile(shape: Shape) -> _Check | None:
    """Checker for ``shape``, or None when nothing below it has a max / enum / pattern constraint."""
    kind, meta = shape.type_name, shape.metadata
    limit = meta.get("max")
    if kind == "structure":
        members = [(name, check) for name, member in shape.members.items() if (check := _compile(member)) is not None]
        if not members:
            return None

        def check_structure(value: Any) -> bool:
            for name, check in members:
                item = value.get(name)
                if item is not None and not check(item):
                    return False
            return True

        return check_structure
    if kind == "list":
        element = _compile(shape.member)
        if limit is None and element is None:
            return None
        return lambda value: (limit is None or len(value) <= limit) and (element is None or all(map(element, value)))
    if kind == "map":
        key_check, value_check = _compile(shape.key), _compile(shape.value)
        if limit is None and key_check is None and value_check is None:
            return None
        return lambda value: ((limit is None or len(value) <= limit)
                              and (key_check is None or all(map(key_check, value.keys())))
                              and (value_check is None or all(map(value_check, value.values()))))
    if kind == "string":
        allowed = frozenset(meta["enum"]) if meta.get("enum") else None
        pattern = _compiled(meta["pattern"]) if meta.get("pattern") is not None else None
        if limit is None and allowed is None and pattern is None:
            return None
        return lambda value: ((limit is None or len(value) <= limit)
                              and (allowed is None or value in allowed)
                              and (pattern is None or pattern.search(value) is not None))
    return None


def _check_shape(value: Any, shape: Shape, path: str, operation: str) -> None:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                _check_shape(value[name], member, f"{path}.{name}" if path else name, operation)
        return
    if kind == "list":
        _check_max(len(value), meta, path, operation, unit="entries")
        for position, element in enumerate(value):
            _check_shape(element, shape.member, f"{path}[{position}]", operation)
        return
    if kind == "map":
        _check_max(len(value), meta, path, operation, unit="keys")
        for key, element in value.items():
            _check_shape(key, shape.key, f"{path} key {key!r}", operation)
            _check_shape(element, shape.value, f"{path}[{key!r}]", operation)
        return
    if kind == "string":
        _check_max(len(value), meta, path, operation, unit="characters")
        allowed = meta.get("enum")
        if allowed and value not in allowed:
            raise client_error(
                "InvalidInputException",
                f"{path} = {_short(value)} is not one of {allowed}.",
                operation,
            )
        pattern = meta.get("pattern")
        regex = _compiled(pattern) if pattern is not None else None
        if regex is not None and regex.search(value) is None:
            raise client_error(
                "InvalidInputException",
                f"{path} = {_short(value)} does not match the pattern {pattern!r} that {operation} requires.",
                operation,
            )


def _check_max(length: int, meta: Mapping[str, Any], path: str, operation: str, unit: str) -> None:
    limit = meta.get("max")
    if limit is not None and length > limit:
        raise client_error(
            "InvalidInputException",
            f"{path} has {length} {unit}; {operation} accepts at most {limit}. "
            f"Shorten it (or split the request into several calls).",
            operation,
        )


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    """The pattern compiled with Python's ``re``; None for the few model patterns ``re`` can't read
    (e.g. ``\\p{...}`` Unicode classes in tag patterns), which are then not enforced."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _short(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def client_error(code: str, message: str, operation: str, status: int = 400) -> ClientError:
    """A :class:`botocore.exceptions.ClientError` shaped like the one boto3 raises.

    ``str(error)`` reads ``An error occurred (<code>) when calling the <operation>
    operation: <message>``, and ``error.response["Error"]["Code"]`` is ``code``,
    so ``except client.exceptions.InvalidInputException``-style code that checks
    the code works unchanged.
    """
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": response_metadata(status),
    }
    return ClientError(response, operation)


_REQUEST_COUNTER = itertools.count(1)


def response_metadata(status: int = 200) -> dict[str, Any]:
    """``ResponseMetadata`` block of a boto3 response (request id, HTTP status, no retries).

    Request ids are UUID-shaped and numbered in call order (cheap, and easy to
    tell apart in a notebook).
    """
    return {"RequestId": f"00000000-0000-4000-8000-{next(_REQUEST_COUNTER):012x}", "HTTPStatusCode": status,
            "HTTPHeaders": {}, "RetryAttempts": 0}
