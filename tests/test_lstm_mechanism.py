"""The LSTM over a whole sequence written out (notebook 06) against nn.LSTM, and its exercise."""

import pytest
import torch
from torch import nn

from helpers.core.lstm import (
    LECTURE_DIAGRAM_SEQUENCE,
    lstm_cell_step_by_hand,
    lstm_sequence_by_hand,
    run_lecture_lstm,
)
from helpers.lessons.lstm_by_hand import exercises


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequence_by_hand_equals_nn_lstm(seed):
    torch.manual_seed(seed)
    lstm = nn.LSTM(input_size=4, hidden_size=3)
    x = torch.randn(7, 2, 4)
    outputs, (h, c) = lstm_sequence_by_hand(lstm, x)
    with torch.no_grad():
        expected, (h_n, c_n) = lstm(x)
    assert torch.allclose(outputs, expected, atol=1e-6)
    assert torch.allclose(h, h_n, atol=1e-6) and torch.allclose(c, c_n, atol=1e-6)


def test_a_forget_gate_held_at_one_adds_up_the_writes():
    torch.manual_seed(0)
    lstm = nn.LSTM(input_size=3, hidden_size=2)
    x = torch.randn(4, 1, 3)
    _, (_, c) = lstm_sequence_by_hand(lstm, x, forget_gate=1.0)
    cell = nn.LSTMCell(3, 2)
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    h, total = torch.zeros(1, 2), torch.zeros(1, 2)
    for x_t in x:  # with f = 1 the memory is the running sum of i·g
        _, _, gates = lstm_cell_step_by_hand(cell, x_t, h, total)
        total = total + gates["i"] * gates["g"]
        h = gates["o"] * torch.tanh(total)
    assert torch.allclose(c[0], total, atol=1e-6)
    _, (_, erased) = lstm_sequence_by_hand(lstm, x, forget_gate=0.0)
    assert not torch.allclose(erased, c)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda lstm: lstm_sequence_by_hand(nn.RNN(3, 2), torch.zeros(2, 1, 3)), TypeError, "LSTM"),
        (
            lambda lstm: lstm_sequence_by_hand(nn.LSTM(3, 2, 2), torch.zeros(2, 1, 3)),
            ValueError,
            "one layer",
        ),
        (lambda lstm: lstm_sequence_by_hand(lstm, torch.zeros(2, 3)), ValueError, "shape"),
        (lambda lstm: lstm_sequence_by_hand(lstm, torch.zeros(2, 1, 4)), ValueError, "shape"),
        (
            lambda lstm: lstm_sequence_by_hand(lstm, torch.zeros(2, 1, 3), 1.5),
            ValueError,
            "forget_gate",
        ),
        (lambda lstm: lstm_sequence_by_hand(lstm, "abc"), TypeError, "x"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words):
        call(nn.LSTM(3, 2))


def test_the_diagram_sequence_starts_with_the_articles_first_column():
    assert LECTURE_DIAGRAM_SEQUENCE[0] == (3, 1, 0)
    records = run_lecture_lstm(LECTURE_DIAGRAM_SEQUENCE, exact=False)
    assert [r.memory for r in records] == [3, 7, 7, 7, 0]
    assert [r.output for r in records] == [0, 0, 0, 7, 0]


def test_the_exercise_case_is_the_notebooks_loop():
    torch.manual_seed(exercises.LOOP_CASE["seed"])
    lstm = nn.LSTM(exercises.LOOP_CASE["input_size"], exercises.LOOP_CASE["hidden_size"])
    x = torch.randn(exercises.LOOP_CASE["steps"], 1, exercises.LOOP_CASE["input_size"])
    built, built_x = exercises.loop_case_lstm()
    assert torch.equal(x, built_x)
    assert all(torch.equal(a, b) for a, b in zip(lstm.parameters(), built.parameters()))
    h = c = torch.zeros(1, 2)
    with torch.no_grad():
        for x_t in x:  # the notebook's loop, with the forget gate replaced by 1
            pre = x_t @ lstm.weight_ih_l0.T + h @ lstm.weight_hh_l0.T
            i, _, g, o = (pre + lstm.bias_ih_l0 + lstm.bias_hh_l0).chunk(4, dim=1)
            c = c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
    answer = exercises.open_forget_gate_exercise().answer
    assert abs(float(c[0, 0]) - answer) < 1e-4
    assert exercises.check_open_forget_gate(round(answer, 2)).correct
