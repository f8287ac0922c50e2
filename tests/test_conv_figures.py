"""The worked example, matrix counts and the convolution pictures of lessons 02 and 03."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from torch import nn

from helpers.core.arithmetic import conv_output_size
from helpers.core.conv import (
    LECTURE_FILTERS,
    LECTURE_IMAGE,
    WORKED_BIAS,
    WORKED_INPUT,
    WORKED_PADDING,
    WORKED_STRIDE,
    WORKED_WEIGHTS,
    conv2d_by_hand,
    conv_matrix_counts,
    conv_weight_indices,
)
from helpers.lessons.padding_and_stride import figure_padded_convolution
from helpers.lessons.weight_sharing import figure_sparse_layer, figure_unrolled_matrix
from helpers.ui.palette import WEIGHT_COLOURS
from tools.figures import FIGURES


def worked_layer() -> nn.Conv2d:
    """The article's layer, nn.Conv2d(3, 2, 3, stride=2, padding=1), with the example weights."""
    layer = nn.Conv2d(3, 2, 3, stride=WORKED_STRIDE, padding=WORKED_PADDING).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(WORKED_WEIGHTS))
        layer.bias.copy_(torch.tensor(WORKED_BIAS))
    return layer


def test_worked_example_shapes_follow_the_article():
    assert WORKED_INPUT.shape == (3, 5, 5)
    assert WORKED_WEIGHTS.shape == (2, 3, 3, 3)  # kernel depth = input depth
    assert WORKED_BIAS.shape == (2,)
    assert (WORKED_PADDING, WORKED_STRIDE) == (1, 2)
    with pytest.raises(ValueError):
        WORKED_INPUT[0, 0, 0] = 9  # read-only


def test_worked_example_by_hand_equals_pytorch():
    ours = conv2d_by_hand(WORKED_INPUT, WORKED_WEIGHTS, WORKED_BIAS, WORKED_STRIDE, WORKED_PADDING)
    with torch.no_grad():
        theirs = worked_layer()(torch.tensor(WORKED_INPUT)[None])[0].numpy()
    assert ours.shape == theirs.shape == (2, 3, 3)  # output depth = number of kernels
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_one_output_is_27_products_plus_bias():
    padded = np.pad(WORKED_INPUT, ((0, 0), (1, 1), (1, 1)))
    window = padded[:, 0:3, 2:5]  # output (row 0, col 1): rows 0-2, columns 2-4, stride 2
    products = window * WORKED_WEIGHTS[0]
    assert products.size == 27
    full = conv2d_by_hand(WORKED_INPUT, WORKED_WEIGHTS, WORKED_BIAS, 2, 1)
    assert products.sum() + WORKED_BIAS[0] == full[0, 0, 1] == 10


@st.composite
def matrix_shapes(draw):
    size = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 3))))
    try:
        conv_output_size(size, kernel, stride, padding, dilation)
    except ValueError:
        assume(False)
    return kernel, size, stride, padding, dilation


@settings(max_examples=150, deadline=None, derandomize=True)
@given(matrix_shapes())
def test_matrix_counts_match_the_built_matrix(case):
    indices = conv_weight_indices(*case)
    rows, columns, nonzero = conv_matrix_counts(*case)
    assert (rows, columns) == indices.shape
    assert nonzero == np.count_nonzero(indices >= 0)


def test_matrix_counts_of_the_lecture_and_of_a_real_image():
    assert conv_matrix_counts(3, 6) == (16, 36, 144)
    rows, columns, nonzero = conv_matrix_counts(3, 224)
    assert (rows, columns, nonzero) == (222 * 222, 224 * 224, 222 * 222 * 9)
    assert rows * columns == 2_472_873_984  # entries of M, against 9 parameters
    rows, _, nonzero = conv_matrix_counts(3, 224, padding=1)
    # Padding 1: every output row keeps 9 taps except along the border (224 + 2*223 each way).
    assert rows == 224 * 224 and nonzero == (3 * 224 - 2) ** 2


