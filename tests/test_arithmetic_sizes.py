"""Output sizes and receptive fields in helpers.core.arithmetic, checked against PyTorch itself."""

from __future__ import annotations

import re
import warnings

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch import nn

from helpers.core.arithmetic import (
    ReceptiveFieldStep,
    conv_output_size,
    conv_padding_amounts,
    effective_kernel_size,
    pool_output_size,
    receptive_field,
    receptive_field_table,
)

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _has_pair(*values) -> bool:
    return any(isinstance(value, tuple) for value in values)


def _torch_output(layer_factory, size):
    """Spatial output shape of the layer on a (1, 1, H, W) zero input, or the exception."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-element init, 'same' with even kernels
        try:
            layer = layer_factory()
            return tuple(layer(torch.zeros(1, 1, *_pair(size))).shape[-2:])
        except (RuntimeError, ValueError) as error:
            return error


def _check_against_torch(helper, torch_result, culprits: set[str], returns_pair: bool) -> None:
    """Helper agrees with PyTorch: same size where it works, ValueError naming a culprit if not."""
    if isinstance(torch_result, Exception):
        with pytest.raises(ValueError) as caught:
            helper()
        message = str(caught.value)
        assert any(name in message for name in culprits), (message, culprits, torch_result)
    else:
        result = helper()
        assert isinstance(result, tuple) == returns_pair
        assert _pair(result) == torch_result


def _conv_culprits(size, kernel_size, stride, padding, dilation) -> set[str]:
    """Arguments PyTorch can object to, found by simple range checks only."""
    found = set()
    for name, value in (("size", size), ("kernel_size", kernel_size), ("stride", stride)):
        if min(_pair(value)) < 1:
            found.add(name)
    if min(_pair(dilation)) < 1:
        found.add("dilation")
    if isinstance(padding, str):
        if padding == "same" and _pair(stride) != (1, 1):
            found.add("padding")
    elif min(_pair(padding)) < 0:
        found.add("padding")
    return found or {"kernel_size"}  # nothing out of range: the kernel does not fit


def _pool_culprits(size, kernel_size, stride, padding, dilation) -> set[str]:
    found = set()
    for name, value in (("size", size), ("kernel_size", kernel_size), ("dilation", dilation)):
        if min(_pair(value)) < 1:
            found.add(name)
    if stride is not None and min(_pair(stride)) < 1:
        found.add("stride")
    pads, kernel = _pair(padding), _pair(kernel_size)
    if min(pads) < 0 or any(p > k // 2 for p, k in zip(pads, kernel, strict=True)):
        found.add("padding")
    return found or {"kernel_size"}


def int_or_pair(values: st.SearchStrategy[int]) -> st.SearchStrategy:
    return st.one_of(values, st.tuples(values, values))


# Mostly valid ranges (where the kernel may still not fit), and ranges with 0 and negatives.
CONV_USUAL = {
    "size": int_or_pair(st.integers(1, 8)),
    "kernel_size": int_or_pair(st.integers(1, 5)),
    "stride": int_or_pair(st.integers(1, 3)),
    "padding": st.one_of(int_or_pair(st.integers(0, 3)), st.sampled_from(["same", "valid"])),
    "dilation": int_or_pair(st.integers(1, 3)),
}
CONV_WILD = {
    "size": int_or_pair(st.integers(-1, 6)),
    "kernel_size": int_or_pair(st.integers(-1, 4)),
    "stride": int_or_pair(st.integers(-1, 2)),
    "padding": st.one_of(int_or_pair(st.integers(-2, 2)), st.sampled_from(["same", "valid"])),
    "dilation": int_or_pair(st.integers(-1, 2)),
}


def _check_conv(size, kernel_size, stride, padding, dilation) -> None:
    torch_result = _torch_output(
        lambda: nn.Conv2d(
            1, 1, kernel_size, stride=stride, padding=padding, dilation=dilation, bias=False
        ),
        size,
    )
    _check_against_torch(
        lambda: conv_output_size(size, kernel_size, stride, padding, dilation),
        torch_result,
        _conv_culprits(size, kernel_size, stride, padding, dilation),
        _has_pair(size, kernel_size, stride, padding, dilation),
    )


@SETTINGS
@given(**CONV_USUAL)
@example(size=5, kernel_size=3, stride=2, padding=1, dilation=1)  # the article's example
@example(size=5, kernel_size=6, stride=1, padding=0, dilation=1)  # kernel too large
@example(size=4, kernel_size=4, stride=1, padding="same", dilation=2)  # uneven 'same'
@example(size=5, kernel_size=3, stride=(1, 2), padding="same", dilation=1)  # strided 'same'
def test_conv_output_size_matches_conv2d(size, kernel_size, stride, padding, dilation):
    _check_conv(size, kernel_size, stride, padding, dilation)


@SETTINGS
@given(**CONV_WILD)
@example(size=0, kernel_size=1, stride=1, padding=1, dilation=1)  # empty input, even padded
@example(size=3, kernel_size=1, stride=1, padding=(0, -1), dilation=1)
def test_conv_output_size_rejects_what_conv2d_rejects(size, kernel_size, stride, padding, dilation):
    _check_conv(size, kernel_size, stride, padding, dilation)


POOL_USUAL = {
    "size": int_or_pair(st.integers(1, 9)),
    "kernel_size": int_or_pair(st.integers(1, 5)),
    "stride": st.one_of(st.none(), int_or_pair(st.integers(1, 3))),
    "padding": int_or_pair(st.integers(0, 2)),
    "dilation": int_or_pair(st.integers(1, 3)),
    "ceil_mode": st.booleans(),
}
POOL_WILD = {
    "size": int_or_pair(st.integers(-1, 6)),
    "kernel_size": int_or_pair(st.integers(-1, 4)),
    "stride": st.one_of(st.none(), int_or_pair(st.integers(-1, 2))),
    "padding": int_or_pair(st.integers(-1, 3)),
    "dilation": int_or_pair(st.integers(-1, 2)),
    "ceil_mode": st.booleans(),
}


def _check_pool(size, kernel_size, stride, padding, dilation, ceil_mode) -> None:
    culprits = _pool_culprits(size, kernel_size, stride, padding, dilation)
    returns_pair = _has_pair(size, kernel_size, stride, padding, dilation)

    def helper():
        return pool_output_size(size, kernel_size, stride, padding, dilation, ceil_mode)

    max_result = _torch_output(
        lambda: nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode), size
    )
    _check_against_torch(helper, max_result, culprits, returns_pair)
    if _pair(dilation) == (1, 1):  # AvgPool2d has no dilation
        avg_result = _torch_output(
            lambda: nn.AvgPool2d(kernel_size, stride, padding, ceil_mode=ceil_mode), size
        )
        _check_against_torch(helper, avg_result, culprits, returns_pair)


@SETTINGS
@given(**POOL_USUAL)
@example(size=5, kernel_size=6, stride=2, padding=0, dilation=1, ceil_mode=True)  # fits, ceil
@example(size=5, kernel_size=6, stride=2, padding=0, dilation=1, ceil_mode=False)
@example(size=5, kernel_size=2, stride=2, padding=1, dilation=1, ceil_mode=True)
@example(size=9, kernel_size=3, stride=1, padding=2, dilation=3, ceil_mode=False)  # half of k
def test_pool_output_size_matches_maxpool2d(
    size, kernel_size, stride, padding, dilation, ceil_mode
):
    _check_pool(size, kernel_size, stride, padding, dilation, ceil_mode)


@SETTINGS
@given(**POOL_WILD)
@example(size=5, kernel_size=0, stride=None, padding=0, dilation=1, ceil_mode=False)
def test_pool_output_size_rejects_what_maxpool2d_rejects(
    size, kernel_size, stride, padding, dilation, ceil_mode
):
    _check_pool(size, kernel_size, stride, padding, dilation, ceil_mode)


def test_pytorch_docs_conv2d_examples():
    """nn.Conv2d docs, input (N, 16, 50, 100) (batch 1 here: the batch does not matter)."""
    x = torch.zeros(1, 16, 50, 100)
    cases = [
        (dict(kernel_size=3, stride=2), (24, 49)),
        (dict(kernel_size=(3, 5), stride=(2, 1), padding=(4, 2)), (28, 100)),
        (dict(kernel_size=(3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1)), (26, 100)),
    ]
    for arguments, expected in cases:
        assert conv_output_size((50, 100), **arguments) == expected
        assert tuple(nn.Conv2d(16, 33, **arguments)(x).shape) == (1, 33, *expected)


def test_article_example_and_its_slip():
    """5x5 input, padding 1, 3x3 kernel, stride 2 -> 3; the formula needs the floor and the +1."""
    assert conv_output_size(5, 3, stride=2, padding=1) == 3
    assert (5 + 2 - 3) / 2 + 1 == 3  # the article's numbers, where the slip does not show
    assert conv_output_size(6, 3, stride=2, padding=1) == 3
    assert (6 + 2 - 3) / 2 + 1 != 3  # without the floor, n=6 gives 3.5


def test_int_and_pair_forms():
    assert conv_output_size(7, 3) == 5
    assert conv_output_size((7, 7), 3) == (5, 5)
    assert conv_output_size(7, (3, 1)) == (5, 7)
    assert conv_output_size(7, 3, padding="same") == 7
    assert conv_output_size(7, 3, padding="valid") == 5
    assert conv_output_size(7, 3, stride=[1, 2]) == (5, 3)
    assert pool_output_size(4, 2) == 2
    assert pool_output_size((4, 6), 2) == (2, 3)
    assert pool_output_size(4, (2, 1)) == (2, 4)


def test_padding_amounts_match_same_padding_of_pytorch():
    # 'same' with an even kernel: PyTorch puts the extra zero at the bottom/right.
    assert conv_padding_amounts(4, padding="same") == ((1, 2), (1, 2))
    assert conv_padding_amounts((3, 2), padding="same", dilation=(2, 3)) == ((2, 2), (1, 2))
    assert conv_padding_amounts(3, padding=(1, 2)) == ((1, 1), (2, 2))
    assert conv_padding_amounts(5, padding="valid") == ((0, 0), (0, 0))


@pytest.mark.parametrize(
    ("kernel_size", "dilation", "expected"),
    [(3, 1, 3), (3, 2, 5), (3, 3, 7), (1, 5, 1), (2, 4, 5), ((3, 2), (2, 1), (5, 2))],
)
def test_effective_kernel_size(kernel_size, dilation, expected):
    assert effective_kernel_size(kernel_size, dilation) == expected
    # The span is the smallest input a single output needs.
    span = _pair(expected)
    conv = nn.Conv2d(1, 1, kernel_size, dilation=dilation)
    assert tuple(conv(torch.zeros(1, 1, *span)).shape[-2:]) == (1, 1)
    with pytest.raises(RuntimeError):
        conv(torch.zeros(1, 1, span[0] - 1, span[1] + 5))


@pytest.mark.parametrize(
    ("call", "exception", "name"),
    [
        (lambda: conv_output_size(5, 3, stride=2.0), TypeError, "stride"),
        (lambda: conv_output_size(5, "3"), TypeError, "kernel_size"),
        (lambda: conv_output_size(5, 3, padding="full"), ValueError, "padding"),
        (lambda: conv_output_size(5, (3, 3, 3)), ValueError, "kernel_size"),
        (lambda: conv_output_size((5, 5), 3, dilation=(1, 0)), ValueError, "dilation"),
        (lambda: pool_output_size(5, 2, padding="same"), TypeError, "padding"),
        (lambda: pool_output_size(5, 2, ceil_mode=1), TypeError, "ceil_mode"),
        (lambda: pool_output_size(5, 3, padding=2), ValueError, "padding"),
        (lambda: effective_kernel_size(3, 0), ValueError, "dilation"),
        (lambda: receptive_field([(3, 1, 1)], axis=2), ValueError, "axis"),
        (lambda: receptive_field([(3, 1, 1, 1)]), ValueError, "layers[0]"),
        (lambda: receptive_field([{"kernel": 3}]), ValueError, "layers[0]"),
        (lambda: receptive_field([(3, 0)]), ValueError, "stride"),
        (lambda: receptive_field([nn.Conv2d(1, 1, 3), nn.Linear(4, 4)]), TypeError, "layers[1]"),
        (lambda: receptive_field(nn.Conv2d(1, 1, 3)), TypeError, "layers"),
    ],
)
def test_bad_input_names_the_argument(call, exception, name):
    with pytest.raises(exception, match=re.escape(name)):
        call()


def test_receptive_field_of_stacked_3x3_convolutions():
    assert receptive_field([]) == 1
    assert receptive_field([(3, 1, 1)]) == 3
    assert receptive_field([(3, 1, 1)] * 2) == 5
    assert receptive_field([(3, 1, 1)] * 3) == 7
    # VGG's first block: two 3x3 convolutions, then 2x2 max pooling with stride 2.
    vgg_block = [nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1)]
    vgg_block += [nn.ReLU(inplace=True), nn.MaxPool2d(2, 2)]
    table = receptive_field_table(vgg_block)
    assert [(step.size, step.jump) for step in table] == [(3, 1), (5, 1), (6, 2)]
    assert table[-1] == ReceptiveFieldStep("layers[4] MaxPool2d", 2, 2, 1, 6, 2)
    assert receptive_field(nn.Sequential(*vgg_block, *vgg_block[:3])) == 6 + 2 * 2 + 2 * 2


def test_receptive_field_forms_agree():
    as_tuples = [(3, 1, 2), (2, 2), (5,)]
    as_dicts = [
        {"kernel_size": 3, "dilation": 2, "padding": 2},
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": 5},
    ]
    modules = [
        nn.Conv2d(1, 1, 3, dilation=2, padding=2),
        nn.Dropout(),
        nn.AvgPool2d(2),
        nn.BatchNorm2d(1),
        nn.Conv2d(1, 1, 5),
    ]
    expected = 1 + 4 + 1 + 4 * 2
    assert receptive_field(as_tuples) == receptive_field(as_dicts) == expected
    assert receptive_field(modules) == expected
    # Per axis: a (kh, kw) kernel has two fields.
    wide = [nn.Conv2d(1, 1, (1, 3)), nn.MaxPool2d((2, 1))]
    assert (receptive_field(wide, axis=0), receptive_field(wide, axis=1)) == (2, 3)


def _gradient_extent(layers, length: int, unit: int) -> tuple[int, int]:
    """First and last input position whose value can change output `unit` (1-D, along H)."""
    x = torch.ones(1, 1, length, 1, requires_grad=True)
    out = nn.Sequential(*layers)(x)
    out[0, 0, unit, 0].backward()
    touched = torch.nonzero(x.grad[0, 0, :, 0]).flatten()
    return int(touched[0]), int(touched[-1])


LAYER = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 4), st.integers(1, 2), st.integers(1, 3)),
    st.tuples(st.just("avg"), st.integers(1, 3), st.integers(1, 3), st.just(1)),
)


@settings(max_examples=60, deadline=None, derandomize=True)  # autograd is the slow part
@given(st.lists(LAYER, min_size=1, max_size=4))
def test_receptive_field_matches_gradients(specs):
    """The field is the span of inputs with a nonzero gradient for one output unit."""
    layers = []
    for kind, kernel, stride, dilation in specs:
        if kind == "conv":
            conv = nn.Conv2d(1, 1, (kernel, 1), stride=(stride, 1), dilation=(dilation, 1))
            nn.init.ones_(conv.weight)
            nn.init.zeros_(conv.bias)
            layers += [conv, nn.ReLU()]  # all positive, so ReLU passes every gradient
        else:
            layers.append(nn.AvgPool2d((kernel, 1), (stride, 1)))
    step = receptive_field_table(layers)[-1]
    assert step.size == receptive_field(layers)
    first, last = _gradient_extent(layers, step.size + step.jump, unit=1)
    # Unit 1 starts one jump in and spans the field (dilation may leave holes inside it).
    assert (first, last) == (step.jump, step.jump + step.size - 1)


def test_receptive_field_through_dilated_max_pooling():
    layers = [nn.Conv2d(1, 1, 3, stride=2), nn.MaxPool2d(2, dilation=2), nn.Conv2d(1, 1, 3)]
    steps = receptive_field_table(layers)
    assert [(step.size, step.jump) for step in steps] == [(3, 2), (7, 4), (15, 4)]
