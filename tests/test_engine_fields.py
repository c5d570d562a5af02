"""References, nulls, distributions, nested values, templates and the capacity check."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipeline.capacity import uniqueness_problems
from pipeline.engine import EngineError, generate_batches
from pipeline.schema.parse import parse_schema

SHOP = """
seed: 5
entities:
  Customer:
    count: 3000
    fields:
      id:   {type: sequence, start: 100, step: 3}
      key:  {type: uuid}
      code: {type: pattern, pattern: "CUS-#####", unique: true}
      num:  {type: integer, min: 1000, max: 999999, unique: true}
  Order:
    count: 20000
    fields:
      customer:  {type: reference, entity: Customer}
      by_key:    {type: reference, entity: Customer, field: key}
      by_code:
        {type: reference, entity: Customer, field: code, distribution: {kind: zipf, s: 1.1}}
      by_num:    {type: reference, entity: Customer, field: num}
  Profile:
    fields:
      only_one:  {type: reference, entity: Customer, field: code, unique: true}
"""


def rows(text: str, entity: str, count: int, seed: int = 5) -> pa.Table:
    schema = parse_schema(text)
    return pa.Table.from_batches(
        list(generate_batches(schema, entity, 0, count, seed=seed, providers={}))
    )


def test_every_reference_value_exists_in_the_parent() -> None:
    parent = rows(SHOP, "Customer", 3000)
    child = rows(SHOP, "Order", 20000)
    pairs = [("customer", "id"), ("by_key", "key"), ("by_code", "code"), ("by_num", "num")]
    for column, target in pairs:
        found = pc.is_in(child.column(column), value_set=parent.column(target))
        assert pc.all(found).as_py(), column
    assert parent.column("id").to_pylist()[:3] == [100, 103, 106]


def test_zipf_references_favour_low_parent_rows() -> None:
    parent = rows(SHOP, "Customer", 3000).column("code").to_pylist()
    rank = {code: i for i, code in enumerate(parent)}
    picked = np.array([rank[c] for c in rows(SHOP, "Order", 20000).column("by_code").to_pylist()])
    counts = np.bincount(picked, minlength=3000)
    assert counts[0] > counts[10] > counts[1000]
    assert counts[:30].sum() > counts[-1000:].sum()


def test_one_to_one_reference_uses_each_parent_row_once() -> None:
    child = rows(SHOP, "Profile", 3000)
    assert pc.count_distinct(child.column("only_one")).as_py() == 3000
    problems = uniqueness_problems(parse_schema(SHOP), "Profile", 20000, {})
    assert problems == [
        {
            "path": "entities.Profile.fields.only_one.unique",
            "message": "cannot be unique: a 1:1 reference needs count <= Customer's count (3000), "
            "got 20000",
        }
    ]


STATS = """
entities:
  S:
    fields:
      maybe:  {type: integer, min: 0, max: 10, null_rate: 0.3}
      normal:
        {type: float, min: -1000, max: 1000, distribution: {kind: normal, mean: 50, stddev: 10}}
      logn:
        {type: float, min: 0, max: 1000000, distribution: {kind: lognormal, mean: 1, sigma: 0.5}}
      expo:   {type: float, min: 10, max: 1000000, distribution: {kind: exponential, scale: 4}}
      zipf:   {type: integer, min: 1, max: 1000, distribution: {kind: zipf, s: 2}}
      ints:   {type: integer, min: 0, max: 100, distribution: {kind: normal, mean: 30, stddev: 5}}
      flag:   {type: boolean, true_rate: 0.8}
      tier:   {type: choice, values: [a, b, c], weights: [70, 25, 5]}
      obj:    {type: object, null_rate: 0.5, fields: {x: {type: integer, min: 1, max: 1}}}
