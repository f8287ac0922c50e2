"""Turning words into vectors (1-of-N, "other" dimension, word hashing) and slot-filling data.

The encodings follow Hung-yi Lee's RNN lecture: a 1-of-N vector per word, one extra "other"
dimension for words outside the vocabulary, and word hashing by letter trigrams with the word
boundaries marked ("apple" -> #ap, app, ppl, ple, le#).

The data are generated sentences of a ticket-booking system, such as
"i would like to arrive taipei on november 2nd" (taipei: destination, november 2nd: time of
arrival) and "i would like to leave taipei on november 2nd" (taipei: place of departure).
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import NamedTuple

import numpy as np

from helpers.core.arithmetic import check_bool, check_int

LABELS: tuple[str, ...] = (
    "destination",
    "departure",
    "time_of_arrival",
    "time_of_departure",
    "other",
)

CUES: tuple[str, ...] = ("arrive", "leave")

# The label that each cue gives to the city and to every token of the date.
CITY_LABEL: dict[str, str] = {"arrive": "destination", "leave": "departure"}

DATE_LABEL: dict[str, str] = {"arrive": "time_of_arrival", "leave": "time_of_departure"}

TRAIN_CITIES: tuple[str, ...] = (
    "taipei",
    "kaohsiung",
    "taichung",
    "tainan",
    "hsinchu",
    "keelung",
    "chiayi",
    "changhua",
)

# Never seen in training: their 1-of-N code is the "other" dimension.
HELD_OUT_CITIES: tuple[str, ...] = ("hualien", "taitung", "yilan", "pingtung")

CITIES: tuple[str, ...] = TRAIN_CITIES + HELD_OUT_CITIES

MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# Days in each month; February may have a 29th (the sentences have no year).
DAYS_IN_MONTH: dict[str, int] = dict(
    zip(MONTHS, (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), strict=True)
)

# Words before the cue and after the date; all of them are labelled "other".
PREFIXES: tuple[str, ...] = (
    "i would like to",
    "i want to",
    "i need to",
    "i plan to",
    "we hope to",
    "my family will",
)

SUFFIXES: tuple[str, ...] = ("", "please", "if possible")

# The lecture's example sentence, and its twin with the other cue.
ARRIVE_SENTENCE = "I would like to arrive Taipei on November 2nd"

LEAVE_SENTENCE = "I would like to leave Taipei on November 2nd"

BOUNDARY = "#"

HASH_DIM = 64

# The largest hashing dimension accepted: far above the 27**3 = 19,683 possible trigrams of
# lower-case letters and '#', and small enough that a hash vector stays a few megabytes.
MAX_HASH_DIM = 1_000_000

# The most sentences make_dataset generates (about 0.2 s); the lessons use a few hundred.
MAX_SENTENCES = 10_000

# The most values a one-hot matrix may hold (80 MB of float64); a lesson's sentence against
# its vocabulary holds a few hundred.
MAX_ONE_HOT_VALUES = 10_000_000

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokenize(sentence: str) -> list[str]:
    """Split `sentence` into lower-case word tokens, keeping letters with digits ("2nd")."""
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    return _TOKEN.findall(sentence.lower())


def _as_tokens(tokens: Sequence[str], name: str = "tokens") -> list[str]:
    """Return `tokens` as a list of non-empty strings, or raise naming `name`."""
    if isinstance(tokens, str):
        raise TypeError(f"{name} must be a sequence of words, not one str (use tokenize())")
    if isinstance(tokens, (Set, Mapping)):  # the order of the words is their position
        raise TypeError(f"{name} must be a list or tuple of words, got {type(tokens).__name__}")
    if not isinstance(tokens, Iterable):
        raise TypeError(f"{name} must be a sequence of words, got {type(tokens).__name__}")
    tokens = list(tokens)
    for token in tokens:
        if not isinstance(token, str):
            raise TypeError(
                f"{name} must hold words (str), got {type(token).__name__} {token!r:.40}"
            )
        if not token:
            raise ValueError(f"{name} must hold non-empty strings, got {token!r}")
    return tokens


def build_vocabulary(sentences: Iterable[Sequence[str]]) -> tuple[str, ...]:
    """Sorted tuple of the distinct tokens in `sentences` (each a sequence of tokens)."""
    if isinstance(sentences, str) or not isinstance(sentences, Iterable):
        raise TypeError(
            f"sentences must be a sequence of token lists, got {type(sentences).__name__}"
        )
    words: set[str] = set()
    for tokens in sentences:
        words.update(_as_tokens(tokens, "sentences"))
    return tuple(sorted(words))


def check_vocabulary(vocabulary: Sequence[str]) -> list[str]:
    """Return `vocabulary` as a list, checking that its words are distinct non-empty strings."""
    words = _as_tokens(vocabulary, "vocabulary")
    if len(set(words)) != len(words):
        raise ValueError("vocabulary must not repeat a word")
    return words


def token_ids(tokens: Sequence[str], vocabulary: Sequence[str], other: bool = True) -> list[int]:
    """Position of each token in `vocabulary`; unknown words get len(vocabulary), "other".

    With other=False an unknown word raises ValueError naming it.
    """
    tokens = _as_tokens(tokens)
    other = check_bool(other, "other")
    index = {word: i for i, word in enumerate(check_vocabulary(vocabulary))}
    ids = []
    for token in tokens:
        if token in index:
            ids.append(index[token])
        elif other:
            ids.append(len(index))
        else:
            raise ValueError(
                f"tokens holds {token!r}, which is not in the vocabulary (use other=True)"
            )
    return ids


def one_hot_encode(
    tokens: Sequence[str], vocabulary: Sequence[str], other: bool = True
) -> np.ndarray:
    """1-of-N matrix, one row per token: shape (len(tokens), len(vocabulary) + 1).

    The last column is the "other" dimension, set for words outside the vocabulary.
    With other=False there is no such column (shape (len(tokens), len(vocabulary))) and an
    unknown word raises ValueError naming it.
    """
    tokens = _as_tokens(tokens)
    words = check_vocabulary(vocabulary)
    width = len(words) + (1 if check_bool(other, "other") else 0)
    if len(tokens) * width > MAX_ONE_HOT_VALUES:
        raise ValueError(
            f"tokens and vocabulary give a {len(tokens):,} × {width:,} one-hot matrix "
            f"({len(tokens) * width:,} values); one_hot_encode makes at most "
            f"{MAX_ONE_HOT_VALUES:,}"
        )
    ids = token_ids(tokens, words, other)
    matrix = np.zeros((len(ids), width))
    matrix[np.arange(len(ids)), ids] = 1.0
    return matrix


def _check_word(word: str) -> str:
    """Return `word` if it is a non-empty str without spaces or boundary markers."""
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if not word or any(ch.isspace() for ch in word) or BOUNDARY in word:
        raise ValueError(f"word must be one non-empty word without spaces or '#', got {word!r}")
    return word


def letter_trigrams(word: str) -> list[str]:
    """Letter trigrams of `word` with '#' marking its start and end, in order.

    "apple" -> ["#ap", "app", "ppl", "ple", "le#"]; a one-letter word gives one trigram ("#a#").
    """
    marked = BOUNDARY + _check_word(word) + BOUNDARY
    return [marked[i : i + 3] for i in range(len(marked) - 2)]


def _check_dim(dim: int) -> int:
    """Return `dim` if it is an int from 1 to MAX_HASH_DIM, or raise naming it."""
    return check_int(dim, "dim", maximum=MAX_HASH_DIM)


def trigram_bucket(trigram: str, dim: int = HASH_DIM) -> int:
    """Bucket in range(dim) of one trigram, by CRC-32 (stable across runs, unlike hash())."""
    if not isinstance(trigram, str) or not trigram:
        raise TypeError(
            f"trigram must be a non-empty str, got {type(trigram).__name__} {trigram!r}"
        )
    dim = _check_dim(dim)
    return zlib.crc32(trigram.encode("utf-8")) % dim


def hash_vector(word: str, dim: int = HASH_DIM) -> np.ndarray:
    """Word hashing: counts of the word's letter trigrams hashed into `dim` buckets.

    Any word, seen or not, gets a non-zero vector of the same size. The lecture's exact code
    has one dimension per possible trigram (26**3 without boundary markers); hashing trades
    that size for occasional collisions, where two trigrams share a bucket.
    """
    dim = _check_dim(dim)
    vector = np.zeros(dim)
    for trigram in letter_trigrams(word):
        vector[trigram_bucket(trigram, dim)] += 1.0
    return vector


def ordinal(day: int) -> str:
    """English ordinal of a day of the month as one token: 1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    day = check_int(day, "day")
    if day > 31:
        raise ValueError(f"day must be <= 31, got {day}")
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


