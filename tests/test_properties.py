"""Property tests: every family of public helpers in helpers.core, thrown arbitrary values.

Each call must either return a correct result (checked against PyTorch or a formula) or raise
a ValueError/TypeError naming what is wrong, never another exception, and return within a
second: size limits are checked before the work. Values mix ints (small, huge, negative),
floats (nan, inf), bools, None, strings, lists and numpy scalars.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from numbers import Real

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from helpers.core import (
    arithmetic,
    cnn_pipeline,
    conv,
    families,
    gradients,
    image_properties,
    lstm,
    pooling,
    rnn,
    summary,
    text,
    vqa,
)
from helpers.core import images as photos
from helpers.core.dense_vs_conv import ARTICLE_CLAIMS, calculator_counts
from helpers.core.encoders import (
    MAX_LAYERS,
    MAX_PARAMS,
    QstEncoder,
    article_shapes,
    qst_encoder_param_count,
)
from helpers.core.vgg import (
    config_layers,
    count_params,
    image_batch,
    stacked_vs_large_kernel,
    vgg,
    vgg_param_counts,
)

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Fewer examples where each call runs a small network.
TORCH_SETTINGS = settings(SETTINGS, max_examples=50)

SECOND = 1.0

REJECTED = object()  # what `call` returns when the helper raised ValueError or TypeError

HUGE_INTS = (10**9, 10**18, 2**63, 2**64, 10**30, -(10**9), -(2**63))

ints = st.one_of(st.integers(-3, 12), st.integers(), st.sampled_from(HUGE_INTS))
floats = st.floats(allow_nan=True, allow_infinity=True)
numpy_scalars = st.one_of(
    st.integers(-3, 12).map(np.int64),
    st.integers(0, 12).map(np.uint8),
    st.floats(width=32, allow_nan=True, allow_infinity=True).map(np.float32),
    floats.map(np.float64),
    st.booleans().map(np.bool_),
)
scalars = st.one_of(ints, floats, st.booleans(), st.none(), st.text(max_size=6), numpy_scalars)
anything = st.one_of(scalars, st.lists(scalars, max_size=3), st.tuples(scalars, scalars))


def often(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly `valid` values, sometimes anything at all."""
    return st.one_of(valid, valid, anything)


small = st.integers(1, 8)
sizes = often(st.one_of(small, st.tuples(small, small)))
bools = often(st.booleans())


def call(helper: Callable, *args: object, **kwargs: object) -> object:
    """`helper(*args, **kwargs)`, or REJECTED for a ValueError/TypeError; under a second."""
    start = time.perf_counter()
    try:
        result = helper(*args, **kwargs)
    except (ValueError, TypeError):
        result = REJECTED
    elapsed = time.perf_counter() - start
    assert elapsed < SECOND, f"{helper.__name__}{args} took {elapsed:.2f} s"
    return result


def is_int(value: object, minimum: int = 1) -> bool:
    """What check_int accepts: an int (numpy ints too), not a bool, >= minimum."""
    try:
        arithmetic.check_int(value, "value", minimum)
    except (TypeError, ValueError):
        return False
    return True


def is_size(value: object) -> bool:
    """An int >= 1 or a pair of them, as as_pair accepts."""
    if isinstance(value, (tuple, list)):
        return len(value) == 2 and all(is_int(n) for n in value)
    return is_int(value)


