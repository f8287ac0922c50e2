"""A whole class on JupyterHub, on this machine: the harness of the load test and the sizing.

A real JupyterHub (`jupyterhub` from pip, `configurable-http-proxy` from npm) starts on loopback
with the shipped deploy/jupyterhub_config.py, overridden only where a test must differ: a dummy
authenticator, the simple local-process spawner, loopback ports and every state file in a
temporary folder. Simulated students then log in through the hub's REST API (each gets a token
of their own), start their server, and run every notebook through it over the kernel websocket,
as JupyterLab's Run All does. Outputs are compared with the committed ones the way nbval does
(tests/sanitize.cfg; widget views and images are not compared). While they work, the memory of
each student's server and kernels is sampled.

Used by tests/test_classroom.py (short) and bench/bench_classroom.py (N = 1, 5, 10). The proxy
is installed once into build/hub-proxy: `python -m tools.classroom proxy`.
The measured numbers the deployment files are sized from are MEASURED below (one source of
truth: tests/test_deploy.py checks deploy/ and the README against `limits()` and
`students_per_node()`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import psutil
import websocket
from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from nbval.plugin import (
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
    get_sanitize_patterns,
)
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DEPLOY_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
SANITIZE_FILE = ROOT / "tests" / "sanitize.cfg"
PROXY_PREFIX = ROOT / "build" / "hub-proxy"
PROXY_PACKAGE = "configurable-http-proxy"
PROXY_VERSION = "5.3.0"
LOOPBACK = "127.0.0.1"
# What the hub's service token may do: make users, give them tokens, start their servers, and
# read each server's pid (for the memory samples).
SERVICE_SCOPES = ["admin:users", "admin:servers", "admin:server_state", "access:servers", "tokens"]
# nbval compares everything else; widget model ids are random and images are not compared.
SKIP_COMPARE = {
    "metadata",
    "traceback",
    "prompt_number",
    "output_type",
    "execution_count",
    "application/vnd.jupyter.widget-view+json",
    "image/png",
    "image/jpeg",
}
SAMPLE_EVERY_S = 0.25
GB = 1024**3

# The load test's numbers on a 2-core machine (bench/classroom_results.md, N = 10): the largest
# per-student peak memory (server + kernel, GiB) and the kernel CPU-seconds of a Run All of the
# heaviest notebook and of the whole series. deploy/ and the README are sized from these.
MEASURED = {
    "date": "2026-12-03",
    "peak_student_gb": 1.04,
    "heaviest_notebook_cpu_s": 11.5,
    "series_cpu_s": 67.8,
}
# Sizing assumptions (stated in the README and the results): the whole room presses Run All on
# the same notebook within the same minute, and that Run All must finish within RUN_ALL_GOAL_S
# for everyone; the hub, the proxy and the system keep NODE_RESERVE_GB and NODE_RESERVE_CORES.
RUN_ALL_GOAL_S = 30.0
NODE_RESERVE_GB = 2.0
NODE_RESERVE_CORES = 0.5
# Memory limit: the measured peak with this headroom (a student who edits and re-runs cells
# keeps more objects alive), rounded up to MEMORY_STEP_GB.
MEMORY_HEADROOM = 1.5
MEMORY_STEP_GB = 0.5
NODES = [(4, 16), (16, 64)]  # (cores, GiB) of the nodes the sizing table covers


# ---------------------------------------------------------------------------------------------
# Sizing: what deploy/ and the README are checked against.


def _round_up(value: float, step: float) -> float:
    """value rounded up to a multiple of step."""
    return math.ceil(round(value / step, 6)) * step


def limits(measured: Mapping[str, Any] = MEASURED) -> dict[str, float]:
    """Per-student limits and guarantees (GiB, cores) derived from the measured numbers."""
    guarantee = _round_up(measured["peak_student_gb"], MEMORY_STEP_GB)
    limit = _round_up(measured["peak_student_gb"] * MEMORY_HEADROOM, MEMORY_STEP_GB)
    # One core at most: a kernel runs one Run All at a time and OMP_NUM_THREADS=1.
    cpu_guarantee = round(measured["heaviest_notebook_cpu_s"] / RUN_ALL_GOAL_S, 2)
    return {
        "mem_guarantee_gb": guarantee,
        "mem_limit_gb": limit,
        "cpu_guarantee": min(1.0, cpu_guarantee),
        "cpu_limit": 1.0,
    }


def memory_text(gb: float) -> str:
    """A memory size as JupyterHub and Kubernetes configs write it: 1.5 -> "1.5G", 1.0 -> "1G"."""
    if not isinstance(gb, int | float) or gb <= 0:
        raise ValueError(f"memory must be a positive number of GiB; got {gb!r}")
    return f"{gb:g}G"


def nbgitpuller_link(
    hub: str, repo: str, branch: str = "main", path: str = "notebooks/00_index.ipynb"
) -> str:
    """The link that clones (or updates) repo into a student's home and opens path in JupyterLab."""
    if not hub.startswith(("http://", "https://")) or not repo.startswith(("http", "git@")):
        raise ValueError(f"hub and repo must be URLs (https://...); got {hub!r}, {repo!r}")
    folder = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urllib.parse.urlencode(
        {"repo": repo, "urlpath": f"lab/tree/{folder}/{path}", "branch": branch}
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def students_per_node(
    cores: float, memory_gb: float, measured: Mapping[str, Any] = MEASURED
) -> dict[str, int]:
    """Students one node holds: bound by memory, by CPU under the stated pacing, and both."""
    if cores <= NODE_RESERVE_CORES or memory_gb <= NODE_RESERVE_GB:
        raise ValueError(
            f"a node needs more than {NODE_RESERVE_CORES} cores and {NODE_RESERVE_GB} GiB "
            f"(kept for the system and the hub); got {cores} cores, {memory_gb} GiB"
        )
    by_memory = math.floor((memory_gb - NODE_RESERVE_GB) / limits(measured)["mem_guarantee_gb"])
    cpu_s = measured["heaviest_notebook_cpu_s"]
    by_cpu = math.floor((cores - NODE_RESERVE_CORES) * RUN_ALL_GOAL_S / cpu_s)
    return {"by_memory": by_memory, "by_cpu": by_cpu, "students": min(by_memory, by_cpu)}


def sizing_table(measured: Mapping[str, Any] = MEASURED) -> str:
    """The sizing table (markdown) for the nodes of NODES."""
    rows = [
        "| node | students (memory bound) | students (CPU bound) | students per node |",
        "|---|---|---|---|",
    ]
    for cores, memory in NODES:
        fit = students_per_node(cores, memory, measured)
        rows.append(
            f"| {cores} cores / {memory} GB | {fit['by_memory']} | {fit['by_cpu']} "
            f"| **{fit['students']}** |"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# The proxy, from npm.


def proxy_path(prefix: Path = PROXY_PREFIX) -> Path | None:
    """configurable-http-proxy installed in prefix (else on PATH), or None."""
    local = prefix / "node_modules" / ".bin" / "configurable-http-proxy"
    if os.access(local, os.X_OK):
        return local
    found = shutil.which("configurable-http-proxy")
    return Path(found) if found else None


def missing_hub_reason(prefix: Path = PROXY_PREFIX) -> str | None:
    """Why a local JupyterHub cannot start here, or None when it can."""
    if shutil.which("jupyterhub", path=str(Path(sys.executable).parent)) is None:
        return "jupyterhub is not installed beside this Python (make setup installs it)"
    if shutil.which("node") is None:
        return "no Node.js (node): configurable-http-proxy, JupyterHub's proxy, needs it"
    if proxy_path(prefix) is None:
        return (
            f"configurable-http-proxy is not installed (in {prefix} or on PATH); "
            "install it once with `python -m tools.classroom proxy` (needs npm and the network)"
        )
    return None


def npm_command(prefix: Path = PROXY_PREFIX) -> list[str]:
    """The npm command that installs the pinned proxy into prefix, npm's cache beside it."""
    return [
        "npm",
        "install",
        "--prefix",
        str(prefix),
        "--cache",
        str(prefix.parent / "npm-cache"),
        "--no-audit",
        "--no-fund",
        "--save-exact",
        f"{PROXY_PACKAGE}@{PROXY_VERSION}",
    ]


def install_proxy(prefix: Path = PROXY_PREFIX) -> bool:
    """npm-install the pinned configurable-http-proxy into prefix unless there; True if it ran."""
    package = prefix / "node_modules" / PROXY_PACKAGE / "package.json"
    if package.is_file() and json.loads(package.read_text())["version"] == PROXY_VERSION:
        return False
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed: install Node.js (it brings npm)")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(npm_command(prefix), check=True)
    return True


# ---------------------------------------------------------------------------------------------
# The hub.


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def deploy_config(path: Path = DEPLOY_CONFIG) -> Config:
    """The settings a config file makes, read as JupyterHub reads it (`c = get_config()`)."""
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(path), "__name__": "config"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return config


def hub_config(state: Path, token: str, ports: Mapping[str, int], proxy: Path) -> str:
    """A config file: the shipped one, then what a local test must change (all paths absolute)."""
    venv_bin = Path(sys.executable).parent
    args = list(deploy_config().Spawner.get("args", []))
    if os.geteuid() == 0:
        args.append("--allow-root")  # else the server exits at once
    overrides = {
        "JupyterHub.authenticator_class": "dummy",
        "Authenticator.allow_all": True,
        "JupyterHub.spawner_class": "simple",
        "SimpleLocalProcessSpawner.home_dir_template": str(state / "homes" / "{username}"),
        "Spawner.cmd": [str(venv_bin / "jupyterhub-singleuser")],
        "Spawner.args": args,
        "JupyterHub.bind_url": f"http://{LOOPBACK}:{ports['proxy']}",
        "JupyterHub.hub_bind_url": f"http://{LOOPBACK}:{ports['hub']}",
        "ConfigurableHTTPProxy.api_url": f"http://{LOOPBACK}:{ports['proxy_api']}",
        "ConfigurableHTTPProxy.command": [str(proxy)],
        "ConfigurableHTTPProxy.pid_file": str(state / "proxy.pid"),
        "JupyterHub.pid_file": str(state / "hub.pid"),
        "JupyterHub.db_url": f"sqlite:///{state / 'hub.sqlite'}",
        "JupyterHub.cookie_secret_file": str(state / "cookie_secret"),
        "JupyterHub.services": [{"name": "classroom", "api_token": token}],
        "JupyterHub.load_roles": [
            {"name": "classroom", "scopes": SERVICE_SCOPES, "services": ["classroom"]}
        ],
        "JupyterHub.log_level": "WARN",
    }
    lines = [
        "# The shipped deploy/jupyterhub_config.py, then the local test's overrides.",
        f"load_subconfig({str(DEPLOY_CONFIG)!r})",
    ]
    lines += [f"c.{key} = {value!r}" for key, value in overrides.items()]
    return "\n".join(lines) + "\n"


class HubError(RuntimeError):
    """The hub, a server or a kernel did not do what the load test asked."""


@dataclass
class Hub:
    """A running JupyterHub: where it answers, its service token, its state folder."""

    url: str
    token: str
    state: Path
    process: subprocess.Popen

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        timeout: float = 60,
    ) -> Any:
        """Call a REST endpoint of the hub or of a server (path from the root); JSON or None."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"token {token or self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise HubError(f"{method} {path}: HTTP {error.code} {detail}") from None
        return json.loads(text) if text else None

    def log(self, tail: int | None = 3000) -> str:
        """The hub's log so far (its last `tail` characters; None: all of it). The students'
        servers, started by the hub, write into it too."""
        text = (self.state / "hub.log").read_text(errors="replace")
        return text if tail is None else text[-tail:]


def _wait_for_hub(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll the hub's API through the proxy until it answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/hub/api/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None:
            raise HubError(f"jupyterhub exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise HubError(f"jupyterhub did not answer in {timeout:.0f} s")
        time.sleep(0.25)


@contextmanager
def running_hub(timeout: float = 60) -> Iterator[Hub]:
    """A JupyterHub on loopback, its state in a temporary folder; stopped with what it started."""
    reason = missing_hub_reason()
    if reason is not None:
        raise HubError(reason)
    with tempfile.TemporaryDirectory(prefix="classroom-") as tmp:
        state = Path(tmp)
        token = secrets.token_hex(24)
        ports = {"proxy": free_port(), "hub": free_port(), "proxy_api": free_port()}
        config = state / "jupyterhub_config.py"
        config.write_text(hub_config(state, token, ports, proxy_path()))
        hub_bin = Path(sys.executable).parent / "jupyterhub"
        with open(state / "hub.log", "wb") as log:
            process = subprocess.Popen(
                [str(hub_bin), "-f", str(config)],
                cwd=state,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        hub = Hub(f"http://{LOOPBACK}:{ports['proxy']}", token, state, process)
        try:
            try:
                _wait_for_hub(hub.url, process, timeout)
            except HubError as error:
                raise HubError(f"{error}\n{hub.log()}") from None
            yield hub
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the hub (it stops proxy, servers and kernels), then end whatever it left."""
    try:
        left = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        left = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for child in left:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


# ---------------------------------------------------------------------------------------------
# A notebook through a student's server.


def sanitize_patterns(path: Path = SANITIZE_FILE) -> list[tuple[str, str]]:
    """The (regex, replacement) pairs nbval applies before comparing outputs."""
    return get_sanitize_patterns(path.read_text())


def cell_options(cell: Mapping[str, Any]) -> dict[str, bool]:
    """nbval's options for a cell (skip, check, check_exception) from its tags and comments."""
    options = {"check": True, "skip": False, "check_exception": False}
    options.update(find_comment_markers(cell["source"]))
    options.update(find_metadata_tags(cell.get("metadata", {})))
    return options


def comparable(outputs: Sequence[Any], patterns: Sequence[tuple[str, str]]) -> dict[str, list]:
    """Outputs grouped by MIME type or stream name, sanitized, as nbval compares them."""
    grouped: dict[str, list] = defaultdict(list)
    nodes = [nbformat.from_dict(dict(output)) for output in outputs]
    for output in coalesce_streams(nodes):
        items: dict[str, Any] = {}
        if output["output_type"] == "stream":
            items[output["name"]] = output["text"]
        else:
            for key, value in output.items():
                if key == "data":
                    items.update(value)
                elif key != "name":
                    items[key] = value
        for key, value in items.items():
            if key in SKIP_COMPARE:
                continue
            if isinstance(value, list):  # a multi-line string as nbformat stores it
                value = "".join(value)
            if isinstance(value, str):
                for regex, replace in patterns:
                    value = re.sub(regex, replace, value)
            grouped[key].append(value)
    return dict(grouped)


def output_mismatch(
    got: Sequence[Any], expected: Sequence[Any], patterns: Sequence[tuple[str, str]]
) -> str | None:
    """None when the outputs agree as nbval compares them; else what differs, in one line."""
    left, right = comparable(got, patterns), comparable(expected, patterns)
    if set(left) != set(right):
        return f"output fields {sorted(left)} != saved {sorted(right)}"
    for key in right:
        if left[key] != right[key]:
            shown = [str(v)[:120] for v in left[key]], [str(v)[:120] for v in right[key]]
            return f"{key}: {shown[0]} != saved {shown[1]}"
    return None


def _message(msg_type: str, content: dict[str, Any], session: str) -> dict[str, Any]:
    """A Jupyter message for the shell channel (the websocket's JSON form)."""
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": "student",
        "session": session,
        "date": datetime.datetime.now(datetime.UTC).isoformat(),
        "version": "5.3",
    }
    return {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }


