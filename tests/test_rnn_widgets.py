"""Tests for the sentence box of notebook 05: each tagger's label for every word."""

import re
import xml.etree.ElementTree as ET

import ipywidgets as widgets
import pytest

from helpers.core.rnn import KINDS, tag_sentence, train_lesson_taggers
from helpers.core.text import ARRIVE_SENTENCE, token_ids, tokenize
from helpers.lessons.rnn_slot_filling.explorers import (
    DEFAULT_SENTENCE,
    KIND_HEADERS,
    MAX_WORDS,
    WordRow,
    sentence_explorer,
    sentence_view,
    tag_rows,
)
from helpers.ui.explorer import Explorer
from tools.widget_registry import WIDGETS


@pytest.fixture(scope="module")
def models():
    return train_lesson_taggers(0)


def table_rows(html: str) -> list[list[str]]:
    """The text of each cell of each body row of the view's table (parsed as XML)."""
    root = ET.fromstring(f"<div>{html}</div>")
    rows = root.find("table").findall("tr")
    return [["".join(cell.itertext()) for cell in row.findall("td")] for row in rows[1:]]


@pytest.mark.parametrize(
    "sentence", [DEFAULT_SENTENCE, ARRIVE_SENTENCE, "leave taitung on june 3rd", "x"]
)
def test_tag_rows_are_the_taggers_labels_and_inputs(models, sentence):
    rows = tag_rows(sentence, models)
    tokens = tokenize(sentence)
    assert [row.token for row in rows] == tokens
    vocabulary = models["rnn"].vocabulary
    for row, index in zip(rows, token_ids(tokens, vocabulary), strict=True):
        assert isinstance(row, WordRow)
        assert row.index == (None if index == len(vocabulary) else index)
    for kind in KINDS:
        assert [row.labels[kind] for row in rows] == [
            label for _, label in tag_sentence(models[kind], tokens)
        ]


def test_view_shows_every_word_input_and_label(models):
    sentence = "I would like to leave Hualien on May 5th"
    html = sentence_view(sentence, models)
    rows = tag_rows(sentence, models)
    cells = table_rows(html)
    size = len(models["rnn"].vocabulary)
    assert len(cells) == len(rows)
    for row, shown in zip(rows, cells, strict=True):
        assert shown[0] == row.token
        if row.index is None:
            assert shown[1] == f'unknown → "other" (dimension {size})'
        else:
            assert shown[1] == f"dimension {row.index}"
        assert shown[2:] == [row.labels[kind] for kind in KINDS]
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert headers == ["word", "1-of-N input", *(KIND_HEADERS[k] for k in KINDS)]


def test_view_summary_counts_unknown_words_and_disagreements(models):
    sentence = "I want to leave Hualien on May 5th please"
    rows = tag_rows(sentence, models)
    disagree = sum(len(set(row.labels.values())) > 1 for row in rows)
    html = sentence_view(sentence, models)
    assert f"{len(rows)} words; 1 unknown word" in html
    assert f"disagree on {disagree} word" in html
    assert disagree >= 1  # the feed-forward tagger cannot label the unknown city
    assert html.count("border:2px solid") == disagree * len(KINDS)
    hualien = next(row for row in rows if row.token == "hualien")
    assert hualien.index is None
    assert hualien.labels["rnn"] == hualien.labels["lstm"] == "departure"
    assert hualien.labels["feedforward"] == "other"


def test_unknown_words_all_share_the_other_dimension(models):
    rows = tag_rows("台北 zzz 123 Wakanda", models)
    assert [row.index for row in rows] == [None] * 4
    assert f"dimension {len(models['rnn'].vocabulary)}" in sentence_view("zzz", models)


@pytest.mark.parametrize("sentence", ["", "   ", "?! ,,", "- - -"])
def test_a_sentence_without_words_raises_naming_it(models, sentence):
    with pytest.raises(ValueError, match="sentence has no words"):
        sentence_view(sentence, models)


def test_too_long_and_wrong_types_raise_naming_the_argument(models):
    with pytest.raises(ValueError, match=f"sentence has {MAX_WORDS + 1} words"):
        tag_rows("word " * (MAX_WORDS + 1), models)
    assert len(tag_rows("word " * MAX_WORDS, models)) == MAX_WORDS
    with pytest.raises(TypeError, match="sentence"):
        tag_rows(["arrive", "taipei"], models)


def test_html_is_escaped_and_well_formed(models):
    html = sentence_view("<b>arrive</b> o'hare & taipei", models)
    assert html.count("<b>") == 5  # one per word shown: the typed tags are not markup
    cells = table_rows(html)
    assert [c[0] for c in cells] == ["b", "arrive", "b", "o'hare", "taipei"]


def test_sentence_box_updates_and_shows_messages(models):
    box = sentence_explorer(taggers=models)
    assert isinstance(box, Explorer) and WIDGETS["sentence_explorer"] is sentence_explorer
    control = box.controls["sentence"]
    assert isinstance(control, widgets.Text) and control.value == DEFAULT_SENTENCE
    assert box.view.value == sentence_view(DEFAULT_SENTENCE, models)
    control.value = "arrive taipei"
    assert box.view.value == sentence_view("arrive taipei", models)
    control.value = "  "
    assert "sentence has no words" in box.view.value and "Traceback" not in box.view.value


def test_sentence_box_without_taggers_trains_notebook_05s(models):
    box = sentence_explorer("leave hualien on may 5th")  # as the widget registry builds it
    assert box.view.value == sentence_view("leave hualien on may 5th", models)
