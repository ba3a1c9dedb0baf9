"""End-to-end benchmark: the tutorial pipeline (bench/baseline_tutorial.py) against `workbench train`
on the same xinwenlianbo files, same K, in one invocation, at several corpus sizes.

    python bench/perf.py                                   # sizes 1y 2y 4y all, 3 runs each
    python bench/perf.py --sizes 1y --runs 1               # calibrate
    python bench/perf.py --sweep 50 100 200 400 --sizes 1y # iterations vs time vs c_npmi (one prepare)

Every run is a fresh subprocess; baseline and workbench runs alternate (b, w, w, b, b, w ...) so slow
spells of a noisy machine hit both, and each run waits (at most 2 min) until the other processes of
this shared machine use under 25% of the CPUs; the CPU the others took during a run is recorded
(``others_cores``). Besides the ratio of medians, the ratio of the best runs and of the median CPU
seconds (user + system, less sensitive to contention) are reported. The workbench gets a fresh store and jieba cache each run
(cold). Per run it records:

- wall time: measured here around the child (``time.perf_counter``);
- peak memory: ``/usr/bin/time -v``'s "Maximum resident set size" (the kernel's high-water mark
  of the largest process in the child's tree, ``wait4`` rusage: no sampling misses) and, as a
  cross-check, the peak over 50 ms ``psutil`` samples of the summed RSS of the whole process tree
  (counts the tokenizer pool's forked workers; shared copy-on-write pages are counted twice);
- c_npmi (top 10 terms, ``workbench.models.coherence``): the run folder's manifest for the
  workbench; the baseline computes it after its pipeline, and the time it takes is subtracted
  from the baseline's wall time (the tutorial does not compute coherence; the workbench's run
  folder does, so the workbench pays for it and the baseline does not);
- the pyLDAvis page's size and build time: the baseline times its prepare + save_html; for the
  workbench ``workbench.runfolder.ldavis.write_ldavis_html`` is re-run in a separate process on the run
  folder's arrays (the same inputs the run-folder writer passes) and timed around that one call.

Results: bench/out/perf/results.json (every run, machine, versions), runs.csv (one row per run),
summary.csv (medians and ratios per size); a table is printed at the end.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpora" / "xinwenlianbo").resolve()
SIZES = {
    "1y": (2023,),
    "2y": (2022, 2023),
    "4y": (2022, 2023, 2024, 2025),
    "all": (2022, 2023, 2024, 2025, 2026),
}
PY = sys.executable
WORKBENCH = str(Path(PY).with_name("workbench"))
TIME = "/usr/bin/time"


def files_for(size: str) -> list[Path]:
    return [CORPUS / f"xinwenlianbo_{y}.jsonl" for y in SIZES[size]]


# ------------------------------------------------------------------------------------------------
# Machine and code state


def snapshot_package(out: Path) -> Path:
    """Extract ``workbench/`` of git HEAD into out/snapshot/<commit>: the children import this frozen
    copy (PYTHONPATH), so edits to the working tree during a long benchmark cannot change or break it."""
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    snap = out / "snapshot" / sha[:12]
    if not (snap / "workbench" / "cli.py").exists():
        snap.mkdir(parents=True, exist_ok=True)
        # A checkout in miniature: the package reads its resource folders beside it (workbench/paths.py).
        archive = subprocess.run(["git", "archive", "HEAD", "pyproject.toml", "workbench", "seeds", "stopwords",
                                  "dictionaries"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
    return snap


def package_dir() -> Path:
    """The workbench package the children import (the snapshot when PYTHONPATH points at one)."""
    p = subprocess.run([PY, "-c", "import workbench, os; print(os.path.dirname(workbench.__file__))"],
                       capture_output=True, text=True, cwd="/")
    return Path(p.stdout.strip())


def machine() -> dict:
    from importlib import metadata

    vm = psutil.virtual_memory()
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {"python": platform.python_version()}
    for p in ("jieba", "rjieba", "gensim", "tomotopy", "pyLDAvis", "numpy", "scipy", "pandas", "scikit-learn",
              "psutil", "matplotlib"):
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            pass
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    h = hashlib.sha256()
    pkg = package_dir()
    for f in sorted(pkg.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_total_gib": round(vm.total / 2**30, 1),
            "platform": platform.platform(), "versions": versions,
            "git_head": git("rev-parse", "HEAD"), "workbench_modified": git("status", "--short", "workbench"),
            "workbench_sources_sha256": h.hexdigest()[:16], "workbench_package_dir": str(pkg),
            "env": {k: v for k, v in os.environ.items() if re.search(r"BLAS|OMP|MKL|THREADS", k)}}


# ------------------------------------------------------------------------------------------------
# Running one child


QUIET_BUSY_PCT = 25.0  # start a run only when the other processes use less than this share of all CPUs
QUIET_MAX_WAIT = 30.0  # --quiet-wait


def wait_for_quiet() -> dict:
    """The machine is shared: wait (at most QUIET_MAX_WAIT s) until the CPUs are nearly idle, measured
    over 1 s windows, so a run does not start in the middle of someone else's test suite."""
    t0 = time.perf_counter()
    busy = psutil.cpu_percent(interval=1.0)
    while busy >= QUIET_BUSY_PCT and time.perf_counter() - t0 < QUIET_MAX_WAIT:
        busy = psutil.cpu_percent(interval=1.0)
    return {"waited_s": round(time.perf_counter() - t0, 1), "busy_pct_at_start": busy}


