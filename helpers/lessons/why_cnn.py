"""Notebook 01, why CNN: the article's parameter counts drawn, the three image properties
shown on a photo, the parameter calculator, and the exercise cases."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from helpers.core.arithmetic import conv2d_param_count, conv_output_size, linear_param_count
from helpers.core.dense_vs_conv import ARTICLE_CLAIMS, calculator_counts
from helpers.core.image_properties import EYE_BOX, StarDetection, crop, detect_stars
from helpers.core.images import sample_photo, subsample
from helpers.ui.exercises import WHOLE, Exercise, Feedback, Mistake, check, format_number
from helpers.ui.explorer import Explorer, choice_slider, int_slider
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import PALETTE
from helpers.ui.svg import format_count, log_bar_chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DENSE_SIDE, DENSE_UNITS = 28, 100

CONV_IMAGE_SIDE, CONV_CHANNELS, CONV_KERNELS, CONV_KERNEL = 32, 3, 64, 5

# nn.Conv2d(3, 16, (3, 5)): the exercise that changes the notebook's conv_parameters.
RECT_CHANNELS, RECT_KERNELS, RECT_KERNEL = 3, 16, (3, 5)


def dense_params_exercise() -> Exercise:
    inputs = DENSE_SIDE * DENSE_SIDE
    answer = linear_param_count(inputs, DENSE_UNITS)
    return Exercise(
        "01_why_cnn.ipynb",
        "Parameters of a dense layer",
        WHOLE,
        answer,
        f"{inputs} inputs · {DENSE_UNITS} units + {DENSE_UNITS} biases = {format_number(answer)}.",
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
        given=(DENSE_SIDE, DENSE_UNITS),
    )


def conv_params_exercise() -> Exercise:
    k, c, kernels = CONV_KERNEL, CONV_CHANNELS, CONV_KERNELS
    answer = conv2d_param_count(c, kernels, k)
    positions = conv_output_size(CONV_IMAGE_SIDE, k) ** 2
    return Exercise(
        "01_why_cnn.ipynb",
        "Parameters of a convolution",
        WHOLE,
        answer,
        f"each kernel is {c} × {k} × {k} = {c * k * k} weights (it spans every input channel), "
        f"plus one bias: {kernels} · {c * k * k} + {kernels} = {format_number(answer)}, "
        "whatever the image size.",
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
        given=(kernels, k, CONV_IMAGE_SIDE),
    )


def rect_kernel_params_exercise() -> Exercise:
    c, kernels, (kh, kw) = RECT_CHANNELS, RECT_KERNELS, RECT_KERNEL
    answer = conv2d_param_count(c, kernels, (kh, kw))
    return Exercise(
        "01_why_cnn.ipynb",
        "Change the count: kernels that are not square",
        WHOLE,
        answer,
        f"each kernel is {c} × {kh} × {kw} = {c * kh * kw} weights, plus one bias: "
        f"{kernels} · {c * kh * kw} + {kernels} = {format_number(answer)}.",
        "a kernel holds channels × kh × kw weights; add one bias per kernel.",
        (
            Mistake(
                conv2d_param_count(c, kernels, kh),
                f"that counts square {kh} × {kh} kernels: use the height {kh} and the width {kw}.",
            ),
            Mistake(
                conv2d_param_count(c, kernels, kw),
                f"that counts square {kw} × {kw} kernels: use the height {kh} and the width {kw}.",
            ),
            Mistake(
                conv2d_param_count(c, kernels, (kh, kw), bias=False),
                "you forgot the biases: one per kernel.",
            ),
            Mistake(
                conv2d_param_count(1, kernels, (kh, kw)),
                f"a kernel spans every input channel: {c} of them here.",
            ),
            Mistake(
                kernels * c * (kh + kw) + kernels,
                "a kernel's window has height × width taps: multiply them, do not add.",
            ),
        ),
        given=(c, kernels, kh, kw),
    )


# The three photo figures have fixed margins instead of constrained layout: their content never
# changes size, and constrained layout measured every tick label at each draw (a third of the
# time of these figures).


def figure_small_patterns() -> Figure:
    """Property 1: a pattern (an eye behind glasses) is much smaller than the whole image."""
    from matplotlib.patches import Rectangle

    grey = sample_photo()
    fig = NotebookFigure(figsize=(9, 4.2), layout=None)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.13, top=0.84, wspace=0.15)
    whole, patch = fig.subplots(1, 2, width_ratios=[1, 1])
    whole.imshow(grey, cmap="gray")
    top, bottom, left, right = EYE_BOX
    whole.add_patch(Rectangle((left, top), right - left, bottom - top, fill=False, ec="red", lw=2))
    whole.set_title(f"whole image: {grey.shape[0]}×{grey.shape[1]} pixels")
    patch.imshow(crop(grey, EYE_BOX), cmap="gray")
    patch.set_title(f"what an 'eye' detector needs: {bottom - top}×{right - left}")
    for ax in (whole, patch):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle("1. Most patterns are much smaller than the image")
    return fig


def figure_same_pattern_anywhere(detection: StarDetection | None = None) -> Figure:
    """Property 2: one detector (a star) finds the same pattern wherever it appears."""
    from matplotlib.patches import Circle

    d = detection or detect_stars()
    fig = NotebookFigure(figsize=(14, 4.2), layout=None)
    fig.subplots_adjust(left=0.04, right=0.97, bottom=0.13, top=0.80, wspace=0.35)
    flag_ax, weights_ax, map_ax, plain_ax = fig.subplots(1, 4, width_ratios=[1.2, 0.6, 1.2, 1.2])
    flag_ax.imshow(d.flag, cmap="gray")
    for row, col in d.peaks:
        flag_ax.add_patch(Circle((col, row), 22, fill=False, ec="red", lw=2))
    flag_ax.set_title(f"the detector fired at {len(d.peaks)} stars")
    weights_ax.imshow(d.template, cmap="gray")
    weights_ax.set_title(f"one detector:\n{d.template.shape[0]}×{d.template.shape[1]} weights")
    shown = map_ax.imshow(d.response, cmap="magma", vmin=0, vmax=1)
    map_ax.set_title("normalised match\n(÷ each window's contrast)")
    fig.colorbar(shown, ax=map_ax, label="normalised correlation", shrink=0.8)
    plain = plain_ax.imshow(d.plain_response, cmap="magma")
    plain_ax.set_title("plain product-sum\n(what a conv layer computes)")
    fig.colorbar(plain, ax=plain_ax, label="sum of pixel × weight", shrink=0.8)
    for ax in (flag_ax, weights_ax):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    for ax in (map_ax, plain_ax):
        ax.set_xlabel("window's left column")
        ax.set_ylabel("window's top row")
    fig.suptitle("2. The same pattern appears in different places: share one detector")
    return fig


def figure_subsampling(factors: tuple[int, ...] = (1, 2, 4, 8)) -> Figure:
    """Property 3: subsampling the pixels keeps the object recognisable."""
    grey = sample_photo()
    fig = NotebookFigure(figsize=(12, 3.8), layout=None)
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.82, wspace=0.3)
    axes = fig.subplots(1, len(factors))
    for ax, factor in zip(axes, factors):
        small = subsample(grey, factor)
        ax.imshow(small, cmap="gray")
        kept = "all pixels" if factor == 1 else f"1 pixel in {factor}×{factor}"
        ax.set_title(f"{kept}: {small.shape[0]}×{small.shape[1]}")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle("3. Subsampling keeps the object: fewer pixels, same person")
    return fig


def calculator_view(
    image_size: int, channels: int, hidden_units: int, kernel_size: int, n_kernels: int
) -> str:
    """The calculator's display: a table of counts and a log-scale bar chart, as HTML."""
    r = calculator_counts(image_size, channels, hidden_units, kernel_size, n_kernels)
    rows = [
        (
            f"Fully connected: {r.inputs:,} inputs → {hidden_units:,} hidden units",
            f"{r.inputs:,} × {hidden_units:,} + {hidden_units:,}",
            r.fully_connected,
        ),
        (
            f"Convolution: {n_kernels} kernels of {kernel_size}×{kernel_size}×{channels}",
            f"{n_kernels} × {kernel_size}×{kernel_size}×{channels} + {n_kernels}",
            r.convolution,
        ),
        (
            f"Fully connected with the convolution's {r.conv_outputs:,} outputs "
            f"({n_kernels} maps of {r.feature_map_side}×{r.feature_map_side})",
            f"{r.inputs:,} × {r.conv_outputs:,} + {r.conv_outputs:,}",
            r.fully_connected_same_outputs,
        ),
    ]
    table = "".join(
        f"<tr><td>{escape(label)}</td><td><code>{escape(formula)}</code></td>"
        f"<td style='text-align:right'>{count:,}</td></tr>"
        for label, formula, count in rows
    )
    ratio = r.fully_connected_same_outputs / r.convolution
    chart = log_bar_chart(
        ["fully connected", "convolution", "FC, same outputs"],
        [r.fully_connected, r.convolution, r.fully_connected_same_outputs],
        title=f"Parameters for a {image_size}×{image_size}×{channels} image",
        axis_label="parameters (log scale)",
    )
    return (
        "<table><tr><th>layer</th><th>weights + biases</th><th>parameters</th></tr>"
        f"{table}</table>"
        f"<p>Same outputs, shared local weights: the convolution needs "
        f"<b>{format_count(ratio)} times</b> fewer parameters.</p>{chart}"
    )


