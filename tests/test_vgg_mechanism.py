"""VGG16 built from its configuration with a plain loop (notebook 07), its batch-norm
exercise, and the dropout rule the notebook states."""

import torch
from torch import nn

from helpers.core.vgg import POOL, VGG_CONFIGS, count_params, vgg16
from helpers.lessons import vgg16 as lesson


def features_from_config(batch_norm: bool = False) -> nn.Sequential:
    """The notebook's loop (optionally with the exercise's BatchNorm2d after each Conv2d)."""
    layers, channels = [], 3
    for entry in VGG_CONFIGS["vgg16"]:
        if entry == POOL:
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(channels, entry, kernel_size=3, padding=1, device="meta"))
            if batch_norm:
                layers.append(nn.BatchNorm2d(entry, device="meta"))
            layers.append(nn.ReLU(inplace=True))
            channels = entry
    return nn.Sequential(*layers)


def test_the_loop_builds_vgg16s_features():
    full = vgg16(device="meta")
    features = features_from_config()
    assert str(features) == str(full.features)
    assert count_params(features) + count_params(full.classifier) == 138_357_544


def test_the_batch_norm_exercise_counts_what_pytorch_counts():
    exercise = lesson.batch_norm_exercise()
    assert count_params(features_from_config(batch_norm=True)) == exercise.answer == 14_723_136
    assert lesson.check_batch_norm(14_723_136).correct
    assert exercise.mistakes[0].value == count_params(features_from_config())


def test_dropout_zeroes_with_probability_half_and_doubles_the_rest():
    torch.manual_seed(0)
    dropout, ones = nn.Dropout(p=0.5), torch.ones(100_000)
    kept = dropout.train()(ones)
    assert abs(float((kept == 0).float().mean()) - 0.5) < 0.01
    assert set(kept.unique().tolist()) == {0.0, 2.0}
    assert torch.equal(dropout.eval()(ones), ones)


def test_the_feature_maps_have_a_colour_scale():
    outputs = {
        f"block{n}": torch.rand(
            1, 4, 2 ** (6 - n), 2 ** (6 - n), generator=torch.Generator().manual_seed(n)
        )
        for n in range(1, 6)
    }
    fig = lesson.figure_feature_maps(outputs, torch.rand(1, 3, 64, 64))
    labels = [t.get_text() for t in fig.axes[-1].get_yticklabels()]
    assert labels == ["map's\nminimum", "halfway", "map's\nmaximum"]
