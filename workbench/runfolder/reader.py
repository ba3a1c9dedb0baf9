"""Load a run folder back without retraining, and check it against its manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.files import CSV_ENCODING, sha256_file, unguard
from workbench.runfolder.schema import _TOPIC_COLUMN, COLUMN_TYPES, columns_file, topic_columns

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
    #: {column: {"type": ..., "header": the source's header when ingest renamed it}} of doc_topics
    columns: dict = field(default_factory=dict, repr=False)

    @property
    def num_topics(self) -> int:
        return self.topic_term.shape[0]

    @property
    def vocab(self) -> list[str]:
        return self.terms["term"].tolist()

    @property
    def headers(self) -> dict[str, str]:
        """{column: the source's header} for the columns ingest renamed (``{"title": "标题"}``)."""
        return {name: c["header"] for name, c in self.columns.items() if c.get("header")}

    def top_terms(self, n: int = 3) -> dict[int, list[str]]:
        """{topic: its ``n`` most probable terms}, from topics.csv."""
        ranked = self.topics[self.topics["rank"] <= n].sort_values(["topic", "rank"])
        return {int(t): [str(x) for x in g["term"]] for t, g in ranked.groupby("topic")}

    @property
    def doc_topic(self) -> np.ndarray:
        return self.doc_topics[topic_columns(self.num_topics)].to_numpy()


def load_run(path: Path) -> Run:
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"{path}: not a run folder (no manifest.json)")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    from workbench.runfolder.labels import read_labels

    labels = read_labels(path)
    doc_topics, columns = read_doc_topics(path / "doc_topics.csv")
    return Run(
        path=path,
        manifest=manifest,
        doc_topics=doc_topics,
        columns=columns,
        topics=pd.read_csv(path / "topics.csv", encoding=CSV_ENCODING, keep_default_na=False),
        terms=pd.read_csv(path / "terms.csv", encoding=CSV_ENCODING, keep_default_na=False),
        topic_term=np.load(path / "topic_term.npy", allow_pickle=False),
        labels=labels,
    )


_FIXED_TYPES = {"n_tokens": "integer", "dominant_topic": "integer"}


def read_doc_topics(path: Path) -> tuple[pd.DataFrame, dict]:
    """doc_topics.csv with every value as it went in, and its column record (``columns.json``).

    Each column gets the type recorded beside the table (:func:`schema.columns_file`): text stays
    text ("041100" keeps its zero), the spreadsheet guard of the CSV is undone
    (:func:`workbench.files.unguard`: "'=SUM(1,2)" is read as "=SUM(1,2)", the source's text),
    integers with gaps are nullable ``Int64``, and an empty cell is missing (NA), never "".
    A run folder made before the types were recorded reads every column other than the topic
    shares, ``n_tokens`` and ``dominant_topic`` as text, ids included: no value is guessed into a
    number. Cost: the table is read whole (one pass of pandas' C parser)."""
    record = columns_file(path)
    columns = json.loads(record.read_text(encoding="utf-8"))["columns"] if record.is_file() else {}
    with open(path, encoding=CSV_ENCODING) as fh:
        header = [unguard(c) for c in pd.read_csv(fh, nrows=0).columns]

    def kind(name: str) -> str:
        if name in columns:
            if columns[name].get("type") not in COLUMN_TYPES:
                raise ValueError(f"{record}: column {name!r} has no known type ({', '.join(COLUMN_TYPES)})")
            return columns[name]["type"]
        return "number" if _TOPIC_COLUMN.match(name) else _FIXED_TYPES.get(name, "string")

    kinds = {name: kind(name) for name in header}
    table = pd.read_csv(path, encoding=CSV_ENCODING, header=0, names=header, keep_default_na=False,
                        dtype={n: np.float64 if k == "number" and _TOPIC_COLUMN.match(n) else str
                               for n, k in kinds.items()})
    for name, k in kinds.items():
        if _TOPIC_COLUMN.match(name) and k == "number":
            continue
        values = table[name]
        blank = values == ""
        if k == "string":
            table[name] = values.map(unguard).where(~blank, None).astype("str")
        elif k == "integer":
            table[name] = pd.to_numeric(values.where(~blank, None)).astype("Int64")
            if name in _FIXED_TYPES and not blank.any():
                table[name] = table[name].astype(np.int64)
        elif k == "number":
            table[name] = pd.to_numeric(values.where(~blank, None)).astype(np.float64)
        elif k == "boolean":
            table[name] = values.map({"True": True, "False": False}).astype("boolean")
    return table, columns


def latest_run(root: Path | None = None) -> Path:
    from workbench import paths

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


def tokenizer_config(manifest: dict):
    """The :class:`~workbench.text.tokenize.TokenizerConfig` a run was trained with, from its
    manifest (dictionaries, stopword lists, harvested terms, filters), to tokenize text as the
    run did. A dictionary or stopword file that is gone or changed since is replaced by the
    package's current one and named in a warning: tokens may then differ a little from training."""
    import logging

    from workbench.text.tokenize import TokenizerConfig, default_config

    t = manifest["tokenizer"]
    current = default_config()
    log = logging.getLogger(__name__)

    def files(recorded: dict, now: tuple[str, ...], what: str) -> tuple[str, ...]:
        if all(Path(p).is_file() and sha256_file(Path(p)) == digest for p, digest in recorded.items()):
            return tuple(recorded)
        log.warning("run %s: its %s changed since training (%s); using the current ones, so tokens may differ "
                    "a little", manifest.get("run_id", "?"), what, ", ".join(map(str, recorded)) or "none")
        return now

    return TokenizerConfig(
        user_dicts=files(t["user_dicts"], current.user_dicts, "dictionaries"),
        stopword_files=files(t["stopword_files"], current.stopword_files, "stopword lists"),
        extra_words=tuple(sorted(set(t.get("harvested_terms", ())))), min_len=t["min_len"], drop_numbers=t["drop_numbers"],
        hmm=t["hmm"], pos_drop=tuple(t["pos_drop"]) or None, engine=t["engine"],
        to_simplified=t.get("to_simplified", False))
