"""A layer table and memory estimate computed the way `torchsummary.summary` computes them.

torchsummary (sksq96/pytorch-summary, 1.5.1) hooks every module except the model itself,
`nn.Sequential` and `nn.ModuleList`, runs a batch of 2 random inputs, and for each call of a
hooked module records its output shape (batch dimension shown as `batch_size`, -1 by default)
and the size of its `weight` and `bias` attributes (other parameters, e.g. an LSTM's
`weight_ih_l0`, are not counted). Its sizes assume 4 bytes per number and divide by 2**20, so
its "MB" are MiB:

* input: prod(input_size) * |batch_size| * 4 / 2**20
* forward/backward pass: 2 * (sum over rows of the output's element count) * 4 / 2**20
  (x2 for the gradients)
* params: (sum over rows of the parameter counts) * 4 / 2**20
* total: the sum of the three.

Here the forward pass runs on the meta device (shapes only, nothing allocated, buffers such
as BatchNorm's running statistics untouched); a model that cannot run on meta tensors is run
for real under `torch.no_grad()`, with its buffers restored afterwards. During the meta pass
the common layers (Conv2d, pools, Linear, ReLU, Dropout, ...) give their output shape from
the output-size formulas of `helpers.core.arithmetic` instead of running their operation: many
operations on meta tensors run PyTorch's Python reference code, whose first use in a process
imports sympy and torch._dynamo (over a second). Other layers run on the meta tensors as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from math import prod
from typing import NamedTuple

import torch
from torch import nn
from torch.func import functional_call

from helpers.core.arithmetic import as_pair, check_int, conv_output_size, pool_output_size

BYTES_PER_NUMBER = 4

MIB = 2**20

# torchsummary runs 2 samples so that BatchNorm in training mode accepts the batch.
RUN_BATCH = 2

# torchinfo (the maintained successor) divides by 10**6: its "MB" are real megabytes.
MB = 10**6

RULE = "-" * 64

DOUBLE_RULE = "=" * 64

Shape = list[int]

# A model that cannot run on meta tensors runs for real on a batch of at most this many numbers
# (64 MB of float32): a larger input_size raises InputSizeError before any memory is taken.
MAX_REAL_INPUT = 2**24


class InputSizeError(ValueError, RuntimeError):
    """The model's forward fails on an input of the given size, or that input is too large to
    run for real. A ValueError naming input_size, and a RuntimeError as PyTorch's own error
    (which torchsummary lets through) is."""


# The article's torchsummary figures for VGG16 with its last layer removed, input 3x224x224,
# as printed ("MB", really MiB): input, forward/backward pass, params, estimated total.
ARTICLE_VGG16_MIB = (0.57, 218.58, 512.16, 731.32)

# The same with today's AdaptiveAvgPool2d((7, 7)) layer, which the article's listing lacks.
TODAY_VGG16_MIB = (0.57, 218.77, 512.16, 731.51)


@dataclass(frozen=True)
class LayerRow:
    """One row of the table: layer name ("Conv2d-1"), output shape, parameter count."""

    name: str
    output_shape: Shape | list[Shape]
    params: int
    trainable: bool | None  # None when the layer has no `weight` (torchsummary's rule)

    @property
    def output_numel(self) -> int:
        """Element count of the output (signed like torchsummary's: batch -1 makes it < 0)."""
        if self.output_shape and isinstance(self.output_shape[0], list):
            return sum(prod(shape) for shape in self.output_shape)  # type: ignore[arg-type]
        return prod(self.output_shape)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MemoryEstimate:
    """torchsummary's size estimates, in MiB (which it labels "MB"), not rounded."""

    input_mib: float
    forward_backward_mib: float
    params_mib: float
    total_mib: float
    total_params: int
    trainable_params: int

    def rounded(self) -> tuple[float, float, float, float]:
        """The four sizes rounded to 2 decimals, as torchsummary prints them."""
        sizes = (self.input_mib, self.forward_backward_mib, self.params_mib, self.total_mib)
        return tuple(round(size, 2) for size in sizes)  # type: ignore[return-value]


def _check_input_size(input_size: Sequence[int]) -> tuple[int, ...]:
    if isinstance(input_size, (str, bytes)) or not isinstance(input_size, Sequence):
        raise TypeError(
            f"input_size must be a tuple of ints like (3, 224, 224), got {input_size!r}"
        )
    if len(input_size) == 0:
        raise ValueError("input_size must have at least one dimension")
    return tuple(check_int(n, f"input_size[{i}]") for i, n in enumerate(input_size))


def _check_batch_size(batch_size: int) -> int:
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size == -1:
        return -1  # torchsummary's default: shown as -1, sizes for one sample
    return check_int(batch_size, "batch_size")


def _shape(tensor: torch.Tensor, batch_size: int) -> Shape:
    shape = list(tensor.shape)
    if shape:
        shape[0] = batch_size
    return shape


def _output_shape(output: object, batch_size: int) -> Shape | list[Shape]:
    if isinstance(output, torch.Tensor):
        return _shape(output, batch_size)
    # Tuple outputs (torchsummary fails on most of them): one shape per tensor inside.
    shapes: list[Shape] = []
    pending = [output]
    while pending:
        item = pending.pop(0)
        if isinstance(item, torch.Tensor):
            shapes.append(_shape(item, batch_size))
        elif isinstance(item, (list, tuple)):
            pending[:0] = list(item)
    return shapes


def _own_weight_and_bias(module: nn.Module) -> tuple[int, bool | None]:
    params = 0
    trainable = None
    weight = getattr(module, "weight", None)
    if isinstance(weight, torch.Tensor):
        params += weight.numel()
        trainable = weight.requires_grad
    bias = getattr(module, "bias", None)
    if isinstance(bias, torch.Tensor):
        params += bias.numel()
    return params, trainable


Size = tuple[int, ...]


def _spatial(x: torch.Tensor) -> tuple[int, int]:
    return (int(x.shape[-2]), int(x.shape[-1]))


def _conv2d_shape(module: nn.Conv2d, x: torch.Tensor) -> Size | None:
    if x.dim() not in (3, 4) or x.shape[-3] != module.in_channels:
        return None
    if x.dtype != module.weight.dtype:
        return None
    size = conv_output_size(
        _spatial(x), module.kernel_size, module.stride, module.padding, module.dilation
    )
    return (*x.shape[:-3], module.out_channels, *as_pair(size, "size"))


def _pool2d_shape(module: nn.MaxPool2d | nn.AvgPool2d, x: torch.Tensor) -> Size | None:
    if x.dim() not in (3, 4) or getattr(module, "return_indices", False):
        return None
    size = pool_output_size(
        _spatial(x),
        module.kernel_size,
        module.stride,
        module.padding,
        getattr(module, "dilation", 1),  # AvgPool2d has none
        module.ceil_mode,
    )
    return (*x.shape[:-2], *as_pair(size, "size"))


def _adaptive_pool2d_shape(
    module: nn.AdaptiveAvgPool2d | nn.AdaptiveMaxPool2d, x: torch.Tensor
) -> Size | None:
    if x.dim() not in (3, 4) or getattr(module, "return_indices", False) or 0 in x.shape[-2:]:
        return None
    wanted = module.output_size
    pair = (wanted, wanted) if not isinstance(wanted, (tuple, list)) else tuple(wanted)
    if len(pair) != 2:
        return None
    size = [x.shape[-2 + axis] if n is None else n for axis, n in enumerate(pair)]
    return (*x.shape[:-2], *size)


def _linear_shape(module: nn.Linear, x: torch.Tensor) -> Size | None:
    if x.dim() == 0 or x.shape[-1] != module.in_features or x.dtype != module.weight.dtype:
        return None
    return (*x.shape[:-1], module.out_features)


def _same_shape(module: nn.Module, x: torch.Tensor) -> Size | None:
    return tuple(x.shape)


# Exact types only: a subclass may compute something else in its own forward.
SHAPE_RULES: dict[type[nn.Module], Callable[[nn.Module, torch.Tensor], Size | None]] = {
    nn.Conv2d: _conv2d_shape,
    nn.MaxPool2d: _pool2d_shape,
    nn.AvgPool2d: _pool2d_shape,
    nn.AdaptiveAvgPool2d: _adaptive_pool2d_shape,
    nn.AdaptiveMaxPool2d: _adaptive_pool2d_shape,
    nn.Linear: _linear_shape,
    **dict.fromkeys(
        (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Sigmoid, nn.Tanh),
        _same_shape,
    ),
    nn.Dropout: _same_shape,
}


def _shape_forward(
    module: nn.Module,
    rule: Callable[[nn.Module, torch.Tensor], Size | None],
    *args: object,
    **kwargs: object,
) -> object:
    x = args[0] if len(args) == 1 and not kwargs else None
    if isinstance(x, torch.Tensor) and x.device.type == "meta" and x.is_floating_point():
        try:
            shape = rule(module, x)
        except ValueError:  # a size PyTorch rejects: let the layer raise its own error
            shape = None
        if shape is not None:
            if getattr(module, "inplace", False):
                return x  # an in-place layer returns its input
            return torch.empty(shape, dtype=x.dtype, device=x.device)
    return type(module).forward(module, *args, **kwargs)


@contextmanager
def shapes_by_formula(model: nn.Module) -> Iterator[nn.Module]:
    """Within the block, `model`'s common layers answer meta inputs by output-size formula.

    Each layer whose exact type is in SHAPE_RULES returns an empty meta tensor of its output's
    shape instead of running its operation; other layers, other inputs (real tensors) and
    sizes the formulas reject run as usual. For shape-only passes such as
    `torchinfo.summary(model, ..., device="meta")` on a model built on meta, without the cost
    of PyTorch's Python reference code. Yields `model`.
    """
    patched = []
    for module in model.modules():
        rule = SHAPE_RULES.get(type(module))
        if rule is not None and "forward" not in vars(module):
            module.forward = partial(_shape_forward, module, rule)
            patched.append(module)
    try:
        yield model
    finally:
        for module in patched:
            del module.forward


def _run(
    model: nn.Module, input_size: tuple[int, ...], dtype: torch.dtype, rows: list[LayerRow]
) -> None:
    named = {**dict(model.named_parameters()), **dict(model.named_buffers())}
    # torch.empty, not empty_like: empty_like on meta runs Python code that imports sympy.
    meta = {
        name: torch.empty(t.shape, dtype=t.dtype, device="meta").requires_grad_(t.requires_grad)
        if t.is_floating_point()
        else torch.empty(t.shape, dtype=t.dtype, device="meta")
        for name, t in named.items()
    }
    try:
        with torch.no_grad(), shapes_by_formula(model):
            functional_call(
                model, meta, (torch.zeros(RUN_BATCH, *input_size, dtype=dtype, device="meta"),)
            )
        return
    except (NotImplementedError, RuntimeError) as error:
        rows.clear()  # e.g. a forward that creates CPU tensors: redo it for real
        meta_error = str(error).splitlines()[0] if str(error) else type(error).__name__
    numbers = RUN_BATCH * prod(input_size)
    if numbers > MAX_REAL_INPUT:
        raise InputSizeError(
            f"input_size {input_size}: the forward pass on meta tensors failed ({meta_error}), "
            f"and a real batch of {RUN_BATCH} would hold {numbers:,} numbers; at most "
            f"{MAX_REAL_INPUT:,} are run for real"
        )
    device = next((t.device for t in named.values()), torch.device("cpu"))
    saved = {name: b.detach().clone() for name, b in model.named_buffers()}
    try:
        with torch.no_grad():
            model(torch.zeros(RUN_BATCH, *input_size, dtype=dtype, device=device))
    except RuntimeError as error:
        raise InputSizeError(f"input_size {input_size} does not fit the model: {error}") from error
    finally:
        with torch.no_grad():
            for name, b in model.named_buffers():
                b.copy_(saved[name])


def layer_summary(
    model: nn.Module,
    input_size: Sequence[int],
    batch_size: int = -1,
    input_dtype: torch.dtype = torch.float32,
) -> list[LayerRow]:
    """Rows of torchsummary's table for `model` on one input of shape `input_size` (no batch)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    input_size = _check_input_size(input_size)
    batch_size = _check_batch_size(batch_size)
    rows: list[LayerRow] = []

    def hook(module: nn.Module, inputs: object, output: object) -> None:
        params, trainable = _own_weight_and_bias(module)
        name = f"{type(module).__name__}-{len(rows) + 1}"
        rows.append(LayerRow(name, _output_shape(output, batch_size), params, trainable))

    handles = [
        module.register_forward_hook(hook)
        for module in model.modules()
        if module is not model and not isinstance(module, (nn.Sequential, nn.ModuleList))
    ]
    try:
        _run(model, input_size, input_dtype, rows)
    finally:
        for handle in handles:
            handle.remove()
    return rows


def _check_rows(rows: Sequence[LayerRow]) -> list[LayerRow]:
    """Return `rows` as a list, or raise TypeError if it is not a sequence of LayerRow."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a list of LayerRow (layer_summary), got {rows!r:.60}")
    for row in rows:
        if not isinstance(row, LayerRow):
            raise TypeError(f"rows must hold LayerRow records, got {type(row).__name__}")
    return list(rows)


