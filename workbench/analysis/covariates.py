"""Effects of metadata on topic prevalence with the topic model's own uncertainty: R stm's
``estimateEffect`` and ``plot.estimateEffect``, by the method of composition (Treier & Jackman 2008).

1. Draw ``nsims`` matrices θ from the topic model's posterior:
   - an STM run (``--model stm``): topica's ``posterior_theta_samples(uncertainty="global")``, R's
     default: every unit's η drawn around its variational mean λ_d with the shared covariance
     (the mean of the units' ν_d), then softmax;
   - an LDA run (tomotopy, gensim or Spark; a DTM run alike, with its own α): each unit's θ from the Dirichlet of its topic counts,
     Dirichlet(n_dk + α), recovered as θ_d · (n_d + Kα) from ``doc_topics.csv`` (``n_tokens``) and the
     manifest's α (topica's ``dirichlet_theta_samples``). This is the posterior of θ given the
     sampler's last topic assignments; it leaves out the uncertainty of the topics themselves.
2. Regress every draw on the design (``topica.effects.estimate_effect``: OLS with cluster-robust CR1
   errors by article, ``doc_id``, since the paragraphs or sections of one report are not independent
   draws), and pool the draws by Rubin's rules (within + between-draw variance).
3. Draw coefficient vectors from the pooled normal and push them through the design at a grid of the
   covariate (others at their mean, or their most frequent category): the expected topic proportion
   with its band over a continuous covariate, or the difference between two categories, as
   ``plot.estimateEffect`` draws them.

Every table also carries the band of plain OLS on the point θ (``ols_lo``, ``ols_hi``), the interval
``workbench.analysis.effects.estimate_effect`` reports: it ignores the topic model's uncertainty and is
narrower. As stm's documentation warns, these are associations in the fitted model, not causal
effects, and topic shares are compositional."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Sequence

import numpy as np
import pandas as pd

from workbench import checks, files, runfolder
from workbench.errors import UsageError
from workbench.models import stm
from workbench.outputs import charts

__all__ = ["EffectConfig", "Effect", "default_formula", "effect_from_draws", "estimate_effect", "summary",
           "theta_draws", "write_effect"]


@dataclass(frozen=True)
class EffectConfig:
    """``nsims``: θ draws (R ``estimateEffect``: 25); ``coef_draws``: coefficient draws per θ draw
    for the bands (R ``plot.estimateEffect``: 100); ``ci``; ``cluster``: the column whose units share
    errors (``None``: every unit its own cluster); ``npoints``: grid points over a continuous
    covariate (a whole-number covariate such as year uses every whole value when there are at most
    200); ``uncertainty``: STM draws, ``"global"`` (R's default), ``"local"`` or ``"none"``; ``seed``."""

    nsims: int = 25
    coef_draws: int = 100
    ci: float = 0.95
    cluster: str | None = "doc_id"
    npoints: int = 50
    uncertainty: str = "global"
    seed: int = 0

    BOUNDS: ClassVar[dict] = {"nsims": checks.POSITIVE_INT, "coef_draws": checks.POSITIVE_INT,
                              "ci": checks.OPEN_UNIT_INTERVAL, "npoints": checks.POSITIVE_INT, "seed": checks.SEED}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


@dataclass(frozen=True)
class Effect:
    """An estimated effect. ``table``: per topic, the expected proportion at each value of the
    covariate (``kind="continuous"``) or the difference between two categories (``"difference"``),
    with ``estimate``, ``lo``, ``hi`` (composition) and ``ols_lo``, ``ols_hi`` (point θ);
    ``coefficients``: per topic and design term, the pooled estimate, standard error and interval."""

    covariate: str
    kind: str
    formula: str
    groups: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)
    coefficients: pd.DataFrame = field(repr=False)
    draws: str = ""
    n_units: int = 0
    n_clusters: int = 0
    n_dropped: int = 0


def _is_stm(run: runfolder.Run) -> bool:
    return run.manifest.get("engine") == stm.ENGINE


def default_formula(run: runfolder.Run, covariate: str, data: pd.DataFrame | None = None) -> str:
    """The regression an effect uses when none is given: an STM run's own prevalence formula; for
    an LDA run the covariate alone, ``s(covariate)`` when it is numeric with more than 10 values."""
    if _is_stm(run):
        return run.manifest["model_settings"]["prevalence"]
    if data is not None and pd.api.types.is_numeric_dtype(data[covariate]) and data[covariate].nunique() > 10:
        return f"~ s({covariate})"
    return f"~ {covariate}"


