"""Rules that look at one field on its own (ranges, weights, options of a distribution...)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TypeAlias

from pipeline.schema import model as m
from pipeline.schema.mimesis_methods import LOCALES, list_methods, unknown_method_message
from pipeline.schema.problems import did_you_mean
from pipeline.schema.templates import parse_template
from pipeline.schema.widths import width_findings

# (option path relative to the field, message)
Finding: TypeAlias = tuple[tuple[str | int, ...], str]

UNIQUE_TYPES: tuple[type[m.FieldBase], ...] = (
    m.Sequence,
    m.Uuid,
    m.Integer,
    m.Float,
    m.Boolean,
    m.Choice,
    m.Provider,
    m.Date,
    m.Datetime,
    m.Pattern,
    m.Template,
    m.Reference,
)
MAX_DECIMALS = 15
MAX_OUTPUT_NAME = 255  # characters of an output_name

_DISTRIBUTION_NEEDS: dict[str, tuple[str, ...]] = {
    "uniform": (),
    "normal": ("mean", "stddev"),
    "lognormal": ("mean", "sigma"),
    "exponential": ("scale",),
    "zipf": ("s",),
}
_POSITIVE = ("stddev", "sigma", "scale", "s")
_DISTRIBUTION_OPTIONS = ("mean", "stddev", "sigma", "scale", "s")


def _tag(spec: m.FieldBase) -> str:
    return str(spec.__struct_config__.tag)


def field_findings(spec: m.Field, *, inside_array: bool) -> Iterator[Finding]:
    """Every problem of one field that needs no other field to see."""
    if not 0.0 <= spec.null_rate <= 1.0:
        yield ("null_rate",), f"null_rate must be between 0 and 1, got {spec.null_rate}"
    yield from _output_findings(spec)
    if spec.unique:
        yield from _unique_findings(spec, inside_array=inside_array)
    yield from _type_findings(spec)
    yield from width_findings(spec)


def _output_findings(spec: m.Field) -> Iterator[Finding]:
    """``absent_rate`` and ``output_name`` on their own (where they may stand: validate.py)."""
    rate = spec.absent_rate
    if rate is not None and not 0.0 <= rate <= 1.0:
        yield ("absent_rate",), f"absent_rate must be between 0 and 1, got {rate}"
    elif rate is not None and spec.null_rate > 0:
        yield (
            ("absent_rate",),
            "absent_rate and null_rate together: a field that may be absent writes none of its "
            "nulls in json (its key is left out instead); give one of them",
        )
    problem = None if spec.output_name is None else output_name_problem(spec.output_name)
    if problem is not None:
        yield ("output_name",), problem


def output_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an ``output_name``, or None when it can (importers ask first)."""
    if not name:
        return "output_name must not be empty"
    if len(name) > MAX_OUTPUT_NAME:
        return f"output_name is longer than {MAX_OUTPUT_NAME} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "output_name must not hold control characters (line breaks, tabs)"
    return None


def _unique_findings(spec: m.Field, *, inside_array: bool) -> Iterator[Finding]:
    if inside_array:
        yield ("unique",), "unique is not allowed inside an array"
    elif isinstance(spec, m.Mimesis):
        yield (
            ("unique",),
            (
                f"unique is not allowed on mimesis methods ({spec.method} repeats values); "
                "use a pattern or a template with unique: true"
            ),
        )
    elif not isinstance(spec, UNIQUE_TYPES):
        yield ("unique",), f"unique is not allowed on type {_tag(spec)}"
    elif isinstance(spec, m.Float) and spec.decimals is None:
        yield ("unique",), "unique on a float needs `decimals`"
    dist = getattr(spec, "distribution", None)
    if isinstance(dist, m.Distribution) and dist.kind != "uniform":
        yield (
            ("distribution",),
            (f"unique values are a permutation, so a {dist.kind} distribution cannot apply"),
        )


def _range(lo: float, hi: float) -> Iterator[Finding]:
    if lo > hi:
        yield ("min",), f"min ({lo}) is greater than max ({hi})"


