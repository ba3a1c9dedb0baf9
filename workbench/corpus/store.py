"""The corpus store: one SQLite database file holding records, documents, named corpora and the
token cache.

A record is what a source gave: a text file, or a line / row / record of a record file, with its
source name, line and metadata columns. A document is a cleaned text, keyed by its content hash and
stored once however many records hold it. Records belong to a named corpus (``workbench ingest
--corpus NAME``, listed in the order they were first added) or to the direct-training records
(corpus '', what ``workbench train SOURCE...`` ingests); a record keeps its own metadata, even when
its text was seen before, and ingesting it again with other metadata updates it. Texts are
deduplicated for modelling (and for the token cache), never for provenance.

Why SQLite: one file, transactions (a killed ingest leaves only whole records), snapshot reads
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
stopwords or another filter re-segments nothing, it re-filters the stored segmentations.

Document cache (``document_tokens``, ``document_terms``, ``terms``, ``term_sets``,
``document_scripts``): per document, its units' kept tokens as numbers of the store's ``terms``
table, with the user words they were made with; the terms it quotes; which of the harvest's
candidate terms looked for so far it contains; and its counts of Han and Traditional characters. A retrain takes an older document's units from there, without splitting, hashing or
looking up each unit, when no user word changed since occurs in the document, and reads its text
only to look for candidate terms it was not yet searched for
(``workbench.text.token_cache.DocumentCache``, ``DocumentTerms``)."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from workbench import paths
from workbench.checks import SECONDS
from workbench.corpus.ingest import FIELD_ALIASES, SOURCE_PREFIX, Document, Problem, read_sources
from workbench.errors import PipelineError, one_line, shown
from workbench.files import slug

SCHEMA_VERSION = 4  # PRAGMA user_version; 0: the layout before records (_migrate_documents_v0); 3-4: document cache
DOCUMENTS = """CREATE TABLE IF NOT EXISTS documents (
    doc_id      TEXT PRIMARY KEY,       -- ingest.doc_id_for(text): the hash of the cleaned text
    text        TEXT NOT NULL,
    added_at    REAL NOT NULL
)"""
RECORDS = """CREATE TABLE IF NOT EXISTS records (
    id          INTEGER PRIMARY KEY,    -- ingest order: a corpus lists its records by id
    corpus      TEXT NOT NULL,          -- '' for the sources of `workbench train SOURCE...`
    source_file TEXT NOT NULL,          -- as ingest.iter_source_files names it
    record      TEXT NOT NULL,          -- "line 3", "row 7", "record 2"; "" for a text file
    doc_id      TEXT NOT NULL REFERENCES documents(doc_id),
    meta        TEXT NOT NULL,          -- JSON object: the record's own columns
    removed     TEXT NOT NULL,          -- JSON list: the lines its cleaning dropped
    added_at    REAL NOT NULL,
    updated_at  REAL NOT NULL,
    UNIQUE (corpus, source_file, record)
)"""
SCHEMA = f"""
{DOCUMENTS};
{RECORDS};
CREATE INDEX IF NOT EXISTS records_doc ON records (doc_id);
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
CREATE TABLE IF NOT EXISTS terms (
    id        INTEGER PRIMARY KEY,  -- a kept token's number in this store (documents.units holds these)
    term      TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS document_tokens (
    doc_id    TEXT NOT NULL,        -- documents.doc_id
    layout    TEXT NOT NULL,        -- DocumentCache.layout: unit kind and size, segmentation base, filters
    word_set  INTEGER NOT NULL,     -- word_sets.id: the user words these tokens are right for
    units     BLOB NOT NULL,        -- int32: unit count, each unit's token count, then the term ids
    PRIMARY KEY (doc_id, layout)
);
DROP TABLE IF EXISTS document_quotes;  -- the first layout of document_terms (quoted terms only)
CREATE TABLE IF NOT EXISTS term_sets (
    id        INTEGER PRIMARY KEY,
    digest    TEXT NOT NULL UNIQUE,
    terms     TEXT NOT NULL         -- candidate terms of the harvest, sorted, space-joined
);
CREATE TABLE IF NOT EXISTS document_terms (
    doc_id    TEXT NOT NULL,        -- documents.doc_id
    scheme    TEXT NOT NULL,        -- tokenize.quote_scheme: how quoted terms are found
    quoted    TEXT NOT NULL,        -- the distinct terms the text quotes, space-joined
    scanned   INTEGER NOT NULL,     -- term_sets.id: the candidate terms looked for in the text
    contains  TEXT NOT NULL,        -- those of them it contains (quoted or not), space-joined
    PRIMARY KEY (doc_id, scheme)
);
CREATE TABLE IF NOT EXISTS document_scripts (
    doc_id      TEXT NOT NULL,      -- documents.doc_id
    rule        TEXT NOT NULL,      -- tokenize.traditional_rule: the detection rule and tables
    han         INTEGER NOT NULL,   -- the text's Han characters
    traditional INTEGER NOT NULL,   -- of them, those written only in Traditional
    PRIMARY KEY (doc_id, rule)
);
DROP TABLE IF EXISTS token_cache;  -- the cache's former layout (keys held the user words present)
PRAGMA user_version = {SCHEMA_VERSION};
"""
BATCH = 500  # documents per transaction: whole documents only, few fsyncs
log = logging.getLogger(__name__)


def default_path() -> Path:
    env = os.environ.get("WORKBENCH_STORE")
    return Path(env) if env else paths.project_root() / ".workbench" / "store.sqlite"


#: Seconds a command waits for another process's write to the store before it stops with
#: :class:`StoreLocked` (``--wait SECONDS``).
DEFAULT_WAIT = 60.0


class StoreLocked(PipelineError):
    """Another process held the store's write lock for longer than this one would wait; the message
    names that process (and its command) when it can be found."""


class StoreConnection(sqlite3.Connection):
    """A connection to the store that knows its file and how long it waits (``store_path``,
    ``wait``), and turns SQLite's "database is locked" into :class:`StoreLocked` naming the
    process that holds the lock (:func:`lock_holder`)."""

    store_path: Path
    wait: float

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise self._locked(exc) from None

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise self._locked(exc) from None

    def executescript(self, *args, **kwargs):
        try:
            return super().executescript(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise self._locked(exc) from None

    def _locked(self, exc: sqlite3.OperationalError) -> Exception:
        if "locked" not in str(exc) and "busy" not in str(exc):
            return exc
        holder = lock_holder(self.store_path)
        who = (f"process {holder.pid} ({_one_line(holder.command)})" + (f", writing for {time.time() - holder.since:.0f} s"
                                                              if holder.since else "")
               if holder else "another program (its process could not be named)")
        return StoreLocked(f"{shown(self.store_path)}: the store is locked by {who}; waited {self.wait:g} s. Let it finish "
                           "and run this again, wait longer with --wait SECONDS, or end that process")


def _one_line(command: str, limit: int = 120) -> str:
    command = " ".join(command.split())
    return command if len(command) <= limit else command[:limit - 1] + "…"


@dataclass(frozen=True)
class LockHolder:
    """A process holding the store's write lock: its id, command line and, when a workbench
    process recorded it, when it began writing (epoch seconds)."""

    pid: int
    command: str
    since: float | None  # when it began writing (None: not a workbench process, from /proc/locks)


def _writer_file(path: Path) -> Path:
    return Path(f"{path}-writer")


def _this_command() -> str:
    import shlex
    import sys

    argv = list(sys.argv) or [""]
    if Path(argv[0]).name in ("workbench", "__main__.py"):
        argv[0] = "workbench"
    elif argv[0] in ("-c", ""):  # python -c CODE ... or an interactive session: the code is not in argv
        argv[0:1] = [Path(sys.executable).name, *(["-c", "…"] if argv[0] == "-c" else [])]
    return shlex.join(argv)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_holder(path: Path) -> LockHolder | None:
    """The process holding the store's write lock: the one a workbench writer recorded in
    ``<store>-writer`` (:func:`write_transaction`) while it is alive, else, on Linux, the process
    /proc/locks shows holding the WAL write lock (byte 120 of ``<store>-shm``: a notebook, the
    sqlite3 shell, a database browser); None when neither names one."""
    try:
        record = json.loads(_writer_file(path).read_text(encoding="utf-8"))
        if _alive(int(record["pid"])):
            return LockHolder(int(record["pid"]), str(record["command"]), float(record["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    for pid in _wal_write_lockers(path):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            command = " ".join(a.decode(errors="replace") for a in raw.split(b"\0") if a)
        except OSError:
            command = "command unknown"
        return LockHolder(pid, command, None)
    return None


def _wal_write_lockers(path: Path) -> list[int]:
    """Linux: the processes /proc/locks shows holding a write lock over byte 120 of the store's
    -shm file, SQLite's WAL write lock."""
    try:
        st = os.stat(f"{path}-shm")
        lines = Path("/proc/locks").read_text(encoding="ascii", errors="replace").splitlines()
    except OSError:
        return []
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    for line in lines:
        f = line.split()  # "1: POSIX  ADVISORY  WRITE 12777 fe:00:2146691 120 120"; waiters have "->"
        if len(f) == 8 and f[1] in ("POSIX", "FLOCK", "OFDLCK") and f[3] == "WRITE" and f[5] == inode:
            end = float("inf") if f[7] == "EOF" else int(f[7])
            if int(f[6]) <= 120 <= end and f[4].isdigit() and int(f[4]) != os.getpid():
                pids.append(int(f[4]))
    return pids


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on any error), with this process named in
    ``<store>-writer`` while it holds the write lock, so a process that waits in vain can say who
    holds it (:func:`lock_holder`). The record is removed before the commit, while the lock is
    still held, so it never names a process that has let go. Raises :class:`StoreLocked` when
    the lock is not free within the connection's wait."""
    conn.execute("BEGIN IMMEDIATE")
    record = _writer_file(conn.store_path) if isinstance(conn, StoreConnection) else None
    try:
        if record is not None:
            tmp = record.with_name(f".{record.name}.{os.getpid()}")
            tmp.write_text(json.dumps({"pid": os.getpid(), "command": _this_command(), "since": time.time()}),
                           encoding="utf-8")
            os.replace(tmp, record)
        yield
    except BaseException:
        if record is not None:
            record.unlink(missing_ok=True)
        conn.execute("ROLLBACK")
        raise
    if record is not None:
        record.unlink(missing_ok=True)
    conn.execute("COMMIT")


