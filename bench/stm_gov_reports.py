"""The structural topic model on the shipped government work reports, against the workbench's LDA and
its bootstrap prevalence (not a test).

Trains on examples/gov-reports (72 records, cut into sections): an STM with ``--prevalence "s(year)"``
and the default LDA, both K = 15 and seed 0, into bench/out/ with their own store. For the
anti-corruption topic of each (found by the cue words of README's tour), prints per period

- the bootstrap prevalence (``workbench prevalence``: token-weighted share, articles resampled),
- the composition effect of year (``workbench effect --covariate year``), the curve averaged over the
  period's years, with the mean width of its 95% band and of the OLS band on the point θ,

and the seconds each step took.

    python bench/stm_gov_reports.py [--topics 15] [--seed 0]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench import engines
from workbench.analysis import covariates, timeline
from workbench.models.lda import ModelConfig
from workbench.models.stm import StmConfig
from workbench.runfolder import load_run
from workbench.text.preprocess import CorpusConfig

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "examples/gov-reports/gov_work_reports_national.jsonl"
CUE = ["反腐败", "腐败", "纪检", "监察", "反腐"]
PERIODS = [1954, 1978, 1993, 2003, 2013, 2018]


def period_of(years: pd.Series) -> pd.Series:
    edges = np.array(PERIODS[1:])
    names = [f"{a}-{b - 1}" for a, b in zip(PERIODS, PERIODS[1:])] + [f"{PERIODS[-1]}-2025"]
    return pd.Series([names[i] for i in np.searchsorted(edges, years.to_numpy(float), side="right")],
                     index=years.index)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--topics", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = ROOT / "bench/out/stm_gov_reports"
    out.mkdir(parents=True, exist_ok=True)
    common = dict(corpus_config=CorpusConfig(unit="section"), out_dir=out, store_path=out / "store.sqlite",
                  progress=False)
    mc = ModelConfig(num_topics=args.topics, random_state=args.seed)
    rows = []
    for name, extra in (("stm s(year)", {"stm_config": StmConfig("s(year)")}), ("lda", {})):
        t0 = time.perf_counter()
        path = engines.train([SOURCE], model_config=mc, **common, **extra)
        t_train = time.perf_counter() - t0
        run = load_run(path)
        topic = timeline.find_topic(run, CUE)
        boot = timeline.prevalence_table(run, "year", [topic], periods=PERIODS)
        t0 = time.perf_counter()
        effect = covariates.estimate_effect(run, "year", topics=[topic])
        t_effect = time.perf_counter() - t0
        curve = effect.table.assign(period=period_of(effect.table["year"]))
        by_period = curve.groupby("period").agg(curve=("estimate", "mean"),
                                                band=("hi", "mean"), band_lo=("lo", "mean"),
                                                ols=("ols_hi", "mean"), ols_lo=("ols_lo", "mean"))
        terms = run.topics[run.topics["topic"] == topic].sort_values("rank")["term"].head(8).tolist()
        print(f"\n{name}: {path.name}  trained in {t_train:.0f} s, effect in {t_effect:.1f} s; "
              f"anti-corruption topic {topic}: {' '.join(terms)}")
        print(f"  {'period':<10} {'bootstrap share [95%]':<24} {'composition curve':<18} "
              f"{'band width':>10} {'OLS width':>10}")
        for p, r in by_period.iterrows():
            b = boot[boot["period"].astype(str) == p].iloc[0]
            print(f"  {p:<10} {b['share']:.3f} [{b['lo']:.3f}, {b['hi']:.3f}]     {r['curve']:.3f}"
                  f"{'':<13} {r['band'] - r['band_lo']:>10.3f} {r['ols'] - r['ols_lo']:>10.3f}")
        widths = (curve["hi"] - curve["lo"]).mean(), (curve["ols_hi"] - curve["ols_lo"]).mean()
        peak_boot = str(boot.loc[boot["share"].idxmax(), "period"])
        rows.append((name, topic, peak_boot, by_period["curve"].idxmax(), *widths))
    print("\nmodel        topic  bootstrap peak  composition peak  mean band  mean OLS band")
    for name, topic, pb, pc, w, wo in rows:
        print(f"{name:<12} {topic:>5}  {pb:<14}  {pc:<16}  {w:.3f}      {wo:.3f}")


if __name__ == "__main__":
    main()
