"""Topic labels: ``labels.json`` in a run folder, and the labels in the run's topics.csv and ldavis.html."""

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


def write_labels(run_dir, labels: Mapping[int, str], merges=None) -> Path:
    """Write {topic id: label} to ``labels.json`` in a run folder, and the labels into the run's
    own files: the ``label`` column of ``topics.csv`` and the topic names of ``ldavis.html``
    (:func:`workbench.runfolder.ldavis.relabel_page`), with their sha256 and that of ``labels.json``
    in ``manifest.json`` brought up to date, so ``verify`` still passes (and the manifest's own
    sha256 changes: publish it after the last label).

    Inputs: the run folder and the labels (int ids; strings of digits are accepted; a blank
    label unsets one). Output: the path of ``labels.json``. ``labels.json`` is UTF-8 with Chinese
    kept as is (``ensure_ascii=False``), keys in numeric order (``"2"`` before ``"10"``). Every
    file is written beside its final place and all are moved into place together at the end
    (``os.replace`` each, the manifest after the files it pins), so a reader never sees half a
    file and a failure before the end changes nothing. Cost: reads and rewrites topics.csv
    (K x 20 rows) and the page (no pyLDAvis run).

    ``merges`` (:class:`workbench.runfolder.merges.Merge`, optional): the run's merged topics, written
    to ``merges.json`` in the same move (pinned like ``labels.json``; an empty list removes the
    file); None keeps the merges the run has. Every member of a merge shows the merge's label in
    topics.csv and the page (:func:`~workbench.runfolder.merges.merged_labels`).

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
    from contextlib import ExitStack

    from workbench.files import atomic_file, sha256_file, write_csv
    from workbench.runfolder.ldavis import relabel_page
    from workbench.runfolder.merges import MERGES_FILE, check_merges, merged_labels, merges_payload, read_merges

    merges = read_merges(run_dir) if merges is None else check_merges(merges, n_topics)
    shown = merged_labels({k: v.strip() for k, v in clean.items() if v.strip()}, merges)
    target = run_dir / LABELS_FILE
    with ExitStack() as stack:  # exits in reverse order: files, then the manifest, then labels.json
        staged = {LABELS_FILE: stack.enter_context(atomic_file(target))}
        staged[LABELS_FILE].write_text(payload, encoding="utf-8", newline="\n")
        if merges:
            staged[MERGES_FILE] = stack.enter_context(atomic_file(run_dir / MERGES_FILE))
            staged[MERGES_FILE].write_text(merges_payload(merges), encoding="utf-8", newline="\n")
        manifest_path = run_dir / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
        if manifest is not None:
            staged["manifest.json"] = stack.enter_context(atomic_file(manifest_path))
        if (run_dir / "topics.csv").is_file():
            # every column as text: the other cells are written back exactly as they were
            table = pd.read_csv(run_dir / "topics.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
            table["label"] = [shown.get(int(t), "") for t in table["topic"]]
            staged["topics.csv"] = stack.enter_context(atomic_file(run_dir / "topics.csv"))
            write_csv(table, staged["topics.csv"])
        if (run_dir / "ldavis.html").is_file():
            page = relabel_page((run_dir / "ldavis.html").read_text(encoding="utf-8"), shown)
            staged["ldavis.html"] = stack.enter_context(atomic_file(run_dir / "ldavis.html"))
            with open(staged["ldavis.html"], "w", encoding="utf-8", newline="\n") as fh:
                fh.write(page)
        if manifest is not None:
            pinned = manifest.get("files", {})
            for name in ("topics.csv", "ldavis.html"):
                if name in pinned and name in staged:
                    pinned[name] = sha256_file(staged[name])
            if isinstance(pinned, dict) and pinned:  # pinned from now on, in a run made before too
                pinned[LABELS_FILE] = sha256_file(staged[LABELS_FILE])
                if merges:
                    pinned[MERGES_FILE] = sha256_file(staged[MERGES_FILE])
                else:
                    pinned.pop(MERGES_FILE, None)
            staged["manifest.json"].write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
    if not merges and (run_dir / MERGES_FILE).is_file():
        (run_dir / MERGES_FILE).unlink()  # after the manifest stopped pinning it
    return target


def _require_run(run_dir) -> None:
    """FileNotFoundError unless ``run_dir`` is a run folder (holds ``manifest.json``): what the
    label and merge commands write goes into a run, never into any folder named."""
    if not (Path(run_dir) / "manifest.json").is_file():
        from workbench.errors import shown

        raise FileNotFoundError(f"{shown(run_dir)}: not a run folder (no manifest.json); labels go into a run folder")


def update_merges(run_dir, changes: Mapping[str, str]) -> tuple:
    """Add or remove merged topics of a run and rewrite its files (:func:`write_labels`).

    ``changes`` maps groups written ``"3+7"`` to a label; an empty label removes that merge. A
    new merge replaces none: a topic already in another merge is an error (remove that one first).
    Output: every merge the run now has (:class:`workbench.runfolder.merges.Merge`, by head). Raises
    ValueError naming the group or topic at fault."""
    from workbench.runfolder.merges import Merge, parse_group, read_merges

    _require_run(run_dir)
    current = {m.topics: m for m in read_merges(run_dir)}
    for group, label in changes.items():
        topics = parse_group(group)
        label = str(label).strip()
        if label:
            current[topics] = Merge(topics, label)
        elif topics in current:
            del current[topics]
        else:
            raise ValueError(f"no merge {'+'.join(map(str, topics))} to remove "
                             f"(merges: {', '.join(m.key for m in current.values()) or 'none'})")
    merges = list(current.values())
    write_labels(run_dir, read_labels(run_dir), merges)
    return read_merges(run_dir)


def update_labels(run_dir, changes: Mapping[int, str]) -> dict[int, str]:
    """Set or remove some of a run's labels and write ``labels.json`` (:func:`write_labels`).

    ``changes`` maps topic ids to labels, stripped of surrounding spaces; an empty label removes
    that topic's label. Topics not in ``changes`` keep theirs. Output: every label the run now
    has, ordered by id. Raises ValueError as :func:`write_labels` does, and FileNotFoundError
    when ``run_dir`` is not a run folder (no ``manifest.json``): labels are never written elsewhere."""
    _require_run(run_dir)
    labels = read_labels(run_dir)
    for topic, label in changes.items():
        label = str(label).strip()
        if label:
            labels[int(topic)] = label
        else:
            labels.pop(int(topic), None)
    write_labels(run_dir, labels)
    return dict(sorted(labels.items()))


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
