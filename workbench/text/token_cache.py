"""The token cache: segmentations and kept tokens per unit, stored in the corpus store's tables."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter
from typing import Sequence

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
                  stale: list[tuple[int, int]] | None = None) -> list[tuple | None]:
        """Per key, ``(word_set, *values)`` of a row this tokenizer may reuse, or None. ``sql``
        selects ``unit, word_set, *values`` for the units in its ``{}`` placeholder list. The
        keys with rows but none reusable are appended to ``stale`` as (index, a word set of theirs)."""
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
                    stale.append((i, older[key][0][0]))
            found.append(row)
        return found

    def _write(self, sql: str, rows: list[tuple]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(sql, rows)
        self.conn.execute("COMMIT")

    def segments(self, keys: list[str], texts: Sequence[str]) -> list[tuple[int, str, str]]:
        """``(word_set, tokens, tags)`` per text (space-joined strings): reused or segmented now."""
        stale: list[tuple[int, int]] = []
        found = self._reusable("SELECT unit, word_set, tokens, tags FROM segments WHERE unit IN ({})", (),
                               keys, texts, stale)
        missing = [i for i, row in enumerate(found) if row is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        self.touched += len(stale)
        for i, word_set in stale:
            self.touched_by.update(self._changed_in(word_set).words_in(self.tokenizer.normalize(texts[i])))
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
