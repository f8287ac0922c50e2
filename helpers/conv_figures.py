"""Pictures of convolution: the article's padded worked example, and the lecture's 6x6 example
drawn as a sparse fully connected layer and as its unrolled 16x36 matrix.

The colours live here once; the SVG widgets in `helpers.conv_widgets` use the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from helpers.arithmetic import check_int
from helpers.conv import (
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    WORKED_BIAS,
    WORKED_INPUT,
    WORKED_PADDING,
    WORKED_STRIDE,
    WORKED_WEIGHTS,
    conv2d_by_hand,
    conv_weight_indices,
    conv_windows,
)
from helpers.figure_cache import cached_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# One colour per kernel tap (row-major index 0..8 of a 3x3 kernel): the shared weights.
WEIGHT_COLOURS: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
PADDING_COLOUR = "#d9d9d9"  # zeros added around the input
WINDOW_COLOUR = "#a0cbe8"  # input cells the kernel reads for the highlighted output
KERNEL_COLOUR = "#f4a6a6"  # the kernel (and bias) in use
OUTPUT_COLOUR = "#8cd17d"  # the output cell being computed
FRAME_COLOUR = "#d62728"  # frames around the window and the kernel in use


def _cells(
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
                edgecolor="#888888",
                lw=0.6,
            )
        )
        ax.text(x + c + 0.5, y + r + 0.5, f"{value:g}", ha="center", va="center", fontsize=fontsize)


def _frame(ax: Axes, x: float, y: float, width: float, height: float, lw: float = 2.2) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle((x, y), width, height, fill=False, edgecolor=FRAME_COLOUR, lw=lw, zorder=4)
    )


@cached_figure
def figure_padded_convolution(kernel: int = 0, row: int = 0, col: int = 1) -> Figure:
    """The article's worked example: 5x5x3 input padded to 7x7x3, two 3x3x3 kernels, stride 2,
    3x3x2 output; one output value (`kernel`, `row`, `col`) and the window it reads highlighted."""
    from helpers.notebook_figure import NotebookFigure

    kernels = WORKED_WEIGHTS.shape[0]
    kernel = check_int(kernel, "kernel", minimum=0)
    if kernel >= kernels:
        raise ValueError(f"kernel must be 0 or 1 (there are {kernels} kernels), got {kernel}")
    windows = conv_windows(
        WORKED_INPUT.shape[1:], WORKED_WEIGHTS.shape[2:], WORKED_STRIDE, WORKED_PADDING
    )
    out_h, out_w = windows.shape[:2]
    for name, value, limit in (("row", row, out_h), ("col", col, out_w)):
        if check_int(value, name, minimum=0) >= limit:
            raise ValueError(f"{name} must be below {limit}, got {value}")
    channels = WORKED_INPUT.shape[0]
    pad = WORKED_PADDING
    padded = np.pad(WORKED_INPUT, ((0, 0), (pad, pad), (pad, pad)))
    output = conv2d_by_hand(WORKED_INPUT, WORKED_WEIGHTS, WORKED_BIAS, WORKED_STRIDE, pad)
    size = padded.shape[1]
    top_row, left_col = windows[row, col, 0, 0]
    kh, kw = WORKED_WEIGHTS.shape[2:]

    fig = NotebookFigure(figsize=(10, 4.8))
    ax = fig.subplots()
    gap = 1.2
    column_width = size + gap
    out_x = channels * column_width + 1.0
    kernel_y = size + 1.6
    for c in range(channels):
        x0 = c * column_width
        fills = {
            (r, q): PADDING_COLOUR
            for r in range(size)
            for q in range(size)
            if not (pad <= r < size - pad and pad <= q < size - pad)
        }
        for a in range(kh):
            for b in range(kw):
                fills[(top_row + a, left_col + b)] = WINDOW_COLOUR
        _cells(ax, padded[c], x0, 0, fills)
        _frame(ax, x0 + left_col, top_row, kw, kh)
        ax.text(x0 + size / 2, -0.4, f"input channel {c + 1} (padded)", ha="center", fontsize=9)
        for o in range(kernels):
            kx = x0 + o * (kw + 1)
            used = o == kernel
            _cells(
                ax,
                WORKED_WEIGHTS[o, c],
                kx,
                kernel_y,
                default_fill=KERNEL_COLOUR if used else "white",
            )
            if used:
                _frame(ax, kx, kernel_y, kw, kh, lw=1.6)
            ax.text(
                kx + kw / 2,
                kernel_y + kh + 0.7,
                f"kernel {o + 1}, ch {c + 1}",
                ha="center",
                fontsize=8,
            )
    for o in range(kernels):
        oy = o * (out_h + 1.6)
        fills = {(row, col): OUTPUT_COLOUR} if o == kernel else {}
        _cells(ax, output[o], out_x, oy, fills)
        ax.text(out_x + out_w / 2, oy - 0.4, f"output map {o + 1}", ha="center", fontsize=9)
        ax.text(
            out_x + out_w + 0.4,
            oy + out_h / 2,
            f"b{o + 1} = {WORKED_BIAS[o]:g}",
            va="center",
            fontsize=8,
            bbox={"facecolor": KERNEL_COLOUR if o == kernel else "white", "edgecolor": "#888"},
        )
    ax.text(
        out_x,
        kernel_y + kh + 0.7,
        f"stride {WORKED_STRIDE}: windows start\nevery {WORKED_STRIDE} cells",
        fontsize=8,
    )
    ax.set_xlim(-0.3, out_x + out_w + 3.2)
    ax.set_ylim(kernel_y + kh + 1.2, -1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    value = output[kernel, row, col]
    ax.set_title(
        f"5×5×3 input, padding {pad} → 7×7×3 (grey = padding zeros); two 3×3×3 kernels, "
        f"stride {WORKED_STRIDE} → 3×3×2\n"
        f"output map {kernel + 1} at row {row}, col {col} (counted from 0) = sum of the 27 "
        f"products (blue windows × kernel {kernel + 1}) + b{kernel + 1} = {value:g}",
        fontsize=10,
    )
    return fig


def _faint(colour: str, strength: float = 0.4) -> tuple[float, float, float]:
    """`colour` mixed with white: an opaque light version of it."""
    from matplotlib.colors import to_rgba

    red, green, blue, _ = to_rgba(colour)
    return tuple(strength * v + (1 - strength) for v in (red, green, blue))


def _legend_kernel(ax: Axes, kernel: np.ndarray, title: str) -> None:
    """The 3x3 kernel, each tap in its shared-weight colour, with its value."""
    from matplotlib.patches import Rectangle

    kh, kw = kernel.shape
    for (r, c), value in np.ndenumerate(kernel):
        ax.add_patch(
            Rectangle((c, r), 1, 1, facecolor=WEIGHT_COLOURS[r * kw + c], edgecolor="white", lw=1.5)
        )
        ax.text(c + 0.5, r + 0.5, f"{value:+g}", ha="center", va="center", fontsize=10)
    ax.set_xlim(0, kw)
    ax.set_ylim(kh, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def filter_index(filter_number: int) -> int:
    """Index into LECTURE_FILTERS of the lecture's filter 1 or 2; ValueError for any other."""
    filters = LECTURE_FILTERS.shape[0]
    number = check_int(filter_number, "filter_number")
    if number > filters:
        raise ValueError(f"filter_number must be 1 or {filters}, got {filter_number}")
    return number - 1


