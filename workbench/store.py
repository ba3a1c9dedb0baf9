"""The corpus store: one SQLite database file holding documents (keyed by content hash), named
corpora (which documents belong to them, in the order they were added), and the token cache.

Why SQLite: one file, transactions (a killed ingest leaves only whole documents), snapshot reads
in WAL mode (a notebook reading while the CLI ingests never sees half a document), and rows are
streamed, so training never needs every document's text in memory at once.

Token cache: the segmentation of a unit (jieba tokens and their tags, before any filter) keyed by
``(sha256 of the unit text, segmentation key)``; the segmentation key names jieba's version, the
HMM switch and the user words (dictionary and harvested terms, with frequency and tag) that occur
in the unit (:meth:`workbench.tokenize.Tokenizer.segment_key`). So editing a user dictionary
re-tokenizes exactly the units that contain the added, removed or changed words; stopwords and
the other filters are applied after the cache and never invalidate it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from . import paths
from .ingest import Document, Problem, read_sources

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
CREATE TABLE IF NOT EXISTS token_cache (
    key     TEXT PRIMARY KEY,   -- sha256 of the unit text (32 hex) + ':' + segmentation key
    tokens  TEXT NOT NULL,      -- jieba tokens, space-joined, before any filter
    tags    TEXT NOT NULL       -- their part-of-speech tags, space-joined
) WITHOUT ROWID;
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
    with closing(conn.cursor()) as cur:
        cur.execute("BEGIN")
        try:
            for doc_id in doc_ids:
                row = cur.execute("SELECT doc_id, source_file, record, text, meta, removed FROM documents "
                                  "WHERE doc_id=?", (doc_id,)).fetchone()
                if row is None:
                    raise KeyError(f"document {doc_id} is not in the store")
                yield Document(row[0], row[1], row[2], row[3], json.loads(row[4]), tuple(json.loads(row[5])))
        finally:
            cur.execute("COMMIT")


def unit_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    seconds_tokenizing: float = 0.0


def cached_segments(conn: sqlite3.Connection, tokenizer, texts: Sequence[str], stats: CacheStats,
                    segment_many=None) -> list[tuple[str, str]]:
    """Segmentation of each text as (tokens, tags) space-joined strings: from the cache where
    present, else segmented and stored.

    ``segment_many(texts) -> list of (tokens, tags)`` may parallelise the misses (a process pool).
    """
    keys = [f"{unit_hash(t)}:{tokenizer.segment_key(t)}" for t in texts]
    found: dict[str, tuple[str, str]] = {}
    for i in range(0, len(keys), 900):
        chunk = keys[i:i + 900]
        marks = ",".join("?" * len(chunk))
        for key, toks, tags in conn.execute(f"SELECT key, tokens, tags FROM token_cache WHERE key IN ({marks})",
                                            chunk):
            found[key] = (toks, tags)
    missing = [i for i, k in enumerate(keys) if k not in found]
    stats.hits += len(keys) - len(missing)
    stats.misses += len(missing)
    if missing:
        t0 = time.perf_counter()
        todo = [texts[i] for i in missing]
        segs = segment_many(todo) if segment_many else [tokenizer.segment_joined(t) for t in todo]
        stats.seconds_tokenizing += time.perf_counter() - t0
        rows = []
        for i, seg in zip(missing, segs):
            found[keys[i]] = seg
            rows.append((keys[i], *seg))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT OR REPLACE INTO token_cache VALUES (?,?,?)", rows)
        conn.execute("COMMIT")
    return [found[k] for k in keys]
