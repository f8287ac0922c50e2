"""Notebook 04's figures show the numbers the helpers (and PyTorch) compute."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from helpers.core.cnn_pipeline import pipeline_photo, shift_changes, stage_shapes
from helpers.core.conv import LECTURE_FILTERS, LECTURE_IMAGE
from helpers.lessons.pooling.figures import (
    figure_lecture_pipeline,
    figure_lecture_pooling,
    figure_photo_pipeline,
    figure_photo_stage,
    figure_shift_changes,
    lecture_maps,
)
from helpers.ui.svg import format_cell
from tools.figures import FIGURES


def grid_numbers(ax) -> list[str]:
    """The numbers a grid drawn by draw_grid shows, row by row."""
    return [text.get_text() for text in ax.texts]


def expected_numbers(values: np.ndarray) -> list[str]:
    return [format_cell(float(v)) for v in np.asarray(values).ravel()]


def torch_maps() -> np.ndarray:
    image = torch.tensor(LECTURE_IMAGE)[None, None]
    return F.conv2d(image, torch.tensor(LECTURE_FILTERS)[:, None])[0].numpy()


def test_lecture_maps_are_the_lectures():
    np.testing.assert_array_equal(lecture_maps(), torch_maps())
    assert lecture_maps()[0, 0, :2].tolist() == [3, -1]  # the two values the article names


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_figure_shows_each_map_and_its_pooled_values(mode):
    fig = figure_lecture_pooling(mode)
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == 4
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    pooled = pool(torch.tensor(torch_maps())[None], 2)[0].numpy()
    for f in range(2):
        assert grid_numbers(axes[2 * f]) == expected_numbers(torch_maps()[f])
        assert grid_numbers(axes[2 * f + 1]) == expected_numbers(pooled[f])
    if mode == "max":
        # The value each window keeps is bold: exactly 4 per map, and they are the maxima.
        bold = [t.get_text() for t in axes[0].texts if t.get_fontweight() == "bold"]
        assert sorted(bold) == sorted(expected_numbers(pooled[0]))
    assert "stride 2" in fig.get_suptitle()


def test_pipeline_figure_goes_from_6x6_to_2x2x2():
    fig = figure_lecture_pipeline()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "image: 6×6×1"
    assert grid_numbers(fig.axes[0]) == expected_numbers(LECTURE_IMAGE)
    pooled = F.max_pool2d(torch.tensor(torch_maps())[None], 2)[0].numpy()
    # Per filter: the filter, its 4×4 map, its 2×2 pooled map.
    for f in range(2):
        kernel_ax, map_ax, pooled_ax = fig.axes[1 + 3 * f : 4 + 3 * f]
        assert grid_numbers(kernel_ax) == expected_numbers(LECTURE_FILTERS[f])
        assert grid_numbers(map_ax) == expected_numbers(torch_maps()[f])
        assert grid_numbers(pooled_ax) == expected_numbers(pooled[f])
    assert "6×6×1 → 4×4×2 → 2×2×2" in fig.get_suptitle()


def test_photo_stage_figure_titles_carry_the_real_shapes():
    fig = figure_photo_stage()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles.count("conv: 3×298×254") == 3
    assert titles.count("ReLU: 3×298×254") == 3
    assert titles.count("max pool 2×2: 3×149×127") == 3
    assert {"horizontal filter", "vertical filter", "diagonal filter"} <= set(titles)
    assert "1×300×256" in fig.get_suptitle()


@pytest.mark.parametrize("n_stages", [1, 3, 6])
def test_photo_pipeline_figure_has_one_column_per_stage(n_stages):
    fig = figure_photo_pipeline(n_stages)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 1 + 3 * n_stages  # the photo, then 3 maps per stage
    shapes = stage_shapes(pipeline_photo().shape, n_stages)
    titles = [ax.get_title() for ax in images]
    assert titles[0] == "photo 1×300×256"
    for s, (_, h, w) in enumerate(shapes[1:], start=1):
        assert titles.count(f"stage {s}: {h}×{w}") == 3
        # The image shown is the map itself, at its own size.
    assert images[1].images[0].get_array().shape == shapes[1][1:]


def test_shift_figure_plots_the_measured_changes():
    photo = pipeline_photo()
    changes = {1: shift_changes(photo, 1, 2)}
    fig = figure_shift_changes(changes)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_ydata(), [c.relu_change for c in changes[1]])
    np.testing.assert_allclose(lines[1].get_ydata(), [c.pooled_change for c in changes[1]])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: figure_lecture_pooling("min"), "^mode"),
        (lambda: figure_photo_pipeline(0), "^n_stages"),
        (lambda: figure_photo_pipeline(7), "^n_stages"),
        (lambda: figure_shift_changes({}), "^by_shift"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_figures_are_registered():
    assert FIGURES["04_lecture_pooling"] is figure_lecture_pooling
    assert FIGURES["04_lecture_pipeline"] is figure_lecture_pipeline
    assert FIGURES["04_photo_stage"] is figure_photo_stage
    assert FIGURES["04_photo_pipeline"] is figure_photo_pipeline
