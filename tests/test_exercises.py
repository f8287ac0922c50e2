"""The exercises: answers checked against PyTorch, every typical mistake recognised, odd answers
answered with a message, and the notebooks' exercise cells wired to the right checks."""

import ast
import re

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import helpers.ui.exercises as kit
from helpers.core.conv import LECTURE_FILTERS, LECTURE_IMAGE
from helpers.core.lstm import LSTMCellByHand
from helpers.core.rnn import toy_rnn_torch_outputs
from helpers.core.text import CITY_LABEL
from helpers.core.vgg import vgg16
from helpers.lessons import (
    cnn_vs_rnn,
    padding_and_stride,
    weight_sharing,
    why_cnn,
)
from helpers.lessons import vgg16 as vgg_lesson
from helpers.lessons.cnn_learns import exercises as cnn_learns_exercises
from helpers.lessons.lstm_by_hand import exercises as lstm_exercises
from helpers.lessons.pooling import exercises as pooling_exercises
from helpers.lessons.pooling.explorers import EXAMPLE_MAP
from helpers.lessons.rnn_slot_filling import exercises as rnn_exercises
from tools.student import is_solution, solution_names

from notebook_files import NOTEBOOK_DIR

LESSONS = (
    why_cnn,
    padding_and_stride,
    weight_sharing,
    pooling_exercises,
    rnn_exercises,
    lstm_exercises,
    vgg_lesson,
    cnn_vs_rnn,
    cnn_learns_exercises,
)
BUILDERS = {name: build for lesson in LESSONS for name, build in lesson.EXERCISES.items()}
CHECKS = {name: getattr(lesson, name) for lesson in LESSONS for name in lesson.EXERCISES}
NAMES = list(BUILDERS)
# Two-way choices: every answer but the right one is a known mistake, so no hint is reachable.
NAMES_WITH_A_HINT = [n for n in NAMES if n not in {"check_rnn_gradient", "check_lstm_gradient"}]
CONTENT_NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("0[1-9]_*.ipynb"))


def params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def a_wrong_answer(exercise: kit.Exercise) -> object:
    """A readable answer that is neither right nor a known mistake."""
    if exercise.kind == kit.CHOICE:
        known = {exercise.answer, *(m.value for m in exercise.mistakes)}
        return next(c for c in exercise.choices.values() if c not in known)
    if exercise.kind == kit.NUMBERS:
        return tuple(v + 1000 for v in exercise.answer)
    return exercise.answer + 1000


# --- Every exercise: right, each mistake, not done, odd answers ---------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_right_answer_is_correct(name):
    exercise = BUILDERS[name]()
    feedback = CHECKS[name](exercise.answer)
    assert feedback.correct and feedback.status == kit.CORRECT
    assert feedback.message == exercise.explanation
    assert str(feedback).startswith("✔ Correct: ")


@pytest.mark.parametrize("name", NAMES)
def test_each_typical_mistake_gets_its_own_message(name):
    exercise = BUILDERS[name]()
    assert exercise.mistakes, "an exercise must know at least one typical mistake"
    for mistake in exercise.mistakes:
        feedback = CHECKS[name](mistake.value)
        assert not feedback.correct
        assert (feedback.status, feedback.message) == (kit.MISTAKE, mistake.message), mistake
    assert len({m.message for m in exercise.mistakes}) == len(exercise.mistakes)


@pytest.mark.parametrize("name", NAMES)
def test_mistakes_differ_from_the_answer_and_from_each_other(name):
    exercise = BUILDERS[name]()
    values = [exercise.answer, *(m.value for m in exercise.mistakes)]
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            assert not kit._same(a, b, exercise), f"{a!r} and {b!r} cannot be told apart"


