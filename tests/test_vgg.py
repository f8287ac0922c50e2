"""helpers.core.vgg: configurations, layout, state-dict keys, parameter counts, loading."""

from __future__ import annotations

import gc

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from helpers.core.arithmetic import conv2d_param_count, linear_param_count
from helpers.core.vgg import (
    PAPER_LETTERS,
    REFERENCE_TOTAL_PARAMS,
    VGG,
    VGG_CONFIGS,
    block_param_counts,
    config_layers,
    count_params,
    init_weights,
    layer_param_counts,
    load_weights_from_file,
    remove_last_layer,
    vgg,
    vgg16,
    vgg_param_counts,
)

# The article's `print(model)` of torchvision's VGG16 (torchvision 0.2, no avg-pool layer).
ARTICLE_PRINT = """\
VGG(
  (features): Sequential(
    (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (1): ReLU(inplace)
    (2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (3): ReLU(inplace)
    (4): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (5): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (6): ReLU(inplace)
    (7): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (8): ReLU(inplace)
    (9): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (10): Conv2d(128, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (11): ReLU(inplace)
    (12): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (13): ReLU(inplace)
    (14): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (15): ReLU(inplace)
    (16): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (17): Conv2d(256, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (18): ReLU(inplace)
    (19): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (20): ReLU(inplace)
    (21): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (22): ReLU(inplace)
    (23): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (24): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (25): ReLU(inplace)
    (26): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (27): ReLU(inplace)
    (28): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (29): ReLU(inplace)
    (30): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (classifier): Sequential(
    (0): Linear(in_features=25088, out_features=4096, bias=True)
    (1): ReLU(inplace)
    (2): Dropout(p=0.5)
    (3): Linear(in_features=4096, out_features=4096, bias=True)
    (4): ReLU(inplace)
    (5): Dropout(p=0.5)
    (6): Linear(in_features=4096, out_features=1000, bias=True)
  )
)"""

# Reference numbers (REFERENCE.md "VGG16"; the article's torchsummary "Param #" column).
VGG16_CONVOLUTIONS = 14_714_688
VGG16_CLASSIFIER = 123_642_856
VGG16_TOTAL = 138_357_544
VGG16_WITHOUT_LAST = 134_260_544
VGG16_LAYER_COUNTS = [
    ("features.0", 1_792),
    ("features.2", 36_928),
    ("features.5", 73_856),
    ("features.7", 147_584),
    ("features.10", 295_168),
    ("features.12", 590_080),
    ("features.14", 590_080),
    ("features.17", 1_180_160),
    ("features.19", 2_359_808),
    ("features.21", 2_359_808),
    ("features.24", 2_359_808),
    ("features.26", 2_359_808),
    ("features.28", 2_359_808),
    ("classifier.0", 102_764_544),
    ("classifier.3", 16_781_312),
    ("classifier.6", 4_097_000),
]
# torchvision's VGG16 state-dict: conv indices in `features` and their (in, out) channels.
TORCHVISION_CONV_INDICES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
VGG16_CONV_CHANNELS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]

SMALL = (8, "M", 16, "M")  # a tiny custom configuration for fast real-weight tests


@pytest.fixture(scope="module")
def real_vgg16():
    """One real (allocated, initialised) VGG16 shared by the module's tests, freed after."""
    model = vgg16(seed=0)
    yield model
    del model
    gc.collect()


def expected_vgg16_state_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    in_channels = 3
    for index, out_channels in zip(TORCHVISION_CONV_INDICES, VGG16_CONV_CHANNELS, strict=True):
        shapes[f"features.{index}.weight"] = (out_channels, in_channels, 3, 3)
        shapes[f"features.{index}.bias"] = (out_channels,)
        in_channels = out_channels
    for index, (n_in, n_out) in zip(
        (0, 3, 6), ((25088, 4096), (4096, 4096), (4096, 1000)), strict=True
    ):
        shapes[f"classifier.{index}.weight"] = (n_out, n_in)
        shapes[f"classifier.{index}.bias"] = (n_out,)
    return shapes


