"""Notebook 02, padding and stride: the padded worked example drawn, the padding/stride/
dilation explorer (an SVG view that updates in a millisecond), and the exercise cases."""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np
import torch
from torch import nn

from helpers.core.arithmetic import (
    check_int,
    conv2d_param_count,
    conv_output_size,
    effective_kernel_size,
)
from helpers.core.conv import (
    WORKED_BIAS,
    WORKED_INPUT,
    WORKED_PADDING,
    WORKED_STRIDE,
    WORKED_WEIGHTS,
    conv2d_by_hand,
    conv_windows,
)
from helpers.ui.exercises import NUMBERS, WHOLE, Exercise, Feedback, Mistake, check, format_number
from helpers.ui.explorer import Explorer, int_slider
from helpers.ui.figure import NotebookFigure, draw_cells, draw_frame
from helpers.ui.palette import (
    FRAME_COLOUR,
    GRID_LINE_COLOUR,
    KERNEL_COLOUR,
    OUTPUT_BACKGROUND,
    OUTPUT_COLOUR,
    PADDING_COLOUR,
    UNREAD_COLOUR,
    WINDOW_COLOUR,
)
from helpers.ui.svg import grid, svg_document, svg_label, svg_legend

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_padded_convolution(kernel: int = 0, row: int = 0, col: int = 1) -> Figure:
    """The article's worked example: 5x5x3 input padded to 7x7x3, two 3x3x3 kernels, stride 2,
    3x3x2 output; one output value (`kernel`, `row`, `col`) and the window it reads highlighted."""
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
        draw_cells(ax, padded[c], x0, 0, fills)
        draw_frame(ax, x0 + left_col, top_row, kw, kh)
        ax.text(x0 + size / 2, -0.4, f"input channel {c + 1} (padded)", ha="center", fontsize=9)
        for o in range(kernels):
            kx = x0 + o * (kw + 1)
            used = o == kernel
            draw_cells(
                ax,
                WORKED_WEIGHTS[o, c],
                kx,
                kernel_y,
                default_fill=KERNEL_COLOUR if used else "white",
            )
            if used:
                draw_frame(ax, kx, kernel_y, kw, kh, lw=1.6)
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
        draw_cells(ax, output[o], out_x, oy, fills)
        ax.text(out_x + out_w / 2, oy - 0.4, f"output map {o + 1}", ha="center", fontsize=9)
        ax.text(
            out_x + out_w + 0.4,
            oy + out_h / 2,
            f"b{o + 1} = {WORKED_BIAS[o]:g}",
            va="center",
            fontsize=8,
            bbox={
                "facecolor": KERNEL_COLOUR if o == kernel else "white",
                "edgecolor": GRID_LINE_COLOUR,
            },
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


PLAY_INTERVAL_MS = 700


def output_size_formula(
    input_size: int, kernel_size: int, padding: int, stride: int, dilation: int
) -> str:
    """PyTorch's output-size formula with the numbers filled in, ending in the result.

    E.g. '⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 3'; ValueError (from
    `conv_output_size`) where PyTorch would refuse the combination.
    """
    if isinstance(padding, str):
        raise TypeError(
            f"padding must be an int here (the formula adds 2·padding), got {padding!r}; "
            "conv_padding_amounts gives the zeros that 'same' or 'valid' add"
        )
    n = check_int(input_size, "input_size")
    k = check_int(kernel_size, "kernel_size")
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride")
    d = check_int(dilation, "dilation")
    size = conv_output_size(n, k, s, p, d)
    room = n + 2 * p - d * (k - 1) - 1
    return f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = ⌊{room} / {s}⌋ + 1 = {size}"


def read_cells(
    input_size: int, kernel_size: int, padding: int, stride: int, dilation: int
) -> np.ndarray:
    """Padded-grid rows (= columns, the grid is square) that at least one window reads."""
    windows = conv_windows(input_size, kernel_size, stride, padding, dilation)
    return np.unique(windows[:, 0, :, 0, 0])


# The largest side of the padded-input grid in the explorer's view, in pixels.
GRID_PX = 260


def padding_stride_view(
    input_size: int = 5,
    kernel_size: int = 3,
    padding: int = 1,
    stride: int = 2,
    dilation: int = 1,
    position: int = 0,
) -> str:
    """Notebook 02's explorer: the padded input with the (dilated) kernel window of output
    number `position` (row-major, from 0), the output grid, and the output-size formula."""
    n = check_int(input_size, "input_size")
    k = check_int(kernel_size, "kernel_size")
    p = check_int(padding, "padding", minimum=0)
    s = check_int(stride, "stride")
    d = check_int(dilation, "dilation")
    position = check_int(position, "position", minimum=0)
    out = conv_output_size(n, k, s, p, d)  # ValueError names the argument that does not fit
    if position >= out * out:
        raise ValueError(
            f"position {position} is beyond the last output: a {out}×{out} output has positions "
            f"0 to {out * out - 1}"
        )
    row, col = divmod(position, out)
    size = n + 2 * p
    span = effective_kernel_size(k, d)
    read = set(read_cells(n, k, p, s, d).tolist())
    taps = [row * s + a * d for a in range(k)], [col * s + b * d for b in range(k)]

    fills: dict[tuple[int, int], str] = {}
    values: list[list[str]] = []
    for r in range(size):
        line = []
        for c in range(size):
            is_padding = not (p <= r < p + n and p <= c < p + n)
            line.append("0" if is_padding else "")
            if r not in read or c not in read:
                fills[(r, c)] = UNREAD_COLOUR
            elif is_padding:
                fills[(r, c)] = PADDING_COLOUR
        values.append(line)
    for r in taps[0]:
        for c in taps[1]:
            fills[(r, c)] = WINDOW_COLOUR

    # The padded grid takes at most GRID_PX a side (cells of 10-24 px), so that the whole
    # explorer, sliders and notes included, fits a 1280 x 720 slide (make present).
    cell = max(10, min(24, GRID_PX // size))
    top, left = 34, 10
    out_x = left + size * cell + 60
    out_fills = {(r, c): OUTPUT_BACKGROUND for r in range(out) for c in range(out)}
    out_fills[(row, col)] = OUTPUT_COLOUR
    width = max(out_x + out * cell + 20, 560)
    legend_y = top + size * cell + 44
    parts = [
        grid(
            values,
            left,
            top,
            cell,
            fills,
            outline=(taps[0][0], taps[1][0], span, span),
        ),
        svg_label(f"padded input: {n} + 2·{p} = {size} cells a side", left, top + size * cell + 16),
        grid(
            [[""] * out for _ in range(out)],
            out_x,
            top,
            cell,
            out_fills,
        ),
        svg_label(f"output: {out}×{out}", out_x, top + out * cell + 16),
        f'<text x="{out_x - 30}" y="{top + size * cell / 2:.0f}" text-anchor="middle" '
        f'font-size="22" fill="{FRAME_COLOUR}">→</text>',
        svg_legend(
            [
                (PADDING_COLOUR, "padding (zeros)"),
                (WINDOW_COLOUR, "read for the green output"),
                (UNREAD_COLOUR, "never read by any window"),
            ],
            left,
            legend_y,
        ),
    ]
    svg = svg_document(
        width,
        legend_y + 12,
        parts,
        title=f"output (row {row}, col {col}): kernel window {span}×{span} at stride {s}",
    )
    never = sorted(set(range(size)) - read)
    notes = [
        f"<b>output size</b> = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 = "
        f"{escape(output_size_formula(n, k, p, s, d))}",
        f"<b>effective kernel</b> k + (k − 1)(d − 1) = {k} + {k - 1}·{d - 1} = {span}; "
        f"this output reads padded rows {', '.join(map(str, taps[0]))} "
        f"and columns {', '.join(map(str, taps[1]))}",
    ]
    if never:
        notes.append(
            f"padded rows (and columns) {', '.join(map(str, never))} are never read: the stride "
            "or the dilation skips them, or the floor drops a last window that would not fit"
        )
    items = "".join(f"<li>{note}</li>" for note in notes)
    return f"<div>{svg}<ul style='margin:4px 0'>{items}</ul></div>"


class PaddingStrideExplorer(Explorer):
    """Notebook 02's explorer: size sliders, an output-position slider whose range follows
    the output size, and a Play button that walks the window over every output."""

    def __init__(
        self,
        input_size: int = 5,
        kernel_size: int = 3,
        padding: int = 1,
        stride: int = 2,
        dilation: int = 1,
        position: int = 0,
    ) -> None:
        controls = {
            "input_size": int_slider(input_size, 1, 12, "input size n"),
            "kernel_size": int_slider(kernel_size, 1, 7, "kernel size k"),
            "padding": int_slider(padding, 0, 3, "padding p"),
            "stride": int_slider(stride, 1, 4, "stride s"),
            "dilation": int_slider(dilation, 1, 3, "dilation d"),
        }
        last = max(0, self._outputs(controls) - 1)
        if check_int(position, "position", minimum=0) > last:
            raise ValueError(f"position must be between 0 and {last}, got {position}")
        controls["position"] = int_slider(position, 0, last, "output position")
        # Registered before Explorer's own observers: the range is right before it re-renders.
        for name in ("input_size", "kernel_size", "padding", "stride", "dilation"):
            controls[name].observe(self._fit_position_range, names="value")
        super().__init__(padding_stride_view, controls)
        self.play = widgets.Play(
            value=position, min=0, max=last, interval=PLAY_INTERVAL_MS, repeat=True
        )
        # jslink runs in the browser: each tick moves the slider, whose change re-renders here.
        self.link = widgets.jslink((self.play, "value"), (controls["position"], "value"))
        sliders = [self.controls[name] for name in list(controls)[:-1]]
        self.children = (
            *sliders,
            widgets.HBox([self.play, self.controls["position"]]),
            self.view,
        )

    @staticmethod
    def _outputs(controls: dict[str, widgets.ValueWidget]) -> int:
        """Number of outputs for the current sizes, or 0 when the combination is invalid."""
        try:
            size = conv_output_size(
                controls["input_size"].value,
                controls["kernel_size"].value,
                controls["stride"].value,
                controls["padding"].value,
                controls["dilation"].value,
            )
        except ValueError:
            return 0
        return size * size

    def _fit_position_range(self, _change: dict) -> None:
        count = self._outputs(self.controls)
        if count:  # an invalid combination keeps the range; the view shows the message
            self.controls["position"].max = count - 1  # clamps the value if needed
            self.play.max = count - 1


def padding_stride_explorer(
    input_size: int = 5,
    kernel_size: int = 3,
    padding: int = 1,
    stride: int = 2,
    dilation: int = 1,
    position: int = 0,
) -> PaddingStrideExplorer:
    """Notebook 02's explorer, starting at the article's worked example (5, 3, 1, 2)."""
    return PaddingStrideExplorer(input_size, kernel_size, padding, stride, dilation, position)


SIDE_CASE = {"size": 14, "kernel_size": 5, "padding": 2, "stride": 2}

DILATED_CASE = {"size": 20, "kernel_size": 3, "dilation": 3}

SHAPE_CASE = {"in_channels": 3, "out_channels": 8, "kernel_size": 5, "padding": 2, "size": 12}

GROUPED_CASE = {"in_channels": 8, "out_channels": 16, "kernel_size": 3, "groups": 4}

# The exercise that changes the notebook's loop: map 1 of the worked example at (row, column),
# with the padding repeating the border pixels instead of zeros.
REPLICATE_POSITION = (0, 0)


def _worked_layer_output(padding_mode: str, weights: np.ndarray = WORKED_WEIGHTS) -> np.ndarray:
    """The worked example through nn.Conv2d with `padding_mode`: (kernels, 3, 3)."""
    layer = nn.Conv2d(
        WORKED_INPUT.shape[0],
        weights.shape[0],
        weights.shape[-1],
        stride=WORKED_STRIDE,
        padding=WORKED_PADDING,
        padding_mode=padding_mode,
    )
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weights))
        layer.bias.copy_(torch.tensor(WORKED_BIAS))
        return layer(torch.tensor(WORKED_INPUT, dtype=torch.float32)[None])[0].double().numpy()


def conv_output_side_exercise() -> Exercise:
    n, k, p, s = (SIDE_CASE[key] for key in ("size", "kernel_size", "padding", "stride"))
    answer = conv_output_size(n, k, s, p)
    room = n + 2 * p - k
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Output size with padding and stride",
        WHOLE,
        answer,
        f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{room / s:g}⌋ + 1 = {answer}.",
        "use ⌊(n + 2p − k) / s⌋ + 1 and check each part.",
        (
            Mistake(
                conv_output_size(n + p, k, s, 0),
                "check two things: padding goes on both sides (n + 2p), and the formula ends "
                "with + 1 for the first position.",
            ),
            Mistake(
                math.ceil(room / s) + 1,
                "round the division down (floor), not up: a window that would run past the edge "
                "is not used.",
            ),
            Mistake(
                conv_output_size(n, k, s, 0), f"you left out the padding: {p} zeros on each side."
            ),
            Mistake(
                conv_output_size(n, k, 1, p),
                f"you left out the stride: the kernel moves {s} cells at a time.",
            ),
        ),
        fraction="a size is a whole number: round the division down (floor), then add 1.",
        given=(n, k, p, s),
    )


