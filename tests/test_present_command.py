"""`make present`'s helpers: which notebook NB names, and the JupyterLab settings it writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.make_env import without_outer_make
from tools.present import (
    DECK_ACTIVE,
    DECK_PLUGIN,
    SHIPPED_SETTINGS,
    load_shipped,
    main,
    merged,
    notebook_path,
    read_settings,
    settings_file,
    write_settings,
)
from tools.series import SERIES

ROOT = Path(__file__).resolve().parent.parent
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
THEMES = "@jupyterlab/apputils-extension:themes"


@pytest.mark.parametrize(
    "choice",
    ["02", "2", "02_padding_and_stride", "notebooks/02_padding_and_stride.ipynb", " 02 "],
)
def test_notebook_path_accepts_a_number_a_name_or_a_path(choice: str) -> None:
    assert notebook_path(choice) == "notebooks/02_padding_and_stride.ipynb"


def test_every_notebook_of_the_series_can_be_presented() -> None:
    for notebook in SERIES:
        path = notebook_path(notebook.filename.split("_")[0])
        assert path == f"notebooks/{notebook.filename}" and (ROOT / path).is_file()


@pytest.mark.parametrize("choice", ["99", "padding", "", "notebooks/*.ipynb"])
def test_notebook_path_names_what_is_allowed(choice: str) -> None:
    with pytest.raises(ValueError, match=r"names no notebook.*NB=02"):
        notebook_path(choice)


def test_the_shipped_settings_silence_news_and_size_fonts_for_a_projector() -> None:
    shipped = load_shipped()
    # "false" is a string in JupyterLab's schema ("true", "false" or "none": ask)
    assert shipped[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    sizes = shipped[THEMES]["overrides"]
    assert set(sizes) == {"code-font-size", "content-font-size1", "ui-font-size1"}
    assert all(int(size.removesuffix("px")) >= 14 for size in sizes.values())  # default: 13-14
    assert shipped[DECK_PLUGIN][DECK_ACTIVE] is False  # `make lab` opens a notebook, no deck


def test_shipped_settings_name_settings_that_jupyterlab_knows() -> None:
    schemas = Path(sys.prefix) / "share" / "jupyter"
    for plugin_id, values in load_shipped().items():
        package, plugin = plugin_id.rsplit(":", 1)
        candidates = [
            schemas / "lab" / "schemas" / package / f"{plugin}.json",
            schemas / "labextensions" / package / "schemas" / package / f"{plugin}.json",
        ]
        schema_path = next((p for p in candidates if p.is_file()), None)
        assert schema_path is not None, f"no schema for {plugin_id} in this environment"
        properties = json.loads(schema_path.read_text())["properties"]
        assert set(values) <= set(properties), plugin_id


def test_write_settings_starts_or_stops_the_deck_and_keeps_the_persons_values(
    tmp_path: Path,
) -> None:
    written = write_settings(tmp_path, deck=True)
    assert len(written) == len(load_shipped())
    deck = settings_file(tmp_path, DECK_PLUGIN)
    assert deck == tmp_path / "jupyterlab-slideshow" / "plugin.jupyterlab-settings"
    assert read_settings(deck)[DECK_ACTIVE] is True
    news = settings_file(tmp_path, NOTIFICATION)
    assert read_settings(news) == load_shipped()[NOTIFICATION]

    # a person's changes made in JupyterLab (JSON5 with a comment) survive the next start
    themes = settings_file(tmp_path, THEMES)
    themes.write_text(
        '// mine\n{"theme": "JupyterLab Dark", "overrides": {"code-font-size": "20px"}}'
    )
    deck.write_text('{"active": true, "showCodeCellPrompt": true}')
    write_settings(tmp_path, deck=False)
    mine = read_settings(themes)
    assert mine["theme"] == "JupyterLab Dark" and mine["overrides"]["code-font-size"] == "20px"
    assert mine["overrides"]["content-font-size1"] == "17px"  # the shipped value fills the gap
    assert read_settings(deck) == {"active": False, "showCodeCellPrompt": True}


def test_write_settings_rejects_bad_input_with_named_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="deck must be True or False"):
        write_settings(tmp_path, deck="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="package:plugin"):
        settings_file(tmp_path, "no-colon")
    broken = settings_file(tmp_path, NOTIFICATION)
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON5"):
        write_settings(tmp_path, deck=False)


def test_merged_lets_the_person_win_key_by_key() -> None:
    shipped = {"a": 1, "o": {"x": 1, "y": 2}}
    assert merged(shipped, {"o": {"y": 3}, "b": 4}) == {"a": 1, "o": {"x": 1, "y": 3}, "b": 4}
    assert shipped == {"a": 1, "o": {"x": 1, "y": 2}}  # not changed in place


def test_command_line_prints_the_path_or_a_named_error(capsys: pytest.CaptureFixture) -> None:
    assert main(["notebook", "06"]) == 0
    assert capsys.readouterr().out == "notebooks/06_lstm_by_hand.ipynb\n"
    assert main(["notebook", "42"]) == 2
    assert "names no notebook" in capsys.readouterr().err


def make_dry_run(target: str, *extra: str) -> str:
    """What `make -n target` would run (set-up skipped)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    venv = Path(sys.prefix)
    return subprocess.run(
        ["make", "-n", "-s", "-o", str(venv / ".installed"), target, f"VENV={venv}", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=without_outer_make(),
    ).stdout


def test_make_lab_and_present_apply_the_shipped_settings_in_the_projects_environment() -> None:
    venv = Path(sys.prefix)
    settings = f"{venv}/share/jupyter/lab/user-settings"
    lab = make_dry_run("lab", "PORT=1")
    present = make_dry_run("present", "NB=06", "PORT=1")
    for run in (lab, present):
        assert f"JUPYTERLAB_SETTINGS_DIR='{settings}'" in run  # never the person's ~/.jupyter
        assert f"-m tools.present settings '{settings}'" in run
    assert "--deck" not in lab and f"settings '{settings}' --deck" in present
    assert "-m tools.present notebook '06'" in present and "&reset" in present
    assert "-m tools.present notebook '00'" in make_dry_run("present", "PORT=1")
    assert SHIPPED_SETTINGS.relative_to(ROOT).as_posix() == "jupyter/lab-settings.json"