def _covariate_rows(run: runfolder.Run) -> pd.DataFrame:
    """Per unit, the columns a formula may read: an STM run's ``covariates.csv`` (what it was fitted
    on) joined to the metadata of ``doc_topics.csv``."""
    rows = run.doc_topics.drop(columns=[c for c in run.doc_topics.columns if c.startswith("topic_")])
    path = run.path / "covariates.csv"
    if _is_stm(run) and path.is_file():
        cov = pd.read_csv(path, encoding=files.CSV_ENCODING, dtype={"unit_id": str, "doc_id": str},
                          keep_default_na=False).drop(columns=["doc_id"])
        rows = rows.drop(columns=[c for c in cov.columns if c in rows.columns and c != "unit_id"])
        rows = rows.merge(cov, on="unit_id", how="left", validate="one_to_one")
    return rows


def theta_draws(run: runfolder.Run, config: EffectConfig = EffectConfig()) -> tuple[np.ndarray, str]:
    """``(nsims, units, K)`` posterior draws of θ for ``run`` and a sentence saying where they come from."""
    if _is_stm(run):
        from topica.stm import posterior_theta_samples

        draws = posterior_theta_samples(stm.load_model(run.path), nsims=config.nsims, seed=config.seed,
                                        uncertainty=config.uncertainty)
        return draws, f"STM logistic-normal posterior ({config.uncertainty} covariance), {config.nsims} draws"
    from topica.effects import dirichlet_theta_samples

    # A dynamic topic model's γ is the variational Dirichlet itself: θ_d · (n_d + Kα) with its own α.
    trained = run.manifest["config"]
    alpha = float((trained.get("dtm") or trained["model"])["alpha"])
    k = run.num_topics
    lengths = pd.to_numeric(run.doc_topics["n_tokens"]).to_numpy(float)
    draws = dirichlet_theta_samples(run.doc_topic, lengths, nsims=config.nsims, seed=config.seed, prior=k * alpha)
    return draws, f"Dirichlet(n_dk + alpha) of each unit's topic counts (alpha={alpha:g}), {config.nsims} draws"


def _grid(data: pd.DataFrame, covariate: str, groups: Sequence[str], npoints: int) -> pd.DataFrame:
    """Reference rows: the covariate over its range (or at the two groups), the other columns at
    their mean or most frequent value."""
    col = data[covariate]
    if groups:
        values = list(groups)
    else:
        lo, hi = float(col.min()), float(col.max())
        whole = np.all(col == np.round(col))
        values = list(np.arange(lo, hi + 1)) if whole and hi - lo <= 200 else list(np.linspace(lo, hi, npoints))
    ref = {c: (data[c].mean() if pd.api.types.is_numeric_dtype(data[c]) else data[c].mode().iloc[0])
           for c in data.columns if c != covariate}
    grid = pd.DataFrame({covariate: values})
    for c, v in ref.items():
        grid[c] = v
    return grid[list(data.columns)].astype(data.dtypes.to_dict())


def _bands(effects, x_new: np.ndarray, n_draws: int, ci: float, rng, difference: bool) -> list[np.ndarray]:
    """For each topic's pooled (coef, vcov): mean, lo, hi of X_new @ beta over beta ~ N(coef, vcov)
    (the difference of the two rows when ``difference``)."""
    out = []
    q = [(1 - ci) / 2 * 100, (1 + ci) / 2 * 100]
    for e in effects:
        w, v = np.linalg.eigh(0.5 * (e.vcov + e.vcov.T))
        root = v @ np.diag(np.sqrt(np.clip(w, 0.0, None)))
        beta = e.coef[None, :] + rng.standard_normal((n_draws, len(e.coef))) @ root.T
        pred = beta @ x_new.T
        if difference:
            pred = (pred[:, 0] - pred[:, 1])[:, None]
        lo, hi = np.percentile(pred, q, axis=0)
        out.append(np.vstack([pred.mean(axis=0), lo, hi]))
    return out


