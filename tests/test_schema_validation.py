"""Every validation rule of the schema language, with the path and line it reports."""

from __future__ import annotations

import pytest

from pipeline.schema import SchemaError, load_schema, schema_problems
from pipeline.schema import model as m

# Each case: the YAML of one field of entity A (count 10, id: sequence on line 4), and the
# one problem it must cause. The field under test is always on line 5.
HEAD = "entities:\n  A:\n    count: 10\n    fields:\n      id: sequence\n"
F = "entities.A.fields.f"

FIELD_CASES: list[tuple[str, str, str]] = [
    ("f: {type: intger}", f"{F}.type", "unknown type 'intger'; did you mean integer?"),
    (
        "f: {type: integer, maximum: 3}",
        f"{F}.maximum",
        "unknown option 'maximum' for type integer; did you mean max? (options: absent_rate, "
        "description, distribution, hidden, max, max_length, min, null_rate, output_name, "
        "unique, unsigned, when, width)",
    ),
    ("f: {min: 1}", F, "missing `type`"),
    ("f: 12", F, "a field is a type name or a mapping with `type`"),
    ("f: {type: integer, min: a}", f"{F}.min", "Expected `int`, got `str` (got 'a')"),
    (
        "f: person.firstname",
        f"{F}.type",
        "unknown mimesis method 'person.firstname'; did you mean person.first_name or "
        "person.name or person.last_name?",
    ),
    (
        "f: {type: person.first_name, args: {sex: x}}",
        f"{F}.args.sex",
        "person.first_name has no argument 'sex' (accepted: gender)",
    ),
    ("f: {type: person.first_name, locale: xx}", f"{F}.locale", "unknown locale 'xx'"),
    ("f: {type: integer, min: 5, max: 1}", f"{F}.min", "min (5) is greater than max (1)"),
    ("f: {type: float, min: 2.5, max: 1}", f"{F}.min", "min (2.5) is greater than max (1.0)"),
    ("f: {type: float, decimals: 16}", f"{F}.decimals", "decimals must be between 0 and 15"),
    ("f: {type: sequence, step: 0}", f"{F}.step", "step must not be 0"),
    (
        "f: {type: boolean, true_rate: 1.5}",
        f"{F}.true_rate",
        "true_rate must be between 0 and 1, got 1.5",
    ),
    (
        "f: {type: uuid, null_rate: -0.1}",
        f"{F}.null_rate",
        "null_rate must be between 0 and 1, got -0.1",
    ),
    ("f: {type: choice, values: []}", f"{F}.values", "values must not be empty"),
    (
        "f: {type: choice, values: [a, b], weights: [1]}",
        f"{F}.weights",
        "weights has 1 items but values has 2",
    ),
    (
        "f: {type: choice, values: [a, b], weights: [1, -1]}",
        f"{F}.weights[1]",
        "weights must be finite and >= 0, got -1.0",
    ),
    (
        "f: {type: choice, values: [a, b], weights: [0, 0]}",
        f"{F}.weights",
        "weights must not all be 0",
    ),
    (
        "f: {type: date, start: 2020-01-02, end: 2020-01-01}",
        f"{F}.end",
        "end (2020-01-01) is before start (2020-01-02)",
    ),
    (
        "f: {type: datetime, start: 2020-01-02T00:00:00Z, end: 2020-01-01T00:00:00Z}",
        f"{F}.end",
        "end (2020-01-01T00:00:00+00:00) is before start (2020-01-02T00:00:00+00:00)",
    ),
    (
        "f: {type: date, start: 2020-01-02T00:00:00Z}",
        f"{F}.start",
        "Expected `date`, got `datetime` (got datetime.datetime(2020, 1, 2, 0, 0, "
        "tzinfo=datetime.timezone.utc))",
    ),
    (
        "f: {type: array, of: uuid, min_items: 3, max_items: 1}",
        f"{F}.max_items",
        "max_items (1) is less than min_items (3)",
    ),
    ("f: {type: array, of: uuid, min_items: -1}", f"{F}.min_items", "min_items must be >= 0"),
    ("f: {type: array}", F, "type array needs option 'of' (the spec of its items)"),
    (
        "f: {type: object, fields: {}}",
        f"{F}.fields",
        "`fields` must be a non-empty mapping of field names to types",
    ),
    (
        "f: {type: object, fields: {1bad: uuid}}",
        f"{F}.fields.1bad",
        "field name '1bad' is not allowed: letters, digits and _, starting with a letter, at "
        "most 64 characters",
    ),
    ("f: {type: pattern, pattern: ''}", f"{F}.pattern", "pattern must not be empty"),
    (
        "f: {type: pattern, pattern: 'AB\\'}",
        f"{F}.pattern",
        "pattern ends with an unfinished escape `\\`",
    ),
    (
        "f: {type: integer, distribution: {kind: normal, mean: 1}}",
        f"{F}.distribution",
        "a normal distribution needs `stddev`",
    ),
    (
        "f: {type: integer, distribution: {kind: normal, mean: 1, stddev: 0}}",
        f"{F}.distribution.stddev",
        "`stddev` must be > 0, got 0.0",
    ),
    (
        "f: {type: float, distribution: {kind: lognormal, mean: 1, sigma: 1, s: 2}}",
        f"{F}.distribution.s",
        "`s` does not belong to a lognormal distribution",
    ),
    (
        "f: {type: float, distribution: {kind: exponential}}",
        f"{F}.distribution",
        "a exponential distribution needs `scale`",
    ),
    (
        "f: {type: integer, distribution: {kind: zipf, s: -1}}",
        f"{F}.distribution.s",
        "`s` must be > 0, got -1.0",
    ),
    (
        "f: {type: integer, distribution: {kind: poisson}}",
        f"{F}.distribution.kind",
        "unknown distribution kind 'poisson' (kinds: uniform, normal, lognormal, exponential, "
        "zipf)",
    ),
    (
        "f: {type: constant, value: 1, unique: true}",
        f"{F}.unique",
        "unique is not allowed on type constant",
    ),
    (
        "f: {type: object, fields: {x: uuid}, unique: true}",
        f"{F}.unique",
        "unique is not allowed on type object",
    ),
    (
        "f: {type: array, of: uuid, unique: true}",
        f"{F}.unique",
        "unique is not allowed on type array",
    ),
    (
        "f: {type: person.email, unique: true}",
        f"{F}.unique",
        "unique is not allowed on mimesis methods (person.email repeats values); use a pattern "
        "or a template with unique: true",
    ),
    (
        "f: {type: array, of: {type: integer, unique: true}}",
        f"{F}.of.unique",
        "unique is not allowed inside an array",
    ),
    ("f: {type: float, unique: true}", f"{F}.unique", "unique on a float needs `decimals`"),
    (
        "f: {type: integer, unique: true, distribution: {kind: zipf, s: 1.1}}",
        f"{F}.distribution",
        "unique values are a permutation, so a zipf distribution cannot apply",
    ),
    (
        "f: {type: choice, values: [a, b, c], unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 3 possible value(s) but the entity's count is 10",
    ),
    (
        "f: {type: integer, min: 1, max: 5, unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 5 possible value(s) but the entity's count is 10",
    ),
    (
        "f: {type: boolean, unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 2 possible value(s) but the entity's count is 10",
    ),
    (
        "f: {type: pattern, pattern: 'X\\#', unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 1 possible value(s) but the entity's count is 10",
    ),
    (
        "f: {type: float, min: 0, max: 0.05, decimals: 2, unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 6 possible value(s) but the entity's count is 10",
    ),
    (
        "f: {type: date, start: 2020-01-01, end: 2020-01-05, unique: true}",
        f"{F}.unique",
        "cannot be unique: f has 5 possible value(s) but the entity's count is 10",
    ),
    ("f: {type: template, template: '{nope}'}", f"{F}.template", "{nope} names no field of A"),
    (
        "f: {type: template, template: '{id|shout}'}",
        f"{F}.template",
        "bad template: unknown filter 'shout' in {id|shout} (filters: lower, upper, title, slug)",
    ),
    (
        "f: {type: template, template: 'a { b'}",
        f"{F}.template",
        "bad template: stray '{' at character 3",
    ),
    ("f: {type: template, template: '{f}'}", f"{F}.template", "template cycle: f -> f"),
    (
        "f: {type: provider, name: Colours}",
        f"{F}.name",
        "no provider named 'Colours' in this workspace; did you mean Colors?",
    ),
    ("f: {type: reference, entity: B}", f"{F}.entity", "unknown entity 'B'"),
    (
        "f: {type: uuid, parquet: uuid, max_length: 8}",
        f"{F}.max_length",
        "max_length 8 cuts the uuids that parquet: uuid writes as 16 bytes: give 36 or more",
    ),
    (
        "f: {type: integer, absent_rate: 1.5}",
        f"{F}.absent_rate",
        "absent_rate must be between 0 and 1, got 1.5",
    ),
    (
        "f: {type: integer, absent_rate: 0.2, null_rate: 0.1}",
        f"{F}.absent_rate",
        "absent_rate and null_rate together: a field that may be absent writes none of its "
        "nulls in json (its key is left out instead); give one of them",
    ),
    (
        "f: {type: array, of: {type: integer, absent_rate: 0.5}}",
        f"{F}.of.absent_rate",
        "absent_rate applies to fields of an entity or an object; f[] is an array's item",
    ),
    (
        "f: {type: map, keys: {type: pattern, pattern: '??', output_name: k}, values: integer}",
        f"{F}.keys.output_name",
        "output_name applies to fields of an entity or an object; f[].key is a map's key",
    ),
    ("f: {type: integer, output_name: ''}", f"{F}.output_name", "output_name must not be empty"),
    (
        'f: {type: integer, output_name: "a\\tb"}',
        f"{F}.output_name",
        "output_name must not hold control characters (line breaks, tabs)",
    ),
    (
        "f: {type: integer, output_name: id}",
        f"{F}.output_name",
        "f is written as 'id', as id is: names must differ",
    ),
    (
        "f: {type: object, fields: {a: integer, b: {type: integer, output_name: a}}}",
        f"{F}.fields.b.output_name",
        "f.b is written as 'a', as f.a is: names must differ",
    ),
    (
        "f: {type: reference, entity: B}\n  B:\n    count: 3\n    fields:\n"
        "      id: {type: sequence, absent_rate: 0.1}",
        f"{F}.field",
        "B.id has an absent_rate; a referenced field is never absent",
    ),
]


