"""The structural topic model (Roberts, Stewart & Tingley): topic prevalence as a regression on
document metadata, fitted by topica's STM (Rust core; R ``stm``'s spectral initialisation and
variational EM).

A prevalence formula is written over metadata columns as in R: ``s(year) + doc_type``. Numeric
columns enter linearly, text columns as treatment-coded categories (reference: the first level
in sorted order), ``s(col)`` is R stm's B-spline (``df = min(10, distinct values - 1)``),
``C(col)`` makes a numeric column categorical. ``year`` is parsed from ``date`` when the metadata
has no ``year`` of its own (:func:`workbench.corpus.dates.parse_years`). The design is built by
``formulaic`` through topica (``topica.formulas.design_matrix``), the same code
``topica.effects.estimate_effect`` uses, so an effect is estimated on the design the model was fitted
with.

The fit comes out as the plain arrays of :class:`workbench.models.lda.Fitted` (the one run-folder
writer writes it), with the covariate data, the design and the fitted prevalence coefficients
(gamma) as tables."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from workbench import checks
from workbench.corpus.dates import CALENDAR_BINS, calendar_bins
from workbench.errors import UsageError
from workbench.models.lda import Fitted

ENGINE = "stm"
MODEL_FILE = "stm.topica"  # topica's own binary format (magic "TOPICA"), not a pickle
# Names a formula may call besides the columns (topica's splines, formulaic's C() and transforms).
_FUNCTIONS = {"s", "bs", "spline", "C", "log", "exp", "center", "scale", "poly"}



@contextmanager
def em_progress(progress: bool, total: int, desc: str):
    """A progress bar over a topica fit's EM iterations: yields the ``progress=`` callback topica
    calls once per iteration (a no-op without ``progress``)."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc=desc, unit="it", leave=False)

    def tick(i, total, info):
        if bar is not None:
            bar.update(1)

    try:
        yield tick
    finally:
        if bar is not None:
            bar.close()

@dataclass(frozen=True)
class StmConfig:
    """STM settings; names follow R stm's where it has one.

    ``prevalence``: the formula over metadata columns (``"s(year) + doc_type"``; a leading ``~``
    is optional). ``max_em_iterations`` (R: ``max.em.its``, default 500) and ``em_tol`` (R:
    ``emtol``, 1e-5, relative change of the bound) stop the EM. ``init``: ``"spectral"`` (R's
    default, deterministic) or ``"random"`` (seeded by the run's seed).
    """

    prevalence: str
    max_em_iterations: int = 500
    em_tol: float = 1e-5
    init: str = "spectral"

    BOUNDS: ClassVar[dict] = {"max_em_iterations": checks.POSITIVE_INT, "em_tol": checks.POSITIVE}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)


def normalize_formula(text: str, option: str = "--prevalence") -> str:
    """``"s(year) + doc_type"`` -> ``"~ s(year) + doc_type"``; raises :class:`UsageError` when the
    formula does not parse or has a left-hand side."""
    from formulaic import Formula
    from formulaic.errors import FormulaicError

    body = (text or "").strip()
    if body.startswith("~"):
        body = body[1:].strip()
    if not body:
        raise UsageError(f"{option}: empty formula (write it over metadata columns, e.g. \"s(year) + doc_type\")")
    if "~" in body:
        raise UsageError(f"{option} {text!r}: the formula has no left-hand side "
                         "(write \"s(year) + doc_type\", not \"y ~ ...\")")
    try:
        Formula("~ " + body).required_variables
    except (FormulaicError, SyntaxError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"{option} {text!r}: the formula does not parse ({reason})") from None
    return "~ " + body


def formula_columns(formula: str) -> list[str]:
    """The metadata columns a formula reads, in sorted order (functions such as ``s`` left out)."""
    from formulaic import Formula

    names = set()
    for v in Formula(normalize_formula(formula)).required_variables:
        if {r.value for r in v.roles} == {"callable"} or str(v) in _FUNCTIONS:
            continue
        names.add(str(v))
    return sorted(names)


def _column(rows: pd.DataFrame, col: str, where: str) -> pd.Series:
    """Column ``col`` of ``rows`` ("" counted as missing); ``year``, ``quarter`` (``"2024Q1"``) and
    ``month`` (``"2024-03"``, categories) from ``date`` when there is none."""
    if col in rows.columns:
        values = rows[col]
    elif col in CALENDAR_BINS and "date" in rows.columns:
        values = calendar_bins(rows["date"], col)
    else:
        there = [c for c in rows.columns if c not in ("unit_id", "doc_id")]
        hint = f" ({col} is parsed from date, which is missing too)" if col in CALENDAR_BINS else ""
        raise UsageError(f"unknown covariate column {col!r}{hint}; the {where} has: {', '.join(map(str, there))}")
    if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        values = values.mask(values.astype("string").str.strip().eq("").fillna(True))
    return values


