"""Convolution by hand (numpy loops), convolution written as one sparse, shared matrix, and one
convolution kernel learned by gradient descent (notebook 03)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.core.arithmetic import (
    Padding,
    as_pair,
    check_array,
    conv_output_size,
    conv_padding_amounts,
)


def _read_only(rows: list[list[float]]) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


# The 6x6 image and the two 3x3 filters of Hung-yi Lee's CNN lecture (ML course, NTU).
# Read-only so a notebook cannot change them by accident: copy with `torch.tensor(...)` or
# `.copy()` (torch.from_numpy would warn about the read-only buffer).
LECTURE_IMAGE = _read_only(
    [
        [1, 0, 0, 0, 0, 1],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 1, 0, 0],
        [1, 0, 0, 0, 1, 0],
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 0],
    ]
)

# Shape (2, 3, 3): filter 1 looks for a diagonal, filter 2 for a vertical line.
# As an nn.Conv2d weight (out, in, kh, kw) use LECTURE_FILTERS[:, None].
LECTURE_FILTERS = _read_only(
    [
        [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
        [[-1, 1, -1], [-1, 1, -1], [-1, 1, -1]],
    ]
)

# The article's worked example (the layout of the CS231n convolution demo): a 5x5x3 input,
# padding 1 (-> 7x7x3), two 3x3x3 kernels with biases, stride 2 -> a 3x3x2 output. The
# article's picture has no readable numbers, so these small integers were drawn once with
# numpy.random.default_rng(3) (pixels 0..2, weights -1..1) and written out here.
WORKED_INPUT = _read_only(  # (C, H, W) = (3, 5, 5)
    [
        [[2, 0, 0, 0, 0], [2, 2, 1, 0, 0], [0, 1, 1, 1, 0], [0, 2, 2, 0, 0], [1, 1, 2, 1, 1]],
        [[1, 1, 1, 0, 2], [2, 2, 2, 0, 0], [1, 1, 2, 2, 0], [2, 0, 0, 2, 2], [0, 0, 0, 0, 2]],
        [[1, 1, 0, 1, 0], [2, 1, 0, 0, 2], [1, 1, 0, 0, 1], [1, 1, 2, 2, 0], [1, 1, 0, 0, 1]],
    ]
)

WORKED_WEIGHTS = _read_only(  # (O, C, kh, kw) = (2, 3, 3, 3)
    [
        [
            [[1, -1, 1], [0, -1, 0], [1, 1, 0]],
            [[-1, 1, -1], [1, 1, 0], [1, 1, -1]],
            [[1, 0, -1], [0, 1, 0], [0, 1, 0]],
        ],
        [
            [[0, -1, -1], [1, 1, -1], [0, 1, -1]],
            [[-1, 0, 0], [0, 0, -1], [0, 1, -1]],
            [[1, -1, -1], [1, -1, 1], [-1, 0, 1]],
        ],
    ]
)

WORKED_BIAS = _read_only([1, 0])  # one bias per kernel

WORKED_PADDING = 1

WORKED_STRIDE = 2

# The most numbers one array built here may hold (40 MB of float64). Larger sizes raise a
# ValueError naming them before any work, instead of filling a laptop's memory.
MAX_ENTRIES = 5_000_000

# conv2d_by_hand loops in Python, about 15 µs per output value: 20,000 outputs take about a
# third of a second. Larger convolutions are F.conv2d's job.
MAX_BY_HAND_OUTPUTS = 20_000


def _settings(**arguments: object) -> str:
    """The arguments as 'name=value, ...', for an error message that names them."""
    return ", ".join(f"{name}={value!r}" for name, value in arguments.items())


def _check_entries(count: int, what: str, settings: str) -> None:
    """Raise ValueError naming `settings` if an array of `count` numbers would be too large."""
    if count > MAX_ENTRIES:
        raise ValueError(
            f"{settings} give {what} of {count:,} numbers; at most {MAX_ENTRIES:,} are built "
            "here (40 MB): use smaller sizes (conv_output_size gives the size alone)"
        )


# Positions in the padded input are int64: a padded side must stay below this.
MAX_PADDED_SIDE = 2**62


def _tap_positions(count: int, kernel: int, stride: int, dilation: int) -> np.ndarray:
    """(count, kernel) positions in the padded input that each output reads along one axis."""
    # A single output never steps and a single tap has no spacing: a huge stride or dilation
    # that does not apply must not overflow the int64 positions.
    stride = stride if count > 1 else 1
    dilation = dilation if kernel > 1 else 1
    return (np.arange(count) * stride)[:, None] + (np.arange(kernel) * dilation)[None, :]


def _check_padded(
    size: tuple[int, int], pads: tuple[tuple[int, int], tuple[int, int]], settings: str
) -> None:
    """Raise ValueError naming `settings` if a padded side does not fit int64 positions."""
    for axis, name in enumerate(("height", "width")):
        padded = size[axis] + sum(pads[axis])
        if padded >= MAX_PADDED_SIDE:
            raise ValueError(
                f"{settings} give a padded {name} of {padded:,} cells; positions must stay "
                f"below 2**62 = {MAX_PADDED_SIDE:,}"
            )


def conv_windows(
    input_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Where each output of a convolution reads: int array (H', W', kh, kw, 2) of (row, col).

    Entry [i, j, a, b] is the position in the *padded* input multiplied by kernel tap (a, b)
    to make output (i, j). Subtract the top/left padding (`conv_padding_amounts`) for
    positions in the original input; those outside it are padding zeros.
    """
    kh, kw = as_pair(kernel_size, "kernel_size")
    sh, sw = as_pair(stride, "stride")
    dh, dw = as_pair(dilation, "dilation")
    out_h, out_w = as_pair(
        conv_output_size(as_pair(input_size, "input_size"), (kh, kw), stride, padding, dilation),
        "output size",
    )
    settings = _settings(
        input_size=input_size, kernel_size=kernel_size, padding=padding, dilation=dilation
    )
    _check_entries(out_h * out_w * kh * kw * 2, "a windows array", settings)
    pads = conv_padding_amounts((kh, kw), stride, padding, dilation)
    _check_padded(as_pair(input_size, "input_size"), pads, settings)
    rows = _tap_positions(out_h, kh, sh, dh)  # (H', kh)
    cols = _tap_positions(out_w, kw, sw, dw)  # (W', kw)
    windows = np.empty((out_h, out_w, kh, kw, 2), dtype=np.int64)
    windows[..., 0] = rows[:, None, :, None]
    windows[..., 1] = cols[None, :, None, :]
    return windows


