"""Notebook 07's pictures: where VGG16's parameters live, stacked 3x3 kernels, feature maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from helpers.arithmetic import check_int
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

CONV_COLOUR, LINEAR_COLOUR = PALETTE[0], PALETTE[1]
STACK_COLOURS = ("#e15759", "#f28e2b", "#edc948", "#59a14f", "#76b7b2", "#4e79a7")


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


def figure_params_per_layer(counts: Sequence[tuple[str, int]] | None = None) -> Figure:
    """Horizontal bars: parameters of each layer of VGG16 and its share of the total."""
    if counts is None:
        counts = layer_param_counts(vgg16(device="meta"))
    if not counts:
        raise ValueError("counts must list at least one (layer name, count) pair")
    total = sum(count for _, count in counts)
    labels = short_layer_names(counts)
    values = np.array([count for _, count in counts], dtype=float)
    colours = [CONV_COLOUR if n.startswith("features.") else LINEAR_COLOUR for n, _ in counts]
    fig = Figure(figsize=(10, 4.6), layout="constrained")
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


def figure_stacked_vs_large(channels: int = 512, max_layers: int = 5) -> Figure:
    """Parameters of n stacked 3x3 convolutions vs one kernel with the same receptive field."""
    max_layers = check_int(max_layers, "max_layers")
    rows = [stacked_vs_large_kernel(n, channels) for n in range(1, max_layers + 1)]
    fig = Figure(figsize=(10, 4), layout="constrained")
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


def figure_feature_maps(
    outputs: Mapping[str, torch.Tensor] | None = None,
    batch: torch.Tensor | None = None,
    per_block: int = 3,
) -> Figure:
    """The input and, for each block, its `per_block` strongest feature maps (random weights)."""
    if batch is None:
        batch = image_batch(sample_photo(grey=False))
    if outputs is None:
        outputs = forward_by_block(vgg16().eval(), batch)
    blocks = [name for name in outputs if name.startswith("block")]
    if not blocks:
        raise ValueError("outputs must hold at least one 'block...' entry (see forward_by_block)")
    fig = Figure(figsize=(10, 1.3 + 1.6 * per_block), layout="constrained")
    grid = fig.add_gridspec(per_block, len(blocks) + 1)
    photo = fig.add_subplot(grid[:, 0])
    photo.imshow(display_image(batch))
    photo.set_title(f"input {batch.shape[2]}×{batch.shape[3]}", fontsize=9)
    photo.axis("off")
    for column, name in enumerate(blocks, start=1):
        maps = outputs[name]
        for row, channel in enumerate(strongest_channels(maps, per_block)):
            ax = fig.add_subplot(grid[row, column])
            ax.imshow(maps[0, channel].detach().cpu().float().numpy(), cmap="viridis")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel(f"channel {channel}", fontsize=7, labelpad=1)
            if row == 0:
                _, c, h, w = maps.shape
                ax.set_title(f"{name}\n{c}×{h}×{w}", fontsize=9)
    fig.suptitle(
        "Feature maps after each block, random weights (each map scaled to its own range; "
        "bright = strong response)",
        fontsize=10,
    )
    return fig
