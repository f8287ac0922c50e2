"""Notebook 04's widgets: the pooling explorer and the photo pipeline's stage slider."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from functools import partial
from html import escape

import ipywidgets as widgets
import numpy as np

from helpers.core.arithmetic import check_int, pool_output_size
from helpers.core.cnn_pipeline import (
    FILTER_NAMES,
    LATER_FILTERS,
    Stage,
    photo_stages,
    pipeline_photo,
)
from helpers.core.pooling import POOL_MODES, pool2d_by_hand
from helpers.lessons.pooling.figures import display_limit, lecture_maps
from helpers.ui.explorer import SLIDER_LAYOUT, SLIDER_STYLE, Explorer, int_slider
from helpers.ui.figure import grey_png
from helpers.ui.palette import (
    ADDED_FILL,
    FAINT_COLOUR,
    NOTE_COLOUR,
    PALETTE,
    UNSEEN_FILL,
    WINDOW_FILL,
)
from helpers.ui.svg import grid, svg_document


def _read_only(rows: list[list[float]]) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


# A made-up 7x7 feature map (after ReLU). Its two strongest values sit in the last row, which
# 2x2 pooling with stride 2 never reads unless ceil_mode adds a window there.
EXAMPLE_MAP = _read_only(
    [
        [0, 1, 3, 0, 2, 0, 1],
        [2, 5, 1, 0, 4, 1, 0],
        [0, 2, 0, 6, 1, 3, 2],
        [1, 0, 2, 1, 0, 7, 1],
        [4, 1, 0, 3, 2, 0, 5],
        [0, 2, 1, 0, 1, 2, 0],
        [3, 0, 8, 1, 0, 2, 9],
    ]
)

FEATURE_MAP_NAMES = ("7×7 example", "lecture, filter 1 (4×4)", "lecture, filter 2 (4×4)")

MAX_KERNEL = 5

MAX_STRIDE = 4

CELL = 38


WINNER_FILL = PALETTE[1]


def feature_map_values(name: str) -> np.ndarray:
    """The explorer's feature map called `name` (one of FEATURE_MAP_NAMES)."""
    if name not in FEATURE_MAP_NAMES:
        raise ValueError(f"feature_map must be one of {FEATURE_MAP_NAMES}, got {name!r}")
    if name == FEATURE_MAP_NAMES[0]:
        return EXAMPLE_MAP
    return lecture_maps()[FEATURE_MAP_NAMES.index(name) - 1]


def pool_windows(
    size: int, kernel_size: int, stride: int, ceil_mode: bool
) -> list[tuple[int, int]]:
    """(start, stop) of each pooling window along one axis (no padding), stop clipped to `size`.

    The count is `pool_output_size`'s: with ceil_mode a last window may hang over the edge;
    only its cells inside the input are pooled (max ignores the rest, average divides by the
    cells inside, as PyTorch does without padding).
    """
    count = pool_output_size(size, kernel_size, stride, ceil_mode=ceil_mode)
    return [(i * stride, min(i * stride + kernel_size, size)) for i in range(count)]


