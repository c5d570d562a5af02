"""Schema -> SQL DDL: one CREATE TABLE per entity, parents first, in portable SQL; and one
entity's CREATE TABLE in a dialect, at the head of the sql output format."""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import pyarrow as pa

from pipeline.exporters.sql_widths import declared_type
from pipeline.expressions import ColumnType
from pipeline.schema import model as m
from pipeline.schema.computed import may_be_null
from pipeline.schema.resolved import (
    ResolvedEntity,
    ResolvedField,
    ResolvedSchema,
    Target,
    resolve,
    unique_by_construction,
)
from storage.formats.sql import check_dialect, literal, quote_ident


def ident(name: str) -> str:
    """A quoted identifier, so names such as Order or user stay usable."""
    return quote_ident(name, "postgres")


def _quote(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _pattern_length(pattern: str) -> int:
    return len(pattern.replace("\\\\", "x").replace("\\", ""))


def _float_type(spec: m.Float) -> str:
    if spec.decimals is None:
        return "DOUBLE PRECISION"
    digits = len(str(int(max(abs(spec.min), abs(spec.max)))))
    return f"DECIMAL({max(digits + spec.decimals, 1)}, {spec.decimals})"


# The column of an expression or cases field: its inferred type (a plain column, filled by
# the generated rows like any other, so the data files load into it).
_COMPUTED_TYPES = {
    ColumnType.INTEGER: "BIGINT",
    ColumnType.FLOAT: "DOUBLE PRECISION",
    ColumnType.STRING: "TEXT",
    ColumnType.BOOLEAN: "BOOLEAN",
    ColumnType.DATE: "DATE",
    ColumnType.DATETIME: "TIMESTAMP WITH TIME ZONE",
    ColumnType.NULL: "TEXT",
}


def _column_type(spec: m.Field, at: ResolvedField | None, schema: ResolvedSchema) -> str:
    declared = declared_type(spec)
    if declared is not None:
        return declared
    if isinstance(spec, m.Expression | m.Cases) and at is not None:
        return _COMPUTED_TYPES[at.column_type]
    if isinstance(spec, m.Sequence | m.Integer):
        return "BIGINT"
    if isinstance(spec, m.Uuid):
        return "UUID"
    if isinstance(spec, m.Float):
        return _float_type(spec)
    if isinstance(spec, m.Boolean):
        return "BOOLEAN"
    if isinstance(spec, m.Date):
        return "DATE"
    if isinstance(spec, m.Datetime):
        return "TIMESTAMP WITH TIME ZONE"
    if isinstance(spec, m.Pattern):
        return f"VARCHAR({max(_pattern_length(spec.pattern), 1)})"
    if isinstance(spec, m.Choice):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in spec.values):
            return "BIGINT"
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in spec.values):
            return "DOUBLE PRECISION"
        if all(isinstance(v, bool) for v in spec.values):
            return "BOOLEAN"
        return f"VARCHAR({max(len(str(v)) for v in spec.values)})"
    if isinstance(spec, m.Reference) and at is not None and at.reference is not None:
        copied = _target_field(schema, at.reference)
        return _column_type(copied.spec, copied, schema) if copied is not None else "BIGINT"
    if isinstance(spec, m.Lookup) and at is not None and at.lookup is not None:
        looked = _target_field(schema, at.lookup)
        return _column_type(looked.spec, looked, schema) if looked is not None else "TEXT"
    if isinstance(spec, m.Object | m.Array | m.Map):
        return "JSON"
    if isinstance(spec, m.Constant) and spec.value is not None:
        return _column_type(m.Choice(values=[spec.value]), None, schema)
    return "TEXT"


@dataclass(frozen=True)
class _Style:
    """How DDL is spelled: the portable export's way, or one dialect's."""

    ident: Callable[[str], str] = ident
    literal: Callable[[object], str] = _quote
    types: dict[str, str] = field(default_factory=dict)  # portable type -> this dialect's
    key_text: str = "TEXT"  # a TEXT column that is a key or unique
    # The tables that a REFERENCES may name (None: every one): the others are loaded elsewhere
    # or later, and the reference is a comment.
    references: frozenset[str] | None = None
    typed: pa.Schema | None = None  # the Arrow types of the columns, for untyped fields
    nullable_constant: bool = False  # a constant without a value is NULL on every row

    def type_of(self, portable: str, at: ResolvedField, keyed: bool) -> str:
        if portable == "TEXT" and self.typed is not None:
            index = self.typed.get_field_index(at.path)
            if index >= 0:
                portable = _arrow_type(self.typed.field(index).type)
        if portable == "TEXT" and keyed:
            portable = self.key_text
        return self.types.get(portable, portable)


