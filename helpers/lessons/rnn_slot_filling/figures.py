"""Notebook 05's pictures: 1-of-N and word hashing, the toy RNN unrolled, the training loss,
why a feed-forward tagger labels a city wrong, the taggers' results and their hidden states."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from helpers.core.rnn import (
    KINDS,
    TOY_INPUTS,
    Tagger,
    first_difference,
    hidden_state_distance,
    hidden_states,
    toy_rnn,
)
from helpers.core.text import (
    ARRIVE_SENTENCE,
    CITY_LABEL,
    HASH_DIM,
    HELD_OUT_CITIES,
    LABELS,
    LEAVE_SENTENCE,
    hash_vector,
    letter_trigrams,
    one_hot_encode,
    tokenize,
    trigram_bucket,
)
from helpers.ui.figure import NotebookFigure
from helpers.ui.palette import (
    FAINT_COLOUR,
    HIDDEN_BOX_COLOUR,
    HIGHLIGHT_COLOUR,
    INPUT_BOX_COLOUR,
    LIGHT_LINE_COLOUR,
    OUTPUT_BOX_COLOUR,
    PALE_COLOUR,
    PALETTE,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

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
        ax.text(
            column,
            row,
            "1",
            ha="center",
            va="center",
            color="white",
            fontweight="bold",
            in_layout=False,
        )
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
