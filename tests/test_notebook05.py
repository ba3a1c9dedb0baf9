"""``05_covariates_and_validation.ipynb`` runs top to bottom, headless, on the shipped government work
reports: an STM with prevalence s(year) and its effect plot, a DTM and one topic's vocabulary over
time, Fighting Words between two eras, topic quality and a word-intrusion sheet.

Executed as ``tests/test_notebook04.py`` executes 04 (nbclient, kernel ``python3``, a temporary copy),
with ``WORKBENCH_STORE`` and ``WORKBENCH_RUNS`` pointing into a temporary folder, so nothing is
written into the checkout. Its running time: ``python bench/budgets.py --notebook``."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pandas as pd
import pytest
from test_notebook04 import _checkout_state
from test_notebooks import FONT_TROUBLE, NOTEBOOKS, _outputs, _stream_text

from workbench.analysis import explore

NAME = "05_covariates_and_validation.ipynb"
CELL_TIMEOUT = 300


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient

    work = tmp_path_factory.mktemp("notebook05")
    runs_dir = work / "runs"
    shutil.copy(NOTEBOOKS / NAME, work / NAME)
    before = _checkout_state()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(explore.RUN_ENV, raising=False)
        mp.setenv(explore.RUNS_ENV, str(runs_dir))
        mp.setenv("WORKBENCH_STORE", str(work / "store" / "store.sqlite"))
        nb = nbformat.read(work / NAME, as_version=4)
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                       resources={"metadata": {"path": str(work)}}).execute()
    nbformat.write(nb, work / NAME)
    runs = {json.loads((p / "manifest.json").read_text(encoding="utf-8"))["engine"]: p
            for p in runs_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return {"nb": nb, "runs": runs, "before": before}


@pytest.mark.notebook
def test_trains_an_stm_and_a_dtm_and_draws_without_font_trouble(executed):
    nb, runs = executed["nb"], executed["runs"]
    assert set(runs) == {"stm", "dtm"}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", o
            assert not FONT_TROUBLE.search(o.get("text", "")), o["text"]
    # the effect curve, the term drift, the topics-over-time grid and the Fighting Words chart
    assert len(_outputs(nb, "image/png")) == 4
    text = _stream_text(nb)
    assert re.search(r"anti-corruption topic: \d+ ", text), text
    assert "~ s(year)" in text and "STM logistic-normal posterior" in text
    assert "Fighting Words, year: 1954-1977" in text


@pytest.mark.notebook
def test_one_topics_vocabulary_over_time(executed):
    html = "\n".join(_outputs(executed["nb"], "text/html"))
    assert "1954-1977" in html and "2013-2025" in html
    dtm = executed["runs"]["dtm"]
    table = pd.read_csv(dtm / "topics_over_time.csv", encoding="utf-8-sig", keep_default_na=False)
    assert table["period"].nunique() == 5 and table["topic"].nunique() == 10


@pytest.mark.notebook
def test_writes_the_contrast_and_the_intrusion_sheet_into_the_run(executed):
    stm = executed["runs"]["stm"]
    assert (stm / "contrasts" / "contrast_year_1954-1977_vs_1978-2025.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = pd.read_excel(stm / "validation" / "word_intrusion.xlsx", dtype=str, keep_default_na=False)
    assert len(sheet) == 10 and (sheet["answer"] == "").all()
    assert (stm / "validation" / "word_intrusion.key.csv").is_file()
    assert (stm / "validation" / "topic_quality.csv").is_file()


@pytest.mark.notebook
def test_writes_nothing_into_the_checkout(executed):
    assert _checkout_state() == executed["before"]


def test_cells_call_workbench_and_hold_no_pipeline_logic():
    code = [cell for cell in nbformat.read(NOTEBOOKS / NAME, as_version=4).cells if cell.cell_type == "code"]
    assert "from workbench" in code[0].source
    for cell in code:
        assert not re.search(r"^\s*(def|class|for|while) ", cell.source, re.MULTILINE), cell.source
