"""Notebook 05's widget: the sentence box, each tagger's label for every word of a typed
sentence beside the word's 1-of-N input."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from html import escape
from typing import NamedTuple

import ipywidgets as widgets

from helpers.core.rnn import KINDS, Tagger, tag_sentence, train_lesson_taggers
from helpers.core.text import LABELS, token_ids, tokenize
from helpers.ui.explorer import Explorer
from helpers.ui.palette import FAINT_COLOUR, LABEL_COLOURS, PALETTE

MAX_WORDS = 40

DEFAULT_SENTENCE = "I want to leave Hualien on May 5th please"

KIND_HEADERS: dict[str, str] = {"feedforward": "feed-forward", "rnn": "RNN", "lstm": "LSTM"}


class WordRow(NamedTuple):
    """One word as the taggers see it: its 1-of-N position (None: "other") and each label."""

    token: str
    index: int | None
    labels: dict[str, str]


def tag_rows(sentence: str, taggers: Mapping[str, Tagger]) -> list[WordRow]:
    """Each word of `sentence` with its 1-of-N position and the label of each of `taggers`.

    `taggers` are notebook 05's three trained taggers by kind (train_lesson_taggers).

    Raises ValueError for a sentence without words or longer than MAX_WORDS words.
    """
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    tokens = tokenize(sentence)
    if not tokens:
        shown = f" in {sentence!r}" if sentence.strip() else ""
        raise ValueError(f"sentence has no words{shown}: type one, e.g. {DEFAULT_SENTENCE!r}")
    if len(tokens) > MAX_WORDS:
        raise ValueError(f"sentence has {len(tokens)} words; the box takes at most {MAX_WORDS}")
    vocabulary = taggers[KINDS[0]].vocabulary
    other = len(vocabulary)
    labels = {kind: [label for _, label in tag_sentence(taggers[kind], tokens)] for kind in KINDS}
    return [
        WordRow(token, None if index == other else index, {k: labels[k][i] for k in KINDS})
        for i, (token, index) in enumerate(zip(tokens, token_ids(tokens, vocabulary), strict=True))
    ]


def _count(n: int, noun: str) -> str:
    """'1 word', '2 words'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _label_cell(label: str, differs: bool) -> str:
    """One table cell showing a label, framed in red where the taggers disagree."""
    frame = f"border:2px solid {PALETTE[3]};" if differs else f"border:1px solid {FAINT_COLOUR};"
    return (
        f"<td style='background:{LABEL_COLOURS[label]};{frame}padding:2px 8px'>{escape(label)}</td>"
    )


def sentence_view(sentence: str, taggers: Mapping[str, Tagger]) -> str:
    """HTML table: every word, its 1-of-N input, and the label each of `taggers` gives it."""
    rows = tag_rows(sentence, taggers)
    vocabulary_size = len(taggers[KINDS[0]].vocabulary)
    header = "".join(
        f"<th style='padding:2px 8px'>{escape(text)}</th>"
        for text in ["word", "1-of-N input", *(KIND_HEADERS[k] for k in KINDS)]
    )
    body = []
    for row in rows:
        if row.index is None:
            code = (
                f"<td style='color:{PALETTE[3]};padding:2px 8px'>"
                f'unknown → "other" (dimension {vocabulary_size})</td>'
            )
        else:
            code = f"<td style='padding:2px 8px'>dimension {row.index}</td>"
        differs = len(set(row.labels.values())) > 1
        cells = "".join(_label_cell(row.labels[k], differs) for k in KINDS)
        body.append(
            f"<tr><td style='padding:2px 8px'><b>{escape(row.token)}</b></td>{code}{cells}</tr>"
        )
    unknown = sum(row.index is None for row in rows)
    disagree = sum(len(set(row.labels.values())) > 1 for row in rows)
    summary = (
        f"<p>{_count(len(rows), 'word')}; {_count(unknown, 'unknown word')} (not among the "
        f"taggers' {vocabulary_size} vocabulary words: every unknown word gets the same input, "
        f'the "other" dimension {vocabulary_size}); the taggers disagree on '
        f"{_count(disagree, 'word')} (red frames).</p>"
    )
    legend = " ".join(
        f"<span style='background:{LABEL_COLOURS[label]};padding:1px 6px'>{label}</span>"
        for label in LABELS
    )
    return (
        f"{summary}<table style='border-collapse:collapse'><tr>{header}</tr>"
        f"{''.join(body)}</table><p>labels: {legend}</p>"
    )


def sentence_explorer(
    sentence: str = DEFAULT_SENTENCE, taggers: Mapping[str, Tagger] | None = None
) -> Explorer:
    """A text box: type a sentence and see the feed-forward, RNN and LSTM labels per word.

    `taggers`: notebook 05's trained taggers (train_lesson_taggers); trained here, seed 0, if
    not given.
    """
    taggers = taggers if taggers is not None else train_lesson_taggers(0)
    return Explorer(
        partial(sentence_view, taggers=taggers),
        {
            "sentence": widgets.Text(
                value=sentence,
                description="sentence",
                placeholder="e.g. I would like to arrive Taipei on November 2nd",
                layout=widgets.Layout(width="620px"),
            )
        },
    )
