"""helpers.core.digits: the data file, the seeded split, shifts, the two networks, training."""

import hashlib
import re

import numpy as np
import pytest
import torch

from helpers.core import digits
from helpers.core.arithmetic import conv2d_param_count, linear_param_count
from helpers.core.digits import (
    N_DIGITS,
    TEST_SIZE,
    DigitSplit,
    accuracy,
    as_input,
    class_probabilities,
    confusion_matrix,
    dense_net,
    digit_cnn,
    find_digits_file,
    layer_outputs,
    load_digits,
    parameter_count,
    predictions,
    shift_images,
    shifted_accuracy,
    split_digits,
    train,
)

from notebook_files import ROOT

# --- the data --------------------------------------------------------------------------------


def test_the_file_is_the_documented_one():
    path = ROOT / "data" / "digits.csv.gz"
    readme = (ROOT / "data" / "README.md").read_text()
    assert hashlib.sha256(path.read_bytes()).hexdigest() in readme
    assert "CC BY 4.0" in readme and "Alpaydin" in readme


def test_load_digits():
    images, labels = load_digits()
    assert images.shape == (N_DIGITS, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (N_DIGITS,)
    assert images.min() == 0 and images.max() == 16
    assert np.bincount(labels).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.mark.parametrize("where", [".", "notebooks"])
def test_the_file_is_found_from_the_root_and_from_notebooks(monkeypatch, tmp_path, where):
    monkeypatch.chdir(ROOT / where)
    # as in an installed (not editable) copy: the module's own folder is elsewhere
    monkeypatch.setattr(digits, "__file__", str(tmp_path / "site" / "helpers" / "core" / "x.py"))
    assert find_digits_file().samefile(ROOT / "data" / "digits.csv.gz")


def test_a_missing_file_is_named(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(digits, "__file__", str(tmp_path / "a" / "b" / "c" / "x.py"))
    with pytest.raises(FileNotFoundError, match=re.escape("data/digits.csv.gz")):
        load_digits()
    with pytest.raises(FileNotFoundError, match="nowhere.csv.gz"):
        load_digits(tmp_path / "nowhere.csv.gz")


def test_a_malformed_file_is_refused(tmp_path):
    import gzip

    path = tmp_path / "bad.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="65 values"):
        load_digits(path)


def test_split_is_seeded_disjoint_and_complete():
    images, labels = load_digits()
    a, b = split_digits(images, labels), split_digits(images, labels)
    assert len(a.test_labels) == TEST_SIZE and len(a.train_labels) == N_DIGITS - TEST_SIZE
    assert np.array_equal(a.test_images, b.test_images)
    other = split_digits(images, labels, seed=1)
    assert not np.array_equal(a.test_labels, other.test_labels)
    index = np.arange(len(labels))
    ids = split_digits(index[:, None, None], index)
    assert sorted([*ids.train_labels, *ids.test_labels]) == index.tolist()
    with pytest.raises(ValueError, match="labels"):
        split_digits(images, labels[:-1])
    with pytest.raises(ValueError, match="test_size"):
        split_digits(images, labels, test_size=N_DIGITS)


# --- shifts and inputs -----------------------------------------------------------------------


def test_shift_moves_and_loses_what_leaves():
    image = np.arange(64).reshape(8, 8)
    right = shift_images(image, right=2)
    assert np.array_equal(right[:, 2:], image[:, :-2]) and not right[:, :2].any()
    up = shift_images(image, down=-1)
    assert np.array_equal(up[:-1], image[1:]) and not up[-1].any()
    assert np.array_equal(shift_images(image), image)
    back = shift_images(shift_images(image, right=1), right=-1)
    assert np.array_equal(back[:, :-1], image[:, :-1]) and not back[:, -1].any()
    batch = np.stack([image, image + 1])
    assert np.array_equal(shift_images(batch, 1, 1)[1], shift_images(image + 1, 1, 1))


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"right": 8}, ValueError, "whole image out"),
        ({"down": -9}, ValueError, "whole image out"),
        ({"right": 1.5}, TypeError, "whole number"),
        ({"down": True}, TypeError, "whole number"),
    ],
)
def test_shift_errors(kwargs, error, text):
    with pytest.raises(error, match=text):
        shift_images(np.zeros((8, 8)), **kwargs)
    with pytest.raises(ValueError, match="2 dimensions"):
        shift_images(np.zeros(8))


