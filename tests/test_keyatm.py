"""Keyed themes with prevalence covariates (`train --model keyatm --prevalence ... --themes ...`): the
run folder keeps its contract, keyed topics carry their theme's name, the manifest names the model,
effects compose over the chain's own θ draws; bad themes and flags fail in one line."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import cli
from workbench.analysis import covariates
from workbench.models import keyatm
from workbench.runfolder import load_run, verify_run

ROOT = Path(__file__).resolve().parents[1]
THEMES = ROOT / "seeds" / "themes.toml"
NAMES = ["脱贫攻坚", "网格化治理", "纪检监察"]


@pytest.fixture(scope="module")
def keyatm_run(tmp_path_factory) -> Path:
    from workbench import engines
    from workbench.models.lda import ModelConfig

    # the seed articles' paragraphs, the article as the covariate; few sweeps (the bench runs 1,500)
    return engines.train(model_config=ModelConfig(num_topics=4), themes_file=THEMES,
                         out_dir=tmp_path_factory.mktemp("keyatm_runs"), progress=False,
                         keyatm_config=keyatm.KeyatmConfig("doc_id", iterations=300, burn_in=100))


def test_keyatm_run_keeps_the_run_folder_contract(keyatm_run):
    run = load_run(keyatm_run)
    for name in ("doc_topics.csv", "topics.csv", "ldavis.html", "manifest.json", "model/keyatm.topica",
                 "model/dictionary.txt", "covariates.csv", "prevalence_design.csv", "prevalence_coefficients.csv"):
        assert (keyatm_run / name).is_file(), name
    assert verify_run(keyatm_run) == []
    theta = run.doc_topic
    assert theta.shape == (len(run.doc_topics), 3 + 4)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(run.topic_term.sum(axis=1), 1.0, atol=1e-9)
    top = run.topics[run.topics["rank"] == 1].set_index("topic")["term"]
    assert [run.vocab[i] for i in run.topic_term.argmax(axis=1)] == top.tolist()


def test_manifest_says_which_model_and_keyed_topics_carry_their_names(keyatm_run):
    run = load_run(keyatm_run)
    m = json.loads((keyatm_run / "manifest.json").read_text(encoding="utf-8"))
    assert m["engine"] == "keyatm" and m["model_settings"]["model"].startswith("keyATM (covariate)")
    assert m["model_settings"]["prevalence"] == "~ doc_id" and m["config"]["keyatm"]["iterations"] == 300
    assert [run.labels[i] for i in range(3)] == NAMES and 3 not in run.labels
    topics = run.topics
    assert set(topics.loc[topics["topic"] == 2, "label"]) == {"纪检监察"}
    assert set(topics.loc[topics["topic"] == 5, "label"]) == {""}
    assert "网格化治理" in (keyatm_run / "ldavis.html").read_text(encoding="utf-8")
    # seed words the vocabulary lacks are recorded, the kept ones are the keyword topics' keywords
    settings = m["model_settings"]
    assert "扶贫" in settings["missing_seed_words"]["脱贫攻坚"]
    assert "脱贫" in settings["keywords"]["脱贫攻坚"] and "扶贫" not in settings["keywords"]["脱贫攻坚"]
    # the poverty theme's keyword leads its topic or is among its top terms
    assert {"脱贫", "第一书记", "帮扶", "驻村"} & set(topics.loc[topics["topic"] == 0, "term"].head(10))


def test_covariates_and_lambda(keyatm_run):
    run = load_run(keyatm_run)
    cov = pd.read_csv(keyatm_run / "covariates.csv", encoding="utf-8-sig", dtype=str)
    assert list(cov.columns) == ["unit_id", "doc_id"]
    assert cov["unit_id"].tolist() == run.doc_topics["unit_id"].tolist()
    coef = pd.read_csv(keyatm_run / "prevalence_coefficients.csv", encoding="utf-8-sig")
    # lambda: intercept + the four article contrasts, for every topic (no reference topic)
    assert sorted(coef["topic"].unique()) == list(range(7))
    assert coef.groupby("topic")["term"].apply(list).iloc[0][0] == "intercept"
    assert len(coef) == 7 * 5


def test_effect_draws_are_the_chains_own(keyatm_run):
    run = load_run(keyatm_run)
    draws, how = covariates.theta_draws(run, covariates.EffectConfig(nsims=10, cluster=None))
    assert draws.shape == (10, len(run.doc_topics), 7) and "keyATM" in how
    np.testing.assert_allclose(draws.sum(axis=2), 1.0, atol=1e-6)
    assert draws.std(axis=0).max() > 0  # draws from different sweeps differ
    effect = covariates.estimate_effect(run, "doc_id", topics=[0], config=covariates.EffectConfig(nsims=10, cluster=None))
    assert effect.formula == "~ doc_id" and effect.kind == "difference"
    with pytest.raises(Exception, match="kept 25"):
        covariates.theta_draws(run, covariates.EffectConfig(nsims=26))


def test_bad_flags_and_themes_fail_in_one_line(tmp_path, capsys):
    base = ["train", "--out", str(tmp_path)]
    cases = [
        (["--model", "keyatm", "--themes", str(THEMES)], "needs --prevalence"),
        (["--model", "keyatm", "--prevalence", "doc_id"], "needs --themes"),
        (["--model", "stm", "--prevalence", "doc_id", "--themes", str(THEMES)], "(--model keyatm)"),
        (["--model", "keyatm", "--prevalence", "region", "--themes", str(THEMES)], "unknown covariate column 'region'"),
    ]
    for args, message in cases:
        assert cli.main([*base, *args]) == cli.EXIT_USAGE, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err
    bad = tmp_path / "themes.toml"
    bad.write_text('[themes]\n"反腐倡廉" = ["反腐败"]\n"海洋强国" = ["海洋经济", "蓝色粮仓"]\n', encoding="utf-8")
    assert cli.main([*base, "--model", "keyatm", "--prevalence", "doc_id", "--themes", str(bad)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("workbench: error: theme '海洋强国': none of its seed words is in the vocabulary "
                       "(海洋经济、蓝色粮仓); keyATM needs at least one (check the words against `workbench terms`, "
                       "or lower --no-below)")
    assert not [p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]