@pytest.mark.parametrize("name", NAMES_WITH_A_HINT)
def test_an_unknown_wrong_answer_gets_the_hint(name):
    exercise = BUILDERS[name]()
    feedback = CHECKS[name](a_wrong_answer(exercise))
    assert (feedback.correct, feedback.status, feedback.message) == (
        False,
        kit.WRONG,
        exercise.hint,
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("answer", [None, ...])
def test_not_done_yet_is_friendly(name, answer):
    feedback = CHECKS[name](answer)
    assert not feedback.correct and feedback.status == kit.NOT_DONE
    assert str(feedback).startswith("… Not done yet: replace None")
    assert CHECKS[name]() == feedback  # the answer defaults to None


ODD_ANSWERS = ["abc", "", "78,500", b"1", object(), [[1, 2]], {"a": 1}, float("nan"), True, -1j]


@pytest.mark.parametrize("name", NAMES)
def test_odd_answers_get_a_message_not_a_traceback(name):
    for answer in ODD_ANSWERS:
        feedback = CHECKS[name](answer)
        assert not feedback.correct, answer
        assert feedback.status in {kit.INVALID, kit.WRONG, kit.MISTAKE}, answer
        assert feedback.message and "Traceback" not in feedback.message


def test_messages_say_what_is_wrong_with_the_form():
    assert "without quotes: 78500" in why_cnn.check_dense_params("78,500").message
    assert "a comma separates values" in vgg_lesson.check_vgg_conv_params((295, 168)).message
    assert (
        "(channels, height, width)"
        in padding_and_stride.check_conv_output_shape((1, 8, 12, 12)).message
    )
    assert "[y1, y2]" in rnn_exercises.check_toy_rnn_output(16).message
    assert "'departure'" in rnn_exercises.check_rnn_label("Paris").message
    assert "(in quotes)" in rnn_exercises.check_rnn_label(3).message
    assert "floor" in padding_and_stride.check_conv_output_side(6.5).message


def test_answers_in_other_forms_are_accepted():
    right = BUILDERS["check_conv_output_shape"]().answer
    for form in (list(right), torch.Size(right), np.array(right), torch.tensor(right)):
        assert padding_and_stride.check_conv_output_shape(form).correct, form
    answer = BUILDERS["check_dense_params"]().answer
    for form in (float(answer), np.int64(answer), torch.tensor(answer)):
        assert why_cnn.check_dense_params(form).correct, form
    for form in ("Departure", " departure ", "DEPARTURE"):
        assert rnn_exercises.check_rnn_label(form).correct
    assert cnn_vs_rnn.check_rnn_gradient("explodes").correct
    assert cnn_vs_rnn.check_lstm_gradient("Vanishes").correct


# --- One answer, any library's type: the same verdict and the same message --------------------

NUMERIC_NAMES = [n for n in NAMES if BUILDERS[n]().kind in (kit.WHOLE, kit.NUMBER)]


def numeric_values(exercise: kit.Exercise) -> list[object]:
    """The answer, each mistake, a wrong answer and a fraction: every verdict a number gets."""
    answer = exercise.answer
    return [answer, *(m.value for m in exercise.mistakes), answer + 1000, float(answer) + 0.5]


def torch_scalar(value: object) -> torch.Tensor:
    """A 0-d tensor of `value`; floats in float64, so that the number is the same."""
    return torch.tensor(value, dtype=torch.float64 if isinstance(value, float) else None)


# Each form gives a value the way a library holds it; the feedback must equal the plain value's.
SCALAR_FORMS = {
    "float": float,
    "numpy scalar": lambda v: np.asarray(v)[()],
    "numpy float32 scalar": lambda v: np.float32(v) if float(np.float32(v)) == v else v,
    "numpy 0-d array": np.array,
    "torch 0-d tensor": torch_scalar,
}


@pytest.mark.parametrize("form", SCALAR_FORMS)
@pytest.mark.parametrize("name", NUMERIC_NAMES)
def test_a_number_gets_the_same_feedback_in_any_scalar_type(name: str, form: str) -> None:
    """A Python, numpy or torch number (0-d arrays and tensors too) gets one and the same
    feedback, right, a mistake or wrong."""
    for value in numeric_values(BUILDERS[name]()):
        plain, other = CHECKS[name](value), CHECKS[name](SCALAR_FORMS[form](value))
        assert (other.status, other.message) == (plain.status, plain.message), value


# Families of equivalent answers: each family's members get the same status and message.
BOOLS = [True, np.True_, np.array(True), torch.tensor(True)]
FALSES = [False, np.False_, np.array(False), torch.tensor(False)]
LONG_TEXT = "7" * 5_000 + "x" * 5_000  # 10,000 characters
LONG_NUMBER_TEXT = "1" * 10_000
LONG_LISTS = [list(range(10_000)), np.arange(10_000), torch.arange(10_000)]
TWO_NUMBERS = [[7, 8], np.array([7, 8]), torch.tensor([7, 8])]


def one_number_in_brackets(value: object) -> list[object]:
    """[value] as a list, a one-element numpy array and a one-element tensor (floats in
    float64, so that the number is the same)."""
    return [[value], np.array([value]), torch_scalar(value).reshape(1)]


FAMILIES = {
    "bool True": lambda e: BOOLS,
    "bool False": lambda e: FALSES,
    "one-element answer": lambda e: one_number_in_brackets(e.answer),
    "one-element mistake": lambda e: one_number_in_brackets(e.mistakes[0].value),
    "two numbers": lambda e: TWO_NUMBERS,
    "long text": lambda e: [LONG_TEXT, np.str_(LONG_TEXT), np.array(LONG_TEXT)],
    "long number in quotes": lambda e: [LONG_NUMBER_TEXT, np.str_(LONG_NUMBER_TEXT)],
    "long list": lambda e: LONG_LISTS,
    "not finite": lambda e: [float("nan"), np.float64("nan"), torch.tensor(float("nan"))],
}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("name", NUMERIC_NAMES)
def test_equivalent_answers_of_any_library_get_the_same_feedback(name: str, family: str) -> None:
    """Bools, one number in brackets, long texts and lists: one verdict and one message, as
    plain Python's, whatever the library, and never a message longer than a line or two."""
    answers = FAMILIES[family](BUILDERS[name]())
    feedbacks = [CHECKS[name](answer) for answer in answers]
    assert {(f.status, f.message) for f in feedbacks} == {
        (feedbacks[0].status, feedbacks[0].message)
    }, [str(f) for f in feedbacks]
    assert feedbacks[0].status == kit.INVALID and len(feedbacks[0].message) <= 200


def test_the_family_messages_say_what_to_change():
    """Each refused family gets its own message, naming the value (cut when long)."""
    dense = why_cnn.check_dense_params
    assert dense(np.True_).message == "your answer is True, a truth value (bool); give a number."
    assert dense(torch.tensor([78_500])).message == (
        "your answer is one number in brackets, [78500] (a list, array or tensor); "
        "give the number itself: 78500."
    )
    assert dense(torch.tensor([7, 8])).message == (
        "your answer holds 2 values, [7, 8]; give one number."
    )
    message = dense(LONG_TEXT).message
    assert message == f"your answer is the text '{'7' * 46}...; give a number."
    assert dense(LONG_NUMBER_TEXT).message.count("111...") == 2
    assert dense(torch.zeros(4096, 25_088, device="meta")).message == (
        "your answer holds 102,760,448 values (shape (4096, 25088)); give one number."
    )
    assert "give one number" in dense(torch.zeros(2, device="meta")).message


def test_numbers_exercises_read_bools_and_sequences_the_same_way_in_any_type():
    """A shape answer: a bool, alone or inside, is refused alike in every type; a list, an
    array or a tensor of the right numbers is accepted alike."""
    check = padding_and_stride.check_conv_output_shape
    assert {str(check(answer)) for answer in BOOLS} == {
        "? Cannot check this answer: your answer is bool True; write it as "
        "(channels, height, width)."
    }
    assert "truth value" in check((8, True, 12)).message
    for answer in ([8, 12, 12.0], np.array([8, 12, 12]), torch.tensor([8.0, 12, 12])):
        assert check(answer) == check((8, 12, 12)) and check(answer).correct


@pytest.mark.parametrize("name", NAMES)
def test_long_answers_are_cut_in_the_feedback(name: str) -> None:
    """A 10,000-character text or a 10,000-item list is never echoed in full."""
    for answer in (LONG_TEXT, LONG_NUMBER_TEXT, *LONG_LISTS, tuple(range(10_000))):
        feedback = CHECKS[name](answer)
        assert not feedback.correct and len(str(feedback)) <= 300, str(feedback)[:400]


def test_the_typical_hints_named_in_the_issue():
    assert "forgot the biases" in why_cnn.check_dense_params(78_400).message
    assert "padding goes on both sides" in padding_and_stride.check_conv_output_side(6).message
    assert "spans every input channel" in why_cnn.check_conv_params(1_664).message
    assert (
        "stride defaults to the kernel size" in pooling_exercises.check_pool_output_side(5).message
    )


# --- Feedback display ----------------------------------------------------------------------------


def test_feedback_text_and_html():
    feedback = kit.Feedback(False, "a < b & 'c'", kit.MISTAKE)
    assert str(feedback) == repr(feedback) == "✘ Not quite: a < b & 'c'"
    html = feedback._repr_html_()
    assert "a &lt; b &amp; &#x27;c&#x27;" in html and "<b>✘ Not quite:</b>" in html
    assert "Correct" in kit.Feedback(True, "x", kit.CORRECT)._repr_html_()
    assert kit.Feedback(True, "x", kit.CORRECT) == kit.Feedback(True, "x", kit.CORRECT)


# --- The answers, computed independently with PyTorch -------------------------------------------


def conv_side(n, k, stride=1, padding=0, dilation=1):
    x, w = torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k)
    return F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation).shape[-1]


