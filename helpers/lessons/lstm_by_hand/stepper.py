"""Notebook 06's step-through widget: the lecture's LSTM cell redrawn (as SVG) at each step.

The view is a pure function of (step, gates); the cell's geometry and colours come from
`helpers.lessons.lstm_by_hand.figures`, the numbers from `helpers.core.lstm.run_lecture_lstm`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import ipywidgets as widgets

from helpers.core.arithmetic import check_int, check_real
from helpers.core.lstm import LECTURE_SEQUENCE, LSTMStepRecord, run_lecture_lstm
from helpers.lessons.lstm_by_hand.figures import (
    BLOCK_COLOUR,
    GATE_RADIUS,
    GATED_WIRES,
    GATES,
    HEIGHT,
    INPUT_COLOUR,
    INPUT_NODES,
    MEMORY_BOX,
    MEMORY_COLOUR,
    MUL_RADIUS,
    NODES,
    OPEN_COLOUR,
    PLUS_AT,
    WIDTH,
    WIRE_COLOUR,
    WIRES,
    Wire,
    format_value,
    gate_colour,
    gate_is_open,
)
from helpers.ui.explorer import Explorer, int_slider
from helpers.ui.palette import CURRENT_ROW_COLOUR, FAINT_COLOUR

# gates control value -> exact sigmoid gates?
GATE_MODES: dict[str, bool] = {"exact": True, "idealised": False}

GATE_MODE_LABELS: dict[str, str] = {"exact": "exact sigmoid gates", "idealised": "idealised 0/1"}

SCALE = 40  # SVG pixels per diagram unit

LEFT, RIGHT = -0.6, WIDTH + 1.6  # diagram x range drawn (room for the input and output text)

BOTTOM = -1.3  # lowest diagram y drawn (room for the forget gate's text)

TOP_MARGIN = 1.0  # diagram units above HEIGHT, for the title


PLAY_INTERVAL_MS = 1200

MARKERS: dict[str, str] = {
    "arrow": WIRE_COLOUR,
    "arrow-faint": FAINT_COLOUR,
    "arrow-open": OPEN_COLOUR,
}

# Columns of the hand-computation table: header (HTML) and record attribute.
TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("x = (x1, x2, x3)", "x"),
    ("z", "z"),
    ("z<sub>i</sub>", "z_i"),
    ("f(z<sub>i</sub>)", "input_gate"),
    ("z<sub>f</sub>", "z_f"),
    ("f(z<sub>f</sub>)", "forget_gate"),
    ("z<sub>o</sub>", "z_o"),
    ("f(z<sub>o</sub>)", "output_gate"),
    ("memory c", "memory"),
    ("output a", "output"),
)


def _px(point: tuple[float, float]) -> tuple[float, float]:
    """Diagram units (y up) → SVG pixels (y down)."""
    x, y = point
    return (x - LEFT) * SCALE, (HEIGHT + TOP_MARGIN - y) * SCALE


def _sub(name: str) -> str:
    """'z_i' → z with a subscript i, as SVG text content."""
    base, _, index = name.partition("_")
    if not index:
        return escape(base)
    return f'{escape(base)}<tspan baseline-shift="sub" font-size="70%">{escape(index)}</tspan>'


def _wire_path(wire: Wire, colour: str, width: float, dashed: bool, marker: str) -> str:
    """One arrow as an SVG path; curved wires use matplotlib's arc3 control point."""
    (x1, y1), (x2, y2) = wire.start, wire.end
    start, end = _px(wire.start), _px(wire.end)
    if wire.rad:
        # arc3: the control point sits rad × |start-end| off the midpoint, to the right.
        control = _px(((x1 + x2) / 2 + wire.rad * (y2 - y1), (y1 + y2) / 2 - wire.rad * (x2 - x1)))
        shape = f"Q {control[0]:.1f} {control[1]:.1f} {end[0]:.1f} {end[1]:.1f}"
    else:
        shape = f"L {end[0]:.1f} {end[1]:.1f}"
    dash = ' stroke-dasharray="3 3"' if dashed else ""
    return (
        f'<path d="M {start[0]:.1f} {start[1]:.1f} {shape}" fill="none" stroke="{colour}" '
        f'stroke-width="{width}"{dash} marker-end="url(#{marker})"/>'
    )


