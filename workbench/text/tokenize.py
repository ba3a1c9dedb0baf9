"""Tokenize: a private segmenter per configuration, user dictionaries, harvested quoted terms,
stopwords and token filters.

Segmentation is jieba's: the same dictionary (jieba 0.42.1's ``dict.txt``), the same user words
with the same frequencies, ``lcut`` with HMM. Two engines produce it:

``rjieba`` (default)  jieba-rs through the ``rjieba`` package: about 20 MB/s in one process; its
                      tokens match ``jieba.lcut`` on 99.99% of positions (bench/tokenize_speed.py).
``jieba``             the Python package itself, about 1 MB/s.

jieba's module-level tokenizer is global mutable state, so every :class:`TokenizerConfig` gets its
own segmenter; jieba's prefix-dictionary cache goes to the workbench cache folder.

Part-of-speech tags come from the dictionary (jieba's ``dict.txt`` tags, as held by jieba-rs);
a word the HMM found outside the dictionary is tagged by jieba-rs's HMM tagger on that word alone
(memoised per token), so names the HMM discovers are still recognised as names.

The harvest (:func:`quoting_documents`, :func:`select_quoted_terms`, :func:`containing_documents`,
:func:`select_slogans`) keeps a quoted term as a user word when at least ``min_share`` of the
documents that contain it quote it: slogans are quoted where they are used (两个确立, 千万工程, a
seed's 五星争创), ordinary phrases are not (推进中国式现代化 is quoted in 1 of 301 stories of 2024).
A harvested term thus occurs in at most ``1 / min_share`` times as many documents as quote it,
which bounds the older documents a newly harvested term sends back to the segmenter.

User words (dictionary files and harvested quoted terms) get the frequency jieba's
``suggest_freq`` computes against the main dictionary alone, and jieba's total frequency is held at
the main dictionary's: a unit's segmentation then depends only on the user words that occur in
it, which is what lets the token cache (``workbench.corpus.store``) invalidate exactly the units a
dictionary change touches (:meth:`Tokenizer.changed_words`)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from workbench import paths

# Quoted slogans: “整县推进”, 「五星争创」. Only CJK inside (digits and Latin make codes, not terms).
_QUOTED = re.compile(r"[“「『]([\u4e00-\u9fff]{2,8})[”」』]")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")

# Part-of-speech tags (jieba/ICTCLAS) whose tokens are dropped by default, by prefix: place and
# person names (they tie topics to one article's locality instead of a theme), time words,
# numerals, measure words, pronouns, prepositions, conjunctions, particles, adverbs, locatives.
DEFAULT_POS_DROP = ("ns", "nr", "t", "m", "q", "r", "p", "c", "u", "d", "f", "s", "e", "y", "o", "z")
ENGINES = ("rjieba", "jieba")


@dataclass(frozen=True)
class TokenizerConfig:
    """Everything that decides which tokens a text yields.

    ``user_dicts`` and ``stopword_files`` are paths; their *contents* enter the fingerprint.
    ``extra_words`` are the harvested quoted terms. ``min_len`` drops shorter tokens;
    ``drop_numbers`` drops tokens containing digits; ``hmm`` lets jieba's HMM join unknown
    words; ``pos_drop`` lists tag prefixes to drop (None keeps every part of speech).
    """

    user_dicts: tuple[str, ...] = ()
    stopword_files: tuple[str, ...] = ()
    extra_words: tuple[str, ...] = ()
    min_len: int = 2
    drop_numbers: bool = True
    hmm: bool = True
    pos_drop: tuple[str, ...] | None = DEFAULT_POS_DROP
    engine: str = "rjieba"
    to_simplified: bool = False

    def fingerprint(self) -> str:
        """Changes when anything that decides the kept tokens changes (file contents included)."""
        h = hashlib.sha256()
        h.update(json.dumps({**asdict(self), "user_dicts": None, "stopword_files": None},
                            sort_keys=True, ensure_ascii=False).encode())
        for p in self.user_dicts + ("|",) + self.stopword_files:
            h.update(p.encode() if p == "|" else file_sha256(Path(p)).encode())
        return h.hexdigest()[:16]

    def segmentation_base(self) -> str:
        """What every unit's segmentation depends on besides the user words it contains."""
        return _segmentation_base(self.engine, self.hmm, self.to_simplified)


