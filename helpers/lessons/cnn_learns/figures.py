"""Notebook 09's pictures: sample digits, the confusion matrix, the misclassified digits, the
learned filters beside 04's hand-made ones, one digit through every layer, and the shift test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np

from helpers.core.cnn_pipeline import EDGE_FILTERS
from helpers.core.digits import MAX_INK, N_CLASSES
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import PALETTE

INK_MAP = "gray_r"  # 0 = white paper, 16 = black ink
SIGNED_MAP = "RdBu_r"  # weights and responses: red positive, blue negative


def _hide_ticks(ax) -> None:  # noqa: ANN001 - a matplotlib Axes
    ax.set_xticks([])
    ax.set_yticks([])


def figure_digits(
    images: np.ndarray, labels: Sequence[int], title: str, captions: Sequence[str] | None = None
) -> NotebookFigure:
    """A row (or rows of 10) of 8x8 digits in grey, each captioned with its label."""
    if len(images) == 0 or len(images) != len(labels):
        raise ValueError(
            f"need as many labels as images (at least one), got {len(images)} and {len(labels)}"
        )
    columns = min(10, len(images))
    rows = -(-len(images) // columns)
    figure = NotebookFigure((max(1.1 * columns, 5.5), 1.3 * rows + 0.4))
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        _hide_ticks(ax)
        if index >= len(images):
            ax.set_axis_off()
            continue
        ax.imshow(images[index], cmap=INK_MAP, vmin=0, vmax=MAX_INK)
        ax.set_title(captions[index] if captions else f"label {labels[index]}", fontsize=9)
    figure.suptitle(title)
    return figure


def figure_confusion(counts: np.ndarray, title: str = "Held-out digits") -> NotebookFigure:
    """The confusion matrix: rows the true digit, columns the CNN's answer, counts written in."""
    counts = np.asarray(counts)
    if counts.shape != (N_CLASSES, N_CLASSES):
        raise ValueError(f"counts must be {N_CLASSES} x {N_CLASSES}, got {counts.shape}")
    figure = NotebookFigure((6.2, 5.2))
    ax = figure.subplots()
    image = ax.imshow(counts, cmap="Blues")
    for (row, col), value in np.ndenumerate(counts):
        if value:
            colour = "white" if value > counts.max() / 2 else ("black" if row == col else "red")
            ax.text(col, row, str(value), ha="center", va="center", fontsize=9, color=colour)
    ax.set_xticks(range(N_CLASSES))
    ax.set_yticks(range(N_CLASSES))
    ax.set_xlabel("the CNN's answer")
    ax.set_ylabel("true digit")
    right = int(np.trace(counts))
    ax.set_title(f"{title}: {right} of {int(counts.sum())} right (off the diagonal: mistakes)")
    figure.colorbar(image, ax=ax, label="number of digits")
    return figure


def figure_misclassified(
    images: np.ndarray, labels: np.ndarray, predicted: np.ndarray
) -> NotebookFigure:
    """Every held-out digit the CNN got wrong, captioned "true → answer"."""
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predicted))
    if len(wrong) == 0:
        raise ValueError("no misclassified digits to show")
    captions = [f"{labels[i]} → {predicted[i]}" for i in wrong]
    return figure_digits(
        images[wrong],
        list(labels[wrong]),
        f"The {len(wrong)} misclassified held-out digits (true → the CNN's answer)",
        captions,
    )


