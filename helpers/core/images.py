"""Images the series uses: matplotlib's sample photograph, shipped with matplotlib (no download)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
from PIL import Image

from helpers.core.arithmetic import check_array, check_bool, check_int

SAMPLE_PHOTO = "grace_hopper.jpg"


def sample_photo_path() -> Path:
    """Where matplotlib keeps its sample photograph (found without importing matplotlib)."""
    spec = find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("matplotlib is not installed: it ships the sample photograph")
    folder = Path(spec.submodule_search_locations[0])
    return folder / "mpl-data" / "sample_data" / SAMPLE_PHOTO


def sample_photo(grey: bool = True) -> np.ndarray:
    """The sample photograph (600×512) as floats in [0, 1]: grey (H, W) or RGB (H, W, 3)."""
    grey = check_bool(grey, "grey")
    with Image.open(sample_photo_path()) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    if not grey:
        return rgb
    # ITU-R BT.601 luma weights.
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def subsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Keep every `factor`-th row and column (the simplest subsampling)."""
    factor = check_int(factor, "factor")
    # Any pixel type (a bool mask too), kept as it is.
    array = check_array(image, "image", (2, 3), "(H, W) or (H, W, C)", kinds="biuf", finite=False)
    return array[::factor, ::factor]
