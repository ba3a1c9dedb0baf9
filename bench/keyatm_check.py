"""Is topica's covariate keyATM usable for keyed themes with prevalence covariates? (not a test)

The workbench refuses ``--themes`` with ``--model stm``; this script holds the measurements behind
that refusal, on topica's ``KeyATM`` fitted directly to the workbench's own preprocessing:

1. Seed paragraphs (as ``bench/seed_themes.py``): the three seed themes keyed, 12 free topics, the
   article (``doc_id``) as the covariate, 1,500 sweeps, 20 seeds; how often every theme's labelled
   paragraphs sit >= 0.6 on its keyed topic (keyed LDA: 19/20), the mean shares, seconds per fit.
2. Government work reports (examples/gov-reports, 865 sections): one keyed theme 反腐倡廉 (its seed
   words present in the vocabulary), 14 free topics, ``s(year)`` as the covariate, for a few prior
   variances of lambda; per fit whether the posterior mean θ (``doc_topic``) agrees with the chain's
   own θ draws (mean over topics of the correlation across units), how many topics have no share,
   the keyed topic's top words and its share by period from both, and the seconds.

    python bench/keyatm_check.py [--seeds 20] [--sweeps 1500] [--skip-seeds] [--skip-reports]
"""
from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path

import numpy as np
import topica

from workbench.models import stm
from workbench.models.themes import load_themes
from workbench.text.preprocess import CorpusConfig, prepare

ROOT = Path(__file__).resolve().parents[1]
LABELS = tomllib.loads((ROOT / "tests/fixtures/seed_theme_paragraphs.toml").read_text(encoding="utf-8"))
REPORTS = ROOT / "examples/gov-reports/gov_work_reports_national.jsonl"
ANTICORRUPTION = ["反腐败", "廉政", "纪检", "监察", "腐败", "廉洁", "反腐倡廉", "党风廉政", "惩治", "廉政建设", "腐败现象"]
PERIODS = [(1954, 1978), (1978, 1993), (1993, 2003), (2003, 2013), (2013, 2018), (2018, 2026)]


def _docs(corpus):
    terms = corpus.vocab.terms
    return [[terms[i] for i in ids] for ids in corpus.token_ids]


def seeds(n_seeds: int, sweeps: int, weights: str) -> None:
    corpus = prepare([ROOT / "seeds"], no_below=2, no_above=0.15, progress=False)
    rows = [[next(i for i, u in enumerate(corpus.units) if s in u.text) for s in snippets]
            for snippets in LABELS.values()]
    x, names = stm.design("doc_id", stm.covariate_frame(stm.unit_metadata(corpus), ["doc_id"]))
    themes = load_themes(ROOT / "seeds/themes.toml")
    vocab = set(corpus.vocab.terms)
    kw = {n: [w for w in ws if w in vocab] for n, ws in zip(themes.names, themes.words)}
    docs = _docs(corpus)
    shares, seconds = [], []
    for seed in range(n_seeds):
        t0 = time.perf_counter()
        m = topica.KeyATM(kw, num_topics=3 + 12, seed=seed).fit(docs, iters=sweeps, covariates=x,
                                                                  feature_names=names, weights=weights)
        seconds.append(time.perf_counter() - t0)
        dom = np.asarray(m.doc_topic).argmax(axis=1)
        shares.append([np.mean(dom[idx] == t) for t, idx in enumerate(rows)])
    s = np.array(shares)
    print(f"seeds, covariate keyATM ~ doc_id, weights={weights}, {sweeps} sweeps: every theme >= 0.6 on its keyed "
          f"topic in {int((s >= 0.6).all(axis=1).sum())}/{n_seeds} seeds; mean shares "
          + ", ".join(f"{t} {v:.2f}" for t, v in zip(LABELS, s.mean(axis=0)))
          + f"; {np.mean(seconds):.2f} s per fit", flush=True)


def reports(sweeps: int, prior_variances) -> None:
    corpus = prepare([REPORTS], CorpusConfig(unit="section"), no_below=2, no_above=0.15, progress=False,
                     store_path=ROOT / "bench/out/keyatm_check.sqlite")
    vocab = set(corpus.vocab.terms)
    kw = {"反腐倡廉": [w for w in ANTICORRUPTION if w in vocab]}
    data = stm.covariate_frame(stm.unit_metadata(corpus), ["year"])
    x, names = stm.design("s(year)", data)
    year = data["year"].to_numpy()
    docs = _docs(corpus)
    print(f"\ngovernment reports: {len(docs)} sections; keywords in the vocabulary: {'、'.join(kw['反腐倡廉'])} "
          f"(absent: {'、'.join(w for w in ANTICORRUPTION if w not in vocab)})")
    print("  periods: " + "  ".join(f"{a}-{b - 1}" for a, b in PERIODS))
    for pv in prior_variances:
        for covariates in (True, False):
            extra = {"covariates": x, "feature_names": names, "prior_variance": pv} if covariates else {}
            if not covariates and pv != prior_variances[0]:
                continue
            t0 = time.perf_counter()
            m = topica.KeyATM(kw, num_topics=15, seed=0).fit(docs, iters=sweeps, weights="none", **extra)
            seconds = time.perf_counter() - t0
            dt = np.asarray(m.doc_topic, dtype=float)
            draws = np.asarray(m.theta_draws, dtype=float).mean(axis=0)
            agree = np.nanmean([np.corrcoef(dt[:, k], draws[:, k])[0, 1] for k in range(dt.shape[1])])
            by = [(dt[(year >= a) & (year < b), 0].mean(), draws[(year >= a) & (year < b), 0].mean())
                  for a, b in PERIODS]
            name = f"s(year), prior variance {pv:g}" if covariates else "no covariates (base keyATM)"
            print(f"  {name}: {seconds:.0f} s; corr(doc_topic, mean θ draw) {agree:.2f}; topics with no share "
                  f"{int((dt.mean(axis=0) < 1e-3).sum())}; keyed topic's top words {' '.join(m.top_words(8, topic=0))}")
            print("    keyed share by period, doc_topic: " + "  ".join(f"{a:.3f}" for a, _ in by))
            print("    keyed share by period, θ draws:   " + "  ".join(f"{b:.3f}" for _, b in by), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sweeps", type=int, default=1500)
    ap.add_argument("--skip-seeds", action="store_true")
    ap.add_argument("--skip-reports", action="store_true")
    args = ap.parse_args()
    if not args.skip_seeds:
        for weights in ("none", "information-theory"):
            seeds(args.seeds, args.sweeps, weights)
    if not args.skip_reports:
        reports(args.sweeps, [1.0, 0.1, 0.01])


if __name__ == "__main__":
    main()
