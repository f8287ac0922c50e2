"""Benchmarks of the series (not tests): `make bench`, or `python bench/run_all.py [--setup]`.

Prints, and writes to bench/results.md, with the machine and the date:
- every widget's in-kernel update latency over a sweep of its controls (p50, p95);
- the series' Run All time under nbval, divided by the floor: as many bare kernels (under
  nbval too) that only import torch, numpy, matplotlib and ipywidgets, measured in the same
  run, in ROUNDS rounds of both back to back (the median round counts; reported, no goal);
- each notebook's time under nbval beyond one bare kernel, and its kernel's peak memory;
- the size of helpers/ (lines, the largest module), now and before the layout by lesson;
- slider-to-DOM latency in JupyterLab and Chromium (key press on a slider handle until the
  explorer's view changed in the page), p50 and p95 (skipped, with the reason, without Chromium);
- with --setup: `make test` on a warm set-up, and from a fresh clone with install;
- the latest results of the benchmarks that have scripts of their own (OWN_SCRIPTS).
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
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools/, outside the package
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

FLOOR_SOURCE = "import torch, numpy, matplotlib, ipywidgets"
GOALS = {"beyond_s": 3.0, "widget_p95_ms": 50.0, "dom_p95_ms": 100.0, "peak_gb": 1.0}
# The last commit before helpers/ was cut by audience and lesson (core, ui, lessons, tools/).
BEFORE_LAYOUT = "a3ff2d0"
MOVES_PER_SLIDER = 10
# Run All is timed in this many rounds (series and floor each): a shared 2-core machine varies
# by ±10 % between two runs of the same notebooks.
ROUNDS = 3
# Benchmarks with scripts of their own (each writes its section, with its own date and machine
# line, to the file named here); results.md includes the latest of each.
OWN_SCRIPTS = {
    "bench/bench_digits.py": "bench/digits_results.md",
    "bench/bench_present.py": "bench/present_results.md",
    "bench/bench_classroom.py": "bench/classroom_results.md",
}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def widget_latencies(repeats: int = 3) -> list[tuple[str, int, float, float]]:
    """(widget, updates, p50 ms, p95 ms) for every widget over sweeps and random moves."""
    from test_widgets import control_values

    from tools.widget_registry import WIDGETS

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


class PeakMemory:
    """Samples the peak RSS (VmHWM) of every process under a root pid, in start order."""

    def __init__(self, root_pid: int, interval_s: float = 0.05):
        self.root = psutil.Process(root_pid)
        self.interval_s = interval_s
        self.peaks: dict[int, int] = {}  # pid -> bytes; dicts keep first-seen order
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                children = self.root.children(recursive=True)
            except psutil.Error:
                return
            for child in children:
                try:
                    if "ipykernel" not in " ".join(child.cmdline()):
                        continue
                    status = Path(f"/proc/{child.pid}/status").read_text()
                except (psutil.Error, OSError):
                    continue
                hwm = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "")
                if hwm:
                    kb = int(hwm.split()[1])
                    self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), kb * 1024)
            time.sleep(self.interval_s)

    def finish(self) -> list[int]:
        """Peak bytes of each kernel, in the order the kernels started."""
        self.stop.set()
        self.thread.join()
        return list(self.peaks.values())


def nbval_run(paths: list[Path]) -> tuple[float, dict[str, float], list[int]]:
    """Run notebooks serially under nbval (the project's pytest options); return the wall
    seconds, the seconds per notebook (its cells' set-up, call and teardown) and each kernel's
    peak memory in bytes. Raises on a failure."""
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",  # names each notebook's test cases after the file
            str(paths[0].parent),
            "-p",
            "no:xdist",
            "-q",
            f"--junitxml={junit}",
            *map(str, paths),
        ]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        sampler = PeakMemory(process.pid)
        output, _ = process.communicate()
        wall = time.perf_counter() - start
        peaks = sampler.finish()
        if process.returncode != 0:
            raise RuntimeError(f"nbval failed:\n{output[-3000:]}")
        per_notebook: dict[str, float] = defaultdict(float)
        for case in ElementTree.parse(junit).iter("testcase"):
            per_notebook[case.get("classname", "").rsplit(".", 1)[0]] += float(case.get("time"))
    return wall, {path.stem: per_notebook[path.stem] for path in paths}, peaks


def notebook_times(rounds: int = ROUNDS) -> dict:
    """The series under nbval against as many bare kernels, `rounds` times, the two runs of a
    round back to back in alternating order; the ratio is the median of the rounds' ratios."""
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        floor_paths = []
        for index in range(len(paths)):
            path = Path(tmp) / f"floor_{index:02d}.ipynb"
            cell = nbformat.v4.new_code_cell(FLOOR_SOURCE)
            nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
            floor_paths.append(path)
        floors, series = [], []
        for round_number in range(rounds):
            if round_number % 2 == 0:
                floors.append(nbval_run(floor_paths))
                series.append(nbval_run(paths))
            else:
                series.append(nbval_run(paths))
                floors.append(nbval_run(floor_paths))
    ratios = [s[0] / f[0] for s, f in zip(series, floors, strict=True)]
    middle = sorted(range(rounds), key=lambda r: ratios[r])[rounds // 2]  # the median round
    floor_wall, floor_times, floor_peaks = floors[middle]
    series_wall, times, _ = series[middle]
    floor_each = sum(floor_times.values()) / len(floor_times)
    peaks = [max(column) for column in zip(*(run[2] for run in series), strict=False)]
    return {
        "ratios": ratios,
        "series_wall": series_wall,
        "floor_wall": floor_wall,
        "floor_each": floor_each,
        "floor_peak": max((peak for run in floors for peak in run[2]), default=0),
        "rows": [
            (path.name, times[path.stem], times[path.stem] - floor_each, peak)
            for path, peak in zip(paths, peaks + [0] * (len(paths) - len(peaks)), strict=True)
        ],
    }


def helpers_size(revision: str | None = None) -> tuple[int, int, str, int]:
    """Lines in helpers/ (at a git revision, or in the working tree): total, modules, and the
    largest module with its lines."""
    if revision is None:
        files = {str(p.relative_to(ROOT)): p.read_text() for p in ROOT.glob("helpers/**/*.py")}
    else:
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", revision, "helpers"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        files = {
            name: subprocess.run(
                ["git", "show", f"{revision}:{name}"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            for name in listing
            if name.endswith(".py")
        }
    lines = {name: len(text.splitlines()) for name, text in files.items()}
    largest = max(lines, key=lines.get)
    return sum(lines.values()), len(lines), largest, lines[largest]


# In the page: time from a key press inside an explorer to the next change of its view.
JS_TIMER = """([id, prefix]) => {
  window.seriesTimers = window.seriesTimers || {};
  if (window.seriesTimers[id]) return;
  const box = document.querySelector('.' + prefix + id);
  const content = box.lastElementChild.querySelector('.widget-html-content');
  const timer = window.seriesTimers[id] = {pressed: null, changed: null};
  const pressed = () => { timer.pressed = performance.now(); timer.changed = null; };
  box.addEventListener('keydown', pressed, true);
  new MutationObserver(() => {
    if (timer.pressed !== null && timer.changed === null) timer.changed = performance.now();
  }).observe(content, {childList: true, subtree: true, characterData: true});
}"""


def slider_to_dom_latencies() -> tuple[dict[str, list[float]], int, str]:
    """Per explorer render function: ms from a slider key press to the view's change in
    JupyterLab/Chromium; also the moves that left the view unchanged, and a note."""
    import labdriver as lab

    reason = lab.missing_browser_reason()
    if reason is not None:
        return {}, 0, f"skipped: {reason}"
    samples: dict[str, list[float]] = defaultdict(list)
    unchanged = 0
    with lab.lab_server() as server, lab.chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(60_000)
        lab.open_lab(page, server)
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            lab.open_notebook(page, path.name)
            lab.run_all(page)
            for model_id in lab.explorer_ids(page):
                name = lab.probe(page, model_id)["render"][1]
                page.evaluate(JS_TIMER, [model_id, f"{lab.EXPLORER_CLASS}-"])
                controls = lab.movable_controls(page, model_id)
                for position in [p for p, (kind, _) in controls.items() if kind == "slider"]:
                    for move in range(MOVES_PER_SLIDER):
                        current = lab.movable_controls(page, model_id)
                        if position not in current:  # pinned by another slider's range
                            break
                        handle = current[position][1]
                        now = float(handle.get_attribute("aria-valuenow"))
                        low = float(handle.get_attribute("aria-valuemin"))
                        high = float(handle.get_attribute("aria-valuemax"))
                        right = move < MOVES_PER_SLIDER // 2
                        key = "ArrowRight" if (right and now < high) or now <= low else "ArrowLeft"
                        handle.press(key)
                        try:
                            page.wait_for_function(
                                f"() => window.seriesTimers['{model_id}'].changed !== null",
                                timeout=5_000,
                                polling="raf",
                            )
                            timer = page.evaluate(f"() => window.seriesTimers['{model_id}']")
                            samples[name].append(timer["changed"] - timer["pressed"])
                        except Exception:  # noqa: BLE001 - the view did not change for this move
                            unchanged += 1
                        page.wait_for_function(lab.JS_KERNEL_IDLE, polling=50)
            lab.close_notebooks(page)
    return samples, unchanged, "JupyterLab + " + (lab.find_browser() or "")


def machine() -> str:
    """CPU model, cores, memory, OS, Python, and the load when the run started."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{model} · {os.cpu_count()} CPUs · {psutil.virtual_memory().total / 2**30:.0f} GiB · "
        f"{platform.platform()} · Python {platform.python_version()} · load average {load}"
    )


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


def mark(ok: bool) -> str:
    """A table cell saying whether a figure meets its goal."""
    return "yes" if ok else "**no**"


def main() -> int:
    """Run the benchmarks, print them and write bench/results.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--setup", action="store_true", help="also time make test (slow)")
    parser.add_argument("--no-browser", action="store_true", help="skip the slider-to-DOM part")
    args = parser.parse_args()
    lines = [
        "# Benchmark results",
        "",
        f"{datetime.datetime.now().isoformat(timespec='minutes')} · {machine()}",
        "",
        f"## Widget update in the kernel (goal: p95 ≤ {GOALS['widget_p95_ms']:.0f} ms)",
        "",
        "| widget | updates | p50 ms | p95 ms | meets goal |",
        "|---|---|---|---|---|",
    ]
    for name, count, p50, p95 in widget_latencies():
        ok = p95 <= GOALS["widget_p95_ms"]
        lines.append(f"| {name} | {count} | {p50:.2f} | {p95:.2f} | {mark(ok)} |")
    print("\n".join(lines), flush=True)

    nb = notebook_times()
    ratio = nb["series_wall"] / nb["floor_wall"]
    count = len(nb["rows"])
    section = [
        "",
        "## Run All under nbval, against bare kernels",
        "",
        f"{len(nb['ratios'])} rounds, each the series ({count} notebooks, one after another: "
        f"`pytest -p no:xdist notebooks/*.ipynb`) and the floor ({count} bare kernels that only "
        f"run `{FLOOR_SOURCE}`) back to back. Ratios per round: "
        f"{', '.join(f'{r:.2f}' for r in nb['ratios'])}. The median round: series "
        f"{nb['series_wall']:.1f} s, floor {nb['floor_wall']:.1f} s (one bare kernel: "
        f"{nb['floor_each']:.1f} s, peak {nb['floor_peak'] / 2**30:.2f} GB), ratio "
        f"**{ratio:.2f}** (reported, not a goal; every figure is drawn live).",
        "",
        "Per notebook (the median round; peak memory: the largest of all rounds):",
        "",
        f"| notebook | seconds | beyond one bare kernel (goal ≤ {GOALS['beyond_s']:.0f} s) "
        f"| peak kernel memory GB (goal ≤ {GOALS['peak_gb']}) | meets goals |",
        "|---|---|---|---|---|",
    ]
    for name, seconds, beyond, peak in nb["rows"]:
        ok = beyond <= GOALS["beyond_s"] and peak / 2**30 <= GOALS["peak_gb"]
        section.append(
            f"| {name} | {seconds:.1f} | {beyond:.1f} | {peak / 2**30:.2f} | {mark(ok)} |"
        )
    print("\n".join(section), flush=True)
    lines += section

    section = ["", "## Size of helpers/", "", "| | lines | modules | largest module |"]
    section.append("|---|---|---|---|")
    for label, revision in (("before the layout by lesson", BEFORE_LAYOUT), ("now", None)):
        try:
            total, modules, largest, largest_lines = helpers_size(revision)
        except subprocess.CalledProcessError:  # a shallow clone without that commit
            continue
        section.append(
            f"| {label} | {total:,} | {modules} | `{largest}` ({largest_lines:,} lines) |"
        )
    print("\n".join(section), flush=True)
    lines += section

    section = ["", f"## Slider to DOM in JupyterLab (goal: p95 ≤ {GOALS['dom_p95_ms']:.0f} ms)", ""]
    if args.no_browser:
        section.append("skipped (--no-browser)")
    else:
        samples, unchanged, note = slider_to_dom_latencies()
        every = [ms for values in samples.values() for ms in values]
        if every:
            p95 = percentile(every, 95)
            section += [
                f"Key press on a slider handle until the explorer's view changed in the page "
                f"({note}; {MOVES_PER_SLIDER} presses per slider; {unchanged} presses left the "
                f"view unchanged and are not counted). All: {len(every)} moves, p50 "
                f"{percentile(every, 50):.0f} ms, p95 **{p95:.0f} ms**: "
                f"{'meets the goal' if p95 <= GOALS['dom_p95_ms'] else '**misses the goal**'}.",
                "",
                "| explorer view | moves | p50 ms | p95 ms |",
                "|---|---|---|---|",
            ]
            section += [
                f"| {name} | {len(v)} | {percentile(v, 50):.0f} | {percentile(v, 95):.0f} |"
                for name, v in samples.items()
            ]
        else:
            section.append(note)
    print("\n".join(section), flush=True)
    lines += section

    if args.setup:
        section = ["", "## Set-up (goals: warm ≤ 180 s, fresh ≤ 360 s)", ""]
        section += [f"- {name}: {sec:.0f} s" for name, sec in setup_times()]
        print("\n".join(section), flush=True)
        lines += section
    lines += own_script_sections()
    (ROOT / "bench" / "results.md").write_text("\n".join(lines) + "\n")
    return 0


def own_script_sections() -> list[str]:
    """The latest results of the benchmarks with scripts of their own (OWN_SCRIPTS)."""
    lines = []
    for script, results in OWN_SCRIPTS.items():
        path = ROOT / results
        lines += ["", "---", ""]
        if path.exists():
            lines += [f"*From `python {script}` ({results}):*", "", path.read_text().strip()]
        else:
            lines.append(f"*`python {script}` has not written {results} yet.*")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
