"""The series' colours, in one place: every figure, SVG view and feedback box takes them here."""

from __future__ import annotations

# Six distinct colours for series of data (lines, bars, kinds of network).
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1")

# One colour per kernel tap (row-major index 0..8 of a 3x3 kernel): the shared weights.
WEIGHT_COLOURS: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)

# Grids of numbers (convolution, pooling).
PADDING_COLOUR = "#d9d9d9"  # zeros added around the input
WINDOW_COLOUR = "#a0cbe8"  # input cells the kernel reads for the highlighted output
KERNEL_COLOUR = "#f4a6a6"  # the kernel (and bias) in use
OUTPUT_COLOUR = "#8cd17d"  # the output cell being computed
FRAME_COLOUR = "#d62728"  # frames around the window and the kernel in use
UNREAD_COLOUR = "#f4b6b6"  # cells of the padded input that no window ever reads
GRID_LINE_COLOUR = "#888888"  # lines between cells
LIGHT_LINE_COLOUR = "#dddddd"  # chart grid lines
INK_COLOUR = "#222222"  # text on a light background
PALE_COLOUR = "#eeeeee"  # pale boxes
FAINT_COLOUR = "#bbbbbb"  # what is not in use
DARK_COLOUR = "#444444"  # dark outlines and wires

# Feedback: right, wrong, not done yet, cannot check.
RIGHT_COLOUR = "#59a14f"
WRONG_COLOUR = "#e15759"
NOT_DONE_COLOUR = "#9e9e9e"
INVALID_COLOUR = "#f28e2b"
ERROR_BACKGROUND = "#fdf0f0"  # behind a message that replaces a widget's view

# 02: the explorer's output grid.
OUTPUT_BACKGROUND = "#eef7ec"

# 04: the pooling explorer's cells.
WINDOW_FILL = "#cfe0f1"  # the window being pooled
UNSEEN_FILL = "#d9d9d9"  # cells no window reads
ADDED_FILL = "#fde9c9"  # padding, or cells ceil_mode adds
NOTE_COLOUR = "#8a4b00"  # notes on an unusual setting

# 05: the toy RNN's boxes, the highlighted word, and one colour per slot label.
INPUT_BOX_COLOUR = "#d4e6f1"
HIDDEN_BOX_COLOUR = "#fce5cd"
OUTPUT_BOX_COLOUR = "#d9ead3"
HIGHLIGHT_COLOUR = "#f1ce63"
LABEL_COLOURS: dict[str, str] = {
    "destination": "#f8d7a8",
    "departure": "#c6dbef",
    "time_of_arrival": "#fdebd3",
    "time_of_departure": "#e3eef8",
    "other": "#f2f2f2",
}

# 06: the LSTM cell, drawn by the figure and by the step-through explorer.
OPEN_COLOUR = RIGHT_COLOUR  # a gate that lets its value through
CLOSED_COLOUR = WRONG_COLOUR  # a gate that blocks it
NEUTRAL_GATE_COLOUR = PALETTE[1]  # a gate drawn with no value
BLOCK_COLOUR = WINDOW_COLOUR  # the activation blocks
MEMORY_COLOUR = "#ffe9a8"  # the memory cell
INPUT_COLOUR = PALETTE[0]  # the four inputs z, z_i, z_f, z_o
WIRE_COLOUR = DARK_COLOUR
CURRENT_ROW_COLOUR = "#fff3c4"  # the current step in the explorer's table

# 07: receptive fields, one colour per number of stacked layers (0, 1, 2, ...).
STACK_COLOURS = ("#e15759", "#f28e2b", "#edc948", "#59a14f", "#76b7b2", "#4e79a7")
RING_COLOURS = (*STACK_COLOURS, "#b07aa1")

# 08: one pale colour per family of network.
FAMILY_COLOURS = {"DNN": "#e8eef6", "CNN": "#fdeede", "RNN": "#e6f2e4", "LSTM": "#fbe3e4"}