def test_padded_convolution_figure_names_the_example():
    fig = figure_padded_convolution()
    assert isinstance(fig, Figure)
    title = fig.axes[0].get_title()
    assert "5×5×3" in title and "7×7×3" in title and "3×3×2" in title and "= 10" in title
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"output map 1", "output map 2", "b1 = 1", "b2 = 0"} <= texts
    fig2 = figure_padded_convolution(kernel=1, row=2, col=2)
    value = conv2d_by_hand(WORKED_INPUT, WORKED_WEIGHTS, WORKED_BIAS, 2, 1)[1, 2, 2]
    assert fig2.axes[0].get_title().endswith(f"= {value:g}")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"kernel": 2}, "kernel"),
        ({"row": 3}, "row"),
        ({"col": -1}, "col"),
        ({"kernel": 1.0}, "kernel"),
    ],
)
def test_padded_convolution_figure_rejects_bad_cells(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        figure_padded_convolution(**kwargs)


@pytest.mark.parametrize("filter_number", [1, 2])
def test_sparse_layer_draws_144_wires_coloured_by_shared_weight(filter_number):
    fig = figure_sparse_layer(filter_number)
    ax = fig.axes[0]
    taps = conv_weight_indices(3, 6)
    assert len(ax.lines) == 144
    wires = {}
    for line in ax.lines:
        (x0, _), (x1, _) = line.get_xydata()
        wires[(round(x1, 6), int(x0))] = line.get_color()
    outputs = sorted({key[0] for key in wires})
    assert len(outputs) == 16
    for o, x in enumerate(outputs):
        for i in np.flatnonzero(taps[o] >= 0):
            colour = to_rgba(wires[(x, i)])
            if o + 1 in (1, 2):  # the highlighted outputs: the weight's own colour
                assert colour == to_rgba(WEIGHT_COLOURS[taps[o, i]])
            else:  # the others: the same colour, mixed with white
                faint = 0.4 * np.array(to_rgba(WEIGHT_COLOURS[taps[o, i]])) + 0.6
                np.testing.assert_allclose(colour[:3], faint[:3])
    output_values = [t.get_text() for t in ax.texts][::2]
    maps = F.conv2d(torch.tensor(LECTURE_IMAGE)[None, None], torch.tensor(LECTURE_FILTERS[:, None]))
    assert output_values == [f"{v:g}" for v in maps[0, filter_number - 1].ravel().tolist()]
    assert "144 of 576" in ax.get_title()


@pytest.mark.parametrize("filter_number", [1, 2])
def test_unrolled_matrix_colours_each_nonzero_by_its_weight(filter_number):
    fig = figure_unrolled_matrix(filter_number)
    ax = fig.axes[0]
    image = next(a for a in ax.get_children() if isinstance(a, AxesImage)).get_array()
    taps = conv_weight_indices(3, 6)
    assert image.shape[:2] == (16, 36)
    blank = np.all(np.isclose(image, 1.0), axis=-1)
    np.testing.assert_array_equal(~blank, taps >= 0)
    for r, c in zip(*np.nonzero(taps >= 0)):
        np.testing.assert_allclose(image[r, c], to_rgba(WEIGHT_COLOURS[taps[r, c]]))
    assert len(ax.texts) == 144
    assert "576 entries" in ax.get_title() and "144 non-zero" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("bad", [0, 3, True])
def test_lecture_figures_reject_a_bad_filter_number(bad):
    with pytest.raises((ValueError, TypeError), match="filter_number"):
        figure_unrolled_matrix(bad)
    with pytest.raises((ValueError, TypeError), match="filter_number"):
        figure_sparse_layer(bad)


def test_sparse_layer_rejects_outputs_beyond_16():
    with pytest.raises(ValueError, match="highlight"):
        figure_sparse_layer(1, highlight=(17,))


def test_figures_are_registered():
    assert FIGURES["02_padded_convolution"] is figure_padded_convolution
    assert FIGURES["03_sparse_layer"] is figure_sparse_layer
    assert FIGURES["03_unrolled_matrix"] is figure_unrolled_matrix
