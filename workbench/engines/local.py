"""The local engine: prepare on this machine, fit, hand the arrays to the run-folder writer."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from workbench import models, paths, runfolder
from workbench.errors import PipelineError, UsageError
from workbench.progress import Stages
from workbench.text.preprocess import CorpusConfig, default_sources, prepare


def train(sources: Sequence[Path] | None = None, *, corpus_config: CorpusConfig = CorpusConfig(),
          model_config: models.ModelConfig = models.ModelConfig(), themes_file: Path | None = None,
          out_dir: Path | None = None, corpus_name: str | None = None, store_path: Path | None = None,
          progress: bool = True, figures=None, stm_config=None, dtm_config=None,
          store_wait: float | None = None, stages: Stages | None = None) -> Path:
    """Train on ``sources`` (default: the bundled seeds) or a named corpus of the store and write
    a run folder; return its path. ``figures``: see ``runfolder.RunArrays`` (the command line passes
    ``outputs.charts.write_run_figures``, which adds ``convergence.png``). With ``stm_config``
    (:class:`workbench.models.stm.StmConfig`) the model is a structural topic model with that
    prevalence formula instead of LDA; with ``dtm_config`` (:class:`workbench.models.dtm.DtmConfig`) a
    dynamic topic model over time slices. ``store_wait``: seconds to wait for another process's write
    to the store (``workbench.corpus.store.connect``). ``stages``: a
    :class:`workbench.progress.Stages` the caller has already timed stages in (the command line:
    start-up), else new ones; every stage's seconds go into the manifest's ``timings``, and with
    ``progress`` a stage longer than a second gets a line."""
    sources = default_sources(sources, corpus_name)
    if sources is not None:
        sources = [Path(s) for s in sources]
    if themes_file is not None and stm_config is not None:
        # topica 0.62's covariate keyATM was measured and not used: see bench/keyatm_check.py and README.
        raise UsageError("--themes with --model stm: keyed themes train keyed LDA (tomotopy seed-word priors); the "
                         "STM has no keyed topics and topica's covariate keyATM is not reliable here "
                         "(bench/keyatm_check.py). Drop --model stm and --prevalence, then `workbench effect RUN "
                         "--covariate COLUMN`; or drop --themes and name the STM's topics with `workbench label`")
    if themes_file is not None and dtm_config is not None:
        raise UsageError("--themes with --over-time: keyed themes train keyed LDA (tomotopy, each seed word's prior "
                         "on its theme's topic, as keyATM), not the dynamic topic model; drop --themes, or "
                         "--over-time")
    if dtm_config is not None and stm_config is not None:
        raise UsageError("--over-time with --prevalence: choose the dynamic topic model or the STM")
    themes = None
    if themes_file is not None:
        try:
            themes = models.load_themes(Path(themes_file))
        except ValueError as exc:
            raise PipelineError(str(exc)) from None
    stages = stages if stages is not None else Stages(progress)
    corpus = prepare(sources, corpus_config, corpus_name=corpus_name, no_below=model_config.no_below,
                     no_above=model_config.no_above, store_path=store_path, progress=progress, stages=stages,
                     store_wait=store_wait)
    models.check_topics(model_config.num_topics + (themes.k if themes else 0), len(corpus.token_ids),
                        len(corpus.vocab.terms), themes.k if themes else 0)
    t0 = time.perf_counter()
    # tomotopy, STM and DTM draw a bar of their sweeps; gensim's passes get a line
    with stages("train", "training (gensim)" if model_config.engine == "gensim" and stm_config is None
                and dtm_config is None else None):
        if stm_config is not None:
            from workbench.models import stm

            fitted = stm.fit_stm(corpus, model_config.num_topics, model_config.random_state, stm_config,
                                 progress=progress)
        elif dtm_config is not None:
            from workbench.models import dtm

            fitted = dtm.fit_dtm(corpus, model_config.num_topics, model_config.random_state, dtm_config,
                                 progress=progress)
        else:
            fitted = models.fit(corpus.bows, corpus.vocab, model_config, themes, progress=progress,
                                token_ids=corpus.token_ids)
    corpus.stats["seconds_train"] = round(time.perf_counter() - t0, 3)
    for name, words in fitted.settings.get("missing_seed_words", {}).items():
        logging.getLogger(__name__).warning("theme '%s': seed words not in the vocabulary: %s", name,
                                            "、".join(words))
    config = {"sources": [str(s) for s in sources] if sources else None, "corpus_name": corpus_name,
              "corpus": asdict(corpus_config), "model": asdict(model_config),
              **({"stm": asdict(stm_config)} if stm_config is not None else {}),
              **({"dtm": asdict(dtm_config)} if dtm_config is not None else {}),
              "themes_file": str(themes_file) if themes_file else None,
              "themes": {n: list(w) for n, w in zip(themes.names, themes.words)} if themes else None}
    arrays = run_arrays(corpus, fitted, config, themes_file, figures, stages=stages)
    return runfolder.write_run(arrays, out_dir or paths.runs_dir(), stages=stages)


def run_arrays(corpus, fitted: models.Fitted, config: dict, themes_file: Path | None = None,
               figures=None, stages: Stages | None = None) -> runfolder.RunArrays:
    """A local corpus (text.preprocess.Corpus) and its fitted model as the writer's input; the
    coherence scores are computed here (``stages`` gets their seconds as ``coherence``)."""
    from workbench.models.stm import semantic_coherence

    stages = stages or Stages()
    with stages("coherence", f"scoring the coherence of {fitted.topic_term.shape[0]} topics"):
        c_npmi, per_topic = models.coherence(fitted.topic_term, corpus.vocab.terms, token_ids=corpus.token_ids)
        semantic = semantic_coherence(fitted.topic_term, corpus.vocab.terms, corpus.token_ids)

    def save_model(folder: Path) -> None:
        if fitted.engine == "tomotopy":
            fitted.model.save(str(folder / "tomotopy.bin"), full=False)
        elif fitted.engine == "gensim":
            fitted.model.save(str(folder / "lda.model"))
        else:  # topica models save themselves in their own format
            fitted.model.save(str(folder / f"{fitted.engine}.topica"))

    n_tokens = corpus.n_tokens
    return runfolder.RunArrays(
        engine=fitted.engine, config=config, topic_term=fitted.topic_term, topic_names=fitted.topic_names,
        model_settings=fitted.settings,
        metrics={"c_npmi": c_npmi, "c_npmi_per_topic": per_topic, "ll_per_word": fitted.settings.get("ll_per_word"),
                 "semantic_coherence_per_topic": semantic},
        vocab=corpus.vocab, units=lambda: zip(corpus.unit_ids, corpus.token_ids),
        doc_topics=lambda: runfolder.doc_topic_blocks(corpus, fitted.doc_topic),
        meta_profile=runfolder.meta_profile(corpus), with_other_records=bool(runfolder.other_records(corpus)),
        keywords=lambda: runfolder.keyword_chunks(corpus),
        ldavis=(fitted.doc_topic, n_tokens), save_model=save_model, tokenizer_config=corpus.tokenizer_config,
        harvested=tuple(corpus.harvested), n_documents=len(corpus.doc_ids), n_units=len(corpus.unit_ids),
        n_tokens=int(n_tokens.sum()),
        ids=runfolder.CorpusIds(corpus.doc_ids, corpus.unit_ids, corpus.dropped_units),
        n_dropped_units=len(corpus.dropped_units), problems=tuple(corpus.problems), n_problems=len(corpus.problems),
        stats=corpus.stats, themes_file=themes_file, tables=fitted.tables, figures=figures)
