"""Tests for helpers.core.rnn: the lecture's toy RNN and the three slot-filling taggers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.rnn import (
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
    evaluate_tagger,
    evaluate_taggers,
    first_difference,
    hidden_state_distance,
    hidden_states,
    tag_sentence,
    tagger_datasets,
    toy_rnn,
    toy_rnn_torch,
    toy_rnn_torch_outputs,
    train_lesson_taggers,
    train_tagger,
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
    """Notebook 05's three taggers (seed 0), and their scores on its test sentences."""
    models = train_lesson_taggers(0)
    _, test = tagger_datasets(0)
    return models, evaluate_taggers(models, test)


def test_lesson_taggers_are_the_three_kinds_each_trained_alone(trained):
    models, scores = trained
    assert list(models) == list(KINDS) and list(scores) == list(KINDS)
    train, test = tagger_datasets(0)
    for kind in KINDS:
        assert scores[kind] == evaluate_tagger(models[kind], test)
    alone = train_tagger("lstm", train, seed=0)  # as the exercises train one tagger
    for a, b in zip(alone.parameters(), models["lstm"].parameters(), strict=True):
        assert torch.equal(a, b)


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


def test_same_seed_same_model_and_new_models_each_call():
    data = make_dataset(20, 1)
    first = train_tagger("rnn", data, seed=2, epochs=3)
    second = train_tagger("rnn", data, seed=2, epochs=3)
    other = train_tagger("rnn", data, seed=3, epochs=3)
    assert first is not second and not first.training
    for a, b, c in zip(first.parameters(), second.parameters(), other.parameters(), strict=True):
        assert torch.equal(a, b) and not torch.equal(a, c)
    with pytest.raises(ValueError, match="seed"):
        train_lesson_taggers(-1)


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


# --- training ---------------------------------------------------------------------------------


def test_training_is_the_plain_adam_loop():
    # train_tagger, written out with F.one_hot, cross-entropy, backward() and torch.optim.Adam
    data = [s for s in make_dataset(40, 4) if len(s.tokens) == 9]  # as long: no padding
    vocabulary = train_tagger("feedforward", data, epochs=1).vocabulary
    ids = torch.tensor([[vocabulary.index(t) for t in s.tokens] for s in data])
    labels = torch.tensor([[LABELS.index(label) for label in s.labels] for s in data])
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        model = Tagger("feedforward", vocabulary)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        for _ in range(3):
            dropped = torch.rand(ids.shape) < 0.1
            x = F.one_hot(ids.masked_fill(dropped, len(vocabulary)), model.n_inputs).float()
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x).flatten(0, 1), labels.flatten())
            loss.backward()
            optimizer.step()
    ours = train_tagger("feedforward", data, seed=5, epochs=3, learning_rate=0.05)
    for a, b in zip(ours.parameters(), model.parameters(), strict=True):
        torch.testing.assert_close(a, b)


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
