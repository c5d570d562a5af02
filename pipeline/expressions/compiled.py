"""The public face: compile an expression, order several, evaluate over a batch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.expressions.compiler import TOO_DEEP, Compiler, parse
from pipeline.expressions.errors import ExpressionError, Problem
from pipeline.expressions.nodes import IntervalKind, Node
from pipeline.expressions.predicates import true_only
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Columns, broadcast, typed

ExpressionKind = Literal["value", "condition"]
# What a condition may give: true or false, or a bare NULL (never true).
_TRUTH = (ColumnType.BOOLEAN, ColumnType.NULL)


@dataclass(frozen=True)
class CompiledExpression:
    """A checked expression: the fields it reads, its output type, and its steps.

    ``names`` lists the fields read (nested members as ``address.city``) in order of first
    appearance. Pickled, it travels as its text and column types and is compiled again.
    """

    text: str
    names: tuple[str, ...]
    type: ColumnType
    kind: ExpressionKind
    columns: tuple[tuple[str, ColumnType], ...] = field(repr=False)
    root: Node = field(repr=False, compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_recompile, (self.text, self.columns, self.kind))


def _recompile(
    text: str, columns: tuple[tuple[str, ColumnType], ...], kind: ExpressionKind
) -> CompiledExpression:
    return compile_expression(text, dict(columns), kind=kind)


def compile_expression(
    text: str, columns: Mapping[str, ColumnType], *, kind: ExpressionKind = "value"
) -> CompiledExpression:
    """Parse and check ``text`` against the types of the fields it may read.

    Raises ``ExpressionError`` with every problem found: unknown names (with suggestions),
    refused functions, type mismatches, a condition that is not true or false.
    """
    tree, problems = parse(text)
    if tree is None:
        raise ExpressionError(problems)
    compiler = Compiler(columns)
    try:
        root = compiler.node(tree)
    except RecursionError:
        raise ExpressionError([Problem(TOO_DEEP)]) from None
    problems = compiler.problems
    if root is not None and isinstance(root.kind, IntervalKind):
        problems.append(
            Problem(
                "an interval is not a value: add it to a date or datetime ('d + INTERVAL 1 DAY')"
            )
        )
    elif root is not None and kind == "condition" and root.kind not in _TRUTH:
        problems.append(
            Problem(f"a condition must be true or false, but '{text}' is {root.kind.article}")
        )
    if problems or root is None:
        raise ExpressionError(problems or [Problem(f"'{text}' cannot be used")])
    out = ColumnType.BOOLEAN if kind == "condition" else root.column_kind
    return CompiledExpression(
        text=text,
        names=tuple(compiler.names),
        type=out,
        kind=kind,
        columns=tuple((name, columns[name]) for name in compiler.names),
        root=root,
    )


def evaluate(
    compiled: CompiledExpression,
    data: Columns,
    *,
    rows: int | None = None,
    pools: Mapping[str, pa.DictionaryArray] | None = None,
) -> pa.Array:
    """The expression's values for every row of ``data``, as an array of its Arrow type.

    ``data`` is a table, a record batch, or a mapping of field names to arrays (the columns
    made so far in a block); ``rows`` is needed only for a mapping with no columns. ``pools``
    may give some of the columns as dictionary arrays too (the same values, as indices into a
    pool), which some steps compute faster from.
    """
    batch = Batch(data, rows, pools)
    try:
        value = typed(compiled.root.datum(batch), compiled.type)
    except KeyError as missing:
        raise ExpressionError(
            [Problem(f"'{compiled.text}' reads the field {missing} that the batch does not have")]
        ) from None
    except RecursionError:
        raise ExpressionError([Problem(TOO_DEEP)]) from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise ExpressionError([Problem(f"cannot compute '{compiled.text}': {error}")]) from None
    return broadcast(value, batch.rows)


def evaluate_condition(
    compiled: CompiledExpression,
    data: Columns,
    *,
    rows: int | None = None,
    pools: Mapping[str, pa.DictionaryArray] | None = None,
) -> pa.Array:
    """A boolean mask with no nulls: true where the condition holds, false where it is false
    or null (as ``WHERE`` and ``when:`` read it)."""
    return true_only(evaluate(compiled, data, rows=rows, pools=pools))


def null_unless(values: pa.Array, mask: pa.Array) -> pa.Array:
    """The values where the mask is true, null elsewhere (a field's ``when:``)."""
    return pc.if_else(mask, values, pa.scalar(None, values.type))
