"""Collecting schema problems with their dotted path and YAML line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pipeline.schema.yaml_lines import Path, line_of


def path_text(path: Path) -> str:
    """``("entities", "A", "fields", "w", "values", 2)`` -> ``entities.A.fields.w.values[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


class Problems:
    """Every problem found in one schema, in the order found."""

    def __init__(self, lines: dict[Path, int] | None = None) -> None:
        self.lines = lines or {}
        self.items: list[dict[str, Any]] = []

    def add(self, path: Path, message: str) -> None:
        self.items.append(
            {"path": path_text(path), "line": line_of(self.lines, path), "message": message}
        )

    def __bool__(self) -> bool:
        return bool(self.items)
