"""The three properties of images that make convolution and pooling enough, shown on a photo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F

from helpers.figure_cache import cached_figure
from helpers.images import sample_photo, subsample

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Regions of the sample photograph (rows, columns), found by looking at it.
EYE_BOX = (160, 215, 270, 335)  # the left lens of the glasses
FLAG_BOX = (0, 300, 0, 260)  # the flag with its stars, left of the face
STAR_BOX = (62, 112, 44, 92)  # one star, used as the detector's weights
DETECTION_THRESHOLD = 0.6


@dataclass(frozen=True)
class StarDetection:
    """One detector slid over the flag: its weights, response map and the places it fired."""

    flag: np.ndarray
    template: np.ndarray
    response: np.ndarray
    peaks: list[tuple[int, int]]  # (row, column) of each star centre found, in flag pixels


def _crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    top, bottom, left, right = box
    return image[top:bottom, left:right]


def detect_stars(threshold: float = DETECTION_THRESHOLD) -> StarDetection:
    """Slide one star-shaped detector over the flag and return where it matches (correlation)."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    grey = sample_photo()
    flag = _crop(grey, FLAG_BOX)
    template = _crop(grey, STAR_BOX)
    template = template - template.mean()
    template = template / np.linalg.norm(template)
    x = torch.from_numpy(np.ascontiguousarray(flag))[None, None]
    w = torch.from_numpy(np.ascontiguousarray(template))[None, None]
    # Normalised correlation: the same weights everywhere, divided by each window's contrast.
    ones = torch.ones_like(w)
    count = w.numel()
    mean = F.conv2d(x, ones) / count
    spread = (F.conv2d(x * x, ones) - count * mean * mean).clamp_min(1e-6).sqrt()
    response = (F.conv2d(x, w) / spread)[0, 0].numpy()
    return StarDetection(flag, template, response, _peaks(response, threshold, template.shape))


def _peaks(response: np.ndarray, threshold: float, size: tuple[int, int]) -> list[tuple[int, int]]:
    """Greedy non-maximum suppression: strongest first, nothing within half a template."""
    found: list[tuple[int, int]] = []
    order = np.argsort(response, axis=None)[::-1]
    half_h, half_w = size[0] // 2, size[1] // 2
    for flat in order:
        row, col = np.unravel_index(flat, response.shape)
        if response[row, col] < threshold:
            break
        if all(abs(row - r) > half_h or abs(col - c) > half_w for r, c in found):
            found.append((int(row), int(col)))
    return [(r + half_h, c + half_w) for r, c in found]


@cached_figure
def figure_small_patterns() -> Figure:
    """Property 1: a pattern (an eye behind glasses) is much smaller than the whole image."""
    from matplotlib.patches import Rectangle

    from helpers.notebook_figure import NotebookFigure

    grey = sample_photo()
    fig = NotebookFigure(figsize=(9, 4.2))
    whole, patch = fig.subplots(1, 2, width_ratios=[1, 1])
    whole.imshow(grey, cmap="gray")
    top, bottom, left, right = EYE_BOX
    whole.add_patch(Rectangle((left, top), right - left, bottom - top, fill=False, ec="red", lw=2))
    whole.set_title(f"whole image: {grey.shape[0]}×{grey.shape[1]} pixels")
    patch.imshow(_crop(grey, EYE_BOX), cmap="gray")
    patch.set_title(f"what an 'eye' detector needs: {bottom - top}×{right - left}")
    for ax in (whole, patch):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle("1. Most patterns are much smaller than the image")
    return fig


@cached_figure
def figure_same_pattern_anywhere(detection: StarDetection | None = None) -> Figure:
    """Property 2: one detector (a star) finds the same pattern wherever it appears."""
    from matplotlib.patches import Circle

    from helpers.notebook_figure import NotebookFigure

    d = detection or detect_stars()
    fig = NotebookFigure(figsize=(11, 4.2))
    flag_ax, weights_ax, map_ax = fig.subplots(1, 3, width_ratios=[1.2, 0.6, 1.2])
    flag_ax.imshow(d.flag, cmap="gray")
    for row, col in d.peaks:
        flag_ax.add_patch(Circle((col, row), 22, fill=False, ec="red", lw=2))
    flag_ax.set_title(f"the detector fired at {len(d.peaks)} stars")
    weights_ax.imshow(d.template, cmap="gray")
    weights_ax.set_title(f"one detector: {d.template.shape[0]}×{d.template.shape[1]} weights")
    shown = map_ax.imshow(d.response, cmap="magma", vmin=0, vmax=1)
    map_ax.set_title("its response at every window position")
    fig.colorbar(shown, ax=map_ax, label="match (normalised correlation)")
    for ax in (flag_ax, weights_ax):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    map_ax.set_xlabel("window's left column")
    map_ax.set_ylabel("window's top row")
    fig.suptitle("2. The same pattern appears in different places: share one detector")
    return fig


@cached_figure
def figure_subsampling(factors: tuple[int, ...] = (1, 2, 4, 8)) -> Figure:
    """Property 3: subsampling the pixels keeps the object recognisable."""
    from helpers.notebook_figure import NotebookFigure

    grey = sample_photo()
    fig = NotebookFigure(figsize=(12, 3.8))
    axes = fig.subplots(1, len(factors))
    for ax, factor in zip(axes, factors):
        small = subsample(grey, factor)
        ax.imshow(small, cmap="gray")
        kept = "all pixels" if factor == 1 else f"1 pixel in {factor}×{factor}"
        ax.set_title(f"{kept}: {small.shape[0]}×{small.shape[1]}")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle("3. Subsampling keeps the object: fewer pixels, same person")
    return fig
