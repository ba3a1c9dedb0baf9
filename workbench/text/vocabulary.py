"""The modelling vocabulary: gensim's ``filter_extremes`` rule on term-id arrays, and the one
gensim Dictionary every engine saves and scores with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from workbench.errors import PipelineError


@dataclass(frozen=True)
class Vocabulary:
    """The gensim Dictionary after ``filter_extremes`` plus per-term counts."""

    dictionary: object  # gensim.corpora.Dictionary
    terms: tuple[str, ...]
    doc_freq: np.ndarray
    corpus_freq: np.ndarray


def keep_terms(doc_freq: np.ndarray, n_units: int, no_below: int, no_above: float) -> tuple[np.ndarray, float]:
    """Which terms the vocabulary keeps: those in at least ``no_below`` of the ``n_units`` units
    and at most ``no_above`` of them (gensim's ``filter_extremes`` rule). Returns the mask and
    the ``no_above`` actually applied (:func:`effective_no_above`: on a handful of units 15% can
    be under one unit). Elementwise: parts of the terms may be
    judged apart (the Spark engine judges them on its executors)."""
    eff_no_above = effective_no_above(n_units, no_below, no_above)
    doc_freq = np.asarray(doc_freq)
    return (doc_freq >= no_below) & (doc_freq <= eff_no_above * n_units), eff_no_above


def effective_no_above(n_units: int, no_below: int, no_above: float) -> float:
    """``no_above``, raised to keep terms shared by ``no_below + 1`` of ``n_units`` units."""
    return max(no_above, min(1.0, (no_below + 1) / n_units))


def empty_vocabulary() -> PipelineError:
    return PipelineError("the vocabulary is empty after filtering (no_below/no_above too strict for this corpus)")


def to_dictionary(terms: Sequence[str], doc_freq: Sequence[int], num_docs: int, corpus_freq=None):
    """The gensim Dictionary of a vocabulary: ids in ``terms`` order, document frequencies over
    ``num_docs`` units, corpus frequencies (and gensim's totals) when ``corpus_freq`` is given."""
    from gensim.corpora import Dictionary

    d = Dictionary()
    d.token2id = {t: i for i, t in enumerate(terms)}
    d.dfs = {i: int(x) for i, x in enumerate(doc_freq)}
    d.num_docs = int(num_docs)
    if corpus_freq is not None:
        d.cfs = {i: int(x) for i, x in enumerate(corpus_freq)}
        d.num_pos = int(np.sum(corpus_freq))
        d.num_nnz = int(np.sum(doc_freq))
    return d


def build_vocabulary(token2id: dict[str, int], raw_ids: Sequence[np.ndarray], no_below: int,
                     no_above: float) -> tuple[Vocabulary, np.ndarray, float]:
    """Keep terms by :func:`keep_terms` over the units ``raw_ids``, ids renumbered in first-seen
    order (the order of ``token2id``'s ids).

    Returns the vocabulary (with a gensim Dictionary for coherence and TF-IDF), the old-id ->
    new-id map (-1 for dropped terms) and the ``no_above`` actually applied."""
    n_units = len(raw_ids)
    df = np.bincount(np.concatenate([np.unique(ids) for ids in raw_ids]), minlength=len(token2id))
    keep, eff_no_above = keep_terms(df, n_units, no_below, no_above)
    if not keep.any():
        raise empty_vocabulary()
    remap = np.full(len(token2id), -1, dtype=np.int32)
    remap[keep] = np.arange(int(keep.sum()), dtype=np.int32)
    by_old_id = sorted(token2id, key=token2id.get)
    terms = tuple(t for t, k in zip(by_old_id, keep) if k)
    dfreq = df[keep].astype(np.int64)
    return (Vocabulary(to_dictionary(terms, dfreq, n_units), terms, dfreq, np.zeros(len(terms), dtype=np.int64)),
            remap, eff_no_above)
