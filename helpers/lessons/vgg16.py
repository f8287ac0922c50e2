"""Notebook 07, VGG16: parameters per layer, feature maps of the photo, stacked 3x3 kernels
against one large kernel (a figure and a widget), and the exercise cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import matplotlib
import numpy as np
import torch

from helpers.core.arithmetic import (
    check_int,
    conv2d_param_count,
    conv_output_size,
    linear_param_count,
    pool_output_size,
    receptive_field,
)
from helpers.core.images import sample_photo
from helpers.core.summary import MIB as BYTES_PER_MIB
from helpers.core.vgg import (
    HIDDEN_FEATURES,
    IMAGENET_MEAN,
    IMAGENET_STD,
    POOL,
    POOLED_SIZE,
    VGG_CONFIGS,
    forward_by_block,
    image_batch,
    layer_param_counts,
    stacked_vs_large_kernel,
    vgg16,
)
from helpers.ui.exercises import NUMBER, WHOLE, Exercise, Feedback, Mistake, check, format_number
from helpers.ui.explorer import Explorer, choice_slider, int_slider
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import PALETTE, RING_COLOURS, STACK_COLOURS
from helpers.ui.svg import svg_document

if TYPE_CHECKING:
    from matplotlib.figure import Figure

VGG_BLOCK = 3  # its first convolution

VGG_SMALL_SIDE, VGG_SIDE_BLOCK = 160, 4

STACKED_LAYERS = 5

# Exercise 5: the notebook's configuration loop with a BatchNorm2d after every convolution.
BATCH_NORM_CONFIG = "vgg16"


def _vgg_block_convs(block: int) -> list[tuple[int, int]]:
    """(in_channels, out_channels) of each convolution of VGG16's `block` (1-based)."""
    channels, current, convs = 3, 1, []
    for entry in VGG_CONFIGS["vgg16"]:
        if entry == POOL:
            current += 1
            continue
        if current == block:
            convs.append((channels, entry))
        channels = entry
    return convs


def _vgg_side(side: int, blocks: int, padding: int = 1) -> int:
    """Side of VGG16's maps after `blocks` blocks (3 × 3 convolutions with `padding`)."""
    done = 0
    for entry in VGG_CONFIGS["vgg16"]:
        if done == blocks:
            break
        if entry == POOL:
            side, done = pool_output_size(side, 2), done + 1
        else:
            side = conv_output_size(side, 3, padding=padding)
    return side


def vgg_conv_params_exercise() -> Exercise:
    c_in, c_out = _vgg_block_convs(VGG_BLOCK)[0]
    answer = conv2d_param_count(c_in, c_out, 3)
    return Exercise(
        "07_vgg16.ipynb",
        "Parameters of one VGG16 convolution",
        WHOLE,
        answer,
        f"it reads the {c_in} channels that block {VGG_BLOCK - 1} ends with: "
        f"{c_out} · ({c_in}·3·3) + {c_out} = {format_number(answer)}.",
        "a kernel spans every input channel: how many channels come out of the block before?",
        (
            Mistake(
                conv2d_param_count(c_in, c_out, 3, bias=False),
                "you forgot the biases: one per kernel.",
            ),
            Mistake(
                conv2d_param_count(1, c_out, 3),
                f"a kernel spans every input channel: each is {c_in} × 3 × 3.",
            ),
            Mistake(
                conv2d_param_count(c_out, c_out, 3),
                f"the first convolution of the block reads the {c_in} channels of block "
                f"{VGG_BLOCK - 1}; only the later ones read {c_out}.",
            ),
        ),
        given=(VGG_BLOCK, c_out),
    )


def vgg_side_exercise_exercise() -> Exercise:
    n, blocks = VGG_SMALL_SIDE, VGG_SIDE_BLOCK
    answer = _vgg_side(n, blocks)
    return Exercise(
        "07_vgg16.ipynb",
        "A smaller input",
        WHOLE,
        answer,
        f"the 3 × 3 convolutions with padding 1 keep the side; each block's pool halves it: "
        f"{n} / 2^{blocks} = {answer}.",
        "what does a 3 × 3 convolution with padding 1 do to the side, and what does a pool do?",
        (
            Mistake(
                _vgg_side(n, blocks, padding=0),
                "VGG's convolutions have padding 1: they keep the side, only the pools shrink it.",
            ),
            Mistake(
                _vgg_side(n, blocks + 1), f"that is after block {blocks + 1}: count the pools."
            ),
            Mistake(
                _vgg_side(n, blocks - 1), f"that is after block {blocks - 1}: count the pools."
            ),
        ),
        fraction="a size is a whole number.",
        given=(n, blocks),
    )


