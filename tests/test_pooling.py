"""Pooling by hand (helpers.core.pooling), checked against F.max_pool2d and F.avg_pool2d."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.core.arithmetic import pool_output_size
from helpers.core.conv import LECTURE_FILTERS, LECTURE_IMAGE, conv2d_by_hand
from helpers.core.pooling import pool2d_by_hand, pool_argmax

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


def torch_pool(x: np.ndarray, kernel_size, stride, mode: str) -> np.ndarray:
    """F.max_pool2d / F.avg_pool2d on a float64 copy of x ((H, W) or (C, H, W))."""
    tensor = torch.tensor(x)[None] if x.ndim == 3 else torch.tensor(x)[None, None]
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    out = pool(tensor, kernel_size, stride)
    return out.reshape(*x.shape[:-2], *out.shape[-2:]).numpy()


def test_lecture_maps_pool_to_2x2():
    maps = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])
    pooled = pool2d_by_hand(maps, 2)
    assert pooled.shape == (2, 2, 2)  # the 6x6 image ends as 2x2x2
    np.testing.assert_array_equal(pooled, [[[3, 0], [3, 1]], [[-1, 1], [0, 3]]])
    np.testing.assert_array_equal(pooled, torch_pool(maps, 2, None, "max"))
    averaged = pool2d_by_hand(maps, 2, mode="avg")
    np.testing.assert_allclose(averaged, torch_pool(maps, 2, None, "avg"))
    assert averaged[0, 0, 0] == (3 - 1 - 3 + 1) / 4
    # Filter 1's top-left maximum 3 is the map's first value, (0, 0).
    assert pool_argmax(maps, 2)[0, 0, 0].tolist() == [0, 0]


@st.composite
def pool_cases(draw):
    """A pooling PyTorch accepts; values are small integers so that windows have ties."""
    shape = draw(
        st.one_of(
            st.tuples(st.integers(1, 7), st.integers(1, 7)),
            st.tuples(st.integers(1, 3), st.integers(1, 7), st.integers(1, 7)),
        )
    )
    kernel = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    stride = draw(
        st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    )
    try:
        pool_output_size(shape[-2:], kernel, stride)
    except ValueError:
        assume(False)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    values = rng.integers(-2, 3, size=shape) if draw(st.booleans()) else rng.normal(size=shape)
    return values.astype(np.float64), kernel, stride


@SETTINGS
@given(pool_cases(), st.sampled_from(["max", "avg"]))
def test_pool2d_by_hand_matches_torch(case, mode):
    x, kernel, stride = case
    ours = pool2d_by_hand(x, kernel, stride, mode)
    expected = torch_pool(x, kernel, stride, mode)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@SETTINGS
@given(pool_cases())
def test_argmax_matches_torch_indices(case):
    x, kernel, stride = case
    x3 = x if x.ndim == 3 else x[None]
    _, indices = F.max_pool2d(torch.tensor(x3)[None], kernel, stride, return_indices=True)
    positions = pool_argmax(x3, kernel, stride)
    # PyTorch gives the flat index row * W + col in each channel; ties go to the first.
    np.testing.assert_array_equal(
        positions[..., 0] * x.shape[-1] + positions[..., 1], indices[0].numpy()
    )
    # The 2-D form gives the same positions without the channel axis.
    if x.ndim == 2:
        np.testing.assert_array_equal(pool_argmax(x, kernel, stride), positions[0])


def test_stride_defaults_to_kernel_and_overlap_works():
    x = np.arange(16.0).reshape(4, 4)
    assert pool2d_by_hand(x, 2).tolist() == [[5, 7], [13, 15]]
    assert pool2d_by_hand(x, 2, stride=1).shape == (3, 3)
    assert pool2d_by_hand(x, (1, 4), mode="avg").ravel().tolist() == [1.5, 5.5, 9.5, 13.5]


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: pool2d_by_hand(np.zeros((4, 4)), 2, mode="min"), "^mode"),
        (lambda: pool2d_by_hand(np.zeros(4), 2), "^x must"),
        (lambda: pool2d_by_hand(np.zeros((1, 1, 4, 4)), 2), "^x must"),
        (lambda: pool2d_by_hand(np.zeros((3, 3)), 4), "kernel_size"),
        (lambda: pool2d_by_hand(np.zeros((3, 3)), 2, stride=0), "^stride"),
        (lambda: pool_argmax(np.zeros((3, 3)), 0), "^kernel_size"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("size", "kernel", "stride"), [(7, 2, 2), (5, 3, 2), (8, 3, 3), (5, 6, 2)])
def test_ceil_mode_matches_pytorch(mode, size, kernel, stride):
    x = np.arange(size * size, dtype=np.float64).reshape(size, size) % 7
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    expected = pool(torch.tensor(x)[None], kernel, stride, ceil_mode=True)[0].numpy()
    got = pool2d_by_hand(x, kernel, stride, mode=mode, ceil_mode=True)
    assert got.shape == expected.shape
    assert np.allclose(got, expected)
