"""The exercise kit: an exercise's answer and typical mistakes, the student's answer read in
any form, and the feedback shown.

The question text lives only in the notebook's markdown; each lesson module builds its
exercises (the values the question gives, the answer computed by the helpers, each typical
mistake computed by making it) and its `check_*` functions, which take the student's answer
and return a `Feedback`, never raising. `None` (or `...`) means "not done yet"."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from numbers import Real

from helpers.ui.palette import INVALID_COLOUR, NOT_DONE_COLOUR, RIGHT_COLOUR, WRONG_COLOUR

CORRECT, MISTAKE, WRONG, NOT_DONE, INVALID = "correct", "mistake", "wrong", "not done", "invalid"

_HEADINGS = {
    CORRECT: "✔ Correct",
    MISTAKE: "✘ Not quite",
    WRONG: "✘ Not quite",
    NOT_DONE: "… Not done yet",
    INVALID: "? Cannot check this answer",
}

_COLOURS = {
    CORRECT: RIGHT_COLOUR,
    MISTAKE: WRONG_COLOUR,
    WRONG: WRONG_COLOUR,
    NOT_DONE: NOT_DONE_COLOUR,
    INVALID: INVALID_COLOUR,
}

NOT_DONE_MESSAGE = (
    "replace None with your answer in the cell above, run that cell, then run this one again."
)


@dataclass(frozen=True, repr=False)
class Feedback:
    """What a check says about an answer: `correct`, and a message (why, or what to fix)."""

    correct: bool
    message: str
    status: str = WRONG  # one of correct, mistake, wrong, not done, invalid

    def __str__(self) -> str:
        return f"{_HEADINGS[self.status]}: {self.message}"

    __repr__ = __str__  # the notebook's text/plain output: deterministic, readable

    def _repr_html_(self) -> str:
        colour = _COLOURS[self.status]
        return (
            f"<div style='border-left:4px solid {colour};padding:6px 10px;margin:4px 0'>"
            f"<b>{escape(_HEADINGS[self.status])}:</b> {escape(self.message)}</div>"
        )


WHOLE, NUMBER, NUMBERS, CHOICE = "a whole number", "a number", "numbers", "a choice"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer, computed by making the mistake, and what to tell the student."""

    value: object
    message: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: its notebook, the values its question gives, its answer (from the
    helpers) and typical mistakes. The question itself is written once, in the notebook.

    `given` holds the case the question states, taken from the lesson's case constants: a
    number (written in the question as 28, 1,000 or 0.5), a tuple of numbers (written as
    (2, 1, 0) or [1, 0]) or a short string (a sentence, a word). A test checks that each
    appears in the notebook's question cell, so a case changed in code but not in the
    notebook fails."""

    notebook: str
    title: str
    given: tuple[object, ...] = field(kw_only=True)  # the question's values, see above
    kind: str  # WHOLE, NUMBER, NUMBERS or CHOICE
    answer: object
    explanation: str  # shown with a correct answer
    hint: str  # shown with a wrong answer that is not a known mistake
    mistakes: tuple[Mistake, ...] = ()
    tolerance: float = 0.0  # NUMBER and NUMBERS: largest accepted absolute difference
    form: str = ""  # NUMBERS: how to write the answer, e.g. "(channels, height, width)"
    choices: Mapping[str, str] | None = None  # CHOICE: accepted spelling -> canonical answer
    fraction: str = ""  # WHOLE: what to say about a non-whole number


class _Unreadable(Exception):
    """The answer has a form the exercise cannot compare (a string for a number, ...)."""


def _describe(answer: object) -> str:
    text = repr(answer)
    return f"{type(answer).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _as_number(answer: object) -> float:
    """A finite float from an int, float, numpy or one-element tensor scalar; else _Unreadable."""
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise _Unreadable(f"your answer is the text {answer!r}; give a number.") from None
        plain = "".join(answer.split()).replace(",", "")
        raise _Unreadable(f"write the number without quotes: {plain}, not {answer!r}.")
    if isinstance(answer, tuple) and answer and all(isinstance(v, int) for v in answer):
        joined = "_".join(str(v) for v in answer)
        raise _Unreadable(
            f"your answer is the tuple {answer!r}: in Python a comma separates values. "
            f"Write a large number without commas, e.g. {joined.replace('_', '')} or {joined}."
        )
    if isinstance(answer, bool) or not isinstance(answer, Real) and not hasattr(answer, "item"):
        raise _Unreadable(f"your answer is {_describe(answer)}; give a number.")
    try:
        value = float(answer)
    except Exception:  # an array or tensor of several values, or an odd object
        raise _Unreadable(f"your answer is {_describe(answer)}; give one number.") from None
    if not math.isfinite(value):
        raise _Unreadable(f"your answer is {value}; give a finite number.")
    return value


def _as_numbers(answer: object, length: int, form: str) -> tuple[float, ...]:
    """A tuple of `length` numbers from a tuple, list, torch.Size or array; else _Unreadable."""
    items = answer.tolist() if hasattr(answer, "tolist") else answer
    if not isinstance(items, (list, tuple)):
        raise _Unreadable(f"your answer is {_describe(answer)}; write it as {form}.")
    if len(items) != length:
        raise _Unreadable(f"give {length} numbers, written as {form}; yours has {len(items)}.")
    return tuple(_as_number(item) for item in items)


def _normalise(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _as_choice(answer: object, choices: Mapping[str, str]) -> str:
    """The canonical choice for a (case- and space-insensitive) spelling; else _Unreadable."""
    options = ", ".join(repr(c) for c in dict.fromkeys(choices.values()))
    if not isinstance(answer, str):
        raise _Unreadable(f"your answer is {_describe(answer)}; give one of {options} (in quotes).")
    key = _normalise(answer)
    if key not in choices:
        raise _Unreadable(f"{answer!r} is not one of {options}.")
    return choices[key]


def _read(answer: object, exercise: Exercise) -> object:
    """The answer in the exercise's canonical form, or _Unreadable with what to change."""
    if exercise.kind == CHOICE:
        return _as_choice(answer, exercise.choices or {})
    if exercise.kind == NUMBERS:
        return _as_numbers(answer, len(exercise.answer), exercise.form)
    return _as_number(answer)


