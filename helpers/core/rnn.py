"""The lecture's toy RNN, and three slot-filling taggers: feed-forward, Elman RNN and LSTM.

Toy RNN (Hung-yi Lee, RNN lecture): two inputs, two hidden units, two outputs, every weight 1,
linear, no bias, memory starting at 0. Inputs [1,1], [1,1], [2,2] give [4,4], [12,12], [32,32].

Taggers: each reads the 1-of-N code of a word (with the "other" dimension for unknown words)
and gives one label per word. The feed-forward tagger sees one word at a time, so "taipei"
gets the same label after "arrive" and after "leave"; the RNN and the LSTM carry a memory.

Training (train_tagger) is the plain PyTorch loop: zero_grad, forward, cross-entropy,
backward, an Adam step, once per epoch on the whole training set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers.core.arithmetic import check_int, check_real, check_reals
from helpers.core.determinism import check_seed, single_thread
from helpers.core.text import (
    CITIES,
    CITY_LABEL,
    DATE_LABEL,
    LABELS,
    TRAIN_CITIES,
    SlotSentence,
    build_vocabulary,
    check_vocabulary,
    make_dataset,
    token_ids,
    tokenize,
)

KINDS: tuple[str, ...] = ("feedforward", "rnn", "lstm")

# A tagger kind beyond the lecture's three: an RNN reading the sentence in both directions.
BIDIRECTIONAL = "birnn"

# Another: no memory, but a window of the current and the previous word (a width-2 convolution
# over the words), enough for the city right after its cue, not for the date further on.
WINDOW = "window"

WINDOW_WIDTH = 2

CITY_LABELS: frozenset[str] = frozenset(CITY_LABEL.values())

# Data sizes and training settings of both notebooks' taggers: about the least work (sentences,
# epochs) with which their lessons hold for almost every seed (bench/bench_taggers.py checks
# both). On one thread of a 2-core laptop, notebook 05's three taggers train in about 0.8 s,
# notebook 08's two in about 1.2 s.
N_TRAIN = 200

N_TEST = 400

TEST_SEED_OFFSET = 10_000

HIDDEN_SIZE = 32

EPOCHS = 30  # notebook 05: feed-forward, RNN, LSTM

# Notebook 08: carrying a cue that comes after the city back to it, from right to left, takes
# the bidirectional RNN longer to learn; the one-direction RNN gets the same number of epochs.
DIRECTION_EPOCHS = 60

LEARNING_RATE = 0.05

# Limits checked before any training: a few seconds of work at most on a laptop.
MAX_EPOCHS = 1_000

MAX_HIDDEN_SIZE = 1_024

UNKNOWN_RATE = 0.1

# Standard deviation of the weights from the 1-of-N input at initialisation (see Tagger).
INPUT_WEIGHT_STD = 2.0

# The lessons' thresholds (tests and bench/bench_taggers.py): a tagger that can know the label
# reaches GOOD_ACCURACY, one that cannot (feed-forward cities, cue after the city read left to
# right) stays at or below POOR_ACCURACY.
GOOD_ACCURACY = 0.95

POOR_ACCURACY = 0.6

# The lecture's toy RNN inputs and the outputs it gives for them.
TOY_INPUTS: tuple[tuple[float, float], ...] = ((1, 1), (1, 1), (2, 2))

TOY_OUTPUTS: tuple[tuple[float, float], ...] = ((4, 4), (12, 12), (32, 32))

IGNORE = -100  # label of padding positions, skipped by the loss and by accuracy


class ToyStep(NamedTuple):
    """One step of the toy RNN: input x, memory before it, hidden a (the next memory), output y."""

    input: np.ndarray
    memory: np.ndarray
    hidden: np.ndarray
    output: np.ndarray


def _check_toy_inputs(inputs: object) -> np.ndarray:
    """Return `inputs` as a finite float array of shape (steps, 2), or raise naming it."""
    try:
        array = np.asarray(inputs, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"inputs must be a sequence of [x1, x2] pairs of numbers: {error}"
        ) from None
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] != 2:
        raise ValueError(f"inputs must be a sequence of [x1, x2] pairs, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("inputs must be finite numbers")
    return array


def toy_rnn(inputs: Sequence[Sequence[float]]) -> list[ToyStep]:
    """Run the lecture's toy RNN (all weights 1, linear, no bias, memory 0) step by step.

    hidden = W_x x + W_h memory, output = W_y hidden, and the hidden values become the memory
    of the next step; every W is the 2x2 matrix of ones.
    """
    xs = _check_toy_inputs(inputs)
    ones = np.ones((2, 2))
    memory = np.zeros(2)
    steps = []
    for x in xs:
        hidden = ones @ x + ones @ memory
        output = ones @ hidden
        steps.append(ToyStep(x.copy(), memory, hidden, output))
        memory = hidden
    return steps


class ToyRNN(nn.Module):
    """The toy RNN in PyTorch: nn.RNN (ReLU, no bias) then nn.Linear (no bias), all weights 1.

    nn.RNN offers only tanh or ReLU, not the lecture's linear unit. ReLU equals the identity
    for non-negative values, so with non-negative inputs (as in the lecture) this network gives
    exactly the lecture's numbers; with negative inputs the two differ.
    """

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, 2, nonlinearity="relu", bias=False, batch_first=True)
        self.output = nn.Linear(2, 2, bias=False)
        with torch.no_grad():
            for parameter in self.parameters():
                parameter.fill_(1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs for x of shape (batch, steps, 2), memory starting at 0."""
        hidden, _ = self.rnn(x)
        return self.output(hidden)


