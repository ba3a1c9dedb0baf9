"""Topics over time: the dynamic topic model (Blei & Lafferty 2006) over time slices of a numeric
metadata column (``year``, parsed from ``date``), fitted by topica's DTM (a port of Blei's C dtm /
gensim's ``LdaSeqModel``: variational EM with Kalman smoothing of each topic's word distribution
from slice to slice).

Topics are shared by every slice and their words drift: topic k at slice t is φ_kt, a random walk
over t with variance ``chain_variance``. Each unit belongs to the slice of its year; slices start at
the given years (the first also takes earlier years, as ``workbench prevalence --periods`` bins
them). The fit comes out as the plain arrays of :class:`workbench.models.lda.Fitted`: ``topic_term``
is each topic's distribution averaged over the slices, weighted by their tokens (what topics.csv,
the topic map and every reading aid show), and the table ``topics_over_time.csv`` holds each topic's
top terms in every slice.

Why topica's DTM and these defaults: ``bench/dtm_gov_reports.py`` (README, "Topics over time")."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from workbench import checks
from workbench.errors import UsageError
from workbench.models.lda import Fitted
from workbench.models.stm import covariate_frame, em_progress, unit_metadata

ENGINE = "dtm"
TABLE = "topics_over_time.csv"
COLUMNS = ("topic", "slice", "period", "start", "end", "n_units", "rank", "term", "weight")


@dataclass(frozen=True)
class DtmConfig:
    """DTM settings; names follow topica's (gensim's ``LdaSeqModel``: ``chain_variance``,
    ``obs_variance``).

    ``slices``: the years (values of ``column``) at which slices start, ``(1954, 1978, 1993, 2003,
    2013)``; ``column``: the numeric metadata column that orders the units (``year`` from ``date``);
    ``chain_variance``: how far a topic's words may move from one slice to the next (topica's and
    gensim's default 0.005 keeps topics nearly fixed on slices of tens of thousands of tokens);
    ``iterations``: variational EM iterations; ``init``: ``"spectral"`` (deterministic anchor words,
    as the STM) or ``"random"`` (a seeded static LDA); ``top_n``: terms per topic and slice in the table.
    """

    slices: tuple[float, ...]
    column: str = "year"
    chain_variance: float = 1.0
    obs_variance: float = 0.5
    alpha: float = 0.01
    iterations: int = 20
    init: str = "spectral"
    top_n: int = 20

    BOUNDS: ClassVar[dict] = {"chain_variance": checks.POSITIVE, "obs_variance": checks.POSITIVE,
                              "alpha": checks.POSITIVE, "iterations": checks.POSITIVE_INT,
                              "top_n": checks.POSITIVE_INT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


def _number(value: float) -> str:
    return f"{value:g}"


def assign_slices(values: pd.Series, starts, *, column: str = "year") -> tuple[np.ndarray, pd.DataFrame]:
    """The slice of every value (0-based) and a table of the slices (``slice``, ``period``, ``start``,
    ``end``, ``n_units``). Slice i holds the values from ``starts[i]`` up to the next start; the first
    also takes values below ``starts[0]``, the last runs to the largest value. Raises
    :class:`UsageError` for fewer than two starts or a slice with no unit (naming it and the range
    of the values)."""
    starts = sorted({float(s) for s in starts})
    if len(starts) < 2:
        raise UsageError(f"--slices: give at least two start values of {column}, e.g. 1954,1978,1993,2003,2013")
    x = values.to_numpy(dtype=float)
    index = np.clip(np.searchsorted(np.array(starts), x, side="right") - 1, 0, None)
    lo, hi = float(np.min(x)), float(np.max(x))
    whole = bool(np.all(x == np.round(x))) and all(float(s).is_integer() for s in starts)
    rows = []
    for i, s in enumerate(starts):
        inside = x[index == i]
        begin = min(s, lo) if i == 0 else s
        if i + 1 == len(starts):
            end = max(hi, s)
        else:  # whole years: 1954-1977; other numbers: up to the next start
            end = starts[i + 1] - 1 if whole else starts[i + 1]
        period = f"{_number(begin)}-{_number(end)}" if end > begin else _number(begin)
        if not len(inside):
            raise UsageError(f"--slices: slice {period} of {column} has no units (the units' {column} runs "
                             f"{_number(lo)}-{_number(hi)}); choose other starts")
        rows.append({"slice": i, "period": period, "start": begin, "end": end, "n_units": len(inside)})
    return index, pd.DataFrame(rows)


def fit_dtm(corpus, num_topics: int, random_state: int, config: DtmConfig, *, progress: bool = True) -> Fitted:
    """Fit a DTM over the slices of ``config.column`` on the corpus's units.

    Inputs: a prepared corpus (``workbench.text.preprocess.Corpus``), K, the seed, the settings.
    Output: :class:`Fitted` with ``topic_term`` (the slices' token-weighted mean), dense ``doc_topic``
    (the variational γ, normalised), ``model`` the topica DTM (saved as ``model/dtm.topica``) and the
    table ``topics_over_time.csv`` (:data:`COLUMNS`). Raises :class:`UsageError` for an unknown or
    non-numeric column, units without a value, and an empty slice, before any training.

    Cost: every EM iteration runs a Kalman filter and smoother per topic and term over the slices
    and an E-step per unit: about K x V x T per iteration (on the 865 sections of the government
    reports, K = 15, 9,600 terms, 5 slices: see the README for the seconds). Memory holds K x V x T
    floats several times over.
    """
    import topica

    meta = unit_metadata(corpus)
    values = covariate_frame(meta, [config.column], where="metadata")[config.column]
    if not pd.api.types.is_numeric_dtype(values):
        raise UsageError(f"--over-time {config.column!r}: the column is not numeric (e.g. {values.iloc[0]!r}); "
                         "time slices need a year or another number")
    index, slices = assign_slices(values, config.slices, column=config.column)
    terms = corpus.vocab.terms
    docs = [[terms[i] for i in ids] for ids in corpus.token_ids]
    n_tokens = np.array([len(d) for d in docs])
    slices["n_tokens"] = [int(n_tokens[index == i].sum()) for i in slices["slice"]]
    t0 = time.perf_counter()
    with em_progress(progress, config.iterations, "training (DTM EM)") as tick:
        model = topica.DTM(num_topics, alpha=config.alpha, chain_variance=config.chain_variance,
                           obs_variance=config.obs_variance, seed=random_state, init=config.init).fit(
            docs, [int(i) for i in index], iters=config.iterations, progress=tick)
    seconds = time.perf_counter() - t0
    # topica numbers terms by first occurrence; put its columns in the vocabulary's order.
    where = {w: i for i, w in enumerate(model.vocabulary)}
    cols = [where[t] for t in terms]
    by_slice = np.stack([np.asarray(model.topic_word(t), dtype=np.float64)[:, cols] for t in range(len(slices))])
    by_slice /= by_slice.sum(axis=2, keepdims=True)
    weights = slices["n_tokens"].to_numpy(float) / n_tokens.sum()
    tt = np.tensordot(weights, by_slice, axes=1)
    tt /= tt.sum(axis=1, keepdims=True)
    dt = np.asarray(model.doc_topic, dtype=np.float64)
    dt /= dt.sum(axis=1, keepdims=True)
    settings = {
        "over_time": config.column, "slices": slices.to_dict(orient="records"),
        "chain_variance": config.chain_variance, "obs_variance": config.obs_variance, "alpha": config.alpha,
        "em_iterations": config.iterations, "init": config.init, "initialization": model.initialization,
        "bound": float(model.bound), "ll_per_word": float(model.bound) / max(int(n_tokens.sum()), 1),
        "seconds_em": round(seconds, 3), "missing_seed_words": {}, "num_keyed": 0,
    }
    return Fitted(tt, dt, ("",) * num_topics, ENGINE, model, settings,
                  tables={TABLE: over_time_table(by_slice, terms, slices, config.top_n)})


def over_time_table(by_slice: np.ndarray, terms, slices: pd.DataFrame, top_n: int = 20) -> pd.DataFrame:
    """``(T, K, V)`` topic-term arrays as the long table of :data:`COLUMNS`: each topic's ``top_n``
    terms in every slice, by p(term | topic, slice)."""
    rows = []
    for s in slices.itertuples():
        for k in range(by_slice.shape[1]):
            phi = by_slice[s.slice, k]
            for rank, j in enumerate(np.argsort(-phi, kind="stable")[:top_n], start=1):
                rows.append((k, s.slice, s.period, s.start, s.end, s.n_units, rank, terms[j], float(phi[j])))
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    whole = {c: "int64" for c in ("start", "end") if np.all(table[c] == np.round(table[c]))}
    return table.astype(whole).sort_values(["topic", "slice", "rank"], kind="stable").reset_index(drop=True)


def load_model(run_path):
    """The topica DTM of a run folder (``model/dtm.topica``, topica's own format, not a pickle)."""
    from pathlib import Path

    import topica

    return topica.DTM.load(str(Path(run_path) / "model" / f"{ENGINE}.topica"))
