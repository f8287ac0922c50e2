"""Reproducible small computations: one thread and a private, seeded random state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from helpers.core.arithmetic import check_int

# The largest seed accepted (as numpy's legacy seeding): torch takes at most 2**64 - 1, and a
# helper that derives a second seed (seed + 1) must stay below that.
MAX_SEED = 2**32 - 1


def check_seed(seed: int, name: str = "seed") -> int:
    """Return `seed` if it is an int from 0 to MAX_SEED, or raise naming `name`."""
    return check_int(seed, name, minimum=0, maximum=MAX_SEED)


@contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one thread; restores the thread count afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # deterministic sums and, for these tiny models, faster
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextmanager
def seeded_single_thread(seed: int) -> Iterator[None]:
    """One thread, a private RNG state seeded with `seed`; restores both afterwards."""
    seed = check_seed(seed)
    with single_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
