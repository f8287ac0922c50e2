"""Lecture slides from the notebooks: slide metadata rules and offline reveal.js decks.

`python -m tools.slides tag notebooks/*.ipynb` writes `metadata.slideshow.slide_type` into
every cell (only metadata changes). `python -m tools.slides assets` installs pinned reveal.js,
require.js, jQuery and MathJax from the npm registry into a git-ignored folder, once.
`python -m tools.slides build [--out build/slides]` writes one static deck per notebook that
loads everything from local copies beside it, so it works with no network.

Rules: the title and every `## ` section start a slide, `### ` a sub-slide; a cell joins the
current slide while it fits (SLIDE_LINES), else starts a sub-slide; long code or long text
output gets a sub-slide; set-up (import-only) cells are skipped; a solution is a fragment.
"""

from __future__ import annotations

import argparse
import ast
import copy
import glob
import html
import json
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools.student import SOLUTION_TAG

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_NOTEBOOKS = "notebooks/*.ipynb"

DEFAULT_OUT = Path("build/slides")

DEFAULT_ASSETS = Path("build/slides-assets")

# "" continues the current slide: JupyterLab's own slide-type picker writes it, nbconvert reads it
# like "-", and live-slide extensions (jupyterlab-slideshow) only know "" (they hide "-" cells).
CONTINUE = ""

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", CONTINUE)

# Sizes in "lines" of a 960 x 700 reveal.js slide at the reveal template's 20 px text.
SLIDE_LINES = 24  # lines one (sub-)slide holds before it needs scrolling

LINE_CHARS = 80  # characters on one line before it wraps

IMAGE_LINES = 16  # a figure (PNG/SVG/JPEG output, or an image in markdown)

WIDGET_LINES = 14  # an interactive widget: its controls and its view

LONG_CODE_LINES = 12  # code longer than this gets a sub-slide of its own

LONG_OUTPUT_LINES = 10  # an output longer than this (a table, a long printout) likewise

# Pinned npm packages (none has dependencies) and the files each deck needs from them.
NPM_PACKAGES = {
    "reveal.js": "4.6.1",  # nbconvert 7's reveal template is written for reveal.js 4
    "requirejs": "2.3.8",
    "jquery": "3.7.1",
    "mathjax": "2.7.9",  # the template calls the MathJax 2 API (MathJax.Hub)
}

ASSET_FILES = {
    "reveal.js": [
        "LICENSE",
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/reset.css",
        "dist/theme/white.css",
        "dist/theme/fonts/source-sans-pro/*",
        "plugin/notes/notes.js",
    ],
    "requirejs": ["require.js"],
    "jquery": ["LICENSE.txt", "dist/jquery.min.js"],
    "mathjax": [
        "LICENSE",
        "MathJax.js",
        "config/TeX-AMS_CHTML-full.js",
        "config/Safe.js",
        "extensions/*.js",
        "extensions/TeX/*.js",
        "jax/element/mml/*.js",
        "jax/element/mml/optable/*.js",
        "jax/input/TeX/*.js",
        "jax/output/CommonHTML/*.js",
        "jax/output/CommonHTML/autoload/*.js",
        "jax/output/CommonHTML/fonts/TeX/*.js",
        "fonts/HTML-CSS/TeX/woff/*",
        "fonts/HTML-CSS/TeX/otf/*",
    ],
}

REVEAL_THEME = "white"  # its fonts ship with reveal.js ("simple" imports Google Fonts)

# latest.js would ask a CDN for a newer MathJax: load MathJax.js itself.
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

WIDGET_NOTE = (
    "[Interactive widget: it needs a running Python kernel, so static slides cannot show it. "
    "Open this notebook in JupyterLab (make lab) to move its controls, or present it live "
    "with RISE.]"
)

# Extends nbconvert's reveal template: no mermaid module and no widget manager from a CDN.
TEMPLATE_NAME = "series_slides.html.j2"

TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


def _check_cell(cell: object, name: str) -> Mapping[str, Any]:
    """The cell as a mapping, or raise naming `name` when it is not a notebook cell."""
    if not isinstance(cell, Mapping):
        raise TypeError(f"{name} must be a notebook cell (a mapping), got {type(cell).__name__}")
    if cell.get("cell_type") not in ("markdown", "code", "raw"):
        raise ValueError(f"{name} has no valid cell_type: {cell.get('cell_type')!r}")
    return cell


def _text(value: str | Sequence[str]) -> str:
    """A notebook text field, which may be stored as a list of lines."""
    return value if isinstance(value, str) else "".join(value)


def text_lines(text: str) -> int:
    """Lines `text` fills on a slide, long lines wrapped at LINE_CHARS characters."""
    return sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in text.rstrip().splitlines())