def _receive(ws: websocket.WebSocket) -> dict[str, Any]:
    """The next message from a kernel websocket (binary frames carry widget buffers)."""
    frame = ws.recv()
    if isinstance(frame, bytes):
        return deserialize_binary_message(frame)
    return json.loads(frame)


@dataclass
class NotebookRun:
    """One student's Run All of one notebook."""

    user: str
    notebook: str
    seconds: float = 0.0
    cpu_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every cell ran and printed what the committed notebook shows."""
        return not self.problems


def _kernel_process(server_pid: int, kernel_id: str, timeout: float = 30) -> psutil.Process:
    """The kernel process with this id among the server's children."""
    deadline = time.monotonic() + timeout
    while True:
        for child in psutil.Process(server_pid).children(recursive=True):
            try:
                if any(kernel_id in part for part in child.cmdline()):
                    return child
            except psutil.NoSuchProcess:
                continue
        if time.monotonic() > deadline:
            raise HubError(f"no process for kernel {kernel_id}")
        time.sleep(0.1)


def _cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU time of a process so far."""
    times = process.cpu_times()
    return times.user + times.system


def run_notebook(
    hub: Hub,
    user: str,
    token: str,
    server_pid: int,
    name: str,
    patterns: Sequence[tuple[str, str]],
    timeout: float = 600,
) -> NotebookRun:
    """Run All of notebooks/name in a new kernel of the user's server; compare, shut down."""
    run = NotebookRun(user, name)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    model = {"path": f"notebooks/{name}", "type": "notebook", "name": name}
    model["kernel"] = {"name": "python3"}
    session = hub.api("POST", f"/user/{user}/api/sessions", model, token=token, timeout=timeout)
    kernel_id = session["kernel"]["id"]
    try:
        kernel = _kernel_process(server_pid, kernel_id)
        url = hub.url.replace("http", "ws", 1)
        url += f"/user/{user}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        ws = websocket.create_connection(
            url, header=[f"Authorization: token {token}"], timeout=timeout
        )
        try:
            _execute_all(ws, nb, run, kernel, patterns, timeout)
        finally:
            ws.close()
    except (HubError, OSError, websocket.WebSocketException, psutil.Error) as error:
        run.problems.append(f"{type(error).__name__}: {error}")
    finally:
        try:
            hub.api("DELETE", f"/user/{user}/api/sessions/{session['id']}", token=token)
        except (HubError, OSError) as error:
            run.problems.append(f"shutting the kernel down: {error}")
    return run


