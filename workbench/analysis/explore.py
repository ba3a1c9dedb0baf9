"""Explore: the small tables the notebooks show, as plain tested functions.

The notebooks in ``notebooks/`` hold no pipeline logic; what they display beyond the reading aids
of :mod:`workbench.analysis.reading` and the charts of :mod:`workbench.outputs.charts` is computed here:

Corpus (``01_corpus.ipynb``, on a :class:`workbench.text.preprocess.Corpus` and its documents):

- :func:`corpus_overview` -- documents, units, characters and tokens per source file.
- :func:`unit_lengths` -- characters and tokens of every modelled unit.
- :func:`kept_tokens`, :func:`term_frequencies` -- the most frequent kept tokens.
- :func:`distinctive_terms` -- each article's TF-IDF terms (gensim, as ``keywords.csv``).
- :func:`cleaning_report` -- every line the cleaning dropped, and why.
- :func:`plain_tokenizer`, :func:`segmentation_changes` -- what the user dictionary and the
  harvested quoted terms changed in jieba's segmentation.

Runs (``02_topics.ipynb``, ``03_labels_and_export.ipynb``, on a :class:`workbench.runfolder.Run`):

- :func:`load_run_or_latest` -- the run named by ``WORKBENCH_RUN``, else the newest.
- :func:`run_summary`, :func:`representative_paragraphs`, :func:`kwic_in_run`.
- :func:`show_ldavis` -- the run's pyLDAvis page inline, offline.
- :func:`suggest_labels` -- label topics by cue words, for any run.
- :func:`export_run` -- the labelled unit and article tables in every export format.

Topic ids start at 0, as everywhere in the workbench."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import paths, runfolder
from workbench.analysis import reading
from workbench.corpus import ingest
from workbench.outputs import export
from workbench.outputs.export import FORMATS

__all__ = [
    "RUN_ENV",
    "RUNS_ENV",
    "corpus_overview",
    "unit_lengths",
    "kept_tokens",
    "term_frequencies",
    "distinctive_terms",
    "cleaning_report",
    "plain_tokenizer",
    "segmentation_changes",
    "load_run_or_latest",
    "run_summary",
    "run_topic_table",
    "representative_paragraphs",
    "kwic_in_run",
    "show_ldavis",
    "suggest_labels",
    "export_run",
]

#: Names the run a notebook opens (``workbench notebook runs/<id>`` sets it).
RUN_ENV = "WORKBENCH_RUN"
#: The folder of run folders (read by :func:`workbench.paths.runs_dir`).
RUNS_ENV = "WORKBENCH_RUNS"

TOKEN_SEPARATOR = " / "


def _doc_of_unit(unit_id: str) -> str:
    return unit_id.rsplit("-", 1)[0]


# --------------------------------------------------------------------------------------------
# Corpus


def corpus_overview(docs, units, tokens, dropped_units: Iterable[str] = ()) -> pd.DataFrame:
    """Per source file: documents, units, characters and tokens, plus a ``total`` row.

    Inputs: ``docs`` (:class:`workbench.corpus.ingest.Document`: ``list(corpus.documents())``), the
    modelled ``units`` (``corpus.units``) and their tokens (:func:`kept_tokens`, or
    ``corpus.tokens`` for the model's vocabulary only), and optionally the ids of the units left
    out of the model (``corpus.dropped_units``: too few tokens). Output columns:
    ``source_file``, ``documents``, ``units`` (modelled), ``units_left_out``, ``characters``
    (of the cleaned text), ``tokens`` (in the modelled units), ``tokens_per_unit`` (median).
    A record file (CSV, JSONL ...) holding many articles is one row.
    """
    units = list(units)
    tokens = list(tokens)
    if len(units) != len(tokens):
        raise ValueError(f"{len(units)} units but {len(tokens)} token lists")
    source_of = {d.doc_id: d.source_file for d in docs}
    rows: dict[str, dict] = {}

    def row(source: str) -> dict:
        return rows.setdefault(source, {"source_file": source, "documents": 0, "units": 0, "units_left_out": 0,
                                        "characters": 0, "tokens": 0, "_lengths": []})

    for d in docs:
        r = row(d.source_file)
        r["documents"] += 1
        r["characters"] += len(d.text.replace("\n", ""))
    for u, toks in zip(units, tokens):
        r = row(source_of.get(u.doc_id, ""))
        r["units"] += 1
        r["tokens"] += len(toks)
        r["_lengths"].append(len(toks))
    for uid in dropped_units:
        source = source_of.get(_doc_of_unit(uid))
        if source is not None:
            row(source)["units_left_out"] += 1
    all_lengths = [n for r in rows.values() for n in r["_lengths"]]
    table = pd.DataFrame(list(rows.values()))
    total = {c: table[c].sum() for c in ("documents", "units", "units_left_out", "characters", "tokens")}
    table = pd.concat([table, pd.DataFrame([{"source_file": "total", **total, "_lengths": all_lengths}])],
                      ignore_index=True)
    table["tokens_per_unit"] = [float(np.median(x)) if x else 0.0 for x in table.pop("_lengths")]
    return table.astype({c: "int64" for c in total})


def unit_lengths(units, tokens) -> pd.DataFrame:
    """One row per unit: ``unit_id``, ``doc_id``, ``characters``, ``tokens`` (kept tokens)."""
    units = list(units)
    tokens = list(tokens)
    if len(units) != len(tokens):
        raise ValueError(f"{len(units)} units but {len(tokens)} token lists")
    return pd.DataFrame({
        "unit_id": [u.unit_id for u in units],
        "doc_id": [u.doc_id for u in units],
        "characters": [len(u.text.replace("\n", "")) for u in units],
        "tokens": [len(t) for t in tokens],
    })


def term_frequencies(token_lists: Iterable[Sequence[str]], n: int | None = 30) -> pd.DataFrame:
    """The ``n`` most frequent tokens (all when ``n`` is None).

    Output columns: ``term``, ``count`` (occurrences), ``units`` (units that contain it),
    ``share`` (count / all tokens). Ties are broken by the term, so the order is reproducible.
    """
    counts: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for toks in token_lists:
        counts.update(toks)
        units.update(set(toks))
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))
    if n is not None:
        ranked = ranked[:n]
    return pd.DataFrame({
        "term": [t for t, _ in ranked],
        "count": np.array([c for _, c in ranked], dtype=np.int64),
        "units": np.array([units[t] for t, _ in ranked], dtype=np.int64),
        "share": np.array([c / total if total else 0.0 for _, c in ranked], dtype=np.float64),
    })


def kept_tokens(corpus, units=None) -> list[list[str]]:
    """Every token the corpus's tokenizer keeps in each modelled unit, before the vocabulary filter.

    ``corpus.tokens`` holds only the terms of the model's vocabulary: ``filter_extremes`` has
    dropped the rare ones and those in more than half the units (党建, 党员 ...). This re-cuts the
    unit texts with the same tokenizer (``get_tokenizer(corpus.tokenizer_config)``: user
    dictionary, harvested terms, stopwords and part-of-speech filter), so frequencies describe
    the text, not the model. ``units`` defaults to ``corpus.units``. Cost: one segmentation pass.
    """
    from workbench.text.tokenize import get_tokenizer

    tokenizer = get_tokenizer(corpus.tokenizer_config)
    return [tokenizer.cut(u.text) for u in (corpus.units if units is None else units)]


def distinctive_terms(corpus, n: int = 10) -> pd.DataFrame:
    """Each article's most distinctive terms by TF-IDF, over the model's vocabulary.

    An article's bag of words is the sum of its modelled units' bags; the scores are gensim's
    ``TfidfModel`` (``smartirs="ntc"``) through :func:`workbench.models.tfidf_keywords`, as in
    the article rows of a run's ``keywords.csv``. Its idf, ``log2((N + 1) / df)``, is smallest for a
    term in every article, so what all articles share gives way to what sets one apart.

    Input: a :class:`workbench.text.preprocess.Corpus`. Output: one row per article with modelled
    units, in corpus order: ``doc_id``, ``source_file``, ``title`` (may be ""), ``terms`` (best
    first, joined with "、"), ``scores`` (same order, rounded to 3 decimals).
    """
    from workbench.models.metrics import tfidf_keywords

    docs = {d.doc_id: d for d in corpus.documents()}
    bags: dict[str, Counter] = {i: Counter() for i in corpus.doc_ids}
    for doc_id, bow in zip(corpus.unit_doc_ids, corpus.bows):
        bags.setdefault(doc_id, Counter()).update(dict(bow))
    ids = [i for i, bag in bags.items() if bag]
    keywords = tfidf_keywords([sorted(bags[i].items()) for i in ids], corpus.vocab.terms, n) if ids else []
    return pd.DataFrame({
        "doc_id": ids,
        "source_file": [docs[i].source_file if i in docs else "" for i in ids],
        "title": [str(docs[i].meta.get("title", "")) if i in docs else "" for i in ids],
        "terms": [reading.TERM_SEPARATOR.join(t for t, _ in kws) for kws in keywords],
        "scores": [[round(s, 3) for _, s in kws] for kws in keywords],
    }, columns=["doc_id", "source_file", "title", "terms", "scores"])


#: Why a line was removed, in the order :func:`workbench.corpus.ingest.clean_article` decides it.
CLEANING_CATEGORIES = ingest.REMOVAL_REASONS


def cleaning_report(docs) -> pd.DataFrame:
    """Every line the cleaning dropped (``Document.removed``), with why, one row per line.

    Output columns: ``source_file``, ``doc_id``, ``title``, ``position`` (0-based among the
    document's removed lines), ``category`` (one of :data:`CLEANING_CATEGORIES`, or ``other``),
    ``line``. The category is the cleaner's own (:func:`workbench.corpus.ingest.removal_reasons`);
    once a related-news header ("新闻推荐", "相关阅读" ...) is met, it and every line after it are
    the block.
    """
    rows = []
    for d in docs:
        title = str(d.meta.get("title", ""))
        for i, (line, category) in enumerate(zip(d.removed, ingest.removal_reasons(d.removed, title))):
            rows.append({"source_file": d.source_file, "doc_id": d.doc_id, "title": title, "position": i,
                         "category": category, "line": line})
    columns = ["source_file", "doc_id", "title", "position", "category", "line"]
    return pd.DataFrame(rows, columns=columns).astype({"position": "int64"})


def plain_tokenizer(config):
    """jieba as shipped: ``config`` without the user dictionaries and harvested quoted terms.

    Everything else (engine, HMM, filters, stopwords) is kept, so comparing its segmentation
    with ``get_tokenizer(config)``'s isolates what the added words change.
    """
    from workbench.text.tokenize import get_tokenizer

    return get_tokenizer(dataclasses.replace(config, user_dicts=(), extra_words=()))


_CLAUSE_END = re.compile(r"(?<=[。！？；!?;\n])")


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_END.split(text) if c.strip()]


def segmentation_changes(texts: Iterable[str], tokenizer_plain, tokenizer_full, n: int | None = 5,
                         *, max_chars: int = 80) -> pd.DataFrame:
    """Sentences that segment differently with and without the added words: before / after.

    Inputs: raw texts; ``tokenizer_plain`` (:func:`plain_tokenizer`) and ``tokenizer_full``
    (the workbench tokenizer, ``get_tokenizer(corpus.tokenizer_config)``); ``n`` examples at
    most (None: all). Texts are split into sentences (。！？； and line ends); sentences longer
    than ``max_chars`` are skipped so that examples stay readable.

    The changes that matter most come first: each next example is the first sentence joining
    the most frequent word that no earlier example joined (整县推进, joined in a dozen sentences
    of the article about it, before a word joined once), so five examples show five words.

    Output columns: ``sentence``; ``before`` and ``after``: jieba's raw tokens (before the
    stopword and part-of-speech filters) joined by " / "; ``joined``: the tokens that appear
    only after, joined by "、" (e.g. 整县推进, split as 整县 / 推进 before); ``sentences``: in how
    many sentences the word the example was picked for is joined. Cost: every sentence is
    segmented twice (rjieba: about 20 MB/s).
    """
    columns = ["sentence", "before", "after", "joined", "sentences"]
    candidates = []
    impact: Counter[str] = Counter()
    seen: set[str] = set()
    for text in texts:
        for sentence in _clauses(text):
            if len(sentence) > max_chars or sentence in seen:
                continue
            seen.add(sentence)
            before = tokenizer_plain.raw_tokens(sentence)
            after = tokenizer_full.raw_tokens(sentence)
            if before == after:
                continue
            plain_set = set(before)
            joined = list(dict.fromkeys(t for t in after if t not in plain_set))
            if joined:
                impact.update(joined)
                candidates.append((sentence, before, after, joined))
    rows = []
    shown: set[str] = set()
    while n is None or len(rows) < n:
        # the sentence whose most frequent word not shown yet is the most frequent; ties: text order
        best, best_score = None, 0
        for i, (_, _, _, joined) in enumerate(candidates):
            score = max((impact[w] for w in joined if w not in shown), default=0)
            if score > best_score:
                best, best_score = i, score
        if best is None:
            break
        sentence, before, after, joined = candidates.pop(best)
        shown.update(joined)
        rows.append({"sentence": sentence, "before": TOKEN_SEPARATOR.join(before),
                     "after": TOKEN_SEPARATOR.join(after), "joined": reading.TERM_SEPARATOR.join(joined),
                     "sentences": best_score})
    return pd.DataFrame(rows, columns=columns).astype({"sentences": "int64"})


# --------------------------------------------------------------------------------------------
# Runs


def _run_roots() -> list[Path]:
    """Where to look for run folders: ``WORKBENCH_RUNS`` alone when set, else ./runs and the
    project's runs/ (a notebook's kernel starts in notebooks/, not in the project folder)."""
    if os.environ.get(RUNS_ENV):
        return [paths.runs_dir()]
    roots = [paths.runs_dir(), paths.project_root() / "runs", Path.cwd().parent / "runs"]
    out: list[Path] = []
    for r in roots:
        r = r.resolve()
        if r not in out:
            out.append(r)
    return out


def _resolve_run_path(path: Path) -> Path:
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    # "runs/<id>" given from the project folder while the kernel runs in notebooks/.
    for base in (paths.project_root(), Path.cwd().parent):
        if (base / path).exists():
            return base / path
    return path


def load_run_or_latest(path: str | Path | None = None) -> runfolder.Run:
    """Load a run folder for reading, without retraining.

    Which run: ``path`` when given; else the ``WORKBENCH_RUN`` environment variable (set by
    ``workbench notebook runs/<id>``); else the newest run folder (by name, which starts with
    its UTC time) under ``WORKBENCH_RUNS``, or, when that is unset, under ./runs and the
    project's runs/. A relative path is tried from the working folder, then from the project
    folder. Raises FileNotFoundError saying what was looked for.
    """
    chosen = path if path is not None else os.environ.get(RUN_ENV) or None
    if chosen is not None:
        return runfolder.load_run(_resolve_run_path(Path(chosen)))
    found = []
    for root in _run_roots():
        try:
            found.append(runfolder.latest_run(root))
        except FileNotFoundError:
            continue
    if not found:
        where = ", ".join(str(r) for r in _run_roots())
        raise FileNotFoundError(f"no run folders in {where}: run `workbench train` first, "
                                f"or set {RUN_ENV}=runs/<id>")
    return runfolder.load_run(max(found, key=lambda p: p.name))


def run_summary(run: runfolder.Run) -> pd.DataFrame:
    """The facts of a run worth a glance before reading it, one per row (``item``, ``value``)."""
    m = run.manifest
    corpus = m.get("corpus", {})
    config = m.get("config", {})
    metrics = m.get("metrics", {})
    c_npmi = metrics.get("c_npmi")
    items = [
        ("run", m.get("run_id", run.path.name)),
        ("folder", str(run.path)),
        ("created", m.get("created", "")),
        ("engine", m.get("engine", "")),
        ("topics", run.num_topics),
        ("seed", m.get("seed", "")),
        ("unit", config.get("corpus", {}).get("unit", "")),
        ("documents", corpus.get("n_documents", "")),
        ("units modelled", corpus.get("n_units", len(run.doc_topics))),
        ("units left out", len(corpus.get("dropped_units", []))),
        ("vocabulary", corpus.get("n_terms", len(run.terms))),
        ("tokens", corpus.get("n_tokens", "")),
        ("coherence (c_npmi)", "" if c_npmi is None else round(float(c_npmi), 4)),
        ("labelled topics", len([v for v in run.labels.values() if str(v).strip()])),
    ]
    return pd.DataFrame(items, columns=["item", "value"]).astype({"value": str})


def run_topic_table(run: runfolder.Run, *, n: int = 10, lam: float = 0.6) -> pd.DataFrame:
    """:func:`workbench.analysis.reading.topic_table` of a run, with its merged topics applied: a merge
    (``workbench merge``) is one row, at its lowest topic id, whose terms come from the members'
    share-weighted mixture and whose share is theirs summed; the other members have no row. FREX is
    computed among the rows shown, so a merge's terms are not judged against its own members."""
    view = run.merged()
    gone = runfolder.merges.absorbed(run.merges)
    keep = [k for k in range(run.num_topics) if k not in gone]
    cols = [f"topic_{k}" for k in keep]
    table = reading.topic_table(view.topic_term[keep], run.terms["corpus_freq"].to_numpy(), run.vocab, n=n, lam=lam,
                                labels={i: view.labels.get(k, "") for i, k in enumerate(keep)},
                                doc_topic=view.doc_topics[cols].to_numpy(dtype=np.float64),
                                doc_lengths=view.doc_topics["n_tokens"].to_numpy(dtype=np.float64))
    table["topic"] = np.array(keep, dtype=np.int64)
    return table


