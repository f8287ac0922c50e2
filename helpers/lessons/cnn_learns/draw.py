"""Notebook 09's draw-a-digit pad: an 8x8 grid of toggle buttons to paint, and the CNN's ten
class probabilities as bars, recomputed on every click by a pure function."""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
import numpy as np
from torch import nn

from helpers.core.digits import (
    MAX_INK,
    N_CLASSES,
    SIDE,
    class_probabilities,
    digit_cnn,
    digit_split,
    shift_images,
    train,
)
from helpers.ui.explorer import Explorer
from helpers.ui.palette import INK_COLOUR, LIGHT_LINE_COLOUR, PALETTE

BAR_COLOUR, TOP_COLOUR = PALETTE[0], PALETTE[1]
PAD_CLASS = "digit-pad"  # DOM hooks for the browser test
BARS_CLASS = "digit-bars"
CELL_SIZE = "30px"
CELL_TRACK = "33px"  # a cell and its frame


def cell_name(row: int, col: int) -> str:
    """The control name of the pad's cell at (row, col)."""
    return f"p{row}_{col}"


def check_grid(grid: object) -> np.ndarray:
    """`grid` as an 8x8 float array of values 0-16; ValueError saying what is wrong."""
    array = np.asarray(grid, dtype=np.float64)
    if array.shape != (SIDE, SIDE):
        raise ValueError(f"a digit is a {SIDE} x {SIDE} grid, got shape {array.shape}")
    if not np.isfinite(array).all() or array.min() < 0 or array.max() > MAX_INK:
        raise ValueError(f"pixel values must lie in 0..{MAX_INK}")
    return array


def digit_view(grid: object, model: nn.Module) -> str:
    """The pad's view: the model's ten class probabilities for `grid` (8x8, values 0-16) as
    labelled bars, the most likely digit highlighted. Each row carries its digit and
    probability as data attributes."""
    probabilities = class_probabilities(model, check_grid(grid))
    best = int(np.argmax(probabilities))
    if not np.any(grid):
        headline = "Paint a digit: an empty grid still gets probabilities (they mean nothing)."
    else:
        headline = f"The CNN reads a <b>{best}</b> ({100 * probabilities[best]:.1f} %)."
    rows = []
    for digit in range(N_CLASSES):
        p = float(probabilities[digit])
        colour = TOP_COLOUR if digit == best else BAR_COLOUR
        rows.append(
            f"<div class='digit-bar' data-digit='{digit}' data-probability='{p:.4f}' "
            "style='display:flex;align-items:center;gap:6px;height:20px'>"
            f"<span style='width:14px;text-align:right;font-weight:bold'>{digit}</span>"
            f"<span style='width:240px;height:14px;background:{LIGHT_LINE_COLOUR}'>"
            f"<span style='display:block;height:14px;width:{240 * p:.1f}px;"
            f"background:{colour}'></span></span>"
            f"<span style='width:56px;text-align:right'>{100 * p:.1f} %</span></div>"
        )
    return (
        f"<div class='{BARS_CLASS}' style='color:{INK_COLOUR};font-family:sans-serif'>"
        f"<div style='margin-bottom:6px'>{headline}</div>{''.join(rows)}"
        "<div style='font-size:11px;margin-top:4px'>probability of each digit (softmax of the "
        "CNN's ten outputs)</div></div>"
    )


def ink_colour(value: float) -> str:
    """The grey a cell shows for a pixel value 0 (white) .. 16 (black)."""
    level = round(255 * (1 - value / MAX_INK))
    return f"#{level:02x}{level:02x}{level:02x}"


def ink_class(value: float) -> str:
    """The CSS class that gives a cell its grey (a toggle button has no colour setting)."""
    return f"digit-ink-{round(value)}"


# One rule per grey level, and a frame for white cells, shown once in the pad.
INK_STYLE = (
    f"<style>.{PAD_CLASS} .widget-toggle-button {{border: 1px solid {LIGHT_LINE_COLOUR}; "
    "box-shadow: none;}"
    + "".join(
        f".{PAD_CLASS} .{ink_class(v)} {{background-color: {ink_colour(v)} !important;}}"
        for v in range(MAX_INK + 1)
    )
    + "</style>"
)


