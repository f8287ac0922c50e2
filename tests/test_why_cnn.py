"""Notebook 01's helpers: the article's counts, the calculator, the image properties."""

import re
from xml.etree import ElementTree

import numpy as np
import pytest
from matplotlib.figure import Figure
from torch import nn

from helpers.core.arithmetic import conv2d_param_count
from helpers.core.dense_vs_conv import ARTICLE_CLAIMS, calculator_counts
from helpers.core.image_properties import detect_stars
from helpers.core.images import sample_photo, subsample
from helpers.lessons.why_cnn import calculator_view
from helpers.ui.svg import format_count, log_bar_chart
from tools.figures import FIGURES, FIGURES_DIR, write_figures


def test_article_claims_against_reference_and_pytorch():
    by_name = {claim.name: claim for claim in ARTICLE_CLAIMS}
    dense = by_name["fully connected, 30,000 inputs"]
    assert dense.article_value == dense.weights() == 3 * 10**7
    image = by_name["fully connected, 1K×1K image"]
    assert image.article_value == image.weights() == 10**12
    argb = by_name["convolution, ARGB image"]
    assert argb.article_value == 10**6
    assert argb.weights() == 4 * 10**6 and argb.parameters() == 4_000_100
    for claim in ARTICLE_CLAIMS:
        assert claim.pytorch_count() == claim.parameters()


def test_argb_layer_is_what_pytorch_builds():
    layer = nn.Conv2d(4, 100, 100)
    assert tuple(layer.weight.shape) == (100, 4, 100, 100)
    assert sum(p.numel() for p in layer.parameters()) == 4_000_100


def test_calculator_counts_by_hand():
    r = calculator_counts(image_size=6, channels=1, hidden_units=10, kernel_size=3, n_kernels=2)
    assert r.inputs == 36
    assert r.fully_connected == 36 * 10 + 10
    assert r.convolution == 2 * 9 + 2
    assert r.feature_map_side == 4 and r.conv_outputs == 32
    assert r.fully_connected_same_outputs == 36 * 32 + 32


def test_calculator_matches_pytorch_output_size():
    import torch

    r = calculator_counts(image_size=28, channels=3, hidden_units=100, kernel_size=5, n_kernels=7)
    out = nn.Conv2d(3, 7, 5)(torch.zeros(1, 3, 28, 28))
    assert out[0].numel() == r.conv_outputs
    assert r.convolution == conv2d_param_count(3, 7, 5)


def test_calculator_rejects_kernel_larger_than_image():
    with pytest.raises(ValueError, match="kernel_size"):
        calculator_counts(image_size=6, channels=1, hidden_units=10, kernel_size=7, n_kernels=1)
    with pytest.raises(ValueError, match="n_kernels"):
        calculator_counts(image_size=6, channels=1, hidden_units=10, kernel_size=3, n_kernels=0)


def test_calculator_view_shows_the_numbers():
    html = calculator_view(
        image_size=1000, channels=1, hidden_units=10**6, kernel_size=3, n_kernels=1
    )
    assert "1,000,001,000,000" in html  # the article's 10^12 case, with biases
    svg = re.search(r"<svg.*</svg>", html, flags=re.S).group(0)
    ElementTree.fromstring(svg)  # well-formed
    assert "parameters (log scale)" in svg


def test_log_bar_chart_scales_bars_by_log10():
    svg = log_bar_chart(["a", "b"], [10, 10_000], title="t", axis_label="x")
    root = ElementTree.fromstring(svg)
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[1] == pytest.approx(4 * widths[0])
    with pytest.raises(ValueError, match="values"):
        log_bar_chart(["a"], [0], title="t", axis_label="x")
    with pytest.raises(ValueError, match="labels"):
        log_bar_chart(["a", "b"], [1], title="t", axis_label="x")


def test_format_count():
    assert format_count(1792) == "1,792"
    assert format_count(10**12) == "1,000,000,000,000 (≈ 10^12.0)"


def test_sample_photo_is_shipped_and_grey():
    grey = sample_photo()
    assert grey.shape == (600, 512) and 0 <= grey.min() and grey.max() <= 1
    assert sample_photo(grey=False).shape == (600, 512, 3)
    assert subsample(grey, 4).shape == (150, 128)
    with pytest.raises(ValueError, match="factor"):
        subsample(grey, 0)


def test_one_detector_finds_several_stars():
    d = detect_stars()
    assert d.response.max() == pytest.approx(1.0, abs=1e-4)  # the star it was cut from
    assert len(d.peaks) >= 5
    # The template star (rows 62-112, columns 44-92 of the flag) is one of them.
    assert any(abs(r - 87) <= 3 and abs(c - 68) <= 3 for r, c in d.peaks)
    # Peaks are distinct stars, not one star found twice.
    for i, (r1, c1) in enumerate(d.peaks):
        for r2, c2 in d.peaks[i + 1 :]:
            assert abs(r1 - r2) > 20 or abs(c1 - c2) > 20
    with pytest.raises(ValueError, match="threshold"):
        detect_stars(threshold=1.5)


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_is_labelled_and_committed(name):
    fig = FIGURES[name]()
    assert isinstance(fig, Figure)
    assert fig.get_suptitle() or any(ax.get_title() for ax in fig.axes)
    for ax in fig.axes:
        # Every panel that shows data with its axes on says what it shows.
        if ax.axison and (ax.images or ax.patches or ax.lines or ax.collections):
            assert ax.get_title() or ax.get_xlabel() or ax.get_ylabel(), name
    assert (FIGURES_DIR / f"{name}.png").exists(), "run `make figures` and commit figures/"


def test_write_figures(tmp_path):
    (path,) = write_figures(["01_article_param_counts"], directory=tmp_path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="names"):
        write_figures(["nope"], directory=tmp_path)
    assert np.all([p.suffix == ".png" for p in tmp_path.iterdir()])


def test_grid_and_document_are_well_formed_svg():
    from helpers.ui.svg import format_cell, grid, svg_document

    body = grid(
        [[1, 0.5], ["a", None]],
        10,
        30,
        cell=20,
        fills={(0, 1): "#ff0"},
        outline=(0, 0, 1, 2),
        caption="x <b>",
    )
    root = ElementTree.fromstring(svg_document(100, 120, [body], title="t"))
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 5  # 4 cells + the outline
    assert rects[1].get("fill") == "#ff0"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["t", "1", "0.50", "a", "x <b>"]
    assert format_cell(3.0) == "3" and format_cell(-1.25) == "-1.25"
