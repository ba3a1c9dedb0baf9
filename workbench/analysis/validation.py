"""Validating topics: human intrusion tasks (Chang et al. 2009, "Reading Tea Leaves"), stm's
exclusivity and semantic coherence per topic, and stability across chains (same K, other seeds).

- **Word intrusion**: per topic its five most probable terms and one intruder (a term among another
  topic's top terms that is improbable in this one; topica's ``word_intrusion``), shuffled with a
  seed. A rater marks the odd one out; a topic's *model precision* is the share of raters who find it.
- **Topic intrusion**: per sampled unit an excerpt of its text and four topics, each shown by its top
  terms: the unit's three most probable topics and one from the improbable half of its θ. The score
  is the share of units whose intruder is found.

A task sheet (XLSX) has one row per item, the choices in columns ``A``..``F`` and an empty ``answer``
column; the key (CSV, written apart so the sheet can go to raters) names the right letter and
repeats the choices, so an answered sheet is checked against the key before it is scored.
Exclusivity is stm's FREX-based ``exclusivity`` (w = 0.7, top 10 terms), semantic coherence stm's
``semanticCoherence`` (document co-occurrence of the top 10 terms); both from topica's Rust core."""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Sequence

import numpy as np
import pandas as pd

from workbench import checks, files, runfolder
from workbench.errors import PipelineError, UsageError, shown

__all__ = ["TaskConfig", "TASKS", "exclusivity", "score_tasks", "stability", "topic_intrusion",
           "topic_quality", "word_intrusion", "write_quality", "write_tasks"]

TASKS = ("word-intrusion", "topic-intrusion")


@dataclass(frozen=True)
class TaskConfig:
    """``n_words``: a topic's terms shown in word intrusion (Chang et al.: 5, plus the intruder);
    ``n_terms``: terms that describe a topic in topic intrusion; ``n_units``: units sampled for topic
    intrusion; ``excerpt_chars``: text shown per unit; ``seed``: the shuffle and the sample."""

    n_words: int = 5
    n_terms: int = 8
    n_units: int = 50
    excerpt_chars: int = 300
    seed: int = 0

    BOUNDS: ClassVar[dict] = {"n_words": checks.POSITIVE_INT, "n_terms": checks.POSITIVE_INT,
                              "n_units": checks.POSITIVE_INT, "excerpt_chars": checks.POSITIVE_INT,
                              "seed": checks.SEED}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


def _as_run(run) -> runfolder.Run:
    return run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))


def _letters(n: int) -> list[str]:
    return list(string.ascii_uppercase[:n])


