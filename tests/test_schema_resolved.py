"""The resolved form: each field's path, place in the document, value space, template parts and
reference target, worked out once per schema."""

from __future__ import annotations

import datetime as dt

from pipeline.capacity import uniqueness_problems
from pipeline.schema import load_schema, resolve
from pipeline.schema import model as m
from pipeline.schema.resolved import Target
from pipeline.schema.templates import TOKEN_DOMAIN, Placeholder

SHOP = """
entities:
  Customer:
    count: 50
    fields:
      name: person.first_name
      id: {type: sequence}
      code: {type: pattern, pattern: "C-##", unique: true}
      address:
        type: object
        fields:
          city: address.city
          zip: {type: integer, min: 1000, max: 1999}
      tags: {type: array, of: {type: choice, values: [a, b, a]}}
      seg: {type: provider, name: segs}
      handle: {type: template, template: "{name|lower}-{id}", unique: true}
      label: {type: template, template: "#{code}", unique: true}
      born: {type: datetime, start: 2020-01-01T00:00:00Z, end: 2020-01-01T00:00:01Z}
  Order:
    count: 10
    fields:
      buyer: {type: reference, entity: Customer}
      by_code: {type: reference, entity: Customer, field: code, unique: true}
"""


def test_every_field_is_resolved_once_with_its_path_place_and_value_space() -> None:
    customer = resolve(load_schema(SHOP)).entities["Customer"]
    at = ("entities", "Customer", "fields")
    assert [
        (f.path, f.location, f.inside_array, f.space, f.space_provider) for f in customer.fields
    ] == [
        ("name", (*at, "name"), False, None, None),
        ("id", (*at, "id"), False, None, None),
        ("code", (*at, "code"), False, 100, None),
        ("address", (*at, "address"), False, None, None),
        ("address.city", (*at, "address", "fields", "city"), False, None, None),
        ("address.zip", (*at, "address", "fields", "zip"), False, 1000, None),
        ("tags", (*at, "tags"), False, None, None),
        ("tags[]", (*at, "tags", "of"), True, 2, None),
        ("seg", (*at, "seg"), False, None, "segs"),
        ("handle", (*at, "handle"), False, 78_364_164_096, None),
        ("label", (*at, "label"), False, 100, None),
        ("born", (*at, "born"), False, 1_000_001, None),
    ]
    assert TOKEN_DOMAIN == 78_364_164_096
    assert [f.path for f in customer.columns()] == [
        "name", "id", "code", "address", "tags", "seg", "handle", "label", "born",
    ]  # fmt: skip
    assert [f.hidden for f in customer.fields] == [False] * 12
    assert customer.key == "id"
    assert customer.field("address.zip") is customer.fields[5]
    assert customer.field("nope") is None


def test_a_provider_space_is_its_distinct_data() -> None:
    seg = resolve(load_schema(SHOP)).entities["Customer"].by_path["seg"]
    assert seg.space_with({"segs": ["x", "y", "x", 1, 1.0, True]}) == 5
    assert seg.space_with(None) is None
    assert seg.space_with({}) == 0


def test_a_reference_resolves_to_its_target_field_and_the_parent_rows() -> None:
    order = resolve(load_schema(SHOP)).entities["Order"]
    buyer, by_code = order.fields
    assert buyer.reference == Target("Customer", "id", m.Sequence(), 50)
    assert buyer.space == 50
    assert by_code.reference == Target(
        "Customer", "code", m.Pattern(pattern="C-##", unique=True), 50
    )
    assert order.key is None


def test_a_template_is_parsed_once_into_its_parts() -> None:
    customer = resolve(load_schema(SHOP)).entities["Customer"]
    handle, label = customer.by_path["handle"], customer.by_path["label"]
    assert handle.template == (Placeholder("name", "lower"), "-", Placeholder("id"))
    assert handle.placeholders == (Placeholder("name", "lower"), Placeholder("id"))
    assert handle.template_token is True
    # One unfiltered placeholder of a unique field stays unique as it is: no token.
    assert label.template == ("#", Placeholder("code"))
    assert label.template_token is False
    assert customer.by_path["name"].template is None


def test_the_resolved_form_is_kept_with_its_schema() -> None:
    schema = load_schema(SHOP)
    assert resolve(schema) is resolve(schema)
    other = load_schema(SHOP)
    assert resolve(other) is not resolve(schema)
    assert resolve(other) == resolve(schema)


def test_a_schema_built_in_code_is_resolved_on_first_use() -> None:
    schema = m.Schema(
        entities={
            "E": m.Entity(
                count=3,
                fields={
                    "day": m.Date(start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 3), unique=True)
                },
            )
        }
    )
    (day,) = resolve(schema).entities["E"].fields
    assert (day.path, day.space) == ("day", 3)
    assert uniqueness_problems(schema, "E", 4, {}) == [
        {
            "path": "entities.E.fields.day.unique",
            "message": "cannot be unique: day has 3 possible value(s) but the entity's count is 4",
        }
    ]
    assert uniqueness_problems(schema, "E", 3, {}) == []