def effect_from_draws(draws: np.ndarray, point: np.ndarray, data: pd.DataFrame, covariate: str, formula: str, *,
                      groups: Sequence[str] | None = None, clusters: np.ndarray | None = None,
                      topics: Sequence[int] | None = None, config: EffectConfig = EffectConfig(),
                      labels: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """Steps 2 and 3 of the module docstring on arrays: ``draws`` ``(nsims, units, K)`` and the point
    θ ``(units, K)``, ``data`` the covariate columns per unit (:func:`workbench.models.stm.covariate_frame`),
    ``clusters`` one label per unit (None: none). Returns ``(table, coefficients, groups)`` as in
    :class:`Effect`; a numeric covariate gives the curve, a categorical one the difference of
    ``groups`` (default: its two most frequent values)."""
    from topica.effects import estimate_effect as composition
    from topica.formulas import _KnotCapturingContext, design_matrix, design_matrix_predict

    chosen = list(range(point.shape[1])) if topics is None else [int(t) for t in topics]
    categorical = not pd.api.types.is_numeric_dtype(data[covariate])
    if categorical:
        levels = data[covariate].value_counts()
        groups = tuple(groups) if groups else tuple(levels.index[:2])
        unknown = [g for g in groups if g not in levels.index]
        if len(groups) != 2 or unknown or groups[0] == groups[1]:
            raise UsageError(f"--groups {','.join(groups)}: give two of the values of {covariate!r}: "
                             f"{', '.join(map(str, levels.index[:20]))}")
    elif groups:
        raise UsageError(f"--groups: {covariate!r} is numeric; groups are for a categorical covariate")
    groups = tuple(groups or ())
    data = data.reset_index(drop=True)
    knots = _KnotCapturingContext()  # the spline knots and factor levels of the data, replayed on the grid
    x, names = design_matrix(formula, data, _knot_ctx=knots)
    grid = _grid(data, covariate, groups, config.npoints)
    x_new, _ = design_matrix_predict(formula, grid, knots)
    x_new = np.hstack([np.ones((len(x_new), 1)), x_new])
    pooled = composition(draws, X=x, feature_names=names, topics=chosen, cluster=clusters, ci=config.ci)
    ols = composition(point, X=x, feature_names=names, topics=chosen, cluster=clusters, ci=config.ci)
    rng = np.random.default_rng(config.seed)
    n_draws = len(draws) * config.coef_draws
    band = _bands(pooled, x_new, n_draws, config.ci, rng, categorical)
    ols_band = _bands(ols, x_new, n_draws, config.ci, rng, categorical)
    blocks = []
    for t, b, o in zip(chosen, band, ols_band):
        block = pd.DataFrame({"topic": t, "label": (labels or {}).get(t, "")}, index=range(b.shape[1]))
        if categorical:
            block["contrast"] = f"{groups[0]} - {groups[1]}"
        else:
            block[covariate] = grid[covariate].to_numpy()
        block["estimate"], block["lo"], block["hi"] = b
        block["ols_lo"], block["ols_hi"] = o[1], o[2]
        blocks.append(block)
    coefficients = pd.concat([pd.DataFrame({"topic": e.topic, "term": e.feature_names, "estimate": e.coef,
                                            "std_error": e.se, "lo": e.ci_low, "hi": e.ci_high})
                              for e in pooled], ignore_index=True)
    return pd.concat(blocks, ignore_index=True), coefficients, groups


def estimate_effect(run, covariate: str, *, formula: str | None = None, topics: Sequence[int] | None = None,
                    groups: Sequence[str] | None = None, config: EffectConfig = EffectConfig()) -> Effect:
    """The effect of ``covariate`` on the prevalence of ``topics`` (default: all), by composition.

    ``formula``: the regression's right-hand side over the run's metadata (default:
    :func:`default_formula`); it must contain ``covariate``. ``groups``: two categories of a
    categorical covariate, for their difference (first minus second; default: its two most
    frequent). Units without a value in a column the formula reads are left out (counted in
    ``n_dropped``). Raises :class:`UsageError` for an unknown column, a formula that does not parse,
    a covariate not in the formula, or groups the covariate does not have.

    Cost: ``nsims`` regressions of (units x design) for each topic plus ``nsims x coef_draws``
    matrix products over the grid; a second or two for 1,000 units and 15 topics.
    """
    run = run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))
    rows = _covariate_rows(run)
    if formula is None and _is_stm(run):
        formula = default_formula(run, covariate)
    formula = stm.normalize_formula(formula, "--formula") if formula else None
    columns = stm.formula_columns(formula) if formula else [covariate]
    if covariate not in columns:
        raise UsageError(f"--covariate {covariate!r} is not in the formula {formula!r}")
    where = f"run {run.path.name}"
    keep = stm.complete_rows(rows, columns, where=where)
    data = stm.covariate_frame(rows[keep], columns, where=where)
    if len(data) < 3:
        raise UsageError(f"covariate {covariate!r}: only {len(data)} units have a value in every column of the formula")
    formula = formula or stm.normalize_formula(default_formula(run, covariate, data))
    k = run.num_topics
    bad = [int(t) for t in topics or () if not 0 <= int(t) < k]
    if bad:
        raise UsageError(f"--topics {bad}: the run has topics 0..{k - 1}")
    chosen = runfolder.merges.shown_topics(k, run.merges, topics)
    clusters = run.doc_topics[config.cluster].to_numpy()[keep] if config.cluster else None
    draws, how = theta_draws(run, config)
    if run.merges:  # a merge's share is its topics' summed: sum each draw's, as the point estimate's
        draws = runfolder.merges.merge_shares(draws, run.merges)
        how += f"; merged topics summed per draw ({', '.join(m.key for m in run.merges)})"
    view = run.merged()
    table, coefficients, groups = effect_from_draws(
        draws[:, keep, :], view.doc_topic[keep], data, covariate, formula, groups=groups, clusters=clusters,
        topics=chosen, config=config, labels=view.labels)
    kind = "continuous" if pd.api.types.is_numeric_dtype(data[covariate]) else "difference"
    return Effect(covariate, kind, formula, groups, table, coefficients, how, int(len(data)),
                  int(len(np.unique(clusters))) if clusters is not None else int(len(data)),
                  int(len(rows) - len(data)))


