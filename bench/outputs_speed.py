"""Time and peak memory of the run folder's big outputs: doc_topics.csv, keywords.csv, c_npmi.

Prepares and trains once (tomotopy, K topics, 50 iterations), then writes doc_topics.csv and
keywords.csv and computes the manifest's c_npmi as ``runfolder.write_run`` does, recording each
step's seconds and the process's peak RSS (``ru_maxrss``) after it. Runs against whichever
``workbench`` is importable, so ``PYTHONPATH=<checkout of HEAD>`` measures the old code (whole
tables in memory, gensim's coherence) with the same script::

    WORKBENCH_STORE=$(mktemp -d)/s.sqlite WORKBENCH_CACHE=$(mktemp -d) \\
        python bench/outputs_speed.py FILES... --out results.json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--topics", type=int, default=30)
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--out", type=Path, help="append the result as one JSON line")
    args = ap.parse_args(argv)

    import workbench
    from workbench import files, models, runfolder
    from workbench.text import preprocess

    steps: dict[str, dict] = {}

    def step(name, fn):
        t = time.perf_counter()
        value = fn()
        steps[name] = {"seconds": round(time.perf_counter() - t, 3), "peak_mb": round(peak_mb(), 1)}
        return value

    corpus = step("prepare", lambda: preprocess.prepare(
        args.files, preprocess.CorpusConfig(unit="article"), no_below=5, no_above=0.5, progress=False))
    cfg = models.ModelConfig(num_topics=args.topics, iterations=args.iterations, no_below=5, no_above=0.5)
    fitted = step("fit", lambda: models.fit(corpus.bows, corpus.vocab, cfg, progress=False,
                                            token_ids=corpus.token_ids))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        step("doc_topics", lambda: runfolder.write_doc_topics(corpus, fitted.doc_topic, tmp / "doc_topics.csv"))
        step("keywords", lambda: files.write_csv_chunks(runfolder.keyword_chunks(corpus), tmp / "keywords.csv"))
        c = step("c_npmi", lambda: models.coherence(fitted.topic_term, corpus.vocab.terms, token_ids=corpus.token_ids))
    result = {"package": str(Path(workbench.__file__).parent), "files": [str(f) for f in args.files],
              "n_units": len(corpus.unit_ids), "n_tokens": int(corpus.n_tokens.sum()), "c_npmi": c[0],
              "steps": steps}
    print(json.dumps(result, ensure_ascii=False))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
