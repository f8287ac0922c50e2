"""Notebook 05, RNN slot filling: 1-of-N and word hashing drawn, the taggers' results and
hidden states, the sentence box (each tagger's labels for a typed sentence), and the
exercise cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from html import escape
from typing import TYPE_CHECKING, NamedTuple

import ipywidgets as widgets
import numpy as np
import torch

from helpers.core.rnn import (
    KINDS,
    TOY_INPUTS,
    Tagger,
    first_difference,
    hidden_state_distance,
    hidden_states,
    tag_sentence,
    tagger_datasets,
    toy_rnn,
    train_lesson_taggers,
    train_tagger,
)
from helpers.core.text import (
    ARRIVE_SENTENCE,
    CITY_LABEL,
    DATE_LABEL,
    HASH_DIM,
    HELD_OUT_CITIES,
    LABELS,
    LEAVE_SENTENCE,
    hash_vector,
    letter_trigrams,
    one_hot_encode,
    token_ids,
    tokenize,
    trigram_bucket,
)
from helpers.ui.exercises import CHOICE, NUMBERS, Exercise, Feedback, Mistake, check, label_choices
from helpers.ui.explorer import Explorer
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import (
    FAINT_COLOUR,
    HIDDEN_BOX_COLOUR,
    HIGHLIGHT_COLOUR,
    INPUT_BOX_COLOUR,
    LABEL_COLOURS,
    LIGHT_LINE_COLOUR,
    OUTPUT_BOX_COLOUR,
    PALE_COLOUR,
    PALETTE,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

TOY_EXERCISE_INPUTS: tuple[tuple[int, int], ...] = ((1, 0), (0, 1), (1, 1))

TAGGER_SENTENCE, TAGGER_CITY, TAGGER_CUE = "i want to leave yilan on june 3rd", "yilan", "leave"

# The toy RNN written as the notebook's step, with every memory weight set to MEMORY_WEIGHT.
MEMORY_INPUTS: tuple[tuple[int, int], ...] = ((1, 1), (2, 2), (1, 1))

MEMORY_WEIGHT = 0.5


def _output_fed_back(inputs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The toy RNN with the mistake of copying the output (not the hidden values) to memory."""
    memory = np.zeros(2)
    for x in inputs:
        step = toy_rnn([x])[0]  # a one-step run from memory 0: W_x x
        hidden = step.hidden + np.ones((2, 2)) @ memory
        output = np.ones((2, 2)) @ hidden
        memory = output
    return output


def toy_hidden(
    inputs: Sequence[Sequence[float]], input_weight: float = 1.0, memory_weight: float = 1.0
) -> np.ndarray:
    """The toy RNN's last hidden values with W_x and W_h scaled: h = w_x·1 x + w_h·1 h_prev."""
    ones = np.ones((2, 2))
    hidden = np.zeros(2)
    for x in np.asarray(inputs, dtype=float):
        hidden = input_weight * ones @ x + memory_weight * ones @ hidden
    return hidden


@cache
def memory_weight_exercise() -> Exercise:
    answer = tuple(float(v) for v in toy_hidden(MEMORY_INPUTS, memory_weight=MEMORY_WEIGHT))
    w, steps = MEMORY_WEIGHT, len(MEMORY_INPUTS)
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "Change the memory weight",
        NUMBERS,
        answer,
        "hidden values "
        + ", ".join(
            str(toy_hidden(MEMORY_INPUTS[: t + 1], memory_weight=w).tolist()) for t in range(steps)
        )
        + f": each step adds {w} × (sum of the memory) to the sum of the inputs, so the memory "
        "of early inputs fades.",
        f"h_t = W_x x_t + W_h h_(t-1) with W_x all ones and W_h all {w}: in each unit, the sum "
        f"of the inputs plus {w} × the sum of the previous hidden values.",
        (
            Mistake(
                tuple(float(v) for v in toy_hidden(MEMORY_INPUTS)),
                f"that is the lecture's network, with W_h all 1; set every memory weight to {w}.",
            ),
            Mistake(
                tuple(2 * float(v) for v in toy_hidden(MEMORY_INPUTS, memory_weight=w)),
                "that is the output y = W_y h; the question asks for the hidden values h.",
            ),
            Mistake(
                tuple(float(v) for v in toy_hidden(MEMORY_INPUTS, input_weight=w)),
                f"{w} scales the memory weights W_h, not the input weights W_x.",
            ),
        ),
        tolerance=1e-6,
        form="[h1, h2]",
        given=(*MEMORY_INPUTS, w, steps),
    )


