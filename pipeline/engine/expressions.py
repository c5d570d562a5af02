"""Fields computed from the other fields of their row: ``expression``, ``cases`` and any
field's ``when:``.

The expressions were compiled with the schema (``pipeline.schema.computed``); here they are
evaluated over a frame's columns. The fields they read come from the frame, which makes each
one (and caches it) on first use, so the row's fields are computed in dependency order
whatever their order of declaration. Nothing here draws randomness: adding an expression or a
condition leaves every other field's values as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, Truth, as_mask, keep_where
from pipeline.engine.spread import decode_same_width, spread
from pipeline.expressions import (
    ColumnType,
    CompiledExpression,
    ExpressionError,
    evaluate,
    evaluate_condition,
)
from pipeline.expressions.kept import Kept, pool_key
from pipeline.expressions.values import LazyColumns
from pipeline.schema.computed import branches
from pipeline.schema.model import Cases, Expression, Field

# Below this many rows, working out a column's distinct values costs more than it saves.
_FEW_ROWS = 1024

# (expression, how it is computed, the values it reads) -> the result: the blocks of a job,
# and the jobs a worker runs, read the same pools and ranges.
_KEPT: Kept[Any] = Kept()


def _inputs(frame: Frame, compiled: CompiledExpression) -> LazyColumns:
    # Decoded only if a step reads the values: a join of pooled texts reads the pools.
    return LazyColumns(compiled.names, frame.column, frame.n)


def _pools(frame: Frame, compiled: CompiledExpression) -> dict[str, pa.DictionaryArray]:
    """The columns drawn from a pool, as indices into it: text joins work on those."""
    encoded = {name: frame.encoded(name) for name in compiled.names}
    return {n: v for n, v in encoded.items() if isinstance(v, pa.DictionaryArray)}


@dataclass(frozen=True)
class _Distinct:
    """A column without nulls that holds few distinct values: every value, each row's index in
    it, and what tells these values from others (the same key, the same values)."""

    every: pa.Array
    rows: np.ndarray
    key: tuple[object, ...]


def _distinct(values: pa.Array) -> _Distinct | None:
    """A pool's values, or whole numbers or days in a range much shorter than the column (ages,
    dates of a few years); None for any other column."""
    if values.null_count:
        return None
    if isinstance(values, pa.DictionaryArray):
        pool = values.dictionary
        # The pools are shared by the blocks and jobs of a process: a kept result holds its pool.
        key = ("pool", *pool_key(pool))
        return _Distinct(pool, values.indices.to_numpy(zero_copy_only=False), key)
    days = pa.types.is_date32(values.type)
    if not (days or pa.types.is_integer(values.type)) or len(values) < _FEW_ROWS:
        return None
    # Read in place: without nulls, the numbers are the Arrow buffer itself.
    numbers = values.view(pa.int32()).to_numpy() if days else values.to_numpy()
    low, high = numbers.min(), numbers.max()
    if (int(high) - int(low) + 1) * 4 > len(values):
        return None
    every = pa.array(np.arange(low, high + 1, dtype=numbers.dtype))
    key = ("range", str(values.type), int(low), int(high))
    rows = np.subtract(numbers, low, dtype=np.int32, casting="unsafe")  # less than the rows
    return _Distinct(every.view(values.type), rows, key)


def _codes(frame: Frame, name: str) -> _Distinct | None:
    """``_distinct`` of a field, once per frame: several expressions read the same columns."""
    if name not in frame.distinct:
        frame.distinct[name] = _distinct(frame.encoded(name))
    return frame.distinct[name]


def _combinations(frame: Frame, names: tuple[str, ...]) -> list[_Distinct] | None:
    """The columns an expression reads, when each holds few values and their combinations are
    few (a condition over a choice and an age, say); None otherwise."""
    if not 1 <= len(names) <= 3:
        return None
    found = []
    for name in names:
        distinct = _codes(frame, name)
        if distinct is None:
            return None
        found.append(distinct)
    if len(found) > 1 and int(np.prod([len(d.every) for d in found])) * 4 > frame.n:
        return None
    return found


def _strides(found: list[_Distinct]) -> list[int]:
    """Row-major over the columns: combination k takes value (k // stride) % size of each."""
    sizes = [len(d.every) for d in found]
    return [int(np.prod(sizes[i + 1 :])) for i in range(len(sizes))]


def _every(names: tuple[str, ...], found: list[_Distinct]) -> tuple[dict[str, pa.Array], int]:
    """Every combination of the columns' values, as columns, and how many there are."""
    if len(found) == 1:
        return {names[0]: found[0].every}, len(found[0].every)
    total = int(np.prod([len(d.every) for d in found]))
    combos = np.arange(total, dtype=np.int64)
    every = {
        name: d.every.take(pa.array((combos // stride) % len(d.every)))
        for name, d, stride in zip(names, found, _strides(found), strict=True)
    }
    return every, total


def _index(found: list[_Distinct]) -> np.ndarray:
    """Each row's combination."""
    if len(found) == 1:
        return found[0].rows
    # Fewer combinations than rows: their numbers fit in 32 bits, as the rows' indices do.
    strides = _strides(found)
    index: np.ndarray = np.multiply(found[0].rows, strides[0], dtype=np.int32)
    for d, stride in zip(found[1:], strides[1:], strict=True):
        index += d.rows if stride == 1 else d.rows * np.int32(stride)
    return index


def _per_combination(
    frame: Frame, path: str, compiled: CompiledExpression, compute: Callable[..., Any]
) -> tuple[Any, np.ndarray] | None:
    """``compute`` over every combination of the values an expression reads, and each row's
    combination; None when the combinations are not few.

    The same values give the same combinations in every block (a choice's pool, the days of a
    date's range), and in every job of the process that reads them, so the result is kept and
    computed again only for other values.
    """
    found = _combinations(frame, compiled.names)
    if found is None:
        return None
    key = (compiled, compute, tuple(d.key for d in found))
    kept = _KEPT.get(key)
    if kept is None:
        every, total = _every(compiled.names, found)
        # The values are kept with the result: they hold the pools the key names by address.
        kept = _KEPT.put(key, [d.every for d in found], compute(compiled, every, rows=total))
    return kept, _index(found)


def _compiled(path: str, compiled: CompiledExpression | None, what: str) -> CompiledExpression:
    if compiled is None:
        raise EngineError(f"{path}: the {what} cannot be used (the schema was not validated)")
    return compiled


def _computed(
    frame: Frame,
    path: str,
    compiled: CompiledExpression | None,
    what: str,
    compute: Callable[..., Any],
) -> tuple[Any, np.ndarray | None]:
    """``compute`` over every combination of the values read and each row's combination when
    they are few, else over the rows (and None)."""
    checked = _compiled(path, compiled, what)
    try:
        spread = _per_combination(frame, path, checked, compute)
        if spread is not None:
            return spread
        data = _inputs(frame, checked)
        return compute(checked, data, rows=frame.n, pools=_pools(frame, checked)), None
    except ExpressionError as error:
        raise EngineError(f"{path}: {error}") from None


def _run(frame: Frame, path: str, compiled: CompiledExpression | None) -> pa.Array:
    values, index = _computed(frame, path, compiled, "expression", evaluate)
    if index is None:
        return values
    # A pure function of few-valued columns: computed once per combination of their values,
    # then spread to the rows. Text stays a dictionary of the combinations' values, as a pool
    # does: the writers that take dictionaries never copy one string per row.
    if pa.types.is_string(values.type):
        frame.decoders[path] = decode_same_width
        # The indices are the combinations' own numbers: no need to check them.
        return pa.DictionaryArray.from_arrays(pa.array(index), values, safe=False)
    return spread(values, index)


def _holds(frame: Frame, path: str, compiled: CompiledExpression | None) -> np.ndarray:
    """Where a condition holds, as a numpy mask."""
    return as_mask(_truth(frame, path, compiled))


def _truth(frame: Frame, path: str, compiled: CompiledExpression | None) -> Truth:
    """Where a condition holds: spread from its combinations as a numpy mask, or over the rows
    as Arrow booleans without nulls, whose bits serve as a validity buffer as they are."""
    holds, index = _computed(frame, path, compiled, "condition", evaluate_condition)
    return holds if index is None else as_mask(holds).take(index)


def gen_expression(frame: Frame, path: str, spec: Expression) -> pa.Array:
    computed = frame.job.field(path).computed
    return _run(frame, path, computed.expression if computed else None)


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
        holds = _holds(frame, f"{path}.cases[{i}].when", compiled)
        result = pc.if_else(pa.array(holds), values[i], result)
    return result


def with_condition(frame: Frame, path: str, spec: Field, values: pa.Array) -> pa.Array:
    """The values, null in the rows where the field's ``when:`` does not hold."""
    computed = frame.job.field(path).computed
    holds = _truth(frame, f"{path}.when", computed.condition if computed else None)
    return keep_where(values, holds)
