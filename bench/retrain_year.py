"""Retrain after adding one more year: the tokenize stage should cost what is new.

    python bench/retrain_year.py            # 3 repetitions
    python bench/retrain_year.py --reps 1

Per repetition, each step in a fresh process (as a researcher re-running the CLI would):

1. fresh store A: ingest 2022-2024 as corpus ``xwlb``; ``preprocess.prepare(corpus_name="xwlb")``
   cold (fresh jieba cache): ``seconds_tokenize``, cache misses;
2. ingest 2025 into ``xwlb``; ``prepare`` again (warm): ``seconds_tokenize``, misses and hits, the
   older documents taken whole from the document cache (``stats["documents_reused"]``), and what it
   re-tokenized and why (``stats["retokenized"]``: new units, units touched by a changed user word,
   and the words that touched most; its log line is printed too);
3. fresh store B: ingest 2025 alone, ``prepare`` cold: the cost of what is new (the target's reference);
4. fresh store C: ingest 2022-2025, ``prepare`` cold: a cold full tokenization (for comparison).

Target: step 2's ``seconds_tokenize`` at most 1.3x step 3's (medians over repetitions). Step 2's
older units that missed the cache are those holding a harvested term that the new year added or
removed (a changed user word): the script counts the units of 2022-2024 that contain one and
compares with the cache's count.

Wall and CPU seconds (parent and segmenting pool, ``stats["cpu_seconds_tokenize"]``) are both
reported: on a shared machine the wall ratio moves with the other load.

Article units, ``no_below=5``, ``no_above=0.5`` (as bench/perf.py). Writes bench/out/retrain_year.json.
``--no-harvest`` (diagnostic, writes retrain_year_no_harvest.json) turns the quoted-term harvest off,
to show what the cache alone saves when no older unit is invalidated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpora" / "xinwenlianbo").resolve()
OLD_YEARS = (2022, 2023, 2024)
NEW_YEAR = 2025


def year_file(y: int) -> Path:
    return CORPUS / f"xinwenlianbo_{y}.jsonl"


HARVEST = True  # --no-harvest: diagnostic, the cache without harvested-term invalidation


def step(store_dir: Path, corpus: str, ingest_years: tuple[int, ...]) -> dict:
    """In a fresh process: ingest ``ingest_years`` into ``corpus``, then prepare it; return stats."""
    cmd = [sys.executable, __file__, "--step" if HARVEST else "--step-no-harvest", str(store_dir), corpus,
           *map(str, ingest_years)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-3000:])
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["log"] = [line for line in p.stderr.splitlines() if "units segmented" in line]
    return out


def _step_main(store_dir: Path, corpus: str, years: list[int], harvest: bool = True) -> int:
    os.environ["WORKBENCH_STORE"] = str(store_dir / "store.sqlite")
    os.environ["WORKBENCH_CACHE"] = str(store_dir / "cache")
    import logging
    from contextlib import closing

    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("workbench.text.preprocess").setLevel(logging.DEBUG)  # the re-tokenized line

    from workbench.corpus import store
    from workbench.text import preprocess

    t0 = time.perf_counter()
    with closing(store.connect(store_dir / "store.sqlite")) as conn:
        rep = store.ingest(conn, [year_file(y) for y in years], corpus)
    t_ingest = time.perf_counter() - t0
    t0 = time.perf_counter()
    c = preprocess.prepare(corpus_name=corpus, config=preprocess.CorpusConfig(unit="article", harvest_quoted=harvest),
                         no_below=5, no_above=0.5,
                         store_path=store_dir / "store.sqlite", progress=False)
    out = {**c.stats, "seconds_ingest": round(t_ingest, 3), "seconds_prepare": round(time.perf_counter() - t0, 3),
           "added": rep.added, "n_documents": len(c.doc_ids), "n_units": len(c.unit_ids) + len(c.dropped_units),
           "harvested": list(c.harvested)}
    print(json.dumps(out, ensure_ascii=False))
    return 0


def old_units_with_changed_terms(old_harvest: set[str], new_harvest: set[str]) -> dict:
    """Article texts of 2022-2024 that contain a term harvested only once 2025 was added, or
    harvested before but no longer (the share of documents quoting it fell)."""
    import re

    added, removed = sorted(new_harvest - old_harvest), sorted(old_harvest - new_harvest)
    changed = added + removed
    n = 0
    if changed:
        pat = re.compile("|".join(map(re.escape, sorted(changed, key=len, reverse=True))))
        for y in OLD_YEARS:
            with open(year_file(y), encoding="utf-8") as fh:
                n += sum(1 for line in fh if line.strip() and pat.search(json.loads(line)["text"]))
    return {"terms_added": len(added), "terms_removed": len(removed), "old_units_containing_changed_terms": n,
            "examples_added": added[:10], "examples_removed": removed[:10]}


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] in ("--step", "--step-no-harvest"):
        return _step_main(Path(sys.argv[2]), sys.argv[3], [int(y) for y in sys.argv[4:]],
                          harvest=sys.argv[1] == "--step")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "retrain")
    ap.add_argument("--out", type=Path, default=None, help="default bench/out/retrain_year[_no_harvest].json")
    ap.add_argument("--no-harvest", action="store_true",
                    help="diagnostic: no harvested quoted terms, so adding a year invalidates no older unit")
    args = ap.parse_args(argv)
    global HARVEST
    HARVEST = not args.no_harvest
    args.out = args.out or ROOT / "bench" / "out" / f"retrain_year{'_no_harvest' if args.no_harvest else ''}.json"
    reps = []
    for r in range(args.reps):
        a, b, c = (args.work / f"{x}{r}" for x in "ABC")
        for d in (a, b, c):
            shutil.rmtree(d, ignore_errors=True)
        cold3 = step(a, "xwlb", OLD_YEARS)
        warm = step(a, "xwlb", (NEW_YEAR,))
        cold1 = step(b, "xwlb", (NEW_YEAR,))
        cold4 = step(c, "xwlb", (*OLD_YEARS, NEW_YEAR))
        for d in (a, b, c):
            shutil.rmtree(d, ignore_errors=True)
        rep = {"cold_3y": cold3, "warm_plus_year": warm, "cold_new_year": cold1, "cold_4y": cold4,
               "ratio_tokenize_warm_over_cold_new_year": round(warm["seconds_tokenize"] / cold1["seconds_tokenize"], 3),
               "ratio_tokenize_warm_over_cold4": round(warm["seconds_tokenize"] / cold4["seconds_tokenize"], 3)}
        rt = warm["retokenized"]
        print(f"rep {r}: cold 3y tokenize {cold3['seconds_tokenize']:.2f} s ({cold3['cache_misses']} misses); "
              f"+{NEW_YEAR}: {warm['seconds_tokenize']:.2f} s ({warm['cache_misses']} segmented: {rt['new_units']} new,"
              f" {rt['touched_units']} older units touched by a changed user word; {warm['cache_hits']} hits); "
              f"cold {NEW_YEAR} alone {cold1['seconds_tokenize']:.2f} s; cold 4y {cold4['seconds_tokenize']:.2f} s; "
              f"ratio {rep['ratio_tokenize_warm_over_cold_new_year']} (CPU {warm['cpu_seconds_tokenize']:.2f} s"
              f" against {cold1['cpu_seconds_tokenize']:.2f} s)", flush=True)
        for line in warm["log"]:
            print("   ", line, flush=True)
        reps.append(rep)
    inv = old_units_with_changed_terms(set(reps[0]["cold_3y"]["harvested"]),
                                       set(reps[0]["warm_plus_year"]["harvested"]))
    for rep in reps:
        for k in ("cold_3y", "warm_plus_year", "cold_new_year", "cold_4y"):
            rep[k]["n_harvested"] = len(rep[k].pop("harvested"))
    med = lambda key, sub: statistics.median(r[sub][key] for r in reps)
    warm0 = reps[0]["warm_plus_year"]
    summary = {
        "harvest": HARVEST,
        "cold_3y_seconds_tokenize": med("seconds_tokenize", "cold_3y"),
        "warm_plus_year_seconds_tokenize": med("seconds_tokenize", "warm_plus_year"),
        "cold_new_year_seconds_tokenize": med("seconds_tokenize", "cold_new_year"),
        "cold_4y_seconds_tokenize": med("seconds_tokenize", "cold_4y"),
        "warm_plus_year_seconds_harvest": med("seconds_harvest", "warm_plus_year"),
        "cold_new_year_seconds_harvest": med("seconds_harvest", "cold_new_year"),
        "warm_plus_year_seconds_segmenting_misses": med("seconds_segmenting_misses", "warm_plus_year"),
        "cold_new_year_seconds_segmenting_misses": med("seconds_segmenting_misses", "cold_new_year"),
        "ratio_median": round(med("seconds_tokenize", "warm_plus_year") / med("seconds_tokenize", "cold_new_year"), 3),
        "ratio_runs": [r["ratio_tokenize_warm_over_cold_new_year"] for r in reps],
        # CPU seconds of the stage (parent and segmenting pool): what the stage costs, whatever
        # else the machine runs
        "warm_plus_year_cpu_seconds_tokenize": med("cpu_seconds_tokenize", "warm_plus_year"),
        "cold_new_year_cpu_seconds_tokenize": med("cpu_seconds_tokenize", "cold_new_year"),
        "cpu_ratio_median": round(med("cpu_seconds_tokenize", "warm_plus_year")
                                  / med("cpu_seconds_tokenize", "cold_new_year"), 3),
        "ratio_over_cold_4y_median": round(med("seconds_tokenize", "warm_plus_year")
                                           / med("seconds_tokenize", "cold_4y"), 3),
        "target": 1.3,
        "warm_cache_misses": warm0["cache_misses"],
        "warm_cache_hits": warm0["cache_hits"],
        "warm_documents_reused": warm0.get("documents_reused"),  # taken whole from the document cache
        "warm_retokenized": warm0["retokenized"],
        "warm_log": warm0["log"],
        "n_harvested_3y_4y": [reps[0]["cold_3y"]["n_harvested"], warm0["n_harvested"]],
        "invalidation_check": inv,
    }
    summary["pass"] = summary["ratio_median"] <= summary["target"]
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "reps": reps}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
