"""Gradients along time (notebook 08): the unrolled loop against the helpers, and the
measurements its prose relies on."""

import numpy as np
import pytest
import torch

from helpers.core.gradients import (
    HIDDEN_SIZE,
    build_recurrent,
    forget_gate_values,
    gradient_inputs,
    gradient_norms,
    hidden_gradient_norms,
    per_step_factor,
)
from helpers.lessons import cnn_vs_rnn


def unrolled(scale, length, activation=torch.tanh):
    """The notebook's loop: hidden states, ∂loss/∂h_t norms and ∂loss/∂x_t norms."""
    rnn = build_recurrent("rnn", scale)
    x = gradient_inputs(length).clone().requires_grad_(True)
    b = rnn.bias_ih_l0 + rnn.bias_hh_l0
    h, states = torch.zeros(1, HIDDEN_SIZE, dtype=torch.float64), []
    for x_t in x:
        h = activation(x_t @ rnn.weight_ih_l0.T + h @ rnn.weight_hh_l0.T + b)
        h.retain_grad()
        states.append(h)
    h.sum().backward()
    return rnn, x, h, [s.grad.norm().item() for s in states]


@pytest.mark.parametrize(("scale", "length"), [(0.5, 12), (1.0, 30), (2.0, 20)])
def test_the_unrolled_loop_equals_the_helpers(scale, length):
    rnn, x, h, by_hand = unrolled(scale, length)
    assert torch.allclose(h, rnn(x)[0][-1])
    assert np.allclose(by_hand, hidden_gradient_norms(length, scale))
    assert np.allclose(x.grad.norm(dim=(1, 2)).numpy(), gradient_norms("rnn", length, scale))
    assert by_hand[-1] == pytest.approx(np.sqrt(HIDDEN_SIZE))  # ‖(1, ..., 1)‖


def test_gradient_inputs_is_the_measured_sequence():
    assert gradient_inputs(5).shape == (5, 1, 4)
    assert torch.equal(gradient_inputs(5), gradient_inputs(100)[:5])
    with pytest.raises(ValueError, match="length"):
        gradient_inputs(101)


def test_the_linear_rnn_exercise_is_what_the_changed_loop_gives():
    case = cnn_vs_rnn.LINEAR_CASE
    *_, norms = unrolled(case["weight_scale"], case["length"], activation=lambda v: v)
    ratio = norms[-1] / norms[0]
    assert ratio == pytest.approx(cnn_vs_rnn.linear_rnn_exercise().answer, rel=1e-9)
    assert ratio == pytest.approx(2 ** (case["length"] - 1))
    assert cnn_vs_rnn.check_linear_rnn(round(ratio, 2)).correct


def test_the_half_shut_forget_gate_and_the_per_step_factor():
    gate = forget_gate_values(100, 1.0, forget_bias=0.0)
    assert gate.shape == (100, HIDDEN_SIZE)
    assert 0.45 < gate.mean() < 0.55  # "about 0.5", as the notebook says
    norms = gradient_norms("lstm", 100, 1.0, forget_bias=0.0)
    factor = per_step_factor(norms)
    assert factor == pytest.approx((norms[0] / norms[-1]) ** (1 / 99))
    assert gate[1:].prod(axis=0).max() < factor**99  # slower than the memory path alone
    assert 0.9 < forget_gate_values(100, 1.0).mean() < 1  # bias 3: near 1


@pytest.mark.parametrize("norms", [[1.0], [0.0, 1.0], [[1.0, 2.0]], [1.0, float("nan")]])
def test_per_step_factor_names_bad_input(norms):
    with pytest.raises(ValueError, match="norms"):
        per_step_factor(norms)


def test_the_explorer_labels_fit():
    explorer = cnn_vs_rnn.gradient_explorer()
    widths = {c.description: c.style.description_width for c in explorer.controls.values()}
    assert widths == {"sequence length": "170px", "recurrent weight scale": "170px"}
