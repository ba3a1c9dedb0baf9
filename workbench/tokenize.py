"""Tokenize: a private jieba tokenizer per configuration, user dictionaries, harvested quoted
terms, stopwords and token filters.

jieba's module-level tokenizer is global mutable state; here every :class:`TokenizerConfig` gets
its own ``jieba.Tokenizer`` whose prefix-dictionary cache lives in the workbench cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from . import paths

# Quoted slogans: “整县推进”, 「五星争创」. Only CJK inside (digits and Latin make codes, not terms).
_QUOTED = re.compile(r"[“「『]([\u4e00-\u9fff]{2,8})[”」』]")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")


# Part-of-speech tags (jieba/ICTCLAS) whose tokens are dropped by default, by prefix: place and
# person names (they tie topics to one article's locality instead of a theme), time words,
# numerals, measure words, pronouns, prepositions, conjunctions, particles, adverbs, locatives.
DEFAULT_POS_DROP = ("ns", "nr", "t", "m", "q", "r", "p", "c", "u", "d", "f", "s", "e", "y", "o", "z")


@dataclass(frozen=True)
class TokenizerConfig:
    """Everything that decides which tokens a text yields.

    ``user_dicts`` and ``stopword_files`` are paths; their *contents* enter the fingerprint,
    so editing a list invalidates exactly the caches that depend on it. ``extra_words`` are the
    harvested quoted terms. ``min_len`` drops shorter tokens (1 drops nothing); ``drop_numbers``
    drops tokens containing digits; ``hmm`` enables jieba's HMM for unknown words.
    """

    user_dicts: tuple[str, ...] = ()
    stopword_files: tuple[str, ...] = ()
    extra_words: tuple[str, ...] = ()
    min_len: int = 2
    drop_numbers: bool = True
    hmm: bool = True
    pos_drop: tuple[str, ...] | None = DEFAULT_POS_DROP

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        h.update(json.dumps({**asdict(self), "user_dicts": None, "stopword_files": None},
                            sort_keys=True, ensure_ascii=False).encode())
        for p in self.user_dicts + ("|",) + self.stopword_files:
            h.update(p.encode() if p == "|" else file_sha256(Path(p)).encode())
        return h.hexdigest()[:16]


def default_config(extra_words: Iterable[str] = (), **kw) -> TokenizerConfig:
    return TokenizerConfig(
        user_dicts=tuple(str(p) for p in paths.user_dict_files()),
        stopword_files=tuple(str(p) for p in paths.stopword_files()),
        extra_words=tuple(sorted(set(extra_words))),
        **kw,
    )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_word_list(path: Path) -> list[str]:
    """One entry per line; ``#`` starts a comment; blank lines ignored; first field only."""
    out = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line.split()[0])
    return out


class Tokenizer:
    """A configured tokenizer: ``cut(text)`` returns the kept tokens of ``text``."""

    def __init__(self, config: TokenizerConfig):
        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        self.config = config
        self._jieba = jieba.Tokenizer()
        self._jieba.tmp_dir = str(paths.cache_dir())
        for d in config.user_dicts:
            self._jieba.load_userdict(str(d))
        for w in config.extra_words:
            # Harvested slogans are proper terms: tag them nz so the POS filter keeps them.
            self._jieba.add_word(w, tag="nz")
        self._pos = None
        if config.pos_drop:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self._jieba)
        self.stopwords = frozenset(w for f in config.stopword_files for w in read_word_list(Path(f)))

    def raw_tokens(self, text: str) -> list[str]:
        """jieba's segmentation, before any filter."""
        return [t for t in self._jieba.lcut(text, HMM=self.config.hmm) if t.strip()]

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """(token, POS tag) pairs; the tag is "" when POS filtering is off."""
        if self._pos is None:
            return [(t, "") for t in self.raw_tokens(text)]
        return [(p.word, p.flag) for p in self._pos.lcut(text, HMM=self.config.hmm) if p.word.strip()]

    def keep(self, token: str, tag: str = "") -> bool:
        c = self.config
        if tag and c.pos_drop and tag.startswith(c.pos_drop) and tag != "eng":
            return False
        return (len(token) >= c.min_len
                and (_WORDLIKE.search(token) is not None or (not c.drop_numbers and _HAS_DIGIT.search(token)))
                and not (c.drop_numbers and _HAS_DIGIT.search(token))
                and token.lower() not in self.stopwords)

    def cut(self, text: str) -> list[str]:
        return [t.lower() if t.isascii() else t for t, tag in self.tagged(text) if self.keep(t, tag)]


@functools.lru_cache(maxsize=4)
def get_tokenizer(config: TokenizerConfig) -> Tokenizer:
    """One Tokenizer per config, built once per process (jieba's dictionary load costs ~1 s)."""
    return Tokenizer(config)


def harvest_quoted_terms(texts: Iterable[str], *, min_count: int = 1) -> list[str]:
    """Terms the corpus itself puts in Chinese quotation marks (2-8 CJK characters), sorted."""
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(_QUOTED.findall(t))
    return sorted(w for w, n in counts.items() if n >= min_count)


def check_stopwords(tokenizer: Tokenizer, words: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Entries that the tokenizer never emits as one token, with how it splits them.

    Such an entry can never match (as scikit-learn's ``_check_stop_words_consistency`` warns):
    fix the list or add the entry to a user dictionary.
    """
    bad = []
    for w in words:
        toks = tokenizer.raw_tokens(w)
        if toks != [w]:
            bad.append((w, toks))
    return bad
