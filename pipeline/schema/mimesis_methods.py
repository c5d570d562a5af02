"""The mimesis ``provider.method`` names a field may use, found by introspection.

A method is listed when it can be called with no arguments and returns a value that can be
written to every output format; the list is built once per process from the installed mimesis,
so it follows the library rather than a hand-kept copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import difflib
import enum
import functools
import inspect
import sys
import time
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import mimesis
import msgspec
from mimesis.providers.base import BaseDataProvider, BaseProvider

LOCALES: tuple[str, ...] = tuple(loc.value for loc in mimesis.Locale)

# Providers whose values are file contents rather than field values.
_SKIPPED_PROVIDERS = frozenset({"binaryfile"})
_BASE_NAMES = frozenset(dir(BaseDataProvider)) | frozenset(dir(BaseProvider))
_EXAMPLE_SEED = 0
# mimesis binds the year it is imported in into some defaults (datetime.year's maximum,
# datetime.date's end): their values would change on New Year's day, and differ between
# workers started on either side of it. This version pins such defaults to one year instead.
REFERENCE_YEAR = 2026
_IMPORT_YEAR = dt.date.today().year
# Far enough to cross a second, a day and a year, the units mimesis reads the clock in.
_CLOCK_SHIFT = dt.timedelta(days=400, seconds=7)


class ArgInfo(msgspec.Struct, frozen=True):
    name: str
    default: Any
    annotation: str


class MethodInfo(msgspec.Struct, frozen=True):
    name: str
    args: list[ArgInfo]
    example: Any


def _is_plain(value: Any, depth: int = 0) -> bool:
    """True when the value has a faithful form in csv, json and parquet."""
    if depth > 4:
        return False
    if value is None or isinstance(value, str | bool | int | dt.date | dt.time):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, decimal.Decimal | enum.Enum):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _to_builtin(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return _to_builtin(value.value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_to_builtin(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_builtin(v) for k, v in value.items()}
    return value


def _annotation_text(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    if isinstance(annotation, str):
        return annotation
    return inspect.formatannotation(annotation)


def _arg_infos(func: Any) -> tuple[list[ArgInfo], dict[str, int]] | None:
    """Keyword arguments of a method and the defaults it pins, or None if one is required."""
    out: list[ArgInfo] = []
    pinned: dict[str, int] = {}
    for param in inspect.signature(func).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is inspect.Parameter.empty:
            return None
        default = param.default
        if type(default) is int and default == _IMPORT_YEAR:
            default = pinned[param.name] = REFERENCE_YEAR
        out.append(
            ArgInfo(
                name=param.name,
                default=_to_builtin(default) if _is_plain(default) else repr(default),
                annotation=_annotation_text(param.annotation),
            )
        )
    return out, pinned


def _provider_names(generic: mimesis.Generic) -> list[str]:
    return sorted(
        name
        for name in dir(generic)
        if not name.startswith("_")
        and name not in _SKIPPED_PROVIDERS
        and isinstance(getattr(generic, name), BaseProvider)
    )


def list_methods() -> dict[str, MethodInfo]:
    """Every usable ``provider.method`` with its arguments and an example value, by name."""
    return _introspect()[0]


def pinned_defaults(name: str) -> dict[str, int]:
    """Arguments a method is always called with unless given (see ``REFERENCE_YEAR``)."""
    return _introspect()[2].get(name, {})


def unknown_method_message(name: str) -> str:
    """Why ``name`` cannot be a field type, with the closest usable names."""
    if name in _introspect()[1]:
        return (
            f"mimesis method {name!r} gives other values on every run under the same seed (it "
            "depends on the clock or on earlier calls), so a job using it could not be repeated"
        )
    close = suggest(name)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"unknown mimesis method {name!r}{hint}"


@functools.cache
def _introspect() -> tuple[dict[str, MethodInfo], frozenset[str], dict[str, dict[str, int]]]:
    generic = mimesis.Generic(locale=mimesis.Locale.EN, seed=_EXAMPLE_SEED)
    found: dict[str, MethodInfo] = {}
    unrepeatable: set[str] = set()
    pins: dict[str, dict[str, int]] = {}
    for provider_name in _provider_names(generic):
        provider = getattr(generic, provider_name)
        for method_name in sorted(dir(provider)):
            if method_name.startswith("_") or method_name in _BASE_NAMES:
                continue
            method = getattr(provider, method_name)
            if not inspect.ismethod(method):
                continue
            signature = _arg_infos(method)
            if signature is None:
                continue
            args, pinned = signature
            try:
                provider.reseed(_EXAMPLE_SEED)
                example = method(**pinned)
                provider.reseed(_EXAMPLE_SEED)
                with _shifted_clock():
                    again = method(**pinned)
            except Exception:  # a method that cannot run on defaults cannot be pooled either
                continue
            name = f"{provider_name}.{method_name}"
            if not _is_plain(example):
                continue
            # Values that read the clock (datetime.future_datetime, a JWT's issue time) differ
            # under the same seed: no job using them could be repeated, so they are not offered.
            # Comparing two calls at the real time alone would miss them whenever both fall in
            # the same second.
            if again != example:
                unrepeatable.add(name)
                continue
            found[name] = MethodInfo(name=name, args=args, example=_to_builtin(example))
            if pinned:
                pins[name] = pinned
    return found, frozenset(unrepeatable), pins


@contextlib.contextmanager
def _shifted_clock() -> Iterator[None]:
    """Make mimesis read a clock ``_CLOCK_SHIFT`` ahead, to tell which methods depend on it.

    Only the names mimesis' own modules imported are replaced, so nothing else in the process
    sees another time. Pools are only built for methods found not to read the clock, so a pool
    drawn in another thread meanwhile gives the same values either way.
    """

    class LaterDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> LaterDatetime:
            return cls.fromtimestamp(time.time() + _CLOCK_SHIFT.total_seconds(), tz)

        @classmethod
        def today(cls) -> LaterDatetime:
            return cls.now()

    class LaterDate(dt.date):
        @classmethod
        def today(cls) -> LaterDate:
            return cls.fromordinal(dt.date.today().toordinal() + _CLOCK_SHIFT.days)

    later_time = SimpleNamespace(
        **{name: getattr(time, name) for name in dir(time) if not name.startswith("__")}
    )
    later_time.time = lambda: time.time() + _CLOCK_SHIFT.total_seconds()
    stand_ins: dict[object, object] = {
        dt.datetime: LaterDatetime,
        dt.date: LaterDate,
        time: later_time,
    }
    replaced: list[tuple[ModuleType, str, object]] = []
    for module in [m for name, m in list(sys.modules.items()) if name.startswith("mimesis")]:
        for attr, value in list(vars(module).items()):
            stand_in = stand_ins.get(value) if _hashable(value) else None
            if stand_in is not None:
                replaced.append((module, attr, value))
                setattr(module, attr, stand_in)
    try:
        yield
    finally:
        for module, attr, value in replaced:
            setattr(module, attr, value)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def suggest(name: str, limit: int = 3) -> list[str]:
    """The listed method names closest to ``name`` (best first)."""
    names = list(list_methods())
    # The right method under another provider is the most likely slip, so it comes first.
    tail = name.rsplit(".", 1)[-1]
    same_tail = [n for n in names if n.rsplit(".", 1)[-1] == tail]
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    return list(dict.fromkeys([*same_tail, *close]))[:limit]
