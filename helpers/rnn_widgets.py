"""Notebook 05's sentence box: type a sentence, see each tagger's label for every word.

The taggers are trained once per process (helpers.rnn.trained_taggers), so an update only runs
inference on the words typed.
"""

from __future__ import annotations

from html import escape
from typing import NamedTuple

import ipywidgets as widgets

from helpers.rnn import KINDS, tag_sentence, trained_taggers
from helpers.svg import PALETTE
from helpers.text import LABELS, token_ids, tokenize
from helpers.widgets import Explorer

MAX_WORDS = 40
DEFAULT_SENTENCE = "I want to leave Hualien on May 5th please"
KIND_HEADERS: dict[str, str] = {"feedforward": "feed-forward", "rnn": "RNN", "lstm": "LSTM"}
LABEL_COLOURS: dict[str, str] = {
    "destination": "#f8d7a8",
    "departure": "#c6dbef",
    "time_of_arrival": "#fdebd3",
    "time_of_departure": "#e3eef8",
    "other": "#f2f2f2",
}


class WordRow(NamedTuple):
    """One word as the taggers see it: its 1-of-N position (None: "other") and each label."""

    token: str
    index: int | None
    labels: dict[str, str]


def tag_rows(sentence: str, seed: int = 0) -> list[WordRow]:
    """Each word of `sentence` with its 1-of-N position and the label of every tagger.

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
    models = trained_taggers(seed)
    vocabulary = models[KINDS[0]].vocabulary
    other = len(vocabulary)
    labels = {kind: [label for _, label in tag_sentence(models[kind], tokens)] for kind in KINDS}
    return [
        WordRow(token, None if index == other else index, {k: labels[k][i] for k in KINDS})
        for i, (token, index) in enumerate(zip(tokens, token_ids(tokens, vocabulary), strict=True))
    ]


def _count(n: int, noun: str) -> str:
    """'1 word', '2 words'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _label_cell(label: str, differs: bool) -> str:
    """One table cell showing a label, framed in red where the taggers disagree."""
    frame = f"border:2px solid {PALETTE[3]};" if differs else "border:1px solid #ccc;"
    return (
        f"<td style='background:{LABEL_COLOURS[label]};{frame}padding:2px 8px'>{escape(label)}</td>"
    )


def sentence_view(sentence: str) -> str:
    """HTML table: every word, its 1-of-N input, and the label each tagger gives it."""
    rows = tag_rows(sentence)
    vocabulary_size = len(trained_taggers(0)[KINDS[0]].vocabulary)
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


def sentence_box(sentence: str = DEFAULT_SENTENCE) -> Explorer:
    """A text box: type a sentence and see the feed-forward, RNN and LSTM labels per word."""
    return Explorer(
        sentence_view,
        {
            "sentence": widgets.Text(
                value=sentence,
                description="sentence",
                placeholder="e.g. I would like to arrive Taipei on November 2nd",
                layout=widgets.Layout(width="620px"),
            )
        },
    )
