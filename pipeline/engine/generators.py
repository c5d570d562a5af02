"""One generator per field type: (frame, path, spec) -> Arrow array of frame.n values.

Row-index types (sequence, uuid, every ``unique`` field) use only ``frame.rows`` and keyed
bijections, so any row's value can be recomputed alone (references rely on this).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from pipeline.engine import exact, groups, patterns, records, templates, tuples
from pipeline.engine.distributions import draw_floats, draw_integers
from pipeline.engine.errors import EngineError
from pipeline.engine.expressions import gen_cases, gen_expression, with_condition
from pipeline.engine.frame import Frame, Job, output_field
from pipeline.engine.items import item_frame
from pipeline.engine.lookups import gen_lookup, reference_rows, related_job
from pipeline.engine.maps import gen_map
from pipeline.engine.picks import permuted, pick, value_space
from pipeline.engine.pools import PoolError, mimesis_pool
from pipeline.engine.uuids import uuid_array, uuid_strings, uuid_words
from pipeline.engine.values import to_arrow
from pipeline.schema.model import (
    Array,
    Binary,
    Boolean,
    Cases,
    Choice,
    Constant,
    Date,
    Datetime,
    Decimal,
    Expression,
    Field,
    Float,
    Integer,
    Lookup,
    Map,
    Mimesis,
    Object,
    Pattern,
    Provider,
    Reference,
    Sequence,
    Template,
    Uuid,
)
from pipeline.schema.space import distinct_values

_EPOCH_DAY = np.datetime64("1970-01-01", "D")
_TS = pa.timestamp("us", tz="UTC")


def _as_int64(perm: np.ndarray, low: int) -> np.ndarray:
    return perm.view(np.int64) + np.int64(low)


def gen_sequence(frame: Frame, path: str, spec: Sequence) -> pa.Array:
    base = frame.positions if frame.positions is not None else frame.rows
    if spec.scope == "parent":
        base = groups.group_positions(frame)
    return pa.array(spec.start + base.astype(np.int64) * spec.step, type=pa.int64())


def gen_uuid(frame: Frame, path: str, spec: Uuid) -> pa.Array:
    return uuid_strings(frame.rows, _uuid_keys(frame, path))


def uuid_bytes(frame: Frame, path: str) -> pa.Array | None:
    """The ``arrow.uuid`` values of a uuid field's text, made from the same words; the text
    itself is made only for its nulls (a ``null_rate``, an absent key, a ``when``). None for a
    text that may be cut (``max_length``), which is then parsed."""
    spec = frame.job.field(path).spec
    if not isinstance(spec, Uuid) or spec.max_length is not None:
        return None
    words = uuid_words(frame.rows, _uuid_keys(frame, path))
    sometimes_null = spec.null_rate or spec.absent_rate or spec.when is not None
    return uuid_array(words, frame.encoded(path) if sometimes_null else None)


def _uuid_keys(frame: Frame, path: str) -> np.ndarray:
    return frame.job.keys(path + "#uuid", 2)


def gen_integer(frame: Frame, path: str, spec: Integer) -> pa.Array:
    if spec.unique:
        values = _as_int64(permuted(frame, path), spec.min)
    else:
        values = draw_integers(frame.rng(path), frame.n, spec.min, spec.max, spec.distribution)
    return exact.sized_integers(pa.array(values, type=pa.int64()), spec)


def gen_float(frame: Frame, path: str, spec: Float) -> pa.Array:
    if spec.unique:
        if spec.decimals is None:
            raise EngineError(f"{path}: a unique float needs decimals")
        scale = 10**spec.decimals
        low = int(np.ceil(spec.min * scale))
        steps = _as_int64(permuted(frame, path), low)
        return exact.sized_floats(pa.array(steps / scale, type=pa.float64()), spec)
    values = draw_floats(frame.rng(path), frame.n, spec.min, spec.max, spec.distribution)
    if spec.decimals is not None:
        values = np.clip(np.round(values, spec.decimals), spec.min, spec.max)
    return exact.sized_floats(pa.array(values, type=pa.float64()), spec)


def gen_boolean(frame: Frame, path: str, spec: Boolean) -> pa.Array:
    if spec.unique:
        return pa.array(permuted(frame, path) == 1)
    return pa.array(frame.rng(path).random(frame.n) < spec.true_rate)


def _choice_pool(spec: Choice) -> pa.Array:
    return _cached_values(msgspec.json.encode(spec.values), spec.unique)


@functools.lru_cache(maxsize=1024)
def _cached_values(encoded: bytes, unique: bool) -> pa.Array:
    values = msgspec.json.decode(encoded)
    return to_arrow(distinct_values(values) if unique else values)


def gen_choice(frame: Frame, path: str, spec: Choice) -> pa.Array:
    weights = None if spec.unique else spec.weights
    return pick(frame, path, _choice_pool(spec), spec.unique, weights)


def provider_pool(job: Job, name: str, unique: bool) -> pa.Array:
    values = job.providers.get(name)
    if not values:
        raise EngineError(f"provider {name} has no data")
    return to_arrow(distinct_values(values) if unique else list(values))


def gen_provider(frame: Frame, path: str, spec: Provider) -> pa.Array:
    if spec.column is not None:
        return records.gen_record_column(frame, path, spec)
    if records.holds_records(frame.job, spec.name):
        raise EngineError(f"{path}: provider {spec.name} holds records: name a `column`")
    return pick(frame, path, provider_pool(frame.job, spec.name, spec.unique), spec.unique)


def gen_mimesis(frame: Frame, path: str, spec: Mimesis) -> pa.Array:
    locale = spec.locale or frame.job.schema.locale
    try:
        pool = mimesis_pool(locale, spec.method, dict(spec.args))
    except PoolError as exc:
        raise EngineError(f"{path}: {exc}") from exc
    return pick(frame, path, pool, False)


def gen_constant(frame: Frame, path: str, spec: Constant) -> pa.Array:
    if spec.value is None:
        return pa.nulls(frame.n)
    return pa.repeat(to_arrow([spec.value])[0], frame.n)


def gen_date(frame: Frame, path: str, spec: Date) -> pa.Array:
    start = int((np.datetime64(spec.start, "D") - _EPOCH_DAY).astype(np.int64))
    if spec.unique:
        days = _as_int64(permuted(frame, path), start)
    else:
        span = (spec.end - spec.start).days
        days = start + frame.rng(path).integers(0, span, frame.n, endpoint=True)
    return pa.array(days.astype(np.int32), type=pa.date32())


def gen_datetime(frame: Frame, path: str, spec: Datetime) -> pa.Array:
    start = int(pa.scalar(spec.start, type=_TS).value)
    if spec.unique:
        micros = _as_int64(permuted(frame, path), start)
    else:
        end = int(pa.scalar(spec.end, type=_TS).value)
        micros = start + frame.rng(path).integers(0, end - start, frame.n, endpoint=True)
    return exact.naive_timestamps(pa.array(micros.astype(np.int64), type=_TS), spec)


def gen_pattern(frame: Frame, path: str, spec: Pattern) -> pa.Array:
    if spec.unique:
        domain = patterns.unique_domain(value_space(frame, path))
        return patterns.decode_patterns(spec.pattern, permuted(frame, path, domain))
    return patterns.random_patterns(spec.pattern, frame.rng(path), frame.n)


def gen_template(frame: Frame, path: str, spec: Template) -> pa.Array:
    return templates.render(frame, path)


def gen_object(frame: Frame, path: str, spec: Object) -> pa.Array:
    names = list(spec.fields)
    children = [frame.column(f"{path}.{name}") for name in names]
    if not names:
        return pa.array([{}] * frame.n, type=pa.struct([]))
    fields = [
        output_field(name, sub, child.type)
        for (name, sub), child in zip(spec.fields.items(), children, strict=True)
    ]
    return pa.StructArray.from_arrays(children, fields=fields)


def gen_array(frame: Frame, path: str, spec: Array) -> pa.Array:
    offsets, items = item_frame(frame, path, spec.min_items, spec.max_items)
    values = items.column(path + "[]")
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def gen_reference(frame: Frame, path: str, spec: Reference) -> pa.Array:
    target = frame.job.field(path).reference
    assert target is not None
    if target.field is None:
        raise EngineError(
            f"{path}: entity {spec.entity} has no sequence or uuid field to reference"
        )
    if target.spec is None:
        raise EngineError(f"{path}: entity {spec.entity} has no field {target.field}")
    rows = reference_rows(frame, path)
    lookup = Frame(related_job(frame.job, spec.entity), None, rows, generate)
    return lookup.column(target.field)


GENERATORS: dict[type, Callable[[Frame, str, Any], pa.Array]] = {
    Sequence: gen_sequence,
    Uuid: gen_uuid,
    Integer: gen_integer,
    Float: gen_float,
    Boolean: gen_boolean,
    Choice: gen_choice,
    Provider: gen_provider,
    Mimesis: gen_mimesis,
    Constant: gen_constant,
    Date: gen_date,
    Datetime: gen_datetime,
    Pattern: gen_pattern,
    Template: gen_template,
    Object: gen_object,
    Array: gen_array,
    Reference: gen_reference,
    Lookup: gen_lookup,
    Decimal: exact.gen_decimal,
    Binary: exact.gen_binary,
    Map: gen_map,
    Expression: gen_expression,
    Cases: gen_cases,
}


def generate(frame: Frame, path: str, spec: Field) -> pa.Array:
    spec = tuples.as_member(frame.job, path, spec)
    values = GENERATORS[type(spec)](frame, path, spec)
    if spec.max_length is not None and not isinstance(spec, Binary):
        values = exact.truncated(values, spec.max_length)
    if spec.when is not None:
        values = with_condition(frame, path, spec, values)
    return values
