"""The source article's question encoder (an LSTM over word embeddings) and its tensor shapes.

The architecture is the article's `QstEncoder` (from a visual question answering model):
Embedding → tanh → LSTM (sequence-first) → concatenate the last hidden and cell states of
every layer → flatten per question → tanh → Linear.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.core.arithmetic import check_int, linear_param_count
from helpers.core.lstm import lstm_param_count

# The sizes in the article's shape comments; the vocabulary size and embed_size are not given
# there, so small stand-ins are used.
ARTICLE_SIZES: dict[str, int] = {
    "qst_vocab_size": 100,
    "word_embed_size": 300,
    "embed_size": 1024,
    "num_layers": 2,
    "hidden_size": 512,
}

ARTICLE_QUESTION_LENGTH = 30

# The most parameters a QstEncoder may have (400 MB of float32; the article's sizes give
# about 6 million): larger sizes raise a ValueError before any memory is taken.
MAX_PARAMS = 100_000_000

# The most LSTM layers a QstEncoder stacks (the article uses 2): building each layer takes a
# few milliseconds, so thousands would take seconds.
MAX_LAYERS = 16


def article_shapes(
    batch_size: int,
    embed_size: int = ARTICLE_SIZES["embed_size"],
) -> list[tuple[str, tuple[int, ...]]]:
    """The shapes written in the article's comments, step by step, for a given batch size."""
    batch_size = check_int(batch_size, "batch_size")
    embed_size = check_int(embed_size, "embed_size")
    length = ARTICLE_QUESTION_LENGTH
    layers, hidden = ARTICLE_SIZES["num_layers"], ARTICLE_SIZES["hidden_size"]
    word = ARTICLE_SIZES["word_embed_size"]
    return [
        ("word2vec(question)", (batch_size, length, word)),
        ("transpose(0, 1)", (length, batch_size, word)),
        ("lstm: hidden (and cell)", (layers, batch_size, hidden)),
        ("cat((hidden, cell), 2)", (layers, batch_size, 2 * hidden)),
        ("transpose(0, 1)", (batch_size, layers, 2 * hidden)),
        ("reshape(batch, -1)", (batch_size, 2 * layers * hidden)),
        ("fc", (batch_size, embed_size)),
    ]


class QstEncoder(nn.Module):
    """The article's question encoder: token ids [batch, length] → a feature [batch, embed_size]."""

    def __init__(
        self,
        qst_vocab_size: int,
        word_embed_size: int,
        embed_size: int,
        num_layers: int,
        hidden_size: int,
    ) -> None:
        super().__init__()
        qst_vocab_size = check_int(qst_vocab_size, "qst_vocab_size")
        word_embed_size = check_int(word_embed_size, "word_embed_size")
        embed_size = check_int(embed_size, "embed_size")
        num_layers = check_int(num_layers, "num_layers", maximum=MAX_LAYERS)
        hidden_size = check_int(hidden_size, "hidden_size")
        sizes = (qst_vocab_size, word_embed_size, embed_size, num_layers, hidden_size)
        total = qst_encoder_param_count(*sizes)
        if total > MAX_PARAMS:
            raise ValueError(
                f"sizes {sizes} give {total:,} parameters; QstEncoder builds at most "
                f"{MAX_PARAMS:,} (400 MB). qst_encoder_param_count counts larger ones."
            )
        self.word2vec = nn.Embedding(qst_vocab_size, word_embed_size)
        self.tanh = nn.Tanh()
        self.lstm = nn.LSTM(word_embed_size, hidden_size, num_layers)  # sequence-first
        # The final hidden and cell states of every layer are concatenated, hence 2 * layers.
        self.fc = nn.Linear(2 * num_layers * hidden_size, embed_size)

    def forward(self, question: torch.Tensor) -> torch.Tensor:
        """Encode `question` (token ids, [batch, length]) into [batch, embed_size]."""
        return self.trace(question)[0]

    def trace(
        self, question: torch.Tensor
    ) -> tuple[torch.Tensor, list[tuple[str, tuple[int, ...]]]]:
        """Encode `question` and also return (step name, shape) after each step that the
        article's comments annotate."""
        if not isinstance(question, torch.Tensor):
            raise TypeError(
                f"question must be a tensor of token ids, got {type(question).__name__}"
            )
        if question.dim() != 2 or question.dtype not in (torch.int32, torch.int64):
            raise ValueError(
                "question must be an integer tensor of shape [batch, length], got "
                f"{question.dtype} of shape {list(question.shape)}"
            )
        if 0 in question.shape:
            raise ValueError(
                "question must hold at least one question of at least one token, got shape "
                f"{list(question.shape)}"
            )
        vocabulary = self.word2vec.num_embeddings
        # A meta tensor has no values to check (shapes only).
        low, high = (0, 0) if question.is_meta else (int(question.min()), int(question.max()))
        if low < 0 or high >= vocabulary:
            raise ValueError(
                f"question must hold token ids from 0 to {vocabulary - 1} (qst_vocab_size is "
                f"{vocabulary}), got ids from {low} to {high}"
            )
        shapes: list[tuple[str, tuple[int, ...]]] = []

        def note(name: str, tensor: torch.Tensor) -> torch.Tensor:
            shapes.append((name, tuple(tensor.shape)))
            return tensor

        vectors = note("word2vec(question)", self.word2vec(question))
        vectors = self.tanh(vectors)
        vectors = note("transpose(0, 1)", vectors.transpose(0, 1))
        _, (hidden, cell) = self.lstm(vectors)
        note("lstm: hidden (and cell)", hidden)
        feature = note("cat((hidden, cell), 2)", torch.cat((hidden, cell), 2))
        feature = note("transpose(0, 1)", feature.transpose(0, 1))
        feature = note("reshape(batch, -1)", feature.reshape(feature.size(0), -1))
        feature = self.tanh(feature)
        feature = note("fc", self.fc(feature))
        return feature, shapes


def qst_encoder_param_count(
    qst_vocab_size: int,
    word_embed_size: int,
    embed_size: int,
    num_layers: int,
    hidden_size: int,
) -> int:
    """Number of parameters of `QstEncoder(...)`, by hand: embedding table + LSTM + Linear."""
    qst_vocab_size = check_int(qst_vocab_size, "qst_vocab_size")
    word_embed_size = check_int(word_embed_size, "word_embed_size")
    embed_size = check_int(embed_size, "embed_size")
    num_layers = check_int(num_layers, "num_layers")
    hidden_size = check_int(hidden_size, "hidden_size")
    embedding = qst_vocab_size * word_embed_size
    lstm = lstm_param_count(word_embed_size, hidden_size, num_layers)
    fc = linear_param_count(2 * num_layers * hidden_size, embed_size)
    return embedding + lstm + fc
