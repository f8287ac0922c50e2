"""Why CNN: the article's parameter counts, checked, and the parameter calculator."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from helpers.arithmetic import check_int, conv2d_param_count, conv_output_size, linear_param_count
from helpers.figure_cache import cached_figure
from helpers.svg import format_count, log_bar_chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
    inputs = image_size * image_size * channels
    side = conv_output_size(image_size, kernel_size)
    conv_outputs = check_int(n_kernels, "n_kernels") * side * side
    return CalculatorResult(
        inputs=inputs,
        fully_connected=linear_param_count(inputs, hidden_units),
        convolution=conv2d_param_count(channels, n_kernels, kernel_size),
        feature_map_side=side,
        conv_outputs=conv_outputs,
        fully_connected_same_outputs=linear_param_count(inputs, conv_outputs),
    )


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


@cached_figure
def figure_article_claims() -> Figure:
    """The article's three parameter counts next to the correct ones, on a log axis."""
    from helpers.notebook_figure import NotebookFigure

    fig = NotebookFigure(figsize=(9, 3.8))
    ax = fig.subplots()
    names = [claim.name for claim in ARTICLE_CLAIMS]
    positions = np.arange(len(names))
    said = [claim.article_value for claim in ARTICLE_CLAIMS]
    right = [claim.parameters() for claim in ARTICLE_CLAIMS]
    ax.barh(positions + 0.2, said, height=0.4, label="the article says", color="#f28e2b")
    ax.barh(positions - 0.2, right, height=0.4, label="PyTorch counts", color="#4e79a7")
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
