"""Rows generated from an imported JSON Schema are valid under that schema, all of them."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest

from pipeline.engine.blocks import generate_batches
from pipeline.importers import convert_with_warnings
from pipeline.importers.json_schema import entity_pointers
from pipeline.schema import load_schema
from storage.formats.json import write_json

ROWS = 200

TREE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Node",
    "type": "object",
    "required": ["id", "label", "on", "children"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^N-[0-9]{3}[a-z]+(\\.[a-z]{2,4})?$"},
        "label": {"type": "string", "minLength": 2, "maxLength": 8},
        "on": {"type": "boolean"},
        "yes": {"enum": ["y", "n"]},
        "children": {"type": "array", "items": {"$ref": "#"}},
        "parent": {"$ref": "#/definitions/ref"},
        "version": {"type": "string", "pattern": "^v?\\d+(\\.\\d+)*$"},
    },
    "definitions": {"ref": {"type": "object", "properties": {"id": {"type": "string"}}}},
}
MERGED = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Payment",
    "type": "object",
    "required": ["amount"],
    "properties": {"amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 100}},
    "allOf": [
        {"required": ["currency"], "properties": {"currency": {"enum": ["EUR", "USD"]}}},
        {"$ref": "#/$defs/audit"},
    ],
    "anyOf": [
        {"type": "null"},
        {"properties": {"card": {"type": "string", "pattern": "^[0-9]{4}( [0-9]{4}){3}$"}}},
    ],
    "$defs": {
        "audit": {
            "type": "object",
            "required": ["at", "by"],
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "by": {"type": "string", "format": "email", "maxLength": 60},
                "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                "note": {"type": ["string", "null"], "maxLength": 5},
            },
        }
    },
}
FEED = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Feed",
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "score": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "exclusiveMaximum": True,
                    },
                    "url": {"type": "string", "format": "uri"},
                    "latitude": {"type": "string"},
                },
            },
        }
    },
}


def _rows(yaml_text: str, entity: str) -> list[Any]:
    schema = load_schema(yaml_text)
    out = io.BytesIO()
    write_json(generate_batches(schema, entity, 0, ROWS, seed=3, providers={}), out)
    return json.loads(b"[" + out.getvalue() + b"]")


@pytest.mark.parametrize("doc", [TREE, MERGED, FEED], ids=["recursive", "merged", "draft04"])
def test_every_generated_row_is_valid(doc: dict[str, Any]) -> None:
    text = json.dumps(doc)
    yaml_text, _ = convert_with_warnings(text, "json_schema")
    validator = jsonschema.validators.validator_for(doc)(doc)
    checked = 0
    for entity, pointer in entity_pointers(text).items():
        part = doc if pointer == "#" else doc[pointer.split("/")[1]][pointer.split("/")[2]]
        target = validator.evolve(schema=part)
        for row in _rows(yaml_text, entity):
            assert list(target.iter_errors(row)) == [], row
            checked += 1
    assert checked == ROWS * len(entity_pointers(text))


def test_recursion_stops_in_an_empty_list_and_keys_yaml_would_misread_are_quoted() -> None:
    yaml_text, _ = convert_with_warnings(json.dumps(TREE), "json_schema")
    assert '      "on": boolean' in yaml_text.splitlines()
    assert '      "yes": {type: choice, values: [y, n], absent_rate: 0.2}' in yaml_text.splitlines()

    def depth(node: dict[str, Any]) -> int:
        return 1 + max((depth(c) for c in node["children"]), default=0)

    # The node and its children; the children's own lists are empty.
    assert max(depth(row) for row in _rows(yaml_text, "Node")) == 2


def test_a_oneof_keeps_its_first_choice_and_says_so() -> None:
    doc = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "oneOf": [{"properties": {"a": {"maxLength": 3}}}, {"properties": {"b": {"maximum": 3}}}],
    }
    _, warnings = convert_with_warnings(json.dumps(doc), "json_schema")
    assert warnings == [
        {
            "line": None,
            "path": "",
            "message": "(root): oneOf: only the first alternative is generated; values may "
            "match more than one",
        }
    ]
