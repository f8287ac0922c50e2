"""Vanishing and exploding gradients along time, measured with autograd on nn.RNN and nn.LSTM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from helpers.core.arithmetic import check_int, check_real, check_reals
from helpers.core.determinism import check_seed, seeded_single_thread, single_thread

if TYPE_CHECKING:
    pass

KINDS = ("rnn", "lstm")

HIDDEN_SIZE = 16

INPUT_SIZE = 4

MAX_LENGTH = 100

# A forget-gate bias of a few units keeps the gate near 1 at the start: the usual LSTM
# initialisation advice (Gers et al. 2000; Jozefowicz et al. 2015 recommend >= 1).
FORGET_BIAS = 3.0

# A norm that underflowed to exactly 0 (float64 stops near 1e-308) is shown at this value on
# a log axis and counted as this value in ratios.
FLOOR = 1e-300


def _check(kind: str, length: int, weight_scale: float) -> tuple[str, int, float]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    length = check_int(length, "length", minimum=2)
    if length > MAX_LENGTH:
        raise ValueError(f"length must be <= {MAX_LENGTH}, got {length}")
    weight_scale = check_real(weight_scale, "weight_scale", finite=False)
    if not 0 < weight_scale <= 10:
        raise ValueError(f"weight_scale must be in (0, 10], got {weight_scale}")
    return kind, length, weight_scale


def build_recurrent(
    kind: str, weight_scale: float, seed: int = 0, forget_bias: float = FORGET_BIAS
) -> nn.Module:
    """An nn.RNN (tanh) or nn.LSTM whose recurrent weights are `weight_scale` × orthogonal.

    An orthogonal matrix neither stretches nor shrinks a vector, so `weight_scale` is exactly
    how much the recurrent matrix stretches the hidden state at each step. `forget_bias`
    (LSTM only) is the forget gate's bias: 0 is PyTorch's default range, a few units keeps
    the gate open (near 1) at the start.
    """
    kind, _, weight_scale = _check(kind, 2, weight_scale)
    seed = check_seed(seed)
    forget_bias = check_real(forget_bias, "forget_bias")
    with seeded_single_thread(seed):
        layer_class = nn.RNN if kind == "rnn" else nn.LSTM
        layer = layer_class(INPUT_SIZE, HIDDEN_SIZE, dtype=torch.float64)
        with torch.no_grad():
            blocks = 1 if kind == "rnn" else 4
            for block in range(blocks):
                q, _ = torch.linalg.qr(torch.randn(HIDDEN_SIZE, HIDDEN_SIZE, dtype=torch.float64))
                rows = slice(block * HIDDEN_SIZE, (block + 1) * HIDDEN_SIZE)
                layer.weight_hh_l0[rows] = weight_scale * q
            if kind == "lstm":  # gate order i, f, g, o: the forget gate is block 1
                forget = slice(HIDDEN_SIZE, 2 * HIDDEN_SIZE)
                layer.bias_ih_l0[forget] = forget_bias
                layer.bias_hh_l0[forget] = 0.0
    return layer


def gradient_inputs(length: int = MAX_LENGTH, seed: int = 0) -> torch.Tensor:
    """The seeded input sequence every measurement here reads: [length, 1, INPUT_SIZE], float64."""
    length = check_int(length, "length", minimum=1)
    if length > MAX_LENGTH:
        raise ValueError(f"length must be <= {MAX_LENGTH}, got {length}")
    seed = check_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1)
    inputs = torch.randn(MAX_LENGTH, 1, INPUT_SIZE, generator=generator, dtype=torch.float64)
    return inputs[:length]


def _inputs(seed: int) -> torch.Tensor:
    return gradient_inputs(MAX_LENGTH, seed)


def gradient_norms(
    kind: str,
    length: int,
    weight_scale: float,
    seed: int = 0,
    forget_bias: float = FORGET_BIAS,
) -> np.ndarray:
    """‖∂(sum of the last hidden state) / ∂x_t‖ for t = 1..length, from autograd."""
    kind, length, weight_scale = _check(kind, length, weight_scale)
    seed = check_seed(seed)
    forget_bias = check_real(forget_bias, "forget_bias")
    layer = build_recurrent(kind, weight_scale, seed, forget_bias)
    x = _inputs(seed)[:length].clone().requires_grad_(True)
    with single_thread():
        outputs, _ = layer(x)
        (grad,) = torch.autograd.grad(outputs[-1].sum(), x)
    return grad.norm(dim=(1, 2)).numpy()


def decay_summary(norms: np.ndarray) -> str:
    """How much weaker (or stronger) the gradient is at the first step than at the last."""
    values = check_reals(norms, "norms", minimum_size=1, what="gradient norms")
    negative = np.flatnonzero(values < 0)
    if negative.size:
        step = int(negative[0]) + 1
        raise ValueError(
            f"norms must be >= 0 (lengths of gradients), got {values[step - 1]} at step {step}"
        )
    first, last = (value if value > 0 else FLOOR for value in (values[0], values[-1]))
    with np.errstate(over="ignore", under="ignore", divide="ignore"):  # handled just below
        ratio = first / last
        factor, word = (1 / ratio, "smaller") if ratio < 1 else (ratio, "larger")
    # Beyond the largest float64 (about 1.8e308) the factor would print as "inf".
    size = f"{factor:.1e}" if np.isfinite(factor) else f"more than {np.finfo(float).max:.1e}"
    return f"the first step's gradient is {size} times {word} than the last's"


def hidden_gradient_norms(length: int, weight_scale: float, seed: int = 0) -> np.ndarray:
    """‖∂(sum of the last hidden state) / ∂h_t‖ for t = 1..length of the vanilla nn.RNN."""
    _, length, weight_scale = _check("rnn", length, weight_scale)
    seed = check_seed(seed)
    layer = build_recurrent("rnn", weight_scale, seed)
    x = _inputs(seed)[:length]
    h = torch.zeros(1, 1, HIDDEN_SIZE, dtype=torch.float64)
    states = []
    with single_thread():
        for t in range(length):  # nn.RNN one step at a time, so that each h_t is a tensor
            _, h = layer(x[t : t + 1], h)
            states.append(h)
        grads = torch.autograd.grad(h.sum(), states)
    return np.array([float(g.norm()) for g in grads])


def forget_gate_values(
    length: int, weight_scale: float, seed: int = 0, forget_bias: float = FORGET_BIAS
) -> np.ndarray:
    """The forget gate of the LSTM that `gradient_norms` measures: [length, HIDDEN_SIZE]."""
    _, length, weight_scale = _check("lstm", length, weight_scale)
    layer = build_recurrent("lstm", weight_scale, check_seed(seed), forget_bias)
    x = _inputs(seed)[:length]
    h = c = torch.zeros(1, HIDDEN_SIZE, dtype=torch.float64)
    forget = slice(HIDDEN_SIZE, 2 * HIDDEN_SIZE)  # gate order i, f, g, o
    values = []
    with torch.no_grad(), single_thread():
        for x_t in x:
            _, (h_next, c_next) = layer(x_t[None], (h[None], c[None]))
            pre = x_t @ layer.weight_ih_l0.T + h @ layer.weight_hh_l0.T
            values.append(torch.sigmoid(pre + layer.bias_ih_l0 + layer.bias_hh_l0)[0, forget])
            h, c = h_next[0], c_next[0]
    return torch.stack(values).numpy()


def per_step_factor(norms: np.ndarray) -> float:
    """The factor by which a gradient changes per step on average: (first / last)^(1/(T−1))."""
    values = check_reals(norms, "norms", minimum_size=2, what="gradient norms")
    if not np.all(values > 0):
        raise ValueError(f"norms must be positive gradient norms, got {values!r:.80}")
    return float((values[0] / values[-1]) ** (1 / (values.size - 1)))
