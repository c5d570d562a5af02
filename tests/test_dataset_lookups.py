"""Lookups: a parent's field at the row a reference picks, equal to the parent's own rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.datasets import generated_rows, problems_of

# Parents span two blocks of the engine, so lookups read more than one parent block.
SHOP = """\
version: 1
entities:
  Region:
    count: 5
    fields:
      code: {type: pattern, pattern: "R-##", unique: true}
      zone: {type: choice, values: [north, south]}
  Customer:
    count: 70000
    fields:
      id: sequence
      country: {type: choice, values: [FR, DE, US], null_rate: 0.1}
      first: person.first_name
      secret: {type: integer, min: 1, max: 999, hidden: true}
      handle: {type: template, template: "{first|lower}-{secret}"}
      phone: {type: pattern, pattern: "+1-###-####"}
      since: {type: date, start: 2020-01-01, end: 2020-12-31}
      region: {type: reference, entity: Region, field: code}
      zone: {type: lookup, via: region, field: zone}
  Order:
    count: 400
    fields:
      id: sequence
      customer_id: {type: reference, entity: Customer}
      country: {type: lookup, via: customer_id, field: country}
      first: {type: lookup, via: customer_id, field: first}
      secret: {type: lookup, via: customer_id, field: secret}
      handle: {type: lookup, via: customer_id, field: handle}
      phone: {type: lookup, via: customer_id, field: phone}
      since: {type: lookup, via: customer_id, field: since}
      region: {type: lookup, via: customer_id, field: region}
      zone: {type: lookup, via: customer_id, field: zone}
"""


def _rows(schema: str, entity: str, count: int | None, folder: Path, **options: Any) -> list:
    return generated_rows(schema, entity, count, folder, seed=11, **options)


def test_lookups_equal_the_parents_own_rows(tmp_path: Path) -> None:
    # The hidden `secret` is written here so the lookup can be compared with it.
    visible = SHOP.replace("max: 999, hidden: true}", "max: 999}")
    customers = _rows(visible, "Customer", 70000, tmp_path)
    orders = _rows(SHOP, "Order", 400, tmp_path)
    assert {row["customer_id"] > 65536 for row in orders} == {True, False}
    fields = ["country", "first", "secret", "handle", "phone", "since", "region", "zone"]
    for order in orders:
        parent = customers[order["customer_id"] - 1]
        assert [order[f] for f in fields] == [parent[f] for f in fields]
    assert sum(order["country"] is None for order in orders) > 10  # the parent's nulls too
    assert orders[0] == {
        "id": 1,
        "customer_id": orders[0]["customer_id"],
        **{f: customers[orders[0]["customer_id"] - 1][f] for f in fields},
    }


def test_hiding_a_parent_field_leaves_its_lookups_alone(tmp_path: Path) -> None:
    hidden = _rows(SHOP, "Order", 400, tmp_path / "a")
    shown = _rows(SHOP.replace("max: 999, hidden: true}", "max: 999}"), "Order", 400, tmp_path)
    assert hidden == shown


def test_lookups_on_shards_give_the_same_rows(tmp_path: Path) -> None:
    whole = _rows(SHOP, "Order", 400, tmp_path)
    sharded = _rows(SHOP, "Order", 400, tmp_path, shard_rows=64)
    assert whole == sharded


def test_a_null_reference_gives_a_null_lookup(tmp_path: Path) -> None:
    schema = SHOP.replace(
        "customer_id: {type: reference, entity: Customer}",
        "customer_id: {type: reference, entity: Customer, null_rate: 0.5}",
    )
    orders = _rows(schema, "Order", 400, tmp_path)
    empty = [o for o in orders if o["customer_id"] is None]
    assert 150 < len(empty) < 250
    assert {o["first"] for o in empty} == {None}


BAD = """\
version: 1
entities:
  Customer:
    count: 10
    fields:
      id: sequence
      country: {type: choice, values: [FR]}
  Order:
    count: 10
    fields:
      id: sequence
      customer_id: {type: reference, entity: Customer}
      a: {type: lookup, via: customer_id, field: contry}
      b: {type: lookup, via: id, field: country}
      c: {type: lookup, via: customer, field: country}
      d: {type: lookup, via: customer_id}
"""


def test_every_bad_lookup_is_named_with_its_path_and_line() -> None:
    assert problems_of(BAD) == [
        {
            "path": "entities.Order.fields.a.field",
            "line": 13,
            "message": "entity Customer has no field 'contry'; did you mean country?",
        },
        {
            "path": "entities.Order.fields.b.via",
            "line": 14,
            "message": "via names a reference field of Order; id is a sequence "
            "(references: customer_id)",
        },
        {
            "path": "entities.Order.fields.c.via",
            "line": 15,
            "message": "Order has no field 'customer'; did you mean customer_id?",
        },
        {
            "path": "entities.Order.fields.d",
            "line": 16,
            "message": "type lookup needs option 'field'",
        },
    ]


def test_a_lookup_cycle_is_refused() -> None:
    schema = """\
version: 1
entities:
  Person:
    count: 10
    fields:
      id: sequence
      boss: {type: reference, entity: Person}
      title: {type: lookup, via: boss, field: title}
"""
    assert problems_of(schema) == [
        {
            "path": "entities.Person.fields.title.field",
            "line": 8,
            "message": "lookup cycle: Person.title -> Person.title",
        }
    ]