def toy_rnn_torch() -> ToyRNN:
    """The toy RNN built from nn.RNN and nn.Linear (see ToyRNN for the ReLU caveat)."""
    return ToyRNN()


def toy_rnn_torch_outputs(inputs: Sequence[Sequence[float]]) -> np.ndarray:
    """Outputs of `toy_rnn_torch()` (in float64) for one sequence of [x1, x2], shape (steps, 2)."""
    xs = _check_toy_inputs(inputs)
    with torch.no_grad():
        y = toy_rnn_torch().double()(torch.from_numpy(xs).unsqueeze(0))
    return y[0].numpy()


class Tagger(nn.Module):
    """A slot-filling tagger: 1-of-N (+ "other") input, one hidden layer of `kind`, label scores.

    kind "feedforward": hidden = tanh(W x_t + b), from the current word only.
    kind "rnn": an Elman RNN (nn.RNN, tanh), hidden depends on x_t and the previous hidden.
    kind "lstm": nn.LSTM, the same with gated memory cells.
    kind "birnn": nn.RNN(bidirectional=True), one RNN left to right and one right to left,
    their hidden states concatenated, so each word's label can use the words after it.
    kind "window": hidden = tanh(W_0 x_{t-1} + W_1 x_t + b), an nn.Conv1d of width
    WINDOW_WIDTH over the words, padded on the left: the current and the previous word only.

    The weights from the 1-of-N input start as N(0, INPUT_WEIGHT_STD²) instead of PyTorch's
    small uniform default. A 1-of-N vector times these weights picks one column, a vector per
    word (what nn.Embedding stores, also drawn from a normal distribution); larger word vectors
    at the start let the taggers learn their lessons in fewer epochs.
    """

    def __init__(
        self, kind: str, vocabulary: Sequence[str], hidden_size: int = HIDDEN_SIZE
    ) -> None:
        super().__init__()
        if not isinstance(kind, str) or kind not in (*KINDS, BIDIRECTIONAL, WINDOW):
            raise ValueError(f"kind must be one of {(*KINDS, BIDIRECTIONAL, WINDOW)}, got {kind!r}")
        hidden_size = check_int(hidden_size, "hidden_size", maximum=MAX_HIDDEN_SIZE)
        words = check_vocabulary(vocabulary)
        if not words:
            raise ValueError("vocabulary must hold at least one word")
        self.kind = kind
        self.vocabulary = tuple(words)
        n_inputs = len(self.vocabulary) + 1
        self.n_inputs = n_inputs
        if kind == "feedforward":
            self.hidden = nn.Linear(n_inputs, hidden_size)
        elif kind == WINDOW:
            self.hidden = nn.Conv1d(n_inputs, hidden_size, WINDOW_WIDTH)
        elif kind in ("rnn", BIDIRECTIONAL):
            bidirectional = kind == BIDIRECTIONAL
            self.hidden = nn.RNN(
                n_inputs, hidden_size, batch_first=True, bidirectional=bidirectional
            )
        else:
            self.hidden = nn.LSTM(n_inputs, hidden_size, batch_first=True)
        directions = 2 if kind == BIDIRECTIONAL else 1
        self.output = nn.Linear(directions * hidden_size, len(LABELS))
        with torch.no_grad():
            for weight in self.input_weights():
                weight.normal_(0.0, INPUT_WEIGHT_STD)

    def input_weights(self) -> list[nn.Parameter]:
        """The weights from the 1-of-N input: one matrix, or one per direction ("birnn")."""
        if self.kind in ("feedforward", WINDOW):
            return [self.hidden.weight]
        names = ("weight_ih_l0", "weight_ih_l0_reverse")[: 2 if self.kind == BIDIRECTIONAL else 1]
        return [getattr(self.hidden, name) for name in names]

    def hidden_states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden values for x of shape (batch, steps, n_inputs): (batch, steps, hidden)."""
        if self.kind == "feedforward":
            return torch.tanh(self.hidden(x))
        if self.kind == WINDOW:
            # Conv1d wants (batch, channels, steps); the zero padding is "no previous word".
            words = F.pad(x.transpose(1, 2), (WINDOW_WIDTH - 1, 0))
            return torch.tanh(self.hidden(words)).transpose(1, 2)
        states, _ = self.hidden(x)
        return states

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Label scores (logits), shape (batch, steps, len(LABELS))."""
        return self.output(self.hidden_states(x))

    def encode(self, tokens: Sequence[str]) -> torch.Tensor:
        """1-of-N codes of `tokens` (unknown words -> "other"), shape (1, steps, n_inputs)."""
        ids = torch.tensor([token_ids(tokens, self.vocabulary)])
        return F.one_hot(ids, self.n_inputs).float()


