"""The LSTM cell of Hung-yi Lee's LSTM lecture, computed by hand, and its mapping to PyTorch.

The lecture's cell has four inputs and one output:

    c' = g(z) * f(z_i) + c * f(z_f)        (new memory)
    a  = h(c') * f(z_o)                     (output)

with f the sigmoid and, in the lecture's toy example, g and h the identity. PyTorch's
`nn.LSTMCell` / `nn.LSTM` follow the same equations but fix g = h = tanh, stack the four gates
in the order i, f, g, o, and feed the previous output back in through `weight_hh`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real

import numpy as np
import torch
from torch import nn

from helpers.core.arithmetic import check_int

Step = tuple[float, float, float]

Weights = tuple[float, float, float]

# (x1, x2, x3) per step, from the lecture's worked example: x2 = 1 writes x1 into memory,
# x2 = -1 clears memory, x3 = 1 lets the memory out.
LECTURE_SEQUENCE: tuple[Step, ...] = (
    (1, 0, 0),
    (3, 1, 0),
    (2, 0, 0),
    (4, 1, 0),
    (2, 0, 0),
    (1, 0, 1),
    (3, -1, 0),
    (6, 1, 0),
    (1, 0, 1),
)

# What the lecture's idealised cell gives on LECTURE_SEQUENCE.
LECTURE_MEMORY: tuple[float, ...] = (0, 3, 3, 7, 7, 7, 0, 6, 6)

LECTURE_OUTPUT: tuple[float, ...] = (0, 0, 0, 0, 0, 7, 0, 0, 6)

# The source article's prose walks through a shortened sequence: columns 1-4 as the lecture's,
# then "in the fifth column, x3 = 1" lets the memory 7 out. It does not give that column's x1
# (any x1 gives 7, since x2 = 0 keeps the input gate shut); the lecture's step-5 x1 is used.
ARTICLE_WALKTHROUGH: tuple[Step, ...] = (*LECTURE_SEQUENCE[:4], (2, 0, 1))

ARTICLE_MEMORY: tuple[float, ...] = (0, 3, 3, 7, 7)

# The lecture's slides after its table feed the cell diagram five inputs, starting with
# (3, 1, 0): the sequence the article's "first column input is: x1 = 3, x2 = 1, x3 = 0" reads.
LECTURE_DIAGRAM_SEQUENCE: tuple[Step, ...] = (
    (3, 1, 0),
    (4, 1, 0),
    (2, 0, 0),
    (1, 0, 1),
    (3, -1, 0),
)

ARTICLE_OUTPUT: tuple[float, ...] = (0, 0, 0, 0, 7)

# PyTorch stacks the gates of weight_ih / weight_hh / bias_ih / bias_hh in this order.
GATE_ORDER: tuple[str, ...] = ("i", "f", "g", "o")

GATE_NAMES: dict[str, str] = {
    "i": "input gate",
    "f": "forget gate",
    "g": "cell input (the lecture's z, through tanh)",
    "o": "output gate",
}

# A scale that brings the tanh-bound nn.LSTMCell within a few hundredths of the lecture's outputs.
GOOD_SCALE = 0.01


def _sigmoid(value: float) -> float:
    """Numerically stable logistic sigmoid of one float."""
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def _step_gate(value: float) -> float:
    """The idealised gate: fully open (1) for a positive pre-activation, closed (0) otherwise."""
    return 1.0 if value > 0 else 0.0


def _is_number(value: object) -> bool:
    """True for a real number that is not a bool (numpy scalars count)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_real(value: object, name: str) -> float:
    """Return `value` as a finite float, or raise ValueError naming `name`."""
    if not _is_number(value):
        raise ValueError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _check_step(step: object, name: str) -> Step:
    """Return one (x1, x2, x3) step as floats, or raise ValueError naming `name`."""
    if isinstance(step, (str, bytes)) or not isinstance(step, (Sequence, np.ndarray)):
        raise ValueError(f"{name} must be a sequence of 3 numbers (x1, x2, x3), got {step!r}")
    if len(step) != 3:
        raise ValueError(f"{name} must have 3 numbers (x1, x2, x3), got {len(step)}: {step!r}")
    values = []
    for position, value in enumerate(step, start=1):
        if isinstance(value, np.generic):
            value = value.item()
        if not _is_number(value) or not math.isfinite(float(value)):
            raise ValueError(f"{name}: x{position} must be a finite real number, got {value!r}")
        values.append(float(value))
    return (values[0], values[1], values[2])