def figure_article_claims() -> Figure:
    """The article's three parameter counts next to the correct ones, on a log axis."""
    fig = NotebookFigure(figsize=(9, 3.8))
    ax = fig.subplots()
    names = [claim.name for claim in ARTICLE_CLAIMS]
    positions = np.arange(len(names))
    said = [claim.article_value for claim in ARTICLE_CLAIMS]
    right = [claim.parameters() for claim in ARTICLE_CLAIMS]
    ax.barh(positions + 0.2, said, height=0.4, label="the article says", color=PALETTE[1])
    ax.barh(positions - 0.2, right, height=0.4, label="PyTorch counts", color=PALETTE[0])
    for y, (a, b) in enumerate(zip(said, right)):
        ax.text(a * 1.3, y + 0.2, f"{a:,}", va="center", fontsize=9)
        ax.text(b * 1.3, y - 0.2, f"{b:,}", va="center", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(1e5, 1e15)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlabel("parameters (log scale)")
    ax.set_title("The article's parameter counts (weights only) vs PyTorch (weights + biases)")
    ax.legend(loc="lower right")
    return fig


IMAGE_SIZES = [6, 28, 32, 64, 100, 224, 256, 512, 1000]

HIDDEN_UNITS = [10, 100, 1_000, 10_000, 100_000, 1_000_000]


def calculator_explorer(
    image_size: int = 100,
    channels: int = 3,
    hidden_units: int = 1_000,
    kernel_size: int = 3,
    n_kernels: int = 64,
) -> Explorer:
    """Notebook 01's calculator: a fully connected layer vs a convolution on the same image."""
    return Explorer(
        calculator_view,
        {
            "image_size": choice_slider(image_size, IMAGE_SIZES, "image side (pixels)"),
            "channels": int_slider(channels, 1, 4, "channels"),
            "hidden_units": choice_slider(hidden_units, HIDDEN_UNITS, "hidden units"),
            "kernel_size": int_slider(kernel_size, 1, 101, "kernel side"),
            "n_kernels": int_slider(n_kernels, 1, 512, "kernels"),
        },
    )


# --- Exercise checks (the notebook calls these) ---


def check_dense_params(answer: object = None) -> Feedback:
    """Feedback on notebook 01's exercise "Parameters of a dense layer"."""
    return check(dense_params_exercise, answer)


def check_conv_params(answer: object = None) -> Feedback:
    """Feedback on notebook 01's exercise "Parameters of a convolution"."""
    return check(conv_params_exercise, answer)


def check_rect_kernel_params(answer: object = None) -> Feedback:
    """Feedback on notebook 01's exercise "Change the count: kernels that are not square"."""
    return check(rect_kernel_params_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_dense_params": dense_params_exercise,
    "check_conv_params": conv_params_exercise,
    "check_rect_kernel_params": rect_kernel_params_exercise,
}
