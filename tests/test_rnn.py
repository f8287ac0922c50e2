"""Tests for helpers.rnn: the lecture's toy RNN and the three slot-filling taggers."""

import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.rnn import (
    ADAM_BETAS,
    ADAM_EPS,
    BIDIRECTIONAL,
    GOOD_ACCURACY,
    HIDDEN_SIZE,
    INPUT_WEIGHT_STD,
    KINDS,
    POOR_ACCURACY,
    TOY_INPUTS,
    TOY_OUTPUTS,
    Tagger,
    ToyRNN,
    adam_moments,
    adam_step,
    compare_taggers,
    evaluate_tagger,
    first_difference,
    hidden_state_distance,
    hidden_states,
    measured_results,
    one_hot,
    tag_sentence,
    tagger_datasets,
    toy_rnn,
    toy_rnn_torch,
    toy_rnn_torch_outputs,
    train_tagger,
    train_taggers,
    train_taggers_on,
    trained_taggers,
)
from helpers.core.text import HELD_OUT_CITIES, LABELS, make_dataset

LECTURE_INPUTS = [[1, 1], [1, 1], [2, 2]]


def test_toy_constants_are_the_lecture_numbers():
    assert [list(x) for x in TOY_INPUTS] == LECTURE_INPUTS
    assert [list(y) for y in TOY_OUTPUTS] == [[4, 4], [12, 12], [32, 32]]
    assert [s.output.tolist() for s in toy_rnn(TOY_INPUTS)] == [list(y) for y in TOY_OUTPUTS]


# --- toy RNN ----------------------------------------------------------------------------------


def test_toy_rnn_gives_the_lecture_numbers():
    steps = toy_rnn(LECTURE_INPUTS)
    assert [s.output.tolist() for s in steps] == [[4, 4], [12, 12], [32, 32]]
    assert [s.memory.tolist() for s in steps] == [[0, 0], [2, 2], [6, 6]]
    assert [s.hidden.tolist() for s in steps] == [[2, 2], [6, 6], [16, 16]]
    assert [s.input.tolist() for s in steps] == LECTURE_INPUTS


def test_toy_rnn_order_of_inputs_matters():
    reordered = [s.output.tolist() for s in toy_rnn([[2, 2], [1, 1], [1, 1]])]
    assert reordered == [[8, 8], [20, 20], [44, 44]]
    # a network without memory would give the same multiset of outputs in any order
    assert sorted(reordered) != sorted(s.output.tolist() for s in toy_rnn(LECTURE_INPUTS))


def test_toy_rnn_torch_is_nn_rnn_with_unit_weights():
    model = toy_rnn_torch()
    assert isinstance(model, ToyRNN) and isinstance(model.rnn, torch.nn.RNN)
    assert model.rnn.nonlinearity == "relu" and not model.rnn.bias
    assert all(bool((p == 1).all()) for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == 12  # W_x, W_h, W_y: 2x2 each


def test_toy_rnn_torch_gives_the_lecture_numbers():
    np.testing.assert_array_equal(
        toy_rnn_torch_outputs(LECTURE_INPUTS), [[4, 4], [12, 12], [32, 32]]
    )
    with torch.no_grad():
        y = toy_rnn_torch()(torch.tensor([LECTURE_INPUTS], dtype=torch.float32))
    assert y[0].tolist() == [[4, 4], [12, 12], [32, 32]]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(min_value=0, max_value=10, allow_nan=False), min_size=2, max_size=2),
        min_size=1,
        max_size=8,
    )
)
def test_toy_rnn_torch_equals_numpy_for_non_negative_inputs(inputs):
    expected = np.array([s.output for s in toy_rnn(inputs)])
    np.testing.assert_allclose(toy_rnn_torch_outputs(inputs), expected, rtol=1e-12, atol=1e-9)


def test_toy_rnn_torch_differs_for_negative_inputs():
    # nn.RNN has no linear unit: ReLU cuts negative hidden values that the lecture's net keeps
    assert toy_rnn([[-1, -1]])[0].output.tolist() == [-4, -4]
    assert toy_rnn_torch_outputs([[-1, -1]]).tolist() == [[0, 0]]


