"""Avro schemas of Personalize datasets: read, check, derive and write them.

Amazon Personalize describes every dataset with an Avro ``record`` schema whose
name key says the dataset type (``Interactions``, ``Items``, ``Users``), whose
fields are flat (primitive types, optionally in a union with ``null``), and whose
field order is the CSV column order. String metadata fields carry
``"categorical": true`` or (Items only) ``"textual": true`` to be used in training.

This module parses schemas with fastavro's ``parse_schema`` (so an invalid Avro
document is caught by a real Avro implementation), turns them into a small
:class:`DatasetSchema`, and checks the Personalize rules on top of Avro (see the
fact sheet, section 1). The JSON files shipped in ``data/schemas/`` are loaded by
:func:`default_schema`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import fastavro
import pandas as pd

from ..constants import (
    CREATION_TIMESTAMP,
    EVENT_ATTRIBUTION_SOURCE,
    EVENT_TYPE,
    EVENT_VALUE,
    IMPRESSION,
    ITEM_ID,
    RECOMMENDATION_ID,
    TIMESTAMP,
    USER_ID,
)
from ..errors import SchemaError
from .report import ValidationReport

KINDS = ("interactions", "items", "users")
"""Dataset types the workbench loads (Actions datasets are out of scope)."""

AVRO_NAMES = {"interactions": "Interactions", "items": "Items", "users": "Users"}
"""The name key a schema must carry for each dataset type."""

DOMAINS = (None, "ECOMMERCE", "VIDEO_ON_DEMAND")

PRIMITIVE_TYPES = ("string", "long", "int", "float", "double", "boolean")
"""Avro types Personalize accepts in a field (besides ``null`` in a union)."""

NAMESPACE = "com.amazonaws.personalize.schema"

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "data" / "schemas"
"""Folder of the bundled schema files (``data/schemas`` in the repository)."""

REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "interactions": {USER_ID: ("string",), ITEM_ID: ("string",), TIMESTAMP: ("long",)},
    "items": {ITEM_ID: ("string",)},
    "users": {USER_ID: ("string",)},
}
"""Fields every record must have, with the Avro types allowed for them."""

RESERVED: dict[str, dict[str, tuple[str, ...]]] = {
    "interactions": {
        EVENT_TYPE: ("string",),
        EVENT_VALUE: ("float",),
        IMPRESSION: ("string",),
        RECOMMENDATION_ID: ("string",),
        EVENT_ATTRIBUTION_SOURCE: ("string",),
    },
    "items": {CREATION_TIMESTAMP: ("long",)},
    "users": {},
}
"""Optional reserved keywords and their types (fact sheet 1.2, 1.6, 1.7)."""

ID_COLUMNS = {"interactions": (USER_ID, ITEM_ID), "items": (ITEM_ID,), "users": (USER_ID,)}
"""Id columns: strings of at most 256 characters, never empty."""

TIMESTAMP_COLUMNS = (TIMESTAMP, CREATION_TIMESTAMP)
"""Columns holding Unix epoch seconds."""

TEXTUAL_HINTS = ("DESCRIPTION",)
"""A string column of an Items frame whose name contains one of these is derived as ``textual``."""

MAX_INTERACTION_METADATA = 5
"""Custom metadata fields of an interactions dataset (reserved fields such as IMPRESSION excluded)."""

MAX_INTERACTION_OPTIONAL_PLUS_EVENT_TYPES = 10
"""Optional fields (EVENT_TYPE, EVENT_VALUE, custom metadata) plus distinct event types."""

MAX_ITEM_METADATA = 100
"""Items metadata fields (current quota, read in translation: checked as a warning)."""

MAX_USER_METADATA = 25
"""Users metadata fields (current quota, read in translation: checked as a warning)."""

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class SchemaField:
    """One flat field of a dataset schema."""

    name: str
    """Column name, identical to the CSV header."""

    type: str
    """Avro primitive type: string, long, int, float, double or boolean."""

    nullable: bool = False
    """True when the Avro type is a union with ``null`` (empty values allowed)."""

    categorical: bool = False
    """String field split on ``|`` into categories and used in training."""

    textual: bool = False
    """Items-only free-text field (at most one), used in training."""

    def to_avro(self) -> dict[str, Any]:
        """The field as a Personalize Avro field dictionary."""
        out: dict[str, Any] = {"name": self.name, "type": ["null", self.type] if self.nullable else self.type}
        if self.categorical:
            out["categorical"] = True
        if self.textual:
            out["textual"] = True
        return out


@dataclasses.dataclass(frozen=True)
class DatasetSchema:
    """A parsed Personalize schema: record name plus ordered flat fields."""

    name: str
    """The record's name key, e.g. ``"Interactions"``."""

    fields: tuple[SchemaField, ...]
    """Fields in CSV column order."""

    source: str = "<derived>"
    """File the schema came from, or ``<derived>`` / ``<dict>``."""

    @property
    def names(self) -> list[str]:
        """Field names in order."""
        return [f.name for f in self.fields]

    @property
    def kind(self) -> str | None:
        """Dataset type (``"interactions"``...) matching the name key, or None if it matches none."""
        return {v: k for k, v in AVRO_NAMES.items()}.get(self.name)

    def field(self, name: str) -> SchemaField | None:
        """The field called ``name`` or None."""
        return next((f for f in self.fields if f.name == name), None)

    def to_avro(self) -> dict[str, Any]:
        """The schema as an Avro dictionary, ready for ``json.dump`` and CreateSchema."""
        return {
            "type": "record",
            "name": self.name,
            "namespace": NAMESPACE,
            "fields": [f.to_avro() for f in self.fields],
            "version": "1.0",
        }

    def to_json(self) -> str:
        """The schema as indented JSON text."""
        return json.dumps(self.to_avro(), indent=2)


