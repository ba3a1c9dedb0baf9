"""Topics over time and metadata for a run: the tables and lookups behind ``04_expanded_corpus.ipynb``.

:mod:`workbench.analysis.effects` holds the statistics (``prevalence_by``: share per group with a bootstrap
interval; ``estimate_effect``: regression of a topic's share on metadata).  This module puts them on
a run folder:

- :func:`load_doc_topics` -- a run's ``doc_topics`` with a ``year`` column (from ``date``), filtered
  to some metadata values (e.g. only the government work reports, not the NPC resolutions).
- :func:`add_period` -- years binned into periods (``1954-2012`` / ``2013-2025``), an ordered
  categorical that ``estimate_effect`` contrasts against its first period.
- :func:`prevalence_table`, :func:`to_wide` -- ``prevalence_by`` with topic labels, long and wide.
- :func:`plot_prevalence` -- ``charts.plot_prevalence`` with a title that says what was resampled.
- :func:`write_prevalence` -- table (CSV) and chart (PNG) into ``<run>/prevalence/`` in one call,
  for a command line.
- :func:`find_topic`, :func:`cue_table` -- which topic is about a theme (反腐败, 廉政 ...), by cue
  words (``explore.suggest_labels``), and the evidence for it; :func:`cue_rate` -- the cue words'
  own frequency per year, a check on the topic's trend that no model stands between.
- :func:`baseline_run` -- the seed-only run to compare a retrained run with;
  :func:`workbench.analysis.compare.compare_and_carry` (also importable from here) -- the
  comparison with labels carried over, as ``workbench compare`` does it.

Topic ids start at 0, as everywhere in the workbench.  Everything here reads run folders (tables
and ``topic_term.npy``); no model is unpickled."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import files, paths, runfolder
from workbench.analysis import effects, explore, reading
from workbench.analysis.compare import compare_and_carry
from workbench.corpus.dates import CALENDAR_BINS, calendar_bins
from workbench.outputs import charts

_log = logging.getLogger(__name__)
# Groups beyond this many dates: the log suggests binning them by month or quarter.
MANY_DATES = 40

__all__ = [
    "Prevalence",
    "add_calendar",
    "add_period",
    "baseline_run",
    "compare_and_carry",
    "cue_rate",
    "cue_table",
    "find_topic",
    "load_doc_topics",
    "plot_prevalence",
    "prevalence_table",
    "runs_dir",
    "to_wide",
    "write_prevalence",
]


def runs_dir() -> Path:
    """Where the notebook writes run folders: ``WORKBENCH_RUNS`` when set, else the project's
    ``runs/`` (not ``./runs``: a notebook's kernel starts in ``notebooks/``)."""
    env = os.environ.get(explore.RUNS_ENV)
    return Path(env) if env else paths.project_root() / "runs"


def _as_run(run) -> runfolder.Run:
    return run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))


# --------------------------------------------------------------------------------------------
# Tables


def load_doc_topics(run, *, where: Mapping[str, object] | None = None, date_col: str = "date") -> pd.DataFrame:
    """A run's ``doc_topics`` table, with ``year`` parsed from ``date_col`` when the run has one.

    ``run``: a :class:`workbench.runfolder.Run` or a run folder.  ``where``: keep only rows whose
    column equals a value, or is one of several (``{"doc_type": "government_work_report"}``,
    ``{"region": ["北京市", "上海市"]}``); values are compared as text, as the table is read.
    Raises KeyError for a column the run lacks and ValueError, listing the values there are,
    when a filter keeps no row.  Output: a new DataFrame (the run's is not changed).
    """
    run = _as_run(run)
    df = run.doc_topics
    df = effects.add_year(df, date_col) if date_col in df.columns else df.copy()
    for col, wanted in (where or {}).items():
        if col not in df.columns:
            raise KeyError(f"{run.path}: doc_topics has no column {col!r} to filter on; "
                           f"columns: {list(df.columns)}")
        values = [wanted] if isinstance(wanted, (str, int, float)) else list(wanted)
        keep = df[col].astype(str).isin([str(v) for v in values])
        if not keep.any():
            there = sorted(df[col].astype(str).unique())[:20]
            raise ValueError(f"{run.path}: no unit has {col} in {values}; values there: {there}")
        df = df[keep.to_numpy()]
    return df.reset_index(drop=True)


