"""One preprocessing definition for every engine: sources (or a named corpus of the store) ->
units -> tokens (cached) -> vocabulary -> one int32 array of term ids per unit.

Memory grows with the number of tokens kept, never with Python lists of strings."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, ClassVar, Iterable, Iterator, Sequence

import numpy as np

from workbench import checks, paths
from workbench.corpus import ingest, store
from workbench.corpus.ingest import Document, Problem
from workbench.corpus.units import Unit, split_units
from workbench.errors import PipelineError
from workbench.progress import Stages
from workbench.text import token_cache, vocabulary
from workbench.text.tokenize import (
    DEFAULT_POS_DROP,
    DETECT_TRADITIONAL,
    MIN_QUOTED_SHARE,
    TokenizerConfig,
    contained_terms,
    containing_documents,
    default_config,
    get_tokenizer,
    quote_scheme,
    quoted_terms,
    quoting_documents,
    select_quoted_terms,
    select_slogans,
    simplify_traditional,
    to_simplified,
    traditional_rule,
)
from workbench.text.vocabulary import build_vocabulary

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusConfig:
    """How sources become modelling units. ``min_tokens``: units with fewer kept tokens are left
    out of the model (listed in the manifest); ``harvest_quoted``: add “quoted” terms of the
    corpus to the tokenizer (:meth:`harvested_terms`) that at least ``harvest_min_share`` of the
    documents containing them quote; ``text_column``: the text field of record
    files; ``workers``: processes that tokenize cache misses (tokens do not depend on it);
    ``to_simplified``: ``"auto"`` converts each document written in Traditional characters
    (``tokenize.is_traditional``) to Simplified before it is split and tokenized, ``True`` every
    document, ``False`` none (the stored text, and the tables, keep the source's characters)."""

    unit: str = "paragraph"
    chunk_chars: int = 1000
    min_tokens: int = 5
    harvest_quoted: bool = True
    harvest_min_share: float = MIN_QUOTED_SHARE
    min_len: int = 2
    drop_numbers: bool = True
    hmm: bool = True
    pos_filter: bool = True
    text_column: str | None = None
    tokenizer_engine: str = "rjieba"
    workers: int = 0  # 0: one per core
    to_simplified: bool | str = DETECT_TRADITIONAL
    follow_links: bool = False  # read what links inside a source folder lead to outside it

    BOUNDS: ClassVar[dict] = {"chunk_chars": checks.POSITIVE_INT, "min_tokens": checks.POSITIVE_INT,
                              "harvest_min_share": checks.UNIT_INTERVAL, "min_len": checks.POSITIVE_INT,
                              "workers": checks.COUNT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)
        if self.to_simplified not in (True, False, DETECT_TRADITIONAL):
            raise ValueError(f"to_simplified is True, False or {DETECT_TRADITIONAL!r}, not {self.to_simplified!r}")

    def normalize(self, text: str) -> str:
        """A document's text as the harvest reads it: Traditional converted to Simplified as
        ``to_simplified`` says (every document, or those :func:`tokenize.is_traditional` finds)."""
        if self.to_simplified is True:
            return to_simplified(text)
        return simplify_traditional(text) if self.to_simplified == DETECT_TRADITIONAL else text

    def text_rule(self) -> str:
        """What the units' texts depend on besides the document's text (the detection of
        Traditional documents, or nothing): part of the document cache's key."""
        return traditional_rule() if self.to_simplified == DETECT_TRADITIONAL else ""

    def harvest_candidates(self, quoting: Counter[str]) -> list[str]:
        """The quoted terms (``quoting_documents`` of the corpus) worth counting: every term the
        corpus puts in quotation marks, except those that would come out as one kept token anyway
        (a word of jieba's dictionary whose tag the part-of-speech filter keeps, such as 一般 or 先进;
        see ``select_quoted_terms``). Every new user word sends each cached unit containing it back
        to the segmenter, so words that change nothing are left out."""
        if not self.harvest_quoted:
            return []
        return select_quoted_terms(quoting, DEFAULT_POS_DROP if self.pos_filter else None)

    def harvested_terms(self, quoting: Counter[str], containing: Counter[str]) -> list[str]:
        """The terms the tokenizer gets: of the candidates counted in ``containing`` (the
        ``containing_documents`` of :meth:`harvest_candidates`, over the same documents), the
        slogans, which at least ``harvest_min_share`` of the documents containing them quote (see
        ``tokenize.select_slogans``), not phrases some story happened to quote."""
        if not self.harvest_quoted:
            return []
        return select_slogans(quoting, containing, containing, self.harvest_min_share)

    def quoted_counts(self, texts: Iterable[str]) -> Counter[str]:
        """The documents quoting each term (``quoting_documents`` of ``texts``, each
        :meth:`normalize`-d first), nothing when the harvest is off. Counts of parts of a corpus
        add up to the counts of the whole (Spark sums partitions')."""
        if not self.harvest_quoted:
            return Counter()
        return quoting_documents(texts if self.to_simplified is False else map(self.normalize, texts))

    def containing_counts(self, texts: Iterable[str], candidates: Sequence[str]) -> Counter[str]:
        """The documents containing each of ``candidates`` (:meth:`harvest_candidates`), quoted or
        not (``containing_documents``, converted as :meth:`quoted_counts`); they add up as well."""
        return containing_documents(texts if self.to_simplified is False else map(self.normalize, texts), candidates)

    def tokenizer_config(self, harvested: Sequence[str]) -> TokenizerConfig:
        return default_config(harvested, min_len=self.min_len, drop_numbers=self.drop_numbers, hmm=self.hmm,
                              engine=self.tokenizer_engine, to_simplified=self.to_simplified is True,
                              **({} if self.pos_filter else {"pos_drop": None}))

    def units(self, doc_id: str, text: str) -> list[Unit]:
        """The modelling units of one document (only its id and text matter); a document written
        in Traditional characters is converted first when ``to_simplified`` is ``"auto"`` (with
        True the tokenizer converts every unit)."""
        if self.to_simplified == DETECT_TRADITIONAL:
            text = simplify_traditional(text)
        return split_units(Document(doc_id, "", "", text), self.unit, chunk_chars=self.chunk_chars)

    def check_units(self, n_kept: int) -> None:
        """Raise PipelineError when fewer than two units keep ``min_tokens`` tokens."""
        if n_kept < 2:
            raise PipelineError(f"only {n_kept} unit(s) with at least {self.min_tokens} tokens: "
                                f"too little text to model (try --unit paragraph or more documents)")


def unit_tokens(tokenizer, text: str) -> list[str]:
    """The kept tokens of one unit: its segmentation, then the filters (what the token cache
    stores and returns for a unit, computed without the cache)."""
    return tokenizer.filter_joined(*tokenizer.segment_joined(text))


def default_sources(sources: Sequence | None, corpus_name: str | None) -> list | None:
    """What a command reads: ``sources`` as given, the bundled seeds when neither sources nor a
    corpus of the store is named, None (the store's corpus) otherwise."""
    if corpus_name is not None:
        return list(sources) if sources else None
    return list(sources) if sources else [paths.seeds_dir()]


def no_documents_error(sources: Sequence | None, corpus_name: str | None, n_problems: int) -> PipelineError:
    where = ", ".join(str(s) for s in sources or [corpus_name])
    return PipelineError(f"{where}: no documents with text found"
                         + (f" ({n_problems} inputs skipped, see messages above)" if n_problems else ""))


@dataclass(frozen=True)
class Corpus:
    """Units ready for a model.

    ``token_ids[i]`` holds unit ``unit_ids[i]``'s in-vocabulary term ids in text order (non-empty).
    Texts and metadata stay in the store (``store_path``) and are streamed when a table needs them.

    ``doc_ids`` are the modelled texts, each once, in the order of the first record that holds
    it; ``record_ids[i]`` is that record (its source, line and metadata are the document's in
    the tables), and ``other_records[doc_id]`` names the later records of the same text among the
    modelled sources (``source_file:record``), for texts that have any.
    """

    store_path: Path
    doc_ids: tuple[str, ...]
    record_ids: tuple[int, ...]
    unit_ids: tuple[str, ...]
    unit_doc_ids: tuple[str, ...]
    token_ids: tuple[np.ndarray, ...] = field(repr=False)
    vocab: vocabulary.Vocabulary = field(repr=False)
    config: CorpusConfig = field(repr=False)
    tokenizer_config: TokenizerConfig = field(repr=False)
    harvested: tuple[str, ...] = ()
    dropped_units: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    stats: dict = field(default_factory=dict, compare=False)
    other_records: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def bows(self) -> "Bows":
        """Bags of words (gensim's corpus protocol), computed from ``token_ids`` on iteration."""
        return Bows(self.token_ids)

    @property
    def n_tokens(self) -> np.ndarray:
        return np.array([len(t) for t in self.token_ids], dtype=np.int64)

    @property
    def tokens(self) -> "TokenLists":
        """The units' in-vocabulary terms, as lists of strings, produced lazily on iteration."""
        return TokenLists(self.token_ids, self.vocab.terms)

    def documents(self) -> Iterator[Document]:
        """The modelled documents in ``doc_ids`` order, each with its record's metadata."""
        with closing(store.connect(self.store_path)) as conn:
            yield from store.iter_records(conn, self.record_ids)

    def iter_units(self) -> Iterator[tuple[Document, Unit]]:
        """The modelled units with their documents, in ``unit_ids`` order (re-split from the store)."""
        wanted = set(self.unit_ids)
        for doc in self.documents():
            for u in split_units(doc, self.config.unit, chunk_chars=self.config.chunk_chars):
                if u.unit_id in wanted:
                    yield doc, u

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(u for _, u in self.iter_units())


class Bows:
    """A re-iterable, indexable view of token-id arrays as gensim bags of words."""

    def __init__(self, token_ids):
        self._ids = token_ids

    def __len__(self):
        return len(self._ids)

    @staticmethod
    def _bow(ids):
        u, c = np.unique(ids, return_counts=True)
        return list(zip(u.tolist(), c.tolist()))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._bow(x) for x in self._ids[i]]
        return self._bow(self._ids[i])

    def __iter__(self):
        for ids in self._ids:
            yield self._bow(ids)


