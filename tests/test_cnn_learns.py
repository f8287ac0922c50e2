"""Notebook 09's lesson: the training chart, the draw-a-digit pad, the figures, the exercises, and
the notebook's printed results against the tested helpers."""

import ast
import re

import nbformat
import numpy as np
import pytest
import torch

import helpers.ui.exercises as kit
from helpers.core.digits import (
    EPOCHS,
    SHIFTS,
    class_probabilities,
    confusion_matrix,
    digit_cnn,
    layer_outputs,
    parameter_count,
    predictions,
    shift_images,
    shifted_accuracy,
)
from helpers.lessons.cnn_learns import exercises
from helpers.lessons.cnn_learns.draw import (
    INK_STYLE,
    DigitPad,
    cell_name,
    check_grid,
    digit_view,
    ink_class,
    ink_colour,
)
from helpers.lessons.cnn_learns.figures import (
    figure_confusion,
    figure_digits,
    figure_feature_maps,
    figure_filters,
    figure_misclassified,
    figure_shift_accuracy,
    map_strip,
)
from helpers.lessons.cnn_learns.training import curve_svg, training_monitor
from helpers.ui.figure import NotebookFigure
from tools.student import is_solution, solution_names
from tools.widget_registry import WIDGETS

from notebook_files import NOTEBOOK_DIR

NOTEBOOK = NOTEBOOK_DIR / "09_cnn_learns.ipynb"
BAR = re.compile(r"data-digit='(\d)' data-probability='([0-9.]+)'")


def bars(html: str) -> dict[int, float]:
    """The probabilities the pad's view shows, by digit."""
    return {int(d): float(p) for d, p in BAR.findall(html)}


def code_outputs(nb) -> list[str]:
    """The stdout of every code cell of a notebook, in order."""
    return [
        "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
        for c in nb.cells
        if c.cell_type == "code"
    ]


# --- the training chart ----------------------------------------------------------------------


def test_curve_svg_draws_what_it_is_given():
    empty = curve_svg([], 15)
    assert "not trained yet" in empty and "<polyline" not in empty
    two = curve_svg([(2.0, 0.5), (1.0, 0.9)], 15, title="The CNN learns")
    assert two.count("<polyline") == 2 and "epoch 2/15: loss 1.000" in two
    assert "held-out accuracy 90.0 %" in two and "The CNN learns" in two
    assert "training loss (left axis)" in two and "held-out accuracy (right axis)" in two


@pytest.mark.parametrize(
    ("history", "epochs", "text"),
    [
        ([], 0, "epochs"),
        ([(1.0, 0.5)] * 3, 2, "more than"),
        ([(-1.0, 0.5)], 2, "loss"),
        ([(1.0, 1.5)], 2, "accuracy"),
        ([(float("nan"), 0.5)], 2, "loss"),
    ],
)
def test_curve_svg_errors(history, epochs, text):
    with pytest.raises(ValueError, match=text):
        curve_svg(history, epochs)


def test_the_monitor_updates_one_chart_in_place():
    monitor = training_monitor(3, "t")
    chart = monitor.chart
    for epoch, (loss, acc) in enumerate([(2.0, 0.3), (1.0, 0.6), (0.5, 0.9)], start=1):
        monitor.update(epoch, loss, acc)
        assert monitor.bar.value == epoch
        assert monitor.chart is chart and chart.value == curve_svg(monitor.history, 3, "t")
    assert monitor.bar.bar_style == "success" and len(monitor.history) == 3
    monitor.update(1, 1.0, 0.5)  # a new run in the same monitor starts over
    assert monitor.history == [(1.0, 0.5)]


# --- the draw-a-digit pad --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pad(trained_digits, digit_data):
    return DigitPad(trained_digits[0], digit_data.test_images, digit_data.test_labels)


