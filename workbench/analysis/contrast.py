"""Which words set two groups of documents apart: Fighting Words (Monroe, Colaresi & Quinn 2008,
"Fightin' Words", *Political Analysis* 16(4)), the log-odds ratio with an informative Dirichlet prior.

For each term w, with counts ``y_aw``, ``y_bw`` in groups a and b (``n_a``, ``n_b`` tokens) and the prior
``α_w = prior · c_w`` from its count ``c_w`` in the background (every unit of the run: the paper's prior
is the word distribution of the whole collection), ``α_0 = Σ α_w``:

    δ_w = log[(y_aw + α_w) / (n_a + α_0 − y_aw − α_w)] − log[(y_bw + α_w) / (n_b + α_0 − y_bw − α_w)]
    σ²(δ_w) ≈ 1 / (y_aw + α_w) + 1 / (y_bw + α_w),      z_w = δ_w / σ(δ_w)         (their eqs. 16, 18-22)

A positive z marks a term of group a, a negative one a term of group b; |z| > 1.96 is the paper's
cut-off. The prior shrinks the log-odds of rare terms, so they no longer top the list as they do with
raw log-ratios. It is a closed form (no sampling): the cost is one tokenization of the run's units.

Counts come from the units' ``text`` in ``doc_topics.csv``, tokenized as the run was
(:func:`workbench.runfolder.tokenizer_config`: its dictionaries, harvested terms, stopwords and
part-of-speech filter), with every kept token counted, not only the model's vocabulary: a term in more
than ``no_above`` of the units is dropped from the model, yet it can be what divides two eras.

``topica.fighting_words`` computes the same z (``tests/test_contrast.py`` checks both against a hand
computation) but returns the z-scores alone; the table here also needs the counts and δ."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from workbench import checks, files, runfolder
from workbench.corpus.dates import parse_years
from workbench.errors import UsageError
from workbench.outputs import charts

__all__ = ["Contrast", "ContrastConfig", "contrast", "fighting_words", "group_masks", "summary", "write_contrast"]

COLUMNS = ("term", "count_a", "count_b", "count", "log_odds", "se", "z", "favours")


@dataclass(frozen=True)
class ContrastConfig:
    """``prior``: the informative prior's scale, α_w = prior · (the term's count in the background);
    ``min_count``: terms with fewer occurrences in the two groups together are left out of the table
    (they are still in the counts, so n and α_0 stay right); ``z_cut``: |z| above which a term favours
    a group (``favours`` column, coloured in the chart); ``n_labels``: terms labelled per side in the chart."""

    prior: float = 0.01
    min_count: int = 3
    z_cut: float = 1.96
    n_labels: int = 15

    BOUNDS: ClassVar[dict] = {"prior": checks.POSITIVE, "min_count": checks.COUNT, "z_cut": checks.POSITIVE,
                              "n_labels": checks.COUNT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


@dataclass(frozen=True)
class Contrast:
    """``table``: one row per term (:data:`COLUMNS`), most distinctive of group a first, of group b
    last; ``groups``: the two group names; ``n_units`` and ``n_tokens``: per group."""

    by: str
    groups: tuple[str, str]
    table: pd.DataFrame = field(repr=False)
    n_units: tuple[int, int] = (0, 0)
    n_tokens: tuple[int, int] = (0, 0)
    prior: float = 0.01


def fighting_words(count_a: np.ndarray, count_b: np.ndarray, background: np.ndarray, prior: float = 0.01
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """δ, its standard error and z for count vectors over one vocabulary (the module docstring's
    formula). ``background``: each term's count in the collection the prior comes from; a term must
    occur there to occur in a group (α_w > 0)."""
    y_a, y_b = np.asarray(count_a, dtype=np.float64), np.asarray(count_b, dtype=np.float64)
    alpha = prior * np.asarray(background, dtype=np.float64)
    if np.any((alpha <= 0) & (y_a + y_b > 0)):
        raise ValueError("every term counted in a group needs a positive count in the background")
    a0, n_a, n_b = alpha.sum(), y_a.sum(), y_b.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_a + alpha) / (n_a + a0 - y_a - alpha)) - np.log((y_b + alpha) / (n_b + a0 - y_b - alpha))
        se = np.sqrt(1.0 / (y_a + alpha) + 1.0 / (y_b + alpha))
    return delta, se, delta / se


_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|~|—|至|到)\s*(-?\d+(?:\.\d+)?)\s*$")


def _values(rows: pd.DataFrame, by: str, where: str) -> pd.Series:
    if by in rows.columns:
        return rows[by]
    if by == "year" and "date" in rows.columns:
        return parse_years(rows["date"])
    there = [c for c in rows.columns if not c.startswith("topic_") and c not in
             ("doc_id", "unit_id", "text", "n_tokens", "dominant_topic", "record", "other_records")]
    hint = " (year is parsed from date, which is missing too)" if by == "year" else ""
    raise UsageError(f"--by {by!r}: no such column in {where}{hint}; columns there: {', '.join(there)}")


def _group_mask(values: pd.Series, group: str) -> np.ndarray:
    """Units of one group: the value as written, else a range ``1954-1977`` (ends included) of a
    column of numbers (``year``)."""
    text = values.astype("string").str.strip()
    exact = (text == group.strip()).fillna(False).to_numpy(bool)
    m = _RANGE.match(group)
    if exact.any() or not m:
        return exact
    lo, hi = sorted((float(m.group(1)), float(m.group(2))))
    numbers = pd.to_numeric(values, errors="coerce")
    return ((numbers >= lo) & (numbers <= hi)).fillna(False).to_numpy(bool)


def group_masks(rows: pd.DataFrame, by: str, groups: Sequence[str], *, where: str = "the run") -> list[np.ndarray]:
    """One boolean mask over ``rows`` per group: a value of column ``by`` (``北京``), or a range of a
    numeric one (``1954-1977``; ``year`` comes from ``date``). Raises :class:`UsageError` for an
    unknown column, a group with no unit (naming the values there are), groups that are not two, or
    two groups that share units."""
    groups = [g.strip() for g in groups]
    if len(groups) != 2 or not all(groups) or groups[0] == groups[1]:
        raise UsageError(f"--groups {','.join(groups)}: give two different groups, e.g. 北京,上海 or 1954-1977,1978-2025")
    values = _values(rows, by, where)
    masks = [_group_mask(values, g) for g in groups]
    for g, m in zip(groups, masks):
        if not m.any():
            seen = values.dropna().astype(str).value_counts()
            listed = ", ".join(seen.index[:20]) + (" ..." if len(seen) > 20 else "")
            raise UsageError(f"--groups: no unit of {where} has {by} = {g!r}; values there: {listed or 'none'}")
    both = masks[0] & masks[1]
    if both.any():
        raise UsageError(f"--groups {','.join(groups)}: {int(both.sum())} units are in both groups; make them disjoint")
    return masks


def _counts(token_lists: Iterable[list[str]]) -> list[Counter]:
    return [Counter(tokens) for tokens in token_lists]


def contrast(run, by: str, groups: Sequence[str], config: ContrastConfig = ContrastConfig(), *,
             tokens: Sequence[Sequence[str]] | None = None) -> Contrast:
    """Fighting Words between two groups of ``run``'s units (:func:`group_masks`).

    ``tokens``: the kept tokens of every unit in ``doc_topics`` order, when the caller has them
    (default: the units' text tokenized as the run was, :func:`workbench.runfolder.tokenizer_config`).
    Output: :class:`Contrast`. Cost: one tokenization of the run's text (a few seconds for the 3 MB
    of government work reports) and a pass over the counts."""
    run = run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))
    rows = run.doc_topics
    masks = group_masks(rows, by, groups, where=f"run {run.path.name}")
    if tokens is None:
        from workbench.text.tokenize import get_tokenizer

        tokenizer = get_tokenizer(runfolder.tokenizer_config(run.manifest))
        texts = runfolder.texts_as_tokenized(run.manifest, rows["doc_id"], rows["text"])
        tokens = [tokenizer.cut(t) for t in texts]
    per_unit = _counts(tokens)
    background, a, b = Counter(), Counter(), Counter()
    for c, in_a, in_b in zip(per_unit, *masks):
        background.update(c)
        if in_a:
            a.update(c)
        elif in_b:
            b.update(c)
    terms = sorted(background)
    y_a = np.array([a[t] for t in terms], dtype=np.float64)
    y_b = np.array([b[t] for t in terms], dtype=np.float64)
    delta, se, z = fighting_words(y_a, y_b, np.array([background[t] for t in terms]), config.prior)
    table = pd.DataFrame({"term": terms, "count_a": y_a.astype(np.int64), "count_b": y_b.astype(np.int64)})
    table["count"] = table["count_a"] + table["count_b"]
    table["log_odds"], table["se"], table["z"] = delta, se, z
    g = [s.strip() for s in groups]
    table["favours"] = np.where(z > config.z_cut, g[0], np.where(z < -config.z_cut, g[1], ""))
    table = table[table["count"] >= config.min_count].sort_values(["z", "term"], ascending=[False, True])
    return Contrast(by, (g[0], g[1]), table.reset_index(drop=True)[list(COLUMNS)],
                    (int(masks[0].sum()), int(masks[1].sum())), (int(y_a.sum()), int(y_b.sum())), config.prior)


def write_contrast(run, by: str, groups: Sequence[str], config: ContrastConfig = ContrastConfig(), *,
                   out_dir: Path | None = None) -> tuple[Contrast, Path, Path]:
    """:func:`contrast` written to ``<out_dir>/contrast_<by>_<a>_vs_<b>.csv`` (the table) and ``.png``
    (z against the term's frequency, as in the paper's figures); ``out_dir`` defaults to
    ``<run>/contrasts``. This is the whole of ``workbench contrast RUN --by COLUMN --groups A,B``."""
    run = run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))
    result = contrast(run, by, groups, config)
    folder = Path(out_dir) if out_dir is not None else run.path / "contrasts"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"contrast_{files.slug(by)}_{files.slug(result.groups[0])}_vs_{files.slug(result.groups[1])}"
    csv, png = folder / f"{stem}.csv", folder / f"{stem}.png"
    with files.atomic_file(csv) as tmp:
        files.write_csv(result.table, tmp)
    note = (f"{by}: {result.groups[0]} ({result.n_units[0]} units, {result.n_tokens[0]:,} tokens) vs "
            f"{result.groups[1]} ({result.n_units[1]} units, {result.n_tokens[1]:,} tokens); "
            f"informative Dirichlet prior {result.prior:g} x background counts")
    with files.atomic_file(png) as tmp:
        charts.plot_fighting_words(result.table, result.groups, z_cut=config.z_cut, n_labels=config.n_labels,
                                   note=note, path=tmp)
    return result, csv, png


def summary(result: Contrast, n: int = 10) -> str:
    """A few lines for a terminal: the groups' sizes and the ``n`` most distinctive terms of each."""
    t = result.table
    (a, b), (ua, ub), (na, nb) = result.groups, result.n_units, result.n_tokens
    lines = [f"Fighting Words, {result.by}: {a} ({ua} units, {na:,} tokens) vs {b} ({ub} units, {nb:,} tokens)"]
    for name, side in ((a, t.head(n)), (b, t.tail(n).iloc[::-1])):
        side = side[side["favours"] == name]
        cells = "  ".join(f"{r.term} {r.z:+.1f}" for r in side.itertuples())
        lines.append(f"  {name}: {cells or '(no term with |z| above the cut-off)'}")
    return "\n".join(lines)