def _field_from_avro(raw: Mapping[str, Any], source: str) -> SchemaField:
    name = raw.get("name")
    ftype = raw.get("type")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise SchemaError(
            f"field name {name!r} is not an alphanumeric Avro name.",
            file=source,
            column=str(name),
            fix="Use letters, digits and underscores only, starting with a letter (e.g. USER_ID).",
        )
    nullable = False
    if isinstance(ftype, list):
        non_null = [t for t in ftype if t != "null"]
        nullable = len(non_null) < len(ftype)
        if len(non_null) != 1:
            raise SchemaError(
                f"field {name} has the union {ftype}; Personalize allows one type, optionally with null.",
                file=source,
                column=name,
                fix='Write e.g. "type": ["null", "string"].',
            )
        ftype = non_null[0]
    if not isinstance(ftype, str) or ftype not in PRIMITIVE_TYPES:
        raise SchemaError(
            f"field {name} has type {ftype!r}; Personalize schemas must be flat (no records, arrays or maps).",
            file=source,
            column=name,
            fix=f"Use one of {', '.join(PRIMITIVE_TYPES)}; store several values as one '|'-separated string.",
        )
    return SchemaField(name, ftype, nullable, bool(raw.get("categorical", False)), bool(raw.get("textual", False)))


def load_schema(schema: DatasetSchema | Mapping[str, Any] | str | Path) -> DatasetSchema:
    """Read a schema from a file path, JSON text, a dictionary, or pass a :class:`DatasetSchema` through.

    The document is parsed with ``fastavro.parse_schema``; then the Personalize
    structure rules are applied (a record, flat primitive fields, unique names).

    Args:
        schema: Path to a ``.json`` file, the JSON text itself, an Avro dictionary, or a DatasetSchema.

    Returns:
        The parsed schema.

    Raises:
        SchemaError: If the text is not JSON, not valid Avro, or not a flat Personalize record.
    """
    if isinstance(schema, DatasetSchema):
        return schema
    source = "<dict>"
    if isinstance(schema, Path) or (isinstance(schema, str) and not schema.lstrip().startswith("{")):
        path = Path(schema)
        source = str(path)
        if not path.exists():
            raise SchemaError("schema file not found.", file=source, fix="Check the path of the .json schema file.")
        schema = path.read_text(encoding="utf-8")
    if isinstance(schema, str):
        source = source if source != "<dict>" else "<json>"
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise SchemaError(
                f"schema is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).",
                file=source,
                fix="Fix the JSON syntax (a trailing comma after the last field is a common cause).",
            ) from exc
    if not isinstance(schema, Mapping):
        raise SchemaError("schema must be a JSON object.", file=source, fix='Start from {"type": "record", ...}.')
    try:
        fastavro.parse_schema(dict(schema))
    except Exception as exc:  # fastavro raises several exception types for invalid schemas
        raise SchemaError(
            f"schema is not valid Avro: {type(exc).__name__}: {exc}.",
            file=source,
            fix="Compare it with data/schemas/interactions.json (a record with name, namespace and fields).",
        ) from exc
    if schema.get("type") != "record" or not isinstance(schema.get("fields"), list):
        raise SchemaError("schema must be an Avro record with a list of fields.", file=source,
                          fix='Use {"type": "record", "name": "Interactions", "fields": [...]}.')
    fields = tuple(_field_from_avro(f, source) for f in schema["fields"])
    seen: set[str] = set()
    for f in fields:
        if f.name in seen:
            raise SchemaError(f"field {f.name} appears twice.", file=source, column=f.name,
                              fix="Field names must be unique; remove or rename one.")
        seen.add(f.name)
    name = str(schema.get("name", "")).rsplit(".", 1)[-1]
    return DatasetSchema(name=name, fields=fields, source=source)


