"""The stages of a command: how long each took, for the run's manifest (``timings``).

A :class:`Stages` is handed down the pipeline (``engines`` -> ``text.preprocess.prepare`` -> the
run-folder writer); each layer times its own stages with ``with stages("tokenize"): ...``.
Wall seconds depend on the machine and its load: they go into ``manifest.json`` only, never into
a table whose hash a rerun compares."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stages:
    """Wall seconds per stage, in the order the stages first ran (a stage run twice adds up)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as stage ``name`` (also when it raises)."""
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - t0)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def as_dict(self) -> dict[str, float]:
        """``{stage: seconds, ..., "total": their sum}``, rounded to milliseconds (the manifest's
        ``timings``)."""
        out = {name: round(s, 3) for name, s in self.seconds.items()}
        out["total"] = round(sum(self.seconds.values()), 3)
        return out