def test_digit_view_shows_the_model_probabilities(trained_digits, digit_data):
    cnn = trained_digits[0]
    grid = digit_data.test_images[5]
    html = digit_view(grid, cnn)
    expected = class_probabilities(cnn, grid)
    shown = bars(html)
    assert sorted(shown) == list(range(10))
    assert all(abs(shown[d] - expected[d]) < 5e-5 for d in range(10))
    best = int(np.argmax(expected))
    assert f"The CNN reads a <b>{best}</b>" in html and best == digit_data.test_labels[5]
    assert "empty grid" in digit_view(np.zeros((8, 8)), cnn)


@pytest.mark.parametrize(
    ("grid", "text"),
    [(np.zeros((7, 8)), "8 x 8"), (np.full((8, 8), 17), "0..16"), (np.full((8, 8), -1), "0..16")],
)
def test_bad_grids_are_named(grid, text, trained_digits):
    with pytest.raises(ValueError, match=re.escape(text)):
        check_grid(grid)
    with pytest.raises(ValueError, match=re.escape(text)):
        digit_view(grid, trained_digits[0])


def test_a_click_updates_the_bars_to_the_model(pad, trained_digits):
    pad.clear()
    assert not pad.grid().any()
    for row in range(1, 7):  # a vertical stroke: a 1
        pad.controls[cell_name(row, 4)].value = True
    grid = pad.grid()
    assert grid[1:7, 4].tolist() == [16.0] * 6 and grid.sum() == 96
    assert pad.view.value == digit_view(grid, trained_digits[0])
    assert pad.cell_ink(3, 4) == ink_class(16) and ink_colour(16) == "#000000"
    pad.controls[cell_name(3, 4)].value = False
    assert pad.grid()[3, 4] == 0 and pad.cell_ink(3, 4) == ink_class(0)
    assert (
        ink_colour(0) == "#ffffff" and f".{ink_class(0)} {{background-color: #ffffff" in INK_STYLE
    )
    assert pad.view.value == digit_view(pad.grid(), trained_digits[0])


def test_load_shift_and_clear(pad, digit_data, trained_digits):
    pad.next_test = 0
    pad.load_next_test_digit()
    assert np.array_equal(pad.grid(), digit_data.test_images[0])
    assert f"labelled {digit_data.test_labels[0]}" in pad.note.value
    assert pad.view.value == digit_view(digit_data.test_images[0], trained_digits[0])
    pad.load_next_test_digit()
    assert np.array_equal(pad.grid(), digit_data.test_images[1])
    pad.shift(1, 0)
    assert np.array_equal(pad.grid(), shift_images(digit_data.test_images[1], right=1))
    assert pad.view.value == digit_view(pad.grid(), trained_digits[0])
    pad.shift(0, -1)
    assert np.array_equal(pad.grid(), shift_images(digit_data.test_images[1], right=1, down=-1))
    for row, col in np.ndindex(8, 8):
        assert pad.cell_ink(row, col) == ink_class(pad.grid()[row, col])
    pad.clear()
    assert not pad.grid().any() and pad.view.value == digit_view(
        np.zeros((8, 8)), trained_digits[0]
    )


def test_the_buttons_are_wired(pad, digit_data):
    buttons = {b.description: b for b in pad.children[1].children}
    assert pad.children[-1] is pad.view  # the browser tests read the view as the last child
    assert set(buttons) == {
        "clear",
        "load a test digit",
        "shift ←",
        "shift →",
        "shift ↑",
        "shift ↓",
    }
    pad.clear()
    pad.next_test = 3
    buttons["load a test digit"].click()
    assert np.array_equal(pad.grid(), digit_data.test_images[3])
    buttons["shift ↓"].click()
    assert np.array_equal(pad.grid(), shift_images(digit_data.test_images[3], down=1))
    buttons["clear"].click()
    assert not pad.grid().any()


def test_the_pad_is_registered():
    from helpers.lessons.cnn_learns.draw import digit_pad

    assert WIDGETS["digit_pad"] is digit_pad


# --- figures ---------------------------------------------------------------------------------


