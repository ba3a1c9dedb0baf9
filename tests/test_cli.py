"""The command line: contracts other tools rely on, and clear errors."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import build_parser, main


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.mark.slow
def test_train_prints_run_folder_last(tmp_path):
    r = run_cli("train", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    run = Path(tmp_path, last)
    assert run.parent == tmp_path / "runs" and (run / "manifest.json").exists()


@pytest.mark.slow
def test_train_options(tmp_path):
    src = Path(__file__).resolve().parents[1] / "seeds"
    r = run_cli("train", str(src), "--topics", "4", "--unit", "article", "--seed", "7", "--min-tokens", "3",
                "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    import json
    m = json.loads((Path(r.stdout.strip().splitlines()[-1]) / "manifest.json").read_text(encoding="utf-8"))
    assert (m["num_topics"], m["seed"], m["config"]["corpus"]["unit"]) == (4, 7, "article")


# In-process: main() prints the library's messages on the sys.stderr that capsys swaps in.
def test_missing_path_is_one_clear_line(tmp_path, capsys):
    assert main(["train", str(tmp_path / "nowhere"), "--quiet", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"workbench: error: {tmp_path / 'nowhere'}: no such file or folder")
    assert not (tmp_path / "runs").exists()


def test_empty_corpus_and_binary_file_named(tmp_path, capsys):
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.5\x00\x01binary")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    assert main(["train", str(tmp_path), "--quiet", "--out", str(tmp_path / "runs")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert f"workbench: {tmp_path / 'scan.txt'}: not a text file: looks like a PDF file (skipped)" in err
    assert f"workbench: {tmp_path / 'empty.txt'}: empty file (skipped)" in err
    assert "no documents with text found" in err[-1]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_bad_themes_file(tmp_path, capsys):
    bad = tmp_path / "themes.toml"
    bad.write_text("[themes]\n\"脱贫攻坚\" = 3\n", encoding="utf-8")
    assert main(["train", "--themes", str(bad), "--quiet", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "themes.toml" in err and "脱贫攻坚" in err


def test_usage_error_exit_code():
    with pytest.raises(SystemExit) as exc:
        main(["train", "--unit", "sentence"])
    assert exc.value.code == 2


@pytest.mark.slow
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


@pytest.mark.slow
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


# --- usage: no abbreviations, the command's own usage, bare `workbench`, --version ---------------


def test_an_abbreviated_option_is_an_error_that_shows_the_commands_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--topic", "8"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: workbench train ")
    assert err.strip().splitlines()[-1] == ("workbench train: error: unrecognized arguments: --topic "
                                            "(did you mean --topics?)")


@pytest.mark.parametrize("argv, command", [(["export", "--formt", "csv"], "export"),
                                           (["verify", "runs/a", "runs/b"], "verify"),
                                           (["label", "runs/a", "脱贫攻坚"], "label"),
                                           (["prevalence", "--topics", "1,x"], "prevalence")])
def test_a_bad_argument_shows_that_commands_usage(argv, command, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith(f"usage: workbench {command} ") and lines[-1].startswith(f"workbench {command}: error:")


def test_bare_workbench_prints_the_help_and_exits_2(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: workbench ")
    for name in ("train", "ingest", "export", "compare", "verify"):
        assert f"    {name} " in out


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"workbench {version('workbench')}"


# --- defaults come from the library -------------------------------------------------------------


def test_options_not_given_keep_the_dataclasses_defaults():
    from workbench.cli import _settings
    from workbench.engines.spark import SparkConfig
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    args = build_parser().parse_args(["train"])
    assert _settings(CorpusConfig, args) == CorpusConfig()
    assert _settings(ModelConfig, args, workers="train_workers") == ModelConfig()
    assert _settings(SparkConfig, args) == SparkConfig()
    args = build_parser().parse_args(["train", "--topics", "4", "--seed", "7", "--unit", "article", "--no-harvest",
                                      "--workers", "1", "--train-workers", "2", "--no-above", "0.3",
                                      "--spark-conf", "spark.a=1", "--spark-conf", "spark.b = 2", "--max-iter", "5"])
    assert _settings(CorpusConfig, args) == CorpusConfig(unit="article", harvest_quoted=False, workers=1)
    assert _settings(ModelConfig, args, workers="train_workers") == ModelConfig(num_topics=4, random_state=7,
                                                                               workers=2, no_above=0.3)
    assert _settings(SparkConfig, args) == SparkConfig(conf=(("spark.a", "1"), ("spark.b", "2")), max_iter=5)


def test_help_shows_the_defaults_the_library_uses(capsys):
    from workbench.analysis.compare import DEFAULT_THRESHOLD
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    m, c = ModelConfig(), CorpusConfig()
    for option, value in [("--topics K", m.num_topics), ("--no-above NO_ABOVE", m.no_above),
                          ("--passes PASSES", m.passes), ("--min-tokens MIN_TOKENS", c.min_tokens),
                          ("--unit {article,paragraph,section,chunk}", c.unit)]:
        assert re.search(rf"{re.escape(option)} [^-]*\(default {re.escape(str(value))}\)", out), option
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    assert f"(default {DEFAULT_THRESHOLD})" in " ".join(capsys.readouterr().out.split())


# --- library messages, the commands' library functions -------------------------------------------


def test_library_warnings_print_as_one_workbench_line_each(tmp_path, monkeypatch, capsys):
    import logging

    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "store" / "store.sqlite"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text("第一书记驻村帮扶贫困户发展产业，带动群众脱贫致富。", encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    handlers = list(logging.getLogger("workbench").handlers)
    for _ in range(2):  # a second call prints the line once, too
        assert main(["ingest", str(src), "--corpus", "c"]) == 3
        out, err = capsys.readouterr()
        assert err.splitlines() == [f"workbench: {src / 'empty.txt'}: empty file (skipped)"]
    assert logging.getLogger("workbench").handlers == handlers
    report = Path(out.splitlines()[-1].removeprefix("report: "))
    assert report.parent == tmp_path / "store" / "reports" and re.fullmatch(r"ingest-\d{8}-\d{6}-c(-1)?\.txt", report.name)
    assert report.read_text(encoding="utf-8").splitlines() == [
        "corpus 'c': 0 added, 1 unchanged, 0 updated, 1 skipped (1 empty file)", f"{src / 'empty.txt'}: empty file (skipped)"]


def test_library_callers_get_log_records_not_prints(tmp_path, caplog, capsys):
    from workbench.corpus import store

    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "a.txt").write_text("社区网格员走访居民，化解矛盾纠纷，服务群众。", encoding="utf-8")
    report, path = store.ingest_with_report([tmp_path], "c", store_path=tmp_path / "s.sqlite",
                                            report_file=tmp_path / "r.txt")
    assert (report.added, path) == (1, tmp_path / "r.txt")
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("workbench.corpus.ingest", "WARNING", f"{tmp_path / 'empty.txt'}: empty file (skipped)")]
    assert capsys.readouterr().err == ""


@pytest.fixture
def two_runs(seed_run, tmp_path):
    import shutil

    return [Path(shutil.copytree(seed_run, tmp_path / name)) for name in ("a", "b")]


def test_label_sets_and_removes_labels(two_runs, capsys):
    from workbench.runfolder import read_labels

    run = two_runs[0]
    assert main(["label", str(run), "0=脱贫攻坚", "3=纪检监察"]) == 0
    assert main(["label", str(run), "3=", "1= 网格化治理 "]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == ["0\t脱贫攻坚", "1\t网格化治理"]
    assert read_labels(run) == {0: "脱贫攻坚", 1: "网格化治理"}
    assert main(["label", str(run), "99=无"]) == 2
    assert "topic id 99 is out of range" in capsys.readouterr().err
    assert read_labels(run) == {0: "脱贫攻坚", 1: "网格化治理"}


def test_compare_carries_labels_as_the_library_does(two_runs, tmp_path, capsys):
    import shutil

    from workbench.analysis import compare, timeline
    from workbench.runfolder import read_labels, write_labels

    a, b = two_runs
    write_labels(a, {0: "脱贫攻坚", 1: "网格化治理", 2: "纪检监察"})
    write_labels(b, {1: "基层治理", 2: " "})  # B's own label stays; a blank one is no label
    b2 = Path(shutil.copytree(b, tmp_path / "b2"))
    assert main(["compare", str(a), str(b)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("matched: 12 ") and out[-1] == str(b / "compare_a.csv")
    assert read_labels(b) == {0: "脱贫攻坚", 1: "基层治理", 2: "纪检监察"}
    assert timeline.compare_and_carry is compare.compare_and_carry
    table = compare.compare_and_carry(a, b2)
    assert read_labels(b2) == read_labels(b)
    assert (b2 / "compare_a.csv").read_bytes() == (b / "compare_a.csv").read_bytes()
    assert table.attrs["path"] == str(b2 / "compare_a.csv")
    write_labels(b2, {})
    assert main(["compare", str(a), str(b2), "--no-carry-labels", "--out", str(tmp_path / "c.csv")]) == 0
    assert read_labels(b2) == {} and (tmp_path / "c.csv").exists()


def test_export_writes_where_the_notebook_helper_does(two_runs, capsys):
    from workbench.analysis import explore
    from workbench.runfolder import load_run

    run = two_runs[0]
    assert main(["export", str(run), "--articles"]) == 0
    assert main(["export", str(run), "--format", "parquet"]) == 0
    printed = [Path(p) for p in capsys.readouterr().out.split()]
    assert printed == [run / "exports" / "articles.csv", run / "exports" / "doc_topics.parquet"]
    by_cli = {p.name: p.read_bytes() for p in printed}
    files = explore.export_run(load_run(run), formats=["csv", "parquet"])
    assert {Path(p) for p in files["path"]} >= set(printed)
    assert {p.name: p.read_bytes() for p in printed} == by_cli


# --- every number checked before any work ---------------------------------------------------------


# Option types that take no number: text, paths, KEY=VALUE pairs, lists of names, none|COLUMN.
TEXT_TYPES = ("str", "Path", "_pair.<locals>.parse", "_str_list", "_cluster", "_label_item", "_sha256",
              "_corpus_name")


def _typed_options():
    """(command, option, action) for every option of every command that converts its value."""
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        for action in sub._actions:
            if action.option_strings and action.type is not None:
                yield name, action.option_strings[0], action


def _numeric_options():
    return [(c, o, a) for c, o, a in _typed_options() if a.type.__qualname__ not in TEXT_TYPES]


def test_every_numeric_option_has_a_stated_range():
    from workbench.cli import _int_list, _iterations

    found = _numeric_options()
    assert len(found) >= 35
    assert [(c, o) for c, o, a in found if not hasattr(a.type, "bound") and a.type not in (_iterations, _int_list)] == []
    assert sorted((c, o) for c, o, a in found if a.type is _int_list) == [("prevalence", "--periods"),
                                                                          ("train", "--slices")]  # any year


def _below(bound) -> list[str]:
    bad = ["x", "nan", "inf"] if bound.kind is float else ["x", "1.5"]
    if bound.low is not None:
        bad.append(str(bound.low) if bound.low_open else str(bound.kind(bound.low) - 1))
    if bound.high is not None:
        bad.append(str(bound.high) if bound.high_open else str(bound.kind(bound.high) + 1))
    return bad


@pytest.mark.parametrize("command, option, action", [pytest.param(*x, id=f"{x[0]} {x[1]}")
                                                     for x in _numeric_options() if hasattr(x[2].type, "bound")])
def test_a_number_out_of_range_is_a_usage_error(command, option, action, capsys):
    bound = action.type.bound
    extra = {"effect": ["--covariate", "year"], "compare": ["runs/x", "runs/y"],
             "contrast": ["--by", "year", "--groups", "a,b"]}.get(command, [])
    for value in _below(bound):
        with pytest.raises(SystemExit) as exc:
            main([command, *extra, f"{option}={value}"])
        assert exc.value.code == 2, (option, value)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert line.startswith(f"workbench {command}: error: argument {option}") and f"expected {bound.what}" in line


@pytest.mark.parametrize("argv", [["train", "--topics", "0"], ["train", "--alpha", "0"], ["train", "--topics", "-3"],
                                  ["train", "--iterations", "-5"], ["train", "--iterations", "0"],
                                  ["train", "--topics", "100000"], ["train", "--chunk-chars", "0"],
                                  ["train", "--chunk-chars", "-5"], ["sweep", "--topics", "5,0"],
                                  ["sweep", "--topics", ","], ["label", "runs/x", "²=x"],
                                  ["topics", "--lambda", "1.5"], ["notebook", "--port", "70000"]])
def test_the_options_that_reached_the_engines_stop_at_the_parser(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()[-1]) < 160
    assert list(tmp_path.iterdir()) == []


def _configs():
    from workbench.analysis.contrast import ContrastConfig
    from workbench.analysis.covariates import EffectConfig
    from workbench.analysis.terms import TermsConfig
    from workbench.analysis.validation import TaskConfig
    from workbench.engines.spark import SparkConfig
    from workbench.models.dtm import DtmConfig
    from workbench.models.lda import ModelConfig
    from workbench.models.stm import StmConfig
    from workbench.text.preprocess import CorpusConfig

    # (config, the commands whose options set its fields, {field: option dest} where they differ)
    return [(ModelConfig, ("train", "sweep"), {"workers": "train_workers"}),
            (CorpusConfig, ("train", "sweep", "terms"), {}), (SparkConfig, ("train",), {}),
            (StmConfig, ("train",), {"max_em_iterations": "em_iterations"}),
            (DtmConfig, ("train",), {"iterations": "em_iterations"}), (EffectConfig, ("effect",), {}),
            (ContrastConfig, ("contrast",), {}), (TaskConfig, ("validate",), {}), (TermsConfig, ("terms",), {})]


def test_the_cli_and_the_dataclasses_state_the_same_ranges():
    import dataclasses

    options = {(c, a.dest): a for c, _, a in _numeric_options()}
    compared = 0
    for cls, commands, dests in _configs():
        for f in dataclasses.fields(cls):
            if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
                assert f.name in cls.BOUNDS, f"{cls.__name__}.{f.name} has no stated range"
        for name, bound in cls.BOUNDS.items():
            for command in commands:
                action = options.get((command, dests.get(name, name)))
                if action is not None:
                    assert action.type.bound is bound, (cls.__name__, name, command)
                    compared += 1
    assert compared >= 25


@pytest.mark.parametrize("make, bad", [("ModelConfig", {"num_topics": 0}), ("ModelConfig", {"alpha": 0.0}),
                                       ("ModelConfig", {"num_topics": 100_000}), ("ModelConfig", {"no_above": 1.5}),
                                       ("ModelConfig", {"random_state": -1}), ("ModelConfig", {"eta": float("nan")}),
                                       ("ModelConfig", {"num_topics": True}), ("CorpusConfig", {"chunk_chars": 0}),
                                       ("CorpusConfig", {"min_tokens": -1}), ("SparkConfig", {"subsampling_rate": 0}),
                                       ("StmConfig", {"prevalence": "~ year", "max_em_iterations": 0}),
                                       ("EffectConfig", {"ci": 1.0}), ("TaskConfig", {"n_units": 0}),
                                       ("TermsConfig", {"examples": -1})])
def test_notebook_users_get_the_same_check_as_a_value_error(make, bad):
    cls = next(c for c, _, _ in _configs() if c.__name__ == make)
    name = next(k for k in bad if k in cls.BOUNDS)
    with pytest.raises(ValueError, match=rf"^{name} must be {re.escape(cls.BOUNDS[name].what)}, not "):
        cls(**bad)


def test_more_topics_than_the_corpus_holds_stops_before_training(tmp_path, monkeypatch, capsys):
    from workbench import models

    def never(*a, **k):
        raise AssertionError("trained")

    monkeypatch.setattr(models, "fit", never)
    assert main(["train", "--topics", "900", "--quiet", "--out", str(tmp_path)]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(r"workbench: error: --topics: 900 topics for \d+ units: a model can have at most \d+ topics "
                        r"here \(lower --topics\)", line), line
    with pytest.raises(Exception, match="at most"):
        models.check_topics(13, 12, 500)


@pytest.mark.parametrize("argv", [["label", "0=脱贫攻坚"], ["merge", "3+7=反腐倡廉"]])
def test_label_and_merge_write_only_into_a_run_folder(argv, tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    assert main([argv[0], str(folder), *argv[1:]]) == 2
    assert capsys.readouterr().err.strip() == f"workbench: error: {folder}: not a run folder (no manifest.json); " \
                                              "labels go into a run folder"
    assert list(folder.iterdir()) == []
