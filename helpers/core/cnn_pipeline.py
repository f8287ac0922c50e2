"""conv → ReLU → max pool on the grey sample photograph, with hand-set edge filters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from helpers.core.arithmetic import check_array, check_int, conv_output_size, pool_output_size
from helpers.core.images import sample_photo, subsample


def _read_only(rows: list[list[float]]) -> np.ndarray:
    array = np.array(rows, dtype=np.float64)
    array.flags.writeable = False
    return array


# Sobel-style 3x3 edge detectors. Each answers "brighter on one side than on the other";
# ReLU then keeps only that direction of change (the opposite one gives negative values).
EDGE_FILTERS: dict[str, np.ndarray] = {
    # bright above, dark below: horizontal edges (the line of the shoulders, the glasses' rims)
    "horizontal": _read_only([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    # bright left, dark right: vertical edges (the sides of the face, the flag's stripes)
    "vertical": _read_only([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
    # bright top-right, dark bottom-left: edges running from top-left to bottom-right
    "diagonal": _read_only([[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]),
}

FILTER_NAMES = tuple(EDGE_FILTERS)

# From stage 2 on, each map is convolved with its own 3x3 kernel (depthwise). "average" gathers
# the edge evidence around each place, a hand-set stand-in for what trained deeper layers
# learn; "edges" applies the same edge filter again (edges of edges), which blurs the picture
# into texture after two or three stages: deeper filters have to be learned.
AVERAGE_FILTER = _read_only([[1 / 9] * 3] * 3)

LATER_FILTERS = ("average", "edges")

PHOTO_FACTOR = 2  # keep every 2nd row and column of the 600x512 photo: 300x256, fast on a laptop

POOL_SIZE = 2

KERNEL_SIZE = 3

# The most stages stage_shapes and run_pipeline compute: with pool_size 1 a stage only takes
# kernel_size - 1 from each side, so a huge input would fit that many (the photo fits 6).
MAX_STAGES = 1_000

# The most values one stage's maps may hold (80 MB of float64; the photo's first stage holds
# about 230,000): larger inputs or filter banks raise a ValueError before any work.
MAX_MAP_VALUES = 10_000_000


def _real_array(value: object, name: str, ndims: tuple[int, ...], shape: str) -> np.ndarray:
    """`value` as a float64 array of finite numbers with `ndims` dimensions, none of them
    empty, or raise naming `name` (bools are no brightness values: refused)."""
    return check_array(value, name, ndims, shape).astype(np.float64)


def _check_later(later: str) -> str:
    """Return `later` if it names one of LATER_FILTERS, or raise naming it."""
    if not isinstance(later, str) or later not in LATER_FILTERS:
        raise ValueError(f"later must be one of {LATER_FILTERS}, got {later!r:.60}")
    return later


def edge_filter_bank(names: tuple[str, ...] = FILTER_NAMES) -> np.ndarray:
    """The named edge filters stacked as one (F, 3, 3) float64 array, in the order given."""
    if not isinstance(names, (tuple, list)) or not names:
        raise ValueError(f"names must be a non-empty tuple of filter names, got {names!r:.60}")
    unknown = [name for name in names if not isinstance(name, str) or name not in EDGE_FILTERS]
    if unknown:
        raise ValueError(f"names has unknown filters {unknown}; known: {list(FILTER_NAMES)}")
    return np.stack([EDGE_FILTERS[name] for name in names])


def stage_filters(number: int, later: str = "average") -> np.ndarray:
    """The (F, 3, 3) kernels of stage `number`: the edge filters first, then `later`'s."""
    number = check_int(number, "number")
    later = _check_later(later)
    if number == 1 or later == "edges":
        return edge_filter_bank()
    return np.stack([AVERAGE_FILTER] * len(FILTER_NAMES))


def pipeline_photo(factor: int = PHOTO_FACTOR) -> np.ndarray:
    """The grey sample photograph, subsampled by `factor`, as a writable (H, W) float64 array."""
    return np.array(subsample(sample_photo(), check_int(factor, "factor")), dtype=np.float64)


@dataclass(frozen=True)
class Stage:
    """One conv → ReLU → max-pool stage: its input shape and the maps after each step."""

    number: int
    input_shape: tuple[int, int, int]  # (C, H, W)
    filters: np.ndarray  # (F, kh, kw): filter f makes map f
    conv: np.ndarray  # (F, H', W') after the 3x3 convolution (no padding, stride 1)
    relu: np.ndarray  # the same maps with negative values set to 0
    pooled: np.ndarray  # (F, H'', W'') after max pooling

    def shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """(step, shape) from the stage's input to its output, as printed in the notebook."""
        return [
            ("input", self.input_shape),
            ("conv 3×3", self.conv.shape),
            ("ReLU", self.relu.shape),
            (f"max pool {POOL_SIZE}×{POOL_SIZE}", self.pooled.shape),
        ]


