"""Exercises at the end of each notebook: the question, the answer (computed by the helpers),
the typical wrong answers (the same helpers with the mistake made), and feedback on an answer.

Every `check_*` function takes the student's answer and returns a `Feedback`; it never raises.
`None` (or `...`) means "not done yet".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from html import escape
from numbers import Real

import numpy as np

from helpers.arithmetic import (
    conv2d_param_count,
    conv_output_size,
    linear_param_count,
    pool_output_size,
    receptive_field,
)
from helpers.comparison import family_parameter_counts
from helpers.conv import LECTURE_FILTERS, LECTURE_IMAGE, conv2d_by_hand, conv_weight_indices
from helpers.lstm import LectureLSTMCell, lstm_param_count
from helpers.pooling import pool2d_by_hand
from helpers.pooling_widgets import EXAMPLE_MAP
from helpers.rnn import toy_rnn
from helpers.summary import MIB as BYTES_PER_MIB
from helpers.text import CITY_LABEL, DATE_LABEL, LABELS
from helpers.vgg import HIDDEN_FEATURES, POOL, POOLED_SIZE, VGG_CONFIGS

# --- Feedback ------------------------------------------------------------------------------------

CORRECT, MISTAKE, WRONG, NOT_DONE, INVALID = "correct", "mistake", "wrong", "not done", "invalid"
_HEADINGS = {
    CORRECT: "✔ Correct",
    MISTAKE: "✘ Not quite",
    WRONG: "✘ Not quite",
    NOT_DONE: "… Not done yet",
    INVALID: "? Cannot check this answer",
}
_COLOURS = {CORRECT: "#59a14f", MISTAKE: "#e15759", WRONG: "#e15759", NOT_DONE: "#9e9e9e"}
NOT_DONE_MESSAGE = (
    "replace None with your answer in the cell above, run that cell, then run this one again."
)


@dataclass(frozen=True, repr=False)
class Feedback:
    """What a check says about an answer: `correct`, and a message (why, or what to fix)."""

    correct: bool
    message: str
    status: str = WRONG  # one of correct, mistake, wrong, not done, invalid

    def __str__(self) -> str:
        return f"{_HEADINGS[self.status]}: {self.message}"

    __repr__ = __str__  # the notebook's text/plain output: deterministic, readable

    def _repr_html_(self) -> str:
        colour = _COLOURS.get(self.status, "#f28e2b")
        return (
            f"<div style='border-left:4px solid {colour};padding:6px 10px;margin:4px 0'>"
            f"<b>{escape(_HEADINGS[self.status])}:</b> {escape(self.message)}</div>"
        )


# --- Exercises -----------------------------------------------------------------------------------

WHOLE, NUMBER, NUMBERS, CHOICE = "a whole number", "a number", "numbers", "a choice"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, computed by making the mistake, and what to tell the student."""

    value: object
    message: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: its notebook, question, answer (from the helpers) and typical mistakes."""

    notebook: str
    title: str
    question: str  # markdown, pasted verbatim into the notebook (a test checks it)
    kind: str  # WHOLE, NUMBER, NUMBERS or CHOICE
    answer: object
    explanation: str  # shown with a correct answer
    hint: str  # shown with a wrong answer that is not a known mistake
    mistakes: tuple[Mistake, ...] = ()
    tolerance: float = 0.0  # NUMBER and NUMBERS: largest accepted absolute difference
    form: str = ""  # NUMBERS: how to write the answer, e.g. "(channels, height, width)"
    choices: Mapping[str, str] | None = None  # CHOICE: accepted spelling -> canonical answer
    fraction: str = ""  # WHOLE: what to say about a non-whole number


class _Unreadable(Exception):
    """The answer has a form the exercise cannot compare (a string for a number, ...)."""


def _describe(answer: object) -> str:
    text = repr(answer)
    return f"{type(answer).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _as_number(answer: object) -> float:
    """A finite float from an int, float, numpy or one-element tensor scalar; else _Unreadable."""
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise _Unreadable(f"your answer is the text {answer!r}; give a number.") from None
        plain = "".join(answer.split()).replace(",", "")
        raise _Unreadable(f"write the number without quotes: {plain}, not {answer!r}.")
    if isinstance(answer, tuple) and answer and all(isinstance(v, int) for v in answer):
        joined = "_".join(str(v) for v in answer)
        raise _Unreadable(
            f"your answer is the tuple {answer!r}: in Python a comma separates values. "
            f"Write a large number without commas, e.g. {joined.replace('_', '')} or {joined}."
        )
    if isinstance(answer, bool) or not isinstance(answer, Real) and not hasattr(answer, "item"):
        raise _Unreadable(f"your answer is {_describe(answer)}; give a number.")
    try:
        value = float(answer)
    except Exception:  # an array or tensor of several values, or an odd object
        raise _Unreadable(f"your answer is {_describe(answer)}; give one number.") from None
    if not math.isfinite(value):
        raise _Unreadable(f"your answer is {value}; give a finite number.")
    return value


def _as_numbers(answer: object, length: int, form: str) -> tuple[float, ...]:
    """A tuple of `length` numbers from a tuple, list, torch.Size or array; else _Unreadable."""
    items = answer.tolist() if hasattr(answer, "tolist") else answer
    if not isinstance(items, (list, tuple)):
        raise _Unreadable(f"your answer is {_describe(answer)}; write it as {form}.")
    if len(items) != length:
        raise _Unreadable(f"give {length} numbers, written as {form}; yours has {len(items)}.")
    return tuple(_as_number(item) for item in items)


def _normalise(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _as_choice(answer: object, choices: Mapping[str, str]) -> str:
    """The canonical choice for a (case- and space-insensitive) spelling; else _Unreadable."""
    options = ", ".join(repr(c) for c in dict.fromkeys(choices.values()))
    if not isinstance(answer, str):
        raise _Unreadable(f"your answer is {_describe(answer)}; give one of {options} (in quotes).")
    key = _normalise(answer)
    if key not in choices:
        raise _Unreadable(f"{answer!r} is not one of {options}.")
    return choices[key]


def _read(answer: object, exercise: Exercise) -> object:
    """The answer in the exercise's canonical form, or _Unreadable with what to change."""
    if exercise.kind == CHOICE:
        return _as_choice(answer, exercise.choices or {})
    if exercise.kind == NUMBERS:
        return _as_numbers(answer, len(exercise.answer), exercise.form)
    return _as_number(answer)


