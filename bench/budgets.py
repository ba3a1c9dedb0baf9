"""Time budgets: how long the workbench takes on inputs that were once slow, against a budget.

The test suite checks what these inputs produce, never how long it takes (a shared machine makes
wall-clock assertions flaky); the times are measured here instead:

- ``one_line_50mb``: a 50 MB file that is one line of Chinese, read whole (``read_sources``);
- ``unpunctuated_80k``: 80,000 long lines without a sentence end (the old re-joining was quadratic:
  400 s for 3 MB);
- ``malformed_html``: 40,000 repeats of each kind of broken markup (html.parser took 15 s on 30 KB
  of ``<a `` and minutes on 120 KB), the slowest kind reported;
- ``bootstrap_10k``: ``prevalence_by`` with 1,000 resamples on 10,080 units (6 years x 420 articles
  x 4 paragraphs);
- ``notebooks_01_03``, ``notebook_04``, ``notebook_05`` (with ``--notebook``): the notebooks run headless as
  ``tests/test_notebooks.py``, ``tests/test_notebook04.py`` and ``tests/test_notebook05.py`` run them, on a seed run trained
  first (not timed).

Prints one line per case (seconds, budget, ok / OVER) and exits 1 when a case is over budget::

    python bench/budgets.py [--notebook] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGETS = {"one_line_50mb": 8.0, "unpunctuated_80k": 3.0, "malformed_html": 1.5, "bootstrap_10k": 2.0,
           "notebooks_01_03": 90.0, "notebook_04": 60.0,
           "notebook_05": 150.0}


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def one_line_50mb(work: Path) -> float:
    from workbench.corpus.ingest import read_sources

    sentence = "各级党组织深入开展党史学习教育，推动学史明理学史增信学史崇德学史力行。"
    f = work / "one_line.txt"
    f.write_bytes(sentence.encode() * (50_000_000 // len(sentence.encode())))
    return _timed(lambda: list(read_sources([f])))


def unpunctuated_80k(work: Path) -> float:
    from workbench.corpus.ingest import read_sources

    line = "网格员走访居民化解矛盾纠纷服务群众推进基层治理现代化建设工作不断深入开展"
    f = work / "no_punctuation.txt"
    f.write_text("\n".join([line] * 80_000), encoding="utf-8")
    return _timed(lambda: list(read_sources([f])))


def malformed_html(work: Path) -> float:
    from workbench.corpus.ingest import html_to_text

    kinds = ["<a ", "<a b='", "</", "<!--", "<noscript>", "<script>", "<<p>"]
    return max(_timed(lambda: html_to_text("<html><body><p>正文开头。</p>" + junk * 40_000)) for junk in kinds)


def bootstrap_10k(work: Path) -> float:
    import numpy as np
    import pandas as pd

    from workbench.analysis.effects import prevalence_by

    rng = np.random.default_rng(1)
    rows = []
    for year in range(2015, 2021):
        for d in range(420):
            mix = rng.dirichlet([2.0, 2.0, 2.0])
            for u in range(4):
                share = rng.dirichlet(mix * 50)
                rows.append({"doc_id": f"{year}{d:06d}", "unit_id": f"{year}{d:06d}-{u}", "year": year,
                             "n_tokens": int(rng.integers(20, 200)), "topic_0": share[0], "topic_1": share[1],
                             "topic_2": share[2]})
    df = pd.DataFrame(rows)
    return _timed(lambda: prevalence_by(df, "year", n_boot=1000))


def _run_notebooks(work: Path, names: list[str]) -> float:
    """Seconds to execute ``names`` in turn on a fresh seed run (trained first, not timed)."""
    import nbformat
    from nbclient import NotebookClient

    from workbench import engines
    from workbench.analysis import explore

    runs = work / "runs"
    seed = engines.train(out_dir=runs, progress=False)
    os.environ.update({explore.RUN_ENV: str(seed), explore.RUNS_ENV: str(runs),
                       "WORKBENCH_STORE": str(work / "store" / "store.sqlite")})
    seconds = 0.0
    for name in names:
        shutil.copy(ROOT / "notebooks" / name, work / name)
        nb = nbformat.read(work / name, as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}})
        seconds += _timed(client.execute)
    return seconds


def notebooks_01_03(work: Path) -> float:
    return _run_notebooks(work, ["01_corpus.ipynb", "02_topics.ipynb", "03_labels_and_export.ipynb"])


def notebook_04(work: Path) -> float:
    return _run_notebooks(work, ["04_expanded_corpus.ipynb"])


def notebook_05(work: Path) -> float:
    return _run_notebooks(work, ["05_covariates_and_validation.ipynb"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebook", action="store_true", help="also time the notebooks (01-03, 04: about a minute; 05: about two)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest counts")
    args = ap.parse_args(argv)
    cases = [one_line_50mb, unpunctuated_80k, malformed_html, bootstrap_10k]
    cases += [notebooks_01_03, notebook_04, notebook_05] if args.notebook else []
    over = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("WORKBENCH_CACHE", str(Path(tmp) / "cache"))
        os.environ.setdefault("WORKBENCH_STORE", str(Path(tmp) / "store.sqlite"))
        for case in cases:
            seconds = []
            for i in range(args.repeat):
                work = Path(tmp) / f"{case.__name__}-{i}"
                work.mkdir()
                seconds.append(case(work))
            budget = BUDGETS[case.__name__]
            ok = min(seconds) <= budget
            over += not ok
            print(f"{case.__name__:18} {min(seconds):7.2f} s  budget {budget:5.1f} s  {'ok' if ok else 'OVER'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
