"""The order in which a row's expressions can be computed, and the cycles that have none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.expressions.compiled import CompiledExpression
from pipeline.expressions.errors import ExpressionError, Problem

# A field's expressions: its value, its `when:` condition, the conditions of its cases.
Computed = CompiledExpression | Sequence[CompiledExpression]


def dependencies(computed: Computed, fields: Mapping[str, object]) -> list[str]:
    """The fields of ``fields`` that expressions read (``address.city`` reads ``address``)."""
    found: list[str] = []
    every = [computed] if isinstance(computed, CompiledExpression) else list(computed)
    for read in (name for compiled in every for name in compiled.names):
        for candidate in (read, read.split(".", 1)[0]):
            if candidate in fields and candidate not in found:
                found.append(candidate)
                break
    return found


def dependency_order(expressions: Mapping[str, Computed]) -> list[str]:
    """The fields in an order where each comes after the fields its expressions read.

    ``expressions`` maps a field to its compiled expression, or to all of them (a computed
    value and its ``when:`` condition). Stable: fields keep their declared order where nothing
    forces otherwise. A cycle raises ``ExpressionError``, one problem per cycle, naming its
    fields in order.
    """
    needs = {name: dependencies(c, expressions) for name, c in expressions.items()}
    order: list[str] = []
    done: set[str] = set()
    pending = list(expressions)
    while pending:
        ready = [name for name in pending if all(n in done for n in needs[name])]
        if not ready:
            break
        first = ready[0]
        order.append(first)
        done.add(first)
        pending.remove(first)
    if pending:
        raise ExpressionError(_cycles(pending, needs))
    return order


def _cycles(pending: list[str], needs: Mapping[str, list[str]]) -> list[Problem]:
    """Each cycle among the fields left over once, as 'a -> b -> a'."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for start in pending:
        if start in seen:
            continue
        path: list[str] = []
        node = start
        while node not in path:
            path.append(node)
            node = next(n for n in needs[node] if n in pending)
        cycle = path[path.index(node) :]
        if not seen.intersection(cycle):
            names = [*cycle, cycle[0]]
            problems.append(
                Problem(
                    "these expressions read each other, so none can be computed first: "
                    + " -> ".join(names),
                    tuple(cycle),
                )
            )
        seen.update(path)
    return problems
