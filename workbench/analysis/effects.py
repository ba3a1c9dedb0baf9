"""Topic prevalence by metadata, with uncertainty.

Two questions researchers ask of a ``doc_topics`` table (see ``docs/run-folder.md``):

* How much of the text is about topic k in each year / outlet / region?
  :func:`prevalence_by` answers with a token-weighted mean share per group and a percentile
  bootstrap interval that resamples whole articles (``doc_id`` clusters), because the paragraphs
  of one article share an author, a date and a theme and are not independent draws.
* Is topic k associated with a covariate, holding others fixed?  :func:`estimate_effect` is an
  OLS regression of the point-estimate topic share on metadata, with cluster-robust (CR1) standard
  errors by ``doc_id``.  It is kept as the quick, point-estimate version: R stm's
  ``estimateEffect`` with the topic model's own uncertainty (method of composition, the
  ``workbench effect`` command) is :func:`workbench.analysis.covariates.estimate_effect`.

Both are descriptive.  Topic shares are compositional (they sum to 1 across topics, so one topic
rising forces others to fall) and are themselves model estimates; as stm's documentation warns for
``estimateEffect``, the regression describes an association in the fitted model, not a causal
effect, and its intervals ignore the uncertainty of the topic model itself.

Everything here is numpy / scipy / pandas; statsmodels is not a dependency."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from workbench.corpus.dates import parse_years

__all__ = ["add_year", "estimate_effect", "prevalence_by", "topic_columns"]


# Bootstrap count matrices are processed in chunks of at most this many cells (8 bytes each),
# so a group of 10k articles x 1,000 resamples needs ~32 MB instead of 80 MB at once.
_BOOT_CELLS = 4_000_000


def topic_columns(doc_topics: pd.DataFrame) -> dict[int, str]:
    """Map topic id -> column name for the ``topic_<k>`` columns, in topic order."""
    from workbench.runfolder.schema import topic_columns_of as names

    return {int(c.rsplit("_", 1)[1]): c for c in names(doc_topics)}


def add_year(doc_topics: pd.DataFrame, date_col: str = "date") -> pd.DataFrame:
    """Return a copy of ``doc_topics`` with an integer ``year`` column parsed from ``date_col``.

    Accepts the formats found in news-database exports: ``"2019年05月21日"``,
    ``"2021-09-28 09:58"``, ``"2019/5/21"``, ``"2025"``, ``"二〇一九年五月"``, integers, floats and
    datetime64 columns.  The first plausible year (1800-2199) not inside a longer digit run is
    used.  Unparseable values become ``<NA>``; the column has pandas' nullable ``Int64`` dtype so
    missing years survive without turning the column into floats.  An existing ``year`` column is
    replaced.  Cost: one vectorised regex pass over the column.
    """
    if date_col not in doc_topics.columns:
        raise KeyError(f"no column {date_col!r} to take the year from; columns: {list(doc_topics.columns)}")
    out = doc_topics.copy()
    out["year"] = parse_years(doc_topics[date_col])
    return out


def _weights(df: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(df))
    if weight not in df.columns:
        raise KeyError(f"weight column {weight!r} not in doc_topics; pass weight=None for equal weights")
    w = pd.to_numeric(df[weight], errors="coerce").to_numpy(dtype=float)
    if np.any(w < 0):
        raise ValueError(f"weight column {weight!r} has negative values")
    return w


def _clusters(df: pd.DataFrame, cluster: str | None) -> np.ndarray:
    """Integer cluster codes; ``cluster=None`` makes every unit its own cluster."""
    if cluster is None:
        return np.arange(len(df))
    if cluster not in df.columns:
        raise KeyError(f"cluster column {cluster!r} not in doc_topics; pass cluster=None to treat units as independent")
    codes, _ = pd.factorize(df[cluster], use_na_sentinel=False)
    return codes


def _select_topics(cols: dict[int, str], topics: Sequence[int] | int | None) -> list[int]:
    if topics is None:
        return list(cols)
    topics = [topics] if isinstance(topics, (int, np.integer)) else [int(t) for t in topics]
    missing = [t for t in topics if t not in cols]
    if missing:
        raise KeyError(f"topics {missing} not in doc_topics (has {list(cols)})")
    return topics


def _bootstrap_ratio(
    num: np.ndarray, den: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap the ratio ``sum(num) / sum(den)`` over clusters.

    ``num`` is (C, K) cluster totals of weight x share, ``den`` is (C,) cluster weight totals.
    Returns (n_boot, K) resampled ratios.  All cluster indices for the group are drawn in one
    call; each resample is then a row of multiplicities, and the ratios are two matrix products,
    so the cost is O(n_boot x C x K) flops in BLAS with no Python loop over resamples.
    """
    n_c = len(den)
    idx = rng.integers(0, n_c, size=(n_boot, n_c))
    out = np.empty((n_boot, num.shape[1]))
    step = max(1, _BOOT_CELLS // n_c)
    for start in range(0, n_boot, step):
        block = idx[start : start + step]
        rows = len(block)
        # Row-offset trick: one bincount gives the multiplicity of every cluster in every resample.
        flat = (block + (np.arange(rows) * n_c)[:, None]).ravel()
        counts = np.bincount(flat, minlength=rows * n_c).reshape(rows, n_c).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + rows] = (counts @ num) / (counts @ den)[:, None]
    return out