def _same(a: object, b: object, exercise: Exercise) -> bool:
    """Whether two canonical answers are equal (within the exercise's tolerance)."""
    if exercise.kind == CHOICE:
        return a == b
    xs = a if isinstance(a, tuple) else (a,)
    ys = b if isinstance(b, tuple) else (b,)
    return len(xs) == len(ys) and all(
        abs(float(x) - float(y)) <= exercise.tolerance + 1e-9 for x, y in zip(xs, ys)
    )


def evaluate(answer: object, exercise: Exercise) -> Feedback:
    """Feedback on `answer`: correct, a known mistake with its hint, wrong, or unreadable."""
    if answer is None or answer is Ellipsis:
        return Feedback(False, NOT_DONE_MESSAGE, NOT_DONE)
    try:
        value = _read(answer, exercise)
    except _Unreadable as problem:
        return Feedback(False, str(problem), INVALID)
    if _same(value, exercise.answer, exercise):
        return Feedback(True, exercise.explanation, CORRECT)
    for mistake in exercise.mistakes:
        if _same(value, mistake.value, exercise):
            return Feedback(False, mistake.message, MISTAKE)
    if exercise.kind == WHOLE and exercise.fraction and not float(value).is_integer():
        return Feedback(False, exercise.fraction, MISTAKE)
    return Feedback(False, exercise.hint, WRONG)