"""


def test_null_rates_and_distributions_are_within_tolerance() -> None:
    table = rows(STATS, "S", 200_000)
    n = table.num_rows
    assert abs(table.column("maybe").null_count / n - 0.3) < 0.01
    assert abs(table.column("obj").null_count / n - 0.5) < 0.01
    assert abs(pc.mean(table.column("normal")).as_py() - 50) < 0.2
    assert abs(pc.mean(table.column("logn")).as_py() - np.exp(1 + 0.125)) < 0.05
    assert abs(pc.mean(table.column("expo")).as_py() - 14) < 0.1
    assert abs(pc.mean(table.column("ints")).as_py() - 29.5) < 0.2
    zipf = table.column("zipf").to_numpy()
    # Rank 1 holds 1/zeta(2) = 0.608 of an unbounded zipf(2) draw.
    assert abs((zipf == 1).mean() - 0.608) < 0.03
    assert abs(pc.mean(table.column("flag")).as_py() - 0.8) < 0.01
    tiers = table.column("tier").to_numpy(zero_copy_only=False)
    assert abs((tiers == "a").mean() - 0.70) < 0.01
    assert abs((tiers == "c").mean() - 0.05) < 0.005


NESTED = """
entities:
  N:
    fields:
      name:   {type: constant, value: "Ada Lovelace"}
      slug:   {type: template, template: "{address.city|slug}/{name|slug}"}
      shout:  {type: template, template: "{name|upper}!{missing_later}"}
      missing_later: {type: constant}
      address:
        type: object
        fields:
          city: {type: choice, values: ["São Paulo", "New York"]}
          zip:  {type: pattern, pattern: "\\\\###"}
      tags:
        type: array
        min_items: 1
        max_items: 4
        of: {type: sequence, start: 0, step: 2}
      ids: {type: array, min_items: 2, max_items: 2, of: {type: uuid}}
      pairs:
        type: array
        max_items: 2
        of:
          type: object
          fields: {k: {type: choice, values: [p, q]}, n: {type: integer, min: 5, max: 5}}
"""


def test_objects_arrays_and_templates() -> None:
    table = rows(NESTED, "N", 500)
    first = table.to_pylist()[0]
    assert first["shout"] == "ADA LOVELACE!"
    assert first["slug"] in ("sao-paulo/ada-lovelace", "new-york/ada-lovelace")
    assert first["address"]["zip"][0] == "#" and len(first["address"]["zip"]) == 3
    for tags in table.column("tags").to_pylist():
        assert 1 <= len(tags) <= 4 and tags == list(range(0, 2 * len(tags), 2))
    ids = [u for pair in table.column("ids").to_pylist() for u in pair]
    assert len(set(ids)) == 1000
    assert str(table.schema.field("pairs").type) == "list<item: struct<k: string, n: int64>>"
    assert str(table.schema.field("missing_later").type) == "null"


def test_capacity_names_fields_that_cannot_be_unique() -> None:
    text = """
entities:
  Customer:
    fields:
      code: {type: pattern, pattern: "C-##", unique: true}
      tier: {type: choice, values: [a, b, c], unique: true}
      age:  {type: integer, min: 1, max: 50, unique: true}
      ok:   {type: integer, min: 1, max: 5000, unique: true}
      seg:  {type: provider, name: segs, unique: true}
      obj:  {type: object, fields: {n: {type: integer, min: 0, max: 9, unique: true}}}
"""
    problems = uniqueness_problems(parse_schema(text), "Customer", 1000, {"segs": ["x", "y"]})
    assert problems == [
        {
            "path": "entities.Customer.fields.code.unique",
            "message": "cannot be unique: code has 100 possible value(s) but the entity's count "
            "is 1000",
        },
        {
            "path": "entities.Customer.fields.tier.unique",
            "message": "cannot be unique: tier has 3 possible value(s) but the entity's count "
            "is 1000",
        },
        {
            "path": "entities.Customer.fields.age.unique",
            "message": "cannot be unique: age has 50 possible value(s) but the entity's count "
            "is 1000",
        },
        {
            "path": "entities.Customer.fields.seg.unique",
            "message": "cannot be unique: seg has 2 possible value(s) but the entity's count "
            "is 1000",
        },
        {
            "path": "entities.Customer.fields.obj.fields.n.unique",
            "message": "cannot be unique: obj.n has 10 possible value(s) but the entity's count "
            "is 1000",
        },
    ]
    assert uniqueness_problems(parse_schema(text), "Customer", 2, {"segs": ["x", "y"]}) == []


def test_engine_refuses_running_out_of_unique_values() -> None:
    text = "entities:\n  E:\n    fields:\n      c: {type: pattern, pattern: '#', unique: true}\n"
    with pytest.raises(EngineError, match="unique"):
        rows(text, "E", 11)
    assert sorted(rows(text, "E", 10).column("c").to_pylist()) == list("0123456789")


def test_a_template_of_pooled_fields_is_joined_from_its_filtered_pools() -> None:
    schema = parse_schema(
        """
version: 1
seed: 3
entities:
  P:
    fields:
      first: {type: choice, values: [Ann, Bo, Émile]}
      last:  {type: choice, values: [Li, Moreno]}
      email: {type: template, template: "<{first|lower}.{last|upper}@example.com>"}
"""
    )
    (batch,) = generate_batches(schema, "P", 0, 500, seed=3, providers={})
    rows = batch.to_pylist()
    assert [r["email"] for r in rows] == [
        f"<{r['first'].lower()}.{r['last'].upper()}@example.com>" for r in rows
    ]
    assert {r["first"] for r in rows} == {"Ann", "Bo", "Émile"}
