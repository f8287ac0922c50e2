"""Tests for helpers.core.summary: torchsummary's table and memory estimate, rebuilt without it."""

from __future__ import annotations

import pytest
import torch
import torchinfo
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from helpers.core.summary import (
    LayerRow,
    estimate_from_rows,
    format_summary,
    layer_summary,
    memory_estimate,
    shapes_by_formula,
    summary_text,
)
from helpers.core.vgg import remove_last_layer, vgg, vgg16

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


# --- the shape rules of the meta pass -------------------------------------------------------------


def real_rows(model: nn.Module, input_size: tuple[int, ...], batch: int = 2) -> list[LayerRow]:
    """torchsummary's rows from a real CPU forward pass, by hooks, without helpers.core.summary."""
    rows: list[LayerRow] = []

    def hook(module: nn.Module, inputs: object, output: torch.Tensor) -> None:
        weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
        params = sum(t.numel() for t in (weight, bias) if isinstance(t, torch.Tensor))
        trainable = weight.requires_grad if isinstance(weight, torch.Tensor) else None
        shape = [-1, *output.shape[1:]]
        rows.append(LayerRow(f"{type(module).__name__}-{len(rows) + 1}", shape, params, trainable))

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if m is not model and not isinstance(m, nn.Sequential)
    ]
    with torch.no_grad():
        model(torch.rand(batch, *input_size, generator=torch.Generator().manual_seed(0)))
    for handle in handles:
        handle.remove()
    return rows


