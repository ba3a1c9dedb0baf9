"""Effects by the method of composition (`workbench effect`): stm's gadarian result, the curve and the
difference on STM and LDA runs of the government reports, and one-line errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_stm import gov_subset

from workbench import cli
from workbench.analysis import covariates
from workbench.errors import UsageError
from workbench.models import stm
from workbench.runfolder import load_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """An STM run (s(year) + doc_type) and an LDA run on the same sections of every 5th report."""
    from workbench import engines
    from workbench.models.lda import ModelConfig
    from workbench.text.preprocess import CorpusConfig

    src = gov_subset(tmp_path_factory.mktemp("src") / "reports.jsonl")
    out = tmp_path_factory.mktemp("effect_runs")
    cc = CorpusConfig(unit="section")
    return {
        "stm": engines.train([src], corpus_config=cc, model_config=ModelConfig(num_topics=6), out_dir=out,
                             progress=False, stm_config=stm.StmConfig("s(year) + doc_type")),
        "lda": engines.train([src], corpus_config=cc, model_config=ModelConfig(num_topics=6, iterations=300),
                             out_dir=out, progress=False),
    }


def test_gadarian_treatment_raises_the_anxiety_topic_as_in_stm():
    """stm's own example: K=3, prevalence ~ treatment + s(pid_rep). R stm's shipped gadarianFit gives
    the treated an expected 0.46 on the topic the treatment moves and the controls 0.21 (+0.24;
    estimateEffect(1:3 ~ treatment), as printed by tidystm's README). Here the same fit in topica
    (spectral init), with our composition code, on the topic of jobs, welfare and security."""
    import topica
    from topica.stm import posterior_theta_samples

    corpus = topica.from_dataframe(topica.datasets.load_gadarian(), text_col="open.ended.response",
                                   metadata_cols=["treatment", "pid_rep"], stopwords="english", min_doc_freq=2,
                                   verbose=False)
    data = corpus.metadata[["treatment", "pid_rep"]].astype(float)
    model = topica.STM(3, seed=0).fit(corpus, formula="~ treatment + s(pid_rep)", data=data)
    draws = posterior_theta_samples(model, 25, seed=0, uncertainty="global")
    table, coef, _ = covariates.effect_from_draws(draws, np.asarray(model.doc_topic), data, "treatment",
                                                 "~ treatment")
    assert sorted(table["treatment"].unique()) == [0.0, 1.0]
    words = model.top_words(10)
    anxiety = next(k for k in range(3) if {"jobs", "welfare", "security"} <= set(words[k]))
    d = table[table["topic"] == anxiety].set_index("treatment")
    effect = d.loc[1.0, "estimate"] - d.loc[0.0, "estimate"]
    assert 0.15 < effect < 0.40, effect
    assert 0.12 < d.loc[0.0, "estimate"] < 0.32  # R: 0.21 among the controls
    slope = coef[(coef["topic"] == anxiety) & (coef["term"] == "treatment")].iloc[0]
    assert slope["lo"] > 0  # the composition interval excludes no effect
    others = coef[(coef["topic"] != anxiety) & (coef["term"] == "treatment")]
    assert (others["estimate"] < slope["estimate"]).all()


def test_lda_draws_are_the_dirichlet_of_the_topic_counts(runs):
    run = load_run(runs["lda"])
    draws, how = covariates.theta_draws(run, covariates.EffectConfig(nsims=400))
    assert "Dirichlet" in how and draws.shape == (400, *run.doc_topic.shape)
    np.testing.assert_allclose(draws.sum(axis=2), 1.0, atol=1e-9)
    np.testing.assert_allclose(draws.mean(axis=0), run.doc_topic, atol=0.03)
    # a long section pins its shares down more than a short one
    n = run.doc_topics["n_tokens"].to_numpy()
    spread = draws.std(axis=0).sum(axis=1)
    assert spread[n >= np.quantile(n, 0.75)].mean() < spread[n <= np.quantile(n, 0.25)].mean()


@pytest.mark.parametrize("kind", ["stm", "lda"])
def test_curve_over_year_with_its_band(runs, kind, tmp_path):
    effect, csv, coef_csv, png = covariates.write_effect(runs[kind], "year", topics=[0, 2], out_dir=tmp_path)
    assert effect.kind == "continuous" and effect.n_dropped == 0
    assert effect.formula == ("~ s(year) + doc_type" if kind == "stm" else "~ s(year)")
    t = effect.table
    years = pd.to_numeric(load_run(runs[kind]).doc_topics["date"])
    for topic in (0, 2):
        d = t[t["topic"] == topic]
        assert d["year"].tolist() == list(np.arange(years.min(), years.max() + 1, dtype=float))
        assert (d["lo"] <= d["estimate"]).all() and (d["estimate"] <= d["hi"]).all()
        assert (d["hi"] - d["lo"] > 0).all() and (d["ols_hi"] - d["ols_lo"] > 0).all()
    assert effect.n_clusters == load_run(runs[kind]).doc_topics["doc_id"].nunique()
    coef = pd.read_csv(coef_csv, encoding="utf-8-sig")
    assert set(coef["topic"]) == {0, 2} and coef["term"].iloc[0] == "intercept"
    assert csv.is_file() and png.stat().st_size > 10_000


def test_difference_of_two_groups_flips_with_their_order(runs):
    a = covariates.estimate_effect(runs["stm"], "doc_type",
                                   groups=["government_work_report", "npc_resolution_on_gwr"])
    b = covariates.estimate_effect(runs["stm"], "doc_type",
                                   groups=["npc_resolution_on_gwr", "government_work_report"])
    assert a.kind == "difference" and len(a.table) == 6
    np.testing.assert_allclose(a.table["estimate"], -b.table["estimate"], atol=0.01)
    # resolutions and reports share little vocabulary: some topic separates them clearly
    assert ((a.table["lo"] > 0) | (a.table["hi"] < 0)).any()


def test_errors_name_the_column_and_the_values(runs):
    with pytest.raises(UsageError, match=r"unknown covariate column 'province'.*doc_type"):
        covariates.estimate_effect(runs["lda"], "province")
    with pytest.raises(UsageError, match="not in the formula"):
        covariates.estimate_effect(runs["stm"], "region")
    with pytest.raises(UsageError, match="give two of the values of 'doc_type': government_work_report"):
        covariates.estimate_effect(runs["lda"], "doc_type", groups=["北京", "上海"])
    with pytest.raises(UsageError, match=r"--formula 's\(year': the formula does not parse"):
        covariates.estimate_effect(runs["lda"], "year", formula="s(year")
    with pytest.raises(UsageError, match="topics 0..5"):
        covariates.estimate_effect(runs["lda"], "year", topics=[9])


def test_cli_effect(runs, capsys, tmp_path):
    assert cli.main(["effect", str(runs["lda"]), "--covariate", "doc_type", "--out", str(tmp_path)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "government_work_report - npc_resolution_on_gwr" in out and out.strip().endswith("_coefficients.csv")
    assert cli.main(["effect", str(runs["lda"]), "--covariate", "province"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'province'" in err[0]