def representative_paragraphs(run: runfolder.Run, n: int = 3, *, topics: Iterable[int] | None = None,
                              max_chars: int | None = 200, one_per_document: bool = False) -> pd.DataFrame:
    """Each topic's ``n`` units with the highest share (stm's ``findThoughts``), stacked.

    Uses :func:`workbench.analysis.reading.representative_units` per topic (``one_per_document``:
    at most one unit of each article per topic), on the run's merged view (``workbench merge``: a
    merge is ranked by its summed share, under its lowest topic id). Output columns: ``topic``, ``name`` ("0 脱贫攻坚"
    with the run's labels), ``rank`` (1 = highest share), ``share``, ``title``, ``date`` and
    ``source_file`` (those the run has), ``doc_id``, ``unit_id``, ``text`` (cut to ``max_chars``
    characters with "…", :func:`~workbench.analysis.reading.excerpt`; None keeps it whole).
    """
    merges = run.merges
    run = run.merged()
    names = runfolder.topic_names(run.num_topics, run.labels)
    gone = runfolder.merges.absorbed(merges)
    parts = []
    for k in ([k for k in range(run.num_topics) if k not in gone] if topics is None else topics):
        top = reading.representative_units(run.doc_topics, int(k), n, one_per_document=one_per_document)
        top.insert(0, "rank", np.arange(1, len(top) + 1, dtype=np.int64))
        top.insert(0, "name", names[int(k)])
        top.insert(0, "topic", int(k))
        parts.append(top)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(out):
        out["text"] = [reading.excerpt(t, max_chars) for t in out["text"]]
        out = out[[c for c in ("topic", "name", "rank", "share", "title", "date", "source_file", "doc_id",
                               "unit_id", "text") if c in out.columns]]
    return out


