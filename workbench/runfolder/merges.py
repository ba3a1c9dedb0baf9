"""Merged topics: ``merges.json`` in a run folder, and the merged view of a run's tables.

A researcher who reads topics 3 and 7 as one theme says ``workbench merge RUN 3+7=反腐倡廉``. The
merge is a reading of the model, not a new model: the trained files (``doc_topics.csv``,
``topic_term.npy``, the model) keep every topic, so the original shares stay where they were, and
``merges.json`` beside ``labels.json`` records the groups. It is written by the labels writer
(:func:`workbench.runfolder.labels.write_labels`), atomically with ``topics.csv``, ``ldavis.html``
and their sha256 in the manifest, and pinned there like ``labels.json``.

The merged view (:func:`merged_run`) is what export, prevalence, effect and ``workbench topics``
show: a group's share of a unit is the sum of its topics' shares (shares of disjoint topic sets
add up: for LDA's Dirichlet posterior the sum is again Dirichlet-distributed, so effects may sum
draws too), and it sits in the column of the group's lowest topic id (``topic_3`` holds
θ3 + θ7); the other members' columns hold 0 and the tables written for people drop them. Topic ids
are never renumbered. The group's word distribution is the mixture of its topics' distributions
weighted by their token shares of the corpus, p(w | 3+7) = (s3 p(w|3) + s7 p(w|7)) / (s3 + s7). Every
member is labelled ``反腐倡廉（3+7）`` (:func:`merged_labels`): the page names both circles so, since
pyLDAvis places circles by each topic's own word distribution and a drawn-anew page would no
longer number its topics as the tables do."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MERGES_FILE = "merges.json"


@dataclass(frozen=True)
class Merge:
    """One group of topics read as one theme: ``topics`` in ascending order (two or more), its label."""

    topics: tuple[int, ...]
    label: str

    @property
    def head(self) -> int:
        """The topic id whose column carries the group's share."""
        return self.topics[0]

    @property
    def key(self) -> str:
        """``"3+7"``: how the command line and ``merges.json`` write the group."""
        return "+".join(map(str, self.topics))

    @property
    def shown(self) -> str:
        """The label every member shows: ``反腐倡廉（3+7）``."""
        return f"{self.label}（{self.key}）"


def parse_group(text: str) -> tuple[int, ...]:
    """``"3+7"`` -> ``(3, 7)``; raises ValueError unless two or more distinct whole numbers are
    joined with ``+``."""
    parts = [p.strip() for p in str(text).split("+")]
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"'{text}': write the topics to merge as TOPIC+TOPIC[+...], e.g. 3+7")
    topics = tuple(sorted({int(p) for p in parts}))
    if len(topics) < 2:
        raise ValueError(f"'{text}': a merge needs two different topics")
    return topics


def check_merges(merges: Iterable[Merge], num_topics: int | None) -> tuple[Merge, ...]:
    """The merges in order of their head, after checking each topic is in range and in one group at
    most; raises ValueError naming the topic otherwise."""
    seen: dict[int, Merge] = {}
    for m in merges:
        if not str(m.label).strip():
            raise ValueError(f"merge {m.key}: give it a label, e.g. {m.key}=反腐倡廉")
        for t in m.topics:
            if num_topics is not None and not 0 <= t < num_topics:
                raise ValueError(f"merge {m.key}: topic {t} is out of range: this run has topics 0..{num_topics - 1}")
            if t in seen:
                raise ValueError(f"topic {t} is in two merges ({seen[t].key}={seen[t].label} and {m.key}); "
                                 f"remove one first ({seen[t].key}=)")
            seen[t] = m
    return tuple(sorted(merges, key=lambda m: m.head))


def read_merges(run_dir) -> tuple[Merge, ...]:
    """``merges.json`` of a run folder (``{"3+7": "反腐倡廉"}``) as merges ordered by head; () when
    the run has none."""
    path = Path(run_dir) / MERGES_FILE
    if not path.is_file():
        return ()
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path} must hold a JSON object of TOPIC+TOPIC -> label")  # noqa: TRY004 - a bad file, not a bad argument
    try:
        return check_merges([Merge(parse_group(k), str(v)) for k, v in raw.items()], None)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def merges_payload(merges: Sequence[Merge]) -> str:
    """The text of ``merges.json``: keys in head order, Chinese kept as is."""
    return json.dumps({m.key: m.label for m in sorted(merges, key=lambda m: m.head)}, ensure_ascii=False,
                      indent=2) + "\n"