def complete_rows(rows: pd.DataFrame, columns: list[str], *, where: str = "metadata") -> np.ndarray:
    """Which rows have a value in every one of ``columns`` (a boolean mask); unknown columns raise
    as in :func:`covariate_frame`."""
    keep = np.ones(len(rows), dtype=bool)
    for col in columns:
        keep &= _column(rows.reset_index(drop=True), col, where).notna().to_numpy()
    return keep


def covariate_frame(rows: pd.DataFrame, columns: list[str], *, where: str = "metadata") -> pd.DataFrame:
    """The covariate columns of ``rows`` (one row per unit) ready for a formula.

    ``year`` comes from ``date`` when ``rows`` has no ``year``. A column whose every value is a
    number is numeric (CSV and text exports carry numbers as text); others are text categories.
    Raises :class:`UsageError` naming an unknown column (with the columns there are) and a column
    with missing values (how many, and the first unit's id when ``rows`` has ``unit_id``).
    """
    rows = rows.reset_index(drop=True)
    out = pd.DataFrame(index=rows.index)
    for col in columns:
        values = _column(rows, col, where)
        missing = values.isna()
        if missing.any():
            first = f" (first: unit {rows['unit_id'].iloc[int(np.flatnonzero(missing)[0])]})" \
                if "unit_id" in rows.columns else ""
            raise UsageError(f"covariate {col!r}: {int(missing.sum())} of {len(values)} units have no value"
                             f"{first}; model a subset that has it, or fill the column")
        numeric = pd.to_numeric(values, errors="coerce")
        if pd.api.types.is_bool_dtype(values):
            out[col] = values.astype(str)
        elif numeric.notna().all():
            out[col] = numeric.astype(float)
        else:
            out[col] = values.astype(str)
    return out


def unit_metadata(corpus) -> pd.DataFrame:
    """One row per modelled unit (``corpus.unit_ids`` order): ``unit_id``, ``doc_id`` and the
    document's metadata as ingested. One pass over the store's documents."""
    meta = {u.unit_id: doc.meta for doc, u in corpus.iter_units()}
    frame = pd.DataFrame([meta.get(uid, {}) for uid in corpus.unit_ids])
    frame.insert(0, "doc_id", list(corpus.unit_doc_ids))
    frame.insert(0, "unit_id", list(corpus.unit_ids))
    return frame


