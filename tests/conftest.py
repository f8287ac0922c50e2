"""Fixtures several test modules share: the digits and the two nets trained on them, once."""

from __future__ import annotations

import pytest

from helpers.core.digits import DigitSplit, dense_net, digit_cnn, digit_split, train


@pytest.fixture(scope="session")
def digit_data() -> DigitSplit:
    """Notebook 09's seeded split of the digits."""
    return digit_split()


@pytest.fixture(scope="session")
def trained_digits(digit_data: DigitSplit) -> tuple:
    """The reference CNN and fully connected net, trained as notebook 09 trains them, with
    their histories: (cnn, cnn history, dense, dense history)."""
    cnn, dense = digit_cnn(), dense_net()
    return cnn, train(cnn, digit_data), dense, train(dense, digit_data)