def _check_data(data: Sequence[SlotSentence]) -> list[SlotSentence]:
    """Return `data` as a list of SlotSentence records, or raise naming it."""
    data = list(data)
    if not data:
        raise ValueError("data must hold at least one sentence")
    for sentence in data:
        if not isinstance(sentence, SlotSentence):
            raise TypeError(f"data must hold SlotSentence records, got {type(sentence).__name__}")
    return data


def _batch(data: Sequence[SlotSentence], vocabulary: Sequence[str]) -> tuple[torch.Tensor, ...]:
    """Padded word ids and label ids, shape (sentences, longest); padding labels are IGNORE."""
    longest = max(len(s.tokens) for s in data)
    other = len(vocabulary)
    ids = torch.full((len(data), longest), other, dtype=torch.long)
    labels = torch.full((len(data), longest), IGNORE, dtype=torch.long)
    for row, sentence in enumerate(data):
        n = len(sentence.tokens)
        ids[row, :n] = torch.tensor(token_ids(sentence.tokens, vocabulary))
        labels[row, :n] = torch.tensor([LABELS.index(label) for label in sentence.labels])
    return ids, labels


def batch_ids(
    data: Sequence[SlotSentence], vocabulary: Sequence[str]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Word ids and label ids of `data`, each (sentences, longest word count), for a training
    loop: unknown words get id len(vocabulary) (the "other" dimension), and the positions
    after a sentence's end hold word "other" and label IGNORE (left out of the loss)."""
    data = _check_data(data)
    if isinstance(vocabulary, str) or not isinstance(vocabulary, Sequence):
        raise TypeError(f"vocabulary must be a sequence of words, got {type(vocabulary).__name__}")
    return _batch(data, vocabulary)


def train_tagger(
    kind: str,
    data: Sequence[SlotSentence],
    seed: int = 0,
    hidden_size: int = HIDDEN_SIZE,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    unknown_rate: float = UNKNOWN_RATE,
) -> Tagger:
    """Train a tagger of `kind` on `data` (full batch, Adam, cross-entropy); same seed, same model.

    The vocabulary is every word of `data`. In each epoch every word is replaced by the "other"
    dimension with probability `unknown_rate` (word dropout), so the tagger learns what to do
    with words it has never seen, such as a held-out city. One epoch is one Adam step on all
    sentences. The random draws (initial weights, word dropout) come from torch's generator
    seeded with `seed` inside torch.random.fork_rng, which restores the global state afterwards,
    and torch runs on one thread: the same seed gives the same model, whatever ran before.
    """
    data = _check_data(data)
    seed = check_seed(seed)
    epochs = check_int(epochs, "epochs", maximum=MAX_EPOCHS)
    if not check_real(learning_rate, "learning_rate") > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if not 0 <= check_real(unknown_rate, "unknown_rate") < 1:
        raise ValueError(f"unknown_rate must be in [0, 1), got {unknown_rate}")
    vocabulary = build_vocabulary(s.tokens for s in data)
    ids, labels = _batch(data, vocabulary)
    other = len(vocabulary)
    with single_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Tagger(kind, vocabulary, hidden_size)
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        for _ in range(epochs):
            dropped = torch.rand(ids.shape) < unknown_rate  # word dropout
            x = F.one_hot(ids.masked_fill(dropped, other), model.n_inputs).float()
            optimizer.zero_grad()
            logits = model(x)  # (sentences, words, labels)
            # One row of scores per word; padding (label IGNORE) is left out of the mean.
            loss = F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
            loss.backward()
            optimizer.step()
    return model.eval()


def _tokens_of(sentence: str | Sequence[str]) -> list[str]:
    """Tokens of a sentence given as a str (tokenized) or as a sequence of tokens."""
    if not isinstance(sentence, (str, Iterable)):
        raise TypeError(
            f"sentence must be a str or a list of words, got {type(sentence).__name__} {sentence!r}"
        )
    tokens = tokenize(sentence) if isinstance(sentence, str) else list(sentence)
    if not tokens or not all(isinstance(t, str) and t for t in tokens):
        raise ValueError(f"sentence must hold at least one word, got {sentence!r}")
    return tokens


def _check_model(model: object) -> Tagger:
    """Return `model` if it is a Tagger, or raise naming it."""
    if not isinstance(model, Tagger):
        raise TypeError(f"model must be a Tagger (from train_tagger), got {type(model).__name__}")
    return model


def tag_sentence(model: Tagger, sentence: str | Sequence[str]) -> list[tuple[str, str]]:
    """(token, predicted label) for each word of `sentence` (a str or a list of tokens)."""
    model = _check_model(model)
    tokens = _tokens_of(sentence)
    with single_thread(), torch.no_grad():
        predicted = model(model.encode(tokens))[0].argmax(dim=-1).tolist()
    return [(token, LABELS[p]) for token, p in zip(tokens, predicted, strict=True)]


def hidden_states(model: Tagger, sentence: str | Sequence[str]) -> np.ndarray:
    """Hidden values after each word of `sentence`, shape (words, hidden_size), for a heat map."""
    model = _check_model(model)
    tokens = _tokens_of(sentence)
    with single_thread(), torch.no_grad():
        return model.hidden_states(model.encode(tokens))[0].double().numpy()


def _predict(model: Tagger, data: list[SlotSentence]) -> tuple[torch.Tensor, ...]:
    """Predicted label ids, true label ids and word ids of `data`, each (sentences, longest)."""
    ids, labels = _batch(data, model.vocabulary)
    with single_thread(), torch.no_grad():  # one thread: faster for this small model
        predicted = model(F.one_hot(ids, model.n_inputs).float()).argmax(dim=-1)
    return predicted, labels, ids


def _city_tokens(labels: torch.Tensor) -> torch.Tensor:
    """Where `labels` (label ids) hold a city label: destination or departure."""
    return torch.isin(labels, torch.tensor([LABELS.index(label) for label in CITY_LABELS]))


def _share(correct: torch.Tensor, mask: torch.Tensor) -> float:
    """Share of the positions in `mask` that are `correct`; nan if `mask` is empty."""
    count = int(mask.sum())
    return float((correct & mask).sum()) / count if count else float("nan")


def evaluate_tagger(model: Tagger, data: Sequence[SlotSentence]) -> dict[str, float]:
    """Accuracy of `model` on `data`: all tokens, city tokens, and cities unknown to the model.

    Keys: token_accuracy, city_accuracy (tokens labelled destination or departure) and
    unseen_city_accuracy (those cities outside the model's vocabulary; nan if there are none).
    """
    model = _check_model(model)
    predicted, labels, ids = _predict(model, _check_data(data))
    correct = predicted == labels
    city = _city_tokens(labels)
    return {
        "token_accuracy": _share(correct, labels != IGNORE),
        "city_accuracy": _share(correct, city),
        "unseen_city_accuracy": _share(correct, city & (ids == len(model.vocabulary))),
    }


def _date_tokens(labels: torch.Tensor) -> torch.Tensor:
    """Where `labels` (label ids) hold a date label: time of arrival or of departure."""
    dates = [LABELS.index(label) for label in DATE_LABEL.values()]
    return torch.isin(labels, torch.tensor(dates))


def date_accuracy(model: Tagger, data: Sequence[SlotSentence]) -> float:
    """Share of the date tokens of `data` (time of arrival or of departure) that `model` labels
    right. In the lecture's sentences the cue is three words before the month."""
    model = _check_model(model)
    predicted, labels, _ = _predict(model, _check_data(data))
    return _share(predicted == labels, _date_tokens(labels))


def tagger_datasets(seed: int = 0) -> tuple[list[SlotSentence], list[SlotSentence]]:
    """Training sentences (TRAIN_CITIES) and held-out test sentences (all CITIES) for `seed`.

    Test pairs that repeat a training sentence are dropped, so every test sentence is new.
    """
    seed = check_int(seed, "seed", minimum=0)
    train = make_dataset(N_TRAIN, seed, cities=TRAIN_CITIES)
    seen = {s.tokens for s in train}
    candidates = make_dataset(N_TEST, seed + TEST_SEED_OFFSET, cities=CITIES)
    test = []
    for arrive, leave in zip(candidates[::2], candidates[1::2], strict=True):
        if arrive.tokens not in seen and leave.tokens not in seen:
            test.extend([arrive, leave])
    return train, test


def train_lesson_taggers(seed: int = 0) -> dict[str, Tagger]:
    """Notebook 05's three taggers (KINDS), each trained on tagger_datasets(seed)'s training set."""
    train, _ = tagger_datasets(seed)
    return {kind: train_tagger(kind, train, seed) for kind in KINDS}


def evaluate_taggers(
    taggers: Mapping[str, Tagger], data: Sequence[SlotSentence]
) -> dict[str, dict[str, float]]:
    """evaluate_tagger for each of `taggers` on the same sentences `data`, by kind."""
    return {kind: evaluate_tagger(model, data) for kind, model in taggers.items()}


def hidden_state_distance(
    model: Tagger, first: str | Sequence[str], second: str | Sequence[str]
) -> np.ndarray:
    """Euclidean distance between the hidden states of two equally long sentences, per word."""
    a, b = hidden_states(model, first), hidden_states(model, second)
    if a.shape != b.shape:
        raise ValueError(f"second must have as many words as first ({len(a)}), got {len(b)}")
    return np.linalg.norm(a - b, axis=1)


def first_difference(distances: Sequence[float], tolerance: float = 1e-6) -> int | None:
    """Index of the first distance above `tolerance` (where two sentences' states part), or None."""
    values = check_reals(distances, "distances", what="distances")
    if not check_real(tolerance, "tolerance") >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    above = np.flatnonzero(values > tolerance)
    return int(above[0]) if above.size else None


DIRECTION_KINDS: tuple[str, ...] = ("rnn", BIDIRECTIONAL)


def direction_datasets(seed: int = 0) -> tuple[list[SlotSentence], list[SlotSentence]]:
    """Training (TRAIN_CITIES) and test (all CITIES) sentences, half of them with the cue
    after the city ("taipei is where i will leave on ..."), as make_dataset(order="mixed")."""
    seed = check_int(seed, "seed", minimum=0)
    train = make_dataset(N_TRAIN, seed, cities=TRAIN_CITIES, order="mixed")
    test = make_dataset(N_TEST, seed + TEST_SEED_OFFSET, cities=CITIES, order="mixed")
    return train, test


def train_direction_taggers(seed: int = 0) -> dict[str, Tagger]:
    """Notebook 08's one-direction and bidirectional RNN (DIRECTION_KINDS), each trained on
    direction_datasets(seed)'s training set for DIRECTION_EPOCHS."""
    train, _ = direction_datasets(seed)
    return {
        kind: train_tagger(kind, train, seed, epochs=DIRECTION_EPOCHS) for kind in DIRECTION_KINDS
    }


def compare_directions(
    taggers: Mapping[str, Tagger], data: Sequence[SlotSentence]
) -> dict[str, dict[str, float]]:
    """Accuracy of each of `taggers` on `data` over all tokens and over the cities, separately
    where the cue comes before the city and where it comes after it."""
    data = _check_data(data)
    after = torch.tensor([[sentence.order == "after"] for sentence in data])
    results = {}
    for kind, model in taggers.items():
        predicted, labels, _ = _predict(_check_model(model), data)
        correct, city = predicted == labels, _city_tokens(labels)
        results[kind] = {
            "token_accuracy": _share(correct, labels != IGNORE),
            "city_accuracy_cue_before": _share(correct, city & ~after),
            "city_accuracy_cue_after": _share(correct, city & after),
        }
    return results
