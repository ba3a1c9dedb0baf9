"""The corpus store: one SQLite database file holding documents (keyed by content hash), named
corpora (which documents belong to them, in the order they were added), and the token cache.

Why SQLite: one file, transactions (a killed ingest leaves only whole documents), snapshot reads
in WAL mode (a notebook reading while the CLI ingests never sees half a document), and rows are
streamed, so training never needs every document's text in memory at once.

Token cache: the segmentation of a unit (jieba tokens and their tags, before any filter), stored
with the user words the tokenizer held (a row of ``word_sets``: every user word with its frequency
and tag) and keyed by the sha256 of the unit text plus the segmentation base (jieba's version, the
engine, the HMM switch, the tagger, Traditional -> Simplified). A unit's segmentation depends only
on the user words that occur in it, so a row made with other user words is still valid for a unit
that contains none of the words added, removed or changed since
(:meth:`workbench.text.tokenize.Tokenizer.changed_words`, one Aho-Corasick scan per unit). Editing a
user dictionary (or a new harvested term) thus re-tokenizes exactly the units that contain the
affected words. The kept tokens (after the filters) are cached too, per filter digest: editing
stopwords or another filter re-segments nothing, it re-filters the stored segmentations."""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from workbench import paths
from workbench.corpus.ingest import Document, Problem, read_sources

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id      TEXT PRIMARY KEY,
    source_file TEXT NOT NULL,
    record      TEXT NOT NULL,
    text        TEXT NOT NULL,
    meta        TEXT NOT NULL,
    removed     TEXT NOT NULL,
    added_at    REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS corpus_docs (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    corpus  TEXT NOT NULL,
    doc_id  TEXT NOT NULL REFERENCES documents(doc_id),
    UNIQUE (corpus, doc_id)
);
CREATE TABLE IF NOT EXISTS word_sets (
    id      INTEGER PRIMARY KEY,
    digest  TEXT NOT NULL UNIQUE,   -- Tokenizer.word_set_digest
    words   TEXT NOT NULL           -- JSON [[word, frequency, tag], ...]: Tokenizer.word_set
);
CREATE TABLE IF NOT EXISTS segments (
    unit      TEXT NOT NULL,        -- sha256 of the unit text (32 hex) + ':' + segmentation base digest
    word_set  INTEGER NOT NULL,     -- word_sets.id: the user words the tokenizer held
    tokens    TEXT NOT NULL,        -- jieba tokens, space-joined, before any filter
    tags      TEXT NOT NULL,        -- their part-of-speech tags, space-joined
    PRIMARY KEY (unit, word_set)
);  -- a rowid table: rows of kilobytes insert and read faster than WITHOUT ROWID
CREATE TABLE IF NOT EXISTS kept (
    unit      TEXT NOT NULL,        -- as segments.unit
    word_set  INTEGER NOT NULL,     -- as segments.word_set: the segmentation these tokens come from
    filter    TEXT NOT NULL,        -- Tokenizer.filter_digest: the filters and stopwords applied
    tokens    TEXT NOT NULL,        -- the kept tokens, space-joined
    PRIMARY KEY (unit, word_set, filter)
);
DROP TABLE IF EXISTS token_cache;  -- the cache's former layout (keys held the user words present)
"""
BATCH = 500  # documents per transaction: whole documents only, few fsyncs


def default_path() -> Path:
    env = os.environ.get("WORKBENCH_STORE")
    return Path(env) if env else paths.project_root() / ".workbench" / "store.sqlite"


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store; WAL mode, 60 s busy timeout."""
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


@dataclass(frozen=True)
class IngestReport:
    corpus: str | None
    added: int
    unchanged: int
    skipped: tuple[Problem, ...] = ()
    doc_ids: tuple[str, ...] = field(default=(), repr=False)

    def summary(self) -> str:
        reasons: dict[str, int] = {}
        for p in self.skipped:
            key = p.what.split(" (")[0].split(":")[0]
            key = "duplicate" if key.startswith("duplicate of") else key
            reasons[key] = reasons.get(key, 0) + 1
        why = "; ".join(f"{n} {k}" for k, n in sorted(reasons.items()))
        name = f"corpus '{self.corpus}': " if self.corpus else ""
        return (f"{name}{self.added} added, {self.unchanged} unchanged, {len(self.skipped)} skipped"
                + (f" ({why})" if why else ""))


