"""Hostile text end to end: document text, metadata, theme names and topic labels that look like
script or spreadsheet formulas travel from the sources into a trained run, its topic map, its
tables and the exports, and never become code; loading a run never unpickles anything.

(tests/test_ldavis.py checks the page with hostile vocabulary and tests/test_export.py the
formula rule on hand-made tables; here the strings come in through the front door.)
"""
import csv
import io
import json
import pickle
import random
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from workbench import engines, runfolder
from workbench.models.lda import ModelConfig
from workbench.outputs import export
from workbench.text import preprocess

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","点我")'
HOSTILE_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORDS = ("脱贫攻坚 第一书记 驻村 帮扶 贫困户 产业 网格员 社区 居民 矛盾纠纷 纪检监察 立案 审查 八项规定 四风 "
         "党支部 党员 学习教育 主题党日 组织生活 巡察 整改 廉政 警示教育").split()
HOSTILE_DOC = "\n".join([
    f"网格员走访居民{SCRIPT}，化解矛盾纠纷，服务社区群众，推进基层治理。",
    f"{FORMULA}社区网格员巡查小区，化解邻里纠纷，服务群众，建设网格党支部。",
    "+1 驻村第一书记带领贫困户发展产业，推进脱贫攻坚，帮扶群众增收。",
    "-2 纪检监察机关立案审查违纪问题，落实八项规定，纠治四风。",
    "@SUM(A1) 党员干部开展学习教育，主题党日活动，组织生活会。",
])
HOSTILE_META = {"title": "=1+1", "author": "@SUM(A1)", "source": "-2", "region": "+1", "note": SCRIPT,
                "省/市": "河南/信阳"}  # a column name that is no file name
THEMES = f'[themes]\n"{SCRIPT}" = ["网格员", "社区"]\n"=HYPERLINK(\\"http://x\\",\\"点我\\")" = ["纪检监察", "八项规定"]\n'
LABELS = {2: "@SUM(A1)", 3: "+1 -2"}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    src = root / "src"
    src.mkdir()
    rng = random.Random(3)
    for i in range(30):
        paras = ["，".join("".join(rng.choice(WORDS) for _ in range(3)) for _ in range(4)) + "。" for _ in range(3)]
        (src / f"{i:03d}.txt").write_text("\n".join(paras), encoding="utf-8")
    (src / "hostile.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    (src / "records.jsonl").write_text(json.dumps({"text": "巡察整改落实到位，廉政警示教育深入开展，党员干部受教育。",
                                                   **HOSTILE_META}, ensure_ascii=False) + "\n", encoding="utf-8")
    themes = root / "themes.toml"
    themes.write_text(THEMES, encoding="utf-8")
    run = engines.train([src], corpus_config=preprocess.CorpusConfig(min_tokens=3, workers=1),
                         model_config=ModelConfig(num_topics=3, iterations=50, no_above=0.6), themes_file=themes,
                         out_dir=root / "runs", store_path=root / "store.sqlite", progress=False)
    runfolder.write_labels(run, {**{int(k): v for k, v in runfolder.read_labels(run).items()}, **LABELS})
    return run


