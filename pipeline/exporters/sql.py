"""Schema -> SQL DDL: one CREATE TABLE per entity, parents first, in portable SQL."""

from __future__ import annotations

import graphlib

from pipeline.schema import model as m
from pipeline.schema.resolved import (
    ResolvedEntity,
    ResolvedField,
    ResolvedSchema,
    Target,
    resolve,
)


def ident(name: str) -> str:
    """A quoted identifier, so names such as Order or user stay usable."""
    return '"' + name.replace('"', '""') + '"'


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
    if isinstance(spec, m.Object | m.Array):
        return "JSON"
    if isinstance(spec, m.Constant) and spec.value is not None:
        return _column_type(m.Choice(values=[spec.value]), None, schema)
    return "TEXT"


def _checks(name: str, spec: m.Field) -> list[str]:
    if isinstance(spec, m.Integer | m.Float):
        return [f"CHECK ({ident(name)} BETWEEN {_quote(spec.min)} AND {_quote(spec.max)})"]
    if isinstance(spec, m.Choice) and not all(isinstance(v, bool) for v in spec.values):
        return [f"CHECK ({ident(name)} IN ({', '.join(_quote(v) for v in spec.values)}))"]
    if isinstance(spec, m.Constant) and spec.value is not None:
        return [f"CHECK ({ident(name)} = {_quote(spec.value)})"]
    return []


def _columns(
    entity: ResolvedEntity, schema: ResolvedSchema, *, references: bool = True
) -> list[str]:
    lines: list[str] = []
    for at in entity.columns():
        spec = at.spec
        parts = [ident(at.path), _column_type(spec, at, schema)]
        if spec.null_rate == 0:
            parts.append("NOT NULL")
        if at.path == entity.key:
            parts.append("PRIMARY KEY")
        elif spec.unique or (isinstance(spec, m.Sequence | m.Uuid)):
            parts.append("UNIQUE")
        parts.extend(_checks(at.path, spec))
        if references and at.reference is not None and _is_column(schema, at.reference):
            target = at.reference
            parts.append(f"REFERENCES {ident(target.entity)} ({ident(target.field or '')})")
        line = " ".join(parts)
        note = spec.description or _note(at)
        lines.append(f"  {line}" + (f"  -- {_one_line(note)}" if note else ""))
    return lines


def foreign_keys(schema: ResolvedSchema, name: str) -> list[tuple[str, str, str]]:
    """Entity ``name``'s references that a foreign key can state: (column, parent entity,
    parent column), the same ones ``create_table`` writes inline as REFERENCES."""
    return [
        (at.path, at.reference.entity, at.reference.field or "")
        for at in schema.entities[name].columns()
        if at.reference is not None and _is_column(schema, at.reference)
    ]


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


def create_table(
    schema: ResolvedSchema, name: str, *, table: str | None = None, references: bool = True
) -> str:
    """One entity's CREATE TABLE (named ``table``, already quoted, else the entity's name);
    without its REFERENCES when ``references`` is False, for a loader that adds foreign keys
    once every table is full."""
    entity = schema.entities[name]
    lines = _columns(entity, schema, references=references)
    # A comment cannot follow the comma, so commas go before any "--".
    body = []
    for i, line in enumerate(lines):
        code, sep, note = line.partition("  -- ")
        comma = "," if i < len(lines) - 1 else ""
        body.append(f"{code}{comma}{sep}{note}")
    head = f"-- {_one_line(entity.model.description)}\n" if entity.model.description else ""
    if entity.count is not None:
        head += f"-- count: {entity.count}\n"
    return f"{head}CREATE TABLE {table or ident(name)} (\n" + "\n".join(body) + "\n);"


def export_sql(schema: m.Schema) -> str:
    resolved = resolve(schema)
    return "\n\n".join(create_table(resolved, name) for name in _order(resolved)) + "\n"