def write_effect(run, covariate: str, *, out_dir: Path | None = None, config: EffectConfig = EffectConfig(),
                 **kwargs) -> tuple[Effect, Path, Path, Path]:
    """:func:`estimate_effect` written to ``<out_dir>/effect_<covariate>.csv`` (the curve or difference),
    ``effect_<covariate>_coefficients.csv`` and ``effect_<covariate>.png``; ``out_dir`` defaults to
    ``<run>/effects``. This is the whole of ``workbench effect RUN --covariate COLUMN``."""
    run = run if isinstance(run, runfolder.Run) else runfolder.load_run(Path(run))
    effect = estimate_effect(run, covariate, config=config, **kwargs)
    folder = Path(out_dir) if out_dir is not None else run.path / "effects"
    folder.mkdir(parents=True, exist_ok=True)
    stem = "effect_" + files.slug(covariate)
    csv, coef_csv, png = folder / f"{stem}.csv", folder / f"{stem}_coefficients.csv", folder / f"{stem}.png"
    files.write_csv(effect.table, csv)
    files.write_csv(effect.coefficients, coef_csv)
    note = f"{effect.formula}  |  {effect.draws}  |  {effect.n_units} units, {effect.n_clusters} clusters"
    plot = charts.plot_effect_curve if effect.kind == "continuous" else charts.plot_effect_difference
    plot(effect.table, labels=run.merged().labels, ci=config.ci, note=note, path=png)
    return effect, csv, coef_csv, png


def summary(effect: Effect, points: int = 6) -> str:
    """A few lines for a terminal: per topic the difference with its intervals, or the expected
    proportion at ``points`` values spread over the covariate's range."""
    t = effect.table
    lines = [f"{effect.formula}  ({effect.draws}; {effect.n_units} units in {effect.n_clusters} clusters"
             + (f"; {effect.n_dropped} units without a value left out" if effect.n_dropped else "") + ")"]
    if effect.kind == "difference":
        lines.append(f"difference {t['contrast'].iloc[0]}: estimate [composition interval] (OLS interval)")
        for r in t.itertuples():
            lines.append(f"  topic {r.topic:>3} {r.label:<12} {r.estimate:+.3f} [{r.lo:+.3f}, {r.hi:+.3f}] "
                         f"({r.ols_lo:+.3f}, {r.ols_hi:+.3f})")
        return "\n".join(lines)
    values = np.unique(t[effect.covariate])
    at = values[np.linspace(0, len(values) - 1, min(points, len(values))).round().astype(int)]
    lines.append(f"expected proportion at {effect.covariate} = {', '.join(f'{v:g}' for v in at)}: "
                 "estimate [composition interval]")
    for topic, d in t[t[effect.covariate].isin(at)].groupby("topic", sort=False):
        cells = "  ".join(f"{r.estimate:.3f} [{r.lo:.3f}, {r.hi:.3f}]" for r in d.itertuples())
        lines.append(f"  topic {topic:>3} {d['label'].iloc[0]:<12} {cells}")
    return "\n".join(lines)
