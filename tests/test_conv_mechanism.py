"""Notebooks 01-03's mechanisms: the plain product-sum beside the normalised star match, the
filter fitted by gradient descent (its figure and widget), and the exercises that change the
notebooks' own loops, each answer checked against PyTorch or numpy computed another way."""

import re

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.core.conv import (
    EDGE_TARGET,
    FIT_LEARNING_RATE,
    FIT_STEPS,
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    WORKED_BIAS,
    WORKED_INPUT,
    WORKED_PADDING,
    WORKED_STRIDE,
    WORKED_WEIGHTS,
    conv2d_by_hand,
    fit_filter,
    fit_images,
)
from helpers.core.image_properties import detect_stars
from helpers.lessons import padding_and_stride, weight_sharing, why_cnn

matplotlib.use("Agg")


# --- 01: what a conv layer computes vs the normalised match --------------------------------


def test_the_plain_response_is_the_convolution_of_the_flag_with_the_detector():
    d = detect_stars()
    x = torch.tensor(d.flag)[None, None]
    w = torch.tensor(d.template)[None, None]
    assert np.allclose(d.plain_response, F.conv2d(x, w)[0, 0].numpy())


def test_the_four_strongest_plain_peaks_are_stars_but_not_the_fifth_star():
    """What notebook 01 says of the fourth panel: four stars lead, the shadowed one ranks low."""
    d = detect_stars()
    assert set(d.plain_peaks[:4]) <= set(d.peaks)
    ranks = sorted(d.plain_rank(peak) for peak in d.peaks)
    assert ranks[:4] == [1, 2, 3, 4] and ranks[4] > len(d.peaks)
    assert d.plain_rank((0, 0)) is None


def test_the_match_figure_has_a_colour_scale_for_both_maps():
    fig = why_cnn.figure_same_pattern_anywhere()
    labels = {ax.get_ylabel() for ax in fig.axes}
    assert {"normalised correlation", "sum of pixel × weight"} <= labels


# --- 03: how a network learns --------------------------------------------------------------


def numpy_mse_gradient(kernel: np.ndarray) -> np.ndarray:
    """The gradient of the mean squared error for a 3x3 kernel, from the windows by hand."""
    images = fit_images().numpy()[:, 0]
    count, side = images.shape[0], images.shape[-1] - 2
    windows = np.array(
        [
            images[n, i : i + 3, j : j + 3]
            for n in range(count)
            for i in range(side)
            for j in range(side)
        ]
    )
    outputs = (windows * kernel).sum(axis=(1, 2))
    wanted = (windows * EDGE_TARGET).sum(axis=(1, 2))
    return 2 * ((outputs - wanted)[:, None, None] * windows).mean(axis=0)


def test_each_step_is_minus_the_learning_rate_times_the_gradient():
    fit = fit_filter(steps=3)
    for t in range(3):
        step = -FIT_LEARNING_RATE * numpy_mse_gradient(fit.kernels[t].astype(np.float64))
        assert np.allclose(fit.kernels[t + 1] - fit.kernels[t], step, atol=1e-5), t


@pytest.mark.parametrize("learning_rate", [FIT_LEARNING_RATE, 0.9])
def test_the_written_out_step_is_torch_optim_sgd(learning_rate):
    # Notebook 03 says its plain step is the one optimizer.step() makes: train with SGD itself.
    steps = 20
    fit = fit_filter(steps=steps, learning_rate=learning_rate)
    images = fit_images()
    wanted = F.conv2d(images, torch.tensor(EDGE_TARGET, dtype=torch.float32)[None, None])
    conv = torch.nn.Conv2d(1, 1, 3, bias=False)
    torch.nn.init.zeros_(conv.weight)
    optimizer = torch.optim.SGD(conv.parameters(), lr=learning_rate)
    losses = []
    for _ in range(steps):
        loss = F.mse_loss(conv(images), wanted)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # float32 rounding: SGD adds -lr · grad in one fused call, the plain step in two
    assert np.allclose(losses, fit.losses, rtol=1e-5)
    assert np.allclose(conv.weight[0, 0].detach().numpy(), fit.kernels[-1], atol=1e-5)


def test_the_loss_falls_and_the_kernel_converges_to_the_edge_filter():
    fit = fit_filter()
    assert fit.kernels.shape == (FIT_STEPS + 1, 3, 3) and fit.losses.shape == (FIT_STEPS,)
    assert not fit.kernels[0].any()  # it starts at zero
    assert np.all(np.diff(fit.losses) < 0)
    assert fit.losses[-1] < 1e-4 * fit.losses[0]
    assert np.abs(fit.kernels[-1] - EDGE_TARGET).max() < 0.01
    wanted = F.conv2d(fit_images(), torch.tensor(EDGE_TARGET, dtype=torch.float32)[None, None])
    assert fit.losses[0] == pytest.approx(float((wanted**2).mean()), rel=1e-5)


