"""Columns a SQL script computes from others, said with the language's expressions.

A generated column (``GENERATED ALWAYS AS (...)``, T-SQL's ``name AS (...)``) becomes an
expression field when its SQL, read in the script's dialect and written in the language's
spelling, compiles against the types of the row's fields. A CHECK comparing two columns of a
table (``end_date > start_date``) is kept by computing one of them from the other plus a hidden
random offset that never breaks the comparison.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from typing import Any

import pyarrow as pa
from sqlglot import exp

from pipeline.expressions.compiled import CompiledExpression, compile_expression, evaluate
from pipeline.expressions.errors import ExpressionError
from pipeline.expressions.types import ColumnType
from pipeline.importers.draft import FieldDraft, add_description, safe_name
from pipeline.importers.sql_tables import Column, Table
from pipeline.schema import model as m

# Fields that are a source's generated columns start their description with this: the
# database computes them, so a load leaves them out (it refuses values for them).
GENERATED = "GENERATED ALWAYS AS"

_SPEC_TYPES = {
    "integer": ColumnType.INTEGER,
    "sequence": ColumnType.INTEGER,
    "float": ColumnType.FLOAT,
    "boolean": ColumnType.BOOLEAN,
    "date": ColumnType.DATE,
    "datetime": ColumnType.DATETIME,
    "uuid": ColumnType.STRING,
    "pattern": ColumnType.STRING,
    "template": ColumnType.STRING,
}
_NUMBERS = (ColumnType.INTEGER, ColumnType.FLOAT)
_DAY_SPAN = 365  # offsets in days: up to a year later
_SECOND_SPAN = 30 * 86400  # offsets in seconds: up to thirty days later
_NUMBER_SPAN = 1000  # offsets of unbounded numbers


def computed_by_database(field: m.Field) -> bool:
    """Whether ``field`` is a source's generated column (left out when rows are loaded)."""
    return isinstance(field, m.Expression) and (field.description or "").startswith(GENERATED)


def _spec_type(spec: dict[str, Any]) -> ColumnType:
    if spec["type"] == "choice":
        values = spec["values"]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return ColumnType.INTEGER
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return ColumnType.FLOAT
        return ColumnType.STRING
    if "." in spec["type"]:  # a provider's text
        return ColumnType.STRING
    return _SPEC_TYPES.get(spec["type"], ColumnType.NULL)


def _rename(node: exp.Expression, field_of: dict[str, str]) -> exp.Expression:
    """The expression over the fields' names (columns may have been renamed)."""
    lower = {c.lower(): f for c, f in field_of.items()}

    def rename(part: exp.Expression) -> exp.Expression:
        if isinstance(part, exp.Column):
            return exp.column(lower.get(part.name.lower(), part.name), quoted=True)
        return part

    return node.copy().transform(rename)


def _scale(kind: exp.DataType | None) -> int | None:
    """The scale of a DECIMAL(p, s) column, whose stored values the database rounds."""
    if kind is None or not kind.is_type(*exp.DataType.REAL_TYPES):
        return None
    params = [p.name for p in kind.expressions]
    return int(params[1]) if len(params) > 1 and params[1].isdigit() else None


def generated_field(
    col: Column,
    field_of: dict[str, str],
    fields: dict[str, FieldDraft],
    limits: dict[str, Any],
) -> FieldDraft | str:
    """The expression field of a generated column, or why it cannot be one.

    ``limits`` is the column's largest value (``max``, its type's): when the expression
    reads one number, that number is narrowed so that the database can store the result.
    """
    types = {name: _spec_type(d.spec) for name, d in fields.items()}
    text = _rename(col.generated, field_of).sql(dialect="duckdb")
    try:
        compiled = compile_expression(text, types)
    except ExpressionError as exc:
        return f"its expression ({col.generated_text}) cannot be computed: {exc}"
    if "max" in limits and not _fit_input(compiled, fields, limits["max"], col):
        return f"its values would not fit {col.kind.sql().upper() if col.kind else 'its type'}"
    scale = _scale(col.kind)
    kind = col.kind
    rounded = (
        scale is not None and text.upper().startswith("ROUND(") and text.endswith(f", {scale})")
    )
    if compiled.type is ColumnType.FLOAT and scale is not None and not rounded:
        text = f"round({text}, {scale})"
    elif (
        compiled.type is ColumnType.FLOAT
        and kind is not None
        and kind.is_type(*exp.DataType.INTEGER_TYPES)
    ):
        text = f"cast(round({text}) AS integer)"
    spec: dict[str, Any] = {"type": "expression", "expr": text}
    add_description(spec, f"{GENERATED} ({col.generated_text})")
    if kind is not None:
        add_description(spec, kind.sql().upper())
    return FieldDraft(spec)


