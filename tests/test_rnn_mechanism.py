"""Notebook 05's mechanism: the RNN step, the tagger and the training loop written in the
notebook give what nn.RNN and train_tagger give; the two-word window tagger measured (enough
for the city right after its cue, not for the date three words on); the new exercise."""

import re

import numpy as np
import pytest
import torch
from torch import nn

from helpers.core.determinism import single_thread
from helpers.core.rnn import (
    GOOD_ACCURACY,
    IGNORE,
    POOR_ACCURACY,
    WINDOW,
    WINDOW_WIDTH,
    Tagger,
    batch_ids,
    date_accuracy,
    evaluate_tagger,
    tagger_datasets,
    toy_rnn_torch,
    train_tagger,
)
from helpers.core.text import ARRIVE_SENTENCE, LABELS, build_vocabulary
from helpers.lessons.rnn_slot_filling import exercises
from helpers.lessons.rnn_slot_filling.figures import figure_training_loss

from notebook_files import NOTEBOOK_DIR, read

NOTEBOOK = NOTEBOOK_DIR / "05_rnn_slot_filling.ipynb"


def notebook_cell(first_line: str) -> str:
    """The source of notebook 05's one code cell that starts (after its imports) with
    `first_line`."""
    found = []
    for cell in read(NOTEBOOK).cells:
        body = [
            line for line in cell.source.splitlines() if not line.startswith(("from ", "import "))
        ]
        if cell.cell_type == "code" and "\n".join(body).strip().startswith(first_line):
            found.append(cell.source)
    assert len(found) == 1, first_line
    return found[0]


def run_cells(*first_lines: str) -> dict:
    """Run notebook 05's import cell, then its cells found by their first lines, in one
    namespace, in order, as a student would."""
    namespace: dict = {}
    exec(read(NOTEBOOK).cells[1].source, namespace)  # noqa: S102 - its import cell
    for first_line in first_lines:
        exec(notebook_cell(first_line), namespace)  # noqa: S102 - the notebook's own cell
    return namespace


@pytest.fixture(scope="module")
def trained_in_notebook():
    with single_thread():
        return run_cells(
            "def rnn_step(", "class RNNTagger(", "train, test =", "torch.manual_seed(0)"
        )


def test_the_written_cells_are_short():
    for first_line in ("def rnn_step(", "class RNNTagger(", "torch.manual_seed(0)"):
        assert len(notebook_cell(first_line).splitlines()) <= 20, first_line


def test_the_notebook_loop_trains_the_same_rnn_as_train_tagger(trained_in_notebook):
    ns = trained_in_notebook
    reference = train_tagger("rnn", ns["train"], seed=0)
    pairs = list(zip(ns["model"].parameters(), reference.parameters(), strict=True))
    assert all(torch.equal(a, b) for a, b in pairs)
    losses = ns["losses"]
    assert len(losses) == 30 and losses[-1] < 0.2 * losses[0]  # the loss falls