def pair(value: object) -> tuple:
    """(h, w) from a single value or a pair; numpy ints become Python ints (no overflow)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    return tuple(int(v) if isinstance(v, np.integer) else v for v in values)


def py(*values: object) -> list:
    """The values with numpy ints as Python ints, for oracles that must not overflow."""
    return [int(v) if isinstance(v, np.integer) else v for v in values]


def tiny(*values: object, limit: int = 64) -> bool:
    """Whether every int in `values` (pairs too; strings skipped) is at most `limit`: small
    enough to check against PyTorch on a real tensor."""
    flat = [n for value in values for n in (pair(value) if value is not None else ())]
    return all(isinstance(n, str) or abs(int(n)) <= limit for n in flat)


def torch_or_error(compute: Callable[[], torch.Tensor]) -> torch.Tensor | Exception:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return compute()
        except (RuntimeError, ValueError, TypeError) as error:
            return error


@pytest.fixture(scope="module", autouse=True)
def warm_up() -> None:
    """One untimed call of each kind: first uses of torch operators load code once."""
    x = np.ones((1, 4, 4))
    conv.conv2d_by_hand(x, np.ones((1, 1, 3, 3)))
    F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3))
    F.max_pool2d(torch.zeros(1, 1, 4, 4), 2)
    F.avg_pool2d(torch.zeros(1, 1, 4, 4), 2, ceil_mode=True)
    gradients.gradient_norms("lstm", 3, 1.0)
    gradients.gradient_norms("rnn", 3, 1.0)
    lstm.run_lecture_lstm_torch()
    vgg("A", device="meta")
    summary.layer_summary(SUMMARY_MODEL, (1, 8, 8))
    image_batch(np.zeros((4, 4, 3)), 2)
    QstEncoder(5, 3, 4, 1, 3)(torch.zeros((1, 2), dtype=torch.long))
    with torch.device("meta"):
        QstEncoder(5, 3, 4, 1, 3)
    rnn.tag_sentence(_TAGGER, "arrive taipei")
    cnn_pipeline.photo_stages()
    cnn_pipeline.pipeline_photo()
    image_properties.detect_stars()
    vqa.vqa_shapes()
    _VQA(torch.zeros(1, 3, 32, 32), torch.zeros((1, 2), dtype=torch.long))


# --- sizes and parameter counts (arithmetic) ---------------------------------------------------


@SETTINGS
@given(a=often(small), b=often(small), k=sizes, groups=often(st.integers(1, 3)), bias=bools)
def test_parameter_counts(a, b, k, groups, bias) -> None:
    linear = call(arithmetic.linear_param_count, a, b, bias)
    rnn_count = call(arithmetic.rnn_param_count, a, b, bias)
    conv_count = call(arithmetic.conv2d_param_count, a, b, k, groups, bias)
    valid = is_int(a) and is_int(b) and isinstance(bias, bool)
    assert (linear is REJECTED) == (rnn_count is REJECTED) == (not valid)
    if not valid:
        assert conv_count is REJECTED
        return
    a, b = int(a), int(b)
    assert linear == a * b + b * bias
    assert rnn_count == b * (a + b) + 2 * b * bias
    kernel = tuple(int(n) for n in pair(k)) if is_size(k) else None
    divides = is_int(groups) and a % groups == 0 and b % groups == 0
    assert (conv_count is REJECTED) == (kernel is None or not divides)
    if conv_count is REJECTED:
        return
    groups = int(groups)
    assert conv_count == b * (a // groups) * kernel[0] * kernel[1] + b * bias
    if a * b * kernel[0] * kernel[1] <= 10**5:  # PyTorch's own layers agree
        assert linear == count_params(nn.Linear(a, b, bias=bias, device="meta"))
        assert rnn_count == count_params(nn.RNN(a, b, bias=bias, device="meta"))
        layer = nn.Conv2d(a, b, kernel, groups=groups, bias=bias, device="meta")
        assert conv_count == count_params(layer)


@SETTINGS
@given(
    size=sizes,
    k=sizes,
    stride=sizes,
    padding=often(st.one_of(st.integers(0, 3), st.sampled_from(["same", "valid"]))),
    dilation=sizes,
    ceil_mode=bools,
)
def test_output_sizes(size, k, stride, padding, dilation, ceil_mode) -> None:
    span = call(arithmetic.effective_kernel_size, k, dilation)
    if span is not REJECTED:
        (kh, kw), (dh, dw) = pair(k), pair(dilation)
        assert pair(span) == (kh + (kh - 1) * (dh - 1), kw + (kw - 1) * (dw - 1))
    amounts = call(arithmetic.conv_padding_amounts, k, stride, padding, dilation)
    if amounts is not REJECTED:
        assert all(n >= 0 for side in amounts for n in side)
    out = call(arithmetic.conv_output_size, size, k, stride, padding, dilation)
    if out is not REJECTED and tiny(size, k, stride, padding, dilation):
        expected = torch_or_error(
            lambda: F.conv2d(
                torch.zeros(1, 1, *pair(size)),
                torch.zeros(1, 1, *pair(k)),
                stride=stride,
                padding=padding,
                dilation=dilation,
            )
        )
        assert not isinstance(expected, Exception), expected
        assert pair(out) == tuple(expected.shape[-2:])
    pool_padding = padding if not isinstance(padding, str) else 0
    out = call(arithmetic.pool_output_size, size, k, stride, pool_padding, dilation, ceil_mode)
    if out is not REJECTED and tiny(size, k, stride, pool_padding, dilation):
        expected = torch_or_error(
            lambda: F.max_pool2d(
                torch.zeros(1, 1, *pair(size)), k, stride, pool_padding, dilation, ceil_mode
            )
        )
        assert not isinstance(expected, Exception), expected
        assert pair(out) == tuple(expected.shape[-2:])


# --- convolution by hand -------------------------------------------------------------------------

images = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 2), st.integers(1, 5), st.integers(1, 5)),
    elements=st.floats(-4, 4),
)
kernels = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3)),
    elements=st.floats(-2, 2),
)
paddings = often(st.one_of(st.integers(0, 2), st.sampled_from(["same", "valid"])))


@SETTINGS
@given(
    x=often(images),
    weight=often(kernels),
    use_bias=st.booleans(),
    stride=sizes,
    padding=paddings,
    dilation=sizes,
)
def test_conv_by_hand(x, weight, use_bias, stride, padding, dilation) -> None:
    bias = np.arange(np.shape(weight)[0], dtype=float) if use_bias and np.ndim(weight) else None
    out = call(conv.conv2d_by_hand, x, weight, bias, stride, padding, dilation)
    if out is not REJECTED:
        expected = torch_or_error(
            lambda: F.conv2d(
                torch.tensor(x)[None],
                torch.tensor(weight),
                None if bias is None else torch.tensor(bias),
                stride,
                padding,
                dilation,
            )[0]
        )
        assert not isinstance(expected, Exception), expected
        np.testing.assert_allclose(out, expected.numpy(), atol=1e-9)
    if np.ndim(weight) != 4 or np.ndim(x) != 3:
        return
    kernel = np.asarray(weight)[0, 0]
    matrix = call(conv.conv_as_matrix, kernel, np.shape(x)[1:], stride, padding, dilation)
    if matrix is not REJECTED:
        image = np.asarray(x)[0]
        by_hand = conv.conv2d_by_hand(
            image[None], kernel[None, None], None, stride, padding, dilation
        )
        np.testing.assert_allclose(matrix @ image.ravel(), by_hand.ravel(), atol=1e-9)
        indices = conv.conv_weight_indices(kernel.shape, image.shape, stride, padding, dilation)
        counts = call(conv.conv_matrix_counts, kernel.shape, image.shape, stride, padding, dilation)
        assert counts == (*indices.shape, int(np.count_nonzero(indices >= 0)))


@SETTINGS
@given(input_size=sizes, k=sizes, stride=sizes, padding=paddings, dilation=sizes)
@example(input_size=1, k=1, stride=1, padding=0, dilation=2**63)  # found: int64 overflow
def test_conv_index_helpers(input_size, k, stride, padding, dilation) -> None:
    windows = call(conv.conv_windows, input_size, k, stride, padding, dilation)
    if windows is not REJECTED:
        out = arithmetic.conv_output_size(input_size, k, stride, padding, dilation)
        assert windows.shape == (*pair(out), *pair(k), 2)
    counts = call(conv.conv_matrix_counts, k, input_size, stride, padding, dilation)
    indices = call(conv.conv_weight_indices, k, input_size, stride, padding, dilation)
    if indices is not REJECTED:
        assert counts == (*indices.shape, int(np.count_nonzero(indices >= 0)))


# --- pooling by hand -----------------------------------------------------------------------------

maps = hnp.arrays(
    np.float64,
    st.one_of(
        st.tuples(st.integers(1, 6), st.integers(1, 6)),
        st.tuples(st.integers(1, 2), st.integers(1, 6), st.integers(1, 6)),
    ),
    elements=st.floats(-4, 4),
)


@SETTINGS
@given(
    x=often(maps),
    k=sizes,
    stride=often(st.one_of(st.none(), small)),
    mode=often(st.sampled_from(pooling.POOL_MODES)),
    ceil_mode=bools,
)
def test_pooling_by_hand(x, k, stride, mode, ceil_mode) -> None:
    out = call(pooling.pool2d_by_hand, x, k, stride, mode, ceil_mode)
    if out is not REJECTED:
        pool = F.max_pool2d if mode == "max" else F.avg_pool2d
        x3 = torch.tensor(np.asarray(x)).reshape(-1, *np.shape(x)[-2:])
        expected = torch_or_error(lambda: pool(x3, k, stride, ceil_mode=ceil_mode))
        assert not isinstance(expected, Exception), expected
        np.testing.assert_allclose(out.reshape(expected.shape), expected.numpy(), atol=1e-12)
    where = call(pooling.pool_argmax, x, k, stride)
    if where is not REJECTED:
        maxima = pooling.pool2d_by_hand(x, k, stride)
        x3 = np.asarray(x).reshape(-1, *np.shape(x)[-2:])
        rows, cols = where[..., 0].reshape(x3.shape[0], -1), where[..., 1].reshape(x3.shape[0], -1)
        picked = np.take_along_axis(x3.reshape(x3.shape[0], -1), rows * x3.shape[-1] + cols, 1)
        np.testing.assert_array_equal(picked.ravel(), maxima.ravel())


# --- text encodings ------------------------------------------------------------------------------

words = st.text(alphabet="abcdeXY #-'1", min_size=0, max_size=7)
token_lists = often(st.lists(words, max_size=5))


@SETTINGS
@given(tokens=token_lists, vocabulary=token_lists, other=bools, word=often(words), dim=often(small))
def test_text_encodings(tokens, vocabulary, other, word, dim) -> None:
    call(text.tokenize, word)
    ids = call(text.token_ids, tokens, vocabulary, other)
    matrix = call(text.one_hot_encode, tokens, vocabulary, other)
    if matrix is not REJECTED:
        assert ids is not REJECTED
        assert matrix.shape == (len(tokens), len(vocabulary) + (1 if other else 0))
        np.testing.assert_array_equal(matrix.sum(axis=1), 1.0)
        assert list(matrix.argmax(axis=1)) == ids if tokens else ids == []
    trigrams = call(text.letter_trigrams, word)
    vector = call(text.hash_vector, word, dim)
    if vector is not REJECTED:
        assert trigrams is not REJECTED
        assert vector.shape == (dim,) and vector.sum() == len(trigrams)
        assert all(0 <= call(text.trigram_bucket, t, dim) < dim for t in trigrams)
    call(text.trigram_bucket, word, dim)


months = often(st.sampled_from(text.MONTHS))
cues = often(st.sampled_from(text.CUES))
cities = often(st.one_of(st.sampled_from(text.CITIES), words))


@SETTINGS
@given(
    cue=cues,
    city=cities,
    month=months,
    day=often(st.integers(1, 31)),
    prefix=often(st.sampled_from(text.PREFIXES)),
    suffix=often(st.sampled_from(text.SUFFIXES)),
    template=often(st.sampled_from(text.CUE_AFTER_TEMPLATES)),
    n=often(st.integers(2, 40)),
    seed=often(st.integers(0, 50)),
    order=often(st.sampled_from(text.ORDERS)),
)
def test_slot_sentences(cue, city, month, day, prefix, suffix, template, n, seed, order) -> None:
    call(text.ordinal, day)
    for sentence in (
        call(text.slot_sentence, cue, city, month, day, prefix, suffix),
        call(text.cue_after_sentence, cue, city, month, day, template),
    ):
        if sentence is REJECTED:
            continue
        assert day <= text.DAYS_IN_MONTH[month]
        assert len(sentence.tokens) == len(sentence.labels)
        assert set(sentence.labels) <= set(text.LABELS)
        city_positions = [i for i, label in enumerate(sentence.labels) if label in rnn.CITY_LABELS]
        assert [sentence.tokens[i] for i in city_positions] == [city]
        assert sentence.labels.count(text.DATE_LABEL[cue]) == 2
    data = call(text.make_dataset, n, seed, order=order)
    if data is not REJECTED:
        assert len(data) == n and [s.cue for s in data[:2]] == list(text.CUES)


# --- the LSTM cell by hand -----------------------------------------------------------------------

numbers = often(st.floats(-20, 20))
steps = often(st.tuples(numbers, numbers, numbers))
sequences = often(st.lists(steps, max_size=4))


@SETTINGS
@given(
    w=steps, b=numbers, x=steps, memory=numbers, exact=bools, sequence=sequences, cell_kind=bools
)
def test_lstm_cell_by_hand(w, b, x, memory, exact, sequence, cell_kind) -> None:
    cell = call(lstm.LSTMCellByHand, w_z=w, b_f=b)
    if cell is REJECTED:
        return
    record = call(cell.step, x, memory, exact)
    if record is not REJECTED:
        values = [v for v in record.as_row().values() if not isinstance(v, tuple)]
        assert all(math.isfinite(v) for v in values)
        expected = record.z * record.input_gate + record.memory_before * record.forget_gate
        assert record.memory == pytest.approx(expected)
        assert record.output == pytest.approx(record.memory * record.output_gate)
    records = call(lstm.run_lecture_lstm, sequence, exact, cell if cell_kind is True else w)
    if records is not REJECTED:
        assert len(records) == len(sequence)
        assert all(math.isfinite(r.memory) and math.isfinite(r.output) for r in records)


@TORCH_SETTINGS
@given(
    scale=often(st.floats(1e-4, 10)),
    sequence=sequences,
    hidden=often(small),
    layers=often(st.integers(1, 3)),
    inputs=often(small),
    bias=bools,
)
def test_lstm_torch_and_counts(scale, sequence, hidden, layers, inputs, bias) -> None:
    records = call(lstm.run_lecture_lstm_torch, scale, sequence)
    if records is not REJECTED:
        assert len(records) == len(sequence)
        for record in records:
            assert all(math.isfinite(v) for v in (record.memory, record.hidden))
    slices = call(lstm.lstm_gate_slices, hidden)
    if slices is not REJECTED:
        assert [s.stop - s.start for s in slices.values()] == [hidden] * 4
    count = call(lstm.lstm_param_count, inputs, hidden, layers, bias)
    inputs, hidden, layers = py(inputs, hidden, layers)
    if count is not REJECTED:
        per_gate = hidden * (inputs + hidden) + (layers - 1) * hidden * 2 * hidden
        assert count == 4 * per_gate + layers * 8 * hidden * bias
    if count is not REJECTED and inputs * hidden * layers <= 10**6:
        layer = nn.LSTM(inputs, hidden, layers, bias=bias, device="meta")
        assert count == count_params(layer)


# --- summary and receptive field -----------------------------------------------------------------

layer_specs = often(
    st.one_of(
        st.tuples(small, small, small),
        st.tuples(small, small),
        st.fixed_dictionaries(
            {"kernel_size": small}, optional={"stride": small, "dilation": small}
        ),
    )
)


SUMMARY_MODEL = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2))


@SETTINGS
@given(
    layers=often(st.lists(layer_specs, max_size=4)),
    axis=often(st.integers(0, 1)),
    input_size=often(st.one_of(st.tuples(st.just(1), small, small), st.lists(ints, max_size=3))),
    batch_size=often(st.sampled_from([-1, 1, 4])),
    rows=anything,
)
def test_summary_and_receptive_field(layers, axis, input_size, batch_size, rows) -> None:
    table = call(arithmetic.receptive_field_table, layers, axis)
    if table is not REJECTED:
        size, jump = 1, 1
        for step in table:
            size += (step.kernel_size - 1) * step.dilation * jump
            jump *= step.stride
            assert (step.size, step.jump) == (size, jump)
        assert call(arithmetic.receptive_field, layers, axis) == size
    found = call(summary.layer_summary, SUMMARY_MODEL, input_size, batch_size)
    if found is not REJECTED and math.prod(input_size) <= 10**5:
        expected = torch_or_error(lambda: SUMMARY_MODEL(torch.zeros(1, *input_size)))
        assert not isinstance(expected, Exception), expected
        assert found[-1].output_shape[1:] == list(expected.shape[1:])
        text_table = call(summary.summary_text, SUMMARY_MODEL, input_size, batch_size)
        assert isinstance(text_table, str) and "Total params: 20" in text_table
        memory = call(summary.estimate_from_rows, found, input_size, batch_size)
        assert memory.total_params == count_params(SUMMARY_MODEL)
    for helper in (summary.estimate_from_rows, summary.torchinfo_sizes):
        call(helper, rows, input_size, batch_size)
    call(summary.format_summary, rows, rows)


# --- gradients along time ------------------------------------------------------------------------


@TORCH_SETTINGS
@given(
    kind=often(st.sampled_from(gradients.KINDS)),
    length=often(st.integers(2, 30)),
    weight_scale=often(st.floats(0.1, 3)),
    seed=often(st.integers(0, 3)),
    forget_bias=often(st.floats(-3, 3)),
    norms=often(hnp.arrays(np.float64, st.integers(0, 4), elements=st.floats(0, 1e3))),
)
@example(  # found: printed "inf times"
    kind="rnn", length=2, weight_scale=1.0, seed=0, forget_bias=0.0, norms=np.array([5e-324, 1e3])
)
def test_gradients(kind, length, weight_scale, seed, forget_bias, norms) -> None:
    found = call(gradients.gradient_norms, kind, length, weight_scale, seed, forget_bias)
    if found is not REJECTED:
        assert found.shape == (length,)
        assert np.all(np.isfinite(found)) and np.all(found >= 0)
        assert isinstance(call(gradients.decay_summary, found), str)
    result = call(gradients.decay_summary, norms)
    assert result is REJECTED or result.startswith("the first step's gradient is")
    assert result is REJECTED or "inf" not in result and "nan" not in result


# --- the families compared, dense vs convolution counts ------------------------------------------


@SETTINGS
@given(
    side=often(st.integers(3, 40)),
    channels=often(st.integers(1, 4)),
    hidden=often(st.integers(1, 50)),
    kernels=often(st.integers(1, 10)),
    k=often(st.integers(1, 5)),
    sides=often(st.tuples(st.integers(3, 600), st.integers(3, 600))),
    bias=bools,
)
def test_family_counts(side, channels, hidden, kernels, k, sides, bias) -> None:
    counts = call(families.family_parameter_counts, side, channels, hidden, kernels, k)
    side, channels, hidden, kernels, k = py(side, channels, hidden, kernels, k)
    if counts is not REJECTED:
        row = side * channels
        assert counts == {
            "DNN": side * side * channels * hidden + hidden,
            "CNN": kernels * channels * k * k + kernels,
            "RNN": hidden * (row + hidden) + 2 * hidden,
            "LSTM": 4 * hidden * (row + hidden) + 8 * hidden,
        }
    slopes = call(families.growth_exponents, sides)
    if slopes is not REJECTED:
        assert all(math.isfinite(value) for value in slopes.values())
        assert slopes["CNN"] == 0.0
    result = call(calculator_counts, side, channels, hidden, k, kernels)
    if result is not REJECTED:
        out = side - k + 1
        assert result.feature_map_side == out
        assert result.convolution == kernels * channels * k * k + kernels
        assert (
            result.fully_connected_same_outputs
            == side * side * channels * (kernels * out * out) + kernels * out * out
        )
    for claim in ARTICLE_CLAIMS:
        counted = call(claim.parameters, bias)
        assert (counted is REJECTED) == (not isinstance(bias, bool))
        assert counted is REJECTED or counted == claim.weights() + bias * claim.args[1]


# --- VGG configurations and counts ---------------------------------------------------------------

config_entries = st.one_of(st.integers(1, 16), st.just("M"))
configs = often(
    st.one_of(st.sampled_from(["vgg11", "D", "E"]), st.lists(config_entries, max_size=5))
)


@TORCH_SETTINGS
@given(
    config=configs,
    num_classes=often(st.integers(1, 20)),
    avgpool=bools,
    layers=often(st.integers(1, 20)),
    channels=often(st.integers(1, 64)),
    image=often(
        hnp.arrays(np.float64, st.tuples(small, small, st.just(3)), elements=st.floats(0, 1))
    ),
    size=often(st.integers(1, 16)),
    normalize=bools,
)
def test_vgg_configurations(
    config, num_classes, avgpool, layers, channels, image, size, normalize
) -> None:
    entries = call(config_layers, config)
    counts = call(vgg_param_counts, config, num_classes)
    assert (counts is REJECTED) == (entries is REJECTED or not is_int(num_classes))
    model = call(vgg, config, num_classes, avgpool, device="meta")
    if model is not REJECTED:
        assert counts.total == count_params(model)
        assert counts.without_last_layer == counts.total - count_params(model.classifier[-1])
        assert (model.avgpool is None) == (avgpool is False)
    row = call(stacked_vs_large_kernel, layers, channels)
    layers, channels = py(layers, channels)
    if row is not REJECTED:
        assert row.receptive_field == row.large_kernel == 2 * layers + 1
        assert row.stacked_params == layers * (9 * channels**2 + channels)
        assert row.large_params == row.large_kernel**2 * channels**2 + channels
    batch = call(image_batch, image, size, normalize)
    if batch is not REJECTED:
        assert batch.shape == (1, 3, size, size) and torch.isfinite(batch).all()


# --- the question encoder ------------------------------------------------------------------------

ENCODER = QstEncoder(7, 3, 4, 2, 5)

questions = st.one_of(
    hnp.arrays(
        st.sampled_from([np.int64, np.int32, np.float32]),
        st.tuples(st.integers(0, 3), st.integers(0, 4)),
        elements=st.integers(-2, 9),
    ).map(torch.from_numpy),
    anything,
)


@TORCH_SETTINGS
@given(
    batch=often(small),
    embed=often(small),
    sizes5=st.tuples(*[often(st.integers(1, 6))] * 5),
    question=questions,
)
def test_encoders(batch, embed, sizes5, question) -> None:
    shapes = call(article_shapes, batch, embed)
    if shapes is not REJECTED:
        assert shapes[0][1][0] == batch and shapes[-1][1] == (batch, embed)
    count = call(qst_encoder_param_count, *sizes5)
    with torch.device("meta"):
        model = call(QstEncoder, *sizes5)
    too_big = count is not REJECTED and (count > MAX_PARAMS or sizes5[3] > MAX_LAYERS)
    assert (model is REJECTED) == (count is REJECTED or too_big)
    if model is not REJECTED:
        assert count == count_params(model)
    with torch.no_grad():
        feature = call(ENCODER, question)
    if feature is not REJECTED:
        assert feature.shape == (question.shape[0], 4)
        assert int(question.min()) >= 0 and int(question.max()) < 7


# --- the RNN lessons' helpers --------------------------------------------------------------------

_TAGGER = rnn.Tagger("rnn", ("arrive", "leave", "on", "taipei"))


@SETTINGS
@given(
    sentence=often(
        st.one_of(st.text(alphabet="arive tp", max_size=12), st.lists(words, max_size=3))
    ),
    distances=often(st.lists(floats, max_size=4)),
    tolerance=often(st.floats(0, 1)),
    inputs=often(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), max_size=3)),
)
def test_rnn_helpers(sentence, distances, tolerance, inputs) -> None:
    tags = call(rnn.tag_sentence, _TAGGER, sentence)
    if tags is not REJECTED:
        assert all(label in text.LABELS for _, label in tags)
    index = call(rnn.first_difference, distances, tolerance)
    if index is not REJECTED:
        # Compared exactly, as float64 (a float32 next to a float would round the float).
        above = [i for i, d in enumerate(distances) if float(d) > float(tolerance)]
        assert index == (above[0] if above else None)
    steps_found = call(rnn.toy_rnn, inputs)
    if steps_found is not REJECTED:
        assert len(steps_found) == len(inputs)


# --- the families below also get torch scalars ---------------------------------------------------

torch_scalars = st.one_of(
    st.integers(-3, 12).map(torch.tensor),
    floats.map(torch.tensor),
    st.booleans().map(torch.tensor),
)


def wild(valid: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` values four times in five, else anything at all, a torch scalar included.

    Drawn through flatmap: st.one_of flattens the many branches of `anything` next to `valid`,
    which then comes up in fewer than one draw in five.
    """
    invalid = st.one_of(anything, torch_scalars)
    return st.integers(0, 4).flatmap(lambda choice: invalid if choice == 4 else valid)