def vgg_block_ends(side):
    """Shapes after each of VGG16's five blocks for a side × side input (meta tensors)."""
    x, shapes = torch.zeros(1, 3, side, side, device="meta"), []
    for layer in vgg16(device="meta").features:
        x = layer(x)
        if isinstance(layer, nn.MaxPool2d):
            shapes.append(tuple(x.shape[1:]))
    return shapes


def test_01_answers_match_pytorch():
    side, units = why_cnn.DENSE_SIDE, why_cnn.DENSE_UNITS
    assert BUILDERS["check_dense_params"]().answer == params(nn.Linear(side * side, units))
    conv = nn.Conv2d(why_cnn.CONV_CHANNELS, why_cnn.CONV_KERNELS, why_cnn.CONV_KERNEL)
    assert BUILDERS["check_conv_params"]().answer == params(conv) == 4_864


def test_02_answers_match_pytorch():
    case = padding_and_stride.SIDE_CASE
    side = conv_side(case["size"], case["kernel_size"], case["stride"], case["padding"])
    assert BUILDERS["check_conv_output_side"]().answer == side == 7
    case = padding_and_stride.DILATED_CASE
    side = conv_side(case["size"], case["kernel_size"], dilation=case["dilation"])
    assert BUILDERS["check_dilated_output_side"]().answer == side
    case = padding_and_stride.SHAPE_CASE
    layer = nn.Conv2d(
        case["in_channels"], case["out_channels"], case["kernel_size"], padding=case["padding"]
    )
    with torch.no_grad():
        shape = layer(torch.zeros(1, case["in_channels"], case["size"], case["size"])).shape
    assert BUILDERS["check_conv_output_shape"]().answer == tuple(shape[1:])
    grouped = nn.Conv2d(**padding_and_stride.GROUPED_CASE)
    assert BUILDERS["check_grouped_params"]().answer == params(grouped) == 304