class TokenLists:
    """A re-iterable view of token-id arrays as lists of terms (what gensim's coherence wants)."""

    def __init__(self, token_ids, terms):
        self._ids, self._terms = token_ids, terms

    def __len__(self):
        return len(self._ids)

    def __getitem__(self, i):
        return [self._terms[j] for j in self._ids[i]]

    def __iter__(self):
        for ids in self._ids:
            yield [self._terms[j] for j in ids]


# ------------------------------------------------------------------------------------------------

class _TermIds(dict):
    """term -> id, a new term numbered on first look-up (first-seen order) by C-level ``[]``."""

    def __missing__(self, term: str) -> int:
        i = self[term] = len(self)
        return i


_WORKER_TOKENIZER = None


def _die_with_parent(parent: int) -> None:
    """A segmenting worker ends when the process that started it ends, even by ``kill -9``: on Linux
    the kernel sends it SIGTERM (``prctl(PR_SET_PDEATHSIG)``); elsewhere it lives until its next task."""
    import signal

    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _init_worker(config: TokenizerConfig, parent: int) -> None:
    global _WORKER_TOKENIZER
    _die_with_parent(parent)
    _WORKER_TOKENIZER = get_tokenizer(config)


def _segment_chunk(texts: list[str]) -> list[tuple[str, str]]:
    # Two joined strings per text: far cheaper to send back than lists of tuples.
    return [_WORKER_TOKENIZER.segment_joined(t) for t in texts]


