"""Notebook 07's widget: n stacked 3x3 convolutions against one kernel that sees as much."""

from __future__ import annotations

from helpers.svg import PALETTE, svg_document
from helpers.vgg import stacked_vs_large_kernel
from helpers.widgets import Explorer, choice_slider, int_slider

MAX_LAYERS = 6
CHANNEL_OPTIONS = [16, 32, 64, 128, 256, 512]
# Colour of the input region seen after 0, 1, 2, ... stacked layers.
RING_COLOURS = ("#e15759", "#f28e2b", "#edc948", "#59a14f", "#76b7b2", "#4e79a7", "#b07aa1")
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


def stack_vs_kernel(layers: int = 2, channels: int = 64) -> Explorer:
    """Sliders for the number of stacked 3x3 layers and the channels, with `stack_view`."""
    return Explorer(
        stack_view,
        {
            "layers": int_slider(layers, 1, MAX_LAYERS, "stacked 3×3 layers"),
            "channels": choice_slider(channels, CHANNEL_OPTIONS, "channels"),
        },
    )
