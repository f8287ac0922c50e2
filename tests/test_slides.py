"""Slides: the metadata rules, the tagger, and offline reveal.js decks checked in Chromium."""

import copy
import html
import importlib
import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from tools import slides
from tools.slides import (
    IMAGE_LINES,
    LONG_CODE_LINES,
    LONG_OUTPUT_LINES,
    NPM_PACKAGES,
    SLIDE_LINES,
    SLIDE_TYPES,
    WIDGET_LINES,
    WIDGET_MIME,
    WIDGET_NOTE,
    slide_type,
    tag_notebook,
)
from tools.student import SOLUTION_TAG

from notebook_files import ROOT, notebook_paths, read

PATHS = notebook_paths()
IDS = [p.name for p in PATHS]
ASSETS = ROOT / slides.DEFAULT_ASSETS  # installed by `make slides` (npm, at set-up time)
BROWSER_DECK = "02_padding_and_stride"  # has a title, math and a widget


def md(text):
    return new_markdown_cell(text)


def code(text, *outputs):
    return new_code_cell(text, outputs=list(outputs))


def stream(lines):
    return new_output("stream", name="stdout", text="".join(f"line {i}\n" for i in range(lines)))


def display(data):
    return new_output("display_data", data=data)


PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480 with 1 Axes>"}
WIDGET = {WIDGET_MIME: {"model_id": "abc", "version_major": 2}, "text/plain": "Explorer(...)"}


def title():
    return md("# 01 · A title\n\nWhat you will learn.")


def section():
    return md("## A section\n\nOne short paragraph.")


def types(cells):
    return [c.metadata.slideshow.slide_type for c in tag_notebook(new_notebook(cells=cells)).cells]


# ---------------------------------------------------------------- the rules


def test_title_and_sections_start_slides_and_third_level_headings_subslides():
    cells = [title(), section(), md("### A detail\n\nText."), md("## Next section")]
    assert types(cells) == ["slide", "slide", "subslide", "slide"]


def test_short_markdown_joins_its_heading_and_long_markdown_gets_a_subslide():
    long_text = "\n".join(f"Line {i} of a long explanation." for i in range(SLIDE_LINES))
    cells = [title(), section(), md("A short remark."), md(long_text)]
    assert types(cells) == ["slide", "slide", "", "subslide"]


def test_short_code_stays_on_its_explanations_slide():
    cells = [title(), section(), code("print(1 + 1)", stream(1))]
    assert types(cells) == ["slide", "slide", ""]


def test_long_code_and_long_outputs_get_a_subslide():
    long_code = "\n".join(f"x{i} = {i}" for i in range(LONG_CODE_LINES + 1))
    table_rows = "".join("<tr><td>1</td></tr>" for _ in range(LONG_OUTPUT_LINES + 1))
    cells = [
        title(),
        section(),
        code(long_code),
        section(),
        code("print(table)", stream(LONG_OUTPUT_LINES + 1)),
        section(),
        code("df", display({"text/html": f"<table>{table_rows}</table>", "text/plain": "df"})),
    ]
    assert types(cells)[2::2] == ["subslide", "subslide", "subslide"]
    # one line shorter: they stay on the slide
    cells = [title(), section(), code("\n".join(long_code.splitlines()[:-1]))]
    assert types(cells)[-1] == ""


def test_import_cells_are_skipped_but_not_cells_that_show_something():
    setup = code("import torch\nfrom torch import nn\n\n_ = torch.manual_seed(0)")
    later_import = code("from helpers.core.vgg import vgg16\nimport math")
    shows = code("import platform\nprint(platform.python_version())", stream(1))
    cells = [title(), setup, section(), later_import, shows]
    assert types(cells) == ["slide", "skip", "slide", "skip", ""]
    # after the first section, a cell that computes is content, not set-up
    assert types([title(), section(), code("x = 1")])[-1] == ""


def test_a_cell_that_would_overflow_the_slide_starts_a_subslide():
    assert 2 * (1 + IMAGE_LINES) > SLIDE_LINES >= 3 + 1 + IMAGE_LINES  # the premise
    figures = [code("figure()", display(PNG)) for _ in range(2)]
    assert types([title(), md("## Two figures"), *figures]) == [
        "slide",
        "slide",
        "",
        "subslide",
    ]


def test_a_solution_appears_as_a_fragment_with_its_check():
    solution = code("answer_1 = 7")
    solution.metadata["tags"] = [SOLUTION_TAG]
    cells = [title(), md("## Exercises"), md("### Exercise 1\n\nHow big?"), solution]
    cells.append(code("check(answer_1)", stream(1)))
    assert types(cells) == ["slide", "slide", "subslide", "fragment", ""]


