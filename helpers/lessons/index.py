"""Notebook 00 (the index): the slider demo that shows how the series' widgets work."""

from __future__ import annotations

from helpers.core.arithmetic import conv2d_param_count
from helpers.ui.explorer import Explorer, int_slider


def kernel_size_view(kernel_size: int) -> str:
    """The index's demo: parameters of one 3-channel square kernel, with the sum spelled out."""
    count = conv2d_param_count(3, 1, kernel_size)
    return (
        f"<p>One kernel of {kernel_size}×{kernel_size}×3 has "
        f"{kernel_size}·{kernel_size}·3 weights + 1 bias = <b>{count:,}</b> parameters.</p>"
    )


def kernel_size_explorer(kernel_size: int = 3) -> Explorer:
    """The index's slider demo."""
    return Explorer(
        kernel_size_view, {"kernel_size": int_slider(kernel_size, 1, 11, "kernel side")}
    )
