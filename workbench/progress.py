"""The stages of a command: how long each took, for the run's manifest (``timings``), and a line
on standard error for every stage that runs longer than a second.

A :class:`Stages` is handed down the pipeline (``cli`` -> ``engines`` -> ``text.preprocess.prepare``
-> the run-folder writer); each layer times its own stages with ``with stages("tokenize", what):``
or, in straight-line code, ``stage = stages.begin(...)`` ... ``stage.end()``. Wall seconds depend
on the machine and its load: they go into ``manifest.json`` only, never into a table whose hash a
rerun compares.

With ``progress=True``, a stage given a ``what`` ("writing the topic map (ldavis.html)") that is
still running after :data:`ANNOUNCE_AFTER` seconds logs ``what …`` through the ``workbench`` logger
(the command line prints it as ``workbench: ...``; ``--quiet`` turns it off), and ``what: 2.4 s``
when it ends; quicker stages say nothing. Stages that draw a progress bar (tokenizing many
documents, Gibbs sweeps) pass no ``what``."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds a stage runs before its line is shown.
ANNOUNCE_AFTER = 1.0

_log = logging.getLogger("workbench.progress")


class Stage:
    """One running stage of :meth:`Stages.begin`; :meth:`end` records its seconds."""

    def __init__(self, stages: Stages, name: str, what: str | None):
        self.stages, self.name, self.what = stages, name, None
        self.t0 = time.perf_counter()
        self.shown = False
        self.ended: float | None = None
        self._timer = None
        if what:
            self.announce(what)

    def announce(self, what: str) -> None:
        """Say ``what …`` once the stage has run :data:`ANNOUNCE_AFTER` seconds (at once if it
        already has): for a stage whose description is known only after it began."""
        self.what = what
        if not self.stages.progress or self._timer is not None or self.ended is not None:
            return
        delay = ANNOUNCE_AFTER - (time.perf_counter() - self.t0)
        if delay <= 0:
            self._show()
        else:
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        self.shown = True
        _log.info("%s …", self.what)

    def end(self) -> float:
        """Stop the stage; its seconds are added to its name's (once: a second call does
        nothing). Returns them."""
        if self.ended is not None:
            return self.ended
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        seconds = time.perf_counter() - self.t0
        self.stages.add(self.name, seconds)
        if self.shown:
            _log.info("%s: %.1f s", self.what, seconds)
        self.ended = seconds
        return seconds


class Sequence:
    """See :meth:`Stages.sequence`."""

    def __init__(self, stages: Stages):
        self.stages, self.current = stages, None

    def next(self, name: str, what: str | None = None) -> None:
        self.end()
        self.current = self.stages.begin(name, what)

    def end(self) -> None:
        if self.current is not None:
            self.current.end()
            self.current = None


class Stages:
    """Wall seconds per stage, in the order the stages first ran (a stage run twice adds up);
    ``progress``: show a line for a slow stage (see the module's docstring)."""

    def __init__(self, progress: bool = False):
        self.progress = progress
        self.seconds: dict[str, float] = {}

    def begin(self, name: str, what: str | None = None) -> Stage:
        """Start stage ``name``; ``what`` says in words what it does, for its progress line."""
        return Stage(self, name, what)

    @contextmanager
    def __call__(self, name: str, what: str | None = None) -> Iterator[None]:
        """Time the ``with`` block as stage ``name`` (also when it raises)."""
        stage = self.begin(name, what)
        try:
            yield
        finally:
            stage.end()

    @contextmanager
    def sequence(self) -> Iterator[Sequence]:
        """Stages that follow each other in straight-line code: ``seq.next(name, what)`` ends the
        running stage and begins the next; leaving the ``with`` block ends the last (also when it
        raises, so no line is shown after an error)."""
        seq = Sequence(self)
        try:
            yield seq
        finally:
            seq.end()

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def as_dict(self) -> dict[str, float]:
        """``{stage: seconds, ..., "total": their sum}``, rounded to milliseconds (the manifest's
        ``timings``)."""
        out = {name: round(s, 3) for name, s in self.seconds.items()}
        out["total"] = round(sum(self.seconds.values()), 3)
        return out

    def summary(self, most: int = 4) -> str:
        """``"13.2 s (train 4.9, ldavis 2.4, vocabulary 1.7, tokenize 1.0)"``: the total and the
        ``most`` longest stages."""
        top = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:most]
        return f"{sum(self.seconds.values()):.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in top)})"
