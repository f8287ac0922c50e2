"""The step-through view of notebook 06 shows what helpers.core.lstm computes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import ipywidgets as widgets
import pytest

from helpers.core.lstm import LECTURE_SEQUENCE, run_lecture_lstm
from helpers.lessons.lstm_by_hand.figures import (
    CLOSED_COLOUR,
    GATE_RADIUS,
    GATES,
    NODES,
    OPEN_COLOUR,
    format_value,
)
from helpers.lessons.lstm_by_hand.stepper import (
    GATE_MODES,
    SCALE,
    TABLE_COLUMNS,
    LSTMStepExplorer,
    cell_svg,
    lstm_step_explorer,
    lstm_step_view,
    lstm_table_html,
    step_explanation,
)
from tools.widget_registry import WIDGETS

SVG = "{http://www.w3.org/2000/svg}"
STEPS = range(1, len(LECTURE_SEQUENCE) + 1)


def _text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def _gate_fills(svg: ET.Element) -> dict[float, str]:
    """Fill of each gate-sized circle, keyed by its x (the three gates have distinct x)."""
    return {
        float(circle.get("cx")): circle.get("fill")
        for circle in svg.iter(f"{SVG}circle")
        if float(circle.get("r")) == pytest.approx(GATE_RADIUS * SCALE)
        and circle.get("stroke-width") == "2.5"
    }


@pytest.mark.parametrize("gates", list(GATE_MODES))
@pytest.mark.parametrize("step", STEPS)
def test_view_shows_the_helper_computation(step: int, gates: str) -> None:
    record = run_lecture_lstm(exact=GATE_MODES[gates])[step - 1]
    view = ET.fromstring(lstm_step_view(step, gates))  # well-formed (X)HTML with inline SVG
    svg = view.find(f".//{SVG}svg")
    assert svg is not None
    svg_text = " ".join(_text_of(text) for text in svg.iter(f"{SVG}text"))
    x1, x2, x3 = record.x
    assert f"step {step}: x = ({x1:g}, {x2:g}, {x3:g})" in svg_text
    assert f"a = {format_value(record.output)}" in svg_text
    assert f"was {format_value(record.memory_before)}" in svg_text
    assert f"now {format_value(record.memory)}" in svg_text
    for name in ("z_i", "z_f", "z_o"):
        assert f"{name.replace('_', '')} = {format_value(getattr(record, name))}" in svg_text
    # gates: open/closed colour and value, one circle each
    fills = sorted(_gate_fills(svg).items())
    assert len(fills) == 3
    by_x = sorted(GATES, key=lambda gate: NODES[gate[0]][0])
    for (_, fill), (_, _, title, attribute) in zip(fills, by_x, strict=True):
        value = getattr(record, attribute)
        assert fill == (OPEN_COLOUR if value >= 0.5 else CLOSED_COLOUR)
        state = "open" if value >= 0.5 else "closed"
        assert f"{title}: {state}" in svg_text
    # the table lists the steps so far, this one marked, with the helper's numbers
    rows = list(view.iter("tr"))
    assert len(rows) == step + 1  # header + one row per step so far
    current = [row for row in rows if row.get("class") == "current"]
    assert len(current) == 1 and current[0] is rows[-1]
    cells = [_text_of(cell) for cell in current[0].iter("td")]
    assert cells[0] == str(step)
    expected = ["(" + ", ".join(f"{v:g}" for v in record.x) + ")"]
    expected += [format_value(getattr(record, attr)) for _, attr in TABLE_COLUMNS[1:]]
    assert cells[1:] == expected
    items = [_text_of(item) for item in view.iter("li")]
    assert items == step_explanation(record)


def test_exact_outputs_show_the_leak_and_idealised_ones_are_whole() -> None:
    assert "a = 6.9995" in lstm_step_view(6, "exact")
    assert "a = 5.9998" in lstm_step_view(9, "exact")
    assert "a = 7<" in lstm_step_view(6, "idealised")
    assert "a = 6<" in lstm_step_view(9, "idealised")


def test_closed_gates_fade_their_wires() -> None:
    # step 7 (x2 = -1) closes all three gates: the write, keep and output wires are faint
    svg = ET.fromstring(cell_svg(run_lecture_lstm(exact=False)[6], 7))
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("marker-end")]
    assert sum(p.get("marker-end") == "url(#arrow-faint)" for p in paths) == 4
    # step 6 opens the forget and output gates: keep loop (2 wires) and output are highlighted
    svg = ET.fromstring(cell_svg(run_lecture_lstm(exact=False)[5], 6))
    paths = [p for p in svg.iter(f"{SVG}path") if p.get("marker-end")]
    assert sum(p.get("marker-end") == "url(#arrow-open)" for p in paths) == 3


def test_explanation_follows_the_gates() -> None:
    records = run_lecture_lstm(exact=False)
    write, keep, out = step_explanation(records[1])  # x = (3, 1, 0)
    assert write.startswith("Input gate open") and "g(z) = 3 " in write
    assert keep.startswith("Forget gate open") and out.startswith("Output gate closed")
    write, keep, out = step_explanation(records[6])  # x = (3, -1, 0) clears
    assert write.startswith("Input gate closed") and "memory 7 is erased" in keep
    assert "a = 6." in step_explanation(records[8])[2]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"step": 0}, ValueError, "step"),
        ({"step": 10}, ValueError, "step"),
        ({"step": 2.5}, (ValueError, TypeError), "step"),
        ({"gates": "sigmoid"}, ValueError, "gates"),
    ],
)
def test_bad_view_arguments_are_named(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        lstm_step_view(**kwargs)
    with pytest.raises(error, match=message):
        lstm_step_explorer(**kwargs)


def test_table_validates_its_arguments() -> None:
    records = run_lecture_lstm()
    full = ET.fromstring(lstm_table_html(records))
    assert len(list(full.iter("tr"))) == 10
    assert not [row for row in full.iter("tr") if row.get("class")]
    headers = [_text_of(th) for th in full.iter("th")]
    assert headers[:3] == ["step", "x = (x1, x2, x3)", "z"] and "f(zo)" in headers
    with pytest.raises(ValueError, match="upto"):
        lstm_table_html(records, upto=10)
    with pytest.raises(ValueError, match="highlight"):
        lstm_table_html(records, upto=3, highlight=4)
    with pytest.raises(ValueError, match="records"):
        lstm_table_html([])
    with pytest.raises(TypeError, match="records"):
        lstm_table_html([{"x": 1}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="record"):
        cell_svg("step")  # type: ignore[arg-type]


def test_stepper_links_play_to_the_slider_and_redraws() -> None:
    stepper = lstm_step_explorer()
    assert isinstance(stepper, LSTMStepExplorer)
    assert WIDGETS["lstm_step_explorer"] is lstm_step_explorer
    slider, play = stepper.controls["step"], stepper.play
    assert isinstance(play, widgets.Play) and isinstance(slider, widgets.IntSlider)
    assert stepper.link.source == (play, "value") and stepper.link.target == (slider, "value")
    assert (play.min, play.max) == (slider.min, slider.max) == (1, len(LECTURE_SEQUENCE))
    assert play in stepper.children[0].children and slider in stepper.children[0].children
    assert stepper.children[-1] is stepper.view
    for step in (4, 6, 9):
        slider.value = step
        assert stepper.view.value == lstm_step_view(step, "exact")
    stepper.controls["gates"].value = "idealised"
    assert stepper.view.value == lstm_step_view(9, "idealised")
    assert re.search(r"a = 6<", stepper.view.value)


def test_stepper_starts_where_asked() -> None:
    stepper = lstm_step_explorer(step=6, gates="idealised")
    assert stepper.play.value == 6 and stepper.controls["step"].value == 6
    assert stepper.view.value == lstm_step_view(6, "idealised")


def test_view_draws_the_diagram_smaller_to_fit_a_slide() -> None:
    from helpers.lessons.lstm_by_hand.stepper import VIEW_SCALE, cell_svg

    record = run_lecture_lstm(exact=True)[0]
    full = ET.fromstring(cell_svg(record, 1))
    shown = ET.fromstring(lstm_step_view(1, "exact")).find(f".//{SVG}svg")
    assert shown.get("viewBox") == full.get("viewBox")  # the same drawing...
    for side in ("width", "height"):  # ...taking VIEW_SCALE of the room
        assert int(shown.get(side)) == round(int(full.get(side)) * VIEW_SCALE)
    with pytest.raises(ValueError, match="shown must be above 0"):
        cell_svg(record, 1, shown=0)
