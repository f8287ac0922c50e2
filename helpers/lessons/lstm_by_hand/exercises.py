"""Notebook 06's exercise cases: the lecture's cell by hand and nn.LSTM's parameter count."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from helpers.core.determinism import seeded_single_thread
from helpers.core.lstm import LSTMCellByHand, lstm_param_count, lstm_sequence_by_hand
from helpers.ui.exercises import NUMBER, WHOLE, Exercise, Feedback, Mistake, check, format_number

MEMORY_CASE = {"memory": 5.0, "x": (2.0, 1.0, 0.0)}

OUTPUT_CASE = {"memory": 7.0, "x": (4.0, 0.0, 1.0)}

LSTM_SIZES = {"input_size": 10, "hidden_size": 20}

# Exercise 4: the notebook's sequence loop (seed, steps, sizes) with the forget gate held at 1.
LOOP_CASE = {"seed": 0, "steps": 5, "input_size": 3, "hidden_size": 2, "forget_gate": 1.0}


def loop_case_lstm() -> tuple[nn.LSTM, torch.Tensor]:
    """The LSTM and input of the notebook's sequence loop: seeded, as its cell makes them."""
    with seeded_single_thread(LOOP_CASE["seed"]):
        lstm = nn.LSTM(LOOP_CASE["input_size"], LOOP_CASE["hidden_size"])
        x = torch.randn(LOOP_CASE["steps"], 1, LOOP_CASE["input_size"])
    return lstm, x


def open_forget_gate_exercise() -> Exercise:
    lstm, x = loop_case_lstm()
    gate = LOOP_CASE["forget_gate"]
    outputs, (_, c) = lstm_sequence_by_hand(lstm, x, forget_gate=gate)
    _, (_, c_as_is) = lstm_sequence_by_hand(lstm, x)
    _, (_, c_erased) = lstm_sequence_by_hand(lstm, x, forget_gate=0.0)
    answer = round(float(c[0, 0, 0]), 4)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "Hold the forget gate open",
        NUMBER,
        answer,
        f"with f = {gate:g} nothing is forgotten: c is the sum of i·g over the "
        f"{LOOP_CASE['steps']} steps, {answer:.2f}, against {float(c_as_is[0, 0, 0]):.2f} with "
        "the forget gate as it is.",
        "change only the memory line, c = f * c + i * g, into c = c + i * g; keep the rest "
        "of the loop (h = o * tanh(c) then reads the new c).",
        (
            Mistake(
                round(float(c_as_is[0, 0, 0]), 4),
                "that is the loop as it is: replace f by 1 in the memory line, c = c + i * g.",
            ),
            Mistake(
                round(float(outputs[-1, 0, 0]), 4),
                "that is the output h; the question asks the memory c.",
            ),
            Mistake(
                round(float(c_erased[0, 0, 0]), 4),
                "that is f = 0 (the memory erased at every step); the question holds it at 1.",
            ),
        ),
        tolerance=0.005,
        given=tuple(LOOP_CASE[k] for k in ("seed", "steps", "input_size", "hidden_size")),
    )


def lstm_memory_exercise() -> Exercise:
    memory, x = MEMORY_CASE["memory"], MEMORY_CASE["x"]
    step = LSTMCellByHand().step(x, memory, exact=False)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "The memory after one step",
        NUMBER,
        step.memory,
        f"z_i = {step.z_i:g} opens the input gate and z_f = {step.z_f:g} keeps the forget gate "
        f"open: c' = {step.z:g}·1 + {format_number(memory)}·1 = {format_number(step.memory)}.",
        "c' = z·f(z_i) + c·f(z_f): work out each gate first.",
        (
            Mistake(
                step.z * step.input_gate + memory * (1 - step.forget_gate),
                f"z_f = {step.z_f:g} opens the forget gate, and a forget gate of 1 **keeps** "
                "the old memory.",
            ),
            Mistake(
                memory * step.forget_gate,
                f"z_i = {step.z_i:g} opens the input gate: x1 = {x[0]:g} is written as well.",
            ),
            Mistake(
                step.output,
                "that is the output a (the output gate is shut); the question asks the memory.",
            ),
        ),
        tolerance=0.01,
        given=(memory, x),
    )


def lstm_output_exercise() -> Exercise:
    memory, x = OUTPUT_CASE["memory"], OUTPUT_CASE["x"]
    step = LSTMCellByHand().step(x, memory, exact=False)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "The output after one step",
        NUMBER,
        step.output,
        f"x2 = 0 keeps the input gate shut (z_i = {step.z_i:g}) and the forget gate open, so "
        f"c' = {format_number(step.memory)}; x3 = 1 opens the output gate (z_o = {step.z_o:g}): "
        f"a = {format_number(step.output)}.",
        "a = c'·f(z_o): find c' first, then the output gate.",
        (
            Mistake(
                step.z + memory,
                f"x2 = 0 gives z_i = {step.z_i:g}: the input gate is shut, x1 is not written.",
            ),
            Mistake(
                0.0,
                f"x3 = 1 gives z_o = {step.z_o:g}: the output gate is open, the memory goes out.",
            ),
            Mistake(
                step.z,
                f"the forget gate is open (z_f = {step.z_f:g}): the memory keeps its "
                f"{format_number(memory)}, and x1 is not written.",
            ),
        ),
        tolerance=0.01,
        given=(memory, x),
    )


def lstm_params_exercise() -> Exercise:
    n_in, hidden = LSTM_SIZES["input_size"], LSTM_SIZES["hidden_size"]
    answer = lstm_param_count(n_in, hidden)
    return Exercise(
        "06_lstm_by_hand.ipynb",
        "Parameters of nn.LSTM",
        WHOLE,
        answer,
        f"4 gates × {hidden} units × ({n_in} inputs + {hidden} fed back) + 2 bias vectors of "
        f"4 × {hidden} = {format_number(answer)}.",
        "four blocks (i, f, g, o); each reads the input and the previous h; count the biases.",
        (
            Mistake(
                answer - 4 * hidden,
                "PyTorch has two bias vectors, bias_ih and bias_hh, each 4 × hidden_size.",
            ),
            Mistake(lstm_param_count(n_in, hidden, bias=False), "you forgot the biases."),
            Mistake(
                answer // 4,
                "that is one block: there are four (input gate, forget gate, cell input g, "
                "output gate).",
            ),
            Mistake(
                answer - 4 * hidden * hidden,
                f"each gate also reads the previous output h: {hidden} more inputs per unit.",
            ),
        ),
        given=(n_in, hidden),
    )


# --- Exercise checks (the notebook calls these) ---


def check_lstm_memory(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "The memory after one step"."""
    return check(lstm_memory_exercise, answer)


def check_lstm_output(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "The output after one step"."""
    return check(lstm_output_exercise, answer)


def check_lstm_params(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "Parameters of nn.LSTM"."""
    return check(lstm_params_exercise, answer)


def check_open_forget_gate(answer: object = None) -> Feedback:
    """Feedback on notebook 06's exercise "Hold the forget gate open"."""
    return check(open_forget_gate_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_lstm_memory": lstm_memory_exercise,
    "check_lstm_output": lstm_output_exercise,
    "check_lstm_params": lstm_params_exercise,
    "check_open_forget_gate": open_forget_gate_exercise,
}