def test_03_answers_match_pytorch():
    n, k = weight_sharing.MATRIX_IMAGE_SIDE, weight_sharing.MATRIX_KERNEL
    outputs = conv_side(n, k) ** 2
    assert BUILDERS["check_matrix_shape"]().answer == (outputs, n * n)
    # A shared weight's gradient sums its copies: with an image of ones, each copy adds 1.
    w = torch.zeros(1, 1, k, k, requires_grad=True)
    F.conv2d(torch.ones(1, 1, n, n), w).sum().backward()
    assert BUILDERS["check_weight_copies"]().answer == w.grad[0, 0, 0, 0].item()
    image = torch.tensor(LECTURE_IMAGE)[None, None]
    out = F.conv2d(image, torch.tensor(LECTURE_FILTERS[:1])[:, None], padding=1)[0, 0]
    assert BUILDERS["check_padded_output"]().answer == out[weight_sharing.PADDED_POSITION].item()


def test_04_answers_match_pytorch():
    x = torch.tensor(EXAMPLE_MAP)[None, None]
    pooled = nn.MaxPool2d(pooling_exercises.POOL_KERNEL)(x)[0, 0]
    assert BUILDERS["check_pool_output_side"]().answer == pooled.shape[-1]
    assert (
        BUILDERS["check_max_pool_value"]().answer == pooled[pooling_exercises.POOL_POSITION].item()
    )
    averaged = F.avg_pool2d(x, pooling_exercises.AVG_KERNEL, ceil_mode=True)[0, 0]
    assert (
        BUILDERS["check_avg_pool_edge"]().answer
        == averaged[pooling_exercises.AVG_POSITION].item()
        == 4.5
    )


def test_05_answers_match_pytorch_and_the_true_labels():
    expected = toy_rnn_torch_outputs(rnn_exercises.TOY_EXERCISE_INPUTS)[-1]  # nn.RNN + nn.Linear
    assert BUILDERS["check_toy_rnn_output"]().answer == tuple(expected) == (16, 16)
    assert BUILDERS["check_rnn_label"]().answer == CITY_LABEL[rnn_exercises.TAGGER_CUE]
    assert BUILDERS["check_feedforward_label"]().answer == "other"


