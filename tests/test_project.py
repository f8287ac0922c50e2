"""The set-up stays consistent: pins, environment.yml, Makefile, CI and README agree."""

import re
import tomllib

from notebook_files import ROOT


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_lock_pins_everything_exactly():
    pins = lock_pins()
    for needed in [
        "torch",
        "numpy",
        "matplotlib",
        "pillow",
        "ipywidgets",
        "jupyterlab",
        "torchinfo",
        "pytest",
        "nbval",
        "pytest-xdist",
        "hypothesis",
    ]:
        assert needed in pins, needed
    assert pins["torch"] == "2.13.0"
    assert pins["ipywidgets"].startswith("8.") and pins["jupyterlab"].startswith("4.")
    assert "torchvision" not in pins


def test_environment_yml_installs_the_same_pins():
    text = (ROOT / "environment.yml").read_text()
    listed = dict(
        (name.lower().replace("_", "-"), version)
        for name, version in re.findall(r"^\s+- ([A-Za-z0-9_.-]+)==(\S+)$", text, flags=re.M)
    )
    assert listed == lock_pins()
    assert re.search(r"^\s+- -e \.$", text, flags=re.M)
    assert re.search(r"^\s+- python=3\.11$", text, flags=re.M)


def test_installed_versions_match_the_lock():
    from importlib.metadata import version

    for name, pinned in lock_pins().items():
        assert version(name).split("+")[0] == pinned, name


def test_pyproject_ranges_admit_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!]", d)[0].lower() for d in project["dependencies"]}
    assert {"torch", "numpy", "matplotlib", "ipywidgets", "torchinfo"} <= names


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, flags=re.M)


def test_make_lab_listens_on_loopback_with_a_token():
    makefile = (ROOT / "Makefile").read_text()
    # `make lab` and `make present` both start JupyterLab through the START_LAB recipe
    lab = makefile.split("\ndefine START_LAB\n")[1].split("\nendef\n")[0]
    for target in ("lab", "present"):
        recipe = makefile.split(f"\n{target}:")[1].split("\n\n")[0]
        assert "$(call START_LAB," in recipe, target
    assert "--ServerApp.ip=127.0.0.1" in lab
    assert "token_urlsafe" in lab and 'JUPYTER_TOKEN="$$token"' in lab
    assert "--IdentityProvider.token" not in lab  # a token on the command line shows in `ps`
    assert "0.0.0.0" not in makefile and "token=''" not in makefile
