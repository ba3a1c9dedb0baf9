"""Topics over time on the shipped government work reports: topica's DTM against tomotopy's DTModel
(not a test).

Prepares examples/gov-reports (72 records cut into sections, the workbench's tokenizer and vocabulary
rule, its own store under bench/out/) once, then fits K = 15 topics over the slices starting 1954,
1978, 1993, 2003, 2013 with each engine and setting, and prints per fit:

- wall and CPU seconds of the fit alone;
- continuity: the mean share of a topic's top 10 terms that it keeps from one slice to the next
  (a dynamic topic keeps its identity; 1.0 is a static topic);
- tracking: for terms whose use changed over the decades (阶级斗争, 市场经济, 反腐败, 脱贫攻坚,
  全面从严治党), the rank correlation across slices between the term's probability in its topic and
  its raw rate in the slice's text, and the leak: its probability in the slices where the text never
  uses it, as a share of its peak (0 is right: the model should not put the term where it is absent);
- the trajectories of those terms, and the top terms per slice of the topic that holds 全面从严治党.

    python bench/dtm_gov_reports.py [--topics 15] [--seed 0] [--only TEXT]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.corpus.dates import parse_years
from workbench.models import dtm
from workbench.models.stm import unit_metadata
from workbench.text.preprocess import CorpusConfig, prepare

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "examples/gov-reports/gov_work_reports_national.jsonl"
SLICES = (1954, 1978, 1993, 2003, 2013)
WORDS = ["阶级斗争", "市场经济", "反腐败", "脱贫攻坚", "全面从严治党"]


def fit_topica(corpus, k, seed, **settings):
    fitted = dtm.fit_dtm(corpus, k, seed, dtm.DtmConfig(slices=SLICES, **settings), progress=False)
    model = fitted.model
    where = {w: i for i, w in enumerate(model.vocabulary)}
    cols = [where[t] for t in corpus.vocab.terms]
    return np.stack([np.asarray(model.topic_word(t))[:, cols] for t in range(len(SLICES))])


def fit_tomotopy(corpus, k, seed, slice_index, iterations=1000, **settings):
    import tomotopy as tp

    terms = corpus.vocab.terms
    mdl = tp.DTModel(k=k, t=len(SLICES), seed=seed, **settings)
    for ids, s in zip(corpus.token_ids, slice_index):
        mdl.add_doc([terms[i] for i in ids], timepoint=int(s))
    mdl.train(iterations, workers=1)
    where = {w: i for i, w in enumerate(mdl.used_vocabs)}
    cols = [where[t] for t in terms]
    return np.array([[np.asarray(mdl.get_topic_word_dist(j, timepoint=s))[cols] for j in range(k)]
                     for s in range(len(SLICES))])


def spearman(a, b) -> float:
    ra, rb = pd.Series(a).rank().to_numpy(), pd.Series(b).rank().to_numpy()
    return float(np.corrcoef(ra, rb)[0, 1]) if ra.std() and rb.std() else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="run only the fits whose name contains this text, e.g. tomotopy or 0.5")
    args = ap.parse_args()
    out = ROOT / "bench/out/dtm_gov_reports"
    out.mkdir(parents=True, exist_ok=True)
    corpus = prepare([SOURCE], CorpusConfig(unit="section"), no_below=2, no_above=0.15,
                     store_path=out / "store.sqlite", progress=False)
    terms = corpus.vocab.terms
    index = {t: i for i, t in enumerate(terms)}
    years = parse_years(unit_metadata(corpus)["date"]).to_numpy(float)
    slice_index, slices = dtm.assign_slices(pd.Series(years), SLICES)
    rate = np.zeros((len(SLICES), len(terms)))
    for ids, s in zip(corpus.token_ids, slice_index):
        rate[s] += np.bincount(ids, minlength=len(terms))
    rate /= rate.sum(axis=1, keepdims=True)
    print(f"{len(corpus.unit_ids)} sections, {len(terms)} terms, {int(corpus.n_tokens.sum())} tokens; slices "
          + ", ".join(f"{r.period} ({r.n_units})" for r in slices.itertuples()))
    fits = [("topica DTM, workbench default (spectral, chain_variance 1.0, 20 EM)", "topica", {}),
            ("topica DTM, chain_variance 0.5", "topica", {"chain_variance": 0.5}),
            ("topica DTM, chain_variance 0.2", "topica", {"chain_variance": 0.2}),
            ("topica DTM, topica's defaults (random init, chain_variance 0.005)", "topica",
             {"init": "random", "chain_variance": 0.005}),
            ("tomotopy DTModel, defaults (phi_var 0.1), 1000 sweeps", "tomotopy", {}),
            ("tomotopy DTModel, phi_var 0.01, 1000 sweeps", "tomotopy", {"phi_var": 0.01})]
    for name, engine, settings in fits:
        if args.only and args.only not in name:
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        if engine == "topica":
            tw = fit_topica(corpus, args.topics, args.seed, **settings)
        else:
            tw = fit_tomotopy(corpus, args.topics, args.seed, slice_index, **settings)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        tw = tw / tw.sum(axis=2, keepdims=True)
        top = np.argsort(-tw, axis=2)[:, :, :10]
        keep = np.mean([len(set(top[s, k]) & set(top[s + 1, k])) / 10
                        for k in range(args.topics) for s in range(len(SLICES) - 1)])
        print(f"\n{name}: {wall:.0f} s wall, {cpu:.0f} s CPU; continuity {keep:.2f}")
        for w in WORDS:
            j = index[w]
            k = int(np.argmax(tw[:, :, j].sum(axis=0)))
            p = tw[:, k, j]
            absent = rate[:, j] == 0
            leak = float(p[absent].max() / p.max()) if absent.any() else float("nan")
            print(f"  {w:<8} topic {k:>2}: " + " ".join(f"{v:.4f}" for v in p)
                  + f"  (text {' '.join(f'{1e4 * v:.1f}' for v in rate[:, j])} per 10k) rho {spearman(p, rate[:, j]):+.2f}"
                  + (f" leak {leak:.2f}" if absent.any() else ""))
        k = int(np.argmax(tw[:, :, index["全面从严治党"]].sum(axis=0)))
        print(f"  topic {k} (holds 全面从严治党) per slice:")
        for s, r in enumerate(slices.itertuples()):
            print(f"    {r.period:<10} {' '.join(terms[i] for i in top[s, k][:8])}")


if __name__ == "__main__":
    main()
