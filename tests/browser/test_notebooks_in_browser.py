"""Every notebook in JupyterLab and Chromium: Run All is clean, every explorer follows its controls.

A student's view: the notebook opened in a real JupyterLab, Run All, then each control of each
explorer moved once with the keyboard (slider handle), by typing (text box) or by a click; the
view must then show exactly what the explorer's pure function returns for the values the
controls now hold (asked of the kernel, and recomputed here when the values allow).
"""

from __future__ import annotations

from typing import Any

import pytest
from labdriver import (
    FAILURE_TEXTS,
    LOOPBACK,
    ROOT,
    cells,
    explorer_ids,
    movable_controls,
    move_control,
    open_notebook,
    probe,
    pure_function_html,
    run_all,
    stray_controls,
    view_matches,
    wait_for_move,
    wait_for_view,
    wait_for_widgets,
)

pytestmark = pytest.mark.allow_hosts(LOOPBACK)  # JupyterLab on 127.0.0.1, nothing else
NOTEBOOKS = [path.name for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def check_outputs(page: Any, name: str) -> None:
    """Every code cell ran; no output shows a widget failure or a traceback."""
    for index, cell in enumerate(cells(page)):
        if cell["type"] != "code":
            continue
        assert cell["count"] is not None, f"{name}: cell {index} did not run"
        if "raises-exception" in cell["tags"]:
            continue
        for text in FAILURE_TEXTS:
            assert text not in cell["text"], f"{name}: cell {index} shows {text!r}:\n{cell['text']}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_then_every_explorer_follows_its_controls(page: Any, name: str) -> None:
    open_notebook(page, name)
    run_all(page)
    try:
        wait_for_widgets(page)
    except Exception:  # noqa: BLE001 - check_outputs names the cell that still loads
        pass
    check_outputs(page, name)
    assert not stray_controls(page), f"{name}: controls outside an Explorer cannot be checked"

    for model_id in explorer_ids(page):
        before = probe(page, model_id)
        assert before["shown"] == before["expected"], f"{name}: explorer {model_id} is stale"
        wait_for_view(page, model_id, before["expected"])
        positions = list(movable_controls(page, model_id))
        assert positions, f"{name}: explorer {model_id} has no control a student can move"
        for position in positions:  # each control once, found afresh (ranges may follow)
            now = movable_controls(page, model_id)
            if position not in now:  # another move pinned it (a range of one value)
                continue
            kind, element = now[position]
            action = move_control(kind, element)
            after = wait_for_move(page, model_id, before)
            independent = pure_function_html(after)
            if independent is not None:
                assert after["expected"] == independent, f"{name}: {action}: kernel and test differ"
            wait_for_view(page, model_id, after["expected"])
            before = after
    check_outputs(page, name)  # moving the controls raised nothing either


BROKEN_CELLS = [
    # an explorer whose view no longer follows its slider
    "from helpers.lessons.index import kernel_size_explorer\n"
    "stale = kernel_size_explorer()\n"
    "stale.controls['kernel_size'].unobserve(stale._update, names='value')\n"
    "stale",
    # a widget view whose model the page does not have
    "from IPython.display import display\n"
    "view = {'model_id': '0' * 32, 'version_major': 2, 'version_minor': 0}\n"
    "display({'application/vnd.jupyter.widget-view+json': view}, raw=True)",
    "1 / 0",
    "print('not reached')",
]


def test_the_checks_catch_failures_a_class_would_see(page: Any, lab: Any) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in BROKEN_CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, lab.root / "notebooks" / "zz_broken.ipynb")
    open_notebook(page, "zz_broken.ipynb")
    run_all(page)
    found = cells(page)
    assert any(text in found[1]["text"] for text in FAILURE_TEXTS[:3])  # stays "Loading widget"
    assert "Traceback" in found[2]["text"] and "ZeroDivisionError" in found[2]["text"]
    assert found[3]["count"] is None
    with pytest.raises(AssertionError, match="cell 1 shows"):
        check_outputs(page, "zz_broken.ipynb")

    (model_id,) = explorer_ids(page)
    before = probe(page, model_id)
    assert view_matches(page, model_id, before["expected"])
    [(kind, element)] = movable_controls(page, model_id).values()
    move_control(kind, element)
    with pytest.raises(AssertionError, match="stale"):
        wait_for_move(page, model_id, before, timeout_s=3)
    after = probe(page, model_id)
    assert after["values"] != before["values"] and after["expected"] != before["expected"]
    assert not view_matches(page, model_id, after["expected"])
    assert pure_function_html(after) == after["expected"]