def test_06_answers_match_pytorch_and_the_exact_gates():
    lstm = nn.LSTM(**lstm_exercises.LSTM_SIZES)
    assert BUILDERS["check_lstm_params"]().answer == params(lstm) == 2_560
    for name, case, field in (
        ("check_lstm_memory", lstm_exercises.MEMORY_CASE, "memory"),
        ("check_lstm_output", lstm_exercises.OUTPUT_CASE, "output"),
    ):
        exact = getattr(LSTMCellByHand().step(case["x"], case["memory"]), field)
        assert BUILDERS[name]().answer == 7
        assert CHECKS[name](exact).correct  # the exact sigmoid gates are accepted too


def test_07_answers_match_pytorch():
    model = vgg16(device="meta")
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    first_of_block_3 = next(c for c in convs if c.out_channels == 256)
    assert BUILDERS["check_vgg_conv_params"]().answer == params(first_of_block_3)
    side = vgg_block_ends(vgg_lesson.VGG_SMALL_SIDE)[vgg_lesson.VGG_SIDE_BLOCK - 1][-1]
    assert BUILDERS["check_vgg_side"]().answer == side == 10
    # Receptive field by autograd: which input pixels move one output of the stack?
    n = vgg_lesson.STACKED_LAYERS
    x = torch.zeros(1, 1, 31, 31, requires_grad=True)
    y = x
    for _ in range(n):
        y = F.conv2d(y, torch.ones(1, 1, 3, 3))
    y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
    rows_seen = torch.nonzero(x.grad[0, 0].sum(dim=1)).flatten()
    assert BUILDERS["check_receptive_field"]().answer == len(rows_seen) == 11
    linear = model.classifier[0]
    mib = params(linear) * 4 / 2**20
    assert BUILDERS["check_param_mib"]().answer == pytest.approx(mib)
    assert round(mib, 2) == 392.02


def test_08_answers_match_pytorch():
    small, large = (
        params(nn.Linear(side * side, cnn_vs_rnn.GROWTH_UNITS, device="meta"))
        for side in cnn_vs_rnn.GROWTH_SIDES
    )
    assert BUILDERS["check_dense_growth"]().answer == pytest.approx(large / small)
    conv = nn.Conv2d(1, cnn_vs_rnn.CNN_KERNELS, cnn_vs_rnn.CNN_KERNEL)
    assert BUILDERS["check_cnn_params_large_image"]().answer == params(conv) == 1_000
    assert BUILDERS["check_rnn_gradient"]().answer == "larger"  # notebook 08: it explodes
    assert BUILDERS["check_lstm_gradient"]().answer == "smaller"  # forget bias 0: it vanishes


# --- The notebooks' exercise sections ------------------------------------------------------------

CHECK_CALL = re.compile(r"^(check_\w+)\((answer_\d+)\)$")


def exercise_cells(path):
    """(question, solution, check) cells of each exercise in a notebook, and the import cell."""
    cells = nbformat.read(path, as_version=4).cells
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## Exercises"))
    found = []
    for i, cell in enumerate(cells[start:], start):
        match = CHECK_CALL.match(cell.source.strip())
        if cell.cell_type == "code" and match:
            solution = cells[i - 1]
            question = next(c for c in reversed(cells[:i]) if c.cell_type == "markdown")
            found.append((match[1], match[2], question, solution, cell))
    return cells[start + 1], found


# A number as a question writes it (after any run of spaces, no-break ones too, became one
# space): 28, 0.5, 1000, 1,000, 1 000, 1_000 or 10^3; not the 2 of Conv2d or x2 (a letter before
# it), nor the 3 of 3rd (a letter after it).
SPELLED_NUMBER = re.compile(r"(?<![\w.])\d+(?:[,_ ]\d{3}(?!\d))*(?:\.\d+)?(?:\^\d+)?(?!\w)")
BRACKETS = re.compile(r"[(\[]([^()\[\]]*)[)\]]")  # (2, 1, 0) or [1, 0]


def read_number(spelled: str) -> float:
    base, _, power = re.sub(r"[,_\s]", "", spelled).partition("^")
    return float(base) ** int(power) if power else float(base)


def question_body(cell) -> str:
    """A question cell's markdown without its heading (whose "Exercise N" is no given)."""
    return cell.source.partition("\n")[2]


