"""DNN, CNN, RNN and LSTM side by side: what each adds, and how its parameters grow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from helpers.core.arithmetic import (
    check_int,
    conv2d_param_count,
    linear_param_count,
    rnn_param_count,
)
from helpers.core.lstm import lstm_param_count

if TYPE_CHECKING:
    pass


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
    hidden_units = check_int(hidden_units, "hidden_units")
    kernels = check_int(kernels, "kernels")
    kernel_size = check_int(kernel_size, "kernel_size")
    if kernel_size > side:
        raise ValueError(f"kernel_size={kernel_size} is larger than input_side={side}")
    row = side * channels
    return {
        "DNN": linear_param_count(side * side * channels, hidden_units),
        "CNN": conv2d_param_count(channels, kernels, kernel_size),
        "RNN": rnn_param_count(row, hidden_units),
        "LSTM": lstm_param_count(row, hidden_units),
    }


def growth_exponents(sides: tuple[int, ...] = (256, 512)) -> dict[str, float]:
    """Measured slope of log(parameters) vs log(input side) between two sizes, per family."""
    if isinstance(sides, (str, bytes)) or not isinstance(sides, Sequence) or len(sides) != 2:
        raise ValueError(f"sides must be two input sides (small, large), got {sides!r}")
    small, large = (check_int(side, f"sides[{i}]") for i, side in enumerate(sides))
    if small == large:
        raise ValueError(f"sides must be two different input sides, got {sides!r}")
    a, b = (family_parameter_counts(side) for side in (small, large))
    ratio = np.log(large / small)
    return {name: float(np.log(b[name] / a[name]) / ratio) for name in a}
