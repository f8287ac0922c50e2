"""The cache of the series' figures as PNGs (figures/cache/), and the decorator that uses it.

Drawing a figure costs a few tenths of a second, most of a notebook's Run All beyond its
imports. So the PNG of every figure call the notebooks make is kept in `figures/cache/`, named
by a key made of the function and the values of all its arguments (arrays and models by
content), beside the code version it was drawn with: a hash of every helpers source file and
the matplotlib and Pillow versions. A call whose key is in the cache with the current code
version is shown from it without drawing; any other call (new arguments, edited
helpers, data that differ in the last bit on another machine) is drawn as usual. So the cache
can make a figure slower, never different. Modes (environment variable SERIES_FIGURE_CACHE):
  "on" (default)  use the cache;
  "off"           always draw;
  "verify"        draw every call and warn where a cached PNG differs from the drawing
                  (the test command runs the notebooks once this way);
  "record"        draw every call and store its PNG (`make execute`, `make figures`).
`python -m helpers.figure_cache refresh` records the cache again from every notebook and drops
every other entry (`refresh NOTEBOOK ...` records those only); `... prune` removes entries of
an older code version.

This module imports no matplotlib drawing code: a notebook whose figures all come from the
cache never loads it (a few tenths of a second per kernel). Figure modules import it inside
the figure functions for the same reason.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import inspect
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

import matplotlib
import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HELPERS_DIR = Path(__file__).resolve().parent
CACHE_DIR = HELPERS_DIR.parent / "figures" / "cache"
MODES = ("on", "off", "verify", "record")
MODE_VARIABLE = "SERIES_FIGURE_CACHE"


def cache_mode() -> str:
    """The cache mode from SERIES_FIGURE_CACHE ("on" when unset); raises on an unknown mode."""
    mode = os.environ.get(MODE_VARIABLE, "on") or "on"
    if mode not in MODES:
        raise ValueError(f"{MODE_VARIABLE} must be one of {MODES}, got {mode!r}")
    return mode


class CachedFigure:
    """A figure shown from the cache; any other use draws the real figure (`.figure`)."""

    def __init__(self, png: bytes, text: str, draw: Callable[[], Figure]) -> None:
        self._png, self._text, self._draw = png, text, draw
        self._figure: Figure | None = None

    @property
    def figure(self) -> Figure:
        """The real matplotlib figure, drawn on first use."""
        if self._figure is None:
            self._figure = self._draw()
        return self._figure

    def png_bytes(self) -> bytes:
        """The cached PNG bytes (the same bytes the figure draws)."""
        return self._png

    def _repr_png_(self) -> bytes:
        return self._png

    def __repr__(self) -> str:
        return self._text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.figure, name)


# --- the key --------------------------------------------------------------------------------


class Unkeyable(TypeError):
    """An argument whose content cannot be put into a cache key (the call is drawn)."""


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of every helpers source file and of the matplotlib and Pillow versions."""
    import PIL

    versions = f"matplotlib {matplotlib.__version__}\nPillow {PIL.__version__}\n"
    digest = hashlib.sha256(versions.encode())
    for path in sorted(HELPERS_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]


def _feed(digest: Any, value: Any) -> None:
    """Add `value`'s type and content to `digest`; raise Unkeyable for unknown types."""
    import torch  # imported here: the figures of the first notebooks do not need it

    def tag(text: str) -> None:
        digest.update(text.encode() + b"\0")

    if value is None or isinstance(value, bool | int | float | complex | str | bytes):
        tag(f"{type(value).__name__}:{value!r}")
    elif isinstance(value, enum.Enum):
        tag(f"enum:{type(value).__qualname__}.{value.name}")
    elif isinstance(value, np.generic):
        _feed(digest, value.item())
    elif isinstance(value, torch.Tensor):
        _feed(digest, value.detach().cpu().numpy())
    elif isinstance(value, np.ndarray):
        if value.dtype == object:
            raise Unkeyable("object arrays")
        tag(f"array:{value.dtype.str}:{value.shape}")
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, torch.nn.Module):
        tag(f"module:{type(value).__module__}.{type(value).__qualname__}:{value.training}")
        _feed(digest, dict(value.state_dict()))
        _feed(digest, {k: v for k, v in vars(value).items() if not k.startswith("_")})
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        tag(f"dataclass:{type(value).__module__}.{type(value).__qualname__}")
        for field in dataclasses.fields(value):
            tag(field.name)
            _feed(digest, getattr(value, field.name))
    elif isinstance(value, Mapping):
        tag(f"mapping:{len(value)}")
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    elif isinstance(value, list | tuple | range | frozenset | set):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        tag(f"{type(value).__name__}:{len(items)}")
        for item in items:
            _feed(digest, item)
    else:
        raise Unkeyable(f"cannot key a {type(value).__name__}")


