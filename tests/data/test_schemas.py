"""Avro schema parsing and the Personalize rules on top of it."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.data import check_schema, default_schema, load_schema, schema_from_frame
from workbench.data.schemas import SCHEMA_DIR
from workbench.errors import SchemaError


def record(name: str, *fields: dict) -> dict:
    return {"type": "record", "name": name, "namespace": "com.amazonaws.personalize.schema", "fields": list(fields),
            "version": "1.0"}


USER = {"name": "USER_ID", "type": "string"}
ITEM = {"name": "ITEM_ID", "type": "string"}
TS = {"name": "TIMESTAMP", "type": "long"}


def checks(report) -> set[str]:
    return {i.check for i in report.errors}


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.json")), ids=lambda p: p.name)
def test_bundled_schemas_are_valid_avro_and_follow_the_rules(path):
    schema = load_schema(path)
    kind = schema.kind
    domain = "ECOMMERCE" if path.name.startswith("ecommerce") else "VIDEO_ON_DEMAND" if "video" in path.name else None
    assert kind in ("interactions", "items", "users")
    assert check_schema(schema, kind, domain).ok


def test_fact_sheet_example_schema_parses_with_flags():
    text = json.dumps(record("Interactions", USER, ITEM, {"name": "EVENT_TYPE", "type": "string"},
                             {"name": "EVENT_VALUE", "type": ["float", "null"]},
                             {"name": "LOCATION", "type": "string", "categorical": True},
                             {"name": "DEVICE", "type": ["string", "null"], "categorical": True}, TS,
                             {"name": "IMPRESSION", "type": "string"}))
    schema = load_schema(text)
    assert schema.names == ["USER_ID", "ITEM_ID", "EVENT_TYPE", "EVENT_VALUE", "LOCATION", "DEVICE", "TIMESTAMP",
                            "IMPRESSION"]
    assert schema.field("DEVICE").nullable and schema.field("DEVICE").categorical
    assert not schema.field("LOCATION").nullable
    assert check_schema(schema, "interactions").ok


def test_invalid_avro_type_is_a_schema_error_naming_the_file(write):
    path = write("bad.json", json.dumps(record("Interactions", USER, {"name": "ITEM_ID", "type": "strng"}, TS)))
    with pytest.raises(SchemaError, match="not valid Avro") as info:
        load_schema(path)
    assert str(path) in str(info.value)


def test_trailing_comma_json_is_reported(write):
    path = write("comma.json", '{"type": "record", "name": "Items", "fields": [{"name": "ITEM_ID", "type": "string"},]}')
    with pytest.raises(SchemaError, match="not valid JSON"):
        load_schema(path)


@pytest.mark.parametrize("ftype", [{"type": "array", "items": "string"}, ["null", "string", "long"],
                                   {"type": "map", "values": "string"}])
def test_nested_or_complex_types_are_refused(ftype):
    with pytest.raises(SchemaError, match="GENRES"):
        load_schema(record("Items", ITEM, {"name": "GENRES", "type": ftype}))


def test_duplicate_field_names_are_refused():
    with pytest.raises(SchemaError, match="twice"):
        load_schema(record("Users", USER, {"name": "AGE", "type": "int"}, {"name": "AGE", "type": "int"}))


def test_name_key_must_match_dataset_type():
    schema = load_schema(record("Items", USER, ITEM, TS))
    assert "schema_name" in checks(check_schema(schema, "interactions"))


def test_required_fields_and_reserved_types():
    schema = load_schema(record("Interactions", USER, {"name": "TIMESTAMP", "type": "int"},
                                {"name": "EVENT_VALUE", "type": "string"}))
    report = check_schema(schema, "interactions")
    assert {"required_field", "field_type"} <= checks(report)
    messages = " ".join(i.message for i in report.errors)
    assert "ITEM_ID" in messages and "TIMESTAMP must have type long" in messages and "EVENT_VALUE" in messages


def test_event_type_cannot_be_categorical():
    schema = load_schema(record("Interactions", USER, ITEM, TS,
                                {"name": "EVENT_TYPE", "type": "string", "categorical": True}))
    assert "event_type_categorical" in checks(check_schema(schema, "interactions"))


def test_textual_rules():
    two = load_schema(record("Items", ITEM, {"name": "A", "type": "string", "textual": True},
                             {"name": "B", "type": "string", "textual": True}))
    assert "too_many_textual" in checks(check_schema(two, "items"))
    users = load_schema(record("Users", USER, {"name": "BIO", "type": "string", "textual": True}))
    assert "textual_not_allowed" in checks(check_schema(users, "users"))


def test_items_and_users_need_a_metadata_field():
    assert "no_metadata" in checks(check_schema(load_schema(record("Items", ITEM)), "items"))
    assert "no_metadata" in checks(check_schema(load_schema(record("Users", USER)), "users"))


def test_interactions_allow_five_custom_metadata_fields_not_six():
    extra = [{"name": f"C{i}", "type": "string", "categorical": True} for i in range(6)]
    assert check_schema(load_schema(record("Interactions", USER, ITEM, TS, *extra[:5])), "interactions").ok
    assert "too_many_metadata" in checks(check_schema(load_schema(record("Interactions", USER, ITEM, TS, *extra)),
                                                      "interactions"))


def test_domain_rules():
    custom = load_schema(record("Interactions", USER, ITEM, TS))
    assert check_schema(custom, "interactions").ok
    assert "domain_event_type" in checks(check_schema(custom, "interactions", "ECOMMERCE"))
    items = load_schema(record("Items", ITEM, {"name": "CATEGORY_L1", "type": "string"}))
    ecommerce = check_schema(items, "items", "ECOMMERCE")
    assert {"required_field", "categorical_required"} <= checks(ecommerce)


def test_uncategorised_string_metadata_is_a_warning_not_an_error():
    report = check_schema(load_schema(record("Users", USER, {"name": "NAME", "type": "string"})), "users")
    assert report.ok
    assert [w.check for w in report.warnings] == ["unused_string_field"]


def test_schema_from_frame_types_order_and_textual():
    frame = pd.DataFrame({"ITEM_ID": ["a", "b"], "PRICE": [1.5, None], "STOCK": [3, 4],
                          "GENRES": ["x|y", "z"], "PRODUCT_DESCRIPTION": ["long text", "more"],
                          "CREATION_TIMESTAMP": [1, 2]})
    schema = schema_from_frame(frame, "items")
    assert schema.names == list(frame.columns)
    types = {f.name: (f.type, f.nullable, f.categorical, f.textual) for f in schema.fields}
    assert types == {"ITEM_ID": ("string", False, False, False), "PRICE": ("float", True, False, False),
                     "STOCK": ("long", False, False, False), "GENRES": ("string", False, True, False),
                     "PRODUCT_DESCRIPTION": ("string", False, False, True),
                     "CREATION_TIMESTAMP": ("long", False, False, False)}
    again = load_schema(schema.to_json())
    assert again == type(again)(again.name, schema.fields, again.source)


def test_default_schema_picks_domain_file():
    assert default_schema("interactions", "ECOMMERCE").names == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    assert "PRICE" in default_schema("items", "ECOMMERCE").names
    assert default_schema("users", "ECOMMERCE").names == default_schema("users").names
