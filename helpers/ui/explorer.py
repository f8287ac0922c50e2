"""Thin ipywidgets shells: sliders wired to a pure function that returns the HTML to show."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as widgets

from helpers.ui.palette import ERROR_BACKGROUND, WRONG_COLOUR

SLIDER_STYLE = {"description_width": "140px"}

SLIDER_LAYOUT = widgets.Layout(width="460px")

EXPLORER_CLASS = "series-explorer"


def message_html(error: Exception) -> str:
    """The message a widget shows instead of a traceback when its inputs do not fit together."""
    return (
        f"<div style='border-left:4px solid {WRONG_COLOUR};padding:6px 10px;"
        f"background:{ERROR_BACKGROUND}'>"
        f"<b>This combination does not work:</b> {escape(str(error))}</div>"
    )


def safe_render(render: Callable[..., str], **values: Any) -> str:
    """Call `render(**values)`; a bad combination gives a readable message, never a traceback."""
    try:
        return render(**values)
    except (ValueError, TypeError) as error:
        return message_html(error)


class Explorer(widgets.VBox):
    """Controls above an HTML view; every change re-renders the view with the pure function."""

    def __init__(self, render: Callable[..., str], controls: dict[str, widgets.ValueWidget]):
        self.render = render
        self.controls = controls
        self.view = widgets.HTML(value=self.current_html())
        for control in controls.values():
            control.observe(self._update, names="value")
        super().__init__(children=[*controls.values(), self.view])
        # DOM hooks for the browser tests (tests/browser): every explorer, and this one by id.
        self.add_class(EXPLORER_CLASS)
        self.add_class(f"{EXPLORER_CLASS}-{self.model_id}")

    def values(self) -> dict[str, Any]:
        """The current value of every control, by parameter name."""
        return {name: control.value for name, control in self.controls.items()}

    def current_html(self) -> str:
        """What the view should show for the current control values."""
        return safe_render(self.render, **self.values())

    def _update(self, _change: dict) -> None:
        self.view.value = self.current_html()


def int_slider(value: int, low: int, high: int, label: str, step: int = 1) -> widgets.IntSlider:
    """An integer slider with the series' label width and layout."""
    return widgets.IntSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=label,
        style=SLIDER_STYLE,
        layout=SLIDER_LAYOUT,
        continuous_update=True,
    )


def choice_slider(value: int, options: list[int], label: str) -> widgets.SelectionSlider:
    """A slider over a fixed list of numbers (for ranges that span powers of ten)."""
    return widgets.SelectionSlider(
        value=value,
        options=[(f"{o:,}", o) for o in options],
        description=label,
        style=SLIDER_STYLE,
        layout=SLIDER_LAYOUT,
    )
