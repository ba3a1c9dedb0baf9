"""The ranges of the workbench's numeric settings, stated once.

Each :class:`Bound` is used twice: by the config dataclasses' ``__post_init__`` (a notebook's
``ModelConfig(num_topics=0)`` raises ValueError at once) and, as an argparse type, by the command
line (``--topics 0`` is a usage error before any text is read), so a value the library refuses is
refused by the CLI with the same words. tests/test_cli.py checks that every numeric option of
every command has one, and the same one as the dataclass field it sets."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

#: The most topics a model may have. Beyond it a model is no reading aid (and tomotopy and the
#: topic map spend minutes before running out of memory); the data bound (no more topics than
#: units or terms, see ``workbench.models.lda.check_topics``) is usually the tighter one.
MAX_TOPICS = 1000


@dataclass(frozen=True)
class Bound:
    """A range of whole numbers (``kind=int``) or finite reals (``float``): ``low`` <= x (< x when
    ``low_open``) and x <= ``high`` (< x when ``high_open``), each when given. ``what`` says it in
    words for messages."""

    kind: type
    what: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def holds(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Real if self.kind is float else numbers.Integral):
            return False
        if self.kind is float and not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def check(self, name: str, value):
        """``value`` when it is in range; else ValueError ``"num_topics must be ..., not 0"``."""
        if not self.holds(value):
            raise ValueError(f"{name} must be {self.what}, not {value!r}")
        return value

    def parse(self, text: str):
        """A command-line value: ``"12"`` -> 12; ValueError ``"expected ..., not '0'"`` otherwise."""
        try:
            value = self.kind(text.strip())
        except (TypeError, ValueError):
            value = None
        if value is None or not self.holds(value):
            raise ValueError(f"expected {self.what}, not {text!r}")
        return value


POSITIVE_INT = Bound(int, "a whole number of at least 1", low=1)
COUNT = Bound(int, "a whole number of at least 0", low=0)
TOPICS = Bound(int, f"a whole number from 1 to {MAX_TOPICS}", low=1, high=MAX_TOPICS)
TOPIC_ID = Bound(int, "a topic id (a whole number of at least 0)", low=0)
#: tomotopy, gensim, numpy and Spark all take seeds in this range.
SEED = Bound(int, "a whole number from 0 to 4294967295", low=0, high=2**32 - 1)
POSITIVE = Bound(float, "a number above 0", low=0, low_open=True)
#: A share of something: above 0, at most 1 (``no_above``, a mini-batch's share of the units).
SHARE = Bound(float, "a number above 0 and at most 1", low=0, high=1, low_open=True)
#: A weight or similarity between 0 and 1, both included (relevance λ, a match threshold).
UNIT_INTERVAL = Bound(float, "a number from 0 to 1", low=0, high=1)
#: A probability strictly between 0 and 1 (the level of an interval).
OPEN_UNIT_INTERVAL = Bound(float, "a number between 0 and 1 (both excluded)", low=0, high=1, low_open=True,
                           high_open=True)
PORT = Bound(int, "a port number from 1 to 65535", low=1, high=65535)
#: A wait, in seconds (``--wait``: how long a command waits for another process's write to the store).
SECONDS = Bound(float, "a number of seconds, 0 or more", low=0)


def check_fields(obj, bounds: dict[str, Bound]) -> None:
    """Check the fields of a config dataclass against their bounds (its ``__post_init__``)."""
    for name, bound in bounds.items():
        bound.check(name, getattr(obj, name))
