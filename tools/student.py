"""The student edition: every notebook with its solution cells stubbed and all outputs cleared.

Run `python -m tools.student [--out build/student]`. A code cell tagged `solution` holds only
assignments (`answer_1 = 78_500`); the student gets `answer_1 = None  # your answer here`, so
the check below it runs and says "not done yet".
"""

from __future__ import annotations

import argparse
import ast
import copy
from collections.abc import Sequence
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"

STUB_COMMENT = "# your answer here"

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOK_DIR = ROOT / "notebooks"

DEFAULT_OUT = ROOT / "build" / "student"


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether `cell` is a code cell tagged `solution`."""
    return cell.cell_type == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def solution_names(source: str) -> list[str]:
    """The variables a solution cell assigns, in order; ValueError if it holds anything else."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    try:
        body = ast.parse(source).body
    except SyntaxError as error:
        raise ValueError(f"source is not valid Python: {error.msg} in {source!r}") from None
    names = []
    for statement in body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if not targets or not all(isinstance(t, ast.Name) for t in targets):
            raise ValueError(
                f"source of a solution cell must hold only `name = value` lines, got {source!r}"
            )
        names.extend(t.id for t in targets if t.id not in names)
    if not names:
        raise ValueError(f"source of a solution cell assigns nothing: {source!r}")
    return names


def stub_source(source: str) -> str:
    """The student's version of a solution cell: each assigned name set to None."""
    return "\n".join(f"{name} = None  {STUB_COMMENT}" for name in solution_names(source))


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `notebook` with solutions stubbed, outputs, counts and widget state removed."""
    student = copy.deepcopy(notebook)
    student.metadata.pop("widgets", None)
    for cell in student.cells:
        cell.metadata.pop("execution", None)  # run times written by nbconvert
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if is_solution(cell):
            cell.source = stub_source(cell.source)
    return student


def write_student_edition(
    source_dir: Path = NOTEBOOK_DIR, out_dir: Path = DEFAULT_OUT
) -> list[Path]:
    """Write the student edition of every notebook in `source_dir` to `out_dir`; their paths."""
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    paths = sorted(source_dir.glob("*.ipynb"))
    if not paths:
        raise ValueError(f"source_dir has no notebooks: {source_dir}")
    if out_dir.resolve() == source_dir.resolve():
        raise ValueError("out_dir must differ from source_dir: it would overwrite the solutions")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        notebook = student_notebook(nbformat.read(path, as_version=4))
        nbformat.validate(notebook)
        target = out_dir / path.name
        nbformat.write(notebook, target)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the student edition and say where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write into")
    parser.add_argument("--source", type=Path, default=NOTEBOOK_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    written = write_student_edition(args.source, args.out)
    stubs = sum(
        is_solution(cell) for path in written for cell in nbformat.read(path, as_version=4).cells
    )
    print(f"wrote {len(written)} notebooks ({stubs} answer cells to fill in) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
