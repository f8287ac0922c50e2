"""`make setup` and friends, read from what make would run (`make -n`): where torch comes from,
that the first install shows progress, that tests write nothing into the checkout, which
Pythons `make test-pythons` finds, and that notebook 00 prints the same on each of them."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tools.make_env import without_outer_make

from notebook_files import ROOT

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
LOCK = ROOT / "requirements-lock.txt"
TORCH_VERSION = re.search(r"^torch==(\S+)$", LOCK.read_text(), flags=re.M).group(1)
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """What `make ARGS` prints (stdout), with the environment of no outer make."""
    base = without_outer_make()
    done = subprocess.run(
        [MAKE, "--no-print-directory", *args],
        cwd=cwd,
        env=base | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def no_pip_sources(tmp_path: Path, find_links: Path | None = None) -> dict[str, str]:
    """Environment where pip reads no config file and finds packages only in find_links."""
    env = {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": str(find_links or tmp_path / "none")}
    (tmp_path / "none").mkdir(exist_ok=True)
    return env


def setup_install_line(tmp_path: Path, *variables: str, env: dict[str, str] | None = None) -> str:
    """The pip command installing the lock that `make setup` would run for a fresh venv."""
    printed = make(
        "-n",
        "setup",
        f"VENV={tmp_path / 'venv'}",
        f"BIN={Path(sys.executable).parent}",
        *variables,
        env=no_pip_sources(tmp_path) | (env or {}),
    )
    (line,) = [line for line in printed.splitlines() if "-r requirements-lock.txt" in line]
    assert " -m pip " in line and " install " in line, line
    return line


def fake_torch_wheel(folder: Path, version: str) -> Path:
    """A tiny wheel that pip takes for torch==version (enough for a dry run)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"torch-{version}-py3-none-any.whl"
    info = f"torch-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("torch/__init__.py", "")
        wheel.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n"
        )
        wheel.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        wheel.writestr(f"{info}/RECORD", "")
    return path


def test_linux_takes_torch_from_the_cpu_index_by_default(tmp_path: Path) -> None:
    line = setup_install_line(tmp_path, "UNAME_S=Linux")
    assert f"--extra-index-url {CPU_INDEX}" in line
    assert CPU_INDEX in (ROOT / "environment.yml").read_text()  # the same index as conda's


@pytest.mark.parametrize("torch", ["cuda", "pypi", "default"])
def test_linux_takes_pypis_torch_when_asked(tmp_path: Path, torch: str) -> None:
    line = setup_install_line(tmp_path, "UNAME_S=Linux", f"TORCH={torch}")
    assert "--extra-index-url" not in line and "--index-url" not in line


@pytest.mark.parametrize("system", ["Darwin", "MINGW64_NT-10.0-19045", "FreeBSD"])
def test_no_cpu_index_off_linux(tmp_path: Path, system: str) -> None:
    line = setup_install_line(tmp_path, f"UNAME_S={system}")
    assert "--extra-index-url" not in line and "--index-url" not in line


def test_the_cpu_index_is_a_make_variable(tmp_path: Path) -> None:
    line = setup_install_line(tmp_path, "UNAME_S=Linux", "TORCH_INDEX=https://mirror.example/cpu")
    assert "--extra-index-url https://mirror.example/cpu" in line and CPU_INDEX not in line


def test_no_index_when_pip_finds_the_cpu_build_offline(tmp_path: Path) -> None:
    # As on CI machines: a wheelhouse in pip's find-links holds torch's CPU build, so the index
    # (unreachable there, and a minute of retries) is not added.
    wheels = tmp_path / "wheels"
    fake_torch_wheel(wheels, f"{TORCH_VERSION}+cpu")
    line = setup_install_line(tmp_path, "UNAME_S=Linux", env={"PIP_FIND_LINKS": str(wheels)})
    assert "--extra-index-url" not in line


