"""SQL DDL (CREATE TABLE, any common dialect) -> our schema language."""

from __future__ import annotations

import datetime as dt
import decimal
import graphlib
import math
import re
from typing import Any

from sqlglot import exp

from pipeline.importers import (
    declared_decimal,
    name_bounds,
    naming,
    sql_derived,
    sql_keys,
    sql_types,
)
from pipeline.importers.draft import (
    NULL_RATE,
    EntityDraft,
    FieldDraft,
    add_description,
    keep_source_name,
    renamed,
    render,
    safe_name,
)
from pipeline.importers.sql_tables import Column, Table, parse_tables
from pipeline.schema.rules import MAX_DECIMALS
from pipeline.schema.space import pattern_space

T = exp.DataType.Type
PARENT_COUNT = 1000


def _types(*names: str) -> frozenset[Any]:
    """The sqlglot types of these names that this sqlglot version has."""
    return frozenset(getattr(T, n) for n in names if hasattr(T, n))


_INT_MAX: dict[str, int | None] = {
    "TINYINT": 127, "UTINYINT": 255, "SMALLINT": 32767, "USMALLINT": 65535,
    "MEDIUMINT": 8388607, "UMEDIUMINT": 16777215, "INT": None, "UINT": None, "BIGINT": None,
    "UBIGINT": None, "SERIAL": None, "SMALLSERIAL": 32767, "BIGSERIAL": None,
}  # fmt: skip
_INTS = {getattr(T, n): v for n, v in _INT_MAX.items() if hasattr(T, n)}
_SERIALS = _types("SERIAL", "SMALLSERIAL", "BIGSERIAL")
_FLOATS = _types("FLOAT", "DOUBLE")
_DECIMALS = _types("DECIMAL", "BIGDECIMAL", "MONEY", "SMALLMONEY", "UDECIMAL")
_STRINGS = _types("VARCHAR", "NVARCHAR", "CHAR", "NCHAR", "TEXT", "MEDIUMTEXT", "LONGTEXT",
                  "TINYTEXT", "NAME", "CITEXT")  # fmt: skip
_LONG_TEXT = _types("TEXT", "MEDIUMTEXT", "LONGTEXT")
_DATETIMES = _types("TIMESTAMP", "TIMESTAMPTZ", "TIMESTAMPLTZ", "DATETIME", "DATETIME64",
                    "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPNTZ", "DATETIME2",
                    "SMALLDATETIME")  # fmt: skip
_TIMES = _types("TIME", "TIMETZ")
_BINARY = _types("BINARY", "VARBINARY", "BLOB", "MEDIUMBLOB", "LONGBLOB", "TINYBLOB", "IMAGE")
_VECTOR = re.compile(r"\bvector\s*\(\s*(\d+)\s*\)", re.I)  # pgvector's type
_JSON = _types("JSON", "JSONB")


def _params(kind: exp.DataType) -> list[int]:
    out = []
    for p in kind.expressions:
        try:
            out.append(int(p.name))
        except ValueError:
            continue
    return out