POOL_MIN_CHARS = 50_000  # ~25 ms of segmentation: below that, forking and pickling cost more than they save


class _Segmenter:
    """Segments cache misses, in a process pool when there are enough of them to pay for it."""

    def __init__(self, tokenizer, workers: int):
        self.tokenizer, self.workers, self.pool = tokenizer, workers, None

    def __call__(self, texts: list[str]) -> list[tuple[str, str]]:
        if self.workers <= 1 or sum(map(len, texts)) < POOL_MIN_CHARS:
            return [self.tokenizer.segment_joined(t) for t in texts]
        if self.pool is None:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork: the workers inherit the built tokenizer (the Rust segmenter cannot be pickled)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("fork"),
                                            initializer=_init_worker, initargs=(self.tokenizer.config, os.getpid()))
        size = max(50, len(texts) // (self.workers * 8))
        chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
        return [seg for part in self.pool.map(_segment_chunk, chunks) for seg in part]

    def close(self):
        if self.pool is not None:
            self.pool.shutdown()


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the segmenting pool is shut down
    within the tokenize stage): a measure of the stage's work that other load does not inflate."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def source_records(conn, sources: Sequence[Path] | None, corpus_name: str | None,
                   text_column: str | None = None, follow_links: bool = False
                   ) -> tuple[list[tuple[int, str]], list[Problem]]:
    """The ``(record id, doc_id)`` pairs to work on, in source order: the named corpus of the
    store, or ``sources`` ingested into it (the skipped inputs reported on standard error and
    returned; ``follow_links`` as :func:`workbench.corpus.ingest.iter_source_files`). Raises
    PipelineError when there is no document with text."""
    problems: list[Problem] = []
    if corpus_name is not None:
        try:
            records = store.corpus_records(conn, corpus_name)
        except KeyError as exc:
            raise PipelineError(exc.args[0]) from None
    else:
        try:
            report = store.ingest(conn, [Path(s) for s in sources], text_column=text_column,
                                  follow_links=follow_links)
        except ingest.IngestError as exc:
            raise PipelineError(str(exc)) from None
        problems = list(report.skipped)
        ingest.report(problems)
        if report.renamed():
            _log.info("%s", report.renamed())
        records = list(zip(report.records, report.doc_ids))
    if not records:
        raise no_documents_error(sources, corpus_name, len(problems))
    return records, problems