def add_calendar(df: pd.DataFrame, by: str, date_col: str = "date") -> pd.DataFrame:
    """``df`` with column ``by`` binned from ``date_col`` when ``by`` is ``quarter`` or ``month``
    (``"2024Q1"``, ``"2024-03"``: :func:`workbench.corpus.dates.calendar_bins`; they sort in time
    order), replacing a column of that name as ``year`` is; ``df`` itself otherwise (``year`` is
    :func:`load_doc_topics`'s)."""
    if by not in CALENDAR_BINS[1:] or date_col not in df.columns:
        return df
    out = df.copy()
    out[by] = calendar_bins(df[date_col], by)
    return out


def add_period(df: pd.DataFrame, starts: Sequence[int], *, by: str = "year",
               column: str = "period") -> pd.DataFrame:
    """Bin a year column into periods that begin at ``starts``: a copy with an ordered categorical.

    ``starts=(2013,)`` on years 1954-2025 gives ``1954-2012`` and ``2013-2025``; the first
    period runs from the earliest year in ``df``, the last to the latest.  Periods without a
    row are left out of the categories (so ``estimate_effect`` compares against the first
    period that has data).  Rows with a missing year get a missing period.
    """
    if by not in df.columns:
        hint = " (load_doc_topics adds it from the date)" if by == "year" else ""
        raise KeyError(f"no column {by!r} to make periods from{hint}")
    years = pd.to_numeric(df[by], errors="coerce")
    starts = sorted({int(s) for s in starts})
    out = df.copy()
    if years.notna().sum() == 0:
        out[column] = pd.Categorical([None] * len(df), categories=[], ordered=True)
        return out
    lo, hi = int(years.min()), int(years.max())
    edges = [s for s in starts if lo < s <= hi]
    bounds = list(zip([lo, *edges], [e - 1 for e in edges] + [hi]))
    names = [f"{a}-{b}" if a != b else f"{a}" for a, b in bounds]
    codes = np.searchsorted(np.array(edges), years.to_numpy(dtype=float), side="right")
    labels = [names[c] if not np.isnan(y) else None for c, y in zip(codes, years.to_numpy(dtype=float))]
    present = [n for n in names if n in set(labels)]
    out[column] = pd.Categorical(labels, categories=present, ordered=True)
    return out


def prevalence_table(run, by: str = "year", topics: Sequence[int] | int | None = None, *,
                     where: Mapping[str, object] | None = None, periods: Sequence[int] | None = None,
                     n_boot: int = 1000, seed: int = 0, ci: float = 0.95, weight: str | None = "n_tokens",
                     cluster: str | None = "doc_id") -> pd.DataFrame:
    """Share of each topic per value of ``by`` (a year, region, any metadata column), with a
    bootstrap interval: :func:`workbench.analysis.effects.prevalence_by` on :func:`load_doc_topics`.

    ``by`` ``year``, ``quarter`` or ``month`` bins the units' ``date`` (:func:`add_calendar`): a
    daily corpus has hundreds of dates, and a share per day rests on a story or two.
    ``periods``: bin ``by`` (years) into periods starting at these years (:func:`add_period`);
    the groups are then in column ``period``.  ``cluster``: ``"doc_id"`` resamples whole
    articles within each group (right when a group holds several articles);
    ``None`` resamples units, which is the only spread there is when a group holds one
    document (one government work report per year: the interval then says how evenly the
    topic runs through that report's sections).  Other arguments as ``prevalence_by``.

    Merged topics (``workbench merge``) are one topic under their lowest id, with their summed
    share (:func:`workbench.runfolder.merges.shown_topics`).

    Output: ``prevalence_by``'s columns with ``label`` (the run's label, "" if none) after
    ``topic``; ``attrs`` as ``prevalence_by`` sets them plus ``by`` and ``run``.
    Cost: as ``prevalence_by`` (milliseconds for thousands of units).
    """
    from workbench import checks

    checks.COUNT.check("n_boot", n_boot)
    checks.OPEN_UNIT_INTERVAL.check("ci", ci)
    checks.SEED.check("seed", seed)
    run = _as_run(run)
    topics = runfolder.merges.shown_topics(run.num_topics, run.merges, topics)
    run = run.merged()
    df = add_calendar(load_doc_topics(run, where=where), by)
    group = by
    if periods is not None:
        if by in CALENDAR_BINS[1:]:
            raise ValueError(f"periods bin years: group by year with periods, not by {by}")
        df = add_period(df, periods, by=by)
        group = "period"
    elif by == "date" and by in df.columns and df[by].nunique() > MANY_DATES:
        _log.info("prevalence by date: %d dates, a share for each; by month or quarter (--by month) bins them",
                  df[by].nunique())
    table = effects.prevalence_by(df, group, topics=topics, weight=weight, n_boot=n_boot, seed=seed, ci=ci,
                                  cluster=cluster)
    table.insert(table.columns.get_loc("topic") + 1, "label",
                 [str(run.labels.get(int(k), "")) for k in table["topic"]])
    table.attrs.update(by=group, run=str(run.path))
    return table


