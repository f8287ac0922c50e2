"""Notebook 00 (the index): the slider demo that shows how the series' widgets work, and the
glossary: each term with where the series defines it."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

from helpers.core.arithmetic import conv2d_param_count
from helpers.ui.explorer import Explorer, int_slider


def kernel_size_view(kernel_size: int) -> str:
    """The index's demo: parameters of one 3-channel square kernel, with the sum spelled out."""
    count = conv2d_param_count(3, 1, kernel_size)
    return (
        f"<p>One kernel of {kernel_size}×{kernel_size}×3 has "
        f"{kernel_size}·{kernel_size}·3 weights + 1 bias = <b>{count:,}</b> parameters.</p>"
    )


def kernel_size_explorer(kernel_size: int = 3) -> Explorer:
    """The index's slider demo."""
    return Explorer(
        kernel_size_view, {"kernel_size": int_slider(kernel_size, 1, 11, "kernel side")}
    )


class Term(NamedTuple):
    """A glossary entry: the term(s), a one-line meaning, and the section that defines it."""

    term: str
    meaning: str
    notebook: str  # file name in notebooks/
    heading: str  # the text of the markdown heading (without the #s) where it is defined


# In the order the series first uses them. tests/test_notebooks_static.py checks that every
# heading exists in its notebook and that 00's glossary cell is glossary_markdown().
GLOSSARY: tuple[Term, ...] = tuple(
    Term(*entry)
    for entry in (
        (
            "parameter, weight, bias",
            "a number the network learns; a weight multiplies an input, a bias is added",
            "01_why_cnn.ipynb",
            "Intuition: a fully connected layer looks at every pixel",
        ),
        (
            "fully connected (dense) layer",
            "every output is a weighted sum of every input",
            "01_why_cnn.ipynb",
            "Intuition: a fully connected layer looks at every pixel",
        ),
        (
            "channel",
            "one of the stacked grids of an image or feature map (R, G, B, ...)",
            "01_why_cnn.ipynb",
            "Intuition: a fully connected layer looks at every pixel",
        ),
        (
            "convolution, kernel (filter), feature map",
            "a small grid of weights slid over the input; its outputs form a feature map",
            "01_why_cnn.ipynb",
            "Intuition: a fully connected layer looks at every pixel",
        ),
        (
            "shared weights, local connection",
            "the same kernel weights at every position, each output seeing a small patch",
            "01_why_cnn.ipynb",
            "Why fewer parameters are enough: three properties of images",
        ),
        (
            "overfitting",
            "fitting the training data so closely that new data goes wrong",
            "01_why_cnn.ipynb",
            "Pitfalls",
        ),
        (
            "padding, stride",
            "zeros added around the input; the step between two kernel positions",
            "02_padding_and_stride.ipynb",
            "Intuition: the worked example",
        ),
        (
            "tensor, (N, C, H, W), batch dimension",
            "PyTorch's n-dimensional array; images come as batch × channels × height × width",
            "02_padding_and_stride.ipynb",
            "Tensors: the arrays PyTorch computes with",
        ),
        (
            "cross-correlation",
            "what PyTorch's convolution computes: the kernel is not flipped",
            "02_padding_and_stride.ipynb",
            'PyTorch\'s "convolution" does not flip the kernel',
        ),
        (
            "dilation",
            "gaps between the kernel's taps: a wider window with the same weights",
            "02_padding_and_stride.ipynb",
            "Dilation: a wider window with the same weights",
        ),
        (
            "groups, depthwise convolution",
            "kernels that see only some input channels (one each: depthwise)",
            "02_padding_and_stride.ipynb",
            "Groups: kernels that see only some of the input channels",
        ),
        (
            "loss, gradient, learning rate, gradient descent, SGD",
            "how wrong the output is; how it changes with each weight; the step against it",
            "03_weight_sharing.ipynb",
            "How a network learns: loss, gradient, step",
        ),
        (
            "ReLU",
            "max(0, x): keeps positive values, sets negative ones to 0",
            "04_pooling.ipynb",
            "04 · Pooling: subsampling feature maps",
        ),
        (
            "max pooling, average pooling",
            "one number per window: its largest value, or its mean",
            "04_pooling.ipynb",
            "Intuition: keep one number per window",
        ),
        (
            "1-of-N encoding, word hashing",
            "a word as a vector with a single 1; or as counts of its letter trigrams",
            "05_rnn_slot_filling.ipynb",
            "Words as vectors",
        ),
        (
            "hidden state, recurrent network (RNN)",
            "the values a network carries from one word to the next",
            "05_rnn_slot_filling.ipynb",
            "A recurrent network, computed by hand",
        ),
        (
            "tanh",
            "squashes any number into (−1, 1)",
            "05_rnn_slot_filling.ipynb",
            "The same with PyTorch",
        ),
        (
            "Elman network",
            "the plain RNN: h_t = tanh(W_x x_t + W_h h_{t−1} + b)",
            "05_rnn_slot_filling.ipynb",
            "Why one word at a time is not enough",
        ),
        (
            "softmax, cross-entropy, Adam, epoch, word dropout, nn.Embedding",
            "the pieces of training a tagger",
            "05_rnn_slot_filling.ipynb",
            "The RNN tagger, written out",
        ),
        (
            "gate, sigmoid, cell state (memory)",
            "a value in (0, 1) that lets a signal through; the LSTM's memory",
            "06_lstm_by_hand.ipynb",
            "Intuition: a memory cell with three gates",
        ),
        (
            "dropout, training / eval mode",
            "zeroing values at random in training (×2 for the rest); off in eval mode",
            "07_vgg16.ipynb",
            "Removing the last layer, as the article does",
        ),
        (
            "Jacobian, vanishing / exploding gradients",
            "how a step's state depends on the previous one; a product of many shrinks or grows",
            "08_cnn_vs_rnn.ipynb",
            "Vanishing gradients along time, measured",
        ),
        (
            "autograd",
            "PyTorch's record of operations that backward() walks back through",
            "08_cnn_vs_rnn.ipynb",
            "The gradient along time, with autograd in view",
        ),
        (
            "bidirectional RNN",
            "a second RNN reads right to left; both hidden states are used",
            "08_cnn_vs_rnn.ipynb",
            "Bidirectional RNNs: when the cue comes after the word",
        ),
        (
            "batch, held-out (test) set",
            "the examples of one training step; examples kept out of training, to measure",
            "09_cnn_learns.ipynb",
            "Training, live",
        ),
    )
)


def heading_anchor(heading: str) -> str:
    """The link fragment JupyterLab gives a markdown heading: its text, spaces as hyphens
    (code marks dropped), percent-encoded where a URL needs it."""
    text = heading.replace("`", "").strip()
    return quote(text.replace(" ", "-"), safe="-'.,:·")


def glossary_markdown() -> str:
    """The glossary table of notebook 00: term, meaning, and a link to where it is defined."""
    rows = ["| term | in one line | defined in |", "|---|---|---|"]
    for entry in GLOSSARY:
        link = f"{entry.notebook}#{heading_anchor(entry.heading)}"
        rows.append(f"| {entry.term} | {entry.meaning} | [{entry.notebook[:2]}]({link}) |")
    return "\n".join(rows)
