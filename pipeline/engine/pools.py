"""Value pools of mimesis methods, built once per process and indexed by vectorised draws."""

from __future__ import annotations

import functools
from typing import Any

import msgspec
import pyarrow as pa
from mimesis import Generic
from mimesis.locales import Locale

from pipeline.engine.rng import stable_hash
from pipeline.engine.values import to_arrow
from pipeline.errors import PipelineError
from pipeline.schema.mimesis_methods import list_methods, pinned_defaults, unknown_method_message

# Enough distinct values for realistic variety; every process builds the same pool.
POOL_SIZE = 4096


class PoolError(PipelineError, ValueError):
    """A mimesis method that cannot back a value pool."""


def pool_seed(locale: str, method: str, args: dict[str, Any]) -> int:
    return stable_hash(f"{locale}|{method}|{_args_key(args)}") >> 1


def _args_key(args: dict[str, Any]) -> str:
    return msgspec.json.encode(args, order="sorted").decode()


def mimesis_pool(locale: str, method: str, args: dict[str, Any]) -> pa.Array:
    return _pool(locale, method, _args_key(args))


@functools.lru_cache(maxsize=512)
def _pool(locale: str, method: str, args_key: str) -> pa.Array:
    # The catalogue is the one judge of what can be pooled: it has already ruled out methods
    # that read the clock, which two draws side by side would only catch across a second.
    if method not in list_methods():
        raise PoolError(f"{unknown_method_message(method)}, so it cannot be pooled")
    args = {**pinned_defaults(method), **msgspec.json.decode(args_key)}
    return to_arrow(_draw(locale, method, args, POOL_SIZE))


def _draw(locale: str, method: str, args: dict[str, Any], count: int) -> list[Any]:
    provider_name, _, method_name = method.partition(".")
    generic = Generic(locale=Locale(locale), seed=pool_seed(locale, method, args))
    provider = getattr(generic, provider_name, None)
    func = getattr(provider, method_name, None)
    if provider is None or func is None or not callable(func):
        raise PoolError(f"unknown mimesis method {method}")
    try:
        return [func(**args) for _ in range(count)]
    except Exception as exc:  # a method failing with its args is a schema problem, not a crash
        raise PoolError(f"{method} failed: {exc}") from exc
