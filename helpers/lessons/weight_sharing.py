"""Notebook 03, weight sharing: the 6x6 example drawn as a sparse layer and as its unrolled
matrix, the output-cell picker, and the exercise cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np

from helpers.core.arithmetic import check_int, check_real, conv_output_size
from helpers.core.conv import (
    FIT_LEARNING_RATE,
    FIT_STEPS,
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    FilterFit,
    conv2d_by_hand,
    conv_as_matrix,
    conv_weight_indices,
    fit_filter,
)
from helpers.ui.exercises import NUMBERS, WHOLE, Exercise, Feedback, Mistake, check, format_number
from helpers.ui.explorer import SLIDER_STYLE, Explorer, choice_slider, int_slider
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import (
    DARK_COLOUR,
    FRAME_COLOUR,
    LIGHT_LINE_COLOUR,
    OUTPUT_COLOUR,
    PALETTE,
    WEIGHT_COLOURS,
)
from helpers.ui.svg import grid, log_line_chart, svg_document, svg_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
        ax.text(
            c + 0.5, r + 0.5, f"{value:+g}", ha="center", va="center", fontsize=10, in_layout=False
        )
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


def figure_sparse_layer(filter_number: int = 1, highlight: Sequence[int] = (1, 2)) -> Figure:
    """The lecture's convolution as a fully connected layer: 36 input pixels, 16 outputs, each
    wired to only 9 inputs, every wire coloured by which of the 9 shared weights it carries.
    Outputs in `highlight` (1-based, as in the lecture) are drawn bold."""
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
        fill = DARK_COLOUR if pixels[i] else "white"
        ax.scatter(in_x[i], low, s=90, c=fill, edgecolors=DARK_COLOUR, zorder=5)
    for o in range(outputs):
        bold = (o + 1) in highlight
        ax.scatter(
            out_x[o],
            high,
            s=260,
            c=OUTPUT_COLOUR if bold else "white",
            edgecolors=DARK_COLOUR,
            zorder=5,
        )
        ax.text(out_x[o], high, f"{values[o]:g}", ha="center", va="center", fontsize=8, zorder=6)
        ax.text(out_x[o], high + 0.55, f"{o + 1}", ha="center", fontsize=7, color=DARK_COLOUR)
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


def figure_unrolled_matrix(filter_number: int = 1) -> Figure:
    """The 16x36 matrix M of the lecture's convolution (M @ image.ravel() = the 4x4 map): each
    non-zero coloured by which of the 9 shared weights it is, zeros left blank."""
    from matplotlib.colors import to_rgba

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
        ax.text(
            c, r, f"{flat[taps[r, c]]:+g}", ha="center", va="center", fontsize=6, in_layout=False
        )
    ax.set_xticks(np.arange(-0.5, inputs, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, outputs, 1), minor=True)
    ax.grid(which="minor", color=LIGHT_LINE_COLOUR, lw=0.5)
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


FILTER_OPTIONS = [("filter 1 (diagonal)", 1), ("filter 2 (vertical)", 2)]


def _lecture_map(index: int) -> np.ndarray:
    return conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[index][None, None])[0]


def _lecture_taps() -> np.ndarray:
    return conv_weight_indices(LECTURE_FILTERS.shape[1:], LECTURE_IMAGE.shape)


def sharing_terms(output: int, filter_number: int = 1) -> list[tuple[int, float, float]]:
    """The 9 terms of lecture output `output` (1-16): (pixel number 1-36, pixel, weight),
    in kernel order; their products sum to the feature-map value."""
    index = filter_index(filter_number)
    taps = _lecture_taps()
    output = check_int(output, "output")
    if output > taps.shape[0]:
        raise ValueError(f"output must be between 1 and {taps.shape[0]}, got {output}")
    row = taps[output - 1]
    columns = sorted(np.flatnonzero(row >= 0), key=lambda column: row[column])
    pixels, weights = LECTURE_IMAGE.ravel(), LECTURE_FILTERS[index].ravel()
    return [(int(c) + 1, float(pixels[c]), float(weights[row[c]])) for c in columns]


def _matrix_svg(taps: np.ndarray, weights: np.ndarray, selected: int, x: float, y: float) -> str:
    """The unrolled matrix: non-zeros in their weight colour, the selected row bold."""
    cell = 12
    rows, columns = taps.shape
    parts = []
    for r in range(rows):
        chosen = r == selected
        for c in range(columns):
            tap = taps[r, c]
            fill = WEIGHT_COLOURS[tap] if tap >= 0 else "white"
            opacity = 1.0 if chosen or tap < 0 else 0.3
            parts.append(
                f'<rect x="{x + c * cell}" y="{y + r * cell}" width="{cell}" height="{cell}" '
                f'fill="{fill}" fill-opacity="{opacity}" '
                f'stroke="{LIGHT_LINE_COLOUR}" stroke-width="0.5"/>'
            )
            if chosen and tap >= 0:
                parts.append(
                    f'<text x="{x + (c + 0.5) * cell}" y="{y + r * cell + 9}" '
                    f'text-anchor="middle" font-size="8">{weights[tap]:+.0f}</text>'
                )
        parts.append(
            f'<text x="{x - 4}" y="{y + r * cell + 9}" text-anchor="end" font-size="9" '
            f'font-weight="{"bold" if chosen else "normal"}">{r + 1}</text>'
        )
    for c in range(0, columns, 6):
        parts.append(
            f'<text x="{x + (c + 0.5) * cell}" y="{y + rows * cell + 12}" text-anchor="middle" '
            f'font-size="9">{c + 1}</text>'
        )
    parts.append(
        f'<rect x="{x}" y="{y + selected * cell}" width="{columns * cell}" height="{cell}" '
        f'fill="none" stroke="{FRAME_COLOUR}" stroke-width="2"/>'
        f'<text x="{x + columns * cell / 2}" y="{y - 6}" text-anchor="middle">'
        f"the {rows}×{columns} matrix M (row = output, column = input pixel)</text>"
    )
    return "".join(parts)


def weight_sharing_view(output: int = 1, filter_number: int = 1) -> str:
    """Notebook 03's picker: output `output` (1-16) of the lecture's map for filter 1 or 2, its
    9 input pixels on the 6x6 image, the filter, the 4x4 map and its row of the 16x36 matrix."""
    terms = sharing_terms(output, filter_number)
    index = filter_index(filter_number)
    kernel = LECTURE_FILTERS[index]
    feature_map = _lecture_map(index)
    taps = _lecture_taps()
    out_w = feature_map.shape[1]
    row, col = divmod(output - 1, out_w)
    kw = kernel.shape[1]
    width = LECTURE_IMAGE.shape[1]

    cell = 28
    top = 50
    image_fills = {}
    for number, _, _ in terms:
        r, c = divmod(number - 1, width)
        image_fills[(r, c)] = WEIGHT_COLOURS[(r - row) * kw + (c - col)]
    kernel_fills = {(a, b): WEIGHT_COLOURS[a * kw + b] for a in range(kw) for b in range(kw)}
    map_x, kernel_x = 330, 225
    matrix_y = top + 6 * cell + 50
    parts = [
        grid(
            LECTURE_IMAGE.tolist(),
            10,
            top,
            cell,
            image_fills,
            outline=(row, col, kw, kw),
        ),
        svg_label("6×6 image (pixels 1–36 row by row)", 10, top + 6 * cell + 16),
        grid(kernel.tolist(), kernel_x, top + cell, cell, kernel_fills),
        svg_label(f"filter {index + 1}", kernel_x, top + 4 * cell + 16),
        grid(
            feature_map.tolist(),
            map_x,
            top + cell // 2,
            cell,
            {(row, col): OUTPUT_COLOUR},
        ),
        svg_label("4×4 feature map", map_x, top + cell // 2 + 4 * cell + 16),
        _matrix_svg(taps, kernel.ravel(), output - 1, 36, matrix_y),
    ]
    value = feature_map[row, col]
    svg = svg_document(
        max(map_x + 4 * cell + 20, 36 + 36 * 12 + 20),
        matrix_y + 16 * 12 + 20,
        parts,
        title=f"output {output} (row {row + 1}, col {col + 1}) of filter {index + 1} = {value:g}",
    )
    products = " + ".join(
        f"<span style='background:{WEIGHT_COLOURS[t]};padding:0 2px'>({w:+.0f})·{x:.0f}</span>"
        for t, (_, x, w) in enumerate(terms)
    )
    pixels = ", ".join(str(number) for number, _, _ in terms)
    return (
        f"<div>{svg}<ul style='margin:4px 0'>"
        f"<li>output {output} = {products} = <b>{value:g}</b></li>"
        f"<li>it reads pixels {pixels}; row {output} of M is zero everywhere else</li>"
        f"<li>every row of M holds the <b>same 9 weights</b>, shifted: 144 of the 576 entries "
        f"are non-zero and they are 9 parameters, not 144 (for filter 1, outputs 1 and 2, "
        f"the article's 3 and −1, come from the same weights)</li></ul></div>"
    )


def weight_sharing_explorer(output: int = 1, filter_number: int = 1) -> Explorer:
    """Notebook 03's widget: an output slider (1-16) and a choice of the lecture's two filters."""
    return Explorer(
        weight_sharing_view,
        {
            "output": int_slider(output, 1, 16, "output (1–16)"),
            "filter_number": widgets.ToggleButtons(
                options=FILTER_OPTIONS,
                value=filter_number,
                description="filter",
                style=SLIDER_STYLE,
            ),
        },
    )


# --- How a network learns: gradient descent fitting one 3x3 filter ---

SHOWN_STEPS = (0, 10, 30)  # kernels drawn beside the last one and the target

LOSS_FLOOR = 1e-12  # the lowest loss the widget's log axis draws

LEARNING_RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 0.9]  # the widget's choices


def figure_learning(fit: FilterFit | None = None) -> Figure:
    """The loss falling step by step, and the kernel at a few steps beside the target."""
    fit = fit or fit_filter()
    steps = len(fit.losses)
    shown = [t for t in SHOWN_STEPS if t < steps] + [steps]
    fig = NotebookFigure(figsize=(12, 3.8))
    loss_ax, *kernel_axes = fig.subplots(
        1, len(shown) + 2, width_ratios=[2.4] + [1] * (len(shown) + 1)
    )
    loss_ax.semilogy(np.arange(steps), fit.losses, color=PALETTE[0], lw=2)
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("loss (mean squared error)")
    loss_ax.set_title("the loss falls")
    loss_ax.grid(True, which="major", alpha=0.3)
    bound = float(np.abs(fit.target).max())
    kernels = [fit.kernels[t] for t in shown] + [fit.target]
    titles = [f"after {t} steps" if t else "start (zeros)" for t in shown] + ["target"]
    for ax, kernel, title in zip(kernel_axes, kernels, titles):
        image = ax.imshow(kernel, cmap="RdBu_r", vmin=-bound, vmax=bound)
        for (r, c), value in np.ndenumerate(kernel):
            shown_value = 0.0 if abs(value) < 0.005 else value  # no "-0.00"
            ink = "white" if abs(value) > 0.6 * bound else "black"
            ax.text(
                c,
                r,
                f"{shown_value:.2f}",
                ha="center",
                va="center",
                fontsize=8,
                color=ink,
                in_layout=False,  # inside the axes: nothing for the layout to make room for
            )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=kernel_axes, label="weight", shrink=0.8)
    fig.suptitle(
        "Gradient descent recovers the edge filter: the kernel converges as the loss falls"
    )
    return fig


def _one_decimal(kernel: np.ndarray) -> list[list[str]]:
    """The kernel's values to one decimal, as a grid shows them (no "-0.0")."""
    return [[f"{value:.1f}".replace("-0.0", "0.0") for value in row] for row in kernel]


