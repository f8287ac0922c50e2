"""Tests for helpers.core.lstm: the lecture's LSTM cell and its mapping to nn.LSTM / nn.LSTMCell."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers.core.lstm import (
    ARTICLE_MEMORY,
    ARTICLE_OUTPUT,
    ARTICLE_WALKTHROUGH,
    GATE_ORDER,
    GOOD_SCALE,
    LECTURE_MEMORY,
    LECTURE_OUTPUT,
    LECTURE_SEQUENCE,
    LSTMCellByHand,
    LSTMStepRecord,
    check_sequence,
    compare_torch_with_lecture,
    lstm_cell_step_by_hand,
    lstm_cell_with_lecture_weights,
    lstm_gate_slices,
    lstm_gate_weights,
    lstm_param_count,
    run_lecture_lstm,
    run_lecture_lstm_torch,
)

# sigmoid(-10): how far the lecture's "closed" gates (pre-activation ±10) are from 0 or 1.
LEAK = 1 / (1 + math.exp(10))

steps = st.tuples(
    st.integers(min_value=-9, max_value=9),
    st.sampled_from((-1, 0, 1)),
    st.sampled_from((0, 1)),
)
sequences = st.lists(steps, min_size=1, max_size=15)


# --- The lecture's example ---------------------------------------------------------------


def test_lecture_sequence_is_the_lecture_example() -> None:
    assert LECTURE_SEQUENCE == (
        (1, 0, 0),
        (3, 1, 0),
        (2, 0, 0),
        (4, 1, 0),
        (2, 0, 0),
        (1, 0, 1),
        (3, -1, 0),
        (6, 1, 0),
        (1, 0, 1),
    )


def test_idealised_cell_gives_lecture_numbers_exactly() -> None:
    records = run_lecture_lstm(exact=False)
    assert [r.memory for r in records] == [0, 3, 3, 7, 7, 7, 0, 6, 6]
    assert [r.output for r in records] == [0, 0, 0, 0, 0, 7, 0, 0, 6]
    assert tuple(r.memory for r in records) == LECTURE_MEMORY
    assert tuple(r.output for r in records) == LECTURE_OUTPUT


def test_exact_cell_gives_lecture_numbers_within_tolerance() -> None:
    records = run_lecture_lstm(exact=True)
    for record, memory, output in zip(records, LECTURE_MEMORY, LECTURE_OUTPUT, strict=True):
        assert record.memory == pytest.approx(memory, abs=1e-3)
        assert record.output == pytest.approx(output, abs=1e-3)
    # The lecture's gates leak sigmoid(-10) ≈ 4.5e-5, so the outputs fall a little short of 7, 6.
    assert records[5].output == pytest.approx(6.9995, abs=5e-5)
    assert records[8].output == pytest.approx(5.9998, abs=5e-5)
    assert records[5].output < 7 and records[8].output < 6


def test_article_walkthrough_is_the_shortened_lecture_sequence() -> None:
    # columns 1-4 are the lecture's; the fifth opens the output gate (x3 = 1) one step early
    assert ARTICLE_WALKTHROUGH[:4] == LECTURE_SEQUENCE[:4]
    assert ARTICLE_WALKTHROUGH[4][1:] == (0, 1) and LECTURE_SEQUENCE[4][1:] == (0, 0)
    ideal = run_lecture_lstm(ARTICLE_WALKTHROUGH, exact=False)
    assert tuple(r.memory for r in ideal) == ARTICLE_MEMORY == (0, 3, 3, 7, 7)
    assert tuple(r.output for r in ideal) == ARTICLE_OUTPUT == (0, 0, 0, 0, 7)
    # the lecture lets the 7 out only at step 6
    assert LECTURE_OUTPUT.index(7) == 5
    # the article's fifth x1 is not given: any x1 gives 7 there
    for x1 in (-5, 0, 2, 9):
        sequence = (*ARTICLE_WALKTHROUGH[:4], (x1, 0, 1))
        assert run_lecture_lstm(sequence, exact=False)[-1].output == 7
    assert run_lecture_lstm(ARTICLE_WALKTHROUGH)[-1].output == pytest.approx(7, abs=1e-3)


def test_records_chain_and_carry_preactivations() -> None:
    records = run_lecture_lstm()
    assert records[0].memory_before == 0.0
    for previous, record in zip(records, records[1:], strict=False):
        assert record.memory_before == previous.memory
    second = records[1]  # x = (3, 1, 0): the article's "90" is this input gate pre-activation
    assert isinstance(second, LSTMStepRecord)
    assert second.x == (3.0, 1.0, 0.0)
    assert (second.z, second.z_i, second.z_f, second.z_o) == (3.0, 90.0, 110.0, -10.0)
    assert second.input_gate == pytest.approx(1.0)
    assert second.output_gate == pytest.approx(LEAK)
    assert set(second.as_row()) >= {"x", "memory", "output", "input_gate"}
    with pytest.raises(AttributeError):
        second.memory = 1.0  # type: ignore[misc]


def test_step_uses_the_cell_equations_with_custom_weights() -> None:
    cell = LSTMCellByHand(w_z=(2, 1, 0), w_i=(0, 0, 1), b_i=0.5, b_z=1, w_o=(1, 0, 0), b_o=0)
    record = cell.step((1.0, 2.0, 3.0), memory=4.0, exact=True)
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    z, z_i, z_f, z_o = 2 + 2 + 1, 3 + 0.5, 100 * 2 + 10, 1.0
    assert (record.z, record.z_i, record.z_f, record.z_o) == pytest.approx((z, z_i, z_f, z_o))
    memory = z * sig(z_i) + 4.0 * sig(z_f)
    assert record.memory == pytest.approx(memory)
    assert record.output == pytest.approx(memory * sig(z_o))
    ideal = cell.step((1.0, 2.0, 3.0), memory=4.0, exact=False)
    assert (ideal.input_gate, ideal.forget_gate, ideal.output_gate) == (1.0, 1.0, 1.0)
    assert ideal.memory == z + 4.0


def test_idealised_gate_is_closed_at_zero_and_below() -> None:
    cell = LSTMCellByHand(b_i=0.0, b_f=-1e-9, b_o=1e-9)
    record = cell.step((5, 0, 0), memory=2.0, exact=False)
    assert (record.input_gate, record.forget_gate, record.output_gate) == (0.0, 0.0, 1.0)


@settings(max_examples=150, deadline=None)
@given(sequences)
def test_idealised_cell_follows_the_lecture_rules(sequence: list[tuple[int, int, int]]) -> None:
    records = run_lecture_lstm(sequence, exact=False)
    memory = 0
    for (x1, x2, x3), record in zip(sequence, records, strict=True):
        if x2 == 1:
            memory += x1
        elif x2 == -1:
            memory = 0
        assert record.memory == memory
        assert record.output == (memory if x3 == 1 else 0)


@settings(max_examples=150, deadline=None)
@given(sequences)
def test_exact_cell_stays_close_to_the_idealised_one(sequence: list[tuple[int, int, int]]) -> None:
    exact = run_lecture_lstm(sequence, exact=True)
    ideal = run_lecture_lstm(sequence, exact=False)
    # Each step a gate is at most LEAK away from 0 or 1, so the memory can drift by at most
    # LEAK * (|previous memory| + |x1|) on top of the drift it already had.
    bound = 0.0
    previous = 0.0
    for (x1, _, _), e, i in zip(sequence, exact, ideal, strict=True):
        bound += 2 * LEAK * (abs(previous) + bound + abs(x1))
        assert abs(e.memory - i.memory) <= bound + 1e-12
        assert abs(e.output - i.output) <= bound + 2 * LEAK * abs(i.memory) + 1e-12
        previous = i.memory
    assert bound < 0.25  # the bound is not vacuous for these modest |x1|


@pytest.mark.parametrize(
    ("sequence", "message"),
    [
        (5, "sequence must be"),
        ("abc", "sequence must be"),
        ([], "at least one step"),
        ([(1, 0, 0), (1, 0)], "step 2"),
        ([(1, 0, 0), (1, 0, 0), (1, 0, 0, 0)], "step 3"),
        ([(1, 0, float("nan"))], "step 1"),
        ([(1, 0, 0), (math.inf, 0, 0)], "step 2"),
        ([(1, 0, 0), (1, 0, 0), (1, 0, 0), ("a", 0, 0)], "step 4"),
        ([(1, 0, 0), 7], "step 2"),
        ([(1, None, 0)], "step 1"),
        ([(True, 0, 0)], "step 1"),
        (["abc"], "step 1"),
    ],
)
def test_malformed_sequences_name_the_step(sequence: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_lecture_lstm(sequence)  # type: ignore[arg-type]


def test_numpy_sequences_are_accepted() -> None:
    array = np.array(LECTURE_SEQUENCE, dtype=np.int64)
    assert check_sequence(array) == check_sequence(LECTURE_SEQUENCE)
    assert [r.output for r in run_lecture_lstm(array, exact=False)] == list(LECTURE_OUTPUT)


def test_bad_cell_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="w_i"):
        LSTMCellByHand(w_i=(1, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="b_o"):
        LSTMCellByHand(b_o=math.nan)
    with pytest.raises(ValueError, match="memory"):
        LSTMCellByHand().step((1, 0, 0), memory=math.inf)
    with pytest.raises(TypeError, match="exact"):
        run_lecture_lstm(exact=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cell"):
        run_lecture_lstm(cell="lecture")  # type: ignore[arg-type]


# --- Mapping to PyTorch ------------------------------------------------------------------


def test_gate_slices_are_consecutive_blocks_in_pytorch_order() -> None:
    slices = lstm_gate_slices(5)
    assert tuple(slices) == GATE_ORDER == ("i", "f", "g", "o")
    assert [(s.start, s.stop) for s in slices.values()] == [(0, 5), (5, 10), (10, 15), (15, 20)]
    with pytest.raises(ValueError, match="hidden_size"):
        lstm_gate_slices(0)


@pytest.mark.parametrize("gate", GATE_ORDER)
@pytest.mark.parametrize("kind", ["LSTMCell", "LSTM"])
def test_each_slice_drives_the_gate_pytorch_says(gate: str, kind: str) -> None:
    # Zero weights put every gate at its resting value (sigmoid 0.5, tanh 0); opening one slice's
    # bias must move exactly that gate, which we read back from PyTorch's own output.
    module = nn.LSTMCell(2, 1) if kind == "LSTMCell" else nn.LSTM(2, 1)
    bias = module.bias_ih if kind == "LSTMCell" else module.bias_ih_l0
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.zero_()
        bias[lstm_gate_slices(1)[gate]] = 20.0  # this gate's sigmoid (or tanh) → 1
        c0 = torch.full((1, 1), 0.8)
        if kind == "LSTMCell":
            h, c = module(torch.zeros(1, 2), (torch.zeros(1, 1), c0))
        else:
            _, (h, c) = module(torch.zeros(1, 1, 2), (torch.zeros(1, 1, 1), c0[None]))
    i, f, g, o = (1.0 if name == gate else (0.0 if name == "g" else 0.5) for name in GATE_ORDER)
    expected_c = f * 0.8 + i * g
    assert c.item() == pytest.approx(expected_c, abs=1e-6)
    assert h.item() == pytest.approx(o * math.tanh(expected_c), abs=1e-6)


def test_gate_weights_split_lstm_and_cell() -> None:
    torch.manual_seed(0)
    lstm = nn.LSTM(4, 3, num_layers=2)
    parts = lstm_gate_weights(lstm, layer=1)
    assert torch.equal(parts["g"]["weight_ih"], lstm.weight_ih_l1.detach()[6:9])
    assert torch.equal(parts["o"]["bias_hh"], lstm.bias_hh_l1.detach()[9:12])
    assert parts["i"]["weight_ih"].shape == (3, 3)  # layer 1 reads layer 0's 3 hidden units
    cell = nn.LSTMCell(4, 3, bias=False)
    cell_parts = lstm_gate_weights(cell)
    assert set(cell_parts["f"]) == {"weight_ih", "weight_hh"}
    assert torch.equal(cell_parts["f"]["weight_hh"], cell.weight_hh.detach()[3:6])
    with pytest.raises(ValueError, match="layer"):
        lstm_gate_weights(lstm, layer=2)
    with pytest.raises(TypeError, match="module"):
        lstm_gate_weights(nn.GRU(4, 3))  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(5))
def test_step_by_hand_matches_lstm_cell(seed: int) -> None:
    torch.manual_seed(seed)
    cell = nn.LSTMCell(4, 3)
    x, h, c = torch.randn(2, 4), torch.randn(2, 3), torch.randn(2, 3)
    h_hand, c_hand, gates = lstm_cell_step_by_hand(cell, x, h, c)
    h_torch, c_torch = cell(x, (h, c))
    torch.testing.assert_close(h_hand, h_torch.detach(), atol=1e-6, rtol=0)
    torch.testing.assert_close(c_hand, c_torch.detach(), atol=1e-6, rtol=0)
    assert set(gates) == set(GATE_ORDER)
    torch.testing.assert_close(c_hand, gates["f"] * c + gates["i"] * gates["g"])


def test_step_by_hand_defaults_and_unbatched_input() -> None:
    torch.manual_seed(1)
    cell = nn.LSTMCell(3, 2)
    x = [0.5, -1.0, 2.0]
    h_hand, c_hand, _ = lstm_cell_step_by_hand(cell, x)
    h_torch, c_torch = cell(torch.tensor(x))
    assert h_hand.shape == (2,)
    torch.testing.assert_close(h_hand, h_torch.detach(), atol=1e-6, rtol=0)
    torch.testing.assert_close(c_hand, c_torch.detach(), atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="x must have shape"):
        lstm_cell_step_by_hand(cell, torch.zeros(1, 4))
    with pytest.raises(ValueError, match="h must have shape"):
        lstm_cell_step_by_hand(cell, torch.zeros(1, 3), h=torch.zeros(1, 3))
    with pytest.raises(TypeError, match="cell"):
        lstm_cell_step_by_hand(nn.LSTM(3, 2), x)  # type: ignore[arg-type]


def test_lecture_cell_in_pytorch_has_the_lecture_weights() -> None:
    cell = lstm_cell_with_lecture_weights(scale=0.5)
    parts = lstm_gate_weights(cell)
    assert parts["i"]["weight_ih"].tolist() == [[0.0, 100.0, 0.0]]
    assert parts["f"]["weight_ih"].tolist() == [[0.0, 100.0, 0.0]]
    assert parts["g"]["weight_ih"].tolist() == [[0.5, 0.0, 0.0]]
    assert parts["o"]["weight_ih"].tolist() == [[0.0, 0.0, 100.0]]
    assert [parts[g]["bias_ih"].item() for g in GATE_ORDER] == [-10.0, 10.0, 0.0, -10.0]
    assert not cell.weight_hh.any() and not cell.bias_hh.any()


def test_tanh_keeps_pytorch_from_outputting_seven() -> None:
    records = run_lecture_lstm_torch(scale=1.0)
    assert max(r.hidden for r in records) < 1.0  # o * tanh(c) can never reach 1
    assert all(r.output_readout < 7 for r in records)
    # With scale 1 the step-6 output is tanh(tanh(3) + tanh(4)) ≈ 0.9636, not 7.
    assert records[5].hidden == pytest.approx(math.tanh(math.tanh(3) + math.tanh(4)), abs=1e-3)


def test_scaled_pytorch_cell_gets_close_to_the_lecture() -> None:
    lecture = run_lecture_lstm(exact=True)
    records = run_lecture_lstm_torch(scale=GOOD_SCALE)
    for record, reference in zip(records, lecture, strict=True):
        assert record.output_readout == pytest.approx(reference.output, abs=0.05)
        assert record.memory_readout == pytest.approx(reference.memory, abs=0.05)
        assert record.memory == pytest.approx(record.memory_readout * GOOD_SCALE)
    rows = compare_torch_with_lecture((1.0, 0.1, GOOD_SCALE, 0.001))
    errors = [row["max_abs_error"] for row in rows]
    assert errors == sorted(errors, reverse=True)  # smaller scale, closer to the lecture
    assert errors[0] > 6 and errors[2] < 0.05 and errors[3] < 1e-3


def test_bad_scale_is_named() -> None:
    for scale in (0, -1.0, math.nan, "1"):
        with pytest.raises(ValueError, match="scale"):
            lstm_cell_with_lecture_weights(scale)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scales"):
        compare_torch_with_lecture(())


@pytest.mark.parametrize(
    ("input_size", "hidden_size", "num_layers", "bias"),
    [(3, 1, 1, True), (300, 512, 2, True), (7, 5, 3, False), (1, 1, 1, False)],
)
def test_lstm_param_count_matches_pytorch(
    input_size: int, hidden_size: int, num_layers: int, bias: bool
) -> None:
    lstm = nn.LSTM(input_size, hidden_size, num_layers, bias=bias)
    expected = sum(p.numel() for p in lstm.parameters())
    assert lstm_param_count(input_size, hidden_size, num_layers, bias) == expected
