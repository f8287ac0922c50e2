"""VGG networks (Simonyan & Zisserman 2014) built without torchvision, with parameter counts.

The layer layout and state-dict keys match torchvision's `vgg11/13/16/19`, so a state dict
saved from torchvision loads into these models unchanged.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from helpers.core.arithmetic import (
    check_bool,
    check_int,
    conv2d_param_count,
    linear_param_count,
    receptive_field,
)
from helpers.core.determinism import check_seed
from helpers.core.summary import MIB

ConfigEntry = int | str

POOL = "M"

# Table 1 of the paper: channel counts of the 3x3 convolutions, "M" for a 2x2 max-pool.
VGG_CONFIGS: dict[str, tuple[ConfigEntry, ...]] = {
    "vgg11": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg13": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg16": (
        *(64, 64, "M", 128, 128, "M"),
        *(256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"),
    ),
    "vgg19": (
        *(64, 64, "M", 128, 128, "M"),
        *(256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
    ),
}

# The paper names the configurations by letter.
PAPER_LETTERS: dict[str, str] = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}

# Published totals for 1000 classes (torchvision's model documentation).
REFERENCE_TOTAL_PARAMS: dict[str, int] = {
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
}

IN_CHANNELS = 3

POOLED_SIZE = (7, 7)

HIDDEN_FEATURES = 4096

DROPOUT = 0.5

LINEAR_INIT_STD = 0.01  # torchvision's N(0, 0.01) for the classifier's weights

# The most parameters vgg() allocates on a real device (4 GB of float32; VGG19 has 144
# million): larger configurations raise a ValueError before any memory is taken.
MAX_PARAMS = 1_000_000_000

# The most stacked layers stacked_vs_large_kernel compares (VGG19 stacks 16 convolutions).
MAX_STACKED_LAYERS = 1_000

# The largest side image_batch resizes to (VGG takes 224).
MAX_IMAGE_SIZE = 4096


class VGGParamCounts(NamedTuple):
    """Parameter counts of a VGG network, by part."""

    convolutions: int
    classifier: int
    total: int
    without_last_layer: int


def config_layers(config: str | Sequence[ConfigEntry]) -> tuple[ConfigEntry, ...]:
    """Return the checked layer list of `config`: a name ("vgg16", "D") or a list of ints/"M"."""
    if isinstance(config, str):
        name = PAPER_LETTERS.get(config, config)
        if name not in VGG_CONFIGS:
            known = sorted(VGG_CONFIGS) + sorted(PAPER_LETTERS)
            raise ValueError(f"config: unknown VGG configuration {config!r}; known: {known}")
        return VGG_CONFIGS[name]
    if isinstance(config, (bytes, bytearray)) or not isinstance(config, Sequence):
        raise TypeError(f"config must be a name or a list of ints and 'M', got {config!r}")
    layers: list[ConfigEntry] = []
    for index, entry in enumerate(config):
        if isinstance(entry, str) and entry == POOL:
            layers.append(POOL)
        else:
            layers.append(check_int(entry, f"config[{index}]"))
    if not any(entry != POOL for entry in layers):
        raise ValueError(f"config must contain at least one convolution, got {config!r}")
    return tuple(layers)


def _last_channels(layers: Sequence[ConfigEntry]) -> int:
    return [entry for entry in layers if entry != POOL][-1]  # type: ignore[return-value]


def make_features(layers: Sequence[ConfigEntry]) -> nn.Sequential:
    """Build the convolutional part: Conv2d 3x3 pad 1 + ReLU per number, MaxPool2d(2, 2) per "M"."""
    modules: list[nn.Module] = []
    channels = IN_CHANNELS
    for entry in layers:
        if entry == POOL:
            modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            modules.append(nn.Conv2d(channels, entry, kernel_size=3, padding=1))
            modules.append(nn.ReLU(inplace=True))
            channels = int(entry)
    return nn.Sequential(*modules)


class VGG(nn.Module):
    """VGG network: `features`, optional `avgpool` to 7x7, flatten, then `classifier`.

    With `avgpool=False` the attribute `avgpool` is None and the input must already give a
    7x7 map after `features` (224x224 for the paper's networks), as in torchvision before 0.3.
    Built directly it keeps PyTorch's default initialisation; `vgg()` applies torchvision's.
    """

    def __init__(self, features: nn.Sequential, num_classes: int = 1000, avgpool: bool = True):
        super().__init__()
        num_classes = check_int(num_classes, "num_classes")
        avgpool = check_bool(avgpool, "avgpool")
        convs = [m for m in features if isinstance(m, nn.Conv2d)]
        if not convs:
            raise ValueError("features must contain at least one nn.Conv2d")
        last_channels = convs[-1].out_channels
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d(POOLED_SIZE) if avgpool else None
        self.classifier = nn.Sequential(
            nn.Linear(last_channels * POOLED_SIZE[0] * POOLED_SIZE[1], HIDDEN_FEATURES),
            nn.ReLU(inplace=True),
            nn.Dropout(p=DROPOUT),
            nn.Linear(HIDDEN_FEATURES, HIDDEN_FEATURES),
            nn.ReLU(inplace=True),
            nn.Dropout(p=DROPOUT),
            nn.Linear(HIDDEN_FEATURES, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run features, the optional average pool, flatten and the classifier."""
        x = self.features(x)
        if self.avgpool is not None:
            x = self.avgpool(x)
        return self.classifier(torch.flatten(x, 1))


def init_weights(model: nn.Module, seed: int | None = 0) -> nn.Module:
    """Initialise like torchvision: Kaiming normal (fan_out, ReLU) convs, N(0, 0.01) linears.

    Biases become 0. The numbers come from a generator seeded with `seed`, so a seed always
    gives the same weights; `seed=None` draws from the global generator (see torch.manual_seed).
    """
    if seed is not None:
        seed = check_seed(seed)
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    generator = None
    if seed is not None and layers:
        generator = torch.Generator(layers[0].weight.device).manual_seed(seed)
    for layer in layers:
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(
                layer.weight, mode="fan_out", nonlinearity="relu", generator=generator
            )
        else:
            nn.init.normal_(layer.weight, 0.0, LINEAR_INIT_STD, generator=generator)
        if layer.bias is not None:
            nn.init.zeros_(layer.bias)
    return model


def vgg(
    config: str | Sequence[ConfigEntry],
    num_classes: int = 1000,
    avgpool: bool = True,
    *,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
) -> VGG:
    """Build a VGG network from a configuration name ("vgg16", "D") or a layer list.

    Layers are created on the meta device, given storage with `to_empty` and initialised
    once, which avoids paying for PyTorch's default initialisation before torchvision's.
    With `device="meta"` no memory is allocated: useful for shapes and counts only.
    `seed=None` draws from the global random generator.
    """
    layers = config_layers(config)
    num_classes = check_int(num_classes, "num_classes")
    avgpool = check_bool(avgpool, "avgpool")
    if seed is not None:
        check_seed(seed)
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device must be a torch device such as 'cpu' or 'meta', got {device!r}"
        ) from None
    total = vgg_param_counts(layers, num_classes).total
    if device.type != "meta" and total > MAX_PARAMS:
        raise ValueError(
            f"config and num_classes={num_classes} give {total:,} parameters; vgg allocates at "
            f"most {MAX_PARAMS:,} (4 GB). Use device='meta' for shapes and counts only."
        )
    with torch.device("meta"):
        model = VGG(make_features(layers), num_classes, avgpool)
    if device.type == "meta":
        return model
    # PyTorch's idiom. Its first call in a process imports torch's symbolic-shapes module
    # (sympy): VGG16 takes about 0.9 s longer than a hand-written allocation did, once.
    return init_weights(model.to_empty(device=device), seed)