class Page(HTMLParser):
    """Script blocks (with their type) and the text a browser shows."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.scripts, self.text, self.iframes, self._in = [], [], [], None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in = (attrs.get("type") or "text/javascript", [])
        if tag == "iframe":
            self.iframes.append(attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self._in:
            self.scripts.append((self._in[0], "".join(self._in[1])))
            self._in = None

    def handle_data(self, data):
        (self._in[1] if self._in else self.text).append(data)


def assert_page_safe(page: str) -> Page:
    assert "<script>alert" not in page.lower()
    parsed = Page(page)
    executable = [text for kind, text in parsed.scripts if kind != "application/json"]
    assert len(executable) == 3  # d3, ldavis.js, the boot script: nothing else runs
    assert not any("alert(1)" in text for text in executable)
    for kind, text in parsed.scripts:
        if kind == "application/json":
            json.loads(text)  # data, parsed, never run
    return parsed


def test_topic_map_shows_hostile_names_as_text(hostile_run):
    parsed = assert_page_safe((hostile_run / "ldavis.html").read_text(encoding="utf-8"))
    shown = "".join(parsed.text)
    assert SCRIPT in shown and FORMULA in shown  # theme names in the legend, as text


def test_notebook_map_with_labels_set_later(hostile_run):
    pytest.importorskip("IPython")
    from workbench.analysis import explore

    run = runfolder.load_run(hostile_run)
    outer = explore.show_ldavis(run).data
    frame = Page(outer)
    assert frame.scripts == [] and len(frame.iframes) == 1  # the notebook page itself runs nothing
    assert frame.iframes[0]["sandbox"] == "allow-scripts"
    inner = assert_page_safe(frame.iframes[0]["srcdoc"])  # the page rebuilt with the new labels
    shown = "".join(inner.text)
    assert all(label in shown for label in LABELS.values()) and SCRIPT in shown


def hostile_cells(rows) -> list[str]:
    """Cells a spreadsheet would run: a formula lead character and not a plain number."""
    bad = []
    for row in rows:
        for cell in row:
            if isinstance(cell, str) and cell.startswith(HOSTILE_STARTS):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


@pytest.mark.parametrize("name", ["doc_topics.csv", "topics.csv", "keywords.csv", "terms.csv"])
def test_run_folder_csv_has_no_formula_cells(hostile_run, name):
    with open(hostile_run / name, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert hostile_cells(rows) == []
    if name == "doc_topics.csv":
        cells = {c for row in rows for c in row}
        assert any(c.startswith("'" + FORMULA) for c in cells)  # kept, as text
        for lead in ("'+1 ", "'-2 ", "'@SUM(A1) "):
            assert any(c.startswith(lead) for c in cells), lead
        assert {"'=1+1", "'@SUM(A1)", "'-2", "'+1", SCRIPT} <= cells  # metadata columns
        assert any(SCRIPT in c for c in cells if c.startswith("网格员走访居民"))
    if name == "topics.csv":
        labels = {row[1] for row in rows[1:]}
        assert SCRIPT in labels and "'" + FORMULA in labels


@pytest.mark.parametrize("articles", [False, True])
def test_exports_have_no_formula_cells(hostile_run, tmp_path, articles):
    from openpyxl import load_workbook

    run = runfolder.load_run(hostile_run)
    table = export.aggregate_to_articles(run.doc_topics) if articles else run.doc_topics
    out_csv = export.export_table(table, tmp_path / "t.csv", "csv", labels=run.labels)
    with open(out_csv, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert hostile_cells(rows) == []
    assert "'@SUM(A1)" in {c for row in rows for c in row} or articles  # a dominant_label
    out_xlsx = export.export_table(table, tmp_path / "t.xlsx", "xlsx", labels=run.labels)
    ws = load_workbook(out_xlsx).active
    cells = [c for row in ws.iter_rows() for c in row]
    # xlsx's guard is the cell type: no formula cell, and the text as the source wrote it in a string cell.
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert hostile_cells([[c.value for c in cells if c.data_type != "s"]]) == []
    assert any(c.data_type == "s" and isinstance(c.value, str) and c.value.startswith(FORMULA) for c in cells) or articles


class Evil:
    """Unpickling this creates a file: proof that something was unpickled."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("where", ["inside", "symlink to outside"])
def test_load_run_never_unpickles(hostile_run, tmp_path, where):
    run = tmp_path / "run"
    shutil.copytree(hostile_run, run)
    marker = tmp_path / "UNPICKLED"
    target = run / "topic_term.npy"
    target.unlink()
    evil = target if where == "inside" else tmp_path / "elsewhere.npy"
    np.save(evil, np.array([Evil(marker), 1], dtype=object), allow_pickle=True)
    if where != "inside":
        target.symlink_to(evil)
    with pytest.raises(ValueError, match="allow_pickle"):
        runfolder.load_run(run)
    assert not marker.exists()