def test_figures_are_labelled(trained_digits, digit_data):
    cnn = trained_digits[0]
    predicted = predictions(cnn, digit_data.test_images)
    counts = confusion_matrix(digit_data.test_labels, predicted)
    confusion = figure_confusion(counts)
    assert isinstance(confusion, NotebookFigure)
    ax = confusion.axes[0]
    assert ax.get_xlabel() == "the CNN's answer" and ax.get_ylabel() == "true digit"
    assert f"{np.trace(counts)} of 360 right" in ax.get_title()
    wrong = figure_misclassified(digit_data.test_images, digit_data.test_labels, predicted)
    assert f"The {int((predicted != digit_data.test_labels).sum())} misclassified" in (
        wrong._suptitle.get_text()
    )
    filters = figure_filters(cnn[0].weight.detach().numpy()[:, 0])
    titles = [a.get_title() for a in filters.axes]
    assert "04: horizontal" in titles and "learned 15" in titles
    maps = figure_feature_maps(
        digit_data.test_images[0], layer_outputs(cnn, digit_data.test_images[0]), 6
    )
    assert any("ten class scores" in a.get_title() for a in maps.axes)
    shift = figure_shift_accuracy({"CNN": [0.9, 0.8, 0.7], "dense": [0.9, 0.5, 0.2]}, SHIFTS)
    assert shift.axes[0].get_ylabel() == "held-out accuracy (%)"
    digits = figure_digits(digit_data.test_images[:3], digit_data.test_labels[:3], "three")
    assert digits._suptitle.get_text() == "three"


def test_figure_errors(digit_data):
    with pytest.raises(ValueError, match="10 x 10"):
        figure_confusion(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="no misclassified"):
        figure_misclassified(digit_data.test_images, digit_data.test_labels, digit_data.test_labels)
    with pytest.raises(ValueError, match=r"\(n, 3, 3\)"):
        figure_filters(np.zeros((4, 5, 5)))
    with pytest.raises(ValueError, match="one accuracy per shift"):
        figure_shift_accuracy({"CNN": [0.9]}, SHIFTS)
    with pytest.raises(ValueError, match="as many labels"):
        figure_digits(digit_data.test_images[:3], [1], "x")


# --- exercises -------------------------------------------------------------------------------

CHECKS = {name: getattr(exercises, name) for name in exercises.EXERCISES}


@pytest.mark.parametrize("name", list(CHECKS))
def test_exercise_answers_and_mistakes(name):
    exercise = exercises.EXERCISES[name]()
    assert CHECKS[name](exercise.answer).correct
    assert CHECKS[name]().status == kit.NOT_DONE
    for mistake in exercise.mistakes:
        feedback = CHECKS[name](mistake.value)
        assert (feedback.status, feedback.message) == (kit.MISTAKE, mistake.message)
    for odd in ["abc", b"1", object(), float("nan"), True, [[1, 2]]]:
        assert CHECKS[name](odd).status in {kit.INVALID, kit.WRONG, kit.MISTAKE}


def test_exercise_answers_match_pytorch():
    assert exercises.wider_model_exercise().answer == parameter_count(digit_cnn((24, 32)))
    model = digit_cnn()
    model[5] = torch.nn.MaxPool2d(exercises.POOL_INSTEAD)
    x = torch.zeros(1, 1, 8, 8)
    assert tuple(model[:6](x).shape[1:]) == exercises.pooled_shape_exercise().answer
    unpadded = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3), torch.nn.MaxPool2d(2), torch.nn.Conv2d(16, 32, 3)
    )
    assert unpadded(x).shape[-1] == exercises.unpadded_side_exercise().answer


