"""Convolution by hand (numpy loops) and convolution written as one sparse, shared matrix."""

from __future__ import annotations

import numpy as np

from helpers.core.arithmetic import Padding, as_pair, conv_output_size, conv_padding_amounts


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
    rows = (np.arange(out_h) * sh)[:, None] + (np.arange(kh) * dh)[None, :]  # (H', kh)
    cols = (np.arange(out_w) * sw)[:, None] + (np.arange(kw) * dw)[None, :]  # (W', kw)
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
    x = np.asarray(x, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"x must be a non-empty (C, H, W) array, got shape {x.shape}")
    if weight.ndim != 4 or 0 in weight.shape:
        raise ValueError(
            f"weight must be a non-empty (O, C, kh, kw) array, got shape {weight.shape}"
        )
    if weight.shape[1] != x.shape[0]:
        raise ValueError(
            f"weight has {weight.shape[1]} input channels but x has {x.shape[0]} channels"
        )
    out_channels, _, kh, kw = weight.shape
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float64)
        if bias.shape != (out_channels,):
            raise ValueError(f"bias must have shape ({out_channels},), got {bias.shape}")
    size = (x.shape[1], x.shape[2])
    windows = conv_windows(size, (kh, kw), stride, padding, dilation)
    (top, bottom), (left, right) = conv_padding_amounts((kh, kw), stride, padding, dilation)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    out_h, out_w = windows.shape[:2]
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
    windows = conv_windows((height, width), (kh, kw), stride, padding, dilation)
    (top, _), (left, _) = conv_padding_amounts((kh, kw), stride, padding, dilation)
    out_h, out_w = windows.shape[:2]
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
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2 or 0 in kernel.shape:
        raise ValueError(f"kernel must be a non-empty 2-D (kh, kw) array, got shape {kernel.shape}")
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
    (top, _), (left, _) = conv_padding_amounts((kh, kw), stride, padding, dilation)
    (sh, sw), (dh, dw) = as_pair(stride, "stride"), as_pair(dilation, "dilation")
    rows = (np.arange(out_h) * sh)[:, None] + (np.arange(kh) * dh)[None, :] - top
    cols = (np.arange(out_w) * sw)[:, None] + (np.arange(kw) * dw)[None, :] - left
    inside_rows = int(np.count_nonzero((rows >= 0) & (rows < height)))
    inside_cols = int(np.count_nonzero((cols >= 0) & (cols < width)))
    return out_h * out_w, height * width, inside_rows * inside_cols
