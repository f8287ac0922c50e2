"""The family comparison: parameter counts against PyTorch, growth, and the summary figures."""

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers.core.arithmetic import rnn_param_count
from helpers.core.dense_vs_conv import ARTICLE_CLAIMS
from helpers.core.families import FAMILIES, family_parameter_counts, growth_exponents
from helpers.lessons.cnn_vs_rnn import figure_family_summary, figure_parameter_growth

META = torch.device("meta")


def count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize(("inputs", "hidden"), [(1, 1), (7, 3), (300, 512)])
def test_rnn_param_count_matches_nn_rnn(inputs, hidden):
    assert rnn_param_count(inputs, hidden) == count(nn.RNN(inputs, hidden, device=META))
    assert rnn_param_count(inputs, hidden, bias=False) == count(
        nn.RNN(inputs, hidden, bias=False, device=META)
    )


def test_family_counts_are_the_real_layers():
    side = 32
    counts = family_parameter_counts(side, channels=3, hidden_units=50, kernels=8, kernel_size=5)
    assert counts["DNN"] == count(nn.Linear(side * side * 3, 50, device=META))
    assert counts["CNN"] == count(nn.Conv2d(3, 8, 5, device=META))
    assert counts["RNN"] == count(nn.RNN(side * 3, 50, device=META))
    assert counts["LSTM"] == count(nn.LSTM(side * 3, 50, device=META))


def test_article_dense_case_is_reproduced():
    # The article's 1K × 1K image into 10^6 hidden units: 10^12 weights (notebook 01).
    claim = next(c for c in ARTICLE_CLAIMS if "1K" in c.name)
    dense = family_parameter_counts(1000, hidden_units=10**6)["DNN"]
    assert dense == claim.parameters() == 10**12 + 10**6


def test_growth_exponents():
    slopes = growth_exponents()
    assert slopes["DNN"] == pytest.approx(2, abs=0.01)  # n² pixels
    assert slopes["CNN"] == 0  # independent of the image size
    assert 0 < slopes["RNN"] < 1 and 0 < slopes["LSTM"] < 1  # only the row width grows


def test_bad_input():
    with pytest.raises(ValueError, match="kernel_size"):
        family_parameter_counts(2, kernel_size=3)
    with pytest.raises(ValueError, match="input_side"):
        family_parameter_counts(0)


def test_table_and_figures():
    assert [f.name for f in FAMILIES] == ["DNN", "CNN", "RNN", "LSTM"]
    for family in FAMILIES:
        assert all(vars(family).values())
    summary = figure_family_summary()
    cells = summary.axes[0].tables[0].get_celld()
    assert cells[(1, -1)].get_text().get_text() == "DNN"
    assert "kernel" in cells[(2, 4)].get_text().get_text()
    assert isinstance(summary, Figure) and summary.axes[0].get_title()
    growth = figure_parameter_growth()
    ax = growth.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and len(ax.lines) == 4
