"""Write a run folder whole or not at all (see ``docs/run-folder.md`` for the contract)."""

from __future__ import annotations

import hashlib
import json
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.files import StagedFolder, sha256_file, write_csv, write_csv_chunks
from workbench.runfolder.tables import build_topics_table, keyword_chunks, write_doc_topics

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
    model input."""
    h = hashlib.sha256()
    h.update("\x00".join(terms).encode())
    for uid, ids in zip(unit_ids, token_ids):
        h.update(uid.encode())
        h.update(b"\x00")
        h.update(np.asarray(ids, dtype="<i4").tobytes())
    return h.hexdigest()


def run_name(config: dict, fingerprint: str, now: datetime) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()
                       + fingerprint.encode()).hexdigest()[:8]
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{h}"


def write_run(*, corpus, fitted, out_dir: Path, config: dict, themes_file: Path | None = None,
              figures=None) -> Path:
    """Write the run folder atomically (temporary sibling folder, then rename); return its path.

    ``figures``: a callable ``(fitted.settings, folder)`` that draws charts into the folder before it
    is pinned in the manifest (``workbench.outputs.charts.write_run_figures``, passed in by a caller
    above the outputs layer)."""
    from workbench.models.metrics import coherence
    from workbench.runfolder import ldavis

    now = datetime.now(timezone.utc).replace(microsecond=0)
    fingerprint = corpus_fingerprint(corpus.unit_ids, corpus.token_ids, corpus.vocab.terms)
    name = run_name(config, fingerprint, now)
    with StagedFolder(out_dir, name) as stage:
        name, tmp = stage.name, stage.tmp  # the final name, claimed on entry
        k = fitted.topic_term.shape[0]
        labels = {i: n for i, n in enumerate(fitted.topic_names) if n}
        terms = corpus.vocab.terms
        write_doc_topics(corpus, fitted.doc_topic, tmp / "doc_topics.csv")
        write_csv(build_topics_table(fitted.topic_term, terms, labels), tmp / "topics.csv")
        write_csv_chunks(keyword_chunks(corpus), tmp / "keywords.csv")
        for file_name, table in fitted.tables.items():  # an engine's own tables (STM: covariates, design)
            write_csv(table, tmp / file_name)
        write_csv(pd.DataFrame({"term_id": range(len(terms)), "term": terms,
                                "doc_freq": corpus.vocab.doc_freq, "corpus_freq": corpus.vocab.corpus_freq}),
                  tmp / "terms.csv")
        np.save(tmp / "topic_term.npy", fitted.topic_term, allow_pickle=False)
        (tmp / "labels.json").write_text(json.dumps({str(i): n for i, n in sorted(labels.items())},
                                                    ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        doc_lengths = corpus.n_tokens
        ldavis.write_ldavis_html(tmp / "ldavis.html", fitted.topic_term, fitted.doc_topic, doc_lengths,
                                 list(terms), corpus.vocab.corpus_freq, topic_labels=labels)
        model_dir = tmp / "model"
        model_dir.mkdir()
        corpus.vocab.dictionary.save_as_text(str(model_dir / "dictionary.txt"))
        if fitted.engine == "tomotopy":
            fitted.model.save(str(model_dir / "tomotopy.bin"), full=False)
        elif fitted.engine == "gensim":
            fitted.model.save(str(model_dir / "lda.model"))
        else:  # topica models save themselves in their own format
            fitted.model.save(str(model_dir / f"{fitted.engine}.topica"))
        if figures is not None:
            figures(fitted.settings, tmp)
        c_npmi, per_topic = coherence(fitted.topic_term, terms, token_ids=corpus.token_ids)
        tcfg = corpus.tokenizer_config
        manifest = {
            "run_id": name,
            "created": now.isoformat(),
            "engine": fitted.engine,
            "seed": config["model"]["random_state"],
            "num_topics": k,
            "topic_labels": {str(i): n for i, n in sorted(labels.items())},
            "config": config,
            "model_settings": fitted.settings,
            "tokenizer": {
                "fingerprint": tcfg.fingerprint(), "min_len": tcfg.min_len, "drop_numbers": tcfg.drop_numbers,
                "hmm": tcfg.hmm, "pos_drop": list(tcfg.pos_drop or []), "engine": tcfg.engine,
                "to_simplified": tcfg.to_simplified,
                "user_dicts": {p: sha256_file(Path(p)) for p in tcfg.user_dicts},
                "stopword_files": {p: sha256_file(Path(p)) for p in tcfg.stopword_files},
                "harvested_terms": list(corpus.harvested),
            },
            "themes_file": {str(themes_file): sha256_file(Path(themes_file))} if themes_file else None,
            "corpus": {
                "fingerprint": fingerprint,
                "n_documents": len(corpus.doc_ids),
                "n_units": len(corpus.unit_ids),
                "n_terms": len(terms),
                "n_tokens": int(doc_lengths.sum()),
                "doc_ids": list(corpus.doc_ids),
                "unit_ids": list(corpus.unit_ids),
                "dropped_units": list(corpus.dropped_units),
                "skipped_inputs": [str(p) for p in corpus.problems],
                "stats": corpus.stats,
            },
            "metrics": {"c_npmi": c_npmi, "c_npmi_per_topic": per_topic,
                        "ll_per_word": fitted.settings.get("ll_per_word")},
            "versions": package_versions(),
        }
        # labels.json is edited after training (topic labels), so it is not pinned here.
        manifest["files"] = {str(p.relative_to(tmp)): sha256_file(p)
                             for p in sorted(tmp.rglob("*")) if p.is_file() and p.name != "labels.json"}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    return stage.path
