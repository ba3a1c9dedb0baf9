"""The run folder's tables (doc_topics, topics, keywords), built from arrays and ids, not from a
model object, so a run trained by any engine reads the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from workbench.files import write_csv_chunks
from workbench.runfolder.schema import _RESERVED, KEYWORD_COLUMNS, META_ORDER, topic_columns

CHUNK_UNITS = 1000  # units per block of rows when the big tables are written


def _meta_row(meta: dict) -> dict:
    # Metadata that collides with our own columns keeps its name with a prefix.
    return {(k if k not in _RESERVED else f"meta_{k}"): v for k, v in meta.items()}


def _blank_missing(df: pd.DataFrame, columns: list[str]) -> None:
    """Metadata columns as text columns: values as they are, "" where absent."""
    df[columns] = df[columns].astype(object).where(df[columns].notna(), "")


def _meta_dtypes(corpus) -> tuple[dict, dict]:
    """Metadata columns in first-seen order over the modelled units, each with two dtypes of the
    whole table: the one pandas infers for its values, and the one it has once missing values
    are blanked and formulas neutralised (a block alone may infer others, e.g. floats without
    the "" of a missing value print as floats).

    One pass over the documents that keep a unit, holding a sample value per column and kind of
    value (the smallest and largest int) and whether some document lacks the column."""
    from workbench.files import neutralize_formulas

    kept = set(corpus.unit_doc_ids)
    samples: dict[str, dict] = {}
    missing: set[str] = set()
    n_docs = 0
    for doc in corpus.documents():
        if doc.doc_id not in kept:
            continue
        row = _meta_row(doc.meta)
        missing.update(samples.keys() - row.keys())
        for name, value in row.items():
            if name not in samples:
                samples[name] = {}
                if n_docs:
                    missing.add(name)
            col = samples[name]
            if type(value) is int:
                col["low"] = min(col.get("low", value), value)
                col["high"] = max(col.get("high", value), value)
            else:
                col.setdefault((type(value), value != value), value)  # NaN is a kind of its own
        n_docs += 1
    inferred, printed = {}, {}
    for name, col in samples.items():
        df = pd.DataFrame([{name: v} for v in col.values()] + [{}] * (name in missing), columns=[name])
        inferred[name] = df.dtypes.iloc[0]
        _blank_missing(df, [name])
        printed[name] = neutralize_formulas(df).dtypes.iloc[0]
    return inferred, printed


def write_doc_topics(corpus, doc_topic: np.ndarray, path: Path, chunk_units: int = CHUNK_UNITS) -> None:
    """Write doc_topics.csv: per modelled unit its ids, source, metadata ("" where absent), text,
    token count, dominant topic and dense shares.

    A unit's source, record and metadata are those of its document's first record among the
    modelled sources (``corpus.record_ids``). When some modelled text came from more than one
    record, an ``other_records`` column after ``record`` names the others (``source_file:record``,
    separated by "; "), so every record given can be joined to its topic shares.

    Streams the units' texts from the store and writes blocks of ``chunk_units`` rows; memory
    holds one block. The bytes are those of the table built whole (:func:`_meta_dtypes`)."""
    inferred, printed = _meta_dtypes(corpus)
    ordered = [k for k in META_ORDER if k in inferred] + [k for k in inferred if k not in META_ORDER]
    kept = set(corpus.unit_doc_ids)
    others = {d: "; ".join(names) for d, names in corpus.other_records.items() if d in kept}
    columns = ["doc_id", "unit_id", "source_file", "record", *(["other_records"] if others else []), *ordered,
               "text", "n_tokens"]
    shares_columns = topic_columns(doc_topic.shape[1])

    def block(rows: list[dict], first: int) -> pd.DataFrame:
        df = pd.DataFrame(rows).reindex(columns=columns).astype({c: inferred[c] for c in ordered})
        _blank_missing(df, ordered)
        shares = doc_topic[first:first + len(rows)]
        df["dominant_topic"] = shares.argmax(axis=1)
        return pd.concat([df, pd.DataFrame(shares, columns=shares_columns)], axis=1)

    def blocks() -> Iterator[pd.DataFrame]:
        rows: list[dict] = []
        first = 0
        for (d, u), n in zip(corpus.iter_units(), corpus.n_tokens):
            rows.append({"doc_id": u.doc_id, "unit_id": u.unit_id, "source_file": d.source_file,
                         "record": d.record, "other_records": others.get(u.doc_id, ""), **_meta_row(d.meta),
                         "text": u.text, "n_tokens": int(n)})
            if len(rows) == chunk_units:
                yield block(rows, first)
                first += len(rows)
                rows = []
        if rows:
            yield block(rows, first)

    write_csv_chunks(blocks(), path, printed)


def build_topics_table(topic_term: np.ndarray, terms, labels: dict[int, str], n: int = 20) -> pd.DataFrame:
    from workbench.models.metrics import top_term_ids

    rows = []
    for t, ids in enumerate(top_term_ids(topic_term, n)):
        for rank, i in enumerate(ids):
            rows.append({"topic": t, "label": labels.get(t, ""), "rank": rank + 1, "term": terms[i],
                         "weight": float(topic_term[t, i])})
    return pd.DataFrame(rows)


def _unit_counts(token_ids, n_terms: int, chunk_units: int = CHUNK_UNITS):
    """Units x terms CSR matrix of term counts, built in blocks of units."""
    import scipy.sparse as sp

    blocks = []
    for i in range(0, len(token_ids), chunk_units):
        ids = token_ids[i:i + chunk_units]
        lengths = np.fromiter((len(t) for t in ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids)), lengths)
        blocks.append(sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, np.concatenate(ids))),
                                    shape=(len(ids), n_terms)))
    return sp.vstack(blocks, format="csr")


def keyword_chunks(corpus, n: int = 10, chunk_units: int = CHUNK_UNITS) -> Iterator[pd.DataFrame]:
    """keywords.csv in blocks: the top ``n`` TF-IDF terms (:func:`models.tfidf_top`) per unit, then
    per article (an article's bag is the sum of its units'; articles in first-seen order), each
    level with its own document frequencies. Memory holds the two sparse count matrices."""
    import scipy.sparse as sp

    from workbench.models.metrics import term_order, tfidf_idf, tfidf_top

    terms = np.array(corpus.vocab.terms, dtype=object)
    order = term_order(corpus.vocab.terms)
    units = _unit_counts(corpus.token_ids, len(terms), chunk_units)
    unit_doc_ids = np.array(corpus.unit_doc_ids, dtype=object)
    articles = list(dict.fromkeys(corpus.unit_doc_ids))
    index = {d: i for i, d in enumerate(articles)}
    member = sp.csr_matrix((np.ones(len(unit_doc_ids), dtype=np.int32),
                            ([index[d] for d in corpus.unit_doc_ids], np.arange(len(unit_doc_ids)))),
                           shape=(len(articles), len(unit_doc_ids)))
    levels = (("unit", units, unit_doc_ids, np.array(corpus.unit_ids, dtype=object)),
              ("article", (member @ units).tocsr(), np.array(articles, dtype=object), None))
    for level, counts, doc_ids, unit_ids in levels:
        idf = tfidf_idf(np.bincount(counts.indices, minlength=len(terms)), counts.shape[0])
        for i in range(0, counts.shape[0], chunk_units):
            rows, cols, scores = tfidf_top(counts[i:i + chunk_units], idf, order, n)
            rank = np.arange(len(rows)) - np.searchsorted(rows, rows) + 1
            yield pd.DataFrame({"level": level, "doc_id": doc_ids[i + rows],
                                "unit_id": unit_ids[i + rows] if unit_ids is not None else "",
                                "rank": rank, "term": terms[cols], "score": scores}, columns=list(KEYWORD_COLUMNS))


def build_keywords(corpus, n: int = 10) -> pd.DataFrame:
    """keywords.csv as one frame (:func:`keyword_chunks`)."""
    return pd.concat(keyword_chunks(corpus, n), ignore_index=True)
