"""Notebook 09's data and reference model: the 8x8 handwritten digits (UCI optdigits), a seeded
split, shifts, the small CNN and the fully connected net it is compared with, and their training.

The notebook writes its model and training loop out; this module holds the same ones, so the
tests can check the accuracy the notebook reports without running the notebook.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.core.arithmetic import check_int
from helpers.core.determinism import check_seed, seeded_single_thread, single_thread

DATA_FILE = "digits.csv.gz"  # the copy scikit-learn ships; see data/README.md
SIDE = 8  # each digit is 8 x 8 pixels
MAX_INK = 16  # pixel values are counts of inked pixels in 4 x 4 blocks: 0..16
N_CLASSES = 10
N_DIGITS = 1797

TEST_SIZE = 360  # held-out digits (20 %), never used for training
SPLIT_SEED = 0
TRAIN_SEED = 0
EPOCHS = 15
BATCH_SIZE = 64
LEARNING_RATE = 0.01
CHANNELS = (16, 32)  # the CNN's two convolutions
KERNEL_SIZE = 3
DENSE_HIDDEN = 68  # a fully connected net with about as many parameters as the CNN
SHIFTS = (0, 1, 2)  # pixels to the right (and left) for the invariance test


def _candidates() -> list[Path]:
    """Where the data file may be: the working directory, its parent (from notebooks/), and
    the repository this module sits in (an editable install)."""
    cwd = Path.cwd()
    return [
        cwd / "data" / DATA_FILE,
        cwd.parent / "data" / DATA_FILE,
        Path(__file__).resolve().parents[2] / "data" / DATA_FILE,
    ]


def find_digits_file() -> Path:
    """The path of data/digits.csv.gz; FileNotFoundError naming the places searched."""
    places = list(dict.fromkeys(_candidates()))
    for path in places:
        if path.is_file():
            return path
    searched = ", ".join(str(p) for p in places)
    raise FileNotFoundError(
        f"the digits data file data/{DATA_FILE} was not found (searched: {searched}); "
        "run the notebook from the repository or its notebooks/ folder"
    )


def load_digits(path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as (images uint8 (N, 8, 8) with values 0-16, labels int64 (N,))."""
    path = find_digits_file() if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"the digits data file {path} does not exist")
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != SIDE * SIDE + 1:
        raise ValueError(f"{path} must hold 65 values a line (64 pixels, then the label)")
    images = table[:, :-1].reshape(-1, SIDE, SIDE).astype(np.uint8)
    return images, table[:, -1]


@dataclass(frozen=True)
class DigitSplit:
    """Training and held-out digits (images 0-16 and labels)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def split_digits(
    images: np.ndarray, labels: np.ndarray, test_size: int = TEST_SIZE, seed: int = SPLIT_SEED
) -> DigitSplit:
    """A seeded random split: `test_size` held-out digits, the rest for training."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    test_size = check_int(test_size, "test_size", maximum=len(images) - 1)
    order = np.random.default_rng(check_seed(seed)).permutation(len(images))
    test, train = order[:test_size], order[test_size:]
    return DigitSplit(images[train], labels[train], images[test], labels[test])


def digit_split() -> DigitSplit:
    """The split the notebook and the tests use: the data file, TEST_SIZE held out, SPLIT_SEED."""
    return split_digits(*load_digits())


def shift_images(images: np.ndarray, right: int = 0, down: int = 0) -> np.ndarray:
    """Images moved `right` and `down` pixels (negative: left, up); what leaves is lost and
    the pixels that come in are 0 (no ink)."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"images must have at least 2 dimensions (height, width), got {images.shape}"
        )
    height, width = images.shape[-2:]
    for name, amount, size in (("right", right, width), ("down", down, height)):
        if not isinstance(amount, (int, np.integer)) or isinstance(amount, bool):
            raise TypeError(f"{name} must be a whole number of pixels, got {amount!r}")
        if abs(amount) >= size:
            raise ValueError(f"{name}={amount} moves the whole image out (size {size})")
    shifted = np.zeros_like(images)
    rows_to = slice(max(down, 0), height + min(down, 0))
    rows_from = slice(max(-down, 0), height + min(-down, 0))
    cols_to = slice(max(right, 0), width + min(right, 0))
    cols_from = slice(max(-right, 0), width + min(-right, 0))
    shifted[..., rows_to, cols_to] = images[..., rows_from, cols_from]
    return shifted


def as_input(images: np.ndarray) -> torch.Tensor:
    """Images 0-16 as the networks' input: float32 (N, 1, 8, 8) scaled to 0-1."""
    images = np.asarray(images, dtype=np.float32)
    if images.shape[-2:] != (SIDE, SIDE):
        raise ValueError(f"images must be {SIDE} x {SIDE}, got shape {images.shape}")
    if images.size and (images.min() < 0 or images.max() > MAX_INK):
        raise ValueError(f"pixel values must lie in 0..{MAX_INK}")
    return torch.from_numpy(images.reshape(-1, 1, SIDE, SIDE) / MAX_INK)


