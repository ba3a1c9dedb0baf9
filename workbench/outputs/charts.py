"""Charts for topic models of Chinese text: every label in Chinese, offline, no system font assumed.

The CJK font is Noto Sans CJK SC (SIL Open Font License) from the installed ``mplfonts``
package: :func:`cjk_font` finds the file on disk and registers it with matplotlib.  ``mplfonts``
also ships SimHei, a proprietary font; it is never used.  Nothing here downloads.

Each plot is a free function that takes plain tables (``doc_topics``, ``topics.csv`` rows,
the output of :mod:`workbench.analysis.effects`, a sweep table), returns a ``matplotlib.figure.Figure``
built without pyplot (no global figure registry, safe on the Agg backend, no ``plt.show``), and
writes a PNG at 150 dpi when ``path`` is given.  Fonts are set only inside :func:`cjk_style`, a
``matplotlib.rc_context``, so importing or calling this module never changes the caller's
rcParams; the family is written into each text object by name, so a returned figure still
renders Chinese when drawn later (e.g. by Jupyter) outside the context."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

__all__ = [
    "CjkFont",
    "cjk_font",
    "cjk_style",
    "plot_convergence",
    "plot_doc_topic_heatmap",
    "plot_effect_curve",
    "plot_effect_difference",
    "plot_fighting_words",
    "plot_term_drift",
    "plot_topics_over_time",
    "write_run_figures",
    "plot_prevalence",
    "plot_sweep",
    "plot_top_terms",
    "plot_topic_shares_by_article",
    "use_cjk_font",
    "word_cloud",
]

_FONT_FILE = "NotoSansCJKsc-Regular.otf"
DPI = 150
_TOPIC_COL = re.compile(r"^topic_(\d+)$")


@dataclass(frozen=True)
class CjkFont:
    """The registered CJK font: ``path`` to the file, ``family`` as matplotlib knows it."""

    path: Path
    family: str

    @property
    def properties(self) -> font_manager.FontProperties:
        return font_manager.FontProperties(fname=self.path)


@functools.cache
def cjk_font() -> CjkFont:
    """Find Noto Sans CJK SC inside the installed mplfonts package and register it.

    Looks in ``<site-packages>/mplfonts/fonts/NotoSansCJKsc-Regular.otf``, located with
    ``importlib.util.find_spec`` so that mplfonts itself is not imported (its import-time code
    is not needed, and nothing is fetched).  Registers the file with
    ``matplotlib.font_manager.fontManager.addfont`` once per process; later calls return the
    cached result (cost: one header read of the 16 MB file on the first call, nothing after).
    Raises ``FileNotFoundError`` with an install hint when mplfonts is missing.
    """
    spec = importlib.util.find_spec("mplfonts")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root) / "fonts" / _FONT_FILE
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=path).get_name()
            return CjkFont(path=path, family=family)
    raise FileNotFoundError(
        f"{_FONT_FILE} not found: charts need the mplfonts package (pip install mplfonts==0.0.11), "
        "which ships Noto Sans CJK SC"
    )


def _cjk_rc() -> dict:
    font = cjk_font()
    # Concrete family names (not the generic "sans-serif") so text objects keep the CJK font
    # after the rc context ends; DejaVu Sans stays as a per-glyph fallback.
    family = [font.family, "DejaVu Sans"]
    sans = [font.family, *[f for f in mpl.rcParams["font.sans-serif"] if f != font.family]]
    # ASCII hyphen for negative ticks, so they never depend on U+2212 in whichever font is used.
    return {"font.family": family, "font.sans-serif": sans, "axes.unicode_minus": False}


@contextlib.contextmanager
def cjk_style() -> Iterator[CjkFont]:
    """Context manager: rcParams with the CJK font, restored on exit.  Yields the :class:`CjkFont`."""
    rc = _cjk_rc()
    with mpl.rc_context(rc):
        yield cjk_font()


def use_cjk_font() -> CjkFont:
    """Set the CJK font in the global rcParams (for notebooks that draw their own charts).

    Unlike :func:`cjk_style` this changes global state on purpose; the plot functions here do
    not call it.
    """
    mpl.rcParams.update(_cjk_rc())
    return cjk_font()


# ---------------------------------------------------------------------------------------------
# helpers


def _width(text: str) -> int:
    """Display width: CJK and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: object, max_width: int = 24) -> str:
    """Shorten ``text`` to ``max_width`` display columns (a Chinese character is 2) with "…"."""
    text = " ".join(str(text).split())
    if _width(text) <= max_width:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > max_width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"


def _topic_cols(doc_topics: pd.DataFrame) -> dict[int, str]:
    found = {int(m.group(1)): c for c in doc_topics.columns if (m := _TOPIC_COL.match(str(c)))}
    if not found:
        raise ValueError("doc_topics has no topic_<k> columns")
    return dict(sorted(found.items()))


def _label_map(labels: Mapping | Sequence[str] | None) -> dict[int, str]:
    """labels.json uses string keys ("0"); accept those, int keys, or a list in topic order."""
    if labels is None:
        return {}
    if isinstance(labels, Mapping):
        return {int(k): str(v) for k, v in labels.items() if v is not None and str(v) != ""}
    return {i: str(v) for i, v in enumerate(labels)}