@cache
def toy_rnn_output_exercise() -> Exercise:
    steps = toy_rnn(TOY_EXERCISE_INPUTS)
    answer = tuple(float(v) for v in steps[-1].output)
    last = len(steps)
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "The toy RNN by hand",
        NUMBERS,
        answer,
        "hidden values "
        + ", ".join(str(step.hidden.astype(int).tolist()) for step in steps)
        + f" (each is the memory of the next step), so y = {list(map(int, answer))}.",
        "at each step: hidden = (sum of the inputs + sum of the memory) in each unit, output = "
        "sum of the hidden values, and the hidden values become the memory.",
        (
            Mistake(
                tuple(float(v) for v in toy_rnn(TOY_EXERCISE_INPUTS[-1:])[0].output),
                "that ignores the memory: the hidden values of step 2 are added in at step 3.",
            ),
            Mistake(
                tuple(float(v) for v in steps[-1].hidden),
                "those are the hidden values; the output multiplies them by W_y (adds both).",
            ),
            Mistake(
                tuple(float(v) for v in _output_fed_back(TOY_EXERCISE_INPUTS)),
                "the memory holds the hidden values a_t, not the outputs y_t.",
            ),
        ),
        tolerance=1e-6,
        form="[y1, y2]",
        given=(*TOY_EXERCISE_INPUTS, last),
    )


def _tagger_label(kind: str) -> str:
    """The label that notebook 05's tagger of `kind` (seed 0) gives the exercise's city."""
    train, _ = tagger_datasets(0)
    model = train_tagger(kind, train, seed=0)  # the same model as train_lesson_taggers(0)[kind]
    return dict(tag_sentence(model, TAGGER_SENTENCE))[TAGGER_CITY]


@cache
def rnn_label_exercise() -> Exercise:
    answer = _tagger_label("rnn")
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "What the RNN says",
        CHOICE,
        answer,
        f"{answer}: the RNN read '{TAGGER_CUE}' first and carries it in its hidden state, so "
        "whatever word comes next is the place of departure, known or not.",
        f"what did '{TAGGER_CUE}' tell the RNN before it reached the city?",
        (
            Mistake(
                CITY_LABEL["arrive"],
                f"after '{TAGGER_CUE}' the city is where the trip starts; "
                f"'{CITY_LABEL['arrive']}' goes with 'arrive'.",
            ),
            Mistake(
                "other",
                "that is what the feed-forward tagger says about a city it never saw. The RNN "
                f"does not need to know the word: it remembers '{TAGGER_CUE}'.",
            ),
            Mistake(
                DATE_LABEL[TAGGER_CUE],
                f"that is the label of the date; the question asks about *{TAGGER_CITY}*.",
            ),
        ),
        choices=label_choices(LABELS),
        given=(TAGGER_SENTENCE, TAGGER_CITY, *LABELS),
    )


@cache
def feedforward_label_exercise() -> Exercise:
    answer = _tagger_label("feedforward")
    unknown = (
        f"it sees only the word *{TAGGER_CITY}*, which it never met in training, so it gets the "
        "shared 'other' input. What did that input mostly stand for in training?"
    )
    return Exercise(
        "05_rnn_slot_filling.ipynb",
        "What the feed-forward tagger says",
        CHOICE,
        answer,
        f"{answer}: it reads one word at a time, and an unknown city arrives as the 'other' "
        "dimension, which in training mostly meant words labelled other.",
        "what does the feed-forward tagger see when it labels the city, and is that word known?",
        (
            Mistake(
                CITY_LABEL[TAGGER_CUE],
                "that would be right, but the feed-forward tagger cannot know it: " + unknown,
            ),
            Mistake(
                CITY_LABEL["arrive"],
                f"the feed-forward tagger never sees '{TAGGER_CUE}' (which would make the city "
                "the departure anyway): " + unknown,
            ),
        ),
        choices=label_choices(LABELS),
        given=(TAGGER_CITY,),
    )


