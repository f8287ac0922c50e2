"""Notebook 05's exercise cases: the toy RNN by hand and with its memory weight changed, and the
label the RNN and the feed-forward tagger give a city after "leave"."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from helpers.core.rnn import tag_sentence, tagger_datasets, toy_rnn, train_tagger
from helpers.core.text import CITY_LABEL, DATE_LABEL, LABELS
from helpers.ui.exercises import CHOICE, NUMBERS, Exercise, Feedback, Mistake, check, label_choices

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