@cached_figure
def figure_sparse_layer(filter_number: int = 1, highlight: Sequence[int] = (1, 2)) -> Figure:
    """The lecture's convolution as a fully connected layer: 36 input pixels, 16 outputs, each
    wired to only 9 inputs, every wire coloured by which of the 9 shared weights it carries.
    Outputs in `highlight` (1-based, as in the lecture) are drawn bold."""
    from helpers.notebook_figure import NotebookFigure

    index = filter_index(filter_number)
    kernel = LECTURE_FILTERS[index]
    highlight = [check_int(h, "highlight") for h in highlight]
    taps = conv_weight_indices(kernel.shape, LECTURE_IMAGE.shape)  # (16, 36)
    outputs, inputs = taps.shape
    if any(h > outputs for h in highlight):
        raise ValueError(f"highlight must hold outputs 1..{outputs}, got {highlight}")
    values = conv2d_by_hand(LECTURE_IMAGE[None], kernel[None, None])[0].ravel()
    pixels = LECTURE_IMAGE.ravel()

    fig = NotebookFigure(figsize=(10, 4.4))
    ax, legend = fig.subplots(1, 2, width_ratios=[8.5, 1])
    in_x = np.arange(inputs, dtype=float)
    out_x = np.linspace(2.5, inputs - 3.5, outputs)
    low, high = 0.0, 6.0
    for o in range(outputs):
        bold = (o + 1) in highlight
        for i in np.flatnonzero(taps[o] >= 0):
            colour = WEIGHT_COLOURS[taps[o, i]]
            ax.plot(
                [in_x[i], out_x[o]],
                [low, high],
                color=colour if bold else _faint(colour),
                lw=2.2 if bold else 0.8,
                # Thin faint wires drawn without antialiasing keep the PNG (and notebook) small.
                antialiased=bold,
                zorder=3 if bold else 1,
            )
    for i in range(inputs):
        fill = "#333333" if pixels[i] else "white"
        ax.scatter(in_x[i], low, s=90, c=fill, edgecolors="#333333", zorder=5)
    for o in range(outputs):
        bold = (o + 1) in highlight
        ax.scatter(
            out_x[o],
            high,
            s=260,
            c=OUTPUT_COLOUR if bold else "white",
            edgecolors="#333333",
            zorder=5,
        )
        ax.text(out_x[o], high, f"{values[o]:g}", ha="center", va="center", fontsize=8, zorder=6)
        ax.text(out_x[o], high + 0.55, f"{o + 1}", ha="center", fontsize=7, color="#555")
    ax.set_xticks(np.arange(0, inputs, 6), [f"{i + 1}" for i in range(0, inputs, 6)])
    ax.set_yticks([low, high], ["input pixels\n(black = 1)", "outputs\n(value)"])
    ax.set_xlim(-1, inputs)
    ax.set_ylim(-0.6, high + 1.1)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("input pixel number (6×6 image read row by row: 1–6 is the first row)")
    nonzero = int(np.count_nonzero(taps >= 0))
    ax.set_title(
        f"Filter {filter_number} as a fully connected layer: {nonzero} of {outputs * inputs} "
        f"connections kept, all sharing 9 weights (outputs {', '.join(map(str, highlight))} bold)",
        fontsize=10,
    )
    _legend_kernel(legend, kernel, f"filter {filter_number}:\nwire colour\n= weight")
    return fig


