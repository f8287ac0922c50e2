"""Tests for notebook 05's figures: each draws the numbers the helpers compute."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from helpers.core.rnn import (
    KINDS,
    TOY_OUTPUTS,
    evaluate_taggers,
    first_difference,
    hidden_state_distance,
    hidden_states,
    tagger_datasets,
    toy_rnn,
    train_lesson_taggers,
)
from helpers.core.text import (
    ARRIVE_SENTENCE,
    LABELS,
    LEAVE_SENTENCE,
    hash_vector,
    one_hot_encode,
    tokenize,
)
from helpers.lessons.rnn_slot_filling.figures import (
    HASHED_WORDS,
    METRICS,
    ONE_OF_N_SENTENCE,
    ONE_OF_N_VOCABULARY,
    city_probabilities,
    figure_hidden_states,
    figure_one_of_n,
    figure_rnn_memory,
    figure_tagger_results,
    figure_word_hashing,
    figure_wrong_label,
)
from tools.figures import FIGURES

FIGURE_FUNCTIONS = {
    "05_one_of_n": figure_one_of_n,
    "05_word_hashing": figure_word_hashing,
    "05_rnn_memory": figure_rnn_memory,
}
# Figures of trained taggers: the registry's entry trains them (seed 0), then draws this.
TAGGER_FIGURES = {
    "05_wrong_label": figure_wrong_label,
    "05_tagger_results": figure_tagger_results,
    "05_hidden_states": figure_hidden_states,
}


def texts(fig: Figure) -> list[str]:
    """Every text drawn in `fig`, titles and tick labels included."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def images(fig: Figure) -> list[np.ndarray]:
    """The arrays of the figure's heat maps, in drawing order."""
    return [np.asarray(image.get_array()) for image in fig.findobj(AxesImage)]


@pytest.fixture(scope="module")
def models():
    return train_lesson_taggers(0)


def test_figures_are_registered():
    for name, function in FIGURE_FUNCTIONS.items():
        assert FIGURES[name] is function
    for name, function in TAGGER_FIGURES.items():
        assert FIGURES[name].__doc__.startswith(function.__name__)


@pytest.mark.parametrize("name", [*FIGURE_FUNCTIONS, *TAGGER_FIGURES])
def test_every_figure_is_titled_and_labelled(name):
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    titled = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
    assert any(title.strip() for title in titled)
    for ax in fig.axes:
        if ax.axison and ax.get_label() != "<colorbar>":
            assert ax.get_xlabel() or ax.get_ylabel(), f"{name}: unlabelled axes"


def test_one_of_n_draws_the_encoding_with_the_other_column():
    fig = figure_one_of_n()
    tokens = tokenize(ONE_OF_N_SENTENCE)
    np.testing.assert_array_equal(images(fig)[0], one_hot_encode(tokens, ONE_OF_N_VOCABULARY))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [*ONE_OF_N_VOCABULARY, "other"]
    assert [t.get_text() for t in ax.get_yticklabels()] == tokens
    assert "hualien" not in ONE_OF_N_VOCABULARY and "not in the vocabulary" in texts(fig)


def test_one_of_n_without_unknown_words_has_no_note():
    fig = figure_one_of_n("arrive taipei on november 2nd")
    assert "not in the vocabulary" not in texts(fig)
    assert images(fig)[0][:, -1].sum() == 0


def test_word_hashing_draws_hash_vectors():
    fig = figure_word_hashing()
    np.testing.assert_array_equal(images(fig)[0], [hash_vector(w) for w in HASHED_WORDS])
    assert "apple: #ap app ppl ple le#" in [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_wrong_label_shows_identical_feedforward_outputs_for_taipei(models):
    fig = figure_wrong_label(models["feedforward"])
    widths = [
        [bar.get_width() for bar in inset.patches] for ax in fig.axes for inset in ax.child_axes
    ]
    assert len(widths) == 2 and len(widths[0]) == len(LABELS)
    np.testing.assert_array_equal(widths[0], widths[1])  # the same input, the same answer
    expected = city_probabilities(models["feedforward"], ARRIVE_SENTENCE)
    np.testing.assert_allclose(widths[0], expected)
    np.testing.assert_allclose(expected.sum(), 1.0)
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert titles.count("WRONG") == 1 and titles.count("(right)") == 1


def test_rnn_memory_shows_the_toy_numbers():
    drawn = " ".join(texts(figure_rnn_memory()))
    for t, step in enumerate(toy_rnn(((1, 1), (1, 1), (2, 2)))):
        assert f"memory\n[{step.memory[0]:g}, {step.memory[1]:g}]" in drawn
        assert f"a{t + 1} = [{step.hidden[0]:g}, {step.hidden[1]:g}]" in drawn
    for t, (y1, y2) in enumerate(TOY_OUTPUTS):
        assert f"y{t + 1} = [{y1}, {y2}]" in drawn
    other = " ".join(texts(figure_rnn_memory([[2, 2], [1, 1]])))
    assert "y1 = [8, 8]" in other and "y3" not in other


def test_tagger_results_bars_are_the_measured_numbers(models):
    _, test = tagger_datasets(0)
    results = evaluate_taggers(models, test)
    fig = figure_tagger_results(results)
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    expected = [results[kind][metric] for kind in KINDS for metric in METRICS]
    np.testing.assert_allclose(heights, expected)
    assert f"{results['feedforward']['city_accuracy']:.3f}" in texts(fig)


def test_tagger_results_takes_given_numbers():
    given = {"a": {m: 0.25 for m in METRICS}, "b": {m: 0.75 for m in METRICS}}
    heights = [bar.get_height() for bar in figure_tagger_results(given).axes[0].patches]
    assert heights == [0.25] * 3 + [0.75] * 3


@pytest.mark.parametrize("kind", KINDS)
def test_hidden_states_figure_draws_states_and_distances(models, kind):
    fig = figure_hidden_states(models, kind)
    arrive, leave = images(fig)
    np.testing.assert_array_equal(arrive, hidden_states(models[kind], ARRIVE_SENTENCE).T)
    np.testing.assert_array_equal(leave, hidden_states(models[kind], LEAVE_SENTENCE).T)
    right = fig.axes[2]
    lines = [line for line in right.get_lines() if line.get_marker() == "o"]
    for line, name in zip(lines, KINDS, strict=True):
        expected = hidden_state_distance(models[name], ARRIVE_SENTENCE, LEAVE_SENTENCE)
        np.testing.assert_array_equal(line.get_ydata(), expected)
    start = first_difference(hidden_state_distance(models[kind], ARRIVE_SENTENCE, LEAVE_SENTENCE))
    marks = [line.get_xdata()[0] for line in right.get_lines() if line.get_linestyle() == ":"]
    assert marks == [start] == [4]
    assert "arrive/leave" in [t.get_text() for t in right.get_xticklabels()]


def test_hidden_states_bad_kind(models):
    with pytest.raises(ValueError, match="kind"):
        figure_hidden_states(models, "gru")
