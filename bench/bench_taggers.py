"""Time the taggers' training as notebooks 05 and 08 run it, and check their lessons per seed.

Budget: each notebook cell that trains taggers takes <= 1.5 s on a 2-core laptop (half of the
3 s a notebook may take beyond a bare kernel, see bench/run_all.py), timed in a fresh process
after the imports (05: tagger_datasets(0) and train_lesson_taggers(0); 08:
train_direction_taggers(0) and compare_directions). The first torch.optim optimizer of a
process imports torch._dynamo (about 2 s, once per kernel): it is timed on its own, and the
cells are timed after it.
Lessons, for every seed of --seeds: the feed-forward tagger's city accuracy stays poor, the
RNN's and the LSTM's reach GOOD_ACCURACY on all tokens, cities and held-out cities; the
two-word window tagger reaches it on the cities (held-out too) but stays at or below
POOR_ACCURACY on the dates, where the RNN reaches it; in 08 the
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
    WINDOW,
    compare_directions,
    date_accuracy,
    direction_datasets,
    evaluate_tagger,
    evaluate_taggers,
    tagger_datasets,
    train_direction_taggers,
    train_lesson_taggers,
    train_tagger,
)

BUDGET_S = 1.5
FIRST_OPTIMIZER = "torch.optim.Adam([torch.zeros(1, requires_grad=True)])"
# The notebook cells that train, each timed in its own fresh process (imports not timed).
CELLS: dict[str, tuple[str, str]] = {
    "first torch.optim optimizer": ("import torch", FIRST_OPTIMIZER),
    "05 train_lesson_taggers(0)": (
        f"import torch\n{FIRST_OPTIMIZER}\n"
        "from helpers.core.rnn import tagger_datasets, train_lesson_taggers",
        "train, test = tagger_datasets(0)\nmodels = train_lesson_taggers(0)",
    ),
    "05 evaluate_taggers": (
        "from helpers.core.rnn import evaluate_taggers, tagger_datasets, train_lesson_taggers\n"
        "train, test = tagger_datasets(0)\nmodels = train_lesson_taggers(0)",
        "results = evaluate_taggers(models, test)",
    ),
    "05 window tagger": (
        f"import torch\n{FIRST_OPTIMIZER}\n"
        "from helpers.core.rnn import WINDOW, date_accuracy, evaluate_tagger, tagger_datasets,"
        " train_tagger\ntrain, test = tagger_datasets(0)",
        "window = train_tagger(WINDOW, train, seed=0)\n"
        "scores = evaluate_tagger(window, test)\ndates = date_accuracy(window, test)",
    ),
    "08 train_direction_taggers(0)": (
        f"import torch\n{FIRST_OPTIMIZER}\n"
        "from helpers.core.rnn import compare_directions, direction_datasets,"
        " train_direction_taggers",
        "_, test = direction_datasets(0)\ntaggers = train_direction_taggers(0)\n"
        "directions = compare_directions(taggers, test)",
    ),
}
TIMER = """
import json, time
{setup}
start = time.perf_counter()
{cell}
print(json.dumps({{"s": time.perf_counter() - start}}))
"""


def machine() -> str:
    """One line describing this machine and the library versions."""
    return (
        f"{platform.platform()} | {platform.processor() or platform.machine()} | "
        f"cpu_count={os.cpu_count()} | python {platform.python_version()} | "
        f"torch {torch.__version__} (threads {torch.get_num_threads()})"
    )


def time_cell(setup: str, cell: str) -> dict[str, float]:
    """Seconds that `cell` takes in a fresh Python process after `setup` ({"s": seconds})."""
    code = TIMER.format(setup=setup, cell=cell)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def lesson_results(seed: int) -> dict[str, dict[str, dict[str, float]]]:
    """Notebook 05's and 08's measured numbers for `seed`, each trained as the notebook does."""
    train, test = tagger_datasets(seed)
    _, direction_test = direction_datasets(seed)
    models = train_lesson_taggers(seed)
    window = train_tagger(WINDOW, train, seed)
    return {
        "evaluate_taggers": evaluate_taggers(models, test),
        "window_and_dates": {
            WINDOW: {**evaluate_tagger(window, test), "date_accuracy": date_accuracy(window, test)},
            "rnn": {"date_accuracy": date_accuracy(models["rnn"], test)},
        },
        "compare_directions": compare_directions(train_direction_taggers(seed), direction_test),
    }


def lesson_misses(results: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """What misses its lesson in one seed's `results` (empty: every lesson holds)."""
    misses = []
    taggers = results["evaluate_taggers"]
    if taggers["feedforward"]["city_accuracy"] > POOR_ACCURACY:
        misses.append(f"feedforward city {taggers['feedforward']['city_accuracy']:.3f}")
    for kind in ("rnn", "lstm"):
        worst = min(taggers[kind].values())
        if worst < GOOD_ACCURACY:
            misses.append(f"{kind} {worst:.3f}")
    window = results["window_and_dates"]
    cities = min(window[WINDOW]["city_accuracy"], window[WINDOW]["unseen_city_accuracy"])
    if cities < GOOD_ACCURACY or window[WINDOW]["date_accuracy"] > POOR_ACCURACY:
        misses.append(f"window cities {cities:.3f}, dates {window[WINDOW]['date_accuracy']:.3f}")
    if window["rnn"]["date_accuracy"] < GOOD_ACCURACY:
        misses.append(f"rnn dates {window['rnn']['date_accuracy']:.3f}")
    directions = results["compare_directions"]
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
        if name.startswith("0"):
            worst = max(worst, statistics.median(seconds))
        print(
            f"cell {name:<30} median {statistics.median(seconds):.3f} s, "
            f"min {min(seconds):.3f} s over {len(seconds)} fresh processes"
        )
    verdict = "within" if worst <= BUDGET_S else "OVER"
    print(f"slowest notebook cell (median): {worst:.3f} s ({verdict} the {BUDGET_S} s budget)")

    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # its one-time import, not timed
    train, _ = tagger_datasets(args.seeds[0])
    split = []
    for kind in KINDS:
        start = time.perf_counter()
        train_tagger(kind, train, args.seeds[0])
        split.append(f"{kind} {time.perf_counter() - start:.3f} s")
    print(f"training alone, one thread (seed {args.seeds[0]}): " + ", ".join(split))

    missed = {}
    for seed in args.seeds:
        results = lesson_results(seed)
        if seed == args.seeds[0]:
            for name, scores_by_kind in results.items():
                print(f"seed {seed}: {name}")
                for kind, scores in scores_by_kind.items():
                    print(f"  {kind:<11} " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        missed[seed] = lesson_misses(results)
    for seed, misses in missed.items():
        if misses:
            print(f"seed {seed}: " + "; ".join(misses))
    held = sum(not misses for misses in missed.values())
    print(f"lessons hold for {held} of {len(missed)} seeds")


if __name__ == "__main__":
    main()
