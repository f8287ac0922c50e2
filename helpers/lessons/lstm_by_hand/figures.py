"""Pictures of the lecture's LSTM cell: the labelled diagram and the run over the nine steps.

The diagram's geometry (nodes, wires, the memory box) lives here once; the step-through widget
in `helpers.lessons.lstm_by_hand.stepper` draws the same geometry as SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from helpers.core.arithmetic import check_int, check_real
from helpers.core.lstm import LECTURE_SEQUENCE, LSTMStepRecord, run_lecture_lstm
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import (
    BLOCK_COLOUR,
    CLOSED_COLOUR,
    FAINT_COLOUR,
    INPUT_COLOUR,
    MEMORY_COLOUR,
    NEUTRAL_GATE_COLOUR,
    OPEN_COLOUR,
    WIRE_COLOUR,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Drawing area in diagram units (y up); the SVG widget scales it.
WIDTH, HEIGHT = 20.0, 8.6

GATE_RADIUS = 0.6

MUL_RADIUS = 0.32

# A gate counts as open from this value on (sigmoid 0.5 = pre-activation 0).
OPEN_THRESHOLD = 0.5


# Centres of the circles (activation blocks, gates, products) and of the input/output labels.
NODES: dict[str, tuple[float, float]] = {
    "z_in": (0.9, 3.5),
    "g": (3.2, 3.5),
    "mul_i": (5.6, 3.5),
    "gate_i": (5.6, 5.9),
    "z_i_in": (5.6, 8.0),
    "mul_f": (9.2, 1.0),
    "gate_f": (11.8, 1.0),
    "z_f_in": (14.0, 1.0),
    "h": (13.2, 3.5),
    "mul_o": (15.6, 3.5),
    "gate_o": (15.6, 5.9),
    "z_o_in": (15.6, 8.0),
    "a_out": (18.4, 3.5),
}

# The memory cell c: (left, bottom, width, height).
MEMORY_BOX: tuple[float, float, float, float] = (8.0, 2.75, 2.4, 1.5)

PLUS_AT: tuple[float, float] = (7.65, 3.9)

# The three gates: node, the input feeding it, its lecture name, the record attribute.
GATES: tuple[tuple[str, str, str, str], ...] = (
    ("gate_i", "z_i", "input gate", "input_gate"),
    ("gate_f", "z_f", "forget gate", "forget_gate"),
    ("gate_o", "z_o", "output gate", "output_gate"),
)


@dataclass(frozen=True)
class Wire:
    """One arrow of the diagram: the signal it carries, its end points and curvature."""

    name: str
    start: tuple[float, float]
    end: tuple[float, float]
    rad: float = 0.0  # matplotlib's arc3 curvature; 0 is straight


def _wires() -> tuple[Wire, ...]:
    """Every arrow of the cell, from the four inputs to the output."""
    n, r, m = NODES, GATE_RADIUS, MUL_RADIUS
    left, bottom, width, height = MEMORY_BOX
    y = n["g"][1]
    return (
        Wire("z", (n["z_in"][0] + 0.35, y), (n["g"][0] - r, y)),
        Wire("g(z)", (n["g"][0] + r, y), (n["mul_i"][0] - m, y)),
        Wire("z_i", (n["z_i_in"][0], n["z_i_in"][1] - 0.4), (n["gate_i"][0], n["gate_i"][1] + r)),
        Wire("f(z_i)", (n["gate_i"][0], n["gate_i"][1] - r), (n["mul_i"][0], y + m)),
        Wire("write", (n["mul_i"][0] + m, y), (left, y)),
        Wire("keep_out", (left + 0.3, bottom), (n["mul_f"][0] - m, n["mul_f"][1]), rad=0.35),
        Wire("z_f", (n["z_f_in"][0] - 0.4, n["z_f_in"][1]), (n["gate_f"][0] + r, n["gate_f"][1])),
        Wire("f(z_f)", (n["gate_f"][0] - r, n["gate_f"][1]), (n["mul_f"][0] + m, n["mul_f"][1])),
        Wire("keep_in", (n["mul_f"][0], n["mul_f"][1] + m), (left + width - 0.3, bottom), rad=0.35),
        Wire("c'", (left + width, y), (n["h"][0] - r, y)),
        Wire("h(c')", (n["h"][0] + r, y), (n["mul_o"][0] - m, y)),
        Wire("z_o", (n["z_o_in"][0], n["z_o_in"][1] - 0.4), (n["gate_o"][0], n["gate_o"][1] + r)),
        Wire("f(z_o)", (n["gate_o"][0], n["gate_o"][1] - r), (n["mul_o"][0], y + m)),
        Wire("a", (n["mul_o"][0] + m, y), (n["a_out"][0] - 0.4, y)),
    )


WIRES: tuple[Wire, ...] = _wires()

# Wires that carry a value only while their gate is open (drawn faint when it is closed).
GATED_WIRES: dict[str, str] = {
    "write": "input_gate",
    "keep_out": "forget_gate",
    "keep_in": "forget_gate",
    "a": "output_gate",
}

# The four inputs: label node -> record attribute (and mathtext name).
INPUT_NODES: dict[str, str] = {"z_in": "z", "z_i_in": "z_i", "z_f_in": "z_f", "z_o_in": "z_o"}

FORMULAS = (
    r"$c' = g(z)\,f(z_i) + c\,f(z_f)$",
    r"$a = h(c')\,f(z_o)$",
    r"$f$ = sigmoid;  $g$, $h$ = identity in the lecture's example",
)


def format_value(value: float) -> str:
    """A value as the diagrams and tables show it: whole numbers without decimals, tiny
    non-zero values in scientific notation (so a gate's leak stays visible), others to 4
    decimals (so 0.99995 shows as 1.0000, rounded, while an exact 1 shows as 1)."""
    value = check_real(value, "value", finite=False)
    if value.is_integer():
        return f"{value + 0.0:.0f}"  # + 0.0 turns -0.0 into 0.0
    if abs(value) < 1e-3:
        return f"{value:.1e}"
    return f"{value:.4f}"


def gate_is_open(value: float) -> bool:
    """Whether a gate value counts as open (≥ 0.5, i.e. a pre-activation ≥ 0)."""
    return value >= OPEN_THRESHOLD


def gate_colour(value: float | None) -> str:
    """Fill colour of a gate: open, closed, or neutral when no value is given."""
    if value is None:
        return NEUTRAL_GATE_COLOUR
    return OPEN_COLOUR if gate_is_open(value) else CLOSED_COLOUR


def _circle(ax: Axes, name: str, radius: float, colour: str, label: str, size: int) -> None:
    from matplotlib.patches import Circle

    ax.add_patch(Circle(NODES[name], radius, facecolor=colour, edgecolor=WIRE_COLOUR, lw=1.5))
    ax.text(*NODES[name], label, ha="center", va="center", fontsize=size, zorder=5)


def _draw_wire(ax: Axes, wire: Wire, faint: bool) -> None:
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            wire.start,
            wire.end,
            connectionstyle=f"arc3,rad={wire.rad}",
            arrowstyle="-|>",
            mutation_scale=14,
            lw=1.0 if faint else 2.0,
            linestyle=":" if faint else "-",
            color=FAINT_COLOUR if faint else WIRE_COLOUR,
            shrinkA=0,
            shrinkB=0,
        )
    )


def figure_lstm_cell(record: LSTMStepRecord | None = None, step: int | None = None) -> Figure:
    """The lecture's LSTM cell: four inputs (z, z_i, z_f, z_o), three gates, the memory cell and
    one output a. With a `record`, the gates are coloured open/closed and the values shown."""
    from matplotlib.patches import FancyBboxPatch

    if record is not None and not isinstance(record, LSTMStepRecord):
        raise TypeError(f"record must be an LSTMStepRecord or None, got {type(record).__name__}")
    if step is not None:
        step = check_int(step, "step")
    fig = NotebookFigure(figsize=(10, 4.4))
    ax = fig.subplots()
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(-0.3, HEIGHT)
    ax.set_aspect("equal")
    ax.axis("off")
    values = record.as_row() if record is not None else {}

    for wire in WIRES:
        gate = GATED_WIRES.get(wire.name)
        _draw_wire(
            ax, wire, faint=bool(values) and gate is not None and not gate_is_open(values[gate])
        )

    left, bottom, width, height = MEMORY_BOX
    ax.add_patch(
        FancyBboxPatch(
            (left, bottom),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor=MEMORY_COLOUR,
            edgecolor=WIRE_COLOUR,
            lw=2,
        )
    )
    memory_text = "memory\ncell $c$"
    if record is not None:
        memory_text = (
            f"memory $c$\n{format_value(record.memory_before)}\n→ {format_value(record.memory)}"
        )
    ax.text(
        left + width / 2, bottom + height / 2, memory_text, ha="center", va="center", fontsize=10
    )
    # The "+" of c' = g(z) f(z_i) + c f(z_f): the written value and the kept memory add up.
    ax.text(*PLUS_AT, "+", fontsize=14, fontweight="bold", ha="center", va="center")

    _circle(ax, "g", GATE_RADIUS, BLOCK_COLOUR, "$g$", 15)
    _circle(ax, "h", GATE_RADIUS, BLOCK_COLOUR, "$h$", 15)
    for mul in ("mul_i", "mul_f", "mul_o"):
        _circle(ax, mul, MUL_RADIUS, "white", "×", 13)
    for node, z_name, title, attribute in GATES:
        value = values.get(attribute)
        _circle(ax, node, GATE_RADIUS, gate_colour(value), "$f$", 15)
        x, y = NODES[node]
        text = title if value is None else f"{title}\n$f({z_name})$ = {format_value(value)}"
        dx, align = (0.8, "left") if node != "gate_f" else (0.0, "center")
        dy = 0.0 if node != "gate_f" else -0.95
        ax.text(x + dx, y + dy, text, ha=align, va="center", fontsize=10)

    for node, z_name in INPUT_NODES.items():
        x, y = NODES[node]
        ax.text(x, y, f"${z_name}$", ha="center", va="center", fontsize=15, color=INPUT_COLOUR)
        if record is not None:
            # z's value goes under its label, the gate inputs' values to the right of theirs.
            at, align = ((x, y - 0.6), "center") if z_name == "z" else ((x + 0.45, y), "left")
            value = format_value(values[z_name])
            ax.text(*at, f"= {value}", ha=align, va="center", fontsize=10, color=INPUT_COLOUR)
    out = "$a$" if record is None else f"$a$ = {format_value(record.output)}"
    ax.text(*NODES["a_out"], out, ha="left", va="center", fontsize=14, fontweight="bold")

    for line, formula in enumerate(FORMULAS):
        ax.text(0.2, 1.6 - 0.6 * line, formula, fontsize=10, va="center")
    title = "The lecture's LSTM cell: four inputs, three gates, one memory cell, one output"
    if record is not None:
        x1, x2, x3 = record.x
        title = f"step {step}: " if step is not None else ""
        title += f"x = ({x1:g}, {x2:g}, {x3:g})  (green gate = open, red = closed)"
    ax.set_title(title, fontsize=12)
    return fig


def figure_lstm_trace(sequence: Sequence[Sequence[float]] = LECTURE_SEQUENCE) -> Figure:
    """Memory and output of the lecture's cell per step (exact sigmoid gates as lines,
    idealised 0/1 gates as markers), above the three gate values per step."""
    exact = run_lecture_lstm(sequence, exact=True)
    ideal = run_lecture_lstm(sequence, exact=False)
    steps = np.arange(1, len(exact) + 1)
    fig = NotebookFigure(figsize=(10, 4.4))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    top.plot(steps, [r.memory for r in exact], "-", color=INPUT_COLOUR, label="memory c (exact)")
    top.plot(
        steps, [r.memory for r in ideal], "o", color=INPUT_COLOUR, label="memory c (0/1 gates)"
    )
    top.plot(
        steps, [r.output for r in exact], "-", color=NEUTRAL_GATE_COLOUR, label="output a (exact)"
    )
    top.plot(
        steps,
        [r.output for r in ideal],
        "s",
        color=NEUTRAL_GATE_COLOUR,
        label="output a (0/1 gates)",
    )
    top.set_ylabel("value")
    top.set_title("The lecture's sequence through the cell, step by step")
    top.legend(loc="upper left", fontsize=8, ncols=2)
    top.grid(alpha=0.3)
    for offset, (_, _, name, attribute) in zip((-0.25, 0.0, 0.25), GATES, strict=True):
        bottom.bar(steps + offset, [getattr(r, attribute) for r in exact], width=0.25, label=name)
    bottom.set_ylabel("gate value")
    bottom.set_xlabel("step")
    bottom.set_xticks(steps)
    bottom.set_ylim(0, 1.45)
    bottom.legend(loc="upper left", fontsize=8, ncols=3)
    return fig
