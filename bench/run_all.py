"""Benchmarks of the series (not tests): `make bench`, or `python bench/run_all.py [--setup]`.

Prints, and writes to bench/results.md, with the machine and the date:
- every widget's in-kernel update latency over a sweep of its controls (p50, p95);
- each notebook's run time from a fresh kernel, and the floor (a bare kernel that only
  imports torch, numpy, matplotlib and ipywidgets);
- with --setup: `make test` on a warm set-up, and from a fresh clone with install.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

FLOOR_SOURCE = "import torch, numpy, matplotlib, ipywidgets"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def widget_latencies(repeats: int = 3) -> list[tuple[str, int, float, float]]:
    """(widget, updates, p50 ms, p95 ms) for every widget over sweeps and random moves."""
    from test_widgets import control_values

    from helpers.widget_registry import WIDGETS

    rows = []
    for name, factory in WIDGETS.items():
        explorer = factory()
        rng = random.Random(0)
        timings = []
        for _ in range(repeats):
            for control in explorer.controls.values():
                values = control_values(control)
                for value in values + [rng.choice(values) for _ in range(20)]:
                    if value == control.value:
                        continue
                    start = time.perf_counter()
                    control.value = value  # observe() re-renders synchronously
                    timings.append((time.perf_counter() - start) * 1000)
        rows.append((name, len(timings), percentile(timings, 50), percentile(timings, 95)))
    return rows


def run_notebook(nb: nbformat.NotebookNode) -> float:
    """Seconds to run a notebook from a fresh kernel, kernel start included."""
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    return time.perf_counter() - start


def notebook_times() -> tuple[float, list[tuple[str, float]]]:
    """The floor and each notebook's run time, in seconds."""
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    floor = min(run_notebook(floor_nb) for _ in range(2))
    times = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        times.append((path.name, run_notebook(nbformat.read(path, as_version=4))))
    return floor, times


def timed(command: list[str], cwd: Path) -> float:
    """Seconds a shell command takes; raises if it fails."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def setup_times() -> list[tuple[str, float]]:
    """`make test` on the warm set-up, then in a fresh clone (creating its own .venv)."""
    rows = [("make test, warm set-up", timed(["make", "test"], ROOT))]
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        rows.append(("make test, fresh clone with install", timed(["make", "test"], clone)))
    return rows


def main() -> int:
    """Run the benchmarks, print them and write bench/results.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--setup", action="store_true", help="also time make test (slow)")
    args = parser.parse_args()
    lines = [
        "# Benchmark results",
        "",
        f"{datetime.date.today().isoformat()} · {platform.platform()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}",
        "",
        "## Widget update in the kernel (goal: p95 ≤ 50 ms)",
        "",
        "| widget | updates | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    for name, count, p50, p95 in widget_latencies():
        lines.append(f"| {name} | {count} | {p50:.2f} | {p95:.2f} |")
    floor, times = notebook_times()
    lines += [
        "",
        f"## Notebook run time from a fresh kernel (floor: {floor:.1f} s; goal ≤ 10 s beyond it)",
        "",
        "| notebook | seconds | beyond the floor |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {sec:.1f} | {sec - floor:.1f} |" for name, sec in times]
    if args.setup:
        lines += ["", "## Set-up (goals: warm ≤ 180 s, fresh ≤ 360 s)", ""]
        lines += [f"- {name}: {sec:.0f} s" for name, sec in setup_times()]
    text = "\n".join(lines) + "\n"
    print(text)
    (ROOT / "bench" / "results.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