def to_wide(table: pd.DataFrame) -> pd.DataFrame:
    """A prevalence table with one row per group and, per topic, ``<name>``, ``<name> lo`` and
    ``<name> hi`` columns (``name`` as ``"3 反腐倡廉"``): the layout to read or paste into Excel."""
    by = table.attrs.get("by") or next(c for c in table.columns if c not in
                                       {"topic", "label", "share", "lo", "hi", "n_units", "n_docs"})
    names = {int(k): (f"{int(k)} {lab}" if str(lab).strip() else str(int(k)))
             for k, lab in zip(table["topic"], table.get("label", pd.Series([""] * len(table))))}
    parts = []
    for k, name in names.items():
        d = table[table["topic"].astype(int) == k].set_index(by)[["share", "lo", "hi"]]
        parts.append(d.rename(columns={"share": name, "lo": f"{name} lo", "hi": f"{name} hi"}))
    return pd.concat(parts, axis=1).reset_index()


def plot_prevalence(table: pd.DataFrame, topics: Sequence[int] | int | None = None, *, labels=None,
                    path: str | Path | None = None):
    """:func:`workbench.outputs.charts.plot_prevalence` of a :func:`prevalence_table` (its title says
    what the bootstrap resampled); ``topics`` None draws every topic of the table (small
    multiples beyond ``charts.MAX_LINES``).  Output: the Figure; PNG at ``path`` when given."""
    return charts.plot_prevalence(table, topics, labels=labels, by=table.attrs.get("by"), path=path)


@dataclass(frozen=True)
class Prevalence:
    """What :func:`write_prevalence` made: the long ``table``, the ``figure`` and their files."""

    table: pd.DataFrame
    figure: object
    csv: Path
    png: Path


def write_prevalence(run, topics: Sequence[int] | int | None = None, by: str = "year", *,
                     out_dir: str | Path | None = None,
                     stem: str | None = None, **kwargs) -> Prevalence:
    """:func:`prevalence_table` and :func:`plot_prevalence` in one call, written to files.

    Writes ``<out_dir>/<stem>.csv`` (UTF-8 with BOM, for Excel) and ``<stem>.png`` (150 dpi);
    ``out_dir`` defaults to ``<run>/prevalence``, ``stem`` to ``prevalence_by_<group>``.
    ``topics`` None: every topic.  ``kwargs`` go to :func:`prevalence_table` (``where``, ``periods``,
    ``n_boot``, ``cluster`` ...).  This is the whole of a ``workbench prevalence RUN --by year --topics 3,7`` command.
    """
    run = _as_run(run)
    table = prevalence_table(run, by, topics, **kwargs)
    topics = None if topics is None else runfolder.merges.shown_topics(run.num_topics, run.merges, topics)
    folder = Path(out_dir) if out_dir is not None else run.path / "prevalence"
    folder.mkdir(parents=True, exist_ok=True)
    stem = files.slug(stem or f"prevalence_by_{table.attrs['by']}")  # a column may be 省/市
    csv = folder / f"{stem}.csv"
    out = table.copy()
    out[table.attrs["by"]] = out[table.attrs["by"]].astype(str)
    files.write_csv(out, csv)
    png = folder / f"{stem}.png"
    fig = plot_prevalence(table, topics, labels=run.merged().labels, path=png)
    return Prevalence(table, fig, csv, png)


