"""The structural topic model (`train --model stm --prevalence ...`): the run folder keeps its contract
and adds the covariates, the design and gamma; bad formulas and columns fail in one line."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import cli
from workbench.errors import UsageError
from workbench.models import stm
from workbench.runfolder import load_run, verify_run

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "examples" / "gov-reports" / "gov_work_reports_national.jsonl"


def gov_subset(path: Path, every: int = 5) -> Path:
    """Every ``every``-th government work report and NPC resolution of the shipped corpus, as JSONL."""
    rows = [json.loads(line) for line in REPORTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[::every]), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stm_run(tmp_path_factory) -> Path:
    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    src = gov_subset(tmp_path_factory.mktemp("src") / "reports.jsonl")
    return engines.train([src], corpus_config=CorpusConfig(unit="section"), model_config=ModelConfig(num_topics=6),
                         out_dir=tmp_path_factory.mktemp("stm_runs"), progress=False,
                         stm_config=stm.StmConfig("s(year) + doc_type"))


def test_stm_run_keeps_the_run_folder_contract(stm_run):
    run = load_run(stm_run)
    assert run.manifest["engine"] == "stm"
    for name in ("doc_topics.csv", "topics.csv", "ldavis.html", "manifest.json", "model/stm.topica",
                 "model/dictionary.txt", "covariates.csv", "prevalence_design.csv", "prevalence_coefficients.csv"):
        assert (stm_run / name).is_file(), name
    assert verify_run(stm_run) == []
    theta = run.doc_topic
    assert theta.shape == (len(run.doc_topics), 6)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(run.topic_term.sum(axis=1), 1.0, atol=1e-9)
    # topics.csv is in the vocabulary's order: its top term is the argmax of topic_term
    top = run.topics[run.topics["rank"] == 1].set_index("topic")["term"]
    assert [run.vocab[i] for i in run.topic_term.argmax(axis=1)] == top.tolist()


def test_covariates_are_the_documents_metadata(stm_run):
    run = load_run(stm_run)
    cov = pd.read_csv(stm_run / "covariates.csv", encoding="utf-8-sig", dtype={"unit_id": str, "doc_id": str})
    assert cov["unit_id"].tolist() == run.doc_topics["unit_id"].tolist()
    # year is parsed from the records' date ("2025" ...), doc_type taken as it is
    assert cov["year"].tolist() == run.doc_topics["date"].astype(int).tolist()
    assert cov["doc_type"].tolist() == run.doc_topics["doc_type"].tolist()
    settings = run.manifest["model_settings"]
    assert settings["prevalence"] == "~ s(year) + doc_type"
    assert settings["covariate_kinds"] == {"doc_type": "categorical", "year": "numeric"}
    design = pd.read_csv(stm_run / "prevalence_design.csv", encoding="utf-8-sig")
    assert list(design.columns[1:]) == settings["design_columns"]
    assert "doc_type[T.npc_resolution_on_gwr]" in settings["design_columns"]
    np.testing.assert_array_equal(design["doc_type[T.npc_resolution_on_gwr]"],
                                  (cov["doc_type"] == "npc_resolution_on_gwr").astype(float))
    coef = pd.read_csv(stm_run / "prevalence_coefficients.csv", encoding="utf-8-sig")
    # gamma: intercept + design terms, for every topic but the reference (the last)
    assert sorted(coef["topic"].unique()) == list(range(5))
    assert coef.groupby("topic")["term"].apply(list).iloc[0] == ["intercept", *settings["design_columns"]]


def test_saved_model_reloads_with_its_posterior(stm_run):
    model = stm.load_model(stm_run)
    run = load_run(stm_run)
    np.testing.assert_allclose(np.asarray(model.doc_topic), run.doc_topic, atol=1e-8)
    assert np.asarray(model.eta_mean).shape == (len(run.doc_topics), 5)


@pytest.mark.parametrize("formula, message", [
    ("s(year + ", "does not parse"),
    ("y ~ year", "no left-hand side"),
    ("", "empty formula"),
])
def test_a_formula_that_does_not_parse_fails_before_reading(formula, message):
    with pytest.raises(UsageError, match=message):
        stm.normalize_formula(formula)


def test_cli_names_an_unknown_covariate_column(tmp_path, capsys):
    src = gov_subset(tmp_path / "reports.jsonl", every=12)
    code = cli.main(["train", str(src), "--unit", "section", "--topics", "3", "--model", "stm",
                     "--prevalence", "s(year) + province", "--out", str(tmp_path / "runs"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == cli.EXIT_USAGE
    assert len(err) == 1 and "'province'" in err[0] and "doc_type" in err[0], err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_cli_bad_formula_and_missing_prevalence_exit_2(capsys):
    assert cli.main(["train", "--model", "stm", "--prevalence", "s(year +", "--quiet"]) == cli.EXIT_USAGE
    assert "does not parse" in capsys.readouterr().err
    assert cli.main(["train", "--model", "stm", "--quiet"]) == cli.EXIT_USAGE
    assert "--prevalence" in capsys.readouterr().err


def test_covariate_frame_types_and_missing_values():
    rows = pd.DataFrame({"unit_id": ["a-p0", "a-p1", "b-p0"], "date": ["2019年5月", "2019年5月", "二〇二一年三月"],
                         "score": ["1.5", "2", "3"], "outlet": ["人民日报", "人民日报", "新华社"]})
    frame = stm.covariate_frame(rows, ["outlet", "score", "year"])
    assert frame["year"].tolist() == [2019.0, 2019.0, 2021.0]
    assert frame["score"].dtype == float and frame["outlet"].tolist() == ["人民日报", "人民日报", "新华社"]
    rows.loc[2, "outlet"] = ""
    with pytest.raises(UsageError, match=r"'outlet': 1 of 3 units have no value \(first: unit b-p0\)"):
        stm.covariate_frame(rows, ["outlet"])


def test_infer_on_the_training_texts_comes_back_close_to_the_fitted_shares(stm_run, tmp_path):
    from workbench.analysis import inference

    result = inference.infer_run(stm_run, [gov_subset(tmp_path / "reports.jsonl")])
    run = load_run(stm_run)
    assert result.method.startswith("STM: topica's transform")
    assert result.doc_topics["unit_id"].tolist() == run.doc_topics["unit_id"].tolist()
    cols = [f"topic_{k}" for k in range(run.num_topics)]
    trained, inferred = run.doc_topics[cols].to_numpy(), result.doc_topics[cols].to_numpy()
    agree, mad = (trained.argmax(1) == inferred.argmax(1)).mean(), np.abs(trained - inferred).mean()
    print(f"STM infer on its training sections: dominant topic agrees {agree:.3f}, mean |diff| {mad:.4f}")
    assert agree >= 0.85 and mad <= 0.05


def test_the_article_as_covariate(tmp_path):
    """``--prevalence doc_id`` (the seeds' one column every paragraph has): covariates.csv names it once."""
    assert cli.main(["train", "--model", "stm", "--prevalence", "doc_id", "--topics", "3", "--em-iterations", "20",
                     "--out", str(tmp_path), "--quiet"]) == cli.EXIT_OK
    run_dir = next(p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith("."))
    cov = pd.read_csv(run_dir / "covariates.csv", encoding="utf-8-sig", dtype=str)
    assert list(cov.columns) == ["unit_id", "doc_id"]
    assert cov["doc_id"].tolist() == load_run(run_dir).doc_topics["doc_id"].tolist()
    assert cov["doc_id"].nunique() == 5
    assert verify_run(run_dir) == []
