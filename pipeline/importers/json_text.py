"""Reading JSON input with errors that say where."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from pipeline.schema.errors import SchemaError

_BYTE = re.compile(r"byte (\d+)")


def read_json(text: str, what: str) -> Any:
    """The decoded document; SchemaError with line and column when it is not JSON."""
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        message = str(exc)
        match = _BYTE.search(message)
        line = None
        if match:
            prefix = text.encode("utf-8")[: int(match.group(1))].decode("utf-8", "replace")
            line = prefix.count("\n") + 1
            column = len(prefix) - (prefix.rfind("\n") + 1) + 1
            message = f"line {line}, column {column}: {message}"
        raise SchemaError([{"path": "", "line": line, "message": f"{what}: {message}"}]) from None


def refuse(path: str, message: str) -> SchemaError:
    return SchemaError([{"path": path, "line": None, "message": message}])
