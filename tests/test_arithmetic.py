"""Parameter counts by formula against the real PyTorch layers."""

import re

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
