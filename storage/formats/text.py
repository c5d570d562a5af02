"""Column values as text, vectorised with pyarrow.compute, for the json and csv writers."""

from __future__ import annotations

import base64
import functools

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from storage.calendar import split_days
from storage.formats.absent import has_absent, without_absent
from storage.formats.rows import joined

# Datetimes are written with microseconds and a Z in every format: 2021-03-04T05:06:07.000000Z.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A timestamp without zone is wall-clock time: the same text without the Z.
NAIVE_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"
_CONTROL = r"[\x00-\x1f]"
CSV_QUOTED = '",\r\n'  # RFC 4180: a field holding one of these is quoted
_NEEDS_QUOTES = f"[{CSV_QUOTED}]"
_SHORT_ESCAPES = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}


_STAMP = b"0000-00-00T00:00:00.000000Z"
_PAIRS = np.array([[48 + n // 10, 48 + n % 10] for n in range(100)], dtype=np.uint8)
_LAST_DAY = 2932896  # 9999-12-31, days after 1970-01-01


def timestamps_text(values: pa.Array) -> pa.Array:
    """``2021-03-04T05:06:07.000000Z`` for each UTC microsecond timestamp.

    Arrow's strftime formats one value at a time through a calendar library; this writes the
    fixed-width digits for the whole column with numpy, for the years 0001 to 9999 (anything
    else goes through strftime, which gives the same text)."""
    kind = values.type
    if kind.tz is None:  # wall-clock time: no Z
        return pc.strftime(values, format=NAIVE_TIMESTAMP_FORMAT)
    if kind.unit != "us" or kind.tz not in ("UTC", "+00:00"):
        return pc.strftime(values, format=TIMESTAMP_FORMAT)
    micros = values.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    days, in_day = np.divmod(micros, 86_400_000_000)
    if len(days) and (days.min() < -719162 or days.max() > _LAST_DAY):
        return pc.strftime(values, format=TIMESTAMP_FORMAT)
    year, month, day = split_days(days)
    seconds, micro = np.divmod(in_day, 1_000_000)
    minutes, second = np.divmod(seconds, 60)
    hour, minute = np.divmod(minutes, 60)
    out = np.empty((len(micros), len(_STAMP)), dtype=np.uint8)
    out[:] = np.frombuffer(_STAMP, dtype=np.uint8)
    # Two digits at a time, from a table of "00" to "99".
    pairs = (
        (0, year // 100), (2, year % 100), (5, month), (8, day), (11, hour), (14, minute),
        (17, second), (20, micro // 10_000), (22, micro // 100 % 100), (24, micro % 100),
    )  # fmt: skip
    for start, part in pairs:
        out[:, start : start + 2] = _PAIRS[part]
    offsets = np.arange(0, (len(micros) + 1) * len(_STAMP), len(_STAMP), dtype=np.int32)
    validity = values.buffers()[0] if values.null_count else None
    if validity is not None and values.offset:
        validity = pc.is_valid(values).buffers()[1]
    return pa.StringArray.from_buffers(
        len(micros), pa.py_buffer(offsets), pa.py_buffer(out.tobytes()), validity,
        values.null_count,
    )  # fmt: skip


def binary_text(values: pa.Array) -> pa.Array:
    """Bytes as standard base64 text (nulls stay null): json holds no raw bytes."""
    encode = base64.b64encode
    return pa.array(
        [None if v is None else encode(v).decode() for v in values.to_pylist()], type=pa.string()
    )


def binary_hex(values: pa.Array, prefix: str = "\\x") -> pa.Array:
    """Bytes as ``prefix`` and hex digits, nulls kept: by default ``\\x`` and the digits, the
    text PostgreSQL's COPY reads into BYTEA (csv)."""
    return pa.array(
        [None if v is None else prefix + v.hex() for v in values.to_pylist()], type=pa.string()
    )


def is_binary(kind: pa.DataType) -> bool:
    return bool(pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def _has(values: pa.Array, regex: str) -> bool:
    return bool(pc.any(pc.match_substring_regex(values, regex)).as_py())


def json_escape(values: pa.Array) -> pa.Array:
    """RFC 8259 string bodies (without the quotes); untouched when nothing needs escaping.

    Only the values that need it go through the replacements (when they are few)."""
    if not _needs_json_escape(values):
        return values
    rows = _rows_to_escape(values)
    if 2 * len(rows) >= len(values):
        return _escaped(values)
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), _escaped(values.take(pa.array(rows))))


def _escaped(values: pa.Array) -> pa.Array:
    values = pc.replace_substring(values, "\\", "\\\\")
    values = pc.replace_substring(values, '"', '\\"')
    if _has(values, _CONTROL):
        for code in range(32):
            char = chr(code)
            if _has(values, _regex_char(code)):
                escaped = _SHORT_ESCAPES.get(code, f"\\u{code:04x}")
                values = pc.replace_substring(values, char, escaped)
    return values


def _needs_json_escape(values: pa.Array) -> bool:
    # A scan of the column's bytes for each of the two characters and a minimum for the
    # control characters: far cheaper than a regex per value.
    text = bytes(string_bytes(values))
    if b'"' in text or b"\\" in text:
        return True
    return bool(len(text)) and int(np.frombuffer(text, dtype=np.uint8).min()) < 0x20


def _rows_to_escape(values: pa.Array) -> np.ndarray:
    """The positions of the values holding a byte JSON escapes (a quote, a backslash or a
    control character)."""
    data = np.frombuffer(string_bytes(values), dtype=np.uint8)
    found = np.flatnonzero((data < 0x20) | (data == 0x22) | (data == 0x5C))
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    return np.unique(np.searchsorted(offsets, found + offsets[0], side="right") - 1)


def _regex_char(code: int) -> str:
    return f"\\x{code:02x}"


def temporal_as_text(values: pa.Array) -> pa.Array:
    """Nested values with timestamps written as text, so nested and flat columns agree."""
    kind = values.type
    if values.offset and values.null_count and (pa.types.is_list(kind) or pa.types.is_map(kind)):
        # A slice of a batch: Arrow takes no validity with offsets that do not start the array.
        values = pa.concat_arrays([values])
    if pa.types.is_timestamp(kind):
        return timestamps_text(values)
    if is_binary(kind):
        return binary_text(values)
    if pa.types.is_struct(kind):
        children = [temporal_as_text(child) for child in values.flatten()]
        mask = pc.is_null(values) if values.null_count else None
        return pa.StructArray.from_arrays(children, fields=_fields(kind, children), mask=mask)
    if pa.types.is_map(kind):
        mask = pc.is_null(values) if values.null_count else None
        keys, items = temporal_as_text(values.keys), temporal_as_text(values.items)
        return pa.MapArray.from_arrays(values.offsets, keys, items, mask=mask)
    if pa.types.is_list(kind):
        mask = pc.is_null(values) if values.null_count else None
        offsets = values.offsets
        return pa.ListArray.from_arrays(offsets, temporal_as_text(values.values), mask=mask)
    return values


def _fields(kind: pa.StructType, children: list[pa.Array]) -> list[pa.Field]:
    return [pa.field(f.name, c.type) for f, c in zip(kind, children, strict=True)]


def nested_json(values: pa.Array) -> pa.Array:
    """JSON text of struct/list values (the slower path, only for nested columns)."""
    encode = msgspec.json.encode
    plain = temporal_as_text(values).to_pylist(maps_as_pydicts="lossy")
    if has_absent(values.type):
        plain = [without_absent(v, values.type) for v in plain]
    return pa.array([None if v is None else encode(v).decode() for v in plain], type=pa.string())


def scalar_text(values: pa.Array) -> pa.Array:
    """Numbers, booleans and dates as text (nulls stay null), the text Arrow's cast gives.

    Booleans, and integers or dates over a short range, come as a dictionary of their text:
    each distinct value is formatted once, and the writers pick it by index.
    """
    kind = values.type
    if pa.types.is_timestamp(kind):
        return timestamps_text(values)
    if is_binary(kind):
        return binary_text(values)
    if pa.types.is_null(kind):
        return pa.nulls(len(values), type=pa.string())
    coded = coded_text(values)
    if coded is not None:
        return coded
    if pa.types.is_float64(kind):
        return float_text(values)
    return values.cast(pa.string())


_BOOLEANS = pa.array(["false", "true"], type=pa.string())
_SPAN = 4096  # the widest range of integers or days formatted as a dictionary


def coded_text(values: pa.Array) -> pa.DictionaryArray | None:
    """Booleans, and integers or dates spanning at most ``_SPAN`` values, as a dictionary of
    their text (a null has a null index); None for other columns."""
    kind = values.type
    if pa.types.is_boolean(kind):
        return pa.DictionaryArray.from_arrays(values.cast(pa.int8()), _BOOLEANS)
    if not (pa.types.is_integer(kind) or pa.types.is_date32(kind)) or not len(values):
        return None
    numbers = values.cast(pa.int32()) if pa.types.is_date32(kind) else values
    bounds = pc.min_max(numbers)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None or high - low >= _SPAN:
        return None
    words = pa.array(range(low, high + 1), type=numbers.type).cast(kind).cast(pa.string())
    codes = pc.subtract(numbers, pa.scalar(low, numbers.type)).cast(pa.int32())
    return pa.DictionaryArray.from_arrays(codes, words)


_PLACES = (2, 4)  # decimals tried, in order: money first
_FLOAT_LIMIT = 1e9  # below it Arrow writes a float's digits without an exponent


def float_text(values: pa.Array) -> pa.Array:
    """Doubles as the shortest text that reads back as the same double (Arrow's cast).

    Doubles that are a whole number of hundredths or ten-thousandths below ``_FLOAT_LIMIT``
    (money, measures) print as their integer part and a dictionary of decimals: a double
    that is the nearest one to such a decimal has that decimal as its shortest text (minus
    trailing zeros). Other columns take Arrow's cast.
    """
    numbers = values.to_numpy(zero_copy_only=False)
    if values.null_count:
        numbers = np.nan_to_num(numbers, nan=0.0)
    negative = np.signbit(numbers)
    magnitude = np.abs(numbers)
    if not len(numbers) or not bool(np.all(magnitude < _FLOAT_LIMIT)):
        return values.cast(pa.string())
    for places in _PLACES:
        scale = 10**places
        scaled = np.rint(magnitude * scale)
        if bool(np.all(scaled / scale == magnitude)):
            whole, part = np.divmod(scaled.astype(np.int64), scale)
            pieces: list[pa.Array] = []
            if negative.any():
                pieces.append(pa.DictionaryArray.from_arrays(negative.view(np.int8), _SIGNS))
            pieces.append(scalar_text(pa.array(whole)))
            pieces.append(pa.DictionaryArray.from_arrays(part, _decimals(places)))
            return _valid_as(joined(pieces, len(numbers)), values)
    return values.cast(pa.string())


_SIGNS = pa.array(["", "-"], type=pa.string())


@functools.lru_cache(maxsize=len(_PLACES))
def _decimals(places: int) -> pa.Array:
    """The text after the integer part of each count of 10**-places: "", ".5", ".05"..."""
    words = [("." + f"{n:0{places}d}".rstrip("0")) if n else "" for n in range(10**places)]
    return pa.array(words, type=pa.string())


def _valid_as(text: pa.Array, values: pa.Array) -> pa.Array:
    """``text`` with the nulls of ``values``."""
    if not values.null_count:
        return text
    return pc.if_else(pc.is_valid(values), text, pa.scalar(None, pa.string()))


def json_parts(values: pa.Array, nulls: bool = True) -> tuple[str, pa.Array, str]:
    """A column's JSON text as (opening, values, closing), to be joined in that order.

    A string, date or datetime column without nulls leaves its quotes to the caller, which can
    fold them into the text around the column instead of joining them onto every value. The
    values may be a dictionary of text (a dictionary column, booleans, short ranges): each
    distinct value is formatted once.
    ``nulls=False``: a null stays null (a key the caller leaves out) instead of ``null``.
    """
    if isinstance(values, pa.DictionaryArray):
        opening, words, closing = json_parts(values.dictionary)
        if not values.null_count:
            return opening, _picked(values, plain_text(words), ""), closing
        words = pc.binary_join_element_wise(opening, plain_text(words), closing, "")
        if not nulls:
            return "", pa.DictionaryArray.from_arrays(values.indices, words), ""
        return "", _picked(values, words, "null"), ""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text, quoted = json_escape(values.cast(pa.string())), True
    elif pa.types.is_nested(kind):
        text, quoted = nested_json(values), False
    elif pa.types.is_date(kind) or pa.types.is_timestamp(kind) or is_binary(kind):
        text, quoted = scalar_text(values), True
    else:
        text, quoted = scalar_text(values), False
    if text.null_count:
        text = _quote(text) if quoted else text
        return "", _filled(text, "null") if nulls else text, ""
    return ('"', text, '"') if quoted else ("", text, "")


def csv_values(values: pa.Array) -> pa.Array:
    """A column's csv fields (nulls empty), possibly a dictionary of text."""
    if isinstance(values, pa.DictionaryArray):
        return _picked(values, plain_text(csv_values(values.dictionary)), "")
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = csv_quote(values.cast(pa.string()))
    elif pa.types.is_nested(kind):
        text = csv_quote(nested_json(values))
    elif is_binary(kind):
        text = binary_hex(values)
    else:
        text = scalar_text(values)
    return _filled(text, "") if text.null_count else text


def csv_quote(values: pa.Array) -> pa.Array:
    """RFC 4180: quote a field only when it holds a quote, comma or line break."""
    if not needs_csv_quotes(values):
        return values
    needs = pc.match_substring_regex(values, _NEEDS_QUOTES)
    quoted = _quote(pc.replace_substring(values, '"', '""'))
    return pc.if_else(needs, quoted, values)


_QUOTED_BYTES = tuple(char.encode() for char in CSV_QUOTED)


def needs_csv_quotes(values: pa.Array) -> bool:
    """Whether any value of a string column holds a character RFC 4180 quotes."""
    # One scan of the column's bytes per character: far cheaper than a regex per value.
    text = bytes(string_bytes(values))
    return any(char in text for char in _QUOTED_BYTES)


def plain_text(values: pa.Array) -> pa.Array:
    """Text, decoded if it is a dictionary."""
    if isinstance(values, pa.DictionaryArray):
        return values.dictionary.cast(pa.string()).take(values.indices)
    return values


def _picked(values: pa.DictionaryArray, words: pa.Array, null: str) -> pa.DictionaryArray:
    """``words`` (the text of each value of the dictionary) picked by ``values``' indices; a
    null index picks ``null``."""
    codes = values.indices
    if codes.null_count:
        words = pa.concat_arrays([words.cast(pa.string()), pa.array([null], type=pa.string())])
        codes = pc.fill_null(codes.cast(pa.int32()), len(words) - 1)
    return pa.DictionaryArray.from_arrays(codes, words)


def _filled(values: pa.Array, null: str) -> pa.Array:
    if isinstance(values, pa.DictionaryArray):
        return _picked(values, values.dictionary, null)
    return pc.fill_null(values, null)


def _quote(values: pa.Array) -> pa.Array:
    if isinstance(values, pa.DictionaryArray):
        return pa.DictionaryArray.from_arrays(values.indices, _quote(values.dictionary))
    return pc.binary_join_element_wise('"', values, '"', "")


def string_bytes(values: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a string array without copying."""
    if len(values) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    start = int(offsets[values.offset])
    stop = int(offsets[values.offset + len(values)])
    data = values.buffers()[2]
    return memoryview(data)[start:stop] if data is not None else memoryview(b"")
