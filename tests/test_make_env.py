"""tools.make_env: the environment a test or bench gives the make it starts."""

from __future__ import annotations

from tools.make_env import MAKEFILE, caller_variables, without_outer_make


def test_the_caller_variables_are_the_makefiles_question_mark_assignments():
    names = caller_variables()
    assert {"VENV", "TORCH", "NB"} <= names
    for name in names:
        assert f"\n{name} ?=" in "\n" + MAKEFILE.read_text()


def test_an_outer_makes_variables_and_the_named_ones_are_dropped_and_the_rest_kept():
    base = {"MAKEFLAGS": "k", "MAKELEVEL": "1", "TORCH": "pypi", "TOKEN": "x", "HOME": "/h"}
    assert without_outer_make(base, drop=("TOKEN",)) == {"HOME": "/h"}
    assert base["TORCH"] == "pypi"  # the caller's mapping is left as it was


def test_without_a_base_it_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("MAKEFLAGS", "-j2")
    monkeypatch.setenv("SERIES_PROBE", "kept")
    env = without_outer_make()
    assert "MAKEFLAGS" not in env and env["SERIES_PROBE"] == "kept"