def _fit_input(
    compiled: CompiledExpression, fields: dict[str, FieldDraft], most: float, col: Column
) -> bool:
    """Narrow the one number an expression reads so that the result stays within ``most``
    (and ``-most``) at both ends of its range; the expression is taken to be monotonic. False
    when no range of that number fits."""
    numbers = [n for n in compiled.names if _spec_type(fields[n].spec) in _NUMBERS]
    if len(compiled.names) != 1 or len(numbers) != 1:
        return True
    spec = fields[numbers[0]].spec
    if spec["type"] not in ("integer", "float") or "max" not in spec:
        return True
    whole = spec["type"] == "integer"
    lo, hi = spec.get("min", 0), spec["max"]

    def fits(value: float) -> bool:
        kind = pa.int64() if whole else pa.float64()
        out = evaluate(compiled, {numbers[0]: pa.array([value], kind)}).to_pylist()[0]
        return out is None or not isinstance(out, int | float) or abs(out) <= most

    if not fits(lo):
        return False
    if fits(hi):
        return True
    good, bad = float(lo), float(hi)
    for _ in range(60):
        middle = (good + bad) / 2
        good, bad = (middle, bad) if fits(int(middle) if whole else middle) else (good, middle)
    spec["max"] = int(good) if whole else math.floor(good * 100) / 100
    add_description(spec, f"at most {spec['max']} so that {col.name} fits its type")
    return True


# --- CHECKs between two columns -----------------------------------------------------------


@dataclasses.dataclass
class Pair:
    """``high >= low`` (``high > low`` when strict), as a CHECK of the script says it."""

    high: str
    low: str
    strict: bool
    text: str


def pair_of(node: Any) -> Pair | None:
    """The comparison of two columns a CHECK part makes, if it is one."""
    while isinstance(node, exp.Paren):
        node = node.this
    sides = (node.this, node.expression) if isinstance(node, exp.Binary) else (None, None)
    if not all(isinstance(s, exp.Column) for s in sides):
        return None
    left, right = sides[0].name, sides[1].name  # type: ignore[union-attr]
    text = node.sql()
    if left.lower() == right.lower():
        return None
    if isinstance(node, exp.GT | exp.GTE):
        return Pair(left, right, isinstance(node, exp.GT), text)
    if isinstance(node, exp.LT | exp.LTE):
        return Pair(right, left, isinstance(node, exp.LT), text)
    return None


_FAMILIES = {
    ("date", "date"): "day",
    ("datetime", "datetime"): "second",
    ("integer", "integer"): "integer",
    ("integer", "sequence"): "integer",
    ("float", "float"): "float",
    ("float", "integer"): "float",
    ("float", "sequence"): "float",
}


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _range(spec: dict[str, Any], family: str) -> tuple[float | None, float | None]:
    """A field's lowest and highest value, in the offset's unit (days, seconds, or itself)."""
    if family in ("day", "second"):
        unit = 86400 if family == "day" else 1
        ends = [_as_datetime(spec.get(k)) for k in ("start", "end")]
        epoch = dt.datetime(1970, 1, 1)
        lo, hi = ((e - epoch).total_seconds() / unit if e is not None else None for e in ends)
        return lo, hi
    if spec.get("type") == "sequence":
        return 1, None
    return spec.get("min"), spec.get("max")


def _decimals(spec: dict[str, Any]) -> dict[str, Any]:
    return {"decimals": spec["decimals"]} if "decimals" in spec else {}


