"""The project page's diagram: a box per entity, an arrow per reference between entities."""

from __future__ import annotations

import re

from pipeline.schema import load_schema
from service.web.diagram import MAX_ROWS, draw

SCHEMA = """\
version: 1
entities:
  Customer:
    count: 10
    fields:
      id: {type: sequence}
      manager_id: {type: reference, entity: Customer}
  Order:
    fields:
      id: {type: uuid}
      customer_id: {type: reference, entity: Customer}
      lines:
        type: array
        of: {type: object, fields: {product_id: {type: reference, entity: Product}}}
  Product:
    count: 10
    fields:
      id: {type: sequence}
""" + "".join(f"      f{i}: {{type: integer}}\n" for i in range(MAX_ROWS + 3))


def test_boxes_fields_and_arrows() -> None:
    svg = draw(load_schema(SCHEMA))
    assert re.findall(r'class="entity-name">([^<]+)<', svg) == ["Customer", "Order", "Product"]
    assert "customer_id → Customer" in svg
    assert "lines → Product" in svg
    # Two arrows between entities; a reference of an entity to itself is only named.
    assert svg.count('class="reference"') == 2
    assert "manager_id → Customer" in svg
    # Long entities list their first fields and say how many more there are.
    assert "… 4 more" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "style=" not in svg
