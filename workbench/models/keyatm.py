"""Keyed themes with prevalence covariates: the covariate keyATM (Eshima, Imai & Sasaki 2024),
fitted by topica's ``KeyATM`` (Rust core, collapsed Gibbs, validated by its authors against R
``keyATM``).

Each theme of a themes file is a keyword topic: a token of it comes either from a distribution over
the theme's seed words only or from the topic's full distribution (a per-topic switch, ``pi``),
which anchors the topic to its words; ``--topics`` free topics follow the keyed ones, as in keyed
LDA. The document-topic prior is a Dirichlet-multinomial regression on the prevalence design:
``alpha_dk = exp(x_d . lambda_k)`` (an intercept prepended), so the covariates shape each
document's own prior, as the STM's prevalence regression does on the logistic-normal scale. The
formula and its design are the STM's (:mod:`workbench.models.stm`).

The fit comes out as the arrays of :class:`workbench.models.lda.Fitted`: keyed topics first, named by
their theme; ``doc_topic`` is topica's posterior mean θ; the model keeps ``THETA_DRAWS`` thinned
MCMC snapshots of θ (saved with it), the posterior draws ``workbench effect`` composes over."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from workbench import checks
from workbench.errors import UsageError
from workbench.models import stm
from workbench.models.lda import Fitted
from workbench.models.themes import Themes

ENGINE = "keyatm"
MODEL_FILE = "keyatm.topica"  # topica's own binary format, not a pickle
WEIGHTS = ("none", "information-theory", "inv-freq")
#: θ snapshots kept from the chain (R keyATM's ``thinning`` over the sweeps after burn-in).
THETA_DRAWS = 25


@dataclass(frozen=True)
class KeyatmConfig:
    """Covariate keyATM settings; names follow R keyATM's where it has one.

    ``prevalence``: the formula over metadata columns (as the STM's). ``iterations``: Gibbs sweeps
    (R: ``iterations``, default 1500). ``weights``: keyATM's token weighting; ``"none"`` (every token
    counts once, as the workbench's LDA ``term_weight="one"``) is the default because on the seed
    paragraphs it kept each theme on its keyed topic in 14 of 20 seeds against 0 of 6 with R's
    default ``"information-theory"`` (``bench/seed_themes.py --keyatm``, README "Keyed themes with
    covariates"). ``burn_in``: sweeps before λ is first re-estimated (then every
    ``optimize_interval`` sweeps, by L-BFGS under a normal prior of variance ``prior_variance``).
    """

    prevalence: str
    iterations: int = 1500
    weights: str = "none"
    burn_in: int = 200
    optimize_interval: int = 50
    prior_variance: float = 1.0

    BOUNDS: ClassVar[dict] = {"iterations": checks.POSITIVE_INT, "burn_in": checks.COUNT,
                              "optimize_interval": checks.POSITIVE_INT, "prior_variance": checks.POSITIVE}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)
        if self.weights not in WEIGHTS:
            raise ValueError(f"unknown keyATM weighting {self.weights!r} (choose from {', '.join(WEIGHTS)})")


def keywords(themes: Themes, terms) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The themes' seed words present in the vocabulary (name -> words) and the absent ones (only
    themes that lost some). Raises :class:`UsageError` when a theme keeps none: a keyword topic needs
    at least one of its words in the vocabulary."""
    vocab = set(terms)
    kept, missing = {}, {}
    for name, words in zip(themes.names, themes.words):
        kept[name] = [w for w in words if w in vocab]
        gone = [w for w in words if w not in vocab]
        if gone:
            missing[name] = gone
        if not kept[name]:
            raise UsageError(f"theme '{name}': none of its seed words is in the vocabulary ({'、'.join(words)}); "
                             "keyATM needs at least one (check the words against `workbench terms`, or lower "
                             "--no-below)")
    return kept, missing


def fit_keyatm(corpus, num_free: int, random_state: int, config: KeyatmConfig, themes: Themes, *,
               progress: bool = True) -> Fitted:
    """Fit the covariate keyATM with ``themes`` as keyword topics and ``num_free`` free topics.

    Inputs: a prepared corpus (``workbench.text.preprocess.Corpus``), the number of free topics, the
    seed, the settings, the themes. Output: :class:`Fitted` with topics ``0..T-1`` the themes (named),
    ``topic_term`` over the corpus's vocabulary, ``doc_topic`` the posterior mean θ, ``model`` the
    topica KeyATM, and ``tables``: ``covariates.csv`` and ``prevalence_design.csv`` as an STM run
    writes them, and ``prevalence_coefficients.csv``: λ, one row per design term and topic (every
    topic: the Dirichlet regression has no reference topic), with its asymptotic standard error
    where topica gives one. λ is on the log-α scale, not a difference of topic shares.

    Cost: ``iterations`` sweeps over the tokens plus an L-BFGS step every ``optimize_interval``; on
    the 143 seed paragraphs 1,500 sweeps take under a second.
    """
    import topica

    formula = stm.normalize_formula(config.prevalence)
    meta = stm.unit_metadata(corpus)
    data = stm.covariate_frame(meta, stm.formula_columns(formula))
    x, names = stm.design(formula, data)
    terms = corpus.vocab.terms
    kept, missing = keywords(themes, terms)
    docs = [[terms[i] for i in ids] for ids in corpus.token_ids]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.iterations, desc="training (keyATM Gibbs)", unit="it", leave=False)

    def tick(i, total, info):
        if bar is not None:
            bar.n = min(int(i), config.iterations)
            bar.refresh()

    t0 = time.perf_counter()
    model = topica.KeyATM(kept, num_topics=themes.k + num_free, seed=random_state).fit(
        docs, iters=config.iterations, covariates=x, feature_names=names, weights=config.weights,
        burn_in=config.burn_in, optimize_interval=config.optimize_interval,
        prior_variance=config.prior_variance, keep_theta_draws=True, num_theta_draws=THETA_DRAWS,
        progress=tick if progress else None)
    if bar is not None:
        bar.close()
    seconds = time.perf_counter() - t0
    index = {w: i for i, w in enumerate(model.vocabulary)}
    tt = np.asarray(model.topic_word, dtype=np.float64)[:, [index[t] for t in terms]]
    tt /= tt.sum(axis=1, keepdims=True)
    dt = np.asarray(model.doc_topic, dtype=np.float64)
    dt /= dt.sum(axis=1, keepdims=True)
    lam = np.asarray(model.feature_effects, dtype=np.float64)  # (K, 1 + F), intercept first
    se = model.feature_effect_se
    se = np.full_like(lam, np.nan) if se is None else np.asarray(se, dtype=np.float64)
    coef_names = list(model.feature_names)
    coefficients = pd.DataFrame([{"term": coef_names[f], "topic": k, "coefficient": float(lam[k, f]),
                                  "std_error": float(se[k, f])}
                                 for k in range(lam.shape[0]) for f in range(lam.shape[1])])
    whole = {c: "int64" for c in data.columns if pd.api.types.is_float_dtype(data[c])
             and np.all(data[c] == np.round(data[c]))}
    # An article covariate (``doc_id``) is already the table's second column.
    covariates = pd.concat([meta[["unit_id", "doc_id"]],
                            data.astype(whole).drop(columns=["unit_id", "doc_id"], errors="ignore")], axis=1)
    design_table = pd.concat([meta[["unit_id"]], pd.DataFrame(x, columns=names)], axis=1)
    trace = list(model.log_likelihood_history)
    n_tokens = sum(len(d) for d in docs)
    settings = {
        "model": "keyATM (covariate): keyword topics with a Dirichlet-multinomial regression prior, topica KeyATM",
        "prevalence": formula, "prevalence_columns": list(data.columns),
        "covariate_kinds": {c: ("numeric" if pd.api.types.is_numeric_dtype(data[c]) else "categorical")
                            for c in data.columns},
        "design_columns": names, "iterations": config.iterations, "weights": config.weights,
        "theta_draws": THETA_DRAWS, "seconds_gibbs": round(seconds, 3),
        "keywords": kept, "keyword_rate": {n: float(r) for n, r in zip(themes.names, model.keyword_rate)},
        "log_likelihood": float(trace[-1][1]) if trace else None,
        "ll_per_word": float(trace[-1][1]) / max(n_tokens, 1) if trace else None,
        "missing_seed_words": missing, "num_keyed": themes.k,
    }
    return Fitted(tt, dt, tuple(themes.names) + ("",) * num_free, ENGINE, model, settings,
                  tables={"covariates.csv": covariates, "prevalence_design.csv": design_table,
                          "prevalence_coefficients.csv": coefficients})


def load_model(run_path):
    """The topica KeyATM of a run folder (``model/keyatm.topica``), with its θ draws."""
    from pathlib import Path

    import topica

    return topica.KeyATM.load(str(Path(run_path) / "model" / MODEL_FILE))


def theta_draws(run_path, nsims: int) -> np.ndarray:
    """``(nsims, units, K)`` posterior draws of θ: ``nsims`` of the run's retained MCMC snapshots,
    evenly spaced along the chain. Raises :class:`UsageError` when the run kept fewer."""
    draws = load_model(run_path).theta_draws
    if draws is None or not len(draws):
        raise UsageError(f"{run_path}: the keyATM model kept no θ draws (refit it)")
    draws = np.asarray(draws, dtype=np.float64)
    if nsims > len(draws):
        raise UsageError(f"--nsims {nsims}: the keyATM run kept {len(draws)} θ draws from its chain; "
                         f"use --nsims {len(draws)} or fewer")
    pick = np.round(np.linspace(0, len(draws) - 1, nsims)).astype(int)
    out = draws[pick]
    return out / out.sum(axis=2, keepdims=True)
