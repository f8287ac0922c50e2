"""Bad arguments get a named ValueError/TypeError (or the correct answer), never a silent wrong
answer, a hang, a huge allocation or an internal traceback from numpy or torch.

Each case names the argument the error message must mention. Size limits are checked before
any work: every call here returns at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn

from helpers.core.arithmetic import (
    check_int,
    conv2d_param_count,
    linear_param_count,
    rnn_param_count,
)
from helpers.core.conv import (
    conv2d_by_hand,
    conv_as_matrix,
    conv_matrix_counts,
    conv_weight_indices,
    conv_windows,
)
from helpers.core.dense_vs_conv import calculator_counts
from helpers.core.encoders import QstEncoder, qst_encoder_param_count
from helpers.core.families import family_parameter_counts, growth_exponents
from helpers.core.gradients import build_recurrent, decay_summary, gradient_norms
from helpers.core.lstm import (
    LSTMCellByHand,
    lstm_param_count,
    run_lecture_lstm,
    run_lecture_lstm_torch,
)
from helpers.core.pooling import pool2d_by_hand
from helpers.core.rnn import Tagger, first_difference, hidden_states, tag_sentence, train_tagger
from helpers.core.text import (
    CUE_AFTER_TEMPLATES,
    MAX_ONE_HOT_VALUES,
    cue_after_sentence,
    hash_vector,
    make_dataset,
    one_hot_encode,
    slot_sentence,
    token_ids,
    trigram_bucket,
)
from helpers.core.vgg import (
    config_layers,
    image_batch,
    measure_forward,
    stacked_vs_large_kernel,
    vgg,
    vgg16,
)
from helpers.lessons.lstm_by_hand.figures import format_value
from helpers.lessons.padding_and_stride import output_size_formula

# A bad call must fail at once: limits are checked before the work.
QUICK_S = 1.0

PHOTO_255 = (np.random.default_rng(0).random((8, 8, 3)) * 255).astype(np.uint8)


def _tagger() -> Tagger:
    return Tagger("rnn", ("arrive", "taipei"))


def _encoder() -> QstEncoder:
    torch.manual_seed(0)
    return QstEncoder(10, 4, 6, 1, 5)


def _raises(error: type[Exception], match: str, call: Callable[[], object]) -> None:
    start = time.perf_counter()
    with pytest.raises(error, match=match):
        call()
    assert time.perf_counter() - start < QUICK_S


# --- silent wrong answers --------------------------------------------------------------------

SILENT = [
    # a 0-255 photo taken as [0, 1] (with or without the normalisation)
    ("uint8 photo", lambda: image_batch(PHOTO_255, 4, normalize=False), ValueError, "image"),
    ("uint8 photo normalised", lambda: image_batch(PHOTO_255, 4), ValueError, "image"),
    ("float 0-255 photo", lambda: image_batch(PHOTO_255 * 1.0, 4), ValueError, "image"),
    ("nan pixel", lambda: image_batch(np.full((4, 4, 3), np.nan), 4), ValueError, "image"),
    ("str pixels", lambda: image_batch(np.full((4, 4, 3), "a"), 4), TypeError, "image"),
    # a city that is not one lower-case word was never found in the sentence: all "other"
    (
        "capital city",
        lambda: cue_after_sentence("arrive", "Taipei", "may", 2, CUE_AFTER_TEMPLATES[0]),
        ValueError,
        "city",
    ),
    (
        "two-word city",
        lambda: cue_after_sentence("leave", "new-york", "may", 2, CUE_AFTER_TEMPLATES[1]),
        ValueError,
        "city",
    ),
    (
        "capital city, cue first",
        lambda: slot_sentence("arrive", "Taipei", "may", 2, "i want to"),
        ValueError,
        "city",
    ),
    # a non-empty string is truthy: "False" counted a bias
    ("linear bias str", lambda: linear_param_count(2, 3, bias="False"), TypeError, "bias"),
    ("linear bias int", lambda: linear_param_count(2, 3, bias=0), TypeError, "bias"),
    ("conv bias str", lambda: conv2d_param_count(2, 3, 3, bias="False"), TypeError, "bias"),
    ("rnn bias None", lambda: rnn_param_count(2, 3, bias=None), TypeError, "bias"),
    ("token_ids other", lambda: token_ids(["a"], ["a"], other="no"), TypeError, "other"),
    ("vgg16 avgpool str", lambda: vgg16(10, avgpool="no", device="meta"), TypeError, "avgpool"),
    ("vgg avgpool 0", lambda: vgg("A", avgpool=0, device="meta"), TypeError, "avgpool"),
    # "1.0e+300 times smaller" for a nan
    ("decay nan first", lambda: decay_summary(np.array([np.nan, 1.0])), ValueError, "norms"),
    ("decay nan last", lambda: decay_summary([1.0, np.nan]), ValueError, "norms"),
    ("decay negative", lambda: decay_summary([-1.0, 1.0]), ValueError, "norms"),
    ("decay inf", lambda: decay_summary([np.inf, 1.0]), ValueError, "norms"),
    # nan > tolerance is False: the nan was skipped
    ("first_difference nan", lambda: first_difference([np.nan, 1.0]), ValueError, "distances"),
    # impossible dates
    (
        "february 31st",
        lambda: slot_sentence("arrive", "taipei", "february", 31, "i want to"),
        ValueError,
        "day",
    ),
    (
        "april 31st",
        lambda: cue_after_sentence("leave", "taipei", "april", 31, CUE_AFTER_TEMPLATES[0]),
        ValueError,
        "day",
    ),
    # memory overflowing to inf, without a word
    (
        "lstm overflow",
        lambda: run_lecture_lstm([(1e308, 1, 0), (1e308, 1, 0)]),
        ValueError,
        "memory",
    ),
    ("lstm step overflow", lambda: LSTMCellByHand().step((0, 1e307, 0)), ValueError, "z_i"),
    # float32 turns 1e39 into inf, and 0 * inf into nan
    ("torch lstm float32", lambda: run_lecture_lstm_torch(1.0, [(1e39, 0, 0)]), ValueError, "x1"),
    ("torch lstm scale", lambda: run_lecture_lstm_torch(1e-300), ValueError, "scale"),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in SILENT],
    ids=[case[0] for case in SILENT],
)
def test_no_silent_wrong_answer(call, error, match) -> None:
    _raises(error, match, call)


def test_the_city_is_labelled_where_the_template_puts_it() -> None:
    # A city spelled like a template word: only the city's own position is the destination.
    sentence = cue_after_sentence("arrive", "will", "may", 2, CUE_AFTER_TEMPLATES[0])
    assert sentence.tokens[:5] == ("will", "is", "where", "i", "will")
    assert sentence.labels[:5] == ("destination", "other", "other", "other", "other")
    normal = cue_after_sentence("leave", "taipei", "may", 2, CUE_AFTER_TEMPLATES[2])
    assert [label for label in normal.labels if label == "departure"] == ["departure"]


def test_decay_summary_never_prints_inf() -> None:
    assert decay_summary([5e-324, 1e3]).startswith(
        "the first step's gradient is more than 1.8e+308"
    )
    assert decay_summary([1e300, 1e-300]).endswith("times larger than the last's")
    assert (
        decay_summary([1e-9, 1.0])
        == "the first step's gradient is 1.0e+09 times smaller than the last's"
    )


def test_possible_dates_still_work() -> None:
    assert slot_sentence("arrive", "taipei", "february", 29, "i want to").tokens[-1] == "29th"
    assert slot_sentence("leave", "taipei", "january", 31, "i want to").tokens[-1] == "31st"


def test_bools_are_still_bools() -> None:
    assert linear_param_count(2, 3, bias=False) == 6
    assert conv2d_param_count(2, 3, 1, bias=True) == 9
    assert vgg16(10, avgpool=False, device="meta").avgpool is None


def test_a_photo_in_zero_to_one_is_accepted() -> None:
    batch = image_batch(PHOTO_255 / 255.0, 4, normalize=False)
    assert batch.shape == (1, 3, 4, 4) and 0 <= batch.min() and batch.max() <= 1


# --- hangs and huge allocations: limits checked before any work --------------------------------

HUGE = 10**9

LIMITS = [
    ("stacked layers", lambda: stacked_vs_large_kernel(HUGE, 64), ValueError, "layers"),
    ("conv_as_matrix", lambda: conv_as_matrix(np.ones((3, 3)), HUGE), ValueError, "input_size"),
    ("conv_weight_indices", lambda: conv_weight_indices(3, 5000), ValueError, "input_size"),
    ("conv_windows", lambda: conv_windows(HUGE, 3), ValueError, "input_size"),
    ("conv_windows padding", lambda: conv_windows(3, 3, padding=HUGE), ValueError, "padding"),
    ("conv_matrix_counts", lambda: conv_matrix_counts(3, HUGE), ValueError, "input_size"),
    (
        "conv2d_by_hand padding",
        lambda: conv2d_by_hand(np.ones((1, 3, 3)), np.ones((1, 1, 1, 1)), padding=HUGE),
        ValueError,
        "padding",
    ),
    (
        "conv2d_by_hand padded kernel",
        lambda: conv2d_by_hand(
            np.ones((1, 3, 3)), np.ones((1, 1, 1, 1)), padding=HUGE, dilation=HUGE
        ),
        ValueError,
        "padding",
    ),
    ("image_batch size", lambda: image_batch(np.zeros((4, 4, 3)), HUGE), ValueError, "size"),
    ("hash_vector dim", lambda: hash_vector("apple", 10**12), ValueError, "dim"),
    (
        "one_hot_encode size",
        lambda: one_hot_encode(["a"] * 10_000, [f"w{i}" for i in range(2_000)]),
        ValueError,
        "tokens and vocabulary",
    ),
    ("trigram_bucket dim", lambda: trigram_bucket("app", 10**12), ValueError, "dim"),
    ("make_dataset", lambda: make_dataset(HUGE, 0), ValueError, "n_sentences"),
    ("vgg on cpu", lambda: vgg16(num_classes=HUGE), ValueError, "num_classes"),
    ("QstEncoder", lambda: QstEncoder(HUGE, 300, 8, 1, 8), ValueError, "parameters"),
    ("gradient seed", lambda: gradient_norms("rnn", 3, 1.0, seed=2**64), ValueError, "seed"),
    ("recurrent seed", lambda: build_recurrent("rnn", 1.0, seed=-1), ValueError, "seed"),
    ("vgg seed", lambda: vgg("A", seed=2**70, device="meta"), ValueError, "seed"),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in LIMITS],
    ids=[case[0] for case in LIMITS],
)
def test_sizes_are_limited_before_the_work(call, error, match) -> None:
    _raises(error, match, call)


def test_limit_messages_give_the_limit() -> None:
    with pytest.raises(ValueError, match="^layers must be an int from 1 to 1000, got 1000000000$"):
        stacked_vs_large_kernel(HUGE, 64)
    with pytest.raises(ValueError, match="^size must be an int from 1 to 4096, got 1000000000$"):
        image_batch(np.zeros((4, 4, 3)), HUGE)
    with pytest.raises(ValueError, match="at most 5,000,000"):
        conv_as_matrix(np.ones((3, 3)), HUGE)
    with pytest.raises(ValueError, match=r"10,000 × 2,001 one-hot matrix \(20,010,000 values\)"):
        one_hot_encode(["a"] * 10_000, [f"w{i}" for i in range(2_000)])
    with pytest.raises(ValueError, match=f"at most {MAX_ONE_HOT_VALUES:,}$"):
        one_hot_encode(["a"] * 10_000, [f"w{i}" for i in range(2_000)], other=False)


def test_counts_of_huge_networks_are_arithmetic() -> None:
    # Counting needs no loop over the layers: a billion layers answer at once.
    start = time.perf_counter()
    per_layer = 4 * 8 * (8 + 8) + 2 * 4 * 8
    first = 4 * 8 * (3 + 8) + 2 * 4 * 8
    assert lstm_param_count(3, 8, num_layers=HUGE) == first + (HUGE - 1) * per_layer
    assert qst_encoder_param_count(HUGE, 300, 8, HUGE, 8) > HUGE
    assert conv_matrix_counts(3, 224) == (222 * 222, 224 * 224, 222 * 222 * 9)
    assert time.perf_counter() - start < QUICK_S


def test_a_dilation_or_stride_that_never_applies_does_not_overflow() -> None:
    # One tap has no spacing, one output never steps: found by tests/test_properties.py.
    assert conv_windows(1, 1, 2**63, 0, 2**63).shape == (1, 1, 1, 1, 2)
    assert conv_matrix_counts(1, 1, 2**63, 0, 2**63) == (1, 1, 1)
    with pytest.raises(ValueError, match="padding"):
        conv_windows(1, 2, 1, 2**62, 2**63)


def test_check_int_limits() -> None:
    assert check_int(5, "n", maximum=5) == 5
    with pytest.raises(ValueError, match="^n must be an int from 1 to 5, got 6$"):
        check_int(6, "n", maximum=5)


# --- internal tracebacks replaced by named errors ----------------------------------------------

TRACEBACKS = [
    ("trigram None", lambda: trigram_bucket(None), TypeError, "trigram"),
    ("tag_sentence None", lambda: tag_sentence(_tagger(), None), TypeError, "sentence"),
    ("hidden_states int", lambda: hidden_states(_tagger(), 3), TypeError, "sentence"),
    ("formula 'same'", lambda: output_size_formula(5, 3, "same", 1, 1), TypeError, "padding"),
    ("formula float", lambda: output_size_formula(5.0, 3, 1, 1, 1), TypeError, "input_size"),
    ("decay empty", lambda: decay_summary([]), ValueError, "norms"),
    ("decay None", lambda: decay_summary(None), TypeError, "norms"),
    ("decay strings", lambda: decay_summary(["a", "b"]), TypeError, "norms"),
    ("growth one side", lambda: growth_exponents((256,)), ValueError, "sides"),
    ("growth same sides", lambda: growth_exponents((256, 256)), ValueError, "sides"),
    ("growth str side", lambda: growth_exponents((256, "512")), TypeError, "sides"),
    ("family hidden", lambda: family_parameter_counts(8, hidden_units=0), ValueError, "hidden"),
    ("family kernel", lambda: family_parameter_counts(8, kernel_size=None), TypeError, "kernel"),
    ("calculator units", lambda: calculator_counts(8, 1, "9", 3, 2), TypeError, "hidden_units"),
    ("measure None", lambda: measure_forward(nn.Linear(2, 2), None), TypeError, "x"),
    ("format str", lambda: format_value("3"), TypeError, "value"),
    ("format None", lambda: format_value(None), TypeError, "value"),
    ("qst id too big", lambda: _encoder()(torch.tensor([[10, 1]])), ValueError, "question"),
    ("qst id negative", lambda: _encoder()(torch.tensor([[-1, 1]])), ValueError, "question"),
    (
        "qst batch 0",
        lambda: _encoder()(torch.zeros((0, 3), dtype=torch.long)),
        ValueError,
        "question",
    ),
    (
        "qst length 0",
        lambda: _encoder()(torch.zeros((2, 0), dtype=torch.long)),
        ValueError,
        "question",
    ),
    ("qst count embed", lambda: qst_encoder_param_count(5, 4, "8", 1, 3), TypeError, "embed_size"),
    (
        "forget_bias str",
        lambda: gradient_norms("lstm", 3, 1.0, forget_bias="x"),
        TypeError,
        "forget_bias",
    ),
    (
        "forget_bias nan",
        lambda: gradient_norms("lstm", 3, 1.0, forget_bias=float("nan")),
        ValueError,
        "forget_bias",
    ),
    ("weight_scale None", lambda: gradient_norms("rnn", 3, None), TypeError, "weight_scale"),
    ("first_difference str", lambda: first_difference(["a"]), TypeError, "distances"),
    ("tolerance str", lambda: first_difference([0.0], tolerance="0"), TypeError, "tolerance"),
    (
        "slot prefix None",
        lambda: slot_sentence("arrive", "taipei", "may", 2, None),
        TypeError,
        "prefix",
    ),
    ("token_ids None", lambda: token_ids(None, ["a"]), TypeError, "tokens"),
    # 'NoneType' object is not iterable, from inside Tagger
    ("Tagger vocabulary None", lambda: Tagger("rnn", None), TypeError, "vocabulary"),
    ("Tagger vocabulary str", lambda: Tagger("rnn", "taipei"), TypeError, "vocabulary"),
    ("Tagger vocabulary set", lambda: Tagger("rnn", {"a", "b"}), TypeError, "vocabulary"),
    ("Tagger vocabulary ints", lambda: Tagger("rnn", [1, 2]), TypeError, "vocabulary"),
    ("Tagger vocabulary empty", lambda: Tagger("rnn", []), ValueError, "vocabulary"),
    ("Tagger vocabulary ''", lambda: Tagger("rnn", ["a", ""]), ValueError, "vocabulary"),
    ("Tagger vocabulary repeats", lambda: Tagger("rnn", ["a", "a"]), ValueError, "vocabulary"),
    ("vgg device", lambda: vgg("A", device="nowhere"), ValueError, "device"),
    ("config bytes", lambda: config_layers(b"\x40M"), TypeError, "config"),
    ("pool strings", lambda: pool2d_by_hand([["a", "b"]], 1), TypeError, "x"),
    ("conv ragged", lambda: conv2d_by_hand([[[1], [1, 2]]], np.ones((1, 1, 1, 1))), TypeError, "x"),
    (
        "learning_rate str",
        lambda: train_tagger("rnn", make_dataset(2, 0), epochs=1, learning_rate="0.1"),
        TypeError,
        "learning_rate",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [case[1:] for case in TRACEBACKS],
    ids=[case[0] for case in TRACEBACKS],
)
def test_named_error_instead_of_a_traceback(call, error, match) -> None:
    _raises(error, match, call)


@pytest.mark.parametrize("scale", [np.float64(1.25), np.float32(1.25), 1.25])
def test_numpy_floats_are_numbers(scale) -> None:
    expected = gradient_norms("lstm", 5, 1.25, forget_bias=2.0)
    np.testing.assert_array_equal(gradient_norms("lstm", 5, scale, forget_bias=2.0), expected)
    np.testing.assert_array_equal(
        gradient_norms("lstm", 5, 1.25, forget_bias=np.float32(2.0)), expected
    )
    assert format_value(np.float32(0.5)) == format_value(0.5) == "0.5000"
    assert format_value(np.int64(3)) == "3"


def test_one_hot_encode_up_to_the_limit() -> None:
    vocabulary = [f"w{i}" for i in range(999)]  # 1,000 columns with "other"
    matrix = one_hot_encode(["w1", "x"] * (MAX_ONE_HOT_VALUES // 2_000), vocabulary)
    assert matrix.shape == (MAX_ONE_HOT_VALUES // 1_000, 1_000) and matrix.sum() == len(matrix)
    assert Tagger("rnn", ("arrive", "taipei")).vocabulary == ("arrive", "taipei")
    assert Tagger("rnn", ["b", "a"]).vocabulary == ("b", "a")  # a list keeps its order


def test_valid_questions_still_encode() -> None:
    encoder = _encoder()
    assert encoder(torch.tensor([[0, 9, 3]])).shape == (1, 6)