def harvest(config: CorpusConfig, texts: Callable[[], Iterable[str]]) -> list[str]:
    """The harvested terms of a corpus: ``texts()`` yields its documents' texts and is called twice
    (:meth:`CorpusConfig.quoted_counts`, then :meth:`~CorpusConfig.containing_counts` of the
    candidates), as the Spark engine does per partition. Memory holds the counts only."""
    if not config.harvest_quoted:
        return []
    quoting = config.quoted_counts(texts())
    return config.harvested_terms(quoting, config.containing_counts(texts(), config.harvest_candidates(quoting)))


@dataclass(frozen=True)
class Harvest:
    """What :func:`harvest_documents` found: the ``terms`` the tokenizer gets and, per document
    (doc_id), the candidate terms looked for in its text so far (``scanned``) and those it contains
    (``found``, documents with none left out): the document cache checks older documents against
    them."""

    terms: list[str]
    found: dict[str, set[str]] = field(default_factory=dict)
    scanned: dict[str, frozenset[str]] = field(default_factory=dict)


TRADITIONAL_LISTED = 1000  # converted documents the manifest lists by id (it counts them all)


def traditional_documents(config: CorpusConfig, conn, reader, doc_ids: Sequence[str],
                          records: dict[str, int]) -> tuple[dict | None, Callable[[str, str], str]]:
    """With ``to_simplified="auto"``: which of ``doc_ids`` are written in Traditional characters
    (``tokenize.is_traditional``: their units are converted to Simplified before tokenizing), as
    the manifest's ``corpus.stats.traditional``, and one log line naming them when there are any.
    None for the other settings (the config says what was done). ``records``: doc_id -> its record
    id (the sources named in the log line). Also returns ``normalize(doc_id, text)``: the text as
    :meth:`CorpusConfig.normalize` makes it, without detecting again. Cost: the counts of each
    document are stored (``token_cache.script_counts``): one pass over the new texts, about
    40 M characters/s."""
    from workbench.text.tokenize import TRADITIONAL_MIN_CHARACTERS, TRADITIONAL_MIN_SHARE, traditional_share

    if config.to_simplified != DETECT_TRADITIONAL:
        return None, lambda doc_id, text: config.normalize(text)
    found = []
    counts = token_cache.script_counts(conn, doc_ids, traditional_rule(), traditional_share,
                                       lambda ids: store.iter_texts(reader, ids))
    for doc_id in doc_ids:
        han, trad = counts[doc_id]
        if trad >= TRADITIONAL_MIN_CHARACTERS and trad >= TRADITIONAL_MIN_SHARE * han:
            found.append({"doc_id": doc_id, "han_characters": han, "traditional_characters": trad})
    converted = {f["doc_id"] for f in found}
    out = {"rule": f"convert a document when at least {TRADITIONAL_MIN_SHARE:.1%} of its Han characters "
                   f"(and {TRADITIONAL_MIN_CHARACTERS}) are Traditional",
           "min_share": TRADITIONAL_MIN_SHARE, "min_characters": TRADITIONAL_MIN_CHARACTERS,
           "converted_documents": len(found), "documents": found[:TRADITIONAL_LISTED]}
    if found:
        top = sorted(found, key=lambda f: -f["traditional_characters"] / f["han_characters"])[:3]
        names = {d.doc_id: (f"{d.source_file}:{d.record}" if d.record else d.source_file)
                 + (f" ({d.meta['title']})" if d.meta.get("title") else "")
                 for d in store.iter_records(conn, [records[f["doc_id"]] for f in top])}
        shown = "; ".join(f"{names.get(f['doc_id'], f['doc_id'])} "
                          f"{f['traditional_characters'] / f['han_characters']:.1%}" for f in top)
        more = f" and {len(found) - len(top)} more" if len(found) > len(top) else ""
        _log.info("%d of %d documents are written in Traditional characters (%s%s): converted to Simplified "
                  "for tokenizing, the tables keep their text (--keep-traditional leaves them as they are)",
                  len(found), len(doc_ids), shown, more)
    return out, lambda doc_id, text: to_simplified(text) if doc_id in converted else text