def topic_name(topic: int, labels: Mapping | Sequence[str] | None = None, max_width: int = 20) -> str:
    """``"0 脱贫攻坚"``: the 0-based topic id, then its label (truncated) when there is one."""
    label = _label_map(labels).get(int(topic))
    return f"{topic} {truncate(label, max_width)}" if label else f"{topic}"


def _colors(n: int) -> list:
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    if n <= cmap.N:
        return [cmap(i) for i in range(n)]
    return [mpl.colormaps["turbo"](x) for x in np.linspace(0.05, 0.95, n)]


def _weights(df: pd.DataFrame) -> np.ndarray:
    if "n_tokens" in df.columns:
        w = pd.to_numeric(df["n_tokens"], errors="coerce").fillna(0).to_numpy(float)
        if w.sum() > 0:
            return w
    return np.ones(len(df))


def _by_article(doc_topics: pd.DataFrame, cols: dict[int, str]) -> pd.DataFrame:
    """One row per doc_id (first-seen order): token-weighted mean shares, title, n_tokens."""
    if "doc_id" not in doc_topics.columns:
        return doc_topics.reset_index(drop=True)
    df = doc_topics.copy()
    df["_w"] = _weights(df)
    theta = df[list(cols.values())].to_numpy(float) * df["_w"].to_numpy()[:, None]
    num = pd.DataFrame(theta, columns=list(cols.values())).groupby(df["doc_id"].to_numpy(), sort=False).sum()
    den = df.groupby("doc_id", sort=False)["_w"].sum()
    shares = num.div(den.where(den > 0, np.nan), axis=0).fillna(0.0)
    out = shares.reset_index(names="doc_id")
    groups = df.groupby("doc_id", sort=False)
    if "title" in df.columns:
        out["title"] = groups["title"].first().to_numpy()
    if "source_file" in df.columns:
        out["source_file"] = groups["source_file"].first().to_numpy()
    if "n_tokens" in df.columns:
        out["n_tokens"] = groups["n_tokens"].sum().to_numpy()
    return out


def _row_label(row: pd.Series, unit_level: bool) -> str:
    title = row.get("title")
    has_title = title is not None and not pd.isna(title) and str(title).strip()
    if unit_level and "unit_id" in row.index:
        suffix = str(row["unit_id"]).rsplit("-", 1)[-1]
        return f"{truncate(title, 24)} · {suffix}" if has_title else str(row["unit_id"])
    if has_title:
        return truncate(title, 30)
    source = row.get("source_file")
    if source is not None and not pd.isna(source) and str(source).strip():
        # an untitled article is named by its file (the doc_id hash means nothing to a reader)
        return truncate(str(source).rsplit("/", 1)[-1], 30)
    return str(row.get("doc_id", row.name))


def _finish(fig: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, bbox_inches="tight", format="png")
    return fig


# ---------------------------------------------------------------------------------------------
# plots


def plot_doc_topic_heatmap(
    doc_topics: pd.DataFrame,
    labels: Mapping | Sequence[str] | None = None,
    max_rows: int = 60,
    *,
    level: str = "unit",
    sort: bool = True,
    path: str | Path | None = None,
) -> Figure:
    """Heatmap of units (or articles) x topics.

    Inputs: ``doc_topics`` from a run folder; ``labels`` as in ``labels.json`` (``{"0": "脱贫攻坚"}``)
    or a list; ``level="unit"`` draws rows as they are, ``"article"`` first averages units per
    ``doc_id`` (token-weighted).  ``sort`` orders rows by dominant topic then share, so blocks
    of similar text line up.  With more than ``max_rows`` rows an evenly spaced subset of the
    sorted rows is drawn (every topic stays represented) and the title says so.
    Output: the Figure; PNG at 150 dpi to ``path`` if given.  Cost: O(rows x topics).
    """
    if level not in ("unit", "article"):
        raise ValueError(f"level must be 'unit' or 'article', got {level!r}")
    cols = _topic_cols(doc_topics)
    table = _by_article(doc_topics, cols) if level == "article" else doc_topics.reset_index(drop=True)
    theta = table[list(cols.values())].to_numpy(float)
    order = np.arange(len(table))
    if sort and len(table):
        dominant = theta.argmax(axis=1)
        order = np.lexsort((-theta[np.arange(len(theta)), dominant], dominant))
    total = len(order)
    if total > max_rows:
        order = order[np.linspace(0, total - 1, max_rows).round().astype(int)]
    rows = table.iloc[order]
    data = theta[order]
    unit_level = level == "unit"
    row_labels = [_row_label(r, unit_level) for _, r in rows.iterrows()]
    names = [topic_name(k, labels, 16) for k in cols]

    height = min(2.0 + 0.24 * len(rows), 24)
    width = min(3.5 + 0.55 * len(cols) + 0.09 * max((_width(s) for s in row_labels), default=0), 24)
    with cjk_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        ax = fig.subplots()
        im = ax.imshow(data, aspect="auto", cmap="viridis", vmin=0, vmax=max(float(data.max(initial=0)), 1e-9),
                       interpolation="nearest")
        ax.set_xticks(range(len(cols)), names, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(len(rows)), row_labels, fontsize=8)
        what = "单元" if unit_level else "文章"
        shown = f"{len(rows)} / {total}" if total > len(rows) else f"{total}"
        ax.set_title(f"文档-主题分布（{what}：{shown}）")
        ax.set_xlabel("主题")
        fig.colorbar(im, ax=ax, label="主题占比", shrink=0.8)
        return _finish(fig, path)


