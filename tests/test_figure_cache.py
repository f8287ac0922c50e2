"""The figure cache: keys follow argument values, cached PNGs equal the drawings, and the
figure modules load no matplotlib drawing code until a figure is drawn."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from helpers import figure_cache
from helpers.figure_cache import (
    CACHE_DIR,
    CachedFigure,
    cache_key,
    cached_figure,
    lookup,
    prune,
    stale_entries,
    store,
)
from helpers.figures import FIGURES
from helpers.notebook_figure import NotebookFigure


@cached_figure
def figure_bars(values: np.ndarray, title: str = "bars") -> NotebookFigure:
    """A small figure whose drawing depends on every argument."""
    fig = NotebookFigure(figsize=(3, 2))
    ax = fig.subplots()
    ax.bar(range(len(values)), values)
    ax.set_title(title)
    return fig


def raw(function):
    return function.__wrapped__


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(figure_cache, "CACHE_DIR", tmp_path)
    return tmp_path


def test_a_key_follows_the_argument_values_defaults_included():
    draw = raw(figure_bars)
    a = cache_key(draw, (np.array([1.0, 2.0]),), {})
    assert a == cache_key(draw, (), {"values": np.array([1.0, 2.0]), "title": "bars"})
    assert a != cache_key(draw, (np.array([1.0, 2.5]),), {})
    assert a != cache_key(draw, (np.array([1.0, 2.0], dtype=np.float32),), {})
    assert a != cache_key(draw, (np.array([1.0, 2.0]),), {"title": "other"})
    assert a == cache_key(draw, (torch.tensor([1.0, 2.0], dtype=torch.float64),), {})
    assert a.startswith("figure_bars-")


def test_a_key_follows_a_models_weights_and_attributes():
    draw = raw(figure_bars)
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    before = cache_key(draw, (model,), {})
    model.name = "renamed"
    after_attribute = cache_key(draw, (model,), {})
    with torch.no_grad():
        model.weight += 1
    assert len({before, after_attribute, cache_key(draw, (model,), {})}) == 3


def test_an_argument_without_content_is_not_cached():
    assert cache_key(raw(figure_bars), (object(),), {}) is None


def test_record_then_show_from_the_cache(cache_dir, monkeypatch):
    values = np.array([3.0, 1.0, 2.0])
    monkeypatch.setenv("SERIES_FIGURE_CACHE", "record")
    drawn = figure_bars(values)
    assert isinstance(drawn, NotebookFigure)
    png = drawn._repr_png_()
    assert png.startswith(b"\x89PNG")
    assert len(list(cache_dir.glob("*.png"))) == 1

    monkeypatch.setenv("SERIES_FIGURE_CACHE", "on")
    shown = figure_bars(values)
    assert isinstance(shown, CachedFigure)
    assert shown._repr_png_() == png
    assert repr(shown) == repr(drawn) == "<Figure size 300x200 with 1 Axes>"
    assert shown.axes[0].get_title() == "bars"  # any other use draws the real figure
    assert shown.figure.png_bytes() == png

    assert not isinstance(figure_bars(values + 1), CachedFigure)  # other values: drawn
    monkeypatch.setenv("SERIES_FIGURE_CACHE", "off")
    assert isinstance(figure_bars(values), NotebookFigure)


def test_verify_warns_where_the_cache_differs_from_the_drawing(cache_dir, monkeypatch):
    values = np.array([1.0, 2.0])
    monkeypatch.setenv("SERIES_FIGURE_CACHE", "verify")
    figure = figure_bars(values)
    store(figure.cache_key, b"not the drawing", repr(figure), cache_dir)
    with pytest.warns(UserWarning, match="differs from the figure drawn now"):
        figure._repr_png_()
    store(figure.cache_key, figure.png_bytes(), repr(figure), cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure_bars(values)._repr_png_()


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv("SERIES_FIGURE_CACHE", "sometimes")
    with pytest.raises(ValueError, match="SERIES_FIGURE_CACHE"):
        figure_bars(np.array([1.0]))


def test_prune_removes_entries_of_another_code_version(cache_dir):
    store("figure_bars-current", b"png", "text", cache_dir)
    store("figure_bars-old", b"png", "text", cache_dir)
    info = cache_dir / "figure_bars-old.json"
    info.write_text(json.dumps({"text": "text", "code_version": "older"}))
    (cache_dir / "orphan.png").write_bytes(b"png")
    assert lookup("figure_bars-old", cache_dir) is None  # drawn by other helpers: not used
    removed = {path.name for path in prune(cache_dir)}
    assert removed == {"figure_bars-old.json", "figure_bars-old.png", "orphan.png"}
    assert lookup("figure_bars-current", cache_dir) == (b"png", "text")


def test_the_committed_cache_is_of_the_current_code():
    infos = sorted(CACHE_DIR.glob("*.json"))
    assert infos, "figures/cache is empty: run `make figures`"
    stale = [p.name for p in stale_entries()]
    assert not stale, f"drawn with older helpers: {stale}; run `make figures`"
    pngs = {p.stem for p in CACHE_DIR.glob("*.png")}
    assert pngs == {p.stem for p in infos}


def test_the_cached_default_figures_are_the_drawings():
    """Where a notebook shows a figure with its default arguments, the cached PNG is what the
    function draws now (the notebooks' other calls are checked by the verify run of nbval)."""
    checked = []
    for name, draw in FIGURES.items():
        cached = lookup(cache_key(raw(draw), (), {}))
        if cached is not None:
            figure = draw()
            assert (figure.png_bytes(), repr(figure)) == cached, name
            checked.append(name)
    assert len(checked) >= 15, f"only {checked} are in the cache: run `make figures`"


def test_figure_modules_load_no_drawing_code_until_a_figure_is_drawn():
    modules = [
        "helpers.comparison",
        "helpers.conv_figures",
        "helpers.gradients",
        "helpers.image_properties",
        "helpers.lstm_figures",
        "helpers.pooling_figures",
        "helpers.rnn_figures",
        "helpers.vgg_figures",
        "helpers.why_cnn",
    ]
    code = (
        f"import sys; import {', '.join(modules)}\n"
        "print(sorted(m for m in sys.modules if m in ('matplotlib.figure', 'matplotlib.pyplot')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
