"""Schema -> SQL DDL: one CREATE TABLE per entity, parents first, in portable SQL; and one
entity's CREATE TABLE in a dialect, at the head of the sql output format."""

from __future__ import annotations

import graphlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa

from pipeline.exporters.sql_widths import declared_type
from pipeline.schema import model as m
from pipeline.schema.resolved import (
    ResolvedEntity,
    ResolvedField,
    ResolvedSchema,
    Target,
    resolve,
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


def _column_type(spec: m.Field, at: ResolvedField | None, schema: ResolvedSchema) -> str:
    declared = declared_type(spec)
    if declared is not None:
        return declared
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
        target = at.reference
        parent = schema.entity(target.entity)
        copied = parent.field(target.field) if parent and target.field else None
        return _column_type(copied.spec, copied, schema) if copied is not None else "BIGINT"
    if isinstance(spec, m.Lookup) and at is not None and at.lookup is not None:
        owner = schema.entity(at.lookup.entity)
        looked = owner.field(at.lookup.field or "") if owner else None
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
    references: bool = True  # False: a table written alone, its parents elsewhere
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
        keyed = at.path == entity.key or spec.unique or isinstance(spec, m.Sequence | m.Uuid)
        parts = [style.ident(at.path), style.type_of(_column_type(spec, at, schema), at, keyed)]
        always_null = isinstance(spec, m.Constant) and spec.value is None
        if spec.null_rate == 0 and not (style.nullable_constant and always_null):
            parts.append("NOT NULL")
        if at.path == entity.key:
            parts.append("PRIMARY KEY")
        elif keyed:
            parts.append("UNIQUE")
        parts.extend(_checks(at.path, spec, style))
        notes = [spec.description or _note(at)]
        if at.reference is not None and _is_column(schema, at.reference):
            target = at.reference
            parent = f"{style.ident(target.entity)} ({style.ident(target.field or '')})"
            if style.references:
                parts.append(f"REFERENCES {parent}")
            else:
                notes.append(f"references {parent}")
        line = " ".join(parts)
        note = "; ".join(_one_line(n) for n in notes if n)
        lines.append(f"  {line}" + (f"  -- {note}" if note else ""))
    return lines


def _is_column(schema: ResolvedSchema, target: Target) -> bool:
    """A foreign key can only name a column: a hidden key field is generated, never written."""
    parent = schema.entity(target.entity)
    copied = parent.field(target.field) if parent is not None and target.field else None
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


def create_table(schema: m.Schema, entity: str, dialect: str, columns: pa.Schema) -> str:
    """The CREATE TABLE of one entity written alone in ``dialect`` (its references to other
    tables become comments: their rows are not in the same file). ``columns``, the Arrow
    schema of its rows, types the fields the schema language leaves untyped."""
    check_dialect(dialect)
    resolved = resolve(schema)
    style = _Style(
        ident=lambda name: quote_ident(name, dialect),
        literal=lambda value: literal(value, dialect),
        types=_DIALECT_TYPES[dialect],
        key_text="VARCHAR(255)" if dialect == "mysql" else "TEXT",  # MySQL keys need a length
        references=False,
        typed=columns,
        nullable_constant=True,
    )
    return _create_table(resolved.entities[entity], resolved, style) + "\n"