def kwic_in_run(run: runfolder.Run, term: str, width: int = 20) -> pd.DataFrame:
    """Keyword in context over a run's unit texts, with where each hit sits in the model.

    :func:`workbench.analysis.reading.kwic` (by characters, on the raw text: a term jieba would split
    still matches) plus, per hit: ``unit_id``, ``title`` (when present), the unit's
    ``dominant_topic`` and its display ``topic`` name. Columns: ``unit_id``, ``title``,
    ``topic``, ``left``, ``term``, ``right``; one row per occurrence, in table order.
    """
    dt = run.doc_topics.reset_index(drop=True)
    hits = reading.kwic(dt["text"], term, width=width)
    names = runfolder.topic_names(run.num_topics, run.labels)
    rows = dt.loc[hits["id"].to_numpy(dtype=np.int64)] if len(hits) else dt.iloc[:0]
    dominant = rows["dominant_topic"].astype(int).to_numpy() if len(rows) else np.array([], dtype=int)
    out = pd.DataFrame({"unit_id": rows["unit_id"].to_numpy()})
    if "title" in dt.columns:
        out["title"] = rows["title"].to_numpy()
    out["topic"] = [names[k] for k in dominant]
    for c in ("left", "term", "right"):
        out[c] = hits[c].to_numpy()
    return out