def _execute_all(
    ws: websocket.WebSocket,
    nb: Any,
    run: NotebookRun,
    kernel: psutil.Process,
    patterns: Sequence[tuple[str, str]],
    timeout: float,
) -> None:
    """Send every code cell at once (Run All), collect outputs per cell, check them."""
    session = uuid.uuid4().hex
    info = _message("kernel_info_request", {}, session)
    ws.send(json.dumps(info))
    while _receive(ws).get("parent_header", {}).get("msg_id") != info["header"]["msg_id"]:
        pass
    cells = {}
    requests = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell_options(cell)["skip"]:
            continue
        content = {
            "code": cell.source,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        }
        message = _message("execute_request", content, session)
        cells[message["header"]["msg_id"]] = index
        requests.append(message)
    outputs: dict[str, list] = defaultdict(list)
    waiting = {msg_id: {"idle", "reply"} for msg_id in cells}
    cpu_before = _cpu_seconds(kernel)
    start = time.perf_counter()
    for message in requests:
        ws.send(json.dumps(message))
    deadline = time.monotonic() + timeout
    while any(waiting.values()):
        if time.monotonic() > deadline:
            raise HubError(f"Run All did not finish in {timeout:.0f} s")
        message = _receive(ws)
        parent = message.get("parent_header", {}).get("msg_id")
        if parent not in cells:
            continue
        kind = message["msg_type"]
        content = message["content"]
        if kind == "execute_reply":
            waiting[parent].discard("reply")
            if content.get("status") == "aborted":
                run.problems.append(f"cell {cells[parent]}: aborted after an earlier error")
        elif kind == "status" and content.get("execution_state") == "idle":
            waiting[parent].discard("idle")
        elif kind == "stream":
            outputs[parent].append(
                {"output_type": "stream", "name": content["name"], "text": content["text"]}
            )
        elif kind in ("display_data", "execute_result"):
            outputs[parent].append({"output_type": kind, "data": content["data"]})
        elif kind == "error":
            outputs[parent].append(
                {"output_type": "error", "ename": content["ename"], "evalue": content["evalue"]}
            )
    run.seconds = time.perf_counter() - start
    run.cpu_s = _cpu_seconds(kernel) - cpu_before
    for msg_id, index in cells.items():
        cell = nb.cells[index]
        options = cell_options(cell)
        got = outputs[msg_id]
        errors = [o for o in got if o["output_type"] == "error"]
        if errors and not options["check_exception"]:
            run.problems.append(f"cell {index}: {errors[0]['ename']}: {errors[0]['evalue']}")
            continue
        if not options["check"] or cell.execution_count is None:
            continue
        mismatch = output_mismatch(got, cell.outputs, patterns)
        if mismatch is not None:
            run.problems.append(f"cell {index}: {mismatch}")


