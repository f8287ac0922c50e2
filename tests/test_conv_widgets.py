"""Notebook 02's explorer and notebook 03's output picker (helpers.lessons)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.arithmetic import conv_output_size
from helpers.core.conv import LECTURE_FILTERS, LECTURE_IMAGE, conv_as_matrix
from helpers.lessons.padding_and_stride import (
    PaddingStrideExplorer,
    output_size_formula,
    padding_stride_explorer,
    padding_stride_view,
    read_cells,
)
from helpers.lessons.weight_sharing import (
    sharing_terms,
    weight_sharing_explorer,
    weight_sharing_view,
)
from helpers.ui.explorer import safe_render
from helpers.ui.palette import (
    OUTPUT_COLOUR,
    PADDING_COLOUR,
    UNREAD_COLOUR,
    WEIGHT_COLOURS,
    WINDOW_COLOUR,
)
from tools.widget_registry import WIDGETS

SVG_NS = "{http://www.w3.org/2000/svg}"
SIZES = st.tuples(
    st.integers(1, 12), st.integers(1, 7), st.integers(0, 3), st.integers(1, 4), st.integers(1, 3)
)


def torch_size(n: int, k: int, p: int, s: int, d: int) -> int | None:
    """nn.Conv2d's output side for an n x n input, or None where PyTorch refuses."""
    try:
        out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), None, s, p, d)
    except RuntimeError:
        return None
    return out.shape[-1]


def svg_of(html: str) -> ET.Element:
    """The widget's SVG, parsed (fails if it is not well-formed)."""
    return ET.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))


def fills(svg: ET.Element) -> list[str]:
    return [rect.get("fill") for rect in svg.iter(f"{SVG_NS}rect")]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(SIZES)
def test_formula_text_matches_pytorch_or_refuses_with_it(sizes):
    n, k, p, s, d = sizes
    expected = torch_size(n, k, p, s, d)
    if expected is None:
        with pytest.raises(ValueError, match="kernel_size"):
            output_size_formula(n, k, p, s, d)
    else:
        text = output_size_formula(n, k, p, s, d)
        assert text.endswith(f"= {expected}")
        room = n + 2 * p - d * (k - 1) - 1
        assert f"⌊{room} / {s}⌋ + 1" in text and room // s + 1 == expected


def test_formula_text_of_the_worked_example():
    assert (
        output_size_formula(5, 3, 1, 2, 1)
        == "⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = ⌊4 / 2⌋ + 1 = 3"
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(SIZES)
def test_read_cells_are_where_pytorch_has_a_gradient(sizes):
    n, k, p, s, d = sizes
    if torch_size(n, k, p, s, d) is None:
        return
    padded = torch.ones(1, 1, n + 2 * p, n + 2 * p, requires_grad=True)
    F.conv2d(padded, torch.ones(1, 1, k, k), stride=s, dilation=d).sum().backward()
    touched = np.flatnonzero(padded.grad[0, 0].sum(dim=1).numpy())  # rows with a gradient
    np.testing.assert_array_equal(read_cells(n, k, p, s, d), touched)


def test_explorer_view_draws_the_worked_example():
    html = padding_stride_view(5, 3, 1, 2, 1, position=4)
    svg = svg_of(html)
    colours = fills(svg)
    assert colours.count(WINDOW_COLOUR) == 9 + 1  # 9 taps + the legend swatch
    assert colours.count(PADDING_COLOUR) == 7 * 7 - 5 * 5 + 1  # the centre window: no padding
    assert colours.count(OUTPUT_COLOUR) == 1
    assert colours.count(UNREAD_COLOUR) == 1  # legend only: stride 2 reads every row here
    assert "output (row 1, col 1)" in html
    assert "padded rows 2, 3, 4 and columns 2, 3, 4" in html
    assert output_size_formula(5, 3, 1, 2, 1) in html


def test_explorer_view_marks_the_rows_the_floor_drops():
    html = padding_stride_view(6, 3, 1, 2, 1, position=0)  # padded 8: windows at 0, 2, 4
    assert "padded rows (and columns) 7 are never read" in html
    assert fills(svg_of(html)).count(UNREAD_COLOUR) == 8 + 8 - 1 + 1  # last row and column


def test_explorer_view_dilated_window_reads_every_other_cell():
    html = padding_stride_view(7, 3, 0, 1, 2, position=0)
    assert "effective kernel</b> k + (k − 1)(d − 1) = 3 + 2·1 = 5" in html
    assert "padded rows 0, 2, 4 and columns 0, 2, 4" in html
    frame = [r for r in svg_of(html).iter(f"{SVG_NS}rect") if r.get("stroke") == "#d62728"]
    cell = float(next(svg_of(html).iter(f"{SVG_NS}rect")).get("width"))
    assert len(frame) == 1  # the window's span: 5 cells, of which 3 x 3 are taps
    assert float(frame[0].get("width")) == float(frame[0].get("height")) == 5 * cell


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"input_size": 2, "kernel_size": 5, "padding": 0}, "kernel_size"),
        ({"input_size": 3, "kernel_size": 3, "padding": 0, "dilation": 2}, "kernel_size"),
        ({"position": 9}, "position"),
        ({"position": -1}, "position"),
        ({"stride": 0}, "stride"),
        ({"padding": 1.5}, "padding"),
    ],
)
def test_explorer_view_refuses_bad_combinations_by_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        padding_stride_view(**kwargs)


