"""A whole class on JupyterHub: N students at once, every notebook, through a real local hub.

For each N (default 10, 5, 1): a fresh JupyterHub on loopback (deploy/jupyterhub_config.py with
a dummy authenticator and the simple local-process spawner, tools/classroom.py), N students
log in through the REST API at the same moment, start their servers, and each runs every
notebook one after another (Run All over the kernel websocket, one kernel per notebook, shut
down after it); every output must equal the committed one. Measured: per-student peak memory
(server + kernels, sampled every 0.25 s), the kernel's CPU-seconds per notebook, Run All time
per notebook (first execute request to last reply) p50/p95, and every failure. From them, the
per-student limits and the students per node (tools/classroom.py: `limits`,
`students_per_node`). Prints, and writes bench/classroom_results.md. Run:
    .venv/bin/python bench/bench_classroom.py [--students 10 5 1] [--notebooks 00_index.ipynb]
(the largest class first: the goal is about it; results are written after each N).
Needs configurable-http-proxy: `.venv/bin/python -m tools.classroom proxy` installs it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools/, outside the package

from tools import classroom  # noqa: E402

RESULTS = ROOT / "bench" / "classroom_results.md"
GOALS = {"failures": 0, "run_all_p95_s": 30.0, "peak_student_gb": 1.0, "students": 10}


def machine() -> str:
    """CPU model, cores, memory, OS and Python (the load is given per run)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run_all import machine as full

    return full().rsplit(" · load average", 1)[0]


def measure(n: int, notebooks: list[str]) -> dict:
    """One class of n students on a fresh hub: the summary, with the load average before."""
    load = os.getloadavg()
    with classroom.running_hub() as hub:
        result = classroom.run_class(hub, n, notebooks)
    numbers = classroom.summary(result)
    numbers["load_before"] = load
    numbers["cpu_per_run"] = {
        name: [r.cpu_s for r in result.runs if r.notebook == name] for name in notebooks
    }
    return numbers


def measured_from(runs: list[dict]) -> dict:
    """The numbers the sizing uses, from these runs (the largest N's CPU, the largest peak)."""
    last = max(runs, key=lambda r: r["students"])
    return {
        "date": datetime.date.today().isoformat(),
        "peak_student_gb": round(max(r["peak_student_gb"] for r in runs), 2),
        "heaviest_notebook_cpu_s": round(max(v["cpu_s"] for v in last["by_notebook"].values()), 1),
        "series_cpu_s": round(last["series_cpu_s"], 1),
    }


def mark(ok: bool) -> str:
    """A table cell saying whether a figure meets its goal."""
    return "yes" if ok else "**no**"