def _n(value: float) -> str:
    """A number as the messages write it: 78,500 or 392.02."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _label_choices(labels: tuple[str, ...]) -> dict[str, str]:
    return {_normalise(label.replace("_", " ")): label for label in labels}


_DIRECTIONS = {
    **dict.fromkeys(("larger", "bigger", "greater", "grows", "explodes", "explode"), "larger"),
    **dict.fromkeys(("smaller", "shrinks", "vanishes", "vanish", "decays"), "smaller"),
}

# --- 01 Why CNN ----------------------------------------------------------------------------------

DENSE_SIDE, DENSE_UNITS = 28, 100
CONV_IMAGE_SIDE, CONV_CHANNELS, CONV_KERNELS, CONV_KERNEL = 32, 3, 64, 5


def _dense_params() -> Exercise:
    inputs = DENSE_SIDE * DENSE_SIDE
    answer = linear_param_count(inputs, DENSE_UNITS)
    return Exercise(
        "01_why_cnn.ipynb",
        "Parameters of a dense layer",
        f"A fully connected layer reads a {DENSE_SIDE} × {DENSE_SIDE} greyscale image (one input "
        f"per pixel) and has {DENSE_UNITS} hidden units. How many parameters does it have, "
        "weights and biases together?",
        WHOLE,
        answer,
        f"{inputs} inputs · {DENSE_UNITS} units + {DENSE_UNITS} biases = {_n(answer)}.",
        "count one weight for every (pixel, hidden unit) pair, then one bias per hidden unit.",
        (
            Mistake(
                linear_param_count(inputs, DENSE_UNITS, bias=False),
                f"you forgot the biases: each of the {DENSE_UNITS} hidden units has one too.",
            ),
            Mistake(
                linear_param_count(DENSE_SIDE, DENSE_UNITS),
                f"the layer reads every pixel, not one row: {DENSE_SIDE} × {DENSE_SIDE} inputs.",
            ),
            Mistake(
                inputs * DENSE_UNITS + inputs,
                "one bias per hidden unit (each output), not one per input.",
            ),
            Mistake(
                inputs + DENSE_UNITS,
                "every hidden unit has a weight for every input: multiply, do not add.",
            ),
        ),
    )


def _conv_params() -> Exercise:
    k, c, kernels = CONV_KERNEL, CONV_CHANNELS, CONV_KERNELS
    answer = conv2d_param_count(c, kernels, k)
    positions = conv_output_size(CONV_IMAGE_SIDE, k) ** 2
    return Exercise(
        "01_why_cnn.ipynb",
        "Parameters of a convolution",
        f"A convolutional layer has {kernels} kernels of {k} × {k} and reads a "
        f"{CONV_IMAGE_SIDE} × {CONV_IMAGE_SIDE} RGB image (stride 1, no padding). How many "
        "parameters does it have, biases included?",
        WHOLE,
        answer,
        f"each kernel is {c} × {k} × {k} = {c * k * k} weights (it spans every input channel), "
        f"plus one bias: {kernels} · {c * k * k} + {kernels} = {_n(answer)}, whatever the "
        "image size.",
        "count the weights of one kernel (how deep is it?), add its bias, multiply by the kernels.",
        (
            Mistake(
                conv2d_param_count(1, kernels, k),
                f"a kernel spans every input channel: on an RGB image it is {c} × {k} × {k}.",
            ),
            Mistake(
                conv2d_param_count(c, kernels, k, bias=False),
                "you forgot the biases: one per kernel.",
            ),
            Mistake(
                conv2d_param_count(1, kernels, k, bias=False),
                "a kernel spans every input channel, and each kernel has a bias too.",
            ),
            Mistake(
                kernels * c * k + kernels,
                f"a kernel is {k} × {k} in space: {k * k} weights per channel, not {k}.",
            ),
            Mistake(
                answer * positions,
                "a convolution reuses the same kernels at every position (shared weights): "
                "its count does not depend on the image size.",
            ),
        ),
    )


# --- 02 Padding and stride -----------------------------------------------------------------------

SIDE_CASE = {"size": 14, "kernel_size": 5, "padding": 2, "stride": 2}
DILATED_CASE = {"size": 20, "kernel_size": 3, "dilation": 3}
SHAPE_CASE = {"in_channels": 3, "out_channels": 8, "kernel_size": 5, "padding": 2, "size": 12}
GROUPED_CASE = {"in_channels": 8, "out_channels": 16, "kernel_size": 3, "groups": 4}


def _conv_output_side() -> Exercise:
    n, k, p, s = (SIDE_CASE[key] for key in ("size", "kernel_size", "padding", "stride"))
    answer = conv_output_size(n, k, s, p)
    room = n + 2 * p - k
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Output size with padding and stride",
        f"A {n} × {n} input goes through a convolution with a {k} × {k} kernel, padding {p} and "
        f"stride {s}. What is the side of the output?",
        WHOLE,
        answer,
        f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = ⌊{room / s:g}⌋ + 1 = {answer}.",
        "use ⌊(n + 2p − k) / s⌋ + 1 and check each part.",
        (
            Mistake(
                conv_output_size(n + p, k, s, 0),
                "check two things: padding goes on both sides (n + 2p), and the formula ends "
                "with + 1 for the first position.",
            ),
            Mistake(
                math.ceil(room / s) + 1,
                "round the division down (floor), not up: a window that would run past the edge "
                "is not used.",
            ),
            Mistake(
                conv_output_size(n, k, s, 0), f"you left out the padding: {p} zeros on each side."
            ),
            Mistake(
                conv_output_size(n, k, 1, p),
                f"you left out the stride: the kernel moves {s} cells at a time.",
            ),
        ),
        fraction="a size is a whole number: round the division down (floor), then add 1.",
    )


def _dilated_output_side() -> Exercise:
    n, k, d = (DILATED_CASE[key] for key in ("size", "kernel_size", "dilation"))
    answer = conv_output_size(n, k, dilation=d)
    span = k + (k - 1) * (d - 1)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Output size with dilation",
        f"A {n} × {n} input, a {k} × {k} kernel with dilation {d}, no padding, stride 1. "
        "What is the side of the output?",
        WHOLE,
        answer,
        f"the dilated kernel spans {k} + ({k} − 1)·({d} − 1) = {span} cells, so "
        f"{n} − {span} + 1 = {answer}.",
        "work out the span of the dilated kernel first: its taps sit d cells apart.",
        (
            Mistake(
                conv_output_size(n, k),
                f"you left out the dilation: the {k} taps sit {d} cells apart.",
            ),
            Mistake(
                conv_output_size(n, k * d),
                f"the span is k + (k − 1)(d − 1), not k·d: there are only {k - 1} gaps.",
            ),
            Mistake(answer - 1, "you forgot the + 1 for the first position."),
        ),
        fraction="a size is a whole number.",
    )


def _conv_output_shape() -> Exercise:
    c_in, c_out, k, p, n = (
        SHAPE_CASE[key] for key in ("in_channels", "out_channels", "kernel_size", "padding", "size")
    )
    side = conv_output_size(n, k, padding=p)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "The shape of a convolution's output",
        f"`nn.Conv2d({c_in}, {c_out}, {k}, padding={p})` gets one image of shape "
        f"({c_in}, {n}, {n}) (channels, height, width). What is the shape of its output, "
        "written (channels, height, width)?",
        NUMBERS,
        (c_out, side, side),
        f"({c_out}, {side}, {side}): one map per kernel, each {n} + 2·{p} − {k} + 1 = {side} "
        "wide. This padding keeps the size.",
        "the depth is one map per kernel; each side follows ⌊(n + 2p − k)/s⌋ + 1.",
        (
            Mistake(
                (c_in, side, side),
                f"the output has one map per kernel: {c_out} kernels, whatever the input depth.",
            ),
            Mistake(
                (c_out,) + (conv_output_size(n + p, k),) * 2,
                f"padding goes on both sides: the padded input is {n} + 2·{p} wide.",
            ),
            Mistake((c_out,) + (conv_output_size(n, k),) * 2, "you left out the padding."),
            Mistake((side, side, c_out), "PyTorch puts the channels first: (channels, h, w)."),
            Mistake((c_out,) + (side - 1,) * 2, "you forgot the + 1 for the first position."),
        ),
        form="(channels, height, width)",
    )


def _grouped_params() -> Exercise:
    c_in, c_out, k, g = (
        GROUPED_CASE[key] for key in ("in_channels", "out_channels", "kernel_size", "groups")
    )
    answer = conv2d_param_count(c_in, c_out, k, groups=g)
    return Exercise(
        "02_padding_and_stride.ipynb",
        "Parameters of a grouped convolution",
        f"How many parameters does `nn.Conv2d({c_in}, {c_out}, {k}, groups={g})` have, biases "
        "included?",
        WHOLE,
        answer,
        f"each of the {c_out} kernels sees only its group's {c_in} / {g} = {c_in // g} channels: "
        f"{c_out} · {c_in // g} · {k}·{k} + {c_out} = {_n(answer)}.",
        "how deep is each kernel when the input channels are split into groups?",
        (
            Mistake(
                conv2d_param_count(c_in, c_out, k),
                f"with groups={g} a kernel sees only {c_in} / {g} of the input channels.",
            ),
            Mistake(
                conv2d_param_count(c_in, c_out, k, groups=g, bias=False),
                "you forgot the biases: one per output channel.",
            ),
            Mistake(
                c_out * g * k * k + c_out,
                f"a kernel is in_channels / groups = {c_in // g} deep, not groups deep.",
            ),
            Mistake(
                conv2d_param_count(c_in // g, c_out // g, k),
                f"the output channels are not divided: there are still {c_out} kernels "
                f"({c_out // g} per group), each with a bias.",
            ),
        ),
    )


# --- 03 Weight sharing ---------------------------------------------------------------------------

MATRIX_IMAGE_SIDE, MATRIX_KERNEL = 8, 3
PADDED_POSITION = (3, 0)  # (row, column) of the output asked for, filter 1, padding 1


def _matrix_rows_columns() -> tuple[int, int]:
    indices = conv_weight_indices(MATRIX_KERNEL, MATRIX_IMAGE_SIDE)
    return indices.shape


def _matrix_shape() -> Exercise:
    rows, columns = _matrix_rows_columns()
    n, k = MATRIX_IMAGE_SIDE, MATRIX_KERNEL
    out = conv_output_size(n, k)
    lecture_rows, lecture_columns = conv_weight_indices(k, 6).shape
    return Exercise(
        "03_weight_sharing.ipynb",
        "The shape of the unrolled matrix",
        f"An {n} × {n} image is convolved with one {k} × {k} filter (stride 1, no padding). "
        "Written as a matrix M, with M · x = the feature map (x: the image as one long vector, "
        "the feature map likewise), what is the shape of M, written (rows, columns)?",
        NUMBERS,
        (rows, columns),
        f"one row per output ({out} × {out} = {rows}) and one column per pixel "
        f"({n} × {n} = {columns}).",
        "M · x must turn the image's pixels into the feature map's values.",
        (
            Mistake(
                (columns, rows),
                "rows and columns are swapped: M has one row per output, one column per pixel.",
            ),
            Mistake(
                (lecture_rows, lecture_columns),
                f"that is the lecture's 6 × 6 image; this one is {n} × {n}.",
            ),
            Mistake(
                (columns, columns),
                f"there are fewer outputs than pixels: the feature map is {out} × {out}.",
            ),
        ),
        form="(rows, columns)",
    )


def _weight_copies() -> Exercise:
    indices = conv_weight_indices(MATRIX_KERNEL, MATRIX_IMAGE_SIDE)
    answer = int(np.count_nonzero(indices == 0))
    rows, columns = indices.shape
    return Exercise(
        "03_weight_sharing.ipynb",
        "How often one weight is shared",
        "In the same matrix M, how many entries hold a copy of the filter's top-left weight? "
        "(Its gradient is the sum of the gradients of that many copies.)",
        WHOLE,
        answer,
        f"one copy per output, {answer}: every row of M uses the same {MATRIX_KERNEL**2} "
        "weights, shifted.",
        "in how many rows of M does the top-left weight appear, and how often per row?",
        (
            Mistake(
                1,
                "the filter stores it once, but M holds a copy of it for every output "
                "(weight sharing).",
            ),
            Mistake(
                columns,
                f"one copy per output (row of M), not per pixel: the map has {rows} outputs.",
            ),
            Mistake(
                MATRIX_KERNEL**2,
                f"{MATRIX_KERNEL**2} is the number of different weights; count the copies of "
                "one of them.",
            ),
            Mistake(
                int(np.count_nonzero(indices >= 0)),
                "that counts every non-zero entry of M (all nine weights); count only the "
                "top-left one.",
            ),
        ),
    )


def _padded_output() -> Exercise:
    row, col = PADDED_POSITION
    padded = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None], padding=1)
    unpadded = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])
    answer = float(padded[0, row, col])
    return Exercise(
        "03_weight_sharing.ipynb",
        "One output with padding",
        "Convolve the lecture's 6 × 6 image with filter 1 (the diagonal one), stride 1, "
        f"**padding 1**. What is the output at row {row}, column {col} (counting from 0, as "
        "PyTorch does)?",
        WHOLE,
        answer,
        f"{_n(answer)}: with padding 1, output ({row}, {col}) reads a window that starts one row "
        "up and one column left of pixel "
        f"({row}, {col}), so its left column lies in the zero padding.",
        "with padding 1, output (r, c) reads image rows r − 1 … r + 1 and columns c − 1 … c + 1 "
        "(outside the image: zeros).",
        (
            Mistake(
                float(unpadded[0, row, col]),
                "that is the output without padding. With padding 1 the window starts one row "
                "and one column earlier, partly in the zeros.",
            ),
            Mistake(float(padded[1, row, col]), "that is filter 2's value there; use filter 1."),
            Mistake(
                float(padded[0, col, row]),
                f"row and column are swapped: row {row} counts down, column {col} across.",
            ),
        ),
    )


# --- 04 Pooling ----------------------------------------------------------------------------------

POOL_KERNEL = 3  # nn.MaxPool2d(3) on the 7 x 7 example map
POOL_POSITION = (1, 0)
AVG_KERNEL, AVG_POSITION = 2, (3, 1)  # F.avg_pool2d(x, 2, ceil_mode=True)


def _pool_output_side() -> Exercise:
    n, k = EXAMPLE_MAP.shape[0], POOL_KERNEL
    answer = pool_output_size(n, k)
    return Exercise(
        "04_pooling.ipynb",
        "The size of a pooled map",
        f"`nn.MaxPool2d({k})` pools a {n} × {n} feature map. What is the side of the output?",
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
    )


def _max_pool_value() -> Exercise:
    row, col = POOL_POSITION
    k = POOL_KERNEL
    pooled = pool2d_by_hand(EXAMPLE_MAP, k)
    answer = float(pooled[row, col])
    return Exercise(
        "04_pooling.ipynb",
        "A max-pooled value",
        f"`nn.MaxPool2d({k})` pools the 7 × 7 example map printed below. What is the output at "
        f"row {row}, column {col} (counting from 0)?",
        NUMBER,
        answer,
        f"{_n(answer)}: with stride {k}, output ({row}, {col}) reads rows "
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
    )


def _avg_pool_edge() -> Exercise:
    row, col = AVG_POSITION
    k = AVG_KERNEL
    pooled = pool2d_by_hand(EXAMPLE_MAP, k, mode="avg", ceil_mode=True)
    top, left = row * k, col * k
    window = EXAMPLE_MAP[top : top + k, left : left + k]
    answer = float(pooled[row, col])
    return Exercise(
        "04_pooling.ipynb",
        "Average pooling over the edge",
        f"`F.avg_pool2d(x, {k}, ceil_mode=True)` pools the same 7 × 7 map. What is the output "
        f"at row {row}, column {col}? Its window hangs over the bottom edge.",
        NUMBER,
        answer,
        f"the window holds only {window.size} cells inside the map, "
        f"{[int(v) for v in window.ravel()]}, "
        f"and PyTorch divides by those: {_n(window.sum())} / {window.size} = {_n(answer)}.",
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
    )


# --- 05 RNN slot filling -------------------------------------------------------------------------

TOY_EXERCISE_INPUTS: tuple[tuple[int, int], ...] = ((1, 0), (0, 1), (1, 1))
TAGGER_SENTENCE, TAGGER_CITY, TAGGER_CUE = "i want to leave yilan on june 3rd", "yilan", "leave"


def _output_fed_back(inputs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The toy RNN with the mistake of copying the output (not the hidden values) to memory."""
    memory = np.zeros(2)
    for x in inputs:
        step = toy_rnn([x])[0]  # a one-step run from memory 0: W_x x
        hidden = step.hidden + np.ones((2, 2)) @ memory
        output = np.ones((2, 2)) @ hidden
        memory = output
    return output


