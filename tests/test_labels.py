"""Labels reach the run's own files: `workbench label` rewrites topics.csv's label column and
the names in ldavis.html, atomically, and the manifest's hashes stay true."""
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from workbench import runfolder
from workbench.runfolder.ldavis import relabel_page


def topics_csv(run):
    return pd.read_csv(run / "topics.csv", encoding="utf-8-sig", keep_default_na=False)


def names_in_page(run):
    page = (run / "ldavis.html").read_text(encoding="utf-8")
    start = page.index('type="application/json"')
    return json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])["topic.names"]


@pytest.fixture()
def run(seed_run, tmp_path):
    return shutil.copytree(seed_run, tmp_path / seed_run.name)


def test_label_command_writes_topics_csv_and_the_page(run):
    before = topics_csv(run)
    assert set(before["label"]) == {""}
    r = subprocess.run([sys.executable, "-m", "workbench", "label", str(run), "0=脱贫攻坚", "3=纪检监察"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    after = topics_csv(run)
    assert set(after.loc[after["topic"] == 0, "label"]) == {"脱贫攻坚"}
    assert set(after.loc[after["topic"] == 3, "label"]) == {"纪检监察"}
    assert set(after.loc[~after["topic"].isin([0, 3]), "label"]) == {""}
    # every other cell as it was
    pd.testing.assert_frame_equal(after.drop(columns="label"), before.drop(columns="label"))
    names = names_in_page(run)
    assert names[0] == "0 脱贫攻坚" and names[3] == "3 纪检监察" and names[1] == "1"
    assert "<td>纪检监察</td>" in (run / "ldavis.html").read_text(encoding="utf-8")  # the legend too
    assert runfolder.verify_run(run) == []  # the manifest pins the rewritten files
    assert sorted(p.name for p in run.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_relabelling_and_unlabelling_round_trip_to_the_trained_bytes(run):
    trained = {name: (run / name).read_bytes() for name in ("topics.csv", "ldavis.html", "manifest.json")}
    runfolder.write_labels(run, {1: "基层治理", 2: "=SUM(A1)"})
    assert (run / "topics.csv").read_bytes() != trained["topics.csv"]
    table = topics_csv(run)
    assert set(table.loc[table["topic"] == 2, "label"]) == {"'=SUM(A1)"}  # Excel shows it, never runs it
    runfolder.write_labels(run, {1: "城市基层治理"})
    assert set(topics_csv(run).loc[lambda t: t["topic"] == 2, "label"]) == {""}
    assert runfolder.verify_run(run) == []
    runfolder.write_labels(run, {})
    for name, data in trained.items():
        assert (run / name).read_bytes() == data, name  # as training wrote them
    assert runfolder.read_labels(run) == {}


def test_a_failed_relabel_changes_no_file(run):
    trained = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    (run / "ldavis.html").write_text("<html>不是工作台的页面</html>", encoding="utf-8")
    trained["ldavis.html"] = (run / "ldavis.html").read_bytes()
    with pytest.raises(ValueError, match="no data block"):
        runfolder.write_labels(run, {0: "脱贫攻坚"})
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == trained
    with pytest.raises(ValueError, match="out of range"):
        runfolder.write_labels(run, {99: "多余"})
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == trained


def test_keyed_theme_names_are_labels_from_the_start(keyed_run, tmp_path):
    run = shutil.copytree(keyed_run, tmp_path / keyed_run.name)
    labels = runfolder.read_labels(run)
    assert labels[0] == "脱贫攻坚" and "网格化治理" in labels.values()
    table = topics_csv(run)
    for topic, label in labels.items():
        assert set(table.loc[table["topic"] == topic, "label"]) == {label}
    assert [n for n in names_in_page(run) if " " in n] == [f"{k} {v}" for k, v in labels.items()]
    # writing the same labels again gives the bytes training wrote
    page = (run / "ldavis.html").read_text(encoding="utf-8")
    assert relabel_page(page, labels) == page
    before = (run / "topics.csv").read_bytes()
    runfolder.write_labels(run, labels)
    assert (run / "topics.csv").read_bytes() == before and runfolder.verify_run(run) == []
