"""JSON Schema of the fields that declare a width: decimals, binary, timestamps without zone,
and the ``maxLength`` of text cut to a ``max_length``."""

from __future__ import annotations

from typing import Any

from pipeline.schema import model as m

# A timestamp without zone is written without offset, which the date-time format requires.
NAIVE_DATETIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$"


def declared_schema(spec: m.Field) -> dict[str, Any] | None:
    """The field's JSON Schema when its declared type decides it; None otherwise."""
    if isinstance(spec, m.Decimal):
        # No multipleOf: validators divide as floats, and 0.29 / 0.01 is not a whole number.
        return {"type": "number"}
    if isinstance(spec, m.Binary):
        return {"type": "string", "contentEncoding": "base64"}
    if isinstance(spec, m.Datetime) and not spec.timezone:
        return {"type": "string", "pattern": NAIVE_DATETIME}
    return None


def with_max_length(out: dict[str, Any], spec: m.Field) -> dict[str, Any]:
    if spec.max_length is None or out.get("type") != "string" or isinstance(spec, m.Binary):
        return out
    return {**out, "maxLength": spec.max_length}
