"""`make lab` as a class starts it: one working URL, loopback only, the token kept out of `ps`."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from labdriver import (
    LOOPBACK,
    ROOT,
    jupyter_env,
    jupyter_server_info,
    start_in_own_group,
    stop_process_group,
    wait_for_http,
)

from tools.make_env import without_outer_make

pytestmark = pytest.mark.allow_hosts(LOOPBACK)  # JupyterLab on 127.0.0.1, nothing else

FIRST_PORT = 8888  # where `make lab` starts looking for a free port
URL = re.compile(r"https?://\S+")


@dataclass
class MadeLab:
    """A running `make lab`: make's process, what it printed, and the server's own info."""

    process: subprocess.Popen
    output: Path
    info: dict
    held_port: int | None  # the first port, held busy by this test (None: busy already)

    def printed(self) -> str:
        """Everything `make lab` printed so far."""
        return self.output.read_text(errors="replace")


def make_args(*extra: str, dry_run: bool = False) -> list[str]:
    """`make lab` for the environment running this test (its venv; set-up not redone)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = Path(sys.prefix)
    return [
        "make",
        *(["-n"] if dry_run else []),
        "-s",
        "--no-print-directory",
        "-o",
        str(venv / ".installed"),
        "lab",
        f"VENV={venv}",
        f"BIN={Path(sys.executable).parent}",
        *extra,
    ]


def make_env(base: dict[str, str]) -> dict[str, str]:
    """base without the variables of an outer make (under `make test`) or a token of its own."""
    return without_outer_make(base, drop=("JUPYTER_TOKEN",))


def hold_first_port() -> socket.socket | None:
    """Listen on 127.0.0.1:FIRST_PORT when it is free, so that `make lab` must look further."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as JupyterLab binds
    try:
        sock.bind(("127.0.0.1", FIRST_PORT))
        sock.listen(1)
    except OSError:  # busy already (a teacher's own JupyterLab): just as good
        sock.close()
        return None
    return sock


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


def process_tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that still run."""
    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """(ip, port) of every TCP socket that the process or its children listen on."""
    found = set()
    for member in process_tree(pid):
        try:
            connections = member.net_connections(kind="tcp")
        except psutil.NoSuchProcess:  # a short-lived helper that already ended
            continue
        found |= {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}
    return found


def server_process(made: MadeLab) -> psutil.Process:
    """The JupyterLab server that `make lab` started (the process of the runtime file)."""
    server = psutil.Process(made.info["pid"])
    assert server.pid in {p.pid for p in process_tree(made.process.pid)}
    return server


@pytest.fixture(scope="module")
def made_lab() -> Iterator[MadeLab]:
    """`make lab` itself, as a class runs it (port chosen by make, no browser opened)."""
    held = hold_first_port()
    with tempfile.TemporaryDirectory(prefix="series-make-lab-") as tmp:
        env = make_env(jupyter_env(Path(tmp)))
        output = Path(tmp) / "make-lab.out"
        process = start_in_own_group(make_args("LAB_ARGS=--no-browser"), ROOT, env, output)
        try:
            info = jupyter_server_info(process, env, output, 90, "make lab")
            base = f"http://127.0.0.1:{info['port']}"
            wait_for_http(f"{base}/api/status?token={info['token']}", 60, process)
            yield MadeLab(process, output, info, FIRST_PORT if held else None)
        finally:
            stop_process_group(process)
            if held is not None:
                held.close()


def test_make_lab_prints_one_url_that_works_when_pasted(made_lab: MadeLab) -> None:
    urls = URL.findall(made_lab.printed())
    assert len(urls) == 1, made_lab.printed()
    url = urllib.parse.urlsplit(urls[0])
    assert (url.scheme, url.hostname, url.port) == ("http", "127.0.0.1", made_lab.info["port"])
    assert url.path == "/lab/tree/notebooks/00_index.ipynb"
    assert urllib.parse.parse_qs(url.query) == {"token": [made_lab.info["token"]]}
    assert get(urls[0]) == (200, "")  # the notebook page itself, no login page
    without_token = urls[0].split("?")[0]
    status, location = get(without_token)
    assert status == 302 and "/login" in location


def test_make_lab_takes_the_first_free_port(made_lab: MadeLab) -> None:
    port = made_lab.info["port"]
    assert FIRST_PORT <= port < 9000
    if made_lab.held_port is not None:  # this test held the first one
        assert port != made_lab.held_port


def test_make_lab_keeps_the_token_out_of_every_command_line(made_lab: MadeLab) -> None:
    token = made_lab.info["token"]
    server = server_process(made_lab)
    members = process_tree(made_lab.process.pid)
    assert len(members) >= 2  # make and the server (the shell exec'd into the server)
    for member in members:
        try:
            cmdline = Path(f"/proc/{member.pid}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:  # a short-lived helper that already ended
            continue
        assert token not in cmdline, (member.pid, cmdline.replace("\0", " "))
    assert "IdentityProvider.token" not in " ".join(server.cmdline())
    assert server.environ().get("JUPYTER_TOKEN") == token  # readable by its user only


def test_make_lab_uses_a_long_random_token(made_lab: MadeLab) -> None:
    assert len(made_lab.info["token"]) >= 32  # secrets.token_urlsafe(24)
    printed = subprocess.run(
        make_args("PORT=1", dry_run=True),
        cwd=ROOT,
        env=make_env(dict(os.environ)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert made_lab.info["token"] not in printed  # made fresh at each start, not in the Makefile
    assert "token_urlsafe" in printed and "JUPYTER_TOKEN" in printed


def test_make_lab_refuses_requests_without_the_token(made_lab: MadeLab) -> None:
    info = made_lab.info
    base = f"http://127.0.0.1:{info['port']}"
    assert get(f"{base}/api/status")[0] == 403
    assert get(f"{base}/api/contents/notebooks")[0] == 403
    assert get(f"{base}/api/status?token=wrong{info['token']}")[0] == 403
    status, location = get(f"{base}/lab")
    assert status == 302 and "/login" in location
    assert get(f"{base}/api/status?token={info['token']}")[0] == 200
    assert get(f"{base}/lab?token={info['token']}")[0] == 200


def test_make_lab_listens_on_loopback_only(made_lab: MadeLab) -> None:
    addresses = listening_addresses(made_lab.process.pid)
    assert ("127.0.0.1", made_lab.info["port"]) in addresses
    assert all(ipaddress.ip_address(ip).is_loopback for ip, _ in addresses), addresses