def vgg16(
    num_classes: int = 1000,
    avgpool: bool = True,
    *,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
) -> VGG:
    """Build VGG16 (configuration D): 138,357,544 parameters for 1000 classes."""
    return vgg("vgg16", num_classes, avgpool, seed=seed, device=device)


def remove_last_layer(model: VGG) -> VGG:
    """A new VGG without the classifier's last layer, sharing every other layer with `model`.

    The notes cut the model itself,
    `model.classifier = nn.Sequential(*list(model.classifier.children())[:-1])`, so running
    that line again cuts a Dropout, then a ReLU, then the 4,096 -> 4,096 Linear layer. Here
    `model` stays whole and the new model reuses its layers (no weights are copied: a change
    to a shared layer shows in both), so `model = remove_last_layer(full)` gives the same
    network however often it runs. A model whose classifier no longer ends with a Linear layer
    has been cut already: ValueError, rather than a second cut.
    """
    if not isinstance(model, VGG):
        raise TypeError(
            f"model must be a helpers.core.vgg.VGG (with its `classifier`), "
            f"got {type(model).__name__}"
        )
    layers = list(model.classifier.children())
    if not layers or not isinstance(layers[-1], nn.Linear):
        last = type(layers[-1]).__name__ if layers else "nothing"
        raise ValueError(
            f"model's classifier ends with {last}, not a Linear layer: its last layer was "
            "removed already. Pass the whole model, e.g. remove_last_layer(vgg16())."
        )
    with torch.device("meta"):  # the placeholder classifier built here takes no memory
        cut = VGG(model.features, avgpool=model.avgpool is not None)
    cut.avgpool = model.avgpool
    cut.classifier = nn.Sequential(*layers[:-1])
    # The modes of the two new containers; not .train(), which would also set the shared layers'.
    cut.training, cut.classifier.training = model.training, model.classifier.training
    return cut


