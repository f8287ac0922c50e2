"""Tests for helpers.summary: torchsummary's table and memory estimate, rebuilt without it."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from helpers.summary import (
    LayerRow,
    estimate_from_rows,
    format_summary,
    layer_summary,
    memory_estimate,
    summary_text,
)
from helpers.vgg import remove_last_layer, vgg, vgg16

MIB = 2**20

# The article's `summary(model, (3, 224, 224))` output for torchvision 0.2's VGG16 (no avg-pool
# layer) with the last Linear layer removed, as printed by torchsummary.
ARTICLE_TABLE = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1         [-1, 64, 224, 224]           1,792
              ReLU-2         [-1, 64, 224, 224]               0
            Conv2d-3         [-1, 64, 224, 224]          36,928
              ReLU-4         [-1, 64, 224, 224]               0
         MaxPool2d-5         [-1, 64, 112, 112]               0
            Conv2d-6        [-1, 128, 112, 112]          73,856
              ReLU-7        [-1, 128, 112, 112]               0
            Conv2d-8        [-1, 128, 112, 112]         147,584
              ReLU-9        [-1, 128, 112, 112]               0
        MaxPool2d-10          [-1, 128, 56, 56]               0
           Conv2d-11          [-1, 256, 56, 56]         295,168
             ReLU-12          [-1, 256, 56, 56]               0
           Conv2d-13          [-1, 256, 56, 56]         590,080
             ReLU-14          [-1, 256, 56, 56]               0
           Conv2d-15          [-1, 256, 56, 56]         590,080
             ReLU-16          [-1, 256, 56, 56]               0
        MaxPool2d-17          [-1, 256, 28, 28]               0
           Conv2d-18          [-1, 512, 28, 28]       1,180,160
             ReLU-19          [-1, 512, 28, 28]               0
           Conv2d-20          [-1, 512, 28, 28]       2,359,808
             ReLU-21          [-1, 512, 28, 28]               0
           Conv2d-22          [-1, 512, 28, 28]       2,359,808
             ReLU-23          [-1, 512, 28, 28]               0
        MaxPool2d-24          [-1, 512, 14, 14]               0
           Conv2d-25          [-1, 512, 14, 14]       2,359,808
             ReLU-26          [-1, 512, 14, 14]               0
           Conv2d-27          [-1, 512, 14, 14]       2,359,808
             ReLU-28          [-1, 512, 14, 14]               0
           Conv2d-29          [-1, 512, 14, 14]       2,359,808
             ReLU-30          [-1, 512, 14, 14]               0
        MaxPool2d-31            [-1, 512, 7, 7]               0
           Linear-32                 [-1, 4096]     102,764,544
             ReLU-33                 [-1, 4096]               0
          Dropout-34                 [-1, 4096]               0
           Linear-35                 [-1, 4096]      16,781,312
             ReLU-36                 [-1, 4096]               0
          Dropout-37                 [-1, 4096]               0
================================================================
Total params: 134,260,544
Trainable params: 134,260,544
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.57
Forward/backward pass size (MB): 218.58
Params size (MB): 512.16
Estimated Total Size (MB): 731.32
----------------------------------------------------------------
"""

# REFERENCE.md "VGG16": the same model with today's AdaptiveAvgPool2d((7, 7)) layer.
WITH_AVGPOOL_MIB = (0.57, 218.77, 512.16, 731.51)
ARTICLE_MIB = (0.57, 218.58, 512.16, 731.32)


def article_model(avgpool: bool) -> nn.Module:
    return remove_last_layer(vgg16(avgpool=avgpool, device="meta"))


class Tiny(nn.Module):
    """Conv -> ReLU -> Flatten -> Linear on a 1x4x4 input, small enough to count by hand."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.relu(self.conv(x)), 1))


class NeedsRealTensors(nn.Module):
    """Creates a CPU tensor in forward, so the meta pass fails and a real one runs."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.bn(x + torch.ones(x.shape[0], 4)))


