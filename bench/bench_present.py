"""Live slides (`make present`): slide-to-slide step and slider-to-DOM latency on a slide.

For each notebook: `make present NB=..` in a temporary copy of the checkout, Chromium at
1280x720, Run All, then every deck step from the title to the end (as Space), timed from the
command to the painted frame; on the explorer's slide its slider is dragged with the mouse
DRAGS times, timed from the pointer event to the view's change in the DOM (each drag checked
against the explorer's pure function). Prints a markdown section, writes it to
bench/present_results.md, and saves the explorer's slide of the first notebook as
figures/live_slide.png (the README's picture).
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tools/, outside the package
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import labdriver as lab  # noqa: E402

GOAL_MS = 100  # the target for both p95s
RESULTS = ROOT / "bench" / "present_results.md"
FIGURE = ROOT / "figures" / "live_slide.png"


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(nb: str, drags: int, source: Path, figure: Path | None) -> dict[str, Any]:
    """Step and slider latencies of one notebook's deck (and the explorer slide's picture)."""

    def picture(page: Any) -> None:
        if figure is not None:
            page.wait_for_timeout(500)  # let the last drag's view settle on screen
            page.screenshot(path=str(figure))

    with lab.make_present(nb, source=source) as made, lab.chromium() as browser:
        context = browser.new_context(viewport=lab.PROJECTOR)
        context.set_default_timeout(60_000)
        page = context.new_page()
        lab.open_present(page, made.url)
        lab.run_all(page)
        lab.wait_for_widgets(page)
        walk = lab.walk_deck(page, f"bench_{nb}", drags=drags, at_explorer=picture)
        context.close()
    if walk.explorer_step is None or None in walk.slider_ms:
        raise RuntimeError(f"{nb}: the explorer's slide was not reached or did not update")
    return {"nb": nb, "steps": walk.steps_ms, "slider": walk.slider_ms, "failures": walk.failures}


def report(results: list[dict[str, Any]]) -> str:
    """The markdown section."""
    lines = [
        "## Live slides (make present)",
        "",
        "Chromium at 1280x720, after Run All; a step is one Space (deck:go), command to painted "
        "frame; slider-to-DOM is a mouse drag on the explorer's slide, pointer event to the "
        f"view's change. Goal: p95 <= {GOAL_MS} ms for both.",
        "",
        "| notebook | steps | step p95 (ms) | step max (ms) | drags | slider p95 (ms) "
        "| slider max (ms) | steps showing a slide that does not fit or is blank |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['nb']} | {len(r['steps'])} | {p95(r['steps']):.0f} | {max(r['steps']):.0f} "
            f"| {len(r['slider'])} | {p95(r['slider']):.0f} | {max(r['slider']):.0f} "
            f"| {len({step for step, _, _ in r['failures']})} |"
        )
    steps = [v for r in results for v in r["steps"]]
    slider = [v for r in results for v in r["slider"]]
    lines += [
        "",
        f"All: step p95 {p95(steps):.0f} ms ({'meets' if p95(steps) <= GOAL_MS else 'misses'} "
        f"the goal), slider-to-DOM p95 {p95(slider):.0f} ms "
        f"({'meets' if p95(slider) <= GOAL_MS else 'misses'} the goal).",
    ]
    failures = [
        f"- {r['nb']}, step {step}: {problem.split(' (')[0]}"
        for r in results
        for step, problem, _ in r["failures"]
    ]
    if failures:
        lines += ["", "Slides that do not fit (or are blank):", *failures]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", default=["02", "06"])
    parser.add_argument("--drags", type=int, default=20, help="slider drags per explorer")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to present")
    args = parser.parse_args(argv)
    if args.drags < 1:
        parser.error("--drags must be at least 1")
    if lab.missing_browser_reason() or shutil.which("make") is None:
        print(f"bench_present skipped: {lab.missing_browser_reason() or 'no make'}")
        return 0
    results = [
        measure(nb, args.drags, args.source, FIGURE if i == 0 else None)
        for i, nb in enumerate(args.notebooks)
    ]
    text = report(results)
    print(text)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
