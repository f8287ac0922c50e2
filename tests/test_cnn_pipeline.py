"""conv → ReLU → pool on the photo (helpers.core.cnn_pipeline), checked against PyTorch layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers.core.arithmetic import conv_output_size, pool_output_size
from helpers.core.cnn_pipeline import (
    AVERAGE_FILTER,
    EDGE_FILTERS,
    FILTER_NAMES,
    LATER_FILTERS,
    conv_relu_pool,
    edge_filter_bank,
    max_stages,
    photo_stages,
    pipeline_photo,
    run_pipeline,
    shift_changes,
    stage_filters,
    stage_shapes,
)
from helpers.core.conv import conv2d_by_hand
from helpers.core.pooling import pool2d_by_hand
from helpers.lessons.pooling.figures import display_limit

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)


def torch_stack(n_stages: int, later: str = "average") -> nn.Sequential:
    """The pipeline as real PyTorch layers: Conv2d (no bias) → ReLU → MaxPool2d(2), n times."""
    layers: list[nn.Module] = []
    for number in range(1, n_stages + 1):
        bank = torch.tensor(stage_filters(number, later))[:, None]
        conv = (
            nn.Conv2d(1, 3, 3, bias=False)
            if number == 1
            else nn.Conv2d(3, 3, 3, groups=3, bias=False)
        )
        conv = conv.double()
        with torch.no_grad():
            conv.weight.copy_(bank)
        layers += [conv, nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


def test_edge_filters_answer_their_direction():
    step_down = np.zeros((6, 6))
    step_down[:3] = 1.0  # bright above, dark below: a horizontal edge
    step_right = step_down.T.copy()  # bright left, dark right: a vertical edge
    diagonal = np.triu(np.ones((6, 6)), 1)  # bright top-right, dark bottom-left
    for image, name in [
        (step_down, "horizontal"),
        (step_right, "vertical"),
        (diagonal, "diagonal"),
    ]:
        stage = conv_relu_pool(image)
        strongest = [stage.relu[f].max() for f in range(len(FILTER_NAMES))]
        assert FILTER_NAMES[int(np.argmax(strongest))] == name
    # Each filter sums to zero: a flat image gives no response at all.
    assert all(abs(EDGE_FILTERS[name].sum()) == 0 for name in FILTER_NAMES)
    assert not conv_relu_pool(np.full((5, 5), 0.7)).relu.any()
    # The vertical filter is the horizontal one turned a quarter anticlockwise.
    np.testing.assert_array_equal(np.rot90(EDGE_FILTERS["horizontal"]), EDGE_FILTERS["vertical"])


@st.composite
def small_maps(draw):
    channels = draw(st.sampled_from([1, 3]))
    height, width = draw(st.integers(4, 9)), draw(st.integers(4, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(size=(channels, height, width)), draw(st.integers(1, 2))


@SETTINGS
@given(small_maps())
def test_one_stage_equals_conv_relu_pool_by_hand(case):
    x, pool = case
    bank = edge_filter_bank()
    stage = conv_relu_pool(x, bank, pool)
    if x.shape[0] == 1:
        conv = conv2d_by_hand(x, bank[:, None])
    else:  # depthwise: filter f sees channel f only
        conv = np.stack([conv2d_by_hand(x[f : f + 1], bank[f][None, None])[0] for f in range(3)])
    np.testing.assert_allclose(stage.conv, conv, atol=1e-12)
    np.testing.assert_allclose(stage.relu, np.maximum(conv, 0), atol=1e-12)
    np.testing.assert_allclose(stage.pooled, pool2d_by_hand(np.maximum(conv, 0), pool), atol=1e-12)
    assert stage.input_shape == x.shape


def test_pipeline_equals_pytorch_layers_and_the_size_formulas():
    photo = pipeline_photo()
    assert photo.shape == (300, 256) and photo.flags.writeable
    assert 0 <= photo.min() and photo.max() <= 1
    for later in LATER_FILTERS:
        stages = run_pipeline(photo, 3, later)
        with torch.no_grad():
            expected = torch_stack(3, later)(torch.tensor(photo)[None, None])[0].numpy()
        np.testing.assert_allclose(stages[-1].pooled, expected, rtol=1e-10, atol=1e-12)
    shapes = stage_shapes(photo.shape, 6)
    assert shapes == [(1, 300, 256)] + [stage.pooled.shape for stage in photo_stages()]
    assert shapes[1:3] == [(3, 149, 127), (3, 73, 62)]
    for before, after in zip(shapes, shapes[1:]):
        assert after[1:] == pool_output_size(conv_output_size(before[1:], 3), 2)


def test_stage_filters_and_their_shapes():
    np.testing.assert_array_equal(stage_filters(1), edge_filter_bank())
    np.testing.assert_array_equal(stage_filters(2, "edges"), edge_filter_bank())
    assert stage_filters(2).shape == (3, 3, 3)
    np.testing.assert_allclose(stage_filters(3).sum(axis=(1, 2)), 1.0)  # averages keep the level
    assert np.all(stage_filters(2)[0] == AVERAGE_FILTER)
    stage = photo_stages()[1]
    assert [name for name, _ in stage.shapes()][0] == "input"
    assert [shape for _, shape in stage.shapes()] == [
        (3, 149, 127),
        (3, 147, 125),
        (3, 147, 125),
        (3, 73, 62),
    ]


def test_max_stages_counts_what_fits():
    assert max_stages((300, 256)) == 6
    assert max_stages((4, 4)) == 1  # 4 → conv 2 → pool 1
    assert max_stages((3, 3)) == 0  # 3 → conv 1: a 2×2 pool no longer fits
    assert len(photo_stages()) == 6 and len(photo_stages("edges")) == 6


def test_photo_stages_are_computed_afresh_and_read_only():
    first, second = photo_stages(), photo_stages()
    assert first is not second  # no cache: each call runs the pipeline
    for a, b in zip(first, second, strict=True):
        assert a.number == b.number and a.input_shape == b.input_shape
        for name in ("filters", "conv", "relu", "pooled"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    with pytest.raises(ValueError, match="^later"):
        photo_stages("learned")
    stage = first[0]
    for array in (stage.conv, stage.relu, stage.pooled, stage.filters):
        with pytest.raises(ValueError):
            array[0, 0, 0] = 1.0


def test_shift_changes_on_the_photo():
    photo = pipeline_photo()
    first, second = shift_changes(photo, shift=1, n_stages=2)
    # The notebook's claim: after a 1-pixel shift pooled maps change less, and far more of
    # their non-zero values stay exactly the same.
    assert first.stage == 1 and second.stage == 2
    assert first.pooled_change < 0.7 * first.relu_change
    assert first.pooled_unchanged > 10 * first.relu_unchanged
    assert second.relu_change < first.relu_change
    # A shift by the pool's stride moves every window by one output: little is kept.
    (by_two,) = shift_changes(photo, shift=2, n_stages=1)
    assert by_two.pooled_unchanged < 0.05 < first.pooled_unchanged


def test_shift_changes_compares_the_same_places():
    stripes = np.tile([0.0, 1.0], (12, 10))  # period 2: a 2-pixel shift gives the same picture
    (same,) = shift_changes(stripes, shift=2)
    assert same.relu_change == 0 and same.pooled_change == 0
    assert same.relu_unchanged == 1 and same.pooled_unchanged == 1
    ramp = np.tile(np.arange(12.0), (12, 1)) ** 2
    (moved,) = shift_changes(ramp, shift=1)
    assert moved.relu_change > 0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: edge_filter_bank(("horizontal", "sideways")), "^names"),
        (lambda: edge_filter_bank("horizontal"), "^names"),
        (lambda: stage_filters(0), "^number"),
        (lambda: stage_filters(2, "learned"), "^later"),
        (lambda: conv_relu_pool(np.zeros((2, 5, 5))), "^x has 2 channels"),
        (lambda: conv_relu_pool(np.zeros((5,))), "^x must"),
        (lambda: conv_relu_pool(np.zeros((5, 5)), np.zeros((3, 3))), "^filters"),
        (lambda: conv_relu_pool(np.zeros((2, 2))), "kernel_size"),
        (lambda: conv_relu_pool(np.zeros((5, 5)), pool_size=4), "kernel_size"),
        (lambda: run_pipeline(np.zeros((3, 6, 6)), 1), "^image"),
        (lambda: run_pipeline(np.zeros((10, 10)), 3), "^n_stages=3 is too many"),
        (lambda: run_pipeline(np.zeros((10, 10)), -1), "^n_stages"),
        (lambda: stage_shapes((10, 10), -1), "^n_stages"),
        (lambda: shift_changes(np.zeros((8, 8)), shift=8), "^shift=8"),
        (lambda: shift_changes(np.zeros((8, 8)), shift=0), "^shift"),
        (lambda: display_limit(np.ones(3), percentile=0), "^percentile"),
        (lambda: pipeline_photo(0), "^factor"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_display_limit():
    values = np.concatenate([np.linspace(0, 1, 99), [100.0]])
    assert display_limit(values) < 2  # one huge outlier does not darken everything else
    assert display_limit(values, 100) == 100
    assert display_limit(np.zeros((3, 3))) == 1.0
    sparse = np.zeros(1000)
    sparse[:3] = 5.0  # fewer non-zeros than 1%: fall back to the maximum
    assert display_limit(sparse) == 5.0
