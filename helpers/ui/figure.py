"""The series' figures: a matplotlib Figure that a notebook shows as a PNG, without pyplot.

Every figure is built on `matplotlib.figure.Figure` directly (no pyplot, no `%matplotlib
inline`). `NotebookFigure` adds `_repr_png_`, so a figure returned as a cell's last value is
shown as a PNG, drawn once (constrained layout; no "tight" bounding box, which would draw it
twice). Also here: the numbered grid cells that several lessons draw, and a PNG of a grey image.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from helpers.ui.palette import FRAME_COLOUR, GRID_LINE_COLOUR

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100


class NotebookFigure(Figure):
    """A Figure laid out with constrained layout that a notebook shows as a PNG."""

    def __init__(self, figsize: tuple[float, float], **kwargs: Any) -> None:
        kwargs.setdefault("layout", "constrained")
        kwargs.setdefault("dpi", DPI)
        super().__init__(figsize=figsize, **kwargs)

    def png_bytes(self) -> bytes:
        """The figure as PNG bytes (no metadata, so the bytes are reproducible)."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png_bytes()

    def __repr__(self) -> str:
        width, height = self.get_size_inches() * self.dpi
        return f"<Figure size {width:g}x{height:g} with {len(self.axes)} Axes>"


def draw_cells(
    ax: Axes,
    values: np.ndarray,
    x: float,
    y: float,
    fills: dict[tuple[int, int], str] | None = None,
    default_fill: str = "white",
    fontsize: float = 8,
) -> None:
    """Draw a grid of numbers with its top-left corner at (x, y), in a y-down axes."""
    from matplotlib.patches import Rectangle

    fills = fills or {}
    for (r, c), value in np.ndenumerate(values):
        ax.add_patch(
            Rectangle(
                (x + c, y + r),
                1,
                1,
                facecolor=fills.get((r, c), default_fill),
                edgecolor=GRID_LINE_COLOUR,
                lw=0.6,
            )
        )
        ax.text(x + c + 0.5, y + r + 0.5, f"{value:g}", ha="center", va="center", fontsize=fontsize)


def draw_frame(ax: Axes, x: float, y: float, width: float, height: float, lw: float = 2.2) -> None:
    """Draw a frame (the window or kernel in use) with its top-left corner at (x, y)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle((x, y), width, height, fill=False, edgecolor=FRAME_COLOUR, lw=lw, zorder=4)
    )


def grey_png(pixels: np.ndarray) -> bytes:
    """A grey 8-bit PNG of a 2-D uint8 array, written by Pillow."""
    pixels = np.asarray(pixels)
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or 0 in pixels.shape:
        raise ValueError(
            f"pixels must be a non-empty 2-D uint8 array, got {pixels.dtype} {pixels.shape}"
        )
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()