# ---------------------------------------------------------------------------------------------
# A class: N students at once.


@dataclass
class Student:
    """One simulated student: their runs, their peak memory, what went wrong."""

    name: str
    runs: list[NotebookRun] = field(default_factory=list)
    spawn_s: float = 0.0
    peak_bytes: int = 0
    server_pid: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the student logged in, started a server and every notebook passed."""
        return not self.problems and all(run.ok for run in self.runs)


@dataclass
class ClassRun:
    """N students running the same notebooks at the same time through one hub."""

    students: list[Student]
    notebooks: list[str]
    wall_s: float
    hub_peak_bytes: int
    server_log: list[str] = field(default_factory=list)  # kernel events, when a run failed

    @property
    def runs(self) -> list[NotebookRun]:
        """Every student's every notebook run."""
        return [run for student in self.students for run in student.runs]

    def failures(self) -> list[str]:
        """Each failure, one line each (empty when all succeeded)."""
        lines = [f"{s.name}: {p}" for s in self.students for p in s.problems]
        lines += [f"{r.user} {r.notebook}: {p}" for r in self.runs for p in r.problems]
        return lines


# What a student's server logs when one of its kernels dies, restarts or is culled.
KERNEL_EVENTS = re.compile(r"restart|died|dead|cull|killed|memory|traceback|error", re.IGNORECASE)


