"""Convolution by hand and as a matrix (helpers.core.conv), checked against F.conv2d."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.core.arithmetic import conv_output_size, conv_padding_amounts
from helpers.core.conv import (
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    conv2d_by_hand,
    conv_as_matrix,
    conv_weight_indices,
    conv_windows,
)

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True)

# The two 4x4 feature maps on the lecture's slides (Lee, CNN lecture), filter 1 then filter 2.
LECTURE_MAPS = np.array(
    [
        [[3, -1, -3, -1], [-3, 1, 0, -3], [-3, -3, 0, 1], [3, -2, -2, -1]],
        [[-1, -1, -1, -1], [-1, -1, -2, 1], [-1, -1, -2, 1], [-1, 0, -4, 3]],
    ]
)


def torch_conv(x, weight, bias=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """F.conv2d on float64 copies, unbatched: (C, H, W) -> (O, H', W')."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'same' with an even kernel warns about a copy
        out = F.conv2d(
            torch.tensor(x)[None],
            torch.tensor(weight),
            None if bias is None else torch.tensor(bias),
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
    return out[0].numpy()


def test_lecture_constants():
    assert LECTURE_IMAGE.shape == (6, 6)
    assert LECTURE_IMAGE.sum() == 12
    assert LECTURE_FILTERS.shape == (2, 3, 3)
    assert np.array_equal(np.diag(LECTURE_FILTERS[0]), [1, 1, 1])
    assert np.array_equal(LECTURE_FILTERS[1][:, 1], [1, 1, 1])
    with pytest.raises(ValueError):
        LECTURE_IMAGE[0, 0] = 5  # read-only: a notebook cannot spoil it


def test_lecture_feature_maps():
    maps = conv2d_by_hand(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None])
    assert maps.shape == (2, 4, 4)
    assert list(maps[0, 0, :2]) == [3, -1]  # the two values the article names
    np.testing.assert_array_equal(maps, LECTURE_MAPS)
    np.testing.assert_allclose(maps, torch_conv(LECTURE_IMAGE[None], LECTURE_FILTERS[:, None]))