def _type_findings(spec: m.Field) -> Iterator[Finding]:
    if isinstance(spec, m.Sequence) and spec.step == 0:
        yield ("step",), "step must not be 0"
    elif isinstance(spec, m.Integer):
        yield from _range(spec.min, spec.max)
        yield from distribution_findings(spec.distribution, allowed=tuple(_DISTRIBUTION_NEEDS))
    elif isinstance(spec, m.Float):
        if not (math.isfinite(spec.min) and math.isfinite(spec.max)):
            yield ("min",), "min and max must be finite numbers"
        yield from _range(spec.min, spec.max)
        if spec.decimals is not None and not 0 <= spec.decimals <= MAX_DECIMALS:
            yield ("decimals",), f"decimals must be between 0 and {MAX_DECIMALS}"
        yield from distribution_findings(spec.distribution, allowed=tuple(_DISTRIBUTION_NEEDS))
    elif isinstance(spec, m.Boolean) and not 0.0 <= spec.true_rate <= 1.0:
        yield ("true_rate",), f"true_rate must be between 0 and 1, got {spec.true_rate}"
    elif isinstance(spec, m.Choice):
        yield from _choice_findings(spec)
    elif isinstance(spec, m.Date | m.Datetime) and spec.end < spec.start:
        yield ("end",), f"end ({spec.end.isoformat()}) is before start ({spec.start.isoformat()})"
    elif isinstance(spec, m.Pattern):
        if not spec.pattern:
            yield ("pattern",), "pattern must not be empty"
        elif (len(spec.pattern) - len(spec.pattern.rstrip("\\"))) % 2 == 1:
            yield ("pattern",), "pattern ends with an unfinished escape `\\`"
    elif isinstance(spec, m.Template):
        try:
            parse_template(spec.template)
        except ValueError as exc:
            yield ("template",), f"bad template: {exc}"
    elif isinstance(spec, m.Reference):
        yield from distribution_findings(spec.distribution, allowed=("uniform", "zipf"))
    elif isinstance(spec, m.Array | m.Map):
        if spec.min_items < 0:
            yield ("min_items",), "min_items must be >= 0"
        if spec.max_items < spec.min_items:
            yield (
                ("max_items",),
                (f"max_items ({spec.max_items}) is less than min_items ({spec.min_items})"),
            )
    elif isinstance(spec, m.Mimesis):
        yield from _mimesis_findings(spec)


def _choice_findings(spec: m.Choice) -> Iterator[Finding]:
    if not spec.values:
        yield ("values",), "values must not be empty"
    if spec.weights is None:
        return
    if len(spec.weights) != len(spec.values):
        yield (
            ("weights",),
            (f"weights has {len(spec.weights)} items but values has {len(spec.values)}"),
        )
    for i, weight in enumerate(spec.weights):
        if not math.isfinite(weight) or weight < 0:
            yield ("weights", i), f"weights must be finite and >= 0, got {weight}"
    if spec.weights and all(w == 0 for w in spec.weights):
        yield ("weights",), "weights must not all be 0"


def distribution_findings(dist: m.Distribution, *, allowed: tuple[str, ...]) -> Iterator[Finding]:
    if dist.kind not in allowed:
        yield (
            ("distribution", "kind"),
            (f"distribution {dist.kind} is not allowed here (allowed: {', '.join(allowed)})"),
        )
        return
    needs = _DISTRIBUTION_NEEDS[dist.kind]
    for option in _DISTRIBUTION_OPTIONS:
        value = getattr(dist, option)
        if option in needs and value is None:
            yield ("distribution",), f"a {dist.kind} distribution needs `{option}`"
        elif option not in needs and value is not None:
            yield (
                ("distribution", option),
                (f"`{option}` does not belong to a {dist.kind} distribution"),
            )
        elif value is not None and not math.isfinite(value):
            yield ("distribution", option), f"`{option}` must be a finite number"
        elif option in _POSITIVE and value is not None and value <= 0:
            yield ("distribution", option), f"`{option}` must be > 0, got {value}"


def _mimesis_findings(spec: m.Mimesis) -> Iterator[Finding]:
    info = list_methods().get(spec.method)
    if info is None:
        yield ("type",), unknown_method_message(spec.method)
        return
    known = [a.name for a in info.args]
    for arg in spec.args:
        if arg not in known:
            accepted = f"accepted: {', '.join(known)}" if known else "it takes no arguments"
            yield (
                ("args", arg),
                (
                    f"{spec.method} has no argument {arg!r}"
                    + did_you_mean(arg, known)
                    + f" ({accepted})"
                ),
            )
    if spec.locale is not None and spec.locale not in LOCALES:
        yield ("locale",), f"unknown locale {spec.locale!r}" + did_you_mean(spec.locale, LOCALES)
