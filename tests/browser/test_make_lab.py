"""`make lab` as a class starts it: the server listens on loopback only and wants the token."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from labdriver import LOOPBACK, ROOT, free_port, jupyter_env, stop_process_group, wait_for_http

pytestmark = pytest.mark.allow_hosts(LOOPBACK)  # JupyterLab on 127.0.0.1, nothing else


def make_lab_command() -> str:
    """The shell command `make lab` runs, as make itself expands it (set-up not redone)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    printed = subprocess.run(
        # BIN: the environment running this test (.venv/bin under `make test`)
        ["make", "-s", "-n", "-o", ".venv/.installed", "lab", f"BIN={Path(sys.executable).parent}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = printed.replace("\\\n", " ").strip()
    assert "\n" not in command, f"make lab runs more than one command:\n{printed}"
    return command


def get(url: str) -> tuple[int, str]:
    """Status and Location of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(ip, port) of every TCP socket that the process or its children listen on."""
    process = psutil.Process(pid)
    found = set()
    for member in [process, *process.children(recursive=True)]:
        try:
            connections = member.net_connections(kind="tcp")
        except psutil.NoSuchProcess:  # a short-lived helper that already ended
            continue
        found |= {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}
    return found


@pytest.fixture(scope="module")
def make_lab() -> Iterator[tuple[subprocess.Popen, dict]]:
    """`make lab`'s own command on a free port; yields the process and its server info."""
    command = make_lab_command()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="series-make-lab-") as tmp:
        env = jupyter_env(Path(tmp))
        process = subprocess.Popen(
            f"{command} --no-browser --ServerApp.port={port} --ServerApp.port_retries=0",
            shell=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            runtime = Path(env["JUPYTER_RUNTIME_DIR"])
            deadline = time.monotonic() + 90
            while not list(runtime.glob("jpserver-*.json")):
                assert process.poll() is None, "make lab's server exited"
                assert time.monotonic() < deadline, "make lab's server did not start"
                time.sleep(0.2)
            time.sleep(0.2)  # the file is written in one go, but let it land
            info = json.loads(next(runtime.glob("jpserver-*.json")).read_text())
            base = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base}/api/status?token={info['token']}", 60, process)
            yield process, info
        finally:
            stop_process_group(process)


def test_make_lab_uses_a_long_random_token(make_lab):
    _, info = make_lab
    assert len(info["token"]) >= 32  # secrets.token_urlsafe(24)
    assert info["token"] not in make_lab_command()  # made fresh at each start


def test_make_lab_refuses_requests_without_the_token(make_lab):
    _, info = make_lab
    base = f"http://127.0.0.1:{info['port']}"
    assert get(f"{base}/api/status")[0] == 403
    assert get(f"{base}/api/contents/notebooks")[0] == 403
    assert get(f"{base}/api/status?token=wrong{info['token']}")[0] == 403
    status, location = get(f"{base}/lab")
    assert status == 302 and "/login" in location
    assert get(f"{base}/api/status?token={info['token']}")[0] == 200
    assert get(f"{base}/lab?token={info['token']}")[0] == 200


def test_make_lab_listens_on_loopback_only(make_lab):
    process, info = make_lab
    addresses = listening_addresses(process.pid)
    assert (("127.0.0.1", info["port"])) in addresses
    assert all(ipaddress.ip_address(ip).is_loopback for ip, _ in addresses), addresses