def pool_map(
    x: np.ndarray, kernel_size: int, stride: int, mode: str = "max", ceil_mode: bool = False
) -> np.ndarray:
    """Pool a 2-D map with square windows; equal to F.max_pool2d / F.avg_pool2d (no padding)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(f"x must be a non-empty (H, W) array, got shape {x.shape}")
    return pool2d_by_hand(x, kernel_size, stride, mode=mode, ceil_mode=ceil_mode)


def _count_line(size: int, kernel: int, stride: int, ceil_mode: bool) -> str:
    """The output-size formula with the numbers filled in, and what ceil_mode did."""
    room = size - kernel
    if ceil_mode:
        raw = -(-room // stride) + 1
        text = f"⌈({size} − {kernel}) / {stride}⌉ + 1 = {raw}"
        kept = pool_output_size(size, kernel, stride, ceil_mode=True)
        if kept < raw:
            text += (
                f", but window {raw} would start at {(raw - 1) * stride}, outside the "
                f"{size}-wide input: PyTorch drops it → <b>{kept}</b>"
            )
        else:
            text = text[: -len(str(raw))] + f"<b>{raw}</b>"
        return text
    return f"⌊({size} − {kernel}) / {stride}⌋ + 1 = <b>{room // stride + 1}</b>"


def pooling_view(
    feature_map: str,
    kernel_size: int,
    stride: int,
    mode: str,
    ceil_mode: bool,
    out_row: int,
    out_col: int,
) -> str:
    """The explorer's display: the map with one window highlighted, the output, the arithmetic."""
    x = feature_map_values(feature_map)
    kernel_size = check_int(kernel_size, "kernel_size")
    stride = check_int(stride, "stride")
    out_row = check_int(out_row, "out_row", minimum=0)
    out_col = check_int(out_col, "out_col", minimum=0)
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    pooled = pool_map(x, kernel_size, stride, mode, ceil_mode)
    size = x.shape[0]
    windows = pool_windows(size, kernel_size, stride, ceil_mode)
    floor_count = (size - kernel_size) // stride + 1 if size >= kernel_size else 0
    row, col = min(out_row, len(windows) - 1), min(out_col, len(windows) - 1)
    (r0, r1), (c0, c1) = windows[row], windows[col]
    window = x[r0:r1, c0:c1]

    fills = {}
    seen = {i for start, stop in windows for i in range(start, stop)}
    for r in range(size):
        for c in range(size):
            if r not in seen or c not in seen:
                fills[(r, c)] = UNSEEN_FILL
    for r in range(r0, r1):
        for c in range(c0, c1):
            fills[(r, c)] = WINDOW_FILL
    if mode == "max":
        wr, wc = np.unravel_index(np.argmax(window), window.shape)
        fills[(r0 + int(wr), c0 + int(wc))] = WINNER_FILL

    reach = max(size, windows[-1][0] + kernel_size)  # the last window may hang over the edge
    left, top = 20, 40
    parts = []
    for r in range(reach):
        for c in range(reach):
            if r >= size or c >= size:
                parts.append(
                    f'<rect x="{left + c * CELL}" y="{top + r * CELL}" width="{CELL}" '
                    f'height="{CELL}" fill="none" stroke="{FAINT_COLOUR}" stroke-dasharray="3 3"/>'
                )
    parts.append(
        grid(
            x.tolist(),
            left,
            top,
            CELL,
            fills,
            outline=(windows[row][0], windows[col][0], kernel_size, kernel_size),
        )
    )
    parts.append(
        f'<text x="{left + reach * CELL / 2:.0f}" y="{top + reach * CELL + 16}" '
        f'text-anchor="middle">feature map {size}×{size}</text>'
    )
    out_left = left + reach * CELL + 70
    arrow_y = top + min(reach, 4) * CELL / 2
    parts.append(
        f'<text x="{out_left - 35}" y="{arrow_y:.0f}" text-anchor="middle" font-size="22">→</text>'
        f'<text x="{out_left - 35}" y="{arrow_y + 18:.0f}" text-anchor="middle">{mode}</text>'
    )
    out_fills = {
        (i, j): ADDED_FILL
        for i in range(len(windows))
        for j in range(len(windows))
        if i >= floor_count or j >= floor_count
    }
    out_fills[(row, col)] = WINNER_FILL if mode == "max" else WINDOW_FILL
    parts.append(
        grid(
            pooled.tolist(),
            out_left,
            top,
            CELL,
            out_fills,
            outline=(row, col, 1, 1),
            caption=f"output {len(windows)}×{len(windows)}",
        )
    )
    width = max(out_left + max(len(windows), 3) * CELL + 20, 440)
    height = top + reach * CELL + 30
    title = f"{mode} pooling, kernel {kernel_size}, stride {stride}, ceil_mode={ceil_mode}"
    picture = svg_document(width, height, parts, title)
    return (
        picture
        + _explain(
            x, mode, kernel_size, stride, ceil_mode, windows, floor_count, (row, col), pooled
        )
        + _notes(size, windows, kernel_size, (out_row, out_col), (row, col))
    )


def _explain(
    x: np.ndarray,
    mode: str,
    kernel: int,
    stride: int,
    ceil_mode: bool,
    windows: list[tuple[int, int]],
    floor_count: int,
    cell: tuple[int, int],
    pooled: np.ndarray,
) -> str:
    """The PyTorch call, the size formula with numbers, and the chosen output's computation."""
    size = x.shape[0]
    layer = "MaxPool2d" if mode == "max" else "AvgPool2d"
    ceil_text = ", ceil_mode=True" if ceil_mode else ""
    lines = [
        f"<code>nn.{layer}(kernel_size={kernel}, stride={stride}{ceil_text})</code>: "
        f"{size}×{size} → {len(windows)}×{len(windows)}",
        "output size: " + _count_line(size, kernel, stride, ceil_mode),
    ]
    if size < kernel:
        lines.append(
            f"the kernel ({kernel}) is larger than the map ({size}): PyTorch accepts this only "
            "with ceil_mode=True (without it, it raises an error)"
        )
    if len(windows) > floor_count:
        lines.append(
            f"ceil_mode added {len(windows) - floor_count} window(s) per axis (orange outputs): "
            "they hang over the edge (dashed cells) and pool only the cells inside"
        )
    (r0, r1), (c0, c1) = windows[cell[0]], windows[cell[1]]
    values = x[r0:r1, c0:c1].ravel()
    listed = ", ".join(f"{v:g}" for v in values)
    result = pooled[cell]
    if mode == "max":
        how = f"max({listed}) = <b>{result:g}</b>"
    else:
        how = f"({' + '.join(f'{v:g}' for v in values)}) / {values.size} = <b>{result:.2f}</b>"
    lines.append(
        f"output ({cell[0]}, {cell[1]}) reads rows {r0}–{r1 - 1}, columns {c0}–{c1 - 1}: {how}"
    )
    if values.size < kernel * kernel:
        lines.append(
            f"this window has only {values.size} of its {kernel * kernel} cells inside the map"
            + (": the average divides by those, not by k×k" if mode == "avg" else "")
        )
    return "".join(f"<div>{line}</div>" for line in lines)


