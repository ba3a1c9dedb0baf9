"""Where would the stopping rule stop? Fixed-length chains traced, the rule replayed offline.

    python bench/convergence_trace.py --corpus xwlb --topics 30 --sweeps 600 --seeds 0 1
    python bench/convergence_trace.py --corpus thucnews --topics 10 --sweeps 2000 --seeds 0 1 2 3 4
    python bench/convergence_trace.py ... --set workers=2 --set parallel=partition --set optim_interval=10

Token lists as bench/samplers.py caches them (the workbench's own preprocessing). Each chain runs
``models.fit`` with ``iterations=--sweeps`` (fixed, so the whole trace is recorded: ll per token,
relative change of 50-sweep means, smallest top-10 overlap with 50 sweeps earlier, every 10
sweeps); then, for several (tol, top_overlap) pairs, prints the sweep at which the auto rule
(``models.convergence.Criterion``) would have stopped, and the ll per token there against the
chain's last value. With --score, also c_npmi (and NMI/purity for THUCNews) at those stops, from
separate auto fits. Results: bench/out/convergence/<corpus>_<tag>.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import samplers  # noqa: E402

from workbench import models  # noqa: E402
from workbench.models.convergence import Criterion  # noqa: E402
from workbench.text.vocabulary import Vocabulary  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "convergence"


def replay(trace, crit: Criterion):
    """The first sweep at which ``crit`` holds on a recorded trace (None: never)."""
    for s, ll, rel, ov, *_ in trace:
        if s >= crit.min_iterations and rel is not None and rel < crit.tol and ov is not None and ov >= crit.top_overlap:
            return s
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="xwlb", choices=list(samplers.CORPORA))
    ap.add_argument("--topics", type=int, default=30)
    ap.add_argument("--sweeps", type=int, default=600)
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    ap.add_argument("--tag", default="")
    args = ap.parse_args(argv)
    docs, terms, labels = samplers.load_tokens(args.corpus)
    ids = tuple(np.asarray(d, dtype=np.int32) for d in docs)
    vocab = Vocabulary(None, tuple(terms), np.zeros(len(terms), np.int64), np.zeros(len(terms), np.int64))
    over = {k: samplers_parse(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    rows = []
    for seed in args.seeds:
        cfg = dataclasses.replace(models.ModelConfig(num_topics=args.topics, random_state=seed,
                                                     iterations=args.sweeps), **over)
        w0, c0 = time.perf_counter(), time.process_time()
        f = models.fit(None, vocab, cfg, progress=False, token_ids=ids)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        trace = f.settings["convergence"]["trace"]
        final = trace[-1][1]
        stops = {}
        for tol in (1e-3, 5e-4, 2.5e-4, 1e-4):
            for ov in (10, 9, 8):
                s = replay(trace, Criterion(tol=tol, top_overlap=ov))
                ll = next((r[1] for r in trace if r[0] == s), None)
                stops[f"tol={tol:g},overlap>={ov}"] = [s, None if ll is None else round((ll - final) / abs(final), 5)]
        row = {"seed": seed, "settings": over, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
               "s_per_sweep": round(wall / args.sweeps, 4), "stops (sweep, ll rel. to last)": stops,
               "trace": trace, "alpha": f.settings["alpha"]}
        if labels is not None:
            row.update(samplers.label_scores(labels, f.doc_topic.argmax(axis=1)))
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "trace"}, ensure_ascii=False), flush=True)
        print("  " + " ".join(f"{r[0]}:{r[1]:.4f}/{r[2] if r[2] is None else round(r[2] * 1e4, 1)}/{r[3]}"
                              for r in trace if r[0] % 50 == 0), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{args.corpus}_{args.tag or 'run'}.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    return 0


def samplers_parse(v):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


if __name__ == "__main__":
    sys.exit(main())
