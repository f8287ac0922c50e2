"""Writes the series' figures into figures/: `python -m tools.figures [NAME ...]`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.core.rnn import evaluate_taggers, tagger_datasets, train_lesson_taggers
from helpers.lessons.cnn_vs_rnn import (
    figure_family_summary,
    figure_gradient_norms,
    figure_parameter_growth,
)
from helpers.lessons.lstm_by_hand.figures import figure_lstm_cell, figure_lstm_trace
from helpers.lessons.padding_and_stride import figure_padded_convolution
from helpers.lessons.pooling.figures import (
    figure_lecture_pipeline,
    figure_lecture_pooling,
    figure_photo_pipeline,
    figure_photo_stage,
)
from helpers.lessons.rnn_slot_filling.figures import (
    figure_hidden_states,
    figure_one_of_n,
    figure_rnn_memory,
    figure_tagger_results,
    figure_word_hashing,
    figure_wrong_label,
)
from helpers.lessons.vgg16 import (
    figure_feature_maps,
    figure_params_per_layer,
    figure_stacked_vs_large,
)
from helpers.lessons.weight_sharing import (
    figure_learning,
    figure_sparse_layer,
    figure_unrolled_matrix,
)
from helpers.lessons.why_cnn import (
    figure_article_claims,
    figure_same_pattern_anywhere,
    figure_small_patterns,
    figure_subsampling,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURES_DIR = Path(__file__).resolve().parent.parent / "figures"


def figure_wrong_label_05() -> Figure:
    """figure_wrong_label for notebook 05's feed-forward tagger (trained here, seed 0)."""
    return figure_wrong_label(train_lesson_taggers(0)["feedforward"])


def figure_tagger_results_05() -> Figure:
    """figure_tagger_results for notebook 05's taggers (trained here, seed 0) on its test set."""
    _, test = tagger_datasets(0)
    return figure_tagger_results(evaluate_taggers(train_lesson_taggers(0), test))


def figure_hidden_states_05() -> Figure:
    """figure_hidden_states of notebook 05's RNN tagger (trained here, seed 0)."""
    return figure_hidden_states(train_lesson_taggers(0), "rnn")


# name -> function that draws it; one file figures/<name>.png each.
FIGURES: dict[str, Callable[[], Figure]] = {
    "01_article_param_counts": figure_article_claims,
    "01_small_patterns": figure_small_patterns,
    "01_same_pattern_anywhere": figure_same_pattern_anywhere,
    "01_subsampling": figure_subsampling,
    "02_padded_convolution": figure_padded_convolution,
    "03_sparse_layer": figure_sparse_layer,
    "03_unrolled_matrix": figure_unrolled_matrix,
    "03_learning": figure_learning,
    "04_lecture_pooling": figure_lecture_pooling,
    "04_lecture_pipeline": figure_lecture_pipeline,
    "04_photo_stage": figure_photo_stage,
    "04_photo_pipeline": figure_photo_pipeline,
    "05_one_of_n": figure_one_of_n,
    "05_word_hashing": figure_word_hashing,
    "05_wrong_label": figure_wrong_label_05,
    "05_rnn_memory": figure_rnn_memory,
    "05_tagger_results": figure_tagger_results_05,
    "05_hidden_states": figure_hidden_states_05,
    "06_lstm_cell": figure_lstm_cell,
    "06_lstm_trace": figure_lstm_trace,
    "07_params_per_layer": figure_params_per_layer,
    "07_stacked_vs_large_kernel": figure_stacked_vs_large,
    "07_feature_maps": figure_feature_maps,
    "08_parameter_growth": figure_parameter_growth,
    "08_gradient_norms": figure_gradient_norms,
    "08_family_summary": figure_family_summary,
}


def write_figures(names: list[str] | None = None, directory: Path = FIGURES_DIR) -> list[Path]:
    """Draw the named figures (all by default) into `directory` as PNG; return the paths."""
    chosen = names or list(FIGURES)
    unknown = [name for name in chosen if name not in FIGURES]
    if unknown:
        raise ValueError(f"names has unknown figures {unknown}; known: {list(FIGURES)}")
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in chosen:
        path = directory / f"{name}.png"
        # No metadata, so the same figure gives the same bytes run after run.
        FIGURES[name]().savefig(path, dpi=100, metadata={"Software": None})
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    """Command-line entry: write the figures named in `argv`, or all of them."""
    for path in write_figures(argv or None):
        print(f"wrote {path.relative_to(FIGURES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