def prevalence_by(
    doc_topics: pd.DataFrame,
    by: str,
    *,
    topics: Sequence[int] | int | None = None,
    weight: str | None = "n_tokens",
    n_boot: int = 1000,
    seed: int = 0,
    ci: float = 0.95,
    cluster: str | None = "doc_id",
) -> pd.DataFrame:
    """Mean topic share for each value of a metadata column, with a cluster bootstrap interval.

    Inputs
        doc_topics: a run folder's ``doc_topics`` table (``topic_<k>`` columns, metadata,
            ``n_tokens``, ``doc_id``).  ``by`` must be a column (use :func:`add_year` for years).
        topics: topic ids to report (default: all).  The random draws do not depend on it, so a
            topic's interval is the same whether it is requested alone or with others.
        weight: column of unit weights; the default ``n_tokens`` gives the share of *text* in the
            group that is about the topic (a long report counts more than a short notice).
            ``None`` weights every unit equally.  Units with missing or zero weight are dropped.
        n_boot, seed, ci: number of bootstrap resamples, seed of a ``numpy.random.Generator``,
            interval coverage.  ``n_boot=0`` skips the bootstrap (``lo``/``hi`` are NaN).
        cluster: resampling unit.  Whole articles (``doc_id``) are resampled within each group,
            because paragraphs of one article are correlated; ``None`` resamples single units
            (too-narrow intervals when units are paragraphs).

    Output
        One row per (group value, topic), groups sorted, with columns ``by``, ``topic``,
        ``share`` (weighted mean), ``lo``, ``hi`` (percentile interval, widened if needed to
        contain ``share``, since error bars cannot be negative and with very few articles a
        skewed bootstrap can leave the estimate outside), ``n_units``, ``n_docs``.
        Rows with a missing ``by`` value are left out.

    Cost: for each group one (n_boot x articles) integer draw and two matrix products;
    1,000 resamples over 10k units take a few tens of milliseconds.  Deterministic for a seed.
    """
    if by not in doc_topics.columns:
        hint = " (use add_year(doc_topics) to derive it from the date)" if by == "year" else ""
        raise KeyError(f"no column {by!r} in doc_topics{hint}")
    if not 0 < ci < 1:
        raise ValueError(f"ci must be between 0 and 1, got {ci}")
    cols = topic_columns(doc_topics)
    chosen = _select_topics(cols, topics)

    w = _weights(doc_topics, weight)
    keep = np.isfinite(w) & (w > 0) & doc_topics[by].notna().to_numpy()
    df = doc_topics.loc[keep]
    w = w[keep]
    theta = df[[cols[k] for k in chosen]].to_numpy(dtype=float)
    clusters = _clusters(df, cluster)
    group_codes, group_values = pd.factorize(df[by], sort=True)

    rng = np.random.default_rng(seed)
    alpha = 1.0 - ci
    blocks = []
    for g, value in enumerate(group_values):
        rows = np.flatnonzero(group_codes == g)
        # Collapse units to clusters first: the bootstrap then works on article totals.
        c_codes, _ = pd.factorize(clusters[rows])
        n_c = c_codes.max() + 1
        num = np.zeros((n_c, len(chosen)))
        np.add.at(num, c_codes, w[rows, None] * theta[rows])
        den = np.bincount(c_codes, weights=w[rows], minlength=n_c)
        share = num.sum(axis=0) / den.sum()
        # Articles in the group, whatever was resampled (units are clusters when cluster=None).
        n_docs = int(df["doc_id"].iloc[rows].nunique()) if "doc_id" in df.columns else int(n_c)
        if n_boot > 0:
            boot = _bootstrap_ratio(num, den, n_boot, rng)
            lo, hi = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
            lo, hi = np.minimum(lo, share), np.maximum(hi, share)
        else:
            lo = hi = np.full(len(chosen), np.nan)
        blocks.append(
            pd.DataFrame(
                {
                    by: [value] * len(chosen),
                    "topic": chosen,
                    # Rounding can push a weighted mean of values in [0, 1] an ulp outside.
                    "share": np.clip(share, 0.0, 1.0),
                    "lo": np.clip(lo, 0.0, 1.0),
                    "hi": np.clip(hi, 0.0, 1.0),
                    "n_units": len(rows),
                    "n_docs": n_docs,
                }
            )
        )
    columns = [by, "topic", "share", "lo", "hi", "n_units", "n_docs"]
    if not blocks:
        return pd.DataFrame(columns=columns)
    out = pd.concat(blocks, ignore_index=True)[columns]
    out[by] = out[by].astype(doc_topics[by].dtype)
    out.attrs.update(weight=weight, cluster=cluster, n_boot=n_boot, seed=seed, ci=ci)
    return out


_FORCED_CAT = re.compile(r"^C\((.+)\)$")