# --- configurations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "convs", "letter"),
    [("vgg11", 8, "A"), ("vgg13", 10, "B"), ("vgg16", 13, "D"), ("vgg19", 16, "E")],
)
def test_configs_have_the_papers_depth(name: str, convs: int, letter: str) -> None:
    layers = VGG_CONFIGS[name]
    assert sum(entry != "M" for entry in layers) == convs  # + 3 linear layers = the name's depth
    assert layers.count("M") == 5 and layers[-1] == "M"
    assert PAPER_LETTERS[letter] == name
    assert config_layers(letter) == config_layers(name) == layers


def test_vgg16_config_is_the_reference_list() -> None:
    assert VGG_CONFIGS["vgg16"] == (
        64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
        512, 512, 512, "M", 512, 512, 512, "M",
    )  # fmt: skip


# --- layout ------------------------------------------------------------------------------------


def test_print_matches_the_article_without_avgpool() -> None:
    # Newer PyTorch prints ReLU(inplace=True) and Dropout(p=0.5, inplace=False).
    modern = ARTICLE_PRINT.replace("ReLU(inplace)", "ReLU(inplace=True)").replace(
        "Dropout(p=0.5)", "Dropout(p=0.5, inplace=False)"
    )
    assert str(vgg16(avgpool=False, device="meta")) == modern


def test_layer_types_and_settings() -> None:
    model = vgg16(device="meta")
    assert isinstance(model, VGG)
    for module in model.features:
        if isinstance(module, nn.Conv2d):
            assert (module.kernel_size, module.stride, module.padding) == ((3, 3), (1, 1), (1, 1))
        elif isinstance(module, nn.ReLU):
            assert module.inplace
        else:
            assert isinstance(module, nn.MaxPool2d)
            assert (module.kernel_size, module.stride) == (2, 2)
    assert isinstance(model.avgpool, nn.AdaptiveAvgPool2d)
    assert model.avgpool.output_size == (7, 7)
    kinds = [type(m) for m in model.classifier]
    assert kinds == [nn.Linear, nn.ReLU, nn.Dropout] * 2 + [nn.Linear]
    assert [m.p for m in model.classifier if isinstance(m, nn.Dropout)] == [0.5, 0.5]
    assert vgg16(avgpool=False, device="meta").avgpool is None


def test_state_dict_keys_and_shapes_match_torchvision() -> None:
    expected = expected_vgg16_state_shapes()
    state = vgg16(device="meta").state_dict()
    assert list(state) == list(expected)
    assert {key: tuple(t.shape) for key, t in state.items()} == expected
    # The avg-pool layer has no parameters: same keys without it.
    assert list(vgg16(avgpool=False, device="meta").state_dict()) == list(expected)


def test_num_classes_changes_only_the_last_layer() -> None:
    state = vgg16(num_classes=10, device="meta").state_dict()
    assert tuple(state["classifier.6.weight"].shape) == (10, 4096)
    assert tuple(state["classifier.6.bias"].shape) == (10,)


# --- forward -----------------------------------------------------------------------------------


def test_avgpool_lets_other_sizes_through_and_its_absence_does_not() -> None:
    x = torch.zeros(2, 3, 64, 64, device="meta")
    assert vgg16(device="meta")(x).shape == (2, 1000)
    with pytest.raises(RuntimeError):
        vgg16(avgpool=False, device="meta")(x)
    assert vgg16(avgpool=False, device="meta")(
        torch.zeros(2, 3, 224, 224, device="meta")
    ).shape == (
        2,
        1000,
    )


def test_small_config_without_avgpool_matches_functional_ops() -> None:
    model = vgg([4, "M"], num_classes=3, avgpool=False, seed=2).eval()
    x = torch.rand(2, 3, 14, 14, generator=torch.Generator().manual_seed(3))
    conv, linears = model.features[0], [m for m in model.classifier if isinstance(m, nn.Linear)]
    h = F.max_pool2d(F.relu(F.conv2d(x, conv.weight, conv.bias, padding=1)), 2).flatten(1)
    h = F.relu(F.linear(h, linears[0].weight, linears[0].bias))
    h = F.relu(F.linear(h, linears[1].weight, linears[1].bias))
    expected = F.linear(h, linears[2].weight, linears[2].bias)
    with torch.no_grad():
        torch.testing.assert_close(model(x), expected)
    assert linears[0].in_features == 4 * 7 * 7