def load_weights_from_file(
    model: nn.Module, path: str | os.PathLike[str], strict: bool = True
) -> nn.Module:
    """Load a state dict saved with `torch.save` from a local file into `model` (no download)."""
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(
            f"path: no weights file at {str(file)!r}. This series never downloads weights: "
            "save a state dict with torch.save(model.state_dict(), path) on a machine that has "
            "it and copy the file here, or keep the randomly initialised model."
        )
    state = torch.load(file, weights_only=True, map_location="cpu")
    if not isinstance(state, Mapping):
        raise TypeError(f"path: {str(file)!r} holds a {type(state).__name__}, not a state dict")
    model.load_state_dict(state, strict=strict)
    return model


def count_params(module: nn.Module) -> int:
    """Total number of parameters of `module` (shared ones counted once)."""
    return sum(p.numel() for p in module.parameters())


def layer_param_counts(model: nn.Module) -> list[tuple[str, int]]:
    """(qualified name, count) for every module holding parameters of its own, in order."""
    counts = []
    for name, module in model.named_modules():
        own = sum(p.numel() for p in module.parameters(recurse=False))
        if own:
            counts.append((name, own))
    return counts


def block_param_counts(model: VGG) -> list[tuple[str, int]]:
    """Parameters per convolutional block (blocks end at each max-pool), then the classifier."""
    counts: list[tuple[str, int]] = []
    block = 0
    for module in model.features:
        block += count_params(module)
        if isinstance(module, nn.MaxPool2d):
            counts.append((f"block{len(counts) + 1}", block))
            block = 0
    if block:
        counts.append((f"block{len(counts) + 1}", block))
    counts.append(("classifier", count_params(model.classifier)))
    return counts


def vgg_param_counts(
    config: str | Sequence[ConfigEntry], num_classes: int = 1000
) -> VGGParamCounts:
    """Count a VGG network's parameters from its configuration alone, without building it."""
    layers = config_layers(config)
    num_classes = check_int(num_classes, "num_classes")
    convolutions = 0
    channels = IN_CHANNELS
    for entry in layers:
        if entry != POOL:
            convolutions += conv2d_param_count(channels, int(entry), 3)
            channels = int(entry)
    flat = _last_channels(layers) * POOLED_SIZE[0] * POOLED_SIZE[1]
    last = linear_param_count(HIDDEN_FEATURES, num_classes)
    classifier = (
        linear_param_count(flat, HIDDEN_FEATURES)
        + linear_param_count(HIDDEN_FEATURES, HIDDEN_FEATURES)
        + last
    )
    total = convolutions + classifier
    return VGGParamCounts(convolutions, classifier, total, total - last)


# Per-channel mean and standard deviation of ImageNet's RGB pixels (in [0, 1]), which the
# published VGG weights expect their input to be normalised with (torchvision's `transforms`).
IMAGENET_MEAN = (0.485, 0.456, 0.406)

IMAGENET_STD = (0.229, 0.224, 0.225)

INPUT_SIZE = 224


