"""DNN, CNN, RNN and LSTM side by side: what each adds, and how its parameters grow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from helpers.arithmetic import (
    check_int,
    conv2d_param_count,
    linear_param_count,
    rnn_param_count,
)
from helpers.figure_cache import cached_figure
from helpers.lstm import lstm_param_count

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Family:
    """One family of networks, described along the same columns."""

    name: str
    connectivity: str
    weight_sharing: str
    memory: str
    typical_data: str
    parameter_scaling: str
    adds: str


FAMILIES: tuple[Family, ...] = (
    Family(
        "DNN",
        "every unit to every unit of the layer below",
        "none",
        "none: each input is handled alone",
        "fixed-size vectors (tabular data, features)",
        "inputs × units: grows with the input size",
        "stacked nonlinear layers (ReLU instead of sigmoid against vanishing gradients)",
    ),
    Family(
        "CNN",
        "local: each unit sees a small window",
        "one kernel slid over every position",
        "none",
        "images, spectrograms: grids with local patterns",
        "kernels × channels × k²: independent of the image size",
        "local connections and shared weights (+ pooling)",
    ),
    Family(
        "RNN",
        "input and previous hidden state to the hidden state",
        "the same weights at every time step",
        "the hidden state, carried from step to step",
        "sequences: text, speech, time series",
        "units × (inputs + units): independent of the sequence length",
        "memory along time",
    ),
    Family(
        "LSTM",
        "as the RNN, four times (three gates and the cell input)",
        "the same weights at every time step",
        "a cell state, written, kept and read through gates",
        "long sequences where distant steps matter",
        "4 × the RNN's: independent of the sequence length",
        "gates: learned control of what is stored, forgotten and output",
    ),
)


def family_parameter_counts(
    input_side: int,
    channels: int = 1,
    hidden_units: int = 1_000,
    kernels: int = 100,
    kernel_size: int = 3,
) -> dict[str, int]:
    """Parameters of one layer of each family for an input_side × input_side input.

    DNN: a dense layer from every pixel to `hidden_units`. CNN: `kernels` kernels of
    kernel_size². RNN and LSTM read the image as a sequence of `input_side` rows (each row a
    vector of input_side × channels values) into `hidden_units` units.
    """
    side = check_int(input_side, "input_side")
    channels = check_int(channels, "channels")
    if kernel_size > side:
        raise ValueError(f"kernel_size={kernel_size} is larger than input_side={side}")
    row = side * channels
    return {
        "DNN": linear_param_count(side * side * channels, hidden_units),
        "CNN": conv2d_param_count(channels, kernels, kernel_size),
        "RNN": rnn_param_count(row, hidden_units),
        "LSTM": lstm_param_count(row, hidden_units),
    }


@cached_figure
def figure_parameter_growth(
    sides: tuple[int, ...] = (8, 16, 32, 64, 128, 256, 512, 1024),
) -> Figure:
    """How one layer's parameter count grows with the input size, per family (log-log)."""
    from helpers.notebook_figure import NotebookFigure

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


@cached_figure
def figure_family_summary() -> Figure:
    """The comparison of DNN / CNN / RNN / LSTM as a table figure."""
    from helpers.notebook_figure import NotebookFigure

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
    colours = {"DNN": "#e8eef6", "CNN": "#fdeede", "RNN": "#e6f2e4", "LSTM": "#fbe3e4"}
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


def growth_exponents(sides: tuple[int, ...] = (256, 512)) -> dict[str, float]:
    """Measured slope of log(parameters) vs log(input side) between two sizes, per family."""
    a, b = (family_parameter_counts(side) for side in sides)
    ratio = np.log(sides[1] / sides[0])
    return {name: float(np.log(b[name] / a[name]) / ratio) for name in a}