def test_as_input():
    x = as_input(np.full((3, 8, 8), 16))
    assert x.shape == (3, 1, 8, 8) and x.dtype == torch.float32 and float(x.max()) == 1.0
    with pytest.raises(ValueError, match="8 x 8"):
        as_input(np.zeros((2, 7, 8)))
    with pytest.raises(ValueError, match="0..16"):
        as_input(np.full((8, 8), 17))


# --- the networks ----------------------------------------------------------------------------


def test_parameter_counts_follow_the_formulas():
    cnn = conv2d_param_count(1, 16, 3) + conv2d_param_count(16, 32, 3) + linear_param_count(32, 10)
    assert parameter_count(digit_cnn()) == cnn == 5_130
    dense = linear_param_count(64, 68) + linear_param_count(68, 10)
    assert parameter_count(dense_net()) == dense == 5_110
    assert abs(dense - cnn) / cnn < 0.01  # "about the same number of parameters"
    assert parameter_count(digit_cnn((24, 32))) == 7_514
    with pytest.raises(ValueError, match="channels"):
        digit_cnn((0, 4))


def test_layer_outputs_shapes():
    shapes = [out.shape for _, out in layer_outputs(digit_cnn(), np.zeros((8, 8)))]
    assert shapes == [
        (16, 8, 8),
        (16, 8, 8),
        (16, 4, 4),
        (32, 4, 4),
        (32, 4, 4),
        (32, 1, 1),
        (32,),
        (10,),
    ]


def test_probabilities():
    model = digit_cnn()
    p = class_probabilities(model, np.zeros((8, 8)))
    assert p.shape == (10,) and abs(p.sum() - 1) < 1e-6 and (p > 0).all()
    with pytest.raises(ValueError, match="8 x 8"):
        class_probabilities(model, np.zeros(64))


def test_confusion_matrix():
    counts = confusion_matrix(np.array([0, 1, 1, 9]), np.array([0, 1, 7, 9]))
    assert counts.sum() == 4 and np.trace(counts) == 3 and counts[1, 7] == 1


# --- training (the goals of the lesson) ------------------------------------------------------


def test_the_cnn_reaches_97_percent_on_held_out_digits(trained_digits, digit_data):
    cnn, history, _, _ = trained_digits
    assert (
        accuracy(cnn, as_input(digit_data.test_images), torch.from_numpy(digit_data.test_labels))
        >= 0.97
    )
    assert history[-1][1] >= 0.97
    assert history[-1][0] < history[0][0] / 10  # the loss fell
    counts = confusion_matrix(digit_data.test_labels, predictions(cnn, digit_data.test_images))
    assert np.trace(counts) == round(history[-1][1] * TEST_SIZE)


def test_training_is_deterministic(digit_data):
    small = DigitSplit(
        digit_data.train_images[:200],
        digit_data.train_labels[:200],
        digit_data.test_images[:50],
        digit_data.test_labels[:50],
    )
    runs = []
    for _ in range(2):
        model = digit_cnn()
        seen = []
        runs.append(
            (train(model, small, epochs=2, on_epoch=lambda *a, seen=seen: seen.append(a)), seen)
        )
        runs[-1] += (model[0].weight.detach().clone(),)
    assert runs[0][0] == runs[1][0] and torch.equal(runs[0][2], runs[1][2])
    assert [s[0] for s in runs[0][1]] == [1, 2] and [s[1:] for s in runs[0][1]] == runs[0][0]
    other = digit_cnn()
    assert train(other, small, epochs=2, seed=1) != runs[0][0]


def test_a_shift_hurts_the_fully_connected_net_more(trained_digits, digit_data):
    cnn, _, dense, dense_history = trained_digits
    assert dense_history[-1][1] >= 0.95  # on centred digits they are both good
    for pixels in (1, 2):
        assert (
            shifted_accuracy(cnn, digit_data, pixels)
            > shifted_accuracy(dense, digit_data, pixels) + 0.2
        )
    assert shifted_accuracy(cnn, digit_data, 0) == accuracy(
        cnn, as_input(digit_data.test_images), torch.from_numpy(digit_data.test_labels)
    )