def report(runs: list[dict], notebooks: list[str]) -> str:
    """The markdown section for bench/classroom_results.md."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H:%M")
    lines = [
        "## A whole class on JupyterHub",
        "",
        f"{stamp} · {machine()}",
        "",
        "A real JupyterHub 6.1.1 on loopback (deploy/jupyterhub_config.py, overridden with a "
        "dummy authenticator and the simple local-process spawner), configurable-http-proxy "
        f"{classroom.PROXY_VERSION}. N students log in through the REST API at the same moment, "
        "start their servers and each runs every notebook one after another (Run All over the "
        "kernel websocket, a fresh kernel per notebook, shut down after it); outputs are "
        "compared with the committed ones as nbval compares them. The load average is the "
        "machine's before each run (other work shares these cores).",
        "",
        "| students | load before | failures | peak memory per student GiB (goal ≤ 1) "
        "| hub + proxy GiB | server start p95 s | Run All p50 s | Run All p95 s (goal ≤ 30) "
        "| kernel CPU-s per student, whole series | wall s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        load = ", ".join(f"{x:.1f}" for x in r["load_before"])
        lines.append(
            f"| {r['students']} | {load} | {len(r['failures'])} "
            f"| {r['peak_student_gb']:.2f} | {r['hub_proxy_gb']:.2f} | {r['spawn_p95_s']:.1f} "
            f"| {r['run_all_p50_s']:.1f} | {r['run_all_p95_s']:.1f} "
            f"| {r['series_cpu_s']:.1f} | {r['wall_s']:.0f} |"
        )
    ns = [r["students"] for r in runs]
    lines += [
        "",
        "Per notebook: the kernel's CPU-seconds for one Run All (median over the students) and "
        "Run All time p50 / p95 in seconds, at each N:",
        "",
        "| notebook | "
        + " | ".join(f"CPU-s, N={n}" for n in ns)
        + " | "
        + " | ".join(f"p50 / p95 s, N={n}" for n in ns)
        + " |",
        "|---|" + "---|" * (2 * len(ns)),
    ]
    for name in notebooks:
        cpu = [f"{r['by_notebook'][name]['cpu_s']:.1f}" for r in runs]
        times = [
            f"{r['by_notebook'][name]['p50_s']:.1f} / {r['by_notebook'][name]['p95_s']:.1f}"
            for r in runs
        ]
        lines.append(f"| {name} | " + " | ".join(cpu) + " | " + " | ".join(times) + " |")
    failures = [f"N={r['students']}: {f}" for r in runs for f in r["failures"]]
    lines += ["", f"Failures: {len(failures)}."]
    lines += [f"- {line[:300]}" for line in failures[:30]]
    if len(failures) > 30:
        lines.append(f"- ... and {len(failures) - 30} more")
    events = [f"N={r['students']}: {line}" for r in runs for line in r.get("server_log", [])]
    if events:
        lines += ["", "What the students' servers logged about their kernels:", ""]
        lines += [f"    {line[:300]}" for line in events]
    largest = max(runs, key=lambda r: r["students"])
    goal_lines = [
        f"{largest['students']} students at once: {len(largest['failures'])} failures "
        f"({mark(not largest['failures'])}), Run All p95 {largest['run_all_p95_s']:.1f} s "
        f"({mark(largest['run_all_p95_s'] <= GOALS['run_all_p95_s'])}), peak memory per student "
        f"{max(r['peak_student_gb'] for r in runs):.2f} GiB "
        f"({mark(max(r['peak_student_gb'] for r in runs) <= GOALS['peak_student_gb'])})."
    ]
    measured = measured_from(runs)
    shipped = classroom.MEASURED
    lines += [
        "",
        "Goals (" + ", ".join(f"{k} {v}" for k, v in GOALS.items()) + "): " + goal_lines[0],
        "",
        "### Sizing",
        "",
        f"From this run: peak memory per student {measured['peak_student_gb']} GiB, the "
        f"heaviest notebook's Run All {measured['heaviest_notebook_cpu_s']} kernel CPU-s, the "
        f"whole series {measured['series_cpu_s']} CPU-s per student. Assumed pacing: the whole "
        "room presses Run All on the same notebook within the same minute (a lecture), and "
        f"that Run All must finish within {classroom.RUN_ALL_GOAL_S:.0f} s for everyone; the "
        f"system, the hub and the proxy keep {classroom.NODE_RESERVE_GB:.0f} GiB and "
        f"{classroom.NODE_RESERVE_CORES} core. Students per node = the smaller of "
        "(memory − reserve) / memory guarantee and (cores − reserve) × "
        f"{classroom.RUN_ALL_GOAL_S:.0f} s / heaviest notebook's CPU-s.",
        "",
        classroom.sizing_table(measured),
        "",
        f"Per student: {classroom.limits(measured)}.",
        "",
        f"The shipped deploy/ files are sized from tools/classroom.py `MEASURED` "
        f"({shipped}); "
        + (
            "this run agrees with it."
            if classroom.limits(measured) == classroom.limits(shipped)
            and classroom.sizing_table(measured) == classroom.sizing_table(shipped)
            else "this run differs: update MEASURED, deploy/ and the README (tests/test_deploy.py "
            "checks they agree)."
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure each N, print and write bench/classroom_results.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, nargs="+", default=[10, 5, 1])
    parser.add_argument("--notebooks", nargs="+", default=None)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    reason = classroom.missing_hub_reason()
    if reason is not None:
        print(f"cannot run: {reason}")
        return 1
    notebooks = args.notebooks or classroom.notebook_names()
    runs = []
    for n in args.students:
        print(f"{n} students, {len(notebooks)} notebooks each (load {os.getloadavg()[0]:.1f})")
        runs.append(measure(n, notebooks))
        cpu = statistics.fmean(c for v in runs[-1]["cpu_per_run"].values() for c in v)
        print(
            f"  failures {len(runs[-1]['failures'])}, p95 {runs[-1]['run_all_p95_s']:.1f} s, "
            f"peak {runs[-1]['peak_student_gb']:.2f} GiB, mean CPU-s per notebook {cpu:.1f}"
        )
        # Written after each N, so that a run stopped early still leaves what it measured.
        text = report(sorted(runs, key=lambda r: r["students"]), notebooks)
        if not args.no_write:
            RESULTS.write_text(text)
    print(text)
    print("MEASURED =", measured_from(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
