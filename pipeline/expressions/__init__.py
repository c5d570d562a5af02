"""SQL expressions over the fields of a row, computed a whole column at a time.

Text is parsed and checked with sqlglot (every problem at once, before any row is made) and
evaluated with Arrow compute kernels over the batch: no Python runs per row.

    compiled = compile_expression("round(qty * price, 2)", {"qty": ColumnType.INTEGER,
                                                            "price": ColumnType.FLOAT})
    totals = evaluate(compiled, batch)

The language, its functions and its semantics are described in docs/expressions.md.
"""

from pipeline.expressions.compiled import (
    CompiledExpression,
    compile_expression,
    evaluate,
    evaluate_condition,
    null_unless,
)
from pipeline.expressions.errors import ExpressionError, Problem
from pipeline.expressions.order import dependency_order
from pipeline.expressions.types import ColumnType, column_type_of

__all__ = [
    "ColumnType",
    "CompiledExpression",
    "ExpressionError",
    "Problem",
    "column_type_of",
    "compile_expression",
    "dependency_order",
    "evaluate",
    "evaluate_condition",
    "null_unless",
]
