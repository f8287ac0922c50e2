"""Notebook 04's pictures: the lecture's pooling figure, its whole pipeline, the photo's stages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from helpers.core.cnn_pipeline import (
    FILTER_NAMES,
    ShiftChange,
    Stage,
    photo_stages,
    pipeline_photo,
    shift_changes,
)
from helpers.core.conv import LECTURE_FILTERS, LECTURE_IMAGE, conv2d_by_hand
from helpers.core.pooling import POOL_MODES, pool2d_by_hand, pool_argmax
from helpers.ui.figure import NotebookFigure, draw_cells
from helpers.ui.palette import INK_COLOUR, PALETTE
from helpers.ui.svg import format_cell

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage


def display_limit(values: np.ndarray, percentile: float = 99.0) -> float:
    """The magnitude shown as full brightness: a high percentile of |values|, so that a few
    very strong responses do not leave every other edge too dark to see (1.0 for all zeros)."""
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile}")
    limit = float(np.percentile(np.abs(values), percentile))
    return limit if limit > 0 else float(np.max(np.abs(values))) or 1.0


POOL = 2  # the lecture pools 2x2 windows with stride 2


def lecture_maps() -> np.ndarray:
    """The lecture's two 4×4 feature maps: its 6×6 image convolved with its two filters."""
    return conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])


def draw_grid(
    ax: Axes,
    values: np.ndarray,
    title: str = "",
    fills: dict[tuple[int, int], tuple[str, float]] | None = None,
    bold: Sequence[tuple[int, int]] = (),
    font_size: float = 12,
) -> None:
    """Numbers in a grid of square cells on `ax`: per-cell (colour, alpha) fills, bold cells."""
    from matplotlib.colors import to_rgba

    rows, cols = values.shape
    draw_cells(
        ax,
        values,
        0,
        0,
        fills={cell: to_rgba(*fill) for cell, fill in (fills or {}).items()},
        fontsize=font_size,
        bold=bold,
        label=lambda value: format_cell(float(value)),
        linewidth=0.8,
    )
    ax.set_xlim(-0.05, cols + 0.05)
    ax.set_ylim(rows + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=11)