def heading_level(cell: Mapping[str, Any]) -> int:
    """1 for a markdown cell that starts with `# `, 2 for `## `, ...; 0 for any other cell."""
    if cell.get("cell_type") != "markdown":
        return 0
    match = re.match(r"(#{1,6})\s", _text(cell.get("source", "")).lstrip())
    return len(match.group(1)) if match else 0


def _output_size(output: Mapping[str, Any]) -> tuple[int, bool]:
    """Lines one output fills, and whether it is a picture (a figure or a widget)."""
    kind = output.get("output_type")
    if kind == "stream":
        return text_lines(_text(output.get("text", ""))), False
    if kind == "error":
        return len(output.get("traceback", [])), False
    data = output.get("data", {})
    if WIDGET_MIME in data:
        return WIDGET_LINES, True
    if any(mime.startswith("image/") for mime in data):
        return IMAGE_LINES, True
    if "text/html" in data:
        page = _text(data["text/html"])
        rows = len(re.findall(r"<tr[\s>]", page, flags=re.IGNORECASE))
        if rows:
            return rows, False
        if re.search(r"<(img|svg)[\s>]", page, flags=re.IGNORECASE):
            return IMAGE_LINES, True
        return text_lines(re.sub(r"<[^>]+>", "", page)), False
    for mime in ("text/markdown", "text/latex", "text/plain"):
        if mime in data:
            return text_lines(_text(data[mime])), False
    return 0, False


def output_lines(output: Mapping[str, Any]) -> int:
    """Lines one code-cell output fills on a slide (a figure or a widget counts as a block)."""
    return _output_size(output)[0]


def has_long_output(cell: Mapping[str, Any]) -> bool:
    """True when a text output (a printout, a table) is longer than LONG_OUTPUT_LINES."""
    sizes = [_output_size(output) for output in cell.get("outputs", [])]
    return any(lines > LONG_OUTPUT_LINES and not picture for lines, picture in sizes)


def cell_lines(cell: Mapping[str, Any]) -> int:
    """Lines a cell fills on a slide: its source, its outputs and any markdown images."""
    source = _text(cell.get("source", ""))
    lines = text_lines(source)
    if cell.get("cell_type") == "markdown":
        lines += IMAGE_LINES * len(re.findall(r"!\[[^\]]*\]\(|<img[\s>]", source))
    return lines + sum(output_lines(output) for output in cell.get("outputs", []))


def cell_tags(cell: Mapping[str, Any]) -> list[str]:
    """The cell's tags (an empty list when it has none)."""
    return list((cell.get("metadata") or {}).get("tags") or [])


def _only_imports(source: str) -> bool:
    """True when every statement of the code is an import (IPython %magics and !shell aside)."""
    kept = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    try:
        body = ast.parse(kept).body
    except SyntaxError:
        return False
    return all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)


def is_setup_cell(cell: Mapping[str, Any], previous_cells: Sequence[Mapping[str, Any]]) -> bool:
    """A code cell with no output that only imports, or that comes before the first section."""
    if cell.get("cell_type") != "code" or cell.get("outputs"):
        return False
    before_first_section = not any(heading_level(c) == 2 for c in previous_cells)
    return before_first_section or _only_imports(_text(cell.get("source", "")))


def _slide_types(cells: Sequence[Mapping[str, Any]]) -> list[str]:
    """The slide type of every cell, deciding from the start (a slide fills as cells join it)."""
    types: list[str] = []
    filled = 0  # lines already on the current sub-slide
    started = False  # whether a slide has begun (the first shown cell always starts one)
    for index, cell in enumerate(cells):
        lines = cell_lines(cell)
        level = heading_level(cell)
        source = _text(cell.get("source", "")).strip()
        if cell.get("cell_type") == "raw" or (not source and not cell.get("outputs")):
            kind = "skip"
        elif level in (1, 2):
            kind = "slide"
        elif level == 3:
            kind = "subslide"
        elif cell.get("cell_type") == "code" and is_setup_cell(cell, cells[:index]):
            kind = "skip"
        elif cell.get("cell_type") == "code" and SOLUTION_TAG in cell_tags(cell):
            kind = "fragment"  # the answer appears on the next key press, with its check below
        elif cell.get("cell_type") == "code" and (
            text_lines(source) > LONG_CODE_LINES or has_long_output(cell)
        ):
            kind = "subslide"
        elif filled + lines > SLIDE_LINES:
            kind = "subslide"
        else:
            kind = CONTINUE
        if kind in (CONTINUE, "subslide") and not started:
            kind = "slide"
        if kind in ("slide", "subslide"):
            started, filled = True, lines
        elif kind in (CONTINUE, "fragment"):
            filled += lines
        types.append(kind)
    return types


