"""Reading a dynamic topic model's run (``workbench train --over-time``): one topic's vocabulary
slice by slice, and chosen terms' trajectories within a topic.

The tables come from the run folder (``topics_over_time.csv``: top terms per topic and slice); a
term's weight in any slice, also outside the top terms, comes from the saved model
(``model/dtm.topica``, topica's own format, no pickle)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import files, runfolder
from workbench.errors import UsageError
from workbench.models import dtm

__all__ = ["over_time", "term_topic", "term_weights", "topic_over_time"]


def _as_run(run) -> runfolder.Run:
    run = run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))
    if run.manifest.get("engine") != dtm.ENGINE:
        raise UsageError(f"run {run.path.name} is not a dynamic topic model (train it with --over-time)")
    return run


def over_time(run) -> pd.DataFrame:
    """The run's ``topics_over_time.csv`` (:data:`workbench.models.dtm.COLUMNS`)."""
    run = _as_run(run)
    return pd.read_csv(run.path / dtm.TABLE, encoding=files.CSV_ENCODING, keep_default_na=False)


def topic_over_time(run, topic: int, n: int = 10) -> pd.DataFrame:
    """One topic's top ``n`` terms per slice, wide: one row per rank, one column per period."""
    table = over_time(run)
    d = table[(table["topic"] == int(topic)) & (table["rank"] <= n)]
    if d.empty:
        raise UsageError(f"topic {topic}: the run has topics 0..{int(table['topic'].max())}")
    wide = d.pivot(index="rank", columns="period", values="term")
    return wide[list(dict.fromkeys(d.sort_values("slice")["period"]))]


def term_weights(run, terms: Sequence[str], topic: int | None = None) -> pd.DataFrame:
    """p(term | topic, slice) of ``terms`` in every slice: ``topic``, ``slice``, ``period``, ``term``,
    ``weight``. ``topic`` None: for each term the topic where it weighs most over the slices
    (:func:`term_topic`). Terms outside the run's vocabulary raise :class:`UsageError`."""
    run = _as_run(run)
    model = dtm.load_model(run.path)
    vocab = set(model.vocabulary)
    missing = [t for t in terms if t not in vocab]
    if missing:
        raise UsageError(f"not in the vocabulary of run {run.path.name}: {'、'.join(missing)}")
    slices = pd.DataFrame(run.manifest["model_settings"]["slices"])
    rows = []
    for term in terms:
        k = term_topic(model, term) if topic is None else int(topic)
        for s, w in zip(slices.itertuples(), model.word_evolution(k, term)):
            rows.append({"topic": k, "slice": s.slice, "period": s.period, "term": term, "weight": float(w)})
    return pd.DataFrame(rows)


def term_topic(model, term: str) -> int:
    """The topic in which ``term`` has the largest summed probability over the slices."""
    return int(np.argmax([np.sum(model.word_evolution(k, term)) for k in range(model.num_topics)]))
