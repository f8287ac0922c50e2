"""Tests for notebook 07's helpers: photo batches, forward by block, stacked 3x3 vs one large
kernel, torchinfo's sizes, the figures of helpers.lessons.vgg16 and the widget of
helpers.lessons.vgg16."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pytest
import torch
import torchinfo
from matplotlib.figure import Figure
from torch import nn
from torch.nn import functional as F

from helpers.core.summary import (
    ARTICLE_VGG16_MIB,
    MB,
    TODAY_VGG16_MIB,
    layer_summary,
    memory_estimate,
    torchinfo_sizes,
)
from helpers.core.vgg import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    VGG,
    forward_by_block,
    image_batch,
    layer_param_counts,
    measure_forward,
    remove_last_layer,
    stacked_vs_large_kernel,
    vgg,
    vgg16,
)
from helpers.lessons.vgg16 import (
    CHANNEL_OPTIONS,
    MAP_COLOURMAP,
    MAP_GAP,
    MAX_LAYERS,
    display_image,
    figure_feature_maps,
    figure_params_per_layer,
    figure_stacked_vs_large,
    map_mosaic,
    scaled_to_own_range,
    short_layer_names,
    stack_explorer,
    stack_view,
    strongest_channels,
)
from tools.figures import FIGURES
from tools.widget_registry import WIDGETS

SMALL = [8, "M", 16, "M"]  # two blocks: 28x28 -> 7x7


def small_model(avgpool: bool = True) -> VGG:
    return vgg(SMALL, num_classes=5, avgpool=avgpool, seed=0).eval()


# --- stacked 3x3 convolutions against one large kernel -------------------------------------------


def measured_receptive_field(layers: int, kernel: int) -> int:
    """Side of the input region that moves the centre output, found with autograd."""
    convs = [nn.Conv2d(1, 1, kernel, bias=False) for _ in range(layers)]
    for conv in convs:
        nn.init.ones_(conv.weight)
    x = torch.zeros(1, 1, 21, 21, requires_grad=True)
    out = nn.Sequential(*convs)(x)
    out[0, 0, out.shape[2] // 2, out.shape[3] // 2].backward()
    rows = torch.nonzero(x.grad[0, 0].abs().sum(dim=1)).flatten()
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize("layers", [1, 2, 3, 4])
def test_stack_sees_as_much_as_the_large_kernel(layers: int) -> None:
    row = stacked_vs_large_kernel(layers, 8)
    assert row.receptive_field == row.large_kernel == 2 * layers + 1
    assert measured_receptive_field(layers, 3) == row.receptive_field
    assert measured_receptive_field(1, row.large_kernel) == row.receptive_field


@pytest.mark.parametrize("channels", [1, 3, 64, 512])
@pytest.mark.parametrize("layers", [1, 2, 3, 5])
def test_stack_and_large_kernel_counts_match_pytorch(layers: int, channels: int) -> None:
    row = stacked_vs_large_kernel(layers, channels)
    stack = nn.Sequential(*[nn.Conv2d(channels, channels, 3, device="meta") for _ in range(layers)])
    large = nn.Conv2d(channels, channels, row.large_kernel, device="meta")
    assert row.stacked_params == sum(p.numel() for p in stack.parameters())
    assert row.large_params == sum(p.numel() for p in large.parameters())
    # The paper's argument, weights only: n * 9 C^2 against (2n + 1)^2 C^2.
    assert row.stacked_params - layers * channels == layers * 9 * channels**2
    assert row.large_params - channels == (2 * layers + 1) ** 2 * channels**2


def test_the_papers_two_cases() -> None:
    two, three = stacked_vs_large_kernel(2, 512), stacked_vs_large_kernel(3, 512)
    assert (two.receptive_field, three.receptive_field) == (5, 7)
    assert two.ratio == pytest.approx((25 * 512**2 + 512) / (2 * (9 * 512**2 + 512)))
    assert three.ratio > two.ratio > 1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layers": 0, "channels": 3}, ValueError, "layers"),
        ({"layers": 2, "channels": 0}, ValueError, "channels"),
        ({"layers": 2.0, "channels": 3}, TypeError, "layers"),
    ],
)
def test_stacked_vs_large_kernel_rejects_bad_input(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        stacked_vs_large_kernel(**kwargs)


# --- the photograph as a batch -------------------------------------------------------------------


def test_image_batch_crops_the_centre_and_resizes_with_interpolate() -> None:
    rng = np.random.default_rng(0)
    image = rng.random((30, 20, 3)).astype(np.float32)
    batch = image_batch(image, size=10, normalize=False)
    square = torch.from_numpy(image[5:25]).permute(2, 0, 1).unsqueeze(0)
    expected = F.interpolate(square, size=(10, 10), mode="bilinear", antialias=True)
    assert batch.shape == (1, 3, 10, 10)
    torch.testing.assert_close(batch, expected)


def test_image_batch_normalises_per_channel() -> None:
    image = np.ones((8, 8, 3), dtype=np.float32) * np.array(IMAGENET_MEAN, dtype=np.float32)
    torch.testing.assert_close(image_batch(image, size=4), torch.zeros(1, 3, 4, 4))
    ones = image_batch(np.ones((8, 8, 3), dtype=np.float32), size=4)
    expected = [(1 - m) / s for m, s in zip(IMAGENET_MEAN, IMAGENET_STD)]
    torch.testing.assert_close(ones[0, :, 0, 0], torch.tensor(expected))


@pytest.mark.parametrize(
    ("image", "size", "error", "match"),
    [
        (np.zeros((8, 8)), 4, ValueError, "image"),
        (np.zeros((8, 8, 4)), 4, ValueError, "image"),
        (np.zeros((8, 8, 3)), 0, ValueError, "size"),
    ],
)
def test_image_batch_rejects_bad_input(image, size, error, match) -> None:
    with pytest.raises(error, match=match):
        image_batch(image, size=size)


def test_display_image_undoes_the_normalisation() -> None:
    image = np.random.default_rng(1).random((12, 12, 3)).astype(np.float32)
    shown = display_image(image_batch(image, size=6))
    plain = image_batch(image, size=6, normalize=False)[0].permute(1, 2, 0).numpy()
    np.testing.assert_allclose(shown, plain.clip(0, 1), atol=1e-6)
    with pytest.raises(ValueError, match="batch"):
        display_image(torch.zeros(3, 6, 6))


# --- forward pass by block -----------------------------------------------------------------------


def test_forward_by_block_matches_the_model_and_its_parts() -> None:
    model = small_model()
    x = torch.randn(1, 3, 28, 28, generator=torch.Generator().manual_seed(0))
    outputs = forward_by_block(model, x)
    assert list(outputs) == ["block1", "block2", "avgpool", "output"]
    torch.testing.assert_close(outputs["block1"], model.features[:3](x))
    torch.testing.assert_close(outputs["block2"], model.features(x))
    torch.testing.assert_close(outputs["output"], model(x))
    assert [tuple(outputs[k].shape) for k in outputs] == [
        (1, 8, 14, 14),
        (1, 16, 7, 7),
        (1, 16, 7, 7),
        (1, 5),
    ]
    assert not outputs["output"].requires_grad


def test_forward_by_block_without_avgpool() -> None:
    model = vgg([4, "M"], num_classes=3, avgpool=False).eval()
    x = torch.randn(2, 3, 14, 14, generator=torch.Generator().manual_seed(0))
    outputs = forward_by_block(model, x)
    assert list(outputs) == ["block1", "output"]
    torch.testing.assert_close(outputs["output"], model(x))
    with pytest.raises(TypeError, match="model"):
        forward_by_block(nn.Linear(2, 2), x)  # type: ignore[arg-type]


def test_measure_forward_returns_the_models_output() -> None:
    model = small_model()
    x = torch.randn(1, 3, 28, 28, generator=torch.Generator().manual_seed(0))
    cost = measure_forward(model, x)
    torch.testing.assert_close(cost.output, model(x))
    assert cost.seconds >= 0
    assert cost.peak_mib is None or cost.peak_mib > 1  # a Python process holds more than 1 MiB
    with pytest.raises(TypeError, match="model"):
        measure_forward("vgg16", x)  # type: ignore[arg-type]


def test_measure_forward_by_block_is_one_pass_of_forward_by_block() -> None:
    model = small_model()
    x = torch.randn(1, 3, 28, 28, generator=torch.Generator().manual_seed(0))
    cost = measure_forward(model, x, by_block=True)
    expected = forward_by_block(model, x)
    assert cost.blocks is not None and list(cost.blocks) == list(expected)
    for name, tensor in expected.items():
        torch.testing.assert_close(cost.blocks[name], tensor)
    assert cost.output is cost.blocks["output"]
    torch.testing.assert_close(cost.output, model(x))
    assert measure_forward(model, x).blocks is None
    with pytest.raises(TypeError, match="by_block"):
        measure_forward(nn.Linear(2, 2), torch.zeros(1, 2), by_block=True)


# --- the article's sizes and torchinfo's ---------------------------------------------------------


def test_article_figures_are_what_memory_estimate_gives() -> None:
    for avgpool, expected in ((False, ARTICLE_VGG16_MIB), (True, TODAY_VGG16_MIB)):
        model = remove_last_layer(vgg16(avgpool=avgpool, device="meta"))
        assert memory_estimate(model, (3, 224, 224)).rounded() == expected


def assert_input_bytes_close(input_mb: float, torchinfo_bytes: int) -> None:
    """torchinfo sizes its input with sys.getsizeof(storage): the data plus Python's overhead."""
    overhead = torchinfo_bytes - round(input_mb * MB)
    assert 0 <= overhead <= 256, overhead