class SlotSentence(NamedTuple):
    """One generated sentence: its tokens, one label per token, its cue word, and whether the
    cue comes "before" or "after" the city."""

    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    cue: str
    order: str = "before"


ORDERS: tuple[str, ...] = ("before", "after", "mixed")

# Sentences where the cue comes after the city: reading left to right, a tagger has not seen
# "arrive" or "leave" yet when it must label the city (notebook 08, bidirectional RNNs).
CUE_AFTER_TEMPLATES: tuple[str, ...] = (
    "{city} is where i will {cue}",
    "{city} is the city i {cue}",
    "{city} is where we want to {cue}",
)


def _check_city(city: str) -> str:
    """Return `city` if it is one lower-case word (what tokenize() keeps as one token)."""
    if not isinstance(city, str):
        raise TypeError(f"city must be a str, got {type(city).__name__} {city!r}")
    if tokenize(city) != [city]:
        raise ValueError(
            f"city must be one lower-case word of letters and digits (as tokenize() gives), "
            f"got {city!r}"
        )
    return city


def _check_date(cue: str, month: str, day: int) -> list[str]:
    """The date tokens [month, ordinal(day)], or raise naming a bad cue, month or day."""
    if cue not in CUES:
        raise ValueError(f"cue must be one of {CUES}, got {cue!r}")
    if month not in MONTHS:
        raise ValueError(f"month must be one of {MONTHS}, got {month!r}")
    day = check_int(day, "day")
    if day > DAYS_IN_MONTH[month]:
        raise ValueError(f"day must be from 1 to {DAYS_IN_MONTH[month]} in {month}, got {day}")
    return [month, ordinal(day)]