def _offset(
    family: str, target: dict[str, Any], source: dict[str, Any], strict: bool, up: bool
) -> dict[str, Any] | None:
    """The hidden offset's spec: within its own span, never breaking the target's bounds."""
    decimals = target.get("decimals", 2) if family == "float" else 0
    step = 10**-decimals if family == "float" else 1
    least = step if strict else 0
    src_lo, src_hi = _range(source, family)
    tgt_lo, tgt_hi = _range(target, family)
    if family == "day":
        most: float = _DAY_SPAN
    elif family == "second":
        most = _SECOND_SPAN
    elif src_lo is not None and src_hi is not None and src_hi > src_lo:
        most = min(src_hi - src_lo, _NUMBER_SPAN)
    else:
        most = _NUMBER_SPAN
    # Moving up from the source: the target's lower bound must hold at the source's lowest,
    # its upper bound at the source's highest (and the other way round moving down).
    near, far = (tgt_lo, tgt_hi) if up else (tgt_hi, tgt_lo)
    src_near, src_far = (src_lo, src_hi) if up else (src_hi, src_lo)
    if near is not None:
        if src_near is None:
            return None
        least = max(least, (near - src_near) * (1 if up else -1))
    if far is not None:
        if src_far is None:
            return None
        most = min(most, (far - src_far) * (1 if up else -1))
    if family in ("day", "second", "integer"):
        least, most = -(-least // 1), most // 1
    else:
        scale = 10**decimals
        least, most = math.ceil(round(least * scale, 6)) / scale, math.floor(most * scale) / scale
    if most < least or most <= 0:
        return None
    if family == "float":
        return {"type": "float", "min": least, "max": most, "decimals": decimals}
    return {"type": "integer", "min": int(least), "max": int(most)}


def keep_pair(
    pair: Pair,
    table: Table,
    field_of: dict[str, str],
    fields: dict[str, FieldDraft],
    limits: dict[str, dict[str, Any]],
) -> bool:
    """Compute one column of ``pair`` from the other so that the CHECK holds on every row:
    the later column if it can be, else the earlier; False when neither can.

    ``limits`` holds each field's own bounds (its CHECKs, its type's largest value) as
    ``min``/``max`` or ``start``/``end``: the computed column stays within them.
    """
    order = [c.lower() for c in table.columns]
    names = {c.lower(): f for c, f in field_of.items()}
    high, low = names.get(pair.high.lower()), names.get(pair.low.lower())
    if high is None or low is None:
        return False
    tried = [(high, low, True), (low, high, False)]
    if order.index(pair.high.lower()) < order.index(pair.low.lower()):
        tried.reverse()
    for target, source, up in tried:
        done = _computed(pair, fields, target, source, up, limits.get(target, {}))
        if done is not None:
            offset_name = safe_name(f"{target}_offset", set(fields))
            rebuilt: dict[str, FieldDraft] = {}
            for name, draft in fields.items():
                if name == target:
                    rebuilt[offset_name] = FieldDraft(done[0])
                    rebuilt[name] = done[1]
                else:
                    rebuilt[name] = draft
            fields.clear()
            fields.update(rebuilt)
            return True
    return False


def _lower_source(
    family: str, bounds: dict[str, Any], source: dict[str, Any], pair: Pair
) -> dict[str, Any] | None:
    """When the source's values reach above what the target may hold (an INTEGER start, a
    SMALLINT end), keep the source to the lower half of the room, and the offset to the
    rest; None when the source cannot be lowered that far."""
    if source["type"] not in ("integer", "float") or "max" not in bounds:
        return None
    low = source.get("min", 0)
    room = bounds["max"] - max(low, bounds.get("min", low))
    if room <= 0:
        return None
    top = low + room / 2
    top = int(top) if source["type"] == "integer" else math.floor(top * 100) / 100
    lowered = {**source, "max": top}
    offset = _offset(family, bounds, lowered, pair.strict, True)
    if offset is not None:
        source["max"] = top
        add_description(source, f"at most {top} so that CHECK ({pair.text}) holds")
    return offset


def _depends_on(fields: dict[str, FieldDraft], name: str, other: str) -> bool:
    """Whether field ``name`` is computed, directly or not, from field ``other``."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        spec = fields[current].spec
        if current == other:
            return True
        if current in seen or spec["type"] != "expression":
            continue
        seen.add(current)
        todo.extend(n for n in re.findall(r'"([^"]+)"', spec["expr"]) if n in fields)
    return False


def _computed(
    pair: Pair,
    fields: dict[str, FieldDraft],
    target: str,
    source: str,
    up: bool,
    limits: dict[str, Any],
) -> tuple[dict[str, Any], FieldDraft] | None:
    """The hidden offset and the expression of ``target``, or None when it cannot be so."""
    tspec, sspec = fields[target].spec, fields[source].spec
    family = _FAMILIES.get((tspec["type"], sspec["type"]))
    if family is None or tspec.get("unique") or tspec.get("hidden"):
        return None
    if sspec.get("null_rate") and not tspec.get("null_rate"):
        return None  # the target would be null where the source is: NOT NULL would break
    if _depends_on(fields, source, target):
        return None
    bounds = {**limits, **_decimals(tspec)}
    offset = _offset(family, bounds, sspec, pair.strict, up)
    if offset is None and up and family in ("integer", "float"):
        offset = _lower_source(family, bounds, sspec, pair)
    if offset is None:
        return None
    offset_name = safe_name(f"{target}_offset", set(fields))
    sign = "+" if up else "-"
    step = {"day": " * INTERVAL 1 DAY", "second": " * INTERVAL 1 SECOND"}.get(family, "")
    expr = f'"{source}" {sign} "{offset_name}"{step}'
    if family == "float":
        expr = f"round({expr}, {offset['decimals']})"
    offset["hidden"] = True
    offset["description"] = f"keeps CHECK ({pair.text})"
    spec: dict[str, Any] = {"type": "expression", "expr": expr}
    add_description(spec, f"computed so that CHECK ({pair.text}) holds")
    for note in (tspec.get("description") or "").split("; "):
        if note and not note.startswith("CHECK ("):
            add_description(spec, note)
    return offset, FieldDraft(spec)
