"""The order in which a row's expressions can be computed, and the cycles that have none."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.expressions.compiled import CompiledExpression
from pipeline.expressions.errors import ExpressionError, Problem


def dependencies(
    name: str, compiled: CompiledExpression, fields: Mapping[str, object]
) -> list[str]:
    """The fields of ``fields`` an expression reads (``address.city`` reads ``address``)."""
    found: list[str] = []
    for read in compiled.names:
        for candidate in (read, read.split(".", 1)[0]):
            if candidate in fields and candidate not in found:
                found.append(candidate)
                break
    return found


def dependency_order(expressions: Mapping[str, CompiledExpression]) -> list[str]:
    """The fields in an order where each expression comes after the expressions it reads.

    Stable: fields are kept in their declared order where nothing forces otherwise. A cycle
    raises ``ExpressionError``, one problem per cycle, naming its fields in order.
    """
    needs = {name: dependencies(name, c, expressions) for name, c in expressions.items()}
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
