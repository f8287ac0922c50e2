"""Arithmetic of layers: parameter counts, output sizes, receptive fields."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Set
from numbers import Integral, Real
from typing import Any, NamedTuple

import numpy as np

Pair = tuple[int, int]


def check_int(value: object, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """Return `value` as an int, or raise naming `name` if it is not an int in
    [`minimum`, `maximum`] (no upper limit when `maximum` is None)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be an int from {minimum} to {maximum}, got {value}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(value: object, name: str, finite: bool = True) -> float:
    """Return `value` as a float, or raise naming `name` if it is not a real number (a bool is
    not one; numpy scalars are) or, with `finite`, if it is nan or infinite."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if finite and not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number}")
    return number


def check_reals(
    values: object, name: str, minimum_size: int = 0, what: str = "numbers"
) -> np.ndarray:
    """`values` as float64 if a 1-D list, tuple, array or tensor of finite numbers; else raise."""
    # Checked item by item: np.asarray(..., dtype=float) would read True as 1.0 and "2" as 2.0.
    torch = sys.modules.get("torch")  # a tensor exists only once torch is imported
    if torch is not None and isinstance(values, torch.Tensor):
        if values.dtype == torch.bool or values.is_complex():
            raise TypeError(f"{name} must hold {what}, got a tensor of {values.dtype}")
        values = values.detach().cpu().double().numpy()
    if isinstance(values, np.ndarray) and values.dtype == object:
        values = values.tolist()  # its items are checked one by one below
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold {what}, got an array of {values.dtype}")
        array = values.astype(np.float64, copy=False)
    elif isinstance(values, (str, bytes, Mapping, Set)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a sequence of {what}, got {type(values).__name__} {values!r:.60}"
        )
    else:
        items = list(values)
        for index, item in enumerate(items):
            if torch is not None and isinstance(item, torch.Tensor):
                if item.dtype == torch.bool or item.is_complex():
                    raise TypeError(f"{name} must hold {what}, got a tensor of {item.dtype}")
                items[index] = item.detach().cpu().double().numpy()
            elif isinstance(item, (bool, np.bool_)) or not isinstance(
                item, (Real, list, tuple, np.ndarray)
            ):
                raise TypeError(
                    f"{name} must hold {what}, got {type(item).__name__} {item!r:.40} "
                    f"at index {index}"
                )
        try:
            array = np.asarray(items, dtype=np.float64)
        except (TypeError, ValueError):  # only nested items can fail here
            raise ValueError(
                f"{name} must be a one-dimensional sequence of {what}, got nested sequences"
            ) from None
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a one-dimensional sequence of {what}, got shape {array.shape}"
        )
    if array.size < minimum_size:
        raise ValueError(f"{name} must hold at least {minimum_size} {what}, got {array.size}")
    finite = np.isfinite(array)
    if not finite.all():
        index = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"{name} must hold finite {what}, got {array[index]} at index {index}")
    return array


def check_array(
    value: object,
    name: str,
    ndims: tuple[int, ...],
    shape: str,
    kinds: str = "iuf",
    finite: bool = True,
) -> np.ndarray:
    """`value` (an array, nested lists or a tensor) as a numpy array with `ndims` dimensions,
    none of them empty; else a TypeError or ValueError naming `name`.

    `shape` says in the message which shape it must have, e.g. "(C, H, W)"; `kinds` are the
    numpy dtype kinds allowed ("b" bool, "i"/"u" integers, "f" floats); `finite=True` refuses
    nan and inf. The array keeps its dtype: convert it where a function needs floats.
    """
    torch = sys.modules.get("torch")  # a tensor exists only once torch is imported
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu()  # np.asarray refuses a tensor that requires grad
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, RuntimeError):  # ragged nested lists, odd tensor dtypes
        raise TypeError(
            f"{name} must be an array of numbers, got {type(value).__name__} {value!r:.60}"
        ) from None
    if array.dtype.kind not in kinds:
        raise TypeError(f"{name} must be an array of numbers, got dtype {array.dtype}")
    if array.ndim not in ndims or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty {shape} array, got shape {array.shape}")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite numbers, got nan or inf")
    return array


def check_bool(value: object, name: str) -> bool:
    """Return `value` if it is a bool (True or False), or raise TypeError naming `name`.

    A string such as "False" is truthy: accepting it would silently mean True.
    """
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def as_pair(value: int | tuple[int, int], name: str, minimum: int = 1) -> Pair:
    """An (h, w) pair from an int or a 2-tuple; each entry must be an int >= `minimum`."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")
        return (
            check_int(value[0], f"{name}[0]", minimum),
            check_int(value[1], f"{name}[1]", minimum),
        )
    number = check_int(value, name, minimum)
    return (number, number)


