"""The typed model of the schema language, version 1 (docs/schema.md).

One msgspec struct per field type, tagged by ``type``, so a field's options are checked by
the decoder itself: unknown keys, wrong value types and missing required options all fail
with a path. Semantic rules that span fields (references, templates, uniqueness) live in
``pipeline.schema.validate``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeAlias

import msgspec

Scalar: TypeAlias = str | int | float | bool

UTC = dt.UTC


class Distribution(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How integer, float and reference values spread over their range."""

    kind: Literal["uniform", "normal", "lognormal", "exponential", "zipf"] = "uniform"
    mean: float | None = None
    stddev: float | None = None
    sigma: float | None = None
    scale: float | None = None
    s: float | None = None


UNIFORM = Distribution()


class FieldBase(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, tag_field="type"
):
    """Options every field takes."""

    null_rate: float = 0.0
    # Share of rows in which the field is absent: json leaves its key out (and every other null
    # of it too), the other formats write null. None: the field is always present.
    absent_rate: float | None = None
    unique: bool = False
    description: str | None = None
    hidden: bool = False  # generated (other fields may read it) but not written; top level only
    # Text longer than this is cut to it (a VARCHAR(n) column); a binary's longest value.
    max_length: int | None = None
    when: str | None = None  # a SQL condition: the value is null in rows where it is not true
    # The name written in every output (json key, csv/parquet/sql column) when it cannot be an
    # identifier (``run-name``); expressions, templates and references use the field's name.
    output_name: str | None = None


class Sequence(FieldBase, tag="sequence", frozen=True):
    start: int = 1
    step: int = 1
    # "parent": numbered 1..k within each group of a children-per-parent entity
    scope: Literal["entity", "parent"] = "entity"


class Uuid(FieldBase, tag="uuid", frozen=True):
    # "uuid": parquet files hold it as parquet's UUID type (16 bytes); text formats keep strings
    parquet: Literal["string", "uuid"] = "string"


class Integer(FieldBase, tag="integer", frozen=True):
    min: int = 0
    max: int = 1_000_000
    distribution: Distribution = UNIFORM
    width: Literal[8, 16, 32, 64] = 64  # bits of the written integer type
    unsigned: bool = False


class Float(FieldBase, tag="float", frozen=True):
    min: float = 0.0
    max: float = 1.0
    decimals: int | None = None
    distribution: Distribution = UNIFORM
    width: Literal[32, 64] = 64  # 32: written as float32


class Boolean(FieldBase, tag="boolean", frozen=True):
    true_rate: float = 0.5


class Choice(FieldBase, tag="choice", frozen=True):
    values: list[Scalar]
    weights: list[float] | None = None


class Provider(FieldBase, tag="provider", frozen=True):
    """Values of a provider made with ``POST /provider``; its data is bound at job time.

    A provider whose data are records (objects with the same keys) is read one ``column`` at a
    time; fields naming the same ``draw`` take their columns from the same record in each row.
    """

    name: str
    column: str | None = None
    draw: str | None = None
    weight_column: str | None = None


class Date(FieldBase, tag="date", frozen=True):
    start: dt.date = dt.date(2000, 1, 1)
    end: dt.date = dt.date(2030, 12, 31)


class Datetime(FieldBase, tag="datetime", frozen=True):
    start: dt.datetime = dt.datetime(2000, 1, 1, tzinfo=UTC)
    end: dt.datetime = dt.datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)
    timezone: bool = True  # false: a timestamp without zone (wall-clock time, no Z)


class Decimal(FieldBase, tag="decimal", frozen=True):
    """Exact decimal numbers of ``precision`` digits, ``scale`` of them after the point.

    ``min`` and ``max`` may be written as text ("12.50") so that no float ever rounds them.
    """

    precision: int = 18
    scale: int = 2
    min: str | int | float | None = None  # default: the smallest value the precision holds
    max: str | int | float | None = None


class Binary(FieldBase, tag="binary", frozen=True):
    """Random bytes, ``min_length`` to ``max_length`` (the common option, default 16) long."""

    min_length: int = 0


class Pattern(FieldBase, tag="pattern", frozen=True):
    pattern: str


class Template(FieldBase, tag="template", frozen=True):
    template: str


class Constant(FieldBase, tag="constant", frozen=True):
    value: Scalar | None = None


class Reference(FieldBase, tag="reference", frozen=True):
    entity: str
    field: str | None = None
    distribution: Distribution = UNIFORM
    parent: bool = False  # the reference that holds the group's parent (``count: {per: ...}``)


class Lookup(FieldBase, tag="lookup", frozen=True):
    """The value of ``field`` in the row of another entity that the reference ``via`` picks."""

    via: str
    field: str


class Object(FieldBase, tag="object", frozen=True):
    fields: dict[str, Field]


class Array(FieldBase, tag="array", frozen=True):
    of: Field
    min_items: int = 0
    max_items: int = 3


class Map(FieldBase, tag="map", frozen=True):
    """A map of ``keys`` to ``values``, min_items to max_items entries, keys distinct in each
    map (a repeated key is dropped, so a map may hold fewer entries than drawn)."""

    keys: Field
    values: Field
    min_items: int = 0
    max_items: int = 3


class Mimesis(FieldBase, tag="mimesis", frozen=True):
    """A ``provider.method`` of mimesis, e.g. ``person.first_name``.

    Written by users as ``type: person.first_name``; the parser rewrites it to this tag.
    """

    method: str
    args: dict[str, Any] = {}
    locale: str | None = None


class Expression(FieldBase, tag="expression", frozen=True):
    """A SQL expression over other fields of the same row (docs/expressions.md)."""

    expr: str


class Case(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One branch of ``cases``: its condition and the field that gives the value."""

    when: str
    then: Field


class Cases(FieldBase, tag="cases", frozen=True):
    """The value of the first branch whose condition holds; else ``else``, or null."""

    cases: list[Case]
    else_: Field | None = msgspec.field(default=None, name="else")


Field: TypeAlias = (
    Sequence
    | Uuid
    | Integer
    | Float
    | Boolean
    | Choice
    | Provider
    | Date
    | Datetime
    | Pattern
    | Template
    | Constant
    | Reference
    | Object
    | Array
    | Mimesis
    | Lookup
    | Decimal
    | Binary
    | Map
    | Expression
    | Cases
)

BUILTIN_TYPES: tuple[str, ...] = tuple(
    t.__struct_config__.tag for t in Field.__args__ if t is not Mimesis
)


class GroupSizes(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """How the sizes of groups per parent spread between ``min`` and ``max``."""

    kind: Literal["uniform", "poisson", "zipf"] = "uniform"
    mean: float | None = None  # poisson
    s: float | None = None  # zipf


class PerParent(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An entity-level ``count: {per: Order, ...}``: a group of rows for each row of ``per``,
    its size drawn from the parent row's index."""

    per: str
    min: int = 0
    max: int | None = None  # required unless the distribution is poisson
    distribution: GroupSizes = GroupSizes()


class Entity(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    fields: dict[str, Field]
    count: int | PerParent | None = None
    description: str | None = None
    unique: list[list[str]] = []  # tuples of fields unique together


# weakref: its resolved form (pipeline.schema.resolved) is kept beside it while it lives.
class Schema(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, weakref=True):
    entities: dict[str, Entity]
    version: int = 1
    locale: str = "en"
    seed: int | None = None
    description: str | None = None
