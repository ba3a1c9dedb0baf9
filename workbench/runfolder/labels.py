"""Topic labels: ``labels.json`` in a run folder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

LABELS_FILE = "labels.json"


# ---------------------------------------------------------------------------
# labels.json


def read_labels(run_dir) -> dict[int, str]:
    """Read ``labels.json`` from a run folder as {topic id: label}.

    Input: the run folder. Output: a dict with int keys, ordered by id; empty
    when the file is absent (a fresh run has no labels yet).
    """
    path = Path(run_dir) / LABELS_FILE
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path} must hold a JSON object of id -> label")
    labels = {}
    for key, value in raw.items():
        try:
            topic = int(key)
        except ValueError:
            raise ValueError(f"{path}: topic id {key!r} is not an integer") from None
        labels[topic] = str(value)
    return dict(sorted(labels.items()))


def _known_topic_count(run_dir: Path) -> int | None:
    """K from ``topic_term.npy`` (its header only) or else ``topics.csv``; None if neither."""
    npy = run_dir / "topic_term.npy"
    if npy.exists():
        # mmap reads the header only: K is known without loading a (K, V) array.
        return int(np.load(npy, mmap_mode="r", allow_pickle=False).shape[0])
    topics_csv = run_dir / "topics.csv"
    if topics_csv.exists():
        topics = pd.read_csv(topics_csv, encoding="utf-8-sig", usecols=["topic"])
        if len(topics):
            return int(topics["topic"].max()) + 1
    return None


def write_labels(run_dir, labels: Mapping[int, str]) -> Path:
    """Write {topic id: label} to ``labels.json`` in a run folder, atomically.

    Inputs: the run folder and the labels (int ids; strings of digits are accepted).
    Output: the path written. The file is UTF-8 with Chinese kept as is
    (``ensure_ascii=False``), keys in numeric order (``"2"`` before ``"10"``), written
    to a temporary file in the same folder and moved into place with
    ``os.replace``, so a reader never sees half a file.

    Raises ValueError naming the offending id when an id is not an integer, or is
    outside 0..K-1 where K is known from ``topic_term.npy`` or ``topics.csv``.
    """
    run_dir = Path(run_dir)
    clean: dict[int, str] = {}
    for key, value in labels.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer, str)):
            raise ValueError(f"topic id {key!r} is not an integer")
        try:
            topic = int(key)
        except ValueError:
            raise ValueError(f"topic id {key!r} is not an integer") from None
        if topic < 0:
            raise ValueError(f"topic id {topic} is negative; topic ids start at 0")
        if not isinstance(value, str):
            raise ValueError(f"label of topic {topic} must be a string, got {type(value).__name__}")
        clean[topic] = value
    n_topics = _known_topic_count(run_dir)
    if n_topics is not None:
        for topic in sorted(clean):
            if topic >= n_topics:
                raise ValueError(f"topic id {topic} is out of range: this run has topics 0..{n_topics - 1}")
    payload = json.dumps(
        {str(k): clean[k] for k in sorted(clean)}, ensure_ascii=False, indent=2
    ) + "\n"
    from workbench.files import atomic_file

    target = run_dir / LABELS_FILE
    with atomic_file(target) as tmp:
        tmp.write_text(payload, encoding="utf-8", newline="\n")
    return target


def topic_names(k: int, labels: Mapping[int, str] | None = None) -> list[str]:
    """Display names for topics 0..k-1: ``"0 脱贫攻坚"`` when labelled, else ``"3"``.

    The id always leads, so names stay unique and sort in topic order even when
    two topics share a label. Blank labels count as unlabelled.
    """
    # Keys may arrive as JSON strings ("0") as well as ints.
    labels = {int(key): value for key, value in (labels or {}).items()}
    names = []
    for topic in range(int(k)):
        label = str(labels.get(topic, "") or "").strip()
        names.append(f"{topic} {label}" if label else str(topic))
    return names
