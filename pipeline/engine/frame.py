"""A frame is the rows being generated together: one block of an entity, or the items of the
arrays of one block, or arbitrary parent rows a reference needs. Fields are produced lazily and
cached by path, so templates may name any field of the row."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.errors import EngineError
from pipeline.engine.rng import BLOCK_ROWS, block_stream, stream_keys
from pipeline.schema.model import Field, Schema
from pipeline.schema.resolved import ResolvedEntity, ResolvedField, resolve
from storage.formats.absent import ABSENT_METADATA

Generator = Callable[["Frame", str, Field], pa.Array]
# Where a condition holds: a numpy mask, or Arrow booleans without nulls.
Truth: TypeAlias = np.ndarray | pa.BooleanArray


@dataclass(frozen=True, eq=False)
class Job:
    """What every frame of one generation shares."""

    schema: Schema
    entity: str
    seed: int
    providers: Mapping[str, Sequence[Any]]  # plain values, or records (mappings of scalars)
    # What every block would work out again from the providers' data (columns of records).
    memo: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def resolved(self) -> ResolvedEntity:
        found = resolve(self.schema).entity(self.entity)
        if found is None:
            raise EngineError(f"unknown entity {self.entity}")
        return found

    def field(self, path: str) -> ResolvedField:
        found = self.resolved.field(path)
        if found is None:
            raise EngineError(f"entity {self.entity} has no field {path}")
        return found

    def keys(self, label: str, count: int = 4) -> np.ndarray:
        return _keys(self.seed, self.entity, label, count)


@functools.lru_cache(maxsize=4096)
def _keys(seed: int, entity: str, label: str, count: int) -> np.ndarray:
    return stream_keys(seed, entity, label, count)


@dataclass(eq=False)
class Frame:
    job: Job
    block: int | None  # None: rows are arbitrary (a reference's parent rows), no random streams
    rows: np.ndarray  # global row index of each row (virtual index for array items)
    generate: Generator
    positions: np.ndarray | None = None  # position inside its array, for array items
    scope: str = ""  # "" for an entity's rows, "tags[]" for the items of array tags
    parent: Frame | None = None
    parent_rows: np.ndarray | None = None  # which parent row each item belongs to
    cache: dict[str, pa.Array] = field(default_factory=dict)
    busy: set[str] = field(default_factory=set)
    # draw name -> (weight column, record index per row): the record a draw group reads
    draws: dict[str, tuple[str | None, np.ndarray]] = field(default_factory=dict)
    # field path -> its few distinct values and each row's index in them, or None: worked out
    # once per frame for the expressions that read the field (pipeline.engine.expressions)
    distinct: dict[str, Any] = field(default_factory=dict)
    # field path -> how its dictionary is decoded, for a field that knows a cheaper way than
    # Arrow's take (texts computed per combination, pipeline.engine.expressions)
    decoders: dict[str, Callable[[pa.Array], pa.Array]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.rows)

    def rng(self, path: str) -> np.random.Generator:
        if self.block is None:
            raise EngineError(f"{path} cannot be derived from a row index")
        return block_stream(self.job.seed, self.job.entity, path, self.block)

    def _local(self, path: str) -> bool:
        return (
            not self.scope
            or path == self.scope
            or path.startswith((self.scope + ".", self.scope + "["))
        )

    def encoded(self, path: str) -> pa.Array:
        """The values of a field (possibly dictionary-encoded), nulls applied, cached."""
        if not self._local(path):
            assert self.parent is not None and self.parent_rows is not None
            return self.parent.encoded(path).take(pa.array(self.parent_rows))
        hit = self.cache.get(path)
        if hit is not None:
            return hit
        if path in self.busy:
            raise EngineError(f"{path} refers to itself through templates")
        self.busy.add(path)
        spec = self.job.field(path).spec
        values = self.with_missing(path, spec, self.generate(self, path, spec))
        self.busy.discard(path)
        self.cache[path] = values
        return values

    def column(self, path: str) -> pa.Array:
        values = self.encoded(path)
        if not isinstance(values, pa.DictionaryArray):
            return values
        # Expressions and the writer both read a field's plain values: decode it once.
        key = path + "#decoded"
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = self.decoders.get(path, decode)(values)
        return hit

    def with_missing(self, path: str, spec: Field, values: pa.Array) -> pa.Array:
        """``values`` null where the field at ``path`` draws a null or an absent key."""
        if spec.null_rate > 0:
            values = apply_nulls(values, self.null_mask(path, spec.null_rate))
        if spec.absent_rate:
            values = apply_nulls(values, self.absent_mask(path, spec.absent_rate))
        return values

    def null_mask(self, path: str, rate: float) -> np.ndarray:
        return self._mask(path + "#null", rate)

    def absent_mask(self, path: str, rate: float) -> np.ndarray:
        """Where the field is absent: a stream of its own, so ``absent_rate`` changes no other
        draw."""
        return self._mask(path + "#absent", rate)

    def _mask(self, label: str, rate: float) -> np.ndarray:
        if self.block is not None:
            return self.rng(label).random(self.n) < rate
        # Arbitrary rows: draw each touched block's prefix so the mask matches generation.
        blocks = self.rows // BLOCK_ROWS
        offsets = self.rows % BLOCK_ROWS
        mask = np.empty(self.n, dtype=bool)
        for b in np.unique(blocks):
            where = blocks == b
            stream = block_stream(self.job.seed, self.job.entity, label, int(b))
            draws = stream.random(int(offsets[where].max()) + 1)
            mask[where] = draws[offsets[where]] < rate
        return mask


def output_field(name: str, spec: Field, kind: pa.DataType) -> pa.Field:
    """The Arrow field a field is written as: its output name, and marked when its nulls are
    absent keys (storage.formats.absent)."""
    metadata = ABSENT_METADATA if spec.absent_rate is not None else None
    return pa.field(spec.output_name or name, kind, metadata=metadata)


def decode(values: pa.Array) -> pa.Array:
    if isinstance(values, pa.DictionaryArray):
        return values.dictionary.take(values.indices)
    return values


def keep_where(values: pa.Array, holds: Truth) -> pa.Array:
    """The values, null where ``holds`` is false (a ``when:``)."""
    if isinstance(holds, np.ndarray):
        if holds.all():
            return values
        mask = holds
    elif holds.true_count == len(holds):
        return values
    elif holds.offset == 0 and _bare(values):
        # Booleans without nulls: their bits are the validity as they are.
        return _with_validity(values, holds.buffers()[1])
    else:
        mask = as_mask(holds)
    if _bare(values):
        return _with_validity(values, pa.py_buffer(np.packbits(mask, bitorder="little")))
    return apply_nulls(values, ~mask)


def as_mask(holds: Truth) -> np.ndarray:
    if isinstance(holds, np.ndarray):
        return holds
    return np.asarray(holds.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _bare(values: pa.Array) -> bool:
    """Values whose validity is one buffer of their own that can be set: none yet."""
    return values.offset == 0 and values.null_count == 0 and _flat(values.type)


def _with_validity(values: pa.Array, validity: pa.Buffer) -> pa.Array:
    return pa.Array.from_buffers(values.type, len(values), [validity, *values.buffers()[1:]])


def _flat(kind: pa.DataType) -> bool:
    """A validity buffer and data of its own (decimals and fixed-size bytes too)."""
    return (
        pa.types.is_primitive(kind)
        or pa.types.is_string(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_fixed_size_binary(kind)
    )


def apply_nulls(values: pa.Array, mask: np.ndarray) -> pa.Array:
    if not mask.any():
        return values
    if isinstance(values, pa.DictionaryArray):
        if values.null_count:  # nulls already there (a `when`) stay
            mask = mask | np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), dtype=bool)
        plain = values.indices.fill_null(0) if values.null_count else values.indices
        indices = pa.array(plain.to_numpy(zero_copy_only=False), mask=mask)
        return pa.DictionaryArray.from_arrays(indices, values.dictionary)
    kind = values.type
    if pa.types.is_null(kind):
        return values
    if _bare(values):
        return _with_validity(values, pa.py_buffer(np.packbits(~mask, bitorder="little")))
    if values.offset == 0 and not values.null_count:
        # Lists and objects take the nulls as their own validity, their items untouched:
        # Arrow's if_else would copy every item.
        if type(values) in (pa.ListArray, pa.LargeListArray):  # not a map, a kind of list
            return type(values).from_arrays(values.offsets, values.values, mask=pa.array(mask))
        if isinstance(values, pa.MapArray):
            return pa.MapArray.from_arrays(
                values.offsets, values.keys, values.items, type=kind, mask=pa.array(mask)
            )
        if isinstance(values, pa.StructArray):
            children = [values.field(i) for i in range(kind.num_fields)]
            return pa.StructArray.from_arrays(children, fields=list(kind), mask=pa.array(mask))
    return pc.if_else(pa.array(mask), pa.scalar(None, kind), values)