def as_numpy(value: object) -> np.ndarray:
    """`value` as a numpy array; a tensor (one that requires grad, a bfloat16 one) as float64."""
    if isinstance(value, torch.Tensor):
        return value.detach().double().numpy()
    return np.asarray(value)


def torch_stage_count(size: tuple, kernel_size: int, pool_size: int) -> int:
    """How many Conv2d(kernel_size) + MaxPool2d(pool_size) stages PyTorch runs on `size`."""
    x = torch.zeros(1, 1, *size, device="meta")
    weight = torch.zeros(1, 1, kernel_size, kernel_size, device="meta")
    count = 0
    while True:
        try:
            x = F.max_pool2d(F.conv2d(x, weight), pool_size)
        except RuntimeError:
            return count
        count += 1


# --- conv → ReLU → pool on the photo (cnn_pipeline) ----------------------------------------------

SPECIAL_IMAGES = (
    np.full((5, 5), np.nan),
    np.full((5, 5), np.inf),
    np.ones((5, 5), dtype=bool),
    np.full((5, 5), "a"),
    np.zeros((0, 5)),
    np.zeros((1, 0, 5)),
    np.zeros(5),
    [[1.0, 2.0], [3.0]],
    torch.ones(6, 6, requires_grad=True),
    torch.ones(6, 6, dtype=torch.bfloat16),
)
grey_images = hnp.arrays(
    np.float64, st.tuples(st.integers(3, 20), st.integers(6, 20)), elements=st.floats(-4, 4)
)
feature_maps = hnp.arrays(
    np.float64,
    st.tuples(st.sampled_from([1, 3]), st.integers(3, 9), st.integers(3, 9)),
    elements=st.floats(-4, 4),
)
pipeline_images = wild(
    st.one_of(
        grey_images,
        grey_images.map(torch.from_numpy),
        feature_maps,
        st.sampled_from(SPECIAL_IMAGES),
    )
)
filter_banks = wild(
    st.one_of(
        st.none(),
        hnp.arrays(
            np.float64,
            st.tuples(st.sampled_from([1, 3]), st.integers(1, 3), st.integers(1, 3)),
            elements=st.floats(-2, 2),
        ),
        st.sampled_from(SPECIAL_IMAGES),
    )
)
grey_pipeline_images = wild(
    st.one_of(grey_images, grey_images.map(torch.from_numpy), st.sampled_from(SPECIAL_IMAGES))
)
later_filters = wild(st.sampled_from(cnn_pipeline.LATER_FILTERS))
pipeline_sizes = wild(st.tuples(st.integers(1, 60), st.integers(1, 60)))