def harvest_documents(config: CorpusConfig, conn, reader, doc_ids: Sequence[str],
                      normalize: Callable[[str, str], str] | None = None) -> Harvest:
    """:func:`harvest` over documents of the store, by the same rule and with the same result,
    from counts stored per document (``token_cache.DocumentTerms``): the terms each quotes, and
    which of the candidates looked for so far it contains. A document is read for its quoted terms
    once, and again only to look for candidates it was not searched for (in a retrain, those that
    only the new documents quote); the corpus's counts are the sums. Memory: the counts and, per
    document, the candidates it contains. ``normalize(doc_id, text)``: the text as the harvest
    reads it (default :meth:`CorpusConfig.normalize`)."""
    if not config.harvest_quoted:
        return Harvest([])
    norm = normalize or (lambda doc_id, text: config.normalize(text))
    ids = list(dict.fromkeys(doc_ids))
    cache = token_cache.DocumentTerms(conn, quote_scheme(config.to_simplified))
    rows = cache.load(ids)
    quoted = {d: row[0] for d, row in rows.items()}
    for d, text in store.iter_texts(reader, [d for d in ids if d not in rows]):
        quoted[d] = " ".join(sorted(quoted_terms(norm(d, text))))
    # each document quotes a term once at most: the corpus's counts are the words of all the lists
    quoting = Counter(" ".join(quoted.values()).split())
    candidates = config.harvest_candidates(quoting)
    wanted = frozenset(candidates)
    groups: dict[int | None, list[str]] = {}
    for d in ids:
        groups.setdefault(rows[d][1] if d in rows else None, []).append(d)
    found: dict[str, set[str]] = {}
    scanned: dict[str, frozenset[str]] = {}
    for set_id, docs in groups.items():
        known = cache.term_set(set_id) if set_id is not None else frozenset()
        for d in docs:
            if d in rows and rows[d][2]:
                found[d] = set(rows[d][2].split(" "))
        extra = sorted(wanted - known)
        if extra:
            texts = (norm(d, text) for d, text in store.iter_texts(reader, docs))
            for d, hit in zip(docs, contained_terms(texts, extra)):
                if hit:
                    found.setdefault(d, set()).update(extra[i] for i in hit)
            known = known | wanted
            new_id = cache.term_set_id(known)
            cache.save([(d, quoted[d], new_id, " ".join(sorted(found.get(d, ())))) for d in docs])
        for d in docs:
            scanned[d] = known
    containing = Counter(w for hit in found.values() for w in hit if w in wanted)
    return Harvest(config.harvested_terms(quoting, containing), found, scanned)