@pytest.mark.parametrize(("field", "path", "message"), FIELD_CASES)
def test_field_rule(field: str, path: str, message: str) -> None:
    with pytest.raises(SchemaError) as info:
        load_schema(HEAD + f"      {field}\n", providers=["Colors"])
    assert info.value.problems == [{"path": path, "line": 6, "message": message}]


# Whole documents for the rules that span entities; each with every problem it must cause.
DOC_CASES: list[tuple[str, list[tuple[str, int, str]]]] = [
    (
        "version: 2\nlocale: klingon\nseed: -1\ncolour: red\nentities:\n  A:\n    fields:\n"
        "      id: uuid\n",
        [
            ("version", 1, "version must be 1, got 2"),
            ("locale", 2, "unknown locale 'klingon'"),
            ("seed", 3, "seed must be between 0 and 9223372036854775807"),
            (
                "colour",
                4,
                "unknown option 'colour' for a schema (options: description, "
                "entities, locale, seed, version)",
            ),
        ],
    ),
    (
        "entities:\n  A:\n    fields:\n      id: uuid\n  B:\n    count: 5\n    fields:\n"
        "      a: {type: reference, entity: A}\n",
        [
            (
                "entities.B.fields.a.entity",
                8,
                "entity A has no `count`; a referenced entity needs one",
            )
        ],
    ),
    (
        "entities:\n  A:\n    count: 3\n    fields:\n      n: integer\n  B:\n    fields:\n"
        "      a: {type: reference, entity: A}\n",
        [
            (
                "entities.B.fields.a",
                8,
                "entity A has no sequence or uuid field to reference; "
                "name a unique field with `field`",
            )
        ],
    ),
    (
        "entities:\n  A:\n    count: 3\n    fields:\n      id: uuid\n      n: integer\n"
        "  B:\n    fields:\n      a: {type: reference, entity: A, field: n}\n"
        "      b: {type: reference, entity: A, field: nn}\n",
        [
            (
                "entities.B.fields.a.field",
                9,
                "A.n cannot be referenced: a reference needs a "
                "sequence, a uuid, or a unique pattern or integer, whose values follow from the "
                "row index",
            ),
            ("entities.B.fields.b.field", 10, "entity A has no field 'nn'; did you mean n?"),
        ],
    ),
    (
        "entities:\n  A:\n    count: 3\n    fields:\n      id: sequence\n"
        "      b: {type: reference, entity: B, distribution: {kind: normal, mean: 1, stddev: 1}}\n"
        "  B:\n    count: 3\n    fields:\n      id: sequence\n"
        "      a: {type: reference, entity: A}\n",
        [
            (
                "entities.A.fields.b.distribution.kind",
                6,
                "distribution normal is not allowed here (allowed: uniform, zipf)",
            ),
            ("entities.A.fields.b.entity", 6, "reference cycle: A -> B -> A"),
        ],
    ),
    (
        "entities:\n  P:\n    count: 5\n    fields:\n      id: {type: sequence, null_rate: 0.5}\n"
        "  C:\n    count: 6\n    fields:\n      p: {type: reference, entity: P, unique: true}\n",
        [
            (
                "entities.C.fields.p.field",
                9,
                "P.id has a null_rate; a referenced field must never be null",
            ),
            (
                "entities.C.fields.p.unique",
                9,
                "cannot be unique: a 1:1 reference needs count <= P's count (5), got 6",
            ),
        ],
    ),
    (
        "entities:\n  A:\n    fields:\n      tags: {type: array, of: {type: object, fields: "
        "{x: uuid}}}\n      addr: {type: object, fields: {city: address.city}}\n"
        "      t1: {type: template, template: '{tags.x}'}\n"
        "      t2: {type: template, template: '{addr}'}\n"
        "      t3: {type: template, template: '{t4}'}\n"
        "      t4: {type: template, template: '{t3} {addr.city}'}\n",
        [
            ("entities.A.fields.t1.template", 6, "{tags.x} names a field inside an array"),
            ("entities.A.fields.t2.template", 7, "{addr} names an object; name one of its values"),
            ("entities.A.fields.t3.template", 8, "template cycle: t3 -> t4 -> t3"),
        ],
    ),
    (
        "entities:\n  1A:\n    fields:\n      id: uuid\n  B:\n    count: 0\n    fields: {}\n"
        "  C: []\n  D:\n    count: 1\n",
        [
            (
                "entities.1A",
                2,
                "entity name '1A' is not allowed: letters, digits and _, "
                "starting with a letter, at most 64 characters",
            ),
            (
                "entities.B.fields",
                7,
                "`fields` must be a non-empty mapping of field names to types",
            ),
            ("entities.C", 8, "an entity is a mapping with `fields` (and optionally `count`)"),
            ("entities.D", 9, "an entity needs `fields`"),
        ],
    ),
    ("entities: {}\n", [("entities", 1, "`entities` must be a non-empty mapping of entity names")]),
    ("- a\n", [("", 1, "a schema is a mapping with `entities`")]),
    (
        "entities:\n  A:\n    count: 1\n    fields:\n      id: uuid\n"
        "      ref: {type: reference, entity: A}\n",
        [],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DOC_CASES)
def test_document_rules(text: str, expected: list[tuple[str, int, str]]) -> None:
    if not expected:
        load_schema(text)  # a reference to its own entity is not a cycle between entities
        return
    with pytest.raises(SchemaError) as info:
        load_schema(text)
    got = [(p["path"], p["line"], p["message"]) for p in info.value.problems]
    assert got == expected


def test_all_problems_come_at_once() -> None:
    text = HEAD + "".join(
        f"      {field}\n".replace("f:", f"f{i}:", 1)
        for i, (field, _, _) in enumerate(FIELD_CASES[:12])
    )
    with pytest.raises(SchemaError) as info:
        load_schema(text)
    assert len(info.value.problems) == 12
    assert [p["line"] for p in info.value.problems] == list(range(6, 18))


def test_unique_allowed_where_the_decisions_say() -> None:
    text = (
        HEAD
        + """\
      a: {type: uuid, unique: true}
      b: {type: integer, unique: true}
      c: {type: float, decimals: 2, unique: true}
      d: {type: choice, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], unique: true}
      e: {type: date, unique: true}
      g: {type: datetime, unique: true}
      h: {type: pattern, pattern: 'AB-###', unique: true}
      i: {type: template, template: 'user{id}@example.com', unique: true}
      j: {type: provider, name: Colors, unique: true}
  B:
    count: 10
    fields:
      a: {type: reference, entity: A, unique: true}
      b: {type: reference, entity: A, field: h, distribution: {kind: zipf, s: 1.2}}
"""
    )
    schema = load_schema(text, providers=["Colors"])
    assert schema.entities["B"].fields["b"] == m.Reference(
        entity="A", field="h", distribution=m.Distribution(kind="zipf", s=1.2)
    )


def test_schema_built_in_code_is_checked_without_lines() -> None:
    schema = m.Schema(entities={"A": m.Entity(fields={"n": m.Integer(min=3, max=1)})})
    assert schema_problems(schema) == [
        {
            "path": "entities.A.fields.n.min",
            "line": None,
            "message": "min (3) is greater than max (1)",
        }
    ]
