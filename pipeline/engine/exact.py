"""Values written with their declared widths: exact decimals, sized integers and floats,
binary, timestamps without zone, and text cut to a ``max_length``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.frame import Frame
from pipeline.schema import model as m
from pipeline.schema.widths import binary_max_length, decimal_bounds

_INT_TYPES = {
    (8, False): pa.int8(),
    (16, False): pa.int16(),
    (32, False): pa.int32(),
    (64, False): pa.int64(),
    (8, True): pa.uint8(),
    (16, True): pa.uint16(),
    (32, True): pa.uint32(),
    (64, True): pa.uint64(),
}
_INT64_SPAN = 2**63 - 1


def integer_type(spec: m.Integer) -> pa.DataType:
    return _INT_TYPES[(spec.width, spec.unsigned)]


def sized_integers(values: pa.Array, spec: m.Integer) -> pa.Array:
    """int64 values in [min, max] as the declared type (validation keeps them in range)."""
    kind = integer_type(spec)
    return values if kind == values.type else values.cast(kind)


def sized_floats(values: pa.Array, spec: m.Float) -> pa.Array:
    if spec.width == 64:
        return values
    # float32 rounding may step just past a bound: clip in float32 so values stay in range.
    narrow = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float32)
    low, high = np.float32(spec.min), np.float32(spec.max)
    low = low if low >= spec.min else np.nextafter(low, np.float32(np.inf))
    high = high if high <= spec.max else np.nextafter(high, np.float32(-np.inf))
    return pa.array(np.clip(narrow, low, high), type=pa.float32())


def decimal_type(spec: m.Decimal) -> pa.DataType:
    return pa.decimal128(spec.precision, spec.scale)


def gen_decimal(frame: Frame, path: str, spec: m.Decimal) -> pa.Array:
    """Uniform unscaled integers in [min, max] laid out as decimal128: never a float."""
    low, high = decimal_bounds(spec)
    rng = frame.rng(path)
    span = high - low
    if span <= _INT64_SPAN:
        steps = rng.integers(0, span, frame.n, endpoint=True, dtype=np.int64)
        lo_word, hi_word = _add128(low, steps)
    else:
        # Wider than int64: 192 random bits per value, reduced modulo the span (bias < 2**-64).
        words = rng.integers(0, 2**64, (frame.n, 3), dtype=np.uint64, endpoint=False)
        values = [low + ((int(a) << 128 | int(b) << 64 | int(c)) % (span + 1)) for a, b, c in words]
        data = b"".join(v.to_bytes(16, "little", signed=True) for v in values)
        return pa.Array.from_buffers(decimal_type(spec), frame.n, [None, pa.py_buffer(data)])
    words128 = np.empty((frame.n, 2), dtype=np.uint64)
    words128[:, 0] = lo_word
    words128[:, 1] = hi_word
    return pa.Array.from_buffers(decimal_type(spec), frame.n, [None, pa.py_buffer(words128)])


def _add128(base: int, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 128-bit two's complement words (low, high) of base + steps (steps >= 0)."""
    unsigned = base % 2**128
    base_lo = np.uint64(unsigned & (2**64 - 1))
    base_hi = np.uint64(unsigned >> 64)
    lo = steps.astype(np.uint64) + base_lo  # wraps modulo 2**64
    carry = (lo < base_lo).astype(np.uint64)
    return lo, base_hi + carry


def gen_binary(frame: Frame, path: str, spec: m.Binary) -> pa.Array:
    lengths = frame.rng(path).integers(
        spec.min_length, binary_max_length(spec), frame.n, endpoint=True
    )
    offsets = np.zeros(frame.n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    # The bytes from a stream of their own: a row's bytes then start at the same place in it
    # whatever rows follow, so values do not depend on where a shard ends.
    data = frame.rng(path + "#bytes").integers(0, 256, int(offsets[-1]), dtype=np.uint8)
    return pa.Array.from_buffers(
        pa.binary(), frame.n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)]
    )


def naive_timestamps(values: pa.Array, spec: m.Datetime) -> pa.Array:
    """``timezone: false``: the same wall-clock values as a timestamp without zone."""
    if spec.timezone:
        return values
    return values.cast(pa.timestamp("us"))


def truncated(values: pa.Array, max_length: int) -> pa.Array:
    """Text cut to ``max_length`` characters; other values as they are."""
    if isinstance(values, pa.DictionaryArray):
        dictionary = truncated(values.dictionary, max_length)
        if dictionary is values.dictionary:
            return values
        return pa.DictionaryArray.from_arrays(values.indices, dictionary)
    kind = values.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return values
    if len(values) == 0 or pc.max(pc.utf8_length(values)).as_py() <= max_length:
        return values
    return pc.utf8_slice_codeunits(values, 0, max_length)
