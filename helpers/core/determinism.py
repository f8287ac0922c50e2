"""Reproducible small computations: one thread and a private, seeded random state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


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
    with single_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield
