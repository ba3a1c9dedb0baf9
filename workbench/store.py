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
(:meth:`workbench.tokenize.Tokenizer.changed_words`, one Aho-Corasick scan per unit). Editing a
user dictionary (or a new harvested term) thus re-tokenizes exactly the units that contain the
affected words. The kept tokens (after the filters) are cached too, per filter digest: editing
stopwords or another filter re-segments nothing, it re-filters the stored segmentations.
"""

from __future__ import annotations

import hashlib
import itertools
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
from .tokenize import WordFinder

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


def unit_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class SegmentCache:
    """The token cache seen through one tokenizer.

    :meth:`kept` gives each text's kept tokens. A stored row is reused when it was made with this
    tokenizer's user words, or with other user words none of whose changes
    (:meth:`~workbench.tokenize.Tokenizer.changed_words`) occur in the text: first a row of kept
    tokens made with the same filters (``Tokenizer.filter_digest``), else a stored segmentation,
    filtered now; else the text is segmented now. ``segment_many(texts) -> list of (tokens, tags)``
    may parallelise those misses (a process pool). ``hits``, ``misses`` (texts segmented) and
    ``seconds_segmenting`` count what it did.
    """

    def __init__(self, conn: sqlite3.Connection, tokenizer, segment_many=None):
        self.conn, self.tokenizer = conn, tokenizer
        self.segment_many = segment_many or (lambda texts: [tokenizer.segment_joined(t) for t in texts])
        self.hits = self.misses = 0
        self.seconds_segmenting = 0.0
        self._suffix = ":" + hashlib.sha256(tokenizer.config.segmentation_base().encode()).hexdigest()[:16]
        conn.execute("INSERT OR IGNORE INTO word_sets (digest, words) VALUES (?, ?)",
                     (tokenizer.word_set_digest, json.dumps(tokenizer.word_set, ensure_ascii=False)))
        self.word_set = conn.execute("SELECT id FROM word_sets WHERE digest=?",
                                     (tokenizer.word_set_digest,)).fetchone()[0]
        self._finders: dict[int, WordFinder] = {}

    def _changed_in(self, word_set: int) -> WordFinder:
        """Whether a text contains a user word changed since ``word_set``."""
        finder = self._finders.get(word_set)
        if finder is None:
            words = json.loads(self.conn.execute("SELECT words FROM word_sets WHERE id=?", (word_set,)).fetchone()[0])
            finder = self._finders[word_set] = WordFinder(self.tokenizer.changed_words(words))
        return finder

    def _reusable(self, sql: str, params: tuple, keys: list[str], texts: Sequence[str]) -> list[tuple | None]:
        """Per key, ``(word_set, *values)`` of a row this tokenizer may reuse, or None. ``sql``
        selects ``unit, word_set, *values`` for the units in its ``{}`` placeholder list."""
        current: dict[str, tuple] = {}
        older: dict[str, list[tuple]] = {}
        for i in range(0, len(keys), 900):
            chunk = list(dict.fromkeys(keys[i:i + 900]))
            for row in self.conn.execute(sql.format(",".join("?" * len(chunk))), (*params, *chunk)):
                if row[1] == self.word_set:
                    current[row[0]] = row[1:]
                else:
                    older.setdefault(row[0], []).append(row[1:])
        found: list[tuple | None] = []
        for key, text in zip(keys, texts):
            row = current.get(key)
            if row is None and key in older:
                norm = self.tokenizer.normalize(text)
                row = next((r for r in older[key] if not self._changed_in(r[0])(norm)), None)
            found.append(row)
        return found

    def _write(self, sql: str, rows: list[tuple]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(sql, rows)
        self.conn.execute("COMMIT")

    def segments(self, keys: list[str], texts: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(word_set, tokens, tags)`` per text (space-joined strings): reused or segmented now."""
        found = self._reusable("SELECT unit, word_set, tokens, tags FROM segments WHERE unit IN ({})", (),
                               keys, texts)
        missing = [i for i, row in enumerate(found) if row is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            t0 = time.perf_counter()
            segs = self.segment_many([texts[i] for i in missing])
            self.seconds_segmenting += time.perf_counter() - t0
            for i, seg in zip(missing, segs):
                found[i] = (self.word_set, *seg)
            self._write("INSERT OR REPLACE INTO segments VALUES (?,?,?,?)",
                        [(keys[i], *found[i]) for i in missing])
        return found

    def kept(self, texts: Sequence[str]) -> list[list[str]]:
        """The kept tokens of each text (``Tokenizer.filter_joined`` of its segmentation)."""
        keys = [unit_hash(t) + self._suffix for t in texts]
        digest = self.tokenizer.filter_digest
        found = self._reusable("SELECT unit, word_set, tokens FROM kept WHERE filter=? AND unit IN ({})", (digest,),
                               keys, texts)
        todo = [i for i, row in enumerate(found) if row is None]
        self.hits += len(keys) - len(todo)
        if todo:
            segs = self.segments([keys[i] for i in todo], [texts[i] for i in todo])
            for i, (word_set, tokens, tags) in zip(todo, segs):
                found[i] = (word_set, " ".join(self.tokenizer.filter_joined(tokens, tags)))
            self._write("INSERT OR REPLACE INTO kept VALUES (?,?,?,?)",
                        [(keys[i], found[i][0], digest, found[i][1]) for i in todo])
        return [tokens.split(" ") if tokens else [] for _, tokens in found]
