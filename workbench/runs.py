"""Run folders: write one whole or not at all, and load one back without retraining.

See ``docs/run-folder.md`` for the contract. Tables are built from arrays and ids (not from a
model object), so a run trained by any engine reads the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

CSV_ENCODING = "utf-8-sig"  # Excel on a Chinese-locale Windows machine needs the BOM
SHARE_FORMAT = "%.10f"
PACKAGES = ("workbench", "numpy", "scipy", "pandas", "scikit-learn", "jieba", "gensim", "tomotopy",
            "pyLDAvis", "matplotlib")
META_ORDER = ("title", "date", "author", "source")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def topic_columns(k: int) -> list[str]:
    return [f"topic_{i}" for i in range(k)]


CHUNK_UNITS = 1000  # units per block of rows when the big tables are written
_RESERVED = ("doc_id", "unit_id", "source_file", "record", "text", "n_tokens", "dominant_topic")


def _meta_row(meta: dict) -> dict:
    # Metadata that collides with our own columns keeps its name with a prefix.
    return {(k if k not in _RESERVED else f"meta_{k}"): v for k, v in meta.items()}


def _blank_missing(df: pd.DataFrame, columns: list[str]) -> None:
    """Metadata columns as text columns: values as they are, "" where absent."""
    df[columns] = df[columns].astype(object).where(df[columns].notna(), "")


def _meta_dtypes(corpus) -> tuple[dict, dict]:
    """Metadata columns in first-seen order over the modelled units, each with two dtypes of the
    whole table: the one pandas infers for its values, and the one it has once missing values
    are blanked and formulas neutralised (a block alone may infer others, e.g. floats without
    the "" of a missing value print as floats).

    One pass over the documents that keep a unit, holding a sample value per column and kind of
    value (the smallest and largest int) and whether some document lacks the column."""
    from .export import neutralize_formulas

    kept = set(corpus.unit_doc_ids)
    samples: dict[str, dict] = {}
    missing: set[str] = set()
    n_docs = 0
    for doc in corpus.documents():
        if doc.doc_id not in kept:
            continue
        row = _meta_row(doc.meta)
        missing.update(samples.keys() - row.keys())
        for name, value in row.items():
            if name not in samples:
                samples[name] = {}
                if n_docs:
                    missing.add(name)
            col = samples[name]
            if type(value) is int:
                col["low"] = min(col.get("low", value), value)
                col["high"] = max(col.get("high", value), value)
            else:
                col.setdefault((type(value), value != value), value)  # NaN is a kind of its own
        n_docs += 1
    inferred, printed = {}, {}
    for name, col in samples.items():
        df = pd.DataFrame([{name: v} for v in col.values()] + [{}] * (name in missing), columns=[name])
        inferred[name] = df.dtypes.iloc[0]
        _blank_missing(df, [name])
        printed[name] = neutralize_formulas(df).dtypes.iloc[0]
    return inferred, printed


def write_doc_topics(corpus, doc_topic: np.ndarray, path: Path, chunk_units: int = CHUNK_UNITS) -> None:
    """Write doc_topics.csv: per modelled unit its ids, source, metadata ("" where absent), text,
    token count, dominant topic and dense shares.

    Streams the units' texts from the store and writes blocks of ``chunk_units`` rows; memory
    holds one block. The bytes are those of the table built whole (:func:`_meta_dtypes`)."""
    inferred, printed = _meta_dtypes(corpus)
    ordered = [k for k in META_ORDER if k in inferred] + [k for k in inferred if k not in META_ORDER]
    columns = ["doc_id", "unit_id", "source_file", "record", *ordered, "text", "n_tokens"]
    shares_columns = topic_columns(doc_topic.shape[1])

    def block(rows: list[dict], first: int) -> pd.DataFrame:
        df = pd.DataFrame(rows).reindex(columns=columns).astype({c: inferred[c] for c in ordered})
        _blank_missing(df, ordered)
        shares = doc_topic[first:first + len(rows)]
        df["dominant_topic"] = shares.argmax(axis=1)
        return pd.concat([df, pd.DataFrame(shares, columns=shares_columns)], axis=1)

    def blocks() -> Iterator[pd.DataFrame]:
        rows: list[dict] = []
        first = 0
        for (d, u), n in zip(corpus.iter_units(), corpus.n_tokens):
            rows.append({"doc_id": u.doc_id, "unit_id": u.unit_id, "source_file": d.source_file,
                         "record": d.record, **_meta_row(d.meta), "text": u.text, "n_tokens": int(n)})
            if len(rows) == chunk_units:
                yield block(rows, first)
                first += len(rows)
                rows = []
        if rows:
            yield block(rows, first)

    write_csv_chunks(blocks(), path, printed)


def build_topics_table(topic_term: np.ndarray, terms, labels: dict[int, str], n: int = 20) -> pd.DataFrame:
    from .models import top_term_ids

    rows = []
    for t, ids in enumerate(top_term_ids(topic_term, n)):
        for rank, i in enumerate(ids):
            rows.append({"topic": t, "label": labels.get(t, ""), "rank": rank + 1, "term": terms[i],
                         "weight": float(topic_term[t, i])})
    return pd.DataFrame(rows)


KEYWORD_COLUMNS = ("level", "doc_id", "unit_id", "rank", "term", "score")


def _unit_counts(token_ids, n_terms: int, chunk_units: int = CHUNK_UNITS):
    """Units x terms CSR matrix of term counts, built in blocks of units."""
    import scipy.sparse as sp

    blocks = []
    for i in range(0, len(token_ids), chunk_units):
        ids = token_ids[i:i + chunk_units]
        lengths = np.fromiter((len(t) for t in ids), dtype=np.int64, count=len(ids))
        rows = np.repeat(np.arange(len(ids)), lengths)
        blocks.append(sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, np.concatenate(ids))),
                                    shape=(len(ids), n_terms)))
    return sp.vstack(blocks, format="csr")


def keyword_chunks(corpus, n: int = 10, chunk_units: int = CHUNK_UNITS) -> Iterator[pd.DataFrame]:
    """keywords.csv in blocks: the top ``n`` TF-IDF terms (:func:`models.tfidf_top`) per unit, then
    per article (an article's bag is the sum of its units'; articles in first-seen order), each
    level with its own document frequencies. Memory holds the two sparse count matrices."""
    import scipy.sparse as sp

    from .models import term_order, tfidf_idf, tfidf_top

    terms = np.array(corpus.vocab.terms, dtype=object)
    order = term_order(corpus.vocab.terms)
    units = _unit_counts(corpus.token_ids, len(terms), chunk_units)
    unit_doc_ids = np.array(corpus.unit_doc_ids, dtype=object)
    articles = list(dict.fromkeys(corpus.unit_doc_ids))
    index = {d: i for i, d in enumerate(articles)}
    member = sp.csr_matrix((np.ones(len(unit_doc_ids), dtype=np.int32),
                            ([index[d] for d in corpus.unit_doc_ids], np.arange(len(unit_doc_ids)))),
                           shape=(len(articles), len(unit_doc_ids)))
    levels = (("unit", units, unit_doc_ids, np.array(corpus.unit_ids, dtype=object)),
              ("article", (member @ units).tocsr(), np.array(articles, dtype=object), None))
    for level, counts, doc_ids, unit_ids in levels:
        idf = tfidf_idf(np.bincount(counts.indices, minlength=len(terms)), counts.shape[0])
        for i in range(0, counts.shape[0], chunk_units):
            rows, cols, scores = tfidf_top(counts[i:i + chunk_units], idf, order, n)
            rank = np.arange(len(rows)) - np.searchsorted(rows, rows) + 1
            yield pd.DataFrame({"level": level, "doc_id": doc_ids[i + rows],
                                "unit_id": unit_ids[i + rows] if unit_ids is not None else "",
                                "rank": rank, "term": terms[cols], "score": scores}, columns=list(KEYWORD_COLUMNS))


def build_keywords(corpus, n: int = 10) -> pd.DataFrame:
    """keywords.csv as one frame (:func:`keyword_chunks`)."""
    return pd.concat(keyword_chunks(corpus, n), ignore_index=True)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV for Excel: UTF-8 with BOM, CRLF, and no text cell that Excel would run as a formula
    (a leading = + - @ gets a ' prefix: see export.neutralize_formulas)."""
    write_csv_chunks([df], path)


