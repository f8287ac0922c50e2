"""The student edition: solutions stubbed, outputs cleared, nothing leaks, and every notebook
runs top to bottom with the checks saying "not done yet"."""

import json

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.ui.exercises import NOT_DONE_MESSAGE
from tools.student import (
    STUB_COMMENT,
    is_solution,
    main,
    solution_names,
    stub_source,
    student_notebook,
    write_student_edition,
)

from notebook_files import NOTEBOOK_DIR, notebook_paths, read

LOOPBACK = ["127.0.0.1", "::1"]  # the kernels' ZeroMQ ports; nothing else
NOT_DONE_TEXT = f"… Not done yet: {NOT_DONE_MESSAGE}"


# --- Stubs ---------------------------------------------------------------------------------------


def test_stub_keeps_the_names_and_drops_the_values():
    assert stub_source("answer_1 = 78_500") == f"answer_1 = None  {STUB_COMMENT}"
    assert stub_source("answer_1 = (8, 12, 12)\nanswer_2 = 'other'") == (
        f"answer_1 = None  {STUB_COMMENT}\nanswer_2 = None  {STUB_COMMENT}"
    )
    assert solution_names("a = b = 3\na = 4") == ["a", "b"]


@pytest.mark.parametrize(
    "source", ["print(1)", "x += 1", "x[0] = 1", "x, y = 1, 2", "", "# only a comment", "x ="]
)
def test_a_solution_cell_must_only_assign_names(source):
    with pytest.raises(ValueError, match="source"):
        stub_source(source)


def test_a_solution_source_must_be_text():
    with pytest.raises(TypeError, match="source"):
        stub_source(["answer_1 = 1"])


def toy_notebook():
    solution = nbformat.v4.new_code_cell("answer_1 = 42", execution_count=2)
    solution.metadata["tags"] = ["solution"]
    solution.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    check = nbformat.v4.new_code_cell("check(answer_1)", execution_count=3)
    check.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "ok"})]
    check.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00"}
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Q"), solution, check],
        metadata={
            "widgets": {"state": {}},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
        },
    )
    return nb


def test_student_notebook_stubs_and_clears_without_touching_the_original():
    nb = toy_notebook()
    before = json.dumps(nb, sort_keys=True)
    student = student_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before
    markdown, solution, check = student.cells
    assert markdown.source == "# Q"
    assert solution.source == f"answer_1 = None  {STUB_COMMENT}" and is_solution(solution)
    assert check.source == "check(answer_1)"
    assert all(c.outputs == [] and c.execution_count is None for c in (solution, check))
    assert "execution" not in check.metadata
    assert "widgets" not in student.metadata and student.metadata.kernelspec.name == "python3"


def test_write_refuses_to_overwrite_the_teachers_notebooks(tmp_path):
    with pytest.raises(ValueError, match="out_dir"):
        write_student_edition(NOTEBOOK_DIR, NOTEBOOK_DIR)
    with pytest.raises(ValueError, match="source_dir"):
        write_student_edition(tmp_path, tmp_path / "out")


# --- The real notebooks --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    """The student edition of the repository's notebooks, written by the command line."""
    out = tmp_path_factory.mktemp("student")
    assert main(["--out", str(out)]) == 0
    return out


def test_every_notebook_is_written_with_the_same_cells(edition):
    for path in notebook_paths():
        teacher, student = read(path), read(edition / path.name)
        nbformat.validate(student)
        assert len(student.cells) == len(teacher.cells)
        for t, s in zip(teacher.cells, student.cells):
            assert s.cell_type == t.cell_type
            if not is_solution(t):
                assert s.source == t.source
            assert s.metadata.get("tags") == t.metadata.get("tags")


def test_no_solution_text_and_no_output_leaks(edition):
    solutions = 0
    for path in notebook_paths():
        text = (edition / path.name).read_text()
        student = read(edition / path.name)
        assert "widgets" not in student.metadata
        for cell in student.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        for cell in read(path).cells:
            if is_solution(cell):
                solutions += 1
                for line in cell.source.splitlines():
                    assert json.dumps(line)[1:-1] not in text, f"{line!r} in {path.name}"
    assert solutions >= 2 * (len(notebook_paths()) - 1)


@pytest.mark.allow_hosts(LOOPBACK)
def test_the_student_edition_runs_top_to_bottom(edition):
    """Run every student notebook in a fresh kernel; the checks must say "not done yet"."""
    checks = 0
    for path in sorted(edition.glob("*.ipynb")):
        nb = read(path)
        NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(edition)}}
        ).execute()  # raises CellExecutionError on the first cell that fails
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
            streams = [o for o in cell.outputs if o.output_type == "stream"]
            assert all(o.name == "stdout" for o in streams), f"stderr in {path.name}"
            if cell.source.startswith("check_"):
                checks += 1
                assert cell.outputs[0]["data"]["text/plain"] == NOT_DONE_TEXT, cell.source
    assert checks >= 2 * (len(notebook_paths()) - 1)
