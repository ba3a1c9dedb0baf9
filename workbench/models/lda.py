"""LDA: tomotopy's collapsed Gibbs sampler or gensim's variational Bayes, with keyed topics.

Everything a run folder needs comes out as plain arrays (:class:`Fitted`), so tables, charts and
comparisons never depend on which engine trained the model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Sequence

import numpy as np

from workbench import checks
from workbench.errors import UsageError
from workbench.models.convergence import Criterion, Monitor
from workbench.models.themes import Themes
from workbench.text.vocabulary import Vocabulary

ENGINES = ("tomotopy", "gensim")


@dataclass(frozen=True)
class ModelConfig:
    """LDA settings. Names follow gensim where it has one.

    Defaults (chosen on the seed paragraphs with ``bench/seed_themes.py``, 20 random seeds; see
    README "Model defaults"): ``engine="tomotopy"``, its collapsed Gibbs sampler (gensim's
    variational LDA never gave all three seed themes a majority topic of their own);
    ``num_topics=12``; ``alpha=0.1`` symmetric and ``eta=0.01``: a paragraph holds few topics and
    a topic few words; ``iterations="auto"``: Gibbs sweeps until the chain has converged by
    ``convergence`` (:class:`~workbench.models.convergence.Criterion`: at least 200, at most 2,000
    sweeps), or a number of sweeps run exactly (gensim: ``passes=50``); ``no_below=2``: a
    term must occur in two units; ``no_above=0.15``: a term in more than 15% of the units
    (党建, 党员, 发展 in party-building news) names no theme and is dropped;
    ``term_weight="one"`` (tomotopy's IDF/PMI weighting is selectable). ``keyed_prior``: the
    topic-word prior a seed word gets on its keyed topic (``eta * 1e-3`` on the others), in
    pseudo-counts, see :func:`fit`. ``term_weight`` applies to tomotopy only.

    ``optim_interval``: every that many sweeps tomotopy re-estimates an asymmetric document-topic
    prior (Minka's fixed point, as MALLET's ``--optimize-interval``; Wallach, Mimno & McCallum
    2009), starting from ``alpha``; 0 keeps ``alpha`` symmetric and fixed. ``workers``: sampler
    threads and ``parallel`` tomotopy's scheme for them ("default", "copy_merge", "partition").
    Results depend on both: reruns are byte-identical for the same seed, ``workers`` and
    ``parallel`` (and tomotopy version and instruction set, recorded in the manifest).
    """

    engine: str = "tomotopy"
    num_topics: int = 12
    alpha: float = 0.1
    eta: float = 0.01
    iterations: int | str = "auto"
    passes: int = 50
    random_state: int = 0
    no_below: int = 2
    no_above: float = 0.15
    keyed_prior: float = 0.5
    workers: int = 1
    term_weight: str = "one"
    optim_interval: int = 0
    parallel: str = "default"
    convergence: Criterion = Criterion()

    BOUNDS: ClassVar[dict] = {
        "num_topics": checks.TOPICS, "alpha": checks.POSITIVE, "eta": checks.POSITIVE, "passes": checks.POSITIVE_INT,
        "random_state": checks.SEED, "no_below": checks.POSITIVE_INT, "no_above": checks.SHARE,
        "keyed_prior": checks.POSITIVE, "workers": checks.POSITIVE_INT, "optim_interval": checks.COUNT}

    def __post_init__(self):
        checks.check_fields(self, self.BOUNDS)
        it = self.iterations
        if not (it == "auto" or (isinstance(it, int) and not isinstance(it, bool) and it > 0)):
            raise ValueError(f"iterations must be 'auto' or a positive number of sweeps, not {it!r}")
        if self.parallel not in PARALLEL_SCHEMES:
            raise ValueError(f"unknown parallel scheme '{self.parallel}' (choose from {', '.join(PARALLEL_SCHEMES)})")


PARALLEL_SCHEMES = ("default", "copy_merge", "partition")


def check_topics(k: int, n_units: int, n_terms: int, keyed: int = 0) -> None:
    """Raise UsageError, before any training, when a model of ``k`` topics (``keyed`` of them keyed
    themes) cannot be fitted to ``n_units`` units over ``n_terms`` terms: a topic needs a unit and
    a term of its own, so K is at most both (and at most :data:`workbench.checks.MAX_TOPICS`)."""
    free = f"{k - keyed} + {keyed} keyed = {k}" if keyed else str(k)
    limit = min(n_units, n_terms)
    if k > limit:
        what = f"{n_units} units" if n_units <= n_terms else f"{n_terms} terms in the vocabulary"
        raise UsageError(f"--topics: {free} topics for {what}: a model can have at most {limit} topics here "
                         "(lower --topics)")


@dataclass(frozen=True)
class Fitted:
    """A trained model as arrays.

    ``topic_term`` (K, V): p(term | topic) over ``Vocabulary.terms``; ``doc_topic`` (N, K): dense
    p(topic | unit), rows sum to 1; ``topic_names``: theme names for keyed topics, "" for free
    ones; ``log_likelihood`` per token where the engine reports it; ``model`` the engine object;
    ``tables``: further tables the engine adds to the run folder (file name -> DataFrame).
    """

    topic_term: np.ndarray
    doc_topic: np.ndarray
    topic_names: tuple[str, ...]
    engine: str
    model: object = field(repr=False, compare=False)
    settings: dict = field(default_factory=dict, compare=False)
    tables: dict = field(default_factory=dict, compare=False, repr=False)


def fit(bows: Sequence[list[tuple[int, int]]], vocab: Vocabulary, config: ModelConfig,
        themes: Themes | None = None, progress: bool = True, token_ids=None) -> Fitted:
    """Train LDA on bag-of-words units (every unit must hold at least one token).

    ``bows`` is any re-iterable sequence of bags of words; ``token_ids`` (the same units as term-id
    arrays) lets tomotopy read the units without building bags.

    With ``themes``, topics ``0..T-1`` are keyed: each seed word present in the vocabulary gets
    prior ``keyed_prior`` on its theme's topic and ``eta * 1e-3`` on all others (keyATM's idea on
    the topic-word prior); ``config.num_topics`` free topics follow. Seed words absent from the
    vocabulary are reported in ``settings["missing_seed_words"]``.
    """
    if config.engine not in ENGINES:
        raise ValueError(f"unknown engine '{config.engine}' (choose from {', '.join(ENGINES)})")
    if token_ids is None and any(len(b) == 0 for b in bows):
        raise ValueError("every unit needs at least one token in the vocabulary")
    n_keyed = themes.k if themes else 0
    k = config.num_topics + n_keyed
    priors, missing = _seed_priors(vocab, config, themes)
    if config.engine == "tomotopy":
        fitted = _fit_tomotopy(bows, vocab, config, k, priors, progress, token_ids)
    else:
        fitted = _fit_gensim(bows, vocab, config, k, priors, progress)
    names = tuple(list(themes.names if themes else ()) + [""] * config.num_topics)
    settings = {**fitted[2], "missing_seed_words": missing, "num_keyed": n_keyed}
    return Fitted(fitted[0], fitted[1], names, config.engine, fitted[3], settings)


def _seed_priors(vocab: Vocabulary, config: ModelConfig, themes: Themes | None):
    priors: dict[int, dict[int, float]] = {}
    missing: dict[str, list[str]] = {}
    if not themes:
        return priors, missing
    index = {t: i for i, t in enumerate(vocab.terms)}
    for topic, (name, words) in enumerate(zip(themes.names, themes.words)):
        for w in words:
            if w in index:
                priors.setdefault(index[w], {})[topic] = config.keyed_prior
            else:
                missing.setdefault(name, []).append(w)
    return priors, missing


def _fit_tomotopy(bows, vocab, config, k, priors, progress, token_ids=None):
    import tomotopy as tp
    from tqdm import tqdm

    tw = {"one": tp.TermWeight.ONE, "idf": tp.TermWeight.IDF, "pmi": tp.TermWeight.PMI}[config.term_weight]
    mdl = tp.LDAModel(tw=tw, k=k, alpha=config.alpha, eta=config.eta, seed=config.random_state)
    for tid, topics in sorted(priors.items()):
        mdl.set_word_prior(vocab.terms[tid], [topics.get(t, config.eta * 1e-3) for t in range(k)])
    terms = vocab.terms
    if token_ids is not None:
        for ids in token_ids:
            mdl.add_doc([terms[i] for i in ids])
    else:
        for bow in bows:
            mdl.add_doc([terms[tid] for tid, n in bow for _ in range(n)])
    mdl.optim_interval = config.optim_interval
    mdl.burn_in = 0
    crit = config.convergence
    auto = config.iterations == "auto"
    total = crit.max_iterations if auto else config.iterations
    monitor = Monitor(crit)
    scheme = getattr(tp.ParallelScheme, config.parallel.upper())
    cols = None
    done = 0
    with tqdm(total=total, desc="training (Gibbs)", unit="it", disable=not progress, leave=False) as bar:
        while done < total:
            n = min(crit.check_every, total - done)
            mdl.train(n, workers=config.workers, parallel=scheme, show_progress=False)
            done += n
            bar.update(n)
            if cols is None:  # tomotopy's vocabulary order onto ours
                tp_index = {w: i for i, w in enumerate(mdl.used_vocabs)}
                cols = np.array([tp_index[t] for t in vocab.terms])
            top = np.argsort(-_topic_word(mdl, k, cols), axis=1, kind="stable")[:, :crit.top_n]
            if monitor.update(done, float(mdl.ll_per_word), top) and auto:
                break
    tt = _topic_word(mdl, k, cols)
    tt /= tt.sum(axis=1, keepdims=True)
    dt = np.array([doc.get_topic_dist() for doc in mdl.docs], dtype=np.float64)
    dt /= dt.sum(axis=1, keepdims=True)
    record = monitor.record()
    if not auto:
        record.update(stopped_by="iterations", criterion=f"fixed: {config.iterations} sweeps (the trace is "
                      f"checked against the auto rule: {crit.describe()})")
    settings = {"ll_per_word": float(mdl.ll_per_word), "iterations": done,
                "iterations_requested": config.iterations, "convergence": record,
                "alpha": [float(a) for a in np.atleast_1d(mdl.alpha)], "optim_interval": config.optim_interval,
                "workers": config.workers, "parallel": config.parallel, "tomotopy_isa": tp.isa,
                "results_depend_on": ["random_state", "workers", "parallel", "tomotopy version", "tomotopy_isa"]}
    return tt, dt, settings, mdl


def _topic_word(mdl, k, cols) -> np.ndarray:
    return np.array([mdl.get_topic_word_dist(t) for t in range(k)], dtype=np.float64)[:, cols]


def _fit_gensim(bows, vocab, config, k, priors, progress):
    from gensim.models import LdaModel

    eta = np.full((k, len(vocab.terms)), config.eta)
    for tid, topics in priors.items():
        eta[:, tid] = config.eta * 1e-3
        for t, p in topics.items():
            eta[t, tid] = p
    mdl = LdaModel(corpus=bows, id2word=vocab.dictionary, num_topics=k, alpha=np.full(k, config.alpha),
                   eta=eta, passes=config.passes, iterations=400, random_state=config.random_state,
                   eval_every=None, chunksize=max(min(len(bows), 2000), 1))
    tt = mdl.get_topics().astype(np.float64)
    tt /= tt.sum(axis=1, keepdims=True)
    gammas = []
    for i in range(0, len(bows), 2000):
        gamma, _ = mdl.inference(bows[i:i + 2000])
        gammas.append(gamma)
    gamma = np.vstack(gammas)
    dt = gamma / gamma.sum(axis=1, keepdims=True)
    bound = mdl.bound(bows)
    n_tokens = sum(n for b in bows for _, n in b)
    return tt, dt, {"ll_per_word": float(bound / max(n_tokens, 1)), "passes": config.passes}, mdl


#: Gibbs sweeps per new document in :func:`infer`, tomotopy's own default (see README
#: "Topic shares for new documents" for the agreement measured at 100, 200 and 500).
INFER_ITERATIONS = 100


def infer(model_dir, engine: str, terms: Sequence[str], token_ids, *, iterations: int = INFER_ITERATIONS,
          random_state: int = 0) -> np.ndarray:
    """Topic shares of new units from a saved LDA model, without retraining: (N, K), rows sum to 1.

    ``model_dir`` is a run folder's ``model/``; ``terms`` the run's vocabulary in column order and
    ``token_ids`` one array of term ids per unit (over ``terms``). tomotopy: ``LDAModel.infer``, each
    unit sampled alone (``together=False``) for ``iterations`` Gibbs sweeps against the saved
    topic-word counts, on one thread. It takes no seed: every unit's sampler starts from the saved
    model's own seed, so the same model and text give the same shares. gensim: the variational
    E-step (``LdaModel.inference``) with its random start seeded by ``random_state``.
    Cost: ``iterations`` x tokens per unit (tomotopy), a few hundred milliseconds per thousand
    paragraphs."""
    from pathlib import Path

    model_dir = Path(model_dir)
    if iterations < 1:
        raise ValueError(f"iterations must be positive, not {iterations}")
    if engine == "tomotopy":
        import tomotopy as tp

        mdl = tp.LDAModel.load(str(model_dir / "tomotopy.bin"))
        docs = [mdl.make_doc([terms[i] for i in ids]) for ids in token_ids]
        dists, _ = mdl.infer(docs, iterations=iterations, workers=1, together=False)
        theta = np.array(dists, dtype=np.float64).reshape(len(docs), mdl.k)
    elif engine == "gensim":
        from gensim.models import LdaModel

        mdl = LdaModel.load(str(model_dir / "lda.model"))
        mdl.random_state = np.random.RandomState(random_state)
        bows = [list(zip(*np.unique(ids, return_counts=True))) for ids in token_ids]
        theta, _ = mdl.inference([[(int(i), int(n)) for i, n in b] for b in bows])
    else:
        raise ValueError(f"no inference for engine {engine!r} here")
    return theta / theta.sum(axis=1, keepdims=True)
