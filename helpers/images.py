"""Images the series uses: matplotlib's sample photograph, shipped with matplotlib (no download)."""

from __future__ import annotations

from functools import lru_cache

import matplotlib.cbook as cbook
import numpy as np
from PIL import Image

SAMPLE_PHOTO = "grace_hopper.jpg"


@lru_cache(maxsize=1)
def _photo_rgb() -> np.ndarray:
    # Decoded with Pillow (matplotlib's own dependency), as matplotlib.image.imread would,
    # without loading matplotlib's drawing code.
    with cbook.get_sample_data(SAMPLE_PHOTO) as handle, Image.open(handle) as image:
        return np.asarray(image.convert("RGB"))


def sample_photo(grey: bool = True) -> np.ndarray:
    """The sample photograph (600×512) as floats in [0, 1]: grey (H, W) or RGB (H, W, 3)."""
    rgb = _photo_rgb().astype(np.float32) / 255.0
    if not grey:
        return rgb
    # ITU-R BT.601 luma weights.
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def subsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Keep every `factor`-th row and column (the simplest subsampling)."""
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"factor must be an int >= 1, got {factor!r}")
    return image[::factor, ::factor]
