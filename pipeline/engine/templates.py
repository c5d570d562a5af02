"""Templates: ``{field}`` / ``{field|filter}`` joined with pyarrow.compute string kernels.

The template is parsed once, with the schema (``pipeline.schema.resolved``); this renders it."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.bijection import Permutation
from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, decode
from pipeline.engine.uuids import fixed_width_strings
from pipeline.expressions.kept import Kept, pool_key
from pipeline.expressions.pooled import join_pooled
from pipeline.schema.templates import TOKEN_DOMAIN, TOKEN_WIDTH, Part, Placeholder

_BASE36 = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def apply_filter(values: pa.Array, name: str | None) -> pa.Array:
    if name is None:
        return values
    if name == "lower":
        return pc.utf8_lower(values)
    if name == "upper":
        return pc.utf8_upper(values)
    if name == "title":
        return pc.utf8_title(values)
    if name == "slug":
        plain = pc.replace_substring_regex(pc.utf8_normalize(values, form="NFKD"), r"\p{M}+", "")
        dashed = pc.replace_substring_regex(pc.utf8_lower(plain), r"[^a-z0-9]+", "-")
        return pc.utf8_trim(dashed, characters="-")
    raise ValueError(f"unknown template filter {name}")


def as_strings(values: pa.Array) -> pa.Array:
    """Text form of any column (nulls kept as nulls)."""
    kind = values.type
    if pa.types.is_string(kind):
        return values
    if pa.types.is_timestamp(kind):
        return pc.strftime(values, format="%Y-%m-%dT%H:%M:%SZ")
    if pa.types.is_nested(kind):
        text = [None if v is None else msgspec.json.encode(v).decode() for v in values.to_pylist()]
        return pa.array(text, type=pa.string())
    return values.cast(pa.string())


# (a pool, a filter) -> the pool filtered: a joined text's pieces are kept by the filtered
# pool's buffers, so each block must get the same filtered pool.
_FILTERED: Kept[pa.Array] = Kept()


def filtered_pool(pool: pa.Array, name: str | None) -> pa.Array:
    """The filter over a pool's values, once while the pool lasts."""
    if name is None:
        return pool
    key = (name, *pool_key(pool))
    kept = _FILTERED.get(key)
    return kept if kept is not None else _FILTERED.put(key, pool, apply_filter(pool, name))


def pooled_text(frame: Frame, holder: Placeholder) -> pa.DictionaryArray | None:
    """A placeholder's text as indices into its filtered pool, when its field is drawn from
    a pool of text."""
    values = frame.encoded(holder.path)
    if isinstance(values, pa.DictionaryArray) and pa.types.is_string(values.dictionary.type):
        pool = filtered_pool(values.dictionary, holder.filter)
        return pa.DictionaryArray.from_arrays(values.indices, pool)
    return None


def placeholder_text(frame: Frame, holder: Placeholder) -> pa.Array:
    pooled = pooled_text(frame, holder)
    if pooled is not None:
        # Filters run over the small pool, not over every row.
        text = pooled.dictionary.take(pooled.indices)
    else:
        text = apply_filter(as_strings(decode(frame.encoded(holder.path))), holder.filter)
    return pc.fill_null(text, "") if text.null_count else text


def tokens(frame: Frame, path: str) -> pa.Array:
    """Fixed-width base-36 tokens, distinct for distinct rows."""
    index = frame.rows.astype(np.uint64)
    perm = Permutation(TOKEN_DOMAIN, frame.job.keys(path + "#token"))
    rest = perm(index)
    chars = np.empty((len(index), TOKEN_WIDTH), dtype=np.uint8)
    for col in range(TOKEN_WIDTH - 1, -1, -1):
        chars[:, col] = _BASE36[(rest % np.uint64(36)).astype(np.int64)]
        rest = rest // np.uint64(36)
    return fixed_width_strings(chars)


def _joined_from_pools(frame: Frame, parts: Sequence[Part]) -> pa.Array | None:
    """The template's rows joined from the pools of its fields (``pipeline.expressions.pooled``),
    when every placeholder's field is drawn from a pool of text without nulls."""
    pieces: list[tuple[str, pa.DictionaryArray, str]] = []
    before = ""
    for part in parts:
        if isinstance(part, str):
            if pieces:
                last_before, column, after = pieces[-1]
                pieces[-1] = (last_before, column, after + part)
            else:
                before += part
            continue
        pooled = pooled_text(frame, part)
        if pooled is None or pooled.null_count:
            return None
        pieces.append((before, pooled, ""))
        before = ""
    return join_pooled(pieces)


def render(frame: Frame, path: str) -> pa.Array:
    field = frame.job.field(path)
    parts = field.template
    if parts is None:
        raise EngineError(f"{path}: the template cannot be read")
    token = field.template_token
    holders = [i for i, p in enumerate(parts) if isinstance(p, Placeholder)]
    last = holders[-1] if holders else -1
    if holders and not token:
        joined = _joined_from_pools(frame, parts)
        if joined is not None:
            return joined
    pieces: list[pa.Array | str] = []
    if token and last < 0:
        pieces.append(tokens(frame, path))
    for i, part in enumerate(parts):
        pieces.append(part if isinstance(part, str) else placeholder_text(frame, part))
        if token and i == last:
            pieces.append(tokens(frame, path))
    arrays = [p for p in pieces if not isinstance(p, str)]
    if not arrays:
        return pa.repeat(pa.scalar("".join(p for p in pieces if isinstance(p, str))), frame.n)
    if len(pieces) == 1:
        return arrays[0]
    return pc.binary_join_element_wise(*pieces, "")