def plot_topic_shares_by_article(
    doc_topics: pd.DataFrame,
    labels: Mapping | Sequence[str] | None = None,
    *,
    max_articles: int = 40,
    path: str | Path | None = None,
) -> Figure:
    """Stacked horizontal bars: one bar per article, segments are topic shares.

    Units are averaged per ``doc_id`` weighted by ``n_tokens`` when that column exists (the bar
    shows how much of the article's text is about each topic), else equally.  Bars are labelled
    with the article title (truncated) or the doc_id, in input order, first ``max_articles``.
    Output: the Figure; PNG to ``path`` if given.
    """
    cols = _topic_cols(doc_topics)
    table = _by_article(doc_topics, cols)
    total = len(table)
    table = table.iloc[:max_articles]
    names = [topic_name(k, labels, 14) for k in cols]
    bar_labels = [_row_label(r, False) for _, r in table.iterrows()]
    colors = _colors(len(cols))

    height = min(1.8 + 0.32 * len(table) + 0.12 * len(cols), 30)
    with cjk_style():
        fig = Figure(figsize=(10, height), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(table))
        left = np.zeros(len(table))
        for (k, col), color, name in zip(cols.items(), colors, names):
            vals = table[col].to_numpy(float)
            ax.barh(y, vals, left=left, color=color, label=name, height=0.8)
            left += vals
        ax.set_yticks(y, bar_labels, fontsize=9)
        ax.invert_yaxis()  # first article on top, as in the table
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("主题占比" + ("（按词数加权）" if "n_tokens" in doc_topics.columns else ""))
        shown = f"{len(table)} / {total}" if total > len(table) else f"{total}"
        ax.set_title(f"各文章的主题构成（{shown} 篇）")
        fig.legend(loc="outside right upper", fontsize=8, frameon=False, title="主题")
        return _finish(fig, path)


def _terms_from_table(table: pd.DataFrame) -> tuple[dict[int, list[tuple[str, float]]], dict[int, str]]:
    """topics.csv rows (topic, rank, term, weight[, label]) -> ({topic: [(term, weight)]}, labels)."""
    df = table.sort_values(["topic", "rank"] if "rank" in table.columns else ["topic"])
    terms = {int(t): list(zip(g["term"].astype(str), g["weight"].astype(float))) for t, g in df.groupby("topic")}
    labels = {}
    if "label" in df.columns:
        for t, g in df.groupby("topic"):
            lab = g["label"].dropna()
            if len(lab) and str(lab.iloc[0]).strip():
                labels[int(t)] = str(lab.iloc[0])
    return terms, labels