def _toy_rnn_output() -> Exercise:
    steps = toy_rnn(TOY_EXERCISE_INPUTS)
    answer = tuple(float(v) for v in steps[-1].output)
    last = len(steps)
    shown = ", ".join(str(list(x)) for x in TOY_EXERCISE_INPUTS)
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "The toy RNN by hand",
        "The lecture's toy RNN (all weights 1, linear units, no bias, memory starting at 0) "
        f"reads {shown}. What is its output y at step {last}? Give both values, [y1, y2].",
        NUMBERS,
        answer,
        "hidden values "
        + ", ".join(str(step.hidden.astype(int).tolist()) for step in steps)
        + f" (each is the memory of the next step), so y = {list(map(int, answer))}.",
        "at each step: hidden = (sum of the inputs + sum of the memory) in each unit, output = "
        "sum of the hidden values, and the hidden values become the memory.",
        (
            Mistake(
                tuple(float(v) for v in toy_rnn(TOY_EXERCISE_INPUTS[-1:])[0].output),
                "that ignores the memory: the hidden values of step 2 are added in at step 3.",
            ),
            Mistake(
                tuple(float(v) for v in steps[-1].hidden),
                "those are the hidden values; the output multiplies them by W_y (adds both).",
            ),
            Mistake(
                tuple(float(v) for v in _output_fed_back(TOY_EXERCISE_INPUTS)),
                "the memory holds the hidden values a_t, not the outputs y_t.",
            ),
        ),
        tolerance=1e-6,
        form="[y1, y2]",
    )


