"""What a schema may know of a provider's data: plain values or records, and which columns.

A provider's data is either a list of plain values or a list of records (objects with the same
keys and scalar values). Validation reads a ``ProviderShape`` per provider, never the data, so a
saved schema is checked against the columns a provider has without shipping its values around.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# (path inside the data, message): ``(3, "pop")`` is ``data[3].pop``.
DataProblem = tuple[tuple[str | int, ...], str]

SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class ProviderShape:
    """The columns of a record provider (None for plain values) and those usable as weights."""

    columns: tuple[str, ...] | None = None
    weights: frozenset[str] = frozenset()  # numeric, finite, >= 0 in every record, not all 0

    @property
    def records(self) -> bool:
        return self.columns is not None


PLAIN = ProviderShape()


def is_records(data: Sequence[Any]) -> bool:
    return bool(data) and isinstance(data[0], Mapping)


def _is_weight(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def shape_of(data: Sequence[Any]) -> ProviderShape:
    """The shape of data that passed ``data_problems``."""
    if not is_records(data):
        return PLAIN
    columns = tuple(data[0])
    weights = frozenset(c for c in columns if is_weight_column([r.get(c) for r in data]))
    return ProviderShape(columns, weights)


def is_weight_column(values: Sequence[Any]) -> bool:
    """Numbers >= 0, finite, not all 0: weights records can be drawn by."""
    return all(_is_weight(v) for v in values) and any(values)


def shapes_of(providers: Mapping[str, Sequence[Any]]) -> dict[str, ProviderShape]:
    """The shape of each provider's data, by name (what validation checks columns against)."""
    return {name: shape_of(data) for name, data in providers.items()}


def data_problems(data: Sequence[Any]) -> Iterator[DataProblem]:
    """Every problem of a provider's data: all plain values, or all records with the same keys
    and scalar values."""
    if not is_records(data):
        for i, value in enumerate(data):
            if not isinstance(value, SCALARS):
                yield (i,), "plain values and records cannot be mixed: data[0] is a plain value"
        return
    keys = list(data[0])
    if not keys:
        yield (0,), "a record needs at least one key"
    for i, record in enumerate(data):
        if not isinstance(record, Mapping):
            yield (i,), f"every item must be a record (an object) like data[0], got {record!r}"
            continue
        if list(record) != keys and set(record) != set(keys):
            missing = [k for k in keys if k not in record]
            extra = [k for k in record if k not in keys]
            said = []
            if missing:
                said.append(f"lacks {', '.join(map(repr, missing))}")
            if extra:
                said.append(f"has {', '.join(map(repr, extra))} too")
            yield (i,), f"every record needs the keys of data[0]; this one {' and '.join(said)}"
        for key, value in record.items():
            if not isinstance(value, SCALARS):
                yield (
                    (i, str(key)),
                    f"a record's values must be text, numbers or booleans, got {value!r}",
                )


class ProviderShapes(Mapping[str, ProviderShape]):
    """The providers of a workspace by name; each shape is worked out from its data when first
    asked for, so validating a schema reads only the providers it names."""

    def __init__(self, names: Collection[str], load: Callable[[str], Sequence[Any]]) -> None:
        self._names = sorted(names)
        self._set = frozenset(names)
        self._load = load
        self._known: dict[str, ProviderShape] = {}

    def __getitem__(self, name: str) -> ProviderShape:
        if name not in self._set:
            raise KeyError(name)
        if name not in self._known:
            self._known[name] = shape_of(self._load(name))
        return self._known[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._set