def linear_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of parameters of `nn.Linear(in_features, out_features, bias)`."""
    in_features = check_int(in_features, "in_features")
    out_features = check_int(out_features, "out_features")
    bias = check_bool(bias, "bias")
    return in_features * out_features + (out_features if bias else 0)


def conv2d_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Number of parameters of `nn.Conv2d(in_channels, out_channels, kernel_size, groups=, bias=)`.

    Each output channel has one kernel of depth `in_channels / groups` (it sees only its
    group's input channels), plus one bias.
    """
    in_channels = check_int(in_channels, "in_channels")
    out_channels = check_int(out_channels, "out_channels")
    kh, kw = as_pair(kernel_size, "kernel_size")
    groups = check_int(groups, "groups")
    bias = check_bool(bias, "bias")
    if in_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={in_channels}")
    if out_channels % groups:
        raise ValueError(f"groups={groups} must divide out_channels={out_channels}")
    weights = out_channels * (in_channels // groups) * kh * kw
    return weights + (out_channels if bias else 0)


Padding = int | tuple[int, int] | str

_AXES = ("height", "width")


def _is_pair(value: object) -> bool:
    return isinstance(value, (tuple, list))


def _shape_out(pair: Pair, *inputs: object) -> int | Pair:
    """The int `pair[0]` when every input was a single value (or a string), else the pair."""
    return pair if any(_is_pair(value) for value in inputs) else pair[0]


def _spans(kernel: Pair, dilations: Pair) -> Pair:
    """Per-axis span of a dilated kernel."""
    return (
        kernel[0] + (kernel[0] - 1) * (dilations[0] - 1),
        kernel[1] + (kernel[1] - 1) * (dilations[1] - 1),
    )


def effective_kernel_size(
    kernel_size: int | tuple[int, int], dilation: int | tuple[int, int]
) -> int | Pair:
    """Span of a dilated kernel, `k + (k - 1)(d - 1)`: input cells from its first to last tap."""
    spans = _spans(as_pair(kernel_size, "kernel_size"), as_pair(dilation, "dilation"))
    return _shape_out(spans, kernel_size, dilation)


def conv_padding_amounts(
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[Pair, Pair]:
    """Zeros that `nn.Conv2d(..., padding=padding)` adds: ((top, bottom), (left, right)).

    An int pads both sides equally; 'valid' means 0; 'same' pads `dilation*(k-1)` in total,
    the odd cell on the bottom/right as PyTorch does, and needs stride 1.
    """
    kernel = as_pair(kernel_size, "kernel_size")
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding != "same":
            raise ValueError(
                f"padding must be an int, an (h, w) pair, 'same' or 'valid'; got {padding!r}"
            )
        if strides != (1, 1):
            raise ValueError(
                "padding='same' needs stride 1 (PyTorch rejects it for strided convolutions), "
                f"got stride={stride!r}"
            )
        total_h, total_w = (d * (k - 1) for k, d in zip(kernel, dilations, strict=True))
        return ((total_h // 2, total_h - total_h // 2), (total_w // 2, total_w - total_w // 2))
    pad_h, pad_w = as_pair(padding, "padding", minimum=0)
    return ((pad_h, pad_h), (pad_w, pad_w))


def conv_output_size(
    size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    dilation: int | tuple[int, int] = 1,
) -> int | Pair:
    """Spatial output size of `nn.Conv2d` on a `size` input; ValueError wherever PyTorch fails.

    Returns an int when every argument is a single int (or padding a string), else (h, w).
    """
    sizes = as_pair(size, "size")
    kernel = as_pair(kernel_size, "kernel_size")
    strides = as_pair(stride, "stride")
    dilations = as_pair(dilation, "dilation")
    pads = conv_padding_amounts(kernel, strides, padding, dilations)
    spans = _spans(kernel, dilations)
    out = []
    for axis in range(2):
        padded = sizes[axis] + sum(pads[axis])
        if spans[axis] > padded:
            raise ValueError(
                f"kernel_size {kernel[axis]} (span {spans[axis]} with dilation "
                f"{dilations[axis]}) is larger than the padded input {sizes[axis]} + "
                f"{pads[axis][0]} + {pads[axis][1]} = {padded} along the {_AXES[axis]}"
            )
        out.append((padded - spans[axis]) // strides[axis] + 1)
    return _shape_out((out[0], out[1]), size, kernel_size, stride, padding, dilation)


def pool_output_size(
    size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
) -> int | Pair:
    """Spatial output size of `nn.MaxPool2d` (and `nn.AvgPool2d`); ValueError where PyTorch fails.

    `stride` defaults to `kernel_size`. With `ceil_mode` the division rounds up, but a last
    window that would start past the input and its left padding is dropped. Returns an int
    when every argument is a single int, else (h, w).
    """
    sizes = as_pair(size, "size")
    kernel = as_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else as_pair(stride, "stride")
    pads = as_pair(padding, "padding", minimum=0)
    dilations = as_pair(dilation, "dilation")
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    spans = _spans(kernel, dilations)
    out = []
    for axis in range(2):
        n, k, s, p = sizes[axis], kernel[axis], strides[axis], pads[axis]
        if p > k // 2:
            # PyTorch compares with the plain kernel size, not the dilated span.
            raise ValueError(
                f"padding {p} must be at most half of kernel_size {k} along the {_AXES[axis]} "
                "(PyTorch's rule for pooling)"
            )
        room = n + 2 * p - spans[axis]
        count = (room + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1  # that last window would start inside the right padding
        if count < 1:
            raise ValueError(
                f"kernel_size {k} (span {spans[axis]} with dilation {dilations[axis]}) leaves no "
                f"window on a size-{n} input with padding {p} along the {_AXES[axis]}: "
                f"output size would be {count}"
            )
        out.append(count)
    return _shape_out((out[0], out[1]), size, kernel_size, stride, padding, dilation)


# Modules that act on each position separately: they leave the receptive field unchanged.
_POINTWISE_MODULES = (
    "torch.nn.modules.activation",
    "torch.nn.modules.batchnorm",
    "torch.nn.modules.dropout",
    "torch.nn.modules.normalization",
)

_LAYER_KEYS = {"kernel_size", "stride", "dilation", "padding"}


class ReceptiveFieldStep(NamedTuple):
    """One layer of a stack and the receptive field of one unit after it (along one axis)."""

    layer: str
    kernel_size: int
    stride: int
    dilation: int
    size: int  # input pixels from the first to the last one a unit can see
    jump: int  # input pixels between neighbouring units (product of the strides so far)


def _axis_value(value: object, name: str, axis: int, minimum: int = 1) -> int:
    return as_pair(value, name, minimum)[axis]  # type: ignore[arg-type]


def _layer_geometry(layer: Any, where: str, axis: int) -> list[tuple[str, int, int, int]]:
    """(label, kernel, stride, dilation) of the spatial layers in `layer`, in order."""
    if isinstance(layer, Mapping):
        unknown = set(layer) - _LAYER_KEYS
        if unknown or "kernel_size" not in layer:
            raise ValueError(
                f"{where} must have a 'kernel_size' and only keys {sorted(_LAYER_KEYS)}, "
                f"got {sorted(layer)}"
            )
        return [
            (
                where,
                _axis_value(layer["kernel_size"], f"{where}['kernel_size']", axis),
                _axis_value(layer.get("stride", 1), f"{where}['stride']", axis),
                _axis_value(layer.get("dilation", 1), f"{where}['dilation']", axis),
            )
        ]
    if isinstance(layer, (tuple, list)):
        if not 1 <= len(layer) <= 3:
            raise ValueError(f"{where} must be (kernel, stride, dilation), got {layer!r}")
        kernel, stride, dilation = (*layer, 1, 1)[:3]
        return [
            (
                where,
                _axis_value(kernel, f"{where} kernel", axis),
                _axis_value(stride, f"{where} stride", axis),
                _axis_value(dilation, f"{where} dilation", axis),
            )
        ]
    # torch is imported only here so that the arithmetic above works without it.
    from torch import nn

    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        name = type(layer).__name__
        return [
            (
                f"{where} {name}",
                _axis_value(layer.kernel_size, f"{where} {name}.kernel_size", axis),
                _axis_value(layer.stride, f"{where} {name}.stride", axis),
                _axis_value(getattr(layer, "dilation", 1), f"{where} {name}.dilation", axis),
            )
        ]
    if isinstance(layer, nn.Module) and list(layer.children()):
        found = []
        for child_name, child in layer.named_children():
            found += _layer_geometry(child, f"{where}.{child_name}", axis)
        return found
    if isinstance(layer, nn.Identity) or (
        isinstance(layer, nn.Module) and type(layer).__module__ in _POINTWISE_MODULES
    ):
        return []
    raise TypeError(
        f"{where}: cannot follow a receptive field through {type(layer).__name__}; pass "
        "(kernel, stride, dilation) tuples, dicts, or Conv2d/MaxPool2d/AvgPool2d modules "
        "(activations, dropout and normalisation are skipped)"
    )


def receptive_field_table(layers: Iterable[Any], axis: int = 0) -> list[ReceptiveFieldStep]:
    """Receptive field size and jump after each convolution/pooling layer in `layers`.

    `layers` holds (kernel, stride, dilation) tuples (stride and dilation default to 1), dicts
    with those keys (`kernel_size`, ...), or Conv2d/MaxPool2d/AvgPool2d modules (a Sequential
    works too; ReLU, dropout and normalisation are skipped). `axis` 0 is height, 1 is width.
    Padding does not change the field: `size += (span - 1) * jump`, then `jump *= stride`.
    """
    if isinstance(axis, bool) or axis not in (0, 1):
        raise ValueError(f"axis must be 0 (height) or 1 (width), got {axis!r}")
    if isinstance(layers, (str, bytes, Mapping)) or not isinstance(layers, Iterable):
        raise TypeError(f"layers must be a list of layers, got {type(layers).__name__}")
    geometry = []
    for index, layer in enumerate(layers):
        geometry += _layer_geometry(layer, f"layers[{index}]", axis)
    steps = []
    size, jump = 1, 1
    for label, kernel, stride, dilation in geometry:
        size += (kernel - 1) * dilation * jump
        jump *= stride
        steps.append(ReceptiveFieldStep(label, kernel, stride, dilation, size, jump))
    return steps


def receptive_field(layers: Iterable[Any], axis: int = 0) -> int:
    """Input pixels (along `axis`) that one output unit of the stack `layers` can see.

    Two stacked 3x3 stride-1 convolutions see 5, three see 7. See `receptive_field_table`
    for the accepted layer forms and for the jump (stride) of each layer.
    """
    steps = receptive_field_table(layers, axis)
    return steps[-1].size if steps else 1


def rnn_param_count(input_size: int, hidden_size: int, bias: bool = True) -> int:
    """Number of parameters of a one-layer `nn.RNN(input_size, hidden_size, bias=bias)`.

    W_ih (hidden × input) and W_hh (hidden × hidden), plus PyTorch's two bias vectors.
    """
    input_size = check_int(input_size, "input_size")
    hidden_size = check_int(hidden_size, "hidden_size")
    bias = check_bool(bias, "bias")
    return hidden_size * (input_size + hidden_size) + (2 * hidden_size if bias else 0)