def _tagger_label(kind: str) -> str:
    """The label that the trained tagger of `kind` gives the exercise's city."""
    from helpers.rnn import tag_sentence, trained_taggers  # trains once, then cached

    return dict(tag_sentence(trained_taggers(0)[kind], TAGGER_SENTENCE))[TAGGER_CITY]


def _rnn_label() -> Exercise:
    answer = _tagger_label("rnn")
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "What the RNN says",
        f"The trained RNN tagger reads *{TAGGER_SENTENCE}*. {TAGGER_CITY.title()} is a "
        "held-out city: it never appeared in training. Which label does the RNN give "
        f"*{TAGGER_CITY}*? (One of {', '.join(LABELS)}.)",
        CHOICE,
        answer,
        f"{answer}: the RNN read '{TAGGER_CUE}' first and carries it in its hidden state, so "
        "whatever word comes next is the place of departure, known or not.",
        f"what did '{TAGGER_CUE}' tell the RNN before it reached the city?",
        (
            Mistake(
                CITY_LABEL["arrive"],
                f"after '{TAGGER_CUE}' the city is where the trip starts; "
                f"'{CITY_LABEL['arrive']}' goes with 'arrive'.",
            ),
            Mistake(
                "other",
                "that is what the feed-forward tagger says about a city it never saw. The RNN "
                f"does not need to know the word: it remembers '{TAGGER_CUE}'.",
            ),
            Mistake(
                DATE_LABEL[TAGGER_CUE],
                f"that is the label of the date; the question asks about *{TAGGER_CITY}*.",
            ),
        ),
        choices=_label_choices(LABELS),
    )


def _feedforward_label() -> Exercise:
    answer = _tagger_label("feedforward")
    unknown = (
        f"it sees only the word *{TAGGER_CITY}*, which it never met in training, so it gets the "
        "shared 'other' input. What did that input mostly stand for in training?"
    )
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "What the feed-forward tagger says",
        f"And the trained **feed-forward** tagger, on the same sentence: which label does it "
        f"give *{TAGGER_CITY}*?",
        CHOICE,
        answer,
        f"{answer}: it reads one word at a time, and an unknown city arrives as the 'other' "
        "dimension, which in training mostly meant words labelled other.",
        "what does the feed-forward tagger see when it labels the city, and is that word known?",
        (
            Mistake(
                CITY_LABEL[TAGGER_CUE],
                "that would be right, but the feed-forward tagger cannot know it: " + unknown,
            ),
            Mistake(
                CITY_LABEL["arrive"],
                f"the feed-forward tagger never sees '{TAGGER_CUE}' (which would make the city "
                "the departure anyway): " + unknown,
            ),
        ),
        choices=_label_choices(LABELS),
    )


# --- 06 The LSTM by hand -------------------------------------------------------------------------