@pytest.mark.parametrize("inputs", [[], [[1, 2, 3]], [1, 1], [[1], [1, 2]], [[np.nan, 1]]])
def test_toy_rnn_bad_inputs_name_argument(inputs):
    with pytest.raises(ValueError, match="inputs"):
        toy_rnn(inputs)
    with pytest.raises(ValueError, match="inputs"):
        toy_rnn_torch_outputs(inputs)


# --- taggers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    """The three taggers of compare_taggers(0), and their scores on its test sentences."""
    models = trained_taggers(0)  # the cached train_taggers(0), shared with other test files
    _, test = tagger_datasets(0)
    scores = {kind: evaluate_tagger(model, test) for kind, model in models.items()}
    return models, scores


def rounded(scores):
    return {k: {m: round(v, 3) for m, v in d.items()} for k, d in scores.items()}


def test_compare_taggers_retrains_to_the_same_numbers(trained):
    _, scores = trained
    again = compare_taggers(0)
    assert set(again) == set(KINDS)
    assert rounded(again) == rounded(scores)
    assert rounded(measured_results(0)) == rounded(again)


def test_feedforward_cannot_tell_arrive_from_leave(trained):
    _, scores = trained
    assert scores["feedforward"]["city_accuracy"] <= POOR_ACCURACY


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_memory_taggers_get_the_cities_right(trained, kind):
    _, scores = trained
    assert scores[kind]["city_accuracy"] >= GOOD_ACCURACY
    assert scores[kind]["unseen_city_accuracy"] >= GOOD_ACCURACY
    assert scores[kind]["token_accuracy"] >= GOOD_ACCURACY


def test_scores_are_accuracies(trained):
    _, scores = trained
    for kind in KINDS:
        assert set(scores[kind]) == {"token_accuracy", "city_accuracy", "unseen_city_accuracy"}
        assert all(0.0 <= v <= 1.0 for v in scores[kind].values())


def test_test_sentences_are_new_and_include_held_out_cities():
    train, test = tagger_datasets(0)
    assert not {s.tokens for s in train} & {s.tokens for s in test}
    assert {t for s in test for t in s.tokens} & set(HELD_OUT_CITIES)
    assert len(test) % 2 == 0


def test_feedforward_gives_a_word_one_label_whatever_came_before(trained):
    models, _ = trained
    model = models["feedforward"]
    arrive = dict(tag_sentence(model, "i would like to arrive taipei on november 2nd"))
    leave = dict(tag_sentence(model, "i would like to leave taipei on november 2nd"))
    assert arrive["taipei"] == leave["taipei"]
    # on the training pairs themselves it can therefore get at most half of the cities right
    train, _ = tagger_datasets(0)
    assert evaluate_tagger(model, train)["city_accuracy"] <= 0.5


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("city", ["taipei", "hualien"])
def test_memory_taggers_tag_the_lecture_sentences(trained, kind, city):
    model = trained[0][kind]
    assert tag_sentence(model, f"I would like to arrive {city.title()} on November 2nd") == [
        ("i", "other"), ("would", "other"), ("like", "other"), ("to", "other"),
        ("arrive", "other"), (city, "destination"), ("on", "other"),
        ("november", "time_of_arrival"), ("2nd", "time_of_arrival"),
    ]  # fmt: skip
    assert tag_sentence(model, ["leave", city, "on", "november", "2nd"]) == [
        ("leave", "other"), (city, "departure"), ("on", "other"),
        ("november", "time_of_departure"), ("2nd", "time_of_departure"),
    ]  # fmt: skip


