"""Children per parent: rows in groups, one per parent row, found from row indices alone."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from pipeline.engine import EngineError
from pipeline.local import generate
from pipeline.plan import derived_count
from pipeline.schema.parse import parse_schema
from tests.datasets import generated_rows, problems_of

SHOP = """\
version: 1
entities:
  Customer:
    count: 300
    fields:
      id: sequence
      name: person.first_name
  Order:
    count: {per: Customer, distribution: {kind: poisson, mean: 2}, max: 6}
    fields:
      id: sequence
      customer_id: {type: reference, entity: Customer}
      rank: {type: sequence, scope: parent}
      total: {type: float, min: 1, max: 99, decimals: 2}
  Line:
    count: {per: Order, min: 1, max: 5}
    fields:
      order_id: {type: reference, entity: Order}
      line_no: {type: sequence, scope: parent, start: 10, step: 10}
      product_id: {type: reference, entity: Customer}
      qty: {type: integer, min: 1, max: 9}
"""


def _rows(entity: str, folder: Path, count: int | None = None, **options: Any) -> list:
    return generated_rows(SHOP, entity, count, folder, seed=4, **options)


def test_the_counts_follow_from_the_groups() -> None:
    schema = parse_schema(SHOP)
    assert derived_count(schema, "Customer", 4) is None
    assert derived_count(schema, "Order", 4) == 608
    assert derived_count(schema, "Line", 4) == 1844
    assert derived_count(schema, "Order", 5) == 570


def test_groups_come_in_parent_order_within_their_bounds(tmp_path: Path) -> None:
    orders = _rows("Order", tmp_path)
    assert len(orders) == 608
    assert [o["id"] for o in orders] == list(range(1, 609))
    parents = [o["customer_id"] for o in orders]
    assert parents == sorted(parents)
    sizes = {k: len(list(g)) for k, g in itertools.groupby(parents)}
    assert set(sizes.values()) <= set(range(1, 7))
    assert 200 < len(sizes) < 300  # some customers have no orders (a poisson 0)
    ranks: dict[int, list[int]] = {}
    for order in orders:
        ranks.setdefault(order["customer_id"], []).append(order["rank"])
    assert all(r == list(range(1, len(r) + 1)) for r in ranks.values())
    assert orders[:3] == [
        {"id": 1, "customer_id": orders[0]["customer_id"], "rank": 1, "total": orders[0]["total"]},
        *orders[1:3],
    ]


def test_lines_per_order_one_to_five_each_with_a_valid_order(tmp_path: Path) -> None:
    lines = _rows("Line", tmp_path)
    assert len(lines) == 1844
    numbers: dict[int, list[int]] = {}
    for line in lines:
        numbers.setdefault(line["order_id"], []).append(line["line_no"])
    assert list(numbers) == list(range(1, 609))  # every order, in order, min 1
    assert all(n == [10 * (i + 1) for i in range(len(n))] for n in numbers.values())
    assert {len(n) for n in numbers.values()} == {1, 2, 3, 4, 5}
    assert sum(len(n) for n in numbers.values()) == len(lines)


def test_the_same_bytes_on_one_and_five_shards(tmp_path: Path) -> None:
    one = (tmp_path / "one.csv", 1_048_576)
    five = (tmp_path / "five.csv", 400)
    for out, shard_rows in (one, five):
        written = generate(SHOP, "Line", None, out=str(out), seed=4, format="csv",
                           shard_rows=shard_rows)  # fmt: skip
        assert written["rows"] == 1844
    assert written["shards"] == 5
    assert one[0].read_bytes() == five[0].read_bytes()


def test_two_workers_give_the_same_bytes(tmp_path: Path) -> None:
    alone = _rows("Line", tmp_path)
    together = _rows("Line", tmp_path, shard_rows=512, workers=2)
    assert alone == together


def test_a_count_that_is_not_the_groups_sum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        generate(SHOP, "Order", 600, out=str(tmp_path / "o.json"), seed=4)
    assert str(info.value) == (
        "Order is made in groups per parent row: with seed 4 it has 608 rows, not 600; "
        "leave the count out"
    )
    assert generate(SHOP, "Order", 608, out=str(tmp_path / "o.json"), seed=4)["rows"] == 608


BAD = """\
version: 1
entities:
  Customer:
    count: 10
    fields:
      id: sequence
  Order:
    count: {per: Customr, min: 1, max: 3}
    fields:
      id: {type: sequence, scope: parent}
  Line:
    count: {per: Customer, min: 4, max: 2, distribution: {kind: zipf}}
    fields:
      a: {type: reference, entity: Customer}
      b: {type: reference, entity: Customer}
  Note:
    count: 5
    fields:
      n: {type: sequence, scope: parent}
      c: {type: reference, entity: Customer, parent: true}
  Free:
    count: {per: Customer, distribution: {kind: uniform}}
    fields:
      c: {type: reference, entity: Customer, unique: true}
