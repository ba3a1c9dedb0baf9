"""Which quoted terms become user words: the harvest rules measured on the seeds and on xinwenlianbo.

    python bench/harvest_rule.py              # the README's table and the rule comparison
    python bench/harvest_rule.py --year 2023

For each rule: how many quoted terms it keeps on the seeds and on one year (default 2024), and how
many of the 2022-2024 stories a retrain that adds 2025 sends back to the segmenter because a
harvested term was added or removed (the cost the token cache cannot avoid). Reads the corpus in
place (/work/shared/corpora/xinwenlianbo); writes bench/out/harvest_rule.json.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from workbench.corpus.ingest import Document, read_sources
from workbench.text import preprocess
from workbench.text.tokenize import WordFinder, containing_documents, quoting_documents

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpora" / "xinwenlianbo").resolve()


def year(y: int) -> list[str]:
    with open(CORPUS / f"xinwenlianbo_{y}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def counts(texts: list[str]) -> tuple[Counter, Counter, list[str]]:
    cfg = preprocess.CorpusConfig()
    quoting = quoting_documents(texts)
    candidates = cfg.harvest_candidates(quoting)
    return quoting, containing_documents(texts, candidates), candidates


RULES = {
    "every candidate (before)": lambda q, d: True,
    "quoted in >= 2 documents": lambda q, d: q >= 2,
    "share >= 0.3, or quoted in >= 3 documents": lambda q, d: q >= 0.3 * d or q >= 3,
    "document share >= 0.1": lambda q, d: q >= 0.1 * d,
    "document share >= 0.2": lambda q, d: q >= 0.2 * d,
    "**document share >= 0.3 (default)**": lambda q, d: q >= 0.3 * d,
    "document share >= 0.5": lambda q, d: q >= 0.5 * d,
}


def kept(c, rule) -> set[str]:
    quoting, containing, candidates = c
    return {w for w in candidates if rule(quoting[w], containing[w])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "harvest_rule.json")
    args = ap.parse_args(argv)
    seeds = [d.text for d in read_sources([ROOT / "seeds"]) if isinstance(d, Document)]
    old = [t for y in (2022, 2023, 2024) for t in year(y)]
    c_seeds, c_year = counts(seeds), counts(year(args.year))
    c_old, c_all = counts(old), counts(old + year(2025))
    default = preprocess.CorpusConfig()
    assert kept(c_seeds, RULES["**document share >= 0.3 (default)**"]) == set(
        default.harvested_terms(c_seeds[0], c_seeds[1]))  # the table's rule is the workbench's
    rows = []
    print("| rule | seeds: kept of candidates | "
          f"{args.year}: kept of candidates | 2022-24 stories re-segmented when 2025 is added |")
    print("| --- | --- | --- | --- |")
    for name, rule in RULES.items():
        changed = kept(c_old, rule) ^ kept(c_all, rule)
        finder = WordFinder(changed)
        touched = sum(1 for t in old if finder(t))
        row = {"rule": name, "seeds_kept": len(kept(c_seeds, rule)), "seeds_candidates": len(c_seeds[2]),
               "year_kept": len(kept(c_year, rule)), "year_candidates": len(c_year[2]),
               "terms_changed_by_2025": len(changed), "old_stories_touched": touched, "old_stories": len(old)}
        rows.append(row)
        print(f"| {name} | {row['seeds_kept']} / {row['seeds_candidates']} | {row['year_kept']} / "
              f"{row['year_candidates']} | {touched:,} of {len(old):,} ({len(changed):,} terms changed) |")
    # what the default keeps and drops on the year, most widely used first
    quoting, containing, candidates = c_year
    share = {w: quoting[w] / containing[w] for w in candidates}
    ranked = sorted(candidates, key=lambda w: (-containing[w], w))
    keep = [w for w in ranked if share[w] >= default.harvest_min_share]
    drop = [w for w in ranked if share[w] < default.harvest_min_share]
    fmt = lambda ws: ", ".join(f"{w} ({quoting[w]}/{containing[w]})" for w in ws)
    print(f"\n{args.year}, kept, most widely used first (quoting / containing documents): {fmt(keep[:30])}")
    print(f"\n{args.year}, dropped: {fmt(drop[:30])}")
    near = [w for w in ranked if 0.1 <= share[w] < default.harvest_min_share]
    print(f"\n{args.year}, dropped with a share of 0.1-0.3 (the rule's price): {fmt(near[:25])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rules": rows, "year": args.year, "kept": keep, "dropped": drop},
                                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