def dilated_output_side_exercise() -> Exercise:
    n, k, d = (DILATED_CASE[key] for key in ("size", "kernel_size", "dilation"))
    answer = conv_output_size(n, k, dilation=d)
    span = k + (k - 1) * (d - 1)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Output size with dilation",
        WHOLE,
        answer,
        f"the dilated kernel spans {k} + ({k} − 1)·({d} − 1) = {span} cells, so "
        f"{n} − {span} + 1 = {answer}.",
        "work out the span of the dilated kernel first: its taps sit d cells apart.",
        (
            Mistake(
                conv_output_size(n, k),
                f"you left out the dilation: the {k} taps sit {d} cells apart.",
            ),
            Mistake(
                conv_output_size(n, k * d),
                f"the span is k + (k − 1)(d − 1), not k·d: there are only {k - 1} gaps.",
            ),
            Mistake(answer - 1, "you forgot the + 1 for the first position."),
        ),
        fraction="a size is a whole number.",
        given=(n, k, d),
    )


def conv_output_shape_exercise() -> Exercise:
    c_in, c_out, k, p, n = (
        SHAPE_CASE[key] for key in ("in_channels", "out_channels", "kernel_size", "padding", "size")
    )
    side = conv_output_size(n, k, padding=p)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "The shape of a convolution's output",
        NUMBERS,
        (c_out, side, side),
        f"({c_out}, {side}, {side}): one map per kernel, each {n} + 2·{p} − {k} + 1 = {side} "
        "wide. This padding keeps the size.",
        "the depth is one map per kernel; each side follows ⌊(n + 2p − k)/s⌋ + 1.",
        (
            Mistake(
                (c_in, side, side),
                f"the output has one map per kernel: {c_out} kernels, whatever the input depth.",
            ),
            Mistake(
                (c_out,) + (conv_output_size(n + p, k),) * 2,
                f"padding goes on both sides: the padded input is {n} + 2·{p} wide.",
            ),
            Mistake((c_out,) + (conv_output_size(n, k),) * 2, "you left out the padding."),
            Mistake((side, side, c_out), "PyTorch puts the channels first: (channels, h, w)."),
            Mistake((c_out,) + (side - 1,) * 2, "you forgot the + 1 for the first position."),
        ),
        form="(channels, height, width)",
        given=(c_in, c_out, k, p, n),
    )