"""


def test_every_bad_count_per_parent_is_named_with_its_path_and_line() -> None:
    assert problems_of(BAD) == [
        {
            "path": "entities.Order.count.per",
            "line": 8,
            "message": "unknown entity 'Customr'; did you mean Customer?",
        },
        {"path": "entities.Line.count.max", "line": 12, "message": "max (2) is less than min (4)"},
        {
            "path": "entities.Line.count.distribution",
            "line": 12,
            "message": "a zipf count needs `s`",
        },
        {
            "path": "entities.Line.count.per",
            "line": 12,
            "message": "Line has several references to Customer (a, b); mark the group's one "
            "with parent: true",
        },
        {
            "path": "entities.Note.fields.n.scope",
            "line": 19,
            "message": "scope: parent numbers rows within their parent's group; the entity "
            "needs `count: {per: <entity>, ...}`",
        },
        {
            "path": "entities.Note.fields.c.parent",
            "line": 20,
            "message": "parent: true marks the reference to the `per` entity; Note has no "
            "`count: {per: ...}`",
        },
        {
            "path": "entities.Free.count",
            "line": 22,
            "message": "count per parent needs `max` (only a poisson count may omit it)",
        },
        {
            "path": "entities.Free.fields.c.unique",
            "line": 24,
            "message": "the reference holding the group's parent repeats its parent key in "
            "every row of the group; it cannot be unique",
        },
    ]


def test_groups_across_parent_blocks_on_any_shards(tmp_path: Path) -> None:
    schema = """\
version: 1
entities:
  Account:
    count: 70000
    fields:
      id: sequence
  Event:
    count: {per: Account, min: 0, max: 2}
    fields:
      n: {type: sequence, scope: parent}
      account_id: {type: reference, entity: Account}
"""
    out = [tmp_path / "whole.csv", tmp_path / "shards.csv"]
    for path, shard_rows in zip(out, (1_048_576, 30_000), strict=True):
        generate(schema, "Event", None, out=str(path), seed=2, format="csv", shard_rows=shard_rows)
    assert out[0].read_bytes() == out[1].read_bytes()
    rows = [line.split(",") for line in out[0].read_text().splitlines()[1:]]
    assert len(rows) == 70_089
    accounts = [int(a) for _, a in rows]
    assert accounts == sorted(accounts)
    assert max(accounts) > 65_536
    assert all(n == "1" or prev == a for (n, a), (_, prev) in zip(rows[1:], rows, strict=False))


def test_the_catalogue_lists_counts_per_parent_and_lookups() -> None:
    from pipeline.schema.catalogue import catalogue

    data = catalogue()
    assert data["entity"]["options"]["count"]["type"] == "integer | count_per_parent | null"
    assert data["entity"]["options"]["unique"] == {
        "type": "list[list[string]]",
        "required": False,
        "default": [],
    }
    per = data["entity"]["count_per_parent"]
    assert per["options"]["per"] == {"type": "string", "required": True}
    assert per["options"]["distribution"]["type"] == "group_sizes"
    assert per["kinds"] == {"uniform": [], "poisson": ["mean"], "zipf": ["s"]}
    assert data["types"]["lookup"]["options"] == {
        "via": {"type": "string", "required": True},
        "field": {"type": "string", "required": True},
    }
    assert data["types"]["sequence"]["options"]["scope"]["default"] == "entity"
    assert data["types"]["reference"]["options"]["parent"]["default"] is False


def test_a_sequence_numbering_groups_is_no_key() -> None:
    from pipeline.schema import SchemaError, load_schema

    text = """\
entities:
  O:
    count: 10
    fields:
      id: {type: sequence}
  L:
    count: {per: O, min: 1, max: 3}
    fields:
      o: {type: reference, entity: O}
      n: {type: sequence, scope: parent, unique: true}
  X:
    count: 5
    fields:
      r: {type: reference, entity: L, field: n}
"""
    with pytest.raises(SchemaError) as caught:
        load_schema(text)
    found = {(p["path"], p["line"]) for p in caught.value.problems}
    assert found == {("entities.L.fields.n.unique", 10), ("entities.X.fields.r.field", 14)}