def test_vgg16_summary_runs_no_layer_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every VGG layer answers from its output-size formula: the operations (which on meta
    # tensors import sympy and torch._dynamo on first use) are never called.
    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a layer ran its operation on meta tensors")

    for name in ("conv2d", "relu", "max_pool2d", "adaptive_avg_pool2d", "linear", "dropout"):
        monkeypatch.setattr(F, name, must_not_run)
    model = vgg16(device="meta")
    rows = layer_summary(model, (3, 224, 224))
    assert rows[0] == LayerRow("Conv2d-1", [-1, 64, 224, 224], 1_792, True)
    assert len(rows) == 39 and rows[-1].output_shape == [-1, 1000]
    assert "forward" not in vars(model.features[0])  # the rules are removed afterwards


class Doubled(nn.Conv2d):
    """A subclass with its own forward: the rules (exact types only) must not be used for it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([super().forward(x)] * 2, dim=1)


def test_subclasses_run_their_own_forward() -> None:
    model = nn.Sequential(Doubled(1, 2, 3), nn.ReLU())
    assert layer_summary(model, (1, 6, 6)) == real_rows(model, (1, 6, 6))
    assert layer_summary(model, (1, 6, 6))[0].output_shape == [-1, 4, 4, 4]


def test_errors_still_come_from_pytorch() -> None:
    # Sizes the formulas reject fall back to the real layer, which raises PyTorch's error.
    with pytest.raises(RuntimeError):
        layer_summary(nn.Sequential(nn.Conv2d(1, 2, 5)), (1, 3, 3))
    with pytest.raises(RuntimeError):
        layer_summary(nn.Sequential(nn.Conv2d(3, 2, 1)), (1, 3, 3))  # wrong channel count
    with pytest.raises(RuntimeError):
        layer_summary(nn.Sequential(nn.Flatten(), nn.Linear(5, 2)), (1, 2, 2))


conv_strategy = st.fixed_dictionaries(
    {
        "out": st.integers(1, 4),
        "kernel": st.tuples(st.integers(1, 4), st.integers(1, 4)),
        "stride": st.tuples(st.integers(1, 3), st.integers(1, 3)),
        "padding": st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.just("valid")),
        "dilation": st.tuples(st.integers(1, 2), st.integers(1, 2)),
    }
)
pool_strategy = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([nn.MaxPool2d, nn.AvgPool2d]),
        "kernel": st.integers(1, 3),
        "stride": st.one_of(st.none(), st.integers(1, 3)),
        "padding": st.integers(0, 1),
        "dilation": st.integers(1, 2),
        "ceil_mode": st.booleans(),
    }
)
adaptive_strategy = st.tuples(
    st.sampled_from([nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d]),
    st.one_of(
        st.integers(1, 4), st.tuples(st.one_of(st.none(), st.integers(1, 4)), st.integers(1, 4))
    ),
)
same_shape_strategy = st.sampled_from(
    [nn.ReLU(), nn.ReLU(inplace=True), nn.LeakyReLU(0.1), nn.GELU(), nn.Sigmoid(), nn.Tanh(),
     nn.Dropout(0.3), nn.ELU(), nn.SiLU(), nn.ReLU6()]
)  # fmt: skip


def build_layer(kind: str, spec: object, channels: int) -> tuple[nn.Module, int]:
    if kind == "conv":
        assert isinstance(spec, dict)
        layer = nn.Conv2d(channels, spec["out"], spec["kernel"], spec["stride"],
                          spec["padding"], spec["dilation"])  # fmt: skip
        return layer, spec["out"]
    if kind == "pool":
        assert isinstance(spec, dict)
        args = (spec["kernel"], spec["stride"], min(spec["padding"], spec["kernel"] // 2))
        if spec["kind"] is nn.MaxPool2d:
            layer = nn.MaxPool2d(*args, dilation=spec["dilation"], ceil_mode=spec["ceil_mode"])
        else:
            layer = nn.AvgPool2d(*args, ceil_mode=spec["ceil_mode"])
        return layer, channels
    if kind == "adaptive":
        assert isinstance(spec, tuple)
        return spec[0](spec[1]), channels
    assert isinstance(spec, nn.Module)
    return spec, channels


@settings(max_examples=150, deadline=None)
@given(
    layers=st.lists(
        st.one_of(
            st.tuples(st.just("conv"), conv_strategy),
            st.tuples(st.just("pool"), pool_strategy),
            st.tuples(st.just("adaptive"), adaptive_strategy),
            st.tuples(st.just("same"), same_shape_strategy),
        ),
        min_size=1,
        max_size=4,
    ),
    channels=st.integers(1, 3),
    height=st.integers(1, 12),
    width=st.integers(1, 12),
    head=st.integers(1, 3),
    training=st.booleans(),
)
def test_rules_give_the_rows_of_a_real_forward(
    layers: list, channels: int, height: int, width: int, head: int, training: bool
) -> None:
    modules, c = [], channels
    for kind, spec in layers:
        layer, c = build_layer(kind, spec, c)
        modules.append(layer)
    model = nn.Sequential(*modules).train(training)
    size = (channels, height, width)
    try:
        expected = real_rows(model, size)
    except RuntimeError:  # PyTorch rejects these sizes: so must the summary
        with pytest.raises(RuntimeError):
            layer_summary(model, size)
        return
    assert layer_summary(model, size) == expected
    # ... and a Linear head on the flattened output (its input size known only now).
    flat = abs(expected[-1].output_numel)
    model = nn.Sequential(*modules, nn.Flatten(), nn.Linear(flat, head), nn.Dropout())
    assert layer_summary(model, size) == real_rows(model, size)


TORCHINFO_COLUMNS = ("output_size", "num_params", "mult_adds")


def test_torchinfo_on_meta_by_formula_matches_a_real_run() -> None:
    # The notebook's torchinfo table, from a meta copy: same text and sizes as a real run.
    real = vgg([8, "M", 16, "M"], num_classes=5, seed=0).eval()
    meta = vgg([8, "M", 16, "M"], num_classes=5, device="meta").eval()
    expected = torchinfo.summary(real, (1, 3, 28, 28), verbose=0, col_names=TORCHINFO_COLUMNS)
    with shapes_by_formula(meta) as model:
        stats = torchinfo.summary(
            model, (1, 3, 28, 28), verbose=0, col_names=TORCHINFO_COLUMNS, device="meta"
        )
    assert str(stats) == str(expected)
    assert stats.total_input == expected.total_input
    assert stats.total_output_bytes == expected.total_output_bytes
    assert stats.total_param_bytes == expected.total_param_bytes
    assert not any("forward" in vars(m) for m in meta.modules())
    # Real inputs are untouched by the rules: the real model inside the block computes.
    x = torch.rand(1, 3, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad(), shapes_by_formula(real):
        inside = real(x)
    with torch.no_grad():
        torch.testing.assert_close(inside, real(x))


def test_torchinfo_on_meta_vgg16_with_and_without_formulas() -> None:
    model = remove_last_layer(vgg16(device="meta"))
    plain = torchinfo.summary(model, (1, 3, 224, 224), verbose=0, device="meta")
    with shapes_by_formula(model):
        by_formula = torchinfo.summary(model, (1, 3, 224, 224), verbose=0, device="meta")
    assert str(by_formula) == str(plain)
    assert "Total mult-adds (Units.GIGABYTES): 15.48" in str(plain)
