"""Reading YAML safely while remembering the line of every key and item.

Only the standard tags are accepted, aliases are refused (so an alias bomb stops at its first
alias), nesting depth is capped before PyYAML recurses deeply, and the text size is capped
before parsing starts.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import yaml

from pipeline.schema.errors import SchemaError

Path: TypeAlias = tuple[str | int, ...]

MAX_DEPTH = 64
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                event.start_mark.line + 1,
                "YAML aliases (*name) are not allowed; write the value out",
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            event = self.peek_event()
            raise _Refused(event.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_node(node: yaml.Node) -> None:
    """Refuse non-standard tags and repeated keys (PyYAML would keep the last silently)."""
    if node.tag not in _STANDARD_TAGS:
        raise _Refused(node.start_mark.line + 1, f"tag {node.tag!r} is not allowed")
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            _check_node(key)
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise _Refused(key.start_mark.line + 1, f"key {key.value!r} appears twice")
                seen.add(key.value)
            _check_node(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_node(item)


def _record_lines(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, key.value)
                # The key's line is where a reader looks for the entry.
                lines[child] = key.start_mark.line + 1
                _record_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = item.start_mark.line + 1
            _record_lines(item, child, lines)


def load_yaml(text: str, *, max_bytes: int = 1_000_000) -> tuple[Any, dict[Path, int]]:
    """The YAML document as Python values, and the 1-based line of each path in it.

    Raises SchemaError for text over ``max_bytes``, bad syntax, aliases, custom tags, deep
    nesting or more than one document.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise SchemaError(
            [{"path": "", "line": None, "message": f"schema is {size} bytes; limit {max_bytes}"}]
        )
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_node(node)
        data = loader.construct_document(node)
    except _Refused as exc:
        raise SchemaError([{"path": "", "line": exc.line, "message": exc.message}]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise SchemaError([{"path": "", "line": line, "message": f"YAML: {message}"}]) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SchemaError([{"path": "", "line": None, "message": f"YAML: {exc}"}]) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    _record_lines(node, (), lines)
    return data, lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor present in the text."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None
