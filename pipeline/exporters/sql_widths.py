"""SQL column types of the fields that declare a width (integer bits, float32, decimals,
binary, timestamps without zone, text with max_length); None leaves the usual type."""

from __future__ import annotations

from pipeline.schema import model as m

_SIGNED = {8: "SMALLINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}
# An unsigned integer needs the next wider signed type (uint64 values stop at int64's max).
_UNSIGNED = {8: "SMALLINT", 16: "INTEGER", 32: "BIGINT", 64: "BIGINT"}


def declared_type(spec: m.Field) -> str | None:
    if isinstance(spec, m.Integer):
        wide = spec.width == 64 and not spec.unsigned
        return None if wide else (_UNSIGNED if spec.unsigned else _SIGNED)[spec.width]
    if isinstance(spec, m.Float) and spec.width == 32:
        return "REAL"
    if isinstance(spec, m.Decimal):
        return f"NUMERIC({spec.precision}, {spec.scale})"
    if isinstance(spec, m.Binary):
        return "BYTEA"
    if isinstance(spec, m.Datetime) and not spec.timezone:
        return "TIMESTAMP"
    if spec.max_length is not None and isinstance(
        spec, m.Mimesis | m.Template | m.Provider | m.Choice | m.Constant | m.Uuid
    ):
        return f"VARCHAR({spec.max_length})"
    return None
