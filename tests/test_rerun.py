"""Every code cell can be run again: a student pressing Shift-Enter twice on a cell gets the same
output the second time (no layer removed twice, no random numbers drawn afresh, ...).

Each notebook runs in one kernel, every code cell twice in a row (nbclient's `execute_cell`),
and the text of the second run's output is compared with the first's: stream text,
`text/plain`, `text/html` (with inline base64 images cut out) and errors; not widget model ids,
not PNGs. Running the whole notebook twice would hide such bugs: the earlier cells rebuild the
state before the later ones run again.

Not compared: cells tagged `rerun-differs` (a cell whose second output must differ, with a
sentence in the notebook saying why) and cells tagged `nbval-ignore-output` (their output
changes from run to run anyway: time, memory). Cells tagged `nbval-skip` are not run, as under
nbval.
"""

from __future__ import annotations

import configparser
import difflib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from notebook_files import NOTEBOOK_DIR

LOOPBACK = ["127.0.0.1", "::1"]  # the kernel's ZeroMQ ports; nothing else
RERUN_DIFFERS = "rerun-differs"
NOT_COMPARED = {RERUN_DIFFERS, "nbval-ignore-output"}
NOT_RUN = {"nbval-skip"}
COMPARED_MIME = ("text/plain", "text/html")
SANITIZE_FILE = Path(__file__).with_name("sanitize.cfg")
INLINE_IMAGE = re.compile(r"(data:image/[\w.+-]+;base64,)[A-Za-z0-9+/=\s]+")
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("0*.ipynb"))


def sanitize_rules() -> list[tuple[re.Pattern[str], str]]:
    """The (regex, replacement) pairs of nbval's sanitize file, used on both runs alike."""
    parser = configparser.ConfigParser()
    parser.read(SANITIZE_FILE, encoding="utf-8")
    return [
        (re.compile(parser[name]["regex"]), parser[name]["replace"]) for name in parser.sections()
    ]


RULES = sanitize_rules()


def sanitize(text: str) -> str:
    """`text` with inline base64 images cut out and the sanitize file's rules applied."""
    text = INLINE_IMAGE.sub(r"\1...", text)
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def output_text(outputs: list[dict]) -> str:
    """The compared text of a cell's outputs: streams joined by name, then each output's text."""
    streams: dict[str, str] = {}
    parts: list[str] = []
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
        elif kind == "error":
            parts.append(f"[error] {output['ename']}: {output['evalue']}")
        else:  # execute_result, display_data
            data = output.get("data", {})
            parts.extend(f"[{mime}]\n{data[mime]}" for mime in COMPARED_MIME if mime in data)
    joined = [f"[{name}]\n{text}" for name, text in sorted(streams.items())] + parts
    return sanitize("\n".join(joined))


def run_once(client: NotebookClient, cell: nbformat.NotebookNode, index: int) -> str:
    """Run `cell` in the client's kernel and return its compared output text (errors included)."""
    try:
        client.execute_cell(cell, index)
    except CellExecutionError as error:  # the cell's outputs hold the error too
        return output_text(cell.outputs) or f"[error] {error}"
    return output_text(cell.outputs)


def rerun_differences(path: Path) -> list[str]:
    """Run every code cell of the notebook twice in a row; describe each cell whose second
    output differs from its first (or whose first run failed)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
    )
    problems: list[str] = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            tags = set(cell.metadata.get("tags", []))
            if cell.cell_type != "code" or tags & NOT_RUN:
                continue
            first = run_once(client, cell, index)
            if "[error]" in first and "raises-exception" not in tags:
                problems.append(f"cell {index} failed on its first run:\n{first[-2000:]}")
                break  # later cells would fail for this one's sake
            second = run_once(client, cell, index)
            if second != first and not tags & NOT_COMPARED:
                heading = cell.source.splitlines()[0] if cell.source else ""
                diff = difflib.unified_diff(
                    first.splitlines(), second.splitlines(), "first run", "second run", lineterm=""
                )
                problems.append(f"cell {index} ({heading!r}):\n" + "\n".join(list(diff)[:40]))
    return problems


@pytest.mark.allow_hosts(LOOPBACK)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_cell_gives_the_same_output_when_run_twice(path: Path) -> None:
    """Shift-Enter twice on any cell: the second output equals the first."""
    problems = rerun_differences(path)
    assert not problems, (
        f"{path.name}: run twice in a row, these cells' outputs differ (fix the cell, or tag it "
        f"{RERUN_DIFFERS!r} and say in the notebook why it must differ):\n\n"
        + "\n\n".join(problems)
    )


@pytest.mark.allow_hosts(LOOPBACK)
def test_a_cell_that_changes_its_own_input_is_caught(tmp_path: Path) -> None:
    """The check itself: a cell that pops from a list each run is reported, and not once tagged."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("items = [1, 2, 3]"),
        nbformat.v4.new_code_cell("items.pop()\nprint(len(items))"),
        nbformat.v4.new_code_cell("print(sorted(items))"),
    ]
    path = tmp_path / "rerun.ipynb"
    nbformat.write(nb, path)
    (problem,) = rerun_differences(path)
    assert problem.startswith("cell 1 ('items.pop()')") and "-2" in problem and "+1" in problem
    nb.cells[1].metadata["tags"] = [RERUN_DIFFERS]
    nbformat.write(nb, path)
    assert rerun_differences(path) == []


def test_sanitize_cuts_inline_images_and_kernel_paths() -> None:
    """Base64 images and temporary kernel paths do not count as differences."""
    html = '<img src="data:image/png;base64,iVBORw0KGgo+/=">'
    assert sanitize(html) == '<img src="data:image/png;base64,...">'
    assert sanitize("/tmp/ipykernel_123/456.py:7: UserWarning") == "IPYKERNEL-CELL:7: UserWarning"