def test_loading_a_good_run_calls_no_unpickler(hostile_run, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("load_run unpickled something")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    run = runfolder.load_run(hostile_run)
    assert run.num_topics == 5 and len(run.doc_topics) > 0


def test_every_table_under_the_run_folder_is_formula_safe(hostile_run, tmp_path):
    # compare_<A>.csv carries labels from labels.json and theme names into a table of its own
    from openpyxl import load_workbook

    from workbench.analysis import compare

    run = Path(shutil.copytree(hostile_run, tmp_path / hostile_run.name))
    table = compare.compare_runs(run, run)
    assert any(str(v).startswith(HOSTILE_STARTS) for v in table.astype(str).to_numpy().ravel())
    compare.write_comparison(table, run / f"compare_{run.name}.csv")
    (run / "exports").mkdir()
    export.export_table(runfolder.load_run(run).doc_topics, run / "exports" / "doc_topics.xlsx", "xlsx")
    tables = sorted(run.rglob("*.csv")) + sorted(run.rglob("*.xlsx"))
    assert any(p.name.startswith("compare_") for p in tables) and any(p.suffix == ".xlsx" for p in tables)
    for path in tables:
        if path.suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                assert hostile_cells(csv.reader(fh)) == [], path
        else:  # text is stored as string cells: no formula cell anywhere
            cells = [c for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
            assert [c.coordinate for c in cells if c.data_type == "f"] == [], path


# ---------------------------------------------------------------------------
# source columns named like the workbench's own


def test_source_name_renames_once_and_never_onto_another_column():
    from workbench.corpus.ingest import meta_names, source_name

    assert source_name("topic_0", set()) == "source_topic_0"
    assert source_name("topic_17", {"source_topic_17"}) == "source_source_topic_17"
    assert source_name("source_file", set()) == "source_source_file"  # ours too
    assert source_name("省/市", set()) == "省/市" and source_name("topic_x", set()) == "topic_x"
    names = meta_names(["正文", "doc_id", "meta_doc_id", "source_doc_id", "topic_3", "标题", "title"], "正文",
                       {"text": "正文", "title": "标题"})
    assert names == {"doc_id": "source_source_doc_id", "meta_doc_id": "meta_doc_id",
                     "source_doc_id": "source_doc_id", "topic_3": "source_topic_3", "标题": "title",
                     "title": "meta_title"}
    assert len(set(names.values())) == len(names)


def test_retraining_on_an_export_keeps_every_source_column(seed_run, tmp_path):
    # The workbench's own export as a source: topic_k, dominant_topic, n_tokens, doc_id ... are
    # columns of both the source and the new run; a labelled export adds dominant_label.
    from contextlib import closing

    import pandas as pd

    from workbench.corpus import store

    exported = export.export_run(runfolder.load_run(seed_run), path=tmp_path / "doc_topics.csv")
    source = pd.read_csv(exported, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    source.insert(5, "meta_doc_id", [f"m{i}" for i in range(len(source))])
    source.insert(6, "dominant_label", [f"旧标签{i}" for i in range(len(source))])
    source.to_csv(exported, index=False, encoding="utf-8-sig")
    k_source = len([c for c in source.columns if c.startswith("topic_")])

    with closing(store.connect(tmp_path / "summary.sqlite")) as conn:
        summary = store.ingest(conn, [exported], "导出").summary()
    assert ("renamed, as the workbench's own column names: doc_id -> source_doc_id, unit_id -> source_unit_id, "
            "source_file -> source_source_file") in summary
    assert f"topic_0 … topic_{k_source - 1} -> source_topic_0 … source_topic_{k_source - 1} (doc_topics.csv)" in summary
    assert "dominant_label -> source_dominant_label" in summary and "meta_doc_id ->" not in summary

    run = engines.train([exported], corpus_config=preprocess.CorpusConfig(workers=1),
                        model_config=ModelConfig(num_topics=3, iterations=30), out_dir=tmp_path / "runs",
                        store_path=tmp_path / "store.sqlite", progress=False)
    loaded = runfolder.load_run(run)
    table = loaded.doc_topics
    assert len(set(table.columns)) == len(table.columns)
    assert [c for c in table.columns if c.startswith("topic_")] == ["topic_0", "topic_1", "topic_2"]
    by_unit = source.set_index("unit_id")
    for row in table.itertuples(index=False):  # each source row is one paragraph: one unit here
        row = row._asdict()
        was = by_unit.loc[row["source_unit_id"]]
        assert row["source_doc_id"] == was["doc_id"] and row["meta_doc_id"] == was["meta_doc_id"]
        assert row["source_dominant_label"] == was["dominant_label"]
        assert str(row["source_n_tokens"]) == was["n_tokens"]
        assert [row[f"source_topic_{k}"] for k in range(k_source)] == [was[f"topic_{k}"] for k in range(k_source)]
    assert loaded.headers["source_topic_0"] == "topic_0" and loaded.headers["source_doc_id"] == "doc_id"

    runfolder.write_labels(run, {0: "脱贫攻坚"})
    again = pd.read_csv(export.export_run(runfolder.load_run(run), path=tmp_path / "again.csv"),
                        encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(again["source_dominant_label"]) == set(source["dominant_label"])
    assert set(again["dominant_label"]) <= {"0 脱贫攻坚", "1", "2"}


# ---------------------------------------------------------------------------
# verify: what a manifest can promise, and what only a published hash can


def verify(run: Path, *args: str) -> tuple[int, str, str]:
    from workbench import cli

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["verify", str(run), *args])
    return code, out.getvalue(), err.getvalue()


def rewrite_manifest(run: Path, change) -> None:
    path = run / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def run_copy(hostile_run, tmp_path) -> Path:
    return Path(shutil.copytree(hostile_run, tmp_path / "runs" / hostile_run.name, symlinks=True))


def test_verify_prints_the_manifest_hash_and_only_that_hash_catches_a_rehashed_edit(run_copy):
    import hashlib

    code, out, err = verify(run_copy)
    published = hashlib.sha256((run_copy / "manifest.json").read_bytes()).hexdigest()
    assert code == 0 and err == "" and f"manifest.json sha256: {published}" in out
    assert verify(run_copy, "--expect", published)[0] == 0
    # a forged row, its new sha256 written into the manifest: consistent with itself ...
    with open(run_copy / "doc_topics.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write("ffffffffffffffff,ffffffffffffffff-p000,假.txt,,,,伪造的一行,9,0" + ",1.0" * 5 + "\r\n")
    forged = runfolder.reader.sha256_file(run_copy / "doc_topics.csv")
    rewrite_manifest(run_copy, lambda m: m["files"].__setitem__("doc_topics.csv", forged))
    assert verify(run_copy)[0] == 0
    # ... but not the published manifest
    code, out, err = verify(run_copy, "--expect", published)
    assert code == 1 and f"its sha256 is {hashlib.sha256((run_copy / 'manifest.json').read_bytes()).hexdigest()}, " \
                          f"not the expected {published}" in err


@pytest.mark.parametrize("tamper, expected", [
    (lambda run: rewrite_manifest(run, lambda m: m.pop("files")), "manifest.json: no 'files'"),
    (lambda run: rewrite_manifest(run, lambda m: m.__setitem__("files", {})), "manifest.json: no 'files'"),
    (lambda run: (run / "manifest.json").write_text('{"files": {"doc_topics.csv": ', encoding="utf-8"),
     "manifest.json: not JSON (Expecting"),
    (lambda run: (run / "manifest.json").write_bytes(b"\xff\xfe{}"), "manifest.json: not UTF-8"),
    (lambda run: (run / "manifest.json").write_text("[1, 2]", encoding="utf-8"), "manifest.json: no 'files'"),
    (lambda run: (run / "model" / "extra.pkl").write_bytes(pickle.dumps(1)), "model/extra.pkl: not listed"),
    (lambda run: (run / "notes.txt").write_text("多出来的文件", encoding="utf-8"), "notes.txt: not listed"),
    (lambda run: (run / "labels.json").write_text('{"0": "改过的标签"}', encoding="utf-8"),
     "labels.json: does not match"),
    (lambda run: (run / "topics.csv").unlink(), "topics.csv: listed in the manifest, missing"),
    (lambda run: rewrite_manifest(run, lambda m: m["files"].__setitem__("model", "0" * 64)),
     "model: listed in the manifest as a file, a folder here"),
    (lambda run: rewrite_manifest(run, lambda m: m["files"].__setitem__("doc_topics.csv", "0" * 63)),
     "doc_topics.csv: listed in the manifest without a sha256"),
])
def test_verify_fails_in_one_line_per_problem(run_copy, tamper, expected):
    tamper(run_copy)
    code, out, err = verify(run_copy)
    assert code == 1, out
    assert err.startswith(f"workbench: {run_copy}/{expected}") and "Traceback" not in err, err
    assert all(line.startswith("workbench: ") for line in err.splitlines())


def test_verify_reads_nothing_outside_the_folder_and_follows_no_link(run_copy, tmp_path):
    import os

    outside = tmp_path / "outside.txt"
    outside.write_text("运行文件夹之外", encoding="utf-8")
    sha = runfolder.reader.sha256_file(outside)
    rewrite_manifest(run_copy, lambda m: m["files"].update({"../../outside.txt": sha, str(outside): sha}))
    code, _, err = verify(run_copy)
    assert code == 1
    assert f"{run_copy}/../../outside.txt: listed in the manifest, outside the run folder" in err
    assert f"{run_copy}/{outside}: listed in the manifest, outside the run folder" in err

    link_run = Path(shutil.copytree(run_copy.parent / run_copy.name, tmp_path / "linked" / run_copy.name))
    rewrite_manifest(link_run, lambda m: [m["files"].pop(k) for k in list(m["files"]) if k.startswith(("..", "/"))])
    assert verify(link_run)[0] == 0
    target = link_run / "topic_term.npy"
    shutil.move(target, tmp_path / "moved.npy")
    target.symlink_to(tmp_path / "moved.npy")  # same bytes, same sha256: but not the folder's own file
    os.mkfifo(link_run / "model" / "pipe")  # never opened: verify would hang
    code, _, err = verify(link_run)
    assert code == 1
    assert f"topic_term.npy: a symbolic link (to {tmp_path / 'moved.npy'})" in err
    assert "model/pipe: not a regular file (a FIFO)" in err


def test_verify_names_what_it_does_not_cover_and_removes_stale_staging(run_copy):
    import subprocess
    import sys

    from workbench.analysis import timeline

    run = runfolder.load_run(run_copy)
    export.export_run(run, level="unit", fmt="xlsx")
    timeline.write_prevalence(run, [0, 1], by="source", n_boot=0)
    (run_copy / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    # a train killed while staging its folder beside this one
    code = ("import os, sys; from workbench.files import StagedFolder; "
            "s = StagedFolder(sys.argv[1], '20261203-000000-0123abcd').__enter__(); os.kill(os.getpid(), 9)")
    subprocess.run([sys.executable, "-c", code, str(run_copy.parent)], check=False)
    assert len([p for p in run_copy.parent.iterdir() if p.name.startswith(".")]) == 2
    code, out, err = verify(run_copy)
    assert code == 0, err
    assert "not covered: exports/ (1 file): written after training" in out
    assert "not covered: prevalence/ (2 files): written after training" in out
    assert "not covered: .DS_Store: left by a file browser" in out
    assert "removed 1 staging folder(s) left by killed runs" in err
    assert [p.name for p in run_copy.parent.iterdir()] == [run_copy.name]


def test_labels_are_pinned_with_the_files_that_show_them(run_copy):
    assert "labels.json" in json.loads((run_copy / "manifest.json").read_text(encoding="utf-8"))["files"]
    (run_copy / "labels.json").write_text('{"0": "改过的标签"}\n', encoding="utf-8")
    assert verify(run_copy)[0] == 1
    runfolder.update_labels(run_copy, {0: "脱贫攻坚"})
    assert verify(run_copy)[0] == 0


# ---------------------------------------------------------------------------
# sources that hang, never end, or lead out of their folder

GOOD = "驻村第一书记带领贫困户发展产业，推进脱贫攻坚，帮扶群众增收。网格员走访居民，化解矛盾纠纷。"


def workbench_cli(*args, store: Path, timeout: float = 60, memory: int | None = None):
    import os
    import resource
    import subprocess
    import sys

    def limit():  # a runaway read fails fast instead of taking the machine's memory
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "WORKBENCH_STORE": str(store)}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, preexec_fn=limit, check=False)


def test_a_fifo_or_a_device_given_as_a_source_is_named_not_read(tmp_path):
    import os

    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes: reading it would wait forever
    r = workbench_cli("ingest", fifo, "/dev/zero", good, "--corpus", "c", "--report", tmp_path / "r.txt",
                      store=tmp_path / "s.sqlite", memory=3 << 30)
    assert r.returncode == 3, r.stderr
    assert r.stdout.startswith("corpus 'c': 1 added")
    assert f"workbench: {fifo}: not a regular file (a FIFO) (not read)" in r.stderr
    assert "workbench: /dev/zero: not a regular file (a device) (not read)" in r.stderr


def link_folder(root: Path) -> tuple[Path, Path]:
    """A source folder holding a FIFO, a dangling link, a link loop, a link to itself, and links
    to a file and a folder outside it; returns (folder, the outside folder)."""
    import os

    src, outside = root / "src", root / "outside"
    src.mkdir()
    outside.mkdir()
    (src / "good.txt").write_text(GOOD, encoding="utf-8")
    (outside / "secret.txt").write_text("外部文件：纪检监察机关立案审查违纪问题，落实八项规定精神。", encoding="utf-8")
    (outside / "more.txt").write_text("外部文件夹：党员干部开展学习教育，主题党日活动，组织生活会。", encoding="utf-8")
    os.mkfifo(src / "pipe.txt")
    (src / "dangling.txt").symlink_to("missing.txt")
    (src / "loop.txt").symlink_to("loop.txt")
    (src / "self").symlink_to(".")
    (src / "inside.txt").symlink_to("good.txt")  # inside the folder: followed (and read once)
    (src / "secret.txt").symlink_to(outside / "secret.txt")
    (src / "elsewhere").symlink_to(outside)
    return src, outside


def test_odd_entries_inside_a_folder_are_each_named_with_the_reason(tmp_path):
    from workbench.corpus.ingest import read_sources

    src, outside = link_folder(tmp_path)
    problems = []
    docs = list(read_sources([src], problems=problems))
    assert [d.source_file for d in docs] == ["src/good.txt"]
    said = {Path(p.path).name: f"{p.what} ({p.action})" for p in problems}
    assert said == {
        "dangling.txt": "a dangling symbolic link (to missing.txt, which does not exist) (skipped)",
        "elsewhere": f"a symbolic link out of the folder (to {outside}) (skipped; --follow-links reads it)",
        "inside.txt": "already read as src/good.txt (skipped)",
        "loop.txt": "a symbolic link loop (to loop.txt) (skipped)",
        "pipe.txt": "not a regular file (a FIFO) (skipped)",
        "secret.txt": (f"a symbolic link out of the folder (to {outside / 'secret.txt'}) "
                       "(skipped; --follow-links reads it)"),
        "self": "a symbolic link loop (to ., a folder that holds it) (skipped)",
    }
    problems = []
    docs = list(read_sources([src], problems=problems, follow_links=True))
    assert sorted(d.source_file for d in docs) == ["src/elsewhere/more.txt", "src/elsewhere/secret.txt",
                                                   "src/good.txt"]
    assert "already read as src/elsewhere/secret.txt" in {p.what for p in problems}  # the file link


def test_train_ingest_and_terms_take_follow_links(tmp_path):
    from workbench.text import preprocess

    src, _ = link_folder(tmp_path)
    r = workbench_cli("ingest", src, "--corpus", "c", "--report", tmp_path / "r.txt", store=tmp_path / "s.sqlite")
    assert r.returncode == 3 and r.stdout.startswith("corpus 'c': 1 added")
    assert f"workbench: {src / 'secret.txt'}: a symbolic link out of the folder" in r.stderr
    r = workbench_cli("ingest", src, "--corpus", "c", "--follow-links", "--report", tmp_path / "r.txt",
                      store=tmp_path / "s.sqlite")
    assert r.stdout.startswith("corpus 'c': 2 added, 1 unchanged"), r.stdout
    r = workbench_cli("terms", src, "--follow-links", "--out", tmp_path / "terms.csv", store=tmp_path / "t.sqlite")
    assert r.returncode == 3 and "out of the folder" not in r.stderr, r.stderr
    corpus = preprocess.prepare([src], preprocess.CorpusConfig(follow_links=True, min_tokens=1, workers=1),
                                no_below=1, no_above=1.0, store_path=tmp_path / "p.sqlite", progress=False)
    assert len(corpus.doc_ids) == 3


def test_a_file_over_the_size_limit_is_named_and_skipped(tmp_path, monkeypatch):
    from workbench.corpus import ingest

    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.jsonl").write_text(json.dumps({"text": GOOD * 20}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "small.txt").write_text(GOOD, encoding="utf-8")
    size = (tmp_path / "big.jsonl").stat().st_size
    problems = []
    docs = list(ingest.read_sources([tmp_path / "big.jsonl", tmp_path / "small.txt"], problems=problems))
    assert [d.source_file for d in docs] == ["small.txt"]
    assert [str(p) for p in problems] == [
        (f"{tmp_path / 'big.jsonl'}: too large ({size:,} bytes; the limit is 1,000 bytes a file: split it into "
         "parts, e.g. split -l 100000 FILE part-) (skipped)")]
    # a file whose size says nothing (procfs) or that grows is read in bounded steps
    monkeypatch.setattr(ingest.os, "fstat", lambda fd, real=ingest.os.fstat: _sized(real(fd), 0))
    with pytest.raises(ingest.DecodeError, match=r"too large \(more than 1,000 bytes"):
        ingest.read_file(tmp_path / "big.jsonl")


def _sized(st, size):
    import os

    return os.stat_result((*st[:6], size, *st[7:10]))


# ---------------------------------------------------------------------------
# names users give: corpus names, columns and file names in paths and messages


def test_slug_keeps_chinese_and_drops_path_parts():
    from workbench.files import SLUG_BYTES, slug

    assert slug("省/市") == "省_市" and slug("政府工作报告 (2024)") == "政府工作报告_2024"
    assert slug("../../../../x") == "x" and slug("..") == "_" and slug("") == "_" and slug(".hidden") == "hidden"
    assert slug("a\nworkbench: b") == "a_workbench_b" and slug("C:\\x\\y") == "C_x_y"
    long_a, long_b = slug("长" * 100 + "甲"), slug("长" * 100 + "乙")
    assert long_a != long_b and len(long_a.encode()) <= SLUG_BYTES


def test_shown_quotes_only_names_that_would_not_show():
    from workbench.errors import one_line, shown

    assert shown("/data/政府 工作报告.txt") == "/data/政府 工作报告.txt"
    assert shown("a\nworkbench: x.txt") == "'a\\nworkbench: x.txt'"
    assert shown("x\u202etxt.exe") == "'x\\u202etxt.exe'" and shown("it's\x00") == "'it\\'s\\x00'"
    assert "\n" not in one_line("a\nb\r\u2028c") and one_line("政府\t报告") == "政府\\t报告"


@pytest.mark.parametrize("name", ["政府工作报告", "两报 2019", "news_2024-v1.2", "人民日报（海外版）", "x" * 100])
def test_corpus_names_may_be_chinese(name):
    from workbench.corpus.store import check_corpus_name

    assert check_corpus_name(name) == name


@pytest.mark.parametrize("name", ["../../../../x", "a/b", "a\\b", "", ".hidden", "-x", " x", "x ", "a\nb",
                                  "x" * 101, "a:b"])
def test_a_corpus_name_with_path_parts_is_refused_before_any_work(name, tmp_path, monkeypatch, capsys):
    from workbench.cli import main
    from workbench.corpus.store import CORPUS_NAME_RULE, check_corpus_name

    with pytest.raises(ValueError, match=re.escape(CORPUS_NAME_RULE)):
        check_corpus_name(name)
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("社区网格员走访居民，化解矛盾纠纷，服务群众。", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store" / "store.sqlite"))
    monkeypatch.chdir(src)
    with pytest.raises(SystemExit) as exc:
        main(["ingest", str(src), f"--corpus={name}"])
    assert exc.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("workbench ingest: error: argument --corpus: corpus name") and CORPUS_NAME_RULE in line
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "src"]  # no store, no report anywhere


def test_a_file_name_cannot_forge_message_lines(tmp_path, monkeypatch, capsys):
    from workbench.cli import main

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("社区网格员走访居民，化解矛盾纠纷，服务群众。", encoding="utf-8")
    forged = "x\nworkbench: fake.txt: all is well (skipped)\n.txt"
    (src / forged).write_text("", encoding="utf-8")
    report = tmp_path / "report.txt"
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store.sqlite"))
    assert main(["ingest", str(src), "--corpus", "网格", "--report", str(report)]) == 3
    err = capsys.readouterr().err.splitlines()
    quoted = "'" + str(src / forged).replace("\n", "\\n") + "'"
    assert err == [f"workbench: {quoted}: empty file (skipped)"]
    assert report.read_text(encoding="utf-8").splitlines()[1:] == [f"{quoted}: empty file (skipped)"]


def test_a_column_named_with_a_slash_groups_prevalence_and_names_files(hostile_run, tmp_path, capsys):
    from workbench.analysis import compare
    from workbench.cli import main

    run = Path(shutil.copytree(hostile_run, tmp_path / "run"))
    assert main(["prevalence", str(run), "--by", "省/市", "--n-boot", "0"]) == 0
    written = sorted(p.name for p in (run / "prevalence").iterdir())
    assert written == ["prevalence_by_省_市.csv", "prevalence_by_省_市.png"]
    assert "河南/信阳" in (run / "prevalence" / "prevalence_by_省_市.csv").read_text(encoding="utf-8-sig")
    other = Path(shutil.copytree(hostile_run, tmp_path / "旧 run;1"))
    table = compare.compare_and_carry(other, run)
    assert Path(table.attrs["path"]) == run / "compare_旧_run_1.csv"


def test_an_export_format_never_names_a_folder(hostile_run, tmp_path):
    run = runfolder.load_run(Path(shutil.copytree(hostile_run, tmp_path / "run")))
    with pytest.raises(ValueError, match="unknown format '/../../x'"):
        export.export_run(run, fmt="./../../x")
    assert not (run.path / "exports").exists()


def test_infer_never_unpickles_a_model_the_manifest_does_not_pin(run_copy, tmp_path):
    # tomotopy.bin carries a pickle of the model's settings: a swapped-in model runs its code on load
    import tomotopy as tp

    from workbench.analysis import inference
    from workbench.errors import PipelineError

    marker = tmp_path / "UNPICKLED"
    model = tp.LDAModel.load(str(run_copy / "model" / "tomotopy.bin"))
    model.init_params = Evil(marker)
    model.save(str(run_copy / "model" / "tomotopy.bin"), full=False)
    source = tmp_path / "new.txt"
    source.write_text(GOOD, encoding="utf-8")
    with pytest.raises(PipelineError, match=r"model/ does not match manifest.json \(model/tomotopy.bin: does not "
                                            r"match the manifest's sha256\)"):
        inference.infer_run(run_copy, [source], store_path=tmp_path / "s.sqlite")
    assert not marker.exists()