def _ldavis_page(run: runfolder.Run) -> str:
    """The run's ldavis.html; rebuilt (in memory) when labels were set after training, so the
    page's legend shows the same labels as the tables."""
    page = run.path / "ldavis.html"
    trained = {int(k): v for k, v in run.manifest.get("topic_labels", {}).items() if v}
    current = {int(k): v for k, v in run.labels.items() if str(v).strip()}
    if page.is_file() and current == trained:
        return page.read_text(encoding="utf-8")
    from workbench.runfolder.ldavis import write_ldavis_html

    with tempfile.TemporaryDirectory(prefix="wb-ldavis-") as tmp:
        out = write_ldavis_html(Path(tmp) / "ldavis.html", run.topic_term, run.doc_topic,
                                run.doc_topics["n_tokens"].to_numpy(dtype=np.float64), run.vocab,
                                run.terms["corpus_freq"].to_numpy(), topic_labels=current)
        return out.read_text(encoding="utf-8")


def show_ldavis(run: runfolder.Run, height: int = 900):
    """The run's pyLDAvis page, for display inline in a notebook (``IPython.display.HTML``).

    The page goes into an ``<iframe srcdoc="...">`` (HTML-escaped): its inlined d3 and
    ldavis.js run inside the frame, offline, and cannot clash with JupyterLab's page or with a
    second map in the same notebook. ``sandbox="allow-scripts"`` lets the chart run while the
    frame gets no access to the notebook page (a run folder from someone else is code).
    Topic numbers are the tables' (0-based). ``height`` in pixels; the chart is about 1,200
    pixels wide and scrolls sideways in a narrower frame.
    """
    from IPython.display import HTML

    page = _ldavis_page(run)
    title = html.escape(f"pyLDAvis: {run.path.name}", quote=True)
    # Wrapped in a div: IPython warns about HTML that starts with "<iframe".
    return HTML(f'<div class="workbench-ldavis"><iframe title="{title}" sandbox="allow-scripts" '
                f'style="width:100%;height:{int(height)}px;border:1px solid #ddd" '
                f'srcdoc="{html.escape(page, quote=True)}"></iframe></div>')


