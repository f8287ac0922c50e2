"""The plan of the series: one notebook per idea, in teaching order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notebook:
    """One notebook of the series: its file name, title and what it teaches."""

    filename: str
    title: str
    teaches: str


SERIES: tuple[Notebook, ...] = (
    Notebook("00_index.ipynb", "Index", "the map of the series and how to use it"),
    Notebook(
        "01_why_cnn.ipynb",
        "Why CNN",
        "why a convolution needs far fewer parameters than a fully connected layer on an image",
    ),
    Notebook(
        "02_padding_and_stride.ipynb",
        "Padding and stride",
        "output-size arithmetic: padding, stride, dilation and groups",
    ),
    Notebook(
        "03_weight_sharing.ipynb",
        "Weight sharing",
        "convolution as a sparse fully connected layer with shared weights",
    ),
    Notebook("04_pooling.ipynb", "Pooling", "subsampling with max and average pooling"),
    Notebook(
        "05_rnn_slot_filling.ipynb",
        "RNN slot filling",
        "why memory: a feed-forward tagger fails where an RNN succeeds",
    ),
    Notebook(
        "06_lstm_by_hand.ipynb",
        "The LSTM by hand",
        "LSTM gates computed step by step, then nn.LSTM",
    ),
    Notebook("07_vgg16.ipynb", "VGG16", "a real deep CNN counted layer by layer"),
    Notebook(
        "08_cnn_vs_rnn.ipynb",
        "CNN vs RNN",
        "DNN, CNN, RNN and LSTM compared; vanishing gradients; bidirectional RNNs",
    ),
    Notebook(
        "09_cnn_learns.ipynb",
        "A CNN that learns",
        "a small CNN trained on real handwritten digits, live; against a fully connected net",
    ),
)


def neighbours(filename: str) -> tuple[str | None, str | None]:
    """Previous and next notebook file names of `filename` in the series (None at the ends)."""
    names = [notebook.filename for notebook in SERIES]
    if filename not in names:
        raise ValueError(f"filename {filename!r} is not a notebook of the series")
    index = names.index(filename)
    previous = names[index - 1] if index > 0 else None
    following = names[index + 1] if index + 1 < len(names) else None
    return previous, following


def label(filename: str) -> str:
    """How the series names a notebook in links: its number and title, e.g. '01 Why CNN'."""
    for notebook in SERIES:
        if notebook.filename == filename:
            return f"{filename[:2]} {notebook.title}"
    raise ValueError(f"filename {filename!r} is not a notebook of the series")


def nav_line(filename: str, available: set[str]) -> str:
    """The previous · index · next line at the top and bottom of a notebook.

    Notebooks not written yet (absent from `available`) are named but not linked.
    """
    previous, following = neighbours(filename)

    def link(name: str, text: str) -> str:
        return f"[{text}]({name})" if name in available else f"{text} (coming soon)"

    parts = []
    if previous:
        parts.append(link(previous, f"← {label(previous)}"))
    if filename != SERIES[0].filename:
        parts.append(f"[Index]({SERIES[0].filename})")
    if following:
        parts.append(link(following, f"{label(following)} →"))
    return " · ".join(parts)