def _as_maps(x: np.ndarray) -> np.ndarray:
    x = _real_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
    return x[None] if x.ndim == 2 else x


def _frozen(tensor: torch.Tensor) -> np.ndarray:
    """A read-only numpy copy: a stage is passed from cell to cell, so nobody may change it."""
    array = tensor.numpy().copy()
    array.flags.writeable = False
    return array


def conv_relu_pool(
    x: np.ndarray,
    filters: np.ndarray | None = None,
    pool_size: int = POOL_SIZE,
    number: int = 1,
) -> Stage:
    """One stage: 3x3 convolution (stride 1, no padding), ReLU, then max pooling (stride = size).

    `x` is (H, W) or (C, H, W); `filters` is (F, kh, kw) (the edge filters by default). With
    one input channel every filter sees it (an nn.Conv2d(1, F, k)); with F channels, filter f
    sees only channel f (a depthwise nn.Conv2d(F, F, k, groups=F)), so map f stays "the map of
    filter f" through every stage.
    """
    maps = _as_maps(x)
    if filters is None:
        bank = edge_filter_bank()
    else:
        bank = _real_array(filters, "filters", (3,), "(F, kh, kw)")
    if maps.shape[0] not in (1, bank.shape[0]):
        raise ValueError(
            f"x has {maps.shape[0]} channels: it must have 1 or as many as filters "
            f"({bank.shape[0]})"
        )
    pool_size = check_int(pool_size, "pool_size")
    number = check_int(number, "number")
    # Both raise if a kernel or a pooling window does not fit.
    out = conv_output_size(maps.shape[1:], bank.shape[1:])
    pool_output_size(out, pool_size)
    values = bank.shape[0] * out[0] * out[1]
    if values > MAX_MAP_VALUES:
        raise ValueError(
            f"x of shape {maps.shape} and {bank.shape[0]} filters give {values:,} values per "
            f"map stack; conv_relu_pool makes at most {MAX_MAP_VALUES:,}"
        )
    groups = 1 if maps.shape[0] == 1 else bank.shape[0]
    # torch.tensor copies: the inputs may be read-only arrays (torch.from_numpy would warn).
    conv = F.conv2d(torch.tensor(maps)[None], torch.tensor(bank)[:, None], groups=groups)
    relu = F.relu(conv)
    pooled = F.max_pool2d(relu, pool_size)
    bank = bank.copy()
    bank.flags.writeable = False
    return Stage(
        number, tuple(maps.shape), bank, _frozen(conv[0]), _frozen(relu[0]), _frozen(pooled[0])
    )


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    """Return `size` as an (H, W) pair of ints >= 1, or raise naming it."""
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise TypeError(f"size must be an (H, W) pair of ints, got {size!r:.60}")
    return check_int(size[0], "size[0]"), check_int(size[1], "size[1]")


