"""Parameter counts by formula against the real PyTorch layers."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers.core.arithmetic import as_pair, check_int, conv2d_param_count, linear_param_count


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


META = torch.device("meta")


@settings(max_examples=200, deadline=None)
@given(
    in_features=st.integers(1, 5000),
    out_features=st.integers(1, 5000),
    bias=st.booleans(),
)
def test_linear_param_count_matches_nn_linear(in_features, out_features, bias):
    layer = nn.Linear(in_features, out_features, bias=bias, device=META)
    assert linear_param_count(in_features, out_features, bias) == count(layer)


@st.composite
def conv_shapes(draw):
    groups = draw(st.integers(1, 8))
    in_channels = groups * draw(st.integers(1, 16))
    out_channels = groups * draw(st.integers(1, 16))
    kernel = draw(st.one_of(st.integers(1, 11), st.tuples(st.integers(1, 11), st.integers(1, 11))))
    return in_channels, out_channels, kernel, groups, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(conv_shapes())
def test_conv2d_param_count_matches_nn_conv2d(shape):
    in_channels, out_channels, kernel, groups, bias = shape
    layer = nn.Conv2d(in_channels, out_channels, kernel, groups=groups, bias=bias, device=META)
    assert conv2d_param_count(in_channels, out_channels, kernel, groups, bias) == count(layer)


def test_reference_counts():
    # REFERENCE.md: nn.Conv2d(4, 100, 100) has 4,000,100 parameters; the docs examples 4,785.
    assert conv2d_param_count(4, 100, 100) == 4_000_100
    assert conv2d_param_count(16, 33, 3) == 4_785
    assert conv2d_param_count(16, 33, (3, 5)) == 7_953
    assert linear_param_count(30_000, 1_000, bias=False) == 30_000_000
    assert linear_param_count(10**6, 10**6, bias=False) == 10**12


def test_groups_in_channels_is_depthwise():
    # groups = in_channels: each kernel sees one channel, so depth 1.
    assert conv2d_param_count(8, 16, 3, groups=8, bias=False) == 16 * 1 * 9


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(in_channels=0, out_channels=4, kernel_size=3), "in_channels"),
        (dict(in_channels=4, out_channels=-1, kernel_size=3), "out_channels"),
        (dict(in_channels=4, out_channels=4, kernel_size=0), "kernel_size"),
        (dict(in_channels=4, out_channels=4, kernel_size=(3, 0)), "kernel_size[1]"),
        (dict(in_channels=4, out_channels=4, kernel_size=(3, 3, 3)), "kernel_size"),
        (dict(in_channels=6, out_channels=4, kernel_size=3, groups=4), "in_channels"),
        (dict(in_channels=4, out_channels=6, kernel_size=3, groups=4), "out_channels"),
        (dict(in_channels=4, out_channels=4, kernel_size=3, groups=0), "groups"),
    ],
)
def test_conv2d_param_count_rejects_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=re.escape(name)):
        conv2d_param_count(**kwargs)


@pytest.mark.parametrize("bad", [2.5, "3", None, True])
def test_types_are_checked(bad):
    with pytest.raises(TypeError, match="in_features"):
        linear_param_count(bad, 3)


def test_check_int_and_as_pair():
    assert check_int(0, "padding", minimum=0) == 0
    assert as_pair(3, "kernel_size") == (3, 3)
    assert as_pair((2, 5), "kernel_size") == (2, 5)
    with pytest.raises(ValueError, match="out_features"):
        linear_param_count(3, 0)


# --- check_array: the one reader of arrays for conv, cnn_pipeline, images, image_properties ---


def test_check_array_reads_lists_arrays_and_tensors_that_require_grad():
    from helpers.core.arithmetic import check_array

    grid = [[1, 2], [3, 4]]
    assert check_array(grid, "x", (2,), "(H, W)").tolist() == grid
    tensor = torch.ones(2, 3, requires_grad=True)
    array = check_array(tensor, "x", (2,), "(H, W)")
    assert array.shape == (2, 3) and array.dtype.kind == "f"
    mask = np.zeros((1, 2, 3), dtype=bool)
    assert check_array(mask, "m", (3,), "(C, H, W)", kinds="b").dtype == bool


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        ("edge", {}, TypeError, "x must be an array of numbers, got dtype <U4"),
        ([[1, 2], [3]], {}, TypeError, "x must be an array of numbers, got list"),
        ([[True, False]], {}, TypeError, "got dtype bool"),
        ([1, 2], {}, ValueError, r"x must be a non-empty \(H, W\) array, got shape \(2,\)"),
        (np.zeros((0, 3)), {}, ValueError, r"non-empty \(H, W\) array, got shape \(0, 3\)"),
        ([[1.0, float("nan")]], {}, ValueError, "x must hold finite numbers"),
    ],
)
def test_check_array_names_what_is_wrong(value, kwargs, error, message):
    from helpers.core.arithmetic import check_array

    with pytest.raises(error, match=message):
        check_array(value, "x", (2,), "(H, W)", **kwargs)


def test_check_array_lets_nan_through_when_asked():
    from helpers.core.arithmetic import check_array

    array = check_array([[1.0, float("nan")]], "x", (2,), "(H, W)", finite=False)
    assert np.isnan(array[0, 1])
