"""Notebook 08, CNN vs RNN: parameter growth and the families' summary drawn, gradients along
time (a figure and a widget), and the exercise cases."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np
import torch

from helpers.core.arithmetic import conv2d_param_count, conv_output_size
from helpers.core.families import FAMILIES, family_parameter_counts
from helpers.core.gradients import (
    FLOOR,
    FORGET_BIAS,
    KINDS,
    MAX_LENGTH,
    build_recurrent,
    decay_summary,
    gradient_norms,
    hidden_gradient_norms,
)
from helpers.ui.exercises import (
    CHOICE,
    NUMBER,
    WHOLE,
    Exercise,
    Feedback,
    Mistake,
    check,
    format_number,
)
from helpers.ui.explorer import SLIDER_LAYOUT, SLIDER_STYLE, Explorer, int_slider
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import FAMILY_COLOURS
from helpers.ui.svg import log_line_chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Words a student may use for "the gradient grows" or "it shrinks".
DIRECTION_WORDS = {
    **dict.fromkeys(("larger", "bigger", "greater", "grows", "explodes", "explode"), "larger"),
    **dict.fromkeys(("smaller", "shrinks", "vanishes", "vanish", "decays"), "smaller"),
}


def figure_parameter_growth(
    sides: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512, 1024),
) -> Figure:
    """How one layer's parameter count grows with the input size, per family (log-log)."""
    counts = [family_parameter_counts(side) for side in sides]
    fig = NotebookFigure(figsize=(8, 4.2))
    ax = fig.subplots()
    for name, marker in zip(("DNN", "CNN", "RNN", "LSTM"), "osv^"):
        ax.plot(sides, [c[name] for c in counts], marker=marker, label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("input side n (an n × n image; for RNN/LSTM: n rows of n values)")
    ax.set_ylabel("parameters of one layer (log scale)")
    ax.set_title("Parameter growth: 1,000 hidden units; CNN: 100 kernels of 3 × 3")
    ax.legend()
    ax.grid(True, which="major", alpha=0.3)
    return fig


def figure_family_summary() -> Figure:
    """The comparison of DNN / CNN / RNN / LSTM as a table figure."""
    columns = ["connectivity", "weight sharing", "memory", "typical data", "parameter scaling"]
    cells = [
        [f.connectivity, f.weight_sharing, f.memory, f.typical_data, f.parameter_scaling]
        for f in FAMILIES
    ]
    wrapped = [["\n".join(_wrap(text, 24)) for text in row] for row in cells]
    fig = NotebookFigure(figsize=(13, 4.6))
    ax = fig.subplots()
    ax.axis("off")
    table = ax.table(
        cellText=wrapped,
        rowLabels=[f.name for f in FAMILIES],
        colLabels=columns,
        loc="center",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, 4.2)
    colours = FAMILY_COLOURS
    for (row, _col), cell in table.get_celld().items():
        if row > 0:
            cell.set_facecolor(colours[FAMILIES[row - 1].name])
    ax.set_title("DNN, CNN, RNN and LSTM compared", fontsize=13)
    return fig


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current]


GROWTH_SIDES, GROWTH_UNITS = (256, 512), 1_000

LARGE_IMAGE_SIDE, CNN_KERNELS, CNN_KERNEL = 1_000, 100, 3

GRADIENT_LENGTH = 100

RNN_GRADIENT_SCALE = 2.0

LSTM_GRADIENT_SCALE, LSTM_GRADIENT_FORGET_BIAS = 1.0, 0.0

# Exercise 5: the unrolled loop without its tanh (a linear RNN).
LINEAR_CASE = {"length": 11, "weight_scale": 0.5}

# The gradient explorer's label width: "recurrent weight scale" in full.
EXPLORER_STYLE = {"description_width": "170px"}


def dense_growth_exercise() -> Exercise:
    small, large = (family_parameter_counts(n, hidden_units=GROWTH_UNITS) for n in GROWTH_SIDES)
    answer = large["DNN"] / small["DNN"]
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "How a dense layer grows",
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
        given=(*GROWTH_SIDES, GROWTH_UNITS),
    )