def default_schema(kind: str, domain: str | None = None) -> DatasetSchema:
    """One of the bundled schema files in ``data/schemas``.

    Args:
        kind: ``"interactions"``, ``"items"`` or ``"users"``.
        domain: None for a custom dataset group, or ``"ECOMMERCE"`` (interactions and items
            defaults; for users the custom schema is returned) or ``"VIDEO_ON_DEMAND"``
            (interactions only).

    Returns:
        The parsed schema.
    """
    _check_kind(kind)
    _check_domain(domain)
    candidates = [f"{domain.lower()}_{kind}.json"] if domain else []
    candidates.append(f"{kind}.json")
    for filename in candidates:
        path = SCHEMA_DIR / filename
        if path.exists():
            return load_schema(path)
    raise SchemaError(f"no bundled schema for {kind}.", file=str(SCHEMA_DIR), fix="Reinstall the workbench.")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"dataset kind must be one of {KINDS}, not {kind!r}")


def _check_domain(domain: str | None) -> None:
    if domain not in DOMAINS:
        raise ValueError(f"domain must be None, 'ECOMMERCE' or 'VIDEO_ON_DEMAND', not {domain!r}")


def _avro_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "long"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "string"


def schema_from_frame(frame: pd.DataFrame, kind: str, *, textual: str | None = None) -> DatasetSchema:
    """Derive a schema from a frame's columns and dtypes (column order = field order).

    Reserved columns get their Personalize types; other integer columns become
    ``long``, other float columns ``float``, booleans ``boolean``, everything else a
    categorical ``string``. In an Items frame the first string column whose name
    contains ``DESCRIPTION`` (or the column named by ``textual``) becomes the one
    textual field. A field is nullable when the column has a missing value.

    Args:
        frame: The dataset.
        kind: ``"interactions"``, ``"items"`` or ``"users"``.
        textual: Items only: the column to mark ``textual`` (overrides the name rule).

    Returns:
        The derived schema (source ``<derived>``).
    """
    _check_kind(kind)
    known = {**REQUIRED[kind], **RESERVED[kind]}
    textual_taken = False
    fields = []
    for name in frame.columns:
        series = frame[name]
        nullable = bool(series.isna().any()) and name not in REQUIRED[kind]
        if name in known:
            ftype = known[name][0]
            categorical = False
        else:
            ftype = _avro_type(series)
            categorical = ftype == "string"
        is_textual = False
        if kind == "items" and ftype == "string" and name not in known and not textual_taken:
            wanted = textual == name if textual is not None else any(h in str(name).upper() for h in TEXTUAL_HINTS)
            if wanted:
                is_textual, categorical, textual_taken = True, False, True
        fields.append(SchemaField(str(name), ftype, nullable, categorical, is_textual))
    return DatasetSchema(AVRO_NAMES[kind], tuple(fields), "<derived>")