# A small vocabulary, so every column of the 1-of-N picture can be read; "hualien" is not in it.
ONE_OF_N_VOCABULARY: tuple[str, ...] = (
    "i", "would", "like", "to", "arrive", "leave", "taipei", "kaohsiung", "on", "november", "2nd",
)  # fmt: skip

ONE_OF_N_SENTENCE = "I would like to arrive Hualien on November 2nd"

HASHED_WORDS: tuple[str, ...] = ("apple", "taipei", "tainan", "taitung")

KIND_NAMES: dict[str, str] = {"feedforward": "feed-forward", "rnn": "RNN (Elman)", "lstm": "LSTM"}

KIND_COLOURS: dict[str, str] = dict(zip(KINDS, PALETTE[1:4], strict=False))

METRICS: dict[str, str] = {
    "token_accuracy": "all tokens",
    "city_accuracy": "city tokens",
    "unseen_city_accuracy": "held-out cities",
}

# Colours of the toy RNN's three weight matrices, the same at every step.
WEIGHT_COLOURS: dict[str, str] = {"W_x": PALETTE[0], "W_h": PALETTE[3], "W_y": PALETTE[2]}


def figure_one_of_n(
    sentence: str = ONE_OF_N_SENTENCE, vocabulary: Sequence[str] = ONE_OF_N_VOCABULARY
) -> Figure:
    """The 1-of-N matrix of `sentence`: one row per word, one column per word + "other"."""
    tokens = tokenize(sentence)
    matrix = one_hot_encode(tokens, vocabulary)
    columns = [*vocabulary, "other"]
    fig = NotebookFigure(figsize=(9, 4))
    ax = fig.subplots()
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1.4, aspect="auto")
    for row, column in zip(*np.nonzero(matrix), strict=True):
        ax.text(column, row, "1", ha="center", va="center", color="white", fontweight="bold")
    unknown = [row for row, token in enumerate(tokens) if token not in vocabulary]
    for row in unknown:
        ax.annotate(
            "not in the vocabulary",
            xy=(len(vocabulary), row),
            xytext=(len(vocabulary) - 3.5, row),
            va="center",
            ha="right",
            color=PALETTE[3],
            arrowprops={"arrowstyle": "->", "color": PALETTE[3]},
        )
    ax.axvline(len(vocabulary) - 0.5, color=PALETTE[3], linewidth=2)
    ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel('vocabulary word (one dimension each) and the extra "other" dimension')
    ax.set_ylabel("word of the sentence")
    ax.set_title(f'1-of-N encoding of "{sentence}"')
    return fig


def figure_word_hashing(words: Sequence[str] = HASHED_WORDS, dim: int = HASH_DIM) -> Figure:
    """Word hashing: each word's letter trigrams counted into `dim` buckets (one row a word)."""
    matrix = np.array([hash_vector(word, dim) for word in words])
    fig = NotebookFigure(figsize=(10, 3.2))
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="Greens", vmin=0, aspect="auto")
    labels = [
        f"{word}{' (held out)' if word in HELD_OUT_CITIES else ''}: "
        + " ".join(letter_trigrams(word))
        for word in words
    ]
    ax.set_yticks(range(len(words)), labels)
    ax.set_xlabel(f"bucket (CRC-32 of the trigram mod {dim})")
    ax.set_title(
        f"Word hashing: letter trigrams (# marks a word boundary) counted into buckets\n"
        f"red frames: buckets that {words[-1]} shares with the word of that row",
        fontsize=11,
    )
    shared = {trigram_bucket(t, dim) for t in letter_trigrams(words[-1])}
    for row, word in enumerate(words[:-1]):
        shared_here = shared & {trigram_bucket(t, dim) for t in letter_trigrams(word)}
        for column in shared_here:
            ax.add_patch(_outline(column, row))
    top = int(matrix.max())
    fig.colorbar(image, ax=ax, label="trigram count", ticks=range(top + 1))
    return fig