def _circle(name: str, radius: float, fill: str, label: str, stroke_width: float = 1.5) -> str:
    x, y = _px(NODES[name])
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius * SCALE:.1f}" fill="{fill}" '
        f'stroke="{WIRE_COLOUR}" stroke-width="{stroke_width}"/>'
        f'<text x="{x:.1f}" y="{y + 6:.1f}" text-anchor="middle" font-size="18" '
        f'font-style="italic">{label}</text>'
    )


def _text(point: tuple[float, float], content: str, anchor: str = "middle", **style: str) -> str:
    x, y = _px(point)
    extra = "".join(f' {key.replace("_", "-")}="{value}"' for key, value in style.items())
    return f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="{anchor}"{extra}>{content}</text>'


def cell_svg(record: LSTMStepRecord, step: int | None = None, shown: float = 1.0) -> str:
    """The lecture's cell as an SVG string for one step: gates filled with the open or closed
    colour, gated wires faint while their gate is closed, and every value of the step.

    `shown` scales the size it takes on the page (the drawing itself is the same).
    """
    if not isinstance(record, LSTMStepRecord):
        raise TypeError(f"record must be an LSTMStepRecord, got {type(record).__name__}")
    if not 0 < check_real(shown, "shown") <= 4:
        raise ValueError(f"shown must be above 0 and at most 4, got {shown}")
    width, height = (RIGHT - LEFT) * SCALE, (HEIGHT + TOP_MARGIN - BOTTOM) * SCALE
    values = record.as_row()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * shown:.0f}" '
        f'height="{height * shown:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        'font-family="sans-serif" font-size="14">',
        "<defs>",
    ]
    for marker, colour in MARKERS.items():
        # userSpaceOnUse: the arrowhead keeps its size on the thick wires of open gates.
        parts.append(
            f'<marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="11" '
            f'markerHeight="11" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M 0 0 L 10 5 L 0 10 z" fill="{colour}"/></marker>'
        )
    parts.append("</defs>")
    x1, x2, x3 = record.x
    title = f"x = ({x1:g}, {x2:g}, {x3:g})"
    if step is not None:
        title = f"step {step}: {title}"
    parts.append(
        _text((WIDTH / 2, HEIGHT + 0.4), escape(title), font_size="17", font_weight="bold")
    )
    for wire in WIRES:
        gate = GATED_WIRES.get(wire.name)
        if gate is not None and not gate_is_open(values[gate]):
            parts.append(_wire_path(wire, FAINT_COLOUR, 1.5, True, "arrow-faint"))
        elif gate is not None:
            parts.append(_wire_path(wire, gate_colour(values[gate]), 3.5, False, "arrow-open"))
        else:
            parts.append(_wire_path(wire, WIRE_COLOUR, 2, False, "arrow"))

    left, bottom, box_width, box_height = MEMORY_BOX
    bx, by = _px((left, bottom + box_height))
    parts.append(
        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{box_width * SCALE:.1f}" '
        f'height="{box_height * SCALE:.1f}" rx="6" fill="{MEMORY_COLOUR}" '
        f'stroke="{WIRE_COLOUR}" stroke-width="2"/>'
    )
    centre = left + box_width / 2
    parts.append(_text((centre, bottom + 1.15), "memory c", font_size="13"))
    before, after = escape(format_value(record.memory_before)), escape(format_value(record.memory))
    parts.append(_text((centre, bottom + 0.7), f"was {before}", font_size="12"))
    parts.append(_text((centre, bottom + 0.25), f"now {after}", font_size="13", font_weight="bold"))
    parts.append(_text(PLUS_AT, "+", font_size="20", font_weight="bold"))
    parts.append(_circle("g", GATE_RADIUS, BLOCK_COLOUR, "g"))
    parts.append(_circle("h", GATE_RADIUS, BLOCK_COLOUR, "h"))
    for mul in ("mul_i", "mul_f", "mul_o"):
        parts.append(_circle(mul, MUL_RADIUS, "white", "×"))
    for node, z_name, title_text, attribute in GATES:
        value = values[attribute]
        parts.append(_circle(node, GATE_RADIUS, gate_colour(value), "f", stroke_width=2.5))
        x, y = NODES[node]
        state = "open" if gate_is_open(value) else "closed"
        lines = (f"{title_text}: {state}", f"f({_sub(z_name)}) = {escape(format_value(value))}")
        if node == "gate_f":
            at, anchor = [(x, y - 0.95), (x, y - 1.4)], "middle"
        else:
            at, anchor = [(x + 0.8, y + 0.2), (x + 0.8, y - 0.3)], "start"
        for point, line in zip(at, lines, strict=True):
            parts.append(_text(point, line, anchor, font_size="13"))
    for node, z_name in INPUT_NODES.items():
        x, y = NODES[node]
        value = escape(format_value(values[z_name]))
        if z_name == "z":
            parts.append(_text((x, y + 0.45), _sub(z_name), fill=INPUT_COLOUR, font_size="18"))
            parts.append(_text((x, y - 0.45), f"= {value}", fill=INPUT_COLOUR, font_size="13"))
        else:
            label = f"{_sub(z_name)} = {value}"
            parts.append(_text((x - 0.35, y), label, "start", fill=INPUT_COLOUR, font_size="16"))
    output_colour = gate_colour(record.output_gate)
    parts.append(
        _text(
            NODES["a_out"],
            f"a = {escape(format_value(record.output))}",
            "start",
            font_size="17",
            font_weight="bold",
            fill=output_colour,
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def step_explanation(record: LSTMStepRecord) -> list[str]:
    """What each gate did in this step, in words (one sentence per gate), from its value."""
    if not isinstance(record, LSTMStepRecord):
        raise TypeError(f"record must be an LSTMStepRecord, got {type(record).__name__}")
    z, before = format_value(record.z), format_value(record.memory_before)
    if gate_is_open(record.input_gate):
        write = f"Input gate open: g(z) = {z} is added to the memory."
    else:
        write = f"Input gate closed: z = {z} stays out of the memory."
    if gate_is_open(record.forget_gate):
        keep = f"Forget gate open (≈ 1): the old memory {before} is kept."
    else:
        keep = f"Forget gate closed (≈ 0): the old memory {before} is erased."
    if gate_is_open(record.output_gate):
        out = f"Output gate open: the memory goes out, a = {format_value(record.output)}."
    else:
        out = f"Output gate closed: a = {format_value(record.output)} ≈ 0."
    return [write, keep, out]


def lstm_table_html(
    records: Sequence[LSTMStepRecord], upto: int | None = None, highlight: int | None = None
) -> str:
    """The hand computation as an HTML table, one row per step (1-based steps), rounded for
    display; only the first `upto` steps when given, with step `highlight` marked."""
    if isinstance(records, (str, bytes)) or not isinstance(records, Sequence) or not records:
        raise ValueError("records must be a non-empty sequence of LSTMStepRecord")
    if not all(isinstance(record, LSTMStepRecord) for record in records):
        raise TypeError("records must hold LSTMStepRecord objects only")
    upto = len(records) if upto is None else check_int(upto, "upto")
    if upto > len(records):
        raise ValueError(f"upto must be <= {len(records)} (the number of steps), got {upto}")
    if highlight is not None:
        highlight = check_int(highlight, "highlight")
        if highlight > upto:
            raise ValueError(f"highlight must be <= upto={upto}, got {highlight}")
    cell = "style='padding:2px 8px;text-align:right'"
    head = "".join(f"<th {cell}>{header}</th>" for header, _ in TABLE_COLUMNS)
    rows = [f"<tr><th {cell}>step</th>{head}</tr>"]
    for step, record in enumerate(records[:upto], start=1):
        entries = []
        for _, attribute in TABLE_COLUMNS:
            value = getattr(record, attribute)
            if attribute == "x":
                text = "(" + ", ".join(f"{v:g}" for v in value) + ")"
            else:
                text = format_value(value)
            entries.append(f"<td {cell}>{escape(text)}</td>")
        marker = (
            f" class='current' style='background:{CURRENT_ROW_COLOUR};font-weight:bold'"
            if step == highlight
            else ""
        )
        rows.append(f"<tr{marker}><td {cell}>{step}</td>{''.join(entries)}</tr>")
    return (
        "<table style='border-collapse:collapse;font-family:monospace;font-size:13px'>"
        + "".join(rows)
        + "</table>"
    )


# How big the cell diagram is drawn in the step-through view (1: its natural 888 x 436 px).
VIEW_SCALE = 0.65


def lstm_step_view(step: int = 1, gates: str = "exact") -> str:
    """The widget's view for one step of the lecture sequence: the cell as SVG, what each gate
    did, and the table up to this step with this step's row marked."""
    if gates not in GATE_MODES:
        raise ValueError(f"gates must be one of {list(GATE_MODES)}, got {gates!r}")
    records = run_lecture_lstm(LECTURE_SEQUENCE, exact=GATE_MODES[gates])
    step = check_int(step, "step")
    if step > len(records):
        raise ValueError(f"step must be between 1 and {len(records)}, got {step}")
    record = records[step - 1]
    sentences = "".join(f"<li>{escape(line)}</li>" for line in step_explanation(record))
    # The diagram at VIEW_SCALE with what each gate did beside it, the table below: the whole
    # view fits a 1280 x 720 slide (make present).
    return (
        "<div><div style='display:flex;gap:12px;align-items:center'>"
        + cell_svg(record, step, shown=VIEW_SCALE)
        + f"<ul style='margin:4px 0;max-width:420px'>{sentences}</ul></div>"
        + lstm_table_html(records, upto=step, highlight=step)
        + "</div>"
    )


class LSTMStepExplorer(Explorer):
    """The step-through widget: a Play button linked (in the browser) to a time-step slider,
    a choice of exact or idealised gates, and the cell view."""

    def __init__(self, step: int = 1, gates: str = "exact") -> None:
        steps = len(LECTURE_SEQUENCE)
        step = check_int(step, "step")
        if step > steps:
            raise ValueError(f"step must be between 1 and {steps}, got {step}")
        if gates not in GATE_MODES:
            raise ValueError(f"gates must be one of {list(GATE_MODES)}, got {gates!r}")
        slider = int_slider(step, 1, steps, "time step")
        gate_control = widgets.ToggleButtons(
            options=[(GATE_MODE_LABELS[mode], mode) for mode in GATE_MODES],
            value=gates,
            description="gates",
            # wide enough for "exact sigmoid gates" in full, at a projector's font size
            style={"description_width": "50px", "button_width": "180px"},
        )
        super().__init__(lstm_step_view, {"step": slider, "gates": gate_control})
        self.play = widgets.Play(
            value=step, min=1, max=steps, step=1, interval=PLAY_INTERVAL_MS, description="play"
        )
        # jslink runs in the browser: each tick moves the slider, whose change re-renders here.
        self.link = widgets.jslink((self.play, "value"), (slider, "value"))
        # one row of controls, so that the controls and the view fit a 1280 x 720 slide
        self.children = (widgets.HBox([self.play, slider, gate_control]), self.view)


def lstm_step_explorer(step: int = 1, gates: str = "exact") -> LSTMStepExplorer:
    """Notebook 06's step-through widget over the lecture's nine steps."""
    return LSTMStepExplorer(step, gates)