@st.composite
def conv_cases(draw):
    """A random convolution that PyTorch accepts, with its data drawn from a seeded generator."""
    channels, out_channels = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    size = (draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    dilation = draw(st.one_of(st.integers(1, 2), st.tuples(st.integers(1, 2), st.integers(1, 2))))
    padding = draw(
        st.one_of(
            st.integers(0, 2),
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
            st.just("valid"),
            st.just("same") if stride in (1, (1, 1)) else st.just(0),
        )
    )
    try:
        conv_output_size(size, kernel, stride, padding, dilation)
    except ValueError:
        assume(False)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(size=(channels, *size))
    weight = rng.normal(size=(out_channels, channels, *kernel))
    bias = rng.normal(size=out_channels) if draw(st.booleans()) else None
    return x, weight, bias, stride, padding, dilation


@SETTINGS
@given(conv_cases())
def test_conv2d_by_hand_matches_torch(case):
    x, weight, bias, stride, padding, dilation = case
    ours = conv2d_by_hand(x, weight, bias, stride, padding, dilation)
    expected = torch_conv(x, weight, bias, stride, padding, dilation)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(conv_cases())
def test_windows_say_what_each_output_reads(case):
    x, weight, _, stride, padding, dilation = case
    kernel = weight.shape[2:]
    windows = conv_windows(x.shape[1:], kernel, stride, padding, dilation)
    (top, bottom), (left, right) = conv_padding_amounts(kernel, stride, padding, dilation)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    rows, cols = windows[..., 0], windows[..., 1]
    # Output (o, i, j) = sum over channels and taps of padded[c, rows[i,j,a,b], cols[i,j,a,b]].
    from_windows = np.einsum("cijab,ocab->oij", padded[:, rows, cols], weight)
    np.testing.assert_allclose(from_windows, torch_conv(x, weight, None, stride, padding, dilation))


@st.composite
def matrix_cases(draw):
    size = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    kernel_shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = draw(st.integers(1, 2))
    padding = draw(
        st.one_of(
            st.integers(0, 2),
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
            st.just("same") if stride == (1, 1) else st.just("valid"),
        )
    )
    try:
        conv_output_size(size, kernel_shape, stride, padding, dilation)
    except ValueError:
        assume(False)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.normal(size=kernel_shape), rng.normal(size=size), stride, padding, dilation


@SETTINGS
@given(matrix_cases())
def test_matrix_times_image_is_the_convolution(case):
    kernel, image, stride, padding, dilation = case
    matrix = conv_as_matrix(kernel, image.shape, stride, padding, dilation)
    expected = torch_conv(image[None], kernel[None, None], None, stride, padding, dilation)[0]
    assert matrix.shape == (expected.size, image.size)
    np.testing.assert_allclose(matrix @ image.ravel(), expected.ravel(), rtol=0, atol=1e-9)
    # Weight sharing: every nonzero entry is one of the kernel's weights, at its index.
    indices = conv_weight_indices(kernel.shape, image.shape, stride, padding, dilation)
    assert np.array_equal(indices >= 0, matrix != 0)
    np.testing.assert_array_equal(matrix[indices >= 0], kernel.ravel()[indices[indices >= 0]])


def test_lecture_image_as_a_fully_connected_layer():
    matrix = conv_as_matrix(LECTURE_FILTERS[0], 6)
    indices = conv_weight_indices(3, 6)
    assert matrix.shape == (16, 36)
    assert np.count_nonzero(matrix) == 144
    assert (np.count_nonzero(matrix, axis=1) == 9).all()  # each output sees 9 inputs
    assert set(np.unique(indices)) == set(range(-1, 9))  # 9 shared weights (and -1 for zero)
    assert all(list(row[row >= 0]) == list(range(9)) for row in indices)
    assert set(np.flatnonzero(matrix[0]) + 1) == {1, 2, 3, 7, 8, 9, 13, 14, 15}
    # The second output is the first one moved one pixel right.
    assert set(np.flatnonzero(matrix[1]) + 1) == {2, 3, 4, 8, 9, 10, 14, 15, 16}
    for kernel, feature_map in zip(LECTURE_FILTERS, LECTURE_MAPS, strict=True):
        product = conv_as_matrix(kernel, 6) @ LECTURE_IMAGE.ravel()
        np.testing.assert_array_equal(product, feature_map.ravel())


def test_padding_has_no_column():
    # 3x3 kernel, padding 1 on a 4x4 input: the corner output reads only 4 real pixels.
    indices = conv_weight_indices(3, 4, padding=1)
    assert indices.shape == (16, 16)
    assert list(indices[0][indices[0] >= 0]) == [4, 5, 7, 8]
    assert list(np.flatnonzero(indices[0] >= 0)) == [0, 1, 4, 5]
    assert (indices[5] >= 0).sum() == 9  # an inner output reads a full window


def test_lecture_windows():
    windows = conv_windows(6, 3)
    assert windows.shape == (4, 4, 3, 3, 2)
    assert windows[0, 0, 0, 0].tolist() == [0, 0]
    assert windows[3, 3, 2, 2].tolist() == [5, 5]
    assert windows[1, 2, 0, 0].tolist() == [1, 2]
    strided = conv_windows(5, 3, stride=2, padding=1)  # the article's example: 3x3 output
    assert strided.shape[:2] == (3, 3)
    assert strided[2, 2, 2, 2].tolist() == [6, 6]  # last tap on the 7x7 padded input


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: conv2d_by_hand(np.zeros((4, 4)), np.zeros((1, 1, 3, 3))), "^x must"),
        (lambda: conv2d_by_hand(np.zeros((1, 4, 4)), np.zeros((1, 3, 3))), "^weight must"),
        (lambda: conv2d_by_hand(np.zeros((2, 4, 4)), np.zeros((1, 1, 3, 3))), "^weight has"),
        (lambda: conv2d_by_hand(np.zeros((1, 4, 4)), np.zeros((2, 1, 3, 3)), [1.0]), "^bias must"),
        (lambda: conv2d_by_hand(np.zeros((1, 2, 2)), np.zeros((1, 1, 3, 3))), "kernel_size"),
        (
            lambda: conv2d_by_hand(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), None, 2, "same"),
            "padding='same'",
        ),
        (lambda: conv_as_matrix(np.ones(3), 6), "^kernel must"),
        (lambda: conv_as_matrix(np.ones((3, 3)), 0), "^input_size"),
        (lambda: conv_windows(6, 3, padding=-1), "^padding"),
        (lambda: conv_weight_indices(3, 6, stride=0), "^stride"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