def test_hidden_states_follow_the_elman_recurrence(trained):
    model = trained[0]["rnn"]
    sentence = "arrive taipei on november 2nd"
    states = hidden_states(model, sentence)
    assert states.shape == (5, HIDDEN_SIZE)
    rnn = model.hidden
    x = model.encode(sentence.split())[0].double()
    h = torch.zeros(HIDDEN_SIZE, dtype=torch.float64)
    for t in range(5):
        h = torch.tanh(
            rnn.weight_ih_l0.double() @ x[t]
            + rnn.bias_ih_l0.double()
            + rnn.weight_hh_l0.double() @ h
            + rnn.bias_hh_l0.double()
        )
        np.testing.assert_allclose(states[t], h.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_states_of_arrive_and_leave(trained, kind):
    model = trained[0][kind]
    arrive = hidden_states(model, "arrive taipei on november 2nd")
    leave = hidden_states(model, "leave taipei on november 2nd")
    if kind == "feedforward":
        np.testing.assert_array_equal(arrive[1:], leave[1:])  # no memory: same word, same state
    else:
        assert all(np.abs(arrive[t] - leave[t]).max() > 1e-3 for t in range(5))


def test_training_leaves_threads_and_global_rng_alone():
    threads = torch.get_num_threads()
    state = torch.get_rng_state()
    train_tagger("rnn", make_dataset(10, 0), seed=3, epochs=2)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), state)


def test_train_tagger_returns_a_tagger_with_the_data_vocabulary():
    data = make_dataset(10, 0)
    model = train_tagger("lstm", data, seed=0, epochs=1, hidden_size=4)
    assert isinstance(model, Tagger) and isinstance(model.hidden, torch.nn.LSTM)
    assert set(model.vocabulary) == {t for s in data for t in s.tokens}
    assert model.output.out_features == len(LABELS)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kind": "cnn"}, "kind"),
        ({"kind": "rnn", "data": []}, "data"),
        ({"kind": "rnn", "seed": -1}, "seed"),
        ({"kind": "rnn", "epochs": 0}, "epochs"),
        ({"kind": "rnn", "hidden_size": 0}, "hidden_size"),
        ({"kind": "rnn", "learning_rate": 0.0}, "learning_rate"),
        ({"kind": "rnn", "unknown_rate": 1.0}, "unknown_rate"),
    ],
)
def test_train_tagger_bad_inputs_name_argument(kwargs, name):
    kwargs = {"data": make_dataset(4, 0), "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=name):
        train_tagger(**kwargs)


def test_tagging_bad_inputs_name_argument(trained):
    model = trained[0]["rnn"]
    with pytest.raises(ValueError, match="sentence"):
        tag_sentence(model, "")
    with pytest.raises(ValueError, match="sentence"):
        hidden_states(model, ["arrive", ""])
    with pytest.raises(TypeError, match="model"):
        tag_sentence("rnn", "arrive taipei")
    with pytest.raises(TypeError, match="data"):
        evaluate_tagger(model, [("arrive",)])


def test_trained_taggers_trains_once_and_matches_train_taggers(trained):
    first, second = trained_taggers(0), trained_taggers(0)
    assert first is not second  # a fresh dict each call ...
    assert all(first[k] is second[k] for k in KINDS)  # ... of the same cached models
    fresh = train_taggers(0)["feedforward"]
    for a, b in zip(fresh.parameters(), first["feedforward"].parameters(), strict=True):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="seed"):
        trained_taggers(-1)


def test_hidden_state_distance_and_first_difference(trained):
    models, _ = trained
    first = "i would like to arrive taipei on november 2nd"
    second = "i would like to leave taipei on november 2nd"
    for kind in KINDS:
        expected = np.linalg.norm(
            hidden_states(models[kind], first) - hidden_states(models[kind], second), axis=1
        )
        distance = hidden_state_distance(models[kind], first, second)
        np.testing.assert_array_equal(distance, expected)
        assert first_difference(distance) == 4  # the cue word, after four shared words
        assert distance[:4].tolist() == [0.0] * 4
    feedforward = hidden_state_distance(models["feedforward"], first, second)
    assert feedforward[5:].tolist() == [0.0] * 4  # no memory: the gap closes at once
    with pytest.raises(ValueError, match="second"):
        hidden_state_distance(models["rnn"], first, "leave taipei")