def digit_cnn(channels: tuple[int, int] = CHANNELS) -> nn.Sequential:
    """The lesson's CNN: conv -> ReLU -> pool -> conv -> ReLU -> max over the map -> linear."""
    first, second = (check_int(c, "channels") for c in channels)
    return nn.Sequential(
        nn.Conv2d(1, first, KERNEL_SIZE, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(first, second, KERNEL_SIZE, padding=1),
        nn.ReLU(),
        nn.AdaptiveMaxPool2d(1),
        nn.Flatten(),
        nn.Linear(second, N_CLASSES),
    )


def dense_net(hidden: int = DENSE_HIDDEN) -> nn.Sequential:
    """The fully connected net it is compared with: 64 pixels -> hidden -> ReLU -> 10."""
    hidden = check_int(hidden, "hidden")
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(SIDE * SIDE, hidden),
        nn.ReLU(),
        nn.Linear(hidden, N_CLASSES),
    )


def parameter_count(model: nn.Module) -> int:
    """The number of trainable values of `model`."""
    return sum(p.numel() for p in model.parameters())


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of `x` that `model` classifies as `y`."""
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


# (epoch, mean training loss, held-out accuracy) after each epoch
EpochCallback = Callable[[int, float, float], None]


def train(
    model: nn.Module,
    split: DigitSplit,
    epochs: int = EPOCHS,
    seed: int = TRAIN_SEED,
    on_epoch: EpochCallback | None = None,
) -> list[tuple[float, float]]:
    """Train `model` in place with Adam on the split's training digits (one thread, seeded);
    returns (mean training loss, held-out accuracy) per epoch. The notebook's loop."""
    epochs = check_int(epochs, "epochs")
    train_x, train_y = as_input(split.train_images), torch.from_numpy(split.train_labels)
    test_x, test_y = as_input(split.test_images), torch.from_numpy(split.test_labels)
    history = []
    with seeded_single_thread(seed):
        for layer in model.modules():  # fresh weights, drawn from the seeded generator
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        for epoch in range(epochs):
            order = torch.randperm(len(train_y))
            total = 0.0
            for start in range(0, len(train_y), BATCH_SIZE):
                batch = order[start : start + BATCH_SIZE]
                loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            history.append((total / len(train_y), accuracy(model, test_x, test_y)))
            if on_epoch is not None:
                on_epoch(epoch + 1, *history[-1])
    return history


def predictions(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """The class `model` gives each image (images 0-16)."""
    with torch.no_grad():
        return model(as_input(images)).argmax(dim=1).numpy()


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """counts[true, predicted] over the ten classes."""
    counts = np.zeros((N_CLASSES, N_CLASSES), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predicted)), 1)
    return counts


def shifted_accuracy(model: nn.Module, split: DigitSplit, pixels: int) -> float:
    """Held-out accuracy with every digit moved `pixels` to the right, and to the left
    (the mean of both; 0 pixels: the digits as they are)."""
    y = torch.from_numpy(split.test_labels)
    scores = [
        accuracy(model, as_input(shift_images(split.test_images, right=r)), y)
        for r in sorted({pixels, -pixels})
    ]
    return float(np.mean(scores))


def class_probabilities(model: nn.Module, grid: np.ndarray) -> np.ndarray:
    """The ten class probabilities (softmax) that `model` gives one 8x8 grid of 0-16 values."""
    grid = np.asarray(grid)
    if grid.shape != (SIDE, SIDE):
        raise ValueError(f"grid must be {SIDE} x {SIDE}, got shape {grid.shape}")
    with torch.no_grad(), single_thread():  # one thread: no waiting for a busy second core
        return torch.softmax(model(as_input(grid)), dim=1)[0].double().numpy()


def layer_outputs(model: nn.Sequential, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(layer name, output for one image) after every layer of a Sequential model."""
    x = as_input(image)
    outputs = []
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            outputs.append((type(layer).__name__, x[0].numpy().copy()))
    return outputs
