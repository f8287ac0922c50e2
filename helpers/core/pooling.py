"""Max and average pooling by hand (numpy loops), and where each maximum came from."""

from __future__ import annotations

import numpy as np

from helpers.core.arithmetic import as_pair, pool_output_size

POOL_MODES = ("max", "avg")


def _windows(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    ceil_mode: bool = False,
    padding: int | tuple[int, int] = 0,
    fill: float = 0.0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x as (C, H, W) padded with `fill`, and the top rows (H',) and left columns (W',) of the
    windows in the padded array."""
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"x must be an array of numbers, got {type(x).__name__}") from None
    if x.ndim not in (2, 3) or 0 in x.shape:
        raise ValueError(f"x must be a non-empty (H, W) or (C, H, W) array, got shape {x.shape}")
    kernel = as_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else as_pair(stride, "stride")
    pads = as_pair(padding, "padding", minimum=0)
    out_h, out_w = as_pair(
        pool_output_size(x.shape[-2:], kernel, strides, pads, dilation, ceil_mode), "output size"
    )
    channels = x.reshape(-1, *x.shape[-2:])
    if pads != (0, 0):
        rows, cols = ((p, p) for p in pads)
        channels = np.pad(channels, ((0, 0), rows, cols), constant_values=fill)
    return (
        channels,
        np.arange(out_h) * strides[0],
        np.arange(out_w) * strides[1],
    )


def pool2d_by_hand(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    mode: str = "max",
    ceil_mode: bool = False,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    """Max or average pooling of `x` ((H, W) or (C, H, W)) with explicit loops over the outputs.

    Equal to `F.max_pool2d` / `F.avg_pool2d` (with their default count_include_pad=True);
    `stride` defaults to `kernel_size`. `padding` (at most half the kernel, PyTorch's rule)
    adds -inf around `x` for max pooling, so padding never wins, and 0 for average pooling,
    whose padded cells count in the mean. With `ceil_mode` a last window may hang over the
    edge: only its cells inside the padded input are pooled (the average divides by those
    cells), as PyTorch does. `dilation` d (max pooling only: nn.AvgPool2d has none) makes a
    window read every d-th row and column. The result keeps `x`'s leading shape: (H', W') or
    (C, H', W').
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    dh, dw = as_pair(dilation, "dilation")
    if mode == "avg" and (dh, dw) != (1, 1):
        raise ValueError(
            f"dilation must be 1 for average pooling (nn.AvgPool2d has none), got {dilation!r}"
        )
    fill = -np.inf if mode == "max" else 0.0
    channels, tops, lefts = _windows(x, kernel_size, stride, ceil_mode, padding, fill, dilation)
    kh, kw = as_pair(kernel_size, "kernel_size")
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    reduce = np.max if mode == "max" else np.mean
    out = np.empty((channels.shape[0], tops.size, lefts.size))
    for c in range(channels.shape[0]):
        for i, top in enumerate(tops):
            for j, left in enumerate(lefts):
                window = channels[c, top : top + span_h : dh, left : left + span_w : dw]
                out[c, i, j] = reduce(window)
    return out.reshape(*np.shape(x)[:-2], tops.size, lefts.size)


def pool_argmax(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
) -> np.ndarray:
    """Where each max-pooling output came from: int array (..., H', W', 2) of (row, col) in x.

    Ties go to the first maximum in row-major order within the window, as in PyTorch.
    """
    channels, tops, lefts = _windows(x, kernel_size, stride)
    kh, kw = as_pair(kernel_size, "kernel_size")
    out = np.empty((channels.shape[0], tops.size, lefts.size, 2), dtype=np.int64)
    for c in range(channels.shape[0]):
        for i, top in enumerate(tops):
            for j, left in enumerate(lefts):
                window = channels[c, top : top + kh, left : left + kw]
                row, col = np.unravel_index(np.argmax(window), window.shape)
                out[c, i, j] = (top + row, left + col)
    return out.reshape(*np.shape(x)[:-2], tops.size, lefts.size, 2)