PORTABLE = _Style()
_DIALECT_TYPES = {
    "postgres": {},
    "mysql": {
        "UUID": "CHAR(36)",
        "DOUBLE PRECISION": "DOUBLE",
        "TIMESTAMP WITH TIME ZONE": "DATETIME(6)",  # UTC: DATETIME holds no zone
        "TIMESTAMP": "DATETIME(6)",
        "BYTEA": "LONGBLOB",
        "REAL": "FLOAT",
    },
    "sqlite": {
        "UUID": "TEXT",
        "DOUBLE PRECISION": "REAL",
        "TIMESTAMP WITH TIME ZONE": "TEXT",
        "DATE": "TEXT",
        "JSON": "TEXT",
        "TIMESTAMP": "TEXT",
        "BYTEA": "BLOB",
    },
}


_ARROW_TYPES: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (pa.types.is_integer, "BIGINT"),
    (pa.types.is_floating, "DOUBLE PRECISION"),
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_date, "DATE"),
    (pa.types.is_timestamp, "TIMESTAMP WITH TIME ZONE"),
    (pa.types.is_nested, "JSON"),
)


def _arrow_type(kind: pa.DataType) -> str:
    """The portable type of values the schema language leaves untyped (mimesis, providers)."""
    return next((name for test, name in _ARROW_TYPES if test(kind)), "TEXT")


def _checks(name: str, spec: m.Field, style: _Style) -> list[str]:
    column, quote = style.ident(name), style.literal
    if isinstance(spec, m.Integer | m.Float):
        return [f"CHECK ({column} BETWEEN {quote(spec.min)} AND {quote(spec.max)})"]
    if isinstance(spec, m.Choice) and not all(isinstance(v, bool) for v in spec.values):
        return [f"CHECK ({column} IN ({', '.join(quote(v) for v in spec.values)}))"]
    if isinstance(spec, m.Constant) and spec.value is not None:
        return [f"CHECK ({column} = {quote(spec.value)})"]
    return []


def _columns(entity: ResolvedEntity, schema: ResolvedSchema, style: _Style) -> list[str]:
    lines: list[str] = []
    for at in entity.columns():
        spec = at.spec
        keyed = at.path == entity.key or spec.unique or unique_by_construction(spec)
        name = at.written
        parts = [style.ident(name), style.type_of(_column_type(spec, at, schema), at, keyed)]
        always_null = isinstance(spec, m.Constant) and spec.value is None
        if (
            spec.null_rate == 0
            and spec.absent_rate is None
            and not may_be_null(spec)
            and not (style.nullable_constant and always_null)
        ):
            parts.append("NOT NULL")
        if at.path == entity.key:
            parts.append("PRIMARY KEY")
        elif keyed:
            parts.append("UNIQUE")
        parts.extend(_checks(name, spec, style))
        notes = [spec.description or _computed_note(spec, _note(at))]
        if at.reference is not None and _is_column(schema, at.reference):
            target = at.reference
            parent = f"{style.ident(target.entity)} ({style.ident(_written(schema, target))})"
            if style.references is None or target.entity in style.references:
                parts.append(f"REFERENCES {parent}")
            else:
                notes.append(f"references {parent}")
        line = " ".join(parts)
        note = "; ".join(_one_line(n) for n in notes if n)
        lines.append(f"  {line}" + (f"  -- {note}" if note else ""))
    return lines


def foreign_keys(schema: ResolvedSchema, name: str) -> list[tuple[str, str, str]]:
    """Entity ``name``'s references that a foreign key can state: (column, parent entity,
    parent column), the ones the portable DDL writes as REFERENCES. A loader adds them once
    every table is full."""
    return [
        (at.written, at.reference.entity, _written(schema, at.reference))
        for at in schema.entities[name].columns()
        if at.reference is not None and _is_column(schema, at.reference)
    ]


