"""Match topics between two models: a retrain on a grown corpus, or one corpus under other seeds.

Everything works on plain arrays (``topic_term`` of shape (K, V), rows p(term | topic), and the
vocabulary in column order), as written into every run folder (docs/run-folder.md), so no model
library is needed to compare two runs.

Pipeline::

    aligned = align_vocab(tt_a, vocab_a, tt_b, vocab_b)      # shared terms, rows renormalised
    sim = topic_similarity(aligned.A, aligned.B)             # (Ka, Kb), 1 - JS distance
    matches = match_topics(sim)                              # matched, split, merged, new, ...
    labels_b = carry_labels(matches, labels_a)

or, from two run folders, ``compare_runs(run_a, run_b)`` and ``write_comparison(df, path)``, or
``compare_and_carry(run_a, run_b)`` (what ``workbench compare`` does: both, and A's labels into B).
``stability`` uses the same similarity and assignment for several seeds of one model.

Thresholds (similarity = 1 - Jensen-Shannon distance, base 2: 0 = disjoint, 1 = identical)
------------------------------------------------------------------------------------------
Chosen by measurement on real corpora (``bench/compare_rule.py``, tomotopy LDA with the defaults):
CCTV 新闻联播 2024 (5,283 stories as units, K = 25) against itself trained with another seed, and
against 2024 plus 10 % more stories (the first 528 of 2025); THUCNews (1,000 stories, K = 20) against
the government work reports by section (K = 20) as two unrelated corpora.

* The pairs the optimal assignment makes between the same corpus's runs: 21 of 25 score 0.31-0.86
  (median 0.52 across seeds, 0.57 with 10 % more stories); the other 4 score 0.02-0.19, topics one run
  has and the other does not (military ceremonies, sports, world politics: they come out ``vanished``
  and ``new``).  Same topics scored as low as 0.31 (总书记 visiting 群众 in 社区), 0.44-0.49 (俄军,
  旅游, 文化, 总台 across a grown corpus): a 0.5 threshold called 10 of these 25 topics gone.
* The unrelated corpora: no pair of topics above 0.22.

``DEFAULT_THRESHOLD = 0.3`` (a one-to-one match) matches every same-corpus pair of 0.31 and more
(84 % of the topics, the reproducible ones, in both cases) and none of the unrelated corpora's pairs
(a margin of 0.08 over their best).  Between 0.3 and 0.5 most pairs are the same topic (all 7 across
the grown corpus) but not all (2 of 6 across seeds paired leftovers: 部队 with 文化 at 0.33, 比赛 with
总台 at 0.41), so ``workbench compare`` marks those matches ``WEAK_MATCH`` for a reader to check.
``DEFAULT_SPLIT_THRESHOLD = 0.4`` (a part of a split or merge) is kept apart from the match
threshold: a topic that is the even mixture of two topics with disjoint support is exactly 0.442
similar to each part (fitted even splits scored 0.40-0.44 on synthetic corpora), and lowering it with
the match threshold to 0.3 turned same-topic matches into 4-7 spurious split and merge rows on the
news runs.  A lopsided split comes out as a match plus a ``new`` topic whose nearest partner says
which topic it is near.

"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import rel_entr

from workbench import files
from workbench.errors import shown

DEFAULT_THRESHOLD = 0.3
DEFAULT_SPLIT_THRESHOLD = 0.4
#: A match below this similarity is shown as weak: read both topics' words (see the docstring).
WEAK_MATCH = 0.5
# A topic with less than half its mass on terms both models know is treated as new / vanished:
# its renormalised remainder is a thin slice that can look like anything.
DEFAULT_MIN_SHARED_MASS = 0.5

STATUSES = ("matched", "split", "merged", "vanished", "new")
COLUMNS = [
    "topic_a",
    "topic_b",
    "similarity",
    "status",
    "label_a",
    "label_b",
    "top_terms_a",
    "top_terms_b",
]
TERM_JOINER = "、"
SPLIT_SUFFIX = "（分{}）"
MERGE_JOINER = "/"


class AlignedTopics(NamedTuple):
    """What ``align_vocab`` returns: ``A, B, shared_vocab, shared_mass_a, shared_mass_b``."""

    A: np.ndarray
    B: np.ndarray
    shared_vocab: list[str]
    shared_mass_a: np.ndarray
    shared_mass_b: np.ndarray


# --------------------------------------------------------------------------- alignment


def align_vocab(topic_term_a, vocab_a, topic_term_b, vocab_b) -> AlignedTopics:
    """Restrict two topic-term matrices to their shared vocabulary and renormalise the rows.

    Inputs: ``topic_term_a`` (Ka, Va) and ``topic_term_b`` (Kb, Vb), non-negative rows
    p(term | topic); ``vocab_a`` / ``vocab_b`` the terms in column order (unique).

    Output (a NamedTuple, first three fields as ``A, B, shared_vocab``):

    * ``A`` (Ka, S), ``B`` (Kb, S): p(term | topic, term is shared), rows sum to 1;
    * ``shared_vocab``: the S shared terms, in ``vocab_a`` order;
    * ``shared_mass_a`` (Ka,), ``shared_mass_b`` (Kb,): the share of each topic's original
      mass that lay on shared terms.  A B topic whose mass is mostly on new terms is probably a
      new topic; an A topic whose mass is mostly on dropped terms probably vanished.

    Why the intersection and not the union: a term missing from one vocabulary is not a term that
    model gives probability 0; that model never saw it (fewer documents, or ``no_below`` /
    ``no_above`` cut it).  Padding with zeros would make two identical topics look different just
    because one model spread 20 % of its mass over terms the other could not have, and KL-based
    measures would see an impossible event.  Conditioning both on the shared terms compares what
    both models can speak about; the mass left out is reported, not hidden.

    A topic with no mass on shared terms gets a uniform row (its shared mass 0 says why), so the
    similarity stays defined.  Raises ``ValueError`` when the vocabularies share no term.
    Cost: O((Ka + Kb) * S) time and memory.
    """
    tt_a = _as_topic_term(topic_term_a, "topic_term_a")
    tt_b = _as_topic_term(topic_term_b, "topic_term_b")
    vocab_a = _as_vocab(vocab_a, tt_a.shape[1], "vocab_a")
    vocab_b = _as_vocab(vocab_b, tt_b.shape[1], "vocab_b")

    index_b = {term: j for j, term in enumerate(vocab_b)}
    cols_a = [i for i, term in enumerate(vocab_a) if term in index_b]
    if not cols_a:
        raise ValueError("the two vocabularies share no term; nothing to compare")
    shared = [vocab_a[i] for i in cols_a]
    cols_b = [index_b[term] for term in shared]

    A, mass_a = _restrict(tt_a, np.asarray(cols_a))
    B, mass_b = _restrict(tt_b, np.asarray(cols_b))
    return AlignedTopics(A, B, shared, mass_a, mass_b)


def _restrict(topic_term: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    totals = topic_term.sum(axis=1)
    part = topic_term[:, cols]
    kept = part.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mass = np.where(totals > 0, kept / totals, 0.0)
        rows = part / kept[:, None]
    empty = kept <= 0
    rows[empty] = 1.0 / len(cols)
    return rows, mass


# --------------------------------------------------------------------------- similarity


def topic_similarity(A, B, metric: str = "jsd") -> np.ndarray:
    """Similarity of every topic of ``A`` (Ka, V) to every topic of ``B`` (Kb, V): (Ka, Kb).

    ``metric="jsd"`` (default): 1 - Jensen-Shannon distance with base-2 logarithms, so 1 for
    identical rows, 0 for rows with disjoint support, symmetric, and a true metric underneath
    (the distance obeys the triangle inequality, unlike KL).  Rows are renormalised first.
    ``metric="cosine"``: cosine of the rows; also in [0, 1] since probabilities are >= 0, but
    dominated by the few heaviest terms and blind to how mass is spread over the tail.

    Both matrices must already share columns (see ``align_vocab``).
    Cost (jsd): O(Ka * Kb * V) time, O(Kb * V) extra memory (one A row against all of B at once).
    """
    A = _as_topic_term(A, "A")
    B = _as_topic_term(B, "B")
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"A has {A.shape[1]} columns, B has {B.shape[1]}: align_vocab first")
    if metric == "cosine":
        na = np.linalg.norm(A, axis=1, keepdims=True)
        nb = np.linalg.norm(B, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            sim = (A / na) @ (B / nb).T
        return np.clip(np.nan_to_num(sim), 0.0, 1.0)
    if metric != "jsd":
        raise ValueError(f"metric must be 'jsd' or 'cosine', not {metric!r}")

    A = _normalise_rows(A)
    B = _normalise_rows(B)
    sim = np.empty((A.shape[0], B.shape[0]))
    # rel_entr(0, m) is 0, so terms absent from a topic need no special casing.
    for i, a in enumerate(A):
        m = (a + B) / 2.0
        js = 0.5 * (rel_entr(a, m).sum(axis=1) + rel_entr(B, m).sum(axis=1)) / np.log(2.0)
        # Rounding can leave js a hair below 0 or above 1; sqrt of a negative is NaN.
        sim[i] = 1.0 - np.sqrt(np.clip(js, 0.0, 1.0))
    return sim


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    totals = x.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("a topic row has no mass; cannot treat it as a distribution")
    return x / totals


def mask_thin_topics(sim, aligned: AlignedTopics, min_shared_mass: float = DEFAULT_MIN_SHARED_MASS) -> np.ndarray:
    """A copy of ``sim`` with the rows and columns of topics that keep less than ``min_shared_mass`` of
    their mass on shared terms set to 0: what :func:`compare_runs` matches on (see there why)."""
    out = np.array(sim, dtype=float, copy=True)
    out[aligned.shared_mass_a < min_shared_mass, :] = 0.0
    out[:, aligned.shared_mass_b < min_shared_mass] = 0.0
    return out


# --------------------------------------------------------------------------- matching


def match_topics(
    sim,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    split_threshold: float | None = None,
) -> pd.DataFrame:
    """Classify how the topics of model A relate to those of model B.

    Input: ``sim`` (Ka, Kb) from ``topic_similarity``; Ka may differ from Kb.
    ``threshold``: least similarity for a one-to-one ``matched`` pair (default 0.3).
    ``split_threshold``: least similarity for a part of a split or merge (default
    ``DEFAULT_SPLIT_THRESHOLD``).  See the module docstring for how both were set.

    Definitions, with ``best_a(j) = argmax_i sim[i, j]`` and ``best_b(i) = argmax_j sim[i, j]``:

    * ``split``: A topic i splits into S(i) = {j : sim[i, j] >= split_threshold and best_a(j) = i}
      when |S(i)| >= 2; one row per part (i, j).
    * ``merged``: B topic j merges M(j) = {i : sim[i, j] >= split_threshold and best_b(i) = j}
      when |M(j)| >= 2; one row per part (i, j).  A pair that is both (a many-to-many knot,
      rare) is reported once, as ``split``.
    * The remaining topics get an optimal one-to-one assignment maximising total similarity
      (``scipy.optimize.linear_sum_assignment`` on -sim, Hungarian-style); an assigned pair with
      sim >= threshold is ``matched``.
    * ``vanished``: an A topic in none of the above (``topic_b`` empty); ``new``: a B topic in
      none of the above (``topic_a`` empty).  Their ``similarity`` is the best similarity they had
      to any topic of the other model, to show how clearly new or gone they are.

    Every topic of A and of B appears in at least one row.  Output: DataFrame with ``COLUMNS``
    (``topic_a`` / ``topic_b`` nullable Int64; labels and top terms empty, filled by
    ``compare_runs``), sorted by ``topic_a`` then ``topic_b``, new topics last.
    """
    from workbench import checks

    checks.UNIT_INTERVAL.check("threshold", threshold)
    sim = np.asarray(sim, dtype=float)
    if sim.ndim != 2:
        raise ValueError(f"sim must be a (Ka, Kb) matrix, got shape {sim.shape}")
    if split_threshold is None:
        split_threshold = DEFAULT_SPLIT_THRESHOLD
    ka, kb = sim.shape
    rows: list[tuple[int | None, int | None, float, str]] = []
    if ka == 0 or kb == 0:
        rows += [(i, None, np.nan, "vanished") for i in range(ka)]
        rows += [(None, j, np.nan, "new") for j in range(kb)]
        return _matches_frame(rows)

    best_a = sim.argmax(axis=0)  # (Kb,) the A topic each B topic is closest to
    best_b = sim.argmax(axis=1)  # (Ka,)
    close = sim >= split_threshold

    split_pairs: set[tuple[int, int]] = set()
    for i in range(ka):
        parts = [j for j in range(kb) if close[i, j] and best_a[j] == i]
        if len(parts) >= 2:
            split_pairs.update((i, j) for j in parts)
    merge_pairs: set[tuple[int, int]] = set()
    for j in range(kb):
        parts = [i for i in range(ka) if close[i, j] and best_b[i] == j]
        if len(parts) >= 2:
            merge_pairs.update((i, j) for i in parts)
    merge_pairs -= split_pairs

    rows += [(i, j, sim[i, j], "split") for i, j in split_pairs]
    rows += [(i, j, sim[i, j], "merged") for i, j in merge_pairs]
    involved_a = {i for i, _ in split_pairs | merge_pairs}
    involved_b = {j for _, j in split_pairs | merge_pairs}

    # One-to-one assignment among the topics not already explained by a split or merge.
    free_a = np.array([i for i in range(ka) if i not in involved_a], dtype=int)
    free_b = np.array([j for j in range(kb) if j not in involved_b], dtype=int)
    matched_a: set[int] = set()
    matched_b: set[int] = set()
    if len(free_a) and len(free_b):
        ra, rb = linear_sum_assignment(-sim[np.ix_(free_a, free_b)])
        for i, j in zip(free_a[ra], free_b[rb]):
            if sim[i, j] >= threshold:
                rows.append((int(i), int(j), sim[i, j], "matched"))
                matched_a.add(int(i))
                matched_b.add(int(j))

    for i in free_a:
        if i not in matched_a:
            rows.append((int(i), None, sim[i].max(), "vanished"))
    for j in free_b:
        if j not in matched_b:
            rows.append((None, int(j), sim[:, j].max(), "new"))
    return _matches_frame(rows)


def _matches_frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["topic_a", "topic_b", "similarity", "status"])
    df["topic_a"] = df["topic_a"].astype("Int64")
    df["topic_b"] = df["topic_b"].astype("Int64")
    df["similarity"] = df["similarity"].astype(float)
    for col in COLUMNS[4:]:
        df[col] = ""
    df = df.sort_values(["topic_a", "topic_b"], na_position="last", kind="stable")
    return df[COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- labels


def carry_labels(matches: pd.DataFrame, labels_a) -> dict[int, str]:
    """Labels for B's topics, carried over from the labels of A's topics.

    Inputs: ``matches`` from ``match_topics`` / ``compare_runs``; ``labels_a`` maps A topic ids
    (int, or str as in ``labels.json``) to labels.  Output: ``{B topic id: label}`` for the B
    topics that received one; ``new`` topics and topics whose A side has no label get none.

    * ``matched``: the A label unchanged.
    * ``split``: the A label plus ``（分1）``, ``（分2）`` ... numbered by similarity to the A topic,
      highest first, so ``（分1）`` is the part closest to the old topic.  A suffix (not the bare
      label twice) keeps labels unique, and tells the reader to look again.
    * ``merged``: the A labels of the merged topics joined with ``/``, most similar first
      (e.g. ``脱贫攻坚/乡村振兴``).  If a B topic is both a split part and a merge (rare knot),
      the merged label wins because it names every contributor.
    """
    labels = {int(k): str(v) for k, v in dict(labels_a).items()}
    out: dict[int, str] = {}
    rel = matches.dropna(subset=["topic_a", "topic_b"])

    for row in rel[rel["status"] == "matched"].itertuples():
        if int(row.topic_a) in labels:
            out[int(row.topic_b)] = labels[int(row.topic_a)]

    split = rel[rel["status"] == "split"].sort_values(
        ["topic_a", "similarity", "topic_b"], ascending=[True, False, True], kind="stable"
    )
    for topic_a, group in split.groupby("topic_a", sort=True):
        if int(topic_a) not in labels:
            continue
        for n, topic_b in enumerate(group["topic_b"], start=1):
            out[int(topic_b)] = labels[int(topic_a)] + SPLIT_SUFFIX.format(n)

    merged = rel[rel["status"] == "merged"].sort_values(
        ["topic_b", "similarity", "topic_a"], ascending=[True, False, True], kind="stable"
    )
    for topic_b, group in merged.groupby("topic_b", sort=True):
        names = [labels[int(i)] for i in group["topic_a"] if int(i) in labels]
        if names:
            out[int(topic_b)] = MERGE_JOINER.join(names)
    return out


# --------------------------------------------------------------------------- run folders


def compare_runs(
    run_a: Path,
    run_b: Path,
    *,
    threshold: float | None = None,
    n_terms: int = 10,
    split_threshold: float | None = None,
    metric: str = "jsd",
    min_shared_mass: float = DEFAULT_MIN_SHARED_MASS,
) -> pd.DataFrame:
    """Compare the topics of two run folders (docs/run-folder.md).

    Reads ``topic_term.npy`` (``allow_pickle=False``), ``terms.csv`` (UTF-8 with BOM, column
    ``term`` in column order) and, if present, ``labels.json`` from each folder; aligns the
    vocabularies, measures similarity, matches (see ``match_topics``).

    Topics with less than ``min_shared_mass`` of their mass on shared terms are kept out of every
    relation (their similarities count as 0 for matching), so they come out ``new`` /
    ``vanished``: the renormalised remainder of a topic that lives on new terms is a thin slice
    that can look like any old topic.  Their ``similarity`` column still shows the best
    similarity of that remainder, to be read together with ``shared_mass_a`` / ``shared_mass_b``.

    Output: ``COLUMNS`` with labels from each run's own ``labels.json`` and the top ``n_terms``
    terms of each topic (from the full, unaligned vocabulary, so a new topic shows its new terms)
    joined with ``、``; then ``carried_label`` (``carry_labels`` of A's labels onto the B topic),
    ``shared_mass_a`` / ``shared_mass_b``, and for a ``vanished`` or ``new`` topic its nearest
    partner in the other run: ``nearest`` (the B topic of a vanished A topic, the A topic of a new
    B topic: the one its ``similarity`` is with), ``nearest_terms`` and ``nearest_label``.
    """
    tt_a, vocab_a, labels_a = load_run_topics(Path(run_a))
    tt_b, vocab_b, labels_b = load_run_topics(Path(run_b))
    aligned = align_vocab(tt_a, vocab_a, tt_b, vocab_b)
    raw = topic_similarity(aligned.A, aligned.B, metric=metric)
    sim = mask_thin_topics(raw, aligned, min_shared_mass)

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    df = match_topics(sim, threshold=threshold, split_threshold=split_threshold)
    # Report the unmasked best similarity of new / vanished topics: beside a small shared mass it
    # tells "mostly new terms, and the rest looks like topic x" apart from "unlike anything".
    lone_b = df["status"].eq("new").to_numpy()
    lone_a = df["status"].eq("vanished").to_numpy()
    df.loc[lone_b, "similarity"] = raw[:, df.loc[lone_b, "topic_b"].astype(int)].max(axis=0)
    df.loc[lone_a, "similarity"] = raw[df.loc[lone_a, "topic_a"].astype(int)].max(axis=1)
    # ... and which topic that best similarity is with: the nearest partner in the other run
    nearest = pd.array([pd.NA] * len(df), dtype="Int64")
    nearest[lone_b] = raw[:, df.loc[lone_b, "topic_b"].astype(int)].argmax(axis=0)
    nearest[lone_a] = raw[df.loc[lone_a, "topic_a"].astype(int)].argmax(axis=1)

    top_a = top_terms(tt_a, vocab_a, n_terms)
    top_b = top_terms(tt_b, vocab_b, n_terms)
    carried = carry_labels(df, labels_a)
    a = df["topic_a"]
    b = df["topic_b"]
    df["label_a"] = [labels_a.get(int(i), "") if pd.notna(i) else "" for i in a]
    df["label_b"] = [labels_b.get(int(j), "") if pd.notna(j) else "" for j in b]
    df["top_terms_a"] = [top_a[int(i)] if pd.notna(i) else "" for i in a]
    df["top_terms_b"] = [top_b[int(j)] if pd.notna(j) else "" for j in b]
    df["carried_label"] = [carried.get(int(j), "") if pd.notna(j) else "" for j in b]
    df["shared_mass_a"] = [aligned.shared_mass_a[int(i)] if pd.notna(i) else np.nan for i in a]
    df["shared_mass_b"] = [aligned.shared_mass_b[int(j)] if pd.notna(j) else np.nan for j in b]
    df["nearest"] = nearest
    df["nearest_terms"] = [(top_b if st == "vanished" else top_a)[int(k)] if pd.notna(k) else ""
                           for st, k in zip(df["status"], nearest)]
    df["nearest_label"] = [(labels_b if st == "vanished" else labels_a).get(int(k), "") if pd.notna(k) else ""
                           for st, k in zip(df["status"], nearest)]
    return df


def load_run_topics(run: Path) -> tuple[np.ndarray, list[str], dict[int, str]]:
    """Read ``(topic_term, vocab, labels)`` from a run folder; labels ``{}`` without labels.json."""
    run = Path(run)
    topic_term = np.load(run / "topic_term.npy", allow_pickle=False)
    # keep_default_na=False: a term spelled "NA" or "null" is a term, not a missing value.
    terms_path = run / "terms.csv"
    terms = pd.read_csv(terms_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if "term" not in terms.columns:
        raise ValueError(f"{shown(terms_path)} has no 'term' column")
    in_order = [str(i) for i in range(len(terms))]
    if "term_id" in terms.columns and terms["term_id"].tolist() != in_order:
        raise ValueError(f"{shown(terms_path)}: term_id is not 0..V-1 in row order")
    n_columns = _as_topic_term(topic_term, "topic_term.npy").shape[1]
    vocab = _as_vocab(terms["term"].tolist(), n_columns, str(terms_path))
    from workbench.runfolder.labels import read_labels

    return topic_term, vocab, read_labels(run)


def top_terms(topic_term, vocab, n_terms: int = 10) -> list[str]:
    """The ``n_terms`` most probable terms of each topic joined with ``、`` (ties: column order)."""
    topic_term = np.asarray(topic_term)
    order = np.argsort(-topic_term, axis=1, kind="stable")[:, :n_terms]
    return [TERM_JOINER.join(vocab[k] for k in row) for row in order]


def write_comparison(df: pd.DataFrame, path) -> Path:
    """Write a comparison table with the one guarded CSV writer (UTF-8 with BOM, no cell a spreadsheet
    would run: labels come from labels.json and theme names), atomically; returns path."""
    path = Path(path)
    with files.atomic_file(path) as tmp:
        files.write_csv(df, tmp)
    return path


def compare_and_carry(run_a, run_b, *, labels_a=None, path=None, carry: bool = True, write: bool = True,
                      **kwargs) -> pd.DataFrame:
    """Compare run A (e.g. the seed run) with run B (the retrained one) and carry A's labels over.

    ``run_a`` / ``run_b``: run folders (or loaded runs). :func:`compare_runs` (``kwargs`` go to it),
    with ``label_a`` and ``carried_label`` taken from ``labels_a`` when given (e.g. labels
    suggested for A but not written into it), else from A's ``labels.json``. With ``write``, the
    table goes to ``path`` (default ``<B>/compare_<A name>.csv``, UTF-8 with BOM) and, with
    ``carry``, the carried labels into B's ``labels.json``: a B topic that already has a label
    (not blank) keeps it. Output: the comparison table; ``attrs["path"]`` names the CSV when
    written.
    """
    from workbench.runfolder.labels import read_labels, write_labels

    a, b = Path(getattr(run_a, "path", run_a)), Path(getattr(run_b, "path", run_b))
    table = compare_runs(a, b, **kwargs)
    if labels_a is not None:
        labels = {int(k): str(v) for k, v in labels_a.items()}
        carried = carry_labels(table, labels)
        table["label_a"] = [labels.get(int(i), "") if pd.notna(i) else "" for i in table["topic_a"]]
        table["carried_label"] = [carried.get(int(j), "") if pd.notna(j) else "" for j in table["topic_b"]]
    if write:
        table.attrs["path"] = str(write_comparison(table, path or b / f"compare_{files.slug(a.name)}.csv"))
    if write and carry:
        labels_b = read_labels(b)
        new = {int(k): v for k, v in zip(table["topic_b"], table["carried_label"])
               if pd.notna(k) and v and not str(labels_b.get(int(k), "")).strip()}
        if new:
            write_labels(b, {**labels_b, **new})
    return table


def legend(threshold: float = DEFAULT_THRESHOLD, split_threshold: float | None = None) -> list[str]:
    """How to read a comparison, in plain words: the lines ``workbench compare`` prints under its table."""
    split = DEFAULT_SPLIT_THRESHOLD if split_threshold is None else split_threshold
    return [
        "How to read this table:",
        ("  sim       how alike two topics are: 1 = the same words in the same proportions, 0 = no word in "
         "common (over the words both runs know)."),
        (f"  matched   the same topic in both runs: each is the other's partner and sim is {threshold:.2f} or "
         "more. A's label was carried over to B."),
        (f"  (weak)    a match under {WEAK_MATCH:.2f}: usually the same topic, sometimes two leftovers paired; "
         "read both topics' words."),
        f"  split     one topic of A is now two or more topics of B (each part at least {split:.2f} like it).",
        f"  merged    two or more topics of A are now one topic of B (each at least {split:.2f} like it).",
        "  vanished  a topic of A with no partner in B; 'nearest' names the B topic most like it and how alike.",
        "  new       a topic of B with no partner in A; 'nearest' names the A topic most like it and how alike.",
        (f"  A vanished or new topic whose nearest sim is close to {threshold:.2f} is a near miss: read the "
         "words of both before deciding that it is gone (`workbench label` can carry its label by hand)."),
    ]


# --------------------------------------------------------------------------- stability


def stability(topic_terms: list[np.ndarray], vocab, *, metric: str = "jsd") -> dict:
    """How reproducible the topics are across several fits of one corpus and K (different seeds).

    In the manner of Greene, O'Callaghan & Cunningham (2014), "How many topics? Stability
    analysis for topic models": match each model's topics one-to-one to a reference model's
    (Hungarian assignment) and average the agreement of matched pairs.  Greene et al. compare
    top-term rankings with average Jaccard; here agreement is the similarity of the full
    topic-term distributions (``topic_similarity``, 1 - JS distance), and the fits differ by seed
    rather than by subsample.

    Inputs: ``topic_terms``, two or more (K, V) arrays over the same vocabulary ``vocab``
    (length V).  Output dict:

    * ``per_topic`` (K,): for each topic of the first model, its matched similarity averaged over
      the other models (the same-topic pairs of bench/compare_rule.py have a median of 0.52);
    * ``mean``: mean of ``per_topic``;
    * ``matching`` (M-1, K) int: ``matching[m-1][i]`` is the topic of model m matched to topic i
      of the first model;
    * ``pairwise`` (M, M): mean matched similarity of every pair of models (diagonal 1);
    * ``pairwise_mean``: mean of its off-diagonal entries (does not privilege the first seed).

    Cost: M(M-1)/2 similarity matrices, each O(K^2 V).
    """
    if len(topic_terms) < 2:
        raise ValueError("stability needs at least two models")
    mats = [_as_topic_term(t, f"topic_terms[{n}]") for n, t in enumerate(topic_terms)]
    shape = mats[0].shape
    for n, t in enumerate(mats):
        if t.shape != shape:
            raise ValueError(f"topic_terms[{n}] has shape {t.shape}, expected {shape}")
    _as_vocab(vocab, shape[1], "vocab")

    n_models = len(mats)
    pairwise = np.eye(n_models)
    per_model = []
    matching = []
    for p in range(n_models):
        for q in range(p + 1, n_models):
            sim = topic_similarity(mats[p], mats[q], metric=metric)
            ra, rb = linear_sum_assignment(-sim)
            pairwise[p, q] = pairwise[q, p] = sim[ra, rb].mean()
            if p == 0:
                order = np.empty(shape[0], dtype=int)
                order[ra] = rb
                matching.append(order)
                per_model.append(sim[np.arange(shape[0]), order])
    per_topic = np.mean(per_model, axis=0)
    off = pairwise[~np.eye(n_models, dtype=bool)]
    return {
        "per_topic": per_topic,
        "mean": float(per_topic.mean()),
        "matching": np.array(matching),
        "pairwise": pairwise,
        "pairwise_mean": float(off.mean()),
    }


# --------------------------------------------------------------------------- validation


def _as_topic_term(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a (K, V) matrix, got shape {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"{name} must hold finite, non-negative probabilities")
    return x


def _as_vocab(vocab, n_columns: int, name: str) -> list[str]:
    vocab = [str(t) for t in vocab]
    if len(vocab) != n_columns:
        raise ValueError(f"{name} has {len(vocab)} terms but the matrix has {n_columns} columns")
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"{name} has duplicate terms")
    return vocab
