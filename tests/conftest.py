"""Shared test set-up."""

import pytest

from helpers.figure_cache import MODE_VARIABLE


@pytest.fixture(autouse=True)
def _draw_every_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests see real figures, never the PNG cache (tests/test_notebook_figure.py tests it)."""
    monkeypatch.setenv(MODE_VARIABLE, "off")
