"""Reading schema text: safety limits, line numbers, shorthand, examples of the contract."""

from __future__ import annotations

import datetime as dt
import pathlib
import time

import pytest

from pipeline.schema import SchemaError, load_schema, used_providers
from pipeline.schema import model as m
from pipeline.schema.parse import SchemaError as ParseSchemaError
from pipeline.schema.parse import parse_schema

CORPUS = pathlib.Path(__file__).parent / "corpus"


def _problems(text: str, **kwargs: object) -> list[dict[str, object]]:
    with pytest.raises(SchemaError) as info:
        load_schema(text, **kwargs)  # type: ignore[arg-type]
    return info.value.problems


def test_contract_example_parses_with_every_type() -> None:
    text = (CORPUS / "examples" / "contract_shape.yaml").read_text()
    schema = load_schema(text, providers=["CustomUserData"])
    customer = schema.entities["Customer"]
    assert customer.count == 1000
    assert customer.fields["first_name"] == m.Mimesis(method="person.first_name")
    assert customer.fields["last_name"] == m.Mimesis(method="person.last_name", locale="de")
    assert customer.fields["age"] == m.Integer(
        min=18, max=90, distribution=m.Distribution(kind="normal", mean=40, stddev=12)
    )
    assert customer.fields["joined_at"] == m.Datetime(
        start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
    )
    assert customer.fields["birthday"] == m.Date(
        start=dt.date(1950, 1, 1), end=dt.date(2005, 12, 31)
    )
    assert isinstance(customer.fields["address"], m.Object)
    assert customer.fields["tags"] == m.Array(
        of=m.Choice(values=["a", "b", "c"]), min_items=0, max_items=3
    )
    assert schema.entities["Order"].fields["customer_id"] == m.Reference(
        entity="Customer", field="id"
    )
    assert used_providers(schema) == {"CustomUserData"}


def test_every_docs_example_parses() -> None:
    import re

    docs = (pathlib.Path(__file__).parent.parent / "docs" / "schema.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", docs, re.S)
    assert len(blocks) >= 10
    for block in blocks:
        if "# invalid" in block:
            continue
        load_schema(block)


def test_datetime_without_offset_is_utc() -> None:
    schema = load_schema(
        "entities:\n  A:\n    fields:\n      t: {type: datetime, start: 2021-05-01T10:00:00,"
        " end: '2021-06-01T00:00:00'}\n"
    )
    spec = schema.entities["A"].fields["t"]
    assert isinstance(spec, m.Datetime)
    assert spec.start == dt.datetime(2021, 5, 1, 10, tzinfo=dt.UTC)
    assert spec.end == dt.datetime(2021, 6, 1, tzinfo=dt.UTC)


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    problems = _problems("\n".join(lines))
    assert time.perf_counter() - started < 0.5
    assert problems == [
        {
            "path": "",
            "line": 2,
            "message": "YAML aliases (*name) are not allowed; write the value out",
        }
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: !!python/object:os.system x\n", 1, "tag 'tag:yaml.org,2002:python/object:os.system'"),
        ("entities:\n  A: !custom {fields: {}}\n", 2, "tag '!custom' is not allowed"),
        (
            "entities:\n  A:\n    fields: {x: uuid}\n  A:\n    fields: {y: uuid}\n",
            4,
            "key 'A' appears twice",
        ),
        ("[" * 100, 1, "nesting deeper than 64 levels"),
        ("entities: [1,\n", 2, "YAML:"),
    ],
)
def test_unsafe_or_broken_yaml_is_refused(text: str, line: int, message: str) -> None:
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0]["line"] == line
    assert message in str(problems[0]["message"])


def test_size_cap() -> None:
    text = "entities:\n  A:\n    fields:\n      id: uuid\n" + "#" * 2000 + "\n"
    problems = _problems(text, max_bytes=1000)
    assert problems == [
        {"path": "", "line": None, "message": f"schema is {len(text)} bytes; limit 1000"}
    ]
    assert load_schema(text, max_bytes=5000).entities["A"].fields["id"] == m.Uuid()


def test_lines_point_at_keys_in_block_style() -> None:
    text = """\
entities:
  Customer:
    count: 10
    fields:
      id: sequence
  Order:
    fields:
      customer_id:
        type: reference
        entity: Customr
      qty:
        type: integer
        min: 9
        max: 1
"""
    assert _problems(text) == [
        {
            "path": "entities.Order.fields.customer_id.entity",
            "line": 10,
            "message": "unknown entity 'Customr'; did you mean Customer?",
        },
        {
            "path": "entities.Order.fields.qty.min",
            "line": 13,
            "message": "min (9) is greater than max (1)",
        },
    ]


def test_parse_schema_keeps_working_for_structure() -> None:
    schema = parse_schema("entities:\n  A:\n    fields:\n      n: {type: integer, max: 5}\n")
    assert schema.entities["A"].fields["n"] == m.Integer(max=5)
    assert ParseSchemaError is SchemaError
    with pytest.raises(SchemaError) as info:
        parse_schema("entities:\n  A:\n    fields:\n      n: {type: integer, maxx: 5}\n")
    assert info.value.problems[0]["path"] == "entities.A.fields.n.maxx"
    assert info.value.problems[0]["line"] == 4