def estimate_from_rows(
    rows: Sequence[LayerRow], input_size: Sequence[int], batch_size: int = -1
) -> MemoryEstimate:
    """torchsummary's size estimates from already computed rows (see the module docstring)."""
    rows = _check_rows(rows)
    input_size = _check_input_size(input_size)
    batch_size = _check_batch_size(batch_size)
    total_params = sum(row.params for row in rows)
    trainable = sum(row.params for row in rows if row.trainable)
    input_mib = abs(prod(input_size) * batch_size * BYTES_PER_NUMBER / MIB)
    outputs = sum(row.output_numel for row in rows)
    forward_backward_mib = abs(2 * outputs * BYTES_PER_NUMBER / MIB)
    params_mib = abs(total_params * BYTES_PER_NUMBER / MIB)
    total = params_mib + forward_backward_mib + input_mib
    return MemoryEstimate(
        input_mib, forward_backward_mib, params_mib, total, total_params, trainable
    )


def memory_estimate(
    model: nn.Module,
    input_size: Sequence[int],
    batch_size: int = -1,
    input_dtype: torch.dtype = torch.float32,
) -> MemoryEstimate:
    """torchsummary's input, forward/backward, params and total sizes (MiB) for `model`."""
    rows = layer_summary(model, input_size, batch_size, input_dtype)
    return estimate_from_rows(rows, input_size, batch_size)


