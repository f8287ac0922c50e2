"""Every interactive widget of the series, by name, for tests, benchmarks and sweeps."""

from __future__ import annotations

from collections.abc import Callable

from helpers.widgets import Explorer, kernel_size_demo, param_calculator

# name -> factory with default arguments; each returns an Explorer (controls + HTML view).
WIDGETS: dict[str, Callable[[], Explorer]] = {
    "kernel_size_demo": kernel_size_demo,
    "param_calculator": param_calculator,
}