def _notes(
    size: int,
    windows: list[tuple[int, int]],
    kernel: int,
    asked: tuple[int, int],
    shown: tuple[int, int],
) -> str:
    """Warnings: cells no window reads, and sliders past the last window."""
    seen = {i for start, stop in windows for i in range(start, stop)}
    notes = []
    unseen = size * size - len(seen) ** 2
    if unseen:
        notes.append(
            f"{unseen} of the {size * size} cells (grey) are read by no window: "
            "their values cannot reach the output"
        )
    if asked != shown:
        notes.append(
            f"the sliders point past the last window: showing output ({shown[0]}, {shown[1]})"
        )
    return "".join(f"<div style='color:{NOTE_COLOUR}'>{escape(note)}</div>" for note in notes)


def pooling_explorer(
    feature_map: str = FEATURE_MAP_NAMES[0],
    kernel_size: int = 2,
    stride: int = 2,
    mode: str = "max",
    ceil_mode: bool = False,
    out_row: int = 0,
    out_col: int = 0,
) -> Explorer:
    """The pooling explorer: kernel, stride, mode, ceil_mode and which output to trace back."""
    return Explorer(
        pooling_view,
        {
            "feature_map": widgets.Dropdown(
                options=list(FEATURE_MAP_NAMES),
                value=feature_map,
                description="feature map",
                style=SLIDER_STYLE,
                layout=SLIDER_LAYOUT,
            ),
            "kernel_size": int_slider(kernel_size, 1, MAX_KERNEL, "kernel_size"),
            "stride": int_slider(stride, 1, MAX_STRIDE, "stride"),
            "mode": widgets.ToggleButtons(
                options=list(POOL_MODES), value=mode, description="mode", style=SLIDER_STYLE
            ),
            "ceil_mode": widgets.Checkbox(value=ceil_mode, description="ceil_mode"),
            "out_row": int_slider(out_row, 0, EXAMPLE_MAP.shape[0] - 1, "output row"),
            "out_col": int_slider(out_col, 0, EXAMPLE_MAP.shape[1] - 1, "output column"),
        },
    )


SHOWN_WIDTH = 160  # every map is drawn this wide, so fewer values show up as bigger blocks


def map_to_grey(values: np.ndarray) -> np.ndarray:
    """A feature map (≥ 0) as uint8 grey levels: 0 black, `display_limit` and above white."""
    scaled = np.clip(np.asarray(values, dtype=np.float64) / display_limit(values), 0, 1)
    return np.round(scaled * 255).astype(np.uint8)


def png_uri(pixels: np.ndarray) -> str:
    """A data URI of (H, W) uint8 grey levels as a PNG image, for an <img> tag."""
    return "data:image/png;base64," + base64.b64encode(grey_png(pixels)).decode("ascii")


def stage_images(photo: np.ndarray, stages: Sequence[Stage]) -> tuple[tuple[str, ...], ...]:
    """Data URIs of the grey `photo` (entry 0) and of each map after 1, 2, ... `stages`."""
    photo_pixels = np.round(np.clip(photo, 0, 1) * 255).astype(np.uint8)
    maps = [tuple(png_uri(map_to_grey(pooled)) for pooled in stage.pooled) for stage in stages]
    return ((png_uri(photo_pixels),), *maps)


def _footprints(shapes: list[tuple[int, int]], current: int) -> str:
    """Nested rectangles at true pixel size: how much smaller each stage's map is."""
    width, height = shapes[0][1] + 20, shapes[0][0] + 46
    parts = []
    for index, (h, w) in enumerate(shapes):
        chosen = index == current
        parts.append(
            f'<rect x="10" y="30" width="{w}" height="{h}" '
            f'fill="{PALETTE[0] if chosen else "none"}"'
            f' fill-opacity="0.35" stroke="{PALETTE[3] if chosen else FAINT_COLOUR}" '
            f'stroke-width="{2.5 if chosen else 1}"><title>{h}×{w}</title></rect>'
        )
    h, w = shapes[current]
    parts.append(
        f'<text x="{width / 2:.0f}" y="{30 + shapes[0][0] + 14}" text-anchor="middle">'
        f"{h}×{w} of {shapes[0][0]}×{shapes[0][1]}</text>"
    )
    return svg_document(width, height, parts, "true size")