def _same(a: object, b: object, exercise: Exercise) -> bool:
    """Whether two canonical answers are equal (within the exercise's tolerance)."""
    if exercise.kind == CHOICE:
        return a == b
    xs = a if isinstance(a, tuple) else (a,)
    ys = b if isinstance(b, tuple) else (b,)
    return len(xs) == len(ys) and all(
        abs(float(x) - float(y)) <= exercise.tolerance + 1e-9 for x, y in zip(xs, ys)
    )


def evaluate(answer: object, exercise: Exercise) -> Feedback:
    """Feedback on `answer`: correct, a known mistake with its hint, wrong, or unreadable."""
    if answer is None or answer is Ellipsis:
        return Feedback(False, NOT_DONE_MESSAGE, NOT_DONE)
    try:
        value = _read(answer, exercise)
    except _Unreadable as problem:
        return Feedback(False, str(problem), INVALID)
    if _same(value, exercise.answer, exercise):
        return Feedback(True, exercise.explanation, CORRECT)
    for mistake in exercise.mistakes:
        if _same(value, mistake.value, exercise):
            return Feedback(False, mistake.message, MISTAKE)
    if exercise.kind == WHOLE and exercise.fraction and not float(value).is_integer():
        return Feedback(False, exercise.fraction, MISTAKE)
    return Feedback(False, exercise.hint, WRONG)


def format_number(value: float) -> str:
    """A number as the messages write it: 78,500 or 392.02."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def label_choices(labels: tuple[str, ...]) -> dict[str, str]:
    return {_normalise(label.replace("_", " ")): label for label in labels}


def check(build: Callable[[], Exercise], answer: object) -> Feedback:
    """Feedback on `answer` to the exercise that `build` makes; never raises for any answer."""
    if answer is None or answer is Ellipsis:  # no need to build (or train) anything yet
        return Feedback(False, NOT_DONE_MESSAGE, NOT_DONE)
    return evaluate(answer, build())
