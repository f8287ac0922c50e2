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


SHOWN_CHARACTERS = 50  # an answer longer than this, written out, is cut with "..."

LISTED_VALUES = 100_000  # a larger array or tensor (a weight matrix) is described by its shape


def _cut(text: str) -> str:
    """`text`, cut to SHOWN_CHARACTERS with "..." at the end."""
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."


def _short(value: object) -> str:
    """`repr(value)`, cut to SHOWN_CHARACTERS with "..." at the end."""
    return _cut(repr(value))


def _describe(answer: object) -> str:
    """The answer's type and (cut) repr, for a message: "bytes b'1'"."""
    return f"{type(answer).__name__} {_short(answer)}"


def _plain(answer: object, wanted: str) -> object:
    """A numpy or torch value as Python's own: a scalar (also from 0-d), else a list.

    Every check reads the result, so a value is accepted or refused the same way whatever
    library made it. An array or tensor of more than LISTED_VALUES values is refused here,
    without being converted.
    """
    if not all(hasattr(answer, name) for name in ("tolist", "dtype", "shape")):
        return answer
    shape = tuple(answer.shape)  # type: ignore[attr-defined]
    count = math.prod(shape)
    if count > LISTED_VALUES:
        raise _Unreadable(f"your answer holds {count:,} values (shape {shape}); {wanted}.")
    try:
        return answer.tolist()  # type: ignore[attr-defined]
    except Exception:  # a tensor without data (on the meta device), or an odd object
        raise _Unreadable(f"your answer is {_describe(answer)}; {wanted}.") from None


def _is_number(value: object) -> bool:
    """Whether `value` is a real number and not a bool (Python's, numpy's or torch's)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _as_number(answer: object) -> float:
    """A finite float from a number of Python, numpy or torch (0-d included); else _Unreadable.

    Refused with the same message whatever the library: bools, and one number in brackets
    (a list, a one-element array or tensor).
    """
    answer = _plain(answer, "give one number")
    if isinstance(answer, str):
        try:
            float(answer.replace(",", "").replace("_", ""))
        except ValueError:
            raise _Unreadable(f"your answer is the text {_short(answer)}; give a number.") from None
        plain = "".join(answer.split()).replace(",", "")
        raise _Unreadable(f"write the number without quotes: {_cut(plain)}, not {_short(answer)}.")
    if isinstance(answer, tuple) and answer and all(isinstance(v, int) for v in answer):
        joined = "_".join(str(v) for v in answer)
        raise _Unreadable(
            f"your answer is the tuple {_short(answer)}: in Python a comma separates values. "
            f"Write a large number without commas, e.g. {_cut(joined.replace('_', ''))} "
            f"or {_cut(joined)}."
        )
    if isinstance(answer, bool):
        raise _Unreadable(f"your answer is {answer}, a truth value (bool); give a number.")
    if isinstance(answer, list):
        if len(answer) == 1 and _is_number(answer[0]):
            raise _Unreadable(
                f"your answer is one number in brackets, {_short(answer)} (a list, array or "
                f"tensor); give the number itself: {_short(answer[0])}."
            )
        raise _Unreadable(
            f"your answer holds {len(answer):,} values, {_short(answer)}; give one number."
        )
    if not isinstance(answer, Real):
        raise _Unreadable(f"your answer is {_describe(answer)}; give a number.")
    value = float(answer)
    if not math.isfinite(value):
        raise _Unreadable(f"your answer is {value}; give a finite number.")
    return value


def _as_numbers(answer: object, length: int, form: str) -> tuple[float, ...]:
    """`length` numbers from a tuple, list, torch.Size, array or tensor; else _Unreadable."""
    items = _plain(answer, f"write it as {form}")
    if not isinstance(items, (list, tuple)):
        raise _Unreadable(f"your answer is {_describe(items)}; write it as {form}.")
    if len(items) != length:
        raise _Unreadable(f"give {length} numbers, written as {form}; yours has {len(items)}.")
    return tuple(_as_number(item) for item in items)


def _normalise(text: str) -> str:
    """A spelling as a choice key: lower case, words joined by "_"."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _as_choice(answer: object, choices: Mapping[str, str]) -> str:
    """The canonical choice for a (case- and space-insensitive) spelling; else _Unreadable."""
    options = ", ".join(repr(c) for c in dict.fromkeys(choices.values()))
    answer = _plain(answer, f"give one of {options} (in quotes)")
    if not isinstance(answer, str):
        raise _Unreadable(f"your answer is {_describe(answer)}; give one of {options} (in quotes).")
    key = _normalise(answer)
    if key not in choices:
        raise _Unreadable(f"{_short(answer)} is not one of {options}.")
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
    """Choices from labels: each label's spelling (with spaces for "_") -> the label."""
    return {_normalise(label.replace("_", " ")): label for label in labels}


def check(build: Callable[[], Exercise], answer: object) -> Feedback:
    """Feedback on `answer` to the exercise that `build` makes; never raises for any answer."""
    if answer is None or answer is Ellipsis:  # no need to build (or train) anything yet
        return Feedback(False, NOT_DONE_MESSAGE, NOT_DONE)
    return evaluate(answer, build())
