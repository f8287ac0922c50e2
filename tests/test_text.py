"""Tests for helpers.core.text: tokens, 1-of-N with "other", letter trigrams, word hashing, data."""

from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.core.text import (
    ARRIVE_SENTENCE,
    CITIES,
    CITY_LABEL,
    CUES,
    DATE_LABEL,
    HELD_OUT_CITIES,
    LABELS,
    LEAVE_SENTENCE,
    MONTHS,
    TRAIN_CITIES,
    build_vocabulary,
    hash_vector,
    letter_trigrams,
    make_dataset,
    one_hot_encode,
    ordinal,
    slot_sentence,
    token_ids,
    tokenize,
    trigram_bucket,
)

LECTURE_SENTENCE = "I would like to arrive Taipei on November 2nd."
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=15)


def test_tokenize_lowercases_and_keeps_2nd():
    assert tokenize(LECTURE_SENTENCE) == [
        "i", "would", "like", "to", "arrive", "taipei", "on", "november", "2nd",
    ]  # fmt: skip
    assert tokenize("Leave   Kaohsiung, on March 3rd!") == [
        "leave",
        "kaohsiung",
        "on",
        "march",
        "3rd",
    ]


def test_tokenize_rejects_non_str():
    with pytest.raises(TypeError, match="sentence"):
        tokenize(["arrive", "taipei"])


def test_one_hot_shape_and_other_column():
    vocabulary = ["arrive", "leave", "on", "taipei"]
    matrix = one_hot_encode(["arrive", "hualien", "on", "taipei"], vocabulary)
    assert matrix.shape == (4, len(vocabulary) + 1)
    np.testing.assert_array_equal(matrix.sum(axis=1), np.ones(4))
    np.testing.assert_array_equal(matrix.argmax(axis=1), [0, 4, 2, 3])
    assert matrix[1, -1] == 1.0  # the unknown word lights only the "other" dimension


def test_one_hot_agrees_with_torch_one_hot():
    vocabulary = build_vocabulary(s.tokens for s in make_dataset(40, 0))
    tokens = tokenize("my family will leave hualien on may 28th please")
    expected = F.one_hot(torch.tensor(token_ids(tokens, vocabulary)), len(vocabulary) + 1)
    np.testing.assert_array_equal(one_hot_encode(tokens, vocabulary), expected.numpy())


def test_one_hot_without_other_rejects_unknown_word_by_name():
    vocabulary = ["arrive", "taipei"]
    assert one_hot_encode(["taipei"], vocabulary, other=False).tolist() == [[0.0, 1.0]]
    with pytest.raises(ValueError, match="hualien"):
        one_hot_encode(["arrive", "hualien"], vocabulary, other=False)


def test_one_hot_bad_inputs_name_argument():
    with pytest.raises(TypeError, match="tokens"):
        one_hot_encode("arrive taipei", ["arrive"])
    with pytest.raises(ValueError, match="vocabulary"):
        one_hot_encode(["arrive"], ["arrive", "arrive"])
    with pytest.raises(ValueError, match="tokens"):
        one_hot_encode(["arrive", ""], ["arrive"])


def test_build_vocabulary_is_sorted_and_distinct():
    assert build_vocabulary([["b", "a"], ["a", "c"]]) == ("a", "b", "c")


def test_trigrams_of_apple_match_the_lecture():
    trigrams = letter_trigrams("apple")
    assert trigrams == ["#ap", "app", "ppl", "ple", "le#"]
    assert trigrams[1:4] == ["app", "ppl", "ple"]  # the lecture's a-p-p, p-p-l, p-l-e
    assert letter_trigrams("a") == ["#a#"]


@settings(max_examples=150, deadline=None)
@given(WORDS)
def test_trigrams_cover_the_marked_word(word):
    trigrams = letter_trigrams(word)
    assert len(trigrams) == len(word)
    assert trigrams[0][0] == "#" and trigrams[-1][-1] == "#"
    assert trigrams[0] + "".join(t[-1] for t in trigrams[1:]) == f"#{word}#"


@pytest.mark.parametrize("word", ["", "two words", "a#b"])
def test_trigrams_reject_bad_word(word):
    with pytest.raises(ValueError, match="word"):
        letter_trigrams(word)


def test_hash_buckets_are_stable_numbers():
    # CRC-32, not Python's salted hash(): the same buckets in every process and on every machine
    assert [trigram_bucket(t) for t in letter_trigrams("apple")] == [49, 15, 7, 62, 6]


@settings(max_examples=150, deadline=None)
@given(WORDS, st.integers(min_value=1, max_value=300))
def test_hash_vector_counts_every_trigram(word, dim):
    vector = hash_vector(word, dim)
    assert vector.shape == (dim,)
    assert vector.sum() == len(letter_trigrams(word))
    for trigram in letter_trigrams(word):
        assert vector[trigram_bucket(trigram, dim)] >= 1


def test_hash_vector_rejects_bad_dim():
    with pytest.raises(ValueError, match="dim"):
        hash_vector("apple", 0)
    with pytest.raises(TypeError, match="dim"):
        hash_vector("apple", 2.5)