def cnn_params_large_image_exercise() -> Exercise:
    n, kernels, k = LARGE_IMAGE_SIDE, CNN_KERNELS, CNN_KERNEL
    answer = family_parameter_counts(n, kernels=kernels, kernel_size=k)["CNN"]
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "A convolution on a large image",
        WHOLE,
        answer,
        f"{kernels} · {k}·{k} + {kernels} = {format_number(answer)}, the same as on any image: the "
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
        given=(kernels, k, n),
    )


def _gradient_direction(kind: str, scale: float, forget_bias: float | None) -> str:

    bias = FORGET_BIAS if forget_bias is None else forget_bias
    norms = gradient_norms(kind, GRADIENT_LENGTH, scale, forget_bias=bias)
    return "larger" if norms[0] > norms[-1] else "smaller"


def rnn_gradient_exercise() -> Exercise:
    answer = _gradient_direction("rnn", RNN_GRADIENT_SCALE, None)
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "Exploding or vanishing",
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
        choices=DIRECTION_WORDS,
        given=(RNN_GRADIENT_SCALE, GRADIENT_LENGTH),
    )


def lstm_gradient_exercise() -> Exercise:
    answer = _gradient_direction("lstm", LSTM_GRADIENT_SCALE, LSTM_GRADIENT_FORGET_BIAS)
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "An LSTM with a half-shut forget gate",
        CHOICE,
        answer,
        f"{answer}: with bias 0 the forget gate is about 0.5, so the memory keeps only about half "
        "of itself at each step; the gradient along the memory shrinks with it and the other "
        "paths (through h) shrink too: it vanishes.",
        "what does a forget gate of about 0.5 do to the memory, step after step?",
        (
            Mistake(
                "larger" if answer == "smaller" else "smaller",
                "an LSTM only lets the gradient through while its forget gate is near 1; with "
                "bias 0 the gate is about 0.5.",
            ),
        ),
        choices=DIRECTION_WORDS,
        given=(LSTM_GRADIENT_FORGET_BIAS, LSTM_GRADIENT_SCALE, GRADIENT_LENGTH),
    )


def linear_rnn_ratio(length: int, weight_scale: float) -> float:
    """How many times smaller ‖∂(sum of h_T)/∂h_1‖ is than ‖∂(sum of h_T)/∂h_T‖ for the RNN
    of `hidden_gradient_norms` with its tanh removed: ‖1‖ / ‖(W_hhᵀ)^(T−1) 1‖."""
    layer = build_recurrent("rnn", weight_scale)
    recurrent = layer.weight_hh_l0.detach()
    ones = torch.ones(recurrent.shape[0], dtype=recurrent.dtype)
    first = torch.linalg.matrix_power(recurrent.T, length - 1) @ ones
    return float(ones.norm() / first.norm())


def linear_rnn_exercise() -> Exercise:
    length, scale = LINEAR_CASE["length"], LINEAR_CASE["weight_scale"]
    answer = linear_rnn_ratio(length, scale)
    norms = hidden_gradient_norms(length, scale)
    with_tanh = float(norms[-1] / norms[0])
    return Exercise(
        "08_cnn_vs_rnn.ipynb",
        "Take the tanh out of the loop",
        NUMBER,
        answer,
        f"{format_number(round(answer, 2))} = 2^{length - 1}: without tanh each step back "
        f"multiplies the gradient by W_hhᵀ, which shrinks every vector by exactly {scale:g} "
        f"(an orthogonal matrix times {scale:g}), {length - 1} times. With tanh it is "
        f"{with_tanh:,.0f}: tanh's slope (at most 1) shrinks it further.",
        "remove only torch.tanh( ... ), keep the sum inside; rebuild the RNN with the new scale, "
        "read the first inputs only, and divide the last gradient norm by the first.",
        (
            Mistake(
                with_tanh,
                "that is the loop with its tanh still in: replace torch.tanh(...) by the sum "
                "inside it.",
            ),
            Mistake(
                2.0**length,
                f"{length} hidden states are {length - 1} steps apart: the gradient is "
                f"multiplied {length - 1} times, not {length}.",
            ),
            Mistake(
                1 / answer,
                "that is first / last: the question asks how many times *smaller* the first "
                "is, last / first.",
            ),
        ),
        tolerance=0.01,
        given=(scale, length),
    )