def _outline(column: int, row: int) -> FancyBboxPatch:
    """A red frame around one heat-map cell."""
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch(
        (column - 0.45, row - 0.45), 0.9, 0.9, boxstyle="square,pad=0", fill=False,
        edgecolor=PALETTE[3], linewidth=1.5,
    )  # fmt: skip


def _box(ax: Axes, x: float, y: float, text: str, colour: str, width: float = 1.6) -> None:
    """A rounded box centred at (x, y) with `text` in it."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - 0.3), width, 0.6, boxstyle="round,pad=0.05",
            facecolor=colour, edgecolor="black", alpha=0.85,
        )
    )  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], colour: str, **kwargs: object
) -> None:
    """An arrow from `start` to `end`."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, **kwargs)
    )


def city_probabilities(model: Tagger, sentence: str) -> np.ndarray:
    """The label probabilities `model` gives the city of `sentence` (the word after the cue)."""
    tokens = tokenize(sentence)
    city = next(i for i, t in enumerate(tokens) if t in CITY_LABEL) + 1
    with torch.no_grad():
        scores = model(model.encode(tokens))[0, city]
    return torch.softmax(scores.double(), dim=-1).numpy()


def figure_training_loss(losses: Sequence[float]) -> Figure:
    """The training loss after each epoch (one value per epoch, from the training loop)."""
    try:
        values = np.asarray(losses, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"losses must be a sequence of numbers, got {losses!r}") from None
    if values.ndim != 1 or values.size < 1 or not np.all(np.isfinite(values)):
        raise ValueError(f"losses must be a non-empty 1-D sequence of finite numbers, got {values}")
    fig = NotebookFigure(figsize=(7, 2.8))
    ax = fig.subplots()
    epochs = np.arange(1, values.size + 1)
    ax.plot(epochs, values, "-o", color=PALETTE[0], markersize=3)
    ax.set_xlabel("epoch (one Adam step on all training sentences)")
    ax.set_ylabel("cross-entropy loss")
    ax.set_ylim(bottom=0)
    ax.set_xlim(0.5, values.size + 0.5)
    ax.grid(alpha=0.3)
    ax.set_title("Training the RNN tagger: the loss falls epoch after epoch")
    return fig


def figure_wrong_label(model: Tagger) -> Figure:
    """Why a feed-forward tagger must give "taipei" one label after "arrive" and after "leave".

    Draws both sentences, the same input and net for "taipei", and the label probabilities the
    trained feed-forward tagger `model` gives it: identical.
    """
    fig = NotebookFigure(figsize=(10, 4))
    axes = fig.subplots(1, 2)
    for ax, sentence in zip(axes, (ARRIVE_SENTENCE, LEAVE_SENTENCE), strict=True):
        tokens = tokenize(sentence)[4:]  # cue, city, on, month, day
        cue, city = tokens[0], tokens[1]
        ax.set_xlim(-0.2, 9.4)
        ax.set_ylim(-0.5, 4.8)
        ax.axis("off")
        for i, token in enumerate(tokens):
            colour = HIGHLIGHT_COLOUR if token == city else PALE_COLOUR
            _box(ax, 0.8 + 1.85 * i, 0, token, colour, width=1.55)
        ax.text(0.8, 0.5, "not an input\nfor this word", ha="center", fontsize=7, color="grey")
        _box(ax, 2.65, 1.5, f'1-of-N of "{city}"', LIGHT_LINE_COLOUR, width=2.5)
        _box(ax, 2.65, 3, "feed-forward net", PALETTE[0], width=2.5)
        _arrow(ax, (2.65, 0.35), (2.65, 1.15), "black")
        _arrow(ax, (2.65, 1.85), (2.65, 2.65), "black")
        _arrow(ax, (3.95, 3.1), (4.9, 3.5), "black")
        probabilities = city_probabilities(model, sentence)
        inset = ax.inset_axes((0.53, 0.5, 0.22, 0.45))
        colours = [PALETTE[3] if label == CITY_LABEL[cue] else FAINT_COLOUR for label in LABELS]
        inset.barh(range(len(LABELS)), probabilities, color=colours)
        inset.yaxis.tick_right()
        inset.set_yticks(range(len(LABELS)), LABELS, fontsize=7)
        inset.invert_yaxis()
        inset.set_xlim(0, 1)
        inset.tick_params(axis="x", labelsize=7)
        inset.set_xlabel(f'probability for "{city}"', fontsize=8)
        best = LABELS[int(np.argmax(probabilities))]
        verdict = "right" if best == CITY_LABEL[cue] else "WRONG"
        ax.set_title(
            f'"... {cue} {city} ...": should be {CITY_LABEL[cue]}\nthe net says {best} ({verdict})',
            fontsize=10,
        )
    fig.suptitle(
        f'One word at a time: "{city}" is the same input in both sentences, so it gets the same '
        "answer\n(red bar: the correct label)",
        fontsize=10,
    )
    return fig


