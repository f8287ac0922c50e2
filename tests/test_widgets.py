"""The widget shells: wiring, messages instead of tracebacks, sweeps over every control."""

import random

import ipywidgets as widgets
import pytest

from helpers.lessons.index import kernel_size_view
from helpers.lessons.why_cnn import calculator_explorer, calculator_view
from helpers.ui.explorer import Explorer, message_html, safe_render
from tools.widget_registry import WIDGETS

ODD_TEXTS = ["", "   ", "x", "arrive taipei", "Taipei!!", "?? 123 ,,", "word " * 60]


def control_values(control: widgets.ValueWidget) -> list:
    """Legal values of a control: all options, the integer range (sampled), or odd texts."""
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [False, True]
    if hasattr(control, "options"):  # SelectionSlider, Dropdown, ToggleButtons, RadioButtons
        return [option[1] if isinstance(option, tuple) else option for option in control.options]
    if isinstance(control, (widgets.IntSlider, widgets.Play, widgets.BoundedIntText)):
        values = list(range(control.min, control.max + 1, control.step))
        return values if len(values) <= 40 else values[:10] + values[-10:] + values[::25]
    if isinstance(control, widgets.FloatSlider):
        count = int(round((control.max - control.min) / control.step))
        picks = sorted(
            {0, 1, count // 2, count - 1, count} | set(range(0, count + 1, max(1, count // 30)))
        )
        return [round(control.min + i * control.step, 10) for i in picks]
    if isinstance(control, (widgets.Text, widgets.Textarea)):
        return [*ODD_TEXTS, control.value]
    raise AssertionError(f"no sweep for {type(control).__name__}: add one to control_values")


def test_moving_a_slider_updates_the_view_to_the_pure_function():
    calc = calculator_explorer()
    calc.controls["n_kernels"].value = 100
    calc.controls["channels"].value = 4
    assert calc.view.value == calculator_view(**calc.values())
    assert "4×100×100" not in calc.view.value
    calc.controls["kernel_size"].value = 100
    calc.controls["image_size"].value = 1000
    assert "4,000,100" in calc.view.value


def test_invalid_combination_shows_a_message_not_a_traceback():
    calc = calculator_explorer(image_size=28)
    calc.controls["kernel_size"].value = 29
    assert "does not work" in calc.view.value and "kernel_size" in calc.view.value
    assert "Traceback" not in calc.view.value


def test_safe_render_only_catches_bad_input():
    def broken(**_):
        raise ZeroDivisionError("bug")

    def picky(x):
        if x < 0:
            raise ValueError("x must be >= 0")
        return f"ok {x}"

    assert safe_render(picky, x=1) == "ok 1"
    assert "does not work" in safe_render(picky, x=-1) and "x must be" in safe_render(picky, x=-1)
    with pytest.raises(ZeroDivisionError):
        safe_render(broken)
    assert "&lt;b&gt;" in message_html(ValueError("<b>"))  # escaped


@pytest.mark.parametrize("name", list(WIDGETS))
def test_every_widget_survives_a_sweep_of_each_control(name):
    explorer = WIDGETS[name]()
    assert isinstance(explorer, Explorer)
    for control in explorer.controls.values():
        start = control.value
        for value in control_values(control):
            control.value = value
            assert explorer.view.value == safe_render(explorer.render, **explorer.values())
            assert "Traceback" not in explorer.view.value
        control.value = start


@pytest.mark.parametrize("name", list(WIDGETS))
def test_every_widget_survives_random_combinations(name):
    explorer = WIDGETS[name]()
    rng = random.Random(0)
    options = {n: control_values(c) for n, c in explorer.controls.items()}
    for _ in range(60):
        for control_name, values in options.items():
            explorer.controls[control_name].value = rng.choice(values)
        assert explorer.view.value == safe_render(explorer.render, **explorer.values())


def test_kernel_demo_counts():
    for k in range(1, 12):
        assert f"<b>{3 * k * k + 1:,}</b>" in kernel_size_view(k)