def gradient_explorer(length: int = 50, weight_scale: float = 1.0) -> Explorer:
    """Sliders for sequence length and recurrent weight scale over the two gradient curves."""
    scale = widgets.FloatSlider(
        value=weight_scale,
        min=0.25,
        max=3.0,
        step=0.25,
        description="recurrent weight scale",
        style={**SLIDER_STYLE, **EXPLORER_STYLE},
        layout=SLIDER_LAYOUT,
        readout_format=".2f",
    )
    steps = int_slider(length, 2, MAX_LENGTH, "sequence length")
    steps.style.description_width = EXPLORER_STYLE["description_width"]
    return Explorer(gradient_view, {"length": steps, "weight_scale": scale})


def gradient_view(length: int, weight_scale: float) -> str:
    """The widget's view: both gradient curves on a log scale, with their first/last ratios."""
    lines = {kind: gradient_norms(kind, length, weight_scale) for kind in KINDS}
    names = {"rnn": "vanilla RNN (tanh)", "lstm": f"LSTM (forget bias {FORGET_BIAS:g})"}
    chart = log_line_chart(
        {names[k]: np.maximum(v, FLOOR).tolist() for k, v in lines.items()},
        title=f"Gradient of the output at step {length} w.r.t. each input",
        x_label="input step t",
        y_label="gradient norm (log scale)",
    )
    notes = "".join(
        f"<li><b>{escape(names[k])}</b>: {escape(decay_summary(v))}</li>" for k, v in lines.items()
    )
    return f"{chart}<ul>{notes}</ul>"


def figure_gradient_norms(length: int = 100, scales: tuple[float, ...] = (0.5, 1.0, 2.0)) -> Figure:
    """Measured gradient norms along time: vanilla RNN vs LSTM, one panel per weight scale."""
    fig = NotebookFigure(figsize=(12, 3.8))
    axes = fig.subplots(1, len(scales), sharey=True)
    steps = np.arange(1, length + 1)
    for ax, scale in zip(axes, scales):
        for kind, label in (("rnn", "vanilla RNN"), ("lstm", f"LSTM, forget bias {FORGET_BIAS:g}")):
            ax.plot(steps, np.maximum(gradient_norms(kind, length, scale), FLOOR), label=label)
        ax.plot(
            steps,
            np.maximum(gradient_norms("lstm", length, scale, forget_bias=0.0), FLOOR),
            label="LSTM, forget bias 0",
            linestyle="--",
        )
        ax.set_yscale("log")
        ax.set_title(f"recurrent weight scale {scale:g}")
        ax.set_xlabel("input step t")
    axes[0].set_ylabel(f"‖∂ output at step {length} / ∂ x_t‖")
    axes[0].legend(fontsize=8)
    fig.suptitle("Gradients along time, measured with autograd (log scale)")
    return fig


# --- Exercise checks (the notebook calls these) ---


def check_dense_growth(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "How a dense layer grows"."""
    return check(dense_growth_exercise, answer)


def check_cnn_params_large_image(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "A convolution on a large image"."""
    return check(cnn_params_large_image_exercise, answer)


def check_rnn_gradient(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "Exploding or vanishing"."""
    return check(rnn_gradient_exercise, answer)


def check_lstm_gradient(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "An LSTM with a half-shut forget gate"."""
    return check(lstm_gradient_exercise, answer)


def check_linear_rnn(answer: object = None) -> Feedback:
    """Feedback on notebook 08's exercise "Take the tanh out of the loop"."""
    return check(linear_rnn_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_dense_growth": dense_growth_exercise,
    "check_cnn_params_large_image": cnn_params_large_image_exercise,
    "check_rnn_gradient": rnn_gradient_exercise,
    "check_lstm_gradient": lstm_gradient_exercise,
    "check_linear_rnn": linear_rnn_exercise,
}
