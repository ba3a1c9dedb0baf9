"""How close `workbench infer` comes to the trained shares when given the run's own training texts.

Trains the default run on the seeds (and, with --reports, an LDA run of the government work reports by
section, K=15), infers the same sources back at several numbers of Gibbs sweeps and prints, per
setting, the share of units whose dominant topic agrees and the mean absolute difference of the
shares (over every unit and topic). Seconds are wall-clock for the inference alone.

    .venv/bin/python bench/infer_agreement.py [--reports]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def agreement(trained, inferred) -> tuple[float, float, int]:
    m = trained.merge(inferred, on="unit_id", suffixes=("_a", "_b"))
    k = len([c for c in trained.columns if c.startswith("topic_")])
    a = m[[f"topic_{i}_a" for i in range(k)]].to_numpy()
    b = m[[f"topic_{i}_b" for i in range(k)]].to_numpy()
    return float((a.argmax(1) == b.argmax(1)).mean()), float(np.abs(a - b).mean()), len(m)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reports", action="store_true", help="also the government work reports by section (K=15)")
    p.add_argument("--iterations", default="100,200,500")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="infer-bench-"))
    os.environ.setdefault("WORKBENCH_STORE", str(tmp / "store.sqlite"))
    os.environ.setdefault("WORKBENCH_CACHE", str(tmp / "cache"))
    from workbench import engines
    from workbench.analysis import inference
    from workbench.models.lda import ModelConfig
    from workbench.runfolder import load_run
    from workbench.text.preprocess import CorpusConfig

    cases = [("seeds, paragraphs, K=12 (defaults)", [ROOT / "seeds"], CorpusConfig(), ModelConfig())]
    if args.reports:
        cases.append(("government work reports, sections, K=15",
                      [ROOT / "examples/gov-reports/gov_work_reports_national.jsonl"],
                      CorpusConfig(unit="section"), ModelConfig(num_topics=15)))
    print(f"{'corpus':45} {'sweeps':>6} {'units':>6} {'dominant agrees':>15} {'mean |diff|':>11} {'seconds':>8}")
    for name, sources, cc, mc in cases:
        run = engines.train(sources, corpus_config=cc, model_config=mc, out_dir=tmp / "runs", progress=False)
        trained = load_run(run).doc_topics
        for it in (int(x) for x in args.iterations.split(",")):
            t0 = time.perf_counter()
            result = inference.infer_run(run, sources, iterations=it, out=tmp / f"inferred-{it}.csv")
            seconds = time.perf_counter() - t0
            agree, mad, n = agreement(trained, result.doc_topics)
            print(f"{name:45} {it:>6} {n:>6} {agree:>15.3f} {mad:>11.4f} {seconds:>8.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