def _target_field(schema: ResolvedSchema, target: Target) -> ResolvedField | None:
    """The field a reference copies or a lookup reads, when it exists."""
    parent = schema.entity(target.entity)
    return parent.field(target.field) if parent is not None and target.field else None


def _written(schema: ResolvedSchema, target: Target) -> str:
    """The column name a reference's parent field is written under."""
    copied = _target_field(schema, target)
    return copied.written if copied is not None else target.field or ""


def _is_column(schema: ResolvedSchema, target: Target) -> bool:
    """A foreign key can only name a column: a hidden key field is generated, never written."""
    copied = _target_field(schema, target)
    return copied is None or not copied.hidden


def _note(at: ResolvedField) -> str | None:
    """What the DDL cannot say about how values are generated."""
    spec = at.spec
    if isinstance(spec, m.Mimesis):
        return spec.method
    if isinstance(spec, m.Pattern) and at.space is not None and at.space > 1:
        return f"pattern {spec.pattern}"
    if isinstance(spec, m.Template):
        return f"template {spec.template}"
    if isinstance(spec, m.Provider):
        return f"provider {spec.name}"
    return None


def _computed_note(spec: m.Field, note: str | None) -> str | None:
    """The expression a column is computed by, and the condition it is null outside of."""
    parts = [note]
    if isinstance(spec, m.Expression):
        parts.append(f"expression {spec.expr}")
    elif isinstance(spec, m.Cases):
        parts.append("cases: " + "; ".join(case.when for case in spec.cases))
    if spec.when is not None:
        parts.append(f"null unless {spec.when}")
    found = [p for p in parts if p]
    return ", ".join(found) if found else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _order(schema: ResolvedSchema) -> list[str]:
    """Entities with referenced ones first, so every REFERENCES names an existing table."""
    graph: dict[str, set[str]] = {name: set() for name in schema.entities}
    for name, entity in schema.entities.items():
        for at in entity.fields:
            if at.reference is not None and at.reference.entity != name:
                graph[name].add(at.reference.entity)
    return list(graphlib.TopologicalSorter(graph).static_order())


def _create_table(
    entity: ResolvedEntity, schema: ResolvedSchema, style: _Style, comment: str = ""
) -> str:
    lines = _columns(entity, schema, style)
    # A comment cannot follow the comma, so commas go before any "--".
    body = []
    for i, line in enumerate(lines):
        code, sep, note = line.partition("  -- ")
        comma = "," if i < len(lines) - 1 else ""
        body.append(f"{code}{comma}{sep}{note}")
    head = f"-- {_one_line(entity.model.description)}\n" if entity.model.description else ""
    head += f"-- {comment}\n" if comment else ""
    return f"{head}CREATE TABLE {style.ident(entity.name)} (\n" + "\n".join(body) + "\n);"


def export_sql(schema: m.Schema) -> str:
    resolved = resolve(schema)
    blocks: list[str] = []
    for name in _order(resolved):
        entity = resolved.entities[name]
        count = f"count: {entity.count}" if entity.count is not None else ""
        blocks.append(_create_table(entity, resolved, PORTABLE, count))
    return "\n\n".join(blocks) + "\n"


def create_table(
    schema: m.Schema,
    entity: str,
    dialect: str,
    columns: pa.Schema,
    loaded_before: Collection[str] = (),
) -> str:
    """The CREATE TABLE of one entity in ``dialect``: its references to the tables
    ``loaded_before`` (parents of the same job, whose files load first) are foreign keys, the
    others comments. ``columns``, the Arrow schema of its rows, types the fields the schema
    language leaves untyped."""
    check_dialect(dialect)
    resolved = resolve(schema)
    style = _Style(
        ident=lambda name: quote_ident(name, dialect),
        literal=lambda value: literal(value, dialect),
        types=_DIALECT_TYPES[dialect],
        key_text="VARCHAR(255)" if dialect == "mysql" else "TEXT",  # MySQL keys need a length
        # A table's own rows may name rows of later batches: never a key to itself.
        references=frozenset(loaded_before) - {entity},
        typed=columns,
        nullable_constant=True,
    )
    return _create_table(resolved.entities[entity], resolved, style) + "\n"
