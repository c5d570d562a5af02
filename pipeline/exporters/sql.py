"""Schema -> SQL DDL: one CREATE TABLE per entity, parents first, in portable SQL."""

from __future__ import annotations

import graphlib

from pipeline.schema import model as m
from pipeline.schema.space import pattern_space
from pipeline.schema.validate import default_key


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


def _column_type(spec: m.Field, schema: m.Schema) -> str:
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
    if isinstance(spec, m.Reference):
        parent = schema.entities[spec.entity]
        target = m.find_field(parent, spec.field or default_key(parent) or "")
        return _column_type(target, schema) if target is not None else "BIGINT"
    if isinstance(spec, m.Object | m.Array):
        return "JSON"
    if isinstance(spec, m.Constant) and spec.value is not None:
        return _column_type(m.Choice(values=[spec.value]), schema)
    return "TEXT"


def _checks(name: str, spec: m.Field) -> list[str]:
    if isinstance(spec, m.Integer | m.Float):
        return [f"CHECK ({ident(name)} BETWEEN {_quote(spec.min)} AND {_quote(spec.max)})"]
    if isinstance(spec, m.Choice) and not all(isinstance(v, bool) for v in spec.values):
        return [f"CHECK ({ident(name)} IN ({', '.join(_quote(v) for v in spec.values)}))"]
    if isinstance(spec, m.Constant) and spec.value is not None:
        return [f"CHECK ({ident(name)} = {_quote(spec.value)})"]
    return []


def _columns(name: str, entity: m.Entity, schema: m.Schema) -> list[str]:
    key = default_key(entity)
    lines: list[str] = []
    for field_name, spec in entity.fields.items():
        parts = [ident(field_name), _column_type(spec, schema)]
        if spec.null_rate == 0:
            parts.append("NOT NULL")
        if field_name == key:
            parts.append("PRIMARY KEY")
        elif spec.unique or (isinstance(spec, m.Sequence | m.Uuid)):
            parts.append("UNIQUE")
        parts.extend(_checks(field_name, spec))
        if isinstance(spec, m.Reference):
            target = spec.field or default_key(schema.entities[spec.entity])
            parts.append(f"REFERENCES {ident(spec.entity)} ({ident(target or '')})")
        line = " ".join(parts)
        note = spec.description or _note(spec)
        lines.append(f"  {line}" + (f"  -- {_one_line(note)}" if note else ""))
    return lines


def _note(spec: m.Field) -> str | None:
    """What the DDL cannot say about how values are generated."""
    if isinstance(spec, m.Mimesis):
        return spec.method
    if isinstance(spec, m.Pattern) and pattern_space(spec.pattern) > 1:
        return f"pattern {spec.pattern}"
    if isinstance(spec, m.Template):
        return f"template {spec.template}"
    if isinstance(spec, m.Provider):
        return f"provider {spec.name}"
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _order(schema: m.Schema) -> list[str]:
    """Entities with referenced ones first, so every REFERENCES names an existing table."""
    graph: dict[str, set[str]] = {name: set() for name in schema.entities}
    for name, entity in schema.entities.items():
        for _, spec in m.iter_fields(entity.fields):
            if isinstance(spec, m.Reference) and spec.entity != name:
                graph[name].add(spec.entity)
    return list(graphlib.TopologicalSorter(graph).static_order())


def export_sql(schema: m.Schema) -> str:
    blocks: list[str] = []
    for name in _order(schema):
        entity = schema.entities[name]
        lines = _columns(name, entity, schema)
        # A comment cannot follow the comma, so commas go before any "--".
        body = []
        for i, line in enumerate(lines):
            code, sep, note = line.partition("  -- ")
            comma = "," if i < len(lines) - 1 else ""
            body.append(f"{code}{comma}{sep}{note}")
        head = f"-- {_one_line(entity.description)}\n" if entity.description else ""
        if entity.count is not None:
            head += f"-- count: {entity.count}\n"
        blocks.append(f"{head}CREATE TABLE {ident(name)} (\n" + "\n".join(body) + "\n);")
    return "\n\n".join(blocks) + "\n"