def receptive_field_exercise_exercise() -> Exercise:
    n = STACKED_LAYERS
    answer = receptive_field([(3, 1)] * n)
    return Exercise(
        "07_vgg16.ipynb",
        "What a stack sees",
        WHOLE,
        answer,
        f"each layer adds 3 − 1 = 2 pixels: 1 + 2·{n} = {answer}.",
        "one layer sees 3, two see 5, three see 7: what does each layer add?",
        (
            Mistake(3 * n, "the windows overlap: each layer adds 2 pixels, not 3."),
            Mistake(2 * n, "start from one pixel: 1 + 2 per layer."),
            Mistake(3**n, "the views overlap: they grow by 2 per layer, not 3 times per layer."),
        ),
        given=(n,),
    )


def param_mib_exercise() -> Exercise:
    n_in = POOLED_SIZE[0] * POOLED_SIZE[1] * _vgg_block_convs(5)[-1][1]  # 512 · 7 · 7
    params = linear_param_count(n_in, HIDDEN_FEATURES)
    answer = params * 4 / BYTES_PER_MIB  # 32-bit floats: 4 bytes each
    return Exercise(
        "07_vgg16.ipynb",
        "Megabytes or mebibytes",
        NUMBER,
        answer,
        f"({n_in:,} · {HIDDEN_FEATURES:,} + {HIDDEN_FEATURES:,}) · 4 bytes / 2^20 = "
        f"{answer:.2f} MiB.",
        "count the parameters, multiply by the bytes per float, divide by one MiB.",
        (
            Mistake(
                params * 4 / 1e6, "that is MB (10^6 bytes); one MiB is 2^20 = 1,048,576 bytes."
            ),
            Mistake(params / BYTES_PER_MIB, "each 32-bit float takes 4 bytes."),
            Mistake(params / 1e6, "each float takes 4 bytes, and one MiB is 2^20 bytes."),
        ),
        tolerance=0.05,
        given=(n_in, HIDDEN_FEATURES),
    )


def batch_norm_exercise() -> Exercise:
    layers = VGG_CONFIGS[BATCH_NORM_CONFIG]
    convs = [entry for entry in layers if entry != POOL]
    channels = [3, *convs[:-1]]
    plain = sum(conv2d_param_count(c_in, c_out, 3) for c_in, c_out in zip(channels, convs))
    answer = plain + 2 * sum(convs)  # a BatchNorm2d(C) learns C scales and C shifts
    return Exercise(
        "07_vgg16.ipynb",
        "A batch norm after every convolution",
        WHOLE,
        answer,
        f"{plain:,} for the convolutions + 2 · {sum(convs):,} (one scale and one shift per "
        f"channel of each of the {len(convs)} BatchNorm2d layers) = {answer:,}; torchvision's "
        "vgg16_bn has the same features.",
        "append nn.BatchNorm2d(entry) right after each nn.Conv2d in the loop, then sum the "
        "numel() of the parameters of the new nn.Sequential.",
        (
            Mistake(
                plain, "that is the loop as it is: add nn.BatchNorm2d(entry) after each Conv2d."
            ),
            Mistake(
                plain + 4 * sum(convs),
                "running_mean and running_var are buffers, not parameters: only the scale "
                "(weight) and shift (bias) count.",
            ),
            Mistake(
                plain + sum(convs),
                "a BatchNorm2d(C) learns two numbers per channel: a scale and a shift.",
            ),
        ),
        given=("nn.BatchNorm2d",),
    )


CONV_COLOUR, LINEAR_COLOUR = PALETTE[0], PALETTE[1]


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


def figure_stacked_vs_large(channels: int = 512, max_layers: int = 5) -> Figure:
    """Parameters of n stacked 3x3 convolutions vs one kernel with the same receptive field."""
    from matplotlib.patches import Rectangle

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


def figure_feature_maps(
    outputs: Mapping[str, torch.Tensor] | None = None,
    batch: torch.Tensor | None = None,
    per_block: int = 3,
) -> Figure:
    """The input and, for each block, its `per_block` strongest feature maps (random weights).

    The maps are drawn as one mosaic image (see `map_mosaic`): one picture instead of one
    subplot per map, which makes the figure several times cheaper to draw.
    """
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
    ax = fig.add_axes((0.23, 0.02, 0.69, 0.8))
    ax.imshow(mosaic.image)
    ax.axis("off")
    scale = fig.add_axes((0.935, 0.1, 0.015, 0.64))
    bar = fig.colorbar(
        matplotlib.cm.ScalarMappable(cmap=MAP_COLOURMAP, norm=matplotlib.colors.Normalize(0, 1)),
        cax=scale,
        ticks=(0, 0.5, 1),
    )
    bar.ax.set_yticklabels(("map's\nminimum", "halfway", "map's\nmaximum"), fontsize=7)
    bar.set_label("value, on each map's own scale", fontsize=7)
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


MAX_LAYERS = 6

