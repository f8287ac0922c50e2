"""Every interactive widget of the series, by name, for tests, benchmarks and sweeps."""

from __future__ import annotations

from collections.abc import Callable

from helpers.lessons.cnn_learns.draw import digit_pad
from helpers.lessons.cnn_vs_rnn import gradient_explorer
from helpers.lessons.index import kernel_size_explorer
from helpers.lessons.lstm_by_hand.stepper import lstm_step_explorer
from helpers.lessons.padding_and_stride import padding_stride_explorer
from helpers.lessons.pooling.explorers import pooling_explorer, stages_explorer
from helpers.lessons.rnn_slot_filling.explorers import sentence_explorer
from helpers.lessons.vgg16 import stack_explorer
from helpers.lessons.weight_sharing import learning_explorer, weight_sharing_explorer
from helpers.lessons.why_cnn import calculator_explorer
from helpers.ui.explorer import Explorer

# name -> factory with default arguments; each returns an Explorer (controls + HTML view).
WIDGETS: dict[str, Callable[[], Explorer]] = {
    "kernel_size_explorer": kernel_size_explorer,
    "calculator_explorer": calculator_explorer,
    "padding_stride_explorer": padding_stride_explorer,
    "weight_sharing_explorer": weight_sharing_explorer,
    "learning_explorer": learning_explorer,
    "pooling_explorer": pooling_explorer,
    "stages_explorer": stages_explorer,
    "lstm_step_explorer": lstm_step_explorer,
    "sentence_explorer": sentence_explorer,
    "stack_explorer": stack_explorer,
    "gradient_explorer": gradient_explorer,
    "digit_pad": digit_pad,  # trains the reference CNN first (a few seconds)
}