def check_sequence(sequence: object) -> tuple[Step, ...]:
    """Return `sequence` as a tuple of (x1, x2, x3) float steps, or raise ValueError naming the
    first malformed step (1-based)."""
    if isinstance(sequence, (str, bytes)) or not isinstance(sequence, (Sequence, np.ndarray)):
        raise ValueError(f"sequence must be a sequence of (x1, x2, x3) steps, got {sequence!r}")
    if len(sequence) == 0:
        raise ValueError("sequence must have at least one step, got an empty sequence")
    return tuple(_check_step(step, f"sequence step {n}") for n, step in enumerate(sequence, 1))


@dataclass(frozen=True)
class LSTMStepRecord:
    """Everything the lecture's cell computed in one time step."""

    x: Step
    z: float
    z_i: float
    z_f: float
    z_o: float
    input_gate: float
    forget_gate: float
    output_gate: float
    memory_before: float
    memory: float
    output: float

    def as_row(self) -> dict[str, float | Step]:
        """The record as a dict, one entry per attribute (a table row for a notebook)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class LSTMCellByHand:
    """The lecture's one-unit LSTM cell: linear z, z_i, z_f, z_o of x = (x1, x2, x3), g = h = id.

    Each of the four inputs is `w · x + b`; the defaults are the lecture's weights
    z = x1, z_i = 100 x2 - 10, z_f = 100 x2 + 10, z_o = 100 x3 - 10.
    """

    w_z: Weights = (1.0, 0.0, 0.0)
    w_i: Weights = (0.0, 100.0, 0.0)
    w_f: Weights = (0.0, 100.0, 0.0)
    w_o: Weights = (0.0, 0.0, 100.0)
    b_z: float = 0.0
    b_i: float = -10.0
    b_f: float = 10.0
    b_o: float = -10.0

    def __post_init__(self) -> None:
        for name in ("w_z", "w_i", "w_f", "w_o"):
            object.__setattr__(self, name, _check_step(getattr(self, name), name))
        for name in ("b_z", "b_i", "b_f", "b_o"):
            object.__setattr__(self, name, _check_real(getattr(self, name), name))

    def step(self, x: Sequence[float], memory: float = 0.0, exact: bool = True) -> LSTMStepRecord:
        """Run one step from memory `memory` on input x = (x1, x2, x3); sigmoid gates when
        `exact`, else the idealised 0/1 gates (open when the pre-activation is > 0)."""
        x = _check_step(x, "x")
        memory = _check_real(memory, "memory")
        if not isinstance(exact, bool):
            raise TypeError(f"exact must be a bool, got {type(exact).__name__} {exact!r}")
        gate = _sigmoid if exact else _step_gate

        def affine(weights: Weights, bias: float) -> float:
            return sum(w * v for w, v in zip(weights, x, strict=True)) + bias

        z, z_i = affine(self.w_z, self.b_z), affine(self.w_i, self.b_i)
        z_f, z_o = affine(self.w_f, self.b_f), affine(self.w_o, self.b_o)
        input_gate, forget_gate, output_gate = gate(z_i), gate(z_f), gate(z_o)
        new_memory = z * input_gate + memory * forget_gate  # g is the identity
        sums = {"z": z, "z_i": z_i, "z_f": z_f, "z_o": z_o, "memory": new_memory}
        for name, value in sums.items():
            if not math.isfinite(value):
                raise ValueError(
                    f"x={x} with memory={memory} overflows float64: the new {name} would be "
                    f"{value}; keep the inputs, weights and memory far below 1e308"
                )
        return LSTMStepRecord(
            x=x,
            z=z,
            z_i=z_i,
            z_f=z_f,
            z_o=z_o,
            input_gate=input_gate,
            forget_gate=forget_gate,
            output_gate=output_gate,
            memory_before=memory,
            memory=new_memory,
            output=new_memory * output_gate,  # h is the identity
        )


def run_lecture_lstm(
    sequence: Sequence[Sequence[float]] = LECTURE_SEQUENCE,
    exact: bool = True,
    cell: LSTMCellByHand | None = None,
) -> list[LSTMStepRecord]:
    """Run `cell` (default: the lecture's) over `sequence` from memory 0; one record per step."""
    steps = check_sequence(sequence)
    if cell is None:
        cell = LSTMCellByHand()
    elif not isinstance(cell, LSTMCellByHand):
        raise TypeError(f"cell must be a LSTMCellByHand or None, got {type(cell).__name__}")
    records = []
    memory = 0.0
    for number, x in enumerate(steps, start=1):
        try:
            record = cell.step(x, memory, exact=exact)
        except ValueError as error:
            raise ValueError(f"sequence step {number}: {error}") from None
        records.append(record)
        memory = record.memory
    return records


def lstm_gate_slices(hidden_size: int) -> dict[str, slice]:
    """Rows of `weight_ih` / `weight_hh` / `bias_ih` / `bias_hh` that belong to each gate,
    keyed i, f, g, o in PyTorch's order (each gate owns `hidden_size` consecutive rows)."""
    hidden_size = check_int(hidden_size, "hidden_size")
    return {
        gate: slice(n * hidden_size, (n + 1) * hidden_size) for n, gate in enumerate(GATE_ORDER)
    }


def lstm_gate_weights(
    module: nn.LSTM | nn.LSTMCell, layer: int = 0
) -> dict[str, dict[str, torch.Tensor]]:
    """Split a cell's (or one layer of an LSTM's) weights and biases by gate:
    result[gate][name] with gate in i, f, g, o and name in weight_ih, weight_hh, bias_ih, bias_hh
    (detached views; bias entries are missing when the module has bias=False)."""
    if isinstance(module, nn.LSTMCell):
        if layer != 0:
            raise ValueError(f"layer must be 0 for an nn.LSTMCell, got {layer!r}")
        suffix = ""
    elif isinstance(module, nn.LSTM):
        layer = check_int(layer, "layer", minimum=0)
        if layer >= module.num_layers:
            raise ValueError(f"layer must be < num_layers={module.num_layers}, got {layer}")
        suffix = f"_l{layer}"
    else:
        raise TypeError(f"module must be an nn.LSTM or nn.LSTMCell, got {type(module).__name__}")
    slices = lstm_gate_slices(module.hidden_size)
    names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if module.bias else [])
    return {
        gate: {name: getattr(module, name + suffix).detach()[rows] for name in names}
        for gate, rows in slices.items()
    }


