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

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from helpers.core import arithmetic, conv, families, gradients, lstm, pooling, rnn, summary, text
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