MEMORY_CASE = {"memory": 5.0, "x": (2.0, 1.0, 0.0)}
OUTPUT_CASE = {"memory": 7.0, "x": (4.0, 0.0, 1.0)}
LSTM_SIZES = {"input_size": 10, "hidden_size": 20}
_CELL_TEXT = (
    "The lecture's LSTM cell has z = x1, z_i = 100·x2 − 10, z_f = 100·x2 + 10, "
    "z_o = 100·x3 − 10, with g and h the identity. "
)


def _lstm_memory() -> Exercise:
    memory, x = MEMORY_CASE["memory"], MEMORY_CASE["x"]
    step = LectureLSTMCell().step(x, memory, exact=False)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "The memory after one step",
        _CELL_TEXT + f"Its memory is c = {_n(memory)} and the input is x = "
        f"{tuple(int(v) for v in x)}. What is the memory c' after the step? (Gates of 0 or 1, "
        "as in the lecture, are fine.)",
        NUMBER,
        step.memory,
        f"z_i = {step.z_i:g} opens the input gate and z_f = {step.z_f:g} keeps the forget gate "
        f"open: c' = {step.z:g}·1 + {_n(memory)}·1 = {_n(step.memory)}.",
        "c' = z·f(z_i) + c·f(z_f): work out each gate first.",
        (
            Mistake(
                step.z * step.input_gate + memory * (1 - step.forget_gate),
                f"z_f = {step.z_f:g} opens the forget gate, and a forget gate of 1 **keeps** "
                "the old memory.",
            ),
            Mistake(
                memory * step.forget_gate,
                f"z_i = {step.z_i:g} opens the input gate: x1 = {x[0]:g} is written as well.",
            ),
            Mistake(
                step.output,
                "that is the output a (the output gate is shut); the question asks the memory.",
            ),
        ),
        tolerance=0.01,
    )


def _lstm_output() -> Exercise:
    memory, x = OUTPUT_CASE["memory"], OUTPUT_CASE["x"]
    step = LectureLSTMCell().step(x, memory, exact=False)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "The output after one step",
        f"Same cell, memory c = {_n(memory)}, input x = {tuple(int(v) for v in x)}. "
        "What is the output a?",
        NUMBER,
        step.output,
        f"x2 = 0 keeps the input gate shut (z_i = {step.z_i:g}) and the forget gate open, so "
        f"c' = {_n(step.memory)}; x3 = 1 opens the output gate (z_o = {step.z_o:g}): "
        f"a = {_n(step.output)}.",
        "a = c'·f(z_o): find c' first, then the output gate.",
        (
            Mistake(
                step.z + memory,
                f"x2 = 0 gives z_i = {step.z_i:g}: the input gate is shut, x1 is not written.",
            ),
            Mistake(
                0.0,
                f"x3 = 1 gives z_o = {step.z_o:g}: the output gate is open, the memory goes out.",
            ),
            Mistake(
                step.z,
                f"the forget gate is open (z_f = {step.z_f:g}): the memory keeps its "
                f"{_n(memory)}, and x1 is not written.",
            ),
        ),
        tolerance=0.01,
    )


def _lstm_params() -> Exercise:
    n_in, hidden = LSTM_SIZES["input_size"], LSTM_SIZES["hidden_size"]
    answer = lstm_param_count(n_in, hidden)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "Parameters of nn.LSTM",
        f"How many parameters does `nn.LSTM(input_size={n_in}, hidden_size={hidden})` (one "
        "layer) have?",
        WHOLE,
        answer,
        f"4 gates × {hidden} units × ({n_in} inputs + {hidden} fed back) + 2 bias vectors of "
        f"4 × {hidden} = {_n(answer)}.",
        "four blocks (i, f, g, o); each reads the input and the previous h; count the biases.",
        (
            Mistake(
                answer - 4 * hidden,
                "PyTorch has two bias vectors, bias_ih and bias_hh, each 4 × hidden_size.",
            ),
            Mistake(lstm_param_count(n_in, hidden, bias=False), "you forgot the biases."),
            Mistake(
                answer // 4,
                "that is one block: there are four (input gate, forget gate, cell input g, "
                "output gate).",
            ),
            Mistake(
                answer - 4 * hidden * hidden,
                f"each gate also reads the previous output h: {hidden} more inputs per unit.",
            ),
        ),
    )


# --- 07 VGG16 ------------------------------------------------------------------------------------

VGG_BLOCK = 3  # its first convolution
VGG_SMALL_SIDE, VGG_SIDE_BLOCK = 160, 4
STACKED_LAYERS = 5


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


def _vgg_conv_params() -> Exercise:
    c_in, c_out = _vgg_block_convs(VGG_BLOCK)[0]
    answer = conv2d_param_count(c_in, c_out, 3)
    return Exercise(
        "07_vgg16.ipynb",
        "Parameters of one VGG16 convolution",
        f"VGG16's first convolution of block {VGG_BLOCK} has {c_out} kernels of 3 × 3 "
        "(padding 1). How many parameters does it have, biases included? (What does it read? "
        "Look at the configuration list.)",
        WHOLE,
        answer,
        f"it reads the {c_in} channels that block {VGG_BLOCK - 1} ends with: "
        f"{c_out} · ({c_in}·3·3) + {c_out} = {_n(answer)}.",
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
    )


def _vgg_side_exercise() -> Exercise:
    n, blocks = VGG_SMALL_SIDE, VGG_SIDE_BLOCK
    answer = _vgg_side(n, blocks)
    return Exercise(
        "07_vgg16.ipynb",
        "A smaller input",
        f"Feed VGG16 a {n} × {n} image instead of 224 × 224. What is the side of its feature "
        f"maps after block {blocks}?",
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
    )