def word_intrusion(run, config: TaskConfig = TaskConfig()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(sheet, key)`` for word intrusion, one item per topic (rows shuffled too)."""
    from topica.coherence import word_intrusion as build

    run = _as_run(run)
    items = build(run.topic_term, run.vocab, n_words=config.n_words, seed=config.seed)
    letters = _letters(config.n_words + 1)
    order = np.random.default_rng(config.seed).permutation(len(items))
    sheet, key = [], []
    for n, i in enumerate(order, start=1):
        item = items[i]
        sheet.append({"item": f"W{n:03d}", **dict(zip(letters, item["words"])), "answer": ""})
        key.append({"item": f"W{n:03d}", "topic": item["topic"], "answer": letters[item["intruder_index"]],
                    "intruder": item["intruder"], "choices": "|".join(item["words"])})
    return pd.DataFrame(sheet), pd.DataFrame(key)


def topic_intrusion(run, config: TaskConfig = TaskConfig()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(sheet, key)`` for topic intrusion over ``config.n_units`` units sampled with the seed."""
    run = _as_run(run)
    theta = run.doc_topic
    k = theta.shape[1]
    if k < 4:
        raise UsageError(f"topic intrusion shows four topics; run {run.path.name} has {k}")
    terms = np.asarray(run.vocab)
    describe = ["、".join(terms[np.argsort(-row)[:config.n_terms]]) for row in run.topic_term]
    rng = np.random.default_rng(config.seed)
    picked = rng.choice(len(theta), size=min(config.n_units, len(theta)), replace=False)
    letters = _letters(4)
    sheet, key = [], []
    for n, u in enumerate(picked, start=1):
        ranked = np.argsort(-theta[u])
        shown = [int(t) for t in ranked[:3]]
        intruder = int(rng.choice(ranked[k // 2:]))
        topics = [*shown, intruder]
        perm = rng.permutation(4)
        topics = [topics[i] for i in perm]
        row = run.doc_topics.iloc[int(u)]
        text = " ".join(str(row.get("text", "")).split())[:config.excerpt_chars]
        sheet.append({"item": f"T{n:03d}", "title": row.get("title", ""), "text": text,
                      **{a: describe[t] for a, t in zip(letters, topics)}, "answer": ""})
        key.append({"item": f"T{n:03d}", "unit_id": row["unit_id"], "topic": intruder,
                    "answer": letters[int(np.flatnonzero(perm == 3)[0])],
                    "choices": "|".join(describe[t] for t in topics)})
    return pd.DataFrame(sheet), pd.DataFrame(key)


def _key_path(sheet_path: Path) -> Path:
    return sheet_path.with_name(sheet_path.stem + ".key.csv")


def write_tasks(run, task: str, out: Path, config: TaskConfig = TaskConfig(), *, key: Path | None = None
                ) -> tuple[Path, Path]:
    """Write the task sheet to ``out`` (.xlsx) and its key to ``key`` (default ``<out stem>.key.csv``);
    return both paths. The key also records the run and the sheet's task."""
    if task not in TASKS:
        raise UsageError(f"--task {task!r}: choose {' or '.join(TASKS)}")
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out {out}: a task sheet is an .xlsx file")
    run = _as_run(run)
    sheet, answers = (word_intrusion if task == "word-intrusion" else topic_intrusion)(run, config)
    answers.insert(1, "task", task)
    answers.insert(2, "run", run.path.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    # An excerpt that begins with "=" or "-" must stay text in the raters' spreadsheet.
    shown = [c for c in ("title", "text") if c in sheet.columns]
    sheet[shown] = files.neutralize_formulas(sheet[shown])
    sheet.to_excel(out, index=False, sheet_name=task)
    key = Path(key) if key else _key_path(out)
    files.write_csv(answers, key)
    return out, key


def score_tasks(sheet_path: Path, key: Path | None = None) -> tuple[pd.DataFrame, dict]:
    """Score an answered sheet against its key. Returns ``(per_topic, summary)``: per topic the items,
    answered and correct counts and the precision; ``summary`` the task, the overall precision and the
    number of unanswered items.

    Raises :class:`UsageError` naming the file and row when the sheet is not the key's (an item the
    key lacks, choices that differ) or an answer is not one of the choices' letters."""
    sheet_path = Path(sheet_path)
    key = Path(key) if key else _key_path(sheet_path)
    if not key.is_file():
        raise PipelineError(f"{key}: no answer key beside the sheet (pass --key)")
    try:
        sheet = pd.read_excel(sheet_path, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise PipelineError(f"{shown(sheet_path)}: not a readable .xlsx sheet ({type(exc).__name__})") from None
    truth = pd.read_csv(key, encoding=files.CSV_ENCODING, dtype=str, keep_default_na=False).set_index("item")
    task = truth["task"].iloc[0]
    letters = [c for c in string.ascii_uppercase if c in sheet.columns]
    for col in ("item", "answer"):
        if col not in sheet.columns:
            raise UsageError(f"{shown(sheet_path)}: no {col!r} column (columns: {', '.join(sheet.columns)})")
    rows = []
    for i, r in sheet.iterrows():
        where = f"{shown(sheet_path)}: row {i + 2} ({r['item']})"
        if r["item"] not in truth.index:
            raise UsageError(f"{where}: item not in the key {key.name}: the sheet and the key do not match")
        expected = truth.loc[r["item"]]
        if "|".join(str(r[c]) for c in letters) != expected["choices"]:
            raise UsageError(f"{where}: its choices differ from the key {key.name}: the sheet and the key do not match")
        answer = str(r["answer"]).strip().upper()
        if answer and answer not in letters:
            raise UsageError(f"{where}: answer {r['answer']!r} is not one of {', '.join(letters)}")
        rows.append({"topic": int(expected["topic"]), "answered": bool(answer), "correct": answer == expected["answer"]})
    if len(rows) != len(truth):
        missing = sorted(set(truth.index) - set(sheet["item"]))
        raise UsageError(f"{shown(sheet_path)}: items {', '.join(missing[:10])} of the key are missing from the sheet")
    df = pd.DataFrame(rows)
    per_topic = df.groupby("topic").agg(items=("answered", "size"), answered=("answered", "sum"),
                                        correct=("correct", "sum")).reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        per_topic["precision"] = per_topic["correct"] / per_topic["answered"].where(per_topic["answered"] > 0)
    answered = int(df["answered"].sum())
    summary = {"task": task, "run": truth["run"].iloc[0], "items": len(df), "answered": answered,
               "correct": int(df["correct"].sum()),
               "unanswered": len(df) - answered,
               "precision": float(df["correct"].sum() / answered) if answered else float("nan")}
    return per_topic, summary


def exclusivity(topic_term: np.ndarray, n: int = 10) -> np.ndarray:
    """stm's ``exclusivity`` per topic (FREX with w = 0.7 summed over the top ``n`` terms)."""
    from topica.coherence import exclusivity as frex_exclusivity

    return np.asarray(frex_exclusivity(np.asarray(topic_term, dtype=np.float64), n=n, w=0.7))


def topic_quality(run, chains: Sequence[Path] = ()) -> pd.DataFrame:
    """Per topic: its mean share over the units, stm's exclusivity, stm's semantic coherence (computed
    at training time, ``metrics.semantic_coherence_per_topic`` of the manifest; NaN for older runs) and
    c_npmi; with ``chains`` (runs of the same corpus and K, other seeds) the :func:`stability` columns."""
    run = _as_run(run)
    metrics = run.manifest.get("metrics", {})
    k = run.num_topics
    sem = metrics.get("semantic_coherence_per_topic") or [np.nan] * k
    npmi = metrics.get("c_npmi_per_topic") or [np.nan] * k
    out = pd.DataFrame({"topic": range(k), "label": [run.labels.get(t, "") for t in range(k)],
                        "share": run.doc_topic.mean(axis=0), "exclusivity": exclusivity(run.topic_term),
                        "semantic_coherence": sem, "c_npmi": npmi})
    if chains:
        stable = stability(run, chains)
        out = out.merge(stable.rename(columns={"mean": "stability_mean", "min": "stability_min"}), on="topic")
    return out


def write_quality(run, chains: Sequence[Path] = ()) -> tuple[pd.DataFrame, Path]:
    """:func:`topic_quality` written to ``<run>/validation/topic_quality.csv``; returns the table and the path."""
    run = _as_run(run)
    table = topic_quality(run, chains)
    path = run.path / "validation" / "topic_quality.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_csv(table, path)
    return table, path


def stability(run, others: Sequence[Path]) -> pd.DataFrame:
    """Per topic of ``run``: its similarity (1 - Jensen-Shannon distance) to its match in each of
    ``others`` (the same corpus and K, other seeds: other chains), their mean and minimum."""
    from workbench.analysis import compare

    run = _as_run(run)
    out = pd.DataFrame({"topic": range(run.num_topics)})
    cols = []
    for other in others:
        table = compare.compare_runs(run.path, Path(other))
        best = table.dropna(subset=["topic_a"]).groupby("topic_a")["similarity"].max()
        name = f"vs_{Path(other).name}"
        out[name] = out["topic"].map(best.rename(index=int)).fillna(0.0)
        cols.append(name)
    out["mean"] = out[cols].mean(axis=1)
    out["min"] = out[cols].min(axis=1)
    return out