class DigitPad(Explorer):
    """64 toggle buttons (a click inks a cell fully or clears it), "clear", "load a test digit"
    and shift buttons, above the bars of `digit_view`."""

    def __init__(self, model: nn.Module, test_images: np.ndarray, test_labels: np.ndarray):
        self.model = model
        self.test_images = np.asarray(test_images)
        self.test_labels = np.asarray(test_labels)
        self.next_test = 0
        # The value a cell gets when it is on: full ink, or a loaded digit's grey.
        self.levels = np.full((SIDE, SIDE), float(MAX_INK))
        self._holding = False
        cells = {}
        for row in range(SIDE):
            for col in range(SIDE):
                cell = widgets.ToggleButton(
                    value=False,
                    layout=widgets.Layout(width=CELL_SIZE, height=CELL_SIZE, padding="0"),
                    tooltip=f"row {row}, column {col}",
                )
                cell.add_class(ink_class(0))
                cell.add_class(f"digit-cell-{row}-{col}")
                cells[cell_name(row, col)] = cell
        super().__init__(self.render_cells, cells)
        self.note = widgets.HTML("Click cells to paint a digit.")
        style = widgets.HTML(INK_STYLE, layout=widgets.Layout(display="none"))
        buttons = []
        for text, css, action in (
            ("clear", "clear", self.clear),
            ("load a test digit", "load", self.load_next_test_digit),
            ("shift ←", "left", lambda: self.shift(-1, 0)),
            ("shift →", "right", lambda: self.shift(1, 0)),
            ("shift ↑", "up", lambda: self.shift(0, -1)),
            ("shift ↓", "down", lambda: self.shift(0, 1)),
        ):
            button = widgets.Button(description=text, layout=widgets.Layout(width="auto"))
            button.on_click(lambda _button, action=action: action())
            button.add_class(f"digit-{css}")
            buttons.append(button)
        grid = widgets.GridBox(
            list(cells.values()),
            layout=widgets.Layout(
                grid_template_columns=f"repeat({SIDE}, {CELL_TRACK})",
                overflow="visible",
                grid_gap="1px",
                grid_area="cells",
            ),
        )
        self.note.layout.grid_area = "note"
        self.view.layout.grid_area = "bars"
        # The view stays the last child (the browser tests read it there); a CSS grid puts the
        # bars beside the cells.
        self.children = [
            style,
            widgets.HBox(buttons, layout=widgets.Layout(grid_area="buttons")),
            grid,
            self.note,
            self.view,
        ]
        self.layout = widgets.Layout(
            display="grid",
            grid_template_areas='"buttons buttons" "cells bars" "note bars"',
            grid_template_columns="auto 1fr",
            grid_gap="8px 24px",
        )
        self.add_class(PAD_CLASS)

    def grid_from(self, **cells: bool) -> np.ndarray:
        """The 8x8 pixel values for the cells' on/off states."""
        on = np.array([[cells[cell_name(r, c)] for c in range(SIDE)] for r in range(SIDE)])
        return np.where(on, self.levels, 0.0)

    def render_cells(self, **cells: bool) -> str:
        """The view for the cells' states: `digit_view` of their grid."""
        return digit_view(self.grid_from(**cells), self.model)

    def grid(self) -> np.ndarray:
        """The pixel values the pad shows now."""
        return self.grid_from(**self.values())

    def _update(self, change: dict) -> None:
        if self._holding:
            return
        super()._update(change)
        owner = change.get("owner")
        if owner is not None:  # one click: recolour that cell only
            name = next(n for n, c in self.controls.items() if c is owner)
            row, col = (int(v) for v in name[1:].split("_"))
            self._paint(row, col, self.levels[row, col] if owner.value else 0.0)

    def _paint(self, row: int, col: int, value: float) -> None:
        """Give cell (row, col) the grey of `value` (one message to the page, if any)."""
        cell = self.controls[cell_name(row, col)]
        wanted = ink_class(value)
        if wanted not in cell._dom_classes:
            kept = tuple(c for c in cell._dom_classes if not c.startswith("digit-ink-"))
            cell._dom_classes = (*kept, wanted)

    def cell_ink(self, row: int, col: int) -> str:
        """The grey class cell (row, col) shows now."""
        cell = self.controls[cell_name(row, col)]
        return next(name for name in cell._dom_classes if name.startswith("digit-ink-"))

    def set_grid(self, grid: object, note: str = "") -> None:
        """Show `grid` (8x8, values 0-16) on the pad and update the bars once."""
        grid = check_grid(grid)
        self._holding = True
        try:
            self.levels = np.where(grid > 0, grid, float(MAX_INK))
            # The bars first (what the class watches), then only the cells that change.
            self.view.value = digit_view(grid, self.model)
            for row in range(SIDE):
                for col in range(SIDE):
                    cell = self.controls[cell_name(row, col)]
                    with cell.hold_sync():
                        cell.value = bool(grid[row, col] > 0)
                        self._paint(row, col, grid[row, col])
        finally:
            self._holding = False
        self.view.value = self.current_html()  # the same HTML: nothing is sent
        self.note.value = escape(note)

    def clear(self) -> None:
        """Empty the grid."""
        self.set_grid(np.zeros((SIDE, SIDE)), "Cleared: click cells to paint a digit.")

    def load_next_test_digit(self) -> None:
        """Show the next held-out digit (they come in the split's order)."""
        index = self.next_test % len(self.test_images)
        self.next_test += 1
        self.set_grid(
            self.test_images[index],
            f"Held-out digit #{index}, labelled {int(self.test_labels[index])}.",
        )

    def shift(self, right: int, down: int) -> None:
        """Move the drawing one pixel; what leaves the grid is lost."""
        self.set_grid(shift_images(self.grid(), right, down), f"Shifted by ({right}, {down}).")


def digit_pad(
    model: nn.Module | None = None,
    test_images: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
) -> DigitPad:
    """The pad for a trained `model`; without one, the reference CNN is trained first (a few
    seconds) and the held-out digits of the lesson's split are offered."""
    if test_images is None or test_labels is None:
        split = digit_split()
        test_images, test_labels = split.test_images, split.test_labels
    if model is None:
        model = digit_cnn()
        train(model, digit_split())
    return DigitPad(model, test_images, test_labels)
