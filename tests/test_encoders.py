"""helpers.core.encoders: the article's question encoder, its shapes and parameter count."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.core.encoders import (
    ARTICLE_QUESTION_LENGTH,
    ARTICLE_SIZES,
    QstEncoder,
    article_shapes,
    qst_encoder_param_count,
)

# The shapes in the article's comments, for a batch of 4 and embed_size 1024.
ARTICLE_COMMENT_SHAPES = [
    (4, 30, 300),
    (30, 4, 300),
    (2, 4, 512),
    (2, 4, 1024),
    (4, 2, 1024),
    (4, 2048),
    (4, 1024),
]


def question_encoder_shapes(
    batch_size: int = 4,
    question_length: int = ARTICLE_QUESTION_LENGTH,
    qst_vocab_size: int = ARTICLE_SIZES["qst_vocab_size"],
    word_embed_size: int = ARTICLE_SIZES["word_embed_size"],
    embed_size: int = ARTICLE_SIZES["embed_size"],
    num_layers: int = ARTICLE_SIZES["num_layers"],
    hidden_size: int = ARTICLE_SIZES["hidden_size"],
) -> list[tuple[str, tuple[int, ...]]]:
    """(step, shape) pairs of a seeded QstEncoder run on a random batch of questions."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        encoder = QstEncoder(qst_vocab_size, word_embed_size, embed_size, num_layers, hidden_size)
        question = torch.randint(0, qst_vocab_size, (batch_size, question_length))
    with torch.no_grad():
        _, shapes = encoder.trace(question)
    return shapes


def test_article_shapes_are_the_comments() -> None:
    assert [shape for _, shape in article_shapes(4)] == ARTICLE_COMMENT_SHAPES


def test_default_run_reproduces_the_article_shapes() -> None:
    shapes = question_encoder_shapes()
    assert [shape for _, shape in shapes] == ARTICLE_COMMENT_SHAPES
    assert shapes == article_shapes(4)


def test_shapes_follow_other_sizes() -> None:
    shapes = question_encoder_shapes(
        batch_size=3,
        question_length=7,
        qst_vocab_size=11,
        word_embed_size=5,
        embed_size=6,
        num_layers=3,
        hidden_size=4,
    )
    assert [shape for _, shape in shapes] == [
        (3, 7, 5),
        (7, 3, 5),
        (3, 3, 4),
        (3, 3, 8),
        (3, 3, 8),
        (3, 24),
        (3, 6),
    ]


def test_forward_is_the_article_computation() -> None:
    torch.manual_seed(0)
    encoder = QstEncoder(
        qst_vocab_size=13, word_embed_size=6, embed_size=5, num_layers=2, hidden_size=4
    )
    question = torch.randint(0, 13, (3, 8))
    with torch.no_grad():
        vectors = torch.tanh(encoder.word2vec(question)).transpose(0, 1)
        _, (hidden, cell) = encoder.lstm(vectors)
        # Question b's feature is [h_layer0, c_layer0, h_layer1, c_layer1] for that question.
        per_question = torch.stack(
            [torch.cat([hidden[0, b], cell[0, b], hidden[1, b], cell[1, b]]) for b in range(3)]
        )
        expected = encoder.fc(torch.tanh(per_question))
        actual = encoder(question)
    torch.testing.assert_close(actual, expected)
    assert isinstance(encoder.lstm, nn.LSTM) and not encoder.lstm.batch_first


def test_questions_are_encoded_independently() -> None:
    torch.manual_seed(1)
    encoder = QstEncoder(20, 6, 5, 2, 4)
    questions = torch.randint(0, 20, (4, 9))
    with torch.no_grad():
        together = encoder(questions)
        alone = torch.cat([encoder(questions[b : b + 1]) for b in range(4)])
    torch.testing.assert_close(together, alone, atol=1e-6, rtol=1e-5)


def test_shapes_are_seeded_and_leave_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    question_encoder_shapes(batch_size=2, hidden_size=8, word_embed_size=4, embed_size=3)
    after = torch.rand(1)
    assert torch.equal(before, after)


def test_param_count_matches_pytorch_and_hand_formula() -> None:
    encoder = QstEncoder(**ARTICLE_SIZES)
    counted = sum(p.numel() for p in encoder.parameters())
    # embedding 100*300, LSTM layer 0: 4*512*(300+512) + 8*512, layer 1: 4*512*(512+512) + 8*512,
    # Linear 2048*1024 + 1024
    hand = 100 * 300 + (4 * 512 * 812 + 8 * 512) + (4 * 512 * 1024 + 8 * 512) + 2048 * 1024 + 1024
    assert hand == 5_896_496
    assert counted == hand
    assert qst_encoder_param_count(**ARTICLE_SIZES) == hand


@pytest.mark.parametrize(
    ("vocab", "word", "embed", "layers", "hidden"),
    [(1, 1, 1, 1, 1), (50, 8, 3, 3, 5), (7, 16, 32, 1, 2)],
)
def test_param_count_formula_on_other_sizes(
    vocab: int, word: int, embed: int, layers: int, hidden: int
) -> None:
    encoder = QstEncoder(vocab, word, embed, layers, hidden)
    assert qst_encoder_param_count(vocab, word, embed, layers, hidden) == sum(
        p.numel() for p in encoder.parameters()
    )


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="hidden_size"):
        QstEncoder(10, 4, 4, 1, 0)
    with pytest.raises(TypeError, match="num_layers"):
        QstEncoder(10, 4, 4, 1.5, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="qst_vocab_size"):
        qst_encoder_param_count(0, 1, 1, 1, 1)
    encoder = QstEncoder(10, 4, 4, 1, 3)
    with pytest.raises(ValueError, match="question"):
        encoder(torch.zeros(2, 3))  # floats, not token ids
    with pytest.raises(ValueError, match="question"):
        encoder(torch.zeros(5, dtype=torch.long))
