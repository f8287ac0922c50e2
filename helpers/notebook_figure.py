"""The series' figures: a matplotlib Figure that a notebook shows as a PNG, without pyplot.

Every figure is built on `matplotlib.figure.Figure` directly (no pyplot, no `%matplotlib
inline`, which cost each kernel a few tenths of a second). `NotebookFigure` adds `_repr_png_`,
so a figure returned as a cell's last value is shown as a PNG, drawn once (constrained
layout; no "tight" bounding box, which would draw it twice). See helpers.figure_cache for the
cache of the PNGs.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.figure import Figure

from helpers.figure_cache import after_drawing

DPI = 100


class NotebookFigure(Figure):
    """A Figure laid out with constrained layout that a notebook shows as a PNG."""

    cache_key: str | None = None  # set by @cached_figure: where the PNG goes in the cache

    def __init__(self, figsize: tuple[float, float], **kwargs: Any) -> None:
        kwargs.setdefault("layout", "constrained")
        kwargs.setdefault("dpi", DPI)
        super().__init__(figsize=figsize, **kwargs)

    def png_bytes(self) -> bytes:
        """The figure as PNG bytes, drawn once (no metadata, so the bytes are reproducible)."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        png = self.png_bytes()
        if self.cache_key is not None:
            after_drawing(self.cache_key, png, repr(self))
        return png

    def __repr__(self) -> str:
        width, height = self.get_size_inches() * self.dpi
        return f"<Figure size {width:g}x{height:g} with {len(self.axes)} Axes>"