def test_the_notebook_exercises_are_wired_and_solved():
    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## Exercises"))
    calls = [
        (i, re.fullmatch(r"(check_\w+)\((answer_\d)\)", c.source.strip()))
        for i, c in enumerate(cells)
        if i > start and c.cell_type == "code"
    ]
    calls = [(i, m) for i, m in calls if m]
    assert [m[1] for _, m in calls] == list(CHECKS)
    (statement,) = ast.parse(cells[start + 1].source).body
    assert statement.module == "helpers.lessons.cnn_learns.exercises"
    for number, (i, match) in enumerate(calls, start=1):
        exercise = exercises.EXERCISES[match[1]]()
        question = next(c for c in reversed(cells[:i]) if c.cell_type == "markdown")
        assert question.source.startswith(f"### Exercise {number} · {exercise.title}")
        solution = cells[i - 1]
        assert is_solution(solution) and solution_names(solution.source) == [f"answer_{number}"]
        namespace = {}
        exec(solution.source, namespace)  # noqa: S102 - the notebook's own answer cell
        feedback = CHECKS[match[1]](namespace[match[2]])
        assert feedback.correct, solution.source
        assert cells[i].outputs[0]["data"]["text/plain"] == str(feedback)
        text = " ".join(question.source.split())
        for value in exercise.given:
            assert str(value) in text, f"exercise {number} does not state {value}"


# --- the notebook's printed results are the helpers' ------------------------------------------


def test_the_notebook_reports_what_the_helpers_compute(trained_digits, digit_data):
    """The notebook's own model and loop, trained_digits in the notebook, printed these numbers; the
    helpers' model and loop, trained_digits here, must give the very same ones."""
    cnn, history, dense, _ = trained_digits
    printed = "\n".join(code_outputs(nbformat.read(NOTEBOOK, as_version=4)))
    for epoch, (loss, acc) in enumerate(history, start=1):
        assert f"{epoch:>5} {loss:>14.3f} {100 * acc:>17.1f}%" in printed
    assert len(history) == EPOCHS
    final = history[-1][1]
    assert f"held-out accuracy of the CNN: {100 * final:.1f} %" in printed
    assert final >= 0.97
    for name, model in (("CNN", cnn), ("fully connected", dense)):
        row = f"{name:16} {parameter_count(model):>10,} " + " ".join(
            f"{100 * shifted_accuracy(model, digit_data, p):>7.1f}%" for p in SHIFTS
        )
        assert row in printed
    assert "same layers and parameter shapes as helpers.core.digits.digit_cnn(): True" in printed
    assert "same layers as helpers.core.digits.dense_net(): True" in printed


def test_a_layers_maps_are_one_strip_with_blank_gaps():
    maps = np.arange(2 * 3 * 4, dtype=float).reshape(2, 3, 4)
    strip = map_strip(maps)
    assert strip.shape == (3, 2 * 4 + 1)
    assert np.array_equal(strip[:, :4], maps[0]) and np.array_equal(strip[:, 5:], maps[1])
    assert np.isnan(strip[:, 4]).all()  # the gap, drawn in the colour map's "bad" colour
    assert np.array_equal(map_strip(maps[:1]), maps[0])
    for bad in (np.zeros((3, 3)), np.zeros((0, 2, 2))):
        with pytest.raises(ValueError, match="non-empty"):
            map_strip(bad)


def test_the_feature_maps_figure_draws_one_strip_per_layer(trained_digits, digit_data):
    image = digit_data.test_images[0]
    outputs = layer_outputs(trained_digits[0], image)
    fig = figure_feature_maps(image, outputs, int(digit_data.test_labels[0]), shown=6)
    strips = [ax for ax in fig.axes if ax.get_title().startswith("after") and ax.images]
    layers = [(name, out) for name, out in outputs if out.ndim == 3 and out.shape[-1] > 1]
    assert [ax.get_title().split(":")[0] for ax in strips] == [f"after {n}" for n, _ in layers]
    for ax, (_, out) in zip(strips, layers):
        shown = ax.images[0].get_array()
        assert shown.shape == (out.shape[1], 6 * (out.shape[2] + 1) - 1)
        assert np.allclose(shown[:, : out.shape[2]], out[0])  # channel 0 comes first
