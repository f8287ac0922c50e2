"""Notebook 09's exercise cases: change the CNN (a wider first layer, another pooling, no
padding) and work out what changes, checked against the series' size formulas and PyTorch."""

from __future__ import annotations

from collections.abc import Callable

from helpers.core.arithmetic import conv_output_size, pool_output_size
from helpers.core.digits import CHANNELS, KERNEL_SIZE, SIDE, digit_cnn, parameter_count
from helpers.ui.exercises import NUMBERS, WHOLE, Exercise, Feedback, Mistake, check, format_number

NOTEBOOK = "09_cnn_learns.ipynb"

WIDER_FIRST = 24  # exercise 1: the first convolution's filters

POOL_INSTEAD = 2  # exercise 2: nn.MaxPool2d(2) in place of the global max pooling


def _weights_only(channels: tuple[int, int]) -> int:
    """The CNN's parameters without its biases (a typical slip)."""
    model = digit_cnn(channels)
    return sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))


def wider_model_exercise() -> Exercise:
    channels = (WIDER_FIRST, CHANNELS[1])
    answer = parameter_count(digit_cnn(channels))
    first = WIDER_FIRST * KERNEL_SIZE * KERNEL_SIZE + WIDER_FIRST
    second = CHANNELS[1] * WIDER_FIRST * KERNEL_SIZE * KERNEL_SIZE + CHANNELS[1]
    return Exercise(
        NOTEBOOK,
        "A wider first layer",
        WHOLE,
        answer,
        f"{format_number(first)} (first convolution) + {format_number(second)} (the second now "
        f"reads {WIDER_FIRST} channels) + {format_number(CHANNELS[1] * 10 + 10)} (linear) = "
        f"{format_number(answer)}.",
        "build the changed nn.Sequential and count with sum(p.numel() for p in "
        "model.parameters()); both convolutions change.",
        (
            Mistake(
                parameter_count(digit_cnn()),
                f"that is the model as trained above; give the first convolution {WIDER_FIRST} "
                "filters and the second convolution "
                f"{WIDER_FIRST} input channels.",
            ),
            Mistake(_weights_only(channels), "each filter also has one bias: count them too."),
            Mistake(
                first,
                "that is the first convolution alone; the question asks for the whole model.",
            ),
        ),
        given=(WIDER_FIRST,),
    )


def _after_second_stage(padding: int, pool: int | None) -> tuple[int, int, int]:
    """(channels, height, width) after conv -> pool(2) -> conv -> pool for one 8x8 digit."""
    side = conv_output_size(SIDE, KERNEL_SIZE, padding=padding)
    side = pool_output_size(side, 2)
    side = conv_output_size(side, KERNEL_SIZE, padding=padding)
    if pool is not None:
        side = pool_output_size(side, pool)
    return (CHANNELS[1], side, side)


def pooled_shape_exercise() -> Exercise:
    answer = _after_second_stage(1, POOL_INSTEAD)
    return Exercise(
        NOTEBOOK,
        "Pooling without the global maximum",
        NUMBERS,
        answer,
        f"{SIDE} → {SIDE} (3 × 3, padding 1) → {SIDE // 2} (pool) → {SIDE // 2} (3 × 3, padding 1) "
        f"→ {answer[1]} (pool): "
        f"{answer}, so nn.Linear needs {answer[0] * answer[1] * answer[2]} inputs.",
        f"follow one {SIDE} × {SIDE} digit: the padded 3 × 3 convolutions keep the side, each "
        "nn.MaxPool2d(2) halves it.",
        (
            Mistake(
                _after_second_stage(1, None),
                "that is the second convolution's output, before the new pooling layer.",
            ),
            Mistake(
                (CHANNELS[1], 1, 1), "that is what nn.AdaptiveMaxPool2d(1) gives, not MaxPool2d(2)."
            ),
            Mistake(
                (CHANNELS[0], *_after_second_stage(1, POOL_INSTEAD)[1:]),
                f"the second convolution has {CHANNELS[1]} filters, so {CHANNELS[1]} channels.",
            ),
        ),
        form="(channels, height, width)",
        given=(POOL_INSTEAD, SIDE),
    )


def unpadded_side_exercise() -> Exercise:
    answer = _after_second_stage(0, None)[1]
    first = conv_output_size(SIDE, KERNEL_SIZE)
    pooled = pool_output_size(first, 2)
    return Exercise(
        NOTEBOOK,
        "Convolutions without padding",
        WHOLE,
        answer,
        f"⌊({SIDE} − {KERNEL_SIZE}) / 1⌋ + 1 = {first}, pooled to {pooled}, then "
        f"{pooled} − {KERNEL_SIZE} + 1 = {answer}: one value per map is left.",
        "use the size formula ⌊(n + 2p − k) / s⌋ + 1 with p = 0 for each convolution, and "
        "halve (rounding down) at the pooling.",
        (
            Mistake(
                _after_second_stage(1, None)[1], "that is with padding 1, as in the model above."
            ),
            Mistake(pool_output_size(first, 2), "that is the size after the first pooling."),
            Mistake(first, "that is the first convolution's output only."),
        ),
        fraction="a size is a whole number: ⌊(n + 2p − k) / s⌋ + 1.",
        given=(SIDE, KERNEL_SIZE),
    )


def check_wider_model(answer: object = None) -> Feedback:
    """Check exercise 1: the parameter count of the CNN with a wider first layer."""
    return check(wider_model_exercise, answer)


def check_pooled_shape(answer: object = None) -> Feedback:
    """Check exercise 2: the shape after nn.MaxPool2d(2) in place of the global pooling."""
    return check(pooled_shape_exercise, answer)


def check_unpadded_side(answer: object = None) -> Feedback:
    """Check exercise 3: the side of the second convolution's maps without padding."""
    return check(unpadded_side_exercise, answer)


EXERCISES: dict[str, Callable[[], Exercise]] = {
    "check_wider_model": wider_model_exercise,
    "check_pooled_shape": pooled_shape_exercise,
    "check_unpadded_side": unpadded_side_exercise,
}
