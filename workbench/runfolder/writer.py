"""The one run-folder writer: every engine hands it arrays (:class:`RunArrays`) and it writes the
folder whole or not at all (see ``docs/run-folder.md`` for the contract)."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.files import StagedFolder, sha256_file, write_csv, write_csv_chunks
from workbench.progress import Stages
from workbench.runfolder.tables import MetaProfile, build_topics_table, write_doc_topic_rows
from workbench.text.vocabulary import Vocabulary

if TYPE_CHECKING:
    from workbench.text.tokenize import TokenizerConfig

PACKAGES = ("workbench", "numpy", "scipy", "pandas", "scikit-learn", "jieba", "gensim", "tomotopy",
            "pyLDAvis", "matplotlib")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return out


def corpus_fingerprint(unit_ids, token_ids, terms) -> str:
    """Hash of the modelled units, their term ids and the vocabulary: equal fingerprints, equal
    model input (:func:`fingerprint_of` of the pairs)."""
    return fingerprint_of(zip(unit_ids, token_ids), terms)


def fingerprint_of(units: Iterable[tuple[str, Sequence[int]]], terms: Sequence[str]) -> str:
    """sha256 of the terms in model order, then of each (unit id, term ids) in table order.
    Streams: ``units`` may be an iterator over a corpus that does not fit in memory."""
    h = hashlib.sha256()
    h.update("\x00".join(terms).encode())
    for uid, ids in units:
        h.update(uid.encode())
        h.update(b"\x00")
        h.update(np.asarray(ids, dtype="<i4").tobytes())
    return h.hexdigest()


def run_name(config: dict, fingerprint: str, now: datetime) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()
                       + fingerprint.encode()).hexdigest()[:8]
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{h}"


@dataclass(frozen=True)
class CorpusIds:
    """The ids a manifest lists: documents (first-seen order), modelled units (table order) and
    the units left out (too few tokens, then no vocabulary term)."""

    doc_ids: Sequence[str]
    unit_ids: Sequence[str]
    dropped_units: Sequence[str]


@dataclass(frozen=True)
class RunArrays:
    """What an engine hands :func:`write_run`: arrays, row streams and figures, no model library
    object and no file. Big tables come as callables returning iterators of blocks, so an engine
    whose corpus does not fit in memory streams them (each is called once).

    ``topic_term`` (K, V) over ``vocab.terms``; ``units()`` yields (unit id, term ids) in table
    order (the corpus fingerprint); ``doc_topics()`` blocks of (rows, shares) for
    :func:`tables.write_doc_topic_rows`, described by ``meta_profile`` and ``with_other_records``
    (an ``other_records`` column); ``keywords()`` blocks of keywords.csv (``KEYWORD_COLUMNS``); ``ldavis`` (doc_topic, doc_lengths) for the topic map
    (an engine may pass K one-topic pseudo-documents weighted by topic size: the page needs
    sizes only); ``ids`` None when there are too many to list (counts only); ``save_model(folder)``
    writes the engine's model into ``model/``; ``tables``: further tables of the engine (file
    name -> DataFrame; STM: covariates, design); ``figures``: a callable ``(model_settings,
    folder)`` that draws charts into the folder before it is pinned in the manifest
    (``workbench.outputs.charts.write_run_figures``, passed in by a caller above the outputs
    layer); ``engine_info`` and ``versions`` add a section named after the engine and package
    versions to the manifest."""

    engine: str
    config: dict
    topic_term: np.ndarray
    topic_names: tuple[str, ...]
    model_settings: dict
    metrics: dict
    vocab: Vocabulary
    units: Callable[[], Iterable[tuple[str, Sequence[int]]]]
    doc_topics: Callable[[], Iterable[tuple[list[dict], np.ndarray]]]
    meta_profile: MetaProfile
    with_other_records: bool
    keywords: Callable[[], Iterable[pd.DataFrame]]
    ldavis: tuple[np.ndarray, np.ndarray]
    save_model: Callable[[Path], None]
    tokenizer_config: TokenizerConfig
    harvested: tuple[str, ...]
    n_documents: int
    n_units: int
    n_tokens: int
    ids: CorpusIds | None
    n_dropped_units: int
    problems: tuple = ()
    n_problems: int = 0
    stats: dict = field(default_factory=dict)
    themes_file: Path | None = None
    tables: dict = field(default_factory=dict)
    figures: Callable | None = None
    engine_info: dict | None = None
    versions: dict = field(default_factory=dict)


def write_run(run: RunArrays, out_dir: Path, *, stages: Stages | None = None) -> Path:
    """Write the run folder whole or not at all (``files.StagedFolder``: a hidden folder beside
    its final place, renamed when complete); return its path. The one writer of every engine:
    tables, manifest, hashes and permissions are the same whatever computed the arrays.

    ``stages``: the engine's stages so far (read, tokenize, train ...); the writer adds its own
    (``fingerprint``, ``tables``, ``ldavis``, ``model``, ``charts``, ``hashes``) and writes them all
    into the manifest as ``timings`` (wall seconds: no table depends on them)."""
    from workbench.runfolder import ldavis

    stages = stages or Stages()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    terms = run.vocab.terms
    with stages("fingerprint", "fingerprinting the corpus"):
        fingerprint = fingerprint_of(run.units(), terms)
    name = run_name(run.config, fingerprint, now)
    labels = {i: n for i, n in enumerate(run.topic_names) if n}
    with StagedFolder(out_dir, name) as stage:
        name, tmp = stage.name, stage.tmp  # the final name, claimed on entry
        with stages("tables", f"writing doc_topics.csv, topics.csv, keywords.csv ({run.n_units:,} units)"):
            _write_tables(run, tmp, labels)
        with stages("ldavis", "writing the topic map (ldavis.html)"):
            doc_topic, doc_lengths = run.ldavis
            ldavis.write_ldavis_html(tmp / "ldavis.html", run.topic_term, doc_topic, doc_lengths,
                                     list(terms), run.vocab.corpus_freq, topic_labels=labels)
        with stages("model", "saving the model"):
            model_dir = tmp / "model"
            model_dir.mkdir()
            run.vocab.dictionary.save_as_text(str(model_dir / "dictionary.txt"))
            run.save_model(model_dir)
        if run.figures is not None:
            with stages("charts", "drawing the charts"):
                run.figures(run.model_settings, tmp)
        manifest = _manifest(run, name, now, fingerprint, labels)
        with stages("hashes", "hashing the run's files"):
            # Every file, labels.json too: `workbench label` rewrites it with the files that show labels
            # and their sha256 (runfolder.labels.write_labels).
            files = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        manifest["timings"] = stages.as_dict()
        manifest["files"] = files
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    if stages.progress:
        logging.getLogger(__name__).info("run written in %s", stages.summary())
    return stage.path


def _write_tables(run: RunArrays, tmp: Path, labels: dict) -> None:
    """doc_topics.csv, topics.csv, keywords.csv, the engine's tables, terms.csv, topic_term.npy
    and labels.json."""
    terms = run.vocab.terms
    write_doc_topic_rows(run.doc_topics(), run.meta_profile, tmp / "doc_topics.csv", run.with_other_records)
    write_csv(build_topics_table(run.topic_term, terms, labels), tmp / "topics.csv")
    write_csv_chunks(run.keywords(), tmp / "keywords.csv")
    for file_name, table in run.tables.items():
        write_csv(table, tmp / file_name)
    write_csv(pd.DataFrame({"term_id": range(len(terms)), "term": terms,
                            "doc_freq": run.vocab.doc_freq, "corpus_freq": run.vocab.corpus_freq}),
              tmp / "terms.csv")
    np.save(tmp / "topic_term.npy", run.topic_term, allow_pickle=False)
    (tmp / "labels.json").write_text(json.dumps({str(i): n for i, n in sorted(labels.items())},
                                                ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _manifest(run: RunArrays, name: str, now: datetime, fingerprint: str, labels: dict) -> dict:
    tcfg = run.tokenizer_config
    corpus = {"fingerprint": fingerprint, "n_documents": run.n_documents, "n_units": run.n_units,
              "n_terms": len(run.vocab.terms), "n_tokens": run.n_tokens}
    if run.ids is not None:
        corpus.update({"doc_ids": list(run.ids.doc_ids), "unit_ids": list(run.ids.unit_ids),
                       "dropped_units": list(run.ids.dropped_units)})
    else:
        corpus.update({"n_dropped_units": run.n_dropped_units,
                       "ids": "too many ids to list here: doc_topics.csv lists every doc_id and unit_id"})
    corpus["skipped_inputs"] = [str(p) for p in run.problems]
    if run.n_problems > len(run.problems):
        corpus["n_skipped_inputs"] = run.n_problems
    corpus["stats"] = run.stats
    manifest = {
        "run_id": name,
        "created": now.isoformat(),
        "engine": run.engine,
        "seed": run.config["model"]["random_state"],
        "num_topics": run.topic_term.shape[0],
        "topic_labels": {str(i): n for i, n in sorted(labels.items())},
        "config": run.config,
        "model_settings": run.model_settings,
    }
    if run.engine_info is not None:
        manifest[run.engine] = run.engine_info
    manifest.update({
        "tokenizer": {
            "fingerprint": tcfg.fingerprint(), "min_len": tcfg.min_len, "drop_numbers": tcfg.drop_numbers,
            "hmm": tcfg.hmm, "pos_drop": list(tcfg.pos_drop or []), "engine": tcfg.engine,
            "to_simplified": tcfg.to_simplified,
            "user_dicts": {p: sha256_file(Path(p)) for p in tcfg.user_dicts},
            "stopword_files": {p: sha256_file(Path(p)) for p in tcfg.stopword_files},
            "harvested_terms": list(run.harvested),
        },
        "themes_file": {str(run.themes_file): sha256_file(Path(run.themes_file))} if run.themes_file else None,
        "corpus": corpus,
        "metrics": run.metrics,
        "versions": {**package_versions(), **run.versions},
    })
    return manifest