def _window_fills(size: int) -> dict[tuple[int, int], tuple[str, float]]:
    """Each 2×2 window of a size×size map in its own palette colour, lightly."""
    per_row = size // POOL
    return {
        (r, c): (PALETTE[(r // POOL) * per_row + c // POOL], 0.3)
        for r in range(per_row * POOL)
        for c in range(per_row * POOL)
    }


def figure_lecture_pooling(mode: str = "max") -> Figure:
    """The article's pooling figure: each 4×4 map, its 2×2 windows coloured, and the 2×2 result.

    With max pooling the value each window keeps is bold and darker in the map.
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    maps = lecture_maps()
    pooled = pool2d_by_hand(maps, POOL, mode=mode)
    fig = NotebookFigure(figsize=(10, 3.4))
    axes = fig.subplots(1, 4, width_ratios=[4, 2.6, 4, 2.6])
    for f in range(2):
        fills = _window_fills(maps.shape[1])
        winners: list[tuple[int, int]] = []
        if mode == "max":
            for r, c in pool_argmax(maps[f], POOL).reshape(-1, 2):
                fills[(int(r), int(c))] = (fills[(int(r), int(c))][0], 0.75)
                winners.append((int(r), int(c)))
        draw_grid(axes[2 * f], maps[f], f"filter {f + 1}: 4×4 feature map", fills, winners)
        out_fills = {
            (r, c): (PALETTE[r * 2 + c], 0.75) for r in range(pooled.shape[1]) for c in range(2)
        }
        name = "max" if mode == "max" else "average"
        draw_grid(
            axes[2 * f + 1],
            pooled[f],
            f"{name} → 2×2",
            out_fills,
            font_size=13,
        )
    word = "Max" if mode == "max" else "Average"
    fig.suptitle(f"{word} pooling, 2×2 windows, stride 2: each coloured window becomes one number")
    return fig


def figure_lecture_pipeline() -> Figure:
    """The lecture's whole pipeline: 6×6 image → two 3×3 filters → 4×4×2 → max pool → 2×2×2."""
    maps = lecture_maps()
    pooled = pool2d_by_hand(maps, POOL)
    fig = NotebookFigure(figsize=(10, 4.6))
    grid = fig.add_gridspec(2, 4, width_ratios=[6, 3, 4, 2])
    image_ax = fig.add_subplot(grid[:, 0])
    image_fills = {
        (r, c): (INK_COLOUR, 0.25) for r, c in zip(*np.nonzero(LECTURE_IMAGE), strict=True)
    }
    draw_grid(image_ax, LECTURE_IMAGE, "image: 6×6×1", image_fills, font_size=12)
    for f in range(2):
        colour = PALETTE[f]
        kernel_fills = {(r, c): (colour, 0.25) for r in range(3) for c in range(3)}
        draw_grid(
            fig.add_subplot(grid[f, 1]),
            LECTURE_FILTERS[f],
            f"filter {f + 1}: 3×3",
            kernel_fills,
            font_size=10,
        )
        draw_grid(
            fig.add_subplot(grid[f, 2]), maps[f], f"conv → 4×4 (filter {f + 1})", font_size=11
        )
        draw_grid(
            fig.add_subplot(grid[f, 3]),
            pooled[f],
            "max pool → 2×2",
            {(r, c): (colour, 0.3) for r in range(2) for c in range(2)},
            font_size=12,
        )
    fig.suptitle(
        "One convolution (2 filters, 3×3, stride 1) and one max pooling (2×2): "
        "6×6×1 → 4×4×2 → 2×2×2"
    )
    return fig


def _show_map(
    ax: Axes, values: np.ndarray, title: str, signed: bool = False, limit: float | None = None
) -> AxesImage:
    """One feature map as an image: signed maps in red/blue around 0, others black to white.

    `limit` is the value shown at full brightness (default `display_limit(values)`: the
    brightest 1% of values are clipped so thin edges stay visible); pass one limit to maps
    that share a colour scale.
    """
    limit = display_limit(values) if limit is None else limit
    if signed:
        shown = ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        shown = ax.imshow(values, cmap="gray", vmin=0, vmax=limit)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def figure_photo_stage(stage: Stage | None = None) -> Figure:
    """One stage up close: for each map, its 3×3 filter, the conv map, ReLU, and max pool.

    `stage`: e.g. `photo_stages()[0]`, which is computed here when not given.
    """
    if stage is None:
        stage = photo_stages()[0]
    fig = NotebookFigure(figsize=(9, 5.6))
    axes = fig.subplots(len(stage.filters), 4, width_ratios=[0.6, 1, 1, 1])
    limit = display_limit(stage.conv)
    for f, kernel in enumerate(stage.filters):
        name = FILTER_NAMES[f] if f < len(FILTER_NAMES) else f"map {f}"
        draw_grid(axes[f, 0], kernel, f"{name} filter", font_size=9)
        conv_shown = axes[f, 1].imshow(stage.conv[f], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[f, 1].set_title(f"conv: {_shape(stage.conv)}", fontsize=10)
        # ReLU and max pool keep values, so one grey scale (the conv's limit) serves both.
        _show_map(axes[f, 2], stage.relu[f], f"ReLU: {_shape(stage.relu)}", limit=limit)
        grey = _show_map(
            axes[f, 3], stage.pooled[f], f"max pool 2×2: {_shape(stage.pooled)}", limit=limit
        )
        for ax in axes[f, 1:]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.colorbar(conv_shown, ax=axes[:, 1], label="conv response (red +, blue −)", shrink=0.6)
    fig.colorbar(
        grey,
        ax=axes[:, 2:],
        orientation="horizontal",
        label="response kept by ReLU and max pool (black 0)",
        shrink=0.6,
        aspect=30,
    )
    source = "the photo" if stage.input_shape[0] == 1 else f"stage {stage.number - 1}'s maps"
    fig.suptitle(
        f"Stage {stage.number} on {source} ({_shape_text(stage.input_shape)}): "
        "conv → ReLU (keeps red) → max pool (halves each side)"
    )
    return fig


def _shape(maps: np.ndarray) -> str:
    return _shape_text(maps.shape)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def figure_photo_pipeline(
    n_stages: int = 5, later: str = "average", stages: Sequence[Stage] | None = None
) -> Figure:
    """The photo through n conv → ReLU → pool stages: each edge filter's map after each stage.

    Every map is drawn the same size on the page, so fewer pixels show up as bigger blocks.
    The three maps of a stage share one grey scale, shown under their column (values grow
    or shrink from stage to stage, so each stage has its own).
    `stages`: the photo's stages; computed here as `photo_stages(later)` when not given, where
    `later` picks the kernels of stages 2 and up (see `helpers.core.cnn_pipeline.stage_filters`).
    """
    if isinstance(n_stages, bool) or not isinstance(n_stages, int) or not 1 <= n_stages:
        raise ValueError(f"n_stages must be an int >= 1, got {n_stages!r}")
    if stages is None:
        stages = photo_stages(later)
    if n_stages > len(stages):
        raise ValueError(f"n_stages must be at most {len(stages)} on this photo, got {n_stages}")
    fig = NotebookFigure(figsize=(10, 5.4))
    axes = fig.subplots(len(FILTER_NAMES), n_stages + 1)
    photo_shape = stages[0].input_shape
    limits = [display_limit(stage.pooled) for stage in stages[:n_stages]]
    for f, name in enumerate(FILTER_NAMES):
        if f == 0:
            photo = pipeline_photo()
            shown = _show_map(axes[0, 0], photo, f"photo {_shape_text(photo_shape)}")
            bar = fig.colorbar(shown, ax=axes[0, 0], orientation="horizontal", label="grey level")
            bar.set_ticks(_two_ticks(display_limit(photo)))
        else:
            axes[f, 0].set_axis_off()
        for s in range(n_stages):
            title = f"stage {s + 1}: {_shape(stages[s].pooled[f])}"
            shown = _show_map(axes[f, s + 1], stages[s].pooled[f], title, limit=limits[s])
            if f == len(FILTER_NAMES) - 1:
                bar = fig.colorbar(
                    shown, ax=axes[:, s + 1], orientation="horizontal", aspect=12, label="response"
                )
                bar.ax.tick_params(labelsize=8)
                bar.ax.xaxis.label.set_fontsize(8)
                bar.set_ticks(_two_ticks(limits[s]))
        axes[f, 1].set_ylabel(f"{name} edges", fontsize=10)
    fig.suptitle("conv → ReLU → max pool, stage after stage: the maps shrink, the main edges stay")
    return fig


def _two_ticks(limit: float) -> list[float]:
    """Ticks at 0 and `limit` rounded down to two significant digits: never overlapping."""
    step = 10.0 ** (math.floor(math.log10(limit)) - 1)
    return [0.0, round(math.floor(limit / step) * step, 10)]


def figure_shift_changes(by_shift: dict[int, list[ShiftChange]] | None = None) -> Figure:
    """How much each stage's maps change after a small shift, before and after pooling.

    `by_shift` maps a shift to `shift_changes(...)`'s list; by default shifts of 1 and 2
    pixels on the pipeline photo, over 3 stages.
    """
    if by_shift is None:
        photo = pipeline_photo()
        by_shift = {shift: shift_changes(photo, shift, n_stages=3) for shift in (1, 2)}
    if not by_shift:
        raise ValueError("by_shift must hold at least one shift's changes")
    fig = NotebookFigure(figsize=(9, 3.6))
    ax = fig.subplots()
    for index, (shift, changes) in enumerate(sorted(by_shift.items())):
        stages = [c.stage for c in changes]
        colour = PALETTE[index % len(PALETTE)]
        label = f"{shift} pixel{'s' if shift > 1 else ''}"
        ax.plot(
            stages,
            [c.relu_change for c in changes],
            "--o",
            color=colour,
            label=f"conv + ReLU, shift {label}",
        )
        ax.plot(
            stages,
            [c.pooled_change for c in changes],
            "-s",
            color=colour,
            label=f"after max pool, shift {label}",
        )
    ax.set_xlabel("number of conv → ReLU → pool stages")
    ax.set_ylabel("mean |change| / mean |value|")
    ax.set_xticks(sorted({c.stage for changes in by_shift.values() for c in changes}))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title("Shift the photo right: how much the maps at the same places change")
    return fig
