"""helpers.ui.figure: the PNG a notebook shows is the figure's pixels, written once."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from helpers.ui.figure import NotebookFigure


def _figure(facecolor: str = "white") -> NotebookFigure:
    fig = NotebookFigure(figsize=(3, 2), facecolor=facecolor)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [2, 0, 1], label="a line")
    ax.set_title("title")
    ax.legend()
    return fig


def _pixels(fig: NotebookFigure) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_an_opaque_figure_is_stored_as_its_rgb_pixels():
    fig = _figure()
    png = fig.png_bytes()
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGB" and image.size == (300, 200)
        decoded = np.asarray(image)
    np.testing.assert_array_equal(decoded, _pixels(fig)[..., :3])
    assert fig._repr_png_() == png  # the same bytes each time: no timestamp, no metadata


def test_a_see_through_figure_keeps_its_alpha():
    fig = _figure(facecolor="none")
    with Image.open(io.BytesIO(fig.png_bytes())) as image:
        assert image.mode == "RGBA"
        decoded = np.asarray(image)
    expected = _pixels(fig)
    assert expected[..., 3].min() < 255
    np.testing.assert_array_equal(decoded, expected)