def _design(df: pd.DataFrame, terms: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Intercept + numeric columns as they are + one-hot categoricals minus a reference level.

    ``C(col)`` forces a numeric column (e.g. year) to be treated as categorical.  The reference
    level is the first category of a pandas Categorical, otherwise the smallest value.  Names
    follow patsy: ``source[T.新华社]``.
    """
    blocks = [np.ones((len(df), 1))]
    names = ["Intercept"]
    for term in terms:
        m = _FORCED_CAT.match(term)
        col = m.group(1) if m else term
        s = df[col]
        categorical = bool(m) or not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        if not categorical:
            blocks.append(s.to_numpy(dtype=float)[:, None])
            names.append(term)
            continue
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels = [lv for lv in s.cat.categories if (s == lv).any()]
        else:
            levels = sorted(s.unique(), key=lambda v: (str(type(v)), v))
        for level in levels[1:]:
            blocks.append((s == level).to_numpy(dtype=float)[:, None])
            names.append(f"{term}[T.{level}]")
    return np.hstack(blocks), names


def estimate_effect(
    doc_topics: pd.DataFrame,
    topic: int,
    formula_terms: Sequence[str],
    *,
    cluster: str | None = "doc_id",
    weight: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Regress one topic's share on metadata, with cluster-robust standard errors.

    Like R stm's ``estimateEffect`` in spirit: ``share_k ~ 1 + terms``.  Numeric columns enter
    as they are; text / categorical / boolean columns, or any column written ``C(col)``, enter
    as one-hot indicators against a reference level (the first level).

    Standard errors are CR1 (Stata's ``vce(cluster doc_id)``): the sandwich
    ``(X'X)^-1 [sum_g X_g' e_g e_g' X_g] (X'X)^-1`` scaled by ``G/(G-1) * (N-1)/(N-p)``, with
    t-tests and intervals on ``G-1`` degrees of freedom.  Clustering by article matters when
    units are paragraphs: their residuals are correlated and naive errors are too small.
    ``cluster=None`` gives HC1 (every unit its own cluster).  ``weight`` (e.g. ``"n_tokens"``)
    turns OLS into WLS; the default weights units equally, as stm weights documents.

    Caveat (as in stm's documentation): shares are compositional and are estimates from the topic
    model; the coefficients describe associations in the fitted model, not causal effects, and
    the intervals do not include topic-model uncertainty.

    Output: one row per coefficient with ``term``, ``estimate``, ``std_error``, ``t``, ``p``,
    ``lo``, ``hi``; ``attrs`` holds ``n_units``, ``n_clusters``, ``df``.  Rows with a missing
    value in the topic, a term, the weight or the cluster are dropped.
    Cost: O(N p^2) for N units and p coefficients.
    """
    cols = topic_columns(doc_topics)
    if topic not in cols:
        raise KeyError(f"topic {topic} not in doc_topics (has {list(cols)})")
    raw = [(_FORCED_CAT.match(t).group(1) if _FORCED_CAT.match(t) else t) for t in formula_terms]
    missing = [c for c in raw if c not in doc_topics.columns]
    if missing:
        raise KeyError(f"formula terms {missing} are not columns of doc_topics")
    needed = [cols[topic], *raw, *([weight] if weight else []), *([cluster] if cluster else [])]
    df = doc_topics.dropna(subset=list(dict.fromkeys(needed)))

    X, names = _design(df, formula_terms)
    y = df[cols[topic]].to_numpy(dtype=float)
    w = _weights(df, weight)
    n, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        raise ValueError(f"design matrix is rank deficient (collinear or constant terms among {names})")
    sw = np.sqrt(w)
    Xw, yw = X * sw[:, None], y * sw
    beta, *_ = np.linalg.lstsq(Xw, yw, rcond=None)
    resid = yw - Xw @ beta
    bread = np.linalg.inv(Xw.T @ Xw)

    codes = _clusters(df, cluster)
    g = int(codes.max()) + 1 if n else 0
    # Per-cluster score sums X_g' e_g, accumulated without a Python loop over clusters.
    scores = np.zeros((g, p))
    np.add.at(scores, codes, Xw * resid[:, None])
    meat = scores.T @ scores
    dof = g - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = g / (g - 1) * (n - 1) / (n - p) if g > 1 and n > p else np.nan
        vcov = scale * bread @ meat @ bread
        se = np.sqrt(np.diag(vcov))
        t = beta / se
    if dof > 0:
        pval = 2 * stats.t.sf(np.abs(t), dof)
        crit = stats.t.ppf(1 - (1 - ci) / 2, dof)
    else:
        pval = np.full(p, np.nan)
        crit = np.nan
    out = pd.DataFrame(
        {
            "term": names,
            "estimate": beta,
            "std_error": se,
            "t": t,
            "p": pval,
            "lo": beta - crit * se,
            "hi": beta + crit * se,
        }
    )
    out.attrs.update(topic=topic, n_units=n, n_clusters=g, df=dof, ci=ci, cluster=cluster, weight=weight)
    return out
