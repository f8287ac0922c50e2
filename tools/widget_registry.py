"""Every interactive widget of the series, by name, for tests, benchmarks and sweeps."""

from __future__ import annotations

from collections.abc import Callable

from helpers.lessons.cnn_vs_rnn import gradient_explorer
from helpers.lessons.index import kernel_size_demo
from helpers.lessons.lstm_by_hand.stepper import lstm_stepper
from helpers.lessons.padding_and_stride import padding_stride_explorer
from helpers.lessons.pooling.explorers import pooling_explorer, stages_explorer
from helpers.lessons.rnn_slot_filling import sentence_box
from helpers.lessons.vgg16 import stack_vs_kernel
from helpers.lessons.weight_sharing import weight_sharing_picker
from helpers.lessons.why_cnn import param_calculator
from helpers.ui.explorer import Explorer

# name -> factory with default arguments; each returns an Explorer (controls + HTML view).
WIDGETS: dict[str, Callable[[], Explorer]] = {
    "kernel_size_demo": kernel_size_demo,
    "param_calculator": param_calculator,
    "padding_stride_explorer": padding_stride_explorer,
    "weight_sharing_picker": weight_sharing_picker,
    "pooling_explorer": pooling_explorer,
    "stages_explorer": stages_explorer,
    "lstm_stepper": lstm_stepper,
    "sentence_box": sentence_box,
    "stack_vs_kernel": stack_vs_kernel,
    "gradient_explorer": gradient_explorer,
}