def missing_given(given: tuple, markdown: str) -> list:
    """The values of `given` that the markdown does not state: a number among its numbers, a
    tuple of numbers as one bracketed list, a string as whole words (case and all)."""
    text = " ".join(markdown.split())
    numbers = {read_number(m[0]) for m in SPELLED_NUMBER.finditer(text)}
    tuples = set()
    for inside in BRACKETS.findall(text):
        parts = [part.strip() for part in inside.split(",")]
        if all(SPELLED_NUMBER.fullmatch(part) for part in parts):
            tuples.add(tuple(read_number(part) for part in parts))
    missing = []
    for value in given:
        if isinstance(value, str):
            found = re.search(rf"(?<!\w){re.escape(' '.join(value.split()))}(?!\w)", text)
        elif isinstance(value, tuple):
            found = tuple(float(v) for v in value) in tuples
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found = float(value) in numbers
        else:
            raise TypeError(f"a given value must be a number, a tuple or a string: {value!r}")
        if not found:
            missing.append(value)
    return missing


def test_given_values_are_matched_as_the_notebook_writes_them():
    text = (
        "`nn.Conv2d(16, 4)` reads a 28 × 28 image, x1 and the 3rd word; rate 0.5, x = (7, 1, 0),\n"
        "reads [1,\n0] and *i want to leave\nyilan*. 25,088 values, 2^20 bytes."
    )
    present = (16, 4, 28, 0.5, 7.0, (7.0, 1.0, 0.0), (1, 0), "yilan", "i want to leave yilan")
    assert missing_given(present + (25_088, 2**20), text) == []
    absent = (2, 8, 3, 5, 20, 25, 88, (7, 1), (1, 0, 0), "Yilan", "leave yi", "want to go")
    assert missing_given(absent, text) == list(absent)
    for spelled in ("1000", "1,000", "1 000", "1\u202f000", "1_000", "10^3"):
        assert missing_given((1_000,), f"a layer of {spelled} units") == [], spelled
        assert missing_given((100, 10), f"a layer of {spelled} units") == [100, 10], spelled


@pytest.mark.parametrize("name", CONTENT_NOTEBOOKS)
def test_each_question_cell_states_the_values_its_exercise_is_built_from(name):
    _, found = exercise_cells(NOTEBOOK_DIR / name)
    for check_name, _, question, *_ in found:
        exercise = BUILDERS[check_name]()
        assert isinstance(exercise.given, tuple)
        missing = missing_given(exercise.given, question_body(question))
        assert not missing, f"{check_name}: its question cell does not state {missing}"


def test_a_case_changed_in_code_but_not_in_the_notebook_is_caught(monkeypatch):
    build = padding_and_stride.conv_output_side_exercise
    case = dict(padding_and_stride.SIDE_CASE)
    case["size"] += 100
    monkeypatch.setattr(padding_and_stride, "SIDE_CASE", case)
    _, found = exercise_cells(NOTEBOOK_DIR / "02_padding_and_stride.ipynb")
    question = next(q for c, _, q, *_ in found if c == "check_conv_output_side")
    assert missing_given(build().given, question_body(question)) == [case["size"]]


def test_every_check_is_used_in_its_notebook_once():
    used = {}
    for name in CONTENT_NOTEBOOKS:
        _, found = exercise_cells(NOTEBOOK_DIR / name)
        for check_name, *_ in found:
            assert check_name not in used, f"{check_name} used twice"
            used[check_name] = name
    assert used == {n: BUILDERS[n]().notebook for n in NAMES}


@pytest.mark.parametrize("name", CONTENT_NOTEBOOKS)
def test_notebook_exercises_are_wired_and_solved(name):
    imports, found = exercise_cells(NOTEBOOK_DIR / name)
    assert 2 <= len(found) <= 5, "each notebook ends with 2-5 exercises"
    (statement,) = ast.parse(imports.source).body  # one import of the lesson's checks
    assert isinstance(statement, ast.ImportFrom)
    assert statement.module.startswith("helpers.lessons.")
    assert sorted(alias.name for alias in statement.names) == sorted(c for c, *_ in found)
    for number, (check_name, variable, question, solution, check_cell) in enumerate(found, 1):
        exercise = BUILDERS[check_name]()
        assert question.source.startswith(f"### Exercise {number} · {exercise.title}")
        assert is_solution(solution) and not is_solution(check_cell)
        assert variable == f"answer_{number}"
        assert solution_names(solution.source) == [variable]
        namespace = {}
        exec(solution.source, namespace)  # noqa: S102 - the notebook's own answer cell
        assert CHECKS[check_name](namespace[variable]).correct, solution.source
        text = check_cell.outputs[0]["data"]["text/plain"]
        assert text == str(CHECKS[check_name](namespace[variable]))
