"""Which Gibbs sampler? The same token lists for every engine, traced sweep by sweep.

    python bench/samplers.py --corpus xwlb --sweeps 600 --block 25            # default set of engines
    python bench/samplers.py --corpus xwlb --engines tp1 tp2-partition topica1 --sweeps 300
    python bench/samplers.py --corpus thucnews --topics 10 --sweeps 1000

The corpus is prepared once by ``workbench.text.preprocess.prepare`` (article units, the workbench's
tokenizer and filters; ``--no-below 5 --no-above 0.5`` for xinwenlianbo as in bench/perf.py, the
defaults for THUCNews) and cached as term-id arrays in ``bench/out/samplers/tokens_<corpus>.npz``.
Each engine then trains in blocks of ``--block`` sweeps; after every block this records the wall
and CPU seconds of the process so far (``time.process_time``: every thread's CPU) and the engine's own
log-likelihood per token. At the end (and at ``--checkpoints``) every engine's phi and theta are scored
the same way: c_npmi (``models.coherence``), a common log-likelihood per token
``mean log(theta_d . phi_w)`` over the training tokens, and, for THUCNews, NMI and purity of the
dominant topic against the label. The engine's own log-likelihoods differ in definition between
engines; the common one does not.

Engines: ``tp1`` tomotopy 1 worker; ``tp2-copy``/``tp2-partition`` 2 workers with
``ParallelScheme.COPY_MERGE``/``PARTITION``; ``tp1-opt`` 1 worker with ``optim_interval=10``
(asymmetric alpha); ``topica1``/``topica2`` topica 0.62 SparseLDA with 1/2 threads (its alpha
optimisation off, ``use_symmetric_alpha=True``, for equal priors; ``topica1-opt`` with it on);
``topica-light`` its LightLDA sampler; ``mallet`` pyrmallet. One fresh chain per engine, seed
``--seed``; a determinism check repeats an engine (``--repeat``) and compares sha256 of phi.
Results: ``bench/out/samplers/<corpus>_<tag>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpora"
if not SHARED.exists():
    SHARED = Path("/work/shared/corpora")
OUT = ROOT / "bench" / "out" / "samplers"
CORPORA = {
    "xwlb": (sorted((SHARED / "xinwenlianbo").glob("xinwenlianbo_20*.jsonl")), 5, 0.5),
    "xwlb1y": ([SHARED / "xinwenlianbo" / "xinwenlianbo_2023.jsonl"], 5, 0.5),
    "thucnews": ([SHARED / "thucnews-fulltext-1k" / "thucnews_fulltext_1k.jsonl"], 2, 0.15),
}


def load_tokens(name: str):
    """(token id arrays, terms, labels or None), prepared once and cached."""
    OUT.mkdir(parents=True, exist_ok=True)
    cache = OUT / f"tokens_{name}.npz"
    if not cache.exists():
        from workbench.text import preprocess as pipeline

        files, no_below, no_above = CORPORA[name]
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["WORKBENCH_CACHE"] = str(Path(tmp) / "cache")
            corpus = pipeline.prepare(files, pipeline.CorpusConfig(unit="article"), no_below=no_below,
                                      no_above=no_above, store_path=Path(tmp) / "s.sqlite", progress=False)
            labels = None
            if name == "thucnews":
                by_doc = {d.doc_id: d.meta.get("label", "") for d in corpus.documents()}
                labels = np.array([by_doc[d] for d in corpus.unit_doc_ids])
        lengths = np.array([len(t) for t in corpus.token_ids], dtype=np.int64)
        np.savez(cache, ids=np.concatenate(corpus.token_ids), lengths=lengths,
                 terms=np.array(corpus.vocab.terms), labels=labels if labels is not None else np.array([]))
    z = np.load(cache, allow_pickle=False)
    docs = np.split(z["ids"], np.cumsum(z["lengths"])[:-1])
    labels = z["labels"] if len(z["labels"]) else None
    return docs, [str(t) for t in z["terms"]], labels


def common_ll(docs, phi, theta) -> float:
    """Mean over training tokens of log(theta_d . phi_w): one definition for every engine."""
    total, n = 0.0, 0
    for start in range(0, len(docs), 2000):
        chunk = docs[start:start + 2000]
        rows = np.repeat(np.arange(len(chunk)), [len(d) for d in chunk])
        cols = np.concatenate(chunk)
        p = np.einsum("ij,ji->i", theta[start + rows], phi[:, cols])
        total += float(np.log(np.maximum(p, 1e-300)).sum())
        n += len(cols)
    return total / n


def score(docs, terms, labels, phi, theta) -> dict:
    from workbench import models

    phi = phi / phi.sum(axis=1, keepdims=True)
    theta = theta / theta.sum(axis=1, keepdims=True)
    c, _ = models.coherence(phi, terms, token_ids=docs)
    out = {"c_npmi": round(c, 4), "common_ll_per_token": round(common_ll(docs, phi, theta), 5),
           "phi_sha256": hashlib.sha256(np.ascontiguousarray(phi).tobytes()).hexdigest()[:16]}
    if labels is not None:
        out.update(label_scores(labels, theta.argmax(axis=1)))
    return out


def label_scores(labels, dominant) -> dict:
    from sklearn.metrics import normalized_mutual_info_score

    purity = 0
    for t in np.unique(dominant):
        _, counts = np.unique(labels[dominant == t], return_counts=True)
        purity += counts.max()
    return {"nmi": round(float(normalized_mutual_info_score(labels, dominant)), 4),
            "purity": round(purity / len(labels), 4)}


class Clock:
    def __init__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()

    def __call__(self):
        return round(time.perf_counter() - self.w0, 3), round(time.process_time() - self.c0, 3)


def run_tomotopy(docs, terms, k, sweeps, block, seed, checkpoints, workers=1, scheme="DEFAULT", optim=0,
                 alpha=0.1, eta=0.01):
    import tomotopy as tp

    clock = Clock()
    mdl = tp.LDAModel(k=k, alpha=alpha, eta=eta, seed=seed)
    for d in docs:
        mdl.add_doc([terms[i] for i in d])
    mdl.optim_interval = optim
    mdl.burn_in = 0
    trace, snaps, done = [], {}, 0
    cols = None
    ps = getattr(tp.ParallelScheme, scheme)
    while done < sweeps:
        n = min(block, sweeps - done)
        mdl.train(n, workers=workers, parallel=ps, show_progress=False)
        done += n
        w, c = clock()
        trace.append({"sweeps": done, "wall_s": w, "cpu_s": c, "ll_per_token": float(mdl.ll_per_word)})
        if done in checkpoints or done == sweeps:
            if cols is None:
                idx = {t: i for i, t in enumerate(mdl.used_vocabs)}
                cols = np.array([idx[t] for t in terms])
            phi = np.array([mdl.get_topic_word_dist(t) for t in range(k)], dtype=np.float64)[:, cols]
            theta = np.array([d.get_topic_dist() for d in mdl.docs], dtype=np.float64)
            snaps[done] = (phi, theta)
    extra = {"alpha": [round(float(a), 4) for a in np.atleast_1d(mdl.alpha)]}
    return trace, snaps, extra


def run_topica(docs, terms, k, sweeps, block, seed, checkpoints, threads=1, sampler="sparse", optimize=False):
    import topica

    clock = Clock()
    corpus = topica.Corpus.from_documents([[terms[i] for i in d] for d in docs])
    # topica's vocabulary order may differ from ours
    vocab = list(corpus.vocabulary)
    index = {t: i for i, t in enumerate(vocab)}
    cols = np.array([index[t] for t in terms])
    trace, snaps = [], {}
    # topica cannot resume a chain between fit() calls; one fit, traced by its progress callback.
    marks = []

    def progress(it, total, info):
        w, c = clock()
        marks.append({"sweeps": int(it), "wall_s": w, "cpu_s": c, "ll_per_token": float(info.get("ll", float("nan")))})

    targets = sorted(set([s for s in checkpoints if s < sweeps] + [sweeps]))
    for s in targets:
        lda = topica.LDA(k, alpha_sum=0.1 * k, beta=0.01, optimize_interval=10 if optimize else 0, burn_in=0,
                         seed=seed, num_threads=threads, sampler=sampler, use_symmetric_alpha=not optimize)
        marks.clear()
        t0 = clock()
        lda.fit(corpus, iters=s, num_samples=1, progress=progress, progress_interval=block, keep_theta_draws=False)
        if s == sweeps:
            trace = list(marks)
            w, c = clock()
            trace.append({"sweeps": s, "wall_s": w - t0[0], "cpu_s": c - t0[1],
                          "ll_per_token": float(lda.log_likelihood()) / sum(len(d) for d in docs)})
        phi = np.asarray(lda.topic_word, dtype=np.float64)[:, cols]
        theta = np.asarray(lda.doc_topic, dtype=np.float64)
        snaps[s] = (phi, theta)
    return trace, snaps, {"alpha": [round(float(a), 4) for a in np.atleast_1d(lda.alpha)]}


def run_mallet(docs, terms, k, sweeps, block, seed, checkpoints):
    from pyrmallet import LatentDirichletAllocation

    clock = Clock()
    marks = []

    def cb(it, total, ll):
        w, c = clock()
        marks.append({"sweeps": int(it), "wall_s": w, "cpu_s": c, "ll_per_token": float(ll)})

    texts = [" ".join(terms[i] for i in d) for d in docs]
    lda = LatentDirichletAllocation(n_components=k, doc_topic_prior=0.1 * k, topic_word_prior=0.01, max_iter=sweeps,
                                    random_state=seed, callback=cb, callback_interval=block, optimize_interval=0,
                                    num_samples=1, burn_in=0)
    lda.fit(texts)
    vocab = [str(t) for t in lda.feature_names_in_]
    index = {t: i for i, t in enumerate(vocab)}
    missing = [t for t in terms if t not in index]
    phi = np.zeros((k, len(terms)))
    present = [j for j, t in enumerate(terms) if t in index]
    phi[:, present] = np.asarray(lda.components_, dtype=np.float64)[:, [index[terms[j]] for j in present]]
    phi += 1e-12
    theta = np.asarray(lda.doc_topic_distributions_, dtype=np.float64)
    w, c = clock()
    marks.append({"sweeps": sweeps, "wall_s": w, "cpu_s": c, "ll_per_token": float("nan")})
    return marks, {sweeps: (phi, theta)}, {"terms_missing": len(missing)}


ENGINES = {
    "tp1": lambda *a: run_tomotopy(*a, workers=1),
    "tp2-copy": lambda *a: run_tomotopy(*a, workers=2, scheme="COPY_MERGE"),
    "tp2-partition": lambda *a: run_tomotopy(*a, workers=2, scheme="PARTITION"),
    "tp1-opt": lambda *a: run_tomotopy(*a, workers=1, optim=10),
    "tp2-partition-opt": lambda *a: run_tomotopy(*a, workers=2, scheme="PARTITION", optim=10),
    "topica1": lambda *a: run_topica(*a, threads=1),
    "topica2": lambda *a: run_topica(*a, threads=2),
    "topica1-opt": lambda *a: run_topica(*a, threads=1, optimize=True),
    "topica-light": lambda *a: run_topica(*a, threads=1, sampler="lightlda"),
    "mallet": run_mallet,
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=list(CORPORA), default="xwlb")
    ap.add_argument("--engines", nargs="+", default=["tp1", "tp2-copy", "tp2-partition", "topica1", "mallet"])
    ap.add_argument("--topics", type=int, default=30)
    ap.add_argument("--sweeps", type=int, default=400)
    ap.add_argument("--block", type=int, default=25)
    ap.add_argument("--checkpoints", nargs="*", type=int, default=[])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine (2+: determinism check)")
    ap.add_argument("--tag", default="")
    args = ap.parse_args(argv)
    docs, terms, labels = load_tokens(args.corpus)
    n_tok = sum(len(d) for d in docs)
    print(f"{args.corpus}: {len(docs)} units, {len(terms)} terms, {n_tok} tokens", flush=True)
    results = []
    for rep in range(args.repeat):
        for name in args.engines:
            t0 = time.perf_counter()
            trace, snaps, extra = ENGINES[name](docs, terms, args.topics, args.sweeps, args.block, args.seed,
                                                set(args.checkpoints))
            last = trace[-1]
            row = {"engine": name, "rep": rep, "sweeps": args.sweeps, "wall_s": last["wall_s"], "cpu_s": last["cpu_s"],
                   "cpu_s_per_sweep_per_mtok": round(last["cpu_s"] / args.sweeps / (n_tok / 1e6), 4),
                   "checkpoints": {s: score(docs, terms, labels, *snaps[s]) for s in sorted(snaps)},
                   "trace": trace, **extra}
            results.append(row)
            fin = row["checkpoints"][max(snaps)]
            print(json.dumps({k: v for k, v in row.items() if k not in ("trace", "checkpoints")} | fin,
                             ensure_ascii=False), f"({time.perf_counter() - t0:.0f} s)", flush=True)
            (OUT / f"{args.corpus}_{args.tag or 'run'}.json").write_text(json.dumps(
                {"corpus": args.corpus, "n_units": len(docs), "n_terms": len(terms), "n_tokens": n_tok,
                 "topics": args.topics, "seed": args.seed, "results": results}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
