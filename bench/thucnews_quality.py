"""Do the default topics recover THUCNews's labels? NMI and purity over seeds, and end-to-end time.

    python bench/thucnews_quality.py                           # defaults, K=10, seeds 0-4
    python bench/thucnews_quality.py --set iterations=2000 --set optim_interval=0 --label before
    python bench/thucnews_quality.py --seeds 0 1 2 3 4 5 6 7 8 9
    python bench/thucnews_quality.py --end-to-end --runs 3     # `workbench train` with defaults, timed

Reads ../shared/corpora/thucnews-fulltext-1k/ in place (research-use licence: never copied into
the project): 1,000 Sina articles in 10 labelled classes. The corpus is prepared once as
``workbench train SOURCE --unit article`` would (the default tokenizer, filters and
``no_below``/``no_above``); then, per seed, ``models.fit`` with ``ModelConfig(num_topics=10,
random_state=seed)`` and the ``--set`` overrides (any ModelConfig field, e.g.
``iterations=300``). Per seed: NMI (scikit-learn's ``normalized_mutual_info_score``, arithmetic
mean) and purity of the dominant topic against the label, sweeps run, log-likelihood per token,
c_npmi and training seconds (wall and CPU). Printed: mean and sample sd over seeds.

``--end-to-end``: ``workbench train SOURCE --unit article --topics 10`` as a subprocess, cold
store and cache each run; wall seconds (imports included) and CPU seconds (user + system of the
child tree), medians over ``--runs``; NMI read back from the run folder's doc_topics.csv.
Results: bench/out/thucnews_quality/<label>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
if not SHARED.exists():
    SHARED = Path("/work/shared/corpora")
THUCNEWS = SHARED / "thucnews-fulltext-1k" / "thucnews_fulltext_1k.jsonl"
OUT = ROOT / "bench" / "out" / "thucnews_quality"


def label_scores(labels, dominant) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    labels, dominant = np.asarray(labels), np.asarray(dominant)
    purity = sum(np.unique(labels[dominant == t], return_counts=True)[1].max() for t in np.unique(dominant))
    return {"nmi": float(normalized_mutual_info_score(labels, dominant)), "purity": purity / len(labels)}


def parse_value(v: str):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def with_overrides(cfg, overrides: dict):
    """``dataclasses.replace`` that also takes ``convergence.window=100`` style nested fields."""
    nested = {k.split(".", 1)[1]: v for k, v in overrides.items() if k.startswith("convergence.")}
    flat = {k: v for k, v in overrides.items() if "." not in k}
    if nested:
        flat["convergence"] = dataclasses.replace(cfg.convergence, **nested)
    return dataclasses.replace(cfg, **flat)


def in_process(args) -> dict:
    from workbench import models
    from workbench.models import ModelConfig
    from workbench.text import preprocess as pipeline

    overrides = dict(kv.split("=", 1) for kv in args.set)
    overrides = {k: parse_value(v) for k, v in overrides.items()}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["WORKBENCH_CACHE"] = str(Path(tmp) / "cache")
        d = ModelConfig()
        corpus = pipeline.prepare([THUCNEWS], pipeline.CorpusConfig(unit="article"), no_below=d.no_below,
                                  no_above=d.no_above, store_path=Path(tmp) / "s.sqlite", progress=False)
        by_doc = {doc.doc_id: doc.meta.get("label", "") for doc in corpus.documents()}
    labels = [by_doc[x] for x in corpus.unit_doc_ids]
    rows = []
    for seed in args.seeds:
        cfg = with_overrides(ModelConfig(num_topics=args.topics, random_state=seed), overrides)
        w0, c0 = time.perf_counter(), time.process_time()
        f = models.fit(corpus.bows, corpus.vocab, cfg, progress=False, token_ids=corpus.token_ids)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        c, _ = models.coherence(f.topic_term, corpus.vocab.terms, token_ids=corpus.token_ids)
        row = {"seed": seed, **label_scores(labels, f.doc_topic.argmax(axis=1)), "c_npmi": c,
               "sweeps": f.settings.get("iterations"), "ll_per_word": f.settings.get("ll_per_word"),
               "train_wall_s": round(wall, 3), "train_cpu_s": round(cpu, 3)}
        rows.append(row)
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    return {"config": dataclasses.asdict(cfg) | {"random_state": "per seed"}, "overrides": overrides,
            "n_units": len(corpus.unit_ids), "runs": rows, "summary": summary(rows)}


def summary(rows) -> dict:
    out = {}
    for key in ("nmi", "purity", "c_npmi", "sweeps", "train_wall_s", "train_cpu_s", "wall_s", "cpu_s"):
        vals = [r[key] for r in rows if r.get(key) is not None]
        if vals:
            out[key] = {"mean": statistics.fmean(vals), "sd": statistics.stdev(vals) if len(vals) > 1 else 0.0,
                        "median": statistics.median(vals), "min": min(vals), "max": max(vals)}
    return out


def end_to_end(args) -> dict:
    import pandas as pd

    exe = str(Path(sys.executable).with_name("workbench"))
    rows = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "WORKBENCH_STORE": f"{tmp}/s.sqlite", "WORKBENCH_CACHE": f"{tmp}/cache"}
            cmd = [exe, "train", str(THUCNEWS), "--unit", "article", "--topics", str(args.topics), "--quiet",
                   "--out", f"{tmp}/runs", *args.extra]
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
            wall = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode != 0:
                raise SystemExit(p.stderr[-2000:])
            run = Path(p.stdout.strip().splitlines()[-1])
            m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
            dt = pd.read_csv(run / "doc_topics.csv", encoding="utf-8-sig", usecols=["label", "dominant_topic"])
            row = {"run": i, "wall_s": round(wall, 3),
                   "cpu_s": round(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime, 3),
                   **label_scores(dt["label"], dt["dominant_topic"]),
                   "sweeps": m["model_settings"].get("iterations"),
                   "seconds_train": m["corpus"]["stats"].get("seconds_train")}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {"command": "workbench train THUCNEWS --unit article --topics %d --quiet %s" % (args.topics, " ".join(args.extra)),
            "runs": rows, "summary": summary(rows)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--topics", type=int, default=10)
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a ModelConfig override")
    ap.add_argument("--end-to-end", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="(end to end) more train options")
    ap.add_argument("--label", default="")
    args = ap.parse_args(argv)
    if not THUCNEWS.exists():
        print(f"{THUCNEWS} is absent", file=sys.stderr)
        return 1
    res = end_to_end(args) if args.end_to_end else in_process(args)
    s = res["summary"]
    print("  ".join(f"{k} {v['mean']:.4f}±{v['sd']:.4f} (median {v['median']:.4f})" for k, v in s.items()))
    OUT.mkdir(parents=True, exist_ok=True)
    label = args.label or ("e2e" if args.end_to_end else "fit") + "".join("_" + kv for kv in args.set)
    (OUT / f"{label}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
