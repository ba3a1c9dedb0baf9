"""The modelling vocabulary: gensim's ``filter_extremes`` rule on term-id arrays."""

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


def build_vocabulary(token2id: dict[str, int], raw_ids: Sequence[np.ndarray], no_below: int,
                     no_above: float) -> tuple[Vocabulary, np.ndarray, float]:
    """Keep terms in at least ``no_below`` units and at most ``no_above`` of them (gensim's
    ``filter_extremes`` rule, computed with numpy), ids renumbered in first-seen order.

    Returns the vocabulary (with a gensim Dictionary for coherence and TF-IDF), the old-id ->
    new-id map (-1 for dropped terms) and the ``no_above`` actually applied: on a handful of units
    15% can be under one unit, so the floor keeps terms shared by ``no_below + 1`` units.
    """
    from gensim.corpora import Dictionary

    n_units = len(raw_ids)
    df = np.bincount(np.concatenate([np.unique(ids) for ids in raw_ids]), minlength=len(token2id))
    eff_no_above = max(no_above, min(1.0, (no_below + 1) / n_units))
    keep = (df >= no_below) & (df <= eff_no_above * n_units)
    if not keep.any():
        raise PipelineError("the vocabulary is empty after filtering (no_below/no_above too strict for this corpus)")
    remap = np.full(len(token2id), -1, dtype=np.int32)
    remap[keep] = np.arange(int(keep.sum()), dtype=np.int32)
    by_old_id = sorted(token2id, key=token2id.get)
    terms = tuple(t for t, k in zip(by_old_id, keep) if k)
    dfreq = df[keep].astype(np.int64)
    d = Dictionary()
    d.token2id = {t: i for i, t in enumerate(terms)}
    d.dfs = {i: int(x) for i, x in enumerate(dfreq)}
    d.num_docs = n_units
    return Vocabulary(d, terms, dfreq, np.zeros(len(terms), dtype=np.int64)), remap, eff_no_above