def _number(node: exp.Expression) -> float | int | None:
    try:
        value = node.to_py()
    except Exception:  # not a literal: a CHECK we cannot turn into a bound
        return None
    if isinstance(value, decimal.Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _literal(node: exp.Expression) -> Any:
    try:
        return node.to_py()
    except Exception:  # not a literal
        return node.sql()


def _strip(node: Any) -> Any:
    while isinstance(node, exp.Paren | exp.Cast):
        node = node.this
    return node


def _column_name(node: Any) -> str | None:
    node = _strip(node)
    return node.name if isinstance(node, exp.Column) else None


def _parts(check: Any) -> list[Any]:
    node = _strip(check)
    if isinstance(node, exp.And):
        return [p for part in node.flatten() for p in _parts(part)]
    return [node]


def _temporal(node: Any) -> dt.datetime | dt.date | None:
    """A date or timestamp literal of a CHECK (``'2007-01-01 00:00:00'::timestamp``)."""
    node = _strip(node)
    if not (isinstance(node, exp.Literal) and node.is_string):
        return None
    text = node.this.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    # With an offset: the same instant in UTC, as the language writes datetimes.
    return value.astimezone(dt.UTC) if value.tzinfo is not None else value


def _like_sample(pattern: str) -> str:
    """A value a LIKE pattern matches: ``%`` matches nothing, ``_`` one letter."""
    return pattern.replace("%", "").replace("_", "x")


class _Bounds:
    """min/max, date ranges and value lists that CHECK constraints put on one column."""

    def __init__(self, col: Column) -> None:
        self.min: float | None = None
        self.max: float | None = None
        self.open: set[str] = set()  # "min"/"max" of a strict comparison with a fraction
        self.start: dt.datetime | dt.date | None = None
        self.end: dt.datetime | dt.date | None = None
        self.values: list[Any] | None = None
        self.unread: list[Any] = []  # CHECK parts no bound keeps
        for check in col.checks:
            for part in _parts(check):
                if not self._read(part, col.name):
                    self.unread.append(part)

    def _read(self, node: Any, name: str) -> bool:
        node = _strip(node)
        if isinstance(node, exp.In) and _column_name(node.this) == name and node.expressions:
            self.values = [_literal(_strip(v)) for v in node.expressions]
            return True
        if isinstance(node, exp.EQ) and _column_name(node.this) == name:
            # PostgreSQL writes IN lists back as ``col = ANY (ARRAY[...])``.
            right = _strip(node.expression)
            inner = _strip(right.this) if isinstance(right, exp.Any) else None
            if isinstance(inner, exp.Array) and inner.expressions:
                self.values = [_literal(_strip(v)) for v in inner.expressions]
                return True
            return False
        if isinstance(node, exp.Between) and _column_name(node.this) == name:
            lo, hi = _number(node.args["low"]), _number(node.args["high"])
            self.min, self.max = lo, hi
            return lo is not None and hi is not None
        if isinstance(node, exp.Or | exp.Like):
            return self._alternatives(node, name)
        ops = {exp.GTE: "min", exp.GT: "min", exp.LTE: "max", exp.LT: "max"}
        for cls, side in ops.items():
            if isinstance(node, cls) and _column_name(node.this) is not None:
                if _column_name(node.this) != name:
                    return False
                value = _number(_strip(node.expression))
                if value is None:
                    return self._temporal_bound(node, cls, side)
                if cls in (exp.GT, exp.LT) and isinstance(value, int):
                    value = value + 1 if cls is exp.GT else value - 1
                elif cls in (exp.GT, exp.LT):
                    self.open.add(side)
                if cls in (exp.GTE, exp.LTE):
                    self.open.discard(side)
                setattr(self, side, value)
                return True
        return False

    def _temporal_bound(self, node: Any, cls: type, side: str) -> bool:
        value = _temporal(node.expression)
        if value is None:
            return False
        if cls in (exp.GT, exp.LT):  # strict: one step inside
            step = (
                dt.timedelta(microseconds=1)
                if isinstance(value, dt.datetime)
                else dt.timedelta(days=1)
            )
            value = value + step if cls is exp.GT else value - step
        setattr(self, "start" if side == "min" else "end", value)
        return True

    def _alternatives(self, node: Any, name: str) -> bool:
        """``col IS NULL OR col LIKE '%a%' OR col = 'b'``: values each alternative accepts."""
        parts = node.flatten() if isinstance(node, exp.Or) else [node]
        values: list[Any] = []
        for part in (_strip(p) for p in parts):
            if isinstance(part, exp.Is) and _column_name(part.this) == name:
                continue  # null is allowed: the column's own nullability decides
            if isinstance(part, exp.Like | exp.EQ) and _column_name(part.this) == name:
                literal = _strip(part.expression)
                if isinstance(literal, exp.Literal) and literal.is_string:
                    text = literal.this
                    values.append(_like_sample(text) if isinstance(part, exp.Like) else text)
                    continue
            return False
        if not values:
            return False
        self.values = list(dict.fromkeys(values))
        return True


def _type_text(kind: exp.DataType | None) -> str:
    return kind.sql().upper() if kind is not None else "untyped"


def _base_spec(
    col: Column, bounds: _Bounds, siblings: set[str], entity: str, dropped: list[str]
) -> tuple[dict[str, Any], bool]:
    """The spec of a column from its type and checks, and whether the name picked it; why a
    name rule gave way to the declared type goes to ``dropped``."""
    kind = col.kind
    dtype = kind.this if kind is not None else T.TEXT
    params = _params(kind) if kind is not None else []
    if col.enum or bounds.values:
        return {"type": "choice", "values": col.enum or bounds.values}, False
    if dtype == getattr(T, "YEAR", None):
        return {"type": "integer", "min": 1901, "max": 2155}, False  # MySQL's YEAR range
    if dtype == getattr(T, "SET", None) and kind is not None and kind.expressions:
        # A SET value is any subset of its members: one member is always one.
        return {"type": "choice", "values": [e.name for e in kind.expressions]}, False
    vector = _VECTOR.search(kind.sql()) if dtype == T.USERDEFINED and kind is not None else None
    if vector:
        size = int(vector.group(1))
        unit = FieldDraft({"type": "float", "min": -1, "max": 1, "decimals": 6})
        return {"type": "array", "of": unit, "min_items": size, "max_items": size}, False
    if dtype in _INTS:
        if dtype == T.TINYINT and params == [1] and bounds.min is None and bounds.max is None:
            return {"type": "boolean"}, False
        return _integer(col, bounds, dtype, dropped)
    if dtype in _DECIMALS and sql_types.is_decimal(params):
        spec, picked = _float(col, bounds, params, dropped)
        return sql_types.decimal_spec(spec, params, bounds.open), picked
    if dtype in _DECIMALS or dtype in _FLOATS:
        spec, picked = _float(col, bounds, params if dtype in _DECIMALS else [], dropped)
        return {**spec, **sql_types.float_width(dtype, params)}, picked
    if dtype == T.BOOLEAN or dtype == T.BIT:
        return {"type": "boolean"}, False
    if dtype == T.DATE:
        spec = naming.guess(col.name, "date") or {"type": "date"}
        return _dated(spec, bounds, dt.date), False
    if dtype in _DATETIMES:
        return _dated(sql_types.datetime_spec(dtype), bounds, dt.datetime), False
    if dtype in _TIMES:
        return {"type": "datetime.time"}, False
    if dtype == T.UUID:
        return {"type": "uuid"}, False
    if dtype in _BINARY:
        return sql_types.binary_spec(dtype, params), False
    if dtype in _JSON:
        return {"type": "constant", "value": "{}"}, False
    if dtype == T.ARRAY and kind is not None and kind.expressions:
        item = Column(name=col.name, kind=kind.expressions[0], not_null=True)
        spec, picked = _base_spec(item, _Bounds(item), siblings, entity, dropped)
        return {"type": "array", "of": FieldDraft(spec)}, picked
    return _string(col, params, dtype, siblings, entity, dropped)


def _dated(spec: dict[str, Any], bounds: _Bounds, kind: type) -> dict[str, Any]:
    """A date or datetime spec within the CHECK's range (a partition's, say)."""
    if bounds.start is None and bounds.end is None:
        return spec

    def as_kind(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
        if kind is dt.date and isinstance(value, dt.datetime):
            return value.date()
        if kind is dt.datetime and not isinstance(value, dt.datetime):
            return dt.datetime.combine(value, dt.time())
        return value

    spec = {k: v for k, v in spec.items() if k not in ("start", "end")}
    if bounds.start is not None:
        spec["start"] = as_kind(bounds.start)
    if bounds.end is not None:
        spec["end"] = as_kind(bounds.end)
    return spec


def _integer(
    col: Column, bounds: _Bounds, dtype: Any, dropped: list[str]
) -> tuple[dict[str, Any], bool]:
    type_max = _INTS[dtype]
    width = sql_types.integer_width(dtype)
    type_min, top = sql_types.integer_limits(dtype, type_max)
    low = max(math.ceil(bounds.min), type_min) if bounds.min is not None else type_min
    high = min(math.floor(bounds.max), top) if bounds.max is not None else top
    named = name_bounds.number(col.name, "integer", low, high, stated=_stated(bounds))
    _note(named, dropped)
    if named.spec is not None:
        return {**named.spec, **width}, True
    if bounds.min is None and bounds.max is None:
        spec = {"type": "integer", "max": type_max} if type_max else {"type": "integer"}
        return {**spec, **width}, False
    lo = int(bounds.min) if bounds.min is not None else 0
    hi = int(bounds.max) if bounds.max is not None else None
    if hi is None or hi < lo:
        hi = max(lo, 0) + (type_max or 1_000_000)
    lo, hi = max(lo, type_min), min(hi, top)
    return {"type": "integer", **width, "min": lo, "max": max(hi, lo)}, False


def _clamped(
    bound: float | None, top: decimal.Decimal | None, default: decimal.Decimal | None
) -> float | decimal.Decimal | None:
    """A CHECK's bound kept within the type's largest magnitude ``top`` (None: no limit), or
    ``default`` where the CHECK gives none."""
    if bound is None:
        return default
    if top is None:
        return bound
    return max(min(decimal.Decimal(repr(bound)), top), top.copy_negate())


def _stated(bounds: _Bounds) -> frozenset[str]:
    """The sides of a column's range its CHECKs state."""
    return frozenset(side for side in ("min", "max") if getattr(bounds, side) is not None)


def _note(named: name_bounds.Named, dropped: list[str]) -> None:
    if named.dropped is not None:
        dropped.append(named.dropped)


def _float(
    col: Column, bounds: _Bounds, params: list[int], dropped: list[str]
) -> tuple[dict[str, Any], bool]:
    spec: dict[str, Any] = {"type": "float"}
    type_max: float | None = None
    top: decimal.Decimal | None = None  # the type's largest value, exactly
    scale: int | None = None
    if len(params) >= 1:
        scale = params[1] if len(params) > 1 else 0
        spec["decimals"] = min(scale, MAX_DECIMALS)
        # A decimal the language holds has its bounds clamped to the type exactly afterwards:
        # its float bound keeps every decimal of the scale.
        exact = sql_types.is_decimal(params)
        type_max = float(declared_decimal.largest(params[0], scale, scale if exact else None))
        top = declared_decimal.top(params[0], scale) if exact else decimal.Decimal(repr(type_max))
        scale = scale if exact else spec["decimals"]
    named = name_bounds.number(
        col.name,
        "float",
        _clamped(bounds.min, top, top.copy_negate() if top is not None else None),
        _clamped(bounds.max, top, top),
        scale,
        stated=_stated(bounds),
    )
    _note(named, dropped)
    if named.spec is not None:
        spec = {**named.spec, **({"decimals": spec["decimals"]} if "decimals" in spec else {})}
        return spec, True
    if bounds.min is None and bounds.max is None:
        spec.update({"min": 0, "max": min(type_max or 1000, 1000)})
    else:
        spec["min"] = bounds.min if bounds.min is not None else 0
        spec["max"] = bounds.max if bounds.max is not None else 1000
        if spec["max"] < spec["min"]:
            spec["max"] = spec["min"] + 1000
    if type_max is not None:
        spec["max"] = min(spec["max"], type_max)
        spec["min"] = max(spec["min"], -type_max)
    return spec, False


def _string(
    col: Column,
    params: list[int],
    dtype: Any,
    siblings: set[str],
    entity: str,
    dropped: list[str],
) -> tuple[dict[str, Any], bool]:
    fixed = dtype in (T.CHAR, T.NCHAR)
    length = params[0] if params else 1 if fixed else None  # CHAR alone is CHAR(1)
    if col.primary_key or col.unique:
        return _unique_string(col.name, length, fixed, siblings)
    tiny = fixed and length is not None and length < 4
    if not tiny:
        named = name_bounds.text(col.name, entity, max_length=length)
        _note(named, dropped)
        if named.spec is not None:
            return sql_types.with_max_length(named.spec, length), True
    if length is not None and (fixed or length < 12):
        return {"type": "pattern", "pattern": "?" * length}, False
    if dtype in _LONG_TEXT and length is None:
        return {"type": "text.sentence"}, False
    return sql_types.with_max_length({"type": "text.word"}, length), False


def _unique_string(
    name: str, length: int | None, fixed: bool, siblings: set[str]
) -> tuple[dict[str, Any], bool]:
    """A unique text column: mimesis repeats values, so a pattern or a template is used."""
    guessed = naming.guess(name, "string")
    room = length if length is not None else 10**9
    if guessed is not None and guessed["type"] == "person.email":
        # The unique suffix adds 7 characters to the two names.
        if {"first_name", "last_name"} <= siblings and room >= 56:
            tpl = "{first_name|lower}.{last_name|lower}@example.com"
            return {"type": "template", "template": tpl, "unique": True}, True
        if room >= 25:
            return {"type": "pattern", "pattern": "user#########@example.com", "unique": True}, True
    if guessed is not None and guessed["type"] == "person.username" and room >= 13:
        return {"type": "pattern", "pattern": "user#########", "unique": True}, True
    if guessed is not None and guessed["type"] == "uuid" and room >= 36:
        return {"type": "uuid"}, True
    size = length if length is not None and (fixed or length < 12) else 12
    return {"type": "pattern", "pattern": "*" * size, "unique": True}, False


def _column_draft(col: Column, table: Table, entity_of: dict[str, str]) -> FieldDraft:
    bounds = _Bounds(col)
    siblings = {naming.snake(c) for c in table.columns}
    comment = None
    dropped: list[str] = []
    kind = col.kind
    dtype = kind.this if kind is not None else None
    if col.references is not None and col.references[0].lower() in entity_of:
        parent = entity_of[col.references[0].lower()]
        spec: dict[str, Any] = {"type": "reference", "entity": parent}
        if col.references[1]:
            spec["field"] = col.references[1]
        if col.unique or col.primary_key:  # a key that is also a foreign key is 1:1
            spec["unique"] = True
    elif col.autoincrement or (col.primary_key and (dtype in _INTS or dtype in _SERIALS)):
        spec = {"type": "sequence"}
    elif dtype == T.UUID:
        spec = {"type": "uuid"}
    else:
        spec, picked = _base_spec(col, bounds, siblings, table.name, dropped)
        comment = naming.PICKED if picked else None
        if (col.unique or col.primary_key) and spec["type"] not in ("uuid", "sequence"):
            spec["unique"] = True
    if not (col.not_null or col.primary_key):
        spec["null_rate"] = NULL_RATE
    if col.references is not None and col.references[0].lower() not in entity_of:
        add_description(spec, f"REFERENCES {col.references[0]} (table not in the input)")
    if kind is not None and (_params(kind) or kind.this in _DECIMALS):
        add_description(spec, _type_text(kind))
    for part in bounds.unread:
        add_description(spec, f"CHECK ({part.sql()})")
    for note in col.notes:
        add_description(spec, note)
    add_description(spec, col.comment)
    return FieldDraft(spec, comment, dropped="; ".join(dropped) or None)


def _reference_fields(
    entities: dict[str, EntityDraft], columns_of: dict[str, dict[str, str]]
) -> None:
    """A foreign key names its parent's column; the reference names the field that column
    became (``columns_of``: entity -> its columns' field names)."""
    for entity in entities.values():
        for draft in entity.fields.values():
            spec = draft.spec
            if spec["type"] == "reference" and "field" in spec:
                parent = {c.lower(): f for c, f in columns_of[spec["entity"]].items()}
                spec["field"] = parent.get(spec["field"].lower(), spec["field"])


def _keep_column_names(entity: EntityDraft, columns: dict[str, str]) -> None:
    """Every field made from a column writes the column's name (``columns``: column -> field).

    Done once the fields are final, as keys and checks rebuild some of them."""
    written = {n for n, d in entity.fields.items() if not d.spec.get("hidden")}
    written -= set(columns.values())
    for column, name in columns.items():
        if name in entity.fields:
            keep_source_name(entity.fields[name].spec, column, name, written)


def _fix_references(entities: dict[str, EntityDraft]) -> list[tuple[str, str]]:
    """Turn references the language cannot generate into plain columns, saying why; return
    the hidden references (entity, field) of keys over several columns that close a cycle,
    for the caller to put their columns back."""
    edges: dict[str, set[str]] = {}
    cycles: list[tuple[str, str]] = []
    for name, entity in entities.items():
        for field_name, draft in list(entity.fields.items()):
            spec = draft.spec
            if spec["type"] != "reference":
                continue
            if spec.get("hidden"):  # it only picks the parent row: no parent key needed
                if spec["entity"] != name and _closes_cycle(edges, name, spec["entity"]):
                    cycles.append((name, field_name))
                continue
            parent = entities[spec["entity"]]
            target_name = spec.get("field") or next(
                (f for f, d in parent.fields.items() if d.spec["type"] in ("sequence", "uuid")),
                None,
            )
            target = parent.fields.get(target_name or "")
            derivable = target is not None and (
                target.spec["type"] in ("sequence", "uuid")
                or (target.spec["type"] in ("pattern", "integer") and target.spec.get("unique"))
            )
            if (
                target is not None
                and target_name == spec.get("field")
                and target_name
                == next(
                    (f for f, d in parent.fields.items() if d.spec["type"] in ("sequence", "uuid")),
                    None,
                )
            ):
                del spec["field"]  # the default key; shorter to read
            cyclic = spec["entity"] != name and _closes_cycle(edges, name, spec["entity"])
            if not derivable or cyclic:
                why = (
                    "a reference cycle"
                    if cyclic
                    else "that column is not derivable from the row index"
                )
                copy = dict(target.spec) if target is not None else {"type": "integer"}
                copy.pop("unique", None)
                copy.pop("description", None)
                for key in ("null_rate", "description"):
                    if key in spec:
                        copy[key] = spec[key]
                add_description(
                    copy, f"REFERENCES {spec['entity']}; not generated as a reference: {why}"
                )
                entity.fields[field_name] = FieldDraft(copy, "plain values: see description")
    return cycles


def _closes_cycle(edges: dict[str, set[str]], child: str, parent: str) -> bool:
    """Add the edge child -> parent unless it closes a cycle (then say so)."""
    edges.setdefault(child, set()).add(parent)
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError:
        edges[child].discard(parent)
        return True
    return False


def _link_composite_keys(
    tables: list[Table],
    entities: dict[str, EntityDraft],
    entity_of: dict[str, str],
    columns_of: dict[str, dict[str, str]],
    warnings: list[dict[str, Any]],
) -> dict[str, list[sql_keys.Link]]:
    """Each foreign key over several columns as a hidden reference plus lookups, per entity."""
    links: dict[str, list[sql_keys.Link]] = {entity_of[t.name.lower()]: [] for t in tables}
    by_name = {t.name.lower(): t for t in tables}
    for table in tables:
        entity_name = entity_of[table.name.lower()]
        for fk in table.foreign_keys:
            if len(fk.columns) < 2:
                continue
            parent = by_name.get(fk.table)
            if parent is None:
                done: sql_keys.Link | str = f"table {fk.table} is not in the input"
            else:
                done = sql_keys.link(
                    fk,
                    entities[entity_name].fields,
                    columns_of[table.name.lower()],
                    entity_of[fk.table],
                    {c.lower(): f for c, f in columns_of[fk.table].items()},
                    parent.primary_key,
                    parent is table,
                    links[entity_name],
                )
            if isinstance(done, str):
                warnings.append(
                    {
                        "line": table.line,
                        "message": f"{table.name}: FOREIGN KEY ({', '.join(fk.columns)}) "
                        f"REFERENCES {fk.table} is not generated as a reference: {done}",
                    }
                )
            else:
                links[entity_name].append(done)
    return links


def _unique_key(
    table: Table,
    columns: list[str],
    entity: EntityDraft,
    links: list[sql_keys.Link],
    columns_of: dict[str, dict[str, str]],
    what: str,
) -> bool:
    """Make a key over several columns hold: unique together, else one member unique alone."""
    field_of = columns_of[table.name.lower()]
    column_of = {f: c for c, f in field_of.items()}

    def as_pattern(name: str) -> dict[str, Any] | None:
        kind = table.columns[column_of[name]].kind if name in column_of else None
        if kind is None or kind.this not in _STRINGS:
            return None
        params = _params(kind)
        spec, _ = _unique_string(name, params[0] if params else None, False, set())
        spec.pop("unique", None)
        return spec if spec["type"] == "pattern" else None

    names = [field_of[c] for c in columns if c in field_of]
    if sql_keys.unique_together(entity, names, links, as_pattern):
        return True
    in_tuples = {n for t in entity.unique for n in t}
    free = {c: f for c, f in field_of.items() if f not in in_tuples}
    return _unique_alone(table, columns, entity.fields, free, what)


def _unique_alone(
    table: Table,
    columns: list[str],
    fields: dict[str, FieldDraft],
    field_of: dict[str, str],
    what: str,
) -> bool:
    """Make one column of a composite key unique on its own, which keeps the key unique.

    For keys whose fields cannot be unique together (a field already in another tuple, a key
    over a part of a composite foreign key). Members are tried in order: already unique, a
    reference (made 1:1), a bounded value, then a text column (made a unique pattern).
    """
    members = [(c, field_of.get(c)) for c in columns]  # fields of unique tuples left out
    drafts = [(c, n, fields[n]) for c, n in members if n is not None]
    if any(d.spec["type"] in ("sequence", "uuid") or d.spec.get("unique") for _, _, d in drafts):
        return True
    note = f"unique on its own so that {what} ({', '.join(columns)}) holds"
    for wanted in (("reference",), ("integer", "date", "datetime", "pattern", "float")):
        for _, _, draft in drafts:
            if draft.spec["type"] in wanted and not draft.spec.get("null_rate"):
                if draft.spec["type"] == "float" and "decimals" not in draft.spec:
                    continue
                draft.spec["unique"] = True
                draft.spec.pop("distribution", None)
                add_description(draft.spec, note)
                return True
    for column, name, draft in drafts:
        kind = table.columns[column].kind
        if draft.spec["type"] in ("reference", "lookup") or kind is None:
            continue
        if kind.this in _STRINGS:
            params = _params(kind)
            spec, _ = _unique_string(column, params[0] if params else None, False, set())
            add_description(spec, draft.spec.get("description"))
            add_description(spec, note)
            fields[name] = FieldDraft(spec)
            return True
    return False


def _capacity(spec: dict[str, Any]) -> int | None:
    """How many distinct values a unique field can take, when the schema bounds it."""
    if not spec.get("unique") and spec["type"] != "sequence":
        return None
    if spec["type"] == "integer":
        return int(spec.get("max", 1_000_000)) - int(spec.get("min", 0)) + 1
    if spec["type"] == "choice":
        return len(spec["values"])
    if spec["type"] == "pattern":
        return pattern_space(spec["pattern"])
    return None


def _fit_counts(entities: dict[str, EntityDraft]) -> None:
    """Counts that the unique fields allow: a TINYINT key holds at most 127 rows, and a 1:1
    reference needs no more rows than its parent."""
    for entity in entities.values():
        for draft in entity.fields.values():
            room = _capacity(draft.spec)
            if room is not None and entity.count is not None:
                entity.count = max(1, min(entity.count, room))
    for _ in range(len(entities) + 1):
        changed = False
        counts = {name: e.count for name, e in entities.items()}
        for entity in entities.values():
            room = sql_keys.tuple_room(entity, counts)
            if room is not None and entity.count is not None and entity.count > room:
                entity.count, changed = max(1, room), True
            for draft in entity.fields.values():
                spec = draft.spec
                if spec["type"] == "reference" and spec.get("unique"):
                    parent = entities[spec["entity"]]
                    known = parent.count is not None and entity.count is not None
                    if known and entity.count > parent.count:  # type: ignore[operator]
                        entity.count, changed = parent.count, True
        if not changed:
            break


def _limits(col: Column) -> dict[str, Any]:
    """A column's own bounds: its CHECKs', else its type's largest value."""
    bounds = _Bounds(col)
    out = {"min": bounds.min, "max": bounds.max, "start": bounds.start, "end": bounds.end}
    kind = col.kind
    if kind is not None and out["max"] is None:
        if kind.this in _INTS:
            out["max"] = _INTS[kind.this]
        elif kind.this in _DECIMALS and _params(kind):
            params = _params(kind)
            scale = params[1] if len(params) > 1 else 0
            out["max"] = declared_decimal.largest(params[0], scale)
    return {k: v for k, v in out.items() if v is not None}


def _derived_read_floats(
    table: Table,
    columns: dict[str, str],
    fields: dict[str, FieldDraft],
    loose: list[tuple[str, Any]],
) -> None:
    """Generated columns and CHECKs between two columns compute with floats: a decimal column
    they read becomes a float rounded to its scale."""
    read = {
        c.name.lower()
        for col in table.columns.values()
        if col.generated is not None
        for c in col.generated.find_all(exp.Column)
    }
    for _, part in loose:
        pair = sql_derived.pair_of(part)
        if pair is not None:
            read |= {pair.high.lower(), pair.low.lower()}
    for column, name in columns.items():
        draft = fields[name]
        if column.lower() in read and draft.spec["type"] == "decimal":
            fields[name] = FieldDraft(declared_decimal.as_float(draft.spec), draft.comment)


def _generated_columns(
    table: Table,
    fields: dict[str, FieldDraft],
    columns: dict[str, str],
    warnings: list[dict[str, Any]],
) -> None:
    """Each generated column as an expression field, or left out with a warning saying why.

    A generated column may read another: rounds go on while one more column compiles.
    """
    names = set(fields)
    pending = [c for c in table.columns.values() if c.generated is not None]
    why: dict[str, str] = {}
    while pending:
        left = []
        for col in pending:
            draft = sql_derived.generated_field(col, columns, fields, _limits(col))
            if isinstance(draft, str):
                why[col.name] = draft
                left.append(col)
                continue
            name = safe_name(col.name, names)
            fields[name] = draft
            columns[col.name] = name
        if len(left) == len(pending):
            break
        pending = left
    for col in pending:
        warnings.append(
            {
                "line": table.line,
                "message": f"{table.name}.{col.name}: generated column left out ({why[col.name]})",
            }
        )


def import_sql(text: str, dialect: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """Our YAML for a SQL script, and warnings (with lines) for what was skipped or lost."""
    parsed = parse_tables(text, dialect)
    tables = parsed.tables
    warnings = list(parsed.warnings)
    taken: set[str] = set()
    entity_of = {t.name.lower(): safe_name(t.name, taken) for t in tables}
    entities: dict[str, EntityDraft] = {}
    columns_of: dict[str, dict[str, str]] = {}  # table -> its columns' field names
    for table in tables:
        fields: dict[str, FieldDraft] = {}
        names: set[str] = set()
        count = PARENT_COUNT
        columns: dict[str, str] = {}
        loose: list[tuple[str, Any]] = []  # CHECK parts no field keeps, and their column
        plain = [c for c in table.columns.values() if c.generated is None]
        for col in table.columns.values():
            if col.generated is not None:
                continue
            draft = _column_draft(col, table, entity_of)
            if draft.dropped is not None:
                warnings.append(
                    {"line": table.line, "message": f"{table.name}.{col.name}: {draft.dropped}"}
                )
            if (
                col.kind is not None
                and col.kind.this in _SERIALS
                and draft.spec["type"] == "integer"
            ):
                draft = FieldDraft({"type": "sequence"})
            type_max = _INTS.get(col.kind.this) if col.kind is not None else None
            if draft.spec["type"] == "sequence" and type_max:
                count = min(count, type_max)  # a sequence counts from 1
            name = safe_name(col.name, names)
            fields[name] = draft
            columns[col.name] = name
            loose.extend((col.name, part) for part in _Bounds(col).unread)
        _derived_read_floats(table, columns, fields, loose)
        limits = {columns[c.name]: _limits(c) for c in plain} if loose else {}
        for column, part in loose:
            pair = sql_derived.pair_of(part)
            if pair is None or not sql_derived.keep_pair(pair, table, columns, fields, limits):
                warnings.append(
                    {
                        "line": table.line,
                        "message": f"{table.name}.{column}: CHECK ({part.sql()}) is kept as "
                        "text, not enforced",
                    }
                )
        _generated_columns(table, fields, columns, warnings)
        columns_of[table.name.lower()] = columns
        entities[entity_of[table.name.lower()]] = EntityDraft(
            fields=fields,
            count=count,
            description=renamed(table.name, entity_of[table.name.lower()]),
        )
    _reference_fields(entities, {entity_of[t]: c for t, c in columns_of.items()})
    links = _link_composite_keys(tables, entities, entity_of, columns_of, warnings)
    table_of = {entity_of[t.name.lower()]: t for t in tables}
    while cycles := _fix_references(entities):
        for entity_name, ref in cycles:
            done = next(x for x in links[entity_name] if x.field == ref)
            sql_keys.unlink(entities[entity_name].fields, done, "a reference cycle")
            links[entity_name].remove(done)
            warnings.append(
                {
                    "line": table_of[entity_name].line,
                    "message": f"{table_of[entity_name].name}: {done.label} is not generated as "
                    "a reference: it would close a reference cycle",
                }
            )
    for table in tables:
        for what, key_columns in [
            ("PRIMARY KEY", table.primary_key),
            *(("UNIQUE", u) for u in table.uniques),
        ]:
            entity_name = entity_of[table.name.lower()]
            if len(key_columns) > 1 and not _unique_key(
                table, key_columns, entities[entity_name], links[entity_name], columns_of, what
            ):
                warnings.append(
                    {
                        "line": table.line,
                        "message": f"{table.name}: {what} ({', '.join(key_columns)}) is not "
                        "enforced: the language cannot make these fields unique together",
                    }
                )
    _fit_counts(entities)
    for table in tables:
        _keep_column_names(entities[entity_of[table.name.lower()]], columns_of[table.name.lower()])
    warnings.sort(key=lambda w: w.get("line") or 0)  # in the order of the script
    header = (
        f"Imported from SQL ({parsed.dialect}). Nullable columns get null_rate {NULL_RATE}; "
        f"every table gets count {PARENT_COUNT} (fewer where a key's type or a 1:1 reference "
        "allows fewer)."
    )
    return render(entities, header), warnings
