"""Retrain after adding one more year: how much of the tokenization stage the token cache saves.

    python bench/retrain_year.py            # 3 repetitions
    python bench/retrain_year.py --reps 1

Per repetition, each step in a fresh process (as a researcher re-running the CLI would):

1. fresh store A: ingest 2022-2024 as corpus ``xwlb``; ``preprocess.prepare(corpus_name="xwlb")``
   cold (fresh jieba cache): ``seconds_tokenize``, cache misses;
2. ingest 2025 into ``xwlb``; ``prepare`` again: ``seconds_tokenize``, misses and hits;
3. fresh store B: ingest 2022-2025, ``prepare`` cold: the cold full tokenization (reference).

Ratio = step 2's ``seconds_tokenize`` / step 3's (median over repetitions). Step 2 also counts the
older units that missed the cache: quoted terms harvested from the new year enter the user words,
so a unit that contains one is segmented again by design. The script counts the units of
2022-2024 that contain a term harvested only after 2025 was added, and compares with the misses.

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
    return json.loads(p.stdout.strip().splitlines()[-1])


def _step_main(store_dir: Path, corpus: str, years: list[int], harvest: bool = True) -> int:
    os.environ["WORKBENCH_STORE"] = str(store_dir / "store.sqlite")
    os.environ["WORKBENCH_CACHE"] = str(store_dir / "cache")
    from contextlib import closing

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


def old_units_with_new_terms(old_harvest: set[str], new_harvest: set[str]) -> dict:
    """Article texts of 2022-2024 that contain a term harvested only once 2025 was added."""
    import re

    new_terms = sorted(new_harvest - old_harvest)
    if not new_terms:
        return {"new_terms": 0, "old_units_containing_new_terms": 0}
    pat = re.compile("|".join(map(re.escape, sorted(new_terms, key=len, reverse=True))))
    n = 0
    for y in OLD_YEARS:
        with open(year_file(y), encoding="utf-8") as fh:
            for line in fh:
                if line.strip() and pat.search(json.loads(line)["text"]):
                    n += 1
    return {"new_terms": len(new_terms), "old_units_containing_new_terms": n, "examples": new_terms[:10]}


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
        a, b = args.work / f"A{r}", args.work / f"B{r}"
        for d in (a, b):
            shutil.rmtree(d, ignore_errors=True)
        cold3 = step(a, "xwlb", OLD_YEARS)
        warm = step(a, "xwlb", (NEW_YEAR,))
        cold4 = step(b, "xwlb", (*OLD_YEARS, NEW_YEAR))
        for d in (a, b):
            shutil.rmtree(d, ignore_errors=True)
        rep = {"cold_3y": cold3, "warm_plus_year": warm, "cold_4y": cold4,
               "ratio_tokenize_warm_over_cold4": round(warm["seconds_tokenize"] / cold4["seconds_tokenize"], 3)}
        new_units = warm["n_units"] - cold3["n_units"]
        rep["new_year_units"] = new_units
        rep["old_units_missed"] = warm["cache_misses"] - new_units
        print(f"rep {r}: cold 3y tokenize {cold3['seconds_tokenize']:.2f} s ({cold3['cache_misses']} misses); "
              f"+{NEW_YEAR}: {warm['seconds_tokenize']:.2f} s ({warm['cache_misses']} misses, {warm['cache_hits']} hits;"
              f" {rep['old_units_missed']} older units re-segmented); cold 4y {cold4['seconds_tokenize']:.2f} s; "
              f"ratio {rep['ratio_tokenize_warm_over_cold4']}", flush=True)
        reps.append(rep)
    inv = old_units_with_new_terms(set(reps[0]["cold_3y"]["harvested"]), set(reps[0]["warm_plus_year"]["harvested"]))
    for rep in reps:
        for k in ("cold_3y", "warm_plus_year", "cold_4y"):
            rep[k]["n_harvested"] = len(rep[k].pop("harvested"))
    med = lambda key, sub: statistics.median(r[sub][key] for r in reps)
    summary = {
        "cold_3y_seconds_tokenize": med("seconds_tokenize", "cold_3y"),
        "warm_plus_year_seconds_tokenize": med("seconds_tokenize", "warm_plus_year"),
        "cold_4y_seconds_tokenize": med("seconds_tokenize", "cold_4y"),
        "warm_plus_year_seconds_segmenting_misses": med("seconds_segmenting_misses", "warm_plus_year"),
        "cold_4y_seconds_segmenting_misses": med("seconds_segmenting_misses", "cold_4y"),
        "ratio_median": round(med("seconds_tokenize", "warm_plus_year") / med("seconds_tokenize", "cold_4y"), 3),
        "target": 0.25,
        "warm_cache_misses": reps[0]["warm_plus_year"]["cache_misses"],
        "warm_cache_hits": reps[0]["warm_plus_year"]["cache_hits"],
        "new_year_units": reps[0]["new_year_units"],
        "old_units_missed": reps[0]["old_units_missed"],
        "invalidation_check": inv,
    }
    summary["pass"] = summary["ratio_median"] <= 0.25
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "reps": reps}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