def check_schema(schema: DatasetSchema, kind: str, domain: str | None = None,
                 report: ValidationReport | None = None) -> ValidationReport:
    """Apply the Personalize rules for a dataset type to a parsed schema.

    Errors: name key not matching the dataset type; a required field missing or of
    the wrong type; a reserved field of the wrong type; EVENT_TYPE marked
    categorical; textual fields outside Items, more than one textual field, or a
    textual/categorical non-string field; Items/Users without a metadata field;
    more than 5 custom interaction metadata fields; EVENT_TYPE missing in a domain
    dataset group; ECOMMERCE items without PRICE (float) and CATEGORY_L1
    (categorical string).

    Warnings: string metadata that is neither categorical nor textual (not used in
    training); required fields declared nullable; metadata counts above the quotas
    read in translation (100 for Items, 25 for Users); EVENT_VALUE in a domain group
    (not used there).

    Args:
        schema: The parsed schema.
        kind: Dataset type it is meant for.
        domain: None, ``"ECOMMERCE"`` or ``"VIDEO_ON_DEMAND"``.
        report: Report to add the findings to (a new one if None).

    Returns:
        The report (``.ok`` is False when there is an error).
    """
    _check_kind(kind)
    _check_domain(domain)
    report = report if report is not None else ValidationReport(kind)
    expected = AVRO_NAMES[kind]
    if schema.name != expected:
        report.add("error", "schema_name",
                   f"schema name key is {schema.name!r} but a {kind} schema must be named {expected!r} "
                   "(the name key must match the dataset type).")
    required = dict(REQUIRED[kind])
    reserved = dict(RESERVED[kind])
    if kind == "items" and domain == "ECOMMERCE":
        required.update({"PRICE": ("float",), "CATEGORY_L1": ("string",)})
        reserved[CREATION_TIMESTAMP] = ("long", "float")
    for name, types in required.items():
        field = schema.field(name)
        if field is None:
            report.add("error", "required_field", f"required field {name} ({types[0]}) is missing from the schema.",
                       column=name)
        elif field.type not in types:
            report.add("error", "field_type", f"field {name} must have type {types[0]}, not {field.type}.", column=name)
        elif field.nullable and name in REQUIRED[kind]:
            report.add("warning", "required_nullable",
                       f"required field {name} is declared nullable; every record still needs a value.", column=name)
    for name, types in reserved.items():
        field = schema.field(name)
        if field is not None and field.type not in types:
            report.add("error", "field_type", f"reserved field {name} must have type {types[0]}, not {field.type}.",
                       column=name)
    event_type = schema.field(EVENT_TYPE)
    if kind == "interactions" and event_type is not None and event_type.categorical:
        report.add("error", "event_type_categorical", "EVENT_TYPE must be a string and can't be categorical.",
                   column=EVENT_TYPE)
    if kind == "interactions" and domain is not None:
        if event_type is None:
            report.add("error", "domain_event_type",
                       f"{domain} dataset groups require an EVENT_TYPE field.", column=EVENT_TYPE)
        if schema.field(EVENT_VALUE) is not None:
            report.add("warning", "domain_event_value",
                       "domain dataset groups do not use EVENT_VALUE data (Personalize Developer Guide, page interactions-datasets).", column=EVENT_VALUE)
    if kind == "items" and domain == "ECOMMERCE":
        cat = schema.field("CATEGORY_L1")
        if cat is not None and not cat.categorical:
            report.add("error", "categorical_required", "CATEGORY_L1 must have \"categorical\": true.",
                       column="CATEGORY_L1")
    textual = [f for f in schema.fields if f.textual]
    if textual and kind != "items":
        report.add("error", "textual_not_allowed", f"only Items datasets may have textual fields ({textual[0].name}).",
                   column=textual[0].name)
    if len(textual) > 1:
        report.add("error", "too_many_textual",
                   f"an Items dataset may have one textual field, this schema has {len(textual)}.",
                   column=textual[1].name)
    for f in schema.fields:
        if (f.categorical or f.textual) and f.type != "string":
            report.add("error", "flag_on_non_string",
                       f"field {f.name} is {'textual' if f.textual else 'categorical'} but has type {f.type}; "
                       "only string fields can be.", column=f.name)
    metadata = [f for f in schema.fields if f.name not in REQUIRED[kind] and f.name not in RESERVED[kind]]
    if kind == "items" and domain == "ECOMMERCE":
        metadata = [f for f in schema.fields if f.name not in REQUIRED[kind] and f.name != CREATION_TIMESTAMP]
    for f in metadata:
        if f.type == "string" and not (f.categorical or f.textual):
            report.add("warning", "unused_string_field",
                       f"string field {f.name} is neither categorical nor textual, so Personalize won't use it "
                       "in training.", column=f.name)
    if kind in ("items", "users") and not metadata:
        report.add("error", "no_metadata", f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} dataset needs at least one metadata field besides the id.")
    if kind == "interactions" and len(metadata) > MAX_INTERACTION_METADATA:
        report.add("error", "too_many_metadata",
                   f"{len(metadata)} custom metadata fields; an interactions dataset allows "
                   f"{MAX_INTERACTION_METADATA}.")
    limit = {"items": MAX_ITEM_METADATA, "users": MAX_USER_METADATA}.get(kind)
    if limit is not None and len(metadata) > limit:
        report.add("warning", "too_many_metadata",
                   f"{len(metadata)} metadata fields; the current quota (read in a translated copy of the limits "
                   f"page) is {limit}.")
    return report


