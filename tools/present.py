"""Live slides in JupyterLab: which notebook `make present NB=..` opens, and the lab's settings.

`python -m tools.present notebook 02` prints the notebook's path (`notebooks/02_...ipynb`).
`python -m tools.present settings DIR [--deck]` writes the settings this project ships
(jupyter/lab-settings.json) into DIR, the JupyterLab user-settings folder that `make lab` and
`make present` give JupyterLab (JUPYTERLAB_SETTINGS_DIR), and starts (--deck) or stops the
jupyterlab-slideshow deck at the next page load. A value the person already set in DIR is
kept; the deck's on/off flag is the one value always written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import json5

from tools.series import SERIES

ROOT = Path(__file__).resolve().parent.parent

# The settings this project ships: {plugin id: {setting: value}}.
SHIPPED_SETTINGS = ROOT / "jupyter" / "lab-settings.json"

# jupyterlab-slideshow's settings: "active" starts the deck when JupyterLab loads.
DECK_PLUGIN = "jupyterlab-slideshow:plugin"
DECK_ACTIVE = "active"

SETTINGS_SUFFIX = ".jupyterlab-settings"


def notebook_path(choice: str) -> str:
    """`notebooks/NN_name.ipynb` for NB=02, 2, 02_padding_and_stride or a notebook's path."""
    text = choice.strip()
    names = [notebook.filename for notebook in SERIES]
    stem = Path(text).name.removesuffix(".ipynb")
    for name in names:
        number = name.split("_", 1)[0]
        if stem in (name.removesuffix(".ipynb"), number) or (
            stem.isdigit() and int(stem) == int(number)
        ):
            return f"notebooks/{name}"
    allowed = ", ".join(name.split("_", 1)[0] for name in names)
    raise ValueError(
        f"NB={choice!r} names no notebook of the series: give its number ({allowed}), "
        "its name or its path, e.g. NB=02 or NB=notebooks/02_padding_and_stride.ipynb"
    )


def settings_file(settings_dir: Path, plugin_id: str) -> Path:
    """Where JupyterLab keeps a plugin's user settings: DIR/package/plugin.jupyterlab-settings."""
    package, sep, plugin = plugin_id.rpartition(":")
    if not sep or not package or not plugin:
        raise ValueError(f"plugin_id {plugin_id!r} must read 'package:plugin'")
    return settings_dir / package / f"{plugin}{SETTINGS_SUFFIX}"


def read_settings(path: Path) -> dict[str, Any]:
    """A user-settings file as a dict ({} when missing); JupyterLab allows JSON5 (comments)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    try:
        data = json5.loads(text) if text.strip() else {}
    except ValueError as error:
        raise ValueError(f"{path} is not valid JSON5 ({error}); fix or delete it") from error
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object, not {type(data).__name__}")
    return data


def merged(shipped: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """shipped with own on top: a value the person set wins, nested objects key by key."""
    result = dict(shipped)
    for key, value in own.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def load_shipped(path: Path = SHIPPED_SETTINGS) -> dict[str, dict[str, Any]]:
    """The project's settings file: {plugin id: {setting: value}}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(f"{path} must map plugin ids to objects of settings")
    return data


def write_settings(
    settings_dir: Path, deck: bool, shipped: Mapping[str, Mapping[str, Any]] | None = None
) -> list[Path]:
    """Write the shipped settings into settings_dir (the person's values kept) and the deck's
    on/off flag; returns the files written."""
    if not isinstance(deck, bool):
        raise TypeError(f"deck must be True or False, not {deck!r}")
    plan = {key: dict(value) for key, value in (shipped or load_shipped()).items()}
    plan.setdefault(DECK_PLUGIN, {})
    written = []
    for plugin_id, values in plan.items():
        path = settings_file(settings_dir, plugin_id)
        data = merged(values, read_settings(path))
        if plugin_id == DECK_PLUGIN:
            data[DECK_ACTIVE] = deck
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: `notebook NB` prints a path; `settings DIR [--deck]` writes settings."""
    parser = argparse.ArgumentParser(prog="python -m tools.present", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    which = sub.add_parser("notebook", help="print the path of the notebook NB names")
    which.add_argument("nb")
    settings = sub.add_parser("settings", help="write the project's JupyterLab settings")
    settings.add_argument("dir", type=Path)
    settings.add_argument("--deck", action="store_true", help="start the deck at page load")
    args = parser.parse_args(argv)
    try:
        if args.command == "notebook":
            print(notebook_path(args.nb))
        else:
            write_settings(args.dir, args.deck)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