def figure_rnn_memory(inputs: Sequence[Sequence[float]] = TOY_INPUTS) -> Figure:
    """The toy RNN unrolled: x -> hidden -> output, the memory box copying hidden to the next step.

    Arrows of one colour are one weight matrix (all ones), reused at every step; the numbers are
    helpers.core.rnn.toy_rnn's.
    """
    steps = toy_rnn(inputs)
    fig = NotebookFigure(figsize=(10, 4))
    ax = fig.subplots()
    spacing = 4.0
    ax.set_xlim(-2.8, spacing * (len(steps) - 1) + 1.4)
    ax.set_ylim(-0.7, 3.7)
    ax.axis("off")

    def pair(values: np.ndarray) -> str:
        return "[" + ", ".join(f"{v:g}" for v in values) + "]"

    for t, step in enumerate(steps):
        x = spacing * t
        _box(ax, x, 0, f"x{t + 1} = {pair(step.input)}", INPUT_BOX_COLOUR)
        _box(ax, x, 1.6, f"a{t + 1} = {pair(step.hidden)}", HIDDEN_BOX_COLOUR)
        _box(ax, x, 3.2, f"y{t + 1} = {pair(step.output)}", OUTPUT_BOX_COLOUR)
        _box(ax, x - 1.9, 1.6, f"memory\n{pair(step.memory)}", PALE_COLOUR, width=1.3)
        _arrow(ax, (x, 0.35), (x, 1.25), WEIGHT_COLOURS["W_x"], linewidth=2)
        _arrow(ax, (x, 1.95), (x, 2.85), WEIGHT_COLOURS["W_y"], linewidth=2)
        _arrow(ax, (x - 1.2, 1.6), (x - 0.85, 1.6), WEIGHT_COLOURS["W_h"], linewidth=2)
        ax.text(x + 0.1, 0.8, "W_x", color=WEIGHT_COLOURS["W_x"], fontsize=9)
        ax.text(x + 0.1, 2.4, "W_y", color=WEIGHT_COLOURS["W_y"], fontsize=9)
        ax.text(x - 1.25, 2.0, "W_h", color=WEIGHT_COLOURS["W_h"], fontsize=9)
        if t + 1 < len(steps):
            _arrow(
                ax, (x + 0.6, 1.95), (x + spacing - 2.1, 2.0), "grey",
                linestyle="--", connectionstyle="arc3,rad=-0.3",
            )  # fmt: skip
            ax.text(x + 1.6, 2.55, "copy a into memory", ha="center", fontsize=8, color="grey")
    for name, colour in WEIGHT_COLOURS.items():
        ax.plot([], [], color=colour, linewidth=3, label=f"{name}: all ones, same at every step")
    fig.legend(loc="outside lower center", ncols=3, fontsize=9)
    ax.set_title(
        "The toy RNN unrolled in time: a = W_x x + W_h memory, y = W_y a, then memory ← a",
        fontsize=11,
    )
    return fig