@pytest.mark.parametrize("avgpool", [False, True])
def test_torchinfo_sizes_match_torchinfo_on_vgg16(avgpool: bool) -> None:
    model = remove_last_layer(vgg16(avgpool=avgpool, device="meta"))
    stats = torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0, device="meta")
    sizes = torchinfo_sizes(layer_summary(model, (3, 224, 224)), (3, 224, 224))
    assert_input_bytes_close(sizes.input_mb, stats.total_input)
    assert f"{sizes.input_mb:.2f}" == "0.60"
    assert sizes.forward_backward_mb == stats.total_output_bytes / MB
    assert sizes.params_mb == stats.total_param_bytes / MB
    assert f"{sizes.params_mb:.2f}" == "537.04"  # REFERENCE.md: torchinfo's params size
    # Only the 13 convolutions' and 2 linear layers' outputs count (x2 for gradients).
    conv_outputs = 64 * 224**2 * 2 + 128 * 112**2 * 2 + 256 * 56**2 * 3
    conv_outputs += 512 * 28**2 * 3 + 512 * 14**2 * 3
    assert sizes.forward_backward_mb == 2 * (conv_outputs + 2 * 4096) * 4 / 10**6


def test_torchinfo_sizes_for_a_batch_of_a_small_model() -> None:
    model = small_model()
    stats = torchinfo.summary(model, input_size=(3, 3, 28, 28), verbose=0)
    sizes = torchinfo_sizes(layer_summary(model, (3, 28, 28)), (3, 28, 28), batch_size=3)
    assert_input_bytes_close(sizes.input_mb, stats.total_input)
    assert sizes.forward_backward_mb == stats.total_output_bytes / MB
    assert sizes.params_mb == stats.total_param_bytes / MB
    with pytest.raises(ValueError, match="batch_size"):
        torchinfo_sizes([], (3, 28, 28), batch_size=0)