@SETTINGS
@given(
    size=pipeline_sizes,
    n_stages=wild(st.integers(0, 6)),
    n_filters=wild(st.integers(1, 4)),
    kernel_size=wild(st.integers(1, 4)),
    pool_size=wild(st.integers(1, 3)),
)
# found: max_stages looped for ever (nothing shrinks) or for 10**30 steps (one cell a stage)
@example(size=(5, 5), n_stages=3, n_filters=3, kernel_size=1, pool_size=1)
@example(size=(10**30, 10**30), n_stages=3, n_filters=3, kernel_size=2, pool_size=1)
# found: max_stages answered 0 for kernel_size 0 instead of naming it
@example(size=(10, 10), n_stages=0, n_filters=3, kernel_size=0, pool_size=2)
def test_pipeline_sizes(size, n_stages, n_filters, kernel_size, pool_size) -> None:
    fitting = call(cnn_pipeline.max_stages, size, kernel_size, pool_size)
    valid = (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(is_int(n) for n in size)
        and is_int(kernel_size)
        and is_int(pool_size)
    )
    never_shrinks = valid and kernel_size == pool_size == 1
    assert (fitting is REJECTED) == (not valid or never_shrinks)
    if fitting is not REJECTED and tiny(size, kernel_size, pool_size, limit=60):
        assert fitting == torch_stage_count(pair(size), int(kernel_size), int(pool_size))
    shapes = call(cnn_pipeline.stage_shapes, size, n_stages, n_filters, kernel_size, pool_size)
    if shapes is REJECTED:
        return
    assert never_shrinks or n_stages <= fitting
    assert len(shapes) == n_stages + 1 and shapes[0] == (1, *py(*size))
    assert all(shape[0] == n_filters for shape in shapes[1:])
    if tiny(size, kernel_size, pool_size, limit=60):  # PyTorch's layers give the same shapes
        x = torch.zeros(1, 1, *pair(size), device="meta")
        weight = torch.zeros(n_filters, 1, kernel_size, kernel_size, device="meta")
        for shape in shapes[1:]:
            x = F.max_pool2d(F.conv2d(x, weight), pool_size)
            weight = weight[:, :1].expand(n_filters, n_filters, -1, -1)
            assert tuple(x.shape[1:]) == shape
    if not never_shrinks and fitting < cnn_pipeline.MAX_STAGES:
        one_more = call(
            cnn_pipeline.stage_shapes, size, fitting + 1, n_filters, kernel_size, pool_size
        )
        assert one_more is REJECTED