def _grey_scale(limit: float) -> str:
    """A small black-to-white bar labelled 0 and `limit`: the colour scale of one map."""
    return (
        "<span style='font-size:smaller'>0 "
        "<span style='display:inline-block;width:80px;height:9px;vertical-align:middle;"
        f"background:linear-gradient(to right, black, white);border:1px solid {FAINT_COLOUR}'>"
        f"</span> ≥ {limit:.2g}</span>"
    )


def stages_view(
    n_stages: int,
    later: str = "average",
    *,
    stages: Mapping[str, Sequence[Stage]],
    images: Mapping[str, Sequence[Sequence[str]]],
) -> str:
    """The stage slider's display: each edge filter's map after `n_stages` stages, and shapes.

    `stages` maps each choice of `later` to the photo's stages (`photo_stages(later)`), and
    `images` to their pictures (`stage_images`).
    """
    if not isinstance(later, str) or later not in stages or later not in images:
        raise ValueError(f"later must be one of {tuple(stages)}, got {later!r}")
    chosen = stages[later]
    n_stages = check_int(n_stages, "n_stages", minimum=0)
    if n_stages > len(chosen):
        raise ValueError(f"n_stages must be at most {len(chosen)} on this photo, got {n_stages}")
    shapes = [chosen[0].input_shape] + [stage.pooled.shape for stage in chosen]
    path = " → ".join(
        f"<b>{'×'.join(map(str, s))}</b>" if i == n_stages else "×".join(map(str, s))
        for i, s in enumerate(shapes)
    )
    uris = images[later][n_stages]
    if n_stages == 0:
        panels = [("the photo, grey", uris[0], 1.0)]
    else:
        pooled = chosen[n_stages - 1].pooled
        panels = [
            (f"{name} edges", uris[f], display_limit(pooled[f]))
            for f, name in enumerate(FILTER_NAMES)
        ]
    h, w = shapes[n_stages][1:]
    figures = "".join(
        "<figure style='display:inline-block;margin:0 10px 0 0;text-align:center'>"
        f"<img src='{uri}' width='{SHOWN_WIDTH}' height='{round(SHOWN_WIDTH * h / w)}' "
        f"style='image-rendering:pixelated;border:1px solid {FAINT_COLOUR}' alt='feature map'/>"
        f"<figcaption>{escape(caption)}: {h}×{w}<br/>{_grey_scale(limit)}</figcaption></figure>"
        for caption, uri, limit in panels
    )
    values = shapes[n_stages][0] * h * w
    footprint = _footprints([s[1:] for s in shapes], n_stages)
    return (
        f"<div>shape (channels×height×width): {path}</div>"
        f"<div>after {n_stages} stage(s): {values:,} values "
        f"({values / (shapes[0][1] * shapes[0][2]):.1%} of the photo's pixels)</div>"
        f"<div style='display:flex;align-items:flex-start;gap:14px'>"
        f"<div style='white-space:nowrap'>{figures}</div>"
        f"{footprint}</div>"
    )


def stages_explorer(
    n_stages: int = 2,
    later: str = "average",
    stages: Mapping[str, Sequence[Stage]] | None = None,
) -> Explorer:
    """The stage slider: how many conv → ReLU → pool stages the photo goes through.

    `stages` maps choices of LATER_FILTERS to their `photo_stages(choice)`, e.g. the stages a
    notebook already has; the choices it leaves out are computed here. Every picture is made
    here, once, so moving the slider only looks them up.
    """
    given = dict(stages) if stages is not None else {}
    unknown = [choice for choice in given if choice not in LATER_FILTERS]
    if unknown:
        raise ValueError(f"stages has unknown choices {unknown}; known: {list(LATER_FILTERS)}")
    if not isinstance(later, str) or later not in LATER_FILTERS:
        raise ValueError(f"later must be one of {LATER_FILTERS}, got {later!r}")
    by_later = {
        choice: tuple(given[choice]) if choice in given else photo_stages(choice)
        for choice in LATER_FILTERS
    }
    photo = pipeline_photo()
    images = {choice: stage_images(photo, by_later[choice]) for choice in LATER_FILTERS}
    return Explorer(
        partial(stages_view, stages=by_later, images=images),
        {
            "n_stages": int_slider(n_stages, 0, len(by_later[later]), "stages"),
            "later": widgets.Dropdown(
                options=[
                    ("average 3×3 (gathers evidence)", "average"),
                    ("edge filters again", "edges"),
                ],
                value=later,
                description="stages 2+ use",
                style=SLIDER_STYLE,
                layout=SLIDER_LAYOUT,
            ),
        },
    )