# --------------------------------------------------------------------------------------------
# Finding a topic by its words


def find_topic(run, cue_words: Sequence[str], *, n_terms: int = 20, lam: float = 0.6) -> int:
    """The topic that is about ``cue_words`` (e.g. 反腐败, 廉政, 纪检, 监察 for anti-corruption).

    The rule of :func:`workbench.analysis.explore.suggest_labels` for one label: cue words among each
    topic's top ``n_terms`` terms by relevance at ``lam`` count ``1 / rank``; without any such hit,
    the topic giving the cue words the most probability.  Raises KeyError when no cue word is in
    the run's vocabulary.  :func:`cue_table` shows the evidence.
    """
    run = _as_run(run)
    found = explore.suggest_labels(run, {"cue words": list(cue_words)}, n_terms=n_terms, lam=lam)
    if not found:
        raise KeyError(f"{run.path}: none of the cue words {list(cue_words)} is in the run's vocabulary")
    return next(iter(found))


def cue_table(run, cue_words: Sequence[str], *, n_terms: int = 20, lam: float = 0.6,
              n: int | None = 5) -> pd.DataFrame:
    """Where the cue words sit in each topic: the evidence behind :func:`find_topic`.

    One row per topic, the chosen one first, then by ``cue_mass``: ``topic``, ``label``,
    ``chosen`` (the :func:`find_topic` answer), ``cue_hits`` (cue words among the top
    ``n_terms`` terms by relevance, with their rank: ``反腐败(4)``), ``cue_mass``
    (p(cue words | topic), summed), ``top_terms`` (top 10 by relevance).  ``n`` rows at most
    (None: all); ``missing`` in ``attrs`` lists cue words not in the vocabulary.
    """
    run = _as_run(run)
    vocab = run.vocab
    index = {t: i for i, t in enumerate(vocab)}
    cues = [c for c in dict.fromkeys(cue_words) if c in index]
    chosen = find_topic(run, cue_words, n_terms=n_terms, lam=lam)
    top = reading.top_terms(reading.relevance(run.topic_term, run.terms["corpus_freq"].to_numpy(), lam),
                            vocab, max(n_terms, 10))
    mass = run.topic_term[:, [index[c] for c in cues]].sum(axis=1)
    rows = []
    for k in range(run.num_topics):
        ranked = top[k][:n_terms]
        hits = [f"{t}({ranked.index(t) + 1})" for t in ranked if t in cues]
        rows.append({"topic": k, "label": str(run.labels.get(k, "")), "chosen": k == chosen,
                     "cue_hits": reading.TERM_SEPARATOR.join(hits), "cue_mass": float(mass[k]),
                     "top_terms": reading.TERM_SEPARATOR.join(top[k][:10])})
    out = pd.DataFrame(rows).sort_values(["chosen", "cue_mass"], ascending=[False, False], kind="stable")
    out = out.reset_index(drop=True)
    if n is not None:
        out = out.head(n)
    out.attrs["missing"] = [c for c in dict.fromkeys(cue_words) if c not in index]
    return out