def test_too_large_a_learning_rate_overshoots():
    fit = fit_filter(learning_rate=0.9)
    assert fit.losses[-1] > fit.losses[0]


def test_fitting_twice_gives_the_same_kernels():
    first, second = fit_filter(), fit_filter()
    assert np.array_equal(first.kernels, second.kernels)


@pytest.mark.parametrize(
    ("arguments", "error", "words"),
    [
        ({"steps": 0}, ValueError, "steps must be a whole number from 1"),
        ({"steps": True}, ValueError, "steps must be"),
        ({"steps": 2.5}, ValueError, "steps must be"),
        ({"learning_rate": 0}, ValueError, "learning_rate must be above 0"),
        ({"learning_rate": "0.1"}, TypeError, "learning_rate must be a number"),
        ({"target": np.ones((2, 2))}, ValueError, "target must be a 3x3 kernel"),
        ({"target": "edge"}, TypeError, "target must be an array of numbers"),
    ],
)
def test_fit_filter_names_what_is_wrong(arguments, error, words):
    with pytest.raises(error, match=re.escape(words)):
        fit_filter(**arguments)


def test_the_learning_figure_is_labelled_with_a_colour_scale():
    fig = weight_sharing.figure_learning()
    loss_ax = fig.axes[0]
    assert loss_ax.get_xlabel() == "step" and "loss" in loss_ax.get_ylabel()
    assert loss_ax.get_yscale() == "log"
    assert any(ax.get_ylabel() == "weight" for ax in fig.axes)  # the colour bar
    titles = [ax.get_title() for ax in fig.axes]
    assert "target" in titles and f"after {FIT_STEPS} steps" in titles


def test_the_learning_view_shows_the_kernel_at_the_chosen_step():
    fit = fit_filter()
    html = weight_sharing.learning_view(step=10)
    assert "kernel after step 10" in html and "falling" in html
    for value in fit.kernels[10].ravel():
        assert f">{value:.1f}<".replace("-0.0", "0.0") in html
    assert "overshoot" in weight_sharing.learning_view(step=5, learning_rate=0.9)
    assert "<svg" in weight_sharing.learning_view(step=FIT_STEPS, learning_rate=0.5)  # loss 0


@pytest.mark.parametrize(
    ("step", "error"), [(0, ValueError), (FIT_STEPS + 1, ValueError), (1.5, TypeError)]
)
def test_the_learning_view_refuses_a_step_outside_the_run(step, error):
    with pytest.raises(error, match="step must be"):
        weight_sharing.learning_view(step=step)


def test_the_learning_widget_redraws_when_a_slider_moves():
    explorer = weight_sharing.learning_explorer()
    explorer.controls["step"].value = 7
    assert "kernel after step 7" in explorer.view.value
    explorer.controls["learning_rate"].value = 0.9
    assert "overshoot" in explorer.view.value
    for control in explorer.controls.values():
        assert len(control.description) <= 16  # no label cut off by the slider's label width


# --- The exercises that change the notebooks' own mechanisms ---------------------------------


def test_01_rect_kernel_answer_is_pytorchs_count():
    layer = nn.Conv2d(
        why_cnn.RECT_CHANNELS, why_cnn.RECT_KERNELS, why_cnn.RECT_KERNEL, device="meta"
    )
    assert why_cnn.rect_kernel_params_exercise().answer == sum(
        p.numel() for p in layer.parameters()
    )


def test_02_replicate_answer_is_the_edge_padded_input_convolved():
    padded = np.pad(WORKED_INPUT, ((0, 0), (1, 1), (1, 1)), mode="edge")
    outputs = conv2d_by_hand(padded, WORKED_WEIGHTS, WORKED_BIAS, stride=WORKED_STRIDE)
    assert WORKED_PADDING == 1
    row, col = padding_and_stride.REPLICATE_POSITION
    assert padding_and_stride.replicate_padding_exercise().answer == outputs[0, row, col]


def test_03_strided_answer_is_pytorchs_strided_convolution():
    image = torch.tensor(LECTURE_IMAGE)[None, None]
    kernel = torch.tensor(LECTURE_FILTERS[:1])[:, None]
    expected = F.conv2d(image, kernel, stride=weight_sharing.STRIDED_STRIDE)[0, 0]
    answer = weight_sharing.strided_matrix_exercise().answer
    assert answer == tuple(expected.ravel().tolist())