@functools.lru_cache(maxsize=4)
def _segmentation_base(engine: str, hmm: bool, to_simplified: bool) -> str:
    from importlib.metadata import version

    import jieba

    # Tags are cached with the tokens: the tagger's version is part of the key.
    t2s = f"|t2s=opencc-python-reimplemented-{version('opencc-python-reimplemented')}" if to_simplified else ""
    return f"jieba-{jieba.__version__}|engine={engine}|hmm={hmm}|tags=rjieba-{version('rjieba')}{t2s}"


@functools.lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified characters (OpenCC's t2s tables), so 貪腐 and 贪腐 are one term."""
    return _t2s().convert(text)


#: A document is written in Traditional characters when at least this share of its Han characters,
#: and at least TRADITIONAL_MIN_CHARACTERS of them, are Traditional (:func:`traditional_share`).
#: Measured with bench/traditional_share.py: the 1954 government work report 31% (6,707 of 21,528),
#: the 1957 report 0.72% (227 in eleven paragraphs); every document of the seeds, the 2025-26
#: provincial reports, THUCNews 1k and xinwenlianbo 2024 at most 0.30% and 3 characters (鑑, 吒 of
#: 哪吒, 昇 in a name).
TRADITIONAL_MIN_SHARE = 0.005
TRADITIONAL_MIN_CHARACTERS = 5
#: What CorpusConfig.to_simplified may be: True (every document), False (none), or this (detect).
DETECT_TRADITIONAL = "auto"


@functools.lru_cache(maxsize=1)
def _script_table():
    """Per code point: 0 not Han, 1 Han, 2 a Traditional character (one that OpenCC's t2s table
    always changes: its Simplified forms do not include itself, so 乾 and 於, which Simplified
    text uses too, do not count)."""
    import numpy as np
    from opencc import opencc as module

    table = np.zeros(0x110000, dtype=np.int8)
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
        table[lo:hi + 1] = 1
    chars = Path(module.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in chars.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if source and source not in targets.split():
            table[ord(source[0])] = 2
    return table


def traditional_share(text: str) -> tuple[int, int]:
    """``(Han characters, Traditional characters)`` of ``text`` (see :func:`_script_table`).
    Cost: one UTF-32 encoding and a table look-up per character (about 40 M characters/s)."""
    import numpy as np

    if text.isascii():
        return 0, 0
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    counts = np.bincount(_script_table()[codes], minlength=3)
    return int(counts[1] + counts[2]), int(counts[2])


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in Traditional characters (:data:`TRADITIONAL_MIN_SHARE`,
    :data:`TRADITIONAL_MIN_CHARACTERS`), not a Simplified text with a stray 鑑 or 昇."""
    han, traditional = traditional_share(text)
    return traditional >= TRADITIONAL_MIN_CHARACTERS and traditional >= TRADITIONAL_MIN_SHARE * han


def simplify_traditional(text: str) -> str:
    """``text`` in Simplified characters when :func:`is_traditional`, else unchanged."""
    return to_simplified(text) if is_traditional(text) else text


def traditional_rule() -> str:
    """Names the detection rule and the conversion tables: a cache key for text it converts."""
    from importlib.metadata import version

    return (f"t2s-detect:{TRADITIONAL_MIN_SHARE}:{TRADITIONAL_MIN_CHARACTERS}:"
            f"opencc-python-reimplemented-{version('opencc-python-reimplemented')}")


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


def read_user_dict(path: Path) -> list[tuple[str, str]]:
    """(word, tag) pairs of a jieba user dictionary (``word [freq] [tag]`` per line)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        tag = next((p for p in parts[1:] if not p.isdigit()), "nz")
        out.append((parts[0], tag))
    return out


@functools.lru_cache(maxsize=1)
def _pristine_rjieba():
    """jieba's main dictionary, untouched: user-word frequencies are computed against it."""
    import rjieba

    return rjieba.Jieba()


class Tokenizer:
    """A configured tokenizer.

    ``segment(text)`` gives jieba's (token, tag) pairs, every token kept; ``cut(text)`` gives the
    tokens that pass the filters; ``filter(pairs)`` applies the filters to cached pairs.
    """

    def __init__(self, config: TokenizerConfig):
        import rjieba

        if config.engine not in ENGINES:
            raise ValueError(f"unknown tokenizer engine '{config.engine}' (choose from {', '.join(ENGINES)})")
        self.config = config
        words: dict[str, str] = {}
        for d in config.user_dicts:
            words.update(read_user_dict(Path(d)))
        for w in config.extra_words:
            # Harvested slogans are proper terms: tag them nz so the POS filter keeps them.
            words.setdefault(w, "nz")
        # jieba-rs's suggest_freq is jieba's formula; computed against the pristine dictionary so a
        # word's frequency never depends on which other words were added.
        pristine = _pristine_rjieba()
        self.user_words = {w: (max(pristine.suggest_freq(w), 1), tag) for w, tag in words.items()}
        # jieba-rs holds the dictionary with its tags; it tags tokens for the POS filter (memoised
        # per token) whichever engine segments.
        self._rjieba = rjieba.Jieba()
        for w, (freq, tag) in self.user_words.items():
            self._rjieba.add_word(w, freq, tag)
        self._jieba = None
        if config.engine == "jieba":
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            self._jieba = jieba.Tokenizer()
            self._jieba.tmp_dir = str(paths.cache_dir())
            self._jieba.initialize()
            total = self._jieba.total
            for w, (freq, tag) in self.user_words.items():
                self._jieba.add_word(w, freq, tag)
            self._jieba.total = total  # see the module docstring
        #: The user words as sorted (word, frequency, tag) triples, and their digest: what the token
        #: cache records with a segmentation.
        self.word_set = sorted((w, f, t) for w, (f, t) in self.user_words.items())
        self.word_set_digest = hashlib.sha256(
            json.dumps(self.word_set, ensure_ascii=False).encode()).hexdigest()[:16]
        self.stopwords = frozenset(w for f in config.stopword_files for w in read_word_list(Path(f)))
        #: Names the filters (length, numbers, parts of speech, stopwords): cached kept tokens are per digest.
        self.filter_digest = hashlib.sha256(json.dumps(
            [config.min_len, config.drop_numbers, config.pos_drop, sorted(self.stopwords)],
            ensure_ascii=False).encode()).hexdigest()[:16]
        self._tags: dict[str, str] = {w: tag for w, (_, tag) in self.user_words.items()}
        self._keep: dict[tuple[str, str], bool] = {}
        self._decided: dict[str, str] = {}

    # -- segmentation ------------------------------------------------------------------------
    def raw_tokens(self, text: str) -> list[str]:
        """jieba's segmentation, before any filter (whitespace dropped); with ``to_simplified``
        the text is converted from Traditional to Simplified characters first (OpenCC t2s)."""
        text = self.normalize(text)
        if self._jieba is None:
            toks = self._rjieba.cut(text, self.config.hmm)
        else:
            toks = self._jieba.lcut(text, HMM=self.config.hmm)
        return [t for t in toks if t.strip()]

    def normalize(self, text: str) -> str:
        """The text the segmenter sees (Traditional -> Simplified when configured)."""
        return to_simplified(text) if self.config.to_simplified else text

    def tag(self, token: str) -> str:
        """The token's part of speech: its dictionary tag; for a word the HMM found outside the
        dictionary, the tag jieba-rs's HMM tagger gives it (a name split into pieces that share
        one tag keeps that tag)."""
        t = self._tags.get(token)
        if t is None:
            pairs = self._rjieba.tag(token, True)
            flags = {f for _, f in pairs}
            t = self._tags[token] = flags.pop() if len(flags) == 1 else "x"
        return t

    def segment(self, text: str) -> list[tuple[str, str]]:
        tags, tag = self._tags, self.tag
        return [(t, tags.get(t) or tag(t)) for t in self.raw_tokens(text)]

    def changed_words(self, word_set: Iterable[Sequence]) -> set[str]:
        """The words added, removed or given another frequency or tag since ``word_set`` (another
        tokenizer's :attr:`word_set`, same segmentation base). A segmentation made with
        ``word_set`` is this tokenizer's for any text that contains none of them."""
        old = {w: (f, t) for w, f, t in word_set}
        return ({w for w, ft in old.items() if self.user_words.get(w) != ft}
                | {w for w in self.user_words if w not in old})

    # -- filters -----------------------------------------------------------------------------
    def keep(self, token: str, tag: str = "") -> bool:
        key = (token, tag)
        hit = self._keep.get(key)
        if hit is None:
            hit = self._keep[key] = self._decide(token, tag)
        return hit

    def _decide(self, token: str, tag: str) -> bool:
        c = self.config
        if tag and c.pos_drop and tag.startswith(c.pos_drop) and tag != "eng":
            return False
        has_digit = _HAS_DIGIT.search(token) is not None
        return (len(token) >= c.min_len
                and (_WORDLIKE.search(token) is not None or (has_digit and not c.drop_numbers))
                and not (c.drop_numbers and has_digit)
                and token.lower() not in self.stopwords)

    def segment_joined(self, text: str) -> tuple[str, str]:
        """:meth:`segment` as two space-joined strings (tokens, tags): the cache's format."""
        pairs = self.segment(text)
        return " ".join(p[0] for p in pairs), " ".join(p[1] for p in pairs)

    def filter(self, pairs: Iterable[tuple[str, str]]) -> list[str]:
        """The kept tokens (ASCII lower-cased) of (token, tag) pairs."""
        pairs = list(pairs)
        return self._kept([t for t, _ in pairs], lambda: dict(pairs))

    def filter_joined(self, tokens: str, tags: str) -> list[str]:
        """:meth:`filter` on the cache's format (space-joined tokens and tags)."""
        if not tokens:
            return []
        toks = tokens.split(" ")
        return self._kept(toks, lambda: dict(zip(toks, tags.split(" "))))

    def _kept(self, toks: list[str], tag_of) -> list[str]:
        """Filter ``toks``; ``tag_of()`` maps each token to its tag.

        A token's tag is a function of the token for one tokenizer (the cache reuses a segmentation
        only where it equals this tokenizer's), so the decision is memoised per token: tokens not
        seen before are decided, then one C-level map over the tokens applies the decisions.
        """
        decided = self._decided
        new = set(toks).difference(decided)
        if new:
            tags = tag_of()
            for t in new:
                decided[t] = (t.lower() if t.isascii() else t) if self.keep(t, tags[t]) else ""
        return list(filter(None, map(decided.__getitem__, toks)))

    def cut(self, text: str) -> list[str]:
        return self.filter(self.segment(text))


def get_tokenizer(config: TokenizerConfig) -> Tokenizer:
    """One Tokenizer per config and file contents, built once per process (loading jieba's
    dictionary costs ~1 s).

    The cache is keyed on :meth:`TokenizerConfig.fingerprint`, which hashes the bytes of the
    dictionary and stopword files (8 KB as shipped: 0.15 ms a call), not on their paths: a file
    edited in a long-lived process (a notebook) gives a new tokenizer, as it gives the manifest a
    new hash."""
    return _tokenizer(config, config.fingerprint())


@functools.lru_cache(maxsize=4)
def _tokenizer(config: TokenizerConfig, fingerprint: str) -> Tokenizer:
    return Tokenizer(config)


def select_quoted_terms(counts: Counter[str], pos_drop: tuple[str, ...] | None) -> list[str]:
    """The terms of ``counts``, sorted, less those that would come out as one kept token anyway: a
    word of jieba's main dictionary (cut whole without the HMM) whose dictionary tag the
    part-of-speech filter ``pos_drop`` keeps. Such a user word changes no kept token, yet would send
    every cached unit containing it back to the segmenter."""
    jb = _pristine_rjieba()

    def redundant(w: str) -> bool:
        return jb.cut(w, False) == [w] and not (pos_drop and jb.tag(w, False)[0][1].startswith(pos_drop))

    return sorted(w for w in counts if not redundant(w))


def quoted_terms(text: str) -> set[str]:
    """The distinct terms (2-8 CJK characters in Chinese quotation marks) that ``text`` quotes."""
    return set(_QUOTED.findall(text))


def quote_scheme(to_simplified: bool | str) -> str:
    """Names what :func:`quoted_terms` of a document depends on besides its text (the pattern, and
    the Traditional -> Simplified conversion applied first: always, or when detected): the document
    cache's key for them."""
    from importlib.metadata import version

    t2s = f"|t2s=opencc-python-reimplemented-{version('opencc-python-reimplemented')}" if to_simplified is True else ""
    if to_simplified == DETECT_TRADITIONAL:
        t2s = f"|{traditional_rule()}"
    return hashlib.sha256((_QUOTED.pattern + t2s).encode()).hexdigest()[:16]


def quoting_documents(texts: Iterable[str]) -> Counter[str]:
    """Per term (2-8 CJK characters in Chinese quotation marks), how many of ``texts`` quote it."""
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(quoted_terms(t))
    return counts


def contained_terms(texts: Iterable[str], terms: Sequence[str]) -> Iterator[set[int]]:
    """Per text, the positions in ``terms`` (distinct strings) of those it contains, quoted or not
    (one Aho-Corasick scan per text, overlapping matches included; cost linear in the characters,
    a few tenths of a second per year of xinwenlianbo)."""
    import ahocorasick_rs

    if not terms:
        for _ in texts:
            yield set()
        return
    # measured on three years of xinwenlianbo (7.9M characters): 2,000 terms, the DFA 0.15 s against
    # the contiguous NFA's 0.21 s; 7,500 terms, the NFA 0.32 s against the DFA's 0.38 s
    impl = ahocorasick_rs.Implementation.DFA if len(terms) <= 4000 else ahocorasick_rs.Implementation.ContiguousNFA
    ac = ahocorasick_rs.AhoCorasick(list(terms), implementation=impl)
    for t in texts:
        yield {i for i, _, _ in ac.find_matches_as_indexes(t, overlapping=True)}


def containing_documents(texts: Iterable[str], terms: Iterable[str]) -> Counter[str]:
    """Per term of ``terms``, how many of ``texts`` contain it, quoted or not (:func:`contained_terms`)."""
    terms = sorted(set(terms))
    found: Counter[int] = Counter()
    if terms:
        for hit in contained_terms(texts, terms):
            found.update(hit)
    return Counter({terms[i]: n for i, n in found.items()})


#: The harvest's default: a quoted term becomes a user word when at least this share of the
#: documents containing it quote it (bench/harvest_rule.py measures the alternatives).
MIN_QUOTED_SHARE = 0.3


def select_slogans(quoting: Counter[str], containing: Counter[str], candidates: Iterable[str],
                   min_share: float = MIN_QUOTED_SHARE) -> list[str]:
    """The ``candidates`` that at least ``min_share`` of the documents containing them quote
    (``quoting`` from :func:`quoting_documents`, ``containing`` from :func:`containing_documents`
    over the same documents), sorted."""
    return sorted(w for w in set(candidates)
                  if quoting[w] > 0 and quoting[w] >= min_share * max(containing[w], quoting[w]))


class WordFinder:
    """Tells whether a text contains any of a fixed set of words (Aho-Corasick automaton, Rust)."""

    def __init__(self, words: Iterable[str]):
        import ahocorasick_rs

        words = sorted(set(words))
        self._ac = (ahocorasick_rs.AhoCorasick(words, implementation=ahocorasick_rs.Implementation.DFA)
                    if words else None)

    def __call__(self, text: str) -> bool:
        return self._ac is not None and bool(self._ac.find_matches_as_indexes(text))

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(word index, start, end) of every occurrence in ``text`` (overlapping ones included)."""
        return self._ac.find_matches_as_indexes(text, overlapping=True) if self._ac is not None else []

    def words_in(self, text: str) -> set[str]:
        """The words of the set that occur in ``text`` (overlapping matches included)."""
        if self._ac is None:
            return set()
        return {text[a:b] for _, a, b in self._ac.find_matches_as_indexes(text, overlapping=True)}


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
