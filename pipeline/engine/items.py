"""The items of arrays and maps: a frame of their own, each item knowing its owning row."""

from __future__ import annotations

import numpy as np

from pipeline.engine.frame import Frame


def item_frame(frame: Frame, path: str, min_items: int, max_items: int) -> tuple[np.ndarray, Frame]:
    """(offsets of each row's items, the frame of all items) for the field at ``path``."""
    lengths = frame.rng(path).integers(min_items, max_items, frame.n, endpoint=True)
    offsets = np.zeros(frame.n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    owner = np.repeat(np.arange(frame.n), lengths)
    positions = np.arange(int(offsets[-1]), dtype=np.int64) - offsets[:-1][owner]
    virtual = frame.rows[owner].astype(np.int64) * max(max_items, 1) + positions
    items = Frame(
        frame.job,
        frame.block,
        virtual,
        frame.generate,
        positions=positions,
        scope=path + "[]",
        parent=frame,
        parent_rows=owner,
    )
    return offsets, items
