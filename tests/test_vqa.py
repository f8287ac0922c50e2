"""The CNN + RNN combination: every shape of both branches and the fusion."""

import pytest
import torch

from helpers.core.vqa import ImageEncoder, VqaModel, vqa_shapes


def test_shapes_of_the_toy_batch():
    steps = vqa_shapes(batch_size=3, question_length=7)
    question = [shape for name, shape in steps if name.startswith("question: ")]
    # The article's encoder: embed, sequence-first, LSTM states, concat, batch-first, flatten.
    assert question == [
        (3, 7, 32),
        (7, 3, 32),
        (2, 3, 48),
        (2, 3, 96),
        (3, 2, 96),
        (3, 192),
        (3, 64),
    ]
    shapes = dict(steps)
    assert shapes["image"] == (3, 3, 32, 32)
    assert shapes["image: features[2] MaxPool2d"] == (3, 8, 16, 16)
    assert shapes["image: flatten"] == (3, 16 * 8 * 8)
    assert shapes["image: fc → image vector"] == (3, 64)
    assert shapes["question: fc"] == (3, 64)
    assert shapes["fusion: image ⊙ question"] == (3, 64)
    assert shapes["answer scores"] == (3, 10)


def test_forward_equals_trace_and_fusion_is_elementwise():
    torch.manual_seed(0)
    model = VqaModel().eval()
    image, question = torch.rand(2, 3, 32, 32), torch.randint(0, 100, (2, 5))
    with torch.no_grad():
        scores = model(image, question)
        fused = model.image_encoder(image) * model.question_encoder(question)
        assert torch.allclose(scores, model.answer(torch.tanh(fused)))


def test_deterministic_and_bad_input():
    assert vqa_shapes(seed=1) == vqa_shapes(seed=1)
    with pytest.raises(ValueError, match="image_size"):
        ImageEncoder(image_size=30)
    with pytest.raises(ValueError, match="batch size"):
        VqaModel().trace(torch.rand(2, 3, 32, 32), torch.randint(0, 100, (3, 5)))
