"""Gradients along time: measured norms behave as the theory says, and the view is honest."""

from html import escape
from xml.etree import ElementTree

import numpy as np
import pytest
import torch

from helpers.core.gradients import (
    FLOOR,
    FORGET_BIAS,
    HIDDEN_SIZE,
    KINDS,
    build_recurrent,
    decay_summary,
    gradient_norms,
)
from helpers.lessons.cnn_vs_rnn import gradient_view
from helpers.ui.svg import log_line_chart


def test_recurrent_weights_are_scaled_orthogonal():
    for kind in KINDS:
        layer = build_recurrent(kind, 1.5)
        blocks = layer.weight_hh_l0.detach().split(HIDDEN_SIZE)
        for block in blocks:
            singular = torch.linalg.svdvals(block)
            assert torch.allclose(singular, torch.full_like(singular, 1.5))
    lstm = build_recurrent("lstm", 1.0)
    forget = slice(HIDDEN_SIZE, 2 * HIDDEN_SIZE)
    assert torch.all(lstm.bias_ih_l0[forget] == FORGET_BIAS)


def test_gradient_norms_equal_a_separate_autograd_run():
    norms = gradient_norms("rnn", 20, 1.0)
    layer = build_recurrent("rnn", 1.0)
    x = torch.randn(100, 1, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    x = x[:20].clone().requires_grad_(True)
    out, _ = layer(x)
    out[-1].sum().backward()
    assert np.allclose(norms, x.grad.norm(dim=(1, 2)).numpy())


def test_vanilla_rnn_vanishes_and_lstm_keeps_the_gradient():
    rnn = gradient_norms("rnn", 100, 1.0)
    lstm = gradient_norms("lstm", 100, 1.0)
    assert rnn[0] / rnn[-1] < 1e-5  # after 100 steps almost nothing reaches the first input
    assert lstm[0] / lstm[-1] > 1e-2  # the forget gate near 1 carries it
    shorter = gradient_norms("rnn", 10, 1.0)
    assert shorter[0] / shorter[-1] > rnn[0] / rnn[-1]  # longer sequences vanish more


def test_large_recurrent_weights_explode():
    rnn = gradient_norms("rnn", 100, 2.0)
    assert rnn[0] / rnn[-1] > 1e3
    small = gradient_norms("rnn", 100, 0.5)
    assert small[0] / small[-1] < 1e-20


def test_results_are_deterministic():
    first = gradient_norms("lstm", 50, 1.25, seed=3)
    assert np.array_equal(first, gradient_norms("lstm", 50, 1.25, seed=3))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(kind="gru", length=10, weight_scale=1.0), "kind"),
        (dict(kind="rnn", length=1, weight_scale=1.0), "length"),
        (dict(kind="rnn", length=101, weight_scale=1.0), "length"),
        (dict(kind="rnn", length=10, weight_scale=0.0), "weight_scale"),
        (dict(kind="rnn", length=10, weight_scale=11.0), "weight_scale"),
    ],
)
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        gradient_norms(**kwargs)
    with pytest.raises(TypeError, match="weight_scale"):
        gradient_norms("rnn", 10, "1")


def test_view_reports_the_measured_ratios():
    html = gradient_view(100, 1.0)
    rnn = gradient_norms("rnn", 100, 1.0)
    assert escape(decay_summary(rnn)) in html
    svg = html.split("<ul>")[0]
    root = ElementTree.fromstring(svg)
    lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(lines) == 2 and len(lines[0].get("points").split()) == 100
    assert "smaller" in decay_summary(np.array([1e-9, 1.0]))
    assert "larger" in decay_summary(np.array([1e3, 1.0]))
    assert decay_summary(np.array([0.0, 1.0])).startswith(
        f"the first step's gradient is {1 / FLOOR:.1e}"
    )


def test_log_line_chart_rejects_non_positive_values():
    with pytest.raises(ValueError, match="series"):
        log_line_chart({"a": [1.0, 0.0]}, "t", "x", "y")
    with pytest.raises(ValueError, match="series"):
        log_line_chart({}, "t", "x", "y")


def test_an_lstm_only_keeps_the_gradient_when_its_forget_gate_is_open():
    closed = gradient_norms("lstm", 100, 1.0, forget_bias=0.0)
    open_ = gradient_norms("lstm", 100, 1.0, forget_bias=FORGET_BIAS)
    assert closed[0] / closed[-1] < 1e-10  # forget gate ≈ 0.5: the cell halves each step
    assert open_[0] / open_[-1] > 1e4 * closed[0] / closed[-1]
