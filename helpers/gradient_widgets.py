"""Notebook 08's widget: gradients along time for a sequence length and recurrent weight scale."""

from __future__ import annotations

import ipywidgets as widgets

from helpers.gradients import MAX_LENGTH, vanishing_view
from helpers.widgets import SLIDER_LAYOUT, SLIDER_STYLE, Explorer, int_slider


def gradient_explorer(length: int = 50, weight_scale: float = 1.0) -> Explorer:
    """Sliders for sequence length and recurrent weight scale over the two gradient curves."""
    scale = widgets.FloatSlider(
        value=weight_scale,
        min=0.25,
        max=3.0,
        step=0.25,
        description="recurrent weight scale",
        style=SLIDER_STYLE,
        layout=SLIDER_LAYOUT,
        readout_format=".2f",
    )
    return Explorer(
        vanishing_view,
        {"length": int_slider(length, 2, MAX_LENGTH, "sequence length"), "weight_scale": scale},
    )