@cached_figure
def figure_unrolled_matrix(filter_number: int = 1) -> Figure:
    """The 16x36 matrix M of the lecture's convolution (M @ image.ravel() = the 4x4 map): each
    non-zero coloured by which of the 9 shared weights it is, zeros left blank."""
    from matplotlib.colors import to_rgba

    from helpers.notebook_figure import NotebookFigure

    index = filter_index(filter_number)
    kernel = LECTURE_FILTERS[index]
    taps = conv_weight_indices(kernel.shape, LECTURE_IMAGE.shape)
    outputs, inputs = taps.shape
    image = np.ones((outputs, inputs, 4))
    colours = np.array([to_rgba(c) for c in WEIGHT_COLOURS])
    image[taps >= 0] = colours[taps[taps >= 0]]

    fig = NotebookFigure(figsize=(10, 4.6))
    ax, legend = fig.subplots(1, 2, width_ratios=[8.5, 1])
    ax.imshow(image, aspect="equal", interpolation="nearest")
    flat = kernel.ravel()
    for r, c in zip(*np.nonzero(taps >= 0)):
        ax.text(c, r, f"{flat[taps[r, c]]:+g}", ha="center", va="center", fontsize=6)
    ax.set_xticks(np.arange(-0.5, inputs, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, outputs, 1), minor=True)
    ax.grid(which="minor", color="#dddddd", lw=0.5)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(np.arange(0, inputs, 6), [f"{i + 1}" for i in range(0, inputs, 6)])
    ax.set_yticks(np.arange(0, outputs, 4), [f"{i + 1}" for i in range(0, outputs, 4)])
    ax.set_xlabel("column = input pixel (1–36, the 6×6 image read row by row)")
    ax.set_ylabel("row = output (1–16)")
    nonzero = int(np.count_nonzero(taps >= 0))
    ax.set_title(
        f"Filter {filter_number} unrolled: {outputs}×{inputs} = {outputs * inputs} entries, "
        f"{nonzero} non-zero (blank = 0), all copies of the filter's 9 weights, "
        "each row the same 9 shifted",
        fontsize=10,
    )
    _legend_kernel(legend, kernel, f"filter {filter_number}:\ncolour = weight")
    return fig
