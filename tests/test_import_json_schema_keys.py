"""JSON Schema import of keys: optional ones left out of some rows, names that are not
identifiers, one alternative of a oneOf of required lists, counted properties, dependencies,
if/then on one property's value, and free-form objects as maps. Every row generated is valid
under the source schema."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import jsonschema
import pytest

from pipeline.engine.blocks import generate_batches
from pipeline.importers import convert_with_warnings
from pipeline.importers.json_schema import entity_pointers
from pipeline.schema import load_schema
from storage.formats.json import write_json

ROWS = 200

PIPELINE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Pipeline",
    "type": "object",
    "additionalProperties": False,
    "required": ["on-push", "stages"],
    "properties": {
        "on-push": {"type": "boolean"},
        "run-name": {"type": "string"},
        "$meta": {"type": "integer", "minimum": 0, "maximum": 9},
        "stages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "script": {"type": "string"},
                    "image": {"type": "string"},
                    "work-dir": {"type": "string"},
                },
                "oneOf": [{"required": ["script"]}, {"required": ["image"]}],
                "dependencies": {"work-dir": ["script"]},
            },
        },
    },
}
TREE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Catalog",
    "type": "object",
    "required": ["branches"],
    "properties": {"branches": {"$ref": "#/$defs/branches"}},
    "$defs": {
        "branches": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "minProperties": 3,
                "maxProperties": 3,
                "required": ["name", "kind"],
                "additionalProperties": False,
                "properties": {
                    "branches": {"$ref": "#/$defs/branches"},
                    "name": {"type": "string"},
                    "kind": {"enum": ["vendor", "family", "version"]},
                    "leaf": {"type": "object", "properties": {"id": {"type": "string"}}},
                },
            },
        }
    },
}
PACKAGE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Package",
    "type": "object",
    "required": ["aliases", "counts"],
    "properties": {
        "aliases": {
            "type": "object",
            "patternProperties": {"^#[a-z]+$": {"type": "string", "pattern": "^\\./src/[a-z]+$"}},
            "additionalProperties": False,
            "minProperties": 1,
        },
        "counts": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "empty": {"type": "object", "additionalProperties": False},
        "shared": {"$ref": "other.json#/thing"},
    },
}
INPUT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Input",
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"enum": ["text", "flag", "count", "pick"]},
        "default": {},
        "options": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": "text"}}, "required": ["kind"]},
            "then": {"properties": {"default": {"type": "string"}}},
        },
        {
            "if": {"properties": {"kind": {"const": "flag"}}, "required": ["kind"]},
            "then": {"properties": {"default": {"type": "boolean"}}},
        },
        {
            "if": {"properties": {"kind": {"const": "pick"}}, "required": ["kind"]},
            "then": {"required": ["options"]},
        },
    ],
}


def _rows(yaml_text: str, entity: str) -> list[Any]:
    schema = load_schema(yaml_text)
    out = io.BytesIO()
    write_json(generate_batches(schema, entity, 0, ROWS, seed=5, providers={}), out)
    return json.loads(b"[" + out.getvalue() + b"]")


def _valid_rows(doc: dict[str, Any]) -> tuple[str, list[Any]]:
    """The YAML the import gives, and the root entity's rows, each checked valid."""
    text = json.dumps(doc)
    yaml_text, _ = convert_with_warnings(text, "json_schema")
    validator = jsonschema.validators.validator_for(doc)(doc)
    root = next(name for name, pointer in entity_pointers(text).items() if pointer == "#")
    rows = _rows(yaml_text, root)
    for row in rows:
        assert list(validator.iter_errors(row)) == [], row
    return yaml_text, rows


@pytest.mark.parametrize("doc", [PIPELINE, TREE, PACKAGE, INPUT], ids=lambda d: d["title"])
def test_every_row_of_every_entity_is_valid(doc: dict[str, Any]) -> None:
    text = json.dumps(doc)
    yaml_text, _ = convert_with_warnings(text, "json_schema")
    validator = jsonschema.validators.validator_for(doc)(doc)
    for entity, pointer in entity_pointers(text).items():
        part = doc if pointer == "#" else doc["$defs"][pointer.split("/")[2]]
        target = validator.evolve(schema=part)
        for row in _rows(yaml_text, entity):
            assert list(target.iter_errors(row)) == [], row


def test_names_that_are_not_identifiers_keep_their_key() -> None:
    yaml_text, rows = _valid_rows(PIPELINE)
    assert "      on_push: {type: boolean, output_name: on-push}" in yaml_text.splitlines()
    assert "$meta" in yaml_text and "meta: {type: integer" in yaml_text
    assert {key for row in rows for key in row} == {"on-push", "run-name", "$meta", "stages"}


def test_a_key_no_output_can_name_keeps_it_in_the_description() -> None:
    doc = {
        "title": "Note",
        "type": "object",
        "required": ["", "a\tb", "x-y"],
        "properties": {
            "": {"type": "string"},
            "a\tb": {"type": "integer"},
            "x-y": {"type": "boolean"},
        },
    }
    yaml_text, _ = convert_with_warnings(json.dumps(doc), "json_schema")
    fields = load_schema(yaml_text).entities["Note"].fields
    assert [(n, f.output_name, f.description) for n, f in fields.items()] == [
        ("field", None, "source name: "),
        ("a_b", None, "source name: a\tb"),
        ("x_y", "x-y", None),
    ]


def test_optional_keys_are_left_out_of_some_rows_and_never_null() -> None:
    _, rows = _valid_rows(PIPELINE)
    with_name = [row for row in rows if "run-name" in row]
    assert 120 < len(with_name) < 190
    assert all(isinstance(row["run-name"], str) for row in with_name)


def test_a_oneof_of_required_lists_keeps_one_and_its_dependencies() -> None:
    yaml_text, rows = _valid_rows(PIPELINE)
    stages = [stage for row in rows for stage in row["stages"]]
    assert all("script" in s and "image" not in s for s in stages)
    assert any("work-dir" in s for s in stages)
    assert "left out: another oneOf alternative requires it" in yaml_text


def test_recursion_and_counted_properties_leave_keys_out() -> None:
    _, rows = _valid_rows(TREE)

    def walk(branches: list[dict[str, Any]], depth: int) -> int:
        deepest = depth
        for branch in branches:
            assert len(branch) == 3
            assert ("branches" in branch) != ("leaf" in branch)
            deepest = max(deepest, walk(branch.get("branches", []), depth + 1))
        return deepest

    assert {walk(row["branches"], 1) for row in rows} == {3}  # a $ref repeats twice, then stops


def test_free_form_objects_are_maps_of_their_pattern_and_value() -> None:
    yaml_text, rows = _valid_rows(PACKAGE)
    assert "type: map" in yaml_text
    assert all(len(row["aliases"]) >= 1 for row in rows)
    assert all(re.fullmatch("#[a-z]+", key) for row in rows for key in row["aliases"])
    assert any(row["counts"] for row in rows)
    assert all(row.get("empty", {}) == {} for row in rows)
    assert all("shared" not in row for row in rows)  # its schema is in another document


def test_an_if_on_one_value_keeps_its_first_then() -> None:
    yaml_text, rows = _valid_rows(INPUT)
    assert {row["kind"] for row in rows} == {"text", "count"}
    assert all(isinstance(row["default"], str) for row in rows if "default" in row)
    assert (
        '      kind: {type: choice, values: [text, count], description: "not drawn, so that no '
        'other if/then applies: flag, pick"}' in yaml_text.splitlines()
    )