def _as_tensor(value: object, name: str, like: torch.Tensor) -> torch.Tensor:
    """`value` as a tensor with `like`'s dtype, or raise TypeError naming `name`."""
    if isinstance(value, torch.Tensor):
        return value.to(like.dtype)
    if isinstance(value, (np.ndarray, Sequence)) and not isinstance(value, (str, bytes)):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers, got {value!r:.60}") from None
        return torch.as_tensor(array, dtype=like.dtype)
    raise TypeError(f"{name} must be a tensor, array or sequence, got {type(value).__name__}")


def lstm_cell_step_by_hand(
    cell: nn.LSTMCell,
    x: torch.Tensor | np.ndarray | Sequence[float],
    h: torch.Tensor | np.ndarray | Sequence[float] | None = None,
    c: torch.Tensor | np.ndarray | Sequence[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """One step of `cell` written out gate by gate: returns (h', c', gates) where gates holds
    the activated i, f, g, o (sigmoid, sigmoid, tanh, sigmoid). x is [batch, input_size] or
    [input_size]; h and c default to zeros. Computed without autograd, for inspection."""
    if not isinstance(cell, nn.LSTMCell):
        raise TypeError(f"cell must be an nn.LSTMCell, got {type(cell).__name__}")
    weight_ih, weight_hh = cell.weight_ih.detach(), cell.weight_hh.detach()
    x = _as_tensor(x, "x", weight_ih)
    if x.dim() not in (1, 2) or x.shape[-1] != cell.input_size:
        raise ValueError(
            f"x must have shape [batch, {cell.input_size}] or [{cell.input_size}], "
            f"got {list(x.shape)}"
        )
    state_shape = (*x.shape[:-1], cell.hidden_size)
    h = torch.zeros(state_shape, dtype=x.dtype) if h is None else _as_tensor(h, "h", weight_ih)
    c = torch.zeros(state_shape, dtype=x.dtype) if c is None else _as_tensor(c, "c", weight_ih)
    for name, state in (("h", h), ("c", c)):
        if tuple(state.shape) != state_shape:
            raise ValueError(f"{name} must have shape {list(state_shape)}, got {list(state.shape)}")
    with torch.no_grad():
        pre = x @ weight_ih.T + h @ weight_hh.T
        if cell.bias:
            pre = pre + cell.bias_ih.detach() + cell.bias_hh.detach()
        rows = lstm_gate_slices(cell.hidden_size)
        gates = {
            gate: (torch.tanh if gate == "g" else torch.sigmoid)(pre[..., rows[gate]])
            for gate in GATE_ORDER
        }
        c_next = gates["f"] * c + gates["i"] * gates["g"]
        h_next = gates["o"] * torch.tanh(c_next)
    return h_next, c_next, gates


# nn.LSTMCell computes in float32: the smallest normal and the largest finite float32.
FLOAT32_TINY = float(np.finfo(np.float32).tiny)

FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_scale(scale: object) -> float:
    """Return `scale` as a positive float that float32 can hold, or raise ValueError naming it."""
    scale = _check_real(scale, "scale")
    if not FLOAT32_TINY <= scale <= FLOAT32_MAX:
        raise ValueError(
            f"scale must be > 0 and representable in float32 (nn.LSTMCell's type), from "
            f"{FLOAT32_TINY:.3g} to {FLOAT32_MAX:.3g}, got {scale}"
        )
    return scale


def _check_float32_steps(steps: Sequence[Step]) -> None:
    """Raise ValueError naming the first step with a value that float32 cannot hold."""
    for number, step in enumerate(steps, start=1):
        for position, value in enumerate(step, start=1):
            if abs(value) > FLOAT32_MAX:
                raise ValueError(
                    f"sequence step {number}: x{position} = {value} does not fit in float32 "
                    f"(nn.LSTMCell's type): |x| must be at most {FLOAT32_MAX:.3g}"
                )


def lstm_cell_with_lecture_weights(scale: float = 1.0) -> nn.LSTMCell:
    """An nn.LSTMCell(3, 1) set to mimic the lecture's cell: the lecture's input, forget and
    output gate weights, the cell input g = tanh(scale * x1), and no recurrent weights.

    PyTorch cannot drop the two tanh's, so the cell stores tanh(scale * x1) instead of x1 and
    outputs o * tanh(memory) instead of o * memory. With a small `scale`, tanh(u) ≈ u for the
    small values involved, so memory ≈ scale * (lecture memory) and output / scale ≈ lecture
    output (see `run_lecture_lstm_torch`).
    """
    scale = _check_scale(scale)
    lecture = LSTMCellByHand()
    rows = lstm_gate_slices(1)
    weights = {"i": lecture.w_i, "f": lecture.w_f, "g": (scale, 0.0, 0.0), "o": lecture.w_o}
    biases = {"i": lecture.b_i, "f": lecture.b_f, "g": 0.0, "o": lecture.b_o}
    cell = nn.LSTMCell(input_size=3, hidden_size=1)
    with torch.no_grad():
        cell.weight_hh.zero_()
        cell.bias_hh.zero_()
        for gate in GATE_ORDER:
            cell.weight_ih[rows[gate]] = torch.tensor([weights[gate]])
            cell.bias_ih[rows[gate]] = biases[gate]
    return cell


@dataclass(frozen=True)
class TorchLSTMStepRecord:
    """One step of the lecture sequence through `lstm_cell_with_lecture_weights(scale)`."""

    x: Step
    scale: float
    input_gate: float
    forget_gate: float
    cell_input: float  # g = tanh(scale * x1)
    output_gate: float
    memory: float  # c, as the cell stores it (about scale * lecture memory)
    hidden: float  # h = o * tanh(c), what nn.LSTMCell outputs
    memory_readout: float  # c / scale
    output_readout: float  # h / scale, to compare with the lecture's output

    def as_row(self) -> dict[str, float | Step]:
        """The record as a dict, one entry per attribute (a table row for a notebook)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def run_lecture_lstm_torch(
    scale: float = 1.0, sequence: Sequence[Sequence[float]] = LECTURE_SEQUENCE
) -> list[TorchLSTMStepRecord]:
    """Run `sequence` through `lstm_cell_with_lecture_weights(scale)` with nn.LSTMCell's own
    forward, one record per step; the gates come from `lstm_cell_step_by_hand` on the same
    state."""
    steps = check_sequence(sequence)
    _check_float32_steps(steps)
    scale = _check_scale(scale)
    cell = lstm_cell_with_lecture_weights(scale)
    h = torch.zeros(1, 1)
    c = torch.zeros(1, 1)
    records = []
    with torch.no_grad():
        for x in steps:
            x_tensor = torch.tensor([x], dtype=torch.float32)
            _, _, gates = lstm_cell_step_by_hand(cell, x_tensor, h, c)
            h, c = cell(x_tensor, (h, c))
            records.append(
                TorchLSTMStepRecord(
                    x=x,
                    scale=scale,
                    input_gate=gates["i"].item(),
                    forget_gate=gates["f"].item(),
                    cell_input=gates["g"].item(),
                    output_gate=gates["o"].item(),
                    memory=c.item(),
                    hidden=h.item(),
                    memory_readout=c.item() / scale,
                    output_readout=h.item() / scale,
                )
            )
    return records


def compare_torch_with_lecture(
    scales: Sequence[float] = (1.0, 0.1, GOOD_SCALE, 0.001),
    sequence: Sequence[Sequence[float]] = LECTURE_SEQUENCE,
) -> list[dict[str, float]]:
    """One row per scale: the largest gap between nn.LSTMCell's output / scale and the exact
    lecture cell's output over `sequence`, and the largest output / scale it reached."""
    if isinstance(scales, (str, bytes)) or not isinstance(scales, Sequence) or not scales:
        raise ValueError(f"scales must be a non-empty sequence of positive numbers, got {scales!r}")
    lecture = [record.output for record in run_lecture_lstm(sequence, exact=True)]
    rows = []
    for scale in scales:
        readouts = [record.output_readout for record in run_lecture_lstm_torch(scale, sequence)]
        rows.append(
            {
                "scale": _check_scale(scale),
                "max_output_readout": max(readouts),
                "max_abs_error": max(abs(a - b) for a, b in zip(readouts, lecture, strict=True)),
            }
        )
    return rows


def lstm_param_count(
    input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True
) -> int:
    """Number of parameters of `nn.LSTM(input_size, hidden_size, num_layers, bias=bias)`:
    per layer 4 gates × hidden_size × (layer input + hidden_size) weights, plus two bias
    vectors (bias_ih and bias_hh) of 4 × hidden_size."""
    input_size = check_int(input_size, "input_size")
    hidden_size = check_int(hidden_size, "hidden_size")
    num_layers = check_int(num_layers, "num_layers")
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be a bool, got {type(bias).__name__} {bias!r}")
    # The first layer reads the input; each further layer reads the layer below (hidden_size).
    first = 4 * hidden_size * (input_size + hidden_size)
    further = 4 * hidden_size * (hidden_size + hidden_size)
    biases = 2 * 4 * hidden_size if bias else 0
    return first + (num_layers - 1) * further + num_layers * biases


def lstm_sequence_by_hand(
    lstm: nn.LSTM,
    x: torch.Tensor | np.ndarray | Sequence[Sequence[Sequence[float]]],
    forget_gate: float | None = None,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    """A one-layer `nn.LSTM` over a whole sequence, step by step: (outputs, (h, c)) as nn.LSTM
    returns them, from zero states. x is [steps, batch, input_size] (sequence first).

    `forget_gate`, when given, replaces the forget gate by that constant at every step (1 keeps
    the whole memory, 0 erases it), to see what the gate does. Computed without autograd."""
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be an nn.LSTM, got {type(lstm).__name__}")
    if lstm.num_layers != 1 or lstm.bidirectional or lstm.batch_first or lstm.proj_size:
        raise ValueError(
            "lstm must have one layer, one direction, batch_first=False and no projection, got "
            f"num_layers={lstm.num_layers}, bidirectional={lstm.bidirectional}, "
            f"batch_first={lstm.batch_first}, proj_size={lstm.proj_size}"
        )
    weights = lstm.weight_ih_l0.detach()
    x = _as_tensor(x, "x", weights)
    if x.dim() != 3 or x.shape[0] < 1 or x.shape[-1] != lstm.input_size:
        raise ValueError(
            f"x must have shape [steps >= 1, batch, {lstm.input_size}], got {list(x.shape)}"
        )
    if forget_gate is not None:
        forget_gate = _check_real(forget_gate, "forget_gate")
        if not 0 <= forget_gate <= 1:
            raise ValueError(f"forget_gate must be in [0, 1] (a gate's range), got {forget_gate}")
    cell = nn.LSTMCell(lstm.input_size, lstm.hidden_size, bias=lstm.bias, dtype=weights.dtype)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if lstm.bias else ()):
            getattr(cell, name).copy_(getattr(lstm, name + "_l0"))
    h = c = torch.zeros(x.shape[1], lstm.hidden_size, dtype=x.dtype)
    outputs = []
    for x_t in x:
        h, c_kept, gates = lstm_cell_step_by_hand(cell, x_t, h, c)
        if forget_gate is not None:  # the same step with the forget gate held constant
            c_kept = forget_gate * c + gates["i"] * gates["g"]
            h = gates["o"] * torch.tanh(c_kept)
        c = c_kept
        outputs.append(h)
    return torch.stack(outputs), (h[None], c[None])
