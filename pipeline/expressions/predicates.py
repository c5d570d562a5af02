"""Comparisons, AND OR NOT, IS, IN, BETWEEN and CASE."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions import casts, intervals
from pipeline.expressions.nodes import (
    NO_LITERAL,
    Checker,
    IntervalKind,
    Node,
    handles,
    spoken,
    sql_of,
    unify,
)
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, Value, typed

_B, _I, _F, _NULL = ColumnType.BOOLEAN, ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.NULL


def comparable(
    checker: Checker, left: Node, right: Node, sql: str
) -> tuple[Node, Node, ColumnType] | None:
    """Both sides in one type, ready for ``pc.equal`` and the like, or None with a problem.

    Text written next to a date or datetime is read as one (``signup >= '2024-01-01'``).
    """
    if isinstance(left.kind, IntervalKind) or isinstance(right.kind, IntervalKind):
        checker.fail(f"intervals cannot be compared in '{sql}'")
        return None
    for one, other in ((left, right), (right, left)):
        if isinstance(one.literal, str) and intervals.is_temporal(other.kind):
            converted = casts.temporal_literal(checker, one, other.column_kind, one.sql)
            if converted is None:
                return None
            left, right = (converted, other) if one is left else (other, converted)
            break
    kind = unify([left.kind, right.kind])
    if kind is None:
        checker.fail(f"cannot compare {left.kind.article} with {right.kind.article} in '{sql}'")
        return None
    return left, right, kind


_COMPARISONS: dict[type, Callable[[Datum, Datum], Datum]] = {
    exp.EQ: pc.equal,
    exp.NEQ: pc.not_equal,
    exp.LT: pc.less,
    exp.LTE: pc.less_equal,
    exp.GT: pc.greater,
    exp.GTE: pc.greater_equal,
}


@handles(*_COMPARISONS)
def _compare(checker: Checker, expression: exp.Binary) -> Node | None:
    left, right = checker.node(expression.this), checker.node(expression.expression)
    if left is None or right is None:
        return None
    sides = comparable(checker, left, right, sql_of(expression))
    if sides is None:
        return None
    a, b, kind = sides
    action = _COMPARISONS[type(expression)]
    if kind is _NULL:
        return Node(_B, lambda batch: pa.scalar(None, pa.bool_()), sql_of(expression))

    def run(batch: Batch) -> Datum:
        return action(typed(a.datum(batch), kind), typed(b.datum(batch), kind))

    return Node(_B, run, sql_of(expression))


def true_only(value: Datum) -> Datum:
    """A condition with null read as false (as WHEN and WHERE read it)."""
    if isinstance(value, pa.Array) and value.null_count == 0:
        return value
    return pc.fill_null(value, False)


def condition(checker: Checker, expression: exp.Expr, role: str) -> Node | None:
    """A sub-expression that must be true or false (an operand of AND, a WHEN...)."""
    found = checker.node(expression)
    if found is None:
        return None
    if found.kind not in (_B, _NULL):
        checker.fail(f"{role} must be true or false, but '{found.sql}' is {found.kind.article}")
        return None
    return found


@handles(exp.And, exp.Or)
def _logic(checker: Checker, expression: exp.Binary) -> Node | None:
    word = "AND" if isinstance(expression, exp.And) else "OR"
    left = condition(checker, expression.this, f"each side of {word}")
    right = condition(checker, expression.expression, f"each side of {word}")
    if left is None or right is None:
        return None
    action = pc.and_kleene if word == "AND" else pc.or_kleene

    def run(batch: Batch) -> Datum:
        return action(typed(left.datum(batch), _B), typed(right.datum(batch), _B))

    return Node(_B, run, sql_of(expression))


@handles(exp.Not)
def _not(checker: Checker, expression: exp.Not) -> Node | None:
    inner = condition(checker, expression.this, "the operand of NOT")
    if inner is None:
        return None
    return Node(_B, lambda batch: pc.invert(typed(inner.datum(batch), _B)), sql_of(expression))


@handles(exp.Is)
def _is(checker: Checker, expression: exp.Is) -> Node | None:
    inner = checker.node(expression.this)
    target = expression.expression
    if inner is None:
        return None
    if isinstance(target, exp.Null):
        return Node(_B, lambda batch: pc.is_null(inner.datum(batch)), sql_of(expression))
    if isinstance(target, exp.Boolean) and inner.kind in (_B, _NULL):
        wanted = bool(target.this)

        def run(batch: Batch) -> Datum:
            same = pc.equal(typed(inner.datum(batch), _B), wanted)
            return pc.fill_null(same, False)

        return Node(_B, run, sql_of(expression))
    checker.fail(f"'{sql_of(expression)}' is not supported: use IS NULL, IS TRUE or IS FALSE")
    return None


@handles(exp.In)
def _in(checker: Checker, expression: exp.In) -> Node | None:
    subject = checker.node(expression.this)
    items = [checker.node(item) for item in expression.expressions]
    sql = sql_of(expression)
    if subject is None or any(item is None for item in items):
        return None
    if not items:
        checker.fail(f"IN needs at least one value in '{sql}'")
        return None
    pairs = [comparable(checker, subject, item, sql) for item in items if item is not None]
    if any(pair is None for pair in pairs):
        return None
    checked = [pair for pair in pairs if pair is not None]
    kind = unify(k for _, _, k in checked)
    if kind is None:
        checker.fail(f"the values of IN must be of one type in '{sql}'")
        return None
    constants = [right.literal for _, right, _ in checked]
    if len(constants) > _FEW and all(c is not NO_LITERAL for c in constants):
        return _in_constants(subject, constants, kind, sql)

    def run(batch: Batch) -> Datum:
        # Each equality is null where either side is, and OR's three-valued logic then gives
        # SQL's IN: true on a match, else null if anything was null, else false.
        value = typed(subject.datum(batch), kind)
        found: Datum | None = None
        for _, right, _ in checked:
            same = pc.equal(value, typed(right.datum(batch), kind))
            found = same if found is None else pc.or_kleene(found, same)
        assert found is not None
        return found

    return Node(_B, run, sql)


# Up to this many values, IN compares with each in turn: cheaper than hashing every row.
_FEW = 8


def _in_constants(subject: Node, constants: list[object], kind: ColumnType, sql: str) -> Node:
    """``x IN (1, 2, 3)``: one hash lookup per row, with SQL's nulls (a NULL in the list makes
    a miss unknown, and a null subject is unknown)."""
    present = [c for c in constants if c is not None]
    values = pa.array(present, type=kind.arrow if kind is not _NULL else None)
    has_null = len(present) < len(constants)

    def run(batch: Batch) -> Datum:
        value = typed(subject.datum(batch), kind)
        hit = pc.is_in(value, value_set=values)
        unknown = pc.is_null(value)
        if has_null:
            unknown = pc.or_(unknown, pc.invert(hit))
        return pc.if_else(unknown, pa.scalar(None, pa.bool_()), hit)

    return Node(_B, run, sql)


@handles(exp.Between)
def _between(checker: Checker, expression: exp.Between) -> Node | None:
    subject = checker.node(expression.this)
    low, high = checker.node(expression.args["low"]), checker.node(expression.args["high"])
    sql = sql_of(expression)
    if subject is None or low is None or high is None:
        return None
    lower, upper = comparable(checker, subject, low, sql), comparable(checker, subject, high, sql)
    if lower is None or upper is None:
        return None

    def run(batch: Batch) -> Datum:
        a, lo, ka = lower
        b, hi, kb = upper
        above = pc.greater_equal(typed(a.datum(batch), ka), typed(lo.datum(batch), ka))
        below = pc.less_equal(typed(b.datum(batch), kb), typed(hi.datum(batch), kb))
        return pc.and_kleene(above, below)

    return Node(_B, run, sql)


@handles(exp.Case)
def _case(checker: Checker, expression: exp.Case) -> Node | None:
    sql = sql_of(expression)
    subject = checker.node(expression.this) if expression.this is not None else None
    branches: list[tuple[Node, Node]] = []
    failed = expression.this is not None and subject is None
    for branch in expression.args.get("ifs") or []:
        if subject is not None:
            when = _equals(checker, subject, branch.this, sql)
        else:
            when = condition(checker, branch.this, "the condition of WHEN")
        then = checker.node(branch.args["true"])
        if when is None or then is None:
            failed = True
            continue
        branches.append((when, then))
    default = expression.args.get("default")
    otherwise = checker.node(default) if default is not None else None
    if failed or (default is not None and otherwise is None):
        return None
    results = [then for _, then in branches] + ([otherwise] if otherwise else [])
    kind = unify(r.kind for r in results)
    if kind is None:
        listed = spoken(sorted({r.kind.article for r in results}))
        checker.fail(f"the results of CASE must be of one type, not {listed}, in '{sql}'")
        return None

    if kind is not _NULL and all(r.literal is not NO_LITERAL for r in results):
        return _case_of_constants(branches, otherwise is not None, results, kind, sql)

    def run(batch: Batch) -> Value:
        result = typed(otherwise.datum(batch), kind) if otherwise else pa.scalar(None, kind.arrow)
        for when, then in reversed(branches):
            holds = true_only(typed(when.datum(batch), _B))
            result = pc.if_else(holds, typed(then.datum(batch), kind), result)
        return result

    return Node(kind, run, sql)


def _case_of_constants(
    branches: list[tuple[Node, Node]],
    has_else: bool,
    results: list[Node],
    kind: ColumnType,
    sql: str,
) -> Node:
    """A CASE whose results are all written out: pick each row's branch number, then take the
    results by number (cheaper than carrying texts through every branch)."""
    table = pa.array([r.literal for r in results], type=kind.arrow)
    width = pa.int8() if len(results) < 127 else pa.int32()
    fallback = pa.scalar(len(branches) if has_else else None, width)
    numbers = [pa.scalar(k, width) for k in range(len(branches))]

    def run(batch: Batch) -> Value:
        index: Datum = fallback
        for number, (when, _) in reversed(list(zip(numbers, branches, strict=True))):
            holds = true_only(typed(when.datum(batch), _B))
            if isinstance(index, pa.Scalar) and index.is_valid and isinstance(holds, pa.Array):
                # Between two numbers, arithmetic on the 0/1 of the condition beats if_else,
                # whose speed depends on how the condition's values are mixed.
                step = pa.scalar(number.as_py() - index.as_py(), width)
                index = pc.add(pc.multiply(holds.cast(width), step), index)
            else:
                index = pc.if_else(holds, number, index)
        if isinstance(index, pa.Scalar):
            return table[index.as_py()] if index.is_valid else pa.scalar(None, kind.arrow)
        return pc.take(table, index)

    return Node(kind, run, sql)


def _equals(checker: Checker, subject: Node, value: exp.Expr, sql: str) -> Node | None:
    other = checker.node(value)
    if other is None:
        return None
    sides = comparable(checker, subject, other, sql)
    if sides is None:
        return None
    a, b, kind = sides
    return Node(
        _B, lambda batch: pc.equal(typed(a.datum(batch), kind), typed(b.datum(batch), kind)), sql
    )