def test_unseen_city_uses_other_dimension_and_a_nonzero_hash():
    vocabulary = build_vocabulary(s.tokens for s in make_dataset(400, 0))
    codes = one_hot_encode(list(HELD_OUT_CITIES), vocabulary)
    assert (codes[:, -1] == 1).all() and (codes[:, :-1] == 0).all()
    hashes = np.stack([hash_vector(city) for city in HELD_OUT_CITIES])
    assert (hashes.sum(axis=1) > 0).all()
    assert len({row.tobytes() for row in hashes}) == len(HELD_OUT_CITIES)  # still told apart


def test_city_lists_are_consistent():
    assert CITIES == TRAIN_CITIES + HELD_OUT_CITIES
    assert not set(TRAIN_CITIES) & set(HELD_OUT_CITIES)
    assert "taipei" in TRAIN_CITIES and "kaohsiung" in TRAIN_CITIES
    assert set(CITY_LABEL.values()) | set(DATE_LABEL.values()) | {"other"} == set(LABELS)


def test_held_out_cities_absent_from_training_vocabulary():
    vocabulary = set(build_vocabulary(s.tokens for s in make_dataset(2000, 3)))
    assert not vocabulary & set(HELD_OUT_CITIES)
    assert set(TRAIN_CITIES) <= vocabulary


@pytest.mark.parametrize(
    ("day", "word"),
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (23, "23rd"), (28, "28th"), (31, "31st")],
)  # fmt: skip
def test_ordinal(day, word):
    assert ordinal(day) == word


def test_ordinal_rejects_bad_day():
    with pytest.raises(ValueError, match="day"):
        ordinal(32)
    with pytest.raises(ValueError, match="day"):
        ordinal(0)


def test_lecture_sentences_are_labelled_as_in_the_lecture():
    arrive = slot_sentence("arrive", "taipei", "november", 2, "i would like to")
    assert list(arrive.tokens) == tokenize(LECTURE_SENTENCE)
    assert arrive.labels == ("other",) * 5 + (
        "destination", "other", "time_of_arrival", "time_of_arrival",
    )  # fmt: skip
    leave = slot_sentence("leave", "kaohsiung", "march", 3, "i want to")
    assert leave.tokens == ("i", "want", "to", "leave", "kaohsiung", "on", "march", "3rd")
    assert leave.labels[4:] == ("departure", "other", "time_of_departure", "time_of_departure")


def test_slot_sentence_rejects_bad_cue_and_month():
    with pytest.raises(ValueError, match="cue"):
        slot_sentence("fly", "taipei", "may", 1, "i want to")
    with pytest.raises(ValueError, match="month"):
        slot_sentence("arrive", "taipei", "smarch", 1, "i want to")


def test_dataset_is_deterministic_by_seed():
    assert make_dataset(100, 7) == make_dataset(100, 7)
    assert make_dataset(100, 7) != make_dataset(100, 8)


def test_dataset_is_balanced_in_pairs():
    data = make_dataset(400, 0)
    assert Counter(s.cue for s in data) == {"arrive": 200, "leave": 200}
    for arrive, leave in zip(data[::2], data[1::2], strict=True):
        assert (arrive.cue, leave.cue) == ("arrive", "leave")
        assert [t for t in arrive.tokens if t not in CUES] == [
            t for t in leave.tokens if t not in CUES
        ]
    per_city = Counter((city, s.cue) for s in data for city in s.tokens if city in CITIES)
    for city in {c for c, _ in per_city}:
        assert per_city[(city, "arrive")] == per_city[(city, "leave")]


@pytest.mark.parametrize("cities", [TRAIN_CITIES, CITIES])
def test_labels_follow_the_cue(cities):
    for sentence in make_dataset(300, 1, cities=cities):
        tokens, labels, cue, _order = sentence
        assert len(tokens) == len(labels) and set(labels) <= set(LABELS)
        assert tokens.count(cue) == 1
        city_at = tokens.index(cue) + 1
        assert tokens[city_at] in cities and labels[city_at] == CITY_LABEL[cue]
        date_at = tokens.index("on") + 1
        assert tokens[date_at] in MONTHS
        assert labels[date_at : date_at + 2] == (DATE_LABEL[cue],) * 2
        others = [i for i in range(len(tokens)) if i not in (city_at, date_at, date_at + 1)]
        assert all(labels[i] == "other" for i in others)


def test_dataset_uses_only_the_given_cities():
    data = make_dataset(200, 2, cities=HELD_OUT_CITIES)
    assert {t for s in data for t in s.tokens if t in CITIES} == set(HELD_OUT_CITIES)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_sentences": 3, "seed": 0}, "n_sentences"),
        ({"n_sentences": 0, "seed": 0}, "n_sentences"),
        ({"n_sentences": 10, "seed": -1}, "seed"),
        ({"n_sentences": 10, "seed": 0, "cities": []}, "cities"),
        ({"n_sentences": 10, "seed": 0, "cities": "taipei"}, "cities"),
        ({"n_sentences": 10, "seed": 0, "cities": ["new york"]}, "cities"),
    ],
)
def test_make_dataset_bad_inputs_name_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_dataset(**kwargs)


def test_lecture_sentence_constants_differ_only_in_the_cue():
    arrive, leave = tokenize(ARRIVE_SENTENCE), tokenize(LEAVE_SENTENCE)
    assert arrive == tokenize(LECTURE_SENTENCE)
    assert [(a, b) for a, b in zip(arrive, leave, strict=True) if a != b] == [("arrive", "leave")]