def figure_filters(learned: np.ndarray) -> NotebookFigure:
    """04's hand-made 3x3 edge filters (top) beside the CNN's learned first-layer filters
    (below), each on its own symmetric colour scale (red positive, blue negative)."""
    learned = np.asarray(learned)
    if learned.ndim != 3 or learned.shape[1:] != (3, 3):
        raise ValueError(f"learned filters must have shape (n, 3, 3), got {learned.shape}")
    columns = 8
    rows = 1 + -(-len(learned) // columns)
    figure = NotebookFigure((1.3 * columns + 0.8, 1.45 * rows + 0.6))
    axes = figure.subplots(rows, columns, squeeze=False)
    for ax in axes.flat:
        _hide_ticks(ax)
        ax.set_axis_off()
    hand = list(EDGE_FILTERS.items())
    for ax, (name, weights) in zip(axes[0], hand):
        limit = float(np.abs(weights).max())
        ax.imshow(weights, cmap=SIGNED_MAP, vmin=-limit, vmax=limit)
        ax.set_title(f"04: {name}", fontsize=9)
        ax.set_axis_on()
    axes[0][len(hand)].text(
        0, 0.5, "← hand-made (Sobel) in 04\n↓ learned here from digits", fontsize=9, va="center"
    )
    for index, weights in enumerate(learned):
        ax = axes[1 + index // columns][index % columns]
        limit = float(np.abs(weights).max()) or 1.0
        ax.imshow(weights, cmap=SIGNED_MAP, vmin=-limit, vmax=limit)
        ax.set_title(f"learned {index}", fontsize=9)
        ax.set_axis_on()
    figure.suptitle("First-layer 3×3 filters: red = positive weight, blue = negative")
    return figure


def map_strip(maps: np.ndarray, gap: int = 1) -> np.ndarray:
    """Maps (n, h, w) side by side in one (h, n·(w + gap) − gap) array, NaN (drawn blank) in
    the gaps: one picture per layer instead of one axes per map."""
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3 or 0 in maps.shape:
        raise ValueError(f"maps must be a non-empty (n, h, w) array, got shape {maps.shape}")
    n, h, w = maps.shape
    strip = np.full((h, n * (w + gap) - gap), np.nan)
    for index, one in enumerate(maps):
        strip[:, index * (w + gap) : index * (w + gap) + w] = one
    return strip


def figure_feature_maps(
    image: np.ndarray, outputs: Sequence[tuple[str, np.ndarray]], label: int, shown: int = 8
) -> NotebookFigure:
    """One digit through every layer: the first `shown` maps after each layer that keeps maps,
    then the 32 values the linear layer reads and the ten scores it gives."""
    maps = [(name, out) for name, out in outputs if out.ndim == 3 and out.shape[-1] > 1]
    vectors = [
        (name, out.reshape(-1)) for name, out in outputs if out.ndim != 3 or out.shape[-1] == 1
    ]
    if not maps or len(vectors) < 2:
        raise ValueError("outputs must hold map layers, then the flattened values and the scores")
    rows = 1 + len(maps) + 1
    figure = NotebookFigure((1.15 * shown + 1.6, 1.2 * rows + 1.6))
    grid = figure.add_gridspec(rows, 2)
    first = figure.add_subplot(grid[0, 0])
    first.imshow(image, cmap=INK_MAP, vmin=0, vmax=MAX_INK)
    first.set_title(f"input (label {label})", fontsize=9)
    _hide_ticks(first)
    signed = matplotlib.colormaps[SIGNED_MAP].with_extremes(bad="0.3")  # the gaps: dark lines
    for row, (name, out) in enumerate(maps, start=1):
        limit = float(np.abs(out).max()) or 1.0
        count = min(shown, len(out))
        ax = figure.add_subplot(grid[row, :])
        picture = ax.imshow(map_strip(out[:count]), cmap=signed, vmin=-limit, vmax=limit)
        width = out.shape[-1]
        ax.set_xticks([c * (width + 1) + (width - 1) / 2 for c in range(count)], range(count))
        ax.set_yticks([])
        ax.tick_params(length=0, labelsize=8)
        ax.set_title(
            f"after {name}: channels 0-{count - 1} of {len(out)}, each "
            f"{out.shape[1]}×{out.shape[2]}",
            fontsize=9,
        )
        figure.colorbar(picture, ax=ax, shrink=0.8, pad=0.01)
    (flat_name, flat), (score_name, scores) = vectors[-2], vectors[-1]
    bottom = figure.add_subplot(grid[-1, 0])
    bottom.bar(range(len(flat)), flat, color=PALETTE[0])
    bottom.set_title(
        f"after {flat_name}: the {len(flat)} values the linear layer reads", fontsize=9
    )
    bottom.set_xlabel("channel (its largest response anywhere)", fontsize=8)
    last = figure.add_subplot(grid[-1, 1])
    best = int(np.argmax(scores))
    colours = [PALETTE[1] if d == best else PALETTE[0] for d in range(len(scores))]
    last.bar(range(len(scores)), scores, color=colours)
    last.set_xticks(range(len(scores)))
    last.set_title(f"after {score_name}: the ten class scores", fontsize=9)
    last.set_xlabel("digit", fontsize=8)
    figure.suptitle(f"One digit through every layer (first {shown} channels; red +, blue −)")
    return figure


def figure_shift_accuracy(
    results: Mapping[str, Sequence[float]], shifts: Sequence[int]
) -> NotebookFigure:
    """Held-out accuracy (%) of each network against the shift in pixels, as grouped bars."""
    if not results or any(len(v) != len(shifts) for v in results.values()):
        raise ValueError("every network needs one accuracy per shift")
    figure = NotebookFigure((6.4, 3.6))
    ax = figure.subplots()
    width = 0.8 / len(results)
    for index, (name, values) in enumerate(results.items()):
        xs = np.arange(len(shifts)) + (index - (len(results) - 1) / 2) * width
        bars = ax.bar(xs, [100 * v for v in values], width, label=name, color=PALETTE[index])
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(range(len(shifts)), [f"{s} pixel{'s' if s != 1 else ''}" for s in shifts])
    ax.set_xlabel("every held-out digit moved left or right by")
    ax.set_ylabel("held-out accuracy (%)")
    ax.set_ylim(0, 108)
    ax.axhline(100 / N_CLASSES, color="grey", lw=0.8, ls="--")
    ax.text(len(shifts) - 0.5, 100 / N_CLASSES + 2, "chance (10 %)", ha="right", fontsize=8)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title("Same digits, moved: which network still reads them?")
    return figure
