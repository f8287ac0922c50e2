"""Notebook 09's goals, measured (not a test): `python bench/bench_digits.py`.

- training seconds of the lesson's CNN (and of the fully connected net), median of ROUNDS runs
  on one thread, as the notebook trains them;
- notebook 09 under nbval, seconds beyond a bare kernel (one that only imports torch, numpy,
  matplotlib and ipywidgets), median of ROUNDS rounds, and its kernel's peak memory;
- the draw-a-digit pad's update in the kernel (a click on a cell; load, shift, clear), p50/p95;
- click to DOM in JupyterLab/Chromium (tests/browser/test_draw_digit.py), p50/p95, when
  Chromium is there.
Prints a markdown section and writes it to bench/digits_results.md.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from run_all import FLOOR_SOURCE, nbval_run, percentile  # noqa: E402

from helpers.core.digits import dense_net, digit_cnn, digit_split, train  # noqa: E402
from helpers.lessons.cnn_learns.draw import DigitPad, cell_name  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "09_cnn_learns.ipynb"
ROUNDS = 3
GOALS = {
    "train_s": 10.0,
    "beyond_s": 15.0,
    "peak_gb": 1.0,
    "kernel_p95_ms": 50.0,
    "dom_p95_ms": 100.0,
}
OUT = ROOT / "bench" / "digits_results.md"


def training_seconds(make, rounds: int = ROUNDS) -> tuple[float, float]:
    """Median seconds to train a fresh `make()` model, and its final held-out accuracy."""
    split = digit_split()
    times, final = [], 0.0
    for _ in range(rounds):
        model = make()
        start = time.perf_counter()
        history = train(model, split)
        times.append(time.perf_counter() - start)
        final = history[-1][1]
    return statistics.median(times), final


def notebook_beyond_floor(rounds: int = ROUNDS) -> tuple[float, float, float, int]:
    """(notebook s, bare kernel s, beyond s, peak kernel bytes): median round under nbval."""
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.ipynb"
        nbformat.write(
            nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)]), floor
        )
        rows = []
        for _ in range(rounds):
            _, floor_times, _ = nbval_run([floor])
            _, times, peaks = nbval_run([NOTEBOOK])
            rows.append((times[NOTEBOOK.stem], floor_times["floor"], max(peaks, default=0)))
    rows.sort(key=lambda r: r[0] - r[1])
    notebook_s, floor_s, peak = rows[len(rows) // 2]
    return notebook_s, floor_s, notebook_s - floor_s, max(r[2] for r in rows)


def pad_latencies(repeats: int = 4) -> tuple[int, float, float]:
    """(updates, p50 ms, p95 ms) of the pad in this process: clicks on cells, load, shift, clear."""
    split = digit_split()
    model = digit_cnn()
    train(model, split)
    pad = DigitPad(model, split.test_images, split.test_labels)
    timings = []
    for _ in range(repeats):
        for row in range(8):
            for col in range(8):
                cell = pad.controls[cell_name(row, col)]
                start = time.perf_counter()
                cell.value = not cell.value  # observe() re-renders synchronously
                timings.append((time.perf_counter() - start) * 1000)
        for action in (pad.load_next_test_digit, lambda: pad.shift(1, 0), pad.clear):
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
    return len(timings), percentile(timings, 50), percentile(timings, 95)


def browser_latency() -> tuple[dict | None, str]:
    """Click-to-DOM timings from the browser test, or None and why not."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "clicks.json"
        env = dict(os.environ, SERIES_BENCH_OUT=str(out))
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                "-p",
                "no:xdist",
                "tests/browser/test_draw_digit.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if out.exists():
            return json.loads(out.read_text()), ""
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
        return None, f"not measured ({tail[0]})"


def main() -> None:
    """Measure everything, print the section and write it to bench/digits_results.md."""
    cnn_s, cnn_acc = training_seconds(digit_cnn)
    dense_s, dense_acc = training_seconds(dense_net)
    notebook_s, floor_s, beyond_s, peak = notebook_beyond_floor()
    updates, p50, p95 = pad_latencies()
    dom, why = browser_latency()
    ok = lambda good: "✔" if good else "✘"  # noqa: E731
    when = datetime.date.today().isoformat()
    lines = [
        "## Notebook 09: a CNN that learns (bench/bench_digits.py)",
        "",
        f"{when}, {platform.machine()}, {os.cpu_count()} CPU cores, Python "
        f"{platform.python_version()}; medians of {ROUNDS} runs.",
        "",
        "| what | measured | goal | |",
        "|---|---|---|---|",
        f"| training the CNN (15 epochs, one thread) | {cnn_s:.1f} s, held-out accuracy "
        f"{100 * cnn_acc:.1f} % | ≤ {GOALS['train_s']:.0f} s, ≥ 97 % | "
        f"{ok(cnn_s <= GOALS['train_s'] and cnn_acc >= 0.97)} |",
        f"| training the fully connected net | {dense_s:.1f} s, held-out accuracy "
        f"{100 * dense_acc:.1f} % | (comparison) | |",
        f"| notebook 09 under nbval, beyond a bare kernel | {beyond_s:.1f} s ({notebook_s:.1f} s "
        f"− {floor_s:.1f} s) | ≤ {GOALS['beyond_s']:.0f} s | {ok(beyond_s <= GOALS['beyond_s'])} |",
        f"| peak kernel memory | {peak / 2**30:.2f} GB | ≤ {GOALS['peak_gb']:.0f} GB | "
        f"{ok(peak / 2**30 <= GOALS['peak_gb'])} |",
        f"| draw-a-digit update in the kernel ({updates} updates) | p50 {p50:.1f} ms, p95 "
        f"{p95:.1f} ms | p95 ≤ {GOALS['kernel_p95_ms']:.0f} ms | "
        f"{ok(p95 <= GOALS['kernel_p95_ms'])} |",
    ]
    if dom is not None:
        cells, buttons = dom["cell_clicks_ms"], dom["button_clicks_ms"]
        lines.append(
            f"| draw-a-digit click on a cell to DOM, JupyterLab + Chromium ({len(cells)} clicks) "
            f"| p50 {dom['cell_p50_ms']:.0f} ms, p95 {dom['cell_p95_ms']:.0f} ms | p95 ≤ "
            f"{GOALS['dom_p95_ms']:.0f} ms | {ok(dom['cell_p95_ms'] <= GOALS['dom_p95_ms'])} |"
        )
        lines.append(
            f"| draw-a-digit buttons (load, shift, clear) to DOM ({len(buttons)} clicks) | "
            + ", ".join(f"{ms:.0f} ms" for ms in buttons)
            + " | (reported) | |"
        )
    else:
        lines.append(f"| draw-a-digit click to DOM | {why} | p95 ≤ 100 ms | |")
    text = "\n".join(lines) + "\n"
    print(text)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