def suggest_labels(run: runfolder.Run, rules: Mapping[str, Sequence[str]], *, n_terms: int = 20,
                   lam: float = 0.6) -> dict[int, str]:
    """Label topics by cue words: ``{"脱贫攻坚": ["脱贫", "扶贫", ...]}`` -> ``{3: "脱贫攻坚"}``.

    For each label, every topic scores the cue words among its top ``n_terms`` terms by
    relevance at ``lam`` (as pyLDAvis lists them), a hit at rank r counting ``1 / r`` (a cue
    word on top counts most); the best-scoring topic gets the label. When no topic has a cue
    word among its top terms, the fallback is the topic that gives the cue words the most
    probability, p(cue words | topic); a label none of whose cue words is in the vocabulary is
    left out. Labels are given in the order of ``rules``, each topic at most once (a later label
    takes the best topic still free). Output: {topic id: label}, ready for
    :func:`workbench.runfolder.write_labels` (merge it with ``run.labels`` to keep others).
    """
    vocab = run.vocab
    index = {t: i for i, t in enumerate(vocab)}
    top = reading.top_terms(reading.relevance(run.topic_term, run.terms["corpus_freq"].to_numpy(), lam),
                            vocab, n_terms)
    taken: set[int] = set()
    out: dict[int, str] = {}
    for label, cues in rules.items():
        cues = [c for c in cues if c in index]
        if not cues:
            continue
        scores = np.array([sum(1.0 / (terms.index(c) + 1) for c in cues if c in terms) for terms in top])
        if not np.any(scores > 0):
            scores = run.topic_term[:, [index[c] for c in cues]].sum(axis=1)
        for k in np.argsort(-scores, kind="stable"):
            if int(k) not in taken:
                out[int(k)] = str(label)
                taken.add(int(k))
                break
    return dict(sorted(out.items()))


