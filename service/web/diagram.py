"""A small SVG of a schema's entities and the references between them, drawn on the server."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from pipeline.schema.model import Array, Field, Object, Reference, Schema

BOX_W, ROW_H, HEAD_H, GAP_X, GAP_Y, COLUMNS, MAX_ROWS = 210, 18, 26, 60, 34, 4, 8


def _references(prefix: str, fields: dict[str, Field]) -> Iterator[tuple[str, Reference]]:
    for name, spec in fields.items():
        while isinstance(spec, Array):
            spec = spec.of
        if isinstance(spec, Reference):
            yield f"{prefix}{name}", spec
        elif isinstance(spec, Object):
            yield from _references(f"{prefix}{name}.", spec.fields)


def draw(schema: Schema) -> str:
    """Entities as boxes listing their fields (references marked), arrows to their targets."""
    boxes: dict[str, tuple[int, int, int]] = {}
    row_height: dict[int, int] = {}
    names = list(schema.entities)
    for index, name in enumerate(names):
        shown = min(len(schema.entities[name].fields), MAX_ROWS + 1)
        height = HEAD_H + ROW_H * shown + 8
        row = index // COLUMNS
        row_height[row] = max(row_height.get(row, 0), height)
    y_of_row = {0: 10}
    for row in range(1, len(row_height)):
        y_of_row[row] = y_of_row[row - 1] + row_height[row - 1] + GAP_Y
    for index, name in enumerate(names):
        row, column = divmod(index, COLUMNS)
        shown = min(len(schema.entities[name].fields), MAX_ROWS + 1)
        boxes[name] = (10 + column * (BOX_W + GAP_X), y_of_row[row], HEAD_H + ROW_H * shown + 8)
    width = 20 + min(len(names), COLUMNS) * (BOX_W + GAP_X) - GAP_X
    height = (y_of_row[len(row_height) - 1] + row_height[len(row_height) - 1] + 10) if names else 40
    parts = [
        # Drawn at its own size (text as large as the page's), shrunk only to fit the screen.
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="{max(width, 200)}" '
        f'height="{height}" viewBox="0 0 {max(width, 200)} {height}" role="img" '
        'aria-labelledby="diagram-title">',
        '<title id="diagram-title">Entities and their references</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrow-head"/></marker></defs>',
    ]
    for name in names:
        x, y, h = boxes[name]
        entity = schema.entities[name]
        parts.append(
            f'<g class="entity"><rect x="{x}" y="{y}" width="{BOX_W}" height="{h}" rx="6"/>'
        )
        parts.append(
            f'<text x="{x + 10}" y="{y + 18}" class="entity-name">{escape(name)}</text>'
            f'<line x1="{x}" y1="{y + HEAD_H}" x2="{x + BOX_W}" y2="{y + HEAD_H}"/>'
        )
        # A field refers to the entities its references name, nested ones included.
        targets: dict[str, list[str]] = {}
        for path, ref in _references("", entity.fields):
            top = path.split(".", 1)[0]
            if ref.entity not in targets.setdefault(top, []):
                targets[top].append(ref.entity)
        for row, field in enumerate(list(entity.fields)[:MAX_ROWS]):
            css = "field ref" if field in targets else "field"
            label = f"{field} → {', '.join(targets[field])}" if field in targets else field
            parts.append(
                f'<text x="{x + 10}" y="{y + HEAD_H + 14 + row * ROW_H}" class="{css}">'
                f"{escape(label[:28])}</text>"
            )
        if len(entity.fields) > MAX_ROWS:
            more = len(entity.fields) - MAX_ROWS
            parts.append(
                f'<text x="{x + 10}" y="{y + HEAD_H + 14 + MAX_ROWS * ROW_H}" class="field more">'
                f"… {more} more</text>"
            )
        parts.append("</g>")
    for name in names:
        x, y, h = boxes[name]
        for _, ref in _references("", schema.entities[name].fields):
            if ref.entity not in boxes or ref.entity == name:
                continue
            tx, ty, th = boxes[ref.entity]
            x1, x2 = (
                (x + BOX_W, tx) if tx > x else ((x, tx + BOX_W) if tx < x else (x + 40, tx + 40))
            )
            y1, y2 = (
                (y + h / 2, ty + th / 2) if tx != x else ((y, ty + th) if ty < y else (y + h, ty))
            )
            parts.append(
                f'<line class="reference" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                'marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
