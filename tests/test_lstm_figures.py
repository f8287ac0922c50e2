"""The labelled LSTM cell diagram and the per-step trace (helpers.lessons.lstm_by_hand)."""

from __future__ import annotations

import math

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from helpers.core.lstm import LECTURE_MEMORY, LECTURE_OUTPUT, LECTURE_SEQUENCE, run_lecture_lstm
from helpers.lessons.lstm_by_hand.figures import (
    CLOSED_COLOUR,
    GATE_RADIUS,
    GATES,
    HEIGHT,
    MEMORY_BOX,
    MUL_RADIUS,
    NEUTRAL_GATE_COLOUR,
    NODES,
    OPEN_COLOUR,
    WIDTH,
    WIRES,
    figure_lstm_cell,
    figure_lstm_trace,
    format_value,
    gate_colour,
    gate_is_open,
)
from tools.figures import FIGURES


def _texts(fig: Figure) -> list[str]:
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def _gate_circles(fig: Figure) -> dict[tuple[float, float], str]:
    """Fill colour of every gate-sized circle, by centre."""
    return {
        tuple(round(v, 6) for v in patch.center): to_hex(patch.get_facecolor())
        for patch in fig.axes[0].patches
        if isinstance(patch, Circle) and patch.radius == GATE_RADIUS
    }


def test_cell_diagram_has_four_inputs_three_gates_memory_and_one_output() -> None:
    fig = figure_lstm_cell()
    texts = _texts(fig)
    for name in ("$z$", "$z_i$", "$z_f$", "$z_o$", "$a$"):
        assert texts.count(name) == 1, name
    for gate in ("input gate", "forget gate", "output gate"):
        assert gate in texts
    assert any("memory" in text and "$c$" in text for text in texts)
    assert any("c' = g(z)" in text for text in texts) and any("a = h(c')" in text for text in texts)
    assert "four inputs" in fig.axes[0].get_title()
    patches = fig.axes[0].patches
    circles = [p for p in patches if isinstance(p, Circle)]
    assert sum(p.radius == MUL_RADIUS for p in circles) == 3  # three products
    # three gates (neutral without a record) and the two activation blocks g and h
    colours = list(_gate_circles(fig).values())
    assert colours.count(NEUTRAL_GATE_COLOUR) == 3 and len(colours) == 5
    assert sum(isinstance(p, FancyBboxPatch) for p in patches) == 1  # the memory cell


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("index", range(len(LECTURE_SEQUENCE)))
def test_cell_diagram_of_a_step_colours_gates_and_shows_values(index: int, exact: bool) -> None:
    record = run_lecture_lstm(exact=exact)[index]
    fig = figure_lstm_cell(record, step=index + 1)
    colours = _gate_circles(fig)
    for node, _, _, attribute in GATES:
        expected = OPEN_COLOUR if getattr(record, attribute) >= 0.5 else CLOSED_COLOUR
        assert colours[tuple(round(v, 6) for v in NODES[node])] == expected
    texts = " ".join(_texts(fig))
    assert f"$a$ = {format_value(record.output)}" in texts
    assert format_value(record.memory) in texts and format_value(record.memory_before) in texts
    assert f"= {format_value(record.z_i)}" in texts
    assert fig.axes[0].get_title().startswith(f"step {index + 1}: x = (")


def test_cell_diagram_rejects_a_non_record() -> None:
    with pytest.raises(TypeError, match="record"):
        figure_lstm_cell({"x": (1, 0, 0)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step"):
        figure_lstm_cell(run_lecture_lstm()[0], step=0)


def test_wires_stay_inside_the_drawing_and_end_on_their_targets() -> None:
    left, bottom, width, height = MEMORY_BOX
    for wire in WIRES:
        for x, y in (wire.start, wire.end):
            assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT, wire
    ends = {wire.name: wire.end for wire in WIRES}
    # the gated input lands on the memory box, the forget loop leaves and re-enters it
    assert ends["write"][0] == left
    assert ends["keep_in"][1] == bottom
    gx, gy = NODES["gate_f"]
    assert math.dist(ends["z_f"], (gx, gy)) == pytest.approx(GATE_RADIUS)


def test_trace_plots_the_lecture_run() -> None:
    fig = figure_lstm_trace()
    top, bottom = fig.axes
    lines = {line.get_label(): list(line.get_ydata()) for line in top.get_lines()}
    exact = run_lecture_lstm(exact=True)
    assert lines["memory c (0/1 gates)"] == list(LECTURE_MEMORY)
    assert lines["output a (0/1 gates)"] == list(LECTURE_OUTPUT)
    assert lines["memory c (exact)"] == [r.memory for r in exact]
    heights = [bar.get_height() for bar in bottom.patches]
    expected = [getattr(r, attr) for _, _, _, attr in GATES for r in exact]
    assert heights == pytest.approx(expected)
    assert bottom.get_xlabel() == "step" and bottom.get_ylabel() == "gate value"
    assert top.get_title()


def test_format_value_rounds_for_display() -> None:
    assert format_value(90.0) == "90" and format_value(-0.0) == "0"
    assert format_value(1 / (1 + math.exp(-10))) == "1.0000"  # 0.99995, rounded
    assert format_value(1 / (1 + math.exp(10))) == "4.5e-05"  # the leak stays visible
    assert format_value(run_lecture_lstm()[5].output) == "6.9995"
    assert format_value(run_lecture_lstm()[8].output) == "5.9998"


def test_gate_threshold_and_colours() -> None:
    assert gate_is_open(0.5) and not gate_is_open(0.4999)
    assert gate_colour(None) == NEUTRAL_GATE_COLOUR
    assert gate_colour(1.0) == OPEN_COLOUR and gate_colour(0.0) == CLOSED_COLOUR


def test_figures_are_registered() -> None:
    assert FIGURES["06_lstm_cell"] is figure_lstm_cell
    assert FIGURES["06_lstm_trace"] is figure_lstm_trace