def design(formula: str, data: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """The prevalence design (no intercept column: the model adds its own) and its column names."""
    from formulaic.errors import FormulaicError
    from topica.formulas import design_matrix

    try:
        x, names = design_matrix(normalize_formula(formula), data)
    except FormulaicError as exc:
        raise UsageError(f"--prevalence {formula!r}: {str(exc).strip().splitlines()[0]}") from None
    if x.shape[0] != len(data):
        raise UsageError(f"--prevalence {formula!r}: the design lost rows ({x.shape[0]} of {len(data)})")
    if x.shape[1] and np.linalg.matrix_rank(np.hstack([np.ones((len(x), 1)), x])) < x.shape[1] + 1:
        raise UsageError(f"--prevalence {formula!r}: the design is collinear (a constant column, or two that "
                         f"say the same: {', '.join(names)})")
    return x, names


def fit_stm(corpus, num_topics: int, random_state: int, config: StmConfig, *, progress: bool = True) -> Fitted:
    """Fit an STM with prevalence ``config.prevalence`` on the corpus's units.

    Inputs: a prepared corpus (``workbench.text.preprocess.Corpus``: term-id arrays, vocabulary,
    the store for metadata), K, the seed, the STM settings. Output: :class:`Fitted` with
    ``topic_term`` over the corpus's vocabulary, dense ``doc_topic`` (the variational posterior
    mean θ), ``model`` the topica STM, and ``tables``: ``covariates.csv`` (the columns the formula
    reads, per unit), ``prevalence_design.csv`` (the design matrix) and
    ``prevalence_coefficients.csv`` (gamma: one row per design term and topic; the last topic is
    the logistic-normal reference and has none).

    Cost: each EM iteration is one E-step per unit (a K-1 dimensional Newton solve) and a ridge
    regression of the topic means on the design; on the 865 sections of the government reports,
    K = 15, about 25 s on two cores. Memory holds the per-unit covariance (N x (K-1)^2 floats).
    """
    import topica

    formula = normalize_formula(config.prevalence)
    meta = unit_metadata(corpus)
    data = covariate_frame(meta, formula_columns(formula))
    x, names = design(formula, data)
    terms = corpus.vocab.terms
    docs = [[terms[i] for i in ids] for ids in corpus.token_ids]
    t0 = time.perf_counter()
    with em_progress(progress, config.max_em_iterations, "training (STM EM)") as tick:
        model = topica.STM(num_topics, seed=random_state, init=config.init).fit(
            docs, prevalence=x, prevalence_names=names, iters=config.max_em_iterations,
            convergence_tol=config.em_tol, progress=tick)
    seconds = time.perf_counter() - t0
    # topica numbers terms by first occurrence; put its columns in the vocabulary's order.
    index = {w: i for i, w in enumerate(model.vocabulary)}
    tt = np.asarray(model.topic_word, dtype=np.float64)[:, [index[t] for t in terms]]
    tt /= tt.sum(axis=1, keepdims=True)
    dt = np.asarray(model.doc_topic, dtype=np.float64)
    dt /= dt.sum(axis=1, keepdims=True)
    gamma = np.asarray(model.prevalence_effects, dtype=np.float64)  # (1 + F, K - 1)
    coef_names = ["intercept", *names] if gamma.shape[0] == len(names) + 1 else list(model.feature_names)
    coefficients = pd.DataFrame([{"term": coef_names[f], "topic": k, "coefficient": float(gamma[f, k])}
                                 for k in range(gamma.shape[1]) for f in range(gamma.shape[0])])
    # Years are whole numbers: keep them so in the table (the design used floats).
    whole = {c: "int64" for c in data.columns if pd.api.types.is_float_dtype(data[c])
             and np.all(data[c] == np.round(data[c]))}
    # An article covariate (doc_id) is already the table's second column: once, not twice.
    covariates = pd.concat([meta[["unit_id", "doc_id"]],
                            data.astype(whole).drop(columns=["unit_id", "doc_id"], errors="ignore")], axis=1)
    design_table = pd.concat([meta[["unit_id"]], pd.DataFrame(x, columns=names)], axis=1)
    n_tokens = sum(len(d) for d in docs)
    settings = {
        "prevalence": formula, "prevalence_columns": list(data.columns),
        "covariate_kinds": {c: ("numeric" if pd.api.types.is_numeric_dtype(data[c]) else "categorical")
                            for c in data.columns},
        "design_columns": names, "converged": bool(model.converged), "em_iterations": len(model.bound_history),
        "bound": float(model.bound), "initialization": model.initialization,
        "ll_per_word": float(model.bound) / max(n_tokens, 1), "seconds_em": round(seconds, 3),
        "reference_topic": num_topics - 1, "missing_seed_words": {}, "num_keyed": 0,
    }
    return Fitted(tt, dt, ("",) * num_topics, ENGINE, model, settings,
                  tables={"covariates.csv": covariates, "prevalence_design.csv": design_table,
                          "prevalence_coefficients.csv": coefficients})


def semantic_coherence(topic_term: np.ndarray, terms, token_ids, n: int = 10) -> list[float]:
    """stm's ``semanticCoherence`` per topic (document co-occurrence of its top ``n`` terms; topica's
    Rust core, stm-exact), for any model's ``topic_term``. Only the top terms are passed on per unit
    (the score reads nothing else), so memory grows with units x top terms, not with tokens."""
    from topica.coherence import semantic_coherence as semcoh

    top = np.unique(np.argsort(-np.asarray(topic_term), axis=1)[:, :n])
    texts = [[terms[i] for i in np.intersect1d(ids, top)] for ids in token_ids]
    return [float(v) for v in semcoh(np.asarray(topic_term, dtype=np.float64), texts, vocabulary=list(terms), n=n)]


def load_model(run_path):
    """The topica STM of a run folder (``model/stm.topica``)."""
    from pathlib import Path

    import topica

    return topica.STM.load(str(Path(run_path) / "model" / MODEL_FILE))


def infer(run_path, terms, token_ids) -> np.ndarray:
    """Topic shares of new units from a run's saved STM, without refitting: (N, K), rows sum to 1.

    topica's ``STM.transform``: the variational E-step of each unit against the fitted topic-word
    distributions and topic covariance, with the covariate-free baseline prior learned at fit
    time (R stm's ``fitNewDocuments`` without new covariate data: the new documents' metadata
    does not enter). Deterministic (no sampling)."""
    model = load_model(run_path)
    theta = np.asarray(model.transform([[terms[i] for i in ids] for ids in token_ids]), dtype=np.float64)
    return theta / theta.sum(axis=1, keepdims=True)