# --- initialisation ----------------------------------------------------------------------------


def test_seed_is_deterministic_and_leaves_global_rng_alone() -> None:
    state = torch.random.get_rng_state()
    a, b, c = vgg(SMALL, 5, seed=7), vgg(SMALL, 5, seed=7), vgg(SMALL, 5, seed=8)
    assert torch.equal(torch.random.get_rng_state(), state)
    for (key, ta), tb, tc in zip(
        a.state_dict().items(), b.state_dict().values(), c.state_dict().values(), strict=True
    ):
        assert torch.equal(ta, tb), key
        if key.endswith("weight"):
            assert not torch.equal(ta, tc), key


def test_seed_none_uses_the_global_generator() -> None:
    torch.manual_seed(11)
    a = vgg(SMALL, 5, seed=None)
    torch.manual_seed(11)
    b = vgg(SMALL, 5, seed=None)
    assert torch.equal(a.features[0].weight, b.features[0].weight)


def test_same_weights_whatever_the_number_of_threads() -> None:
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = vgg(SMALL, 5, seed=3)
        torch.set_num_threads(2)
        two = vgg(SMALL, 5, seed=3)
    finally:
        torch.set_num_threads(threads)
    for (key, a), b in zip(one.state_dict().items(), two.state_dict().values(), strict=True):
        assert torch.equal(a, b), key


def test_linear_init_is_normal_0_01_from_the_seed() -> None:
    with torch.device("meta"):
        layer = nn.Linear(512, 2048)
    init_weights(layer.to_empty(device="cpu"), seed=4)
    expected = torch.empty(2048, 512)
    nn.init.normal_(expected, 0.0, 0.01, generator=torch.Generator().manual_seed(4))
    assert torch.equal(layer.weight.detach(), expected)
    assert layer.weight.std().item() == pytest.approx(0.01, rel=0.01)
    assert not layer.bias.any()


def test_conv_init_is_torchs_kaiming_normal_fan_out() -> None:
    ours = init_weights(nn.Conv2d(64, 128, 3), seed=0).weight.detach()
    torchs = torch.empty_like(ours)
    nn.init.kaiming_normal_(
        torchs, mode="fan_out", nonlinearity="relu", generator=torch.Generator().manual_seed(0)
    )
    assert torch.equal(ours, torchs)
    assert ours.std().item() == pytest.approx((2 / (128 * 9)) ** 0.5, rel=0.02)


def test_built_model_has_real_trainable_storage() -> None:
    model = vgg(SMALL, 5, seed=0)
    for name, param in model.named_parameters():
        assert param.device.type == "cpu" and param.requires_grad, name
        assert isinstance(param, nn.Parameter), name
    assert torch.isfinite(model.features[0].weight).all()


# --- parameter counts --------------------------------------------------------------------------


def test_layer_counts_match_the_articles_column() -> None:
    model = vgg16(device="meta")
    assert layer_param_counts(model) == VGG16_LAYER_COUNTS
    # ... and the formula: k*k*C_in*C_out + C_out, in*out + out.
    in_channels = 3
    for (name, count), out_channels in zip(
        VGG16_LAYER_COUNTS[:13], VGG16_CONV_CHANNELS, strict=True
    ):
        assert count == conv2d_param_count(in_channels, out_channels, 3), name
        in_channels = out_channels
    assert VGG16_LAYER_COUNTS[-3][1] == linear_param_count(512 * 7 * 7, 4096)


def test_block_counts() -> None:
    blocks = block_param_counts(vgg16(device="meta"))
    assert [name for name, _ in blocks] == [f"block{i}" for i in range(1, 6)] + ["classifier"]
    assert blocks[0][1] == 1_792 + 36_928
    assert blocks[4][1] == 3 * 2_359_808
    assert sum(count for _, count in blocks[:5]) == VGG16_CONVOLUTIONS
    assert blocks[5][1] == VGG16_CLASSIFIER


