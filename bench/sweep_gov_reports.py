"""Choosing K on real text: the sweep over the government work reports (not a test).

Runs ``workbench.analysis.sweep`` on the national and provincial government work reports in
/work/shared/corpora/gov-reports/ (see its SOURCE.md; the CPC congress reports are left out:
they are not work reports), cut into sections (``--unit section``: the text between 一、 /
（一） headings), for K in 5, 10, 15, 20, 30 and seeds 0, 1, 2, and prints the table, the
per-K summary and the recommendation.  The sweep folder goes to bench/out/ (git-ignored), with
its own store so the checkout's store is untouched.

    python bench/sweep_gov_reports.py [--iterations 1000] [--topics 5 10 15 20 30] [--seeds 0 1 2]

Cost on a 2-core machine: about 6 minutes at 1,000 Gibbs iterations (15 fits; 2,334 sections,
374,000 tokens with no_below=2, no_above=0.15).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from workbench.analysis import sweep
from workbench.models.lda import ModelConfig
from workbench.text import preprocess

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpora/gov-reports")
SOURCES = [CORPUS / "national/gov_work_reports_national.jsonl",
           CORPUS / "provincial/gov_work_reports_provincial_2025_2026.jsonl"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", nargs="+", type=int, default=list(sweep.DEFAULT_KS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--engine", default="tomotopy")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out")
    args = ap.parse_args()

    t0 = time.perf_counter()
    corpus_config = preprocess.CorpusConfig(unit="section")
    model_config = ModelConfig(engine=args.engine, iterations=args.iterations)
    corpus = preprocess.prepare(SOURCES, corpus_config, no_below=model_config.no_below,
                              no_above=model_config.no_above, store_path=args.out / "store.sqlite")
    t1 = time.perf_counter()
    print(f"corpus: {len(corpus.doc_ids)} documents, {len(corpus.unit_ids)} sections, "
          f"{len(corpus.vocab.terms)} terms, {int(corpus.n_tokens.sum())} tokens ({t1 - t0:.0f} s)")
    result = sweep.run_sweep(corpus, args.topics, args.seeds, model_config, progress=True)
    s = result.split
    print(f"split: {s['n_train_articles']} articles / {s['n_train_units']} sections trained on, "
          f"{s['n_test_articles']} articles / {s['n_test_units']} sections held out "
          f"({s['n_test_tokens']} tokens); sweep {result.seconds:.0f} s")
    m = model_config
    print(f"model: {m.engine}, {m.iterations} iterations, term_weight={m.term_weight}, alpha={m.alpha}, "
          f"eta={m.eta}, no_below={m.no_below}, no_above={m.no_above}")
    print()
    print(sweep.format_table(result.table))
    print()
    print(sweep.format_table(result.summary))
    print()
    print(result.reason)
    folder = sweep.write_sweep(result, args.out, config={"sources": [str(p) for p in SOURCES],
                                                         "corpus": {"unit": "section"}})
    print(folder)


if __name__ == "__main__":
    main()
