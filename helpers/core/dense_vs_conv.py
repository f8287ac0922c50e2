"""Why CNN: the article's parameter counts, checked, and the parameter calculator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from helpers.core.arithmetic import (
    check_int,
    conv2d_param_count,
    conv_output_size,
    linear_param_count,
)

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class ParamClaim:
    """A parameter count the article states, with the layer that realises it."""

    name: str
    setting: str
    article_value: int
    kind: str  # "linear" or "conv2d"
    args: tuple[int, ...]

    def layer_text(self) -> str:
        """The PyTorch layer as code, e.g. 'nn.Linear(30000, 1000)'."""
        name = "nn.Linear" if self.kind == "linear" else "nn.Conv2d"
        return f"{name}({', '.join(str(a) for a in self.args)})"

    def weights(self) -> int:
        """Weights only (no biases), computed by formula."""
        return self.parameters(bias=False)

    def parameters(self, bias: bool = True) -> int:
        """All parameters (weights and, by default, biases), computed by formula."""
        if self.kind == "linear":
            return linear_param_count(*self.args, bias=bias)
        return conv2d_param_count(*self.args, bias=bias)

    def pytorch_count(self) -> int:
        """Parameters of the real PyTorch layer, built on the meta device (nothing allocated)."""
        layer_class = nn.Linear if self.kind == "linear" else nn.Conv2d
        layer = layer_class(*self.args, device=torch.device("meta"))
        return sum(p.numel() for p in layer.parameters())


ARTICLE_CLAIMS: tuple[ParamClaim, ...] = (
    ParamClaim(
        "fully connected, 30,000 inputs",
        "a 30,000-dimensional input and 1,000 hidden units",
        30_000 * 1_000,
        "linear",
        (30_000, 1_000),
    ),
    ParamClaim(
        "fully connected, 1K×1K image",
        "a 1,000 × 1,000 image (10^6 pixels) and 10^6 hidden units",
        10**12,
        "linear",
        (1_000_000, 1_000_000),
    ),
    ParamClaim(
        "convolution, ARGB image",
        "an ARGB image (4 channels) and 100 kernels of 100 × 100",
        100 * 100 * 100,
        "conv2d",
        (4, 100, 100),
    ),
)


@dataclass(frozen=True)
class CalculatorResult:
    """Parameter counts of a fully connected layer and a convolution on the same image."""

    inputs: int
    fully_connected: int
    convolution: int
    feature_map_side: int
    conv_outputs: int
    fully_connected_same_outputs: int


def calculator_counts(
    image_size: int, channels: int, hidden_units: int, kernel_size: int, n_kernels: int
) -> CalculatorResult:
    """Counts for a square image: a dense layer, a convolution, and a dense layer as wide as it."""
    image_size = check_int(image_size, "image_size")
    channels = check_int(channels, "channels")
    hidden_units = check_int(hidden_units, "hidden_units")
    kernel_size = check_int(kernel_size, "kernel_size")
    n_kernels = check_int(n_kernels, "n_kernels")
    inputs = image_size * image_size * channels
    side = conv_output_size(image_size, kernel_size)
    conv_outputs = n_kernels * side * side
    return CalculatorResult(
        inputs=inputs,
        fully_connected=linear_param_count(inputs, hidden_units),
        convolution=conv2d_param_count(channels, n_kernels, kernel_size),
        feature_map_side=side,
        conv_outputs=conv_outputs,
        fully_connected_same_outputs=linear_param_count(inputs, conv_outputs),
    )
