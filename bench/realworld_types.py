"""Whether generated parquet columns have exactly the Arrow types a table schema declares.

The declared types are the type trees of ``pipeline.importers.arrow_types``; the generated ones
the schema of the record batches the engine writes. Where the language has no exact match
(float16, decimals wider than 38 digits, times, null columns, empty structs) any type passes.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

ArrowType = tuple[Any, ...]


def _leaf(typ: ArrowType) -> pa.DataType | None:
    kind = typ[0]
    if kind == "int":
        bits, signed = typ[1], typ[2]
        return pa.type_for_alias(f"{'' if signed else 'u'}int{bits}")
    if kind == "float":
        return pa.float64() if typ[1] == 64 else pa.float32()  # float16 is written as float32
    if kind == "decimal":
        return pa.decimal128(typ[1], typ[2]) if typ[1] <= 38 else None
    if kind in ("string", "variant", "enum"):
        return pa.string()
    if kind == "bool":
        return pa.bool_()
    if kind == "date":
        return pa.date32()
    if kind == "timestamp":
        return pa.timestamp("us", tz="UTC") if typ[1] else pa.timestamp("us")
    if kind == "binary":
        return pa.binary()
    return None


def differences(actual: pa.DataType, typ: ArrowType, path: str) -> list[str]:
    """Where ``actual`` is not the declared ``typ``, one line each."""
    kind = typ[0]
    if kind == "list":
        if not pa.types.is_list(actual) and not pa.types.is_large_list(actual):
            return [f"{path}: {actual} is not a list"]
        return differences(actual.value_type, typ[1], f"{path}[]")
    if kind == "map":
        if not pa.types.is_map(actual):
            return [f"{path}: {actual} is not a map"]
        return [
            *differences(actual.key_type, typ[1], f"{path}.key"),
            *differences(actual.item_type, typ[2], f"{path}.value"),
        ]
    if kind == "struct":
        if not typ[1]:
            return []  # an empty struct is written as null
        if not pa.types.is_struct(actual) or actual.num_fields != len(typ[1]):
            return [f"{path}: {actual} is not a struct of {len(typ[1])} fields"]
        return [
            d
            for i, (name, child, _) in enumerate(typ[1])
            for d in differences(actual.field(i).type, child, f"{path}.{name}")
        ]
    expected = _leaf(typ)
    if expected is None or actual == expected:
        return []
    return [f"{path}: written {actual}, declared {expected}"]


def schema_differences(schema: pa.Schema, columns: list[tuple[str, ArrowType, bool]]) -> list[str]:
    """Every column of ``schema`` (in declared order) that is not of its declared type."""
    found = [
        d
        for i, (name, typ, _) in enumerate(columns)
        if i < len(schema)
        for d in differences(schema.field(i).type, typ, name)
    ]
    if len(schema) != len(columns):
        found.append(f"{len(schema)} columns written, {len(columns)} declared")
    return found
