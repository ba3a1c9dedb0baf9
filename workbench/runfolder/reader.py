"""Load a run folder back without retraining, and check it against its manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.files import CSV_ENCODING, sha256_file
from workbench.runfolder.schema import topic_columns

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
    from workbench.runfolder.labels import read_labels

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
