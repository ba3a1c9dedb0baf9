"""What a fitted model is measured and read by: TF-IDF keywords and coherence."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def tfidf_keywords(bows: Sequence[Sequence[tuple[int, int]]], terms: Sequence[str],
                   n: int = 10) -> list[list[tuple[str, float]]]:
    """Top ``n`` TF-IDF terms per bag-of-words, the bags being the IDF's document collection.

    gensim's TfidfModel with smartirs 'ntc' (raw tf, idf ``log2((N + 1) / df)``, cosine
    normalisation), computed by :func:`tfidf_top` on a sparse matrix. Ties break on the term."""
    import scipy.sparse as sp

    bags = [np.asarray(b, dtype=np.int64).reshape(-1, 2) for b in bows]
    pairs = np.concatenate([np.zeros((0, 2), dtype=np.int64), *bags])
    indptr = np.concatenate([[0], np.cumsum([len(b) for b in bags])])
    counts = sp.csr_matrix((pairs[:, 1], pairs[:, 0], indptr), shape=(len(bags), len(terms)))
    df = np.bincount(pairs[:, 0], minlength=len(terms))
    rows, cols, scores = tfidf_top(counts, tfidf_idf(df, len(bags)), term_order(terms), n)
    out: list[list[tuple[str, float]]] = [[] for _ in bags]
    for r, c, s in zip(rows.tolist(), cols.tolist(), scores.tolist()):
        out[r].append((terms[c], s))
    return out


def term_order(terms: Sequence[str]) -> np.ndarray:
    """Rank of each term in string order (the TF-IDF tie-break)."""
    order = np.empty(len(terms), dtype=np.int64)
    order[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    return order


def tfidf_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """smartirs 't' idf, ``log2((n_docs + 1) / df)`` per term, as gensim computes each value
    (numpy's scalar log2, which an array log2 may round differently); 0 where ``df`` is 0."""
    values, inverse = np.unique(np.asarray(df), return_inverse=True)
    idf = np.array([np.log2((n_docs + 1.0) / int(d)) if d else 0.0 for d in values], dtype=np.float64)
    return idf[inverse]


def tfidf_top(counts, idf: np.ndarray, order: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top ``n`` 'ntc' TF-IDF terms per row of ``counts`` (CSR, terms in columns, sorted indices).

    Bit for bit gensim's ``TfidfModel.__getitem__``: weight ``tf * idf`` (terms with idf <= 1e-12
    dropped), divided by the row's L2 norm (squares by pow, as gensim's ``w ** 2``, added in id
    order), weights <= 1e-12 dropped; ranked by weight, ties on ``order``. Returns (row, term id, score) arrays, rows
    ascending and ranked within a row.
    """
    counts = counts.tocsr()
    counts.sort_indices()
    row_of = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    keep = np.abs(idf[counts.indices]) > 1e-12
    row_of, cols = row_of[keep], counts.indices[keep]
    weights = counts.data[keep].astype(np.float64) * idf[cols]
    # bincount adds a row's squares one after another, as gensim's sum() does; numpy's pairwise
    # sum may differ in the last bit, which can reorder near-ties and change a printed digit.
    norms = np.sqrt(np.bincount(row_of, weights=np.float_power(weights, 2), minlength=counts.shape[0]))
    weights = weights / np.maximum(norms[row_of], np.finfo(float).tiny)  # 0 only for an all-zero row
    keep = np.abs(weights) > 1e-12
    row_of, cols, weights = row_of[keep], cols[keep], weights[keep]
    ranked = np.lexsort((order[cols], -weights, row_of))
    row_of, cols, weights = row_of[ranked], cols[ranked], weights[ranked]
    first = np.searchsorted(row_of, row_of, side="left")
    top = np.arange(len(row_of)) - first < n
    return row_of[top], cols[top], weights[top]


def top_term_ids(topic_term: np.ndarray, n: int = 10) -> np.ndarray:
    """Indices of the ``n`` most probable terms per topic (stable on ties)."""
    return np.argsort(-topic_term, axis=1, kind="stable")[:, :n]


NPMI_WINDOW = 10  # gensim's default sliding window for c_npmi


NPMI_EPSILON = 1e-12  # gensim's direct_confirmation_measure.EPSILON


def coherence(topic_term: np.ndarray, terms: Sequence[str], token_lists: Sequence[Sequence[str]] | None = None,
              dictionary=None, measure: str = "c_npmi", topn: int = 10, *,
              token_ids: Sequence[np.ndarray] | None = None) -> tuple[float, list[float]]:
    """Topic coherence of the top ``topn`` terms per topic, the units being the reference texts:
    ``token_lists`` (terms as strings) or ``token_ids`` (arrays of indices into ``terms``).

    c_npmi is gensim's CoherenceModel value computed with numpy (:func:`npmi_per_topic`); other
    measures run gensim's CoherenceModel with ``dictionary``. Returns (mean over finite topics,
    per-topic values with NaN for a non-finite one). The same function scores every engine and
    the benchmark baseline.
    """
    top = top_term_ids(topic_term, topn)
    if measure == "c_npmi":
        if token_ids is None:
            relevant = {terms[i]: i for i in np.unique(top).tolist()}
            token_ids = (np.fromiter((relevant.get(w, -1) for w in text), dtype=np.int64, count=len(text))
                         for text in token_lists)
        raw = npmi_per_topic(top, token_ids, len(terms))
    else:
        from gensim.models.coherencemodel import CoherenceModel

        if token_lists is None:
            token_lists = [[terms[i] for i in ids] for ids in token_ids]
        cm = CoherenceModel(topics=[[terms[i] for i in row] for row in top], texts=[list(t) for t in token_lists],
                            dictionary=dictionary, coherence=measure, topn=topn, processes=1)
        raw = cm.get_coherence_per_topic()
    per = [float(x) if math.isfinite(x) else float("nan") for x in raw]
    finite = [x for x in per if math.isfinite(x)]
    return (float(np.mean(finite)) if finite else float("nan")), per


def window_counts(texts, relevant: np.ndarray, n_terms: int, window: int = NPMI_WINDOW,
                  chunk_tokens: int = 1 << 18) -> tuple[np.ndarray, np.ndarray, int]:
    """gensim's boolean sliding-window counts (``WordOccurrenceAccumulator``) for the term ids
    ``relevant``: (windows holding each term, windows holding each pair, number of windows).

    ``texts``: arrays of term ids (negative: a token that is not counted). A text has
    ``max(len - window + 1, 1)`` windows, an empty one included. gensim updates a window's word
    set by clearing the token that leaves it even when the same word is still inside, so an
    occurrence at ``p`` counts in the windows from ``max(0, p - window + 1)`` up to the first
    occurrence of the same word at or after that start (or the text's last window), and so it
    counts here. Texts are taken in chunks of about ``chunk_tokens`` tokens, a sparse windows x
    terms matrix each.
    """
    import scipy.sparse as sp

    r = len(relevant)
    column = np.full(n_terms, -1, dtype=np.int64)
    column[relevant] = np.arange(r)
    occurrences = np.zeros(r, dtype=np.int64)
    pairs = np.zeros((r, r), dtype=np.int64)
    n_windows = 0
    chunk: list[np.ndarray] = []
    size = 0

    def flush():
        nonlocal n_windows
        lengths = np.array([len(t) for t in chunk], dtype=np.int64)
        n_win = np.maximum(lengths - window + 1, 1)
        ids = np.concatenate(chunk) if chunk else np.zeros(0, dtype=np.int64)
        cols = np.where(ids >= 0, column[np.where(ids >= 0, ids, 0)], -1)
        at = np.flatnonzero(cols >= 0)
        text = np.searchsorted(np.cumsum(lengths), at, side="right")
        tok_start = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pos = at - tok_start[text]
        col = cols[at]
        start = np.maximum(pos - window + 1, 0)
        # first occurrence of the same word in the same text at or after ``start``
        key = col * len(ids) + at
        order = np.argsort(key, kind="stable")
        first = at[order][np.searchsorted(key[order], col * len(ids) + tok_start[text] + start)]
        end = np.minimum(first - tok_start[text], n_win[text] - 1)
        win_start = np.concatenate([[0], np.cumsum(n_win)[:-1]])
        span = end - start + 1
        rows = np.repeat(win_start[text] + start - np.cumsum(span) + span, span) + np.arange(span.sum())
        x = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, np.repeat(col, span))),
                          shape=(int(n_win.sum()), r))
        x.data[:] = 1  # a word counts once per window
        occurrences[:] += np.asarray(x.sum(axis=0)).ravel()
        pairs[:] += (x.T @ x).toarray()
        n_windows += int(n_win.sum())
        chunk.clear()

    for t in texts:
        chunk.append(np.asarray(t, dtype=np.int64))
        size += len(t)
        if size >= chunk_tokens:
            flush()
            size = 0
    flush()
    return occurrences, pairs, n_windows


def npmi_per_topic(top: np.ndarray, texts, n_terms: int, window: int = NPMI_WINDOW) -> np.ndarray:
    """gensim's c_npmi per topic (rows of ``top``: term ids), with probabilities from
    :func:`window_counts` over ``texts``; see :func:`npmi_from_counts`."""
    relevant = np.unique(top)
    return npmi_from_counts(top, relevant, *window_counts(texts, relevant, n_terms, window))


def npmi_from_counts(top: np.ndarray, relevant: np.ndarray, occurrences: np.ndarray, pairs: np.ndarray,
                     n_windows: int) -> np.ndarray:
    """c_npmi per topic from :func:`window_counts` for the terms ``relevant`` (``np.unique(top)``):
    the mean over ordered pairs of distinct top terms of ``log((P(a,b) + eps) / (P(a) P(b))) /
    -log(P(a,b) + eps)``. A term that never occurs gives +inf, as in gensim."""
    idx = np.searchsorted(relevant, top)
    k = top.shape[1]
    a = np.repeat(idx, k, axis=1)
    b = np.tile(idx, (1, k))
    off = ~np.eye(k, dtype=bool).ravel()
    a, b = a[:, off], b[:, off]
    n = float(n_windows)
    with np.errstate(divide="ignore", invalid="ignore"):
        joint = pairs[a, b] / n
        pmi = np.log((joint + NPMI_EPSILON) / ((occurrences[a] / n) * (occurrences[b] / n)))
        return np.array([np.mean(row) for row in pmi / -np.log(joint + NPMI_EPSILON)])