def require_valid_schema(schema: DatasetSchema, kind: str, domain: str | None = None,
                         data_file: str | None = None) -> ValidationReport:
    """Raise :class:`SchemaError` for the first error :func:`check_schema` finds.

    A schema derived from data is reported against ``data_file`` (the columns are to blame).
    Returns the report of :func:`check_schema` (warnings only) when there is no error.
    """
    report = check_schema(schema, kind, domain)
    if report.errors:
        first = report.errors[0]
        derived = schema.source == "<derived>"
        raise SchemaError(first.message, file=data_file if derived and data_file else schema.source,
                          column=first.column,
                          fix=("Change the columns of the data" if derived else "Edit the schema")
                          + f" (rule {first.check}; the rules follow the Personalize Developer Guide page custom-datasets-and-schemas).")
    return report


def check_columns(columns: list[str], schema: DatasetSchema, file: str | None) -> None:
    """Raise a :class:`DatasetError` unless the data columns are the schema's fields, in order.

    Args:
        columns: Column names of the data (CSV header order).
        schema: The schema the data should follow.
        file: File name for the message.

    Raises:
        SchemaError: Naming the first missing field, unexpected column, or order difference.
    """
    names = schema.names
    for name in names:
        if name not in columns:
            raise SchemaError(f"missing column {name}, which the schema ({schema.source}) requires.",
                              file=file, column=name, fix=f"Add a {name} column or remove the field from the schema.")
    for name in columns:
        if name not in names:
            raise SchemaError(f"column {name} is not a field of the schema ({schema.source}).", file=file,
                              column=name, fix=f"Add a field {name} to the schema or drop the column.")
    if list(columns) != names:
        position = next(i for i, (a, b) in enumerate(zip(columns, names)) if a != b)
        raise SchemaError(
            f"column order differs from the schema at position {position + 1}: file has {columns[position]}, "
            f"schema has {names[position]}.",
            file=file, column=columns[position],
            fix=f"Personalize needs the CSV columns in schema order: {', '.join(names)}.",
        )