def test_first_difference_cases():
    assert first_difference([0.0, 0.0, 0.5, 0.0]) == 2
    assert first_difference([0.0, 1e-9]) is None
    assert first_difference([0.0, 0.1], tolerance=0.2) is None
    with pytest.raises(ValueError, match="distances"):
        first_difference([[0.0, 1.0]])
    with pytest.raises(ValueError, match="tolerance"):
        first_difference([0.0], tolerance=-1)


# --- training machinery -----------------------------------------------------------------------


def test_adam_step_equals_torch_optim_adam():
    torch.manual_seed(0)
    ours = [torch.randn(4, 3), torch.randn(5)]
    theirs = [p.clone().requires_grad_() for p in ours]
    optimizer = torch.optim.Adam(theirs, lr=0.05, betas=ADAM_BETAS, eps=ADAM_EPS, foreach=False)
    moments = adam_moments(ours)
    for step in range(1, 8):
        gradients = [torch.randn_like(p) * step for p in ours]
        for parameter, gradient in zip(theirs, gradients, strict=True):
            parameter.grad = gradient.clone()
        optimizer.step()
        adam_step(ours, gradients, moments, step, 0.05)
        for a, b in zip(ours, theirs, strict=True):
            torch.testing.assert_close(a, b.detach(), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="step"):
        adam_step(ours, gradients, moments, 0, 0.05)
    with pytest.raises(ValueError, match="learning_rate"):
        adam_step(ours, gradients, moments, 1, 0.0)
    with pytest.raises(ValueError, match="gradients"):
        adam_step(ours, gradients[:1], moments, 1, 0.05)


def test_one_hot_equals_f_one_hot():
    ids = torch.tensor([[0, 3, 5], [5, 5, 1]])
    assert torch.equal(one_hot(ids, 6), F.one_hot(ids, 6).float())
    with pytest.raises(ValueError, match="ids"):
        one_hot(ids, 5)
    with pytest.raises(ValueError, match="ids"):
        one_hot(torch.tensor([-1]), 5)


@pytest.mark.parametrize("kind", [*KINDS, BIDIRECTIONAL])
def test_input_weights_are_word_vectors(kind):
    torch.manual_seed(0)
    vocabulary = tuple(f"w{i}" for i in range(300))
    tagger = Tagger(kind, vocabulary)
    weights = tagger.input_weights()
    assert len(weights) == (2 if kind == BIDIRECTIONAL else 1)
    for weight in weights:
        assert weight.shape[1] == len(vocabulary) + 1  # one column per word, and "other"
        assert abs(float(weight.detach().std()) / INPUT_WEIGHT_STD - 1) < 0.05
    if kind == "feedforward":  # a 1-of-N code times the weights picks the word's column
        x = tagger.encode(["w7"])[0, 0]
        torch.testing.assert_close(tagger.hidden(x), weights[0][:, 7] + tagger.hidden.bias)


def test_taggers_trained_side_by_side_equal_those_trained_alone():
    data = make_dataset(20, 1)
    together = train_taggers_on(["rnn", "lstm", BIDIRECTIONAL], data, seed=2, epochs=3)
    for kind, model in together.items():
        alone = train_tagger(kind, data, seed=2, epochs=3)
        for a, b in zip(model.parameters(), alone.parameters(), strict=True):
            assert torch.equal(a, b)
    with pytest.raises(ValueError, match="kinds"):
        train_taggers_on(["rnn", "rnn"], data, epochs=1)
    with pytest.raises(ValueError, match="kinds"):
        train_taggers_on([], data, epochs=1)


def test_training_does_not_import_torch_dynamo():
    # torch.optim imports torch._dynamo on first use: about 2 s, longer than the training.
    code = (
        "import sys; from helpers.core.rnn import train_tagger; from helpers.core.text import make_dataset;"
        "train_tagger('rnn', make_dataset(4, 0), epochs=2);"
        "print('torch._dynamo' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