class Block(nn.Module):
    """A custom container: torchsummary gives it a row of its own, after its children."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


# --- the article's VGG16 -------------------------------------------------------------------------


def test_vgg16_table_matches_the_article_exactly() -> None:
    assert summary_text(article_model(avgpool=False), (3, 224, 224)) == ARTICLE_TABLE


def test_vgg16_memory_without_and_with_avgpool() -> None:
    without = memory_estimate(article_model(avgpool=False), (3, 224, 224))
    assert without.rounded() == ARTICLE_MIB
    assert without.total_params == without.trainable_params == 134_260_544
    assert without.params_mib == 134_260_544 * 4 / MIB
    with_pool = memory_estimate(article_model(avgpool=True), (3, 224, 224))
    assert with_pool.rounded() == WITH_AVGPOOL_MIB
    # The avg-pool layer adds one 512x7x7 output: x2 (gradients) x 4 bytes.
    extra = with_pool.forward_backward_mib - without.forward_backward_mib
    assert extra == pytest.approx(2 * 512 * 7 * 7 * 4 / MIB)


def test_vgg16_rows_with_avgpool_and_last_layer() -> None:
    rows = layer_summary(vgg16(device="meta"), (3, 224, 224))
    assert len(rows) == 39
    assert rows[31] == LayerRow("AdaptiveAvgPool2d-32", [-1, 512, 7, 7], 0, None)
    assert rows[-1] == LayerRow("Linear-39", [-1, 1000], 4_097_000, True)
    assert sum(row.params for row in rows) == 138_357_544


def test_real_weights_give_the_same_rows_as_meta_ones() -> None:
    # A real model (allocated weights) goes through the same meta pass: same rows, no copy.
    model = vgg([8, "M", 16, "M"], num_classes=5, seed=0)
    meta_model = vgg([8, "M", 16, "M"], num_classes=5, device="meta")
    assert layer_summary(model, (3, 28, 28)) == layer_summary(meta_model, (3, 28, 28))
    assert model.features[0].weight.device.type == "cpu"


def test_batch_size_scales_input_and_activations_only() -> None:
    model = article_model(avgpool=False)
    one = memory_estimate(model, (3, 224, 224))
    eight = memory_estimate(model, (3, 224, 224), batch_size=8)
    assert eight.input_mib == pytest.approx(8 * one.input_mib)
    assert eight.forward_backward_mib == pytest.approx(8 * one.forward_backward_mib)
    assert eight.params_mib == one.params_mib
    assert layer_summary(model, (3, 224, 224), batch_size=8)[0].output_shape == [8, 64, 224, 224]


# --- the formulas on a model small enough to count by hand ----------------------------------------


@pytest.mark.parametrize("batch_size", [-1, 1, 5])
def test_tiny_model_by_hand(batch_size: int) -> None:
    rows = layer_summary(Tiny(), (1, 4, 4), batch_size=batch_size)
    assert [(r.name, r.output_shape, r.params) for r in rows] == [
        ("Conv2d-1", [batch_size, 2, 4, 4], 2 * 1 * 3 * 3 + 2),
        ("ReLU-2", [batch_size, 2, 4, 4], 0),
        ("Linear-3", [batch_size, 3], 32 * 3 + 3),
    ]
    samples = abs(batch_size)
    estimate = memory_estimate(Tiny(), (1, 4, 4), batch_size=batch_size)
    assert estimate.input_mib == pytest.approx(16 * samples * 4 / MIB)
    assert estimate.forward_backward_mib == pytest.approx(2 * (32 + 32 + 3) * samples * 4 / MIB)
    assert estimate.params_mib == pytest.approx((20 + 99) * 4 / MIB)
    assert estimate.total_mib == pytest.approx(
        estimate.input_mib + estimate.forward_backward_mib + estimate.params_mib
    )
    assert estimate.total_params == 119


def test_format_layout() -> None:
    model = Tiny()
    rows = layer_summary(model, (1, 4, 4))
    text = format_summary(rows, estimate_from_rows(rows, (1, 4, 4)))
    lines = text.splitlines()
    assert lines[0] == "-" * 64 and lines[2] == "=" * 64
    assert lines[1] == "        Layer (type)               Output Shape         Param #"
    # torchsummary's "{:>20}  {:>25} {:>15}": 20 + 2 + 25 + 1 + 15 = 63 characters.
    assert lines[3] == " " * 12 + "Conv2d-1" + " " * 14 + "[-1, 2, 4, 4]" + " " * 14 + "20"
    assert lines[5] == " " * 12 + "Linear-3" + " " * 20 + "[-1, 3]" + " " * 14 + "99"
    assert {len(line) for line in lines[3:6]} == {63}
    assert lines[7:10] == ["Total params: 119", "Trainable params: 119", "Non-trainable params: 0"]
    assert lines[11] == "Input size (MB): 0.00"
    assert text == summary_text(model, (1, 4, 4))


# --- torchsummary's rules ----------------------------------------------------------------------


def test_frozen_layers_are_non_trainable() -> None:
    model = Tiny()
    model.conv.requires_grad_(False)
    estimate = memory_estimate(model, (1, 4, 4))
    assert (estimate.total_params, estimate.trainable_params) == (119, 99)
    assert "Non-trainable params: 20" in summary_text(model, (1, 4, 4))


def test_containers_shared_modules_and_the_root() -> None:
    shared = nn.Conv2d(2, 2, 1)
    model = nn.Sequential(nn.Sequential(shared, nn.ReLU()), shared, Block())
    names = [row.name for row in layer_summary(model, (2, 3, 3))]
    # No row for the model or for Sequential; a reused layer gets a row per call; a custom
    # container's row comes after its children's.
    assert names == ["Conv2d-1", "ReLU-2", "Conv2d-3", "Conv2d-4", "Block-5"]
    rows = layer_summary(model, (2, 3, 3))
    assert [row.params for row in rows] == [6, 0, 6, 6, 0]


def test_only_weight_and_bias_count() -> None:
    # torchsummary reads `weight` and `bias` only: an LSTM's weight_ih_l0 etc. are not counted.
    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(10, 8)
            self.lstm = nn.LSTM(8, 16, batch_first=True)
            self.fc = nn.Linear(16, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out, _ = self.lstm(self.embed(x))
            return self.fc(out[:, -1])

    rows = layer_summary(Tagger(), (5,), input_dtype=torch.long)
    assert [(r.name, r.params) for r in rows] == [
        ("Embedding-1", 80),
        ("LSTM-2", 0),
        ("Linear-3", 34),
    ]
    # Tuple outputs: one shape per tensor, first dimension shown as the batch size.
    assert rows[1].output_shape == [[-1, 5, 16], [-1, 2, 16], [-1, 2, 16]]
    assert rows[1].output_numel == -(5 * 16 + 2 * 16 + 2 * 16)


@pytest.mark.parametrize("train", [True, False])
def test_buffers_untouched_and_real_fallback(train: bool) -> None:
    model = NeedsRealTensors().train(train)
    rows = layer_summary(model, (4,))
    assert [(r.name, r.output_shape, r.params) for r in rows] == [
        ("BatchNorm1d-1", [-1, 4], 8),
        ("Linear-2", [-1, 3], 15),
    ]
    assert not model.bn.running_mean.any() and model.bn.num_batches_tracked.item() == 0
    assert model.fc.weight.device.type == "cpu"
    bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).train()
    layer_summary(bn, (3,))  # meta path; batch 2 so BatchNorm1d accepts it in training mode
    assert bn[1].num_batches_tracked.item() == 0


layer_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("conv"), st.integers(1, 4), st.integers(1, 3), st.integers(0, 1)),
        st.tuples(st.just("pool"), st.integers(1, 2), st.integers(1, 2), st.integers(0, 0)),
        st.tuples(st.just("relu"), st.integers(0, 0), st.integers(0, 0), st.integers(0, 0)),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(layers=layer_strategy, channels=st.integers(1, 3), size=st.integers(6, 12))
def test_estimate_matches_a_real_forward(layers: list, channels: int, size: int) -> None:
    modules: list[nn.Module] = []
    c, side = channels, size
    for kind, a, b, pad in layers:
        if kind == "conv" and side + 2 * pad >= b:
            modules.append(nn.Conv2d(c, a, b, padding=pad))
            c, side = a, side + 2 * pad - b + 1
        elif kind == "pool" and side >= a:
            modules.append(nn.MaxPool2d(a, b))
            side = (side - a) // b + 1
        else:  # a ReLU, or a layer that would not fit the current map
            modules.append(nn.ReLU())
    modules += [nn.Flatten(), nn.LazyLinear(2)]
    model = nn.Sequential(*modules)
    x = torch.zeros(1, channels, size, size)
    numels, params = [], 0
    with torch.no_grad():
        for module in model:
            x = module(x)
            numels.append(x.numel())
            params += sum(p.numel() for p in module.parameters())
    estimate = memory_estimate(model, (channels, size, size))
    assert estimate.forward_backward_mib == pytest.approx(2 * sum(numels) * 4 / MIB)
    assert estimate.params_mib == pytest.approx(params * 4 / MIB)
    assert estimate.input_mib == pytest.approx(channels * size * size * 4 / MIB)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_size", "batch_size", "error", "match"),
    [
        ("3x224x224", -1, TypeError, "input_size"),
        (224, -1, TypeError, "input_size"),
        ((), -1, ValueError, "input_size"),
        ((3, 0, 4), -1, ValueError, r"input_size\[1\]"),
        ((3, 4.0, 4), -1, TypeError, r"input_size\[1\]"),
        ((1, 4, 4), 0, ValueError, "batch_size"),
        ((1, 4, 4), -2, ValueError, "batch_size"),
        ((1, 4, 4), True, TypeError, "batch_size"),
    ],
)
def test_bad_input_names_the_argument(input_size, batch_size, error, match) -> None:
    with pytest.raises(error, match=match):
        memory_estimate(Tiny(), input_size, batch_size=batch_size)


def test_model_must_be_a_module() -> None:
    with pytest.raises(TypeError, match="model"):
        layer_summary(lambda x: x, (1, 4, 4))
