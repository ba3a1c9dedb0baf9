"""`workbench infer`: topic shares for new documents from a saved run, through the run's own units,
tokenizer and vocabulary, written as a doc_topics table with the run's columns."""

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.analysis import inference
from workbench.cli import main
from workbench.errors import PipelineError
from workbench.runfolder import load_run, verify_run
from workbench.runfolder.reader import read_doc_topics

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
REPORTS = ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl"


def _shares(table, k):
    return table[[f"topic_{i}" for i in range(k)]].to_numpy()


@pytest.fixture(scope="module")
def seed_run(seed_run, tmp_path_factory):
    """A copy of the session's seed run: infer writes RUN/inferred/, and other modules compare the
    session run's folder listing (tests/test_spark.py)."""
    run = tmp_path_factory.mktemp("infer") / seed_run.name
    shutil.copytree(seed_run, run)
    return run


@pytest.fixture(scope="module")
def seeds_inferred(seed_run):
    return inference.infer_run(seed_run, [SEEDS])


def test_the_runs_own_texts_come_back_close_to_the_trained_shares(seed_run, seeds_inferred):
    run = load_run(seed_run)
    got = seeds_inferred.doc_topics
    assert got["unit_id"].tolist() == run.doc_topics["unit_id"].tolist()  # same units, same order
    assert got["n_tokens"].tolist() == run.doc_topics["n_tokens"].tolist()  # same tokens in the vocabulary
    trained, inferred = _shares(run.doc_topics, run.num_topics), _shares(got, run.num_topics)
    np.testing.assert_allclose(inferred.sum(axis=1), 1.0)
    # measured on the seeds (bench/infer_agreement.py): 94% of the dominant topics, 0.009 mean |difference|
    assert (trained.argmax(1) == inferred.argmax(1)).mean() >= 0.85
    assert np.abs(trained - inferred).mean() <= 0.02
    assert seeds_inferred.method.startswith("LDA (tomotopy): 100 Gibbs sweeps")


def test_the_table_has_the_runs_columns_and_column_types(seed_run, seeds_inferred):
    path = seeds_inferred.path
    assert path.parent == seed_run / "inferred" and path.name.startswith("seeds-") and path.suffix == ".csv"
    trained_header = (seed_run / "doc_topics.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == trained_header
    assert (path.with_suffix(".columns.json").read_text(encoding="utf-8")
            == (seed_run / "doc_topics.columns.json").read_text(encoding="utf-8"))
    assert verify_run(seed_run) == []  # the run's pinned files are untouched
    from workbench.runfolder.reader import check_run

    assert f"inferred/{path.name}" in check_run(seed_run).not_covered


def test_inference_is_deterministic(seed_run, seeds_inferred):
    before = seeds_inferred.path.read_bytes()
    again = inference.infer_run(seed_run, [SEEDS])
    assert again.path == seeds_inferred.path and again.path.read_bytes() == before


def test_an_unseen_government_report_paragraph_goes_to_the_poverty_topic(seed_run, tmp_path):
    report = next(json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines()
                  if json.loads(line)["title"].startswith("2019年"))
    paragraph = next(p for p in report["text"].splitlines() if p.startswith("打好精准脱贫攻坚战"))
    src = tmp_path / "2019年政府工作报告 脱贫.txt"
    src.write_text(paragraph + "\n", encoding="utf-8")
    result = inference.infer_run(seed_run, [src])
    run = load_run(seed_run)
    poverty = int(run.topic_term[:, run.vocab.index("脱贫攻坚")].argmax())  # the seeds' topic of 脱贫攻坚
    assert len(result.doc_topics) == 1
    row = result.doc_topics.iloc[0]
    # 0.34 measured; the paragraph's industry and schooling sentences go to other topics
    assert row["dominant_topic"] == poverty and row[f"topic_{poverty}"] > 0.3
    assert result.path.name.startswith("2019年政府工作报告_脱贫-")  # the space became "_" (files.slug)


def test_a_changed_dictionary_is_named_in_a_warning(seed_run, tmp_path, caplog):
    run = tmp_path / "run"
    shutil.copytree(seed_run, run, ignore=shutil.ignore_patterns("inferred"))
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    dictionary = next(iter(manifest["tokenizer"]["user_dicts"]))
    manifest["tokenizer"]["user_dicts"][dictionary] = "0" * 64  # as if the file had been edited since
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="workbench"):
        result = inference.infer_run(run, [SEEDS / "000_0910b62faff6a18f.txt"])
    assert len(result.doc_topics) > 0
    assert any("dictionaries changed since training" in r.getMessage() and dictionary in r.getMessage()
               for r in caplog.records)


def test_a_run_without_a_local_model_is_refused(seed_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(seed_run, run, ignore=shutil.ignore_patterns("inferred"))
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["engine"] = "spark"
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PipelineError, match="spark run keeps no model"):
        inference.infer_run(run, [SEEDS])


def test_infer_command_prints_the_table_last(seed_run, tmp_path, capsys):
    out = tmp_path / "new.csv"
    assert main(["infer", str(seed_run), str(SEEDS / "001_e283e4cb1ec74523.txt"), "--out", str(out),
                 "--iterations", "50"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert Path(lines[-1]) == out and "50 Gibbs sweeps" in lines[0]
    table, _ = read_doc_topics(out)
    assert table["source_file"].str.endswith("001_e283e4cb1ec74523.txt").all()
    assert main(["infer", str(seed_run), str(tmp_path / "nosuch.txt")]) == 1
    assert "nosuch.txt: no such file or folder" in capsys.readouterr().err


def test_a_gensim_run_infers_with_its_e_step_seeded(tmp_path):
    from workbench import engines
    from workbench.models.lda import ModelConfig

    run = engines.train(model_config=ModelConfig(engine="gensim", passes=10), out_dir=tmp_path, progress=False)
    result = inference.infer_run(run, [SEEDS])
    trained = load_run(run)
    a, b = _shares(trained.doc_topics, trained.num_topics), _shares(result.doc_topics, trained.num_topics)
    assert result.method.startswith("LDA (gensim)")
    # the E-step the training ran for its table, from the same seed: the same shares (2e-7 measured)
    assert (a.argmax(1) == b.argmax(1)).all() and np.abs(a - b).mean() < 1e-5
    assert inference.infer_run(run, [SEEDS]).path.read_bytes() == result.path.read_bytes()
