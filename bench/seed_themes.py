"""How well do the three seed themes come apart? Trains on the seed paragraphs across seeds and
settings and prints, per setting, how often the three themes get distinct dominant topics and the
share of each theme's labelled paragraphs on its majority topic (or keyed topic with --themes).

    python bench/seed_themes.py [--engine tomotopy gensim] [--topics 6 8] [--seeds 0 1 2 3 4]
    python bench/seed_themes.py --defaults --seeds $(seq 0 19)            # the shipped ModelConfig defaults
    python bench/seed_themes.py --defaults --themes --prior 0.5 --seeds $(seq 0 19)   # keyed, defaults
    python bench/seed_themes.py --defaults --set eta=0.05 --set workers=2 --seeds $(seq 0 19)

``--defaults`` starts every setting from ``ModelConfig()`` (K, alpha, eta, iterations, no_below,
no_above, term weighting, workers, parallel scheme, alpha optimisation) instead of this script's
own historical defaults; ``--set FIELD=VALUE`` then overrides any ModelConfig field.
"""
from __future__ import annotations

import argparse
import tomllib
from collections import Counter
from dataclasses import replace
from pathlib import Path

from workbench.models.lda import ModelConfig, fit
from workbench.models.themes import load_themes
from workbench.text import preprocess

ROOT = Path(__file__).resolve().parents[1]
LABELS = tomllib.loads((ROOT / "tests/fixtures/seed_theme_paragraphs.toml").read_text(encoding="utf-8"))


def _value(v: str):
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def theme_rows(units):
    rows = {}
    for theme, snippets in LABELS.items():
        rows[theme] = []
        for s in snippets:
            hits = [i for i, u in enumerate(units) if s in u.text]
            assert len(hits) == 1, (s, hits)
            rows[theme].append(hits[0])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", nargs="+", default=["tomotopy", "gensim"])
    ap.add_argument("--topics", nargs="+", type=int, default=[6, 8])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--themes", action="store_true")
    ap.add_argument("--prior", nargs="+", type=float, default=[1.0])
    ap.add_argument("--alpha", type=float, default=0.1)
    ap.add_argument("--iterations", type=lambda v: v if v == "auto" else int(v), default=1000)
    ap.add_argument("--passes", type=int, default=50)
    ap.add_argument("--no-above", type=float, default=0.5)
    ap.add_argument("--no-below", type=int, default=2)
    ap.add_argument("--tw", default="idf")
    ap.add_argument("--eta", type=float, default=0.01)
    ap.add_argument("--defaults", action="store_true", help="start from ModelConfig() (see the docstring)")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    args = ap.parse_args()
    over = {k: _value(v) for k, v in (kv.split("=", 1) for kv in args.set)}
    if args.defaults:
        d = replace(ModelConfig(), **over)
        args.engine, args.alpha, args.eta, args.iterations = [d.engine], d.alpha, d.eta, d.iterations
        args.no_below, args.no_above, args.tw = d.no_below, d.no_above, d.term_weight
        if args.topics == [6, 8]:
            args.topics = [d.num_topics]
        if args.prior == [1.0]:
            args.prior = [d.keyed_prior]
    corpus = preprocess.prepare([ROOT / "seeds"], no_below=args.no_below, no_above=args.no_above, progress=False)
    rows = theme_rows(corpus.units)
    themes = load_themes(ROOT / "seeds/themes.toml") if args.themes else None
    for engine in args.engine:
        for k in args.topics:
            for prior in args.prior:
                distinct, passed, shares, sweeps = 0, 0, Counter(), []
                for seed in args.seeds:
                    cfg = ModelConfig(engine=engine, num_topics=k, random_state=seed, alpha=args.alpha,
                                      iterations=args.iterations, passes=args.passes, keyed_prior=prior, eta=args.eta,
                                      no_below=args.no_below, no_above=args.no_above, term_weight=args.tw)
                    cfg = replace(cfg, **{k: v for k, v in over.items() if k not in ("num_topics", "random_state")})
                    f = fit(corpus.bows, corpus.vocab, cfg, themes, progress=False, token_ids=corpus.token_ids)
                    dom = f.doc_topic.argmax(axis=1)
                    sweeps.append(f.settings.get("iterations"))
                    majors, ok = {}, True
                    for ti, (theme, idx) in enumerate(rows.items()):
                        c = Counter(int(dom[i]) for i in idx)
                        target = ti if themes else c.most_common(1)[0][0]
                        majors[theme] = target
                        share = c[target] / len(idx)
                        shares[theme] += share / len(args.seeds)
                        ok &= share >= (0.6 if themes else 0.5)
                    distinct += len(set(majors.values())) == len(majors)
                    passed += ok and len(set(majors.values())) == len(majors)
                print(f"engine={engine} K={k} prior={prior} {over or ''} sweeps {min(sweeps)}-{max(sweeps)}: distinct dominant topics in {distinct}/{len(args.seeds)} seeds, "
                      f"and each theme on its topic (>=0.5; keyed >=0.6) in {passed}; "
                      + ", ".join(f"{t} {s:.2f}" for t, s in shares.items()), flush=True)


if __name__ == "__main__":
    main()