def learning_view(
    step: int = FIT_STEPS,
    learning_rate: float = FIT_LEARNING_RATE,
    fits: Mapping[float, FilterFit] | None = None,
) -> str:
    """The widget's view: the loss up to `step` (log scale), the kernel then, and the target.

    `fits` maps learning rates to runs of `fit_filter` over FIT_STEPS made beforehand (the
    explorer makes one per slider choice); a rate not in it is fitted here.
    """
    check_int(step, "step", minimum=1, maximum=FIT_STEPS)
    learning_rate = check_real(learning_rate, "learning_rate")
    fit = (fits or {}).get(learning_rate)
    if fit is None:
        fit = fit_filter(FIT_STEPS, learning_rate)
    if not np.all(np.isfinite(fit.losses)):
        raise ValueError(
            f"with learning rate {learning_rate} the loss overflows: take a smaller one"
        )
    # A log axis cannot show 0: a loss that reaches it (a large rate) is drawn at LOSS_FLOOR.
    chart = log_line_chart(
        {"loss": np.maximum(fit.losses[:step], LOSS_FLOOR).tolist()},
        f"learning rate {learning_rate}: loss {fit.losses[step - 1]:.3g} at step {step}",
        "step",
        "loss (mean squared error)",
        width=460,
        height=280,
    )
    kernel = fit.kernels[step]
    cell = 42
    parts = [
        grid(_one_decimal(kernel), 10, 40, cell, caption=f"kernel after step {step}"),
        grid(fit.target.tolist(), 10 + 4 * cell, 40, cell, caption="target"),
    ]
    kernels = svg_document(8 * cell, 40 + 3 * cell + 30, parts)
    error = float(np.abs(kernel - fit.target).max())
    trend = "falling" if fit.losses[-1] < fit.losses[0] else "growing: the steps overshoot"
    return (
        f"<div style='display:flex;gap:16px;align-items:flex-start'>{chart}{kernels}</div>"
        f"<div>largest distance from the target: <b>{error:.3g}</b>; over {FIT_STEPS} steps "
        f"the loss is {trend}.</div>"
    )