def kernel_events(log: str, limit: int = 20) -> list[str]:
    """The log's lines about kernels dying, restarting or being culled (the last `limit`)."""
    return [line.strip() for line in log.splitlines() if KERNEL_EVENTS.search(line)][-limit:]


def notebook_names() -> list[str]:
    """Every notebook of the series, from the folder at run time, in order."""
    return sorted(path.name for path in NOTEBOOKS.glob("[0-9]*.ipynb"))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    try:
        process = psutil.Process(pid)
        family = [process] + process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


class _Sampler(threading.Thread):
    """Samples each student's server + kernels, and the hub + proxy, until stopped."""

    def __init__(self, hub: Hub, students: Sequence[Student]) -> None:
        super().__init__(daemon=True)
        self.hub, self.students = hub, students
        self.hub_peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample every SAMPLE_EVERY_S until done."""
        while not self.done.wait(SAMPLE_EVERY_S):
            for student in self.students:
                if student.server_pid is not None:
                    rss = _tree_rss(student.server_pid)
                    student.peak_bytes = max(student.peak_bytes, rss)
            servers = {s.server_pid for s in self.students}
            try:
                hub = psutil.Process(self.hub.process.pid)
                own = [hub] + [c for c in hub.children() if c.pid not in servers]
                self.hub_peak = max(self.hub_peak, sum(p.memory_info().rss for p in own))
            except psutil.NoSuchProcess:
                pass


def _copy_notebooks(home: Path) -> None:
    """Put the series in a student's home, as an nbgitpuller link does on a real hub."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(NOTEBOOKS, home / "notebooks", ignore=shutil.ignore_patterns(".ipynb_*"))


