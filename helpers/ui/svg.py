"""Small SVG charts, drawn as strings so a widget can update them in well under a millisecond."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from helpers.ui.palette import (
    FRAME_COLOUR,
    GRID_LINE_COLOUR,
    INK_COLOUR,
    LIGHT_LINE_COLOUR,
    PALETTE,
)


def svg_label(text: str, x: float, y: float) -> str:
    """An SVG text element at (x, y)."""
    return f'<text x="{x:.0f}" y="{y:.0f}">{escape(text)}</text>'


def svg_legend(items: list[tuple[str, str]], x: float, y: float) -> str:
    """A row of coloured squares, each followed by its label, starting at (x, y)."""
    parts = []
    for colour, text in items:
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12" fill="{colour}" '
            f'stroke="{GRID_LINE_COLOUR}"/><text x="{x + 17:.0f}" y="{y:.0f}">{escape(text)}</text>'
        )
        x += 24 + 6.6 * len(text)
    return "".join(parts)


def format_count(value: int | float) -> str:
    """A count with thousands separators, and its power of ten when it is large."""
    text = f"{value:,.0f}"
    if value >= 1e5:
        text += f" (≈ 10^{math.log10(value):.1f})"
    return text


def log_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    axis_label: str,
    width: int = 640,
    bar_height: int = 34,
) -> str:
    """A labelled horizontal bar chart on a log10 axis, as an SVG string."""
    if len(labels) != len(values):
        raise ValueError(f"labels has {len(labels)} entries but values has {len(values)}")
    if not labels:
        raise ValueError("labels must not be empty")
    if any(not math.isfinite(v) or v < 1 for v in values):
        raise ValueError(f"values must be finite and >= 1 on a log axis, got {list(values)}")
    top = max(1, math.ceil(math.log10(max(values))))
    left, right, header = 210, 20, 40
    plot_width = width - left - right
    height = header + bar_height * len(labels) + 50

    def x_of(value: float) -> float:
        return left + plot_width * math.log10(value) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f'<text x="{width / 2:.0f}" y="22" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    axis_y = header + bar_height * len(labels) + 4
    for power in range(top + 1):
        x = x_of(10**power)
        parts.append(
            f'<line x1="{x:.1f}" y1="{header - 4}" x2="{x:.1f}" y2="{axis_y}" '
            f'stroke="{LIGHT_LINE_COLOUR}"/>'
            f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" font-size="11">'
            f"10<tspan dy='-5' font-size='9'>{power}</tspan></text>"
        )
    for row, (label, value) in enumerate(zip(labels, values)):
        y = header + row * bar_height
        colour = PALETTE[row % len(PALETTE)]
        bar = max(x_of(value) - left, 1.0)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_height / 2 + 4:.0f}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 5}" width="{bar:.1f}" height="{bar_height - 10}" '
            f'fill="{colour}"><title>{escape(format_count(value))}</title></rect>'
        )
        # The count sits inside a long bar, after a short one, so it stays readable.
        inside = bar > 0.6 * plot_width
        text_x = left + bar - 6 if inside else left + bar + 6
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + bar_height / 2 + 4:.0f}" '
            f'text-anchor="{"end" if inside else "start"}" '
            f'fill="{"white" if inside else INK_COLOUR}" font-size="11">'
            f"{escape(format_count(value))}</text>"
        )
    parts.append(
        f'<text x="{left + plot_width / 2:.0f}" y="{axis_y + 36}" text-anchor="middle">'
        f"{escape(axis_label)}</text></svg>"
    )
    return "".join(parts)


def svg_document(width: float, height: float, parts: Sequence[str], title: str = "") -> str:
    """Wrap SVG parts in an <svg> element of the given size, with an optional bold title."""
    header = (
        f'<text x="{width / 2:.0f}" y="18" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>'
        if title
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">'
        f"{header}{''.join(parts)}</svg>"
    )


def format_cell(value: float | str | None) -> str:
    """How a grid cell shows its value: integers plainly, other numbers to 2 decimals."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number = float(value)
    return f"{number:.0f}" if number.is_integer() else f"{number:.2f}"


