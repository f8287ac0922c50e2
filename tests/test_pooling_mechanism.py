"""Notebook 04's mechanism: the pooling loop written in the notebook, the tested helper with
padding and dilation, both against PyTorch; the dilation exercise; the stage maps' colour scales."""

import itertools

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers.core.cnn_pipeline import photo_stages, pipeline_photo
from helpers.core.pooling import pool2d_by_hand
from helpers.lessons.pooling import exercises
from helpers.lessons.pooling.explorers import EXAMPLE_MAP, stage_images, stages_view
from helpers.lessons.pooling.figures import (
    _two_ticks,
    display_limit,
    figure_photo_pipeline,
    figure_photo_stage,
)

from notebook_files import NOTEBOOK_DIR, read

matplotlib.use("Agg")

NOTEBOOK = NOTEBOOK_DIR / "04_pooling.ipynb"

# (side, kernel, stride, padding, ceil_mode, dilation): PyTorch accepts or rejects each.
CASES = list(itertools.product((4, 5, 7), (1, 2, 3), (1, 2, 3), (0, 1), (False, True), (1, 2)))


def torch_pool(x: np.ndarray, mode: str, k: int, s: int, p: int, ceil: bool, d: int):
    """PyTorch's pooling of (C, H, W) `x`, or None where PyTorch raises."""
    t = torch.tensor(x)[None]
    try:
        if mode == "max":
            return F.max_pool2d(t, k, s, p, dilation=d, ceil_mode=ceil)[0].numpy()
        return F.avg_pool2d(t, k, s, p, ceil_mode=ceil)[0].numpy()
    except RuntimeError:
        return None


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_helper_with_padding_and_dilation_equals_pytorch(mode):
    rng = np.random.default_rng(0)
    checked = 0
    for n, k, s, p, ceil, d in CASES:
        if p > k // 2 or (mode == "avg" and d > 1):
            continue
        x = rng.normal(size=(2, n, n))
        expected = torch_pool(x, mode, k, s, p, ceil, d)
        if expected is None:
            with pytest.raises(ValueError):
                pool2d_by_hand(x, k, s, mode, ceil, padding=p, dilation=d)
            continue
        ours = pool2d_by_hand(x, k, s, mode, ceil, padding=p, dilation=d)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)
        checked += 1
    assert checked > 80


def test_padding_rule_and_average_dilation_are_named_errors():
    with pytest.raises(ValueError, match="padding 2 must be at most half of kernel_size 3"):
        pool2d_by_hand(EXAMPLE_MAP, 3, padding=2)
    with pytest.raises(ValueError, match="dilation must be 1 for average pooling"):
        pool2d_by_hand(EXAMPLE_MAP, 2, mode="avg", dilation=2)
    with pytest.raises(TypeError):
        nn.AvgPool2d(2, dilation=2)  # what the error above stands for


def test_padding_never_wins_a_max_and_counts_as_zero_in_a_mean():
    x = -np.ones((3, 3))
    assert pool2d_by_hand(x, 3, 1, "max", padding=1).max() == -1  # not the padded 0
    corner = pool2d_by_hand(np.ones((3, 3)), 3, 1, "avg", padding=1)[0, 0]
    assert corner == pytest.approx(4 / 9)


def notebook_pool2d():
    """The `pool2d` function as notebook 04 defines it, run from the notebook's own cell."""
    cells = [c for c in read(NOTEBOOK).cells if c.cell_type == "code"]
    (cell,) = [c for c in cells if c.source.startswith("def pool2d(")]
    assert len(cell.source.splitlines()) <= 15, "the mechanism fits in about 15 lines"
    namespace = {"np": np}
    exec(cell.source, namespace)  # noqa: S102 - the notebook's own cell
    return namespace["pool2d"]


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_the_notebook_loop_equals_pytorch_and_the_helper(mode):
    pool2d = notebook_pool2d()
    rng = np.random.default_rng(1)
    for n, k, s, p in itertools.product((4, 5, 7), (1, 2, 3), (1, 2, 3), (0, 1)):
        if p > k // 2 or k > n + 2 * p:
            continue
        x = rng.normal(size=(n, n))
        ours = pool2d(x, k, stride=s, padding=p, mode=mode)
        np.testing.assert_allclose(ours, torch_pool(x[None], mode, k, s, p, False, 1)[0])
        np.testing.assert_allclose(ours, pool2d_by_hand(x, k, s, mode, padding=p))
    expected = pool2d_by_hand(EXAMPLE_MAP, 2, None, mode)
    assert np.array_equal(pool2d(EXAMPLE_MAP, 2, mode=mode), expected)


def test_dilation_exercise_matches_pytorch():
    case = exercises.DILATION_CASE
    layer = nn.MaxPool2d(case["kernel"], case["stride"], dilation=case["dilation"])
    pooled = layer(torch.tensor(EXAMPLE_MAP)[None, None])[0, 0]
    exercise = exercises.EXERCISES["check_dilated_pool"]()
    assert exercise.answer == pooled[case["position"]].item() == 3
    assert exercises.check_dilated_pool(3).correct
    assert not exercises.check_dilated_pool(2).correct  # the window without dilation


def colour_bars(fig) -> list:
    """The colour-bar axes of a figure (matplotlib labels them so)."""
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_stage_maps_share_a_colour_scale_per_stage_and_show_it():
    n_stages = 3
    stages = photo_stages()
    fig = figure_photo_pipeline(n_stages, stages=stages)
    bars = colour_bars(fig)
    assert len(bars) == n_stages + 1  # the photo's, and one under each stage column
    maps = [ax for ax in fig.axes if ax.get_images() and ax not in bars]
    limits = {}
    for ax in maps[1:]:  # the photo first
        stage = ax.get_title().split(":")[0]
        limits.setdefault(stage, set()).add(ax.get_images()[0].get_clim())
    assert len(limits) == n_stages and all(len(c) == 1 for c in limits.values())
    stage = figure_photo_stage(stages[0])
    assert len(colour_bars(stage)) == 2  # the conv's red/blue scale, the kept values' grey one


@pytest.mark.parametrize("limit", [0.0123, 0.98, 1.169, 2.493, 17.0, 1234.5])
def test_colour_bar_ticks_are_two_and_inside_the_scale(limit):
    low, high = _two_ticks(limit)
    assert low == 0 and 0.9 * limit <= high <= limit


def test_the_stage_slider_shows_each_maps_grey_scale():
    stages = photo_stages()
    images = stage_images(pipeline_photo(), stages)
    for n in (1, 3):
        html = stages_view(n, stages={"average": stages}, images={"average": images})
        limits = [display_limit(m) for m in stages[n - 1].pooled]
        assert html.count("linear-gradient(to right, black, white)") == len(limits)
        for limit in limits:
            assert f"≥ {limit:.2g}" in html