def figure_tagger_results(results: Mapping[str, Mapping[str, float]]) -> Figure:
    """Grouped bars of each tagger's accuracies, `results` as evaluate_taggers gives them."""
    fig = NotebookFigure(figsize=(9, 3.8))
    ax = fig.subplots()
    positions = np.arange(len(METRICS))
    width = 0.8 / len(results)
    for i, (kind, scores) in enumerate(results.items()):
        values = [scores[metric] for metric in METRICS]
        offset = (i - (len(results) - 1) / 2) * width
        bars = ax.bar(
            positions + offset, values, width, label=KIND_NAMES.get(kind, kind),
            color=KIND_COLOURS.get(kind, PALETTE[i % len(PALETTE)]),
        )  # fmt: skip
        ax.bar_label(bars, [f"{v:.3f}" for v in values], fontsize=8)
    ax.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="0.5 (a coin flip)")
    ax.set_xticks(positions, list(METRICS.values()))
    ax.set_ylim(0, 1.3)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("accuracy on held-out sentences")
    ax.set_title("Slot-filling taggers measured (the same test sentences for all three)")
    ax.legend(loc="upper center", ncols=4, fontsize=9)
    return fig


def figure_hidden_states(
    models: Mapping[str, Tagger],
    kind: str = "rnn",
    first: str = ARRIVE_SENTENCE,
    second: str = LEAVE_SENTENCE,
) -> Figure:
    """Heat maps of `kind`'s hidden state along two sentences, and where the states part.

    `models` are trained taggers by kind (train_lesson_taggers). The right panel plots, for
    each tagger, the distance between the two hidden states after each word; a dotted line
    marks the first word where the `kind` tagger's states differ.
    """
    if kind not in models:
        raise ValueError(f"kind must be one of {tuple(models)}, got {kind!r}")
    words = [f"{a}/{b}" if a != b else a for a, b in zip(tokenize(first), tokenize(second))]
    fig = NotebookFigure(figsize=(10, 4))
    axes = fig.subplots(1, 3, width_ratios=(1, 1, 1.2))
    for ax, sentence in zip(axes[:2], (first, second), strict=True):
        image = ax.imshow(
            hidden_states(models[kind], sentence).T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto"
        )
        tokens = tokenize(sentence)
        ax.set_xticks(range(len(tokens)), tokens, rotation=60, ha="right", fontsize=8)
        ax.set_xlabel("after the word")
        ax.set_ylabel("hidden unit")
        cue = next(t for t in tokens if t in CITY_LABEL)
        ax.set_title(f'{KIND_NAMES.get(kind, kind)} hidden state, "{cue}"', fontsize=10)
    fig.colorbar(image, ax=axes[:2], label="hidden value", shrink=0.8)
    ax = axes[2]
    for name, model in models.items():
        distance = hidden_state_distance(model, first, second)
        ax.plot(
            distance, marker="o", label=KIND_NAMES.get(name, name), color=KIND_COLOURS.get(name)
        )
    start = first_difference(hidden_state_distance(models[kind], first, second))
    if start is not None:
        ax.axvline(start, color="grey", linestyle=":")
    ax.set_xticks(range(len(words)), words, rotation=60, ha="right", fontsize=8)
    ax.set_xlabel("after the word")
    ax.set_ylabel("distance between the two states")
    ax.set_title("Where the two sentences' states differ", fontsize=10)
    ax.legend(fontsize=8)
    return fig


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


# --- Exercise checks (the notebook calls these) ---


def check_toy_rnn_output(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "The toy RNN by hand"."""
    return check(toy_rnn_output_exercise, answer)


def check_rnn_label(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "What the RNN says"."""
    return check(rnn_label_exercise, answer)


def check_feedforward_label(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "What the feed-forward tagger says"."""
    return check(feedforward_label_exercise, answer)


def check_memory_weight(answer: object = None) -> Feedback:
    """Feedback on notebook 05's exercise "Change the memory weight"."""
    return check(memory_weight_exercise, answer)


# Check name -> the function that builds its exercise (tests and tools use it).
EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_toy_rnn_output": toy_rnn_output_exercise,
    "check_rnn_label": rnn_label_exercise,
    "check_feedforward_label": feedforward_label_exercise,
    "check_memory_weight": memory_weight_exercise,
}
