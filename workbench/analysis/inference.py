"""Topic shares for new documents from a saved run, without retraining (``workbench infer``).

The new documents go through the run's own preprocessing: its unit kind and filters
(``manifest.json`` ``config.corpus``), its tokenizer (:func:`workbench.runfolder.reader.tokenizer_config`:
the same dictionary and stopword files, checked against the sha256 the manifest recorded, and the
same harvested quoted terms) and its vocabulary (``terms.csv``, in its order). The model then infers each
unit's shares (:func:`workbench.models.lda.infer` for LDA, :func:`workbench.models.stm.infer`
for STM). The table is a ``doc_topics.csv`` of the new units, written with the run-folder writer's
own table code (:func:`workbench.runfolder.tables.write_doc_topic_rows`): the run's columns, in
its order and with its types, beside its own ``.columns.json``. It goes to
``RUN/inferred/<name>-<hash>.csv``; the run's pinned files are never touched."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import files, runfolder
from workbench.errors import PipelineError, shown
from workbench.models import lda
from workbench.runfolder.reader import read_doc_topics
from workbench.runfolder.reader import tokenizer_config as tokenizer_config_of
from workbench.runfolder.schema import columns_file
from workbench.text import preprocess
from workbench.text.vocabulary import Vocabulary, to_dictionary

_log = logging.getLogger(__name__)

INFERRED_DIR = "inferred"
#: Columns every doc_topics table has that are not the source's metadata.
_OWN = ("doc_id", "unit_id", "source_file", "record", "other_records", "text", "n_tokens", "dominant_topic")


@dataclass(frozen=True)
class Inferred:
    """What :func:`infer_run` did: the table written (``path``, its ``.columns.json`` beside it),
    the shares (``doc_topics``, as read back), how (``method``: engine, iterations) and the units
    left out (too few tokens, or none in the vocabulary)."""

    path: Path
    doc_topics: pd.DataFrame
    method: str
    n_units: int
    dropped_units: tuple[str, ...]


def run_corpus_config(manifest: dict, text_column: str | None = None) -> preprocess.CorpusConfig:
    """The run's unit and filter settings (``manifest["config"]["corpus"]``); ``text_column`` for
    the new sources when given. Settings this version no longer knows are ignored."""
    saved = manifest["config"]["corpus"]
    known = {f.name for f in fields(preprocess.CorpusConfig)}
    config = preprocess.CorpusConfig(**{k: v for k, v in saved.items() if k in known})
    if text_column is not None:
        from dataclasses import replace

        config = replace(config, text_column=text_column)
    return config


def _vocabulary(run: runfolder.Run) -> Vocabulary:
    t = run.terms
    doc_freq = t["doc_freq"].to_numpy(dtype=np.int64)
    corpus_freq = t["corpus_freq"].to_numpy(dtype=np.int64)
    n_units = int(run.manifest.get("corpus", {}).get("n_units", len(run.doc_topics)))
    return Vocabulary(to_dictionary(run.vocab, doc_freq, n_units, corpus_freq), tuple(run.vocab), doc_freq, corpus_freq)


def output_name(sources: Sequence[Path], unit_ids: Sequence[str], key: str) -> str:
    """``<first source's stem>[+N]-<8 hex>``: the hash covers the units and ``key`` (how they were
    inferred), so the same documents inferred the same way get the same name, others another."""
    first = files.slug(Path(sources[0]).stem, "inferred") if sources else "inferred"
    more = f"+{len(sources) - 1}" if len(sources) > 1 else ""
    h = hashlib.sha256(("\x00".join(unit_ids) + "\x01" + key).encode()).hexdigest()[:8]
    return f"{first}{more}-{h}"


def infer_run(run_path: Path, sources: Sequence[Path], *, iterations: int = lda.INFER_ITERATIONS,
              text_column: str | None = None, out: Path | None = None, store_path: Path | None = None
              ) -> Inferred:
    """Infer topic shares of the documents in ``sources`` from the saved model of ``run_path``.

    LDA (tomotopy): ``iterations`` Gibbs sweeps per unit, deterministic (see
    :func:`workbench.models.lda.infer`); gensim: its E-step; STM: topica's ``transform`` (see
    :func:`workbench.models.stm.infer`). Spark runs keep no local model and are refused.
    ``out``: the table's path (default ``RUN/inferred/<name>-<hash>.csv``, :func:`output_name`).
    The table and its ``.columns.json`` are written beside their final place and moved in
    together. Raises PipelineError (no usable model, nothing to infer) or FileNotFoundError."""
    run_path = Path(run_path)
    run = runfolder.load_run(run_path)
    manifest = run.manifest
    engine = manifest.get("engine")
    model_dir = run_path / "model"
    if engine == "stm":
        method = "STM: topica's transform (variational E-step, covariate-free prior; new metadata not used)"
    elif engine in lda.ENGINES:
        method = (f"LDA ({engine}): " + (f"{iterations} Gibbs sweeps per unit, tomotopy's infer, one thread"
                                         if engine == "tomotopy" else "variational E-step (gensim's inference)"))
    else:
        raise PipelineError(f"{shown(run_path)}: a {engine} run keeps no model this machine can infer with "
                            f"(train it with the local engine to infer new documents)")
    if not model_dir.is_dir():
        raise PipelineError(f"{shown(run_path)}: no model/ folder to infer with")
    # tomotopy.bin and lda.model are unpickled when loaded: only files the manifest pins are loaded.
    bad = [line for line in runfolder.check_run(run_path).problems
           if line.split(": ")[0] in ("model", "manifest.json") or line.startswith("model/")]
    if bad:
        raise PipelineError(f"{shown(run_path)}: model/ does not match manifest.json ({bad[0]}); its model is loaded "
                            "with pickle, so it is not loaded (see `workbench verify`)")
    tokenizer_config = tokenizer_config_of(manifest)  # warns when a dictionary or stopword file changed
    corpus = preprocess.prepare_for_vocabulary(sources, run_corpus_config(manifest, text_column), tokenizer_config,
                                               _vocabulary(run), store_path=store_path)
    if engine == "stm":
        from workbench.models import stm

        theta = stm.infer(run_path, corpus.vocab.terms, corpus.token_ids)
    else:
        theta = lda.infer(model_dir, engine, corpus.vocab.terms, corpus.token_ids, iterations=iterations,
                                 random_state=int(manifest.get("seed", 0)))
    if theta.shape[1] != run.num_topics:
        raise PipelineError(f"{shown(run_path)}: the model has {theta.shape[1]} topics, its tables {run.num_topics}")
    if corpus.dropped_units:
        _log.warning("%d unit(s) left out: fewer than %d tokens, or no term of the model's vocabulary",
                     len(corpus.dropped_units), corpus.config.min_tokens)
    key = f"{method}|{tokenizer_config.fingerprint()}|{manifest.get('run_id', run_path.name)}"
    target = Path(out) if out else run_path / INFERRED_DIR / (output_name(sources, corpus.unit_ids, key) + ".csv")
    _write_table(run, corpus, theta, target)
    doc_topics, _ = read_doc_topics(target)
    return Inferred(target, doc_topics, method, len(corpus.unit_ids), corpus.dropped_units)


def _write_table(run: runfolder.Run, corpus, theta: np.ndarray, target: Path) -> None:
    """doc_topics rows of ``corpus`` with the run's metadata columns first (blank where the new
    records lack them), then any new ones; table and column record moved into place together."""
    meta = {name: c.get("type", "string") for name, c in run.columns.items()
            if name not in _OWN and not re.match(r"^topic_\d+$", name)}
    headers = {name: c["header"] for name, c in run.columns.items() if c.get("header")}
    profile = runfolder.MetaProfile().expect(meta, headers)
    kept = set(corpus.unit_doc_ids)
    for i, doc in enumerate(d for d in corpus.documents() if d.doc_id in kept):
        profile.add(i, doc.meta)
    others = runfolder.other_records(corpus)
    with_others = bool(others) or "other_records" in run.doc_topics.columns
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".infer-", dir=target.parent))
    try:
        staged = tmp / target.name
        runfolder.write_doc_topic_rows(runfolder.doc_topic_blocks(corpus, theta), profile, staged, with_others)
        os.replace(columns_file(staged), columns_file(target))
        os.replace(staged, target)
    finally:
        for leftover in tmp.iterdir():
            leftover.unlink()
        tmp.rmdir()