def export_run(run: runfolder.Run, folder: str | Path | None = None, formats: Sequence[str] = FORMATS,
               *, levels: Sequence[str] = ("unit", "article")) -> pd.DataFrame:
    """Write the run's labelled topic-per-document tables in every format; list the files.

    ``unit`` level: ``doc_topics.<ext>``, one row per unit (paragraph) with its metadata, text,
    ``dominant_topic``, ``dominant_label`` ("0 脱贫攻坚") and every topic share. ``article``
    level: ``articles.<ext>``, units aggregated per ``doc_id`` by
    :func:`workbench.outputs.export.aggregate_to_articles` (token-weighted). Formats as
    :func:`workbench.outputs.export.export_table`: csv (UTF-8 with BOM, formula-safe), xlsx, parquet,
    dta (Stata 118, topic variables labelled "topic_0 脱贫攻坚"). ``folder`` defaults to
    ``<run>/exports``; each file is written by :func:`workbench.outputs.export.export_run`, as
    ``workbench export`` writes it. Output: one row per file: ``level``, ``format``, ``path``,
    ``rows``, ``bytes``.
    """
    rows = []
    for level in levels:
        n_rows = run.doc_topics["doc_id"].nunique() if level == "article" else len(run.doc_topics)
        for fmt in formats:
            path = export.export_run(run, fmt, level=level, folder=folder)
            rows.append({"level": level, "format": fmt, "path": str(path), "rows": n_rows,
                         "bytes": path.stat().st_size})
    return pd.DataFrame(rows, columns=["level", "format", "path", "rows", "bytes"])