def grouped_params_exercise() -> Exercise:
    c_in, c_out, k, g = (
        GROUPED_CASE[key] for key in ("in_channels", "out_channels", "kernel_size", "groups")
    )
    answer = conv2d_param_count(c_in, c_out, k, groups=g)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Parameters of a grouped convolution",
        WHOLE,
        answer,
        f"each of the {c_out} kernels sees only its group's {c_in} / {g} = {c_in // g} channels: "
        f"{c_out} · {c_in // g} · {k}·{k} + {c_out} = {format_number(answer)}.",
        "how deep is each kernel when the input channels are split into groups?",
        (
            Mistake(
                conv2d_param_count(c_in, c_out, k),
                f"with groups={g} a kernel sees only {c_in} / {g} of the input channels.",
            ),
            Mistake(
                conv2d_param_count(c_in, c_out, k, groups=g, bias=False),
                "you forgot the biases: one per output channel.",
            ),
            Mistake(
                c_out * g * k * k + c_out,
                f"a kernel is in_channels / groups = {c_in // g} deep, not groups deep.",
            ),
            Mistake(
                conv2d_param_count(c_in // g, c_out // g, k),
                f"the output channels are not divided: there are still {c_out} kernels "
                f"({c_out // g} per group), each with a bias.",
            ),
        ),
        given=(c_in, c_out, k, g),
    )