def torch_stage(x: np.ndarray, bank: np.ndarray, pool_size: int) -> tuple[torch.Tensor, ...]:
    """conv, ReLU and max pool of one stage with PyTorch's functions (depthwise for C > 1)."""
    maps = torch.tensor(x if x.ndim == 3 else x[None])[None]
    groups = 1 if maps.shape[1] == 1 else bank.shape[0]
    conv_maps = F.conv2d(maps, torch.tensor(bank)[:, None], groups=groups)
    return conv_maps[0], F.relu(conv_maps)[0], F.max_pool2d(F.relu(conv_maps), pool_size)[0]


@TORCH_SETTINGS
@given(
    x=pipeline_images,
    filters=filter_banks,
    pool_size=wild(st.integers(1, 3)),
    number=wild(st.integers(1, 4)),
    later=later_filters,
    names=wild(
        st.one_of(
            st.lists(st.sampled_from(cnn_pipeline.FILTER_NAMES), min_size=1, max_size=4),
            st.lists(st.sampled_from([*cnn_pipeline.FILTER_NAMES, "sideways"]), max_size=4),
        )
    ),
)
def test_pipeline_stage(x, filters, pool_size, number, later, names) -> None:
    bank = call(cnn_pipeline.edge_filter_bank, names)
    if bank is not REJECTED:
        assert bank.shape == (len(names), 3, 3)
        np.testing.assert_array_equal(bank.sum(axis=(1, 2)), 0.0)  # edge filters sum to 0
    kernels = call(cnn_pipeline.stage_filters, number, later)
    if kernels is not REJECTED:
        assert kernels.shape == (3, 3, 3)
        edges = number == 1 or later == "edges"
        assert edges == np.array_equal(kernels, cnn_pipeline.edge_filter_bank())
    stage = call(cnn_pipeline.conv_relu_pool, x, filters, pool_size, number)
    if stage is REJECTED:
        return
    array = as_numpy(x).astype(float)
    bank = cnn_pipeline.edge_filter_bank() if filters is None else as_numpy(filters).astype(float)
    conv_maps, relu, pooled = torch_stage(array, bank, pool_size)
    np.testing.assert_allclose(stage.conv, conv_maps.numpy(), atol=1e-9)
    np.testing.assert_allclose(stage.relu, relu.numpy(), atol=1e-9)
    np.testing.assert_allclose(stage.pooled, pooled.numpy(), atol=1e-9)
    assert stage.number == number and stage.input_shape[-2:] == array.shape[-2:]
    assert [shape for _, shape in stage.shapes()][1:] == [
        stage.conv.shape,
        stage.relu.shape,
        stage.pooled.shape,
    ]