def connect(path: Path | None = None, wait: float | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store; WAL mode; a write waits up to ``wait`` seconds
    (default :data:`DEFAULT_WAIT`) for another process's, then raises :class:`StoreLocked`. A
    store of an older layout is migrated in place, in one transaction
    (:func:`_migrate_documents_v0`)."""
    path = Path(path or default_path())
    wait = DEFAULT_WAIT if wait is None else SECONDS.check("wait", wait)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=wait, isolation_level=None, factory=StoreConnection)
    conn.store_path, conn.wait = path, wait
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        with write_transaction(conn):  # one process migrates; the others wait, then find it done
            if "meta" in {r[1] for r in conn.execute("PRAGMA table_info(documents)")}:
                _migrate_documents_v0(conn, path)
        conn.executescript(SCHEMA)
    _rename_number_like_ids(conn)
    return conn


def _migrate_documents_v0(conn: sqlite3.Connection, path: Path) -> None:
    """The first layout kept one row per text, holding the metadata of the first record that
    brought it, and corpora as lists of texts (``corpus_docs``). Each such row becomes a record
    of its corpora and of the direct-training records (corpus ''), with the metadata it had;
    where two texts had been stored for one file and line (the file was edited), the later text
    is that record's. Runs inside the caller's transaction."""
    columns = "corpus, source_file, record, doc_id, meta, removed, added_at, updated_at"
    for statement in (
            "ALTER TABLE documents RENAME TO documents_v0", DOCUMENTS, RECORDS,
            "INSERT INTO documents SELECT doc_id, text, added_at FROM documents_v0",
            f"INSERT OR REPLACE INTO records ({columns}) SELECT c.corpus, d.source_file, d.record, d.doc_id, "
            "d.meta, d.removed, d.added_at, d.added_at FROM corpus_docs c JOIN documents_v0 d USING (doc_id) "
            "ORDER BY c.seq",
            f"INSERT OR REPLACE INTO records ({columns}) SELECT '', source_file, record, doc_id, meta, removed, "
            "added_at, added_at FROM documents_v0 ORDER BY added_at, rowid",
            "DROP TABLE corpus_docs", "DROP TABLE documents_v0"):
        conn.execute(statement)
    gone = conn.execute("DELETE FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM records)").rowcount
    n = conn.execute("SELECT COUNT(*) FROM records WHERE corpus != ''").fetchone()[0]
    log.info("%s: migrated to records (%d in named corpora); %d superseded texts dropped", path, n, gone)


def _rename_number_like_ids(conn: sqlite3.Connection) -> None:
    """A store made before ids were kept from reading as numbers holds a few (about 0.13%) such as
    0123456789012345: give them their present form (:func:`ingest.text_id`) in every table with a
    doc_id column, in one transaction, so re-ingesting the same text finds its document. Finding
    them is one pass over the primary-key index; a store without such ids is not written to."""
    from workbench.corpus.ingest import text_id

    old = [r[0] for r in conn.execute("SELECT doc_id FROM documents WHERE doc_id NOT GLOB '*[^0-9e]*'")]
    renames = [(text_id(d), d) for d in old if text_id(d) != d]
    if not renames:
        return
    tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
              if any(col[1] == "doc_id" for col in conn.execute(f"PRAGMA table_info('{t}')"))]
    with write_transaction(conn):
        for table in tables:
            conn.executemany(f"UPDATE OR IGNORE \"{table}\" SET doc_id=? WHERE doc_id=?", renames)


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did, counted in records (a file's line, row or record; a text file).

    ``added``: records new to the corpus; ``unchanged``: there with the same text and metadata;
    ``updated``: there with another text or other metadata, now the record's; ``skipped``: bad
    inputs, each a Problem; ``repeated``: records whose text an earlier record of this ingest
    has (stored with their own metadata, modelled once). ``records``: the store ids of every
    record the sources yielded, in source order; ``doc_ids``: the document (text) of each."""

    corpus: str | None
    added: int
    unchanged: int
    updated: int = 0
    skipped: tuple[Problem, ...] = ()
    repeated: int = 0
    records: tuple[int, ...] = field(default=(), repr=False)
    doc_ids: tuple[str, ...] = field(default=(), repr=False)
    # {record file: {field: column}}: the columns taken as text, title, date, author, source
    fields: dict = field(default_factory=dict, repr=False, compare=False)

    def summary(self) -> str:
        reasons: dict[str, int] = {}
        for p in self.skipped:
            key = p.what.split(" (")[0].split(":")[0]
            key = "read twice" if key.startswith("already read as") else key
            reasons[key] = reasons.get(key, 0) + 1
        why = "; ".join(f"{n} {k}" for k, n in sorted(reasons.items()))
        name = f"corpus '{self.corpus}': " if self.corpus else ""
        return one_line(f"{name}{self.added} added, {self.unchanged} unchanged, {self.updated} updated, "
                        f"{len(self.skipped)} skipped" + (f" ({why})" if why else "")
                        + (f"; {self.repeated} with the text of an earlier record (modelled once)"
                           if self.repeated else "")
                        + self._columns())  # a column name may hold a newline

    def _columns(self) -> str:
        """"; columns: 正文 -> text, 标题 -> title (新闻.csv)": which column of the record files was
        taken for which field, each distinct choice once with its files (or their count); then
        :meth:`renamed`."""
        taken = self._choices(lambda name: name in FIELD_ALIASES)
        return (f"; columns: {taken}" if taken else "") + (f"; {self.renamed()}" if self.renamed() else "")

    def renamed(self) -> str:
        """"renamed, as the workbench's own column names: topic_0 -> source_topic_0 (a.csv)": the
        source columns kept under another name (:func:`workbench.corpus.ingest.source_name`), or ""."""
        renamed = self._choices(lambda name: name not in FIELD_ALIASES)
        return f"renamed, as the workbench's own column names: {renamed}" if renamed else ""

    def _choices(self, pick) -> str:
        files: dict[tuple, list[str]] = {}
        for path, found in self.fields.items():
            chosen = tuple((name, column) for name, column in found.items() if pick(name))
            if chosen:
                files.setdefault(chosen, []).append(shown(Path(path).name))
        return "; ".join(_renames(choice) + f" ({', '.join(names) if len(names) <= 3 else f'{len(names)} files'})"
                         for choice, names in files.items())


def _renames(choice: tuple) -> str:
    """"正文 -> text, topic_0 … topic_11 -> source_topic_0 … source_topic_11": consecutive topic
    columns as one range."""
    out, run = [], []

    def close():
        if len(run) > 2:
            out.append(f"{run[0][1]} … {run[-1][1]} -> {run[0][0]} … {run[-1][0]}")
        else:
            out.extend(f"{column} -> {name}" for name, column in run)
        run.clear()

    for name, column in choice:
        k = _topic_number(column)
        if k is not None and name == SOURCE_PREFIX + column:
            if run and k != _topic_number(run[-1][1]) + 1:
                close()
            run.append((name, column))
        else:
            close()
            out.append(f"{column} -> {name}")
    close()
    return ", ".join(out)


def _topic_number(column: str) -> int | None:
    return int(column[6:]) if column.startswith("topic_") and column[6:].isdigit() else None


def ingest(conn: sqlite3.Connection, sources: Sequence[Path], corpus: str | None = None, *,
           text_column: str | None = None, progress: bool = False, follow_links: bool = False) -> IngestReport:
    """Store the records of ``sources`` in ``corpus`` (without one, among the records that
    ``workbench train SOURCE...`` models), each with its own source, line and metadata; a text
    is stored once however many records hold it.

    A record is known by its corpus, source name and line (``a.csv``, ``line 3``): ingesting it
    again with another text or other metadata updates it. Commits every ``BATCH`` records, so a
    killed ingest keeps whole records and a rerun completes it. ``follow_links``: as
    :func:`workbench.corpus.ingest.iter_source_files`. See :class:`IngestReport`.
    """
    if corpus is not None:
        check_corpus_name(corpus)
    space = corpus or ""
    problems: list[Problem] = []
    counts = {"added": 0, "unchanged": 0, "updated": 0}
    ids: list[int] = []
    doc_ids: list[str] = []
    keys: set[tuple[str, str]] = set()
    texts: set[str] = set()
    repeated = 0
    batch: list[Document] = []

    def flush():
        if not batch:
            return
        now = time.time()
        with write_transaction(conn):
            for d in batch:
                meta = json.dumps(d.meta, ensure_ascii=False)
                removed = json.dumps(list(d.removed), ensure_ascii=False)
                conn.execute("INSERT OR IGNORE INTO documents VALUES (?,?,?)", (d.doc_id, d.text, now))
                old = conn.execute("SELECT id, doc_id, meta, removed FROM records "
                                   "WHERE corpus=? AND source_file=? AND record=?",
                                   (space, d.source_file, d.record)).fetchone()
                if old is None:
                    rid = conn.execute(
                        "INSERT INTO records (corpus, source_file, record, doc_id, meta, removed, added_at, "
                        "updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (space, d.source_file, d.record, d.doc_id, meta, removed, now, now)).lastrowid
                    counts["added"] += 1
                elif old[1:] == (d.doc_id, meta, removed):
                    rid = old[0]
                    counts["unchanged"] += 1
                else:
                    rid = old[0]
                    conn.execute("UPDATE records SET doc_id=?, meta=?, removed=?, updated_at=? WHERE id=?",
                                 (d.doc_id, meta, removed, now, rid))
                    conn.execute("DELETE FROM documents WHERE doc_id=? AND NOT EXISTS "
                                 "(SELECT 1 FROM records WHERE doc_id=?)", (old[1], old[1]))
                    counts["updated"] += 1
                ids.append(rid)
                doc_ids.append(d.doc_id)
        batch.clear()

    fields: dict[str, dict[str, str]] = {}
    for d in read_sources(sources, text_column=text_column, problems=problems, fields=fields,
                          follow_links=follow_links):
        if (d.source_file, d.record) in keys:  # two files of this ingest under one name
            problems.append(Problem(d.source_file, d.record, "another file of this ingest has the same name"))
            continue
        keys.add((d.source_file, d.record))
        repeated += d.doc_id in texts
        texts.add(d.doc_id)
        batch.append(d)
        if len(batch) >= BATCH:
            flush()
    flush()
    return IngestReport(corpus, counts["added"], counts["unchanged"], counts["updated"], tuple(problems),
                        repeated, tuple(ids), tuple(doc_ids), fields)


def ingest_with_report(sources: Sequence[Path], corpus: str, *, text_column: str | None = None,
                       report_file: Path | None = None, store_path: Path | None = None,
                       follow_links: bool = False, wait: float | None = None) -> tuple[IngestReport, Path]:
    """:func:`ingest` into the store at ``store_path`` (default :func:`default_path`), each skipped
    input logged (:func:`workbench.corpus.ingest.report`), and the report written to
    ``report_file`` (default ``<store folder>/reports/ingest-<UTC time>-<corpus>.txt``, or ``-1.txt``,
    ``-2.txt`` ... when another ingest took that name in the same second): the
    summary line, then one line per skipped input. ``wait``: as :func:`connect`. Returns the report
    and the file written."""
    from workbench.corpus.ingest import report as log_problems
    from workbench.files import atomic_file, claim_file

    path = Path(store_path or default_path())
    with closing(connect(path, wait)) as conn:
        result = ingest(conn, sources, corpus, text_column=text_column, follow_links=follow_links)
    log_problems(result.skipped)
    claimed = report_file is None
    if claimed:  # a name of its own: two ingests of one corpus in one second get -1, -2 ...
        report_file = claim_file(path.parent / "reports",
                                 f"ingest-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}-{slug(corpus)}", ".txt")
    report_file = Path(report_file)
    report_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_file(report_file) as tmp:
            tmp.write_text(result.summary() + "\n" + "".join(f"{p}\n" for p in result.skipped), encoding="utf-8")
    except BaseException:
        if claimed:
            report_file.unlink(missing_ok=True)
        raise
    return result, report_file


def corpus_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT corpus FROM records WHERE corpus != '' ORDER BY corpus")]


#: A corpus name: letters of any script (Chinese too), digits and ``_``, then also spaces and
#: ``. - ( ) （ ）``; at most 100 characters. It names the ingest report file, so no path parts.
CORPUS_NAME = re.compile(r"[^\W_][\w .()（）-]{0,99}")
CORPUS_NAME_RULE = ("letters (Chinese too), digits, _, and after the first character also spaces and . - ( ); "
                    "at most 100 characters, starting with a letter or digit")


def check_corpus_name(name: str) -> str:
    """``name`` when it is a valid corpus name (:data:`CORPUS_NAME`), else ValueError saying the rule:
    ``--corpus ../../x`` or a name with ``/`` or a newline never reaches a file name."""
    if not isinstance(name, str) or not CORPUS_NAME.fullmatch(name) or name != name.strip():
        raise ValueError(f"corpus name {shown(name) if name else repr(name)}: use {CORPUS_NAME_RULE}")
    return name


def corpus_records(conn: sqlite3.Connection, corpus: str) -> list[tuple[int, str]]:
    """``(record id, doc_id)`` of the corpus's records, in the order they were first added."""
    rows = conn.execute("SELECT id, doc_id FROM records WHERE corpus=? AND corpus != '' ORDER BY id",
                        (corpus,)).fetchall()
    if not rows:
        known = ", ".join(corpus_names(conn)) or "none yet"
        raise KeyError(f"no corpus named '{corpus}' in {default_path()} (corpora: {known}); "
                       f"add documents with `workbench ingest SOURCE --corpus {corpus}`")
    return rows


def iter_records(conn: sqlite3.Connection, record_ids: Iterable[int]) -> Iterator[Document]:
    """Stream records by id, in the given order, from one read snapshot: each a Document with
    the record's own source, line, metadata and removed lines, and its text."""
    sql = ("SELECT r.id, r.doc_id, r.source_file, r.record, d.text, r.meta, r.removed FROM records r "
           "JOIN documents d ON d.doc_id = r.doc_id WHERE r.id IN ({})")
    for row in _iter_rows(conn, sql, record_ids, "record"):
        yield Document(row[1], row[2], row[3], row[4], json.loads(row[5]), tuple(json.loads(row[6])))


def iter_texts(conn: sqlite3.Connection, doc_ids: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(doc_id, text) by id, in the given order, from one read snapshot (no metadata parsed)."""
    return _iter_rows(conn, "SELECT doc_id, text FROM documents WHERE doc_id IN ({})", doc_ids, "document")


def _iter_rows(conn: sqlite3.Connection, sql: str, keys: Iterable, what: str) -> Iterator[tuple]:
    """The rows of ``sql`` (its first column the key, ``{}`` where the keys go), in the order of
    ``keys``, ``BATCH`` keys per query."""
    with closing(conn.cursor()) as cur:
        cur.execute("BEGIN")
        try:
            it = iter(keys)
            while chunk := list(itertools.islice(it, BATCH)):
                unique = list(dict.fromkeys(chunk))
                rows = {r[0]: r for r in cur.execute(sql.format(",".join("?" * len(unique))), unique)}
                for key in chunk:
                    row = rows.get(key)
                    if row is None:
                        raise KeyError(f"{what} {key} is not in the store")
                    yield row
        finally:
            cur.execute("COMMIT")