def cue_rate(run, cue_words: Sequence[str], by: str = "year", *, where: Mapping[str, object] | None = None,
             periods: Sequence[int] | None = None, per: int = 10_000) -> pd.DataFrame:
    """How often the cue words themselves occur per group, without the model: a check on a topic's trend.

    Counts the words in the units' ``text`` (the raw characters, so a word jieba would split
    still counts); overlapping cues count once, the longest first (反腐败 is not also 腐败).
    ``where`` and ``periods`` as in :func:`prevalence_table` (with ``periods`` the groups are in
    ``period``).  Output: one row per value of ``by`` (sorted; rows with a missing value left out):
    ``by``, ``n_docs``, ``characters``, ``hits``, ``per_10k`` (hits per ``per`` characters; the
    column is named after ``per``), then one count column per cue word.
    Cost: one regular-expression pass over the run's texts.
    """
    import re

    df = add_calendar(load_doc_topics(run, where=where), by)
    if by not in df.columns:
        raise KeyError(f"no column {by!r} in doc_topics")
    if periods is not None:
        df = add_period(df, periods, by=by)
        by = "period"
    cues = list(dict.fromkeys(c for c in cue_words if c))
    if not cues:
        raise ValueError("no cue words given")
    pattern = re.compile("|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)))
    df = df[df[by].notna()]
    found = df["text"].astype(str).map(pattern.findall)
    counts = pd.DataFrame({c: found.map(lambda hits, c=c: hits.count(c)) for c in cues}, index=df.index)
    characters = df["text"].astype(str).str.len().rename("characters")
    grouped = pd.concat([df[[by, "doc_id"]], characters, counts], axis=1)
    out = grouped.groupby(by, sort=True, observed=True).agg(
        n_docs=("doc_id", "nunique"), characters=("characters", "sum"), **{c: (c, "sum") for c in cues})
    out.insert(2, "hits", out[cues].sum(axis=1))
    rate = f"per_{per // 1000}k" if per % 1000 == 0 else f"per_{per}"
    out.insert(3, rate, out["hits"] / out["characters"] * per)
    return out.reset_index()


# --------------------------------------------------------------------------------------------
# The seed-only run and the comparison with it


def _is_seed_run(manifest: dict) -> bool:
    config = manifest.get("config", {})
    sources = config.get("sources") or []
    if config.get("corpus_name") or config.get("themes") or len(sources) != 1:
        return False
    seeds = paths.seeds_dir().resolve()
    given = Path(sources[0])
    candidates = [given] if given.is_absolute() else [paths.project_root() / given, Path.cwd() / given]
    return any(c.resolve() == seeds for c in candidates)


def baseline_run(path: str | Path | None = None, *, train: bool = True, out_dir: str | Path | None = None,
                 store_path: str | Path | None = None) -> runfolder.Run:
    """The run to compare a retrained model with: a run trained on the bundled seeds alone.

    Which: ``path`` when given; else ``WORKBENCH_RUN``; else the newest run folder (under
    ``out_dir`` and ``WORKBENCH_RUNS``, or the project's runs/ and ./runs) whose manifest says it
    was trained on ``seeds/`` only (no named corpus, no themes) -- not simply the newest run,
    which after a retrain is the expanded one; else, with ``train=True``, a new run on the seeds with the
    default settings (a few seconds) written to ``out_dir`` (default :func:`runs_dir`).
    Raises FileNotFoundError when there is none and ``train`` is False.
    """
    chosen = path if path is not None else os.environ.get(explore.RUN_ENV) or None
    if chosen is not None:
        return explore.load_run_or_latest(chosen)
    found = []
    roots = [Path(out_dir)] if out_dir is not None else []
    # WORKBENCH_RUNS alone when set (runs_dir() and paths.runs_dir() are then the same), else the
    # project's runs/ and ./runs, as explore.load_run_or_latest looks.
    roots += [runs_dir(), paths.runs_dir()]
    for root in dict.fromkeys(r.resolve() for r in roots):
        if not root.is_dir():
            continue
        for p in root.iterdir():
            m = p / "manifest.json"
            if p.is_dir() and not p.name.startswith((".", "sweep-")) and m.is_file():
                try:
                    if _is_seed_run(json.loads(m.read_text(encoding="utf-8"))):
                        found.append(p)
                except (OSError, ValueError):
                    continue
    if found:
        return runfolder.load_run(max(found, key=lambda p: p.name))
    if not train:
        raise FileNotFoundError("no run trained on seeds/ alone: run `workbench train` first")
    from workbench import engines

    return runfolder.load_run(engines.train(out_dir=Path(out_dir) if out_dir else runs_dir(),
                                        store_path=store_path, progress=False))