def ingest(conn: sqlite3.Connection, sources: Sequence[Path], corpus: str | None = None, *,
           text_column: str | None = None, progress: bool = False) -> IngestReport:
    """Add the documents of ``sources`` to the store (and to ``corpus`` when named).

    ``added``: documents new to the corpus (or to the store, without a corpus); ``unchanged``:
    already there; ``skipped``: bad inputs and duplicates within this ingest, each a Problem.
    Commits every ``BATCH`` documents, so a killed ingest keeps whole documents and a rerun
    completes it. Returns the ids of every document the sources yielded, in source order.
    """
    problems: list[Problem] = []
    added = unchanged = 0
    ids: list[str] = []
    seen: dict[str, str] = {}
    batch: list[Document] = []

    def flush():
        nonlocal added, unchanged
        if not batch:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for d in batch:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO documents VALUES (?,?,?,?,?,?,?)",
                    (d.doc_id, d.source_file, d.record, d.text, json.dumps(d.meta, ensure_ascii=False),
                     json.dumps(list(d.removed), ensure_ascii=False), time.time()))
                new_doc = cur.rowcount == 1
                if corpus is not None:
                    cur = conn.execute("INSERT OR IGNORE INTO corpus_docs (corpus, doc_id) VALUES (?,?)",
                                       (corpus, d.doc_id))
                    new_doc = cur.rowcount == 1
                if new_doc:
                    added += 1
                else:
                    unchanged += 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        batch.clear()

    for d in read_sources(sources, text_column=text_column, problems=problems):
        if d.doc_id in seen:
            problems.append(Problem(d.source_file, d.record, f"duplicate of {seen[d.doc_id]}", "skipped"))
            continue
        seen[d.doc_id] = f"{d.source_file}{':' + d.record if d.record else ''}"
        ids.append(d.doc_id)
        batch.append(d)
        if len(batch) >= BATCH:
            flush()
    flush()
    return IngestReport(corpus, added, unchanged, tuple(problems), tuple(ids))


def corpus_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT corpus FROM corpus_docs ORDER BY corpus")]


def corpus_doc_ids(conn: sqlite3.Connection, corpus: str) -> list[str]:
    ids = [r[0] for r in conn.execute("SELECT doc_id FROM corpus_docs WHERE corpus=? ORDER BY seq", (corpus,))]
    if not ids:
        known = ", ".join(corpus_names(conn)) or "none yet"
        raise KeyError(f"no corpus named '{corpus}' in {default_path()} (corpora: {known}); "
                       f"add documents with `workbench ingest SOURCE --corpus {corpus}`")
    return ids


def iter_documents(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> Iterator[Document]:
    """Stream documents by id, in the given order, from one read snapshot."""
    for row in _iter_rows(conn, "doc_id, source_file, record, text, meta, removed", doc_ids):
        yield Document(row[0], row[1], row[2], row[3], json.loads(row[4]), tuple(json.loads(row[5])))


def iter_texts(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(doc_id, text) by id, in the given order, from one read snapshot (no metadata parsed)."""
    return _iter_rows(conn, "doc_id, text", doc_ids)


def _iter_rows(conn: sqlite3.Connection, columns: str, doc_ids: Iterable[str]) -> Iterator[tuple]:
    """``columns`` (the first being doc_id) of the documents, in the order of ``doc_ids``,
    ``BATCH`` per query."""
    with closing(conn.cursor()) as cur:
        cur.execute("BEGIN")
        try:
            ids = iter(doc_ids)
            while chunk := list(itertools.islice(ids, BATCH)):
                unique = list(dict.fromkeys(chunk))
                rows = {r[0]: r for r in cur.execute(
                    f"SELECT {columns} FROM documents WHERE doc_id IN ({','.join('?' * len(unique))})", unique)}
                for doc_id in chunk:
                    row = rows.get(doc_id)
                    if row is None:
                        raise KeyError(f"document {doc_id} is not in the store")
                    yield row
        finally:
            cur.execute("COMMIT")
