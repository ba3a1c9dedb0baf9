"""The run folder's tables (doc_topics, topics, keywords), built from arrays and ids, not from a
model object, so a run trained by any engine reads the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from workbench.corpus.ingest import HEADERS_KEY, source_name
from workbench.files import write_csv_chunks
from workbench.runfolder.schema import KEYWORD_COLUMNS, META_ORDER, columns_file, topic_columns

CHUNK_UNITS = 1000  # units per block of rows when the big tables are written


def _meta_row(meta: dict) -> dict:
    # Ingest names a column like one of ours source_<name>; a record stored before it did gets
    # the same name here.
    return {source_name(k, meta): v for k, v in meta.items() if k != HEADERS_KEY}


def _kind(col: dict) -> str:
    """The :data:`schema.COLUMN_TYPES` word of one column's sample values (MetaProfile.samples)."""
    types = {key[0] if isinstance(key, tuple) else int for key in col}
    if types <= {int}:
        return "integer"
    if types <= {bool}:
        return "boolean"
    return "number" if types <= {int, float} else "string"


def write_column_types(path: Path, types: dict[str, str], headers: dict[str, str]) -> None:
    """``doc_topics.columns.json`` beside the table: each column's type, and the source's header of
    each column that was renamed to a field (``{"title": "标题"}``)."""
    import json

    columns = {name: {"type": kind, **({"header": headers[name]} if name in headers else {})}
               for name, kind in types.items()}
    columns_file(path).write_text(json.dumps({"columns": columns}, ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")


def _blank_missing(df: pd.DataFrame, columns: list[str]) -> None:
    """Metadata columns as text columns: values as they are, "" where absent."""
    df[columns] = df[columns].astype(object).where(df[columns].notna(), "")


class MetaProfile:
    """What doc_topics.csv needs to know of its metadata before the first block is written: the
    columns in first-seen order and, per column, the dtype of the whole table (a block alone may
    infer another, e.g. ints without the gap of a missing value print as ints, not floats).

    Built from (order key, metadata) pairs, one per modelled unit or document, in any order:
    :meth:`merge` joins profiles of parts (the Spark engine profiles each partition). Holds a
    sample value per column and kind of value (the smallest and largest int), each column's first
    position and how many rows have it: memory grows with the columns, not the rows."""

    def __init__(self):
        self.first: dict[str, tuple] = {}
        self.samples: dict[str, dict] = {}
        self.counts: dict[str, int] = {}
        self.headers: dict[str, str] = {}  # {column: the source's header}, the first seen
        self.expected: dict[str, str] = {}  # {column: type word} the table has even where no row does
        self.n = 0

    def expect(self, kinds: dict[str, str], headers: dict[str, str] | None = None) -> MetaProfile:
        """Give the table these metadata columns (name -> :data:`schema.COLUMN_TYPES` word, in
        order) before any it meets: a table of new documents then has a run's columns, blank where
        the new records lack them, with the run's types (and source headers). Call it first, with
        the int order keys of :func:`meta_profile` to follow (they start at 0)."""
        for j, (name, kind) in enumerate(kinds.items()):
            self.first[name] = (-1, j)
            self.counts.setdefault(name, 0)
            self.samples.setdefault(name, {})
            self.expected[name] = kind
        for name, header in (headers or {}).items():
            self.headers.setdefault(name, header)
        return self

    def add(self, key, meta: dict) -> "MetaProfile":
        for name, header in meta.get(HEADERS_KEY, {}).items():
            self.headers.setdefault(name, header)
        for j, (name, value) in enumerate(_meta_row(meta).items()):
            if name not in self.first or (key, j) < self.first[name]:
                self.first[name] = (key, j)
            self.counts[name] = self.counts.get(name, 0) + 1
            _add_sample(self.samples.setdefault(name, {}), value)
        self.n += 1
        return self

    def merge(self, other: "MetaProfile") -> "MetaProfile":
        for name, pos in other.first.items():
            if name not in self.first or pos < self.first[name]:
                self.first[name] = pos
            self.counts[name] = self.counts.get(name, 0) + other.counts[name]
            col = self.samples.setdefault(name, {})
            for kind, value in other.samples[name].items():
                if kind in ("low", "high"):
                    _add_sample(col, value)
                else:
                    col.setdefault(kind, value)
        for name, header in other.headers.items():
            self.headers.setdefault(name, header)
        self.n += other.n
        return self

    def columns(self) -> list[str]:
        """Metadata columns as doc_topics.csv orders them: META_ORDER first, then first seen."""
        seen = sorted(self.first, key=self.first.__getitem__)
        return [k for k in META_ORDER if k in self.first] + [k for k in seen if k not in META_ORDER]

    def kinds(self) -> dict[str, str]:
        """Each column's type word (:func:`_kind`) for ``doc_topics.columns.json``."""
        return {name: _kind(col) if col or name not in self.expected else self.expected[name]
                for name, col in self.samples.items()}

    def dtypes(self) -> tuple[dict, dict]:
        """Two dtypes per column over the whole table: the one pandas infers for its values, and
        the one it has once missing values are blanked and formulas neutralised."""
        from workbench.files import neutralize_formulas

        inferred, printed = {}, {}
        for name in sorted(self.first, key=self.first.__getitem__):
            col = self.samples[name]
            missing = self.counts[name] < self.n
            df = pd.DataFrame([{name: v} for v in col.values()] + [{}] * missing, columns=[name])
            # Whole numbers with gaps stay whole numbers (pandas would make them floats: 7 -> 7.0),
            # as doc_topics.columns.json calls them.
            inferred[name] = pd.Int64Dtype() if missing and _kind(col) == "integer" else df.dtypes.iloc[0]
            df = df.astype({name: inferred[name]})
            _blank_missing(df, [name])
            printed[name] = neutralize_formulas(df).dtypes.iloc[0]
        return inferred, printed


def _add_sample(col: dict, value) -> None:
    if type(value) is int:
        col["low"] = min(col.get("low", value), value)
        col["high"] = max(col.get("high", value), value)
    else:
        col.setdefault((type(value), value != value), value)  # NaN is a kind of its own


def meta_profile(corpus) -> MetaProfile:
    """The profile of the documents of ``corpus`` (text.preprocess.Corpus) that keep a unit:
    one pass over them, in the store's order."""
    kept = set(corpus.unit_doc_ids)
    profile = MetaProfile()
    for i, doc in enumerate(d for d in corpus.documents() if d.doc_id in kept):
        profile.add(i, doc.meta)
    return profile


def other_records(corpus) -> dict[str, str]:
    """doc_id -> the later records of its text among the modelled sources (``source_file:record``,
    separated by "; "), for the modelled texts that have some."""
    kept = set(corpus.unit_doc_ids)
    return {d: "; ".join(names) for d, names in corpus.other_records.items() if d in kept}


def doc_topic_blocks(corpus, doc_topic: np.ndarray, chunk_units: int = CHUNK_UNITS
                     ) -> Iterator[tuple[list[dict], np.ndarray]]:
    """The local engine's doc-topic rows for :func:`write_doc_topic_rows`: the units' texts
    streamed from the store, ``chunk_units`` rows and their shares at a time. A unit's source,
    record and metadata are those of its document's first record among the modelled sources
    (``corpus.record_ids``); ``other_records`` names the others."""
    others = other_records(corpus)
    rows: list[dict] = []
    first = 0
    for (d, u), n in zip(corpus.iter_units(), corpus.n_tokens):
        rows.append({"doc_id": u.doc_id, "unit_id": u.unit_id, "source_file": d.source_file,
                     "record": d.record, "other_records": others.get(u.doc_id, ""), "meta": d.meta,
                     "text": u.text, "n_tokens": int(n)})
        if len(rows) == chunk_units:
            yield rows, doc_topic[first:first + len(rows)]
            first += len(rows)
            rows = []
    if rows:
        yield rows, doc_topic[first:first + len(rows)]


def write_doc_topic_rows(blocks: Iterable[tuple[list[dict], np.ndarray]], profile: MetaProfile,
                         path: Path, with_other_records: bool = False) -> None:
    """Write doc_topics.csv from blocks of (rows, shares): per modelled unit its ids, source,
    metadata ("" where absent), text, token count, dominant topic and dense shares. A row is a
    dict with ``doc_id``, ``unit_id``, ``source_file``, ``record``, ``meta`` (a dict), ``text``
    and ``n_tokens``; ``shares`` is (rows, K) with rows summing to 1. ``with_other_records``: an
    ``other_records`` column after ``record`` (the rows' ``other_records``: the other records of
    the same text, so every record given can be joined to its topic shares).

    Memory holds one block; the bytes are those of the table built whole (``profile``, of the
    same rows). Beside it, ``doc_topics.columns.json`` (:func:`write_column_types`): each column's
    type and source header, so a reader restores every value as it went in."""
    inferred, printed = profile.dtypes()
    ordered = profile.columns()
    columns = ["doc_id", "unit_id", "source_file", "record", *(["other_records"] if with_other_records else []),
               *ordered, "text", "n_tokens"]

    n_topics = []

    def frames() -> Iterator[pd.DataFrame]:
        for rows, shares in blocks:
            n_topics[:] = [shares.shape[1]]
            df = pd.DataFrame([{**{k: v for k, v in r.items() if k != "meta"}, **_meta_row(r["meta"])}
                               for r in rows]).reindex(columns=columns).astype({c: inferred[c] for c in ordered})
            _blank_missing(df, ordered)
            df["dominant_topic"] = shares.argmax(axis=1)
            yield pd.concat([df, pd.DataFrame(shares, columns=topic_columns(shares.shape[1]))], axis=1)

    write_csv_chunks(frames(), path, printed)
    kinds = profile.kinds()
    write_column_types(path, {"doc_id": "string", "unit_id": "string", "source_file": "string", "record": "string",
                              **({"other_records": "string"} if with_other_records else {}),
                              **{c: kinds[c] for c in ordered}, "text": "string", "n_tokens": "integer",
                              "dominant_topic": "integer", **{c: "number" for c in topic_columns(n_topics[0])}},
                       profile.headers)


def write_doc_topics(corpus, doc_topic: np.ndarray, path: Path, chunk_units: int = CHUNK_UNITS) -> None:
    """doc_topics.csv of a local corpus (:func:`write_doc_topic_rows` of :func:`doc_topic_blocks`)."""
    write_doc_topic_rows(doc_topic_blocks(corpus, doc_topic, chunk_units), meta_profile(corpus), path,
                         bool(other_records(corpus)))


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
