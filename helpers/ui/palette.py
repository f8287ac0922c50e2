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

# Feedback: right, wrong, not done yet, cannot check.
RIGHT_COLOUR = "#59a14f"
WRONG_COLOUR = "#e15759"
NOT_DONE_COLOUR = "#9e9e9e"
INVALID_COLOUR = "#f28e2b"
ERROR_BACKGROUND = "#fdf0f0"  # behind a message that replaces a widget's view
