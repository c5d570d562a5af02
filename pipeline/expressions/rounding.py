"""round() of floats to a number of decimals, ties away from zero.

A column is scaled to whole numbers, rounded and scaled back in numpy, reading the Arrow buffer
in place: Arrow's round skips nulls one bit at a time, which costs more than the arithmetic
when nulls are scattered (a field with a ``when:``). Each value is what Arrow's
``round(x, round_mode="half_towards_infinity")`` between the two scalings gives, bit for bit,
and a null row holds 0 as after Arrow's kernels.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.expressions.values import Datum

_TIES_AWAY = "half_towards_infinity"
# -0.5 + 2**-54: 1 + x gives 0.5, so Arrow rounds it to -1.
_FALSE_TIE = -0.49999999999999994
# Apart from halves, only the false tie and its opposite are this far from a whole number.
_NEAR_HALF = -_FALSE_TIE


def round_float(number: Datum, digits: int) -> Datum:
    """Floats rounded to ``digits`` decimals (negative: tens, hundreds...)."""
    scale = 10.0 ** abs(digits)
    if isinstance(number, pa.ChunkedArray):
        number = number.combine_chunks()
    if not isinstance(number, pa.Array) or number.offset or number.type != pa.float64():
        return _by_arrow(number, scale, digits)
    values = np.frombuffer(number.buffers()[1], dtype=np.float64, count=len(number))
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * scale if digits >= 0 else values / scale
        # Ties to even first, exact and one pass; then the few rows where that can differ from
        # ties away from zero (a half, or the false tie) are rounded again the long way. The
        # gap to the whole number is exact, so those rows' values are the whole plus the gap,
        # and the scaled values' array can hold the gaps: one array the size of the column less.
        whole = np.rint(scaled)
        gap = np.subtract(scaled, whole, out=scaled)
        near = np.flatnonzero((gap >= _NEAR_HALF) | (gap <= -_NEAR_HALF))
        if len(near):
            whole[near] = _away_from_zero(whole[near] + gap[near])
        if digits >= 0:
            np.divide(whole, scale, out=whole)
        else:
            np.multiply(whole, scale, out=whole)
    if not number.null_count:
        return pa.array(whole, type=pa.float64())
    valid = np.unpackbits(
        np.frombuffer(number.buffers()[0], dtype=np.uint8), count=len(number), bitorder="little"
    )
    # 0 under the nulls: the bits times 0 or 1, which (unlike the floats) also clears a
    # negative number, an infinity or a NaN, and costs less than a masked copy.
    bits = whole.view(np.int64)
    np.multiply(bits, valid, out=bits)
    return pa.Array.from_buffers(
        pa.float64(), len(number), [number.buffers()[0], pa.py_buffer(whole)], number.null_count
    )


def _away_from_zero(scaled: np.ndarray) -> np.ndarray:
    """Whole numbers, ties away from zero, as Arrow rounds them."""
    size = np.abs(scaled)
    whole = np.floor(size)
    # Exact: a positive double minus its floor loses no bits.
    whole += np.subtract(size, whole, out=size) >= 0.5
    np.copysign(whole, scaled, out=whole)
    # Arrow takes the fraction as x - floor(x), which for this one value rounds to a tie.
    whole[scaled == _FALSE_TIE] = -1.0
    return whole


def _by_arrow(number: Datum, scale: float, digits: int) -> Datum:
    if digits == 0:
        return pc.round(number, round_mode=_TIES_AWAY)
    # Scaled to a whole number, rounded, and divided back: Arrow's own rounding to decimals
    # multiplies by the inverse power of ten, which writes 254.7 as 254.70000000000002.
    if digits > 0:
        whole = pc.round(pc.multiply(number, scale), round_mode=_TIES_AWAY)
        return pc.divide(whole, scale)
    whole = pc.round(pc.divide(number, scale), round_mode=_TIES_AWAY)
    return pc.multiply(whole, scale)