def test_a_local_cuda_build_still_gets_the_cpu_index(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    fake_torch_wheel(wheels, TORCH_VERSION)  # no "+cpu": PyPI's Linux build is CUDA's
    line = setup_install_line(tmp_path, "UNAME_S=Linux", env={"PIP_FIND_LINKS": str(wheels)})
    assert f"--extra-index-url {CPU_INDEX}" in line


def test_the_first_install_shows_its_progress(tmp_path: Path) -> None:
    line = setup_install_line(tmp_path, "UNAME_S=Darwin")
    assert not re.search(r"\s(-q+|--quiet)\b", line), line
    printed = make("-n", "setup", f"VENV={tmp_path / 'venv'}", "UNAME_S=Darwin")
    assert 'echo "Installing the pinned packages' in printed


def test_a_second_setup_installs_nothing(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")
    (venv / "bin" / "python").chmod(0o755)
    (venv / ".installed").touch()  # newer than the lock and pyproject.toml
    printed = make("-n", "setup", f"VENV={venv}", "UNAME_S=Linux")
    assert "pip" not in printed and "venv" not in printed.replace(str(venv), "")


def test_make_test_writes_no_bytecode_or_hypothesis_data_into_the_checkout(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    printed = make(
        "-n",
        "-o",
        f"{venv}/.installed",
        "-o",
        f"{venv}/.browser",
        "test",
        f"VENV={venv}",
        "-o",
        "build/slides-assets/.installed",
    )
    runs = [line for line in printed.splitlines() if " -m pytest " in line]
    assert len(runs) == 2, printed
    for line in runs:
        assert "PYTHONDONTWRITEBYTECODE=1" in line
        where = re.search(r"HYPOTHESIS_STORAGE_DIRECTORY=(\S+)", line).group(1)
        expanded = subprocess.run(
            ["sh", "-c", f"echo {where}"],
            env={"HOME": str(tmp_path), "PATH": os.environ["PATH"]},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert Path(expanded).is_relative_to(tmp_path) and not Path(expanded).is_relative_to(ROOT)


def executable(path: Path, text: str) -> None:
    """Write a shell script and make it executable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_pythons_are_found_on_path_or_under_pyenv(tmp_path: Path) -> None:
    bin_dir, pyenv = tmp_path / "bin", tmp_path / "pyenv"
    executable(bin_dir / "python3.12", "#!/bin/sh\necho 3.12\n")  # a working python3.12
    executable(bin_dir / "python3.13", "#!/bin/sh\necho 'pyenv: not active' >&2\nexit 127\n")
    executable(pyenv / "versions" / "3.13.0" / "bin" / "python3.13", "#!/bin/sh\necho 3.13\n")
    tools = tmp_path / "tools"  # the one other command the search needs; no real Python
    tools.mkdir()
    (tools / "ls").symlink_to(shutil.which("ls"))
    printed = make(
        "-s",
        "pythons",
        "PYTHONS=3.11 3.12 3.13",
        env={"PATH": f"{bin_dir}:{tools}", "PYENV_ROOT": str(pyenv)},
    )
    assert printed.splitlines() == [
        "python3.11: not found",
        f"python3.12: {bin_dir / 'python3.12'}",
        f"python3.13: {pyenv / 'versions' / '3.13.0' / 'bin' / 'python3.13'}",
    ]


def found_pythons() -> list[str]:
    """Interpreters `make pythons` finds on this machine, this test's own one first."""
    printed = make("-s", "pythons")
    found = [line.split(": ", 1)[1] for line in printed.splitlines() if "not found" not in line]
    return [sys.executable, *found]


def test_notebook_00_prints_the_same_on_every_python_found(tmp_path: Path) -> None:
    # Its first code cell ran under 3.11 when saved; nbval compares under every Python. Run the
    # cell under each interpreter found, with stand-ins reporting the pinned versions of torch,
    # numpy and ipywidgets (a Python here may lack them), and compare with the saved output.
    notebook = json.loads((ROOT / "notebooks" / "00_index.ipynb").read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    saved = "".join("".join(o["text"]) for o in cell["outputs"] if o.get("name") == "stdout")
    pins = dict(re.findall(r"^([\w-]+)==(\S+)$", LOCK.read_text(), flags=re.M))
    versions = {
        "torch": pins["torch"] + "+cpu",
        "numpy": pins["numpy"],
        "ipywidgets": pins["ipywidgets"],
    }
    for name, version in versions.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f"__version__ = {version!r}\n")
    source = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n" + "".join(cell["source"])
    for python in found_pythons():
        done = subprocess.run(
            [python, "-I", "-c", source], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (python, done.stderr)
        assert done.stdout == saved, python
