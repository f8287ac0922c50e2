"""CNN and RNN combined: an image encoder and the question encoder fused into one answer vector.

The pattern of visual question answering (Antol et al., "VQA: Visual Question Answering",
2015): a CNN turns the image into a vector, an LSTM turns the question into a vector of the
same size, the two are multiplied element-wise and a linear layer scores the answers.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers.core.arithmetic import check_int, conv2d_param_count, linear_param_count
from helpers.core.determinism import seeded_single_thread
from helpers.core.encoders import MAX_PARAMS, QstEncoder, qst_encoder_param_count

# The toy batch of vqa_shapes: at most this many questions of at most this many words (about
# 0.1 s on a laptop; the lesson shows 2 questions of 12).
MAX_BATCH_SIZE = 128

MAX_QUESTION_LENGTH = 100

# The lesson's toy model, the defaults of every size below (the model and its count by hand).
N_ANSWERS, EMBED_SIZE, IMAGE_SIZE, CHANNELS = 10, 64, 32, 3
QST_VOCAB_SIZE, WORD_EMBED_SIZE, NUM_LAYERS, HIDDEN_SIZE = 100, 32, 2, 48


def _check_image_size(image_size: int) -> int:
    image_size = check_int(image_size, "image_size")
    if image_size % 4:
        raise ValueError(f"image_size must be a multiple of 4 (two 2×2 poolings), got {image_size}")
    return image_size


def image_encoder_param_count(
    image_size: int = IMAGE_SIZE, channels: int = CHANNELS, embed_size: int = EMBED_SIZE
) -> int:
    """Number of parameters of `ImageEncoder(image_size, channels, embed_size)`, by hand."""
    image_size = _check_image_size(image_size)
    convs = conv2d_param_count(check_int(channels, "channels"), 8, 3) + conv2d_param_count(8, 16, 3)
    return convs + linear_param_count(
        16 * (image_size // 4) ** 2, check_int(embed_size, "embed_size")
    )


class ImageEncoder(nn.Module):
    """A small CNN: two conv → ReLU → max-pool stages, then a linear layer to `embed_size`."""

    def __init__(
        self, image_size: int = IMAGE_SIZE, channels: int = CHANNELS, embed_size: int = EMBED_SIZE
    ) -> None:
        super().__init__()
        total = image_encoder_param_count(image_size, channels, embed_size)
        if total > MAX_PARAMS:
            raise ValueError(
                f"image_size={image_size}, channels={channels} and embed_size={embed_size} give "
                f"{total:,} parameters; ImageEncoder builds at most {MAX_PARAMS:,}"
            )
        self.image_size, self.channels = int(image_size), int(channels)
        self.features = nn.Sequential(
            nn.Conv2d(self.channels, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(16 * (self.image_size // 4) ** 2, int(embed_size))

    def check_image(self, image: torch.Tensor) -> torch.Tensor:
        """`image` if a finite [batch, channels, size, size] tensor like the weights; else raise."""
        if not isinstance(image, torch.Tensor):
            raise TypeError(f"image must be a tensor, got {type(image).__name__}")
        weight = self.fc.weight
        if image.dtype != weight.dtype or image.device != weight.device:
            raise TypeError(
                f"image must be a {weight.dtype} tensor on {weight.device} (as the encoder's "
                f"weights), got {image.dtype} on {image.device}"
            )
        expected = (self.channels, self.image_size, self.image_size)
        if image.dim() != 4 or tuple(image.shape[1:]) != expected or image.shape[0] == 0:
            raise ValueError(
                f"image must have shape [batch >= 1, {', '.join(map(str, expected))}], got "
                f"{list(image.shape)}"
            )
        # A meta tensor has no values to check (shapes only).
        if not image.is_meta and not bool(torch.isfinite(image).all()):
            raise ValueError("image must hold finite values, got nan or inf")
        return image

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """[batch, channels, H, W] → [batch, embed_size]."""
        return self.fc(self.features(self.check_image(image)).flatten(1))


def vqa_param_count(
    n_answers: int = N_ANSWERS,
    embed_size: int = EMBED_SIZE,
    image_size: int = IMAGE_SIZE,
    qst_vocab_size: int = QST_VOCAB_SIZE,
    word_embed_size: int = WORD_EMBED_SIZE,
    num_layers: int = NUM_LAYERS,
    hidden_size: int = HIDDEN_SIZE,
) -> int:
    """Number of parameters of `VqaModel(...)` with the same arguments, by hand."""
    image = image_encoder_param_count(image_size, CHANNELS, embed_size)
    question = qst_encoder_param_count(
        qst_vocab_size, word_embed_size, embed_size, num_layers, hidden_size
    )
    return image + question + linear_param_count(embed_size, check_int(n_answers, "n_answers"))


class VqaModel(nn.Module):
    """Image features ⊙ question features → Linear → one score per candidate answer."""

    def __init__(
        self,
        n_answers: int = N_ANSWERS,
        embed_size: int = EMBED_SIZE,
        image_size: int = IMAGE_SIZE,
        qst_vocab_size: int = QST_VOCAB_SIZE,
        word_embed_size: int = WORD_EMBED_SIZE,
        num_layers: int = NUM_LAYERS,
        hidden_size: int = HIDDEN_SIZE,
    ) -> None:
        super().__init__()
        sizes = (
            n_answers,
            embed_size,
            image_size,
            qst_vocab_size,
            word_embed_size,
            num_layers,
            hidden_size,
        )
        total = vqa_param_count(*sizes)
        if total > MAX_PARAMS:
            raise ValueError(
                f"sizes {sizes} give {total:,} parameters; VqaModel builds at most {MAX_PARAMS:,}"
            )
        self.image_encoder = ImageEncoder(image_size, CHANNELS, embed_size)
        self.question_encoder = QstEncoder(
            qst_vocab_size, word_embed_size, embed_size, num_layers, hidden_size
        )
        self.answer = nn.Linear(embed_size, int(n_answers))

    def trace(
        self, image: torch.Tensor, question: torch.Tensor
    ) -> tuple[torch.Tensor, list[tuple[str, tuple[int, ...]]]]:
        """Answer scores, and (step, shape) for every step of both branches and the fusion."""
        image = self.image_encoder.check_image(image)
        # The question encoder checks the ids (before any work of its own); the question
        # branch runs first so that a bad question fails before the image branch runs.
        question_vector, question_shapes = self.question_encoder.trace(question)
        if image.shape[0] != question.shape[0]:
            raise ValueError(
                f"image and question must have the same batch size, got {image.shape[0]} "
                f"and {question.shape[0]}"
            )
        shapes = [("image", tuple(image.shape))]
        x = image
        for index, layer in enumerate(self.image_encoder.features):
            x = layer(x)
            shapes.append((f"image: features[{index}] {type(layer).__name__}", tuple(x.shape)))
        x = x.flatten(1)
        shapes.append(("image: flatten", tuple(x.shape)))
        image_vector = self.image_encoder.fc(x)
        shapes.append(("image: fc → image vector", tuple(image_vector.shape)))
        shapes.append(("question", tuple(question.shape)))
        shapes += [(f"question: {name}", shape) for name, shape in question_shapes]
        fused = image_vector * question_vector
        shapes.append(("fusion: image ⊙ question", tuple(fused.shape)))
        scores = self.answer(torch.tanh(fused))
        shapes.append(("answer scores", tuple(scores.shape)))
        return scores, shapes

    def forward(self, image: torch.Tensor, question: torch.Tensor) -> torch.Tensor:
        """[batch, 3, H, W] and token ids [batch, length] → [batch, n_answers]."""
        return self.trace(image, question)[0]


def vqa_shapes(
    batch_size: int = 2, question_length: int = 12, seed: int = 0
) -> list[tuple[str, tuple[int, ...]]]:
    """Run a seeded toy batch (random image, random question ids) and list every shape."""
    batch_size = check_int(batch_size, "batch_size", maximum=MAX_BATCH_SIZE)
    question_length = check_int(question_length, "question_length", maximum=MAX_QUESTION_LENGTH)
    with seeded_single_thread(seed), torch.no_grad():
        model = VqaModel()
        image = torch.rand(batch_size, CHANNELS, IMAGE_SIZE, IMAGE_SIZE)
        question = torch.randint(0, QST_VOCAB_SIZE, (batch_size, question_length))
        _, shapes = model.trace(image, question)
    return shapes