def format_summary(rows: Sequence[LayerRow], memory: MemoryEstimate) -> str:
    """The table as torchsummary prints it (same widths, rules and "MB" labels)."""
    rows = _check_rows(rows)
    if not isinstance(memory, MemoryEstimate):
        raise TypeError(f"memory must be a MemoryEstimate, got {type(memory).__name__}")
    lines = [RULE, f"{'Layer (type)':>20}  {'Output Shape':>25} {'Param #':>15}", DOUBLE_RULE]
    for row in rows:
        lines.append(f"{row.name:>20}  {str(row.output_shape):>25} {row.params:>15,}")
    lines += [
        DOUBLE_RULE,
        f"Total params: {memory.total_params:,}",
        f"Trainable params: {memory.trainable_params:,}",
        f"Non-trainable params: {memory.total_params - memory.trainable_params:,}",
        RULE,
        f"Input size (MB): {memory.input_mib:0.2f}",
        f"Forward/backward pass size (MB): {memory.forward_backward_mib:0.2f}",
        f"Params size (MB): {memory.params_mib:0.2f}",
        f"Estimated Total Size (MB): {memory.total_mib:0.2f}",
        RULE,
    ]
    return "\n".join(lines) + "\n"


def summary_text(
    model: nn.Module,
    input_size: Sequence[int],
    batch_size: int = -1,
    input_dtype: torch.dtype = torch.float32,
) -> str:
    """torchsummary's printed table for `model`, from a single (meta) forward pass."""
    rows = layer_summary(model, input_size, batch_size, input_dtype)
    return format_summary(rows, estimate_from_rows(rows, input_size, batch_size))


