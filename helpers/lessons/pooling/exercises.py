"""Notebook 04's exercise cases: pooling output sizes and values on the 7x7 example map."""

from __future__ import annotations

from collections.abc import Callable

from helpers.core.arithmetic import pool_output_size
from helpers.core.pooling import pool2d_by_hand
from helpers.lessons.pooling.explorers import EXAMPLE_MAP
from helpers.ui.exercises import NUMBER, WHOLE, Exercise, Feedback, Mistake, check, format_number

POOL_KERNEL = 3  # nn.MaxPool2d(3) on the 7 x 7 example map

POOL_POSITION = (1, 0)

AVG_KERNEL, AVG_POSITION = 2, (3, 1)  # F.avg_pool2d(x, 2, ceil_mode=True)

# nn.MaxPool2d(2, 1, dilation=2) on the 7 x 7 example map, written into the notebook's loop
DILATION_CASE = {"kernel": 2, "stride": 1, "dilation": 2, "position": (4, 1)}


def pool_output_side_exercise() -> Exercise:
    n, k = EXAMPLE_MAP.shape[0], POOL_KERNEL
    answer = pool_output_size(n, k)
    return Exercise(
        "04_pooling.ipynb",
        "The size of a pooled map",
        WHOLE,
        answer,
        f"the stride defaults to the kernel size, {k}: ⌊({n} − {k}) / {k}⌋ + 1 = {answer}.",
        "which stride does nn.MaxPool2d use when you give only the kernel size?",
        (
            Mistake(
                pool_output_size(n, k, 1),
                f"in pooling the stride defaults to the kernel size ({k}), not to 1 as in "
                "nn.Conv2d.",
            ),
            Mistake(
                pool_output_size(n, k, ceil_mode=True),
                "PyTorch rounds down unless ceil_mode=True: the last, incomplete window is "
                "dropped.",
            ),
        ),
        fraction="a size is a whole number: ⌊(n − k) / s⌋ + 1.",
        given=(k, n),
    )


def max_pool_value_exercise() -> Exercise:
    row, col = POOL_POSITION
    k = POOL_KERNEL
    pooled = pool2d_by_hand(EXAMPLE_MAP, k)
    answer = float(pooled[row, col])
    return Exercise(
        "04_pooling.ipynb",
        "A max-pooled value",
        NUMBER,
        answer,
        f"{format_number(answer)}: with stride {k}, output ({row}, {col}) reads rows "
        f"{row * k}–{row * k + k - 1} and columns {col * k}–{col * k + k - 1}, and keeps their "
        "largest value.",
        f"output (r, c) reads the {k} × {k} window that starts at row r·stride, column c·stride.",
        (
            Mistake(
                float(pool2d_by_hand(EXAMPLE_MAP, k, 1)[row, col]),
                f"in pooling the stride defaults to the kernel size: windows start every {k} "
                "cells, not every cell.",
            ),
            Mistake(
                float(pool2d_by_hand(EXAMPLE_MAP, k, mode="avg")[row, col]),
                "that is the average of the window; max pooling keeps its largest value.",
            ),
            Mistake(
                float(pooled[col, row]),
                f"row and column are swapped: row {row} counts down, column {col} across.",
            ),
        ),
        tolerance=0.01,
        given=(k, EXAMPLE_MAP.shape[0], row, col),
    )


def avg_pool_edge_exercise() -> Exercise:
    row, col = AVG_POSITION
    k = AVG_KERNEL
    pooled = pool2d_by_hand(EXAMPLE_MAP, k, mode="avg", ceil_mode=True)
    top, left = row * k, col * k
    window = EXAMPLE_MAP[top : top + k, left : left + k]
    answer = float(pooled[row, col])
    return Exercise(
        "04_pooling.ipynb",
        "Average pooling over the edge",
        NUMBER,
        answer,
        f"the window holds only {window.size} cells inside the map, "
        f"{[int(v) for v in window.ravel()]}, "
        f"and PyTorch divides by those: {format_number(window.sum())} / {window.size} = "
        f"{format_number(answer)}.",
        f"which cells of the {k} × {k} window lie inside the map, and what does PyTorch divide by?",
        (
            Mistake(
                float(window.sum() / (k * k)),
                f"PyTorch divides by the cells inside the input ({window.size}), not by "
                f"{k} × {k}, for a window that ceil_mode lets hang over the edge.",
            ),
            Mistake(float(window.max()), "that is the maximum; average pooling takes the mean."),
        ),
        tolerance=0.01,
        given=(k, EXAMPLE_MAP.shape[0], row, col),
    )


def dilated_pool_exercise() -> Exercise:
    k, s, d = (DILATION_CASE[key] for key in ("kernel", "stride", "dilation"))
    row, col = DILATION_CASE["position"]
    pooled = pool2d_by_hand(EXAMPLE_MAP, k, s, dilation=d)
    answer = float(pooled[row, col])
    rows = [row * s + d * i for i in range(k)]
    cols = [col * s + d * j for j in range(k)]
    return Exercise(
        "04_pooling.ipynb",
        "Add dilation to the loop",
        NUMBER,
        answer,
        f"{format_number(answer)}: the window of output ({row}, {col}) reads rows {rows} and "
        f"columns {cols} (taps {d} cells apart), and keeps their largest value.",
        f"with dilation {d} the window starts at row r·stride, column c·stride, and its taps lie "
        f"{d} rows and {d} columns apart: x[top : top + {d}·({k} − 1) + 1 : {d}, ...].",
        (
            Mistake(
                float(pool2d_by_hand(EXAMPLE_MAP, k, s)[row, col]),
                "that is the window without dilation: its cells must be d apart, not adjacent.",
            ),
            Mistake(
                float(pool2d_by_hand(EXAMPLE_MAP, d * (k - 1) + 1, s)[row, col]),
                f"that is the max of the whole {d * (k - 1) + 1} × {d * (k - 1) + 1} span; a "
                "dilated window skips the cells between its taps.",
            ),
            Mistake(
                float(pooled[col, row]),
                f"row and column are swapped: row {row} counts down, column {col} across.",
            ),
        ),
        tolerance=0.01,
        given=(k, s, d, EXAMPLE_MAP.shape[0], row, col),
    )


# --- Exercise checks (the notebook calls these) ---


def check_pool_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "The size of a pooled map"."""
    return check(pool_output_side_exercise, answer)


def check_max_pool_value(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "A max-pooled value"."""
    return check(max_pool_value_exercise, answer)


def check_avg_pool_edge(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "Average pooling over the edge"."""
    return check(avg_pool_edge_exercise, answer)


def check_dilated_pool(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "Add dilation to the loop"."""
    return check(dilated_pool_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_pool_output_side": pool_output_side_exercise,
    "check_max_pool_value": max_pool_value_exercise,
    "check_avg_pool_edge": avg_pool_edge_exercise,
    "check_dilated_pool": dilated_pool_exercise,
}
