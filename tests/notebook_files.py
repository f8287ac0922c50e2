"""The notebooks of the repository, for the static checks."""

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"


def notebook_paths() -> list[Path]:
    """Every notebook in notebooks/, sorted by name."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def read(path: Path) -> nbformat.NotebookNode:
    """A notebook, as nbformat reads it."""
    return nbformat.read(path, as_version=4)
