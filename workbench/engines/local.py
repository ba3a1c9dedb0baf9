"""The local engine: prepare on this machine, fit, write the run folder."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from workbench import models, paths, runfolder
from workbench.errors import PipelineError
from workbench.text.preprocess import CorpusConfig, prepare


def train(sources: Sequence[Path] | None = None, *, corpus_config: CorpusConfig = CorpusConfig(),
          model_config: models.ModelConfig = models.ModelConfig(), themes_file: Path | None = None,
          out_dir: Path | None = None, corpus_name: str | None = None, store_path: Path | None = None,
          progress: bool = True, figures=None, stm_config=None) -> Path:
    """Train on ``sources`` (default: the bundled seeds) or a named corpus of the store and write
    a run folder; return its path. ``figures``: see ``runfolder.write_run`` (the command line passes
    ``outputs.charts.write_run_figures``, which adds ``convergence.png``). With ``stm_config``
    (:class:`workbench.models.stm.StmConfig`) the model is a structural topic model with that
    prevalence formula instead of LDA."""
    if corpus_name is None:
        sources = [Path(s) for s in (sources or [paths.seeds_dir()])]
    if stm_config is not None and themes_file is not None:
        raise PipelineError("--themes with --model stm: keyed topics are not available for the structural "
                            "topic model yet (train keyed LDA, or STM without --themes)")
    themes = None
    if themes_file is not None:
        try:
            themes = models.load_themes(Path(themes_file))
        except ValueError as exc:
            raise PipelineError(str(exc)) from None
    corpus = prepare(sources, corpus_config, corpus_name=corpus_name, no_below=model_config.no_below,
                     no_above=model_config.no_above, store_path=store_path, progress=progress)
    t0 = time.perf_counter()
    if stm_config is not None:
        from workbench.models import stm

        fitted = stm.fit_stm(corpus, model_config.num_topics, model_config.random_state, stm_config,
                             progress=progress)
    else:
        fitted = models.fit(corpus.bows, corpus.vocab, model_config, themes, progress=progress,
                            token_ids=corpus.token_ids)
    corpus.stats["seconds_train"] = round(time.perf_counter() - t0, 3)
    for name, words in fitted.settings.get("missing_seed_words", {}).items():
        print(f"workbench: theme '{name}': seed words not in the vocabulary: {'、'.join(words)}",
              file=sys.stderr)
    return runfolder.write_run(
        corpus=corpus, fitted=fitted, out_dir=out_dir or paths.runs_dir(),
        config={"sources": [str(s) for s in sources] if sources else None, "corpus_name": corpus_name,
                "corpus": asdict(corpus_config), "model": asdict(model_config),
                **({"stm": asdict(stm_config)} if stm_config is not None else {}),
                "themes_file": str(themes_file) if themes_file else None,
                "themes": {n: list(w) for n, w in zip(themes.names, themes.words)} if themes else None},
        themes_file=themes_file, figures=figures,
    )
