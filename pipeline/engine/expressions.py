"""Fields computed from the other fields of their row: ``expression``, ``cases`` and any
field's ``when:``.

The expressions were compiled with the schema (``pipeline.schema.computed``); here they are
evaluated over a frame's columns. The fields they read come from the frame, which makes each
one (and caches it) on first use, so the row's fields are computed in dependency order
whatever their order of declaration. Nothing here draws randomness: adding an expression or a
condition leaves every other field's values as they were.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, apply_nulls
from pipeline.expressions import (
    ColumnType,
    CompiledExpression,
    ExpressionError,
    evaluate,
    evaluate_condition,
)
from pipeline.schema.computed import branches
from pipeline.schema.model import Cases, Expression, Field

# Below this many rows, working out a column's distinct values costs more than it saves.
_FEW_ROWS = 1024


def _inputs(frame: Frame, compiled: CompiledExpression) -> dict[str, pa.Array]:
    return {name: frame.column(name) for name in compiled.names}


def _evaluate(compiled: CompiledExpression, data: dict[str, pa.Array], rows: int) -> pa.Array:
    if compiled.kind == "condition":
        return evaluate_condition(compiled, data, rows=rows)
    return evaluate(compiled, data, rows=rows)


def _distinct(values: pa.Array) -> tuple[pa.Array, pa.Array] | None:
    """(every value, the index of each row's value in it) when a column without nulls holds few
    distinct values: a pool's, or whole numbers or days in a range much shorter than the column
    (ages, dates of a few years); None otherwise."""
    if values.null_count:
        return None
    if isinstance(values, pa.DictionaryArray):
        return values.dictionary, values.indices
    whole = pa.types.is_integer(values.type) or pa.types.is_date32(values.type)
    if not whole or len(values) < _FEW_ROWS:
        return None
    days = pa.types.is_date32(values.type)
    numbers = values.cast(pa.int32()).cast(pa.int64()) if days else values
    bounds = pc.min_max(numbers)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if (high - low + 1) * 4 > len(values):
        return None
    every = pa.array(np.arange(low, high + 1, dtype=np.int64))
    if days:
        every = every.cast(pa.int32())
    return every.cast(values.type), pc.subtract(numbers, pa.scalar(low, pa.int64()))


def _combinations(
    frame: Frame, compiled: CompiledExpression
) -> tuple[dict[str, pa.Array], pa.Array, int] | None:
    """Every combination of the values of the columns an expression reads, and the index of
    each row's combination, when they are few (a condition over a choice and an age, say);
    None otherwise."""
    if not 1 <= len(compiled.names) <= 3:
        return None
    found = []
    for name in compiled.names:
        distinct = _distinct(frame.encoded(name))
        if distinct is None:
            return None
        found.append(distinct)
    sizes = [len(every) for every, _ in found]
    if len(found) > 1 and int(np.prod(sizes)) * 4 > frame.n:
        return None
    # Row-major over the columns: combination k takes value (k // stride) % size of each.
    total = int(np.prod(sizes))
    strides = np.cumprod([1, *sizes[::-1]])[::-1][1:]
    combos = np.arange(total, dtype=np.int64)
    every = {
        name: values.take(pa.array((combos // stride) % size))
        for name, (values, _), stride, size in zip(
            compiled.names, found, strides, sizes, strict=True
        )
    }
    index = np.zeros(frame.n, dtype=np.int64)
    for (_, rows), stride in zip(found, strides, strict=True):
        index += np.asarray(rows.to_numpy(zero_copy_only=False), dtype=np.int64) * int(stride)
    return every, pa.array(index), total


def _run(frame: Frame, path: str, compiled: CompiledExpression | None, what: str) -> pa.Array:
    if compiled is None:
        raise EngineError(f"{path}: the {what} cannot be used (the schema was not validated)")
    try:
        combined = _combinations(frame, compiled)
        if combined is not None:
            # A pure function of few-valued columns: computed once per combination of their
            # values, then spread to the rows.
            every, index, total = combined
            return _evaluate(compiled, every, total).take(index)
        return _evaluate(compiled, _inputs(frame, compiled), frame.n)
    except ExpressionError as error:
        raise EngineError(f"{path}: {error}") from None


def gen_expression(frame: Frame, path: str, spec: Expression) -> pa.Array:
    computed = frame.job.field(path).computed
    return _run(frame, path, computed.expression if computed else None, "expression")


def gen_cases(frame: Frame, path: str, spec: Cases) -> pa.Array:
    at = frame.job.field(path)
    conditions = at.computed.cases if at.computed else ()
    values = [frame.column(branch) for branch, _, _ in branches(path, spec)]
    kind = at.column_type.arrow
    if at.column_type is ColumnType.NULL:
        kind = next((v.type for v in values if not pa.types.is_null(v.type)), pa.null())
    try:
        values = [v if v.type == kind else v.cast(kind) for v in values]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        # Only data bound at job time (providers) can disagree here; the schema was checked.
        raise EngineError(f"{path}: the branches of cases give different types: {error}") from None
    result = values[-1] if spec.else_ is not None else pa.nulls(frame.n, kind)
    # From the last branch to the first, so the first branch that holds has the last word.
    for i in range(len(spec.cases) - 1, -1, -1):
        compiled = conditions[i] if i < len(conditions) else None
        holds = _run(frame, f"{path}.cases[{i}].when", compiled, "condition")
        result = pc.if_else(holds, values[i], result)
    return result


def with_condition(frame: Frame, path: str, spec: Field, values: pa.Array) -> pa.Array:
    """The values, null in the rows where the field's ``when:`` does not hold."""
    computed = frame.job.field(path).computed
    holds = _run(frame, f"{path}.when", computed.condition if computed else None, "condition")
    return apply_nulls(values, ~np.asarray(holds.to_numpy(zero_copy_only=False), dtype=bool))