def slide_type(cell: Mapping[str, Any], previous_cells: Sequence[Mapping[str, Any]]) -> str:
    """The slide type the series' rules give `cell`, which follows `previous_cells` in order."""
    cell = _check_cell(cell, "cell")
    if isinstance(previous_cells, (str, bytes)) or not isinstance(previous_cells, Sequence):
        raise TypeError(
            f"previous_cells must be a sequence of cells, got {type(previous_cells).__name__}"
        )
    checked = [_check_cell(c, f"previous_cells[{i}]") for i, c in enumerate(previous_cells)]
    return _slide_types([*checked, cell])[-1]


def _check_notebook(nb: object) -> Mapping[str, Any]:
    """The notebook as a mapping with a list of cells, or raise naming `nb`."""
    if not isinstance(nb, Mapping) or not isinstance(nb.get("cells"), list):
        raise TypeError(f"nb must be a notebook (a mapping with a list of cells), got {nb!r:.80}")
    for index, cell in enumerate(nb["cells"]):
        _check_cell(cell, f"nb cell {index}")
    return nb


def tag_notebook(nb: Mapping[str, Any]) -> Any:
    """A copy of `nb` whose every cell carries the rules' `metadata.slideshow.slide_type`."""
    tagged = copy.deepcopy(_check_notebook(nb))
    for cell, kind in zip(tagged["cells"], _slide_types(tagged["cells"])):
        metadata = cell.setdefault("metadata", {})
        slideshow = dict(metadata.get("slideshow") or {})
        slideshow["slide_type"] = kind
        metadata["slideshow"] = slideshow
    return tagged


def slide_mismatches(nb: Mapping[str, Any]) -> list[str]:
    """One line per cell whose stored slide type differs from what the rules give."""
    expected = _slide_types(_check_notebook(nb)["cells"])
    found = []
    for index, (cell, kind) in enumerate(zip(nb["cells"], expected)):
        stored = (cell.get("metadata", {}).get("slideshow") or {}).get("slide_type")
        if stored != kind:
            first = _text(cell.get("source", "")).strip().splitlines()[:1] or [""]
            found.append(f"cell {index} ({first[0][:40]!r}): stored {stored!r}, rules {kind!r}")
    return found


def _read(path: Path) -> Any:
    """A notebook file as nbformat reads it (version 4)."""
    import nbformat

    return nbformat.read(path, as_version=4)


def _notebook_json(nb: Any) -> str:
    """The file text JupyterLab writes for a notebook (nbformat's layout plus a newline)."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def tag_files(paths: Sequence[str | Path], check: bool = False) -> list[Path]:
    """Tag each notebook file in place (or only report, with `check`); return those changed."""
    changed = []
    for path in map(Path, paths):
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"paths: {str(path)!r} is not a notebook file")
        old = path.read_text(encoding="utf-8")
        new = _notebook_json(tag_notebook(_read(path)))
        if new != old:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    return changed


def npm_command(prefix: Path) -> list[str]:
    """The npm command that installs the pinned packages into `prefix`."""
    pins = [f"{name}@{version}" for name, version in NPM_PACKAGES.items()]
    return ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund"] + [
        "--ignore-scripts",
        "--save-exact",
        *pins,
    ]


def _stamp(prefix: Path) -> Path:
    """The file recording which pins are installed in `prefix`."""
    return prefix / ".installed"


def assets_installed(prefix: Path) -> bool:
    """True when `prefix` holds exactly the pinned packages (per its stamp)."""
    stamp = _stamp(prefix)
    return stamp.is_file() and stamp.read_text() == json.dumps(NPM_PACKAGES, sort_keys=True)


def install_assets(prefix: Path) -> bool:
    """Install the pinned packages into `prefix` with npm unless done; True if it ran npm."""
    if assets_installed(prefix):
        return False
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed: install Node.js (it brings npm) to build slides")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(npm_command(prefix), check=True)
    for name, version in NPM_PACKAGES.items():
        package = json.loads((prefix / "node_modules" / name / "package.json").read_text())
        if package["version"] != version:
            raise RuntimeError(f"npm installed {name} {package['version']}, not {version}")
    _stamp(prefix).write_text(json.dumps(NPM_PACKAGES, sort_keys=True))
    return True


def copy_assets(prefix: Path, out: Path) -> int:
    """Copy the files the decks load from `prefix`'s packages to out/assets; count them."""
    if not assets_installed(prefix):
        raise FileNotFoundError(
            f"prefix: no pinned slide assets in {prefix}; run `python -m tools.slides assets`"
        )
    count = 0
    for name, patterns in ASSET_FILES.items():
        package = prefix / "node_modules" / name
        for pattern in patterns:
            matches = sorted(p for p in package.glob(pattern) if p.is_file())
            if not matches:
                raise FileNotFoundError(f"{name}@{NPM_PACKAGES[name]} has no {pattern}")
            for source in matches:
                target = out / "assets" / name / source.relative_to(package)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                count += 1
    return count


