"""The one exception of the schema language."""

from __future__ import annotations

from typing import Any

from pipeline.errors import PipelineError


class SchemaError(PipelineError, ValueError):
    """A schema that cannot be used, with every problem found.

    ``problems`` is a list of ``{"path": "entities.Order.fields.id", "line": 12 | None,
    "message": "..."}``, in the order they were found.
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(describe_problem(p) for p in problems))


def describe_problem(problem: dict[str, Any]) -> str:
    """One problem as a line of text: ``PATH (line N): MESSAGE``."""
    where = problem.get("path") or "schema"
    line = problem.get("line")
    return (
        f"{where} (line {line}): {problem['message']}" if line else f"{where}: {problem['message']}"
    )