def test_explorer_position_range_follows_the_output_size():
    explorer = padding_stride_explorer()
    position = explorer.controls["position"]
    assert isinstance(explorer, PaddingStrideExplorer) and position.max == 8  # 3x3 output
    explorer.controls["input_size"].value = 12  # 12 + 2 - 3 -> 6x6 output with stride 2
    assert position.max == explorer.play.max == 35
    position.value = 35
    explorer.controls["stride"].value = 3  # 4x4: the position is clamped to the last one
    assert position.value == position.max == 15
    assert "does not work" not in explorer.view.value
    assert explorer.view.value == padding_stride_view(**explorer.values())


def test_explorer_shows_a_message_for_a_kernel_larger_than_the_padded_input():
    explorer = padding_stride_explorer()
    explorer.controls["kernel_size"].value = 7
    explorer.controls["padding"].value = 0
    assert "does not work" in explorer.view.value and "kernel_size" in explorer.view.value
    assert "Traceback" not in explorer.view.value
    explorer.controls["padding"].value = 1  # 5 + 2 = 7 fits again: one output
    assert explorer.controls["position"].max == 0
    assert explorer.view.value == safe_render(padding_stride_view, **explorer.values())


def test_explorer_rejects_a_start_position_beyond_the_output():
    with pytest.raises(ValueError, match="position"):
        padding_stride_explorer(position=9)


@pytest.mark.parametrize("filter_number", [1, 2])
def test_sharing_terms_sum_to_pytorch_feature_map(filter_number):
    maps = F.conv2d(torch.tensor(LECTURE_IMAGE)[None, None], torch.tensor(LECTURE_FILTERS[:, None]))
    expected = maps[0, filter_number - 1].ravel().numpy()
    matrix = conv_as_matrix(LECTURE_FILTERS[filter_number - 1], 6)
    for output in range(1, 17):
        terms = sharing_terms(output, filter_number)
        assert len(terms) == 9
        assert sum(x * w for _, x, w in terms) == expected[output - 1]
        assert [w for _, _, w in terms] == LECTURE_FILTERS[filter_number - 1].ravel().tolist()
        assert sorted(n - 1 for n, _, _ in terms) == np.flatnonzero(matrix[output - 1]).tolist()


def test_output_1_reads_the_lectures_nine_pixels():
    assert [n for n, _, _ in sharing_terms(1)] == [1, 2, 3, 7, 8, 9, 13, 14, 15]


def test_weight_sharing_view_highlights_pixels_row_and_value():
    html = weight_sharing_view(2, 1)
    svg = svg_of(html)
    assert "output 2 (row 1, col 2) of filter 1 = -1" in html
    assert "reads pixels 2, 3, 4, 8, 9, 10, 14, 15, 16" in html
    rects = list(svg.iter(f"{SVG_NS}rect"))
    full = [r for r in rects if r.get("fill") in WEIGHT_COLOURS and r.get("fill-opacity") == "1.0"]
    faint = [r for r in rects if r.get("fill-opacity") == "0.3"]
    assert len(full) == 9 and len(faint) == 144 - 9  # the chosen row of M, then the others
    assert sorted(float(r.get("x")) for r in full) == sorted(
        36 + 12 * c for c in (1, 2, 3, 7, 8, 9, 13, 14, 15)
    )
    # 9 image pixels + 9 filter taps in the weight colours, outside the matrix.
    coloured = [r for r in rects if r.get("fill") in WEIGHT_COLOURS and not r.get("fill-opacity")]
    assert len(coloured) == 18
    assert [r.get("fill") for r in rects].count(OUTPUT_COLOUR) == 1


def test_weight_sharing_view_both_filters_give_the_lecture_values():
    assert "of filter 1 = 3" in weight_sharing_view(1, 1)
    assert "of filter 1 = -1" in weight_sharing_view(2, 1)
    assert "of filter 2 = -1" in weight_sharing_view(1, 2)
    assert "of filter 2 = 3" in weight_sharing_view(16, 2)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"output": 0}, "output"),
        ({"output": 17}, "output"),
        ({"filter_number": 3}, "filter_number"),
        ({"filter_number": "1"}, "filter_number"),
    ],
)
def test_weight_sharing_view_refuses_bad_input_by_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        weight_sharing_view(**kwargs)


def test_picker_updates_with_its_controls():
    picker = weight_sharing_explorer()
    picker.controls["output"].value = 16
    picker.controls["filter_number"].value = 2
    assert picker.view.value == weight_sharing_view(16, 2)


def test_widgets_are_registered():
    assert WIDGETS["padding_stride_explorer"] is padding_stride_explorer
    assert WIDGETS["weight_sharing_explorer"] is weight_sharing_explorer
    assert conv_output_size(5, 3, 2, 1) == 3  # the explorer's default is the worked example
