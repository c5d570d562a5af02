"""coalesce, nullif, least, greatest and the numeric functions abs, round, floor, ceil; and
the functions sqlglot does not know by name (date_part)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions import dates
from pipeline.expressions.nodes import (
    Checker,
    IntervalKind,
    Node,
    handles,
    literal_int,
    literal_str,
    spoken,
    sql_of,
    unify,
)
from pipeline.expressions.predicates import comparable
from pipeline.expressions.rounding import round_float
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, Value, typed

_I, _F, _NULL = ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.NULL


def _arguments(checker: Checker, expression: exp.Func) -> list[Node] | None:
    written = [expression.this, *expression.expressions]
    nodes = [checker.node(argument) for argument in written if argument is not None]
    found = [n for n in nodes if n is not None]
    return found if len(found) == len(nodes) else None


def _one_type(checker: Checker, nodes: list[Node], name: str, sql: str) -> ColumnType | None:
    kind = unify(n.kind for n in nodes)
    if kind is None:
        listed = spoken(sorted({n.kind.article for n in nodes}))
        checker.fail(f"the arguments of {name} must be of one type, not {listed}, in '{sql}'")
    return kind


@handles(exp.Coalesce)
def _coalesce(checker: Checker, expression: exp.Coalesce) -> Node | None:
    nodes, sql = _arguments(checker, expression), sql_of(expression)
    if nodes is None:
        return None
    kind = _one_type(checker, nodes, "coalesce", sql)
    if kind is None:
        return None
    if len(nodes) == 1:
        return Node(kind, nodes[0].run, sql)

    def run(batch: Batch) -> Value:
        return pc.coalesce(*(typed(n.datum(batch), kind) for n in nodes))

    return Node(kind, run, sql)


@handles(exp.Nullif)
def _nullif(checker: Checker, expression: exp.Nullif) -> Node | None:
    value, other = checker.node(expression.this), checker.node(expression.expression)
    sql = sql_of(expression)
    if value is None or other is None:
        return None
    sides = comparable(checker, value, other, sql)
    if sides is None:
        return None
    a, b, kind = sides
    out = value.column_kind

    def run(batch: Batch) -> Value:
        same = pc.fill_null(
            pc.equal(typed(a.datum(batch), kind), typed(b.datum(batch), kind)), False
        )
        return pc.if_else(same, pa.scalar(None, out.arrow), value.datum(batch))

    return Node(out, run, sql)


def _extreme(action: Callable[..., Datum], name: str) -> Callable[[Checker, exp.Func], Node | None]:
    def handler(checker: Checker, expression: exp.Func) -> Node | None:
        nodes, sql = _arguments(checker, expression), sql_of(expression)
        if nodes is None:
            return None
        kind = _one_type(checker, nodes, name, sql)
        if kind is None:
            return None
        if kind is _NULL:
            return Node(kind, lambda batch: pa.scalar(None), sql)
        if kind is ColumnType.BOOLEAN:
            checker.fail(
                f"{name} compares numbers, text, dates or datetimes, not booleans, in '{sql}'"
            )
            return None

        def run(batch: Batch) -> Value:
            # Like DuckDB and PostgreSQL, nulls are skipped: null only when all are null.
            return action(*(typed(n.datum(batch), kind) for n in nodes), skip_nulls=True)

        return Node(kind, run, sql)

    return handler


handles(exp.Least)(_extreme(pc.min_element_wise, "least"))
handles(exp.Greatest)(_extreme(pc.max_element_wise, "greatest"))


def _number(checker: Checker, expression: exp.Expr, name: str) -> Node | None:
    found = checker.node(expression)
    if found is None:
        return None
    if isinstance(found.kind, IntervalKind) or not (found.kind.is_numeric or found.kind is _NULL):
        checker.fail(f"{name} takes a number, but '{found.sql}' is {found.kind.article}")
        return None
    return found


@handles(exp.Abs)
def _abs(checker: Checker, expression: exp.Abs) -> Node | None:
    value = _number(checker, expression.this, "abs")
    if value is None:
        return None
    kind = value.column_kind
    return Node(
        kind, lambda batch: pc.abs_checked(typed(value.datum(batch), kind)), sql_of(expression)
    )


@handles(exp.Round)
def _round(checker: Checker, expression: exp.Round) -> Node | None:
    value = _number(checker, expression.this, "round")
    digits_at = expression.args.get("decimals")
    digits_node = checker.node(digits_at) if digits_at is not None else None
    digits = literal_int(checker, digits_node, "the decimals of round") if digits_node else 0
    if value is None or digits is None:
        return None
    kind = value.column_kind
    if kind is _I and digits >= 0:
        return Node(kind, value.run, sql_of(expression))

    def run(batch: Batch) -> Value:
        number = typed(value.datum(batch), kind)
        if kind is _I:
            return pc.round(number, digits, round_mode="half_towards_infinity")
        return round_float(number, digits)

    return Node(kind, run, sql_of(expression))


def _whole(
    action: Callable[[Datum], Datum], name: str
) -> Callable[[Checker, exp.Func], Node | None]:
    def handler(checker: Checker, expression: exp.Func) -> Node | None:
        value = _number(checker, expression.this, name)
        if value is None:
            return None
        kind = value.column_kind
        if kind is not _F:
            return Node(kind, value.run, sql_of(expression))
        return Node(kind, lambda batch: action(value.datum(batch)), sql_of(expression))

    return handler


handles(exp.Floor)(_whole(pc.floor, "floor"))
handles(exp.Ceil)(_whole(pc.ceil, "ceil"))


def _date_part(checker: Checker, expression: exp.Anonymous) -> Node | None:
    sql = sql_of(expression)
    arguments = list(expression.expressions)
    if len(arguments) != 2:
        checker.fail(f"date_part takes a part and a date in '{sql}'")
        return None
    part_node = checker.node(arguments[0])
    part = literal_str(checker, part_node, "the part of date_part") if part_node else None
    if part is None:
        return None
    return dates.extract(checker, part.upper(), arguments[1], sql)


# Functions sqlglot leaves anonymous, by the name they are written with.
BY_NAME: dict[str, Callable[[Checker, exp.Anonymous], Node | None]] = {
    "date_part": _date_part,
    "datepart": _date_part,
}
