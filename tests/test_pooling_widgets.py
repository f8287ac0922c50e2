"""Notebook 04's widgets: the pooling explorer against PyTorch, and the stage slider."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.arithmetic import pool_output_size
from helpers.core.cnn_pipeline import LATER_FILTERS, photo_stages, pipeline_photo, run_pipeline
from helpers.lessons.pooling.explorers import (
    EXAMPLE_MAP,
    FEATURE_MAP_NAMES,
    MAX_KERNEL,
    MAX_STRIDE,
    feature_map_values,
    map_to_grey,
    pool_map,
    pool_windows,
    pooling_explorer,
    pooling_view,
    stage_images,
    stages_explorer,
    stages_view,
)
from helpers.lessons.pooling.figures import display_limit, lecture_maps
from helpers.ui.figure import grey_png
from helpers.ui.svg import format_cell
from tools.widget_registry import WIDGETS

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)
SVG = "{http://www.w3.org/2000/svg}"


def torch_pool(x: np.ndarray, kernel: int, stride: int, mode: str, ceil_mode: bool) -> np.ndarray:
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(torch.tensor(x)[None, None], kernel, stride, ceil_mode=ceil_mode)[0, 0].numpy()


def parse(html: str) -> ET.Element:
    """The view as XML (it must be well-formed), wrapped in one root element."""
    return ET.fromstring(f"<root>{html}</root>")


def svg_texts(html: str) -> list[str]:
    svg = parse(html).find(f"{SVG}svg")
    return [text.text or "" for text in svg.iter(f"{SVG}text")]


def view(**changes) -> str:
    values = dict(
        feature_map=FEATURE_MAP_NAMES[0],
        kernel_size=2,
        stride=2,
        mode="max",
        ceil_mode=False,
        out_row=0,
        out_col=0,
    )
    values.update(changes)
    return pooling_view(**values)


@SETTINGS
@given(
    st.integers(1, 8),
    st.integers(1, 8),
    st.integers(1, MAX_KERNEL),
    st.integers(1, MAX_STRIDE),
    st.sampled_from(["max", "avg"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_pool_map_matches_torch_with_and_without_ceil_mode(h, w, kernel, stride, mode, ceil, seed):
    x = np.random.default_rng(seed).integers(-3, 4, size=(h, w)).astype(np.float64)
    try:
        expected = torch_pool(x, kernel, stride, mode, ceil)
    except RuntimeError:
        with pytest.raises(ValueError, match="kernel_size"):
            pool_map(x, kernel, stride, mode, ceil)
        return
    np.testing.assert_allclose(pool_map(x, kernel, stride, mode, ceil), expected, atol=1e-12)
    windows = pool_windows(h, kernel, stride, ceil)
    assert len(windows) == expected.shape[0] == pool_output_size(h, kernel, stride, ceil_mode=ceil)
    assert all(0 <= start < stop <= h for start, stop in windows)  # every window starts inside


def test_ceil_mode_cases_of_the_notebook():
    # ceil_mode adds a window: 7 wide, kernel 2, stride 2 gives 3, or 4 with ceil_mode.
    assert pool_windows(7, 2, 2, False) == [(0, 2), (2, 4), (4, 6)]
    assert pool_windows(7, 2, 2, True)[-1] == (6, 7)
    # PyTorch's rule: a window that would start outside the input is dropped.
    assert pool_windows(7, 1, 4, True) == [(0, 1), (4, 5)]
    # A kernel larger than the input works with ceil_mode only.
    assert pool_windows(4, 5, 3, True) == [(0, 4)]
    with pytest.raises(ValueError, match="kernel_size"):
        pool_windows(4, 5, 3, False)


def test_explorer_shows_the_map_and_the_pooled_values():
    for name in FEATURE_MAP_NAMES:
        x = feature_map_values(name)
        for mode in ("max", "avg"):
            html = view(feature_map=name, kernel_size=2, stride=1, mode=mode, ceil_mode=True)
            texts = svg_texts(html)
            n = x.shape[0] * x.shape[1]
            assert texts[1 : 1 + n] == [format_cell(float(v)) for v in x.ravel()]
            pooled = torch_pool(np.array(x), 2, 1, mode, True)
            arrow = texts.index("→")
            out = texts[arrow + 2 : arrow + 2 + pooled.size]
            assert out == [format_cell(float(v)) for v in pooled.ravel()]
    np.testing.assert_array_equal(feature_map_values(FEATURE_MAP_NAMES[1]), lecture_maps()[0])
    np.testing.assert_array_equal(feature_map_values(FEATURE_MAP_NAMES[0]), EXAMPLE_MAP)


def test_explorer_traces_one_output_back_to_its_window():
    # Output (3, 1) with ceil_mode: rows 6-6, columns 2-3 of the example map: max(8, 1) = 8.
    html = view(ceil_mode=True, out_row=3, out_col=1)
    assert "nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)</code>: 7×7 → 4×4" in html
    assert "reads rows 6–6, columns 2–3: max(8, 1) = <b>8</b>" in html
    assert "only 2 of its 4 cells inside the map" in html
    assert "⌈(7 − 2) / 2⌉ + 1 = <b>4</b>" in html
    assert "ceil_mode added 1 window(s)" in html
    # The same output is not there without ceil_mode: the sliders clamp to the last window.
    html = view(out_row=3, out_col=1)
    assert "⌊(7 − 2) / 2⌋ + 1 = <b>3</b>" in html
    assert "showing output (2, 1)" in html
    assert "13 of the 49 cells (grey) are read by no window" in html  # the last row and column
    # Average pooling divides by the cells inside the map, as PyTorch does.
    html = view(mode="avg", kernel_size=3, stride=3, ceil_mode=True, out_row=2, out_col=2)
    assert "(9) / 1 = <b>9.00</b>" in html
    assert torch_pool(EXAMPLE_MAP.copy(), 3, 3, "avg", True)[2, 2] == 9.0


def test_explorer_explains_the_ceil_mode_rules():
    html = view(kernel_size=1, stride=4, ceil_mode=True)
    assert "would start at 8, outside the 7-wide input: PyTorch drops it → <b>2</b>" in html
    html = view(feature_map=FEATURE_MAP_NAMES[1], kernel_size=5, stride=3, ceil_mode=True)
    assert "larger than the map (4)" in html and "4×4 → 1×1" in html
    with pytest.raises(ValueError, match="kernel_size 5"):
        view(feature_map=FEATURE_MAP_NAMES[1], kernel_size=5, stride=3)


def test_explorer_view_is_well_formed_svg():
    for kernel in range(1, MAX_KERNEL + 1):
        for stride in range(1, MAX_STRIDE + 1):
            svg = parse(view(kernel_size=kernel, stride=stride, ceil_mode=True)).find(f"{SVG}svg")
            assert svg is not None and float(svg.get("width")) >= 440


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"feature_map": "8×8"}, "^feature_map"),
        ({"mode": "min"}, "^mode"),
        ({"kernel_size": 0}, "^kernel_size"),
        ({"stride": 0}, "^stride"),
        ({"out_row": -1}, "^out_row"),
    ],
)
def test_explorer_bad_input_names_the_argument(changes, name):
    with pytest.raises(ValueError, match=name):
        view(**changes)


def test_explorer_widget_follows_its_controls():
    explorer = pooling_explorer()
    explorer.controls["ceil_mode"].value = True
    explorer.controls["out_row"].value = 3
    assert explorer.view.value == pooling_view(**explorer.values())
    assert "7×7 → 4×4" in explorer.view.value
    explorer.controls["feature_map"].value = FEATURE_MAP_NAMES[2]
    explorer.controls["ceil_mode"].value = False
    explorer.controls["kernel_size"].value = 5
    assert "does not work" in explorer.view.value and "kernel_size" in explorer.view.value
    assert WIDGETS["pooling_explorer"] is pooling_explorer
    assert WIDGETS["stages_explorer"] is stages_explorer


def test_png_bytes_round_trip_and_are_deterministic():
    pixels = np.random.default_rng(0).integers(0, 256, size=(7, 5), dtype=np.uint8)
    data = grey_png(pixels)
    assert data == grey_png(pixels.copy())
    decoded = plt.imread(io.BytesIO(data), format="png")
    np.testing.assert_array_equal(np.round(decoded * 255).astype(np.uint8), pixels)
    with pytest.raises(ValueError, match="^pixels"):
        grey_png(pixels.astype(np.float64))


def test_map_to_grey_scales_to_the_display_limit():
    values = np.array([[0.0, 1.0], [2.0, 400.0]])
    grey = map_to_grey(values)
    limit = display_limit(values)
    assert grey[0, 0] == 0 and grey[1, 1] == 255
    assert grey[0, 1] == round(min(1.0 / limit, 1) * 255)


@pytest.fixture(scope="module")
def pictures() -> dict:
    """The photo's stages for each choice of `later` and their pictures: stages_view's data."""
    stages = {later: photo_stages(later) for later in LATER_FILTERS}
    photo = pipeline_photo()
    return {
        "stages": stages,
        "images": {later: stage_images(photo, stages[later]) for later in LATER_FILTERS},
    }


def decode(uri: str) -> np.ndarray:
    """The grey levels (uint8) of a PNG data URI."""
    data = base64.b64decode(uri.split(",", 1)[1])
    return np.round(plt.imread(io.BytesIO(data), format="png") * 255).astype(np.uint8)


def test_stage_images_are_the_pooled_maps():
    photo, stages = pipeline_photo(), photo_stages()
    images = stage_images(photo, stages)
    assert [len(uris) for uris in images] == [1] + [3] * len(stages)
    np.testing.assert_array_equal(decode(images[2][1]), map_to_grey(stages[1].pooled[1]))
    assert decode(images[0][0]).shape == photo.shape
    assert stage_images(photo, stages) == images  # the same pictures every time


@pytest.mark.parametrize("later", LATER_FILTERS)
def test_stages_view_shows_every_shape_and_the_chosen_maps(later, pictures):
    stages = pictures["stages"][later]
    for n in range(len(stages) + 1):
        html = stages_view(n, later, **pictures)
        root = parse(html)
        images = list(root.iter("img"))
        assert len(images) == (1 if n == 0 else 3)
        assert [img.get("src") for img in images] == list(pictures["images"][later][n])
        shape = stages[0].input_shape if n == 0 else stages[n - 1].pooled.shape
        assert f"<b>{'×'.join(map(str, shape))}</b>" in html
        assert html.count("×".join(map(str, stages[-1].pooled.shape))) >= 1
        assert f"after {n} stage(s): {np.prod(shape):,} values" in html
    assert "3×73×62" in stages_view(1, later, **pictures)


@pytest.mark.parametrize(
    ("args", "name"),
    [((7,), "^n_stages"), ((-1,), "^n_stages"), ((1, "learned"), "^later")],
)
def test_stages_view_bad_input_names_the_argument(args, name, pictures):
    with pytest.raises(ValueError, match=name):
        stages_view(*args, **pictures)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"later": "learned"}, "^later"), ({"stages": {"learned": ()}}, "^stages")],
)
def test_stages_explorer_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        stages_explorer(**kwargs)


def test_stages_widget_follows_its_slider(pictures):
    explorer = stages_explorer(stages={"average": pictures["stages"]["average"]})
    explorer.controls["n_stages"].value = 4
    assert explorer.view.value == stages_view(4, "average", **pictures)
    explorer.controls["later"].value = "edges"
    assert explorer.view.value == stages_view(4, "edges", **pictures)


def test_stages_widget_shows_the_stages_it_is_given():
    three = run_pipeline(pipeline_photo(), 3)
    explorer = stages_explorer(n_stages=3, stages={"average": three})
    assert explorer.controls["n_stages"].max == 3
    assert "after 3 stage(s)" in explorer.view.value