def write_csv_chunks(frames: Iterable[pd.DataFrame], path: Path, dtypes: dict | None = None) -> None:
    """:func:`write_csv` for a table given as blocks of rows with the same columns: the header
    comes from the first block. ``dtypes`` (column -> dtype) is applied to each block once its
    formulas are neutralised, where a block alone would infer another dtype than the whole table."""
    from .export import neutralize_formulas

    with open(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        for i, df in enumerate(frames):
            out = neutralize_formulas(df)
            if dtypes:
                out = out.astype({o: dtypes[c] for c, o in zip(df.columns, out.columns) if c in dtypes})
            out.to_csv(fh, header=i == 0, index=False, float_format=SHARE_FORMAT, lineterminator="\r\n")


def run_name(config: dict, fingerprint: str, now: datetime) -> str:
    h = hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()
                       + fingerprint.encode()).hexdigest()[:8]
    return f"{now.strftime('%Y%m%d-%H%M%S')}-{h}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success, readable as
    any new file would be (mkstemp's files are private). A failed or killed write never leaves
    a truncated file that looks finished."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


class StagedFolder:
    """Write a result folder whole or not at all.

    ``with StagedFolder(out_dir, name) as stage:`` gives ``stage.tmp``, a hidden folder beside the
    final one; on success it is renamed to ``out_dir/name`` (``name-1``, ``name-2`` ... when taken)
    and ``stage.path`` holds the result; on any error, or a kill, no visible folder is left.
    """

    def __init__(self, out_dir: Path, name: str):
        self.out_dir, self.name = Path(out_dir), name
        self.tmp: Path | None = None
        self.path: Path | None = None

    def __enter__(self) -> "StagedFolder":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.name}.", dir=self.out_dir))
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        # mkdtemp makes the folder private (0700); a run folder is shared like any other.
        os.chmod(self.tmp, 0o777 & ~_umask())
        final, n = self.out_dir / self.name, 1
        while final.exists():  # same config and corpus in the same second
            final = self.out_dir / f"{self.name}-{n}"
            n += 1
        os.replace(self.tmp, final)
        self.path = final