CHANNEL_OPTIONS = [16, 32, 64, 128, 256, 512]


GRID_PIXELS = 230


def receptive_field_svg(layers: int) -> str:
    """SVG squares: the input region one unit sees after 0, 1, ..., `layers` stacked 3x3 convs."""
    side = 2 * layers + 1
    cell = GRID_PIXELS / side
    top = 30
    parts = []
    for depth in range(layers, -1, -1):
        size = 2 * depth + 1
        start = (layers - depth) * cell
        parts.append(
            f'<rect x="{start:.1f}" y="{top + start:.1f}" width="{size * cell:.1f}" '
            f'height="{size * cell:.1f}" fill="{RING_COLOURS[depth % len(RING_COLOURS)]}">'
            f"<title>after {depth} layers: {size}×{size}</title></rect>"
        )
    for k in range(side + 1):
        parts.append(
            f'<line x1="{k * cell:.1f}" y1="{top}" x2="{k * cell:.1f}" '
            f'y2="{top + GRID_PIXELS}" stroke="white" stroke-width="1"/>'
            f'<line x1="0" y1="{top + k * cell:.1f}" x2="{GRID_PIXELS}" '
            f'y2="{top + k * cell:.1f}" stroke="white" stroke-width="1"/>'
        )
    parts.append(
        f'<text x="{GRID_PIXELS / 2:.0f}" y="{top + GRID_PIXELS + 18}" text-anchor="middle">'
        f"input pixels: {side}×{side}; ring = 1 layer</text>"
    )
    return svg_document(GRID_PIXELS, top + GRID_PIXELS + 26, parts, "what one unit sees")


def params_bars_svg(stacked: int, large: int, kernel: int, layers: int) -> str:
    """SVG bars: parameters of the stacked 3x3 layers and of the one large kernel."""
    width, left, bar_width = 380, 130, 160
    longest = max(stacked, large)
    parts = []
    rows = ((f"{layers} × 3×3", stacked, PALETTE[0]), (f"one {kernel}×{kernel}", large, PALETTE[1]))
    for index, (label, value, colour) in enumerate(rows):
        y = 40 + index * 44
        length = max(bar_width * value / longest, 1.0)
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{label}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="28" fill="{colour}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 18}">{value:,}</text>'
        )
    return svg_document(width, 140, parts, "parameters")


def stack_view(layers: int, channels: int) -> str:
    """The widget's HTML: receptive field picture, parameter bars and both sums spelled out."""
    row = stacked_vs_large_kernel(layers, channels)
    n, c, k = row.layers, row.channels, row.large_kernel
    saving = 1 - row.stacked_params / row.large_params
    return (
        "<div style='display:flex;gap:24px;align-items:flex-start'>"
        f"{receptive_field_svg(n)}{params_bars_svg(row.stacked_params, row.large_params, k, n)}"
        "</div>"
        f"<p>{n} stacked 3×3 convolutions ({c} → {c} channels): "
        f"{n} · ({c}·{c}·3·3 + {c}) = <b>{row.stacked_params:,}</b> parameters, "
        f"{n} ReLU{'s' * (n > 1)}.<br>"
        f"One {k}×{k} convolution with the same {row.receptive_field}×{row.receptive_field} "
        f"receptive field: {c}·{c}·{k}·{k} + {c} = <b>{row.large_params:,}</b> parameters, "
        f"1 ReLU.<br>The stack needs {saving:.0%} fewer parameters "
        f"(the large kernel needs {row.ratio:.2f}× as many).</p>"
    )


def stack_explorer(layers: int = 2, channels: int = 64) -> Explorer:
    """Sliders for the number of stacked 3x3 layers and the channels, with `stack_view`."""
    return Explorer(
        stack_view,
        {
            "layers": int_slider(layers, 1, MAX_LAYERS, "stacked 3×3 layers"),
            "channels": choice_slider(channels, CHANNEL_OPTIONS, "channels"),
        },
    )


# --- Exercise checks (the notebook calls these) ---


def check_vgg_conv_params(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "Parameters of one VGG16 convolution"."""
    return check(vgg_conv_params_exercise, answer)


def check_vgg_side(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "A smaller input"."""
    return check(vgg_side_exercise_exercise, answer)


def check_receptive_field(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "What a stack sees"."""
    return check(receptive_field_exercise_exercise, answer)


def check_batch_norm(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "A batch norm after every convolution"."""
    return check(batch_norm_exercise, answer)


def check_param_mib(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "Megabytes or mebibytes"."""
    return check(param_mib_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_vgg_conv_params": vgg_conv_params_exercise,
    "check_vgg_side": vgg_side_exercise_exercise,
    "check_receptive_field": receptive_field_exercise_exercise,
    "check_param_mib": param_mib_exercise,
    "check_batch_norm": batch_norm_exercise,
}