DOCUMENT_BATCH = 5000  # documents whose units are looked up, segmented and stored together


class _FirstSeen:
    """Renumbers store term ids in first-seen order over the units given (``token2id`` of a cold
    run): ``local`` maps a store id to its number here, -1 until seen."""

    def __init__(self):
        self.local = np.full(1024, -1, dtype=np.int32)
        self.order: list[np.ndarray] = []
        self.n = 0

    def __call__(self, units: Sequence[np.ndarray]) -> list[np.ndarray]:
        if not units:
            return []
        flat = np.concatenate(units)
        if len(flat) and flat.max() >= len(self.local):
            grown = np.full(max(2 * len(self.local), int(flat.max()) + 1), -1, dtype=np.int32)
            grown[:len(self.local)] = self.local
            self.local = grown
        unseen = flat[self.local[flat] < 0]
        if len(unseen):
            values, first = np.unique(unseen, return_index=True)
            new = values[np.argsort(first, kind="stable")]
            self.local[new] = np.arange(self.n, self.n + len(new), dtype=np.int32)
            self.n += len(new)
            self.order.append(new)
        mapped = self.local[flat]
        return np.split(mapped, np.cumsum([len(u) for u in units[:-1]]))

    def token2id(self, terms: Sequence[str]) -> dict[str, int]:
        order = np.concatenate(self.order) if self.order else np.zeros(0, dtype=np.int32)
        return {terms[g]: i for i, g in enumerate(order.tolist())}