class TorchinfoSizes(NamedTuple):
    """torchinfo's size estimates in MB (10**6 bytes), not rounded."""

    input_mb: float
    forward_backward_mb: float
    params_mb: float
    total_mb: float


def _per_sample_numel(row: LayerRow) -> int:
    shapes = (
        row.output_shape
        if row.output_shape and isinstance(row.output_shape[0], list)
        else [row.output_shape]
    )
    return sum(prod(shape[1:]) for shape in shapes)  # type: ignore[index,misc]


def torchinfo_sizes(
    rows: Sequence[LayerRow], input_size: Sequence[int], batch_size: int = 1
) -> TorchinfoSizes:
    """torchinfo 1.8's sizes from torchsummary's rows, for `batch_size` samples of `input_size`.

    The rules differ from torchsummary's in two ways: MB are 10**6 bytes, and only the outputs
    of layers holding parameters count as activations (x2 for gradients), so a ReLU's or a
    pool's output is left out. Exact for models whose hooked modules have no children, except
    that torchinfo sizes the input with `sys.getsizeof` of its storage, which adds Python's
    object overhead (64 bytes with torch 2.13): invisible at 2 decimals.
    """
    rows = _check_rows(rows)
    input_size = _check_input_size(input_size)
    batch_size = check_int(batch_size, "batch_size")
    input_mb = prod(input_size) * batch_size * BYTES_PER_NUMBER / MB
    outputs = sum(_per_sample_numel(row) for row in rows if row.params > 0) * batch_size
    forward_backward_mb = 2 * outputs * BYTES_PER_NUMBER / MB
    params_mb = sum(row.params for row in rows) * BYTES_PER_NUMBER / MB
    return TorchinfoSizes(
        input_mb, forward_backward_mb, params_mb, input_mb + forward_backward_mb + params_mb
    )
