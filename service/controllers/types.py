"""GET /types: the built-in field types and every mimesis provider.method."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get

from pipeline.schema import catalogue


class TypesController(Controller):
    path = "/types"
    tags = ["types"]

    @get(
        "/",
        summary="List field types",
        description="Every built-in type with its options and defaults, and every mimesis "
        "provider.method with its arguments and an example value.",
    )
    async def list_types(self) -> dict[str, Any]:
        return catalogue()
