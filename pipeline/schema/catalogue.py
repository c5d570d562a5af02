"""The type catalogue served by ``GET /types``, derived from the model and from mimesis."""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

import msgspec

from pipeline.schema import model as m
from pipeline.schema.decode import FIELD_CLASSES
from pipeline.schema.mimesis_methods import LOCALES, list_methods
from pipeline.schema.rules import UNIQUE_TYPES
from pipeline.schema.templates import FILTERS

_COMMON = frozenset(f.name for f in msgspec.structs.fields(m.FieldBase))
_TYPE_NAMES = {int: "integer", float: "number", str: "string", bool: "boolean"}


def type_text(typ: Any) -> str:
    """A short readable name of an option's type (``integer``, ``list[string]``...)."""
    if typ in _TYPE_NAMES:
        return _TYPE_NAMES[typ]
    if typ is type(None):
        return "null"
    if typ is m.dt.date:
        return "date"
    if typ is m.dt.datetime:
        return "datetime"
    if typ is m.Distribution:
        return "distribution"
    if typ is m.PerParent:
        return "count_per_parent"
    if typ is m.GroupSizes:
        return "group_sizes"
    origin = typing.get_origin(typ)
    args = typing.get_args(typ)
    if origin in (typing.Union, types.UnionType):
        if set(args) == set(m.Field.__args__):
            return "field"
        if set(args) == {*m.Field.__args__, type(None)}:
            return "field | null"
        return " | ".join(dict.fromkeys(type_text(a) for a in args))
    if origin is typing.Literal:
        return " | ".join(str(a) for a in args)
    if origin is list:
        return f"list[{type_text(args[0])}]"
    if origin is dict:
        return f"mapping[{type_text(args[0])}, {type_text(args[1])}]"
    if typ is m.Case:
        return "case ({when: condition, then: field})"
    if typ is typing.Any:
        return "any"
    return getattr(typ, "__name__", str(typ))


def _options(cls: type[msgspec.Struct], skip: frozenset[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in msgspec.structs.fields(cls):
        if f.name in skip:
            continue
        entry: dict[str, Any] = {"type": type_text(f.type), "required": f.required}
        if not f.required:
            default = f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
            entry["default"] = _plain(default)
        out[f.encode_name] = entry  # as written: `else`, not the attribute's name
    return out


_VALUES = {
    "sequence": "start + row_index * step; unique by construction; with scope: parent, "
    "start + position * step within the row's group (1..k)",
    "uuid": "RFC 4122 version-4 shaped, derived from seed and row index; unique by construction; "
    "with parquet: uuid, parquet files hold parquet's UUID type (16 bytes) instead of text",
    "integer": "integers of `width` bits (default 64; `unsigned`) in [min, max], spread by "
    "`distribution`",
    "float": "float64 (float32 with `width: 32`) in [min, max], rounded to `decimals` when given",
    "decimal": "exact decimals of `precision` digits, `scale` after the point, uniform in "
    "[min, max]; parquet decimal128, csv and json exact text",
    "binary": "random bytes, min_length to max_length long; base64 in json, \\x hex in csv",
    "boolean": "true with probability `true_rate`",
    "choice": "one of `values`, weighted by `weights`",
    "provider": "one item of a workspace provider's data, uniformly; of a record provider, "
    "one `column` of a record, the same record for the fields of one `draw`, records weighted "
    "by `weight_column`",
    "date": "calendar date in [start, end]",
    "datetime": "UTC timestamp in [start, end], microseconds; with timezone: false, a "
    "timestamp without zone",
    "pattern": "text: # a digit, ? an upper-case letter, * a letter or digit, \\ escapes",
    "template": "text with {field} or {field|filter} naming other fields of the same row",
    "constant": "always `value`",
    "reference": "the referenced field of some row of another entity; in an entity made per "
    "parent row, the group's parent (the only reference to `per`, or the one marked `parent`)",
    "lookup": "the value of `field` in the row of another entity that the reference `via` "
    "picks, recomputed from that row's index",
    "object": "a nested record with its own `fields`",
    "array": "a list of `of` items, min_items to max_items long",
    "map": "a map of `keys` to `values`, min_items to max_items entries with distinct keys; "
    "parquet MAP, a json object, JSON text in csv",
    "expression": "a SQL expression `expr` over other fields of the same row (hidden ones "
    "too); its type is inferred, or set with cast(... AS ...)",
    "cases": "the value of the first of `cases` whose `when` condition holds, each a full field "
    "spec; none holds: `else`, or null",
}


def _plain(value: Any) -> Any:
    out = msgspec.to_builtins(value)
    if isinstance(out, dict):
        return {k: v for k, v in out.items() if v is not None}
    return out


@functools.cache
def _build() -> dict[str, Any]:
    builtin: dict[str, Any] = {}
    for tag, cls in FIELD_CLASSES.items():
        if cls is m.Mimesis:
            continue
        builtin[tag] = {
            "values": _VALUES.get(tag, ""),
            "options": _options(cls, _COMMON),
            "unique": issubclass(cls, UNIQUE_TYPES),
        }
    mimesis_opts = _options(m.Mimesis, _COMMON | {"method"})
    return {
        "version": 1,
        "common_options": _options(m.FieldBase, frozenset()),
        "types": builtin,
        "distribution": {
            "options": _options(m.Distribution, frozenset()),
            "kinds": {
                "uniform": [],
                "normal": ["mean", "stddev"],
                "lognormal": ["mean", "sigma"],
                "exponential": ["scale"],
                "zipf": ["s"],
            },
        },
        "entity": {
            "options": _options(m.Entity, frozenset({"fields"})),
            "count_per_parent": {
                "options": _options(m.PerParent, frozenset()),
                "kinds": {"uniform": [], "poisson": ["mean"], "zipf": ["s"]},
            },
        },
        "template_filters": list(FILTERS),
        "mimesis": {
            "options": mimesis_opts,
            "methods": {name: msgspec.to_builtins(info) for name, info in list_methods().items()},
        },
        "locales": list(LOCALES),
    }


def catalogue() -> dict[str, Any]:
    """Every built-in type with its options and defaults, and every mimesis method.

    A fresh copy each call, so callers may change it.
    """
    return msgspec.json.decode(msgspec.json.encode(_build()))
