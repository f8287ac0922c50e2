"""The series' figures: a matplotlib Figure that a notebook shows as a PNG, without pyplot.

Every figure is built on `matplotlib.figure.Figure` directly (no pyplot, no `%matplotlib
inline`). `NotebookFigure` adds `_repr_png_`, so a figure returned as a cell's last value is
shown as a PNG, drawn once: constrained layout runs inside that one draw, and Pillow writes the
pixels (savefig would draw the figure twice, once to lay it out). Also here: the numbered
grid cells that several lessons draw, and a PNG of a grey image.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from helpers.ui.palette import FRAME_COLOUR, GRID_LINE_COLOUR

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100
PNG_COMPRESS_LEVEL = 3


class NotebookFigure(Figure):
    """A Figure laid out with constrained layout that a notebook shows as a PNG."""

    def __init__(self, figsize: tuple[float, float], **kwargs: Any) -> None:
        kwargs.setdefault("layout", "constrained")
        kwargs.setdefault("dpi", DPI)
        super().__init__(figsize=figsize, **kwargs)

    def png_bytes(self) -> bytes:
        """The figure as PNG bytes, written by Pillow (no metadata: the bytes are reproducible)."""
        # One draw lays the figure out and renders it; savefig would draw it twice (a layout
        # pass, then the picture), which doubles the time of every figure.
        canvas = FigureCanvasAgg(self)
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        if pixels[..., 3].min() == 255:  # opaque (the usual white figure): no alpha to store
            pixels = pixels[..., :3]
        buffer = io.BytesIO()
        # Level 3 of zlib's 9 writes the same pixels about twice as fast as Pillow's default 6,
        # in files of about the same size.
        Image.fromarray(pixels).save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
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
    fills: Mapping[tuple[int, int], Any] | None = None,
    default_fill: Any = "white",
    fontsize: float = 8,
    bold: Collection[tuple[int, int]] = (),
    label: Callable[[float], str] = "{:g}".format,
    linewidth: float = 0.6,
) -> None:
    """Draw a grid of numbers with its top-left corner at (x, y), in a y-down axes: each cell
    filled with its colour in `fills` (any matplotlib colour) or `default_fill`, its number
    written by `label`, bold where `bold` says."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    fills = fills or {}
    # One collection for the cells, and numbers that constrained layout does not measure
    # (they lie inside the axes): a grid of n cells costs one artist, not n.
    cells = [Rectangle((x + c, y + r), 1, 1) for r, c in np.ndindex(values.shape)]
    colours = [fills.get(cell, default_fill) for cell in np.ndindex(values.shape)]
    ax.add_collection(
        PatchCollection(
            cells, facecolors=colours, edgecolors=GRID_LINE_COLOUR, linewidths=linewidth
        )
    )
    for (r, c), value in np.ndenumerate(values):
        ax.text(
            x + c + 0.5,
            y + r + 0.5,
            label(value),
            ha="center",
            va="center",
            fontsize=fontsize,
            fontweight="bold" if (r, c) in bold else "normal",
            in_layout=False,
        )


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