def test_torchinfo_text_is_deterministic_and_device_free() -> None:
    columns = ("output_size", "num_params")
    real = str(torchinfo.summary(small_model(), (1, 3, 28, 28), verbose=0, col_names=columns))
    again = str(torchinfo.summary(small_model(), (1, 3, 28, 28), verbose=0, col_names=columns))
    meta = vgg(SMALL, num_classes=5, device="meta")
    on_meta = str(
        torchinfo.summary(meta, (1, 3, 28, 28), verbose=0, col_names=columns, device="meta")
    )
    assert real == again == on_meta
    assert not re.search(r"cpu|cuda|meta|0x[0-9a-f]", real, flags=re.IGNORECASE)


# --- figures -------------------------------------------------------------------------------------


def test_short_layer_names() -> None:
    counts = layer_param_counts(vgg16(device="meta"))
    names = short_layer_names(counts)
    assert names[0] == "conv1 (features.0)" and names[12] == "conv13 (features.28)"
    assert names[13:] == ["fc1 (classifier.0)", "fc2 (classifier.3)", "fc3 (classifier.6)"]
    assert short_layer_names([("head", 3)]) == ["head"]


def test_params_per_layer_bars_are_the_counts() -> None:
    fig = figure_params_per_layer()
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    counts = layer_param_counts(vgg16(device="meta"))
    widths = [patch.get_width() for patch in ax.patches]
    np.testing.assert_allclose(widths, [count / 1e6 for _, count in counts])
    assert "138,357,544" in ax.get_title()
    texts = [text.get_text() for text in ax.texts]
    assert "102,764,544  (74.3%)" in texts  # the first Linear: about three quarters
    assert ax.get_xlabel() and ax.get_yticklabels()[0].get_text() == "conv1 (features.0)"
    with pytest.raises(ValueError, match="counts"):
        figure_params_per_layer([])