def conv2d_by_hand(
    x: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Convolution (cross-correlation, as in PyTorch) with explicit loops over the outputs.

    `x` is (C, H, W), `weight` (O, C, kh, kw), `bias` (O,) or None; returns (O, H', W') equal
    to `F.conv2d` on the batched tensors. Each output is one window of the zero-padded input
    times the kernel, summed, plus the bias.
    """
    # nan and inf pass, as through F.conv2d.
    x = check_array(x, "x", (3,), "(C, H, W)", finite=False).astype(np.float64)
    weight = check_array(weight, "weight", (4,), "(O, C, kh, kw)", finite=False)
    weight = weight.astype(np.float64)
    if weight.shape[1] != x.shape[0]:
        raise ValueError(
            f"weight has {weight.shape[1]} input channels but x has {x.shape[0]} channels"
        )
    out_channels, _, kh, kw = weight.shape
    if bias is not None:
        bias = check_array(bias, "bias", (1,), "(O,)", finite=False).astype(np.float64)
        if bias.shape != (out_channels,):
            raise ValueError(f"bias must have shape ({out_channels},), got {bias.shape}")
    size = (x.shape[1], x.shape[2])
    out_h, out_w = as_pair(conv_output_size(size, (kh, kw), stride, padding, dilation), "size")
    (top, bottom), (left, right) = conv_padding_amounts((kh, kw), stride, padding, dilation)
    settings = _settings(x_shape=x.shape, weight_shape=weight.shape, padding=padding)
    if out_channels * out_h * out_w > MAX_BY_HAND_OUTPUTS:
        raise ValueError(
            f"{settings} give {out_channels * out_h * out_w:,} outputs; conv2d_by_hand loops "
            f"over at most {MAX_BY_HAND_OUTPUTS:,} (use F.conv2d for larger convolutions)"
        )
    _check_entries(
        x.shape[0] * (size[0] + top + bottom) * (size[1] + left + right), "a padded input", settings
    )
    windows = conv_windows(size, (kh, kw), stride, padding, dilation)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    out = np.zeros((out_channels, out_h, out_w))
    for o in range(out_channels):
        for i in range(out_h):
            for j in range(out_w):
                rows, cols = windows[i, j, ..., 0], windows[i, j, ..., 1]
                patch = padded[:, rows, cols]  # (C, kh, kw)
                out[o, i, j] = np.sum(patch * weight[o])
                if bias is not None:
                    out[o, i, j] += bias[o]
    return out


def conv_weight_indices(
    kernel_size: int | tuple[int, int],
    input_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Which kernel weight sits in each entry of `conv_as_matrix`: (H'W', HW) ints, -1 for 0.

    Weight (a, b) of a kh x kw kernel has index `a*kw + b`. Every row holds the same indices,
    shifted: that is weight sharing.
    """
    kh, kw = as_pair(kernel_size, "kernel_size")
    height, width = as_pair(input_size, "input_size")
    out_h, out_w = as_pair(
        conv_output_size((height, width), (kh, kw), stride, padding, dilation), "output size"
    )
    settings = _settings(input_size=input_size, kernel_size=kernel_size, stride=stride)
    _check_entries(out_h * out_w * height * width, "a matrix", settings)
    windows = conv_windows((height, width), (kh, kw), stride, padding, dilation)
    (top, _), (left, _) = conv_padding_amounts((kh, kw), stride, padding, dilation)
    rows = windows[..., 0] - top  # (H', W', kh, kw) in the unpadded input
    cols = windows[..., 1] - left
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    output_index = np.broadcast_to(np.arange(out_h * out_w).reshape(out_h, out_w, 1, 1), rows.shape)
    tap_index = np.broadcast_to(np.arange(kh * kw).reshape(1, 1, kh, kw), rows.shape)
    indices = np.full((out_h * out_w, height * width), -1, dtype=np.int64)
    # Taps on padding have no input column: the padded zero contributes nothing.
    indices[output_index[inside], (rows * width + cols)[inside]] = tap_index[inside]
    return indices


def conv_as_matrix(
    kernel: np.ndarray,
    input_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """The (H'W', HW) matrix M of a single-channel convolution: `M @ x.ravel()` = output raveled.

    Row r holds the kernel weights at the columns of the pixels output r reads, zeros
    elsewhere: a fully connected layer with most weights removed and the rest shared.
    """
    kernel = check_array(kernel, "kernel", (2,), "2-D (kh, kw)", finite=False).astype(np.float64)
    indices = conv_weight_indices(kernel.shape, input_size, stride, padding, dilation)
    return np.where(indices >= 0, kernel.ravel()[indices], 0.0)


def conv_matrix_counts(
    kernel_size: int | tuple[int, int],
    input_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int, int]:
    """(rows, columns, non-zero entries) of `conv_as_matrix`, without building the matrix.

    Works for image sizes whose matrix would not fit in memory (224x224 gives ~2.5e9 entries).
    A tap is non-zero where it lands inside the input; rows and columns are independent.
    """
    kh, kw = as_pair(kernel_size, "kernel_size")
    height, width = as_pair(input_size, "input_size")
    out_h, out_w = as_pair(
        conv_output_size((height, width), (kh, kw), stride, padding, dilation), "output size"
    )
    pads = conv_padding_amounts((kh, kw), stride, padding, dilation)
    (top, _), (left, _) = pads
    (sh, sw), (dh, dw) = as_pair(stride, "stride"), as_pair(dilation, "dilation")
    settings = _settings(input_size=input_size, kernel_size=kernel_size, padding=padding)
    _check_entries(out_h * kh + out_w * kw, "tap positions", settings)
    _check_padded((height, width), pads, settings)
    rows = _tap_positions(out_h, kh, sh, dh) - top
    cols = _tap_positions(out_w, kw, sw, dw) - left
    inside_rows = int(np.count_nonzero((rows >= 0) & (rows < height)))
    inside_cols = int(np.count_nonzero((cols >= 0) & (cols < width)))
    return out_h * out_w, height * width, inside_rows * inside_cols


# Notebook 03's learning example: Sobel's vertical-edge filter, the kernel gradient descent must
# recover from examples of what it outputs.
EDGE_TARGET = _read_only([[1, 0, -1], [2, 0, -2], [1, 0, -1]])

# Training data and settings of that example: random 6x6 images (standard normal, seeded), the
# kernel started at zero, plain SGD. Small enough to run in a few milliseconds.
FIT_IMAGES, FIT_SIDE, FIT_SEED = 8, 6, 0
FIT_STEPS, FIT_LEARNING_RATE = 100, 0.05
MAX_FIT_STEPS = 10_000


@dataclass(frozen=True)
class FilterFit:
    """Gradient descent on one 3x3 kernel: the loss before each step and the kernel after it."""

    target: np.ndarray  # (3, 3) the kernel that made the wanted outputs
    losses: np.ndarray  # (steps,) mean squared error before step t
    kernels: np.ndarray  # (steps + 1, 3, 3) the kernel before step 0, after step 0, ...


def fit_images(count: int = FIT_IMAGES, side: int = FIT_SIDE, seed: int = FIT_SEED) -> torch.Tensor:
    """The training images of the learning example: (count, 1, side, side), standard normal."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(count, 1, side, side, generator=generator)


def fit_filter(
    steps: int = FIT_STEPS,
    learning_rate: float = FIT_LEARNING_RATE,
    target: np.ndarray = EDGE_TARGET,
) -> FilterFit:
    """Fit a zero-started 3x3 conv kernel to `target`'s outputs on `fit_images()` by gradient
    descent (w ← w − learning_rate · gradient, the step torch.optim.SGD makes)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_FIT_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_FIT_STEPS}, got {steps!r}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)):
        raise TypeError(f"learning_rate must be a number, got {type(learning_rate).__name__}")
    if not 0 < learning_rate <= 10:
        raise ValueError(f"learning_rate must be above 0 and at most 10, got {learning_rate}")
    target = check_array(target, "target", (2,), "3x3 kernel").astype(np.float64)
    if target.shape != (3, 3):
        raise ValueError(f"target must be a 3x3 kernel, got shape {target.shape}")
    images = fit_images()
    wanted = F.conv2d(images, torch.tensor(target, dtype=torch.float32)[None, None])
    conv = nn.Conv2d(1, 1, 3, bias=False)
    nn.init.zeros_(conv.weight)
    losses, kernels = [], [conv.weight[0, 0].detach().numpy().copy()]
    # The step written out, as notebook 03 teaches it: what torch.optim.SGD's step() does
    # (tests/test_conv_mechanism.py checks they agree), without importing torch.optim's
    # compiler machinery (about 2 s) for 9 weights.
    for _ in range(steps):
        loss = F.mse_loss(conv(images), wanted)
        conv.zero_grad()
        loss.backward()
        with torch.no_grad():
            conv.weight -= learning_rate * conv.weight.grad
        losses.append(loss.item())
        kernels.append(conv.weight[0, 0].detach().numpy().copy())
    return FilterFit(target, np.array(losses), np.array(kernels))
