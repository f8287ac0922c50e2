"""The environment in which Python runs the project's make, free of an outer make's variables.

Under `make test` (or `make test-pythons TORCH=pypi`) the outer make exports MAKEFLAGS and every
variable given on its command line; a make started from a test would inherit them and print or
do something else than a person's `make` does. The tests, the browser driver and the benches
build the environment of the make they start here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"
MAKE_OWN = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")  # what make itself exports to its commands


def caller_variables(makefile: Path = MAKEFILE) -> set[str]:
    """The variables the Makefile lets a caller set (`NAME ?= ...`)."""
    return set(re.findall(r"^(\w+) \?=", makefile.read_text(), flags=re.M))


def without_outer_make(
    base: Mapping[str, str] | None = None, drop: Iterable[str] = ()
) -> dict[str, str]:
    """`base` (os.environ when None) without make's own variables, the Makefile's caller
    variables and the names in `drop`."""
    unwanted = set(MAKE_OWN) | caller_variables() | set(drop)
    source = os.environ if base is None else base
    return {name: value for name, value in source.items() if name not in unwanted}