@pytest.mark.parametrize("name", sorted(REFERENCE_TOTAL_PARAMS))
def test_published_totals(name: str) -> None:
    assert (
        REFERENCE_TOTAL_PARAMS[name]
        == {
            "vgg11": 132_863_336,
            "vgg13": 133_047_848,
            "vgg16": VGG16_TOTAL,
            "vgg19": 143_667_240,
        }[name]
    )
    assert count_params(vgg(name, device="meta")) == REFERENCE_TOTAL_PARAMS[name]
    assert vgg_param_counts(name).total == REFERENCE_TOTAL_PARAMS[name]
    assert vgg_param_counts(name).classifier == VGG16_CLASSIFIER  # same head for all four


def test_counts_from_config_match_a_built_custom_model() -> None:
    config = [16, 16, "M", 32, "M", 48, "M"]
    counts = vgg_param_counts(config, num_classes=7)
    model = vgg(config, num_classes=7, device="meta")
    assert counts.total == count_params(model)
    assert counts.convolutions == count_params(model.features)
    assert counts.without_last_layer == count_params(remove_last_layer(model))


# --- removing the last layer ---------------------------------------------------------------------


def test_remove_last_layer_like_the_article() -> None:
    """The cut VGG16 has the notes' classifier, count, output and state-dict keys."""
    model = remove_last_layer(vgg16(device="meta"))
    assert [type(m) for m in model.classifier] == [nn.Linear, nn.ReLU, nn.Dropout] * 2
    assert count_params(model) == VGG16_WITHOUT_LAST
    assert model(torch.zeros(2, 3, 224, 224, device="meta")).shape == (2, 4096)
    keys = list(model.state_dict())
    assert keys[-4:] == ["classifier.0.weight", "classifier.0.bias"] + [
        "classifier.3.weight",
        "classifier.3.bias",
    ]


