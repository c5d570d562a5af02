"""Rules of provider fields: columns of record providers, weights, and draw groups (fields that
take their values from the same record in each row)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pipeline.schema import model as m
from pipeline.schema.problems import Problems, did_you_mean
from pipeline.schema.providers import ProviderShape
from pipeline.schema.resolved import ResolvedEntity, ResolvedField
from pipeline.schema.rules import Finding


def provider_findings(spec: m.Provider) -> Iterator[Finding]:
    """Problems of a provider field that need neither other fields nor the provider's data."""
    if spec.column is None:
        for option in ("draw", "weight_column"):
            if getattr(spec, option) is not None:
                yield (option,), f"`{option}` needs `column` (it reads a record provider)"
    if spec.unique and spec.draw is not None:
        yield (
            ("unique",),
            "unique is not allowed with `draw`: the fields of a draw share one record per row",
        )
    if spec.unique and spec.weight_column is not None:
        yield (
            ("weight_column",),
            "unique values are a permutation, so `weight_column` cannot apply",
        )


def shape_findings(spec: m.Provider, shape: ProviderShape) -> Iterator[Finding]:
    """Problems of a provider field against the shape of the provider's data."""
    if shape.columns is None:
        if spec.column is not None:
            yield (
                ("column",),
                f"provider {spec.name} holds plain values, not records: remove `column`",
            )
        return
    if spec.column is None:
        yield (
            (),
            f"provider {spec.name} holds records: name one of its columns with `column` "
            f"(columns: {', '.join(shape.columns)})",
        )
        return
    if spec.column not in shape.columns:
        yield (
            ("column",),
            f"provider {spec.name} has no column {spec.column!r}"
            + did_you_mean(spec.column, shape.columns)
            + f" (columns: {', '.join(shape.columns)})",
        )
    weight = spec.weight_column
    if weight is not None and weight not in shape.columns:
        yield (
            ("weight_column",),
            f"provider {spec.name} has no column {weight!r}"
            + did_you_mean(weight, shape.columns)
            + f" (columns: {', '.join(shape.columns)})",
        )
    elif weight is not None and weight not in shape.weights:
        yield (
            ("weight_column",),
            f"column {weight!r} of provider {spec.name} cannot weigh records: it must be a "
            "number >= 0 in every record, and not 0 in all",
        )


def check_provider_field(
    at: ResolvedField, shapes: Mapping[str, ProviderShape] | None, problems: Problems
) -> None:
    spec = at.spec
    assert isinstance(spec, m.Provider)
    for sub, message in provider_findings(spec):
        problems.add((*at.location, *sub), message)
    if spec.draw is not None and at.inside_array:
        problems.add(
            (*at.location, "draw"),
            "`draw` is not allowed inside an array: a draw group shares one record per row",
        )
    if shapes is not None and spec.name in shapes:
        for sub, message in shape_findings(spec, shapes[spec.name]):
            problems.add((*at.location, *sub), message)


def check_draw_groups(entity: ResolvedEntity, problems: Problems) -> None:
    """The fields of one draw group name the same provider and agree on ``weight_column``."""
    first: dict[str, ResolvedField] = {}
    for at in entity.fields:
        spec = at.spec
        if not isinstance(spec, m.Provider) or spec.draw is None or at.inside_array:
            continue
        lead = first.setdefault(spec.draw, at)
        if lead is at:
            continue
        assert isinstance(lead.spec, m.Provider)
        if spec.name != lead.spec.name:
            problems.add(
                (*at.location, "name"),
                f"draw {spec.draw!r} reads provider {lead.spec.name} ({lead.path}); "
                f"every field of a draw names the same provider, got {spec.name}",
            )
        if spec.weight_column != lead.spec.weight_column:
            problems.add(
                (*at.location, "weight_column"),
                f"the fields of draw {spec.draw!r} must agree on weight_column: "
                f"{lead.path} has {lead.spec.weight_column!r}, this one {spec.weight_column!r}",
            )
