"""The command line: contracts other tools rely on, and clear errors."""
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import build_parser, main


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_train_prints_run_folder_last(tmp_path):
    r = run_cli("train", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    run = Path(tmp_path, last)
    assert run.parent == tmp_path / "runs" and (run / "manifest.json").exists()


def test_train_options(tmp_path):
    src = Path(__file__).resolve().parents[1] / "seeds"
    r = run_cli("train", str(src), "--topics", "4", "--unit", "article", "--seed", "7", "--min-tokens", "3",
                "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    import json
    m = json.loads((Path(r.stdout.strip().splitlines()[-1]) / "manifest.json").read_text(encoding="utf-8"))
    assert (m["num_topics"], m["seed"], m["config"]["corpus"]["unit"]) == (4, 7, "article")


def test_missing_path_is_one_clear_line(tmp_path):
    r = run_cli("train", str(tmp_path / "nowhere"), "--quiet", "--out", str(tmp_path))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1] == f"workbench: error: {tmp_path / 'nowhere'}: no such file or folder"
    assert not (tmp_path / "runs").exists()


def test_empty_corpus_and_binary_file_named(tmp_path):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.5\x00\x01binary")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run_cli("train", str(tmp_path), "--quiet", "--out", str(tmp_path / "runs"))
    assert r.returncode == 1
    assert "scan.txt: not a text file: looks like a PDF file" in r.stderr
    assert "empty.txt: empty file" in r.stderr
    assert "no documents with text found" in r.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_bad_themes_file(tmp_path):
    bad = tmp_path / "themes.toml"
    bad.write_text("[themes]\n\"脱贫攻坚\" = 3\n", encoding="utf-8")
    r = run_cli("train", "--themes", str(bad), "--quiet", "--out", str(tmp_path))
    assert r.returncode == 1 and "themes.toml" in r.stderr and "脱贫攻坚" in r.stderr


def test_usage_error_exit_code():
    with pytest.raises(SystemExit) as exc:
        main(["train", "--unit", "sentence"])
    assert exc.value.code == 2


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description or p.format_help(), name
        for action in p._actions:
            if action.dest not in ("help",):
                assert action.help, f"{name} {action.dest} has no help"


def test_sweep_prints_recommendation_and_folder(tmp_path):
    r = run_cli("sweep", "--topics", "3,6", "--seeds", "0,1", "--iterations", "100", "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    folder = Path(lines[-1])
    assert folder.name.startswith("sweep-") and (folder / "sweep.csv").exists() and (folder / "sweep.png").exists()
    assert any("Recommended K=" in line for line in lines[:-1])
    import pytest as _pytest

    from workbench.runfolder.reader import latest_run
    with _pytest.raises(FileNotFoundError):
        latest_run(tmp_path)  # a sweep folder is not a run


def test_ingest_then_train_corpus_and_compare(tmp_path):
    import os
    env_store = tmp_path / "store.sqlite"
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "WORKBENCH_STORE": str(env_store)})
    first = cli("ingest", str(seeds), "--corpus", "seeds", "--report", str(tmp_path / "report.txt"))
    assert first.returncode == 0, first.stderr
    assert "corpus 'seeds': 5 added, 0 unchanged, 0 updated, 0 skipped" in first.stdout
    again = cli("ingest", str(seeds), "--corpus", "seeds")
    assert "0 added, 5 unchanged" in again.stdout
    runs = []
    for seed in ("0", "1"):
        r = cli("train", "--corpus", "seeds", "--seed", seed, "--iterations", "300", "--quiet", "--out", str(tmp_path / "runs"))
        assert r.returncode == 0, r.stderr
        runs.append(r.stdout.strip().splitlines()[-1])
    lab = cli("label", runs[0], "0=测试标签")
    assert lab.returncode == 0
    cmp = cli("compare", runs[0], runs[0])
    assert cmp.returncode == 0, cmp.stderr
    assert cmp.stdout.splitlines()[0].startswith("matched: 12")
    small = cli("train", "--corpus", "seeds", "--topics", "3", "--iterations", "300", "--quiet",
                "--out", str(tmp_path / "runs")).stdout.strip().splitlines()[-1]
    cmp = cli("compare", runs[0], small)  # 12 topics onto 3: some vanish, and have no topic in B
    assert cmp.returncode == 0, cmp.stderr
    vanished = [line for line in cmp.stdout.splitlines() if line.startswith("vanished")]
    assert vanished and all(" -> B     sim" in line for line in vanished)
    prev = cli("prevalence", runs[0], "--by", "source_file", "--cue", "脱贫攻坚,贫困户", "--n-boot", "200")
    assert prev.returncode == 0, prev.stderr
    assert "cue words 脱贫攻坚、贫困户 -> topic" in prev.stdout
    png, csv = map(Path, prev.stdout.strip().splitlines()[-2:])
    assert png.suffix == ".png" and png.stat().st_size > 10_000 and png.parent == Path(runs[0]) / "prevalence"
    import pandas as pd
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert table["source_file"].nunique() == 5 and ((table["lo"] <= table["share"]) & (table["share"] <= table["hi"])).all()
    bad = cli("prevalence", runs[0], "--by", "year", "--where", "nosuch=1")
    assert bad.returncode == 1 and "no column 'nosuch'" in bad.stderr
    assert cli("prevalence", runs[0], "--topics", "x").returncode == 2
    exp = cli("export", runs[0], "--format", "dta")
    assert exp.returncode == 0 and Path(exp.stdout.strip()).exists()
    top = cli("topics", runs[0])
    assert "[0 测试标签]" in top.stdout
