"""Arithmetic: + - * / // % and negation, on numbers (dates and intervals are in intervals.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions import intervals
from pipeline.expressions.nodes import (
    NO_LITERAL,
    Checker,
    IntervalKind,
    Node,
    handles,
    sql_of,
)
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, on_numpy, typed

_B, _I, _F, _NULL = ColumnType.BOOLEAN, ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.NULL
_WORDS = {
    exp.Add: "plus",
    exp.Sub: "minus",
    exp.Mul: "times",
    exp.Div: "divided by",
    exp.IntDiv: "divided by",
    exp.Mod: "modulo",
}


def _nonzero(value: Datum) -> Datum:
    """The divisor with zeros as nulls: dividing by zero gives null, never an error."""
    if isinstance(value, pa.Scalar):
        return value if value.as_py() != 0 else pa.scalar(None, value.type)
    return pc.if_else(pc.equal(value, 0), pa.scalar(None, value.type), value)


def _float_divide(a: Datum, b: Datum) -> Datum:
    return pc.divide(a, _nonzero(b))


def _int_divide(a: Datum, b: Datum) -> Datum:
    return pc.divide_checked(a, _nonzero(b))


def _float_int_divide(a: Datum, b: Datum) -> Datum:
    return pc.trunc(pc.divide(a, _nonzero(b)))


def _modulo(out: pa.DataType) -> Callable[[Datum, Datum], Datum]:
    def run(a: Datum, b: Datum) -> Datum:
        return on_numpy(np.fmod, out, a, _nonzero(b), fill=1)

    return run


_INTEGER_OPS: dict[type, Callable[[Datum, Datum], Datum]] = {
    exp.Add: pc.add_checked,
    exp.Sub: pc.subtract_checked,
    exp.Mul: pc.multiply_checked,
    exp.IntDiv: _int_divide,
    exp.Mod: _modulo(pa.int64()),
}
_FLOAT_OPS: dict[type, Callable[[Datum, Datum], Datum]] = {
    exp.Add: pc.add,
    exp.Sub: pc.subtract,
    exp.Mul: pc.multiply,
    exp.Div: _float_divide,
    exp.IntDiv: _float_int_divide,
    exp.Mod: _modulo(pa.float64()),
}


@handles(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod)
def _arithmetic(checker: Checker, expression: exp.Binary) -> Node | None:
    left, right = checker.node(expression.this), checker.node(expression.expression)
    if left is None or right is None:
        return None
    sql = sql_of(expression)
    kinds = {left.kind, right.kind}
    if any(isinstance(k, IntervalKind) or k.is_temporal for k in kinds):
        return intervals.arithmetic(checker, expression, left, right)
    if not all(k is _NULL or k.is_numeric for k in kinds if isinstance(k, ColumnType)):
        hint = " (join text with ||)" if ColumnType.STRING in kinds else ""
        word = _WORDS[type(expression)]
        checker.fail(
            f"cannot compute {left.kind.article} {word} {right.kind.article} in '{sql}'{hint}"
        )
        return None
    whole = kinds <= {_I, _NULL} and type(expression) is not exp.Div
    kind = _I if whole else _F
    action = (_INTEGER_OPS if whole else _FLOAT_OPS)[type(expression)]

    def run(batch: Batch) -> Datum:
        return action(typed(left.datum(batch), kind), typed(right.datum(batch), kind))

    literal = _folded(left, right, kind, action)
    return Node(kind, run, sql, literal)


def _folded(
    left: Node, right: Node, kind: ColumnType, action: Callable[[Datum, Datum], Datum]
) -> object:
    """The value of an operation on two written numbers, so ``round(x, -2)`` and ``-1`` can
    serve as options."""
    if not all(
        isinstance(n.literal, int | float) and not isinstance(n.literal, bool)
        for n in (left, right)
    ):
        return NO_LITERAL
    result = action(pa.scalar(left.literal, kind.arrow), pa.scalar(right.literal, kind.arrow))
    return result.as_py()


@handles(exp.Neg)
def _negate(checker: Checker, expression: exp.Neg) -> Node | None:
    inner = checker.node(expression.this)
    if inner is None:
        return None
    if isinstance(inner.kind, IntervalKind):
        return intervals.negate(inner, sql_of(expression))
    if not (inner.kind.is_numeric or inner.kind is _NULL):
        checker.fail(f"cannot negate {inner.kind.article} in '{sql_of(expression)}'")
        return None
    kind = inner.kind
    literal = -inner.literal if isinstance(inner.literal, int | float) else inner.literal

    def run(batch: Batch) -> Datum:
        value = inner.datum(batch)
        return value if kind is _NULL else pc.negate_checked(value)

    return Node(kind, run, sql_of(expression), literal)