def test_the_notebook_step_is_nn_rnn(trained_in_notebook):
    ns = trained_in_notebook
    rnn = ns["model"].rnn
    x = torch.randn(6, rnn.input_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        h, states = torch.zeros(rnn.hidden_size), []
        for x_t in x:
            b = rnn.bias_ih_l0 + rnn.bias_hh_l0
            h = ns["rnn_step"](x_t, h, rnn.weight_ih_l0, rnn.weight_hh_l0, b)
            states.append(h)
        expected, _ = rnn(x[None])
    torch.testing.assert_close(torch.stack(states), expected[0], rtol=1e-4, atol=1e-5)


def test_batch_ids_pads_with_other_and_ignore():
    train, _ = tagger_datasets(0)
    vocabulary = build_vocabulary(s.tokens for s in train)
    ids, labels = batch_ids(train[:3], vocabulary)
    longest = max(len(s.tokens) for s in train[:3])
    assert ids.shape == labels.shape == (3, longest)
    for row, sentence in enumerate(train[:3]):
        n = len(sentence.tokens)
        assert [vocabulary[i] for i in ids[row, :n]] == list(sentence.tokens)
        assert [LABELS[i] for i in labels[row, :n]] == list(sentence.labels)
        assert (ids[row, n:] == len(vocabulary)).all() and (labels[row, n:] == IGNORE).all()
    with pytest.raises(ValueError, match="data must hold at least one sentence"):
        batch_ids([], vocabulary)
    with pytest.raises(TypeError, match="vocabulary must be a sequence of words"):
        batch_ids(train, "taipei")


def test_the_window_sees_the_current_and_the_previous_word_only():
    torch.manual_seed(0)
    model = Tagger(WINDOW, ("a", "b", "c"), hidden_size=4)
    assert isinstance(model.hidden, nn.Conv1d) and model.hidden.kernel_size == (WINDOW_WIDTH,)
    first = model.encode(["a", "b", "c", "a"])
    second = model.encode(["c", "b", "c", "a"])  # only word 0 differs
    with torch.no_grad():
        a, b = model.hidden_states(first)[0], model.hidden_states(second)[0]
    assert not torch.allclose(a[:2], b[:2])  # words 0 and 1 see word 0
    torch.testing.assert_close(a[2:], b[2:])  # words 2 and 3 do not


@pytest.mark.parametrize("seed", [0, 1])
def test_a_two_word_window_gets_the_cities_but_not_the_dates(seed):
    train, test = tagger_datasets(seed)
    window = train_tagger(WINDOW, train, seed)
    rnn = train_tagger("rnn", train, seed)
    scores = evaluate_tagger(window, test)
    assert scores["city_accuracy"] >= GOOD_ACCURACY
    assert scores["unseen_city_accuracy"] >= GOOD_ACCURACY
    assert date_accuracy(window, test) <= POOR_ACCURACY
    assert date_accuracy(rnn, test) >= GOOD_ACCURACY


def test_date_accuracy_counts_the_date_tokens():
    train, test = tagger_datasets(0)
    model = train_tagger("feedforward", train, 0, epochs=1)
    predicted = []
    for sentence in test:
        with torch.no_grad():
            scores = model(model.encode(sentence.tokens))[0]
        predicted += list(zip(sentence.labels, (LABELS[i] for i in scores.argmax(-1)), strict=True))
    dates = [(t, p) for t, p in predicted if t.startswith("time_of")]
    assert date_accuracy(model, test) == pytest.approx(np.mean([t == p for t, p in dates]))
    with pytest.raises(TypeError, match="model must be a Tagger"):
        date_accuracy(nn.Linear(2, 2), test)


def test_the_memory_weight_exercise_matches_nn_rnn():
    toy = toy_rnn_torch()
    with torch.no_grad():
        toy.rnn.weight_hh_l0.fill_(exercises.MEMORY_WEIGHT)
        hidden, _ = toy.rnn(torch.tensor(exercises.MEMORY_INPUTS, dtype=torch.float32)[None])
    exercise = exercises.EXERCISES["check_memory_weight"]()
    assert exercise.answer == tuple(hidden[0, -1].tolist()) == (8, 8)
    assert exercises.check_memory_weight([8, 8]).correct


def test_exercises_that_need_a_tagger_name_the_function():
    cells = read(NOTEBOOK).cells
    for title in ("What the RNN says", "What the feed-forward tagger says"):
        (question,) = [c for c in cells if c.cell_type == "markdown" and title in c.source]
        assert re.search(r"tag_sentence\(models\[", question.source), title


def test_the_loss_figure_and_its_errors():
    fig = figure_training_loss([1.5, 0.7, 0.2])
    (ax,) = fig.axes
    assert ax.get_xlabel() and ax.get_ylabel() == "cross-entropy loss"
    with pytest.raises(ValueError, match="losses must be a non-empty"):
        figure_training_loss([])
    with pytest.raises(TypeError, match="losses must be a sequence of numbers"):
        figure_training_loss(["a", object()])


def test_the_notebook_checks_print_true():
    text = "".join(
        output.get("text", "")
        for cell in read(NOTEBOOK).cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    for check in (
        "rnn_step == nn.RNN: True",
        "embedding == 1-of-N × W_x: True",
        "train_tagger gives the same weights: True",
        "and the same hidden states: True",
    ):
        assert check in text
    assert ARRIVE_SENTENCE  # the sentence the checks run on
