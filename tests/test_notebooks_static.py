"""Static checks on the committed notebooks: names, navigation, execution, clean outputs."""

import getpass
import re

import nbformat
import pytest

from tools.series import SERIES, label, nav_line

from notebook_files import NOTEBOOK_DIR, ROOT, notebook_paths, read

PATHS = notebook_paths()
IDS = [p.name for p in PATHS]
SERIES_NAMES = [n.filename for n in SERIES]
AVAILABLE = {p.name for p in PATHS}


def test_names_follow_the_series_in_teaching_order():
    names = [p.name for p in PATHS]
    assert names, "no notebooks found"
    for name in names:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", name), name
        assert name in SERIES_NAMES, f"{name} is not in tools.series.SERIES"
    assert names == [n for n in SERIES_NAMES if n in names], "out of teaching order"
    assert names[0] == "00_index.ipynb"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_valid_and_small(path):
    nbformat.validate(read(path))
    assert path.stat().st_size <= 2 * 1024 * 1024


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_title_and_what_you_will_learn(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# {path.name[:2]} · ")
    assert "**What you will learn:**" in first.source


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_navigation_at_top_and_bottom(path):
    nb = read(path)
    expected = nav_line(path.name, AVAILABLE)
    assert expected in nb.cells[0].source.splitlines()
    assert expected in nb.cells[-1].source.splitlines()
    for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", expected):
        assert (NOTEBOOK_DIR / target).exists(), target


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_link_to_a_notebook_resolves(path):
    for cell in read(path).cells:
        if cell.cell_type == "markdown":
            for target in re.findall(r"\]\(([^)#\s]+\.ipynb)\)", cell.source):
                assert (NOTEBOOK_DIR / target).exists(), f"{target} linked from {path.name}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_code_cells_executed_in_order(path):
    code = [c for c in read(path).cells if c.cell_type == "code" and c.source.strip()]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_a_cells_printed_text_is_one_output(path):
    # make execute coalesces streams: pieces would change the file from one run to the next
    for index, cell in enumerate(read(path).cells):
        outputs = cell.get("outputs", [])
        for first, second in zip(outputs, outputs[1:]):
            pieces = first.output_type == second.output_type == "stream"
            assert not (pieces and first.name == second.name), f"cell {index}: split stream"


def _output_texts(path):
    for cell in read(path).cells:
        if cell.cell_type != "code":
            continue
        yield from cell.outputs


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_no_errors_or_warnings_in_outputs(path):
    for output in _output_texts(path):
        assert output.output_type != "error", f"{output.ename}: {output.evalue}"
        if output.output_type == "stream":
            assert output.name == "stdout", f"stderr output: {output.text[:200]}"
            assert "Warning" not in output.text


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_no_paths_addresses_or_user_names_in_outputs(path):
    user = getpass.getuser()
    forbidden = [
        r"/(?:home|root|tmp|work|Users|private)/",
        r"[A-Za-z]:\\\\",
        r"\bat 0x[0-9a-fA-F]+",
        re.escape(str(ROOT)),
    ]
    for output in _output_texts(path):
        texts = [output.get("text", "")]
        texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
        for text in texts:
            for pattern in forbidden:
                assert not re.search(pattern, text), f"{pattern!r} in {text[:200]!r}"
            if user not in {"root", "jovyan"}:
                assert user not in text


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_kernelspec_is_python3(path):
    assert read(path).metadata["kernelspec"]["name"] == "python3"


def test_index_maps_the_whole_series():
    index = read(NOTEBOOK_DIR / "00_index.ipynb")
    text = "\n".join(c.source for c in index.cells if c.cell_type == "markdown")
    for notebook in SERIES[1:]:
        number, title = label(notebook.filename).split(" ", 1)
        row = next(line for line in text.splitlines() if line.startswith(f"| {number} |"))
        assert notebook.teaches in row
        if notebook.filename in AVAILABLE:
            assert f"[{title}]({notebook.filename})" in row
        else:
            assert notebook.filename not in row and "not written yet" in row


def test_readme_lists_every_written_notebook():
    readme = (ROOT / "README.md").read_text()
    for name in AVAILABLE:
        assert f"notebooks/{name}" in readme


def test_glossary_links_to_headings_that_exist() -> None:
    from helpers.lessons.index import GLOSSARY, glossary_markdown, heading_anchor

    headings: dict[str, set[str]] = {}
    for entry in GLOSSARY:
        if entry.notebook not in headings:
            nb = nbformat.read(NOTEBOOK_DIR / entry.notebook, as_version=4)
            headings[entry.notebook] = {
                line.lstrip("#").strip()
                for cell in nb.cells
                if cell.cell_type == "markdown"
                for line in cell.source.splitlines()
                if line.startswith("#")
            }
        assert entry.heading in headings[entry.notebook], (
            f"glossary: {entry.term!r} points to {entry.notebook} section {entry.heading!r}, "
            "which that notebook does not have"
        )
    notebooks = [entry.notebook[:2] for entry in GLOSSARY]
    assert notebooks == sorted(notebooks), "the glossary follows the order of the series"
    index = nbformat.read(NOTEBOOK_DIR / "00_index.ipynb", as_version=4)
    assert any(
        cell.cell_type == "markdown" and glossary_markdown() in cell.source for cell in index.cells
    ), "00's glossary cell must be helpers.lessons.index.glossary_markdown() (paste it again)"
    assert heading_anchor("The loop inside `nn.LSTM`") == "The-loop-inside-nn.LSTM"
    assert heading_anchor('Why "flip"?') == "Why-%22flip%22%3F"