def absorbed(merges: Iterable[Merge]) -> set[int]:
    """The topics whose share went to another column (every member but each group's head)."""
    return {t for m in merges for t in m.topics[1:]}


def head_of(topic: int, merges: Iterable[Merge]) -> int:
    """The column topic ``topic`` is shown in: its group's head, or itself."""
    return next((m.head for m in merges if topic in m.topics), int(topic))


def shown_topics(num_topics: int, merges: Iterable[Merge], topics: Iterable[int] | int | None = None) -> list[int]:
    """The topics a table or chart shows: ``None`` every topic but the members a merge absorbed (a
    merge is shown under its lowest id); given ids each replaced by their merge's lowest id, once."""
    merges = tuple(merges)
    if topics is None:
        gone = absorbed(merges)
        return [k for k in range(num_topics) if k not in gone]
    topics = [topics] if isinstance(topics, (int, np.integer)) else list(topics)
    return list(dict.fromkeys(head_of(int(t), merges) for t in topics))


def merge_shares(theta: np.ndarray, merges: Sequence[Merge]) -> np.ndarray:
    """A copy of shares (``(..., K)``: units x topics, or draws x units x topics) with each group's
    sum in its head's column and 0 in the other members'. Rows still sum to 1."""
    out = np.array(theta, dtype=np.float64, copy=True)
    for m in merges:
        rest = list(m.topics[1:])
        out[..., m.head] = out[..., list(m.topics)].sum(axis=-1)
        out[..., rest] = 0.0
    return out


def merge_topic_term(topic_term: np.ndarray, weights: np.ndarray, merges: Sequence[Merge]) -> np.ndarray:
    """A copy of ``topic_term`` (K, V) where every member's row is its group's word distribution: the
    members' rows mixed by ``weights`` (K,), their token shares of the corpus (equal weights when
    those are all 0)."""
    out = np.array(topic_term, dtype=np.float64, copy=True)
    w = np.asarray(weights, dtype=np.float64)
    for m in merges:
        idx = list(m.topics)
        part = w[idx] if w[idx].sum() > 0 else np.ones(len(idx))
        mixed = (part[:, None] * out[idx]).sum(axis=0) / part.sum()
        out[idx] = mixed
    return out


def merged_labels(labels: Mapping[int, str], merges: Iterable[Merge]) -> dict[int, str]:
    """The labels to show: every member of a group labelled ``反腐倡廉（3+7）``, other topics as labelled."""
    out = {int(k): str(v) for k, v in labels.items() if str(v or "").strip()}
    for m in merges:
        for t in m.topics:
            out[t] = m.shown
    return dict(sorted(out.items()))


def merged_run(run):
    """The merged view of a loaded run (:class:`workbench.runfolder.Run` with ``merges``): its
    ``doc_topics`` with merged shares and ``dominant_topic`` recomputed over them, ``topic_term``
    with each group's mixture, ``labels`` by :func:`merged_labels`. The run itself when it has no
    merges. The run folder is not changed; ``run.doc_topics`` of the original keeps every share."""
    import dataclasses

    from workbench.runfolder.schema import topic_columns

    if not run.merges:
        return run
    cols = topic_columns(run.num_topics)
    theta = run.doc_topics[cols].to_numpy(dtype=np.float64)
    lengths = run.doc_topics["n_tokens"].to_numpy(dtype=np.float64) if "n_tokens" in run.doc_topics else None
    weights = (lengths @ theta) if lengths is not None else theta.sum(axis=0)
    merged = merge_shares(theta, run.merges)
    doc_topics = run.doc_topics.copy()
    doc_topics[cols] = merged
    if "dominant_topic" in doc_topics.columns:
        doc_topics["dominant_topic"] = merged.argmax(axis=1).astype(np.int64)
    return dataclasses.replace(run, doc_topics=doc_topics, labels=merged_labels(run.labels, run.merges),
                               topic_term=merge_topic_term(run.topic_term, weights, run.merges))