def _student_day(
    hub: Hub,
    student: Student,
    notebooks: Sequence[str],
    start: threading.Barrier,
    patterns: Sequence[tuple[str, str]],
    timeout: float,
) -> None:
    """Log in (a token through the REST API), start the server, Run All every notebook."""
    try:
        start.wait()
        name = student.name
        token = hub.api("POST", f"/hub/api/users/{name}/tokens", {"note": "load test"})["token"]
        began = time.perf_counter()
        hub.api("POST", f"/hub/api/users/{name}/server", {}, token=token, timeout=timeout)
        deadline = time.monotonic() + timeout
        while True:
            model = hub.api("GET", f"/hub/api/users/{name}", token=hub.token)
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                break
            if time.monotonic() > deadline:
                raise HubError(f"server not ready in {timeout:.0f} s")
            time.sleep(0.25)
        student.spawn_s = time.perf_counter() - began
        student.server_pid = server["state"]["pid"]
        for notebook in notebooks:
            student.runs.append(
                run_notebook(hub, name, token, student.server_pid, notebook, patterns, timeout)
            )
    except (HubError, OSError, KeyError, threading.BrokenBarrierError) as error:
        student.problems.append(f"{type(error).__name__}: {error}")


def run_class(
    hub: Hub, n: int, notebooks: Sequence[str] | None = None, timeout: float = 600
) -> ClassRun:
    """n new students log in at once, each running the notebooks one after another."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a whole number of students, at least 1; got {n!r}")
    notebooks = list(notebooks) if notebooks is not None else notebook_names()
    unknown = [name for name in notebooks if not (NOTEBOOKS / name).is_file()]
    if unknown:
        raise ValueError(f"no such notebooks in {NOTEBOOKS}: {unknown}")
    prefix = f"s{secrets.token_hex(3)}"
    students = [Student(f"{prefix}-{i:02d}") for i in range(n)]
    names = [student.name for student in students]
    hub.api("POST", "/hub/api/users", {"usernames": names})
    for student in students:
        _copy_notebooks(hub.state / "homes" / student.name)
    patterns = sanitize_patterns()
    start = threading.Barrier(n)
    threads = [
        threading.Thread(target=_student_day, args=(hub, s, notebooks, start, patterns, timeout))
        for s in students
    ]
    sampler = _Sampler(hub, students)
    sampler.start()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    for name in names:  # stop the servers: the next class starts from nothing
        try:
            hub.api("DELETE", f"/hub/api/users/{name}/server", timeout=timeout)
        except HubError:
            pass
    result = ClassRun(students, notebooks, wall, sampler.hub_peak)
    if result.failures():  # what the servers said about their kernels, to tell why
        result.server_log = kernel_events(hub.log(tail=None))
    return result


def summary(result: ClassRun) -> dict[str, Any]:
    """The numbers of one class run: peak memory, CPU-seconds and Run All times, failures."""
    runs = result.runs
    seconds = [run.seconds for run in runs if run.ok]
    by_notebook = {
        name: {
            "cpu_s": statistics.median([r.cpu_s for r in runs if r.notebook == name] or [0.0]),
            "p50_s": percentile([r.seconds for r in runs if r.notebook == name] or [0.0], 50),
            "p95_s": percentile([r.seconds for r in runs if r.notebook == name] or [0.0], 95),
        }
        for name in result.notebooks
    }
    return {
        "students": len(result.students),
        "peak_student_gb": max(s.peak_bytes for s in result.students) / GB,
        "hub_proxy_gb": result.hub_peak_bytes / GB,
        "spawn_p95_s": percentile([s.spawn_s for s in result.students], 95),
        "run_all_p50_s": percentile(seconds, 50) if seconds else float("nan"),
        "run_all_p95_s": percentile(seconds, 95) if seconds else float("nan"),
        "series_cpu_s": sum(v["cpu_s"] for v in by_notebook.values()),
        "by_notebook": by_notebook,
        "wall_s": result.wall_s,
        "failures": result.failures(),
        "server_log": result.server_log,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """`proxy`: install configurable-http-proxy with npm; `sizing`: print the sizing table."""
    parser = argparse.ArgumentParser(prog="python -m tools.classroom", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    proxy = commands.add_parser("proxy", help=f"npm-install {PROXY_PACKAGE} {PROXY_VERSION}")
    proxy.add_argument("--prefix", type=Path, default=PROXY_PREFIX)
    commands.add_parser("sizing", help="print the limits and the students per node")
    args = parser.parse_args(argv)
    if args.command == "proxy":
        ran = install_proxy(args.prefix)
        verb = "installed" if ran else "already installed"
        print(f"{verb} in {args.prefix}: {PROXY_PACKAGE} {PROXY_VERSION}")
        return 0
    print(json.dumps(limits(), indent=1))
    print(sizing_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
