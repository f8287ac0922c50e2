"""Notebook 09's live training view: a progress bar and one loss/accuracy chart, updated in
place after every epoch (an SVG string in an HTML widget: one update takes under a millisecond)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import ipywidgets as widgets

from helpers.ui.palette import GRID_LINE_COLOUR, LIGHT_LINE_COLOUR, PALETTE
from helpers.ui.svg import svg_document

LOSS_COLOUR, ACCURACY_COLOUR = PALETTE[0], PALETTE[1]


def curve_svg(
    history: Sequence[tuple[float, float]], epochs: int, title: str = "Training", width: int = 560
) -> str:
    """The chart of (training loss, held-out accuracy) per epoch: loss on the left axis, accuracy
    (%) on the right, epochs 1..`epochs` across; an empty chart before the first epoch."""
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if len(history) > epochs:
        raise ValueError(f"history has {len(history)} epochs, more than epochs={epochs}")
    for loss, acc in history:
        if not (math.isfinite(loss) and loss >= 0 and 0 <= acc <= 1):
            raise ValueError(
                f"each epoch needs a loss >= 0 and an accuracy in [0, 1], got {loss, acc}"
            )
    height, left, right, top, bottom = 300, 60, 60, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_loss = max([1.0, *(math.ceil(loss * 2) / 2 for loss, _ in history)])

    def px(epoch: int) -> float:
        return left + plot_w * (epoch - 1) / max(epochs - 1, 1)

    def py(fraction: float) -> float:
        return top + plot_h * (1 - fraction)

    parts = []
    for tick in range(5):
        y = py(tick / 4)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{LIGHT_LINE_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{LOSS_COLOUR}">'
            f"{top_loss * tick / 4:.2f}</text>"
            f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" fill="{ACCURACY_COLOUR}">'
            f"{25 * tick}%</text>"
        )
    for epoch in sorted({1, *range(5, epochs + 1, 5), epochs}):
        parts.append(
            f'<text x="{px(epoch):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{epoch}</text>'
        )
    lines = (
        (LOSS_COLOUR, [loss / top_loss for loss, _ in history]),
        (ACCURACY_COLOUR, [acc for _, acc in history]),
    )
    for colour, values in lines:
        points = " ".join(f"{px(i + 1):.1f},{py(v):.1f}" for i, v in enumerate(values))
        if points:
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
            x, y = points.split()[-1].split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3.5" fill="{colour}"/>')
    legend = (
        (LOSS_COLOUR, "training loss (left axis)"),
        (ACCURACY_COLOUR, "held-out accuracy (right axis)"),
    )
    for index, (colour, text) in enumerate(legend):
        parts.append(
            f'<rect x="{left + 190 * index}" y="{top - 16}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{left + 20 + 190 * index}" y="{top - 10}">{escape(text)}</text>'
        )
    status = (
        f"epoch {len(history)}/{epochs}: loss {history[-1][0]:.3f}, "
        f"held-out accuracy {100 * history[-1][1]:.1f} %"
        if history
        else "not trained yet"
    )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{GRID_LINE_COLOUR}"/>'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle">'
        f"epoch · {escape(status)}</text>"
    )
    return svg_document(width, height, parts, title=title)


class TrainingMonitor(widgets.VBox):
    """A progress bar above the training chart; `update` after each epoch redraws both."""

    def __init__(self, epochs: int, title: str = "Training") -> None:
        self.epochs = epochs
        self.title = title
        self.history: list[tuple[float, float]] = []
        self.chart = widgets.HTML(curve_svg([], epochs, title))
        self.bar = widgets.IntProgress(
            value=0, min=0, max=epochs, description="epochs", bar_style="info"
        )
        super().__init__(children=[self.bar, self.chart])

    def update(self, epoch: int, loss: float, acc: float) -> None:
        """Record epoch `epoch` (1-based) and redraw the bar and the chart."""
        if epoch != len(self.history) + 1:  # a cell run again starts a new run
            self.history = []
        self.history.append((loss, acc))
        self.bar.value = epoch
        self.bar.bar_style = "success" if epoch == self.epochs else "info"
        self.chart.value = curve_svg(self.history, self.epochs, self.title)


def training_monitor(epochs: int, title: str = "Training") -> TrainingMonitor:
    """A fresh monitor for a run of `epochs` epochs."""
    return TrainingMonitor(epochs, title)
