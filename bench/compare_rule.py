"""Which similarity makes two topics "the same topic" in `workbench compare`: measured, not guessed.

    .venv/bin/python bench/compare_rule.py           # trains 5 runs (about 3 minutes on 2 cores), then compares
    .venv/bin/python bench/compare_rule.py --reuse   # compare the runs of an earlier call again

Pairs of runs whose topics should match (true pairs) and pairs that should not (false pairs), on the
corpora in ../shared/corpora (read in place, never copied into the project):

* seed: CCTV 新闻联播 2024 (5,283 stories, one unit per story, K = 25), seed 0 against seed 1;
* grown: the same run (seed 0) against 2024 plus the first 10% as many stories of 2025 (528), seed 0:
  a retrain on a grown corpus, what `workbench compare` is for;
* unrelated: THUCNews (1,000 Sina stories of ten sections, K = 20) against the government work reports
  1954-2025 by section (K = 20): nothing should match.

Per case it prints the similarity (1 - Jensen-Shannon distance over the shared vocabulary, as
`workbench compare` computes it) of the pairs the optimal one-to-one assignment makes, and of each
topic's best partner other than its assigned one (a near miss); then, per candidate threshold, the
share of assigned pairs it matches in each case and what `compare`'s full rule (matches, splits,
merges) calls the topics. Runs and the table go to bench/out/compare_rule/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / ".." / "shared" / "corpora").resolve()
OUT = ROOT / "bench" / "out" / "compare_rule"
THRESHOLDS = (0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50)
SPLIT = 0.4  # a part of a split or merge (compare.DEFAULT_SPLIT_THRESHOLD), held fixed here


def _jsonl(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sources() -> dict[str, tuple[list[Path], str, int]]:
    """name -> (source files, unit, K); the grown corpus is written to bench/out (a subset file)."""
    OUT.mkdir(parents=True, exist_ok=True)
    xwlb = CORPORA / "xinwenlianbo"
    base = xwlb / "xinwenlianbo_2024.jsonl"
    extra = OUT / "xinwenlianbo_2025_first10pct.jsonl"
    if not extra.exists():
        n = round(0.1 * len(_jsonl(base)))
        extra.write_text("\n".join(_jsonl(xwlb / "xinwenlianbo_2025.jsonl")[:n]) + "\n", encoding="utf-8")
    return {
        "xwlb2024_seed0": ([base], "article", 25),
        "xwlb2024_seed1": ([base], "article", 25),
        "xwlb2024plus10_seed0": ([base, extra], "article", 25),
        "thucnews": ([CORPORA / "thucnews-fulltext-1k" / "thucnews_fulltext_1k.jsonl"], "article", 20),
        "govreports": ([CORPORA / "gov-reports" / "national" / "gov_work_reports_national.jsonl"], "section", 20),
    }


CASES = (("seed", "xwlb2024_seed0", "xwlb2024_seed1", True),
         ("grown", "xwlb2024_seed0", "xwlb2024plus10_seed0", True),
         ("unrelated", "thucnews", "govreports", False))


def train_all(reuse: bool) -> dict[str, Path]:
    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    index = OUT / "runs.json"
    runs = json.loads(index.read_text()) if reuse and index.exists() else {}
    for name, (files, unit, k) in sources().items():
        if name in runs and Path(runs[name]).is_dir():
            continue
        seed = 1 if name.endswith("seed1") else 0
        print(f"training {name} ({unit}, K={k}, seed {seed}) ...", flush=True)
        runs[name] = str(engines.train(files, corpus_config=CorpusConfig(unit=unit),
                                       model_config=ModelConfig(num_topics=k, random_state=seed),
                                       out_dir=OUT / "runs", store_path=OUT / "store.sqlite", progress=False))
        index.write_text(json.dumps(runs, indent=1))
    return {k: Path(v) for k, v in runs.items()}


def similarity(run_a: Path, run_b: Path) -> np.ndarray:
    """The matrix `workbench compare` matches on (topics with less than half their mass on shared terms 0)."""
    from workbench.analysis import compare

    tt_a, vocab_a, _ = compare.load_run_topics(run_a)
    tt_b, vocab_b, _ = compare.load_run_topics(run_b)
    aligned = compare.align_vocab(tt_a, vocab_a, tt_b, vocab_b)
    return compare.mask_thin_topics(compare.topic_similarity(aligned.A, aligned.B), aligned)


def quantiles(x) -> str:
    q = np.quantile(x, [0, 0.05, 0.25, 0.5, 0.75, 1.0])
    return "  ".join(f"{v:.2f}" for v in q)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reuse", action="store_true", help="reuse the runs of an earlier call")
    args = p.parse_args()
    os.environ.setdefault("WORKBENCH_CACHE", str(OUT / "cache"))
    from scipy.optimize import linear_sum_assignment

    from workbench.analysis import compare

    runs = train_all(args.reuse)
    sims = {}
    print("\nsimilarity of assigned pairs and of near misses  (min  5%  25%  median  75%  max)")
    for case, a, b, truth in CASES:
        sim = similarity(runs[a], runs[b])
        sims[case] = sim
        ra, rb = linear_sum_assignment(-sim)
        assigned = sim[ra, rb]
        rest = sim.copy()
        rest[ra, rb] = -1
        near = rest.max(axis=1)
        kind = "true pairs" if truth else "false pairs"
        print(f"  {case:10} assigned ({len(assigned):2}, {kind}): {quantiles(assigned)}")
        print(f"  {case:10} near miss ({len(near):2}): {quantiles(near)}")
        print(f"  {case:10} assigned, sorted: {' '.join(f'{v:.2f}' for v in np.sort(assigned))}")
    print(f"\nper threshold: assigned pairs at or above it (a one-to-one match), and what compare's whole rule "
          f"calls the topics with parts of splits and merges at {SPLIT} (matched / split / merged / new / vanished rows)")
    rows = []
    for t in THRESHOLDS:
        line = [f"  {t:.2f}"]
        row = {"threshold": t}
        for case, *_ in CASES:
            sim = sims[case]
            ra, rb = linear_sum_assignment(-sim)
            rate = float((sim[ra, rb] >= t).mean())
            status = compare.match_topics(sim, threshold=t, split_threshold=SPLIT)["status"].value_counts()
            counts = "/".join(str(int(status.get(s, 0))) for s in ("matched", "split", "merged", "new", "vanished"))
            line.append(f"{case} {rate:5.1%} [{counts}]")
            row[case] = {"assigned_matched": rate, "statuses": {s: int(status.get(s, 0)) for s in compare.STATUSES}}
        rows.append(row)
        print("   ".join(line))
    chosen = compare.DEFAULT_THRESHOLD
    print(f"\nthe threshold in use: {chosen} (workbench.analysis.compare.DEFAULT_THRESHOLD):")
    for case, _, _, truth in CASES:
        sim = sims[case]
        status = compare.match_topics(sim, threshold=chosen)["status"]
        ra, rb = linear_sum_assignment(-sim)
        print(f"  {case:10} {'true' if truth else 'false'} pairs matched one-to-one: {int((sim[ra, rb] >= chosen).sum())} "
              f"of {len(ra)} ({(sim[ra, rb] >= chosen).mean():.0%}); compare's rows: "
              + ", ".join(f"{s} {int((status == s).sum())}" for s in compare.STATUSES))
    print(f"\nassigned pairs of the true cases under {compare.WEAK_MATCH} (shown as weak matches, or no match "
          f"under {chosen}), with their top terms:")
    for case, a, b, truth in CASES:
        if not truth:
            continue
        sim = sims[case]
        tt_a, vocab_a, _ = compare.load_run_topics(runs[a])
        tt_b, vocab_b, _ = compare.load_run_topics(runs[b])
        terms_a, terms_b = compare.top_terms(tt_a, vocab_a, 6), compare.top_terms(tt_b, vocab_b, 6)
        ra, rb = linear_sum_assignment(-sim)
        for i, j in sorted(zip(ra, rb), key=lambda p: sim[p]):
            if sim[i, j] < compare.WEAK_MATCH:
                verdict = "weak match" if sim[i, j] >= chosen else "no match  "
                print(f"  {case:6} A{i:>3} B{j:>3} {sim[i, j]:.2f} {verdict}  {terms_a[i]} | {terms_b[j]}")
    unrelated = sims["unrelated"]
    print(f"  unrelated: highest similarity of any pair {unrelated.max():.2f}")
    (OUT / "compare_rule.json").write_text(json.dumps({"runs": {k: str(v) for k, v in runs.items()}, "rows": rows,
                                                       "threshold": chosen}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
