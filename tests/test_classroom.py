"""A class on a real local JupyterHub: two students run a notebook through their own servers.

The hub is the shipped deploy/jupyterhub_config.py with a dummy authenticator and the simple
local-process spawner (tools/classroom.py); bench/bench_classroom.py is the long version
(N = 1, 5, 10, every notebook). Without configurable-http-proxy (npm) the hub test skips and
says why; under CI=true it fails instead.
"""

from __future__ import annotations

import os

import nbformat
import pytest

from tools import classroom

LOOPBACK = ["127.0.0.1", "::1"]
SHORT_NOTEBOOKS = ["00_index.ipynb"]  # the series' quickest (the hub test stays under a minute)


@pytest.fixture(scope="module")
def hub():
    """A JupyterHub on loopback; skip with the reason when it cannot start here."""
    reason = classroom.missing_hub_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the JupyterHub test cannot run under CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with classroom.running_hub() as running:
        yield running


@pytest.mark.allow_hosts(LOOPBACK)  # the hub, its proxy and the servers listen on 127.0.0.1
def test_two_students_run_a_notebook_through_the_hub_with_the_committed_outputs(hub):
    result = classroom.run_class(hub, 2, SHORT_NOTEBOOKS)
    assert result.failures() == []
    for student in result.students:
        assert [run.notebook for run in student.runs] == SHORT_NOTEBOOKS
        assert student.peak_bytes > 50 * 2**20  # a server and a kernel were sampled
        for run in student.runs:
            assert run.seconds > 0 and run.cpu_s > 0
    numbers = classroom.summary(result)
    assert numbers["students"] == 2 and numbers["failures"] == []
    assert set(numbers["by_notebook"]) == set(SHORT_NOTEBOOKS)


def test_the_test_hub_runs_the_shipped_config():
    ports = {"proxy": 1, "hub": 2, "proxy_api": 3}
    text = classroom.hub_config(classroom.ROOT / "x", "token", ports, classroom.ROOT / "chp")
    assert text.splitlines()[1] == f"load_subconfig({str(classroom.DEPLOY_CONFIG)!r})"
    args = list(classroom.deploy_config().Spawner.args)  # the kernel culling of deploy/
    args += ["--allow-root"] if os.geteuid() == 0 else []
    assert f"c.Spawner.args = {args!r}" in text.splitlines()
    assert "c.JupyterHub.spawner_class = 'simple'" in text


def _cell(source: str, outputs: list, tags: list[str] | None = None):
    """A code cell as the committed notebooks store it."""
    cell = nbformat.v4.new_code_cell(source, outputs=[nbformat.from_dict(o) for o in outputs])
    cell.execution_count = 1
    if tags:
        cell.metadata["tags"] = tags
    return cell


def test_outputs_are_compared_as_nbval_compares_them():
    patterns = classroom.sanitize_patterns()
    saved = [
        {"output_type": "stream", "name": "stdout", "text": "a = 1\n"},
        {"output_type": "stream", "name": "stdout", "text": "at 0x7f00deadbeef\n"},
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "text/plain": "VBox()",
                "application/vnd.jupyter.widget-view+json": {"model_id": "abc"},
                "image/png": "AAAA",
            },
        },
    ]
    same = [
        {"output_type": "stream", "name": "stdout", "text": "a = 1\nat 0x7f00cafe1234\n"},
        {
            "output_type": "display_data",
            "data": {
                "text/plain": "VBox()",
                "application/vnd.jupyter.widget-view+json": {"model_id": "other"},
                "image/png": "BBBB",
            },
        },
    ]
    assert classroom.output_mismatch(same, saved, patterns) is None
    changed = [dict(same[0], text="a = 2\nat 0x7f00cafe1234\n"), same[1]]
    assert "stdout" in classroom.output_mismatch(changed, saved, patterns)
    assert "output fields" in classroom.output_mismatch(same[:1], saved, patterns)
    error = [{"output_type": "error", "ename": "ValueError", "evalue": "bad"}]
    assert classroom.output_mismatch(error, [], patterns) is not None


def test_cell_tags_decide_what_runs_and_what_is_compared():
    assert classroom.cell_options(_cell("x = 1", [])) == {
        "check": True,
        "skip": False,
        "check_exception": False,
    }
    assert classroom.cell_options(_cell("x", [], ["nbval-ignore-output"]))["check"] is False
    assert classroom.cell_options(_cell("x", [], ["nbval-skip"]))["skip"] is True
    assert classroom.cell_options(_cell("x", [], ["raises-exception"]))["check_exception"]
    assert classroom.cell_options(_cell("# NBVAL_SKIP\nx", []))["skip"] is True


def test_bad_class_sizes_are_named_errors():
    with pytest.raises(ValueError, match="at least 1"):
        classroom.run_class(None, 0)
    with pytest.raises(ValueError, match="no such notebooks"):
        classroom.run_class(None, 1, ["99_missing.ipynb"])


def test_percentiles_by_nearest_rank():
    values = [float(v) for v in range(1, 21)]
    assert classroom.percentile(values, 50) == 10.0
    assert classroom.percentile(values, 95) == 19.0
    assert classroom.percentile([3.0], 95) == 3.0
    with pytest.raises(ValueError):
        classroom.percentile([], 50)


def test_kernel_events_pick_what_tells_why_a_run_failed():
    log = "\n".join(
        [
            "[I 10:00:01 ServerApp] Kernel started: 42",
            "[W 10:00:09 ServerApp] KernelRestarter: restarting kernel (1/5), keep random ports",
            "[I 10:00:10 ServerApp] Saving file at /notebooks/06.ipynb",
            "[W 10:01:00 ServerApp] Culling 'idle' kernel 'python3' (42)",
        ]
    )
    assert classroom.kernel_events(log) == [
        "[W 10:00:09 ServerApp] KernelRestarter: restarting kernel (1/5), keep random ports",
        "[W 10:01:00 ServerApp] Culling 'idle' kernel 'python3' (42)",
    ]
    assert classroom.kernel_events(log, limit=1) == [
        "[W 10:01:00 ServerApp] Culling 'idle' kernel 'python3' (42)"
    ]
    assert classroom.kernel_events("[I] all well") == []