def max_stages(
    size: tuple[int, int], kernel_size: int = KERNEL_SIZE, pool_size: int = POOL_SIZE
) -> int:
    """How many conv (no padding) + pool stages fit on an input of `size` (H, W)."""
    shape = _check_size(size)
    kernel_size = check_int(kernel_size, "kernel_size")
    pool_size = check_int(pool_size, "pool_size")
    if pool_size == 1:
        if kernel_size == 1:
            raise ValueError(
                "kernel_size 1 and pool_size 1 never shrink the input: any number of stages fits"
            )
        # Each stage takes kernel_size - 1 from each side: counted without a loop, which
        # would take as many steps as the side is long.
        return max(0, (min(shape) - kernel_size) // (kernel_size - 1) + 1)
    count = 0
    while True:  # each stage at least halves the sides: a few dozen steps at most
        try:
            shape = pool_output_size(conv_output_size(shape, kernel_size), pool_size)
        except ValueError:
            return count
        count += 1


def _check_n_stages(n_stages: int, size: tuple[int, int], kernel_size: int, pool_size: int) -> int:
    """Return `n_stages` if that many stages fit on `size`, or raise naming it."""
    n_stages = check_int(n_stages, "n_stages", minimum=0, maximum=MAX_STAGES)
    height, width = _check_size(size)
    if check_int(kernel_size, "kernel_size") == check_int(pool_size, "pool_size") == 1:
        return n_stages  # nothing shrinks: every number of stages fits
    fitting = max_stages((height, width), kernel_size, pool_size)
    if n_stages > fitting:
        raise ValueError(
            f"n_stages={n_stages} is too many: a {height}×{width} image fits at most "
            f"{fitting} stages"
        )
    return n_stages


def stage_shapes(
    size: tuple[int, int],
    n_stages: int,
    n_filters: int = len(FILTER_NAMES),
    kernel_size: int = KERNEL_SIZE,
    pool_size: int = POOL_SIZE,
) -> list[tuple[int, int, int]]:
    """(C, H, W) after each stage, from the output-size formulas alone: [input, stage 1, ...]."""
    n_stages = _check_n_stages(n_stages, size, kernel_size, pool_size)
    n_filters = check_int(n_filters, "n_filters")
    shapes = [(1, *_check_size(size))]
    for _ in range(n_stages):
        conv = conv_output_size(shapes[-1][1:], kernel_size)
        pooled = pool_output_size(conv, pool_size)
        shapes.append((n_filters, *pooled))
    return shapes


def run_pipeline(
    image: np.ndarray, n_stages: int, later: str = "average", pool_size: int = POOL_SIZE
) -> list[Stage]:
    """`n_stages` conv → ReLU → max-pool stages on a grey (H, W) image; each feeds the next.

    Stage 1 uses the edge filters; later stages use `stage_filters(n, later)`.
    """
    image = _real_array(image, "image", (2,), "grey (H, W)")
    later = _check_later(later)
    n_stages = _check_n_stages(n_stages, image.shape, KERNEL_SIZE, pool_size)
    stages: list[Stage] = []
    x = image
    for number in range(1, n_stages + 1):
        filters = stage_filters(number, later)
        stages.append(conv_relu_pool(x, filters, pool_size, number=number))
        x = stages[-1].pooled
    return stages


def photo_stages(later: str = "average") -> tuple[Stage, ...]:
    """Every stage that fits on the pipeline photo (take the first n as needed).

    Each call runs the whole pipeline again: compute the stages once and pass them on.
    """
    later = _check_later(later)
    photo = pipeline_photo()
    return tuple(run_pipeline(photo, max_stages(photo.shape), later))


@dataclass(frozen=True)
class ShiftChange:
    """How much one stage's maps change when the input moves `shift` pixels right."""

    shift: int
    stage: int  # after how many conv → ReLU → pool stages
    relu_change: float  # mean |change| / mean |value| of the conv+ReLU maps
    pooled_change: float  # the same for the pooled maps
    relu_unchanged: float  # fraction of the non-zero conv+ReLU values that stay the same
    pooled_unchanged: float  # the same for the pooled values


def _compare(before: np.ndarray, after: np.ndarray) -> tuple[float, float]:
    """(mean absolute change relative to the mean absolute value, fraction of non-zeros kept)."""
    change = np.abs(after - before)
    tolerance = 1e-9 * float(np.max(np.abs(before)))  # float noise, not a real change
    nonzero = before != 0
    kept = float(np.mean(change[nonzero] <= tolerance)) if nonzero.any() else 1.0
    scale = float(np.mean(np.abs(before)))
    if scale == 0:  # an all-zero map: any change at all is infinitely large relative to it
        return (0.0 if not change.any() else float("inf")), kept
    return float(np.mean(change)) / scale, kept


def shift_changes(
    image: np.ndarray, shift: int = 1, n_stages: int = 1, later: str = "average"
) -> list[ShiftChange]:
    """Move `image` right by `shift` pixels; compare each stage's maps at the same places.

    Both views are crops of the same (H, W) image, `W - shift` wide: "after" sees the scene
    `shift` pixels further right, as if the camera had moved, so no padding is invented.
    Returns one ShiftChange per stage, 1 to `n_stages`.
    """
    image = _real_array(image, "image", (2,), "grey (H, W)")
    shift = check_int(shift, "shift")
    n_stages = check_int(n_stages, "n_stages")
    later = _check_later(later)
    if shift >= image.shape[1]:
        raise ValueError(f"shift={shift} must be smaller than the image width {image.shape[1]}")
    befores = run_pipeline(image[:, shift:], n_stages, later)
    afters = run_pipeline(image[:, :-shift], n_stages, later)
    changes = []
    for before, after in zip(befores, afters, strict=True):
        relu_change, relu_kept = _compare(before.relu, after.relu)
        pooled_change, pooled_kept = _compare(before.pooled, after.pooled)
        changes.append(
            ShiftChange(shift, before.number, relu_change, pooled_change, relu_kept, pooled_kept)
        )
    return changes
