"""Reproducible small computations: one thread and a private, seeded random state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded_single_thread(seed: int) -> Iterator[None]:
    """One thread, a private RNG state seeded with `seed`; restores both afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # deterministic sums and, for these tiny models, faster
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(threads)