def _words(text: str, name: str) -> list[str]:
    """tokenize(text), raising TypeError naming `name` if `text` is not a str."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__} {text!r}")
    return tokenize(text)


def slot_sentence(
    cue: str, city: str, month: str, day: int, prefix: str, suffix: str = ""
) -> SlotSentence:
    """Build and label "<prefix> <cue> <city> on <month> <day> <suffix>"."""
    date = _check_date(cue, month, day)
    city = _check_city(city)
    head = _words(prefix, "prefix") + [cue]
    tail = _words(suffix, "suffix")
    tokens = head + [city, "on"] + date + tail
    labels = (
        ["other"] * len(head)
        + [CITY_LABEL[cue], "other"]
        + [DATE_LABEL[cue]] * len(date)
        + ["other"] * len(tail)
    )
    return SlotSentence(tuple(tokens), tuple(labels), cue)


def cue_after_sentence(cue: str, city: str, month: str, day: int, template: str) -> SlotSentence:
    """Build and label "<city> is where i will <cue> on <month> <day>" and its like.

    The city is labelled where the template puts it, so a city spelled like one of the
    template's words ("will") does not label that word too.
    """
    date = _check_date(cue, month, day)
    if template not in CUE_AFTER_TEMPLATES:
        raise ValueError(f"template must be one of {CUE_AFTER_TEMPLATES}, got {template!r}")
    city = _check_city(city)
    head: list[str] = []
    labels: list[str] = []
    for word in template.split():
        if word == "{city}":
            head.append(city)
            labels.append(CITY_LABEL[cue])
        else:
            words = [cue] if word == "{cue}" else tokenize(word)
            head += words
            labels += ["other"] * len(words)
    tokens = [*head, "on", *date]
    labels += ["other", *[DATE_LABEL[cue]] * len(date)]
    return SlotSentence(tuple(tokens), tuple(labels), cue, "after")


def make_dataset(
    n_sentences: int, seed: int, cities: Sequence[str] = TRAIN_CITIES, order: str = "before"
) -> list[SlotSentence]:
    """`n_sentences` labelled sentences, the same for the same seed, as arrive/leave pairs.

    Sentences 2k and 2k+1 are the same sentence with the cue "arrive" and then "leave", so the
    two cues are exactly balanced, for every city too: a tagger that reads one word at a time
    sees the same input for the city in both and can get at most half of the cities right.
    `order` puts the cue "before" the city (the lecture's sentences), "after" it
    (CUE_AFTER_TEMPLATES), or picks one of the two per pair ("mixed").
    """
    n_sentences = check_int(n_sentences, "n_sentences", minimum=2, maximum=MAX_SENTENCES)
    if n_sentences % 2:
        raise ValueError(f"n_sentences must be even (arrive/leave pairs), got {n_sentences}")
    seed = check_int(seed, "seed", minimum=0)
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    if isinstance(cities, str) or not cities:
        raise ValueError("cities must be a non-empty sequence of city names")
    for city in cities:
        if not isinstance(city, str) or tokenize(city) != [city]:
            raise ValueError(f"cities must hold single lower-case words, got {city!r}")
    rng = random.Random(seed)
    sentences = []
    for _ in range(n_sentences // 2):
        city = rng.choice(list(cities))
        month = rng.choice(MONTHS)
        day = rng.randint(1, 28)
        prefix = rng.choice(PREFIXES)
        suffix = rng.choice(SUFFIXES)
        # Extra draws only for the other orders, so order="before" data stay as they were.
        after = order == "after" or (order == "mixed" and rng.random() < 0.5)
        template = rng.choice(CUE_AFTER_TEMPLATES) if after else ""
        for cue in CUES:
            if after:
                sentences.append(cue_after_sentence(cue, city, month, day, template))
            else:
                sentences.append(slot_sentence(cue, city, month, day, prefix, suffix))
    return sentences