@TORCH_SETTINGS
@given(
    image=grey_pipeline_images,
    n_stages=wild(st.integers(0, 2)),
    later=later_filters,
    pool_size=wild(st.integers(1, 3)),
    shift=wild(st.integers(1, 4)),
    shift_stages=wild(st.integers(1, 2)),
    factor=wild(st.integers(1, 8)),
)
def test_pipeline_runs(image, n_stages, later, pool_size, shift, shift_stages, factor) -> None:
    stages = call(cnn_pipeline.run_pipeline, image, n_stages, later, pool_size)
    if stages is not REJECTED:
        assert [stage.number for stage in stages] == list(range(1, n_stages + 1))
        assert all(np.all(stage.relu >= 0) for stage in stages)
        shapes = cnn_pipeline.stage_shapes(np.shape(image), n_stages, 3, 3, pool_size)
        assert [stage.pooled.shape for stage in stages] == shapes[1:]
        for before, after in zip(stages, stages[1:]):
            assert after.input_shape == before.pooled.shape
    changes = call(cnn_pipeline.shift_changes, image, shift, shift_stages, later)
    if changes is not REJECTED:
        assert [change.stage for change in changes] == list(range(1, shift_stages + 1))
        for change in changes:
            assert change.relu_change >= 0 and change.pooled_change >= 0
            assert 0 <= change.relu_unchanged <= 1 and 0 <= change.pooled_unchanged <= 1
    photo_stages = call(cnn_pipeline.photo_stages, later)
    if photo_stages is not REJECTED:
        assert [stage.number for stage in photo_stages] == list(range(1, 7))
    photo = call(cnn_pipeline.pipeline_photo, factor)
    if photo is not REJECTED:
        assert photo.shape == (-(-600 // int(factor)), -(-512 // int(factor)))
        assert 0 <= photo.min() and photo.max() <= 1


# --- the sample photograph (images) --------------------------------------------------------------

small_images = st.one_of(
    hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.uint8, np.bool_]),
        st.one_of(
            st.tuples(st.integers(0, 6), st.integers(0, 6)),
            st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3)),
        ),
    ),
    st.sampled_from(SPECIAL_IMAGES),
)