def test_empty_and_raw_cells_are_skipped_and_the_first_shown_cell_starts_a_slide():
    cells = [code(""), md("No heading here."), new_raw_cell("raw"), section()]
    assert types(cells) == ["skip", "slide", "skip", "slide"]


def test_output_sizes_count_figures_widgets_and_table_rows():
    assert slides.output_lines(display(PNG)) == IMAGE_LINES
    assert slides.output_lines(display(WIDGET)) == WIDGET_LINES
    rows = "<table>" + "<tr><td>a</td></tr>" * 7 + "</table>"
    assert slides.output_lines(display({"text/html": rows})) == 7
    assert slides.output_lines(stream(5)) == 5
    assert slides.text_lines("x" * (slides.LINE_CHARS + 1)) == 2  # a long line wraps


def test_slide_type_agrees_with_tag_notebook_on_a_real_notebook():
    nb = read(PATHS[1])
    tagged = tag_notebook(nb)
    for index, cell in enumerate(nb.cells):
        expected = tagged.cells[index].metadata.slideshow.slide_type
        assert slide_type(cell, nb.cells[:index]) == expected, f"cell {index}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_tag_notebook_is_idempotent_and_touches_only_slide_metadata(path):
    nb = read(path)
    before = copy.deepcopy(nb)
    once = tag_notebook(nb)
    assert nb == before  # the argument is not modified
    assert tag_notebook(once) == once
    for old, new in zip(nb.cells, once.cells):
        assert new.metadata.slideshow.slide_type in SLIDE_TYPES
        assert (new.source, new.get("outputs")) == (old.source, old.get("outputs"))
        rest = {k: v for k, v in new.metadata.items() if k != "slideshow"}
        assert rest == {k: v for k, v in old.metadata.items() if k != "slideshow"}
    assert once.cells[0].metadata.slideshow.slide_type == "slide"


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="cell"):
        slide_type("## text", [])
    with pytest.raises(ValueError, match="cell"):
        slide_type({"cell_type": "picture", "source": ""}, [])
    with pytest.raises(TypeError, match="previous_cells"):
        slide_type(section(), "abc")
    with pytest.raises(ValueError, match=r"previous_cells\[1\]"):
        slide_type(section(), [title(), {"source": "x"}])
    with pytest.raises(TypeError, match="nb"):
        tag_notebook({"metadata": {}})
    with pytest.raises(ValueError, match="paths"):
        slides.tag_files(["README.md"])
    with pytest.raises(ValueError, match="notebooks"):
        slides.build_slides([])


# ---------------------------------------------------------------- the committed notebooks


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_notebooks_carry_the_rules_slide_metadata(path):
    mismatches = slides.slide_mismatches(read(path))
    assert not mismatches, (
        f"{len(mismatches)} cells differ; run `python -m tools.slides tag notebooks/*.ipynb`:\n"
        + "\n".join(mismatches[:10])
    )


def test_tag_command_writes_only_metadata_into_copies(tmp_path, capsys):
    copies = []
    for path in PATHS[:3]:
        shutil.copyfile(path, tmp_path / path.name)  # not the modes: may be read-only
        copies.append(tmp_path / path.name)
    originals = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in copies}
    args = [str(p) for p in copies]
    if any(slides.slide_mismatches(read(p)) for p in copies):
        assert slides.main(["tag", "--check", *args]) == 1
    assert slides.main(["tag", *args]) == 0
    written = {p.name: p.read_bytes() for p in copies}
    assert slides.main(["tag", "--check", *args]) == 0
    assert slides.main(["tag", *args]) == 0
    assert {p.name: p.read_bytes() for p in copies} == written  # a second run changes nothing
    assert "already up to date" in capsys.readouterr().out
    for path in copies:
        after = json.loads(path.read_text(encoding="utf-8"))
        assert not slides.slide_mismatches(nbformat.reads(path.read_text(), as_version=4))
        for cell in after["cells"]:
            assert cell["metadata"].pop("slideshow")["slide_type"] in SLIDE_TYPES
        for cell in originals[path.name]["cells"]:
            cell["metadata"].pop("slideshow", None)
        assert after == originals[path.name]


# ---------------------------------------------------------------- static decks, no npm needed


def _loaded_urls(page):
    """URLs the page loads by itself: scripts, stylesheets, images, ES module imports."""
    urls = re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", page)
    urls += re.findall(r"<link[^>]*\shref=\"([^\"]+)\"", page)
    urls += re.findall(r"<img[^>]*\ssrc=[\"']([^\"']+)[\"']", page)
    urls += re.findall(r"\bimport\s[^;]*?from\s+['\"]([^'\"]+)['\"]", page)
    urls += re.findall(r"@import\s+url\(([^)]+)\)", page)
    return urls


def test_exporter_options_exist_in_nbconvert():
    from nbconvert import SlidesExporter

    assert set(slides.exporter_options()) <= set(SlidesExporter.class_trait_names())


