"""``04_expanded_corpus.ipynb`` runs top to bottom, headless: ingest (twice: the second adds
nothing), sweep, retrain, compare with the seed run, prevalence over time.

Executed as ``tests/test_notebooks.py`` executes 01-03 (nbclient, kernel ``python3``, a temporary
copy of the notebook), with ``WORKBENCH_STORE``, ``WORKBENCH_RUNS`` and ``WORKBENCH_RUN`` (a private
copy of the session's seed run) pointing into a temporary folder, so nothing is written into the
checkout.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from test_notebooks import FONT_TROUBLE, NOTEBOOKS, ROOT, _outputs, _stream_text

from workbench.analysis import explore

NAME = "04_expanded_corpus.ipynb"
CELL_TIMEOUT = 120


def _checkout_state() -> dict[str, float]:
    watched = [NOTEBOOKS, ROOT / "examples", ROOT / "seeds"]
    return {str(p.relative_to(ROOT)): p.stat().st_mtime for d in watched for p in d.rglob("*")}


@pytest.fixture(scope="module")
def executed(seed_run, tmp_path_factory):
    from nbclient import NotebookClient

    work = tmp_path_factory.mktemp("notebook04")
    runs_dir = work / "runs"
    seed_copy = Path(shutil.copytree(seed_run, runs_dir / seed_run.name))
    shutil.copy(NOTEBOOKS / NAME, work / NAME)
    before = _checkout_state()
    seed_files = {p.name: p.read_bytes() for p in seed_copy.rglob("*") if p.is_file()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(explore.RUN_ENV, str(seed_copy))
        mp.setenv(explore.RUNS_ENV, str(runs_dir))
        mp.setenv("WORKBENCH_STORE", str(work / "store" / "store.sqlite"))
        nb = nbformat.read(work / NAME, as_version=4)
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                       resources={"metadata": {"path": str(work)}}).execute()
    nbformat.write(nb, work / NAME)
    new_runs = [p for p in runs_dir.iterdir() if p.is_dir() and p != seed_copy and not p.name.startswith(".")]
    return {"nb": nb, "runs": runs_dir, "seed": seed_copy, "new": new_runs,
            "store": work / "store" / "store.sqlite", "before": before, "seed_files": seed_files}


def _cell_text(cell) -> str:
    return "\n".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


@pytest.mark.notebook
def test_ingests_twice_and_the_second_ingest_adds_nothing(executed):
    text = _stream_text(executed["nb"])
    first = re.search(r"corpus 'expanded': (\d+) added, (\d+) unchanged, 0 updated, (\d+) skipped", text)
    assert first and int(first.group(1)) == 77, text  # 72 reports and resolutions + 5 seed articles
    assert re.search(r"again:\s+corpus 'expanded': 0 added, 77 unchanged, 0 updated, 0 skipped", text), text
    assert executed["store"].is_file()  # the store went where WORKBENCH_STORE says


@pytest.mark.notebook
def test_sweeps_retrains_and_compares_with_the_seed_run(executed):
    new = executed["new"]
    sweeps = [p for p in new if p.name.startswith("sweep-")]
    trained = [p for p in new if not p.name.startswith("sweep-")]
    assert len(sweeps) == 1 and (sweeps[0] / "sweep.csv").is_file()
    assert len(trained) == 1, "the notebook trains one run and reuses the seed run it was given"
    run = trained[0]
    comparison = run / f"compare_{executed['seed'].name}.csv"
    assert comparison.read_bytes().startswith(b"\xef\xbb\xbf")
    import pandas as pd

    table = pd.read_csv(comparison, encoding="utf-8-sig")
    assert set(table["status"]) <= {"matched", "split", "merged", "new", "vanished"}
    n_seed = len(pd.read_csv(executed["seed"] / "topics.csv", encoding="utf-8-sig")["topic"].unique())
    assert set(table["topic_a"].dropna().astype(int)) == set(range(n_seed))  # every seed topic accounted for
    k = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["num_topics"]
    assert k in (15, 25)  # what the sweep chose from
    assert set(table["topic_b"].dropna().astype(int)) == set(range(k))
    assert {"脱贫攻坚", "纪检监察"} <= set(table["label_a"].dropna())  # labels suggested for the seed run
    html = "\n".join(_outputs(executed["nb"], "text/html"))
    assert "carried_label" in html and "top_terms_b" in html and ">vanished<" in html
    after = {p.name: p.read_bytes() for p in executed["seed"].rglob("*") if p.is_file()}
    assert after == executed["seed_files"], "the seed run was written to"


@pytest.mark.notebook
def test_plots_prevalence_over_time_with_labels_and_no_font_trouble(executed):
    nb = executed["nb"]
    text = _stream_text(nb)
    assert not FONT_TROUBLE.search(text), text
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
            if o.get("name") == "stderr":
                assert not FONT_TROUBLE.search(o.get("text", "")), o["text"]
    run = next(p for p in executed["new"] if not p.name.startswith("sweep-"))
    folder = run / "prevalence"
    for name in ("prevalence_by_year.png", "prevalence_by_year_anti_corruption.png", "prevalence_by_period.png",
                 "prevalence_by_year.csv", "prevalence_by_period.csv"):
        assert (folder / name).stat().st_size > 0, name
    assert (folder / "prevalence_by_year.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "反腐与政府自身建设" in (run / "labels.json").read_text(encoding="utf-8")
    assert len(_outputs(nb, "image/png")) == 3  # the sweep, the topic by year, four topics by period
    html = "\n".join(_outputs(nb, "text/html"))
    assert "反腐与政府自身建设" in html and "per_10k" in html
    assert "period[T.2013-2025]" in html and ">year<" in html  # the two estimate_effect tables


@pytest.mark.notebook
def test_writes_nothing_into_the_checkout(executed):
    # its running time is measured by bench/budgets.py --notebook; the cells' own timeout bounds a hung cell
    assert _checkout_state() == executed["before"]


def test_cells_call_workbench_and_hold_no_pipeline_logic():
    # (no outputs and the opening question: tests/test_notebooks.py checks every notebook)
    code = [cell for cell in nbformat.read(NOTEBOOKS / NAME, as_version=4).cells if cell.cell_type == "code"]
    assert "from workbench" in code[0].source
    for cell in code:
        assert not re.search(r"^\s*(def|class|for|while) ", cell.source, re.MULTILINE), cell.source


def test_the_sample_ships_with_its_provenance():
    folder = ROOT / "examples" / "gov-reports"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "public domain" in readme.lower() and "wikisource" in readme.lower()
    files = sorted(folder.glob("*.jsonl"))
    assert [f.name for f in files] == ["gov_work_reports_national.jsonl"]
    assert files[0].stat().st_size < 4_000_000
    shipped = "\n".join(p.name for p in (ROOT / "examples").rglob("*")).lower()
    assert "xinwenlianbo" not in shipped and "thucnews" not in shipped