@pytest.mark.parametrize("avgpool", [True, False])
def test_remove_last_layer_leaves_the_model_whole_and_shares_its_layers(avgpool: bool) -> None:
    """The whole model stays whole; cutting it twice gives the same network, on its layers."""
    full = vgg(SMALL, 4, avgpool, seed=1)
    full.eval()
    model = remove_last_layer(full)
    again = remove_last_layer(full)  # a notebook cell run a second time
    assert model is not full and count_params(full) == vgg_param_counts(SMALL, 4).total
    assert [type(m) for m in full.classifier] == [nn.Linear, nn.ReLU, nn.Dropout] * 2 + [nn.Linear]
    assert str(again) == str(model) and count_params(again) == count_params(model)
    assert count_params(model) == vgg_param_counts(SMALL, 4).without_last_layer
    assert model.features is full.features and model.avgpool is full.avgpool
    assert all(a is b for a, b in zip(model.classifier, full.classifier[:-1], strict=True))
    assert not model.training and not model.classifier.training  # the whole model's mode
    x = torch.rand(2, 3, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(full.classifier[-1](model(x)), full(x))


def test_remove_last_layer_keeps_the_modes_of_the_shared_layers() -> None:
    """The new containers take the model's mode; the shared layers keep their own."""
    full = vgg(SMALL, 4, device="meta")
    full.features.eval()  # a mode set on one part only
    model = remove_last_layer(full)
    assert model.training and model.classifier.training
    assert not full.features.training and full.classifier.training


def test_remove_last_layer_refuses_a_model_already_cut() -> None:
    """A second cut of a cut model is an error that says so, not a silent second removal."""
    model = remove_last_layer(vgg16(device="meta"))
    with pytest.raises(ValueError, match="ends with Dropout, not a Linear layer: its last layer"):
        remove_last_layer(model)
    assert count_params(model) == VGG16_WITHOUT_LAST  # untouched
    model.classifier = nn.Sequential()
    with pytest.raises(ValueError, match="ends with nothing"):
        remove_last_layer(model)


def test_remove_last_layer_rejects_models_without_a_classifier() -> None:
    """Only a VGG can be cut."""
    with pytest.raises(TypeError, match="classifier"):
        remove_last_layer(nn.Linear(2, 2))


# --- loading weights ---------------------------------------------------------------------------


def test_load_weights_round_trip(tmp_path) -> None:
    source, target = vgg(SMALL, 4, seed=1), vgg(SMALL, 4, seed=2)
    path = tmp_path / "small.pt"
    torch.save(source.state_dict(), path)
    assert load_weights_from_file(target, path) is target
    for key, tensor in source.state_dict().items():
        assert torch.equal(tensor, target.state_dict()[key]), key


def test_load_weights_missing_file_says_so(tmp_path) -> None:
    missing = tmp_path / "vgg16-397923af.pth"
    with pytest.raises(FileNotFoundError, match="path: no weights file") as info:
        load_weights_from_file(vgg(SMALL, 4, device="meta"), missing)
    assert str(missing) in str(info.value)


def test_load_weights_rejects_a_non_state_dict_and_wrong_keys(tmp_path) -> None:
    path = tmp_path / "list.pt"
    torch.save([1, 2, 3], path)
    with pytest.raises(TypeError, match="not a state dict"):
        load_weights_from_file(vgg(SMALL, 4), path)
    torch.save(vgg(SMALL, 5).state_dict(), path)  # other number of classes
    with pytest.raises(RuntimeError, match="size mismatch"):
        load_weights_from_file(vgg(SMALL, 4), path)


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"config": "vgg17"}, ValueError, "config"),
        ({"config": "C"}, ValueError, "config"),
        ({"config": ["M"]}, ValueError, "config"),
        ({"config": [64, 0, "M"]}, ValueError, r"config\[1\]"),
        ({"config": [64, "X"]}, TypeError, r"config\[1\]"),
        ({"config": 16}, TypeError, "config"),
        ({"config": "vgg16", "num_classes": 0}, ValueError, "num_classes"),
        ({"config": "vgg16", "num_classes": 2.5}, TypeError, "num_classes"),
        ({"config": "vgg16", "seed": -1}, ValueError, "seed"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        vgg(**kwargs, device="meta")


def test_vgg16_bad_num_classes() -> None:
    with pytest.raises(ValueError, match="num_classes"):
        vgg16(num_classes=0, device="meta")
    with pytest.raises(ValueError, match="config"):
        vgg_param_counts("vgg99")


# --- one real, initialised VGG16 (553 MB), created last so nothing else is alive beside it ---


def test_forward_is_features_avgpool_flatten_classifier(real_vgg16: VGG) -> None:
    x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    real_vgg16.eval()
    with torch.no_grad():
        out = real_vgg16(x)
        expected = x
        for layer in real_vgg16.features:
            expected = layer(expected)
        expected = F.adaptive_avg_pool2d(expected, (7, 7)).reshape(1, -1)
        for layer in real_vgg16.classifier:
            expected = layer(expected)
    assert out.shape == (1, 1000)
    torch.testing.assert_close(out, expected)


def test_init_follows_torchvision(real_vgg16: VGG) -> None:
    conv = real_vgg16.features[28]  # 512 * 512 * 9 weights, fan_out = 512 * 9
    assert conv.weight.std().item() == pytest.approx((2 / (512 * 9)) ** 0.5, rel=0.01)
    assert conv.weight.mean().item() == pytest.approx(0.0, abs=1e-4)
    convs = [m for m in real_vgg16.features if isinstance(m, nn.Conv2d)]
    for conv, out_channels in zip(convs, VGG16_CONV_CHANNELS, strict=True):
        expected = (2 / (out_channels * 9)) ** 0.5  # Kaiming normal, fan_out, ReLU gain
        assert conv.weight.std().item() == pytest.approx(expected, rel=0.06)
    assert real_vgg16.classifier[3].weight.std().item() == pytest.approx(0.01, rel=0.01)
    for name, tensor in real_vgg16.named_parameters():
        if name.endswith("bias"):
            assert not tensor.any(), name


def test_vgg16_counts_match_the_reference(real_vgg16: VGG) -> None:
    assert count_params(real_vgg16) == VGG16_TOTAL
    assert count_params(real_vgg16.features) == VGG16_CONVOLUTIONS
    assert count_params(real_vgg16.classifier) == VGG16_CLASSIFIER
    assert vgg_param_counts("vgg16") == (
        VGG16_CONVOLUTIONS,
        VGG16_CLASSIFIER,
        VGG16_TOTAL,
        VGG16_WITHOUT_LAST,
    )