def learning_explorer(step: int = FIT_STEPS, learning_rate: float = FIT_LEARNING_RATE) -> Explorer:
    """Notebook 03's learning widget: a step slider and a learning-rate slider.

    Each learning rate's run is fitted here, once, so moving a slider only draws.
    """
    fits = {rate: fit_filter(FIT_STEPS, rate) for rate in LEARNING_RATES}
    return Explorer(
        partial(learning_view, fits=fits),
        {
            "step": int_slider(step, 1, FIT_STEPS, "step"),
            "learning_rate": choice_slider(learning_rate, LEARNING_RATES, "learning rate"),
        },
    )


MATRIX_IMAGE_SIDE, MATRIX_KERNEL = 8, 3

STRIDED_STRIDE = 2  # the exercise that adds a stride to the notebook's unrolled_matrix

PADDED_POSITION = (3, 0)  # (row, column) of the output asked for, filter 1, padding 1


def _matrix_rows_columns() -> tuple[int, int]:
    indices = conv_weight_indices(MATRIX_KERNEL, MATRIX_IMAGE_SIDE)
    return indices.shape


def matrix_shape_exercise() -> Exercise:
    rows, columns = _matrix_rows_columns()
    n, k = MATRIX_IMAGE_SIDE, MATRIX_KERNEL
    out = conv_output_size(n, k)
    lecture_rows, lecture_columns = conv_weight_indices(k, 6).shape
    return Exercise(
        "03_weight_sharing.ipynb",
        "The shape of the unrolled matrix",
        NUMBERS,
        (rows, columns),
        f"one row per output ({out} × {out} = {rows}) and one column per pixel "
        f"({n} × {n} = {columns}).",
        "M · x must turn the image's pixels into the feature map's values.",
        (
            Mistake(
                (columns, rows),
                "rows and columns are swapped: M has one row per output, one column per pixel.",
            ),
            Mistake(
                (lecture_rows, lecture_columns),
                f"that is the lecture's 6 × 6 image; this one is {n} × {n}.",
            ),
            Mistake(
                (columns, columns),
                f"there are fewer outputs than pixels: the feature map is {out} × {out}.",
            ),
        ),
        form="(rows, columns)",
        given=(n, k),
    )