def _busy_cpu_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def run_measured(cmd: list[str], log_dir: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` under /usr/bin/time -v; return wall seconds, kernel max RSS, psutil tree peak, and
    how much CPU other processes took meanwhile (``others_cores``: their mean number of busy CPUs)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    quiet = wait_for_quiet()
    busy0 = _busy_cpu_seconds()
    tfile = log_dir / "time.txt"
    full = [TIME, "-v", "-o", str(tfile), *cmd] if Path(TIME).exists() else cmd
    with open(log_dir / "stdout.txt", "w") as out, open(log_dir / "stderr.txt", "w") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env={**os.environ, **(env or {})}, cwd=ROOT)
        ps = psutil.Process(proc.pid)
        tree_peak = 0
        while proc.poll() is None:
            try:
                procs = [ps, *ps.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                # /usr/bin/time itself is ~2 MB: leave it in, it is noise.
                tree_peak = max(tree_peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)
        wall = time.perf_counter() - t0
    busy = _busy_cpu_seconds() - busy0
    res = {"cmd": cmd, "returncode": proc.returncode, "wall_s": round(wall, 3),
           "tree_peak_rss_mb": round(tree_peak / 2**20, 1), "loadavg_1min_after": round(os.getloadavg()[0], 2),
           **quiet}
    if tfile.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tfile.read_text())
        if m:
            res["max_rss_mb"] = round(int(m.group(1)) / 1024, 1)
        m = re.search(r"User time \(seconds\): ([\d.]+)\s+System time \(seconds\): ([\d.]+)", tfile.read_text())
        if m:
            res["cpu_s"] = round(float(m.group(1)) + float(m.group(2)), 2)
    if "cpu_s" in res:
        # busy CPU seconds of the whole machine minus the child's own (this poller adds ~1%)
        res["others_cores"] = round(max(busy - res["cpu_s"], 0.0) / wall, 2)
    if proc.returncode != 0:
        res["stderr_tail"] = (log_dir / "stderr.txt").read_text(errors="replace")[-2000:]
    return res


def baseline_run(size: str, i: int, work: Path, coherence: bool) -> dict:
    out = work / f"{size}-baseline-{i}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [PY, str(ROOT / "bench" / "baseline_tutorial.py"), *map(str, files_for(size)), "--topics", "30",
           "--out", str(out / "result")]
    if not coherence:
        cmd.append("--no-coherence")
    res = run_measured(cmd, out)
    res.update(pipeline="baseline", size=size, run=i)
    if res["returncode"] == 0:
        b = json.loads((out / "result" / "baseline.json").read_text(encoding="utf-8"))
        t = b["times"]
        res["seconds"] = round(res["wall_s"] - t.get("seconds_coherence", 0.0), 3)  # the tutorial's time
        if "cpu_s" in res:  # coherence is single-threaded: its wall time is its CPU time
            res["cpu_s"] = round(res["cpu_s"] - t.get("seconds_coherence", 0.0), 2)
        res["max_rss_mb_with_coherence"] = res.get("max_rss_mb")
        res["max_rss_mb"] = b["maxrss_pipeline_mb"]  # the tutorial's own peak, before the c_npmi measurement
        res["stages"] = t
        res["c_npmi"] = b.get("c_npmi")
        res["seconds_tokenize"] = t["seconds_tokenize"]
        res["seconds_train"] = t["seconds_train"]
        res["ldavis_s"] = t["seconds_ldavis"]
        res["ldavis_mb"] = round(b["ldavis_bytes"] / 2**20, 3)
        res["n_documents"], res["n_terms"], res["n_tokens"] = b["n_documents"], b["n_terms"], b["n_tokens"]
        res["mb_utf8"] = round(b["n_bytes_utf8"] / 2**20, 2)
        if b.get("top_terms"):
            res["top_terms"] = b["top_terms"]
        (out / "result" / "doc_topics.csv").unlink(missing_ok=True)  # 20-100 MB each: keep the disk small
    return res


_LDAVIS_TIMER = r"""
import json, sys, time
from pathlib import Path
import numpy as np, pandas as pd
from workbench import files
from workbench.runfolder import ldavis
run = Path(sys.argv[1])
tt = np.load(run / "topic_term.npy", allow_pickle=False)
k = tt.shape[0]
dt = pd.read_csv(run / "doc_topics.csv", encoding=files.CSV_ENCODING,
                 usecols=["n_tokens"] + [f"topic_{i}" for i in range(k)])
terms = pd.read_csv(run / "terms.csv", encoding=files.CSV_ENCODING, keep_default_na=False)
labels = {int(a): b for a, b in json.loads((run / "labels.json").read_text(encoding="utf-8")).items()}
out = Path(sys.argv[2])
t0 = time.perf_counter()
ldavis.write_ldavis_html(out, tt, dt[[f"topic_{i}" for i in range(k)]].to_numpy(), dt["n_tokens"].to_numpy(),
                         terms["term"].astype(str).tolist(), terms["corpus_freq"].to_numpy(), topic_labels=labels)
print(json.dumps({"ldavis_s": time.perf_counter() - t0, "bytes": out.stat().st_size}))
"""


DEFAULTS = False  # --defaults: `workbench train FILES --unit UNIT --topics 30`, nothing else set
UNIT = "article"


def workbench_run(size: str, i: int, work: Path, iterations, train_workers: int = 1,
                  time_ldavis: bool = True) -> dict:
    tag = f"{size}-workbench{'-tw' + str(train_workers) if train_workers != 1 else ''}-{i}"
    out = work / tag
    shutil.rmtree(out, ignore_errors=True)
    env = {"WORKBENCH_STORE": str(out / "store" / "store.sqlite"), "WORKBENCH_CACHE": str(out / "store" / "cache")}
    cmd = [WORKBENCH, "train", *map(str, files_for(size)), "--unit", UNIT, "--topics", "30"]
    if not DEFAULTS:
        cmd += ["--iterations", str(iterations), "--train-workers", str(train_workers), "--no-below", "5",
                "--no-above", "0.5"]
    cmd += ["--quiet", "--out", str(out / "runs")]
    res = run_measured(cmd, out, env)
    res.update(pipeline="workbench" if train_workers == 1 else f"workbench_tw{train_workers}", size=size, run=i,
               iterations=iterations, train_workers=train_workers)
    if res["returncode"] == 0:
        run = Path((out / "stdout.txt").read_text().strip().splitlines()[-1])
        m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
        st = m["corpus"]["stats"]
        res["seconds"] = res["wall_s"]
        res["stages"] = st
        res["c_npmi"] = m["metrics"]["c_npmi"]
        ms = m.get("model_settings", {})
        res["sweeps"] = ms.get("iterations")
        res["converged"] = (ms.get("convergence") or {}).get("converged")
        res["train_workers_used"] = ms.get("workers")
        res["seconds_tokenize"] = st.get("seconds_tokenize")
        res["seconds_train"] = st.get("seconds_train")
        res["n_documents"], res["n_terms"], res["n_tokens"] = (m["corpus"]["n_documents"], m["corpus"]["n_terms"],
                                                               m["corpus"]["n_tokens"])
        res["n_units"] = m["corpus"]["n_units"]
        res["ldavis_mb"] = round((run / "ldavis.html").stat().st_size / 2**20, 3)
        res["topic_term_sha256"] = hashlib.sha256((run / "topic_term.npy").read_bytes()).hexdigest()[:16]
        res["run_folder_mb"] = round(sum(p.stat().st_size for p in run.rglob("*") if p.is_file()) / 2**20, 1)
        tt = __import__("numpy").load(run / "topic_term.npy", allow_pickle=False)
        with open(run / "terms.csv", encoding="utf-8-sig", newline="") as fh:
            terms = [row["term"] for row in csv.DictReader(fh)]
        res["top_terms"] = [[terms[j] for j in row] for row in (-tt).argsort(axis=1, kind="stable")[:, :10]]
        if time_ldavis:
            p = subprocess.run([PY, "-c", _LDAVIS_TIMER, str(run), str(out / "ldavis_rebuilt.html")],
                               capture_output=True, text=True, cwd=ROOT)
            if p.returncode == 0:
                lv = json.loads(p.stdout.strip().splitlines()[-1])
                res["ldavis_s"] = round(lv["ldavis_s"], 3)
            else:
                res["ldavis_error"] = p.stderr[-1000:]
        # keep manifest and page; drop the store (100+ MB) and the big tables
        shutil.rmtree(out / "store", ignore_errors=True)
        for f in ("doc_topics.csv", "keywords.csv", "topic_term.npy"):
            (run / f).unlink(missing_ok=True)
        (out / "ldavis_rebuilt.html").unlink(missing_ok=True)
    return res


# ------------------------------------------------------------------------------------------------
# Summary


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def summarize(runs: list[dict]) -> list[dict]:
    rows = []
    for size in SIZES:
        by = {}
        for r in runs:
            if r["size"] == size and r["returncode"] == 0:
                by.setdefault(r["pipeline"], []).append(r)
        if "baseline" not in by and "workbench" not in by:
            continue
        row = {"size": size, "years": "-".join(map(str, (SIZES[size][0], SIZES[size][-1])))}
        for name, rs in by.items():
            row[f"{name}_n"] = len(rs)
            for key in ("seconds", "max_rss_mb", "tree_peak_rss_mb", "c_npmi", "seconds_tokenize", "seconds_train", "sweeps",
                        "ldavis_s", "ldavis_mb", "cpu_s"):
                row[f"{name}_{key}"] = med(r.get(key) for r in rs)
            if name != "baseline":
                row[f"{name}_deterministic"] = len({r.get("topic_term_sha256") for r in rs}) == 1
            row[f"{name}_min_seconds"] = min(r["seconds"] for r in rs)
            row[f"{name}_max_others_cores"] = max((r.get("others_cores") or 0) for r in rs)
        b, w = row.get("baseline_seconds"), row.get("workbench_seconds")
        if b and w:
            row["ratio_time_workbench_over_baseline"] = round(w / b, 3)
            row["speedup_baseline_over_workbench"] = round(b / w, 2)
            row["ratio_min_time_workbench_over_baseline"] = round(row["workbench_min_seconds"] /
                                                                  row["baseline_min_seconds"], 3)
        if row.get("baseline_cpu_s") and row.get("workbench_cpu_s"):
            row["ratio_cpu_workbench_over_baseline"] = round(row["workbench_cpu_s"] / row["baseline_cpu_s"], 3)
        if row.get("baseline_c_npmi") is not None and row.get("workbench_c_npmi") is not None:
            row["c_npmi_workbench_minus_baseline"] = round(row["workbench_c_npmi"] - row["baseline_c_npmi"], 4)
        mb = [r.get("mb_utf8") for r in by.get("baseline", []) if r.get("mb_utf8")]
        if mb:
            row["mb_utf8"] = mb[0]
        rows.append(row)
    return rows


def print_table(rows: list[dict]) -> None:
    f = lambda x, p=1: "-" if x is None else (f"{x:.{p}f}" if isinstance(x, float) else str(x))
    print(f"\n{'size':5} {'MB':>5} | {'base s':>7} {'wb s':>7} {'wb/base':>7} | {'base MB':>7} {'wb MB':>7} "
          f"{'wb tree':>7} | {'base npmi':>9} {'wb npmi':>8} | {'b ldavis':>8} {'w ldavis':>8} {'w html MB':>9} | "
          f"{'tw2 s':>6} {'tw2 npmi':>8} | {'min rat':>7} {'cpu rat':>7}")
    for r in rows:
        print(f"{r['size']:5} {f(r.get('mb_utf8')):>5} | {f(r.get('baseline_seconds')):>7} "
              f"{f(r.get('workbench_seconds')):>7} {f(r.get('ratio_time_workbench_over_baseline'), 3):>7} | "
              f"{f(r.get('baseline_max_rss_mb'), 0):>7} {f(r.get('workbench_max_rss_mb'), 0):>7} "
              f"{f(r.get('workbench_tree_peak_rss_mb'), 0):>7} | {f(r.get('baseline_c_npmi'), 4):>9} "
              f"{f(r.get('workbench_c_npmi'), 4):>8} | {f(r.get('baseline_ldavis_s')):>8} "
              f"{f(r.get('workbench_ldavis_s')):>8} {f(r.get('workbench_ldavis_mb'), 2):>9} | "
              f"{f(r.get('workbench_tw2_seconds')):>6} {f(r.get('workbench_tw2_c_npmi'), 4):>8} | "
              f"{f(r.get('ratio_min_time_workbench_over_baseline'), 3):>7} {f(r.get('ratio_cpu_workbench_over_baseline'), 3):>7}")
    by = {r["size"]: r for r in rows}
    if "1y" in by and "4y" in by and by["1y"].get("workbench_max_rss_mb") and by["4y"].get("workbench_max_rss_mb"):
        g = by["4y"]["workbench_max_rss_mb"] / by["1y"]["workbench_max_rss_mb"]
        gb = (by["4y"].get("baseline_max_rss_mb") or 0) / (by["1y"].get("baseline_max_rss_mb") or 1)
        print(f"\npeak RSS growth 1y -> 4y: workbench {g:.2f}x, baseline {gb:.2f}x")


def write_results(out: Path, meta: dict, runs: list[dict]) -> list[dict]:
    rows = summarize(runs)
    (out / "results.json").write_text(json.dumps({**meta, "runs": runs, "summary": rows}, ensure_ascii=False,
                                                 indent=1) + "\n", encoding="utf-8")
    cols = ["pipeline", "size", "run", "returncode", "seconds", "wall_s", "cpu_s", "max_rss_mb", "tree_peak_rss_mb",
            "max_rss_mb_with_coherence", "loadavg_1min_after", "others_cores", "waited_s", "c_npmi", "seconds_tokenize", "seconds_train", "ldavis_s", "ldavis_mb", "iterations", "train_workers",
            "sweeps", "converged", "train_workers_used",
            "n_documents", "n_terms", "n_tokens", "topic_term_sha256"]
    with open(out / "runs.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols, extrasaction="ignore")
        w.writeheader()
        w.writerows(runs)
    if rows:
        keys = list(dict.fromkeys(k for r in rows for k in r))
        with open(out / "summary.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, keys)
            w.writeheader()
            w.writerows(rows)
    return rows


# ------------------------------------------------------------------------------------------------
# Iterations sweep (in one process: one cold prepare, then one fresh Gibbs chain per value)


def sweep(size: str, iterations: list[int], out: Path, train_workers: int = 1) -> list[dict]:
    import tempfile

    from workbench import models
    from workbench.text import preprocess

    rows = []
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        os.environ["WORKBENCH_CACHE"] = str(Path(tmp) / "cache")
        t0 = time.perf_counter()
        corpus = preprocess.prepare(files_for(size), preprocess.CorpusConfig(unit="article"), no_below=5, no_above=0.5,
                                  store_path=Path(tmp) / "store.sqlite", progress=False)
        print(f"{size}: prepare {time.perf_counter() - t0:.1f} s, {len(corpus.unit_ids)} units, "
              f"{len(corpus.vocab.terms)} terms", flush=True)
        for it in iterations:
            mc = models.ModelConfig(num_topics=30, iterations=it, no_below=5, no_above=0.5, workers=train_workers)
            t0 = time.perf_counter()
            fitted = models.fit(corpus.bows, corpus.vocab, mc, progress=False, token_ids=corpus.token_ids)
            t_fit = time.perf_counter() - t0
            c, _ = models.coherence(fitted.topic_term, corpus.vocab.terms, corpus.tokens, corpus.vocab.dictionary,
                                    "c_npmi", 10)
            row = {"size": size, "iterations": it, "train_workers": train_workers, "seconds_train": round(t_fit, 2),
                   "seconds_per_iteration": round(t_fit / it, 4), "c_npmi": round(c, 4),
                   "ll_per_word": round(fitted.settings["ll_per_word"], 4)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def sweep_chain(size: str, checkpoints: list[int], out: Path, train_workers: int = 1) -> list[dict]:
    """One Gibbs chain built exactly as ``workbench.models.lda._fit_tomotopy`` builds it (same priors, seed, 50-sweep
    ``train`` calls), scored at each checkpoint (multiples of 50): the same numbers as separate fits
    with ``--iterations`` = each checkpoint, for the cost of the longest one."""
    import tempfile

    import numpy as np
    import tomotopy as tp

    from workbench import models
    from workbench.text import preprocess

    assert all(c % 50 == 0 for c in checkpoints), "checkpoints must be multiples of 50 (the workbench's step)"
    rows = []
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        os.environ["WORKBENCH_CACHE"] = str(Path(tmp) / "cache")
        corpus = preprocess.prepare(files_for(size), preprocess.CorpusConfig(unit="article"), no_below=5, no_above=0.5,
                                  store_path=Path(tmp) / "store.sqlite", progress=False)
        mc = models.ModelConfig(num_topics=30, no_below=5, no_above=0.5, workers=train_workers)
        mdl = tp.LDAModel(tw=tp.TermWeight.ONE, k=30, alpha=mc.alpha, eta=mc.eta, seed=mc.random_state)
        terms = corpus.vocab.terms
        for ids in corpus.token_ids:
            mdl.add_doc([terms[i] for i in ids])
        mdl.optim_interval = 0
        mdl.burn_in = 0
        done, t_train = 0, 0.0
        cols = None
        for c in sorted(checkpoints):
            while done < c:
                t0 = time.perf_counter()
                mdl.train(50, workers=train_workers, show_progress=False)
                t_train += time.perf_counter() - t0
                done += 50
            if cols is None:
                idx = {w: i for i, w in enumerate(mdl.used_vocabs)}
                cols = np.array([idx[t] for t in terms])
            tt = np.array([mdl.get_topic_word_dist(t) for t in range(30)], dtype=np.float64)[:, cols]
            tt /= tt.sum(axis=1, keepdims=True)
            t0 = time.perf_counter()
            score, _ = models.coherence(tt, terms, corpus.tokens, corpus.vocab.dictionary, "c_npmi", 10)
            row = {"size": size, "iterations": c, "train_workers": train_workers, "seconds_train": round(t_train, 2),
                   "seconds_per_iteration": round(t_train / c, 4), "c_npmi": round(score, 4),
                   "ll_per_word": round(float(mdl.ll_per_word), 4),
                   "seconds_coherence": round(time.perf_counter() - t0, 1)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def main(argv=None) -> int:
    global QUIET_MAX_WAIT, DEFAULTS, UNIT
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-for", nargs="*", default=[], metavar="SIZE=N",
                    help="override --runs for some sizes, e.g. 2y=1 4y=2 (to fit a time budget)")
    ap.add_argument("--iterations", type=lambda v: v if v == "auto" else int(v), default=50,
                    help="workbench --iterations (chosen with --sweep)")
    ap.add_argument("--defaults", action="store_true",
                    help="run `workbench train FILES --unit UNIT --topics 30` with every other setting at its default")
    ap.add_argument("--unit", default="article", help="workbench --unit (default article)")
    ap.add_argument("--tw2-sizes", nargs="*", default=["1y", "all"],
                    help="sizes also run with --train-workers 2 (default 1y all)")
    ap.add_argument("--tw2-runs", type=int, default=2, help="runs with --train-workers 2 (2: checks determinism)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "perf")
    ap.add_argument("--sweep", nargs="+", type=int, metavar="ITERATIONS",
                    help="instead: iterations vs training time vs c_npmi (one prepare, fresh chain per value)")
    ap.add_argument("--sweep-train-workers", type=int, default=1)
    ap.add_argument("--sweep-chain", action="store_true",
                    help="with --sweep: score one chain at each value (multiples of 50) instead of fresh fits")
    ap.add_argument("--quiet-wait", type=float, default=QUIET_MAX_WAIT,
                    help=f"seconds a run waits at most for a quiet machine (default {QUIET_MAX_WAIT:.0f})")
    ap.add_argument("--resume", action="store_true",
                    help="keep the successful runs of an earlier results.json (same --out) and do the rest")
    ap.add_argument("--snapshot", action="store_true",
                    help="benchmark workbench/ as committed at git HEAD (a frozen copy), not the working tree")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    DEFAULTS, UNIT = args.defaults, args.unit

    if args.snapshot:
        snap = snapshot_package(args.out)
        os.environ["PYTHONPATH"] = str(snap) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
        os.environ["WORKBENCH_HOME"] = str(ROOT)  # this checkout's store and caches (resources: the snapshot's)
        sys.path.insert(0, str(snap))  # --sweep imports it in this process
        print(f"benchmarking the package as committed: {snap}", flush=True)
    if args.sweep:
        rows = []
        for size in args.sizes:
            fn = sweep_chain if args.sweep_chain else sweep
            rows += fn(size, args.sweep, args.out, args.sweep_train_workers)
        name = f"sweep{'_chain' if args.sweep_chain else ''}_tw{args.sweep_train_workers}_{'_'.join(args.sizes)}"
        (args.out / f"{name}.json").write_text(json.dumps(rows, indent=1) + "\n")
        return 0

    work = args.out / "work"
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "args": {k: str(v) for k, v in vars(args).items()},
            "machine": machine(), "method": {
                "wall": "time.perf_counter around each child process (fresh interpreter, imports included)",
                "baseline_seconds": "wall minus the baseline's own c_npmi computation (not part of the tutorial)",
                "max_rss_mb": "/usr/bin/time -v Maximum resident set size (kernel high-water mark, largest process)",
                "tree_peak_rss_mb": "peak of summed RSS of the process tree, psutil samples every 50 ms"}}
    QUIET_MAX_WAIT = args.quiet_wait
    runs: list[dict] = []
    if args.resume and (args.out / "results.json").exists():
        old = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        runs = [r for r in old["runs"] if r.get("returncode") == 0]
        meta["resumed_from"] = old.get("started")
        print(f"resuming: {len(runs)} runs kept", flush=True)
    done = {(r["pipeline"], r["size"], r["run"]) for r in runs}
    n_runs = {size: args.runs for size in args.sizes}
    n_runs.update({k: int(v) for k, v in (x.split("=") for x in args.runs_for)})
    for size in args.sizes:
        for i in range(n_runs[size]):
            for job in ("baseline", "workbench") if i % 2 == 0 else ("workbench", "baseline"):
                if (job, size, i) in done:
                    continue
                t0 = time.perf_counter()
                if job == "baseline":
                    r = baseline_run(size, i, work, coherence=(i == 0))
                else:
                    # the page's build time matters for the whole corpus; elsewhere once per size
                    r = workbench_run(size, i, work, args.iterations, time_ldavis=(i == 0 or size == "all"))
                runs.append(r)
                print(f"[{time.strftime('%H:%M:%S')}] {size} {job} run {i}: rc={r['returncode']} "
                      f"seconds={r.get('seconds')} rss={r.get('max_rss_mb')} MB c_npmi={r.get('c_npmi')} "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)
                write_results(args.out, meta, runs)
        if size in (args.tw2_sizes or []):
            for i in range(args.tw2_runs):
                if ("workbench_tw2", size, i) in done:
                    continue
                r = workbench_run(size, i, work, args.iterations, train_workers=2, time_ldavis=False)
                runs.append(r)
                print(f"[{time.strftime('%H:%M:%S')}] {size} workbench --train-workers 2 run {i}: "
                      f"rc={r['returncode']} seconds={r.get('seconds')} c_npmi={r.get('c_npmi')} "
                      f"sha={r.get('topic_term_sha256')}", flush=True)
                write_results(args.out, meta, runs)
    meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    rows = write_results(args.out, meta, runs)
    print_table(rows)
    print(f"\n{args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
