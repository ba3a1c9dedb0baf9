"""The pipeline, one way: sources -> documents -> units -> tokens -> vocabulary -> model -> run.

:func:`prepare` turns sources into a modelling corpus (in memory: the seed corpus and corpora of
tens of thousands of units); :func:`train` fits a model on it and writes a run folder.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from . import ingest, models, paths, runs
from .ingest import Document, Problem
from .tokenize import TokenizerConfig, default_config, get_tokenizer, harvest_quoted_terms
from .units import Unit, split_units


class PipelineError(Exception):
    """A run cannot be made (no sources, empty corpus, bad themes file); the message says why."""


@dataclass(frozen=True)
class CorpusConfig:
    """How sources become modelling units. ``min_tokens``: units with fewer kept tokens are left
    out of the model (listed in the manifest); ``harvest_quoted``: add “quoted” terms of the
    corpus to the tokenizer; ``text_column``: the text field of record files."""

    unit: str = "paragraph"
    chunk_chars: int = 1000
    min_tokens: int = 5
    harvest_quoted: bool = True
    min_len: int = 2
    drop_numbers: bool = True
    hmm: bool = True
    pos_filter: bool = True
    text_column: str | None = None


@dataclass(frozen=True)
class Corpus:
    """Units ready for a model: ``units[i]`` has ``tokens[i]`` and ``bows[i]`` (non-empty)."""

    docs: tuple[Document, ...]
    units: tuple[Unit, ...]
    tokens: tuple[tuple[str, ...], ...]
    bows: list = field(repr=False)
    vocab: models.Vocabulary = field(repr=False)
    tokenizer_config: TokenizerConfig = field(repr=False)
    harvested: tuple[str, ...] = ()
    dropped_units: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def read_documents(sources: Sequence[Path], text_column: str | None = None) -> tuple[list[Document], list[Problem]]:
    problems: list[Problem] = []
    try:
        docs = list(ingest.dedupe(ingest.read_sources(sources, text_column=text_column, problems=problems),
                                  problems))
    except ingest.IngestError as exc:
        raise PipelineError(str(exc)) from None
    return docs, problems


def prepare(sources: Sequence[Path], config: CorpusConfig = CorpusConfig(), *,
            no_below: int = 2, no_above: float = 0.5, docs: list[Document] | None = None,
            problems: list[Problem] | None = None) -> Corpus:
    """Read, clean, split and tokenize the sources; build the vocabulary and bags of words."""
    if docs is None:
        docs, problems = read_documents(sources, config.text_column)
        ingest.report(problems)
    problems = list(problems or [])
    if not docs:
        where = ", ".join(str(s) for s in sources)
        raise PipelineError(f"{where}: no documents with text found"
                            + (f" ({len(problems)} inputs skipped, see messages above)" if problems else ""))
    harvested = harvest_quoted_terms(d.text for d in docs) if config.harvest_quoted else []
    tcfg = default_config(harvested, min_len=config.min_len, drop_numbers=config.drop_numbers, hmm=config.hmm,
                          **({} if config.pos_filter else {"pos_drop": None}))
    tokenizer = get_tokenizer(tcfg)
    units: list[Unit] = []
    tokens: list[tuple[str, ...]] = []
    dropped: list[str] = []
    all_units = [u for d in docs for u in split_units(d, config.unit, chunk_chars=config.chunk_chars)]
    for u, toks in zip(all_units, tokenize_units(tokenizer, [u.text for u in all_units])):
        if len(toks) < config.min_tokens:
            dropped.append(u.unit_id)
            continue
        units.append(u)
        tokens.append(tuple(toks))
    if len(units) < 2:
        raise PipelineError(f"only {len(units)} unit(s) with at least {config.min_tokens} tokens: "
                            f"too little text to model (try --unit paragraph or more documents)")
    vocab = models.build_vocabulary(tokens, no_below, no_above)
    bows = [vocab.dictionary.doc2bow(t) for t in tokens]
    keep = [i for i, b in enumerate(bows) if b]
    if len(keep) < len(bows):
        dropped.extend(units[i].unit_id for i in range(len(units)) if not bows[i])
        units = [units[i] for i in keep]
        tokens = [tokens[i] for i in keep]
        bows = [bows[i] for i in keep]
    if len(vocab.terms) == 0:
        raise PipelineError("the vocabulary is empty after filtering (no_below/no_above too strict for this corpus)")
    return Corpus(tuple(docs), tuple(units), tuple(tokens), bows, vocab, tcfg, tuple(harvested),
                  tuple(dropped), tuple(problems))


def tokenize_units(tokenizer, texts: Sequence[str], progress: bool = True) -> list[list[str]]:
    from tqdm import tqdm

    return [tokenizer.cut(t) for t in tqdm(texts, desc="tokenizing", unit="unit", leave=False,
                                            disable=not progress or len(texts) < 2000)]


def train(sources: Sequence[Path] | None = None, *, corpus_config: CorpusConfig = CorpusConfig(),
          model_config: models.ModelConfig = models.ModelConfig(), themes_file: Path | None = None,
          out_dir: Path | None = None, corpus_name: str | None = None, progress: bool = True) -> Path:
    """Train on ``sources`` (default: the bundled seeds) and write a run folder; return its path."""
    sources = [Path(s) for s in (sources or [paths.seeds_dir()])]
    themes = None
    if themes_file is not None:
        try:
            themes = models.load_themes(Path(themes_file))
        except ValueError as exc:
            raise PipelineError(str(exc)) from None
    docs, problems = read_documents(sources, corpus_config.text_column)
    ingest.report(problems)
    corpus = prepare(sources, corpus_config, no_below=model_config.no_below, no_above=model_config.no_above,
                     docs=docs, problems=problems)
    fitted = models.fit(corpus.bows, corpus.vocab, model_config, themes, progress=progress)
    for name, words in fitted.settings.get("missing_seed_words", {}).items():
        print(f"workbench: theme '{name}': seed words not in the vocabulary: {'、'.join(words)}",
              file=sys.stderr)
    return runs.write_run(
        corpus=corpus, fitted=fitted, out_dir=out_dir or paths.runs_dir(),
        config={"sources": [str(s) for s in sources], "corpus_name": corpus_name,
                "corpus": asdict(corpus_config), "model": asdict(model_config),
                "themes_file": str(themes_file) if themes_file else None,
                "themes": {n: list(w) for n, w in zip(themes.names, themes.words)} if themes else None},
        themes_file=themes_file,
    )
