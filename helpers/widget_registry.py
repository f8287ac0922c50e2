"""Every interactive widget of the series, by name, for tests, benchmarks and sweeps."""

from __future__ import annotations

from collections.abc import Callable

from helpers.conv_widgets import padding_stride_explorer, weight_sharing_picker
from helpers.gradient_widgets import gradient_explorer
from helpers.lstm_widgets import lstm_stepper
from helpers.pooling_widgets import pooling_explorer, stages_explorer
from helpers.rnn_widgets import sentence_box
from helpers.vgg_widgets import stack_vs_kernel
from helpers.widgets import Explorer, kernel_size_demo, param_calculator

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
