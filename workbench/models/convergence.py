"""When has a Gibbs chain settled? A stopping rule on the chain's own trace, tested on plain numbers.

The sampler trains in blocks of ``check_every`` sweeps; after each block it reports the
log-likelihood per token and every topic's top terms. :class:`Criterion` says the chain has
converged when, with at least ``min_iterations`` sweeps done,

1. the mean log-likelihood per token over the last ``window`` sweeps differs from the mean over the
   ``window`` sweeps before by less than ``tol`` (relative), and the two windows measure that
   difference to better than ``tol`` (the standard error of the difference of the means, from the
   spread of the values within each window, is below ``tol`` too): the climb has flattened out,
   and a chain whose log-likelihood jumps about more than ``tol`` from block to block (a corpus of a
   few hundred short paragraphs) cannot stop on a chance agreement of two noisy means; and
2. every topic keeps at least ``top_overlap`` of its ``top_n`` most probable terms over the last
   ``window`` sweeps: what a reader sees of each topic no longer changes;

and stops at ``max_iterations`` sweeps whatever the trace says (``converged`` is then false). Every
input is the chain's state, so for a given seed (and thread count) the stop is deterministic.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class Criterion:
    """The stopping rule (see the module docstring). Defaults measured in BENCHMARKS.md."""

    tol: float = 2.5e-4
    window: int = 100
    check_every: int = 10
    min_iterations: int = 200
    max_iterations: int = 2000
    top_n: int = 10
    top_overlap: int = 7

    def __post_init__(self):
        if self.window % self.check_every or self.window <= 0:
            raise ValueError("window must be a positive multiple of check_every")
        if not 0 < self.min_iterations <= self.max_iterations:
            raise ValueError("need 0 < min_iterations <= max_iterations")

    def describe(self) -> str:
        return (f"stop after at least {self.min_iterations} sweeps when the mean log-likelihood per token of the "
                f"last {self.window} sweeps differs from that of the {self.window} before by less than "
                f"{self.tol:g} (relative), with a standard error of that difference below {self.tol:g} too, and every topic keeps at least {self.top_overlap} of its top "
                f"{self.top_n} terms over the last {self.window} sweeps; at most {self.max_iterations} sweeps")


@dataclass
class Monitor:
    """Feeds on (sweeps, ll per token, top-term ids) after every block; ``update`` says whether to stop.

    ``trace`` rows: sweeps, ll per token, relative change of the windowed means (None until two
    windows exist), the smallest top-term overlap of any topic with one window earlier (None
    likewise), the relative standard error of that change (None likewise)."""

    criterion: Criterion
    trace: list[list] = field(default_factory=list)
    _tops: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    converged: bool = False

    def update(self, sweeps: int, ll_per_token: float, top_ids: np.ndarray) -> bool:
        c = self.criterion
        self._tops[sweeps] = np.sort(np.asarray(top_ids)[:, :c.top_n], axis=1)
        for old in [s for s in self._tops if s < sweeps - c.window]:
            del self._tops[old]
        rel = se = overlap = None
        lls = [row[1] for row in self.trace] + [ll_per_token]
        per_window = c.window // c.check_every
        if len(lls) >= 2 * per_window:
            a, b = np.array(lls[-per_window:]), np.array(lls[-2 * per_window:-per_window])
            scale = max(abs(float(a.mean())), 1e-12)
            rel = abs(float(a.mean() - b.mean())) / scale
            se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))) / scale if per_window > 1 else 0.0
        if sweeps - c.window in self._tops:
            overlap = min_overlap(self._tops[sweeps - c.window], self._tops[sweeps])
        self.trace.append([sweeps, float(ll_per_token), rel, overlap, se])
        self.converged = (sweeps >= c.min_iterations and rel is not None and rel < c.tol and se < c.tol
                          and overlap is not None and overlap >= c.top_overlap)
        return self.converged or sweeps >= c.max_iterations

    def record(self) -> dict:
        """What the manifest keeps: the rule, where it stopped, and the trace."""
        return {"criterion": self.criterion.describe(), "settings": asdict(self.criterion),
                "converged": self.converged, "sweeps": self.trace[-1][0] if self.trace else 0,
                "stopped_by": "criterion" if self.converged else "max_iterations",
                "trace_columns": ["sweeps", "ll_per_token", "relative_change", "min_top_overlap", "relative_se"],
                "trace": [[s, round(ll, 6), None if r is None else round(r, 7), o, None if e is None else round(e, 7)]
                          for s, ll, r, o, e in self.trace]}


def min_overlap(a: np.ndarray, b: np.ndarray) -> int:
    """Smallest number of shared ids between matching rows of two (topics, n) id arrays."""
    return int(min(len(np.intersect1d(x, y, assume_unique=True)) for x, y in zip(a, b)))