def test_params_per_layer_without_the_last_layer() -> None:
    counts = layer_param_counts(remove_last_layer(vgg16(device="meta")))
    ax = figure_params_per_layer(counts).axes[0]
    assert len(ax.patches) == 15 and "134,260,544" in ax.get_title()
    assert "102,764,544  (76.5%)" in [text.get_text() for text in ax.texts]


def test_stacked_vs_large_figure_plots_the_comparison() -> None:
    fig = figure_stacked_vs_large(channels=64, max_layers=4)
    left = fig.axes[0]
    large, stacked = left.get_lines()
    rows = [stacked_vs_large_kernel(n, 64) for n in range(1, 5)]
    np.testing.assert_array_equal(stacked.get_xdata(), [3, 5, 7, 9])
    np.testing.assert_allclose(stacked.get_ydata(), [r.stacked_params / 1e6 for r in rows])
    np.testing.assert_allclose(large.get_ydata(), [r.large_params / 1e6 for r in rows])
    assert all(ax.get_title() for ax in fig.axes)
    with pytest.raises(ValueError, match="max_layers"):
        figure_stacked_vs_large(max_layers=0)


def test_strongest_channels() -> None:
    maps = torch.zeros(1, 4, 2, 2)
    maps[0, 2] = 3.0
    maps[0, 0] = 1.0
    assert strongest_channels(maps, 3) == [2, 0, 1]  # ties keep the lower channel first
    with pytest.raises(ValueError, match="count"):
        strongest_channels(maps, 5)
    with pytest.raises(ValueError, match="maps"):
        strongest_channels(maps[0], 1)


def test_scaled_to_own_range() -> None:
    scaled = scaled_to_own_range(torch.tensor([[2.0, 4.0], [3.0, 6.0]]))
    np.testing.assert_allclose(scaled, [[0.0, 0.5], [0.25, 1.0]])
    assert not scaled_to_own_range(torch.full((2, 2), 7.0)).any()  # a flat map: all dark


