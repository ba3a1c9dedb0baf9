"""Benchmark: the local engine (tomotopy, `workbench train`) against the Spark engine (local[2]) on
all of ../shared/corpora/xinwenlianbo/ (24,133 CCTV stories, 2022-2026), same settings.

    python bench/spark_vs_local.py                    # both engines, K=30, paragraphs
    python bench/spark_vs_local.py --engines spark    # one engine
    python bench/spark_vs_local.py --years 2023       # a smaller corpus

Each run is a fresh child process (so the Spark JVM starts cold, as it would for a user). Per run:

- wall time, measured here around the child;
- peak memory: every 50 ms the resident set of each process in the child's tree is read
  (psutil) and classified as the driver (the Python process that runs the pipeline), the JVM
  (in local mode the Spark driver and its executors are one JVM), and Python workers (Spark's
  executor-side Python processes, or the local engine's tokenizer pool); the peak of each class
  and of their sum is kept. ``/usr/bin/time -v`` gives the kernel's high-water mark of the
  largest single process as a cross-check;
- CPU seconds of the whole tree (user + system, from the kernel's rusage of the child);
- the run folder's manifest: stage timings, documents, units, tokens, terms, c_npmi.

Results: bench/out/spark/results.json (every run, machine, versions) and a table on stdout.
Per-document costs and the cluster estimate written in docs/spark.md come from these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT / ".." / "shared" / "corpora" / "xinwenlianbo").resolve()
OUT = ROOT / "bench" / "out" / "spark"
PY = sys.executable
TIME = "/usr/bin/time"

SPARK_CHILD = r"""
import sys, json
from pathlib import Path
from workbench.engines import spark
from workbench.models.lda import ModelConfig
from workbench.text.preprocess import CorpusConfig
args = json.loads(sys.argv[1])
run = spark.train(args["sources"], corpus_config=CorpusConfig(unit=args["unit"]),
                  model_config=ModelConfig(num_topics=args["topics"]),
                  spark_config=spark.SparkConfig(master=args["master"]), out_dir=Path(args["out"]),
                  progress=True)
print(run)
"""


def files_for(years) -> list[Path]:
    files = sorted(CORPUS.glob("xinwenlianbo_*.jsonl"))
    if years:
        files = [f for f in files if any(f.stem.endswith(str(y)) for y in years)]
    if not files:
        raise SystemExit(f"no xinwenlianbo files in {CORPUS}")
    return files


class TreeSampler:
    """Peak resident memory of a process tree, by class of process, sampled every 50 ms."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = {"driver": 0, "jvm": 0, "python_workers": 0, "total": 0}
        self.cpu: dict[int, float] = {}  # pid -> user + system seconds, last seen (the JVM is not
        # a waited-for child of the runner, so the kernel's rusage of the child misses it)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _classify(self, p: psutil.Process) -> str | None:
        try:
            name = p.name()
            cmd = " ".join(p.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        if "java" in name or "java" in cmd.split(" ")[0]:
            return "jvm"
        if "python" in name or "python" in cmd.split(" ")[0]:
            return "python"
        return None  # /usr/bin/time, shells

    def _run(self):
        while not self._stop.is_set():
            sizes = {"driver": 0, "jvm": 0, "python_workers": 0}
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                break
            driver_seen = False
            for p in procs:
                kind = self._classify(p)
                try:
                    rss = p.memory_info().rss
                    t = p.cpu_times()
                    self.cpu[p.pid] = t.user + t.system
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                if kind == "jvm":
                    sizes["jvm"] += rss
                elif kind == "python":
                    # the first Python process in the tree is the driver; the rest are workers
                    if not driver_seen:
                        sizes["driver"] += rss
                        driver_seen = True
                    else:
                        sizes["python_workers"] += rss
            sizes["total"] = sum(sizes.values())
            for k, v in sizes.items():
                self.peak[k] = max(self.peak[k], v)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_child(cmd: list[str], log: Path, env: dict) -> dict:
    cmd = ([TIME, "-v"] if Path(TIME).exists() else []) + cmd
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, cwd=ROOT)
        with TreeSampler(proc.pid) as sampler:
            out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    text = log.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    return {
        "rc": proc.returncode, "wall_seconds": round(wall, 3), "run": lines[-1] if lines else None,
        "max_rss_mb_largest_process": round(int(m.group(1)) / 1024, 1) if m else None,
        "cpu_seconds_rusage": round(float(user.group(1)) + float(system.group(1)), 1) if user and system else None,
        "cpu_seconds": round(sum(sampler.cpu.values()), 1),
        "peak_rss_mb": {k: round(v / 2**20, 1) for k, v in sampler.peak.items()},
    }