def _receptive_field_exercise() -> Exercise:
    n = STACKED_LAYERS
    answer = receptive_field([(3, 1)] * n)
    return Exercise(
        "07_vgg16.ipynb",
        "What a stack sees",
        f"{n} convolutions of 3 × 3 (stride 1) are stacked. One unit of the last one sees how "
        "many pixels along one side of the input?",
        WHOLE,
        answer,
        f"each layer adds 3 − 1 = 2 pixels: 1 + 2·{n} = {answer}.",
        "one layer sees 3, two see 5, three see 7: what does each layer add?",
        (
            Mistake(3 * n, "the windows overlap: each layer adds 2 pixels, not 3."),
            Mistake(2 * n, "start from one pixel: 1 + 2 per layer."),
            Mistake(3**n, "the views overlap: they grow by 2 per layer, not 3 times per layer."),
        ),
    )


def _param_mib() -> Exercise:
    n_in = POOLED_SIZE[0] * POOLED_SIZE[1] * _vgg_block_convs(5)[-1][1]  # 512 · 7 · 7
    params = linear_param_count(n_in, HIDDEN_FEATURES)
    answer = params * 4 / BYTES_PER_MIB  # 32-bit floats: 4 bytes each
    return Exercise(
        "07_vgg16.ipynb",
        "Megabytes or mebibytes",
        f"VGG16's first Linear layer maps {n_in:,} values to {HIDDEN_FEATURES:,}. How much "
        "memory do its parameters take as 32-bit floats, in MiB (as torchsummary reports it, "
        "under the name MB)? Two decimals.",
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
    )


# --- 08 CNN vs RNN -------------------------------------------------------------------------------

GROWTH_SIDES, GROWTH_UNITS = (256, 512), 1_000
LARGE_IMAGE_SIDE, CNN_KERNELS, CNN_KERNEL = 1_000, 100, 3
GRADIENT_LENGTH = 100
RNN_GRADIENT_SCALE = 2.0
LSTM_GRADIENT_SCALE, LSTM_GRADIENT_FORGET_BIAS = 1.0, 0.0


def _dense_growth() -> Exercise:
    small, large = (family_parameter_counts(n, hidden_units=GROWTH_UNITS) for n in GROWTH_SIDES)
    answer = large["DNN"] / small["DNN"]
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "How a dense layer grows",
        f"Double the side of a square greyscale image ({GROWTH_SIDES[0]} → {GROWTH_SIDES[1]}). "
        f"About how many times more parameters does a dense layer with {GROWTH_UNITS:,} hidden "
        "units need?",
        NUMBER,
        answer,
        f"about {answer:.0f}: it has one weight per pixel and unit, and doubling the side "
        f"multiplies the pixels by 4 (n²). Exactly {answer:.5f}, because of the biases.",
        "how does the number of pixels grow when the side doubles?",
        (
            Mistake(
                GROWTH_SIDES[1] / GROWTH_SIDES[0],
                "the dense layer reads every pixel, and the pixels grow with n², not n.",
            ),
            Mistake(
                large["CNN"] / small["CNN"],
                "that is the convolution, which does not grow; the dense layer reads every pixel.",
            ),
        ),
        tolerance=0.05,
    )


def _cnn_params_large_image() -> Exercise:
    n, kernels, k = LARGE_IMAGE_SIDE, CNN_KERNELS, CNN_KERNEL
    answer = family_parameter_counts(n, kernels=kernels, kernel_size=k)["CNN"]
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "A convolution on a large image",
        f"A convolutional layer has {kernels} kernels of {k} × {k} and reads a greyscale image "
        f"of {n:,} × {n:,} pixels. How many parameters does it have, biases included?",
        WHOLE,
        answer,
        f"{kernels} · {k}·{k} + {kernels} = {_n(answer)}, the same as on any image: the "
        "kernels are shared by every position.",
        "does the image size enter the count of a convolution at all?",
        (
            Mistake(
                conv2d_param_count(1, kernels, k, bias=False),
                "you forgot the biases: one per kernel.",
            ),
            Mistake(
                answer * conv_output_size(n, k) ** 2,
                "the same kernels are used at every position: the count does not depend on the "
                "image size.",
            ),
        ),
    )


def _gradient_direction(kind: str, scale: float, forget_bias: float | None) -> str:
    from helpers.gradients import FORGET_BIAS, gradient_norms

    bias = FORGET_BIAS if forget_bias is None else forget_bias
    norms = gradient_norms(kind, GRADIENT_LENGTH, scale, forget_bias=bias)
    return "larger" if norms[0] > norms[-1] else "smaller"


def _rnn_gradient() -> Exercise:
    answer = _gradient_direction("rnn", RNN_GRADIENT_SCALE, None)
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "Exploding or vanishing",
        f"A vanilla RNN whose recurrent weight scale is {RNN_GRADIENT_SCALE:g} reads "
        f"{GRADIENT_LENGTH} steps. Is the gradient with respect to the first input larger or "
        "smaller than the one with respect to the last input? Answer 'larger' or 'smaller'.",
        CHOICE,
        answer,
        f"{answer}: a scale above 1 stretches the hidden state at every step, so the product of "
        f"{GRADIENT_LENGTH} Jacobians grows: the gradient explodes.",
        "what does a recurrent matrix that stretches by 2 do over many steps?",
        (
            Mistake(
                "smaller" if answer == "larger" else "larger",
                f"with scale {RNN_GRADIENT_SCALE:g} each step back in time multiplies the gradient "
                "by a stretching matrix: it grows (explodes) instead of vanishing.",
            ),
        ),
        choices=_DIRECTIONS,
    )