def test_map_mosaic_tiles_the_strongest_maps() -> None:
    model = small_model()
    batch = image_batch(np.random.default_rng(0).random((40, 40, 3)).astype(np.float32), 28)
    outputs = forward_by_block(model, batch)  # block1: 8x14x14, block2: 16x7x7
    mosaic = map_mosaic(outputs, per_block=2)
    viridis = matplotlib.colormaps[MAP_COLOURMAP]
    assert mosaic.blocks == ["block1", "block2"] and mosaic.tile == (14, 14)
    assert mosaic.image.shape == (2 * 14 + MAP_GAP, 2 * 14 + MAP_GAP, 3)
    assert mosaic.channels == [strongest_channels(outputs[b], 2) for b in mosaic.blocks]
    # Top left: block1's strongest map, scaled to its range and coloured with viridis.
    first = scaled_to_own_range(outputs["block1"][0, mosaic.channels[0][0]])
    np.testing.assert_allclose(mosaic.image[:14, :14], viridis(first)[..., :3])
    # Bottom right: block2's second map, each 7x7 pixel repeated into a 2x2 square.
    second = scaled_to_own_range(outputs["block2"][0, mosaic.channels[1][1]])
    enlarged = np.repeat(np.repeat(second, 2, axis=0), 2, axis=1)
    np.testing.assert_allclose(mosaic.image[-14:, -14:], viridis(enlarged)[..., :3])
    # White gaps between the tiles.
    assert (mosaic.image[14 : 14 + MAP_GAP] == 1).all()
    assert (mosaic.image[:, 14 : 14 + MAP_GAP] == 1).all()
    with pytest.raises(ValueError, match="outputs"):
        map_mosaic({"output": outputs["output"]})
    with pytest.raises(ValueError, match="per_block"):
        map_mosaic(outputs, per_block=0)


def test_feature_maps_figure_shows_each_block() -> None:
    model = small_model()
    image = np.random.default_rng(0).random((40, 40, 3)).astype(np.float32)
    batch = image_batch(image, size=28)
    outputs = forward_by_block(model, batch)
    fig = figure_feature_maps(outputs, batch, per_block=2)
    photo, maps, _colour_scale = fig.axes
    assert photo.get_title() == "input 28×28"
    np.testing.assert_allclose(photo.images[0].get_array(), display_image(batch))
    np.testing.assert_allclose(maps.images[0].get_array(), map_mosaic(outputs, 2).image)
    labels = [text.get_text() for text in maps.texts]
    channels = [strongest_channels(outputs[b], 2) for b in ("block1", "block2")]
    assert labels == [
        f"block1\n8×14×14\nchannels {channels[0][0]}, {channels[0][1]}",
        f"block2\n16×7×7\nchannels {channels[1][0]}, {channels[1][1]}",
    ]
    with pytest.raises(ValueError, match="outputs"):
        figure_feature_maps({"output": outputs["output"]}, batch)


def test_figures_are_registered() -> None:
    assert FIGURES["07_params_per_layer"] is figure_params_per_layer
    assert FIGURES["07_stacked_vs_large_kernel"] is figure_stacked_vs_large
    assert FIGURES["07_feature_maps"] is figure_feature_maps


# --- the widget ----------------------------------------------------------------------------------


@pytest.mark.parametrize("layers", range(1, MAX_LAYERS + 1))
@pytest.mark.parametrize("channels", CHANNEL_OPTIONS)
def test_stack_view_shows_the_helper_numbers(layers: int, channels: int) -> None:
    html = stack_view(layers, channels)
    row = stacked_vs_large_kernel(layers, channels)
    assert f"<b>{row.stacked_params:,}</b>" in html and f"<b>{row.large_params:,}</b>" in html
    side = row.receptive_field
    assert f"input pixels: {side}×{side}" in html and f"one {side}×{side}" in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        ET.fromstring(svg)
    # One square per depth (0 .. layers) in the receptive-field picture.
    assert svgs[0].count("<rect") == layers + 1


def test_stack_view_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="layers"):
        stack_view(0, 64)
    with pytest.raises(TypeError, match="channels"):
        stack_view(2, "64")  # type: ignore[arg-type]


def test_widget_is_registered_and_updates() -> None:
    assert WIDGETS["stack_explorer"] is stack_explorer
    explorer = stack_explorer()
    explorer.controls["layers"].value = 3
    explorer.controls["channels"].value = 512
    assert explorer.view.value == stack_view(3, 512)
    assert "7,079,424" in explorer.view.value and "12,845,568" in explorer.view.value