def grid(
    values: Sequence[Sequence[float | str | None]],
    x: float,
    y: float,
    cell: float = 28,
    fills: dict[tuple[int, int], str] | None = None,
    outline: tuple[int, int, int, int] | None = None,
    caption: str = "",
    default_fill: str = "white",
) -> str:
    """An SVG grid of numbers at (x, y): per-cell fill colours, an optional outlined block.

    `outline` is (row, col, rows, cols): a thick red frame, e.g. the kernel window.
    `caption` is written under the grid.
    """
    fills = fills or {}
    parts = []
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            fill = fills.get((r, c), default_fill)
            parts.append(
                f'<rect x="{x + c * cell:.1f}" y="{y + r * cell:.1f}" width="{cell}" '
                f'height="{cell}" fill="{fill}" stroke="{GRID_LINE_COLOUR}" stroke-width="0.8"/>'
            )
            text = format_cell(value)
            if text:
                parts.append(
                    f'<text x="{x + (c + 0.5) * cell:.1f}" y="{y + (r + 0.5) * cell + 4:.1f}" '
                    f'text-anchor="middle" font-size="{max(8, cell * 0.4):.0f}">'
                    f"{escape(text)}</text>"
                )
    if outline is not None:
        row, col, rows, cols = outline
        parts.append(
            f'<rect x="{x + col * cell:.1f}" y="{y + row * cell:.1f}" width="{cols * cell}" '
            f'height="{rows * cell}" fill="none" stroke="{FRAME_COLOUR}" stroke-width="3"/>'
        )
    if caption:
        n_rows = len(values)
        n_cols = max((len(row) for row in values), default=0)
        parts.append(
            f'<text x="{x + n_cols * cell / 2:.1f}" y="{y + n_rows * cell + 16:.1f}" '
            f'text-anchor="middle">{escape(caption)}</text>'
        )
    return "".join(parts)


def log_line_chart(
    series: dict[str, Sequence[float]],
    title: str,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 320,
) -> str:
    """Lines on a log10 y axis (x = 1, 2, ... per point), as an SVG string with a legend."""
    if not series:
        raise ValueError("series must not be empty")
    values = [v for line in series.values() for v in line]
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        raise ValueError("series values must be finite and > 0 on a log axis")
    low = math.floor(math.log10(min(values)))
    high = math.ceil(math.log10(max(values)))
    high = max(high, low + 1)
    longest = max(len(line) for line in series.values())
    left, right, top, bottom = 70, 20, 34, 50
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(i: int) -> float:
        return left + plot_w * (i / max(longest - 1, 1))

    def py(v: float) -> float:
        return top + plot_h * (high - math.log10(v)) / (high - low)

    parts = []
    step = max(1, (high - low) // 8)
    for power in range(low, high + 1, step):
        y = py(10.0**power)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{LIGHT_LINE_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"10<tspan dy='-5' font-size='9'>{power}</tspan></text>"
        )
    # Every 10th step and the last; a round tick closer than 5 steps to the last is left out,
    # so that two labels never overlap (e.g. "50" and "51").
    round_ticks = (t for t in range(10, longest + 1, 10) if longest - t >= 5)
    for tick in sorted({1, *round_ticks, longest}):
        x = px(tick - 1)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11">'
            f"{tick}</text>"
        )
    for index, (name, line) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{px(i):.1f},{py(v):.1f}" for i, v in enumerate(line))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
            f'<rect x="{left + 10}" y="{top + 8 + 18 * index}" width="14" height="4" '
            f'fill="{colour}"/><text x="{left + 30}" y="{top + 14 + 18 * index}">'
            f"{escape(name)}</text>"
        )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{GRID_LINE_COLOUR}"/>'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 10}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="16" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {top + plot_h / 2:.0f})">{escape(y_label)}</text>'
    )
    return svg_document(width, height, parts, title=title)