@SETTINGS
@given(grey=wild(st.booleans()), image=wild(small_images), factor=wild(st.integers(1, 8)))
def test_images(grey, image, factor) -> None:
    assert photos.sample_photo_path().name == photos.SAMPLE_PHOTO
    photo = call(photos.sample_photo, grey)
    assert (photo is REJECTED) == (not isinstance(grey, bool))
    if photo is not REJECTED:
        assert photo.shape == ((600, 512) if grey else (600, 512, 3))
        assert photo.dtype == np.float32 and 0 <= photo.min() and photo.max() <= 1
    small = call(photos.subsample, image, factor)
    if small is not REJECTED:  # a tensor that requires grad is read as its values
        array = image.detach().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
        assert small.shape[:2] == tuple(-(-n // int(factor)) for n in array.shape[:2])
        np.testing.assert_array_equal(small, array[:: int(factor), :: int(factor)])


# --- the three properties of images (image_properties) -------------------------------------------

STARS = image_properties.detect_stars(0.3)  # a low threshold: the most peaks


@SETTINGS
@given(
    threshold=wild(st.floats(0.01, 0.99)),
    peak=wild(st.one_of(st.sampled_from(STARS.plain_peaks), st.tuples(ints, ints))),
    image=wild(
        st.one_of(
            hnp.arrays(np.float32, st.tuples(st.integers(5, 8), st.integers(5, 8))), small_images
        )
    ),
    box=wild(
        st.one_of(
            st.tuples(*[st.integers(0, 2), st.integers(1, 3)] * 2).map(
                lambda t: (t[0], t[0] + t[1], t[2], t[2] + t[3])
            ),
            st.tuples(*[st.integers(0, 8)] * 4),
        )
    ),
)
def test_image_properties(threshold, peak, image, box) -> None:
    found = call(image_properties.detect_stars, threshold)
    valid = isinstance(threshold, Real) and not isinstance(threshold, bool | np.bool_)
    assert (found is REJECTED) == (not (valid and 0 < threshold < 1))
    if found is not REJECTED:
        # Strongest first, so a higher threshold keeps the first peaks of a lower one.
        low, high = (STARS, found) if threshold >= 0.3 else (found, STARS)
        assert high.peaks == low.peaks[: len(high.peaks)]
        half = np.array(found.template.shape) // 2
        assert all(found.response[tuple(np.array(p) - half)] >= threshold for p in found.peaks)
        assert all(isinstance(found.plain_rank(p), int | None) for p in found.peaks)
    rank = call(STARS.plain_rank, peak)
    if rank is not REJECTED:
        assert rank is None or STARS.plain_peaks[rank - 1] == tuple(py(*peak))
    part = call(image_properties.crop, image, box)
    if part is not REJECTED:
        top, bottom, left, right = py(*box)
        assert tuple(part.shape[:2]) == (bottom - top, right - left)
        np.testing.assert_array_equal(as_numpy(part), as_numpy(image)[top:bottom, left:right])


# --- the CNN + RNN combination (vqa) -------------------------------------------------------------

torch.manual_seed(0)
_VQA = vqa.VqaModel().eval()


@st.composite
def vqa_images(draw: st.DrawFn) -> torch.Tensor:
    batch = draw(st.integers(0, 3))
    channels, side = draw(st.sampled_from([(3, 32), (3, 32), (1, 32), (3, 16)]))
    dtype = draw(st.sampled_from([torch.float32, torch.float32, torch.float64, torch.int64]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 99)))
    image = torch.rand(batch, channels, side, side, generator=generator)
    if batch and draw(st.booleans()):
        image[0, 0, 0, 0] = draw(st.sampled_from([float("nan"), float("inf"), 0.5]))
    return image.to(dtype)


@TORCH_SETTINGS
@given(
    image=wild(vqa_images()),
    question=questions,
    sizes7=st.tuples(
        wild(st.integers(1, 12)),
        wild(st.integers(1, 12)),
        wild(st.sampled_from([4, 8, 32, 30, 2**20])),
        *[wild(st.integers(1, 12))] * 4,
    ),
    batch=wild(st.integers(1, 4)),
    length=wild(st.integers(1, 12)),
    seed=wild(st.integers(0, 3)),
)
def test_vqa(image, question, sizes7, batch, length, seed) -> None:
    count = call(vqa.vqa_param_count, *sizes7)
    with torch.device("meta"):
        model = call(vqa.VqaModel, *sizes7)
    too_big = count is not REJECTED and (count > MAX_PARAMS or sizes7[5] > MAX_LAYERS)
    assert (model is REJECTED) == (count is REJECTED or too_big)
    if model is not REJECTED:
        assert count == count_params(model)
    image_size, embed_size = sizes7[2], sizes7[1]
    encoder_count = call(vqa.image_encoder_param_count, image_size, 3, embed_size)
    with torch.device("meta"):
        encoder = call(vqa.ImageEncoder, image_size, 3, embed_size)
    too_big = encoder_count is not REJECTED and encoder_count > MAX_PARAMS
    assert (encoder is REJECTED) == (encoder_count is REJECTED or too_big)
    if encoder is not REJECTED:
        assert encoder_count == count_params(encoder)
    shapes = call(vqa.vqa_shapes, batch, length, seed)
    if shapes is not REJECTED:
        found = dict(shapes)
        assert found["image"] == (batch, 3, 32, 32) and found["question"] == (batch, length)
        assert found["fusion: image ⊙ question"] == (batch, 64)
        assert shapes[-1] == ("answer scores", (batch, 10))
    with torch.no_grad():
        scores = call(_VQA, image, question)
        image_vector = call(_VQA.image_encoder, image)
        if image_vector is not REJECTED:
            assert image_vector.shape == (image.shape[0], 64)
        if scores is not REJECTED:
            assert image_vector is not REJECTED
            assert scores.shape == (image.shape[0], 10) and torch.isfinite(scores).all()
            fused = image_vector * _VQA.question_encoder(question)
            torch.testing.assert_close(scores, _VQA.answer(torch.tanh(fused)))
