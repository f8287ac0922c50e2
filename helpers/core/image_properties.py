"""The three properties of images that make convolution and pooling enough, shown on a photo."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from helpers.core.arithmetic import check_array, check_int, check_real
from helpers.core.images import sample_photo

# Regions of the sample photograph (rows, columns), found by looking at it.
EYE_BOX = (160, 215, 270, 335)  # the left lens of the glasses

FLAG_BOX = (0, 300, 0, 260)  # the flag with its stars, left of the face

STAR_BOX = (62, 112, 44, 92)  # one star, used as the detector's weights

DETECTION_THRESHOLD = 0.6

PLAIN_PEAK_FLOOR = 0.2  # plain product-sum maxima kept: above this share of the strongest


@dataclass(frozen=True)
class StarDetection:
    """One detector slid over the flag: its weights, response map and the places it fired."""

    flag: np.ndarray
    template: np.ndarray
    response: np.ndarray
    peaks: list[tuple[int, int]]  # (row, column) of each star centre found, in flag pixels
    # What a convolutional layer computes: the same weights' product-sum, not divided by the
    # window's contrast; and its local maxima, strongest first (same centres as `peaks`).
    plain_response: np.ndarray
    plain_peaks: list[tuple[int, int]]

    def plain_rank(self, peak: tuple[int, int]) -> int | None:
        """Where `peak` ranks (1 = strongest) among the plain product-sum's maxima, or None."""
        if not isinstance(peak, (tuple, list)) or len(peak) != 2:
            raise TypeError(f"peak must be a (row, column) pair of ints, got {peak!r:.60}")
        peak = (check_int(peak[0], "peak[0]", minimum=0), check_int(peak[1], "peak[1]", minimum=0))
        return self.plain_peaks.index(peak) + 1 if peak in self.plain_peaks else None


def crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The part of `image` inside `box` = (top, bottom, left, right)."""
    if not isinstance(box, (tuple, list)) or len(box) != 4:
        raise TypeError(f"box must be a (top, bottom, left, right) tuple of ints, got {box!r:.60}")
    names = ("top", "bottom", "left", "right")
    top, bottom, left, right = (
        check_int(value, f"box {name}", minimum=0) for value, name in zip(box, names, strict=True)
    )
    array = check_array(image, "image", (2, 3), "(H, W) or (H, W, C)", kinds="biuf", finite=False)
    if not isinstance(image, torch.Tensor):
        image = array  # a tensor stays a tensor: its part is a view, as slicing gives
    shape = array.shape
    # Slicing would quietly give a smaller or an empty part.
    if not (top < bottom <= shape[0] and left < right <= shape[1]):
        raise ValueError(
            f"box must have top < bottom <= {shape[0]} and left < right <= {shape[1]} (the "
            f"image's height and width), got {tuple(box)}"
        )
    return image[top:bottom, left:right]


def detect_stars(threshold: float = DETECTION_THRESHOLD) -> StarDetection:
    """Slide one star-shaped detector over the flag and return where it matches (correlation)."""
    threshold = check_real(threshold, "threshold")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    grey = sample_photo()
    flag = crop(grey, FLAG_BOX)
    template = crop(grey, STAR_BOX)
    template = template - template.mean()
    template = template / np.linalg.norm(template)
    x = torch.from_numpy(np.ascontiguousarray(flag))[None, None]
    w = torch.from_numpy(np.ascontiguousarray(template))[None, None]
    # Normalised correlation: the same weights everywhere, divided by each window's contrast.
    ones = torch.ones_like(w)
    count = w.numel()
    mean = F.conv2d(x, ones) / count
    spread = (F.conv2d(x * x, ones) - count * mean * mean).clamp_min(1e-6).sqrt()
    plain = F.conv2d(x, w)
    response = (plain / spread)[0, 0].numpy()
    plain = plain[0, 0].numpy()
    # Every local maximum above a fifth of the strongest: enough to rank all five stars.
    plain_peaks = _peaks(plain, PLAIN_PEAK_FLOOR * float(plain.max()), template.shape)
    return StarDetection(
        flag, template, response, _peaks(response, threshold, template.shape), plain, plain_peaks
    )


def _peaks(response: np.ndarray, threshold: float, size: tuple[int, int]) -> list[tuple[int, int]]:
    """Greedy non-maximum suppression: strongest first, nothing within half a template."""
    found: list[tuple[int, int]] = []
    order = np.argsort(response, axis=None)[::-1]
    order = order[response.ravel()[order] >= threshold]
    half_h, half_w = size[0] // 2, size[1] // 2
    width = response.shape[1]
    # Positions within half a template of a peak found so far: one lookup per candidate
    # instead of a comparison with every peak (a low threshold has tens of thousands).
    blocked = np.zeros(response.shape, dtype=bool)
    blocked_flat = blocked.reshape(-1)  # a view: marking `blocked` marks it too
    for flat in order.tolist():
        if not blocked_flat[flat]:
            row, col = divmod(flat, width)
            found.append((row, col))
            blocked[
                max(row - half_h, 0) : row + half_h + 1, max(col - half_w, 0) : col + half_w + 1
            ] = True
    return [(r + half_h, c + half_w) for r, c in found]
