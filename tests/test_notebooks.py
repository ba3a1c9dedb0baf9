"""The notebooks run top to bottom, headless, on a run trained on the seeds; `workbench notebook`
starts JupyterLab on them.

Each notebook is executed with nbclient in a temporary copy (its kernel starts there), on a
private copy of the session's seed run (``WORKBENCH_RUN``), so executing writes nothing into the
checkout: labels and exports go into the copied run. Committed notebooks carry no outputs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from workbench import notebook
from workbench.analysis import explore

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_corpus.ipynb", "02_topics.ipynb", "03_labels_and_export.ipynb")
CELL_TIMEOUT = 120  # seconds per cell; the slowest (tokenizing the seeds) takes a few
# What matplotlib and wordcloud print when a character has no glyph in the font.
FONT_TROUBLE = re.compile(r"missing from (the )?(current )?font|Glyph \d+|findfont", re.IGNORECASE)


def _stream_text(nb) -> str:
    return "\n".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", [])
                     if o.get("output_type") == "stream")


def _outputs(nb, mime: str) -> list[str]:
    return [o["data"][mime] for cell in nb.cells for o in cell.get("outputs", [])
            if mime in o.get("data", {})]


@pytest.fixture(scope="module")
def workspace(seed_run, tmp_path_factory):
    """A temporary folder with copies of the notebooks and of the seed run; WORKBENCH_RUN names it."""
    work = tmp_path_factory.mktemp("notebooks")
    run = Path(shutil.copytree(seed_run, work / "runs" / seed_run.name))
    for name in NAMES:
        shutil.copy(NOTEBOOKS / name, work / name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(explore.RUN_ENV, str(run))
        mp.setenv(explore.RUNS_ENV, str(work / "runs"))
        yield {"dir": work, "run": run, "executed": set(), "checkout": _checkout_state()}


def _execute(workspace, name: str, extra_cells=()):
    from nbclient import NotebookClient

    path = workspace["dir"] / name
    nb = nbformat.read(path, as_version=4)
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in extra_cells)
    # kernel "python3" is this interpreter: jupyter_client runs a kernelspec's "python" as
    # sys.executable (checked below through sys.prefix).
    NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(workspace["dir"])}}).execute()
    nbformat.write(nb, path)
    workspace["executed"].add(name)
    return nb


def _checkout_state() -> dict[str, float]:
    return {str(p.relative_to(ROOT)): p.stat().st_mtime for p in NOTEBOOKS.rglob("*")}


@pytest.mark.notebook
def test_01_corpus_runs_on_the_seeds(workspace):
    nb = _execute(workspace, "01_corpus.ipynb", extra_cells=["import sys; print('PREFIX=' + sys.prefix)"])
    text = _stream_text(nb)
    assert f"PREFIX={sys.prefix}" in text, "the kernel runs another interpreter than the tests"
    assert "5 articles" in text
    assert not FONT_TROUBLE.search(text), text
    tables = "\n".join(_outputs(nb, "text/html"))
    assert "图片" in tables and "page furniture" in tables  # what the cleaning removed
    assert "整县 / 推进" in tables  # a before/after segmentation example
    assert len(_outputs(nb, "image/png")) == 1  # the word cloud


@pytest.mark.notebook
def test_02_topics_shows_tables_charts_and_the_topic_map_inline(workspace):
    nb = _execute(workspace, "02_topics.ipynb")
    text = _stream_text(nb)
    assert not FONT_TROUBLE.search(text), text
    html_out = "\n".join(_outputs(nb, "text/html"))
    frames = re.findall(r"<iframe[^>]*srcdoc=\"[^\"]*\"", html_out)
    assert len(frames) == 1, "the pyLDAvis map is not inline"
    assert "LDAvis" in frames[0] and "ldavis-" in frames[0]
    assert "&lt;script" in frames[0] and "https://cdn" not in frames[0]
    run = workspace["run"]
    assert f"{run.name}" in html_out  # run_summary names the run it opened
    assert len(_outputs(nb, "image/png")) == 3  # top terms, heatmap, shares by article


@pytest.mark.notebook
def test_03_labels_and_exports_land_in_the_run(workspace):
    run = workspace["run"]
    nb = _execute(workspace, "03_labels_and_export.ipynb")
    text = _stream_text(nb)
    assert not FONT_TROUBLE.search(text), text
    labels = json.loads((run / "labels.json").read_text(encoding="utf-8"))
    assert "脱贫攻坚" in labels.values()
    exports = run / "exports"
    for stem in ("doc_topics", "articles"):
        for ext in ("csv", "xlsx", "parquet", "dta"):
            assert (exports / f"{stem}.{ext}").stat().st_size > 0, f"{stem}.{ext} missing"
    assert (exports / "doc_topics.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "脱贫攻坚" in "\n".join(_outputs(nb, "text/html"))
    assert len(_outputs(nb, "image/png")) == 2


@pytest.mark.notebook
def test_the_notebooks_wrote_nothing_into_the_checkout(workspace):
    # how long they take: bench/budgets.py --notebook
    if len(workspace["executed"]) < len(NAMES):
        pytest.skip("not every notebook ran")
    assert _checkout_state() == workspace["checkout"]


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_committed_notebooks_have_no_outputs_and_open_with_their_question(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    question = [line for line in first.source.splitlines() if line.strip() and not line.startswith("#")]
    assert len(question) == 1 and question[0].rstrip().endswith("?"), "open with one sentence: the question"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip outputs before committing"
    assert "from workbench" in code[0].source


def test_the_readme_tells_how_to_open_a_run():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    assert "workbench notebook runs/" in readme and "WORKBENCH_RUN=" in readme
    for name in sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")):
        assert name in readme


# --------------------------------------------------------------------------------------------
# workbench notebook


def test_command_starts_jupyterlab_in_the_notebooks_folder(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    cmd, env = notebook.build_command(env={"DISPLAY": ":0"})
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--notebook-dir={NOTEBOOKS}" in cmd
    assert "--allow-root" not in cmd and "--no-browser" not in cmd
    assert explore.RUN_ENV not in env


def test_command_as_root_without_a_display(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(sys, "platform", "linux")
    cmd, _ = notebook.build_command(port=8890, extra_args=["--ServerApp.token=abc"], env={})
    assert "--allow-root" in cmd and "--no-browser" in cmd
    assert cmd[-2:] == ["--port=8890", "--ServerApp.token=abc"]  # the caller's arguments last


def test_command_passes_the_run_as_an_absolute_path(seed_run, tmp_path, monkeypatch):
    shutil.copytree(seed_run, tmp_path / "runs" / "r1")
    monkeypatch.chdir(tmp_path)
    _, env = notebook.build_command("runs/r1", env={})
    assert env[explore.RUN_ENV] == str(tmp_path / "runs" / "r1")
    assert env[explore.RUNS_ENV] == str(tmp_path / "runs")
    _, env = notebook.build_command(env={explore.RUN_ENV: "runs/r1"})  # WORKBENCH_RUN=runs/<id> workbench notebook
    assert env[explore.RUN_ENV] == str(tmp_path / "runs" / "r1")
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        notebook.build_command(tmp_path, env={})


def test_command_leaves_the_runs_folder_alone_when_there_is_none_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, env = notebook.build_command(env={})
    assert explore.RUNS_ENV not in env  # the notebooks then look in the project's runs/


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.notebook
def test_jupyterlab_starts_and_serves_the_notebooks(seed_run, tmp_path):
    port = _free_port()
    token = "workbench-test"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    cmd, env = notebook.build_command(seed_run, port, ["--ip=127.0.0.1", f"--IdentityProvider.token={token}",
                                                       "--ServerApp.port_retries=0"], env=env)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        listing = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token={token}", timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                time.sleep(0.3)
        assert listing is not None, f"JupyterLab did not start (exit {proc.poll()})"
        assert set(NAMES) <= {item["name"] for item in listing["content"]}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
