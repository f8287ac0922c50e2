"""Time compare_taggers (all training of notebook 05) and print its results with the machine.

Budget: <= 15 s for compare_taggers on a 2-core laptop. Run:
    .venv/bin/python bench/bench_taggers.py [--seeds 0 1 2] [--repeat 1]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time

import torch

from helpers.rnn import KINDS, compare_taggers, tagger_datasets, train_tagger

BUDGET_S = 15.0


def machine() -> str:
    """One line describing this machine and the library versions."""
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpu_count={os.cpu_count()} | python {platform.python_version()} | "
        f"torch {torch.__version__} (threads {torch.get_num_threads()})"
    )


def main() -> None:
    """Time compare_taggers for each seed, with a per-kind split of the training time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    worst = 0.0
    for seed in args.seeds:
        for _ in range(args.repeat):
            start = time.perf_counter()
            results = compare_taggers(seed)
            elapsed = time.perf_counter() - start
            worst = max(worst, elapsed)
            print(f"seed {seed}: compare_taggers {elapsed:.2f} s")
            for kind, scores in results.items():
                line = ", ".join(f"{name} {value:.3f}" for name, value in scores.items())
                print(f"  {kind:<11} {line}")
    train, _ = tagger_datasets(args.seeds[0])
    split = []
    for kind in KINDS:
        start = time.perf_counter()
        train_tagger(kind, train, args.seeds[0])
        split.append(f"{kind} {time.perf_counter() - start:.2f} s")
    print(f"training time by kind (seed {args.seeds[0]}): " + ", ".join(split))
    verdict = "within" if worst <= BUDGET_S else "OVER"
    print(f"slowest compare_taggers: {worst:.2f} s ({verdict} the {BUDGET_S:.0f} s budget)")


if __name__ == "__main__":
    main()
