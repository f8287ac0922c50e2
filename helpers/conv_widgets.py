"""Widgets of notebooks 02 and 03, drawn as SVG strings so that an update takes a millisecond.

02: the padding/stride/dilation explorer (padded input, kernel window, output grid, formula).
03: the output-cell picker of the lecture's 6x6 example (its 9 pixels and its matrix row).
Colours come from `helpers.conv_figures`, so the widgets match the static pictures.
"""

from __future__ import annotations

from functools import cache
from html import escape

import ipywidgets as widgets
import numpy as np

from helpers.arithmetic import check_int, conv_output_size, effective_kernel_size
from helpers.conv import (
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    conv2d_by_hand,
    conv_weight_indices,
    conv_windows,
)
from helpers.conv_figures import (
    FRAME_COLOUR,
    OUTPUT_COLOUR,
    PADDING_COLOUR,
    WEIGHT_COLOURS,
    WINDOW_COLOUR,
    filter_index,
)
from helpers.svg import grid, svg_document
from helpers.widgets import SLIDER_STYLE, Explorer, int_slider

UNREAD_COLOUR = "#f4b6b6"  # cells of the padded input that no window ever reads
OUTPUT_BACKGROUND = "#eef7ec"
PLAY_INTERVAL_MS = 700

# --- 02: padding, stride and dilation ---------------------------------------------------------


def output_size_formula(
    input_size: int, kernel_size: int, padding: int, stride: int, dilation: int
) -> str:
    """PyTorch's output-size formula with the numbers filled in, ending in the result.

    E.g. '⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 3'; ValueError (from
    `conv_output_size`) where PyTorch would refuse the combination.
    """
    size = conv_output_size(input_size, kernel_size, stride, padding, dilation)
    n, k, p, s, d = input_size, kernel_size, padding, stride, dilation
    room = n + 2 * p - d * (k - 1) - 1
    return f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = ⌊{room} / {s}⌋ + 1 = {size}"


def read_cells(
    input_size: int, kernel_size: int, padding: int, stride: int, dilation: int
) -> np.ndarray:
    """Padded-grid rows (= columns, the grid is square) that at least one window reads."""
    windows = conv_windows(input_size, kernel_size, stride, padding, dilation)
    return np.unique(windows[:, 0, :, 0, 0])


def _label(text: str, x: float, y: float) -> str:
    return f'<text x="{x:.0f}" y="{y:.0f}">{escape(text)}</text>'


def _legend(items: list[tuple[str, str]], x: float, y: float) -> str:
    parts = []
    for colour, text in items:
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}" '
            f'stroke="#888"/><text x="{x + 17:.0f}" y="{y:.0f}">{escape(text)}</text>'
        )
        x += 24 + 6.6 * len(text)
    return "".join(parts)


def conv_explorer_view(
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

    cell = max(12, min(28, 340 // size))
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
        _label(f"padded input: {n} + 2·{p} = {size} cells a side", left, top + size * cell + 16),
        grid(
            [[""] * out for _ in range(out)],
            out_x,
            top,
            cell,
            out_fills,
        ),
        _label(f"output: {out}×{out}", out_x, top + out * cell + 16),
        f'<text x="{out_x - 30}" y="{top + size * cell / 2:.0f}" text-anchor="middle" '
        f'font-size="22" fill="{FRAME_COLOUR}">→</text>',
        _legend(
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


class ConvExplorer(Explorer):
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
        super().__init__(conv_explorer_view, controls)
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
) -> ConvExplorer:
    """Notebook 02's explorer, starting at the article's worked example (5, 3, 1, 2)."""
    return ConvExplorer(input_size, kernel_size, padding, stride, dilation, position)


# --- 03: weight sharing ------------------------------------------------------------------------

FILTER_OPTIONS = [("filter 1 (diagonal)", 1), ("filter 2 (vertical)", 2)]


@cache
def _lecture_map(index: int) -> np.ndarray:
    feature_map = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[index][None, None])[0]
    feature_map.flags.writeable = False  # cached: shared by every call
    return feature_map


@cache
def _lecture_taps() -> np.ndarray:
    taps = conv_weight_indices(LECTURE_FILTERS.shape[1:], LECTURE_IMAGE.shape)
    taps.flags.writeable = False
    return taps


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
            fill = WEIGHT_COLOURS[tap] if tap >= 0 else "#ffffff"
            opacity = 1.0 if chosen or tap < 0 else 0.3
            parts.append(
                f'<rect x="{x + c * cell}" y="{y + r * cell}" width="{cell}" height="{cell}" '
                f'fill="{fill}" fill-opacity="{opacity}" stroke="#ddd" stroke-width="0.5"/>'
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
        _label("6×6 image (pixels 1–36 row by row)", 10, top + 6 * cell + 16),
        grid(kernel.tolist(), kernel_x, top + cell, cell, kernel_fills),
        _label(f"filter {index + 1}", kernel_x, top + 4 * cell + 16),
        grid(
            feature_map.tolist(),
            map_x,
            top + cell // 2,
            cell,
            {(row, col): OUTPUT_COLOUR},
        ),
        _label("4×4 feature map", map_x, top + cell // 2 + 4 * cell + 16),
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


def weight_sharing_picker(output: int = 1, filter_number: int = 1) -> Explorer:
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