def image_batch(image: np.ndarray, size: int = INPUT_SIZE, normalize: bool = True) -> torch.Tensor:
    """An RGB image (H, W, 3) in [0, 1] as a (1, 3, size, size) batch: central square, resized.

    The resize is `torch.nn.functional.interpolate` (bilinear, antialiased); with `normalize`
    each channel becomes (value - IMAGENET_MEAN) / IMAGENET_STD.
    """
    size = check_int(size, "size", maximum=MAX_IMAGE_SIZE)
    array = np.asarray(image)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"image must be an array of numbers, got dtype {array.dtype}")
    if array.ndim != 3 or array.shape[2] != IN_CHANNELS or 0 in array.shape:
        raise ValueError(f"image must have shape (H, W, 3), got {array.shape}")
    low, high = float(array.min()), float(array.max())
    if not 0 <= low <= high <= 1:  # also False for nan
        raise ValueError(
            f"image must hold values in [0, 1], got values from {low} to {high} "
            "(a 0-255 photo: divide it by 255 first)"
        )
    height, width = array.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = torch.as_tensor(array[top : top + side, left : left + side], dtype=torch.float32)
    batch = square.permute(2, 0, 1).unsqueeze(0)
    batch = F.interpolate(
        batch, size=(size, size), mode="bilinear", align_corners=False, antialias=True
    )
    if normalize:
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        batch = (batch - mean) / std
    return batch


def forward_by_block(model: VGG, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """One forward pass of `model`, keeping the output of each block, the avgpool and the end.

    Keys: "block1" ... (a block ends at each max-pool), "avgpool" when the model has one, and
    "output" (what `model(x)` returns). Runs under `torch.no_grad()`; Dropout follows the
    model's train/eval mode as in `model(x)`.
    """
    if not isinstance(model, VGG):
        raise TypeError(f"model must be a helpers.core.vgg.VGG, got {type(model).__name__}")
    outputs: dict[str, torch.Tensor] = {}
    with torch.no_grad():
        for module in model.features:
            x = module(x)
            if isinstance(module, nn.MaxPool2d):
                outputs[f"block{len(outputs) + 1}"] = x
        if model.avgpool is not None:
            x = model.avgpool(x)
            outputs["avgpool"] = x
        outputs["output"] = model.classifier(torch.flatten(x, 1))
    return outputs


class ForwardCost(NamedTuple):
    """What one forward pass cost: wall time, and peak memory (None where it cannot be read)."""

    output: torch.Tensor
    seconds: float
    peak_mib: float | None  # CUDA: peak allocated by torch; CPU: the process's peak resident size
    blocks: dict[str, torch.Tensor] | None = None  # forward_by_block's outputs, when asked for


def _process_peak_mib() -> float | None:
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def measure_forward(model: nn.Module, x: torch.Tensor, by_block: bool = False) -> ForwardCost:
    """Time one forward pass under `torch.no_grad()` and read the peak memory afterwards.

    With `by_block` (a VGG model only) the pass is `forward_by_block(model, x)`, the same
    layers keeping each block's output, returned as `blocks`: one pass serves both.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if by_block and not isinstance(model, VGG):
        raise TypeError(f"by_block needs a helpers.core.vgg.VGG model, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a tensor (a batch of inputs), got {type(x).__name__}")
    cuda = x.device.type == "cuda"
    if cuda:
        torch.cuda.synchronize(x.device)
        torch.cuda.reset_peak_memory_stats(x.device)
    start = time.perf_counter()
    blocks = None
    with torch.no_grad():
        if by_block:
            blocks = forward_by_block(model, x)  # type: ignore[arg-type]
            output = blocks["output"]
        else:
            output = model(x)
    if cuda:
        torch.cuda.synchronize(x.device)
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated(x.device) / MIB if cuda else _process_peak_mib()
    return ForwardCost(output, seconds, peak, blocks)


class KernelComparison(NamedTuple):
    """`layers` stacked 3x3 convolutions against one convolution with the same receptive field."""

    layers: int
    channels: int
    receptive_field: int  # pixels along one side that one output unit sees
    stacked_params: int  # layers x Conv2d(channels, channels, 3)
    large_kernel: int  # side of the single kernel with that receptive field
    large_params: int  # Conv2d(channels, channels, large_kernel)

    @property
    def ratio(self) -> float:
        """How many times more parameters the single large kernel needs."""
        return self.large_params / self.stacked_params


def stacked_vs_large_kernel(layers: int, channels: int) -> KernelComparison:
    """Compare `layers` stacked 3x3 stride-1 convolutions with one kernel seeing as much.

    Every convolution maps `channels` to `channels` (with biases), as inside a VGG block.
    """
    layers = check_int(layers, "layers", maximum=MAX_STACKED_LAYERS)
    channels = check_int(channels, "channels")
    field = receptive_field([(3, 1)] * layers)
    return KernelComparison(
        layers,
        channels,
        field,
        layers * conv2d_param_count(channels, channels, 3),
        field,
        conv2d_param_count(channels, channels, field),
    )