def cache_key(draw: Callable[..., Any], args: tuple, kwargs: dict) -> str | None:
    """The cache key of the call draw(*args, **kwargs), or None where an argument is unkeyable.

    The key names the call only; the code version is stored beside the PNG (see lookup), so
    that recording again after a change to helpers/ rewrites the same files, and git stores
    nothing new for a figure whose pixels did not change.
    """
    bound = inspect.signature(draw).bind(*args, **kwargs)
    bound.apply_defaults()
    digest = hashlib.sha256(f"{draw.__module__}.{draw.__qualname__}".encode())
    try:
        _feed(digest, dict(bound.arguments))
    except Unkeyable:
        return None
    return f"{draw.__name__}-{digest.hexdigest()[:20]}"


# --- the cache ------------------------------------------------------------------------------


def _paths(key: str, directory: Path | None = None) -> tuple[Path, Path]:
    folder = CACHE_DIR if directory is None else directory
    return folder / f"{key}.png", folder / f"{key}.json"


def lookup(key: str, directory: Path | None = None) -> tuple[bytes, str] | None:
    """(PNG bytes, text shown for the figure) stored under `key` by the current code, or None."""
    png_path, info_path = _paths(key, directory)
    try:
        info = json.loads(info_path.read_text())
        if info["code_version"] != code_version():
            return None
        return png_path.read_bytes(), info["text"]
    except (OSError, ValueError, KeyError):
        return None


def store(key: str, png: bytes, text: str, directory: Path | None = None) -> None:
    """Store a figure's PNG and text under `key` (with the code version it was drawn with)."""
    png_path, info_path = _paths(key, directory)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.write_bytes(png)
    info = {"text": text, "code_version": code_version()}
    info_path.write_text(json.dumps(info, indent=1) + "\n")


def after_drawing(key: str, png: bytes, text: str) -> None:
    """Record the drawing (mode "record") or compare it with the cache (mode "verify")."""
    mode = cache_mode()
    if mode == "record":
        store(key, png, text)
    elif mode == "verify":
        cached = lookup(key)
        if cached is not None and cached != (png, text):
            warnings.warn(
                f"figures/cache/{key}.png differs from the figure drawn now; "
                "run `make figures` to record the cache again",
                stacklevel=2,
            )


P = ParamSpec("P")


def cached_figure(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Decorator for a figure function: in mode "on", a cached call returns a CachedFigure."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        mode = cache_mode()
        key = None if mode == "off" else cache_key(draw, args, kwargs)
        if key is not None and mode == "on":
            cached = lookup(key)
            if cached is not None:
                return CachedFigure(*cached, functools.partial(draw, *args, **kwargs))  # type: ignore[return-value]
        figure = draw(*args, **kwargs)
        if key is not None and hasattr(figure, "cache_key"):  # a NotebookFigure
            figure.cache_key = key
        return figure

    return wrapper


def stale_entries(directory: Path | None = None) -> list[Path]:
    """The entries' JSON files drawn with another code version (or unreadable), sorted."""
    folder = CACHE_DIR if directory is None else directory
    stale = []
    for info_path in sorted(folder.glob("*.json")):
        try:
            version = json.loads(info_path.read_text()).get("code_version")
        except ValueError:
            version = None
        if version != code_version():
            stale.append(info_path)
    return stale


def prune(directory: Path | None = None) -> list[Path]:
    """Remove the entries drawn with another code version; return the removed paths."""
    folder = CACHE_DIR if directory is None else directory
    removed = []
    for info_path in stale_entries(folder):
        for path in (info_path, info_path.with_suffix(".png")):
            if path.exists():
                path.unlink()
                removed.append(path)
    for png_path in sorted(folder.glob("*.png")):
        if not png_path.with_suffix(".json").exists():
            png_path.unlink()
            removed.append(png_path)
    return removed


def refresh(notebooks: list[Path], complete: bool = True) -> int:
    """Record the figures of `notebooks` by running them, then prune; return the entry count.

    With `complete` (the notebooks are the whole series) entries that no notebook drew in this
    run are removed too; otherwise the other notebooks' current entries are kept.
    """
    import nbformat
    from nbclient import NotebookClient

    started = time.time()
    os.environ[MODE_VARIABLE] = "record"  # the kernels inherit it
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        resources = {"metadata": {"path": str(path.parent)}}
        NotebookClient(nb, timeout=600, kernel_name="python3", resources=resources).execute()
    prune()
    if complete:
        for info_path in CACHE_DIR.glob("*.json"):
            if info_path.stat().st_mtime < started:  # not drawn by any notebook now
                info_path.unlink()
                info_path.with_suffix(".png").unlink(missing_ok=True)
    return len(list(CACHE_DIR.glob("*.png")))


def main(argv: list[str]) -> int:
    """`python -m helpers.figure_cache refresh [NOTEBOOK ...]` or `... prune`."""
    if argv[:1] == ["prune"]:
        print(f"removed {len(prune())} stale cache files")
        return 0
    if argv[:1] == ["refresh"]:
        chosen = [Path(p) for p in argv[1:]]
        notebooks = chosen or sorted((HELPERS_DIR.parent / "notebooks").glob("*.ipynb"))
        count = refresh(notebooks, complete=not chosen)
        print(f"the cache holds {count} figures (figures/{CACHE_DIR.name}/)")
        return 0
    print(main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