def static_notebook(nb: Mapping[str, Any]) -> Any:
    """A tagged copy for static slides: widget outputs become a note, no widget state."""
    static = tag_notebook(nb)
    static.get("metadata", {}).pop("widgets", None)
    for cell in static["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                data.clear()
                data["text/plain"] = WIDGET_NOTE
    return static


def exporter_options(assets_url: str = "assets") -> dict[str, Any]:
    """SlidesExporter options: every script and style from local copies, the theme, scrolling."""
    base = assets_url.rstrip("/")
    return {
        "reveal_url_prefix": f"{base}/reveal.js",
        "reveal_theme": REVEAL_THEME,
        "reveal_scroll": True,  # a sub-slide taller than the screen scrolls instead of clipping
        "require_js_url": f"{base}/requirejs/require.js",
        "jquery_url": f"{base}/jquery/dist/jquery.min.js",
        "mathjax_url": f"{base}/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
        "font_awesome_url": "",  # the reveal template uses no icon font
        "widget_renderer_url": "",
    }


def render_slides(nb: Mapping[str, Any], assets_url: str = "assets") -> str:
    """The reveal.js HTML of one notebook, loading scripts and styles from `assets_url`."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    for option, value in exporter_options(assets_url).items():
        setattr(config.SlidesExporter, option, value)
    exporter = SlidesExporter(
        config=config,
        extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})],
        template_file=TEMPLATE_NAME,
    )
    body, _ = exporter.from_notebook_node(static_notebook(nb))
    return body


def link_decks(page: str, stems: Sequence[str]) -> str:
    """Point links to the series' notebooks (`02_x.ipynb`) at their decks (`02_x.slides.html`)."""
    names = "|".join(re.escape(stem) for stem in stems)
    if not names:
        return page
    return re.sub(rf'href="({names})\.ipynb(#[^"]*)?"', r'href="\1.slides.html\2"', page)


def index_page(stems: Sequence[str]) -> str:
    """A plain HTML page listing the decks."""
    items = "\n".join(
        f'<li><a href="{html.escape(s)}.slides.html">{html.escape(s)}</a></li>' for s in stems
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Slides: how CNNs and RNNs work</title></head>\n"
        f"<body><h1>Slides</h1>\n<ul>\n{items}\n</ul></body></html>\n"
    )


def build_slides(
    notebooks: Sequence[str | Path], out: Path = DEFAULT_OUT, prefix: Path = DEFAULT_ASSETS
) -> list[Path]:
    """Write out/NAME.slides.html for each notebook, out/index.html and out/assets/."""
    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks: no notebook to build")
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"notebooks: {str(path)!r} is not a notebook file")
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(prefix, out)
    stems = [p.stem for p in paths]
    written = []
    for path in paths:
        target = out / f"{path.stem}.slides.html"
        target.write_text(link_decks(render_slides(_read(path)), stems), encoding="utf-8")
        written.append(target)
    (out / "index.html").write_text(index_page(stems), encoding="utf-8")
    return written


def _expand(patterns: Sequence[str]) -> list[str]:
    """Notebook paths from arguments that may be globs (make passes them unexpanded)."""
    paths: list[str] = []
    for pattern in patterns:
        paths.extend(sorted(glob.glob(pattern)) or [pattern])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """`tag`, `assets` or `build`; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m tools.slides", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    tag = commands.add_parser("tag", help="write slide metadata into notebooks (in place)")
    tag.add_argument("notebooks", nargs="+")
    tag.add_argument("--check", action="store_true", help="change nothing; exit 1 if untagged")
    assets = commands.add_parser("assets", help="npm-install the pinned reveal.js and friends")
    assets.add_argument("--prefix", type=Path, default=DEFAULT_ASSETS)
    build = commands.add_parser("build", help="write offline reveal.js decks")
    build.add_argument("notebooks", nargs="*", default=[DEFAULT_NOTEBOOKS])
    build.add_argument("--out", type=Path, default=DEFAULT_OUT)
    build.add_argument("--prefix", type=Path, default=DEFAULT_ASSETS)
    args = parser.parse_args(argv)

    if args.command == "tag":
        changed = tag_files(_expand(args.notebooks), check=args.check)
        verb = "would change" if args.check else "tagged"
        for path in changed:
            print(f"{verb} {path}")
        if not changed:
            print("slide metadata already up to date")
        return 1 if args.check and changed else 0
    if args.command == "assets":
        ran = install_assets(args.prefix)
        pins = ", ".join(f"{n} {v}" for n, v in NPM_PACKAGES.items())
        print(f"{'installed' if ran else 'already installed'} in {args.prefix}: {pins}")
        return 0
    install_assets(args.prefix)
    written = build_slides(_expand(args.notebooks), args.out, args.prefix)
    print(f"wrote {len(written)} decks to {args.out}/ (open {args.out}/index.html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
