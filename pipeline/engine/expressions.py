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


def _inputs(frame: Frame, compiled: CompiledExpression) -> dict[str, pa.Array]:
    return {name: frame.column(name) for name in compiled.names}


def _evaluate(compiled: CompiledExpression, data: dict[str, pa.Array], rows: int) -> pa.Array:
    if compiled.kind == "condition":
        return evaluate_condition(compiled, data, rows=rows)
    return evaluate(compiled, data, rows=rows)


def _run(frame: Frame, path: str, compiled: CompiledExpression | None, what: str) -> pa.Array:
    if compiled is None:
        raise EngineError(f"{path}: the {what} cannot be used (the schema was not validated)")
    try:
        if len(compiled.names) == 1:
            values = frame.encoded(compiled.names[0])
            if isinstance(values, pa.DictionaryArray) and values.null_count == 0:
                # A pure function of one pooled column: computed once per pool value.
                pool = values.dictionary
                per_value = _evaluate(compiled, {compiled.names[0]: pool}, len(pool))
                return per_value.take(values.indices)
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
    values = [v if v.type == kind else v.cast(kind) for v in values]
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
