"""The token cache: segmentations and kept tokens per unit, stored in the corpus store's tables."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
import sqlite3
import time
from collections import Counter
from typing import Sequence

import numpy as np

from workbench.corpus.store import write_transaction
from workbench.text.tokenize import WordFinder


def unit_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class SegmentCache:
    """The token cache seen through one tokenizer.

    :meth:`kept` gives each text's kept tokens. A stored row is reused when it was made with this
    tokenizer's user words, or with other user words none of whose changes
    (:meth:`~workbench.text.tokenize.Tokenizer.changed_words`) occur in the text: first a row of kept
    tokens made with the same filters (``Tokenizer.filter_digest``), else a stored segmentation,
    filtered now; else the text is segmented now. ``segment_many(texts) -> list of (tokens, tags)``
    may parallelise those misses (a process pool). ``hits``, ``misses`` (texts segmented) and
    ``seconds_segmenting`` count what it did; :meth:`retokenized` says why the misses were
    segmented (new to the cache, or touched by a changed user word, and by which).
    """

    def __init__(self, conn: sqlite3.Connection, tokenizer, segment_many=None):
        self.conn, self.tokenizer = conn, tokenizer
        self.segment_many = segment_many or (lambda texts: [tokenizer.segment_joined(t) for t in texts])
        self.hits = self.misses = 0
        self.touched = 0  # misses with a stored segmentation made with other user words
        self.touched_by: Counter[str] = Counter()  # changed user word -> misses it caused
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

    def _reusable(self, sql: str, params: tuple, keys: list[str], texts: Sequence[str],
                  stale: list[tuple[int, tuple]] | None = None) -> list[tuple | None]:
        """Per key, ``(word_set, *values)`` of a row this tokenizer may reuse, or None. ``sql``
        selects ``unit, word_set, *values`` for the units in its ``{}`` placeholder list. The
        keys with rows but none reusable are appended to ``stale`` as (index, one of their rows)."""
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
        for i, (key, text) in enumerate(zip(keys, texts)):
            row = current.get(key)
            if row is None and key in older:
                norm = self.tokenizer.normalize(text)
                row = next((r for r in older[key] if not self._changed_in(r[0])(norm)), None)
                if row is None and stale is not None:
                    stale.append((i, older[key][0]))
            found.append(row)
        return found

    def _write(self, sql: str, rows: list[tuple]) -> None:
        with write_transaction(self.conn):
            self.conn.executemany(sql, rows)

    def segments(self, keys: list[str], texts: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(word_set, tokens, tags)`` per text (space-joined strings): reused or segmented now."""
        stale: list[tuple[int, tuple]] = []
        found = self._reusable("SELECT unit, word_set, tokens, tags FROM segments WHERE unit IN ({})", (),
                               keys, texts, stale)
        missing = [i for i, row in enumerate(found) if row is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        self.touched += len(stale)
        spliced = []
        for i, (word_set, tokens, tags) in stale:
            finder = self._changed_in(word_set)
            self.touched_by.update(finder.words_in(self.tokenizer.normalize(texts[i])))
            seg = resegment(self.tokenizer, texts[i], tokens, tags, finder)
            if seg is not None:
                found[i] = (self.word_set, *seg)
                spliced.append(i)
        if spliced:
            self._write("INSERT OR REPLACE INTO segments VALUES (?,?,?,?)", [(keys[i], *found[i]) for i in spliced])
            missing = [i for i in missing if found[i] is None]
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

    def retokenized(self, top: int = 20) -> dict:
        """What was segmented and why: ``new_units`` (no stored segmentation with this segmentation
        base), ``touched_units`` (stored, but a user word that changed since occurs in them) and
        ``touched_by`` (the ``top`` changed words by the units they sent back, with those counts)."""
        return {"new_units": self.misses - self.touched, "touched_units": self.touched,
                "touched_by": dict(self.touched_by.most_common(top))}


# Characters after which jieba starts a new block (each engine splits a text into runs of CJK
# characters, letters and digits, segmented one by one; any other character is a token of its own):
# punctuation, a subset of what both engines leave out of a run (not ``.`` or ``-``, which they keep).
_BLOCK_END = re.compile(r"[，。、；：？！“”‘’（）《》【】「」『』…—,;:!?()]")
_SPACE = re.compile(r"\s+")


def resegment(tokenizer, text: str, tokens: str, tags: str, changed: WordFinder) -> tuple[str, str] | None:
    """``text``'s segmentation by ``tokenizer`` (space-joined tokens and tags), from a stored one
    (``tokens``, ``tags``) made with other user words whose changes ``changed`` finds: only the
    stretches between punctuation marks that hold a changed word are segmented again. jieba
    segments each run of CJK characters, letters and digits on its own, and a run's segmentation
    depends only on the user words that occur in it (``workbench.text.tokenize``), so the result is
    the whole text's segmentation. None where the stored tokens do not spell the text (then the
    text is segmented whole), and with Traditional -> Simplified conversion."""
    if tokenizer.config.to_simplified:
        return None
    spans = sorted((a, b) for _, a, b in changed.spans(text))
    toks = tokens.split(" ") if tokens else []
    if not spans or "".join(toks) != _SPACE.sub("", text):
        return None
    ends = [m.end() for m in _BLOCK_END.finditer(text)]
    merged: list[list[int]] = []
    for a, b in spans:
        k = bisect.bisect_right(ends, a)  # the block that holds the word starts after ends[k-1]
        start = ends[k - 1] if k else 0
        k = bisect.bisect_left(ends, b + 1)  # and ends with the first mark at or after b
        end = ends[k] if k < len(ends) else len(text)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts = [0, *itertools.accumulate(map(len, toks))]
    spaces = [m.span() for m in _SPACE.finditer(text)]

    def token_at(pos: int) -> int | None:  # the index of the token that starts at ``pos`` of the text
        gap = sum(min(e, pos) - s for s, e in spaces if s < pos)
        i = bisect.bisect_left(starts, pos - gap)
        return i if i < len(starts) and starts[i] == pos - gap else None

    tag_list = tags.split(" ") if tags else []
    out_t: list[str] = []
    out_g: list[str] = []
    done = 0
    for start, end in merged:
        i, j = token_at(start), token_at(end)
        if i is None or j is None:
            return None
        out_t += toks[done:i]
        out_g += tag_list[done:i]
        for t, g in tokenizer.segment(text[start:end]):
            out_t.append(t)
            out_g.append(g)
        done = j
    out_t += toks[done:]
    out_g += tag_list[done:]
    return " ".join(out_t), " ".join(out_g)


class DocumentCache:
    """Kept tokens per document: each unit's tokens as numbers of the store's ``terms`` table.

    A stored document is reused as a whole, without reading, splitting or hashing its text, when
    it was made with the same unit kind and size, segmentation base and filters (:attr:`layout`)
    and either with this tokenizer's user words or with user words none of whose changes occur in
    its text (:meth:`stale`, the rule of :class:`SegmentCache` for a whole text: a word that occurs
    in none of a document's units does not occur in the document, so the document's tokens are
    those of a cold run). Other documents go through :class:`SegmentCache` unit by unit.

    ``terms`` numbers every kept token once per store, so a reused document costs one blob read and
    no string work; :meth:`term_ids` numbers new tokens."""

    def __init__(self, conn: sqlite3.Connection, tokenizer, word_set: int, unit: str, chunk_chars: int,
                 text_rule: str = ""):
        self.conn, self.tokenizer, self.word_set = conn, tokenizer, word_set
        base = tokenizer.config.segmentation_base()
        # text_rule: how a document's text is changed before it is split (CorpusConfig.text_rule)
        self.layout = hashlib.sha256(json.dumps(
            [unit, chunk_chars if unit == "chunk" else None, base, tokenizer.filter_digest,
             *([text_rule] if text_rule else [])]).encode()).hexdigest()[:16]
        self._ids: dict[str, int] = {}
        self.terms: list[str | None] = []
        self._load_terms()

    def _load_terms(self, where: str = "", params: Sequence = ()) -> None:
        for i, term in self.conn.execute(f"SELECT id, term FROM terms {where}", params):
            self._ids[term] = i
            if i >= len(self.terms):
                self.terms.extend([None] * (i + 1 - len(self.terms)))
            self.terms[i] = term

    def _stored(self, column: str, doc_ids: Sequence[str]) -> dict:
        """doc_id -> ``column`` of its stored entry, for the documents that have one (900 ids a
        query: SQLite's limit on parameters)."""
        out: dict = {}
        for i in range(0, len(doc_ids), 900):
            chunk = doc_ids[i:i + 900]
            out.update(self.conn.execute(
                f"SELECT doc_id, {column} FROM document_tokens WHERE layout=? AND doc_id IN ({','.join('?' * len(chunk))})",
                (self.layout, *chunk)))
        return out

    def word_sets(self, doc_ids: Sequence[str]) -> dict[str, int]:
        """doc_id -> the word set of its stored entry, for the documents that have one."""
        return self._stored("word_set", doc_ids)

    def changed_words(self, word_set: int) -> set[str]:
        """The user words added, removed or changed between ``word_set`` and this tokenizer's."""
        if word_set == self.word_set:
            return set()
        words = json.loads(self.conn.execute("SELECT words FROM word_sets WHERE id=?", (word_set,)).fetchone()[0])
        return self.tokenizer.changed_words(words)

    def stale(self, entries: dict[str, int], found: dict[str, set[str]], scanned: dict[str, frozenset[str]],
              texts) -> dict[str, set[str]]:
        """The documents of ``entries`` (doc_id -> word set) whose stored tokens may differ from
        this tokenizer's, each with the changed user words it contains. ``found[doc_id]``: the
        words of ``scanned[doc_id]`` that occur in the document (its normalized text), as the
        harvest found them; a changed word outside those (a dictionary edit) is looked for in the
        texts, ``texts(doc_ids)`` yielding ``(doc_id, text)``, each text as its units are made
        from it (``CorpusConfig.normalize``)."""
        by_set: dict[int, list[str]] = {}
        for doc_id, ws in entries.items():
            if ws != self.word_set:
                by_set.setdefault(ws, []).append(doc_id)
        out: dict[str, set[str]] = {}
        empty: frozenset[str] = frozenset()
        for ws, docs in by_set.items():
            changed = self.changed_words(ws)
            unsearched: dict[frozenset[str], list[str]] = {}
            rest_of: dict[int, frozenset[str]] = {}  # documents share their scanned sets
            for d in docs:
                known = scanned.get(d, empty)
                rest = rest_of.get(id(known))
                if rest is None:
                    rest = rest_of[id(known)] = frozenset(changed - known)
                hit = found.get(d, empty) & changed
                if hit:
                    out[d] = set(hit)
                if rest:
                    unsearched.setdefault(rest, []).append(d)
            for rest, group in unsearched.items():
                finder = WordFinder(rest)
                for d, text in texts(group):
                    hit = finder.words_in(text)
                    if hit:
                        out.setdefault(d, set()).update(hit)
        return out

    def load(self, doc_ids: Sequence[str]) -> dict[str, bytes]:
        """doc_id -> stored units (see :meth:`units`) of the documents that have an entry."""
        return self._stored("units", doc_ids)

    @staticmethod
    def units(blob: bytes) -> list[np.ndarray]:
        """Each unit's term ids, from a stored entry (int32: unit count, token counts, ids)."""
        a = np.frombuffer(blob, dtype="<i4")
        n = int(a[0])
        if n == 1:
            return [a[2:]]
        out, start = [], n + 1
        for size in a[1:n + 1].tolist():
            out.append(a[start:start + size])
            start += size
        return out

    @staticmethod
    def pack(units: Sequence[np.ndarray]) -> bytes:
        return np.concatenate([np.array([len(units), *map(len, units)], dtype="<i4"),
                               *(u.astype("<i4") for u in units)]).tobytes()

    def term_ids(self, token_lists: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each list's tokens as term ids, numbering the tokens the store has not seen."""
        ids = self._ids
        new = {t for toks in token_lists for t in toks}.difference(ids)
        if new:
            new = sorted(new)
            with write_transaction(self.conn):
                self.conn.executemany("INSERT OR IGNORE INTO terms (term) VALUES (?)", [(t,) for t in new])
                for i in range(0, len(new), 900):  # another process may have numbered some
                    chunk = new[i:i + 900]
                    self._load_terms(f"WHERE term IN ({','.join('?' * len(chunk))})", chunk)
        return [np.fromiter(map(ids.__getitem__, toks), dtype=np.int32, count=len(toks)) for toks in token_lists]

    def save(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Store ``(doc_id, packed units)`` made with this tokenizer."""
        if rows:
            with write_transaction(self.conn):
                self.conn.executemany("INSERT OR REPLACE INTO document_tokens VALUES (?,?,?,?)",
                                      [(d, self.layout, self.word_set, blob) for d, blob in rows])


class DocumentTerms:
    """Per document, what the harvest needs of its text (``document_terms``): the terms it quotes,
    and which of the candidate terms looked for so far (a row of ``term_sets``) it contains, quoted
    or not. The counts over a corpus are sums over its documents, so a retrain reads an older
    text only to look for candidates it was not yet searched for. ``scheme``: how quoted terms are
    found (``tokenize.quote_scheme``)."""

    def __init__(self, conn: sqlite3.Connection, scheme: str):
        self.conn, self.scheme = conn, scheme
        self._sets: dict[int, frozenset[str]] = {}

    def load(self, doc_ids: Sequence[str]) -> dict[str, tuple[str, int, str]]:
        """doc_id -> (quoted, scanned term set, contained), both term lists space-joined."""
        out: dict[str, tuple[str, int, str]] = {}
        for i in range(0, len(doc_ids), 900):
            chunk = doc_ids[i:i + 900]
            for d, *row in self.conn.execute(
                    "SELECT doc_id, quoted, scanned, contains FROM document_terms WHERE scheme=? AND doc_id IN "
                    f"({','.join('?' * len(chunk))})", (self.scheme, *chunk)):
                out[d] = tuple(row)
        return out

    def term_set(self, set_id: int) -> frozenset[str]:
        terms = self._sets.get(set_id)
        if terms is None:
            text = self.conn.execute("SELECT terms FROM term_sets WHERE id=?", (set_id,)).fetchone()[0]
            terms = self._sets[set_id] = frozenset(text.split(" ") if text else ())
        return terms

    def term_set_id(self, terms: frozenset[str]) -> int:
        text = " ".join(sorted(terms))
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        self.conn.execute("INSERT OR IGNORE INTO term_sets (digest, terms) VALUES (?, ?)", (digest, text))
        set_id = self.conn.execute("SELECT id FROM term_sets WHERE digest=?", (digest,)).fetchone()[0]
        self._sets[set_id] = terms
        return set_id

    def save(self, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """Store ``(doc_id, quoted, scanned term set, contained)`` rows."""
        if rows:
            with write_transaction(self.conn):
                self.conn.executemany("INSERT OR REPLACE INTO document_terms VALUES (?,?,?,?,?)",
                                      [(d, self.scheme, q, s, c) for d, q, s, c in rows])


def script_counts(conn: sqlite3.Connection, doc_ids: Sequence[str], rule: str, count, texts) -> dict[str, tuple[int, int]]:
    """doc_id -> (Han characters, Traditional ones) of each document (``document_scripts``): stored
    ones under ``rule``, the others ``count(text)`` of the ``texts(doc_ids)`` they are read from,
    then stored."""
    out: dict[str, tuple[int, int]] = {}
    for i in range(0, len(doc_ids), 900):
        chunk = doc_ids[i:i + 900]
        for d, han, trad in conn.execute(
                "SELECT doc_id, han, traditional FROM document_scripts WHERE rule=? AND doc_id IN "
                f"({','.join('?' * len(chunk))})", (rule, *chunk)):
            out[d] = (han, trad)
    rows = []
    for d, text in texts([d for d in dict.fromkeys(doc_ids) if d not in out]):
        out[d] = count(text)
        rows.append((d, rule, *out[d]))
    if rows:
        with write_transaction(conn):
            conn.executemany("INSERT OR REPLACE INTO document_scripts VALUES (?,?,?,?)", rows)
    return out