def prepare(sources: Sequence[Path] | None = None, config: CorpusConfig = CorpusConfig(), *,
            corpus_name: str | None = None, no_below: int = 2, no_above: float = 0.5,
            store_path: Path | None = None, progress: bool = True, stages: Stages | None = None,
            store_wait: float | None = None) -> Corpus:
    """Ingest ``sources`` into the store (or take the named corpus), split, tokenize through the
    cache, build the vocabulary and term-id arrays. ``stages``
    (:class:`workbench.progress.Stages`; default: new ones, showing lines when ``progress``) gets the
    seconds of ``read``, ``traditional`` (finding documents written in Traditional characters;
    with ``to_simplified="auto"``), ``harvest``, ``tokenize`` and ``vocabulary``.

    Cost: for documents the cache holds, one read of their stored quoted terms and term ids, and
    one pass over their texts (the harvest counts where its candidates occur); new documents, and
    documents containing a user word that changed since, are read, split, looked up unit by unit
    (:class:`token_cache.SegmentCache`) and segmented where needed. Memory holds one int32 per kept
    token plus the vocabulary.
    """
    from tqdm import tqdm

    t_start = time.perf_counter()
    stages = stages if stages is not None else Stages(progress)
    store_path = Path(store_path or store.default_path())
    with closing(store.connect(store_path, store_wait)) as conn, closing(store.connect(store_path)) as reader, \
            stages.sequence() as stage:
        stage.next("read", f"reading {_sources_named(sources, corpus_name)}")
        records, problems = source_records(conn, sources, corpus_name, config.text_column, config.follow_links)
        first, others = _first_records(conn, records)
        doc_ids = list(first)
        t_read, cpu_read = time.perf_counter(), _cpu_seconds()
        if config.to_simplified == DETECT_TRADITIONAL:
            stage.next("traditional", f"looking for Traditional characters in {len(doc_ids):,} documents")
        traditional, normalize = traditional_documents(config, conn, reader, doc_ids, first)
        stage.next("harvest", f"counting quoted terms in {len(doc_ids):,} documents" if config.harvest_quoted
                   else None)
        harvested = harvest_documents(config, conn, reader, doc_ids, normalize)
        t_harvest = time.perf_counter()
        # the bar shows from 500 documents; fewer (long reports) get a line when they take a while
        stage.next("tokenize", f"tokenizing {len(doc_ids):,} documents" if len(doc_ids) < 500 else None)
        tcfg = config.tokenizer_config(harvested.terms)
        tokenizer = get_tokenizer(tcfg)
        workers = config.workers or os.cpu_count() or 1
        segmenter = _Segmenter(tokenizer, workers)
        cache = token_cache.SegmentCache(conn, tokenizer, segmenter)
        documents = token_cache.DocumentCache(conn, tokenizer, cache.word_set, config.unit, config.chunk_chars,
                                               config.text_rule())
        entries = documents.word_sets(doc_ids)
        stale = documents.stale(entries, harvested.found, harvested.scanned,
                                lambda ids: ((d, normalize(d, t)) for d, t in store.iter_texts(reader, ids)))
        first_seen = _FirstSeen()
        unit_ids: list[str] = []
        unit_docs: list[str] = []
        raw_ids: list[np.ndarray] = []
        dropped: list[str] = []
        reused_units = 0
        tag = config.unit[0]
        try:
            bar = tqdm(total=len(doc_ids), desc="tokenizing", unit="doc", leave=False,
                       disable=not progress or len(doc_ids) < 500)
            for b in range(0, len(doc_ids), DOCUMENT_BATCH):
                batch = doc_ids[b:b + DOCUMENT_BATCH]
                stored = documents.load([d for d in batch if d in entries and d not in stale])
                per_doc = {d: documents.units(blob) for d, blob in stored.items()}
                reused_units += sum(len(u) for u in per_doc.values())
                redo = [d for d in batch if d not in per_doc]
                units = [u for d, text in store.iter_texts(reader, redo) for u in config.units(d, text)]
                ids = documents.term_ids(cache.kept([u.text for u in units]))
                for u, arr in zip(units, ids):
                    per_doc.setdefault(u.doc_id, []).append(arr)
                documents.save([(d, documents.pack(per_doc.setdefault(d, []))) for d in redo])
                kept: list[np.ndarray] = []
                for d in batch:
                    for i, arr in enumerate(per_doc[d]):
                        uid = f"{d}-{tag}{i:03d}"
                        if len(arr) < config.min_tokens:
                            dropped.append(uid)
                            continue
                        unit_ids.append(uid)
                        unit_docs.append(d)
                        kept.append(arr)
                raw_ids.extend(first_seen(kept))
                bar.update(len(batch))
            bar.close()
        finally:
            segmenter.close()
        token2id = first_seen.token2id(documents.terms)
    t_tok, cpu_tok = time.perf_counter(), _cpu_seconds()
    config.check_units(len(unit_ids))
    with stages("vocabulary", f"building the vocabulary of {len(unit_ids):,} units"):
        vocab, remap, eff_no_above = build_vocabulary(token2id, raw_ids, no_below, no_above)
        kept_units, kept_docs, token_ids = [], [], []
        for uid, did, ids in zip(unit_ids, unit_docs, raw_ids):
            new = remap[ids]
            new = new[new >= 0]
            if len(new) == 0:
                dropped.append(uid)
                continue
            kept_units.append(uid)
            kept_docs.append(did)
            token_ids.append(new)
        vocab = replace(vocab, corpus_freq=np.bincount(np.concatenate(token_ids), minlength=len(vocab.terms)))
    retok = cache.retokenized()
    _log.debug("tokenize: %d units segmented: %d new, %d containing a changed user word%s; %d reused",
              cache.misses, retok["new_units"], retok["touched_units"],
              " (" + ", ".join(f"{w} {n}" for w, n in list(retok["touched_by"].items())[:5]) + ")"
              if retok["touched_by"] else "", cache.hits + reused_units)
    stats_d = {"cache_hits": cache.hits + reused_units, "cache_misses": cache.misses, "retokenized": retok,
               "documents_reused": len(doc_ids) - len(stale) - sum(d not in entries for d in doc_ids),
               "seconds_read": round(t_read - t_start, 3), "seconds_tokenize": round(t_tok - t_read, 3),
               "seconds_harvest": round(t_harvest - t_read, 3), "cpu_seconds_tokenize": round(cpu_tok - cpu_read, 3),
               "seconds_segmenting_misses": round(cache.seconds_segmenting, 3), "workers": workers,
               "no_above_effective": eff_no_above, "n_records": len(records),
               "records_repeating_a_text": len(records) - len(doc_ids),
               **({"traditional": traditional} if traditional is not None else {})}
    return Corpus(store_path, tuple(doc_ids), tuple(first.values()), tuple(kept_units), tuple(kept_docs),
                  tuple(token_ids), vocab, config, tcfg, tuple(harvested.terms), tuple(dropped), tuple(problems),
                  stats_d, others)