def weight_copies_exercise() -> Exercise:
    indices = conv_weight_indices(MATRIX_KERNEL, MATRIX_IMAGE_SIDE)
    answer = int(np.count_nonzero(indices == 0))
    rows, columns = indices.shape
    return Exercise(
        "03_weight_sharing.ipynb",
        "How often one weight is shared",
        WHOLE,
        answer,
        f"one copy per output, {answer}: every row of M uses the same {MATRIX_KERNEL**2} "
        "weights, shifted.",
        "in how many rows of M does the top-left weight appear, and how often per row?",
        (
            Mistake(
                1,
                "the filter stores it once, but M holds a copy of it for every output "
                "(weight sharing).",
            ),
            Mistake(
                columns,
                f"one copy per output (row of M), not per pixel: the map has {rows} outputs.",
            ),
            Mistake(
                MATRIX_KERNEL**2,
                f"{MATRIX_KERNEL**2} is the number of different weights; count the copies of "
                "one of them.",
            ),
            Mistake(
                int(np.count_nonzero(indices >= 0)),
                "that counts every non-zero entry of M (all nine weights); count only the "
                "top-left one.",
            ),
        ),
        given=(),
    )


def padded_output_exercise() -> Exercise:
    row, col = PADDED_POSITION
    padded = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None], padding=1)
    unpadded = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])
    answer = float(padded[0, row, col])
    return Exercise(
        "03_weight_sharing.ipynb",
        "One output with padding",
        WHOLE,
        answer,
        f"{format_number(answer)}: with padding 1, output ({row}, {col}) reads a window that "
        "starts one row up and one column left of pixel "
        f"({row}, {col}), so its left column lies in the zero padding.",
        "with padding 1, output (r, c) reads image rows r − 1 … r + 1 and columns c − 1 … c + 1 "
        "(outside the image: zeros).",
        (
            Mistake(
                float(unpadded[0, row, col]),
                "that is the output without padding. With padding 1 the window starts one row "
                "and one column earlier, partly in the zeros.",
            ),
            Mistake(float(padded[1, row, col]), "that is filter 2's value there; use filter 1."),
            Mistake(
                float(padded[0, col, row]),
                f"row and column are swapped: row {row} counts down, column {col} across.",
            ),
        ),
        given=(LECTURE_IMAGE.shape[-1], row, col),
    )