def summarize(run: Path) -> dict:
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    c = m["corpus"]
    return {"engine": m["engine"], "num_topics": m["num_topics"], "n_documents": c["n_documents"],
            "n_units": c["n_units"], "n_tokens": c["n_tokens"], "n_terms": c["n_terms"],
            "c_npmi": m["metrics"]["c_npmi"], "stats": c["stats"], "model_settings": m["model_settings"],
            "spark": m.get("spark")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engines", nargs="+", default=["local", "spark"], choices=["local", "spark"])
    ap.add_argument("--years", nargs="*", type=int, help="only these years (default: all)")
    ap.add_argument("--topics", type=int, default=30)
    ap.add_argument("--unit", default="paragraph")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--append", action="store_true",
                    help="keep the other engines' runs already in results.json (rerun one engine)")
    args = ap.parse_args(argv)

    files = files_for(args.years)
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / "work"
    for engine in args.engines:  # the other engines' run folders stay (--append)
        shutil.rmtree(work / f"{engine}-runs", ignore_errors=True)
        shutil.rmtree(work / f"{engine}-cache", ignore_errors=True)
        shutil.rmtree(work / f"{engine}-store", ignore_errors=True)
    work.mkdir(exist_ok=True)
    results = {"machine": {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                           "platform": platform.platform(), "python": platform.python_version(),
                           "load_average_at_start": os.getloadavg()},
               "corpus": [str(f) for f in files], "mb_utf8": round(sum(f.stat().st_size for f in files) / 1e6, 1),
               "settings": vars(args), "runs": []}
    previous = OUT / "results.json"
    if args.append and previous.exists():
        old = json.loads(previous.read_text(encoding="utf-8"))
        results["runs"] = [r for r in old.get("runs", []) if r["engine"] not in args.engines]
    for engine in args.engines:
        env = {**os.environ, "WORKBENCH_CACHE": str(work / f"{engine}-cache"),
               "WORKBENCH_STORE": str(work / f"{engine}-store" / "store.sqlite"), "PYTHONUNBUFFERED": "1"}
        out = work / f"{engine}-runs"
        if engine == "local":
            cmd = [PY, "-m", "workbench", "train", *map(str, files), "--topics", str(args.topics),
                   "--unit", args.unit, "--out", str(out), "--quiet"]
        else:
            child = {"sources": [str(f) for f in files], "unit": args.unit, "topics": args.topics,
                     "master": args.master, "out": str(out)}
            cmd = [PY, "-c", SPARK_CHILD, json.dumps(child)]
        print(f"[{time.strftime('%H:%M:%S')}] {engine}: running (load {os.getloadavg()[0]:.1f})", flush=True)
        res = run_child(cmd, work / f"{engine}.stderr.txt", env)
        res["engine"] = engine
        res["load_average_at_end"] = os.getloadavg()
        if res["rc"] == 0 and res["run"]:
            res["manifest"] = summarize(Path(res["run"]))
        results["runs"].append(res)
        print(f"[{time.strftime('%H:%M:%S')}] {engine}: rc={res['rc']} wall={res['wall_seconds']} s "
              f"peak={res['peak_rss_mb']} MB cpu={res['cpu_seconds']} s", flush=True)
        (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print("\nengine  wall_s  cpu_s  peak_driver_MB  peak_jvm_MB  peak_workers_MB  peak_total_MB  docs  units  c_npmi")
    for r in results["runs"]:
        m = r.get("manifest", {})
        p = r["peak_rss_mb"]
        print(f"{r['engine']:6} {r['wall_seconds']:7.1f} {r['cpu_seconds'] or 0:6.1f} {p['driver']:15.1f} "
              f"{p['jvm']:12.1f} {p['python_workers']:16.1f} {p['total']:14.1f}  {m.get('n_documents', '')} "
              f"{m.get('n_units', '')} {m.get('c_npmi', '')}")
    print(OUT / "results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