def _lstm_gradient() -> Exercise:
    answer = _gradient_direction("lstm", LSTM_GRADIENT_SCALE, LSTM_GRADIENT_FORGET_BIAS)
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "An LSTM with a half-shut forget gate",
        f"An LSTM with its forget-gate bias set to {LSTM_GRADIENT_FORGET_BIAS:g} (scale "
        f"{LSTM_GRADIENT_SCALE:g}) reads {GRADIENT_LENGTH} steps. Is the gradient with respect to "
        "the first input larger or smaller than the one with respect to the last input? "
        "Answer 'larger' or 'smaller'.",
        CHOICE,
        answer,
        f"{answer}: with bias 0 the forget gate is about 0.5, so the cell keeps only about half "
        "of itself at each step; the gradient shrinks with it, step after step: it vanishes.",
        "what does a forget gate of about 0.5 do to the memory, step after step?",
        (
            Mistake(
                "larger" if answer == "smaller" else "smaller",
                "an LSTM only lets the gradient through while its forget gate is near 1; with "
                "bias 0 the gate is about 0.5.",
            ),
        ),
        choices=_DIRECTIONS,
    )


# --- The checks ----------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], Exercise]] = {
    "check_dense_params": _dense_params,
    "check_conv_params": _conv_params,
    "check_conv_output_side": _conv_output_side,
    "check_dilated_output_side": _dilated_output_side,
    "check_conv_output_shape": _conv_output_shape,
    "check_grouped_params": _grouped_params,
    "check_matrix_shape": _matrix_shape,
    "check_weight_copies": _weight_copies,
    "check_padded_output": _padded_output,
    "check_pool_output_side": _pool_output_side,
    "check_max_pool_value": _max_pool_value,
    "check_avg_pool_edge": _avg_pool_edge,
    "check_toy_rnn_output": _toy_rnn_output,
    "check_rnn_label": _rnn_label,
    "check_feedforward_label": _feedforward_label,
    "check_lstm_memory": _lstm_memory,
    "check_lstm_output": _lstm_output,
    "check_lstm_params": _lstm_params,
    "check_vgg_conv_params": _vgg_conv_params,
    "check_vgg_side": _vgg_side_exercise,
    "check_receptive_field": _receptive_field_exercise,
    "check_param_mib": _param_mib,
    "check_dense_growth": _dense_growth,
    "check_cnn_params_large_image": _cnn_params_large_image,
    "check_rnn_gradient": _rnn_gradient,
    "check_lstm_gradient": _lstm_gradient,
}


@cache
def exercise(name: str) -> Exercise:
    """The exercise behind the check function `name` (built once: some train a model)."""
    if name not in BUILDERS:
        raise ValueError(f"name must be one of the checks in BUILDERS, got {name!r}")
    return BUILDERS[name]()


def check(name: str, answer: object) -> Feedback:
    """Feedback on `answer` to the exercise of check `name`; never raises for any answer."""
    if answer is None or answer is Ellipsis:  # no need to build (or train) anything yet
        return Feedback(False, NOT_DONE_MESSAGE, NOT_DONE)
    return evaluate(answer, exercise(name))


def check_dense_params(answer: object = None) -> Feedback:
    """Feedback on notebook 01's exercise "Parameters of a dense layer"."""
    return check("check_dense_params", answer)


def check_conv_params(answer: object = None) -> Feedback:
    """Feedback on notebook 01's exercise "Parameters of a convolution"."""
    return check("check_conv_params", answer)


def check_conv_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Output size with padding and stride"."""
    return check("check_conv_output_side", answer)


def check_dilated_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Output size with dilation"."""
    return check("check_dilated_output_side", answer)


def check_conv_output_shape(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "The shape of a convolution's output"."""
    return check("check_conv_output_shape", answer)


def check_grouped_params(answer: object = None) -> Feedback:
    """Feedback on notebook 02's exercise "Parameters of a grouped convolution"."""
    return check("check_grouped_params", answer)


def check_matrix_shape(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "The shape of the unrolled matrix"."""
    return check("check_matrix_shape", answer)


def check_weight_copies(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "How often one weight is shared"."""
    return check("check_weight_copies", answer)


def check_padded_output(answer: object = None) -> Feedback:
    """Feedback on notebook 03's exercise "One output with padding"."""
    return check("check_padded_output", answer)


def check_pool_output_side(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "The size of a pooled map"."""
    return check("check_pool_output_side", answer)


def check_max_pool_value(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "A max-pooled value"."""
    return check("check_max_pool_value", answer)


def check_avg_pool_edge(answer: object = None) -> Feedback:
    """Feedback on notebook 04's exercise "Average pooling over the edge"."""
    return check("check_avg_pool_edge", answer)


def check_toy_rnn_output(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "The toy RNN by hand"."""
    return check("check_toy_rnn_output", answer)


def check_rnn_label(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "What the RNN says"."""
    return check("check_rnn_label", answer)


def check_feedforward_label(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "What the feed-forward tagger says"."""
    return check("check_feedforward_label", answer)


def check_lstm_memory(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "The memory after one step"."""
    return check("check_lstm_memory", answer)


def check_lstm_output(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "The output after one step"."""
    return check("check_lstm_output", answer)


def check_lstm_params(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "Parameters of nn.LSTM"."""
    return check("check_lstm_params", answer)


def check_vgg_conv_params(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "Parameters of one VGG16 convolution"."""
    return check("check_vgg_conv_params", answer)


def check_vgg_side(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "A smaller input"."""
    return check("check_vgg_side", answer)


def check_receptive_field(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "What a stack sees"."""
    return check("check_receptive_field", answer)


def check_param_mib(answer: object = None) -> Feedback:
    """Feedback on notebook 07's exercise "Megabytes or mebibytes"."""
    return check("check_param_mib", answer)


def check_dense_growth(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "How a dense layer grows"."""
    return check("check_dense_growth", answer)


def check_cnn_params_large_image(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "A convolution on a large image"."""
    return check("check_cnn_params_large_image", answer)


def check_rnn_gradient(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "Exploding or vanishing"."""
    return check("check_rnn_gradient", answer)


def check_lstm_gradient(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "An LSTM with a half-shut forget gate"."""
    return check("check_lstm_gradient", answer)