def strided_matrix_exercise() -> Exercise:
    s = STRIDED_STRIDE
    maps = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None], stride=s)
    answer = tuple(float(v) for v in maps[0].ravel())
    unit = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])
    shifted = conv_as_matrix(LECTURE_FILTERS[0], 6)[: len(answer)] @ LECTURE_IMAGE.ravel()
    side = LECTURE_IMAGE.shape[-1]
    return Exercise(
        "03_weight_sharing.ipynb",
        "Change the matrix: add a stride",
        NUMBERS,
        answer,
        f"with stride {s} the window starts at rows and columns 0 and {s}: outputs (0, 0), "
        f"(0, {s}), ({s}, 0) and ({s}, {s}) of the stride-1 map, so M is "
        f"{len(answer)} × {side * side}.",
        f"output (i, j) now reads the window whose top-left pixel is (i·{s}, j·{s}), so the "
        "map is 2 × 2; M @ x gives its 4 values row by row.",
        (
            Mistake(
                tuple(float(v) for v in shifted),
                "those are the first four outputs of the stride-1 matrix: with a stride the "
                f"window jumps {s} pixels, so the column of a tap is (i·{s} + a)·6 + j·{s} + b.",
            ),
            Mistake(
                tuple(float(v) for v in unit[0, 1::s, 1::s].ravel()),
                f"those windows start one pixel too far: output (i, j) starts at (i·{s}, j·{s}), "
                "counting from 0.",
            ),
            Mistake(
                tuple(float(v) for v in maps[1].ravel()),
                "that is filter 2's map; use filter 1 (the diagonal one).",
            ),
        ),
        form="[a, b, c, d] (the 2 × 2 map row by row)",
        given=(s, side),
    )


# --- Exercise checks (the notebook calls these) ---


def check_matrix_shape(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "The shape of the unrolled matrix"."""
    return check(matrix_shape_exercise, answer)


def check_weight_copies(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "How often one weight is shared"."""
    return check(weight_copies_exercise, answer)


def check_padded_output(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "One output with padding"."""
    return check(padded_output_exercise, answer)


def check_strided_matrix(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "Change the matrix: add a stride"."""
    return check(strided_matrix_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_matrix_shape": matrix_shape_exercise,
    "check_weight_copies": weight_copies_exercise,
    "check_padded_output": padded_output_exercise,
    "check_strided_matrix": strided_matrix_exercise,
}
