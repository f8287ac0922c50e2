"""Cue after the city: a one-direction RNN cannot know the label, a bidirectional one can."""

import pytest
import torch

from helpers.core.rnn import (
    BIDIRECTIONAL,
    DIRECTION_KINDS,
    GOOD_ACCURACY,
    POOR_ACCURACY,
    Tagger,
    compare_directions,
    direction_datasets,
    tag_sentence,
    train_direction_taggers,
)
from helpers.core.text import (
    CITY_LABEL,
    CUE_AFTER_TEMPLATES,
    DATE_LABEL,
    cue_after_sentence,
    make_dataset,
)


@pytest.fixture(scope="module")
def taggers():
    """Notebook 08's two taggers (seed 0)."""
    return train_direction_taggers(seed=0)


@pytest.fixture(scope="module")
def results(taggers):
    _, test = direction_datasets(0)
    return compare_directions(taggers, test)


def test_cue_after_sentences_are_labelled_by_the_later_cue():
    s = cue_after_sentence("leave", "taipei", "november", 2, CUE_AFTER_TEMPLATES[0])
    assert s.tokens == ("taipei", "is", "where", "i", "will", "leave", "on", "november", "2nd")
    assert s.labels[0] == CITY_LABEL["leave"] == "departure"
    assert s.labels[-2:] == (DATE_LABEL["leave"],) * 2
    assert set(s.labels[1:-2]) == {"other"} and s.order == "after"
    with pytest.raises(ValueError, match="template"):
        cue_after_sentence("leave", "taipei", "november", 2, "{city} {cue}")


def test_orders_and_old_data_unchanged():
    assert make_dataset(40, 3) == make_dataset(40, 3, order="before")
    after = make_dataset(40, 3, order="after")
    assert {s.order for s in after} == {"after"}
    mixed = make_dataset(200, 3, order="mixed")
    share = sum(s.order == "after" for s in mixed) / len(mixed)
    assert 0.3 < share < 0.7
    assert sum(s.cue == "arrive" for s in mixed) == 100  # arrive/leave still balanced
    with pytest.raises(ValueError, match="order"):
        make_dataset(4, 0, order="sideways")


def test_one_direction_fails_when_the_cue_comes_after(results):
    rnn = results["rnn"]
    assert rnn["city_accuracy_cue_before"] >= GOOD_ACCURACY
    assert rnn["city_accuracy_cue_after"] <= POOR_ACCURACY  # it labels the city before the cue


def test_bidirectional_succeeds_on_both(results):
    bi = results[BIDIRECTIONAL]
    assert bi["city_accuracy_cue_before"] >= GOOD_ACCURACY
    assert bi["city_accuracy_cue_after"] >= GOOD_ACCURACY
    assert bi["token_accuracy"] >= GOOD_ACCURACY


def test_results_repeat_at_printed_precision(taggers, results):
    assert list(taggers) == list(DIRECTION_KINDS) == list(results)
    _, test = direction_datasets(0)
    again = compare_directions(train_direction_taggers(seed=0), test)
    for kind, scores in results.items():
        for key, value in scores.items():
            assert round(again[kind][key], 3) == round(value, 3)


def test_compare_directions_bad_inputs_name_argument(taggers):
    with pytest.raises(ValueError, match="data"):
        compare_directions(taggers, [])
    with pytest.raises(TypeError, match="model"):
        compare_directions({"rnn": "not a tagger"}, make_dataset(4, 0))


def test_bidirectional_tagger_shape_and_use(taggers):
    tagger = Tagger(BIDIRECTIONAL, ("a", "b"), hidden_size=5)
    assert tagger.hidden.bidirectional and tagger.output.in_features == 10
    assert tagger(torch.zeros(1, 3, 3)).shape == (1, 3, 5)
    model = taggers[BIDIRECTIONAL]
    labels = dict(tag_sentence(model, "taipei is where i will arrive on june 3rd"))
    assert labels["taipei"] == "destination"
    train, test = direction_datasets(0)
    assert {s.order for s in train} == {"before", "after"}