def plot_top_terms(
    topic_terms: Mapping[int, Sequence[tuple[str, float]]] | pd.DataFrame,
    labels: Mapping | Sequence[str] | None = None,
    *,
    n_terms: int = 10,
    ncols: int = 4,
    topics: Sequence[int] | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Small multiples: the top terms of each topic as horizontal bars, largest on top.

    Inputs: ``{topic: [(term, weight), ...]}`` or a ``topics.csv`` table (``topic``, ``rank``,
    ``term``, ``weight``, optional ``label``, which is used when ``labels`` is None);
    ``topics`` restricts and orders the panels.  Output: the Figure; PNG to ``path`` if given.
    """
    if isinstance(topic_terms, pd.DataFrame):
        terms, table_labels = _terms_from_table(topic_terms)
        labels = labels if labels is not None else table_labels
    else:
        terms = {int(k): list(v) for k, v in topic_terms.items()}
    keys = [int(t) for t in topics] if topics is not None else sorted(terms)
    if not keys:
        raise ValueError("no topics to plot")
    ncols = max(1, min(ncols, len(keys)))
    nrows = -(-len(keys) // ncols)
    colors = _colors(max(keys) + 1)
    with cjk_style():
        fig = Figure(figsize=(3.2 * ncols, 0.28 * n_terms * nrows + 0.9 * nrows + 0.4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, k in zip(axes, keys):
            top = sorted(terms.get(k, []), key=lambda tw: -tw[1])[:n_terms]
            words = [truncate(t, 14) for t, _ in top]
            ax.barh(range(len(top)), [w for _, w in top], color=colors[k])
            ax.set_yticks(range(len(top)), words, fontsize=9)
            ax.invert_yaxis()
            ax.set_title(topic_name(k, labels, 18), fontsize=10)
            ax.tick_params(axis="x", labelsize=7)
        for ax in axes[len(keys):]:
            ax.set_visible(False)
        fig.suptitle("各主题高频词（p(词 | 主题)）")
        return _finish(fig, path)


_STATS = {"topic", "label", "share", "lo", "hi", "n_units", "n_docs"}
# Up to this many topics share one panel as lines; more get one small panel each (30 lines in
# tab20 and turbo colours cannot be told apart).
MAX_LINES = 6
# At most this many group labels along an axis (a small multiple's: a third of it); with more,
# every n-th is written.
MAX_TICK_LABELS = 12
# Groups that are calendar bins (2024, 2024-03, 2024Q1, 2024-03-05) are drawn in time order as
# a line, whatever their type.
_CALENDAR = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?|Q[1-4])$")


def _thin_ticks(ax, positions: Sequence[float], names: Sequence[str], *, rotate: bool,
                most: int = MAX_TICK_LABELS) -> None:
    """Label every ``n``-th of ``positions`` so that at most ``most`` show."""
    step = max(1, -(-len(names) // most))
    shown = list(range(0, len(names), step))
    ax.set_xticks([positions[i] for i in shown], [truncate(names[i], 14) for i in shown],
                  **({"rotation": 30, "ha": "right", "rotation_mode": "anchor"} if rotate else {}))


def _group_axis(effects_df: pd.DataFrame, by: str) -> tuple[str, list, dict]:
    """How the groups run along x: ``"numeric"`` (years: their values), ``"calendar"`` (months,
    quarters, dates: their sorted labels at 0, 1, ...) or ``"category"`` (outlets, regions,
    periods: in table order, at 0, 1, ...). Returns the kind, the groups in x order and
    group -> x."""
    values = list(dict.fromkeys(effects_df[by].tolist()))
    if pd.api.types.is_numeric_dtype(effects_df[by]):
        return "numeric", sorted(values), {v: float(v) for v in values}
    if values and all(isinstance(v, str) and _CALENDAR.match(v) for v in values):
        values = sorted(values)
        return "calendar", values, {v: float(i) for i, v in enumerate(values)}
    return "category", values, {v: float(i) for i, v in enumerate(values)}


def _draw_topic(ax, d: pd.DataFrame, by: str, kind: str, x_of: dict, color, name: str, shift: float = 0.0) -> None:
    """One topic's shares on ``ax``: a line with a shaded band over ordered groups, points with
    error bars over categories (shifted sideways by ``shift`` so several topics do not overlap)."""
    if kind == "category":
        x = np.array([x_of[v] for v in d[by]]) + shift
        err = np.vstack([d["share"] - d["lo"], d["hi"] - d["share"]]).clip(min=0)
        ax.errorbar(x, d["share"], yerr=err, fmt="o", capsize=3, color=color, label=name, markersize=4)
        return
    d = d.assign(_x=[x_of[v] for v in d[by]]).sort_values("_x")
    x = d["_x"].to_numpy(float)
    share = d["share"].to_numpy(float)
    ax.plot(x, share, color=color, label=name)
    # A group with one article has no spread to resample: draw it hollow, not as certain.
    single = d["n_docs"].to_numpy() < 2 if "n_docs" in d.columns else np.zeros(len(d), bool)
    size = 18 if len(x) <= 40 else 6
    ax.scatter(x[~single], share[~single], color=color, zorder=3, s=size)
    ax.scatter(x[single], share[single], facecolor="white", edgecolor=color, zorder=3, s=size)
    ax.fill_between(x, d["lo"].to_numpy(float), d["hi"].to_numpy(float), color=color, alpha=0.2, linewidth=0)


def _group_ticks(ax, kind: str, groups: list, x_of: dict, most: int = MAX_TICK_LABELS) -> None:
    if kind == "numeric":
        vals = np.array(groups, dtype=float)
        ax.xaxis.get_major_locator().set_params(nbins=most, **({"integer": True} if len(vals) and
                                                                np.all(vals == np.round(vals)) else {}))
        return
    _thin_ticks(ax, [x_of[g] for g in groups], [str(g) for g in groups],
                rotate=kind == "category" or len(groups) > 6, most=most)


def plot_prevalence(
    effects_df: pd.DataFrame,
    topic: int | Sequence[int] | None = None,
    *,
    labels: Mapping | Sequence[str] | None = None,
    by: str | None = None,
    ncols: int = 6,
    path: str | Path | None = None,
) -> Figure:
    """Topic share over a metadata value, with the bootstrap interval from ``prevalence_by``.

    Inputs: the output of :func:`workbench.analysis.effects.prevalence_by`; ``topic`` one id,
    several, or None for every topic of the table; ``by`` the grouping column (default: the one
    column that is not a statistic).  Years are drawn as lines with a shaded band at their
    values, calendar bins (``2024-03``, ``2024Q1``, ``2024-03-05``) as lines in time order, other
    groups (outlets, regions, periods) as points with error bars; at most
    :data:`MAX_TICK_LABELS` group labels are written along x.  Up to :data:`MAX_LINES` topics
    share one panel; more are drawn as small multiples, one panel per topic in id order,
    ``ncols`` to a row, with the same y scale so panels compare.
    Output: the Figure; PNG to ``path``.
    """
    if by is None:
        candidates = [c for c in effects_df.columns if c not in _STATS]
        if len(candidates) != 1:
            raise ValueError(f"cannot tell the grouping column from {list(effects_df.columns)}; pass by=")
        by = candidates[0]
    present = sorted(set(effects_df["topic"].astype(int)))
    if topic is None:
        wanted = present
    else:
        wanted = [int(topic)] if isinstance(topic, (int, np.integer)) else [int(t) for t in topic]
    missing = [t for t in wanted if t not in set(present)]
    if missing:
        raise KeyError(f"topics {missing} not in effects_df")
    if not wanted:
        raise ValueError("no topics to plot")
    kind, groups, x_of = _group_axis(effects_df, by)
    colors = _colors(max(wanted) + 1)
    ci = effects_df.attrs.get("ci")
    band = f"{ci:.0%} 置信区间" if ci else "置信区间"
    resampled = "按段落/小节重抽样" if effects_df.attrs.get("cluster", "doc_id") is None else "按文章重抽样"
    multiples = len(wanted) > MAX_LINES
    with cjk_style():
        if multiples:
            ncols = max(1, min(ncols, len(wanted)))
            nrows = -(-len(wanted) // ncols)
            fig = Figure(figsize=(2.5 * ncols + 0.4, 1.9 * nrows + 0.9), layout="constrained")
            axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        else:
            fig = Figure(figsize=(7.5, 4.2), layout="constrained")
            axes = [fig.subplots()] * len(wanted)
        for i, (ax, k) in enumerate(zip(axes, wanted)):
            d = effects_df[effects_df["topic"].astype(int) == k]
            shift = 0.0 if multiples else (i - (len(wanted) - 1) / 2) * 0.12
            name = topic_name(k, labels, 16 if multiples else 20)
            # one colour for small multiples: the panel's title names the topic
            _draw_topic(ax, d, by, kind, x_of, "C0" if multiples else colors[k], name, shift)
            if multiples:
                ax.set_title(name, fontsize=8)
                ax.tick_params(labelsize=7)
        used = axes[: len(wanted)] if multiples else axes[:1]
        for ax in axes[len(wanted):] if multiples else ():
            ax.set_visible(False)
        for ax in used:
            _group_ticks(ax, kind, groups, x_of, MAX_TICK_LABELS // 3 if multiples else MAX_TICK_LABELS)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylim(bottom=0)
        if multiples:
            # sharex writes x labels on the bottom row only: a panel above an empty slot needs them
            for column in range(ncols):
                used[max(range(column, len(used), ncols))].xaxis.set_tick_params(labelbottom=True)
            fig.supxlabel(by, fontsize=9)
            fig.supylabel("主题占比", fontsize=9)
            fig.suptitle(f"各主题占比：按 {by}（{band}，{resampled}；每格一个主题，纵轴相同）", fontsize=10)
        else:
            ax = axes[0]
            ax.set_xlabel(by)
            ax.set_ylabel("主题占比")
            title = topic_name(wanted[0], labels, 24) if len(wanted) == 1 else "主题占比"
            ax.set_title(f"{title}：按 {by}（{band}，{resampled}）")
            if len(wanted) > 1:
                ax.legend(fontsize=8, frameon=False)
        if "n_docs" in effects_df.columns and (effects_df["n_docs"] < 2).any() and kind != "category":
            fig.text(0.005, 0.005, "空心点：该组只有 1 篇文章，无法估计区间", fontsize=7, color="0.4")
        return _finish(fig, path)


_SWEEP_METRICS = {
    "c_npmi": "c_npmi 一致性（越高越好）",
    "c_v": "c_v 一致性（越高越好）",
    "perplexity": "困惑度 perplexity（越低越好）",
    "diversity": "主题多样性 diversity（越高越好）",
    "stability": "跨种子稳定性 stability（越高越好）",
}


def plot_sweep(
    sweep_df: pd.DataFrame,
    *,
    title: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Model-selection panels: K (``num_topics``) on x, one panel per metric present.

    Metrics drawn when their column exists: ``c_npmi``, ``c_v``, ``perplexity``, ``diversity``,
    ``stability``.  With a ``seed`` column, each K shows mean ± sd across seeds with the single
    runs as faint dots.  Output: the Figure; PNG to ``path`` if given.
    """
    if "num_topics" not in sweep_df.columns:
        raise KeyError("sweep_df needs a num_topics column")
    metrics = [m for m in _SWEEP_METRICS if m in sweep_df.columns and sweep_df[m].notna().any()]
    if not metrics:
        raise ValueError(f"sweep_df has none of the metric columns {list(_SWEEP_METRICS)}")
    grouped = sweep_df.groupby("num_topics")
    seeds = "seed" in sweep_df.columns and sweep_df["seed"].nunique() > 1
    ncols = min(3, len(metrics))
    nrows = -(-len(metrics) // ncols)
    with cjk_style():
        fig = Figure(figsize=(4.0 * ncols, 3.2 * nrows + 0.4), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, m in zip(axes, metrics):
            mean = grouped[m].mean()
            k = mean.index.to_numpy(float)
            if seeds:
                sd = grouped[m].std(ddof=1).fillna(0.0)
                ax.scatter(sweep_df["num_topics"], sweep_df[m], s=10, color="0.6", alpha=0.6, zorder=1)
                ax.errorbar(k, mean, yerr=sd.to_numpy(), marker="o", capsize=3, zorder=2)
            else:
                ax.plot(k, mean, marker="o")
            ax.set_title(_SWEEP_METRICS[m], fontsize=10)
            ax.set_xlabel("主题数 K")
            ax.set_xticks(k)
            ax.grid(alpha=0.3)
        for ax in axes[len(metrics):]:
            ax.set_visible(False)
        note = f"（均值 ± 标准差，{sweep_df['seed'].nunique()} 个种子）" if seeds else ""
        fig.suptitle((title or "主题数选择") + note)
        return _finish(fig, path)


def plot_convergence(convergence: Mapping, *, title: str | None = None,
                     path: str | Path | None = None) -> Figure:
    """The Gibbs chain's log-likelihood per token against sweeps, the stop marked (MALLET prints
    this trace, stm plots it).

    ``convergence``: ``manifest["model_settings"]["convergence"]`` (see
    :mod:`workbench.models.convergence`): ``trace`` rows of sweeps, ll per token, relative change,
    smallest top-term overlap; ``sweeps``, ``converged``, ``stopped_by``. Output: the Figure; PNG to
    ``path`` if given."""
    trace = np.array([[row[0], row[1]] for row in convergence["trace"]], dtype=float).reshape(-1, 2)
    stop = convergence.get("sweeps", trace[-1, 0] if len(trace) else 0)
    how = {"criterion": "已收敛", "max_iterations": "达到上限，未收敛", "iterations": "固定迭代次数"}
    label = how.get(convergence.get("stopped_by"), "")
    if convergence.get("stopped_by") == "iterations":
        label += "（已满足收敛规则）" if convergence.get("converged") else "（未满足收敛规则）"
    with cjk_style():
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = fig.subplots()
        ax.plot(trace[:, 0], trace[:, 1], lw=1.2)
        ax.axvline(stop, color="C3", ls="--", lw=1)
        if len(trace):
            # Lower right: the trace rises from the lower left and is flat at the top by the stop.
            ax.text(0.98, 0.05, f"停止：第 {int(stop)} 次迭代\n{label}", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=9, color="C3",
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        ax.set_xlabel("吉布斯采样迭代次数")
        ax.set_ylabel("每词元对数似然")
        ax.grid(alpha=0.3)
        fig.suptitle(title or "采样收敛轨迹")
        return _finish(fig, path)


def write_run_figures(settings: Mapping, folder: Path) -> None:
    """The figures a run folder holds besides the topic map: ``convergence.png`` when the model
    reports a convergence trace, ``topics_over_time.png`` for a dynamic topic model. Passed to ``workbench.engines.train(figures=...)`` by the command
    line (the run-folder writer sits below this layer and takes it as an argument)."""
    conv = settings.get("convergence")
    if conv and conv.get("trace"):
        fig = plot_convergence(conv, path=Path(folder) / "convergence.png")
        del fig
    over_time = Path(folder) / "topics_over_time.csv"
    if settings.get("over_time") and over_time.is_file():
        table = pd.read_csv(over_time, encoding="utf-8-sig", keep_default_na=False)
        fig = plot_topics_over_time(table, path=Path(folder) / "topics_over_time.png")
        del fig


def word_cloud(
    frequencies: Mapping[str, float],
    path: str | Path | None = None,
    *,
    width: int = 800,
    height: int = 500,
    max_words: int = 200,
    background_color: str = "white",
    colormap: str = "Dark2",  # dark on white; viridis puts pale yellow words on white
    prefer_horizontal: float = 1.0,
    random_state: int = 0,
):
    """Word cloud of ``{term: weight}`` drawn with the same Noto Sans CJK SC file.

    ``prefer_horizontal=1.0`` by default because rotated Chinese words read sideways.
    Deterministic: the layout and colours come from ``random_state``.  Terms with a weight that
    is not positive are ignored.  Returns a ``PIL.Image.Image`` (``width`` x ``height`` pixels);
    saved as PNG to ``path`` if given.  Cost: grows with ``max_words`` and image area, around a
    second for 200 words at 800 x 500.
    """
    from wordcloud import WordCloud  # deferred: only this function needs it

    freqs = {str(t): float(w) for t, w in frequencies.items() if w is not None and float(w) > 0}
    if not freqs:
        raise ValueError("word_cloud needs at least one term with a positive weight")
    cloud = WordCloud(
        font_path=str(cjk_font().path),
        width=width,
        height=height,
        max_words=max_words,
        background_color=background_color,
        colormap=colormap,
        prefer_horizontal=prefer_horizontal,
        random_state=random_state,
    ).generate_from_frequencies(freqs)
    image = cloud.to_image()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, format="PNG", dpi=(DPI, DPI))
    return image


_EFFECT_STATS = {"topic", "label", "contrast", "estimate", "lo", "hi", "ols_lo", "ols_hi"}


def plot_effect_curve(
    table: pd.DataFrame,
    *,
    labels: Mapping | Sequence[str] | None = None,
    ci: float = 0.95,
    note: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Expected topic proportion over a continuous covariate, as R stm's ``plot.estimateEffect``
    (``method="continuous"``): one panel per topic, the line and shaded band from the method of
    composition, dashed lines for the narrower OLS band on the point θ.

    Input: ``Effect.table`` of :func:`workbench.analysis.covariates.estimate_effect` (``topic``, the
    covariate column, ``estimate``, ``lo``, ``hi``, ``ols_lo``, ``ols_hi``). Output: the Figure; PNG to
    ``path``.
    """
    covariate = next(c for c in table.columns if c not in _EFFECT_STATS)
    topics = list(dict.fromkeys(table["topic"].astype(int)))
    ncols = min(3, len(topics))
    nrows = -(-len(topics) // ncols)
    colors = _colors(max(topics) + 1)
    with cjk_style():
        fig = Figure(figsize=(3.6 * ncols + 0.6, 2.7 * nrows + 0.6), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, squeeze=False)).ravel()
        for ax, k in zip(axes, topics):
            d = table[table["topic"].astype(int) == k].sort_values(covariate)
            x = d[covariate].to_numpy(float)
            ax.fill_between(x, d["lo"], d["hi"], color=colors[k], alpha=0.25, linewidth=0,
                            label=f"{ci:.0%} 区间（合成法）")
            ax.plot(x, d["estimate"], color=colors[k])
            ax.plot(x, d["ols_lo"], color="0.3", linestyle="--", linewidth=0.8, label="OLS（点估计 θ）")
            ax.plot(x, d["ols_hi"], color="0.3", linestyle="--", linewidth=0.8)
            ax.set_title(topic_name(k, labels, 24), fontsize=9)
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            if np.all(x == np.round(x)):
                ax.xaxis.get_major_locator().set_params(integer=True)
        for ax in axes[len(topics):]:
            ax.set_visible(False)
        for ax in axes[(nrows - 1) * ncols:]:
            ax.set_xlabel(covariate)
        axes[0].set_ylabel("预期主题占比")
        axes[0].legend(fontsize=7, frameon=False)
        fig.suptitle(f"主题占比随 {covariate} 的变化", fontsize=11)
        if note:
            fig.supxlabel(note, fontsize=7, color="0.4")
        return _finish(fig, path)


def plot_effect_difference(
    table: pd.DataFrame,
    *,
    labels: Mapping | Sequence[str] | None = None,
    ci: float = 0.95,
    note: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Difference in expected topic proportion between two categories, one row per topic, as R
    stm's ``plot.estimateEffect(method="difference")``: the point and its composition interval,
    a thin grey bar for the OLS interval, a line at zero.

    Input: ``Effect.table`` with a ``contrast`` column (``"A - B"``). Output: the Figure; PNG to ``path``.
    """
    d = table.reset_index(drop=True)
    y = np.arange(len(d))[::-1]
    with cjk_style():
        fig = Figure(figsize=(7.0, 0.42 * len(d) + 1.6), layout="constrained")
        ax = fig.subplots()
        ax.axvline(0, color="0.5", linewidth=0.8)
        ax.hlines(y, d["ols_lo"], d["ols_hi"], color="0.6", linewidth=4, alpha=0.5, label="OLS（点估计 θ）")
        ax.errorbar(d["estimate"], y, xerr=np.vstack([d["estimate"] - d["lo"], d["hi"] - d["estimate"]]).clip(min=0),
                    fmt="o", color="black", capsize=3, label=f"{ci:.0%} 区间（合成法）")
        ax.set_yticks(y, [topic_name(int(t), labels, 24) for t in d["topic"]])
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"预期主题占比之差：{d['contrast'].iloc[0]}")
        ax.legend(fontsize=7, frameon=False, loc="best")
        if note:
            ax.set_title(note, fontsize=7, color="0.4")
        return _finish(fig, path)


def _label_offsets(points: Sequence[tuple[float, float, str]], height: float = 9.0) -> list[float]:
    """Vertical offsets (points) for labels placed right of ``(x, z, text)`` points of a log-x chart
    about 9 x 6.5 inches, so that no two labels overlap: each label, in the given order, moves up
    or down by a line until its box is clear of the boxes placed before it."""
    if not points:
        return []
    lx = np.log10([max(p[0], 1e-9) for p in points])
    zs = np.array([p[1] for p in points])
    # points per unit: the axes span about 560 x 420 points
    sx = 560 / max(lx.max() - lx.min(), 1e-9) if len(points) > 1 else 1.0
    sy = 420 / max(zs.max() - zs.min(), 1e-9) if len(points) > 1 else 1.0
    placed: list[tuple[float, float, float]] = []  # left, width, centre (points)
    out = []
    for (xv, zv, text), px, py in zip(points, lx * sx, zs * sy):
        width = 7.5 * 0.6 * _width(truncate(text, 16)) + 3
        for step in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6):
            y = py + step * height
            if all(not (px < left + w and left < px + width and abs(y - c) < height) for left, w, c in placed):
                break
        placed.append((px, width, y))
        out.append(y - py)
    return out


def plot_fighting_words(
    table: pd.DataFrame,
    groups: Sequence[str],
    *,
    z_cut: float = 1.96,
    n_labels: int = 15,
    note: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Fighting Words as Monroe, Colaresi & Quinn (2008) draw them: each term's z-score against its
    frequency in the two groups (log scale), terms beyond ±``z_cut`` coloured by the group they
    favour, the ``n_labels`` most distinctive of each group named.

    Input: the table of :func:`workbench.analysis.contrast.contrast` (``term``, ``count``, ``z``) and
    the two group names (positive z: the first). Output: the Figure; PNG to ``path``.
    """
    d = table.reset_index(drop=True)
    x = d["count"].to_numpy(float)
    z = d["z"].to_numpy(float)
    colors = _colors(2)
    side_a, side_b = z > z_cut, z < -z_cut
    with cjk_style() as font:
        fig = Figure(figsize=(9.0, 6.5), layout="constrained")
        ax = fig.subplots()
        ax.set_xscale("log")
        rest = ~(side_a | side_b)
        ax.scatter(x[rest], z[rest], s=6, color="0.75", linewidths=0)
        for mask, color, name in ((side_a, colors[0], groups[0]), (side_b, colors[1], groups[1])):
            ax.scatter(x[mask], z[mask], s=9, color=color, linewidths=0, label=f"{name}（|z| > {z_cut:g}）")
        chosen = [(i, color) for sign, color in ((1, colors[0]), (-1, colors[1]))
                  for i in np.argsort(-sign * z)[:n_labels] if sign * z[i] > z_cut]
        for (i, color), dy in zip(chosen, _label_offsets([(x[i], z[i], d["term"].iloc[i]) for i, _ in chosen])):
            ax.annotate(truncate(d["term"].iloc[i], 16), (x[i], z[i]), xytext=(3, dy), textcoords="offset points",
                        fontsize=7.5, color=color, va="center", family=font.family,
                        arrowprops={"arrowstyle": "-", "color": "0.6", "linewidth": 0.4} if dy else None)
        for y in (z_cut, -z_cut):
            ax.axhline(y, color="0.5", linewidth=0.6, linestyle="--")
        ax.axhline(0, color="0.3", linewidth=0.6)
        ax.set_xlabel("词频（两组合计，对数刻度）")
        ax.set_ylabel(f"z 值（加权对数优势比）：↑ {groups[0]}  ↓ {groups[1]}")
        ax.set_title(f"Fighting Words：{groups[0]} 与 {groups[1]}", fontsize=11)
        ax.legend(fontsize=8, frameon=False, loc="best")
        if note:
            fig.supxlabel(note, fontsize=7, color="0.4")
        return _finish(fig, path)


def plot_topics_over_time(
    table: pd.DataFrame,
    *,
    n: int = 6,
    topics: Sequence[int] | None = None,
    labels: Mapping | Sequence[str] | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Each topic's top ``n`` terms in every time slice of a dynamic topic model, as a grid: one row
    per topic, one column per slice, a term in colour where it enters the topic's top ``n`` (not in
    the slice before), grey where it stays.

    Input: ``topics_over_time.csv`` of a run (``topic``, ``slice``, ``period``, ``rank``, ``term``);
    ``topics`` chooses rows (default: all). Output: the Figure; PNG to ``path``.
    """
    d = table[table["rank"] <= n]
    chosen = sorted(set(d["topic"].astype(int))) if topics is None else [int(t) for t in topics]
    periods = list(dict.fromkeys(d.sort_values("slice")["period"].astype(str)))
    cells = {(int(r.topic), str(r.period)): [] for r in d.itertuples()}
    for r in d.sort_values(["topic", "slice", "rank"]).itertuples():
        cells[(int(r.topic), str(r.period))].append(str(r.term))
    colors = _colors(max(chosen) + 1)
    with cjk_style() as font:
        fig = Figure(figsize=(1.9 * len(periods) + 1.4, 0.19 * n * len(chosen) + 0.9), layout="constrained")
        ax = fig.subplots()
        ax.set_xlim(0, len(periods))
        ax.set_ylim(len(chosen), 0)
        ax.set_xticks(np.arange(len(periods)) + 0.5, periods, fontsize=8)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(chosen)) + 0.5, [topic_name(k, labels, 12) for k in chosen], fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        for row, k in enumerate(chosen):
            if row:
                ax.axhline(row, color="0.85", linewidth=0.6)
            before: set[str] = set()
            for col, p in enumerate(periods):
                words = cells.get((k, p), [])
                for i, w in enumerate(words):
                    new = col > 0 and w not in before
                    ax.text(col + 0.06, row + (i + 0.8) / (n + 0.6), truncate(w, 14), fontsize=7, va="center",
                            family=font.family, color=colors[k] if new else "0.35")
                before = set(words)
        ax.set_title(f"每个主题各时期的前 {n} 个词（彩色：该时期新进入前 {n} 的词）", fontsize=10)
        return _finish(fig, path)


def plot_term_drift(
    weights: pd.DataFrame,
    *,
    title: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Chosen terms' probability within one topic across the slices of a dynamic topic model (the
    usual DTM chart of a word's trajectory, e.g. 反腐败 against 全面从严治党).

    Input: a table with ``period`` (in slice order), ``term`` and ``weight``
    (:func:`workbench.analysis.drift.term_weights`). Output: the Figure; PNG to ``path``.
    """
    periods = list(dict.fromkeys(weights["period"].astype(str)))
    terms = list(dict.fromkeys(weights["term"].astype(str)))
    colors = _colors(len(terms))
    with cjk_style():
        fig = Figure(figsize=(max(5.0, 1.1 * len(periods) + 2.5), 3.6), layout="constrained")
        ax = fig.subplots()
        for color, term in zip(colors, terms):
            w = weights[weights["term"].astype(str) == term].set_index("period")["weight"].reindex(periods)
            ax.plot(range(len(periods)), w.to_numpy(float), marker="o", color=color, label=term)
        ax.set_xticks(range(len(periods)), periods, fontsize=8)
        ax.set_ylabel("p(词 | 主题, 时期)")
        ax.legend(fontsize=8, frameon=False)
        if title:
            ax.set_title(title, fontsize=10)
        return _finish(fig, path)