def test_a_deck_loads_only_local_files_and_shows_a_note_for_widgets():
    nb = read(PATHS[2])
    page = slides.render_slides(nb)
    urls = _loaded_urls(page)
    assert any(u.endswith("reveal.js/dist/reveal.css") for u in urls)
    outside = [u for u in urls if not (u.startswith("assets/") or u.startswith("data:"))]
    assert not outside, f"loaded from outside the deck's folder: {outside}"
    assert not re.search(r"unpkg|cdnjs|jsdelivr|googleapis|latest\.js", page)
    assert "widget-view+json" not in page  # no widget state, no widget manager
    assert html_escaped(WIDGET_NOTE) in page
    kinds = [c.metadata.slideshow.slide_type for c in tag_notebook(nb).cells]
    assert page.count("<section") == 2 * kinds.count("slide") + kinds.count("subslide")
    setup, shown = [c for c in nb.cells if c.cell_type == "code"][:2]
    assert setup.metadata.slideshow.slide_type == "skip"
    text = html.unescape(re.sub(r"<[^>]+>", "", page))  # code as shown, without highlighting
    assert shown.source.splitlines()[0] in text
    assert setup.source.splitlines()[-1] not in text  # the skipped set-up cell


def html_escaped(text):
    return html.escape(text, quote=False)


def test_links_between_notebooks_point_at_decks():
    page = '<a href="01_why_cnn.ipynb">01</a> <a href="02_x.ipynb#top">02</a> <a href="x.ipynb">'
    linked = slides.link_decks(page, ["01_why_cnn", "02_x"])
    assert linked == (
        '<a href="01_why_cnn.slides.html">01</a> <a href="02_x.slides.html#top">02</a> '
        '<a href="x.ipynb">'
    )


def test_npm_command_pins_exact_versions(tmp_path):
    command = slides.npm_command(tmp_path)
    assert command[:4] == ["npm", "install", "--prefix", str(tmp_path)]
    assert [f"{n}@{v}" for n, v in NPM_PACKAGES.items()] == command[-len(NPM_PACKAGES) :]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in NPM_PACKAGES.values())


# ---------------------------------------------------------------- offline, in Chromium


def _skip_or_fail(reason):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"slides browser test cannot run under CI: {reason}", pytrace=False)
    print(f"\nslides browser test skipped: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def labdriver():
    """The browser tests' driver (tests/browser/labdriver.py): finds Debian's Chromium."""
    sys.path.insert(0, str(Path(__file__).parent / "browser"))
    try:
        driver = importlib.import_module("labdriver")
    finally:
        sys.path.pop(0)
    reason = driver.missing_browser_reason()
    if reason is not None:
        _skip_or_fail(reason)
    return driver


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """One notebook's deck, built into a temp folder from the installed pinned assets."""
    if not slides.assets_installed(ASSETS):
        _skip_or_fail(
            f"no pinned reveal.js/MathJax in {ASSETS}: run `make slides` once "
            "(needs npm and the npm registry)"
        )
    out = tmp_path_factory.mktemp("slides")
    (built,) = slides.build_slides([ROOT / "notebooks" / f"{BROWSER_DECK}.ipynb"], out, ASSETS)
    return built


def _local(url):
    return url.startswith(("file:", "data:", "blob:", "about:")) or re.match(
        r"https?://(127\.0\.0\.1|localhost|\[::1\])[:/]", url
    )


def test_deck_renders_offline_in_chromium(labdriver, deck):
    import matplotlib.image

    requests, failed, blocked, errors = [], [], [], []

    def route(handle):
        if _local(handle.request.url):
            handle.continue_()
        else:  # nothing may leave the machine
            blocked.append(handle.request.url)
            handle.abort()

    title = read(ROOT / "notebooks" / f"{BROWSER_DECK}.ipynb").cells[0].source.splitlines()[0]
    title = title.lstrip("# ").strip()
    with labdriver.chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        page.wait_for_function(
            "() => document.querySelectorAll('.MathJax_CHTML').length > 0", timeout=30_000
        )
        heading = page.locator(".reveal .slides section.present h1").first
        assert heading.is_visible()
        assert title in heading.text_content()
        assert WIDGET_NOTE in page.locator(".reveal").text_content()
        shot = matplotlib.image.imread(io.BytesIO(page.screenshot()), format="png")
        context.close()
    inked = (shot[..., :3].mean(axis=-1) < 0.5).mean()
    assert inked > 0.005, f"the first slide looks blank ({inked:.2%} dark pixels)"
    assert requests and all(_local(u) for u in requests), [u for u in requests if not _local(u)]
    assert not blocked, f"requests to outside the machine: {blocked}"
    assert not failed, f"missing local files: {failed}"
    assert not errors, f"JavaScript errors: {errors}"
