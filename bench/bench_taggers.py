"""Time the taggers' training as notebooks 05 and 08 run it, and check their lessons per seed.

Budget: each notebook cell that trains taggers takes <= 0.5 s on a 2-core laptop, timed in a
fresh process after the imports, as in a new kernel (05: tagger_datasets(0) and
trained_taggers(0); 08: compare_directions(seed=0)).
Lessons, for every seed of --seeds: the feed-forward tagger's city accuracy stays poor, the
RNN's and the LSTM's reach GOOD_ACCURACY on all tokens, cities and held-out cities; in 08 the
one-direction RNN reaches it where the cue comes before the city and stays at or below
POOR_ACCURACY where it comes after, and the bidirectional RNN reaches it on both. Run:
    .venv/bin/python bench/bench_taggers.py [--seeds 0 1 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

from helpers.core.rnn import (
    BIDIRECTIONAL,
    DIRECTION_EPOCHS,
    EPOCHS,
    GOOD_ACCURACY,
    HIDDEN_SIZE,
    INPUT_WEIGHT_STD,
    KINDS,
    LEARNING_RATE,
    N_TRAIN,
    POOR_ACCURACY,
    compare_directions,
    compare_taggers,
    tagger_datasets,
    train_tagger,
)

BUDGET_S = 0.5
# The notebook cells that train, each timed in its own fresh process (imports not timed).
CELLS: dict[str, tuple[str, str]] = {
    "05 trained_taggers(0)": (
        "from helpers.core.rnn import tagger_datasets, trained_taggers",
        "train, test = tagger_datasets(0)\nmodels = trained_taggers(0)",
    ),
    "05 measured_results(0)": (
        "from helpers.core.rnn import measured_results, trained_taggers\ntrained_taggers(0)",
        "results = measured_results(0)",
    ),
    "08 compare_directions(0)": (
        "from helpers.core.rnn import compare_directions",
        "directions = compare_directions(seed=0)",
    ),
}
TIMER = """
import json, sys, time
{setup}
start = time.perf_counter()
{cell}
print(json.dumps({{"s": time.perf_counter() - start, "dynamo": "torch._dynamo" in sys.modules}}))
"""


def machine() -> str:
    """One line describing this machine and the library versions."""
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpu_count={os.cpu_count()} | python {platform.python_version()} | "
        f"torch {torch.__version__} (threads {torch.get_num_threads()})"
    )


def time_cell(setup: str, cell: str) -> dict[str, float | bool]:
    """Seconds that `cell` takes in a fresh Python process after `setup`, and whether the
    process imported torch._dynamo."""
    code = TIMER.format(setup=setup, cell=cell)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def lesson_misses(seed: int) -> list[str]:
    """What misses its lesson for `seed` in notebooks 05 and 08 (empty: every lesson holds)."""
    misses = []
    taggers = compare_taggers(seed)
    if taggers["feedforward"]["city_accuracy"] > POOR_ACCURACY:
        misses.append(f"feedforward city {taggers['feedforward']['city_accuracy']:.3f}")
    for kind in ("rnn", "lstm"):
        worst = min(taggers[kind].values())
        if worst < GOOD_ACCURACY:
            misses.append(f"{kind} {worst:.3f}")
    directions = compare_directions(seed)
    before, after = (directions["rnn"][f"city_accuracy_cue_{o}"] for o in ("before", "after"))
    if before < GOOD_ACCURACY or after > POOR_ACCURACY:
        misses.append(f"one-direction RNN cue before {before:.3f}, after {after:.3f}")
    worst = min(directions[BIDIRECTIONAL].values())
    if worst < GOOD_ACCURACY:
        misses.append(f"bidirectional RNN {worst:.3f}")
    return misses


def main() -> None:
    """Time the notebook cells, then check the lessons for each seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    print(
        f"settings: N_TRAIN {N_TRAIN}, HIDDEN_SIZE {HIDDEN_SIZE}, EPOCHS {EPOCHS}, "
        f"DIRECTION_EPOCHS {DIRECTION_EPOCHS}, LEARNING_RATE {LEARNING_RATE}, "
        f"INPUT_WEIGHT_STD {INPUT_WEIGHT_STD}"
    )
    worst = 0.0
    for name, (setup, cell) in CELLS.items():
        runs = [time_cell(setup, cell) for _ in range(args.repeat)]
        seconds = [run["s"] for run in runs]
        worst = max(worst, statistics.median(seconds))
        dynamo = "imports torch._dynamo" if any(run["dynamo"] for run in runs) else ""
        print(
            f"cell {name:<26} median {statistics.median(seconds):.3f} s, "
            f"min {min(seconds):.3f} s over {len(seconds)} fresh processes {dynamo}"
        )
    verdict = "within" if worst <= BUDGET_S else "OVER"
    print(f"slowest cell (median): {worst:.3f} s ({verdict} the {BUDGET_S} s budget)")

    train, _ = tagger_datasets(args.seeds[0])
    split = []
    for kind in KINDS:
        start = time.perf_counter()
        train_tagger(kind, train, args.seeds[0])
        split.append(f"{kind} {time.perf_counter() - start:.3f} s")
    print(f"training alone, one thread each (seed {args.seeds[0]}): " + ", ".join(split))

    seed = args.seeds[0]
    for name, results in (
        ("compare_taggers", compare_taggers(seed)),
        ("compare_directions", compare_directions(seed)),
    ):
        print(f"seed {seed}: {name}")
        for kind, scores in results.items():
            print(f"  {kind:<11} " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    missed = {seed: lesson_misses(seed) for seed in args.seeds}
    for seed, misses in missed.items():
        if misses:
            print(f"seed {seed}: " + "; ".join(misses))
    held = sum(not misses for misses in missed.values())
    print(f"lessons hold for {held} of {len(missed)} seeds")


if __name__ == "__main__":
    main()
