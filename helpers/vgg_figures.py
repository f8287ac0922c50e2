"""Notebook 07's pictures: where VGG16's parameters live, stacked 3x3 kernels, feature maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import matplotlib
import numpy as np
import torch

from helpers.arithmetic import check_int
from helpers.figure_cache import cached_figure
from helpers.images import sample_photo
from helpers.svg import PALETTE
from helpers.vgg import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    forward_by_block,
    image_batch,
    layer_param_counts,
    stacked_vs_large_kernel,
    vgg16,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CONV_COLOUR, LINEAR_COLOUR = PALETTE[0], PALETTE[1]
STACK_COLOURS = ("#e15759", "#f28e2b", "#edc948", "#59a14f", "#76b7b2", "#4e79a7")
MAP_COLOURMAP = "viridis"  # the feature maps' colours, as imshow's default
MAP_GAP = 4  # white pixels between two feature maps in the mosaic


def short_layer_names(counts: Sequence[tuple[str, int]]) -> list[str]:
    """Readable labels for `layer_param_counts` names: conv1 ... conv13, fc1 ... fc3."""
    labels, convs, linears = [], 0, 0
    for name, _ in counts:
        if name.startswith("features."):
            convs += 1
            labels.append(f"conv{convs} ({name})")
        elif name.startswith("classifier."):
            linears += 1
            labels.append(f"fc{linears} ({name})")
        else:
            labels.append(name)
    return labels


@cached_figure
def figure_params_per_layer(counts: Sequence[tuple[str, int]] | None = None) -> Figure:
    """Horizontal bars: parameters of each layer of VGG16 and its share of the total."""
    from helpers.notebook_figure import NotebookFigure

    if counts is None:
        counts = layer_param_counts(vgg16(device="meta"))
    if not counts:
        raise ValueError("counts must list at least one (layer name, count) pair")
    total = sum(count for _, count in counts)
    labels = short_layer_names(counts)
    values = np.array([count for _, count in counts], dtype=float)
    colours = [CONV_COLOUR if n.startswith("features.") else LINEAR_COLOUR for n, _ in counts]
    fig = NotebookFigure(figsize=(10, 4.6))
    ax = fig.subplots()
    positions = np.arange(len(counts))
    ax.barh(positions, values / 1e6, color=colours)
    for y, value in enumerate(values):
        ax.text(
            value / 1e6 + 0.8, y, f"{value:,.0f}  ({value / total:.1%})", va="center", fontsize=8
        )
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, values.max() / 1e6 * 1.3)
    ax.set_xlabel("parameters (millions)")
    ax.set_title(f"Where VGG16's {total:,} parameters live (blue: convolutions, orange: linear)")
    return fig


@cached_figure
def figure_stacked_vs_large(channels: int = 512, max_layers: int = 5) -> Figure:
    """Parameters of n stacked 3x3 convolutions vs one kernel with the same receptive field."""
    from matplotlib.patches import Rectangle

    from helpers.notebook_figure import NotebookFigure

    max_layers = check_int(max_layers, "max_layers")
    rows = [stacked_vs_large_kernel(n, channels) for n in range(1, max_layers + 1)]
    fig = NotebookFigure(figsize=(10, 4))
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    fields = np.array([row.receptive_field for row in rows])
    left.plot(
        fields,
        [r.large_params / 1e6 for r in rows],
        "o-",
        color=LINEAR_COLOUR,
        label="one k×k convolution",
    )
    left.plot(
        fields,
        [r.stacked_params / 1e6 for r in rows],
        "o-",
        color=CONV_COLOUR,
        label="stacked 3×3 convolutions",
    )
    for row in rows[1:]:  # one layer is the same convolution on both lines
        left.annotate(
            f"{row.layers} × 3×3:\n{row.ratio:.1f}× fewer",
            (row.receptive_field, row.stacked_params / 1e6),
            textcoords="offset points",
            xytext=(0, -28),
            ha="center",
            fontsize=8,
        )
    left.set_xticks(fields, [f"{f}×{f}" for f in fields])
    left.set_xlabel("receptive field of one output unit (input pixels)")
    left.set_ylabel("parameters (millions)")
    left.set_title(f"Same receptive field, {channels} channels in and out")
    left.legend(loc="upper left")
    deepest = min(max_layers, 3)
    side = 2 * deepest + 1
    for depth in range(deepest, -1, -1):
        size = 2 * depth + 1
        start = deepest - depth
        label = (
            "one output unit" if depth == 0 else f"{depth} layer{'s' * (depth > 1)}: {size}×{size}"
        )
        right.add_patch(
            Rectangle((start, start), size, size, color=STACK_COLOURS[depth], label=label)
        )
    for k in range(side + 1):
        right.plot([k, k], [0, side], color="white", lw=0.8)
        right.plot([0, side], [k, k], color="white", lw=0.8)
    right.set_xlim(0, side)
    right.set_ylim(side, 0)
    right.set_aspect("equal")
    right.set_xticks([])
    right.set_yticks([])
    right.set_xlabel("input pixels")
    right.set_title("What one unit sees after n 3×3 layers")
    right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def display_image(batch: torch.Tensor) -> np.ndarray:
    """A normalised (1, 3, H, W) batch back as an (H, W, 3) image in [0, 1] for imshow."""
    if batch.ndim != 4 or batch.shape[:2] != (1, 3):
        raise ValueError(f"batch must have shape (1, 3, H, W), got {tuple(batch.shape)}")
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    image = batch[0].detach().cpu().float() * std + mean
    return image.clamp(0, 1).permute(1, 2, 0).numpy()


def strongest_channels(maps: torch.Tensor, count: int) -> list[int]:
    """Indices of the `count` channels of a (1, C, H, W) output with the largest mean value."""
    if maps.ndim != 4 or maps.shape[0] != 1:
        raise ValueError(f"maps must have shape (1, C, H, W), got {tuple(maps.shape)}")
    count = check_int(count, "count")
    if count > maps.shape[1]:
        raise ValueError(f"count must be between 1 and {maps.shape[1]}, got {count}")
    means = maps[0].detach().float().mean(dim=(1, 2))
    # A stable sort on the negated means: ties keep the lower channel first.
    order = torch.sort(-means, stable=True).indices
    return order[:count].tolist()


class MapMosaic(NamedTuple):
    """Feature maps tiled into one picture: a column per block, `per_block` maps down each."""

    image: np.ndarray  # (H, W, 3) RGB in [0, 1], white between the tiles
    tile: tuple[int, int]  # (height, width) of one tile in pixels: the largest map's size
    blocks: list[str]  # column names, left to right
    channels: list[list[int]]  # per column, the channels shown top to bottom


def scaled_to_own_range(feature_map: torch.Tensor) -> np.ndarray:
    """A 2-D map scaled to [0, 1] by its own minimum and maximum (imshow's default scaling)."""
    array = feature_map.detach().cpu().float().numpy()
    low, high = float(array.min()), float(array.max())
    if high == low:
        return np.zeros_like(array)
    return (array - low) / (high - low)


def map_mosaic(
    outputs: Mapping[str, torch.Tensor], per_block: int = 3, gap: int = MAP_GAP
) -> MapMosaic:
    """The `per_block` strongest maps of each block of `forward_by_block`'s outputs, as one image.

    Each map is scaled to its own range and coloured with MAP_COLOURMAP, then enlarged to the
    largest map's size by repeating pixels (nearest neighbour): block 5's 7×7 map shows 7×7
    squares.
    """
    per_block = check_int(per_block, "per_block")
    gap = check_int(gap, "gap", minimum=0)
    blocks = [name for name in outputs if name.startswith("block")]
    if not blocks:
        raise ValueError("outputs must hold at least one 'block...' entry (see forward_by_block)")
    tile_h = max(outputs[name].shape[2] for name in blocks)
    tile_w = max(outputs[name].shape[3] for name in blocks)
    height = per_block * tile_h + (per_block - 1) * gap
    width = len(blocks) * tile_w + (len(blocks) - 1) * gap
    colour = matplotlib.colormaps[MAP_COLOURMAP]
    image = np.ones((height, width, 3))
    channels = []
    for column, name in enumerate(blocks):
        maps = outputs[name]
        chosen = strongest_channels(maps, per_block)
        channels.append(chosen)
        rows = np.arange(tile_h) * maps.shape[2] // tile_h
        cols = np.arange(tile_w) * maps.shape[3] // tile_w
        for row, channel in enumerate(chosen):
            scaled = scaled_to_own_range(maps[0, channel])[np.ix_(rows, cols)]
            top, left = row * (tile_h + gap), column * (tile_w + gap)
            image[top : top + tile_h, left : left + tile_w] = colour(scaled)[..., :3]
    return MapMosaic(image, (tile_h, tile_w), blocks, channels)


@cached_figure
def figure_feature_maps(
    outputs: Mapping[str, torch.Tensor] | None = None,
    batch: torch.Tensor | None = None,
    per_block: int = 3,
) -> Figure:
    """The input and, for each block, its `per_block` strongest feature maps (random weights).

    The maps are drawn as one mosaic image (see `map_mosaic`): one picture instead of one
    subplot per map, which makes the figure several times cheaper to draw.
    """
    from helpers.notebook_figure import NotebookFigure

    if batch is None:
        batch = image_batch(sample_photo(grey=False))
    if outputs is None:
        outputs = forward_by_block(vgg16().eval(), batch)
    mosaic = map_mosaic(outputs, per_block)
    fig = NotebookFigure(figsize=(10, 1.2 + 1.45 * per_block), layout=None)
    photo = fig.add_axes((0.01, 0.04, 0.2, 0.74))
    photo.imshow(display_image(batch))
    photo.set_title(f"input {batch.shape[2]}×{batch.shape[3]}", fontsize=9)
    photo.axis("off")
    ax = fig.add_axes((0.23, 0.02, 0.76, 0.8))
    ax.imshow(mosaic.image)
    ax.axis("off")
    tile_h, tile_w = mosaic.tile
    for column, (name, chosen) in enumerate(zip(mosaic.blocks, mosaic.channels)):
        _, c, h, w = outputs[name].shape
        ax.text(
            column * (tile_w + MAP_GAP) + tile_w / 2,
            -MAP_GAP,
            f"{name}\n{c}×{h}×{w}\nchannels {', '.join(map(str, chosen))}",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    fig.suptitle(
        "Feature maps after each block, random weights (each map scaled to its own range; "
        "bright = strong response)",
        fontsize=10,
    )
    return fig
