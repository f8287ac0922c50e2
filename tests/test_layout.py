"""The import rules of the layout (DESIGN.md), read from the source with `ast`, not by importing.

- helpers/core imports no matplotlib, ipywidgets, IPython, helpers.ui, helpers.lessons or tools;
- helpers/ui imports neither helpers.core nor helpers.lessons nor tools;
- helpers/lessons imports, of the project, only helpers.core, helpers.ui and its own lesson's
  package (a lesson folder's modules import each other), never another lesson or tools;
- no module in helpers/ imports tools;
- notebook NN_name.ipynb imports, of the project, only helpers.core and helpers.lessons.name,
  and that lesson exists.

Every import counts: at the top, inside functions, under `if TYPE_CHECKING:`, relative ones,
and `importlib.import_module("...")` / `__import__("...")` with a literal name.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from notebook_files import ROOT, notebook_paths, read

PROJECT_PACKAGES = ("helpers", "tools")  # the project's own top-level modules

CORE_BANNED = ("matplotlib", "ipywidgets", "IPython", "helpers.ui", "helpers.lessons")

UI_BANNED = ("helpers.core", "helpers.lessons")  # tools: banned for all of helpers/

NOTEBOOK_NAME = re.compile(r"^\d\d_(?P<lesson>[a-z0-9_]+)\.ipynb$")

# The lesson module of every notebook of the series: its file name without the number.
EXPECTED_LESSONS = {
    "00_index.ipynb": "helpers.lessons.index",
    "01_why_cnn.ipynb": "helpers.lessons.why_cnn",
    "02_padding_and_stride.ipynb": "helpers.lessons.padding_and_stride",
    "03_weight_sharing.ipynb": "helpers.lessons.weight_sharing",
    "04_pooling.ipynb": "helpers.lessons.pooling",
    "05_rnn_slot_filling.ipynb": "helpers.lessons.rnn_slot_filling",
    "06_lstm_by_hand.ipynb": "helpers.lessons.lstm_by_hand",
    "07_vgg16.ipynb": "helpers.lessons.vgg16",
    "08_cnn_vs_rnn.ipynb": "helpers.lessons.cnn_vs_rnn",
    "09_cnn_learns.ipynb": "helpers.lessons.cnn_learns",
}


@dataclass(frozen=True)
class Import:
    """One module a piece of source imports: where, the statement as written, the dotted name."""

    line: int
    statement: str
    name: str


# --- reading imports --------------------------------------------------------------------------


def is_within(name: str, package: str) -> bool:
    """True when the dotted `name` is `package` itself or lies inside it."""
    return name == package or name.startswith(package + ".")


def _resolve_relative(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of `from <level dots><module> import ...` written in `importer`."""
    parts = importer.split(".")
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package) - 1:
        raise ValueError(f"relative import beyond the top package in {importer}")
    base = package[: len(package) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _statement(source_lines: list[str], node: ast.AST) -> str:
    """The source text of `node` on one line (continuation lines joined)."""
    end = getattr(node, "end_lineno", node.lineno)
    text = " ".join(line.strip() for line in source_lines[node.lineno - 1 : end])
    return re.sub(r"\(\s+", "(", re.sub(r",?\s*\)", ")", text))


def imports_in(source: str, importer: str = "__main__", is_package: bool = False) -> list[Import]:
    """Every module `source` imports, anywhere in it; relative imports resolved from `importer`.

    `from a.b import c` counts as importing "a.b.c" (c may be a module or a name in a.b), so
    that `from helpers.lessons import pooling` is caught as importing helpers.lessons.pooling.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    found: list[Import] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = _resolve_relative(node.module, node.level, importer, is_package)
            names = [base if a.name == "*" else f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if called in ("import_module", "__import__") and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    names = [first.value]
        found += [Import(node.lineno, _statement(lines, node), name) for name in names]
    return sorted(found, key=lambda found_import: found_import.line)


# --- the rules --------------------------------------------------------------------------------


def own_lesson(importer: str) -> str | None:
    """The lesson package a module of helpers/lessons belongs to ("helpers.lessons.pooling")."""
    if not is_within(importer, "helpers.lessons") or importer == "helpers.lessons":
        return None
    return ".".join(importer.split(".")[:3])


def helpers_rule_broken(importer: str, imported: str) -> str | None:
    """The rule that module `importer` of helpers/ breaks by importing `imported`, or None."""
    if is_within(imported, "tools"):
        return "no module in helpers/ imports tools (maintainers' tools stay outside the package)"
    if is_within(importer, "helpers.core"):
        for banned in CORE_BANNED:
            if is_within(imported, banned):
                return f"helpers/core imports no {banned} (core is the maths: numpy/torch only)"
    elif is_within(importer, "helpers.ui"):
        for banned in UI_BANNED:
            if is_within(imported, banned):
                return f"helpers/ui imports no {banned} (the kit has no lesson content)"
    elif is_within(importer, "helpers.lessons") and is_within(imported, "helpers"):
        own = own_lesson(importer)
        allowed = ["helpers.core", "helpers.ui"] + ([own] if own else [])
        if not any(is_within(imported, package) for package in allowed):
            return "a lesson imports, of the project, only " + ", ".join(allowed)
    return None


def notebook_rule_broken(lesson: str, imported: str) -> str | None:
    """The rule a notebook whose lesson is `lesson` breaks by importing `imported`, or None."""
    if not any(is_within(imported, package) for package in PROJECT_PACKAGES):
        return None
    if is_within(imported, "helpers.core") or is_within(imported, lesson):
        return None
    return f"a notebook imports, of the project, only helpers.core and its own lesson {lesson}"


def helpers_violations(label: str, source: str, importer: str, is_package: bool) -> list[str]:
    """One message per import of a helpers/ module that breaks a rule: file:line, import, rule."""
    messages = []
    for found in imports_in(source, importer, is_package):
        rule = helpers_rule_broken(importer, found.name)
        if rule:
            messages.append(
                f"{label}:{found.line}: `{found.statement}` imports {found.name}; rule: {rule}"
            )
    return messages


def notebook_violations(label: str, code_cells: list[tuple[int, str]], lesson: str) -> list[str]:
    """One message per import in a notebook's (cell number, source) code cells breaking a rule."""
    transform = TransformerManager().transform_cell  # IPython syntax (%magic, !cmd) to Python
    messages = []
    for number, source in code_cells:
        for found in imports_in(transform(source)):
            rule = notebook_rule_broken(lesson, found.name)
            if rule:
                messages.append(
                    f"{label} cell {number}, line {found.line}: `{found.statement}` imports "
                    f"{found.name}; rule: {rule}"
                )
    return messages


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name of a .py file below ROOT, and whether it is a package's __init__."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def lesson_of(notebook: str) -> str:
    """The lesson module of notebook "NN_name.ipynb": helpers.lessons.name."""
    match = NOTEBOOK_NAME.match(notebook)
    assert match, f"{notebook}: a notebook is named NN_name.ipynb (two digits, lower case)"
    return f"helpers.lessons.{match['lesson']}"


def lesson_exists(lesson: str) -> bool:
    """True when helpers/lessons has the module (name.py) or the package (name/__init__.py)."""
    path = ROOT.joinpath(*lesson.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


# --- each rule can fail, and allowed imports pass ----------------------------------------------

BREAKING = [
    # (importer, source, the imported name reported, a word of the rule)
    ("helpers.core.vgg", "import matplotlib.pyplot as plt", "matplotlib.pyplot", "core"),
    ("helpers.core.vgg", "from ipywidgets import IntSlider", "ipywidgets.IntSlider", "core"),
    ("helpers.core.vgg", "from IPython.display import HTML", "IPython.display.HTML", "core"),
    ("helpers.core.vgg", "from helpers.ui.svg import grid", "helpers.ui.svg.grid", "core"),
    ("helpers.core.vgg", "from ..ui import svg", "helpers.ui.svg", "core"),
    ("helpers.core.vgg", "from helpers.lessons import vgg16", "helpers.lessons.vgg16", "core"),
    ("helpers.core.vgg", "def f():\n    import tools.figures", "tools.figures", "tools"),
    (
        "helpers.core.vgg",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from matplotlib.figure import F",
        "matplotlib.figure.F",
        "core",
    ),
    ("helpers.core.vgg", "import importlib\nimportlib.import_module('IPython')", "IPython", "core"),
    ("helpers.ui.svg", "from helpers.core import vgg", "helpers.core.vgg", "ui"),
    ("helpers.ui.svg", "import helpers.lessons.index", "helpers.lessons.index", "ui"),
    ("helpers.ui.svg", "from tools import widget_registry", "tools.widget_registry", "tools"),
    ("helpers.ui", "from ..core import vgg", "helpers.core.vgg", "ui"),
    ("helpers.lessons.vgg16", "import helpers.lessons.index", "helpers.lessons.index", "lesson"),
    ("helpers.lessons.vgg16", "from .pooling import f", "helpers.lessons.pooling.f", "lesson"),
    ("helpers.lessons.pooling.figures", "from .. import vgg16", "helpers.lessons.vgg16", "lesson"),
    ("helpers.lessons.pooling.figures", "import helpers", "helpers", "lesson"),
    ("helpers.lessons.vgg16", "class A:\n    def f(self):\n        import tools", "tools", "tools"),
    ("helpers.lessons", "from . import pooling", "helpers.lessons.pooling", "lesson"),
    ("helpers", "from tools.figures import write", "tools.figures.write", "tools"),
]  # fmt: skip


@pytest.mark.parametrize(("importer", "source", "reported", "rule"), BREAKING)
def test_each_helpers_rule_fails_on_an_import_that_breaks_it(
    importer: str, source: str, reported: str, rule: str
) -> None:
    is_package = importer in ("helpers", "helpers.ui", "helpers.lessons")
    messages = helpers_violations("some/file.py", source, importer, is_package)
    assert len(messages) == 1, messages
    line = len(source.splitlines())  # the import is on each example's last line
    assert messages[0].startswith(f"some/file.py:{line}: `{source.splitlines()[-1].strip()}`")
    assert f" imports {reported}; rule: " in messages[0]
    assert rule in messages[0].split("rule: ")[1]


ALLOWED = [
    ("helpers.core.vgg", "import numpy as np\nimport torch\nfrom torch import nn"),
    ("helpers.core.vgg", "from helpers.core.arithmetic import check_int\nfrom .summary import MIB"),
    ("helpers.ui.figure", "import matplotlib\nimport ipywidgets\nfrom IPython.display import HTML"),
    ("helpers.ui.explorer", "from helpers.ui.palette import PALETTE\nfrom .svg import grid"),
    ("helpers.lessons.vgg16", "from helpers.core.vgg import vgg16\nfrom helpers.ui.svg import g"),
    ("helpers.lessons.vgg16", "import matplotlib.pyplot\nfrom helpers.lessons.vgg16 import a"),
    ("helpers.lessons.pooling.explorers", "from helpers.lessons.pooling.figures import f"),
    ("helpers.lessons.pooling.explorers", "from .figures import f\nfrom . import exercises"),
    ("helpers.lessons.pooling", "from .explorers import pooling_explorer"),
    ("helpers.lessons", "from helpers.ui.exercises import check"),
]  # fmt: skip


@pytest.mark.parametrize(("importer", "source"), ALLOWED)
def test_allowed_imports_pass(importer: str, source: str) -> None:
    is_package = importer in ("helpers.lessons", "helpers.lessons.pooling")
    assert helpers_violations("some/file.py", source, importer, is_package) == []


NOTEBOOK_CASES = [
    # (source, the imported name reported, or None when allowed)
    ("import numpy as np\nfrom helpers.core.vgg import vgg16", None),
    ("from helpers.lessons.pooling import figure_pooling", None),
    ("from helpers.lessons.pooling.figures import figure_pooling", None),
    ("%matplotlib inline\nimport matplotlib.pyplot as plt", None),
    ("from helpers.lessons.vgg16 import figure_x", "helpers.lessons.vgg16.figure_x"),
    ("from helpers.lessons import pooling", None),  # its own lesson, as a module
    ("from helpers.lessons import vgg16", "helpers.lessons.vgg16"),
    ("from helpers.ui.svg import grid", "helpers.ui.svg.grid"),
    ("import helpers", "helpers"),
    ("from tools.figures import write", "tools.figures.write"),
    ("%time x = 1\nif True:\n    import tools.student", "tools.student"),
    ("def f():\n    from helpers.lessons.index import n\n    return n", "helpers.lessons.index.n"),
]


@pytest.mark.parametrize(("source", "reported"), NOTEBOOK_CASES)
def test_the_notebook_rule_fails_on_an_import_that_breaks_it(
    source: str, reported: str | None
) -> None:
    messages = notebook_violations("04_pooling.ipynb", [(7, source)], "helpers.lessons.pooling")
    if reported is None:
        assert messages == []
        return
    assert len(messages) == 1, messages
    lines = source.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "import" in text and "%" not in text)
    where = f"04_pooling.ipynb cell 7, line {line}: `{lines[line - 1].strip()}`"
    assert messages[0].startswith(where)
    assert f"imports {reported}; rule: " in messages[0]
    assert "helpers.lessons.pooling" in messages[0]


def test_an_import_over_several_lines_is_reported_on_one() -> None:
    source = "x = 1\nfrom helpers.lessons.why_cnn import (\n    a,\n    b,\n)\n"
    messages = helpers_violations("f.py", source, "helpers.lessons.vgg16", False)
    assert messages[0].startswith("f.py:2: `from helpers.lessons.why_cnn import (a, b)`")
    assert len(messages) == 2  # a and b (either may be a module)


def test_relative_imports_resolve_like_python() -> None:
    assert _resolve_relative("figures", 1, "helpers.lessons.pooling.explorers", False) == (
        "helpers.lessons.pooling.figures"
    )
    assert _resolve_relative("figures", 1, "helpers.lessons.pooling", True) == (
        "helpers.lessons.pooling.figures"
    )
    assert _resolve_relative(None, 2, "helpers.lessons.pooling.explorers", False) == (
        "helpers.lessons"
    )
    assert _resolve_relative("core.vgg", 2, "helpers.lessons.vgg16", False) == "helpers.core.vgg"


def test_lesson_names_come_from_the_notebook_names() -> None:
    for notebook, lesson in EXPECTED_LESSONS.items():
        assert lesson_of(notebook) == lesson
    assert not lesson_exists("helpers.lessons.no_such_lesson")
    assert lesson_exists("helpers.lessons.vgg16") or lesson_exists("helpers.lessons.pooling")


# --- the real tree -----------------------------------------------------------------------------

HELPERS_FILES = sorted((ROOT / "helpers").rglob("*.py"))


def _label(path: Path) -> str:
    """`path` relative to the repository root, with forward slashes."""
    return path.relative_to(ROOT).as_posix()


def test_the_tree_is_laid_out_by_audience() -> None:
    for package in ("core", "ui", "lessons"):
        assert (ROOT / "helpers" / package / "__init__.py").is_file(), package
    assert (ROOT / "tools").is_dir() and not (ROOT / "helpers" / "tools").exists()
    assert len(HELPERS_FILES) > 10


@pytest.mark.parametrize("path", HELPERS_FILES, ids=_label)
def test_helpers_module_follows_the_import_rules(path: Path) -> None:
    importer, is_package = module_name(path)
    source = path.read_text(encoding="utf-8")
    messages = helpers_violations(_label(path), source, importer, is_package)
    assert not messages, "\n".join(messages)


def test_every_notebook_has_its_lesson() -> None:
    names = [path.name for path in notebook_paths()]
    assert names == sorted(EXPECTED_LESSONS), "notebooks/ differs from the series' list"
    missing = [
        f"{name}: no {lesson} (helpers/lessons/{lesson.rsplit('.', 1)[1]}.py or a folder)"
        for name, lesson in EXPECTED_LESSONS.items()
        if not lesson_exists(lesson)
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.name)
def test_notebook_imports_only_core_and_its_own_lesson(path: Path) -> None:
    lesson = lesson_of(path.name)
    assert lesson == EXPECTED_LESSONS.get(path.name), path.name
    cells = [
        (number, cell.source)
        for number, cell in enumerate(read(path).cells, 1)
        if cell.cell_type == "code"
    ]
    messages = notebook_violations(f"notebooks/{path.name}", cells, lesson)
    assert not messages, "\n".join(messages)