def write_run(*, corpus, fitted, out_dir: Path, config: dict, themes_file: Path | None = None) -> Path:
    """Write the run folder atomically (temporary sibling folder, then rename); return its path."""
    from . import ldavis
    from .models import coherence

    now = datetime.now(timezone.utc).replace(microsecond=0)
    fingerprint = corpus_fingerprint(corpus.unit_ids, corpus.token_ids, corpus.vocab.terms)
    name = run_name(config, fingerprint, now)
    with StagedFolder(out_dir, name) as stage:
        tmp = stage.tmp
        k = fitted.topic_term.shape[0]
        labels = {i: n for i, n in enumerate(fitted.topic_names) if n}
        terms = corpus.vocab.terms
        write_doc_topics(corpus, fitted.doc_topic, tmp / "doc_topics.csv")
        write_csv(build_topics_table(fitted.topic_term, terms, labels), tmp / "topics.csv")
        write_csv_chunks(keyword_chunks(corpus), tmp / "keywords.csv")
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
        else:
            fitted.model.save(str(model_dir / "lda.model"))
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


# --------------------------------------------------------------------------------------------
# Loading

@dataclass(frozen=True)
class Run:
    """A run folder loaded for reading: tables and arrays, no model object, nothing unpickled."""

    path: Path
    manifest: dict
    doc_topics: pd.DataFrame = field(repr=False)
    topics: pd.DataFrame = field(repr=False)
    terms: pd.DataFrame = field(repr=False)
    topic_term: np.ndarray = field(repr=False)
    labels: dict = field(default_factory=dict)

    @property
    def num_topics(self) -> int:
        return self.topic_term.shape[0]

    @property
    def vocab(self) -> list[str]:
        return self.terms["term"].tolist()

    @property
    def doc_topic(self) -> np.ndarray:
        return self.doc_topics[topic_columns(self.num_topics)].to_numpy()


def load_run(path: Path) -> Run:
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"{path}: not a run folder (no manifest.json)")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    from .reading import read_labels

    labels = read_labels(path)
    str_cols = {c: str for c in ("doc_id", "unit_id", "record", "title", "date", "author", "source", "text")}
    return Run(
        path=path,
        manifest=manifest,
        doc_topics=pd.read_csv(path / "doc_topics.csv", encoding=CSV_ENCODING, dtype=str_cols, keep_default_na=False),
        topics=pd.read_csv(path / "topics.csv", encoding=CSV_ENCODING, keep_default_na=False),
        terms=pd.read_csv(path / "terms.csv", encoding=CSV_ENCODING, keep_default_na=False),
        topic_term=np.load(path / "topic_term.npy", allow_pickle=False),
        labels=labels,
    )


def latest_run(root: Path | None = None) -> Path:
    from . import paths

    root = Path(root) if root else paths.runs_dir()
    # Sweep folders (sweep-...) hold a manifest too, but no model: they are not runs.
    candidates = sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith((".", "sweep-"))
                        and (p / "doc_topics.csv").exists())
    if not candidates:
        raise FileNotFoundError(f"{root}: no runs yet (run `workbench train` first)")
    return candidates[-1]


def verify_run(path: Path) -> list[str]:
    """Files whose sha256 differs from the manifest (or that are missing): [] means intact."""
    path = Path(path)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    bad = []
    for rel, digest in manifest.get("files", {}).items():
        f = path / rel
        if not f.is_file() or sha256_file(f) != digest:
            bad.append(rel)
    return bad