def replicate_padding_exercise() -> Exercise:
    row, col = REPLICATE_POSITION
    replicate = _worked_layer_output("replicate")
    zeros = conv2d_by_hand(
        WORKED_INPUT, WORKED_WEIGHTS, WORKED_BIAS, stride=WORKED_STRIDE, padding=WORKED_PADDING
    )
    flipped = conv2d_by_hand(
        WORKED_INPUT,
        WORKED_WEIGHTS[:, :, ::-1, ::-1],
        WORKED_BIAS,
        stride=WORKED_STRIDE,
        padding=WORKED_PADDING,
    )
    answer = float(replicate[0, row, col])
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Change the loop: pad with the border's own pixels",
        WHOLE,
        answer,
        f"{format_number(answer)}: the window at ({row}, {col}) reads the padded row and column, "
        "which now repeat the image's first row and column instead of adding zeros.",
        'change only the padding line: F.pad(x, (padding,) * 4, mode="replicate"), then run '
        "the loop with stride 2 and padding 1 and read map 1 (index 0).",
        (
            Mistake(
                float(zeros[0, row, col]),
                'that is the output with zero padding: change the F.pad line to mode="replicate".',
            ),
            Mistake(
                float(_worked_layer_output("reflect")[0, row, col]),
                'that is mode="reflect" (a mirror that skips the border pixel); "replicate" '
                "repeats the border pixel itself.",
            ),
            Mistake(
                float(_worked_layer_output("circular")[0, row, col]),
                'that is mode="circular" (the far side wraps around); "replicate" repeats the '
                "nearest border pixel.",
            ),
            Mistake(
                float(replicate[1, row, col]),
                "that is map 2 (the second kernel); map 1 is index 0.",
            ),
            Mistake(
                float(flipped[0, row, col]),
                "that flips the kernel (the textbook convolution) with zero padding; keep the "
                "kernel as it is and change the padding.",
            ),
        ),
        given=(row, col, "replicate", WORKED_STRIDE, WORKED_PADDING),
    )


# --- Exercise checks (the notebook calls these) ---


def check_conv_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Output size with padding and stride"."""
    return check(conv_output_side_exercise, answer)


def check_dilated_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Output size with dilation"."""
    return check(dilated_output_side_exercise, answer)


def check_conv_output_shape(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "The shape of a convolution's output"."""
    return check(conv_output_shape_exercise, answer)


def check_grouped_params(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Parameters of a grouped convolution"."""
    return check(grouped_params_exercise, answer)


def check_replicate_padding(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Change the loop: pad with the border's own pixels"."""
    return check(replicate_padding_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_conv_output_side": conv_output_side_exercise,
    "check_dilated_output_side": dilated_output_side_exercise,
    "check_conv_output_shape": conv_output_shape_exercise,
    "check_grouped_params": grouped_params_exercise,
    "check_replicate_padding": replicate_padding_exercise,
}
