"""The one exception of the expression language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an expression, or with a set of them.

    ``fields`` names the fields at fault when the problem is between fields (a cycle).
    """

    message: str
    fields: tuple[str, ...] = ()


class ExpressionError(ValueError):
    """An expression that cannot be used, with every problem found (never only the first)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))