def _sources_named(sources: Sequence | None, corpus_name: str | None, most: int = 3) -> str:
    """``news.jsonl, reports/`` or ``corpus 'gov' of the store``: what a command reads, for a
    progress line."""
    if sources is None:
        return f"corpus '{corpus_name}' of the store"
    names = [Path(s).name or str(s) for s in sources]
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


def _first_records(conn, records: Sequence[tuple[int, str]]) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """From ``(record id, doc_id)`` pairs in source order: doc_id -> its first record's id (in
    first-seen order), and doc_id -> the names (``source_file:record``) of its later records,
    for the texts that have some. Memory: one entry per text, names only for repeats."""
    first: dict[str, int] = {}
    later: list[int] = []
    for rid, doc_id in records:
        if first.setdefault(doc_id, rid) != rid:
            later.append(rid)
    others: dict[str, list[str]] = {}
    for d in store.iter_records(conn, later):
        others.setdefault(d.doc_id, []).append(f"{d.source_file}:{d.record}" if d.record else d.source_file)
    return first, {k: tuple(v) for k, v in others.items()}


def prepare_for_vocabulary(sources: Sequence[Path], config: CorpusConfig, tokenizer_config: TokenizerConfig,
                           vocab: vocabulary.Vocabulary, *, store_path: Path | None = None) -> Corpus:
    """New documents as units of a model trained before: ``sources`` ingested into the store (as
    ``train`` does), split by ``config``, tokenized by ``tokenizer_config`` (the training run's,
    through the token cache) and mapped onto ``vocab`` (the run's terms, in its order). A unit
    with fewer than ``config.min_tokens`` kept tokens, or with none of the vocabulary's terms, is
    left out (``dropped_units``), as in training; terms the vocabulary lacks are dropped.

    Output: a :class:`Corpus` over ``vocab`` (``harvested`` empty: the tokenizer's words are the
    run's). Raises PipelineError when no unit is left. Cost: one pass over the documents; memory
    holds one int32 per kept token."""
    store_path = Path(store_path or store.default_path())
    index = {t: i for i, t in enumerate(vocab.terms)}
    with closing(store.connect(store_path)) as conn, closing(store.connect(store_path)) as reader:
        records, problems = source_records(conn, [Path(s) for s in sources], None, config.text_column)
        first, others = _first_records(conn, records)
        doc_ids = list(first)
        tokenizer = get_tokenizer(tokenizer_config)
        segmenter = _Segmenter(tokenizer, config.workers or os.cpu_count() or 1)
        cache = token_cache.SegmentCache(conn, tokenizer, segmenter)
        unit_ids, unit_docs, token_ids, dropped = [], [], [], []
        try:
            for doc_id, text in store.iter_texts(reader, doc_ids):
                units = config.units(doc_id, text)
                for u, toks in zip(units, cache.kept([u.text for u in units])):
                    ids = np.fromiter((index[t] for t in toks if t in index), dtype=np.int32)
                    if len(toks) < config.min_tokens or len(ids) == 0:
                        dropped.append(u.unit_id)
                        continue
                    unit_ids.append(u.unit_id)
                    unit_docs.append(u.doc_id)
                    token_ids.append(ids)
        finally:
            segmenter.close()
    if not unit_ids:
        raise PipelineError(f"{', '.join(map(str, sources))}: no unit with at least {config.min_tokens} tokens "
                            f"and a term of the model's vocabulary")
    return Corpus(store_path, tuple(doc_ids), tuple(first.values()), tuple(unit_ids), tuple(unit_docs),
                  tuple(token_ids), vocab, config, tokenizer_config, (), tuple(dropped), tuple(problems),
                  {"cache_hits": cache.hits, "cache_misses": cache.misses}, others)
